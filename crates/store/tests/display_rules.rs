//! A database made before display rules existed (migrations 0001 and 0002 only), opened by
//! this store: its letters keep working with every display level allowed and cities shown,
//! and what its pending signers were shown before they confirm is what gets published.
//! Runs on SQLite, or with `UNDERSIGNED_TEST_BACKEND=postgres` on the throwaway cluster.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use sqlx::{AssertSqlSafe, Connection, migrate::Migrator};
use undersigned_core::{
    DisplayLevel,
    dedup::DuplicateKeySecret,
    signature::{DisplayRule, NewSignature, SignInput, public_display},
};
use undersigned_store::{
    ConfirmCommand, ConfirmOutcome, DynStore, LetterId, PublicListing, SignCommand, SignOutcome,
    WriteCommand, WriteOutcome,
    postgres::{PgOptions, PgStore},
    sqlite::{SqliteOptions, SqliteStore},
};
use undersigned_testkit::{Backend, backend, fresh_postgres_database};

const NOW: i64 = 1_800_000_000;

/// The token of the link the old server emailed.
const OLD_TOKEN: [u8; 32] = [0xA7; 32];

/// A blob literal as the backend writes it.
fn blob(bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    match backend() {
        Backend::Sqlite => format!("X'{hex}'"),
        Backend::Postgres => format!("'\\x{hex}'::bytea"),
    }
}

/// What a server from before migration 0003 wrote: an open letter with two categories, and
/// a pending initials-level signature (with a city) whose link is in the signer's mailbox.
/// The database is fresh, so the rows get the ids 1 (and 2 for the second category) that
/// the statements refer to; explicit ids would leave PostgreSQL's sequences behind.
fn old_rows() -> String {
    format!(
        "INSERT INTO workspaces (slug, name, created_at) VALUES ('old', 'Old', {NOW});
         INSERT INTO letters (workspace_id, slug, title, subject, body_md, signer_fields,
                              state, created_at, updated_at, published_at)
             VALUES (1, 'before-rules', 'Before rules', 'RE: old', 'Old.', '{{}}', 'open',
                     {NOW}, {NOW}, {NOW});
         INSERT INTO letter_categories (letter_id, position, name)
             VALUES (1, 0, 'Organisation'), (1, 1, 'Survivor');
         INSERT INTO signatures (letter_id, category_id, name, city, email, email_hash,
                                 display_level, state, created_at, last_emailed_at, emails_sent)
             VALUES (1, 2, 'Tamsin Ardell', 'Lyon', 'tamsin@example.org', {hash},
                     'initials', 'pending', {NOW}, {NOW}, 1);
         INSERT INTO confirmation_tokens (token_hash, signature_id, created_at, expires_at,
                                          category_id, name, city, display_level)
             VALUES ({token}, 1, {NOW}, {later}, 2, 'Tamsin Ardell', 'Lyon', 'initials');",
        hash = blob(&[1; 32]),
        token = blob(&OLD_TOKEN),
        later = NOW + 86_400,
    )
}

/// Migrates the database at `url` up to 0002 only, and writes [`old_rows`] into it.
async fn database_before_rules(url: &str) {
    let folder = match backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let all = Migrator::new(Path::new(&format!(
        "{}/migrations/{folder}",
        env!("CARGO_MANIFEST_DIR")
    )))
    .await
    .unwrap();
    let old = Migrator::with_migrations(
        all.migrations
            .iter()
            .filter(|m| m.version < 3)
            .cloned()
            .collect(),
    );
    assert_eq!(old.migrations.len(), 2);
    match backend() {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{url}?mode=rwc"))
                .await
                .unwrap();
            old.run(&mut conn).await.unwrap();
            sqlx::raw_sql(AssertSqlSafe(old_rows()))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            old.run(&mut conn).await.unwrap();
            sqlx::raw_sql(AssertSqlSafe(old_rows()))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
        }
    }
}

/// The data keys: text written before sealing (this test's old rows) opens as itself.
fn keyring() -> std::sync::Arc<undersigned_store::sealed::Keyring> {
    std::sync::Arc::new(undersigned_store::sealed::Keyring::ephemeral())
}

async fn open(url: &str) -> DynStore {
    match backend() {
        Backend::Sqlite => std::sync::Arc::new(
            SqliteStore::open(Path::new(url), &SqliteOptions::default(), keyring())
                .await
                .unwrap(),
        ),
        Backend::Postgres => std::sync::Arc::new(
            PgStore::open(url, &PgOptions::default(), keyring())
                .await
                .unwrap(),
        ),
    }
}

async fn one(store: &DynStore, command: WriteCommand) -> WriteOutcome {
    let mut results = store.commit_batch(vec![command]).await.unwrap();
    results.pop().unwrap().unwrap()
}

#[tokio::test]
async fn letters_from_before_display_rules_allow_everything_and_keep_their_promises() {
    let dir = tempfile::tempdir().unwrap();
    let url = match backend() {
        Backend::Sqlite => dir.path().join("u.db").display().to_string(),
        Backend::Postgres => fresh_postgres_database(),
    };
    database_before_rules(&url).await;
    let store = open(&url).await;
    let letter = store.letter(LetterId(1)).await.unwrap().unwrap();
    assert_eq!(letter.categories.len(), 2);
    assert!(letter.categories.iter().all(|c| c.rule == DisplayRule::ALL));

    // The link emailed before the migration publishes what its page showed then: initials
    // with the city.
    let confirmed = one(
        &store,
        WriteCommand::Confirm(ConfirmCommand {
            token_hash: OLD_TOKEN,
            now: NOW + 60,
            salt: [5; 32],
        }),
    )
    .await;
    assert!(matches!(
        confirmed,
        WriteOutcome::Confirm(ConfirmOutcome::Confirmed { .. })
    ));
    let listed = store
        .public_signatures(letter.id, PublicListing::Newest { offset: 0 }, 10)
        .await
        .unwrap();
    let shown = public_display(
        &listed.rows[0].name,
        &listed.rows[0].details,
        listed.rows[0].display,
    )
    .unwrap();
    assert_eq!(
        (shown.shown_name.as_str(), shown.details.as_deref()),
        ("T. A.", Some("Lyon"))
    );

    // A new survivor may sign in full, as before.
    let input = SignInput {
        name: "Wren Halloway".into(),
        email: "wren@example.org".into(),
        category: "2".into(),
        display: "public".into(),
        ..Default::default()
    };
    let signature =
        NewSignature::parse(&input, &letter.category_rules(), &letter.signer_fields).unwrap();
    assert_eq!(signature.display, DisplayLevel::Public);
    let secret = DuplicateKeySecret::from_bytes([7; 32]);
    let signed = one(
        &store,
        WriteCommand::Sign(Box::new(SignCommand {
            letter: letter.id,
            duplicate_key: secret.key("signature", &signature.email),
            recipient_key: secret.recipient_key(&signature.email),
            domain_key: secret.domain_key(&signature.email),
            mail_limits: undersigned_store::rules::MailLimits::default(),
            signature,
            token_hash: [0xB2; 32],
            now: NOW + 120,
            token_expires_at: NOW + 86_400,
            email_params: "{}".into(),
            organisation: None,
            updates: false,
            lang: None,
            sealed: None,
        })),
    )
    .await;
    assert_eq!(signed, WriteOutcome::Sign(SignOutcome::Created));
    store.close().await;
}
