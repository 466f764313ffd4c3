//! Answers that must not depend on the backend, for inputs the HTTP suite reaches only
//! indirectly. Runs on SQLite, or with `UNDERSIGNED_TEST_BACKEND=postgres` on a fresh database
//! of the throwaway cluster.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use undersigned_core::Slug;
use undersigned_store::{
    DynStore, NewUser, NewWorkspace, StoreError,
    postgres::{PgOptions, PgStore},
    sqlite::{SqliteOptions, SqliteStore},
};
use undersigned_testkit::{Backend, backend, fresh_postgres_database};

/// One keyring for the whole test binary: every store the tests open on one database must
/// seal and open with the same keys, as every process of an instance does.
fn keyring() -> std::sync::Arc<undersigned_store::sealed::Keyring> {
    static KEYRING: std::sync::OnceLock<std::sync::Arc<undersigned_store::sealed::Keyring>> =
        std::sync::OnceLock::new();
    KEYRING
        .get_or_init(|| std::sync::Arc::new(undersigned_store::sealed::Keyring::ephemeral()))
        .clone()
}

const NOW: i64 = 1_800_000_000;

async fn store() -> (DynStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store: DynStore = match backend() {
        Backend::Sqlite => std::sync::Arc::new(
            SqliteStore::open(
                &dir.path().join("u.db"),
                &SqliteOptions::default(),
                keyring(),
            )
            .await
            .unwrap(),
        ),
        Backend::Postgres => std::sync::Arc::new(
            PgStore::open(&fresh_postgres_database(), &PgOptions::default(), keyring())
                .await
                .unwrap(),
        ),
    };
    (store, dir)
}

fn user(email: &str) -> NewUser {
    NewUser {
        email: email.into(),
        name: "Organiser".into(),
        password_hash: "not a real hash".into(),
        created_at: NOW,
    }
}

#[tokio::test]
async fn lookups_by_text_the_database_cannot_hold_find_nothing() {
    let (store, _dir) = store().await;
    // A login form posts whatever it is sent; PostgreSQL's TEXT cannot hold U+0000.
    assert!(
        store
            .user_by_email("a\0b@example.org")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.workspace_by_slug("a\0b").await.unwrap().is_none());
    assert!(store.letter_by_slug("a\0b").await.unwrap().is_none());
    store.close().await;
}

#[tokio::test]
async fn taken_addresses_and_slugs_are_conflicts() {
    let (store, _dir) = store().await;
    let first = store.create_user(user("taken@example.org")).await.unwrap();
    let again = store.create_user(user("taken@example.org")).await;
    assert!(
        matches!(again, Err(StoreError::Conflict("email"))),
        "{again:?}"
    );
    // Ids are handed out by the database on both backends.
    let second = store.create_user(user("other@example.org")).await.unwrap();
    assert_ne!(first, second);

    let workspace = || NewWorkspace {
        slug: Slug::parse("coalition").unwrap(),
        name: "Coalition".into(),
        created_at: NOW,
    };
    store.create_workspace(workspace()).await.unwrap();
    let again = store.create_workspace(workspace()).await;
    assert!(
        matches!(again, Err(StoreError::Conflict("slug"))),
        "{again:?}"
    );
    store.close().await;
}

#[tokio::test]
async fn setting_up_consumes_every_setup_link_and_happens_once() {
    let (store, _dir) = store().await;
    // Two processes started on an empty instance, each with its own link.
    store.add_setup_token([1; 32], NOW, NOW + 60).await.unwrap();
    store.add_setup_token([2; 32], NOW, NOW + 60).await.unwrap();
    assert!(store.setup_token_valid([1; 32], NOW).await.unwrap());
    assert!(store.setup_token_valid([2; 32], NOW).await.unwrap());
    assert!(!store.setup_token_valid([1; 32], NOW + 60).await.unwrap());

    let workspace = |slug: &str| NewWorkspace {
        slug: Slug::parse(slug).unwrap(),
        name: "Coalition".into(),
        created_at: NOW,
    };
    let (first, second) = tokio::join!(
        store.complete_setup([1; 32], NOW, workspace("one"), user("one@example.org")),
        store.complete_setup([2; 32], NOW, workspace("two"), user("two@example.org")),
    );
    let done = [&first, &second]
        .iter()
        .filter(|result| result.is_ok())
        .count();
    assert_eq!(done, 1, "{first:?} {second:?}");
    let refused = if first.is_err() { first } else { second };
    assert!(
        matches!(
            refused,
            Err(StoreError::Conflict("organiser") | StoreError::NotFound)
        ),
        "{refused:?}"
    );
    assert_eq!(store.user_count().await.unwrap(), 1);
    assert!(!store.setup_token_valid([1; 32], NOW).await.unwrap());
    assert!(!store.setup_token_valid([2; 32], NOW).await.unwrap());
    store.close().await;
}

/// SQLite only (it is about SQLite's file): what the store deletes is overwritten, not left in
/// the file's free space (`secure_delete`), and the file is its owner's alone.
#[tokio::test]
async fn what_sqlite_deletes_does_not_linger_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("u.db");
    let store: DynStore = std::sync::Arc::new(
        SqliteStore::open(&path, &SqliteOptions::default(), keyring())
            .await
            .unwrap(),
    );
    let owner = store.create_user(user("owner@example.org")).await.unwrap();
    let marker = "csrf-marker-Quillfeather-7c1e";
    for n in 0..20u8 {
        store
            .create_session(undersigned_store::NewSession {
                id_hash: [n; 32],
                user_id: owner,
                csrf_token: format!("{marker}-{n}"),
                created_at: NOW,
                expires_at: NOW + 3600,
            })
            .await
            .unwrap();
    }
    for n in 0..20u8 {
        store.delete_session([n; 32]).await.unwrap();
    }
    // Closing folds the WAL into the file.
    store.close().await;
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        !bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
        "deleted sessions' tokens linger in the database file"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
