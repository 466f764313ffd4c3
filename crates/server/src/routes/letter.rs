//! The public letter page (`/l/{slug}`), its counts (`/l/{slug}/counts.json`) and the home
//! page's list of letters.

use askama::Template;
use axum::{
    Json,
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use undersigned_verify::json::CountsJson;

use crate::{
    format,
    pages::{Layout, PageError, render},
    state::AppState,
    views::letter::{LetterPage, ListQuery, PageState},
};

/// `GET /l/{slug}`
pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let view = state.reads.public_letter(&slug).await?;
    let layout = Layout::new(state.instance(), view.letter.title.clone());
    let page_state = PageState {
        organisation_form: query.organisation_form(),
        grid_after: query.grid_after(),
        ..PageState::fresh(query.before())
    };
    let page = LetterPage::build(&state, &view, page_state, layout).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `GET /l/{slug}/counts.json`: `{"total": N, "by_category": {...}}`
pub async fn counts_json(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let view = state.reads.public_letter(&slug).await?;
    let counts = state.reads.counts(view.letter.id).await?;
    let mut response = Json(CountsJson {
        total: counts.total,
        by_category: counts
            .as_map()
            .into_iter()
            .map(|(category, n)| (category.to_owned(), n))
            .collect(),
        log_size: counts.log_size,
    })
    .into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=5"),
    );
    Ok(response)
}

pub struct LetterLine {
    pub slug: String,
    pub title: String,
    pub state: String,
    pub signatures: String,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub layout: Layout,
    pub letters: Vec<LetterLine>,
}

/// `GET /`
pub async fn home(State(state): State<AppState>) -> Result<Response, PageError> {
    let letters = state
        .reads
        .public_letters()
        .await?
        .into_iter()
        .map(|l| LetterLine {
            slug: l.slug,
            title: l.title,
            state: l.state.to_string(),
            signatures: format::count(l.signatures),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &HomePage {
            layout: Layout::new(state.instance(), "Open letters"),
            letters,
        },
    ))
}
