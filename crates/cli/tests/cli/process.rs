//! The `undersigned` binary as these tests run it (testkit's child-process helpers with this
//! crate's binary), and signing the demo letter through a running server.

use std::{path::Path, process::Command};

use undersigned_testkit::{
    ServerProcess, Site, client,
    html::radio_values,
    mail::{wait_for_written, written},
    process,
};

pub const BIN: &str = env!("CARGO_BIN_EXE_undersigned");

/// The binary for the data folder `data` (see testkit's `process::undersigned`), logging at
/// info. With no SMTP server, its emails are written to `data/mail` as `.eml` files.
pub fn undersigned(data: &Path) -> Command {
    let mut command = process::undersigned(BIN, data);
    command.env("UNDERSIGNED_LOG", "info");
    command
}

/// Runs `undersigned demo` on `data` (a demo letter with 36 signatures, idempotent); returns
/// what it printed.
pub fn demo(data: &Path) -> String {
    let out = undersigned(data).arg("demo").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `undersigned serve` on `data`, on a free port.
pub async fn serve(data: &Path) -> ServerProcess {
    ServerProcess::start("serve", undersigned(data)).await
}

/// Stops `server` with SIGTERM (it must exit cleanly) and starts it again on the same port,
/// so that its caches start afresh and its log keeps its origin.
pub async fn restart(server: ServerProcess, data: &Path) -> ServerProcess {
    let port = server.port();
    let (status, output) = server.terminate().await;
    assert!(status.success(), "{output}");
    ServerProcess::start_on("serve", undersigned(data), port).await
}

/// Signs the demo letter (first category) as a new browser and confirms through the emailed
/// link; returns the link.
pub async fn sign_demo(
    server: &ServerProcess,
    data: &Path,
    name: &str,
    email: &str,
    display: &str,
) -> String {
    let page = server.get_with(&client(), "/l/demo").await;
    let category = radio_values(&page.body, "category").remove(0);
    let before = written(data).len();
    let signed = server
        .post_with(
            &client(),
            "/l/demo/sign",
            &[
                ("name", name),
                ("email", email),
                ("category", &category),
                ("display", display),
            ],
        )
        .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    let email = wait_for_written(data, before + 1).await;
    let path = email.confirm_path().expect("a confirmation link");
    let confirmed = server.post_with(&client(), &path, &[]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    email.link("/confirm/").unwrap()
}
