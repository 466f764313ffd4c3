//! A fake site for the tests of `audit` and `receipt verify`: it serves a log built in the
//! test, over real HTTP on 127.0.0.1, as docs/log-format.md says a site does, and can be made
//! to lie in each of the ways the auditor must catch. Its counts and lists are computed here
//! independently of the auditor's own code; they are written with the crate's wire types, as
//! the server writes them.

#![allow(clippy::unwrap_used)]

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::{Arc, Mutex},
};

use axum::{
    Router,
    extract::State,
    http::{StatusCode, Uri},
    response::{IntoResponse, Response},
};
use undersigned_core::{
    DisplayLevel,
    signature::{SignerDetails, public_display},
};
use undersigned_tlog::{
    Checkpoint, MemoryHashStore, NoteSigner, TileResource, consistency_proof, encode_entry_bundle,
    inclusion_proof, leaf_hash, parse_tile_path, read_tile, tree_hash,
};

use base64::{Engine, engine::general_purpose::STANDARD};

use crate::{
    entry::{EntryText, LogEntry, LogVersion, Opening, RemovalReason},
    json::{
        ConsistencyProofJson, CountsJson, IndexedOpening, OpeningJson, OpeningsJson,
        SignatoriesJson, Signatory,
    },
    letter::origin,
    receipt::{Extra, Receipt},
};

pub const SLUG: &str = "investigate";
pub const TIME: i64 = 1_795_867_259;

/// What the fake site holds, and how it lies.
pub struct Fake {
    pub signer: NoteSigner,
    /// `127.0.0.1:port`
    pub authority: String,
    /// The log the checkpoint, the tiles and the proofs are computed from.
    pub entries: Vec<Vec<u8>>,
    /// Entries served in the bundles instead of `entries` (tampered bytes).
    pub served: BTreeMap<u64, Vec<u8>>,
    /// Added to counts.json's numbers per category.
    pub counts_off: BTreeMap<String, i64>,
    /// Entries left out of signatories.json.
    pub unlisted: BTreeSet<u64>,
    /// Added to the total the page shows.
    pub page_off: i64,
    /// Whether the page carries data-log-size.
    pub page_size: bool,
    /// counts.json as computed at this log size, however the log grows.
    pub frozen_counts: Option<usize>,
    /// The openings of the format 2 add entries that show a signer, by index, as the site
    /// made them; an honest site serves those of the entries not removed.
    pub openings: BTreeMap<u64, Opening>,
    /// Openings the site keeps to itself.
    pub withheld: BTreeSet<u64>,
    /// Openings served whatever the entry (wrong ones, or for entries that have none).
    pub forged: BTreeMap<u64, Opening>,
    /// signatories.json lists the format 2 signatories without their salt.
    pub unsalted: bool,
    /// Names the letter page shows instead of the true ones.
    pub page_names: BTreeMap<u64, String>,
    /// The site answers 404 for every bundle of openings, whatever the log's format.
    pub no_openings: bool,
    /// The host erased the signatories' texts at this time (its retention): it lists and
    /// shows nobody, and serves no openings but forged ones.
    pub erased_at: Option<i64>,
    /// With `erased_at`, signatories.json still lists the signatories.
    pub erased_but_listed: bool,
}

pub type Shared = Arc<Mutex<Fake>>;

/// What the page shows of a signer: name, details, comment.
type Shown = (String, Option<String>, Option<String>);

fn shown(name: &str, display: DisplayLevel) -> Option<undersigned_core::signature::PublicSigner> {
    let details = SignerDetails {
        city: Some("Lyon".into()),
        title: Some("Coach".into()),
        comment: Some("Long \"overdue\".\nSigned.".into()),
        show_city: true,
        ..Default::default()
    };
    public_display(name, &details, display)
}

/// A format 1 add entry.
pub fn add(name: &str, category: &str, display: DisplayLevel, commitment: [u8; 32]) -> Vec<u8> {
    LogEntry::add_v1(
        TIME,
        category,
        display,
        shown(name, display).as_ref(),
        commitment,
    )
    .encode()
}

/// A format 2 add entry and its opening (None for private signers).
pub fn add_v2(
    name: &str,
    category: &str,
    display: DisplayLevel,
    commitment: [u8; 32],
) -> (Vec<u8>, Option<Opening>) {
    let opening = shown(name, display).map(|shown| Opening {
        salt: [commitment[0] ^ 0x55; 32],
        shown,
    });
    let entry = LogEntry::add_v2(TIME, category, display, opening.as_ref(), commitment);
    (entry.encode(), opening)
}

/// A format 1 remove entry.
pub fn remove(index: u64) -> Vec<u8> {
    remove_in(LogVersion::V1, index)
}

/// A remove entry of a log of `version`.
pub fn remove_in(version: LogVersion, index: u64) -> Vec<u8> {
    LogEntry::remove(version, TIME + 3600, index, RemovalReason::Hidden).encode()
}

/// `n` signatures in three categories and all three display levels, with a few removed.
pub fn entries(n: u64) -> Vec<Vec<u8>> {
    entries_in(LogVersion::V1, n).0
}

/// The same in a log of `version`, with the openings of its format 2 entries.
pub fn entries_in(version: LogVersion, n: u64) -> (Vec<Vec<u8>>, BTreeMap<u64, Opening>) {
    let mut out = Vec::new();
    let mut openings = BTreeMap::new();
    for i in 0..n {
        let category = ["Survivor", "Organisation", "Activist"][(i % 3) as usize];
        let display = DisplayLevel::ALL[(i % 4 % 3) as usize];
        let name = format!("Signer{} Num{}", i, i % 7);
        let commitment = [(i % 251) as u8; 32];
        match version {
            LogVersion::V1 => out.push(add(&name, category, display, commitment)),
            LogVersion::V2 => {
                let (entry, opening) = add_v2(&name, category, display, commitment);
                if let Some(opening) = opening {
                    openings.insert(out.len() as u64, opening);
                }
                out.push(entry);
            }
        }
        if i % 10 == 9 {
            out.push(remove_in(version, out.len() as u64 - 5));
        }
    }
    (out, openings)
}

fn store(entries: &[Vec<u8>]) -> MemoryHashStore {
    let mut store = MemoryHashStore::new();
    let leaves: Vec<_> = entries.iter().map(|e| leaf_hash(e)).collect();
    store.append(&leaves).unwrap();
    store
}

impl Fake {
    pub fn origin(&self) -> String {
        origin(&self.authority, SLUG)
    }

    pub fn checkpoint(&self) -> String {
        let size = self.entries.len() as u64;
        let root = tree_hash(size, &store(&self.entries)).unwrap();
        Checkpoint::new(self.origin(), size, root)
            .sign([&self.signer])
            .unwrap()
    }

    /// The log's version: its first entry's (format 2 while it is empty).
    fn version(&self) -> LogVersion {
        self.entries
            .first()
            .and_then(|e| LogEntry::decode(e).ok())
            .map_or(LogVersion::V2, |e| e.version())
    }

    /// (add index, category, shown) of the counted entries, oldest first.
    fn counted(&self) -> Vec<(u64, String, Option<Shown>)> {
        self.counted_at(self.entries.len())
    }

    fn counted_at(&self, size: usize) -> Vec<(u64, String, Option<Shown>)> {
        let mut active = BTreeMap::new();
        for (i, bytes) in self.entries[..size].iter().enumerate() {
            match LogEntry::decode(bytes) {
                Err(_) | Ok(LogEntry::Text(_)) => {}
                Ok(LogEntry::Add(a)) => {
                    let text = match &a.text {
                        EntryText::Clear(_) => a.clear_text(),
                        EntryText::Committed(_) => {
                            self.openings.get(&(i as u64)).map(|o| o.shown.clone())
                        }
                    };
                    let shown = (a.display != DisplayLevel::Private)
                        .then(|| text.map(|t| (t.shown_name, t.details, t.comment)))
                        .flatten();
                    active.insert(i as u64, (a.category, shown));
                }
                Ok(LogEntry::Remove(r)) => {
                    active.remove(&r.removes);
                }
            }
        }
        active.into_iter().map(|(i, (c, s))| (i, c, s)).collect()
    }

    fn counts(&self) -> CountsJson {
        let size = self.frozen_counts.unwrap_or(self.entries.len());
        let mut by: BTreeMap<String, i64> = BTreeMap::new();
        for (_, category, _) in self.counted_at(size) {
            *by.entry(category).or_default() += 1;
        }
        for (category, off) in &self.counts_off {
            *by.entry(category.clone()).or_default() += off;
        }
        let total: i64 = by.values().sum();
        let count = |n: i64| u64::try_from(n).unwrap();
        CountsJson {
            total: count(total),
            by_category: by.into_iter().map(|(c, n)| (c, count(n))).collect(),
            log_size: size as u64,
            organisations: None,
            awaiting: None,
            versions: None,
        }
    }

    /// signatories.json below log index `before`, highest first, 50 a page.
    fn signatories(&self, before: Option<u64>) -> SignatoriesJson {
        let mut list: Vec<Signatory> = self
            .counted()
            .into_iter()
            .filter(|(i, _, _)| !self.unlisted.contains(i))
            .filter_map(|(i, category, shown)| {
                shown.map(|(name, details, comment)| Signatory {
                    index: Some(i),
                    name,
                    details,
                    category,
                    comment,
                    salt: self
                        .openings
                        .get(&i)
                        .filter(|_| !self.unsalted)
                        .map(|o| STANDARD.encode(o.salt)),
                })
            })
            .collect();
        list.reverse();
        list.retain(|s| before.is_none_or(|b| s.index.unwrap() < b));
        let this: Vec<_> = list.iter().take(50).cloned().collect();
        let next = (list.len() > 50).then(|| this[49].index.unwrap());
        if self.erased_at.is_some() && !self.erased_but_listed {
            return SignatoriesJson {
                log_size: self.entries.len() as u64,
                signatories: Vec::new(),
                next: None,
                erased_at: self.erased_at,
            };
        }
        SignatoriesJson {
            log_size: self.entries.len() as u64,
            signatories: this,
            next,
            erased_at: self.erased_at,
        }
    }

    fn page(&self) -> String {
        let counted = self.counted();
        let total = counted.len() as i64 + self.page_off;
        let size = if self.page_size {
            format!(" data-log-size=\"{}\"", self.entries.len())
        } else {
            String::new()
        };
        let listed: String = counted
            .iter()
            .rev()
            .filter_map(|(i, _, shown)| shown.as_ref().map(|s| (i, s)))
            .filter(|_| self.erased_at.is_none())
            .take(50)
            .map(|(i, (name, _, _))| {
                let name = self.page_names.get(i).unwrap_or(name);
                let name = name.replace('&', "&amp;").replace('<', "&lt;");
                format!("<li data-log-index=\"{i}\"><span class=\"signer-name\">{name}</span></li>")
            })
            .collect();
        format!(
            "<html><p class=\"total\"><span data-count=\"total\"{size}>{total}</span> confirmed signatures</p><ol>{listed}</ol></html>"
        )
    }

    /// The openings of entry bundle `bundle`, as the site serves them.
    fn openings_bundle(&self, bundle: u64) -> OpeningsJson {
        let size = self.entries.len() as u64;
        let (start, end) = (bundle * 256, (bundle * 256 + 256).min(size));
        let counted: BTreeSet<u64> = self.counted().into_iter().map(|(i, _, _)| i).collect();
        let mut served: BTreeMap<u64, &Opening> = self
            .openings
            .iter()
            .filter(|(i, _)| {
                counted.contains(i) && !self.withheld.contains(i) && self.erased_at.is_none()
            })
            .map(|(i, o)| (*i, o))
            .collect();
        served.extend(self.forged.iter().map(|(i, o)| (*i, o)));
        OpeningsJson {
            log_size: size,
            openings: served
                .range(start..end)
                .map(|(i, o)| IndexedOpening {
                    index: *i,
                    opening: OpeningJson::new(o),
                })
                .collect(),
        }
    }

    /// The receipt of entry `index` (as `/confirm/{token}/receipt` serves it), at the
    /// current size.
    pub fn receipt(&self, index: u64, salt: &[u8; 32]) -> String {
        let size = self.entries.len() as u64;
        Receipt {
            extra: Extra::new(
                self.version(),
                format!("http://{}/l/{SLUG}", self.authority),
                &self.entries[index as usize],
                salt,
                self.signer.verifier().verifier_key(),
                self.openings.get(&index),
            ),
            index,
            proof: inclusion_proof(index, size, &store(&self.entries)).unwrap(),
            checkpoint: self.checkpoint(),
        }
        .encode()
    }

    fn respond(&self, uri: &Uri) -> Response {
        let path = uri.path();
        let query: BTreeMap<String, String> = uri
            .query()
            .unwrap_or_default()
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let number = |k: &str| query.get(k).and_then(|v| v.parse::<u64>().ok());
        let letter = format!("/l/{SLUG}");
        if path == "/.well-known/undersigned/checkpoint-key" {
            return self.signer.verifier().verifier_key().into_response();
        }
        if path == letter {
            return self.page().into_response();
        }
        if path == format!("{letter}/counts.json") {
            return json(&self.counts());
        }
        if path == format!("{letter}/signatories.json") {
            return json(&self.signatories(number("before")));
        }
        let Some(log) = path.strip_prefix(&format!("{letter}/log/")) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let size = self.entries.len() as u64;
        let store = store(&self.entries);
        if let Some(bundle) = log.strip_prefix("openings/") {
            return match bundle.parse::<u64>() {
                Ok(n)
                    if self.version() == LogVersion::V2 && n * 256 < size && !self.no_openings =>
                {
                    json(&self.openings_bundle(n))
                }
                _ => StatusCode::NOT_FOUND.into_response(),
            };
        }
        match log {
            "checkpoint" => self.checkpoint().into_response(),
            "proof/consistency" => {
                let (Some(from), Some(to)) = (number("from"), number("to")) else {
                    return StatusCode::BAD_REQUEST.into_response();
                };
                match consistency_proof(from, to, &store) {
                    Ok(proof) => json(&ConsistencyProofJson::new(from, to, &proof)),
                    Err(_) => StatusCode::BAD_REQUEST.into_response(),
                }
            }
            tile => match parse_tile_path(tile) {
                Ok(TileResource::Hashes(t)) => match read_tile(&t, size, &store) {
                    Ok(data) => data.into_response(),
                    Err(_) => StatusCode::NOT_FOUND.into_response(),
                },
                Ok(TileResource::Entries(t)) => {
                    let start = t.index() * 256;
                    let end = start + u64::from(t.width());
                    if end > size {
                        return StatusCode::NOT_FOUND.into_response();
                    }
                    let bundle: Vec<Vec<u8>> = (start..end)
                        .map(|i| {
                            self.served
                                .get(&i)
                                .cloned()
                                .unwrap_or_else(|| self.entries[i as usize].clone())
                        })
                        .collect();
                    encode_entry_bundle(&bundle).unwrap().into_response()
                }
                Err(_) => StatusCode::NOT_FOUND.into_response(),
            },
        }
    }
}

/// A JSON body, as serde_json writes it.
fn json(body: &impl serde::Serialize) -> Response {
    serde_json::to_string(body).unwrap().into_response()
}

async fn handle(State(fake): State<Shared>, uri: Uri) -> Response {
    fake.lock().unwrap().respond(&uri)
}

/// Serves `entries` on 127.0.0.1; returns the letter's page address and the shared state.
pub async fn serve(entries: Vec<Vec<u8>>) -> (String, Shared) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let authority = listener.local_addr().unwrap().to_string();
    let fake = Arc::new(Mutex::new(Fake {
        signer: NoteSigner::from_seed("127.0.0.1", &[5; 32]).unwrap(),
        authority: authority.clone(),
        entries,
        served: BTreeMap::new(),
        counts_off: BTreeMap::new(),
        unlisted: BTreeSet::new(),
        page_off: 0,
        page_size: true,
        frozen_counts: None,
        openings: BTreeMap::new(),
        withheld: BTreeSet::new(),
        forged: BTreeMap::new(),
        unsalted: false,
        page_names: BTreeMap::new(),
        no_openings: false,
        erased_at: None,
        erased_but_listed: false,
    }));
    let app = Router::new().fallback(handle).with_state(fake.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{authority}/l/{SLUG}"), fake)
}
