//! Email: the messages we send, and the two ways of sending them (SMTP through lettre, or
//! `.eml` files in the data folder when no SMTP server is configured).
//!
//! Emails never go out from a request handler. The handler renders them and the writer puts
//! them in the outbox in the same transaction as the change that caused them; the
//! [`worker`] sends them.

pub mod messages;
pub mod worker;

use std::path::{Path, PathBuf};

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Attachment, Mailbox, MultiPart,
        header::{ContentType, Header, HeaderName, HeaderValue},
    },
};
use undersigned_store::{OutboxEmail, files};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the SMTP URL is not valid")]
    SmtpUrl(#[source] lettre::transport::smtp::Error),
    #[error("the From address {0:?} is not valid")]
    From(String),
    #[error("the recipient address is not valid")]
    Recipient,
    #[error("could not render the email")]
    Render(#[from] messages::RenderError),
    #[error("could not build the message")]
    Build(#[source] lettre::error::Error),
    #[error("the SMTP server refused the message for good")]
    Permanent(#[source] lettre::transport::smtp::Error),
    #[error("the SMTP server could not take the message now")]
    Transient(#[source] lettre::transport::smtp::Error),
    #[error("could not write the email file")]
    File(#[source] std::io::Error),
    #[error("could not read the document to attach")]
    Document(#[source] undersigned_store::StoreError),
    #[error("the document to attach is gone")]
    NoDocument,
}

impl MailError {
    /// Whether trying again later could succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            MailError::Transient(_) | MailError::File(_) | MailError::Document(_)
        )
    }

    /// A short description for the outbox row: never the SMTP server's reply text, which
    /// often repeats the recipient's address.
    pub fn code(&self) -> String {
        let smtp = |kind: &str, e: &lettre::transport::smtp::Error| match e.status() {
            Some(code) => format!("smtp {kind} {code}"),
            None if e.is_timeout() => format!("smtp {kind} timeout"),
            None => format!("smtp {kind} connection"),
        };
        match self {
            MailError::Permanent(e) => smtp("permanent", e),
            MailError::Transient(e) => smtp("transient", e),
            MailError::File(e) => format!("file {:?}", e.kind()),
            MailError::Recipient => "invalid recipient".into(),
            MailError::Render(_) => "render failed".into(),
            MailError::Build(_) => "build failed".into(),
            MailError::SmtpUrl(_) | MailError::From(_) => "configuration".into(),
            MailError::Document(_) => "document unreadable".into(),
            MailError::NoDocument => "document gone".into(),
        }
    }
}

/// Where emails go.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Each email becomes `DIR/<outbox id>.eml`, and its links are printed to the console.
    Files(PathBuf),
}

/// Sends outbox emails.
/// The SMTP connections the worker keeps open and sends over at once: enough to send
/// thousands of emails a second to a nearby relay, few enough that a relay which limits
/// connections per client (many allow 10 or more) serves them all.
const SMTP_CONNECTIONS: u32 = 4;

#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    /// The host part of Message-IDs.
    host: String,
}

impl Mailer {
    pub fn new(
        smtp_url: Option<&str>,
        mail_dir: &Path,
        from: &str,
        host: &str,
    ) -> Result<Self, MailError> {
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(MailError::SmtpUrl)?
                    // A server that hangs must not hold the worker for long.
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .pool_config(
                        lettre::transport::smtp::PoolConfig::new().max_size(SMTP_CONNECTIONS),
                    )
                    .build(),
            ),
            None => Transport::Files(mail_dir.to_owned()),
        };
        Ok(Self {
            transport,
            from: from.parse().map_err(|_| MailError::From(from.to_owned()))?,
            host: message_id_host(host),
        })
    }

    /// How many emails the worker sends at once: one per pooled SMTP connection, or files
    /// written side by side.
    pub fn sends_at_once(&self) -> usize {
        match self.transport {
            Transport::Smtp(_) => SMTP_CONNECTIONS as usize,
            Transport::Files(_) => 32,
        }
    }

    pub fn describe(&self) -> &'static str {
        match self.transport {
            Transport::Smtp(_) => "SMTP",
            Transport::Files(_) => ".eml files in the data folder",
        }
    }

    /// Renders and sends one outbox email, with `attachment` (a file name and a PDF) when
    /// it has one. Its Message-ID is derived from the outbox row, so that a retry after a
    /// crash is recognisable as the same message.
    pub async fn send(
        &self,
        email: &OutboxEmail,
        attachment: Option<(String, Vec<u8>)>,
    ) -> Result<(), MailError> {
        let rendered = messages::render(email.kind, &email.params)?;
        let to: Mailbox = email.recipient.parse().map_err(|_| MailError::Recipient)?;
        let body = MultiPart::alternative_plain_html(rendered.text.clone(), rendered.html);
        let body = match attachment {
            Some((name, pdf)) => {
                MultiPart::mixed()
                    .multipart(body)
                    .singlepart(Attachment::new(name).body(
                        pdf,
                        ContentType::parse("application/pdf").map_err(|_| {
                            MailError::Render(messages::RenderError::Params(
                                serde::de::Error::custom("the attachment's type"),
                            ))
                        })?,
                    ))
            }
            None => body,
        };
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject.as_str())
            .message_id(Some(format!("<outbox-{}@{}>", email.id, self.host)));
        // A mailing's one-click unsubscribe (RFC 8058): mail clients show an "Unsubscribe"
        // button that POSTs `List-Unsubscribe=One-Click` to the link.
        if let Some(link) = &rendered.unsubscribe {
            builder = builder
                .header(ListUnsubscribe(format!("<{link}>")))
                .header(ListUnsubscribePost);
        }
        let message = builder.multipart(body).map_err(MailError::Build)?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    MailError::Permanent(e)
                } else {
                    MailError::Transient(e)
                }
            }),
            Transport::Files(dir) => {
                let path = write_eml(dir, email.id, &message.formatted())
                    .await
                    .map_err(MailError::File)?;
                // The console is where a newcomer without SMTP finds their links. The links
                // carry tokens but no personal data; the address stays in the file.
                let links: Vec<&str> = rendered
                    .text
                    .split_whitespace()
                    .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
                    .collect();
                tracing::info!(file = %path.display(), links = ?links, "email written");
                Ok(())
            }
        }
    }
}

/// `List-Unsubscribe: <link>` (RFC 2369).
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// The host of the public URL without its port, for Message-IDs (`[::1]` stays bracketed).
pub fn message_id_host(host: &str) -> String {
    if host.starts_with('[') {
        match host.find(']') {
            Some(end) => host[..=end].to_owned(),
            None => "localhost".to_owned(),
        }
    } else {
        host.split(':').next().unwrap_or("localhost").to_owned()
    }
}

/// Writes the file atomically (temporary name, fsync, rename), so that a reader never sees
/// half an email.
/// The folder and the files are their owner's alone: an email holds its recipient's address.
async fn write_eml(dir: &Path, id: i64, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let (dir, bytes) = (dir.to_owned(), bytes.to_owned());
    tokio::task::spawn_blocking(move || {
        files::private_dir(&dir)?;
        let path = dir.join(format!("{id:08}.eml"));
        let temporary = dir.join(format!(".{id:08}.eml.tmp"));
        // A temporary file left by a crash is replaced.
        match std::fs::remove_file(&temporary) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let mut file = files::new_private_file(&temporary)?;
        std::io::Write::write_all(&mut file, &bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, &path)?;
        Ok(path)
    })
    .await
    .map_err(std::io::Error::other)?
}

#[cfg(test)]
mod tests {
    use super::message_id_host;

    #[test]
    fn message_id_hosts() {
        assert_eq!(
            message_id_host("letters.example.org"),
            "letters.example.org"
        );
        assert_eq!(message_id_host("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(message_id_host("[::1]:8080"), "[::1]");
    }
}
