//! The records of delivery: a letter's deliveries (scheduled, done or cancelled), who each
//! went to, and what a finished delivery writes in one transaction.

use undersigned_core::email::EmailAddress;

use crate::model::{Actor, Hash32, LetterId, LogHead, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeliveryId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Scheduled,
    Delivered,
    Cancelled,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Scheduled => "scheduled",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Cancelled => "cancelled",
        }
    }
}

impl std::str::FromStr for DeliveryStatus {
    type Err = undersigned_core::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        undersigned_core::unknown::parse_name(
            &[
                DeliveryStatus::Scheduled,
                DeliveryStatus::Delivered,
                DeliveryStatus::Cancelled,
            ],
            DeliveryStatus::as_str,
            "delivery status",
            s,
        )
    }
}

/// A delivery of a letter, as organisers and (once delivered) the public see it.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: DeliveryId,
    pub letter: LetterId,
    pub status: DeliveryStatus,
    pub scheduled_for: Timestamp,
    /// The organisers' covering note.
    pub note: Option<String>,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
    /// Published signatures in the document.
    pub signatures: Option<u64>,
    /// The log's head in the document's checkpoint.
    pub head: Option<LogHead>,
    pub checkpoint: Option<String>,
    /// The SHA-256 of the PDF that was sent.
    pub document_sha256: Option<Hash32>,
    /// Why the last attempt failed, when it did (a short code).
    pub last_error: Option<String>,
    pub recipients: Vec<DeliveryRecipient>,
}

/// A target as a delivery reached it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecipient {
    pub name: String,
    pub title: Option<String>,
    pub organisation: Option<String>,
    pub email: String,
    /// The Message-ID of the email that took the letter.
    pub message_id: String,
}

/// A delivery whose time has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueDelivery {
    pub id: DeliveryId,
    pub letter: LetterId,
}

/// A new delivery, now or later.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub actor: Actor,
    pub letter: LetterId,
    pub scheduled_for: Timestamp,
    pub note: Option<String>,
    pub now: Timestamp,
}

/// What a finished delivery writes, in one transaction: the document and checkpoint, an
/// email through the outbox to each target that has an address, the record of who it went
/// to, and the letter's move to delivered.
#[derive(Debug, Clone)]
pub struct CompletedDelivery {
    pub delivery: DeliveryId,
    pub letter: LetterId,
    pub now: Timestamp,
    pub signatures: u64,
    pub head: LogHead,
    pub checkpoint: String,
    pub pdf: Vec<u8>,
    pub emails: Vec<DeliveryEmail>,
}

/// One target's email, with its JSON parameters for the outbox. Its Message-ID is the one
/// the mailer gives the outbox row: `<outbox-{id}@{message_id_host}>`.
#[derive(Debug, Clone)]
pub struct DeliveryEmail {
    pub position: u32,
    pub name: String,
    pub title: Option<String>,
    pub organisation: Option<String>,
    pub email: EmailAddress,
    pub params: String,
    pub message_id_host: String,
}
