//! Organisers fix a published letter's text (`/admin/letters/{id}/text`). Each save is a new
//! numbered version, logged by its hash; a change of substance asks earlier signers to
//! re-confirm (the store queues their emails in the same transaction).
//!
//! Allowed while the letter is open or closed. A draft is edited with the letter form; a
//! delivered letter's text is what its targets received, so it is not changed afterwards.

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
    version::{TextEditContent, TextEditInput},
};
use undersigned_store::{Letter, StoreError, TextEdit};

use super::{core_text, state_label};
use crate::{
    auth::{Organiser, csrf::OrganiserForm},
    i18n::{t, t1},
    mail::messages::ReconfirmParams,
    pages::{Layout, PageError, message, render},
    state::AppState,
};

#[derive(Debug, thiserror::Error)]
pub enum TextError {
    /// Only open and closed letters' texts are edited here.
    #[error("the letter is {0}")]
    LetterState(String),
    #[error(transparent)]
    Page(#[from] PageError),
}

impl From<StoreError> for TextError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::WrongState { actual, .. } => TextError::LetterState(actual),
            other => TextError::Page(other.into()),
        }
    }
}

impl IntoResponse for TextError {
    fn into_response(self) -> Response {
        match self {
            TextError::LetterState(state) => message(
                StatusCode::CONFLICT,
                &t("admin-text-state-heading"),
                &t1("admin-text-state-text", "state", state_label(&state)),
                Some(("/admin", &t("admin-back-to-letters"))),
            ),
            TextError::Page(e) => e.into_response(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/text.html")]
struct TextPage {
    layout: Layout,
    id: i64,
    letter_title: String,
    editable: bool,
    version: u64,
    csrf: String,
    input: TextEditInput,
    errors: FieldErrors,
}

fn editable(letter: &Letter) -> bool {
    matches!(letter.state, LetterState::Open | LetterState::Closed)
}

async fn page(
    state: &AppState,
    organiser: &Organiser,
    letter: &Letter,
    input: TextEditInput,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let version = state.store.counts(letter.id).await?.text_version.max(1);
    Ok(render(
        status,
        &TextPage {
            layout: Layout::new(state.instance(), t("admin-edit-published-text"))
                .with_nav(organiser.nav()),
            id: letter.id.0,
            letter_title: letter.title.clone(),
            editable: editable(letter),
            version,
            csrf: organiser.csrf.clone(),
            input,
            errors: core_text::localise(errors),
        },
    ))
}

/// `GET /admin/letters/{id}/text`
pub async fn show(
    State(state): State<AppState>,
    organiser: Organiser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let input = TextEditInput {
        title: letter.title.clone(),
        subject: letter.subject.clone(),
        body: letter.body_markdown.clone(),
        ..TextEditInput::default()
    };
    page(&state, &organiser, &letter, input, FieldErrors::default()).await
}

/// `POST /admin/letters/{id}/text`
pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OrganiserForm { organiser, form }: OrganiserForm<TextEditInput>,
) -> Result<Response, TextError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    if !editable(&letter) {
        return Err(TextError::LetterState(letter.state.to_string()));
    }
    let content = match TextEditContent::parse(&form) {
        Ok(content) => content,
        Err(errors) => return Ok(page(&state, &organiser, &letter, form, errors).await?),
    };
    let version = state.store.counts(letter.id).await?.text_version.max(1) + 1;
    let params = serde_json::to_string(&ReconfirmParams {
        instance: state.instance().to_owned(),
        letter_title: content.title.clone(),
        version,
        note: content.note.clone(),
        link_base: state.public.url("/r/"),
        reconfirm_token: String::new(),
        // The store writes in each recipient's language, as they signed.
        lang: String::new(),
    })
    .map_err(|e| PageError::Internal(format!("re-confirmation email parameters: {e}")))?;
    let edit = TextEdit {
        title: content.title,
        subject: content.subject,
        body_md: content.body_markdown,
        substantive: content.substantive,
        note: content.note,
    };
    let edited = state
        .store
        .edit_text(
            actor(&organiser, &letter),
            letter.id,
            &edit,
            &params,
            state.clock.now(),
        )
        .await?;
    state.reads.letter_changed(letter.id);
    if edited.asked > 0 {
        // The fan-out job queues the requests to re-confirm, a batch at a time.
        state.updates_wakeup.notify_one();
    }
    Ok(Redirect::to(&format!("/admin/letters/{}", letter.id)).into_response())
}
