//! Sharing a letter beyond its page: the card other sites embed (`/l/{slug}/embed`, inserted
//! by `/embed.js`), and the picture link previews show (`/l/{slug}/card.png`).

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use undersigned_core::letter::FieldErrors;
use undersigned_core::signature::SignInput;

use crate::{
    format,
    pages::{Frameable, PageError, render},
    rendered::IfNoneMatch,
    state::AppState,
    views::letter::SignFormView,
};

#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error("drawing the share card: {0}")]
    Draw(#[from] undersigned_card::CardError),
    #[error("the share card's task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error(transparent)]
    Page(#[from] PageError),
}

impl IntoResponse for CardError {
    fn into_response(self) -> Response {
        match self {
            CardError::Page(e) => e.into_response(),
            other => PageError::Internal(crate::pages::error_chain(&other)).into_response(),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct EmbedQuery {
    /// `1`: the whole signing form, not only a button.
    #[serde(default)]
    form: String,
}

#[derive(Template)]
#[template(path = "embed.html")]
struct EmbedPage {
    instance: String,
    slug: String,
    title: String,
    /// The letter's page, where the button leads.
    url: String,
    host: Option<String>,
    open: bool,
    total: String,
    total_n: u64,
    by_category: Vec<(String, String)>,
    /// The signing form, when the embed asked for it (and the letter takes signatures).
    form: Option<SignFormView>,
}

/// `GET /l/{slug}/embed`: the card a partner's page frames, with the count and a button that
/// opens the letter (`?form=1`: the whole signing form, whose answer opens in a new tab). The
/// one page any site may frame.
pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<EmbedQuery>,
) -> Result<Response, PageError> {
    let view = state.reads.public_letter(&slug).await?;
    let letter = &view.letter;
    let counts = state.reads.counts(letter.id).await?;
    let open = letter
        .state
        .takes_signatures(letter.closes_at, state.clock.now());
    let page = EmbedPage {
        instance: state.instance().to_owned(),
        slug: letter.slug.clone(),
        title: letter.title.clone(),
        url: state.public.url(&format!("/l/{}", letter.slug)),
        host: view.host.as_ref().map(|h| h.name.clone()),
        open,
        total: format::count(counts.total),
        total_n: counts.total,
        by_category: counts
            .by_category
            .iter()
            .map(|(name, n)| (name.clone(), format::count(*n)))
            .collect(),
        form: (open && query.form == "1").then(|| {
            SignFormView::build(
                letter,
                SignInput::default(),
                FieldErrors::default(),
                false,
                Some("_blank"),
            )
        }),
    };
    let mut response = render(StatusCode::OK, &page);
    response.extensions_mut().insert(Frameable);
    Ok(response)
}

/// `GET /l/{slug}/card.png`: the letter's share card, 1200×630, with an entity tag made of
/// what it shows (so a preview that has it already gets `304 Not Modified` without drawing).
pub async fn card(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    held: IfNoneMatch,
) -> Result<Response, CardError> {
    let view = state
        .reads
        .public_letter(&slug)
        .await
        .map_err(PageError::from)?;
    let counts = state
        .reads
        .counts(view.letter.id)
        .await
        .map_err(PageError::from)?;
    let title = view.letter.title.clone();
    let count = format::signatures(counts.total);
    let host = state.public.host.clone();
    let etag = card_tag(&title, &count, &host);
    let tagged = [
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        ),
        (
            header::ETAG,
            HeaderValue::from_str(&etag).map_err(|e| PageError::Internal(e.to_string()))?,
        ),
    ];
    if held.names(&etag) {
        return Ok((StatusCode::NOT_MODIFIED, tagged).into_response());
    }
    let png = tokio::task::spawn_blocking(move || {
        undersigned_card::render(&undersigned_card::Card {
            title: &title,
            count: &count,
            host: &host,
        })
    })
    .await??;
    Ok((
        tagged,
        [(header::CONTENT_TYPE, HeaderValue::from_static("image/png"))],
        png,
    )
        .into_response())
}

/// The share card's entity tag: a hash of what it shows (and of the crate's version, which
/// may draw it differently).
fn card_tag(title: &str, count: &str, host: &str) -> String {
    let mut hash = Sha256::new();
    for part in [env!("CARGO_PKG_VERSION"), title, count, host] {
        hash.update(part.len().to_be_bytes());
        hash.update(part.as_bytes());
    }
    let digest = hash.finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"card-{hex}\"")
}
