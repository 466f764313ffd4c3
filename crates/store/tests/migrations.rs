//! Migration 0005 on a database written before it: letters whose log already has entries
//! keep format 1, and every other letter (an empty log, no log yet) gets format 2. Runs on SQLite, or with
//! `UNDERSIGNED_TEST_BACKEND=postgres` on a fresh database of the throwaway cluster.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use sqlx::{Connection, migrate::Migrator};
use undersigned_store::{
    DynStore, LogVersion,
    postgres::{PgOptions, PgStore},
    sqlite::{SqliteOptions, SqliteStore},
};
use undersigned_testkit::{Backend, backend, fresh_postgres_database};

/// The last migration before log format 2.
const BEFORE_FORMAT_2: i64 = 4;

/// Three letters as the code before format 2 left them: one whose log has entries, one
/// whose log is empty, one with no log yet.
const BEFORE: &str = "
    INSERT INTO workspaces (id, slug, name, created_at) VALUES (1, 'older', 'Older', 0);
    INSERT INTO letters (id, workspace_id, slug, title, subject, body_md, signer_fields, state,
                         created_at, updated_at)
    VALUES (1, 1, 'logged', 'Logged', 'Logged', 'Text', '{}', 'open', 0, 0),
           (2, 1, 'empty-log', 'Empty', 'Empty', 'Text', '{}', 'open', 0, 0),
           (3, 1, 'no-log', 'None', 'None', 'Text', '{}', 'draft', 0, 0);
    INSERT INTO log_heads (letter_id, size, root) VALUES (1, 3, X'00'), (2, 0, X'00');
";

/// The database at `url` migrated up to `BEFORE_FORMAT_2` and filled with [`BEFORE`], then
/// opened by the store (which runs the rest).
async fn migrated(url: &str) -> DynStore {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    match backend() {
        Backend::Sqlite => {
            let migrator = Migrator::new(folder.join("sqlite")).await.unwrap();
            let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{url}?mode=rwc"))
                .await
                .unwrap();
            migrator.run_to(BEFORE_FORMAT_2, &mut conn).await.unwrap();
            sqlx::raw_sql(BEFORE).execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
            std::sync::Arc::new(
                SqliteStore::open(Path::new(url), &SqliteOptions::default(), keyring())
                    .await
                    .unwrap(),
            )
        }
        Backend::Postgres => {
            let migrator = Migrator::new(folder.join("postgres")).await.unwrap();
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            migrator.run_to(BEFORE_FORMAT_2, &mut conn).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(
                BEFORE.replace("X'00'", "'\\x00'::bytea"),
            ))
            .execute(&mut conn)
            .await
            .unwrap();
            conn.close().await.unwrap();
            std::sync::Arc::new(
                PgStore::open(url, &PgOptions::default(), keyring())
                    .await
                    .unwrap(),
            )
        }
    }
}

#[tokio::test]
async fn letters_whose_log_has_entries_keep_format_1_and_the_others_get_format_2() {
    let dir = tempfile::tempdir().unwrap();
    let url = match backend() {
        Backend::Sqlite => dir
            .path()
            .join("undersigned.db")
            .to_str()
            .unwrap()
            .to_owned(),
        Backend::Postgres => fresh_postgres_database(),
    };
    let store = migrated(&url).await;
    for (slug, version) in [
        ("logged", LogVersion::V1),
        ("empty-log", LogVersion::V2),
        ("no-log", LogVersion::V2),
    ] {
        let letter = store.letter_by_slug(slug).await.unwrap().unwrap();
        assert_eq!(letter.log_version, version, "{slug}");
    }
    store.close().await;
}

/// The data keys: text written before sealing (this test's old rows) opens as itself.
fn keyring() -> std::sync::Arc<undersigned_store::sealed::Keyring> {
    std::sync::Arc::new(undersigned_store::sealed::Keyring::ephemeral())
}
