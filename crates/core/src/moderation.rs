//! Moderation: what a moderator may do to a signature, the reason a rejection needs, and the
//! filters of the moderation queue, validated when parsed (a filter that cannot be read is
//! refused with a message, never ignored).

use std::{fmt, str::FromStr};

use serde::Deserialize;

use crate::{
    EmailAddress, SignatureState,
    text::{Lines, TextError, clean},
    unknown::{UnknownValue, parse_name},
};

/// Why a moderator rejects a signature: required, one to 500 characters, on one line. The
/// organisers' own words: recorded in the audit trail and shown to organisers only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(input: &str) -> Result<Self, ReasonError> {
        clean(input, Self::MAX_CHARS, Lines::Single)
            .map(Self)
            .map_err(|e| match e {
                TextError::Empty => ReasonError::Missing,
                other => ReasonError::Invalid(other),
            })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error("Give a reason for rejecting: the other organisers see it in the audit trail.")]
    Missing,
    #[error("The reason: {0}")]
    Invalid(TextError),
}

/// A moderator's action on one signature (or, in bulk, on each of many).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Held → published.
    Approve,
    /// Published → hidden (a remove entry), undoable for a while.
    Hide,
    /// Hidden → published again (a new add entry).
    Undo,
    /// Held or published → rejected, with a reason.
    Reject,
}

impl Action {
    pub const ALL: [Action; 4] = [Self::Approve, Self::Hide, Self::Undo, Self::Reject];
    /// The actions that can be applied in bulk.
    pub const BULK: [Action; 3] = [Self::Approve, Self::Hide, Self::Reject];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Hide => "hide",
            Self::Undo => "undo",
            Self::Reject => "reject",
        }
    }

    /// The verb for a page: "approve", "hide", "restore", "reject".
    pub fn verb(self) -> &'static str {
        match self {
            Self::Undo => "restore",
            other => other.as_str(),
        }
    }

    /// The states a signature may be in for this action.
    pub fn applies_to(self) -> &'static [SignatureState] {
        match self {
            Self::Approve => &[SignatureState::Held],
            Self::Hide => &[SignatureState::Published],
            Self::Undo => &[SignatureState::Hidden],
            Self::Reject => &[SignatureState::Held, SignatureState::Published],
        }
    }
}

impl FromStr for Action {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_name(&Self::ALL, Self::as_str, "moderation action", s.trim())
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Individual or organisation signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignerKind {
    Individual,
    Organisation,
}

impl SignerKind {
    pub const ALL: [SignerKind; 2] = [Self::Individual, Self::Organisation];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Individual => "individual",
            Self::Organisation => "organisation",
        }
    }
}

impl FromStr for SignerKind {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_name(&Self::ALL, Self::as_str, "signer kind", s)
    }
}

/// The queue's filters as the query string carries them (`category`, `kind`, `state`,
/// `from`, `to`, `q`), before validation. Empty means "any".
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct FilterInput {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub q: String,
}

/// What the search box looks for. Names are sealed at rest, so a name cannot be found
/// with an index: an address is matched exactly through its keyed hash (the index the
/// duplicate check uses), and anything else is matched against the names of a bounded
/// scan, page by page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    /// The signer with this address.
    Email(EmailAddress),
    /// Names containing this text, compared case-insensitively (lower-cased here).
    Name(String),
}

/// The queue's filters, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// A category id of the letter (checked against the letter by the caller).
    pub category: Option<i64>,
    pub kind: Option<SignerKind>,
    pub state: Option<SignatureState>,
    /// Signed on or after this day (unix seconds at 00:00 UTC).
    pub from: Option<i64>,
    /// Signed before the end of this day (unix seconds at 00:00 UTC of the next day).
    pub until: Option<i64>,
    pub search: Option<Search>,
}

/// A filter value that cannot be read, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("Choose a category of this letter.")]
    Category,
    #[error("Choose a kind: individual or organisation.")]
    Kind,
    #[error("Choose a state: pending, confirmed, held, published, hidden, rejected or withdrawn.")]
    State,
    #[error("Write the date signed from as YYYY-MM-DD, for example 2026-12-01.")]
    From,
    #[error("Write the date signed to as YYYY-MM-DD, for example 2026-12-31.")]
    To,
    #[error("The date signed to is before the date signed from.")]
    Range,
    #[error("The search: {0}")]
    Search(TextError),
}

impl Filter {
    pub const MAX_SEARCH_CHARS: usize = 200;

    /// Validates the query string's filters; `categories` are the letter's category ids.
    pub fn parse(input: &FilterInput, categories: &[i64]) -> Result<Self, FilterError> {
        let category = match input.category.trim() {
            "" => None,
            text => Some(
                text.parse::<i64>()
                    .ok()
                    .filter(|id| categories.contains(id))
                    .ok_or(FilterError::Category)?,
            ),
        };
        let kind = match input.kind.trim() {
            "" => None,
            text => Some(text.parse().map_err(|_| FilterError::Kind)?),
        };
        let state = match input.state.trim() {
            "" => None,
            text => Some(text.parse().map_err(|_| FilterError::State)?),
        };
        let from = match input.from.trim() {
            "" => None,
            text => Some(day_start(text).ok_or(FilterError::From)?),
        };
        let until = match input.to.trim() {
            "" => None,
            text => Some(day_start(text).ok_or(FilterError::To)? + 86_400),
        };
        if let (Some(from), Some(until)) = (from, until)
            && until <= from
        {
            return Err(FilterError::Range);
        }
        let search = match input.q.trim() {
            "" => None,
            text => {
                let text = clean(text, Self::MAX_SEARCH_CHARS, Lines::Single)
                    .map_err(FilterError::Search)?;
                Some(if text.contains('@') {
                    match EmailAddress::parse(&text) {
                        Ok(email) => Search::Email(email),
                        Err(_) => Search::Name(text.to_lowercase()),
                    }
                } else {
                    Search::Name(text.to_lowercase())
                })
            }
        };
        Ok(Self {
            category,
            kind,
            state,
            from,
            until,
            search,
        })
    }

    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Unix seconds at 00:00 UTC of the day `YYYY-MM-DD` (years 1970 to 9999).
fn day_start(text: &str) -> Option<i64> {
    let mut parts = text.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(y) && all_digits(m) && all_digits(d)) {
        return None;
    }
    let (y, m, d): (i64, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if y < 1970 || !(1..=12).contains(&m) {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=days_in_month).contains(&d) {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_as_utc_midnights_and_impossible_ones_refused() {
        assert_eq!(day_start("1970-01-01"), Some(0));
        assert_eq!(day_start("2026-12-02"), Some(1_796_169_600));
        assert_eq!(day_start("2024-02-29"), Some(1_709_164_800));
        for bad in [
            "2025-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-01-01",
            "yesterday",
            "2026-01-32",
            "1969-12-31",
            "+202-01-01",
        ] {
            assert_eq!(day_start(bad), None, "{bad}");
        }
    }

    #[test]
    fn filters_are_validated_and_say_what_to_fix() {
        let parse = |input: FilterInput| Filter::parse(&input, &[4, 5]);
        assert_eq!(parse(FilterInput::default()), Ok(Filter::default()));
        let bad = [
            (
                FilterInput {
                    category: "9".into(),
                    ..Default::default()
                },
                FilterError::Category,
            ),
            (
                FilterInput {
                    kind: "robot".into(),
                    ..Default::default()
                },
                FilterError::Kind,
            ),
            (
                FilterInput {
                    state: "gone".into(),
                    ..Default::default()
                },
                FilterError::State,
            ),
            (
                FilterInput {
                    from: "2026-12-05".into(),
                    to: "2026-12-01".into(),
                    ..Default::default()
                },
                FilterError::Range,
            ),
        ];
        for (input, error) in bad {
            assert_eq!(parse(input), Err(error));
        }
        let filter = parse(FilterInput {
            category: "5".into(),
            state: "held".into(),
            from: "2026-12-01".into(),
            to: "2026-12-01".into(),
            q: " Ada  Example ".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(filter.category, Some(5));
        assert_eq!(filter.state, Some(SignatureState::Held));
        assert_eq!(filter.until.unwrap() - filter.from.unwrap(), 86_400);
        assert_eq!(filter.search, Some(Search::Name("ada example".into())));
        let by_email = parse(FilterInput {
            q: "Someone@Example.org".into(),
            ..Default::default()
        })
        .unwrap();
        assert!(matches!(by_email.search, Some(Search::Email(_))));
    }

    #[test]
    fn a_rejection_needs_a_reason() {
        assert_eq!(Reason::parse("  "), Err(ReasonError::Missing));
        assert_eq!(
            Reason::parse("Duplicate  of #12").unwrap().as_str(),
            "Duplicate of #12"
        );
        assert!(Reason::parse(&"x".repeat(501)).is_err());
    }
}
