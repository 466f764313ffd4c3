//! What a letter asks of its targets, how each target answered each ask, and the targets'
//! responses: the types organisers' input is parsed into, which cannot hold bad data.

use std::{fmt, str::FromStr};

use crate::{
    letter::FieldErrors,
    text::{Lines, SignerTextKind, TextError, clean, signer_text, signer_text_optional},
};

/// The longest ask ("Open a conduct investigation").
pub const MAX_ASK_CHARS: usize = 300;
/// The longest condition ("if it finds misconduct").
pub const MAX_CONDITION_CHARS: usize = 300;
/// The longest note on a status change.
pub const MAX_NOTE_CHARS: usize = 300;
/// The longest response text (Markdown).
pub const MAX_RESPONSE_CHARS: usize = 50_000;
/// The most asks a letter may have.
pub const MAX_ASKS: usize = 50;
/// The largest document attached to a response.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// An ask as organisers write it: its text and an optional condition, both plain text on
/// one line, without direction controls or invisible characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AskContent {
    text: String,
    condition: Option<String>,
}

impl AskContent {
    /// Parses the form's `text` and `condition`; the errors are keyed by those names.
    pub fn parse(text: &str, condition: &str) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let text = signer_text(text, MAX_ASK_CHARS, Lines::Single, SignerTextKind::Other)
            .map_err(|e| errors.add("text", ask_error(e)))
            .ok();
        let condition = signer_text_optional(condition, MAX_CONDITION_CHARS, Lines::Single)
            .map_err(|e| errors.add("condition", e))
            .ok();
        match (text, condition) {
            (Some(text), Some(condition)) if errors.is_empty() => Ok(Self { text, condition }),
            _ => Err(errors),
        }
    }

    /// Content read back from the store (which only holds parsed content).
    pub fn stored(text: String, condition: Option<String>) -> Self {
        Self { text, condition }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn condition(&self) -> Option<&str> {
        self.condition.as_deref()
    }
}

fn ask_error(e: TextError) -> String {
    match e {
        TextError::Empty => {
            "Write what the letter asks, for example “Open a conduct investigation”.".into()
        }
        other => other.to_string(),
    }
}

/// Where an ask stands with one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AskStatus {
    #[default]
    Pending,
    Met,
    Refused,
    Superseded,
}

impl AskStatus {
    pub const ALL: [AskStatus; 4] = [
        AskStatus::Pending,
        AskStatus::Met,
        AskStatus::Refused,
        AskStatus::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AskStatus::Pending => "pending",
            AskStatus::Met => "met",
            AskStatus::Refused => "refused",
            AskStatus::Superseded => "superseded",
        }
    }

    /// How the timeline says a target moved an ask to this status ("refused ask 2").
    pub fn verb(self) -> &'static str {
        match self {
            AskStatus::Pending => "has yet to answer",
            AskStatus::Met => "met",
            AskStatus::Refused => "refused",
            AskStatus::Superseded => "saw superseded",
        }
    }
}

impl fmt::Display for AskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Choose a status: pending, met, refused or superseded.")]
pub struct AskStatusError;

impl FromStr for AskStatus {
    type Err = AskStatusError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AskStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s.trim())
            .ok_or(AskStatusError)
    }
}

/// A calendar day an organiser gives (when a response arrived, when a target refused), as
/// `YYYY-MM-DD`, between the years 1900 and 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventDate {
    year: u16,
    month: u8,
    day: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Give a date as year-month-day, for example 2026-12-12.")]
pub struct EventDateError;

impl EventDate {
    /// The day of `unix_seconds` (UTC).
    pub fn of_unix(unix_seconds: i64) -> Self {
        let days = unix_seconds.div_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = if m <= 2 { y + 1 } else { y };
        Self {
            year: u16::try_from(y.clamp(1900, 9999)).unwrap_or(1900),
            month: u8::try_from(m).unwrap_or(1),
            day: u8::try_from(d).unwrap_or(1),
        }
    }

    /// "12 Dec 2026".
    pub fn human(self) -> String {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let month = MONTHS[usize::from(self.month - 1)];
        format!("{} {month} {}", self.day, self.year)
    }

    /// The day after this one, so that "not after tomorrow" can be checked (clocks and
    /// time zones differ by a day at most).
    pub fn next_day(self) -> Self {
        if self.day < days_in_month(self.year, self.month) {
            Self {
                day: self.day + 1,
                ..self
            }
        } else if self.month < 12 {
            Self {
                month: self.month + 1,
                day: 1,
                ..self
            }
        } else {
            Self {
                year: self.year.saturating_add(1).min(9999),
                month: 1,
                day: 1,
            }
        }
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        _ => 28,
    }
}

impl FromStr for EventDate {
    type Err = EventDateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let bytes = s.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(EventDateError);
        }
        let digits = |range: std::ops::Range<usize>| -> Result<u16, EventDateError> {
            let part = &s[range];
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(EventDateError);
            }
            part.parse().map_err(|_| EventDateError)
        };
        let year = digits(0..4)?;
        let month = u8::try_from(digits(5..7)?).map_err(|_| EventDateError)?;
        let day = u8::try_from(digits(8..10)?).map_err(|_| EventDateError)?;
        if !(1900..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
        {
            return Err(EventDateError);
        }
        Ok(Self { year, month, day })
    }
}

impl fmt::Display for EventDate {
    /// `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// An optional short note on a status change ("in a letter to the coalition").
pub fn parse_note(input: &str) -> Result<Option<String>, TextError> {
    signer_text_optional(input, MAX_NOTE_CHARS, Lines::Single)
}

/// A response's text: Markdown, rendered with the sanitising renderer when shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseText(String);

impl ResponseText {
    pub fn parse(input: &str) -> Result<Self, String> {
        clean(input, MAX_RESPONSE_CHARS, Lines::Multi)
            .map(Self)
            .map_err(|e| match e {
                TextError::Empty => {
                    "Write what the target answered (or a summary of it).".to_owned()
                }
                other => other.to_string(),
            })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The kinds of document a response may carry, told by their first bytes (never by the
/// file's name or the type the browser claims).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    Pdf,
    Png,
    Jpeg,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("Attach a PDF, PNG or JPEG file: this file is none of these.")]
    UnknownKind,
    #[error("A document may be at most 10 MB. Attach a smaller file.")]
    TooLarge,
}

impl DocumentKind {
    /// What `bytes` are, from their magic bytes.
    pub fn sniff(bytes: &[u8]) -> Result<Self, DocumentError> {
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(DocumentError::TooLarge);
        }
        if bytes.starts_with(b"%PDF-") {
            Ok(DocumentKind::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Ok(DocumentKind::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Ok(DocumentKind::Jpeg)
        } else {
            Err(DocumentError::UnknownKind)
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "application/pdf",
            DocumentKind::Png => "image/png",
            DocumentKind::Jpeg => "image/jpeg",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "pdf",
            DocumentKind::Png => "png",
            DocumentKind::Jpeg => "jpg",
        }
    }

    /// The word stored in the database.
    pub fn as_str(self) -> &'static str {
        self.extension()
    }
}

impl FromStr for DocumentKind {
    type Err = DocumentError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pdf" => Ok(DocumentKind::Pdf),
            "png" => Ok(DocumentKind::Png),
            "jpg" => Ok(DocumentKind::Jpeg),
            _ => Err(DocumentError::UnknownKind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_are_plain_bounded_text() {
        let ask = AskContent::parse("  Open a   conduct investigation ", " ").unwrap();
        assert_eq!(ask.text(), "Open a conduct investigation");
        assert_eq!(ask.condition(), None);
        let errors = AskContent::parse("", "x").unwrap_err();
        assert!(errors.get("text").is_some());
        let errors = AskContent::parse(&"a".repeat(301), "").unwrap_err();
        assert_eq!(errors.get("text"), Some("Use at most 300 characters."));
        let errors = AskContent::parse("Fine", "evil\u{202E}txt").unwrap_err();
        assert!(errors.get("condition").is_some());
    }

    #[test]
    fn statuses_round_trip() {
        for status in AskStatus::ALL {
            assert_eq!(status.as_str().parse::<AskStatus>(), Ok(status));
        }
        assert!("done".parse::<AskStatus>().is_err());
    }

    #[test]
    fn dates_are_real_days() {
        let date: EventDate = "2026-12-12".parse().unwrap();
        assert_eq!(date.to_string(), "2026-12-12");
        assert_eq!(date.human(), "12 Dec 2026");
        assert!("2024-02-29".parse::<EventDate>().is_ok());
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "12/12/2026",
            "2026-1-1",
            "",
            "1899-12-31",
            "+026-12-12",
        ] {
            assert!(bad.parse::<EventDate>().is_err(), "{bad}");
        }
        assert_eq!(EventDate::of_unix(0).to_string(), "1970-01-01");
        assert_eq!(EventDate::of_unix(1_798_675_200).to_string(), "2026-12-31");
        assert_eq!(
            "2026-12-31"
                .parse::<EventDate>()
                .unwrap()
                .next_day()
                .to_string(),
            "2027-01-01"
        );
    }

    #[test]
    fn documents_are_told_by_their_bytes() {
        assert_eq!(DocumentKind::sniff(b"%PDF-1.7\n"), Ok(DocumentKind::Pdf));
        assert_eq!(
            DocumentKind::sniff(b"\x89PNG\r\n\x1a\n...."),
            Ok(DocumentKind::Png)
        );
        assert_eq!(
            DocumentKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Ok(DocumentKind::Jpeg)
        );
        assert_eq!(
            DocumentKind::sniff(b"<!doctype html><script>"),
            Err(DocumentError::UnknownKind)
        );
        assert_eq!(
            DocumentKind::sniff(&vec![b'%'; MAX_DOCUMENT_BYTES + 1]),
            Err(DocumentError::TooLarge)
        );
    }
}
