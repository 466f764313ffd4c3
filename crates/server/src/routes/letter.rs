//! The public letter page (`/l/{slug}`), its counts (`/l/{slug}/counts.json`) and the home
//! page's list of letters.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Response},
};
use undersigned_verify::json::{CountsJson, OrganisationCounts};

use crate::{
    format,
    i18n::t,
    pages::{Layout, PageError, render},
    rendered::{IfNoneMatch, Rendered},
    services::reads::Cached,
    state::AppState,
    views::letter::{LetterPage, ListQuery, PageState, state_words},
};

/// `GET /l/{slug}`. The page most visitors get (the newest signatories, an empty form) is
/// rendered once per change and served as shared bytes with an entity tag; other pages of
/// the list, and the organisations' form, are rendered for each request.
pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<ListQuery>,
    held: IfNoneMatch,
) -> Result<Response, PageError> {
    let view = state.reads.public_letter(&slug).await?;
    let page_state = PageState {
        organisation_form: query.organisation_form(),
        grid_after: query.grid_after(),
        text: query.text(),
        ..PageState::fresh(query.before())
    };
    let build = |page_state| async {
        let layout =
            Layout::new(state.instance(), view.letter.title.clone()).with_host(view.host.as_ref());
        LetterPage::build(&state, &view, page_state, layout)
            .await?
            .render()
            .map_err(|e| PageError::Internal(format!("rendering a letter page: {e}")))
    };
    if !page_state.is_first_page() {
        return Ok(Html(build(page_state).await?).into_response());
    }
    let letter = view.letter.id;
    let page = match state
        .reads
        .rendered(letter, Cached::Page(crate::i18n::current()))
        .await
    {
        Ok(page) => page,
        Err(lead) => {
            let html = build(page_state).await?;
            state.reads.keep_rendered(
                letter,
                Cached::Page(crate::i18n::current()),
                lead,
                Rendered::new(html, "text/html; charset=utf-8"),
            )
        }
    };
    Ok(page.respond(&held, "no-cache"))
}

/// How long a client or cache may keep `counts.json` without asking again.
const COUNTS_CACHE_CONTROL: &str = "public, max-age=5";

/// `counts.json` when its bytes are ready (the letter and its rendered counts are in the
/// caches): the edge answers with them before routing, since an embed on a busy site asks
/// for little else (see `Edge`). `None` when they are not, or the path is not a letter's
/// counts: then the router and [`counts_json`] answer, which render them if need be, or
/// say why not.
pub fn counts_json_ready(state: &AppState, path: &str, headers: &HeaderMap) -> Option<Response> {
    let slug = path.strip_prefix("/l/")?.strip_suffix("/counts.json")?;
    let rendered = state.reads.rendered_ready(slug, Cached::CountsJson)?;
    Some(rendered.respond(&IfNoneMatch::of(headers), COUNTS_CACHE_CONTROL))
}

/// `GET /l/{slug}/counts.json`: `{"total": N, "by_category": {...}, "log_size": N}`, rendered
/// once per change, with an entity tag.
pub async fn counts_json(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    held: IfNoneMatch,
) -> Result<Response, PageError> {
    let view = state.reads.public_letter(&slug).await?;
    let letter = view.letter.id;
    let rendered = match state.reads.rendered(letter, Cached::CountsJson).await {
        Ok(rendered) => rendered,
        Err(lead) => {
            let counts = state.reads.counts(letter).await?;
            let json = serde_json::to_vec(&CountsJson {
                total: counts.total,
                by_category: counts
                    .as_map()
                    .into_iter()
                    .map(|(category, n)| (category.to_owned(), n))
                    .collect(),
                log_size: counts.log_size,
                organisations: (counts.organisations > 0).then_some(OrganisationCounts {
                    signed: counts.organisations,
                    verified: counts.verified_organisations,
                }),
                awaiting: (counts.awaiting > 0).then_some(counts.awaiting),
                versions: (counts.text_version > 1).then_some(counts.text_version),
            })
            .map_err(|e| PageError::Internal(format!("writing counts: {e}")))?;
            state.reads.keep_rendered(
                letter,
                Cached::CountsJson,
                lead,
                Rendered::new(json, "application/json"),
            )
        }
    };
    Ok(rendered.respond(&held, COUNTS_CACHE_CONTROL))
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
            state: state_words(l.state),
            signatures: format::signatures(l.signatures),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &HomePage {
            layout: Layout::new(state.instance(), t("home-heading")),
            letters,
        },
    ))
}
