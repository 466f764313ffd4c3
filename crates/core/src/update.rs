//! Updates that organisers post on a published letter as the story moves on: a title, a
//! Markdown body, and the sources they cite (publisher, link, date).
//!
//! [`UpdateContent::parse`] validates what the form sent, field by field, so that code
//! holding an [`UpdateContent`] can store it, render it and email it as it is.

use serde::{Deserialize, Serialize};

use crate::{
    letter::FieldErrors,
    text::{Lines, clean},
};

/// The longest title, in characters.
pub const TITLE_MAX: usize = 200;
/// The longest body, in characters.
pub const BODY_MAX: usize = 20_000;
/// The most sources an update may cite.
pub const SOURCES_MAX: usize = 20;
/// The longest source link, in characters.
pub const URL_MAX: usize = 2_000;

/// What an organiser types into the update form, before validation. Sources are one per
/// line: `Publisher | https://link | YYYY-MM-DD`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UpdateInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub sources: String,
}

/// A cited source: who published it, where, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub publisher: String,
    /// An `http` or `https` URL with a host.
    pub url: String,
    /// `YYYY-MM-DD`.
    pub date: String,
}

impl Source {
    /// Parses `Publisher | https://link | YYYY-MM-DD`.
    pub fn parse_line(line: &str) -> Result<Self, String> {
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let [publisher, url, date] = parts[..] else {
            return Err(
                "write each source as Publisher | https://link | YYYY-MM-DD (three parts)"
                    .to_owned(),
            );
        };
        let publisher =
            clean(publisher, 120, Lines::Single).map_err(|e| format!("the publisher: {e}"))?;
        let url = parse_url(url)?;
        let date = parse_date(date)?;
        Ok(Self {
            publisher,
            url,
            date,
        })
    }

    /// The line form that [`Source::parse_line`] reads back.
    pub fn to_line(&self) -> String {
        format!("{} | {} | {}", self.publisher, self.url, self.date)
    }
}

/// An `http`/`https` URL with a host, no white space and no control characters.
fn parse_url(input: &str) -> Result<String, String> {
    let lower = input.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &input[8..]
    } else if lower.starts_with("http://") {
        &input[7..]
    } else {
        return Err("the link must start with https:// or http://".to_owned());
    };
    if input.chars().count() > URL_MAX {
        return Err(format!("the link: use at most {URL_MAX} characters"));
    }
    if input
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == '"')
    {
        return Err("the link must not contain spaces, quotes or angle brackets".to_owned());
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Err("the link needs a host name (https://example.org/…)".to_owned());
    }
    Ok(input.to_owned())
}

/// A calendar date written `YYYY-MM-DD`.
fn parse_date(input: &str) -> Result<String, String> {
    let bad = || format!("the date {input:?} is not a date: write it as YYYY-MM-DD");
    let b = input.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let number = |s: &str| {
        s.parse::<u32>()
            .ok()
            .filter(|_| s.bytes().all(|c| c.is_ascii_digit()))
    };
    let (Some(year), Some(month), Some(day)) = (
        number(&input[..4]),
        number(&input[5..7]),
        number(&input[8..]),
    ) else {
        return Err(bad());
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if year < 1900 || day == 0 || day > days {
        return Err(bad());
    }
    Ok(input.to_owned())
}

/// A validated update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateContent {
    pub title: String,
    pub body_md: String,
    pub sources: Vec<Source>,
}

impl UpdateContent {
    /// Validates the form, with a message per field (`title`, `body`, `sources`).
    pub fn parse(input: &UpdateInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = clean(&input.title, TITLE_MAX, Lines::Single)
            .map_err(|e| errors.add("title", e))
            .ok();
        let body_md = clean(&input.body, BODY_MAX, Lines::Multi)
            .map_err(|e| errors.add("body", e))
            .ok();
        let mut sources = Vec::new();
        for (n, line) in input.sources.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match Source::parse_line(line) {
                Ok(source) => sources.push(source),
                Err(e) => {
                    errors.add("sources", format!("Line {}: {e}.", n + 1));
                    break;
                }
            }
        }
        if sources.len() > SOURCES_MAX {
            errors.add("sources", format!("Cite at most {SOURCES_MAX} sources."));
        }
        match (title, body_md) {
            (Some(title), Some(body_md)) if errors.is_empty() => Ok(Self {
                title,
                body_md,
                sources,
            }),
            _ => Err(errors),
        }
    }

    /// The form's values for this update (to edit it).
    pub fn to_input(&self) -> UpdateInput {
        UpdateInput {
            title: self.title.clone(),
            body: self.body_md.clone(),
            sources: self
                .sources
                .iter()
                .map(Source::to_line)
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(title: &str, body: &str, sources: &str) -> UpdateInput {
        UpdateInput {
            title: title.into(),
            body: body.into(),
            sources: sources.into(),
        }
    }

    #[test]
    fn parses_a_valid_update() {
        let content = UpdateContent::parse(&input(
            " Charges filed ",
            "The *prosecutor* acted.",
            "Daily Example | https://news.example.org/a?b=1 | 2026-02-29\n\n",
        ))
        .unwrap_err();
        // 2026 is not a leap year.
        assert!(content.get("sources").unwrap().contains("YYYY-MM-DD"));
        let content = UpdateContent::parse(&input(
            " Charges filed ",
            "The *prosecutor* acted.",
            "Daily Example | https://news.example.org/a?b=1 | 2028-02-29",
        ))
        .unwrap();
        assert_eq!(content.title, "Charges filed");
        assert_eq!(content.sources.len(), 1);
        assert_eq!(UpdateContent::parse(&content.to_input()).unwrap(), content);
    }

    #[test]
    fn refuses_bad_input_at_the_field() {
        let errors = UpdateContent::parse(&input("", "", "x | javascript:alert(1) | 2026-01-01"))
            .unwrap_err();
        assert!(errors.get("title").is_some());
        assert!(errors.get("body").is_some());
        assert!(errors.get("sources").unwrap().contains("https://"));
        let long = "x".repeat(BODY_MAX + 1);
        let errors = UpdateContent::parse(&input("T", &long, "")).unwrap_err();
        assert!(errors.get("body").unwrap().contains("at most"));
        for url in [
            "https://",
            "http:// x.org",
            "ftp://x.org",
            "https://x.org/\"><",
        ] {
            assert!(parse_url(url).is_err(), "{url}");
        }
    }
}
