//! SMTP: a few long-lived connections to the relay, each with Nagle's algorithm off.
//!
//! lettre speaks SMTP for us ([`AsyncSmtpConnection`]: greeting, EHLO, STARTTLS, AUTH, the
//! envelope and the message), but its pooled transport cannot be used here, for two reasons
//! that each cost a surge its emails:
//!
//! - Its sockets keep Nagle's algorithm on. It writes a message's body and then the closing
//!   `\r\n.\r\n` as two writes; Nagle holds the second until the relay acknowledges the
//!   first, and the relay delays that acknowledgement (40 ms on Linux) because it has nothing
//!   to answer before the closing dot. Every message waited 40 ms: four connections sent
//!   about 90 emails a second, to a sink that takes thousands (BENCHMARKS.md). Here every
//!   socket is ours, made with `TCP_NODELAY`.
//! - Its pool bounds the idle connections it keeps, not the connections it opens: a send that
//!   starts before another's connection is back in the pool opens one more. Here a semaphore
//!   bounds the connections in use, and a connection is only ever in use or idle, so the
//!   relay never sees more than [`Relay::connections`] at once.
//!
//! A connection that has been idle for a while is checked with a NOOP before it is used
//! again (relays close idle connections); one in steady use is not, and if the relay closed it
//! after its last message, the message goes again once over a new connection. A send may
//! take 20 s, and a second more for each 64 KiB of its message.

use std::{
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::{Duration, Instant},
};

use lettre::{
    address::Envelope,
    transport::smtp::{
        authentication::{Credentials, DEFAULT_MECHANISMS},
        client::{AsyncSmtpConnection, AsyncTokioStream, Certificate, TlsParameters},
        extension::ClientId,
    },
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
    sync::Semaphore,
};
use tokio_rustls::rustls::pki_types::{CertificateDer, pem::PemObject};

use super::MailError;

/// How long one send may take, connecting included: a relay that hangs must not hold the
/// worker for long.
const TIMEOUT: Duration = Duration::from_secs(20);
/// A connection idle longer than this is checked (NOOP) before it is used again.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(2);
/// How long that check may take before the connection is taken for dead.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);
/// What a send may take beyond [`TIMEOUT`] for each byte of its message, at this rate: a
/// delivery's PDF over a slow link is not cut off.
const BYTES_PER_SECOND: u64 = 64 * 1024;
/// A connection idle longer than this is closed instead of used.
const MAX_IDLE: Duration = Duration::from_secs(60);

/// How a connection is secured, as the URL says (the same rules as lettre's `from_url`).
#[derive(Clone)]
enum Security {
    /// `smtp://host` (port 25 by default): no TLS.
    None,
    /// `smtp://host?tls=opportunistic` (587): STARTTLS when the relay offers it.
    Opportunistic(TlsParameters),
    /// `smtp://host?tls=required` (587): STARTTLS, or no email.
    Required(TlsParameters),
    /// `smtps://host` (465): TLS from the first byte.
    Wrapper(
        Arc<tokio_rustls::rustls::ClientConfig>,
        tokio_rustls::rustls::pki_types::ServerName<'static>,
    ),
}

/// Where the relay is and how to talk to it, from the `smtp_url` setting.
struct Settings {
    host: String,
    port: u16,
    security: Security,
    hello: ClientId,
    credentials: Option<Credentials>,
}

/// The certificates of a PEM file (`smtp_ca_file`), to trust for the relay.
pub fn read_roots(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, MailError> {
    let bad = |reason: String| MailError::SmtpCa {
        path: path.to_owned(),
        reason,
    };
    let pem = std::fs::read(path).map_err(|e| bad(format!("cannot be read: {e}")))?;
    let roots = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("is not PEM: {e}")))?;
    if roots.is_empty() {
        return Err(bad("holds no certificate".into()));
    }
    Ok(roots)
}

impl Settings {
    fn parse(url: &str, roots: &[CertificateDer<'static>]) -> Result<Self, MailError> {
        let bad = |why: &str| MailError::SmtpUrl(why.to_owned());
        let url = url::Url::parse(url).map_err(|_| bad("it is not a URL"))?;
        let host = url
            .host_str()
            .ok_or_else(|| bad("it has no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let parameters = || {
            roots
                .iter()
                .try_fold(TlsParameters::builder(host.clone()), |builder, root| {
                    Certificate::from_der(root.to_vec()).map(|c| builder.add_root_certificate(c))
                })
                .and_then(|builder| builder.build())
                .map_err(|_| bad("its host cannot be checked against a certificate"))
        };
        let (port, security) = match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => (25, Security::None),
            ("smtp", Some("required")) => (587, Security::Required(parameters()?)),
            ("smtp", Some("opportunistic")) => (587, Security::Opportunistic(parameters()?)),
            ("smtps", _) => (
                465,
                Security::Wrapper(
                    wrapper_config(roots).map_err(|_| bad("TLS cannot be set up"))?,
                    tokio_rustls::rustls::pki_types::ServerName::try_from(host.clone())
                        .map_err(|_| bad("its host cannot be checked against a certificate"))?,
                ),
            ),
            ("smtp", Some(_)) => return Err(bad("tls= takes required or opportunistic")),
            _ => return Err(bad("it starts with neither smtp:// nor smtps://")),
        };
        let hello = match url.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_owned()),
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| bad("its user or password is not UTF-8"))
        };
        let credentials = match url.password() {
            Some(password) => Some(Credentials::new(decode(url.username())?, decode(password)?)),
            None => None,
        };
        Ok(Self {
            port: url.port().unwrap_or(port),
            host,
            security,
            hello,
            credentials,
        })
    }
}

/// The TLS of `smtps://`: the web's roots, as lettre's own STARTTLS uses.
fn wrapper_config(
    extra: &[CertificateDer<'static>],
) -> Result<Arc<tokio_rustls::rustls::ClientConfig>, tokio_rustls::rustls::Error> {
    use tokio_rustls::rustls;
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for root in extra {
        roots.add(root.clone())?;
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(Arc::new(config))
}

struct Idle {
    connection: AsyncSmtpConnection,
    since: Instant,
}

/// The relay, and the connections to it.
pub struct Relay {
    settings: Settings,
    idle: Mutex<Vec<Idle>>,
    in_use: Semaphore,
}

impl Relay {
    /// A relay at `url` (`smtp://…` or `smtps://…`), trusted if the web's roots or `roots`
    /// vouch for its certificate, sent to over at most `connections` connections at once.
    /// Nothing connects until the first send.
    pub fn new(
        url: &str,
        roots: Vec<CertificateDer<'static>>,
        connections: usize,
    ) -> Result<Self, MailError> {
        Ok(Self {
            settings: Settings::parse(url, &roots)?,
            idle: Mutex::new(Vec::new()),
            in_use: Semaphore::new(connections),
        })
    }

    /// Sends one message, over an idle connection if there is one.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), MailError> {
        let _permit = self
            .in_use
            .acquire()
            .await
            .map_err(|_| MailError::Timeout)?;
        let idle = self.take_idle();
        let timeout = TIMEOUT + Duration::from_secs(message.len() as u64 / BYTES_PER_SECOND);
        match tokio::time::timeout(timeout, self.send_on(idle, envelope, message)).await {
            Ok(result) => result,
            Err(_) => Err(MailError::Timeout),
        }
    }

    async fn send_on(
        &self,
        idle: Option<Idle>,
        envelope: &Envelope,
        message: &[u8],
    ) -> Result<(), MailError> {
        // A connection used a moment ago is used as it is; one idle longer is checked first.
        let (mut connection, unchecked) = match idle {
            Some(idle) if idle.since.elapsed() < CHECK_AFTER_IDLE => (idle.connection, true),
            Some(mut idle) => {
                let alive = tokio::time::timeout(CHECK_TIMEOUT, idle.connection.test_connected());
                if matches!(alive.await, Ok(true)) {
                    (idle.connection, false)
                } else {
                    idle.connection.abort().await;
                    (self.connect().await?, false)
                }
            }
            None => (self.connect().await?, false),
        };
        let mut sent = connection.send(envelope, message).await;
        // An unchecked connection that the relay closed since its last message fails without
        // an SMTP reply: the message goes again over a new connection, once.
        if unchecked && matches!(&sent, Err(e) if e.status().is_none() && !e.is_timeout()) {
            connection = self.connect().await?;
            sent = connection.send(envelope, message).await;
        }
        // After a refusal or a failure lettre has closed the connection (`has_broken`).
        if !connection.has_broken() {
            self.idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(Idle {
                    connection,
                    since: Instant::now(),
                });
        }
        sent.map(|_| ()).map_err(MailError::smtp)
    }

    /// The most recently used idle connection, closing those idle too long.
    fn take_idle(&self) -> Option<Idle> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        // Oldest first: those idle too long are at the front.
        idle.retain(|c| c.since.elapsed() < MAX_IDLE);
        idle.pop()
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, MailError> {
        let s = &self.settings;
        let tcp = TcpStream::connect((s.host.as_str(), s.port))
            .await
            .map_err(MailError::Connect)?;
        tcp.set_nodelay(true).map_err(MailError::Connect)?;
        let stream: Box<dyn AsyncTokioStream> = match &s.security {
            Security::Wrapper(config, name) => {
                let tls = tokio_rustls::TlsConnector::from(config.clone())
                    .connect(name.clone(), tcp)
                    .await
                    .map_err(MailError::Connect)?;
                Box::new(Tls(tls))
            }
            _ => Box::new(tcp),
        };
        let mut connection = AsyncSmtpConnection::connect_with_transport(stream, &s.hello)
            .await
            .map_err(MailError::smtp)?;
        match &s.security {
            Security::Opportunistic(tls) if connection.can_starttls() => connection
                .starttls(tls.clone(), &s.hello)
                .await
                .map_err(MailError::smtp)?,
            Security::Required(tls) => connection
                .starttls(tls.clone(), &s.hello)
                .await
                .map_err(MailError::smtp)?,
            _ => {}
        }
        if let Some(credentials) = &s.credentials {
            connection
                .auth(DEFAULT_MECHANISMS, credentials)
                .await
                .map_err(MailError::smtp)?;
        }
        Ok(connection)
    }
}

/// An `smtps://` connection as lettre takes a stream.
#[derive(Debug)]
struct Tls(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncTokioStream for Tls {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for Tls {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Tls {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(url: &str) -> Settings {
        Settings::parse(url, &[]).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn urls_read_as_lettre_reads_them() {
        let plain = parsed("smtp://relay.example.org");
        assert_eq!((plain.host.as_str(), plain.port), ("relay.example.org", 25));
        assert!(matches!(plain.security, Security::None));
        assert!(plain.credentials.is_none());

        let required = parsed("smtp://us%40er:p%40ss@relay.example.org?tls=required");
        assert_eq!(required.port, 587);
        assert!(matches!(required.security, Security::Required(_)));
        assert_eq!(
            required.credentials,
            Some(Credentials::new("us@er".into(), "p@ss".into()))
        );

        let opportunistic =
            parsed("smtp://relay.example.org:2525/sender.example.org?tls=opportunistic");
        assert_eq!(opportunistic.port, 2525);
        assert!(matches!(opportunistic.security, Security::Opportunistic(_)));
        assert_eq!(
            opportunistic.hello,
            ClientId::Domain("sender.example.org".into())
        );

        let wrapper = parsed("smtps://relay.example.org");
        assert_eq!(wrapper.port, 465);
        assert!(matches!(wrapper.security, Security::Wrapper(..)));

        let v6 = parsed("smtp://[::1]:2525");
        assert_eq!((v6.host.as_str(), v6.port), ("::1", 2525));
    }

    #[test]
    fn bad_urls_are_refused_with_a_reason() {
        for url in [
            "relay.example.org",
            "http://relay.example.org",
            "smtp://relay.example.org?tls=sometimes",
            "smtp:///nohost",
        ] {
            assert!(
                matches!(Settings::parse(url, &[]), Err(MailError::SmtpUrl(_))),
                "{url} was taken"
            );
        }
    }
}
