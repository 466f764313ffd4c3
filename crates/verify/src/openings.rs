//! The auditor's checks of a format 2 log's openings (docs/log-format.md, "Openings"): the
//! openings resource, bundle by bundle at the log size each was read at, and the names the
//! letter page shows. Pure, like [`crate::check`], so every rule is unit-tested on logs built
//! in memory.
//!
//! At the size an openings bundle was read at, it must hold exactly one opening for each add
//! entry of the bundle that is public then (shown by name or initials, and not removed), each
//! opening its entry's commitment, and nothing for private, removed or remove entries.

use std::collections::BTreeSet;

use undersigned_core::DisplayLevel;

use crate::{
    check::{Entries, Replay, TILE_WIDTH, Texts, describe},
    entry::LogEntry,
    json::OpeningsJson,
};

/// Checks the openings of entry bundle `bundle`, served as `served`, against the log at the
/// size they were read at (which must not exceed the entries downloaded). `replay` is the
/// replay of the log at that size or any larger one: an entry counts at a size when no
/// remove entry before that size removed it, so one replay of the whole log serves every
/// bundle, each in time proportional to the bundle. Returns the problems, one sentence each
/// naming the entry, and the text of every opening that opened its entry.
pub fn compare_openings(
    bundle: u64,
    served: &OpeningsJson,
    entries: &Entries,
    replay: &Replay<'_>,
) -> (Vec<String>, Texts) {
    let mut problems = Vec::new();
    let mut opened = Texts::new();
    let source = format!("openings/{bundle}");
    let at = served.log_size;
    if replay.size < at {
        problems.push(format!(
            "{source} is at log size {at}, beyond the log's {} entries",
            replay.size
        ));
        return (problems, opened);
    }
    let removed_before_at = |index: u64| replay.removed_by.get(&index).filter(|by| **by < at);
    let start = bundle.saturating_mul(TILE_WIDTH);
    let end = start.saturating_add(TILE_WIDTH).min(at);
    let mut seen = BTreeSet::new();
    for served in &served.openings {
        let index = served.index;
        let who = format!(
            "{source} serves an opening ({:?}) for entry {index}",
            served.opening.name
        );
        if !seen.insert(index) {
            problems.push(format!("{source} serves two openings for entry {index}"));
            continue;
        }
        if !(start..end).contains(&index) {
            problems.push(format!(
                "{who}, which is not one of that bundle's entries at log size {at}"
            ));
            continue;
        }
        let add = match entries.add_named_by(index, &who) {
            Ok(add) => add,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        if let Some(by) = removed_before_at(index) {
            problems.push(format!(
                "{who}, which entry {by} removed: a removed signature's text must be deleted"
            ));
            continue;
        }
        if add.display == DisplayLevel::Private {
            problems.push(format!("{who}, which is a private signature"));
            continue;
        }
        match served.opening.opening() {
            Err(e) => problems.push(format!("{who} whose salt is wrong: {e}")),
            Ok(opening) if !opening.opens(add) => problems.push(format!(
                "{who} that does not open the entry's commitment: its name, details, comment \
                 or salt is not what the log committed to"
            )),
            Ok(opening) => {
                opened.insert(index, opening.shown);
            }
        }
    }
    for (index, add) in public_in(entries, &removed_before_at, start, end) {
        if !seen.contains(&index) {
            problems.push(format!(
                "{} is a public signature at log size {at}, but {source} serves no opening for \
                 it: nobody can check the name the site shows for it",
                describe(index, add, None)
            ));
        }
    }
    (problems, opened)
}

/// The public add entries with indexes in `start..end` that count: those no entry in the
/// range of the log looked at removed.
fn public_in<'a>(
    entries: &'a Entries,
    removed: &'a impl Fn(u64) -> Option<&'a u64>,
    start: u64,
    end: u64,
) -> impl Iterator<Item = (u64, &'a crate::entry::AddEntry)> + 'a {
    (start..end).filter_map(move |index| match entries.get(index) {
        Some(Ok(crate::entry::LogEntry::Add(add)))
            if add.display != DisplayLevel::Private && removed(index).is_none() =>
        {
            Some((index, add))
        }
        _ => None,
    })
}

/// A signatory as the letter page lists it: the index of its add entry
/// (`data-log-index="I"`) and the text of its element with `class="signer-name"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSigner {
    /// The add entry's index.
    pub index: u64,
    /// The name shown, unescaped (None when the item has no name element).
    pub name: Option<String>,
}

/// The signatories the letter page lists with their log index.
pub fn page_signers(html: &str) -> Vec<PageSigner> {
    const MARKER: &str = "data-log-index=\"";
    let starts: Vec<usize> = html.match_indices(MARKER).map(|(i, _)| i).collect();
    starts
        .iter()
        .enumerate()
        .filter_map(|(n, &at)| {
            let value_start = at + MARKER.len();
            let value_end = value_start + html[value_start..].find('"')?;
            let index = html[value_start..value_end].parse().ok()?;
            let item_end = starts.get(n + 1).copied().unwrap_or(html.len());
            Some(PageSigner {
                index,
                name: element_text(&html[value_end..item_end], "class=\"signer-name\""),
            })
        })
        .collect()
}

/// The text (tags dropped, entities decoded, trimmed) of the first element of `html` whose
/// start tag holds `attribute`.
fn element_text(html: &str, attribute: &str) -> Option<String> {
    let at = html.find(attribute)?;
    let tag_start = html[..at].rfind('<')?;
    let tag: String = html[tag_start + 1..at]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let content_start = at + html[at..].find('>')? + 1;
    let content_end = content_start + html[content_start..].find(&format!("</{tag}>"))?;
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[content_start..content_end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(unescape(&text).trim().to_owned())
}

/// Decodes HTML character references: the numeric ones and `&amp;` `&lt;` `&gt;` `&quot;`
/// `&apos;`. Anything else is left as it is.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name.strip_prefix('#').and_then(|n| {
                    match n.strip_prefix('x').or_else(|| n.strip_prefix('X')) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => n.parse().ok(),
                    }
                    .and_then(char::from_u32)
                }),
            }?;
            Some((c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Compares the names the letter page lists with the verified openings (`opened`): each
/// listed entry must show its opening's name. A listed entry without an opening is fine when
/// `now` (the log at the checkpoint, read after the page) has removed it since.
pub fn compare_page(
    listed: &[PageSigner],
    opened: &Texts,
    entries: &Entries,
    now: &Replay,
) -> Vec<String> {
    let mut problems = Vec::new();
    for signer in listed {
        let index = signer.index;
        let shown = signer.name.as_deref().unwrap_or_default();
        match opened.get(&index) {
            Some(text) if text.shown_name == shown => {}
            Some(text) => problems.push(format!(
                "the letter page shows entry {index} as {shown:?}, its opening says {:?}",
                text.shown_name
            )),
            None if now.removed_by.contains_key(&index) => {}
            None => {
                let what = match entries.get(index) {
                    _ if index >= now.size => "which is beyond the checkpoint",
                    Some(Ok(LogEntry::Add(add))) if add.display == DisplayLevel::Private => {
                        "which is a private signature"
                    }
                    Some(Ok(LogEntry::Add(_))) => "which has no opening that opens it",
                    Some(Ok(LogEntry::Remove(_))) => "which is a remove entry",
                    Some(Ok(LogEntry::Text(_))) => "which is a text entry",
                    Some(Err(_)) | None => "which is not a valid entry",
                };
                problems.push(format!(
                    "the letter page shows {shown:?} as entry {index}, {what}"
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::{
        entry::{LogVersion, Opening, RemovalReason},
        json::{IndexedOpening, OpeningJson},
    };
    use undersigned_core::signature::{PublicSigner, SignerDetails, public_display};

    fn opening(name: &str, display: DisplayLevel, salt: u8) -> Option<Opening> {
        let details = SignerDetails {
            city: Some("Lyon".into()),
            comment: Some("Yes <indeed> & \"so\".".into()),
            ..Default::default()
        };
        public_display(name, &details, display).map(|shown| Opening {
            salt: [salt; 32],
            shown,
        })
    }

    /// (entry, its opening)
    fn add(name: &str, display: DisplayLevel, salt: u8) -> (LogEntry, Option<Opening>) {
        let opening = opening(name, display, salt);
        let entry = LogEntry::add_v2(
            1_795_867_259,
            "Survivor",
            display,
            opening.as_ref(),
            [1; 32],
        );
        (entry, opening)
    }

    fn remove(index: u64) -> (LogEntry, Option<Opening>) {
        let entry = LogEntry::remove(
            LogVersion::V2,
            1_795_867_300,
            index,
            RemovalReason::Withdrawn,
        );
        (entry, None)
    }

    /// 0 public, 1 initials, 2 private, 3 public (removed by 4), 5 public.
    fn sample() -> Vec<(LogEntry, Option<Opening>)> {
        vec![
            add("Jane Doe", DisplayLevel::Public, 10),
            add("Ada Corvane", DisplayLevel::Initials, 11),
            add("Pax Elderwyn", DisplayLevel::Private, 12),
            add("Bram Oakhallow", DisplayLevel::Public, 13),
            remove(3),
            add("Noor Osterwick", DisplayLevel::Public, 15),
        ]
    }

    fn log(sample: &[(LogEntry, Option<Opening>)]) -> Entries {
        Entries::new(
            sample
                .iter()
                .map(|(e, _)| LogEntry::decode(&e.encode()))
                .collect(),
        )
    }

    /// What an honest site serves for bundle 0 at `size`.
    fn honest(sample: &[(LogEntry, Option<Opening>)], size: usize) -> OpeningsJson {
        let removed: BTreeSet<u64> = sample[..size]
            .iter()
            .filter_map(|(e, _)| match e {
                LogEntry::Remove(r) => Some(r.removes),
                LogEntry::Add(_) | LogEntry::Text(_) => None,
            })
            .collect();
        OpeningsJson {
            log_size: size as u64,
            openings: sample[..size]
                .iter()
                .enumerate()
                .filter(|(i, _)| !removed.contains(&(*i as u64)))
                .filter_map(|(i, (_, o))| {
                    o.as_ref().map(|o| IndexedOpening {
                        index: i as u64,
                        opening: OpeningJson::new(o),
                    })
                })
                .collect(),
        }
    }

    fn served(sample: &[(LogEntry, Option<Opening>)], index: usize) -> IndexedOpening {
        IndexedOpening {
            index: index as u64,
            opening: OpeningJson::new(sample[index].1.as_ref().unwrap()),
        }
    }

    #[test]
    fn honest_openings_pass_and_give_the_texts() {
        let sample = sample();
        let entries = log(&sample);
        for size in 0..=sample.len() {
            let (problems, opened) = compare_openings(
                0,
                &honest(&sample, size),
                &entries,
                &entries.replay(u64::MAX),
            );
            assert!(problems.is_empty(), "at {size}: {problems:?}");
            assert_eq!(
                opened.keys().copied().collect::<Vec<_>>(),
                [0, 1, 3, 5]
                    .into_iter()
                    .filter(|i| *i < size as u64 && !(size > 4 && *i == 3))
                    .collect::<Vec<_>>()
            );
        }
        let (_, opened) =
            compare_openings(0, &honest(&sample, 6), &entries, &entries.replay(u64::MAX));
        assert_eq!(opened[&1].shown_name, "A. C.");
    }

    #[test]
    fn a_missing_a_wrong_and_a_forbidden_opening_are_named() {
        let sample = sample();
        let entries = log(&sample);
        let check = |openings: OpeningsJson| {
            compare_openings(0, &openings, &entries, &entries.replay(u64::MAX)).0
        };

        // Missing.
        let mut missing = honest(&sample, 6);
        missing.openings.retain(|o| o.index != 1);
        assert_eq!(
            check(missing),
            [
                "entry 1 (shown by initials, Survivor) is a public signature at log size 6, but \
              openings/0 serves no opening for it: nobody can check the name the site shows for it"
            ]
        );

        // Wrong: another name, or another salt.
        let mut wrong = honest(&sample, 6);
        wrong.openings[0].opening.name = "Jane Dough".into();
        wrong.openings[2].opening.salt =
            OpeningJson::new(&opening("x", DisplayLevel::Public, 99).unwrap()).salt;
        assert_eq!(
            check(wrong),
            [
                "openings/0 serves an opening (\"Jane Dough\") for entry 0 that does not open the \
                 entry's commitment: its name, details, comment or salt is not what the log \
                 committed to",
                "openings/0 serves an opening (\"Noor Osterwick\") for entry 5 that does not open \
                 the entry's commitment: its name, details, comment or salt is not what the log \
                 committed to",
            ]
        );

        // For a removed entry, a private one, a remove entry, beyond the size, twice, a bad salt.
        let mut forbidden = honest(&sample, 6);
        forbidden.openings.push(served(&sample, 3));
        forbidden.openings.push(IndexedOpening {
            index: 2,
            opening: OpeningJson::new(&opening("Pax Elderwyn", DisplayLevel::Public, 12).unwrap()),
        });
        forbidden.openings.push(IndexedOpening {
            index: 4,
            ..served(&sample, 0)
        });
        forbidden.openings.push(IndexedOpening {
            index: 6,
            ..served(&sample, 0)
        });
        forbidden.openings.push(served(&sample, 5));
        let mut bad_salt = served(&sample, 1);
        bad_salt.opening.salt = "AAAA".into();
        let mut honest_but_1 = forbidden.clone();
        honest_but_1.openings.retain(|o| o.index != 1);
        honest_but_1.openings.push(bad_salt);
        assert_eq!(
            check(honest_but_1),
            [
                "openings/0 serves an opening (\"Bram Oakhallow\") for entry 3, which entry 4 \
                 removed: a removed signature's text must be deleted",
                "openings/0 serves an opening (\"Pax Elderwyn\") for entry 2, which is a private \
                 signature",
                "openings/0 serves an opening (\"Jane Doe\") for entry 4, which is a remove entry",
                "openings/0 serves an opening (\"Jane Doe\") for entry 6, which is not one of \
                 that bundle's entries at log size 6",
                "openings/0 serves two openings for entry 5",
                "openings/0 serves an opening (\"A. C.\") for entry 1 whose salt is wrong: the \
                 salt is not 32 bytes of base64",
            ]
        );

        // Another bundle's openings, and a size beyond the log.
        assert_eq!(
            compare_openings(1, &honest(&sample, 6), &entries, &entries.replay(u64::MAX)).0[0],
            "openings/1 serves an opening (\"Jane Doe\") for entry 0, which is not one of that \
             bundle's entries at log size 6"
        );
        let beyond = OpeningsJson {
            log_size: 7,
            openings: Vec::new(),
        };
        assert_eq!(
            check(beyond),
            ["openings/0 is at log size 7, beyond the log's 6 entries"]
        );
    }

    #[test]
    fn at_the_size_it_was_read_at() {
        // Read before entry 3 was removed: its opening is expected, entry 5 is not yet there.
        let sample = sample();
        let entries = log(&sample);
        let (problems, opened) =
            compare_openings(0, &honest(&sample, 4), &entries, &entries.replay(u64::MAX));
        assert!(problems.is_empty(), "{problems:?}");
        assert!(opened.contains_key(&3));
        let mut early = honest(&sample, 4);
        early.openings.push(served(&sample, 5));
        assert!(
            compare_openings(0, &early, &entries, &entries.replay(u64::MAX)).0[0]
                .contains("entry 5, which is not one of")
        );
    }

    #[test]
    fn the_page_names_are_read_and_compared() {
        let html = r#"<ol class="signers">
    <li data-log-index="5">
      <span class="signer-name">Noor Osterwick</span>
      <span class="signer-details">Lyon</span>
    </li>
    <li data-log-index="1"><span class="signer-name"><bdi>A. C.</bdi></span></li>
    <li data-log-index="0"><bdi class="signer-name">Jane &#38; &amp;lt;Doe&#x3e; &unknown; &</bdi></li>
    <li data-log-index="9"><span class="other">no name</span></li>
  </ol>"#;
        let listed = page_signers(html);
        assert_eq!(
            listed,
            [
                PageSigner {
                    index: 5,
                    name: Some("Noor Osterwick".into())
                },
                PageSigner {
                    index: 1,
                    name: Some("A. C.".into())
                },
                PageSigner {
                    index: 0,
                    name: Some("Jane & &lt;Doe> &unknown; &".into())
                },
                PageSigner {
                    index: 9,
                    name: None
                },
            ]
        );

        let sample = sample();
        let entries = log(&sample);
        let (_, opened) =
            compare_openings(0, &honest(&sample, 6), &entries, &entries.replay(u64::MAX));
        let now = entries.replay(6);
        let good = vec![
            PageSigner {
                index: 5,
                name: Some("Noor Osterwick".into()),
            },
            PageSigner {
                index: 1,
                name: Some("A. C.".into()),
            },
            PageSigner {
                index: 0,
                name: Some("Jane Doe".into()),
            },
            // Removed since the page was read.
            PageSigner {
                index: 3,
                name: Some("Bram Oakhallow".into()),
            },
        ];
        assert!(compare_page(&good, &opened, &entries, &now).is_empty());
        let bad = vec![
            PageSigner {
                index: 0,
                name: Some("Jane Dough".into()),
            },
            PageSigner {
                index: 2,
                name: Some("Pax Elderwyn".into()),
            },
            PageSigner {
                index: 4,
                name: Some("Someone".into()),
            },
            PageSigner {
                index: 9,
                name: None,
            },
        ];
        assert_eq!(
            compare_page(&bad, &opened, &entries, &now),
            [
                "the letter page shows entry 0 as \"Jane Dough\", its opening says \"Jane Doe\"",
                "the letter page shows \"Pax Elderwyn\" as entry 2, which is a private signature",
                "the letter page shows \"Someone\" as entry 4, which is a remove entry",
                "the letter page shows \"\" as entry 9, which is beyond the checkpoint",
            ]
        );
        let unopened = compare_page(&good[..1], &Texts::new(), &entries, &now);
        assert_eq!(
            unopened,
            [
                "the letter page shows \"Noor Osterwick\" as entry 5, which has no opening that opens it"
            ]
        );
        // The opening's text is what the page shows.
        let text: &PublicSigner = &opened[&5];
        assert_eq!(text.comment.as_deref(), Some("Yes <indeed> & \"so\"."));
    }
}
