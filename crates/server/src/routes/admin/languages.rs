//! Organisers set the language of a letter's text and keep its translations
//! (`/admin/letters/{id}/languages`). A translation shares the letter's one count and one
//! log: the original text is the one signatures are counted on and versions are logged for,
//! and the public page says so beside a translation.

use super::{actor, authorised};
use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use undersigned_core::{
    language::{LanguageTag, TranslationContent, TranslationInput},
    letter::FieldErrors,
    role::Permission,
};
use undersigned_store::{Letter, NewTranslation, StoreError};

use crate::{
    auth::{Organiser, csrf::OrganiserForm},
    extract::Empty,
    i18n::direction,
    pages::{Layout, PageError, message, render},
    state::AppState,
    views::letter::language_name,
};

#[derive(Debug, thiserror::Error)]
pub enum LanguagesError {
    /// A translation in the original's language, or an original in a translation's.
    #[error("language {0} is taken")]
    Taken(String),
    #[error("no translation in {0}")]
    NoTranslation(String),
    #[error(transparent)]
    Page(#[from] PageError),
}

impl From<StoreError> for LanguagesError {
    fn from(e: StoreError) -> Self {
        LanguagesError::Page(e.into())
    }
}

impl IntoResponse for LanguagesError {
    fn into_response(self) -> Response {
        match self {
            LanguagesError::Taken(lang) => message(
                StatusCode::CONFLICT,
                "That language is taken",
                &format!(
                    "The letter already has a text in {lang}. Edit that text instead, or remove its translation first."
                ),
                None,
            ),
            LanguagesError::NoTranslation(lang) => message(
                StatusCode::NOT_FOUND,
                "No such translation",
                &format!("The letter has no translation in {lang}."),
                None,
            ),
            LanguagesError::Page(e) => e.into_response(),
        }
    }
}

/// A translation as the page lists it.
struct TranslationLine {
    lang: String,
    name: String,
    dir: &'static str,
    title: String,
}

#[derive(Template)]
#[template(path = "admin/languages.html")]
struct LanguagesPage {
    layout: Layout,
    id: i64,
    letter_title: String,
    csrf: String,
    original: String,
    original_name: String,
    original_error: Option<String>,
    translations: Vec<TranslationLine>,
    input: TranslationInput,
    errors: FieldErrors,
    /// Whether the form holds an existing translation (to edit).
    editing: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct EditQuery {
    #[serde(default)]
    edit: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct OriginalInput {
    #[serde(default)]
    lang: String,
}

#[allow(clippy::too_many_arguments)]
fn page(
    state: &AppState,
    organiser: &Organiser,
    letter: &Letter,
    original_error: Option<String>,
    input: TranslationInput,
    errors: FieldErrors,
    editing: bool,
    status: StatusCode,
) -> Response {
    render(
        status,
        &LanguagesPage {
            layout: Layout::new(state.instance(), "Languages of the letter")
                .with_nav(organiser.nav()),
            id: letter.id.0,
            letter_title: letter.title.clone(),
            csrf: organiser.csrf.clone(),
            original: letter.lang.clone(),
            original_name: language_name(&letter.lang),
            original_error,
            translations: letter
                .translations
                .iter()
                .map(|t| TranslationLine {
                    lang: t.lang.clone(),
                    name: language_name(&t.lang),
                    dir: direction(&t.lang),
                    title: t.title.clone(),
                })
                .collect(),
            input,
            errors,
            editing,
        },
    )
}

/// `GET /admin/letters/{id}/languages` (`?edit=es` fills the form with that translation).
pub async fn show(
    State(state): State<AppState>,
    organiser: Organiser,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<EditQuery>,
) -> Result<Response, PageError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let existing = letter
        .translations
        .iter()
        .find(|t| t.lang == query.edit)
        .map(|t| TranslationInput {
            lang: t.lang.clone(),
            title: t.title.clone(),
            subject: t.subject.clone(),
            body: t.body_md.clone(),
        });
    let editing = existing.is_some();
    Ok(page(
        &state,
        &organiser,
        &letter,
        None,
        existing.unwrap_or_default(),
        FieldErrors::default(),
        editing,
        StatusCode::OK,
    ))
}

/// `POST /admin/letters/{id}/languages`: the language of the original text.
pub async fn set_original(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OrganiserForm { organiser, form }: OrganiserForm<OriginalInput>,
) -> Result<Response, LanguagesError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let lang = match LanguageTag::parse(&form.lang) {
        Ok(lang) => lang,
        Err(e) => {
            return Ok(page(
                &state,
                &organiser,
                &letter,
                Some(e.to_string()),
                TranslationInput::default(),
                FieldErrors::default(),
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    match state
        .store
        .set_letter_language(
            actor(&organiser, &letter),
            letter.id,
            &lang,
            state.clock.now(),
        )
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(LanguagesError::Taken(lang.to_string())),
        Err(e) => return Err(e.into()),
    }
    state.reads.letter_changed(letter.id);
    Ok(Redirect::to(&format!("/admin/letters/{}/languages", letter.id.0)).into_response())
}

/// `POST /admin/letters/{id}/translations`: adds a translation, or replaces the one in its
/// language.
pub async fn save(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OrganiserForm { organiser, form }: OrganiserForm<TranslationInput>,
) -> Result<Response, LanguagesError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let content = match TranslationContent::parse(&form) {
        Ok(content) => content,
        Err(errors) => {
            return Ok(page(
                &state,
                &organiser,
                &letter,
                None,
                form,
                errors,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    let translation = NewTranslation {
        lang: content.lang,
        title: content.title,
        subject: content.subject,
        body_md: content.body_markdown,
    };
    match state
        .store
        .put_translation(
            actor(&organiser, &letter),
            letter.id,
            &translation,
            state.clock.now(),
        )
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "lang",
                "This is the language of the original text. Choose another language.",
            );
            return Ok(page(
                &state,
                &organiser,
                &letter,
                None,
                form,
                errors,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
        Err(e) => return Err(e.into()),
    }
    state.reads.letter_changed(letter.id);
    Ok(Redirect::to(&format!("/admin/letters/{}/languages", letter.id.0)).into_response())
}

/// `POST /admin/letters/{id}/translations/{lang}/delete`
pub async fn delete(
    State(state): State<AppState>,
    Path((id, lang)): Path<(String, String)>,
    OrganiserForm { organiser, .. }: OrganiserForm<Empty>,
) -> Result<Response, LanguagesError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let tag = LanguageTag::parse(&lang).map_err(|_| LanguagesError::NoTranslation(lang.clone()))?;
    match state
        .store
        .delete_translation(
            actor(&organiser, &letter),
            letter.id,
            &tag,
            state.clock.now(),
        )
        .await
    {
        Ok(()) => {}
        Err(StoreError::NotFound) => return Err(LanguagesError::NoTranslation(tag.to_string())),
        Err(e) => return Err(e.into()),
    }
    state.reads.letter_changed(letter.id);
    Ok(Redirect::to(&format!("/admin/letters/{}/languages", letter.id.0)).into_response())
}
