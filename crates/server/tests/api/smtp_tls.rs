//! Email over TLS (STARTTLS, `?tls=required`) to a relay whose certificate the web's roots do
//! not vouch for: sent once `smtp_ca_file` trusts it, and never sent in clear or to a relay
//! nobody vouches for. The certificate is made for each test with the `openssl` command.

use std::{path::PathBuf, process::Command, time::Duration};

use sqlx::Row;
use undersigned_server::{Application, config::Settings};
use undersigned_testkit::{MailSink, eventually};

use crate::helpers::*;

/// A self-signed certificate for 127.0.0.1 and its key, in a folder of their own.
struct Certificate {
    _dir: tempfile::TempDir,
    cert: PathBuf,
    key: PathBuf,
}

fn certificate() -> Certificate {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=127.0.0.1"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("the openssl command (apt-get install openssl)");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    Certificate {
        _dir: dir,
        cert,
        key,
    }
}

fn required(sink: &MailSink) -> String {
    format!("smtp://127.0.0.1:{}?tls=required", sink.port(0))
}

#[tokio::test]
async fn starttls_to_a_relay_that_smtp_ca_file_trusts_delivers() {
    let tls = certificate();
    let sink = MailSink::with_starttls(&tls.cert, &tls.key);
    let cert = tls.cert.clone();
    let app = TestApp::init()
        .with_mail(sink.clone(), required(&sink))
        .with_settings(|s| s.smtp_ca_file = Some(cert))
        .spawn()
        .await;
    app.open_letter("tls").await;
    let path = app
        .sign_pending("tls", "Tamsin Tls", "tamsin@example.org")
        .await;
    assert_eq!(app.post(&path, &[]).await.status, 200);
    assert_eq!(app.total("tls").await, 1);
    // Several at once share the relay's connections.
    for n in 0..12 {
        app.sign_pending("tls", &format!("Signer {n}"), &format!("s{n}@example.org"))
            .await;
    }
    assert_eq!(sink.all().len(), 13);
    app.stop().await;
}

/// Opens letter `slug`, signs it once, and answers what the worker recorded for that
/// signature's email, the only one in the outbox: (status, attempts, last_error).
async fn sign_unsent(app: &TestApp, slug: &str) -> (String, i64, String) {
    app.open_letter(slug).await;
    let categories = app.categories(slug).await;
    let page = app
        .sign(
            slug,
            &[
                ("name", "Uma Unsent"),
                ("email", "uma@example.org"),
                ("category", &categories[0]),
                ("display", "public"),
            ],
        )
        .await;
    assert_eq!(
        page.status, 303,
        "the signer is not told about mail trouble"
    );
    let db = app.db().await;
    eventually(Duration::from_secs(10), "an attempt to send", || async {
        let row = sqlx::query("SELECT status, attempts, last_error FROM outbox")
            .fetch_one(&db)
            .await
            .unwrap();
        row.get::<Option<String>, _>("last_error").map(|error| {
            (
                row.get::<String, _>("status"),
                row.get::<i64, _>("attempts"),
                error,
            )
        })
    })
    .await
}

#[tokio::test]
async fn no_email_goes_to_an_untrusted_relay_or_in_clear_when_tls_is_required() {
    // The relay's certificate is its own, and nothing says to trust it.
    let tls = certificate();
    let sink = MailSink::with_starttls(&tls.cert, &tls.key);
    let app = TestApp::init()
        .with_mail(sink.clone(), required(&sink))
        .spawn()
        .await;
    let (status, attempts, error) = sign_unsent(&app, "untrusted").await;
    assert_eq!(
        (status.as_str(), attempts),
        ("pending", 1),
        "kept for a retry"
    );
    assert!(error.starts_with("smtp transient"), "{error}");
    assert!(sink.all().is_empty(), "nothing reached the relay");
    app.stop().await;

    // A relay that offers no STARTTLS at all gets nothing either.
    let plain = MailSink::start();
    let app = TestApp::init()
        .with_mail(plain.clone(), required(&plain))
        .spawn()
        .await;
    let (status, attempts, error) = sign_unsent(&app, "clear").await;
    assert_eq!((status.as_str(), attempts), ("pending", 1));
    assert!(error.starts_with("smtp transient"), "{error}");
    assert!(plain.all().is_empty(), "nothing was sent in clear");
    app.stop().await;
}

#[tokio::test]
async fn a_bad_smtp_ca_file_or_url_stops_the_server_with_the_reason() {
    let data = tempfile::tempdir().unwrap();
    let start = |customise: &dyn Fn(&mut Settings)| {
        let mut settings = Settings::defaults().unwrap();
        settings.bind = "127.0.0.1:0".parse().unwrap();
        settings.data_dir = data.path().to_owned();
        settings.smtp_url = Some("smtp://127.0.0.1:1?tls=required".into());
        customise(&mut settings);
        Application::build(settings)
    };
    let not_pem = data.path().join("not.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let missing = data.path().join("missing.pem");
    for (settings, expected) in [
        (
            Box::new(|s: &mut Settings| s.smtp_ca_file = Some(not_pem.clone()))
                as Box<dyn Fn(&mut Settings)>,
            "holds no certificate",
        ),
        (
            Box::new(|s: &mut Settings| s.smtp_ca_file = Some(missing.clone())),
            "cannot be read",
        ),
        (
            Box::new(|s: &mut Settings| {
                s.smtp_url = Some("smtp://127.0.0.1:1?tls=sometimes".into())
            }),
            "tls= takes required or opportunistic",
        ),
    ] {
        let error = match start(&*settings).await {
            Ok(_) => panic!("started with a bad mail setting ({expected})"),
            Err(e) => format!(
                "{e}: {}",
                std::error::Error::source(&e)
                    .map(|s| s.to_string())
                    .unwrap_or_default()
            ),
        };
        assert!(error.contains(expected), "{error}");
    }
}
