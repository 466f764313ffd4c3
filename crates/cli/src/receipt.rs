//! `undersigned receipt verify FILE`: reads the file and prints what
//! `undersigned_verify::receipt` finds in it: offline, the checkpoint's signature, the entry's
//! inclusion, and with `--email` the commitment; online, the site's key, consistency with the
//! letter's current checkpoint, and whether a later entry removed the signature.

use std::path::Path;

use anyhow::{Context, anyhow, bail};
use undersigned_core::EmailAddress;
use undersigned_verify::receipt::{self, Receipt, appearance, verify_offline};

use crate::terminal_safe;

/// `online`: `None` offline only; `Some("")` online at the receipt's letter; `Some(url)`
/// online, with `url` the letter's page (it must be the receipt's letter).
pub async fn verify(file: &Path, email: Option<&str>, online: Option<&str>) -> anyhow::Result<()> {
    let meta = std::fs::metadata(file).with_context(|| format!("reading {}", file.display()))?;
    if meta.len() > receipt::MAX_BYTES {
        bail!("{} is too large to be a receipt", file.display());
    }
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let email = email
        .map(|e| {
            EmailAddress::parse(e).map_err(|err| anyhow!("{e:?} is not an email address: {err}"))
        })
        .transpose()?;
    let receipt = Receipt::parse(&text)
        .with_context(|| format!("{} is not a valid receipt", file.display()))?;
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
        terminal_safe(&appearance(&verified.entry, verified.shown.as_ref()))
    );
    match &verified.email {
        Some(email) => println!("  address     the entry's commitment is to {email}"),
        None => println!("  address     not checked (add --email ADDRESS to check it is yours)"),
    }

    if let Some(url) = online {
        let size = receipt::check_online(&verified, Some(url).filter(|u| !u.is_empty())).await?;
        println!(
            "  online      the site's key is the receipt's; its log of {size} entries is \
             consistent with the receipt's checkpoint and does not remove your signature"
        );
        println!(
            "Verified: the letter's current log still holds your signature and has not removed it."
        );
    } else {
        println!("Verified offline. Add --online to check the letter's current log.");
    }
    Ok(())
}
