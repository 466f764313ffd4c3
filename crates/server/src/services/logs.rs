//! The letters' public logs, read from the store: the instance's checkpoint key and each
//! letter's signed checkpoints, hash tiles and entry bundles, the openings of a format 2
//! log, inclusion and consistency proofs, and signers' receipts. The wire formats are the verify crate's; the routes only
//! turn these into responses.

use std::convert::Infallible;

use undersigned_store::{
    DynStore, Hash32, Letter, LetterId, LetterRef, LogHead, LogVersion, StoreError,
};
use undersigned_tlog::{
    Checkpoint, Hash, KeyError, NoteSigner, Tile, TileResource, TreeError,
    consistency_proof_from_hashes, consistency_proof_indexes, encode_entry_bundle,
    inclusion_proof_from_hashes, inclusion_proof_indexes,
};
use undersigned_verify::{
    json::{IndexedOpening, OpeningJson, OpeningsJson},
    letter::origin,
    receipt::{Extra, Receipt},
};

use crate::config::PublicUrl;

/// What can go wrong reading a log.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// A tile beyond the log, or a malformed one.
    #[error("no such tile")]
    NoSuchTile,
    /// Openings of a format 1 log (whose entries hold the text), or beyond the log.
    #[error("no such openings")]
    NoSuchOpenings,
    /// A proof for an index or sizes the log does not have (it has `size` entries).
    #[error("outside the log of {size} entries")]
    OutOfRange { size: u64 },
    /// What the store holds cannot make a log (a bug or a damaged database).
    #[error("the stored log is unusable: {0}")]
    Damaged(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A signer's receipt, ready to serve.
#[derive(Debug)]
pub struct ReceiptFile {
    pub letter: LetterRef,
    /// The receipt in C2SP tlog-proof form.
    pub text: String,
    /// When the link asking for it was used to confirm.
    pub link_used_at: i64,
}

/// The letters' logs, signed with the instance's log key.
pub struct Logs {
    store: DynStore,
    signer: NoteSigner,
    /// `<name>+<key id>+<base64 key>`, as published.
    verifier_key: String,
    public: PublicUrl,
}

impl Logs {
    /// The logs of `store`, whose checkpoints are signed by a key named after the site's host
    /// and derived from the instance's `seed`.
    pub fn new(store: DynStore, public: PublicUrl, seed: &[u8; 32]) -> Result<Self, KeyError> {
        let signer = NoteSigner::from_seed(&public.host, seed)?;
        Ok(Self {
            store,
            verifier_key: signer.verifier().verifier_key(),
            signer,
            public,
        })
    }

    /// The instance's checkpoint key, as published.
    pub fn verifier_key(&self) -> &str {
        &self.verifier_key
    }

    /// A letter's log: its size and root.
    pub async fn head(&self, letter: LetterId) -> Result<LogHead, LogError> {
        Ok(self.store.log_head(letter).await?)
    }

    /// The signed checkpoint of the letter `slug` at `head`. Ed25519 is deterministic: the
    /// same head always gives the same checkpoint, whichever process signs it.
    pub fn checkpoint(&self, slug: &str, head: &LogHead) -> Result<String, LogError> {
        Checkpoint::new(origin(&self.public.host, slug), head.size, Hash(head.root))
            .sign([&self.signer])
            .map_err(|e| LogError::Damaged(format!("signing a checkpoint: {e}")))
    }

    /// A hash tile or an entry bundle of the letter's log at `head`, and its bytes.
    pub async fn tile(
        &self,
        letter: LetterId,
        head: &LogHead,
        resource: TileResource,
    ) -> Result<(Tile, Vec<u8>), LogError> {
        match resource {
            TileResource::Hashes(tile) => {
                if !tile.is_available(head.size) {
                    return Err(LogError::NoSuchTile);
                }
                let hashes = self
                    .store
                    .log_hashes(letter, &tile.stored_hash_indexes())
                    .await?;
                Ok((tile, hashes.concat()))
            }
            TileResource::Entries(tile) => {
                let start = tile.start_leaf().ok_or(LogError::NoSuchTile)?;
                let end = start
                    .checked_add(u64::from(tile.width()))
                    .filter(|end| *end <= head.size)
                    .ok_or(LogError::NoSuchTile)?;
                let entries = self.store.log_entries(letter, start, end).await?;
                let bundle = encode_entry_bundle(&entries)
                    .map_err(|e| LogError::Damaged(format!("an entry bundle: {e}")))?;
                Ok((tile, bundle))
            }
        }
    }

    /// The openings of entry bundle `bundle` (entries `bundle·256 …`) of the letter's
    /// format 2 log that are public now, and the log size they were read at.
    pub async fn openings(&self, letter: &Letter, bundle: u64) -> Result<OpeningsJson, LogError> {
        if letter.log_version != LogVersion::V2 {
            return Err(LogError::NoSuchOpenings);
        }
        let width = undersigned_tlog::tile::TILE_WIDTH as u64;
        let start = bundle.checked_mul(width).ok_or(LogError::NoSuchOpenings)?;
        let page = self
            .store
            .log_openings(letter.id, start, start.saturating_add(width))
            .await?;
        if start >= page.log_size {
            return Err(LogError::NoSuchOpenings);
        }
        Ok(OpeningsJson {
            log_size: page.log_size,
            openings: page
                .openings
                .iter()
                .map(|(index, opening)| IndexedOpening {
                    index: *index,
                    opening: OpeningJson::new(opening),
                })
                .collect(),
        })
    }

    /// The inclusion proof of entry `index` in the tree of `size` entries of a log at `head`.
    pub async fn inclusion_proof(
        &self,
        letter: LetterId,
        head: &LogHead,
        index: u64,
        size: u64,
    ) -> Result<Vec<Hash>, LogError> {
        if size > head.size || index >= size {
            return Err(LogError::OutOfRange { size: head.size });
        }
        self.over_stored_hashes(letter, inclusion_proof_indexes(index, size), |hashes| {
            inclusion_proof_from_hashes(index, size, hashes)
        })
        .await
    }

    /// The consistency proof between the trees of `from` and `to` entries of a log at `head`.
    pub async fn consistency_proof(
        &self,
        letter: LetterId,
        head: &LogHead,
        from: u64,
        to: u64,
    ) -> Result<Vec<Hash>, LogError> {
        if to > head.size || from == 0 || from > to {
            return Err(LogError::OutOfRange { size: head.size });
        }
        self.over_stored_hashes(letter, consistency_proof_indexes(from, to), |hashes| {
            consistency_proof_from_hashes(from, to, hashes)
        })
        .await
    }

    /// The receipt of the signature confirmed with the link whose token hashes to
    /// `token_hash`: its entry and salt (and in a format 2 log the opening of what the page
    /// shows, while it is public), its inclusion proof at the log's current size, and the
    /// checkpoint of that size. None when the link is unknown or its signature is not in the
    /// log.
    pub async fn receipt(&self, token_hash: Hash32) -> Result<Option<ReceiptFile>, LogError> {
        let Some(data) = self.store.receipt(token_hash).await? else {
            return Ok(None);
        };
        let head = self.head(data.letter.id).await?;
        let text = Receipt {
            extra: Extra::new(
                data.log_version,
                self.public.url(&format!("/l/{}", data.letter.slug)),
                &data.entry,
                &data.salt,
                self.verifier_key.clone(),
                data.opening.as_ref(),
            ),
            index: data.index,
            proof: self
                .inclusion_proof(data.letter.id, &head, data.index, head.size)
                .await?,
            checkpoint: self.checkpoint(&data.letter.slug, &head)?,
        }
        .encode();
        Ok(Some(ReceiptFile {
            letter: data.letter,
            text,
            link_used_at: data.link_used_at,
        }))
    }

    /// Runs a tlog computation over the letter's stored hashes, indexes first: `indexes`
    /// (which depend on sizes alone) names the stored hashes it needs, one query fetches
    /// them, and `compute` works from those hashes, in that order.
    async fn over_stored_hashes<T>(
        &self,
        letter: LetterId,
        indexes: Result<Vec<u64>, TreeError<Infallible>>,
        compute: impl FnOnce(&[Hash]) -> Result<T, TreeError<Infallible>>,
    ) -> Result<T, LogError> {
        // The callers checked the sizes, so an error here means the stored log is wrong.
        let damaged = |e: TreeError<Infallible>| LogError::Damaged(format!("a proof: {e}"));
        let indexes = indexes.map_err(damaged)?;
        let hashes: Vec<Hash> = self
            .store
            .log_hashes(letter, &indexes)
            .await?
            .into_iter()
            .map(Hash)
            .collect();
        compute(&hashes).map_err(damaged)
    }
}
