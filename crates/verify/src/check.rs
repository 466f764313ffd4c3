//! The auditor's pure checks: replaying a log (validity, counts, the public signatories),
//! comparing it with what the site publishes, and checking hash tiles. No I/O here, so every
//! rule is unit-tested on logs built in memory.

use std::collections::{BTreeMap, BTreeSet};

use undersigned_core::{DisplayLevel, signature::PublicSigner};
use undersigned_tlog::{Hash, Tile, root_from_leaf_hashes};

use crate::{
    entry::{AddEntry, EntryError, EntryText, LogEntry, LogVersion, RemovalReason, SignerKind},
    json::{CountsJson, Signatory},
};

/// What the verified openings of a format 2 log show, by entry index: the text of each
/// public add entry whose opening was served and opened its commitment.
pub type Texts = BTreeMap<u64, PublicSigner>;

/// Entries per entry bundle and hashes per tile: tlog's [`undersigned_tlog::tile::TILE_WIDTH`],
/// as the `u64` that log sizes and indexes are counted in.
pub(crate) const TILE_WIDTH: u64 = undersigned_tlog::tile::TILE_WIDTH as u64;

/// A log as downloaded: every entry decoded (or why it could not be), with its leaf hash.
pub struct Entries {
    /// Each entry, in log order.
    pub decoded: Vec<Result<LogEntry, EntryError>>,
}

impl Entries {
    /// The log whose entries decoded (or did not) as `decoded`.
    pub fn new(decoded: Vec<Result<LogEntry, EntryError>>) -> Self {
        Self { decoded }
    }

    /// How many entries the log has.
    fn len(&self) -> u64 {
        self.decoded.len() as u64
    }

    /// The entry at `index`, decoded or not.
    pub fn get(&self, index: u64) -> Option<&Result<LogEntry, EntryError>> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.decoded.get(i))
    }

    /// The add entry at `index` that `who` (for example "signatories.json lists "J. D." as
    /// entry 4") names, or the problem to report: it is a remove entry, or not a valid one.
    pub(crate) fn add_named_by(&self, index: u64, who: &str) -> Result<&AddEntry, String> {
        match self.get(index) {
            Some(Ok(LogEntry::Add(add))) => Ok(add),
            Some(Ok(LogEntry::Remove(_))) => Err(format!("{who}, which is a remove entry")),
            Some(Ok(LogEntry::Text(_))) => Err(format!("{who}, which is a text entry")),
            Some(Err(_)) | None => Err(format!("{who}, which is not a valid entry")),
        }
    }

    /// The log's format version: its first valid entry's (None while it has none).
    pub fn version(&self) -> Option<LogVersion> {
        self.decoded
            .iter()
            .find_map(|e| e.as_ref().ok().map(LogEntry::version))
    }

    /// "entry 5 is format 2, and the log format 1 (its first entry's)" for every valid entry
    /// whose version is not the log's: a log keeps the version it started with.
    pub fn version_problems(&self) -> Vec<String> {
        let Some(version) = self.version() else {
            return Vec::new();
        };
        self.decoded
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                Ok(e) if e.version() != version => Some(format!(
                    "entry {i} is format {}, and the log format {version} (its first entry's)",
                    e.version()
                )),
                _ => None,
            })
            .collect()
    }

    /// "entry 17: …" for every entry that is not the canonical encoding of a valid entry.
    pub fn decode_problems(&self) -> Vec<String> {
        self.decoded
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.as_ref().err().map(|e| format!("entry {i}: {e}")))
            .collect()
    }

    /// Replays the first `size` entries (all of them if `size` is larger).
    pub fn replay(&self, size: u64) -> Replay<'_> {
        let mut replay = Replay {
            size: size.min(self.len()),
            active: BTreeMap::new(),
            removed_by: BTreeMap::new(),
            problems: Vec::new(),
        };
        for (i, entry) in self
            .decoded
            .iter()
            .enumerate()
            .take(usize::try_from(replay.size).unwrap_or(usize::MAX))
        {
            let i = i as u64;
            match entry {
                Ok(LogEntry::Add(add)) => {
                    replay.active.insert(i, add);
                }
                Ok(LogEntry::Remove(remove)) => {
                    let target = remove.removes;
                    let problem = if target >= i {
                        Some(format!(
                            "entry {i} removes entry {target}, which does not come before it"
                        ))
                    } else {
                        match self.get(target) {
                            Some(Ok(LogEntry::Add(_))) => replay
                                .removed_by
                                .get(&target)
                                .map(|by| {
                                    format!(
                                        "entry {i} removes entry {target}, which entry {by} already removed"
                                    )
                                }),
                            Some(Ok(LogEntry::Remove(_))) => Some(format!(
                                "entry {i} removes entry {target}, which is a remove entry, not an add entry"
                            )),
                            Some(Ok(LogEntry::Text(_))) => Some(format!(
                                "entry {i} removes entry {target}, which is a text entry, not an add entry"
                            )),
                            Some(Err(_)) | None => Some(format!(
                                "entry {i} removes entry {target}, which is not a valid entry"
                            )),
                        }
                    };
                    match problem {
                        Some(p) => replay.problems.push(p),
                        None => {
                            replay.active.remove(&target);
                            replay.removed_by.insert(target, i);
                        }
                    }
                }
                // A new version of the text: the counts do not change.
                Ok(LogEntry::Text(_)) | Err(_) => {}
            }
        }
        replay
    }
}

/// The state of a log after its first `size` entries.
pub struct Replay<'a> {
    /// How many entries were replayed.
    pub size: u64,
    /// The add entries that count: not removed by a (valid) remove entry among the first
    /// `size` entries.
    pub active: BTreeMap<u64, &'a AddEntry>,
    /// Add entry index to the index of the remove entry that removed it.
    pub removed_by: BTreeMap<u64, u64>,
    /// Remove entries that break the rules (they are ignored for the counts).
    pub problems: Vec<String>,
}

/// Signature counts: the total and per category.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Every counted signature.
    pub total: u64,
    /// Category name → count (categories with none are absent).
    pub by_category: BTreeMap<String, u64>,
    /// How many of the counted signatures are organisations'.
    pub organisations: u64,
    /// How many of those organisations were verified (by domain or by an organiser).
    pub verified_organisations: u64,
}

impl Counts {
    /// "36: Activist 10, Organisation 5, Survivor 21"
    pub fn describe(&self) -> String {
        if self.by_category.is_empty() {
            return self.total.to_string();
        }
        let parts: Vec<String> = self
            .by_category
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect();
        let organisations = if self.organisations == 0 {
            String::new()
        } else {
            format!(
                "; {} organisation{}, {} verified",
                self.organisations,
                if self.organisations == 1 { "" } else { "s" },
                self.verified_organisations
            )
        };
        format!("{} ({}){organisations}", self.total, parts.join(", "))
    }
}

impl Replay<'_> {
    /// The counts: the add entries not removed.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for add in self.active.values() {
            counts.total += 1;
            *counts.by_category.entry(add.category.clone()).or_default() += 1;
            if add.signer == SignerKind::Organisation {
                counts.organisations += 1;
                if add.verified.is_some() {
                    counts.verified_organisations += 1;
                }
            }
        }
        counts
    }

    /// The add entries the public list must show: counted, and not private.
    pub fn public(&self) -> impl Iterator<Item = (u64, &AddEntry)> + '_ {
        self.active
            .iter()
            .filter(|(_, a)| a.display != DisplayLevel::Private)
            .map(|(i, a)| (*i, *a))
    }
}

/// Compares published counts with the log's ("counts.json says Survivor 12, the log says
/// 11"). A category missing from `published` counts as 0 there.
pub fn compare_counts(source: &str, published: &CountsJson, log: &Counts) -> Vec<String> {
    let mut problems = Vec::new();
    if published.total != log.total {
        problems.push(format!(
            "{source} says {} in total, the log says {} (at log size {})",
            published.total, log.total, published.log_size
        ));
    }
    let categories: BTreeSet<&String> = published
        .by_category
        .keys()
        .chain(log.by_category.keys())
        .collect();
    for category in categories {
        let said = published.by_category.get(category).copied();
        let counted = log.by_category.get(category).copied().unwrap_or(0);
        match said {
            Some(said) if said != counted => problems.push(format!(
                "{source} says {category} {said}, the log says {counted}"
            )),
            None if counted != 0 => problems.push(format!(
                "{source} does not list {category}, the log says {counted}"
            )),
            _ => {}
        }
    }
    if let Some(said) = published.organisations
        && (said.signed, said.verified) != (log.organisations, log.verified_organisations)
    {
        problems.push(format!(
            "{source} says {} organisations, {} verified; the log says {}, {} verified",
            said.signed, said.verified, log.organisations, log.verified_organisations
        ));
    }
    problems
}

/// How an add entry reads in a message: "entry 17 (J. D., Lyon, Survivor)", with the text
/// of a format 1 entry, or the verified opening of a format 2 entry (`opened`), if any.
pub(crate) fn describe(index: u64, add: &AddEntry, opened: Option<&PublicSigner>) -> String {
    let text = add.clear_text().or_else(|| opened.cloned());
    let mut parts: Vec<&str> = Vec::new();
    match (&text, add.display) {
        (Some(text), _) => {
            parts.push(&text.shown_name);
            if let Some(details) = &text.details {
                parts.push(details);
            }
        }
        (None, DisplayLevel::Private) => parts.push("a private signer"),
        (None, DisplayLevel::Initials) => parts.push("shown by initials"),
        (None, DisplayLevel::Public) => parts.push("shown by name"),
    }
    parts.push(&add.category);
    format!("entry {index} ({})", parts.join(", "))
}

fn quoted(value: Option<&str>) -> String {
    match value {
        Some(v) => format!("{v:?}"),
        None => "none".to_owned(),
    }
}

/// Compares the public list (read at the replay's size) with the log: every listed
/// signatory must be a counted public or initials add entry of the same category showing
/// the same name, details and comment (format 1: the entry's text; format 2: the listed
/// text and salt must open the entry's commitment), and every such entry must be listed.
///
/// A public entry missing from the list is fine when `now` (the log at the checkpoint, read
/// after the list) has removed it: it was removed while the list was being read. `opened`
/// (the verified openings, format 2) names the missing ones.
pub fn compare_signatories(
    listed: &[Signatory],
    entries: &Entries,
    replay: &Replay,
    now: &Replay,
    opened: &Texts,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for s in listed {
        let Some(index) = s.index else {
            problems.push(format!(
                "signatories.json lists {:?} without the index of its log entry",
                s.name
            ));
            continue;
        };
        let who = format!("signatories.json lists {:?} as entry {index}", s.name);
        if !seen.insert(index) {
            problems.push(format!("signatories.json lists entry {index} twice"));
            continue;
        }
        if index >= replay.size {
            problems.push(format!("{who}, but its log size is {}", replay.size));
            continue;
        }
        let add = match entries.add_named_by(index, &who) {
            Ok(add) => add,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        if let Some(by) = replay.removed_by.get(&index) {
            problems.push(format!("{who}, which entry {by} removed"));
            continue;
        }
        if add.display == DisplayLevel::Private {
            problems.push(format!("{who}, which is a private signature"));
            continue;
        }
        if s.category != add.category {
            problems.push(format!(
                "signatories.json shows entry {index}'s category as {:?}, the log says {:?}",
                s.category, add.category
            ));
        }
        match &add.text {
            EntryText::Clear(clear) => {
                let fields = [
                    ("name", Some(s.name.as_str()), clear.name.as_deref()),
                    ("details", s.details.as_deref(), clear.details.as_deref()),
                    ("comment", s.comment.as_deref(), clear.comment.as_deref()),
                ];
                for (field, shown, logged) in fields {
                    if shown != logged {
                        problems.push(format!(
                            "signatories.json shows entry {index}'s {field} as {}, the log says {}",
                            quoted(shown),
                            quoted(logged)
                        ));
                    }
                }
            }
            EntryText::Committed(_) => match s.opening() {
                None => problems.push(format!("{who} without the salt that opens its commitment")),
                Some(Err(e)) => problems.push(format!("{who} with a salt that is wrong: {e}")),
                Some(Ok(opening)) if !opening.opens(add) => problems.push(format!(
                    "{who}, but its name, details, comment and salt do not open the entry's \
                     commitment"
                )),
                Some(Ok(_)) => {}
            },
        }
    }
    for (index, add) in replay.public() {
        if !seen.contains(&index) && !now.removed_by.contains_key(&index) {
            problems.push(format!(
                "{} is a public signature in the log, but signatories.json does not list it",
                describe(index, add, opened.get(&index))
            ));
        }
    }
    problems
}

/// What the letter page shows: its total and the log size it was computed at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCount {
    /// The total shown.
    pub total: u64,
    /// The log size it says it was computed at (`data-log-size`).
    pub log_size: Option<u64>,
}

/// Reads the total out of the element with `data-count="total"` (its text, digits with
/// thousands separators), and the `data-log-size="S"` attribute nearest to it.
pub fn page_count(html: &str) -> Result<PageCount, String> {
    const MARKER: &str = "data-count=\"total\"";
    let at = html
        .find(MARKER)
        .ok_or("the letter page has no element with data-count=\"total\"")?;
    let text_start = html[at..]
        .find('>')
        .map(|i| at + i + 1)
        .ok_or("the letter page's data-count=\"total\" element is not closed")?;
    let text_end = html[text_start..]
        .find('<')
        .map_or(html.len(), |i| text_start + i);
    let text = &html[text_start..text_end];
    let digits: String = text
        .chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, ',' | '.' | '\'' | '\u{202f}')))
        .collect();
    let total = digits
        .parse()
        .map_err(|_| format!("the letter page's total {:?} is not a number", text.trim()))?;

    const SIZE: &str = "data-log-size=\"";
    let mut nearest: Option<(usize, &str)> = None;
    for (i, _) in html.match_indices(SIZE) {
        let value_start = i + SIZE.len();
        let value = html[value_start..]
            .find('"')
            .map_or("", |end| &html[value_start..value_start + end]);
        let distance = i.abs_diff(at);
        if nearest.is_none_or(|(d, _)| distance < d) {
            nearest = Some((distance, value));
        }
    }
    let log_size =
        match nearest {
            None => None,
            Some((_, value)) => Some(value.parse().map_err(|_| {
                format!("the letter page's data-log-size {value:?} is not a number")
            })?),
        };
    Ok(PageCount { total, log_size })
}

/// The hashes of every complete subtree at tree levels 0, 8, 16, …: what the hash tiles of
/// each tile level must hold. `levels[0]` is the leaf hashes (taken, not copied: a million
/// are 32 MB).
pub fn tile_level_hashes(leaves: Vec<Hash>) -> Vec<Vec<Hash>> {
    let mut levels = vec![leaves];
    loop {
        let below = levels.last().map(Vec::as_slice).unwrap_or_default();
        if (below.len() as u64) < TILE_WIDTH {
            break;
        }
        // Each hash one tile level up is the root of a perfect tree of 256 hashes.
        let next: Vec<Hash> = below
            .chunks_exact(TILE_WIDTH as usize)
            .map(root_from_leaf_hashes)
            .collect();
        levels.push(next);
    }
    levels
}

/// Checks a downloaded hash tile against the hashes computed from the entries.
pub fn check_tile(tile: &Tile, served: &[Hash], levels: &[Vec<Hash>]) -> Option<String> {
    let path = tile.path();
    if served.len() != usize::from(tile.width()) {
        return Some(format!(
            "{path} holds {} hashes, not {}",
            served.len(),
            tile.width()
        ));
    }
    let level = usize::from(tile.level());
    let start = tile.index().saturating_mul(TILE_WIDTH);
    let expected = levels.get(level);
    for (j, hash) in served.iter().enumerate() {
        let n = start.saturating_add(j as u64);
        let want = expected.and_then(|l| usize::try_from(n).ok().and_then(|n| l.get(n)));
        if want != Some(hash) {
            return Some(if level == 0 {
                format!("{path}: hash {j} is not the leaf hash of entry {n}")
            } else {
                let span = TILE_WIDTH.saturating_pow(u32::from(tile.level()));
                let first = n.saturating_mul(span);
                format!(
                    "{path}: hash {j} is not the hash of entries {first} to {}",
                    first.saturating_add(span - 1)
                )
            });
        }
    }
    None
}

/// The root of a tree whose first `chunks.len() * 256` leaves are known only by the hashes
/// of their 256-leaf subtrees (level-1 tile hashes) and whose remaining leaves are `leaves`.
/// In an RFC 6962 tree every split point above a 256-leaf subtree is a multiple of 256, so
/// the tree over those subtree hashes (and the root of the partial tail) is the same tree.
pub fn root_from_chunks(chunks: &[Hash], leaves: &[Hash]) -> Hash {
    let mut units = chunks.to_vec();
    units.extend(
        leaves
            .chunks(TILE_WIDTH as usize)
            .map(root_from_leaf_hashes),
    );
    root_from_leaf_hashes(&units)
}

/// "withdrawn by the signer", "hidden by a moderator", …
pub fn reason_text(reason: RemovalReason) -> &'static str {
    match reason {
        RemovalReason::Withdrawn => "withdrawn by the signer",
        RemovalReason::Hidden => "hidden by a moderator",
        RemovalReason::Rejected => "rejected by a moderator",
    }
}

/// `2026-11-28T10:38Z` as `2026-11-28 10:38 UTC`.
pub fn readable_time(time: &str) -> String {
    match time.strip_suffix('Z').and_then(|t| t.split_once('T')) {
        Some((day, minute)) => format!("{day} {minute} UTC"),
        None => time.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use undersigned_core::signature::{SignerDetails, public_display};
    use undersigned_tlog::{leaf_hash, root_from_leaf_hashes};

    fn add(name: &str, category: &str, display: DisplayLevel) -> LogEntry {
        let details = SignerDetails {
            city: Some("Lyon".into()),
            comment: Some("Yes.".into()),
            show_city: true,
            ..Default::default()
        };
        let shown = public_display(name, &details, display);
        LogEntry::add_v1(1_795_867_259, category, display, shown.as_ref(), [1; 32])
    }

    fn remove(index: u64) -> LogEntry {
        LogEntry::remove(LogVersion::V1, 1_795_867_300, index, RemovalReason::Hidden)
    }

    /// Bytes through the real decoder, as the auditor sees them.
    fn log(entries: &[LogEntry]) -> Entries {
        Entries::new(
            entries
                .iter()
                .map(|e| LogEntry::decode(&e.encode()))
                .collect(),
        )
    }

    fn sample() -> Vec<LogEntry> {
        vec![
            add("Jane Doe", "Survivor", DisplayLevel::Public), // 0
            add("Ada Corvane", "Activist", DisplayLevel::Initials), // 1
            add("Pax Elderwyn", "Survivor", DisplayLevel::Private), // 2
            add("Bram Oakhallow", "Survivor", DisplayLevel::Public), // 3
            remove(0),                                         // 4
            add("Noor Osterwick", "Activist", DisplayLevel::Public), // 5
        ]
    }

    fn listed(index: u64, entries: &[LogEntry]) -> Signatory {
        let LogEntry::Add(a) = &entries[index as usize] else {
            panic!("an add entry")
        };
        let text = a.clear_text().unwrap();
        Signatory {
            index: Some(index),
            name: text.shown_name,
            details: text.details,
            category: a.category.clone(),
            comment: text.comment,
            salt: None,
        }
    }

    #[test]
    fn organisations_and_their_verification_are_counted() {
        use undersigned_core::organisation::Verification;
        let mut entries = sample();
        let org = |verified| {
            add("Example Trust", "Organisation", DisplayLevel::Public).by_organisation(verified)
        };
        entries.push(org(Some(Verification::Domain))); // 6
        entries.push(org(Some(Verification::Organiser))); // 7
        entries.push(org(None)); // 8
        entries.push(remove(7)); // 9
        let log = log(&entries);
        let counts = log.replay(9).counts();
        assert_eq!(
            (counts.organisations, counts.verified_organisations),
            (3, 2)
        );
        let counts = log.replay(10).counts();
        assert_eq!(
            (counts.organisations, counts.verified_organisations),
            (2, 1)
        );
        assert_eq!(
            counts.describe(),
            "6 (Activist 2, Organisation 2, Survivor 2); 2 organisations, 1 verified"
        );
    }

    #[test]
    fn counts_are_adds_minus_removes_at_a_size() {
        let entries = log(&sample());
        let at = |n| entries.replay(n).counts();
        assert_eq!(at(0), Counts::default());
        assert_eq!(at(4).total, 4);
        assert_eq!(at(4).by_category["Survivor"], 3);
        // Entry 4 removes Jane Doe.
        assert_eq!(at(5).total, 3);
        assert_eq!(at(5).by_category["Survivor"], 2);
        assert_eq!(at(6).describe(), "4 (Activist 2, Survivor 2)");
        assert!(entries.replay(6).problems.is_empty());
        assert!(entries.decode_problems().is_empty());
    }

    #[test]
    fn invalid_removes_are_named_and_do_not_count() {
        let mut entries = sample();
        entries.push(remove(0)); // 6: again
        entries.push(remove(4)); // 7: a remove entry
        entries.push(remove(8)); // 8: itself
        entries.push(remove(42)); // 9: beyond
        let log = log(&entries);
        let replay = log.replay(10);
        assert_eq!(
            replay.problems,
            [
                "entry 6 removes entry 0, which entry 4 already removed",
                "entry 7 removes entry 4, which is a remove entry, not an add entry",
                "entry 8 removes entry 8, which does not come before it",
                "entry 9 removes entry 42, which does not come before it",
            ]
        );
        assert_eq!(replay.counts().total, 4);
    }

    #[test]
    fn non_canonical_entries_are_refused_by_index() {
        let mut raw: Vec<Vec<u8>> = sample().iter().map(LogEntry::encode).collect();
        raw[3] = String::from_utf8(raw[3].clone())
            .unwrap()
            .replace("{\"v\":1,", "{\"v\":1, ")
            .into_bytes();
        let log = Entries::new(raw.iter().map(|b| LogEntry::decode(b)).collect());
        assert_eq!(
            log.decode_problems(),
            ["entry 3: the bytes are not the canonical encoding of the entry they hold"]
        );
        let mut entries = sample();
        entries[4] = remove(3);
        let mut raw: Vec<Vec<u8>> = entries.iter().map(LogEntry::encode).collect();
        raw[3] = b"not json".to_vec();
        let log = Entries::new(raw.iter().map(|b| LogEntry::decode(b)).collect());
        assert_eq!(
            log.replay(6).problems,
            ["entry 4 removes entry 3, which is not a valid entry"]
        );
    }

    #[test]
    fn published_counts_are_compared_per_category() {
        let log = log(&sample()).replay(6).counts();
        let published = |total, cats: &[(&str, u64)]| CountsJson {
            total,
            by_category: cats.iter().map(|(c, n)| (c.to_string(), *n)).collect(),
            log_size: 6,
            organisations: None,
            awaiting: None,
            versions: None,
        };
        assert!(
            compare_counts(
                "counts.json",
                &published(4, &[("Activist", 2), ("Survivor", 2), ("Organisation", 0)]),
                &log
            )
            .is_empty()
        );
        assert_eq!(
            compare_counts(
                "counts.json",
                &published(5, &[("Activist", 2), ("Survivor", 3)]),
                &log
            ),
            [
                "counts.json says 5 in total, the log says 4 (at log size 6)",
                "counts.json says Survivor 3, the log says 2",
            ]
        );
        assert_eq!(
            compare_counts("counts.json", &published(4, &[("Survivor", 4)]), &log),
            [
                "counts.json does not list Activist, the log says 2",
                "counts.json says Survivor 4, the log says 2",
            ]
        );
        // The organisations it claims, when it claims any, are the log's too.
        let fine = &[("Activist", 2), ("Survivor", 2)];
        let claimed = |signed, verified| CountsJson {
            organisations: Some(crate::json::OrganisationCounts { signed, verified }),
            awaiting: None,
            versions: None,
            ..published(4, fine)
        };
        let (signed, verified) = (log.organisations, log.verified_organisations);
        assert!(compare_counts("counts.json", &claimed(signed, verified), &log).is_empty());
        assert_eq!(
            compare_counts("counts.json", &claimed(signed, verified + 1), &log),
            [format!(
                "counts.json says {signed} organisations, {} verified; the log says {signed}, \
                 {verified} verified",
                verified + 1
            )]
        );
    }

    #[test]
    fn the_public_list_must_match_the_log() {
        let entries = sample();
        let log = log(&entries);
        let replay = log.replay(6);
        let good: Vec<Signatory> = [5, 3, 1].iter().map(|i| listed(*i, &entries)).collect();
        assert!(compare_signatories(&good, &log, &replay, &replay, &Texts::new()).is_empty());

        // A listed signatory missing: named.
        let missing = vec![listed(5, &entries), listed(1, &entries)];
        assert_eq!(
            compare_signatories(&missing, &log, &replay, &replay, &Texts::new()),
            [
                "entry 3 (Bram Oakhallow, Lyon, Survivor) is a public signature in the log, but signatories.json does not list it"
            ]
        );

        // Missing because it was removed while the list was being read: fine.
        let mut later = entries.clone();
        later.push(remove(3));
        let later_log = self::log(&later);
        assert!(
            compare_signatories(
                &missing,
                &later_log,
                &later_log.replay(6),
                &later_log.replay(7),
                &Texts::new()
            )
            .is_empty()
        );

        // Removed, private, remove entries, beyond the size, twice, edited.
        let mut bad = good.clone();
        bad.push(listed(0, &entries));
        bad.push(Signatory {
            index: Some(2),
            ..listed(3, &entries)
        });
        bad.push(Signatory {
            index: Some(4),
            ..listed(3, &entries)
        });
        bad.push(Signatory {
            index: Some(9),
            ..listed(3, &entries)
        });
        bad.push(listed(5, &entries));
        bad.push(Signatory {
            index: None,
            ..listed(3, &entries)
        });
        bad[0].comment = None;
        bad[1].name = "Bram Oakhollow".into();
        assert_eq!(
            compare_signatories(&bad, &log, &replay, &replay, &Texts::new()),
            [
                "signatories.json shows entry 5's comment as none, the log says \"Yes.\"",
                "signatories.json shows entry 3's name as \"Bram Oakhollow\", the log says \"Bram Oakhallow\"",
                "signatories.json lists \"Jane Doe\" as entry 0, which entry 4 removed",
                "signatories.json lists \"Bram Oakhallow\" as entry 2, which is a private signature",
                "signatories.json lists \"Bram Oakhallow\" as entry 4, which is a remove entry",
                "signatories.json lists \"Bram Oakhallow\" as entry 9, but its log size is 6",
                "signatories.json lists entry 5 twice",
                "signatories.json lists \"Bram Oakhallow\" without the index of its log entry",
            ]
        );

        // At an earlier size, Jane Doe still counts and entry 5 does not exist yet.
        let early = log.replay(4);
        let at_four: Vec<Signatory> = [3, 1, 0].iter().map(|i| listed(*i, &entries)).collect();
        assert!(compare_signatories(&at_four, &log, &early, &early, &Texts::new()).is_empty());
    }

    #[test]
    fn the_page_total_and_its_log_size() {
        let page = r#"<p class="total"><span data-count="total" data-log-size="1204">1,203</span> confirmed</p>"#;
        assert_eq!(
            page_count(page),
            Ok(PageCount {
                total: 1203,
                log_size: Some(1204)
            })
        );
        let page = r#"<section data-log-size="9"><p><span data-count="total">
            7 </span></p></section><div data-log-size="x"></div>"#;
        assert_eq!(
            page_count(page),
            Ok(PageCount {
                total: 7,
                log_size: Some(9)
            })
        );
        assert_eq!(
            page_count(r#"<span data-count="total">12</span>"#),
            Ok(PageCount {
                total: 12,
                log_size: None
            })
        );
        assert!(page_count("<p>nothing</p>").is_err());
        assert!(page_count(r#"<span data-count="total">many</span>"#).is_err());
        assert!(page_count(r#"<span data-count="total" data-log-size="">1</span>"#).is_err());
    }

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn tiles_are_checked_against_the_entries() {
        let leaves = leaves(70_000);
        let levels = tile_level_hashes(leaves.clone());
        assert_eq!(levels.len(), 3);
        assert_eq!(levels[1].len(), 273);
        assert_eq!(levels[2].len(), 1);
        // A level-2 hash is the root of the first 65536 leaves.
        assert_eq!(levels[2][0], root_from_leaf_hashes(&leaves[..65_536]));

        let tile = Tile::in_tree(0, 273, 70_000).unwrap();
        assert_eq!(tile.width(), 112);
        let good = levels[0][273 * 256..].to_vec();
        assert_eq!(check_tile(&tile, &good, &levels), None);
        let mut bad = good.clone();
        bad[5] = leaves[0];
        assert_eq!(
            check_tile(&tile, &bad, &levels).unwrap(),
            "tile/0/273.p/112: hash 5 is not the leaf hash of entry 69893"
        );
        assert_eq!(
            check_tile(&tile, &good[1..], &levels).unwrap(),
            "tile/0/273.p/112 holds 111 hashes, not 112"
        );
        let tile = Tile::in_tree(1, 1, 70_000).unwrap();
        let mut bad = levels[1][256..].to_vec();
        assert_eq!(check_tile(&tile, &bad, &levels), None);
        bad[2] = leaves[0];
        assert_eq!(
            check_tile(&tile, &bad, &levels).unwrap(),
            "tile/1/001.p/17: hash 2 is not the hash of entries 66048 to 66303"
        );
    }

    #[test]
    fn roots_from_subtree_hashes_and_a_tail() {
        for size in [
            0, 1, 255, 256, 257, 511, 512, 513, 767, 1000, 1024, 1025, 3000,
        ] {
            let leaves = leaves(size);
            let levels = tile_level_hashes(leaves.clone());
            let root = root_from_leaf_hashes(&leaves);
            for chunks in 0..=(size / 256) as usize {
                assert_eq!(
                    root_from_chunks(
                        &levels[1.min(levels.len() - 1)][..chunks],
                        &leaves[chunks * 256..]
                    ),
                    root,
                    "size {size}, {chunks} chunks"
                );
            }
        }
    }

    #[test]
    fn times_and_reasons_read_well() {
        assert_eq!(readable_time("2026-11-29T08:00Z"), "2026-11-29 08:00 UTC");
        assert_eq!(reason_text(RemovalReason::Hidden), "hidden by a moderator");
    }
}
