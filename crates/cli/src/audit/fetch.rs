//! Fetching a letter's log (docs/log-format.md) and what its site publishes about it. Every
//! answer is untrusted: sizes are capped, formats checked, and errors name the resource.

use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{StreamExt, stream};
use indicatif::{ProgressBar, ProgressStyle};
// reqwest 0.12 (see crates/cli/Cargo.toml for why not 0.13).
use reqwest012::{Client, Url};
use serde::{Deserialize, de::DeserializeOwned};
use undersigned_core::Slug;
use undersigned_tlog::{
    Checkpoint, Hash, NoteVerifier, Tile, decode_entry_bundle, entry_bundle_path, open_note,
    tile_hashes,
};

use super::check::{Listed, PublishedCounts, TILE_WIDTH};

/// Requests in flight at once while downloading a log.
const PARALLEL: usize = 8;
/// Logs with at least this many entries get a progress bar.
const PROGRESS_FROM: u64 = 4096;

const SMALL: usize = 64 * 1024;
const BUNDLE: usize = 256 * (2 + 65_535);
const DOCUMENT: usize = 32 * 1024 * 1024;

/// A letter's page, `https://host/l/slug`, and the addresses derived from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// `scheme://host[:port]`
    site: Url,
    slug: String,
}

impl Letter {
    /// Parses a letter page's address (a query, a fragment or a final `/` are ignored).
    pub fn parse(input: &str) -> anyhow::Result<Self> {
        let shape = || {
            format!(
                "{input:?} is not a letter's address: it must look like https://letters.example.org/l/the-letter"
            )
        };
        let url = Url::parse(input.trim()).with_context(shape)?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            bail!(shape());
        }
        let segments: Vec<&str> = url
            .path_segments()
            .map(|s| s.filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        let [l, slug] = segments.as_slice() else {
            bail!(shape());
        };
        if *l != "l" {
            bail!(shape());
        }
        let slug = Slug::parse(slug).with_context(shape)?;
        let mut site = url.clone();
        site.set_path("/");
        site.set_query(None);
        site.set_fragment(None);
        if site.set_username("").is_err() || site.set_password(None).is_err() {
            bail!(shape());
        }
        Ok(Self {
            site,
            slug: slug.as_str().to_owned(),
        })
    }

    /// `host[:port]` as the site names itself in checkpoints.
    fn authority(&self) -> String {
        let host = self.site.host_str().unwrap_or_default();
        match self.site.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    /// The checkpoint origin: `host/l/slug`.
    pub fn origin(&self) -> String {
        format!("{}/l/{}", self.authority(), self.slug)
    }

    /// The origins a checkpoint of this letter may carry: `host/l/slug`, and with the
    /// scheme's default port written out (a site configured as `https://host:443`).
    fn origins(&self) -> Vec<String> {
        let mut origins = vec![self.origin()];
        if self.site.port().is_none()
            && let Some(port) = self.site.port_or_known_default()
        {
            let host = self.site.host_str().unwrap_or_default();
            origins.push(format!("{host}:{port}/l/{}", self.slug));
        }
        origins
    }

    /// Verifies a signed checkpoint of this letter's log with `key`.
    pub fn open_checkpoint(&self, text: &str, key: &NoteVerifier) -> anyhow::Result<Checkpoint> {
        let note = open_note(text, std::slice::from_ref(key))
            .map_err(|e| anyhow::anyhow!("it is not signed by {}: {e}", key.verifier_key()))?;
        let checkpoint = Checkpoint::from_text(&note.text)
            .map_err(|e| anyhow::anyhow!("it is not a checkpoint: {e}"))?;
        if !self.origins().contains(&checkpoint.origin) {
            bail!(
                "it is the checkpoint of {:?}, not of this letter ({:?})",
                checkpoint.origin,
                self.origin()
            );
        }
        Ok(checkpoint)
    }

    /// `scheme://host[:port]`: the key of the site in the audit state.
    pub fn site(&self) -> String {
        self.site.as_str().trim_end_matches('/').to_owned()
    }

    /// The page: `scheme://host[:port]/l/slug`.
    pub fn page(&self) -> String {
        format!("{}/l/{}", self.site(), self.slug)
    }

    fn url(&self, path: &str) -> anyhow::Result<Url> {
        self.site
            .join(path)
            .with_context(|| format!("building the address of {path}"))
    }

    fn log_url(&self, path: &str) -> anyhow::Result<Url> {
        self.url(&format!("/l/{}/log/{path}", self.slug))
    }
}

/// An HTTP client for the log commands.
pub struct Http {
    client: Client,
}

impl Http {
    pub fn new() -> anyhow::Result<Self> {
        let client = Client::builder()
            .user_agent(concat!("undersigned/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(15))
            .read_timeout(Duration::from_secs(60))
            // A site that drips bytes cannot hold an answer open for longer than this.
            .timeout(Duration::from_secs(300))
            .build()
            .context("setting up the HTTP client")?;
        Ok(Self { client })
    }

    /// GETs `url`, which must answer 200 with at most `limit` bytes.
    async fn get(&self, url: Url, limit: usize) -> anyhow::Result<Vec<u8>> {
        let mut response = self
            .client
            .get(url.clone())
            .send()
            .await
            .with_context(|| format!("could not fetch {url}"))?;
        let status = response.status();
        if !status.is_success() {
            bail!("{url} answered {status}");
        }
        if response.content_length().is_some_and(|n| n > limit as u64) {
            bail!("{url} is larger than {limit} bytes");
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .with_context(|| format!("could not read {url}"))?
        {
            if body.len() + chunk.len() > limit {
                bail!("{url} is larger than {limit} bytes");
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    async fn text(&self, url: Url, limit: usize) -> anyhow::Result<String> {
        let body = self.get(url.clone(), limit).await?;
        String::from_utf8(body).with_context(|| format!("{url} is not UTF-8 text"))
    }

    async fn json<T: DeserializeOwned>(&self, url: Url) -> anyhow::Result<T> {
        let body = self.get(url.clone(), DOCUMENT).await?;
        serde_json::from_slice(&body).with_context(|| format!("{url} is not the JSON expected"))
    }
}

#[derive(Deserialize)]
struct ConsistencyJson {
    from: u64,
    to: u64,
    proof: Vec<String>,
}

#[derive(Deserialize)]
struct SignatoriesPage {
    log_size: u64,
    signatories: Vec<Listed>,
    next: Option<u64>,
}

/// The public list, all pages, as of the first page's log size.
pub struct Signatories {
    pub log_size: u64,
    pub list: Vec<Listed>,
}

/// A letter's log and public resources on its site.
pub struct Site<'a> {
    pub http: &'a Http,
    pub letter: &'a Letter,
}

impl Site<'_> {
    /// `/.well-known/undersigned/checkpoint-key`
    pub async fn key(&self) -> anyhow::Result<NoteVerifier> {
        let url = self.letter.url("/.well-known/undersigned/checkpoint-key")?;
        let text = self.http.text(url.clone(), SMALL).await?;
        NoteVerifier::from_verifier_key(text.trim())
            .with_context(|| format!("{url} is not a verifier key"))
    }

    /// The letter's checkpoint, verified with `key` for the letter's origin.
    pub async fn checkpoint(&self, key: &NoteVerifier) -> anyhow::Result<(Checkpoint, String)> {
        let url = self.letter.log_url("checkpoint")?;
        let text = self.http.text(url.clone(), SMALL).await?;
        let checkpoint = self
            .letter
            .open_checkpoint(&text, key)
            .with_context(|| format!("the checkpoint at {url} does not verify"))?;
        Ok((checkpoint, text))
    }

    /// `/log/proof/consistency?from=M&to=N`
    pub async fn consistency_proof(&self, from: u64, to: u64) -> anyhow::Result<Vec<Hash>> {
        let url = self
            .letter
            .log_url(&format!("proof/consistency?from={from}&to={to}"))?;
        let answer: ConsistencyJson = self.http.json(url.clone()).await?;
        if (answer.from, answer.to) != (from, to) {
            bail!(
                "{url} answered a proof from {} to {}",
                answer.from,
                answer.to
            );
        }
        answer
            .proof
            .iter()
            .map(|h| Hash::from_base64(h))
            .collect::<Result<_, _>>()
            .with_context(|| format!("{url} holds a proof hash that is not 32 bytes of base64"))
    }

    /// `/l/{slug}/counts.json`
    pub async fn counts(&self) -> anyhow::Result<PublishedCounts> {
        let url = self
            .letter
            .url(&format!("/l/{}/counts.json", self.letter.slug))?;
        self.http.json(url).await
    }

    /// Every page of `/l/{slug}/signatories.json`, following `next` (the `before` of the next
    /// page, by log index). The list is as of the first page's log size: later pages list
    /// older entries only, so signatures added meanwhile do not shift them; one removed
    /// meanwhile may be missing (the caller checks it was removed).
    pub async fn signatories(&self) -> anyhow::Result<Signatories> {
        let mut before: Option<u64> = None;
        let mut all: Option<Signatories> = None;
        loop {
            let path = match before {
                None => format!("/l/{}/signatories.json", self.letter.slug),
                Some(b) => format!("/l/{}/signatories.json?before={b}", self.letter.slug),
            };
            let url = self.letter.url(&path)?;
            let answer: SignatoriesPage = self.http.json(url.clone()).await?;
            let all = match &mut all {
                None => all.insert(Signatories {
                    log_size: answer.log_size,
                    list: answer.signatories,
                }),
                Some(all) => {
                    if answer.log_size < all.log_size {
                        bail!(
                            "{url} is at log size {}, smaller than the first page's {}",
                            answer.log_size,
                            all.log_size
                        );
                    }
                    all.list.extend(answer.signatories);
                    all
                }
            };
            if all.list.len() as u64 > all.log_size {
                bail!(
                    "signatories.json lists {} signatories, more than its log of {} entries \
                     can hold",
                    all.list.len(),
                    all.log_size
                );
            }
            match answer.next {
                None => break,
                Some(next) if before.is_none_or(|b| next < b) => before = Some(next),
                Some(next) => bail!("{url} names {next} as the next page, which is not lower"),
            }
        }
        Ok(all.unwrap_or(Signatories {
            log_size: 0,
            list: Vec::new(),
        }))
    }

    /// The letter page's HTML.
    pub async fn page(&self) -> anyhow::Result<String> {
        let url = self.letter.url(&format!("/l/{}", self.letter.slug))?;
        self.http.text(url, DOCUMENT).await
    }

    /// The entries `from_bundle * 256 ..size` of a log of `size` entries, from its entry
    /// bundles, in order.
    pub async fn entries(&self, from_bundle: u64, size: u64) -> anyhow::Result<Vec<Vec<u8>>> {
        let bundles = size.div_ceil(TILE_WIDTH);
        let progress = progress(size.saturating_sub(from_bundle * TILE_WIDTH), "entries");
        let mut fetched = stream::iter(from_bundle..bundles)
            .map(|n| async move {
                let width = (size - n * TILE_WIDTH).min(TILE_WIDTH);
                let path = entry_bundle_path(n, width as u16);
                let data = self.http.get(self.letter.log_url(&path)?, BUNDLE).await?;
                let entries = decode_entry_bundle(&data)
                    .with_context(|| format!("{path} is not an entry bundle"))?;
                if entries.len() as u64 != width {
                    bail!("{path} holds {} entries, not {width}", entries.len());
                }
                Ok(entries.into_iter().map(<[u8]>::to_vec).collect::<Vec<_>>())
            })
            .buffered(PARALLEL);
        let mut entries = Vec::new();
        // In order, stopping at the first failure (a checkpoint may claim any size).
        while let Some(bundle) = fetched.next().await {
            let bundle = bundle?;
            progress.inc(bundle.len() as u64);
            entries.extend(bundle);
        }
        progress.finish_and_clear();
        Ok(entries)
    }

    /// The hash tiles `0..count` of `level` in a tree of `size` leaves.
    pub async fn tiles(
        &self,
        level: u8,
        count: u64,
        size: u64,
    ) -> anyhow::Result<Vec<(Tile, Vec<Hash>)>> {
        let mut fetched = stream::iter(0..count)
            .map(|n| async move {
                let tile = Tile::in_tree(level, n, size)
                    .with_context(|| format!("tile {level}/{n} is not in a tree of {size}"))?;
                let path = tile.path();
                let data = self.http.get(self.letter.log_url(&path)?, SMALL).await?;
                let hashes =
                    tile_hashes(&data).with_context(|| format!("{path} is not a hash tile"))?;
                anyhow::Ok((tile, hashes))
            })
            .buffered(PARALLEL);
        let mut tiles = Vec::new();
        while let Some(tile) = fetched.next().await {
            tiles.push(tile?);
        }
        Ok(tiles)
    }
}

fn progress(len: u64, what: &str) -> ProgressBar {
    if len < PROGRESS_FROM {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{{spinner}} {{bar:40}} {{human_pos}}/{{human_len}} {what} ({{eta}})"
    )) {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn letter_addresses() {
        let l = Letter::parse("https://Letters.Example.org/l/investigate-the-academy/?x=1#sign")
            .unwrap();
        assert_eq!(l.origin(), "letters.example.org/l/investigate-the-academy");
        assert_eq!(l.site(), "https://letters.example.org");
        assert_eq!(
            l.page(),
            "https://letters.example.org/l/investigate-the-academy"
        );
        assert_eq!(
            l.log_url("tile/entries/000.p/3").unwrap().as_str(),
            "https://letters.example.org/l/investigate-the-academy/log/tile/entries/000.p/3"
        );
        let l = Letter::parse("http://127.0.0.1:8080/l/demo").unwrap();
        assert_eq!(l.origin(), "127.0.0.1:8080/l/demo");
        assert_eq!(l.site(), "http://127.0.0.1:8080");
        let l = Letter::parse("https://x.org:443/l/demo").unwrap();
        assert_eq!(l.origin(), "x.org/l/demo");
        assert_eq!(l.origins(), ["x.org/l/demo", "x.org:443/l/demo"]);
        let l = Letter::parse("http://x.org:8080/l/demo").unwrap();
        assert_eq!(l.origins(), ["x.org:8080/l/demo"]);
        for bad in [
            "letters.example.org/l/demo",
            "ftp://x.org/l/demo",
            "https://x.org/",
            "https://x.org/l/",
            "https://x.org/letters/demo",
            "https://x.org/l/demo/sign",
            "https://x.org/l/Not_A_Slug",
        ] {
            assert!(Letter::parse(bad).is_err(), "{bad}");
        }
    }
}
