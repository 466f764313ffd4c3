//! Which of a letter's signatures an organiser asks for: by category, kind, state, how an
//! organisation was verified, the day they were signed, and a search. The same words
//! (`category`, `kind`, `state`, `verification`, `from`, `to`, `q`) name the filters of the
//! moderation queue, its bulk actions and every export, in a query string, a form and on the
//! command line; one type validates them all (a filter that cannot be read is refused with a
//! message, never ignored).

use std::{fmt, str::FromStr};

use serde::Deserialize;

use crate::{
    EmailAddress, SignatureState,
    organisation::Verification,
    text::{Lines, TextError, clean},
    unknown::{UnknownValue, parse_name},
};

/// Who signed: a person, or an organisation through a person authorised to sign for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureKind {
    Individual,
    Organisation,
}

impl SignatureKind {
    pub const ALL: [SignatureKind; 2] = [Self::Individual, Self::Organisation];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Individual => "individual",
            Self::Organisation => "organisation",
        }
    }
}

impl FromStr for SignatureKind {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_name(&Self::ALL, Self::as_str, "signature kind", s)
    }
}

impl fmt::Display for SignatureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A calendar day (UTC), written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    year: i64,
    month: u32,
    day: u32,
}

impl Day {
    /// Parses `YYYY-MM-DD` (a real day of the Gregorian calendar, years 1970 to 9999).
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| {
            bytes
                .get(range.clone())
                .filter(|b| b.iter().all(u8::is_ascii_digit))
                .and_then(|_| text.get(range))
                .and_then(|s| s.parse::<u32>().ok())
        };
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        if year < 1970 || day == 0 || day > days_in_month {
            return None;
        }
        Some(Self {
            year: i64::from(year),
            month,
            day,
        })
    }

    /// Days since 1970-01-01, from Howard Hinnant's `days_from_civil`.
    fn days_since_epoch(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = if m <= 2 { self.year - 1 } else { self.year };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The Unix time at which the day starts (00:00 UTC).
    pub fn start(self) -> i64 {
        self.days_since_epoch() * 86_400
    }

    /// The Unix time at which the next day starts.
    pub fn end(self) -> i64 {
        self.start() + 86_400
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Which organisation signatures, by how they were verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerificationFilter {
    /// Verified, by domain or by an organiser.
    Verified,
    /// Verified because the signer confirmed an address on the organisation's domain.
    Domain,
    /// Verified by an organiser.
    Organiser,
    /// Not verified (yet): those held wait for an organiser to verify them.
    Unverified,
}

impl VerificationFilter {
    pub const ALL: [VerificationFilter; 4] = [
        Self::Verified,
        Self::Domain,
        Self::Organiser,
        Self::Unverified,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Domain => "domain",
            Self::Organiser => "organiser",
            Self::Unverified => "unverified",
        }
    }

    /// Whether an organisation signature verified as `verified` (None: not verified) passes.
    pub fn admits(self, verified: Option<Verification>) -> bool {
        match self {
            Self::Verified => verified.is_some(),
            Self::Domain => verified == Some(Verification::Domain),
            Self::Organiser => verified == Some(Verification::Organiser),
            Self::Unverified => verified.is_none(),
        }
    }
}

impl FromStr for VerificationFilter {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_name(&Self::ALL, Self::as_str, "verification", s)
    }
}

impl fmt::Display for VerificationFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
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

/// The filters as typed (a query string, a form, or command-line options): empty means
/// "any". The moderation queue, its bulk actions and both exports (HTTP and command line)
/// read these same words.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct SignatureFilterInput {
    /// A category's name, as the letter spells it (or its id, as older links wrote it).
    #[serde(default)]
    pub category: String,
    /// `individual` or `organisation`.
    #[serde(default)]
    pub kind: String,
    /// A signature state: `pending`, `published`, …
    #[serde(default)]
    pub state: String,
    /// How an organisation's signature was verified: `verified`, `domain`, `organiser`
    /// or `unverified`.
    #[serde(default)]
    pub verification: String,
    /// Signed on or after this day (`YYYY-MM-DD`, UTC).
    #[serde(default)]
    pub from: String,
    /// Signed on or before this day (`YYYY-MM-DD`, UTC).
    #[serde(default)]
    pub to: String,
    /// A name, or an exact email address.
    #[serde(default)]
    pub q: String,
}

impl SignatureFilterInput {
    /// The filters that are set, as query-string pairs in a fixed order (trimmed), to carry
    /// them to the next page, a bulk action or an export.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        [
            ("category", &self.category),
            ("kind", &self.kind),
            ("state", &self.state),
            ("verification", &self.verification),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, v.trim().to_owned()))
        .collect()
    }

    /// Reads the filters from named values (a form's fields), missing ones empty.
    pub fn from_fields(get: impl Fn(&str) -> Option<String>) -> Self {
        let get = |key: &str| get(key).unwrap_or_default();
        Self {
            category: get("category"),
            kind: get("kind"),
            state: get("state"),
            verification: get("verification"),
            from: get("from"),
            to: get("to"),
            q: get("q"),
        }
    }
}

/// A valid filter: each part is one the letter knows, and the days are in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignatureFilter {
    /// The category's id and name.
    pub category: Option<(i64, String)>,
    pub kind: Option<SignatureKind>,
    pub state: Option<SignatureState>,
    /// Only organisation signatures, verified this way.
    pub verification: Option<VerificationFilter>,
    /// Signed on or after this day.
    pub from: Option<Day>,
    /// Signed on or before this day.
    pub to: Option<Day>,
    pub search: Option<Search>,
}

/// Why a filter was refused; the message says what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("The letter has no category {given:?}. Its categories are: {known}.")]
    UnknownCategory { given: String, known: String },
    #[error("Unknown kind {0:?}: write individual or organisation.")]
    UnknownKind(String),
    #[error("Unknown state {given:?}: write one of {known}.")]
    UnknownState { given: String, known: String },
    #[error(
        "Unknown verification {0:?}: write verified, domain, organiser or unverified \
         (organisations not verified yet)."
    )]
    UnknownVerification(String),
    #[error("{field} {given:?} is not a date: write it as YYYY-MM-DD, e.g. 2026-11-28.")]
    BadDate { field: &'static str, given: String },
    #[error("The first day ({from}) is after the last day ({to}): swap them.")]
    DaysReversed { from: Day, to: Day },
    #[error("The search: {0}")]
    Search(TextError),
}

impl SignatureFilter {
    pub const MAX_SEARCH_CHARS: usize = 200;

    /// Checks `input` against the letter's categories (id and name). A category is named
    /// as the letter spells it; an id of one of the letter's categories is taken too.
    pub fn parse(
        input: &SignatureFilterInput,
        categories: &[(i64, &str)],
    ) -> Result<Self, FilterError> {
        let category = match input.category.trim() {
            "" => None,
            given => Some(
                categories
                    .iter()
                    .find(|(_, name)| *name == given)
                    .or_else(|| {
                        let id = given.parse::<i64>().ok()?;
                        categories.iter().find(|(known, _)| *known == id)
                    })
                    .map(|(id, name)| (*id, (*name).to_owned()))
                    .ok_or_else(|| FilterError::UnknownCategory {
                        given: given.to_owned(),
                        known: categories
                            .iter()
                            .map(|(_, name)| *name)
                            .collect::<Vec<_>>()
                            .join(", "),
                    })?,
            ),
        };
        let kind = match input.kind.trim() {
            "" => None,
            given => Some(
                given
                    .parse::<SignatureKind>()
                    .map_err(|_| FilterError::UnknownKind(given.to_owned()))?,
            ),
        };
        let state = match input.state.trim() {
            "" => None,
            given => Some(given.parse::<SignatureState>().map_err(|_| {
                FilterError::UnknownState {
                    given: given.to_owned(),
                    known: SignatureState::ALL
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })?),
        };
        let verification = match input.verification.trim() {
            "" => None,
            given => Some(
                given
                    .parse::<VerificationFilter>()
                    .map_err(|_| FilterError::UnknownVerification(given.to_owned()))?,
            ),
        };
        let day = |field: &'static str, text: &str| match text.trim() {
            "" => Ok(None),
            given => Day::parse(given)
                .map(Some)
                .ok_or_else(|| FilterError::BadDate {
                    field,
                    given: given.to_owned(),
                }),
        };
        let from = day("from", &input.from)?;
        let to = day("to", &input.to)?;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(FilterError::DaysReversed { from, to });
        }
        let search = match input.q.trim() {
            "" => None,
            text => {
                let text = clean(text, Self::MAX_SEARCH_CHARS, Lines::Single)
                    .map_err(FilterError::Search)?;
                Some(match EmailAddress::parse(&text) {
                    Ok(email) if text.contains('@') => Search::Email(email),
                    _ => Search::Name(text.to_lowercase()),
                })
            }
        };
        Ok(Self {
            category,
            kind,
            state,
            verification,
            from,
            to,
            search,
        })
    }

    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The category's id, if the filter names one.
    pub fn category_id(&self) -> Option<i64> {
        self.category.as_ref().map(|(id, _)| *id)
    }

    /// Signed at or after this Unix time.
    pub fn signed_from(&self) -> Option<i64> {
        self.from.map(Day::start)
    }

    /// Signed before this Unix time.
    pub fn signed_before(&self) -> Option<i64> {
        self.to.map(Day::end)
    }

    /// The filter as the query string that asks for it (`category=… state=…`), empty when
    /// it lets everything through; for the audit trail. A search is said, not quoted: it
    /// may hold a signer's address.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some((_, name)) = &self.category {
            parts.push(format!("category={name}"));
        }
        if let Some(kind) = self.kind {
            parts.push(format!("kind={kind}"));
        }
        if let Some(state) = self.state {
            parts.push(format!("state={}", state.as_str()));
        }
        if let Some(verification) = self.verification {
            parts.push(format!("verification={verification}"));
        }
        if let Some(from) = self.from {
            parts.push(format!("from={from}"));
        }
        if let Some(to) = self.to {
            parts.push(format!("to={to}"));
        }
        if self.search.is_some() {
            parts.push("with a search".to_owned());
        }
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATEGORIES: [(i64, &str); 2] = [(3, "Organisation"), (4, "Survivor")];

    fn input(
        category: &str,
        kind: &str,
        state: &str,
        from: &str,
        to: &str,
    ) -> SignatureFilterInput {
        SignatureFilterInput {
            category: category.into(),
            kind: kind.into(),
            state: state.into(),
            from: from.into(),
            to: to.into(),
            ..Default::default()
        }
    }

    #[test]
    fn days_parse_and_start_at_midnight_utc() {
        assert_eq!(Day::parse("1970-01-01").unwrap().start(), 0);
        assert_eq!(Day::parse("2026-11-28").unwrap().start(), 1_795_824_000);
        assert_eq!(Day::parse("2000-02-29").unwrap().start(), 951_782_400);
        assert_eq!(Day::parse("2000-02-29").unwrap().end(), 951_868_800);
        assert_eq!(Day::parse("2026-11-28").unwrap().to_string(), "2026-11-28");
        for bad in [
            "",
            "2026-2-28",
            "2026-02-30",
            "2025-02-29",
            "1900-02-28",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
            "26-01-01x",
            "２０２６-01-01",
            "2026/01/01",
            "+026-01-01",
            "2026-01-1 ",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn an_empty_filter_lets_everything_through() {
        let filter = SignatureFilter::parse(&SignatureFilterInput::default(), &CATEGORIES).unwrap();
        assert_eq!(filter, SignatureFilter::default());
        assert_eq!(filter.describe(), "");
    }

    #[test]
    fn a_full_filter_parses_and_describes_itself() {
        let filter = SignatureFilter::parse(
            &input(
                " Survivor ",
                "organisation",
                "published",
                "2026-11-01",
                "2026-11-01",
            ),
            &CATEGORIES,
        )
        .unwrap();
        assert_eq!(filter.category_id(), Some(4));
        assert_eq!(filter.kind, Some(SignatureKind::Organisation));
        assert_eq!(filter.state, Some(SignatureState::Published));
        assert_eq!(
            filter.signed_before().unwrap() - filter.signed_from().unwrap(),
            86_400
        );
        assert_eq!(
            filter.describe(),
            "category=Survivor kind=organisation state=published from=2026-11-01 to=2026-11-01"
        );
    }

    #[test]
    fn each_bad_value_says_what_to_write() {
        let error = |i| {
            SignatureFilter::parse(&i, &CATEGORIES)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            error(input("Activist", "", "", "", "")),
            "The letter has no category \"Activist\". Its categories are: Organisation, Survivor."
        );
        assert_eq!(
            error(input("", "robot", "", "", "")),
            "Unknown kind \"robot\": write individual or organisation."
        );
        assert!(error(input("", "", "lost", "", "")).contains("pending, confirmed, held"));
        assert!(error(input("", "", "", "yesterday", "")).contains("YYYY-MM-DD"));
        assert!(error(input("", "", "", "", "2026-02-30")).starts_with("to \"2026-02-30\""));
        assert_eq!(
            error(input("", "", "", "2026-12-01", "2026-11-01")),
            "The first day (2026-12-01) is after the last day (2026-11-01): swap them."
        );
    }

    #[test]
    fn categories_are_named_or_given_by_id() {
        let by_id = SignatureFilter::parse(&input("4", "", "", "", ""), &CATEGORIES).unwrap();
        assert_eq!(by_id.category, Some((4, "Survivor".to_owned())));
        for bad in ["9", "abc", "survivor"] {
            assert!(matches!(
                SignatureFilter::parse(&input(bad, "", "", "", ""), &CATEGORIES),
                Err(FilterError::UnknownCategory { .. })
            ));
        }
    }

    #[test]
    fn verification_and_search_parse() {
        let parse = |verification: &str, q: &str| {
            SignatureFilter::parse(
                &SignatureFilterInput {
                    verification: verification.into(),
                    q: q.into(),
                    ..Default::default()
                },
                &CATEGORIES,
            )
        };
        for v in VerificationFilter::ALL {
            assert_eq!(parse(v.as_str(), "").unwrap().verification, Some(v));
        }
        assert_eq!(
            parse("maybe", "").unwrap_err().to_string(),
            "Unknown verification \"maybe\": write verified, domain, organiser or unverified \
             (organisations not verified yet)."
        );
        assert!(VerificationFilter::Verified.admits(Some(Verification::Organiser)));
        assert!(!VerificationFilter::Domain.admits(Some(Verification::Organiser)));
        assert!(VerificationFilter::Unverified.admits(None));
        assert!(!VerificationFilter::Unverified.admits(Some(Verification::Domain)));

        let filter = parse("", " Ada  Example ").unwrap();
        assert_eq!(filter.search, Some(Search::Name("ada example".into())));
        assert_eq!(filter.describe(), "with a search");
        assert!(matches!(
            parse("", "Someone@Example.org").unwrap().search,
            Some(Search::Email(_))
        ));
        assert!(matches!(
            parse("", "not@an address").unwrap().search,
            Some(Search::Name(_))
        ));
        assert!(matches!(
            parse("", &"x".repeat(201)),
            Err(FilterError::Search(_))
        ));
    }

    #[test]
    fn set_filters_become_query_pairs() {
        let input = SignatureFilterInput {
            kind: " organisation ".into(),
            verification: "unverified".into(),
            q: "Ada".into(),
            ..Default::default()
        };
        assert_eq!(
            input.pairs(),
            [
                ("kind", "organisation".to_owned()),
                ("verification", "unverified".to_owned()),
                ("q", "Ada".to_owned())
            ]
        );
    }
}
