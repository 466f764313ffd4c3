//! The public letter page (`/l/{slug}`), its counts (`/l/{slug}/counts.json`) and the home
//! page's list of letters.

use std::sync::Arc;

use askama::Template;
use axum::{
    Json,
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use undersigned_core::{
    SignerField, Slug,
    letter::{FieldErrors, FieldRequirement, Target},
    markdown,
    signature::{SignInput, public_display},
};
use undersigned_store::{Counts, Letter, LetterId, PublicListing, SignatoryPage};
use undersigned_verify::json::CountsJson;

use crate::{
    cache::LetterView,
    format,
    pages::{Layout, PageError, render},
    state::AppState,
};

/// Signatories per page.
pub const PER_PAGE: u32 = 50;

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    page: String,
}

impl PageQuery {
    /// Page numbers that are not numbers mean page 1.
    pub fn number(&self) -> u64 {
        self.page.parse::<u64>().unwrap_or(1).clamp(1, 1_000_000)
    }
}

/// A letter the public may see, from the cache or the database. Drafts and unknown slugs
/// are 404.
pub async fn public_letter(state: &AppState, slug: &str) -> Result<Arc<LetterView>, PageError> {
    let view = letter_view(state, slug).await?;
    if view.letter.state.is_public() {
        Ok(view)
    } else {
        Err(PageError::NotFound)
    }
}

/// Any letter by slug (drafts included), rendered once and cached.
pub async fn letter_view(state: &AppState, slug: &str) -> Result<Arc<LetterView>, PageError> {
    let slug = Slug::parse(slug).map_err(|_| PageError::NotFound)?;
    let generation = match state.caches.letter(slug.as_str()) {
        Ok(view) => return Ok(view),
        Err(generation) => generation,
    };
    let letter = state
        .store
        .letter_by_slug(slug.as_str())
        .await?
        .ok_or(PageError::NotFound)?;
    let view = Arc::new(view_of(letter));
    state.caches.put_letter(generation, view.clone());
    Ok(view)
}

pub fn view_of(letter: Letter) -> LetterView {
    LetterView {
        body_html: markdown::render(&letter.body_markdown),
        letter,
    }
}

pub async fn counts(state: &AppState, letter: &Letter) -> Result<Arc<Counts>, PageError> {
    let generation = match state.caches.counts(letter.id) {
        Ok(counts) => return Ok(counts),
        Err(generation) => generation,
    };
    let counts = Arc::new(state.store.counts(letter.id).await?);
    state
        .caches
        .put_counts(letter.id, generation, counts.clone());
    Ok(counts)
}

/// One page of public signatories (and one more row, to tell whether a next page exists).
/// The first page, the one everybody sees, comes from the cache.
async fn signatories(
    state: &AppState,
    letter: LetterId,
    page: u64,
) -> Result<Arc<SignatoryPage>, PageError> {
    let read = || async {
        let offset = (page - 1) * u64::from(PER_PAGE);
        state
            .store
            .public_signatures(letter, PublicListing::Newest { offset }, PER_PAGE + 1)
            .await
            .map(Arc::new)
    };
    if page != 1 {
        return Ok(read().await?);
    }
    let generation = match state.caches.first_page(letter) {
        Ok(rows) => return Ok(rows),
        Err(generation) => generation,
    };
    let rows = read().await?;
    state
        .caches
        .put_first_page(letter, generation, rows.clone());
    Ok(rows)
}

/// A signer field as the signing form shows it.
pub struct FieldView {
    pub key: &'static str,
    pub label: &'static str,
    pub required: bool,
    pub multiline: bool,
    pub max: usize,
    pub value: String,
}

pub struct TargetView {
    pub name: String,
    pub title: Option<String>,
    pub organisation: Option<String>,
}

pub struct SignerView {
    pub shown_name: String,
    pub details: Option<String>,
    pub category: String,
    pub comment: Option<String>,
}

pub struct OpenGraph {
    pub title: String,
    pub description: String,
    pub url: String,
}

#[derive(Template)]
#[template(path = "letter.html")]
pub struct LetterPage {
    pub layout: Layout,
    pub preview: bool,
    pub og: OpenGraph,
    pub slug: String,
    pub state: String,
    pub open: bool,
    pub title: String,
    pub subject: String,
    pub targets: Vec<TargetView>,
    pub body_html: String,
    pub total: String,
    pub by_category: Vec<(String, String)>,
    /// The log size the counts were computed at, and the key that signs the log.
    pub log_size: u64,
    pub log_key: String,
    pub categories: Vec<(i64, String)>,
    pub fields: Vec<FieldView>,
    pub input: SignInput,
    pub errors: FieldErrors,
    pub signers: Vec<SignerView>,
    pub page: u64,
    pub has_next: bool,
}

/// The text of a letter's body without Markdown, shortened, for link previews.
fn description(letter: &Letter) -> String {
    let plain: String = letter
        .body_markdown
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !"#*_`>[]".contains(*c))
        .collect();
    let mut short: String = plain.chars().take(200).collect();
    if plain.chars().count() > 200 {
        short.push('…');
    }
    short
}

/// What the letter page shows besides the letter: the form's state, and whether it is an
/// organiser's preview.
pub struct PageState {
    pub page: u64,
    pub input: SignInput,
    pub errors: FieldErrors,
    pub preview: bool,
}

impl PageState {
    pub fn fresh(page: u64) -> Self {
        Self {
            page,
            // No display level is chosen for the signer: they choose.
            input: SignInput::default(),
            errors: FieldErrors::default(),
            preview: false,
        }
    }
}

/// Builds the whole letter page.
pub async fn letter_page(
    state: &AppState,
    view: &LetterView,
    page_state: PageState,
    layout: Layout,
) -> Result<LetterPage, PageError> {
    let letter = &view.letter;
    let counts = counts(state, letter).await?;
    let page = page_state.page;
    let listing = if page_state.preview {
        Arc::new(SignatoryPage::default())
    } else {
        signatories(state, letter.id, page).await?
    };
    let has_next = listing.rows.len() > PER_PAGE as usize;
    let signers = listing
        .rows
        .iter()
        .take(PER_PAGE as usize)
        .filter_map(|row| {
            public_display(&row.name, &row.details, row.display).map(|shown| SignerView {
                shown_name: shown.shown_name,
                details: shown.details,
                category: row.category.clone(),
                comment: shown.comment,
            })
        })
        .collect();
    let fields = SignerField::ALL
        .into_iter()
        .filter(|f| letter.signer_fields.get(*f).is_shown())
        .map(|f| FieldView {
            key: f.key(),
            label: f.label(),
            required: letter.signer_fields.get(f) == FieldRequirement::Required,
            multiline: f == SignerField::Comment,
            max: f.max_chars(),
            value: field_value(&page_state.input, f).to_owned(),
        })
        .collect();
    Ok(LetterPage {
        layout,
        preview: page_state.preview,
        og: OpenGraph {
            title: letter.title.clone(),
            description: description(letter),
            url: state.public.url(&format!("/l/{}", letter.slug)),
        },
        slug: letter.slug.clone(),
        state: letter.state.to_string(),
        open: letter.state == undersigned_core::LetterState::Open,
        title: letter.title.clone(),
        subject: letter.subject.clone(),
        targets: letter.targets.iter().map(target_view).collect(),
        body_html: view.body_html.clone(),
        total: format::count(counts.total),
        log_size: counts.log_size,
        log_key: state.log_keys.verifier_key.clone(),
        by_category: counts
            .by_category
            .iter()
            .map(|(name, n)| (name.clone(), format::count(*n)))
            .collect(),
        categories: letter
            .categories
            .iter()
            .map(|c| (c.id.0, c.name.clone()))
            .collect(),
        fields,
        input: page_state.input,
        errors: page_state.errors,
        signers,
        page,
        has_next,
    })
}

fn target_view(t: &Target) -> TargetView {
    TargetView {
        name: t.name.clone(),
        title: t.title.clone(),
        organisation: t.organisation.clone(),
    }
}

fn field_value(input: &SignInput, field: SignerField) -> &str {
    match field {
        SignerField::Title => &input.title,
        SignerField::Affiliation => &input.affiliation,
        SignerField::City => &input.city,
        SignerField::Country => &input.country,
        SignerField::Comment => &input.comment,
    }
}

/// `GET /l/{slug}`
pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    let view = public_letter(&state, &slug).await?;
    let layout = Layout::new(state.instance(), view.letter.title.clone());
    let page = letter_page(&state, &view, PageState::fresh(query.number()), layout).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `GET /l/{slug}/counts.json`: `{"total": N, "by_category": {...}}`
pub async fn counts_json(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let view = public_letter(&state, &slug).await?;
    let counts = counts(&state, &view.letter).await?;
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
        .store
        .public_letters(100)
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
