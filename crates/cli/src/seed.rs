//! `undersigned bench-seed` (hidden): many fictional, confirmed and published signatures on
//! one letter, committed through the store's batching writer as imports (each one logged,
//! counted and sealed like any import), for the benchmarks' scale scenarios (`bench/run`).
//! Nothing goes through HTTP and no email is sent.
//!
//! Signer `i` is "Signer i" at `seed-i@example.org` (every name and address is invented):
//! seeding again with the same `--first` adds nothing, and a larger `--count` adds the rest.

use std::time::Instant;

use anyhow::Context;
use undersigned_core::{
    DisplayLevel, EmailAddress, PersonName,
    signature::{NewSignature, SignerDetails},
};
use undersigned_server::{config::Settings, format::now, secrets::InstanceKeys};
use undersigned_store::{ImportCommand, Letter, WriteCommand, WriteOutcome};

#[derive(clap::Args)]
pub struct SeedArgs {
    /// The letter's slug.
    #[arg(long, default_value = "demo")]
    letter: String,
    /// How many signatures to import.
    #[arg(long)]
    count: u64,
    /// The number of the first signer (seed-FIRST@example.org).
    #[arg(long, default_value_t = 0)]
    first: u64,
    /// Signatures committed in one transaction.
    #[arg(long, default_value_t = 4000)]
    batch: usize,
}

const CITIES: [&str; 6] = ["Lyon", "Accra", "Porto", "Tampere", "Leeds", "Dunedin"];

pub async fn run(settings: &Settings, args: SeedArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.batch > 0, "--batch must be at least 1");
    let (store, keys) = crate::demo::open_with_keys(settings).await?;
    let letter = store
        .letter_by_slug(&args.letter)
        .await?
        .with_context(|| format!("no letter at /l/{}", args.letter))?;
    anyhow::ensure!(
        letter.people_categories().next().is_some(),
        "the letter has no category for people"
    );

    let started = Instant::now();
    let (mut added, mut duplicates) = (0u64, 0u64);
    let end = args.first + args.count;
    let mut next = args.first;
    let mut reported = Instant::now();
    while next < end {
        let size = u64::try_from(args.batch)
            .unwrap_or(u64::MAX)
            .min(end - next);
        let commands = (next..next + size)
            .map(|i| import(&letter, &keys, i, now()))
            .collect::<anyhow::Result<Vec<_>>>()?;
        for result in store.commit_batch(commands).await? {
            match result.context("a seeded signature was refused")? {
                WriteOutcome::Imported {
                    duplicate: false, ..
                } => added += 1,
                WriteOutcome::Imported {
                    duplicate: true, ..
                } => duplicates += 1,
                other => anyhow::bail!("an import answered {other:?}"),
            }
        }
        next += size;
        if reported.elapsed().as_secs() >= 5 || next == end {
            reported = Instant::now();
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "{}/{} ({added} new, {duplicates} already there), {:.0}/s",
                next - args.first,
                args.count,
                (next - args.first) as f64 / seconds.max(1e-9)
            );
        }
    }
    store.close().await;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "Seeded /l/{}: {added} new signatures ({duplicates} already there) in {seconds:.1} s, \
         {:.0}/s, batches of {}.",
        args.letter,
        args.count as f64 / seconds.max(1e-9),
        args.batch
    );
    Ok(())
}

/// Signer `i`: a person in one of the letter's people categories (in turn), shown in full,
/// by initials or privately (in turn, as the category allows), some with a city.
fn import(letter: &Letter, keys: &InstanceKeys, i: u64, at: i64) -> anyhow::Result<WriteCommand> {
    let people: Vec<_> = letter.people_categories().collect();
    let n = usize::try_from(i).unwrap_or_default();
    let category = people[n % people.len()];
    let wanted = [
        DisplayLevel::Public,
        DisplayLevel::Initials,
        DisplayLevel::Private,
    ][n / people.len() % 3];
    // What the category allows: the nearest level that shows less.
    let display = DisplayLevel::ALL
        .into_iter()
        .skip_while(|l| *l != wanted)
        .find(|l| category.rule.allows(*l))
        .unwrap_or(DisplayLevel::Private);
    let email = EmailAddress::parse(&format!("seed-{i}@example.org"))?;
    let signature = NewSignature {
        name: PersonName::parse(&format!("Signer {i}"))?,
        email,
        category_id: category.id.0,
        display,
        details: SignerDetails {
            city: (n % 4 == 0).then(|| CITIES[n % CITIES.len()].to_owned()),
            show_city: category.rule.city() && display == DisplayLevel::Public,
            ..SignerDetails::default()
        },
    };
    Ok(WriteCommand::ImportPublished(Box::new(ImportCommand {
        letter: letter.id,
        duplicate_key: keys.duplicates.key("signature", &signature.email),
        signature,
        now: at,
        salt: undersigned_server::secrets::random_bytes(),
        organisation: None,
    })))
}
