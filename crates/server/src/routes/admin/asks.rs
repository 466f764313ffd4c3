//! A letter's asks, their status per target, and the targets' responses: editors and owners
//! add, edit, reorder and remove asks (in any state but archived), record status changes
//! and responses (once the letter is published). Every change is audited by the store in
//! its transaction, and drops the cached public page.

use super::{actor, authorised};
use askama::Template;
use axum::{
    extract::{FromRequest, Path, Request, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use undersigned_core::{
    LetterState,
    asks::{
        AskContent, AskStatus, DocumentError, DocumentKind, EventDate, MAX_ASKS, ResponseText,
        parse_note,
    },
    letter::FieldErrors,
    role::Permission,
};
use undersigned_store::{
    AskId, AskMove, DocumentChange, DocumentRef, Letter, LetterAsks, NewAskStatus, ResponseContent,
    ResponseId, StoreError, TargetId,
};

use super::{core_text, state_label};
use crate::{
    auth::{
        Organiser,
        csrf::{OrganiserForm, OrganiserUpload},
    },
    i18n::{t, t1},
    pages::{Layout, PageError, message, render},
    state::AppState,
    views::asks::{AsksView, size_words, target_label},
};

/// What an organiser is told when a response's form is over its route's limit.
pub const DOCUMENT_TOO_LARGE: &str = "A document may be at most 10 MB. Attach a smaller PDF, PNG or JPEG file and send the form again.";

/// The body limit of the response forms: the document's 10 MB and the form around it (the
/// text may be 50,000 characters of up to 4 bytes).
pub const RESPONSE_FORM_LIMIT: usize = undersigned_core::asks::MAX_DOCUMENT_BYTES + 512 * 1024;

/// Why an asks action failed, beyond the usual page errors.
#[derive(Debug, thiserror::Error)]
pub enum AsksError {
    /// The letter's state (`archived`, `draft`) does not allow the action.
    #[error("the letter is {0}")]
    LetterState(String),
    #[error(transparent)]
    Page(#[from] PageError),
}

impl From<StoreError> for AsksError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::WrongState { actual, .. } => AsksError::LetterState(actual),
            other => AsksError::Page(other.into()),
        }
    }
}

impl IntoResponse for AsksError {
    fn into_response(self) -> Response {
        match self {
            AsksError::LetterState(state) => message(
                StatusCode::CONFLICT,
                &t("admin-not-possible"),
                &t1("admin-asks-state-refused", "state", state_label(&state)),
                Some(("/admin", &t("admin-back-to-letters"))),
            ),
            AsksError::Page(e) => e.into_response(),
        }
    }
}

/// A target as the forms offer it.
pub struct TargetOption {
    pub id: i64,
    pub label: String,
}

/// A response as the organisers' page lists it, with what its edit form needs.
pub struct ResponseRow {
    pub id: i64,
    pub target_id: i64,
    pub target: String,
    pub date: String,
    pub iso: String,
    pub markdown: String,
    pub html: String,
    pub document: Option<(String, String)>,
}

/// A form that was sent with mistakes: shown again at the top of the page, with what the
/// organiser wrote and a message at each field that is wrong.
pub struct Failed {
    /// `ask`, `status` or `response`.
    pub kind: &'static str,
    pub heading: String,
    pub action: String,
    pub values: Vec<(&'static str, String)>,
    pub errors: FieldErrors,
}

impl Failed {
    pub fn value(&self, field: &str) -> &str {
        self.values
            .iter()
            .find(|(k, _)| *k == field)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "admin/asks.html")]
struct AsksPage {
    layout: Layout,
    id: i64,
    title: String,
    slug: String,
    state: String,
    public: bool,
    /// Asks can change (any state but archived).
    can_edit: bool,
    /// Statuses and responses can be recorded (published, not archived).
    can_record: bool,
    csrf: String,
    targets: Vec<TargetOption>,
    view: AsksView,
    responses: Vec<ResponseRow>,
    statuses: [AskStatus; 4],
    today: String,
    failed: Option<Failed>,
    max_asks: usize,
}

fn page(
    state: &AppState,
    organiser: &Organiser,
    letter: &Letter,
    asks: &LetterAsks,
    failed: Option<Failed>,
) -> AsksPage {
    let label = |id: TargetId| {
        asks.targets
            .iter()
            .find(|t| t.id == id)
            .map(target_label)
            .unwrap_or_default()
    };
    AsksPage {
        layout: Layout::new(
            state.instance(),
            t1("admin-asks-title", "title", letter.title.as_str()),
        )
        .with_nav(organiser.nav()),
        id: letter.id.0,
        title: letter.title.clone(),
        slug: letter.slug.clone(),
        state: letter.state.to_string(),
        public: letter.state.is_public(),
        can_edit: letter.state != LetterState::Archived,
        can_record: letter.state.is_public() && letter.state != LetterState::Archived,
        csrf: organiser.csrf.clone(),
        targets: asks
            .targets
            .iter()
            .map(|t| TargetOption {
                id: t.id.0,
                label: target_label(t),
            })
            .collect(),
        view: AsksView::of(asks, &letter.slug),
        responses: asks
            .responses
            .iter()
            .map(|r| ResponseRow {
                id: r.id.0,
                target_id: r.target.0,
                target: label(r.target),
                date: crate::format::iso_day(&r.received_on.to_string()),
                iso: r.received_on.to_string(),
                markdown: r.body_markdown.clone(),
                html: undersigned_core::markdown::render(&r.body_markdown),
                document: r.document.map(|(kind, size)| {
                    (
                        format!("/l/{}/responses/{}/document", letter.slug, r.id.0),
                        format!(
                            "{} document, {}",
                            kind.extension().to_uppercase(),
                            size_words(size)
                        ),
                    )
                }),
            })
            .collect(),
        statuses: AskStatus::ALL,
        today: EventDate::of_unix(state.clock.now()).to_string(),
        failed,
        max_asks: MAX_ASKS,
    }
}

/// The page again, with the form that was sent with mistakes: 422.
async fn invalid(
    state: &AppState,
    organiser: &Organiser,
    letter: &Letter,
    mut failed: Failed,
) -> Result<Response, AsksError> {
    failed.errors = core_text::localise(failed.errors);
    let asks = state.store.letter_asks(letter.id).await?;
    let page = page(state, organiser, letter, &asks, Some(failed));
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// Back to the asks page, after a change that the public page must show at once.
fn changed(state: &AppState, letter: &Letter) -> Response {
    state.reads.letter_changed(letter.id);
    Redirect::to(&format!("/admin/letters/{}/asks", letter.id)).into_response()
}

fn parse_ask(id: &str) -> Result<AskId, PageError> {
    id.parse().map(AskId).map_err(|_| PageError::NotFound)
}

fn parse_response(id: &str) -> Result<ResponseId, PageError> {
    id.parse().map(ResponseId).map_err(|_| PageError::NotFound)
}

/// The target chosen in a form, if it is one of the letter's.
fn parse_target(asks: &LetterAsks, input: &str, errors: &mut FieldErrors) -> Option<TargetId> {
    let found = input
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| asks.targets.iter().find(|t| t.id.0 == id))
        .map(|t| t.id);
    if found.is_none() {
        errors.add("target", t("admin-error-choose-target"));
    }
    found
}

/// A date the organiser gives: a real day, and not after tomorrow (what has not happened
/// yet cannot be recorded).
fn parse_date(
    state: &AppState,
    input: &str,
    field: &str,
    errors: &mut FieldErrors,
) -> Option<EventDate> {
    match input.parse::<EventDate>() {
        Ok(date) if date > EventDate::of_unix(state.clock.now()).next_day() => {
            errors.add(field, t("admin-error-date-future"));
            None
        }
        Ok(date) => Some(date),
        Err(e) => {
            errors.add(field, e);
            None
        }
    }
}

/// `GET /admin/letters/{id}/asks`
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    organiser: Organiser,
) -> Result<Response, AsksError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let asks = state.store.letter_asks(letter.id).await?;
    Ok(render(
        StatusCode::OK,
        &page(&state, &organiser, &letter, &asks, None),
    ))
}

#[derive(Debug, Deserialize)]
pub struct AskForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    condition: String,
}

fn ask_failed(heading: &str, action: String, form: &AskForm, errors: FieldErrors) -> Failed {
    Failed {
        kind: "ask",
        heading: heading.to_owned(),
        action,
        values: vec![
            ("text", form.text.clone()),
            ("condition", form.condition.clone()),
        ],
        errors,
    }
}

/// `POST /admin/letters/{id}/asks`: adds an ask at the end.
pub async fn add(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OrganiserForm { organiser, form }: OrganiserForm<AskForm>,
) -> Result<Response, AsksError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let action = format!("/admin/letters/{}/asks", letter.id);
    let content = match AskContent::parse(&form.text, &form.condition) {
        Ok(content) => content,
        Err(errors) => {
            let failed = ask_failed(&t("admin-add-an-ask"), action, &form, errors);
            return invalid(&state, &organiser, &letter, failed).await;
        }
    };
    let now = state.clock.now();
    match state
        .store
        .add_ask(actor(&organiser, &letter), letter.id, &content, now)
        .await
    {
        Ok(_) => Ok(changed(&state, &letter)),
        Err(StoreError::Conflict(_)) => {
            let mut errors = FieldErrors::default();
            errors.add("text", t1("admin-error-too-many-asks", "n", MAX_ASKS));
            let failed = ask_failed(&t("admin-add-an-ask"), action, &form, errors);
            invalid(&state, &organiser, &letter, failed).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/letters/{id}/asks/{ask}/edit`
pub async fn edit(
    State(state): State<AppState>,
    Path((id, ask)): Path<(String, String)>,
    OrganiserForm { organiser, form }: OrganiserForm<AskForm>,
) -> Result<Response, AsksError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let ask = parse_ask(&ask)?;
    let content = match AskContent::parse(&form.text, &form.condition) {
        Ok(content) => content,
        Err(errors) => {
            let action = format!("/admin/letters/{}/asks/{}/edit", letter.id, ask.0);
            let failed = ask_failed(&t("admin-edit-the-ask"), action, &form, errors);
            return invalid(&state, &organiser, &letter, failed).await;
        }
    };
    state
        .store
        .edit_ask(
            actor(&organiser, &letter),
            letter.id,
            ask,
            &content,
            state.clock.now(),
        )
        .await?;
    Ok(changed(&state, &letter))
}

#[derive(Debug, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    direction: String,
}

/// `POST /admin/letters/{id}/asks/{ask}/move`: one place `up` or `down`.
pub async fn reorder(
    State(state): State<AppState>,
    Path((id, ask)): Path<(String, String)>,
    OrganiserForm { organiser, form }: OrganiserForm<MoveForm>,
) -> Result<Response, AsksError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let ask = parse_ask(&ask)?;
    let direction = match form.direction.as_str() {
        "up" => AskMove::Up,
        "down" => AskMove::Down,
        _ => {
            return Err(PageError::BadRequest(t("admin-error-move")).into());
        }
    };
    state
        .store
        .move_ask(
            actor(&organiser, &letter),
            letter.id,
            ask,
            direction,
            state.clock.now(),
        )
        .await?;
    Ok(changed(&state, &letter))
}

/// `POST /admin/letters/{id}/asks/{ask}/remove`
pub async fn remove(
    State(state): State<AppState>,
    Path((id, ask)): Path<(String, String)>,
    OrganiserForm { organiser, form: _ }: OrganiserForm<crate::extract::Empty>,
) -> Result<Response, AsksError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let ask = parse_ask(&ask)?;
    state
        .store
        .remove_ask(
            actor(&organiser, &letter),
            letter.id,
            ask,
            state.clock.now(),
        )
        .await?;
    Ok(changed(&state, &letter))
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    target: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    note: String,
}

/// `POST /admin/letters/{id}/asks/{ask}/status`: records where the ask stands with a target
/// (kept beside the earlier changes).
pub async fn change_status(
    State(state): State<AppState>,
    Path((id, ask)): Path<(String, String)>,
    OrganiserForm { organiser, form }: OrganiserForm<StatusForm>,
) -> Result<Response, AsksError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let ask = parse_ask(&ask)?;
    let asks = state.store.letter_asks(letter.id).await?;
    let Some(number) = asks.asks.iter().find(|a| a.id == ask).map(|a| a.number) else {
        return Err(PageError::NotFound.into());
    };
    let mut errors = FieldErrors::default();
    let target = parse_target(&asks, &form.target, &mut errors);
    let status = form
        .status
        .parse::<AskStatus>()
        .map_err(|e| errors.add("status", e))
        .ok();
    let on = parse_date(&state, &form.date, "date", &mut errors);
    let note = parse_note(&form.note)
        .map_err(|e| errors.add("note", e))
        .ok();
    let (Some(target), Some(status), Some(on), Some(note), true) =
        (target, status, on, note, errors.is_empty())
    else {
        let failed = Failed {
            kind: "status",
            heading: t1("admin-change-ask-status", "n", number),
            action: format!("/admin/letters/{}/asks/{}/status", letter.id, ask.0),
            values: vec![
                ("target", form.target),
                ("status", form.status),
                ("date", form.date),
                ("note", form.note),
            ],
            errors,
        };
        return invalid(&state, &organiser, &letter, failed).await;
    };
    let change = NewAskStatus {
        ask,
        target,
        status,
        on,
        note,
    };
    state
        .store
        .change_ask_status(
            actor(&organiser, &letter),
            letter.id,
            &change,
            state.clock.now(),
        )
        .await?;
    Ok(changed(&state, &letter))
}

/// An organiser's response form (multipart, with the document), over its 10 MB limit told
/// so.
pub struct ResponseUpload(OrganiserUpload);

impl FromRequest<AppState> for ResponseUpload {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        OrganiserUpload::read(req, state, DOCUMENT_TOO_LARGE)
            .await
            .map(ResponseUpload)
    }
}

/// A response form, read: the content, and the document if one was attached and is one we
/// take. `Err` holds the form to show again; a document over the limit is 413.
struct ResponseInput {
    content: Option<ResponseContent>,
    document: Option<DocumentKind>,
    errors: FieldErrors,
    values: Vec<(&'static str, String)>,
}

fn read_response(
    state: &AppState,
    asks: &LetterAsks,
    upload: &OrganiserUpload,
) -> Result<ResponseInput, PageError> {
    let body = &upload.body;
    let mut errors = FieldErrors::default();
    let target_input = body.text("target").unwrap_or_default().to_owned();
    let date_input = body.text("date").unwrap_or_default().to_owned();
    let text_input = body.text("text").unwrap_or_default().to_owned();
    let target = parse_target(asks, &target_input, &mut errors);
    let received_on = parse_date(state, &date_input, "date", &mut errors);
    let text = ResponseText::parse(&text_input)
        .map_err(|e| errors.add("text", e))
        .ok();
    let document = match body.file("document") {
        Some(file) => match DocumentKind::sniff(&file.bytes) {
            Ok(kind) => Some(kind),
            Err(DocumentError::TooLarge) => {
                return Err(PageError::UploadTooLarge(DOCUMENT_TOO_LARGE));
            }
            Err(e) => {
                errors.add("document", e);
                None
            }
        },
        None => None,
    };
    let content = match (target, received_on, text, errors.is_empty()) {
        (Some(target), Some(received_on), Some(text), true) => Some(ResponseContent {
            target,
            received_on,
            text,
        }),
        _ => None,
    };
    Ok(ResponseInput {
        content,
        document,
        errors,
        values: vec![
            ("target", target_input),
            ("date", date_input),
            ("text", text_input),
        ],
    })
}

/// `POST /admin/letters/{id}/responses` (multipart): records a target's response, with an
/// optional document.
pub async fn add_response(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ResponseUpload(upload): ResponseUpload,
) -> Result<Response, AsksError> {
    let organiser = &upload.organiser;
    let (letter, _) = authorised(&state, organiser, &id, Permission::EditLetters).await?;
    let asks = state.store.letter_asks(letter.id).await?;
    let input = read_response(&state, &asks, &upload)?;
    let Some(content) = input.content else {
        let failed = Failed {
            kind: "response",
            heading: t("admin-record-response-heading"),
            action: format!("/admin/letters/{}/responses", letter.id),
            values: input.values,
            errors: input.errors,
        };
        return invalid(&state, organiser, &letter, failed).await;
    };
    let bytes = upload.body.file("document").map(|f| f.bytes.clone());
    let document = input
        .document
        .zip(bytes.as_deref())
        .map(|(kind, bytes)| DocumentRef { kind, bytes });
    state
        .store
        .add_response(
            actor(organiser, &letter),
            letter.id,
            &content,
            document,
            state.clock.now(),
        )
        .await?;
    Ok(changed(&state, &letter))
}

/// `POST /admin/letters/{id}/responses/{response}/edit` (multipart): changes a response; a
/// new document replaces the old one, `remove_document` removes it.
pub async fn edit_response(
    State(state): State<AppState>,
    Path((id, response)): Path<(String, String)>,
    ResponseUpload(upload): ResponseUpload,
) -> Result<Response, AsksError> {
    let organiser = &upload.organiser;
    let (letter, _) = authorised(&state, organiser, &id, Permission::EditLetters).await?;
    let response = parse_response(&response)?;
    let asks = state.store.letter_asks(letter.id).await?;
    if !asks.responses.iter().any(|r| r.id == response) {
        return Err(PageError::NotFound.into());
    }
    let input = read_response(&state, &asks, &upload)?;
    let Some(content) = input.content else {
        let failed = Failed {
            kind: "response",
            heading: t("admin-edit-the-response"),
            action: format!("/admin/letters/{}/responses/{}/edit", letter.id, response.0),
            values: input.values,
            errors: input.errors,
        };
        return invalid(&state, organiser, &letter, failed).await;
    };
    let bytes = upload.body.file("document").map(|f| f.bytes.clone());
    let change = match (
        input.document.zip(bytes.as_deref()),
        upload.body.text("remove_document"),
    ) {
        (Some((kind, bytes)), _) => DocumentChange::Set(DocumentRef { kind, bytes }),
        (None, Some(_)) => DocumentChange::Remove,
        (None, None) => DocumentChange::Keep,
    };
    state
        .store
        .edit_response(
            actor(organiser, &letter),
            letter.id,
            response,
            &content,
            change,
            state.clock.now(),
        )
        .await?;
    Ok(changed(&state, &letter))
}

/// `POST /admin/letters/{id}/responses/{response}/delete`
pub async fn delete_response(
    State(state): State<AppState>,
    Path((id, response)): Path<(String, String)>,
    OrganiserForm { organiser, form: _ }: OrganiserForm<crate::extract::Empty>,
) -> Result<Response, AsksError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let response = parse_response(&response)?;
    state
        .store
        .delete_response(
            actor(&organiser, &letter),
            letter.id,
            response,
            state.clock.now(),
        )
        .await?;
    Ok(changed(&state, &letter))
}
