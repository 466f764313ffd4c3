//! `undersigned audit URL`: checks a letter's public log against everything its site
//! publishes (docs/log-format.md). It trusts the site's checkpoint key on first use, verifies
//! the checkpoint, downloads every entry, recomputes the root, the hash tiles and the counts,
//! checks consistency with the checkpoint it saw last time, and compares the counts,
//! the public signatories and the letter page's total with the log.
//!
//! [`run`] does the audit and returns a [`Report`]; [`Report::finish`] then fails if it
//! found problems, and otherwise saves the checkpoint as seen.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use undersigned_tlog::{Checkpoint, Hash, root_from_leaf_hashes, verify_consistency};

use crate::{
    check::{self, Counts, Entries, Replay, TILE_WIDTH, Texts},
    entry::{LogEntry, LogVersion, minute},
    fetch::{FetchError, Http, Site},
    json::OpeningsJson,
    letter::{Letter, LetterError},
    openings,
};

/// Why an audit could not be done, or did not pass.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The address is not a letter's.
    #[error(transparent)]
    Letter(#[from] LetterError),
    /// Fetching what the site publishes failed.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// Fetching one of the site's documents failed.
    #[error("reading {document}")]
    Document {
        /// Which document: `counts.json`, `signatories.json`, `the openings`.
        document: &'static str,
        /// Why.
        #[source]
        source: FetchError,
    },
    /// There is no default place for the state file.
    #[error("neither XDG_STATE_HOME nor HOME is set: give the state file with --state")]
    NoStatePath,
    /// The state file is not one.
    #[error("{path} is not an audit state file (move it away to start afresh)")]
    NotAState {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// The state file holds an invalid root.
    #[error("the state file's root for this letter is invalid: {0}")]
    StateRoot(undersigned_tlog::HashParseError),
    /// The state could not be encoded.
    #[error("encoding the audit state")]
    Encode(#[source] serde_json::Error),
    /// Reading or writing the state file failed.
    #[error("{doing}")]
    Io {
        /// What failed: `reading FILE`, `creating DIR`, `writing FILE`.
        doing: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The site's key is not the one trusted on first use.
    #[error(
        "the checkpoint key of {site} changed: it was {known} and is now {now}. If the site \
         announced a new key, remove the old one from {state} to trust the new one"
    )]
    KeyChanged {
        /// The site.
        site: String,
        /// The key trusted.
        known: String,
        /// The key served.
        now: String,
        /// The state file.
        state: String,
    },
    /// The audit found problems.
    #[error("{}", problems_message(page, problems))]
    Problems {
        /// The letter's page.
        page: String,
        /// What the audit found, one sentence each.
        problems: Vec<String>,
    },
}

fn problems_message(page: &str, problems: &[String]) -> String {
    let mut message = format!(
        "the audit of {page} found {} problem{}:",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems {
        message.push_str("\n  - ");
        message.push_str(p);
    }
    message
}

fn io(doing: String) -> impl FnOnce(std::io::Error) -> AuditError {
    move |source| AuditError::Io { doing, source }
}

/// What the auditor remembers between runs.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    /// The checkpoint key of each site (`scheme://host[:port]`), trusted on first use.
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
    /// The last checkpoint of each letter (its page address) that passed an audit.
    #[serde(default)]
    pub checkpoints: BTreeMap<String, Seen>,
}

/// A checkpoint that passed an audit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Seen {
    /// The log's size.
    pub size: u64,
    /// Base64.
    pub root: String,
    /// The signed checkpoint, as served.
    pub checkpoint: String,
    /// When it was audited: `2026-11-28T10:38Z`.
    pub audited: String,
}

impl State {
    /// Reads the state file; a missing file is the empty state.
    pub fn load(path: &Path) -> Result<Self, AuditError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| AuditError::NotAState {
                path: path.display().to_string(),
                source,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(io(format!("reading {}", path.display()))(e)),
        }
    }

    /// Writes the file whole (a temporary file renamed over it).
    pub fn save(&self, path: &Path) -> Result<(), AuditError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
        }
        let mut json = serde_json::to_vec_pretty(self).map_err(AuditError::Encode)?;
        json.push(b'\n');
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        std::fs::write(&tmp, json).map_err(io(format!("writing {}", tmp.display())))?;
        std::fs::rename(&tmp, path).map_err(io(format!("writing {}", path.display())))
    }
}

/// `$XDG_STATE_HOME/undersigned/audit.json`, or `~/.local/state/undersigned/audit.json`.
pub fn default_state_path() -> Result<PathBuf, AuditError> {
    let base = match std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            Some(home) => PathBuf::from(home).join(".local").join("state"),
            None => return Err(AuditError::NoStatePath),
        },
    };
    Ok(base.join("undersigned").join("audit.json"))
}

/// What an audit found.
pub struct Report {
    /// The letter's page.
    pub page: String,
    /// The site's verifier key.
    pub key: String,
    /// Whether the key was seen for the first time (and is trusted from now on).
    pub first_seen: bool,
    /// The checkpoint's log size.
    pub size: u64,
    /// The checkpoint's root.
    pub root: Hash,
    /// How the log relates to the checkpoint seen last time, in words.
    pub history: String,
    /// The counts the log gives at the checkpoint.
    pub counts: Counts,
    /// How many signatories signatories.json lists ...
    pub listed: usize,
    /// ... at which log size.
    pub listed_at: u64,
    /// When the host says it erased the signatories' texts (its retention policy).
    pub erased_at: Option<i64>,
    /// The log's format version (None for an empty log).
    pub version: Option<LogVersion>,
    /// How many openings opened their entry's commitment (format 2).
    pub opened: usize,
    /// Everything that does not match, one sentence each.
    pub problems: Vec<String>,
    state: State,
    state_path: PathBuf,
    site: String,
    checkpoint: String,
}

impl Report {
    /// Fails with the problems found, if any; otherwise trusts the key and saves the
    /// checkpoint to the state file, whose path it returns.
    pub fn finish(self) -> Result<PathBuf, AuditError> {
        if !self.problems.is_empty() {
            return Err(AuditError::Problems {
                page: self.page,
                problems: self.problems,
            });
        }
        let mut state = self.state;
        state.keys.insert(self.site, self.key);
        state.checkpoints.insert(
            self.page,
            Seen {
                size: self.size,
                root: self.root.to_base64(),
                checkpoint: self.checkpoint,
                audited: minute(now()),
            },
        );
        state.save(&self.state_path)?;
        Ok(self.state_path)
    }
}

/// Audits the letter whose page is `url`, with the state file at `state_path` (or
/// [`default_state_path`]).
pub async fn run(url: &str, state_path: Option<PathBuf>) -> Result<Report, AuditError> {
    let letter = Letter::parse(url)?;
    let state_path = match state_path {
        Some(path) => path,
        None => default_state_path()?,
    };
    let state = State::load(&state_path)?;
    let http = Http::new()?;
    let site = Site {
        http: &http,
        letter: &letter,
    };

    // The key, trusted on first use.
    let key = site.key().await?;
    let key_text = key.verifier_key();
    let first_seen = match state.keys.get(&letter.site()) {
        Some(known) if *known != key_text => {
            return Err(AuditError::KeyChanged {
                site: letter.site(),
                known: known.clone(),
                now: key_text,
                state: state_path.display().to_string(),
            });
        }
        Some(_) => false,
        None => true,
    };

    // What the site publishes first, then the checkpoint: a log only grows, so the
    // checkpoint covers every size they were computed at.
    let page = site.page().await?;
    let counts = site.counts().await.map_err(|source| AuditError::Document {
        document: "counts.json",
        source,
    })?;
    let signatories = site
        .signatories()
        .await
        .map_err(|source| AuditError::Document {
            document: "signatories.json",
            source,
        })?;
    let page_count = check::page_count(&page);
    let published_size = [
        counts.log_size,
        signatories.log_size,
        page_count
            .as_ref()
            .ok()
            .and_then(|p| p.log_size)
            .unwrap_or(0),
    ]
    .into_iter()
    .max()
    .unwrap_or(0);
    let served_openings =
        site.openings(published_size)
            .await
            .map_err(|source| AuditError::Document {
                document: "the openings",
                source,
            })?;
    let published_size = served_openings
        .iter()
        .flatten()
        .map(|(_, o)| o.log_size)
        .fold(published_size, u64::max);
    let (mut checkpoint, mut checkpoint_text) = site.checkpoint(&key).await?;
    if checkpoint.size < published_size {
        // Another process may have signed the newer size; ask once more.
        (checkpoint, checkpoint_text) = site.checkpoint(&key).await?;
    }
    let size = checkpoint.size;

    let downloaded = site.entries(0, size).await?;
    let entries = Entries::new(downloaded.decoded);
    let levels = check::tile_level_hashes(downloaded.leaves);
    let leaves = levels.first().map(Vec::as_slice).unwrap_or_default();
    // Each tile is checked as it arrives and dropped: the leaves' tiles alone are as large
    // as the leaves.
    let mut tile_problems = Vec::new();
    for (level, hashes) in levels.iter().enumerate() {
        let count = (hashes.len() as u64).div_ceil(TILE_WIDTH);
        let Ok(level) = u8::try_from(level) else {
            break;
        };
        if count > 0 {
            site.each_tile(level, count, size, |tile, hashes| {
                tile_problems.extend(check::check_tile(&tile, &hashes, &levels));
            })
            .await?;
        }
    }

    let mut problems = entries.decode_problems();
    problems.extend(entries.version_problems());
    let replay = entries.replay(size);
    let counted = replay.counts();
    problems.extend(replay.problems.iter().cloned());
    let version = entries.version();
    let erased_at = signatories.erased_at;
    let opened = check_openings(
        version,
        served_openings,
        &entries,
        &replay,
        size,
        erased_at.is_some(),
        &mut problems,
    );

    problems.extend(check_texts(&site, &entries, size).await);

    let root = root_from_leaf_hashes(leaves);
    if root != checkpoint.root_hash {
        problems.push(format!(
            "the entries do not hash to the checkpoint's root (the {size} entries served hash to \
             {root}, the checkpoint says {})",
            checkpoint.root_hash
        ));
    }
    problems.extend(tile_problems);

    // Consistency with what we saw last time.
    let previous = state.checkpoints.get(&letter.page()).cloned();
    let history = match &previous {
        None => "first audit of this letter".to_owned(),
        Some(seen) => {
            problems.extend(consistency(&site, seen, &checkpoint, leaves).await?);
            format!(
                "consistent with the {} entries seen on {}",
                seen.size, seen.audited
            )
        }
    };

    // What the site publishes, each at the size it says it was computed at: no larger than
    // the checkpoint, and no older than the checkpoint seen last time (or a site could keep
    // showing the counts from before a wave of removals).
    let page_size = page_count.as_ref().ok().and_then(|p| p.log_size);
    for (what, at) in [
        ("counts.json", Some(counts.log_size)),
        ("signatories.json", Some(signatories.log_size)),
        ("the letter page", page_size),
    ] {
        let Some(at) = at else { continue };
        // (The page's size is checked against the checkpoint with its total, below.)
        if at > size && what != "the letter page" {
            problems.push(format!(
                "{what} is at log size {at}, beyond the checkpoint's {size} entries"
            ));
        }
        if let Some(seen) = &previous
            && at < seen.size
        {
            problems.push(format!(
                "{what} is at log size {at}, older than the checkpoint of {} entries seen on {}",
                seen.size, seen.audited
            ));
        }
    }
    if counts.log_size <= size {
        let at = if counts.log_size == size {
            counted.clone()
        } else {
            entries.replay(counts.log_size).counts()
        };
        problems.extend(check::compare_counts("counts.json", &counts, &at));
    }
    if erased_at.is_some() {
        // The host says it erased the texts: nothing may be listed any more (the counts are
        // still checked, from the entries).
        if !signatories.list.is_empty() {
            problems.push(format!(
                "signatories.json says the signatories' texts were erased, but lists {}",
                signatories.list.len()
            ));
        }
    } else if signatories.log_size <= size {
        // At the checkpoint's size (the usual case) the list is checked against the replay
        // already made, not a second one of the whole log.
        let older;
        let at = if signatories.log_size == size {
            &replay
        } else {
            older = entries.replay(signatories.log_size);
            &older
        };
        problems.extend(check::compare_signatories(
            &signatories.list,
            &entries,
            at,
            &replay,
            &opened,
        ));
    }
    if version == Some(LogVersion::V2) && erased_at.is_none() {
        problems.extend(openings::compare_page(
            &openings::page_signers(&page),
            &opened,
            &entries,
            &replay,
        ));
    }
    match page_count {
        Err(problem) => problems.push(problem),
        Ok(shown) => match shown.log_size {
            None => problems.push(
                "the letter page does not say at which log size its total was computed \
                 (no data-log-size)"
                    .to_owned(),
            ),
            Some(at) if at > size => problems.push(format!(
                "the letter page is at log size {at}, beyond the checkpoint's {size} entries"
            )),
            Some(at) => {
                let total = if at == size {
                    counted.total
                } else {
                    entries.replay(at).counts().total
                };
                if total != shown.total {
                    problems.push(format!(
                        "the letter page shows {} signatures, the log says {total} (at log size {at})",
                        shown.total
                    ));
                }
            }
        },
    }

    Ok(Report {
        page: letter.page(),
        key: key_text,
        first_seen,
        size,
        root: checkpoint.root_hash,
        history,
        counts: counted,
        listed: signatories.list.len(),
        listed_at: signatories.log_size,
        erased_at,
        version,
        opened: opened.len(),
        problems,
        state,
        state_path,
        site: letter.site(),
        checkpoint: checkpoint_text,
    })
}

/// Checks every text entry among the first `size`: its version's text, as the site serves
/// it, hashes to what the entry says, and versions are numbered 1, 2, 3, … in log order (version
/// 1, the text as first published, is logged at the first edit, just before version 2).
async fn check_texts(site: &Site<'_>, entries: &Entries, size: u64) -> Vec<String> {
    let mut problems = Vec::new();
    let mut last = 0u64;
    for index in 0..size {
        let Some(Ok(LogEntry::Text(text))) = entries.get(index) else {
            continue;
        };
        if text.number != last + 1 {
            problems.push(format!(
                "entry {index} records version {} of the text, after version {last}",
                text.number
            ));
        }
        last = text.number;
        match site.text_version(text.number).await {
            Ok(bytes) => {
                let hash: [u8; 32] = Sha256::digest(&bytes).into();
                if hash != text.sha256 {
                    problems.push(format!(
                        "version {} of the text (entry {index}) does not hash to what the log says",
                        text.number
                    ));
                }
            }
            Err(e) => problems.push(format!(
                "version {} of the text (entry {index}) could not be read: {e}",
                text.number
            )),
        }
    }
    problems
}

/// Checks the openings a site serves (read before the checkpoint of `size` entries) against a
/// format 2 log, bundle by bundle at the log size each was read at; a format 1 log has none.
/// Returns the text of every opening that opened its entry. Each bundle is dropped once
/// compared, so that the openings and the texts they open are not all held twice.
fn check_openings(
    version: Option<LogVersion>,
    served: Option<Vec<(u64, OpeningsJson)>>,
    entries: &Entries,
    replay: &Replay<'_>,
    size: u64,
    erased: bool,
    problems: &mut Vec<String>,
) -> Texts {
    let mut opened = Texts::new();
    match (version, served) {
        // Texts erased by the host's retention: no opening may be served any more.
        (Some(LogVersion::V2), served) if erased => {
            let left: usize = served
                .unwrap_or_default()
                .iter()
                .map(|(_, o)| o.openings.len())
                .sum();
            if left > 0 {
                problems.push(format!(
                    "the site says the signatories' texts were erased, but serves {left} \
                     openings"
                ));
            }
        }
        (Some(LogVersion::V2), None) => problems.push(
            "the log is format 2, but the site serves no openings (log/openings/0 answered \
             404): nobody can check the names it shows against the log"
                .to_owned(),
        ),
        (Some(LogVersion::V2), Some(bundles)) => {
            for (bundle, served) in bundles {
                if served.log_size > size {
                    problems.push(format!(
                        "openings/{bundle} is at log size {}, beyond the checkpoint's {size} \
                         entries",
                        served.log_size
                    ));
                    continue;
                }
                let (found, texts) = openings::compare_openings(bundle, &served, entries, replay);
                problems.extend(found);
                opened.extend(texts);
            }
        }
        (Some(LogVersion::V1), Some(bundles))
            if bundles.iter().any(|(_, o)| !o.openings.is_empty()) =>
        {
            problems.push(
                "the log is format 1 (names in its entries), but the site serves openings for it"
                    .to_owned(),
            );
        }
        _ => {}
    }
    opened
}

/// Checks the new checkpoint against the one seen last time: the log may only have grown,
/// its first entries must still hash to the old root, and the server's consistency proof
/// must verify.
async fn consistency(
    site: &Site<'_>,
    seen: &Seen,
    checkpoint: &Checkpoint,
    leaves: &[Hash],
) -> Result<Vec<String>, AuditError> {
    let size = checkpoint.size;
    let old_root = Hash::from_base64(&seen.root).map_err(AuditError::StateRoot)?;
    let mut problems = Vec::new();
    if seen.size > size {
        problems.push(format!(
            "the log shrank from {} to {size} entries since {}",
            seen.size, seen.audited
        ));
        return Ok(problems);
    }
    if seen.size == 0 {
        return Ok(problems);
    }
    let prefix = leaves.get(..seen.size as usize).unwrap_or(leaves);
    if root_from_leaf_hashes(prefix) != old_root {
        problems.push(format!(
            "the first {} entries no longer hash to the root seen on {}: the log was rewritten",
            seen.size, seen.audited
        ));
    }
    if seen.size == size {
        if old_root != checkpoint.root_hash {
            problems.push(format!(
                "the checkpoint of size {size} has another root than the one seen on {}: the \
                 log was rewritten",
                seen.audited
            ));
        }
        return Ok(problems);
    }
    let proof = site.consistency_proof(seen.size, size).await?;
    if let Err(e) = verify_consistency(seen.size, size, &proof, &old_root, &checkpoint.root_hash) {
        problems.push(format!(
            "the server's consistency proof from {} to {size} entries does not verify ({e})",
            seen.size
        ));
    }
    Ok(problems)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::{
        entry::Opening,
        error_chain,
        fake::{self, Shared, add, add_v2, entries, entries_in, remove, remove_in, serve},
    };
    use undersigned_core::DisplayLevel;
    use undersigned_tlog::NoteSigner;

    async fn audit(url: &str, state: &Path) -> Result<(), String> {
        match run(url, Some(state.to_owned())).await {
            Ok(report) => report.finish().map(drop),
            Err(e) => Err(e),
        }
        .map_err(error_chain)
    }

    fn with(fake: &Shared, change: impl FnOnce(&mut fake::Fake)) {
        change(&mut fake.lock().unwrap());
    }

    #[test]
    fn state_round_trips_and_refuses_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep/er/audit.json");
        assert!(State::load(&path).unwrap().keys.is_empty());
        let mut state = State::default();
        state
            .keys
            .insert("https://x.org".into(), "x.org+01+AQ".into());
        state.checkpoints.insert(
            "https://x.org/l/demo".into(),
            Seen {
                size: 3,
                root: "r".into(),
                checkpoint: "c".into(),
                audited: "2026-11-28T10:38Z".into(),
            },
        );
        state.save(&path).unwrap();
        let again = State::load(&path).unwrap();
        assert_eq!(again.keys, state.keys);
        assert_eq!(again.checkpoints["https://x.org/l/demo"].size, 3);
        std::fs::write(&path, "not json").unwrap();
        assert!(State::load(&path).is_err());
    }

    #[tokio::test]
    async fn an_honest_log_passes_and_grows_consistently() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("audit.json");
        let (url, fake) = serve(Vec::new()).await;
        // The empty log.
        audit(&url, &state).await.unwrap();
        // Several bundles, a partial one, and a level-1 tile.
        with(&fake, |f| f.entries = entries(700));
        audit(&url, &state).await.unwrap();
        let saved = State::load(&state).unwrap();
        let seen = &saved.checkpoints[&url];
        assert_eq!(seen.size, 770);
        assert_eq!(
            saved.keys[url.trim_end_matches("/l/investigate")],
            fake.lock().unwrap().signer.verifier().verifier_key()
        );
        // It grows: checked against the saved checkpoint with the server's proof.
        with(&fake, |f| {
            f.entries.push(add(
                "Late Signer",
                "Survivor",
                DisplayLevel::Public,
                [1; 32],
            ));
            f.entries.push(remove(3));
        });
        audit(&url, &state).await.unwrap();
        assert_eq!(State::load(&state).unwrap().checkpoints[&url].size, 772);
        // Unchanged: still fine.
        audit(&url, &state).await.unwrap();
    }

    /// A site that keeps serving the counts from before a wave of removals passes once (they
    /// match the log at the size they name), and fails once an audit has seen a later size.
    #[tokio::test]
    async fn counts_older_than_the_last_audit_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("audit.json");
        let (url, fake) = serve(entries(300)).await;
        audit(&url, &state).await.unwrap();
        let n = fake.lock().unwrap().entries.len();
        with(&fake, |f| {
            f.frozen_counts = Some(f.entries.len());
            for index in 0..5 {
                f.entries.push(remove(index));
            }
        });
        audit(&url, &state).await.unwrap();
        let error = audit(&url, &state).await.unwrap_err();
        let expected = format!(
            "counts.json is at log size {n}, older than the checkpoint of {} entries",
            n + 5
        );
        assert!(error.contains(&expected), "{error}");
    }

    #[tokio::test]
    async fn a_tampered_entry_is_caught_and_nothing_is_saved() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("audit.json");
        let (url, fake) = serve(entries(300)).await;
        with(&fake, |f| {
            let edited = String::from_utf8(f.entries[17].clone())
                .unwrap()
                .replace("Survivor", "Surviver")
                .replace("Organisation", "Organization")
                .replace("Activist", "Activists");
            f.served.insert(17, edited.into_bytes());
        });
        let err = audit(&url, &state).await.unwrap_err();
        assert!(
            err.contains("the entries do not hash to the checkpoint's root"),
            "{err}"
        );
        assert!(
            err.contains("tile/0/000: hash 17 is not the leaf hash of entry 17"),
            "{err}"
        );
        assert!(!state.exists(), "a failed audit saves nothing");

        // Bytes that are not the canonical encoding, signed as they are.
        with(&fake, |f| {
            f.served.clear();
            let spaced = String::from_utf8(f.entries[5].clone())
                .unwrap()
                .replacen(",", ", ", 1);
            f.entries[5] = spaced.into_bytes();
        });
        let err = audit(&url, &state).await.unwrap_err();
        assert!(
            err.contains(
                "entry 5: the bytes are not the canonical encoding of the entry they hold"
            ),
            "{err}"
        );
    }

    #[tokio::test]
    async fn an_invalid_remove_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = entries(20);
        log.push(remove(10)); // entry 10 is a remove entry
        let (url, _fake) = serve(log).await;
        let err = audit(&url, &dir.path().join("a.json")).await.unwrap_err();
        assert!(
            err.contains("entry 22 removes entry 10, which is a remove entry, not an add entry"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_shrunk_or_rewritten_log_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("audit.json");
        let (url, fake) = serve(entries(40)).await;
        audit(&url, &state).await.unwrap();
        let before = std::fs::read(&state).unwrap();

        with(&fake, |f| f.entries.truncate(38));
        let err = audit(&url, &state).await.unwrap_err();
        assert!(
            err.contains("the log shrank from 44 to 38 entries"),
            "{err}"
        );
        assert_eq!(std::fs::read(&state).unwrap(), before);

        // The same size, another entry: a fork.
        with(&fake, |f| {
            f.entries = entries(40);
            f.entries[2] = add("Someone Else", "Survivor", DisplayLevel::Public, [2; 32]);
        });
        let err = audit(&url, &state).await.unwrap_err();
        assert!(err.contains("another root than the one seen on"), "{err}");

        // Rewritten and grown: the old root and the consistency proof both fail.
        with(&fake, |f| f.entries.push(remove(0)));
        let err = audit(&url, &state).await.unwrap_err();
        assert!(
            err.contains("the first 44 entries no longer hash to the root seen on"),
            "{err}"
        );
        assert!(
            err.contains("the server's consistency proof from 44 to 45 entries does not verify"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn published_numbers_and_lists_are_compared() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("audit.json");
        let (url, fake) = serve(entries(120)).await;
        audit(&url, &state).await.unwrap();

        with(&fake, |f| {
            f.counts_off.insert("Survivor".into(), 1);
        });
        let err = audit(&url, &state).await.unwrap_err();
        assert!(
            err.contains("counts.json says Survivor 37, the log says 36"),
            "{err}"
        );
        assert!(
            err.contains("counts.json says 109 in total, the log says 108"),
            "{err}"
        );

        with(&fake, |f| {
            f.counts_off.clear();
            f.unlisted.insert(1);
        });
        let err = audit(&url, &state).await.unwrap_err();
        assert!(
            err.contains(
                "entry 1 (S. N., Lyon, Organisation) is a public signature in the log, but \
                 signatories.json does not list it"
            ),
            "{err}"
        );

        with(&fake, |f| {
            f.unlisted.clear();
            f.page_off = -1;
        });
        let err = audit(&url, &state).await.unwrap_err();
        assert!(
            err.contains(
                "the letter page shows 107 signatures, the log says 108 (at log size 132)"
            ),
            "{err}"
        );

        with(&fake, |f| {
            f.page_off = 0;
            f.page_size = false;
        });
        let err = audit(&url, &state).await.unwrap_err();
        assert!(err.contains("no data-log-size"), "{err}");
    }

    #[tokio::test]
    async fn a_changed_key_or_origin_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("audit.json");
        let (url, fake) = serve(entries(5)).await;
        audit(&url, &state).await.unwrap();
        with(&fake, |f| {
            f.signer = NoteSigner::from_seed("127.0.0.1", &[6; 32]).unwrap();
        });
        let err = audit(&url, &state).await.unwrap_err();
        assert!(
            err.contains("the checkpoint key of http://127.0.0.1:"),
            "{err}"
        );
        assert!(err.contains("changed"), "{err}");

        // Another origin, with a fresh state.
        with(&fake, |f| f.authority = "letters.example.org".into());
        let err = audit(&url, &dir.path().join("other.json"))
            .await
            .unwrap_err();
        assert!(err.contains("does not verify"), "{err}");
        assert!(err.contains("letters.example.org/l/investigate"), "{err}");
    }

    /// Serves `n` signatures in a format 2 log, with their openings.
    async fn serve_v2(n: u64) -> (String, Shared) {
        let (log, openings) = entries_in(LogVersion::V2, n);
        let (url, fake) = serve(log).await;
        with(&fake, |f| f.openings = openings);
        (url, fake)
    }

    #[tokio::test]
    async fn an_honest_format_2_log_passes_with_its_openings() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("audit.json");
        // Several bundles of openings, a partial one among them.
        let (url, fake) = serve_v2(600).await;
        let report = run(&url, Some(state.clone())).await.unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.version, Some(LogVersion::V2));
        let expected = {
            let f = fake.lock().unwrap();
            let removed: std::collections::BTreeSet<u64> = f
                .entries
                .iter()
                .filter_map(|e| match LogEntry::decode(e).unwrap() {
                    LogEntry::Remove(r) => Some(r.removes),
                    LogEntry::Add(_) | LogEntry::Text(_) => None,
                })
                .collect();
            f.openings.keys().filter(|i| !removed.contains(i)).count()
        };
        assert_eq!(report.opened, expected);
        assert!(expected > 300);
        report.finish().unwrap();

        // It grows, and a removal deletes the opening: still fine.
        with(&fake, |f| {
            let (entry, opening) = add_v2("Late Signer", "Survivor", DisplayLevel::Public, [1; 32]);
            f.openings.insert(f.entries.len() as u64, opening.unwrap());
            f.entries.push(entry);
            f.entries.push(remove_in(LogVersion::V2, 0));
        });
        audit(&url, &state).await.unwrap();
    }

    #[tokio::test]
    async fn a_missing_a_wrong_and_a_forbidden_opening_are_named_by_index() {
        let dir = tempfile::tempdir().unwrap();
        let (url, fake) = serve_v2(300).await;
        let state = |name: &str| dir.path().join(name);
        audit(&url, &state("clean.json")).await.unwrap();
        // Entry 0 is public, 1 initials, 2 private; entry 10 removes entry 5 (see `entries`).
        let (one, five) = {
            let f = fake.lock().unwrap();
            (f.openings[&1].clone(), f.openings[&5].clone())
        };

        // Missing.
        with(&fake, |f| {
            f.withheld.insert(1);
        });
        let err = audit(&url, &state("missing.json")).await.unwrap_err();
        assert!(
            err.contains(
                "entry 1 (shown by initials, Organisation) is a public signature at log size \
                 330, but openings/0 serves no opening for it"
            ),
            "{err}"
        );

        // Wrong: another name under the same salt.
        with(&fake, |f| {
            f.withheld.clear();
            let mut wrong = one.clone();
            wrong.shown.shown_name = "S. X.".into();
            f.forged.insert(1, wrong);
        });
        let err = audit(&url, &state("wrong.json")).await.unwrap_err();
        assert!(
            err.contains(
                "openings/0 serves an opening (\"S. X.\") for entry 1 that does not open the \
                 entry's commitment"
            ),
            "{err}"
        );

        // For a removed entry: its text must be gone.
        with(&fake, |f| {
            f.forged.clear();
            f.forged.insert(5, five.clone());
        });
        let err = audit(&url, &state("removed.json")).await.unwrap_err();
        assert!(
            err.contains(&format!(
                "openings/0 serves an opening ({:?}) for entry 5, which entry 10 removed: a \
                 removed signature's text must be deleted",
                five.shown.shown_name
            )),
            "{err}"
        );

        // For a private entry.
        with(&fake, |f| {
            f.forged.clear();
            f.forged.insert(
                2,
                Opening {
                    salt: [1; 32],
                    shown: one.shown.clone(),
                },
            );
        });
        let err = audit(&url, &state("private.json")).await.unwrap_err();
        assert!(
            err.contains("for entry 2, which is a private signature"),
            "{err}"
        );

        // No openings at all.
        with(&fake, |f| {
            f.forged.clear();
            f.no_openings = true;
        });
        let err = audit(&url, &state("none.json")).await.unwrap_err();
        assert!(
            err.contains("the log is format 2, but the site serves no openings"),
            "{err}"
        );
    }

    /// A host whose retention erased the signatories' texts lists and shows nobody and
    /// serves no openings; the counts still check out from the entries. An opening or a
    /// listing left behind after it says so is named.
    #[tokio::test]
    async fn a_letter_whose_texts_the_host_erased_audits_clean_and_nothing_may_be_left() {
        let dir = tempfile::tempdir().unwrap();
        let (url, fake) = serve_v2(120).await;
        let one = fake.lock().unwrap().openings[&1].clone();
        with(&fake, |f| f.erased_at = Some(fake::TIME + 40 * 86_400));
        audit(&url, &dir.path().join("erased.json")).await.unwrap();

        with(&fake, |f| {
            f.forged.insert(1, one.clone());
        });
        let err = audit(&url, &dir.path().join("left.json"))
            .await
            .unwrap_err();
        assert!(
            err.contains("the site says the signatories' texts were erased, but serves 1 openings"),
            "{err}"
        );

        with(&fake, |f| {
            f.forged.clear();
            f.erased_but_listed = true;
        });
        let err = audit(&url, &dir.path().join("listed.json"))
            .await
            .unwrap_err();
        assert!(
            err.contains("signatories.json says the signatories' texts were erased, but lists"),
            "{err}"
        );

        // Erasing never changes the counts: a wrong count is still named.
        with(&fake, |f| {
            f.erased_but_listed = false;
            f.counts_off.insert("Organisation".into(), 1);
        });
        let err = audit(&url, &dir.path().join("counts.json"))
            .await
            .unwrap_err();
        assert!(err.contains("counts.json"), "{err}");
    }

    #[tokio::test]
    async fn format_2_lists_and_pages_must_open_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let (url, fake) = serve_v2(120).await;
        audit(&url, &dir.path().join("clean.json")).await.unwrap();

        // signatories.json without the salts.
        with(&fake, |f| f.unsalted = true);
        let err = audit(&url, &dir.path().join("unsalted.json"))
            .await
            .unwrap_err();
        assert!(
            err.contains("as entry 0 without the salt that opens its commitment"),
            "{err}"
        );

        // signatories.json (and the page) show another name than the log committed to: the
        // opening served with it does not open the entry.
        with(&fake, |f| {
            f.unsalted = false;
            let opening = f.openings.get_mut(&3).unwrap();
            opening.shown.shown_name = "Somebody Else".into();
        });
        let err = audit(&url, &dir.path().join("renamed.json"))
            .await
            .unwrap_err();
        assert!(
            err.contains(
                "signatories.json lists \"Somebody Else\" as entry 3, but its name, details, \
                 comment and salt do not open the entry's commitment"
            ),
            "{err}"
        );
        assert!(
            err.contains(
                "openings/0 serves an opening (\"Somebody Else\") for entry 3 that does not open"
            ),
            "{err}"
        );

        // The page alone shows another name.
        let (log, openings) = entries_in(LogVersion::V2, 120);
        with(&fake, |f| {
            f.entries = log;
            f.openings = openings;
            f.page_names.insert(119, "Somebody Else".into());
        });
        let err = audit(&url, &dir.path().join("page.json"))
            .await
            .unwrap_err();
        assert!(
            err.contains("the letter page shows entry 119 as \"Somebody Else\", its opening says"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_log_that_changes_format_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = entries(20);
        let (entry, _) = add_v2("Mixed Signer", "Survivor", DisplayLevel::Private, [3; 32]);
        log.push(entry);
        let (url, _fake) = serve(log).await;
        let err = audit(&url, &dir.path().join("a.json")).await.unwrap_err();
        assert!(
            err.contains("entry 22 is format 2, and the log format 1 (its first entry's)"),
            "{err}"
        );
    }
}
