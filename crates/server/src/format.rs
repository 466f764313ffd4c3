//! Small display helpers for templates.

/// Unix seconds as "28 Nov 2026" (UTC), in the request's language ("28 nov 2026",
/// "28 nov. 2026").
pub fn date(unix_seconds: i64) -> String {
    let (y, m, d) = civil_from_days(unix_seconds.div_euclid(86_400));
    crate::i18n::t3("date", "day", d, "month", month(m), "year", y)
}

/// A day written `YYYY-MM-DD` as [`date`] words it; the text itself if it is not one.
pub fn iso_day(iso: &str) -> String {
    let mut parts = iso.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    match (
        parts.next().flatten(),
        parts.next().flatten(),
        parts.next().flatten(),
    ) {
        (Some(y), Some(m), Some(d)) => {
            crate::i18n::t3("date", "day", d, "month", month(m), "year", y)
        }
        _ => iso.to_owned(),
    }
}

/// A month's short name in the request's language.
fn month(m: i64) -> String {
    crate::i18n::t1("month-short", "m", m)
}

/// Unix seconds as "2026-11-28 14:05 UTC".
pub fn date_time(unix_seconds: i64) -> String {
    let (y, m, d) = civil_from_days(unix_seconds.div_euclid(86_400));
    let secs = unix_seconds.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        secs / 3600,
        (secs % 3600) / 60
    )
}

/// Unix seconds as "2026-11-28" (UTC), for `<time datetime>`.
pub fn iso_date(unix_seconds: i64) -> String {
    let (y, m, d) = civil_from_days(unix_seconds.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Unix seconds as ISO 8601 in UTC, "2026-11-28T14:05:09Z" (for exports).
pub fn iso_date_time(unix_seconds: i64) -> String {
    let (y, m, d) = civil_from_days(unix_seconds.div_euclid(86_400));
    let secs = unix_seconds.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), from Howard Hinnant's `civil_from_days`.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A count with the request's language's grouping: 12345 → "12,345" ("12.345",
/// "12 345").
pub fn count(n: u64) -> String {
    let lang = crate::i18n::current();
    let separator = lang.group_separator();
    let digits = n.to_string();
    // Spanish leaves four-digit numbers ungrouped (1234, 12.345), as browsers do.
    if lang == crate::i18n::Lang::Es && digits.len() <= 4 {
        return digits;
    }
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// A number of signatures in words, with the noun in the singular for one: "1 signature",
/// "2,000 signatures".
pub fn signatures(n: u64) -> String {
    crate::i18n::t2("n-signatures", "n", n, "count", count(n))
}

/// A count and what it counts, for sentences: "63 organisations", "1 survivor". Category
/// names are English words by default and are put in the plural by English rules (on their
/// last word); a name in another script or with accents is kept as written, after a colon
/// ("Organización: 12"), rather than pluralised wrongly.
pub fn counted(n: u64, name: &str) -> String {
    let name = name.trim();
    if !name.is_ascii() || name.is_empty() {
        return format!("{name}: {}", count(n));
    }
    let noun = if n == 1 {
        name.to_owned()
    } else {
        plural(name)
    };
    format!("{} {}", count(n), sentence_case(&noun))
}

/// English plural of the last word: "activist" → "activists", "party" → "parties",
/// "coach" → "coaches".
fn plural(name: &str) -> String {
    let (head, last) = match name.rfind(' ') {
        Some(i) => name.split_at(i + 1),
        None => ("", name),
    };
    let lower = last.to_ascii_lowercase();
    let ends_consonant_y = lower.ends_with('y')
        && !matches!(
            lower.chars().rev().nth(1),
            Some('a' | 'e' | 'i' | 'o' | 'u') | None
        );
    let word = if ends_consonant_y {
        format!("{}ies", &last[..last.len() - 1])
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        format!("{last}es")
    } else {
        format!("{last}s")
    };
    format!("{head}{word}")
}

/// "Survivors" → "survivors" inside a sentence; acronyms ("NGOs") stay as written.
fn sentence_case(noun: &str) -> String {
    let first_word = noun.split(' ').next().unwrap_or_default();
    let mut chars = first_word.chars();
    let capitalised = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| !c.is_ascii_uppercase());
    if capitalised {
        let mut out = noun[..1].to_ascii_lowercase();
        out.push_str(&noun[1..]);
        out
    } else {
        noun.to_owned()
    }
}

/// "a, b and c".
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {} {last}", rest.join(", "), crate::i18n::t("list-and")),
    }
}

/// The current time in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date(0), "1 Jan 1970");
        assert_eq!(date(1_795_867_200), "28 Nov 2026");
        assert_eq!(date_time(1_795_867_200 + 3723), "2026-11-28 13:02 UTC");
        assert_eq!(date(951_782_400), "29 Feb 2000");
        assert_eq!(iso_date_time(1_795_867_200 + 3723), "2026-11-28T13:02:03Z");
    }

    #[test]
    fn counts() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1234567), "1,234,567");
    }

    #[test]
    fn counts_read_as_words() {
        assert_eq!(counted(63, "Organisation"), "63 organisations");
        assert_eq!(counted(1, "Survivor"), "1 survivor");
        assert_eq!(counted(12, "activist"), "12 activists");
        assert_eq!(counted(2, "Faith leader"), "2 faith leaders");
        assert_eq!(counted(3, "Party"), "3 parties");
        assert_eq!(counted(3, "Coach"), "3 coaches");
        assert_eq!(counted(4, "Day"), "4 days");
        assert_eq!(counted(5, "NGO"), "5 NGOs");
        assert_eq!(counted(1200, "Supporter"), "1,200 supporters");
        assert_eq!(counted(7, "Organización"), "Organización: 7");
        assert_eq!(
            and_list(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
        assert_eq!(and_list(&["a".into()]), "a");
    }
}
