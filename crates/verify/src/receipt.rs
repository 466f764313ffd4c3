//! Signers' receipts (docs/log-format.md, "Receipts"): a c2sp.org/tlog-proof file whose
//! extra data names the letter and holds the entry, the salt and the site's key, and (for an
//! entry of a format 2 log) the opening of what the page showed. The server
//! writes them with [`Receipt::encode`]; `undersigned receipt verify FILE` reads them with
//! [`Receipt::parse`] and checks them: offline ([`verify_offline`]) the checkpoint's
//! signature, the entry's inclusion, and given an address the commitment; online
//! (`check_online`, with the `fetch` feature) the site's key, consistency with the letter's
//! current checkpoint, and whether a later entry removed the signature.

use base64::{Engine, engine::general_purpose::STANDARD};
use serde::{Deserialize, Serialize};
use undersigned_core::{DisplayLevel, EmailAddress, signature::PublicSigner};
use undersigned_tlog::{Checkpoint, Hash, NoteVerifier, leaf_hash, verify_inclusion};

use crate::{
    check::readable_time,
    entry::{AddEntry, EntryError, LogEntry, LogVersion, Opening, commitment},
    json::{OpeningJson, SaltError},
    letter::{Letter, LetterError},
};

/// The first line of a tlog-proof file.
pub const HEADER: &str = "c2sp.org/tlog-proof@v1";
/// The versions of the extra data this code reads: the version of the log format of the
/// entry it holds (1, or 2 with the opening).
pub const VERSIONS: [u8; 2] = [1, 2];
/// Receipts are small; a file larger than this is not one.
pub const MAX_BYTES: u64 = 1024 * 1024;

/// The extra data of an Undersigned receipt. Field order here is the key order on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extra {
    /// The version: the log format of the entry (one of [`VERSIONS`]).
    pub v: u8,
    /// The letter's page, `https://host/l/slug`.
    pub letter: String,
    /// Base64 of the entry's bytes.
    pub entry: String,
    /// Base64 of the 32-byte salt of the commitment.
    pub salt: String,
    /// The site's verifier key.
    pub key: String,
    /// Version 2: the opening of the entry's commitment to what the page shows, so that the
    /// signer can prove what was shown (absent for private signers, and once the text was
    /// erased).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening: Option<OpeningJson>,
}

impl Extra {
    /// The extra data of the receipt for `entry` (of a log of `version`), committed to under
    /// `salt`, in the log of the letter whose page is `letter`, signed by the site's `key` (a
    /// verifier key), with the `opening` of what the page shows (format 2).
    pub fn new(
        version: LogVersion,
        letter: String,
        entry: &[u8],
        salt: &[u8; 32],
        key: String,
        opening: Option<&Opening>,
    ) -> Self {
        Self {
            v: version.number(),
            letter,
            entry: STANDARD.encode(entry),
            salt: STANDARD.encode(salt),
            key,
            opening: opening.map(OpeningJson::new),
        }
    }
}

/// A receipt, as written or parsed (not yet verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// What the receipt is for.
    pub extra: Extra,
    /// The entry's index in the log.
    pub index: u64,
    /// The entry's inclusion proof in the checkpoint's tree.
    pub proof: Vec<Hash>,
    /// The signed checkpoint, verbatim.
    pub checkpoint: String,
}

/// Why a receipt is not one, does not verify, or no longer holds.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    /// No blank line ends the proof.
    #[error("no blank line before the checkpoint: not a tlog-proof file")]
    NoBlankLine,
    /// Not a tlog-proof file.
    #[error("the first line is not {HEADER}: not a receipt")]
    Header,
    /// No extra data.
    #[error("the receipt has no extra line: it does not say which letter it is for")]
    NoExtra,
    /// The extra line is not base64.
    #[error("the extra line is not base64")]
    ExtraBase64(#[source] base64::DecodeError),
    /// The extra data is not the receipt's JSON.
    #[error("the extra data is not the receipt's JSON")]
    ExtraJson(#[source] serde_json::Error),
    /// A version this code does not read.
    #[error("this receipt is version {0}; this program reads versions 1 and 2")]
    Version(u8),
    /// The receipt's version is not its entry's.
    #[error("the receipt is version {receipt}, and its entry format {entry}")]
    EntryVersion {
        /// The receipt's version.
        receipt: u8,
        /// The entry's.
        entry: LogVersion,
    },
    /// The receipt's opening does not fit its entry.
    #[error("the receipt's opening {0}")]
    Opening(&'static str),
    /// The opening's salt is malformed.
    #[error("the receipt's opening is wrong: {0}")]
    OpeningSalt(SaltError),
    /// No index line.
    #[error("the receipt has no index line")]
    NoIndex,
    /// The index is not in its canonical form.
    #[error("the index {0:?} is not a decimal number without leading zeros")]
    IndexForm(String),
    /// The index does not fit.
    #[error("the index {index:?} is too large")]
    IndexTooLarge {
        /// The index as written.
        index: String,
        /// Why.
        #[source]
        source: std::num::ParseIntError,
    },
    /// A proof line is not a hash (lines counted from 1).
    #[error("line {0} of the inclusion proof is not a hash (32 bytes of base64)")]
    ProofLine(usize),
    /// The letter in the extra data is not a letter's address.
    #[error("the receipt's letter address is invalid")]
    LetterAddress(#[source] LetterError),
    /// The key in the extra data is not a verifier key.
    #[error("the receipt's key {key:?} is not a verifier key: {reason}")]
    Key {
        /// The key as written.
        key: String,
        /// Why.
        reason: undersigned_tlog::KeyError,
    },
    /// The checkpoint does not verify with the receipt's key for its letter.
    #[error("the receipt's checkpoint does not verify with its key")]
    Checkpoint(#[source] LetterError),
    /// The entry is not base64.
    #[error("the receipt's entry is not base64")]
    EntryBase64(#[source] base64::DecodeError),
    /// The entry is a remove entry.
    #[error("the receipt's entry is a remove entry, not a signature")]
    RemoveEntry,
    /// The entry is a text entry (a version of the letter's text).
    #[error("the receipt's entry is a text entry, not a signature")]
    TextEntry,
    /// The entry is not a valid entry.
    #[error("the receipt's entry is not a valid log entry: {0}")]
    Entry(EntryError),
    /// The inclusion proof does not verify.
    #[error(
        "the entry is not entry {index} of the log in the receipt's checkpoint of {size} entries: \
         the inclusion proof does not verify ({reason})"
    )]
    NotIncluded {
        /// The receipt's index.
        index: u64,
        /// The checkpoint's size.
        size: u64,
        /// Why.
        reason: undersigned_tlog::VerifyError,
    },
    /// The salt is malformed.
    #[error("the receipt's salt is not 32 bytes of base64")]
    Salt,
    /// The commitment is not to the address given.
    #[error(
        "the entry's commitment is not to {0}: this receipt is not for that address (or its salt \
         was changed)"
    )]
    NotCommitted(String),
    /// The letter address given is not a letter's.
    #[error(transparent)]
    Letter(LetterError),
    /// The letter address given is another letter's.
    #[error("the receipt is for {receipt}, not for {given}")]
    OtherLetter {
        /// The receipt's letter.
        receipt: String,
        /// The letter given.
        given: String,
    },
    /// Fetching the letter's log failed.
    #[cfg(feature = "fetch")]
    #[error(transparent)]
    Fetch(#[from] crate::fetch::FetchError),
    /// The site publishes another key.
    #[error("the site's checkpoint key is now {now}, not the receipt's {receipt}")]
    KeyChanged {
        /// The key the site publishes.
        now: String,
        /// The receipt's.
        receipt: String,
    },
    /// The letter's log is smaller than the receipt's checkpoint.
    #[error("the log shrank from {from} entries (the receipt's checkpoint) to {to}")]
    Shrank {
        /// The receipt's checkpoint's size.
        from: u64,
        /// The current size.
        to: u64,
    },
    /// The current checkpoint has the receipt's size and another root.
    #[error(
        "the letter's checkpoint of {0} entries has another root than the receipt's: the log was \
         rewritten"
    )]
    Rewritten(u64),
    /// The consistency proof does not verify.
    #[error(
        "the letter's log of {to} entries is not consistent with the receipt's checkpoint of \
         {from}: the server's consistency proof does not verify ({reason})"
    )]
    Inconsistent {
        /// The receipt's checkpoint's size.
        from: u64,
        /// The current size.
        to: u64,
        /// Why.
        reason: undersigned_tlog::VerifyError,
    },
    /// The level-1 tiles are short.
    #[error("the level-1 hash tiles hold fewer hashes than the log's size implies")]
    ShortTiles,
    /// The entries after the signature are not the log's.
    #[error(
        "the log's entries after yours (and its level-1 hash tiles) do not hash to the letter's \
         current checkpoint root"
    )]
    EntriesAfter,
    /// A later entry removes the signature.
    #[error("your signature was removed on {on} ({why}): entry {index} of the log removes it")]
    Removed {
        /// When, readable.
        on: String,
        /// Why, readable.
        why: &'static str,
        /// The remove entry's index.
        index: u64,
    },
    /// A later entry is invalid.
    #[error("entry {index} of the letter's log is invalid: {reason}")]
    InvalidEntry {
        /// Its index.
        index: u64,
        /// Why.
        reason: EntryError,
    },
}

impl Receipt {
    /// The receipt as a tlog-proof file: what the server serves at the receipt's address.
    pub fn encode(&self) -> String {
        // Serialising `Extra` cannot fail: every field is a string or a number.
        let extra = serde_json::to_vec(&self.extra).unwrap_or_default();
        let mut text = format!(
            "{HEADER}\nextra {}\nindex {}\n",
            STANDARD.encode(extra),
            self.index
        );
        for hash in &self.proof {
            text.push_str(&hash.to_base64());
            text.push('\n');
        }
        text.push('\n');
        text.push_str(&self.checkpoint);
        text
    }

    /// Parses a tlog-proof file (c2sp.org/tlog-proof) and its extra data.
    pub fn parse(text: &str) -> Result<Self, ReceiptError> {
        let (head, checkpoint) = text.split_once("\n\n").ok_or(ReceiptError::NoBlankLine)?;
        let mut lines = head.split('\n');
        if lines.next() != Some(HEADER) {
            return Err(ReceiptError::Header);
        }
        let mut line = lines.next();
        let extra = match line.and_then(|l| l.strip_prefix("extra ")) {
            Some(b64) => {
                line = lines.next();
                b64
            }
            None => return Err(ReceiptError::NoExtra),
        };
        let extra = STANDARD.decode(extra).map_err(ReceiptError::ExtraBase64)?;
        let extra: Extra = serde_json::from_slice(&extra).map_err(ReceiptError::ExtraJson)?;
        if !VERSIONS.contains(&extra.v) {
            return Err(ReceiptError::Version(extra.v));
        }
        let index = line
            .and_then(|l| l.strip_prefix("index "))
            .ok_or(ReceiptError::NoIndex)?;
        if index.is_empty()
            || !index.bytes().all(|b| b.is_ascii_digit())
            || (index.len() > 1 && index.starts_with('0'))
        {
            return Err(ReceiptError::IndexForm(index.to_owned()));
        }
        let index: u64 = index
            .parse()
            .map_err(|source| ReceiptError::IndexTooLarge {
                index: index.to_owned(),
                source,
            })?;
        let proof = lines
            .enumerate()
            .map(|(i, l)| Hash::from_base64(l).map_err(|_| ReceiptError::ProofLine(i + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Receipt {
            extra,
            index,
            proof,
            checkpoint: checkpoint.to_owned(),
        })
    }
}

/// What a receipt proves, once verified.
pub struct Verified {
    /// The letter.
    pub letter: Letter,
    /// The site's key, as the receipt names it.
    pub key: NoteVerifier,
    /// The receipt's checkpoint.
    pub checkpoint: Checkpoint,
    /// The entry's index.
    pub index: u64,
    /// The signature's entry.
    pub entry: AddEntry,
    /// What the page showed: a format 1 entry's text, or the verified opening of a format 2
    /// entry (None for private signers, and for a format 2 receipt without its opening).
    pub shown: Option<PublicSigner>,
    /// The address given (which matched, or verification fails).
    pub email: Option<String>,
}

/// The offline checks: the checkpoint is signed by the receipt's key for the letter's log,
/// the entry is an add entry in its canonical encoding (of the receipt's version), it hashes
/// into the checkpoint's root at the index through the proof, a format 2 receipt's opening
/// opens the entry's commitment, and (given an address) the commitment is the address's.
pub fn verify_offline(
    receipt: &Receipt,
    email: Option<&EmailAddress>,
) -> Result<Verified, ReceiptError> {
    let extra = &receipt.extra;
    let letter = Letter::parse(&extra.letter).map_err(ReceiptError::LetterAddress)?;
    let key = NoteVerifier::from_verifier_key(&extra.key).map_err(|reason| ReceiptError::Key {
        key: extra.key.clone(),
        reason,
    })?;
    let checkpoint = letter
        .open_checkpoint(&receipt.checkpoint, &key)
        .map_err(ReceiptError::Checkpoint)?;
    let bytes = STANDARD
        .decode(&extra.entry)
        .map_err(ReceiptError::EntryBase64)?;
    let entry = match LogEntry::decode(&bytes) {
        Ok(LogEntry::Add(add)) => add,
        Ok(LogEntry::Remove(_)) => return Err(ReceiptError::RemoveEntry),
        Ok(LogEntry::Text(_)) => return Err(ReceiptError::TextEntry),
        Err(e) => return Err(ReceiptError::Entry(e)),
    };
    verify_inclusion(
        &leaf_hash(&bytes),
        receipt.index,
        checkpoint.size,
        &receipt.proof,
        &checkpoint.root_hash,
    )
    .map_err(|reason| ReceiptError::NotIncluded {
        index: receipt.index,
        size: checkpoint.size,
        reason,
    })?;
    let salt: [u8; 32] = STANDARD
        .decode(&extra.salt)
        .ok()
        .and_then(|s| s.try_into().ok())
        .ok_or(ReceiptError::Salt)?;
    if let Some(email) = email
        && commitment(&salt, email) != entry.commitment
    {
        return Err(ReceiptError::NotCommitted(email.to_string()));
    }
    let shown = shown_by(extra, &entry)?;
    Ok(Verified {
        letter,
        key,
        checkpoint,
        index: receipt.index,
        entry,
        shown,
        email: email.map(ToString::to_string),
    })
}

/// What the receipt proves the page showed: a format 1 entry's text, or a format 2 entry's
/// opening, which must open its commitment.
fn shown_by(extra: &Extra, entry: &AddEntry) -> Result<Option<PublicSigner>, ReceiptError> {
    if extra.v != entry.version().number() {
        return Err(ReceiptError::EntryVersion {
            receipt: extra.v,
            entry: entry.version(),
        });
    }
    let Some(opening) = &extra.opening else {
        return Ok(entry.clear_text());
    };
    if entry.version() == LogVersion::V1 {
        return Err(ReceiptError::Opening(
            "is for a format 2 entry: a format 1 entry holds its text",
        ));
    }
    if entry.display == DisplayLevel::Private {
        return Err(ReceiptError::Opening(
            "is for a shown signer, and the entry is a private signature",
        ));
    }
    let opening = opening.opening().map_err(ReceiptError::OpeningSalt)?;
    if !opening.opens(entry) {
        return Err(ReceiptError::Opening(
            "does not open the entry's commitment: its name, details, comment or salt is not \
             what the log committed to",
        ));
    }
    Ok(Some(opening.shown))
}

/// How the signer appears on the letter: "shown by initials as "J. D." (Lyon) as Survivor,
/// since 2026-11-28 12:00 UTC". `shown` is what the page showed ([`Verified::shown`]).
pub fn appearance(entry: &AddEntry, shown: Option<&PublicSigner>) -> String {
    let how = match (entry.display, shown) {
        (DisplayLevel::Private, _) => "not shown by name (private), counted".to_owned(),
        (DisplayLevel::Initials, Some(s)) => format!("shown by initials as {:?}", s.shown_name),
        (DisplayLevel::Public, Some(s)) => format!("shown as {:?}", s.shown_name),
        (DisplayLevel::Initials, None) => {
            "shown by initials (the receipt does not hold the text, which may have been erased)"
                .to_owned()
        }
        (DisplayLevel::Public, None) => {
            "shown by name (the receipt does not hold the text, which may have been erased)"
                .to_owned()
        }
    };
    let details = shown
        .and_then(|s| s.details.as_ref())
        .map(|d| format!(" ({d})"))
        .unwrap_or_default();
    let comment = shown
        .and_then(|s| s.comment.as_ref())
        .map(|c| format!(", with the comment {c:?}"))
        .unwrap_or_default();
    format!(
        "{how}{details} as {}{comment}, since {}",
        entry.category,
        readable_time(entry.time.as_str())
    )
}

/// The online checks: the site still publishes the receipt's key, its current checkpoint is
/// consistent with the receipt's, and no entry after the signature removes it. The entries
/// after it are bound to the current root (with the level-1 tile hashes of the ones before),
/// so a server cannot hide a remove entry.
///
/// `page` is the letter's page as given to check against the receipt's letter (`None` to
/// use the receipt's). Returns the current checkpoint's size.
#[cfg(feature = "fetch")]
pub async fn check_online(verified: &Verified, page: Option<&str>) -> Result<u64, ReceiptError> {
    use crate::{
        check::{TILE_WIDTH, reason_text, root_from_chunks},
        fetch::{Http, Site},
    };
    use undersigned_tlog::verify_consistency;

    if let Some(page) = page {
        let given = Letter::parse(page).map_err(ReceiptError::Letter)?;
        if given.page() != verified.letter.page() {
            return Err(ReceiptError::OtherLetter {
                receipt: verified.letter.page(),
                given: given.page(),
            });
        }
    }
    let http = Http::new()?;
    let site = Site {
        http: &http,
        letter: &verified.letter,
    };
    let published = site.key().await?;
    if published != verified.key {
        return Err(ReceiptError::KeyChanged {
            now: published.verifier_key(),
            receipt: verified.key.verifier_key(),
        });
    }
    let (current, _) = site.checkpoint(&published).await?;
    let old = &verified.checkpoint;
    if current.size < old.size {
        return Err(ReceiptError::Shrank {
            from: old.size,
            to: current.size,
        });
    }
    if current.size == old.size {
        if current.root_hash != old.root_hash {
            return Err(ReceiptError::Rewritten(current.size));
        }
    } else {
        let proof = site.consistency_proof(old.size, current.size).await?;
        verify_consistency(
            old.size,
            current.size,
            &proof,
            &old.root_hash,
            &current.root_hash,
        )
        .map_err(|reason| ReceiptError::Inconsistent {
            from: old.size,
            to: current.size,
            reason,
        })?;
    }

    // Every entry after the signature, bound to the current root.
    let after = verified.index + 1;
    let first_bundle = after / TILE_WIDTH;
    let chunks = if first_bundle == 0 {
        Vec::new()
    } else {
        let tiles = site
            .tiles(1, first_bundle.div_ceil(TILE_WIDTH), current.size)
            .await?;
        let mut hashes: Vec<Hash> = tiles.into_iter().flat_map(|(_, h)| h).collect();
        hashes.truncate(first_bundle as usize);
        hashes
    };
    if (chunks.len() as u64) != first_bundle {
        return Err(ReceiptError::ShortTiles);
    }
    let downloaded = site.entries(first_bundle, current.size).await?;
    if root_from_chunks(&chunks, &downloaded.leaves) != current.root_hash {
        return Err(ReceiptError::EntriesAfter);
    }
    let start = first_bundle * TILE_WIDTH;
    for (i, entry) in downloaded.decoded.into_iter().enumerate() {
        let index = start + i as u64;
        if index < after {
            continue;
        }
        match entry {
            Ok(LogEntry::Remove(remove)) if remove.removes == verified.index => {
                return Err(ReceiptError::Removed {
                    on: readable_time(remove.time.as_str()),
                    why: reason_text(remove.reason),
                    index,
                });
            }
            Ok(_) => {}
            Err(reason) => return Err(ReceiptError::InvalidEntry { index, reason }),
        }
    }
    Ok(current.size)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::error_chain;
    use undersigned_core::signature::{SignerDetails, public_display};
    use undersigned_tlog::{MemoryHashStore, NoteSigner, inclusion_proof, tree_hash};

    const SALT: [u8; 32] = [9; 32];

    fn email() -> EmailAddress {
        EmailAddress::parse("Jane.Doe@example.org").unwrap()
    }

    /// A log of `size` entries whose entry `index` is Jane Doe's, and her receipt.
    fn receipt(index: u64, size: u64, display: DisplayLevel) -> String {
        receipt_in(LogVersion::V1, index, size, display)
    }

    /// The opening of Jane Doe's format 2 entry (None when she signed privately).
    fn jane(display: DisplayLevel) -> Option<Opening> {
        let details = SignerDetails {
            city: Some("Lyon".into()),
            show_city: true,
            ..Default::default()
        };
        public_display("Jane Doe", &details, display).map(|shown| Opening {
            salt: [4; 32],
            shown,
        })
    }

    /// The same, in a log of `version`.
    fn receipt_in(version: LogVersion, index: u64, size: u64, display: DisplayLevel) -> String {
        let signer = NoteSigner::from_seed("letters.example.org", &[3; 32]).unwrap();
        let details = SignerDetails {
            city: Some("Lyon".into()),
            show_city: true,
            ..Default::default()
        };
        let entries: Vec<Vec<u8>> = (0..size)
            .map(|i| {
                let (name, c) = if i == index {
                    ("Jane Doe", commitment(&SALT, &email()))
                } else {
                    ("Ada Corvane", [i as u8; 32])
                };
                let shown = public_display(name, &details, display);
                match version {
                    LogVersion::V1 => {
                        LogEntry::add_v1(1_795_867_259, "Survivor", display, shown.as_ref(), c)
                    }
                    LogVersion::V2 => {
                        let opening = shown.map(|shown| Opening {
                            salt: [4; 32],
                            shown,
                        });
                        LogEntry::add_v2(1_795_867_259, "Survivor", display, opening.as_ref(), c)
                    }
                }
                .encode()
            })
            .collect();
        let mut store = MemoryHashStore::new();
        store
            .append(&entries.iter().map(|e| leaf_hash(e)).collect::<Vec<_>>())
            .unwrap();
        let root = tree_hash(size, &store).unwrap();
        let checkpoint = Checkpoint::new("letters.example.org/l/investigate", size, root)
            .sign([&signer])
            .unwrap();
        let opening = match version {
            LogVersion::V1 => None,
            LogVersion::V2 => jane(display),
        };
        Receipt {
            extra: Extra::new(
                version,
                "https://letters.example.org/l/investigate".into(),
                &entries[index as usize],
                &SALT,
                signer.verifier().verifier_key(),
                opening.as_ref(),
            ),
            index,
            proof: inclusion_proof(index, size, &store).unwrap(),
            checkpoint,
        }
        .encode()
    }

    /// A receipt with its extra data's JSON changed by `change`.
    fn with_extra(text: &str, change: impl FnOnce(&mut serde_json::Value)) -> String {
        let line = text.lines().nth(1).unwrap();
        let json = STANDARD.decode(&line["extra ".len()..]).unwrap();
        let mut json: serde_json::Value = serde_json::from_slice(&json).unwrap();
        change(&mut json);
        text.replace(
            line,
            &format!("extra {}", STANDARD.encode(json.to_string())),
        )
    }

    fn check(text: &str, email: Option<&EmailAddress>) -> Result<Verified, ReceiptError> {
        verify_offline(&Receipt::parse(text)?, email)
    }

    /// The file byte for byte as docs/log-format.md describes it, and read back.
    #[test]
    fn the_receipt_file() {
        let receipt = Receipt {
            extra: Extra::new(
                LogVersion::V1,
                "https://letters.example.org/l/investigate".into(),
                b"{}",
                &[1; 32],
                "letters.example.org+01234567+AQ".into(),
                None,
            ),
            index: 17,
            proof: vec![Hash([2; 32]), Hash([3; 32])],
            checkpoint: "letters.example.org/l/investigate\n18\nroot\n\n\u{2014} sig\n".into(),
        };
        let extra = r#"{"v":1,"letter":"https://letters.example.org/l/investigate","entry":"e30=","salt":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=","key":"letters.example.org+01234567+AQ"}"#;
        let text = receipt.encode();
        assert_eq!(
            text,
            format!(
                "c2sp.org/tlog-proof@v1\nextra {}\nindex 17\n{}\n{}\n\n{}",
                STANDARD.encode(extra),
                Hash([2; 32]).to_base64(),
                Hash([3; 32]).to_base64(),
                receipt.checkpoint
            )
        );
        assert_eq!(Receipt::parse(&text).unwrap(), receipt);

        // Version 2 carries the opening.
        let opening = jane(DisplayLevel::Initials).unwrap();
        let extra = Extra::new(
            LogVersion::V2,
            "https://letters.example.org/l/investigate".into(),
            b"{}",
            &[1; 32],
            "letters.example.org+01234567+AQ".into(),
            Some(&opening),
        );
        assert_eq!(
            serde_json::to_string(&extra).unwrap(),
            r#"{"v":2,"letter":"https://letters.example.org/l/investigate","entry":"e30=","salt":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=","key":"letters.example.org+01234567+AQ","opening":{"salt":"BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ=","name":"J. D.","details":"Lyon","comment":null}}"#
        );
    }

    #[test]
    fn a_receipt_verifies_offline() {
        for (index, size) in [(0, 1), (17, 40), (39, 40), (255, 300)] {
            let text = receipt(index, size, DisplayLevel::Initials);
            let v = check(&text, Some(&email())).unwrap();
            assert_eq!((v.index, v.checkpoint.size), (index, size));
            assert_eq!(v.letter.origin(), "letters.example.org/l/investigate");
            assert_eq!(
                appearance(&v.entry, v.shown.as_ref()),
                "shown by initials as \"J. D.\" (Lyon) as Survivor, since 2026-11-28 12:00 UTC"
            );
            // Format 2: the same, from the opening.
            let text = receipt_in(LogVersion::V2, index, size, DisplayLevel::Initials);
            let v = check(&text, Some(&email())).unwrap();
            assert_eq!(v.entry.version(), LogVersion::V2);
            assert_eq!(
                appearance(&v.entry, v.shown.as_ref()),
                "shown by initials as \"J. D.\" (Lyon) as Survivor, since 2026-11-28 12:00 UTC"
            );
        }
        // A format 2 receipt whose text was erased still proves the signature.
        let text = receipt_in(LogVersion::V2, 2, 5, DisplayLevel::Public);
        let erased = with_extra(&text, |json| {
            json.as_object_mut().unwrap().remove("opening");
        });
        let v = check(&erased, Some(&email())).unwrap();
        assert_eq!(v.shown, None);
        assert_eq!(
            appearance(&v.entry, None),
            "shown by name (the receipt does not hold the text, which may have been erased) as \
             Survivor, since 2026-11-28 12:00 UTC"
        );
        let v = check(
            &receipt_in(LogVersion::V2, 2, 5, DisplayLevel::Private),
            None,
        )
        .unwrap();
        assert_eq!(
            appearance(&v.entry, v.shown.as_ref()),
            "not shown by name (private), counted as Survivor, since 2026-11-28 12:00 UTC"
        );
        // The address is normalised as the server does.
        let text = receipt(3, 5, DisplayLevel::Private);
        let same = EmailAddress::parse("jane.doe@Example.org").unwrap();
        let v = check(&text, Some(&same)).unwrap();
        assert_eq!(
            appearance(&v.entry, v.shown.as_ref()),
            "not shown by name (private), counted as Survivor, since 2026-11-28 12:00 UTC"
        );
        let other = EmailAddress::parse("john@example.org").unwrap();
        let err = check(&text, Some(&other)).err().unwrap().to_string();
        assert!(err.contains("not to john@example.org"), "{err}");
    }

    #[test]
    fn every_changed_byte_is_caught() {
        for version in [LogVersion::V1, LogVersion::V2] {
            every_changed_byte_of(&receipt_in(version, 17, 40, DisplayLevel::Public));
        }
    }

    fn every_changed_byte_of(text: &str) {
        assert!(check(text, Some(&email())).is_ok());
        let bytes = text.as_bytes();
        for i in 0..bytes.len() {
            let mut changed = bytes.to_vec();
            changed[i] ^= 0x01;
            let Ok(changed) = String::from_utf8(changed) else {
                continue;
            };
            assert!(
                check(&changed, Some(&email())).is_err(),
                "byte {i} ({:?}) changed and the receipt still verifies",
                bytes[i] as char
            );
        }
    }

    #[test]
    fn precise_failures() {
        let text = receipt(17, 40, DisplayLevel::Public);
        let err = |t: &str| error_chain(check(t, None).err().unwrap());
        assert!(err("hello").contains("not a tlog-proof"));
        assert!(err(&text.replace(HEADER, "c2sp.org/tlog-proof@v2")).contains("not a receipt"));
        assert!(
            err(&text.replace("index 17", "index 16")).contains("inclusion proof does not verify")
        );
        assert!(err(&text.replace("index 17", "index 017")).contains("leading zeros"));
        // A proof line dropped.
        let mut lines: Vec<&str> = text.split('\n').collect();
        lines.remove(3);
        assert!(err(&lines.join("\n")).contains("inclusion proof does not verify"));
        // Another site's key.
        let other = NoteSigner::from_seed("letters.example.org", &[4; 32]).unwrap();
        let extra_line = text.lines().nth(1).unwrap();
        let json = STANDARD.decode(&extra_line["extra ".len()..]).unwrap();
        let mut json: serde_json::Value = serde_json::from_slice(&json).unwrap();
        json["key"] = other.verifier().verifier_key().into();
        let swapped = text.replace(
            extra_line,
            &format!("extra {}", STANDARD.encode(json.to_string())),
        );
        assert!(err(&swapped).contains("does not verify with its key"));
        // A remove entry is not a signature.
        json["key"] = serde_json::Value::String(
            NoteSigner::from_seed("letters.example.org", &[3; 32])
                .unwrap()
                .verifier()
                .verifier_key(),
        );
        json["entry"] = STANDARD
            .encode(
                LogEntry::remove(LogVersion::V1, 0, 1, crate::entry::RemovalReason::Withdrawn)
                    .encode(),
            )
            .into();
        let removal = text.replace(
            extra_line,
            &format!("extra {}", STANDARD.encode(json.to_string())),
        );
        assert!(err(&removal).contains("a remove entry, not a signature"));
        // Another letter of the same site.
        json["letter"] = "https://letters.example.org/l/another".into();
        let elsewhere = text.replace(
            extra_line,
            &format!("extra {}", STANDARD.encode(json.to_string())),
        );
        assert!(err(&elsewhere).contains(
            "is the checkpoint of \"letters.example.org/l/investigate\", not of this letter"
        ));
        // An unknown field.
        let unknown = with_extra(&text, |json| json["shown"] = "x".into());
        assert!(err(&unknown).contains("not the receipt's JSON"));
    }

    #[test]
    fn a_format_2_receipts_opening_must_open_its_entry() {
        let text = receipt_in(LogVersion::V2, 17, 40, DisplayLevel::Public);
        let err = |t: &str| error_chain(check(t, None).err().unwrap());
        let wrong_name = with_extra(&text, |json| json["opening"]["name"] = "Jane Dough".into());
        assert!(
            err(&wrong_name).contains(
                "the receipt's opening does not open the entry's commitment: its name, details, \
                 comment or salt is not what the log committed to"
            ),
            "{}",
            err(&wrong_name)
        );
        let other_salt = with_extra(&text, |json| {
            json["opening"]["salt"] = STANDARD.encode([5; 32]).into();
        });
        assert!(err(&other_salt).contains("does not open the entry's commitment"));
        let bad_salt = with_extra(&text, |json| json["opening"]["salt"] = "AAAA".into());
        assert!(err(&bad_salt).contains("the salt is not 32 bytes of base64"));
        // The version must be the entry's.
        let as_v1 = with_extra(&text, |json| json["v"] = 1.into());
        assert!(err(&as_v1).contains("the receipt is version 1, and its entry format 2"));
        let v1 = receipt(17, 40, DisplayLevel::Public);
        let as_v2 = with_extra(&v1, |json| json["v"] = 2.into());
        assert!(err(&as_v2).contains("the receipt is version 2, and its entry format 1"));
        assert!(err(&with_extra(&v1, |json| json["v"] = 3.into())).contains("version 3"));
        // An opening beside a format 1 entry, or a private one.
        let opening =
            serde_json::to_value(OpeningJson::new(&jane(DisplayLevel::Public).unwrap())).unwrap();
        let v1_opened = with_extra(&v1, |json| json["opening"] = opening.clone());
        assert!(err(&v1_opened).contains("is for a format 2 entry"));
        let private = receipt_in(LogVersion::V2, 17, 40, DisplayLevel::Private);
        let private_opened = with_extra(&private, |json| json["opening"] = opening.clone());
        assert!(err(&private_opened).contains("the entry is a private signature"));
    }

    #[cfg(feature = "fetch")]
    #[tokio::test]
    async fn online_checks_follow_the_letters_log() {
        use crate::fake::{add, entries, remove, serve};
        let mut log = entries(700);
        // In the third bundle: the entries before it are bound through a level-1 tile.
        log[600] = add(
            "Jane Doe",
            "Survivor",
            DisplayLevel::Public,
            commitment(&SALT, &email()),
        );
        let (_url, fake) = serve(log).await;
        let text = fake.lock().unwrap().receipt(600, &SALT);
        let run = |email: Option<&'static str>| {
            let text = text.clone();
            async move {
                let email = email.map(|e| EmailAddress::parse(e).unwrap());
                let verified = check(&text, email.as_ref()).map_err(error_chain)?;
                check_online(&verified, None)
                    .await
                    .map(drop)
                    .map_err(error_chain)
            }
        };
        run(Some("jane.doe@example.org")).await.unwrap();
        let err = run(Some("jane@example.org")).await.unwrap_err();
        assert!(err.contains("not to jane@example.org"), "{err}");

        // The log grows: consistent, still counted.
        fake.lock().unwrap().entries.push(remove(3));
        run(None).await.unwrap();

        // An entry after it is served changed: caught, as it could hide a removal.
        let edited = add("Jane Doe", "Survivor", DisplayLevel::Public, [0; 32]);
        fake.lock().unwrap().served.insert(650, edited);
        let err = run(None).await.unwrap_err();
        assert!(
            err.contains("do not hash to the letter's current checkpoint root"),
            "{err}"
        );
        fake.lock().unwrap().served.clear();

        // Removed.
        fake.lock().unwrap().entries.push(remove(600));
        let err = run(None).await.unwrap_err();
        assert!(
            err.contains(
                "your signature was removed on 2026-11-28 13:00 UTC (hidden by a moderator): \
                 entry 771 of the log removes it"
            ),
            "{err}"
        );

        // Rewritten under the receipt.
        fake.lock().unwrap().entries[599] = remove(2);
        let err = run(None).await.unwrap_err();
        assert!(err.contains("consistency proof does not verify"), "{err}");

        // Shrunk.
        fake.lock().unwrap().entries.truncate(601);
        let err = run(None).await.unwrap_err();
        assert!(err.contains("the log shrank from 770 entries"), "{err}");

        // Another key on the site.
        fake.lock().unwrap().signer = NoteSigner::from_seed("127.0.0.1", &[8; 32]).unwrap();
        let err = run(None).await.unwrap_err();
        assert!(err.contains("the site's checkpoint key is now"), "{err}");
    }
}
