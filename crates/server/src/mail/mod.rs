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
    message::{Mailbox, MultiPart},
};
use undersigned_store::OutboxEmail;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the SMTP URL is not valid")]
    SmtpUrl(#[source] lettre::transport::smtp::Error),
    #[error("the From address {0:?} is not valid")]
    From(String),
    #[error("the recipient address is not valid")]
    Recipient,
    #[error("could not build the message")]
    Build(#[source] lettre::error::Error),
    #[error("the SMTP server refused the message for good")]
    Permanent(#[source] lettre::transport::smtp::Error),
    #[error("the SMTP server could not take the message now")]
    Transient(#[source] lettre::transport::smtp::Error),
    #[error("could not write the email file")]
    File(#[source] std::io::Error),
}

impl MailError {
    /// Whether trying again later could succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, MailError::Transient(_) | MailError::File(_))
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
                    .build(),
            ),
            None => Transport::Files(mail_dir.to_owned()),
        };
        Ok(Self {
            transport,
            from: from.parse().map_err(|_| MailError::From(from.to_owned()))?,
            host: host.split(':').next().unwrap_or("localhost").to_owned(),
        })
    }

    pub fn describe(&self) -> &'static str {
        match self.transport {
            Transport::Smtp(_) => "SMTP",
            Transport::Files(_) => ".eml files in the data folder",
        }
    }

    /// Sends one outbox email. Its Message-ID is derived from the outbox row, so that a
    /// retry after a crash is recognisable as the same message.
    pub async fn send(&self, email: &OutboxEmail) -> Result<(), MailError> {
        let to: Mailbox = email.recipient.parse().map_err(|_| MailError::Recipient)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.as_str())
            .message_id(Some(format!("<outbox-{}@{}>", email.id, self.host)))
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .map_err(MailError::Build)?;
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
                let links: Vec<&str> = email
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

/// Writes the file atomically (temporary name, fsync, rename), so that a reader never sees
/// half an email.
async fn write_eml(dir: &Path, id: i64, bytes: &[u8]) -> std::io::Result<PathBuf> {
    tokio::fs::create_dir_all(dir).await?;
    let path = dir.join(format!("{id:08}.eml"));
    let temporary = dir.join(format!(".{id:08}.eml.tmp"));
    let mut file = tokio::fs::File::create(&temporary).await?;
    tokio::io::AsyncWriteExt::write_all(&mut file, bytes).await?;
    file.sync_all().await?;
    tokio::fs::rename(&temporary, &path).await?;
    Ok(path)
}
