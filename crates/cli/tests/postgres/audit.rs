//! `undersigned audit` of a format 2 letter served from PostgreSQL, end to end: the demo
//! letter's openings open their entries, a hidden signer's opening is deleted from the
//! database, and an insider who puts it back is named by the audit.

use std::path::Path;

use sqlx::Row;
use undersigned_testkit::{fresh_postgres_database, html::value_after};

use crate::support::*;

/// `undersigned` on `database`, in the data folder `data`.
fn on(data: &Path, database: &str) -> std::process::Command {
    let mut command = undersigned(BIN, data);
    command.env("UNDERSIGNED_DATABASE_URL", database);
    command
}

/// `undersigned audit` of the demo letter at `url`, with its state in `state`: whether it
/// passed, and what it printed on stdout and stderr.
fn audit(data: &Path, url: &str, state: &Path) -> (bool, String, String) {
    let out = undersigned(BIN, data)
        .args(["audit", &format!("{url}/l/demo"), "--state"])
        .arg(state)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_format_2_letter_on_postgres_audits_clean_and_names_a_restored_opening() {
    let database = fresh_postgres_database();
    let data = tempfile::tempdir().unwrap();
    let state = data.path().join("audit.json");
    let demo = on(data.path(), &database).arg("demo").output().unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let password = value_after(&String::from_utf8_lossy(&demo.stdout), "password: ");
    let server = ServerProcess::start("serve", on(data.path(), &database)).await;

    // A new letter's log is format 2: the audit fetched every shown signer's opening.
    let (ok, stdout, stderr) = audit(data.path(), server.base_url(), &state);
    assert!(ok, "{stdout}\n{stderr}");
    let opened = value_after(&stdout, "format 2: ");
    assert!(
        opened.parse::<u64>().is_ok_and(|n| n > 0),
        "openings were checked: {stdout}"
    );

    // The list's third signer, and the opening the database keeps for it.
    let listed = server.get_with(&client(), "/l/demo/signatories.json").await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let listed: serde_json::Value = serde_json::from_str(&listed.body).unwrap();
    let victim = &listed["signatories"][2];
    let index = victim["index"].as_i64().unwrap();
    let name = victim["name"].as_str().unwrap().to_owned();
    let db = db(&database).await;
    let letter: i64 = sqlx::query("SELECT id FROM letters WHERE slug = 'demo'")
        .fetch_one(&db)
        .await
        .unwrap()
        .get(0);
    let row = sqlx::query(
        "SELECT salt, name, details, comment FROM log_openings WHERE letter_id = $1 AND idx = $2",
    )
    .bind(letter)
    .bind(index)
    .fetch_one(&db)
    .await
    .unwrap();
    let (salt, stored, details, comment): (Vec<u8>, String, Option<String>, Option<String>) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    assert_eq!(stored, name);
    let signature: i64 =
        sqlx::query("SELECT id FROM signatures WHERE letter_id = $1 AND log_index = $2")
            .bind(letter)
            .bind(index)
            .fetch_one(&db)
            .await
            .unwrap()
            .get(0);

    // A moderator hides the signature: its opening leaves the database at once, and the
    // audit still passes.
    let organiser = client();
    let logged_in = server
        .log_in(&organiser, "organiser@example.org", &password)
        .await;
    assert_eq!(logged_in.status, 303, "{}", logged_in.body);
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
    let left: i64 =
        sqlx::query("SELECT COUNT(*) FROM log_openings WHERE letter_id = $1 AND idx = $2")
            .bind(letter)
            .bind(index)
            .fetch_one(&db)
            .await
            .unwrap()
            .get(0);
    assert_eq!(left, 0, "hiding deleted the opening");
    // A hide can be undone for a while (`hide_undo_days`): the name stays on the row, sealed
    // (never in clear), until the hourly job erases it at the window's end.
    let kept: Vec<u8> = sqlx::query("SELECT name FROM signatures WHERE id = $1")
        .bind(signature)
        .fetch_one(&db)
        .await
        .unwrap()
        .get(0);
    assert!(
        !kept.is_empty(),
        "the hidden name is kept, sealed, for the undo"
    );
    assert!(
        !kept.windows(name.len()).any(|w| w == name.as_bytes()),
        "the kept name is sealed, not in clear"
    );
    let (ok, stdout, stderr) = audit(data.path(), server.base_url(), &state);
    assert!(ok, "{stdout}\n{stderr}");

    // An insider puts the removed signer's text back: the audit names the entry.
    sqlx::query(
        "INSERT INTO log_openings (letter_id, idx, salt, name, details, comment)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(letter)
    .bind(index)
    .bind(salt)
    .bind(&name)
    .bind(details)
    .bind(comment)
    .execute(&db)
    .await
    .unwrap();
    db.close().await;
    let (ok, stdout, stderr) = audit(data.path(), server.base_url(), &state);
    assert!(!ok, "the audit passed:\n{stdout}");
    for message in [
        format!("serves an opening ({name:?}) for entry {index}, which entry "),
        "removed: a removed signature's text must be deleted".to_owned(),
    ] {
        assert!(
            stderr.contains(&message),
            "{message:?} is not in:\n{stderr}"
        );
    }
    drop(server);
}
