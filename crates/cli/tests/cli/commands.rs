//! The commands a newcomer and an operator run.

use crate::DEMO_SIGNATURES;
use std::{io::Write, process::Stdio};

use undersigned_testkit::{Site, client, html::value_after};

use crate::process::{demo, serve, sign_demo, undersigned};

#[tokio::test]
async fn a_confirmed_signature_survives_kill_9() {
    let data = tempfile::tempdir().unwrap();
    demo(data.path());
    let server = serve(data.path()).await;
    assert_eq!(server.total("demo").await, DEMO_SIGNATURES);
    sign_demo(
        &server,
        data.path(),
        "Tamsin Orrery",
        "tamsin@example.org",
        "public",
    )
    .await;
    assert_eq!(server.total("demo").await, DEMO_SIGNATURES + 1);

    // No graceful anything: the process is killed the moment the response arrived.
    server.kill_hard();
    let server = serve(data.path()).await;
    assert_eq!(
        server.total("demo").await,
        DEMO_SIGNATURES + 1,
        "the acknowledged signature is still counted"
    );
    let page = server.get_with(&client(), "/l/demo").await.body;
    assert!(page.contains("Tamsin Orrery"));
    server.kill_hard();
}

#[tokio::test]
async fn sigterm_shuts_down_gracefully() {
    let data = tempfile::tempdir().unwrap();
    let server = serve(data.path()).await;
    let (status, output) = server.terminate().await;
    assert!(status.success(), "{output}");
    assert!(output.contains("writer stopped"), "{output}");
    assert!(output.contains("database closed"), "{output}");
}

#[tokio::test]
async fn first_start_prints_a_one_time_setup_link() {
    let data = tempfile::tempdir().unwrap();
    let server = serve(data.path()).await;
    // The link is printed once the server listens: wait for it rather than race it.
    server.setup_path().await;
    let output = server.output();
    let link = value_after(&output, "  http://");
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
    let first = demo(data.path());
    assert!(
        first.contains(&format!("{DEMO_SIGNATURES} new signatures")),
        "{first}"
    );
    let second = demo(data.path());
    assert!(second.contains("0 new signatures"), "{second}");
    let password = value_after(&second, "password: ");

    let server = serve(data.path()).await;
    assert_eq!(server.total("demo").await, DEMO_SIGNATURES);
    // No setup link: an organiser exists.
    assert!(!server.output().contains("/setup/"));
    let client = client();
    let done = server
        .log_in(&client, "organiser@example.org", &password)
        .await;
    assert_eq!(done.status, 303);
    let admin = server.get_with(&client, "/admin").await.body;
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
            "--new-workspace",
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

    let server = serve(data.path()).await;
    let client = client();
    let done = server
        .log_in(&client, "vera.viewer@example.org", "a viewer password here")
        .await;
    assert_eq!(done.status, 303);
    let admin = server.get_with(&client, "/admin").await.body;
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
fn user_create_refuses_a_workspace_that_does_not_exist() {
    let data = tempfile::tempdir().unwrap();
    let create = |workspace: &str, extra: &[&str]| {
        let mut child = undersigned(data.path())
            .args([
                "user",
                "create",
                "--email",
                "wanda@example.org",
                "--name",
                "Wanda Typo",
                "--workspace",
                workspace,
                "--password-stdin",
            ])
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"a long enough password\n")
            .unwrap();
        child.wait_with_output().unwrap()
    };
    // No workspace yet: refused, with how to create one.
    let out = create("coalition", &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("there is no workspace coalition"),
        "{stderr}"
    );
    assert!(stderr.contains("there are none yet"), "{stderr}");
    assert!(stderr.contains("--new-workspace"), "{stderr}");

    let out = create(
        "coalition",
        &["--new-workspace", "--workspace-name", "The Coalition"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Created workspace coalition."));

    // A typo is refused and lists the workspaces that exist; nothing is created.
    let out = create("coaliton", &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("there is no workspace coaliton"),
        "{stderr}"
    );
    assert!(stderr.contains("the workspaces are: coalition"), "{stderr}");
    // The right name works without the flag.
    let out = create("coalition", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Created workspace"));
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
    demo(data.path());
    let server = serve(data.path()).await;
    sign_demo(
        &server,
        data.path(),
        "Tamsin Orrery",
        "bexley@example.org",
        "public",
    )
    .await;
    assert_eq!(server.total("demo").await, DEMO_SIGNATURES + 1);

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
    for (path, private) in [
        (folder.clone(), 0o700),
        (folder.join("keys"), 0o700),
        (folder.join("keys/instance.key"), 0o600),
        (folder.join("keys/data.keys"), 0o600),
        (folder.join("undersigned.db"), 0o600),
    ] {
        assert_eq!(mode(&path), private, "{} stays private", path.display());
    }
    let restored = serve(&folder).await;
    assert_eq!(restored.total("demo").await, DEMO_SIGNATURES + 1);
    let page = restored.get_with(&client(), "/l/demo").await.body;
    assert!(page.contains("Tamsin Orrery"));
    // The same key: the signer who signed before is recognised, not counted again.
    let category = value_after(&page, "name=\"category\" value=\"");
    let again = restored
        .post_with(
            &client(),
            "/l/demo/sign",
            &[
                ("name", "Tamsin Orrery"),
                ("email", "BEXLEY@example.org"),
                ("category", &category),
                ("display", "public"),
            ],
        )
        .await;
    assert_eq!(again.status, 303);
    assert_eq!(restored.total("demo").await, DEMO_SIGNATURES + 1);
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

/// The permission bits of `path`.
#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// What the data folder holds (the database and its WAL, keys, emails written as files) is the
/// server's user's alone.
#[cfg(unix)]
#[tokio::test]
async fn the_data_folder_and_what_it_holds_are_private() {
    let data = tempfile::tempdir().unwrap();
    demo(data.path());
    let server = serve(data.path()).await;
    sign_demo(
        &server,
        data.path(),
        "Perrin Quillfeather",
        "perrin@example.org",
        "private",
    )
    .await;
    let folder = data.path();
    let mut private = vec![
        (folder.to_owned(), 0o700),
        (folder.join("keys"), 0o700),
        (folder.join("keys/instance.key"), 0o600),
        (folder.join("keys/data.keys"), 0o600),
        (folder.join("mail"), 0o700),
        (folder.join("undersigned.db"), 0o600),
        (folder.join("undersigned.db-wal"), 0o600),
    ];
    for email in std::fs::read_dir(folder.join("mail")).unwrap() {
        private.push((email.unwrap().path(), 0o600));
    }
    for (path, bits) in private {
        assert_eq!(mode(&path), bits, "{} is the owner's alone", path.display());
    }
    server.kill_hard();
}
