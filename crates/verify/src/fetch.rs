//! Fetching a letter's log (docs/log-format.md) and what its site publishes about it. Every
//! answer is untrusted: sizes are capped, formats checked, and errors name the resource.

use std::{sync::Arc, time::Duration};

use futures_util::{StreamExt, stream};
use indicatif::{ProgressBar, ProgressStyle};
use reqwest::{Client, StatusCode, Url};
use serde::de::DeserializeOwned;
use undersigned_tlog::{
    Checkpoint, Hash, NoteVerifier, Tile, TileError, decode_entry_bundle, entry_bundle_path,
    leaf_hash, tile_hashes,
};

use crate::{
    check::TILE_WIDTH,
    entry::{EntryError, LogEntry},
    json::{ConsistencyProofJson, CountsJson, OpeningsJson, SignatoriesJson, Signatory},
    letter::{Letter, LetterError},
};

/// Requests in flight at once while downloading a log.
const PARALLEL: usize = 8;
/// Signatories per page of `signatories.json` asked for: the most a site serves.
const SIGNATORIES_PER_PAGE: u32 = 1000;
/// Logs with at least this many entries get a progress bar.
const PROGRESS_FROM: u64 = 4096;

const SMALL: usize = 64 * 1024;
const BUNDLE: usize = 256 * (2 + 65_535);
const DOCUMENT: usize = 32 * 1024 * 1024;

/// Why a resource could not be fetched, or is not what it should be.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The HTTP client could not be built.
    #[error("setting up the HTTP client")]
    Client(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A resource's address could not be built.
    #[error(transparent)]
    Letter(#[from] LetterError),
    /// The request failed.
    #[error("could not fetch {url}")]
    Request {
        /// The resource.
        url: String,
        /// Why.
        #[source]
        source: reqwest::Error,
    },
    /// The site answered another status than 200.
    #[error("{url} answered {status}")]
    Status {
        /// The resource.
        url: String,
        /// What it answered.
        status: StatusCode,
    },
    /// The answer is larger than any such resource may be.
    #[error("{url} is larger than {limit} bytes")]
    TooLarge {
        /// The resource.
        url: String,
        /// The cap.
        limit: usize,
    },
    /// The answer broke off.
    #[error("could not read {url}")]
    Read {
        /// The resource.
        url: String,
        /// Why.
        #[source]
        source: reqwest::Error,
    },
    /// A text resource is not UTF-8.
    #[error("{url} is not UTF-8 text")]
    NotText {
        /// The resource.
        url: String,
        /// Why.
        #[source]
        source: std::string::FromUtf8Error,
    },
    /// A JSON resource is not the JSON expected.
    #[error("{url} is not the JSON expected")]
    Json {
        /// The resource.
        url: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// `/.well-known/undersigned/checkpoint-key` is not a verifier key.
    #[error("{url} is not a verifier key")]
    Key {
        /// The resource.
        url: String,
        /// Why.
        #[source]
        source: undersigned_tlog::KeyError,
    },
    /// The checkpoint does not verify for the letter with the key.
    #[error("the checkpoint at {url} does not verify")]
    Checkpoint {
        /// The resource.
        url: String,
        /// Why.
        #[source]
        source: LetterError,
    },
    /// A consistency proof between other sizes than those asked for.
    #[error("{url} answered a proof from {from} to {to}")]
    ProofSizes {
        /// The resource.
        url: String,
        /// The old size it answered.
        from: u64,
        /// The new size it answered.
        to: u64,
    },
    /// A proof hash is malformed.
    #[error("{url} holds a proof hash that is not 32 bytes of base64")]
    ProofHash {
        /// The resource.
        url: String,
        /// Why.
        #[source]
        source: undersigned_tlog::HashParseError,
    },
    /// A page of signatories.json is older than the first.
    #[error("{url} is at log size {size}, smaller than the first page's {first}")]
    OlderPage {
        /// The page.
        url: String,
        /// Its log size.
        size: u64,
        /// The first page's.
        first: u64,
    },
    /// The list is longer than its log.
    #[error(
        "signatories.json lists {listed} signatories, more than its log of {size} entries can hold"
    )]
    TooManySignatories {
        /// How many it lists.
        listed: usize,
        /// Its log size.
        size: u64,
    },
    /// signatories.json's `next` does not go down.
    #[error("{url} names {next} as the next page, which is not lower")]
    NextNotLower {
        /// The page.
        url: String,
        /// The `next` it names.
        next: u64,
    },
    /// A tile or entry bundle is malformed, or not in the tree.
    #[error("{what}")]
    Tile {
        /// What, and which.
        what: String,
        /// Why.
        #[source]
        source: TileError,
    },
    /// A hash tile that a tree of the size does not have.
    #[error("tile {level}/{n} is not in a tree of {size}")]
    NoSuchTile {
        /// The tile level.
        level: u8,
        /// The tile index.
        n: u64,
        /// The tree size.
        size: u64,
    },
    /// An entry bundle holds another number of entries than its path says.
    #[error("{path} holds {got} entries, not {width}")]
    BundleWidth {
        /// The bundle.
        path: String,
        /// How many it holds.
        got: usize,
        /// How many it should.
        width: u64,
    },
}

/// An HTTP client for the log commands: rustls on ring with the webpki roots.
pub struct Http {
    client: Client,
}

impl Http {
    /// The client, with its timeouts.
    pub fn new() -> Result<Self, FetchError> {
        let client = Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            .user_agent(concat!("undersigned/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(15))
            .read_timeout(Duration::from_secs(60))
            // A site that drips bytes cannot hold an answer open for longer than this.
            .timeout(Duration::from_secs(300))
            .build()
            .map_err(|e| FetchError::Client(e.into()))?;
        Ok(Self { client })
    }

    /// GETs `url`, which must answer 200 with at most `limit` bytes.
    async fn get(&self, url: Url, limit: usize) -> Result<Vec<u8>, FetchError> {
        let mut response = match self.client.get(url.clone()).send().await {
            Ok(response) => response,
            Err(source) => {
                return Err(FetchError::Request {
                    url: url.to_string(),
                    source,
                });
            }
        };
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status {
                url: url.to_string(),
                status,
            });
        }
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(FetchError::TooLarge {
                url: url.to_string(),
                limit,
            });
        }
        let mut body = Vec::new();
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(source) => {
                    return Err(FetchError::Read {
                        url: url.to_string(),
                        source,
                    });
                }
            };
            if body.len() + chunk.len() > limit {
                return Err(FetchError::TooLarge {
                    url: url.to_string(),
                    limit,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    async fn text(&self, url: Url, limit: usize) -> Result<String, FetchError> {
        let body = self.get(url.clone(), limit).await?;
        String::from_utf8(body).map_err(|source| FetchError::NotText {
            url: url.to_string(),
            source,
        })
    }

    async fn json<T: DeserializeOwned>(&self, url: Url) -> Result<T, FetchError> {
        self.json_within(url, DOCUMENT).await
    }

    async fn json_within<T: DeserializeOwned>(
        &self,
        url: Url,
        limit: usize,
    ) -> Result<T, FetchError> {
        let body = self.get(url.clone(), limit).await?;
        serde_json::from_slice(&body).map_err(|source| FetchError::Json {
            url: url.to_string(),
            source,
        })
    }
}

/// rustls on ring, verifying servers against the webpki roots (Mozilla's), HTTP/1.1.
fn tls_config() -> Result<rustls::ClientConfig, FetchError> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| FetchError::Client(e.into()))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The public list, all pages, as of the first page's log size.
pub struct Signatories {
    /// The first page's log size.
    pub log_size: u64,
    /// Every page's signatories, highest log index first.
    pub list: Vec<Signatory>,
    /// When the host says it erased the signatories' texts (the first page's word).
    pub erased_at: Option<i64>,
}

/// Entries as downloaded: the leaf hash of each, and what it decodes to (or why it does
/// not), in log order.
pub struct Downloaded {
    /// Each entry's leaf hash.
    pub leaves: Vec<Hash>,
    /// Each entry, decoded.
    pub decoded: Vec<Result<LogEntry, EntryError>>,
}

/// A letter's log and public resources on its site.
pub struct Site<'a> {
    /// The client.
    pub http: &'a Http,
    /// The letter.
    pub letter: &'a Letter,
}

impl Site<'_> {
    /// `/.well-known/undersigned/checkpoint-key`
    pub async fn key(&self) -> Result<NoteVerifier, FetchError> {
        let url = self.letter.url("/.well-known/undersigned/checkpoint-key")?;
        let text = self.http.text(url.clone(), SMALL).await?;
        NoteVerifier::from_verifier_key(text.trim()).map_err(|source| FetchError::Key {
            url: url.to_string(),
            source,
        })
    }

    /// The letter's checkpoint, verified with `key` for the letter's origin, and its text.
    pub async fn checkpoint(&self, key: &NoteVerifier) -> Result<(Checkpoint, String), FetchError> {
        let url = self.letter.log_url("checkpoint")?;
        let text = self.http.text(url.clone(), SMALL).await?;
        let checkpoint =
            self.letter
                .open_checkpoint(&text, key)
                .map_err(|source| FetchError::Checkpoint {
                    url: url.to_string(),
                    source,
                })?;
        Ok((checkpoint, text))
    }

    /// `/log/proof/consistency?from=M&to=N`
    pub async fn consistency_proof(&self, from: u64, to: u64) -> Result<Vec<Hash>, FetchError> {
        let url = self
            .letter
            .log_url(&format!("proof/consistency?from={from}&to={to}"))?;
        let answer: ConsistencyProofJson = self.http.json(url.clone()).await?;
        if (answer.from, answer.to) != (from, to) {
            return Err(FetchError::ProofSizes {
                url: url.to_string(),
                from: answer.from,
                to: answer.to,
            });
        }
        answer.hashes().map_err(|source| FetchError::ProofHash {
            url: url.to_string(),
            source,
        })
    }

    /// `/l/{slug}/counts.json`
    pub async fn counts(&self) -> Result<CountsJson, FetchError> {
        let url = self
            .letter
            .url(&format!("/l/{}/counts.json", self.letter.slug()))?;
        self.http.json(url).await
    }

    /// Every page of `/l/{slug}/signatories.json`, a thousand at a time, following `next` (the `before` of the next
    /// page, by log index). The list is as of the first page's log size: later pages list
    /// older entries only, so signatures added meanwhile do not shift them; one removed
    /// meanwhile may be missing (the caller checks it was removed).
    pub async fn signatories(&self) -> Result<Signatories, FetchError> {
        let slug = self.letter.slug();
        let mut before: Option<u64> = None;
        let mut all: Option<Signatories> = None;
        loop {
            // The largest pages the site serves: a million signatories are a thousand
            // requests, not twenty thousand. (A site that predates `limit` ignores it.)
            let path = match before {
                None => format!("/l/{slug}/signatories.json?limit={SIGNATORIES_PER_PAGE}"),
                Some(b) => {
                    format!("/l/{slug}/signatories.json?before={b}&limit={SIGNATORIES_PER_PAGE}")
                }
            };
            let url = self.letter.url(&path)?;
            let answer: SignatoriesJson = self.http.json(url.clone()).await?;
            let all = match &mut all {
                None => all.insert(Signatories {
                    log_size: answer.log_size,
                    list: answer.signatories,
                    erased_at: answer.erased_at,
                }),
                Some(all) => {
                    if answer.log_size < all.log_size {
                        return Err(FetchError::OlderPage {
                            url: url.to_string(),
                            size: answer.log_size,
                            first: all.log_size,
                        });
                    }
                    all.list.extend(answer.signatories);
                    all
                }
            };
            if all.list.len() as u64 > all.log_size {
                return Err(FetchError::TooManySignatories {
                    listed: all.list.len(),
                    size: all.log_size,
                });
            }
            match answer.next {
                None => break,
                Some(next) if before.is_none_or(|b| next < b) => before = Some(next),
                Some(next) => {
                    return Err(FetchError::NextNotLower {
                        url: url.to_string(),
                        next,
                    });
                }
            }
        }
        let mut all = all.unwrap_or(Signatories {
            log_size: 0,
            list: Vec::new(),
            erased_at: None,
        });
        // Grown page by page, the list may hold up to twice its length: at a million
        // signatories, 70 MB held for nothing until the audit ends.
        all.list.shrink_to_fit();
        Ok(all)
    }

    /// `/l/{slug}/log/openings/{N}`, or None when the site answers 404 (a format 1 log has
    /// no openings).
    pub async fn openings_bundle(&self, bundle: u64) -> Result<Option<OpeningsJson>, FetchError> {
        let url = self.letter.log_url(&format!("openings/{bundle}"))?;
        match self.http.json_within(url, BUNDLE).await {
            Err(FetchError::Status { status, .. }) if status == StatusCode::NOT_FOUND => Ok(None),
            other => other.map(Some),
        }
    }

    /// The openings of every entry bundle of a log of at least `size` entries, each with its
    /// bundle's index, read before the checkpoint (like the counts and the list): bundles
    /// are read until one has been read for every entry that the answers' log sizes show.
    /// None when the site has no openings for the first bundle (404).
    pub async fn openings(
        &self,
        size: u64,
    ) -> Result<Option<Vec<(u64, OpeningsJson)>>, FetchError> {
        let mut all = Vec::new();
        if size == 0 {
            return Ok(Some(all));
        }
        let Some(first) = self.openings_bundle(0).await? else {
            return Ok(None);
        };
        let mut known = size.max(first.log_size);
        all.push((0, first));
        let mut next = 1;
        while next * TILE_WIDTH < known {
            let bundles = known.div_ceil(TILE_WIDTH);
            let mut fetched = stream::iter(next..bundles)
                .map(|n| async move {
                    let url = self.letter.log_url(&format!("openings/{n}"))?;
                    let answer: OpeningsJson = self.http.json_within(url, BUNDLE).await?;
                    Ok::<_, FetchError>((n, answer))
                })
                .buffered(PARALLEL);
            while let Some(bundle) = fetched.next().await {
                let (n, answer) = bundle?;
                known = known.max(answer.log_size);
                all.push((n, answer));
            }
            next = bundles;
        }
        Ok(Some(all))
    }

    /// The exact bytes of version `number` of the letter's text, whose SHA-256 its log's text
    /// entry holds: `/l/{slug}/versions/{number}.txt`.
    pub async fn text_version(&self, number: u64) -> Result<Vec<u8>, FetchError> {
        let url = self
            .letter
            .url(&format!("/l/{}/versions/{number}.txt", self.letter.slug()))?;
        self.http.get(url, DOCUMENT).await
    }

    /// The letter page's HTML.
    pub async fn page(&self) -> Result<String, FetchError> {
        let url = self.letter.url(&format!("/l/{}", self.letter.slug()))?;
        self.http.text(url, DOCUMENT).await
    }

    /// The entries `from_bundle * 256 ..size` of a log of `size` entries, from its entry
    /// bundles, in order: each one's leaf hash and what it decodes to. A bundle's bytes are
    /// dropped as soon as it is hashed and decoded, so a million entries are never held as
    /// downloaded.
    pub async fn entries(&self, from_bundle: u64, size: u64) -> Result<Downloaded, FetchError> {
        let bundles = size.div_ceil(TILE_WIDTH);
        let progress = progress(size.saturating_sub(from_bundle * TILE_WIDTH), "entries");
        let mut fetched = stream::iter(from_bundle..bundles)
            .map(|n| async move {
                let width = (size - n * TILE_WIDTH).min(TILE_WIDTH);
                let path = entry_bundle_path(n, width as u16);
                let data = self.http.get(self.letter.log_url(&path)?, BUNDLE).await?;
                let entries = decode_entry_bundle(&data).map_err(|source| FetchError::Tile {
                    what: format!("{path} is not an entry bundle"),
                    source,
                })?;
                if entries.len() as u64 != width {
                    return Err(FetchError::BundleWidth {
                        path,
                        got: entries.len(),
                        width,
                    });
                }
                Ok(entries
                    .into_iter()
                    .map(|e| (leaf_hash(e), LogEntry::decode(e)))
                    .collect::<Vec<_>>())
            })
            .buffered(PARALLEL);
        let mut downloaded = Downloaded {
            leaves: Vec::new(),
            decoded: Vec::new(),
        };
        // Room for the size the checkpoint claims, so that a million entries are not held
        // twice while the list doubles. The claim is untrusted: when it is more than this
        // machine can reserve, the lists grow as the entries arrive instead (and a site that
        // lies fails at its first missing bundle).
        let count = usize::try_from(size.saturating_sub(from_bundle * TILE_WIDTH)).unwrap_or(0);
        if downloaded.decoded.try_reserve_exact(count).is_ok() {
            // The leaves take a fifth of that; without room they grow as they arrive too.
            let _ = downloaded.leaves.try_reserve_exact(count);
        }
        // In order, stopping at the first failure (a checkpoint may claim any size).
        while let Some(bundle) = fetched.next().await {
            let bundle = bundle?;
            progress.inc(bundle.len() as u64);
            for (leaf, entry) in bundle {
                downloaded.leaves.push(leaf);
                downloaded.decoded.push(entry);
            }
        }
        progress.finish_and_clear();
        Ok(downloaded)
    }

    /// The hash tiles `0..count` of `level` in a tree of `size` leaves.
    pub async fn tiles(
        &self,
        level: u8,
        count: u64,
        size: u64,
    ) -> Result<Vec<(Tile, Vec<Hash>)>, FetchError> {
        let mut tiles = Vec::new();
        self.each_tile(level, count, size, |tile, hashes| {
            tiles.push((tile, hashes))
        })
        .await?;
        Ok(tiles)
    }

    /// Hands each of the hash tiles `0..count` of `level` in a tree of `size` leaves to
    /// `each` as it arrives, in order, so that they need not all be held at once.
    pub async fn each_tile(
        &self,
        level: u8,
        count: u64,
        size: u64,
        mut each: impl FnMut(Tile, Vec<Hash>),
    ) -> Result<(), FetchError> {
        let mut fetched = stream::iter(0..count)
            .map(|n| async move {
                let tile = Tile::in_tree(level, n, size).ok_or(FetchError::NoSuchTile {
                    level,
                    n,
                    size,
                })?;
                let path = tile.path();
                let data = self.http.get(self.letter.log_url(&path)?, SMALL).await?;
                let hashes = tile_hashes(&data).map_err(|source| FetchError::Tile {
                    what: format!("{path} is not a hash tile"),
                    source,
                })?;
                Ok::<_, FetchError>((tile, hashes))
            })
            .buffered(PARALLEL);
        while let Some(tile) = fetched.next().await {
            let (tile, hashes) = tile?;
            each(tile, hashes);
        }
        Ok(())
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
