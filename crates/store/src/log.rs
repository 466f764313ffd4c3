//! The parts of appending to a letter's log that both backends share: building entries, and
//! planning an append (new stored hashes and the new root) from the old frontier.

use std::collections::HashMap;

use undersigned_core::{
    DisplayLevel, EmailAddress,
    organisation::{Verification, organisation_display},
    signature::{SignerDetails, public_display},
};
use undersigned_tlog::{Hash, append_frontier_indexes, leaf_hash, tree_hash};
use undersigned_verify::entry::{LogEntry, LogVersion, Opening, RemovalReason, commitment};

use crate::{StoreError, model::*};

/// An entry a command produced, waiting to be appended when the batch ends.
#[derive(Debug, Clone)]
pub(crate) struct PendingEntry {
    pub letter: LetterId,
    pub category: CategoryId,
    /// +1 for an add entry, −1 for a remove entry.
    pub delta: i64,
    /// Whether the signer it adds or removes is withheld from the public (display level
    /// private): the entry moves the category's withheld count by `delta` too.
    pub withheld: bool,
    /// Whether the signer it adds or removes signed a version older than the letter's last
    /// change of substance and has not re-confirmed: it moves the awaiting count too.
    pub awaiting: bool,
    /// For an add entry: the signature whose `log_index` and `salt` to set.
    pub signature: Option<(SignatureId, Hash32)>,
    pub data: Vec<u8>,
    /// For a format 2 add entry of a shown signer: the opening to keep beside it.
    pub opening: Option<Opening>,
}

/// What a published signature looks like in the log.
pub(crate) struct Published<'a> {
    /// The format of the letter's log.
    pub version: LogVersion,
    pub now: Timestamp,
    pub category: &'a str,
    pub display: DisplayLevel,
    pub name: &'a str,
    pub details: &'a SignerDetails,
    pub email: &'a str,
    pub salt: &'a Hash32,
    /// For an organisation's signature: its name and how it was verified. The page shows
    /// the organisation's name, and who signed for it (`name`, `details.title`).
    pub organisation: Option<(&'a str, Option<Verification>)>,
}

/// The add entry for a signature that has just become public, and in a format 2 log the
/// opening of its commitment to what the page shows (None for private signers).
pub(crate) fn add_entry(p: &Published<'_>) -> Result<(Vec<u8>, Option<Opening>), StoreError> {
    let email = EmailAddress::parse(p.email)
        .map_err(|_| StoreError::Corrupt("a stored email address".into()))?;
    let shown = match p.organisation {
        Some((organisation, _)) => Some(organisation_display(
            organisation,
            p.name,
            p.details.title.as_deref(),
        )),
        None => public_display(p.name, p.details, p.display),
    };
    let commitment = commitment(p.salt, &email);
    let by = |entry: LogEntry| match p.organisation {
        Some((_, verified)) => entry.by_organisation(verified),
        None => entry,
    };
    Ok(match p.version {
        LogVersion::V1 => (
            by(LogEntry::add_v1(
                p.now,
                p.category,
                p.display,
                shown.as_ref(),
                commitment,
            ))
            .encode(),
            None,
        ),
        LogVersion::V2 => {
            let opening = shown
                .map(|shown| {
                    Ok::<_, StoreError>(Opening {
                        salt: opening_salt()?,
                        shown,
                    })
                })
                .transpose()?;
            let entry = by(LogEntry::add_v2(
                p.now,
                p.category,
                p.display,
                opening.as_ref(),
                commitment,
            ));
            (entry.encode(), opening)
        }
    })
}

/// The salt of an opening: 32 bytes from the operating system, drawn here and kept only
/// beside the entry, so that once the opening is deleted nothing the instance keeps (not the
/// address commitment's salt, not the instance key) can open the commitment again.
fn opening_salt() -> Result<Hash32, StoreError> {
    let mut salt = [0u8; 32];
    getrandom::fill(&mut salt).map_err(|e| StoreError::Unavailable {
        context: "drawing a random salt",
        source: Box::new(std::io::Error::other(e.to_string())),
    })?;
    Ok(salt)
}

/// The remove entry (of a log of `version`) for the add entry at `index`.
pub(crate) fn remove_entry(
    version: LogVersion,
    now: Timestamp,
    index: u64,
    reason: RemovalReason,
) -> Vec<u8> {
    LogEntry::remove(version, now, index, reason).encode()
}

/// An append worked out: what to write, and the head after it.
pub(crate) struct AppendPlan {
    pub new_size: u64,
    pub hashes: Vec<(u64, Hash32)>,
    pub root: Hash32,
}

/// The stored hash indexes to read before appending to a log of `size` entries.
pub(crate) fn frontier_indexes(size: u64) -> Vec<u64> {
    append_frontier_indexes(size)
}

/// Plans appending `entries` to a log of `old_size` entries whose frontier hashes (read at
/// [`frontier_indexes`]`(old_size)`, in that order) are `frontier`.
pub(crate) fn plan_append(
    old_size: u64,
    frontier: &[Hash32],
    entries: &[Vec<u8>],
) -> Result<AppendPlan, StoreError> {
    let corrupt = |e: String| StoreError::Corrupt(format!("the log: {e}"));
    let frontier: Vec<Hash> = frontier.iter().map(|h| Hash(*h)).collect();
    let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();
    let new = undersigned_tlog::stored_hashes_for_append_with_frontier::<std::convert::Infallible>(
        old_size, &frontier, &leaves,
    )
    .map_err(|e| corrupt(e.to_string()))?;
    // The new root folds the new tree's frontier, which is made of old frontier hashes and
    // new ones.
    let mut known: HashMap<u64, Hash> = append_frontier_indexes(old_size)
        .into_iter()
        .zip(frontier)
        .collect();
    known.extend(new.iter().map(|(i, h)| (i, *h)));
    let root = tree_hash(new.new_size, &known).map_err(|e| corrupt(e.to_string()))?;
    Ok(AppendPlan {
        new_size: new.new_size,
        hashes: new.iter().map(|(i, h)| (i, h.0)).collect(),
        root: root.0,
    })
}

/// The salt of a signature that was published before logs existed (see `backfill`): derived
/// from its keyed address hash, which only the instance can compute, so its commitment is
/// as unguessable as a random salt's, and the same if the backfill runs twice.
pub(crate) fn backfill_salt(email_hash: &[u8], signature: SignatureId) -> Hash32 {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(b"undersigned/v1/backfill-salt\n");
    hasher.update(email_hash);
    hasher.update(signature.0.to_be_bytes());
    hasher.finalize().into()
}

/// Groups entries by letter, in the order they came.
pub(crate) fn by_letter(
    entries: Vec<PendingEntry>,
) -> std::collections::BTreeMap<LetterId, Vec<PendingEntry>> {
    let mut grouped: std::collections::BTreeMap<LetterId, Vec<PendingEntry>> =
        std::collections::BTreeMap::new();
    for entry in entries {
        grouped.entry(entry.letter).or_default().push(entry);
    }
    grouped
}

/// A stored position, which is never negative.
pub(crate) fn to_u64(n: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("a negative {what}")))
}

/// A log position as the databases store it.
pub(crate) fn to_i64(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Corrupt("a log position beyond 2^63".into()))
}

/// A stored 32-byte hash.
pub(crate) fn hash_from(bytes: Vec<u8>) -> Result<Hash32, StoreError> {
    bytes
        .try_into()
        .map_err(|_| StoreError::Corrupt("a stored hash of the wrong length".into()))
}

/// The entries of `(idx, data)` rows read for `start..end`, or `Corrupt` when one is
/// missing or out of order.
pub(crate) fn entries_in_order(
    letter: LetterId,
    start: u64,
    end: u64,
    rows: Vec<(i64, Vec<u8>)>,
) -> Result<Vec<Vec<u8>>, StoreError> {
    let expected = end.saturating_sub(start);
    if rows.len() as u64 != expected
        || rows
            .iter()
            .zip(start..)
            .any(|((idx, _), want)| to_u64(*idx, "log index").ok() != Some(want))
    {
        return Err(StoreError::Corrupt(format!(
            "log entries {start}..{end} of letter {letter} are incomplete"
        )));
    }
    Ok(rows.into_iter().map(|(_, data)| data).collect())
}

/// The root of the empty log, for letters with nothing logged yet.
pub fn empty_root() -> Hash32 {
    undersigned_tlog::empty_root().0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planned_appends_give_the_reference_root() {
        let entries: Vec<Vec<u8>> = (0..40u32).map(|i| i.to_be_bytes().to_vec()).collect();
        let mut stored: HashMap<u64, Hash32> = HashMap::new();
        let mut size = 0u64;
        for chunk in [1usize, 2, 5, 1, 8, 7, 16] {
            let start = size as usize;
            let batch = &entries[start..start + chunk];
            let frontier: Vec<Hash32> = frontier_indexes(size).iter().map(|i| stored[i]).collect();
            let plan = plan_append(size, &frontier, batch).unwrap();
            stored.extend(plan.hashes.iter().copied());
            size = plan.new_size;
            let leaves: Vec<Hash> = entries[..size as usize]
                .iter()
                .map(|e| leaf_hash(e))
                .collect();
            assert_eq!(
                plan.root,
                undersigned_tlog::root_from_leaf_hashes(&leaves).0
            );
        }
        assert_eq!(size, 40);
    }
}
