//! Signers' personal data sealed at rest, and `undersigned keys` as an operator runs it.

use crate::DEMO_SIGNATURES;
use std::path::Path;

use undersigned_testkit::{Site, client};

use crate::process::{demo, serve, sign_demo, undersigned};

/// The bytes of the database and its WAL: what someone who copies the files reads.
fn database_bytes(data: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for file in ["undersigned.db", "undersigned.db-wal"] {
        if let Ok(more) = std::fs::read(data.join(file)) {
            bytes.extend(more);
        }
    }
    bytes
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Runs `undersigned keys <command>` on `data`; returns (success, stdout, stderr).
fn keys(data: &Path, command: &str) -> (bool, String, String) {
    let out = undersigned(data).args(["keys", command]).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn key_lines(data: &Path) -> usize {
    std::fs::read_to_string(data.join("keys/data.keys"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .count()
}

#[tokio::test]
async fn personal_data_is_sealed_and_its_key_rotates_while_the_server_runs() {
    let data = tempfile::tempdir().unwrap();
    demo(data.path());
    let server = serve(data.path()).await;
    sign_demo(
        &server,
        data.path(),
        "Perrin Quillfeather",
        "quillmarker@example.org",
        "private",
    )
    .await;
    sign_demo(
        &server,
        data.path(),
        "Odalys Brackenridge",
        "brackenmarker@example.org",
        "public",
    )
    .await;
    assert_eq!(server.total("demo").await, DEMO_SIGNATURES + 2);

    // Someone who copies the database files learns neither address nor the private name.
    let raw = database_bytes(data.path());
    for secret in ["quillmarker", "brackenmarker", "Perrin Quillfeather"] {
        assert!(!holds(&raw, secret), "{secret} is in clear in the database");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.path().join("keys/data.keys"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the keyring is the owner's alone");
    }
    assert_eq!(key_lines(data.path()), 1);

    // A new key while the server runs and people sign: everything is resealed under it.
    let folder = data.path().to_owned();
    let rotation = tokio::task::spawn_blocking(move || keys(&folder, "rotate"));
    let page = server.get_with(&client(), "/l/demo").await.body;
    let first = undersigned_testkit::html::radio_values(&page, "category").remove(0);
    let mut during = 0;
    // Spread over the rotation (within the default allowance of 60 signatures a client
    // address may make in 10 minutes).
    while !rotation.is_finished() && during < 40 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let email = format!("during-{during}@example.org");
        let signed = server
            .post_with(
                &client(),
                "/l/demo/sign",
                &[
                    ("name", "Rotor Signer"),
                    ("email", &email),
                    ("category", &first),
                    ("display", "private"),
                ],
            )
            .await;
        assert_eq!(signed.status, 303, "signing goes on during the rotation");
        during += 1;
    }
    let (ok, out, err) = rotation.await.unwrap();
    assert!(ok, "{out}{err}");
    assert!(during > 0);
    // Every signature made during the rotation opens: its link confirms it.
    let sent_during = || {
        undersigned_testkit::mail::written(data.path())
            .into_iter()
            .filter(|m| m.to.iter().any(|to| to.starts_with("during-")))
            .collect::<Vec<_>>()
    };
    let emails = undersigned_testkit::eventually(
        std::time::Duration::from_secs(20),
        "the emails of the signatures made during the rotation",
        || async { (sent_during().len() == during).then(sent_during) },
    )
    .await;
    let mut confirmed = 0;
    for email in emails {
        {
            let path = email.confirm_path().expect("a confirmation link");
            let page = server.post_with(&client(), &path, &[]).await;
            assert_eq!(page.status, 200, "{}", page.body);
            confirmed += 1;
        }
    }
    assert_eq!(
        confirmed, during,
        "every email was sent and every link works"
    );
    assert!(out.contains("New data key"), "{out}");
    let resealed = out
        .lines()
        .find_map(|l| l.strip_prefix("Resealed "))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("how many were resealed: {out}"));
    assert!(resealed >= 2, "{out}");
    assert_eq!(key_lines(data.path()), 2, "the old key stays until prune");

    // The running server goes on: it still recognises a signer, and sends to a new one.
    let page = server.get_with(&client(), "/l/demo").await.body;
    let category = undersigned_testkit::html::radio_values(&page, "category").remove(0);
    let again = server
        .post_with(
            &client(),
            "/l/demo/sign",
            &[
                ("name", "Perrin Quillfeather"),
                ("email", "QUILLMARKER@example.org"),
                ("category", &category),
                ("display", "private"),
            ],
        )
        .await;
    assert_eq!(again.status, 303, "{}", again.body);
    sign_demo(
        &server,
        data.path(),
        "Linnea Stavros",
        "stavrosmarker@example.org",
        "public",
    )
    .await;
    assert_eq!(
        server.total("demo").await,
        DEMO_SIGNATURES + 3 + during as u64,
        "the repeat is not counted"
    );

    // Nothing is left under the old key, so prune removes it.
    let (ok, out, err) = keys(data.path(), "reseal");
    assert!(ok, "{out}{err}");
    let (ok, out, err) = keys(data.path(), "prune");
    assert!(ok, "{out}{err}");
    assert!(out.contains("Removed data keys no value uses"), "{out}");
    assert_eq!(key_lines(data.path()), 1);
    let (ok, out, _) = keys(data.path(), "prune");
    assert!(ok);
    assert!(out.contains("No key to remove."), "{out}");

    // After a restart everything still opens with the one key left.
    server.kill_hard();
    let server = serve(data.path()).await;
    assert_eq!(
        server.total("demo").await,
        DEMO_SIGNATURES + 3 + during as u64
    );
    let page = server.get_with(&client(), "/l/demo").await.body;
    assert!(page.contains("Odalys Brackenridge"), "{page}");
    assert!(page.contains("Linnea Stavros"), "{page}");
    assert!(!page.contains("Perrin Quillfeather"));
    server.kill_hard();
    let raw = database_bytes(data.path());
    assert!(!holds(&raw, "stavrosmarker"));
}

#[tokio::test]
async fn without_its_keyring_the_data_does_not_open_and_the_operator_is_told() {
    // No keyring yet: the commands say where it would be.
    let empty = tempfile::tempdir().unwrap();
    for command in ["rotate", "reseal", "prune"] {
        let (ok, out, err) = keys(empty.path(), command);
        assert!(!ok, "{command}: {out}");
        assert!(err.contains("there is no keyring at"), "{command}: {err}");
    }

    let data = tempfile::tempdir().unwrap();
    demo(data.path());
    let server = serve(data.path()).await;
    sign_demo(
        &server,
        data.path(),
        "Perrin Quillfeather",
        "quillmarker@example.org",
        "private",
    )
    .await;
    server.kill_hard();
    let keyring = data.path().join("keys/data.keys");
    let saved = std::fs::read(&keyring).unwrap();

    // A damaged keyring file: refused, naming the file.
    std::fs::write(&keyring, "not a key\n").unwrap();
    let (ok, _, err) = keys(data.path(), "reseal");
    assert!(!ok);
    assert!(err.contains("data.keys"), "{err}");
    let refused =
        undersigned_testkit::ServerProcess::start_refused("serve", undersigned(data.path())).await;
    assert!(refused.contains("data.keys"), "{refused}");

    // The database moved without its keyring: the server refuses to start, and says which key
    // it needs, rather than serve data it cannot read.
    std::fs::remove_file(&keyring).unwrap();
    let refused =
        undersigned_testkit::ServerProcess::start_refused("serve", undersigned(data.path())).await;
    assert!(refused.contains("not in the keyring"), "{refused}");

    // With the keyring back, all is well.
    std::fs::write(&keyring, saved).unwrap();
    let server = serve(data.path()).await;
    assert_eq!(server.total("demo").await, DEMO_SIGNATURES + 1);
    server.kill_hard();
}
