//! Organisers post updates on a published letter, and edit or delete them. Posting starts
//! the fan-out that emails signers who asked for updates (`services::updates`).

use super::{actor, authorised};
use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use undersigned_core::{
    LetterState,
    letter::FieldErrors,
    role::Permission,
    update::{UpdateContent, UpdateInput},
};
use undersigned_store::{Letter, StoreError, UpdateId};

use super::{core_text, state_label};
use crate::{
    auth::{Organiser, csrf::OrganiserForm},
    extract::Empty,
    format,
    i18n::{t, t1},
    pages::{Layout, PageError, message, render},
    services::updates::email_params,
    state::AppState,
};

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// Drafts and archived letters take no updates.
    #[error("the letter is {0}")]
    LetterState(String),
    #[error(transparent)]
    Page(#[from] PageError),
}

impl From<StoreError> for UpdateError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::WrongState { actual, .. } => UpdateError::LetterState(actual),
            other => UpdateError::Page(other.into()),
        }
    }
}

impl IntoResponse for UpdateError {
    fn into_response(self) -> Response {
        match self {
            UpdateError::LetterState(state) => message(
                StatusCode::CONFLICT,
                &t("admin-updates-state-heading"),
                &t1("admin-updates-state-text", "state", state_label(&state)),
                Some(("/admin", &t("admin-back-to-letters"))),
            ),
            UpdateError::Page(e) => e.into_response(),
        }
    }
}

pub struct UpdateRow {
    pub id: i64,
    pub title: String,
    pub posted: String,
    pub edited: Option<String>,
    pub recipients: u64,
    pub done: bool,
}

#[derive(Template)]
#[template(path = "admin/updates.html")]
struct UpdatesPage {
    layout: Layout,
    heading: String,
    id: i64,
    letter_title: String,
    can_post: bool,
    action: String,
    submit: String,
    csrf: String,
    input: UpdateInput,
    errors: FieldErrors,
    updates: Vec<UpdateRow>,
}

fn takes_updates(letter: &Letter) -> bool {
    matches!(
        letter.state,
        LetterState::Open | LetterState::Closed | LetterState::Delivered
    )
}

/// The letter's updates and a form: a new update's, or (with `editing`) an update's.
async fn page(
    state: &AppState,
    organiser: &Organiser,
    letter: &Letter,
    editing: Option<UpdateId>,
    input: UpdateInput,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let updates = state.store.letter_updates(letter.id).await?;
    let (heading, action, submit) = match editing {
        Some(update) => (
            t("admin-edit-the-update"),
            format!("/admin/letters/{}/updates/{update}/edit", letter.id),
            t("admin-save-the-update"),
        ),
        None => (
            t("admin-post-an-update"),
            format!("/admin/letters/{}/updates", letter.id),
            t("admin-post-and-email"),
        ),
    };
    Ok(render(
        status,
        &UpdatesPage {
            layout: Layout::new(state.instance(), heading.clone()).with_nav(organiser.nav()),
            heading,
            id: letter.id.0,
            letter_title: letter.title.clone(),
            can_post: takes_updates(letter),
            action,
            submit,
            csrf: organiser.csrf.clone(),
            input,
            errors: core_text::localise(errors),
            updates: updates
                .iter()
                .map(|u| UpdateRow {
                    id: u.id.0,
                    title: u.title.clone(),
                    posted: format::date_time(u.created_at),
                    edited: u
                        .edited_at
                        .map(|at| format!("edited {}", format::date_time(at))),
                    recipients: u.recipients,
                    done: u.fanout_done,
                })
                .collect(),
        },
    ))
}

fn params(state: &AppState, letter: &Letter, content: &UpdateContent) -> Result<String, PageError> {
    email_params(
        state.instance(),
        &state.public,
        letter,
        content,
        state.clock.now(),
    )
    .map_err(|e| PageError::Internal(format!("update email parameters: {e}")))
}

/// `GET /admin/letters/{id}/updates`
pub async fn show(
    State(state): State<AppState>,
    organiser: Organiser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    page(
        &state,
        &organiser,
        &letter,
        None,
        UpdateInput::default(),
        FieldErrors::default(),
    )
    .await
}

/// `POST /admin/letters/{id}/updates`
pub async fn post(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OrganiserForm { organiser, form }: OrganiserForm<UpdateInput>,
) -> Result<Response, UpdateError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    if !takes_updates(&letter) {
        return Err(UpdateError::LetterState(letter.state.to_string()));
    }
    let content = match UpdateContent::parse(&form) {
        Ok(content) => content,
        Err(errors) => return Ok(page(&state, &organiser, &letter, None, form, errors).await?),
    };
    state
        .store
        .post_update(
            actor(&organiser, &letter),
            letter.id,
            &content,
            &params(&state, &letter, &content)?,
            state.clock.now(),
        )
        .await?;
    state.reads.letter_changed(letter.id);
    state.updates_wakeup.notify_one();
    Ok(Redirect::to(&format!("/admin/letters/{}/updates", letter.id)).into_response())
}

fn update_id(update: &str) -> Result<UpdateId, PageError> {
    update
        .parse::<i64>()
        .map(UpdateId)
        .map_err(|_| PageError::NotFound)
}

/// `GET /admin/letters/{id}/updates/{update}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    organiser: Organiser,
    Path((id, update)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let update = update_id(&update)?;
    let existing = state
        .store
        .letter_updates(letter.id)
        .await?
        .into_iter()
        .find(|u| u.id == update)
        .ok_or(PageError::NotFound)?;
    page(
        &state,
        &organiser,
        &letter,
        Some(update),
        existing.content().to_input(),
        FieldErrors::default(),
    )
    .await
}

/// `POST /admin/letters/{id}/updates/{update}/edit`: changes the page and the feed; no
/// email is sent again.
pub async fn edit(
    State(state): State<AppState>,
    Path((id, update)): Path<(String, String)>,
    OrganiserForm { organiser, form }: OrganiserForm<UpdateInput>,
) -> Result<Response, UpdateError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let update = update_id(&update)?;
    let content = match UpdateContent::parse(&form) {
        Ok(content) => content,
        Err(errors) => {
            return Ok(page(&state, &organiser, &letter, Some(update), form, errors).await?);
        }
    };
    state
        .store
        .edit_update(
            actor(&organiser, &letter),
            letter.id,
            update,
            &content,
            &params(&state, &letter, &content)?,
            state.clock.now(),
        )
        .await?;
    state.reads.letter_changed(letter.id);
    Ok(Redirect::to(&format!("/admin/letters/{}/updates", letter.id)).into_response())
}

/// `POST /admin/letters/{id}/updates/{update}/delete`
pub async fn delete(
    State(state): State<AppState>,
    Path((id, update)): Path<(String, String)>,
    OrganiserForm { organiser, .. }: OrganiserForm<Empty>,
) -> Result<Response, UpdateError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let update = update_id(&update)?;
    state
        .store
        .delete_update(
            actor(&organiser, &letter),
            letter.id,
            update,
            state.clock.now(),
        )
        .await?;
    state.reads.letter_changed(letter.id);
    Ok(Redirect::to(&format!("/admin/letters/{}/updates", letter.id)).into_response())
}
