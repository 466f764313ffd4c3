//! What organisers give to deliver a letter: a time (now, or later in UTC), a covering note,
//! and each target's delivery address.

use crate::{
    email::EmailAddress,
    text::{Lines, clean_optional},
};

/// The furthest ahead a closing date or a delivery may be set.
pub const MAX_AHEAD_SECONDS: i64 = 2 * 366 * 86_400;

/// A time in the future, as a form's `datetime-local` field gives it ("2026-12-24T18:00",
/// read as UTC), within [`MAX_AHEAD_SECONDS`] of now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FutureTime(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("Give a date and time, like 2026-12-24 18:00 (UTC).")]
    Unreadable,
    #[error("Give a time in the future.")]
    Past,
    #[error("Give a time within two years.")]
    TooFar,
}

impl FutureTime {
    pub fn parse(input: &str, now: i64) -> Result<Self, TimeError> {
        let at = parse_utc(input.trim()).ok_or(TimeError::Unreadable)?;
        if at <= now {
            Err(TimeError::Past)
        } else if at - now > MAX_AHEAD_SECONDS {
            Err(TimeError::TooFar)
        } else {
            Ok(Self(at))
        }
    }

    /// Unix seconds.
    pub fn unix(self) -> i64 {
        self.0
    }
}

/// "YYYY-MM-DDTHH:MM" or "YYYY-MM-DD HH:MM", optionally with ":SS", as UTC unix seconds.
fn parse_utc(input: &str) -> Option<i64> {
    let (date, time) = input.split_once(['T', ' '])?;
    let mut d = date.split('-');
    let (y, m, day) = (
        d.next()?.parse::<i64>().ok()?,
        d.next()?.parse::<i64>().ok()?,
        d.next()?.parse::<i64>().ok()?,
    );
    if d.next().is_some() {
        return None;
    }
    let mut t = time.split(':');
    let (h, min) = (
        t.next()?.parse::<i64>().ok()?,
        t.next()?.parse::<i64>().ok()?,
    );
    let s = match t.next() {
        Some(s) => s.parse::<i64>().ok()?,
        None => 0,
    };
    if t.next().is_some()
        || !(1970..=9999).contains(&y)
        || !(1..=12).contains(&m)
        || !(1..=days_in_month(y, m)).contains(&day)
        || !(0..24).contains(&h)
        || !(0..60).contains(&min)
        || !(0..60).contains(&s)
    {
        return None;
    }
    Some(days_from_civil(y, m, day) * 86_400 + h * 3600 + min * 60 + s)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01, from Howard Hinnant's `days_from_civil`.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The organisers' covering note that goes with a delivery: plain text, at most 2,000
/// characters, or nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoveringNote(Option<String>);

impl CoveringNote {
    pub const MAX_CHARS: usize = 2_000;

    pub fn parse(input: &str) -> Result<Self, String> {
        clean_optional(input, Self::MAX_CHARS, Lines::Multi)
            .map(Self)
            .map_err(|e| format!("The note: {e}"))
    }

    pub fn into_inner(self) -> Option<String> {
        self.0
    }
}

/// Each target's delivery address, one form field per target (empty: none).
pub fn parse_addresses(
    inputs: &[String],
) -> Result<Vec<Option<EmailAddress>>, Vec<(usize, String)>> {
    let mut errors = Vec::new();
    let mut addresses = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let input = input.trim();
        if input.is_empty() {
            addresses.push(None);
            continue;
        }
        match EmailAddress::parse(input) {
            Ok(address) => addresses.push(Some(address)),
            Err(e) => errors.push((i, e.to_string())),
        }
    }
    if errors.is_empty() {
        Ok(addresses)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_796_000_000; // 2026-11-30

    #[test]
    fn times_are_read_as_utc() {
        assert_eq!(parse_utc("1970-01-01T00:00"), Some(0));
        assert_eq!(parse_utc("2026-12-24T18:00"), Some(1_798_135_200));
        assert_eq!(parse_utc("2026-12-24 18:00:30"), Some(1_798_135_230));
        assert!(parse_utc("2028-02-29T00:00").is_some());
        for bad in [
            "",
            "2026-12-24",
            "2026-13-01T00:00",
            "2027-02-29T00:00",
            "2026-12-24T24:00",
            "2026-12-24T18:60",
            "2026-12-24T18:00:00:00",
            "tomorrow",
            "2026-12-24T18:00Z",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
    }

    #[test]
    fn future_times_only() {
        assert_eq!(
            FutureTime::parse("2026-12-24T18:00", NOW).map(FutureTime::unix),
            Ok(1_798_135_200)
        );
        assert_eq!(
            FutureTime::parse("2020-01-01T00:00", NOW),
            Err(TimeError::Past)
        );
        assert_eq!(
            FutureTime::parse("2099-01-01T00:00", NOW),
            Err(TimeError::TooFar)
        );
        assert_eq!(FutureTime::parse("soon", NOW), Err(TimeError::Unreadable));
    }

    #[test]
    fn addresses_one_per_target() {
        let ok = parse_addresses(&["office@league.example".into(), " ".into()]);
        assert!(matches!(ok, Ok(ref a) if a.len() == 2 && a[0].is_some() && a[1].is_none()));
        let bad = parse_addresses(&["not an address".into(), "ok@example.org".into()]);
        assert!(matches!(bad, Err(ref e) if e.len() == 1 && e[0].0 == 0));
    }
}
