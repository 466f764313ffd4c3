//! `undersigned copy` moves a 100,000-signature instance from SQLite to PostgreSQL and back,
//! and the copies serve the same site.

use std::{path::Path, process::Output, time::Instant};

use undersigned_core::{
    DisplayLevel, EmailAddress, LetterState, PersonName, Role, Slug,
    letter::{LetterContent, LetterInput},
    signature::{NewSignature, SignerDetails},
};
use undersigned_server::{
    Backend, Statements, config::Settings, format::now, open_backend, secrets::InstanceKeys,
};
use undersigned_store::{
    Actor, ImportCommand, LetterId, NewUser, NewWorkspace, SignCommand, WriteCommand,
    copy::{TABLES, verify},
    rules::MailLimits,
};
use undersigned_testkit::fresh_postgres_database;

use crate::support::*;

const SIGNATURES: usize = 100_000;

fn settings(data: &Path, database: &str) -> Settings {
    let mut settings = Settings::defaults().unwrap();
    settings.data_dir = data.to_owned();
    settings.database_url = Some(database.to_owned());
    settings
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// `undersigned copy` as an operator runs it.
fn copy(data: &Path, from: &str, to: &str) -> (Output, f64) {
    let started = Instant::now();
    let out = undersigned(BIN, data)
        .args(["copy", "--from", from, "--to", to])
        .output()
        .unwrap();
    (out, started.elapsed().as_secs_f64())
}

fn letter(slug: &str, title: &str) -> LetterContent {
    LetterContent::parse(&LetterInput {
        slug: slug.into(),
        title: title.into(),
        subject: "RE: a copy".into(),
        body: "We ask for an *exact* copy.".into(),
        targets: "Ines Quarry | Commissioner | Example League".into(),
        categories: "Organisation\nSurvivor\nSupporter".into(),
        ..LetterInput::new_letter()
    })
    .unwrap()
}

/// An SQLite instance with two letters and 100,000 published signatures between them,
/// plus a few pending ones (with their confirmation links and queued emails).
async fn big_instance(data: &Path) -> (String, Vec<(LetterId, u64)>) {
    let database = sqlite_url(&data.join("undersigned.db"));
    let backend = open_backend(&settings(data, &database), Statements::Bulk)
        .await
        .unwrap();
    let store = backend.store();
    let keys = InstanceKeys::load_or_create(data).unwrap();
    assert!(store.check_instance_key(&keys.fingerprint).await.unwrap());
    let workspace = store
        .create_workspace(NewWorkspace {
            slug: Slug::parse("copy-coalition").unwrap(),
            name: "Copy Coalition".into(),
            created_at: now(),
        })
        .await
        .unwrap();
    let user = store
        .create_user(NewUser {
            email: "copier@example.org".into(),
            name: "Cora Copier".into(),
            password_hash: "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
                .into(),
            created_at: now(),
        })
        .await
        .unwrap();
    store
        .set_membership(workspace, user, Role::Owner)
        .await
        .unwrap();
    let actor = Actor { user, workspace };
    let mut letters = Vec::new();
    for (slug, title) in [
        ("big-one", "The first letter"),
        ("big-two", "The second letter"),
    ] {
        let id = store
            .create_letter(actor, &letter(slug, title), now())
            .await
            .unwrap();
        store
            .change_letter_state(actor, id, LetterState::Open, now())
            .await
            .unwrap();
        letters.push(store.letter(id).await.unwrap().unwrap());
    }

    let signature = |i: usize, category: i64| NewSignature {
        name: PersonName::parse(&format!("Signer Number{i}")).unwrap(),
        email: EmailAddress::parse(&format!("signer-{i}@example.org")).unwrap(),
        category_id: category,
        display: [
            DisplayLevel::Public,
            DisplayLevel::Initials,
            DisplayLevel::Private,
        ][i % 3],
        details: SignerDetails {
            city: i.is_multiple_of(2).then(|| "Tampere".to_owned()),
            comment: i
                .is_multiple_of(7)
                .then(|| "Ünïcödé, \"quotes\", 'and' <tags>".to_owned()),
            ..SignerDetails::default()
        },
    };
    let started = now();
    for chunk in (0..SIGNATURES).collect::<Vec<_>>().chunks(5_000) {
        let commands = chunk
            .iter()
            .map(|&i| {
                let letter = &letters[usize::from(i % 5 >= 3)];
                let sig = signature(i, letter.categories[i % 3].id.0);
                WriteCommand::ImportPublished(Box::new(ImportCommand {
                    letter: letter.id,
                    duplicate_key: keys.duplicates.key("signature", &sig.email),
                    signature: sig,
                    now: started,
                    salt: [3; 32],
                    organisation: None,
                }))
            })
            .collect();
        for result in store.commit_batch(commands).await.unwrap() {
            result.unwrap();
        }
    }
    // Pending signers: confirmation links and queued emails travel too.
    let pending = (0..50)
        .map(|i| {
            let sig = signature(SIGNATURES + i, letters[0].categories[0].id.0);
            let mut token = [0u8; 32];
            token[..8].copy_from_slice(&(i as u64).to_be_bytes());
            WriteCommand::Sign(Box::new(SignCommand {
                letter: letters[0].id,
                duplicate_key: keys.duplicates.key("signature", &sig.email),
                recipient_key: keys.duplicates.recipient_key(&sig.email),
                domain_key: keys.duplicates.domain_key(&sig.email),
                mail_limits: MailLimits::default(),
                signature: sig,
                token_hash: token,
                now: started,
                token_expires_at: started + 86_400,
                email_params: "{}".into(),
                organisation: None,
                updates: false,
                // Sealed languages travel as bytes; NULL ones as NULL.
                lang: i.is_multiple_of(2).then(|| "es".to_owned()),
                sealed: None,
            }))
        })
        .collect();
    for result in store.commit_batch(pending).await.unwrap() {
        result.unwrap();
    }
    let mut totals = Vec::new();
    for letter in &letters {
        totals.push((letter.id, store.counts(letter.id).await.unwrap().total));
    }
    store.close().await;
    (database, totals)
}

async fn totals(data: &Path, database: &str, letters: &[(LetterId, u64)]) -> Vec<(LetterId, u64)> {
    let backend = open_backend(&settings(data, database), Statements::Server)
        .await
        .unwrap();
    let mut out = Vec::new();
    for (id, _) in letters {
        out.push((*id, backend.store().counts(*id).await.unwrap().total));
    }
    backend.store().close().await;
    out
}

#[tokio::test]
async fn a_100k_signature_instance_moves_to_postgres_and_back() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let mut laps = Laps::start();
    let (sqlite, letters) = big_instance(&data).await;
    assert_eq!(
        letters.iter().map(|(_, n)| n).sum::<u64>(),
        SIGNATURES as u64
    );
    laps.lap("built a 100,000-signature SQLite instance");

    // SQLite → PostgreSQL.
    let postgres = fresh_postgres_database();
    let (out, to_postgres) = copy(&data, &sqlite, &postgres);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("every table matches"), "{stdout}");
    assert_eq!(totals(&data, &postgres, &letters).await, letters);
    laps.lap("copied to PostgreSQL");

    // PostgreSQL → a new SQLite file.
    let back = sqlite_url(&folder.path().join("back.db"));
    let (out, to_sqlite) = copy(&data, &postgres, &back);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(totals(&data, &back, &letters).await, letters);
    laps.lap("copied back to SQLite");
    eprintln!(
        "copy of {SIGNATURES} signatures: SQLite → PostgreSQL {to_postgres:.1} s, \
         PostgreSQL → SQLite {to_sqlite:.1} s"
    );

    // A copy is exact, table by table, on both sides.
    let original = open_backend(&settings(&data, &sqlite), Statements::Bulk)
        .await
        .unwrap();
    for copy in [&postgres, &back] {
        let copy = open_backend(&settings(&data, copy), Statements::Bulk)
            .await
            .unwrap();
        assert_eq!(
            verify(original.tables(), copy.tables()).await.unwrap(),
            vec![]
        );
    }

    // The PostgreSQL copy serves the site, and new rows get fresh ids (the sequences moved
    // past the copied ones).
    let mail = MailSink::start();
    let server_data = folder.path().join("server");
    copy_instance_key(&data, &server_data);
    let server = start("copy", &server_data, &postgres, &mail.smtp_url(0)).await;
    let counts = server.counts("big-one").await;
    assert_eq!(counts["total"], letters[0].1);
    let page = server.get_with(&client(), "/l/big-one").await;
    let category = hidden_value(&page.body, "category").expect("a category");
    let signed = server
        .post_with(
            &client(),
            "/l/big-one/sign",
            &[
                ("name", "Newest Signer"),
                ("email", "newest@example.org"),
                ("category", &category),
                ("display", "public"),
            ],
        )
        .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    let email = mail.wait_for_to("newest@example.org", 1).await;
    let confirmed = server
        .post_with(&client(), &email.confirm_path().unwrap(), &[])
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    server.wait_for_total("big-one", letters[0].1 + 1).await;
    // A signer from the copied data is recognised (the same key, the same HMACs).
    let again = server
        .post_with(
            &client(),
            "/l/big-one/sign",
            &[
                ("name", "Signer Number0"),
                ("email", "SIGNER-0@example.org"),
                ("category", &category),
                ("display", "public"),
            ],
        )
        .await;
    assert_eq!(again.status, 303);
    assert_eq!(server.counts("big-one").await["total"], letters[0].1 + 1);
    drop(server);

    // Copying into a database that holds data is refused, and nothing is written.
    let (out, _) = copy(&data, &sqlite, &postgres);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already holds data"));
    laps.lap("checked the copies");
}

#[tokio::test]
async fn verify_names_every_table_that_differs() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let out = undersigned(BIN, &data).arg("demo").output().unwrap();
    assert!(out.status.success());
    let sqlite = sqlite_url(&data.join("undersigned.db"));
    let postgres = fresh_postgres_database();
    let (out, _) = copy(&data, &sqlite, &postgres);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Someone edits the copy: one signature's name, and one row gone from another table.
    let source = open_backend(&settings(&data, &sqlite), Statements::Bulk)
        .await
        .unwrap();
    let target = open_backend(&settings(&data, &postgres), Statements::Bulk)
        .await
        .unwrap();
    let Backend::Postgres(_) = &target else {
        panic!("the target is PostgreSQL")
    };
    let pool = sqlx::PgPool::connect(&postgres).await.unwrap();
    sqlx::query("UPDATE signatures SET name = 'Somebody Else' WHERE id = 3")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_events WHERE id = 1")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let mismatches = verify(source.tables(), target.tables()).await.unwrap();
    let tables: Vec<&str> = mismatches.iter().map(|m| m.table).collect();
    assert_eq!(tables, vec!["signatures", "audit_events"]);
    assert!(mismatches[0].source_rows == mismatches[0].target_rows && !mismatches[0].same_content);
    assert_eq!(mismatches[1].source_rows, mismatches[1].target_rows + 1);
    assert_eq!(TABLES.len(), 44, "every table is compared");
}
