//! Each letter's public log, served as C2SP tlog-tiles resources under the letter, with
//! JSON proofs, the public list with log indexes, the instance's checkpoint key, and signers'
//! receipts. The formats are in `docs/log-format.md`.

use std::convert::Infallible;

use axum::{
    Json,
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use undersigned_store::{Letter, LetterId, LogHead};
use undersigned_tlog::{
    Checkpoint, Hash, NoteSigner, TileResource, TreeError, consistency_proof_from_hashes,
    consistency_proof_indexes, encode_entry_bundle, inclusion_proof_from_hashes,
    inclusion_proof_indexes, parse_tile_path,
};
use undersigned_verify::{
    json::{ConsistencyProofJson, InclusionProofJson, SignatoriesJson, Signatory},
    letter::origin,
    receipt::{Extra, Receipt},
};

use crate::{
    pages::PageError, secrets::Token, services::reads::SIGNATORIES_PER_PAGE as PER_PAGE,
    state::AppState,
};

/// The instance's log key, and the names it signs under.
pub struct LogKeys {
    signer: NoteSigner,
    /// `<name>+<key id>+<base64 key>`, as published.
    pub verifier_key: String,
    host: String,
}

impl LogKeys {
    /// The key named after the site's host, from the instance's derived seed.
    pub fn new(host: &str, seed: &[u8; 32]) -> Result<Self, undersigned_tlog::KeyError> {
        let signer = NoteSigner::from_seed(host, seed)?;
        Ok(Self {
            verifier_key: signer.verifier().verifier_key(),
            signer,
            host: host.to_owned(),
        })
    }

    /// The signed checkpoint of a letter's log at `head`. Ed25519 is deterministic: the same
    /// head always gives the same checkpoint, whichever process signs it.
    pub fn checkpoint(&self, slug: &str, head: &LogHead) -> Result<String, PageError> {
        Checkpoint::new(origin(&self.host, slug), head.size, Hash(head.root))
            .sign([&self.signer])
            .map_err(|e| PageError::Internal(format!("signing a checkpoint: {e}")))
    }
}

/// Runs a tlog computation over the letter's stored hashes, indexes first: `indexes` (which
/// depend on sizes alone) names the stored hashes it needs, one query fetches them, and
/// `compute` works from those hashes, in that order.
async fn from_stored_hashes<T>(
    state: &AppState,
    letter: LetterId,
    indexes: Result<Vec<u64>, TreeError<Infallible>>,
    compute: impl FnOnce(&[Hash]) -> Result<T, TreeError<Infallible>>,
) -> Result<T, PageError> {
    let indexes = indexes.map_err(|e| PageError::BadRequest(e.to_string()))?;
    let hashes: Vec<Hash> = state
        .store
        .log_hashes(letter, &indexes)
        .await?
        .into_iter()
        .map(Hash)
        .collect();
    compute(&hashes).map_err(|e| PageError::Internal(format!("a log computation: {e}")))
}

fn text(body: String, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}

async fn letter_and_head(state: &AppState, slug: &str) -> Result<(Letter, LogHead), PageError> {
    let view = state.reads.public_letter(slug).await?;
    let head = state.store.log_head(view.letter.id).await?;
    Ok((view.letter.clone(), head))
}

/// `GET /.well-known/undersigned/checkpoint-key`
pub async fn checkpoint_key(State(state): State<AppState>) -> Response {
    text(
        format!("{}\n", state.log_keys.verifier_key),
        "public, max-age=3600",
    )
}

/// `GET /l/{slug}/log/checkpoint`
pub async fn checkpoint(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let (letter, head) = letter_and_head(&state, &slug).await?;
    Ok(text(
        state.log_keys.checkpoint(&letter.slug, &head)?,
        "no-cache",
    ))
}

/// `GET /l/{slug}/log/tile/{*path}`: hash tiles and entry bundles.
pub async fn tile(
    State(state): State<AppState>,
    Path((slug, path)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let resource = parse_tile_path(&format!("tile/{path}")).map_err(|_| PageError::NotFound)?;
    let (letter, head) = letter_and_head(&state, &slug).await?;
    let (tile, body) = match resource {
        TileResource::Hashes(tile) => {
            if !tile.is_available(head.size) {
                return Err(PageError::NotFound);
            }
            let hashes = state
                .store
                .log_hashes(letter.id, &tile.stored_hash_indexes())
                .await?;
            (tile, hashes.concat())
        }
        TileResource::Entries(tile) => {
            let start = tile.start_leaf().ok_or(PageError::NotFound)?;
            let end = start
                .checked_add(u64::from(tile.width()))
                .filter(|end| *end <= head.size)
                .ok_or(PageError::NotFound)?;
            let entries = state.store.log_entries(letter.id, start, end).await?;
            let bundle = encode_entry_bundle(&entries)
                .map_err(|e| PageError::Internal(format!("an entry bundle: {e}")))?;
            (tile, bundle)
        }
    };
    // A full tile never changes; a partial one is replaced by a wider one as the log grows.
    let cache = if tile.is_full() {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=10"
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct InclusionQuery {
    index: u64,
    size: Option<u64>,
}

fn no_cache(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The inclusion proof of entry `index` in the tree of `size` entries.
async fn prove_inclusion(
    state: &AppState,
    letter: LetterId,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, PageError> {
    from_stored_hashes(
        state,
        letter,
        inclusion_proof_indexes(index, size),
        |hashes| inclusion_proof_from_hashes(index, size, hashes),
    )
    .await
}

/// `GET /l/{slug}/log/proof/inclusion?index=I&size=S`
pub async fn inclusion(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<InclusionQuery>,
) -> Result<Response, PageError> {
    let (letter, head) = letter_and_head(&state, &slug).await?;
    let size = query.size.unwrap_or(head.size);
    if size > head.size || query.index >= size {
        return Err(PageError::BadRequest(format!(
            "The log has {} entries: ask for an index below the size, and a size up to it.",
            head.size
        )));
    }
    let proof = prove_inclusion(&state, letter.id, query.index, size).await?;
    Ok(no_cache(
        Json(InclusionProofJson::new(query.index, size, &proof)).into_response(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct ConsistencyQuery {
    from: u64,
    to: Option<u64>,
}

/// `GET /l/{slug}/log/proof/consistency?from=M&to=N`
pub async fn consistency(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<ConsistencyQuery>,
) -> Result<Response, PageError> {
    let (letter, head) = letter_and_head(&state, &slug).await?;
    let to = query.to.unwrap_or(head.size);
    if to > head.size || query.from == 0 || query.from > to {
        return Err(PageError::BadRequest(format!(
            "The log has {} entries: ask for 0 < from ≤ to ≤ {}.",
            head.size, head.size
        )));
    }
    let proof = from_stored_hashes(
        &state,
        letter.id,
        consistency_proof_indexes(query.from, to),
        |hashes| consistency_proof_from_hashes(query.from, to, hashes),
    )
    .await?;
    Ok(no_cache(
        Json(ConsistencyProofJson::new(query.from, to, &proof)).into_response(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct SignatoriesQuery {
    before: Option<u64>,
}

/// `GET /l/{slug}/signatories.json[?before=I]`: the public list, 50 at a time by log index,
/// highest first, each with the index of its add entry, and the log size it was read at.
/// `next` is the `before` of the next page: new signatures never shift the pages after the
/// first, so an auditor can read a busy letter's list.
pub async fn signatories(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<SignatoriesQuery>,
) -> Result<Response, PageError> {
    let view = state.reads.public_letter(&slug).await?;
    let listing = state
        .reads
        .signatories_by_index(view.letter.id, query.before)
        .await?;
    let rows: Vec<_> = listing.rows.iter().take(PER_PAGE as usize).collect();
    let next = if listing.rows.len() > PER_PAGE as usize {
        rows.last().and_then(|row| row.log_index)
    } else {
        None
    };
    let signatories =
        rows.iter()
            .filter_map(|row| {
                undersigned_core::signature::public_display(&row.name, &row.details, row.display)
                    .map(|shown| Signatory {
                        index: row.log_index,
                        name: shown.shown_name,
                        details: shown.details,
                        category: row.category.clone(),
                        comment: shown.comment,
                    })
            })
            .collect();
    Ok(no_cache(
        Json(SignatoriesJson {
            log_size: listing.log_size,
            signatories,
            next,
        })
        .into_response(),
    ))
}

/// `GET /confirm/{token}/receipt`: the signer's proof that their signature is in the log,
/// as a C2SP tlog-proof file.
pub async fn receipt(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let token = Token::parse(&token).ok_or(PageError::NotFound)?;
    let data = state
        .store
        .receipt(token.hash())
        .await?
        .ok_or(PageError::NotFound)?;
    let head = state.store.log_head(data.letter.id).await?;
    let body = Receipt {
        extra: Extra::new(
            state.public.url(&format!("/l/{}", data.letter.slug)),
            &data.entry,
            &data.salt,
            state.log_keys.verifier_key.clone(),
        ),
        index: data.index,
        proof: prove_inclusion(&state, data.letter.id, data.index, head.size).await?,
        checkpoint: state.log_keys.checkpoint(&data.letter.slug, &head)?,
    }
    .encode();
    let filename = format!(
        "attachment; filename=\"{}-receipt.tlog-proof\"",
        data.letter.slug
    );
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&filename) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
