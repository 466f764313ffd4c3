//! Two stores on one database, as two app-server processes would have: each with its own
//! pool, its own batches and its own mail worker. Runs on SQLite (two pools on one file), or
//! with `UNDERSIGNED_TEST_BACKEND=postgres` on a fresh database of the throwaway cluster.
//!
//! The batches of the two writers sign and confirm the same addresses in opposite orders, so
//! on PostgreSQL they deadlock now and then: the store must retry, and every signer must
//! still be counted exactly once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeSet, HashSet};

use sqlx::Connection;

use undersigned_core::{
    DisplayLevel, EmailAddress, LetterState, PersonName, SignerFields, Slug,
    dedup::DuplicateKeySecret,
    letter::{LetterCategory, LetterContent, Target},
    signature::{DisplayRule, NewSignature, SignerDetails},
};
use undersigned_store::{
    Actor, ConfirmCommand, ConfirmOutcome, DynStore, ImportCommand, LetterId, NewUser,
    NewWorkspace, OutboxClaimCommand, SignCommand, SignOutcome, WriteCommand, WriteOutcome,
    postgres::{PgOptions, PgStore},
    rules::MailLimits,
    sealed::Field,
    sqlite::{SqliteOptions, SqliteStore},
};
use undersigned_testkit::{Backend, backend, fresh_postgres_database};
use undersigned_tlog::{leaf_hash, root_from_leaf_hashes};
use undersigned_verify::entry::LogEntry;

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
const SIGNERS: usize = 60;
const BATCH: usize = 10;

/// Two stores on one new database (and the folder that holds it on SQLite).
async fn two_stores() -> (DynStore, DynStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    match backend() {
        Backend::Sqlite => {
            let path = dir.path().join("undersigned.db");
            let first = SqliteStore::open(&path, &SqliteOptions::default(), keyring())
                .await
                .unwrap();
            let second = SqliteStore::open(&path, &SqliteOptions::default(), keyring())
                .await
                .unwrap();
            (std::sync::Arc::new(first), std::sync::Arc::new(second), dir)
        }
        Backend::Postgres => {
            let url = fresh_postgres_database();
            // Both start at once, as processes behind one proxy do: one migrates, the other
            // waits for it.
            let options = PgOptions::default();
            let (first, second) = tokio::join!(
                PgStore::open(&url, &options, keyring()),
                PgStore::open(&url, &options, keyring())
            );
            (
                std::sync::Arc::new(first.unwrap()),
                std::sync::Arc::new(second.unwrap()),
                dir,
            )
        }
    }
}

/// An organiser, a workspace and an open letter with two categories.
async fn open_letter(store: &DynStore) -> (LetterId, Vec<i64>) {
    let actor = organiser(store).await;
    open_letter_in(store, actor, "two-writers", ["Organisation", "Survivor"]).await
}

async fn organiser(store: &DynStore) -> Actor {
    let user = store
        .create_user(NewUser {
            email: "owner@example.org".into(),
            name: "Owner".into(),
            password_hash: "not a real hash".into(),
            created_at: NOW,
        })
        .await
        .unwrap();
    let workspace = store
        .create_workspace(NewWorkspace {
            slug: Slug::parse("coalition").unwrap(),
            name: "Coalition".into(),
            created_at: NOW,
        })
        .await
        .unwrap();
    Actor { user, workspace }
}

async fn open_letter_in(
    store: &DynStore,
    actor: Actor,
    slug: &str,
    categories: [&str; 2],
) -> (LetterId, Vec<i64>) {
    let content = LetterContent {
        slug: Slug::parse(slug).unwrap(),
        title: "Two writers".into(),
        subject: "RE: two writers".into(),
        body_markdown: "Please.".into(),
        targets: vec![Target {
            name: "A Commissioner".into(),
            title: None,
            organisation: None,
        }],
        categories: categories
            .iter()
            .map(|c| LetterCategory {
                name: (*c).to_owned(),
                rule: DisplayRule::ALL,
            })
            .collect(),
        signer_fields: SignerFields::default(),
        batch: None,
        moderation: Default::default(),
        organisation_category: None,
    };
    let id = store.create_letter(actor, &content, NOW).await.unwrap();
    store
        .change_letter_state(actor, id, LetterState::Open, NOW)
        .await
        .unwrap();
    let letter = store.letter(id).await.unwrap().unwrap();
    (id, letter.category_ids())
}

/// The token of signer `i`'s submission through writer `writer`.
fn token(i: usize, writer: u8) -> [u8; 32] {
    let mut hash = [0u8; 32];
    hash[..8].copy_from_slice(&(i as u64).to_be_bytes());
    hash[8] = writer;
    hash[9] = 0xA5;
    hash
}

fn sign(letter: LetterId, categories: &[i64], i: usize, writer: u8) -> WriteCommand {
    let email = EmailAddress::parse(&format!("signer-{i}@example.org")).unwrap();
    let secret = DuplicateKeySecret::from_bytes([7; 32]);
    WriteCommand::Sign(Box::new(SignCommand {
        letter,
        duplicate_key: secret.key("signature", &email),
        recipient_key: secret.recipient_key(&email),
        domain_key: secret.domain_key(&email),
        mail_limits: MailLimits::default(),
        signature: NewSignature {
            name: PersonName::parse(&format!("Signer {i}")).unwrap(),
            email,
            category_id: categories[i % categories.len()],
            display: DisplayLevel::Public,
            details: SignerDetails::default(),
        },
        token_hash: token(i, writer),
        now: NOW,
        token_expires_at: NOW + 3600,
        email_params: "{}".into(),
        organisation: None,
        updates: false,
        lang: None,
        sealed: None,
    }))
}

fn confirm(i: usize, writer: u8) -> WriteCommand {
    WriteCommand::Confirm(ConfirmCommand {
        token_hash: token(i, writer),
        salt: token(i, writer.wrapping_add(100)),
        now: NOW + 60,
    })
}

/// Commits `commands` in batches, one batch after another, as one process's writer does.
async fn write_all(store: DynStore, commands: Vec<WriteCommand>) -> Vec<WriteOutcome> {
    let mut outcomes = Vec::new();
    let mut commands = commands.into_iter().peekable();
    while commands.peek().is_some() {
        let batch: Vec<_> = commands.by_ref().take(BATCH).collect();
        let results = store.commit_batch(batch).await.expect("the batch commits");
        outcomes.extend(results.into_iter().map(|r| r.expect("the command applies")));
    }
    outcomes
}

/// Both writers sign every signer, in opposite orders and at the same time.
async fn sign_through_both(
    first: &DynStore,
    second: &DynStore,
    letter: LetterId,
    categories: &[i64],
) -> Vec<WriteOutcome> {
    let forward = (0..SIGNERS)
        .map(|i| sign(letter, categories, i, 0))
        .collect();
    let backward = (0..SIGNERS)
        .rev()
        .map(|i| sign(letter, categories, i, 1))
        .collect();
    let (a, b) = tokio::join!(
        tokio::spawn(write_all(first.clone(), forward)),
        tokio::spawn(write_all(second.clone(), backward)),
    );
    let mut outcomes = a.unwrap();
    outcomes.extend(b.unwrap());
    outcomes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_writers_signing_and_confirming_the_same_signers_count_each_once() {
    let (first, second, _dir) = two_stores().await;
    let (letter, categories) = open_letter(&first).await;

    let outcomes = sign_through_both(&first, &second, letter, &categories).await;
    let created = outcomes
        .iter()
        .filter(|o| matches!(o, WriteOutcome::Sign(SignOutcome::Created)))
        .count();
    assert_eq!(created, SIGNERS, "one signature per address: {outcomes:?}");
    // The second submission of each address queued at most one more email, never a second
    // signature.
    assert!(outcomes.iter().all(|o| matches!(
        o,
        WriteOutcome::Sign(
            SignOutcome::Created | SignOutcome::ConfirmationResent | SignOutcome::EmailThrottled
        )
    )));

    // Each writer presses every link it sent, in opposite orders, at the same time.
    let forward = (0..SIGNERS).map(|i| confirm(i, 0)).collect();
    let backward = (0..SIGNERS).rev().map(|i| confirm(i, 1)).collect();
    let (a, b) = tokio::join!(
        tokio::spawn(write_all(first.clone(), forward)),
        tokio::spawn(write_all(second.clone(), backward)),
    );
    let outcomes: Vec<_> = a.unwrap().into_iter().chain(b.unwrap()).collect();
    let confirmed: Vec<_> = outcomes
        .iter()
        .filter_map(|o| match o {
            WriteOutcome::Confirm(ConfirmOutcome::Confirmed { signature, .. }) => Some(*signature),
            _ => None,
        })
        .collect();
    let distinct: HashSet<_> = confirmed.iter().collect();
    assert_eq!(confirmed.len(), SIGNERS, "each signature confirmed once");
    assert_eq!(distinct.len(), SIGNERS);

    // Both processes read the same counts, and they match the signatures.
    for store in [&first, &second] {
        let counts = store.counts(letter).await.unwrap();
        assert_eq!(counts.total, SIGNERS as u64);
        assert_eq!(
            counts.by_category.iter().map(|(_, n)| n).sum::<u64>(),
            SIGNERS as u64
        );
    }
    let listed = second.organiser_signatures(letter, 0, 1000).await.unwrap();
    assert_eq!(listed.len(), SIGNERS);
    first.close().await;
    second.close().await;
}

/// Sign-ups sealed ahead of their batch (`prepare`, as the server does on each handler's
/// thread) and sign-ups the writer seals itself, in the same batches: every signer's name and
/// address read back as signed, and every email opens to its signer's address.
#[tokio::test]
async fn sign_ups_sealed_before_their_batch_read_back_like_the_others() {
    let (store, _second, _dir) = two_stores().await;
    let (letter, categories) = open_letter(&store).await;
    let mut commands: Vec<_> = (0..SIGNERS)
        .map(|i| sign(letter, &categories, i, 0))
        .collect();
    for command in commands.iter_mut().step_by(2) {
        store.prepare(command);
    }
    let prepared = |c: &WriteCommand| matches!(c, WriteCommand::Sign(s) if s.sealed.is_some());
    assert!(prepared(&commands[0]) && !prepared(&commands[1]));
    // Preparing twice seals once.
    store.prepare(&mut commands[0]);

    let outcomes = write_all(store.clone(), commands).await;
    assert!(
        outcomes
            .iter()
            .all(|o| *o == WriteOutcome::Sign(SignOutcome::Created)),
        "{outcomes:?}"
    );
    let confirms = (0..SIGNERS).map(|i| confirm(i, 0)).collect();
    write_all(store.clone(), confirms).await;

    let listed = store.organiser_signatures(letter, 0, 1000).await.unwrap();
    let read: BTreeSet<(String, String)> = listed.into_iter().map(|r| (r.name, r.email)).collect();
    let signed: BTreeSet<(String, String)> = (0..SIGNERS)
        .map(|i| (format!("Signer {i}"), format!("signer-{i}@example.org")))
        .collect();
    assert_eq!(read, signed);

    let claim = WriteCommand::OutboxClaim(OutboxClaimCommand {
        worker: "test".into(),
        now: NOW + 120,
        lease_until: NOW + 720,
        limit: 1000,
    });
    let claimed = store.commit_batch(vec![claim]).await.unwrap().remove(0);
    let Ok(WriteOutcome::OutboxClaimed(emails)) = claimed else {
        panic!("{claimed:?}");
    };
    let recipients: BTreeSet<String> = emails
        .iter()
        .filter(|e| e.withheld.is_none())
        .map(|e| e.recipient.clone())
        .collect();
    let addresses: BTreeSet<String> = signed.into_iter().map(|(_, email)| email).collect();
    assert_eq!(recipients, addresses);
    assert!(emails.iter().all(|e| e.params == "{}"));
    store.close().await;
}

/// The writer keeps its connection between batches, never more than half the pool: with a
/// pool of one connection (none kept) or two (one kept), reads between the batches get a
/// connection at once, and the store closes, the kept connection too.
#[tokio::test]
async fn the_writers_kept_connection_leaves_reads_one_and_closes() {
    for pool in [1, 2] {
        let dir = tempfile::tempdir().unwrap();
        let url = match backend() {
            Backend::Sqlite => dir.path().join("undersigned.db").display().to_string(),
            Backend::Postgres => fresh_postgres_database(),
        };
        let store = open_with_pool(&url, Some(pool)).await;
        let (letter, categories) = open_letter(&store).await;
        let within = std::time::Duration::from_secs(2);
        for round in 0..3 {
            let signs = (0..BATCH)
                .map(|i| sign(letter, &categories, round * BATCH + i, 0))
                .collect();
            let outcomes = write_all(store.clone(), signs).await;
            assert!(
                outcomes
                    .iter()
                    .all(|o| *o == WriteOutcome::Sign(SignOutcome::Created))
            );
            let listed = tokio::time::timeout(within, store.organiser_signatures(letter, 0, 1000))
                .await
                .unwrap_or_else(|_| panic!("a read waited for a connection (pool of {pool})"))
                .unwrap();
            assert_eq!(listed.len(), (round + 1) * BATCH);
        }
        tokio::time::timeout(std::time::Duration::from_secs(10), store.close())
            .await
            .unwrap_or_else(|_| {
                panic!("closing the store waited for a connection (pool of {pool})")
            });
    }
}

/// Two letters confirmed through two writers at once, each batch mixing both letters: each
/// letter's log holds exactly its own signatures, once each, and its head is the root of
/// its entries.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_writers_on_two_letters_keep_each_log_to_its_own_letter() {
    let (first, second, _dir) = two_stores().await;
    let actor = organiser(&first).await;
    let letters = [
        open_letter_in(&first, actor, "letter-a", ["Organisation", "Survivor"]).await,
        open_letter_in(&first, actor, "letter-b", ["Activist", "Supporter"]).await,
    ];
    // Signer i signs letter i % 2; the signers of letter b get their own addresses.
    let signer = |i: usize| {
        let (letter, categories) = &letters[i % 2];
        (*letter, categories.clone(), i + (i % 2) * 1000)
    };
    let signs = |writer: u8, order: Vec<usize>| -> Vec<WriteCommand> {
        order
            .into_iter()
            .map(|i| {
                let (letter, categories, n) = signer(i);
                sign(letter, &categories, n, writer)
            })
            .collect()
    };
    let confirms = |writer: u8, order: Vec<usize>| -> Vec<WriteCommand> {
        order
            .into_iter()
            .map(|i| confirm(signer(i).2, writer))
            .collect()
    };
    let forward: Vec<usize> = (0..SIGNERS).collect();
    let backward: Vec<usize> = (0..SIGNERS).rev().collect();
    let (a, b) = tokio::join!(
        tokio::spawn(write_all(first.clone(), signs(0, forward.clone()))),
        tokio::spawn(write_all(second.clone(), signs(1, backward.clone()))),
    );
    a.unwrap();
    b.unwrap();
    let (a, b) = tokio::join!(
        tokio::spawn(write_all(first.clone(), confirms(0, forward))),
        tokio::spawn(write_all(second.clone(), confirms(1, backward))),
    );
    let confirmed = a
        .unwrap()
        .into_iter()
        .chain(b.unwrap())
        .filter(|o| matches!(o, WriteOutcome::Confirm(ConfirmOutcome::Confirmed { .. })))
        .count();
    assert_eq!(confirmed, SIGNERS);

    for (letter, names) in [
        (letters[0].0, ["Organisation", "Survivor"]),
        (letters[1].0, ["Activist", "Supporter"]),
    ] {
        for store in [&first, &second] {
            let head = store.log_head(letter).await.unwrap();
            assert_eq!(head.size, (SIGNERS / 2) as u64);
            let entries = store.log_entries(letter, 0, head.size).await.unwrap();
            assert_eq!(entries.len() as u64, head.size);
            let leaves: Vec<_> = entries.iter().map(|e| leaf_hash(e)).collect();
            assert_eq!(
                root_from_leaf_hashes(&leaves),
                undersigned_tlog::Hash::from(head.root),
                "the head is the root"
            );
            let mut commitments = HashSet::new();
            for bytes in &entries {
                let LogEntry::Add(add) = LogEntry::decode(bytes).unwrap() else {
                    panic!("only add entries were written")
                };
                assert!(
                    names.contains(&add.category.as_str()),
                    "{add:?} is another letter's"
                );
                assert!(
                    commitments.insert(add.commitment),
                    "an entry was appended twice"
                );
            }
            let counts = store.counts(letter).await.unwrap();
            assert_eq!(counts.total, (SIGNERS / 2) as u64);
            assert_eq!(counts.log_size, head.size);
        }
    }
    first.close().await;
    second.close().await;
}

/// Opens the database at `url` (a SQLite path or a PostgreSQL URL) as a store.
async fn open(url: &str) -> DynStore {
    open_with_pool(url, None).await
}

/// [`open`], with a pool of `pool` connections instead of the backend's default.
async fn open_with_pool(url: &str, pool: Option<u32>) -> DynStore {
    match backend() {
        Backend::Sqlite => {
            let defaults = SqliteOptions::default();
            let options = SqliteOptions {
                max_connections: pool.unwrap_or(defaults.max_connections),
                ..defaults
            };
            std::sync::Arc::new(
                SqliteStore::open(std::path::Path::new(url), &options, keyring())
                    .await
                    .unwrap(),
            )
        }
        Backend::Postgres => {
            let defaults = PgOptions::default();
            let options = PgOptions {
                max_connections: pool.unwrap_or(defaults.max_connections),
                ..defaults
            };
            std::sync::Arc::new(PgStore::open(url, &options, keyring()).await.unwrap())
        }
    }
}

/// Runs `sql` on the database at `url`, outside any store: what migration 0002 leaves
/// behind on a database whose signatures were published before the logs.
async fn execute(url: &str, sql: &'static str) {
    match backend() {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{url}"))
                .await
                .unwrap();
            sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
        }
    }
}

/// Signatures published before the logs existed are logged when the store opens, once,
/// in the order they were published, without moving the counts; two stores opening at once
/// log them once between them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn signatures_published_before_the_logs_are_logged_once_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let url = match backend() {
        Backend::Sqlite => dir.path().join("u.db").display().to_string(),
        Backend::Postgres => fresh_postgres_database(),
    };
    let store = open(&url).await;
    let (letter, categories) = open_letter(&store).await;
    let secret = DuplicateKeySecret::from_bytes([7; 32]);
    let imports = (0..SIGNERS)
        .map(|i| {
            let email = EmailAddress::parse(&format!("early-{i}@example.org")).unwrap();
            WriteCommand::ImportPublished(Box::new(ImportCommand {
                letter,
                duplicate_key: secret.key("signature", &email),
                signature: NewSignature {
                    name: PersonName::parse(&format!("Early {i}")).unwrap(),
                    email,
                    category_id: categories[i % categories.len()],
                    display: DisplayLevel::Public,
                    details: SignerDetails::default(),
                },
                now: NOW + i as i64 * 60,
                salt: [9; 32],
                organisation: None,
            }))
        })
        .collect();
    write_all(store.clone(), imports).await;
    let logged = store.log_entries(letter, 0, SIGNERS as u64).await.unwrap();
    let logged_openings = store.log_openings(letter, 0, SIGNERS as u64).await.unwrap();
    store.close().await;
    execute(
        &url,
        "UPDATE signatures SET log_index = NULL, salt = NULL; DELETE FROM log_openings;
         DELETE FROM log_entries; DELETE FROM log_hashes; DELETE FROM log_heads;",
    )
    .await;

    let (first, second) = tokio::join!(open(&url), open(&url));
    for store in [&first, &second] {
        let head = store.log_head(letter).await.unwrap();
        assert_eq!(head.size, SIGNERS as u64, "logged once");
        let entries = store.log_entries(letter, 0, head.size).await.unwrap();
        let leaves: Vec<_> = entries.iter().map(|e| leaf_hash(e)).collect();
        assert_eq!(
            root_from_leaf_hashes(&leaves),
            undersigned_tlog::Hash::from(head.root)
        );
        // The same signatures, in the order they were published, with new salts (so new
        // commitments), each with an opening that opens it (the letter's log is format 2).
        let adds = |entries: &[Vec<u8>]| -> Vec<_> {
            entries
                .iter()
                .map(|e| match LogEntry::decode(e).unwrap() {
                    LogEntry::Add(add) => add,
                    _ => panic!("only add entries"),
                })
                .collect()
        };
        let (old, new) = (adds(&logged), adds(&entries));
        let openings = store.log_openings(letter, 0, head.size).await.unwrap();
        let shown = |adds: &[undersigned_verify::entry::AddEntry],
                     openings: &undersigned_store::OpeningsPage|
         -> BTreeSet<_> {
            assert_eq!(openings.openings.len(), adds.len());
            adds.iter()
                .zip(&openings.openings)
                .map(|(a, (_, o))| {
                    assert!(o.opens(a), "every opening opens its entry");
                    (o.shown.shown_name.clone(), a.category.clone(), a.time)
                })
                .collect()
        };
        assert_eq!(shown(&old, &logged_openings), shown(&new, &openings));
        let old_salts: BTreeSet<_> = logged_openings
            .openings
            .iter()
            .map(|(_, o)| o.salt)
            .collect();
        assert!(
            openings
                .openings
                .iter()
                .all(|(_, o)| !old_salts.contains(&o.salt))
        );
        assert!(
            new.windows(2).all(|w| w[0].time <= w[1].time),
            "in time order"
        );
        let old_commitments: BTreeSet<_> = old.iter().map(|a| a.commitment).collect();
        assert!(new.iter().all(|a| !old_commitments.contains(&a.commitment)));
        let counts = store.counts(letter).await.unwrap();
        assert_eq!(
            (counts.total, counts.log_size),
            (SIGNERS as u64, SIGNERS as u64)
        );
    }
    first.close().await;
    second.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_mail_workers_never_lease_the_same_email() {
    let (first, second, _dir) = two_stores().await;
    let (letter, categories) = open_letter(&first).await;
    sign_through_both(&first, &second, letter, &categories).await;
    let queued = first.outbox_pending().await.unwrap();
    assert!(queued >= SIGNERS as u64, "{queued} emails queued");

    /// Claims small leases until nothing is due, and marks each email sent.
    async fn drain(store: DynStore, worker: &'static str) -> Vec<i64> {
        let mut claimed = Vec::new();
        loop {
            let emails = store
                .claim_outbox(worker, NOW + 120, NOW + 420, 7)
                .await
                .unwrap();
            if emails.is_empty() {
                return claimed;
            }
            for email in emails {
                assert!(
                    store
                        .outbox_sent(&[email.id], worker, NOW + 121)
                        .await
                        .unwrap()
                        == 1,
                    "{worker} holds the lease it was given"
                );
                claimed.push(email.id);
            }
        }
    }
    let (a, b) = tokio::join!(
        tokio::spawn(drain(first.clone(), "worker-a")),
        tokio::spawn(drain(second.clone(), "worker-b")),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let all: Vec<i64> = a.iter().chain(&b).copied().collect();
    let distinct: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), distinct.len(), "an email was leased twice");
    assert_eq!(all.len() as u64, queued, "every email was sent");
    assert_eq!(second.outbox_pending().await.unwrap(), 0);
    first.close().await;
    second.close().await;
}

/// A worker that dies leaves its emails leased only until its lease runs out; one that
/// lives renews the leases of the emails it has not done yet, and keeps them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dead_workers_emails_are_free_when_its_lease_runs_out_and_a_live_one_keeps_them() {
    let (first, second, _dir) = two_stores().await;
    let (letter, categories) = open_letter(&first).await;
    sign_through_both(&first, &second, letter, &categories).await;
    let lease = 60;
    let t = NOW + 120;

    // The dead worker takes a round and is never heard of again.
    let dead = first.claim_outbox("dead", t, t + lease, 5).await.unwrap();
    assert_eq!(dead.len(), 5);
    // The live one takes a round of its own and renews it half-way.
    let live = second.claim_outbox("live", t, t + lease, 5).await.unwrap();
    let live_ids: Vec<i64> = live.iter().map(|e| e.id).collect();
    second
        .renew_outbox_leases("live", &live_ids, t + 30 + lease)
        .await
        .unwrap();
    // Renewing what it does not hold changes nothing.
    let dead_ids: Vec<i64> = dead.iter().map(|e| e.id).collect();
    second
        .renew_outbox_leases("live", &dead_ids, t + 10 * lease)
        .await
        .unwrap();

    let ids = |emails: Vec<undersigned_store::OutboxEmail>| -> BTreeSet<i64> {
        emails.into_iter().map(|e| e.id).collect()
    };
    // Before the leases run out, neither round is anybody else's.
    let early = ids(second
        .claim_outbox("restarted", t + lease - 1, t + 2 * lease, 1000)
        .await
        .unwrap());
    assert!(
        early
            .iter()
            .all(|id| !dead_ids.contains(id) && !live_ids.contains(id))
    );
    // Once the dead worker's lease ran out, its emails are taken again; the live worker's
    // renewed ones are not.
    let later = ids(first
        .claim_outbox("restarted-2", t + lease, t + 2 * lease, 1000)
        .await
        .unwrap());
    assert!(dead_ids.iter().all(|id| later.contains(id)), "{later:?}");
    assert!(live_ids.iter().all(|id| !later.contains(id)));
    // The live worker still holds what it renewed, and can mark it sent.
    for id in &live_ids {
        assert!(
            second
                .outbox_sent(&[*id], "live", t + lease + 1)
                .await
                .unwrap()
                == 1
        );
    }
    // The dead worker's lease is gone: it cannot mark an email that was taken over.
    assert_eq!(
        first
            .outbox_sent(&dead_ids, "dead", t + lease + 1)
            .await
            .unwrap(),
        0
    );
    first.close().await;
    second.close().await;
}

/// A database from before sealing (its personal fields in clear, no record of a reseal) is
/// sealed on the first `reseal_if_needed`, once, and reads back the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn personal_data_written_before_sealing_is_sealed_once_and_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let url = match backend() {
        Backend::Sqlite => dir.path().join("u.db").display().to_string(),
        Backend::Postgres => fresh_postgres_database(),
    };
    let store = open(&url).await;
    let (letter, categories) = open_letter(&store).await;
    let commands = (0..3)
        .flat_map(|i| [sign(letter, &categories, i, 0), confirm(i, 0)])
        .collect();
    write_all(store.clone(), commands).await;
    store.close().await;

    // What the columns held before sealing: text.
    let unseal = match backend() {
        Backend::Sqlite => {
            "UPDATE signatures SET email = 'legacy@example.org', name = 'Legacy Name',
                                   lang = 'es';
             DELETE FROM instance_facts WHERE name = 'sealed_under';"
        }
        Backend::Postgres => {
            "UPDATE signatures SET email = convert_to('legacy@example.org', 'UTF8'),
                                   name = convert_to('Legacy Name', 'UTF8'),
                                   lang = convert_to('es', 'UTF8');
             DELETE FROM instance_facts WHERE name = 'sealed_under';"
        }
    };
    execute(&url, unseal).await;
    let db = url.as_str();
    let raw = |column: &'static str| async move {
        let sql = format!("SELECT {column} FROM signatures");
        let sql = sqlx::AssertSqlSafe(sql);
        match backend() {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{db}"))
                    .await
                    .unwrap();
                sqlx::query_scalar::<_, Vec<u8>>(sql)
                    .fetch_all(&mut conn)
                    .await
                    .unwrap()
            }
            Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(db).await.unwrap();
                sqlx::query_scalar::<_, Vec<u8>>(sql)
                    .fetch_all(&mut conn)
                    .await
                    .unwrap()
            }
        }
    };
    assert!(
        raw("email")
            .await
            .iter()
            .all(|e| e.as_slice() == b"legacy@example.org")
    );
    assert!(raw("lang").await.iter().all(|l| l.as_slice() == b"es"));

    let store = open(&url).await;
    // Text reads as itself before the reseal…
    let before = store.organiser_signatures(letter, 0, 10).await.unwrap();
    assert_eq!(before.len(), 3);
    assert!(before.iter().all(|s| s.email == "legacy@example.org"));
    // …is sealed by it (three fields of three rows, the language included), once…
    assert_eq!(store.reseal_if_needed().await.unwrap(), 9);
    assert_eq!(store.reseal_if_needed().await.unwrap(), 0);
    let langs = raw("lang").await;
    assert_eq!(langs.len(), 3);
    for lang in langs {
        assert_ne!(lang.as_slice(), b"es", "sealed, not in clear");
        assert_eq!(lang.len(), keyring().sealed_len("es"));
        assert_eq!(keyring().open(Field::Lang, &lang).unwrap(), "es");
    }
    let emails = raw("email").await;
    assert_eq!(emails.len(), 3);
    for email in emails {
        assert!(
            !email.windows(6).any(|w| w == b"legacy"),
            "sealed, not in clear"
        );
    }
    // On SQLite the old text is gone from the files too (overwritten in the database, and
    // checkpointed out of the write-ahead log).
    if backend() == Backend::Sqlite {
        let mut files = Vec::new();
        for suffix in ["", "-wal"] {
            if let Ok(bytes) = std::fs::read(format!("{url}{suffix}")) {
                files.extend(bytes);
            }
        }
        assert!(!files.windows(18).any(|w| w == b"legacy@example.org"));
        assert!(!files.windows(11).any(|w| w == b"Legacy Name"));
    }
    // …and reads the same after it.
    let after = store.organiser_signatures(letter, 0, 10).await.unwrap();
    assert!(after.iter().all(|s| s.email == "legacy@example.org"));
    assert!(after.iter().all(|s| s.name == "Legacy Name"));
    assert_eq!(
        store
            .keys_in_use()
            .await
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        vec![keyring().current_key()]
    );
    store.close().await;
}

/// Signer `i`'s sign-up with the address `email`, through writer `writer`.
fn sign_as(
    letter: LetterId,
    categories: &[i64],
    i: usize,
    writer: u8,
    email: &str,
) -> WriteCommand {
    let mut command = sign(letter, categories, i, writer);
    if let WriteCommand::Sign(sign) = &mut command {
        let email = EmailAddress::parse(email).unwrap();
        let secret = DuplicateKeySecret::from_bytes([7; 32]);
        sign.duplicate_key = secret.key("signature", &email);
        sign.recipient_key = secret.recipient_key(&email);
        sign.domain_key = secret.domain_key(&email);
        sign.signature.email = email;
    }
    command
}

/// Each command's answer, `Err` as its message.
async fn answers(store: &DynStore, batch: Vec<WriteCommand>) -> Vec<Result<WriteOutcome, String>> {
    let results = store.commit_batch(batch).await.expect("the batch commits");
    results
        .into_iter()
        .map(|r| r.map_err(|e| e.to_string()))
        .collect()
}

/// A batch decides its sign-ups together, in a few statements; a duplicate within the batch
/// (the same address, or the same mailbox under another `+tag`) must still be answered as it
/// would be in a batch of its own, after the first. The same commands, one batch each, give
/// the same answers and leave the same rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ups_decided_together_answer_as_they_would_one_by_one() {
    use SignOutcome::*;
    let mut runs = Vec::new();
    for together in [true, false] {
        let (store, _dir) = {
            let (store, _other, dir) = two_stores().await;
            (store, dir)
        };
        let (letter, categories) = open_letter(&store).await;
        let s = |i: usize, writer: u8, email: &str| sign_as(letter, &categories, i, writer, email);
        let mut bad_category = s(3, 0, "signer-3@example.org");
        if let WriteCommand::Sign(sign) = &mut bad_category {
            sign.signature.category_id = -1;
        }
        let batches = vec![
            vec![s(9, 0, "signer-9@example.org")],
            vec![
                s(0, 0, "signer-0@example.org"),
                // The same address again, in the same batch.
                s(0, 1, "Signer-0@Example.org"),
                s(1, 0, "signer-1@example.org"),
                bad_category,
                // The same mailbox as signer 1, another address.
                s(2, 0, "signer-1+news@example.org"),
                // Signed in the batch before.
                s(9, 1, "signer-9@example.org"),
                s(4, 0, "signer-4@example.org"),
            ],
        ];
        let mut got = Vec::new();
        for batch in batches {
            if together {
                got.extend(answers(&store, batch).await);
            } else {
                for command in batch {
                    got.extend(answers(&store, vec![command]).await);
                }
            }
        }
        let signed = |o| Ok(WriteOutcome::Sign(o));
        assert_eq!(
            got,
            vec![
                signed(Created),
                signed(Created),
                signed(EmailThrottled),
                signed(Created),
                Err(undersigned_store::StoreError::NotFound.to_string()),
                signed(Created),
                signed(EmailThrottled),
                signed(Created),
            ],
            "together: {together}"
        );
        // Every sign-up queued an email or the record that one was withheld.
        let pending = store.outbox_pending().await.unwrap();
        assert_eq!(pending, 7, "together: {together}");
        runs.push((got, pending));
    }
    assert_eq!(runs[0], runs[1]);
}

/// Should deciding a batch's sign-ups together fail (here two submissions carry the same
/// link, which the database refuses twice), each is decided on its own instead: the one that
/// cannot be stored fails alone, and the others are stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_up_that_cannot_be_stored_fails_alone() {
    let (store, _other, _dir) = two_stores().await;
    let (letter, categories) = open_letter(&store).await;
    let first = sign_as(letter, &categories, 0, 0, "signer-0@example.org");
    // Signer 1's submission reuses signer 0's link.
    let mut clash = sign_as(letter, &categories, 1, 0, "signer-1@example.org");
    if let (WriteCommand::Sign(clash), WriteCommand::Sign(first)) = (&mut clash, &first) {
        clash.token_hash = first.token_hash;
    }
    let third = sign_as(letter, &categories, 2, 0, "signer-2@example.org");
    let got = answers(&store, vec![first, clash, third]).await;
    // Which of the two takes the link depends on the order the backend applies them in
    // (arrival on SQLite, lock order on PostgreSQL); exactly one does.
    let created = Ok(WriteOutcome::Sign(SignOutcome::Created));
    assert!(
        (got[0] == created) != (got[1] == created),
        "exactly one of the clashing submissions is stored: {got:?}"
    );
    assert!(got[0].is_err() || got[1].is_err(), "{got:?}");
    assert_eq!(got[2], created);
    // Two emails queued, nothing of the refused one.
    assert_eq!(store.outbox_pending().await.unwrap(), 2);
}

/// A batch decides its plain confirmation links together, in a few statements; each link
/// must still be answered as it would be in a batch of its own (the same link twice is spent
/// the second time, an unknown or expired one changes nothing), and the log must end the
/// same, entry for entry. A link whose category is not its signature's publishes the
/// signature in the link's category on both paths.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirmations_decided_together_answer_as_they_would_one_by_one() {
    let mut runs = Vec::new();
    for together in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let url = match backend() {
            Backend::Sqlite => dir.path().join("u.db").display().to_string(),
            Backend::Postgres => fresh_postgres_database(),
        };
        let store = open(&url).await;
        let (letter, categories) = open_letter(&store).await;
        let signed = answers(
            &store,
            (0..5).map(|i| sign(letter, &categories, i, 0)).collect(),
        )
        .await;
        assert!(
            signed
                .iter()
                .all(|s| s == &Ok(WriteOutcome::Sign(SignOutcome::Created)))
        );
        // Signer 4 (first category) holds a link in signer 1's category (the second).
        execute(&url, match backend() {
            Backend::Sqlite => {
                "UPDATE confirmation_tokens SET category_id = (SELECT category_id
                     FROM confirmation_tokens
                     WHERE token_hash = X'000000000000000100A500000000000000000000000000000000000000000000')
                 WHERE token_hash = X'000000000000000400A500000000000000000000000000000000000000000000'"
            }
            Backend::Postgres => {
                "UPDATE confirmation_tokens SET category_id = (SELECT category_id
                     FROM confirmation_tokens
                     WHERE token_hash = '\\x000000000000000100A500000000000000000000000000000000000000000000')
                 WHERE token_hash = '\\x000000000000000400A500000000000000000000000000000000000000000000'"
            }
        })
        .await;
        let mut late = confirm(2, 0);
        if let WriteCommand::Confirm(late) = &mut late {
            late.now = NOW + 7200;
        }
        let batch = vec![
            confirm(0, 0),
            // The same link again, in the same batch.
            confirm(0, 0),
            confirm(1, 0),
            // A link nobody was sent.
            confirm(99, 0),
            late,
            confirm(3, 0),
            confirm(4, 0),
        ];
        let mut got = Vec::new();
        if together {
            got.extend(answers(&store, batch).await);
        } else {
            for command in batch {
                got.extend(answers(&store, vec![command]).await);
            }
        }
        let kinds: Vec<String> = got
            .iter()
            .map(|answer| match answer {
                Ok(WriteOutcome::Confirm(outcome)) => match outcome {
                    ConfirmOutcome::Confirmed { .. } => "confirmed",
                    ConfirmOutcome::AlreadyUsed { .. } => "already used",
                    ConfirmOutcome::UnknownToken => "unknown",
                    ConfirmOutcome::Expired { .. } => "expired",
                    _ => "other",
                }
                .to_owned(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "confirmed",
                "already used",
                "confirmed",
                "unknown",
                "expired",
                "confirmed",
                "confirmed"
            ],
            "together: {together}"
        );
        let counts = store.counts(letter).await.unwrap();
        assert_eq!(counts.total, 4, "together: {together}");
        // Signers 0 and 4 signed in the first category, 1 and 3 in the second; signer 4's
        // link moves it to the second.
        let by_category: Vec<u64> = counts.by_category.iter().map(|(_, n)| *n).collect();
        assert_eq!(by_category, [1, 3], "together: {together}");
        let head = store.log_head(letter).await.unwrap();
        assert_eq!(head.size, 4, "together: {together}");
        // A second press of a link confirmed in the batch finds it spent.
        let again = answers(&store, vec![confirm(1, 0), confirm(3, 0)]).await;
        assert!(
            again.iter().all(|a| matches!(
                a,
                Ok(WriteOutcome::Confirm(ConfirmOutcome::AlreadyUsed { .. }))
            )),
            "{again:?}"
        );
        // Every entry but its `shown` field (a hash under a salt drawn for each entry).
        let entries: Vec<serde_json::Value> = store
            .log_entries(letter, 0, 4)
            .await
            .unwrap()
            .iter()
            .map(|entry| {
                let mut entry: serde_json::Value = serde_json::from_slice(entry).unwrap();
                entry["shown"].take();
                entry
            })
            .collect();
        runs.push((got, entries));
        store.close().await;
    }
    assert_eq!(runs[0], runs[1], "the same answers and the same log");
}
