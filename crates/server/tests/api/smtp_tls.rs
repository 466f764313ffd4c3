//! Email over TLS (STARTTLS with `?tls=required`, and `smtps://`) to a relay whose certificate
//! the web's roots do not vouch for: sent once `smtp_ca_file` trusts it, and never sent in
//! clear or to a relay nobody vouches for. The certificate is made for each test with the
//! `openssl` command.

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
    app.sign_and_confirm("tls", "Tamsin Tls", "tamsin@example.org", "public")
        .await;
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
    let page = app.sign_as(slug, "Uma Unsent", "uma@example.org").await;
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

/// `smtps://`: TLS from the first byte. The sink speaks only STARTTLS, so a proxy in front of
/// it ends the TLS (tokio-rustls, with the test's certificate) and passes the SMTP through.
async fn implicit_tls_proxy(tls: &Certificate, to: u16) -> u16 {
    use tokio_rustls::rustls::{
        ServerConfig,
        pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
    };
    undersigned_testkit::install_crypto_provider();
    let chain = CertificateDer::pem_file_iter(&tls.cert)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(&tls.key).unwrap();
    let config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut outside) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut inside = tokio::net::TcpStream::connect(("127.0.0.1", to))
                    .await
                    .unwrap();
                let _ = tokio::io::copy_bidirectional(&mut outside, &mut inside).await;
            });
        }
    });
    port
}

#[tokio::test]
async fn smtps_to_a_relay_that_smtp_ca_file_trusts_delivers_and_to_others_nothing() {
    let tls = certificate();
    let sink = MailSink::start();
    let port = implicit_tls_proxy(&tls, sink.port(0)).await;
    let cert = tls.cert.clone();
    let app = TestApp::init()
        .with_mail(sink.clone(), format!("smtps://127.0.0.1:{port}"))
        .with_settings(|s| s.smtp_ca_file = Some(cert))
        .spawn()
        .await;
    app.open_letter("smtps").await;
    app.sign_and_confirm("smtps", "Simone Smtps", "simone@example.org", "public")
        .await;
    assert_eq!(app.total("smtps").await, 1);
    app.stop().await;

    // Without smtp_ca_file the same relay is not trusted.
    let app = TestApp::init()
        .with_mail(sink.clone(), format!("smtps://127.0.0.1:{port}"))
        .spawn()
        .await;
    let (status, attempts, error) = sign_unsent(&app, "untrusted").await;
    assert_eq!((status.as_str(), attempts), ("pending", 1));
    assert!(error.starts_with("smtp transient"), "{error}");
    assert_eq!(
        sink.all().len(),
        1,
        "only the trusted server's email arrived"
    );
    app.stop().await;
}
