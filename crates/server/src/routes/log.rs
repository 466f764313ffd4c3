//! Each letter's public log, served as C2SP tlog-tiles resources under the letter, with the
//! openings of a format 2 log, JSON proofs, the public list with log indexes, the instance's
//! checkpoint key, and signers' receipts. The formats are in `docs/log-format.md`.

use axum::{
    Json,
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde::Deserialize;
use undersigned_store::{Letter, LogHead};
use undersigned_tlog::parse_tile_path;
use undersigned_verify::json::{
    ConsistencyProofJson, InclusionProofJson, SignatoriesJson, Signatory,
};

use crate::{
    pages::{PageError, message},
    secrets::Token,
    services::{logs::LogError, reads::SIGNATORIES_PER_PAGE as PER_PAGE},
    state::AppState,
};

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
    let head = state.logs.head(view.letter.id).await?;
    Ok((view.letter.clone(), head))
}

/// `GET /.well-known/undersigned/checkpoint-key`
pub async fn checkpoint_key(State(state): State<AppState>) -> Response {
    text(
        format!("{}\n", state.logs.verifier_key()),
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
        state.logs.checkpoint(&letter.slug, &head)?,
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
    let (tile, body) = state.logs.tile(letter.id, &head, resource).await?;
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

/// `GET /l/{slug}/log/openings/{N}`: the openings of entry bundle N of a format 2 log that
/// are public now (404 for a format 1 log, or beyond the log). A removal deletes an opening,
/// so caches keep them briefly.
pub async fn openings(
    State(state): State<AppState>,
    Path((slug, bundle)): Path<(String, String)>,
) -> Result<Response, PageError> {
    // Digits only, without leading zeros: one address per bundle.
    if bundle.is_empty()
        || !bundle.bytes().all(|b| b.is_ascii_digit())
        || (bundle.len() > 1 && bundle.starts_with('0'))
    {
        return Err(PageError::NotFound);
    }
    let bundle: u64 = bundle.parse().map_err(|_| PageError::NotFound)?;
    let view = state.reads.public_letter(&slug).await?;
    let openings = state.logs.openings(&view.letter, bundle).await?;
    let mut response = Json(openings).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=10"),
    );
    Ok(response)
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

/// `GET /l/{slug}/log/proof/inclusion?index=I&size=S`
pub async fn inclusion(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<InclusionQuery>,
) -> Result<Response, PageError> {
    let (letter, head) = letter_and_head(&state, &slug).await?;
    let size = query.size.unwrap_or(head.size);
    let proof = state
        .logs
        .inclusion_proof(letter.id, &head, query.index, size)
        .await
        .map_err(|e| match e {
            LogError::OutOfRange { size } => PageError::BadRequest(format!(
                "The log has {size} entries: ask for an index below the size, and a size up \
                 to it."
            )),
            other => other.into(),
        })?;
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
    let proof = state
        .logs
        .consistency_proof(letter.id, &head, query.from, to)
        .await
        .map_err(|e| match e {
            LogError::OutOfRange { size } => PageError::BadRequest(format!(
                "The log has {size} entries: ask for 0 < from ≤ to ≤ {size}."
            )),
            other => other.into(),
        })?;
    Ok(no_cache(
        Json(ConsistencyProofJson::new(query.from, to, &proof)).into_response(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct SignatoriesQuery {
    before: Option<u64>,
    #[serde(default)]
    limit: PageSize,
}

/// How many signatories a page of `signatories.json` lists: 50 unless asked, at most
/// [`PageSize::MAX`] (an auditor reading a million signatories asks for the most).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(try_from = "u32")]
pub struct PageSize(u32);

impl PageSize {
    pub const MAX: u32 = 1000;
}

impl Default for PageSize {
    fn default() -> Self {
        Self(PER_PAGE)
    }
}

impl TryFrom<u32> for PageSize {
    type Error = String;

    fn try_from(n: u32) -> Result<Self, Self::Error> {
        if (1..=Self::MAX).contains(&n) {
            Ok(Self(n))
        } else {
            Err(format!("limit must be 1 to {}", Self::MAX))
        }
    }
}

/// `GET /l/{slug}/signatories.json[?before=I][&limit=N]`: the public list, 50 at a time (or
/// `limit`, up to 1,000) by log index, highest first, each with the index of its add entry
/// (and in a format 2 log the salt that opens its commitment), and the log size it was read
/// at.
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
        .signatories_by_index(view.letter.id, query.before, query.limit.0)
        .await?;
    let per_page = query.limit.0 as usize;
    let rows: Vec<_> = listing.rows.iter().take(per_page).collect();
    let next = if listing.rows.len() > per_page {
        rows.last().and_then(|row| row.log_index)
    } else {
        None
    };
    // Once the signers' personal data is erased, nobody is listed by name.
    let erased = view.erasure.is_some();
    let signatories = rows
        .iter()
        .filter(|_| !erased)
        .filter_map(|row| {
            row.shown().map(|shown| Signatory {
                index: row.log_index,
                name: shown.shown_name,
                details: shown.details,
                category: row.category.clone(),
                comment: shown.comment,
                salt: row.opening.as_ref().map(|o| STANDARD.encode(o.salt)),
            })
        })
        .collect();
    Ok(no_cache(
        Json(SignatoriesJson {
            log_size: listing.log_size,
            signatories,
            next: next.filter(|_| !erased),
            erased_at: view.erasure.as_ref().map(|e| e.erased_at),
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
    let receipt = state
        .logs
        .receipt(token.hash())
        .await?
        .ok_or(PageError::NotFound)?;
    if state.settings.manage_link_expires_at(receipt.link_used_at) <= state.clock.now() {
        return Ok(message(
            StatusCode::GONE,
            "This link has expired",
            "The link to your receipt works for a limited time after you confirmed. Your signature is unchanged. To get a new link, open the letter and use “Lost your link?” with the address you signed with.",
            Some((
                &format!("/l/{}#lost-link", receipt.letter.slug),
                "Get a new link",
            )),
        ));
    }
    let filename = format!(
        "attachment; filename=\"{}-receipt.tlog-proof\"",
        receipt.letter.slug
    );
    let mut response = (StatusCode::OK, receipt.text).into_response();
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
