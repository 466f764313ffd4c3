//! The public log from the outside: `undersigned audit` against a running server, tampering
//! with its SQLite database the way an insider could, and signers' receipts checked with
//! `undersigned receipt verify`.

use std::{path::Path, process::Output, str::FromStr, time::Duration};

use sqlx::{
    Connection, Row,
    sqlite::{SqliteConnectOptions, SqliteConnection},
};
use undersigned_testkit::{Page, Site, client, html::value_after};
use undersigned_tlog::{leaf_hash, root_from_leaf_hashes};

use crate::process::{self, restart, serve, sign_demo as sign, undersigned};

fn run(data: &Path, args: &[&str]) -> Output {
    undersigned(data).args(args).output().unwrap()
}

/// Runs `undersigned demo`; returns the organiser's password it prints.
fn demo(data: &Path) -> String {
    value_after(&process::demo(data), "password: ")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

struct Audit {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn audit(data: &Path, url: &str, state: &Path) -> Audit {
    let out = run(
        data,
        &[
            "audit",
            &format!("{url}/l/demo"),
            "--state",
            state.to_str().unwrap(),
        ],
    );
    Audit {
        ok: out.status.success(),
        stdout: text(&out.stdout),
        stderr: text(&out.stderr),
    }
}

#[track_caller]
fn passes(a: &Audit) {
    assert!(a.ok, "the audit failed:\n{}\n{}", a.stdout, a.stderr);
    assert!(a.stdout.contains("Everything matches"), "{}", a.stdout);
}

#[track_caller]
fn fails_with(a: &Audit, message: &str) {
    assert!(!a.ok, "the audit passed:\n{}", a.stdout);
    assert!(
        a.stderr.contains(message),
        "{message:?} is not in:\n{}",
        a.stderr
    );
}

/// The demo data folder's database, with foreign keys off: an insider editing rows.
async fn database(data: &Path) -> SqliteConnection {
    let options = SqliteConnectOptions::from_str(&format!(
        "sqlite://{}",
        data.join("undersigned.db").display()
    ))
    .unwrap()
    .foreign_keys(false)
    .busy_timeout(Duration::from_secs(10));
    SqliteConnection::connect_with(&options).await.unwrap()
}

/// Empties every log, as a database from before the logs (migration 0002) had them: the
/// server logs the published signatures again when it starts.
async fn forget_logs(db: &mut SqliteConnection) {
    for statement in [
        "UPDATE signatures SET log_index = NULL, salt = NULL",
        "DELETE FROM log_openings",
        "DELETE FROM log_entries",
        "DELETE FROM log_hashes",
        "DELETE FROM log_heads",
    ] {
        sqlx::query(statement).execute(&mut *db).await.unwrap();
    }
}

async fn demo_letter(db: &mut SqliteConnection) -> i64 {
    sqlx::query("SELECT id FROM letters WHERE slug = 'demo'")
        .fetch_one(&mut *db)
        .await
        .unwrap()
        .get(0)
}

async fn get_json(server: &impl Site, path: &str) -> serde_json::Value {
    let page = server.get_with(&client(), path).await;
    assert_eq!(page.status, 200, "{path}: {}", page.body);
    serde_json::from_str(&page.body).unwrap()
}

#[tokio::test]
async fn the_demo_letter_audits_clean_and_grows_consistently() {
    let data = tempfile::tempdir().unwrap();
    let state = data.path().join("state/audit.json");
    demo(data.path());
    let server = serve(data.path()).await;

    let first = audit(data.path(), server.base_url(), &state);
    passes(&first);
    assert!(
        first.stdout.contains("first audit of this letter"),
        "{}",
        first.stdout
    );
    // The demo letter is new, so its log is format 2: every shown signer's opening was
    // fetched and opened its entry.
    let opened = value_after(&first.stdout, "format 2: ");
    assert!(
        opened.starts_with(|c: char| c.is_ascii_digit() && c != '0'),
        "{}",
        first.stdout
    );
    assert!(first.stdout.contains("first seen now"), "{}", first.stdout);
    let size: u64 = server.counts("demo").await["log_size"].as_u64().unwrap();

    sign(
        &server,
        data.path(),
        "Tamsin Orrery",
        "tamsin@example.org",
        "public",
    )
    .await;
    sign(
        &server,
        data.path(),
        "Ivo Quarrie",
        "ivo@example.org",
        "initials",
    )
    .await;
    sign(
        &server,
        data.path(),
        "Pia Lunt",
        "pia@example.org",
        "private",
    )
    .await;
    let second = audit(data.path(), server.base_url(), &state);
    passes(&second);
    assert!(
        second
            .stdout
            .contains(&format!("consistent with the {size} entries seen on")),
        "{}",
        second.stdout
    );
    assert!(
        second.stdout.contains("(as first seen)"),
        "{}",
        second.stdout
    );

    // A restart continues the same log, under the same key.
    let server = restart(server, data.path()).await;
    passes(&audit(data.path(), server.base_url(), &state));
}

/// A database from before the logs (migration 0002 adds empty ones): its published
/// signatures are logged when the server starts, and the counts do not move.
#[tokio::test]
async fn signatures_published_before_the_logs_are_logged_on_start() {
    let data = tempfile::tempdir().unwrap();
    let state = data.path().join("audit.json");
    demo(data.path());
    let mut db = database(data.path()).await;
    forget_logs(&mut db).await;
    let published: i64 = sqlx::query("SELECT COUNT(*) FROM signatures WHERE state = 'published'")
        .fetch_one(&mut db)
        .await
        .unwrap()
        .get(0);
    assert!(published > 10);
    db.close().await.unwrap();

    let server = serve(data.path()).await;
    let counts = server.counts("demo").await;
    assert_eq!(counts["total"].as_i64(), Some(published));
    assert_eq!(counts["log_size"].as_i64(), Some(published));
    passes(&audit(data.path(), server.base_url(), &state));

    // Once: a second start appends nothing.
    let server = restart(server, data.path()).await;
    let counts = server.counts("demo").await;
    assert_eq!(counts["log_size"].as_i64(), Some(published));
    passes(&audit(data.path(), server.base_url(), &state));
}

#[tokio::test]
async fn a_deleted_signature_row_is_named() {
    let data = tempfile::tempdir().unwrap();
    let state = data.path().join("audit.json");
    demo(data.path());
    let server = serve(data.path()).await;
    passes(&audit(data.path(), server.base_url(), &state));

    let listed = get_json(&server, "/l/demo/signatories.json").await;
    let victim = &listed["signatories"][3];
    let (index, name) = (
        victim["index"].as_u64().unwrap(),
        victim["name"].as_str().unwrap(),
    );
    let mut db = database(data.path()).await;
    let letter = demo_letter(&mut db).await;
    let deleted = sqlx::query("DELETE FROM signatures WHERE letter_id = ? AND log_index = ?")
        .bind(letter)
        .bind(index as i64)
        .execute(&mut db)
        .await
        .unwrap();
    assert_eq!(deleted.rows_affected(), 1);
    db.close().await.unwrap();

    let server = restart(server, data.path()).await;
    let after = audit(data.path(), server.base_url(), &state);
    fails_with(&after, &format!("entry {index} ({name}"));
    fails_with(
        &after,
        "is a public signature in the log, but signatories.json does not list it",
    );
}

#[tokio::test]
async fn an_edited_entry_does_not_hash_to_the_root() {
    let data = tempfile::tempdir().unwrap();
    let state = data.path().join("audit.json");
    demo(data.path());
    let server = serve(data.path()).await;
    passes(&audit(data.path(), server.base_url(), &state));

    // Entry 5 keeps its canonical form, with another commitment.
    let mut db = database(data.path()).await;
    let letter = demo_letter(&mut db).await;
    let entry: Vec<u8> =
        sqlx::query("SELECT data FROM log_entries WHERE letter_id = ? AND idx = 5")
            .bind(letter)
            .fetch_one(&mut db)
            .await
            .unwrap()
            .get(0);
    let mut entry = String::from_utf8(entry).unwrap();
    let at = entry.find("\"commitment\":\"").unwrap() + "\"commitment\":\"".len();
    let swapped = if entry[at..].starts_with('A') {
        "B"
    } else {
        "A"
    };
    entry.replace_range(at..at + 1, swapped);
    sqlx::query("UPDATE log_entries SET data = ? WHERE letter_id = ? AND idx = 5")
        .bind(entry.into_bytes())
        .bind(letter)
        .execute(&mut db)
        .await
        .unwrap();
    db.close().await.unwrap();

    // Restarted, in case the server keeps tiles in memory.
    let server = restart(server, data.path()).await;
    let after = audit(data.path(), server.base_url(), &state);
    fails_with(&after, "the entries do not hash to the checkpoint's root");
    fails_with(&after, "tile/0/000.p/");
    fails_with(&after, "hash 5 is not the leaf hash of entry 5");
    drop(server);
}

#[tokio::test]
async fn a_dropped_tail_is_a_log_that_shrank() {
    let data = tempfile::tempdir().unwrap();
    let state = data.path().join("audit.json");
    demo(data.path());
    let server = serve(data.path()).await;
    sign(
        &server,
        data.path(),
        "Tamsin Orrery",
        "tamsin@example.org",
        "public",
    )
    .await;
    passes(&audit(data.path(), server.base_url(), &state));

    // The last three entries go, and the head is set back to a consistent smaller tree.
    let mut db = database(data.path()).await;
    let letter = demo_letter(&mut db).await;
    let size: i64 = sqlx::query("SELECT size FROM log_heads WHERE letter_id = ?")
        .bind(letter)
        .fetch_one(&mut db)
        .await
        .unwrap()
        .get(0);
    let kept = size - 3;
    sqlx::query("DELETE FROM log_entries WHERE letter_id = ? AND idx >= ?")
        .bind(letter)
        .bind(kept)
        .execute(&mut db)
        .await
        .unwrap();
    let leaves: Vec<_> =
        sqlx::query("SELECT data FROM log_entries WHERE letter_id = ? ORDER BY idx")
            .bind(letter)
            .fetch_all(&mut db)
            .await
            .unwrap()
            .iter()
            .map(|row| leaf_hash(&row.get::<Vec<u8>, _>(0)))
            .collect();
    assert_eq!(leaves.len() as i64, kept);
    sqlx::query("UPDATE log_heads SET size = ?, root = ? WHERE letter_id = ?")
        .bind(kept)
        .bind(root_from_leaf_hashes(&leaves).0.to_vec())
        .bind(letter)
        .execute(&mut db)
        .await
        .unwrap();
    db.close().await.unwrap();

    let server = restart(server, data.path()).await;
    let after = audit(data.path(), server.base_url(), &state);
    fails_with(
        &after,
        &format!("the log shrank from {size} to {kept} entries"),
    );
    drop(server);
}

#[tokio::test]
async fn edited_counts_name_the_category() {
    let data = tempfile::tempdir().unwrap();
    let state = data.path().join("audit.json");
    demo(data.path());
    let server = serve(data.path()).await;
    passes(&audit(data.path(), server.base_url(), &state));
    let counts = server.counts("demo").await;

    let mut db = database(data.path()).await;
    let letter = demo_letter(&mut db).await;
    let row = sqlx::query(
        "SELECT c.id, c.name FROM letter_categories c WHERE c.letter_id = ? ORDER BY c.position LIMIT 1",
    )
    .bind(letter)
    .fetch_one(&mut db)
    .await
    .unwrap();
    let (category, name): (i64, String) = (row.get(0), row.get(1));
    sqlx::query(
        "UPDATE letter_counts SET count = count + 5 WHERE letter_id = ? AND category_id = ?",
    )
    .bind(letter)
    .bind(category)
    .execute(&mut db)
    .await
    .unwrap();
    db.close().await.unwrap();
    let was = counts["by_category"][&name].as_u64().unwrap();

    let server = restart(server, data.path()).await;
    let after = audit(data.path(), server.base_url(), &state);
    fails_with(
        &after,
        &format!("counts.json says {name} {}, the log says {was}", was + 5),
    );
    drop(server);
}

#[tokio::test]
async fn a_receipt_verifies_offline_and_online_and_not_when_changed() {
    let data = tempfile::tempdir().unwrap();
    let password = demo(data.path());
    let server = serve(data.path()).await;
    let link = sign(
        &server,
        data.path(),
        "Tamsin Orrery",
        "Tamsin@Example.org",
        "initials",
    )
    .await;
    let receipt = Page::send(client().get(format!("{link}/receipt"))).await;
    assert_eq!(receipt.status, 200);
    let receipt = receipt.body;
    let file = data.path().join("demo.tlog-proof");
    std::fs::write(&file, &receipt).unwrap();
    let file = file.to_str().unwrap();

    let offline = run(
        data.path(),
        &["receipt", "verify", file, "--email", "tamsin@example.org"],
    );
    assert!(offline.status.success(), "{}", text(&offline.stderr));
    let out = text(&offline.stdout);
    assert!(
        out.contains(&format!("Receipt for {}/l/demo", server.base_url())),
        "{out}"
    );
    assert!(out.contains("shown by initials as \"T. O.\""), "{out}");
    assert!(
        out.contains("the entry's commitment is to tamsin@example.org"),
        "{out}"
    );

    // Someone else's address.
    let other = run(
        data.path(),
        &["receipt", "verify", file, "--email", "someone@example.org"],
    );
    assert!(!other.status.success());
    assert!(
        text(&other.stderr).contains("not to someone@example.org"),
        "{}",
        text(&other.stderr)
    );

    // Online, after the log has grown.
    sign(
        &server,
        data.path(),
        "Ivo Quarrie",
        "ivo@example.org",
        "public",
    )
    .await;
    let online = run(data.path(), &["receipt", "verify", file, "--online"]);
    assert!(online.status.success(), "{}", text(&online.stderr));
    assert!(
        text(&online.stdout).contains("still holds your signature and has not removed it"),
        "{}",
        text(&online.stdout)
    );

    // A moderator hides the signature: online, the receipt reports it; the log stays valid.
    let mut db = database(data.path()).await;
    let letter = demo_letter(&mut db).await;
    let index = value_after(&receipt, "\nindex ");
    let signature: i64 =
        sqlx::query("SELECT id FROM signatures WHERE letter_id = ? AND log_index = ?")
            .bind(letter)
            .bind(index.parse::<i64>().unwrap())
            .fetch_one(&mut db)
            .await
            .unwrap()
            .get(0);
    db.close().await.unwrap();
    let organiser = client();
    let logged_in = server
        .log_in(&organiser, "organiser@example.org", &password)
        .await;
    assert_eq!(logged_in.status, 303);
    let signatures = format!("/admin/letters/{letter}/signatures");
    let page = server.get_with(&organiser, &signatures).await;
    let hidden = server
        .post_with(
            &organiser,
            &format!("{signatures}/{signature}/hide"),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(hidden.status, 303, "{}", hidden.body);
    let removed = run(data.path(), &["receipt", "verify", file, "--online"]);
    assert!(!removed.status.success(), "{}", text(&removed.stdout));
    let err = text(&removed.stderr);
    assert!(err.contains("your signature was removed on "), "{err}");
    assert!(err.contains("(hidden by a moderator)"), "{err}");
    // Offline, it still proves the signature was in the log.
    assert!(
        run(data.path(), &["receipt", "verify", file])
            .status
            .success()
    );
    passes(&audit(
        data.path(),
        server.base_url(),
        &data.path().join("audit.json"),
    ));

    // A changed proof hash, or checkpoint root, fails it.
    let lines: Vec<&str> = receipt.split('\n').collect();
    // ["c2sp.org/tlog-proof@v1", "extra …", "index …", proof…, "", origin, size, root, "", "— …", ""]
    for (line, what) in [(3, "inclusion proof"), (lines.len() - 4, "checkpoint root")] {
        let mut changed: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        let c = if changed[line].starts_with('A') {
            "B"
        } else {
            "A"
        };
        changed[line].replace_range(0..1, c);
        let path = data.path().join("changed.tlog-proof");
        std::fs::write(&path, changed.join("\n")).unwrap();
        let out = run(data.path(), &["receipt", "verify", path.to_str().unwrap()]);
        assert!(!out.status.success(), "a changed {what} verified");
        assert!(
            text(&out.stderr).contains("does not verify"),
            "{}",
            text(&out.stderr)
        );
    }
    drop(server);
}

/// The text of a format 2 log lives beside it, in `log_openings`: an insider who deletes an
/// opening, changes one, or puts back the text of a removed signature is named by the audit,
/// with the entry's index.
#[tokio::test]
async fn openings_deleted_changed_or_restored_are_named() {
    let data = tempfile::tempdir().unwrap();
    let state = data.path().join("audit.json");
    let password = demo(data.path());
    let server = serve(data.path()).await;
    passes(&audit(data.path(), server.base_url(), &state));

    let listed = get_json(&server, "/l/demo/signatories.json").await;
    let victim = &listed["signatories"][2];
    let index = victim["index"].as_i64().unwrap();
    assert!(victim["salt"].is_string(), "{victim}");
    let mut db = database(data.path()).await;
    let letter = demo_letter(&mut db).await;
    let row = sqlx::query(
        "SELECT salt, name, details, comment FROM log_openings WHERE letter_id = ? AND idx = ?",
    )
    .bind(letter)
    .bind(index)
    .fetch_one(&mut db)
    .await
    .unwrap();
    let (salt, name, details, comment): (Vec<u8>, String, Option<String>, Option<String>) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    assert_eq!(victim["name"].as_str(), Some(name.as_str()));
    let folder = data.path().to_owned();
    let put_back = |name: String| {
        let (salt, details, comment) = (salt.clone(), details.clone(), comment.clone());
        let folder = folder.clone();
        async move {
            let mut db = database(&folder).await;
            sqlx::query(
                "INSERT INTO log_openings (letter_id, idx, salt, name, details, comment)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(letter)
            .bind(index)
            .bind(salt)
            .bind(name)
            .bind(details)
            .bind(comment)
            .execute(&mut db)
            .await
            .unwrap();
            db.close().await.unwrap();
        }
    };
    let delete = || async {
        let mut db = database(&folder).await;
        sqlx::query("DELETE FROM log_openings WHERE letter_id = ? AND idx = ?")
            .bind(letter)
            .bind(index)
            .execute(&mut db)
            .await
            .unwrap();
        db.close().await.unwrap();
    };

    // Deleted: the entry is public, and nothing opens it (nor can the list be checked).
    sqlx::query("DELETE FROM log_openings WHERE letter_id = ? AND idx = ?")
        .bind(letter)
        .bind(index)
        .execute(&mut db)
        .await
        .unwrap();
    db.close().await.unwrap();
    let server = restart(server, data.path()).await;
    let after = audit(data.path(), server.base_url(), &state);
    fails_with(&after, &format!("entry {index} ("));
    fails_with(&after, "but openings/0 serves no opening for it");

    // Changed: the site now shows another name than the log committed to.
    put_back(format!("{name} Changed")).await;
    let server = restart(server, data.path()).await;
    let after = audit(data.path(), server.base_url(), &state);
    fails_with(
        &after,
        &format!("for entry {index} that does not open the entry's commitment"),
    );
    fails_with(
        &after,
        &format!(
            "signatories.json lists \"{name} Changed\" as entry {index}, but its name, details, \
             comment and salt do not open the entry's commitment"
        ),
    );

    // Put back as it was: clean again.
    delete().await;
    put_back(name.clone()).await;
    let server = restart(server, data.path()).await;
    passes(&audit(data.path(), server.base_url(), &state));

    // A moderator hides the signature: its opening is deleted and the audit passes. An
    // insider who restores the text of the removed signature is named.
    let organiser = client();
    let logged_in = server
        .log_in(&organiser, "organiser@example.org", &password)
        .await;
    assert_eq!(logged_in.status, 303);
    let mut db = database(data.path()).await;
    let signature: i64 =
        sqlx::query("SELECT id FROM signatures WHERE letter_id = ? AND log_index = ?")
            .bind(letter)
            .bind(index)
            .fetch_one(&mut db)
            .await
            .unwrap()
            .get(0);
    db.close().await.unwrap();
    let signatures = format!("/admin/letters/{letter}/signatures");
    let page = server.get_with(&organiser, &signatures).await;
    let hidden = server
        .post_with(
            &organiser,
            &format!("{signatures}/{signature}/hide"),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(hidden.status, 303, "{}", hidden.body);
    passes(&audit(data.path(), server.base_url(), &state));
    let mut db = database(data.path()).await;
    let left: i64 =
        sqlx::query("SELECT COUNT(*) FROM log_openings WHERE letter_id = ? AND idx = ?")
            .bind(letter)
            .bind(index)
            .fetch_one(&mut db)
            .await
            .unwrap()
            .get(0);
    assert_eq!(left, 0, "hiding deleted the opening");
    db.close().await.unwrap();
    put_back(name.clone()).await;
    let server = restart(server, data.path()).await;
    let after = audit(data.path(), server.base_url(), &state);
    fails_with(
        &after,
        &format!("serves an opening ({name:?}) for entry {index}, which entry "),
    );
    fails_with(
        &after,
        "removed: a removed signature's text must be deleted",
    );
    drop(server);
}

/// A letter whose log started before format 2 (its entries written as format 1, the way
/// the code before it wrote them) keeps format 1 and audits clean, before and after it
/// grows.
#[tokio::test]
async fn a_format_1_letter_still_audits_clean() {
    let data = tempfile::tempdir().unwrap();
    let state = data.path().join("audit.json");
    demo(data.path());
    // The demo letter's log is rewritten in format 1: as migration 0005 leaves a letter
    // whose log had entries, logged by the backfill on start.
    let mut db = database(data.path()).await;
    sqlx::query("UPDATE letters SET log_version = 1 WHERE slug = 'demo'")
        .execute(&mut db)
        .await
        .unwrap();
    forget_logs(&mut db).await;
    db.close().await.unwrap();
    let server = serve(data.path()).await;
    let first = audit(data.path(), server.base_url(), &state);
    passes(&first);
    assert!(
        first.stdout.contains("format 1: in the entries, in clear"),
        "{}",
        first.stdout
    );
    let listed = get_json(&server, "/l/demo/signatories.json").await;
    assert!(listed["signatories"][0].get("salt").is_none(), "{listed}");
    let openings = server.get_with(&client(), "/l/demo/log/openings/0").await;
    assert_eq!(openings.status, 404);

    sign(
        &server,
        data.path(),
        "Tamsin Orrery",
        "tamsin@example.org",
        "initials",
    )
    .await;
    passes(&audit(data.path(), server.base_url(), &state));
    let bundle = server
        .get_with(&client(), "/l/demo/log/tile/entries/000.p/1")
        .await;
    assert!(bundle.body.contains("\"v\":1"), "{}", bundle.body);
}

/// `bench-seed` (hidden, for bench/run) imports published signatures through the store: they
/// are counted, logged and audit clean, and seeding again adds nothing.
#[tokio::test]
async fn bench_seed_imports_signatures_that_audit_clean() {
    let data = tempfile::tempdir().unwrap();
    let state = data.path().join("audit.json");
    demo(data.path());
    let seed = |count: &str| {
        let out = run(
            data.path(),
            &[
                "bench-seed",
                "--letter",
                "demo",
                "--count",
                count,
                "--batch",
                "16",
            ],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let first = seed("50");
    assert!(
        first.contains("50 new signatures (0 already there)"),
        "{first}"
    );
    let again = seed("50");
    assert!(
        again.contains("0 new signatures (50 already there)"),
        "{again}"
    );

    let server = serve(data.path()).await;
    let counts = get_json(&server, "/l/demo/counts.json").await;
    assert_eq!(counts["total"], crate::DEMO_SIGNATURES + 50, "{counts}");
    assert_eq!(counts["log_size"], counts["total"], "{counts}");
    passes(&audit(data.path(), server.base_url(), &state));
}
