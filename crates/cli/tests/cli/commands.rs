//! The commands a newcomer and an operator run.

use std::{io::Write, process::Stdio, time::Duration};

use crate::process::{Server, client, get, undersigned};

async fn total(url: &str) -> u64 {
    let counts: serde_json::Value = get(format!("{url}/l/demo/counts.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    counts["total"].as_u64().unwrap()
}

fn value_after<'a>(text: &'a str, marker: &str) -> &'a str {
    let start = text
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} in {text}"))
        + marker.len();
    let rest = &text[start..];
    rest[..rest.find(['"', '\n', ' ']).unwrap_or(rest.len())].trim()
}

fn run_demo(data: &std::path::Path) -> String {
    let out = undersigned(data).arg("demo").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Reads the confirmation link out of the newest `.eml` file in DATA/mail.
async fn emailed_link(data: &std::path::Path, already: usize) -> String {
    for _ in 0..200 {
        let mut files: Vec<_> = std::fs::read_dir(data.join("mail"))
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "eml"));
        files.sort();
        if files.len() > already {
            let raw = std::fs::read(files.last().unwrap()).unwrap();
            let mail = mailparse::parse_mail(&raw).unwrap();
            let text = mail.subparts[0].get_body().unwrap();
            return text
                .split_whitespace()
                .find(|w| w.contains("/confirm/"))
                .unwrap()
                .to_owned();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no email was written");
}

async fn sign_and_confirm(server: &Server, data: &std::path::Path, email: &str, already: usize) {
    let page = get(format!("{}/l/demo", server.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let category = value_after(&page, "name=\"category\" value=\"").to_owned();
    let signed = client()
        .post(format!("{}/l/demo/sign", server.url))
        .form(&[
            ("name", "Tamsin Orrery"),
            ("email", email),
            ("category", &category),
            ("display", "public"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);
    let link = emailed_link(data, already).await;
    let confirmed = client().post(&link).send().await.unwrap();
    assert_eq!(confirmed.status(), 200);
}

#[tokio::test]
async fn a_confirmed_signature_survives_kill_9() {
    let data = tempfile::tempdir().unwrap();
    run_demo(data.path());
    let server = Server::start(data.path()).await;
    assert_eq!(total(&server.url).await, 36);
    sign_and_confirm(&server, data.path(), "tamsin@example.org", 0).await;
    assert_eq!(total(&server.url).await, 37);

    // No graceful anything: the process is killed the moment the response arrived.
    server.kill_hard();
    let server = Server::start(data.path()).await;
    assert_eq!(
        total(&server.url).await,
        37,
        "the acknowledged signature is still counted"
    );
    let page = get(format!("{}/l/demo", server.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Tamsin Orrery"));
    server.kill_hard();
}

#[tokio::test]
async fn sigterm_shuts_down_gracefully() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let (status, output) = server.terminate().await;
    assert!(status.success(), "{output}");
    assert!(output.contains("writer stopped"), "{output}");
    assert!(output.contains("database closed"), "{output}");
}

#[tokio::test]
async fn first_start_prints_a_one_time_setup_link() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let output = server.output();
    let link = value_after(&output, "  http://").to_owned();
    assert!(link.contains("/setup/"), "{output}");
    let page = client().get(format!("http://{link}")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Create workspace"));
    // No default password exists anywhere: nobody can log in yet.
    server.kill_hard();
}

#[tokio::test]
async fn demo_is_idempotent_and_its_login_works() {
    let data = tempfile::tempdir().unwrap();
    let first = run_demo(data.path());
    assert!(first.contains("36 new signatures"), "{first}");
    let second = run_demo(data.path());
    assert!(second.contains("0 new signatures"), "{second}");
    let password = value_after(&second, "password: ").to_owned();

    let server = Server::start(data.path()).await;
    assert_eq!(total(&server.url).await, 36);
    // No setup link: an organiser exists.
    assert!(!server.output().contains("/setup/"));
    let client = client();
    let login = client
        .get(format!("{}/login", server.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = value_after(&login, "name=\"csrf\" value=\"").to_owned();
    let done = client
        .post(format!("{}/login", server.url))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "organiser@example.org"),
            ("password", &password),
            ("next", "/admin"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    let admin = client
        .get(format!("{}/admin", server.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(admin.contains("Investigate the Meridian Football League"));
    server.kill_hard();
}

#[tokio::test]
async fn user_create_makes_an_organiser_who_can_log_in() {
    let data = tempfile::tempdir().unwrap();
    let mut child = undersigned(data.path())
        .args([
            "user",
            "create",
            "--email",
            "Vera.Viewer@Example.org",
            "--name",
            "Vera Viewer",
            "--workspace",
            "coalition",
            "--role",
            "viewer",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a viewer password here\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("vera.viewer@example.org is viewer of workspace coalition"),
        "{stdout}"
    );

    let server = Server::start(data.path()).await;
    let client = client();
    let login = client
        .get(format!("{}/login", server.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = value_after(&login, "name=\"csrf\" value=\"").to_owned();
    let done = client
        .post(format!("{}/login", server.url))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "vera.viewer@example.org"),
            ("password", "a viewer password here"),
            ("next", "/admin"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    let admin = client
        .get(format!("{}/admin", server.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(admin.contains("viewer"));
    assert!(
        !admin.contains("New letter"),
        "viewers cannot write letters"
    );
    server.kill_hard();
}

#[test]
fn user_create_refuses_bad_input_with_a_message() {
    let data = tempfile::tempdir().unwrap();
    for (args, message) in [
        (
            vec![
                "--email",
                "not-an-address",
                "--name",
                "X Y",
                "--workspace",
                "ws1",
                "--role",
                "viewer",
            ],
            "--email",
        ),
        (
            vec![
                "--email",
                "a@example.org",
                "--name",
                "X Y",
                "--workspace",
                "Bad Slug",
                "--role",
                "viewer",
            ],
            "--workspace",
        ),
        (
            vec![
                "--email",
                "a@example.org",
                "--name",
                "X Y",
                "--workspace",
                "ws1",
                "--role",
                "admin",
            ],
            "--role",
        ),
    ] {
        let out = undersigned(data.path())
            .args(["user", "create"])
            .args(&args)
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{stderr}");
    }
    let out = undersigned(data.path())
        .args([
            "user",
            "create",
            "--email",
            "a@example.org",
            "--name",
            "X Y",
            "--workspace",
            "ws1",
            "--password-stdin",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success(), "an empty password is refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 12"));
}

#[test]
fn bad_settings_stop_the_start_with_a_message() {
    let data = tempfile::tempdir().unwrap();
    let out = undersigned(data.path())
        .env("UNDERSIGNED_PUBLIC_URL", "ftp://nope")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("public_url"));
}

#[tokio::test]
async fn a_live_backup_is_a_folder_that_serve_starts_from() {
    let data = tempfile::tempdir().unwrap();
    run_demo(data.path());
    let server = Server::start(data.path()).await;
    sign_and_confirm(&server, data.path(), "bexley@example.org", 0).await;
    assert_eq!(total(&server.url).await, 37);

    // While the server runs.
    let copy = tempfile::tempdir().unwrap();
    let folder = copy.path().join("backup");
    let out = undersigned(data.path())
        .args(["backup", "--to"])
        .arg(&folder)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Backed up"));
    server.kill_hard();

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(folder.join("keys/instance.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the key stays private");
    }
    let restored = Server::start(&folder).await;
    assert_eq!(total(&restored.url).await, 37);
    let page = get(format!("{}/l/demo", restored.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Tamsin Orrery"));
    // The same key: the signer who signed before is recognised, not counted again.
    let category = value_after(&page, "name=\"category\" value=\"").to_owned();
    let again = client()
        .post(format!("{}/l/demo/sign", restored.url))
        .form(&[
            ("name", "Tamsin Orrery"),
            ("email", "BEXLEY@example.org"),
            ("category", &category),
            ("display", "public"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 303);
    assert_eq!(total(&restored.url).await, 37);
    restored.kill_hard();

    // A backup never overwrites.
    let out = undersigned(data.path())
        .args(["backup", "--to"])
        .arg(&folder)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists already"));
}
