//! `undersigned receipt verify FILE`: checks a signer's receipt, a c2sp.org/tlog-proof file
//! whose extra data names the letter, holds the entry, the salt and the site's key
//! (docs/log-format.md, "Receipts"). Offline: the checkpoint's signature, the entry's
//! inclusion, and with `--email` the commitment. Online: the site's key, consistency with the
//! letter's current checkpoint, and whether a later entry removed the signature.

use std::path::Path;

use anyhow::{Context, anyhow, bail};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde::Deserialize;
use undersigned_core::{DisplayLevel, EmailAddress};
use undersigned_tlog::{
    Checkpoint, Hash, NoteVerifier, leaf_hash, verify_consistency, verify_inclusion,
};
use undersigned_verify::entry::{AddEntry, LogEntry, commitment};

use crate::audit::{
    check::{TILE_WIDTH, readable_time, reason_text, root_from_chunks},
    fetch::{Http, Letter, Site},
};

/// The first line of a tlog-proof file.
const HEADER: &str = "c2sp.org/tlog-proof@v1";
/// Receipts are small; anything larger is not one.
const MAX_RECEIPT: u64 = 1024 * 1024;

/// The extra data of an Undersigned receipt.
#[derive(Debug, Clone, Deserialize)]
pub struct Extra {
    pub v: u8,
    /// The letter's page, `https://host/l/slug`.
    pub letter: String,
    /// Base64 of the entry's bytes.
    pub entry: String,
    /// Base64 of the 32-byte salt of the commitment.
    pub salt: String,
    /// The site's verifier key.
    pub key: String,
}

/// A parsed (not yet verified) receipt.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub extra: Extra,
    pub index: u64,
    pub proof: Vec<Hash>,
    /// The signed checkpoint, verbatim.
    pub checkpoint: String,
}

/// Parses a tlog-proof file (c2sp.org/tlog-proof) and its extra data.
pub fn parse(text: &str) -> anyhow::Result<Receipt> {
    let (head, checkpoint) = text
        .split_once("\n\n")
        .ok_or_else(|| anyhow!("no blank line before the checkpoint: not a tlog-proof file"))?;
    let mut lines = head.split('\n');
    if lines.next() != Some(HEADER) {
        bail!("the first line is not {HEADER}: not a receipt");
    }
    let mut line = lines.next();
    let extra = match line.and_then(|l| l.strip_prefix("extra ")) {
        Some(b64) => {
            line = lines.next();
            b64
        }
        None => bail!("the receipt has no extra line: it does not say which letter it is for"),
    };
    let extra = STANDARD
        .decode(extra)
        .context("the extra line is not base64")?;
    let extra: Extra =
        serde_json::from_slice(&extra).context("the extra data is not the receipt's JSON")?;
    if extra.v != 1 {
        bail!(
            "this receipt is version {}; this program reads version 1",
            extra.v
        );
    }
    let index = line
        .and_then(|l| l.strip_prefix("index "))
        .ok_or_else(|| anyhow!("the receipt has no index line"))?;
    if index.is_empty()
        || !index.bytes().all(|b| b.is_ascii_digit())
        || (index.len() > 1 && index.starts_with('0'))
    {
        bail!("the index {index:?} is not a decimal number without leading zeros");
    }
    let index: u64 = index
        .parse()
        .with_context(|| format!("the index {index:?} is too large"))?;
    let proof = lines
        .enumerate()
        .map(|(i, l)| {
            Hash::from_base64(l).map_err(|_| {
                anyhow!(
                    "line {} of the inclusion proof is not a hash (32 bytes of base64)",
                    i + 1
                )
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Receipt {
        extra,
        index,
        proof,
        checkpoint: checkpoint.to_owned(),
    })
}

/// What a receipt proves, once verified.
pub struct Verified {
    pub letter: Letter,
    pub key: NoteVerifier,
    pub checkpoint: Checkpoint,
    pub index: u64,
    pub entry: AddEntry,
    /// Whether `--email` was given (and matched, or verification fails).
    pub email: Option<String>,
}

/// The offline checks: the checkpoint is signed by the receipt's key for the letter's log,
/// the entry is an add entry in its canonical encoding, it hashes into the checkpoint's root
/// at the index through the proof, and (given an address) the commitment is the address's.
pub fn verify_offline(receipt: &Receipt, email: Option<&EmailAddress>) -> anyhow::Result<Verified> {
    let extra = &receipt.extra;
    let letter = Letter::parse(&extra.letter).context("the receipt's letter address is invalid")?;
    let key = NoteVerifier::from_verifier_key(&extra.key).map_err(|e| {
        anyhow!(
            "the receipt's key {:?} is not a verifier key: {e}",
            extra.key
        )
    })?;
    let checkpoint = letter
        .open_checkpoint(&receipt.checkpoint, &key)
        .context("the receipt's checkpoint does not verify with its key")?;
    let bytes = STANDARD
        .decode(&extra.entry)
        .context("the receipt's entry is not base64")?;
    let entry = match LogEntry::decode(&bytes) {
        Ok(LogEntry::Add(add)) => add,
        Ok(LogEntry::Remove(_)) => bail!("the receipt's entry is a remove entry, not a signature"),
        Err(e) => bail!("the receipt's entry is not a valid log entry: {e}"),
    };
    verify_inclusion(
        &leaf_hash(&bytes),
        receipt.index,
        checkpoint.size,
        &receipt.proof,
        &checkpoint.root_hash,
    )
    .map_err(|e| {
        anyhow!(
            "the entry is not entry {} of the log in the receipt's checkpoint of {} entries: the \
             inclusion proof does not verify ({e})",
            receipt.index,
            checkpoint.size
        )
    })?;
    let salt: [u8; 32] = STANDARD
        .decode(&extra.salt)
        .ok()
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| anyhow!("the receipt's salt is not 32 bytes of base64"))?;
    if let Some(email) = email
        && commitment(&salt, email) != entry.commitment
    {
        bail!(
            "the entry's commitment is not to {email}: this receipt is not for that address (or \
             its salt was changed)"
        );
    }
    Ok(Verified {
        letter,
        key,
        checkpoint,
        index: receipt.index,
        entry,
        email: email.map(ToString::to_string),
    })
}

/// How the signer appears on the letter.
fn appearance(entry: &AddEntry) -> String {
    let shown = match (entry.display, &entry.name) {
        (DisplayLevel::Private, _) | (_, None) => "not shown by name (private), counted".to_owned(),
        (DisplayLevel::Initials, Some(name)) => format!("shown by initials as {name:?}"),
        (DisplayLevel::Public, Some(name)) => format!("shown as {name:?}"),
    };
    let details = entry
        .details
        .as_ref()
        .map(|d| format!(" ({d})"))
        .unwrap_or_default();
    let comment = entry
        .comment
        .as_ref()
        .map(|c| format!(", with the comment {c:?}"))
        .unwrap_or_default();
    format!(
        "{shown}{details} as {}{comment}, since {}",
        entry.category,
        readable_time(&entry.time)
    )
}

/// `online`: `None` offline only; `Some("")` online at the receipt's letter; `Some(url)`
/// online, with `url` the letter's page (it must be the receipt's letter).
pub async fn verify(file: &Path, email: Option<&str>, online: Option<&str>) -> anyhow::Result<()> {
    let meta = std::fs::metadata(file).with_context(|| format!("reading {}", file.display()))?;
    if meta.len() > MAX_RECEIPT {
        bail!("{} is too large to be a receipt", file.display());
    }
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let email = email
        .map(|e| {
            EmailAddress::parse(e).map_err(|err| anyhow!("{e:?} is not an email address: {err}"))
        })
        .transpose()?;
    let receipt =
        parse(&text).with_context(|| format!("{} is not a valid receipt", file.display()))?;
    let verified = verify_offline(&receipt, email.as_ref())
        .with_context(|| format!("{} does not verify", file.display()))?;

    println!("Receipt for {}", verified.letter.page());
    println!(
        "  entry       {} of the letter's log, in its checkpoint of {} entries",
        verified.index, verified.checkpoint.size
    );
    println!("  key         {}", verified.key.verifier_key());
    println!(
        "  signature   {}",
        crate::terminal_safe(&appearance(&verified.entry))
    );
    match &verified.email {
        Some(email) => println!("  address     the entry's commitment is to {email}"),
        None => println!("  address     not checked (add --email ADDRESS to check it is yours)"),
    }

    if let Some(url) = online {
        if !url.is_empty() {
            let given = Letter::parse(url)?;
            if given.page() != verified.letter.page() {
                bail!(
                    "the receipt is for {}, not for {}",
                    verified.letter.page(),
                    given.page()
                );
            }
        }
        check_online(&verified).await?;
    } else {
        println!("Verified offline. Add --online to check the letter's current log.");
    }
    Ok(())
}

/// The online checks: the site still publishes the receipt's key, its current checkpoint is
/// consistent with the receipt's, and no entry after the signature removes it. The entries
/// after it are bound to the current root (with the level-1 tile hashes of the ones before),
/// so a server cannot hide a remove entry.
async fn check_online(verified: &Verified) -> anyhow::Result<()> {
    let http = Http::new()?;
    let site = Site {
        http: &http,
        letter: &verified.letter,
    };
    let published = site.key().await?;
    if published != verified.key {
        bail!(
            "the site's checkpoint key is now {}, not the receipt's {}",
            published.verifier_key(),
            verified.key.verifier_key()
        );
    }
    let (current, _) = site.checkpoint(&published).await?;
    let old = &verified.checkpoint;
    if current.size < old.size {
        bail!(
            "the log shrank from {} entries (the receipt's checkpoint) to {}",
            old.size,
            current.size
        );
    }
    if current.size == old.size {
        if current.root_hash != old.root_hash {
            bail!(
                "the letter's checkpoint of {} entries has another root than the receipt's: the \
                 log was rewritten",
                current.size
            );
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
        .map_err(|e| {
            anyhow!(
                "the letter's log of {} entries is not consistent with the receipt's \
                     checkpoint of {}: the server's consistency proof does not verify ({e})",
                current.size,
                old.size
            )
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
        bail!("the level-1 hash tiles hold fewer hashes than the log's size implies");
    }
    let raw = site.entries(first_bundle, current.size).await?;
    let leaves: Vec<Hash> = raw.iter().map(|e| leaf_hash(e)).collect();
    if root_from_chunks(&chunks, &leaves) != current.root_hash {
        bail!(
            "the log's entries after yours (and its level-1 hash tiles) do not hash to the \
             letter's current checkpoint root"
        );
    }
    let start = first_bundle * TILE_WIDTH;
    for (i, bytes) in raw.iter().enumerate() {
        let index = start + i as u64;
        if index < after {
            continue;
        }
        match LogEntry::decode(bytes) {
            Ok(LogEntry::Remove(remove)) if remove.removes == verified.index => bail!(
                "your signature was removed on {} ({}): entry {index} of the log removes it",
                readable_time(&remove.time),
                reason_text(remove.reason)
            ),
            Ok(_) => {}
            Err(e) => bail!("entry {index} of the letter's log is invalid: {e}"),
        }
    }
    println!(
        "  online      the site's key is the receipt's; its log of {} entries is consistent with \
         the receipt's checkpoint and does not remove your signature",
        current.size
    );
    println!(
        "Verified: the letter's current log still holds your signature and has not removed it."
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use undersigned_core::signature::{SignerDetails, public_display};
    use undersigned_tlog::{MemoryHashStore, NoteSigner, inclusion_proof, tree_hash};

    const SALT: [u8; 32] = [9; 32];

    fn email() -> EmailAddress {
        EmailAddress::parse("Jane.Doe@example.org").unwrap()
    }

    /// A log of `size` entries whose entry `index` is Jane Doe's, and her receipt.
    fn receipt(index: u64, size: u64, display: DisplayLevel) -> String {
        let signer = NoteSigner::from_seed("letters.example.org", &[3; 32]).unwrap();
        let details = SignerDetails {
            city: Some("Lyon".into()),
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
                LogEntry::add(1_795_867_259, "Survivor", display, shown.as_ref(), c).encode()
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
        let proof = inclusion_proof(index, size, &store).unwrap();
        let extra = serde_json::json!({
            "v": 1,
            "letter": "https://letters.example.org/l/investigate",
            "entry": STANDARD.encode(&entries[index as usize]),
            "salt": STANDARD.encode(SALT),
            "key": signer.verifier().verifier_key(),
        });
        let mut text = format!(
            "{HEADER}\nextra {}\nindex {index}\n",
            STANDARD.encode(extra.to_string())
        );
        for h in proof {
            text.push_str(&h.to_base64());
            text.push('\n');
        }
        text.push('\n');
        text.push_str(&checkpoint);
        text
    }

    fn check(text: &str, email: Option<&EmailAddress>) -> anyhow::Result<Verified> {
        verify_offline(&parse(text)?, email)
    }

    #[test]
    fn a_receipt_verifies_offline() {
        for (index, size) in [(0, 1), (17, 40), (39, 40), (255, 300)] {
            let text = receipt(index, size, DisplayLevel::Initials);
            let v = check(&text, Some(&email())).unwrap();
            assert_eq!((v.index, v.checkpoint.size), (index, size));
            assert_eq!(v.letter.origin(), "letters.example.org/l/investigate");
            assert_eq!(
                appearance(&v.entry),
                "shown by initials as \"J. D.\" (Lyon) as Survivor, since 2026-11-28 12:00 UTC"
            );
        }
        // The address is normalised as the server does.
        let text = receipt(3, 5, DisplayLevel::Private);
        let same = EmailAddress::parse("jane.doe@Example.org").unwrap();
        let v = check(&text, Some(&same)).unwrap();
        assert_eq!(
            appearance(&v.entry),
            "not shown by name (private), counted as Survivor, since 2026-11-28 12:00 UTC"
        );
        let other = EmailAddress::parse("john@example.org").unwrap();
        let err = check(&text, Some(&other)).err().unwrap().to_string();
        assert!(err.contains("not to john@example.org"), "{err}");
    }

    #[test]
    fn every_changed_byte_is_caught() {
        let text = receipt(17, 40, DisplayLevel::Public);
        assert!(check(&text, Some(&email())).is_ok());
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
        let err = |t: &str| format!("{:#}", check(t, None).err().unwrap());
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
                LogEntry::remove(0, 1, undersigned_verify::entry::RemovalReason::Withdrawn)
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
    }

    #[tokio::test]
    async fn online_checks_follow_the_letters_log() {
        use crate::audit::fake::{add, entries, remove, serve};
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("signature.tlog-proof");
        let mut log = entries(700);
        // In the third bundle: the entries before it are bound through a level-1 tile.
        log[600] = add(
            "Jane Doe",
            "Survivor",
            DisplayLevel::Public,
            commitment(&SALT, &email()),
        );
        let (_url, fake) = serve(log).await;
        std::fs::write(&file, fake.lock().unwrap().receipt(600, &SALT)).unwrap();
        let run = |email: Option<&'static str>| {
            let file = file.clone();
            async move {
                verify(&file, email, Some(""))
                    .await
                    .map_err(|e| format!("{e:#}"))
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
