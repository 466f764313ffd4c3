//! Email: the messages we send, and the two ways of sending them (SMTP through lettre, or
//! `.eml` files in the data folder when no SMTP server is configured).
//!
//! Emails never go out from a request handler. The handler renders them and the writer puts
//! them in the outbox in the same transaction as the change that caused them; the
//! [`worker`] sends them.

mod encoding;
pub mod messages;
mod smtp;
pub mod worker;

use std::path::{Path, PathBuf};

use lettre::{
    Address, Message,
    address::Envelope,
    message::{
        Attachment, Mailbox, MultiPart, SinglePart,
        header::{ContentType, Header, HeaderName, HeaderValue},
    },
};
use undersigned_store::{OutboxEmail, files};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the SMTP URL is not valid: {0}")]
    SmtpUrl(String),
    #[error("smtp_ca_file {path:?}: {reason}")]
    SmtpCa { path: PathBuf, reason: String },
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
    #[error("could not connect to the SMTP server")]
    Connect(#[source] std::io::Error),
    #[error("the SMTP server did not answer in time")]
    Timeout,
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
            MailError::Transient(_)
                | MailError::Connect(_)
                | MailError::Timeout
                | MailError::File(_)
                | MailError::Document(_)
        )
    }

    /// An SMTP error: permanent (5xx) or worth another try.
    fn smtp(e: lettre::transport::smtp::Error) -> Self {
        if e.is_permanent() {
            MailError::Permanent(e)
        } else {
            MailError::Transient(e)
        }
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
            MailError::Connect(_) => "smtp transient connection".into(),
            MailError::Timeout => "smtp transient timeout".into(),
            MailError::File(e) => format!("file {:?}", e.kind()),
            MailError::Recipient => "invalid recipient".into(),
            MailError::Render(_) => "render failed".into(),
            MailError::Build(_) => "build failed".into(),
            MailError::SmtpUrl(_) | MailError::SmtpCa { .. } | MailError::From(_) => {
                "configuration".into()
            }
            MailError::Document(_) => "document unreadable".into(),
            MailError::NoDocument => "document gone".into(),
        }
    }
}

/// A file an email attaches: its name and its bytes (a delivery's PDF).
pub type Attached = (String, Vec<u8>);

/// Where emails go.
#[derive(Clone)]
pub enum Transport {
    Smtp(std::sync::Arc<smtp::Relay>),
    /// Each email becomes `DIR/<outbox id>.eml`, and its links are printed to the console.
    Files(PathBuf),
}

/// The SMTP connections the worker keeps open and sends over at once: enough to send
/// thousands of emails a second to a nearby relay, few enough that a relay which limits
/// connections per client (many allow 10 or more) serves them all.
const SMTP_CONNECTIONS: usize = 8;
/// The emails handed to the SMTP connections as one group (as many at once as there are
/// connections).
const SMTP_GROUP: usize = 64;
/// The `.eml` files written together, made durable with one flush.
const FILES_AT_ONCE: usize = 128;

/// Sends outbox emails.
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
        smtp_ca_file: Option<&Path>,
        mail_dir: &Path,
        from: &str,
        host: &str,
    ) -> Result<Self, MailError> {
        let transport = match smtp_url {
            Some(url) => {
                let roots = match smtp_ca_file {
                    Some(path) => smtp::read_roots(path)?,
                    None => Vec::new(),
                };
                Transport::Smtp(std::sync::Arc::new(smtp::Relay::new(
                    url,
                    roots,
                    SMTP_CONNECTIONS,
                )?))
            }
            None => Transport::Files(mail_dir.to_owned()),
        };
        Ok(Self {
            transport,
            from: from.parse().map_err(|_| MailError::From(from.to_owned()))?,
            host: message_id_host(host),
        })
    }

    /// How many emails the worker hands over at once, and records as sent together: a
    /// group sent over the SMTP connections, or files written side by side.
    pub fn sends_at_once(&self) -> usize {
        match self.transport {
            Transport::Smtp(_) => SMTP_GROUP,
            Transport::Files(_) => FILES_AT_ONCE,
        }
    }

    pub fn describe(&self) -> &'static str {
        match self.transport {
            Transport::Smtp(_) => "SMTP",
            Transport::Files(_) => ".eml files in the data folder",
        }
    }

    /// Renders and sends a group of outbox emails, each with its attachment (a file name
    /// and a PDF) when it has one, and answers each one's result in order. Message-IDs are
    /// derived from the outbox rows, so that a retry after a crash is recognisable as the
    /// same message.
    ///
    /// Over SMTP the group goes out over the relay's connections, as many at once as it has
    /// (`smtp::Relay`). As files, the whole
    /// group is written by one thread and made durable with one flush: written side by side,
    /// each file creation would wait on the folder's lock and cost a flush of its own, which
    /// is what a surge of sign-ups spent most of its CPU on.
    pub async fn send_all(
        &self,
        emails: Vec<(&OutboxEmail, Option<Attached>)>,
    ) -> Vec<Result<(), MailError>> {
        match &self.transport {
            Transport::Smtp(smtp) => {
                futures_util::future::join_all(emails.into_iter().map(
                    |(email, attachment)| async move {
                        let (message, _) = self.message(email, attachment)?;
                        smtp.send(message.envelope(), &message.formatted()).await
                    },
                ))
                .await
            }
            Transport::Files(dir) => {
                let mut built: Vec<_> = emails
                    .into_iter()
                    .map(|(email, attachment)| {
                        self.message(email, attachment)
                            .map(|(message, links)| (email.id, message.formatted(), links))
                    })
                    .collect();
                let files: Vec<(i64, Vec<u8>)> = built
                    .iter_mut()
                    .filter_map(|b| b.as_mut().ok())
                    .map(|(id, bytes, _)| (*id, std::mem::take(bytes)))
                    .collect();
                let (mut paths, failed) = match write_emls(dir, files).await {
                    Ok(paths) => (paths.into_iter(), None),
                    Err(e) => (Vec::new().into_iter(), Some(e)),
                };
                built
                    .into_iter()
                    .map(|b| {
                        let (_, _, links) = b?;
                        let path = match (&failed, paths.next()) {
                            (None, Some(path)) => path,
                            (Some(e), _) => {
                                return Err(MailError::File(std::io::Error::new(
                                    e.kind(),
                                    e.to_string(),
                                )));
                            }
                            (None, None) => {
                                return Err(MailError::File(std::io::Error::other(
                                    "the email was not written",
                                )));
                            }
                        };
                        // The console is where a newcomer without SMTP finds their links.
                        // The links carry tokens but no personal data; the address stays in
                        // the file.
                        tracing::info!(file = %path.display(), links = ?links, "email written");
                        Ok(())
                    })
                    .collect()
            }
        }
    }

    /// Renders an outbox email into a message, with the links its text holds (for the
    /// console, when emails are files).
    fn message(
        &self,
        email: &OutboxEmail,
        attachment: Option<Attached>,
    ) -> Result<(Message, Vec<String>), MailError> {
        let rendered = messages::render(email.kind, &email.params)?;
        // A bare address: what the outbox holds (parsed as a mailbox, with a name, it took
        // lettre's general parser, once here and twice more to derive the envelope).
        let to: Address = email.recipient.parse().map_err(|_| MailError::Recipient)?;
        let envelope = Envelope::new(Some(self.from.email.clone()), vec![to.clone()])
            .map_err(MailError::Build)?;
        // Only the files' console line shows the links; over SMTP, or with that line not
        // logged, they are not collected.
        let links: Vec<String> = match self.transport {
            Transport::Files(_) if tracing::enabled!(tracing::Level::INFO) => rendered
                .text
                .split_ascii_whitespace()
                .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
                .map(str::to_owned)
                .collect(),
            Transport::Files(_) | Transport::Smtp(_) => Vec::new(),
        };
        let body = MultiPart::alternative()
            .singlepart(SinglePart::plain(encoding::text_body(&rendered.text)))
            .singlepart(SinglePart::html(encoding::text_body(&rendered.html)));
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
            .to(Mailbox::new(None, to))
            .envelope(envelope)
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
        Ok((message, links))
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

/// Writes each email to `DIR/<outbox id>.eml`, atomically (a temporary name, then a
/// rename), so that a reader never sees half an email, and makes the group durable with one
/// flush of the file system before answering: an email is recorded as sent only once its
/// file would survive a power cut. An email whose file is there already (sent again after a
/// crash) replaces it.
/// The folder and the files are their owner's alone: an email holds its recipient's address.
async fn write_emls(dir: &Path, files: Vec<(i64, Vec<u8>)>) -> std::io::Result<Vec<PathBuf>> {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || {
        files::private_dir(&dir)?;
        let mut written = Vec::with_capacity(files.len());
        for (id, bytes) in &files {
            let path = dir.join(format!("{id:08}.eml"));
            // A temporary file left by a crash is overwritten.
            let temporary = dir.join(format!(".{id:08}.eml.tmp"));
            let mut file = files::private_file(&temporary)?;
            std::io::Write::write_all(&mut file, bytes)?;
            std::fs::rename(&temporary, &path)?;
            written.push((path, file));
        }
        flush(&dir, written.iter().map(|(_, file)| file))?;
        Ok(written.into_iter().map(|(path, _)| path).collect())
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Makes the files just written in `dir`, and their names, durable. On Linux one `syncfs`
/// does it for all of them, where one `fsync` per file would cost a journal commit each.
fn flush<'a>(dir: &Path, files: impl Iterator<Item = &'a std::fs::File>) -> std::io::Result<()> {
    let folder = std::fs::File::open(dir)?;
    #[cfg(target_os = "linux")]
    {
        drop(files);
        rustix::fs::syncfs(&folder)?;
    }
    #[cfg(not(target_os = "linux"))]
    {
        for file in files {
            file.sync_all()?;
        }
        folder.sync_all()?;
    }
    Ok(())
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
