//! A letter's delivery, for organisers: `GET /admin/letters/{id}/delivery` shows the targets'
//! delivery addresses, the closing date, the deliveries done and scheduled, and the forms
//! that change them; `GET …/delivery/preview.pdf` typesets the document as it would go now.
//! Editors and owners set addresses and the closing date, and deliver (now or on a
//! schedule) or cancel a scheduled delivery; every change is audited by the store.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use undersigned_core::{
    LetterState,
    delivery::{CoveringNote, FutureTime, parse_addresses},
    letter::FieldErrors,
    role::Permission,
};
use undersigned_store::{Delivery, DeliveryId, DeliveryStatus, Letter, NewDelivery, StoreError};

use super::{actor, authorised};
use super::{core_text, state_label};
use crate::{
    auth::{Organiser, csrf::OrganiserForm},
    extract::Empty,
    format,
    i18n::{t, t1, t2},
    pages::{Layout, PageError, message, render},
    services::delivery::DeliveryError,
    state::AppState,
};

#[derive(Debug, thiserror::Error)]
pub enum DeliveryPageError {
    /// The form had errors: the page again, with them.
    #[error("the form has errors")]
    Invalid(Box<DeliveryPage>),
    #[error("the {what} is {actual}")]
    WrongState { what: &'static str, actual: String },
    #[error("a delivery is already scheduled")]
    AlreadyScheduled(i64),
    #[error(transparent)]
    Page(#[from] PageError),
}

impl From<StoreError> for DeliveryPageError {
    fn from(e: StoreError) -> Self {
        DeliveryPageError::Page(e.into())
    }
}

impl From<DeliveryError> for DeliveryPageError {
    fn from(e: DeliveryError) -> Self {
        match e {
            DeliveryError::Store(e) => e.into(),
            other => DeliveryPageError::Page(PageError::Internal(other.to_string())),
        }
    }
}

impl IntoResponse for DeliveryPageError {
    fn into_response(self) -> Response {
        match self {
            DeliveryPageError::Invalid(mut page) => {
                page.errors = core_text::localise(std::mem::take(&mut page.errors));
                render(StatusCode::UNPROCESSABLE_ENTITY, &*page)
            }
            DeliveryPageError::WrongState { what, actual } => message(
                StatusCode::CONFLICT,
                &t("admin-not-possible"),
                &t2(
                    "admin-delivery-state-refused",
                    "what",
                    what,
                    "state",
                    state_label(&actual),
                ),
                Some(("/admin", &t("admin-back-to-letters"))),
            ),
            DeliveryPageError::AlreadyScheduled(id) => message(
                StatusCode::CONFLICT,
                &t("admin-already-scheduled-heading"),
                &t("admin-already-scheduled-text"),
                Some((
                    &format!("/admin/letters/{id}/delivery"),
                    &t("admin-back-to-delivery"),
                )),
            ),
            DeliveryPageError::Page(e) => e.into_response(),
        }
    }
}

#[derive(Debug)]
pub struct TargetRow {
    /// The form field of its address (`address_0`, …).
    pub field: String,
    pub name: String,
    pub title: String,
    pub organisation: String,
    pub email: String,
}

#[derive(Debug)]
pub struct DeliveryRow {
    pub id: i64,
    pub status: &'static str,
    pub when: String,
    pub note: String,
    pub signatures: String,
    pub log: String,
    pub document: Option<String>,
    pub error: String,
    pub recipients: Vec<(String, String, String)>,
}

#[derive(Template, Debug)]
#[template(path = "admin/delivery.html")]
pub struct DeliveryPage {
    layout: Layout,
    id: i64,
    title: String,
    slug: String,
    state: String,
    published: bool,
    csrf: String,
    can_edit: bool,
    notice: Option<String>,
    targets: Vec<TargetRow>,
    /// "2026-12-24 18:00 UTC", if signing closes on schedule.
    closes: Option<String>,
    can_set_closing: bool,
    closing_value: String,
    when_value: String,
    note_value: String,
    scheduled: bool,
    deliveries: Vec<DeliveryRow>,
    errors: FieldErrors,
}

#[derive(Debug, Deserialize)]
pub struct DeliveryQuery {
    #[serde(default)]
    done: String,
}

fn delivery_row(slug: &str, d: Delivery) -> DeliveryRow {
    DeliveryRow {
        id: d.id.0,
        status: d.status.as_str(),
        when: format::date_time(d.delivered_at.unwrap_or(d.scheduled_for)),
        note: d.note.unwrap_or_default(),
        signatures: d.signatures.map(format::count).unwrap_or_default(),
        log: d
            .head
            .map(|h| format!("log size {}", format::count(h.size)))
            .unwrap_or_default(),
        document: (d.status == DeliveryStatus::Delivered)
            .then(|| format!("/l/{slug}/deliveries/{}.pdf", d.id.0)),
        error: d.last_error.unwrap_or_default(),
        recipients: d
            .recipients
            .into_iter()
            .map(|r| (r.name, r.email, r.message_id))
            .collect(),
    }
}

async fn page(
    state: &AppState,
    organiser: &Organiser,
    letter: &Letter,
    can_edit: bool,
    notice: Option<String>,
) -> Result<DeliveryPage, DeliveryPageError> {
    let addresses = state.store.delivery_addresses(letter.id).await?;
    let deliveries = state.store.deliveries(letter.id).await?;
    let scheduled = deliveries
        .iter()
        .any(|d| d.status == DeliveryStatus::Scheduled);
    let published = matches!(
        letter.state,
        LetterState::Open | LetterState::Closed | LetterState::Delivered
    );
    Ok(DeliveryPage {
        layout: Layout::new(
            state.instance(),
            t1("admin-delivery-title", "title", letter.title.as_str()),
        )
        .with_nav(organiser.nav()),
        id: letter.id.0,
        title: letter.title.clone(),
        slug: letter.slug.clone(),
        state: letter.state.to_string(),
        published,
        csrf: organiser.csrf.clone(),
        can_edit,
        notice,
        targets: letter
            .targets
            .iter()
            .enumerate()
            .map(|(index, t)| TargetRow {
                field: format!("address_{index}"),
                name: t.name.clone(),
                title: t.title.clone().unwrap_or_default(),
                organisation: t.organisation.clone().unwrap_or_default(),
                email: addresses.get(index).cloned().flatten().unwrap_or_default(),
            })
            .collect(),
        closes: letter.closes_at.map(format::date_time),
        can_set_closing: matches!(letter.state, LetterState::Draft | LetterState::Open),
        closing_value: String::new(),
        when_value: String::new(),
        note_value: String::new(),
        scheduled,
        deliveries: deliveries
            .into_iter()
            .map(|d| delivery_row(&letter.slug, d))
            .collect(),
        errors: FieldErrors::default(),
    })
}

fn done_notice(done: &str) -> Option<String> {
    let key = match done {
        "addresses" => "admin-notice-addresses",
        "closing" => "admin-notice-closing",
        "scheduled" => "admin-notice-scheduled",
        "delivering" => "admin-notice-delivering",
        "cancelled" => "admin-notice-cancelled",
        _ => return None,
    };
    Some(t(key))
}

/// `GET /admin/letters/{id}/delivery`
pub async fn show(
    State(state): State<AppState>,
    organiser: Organiser,
    Path(id): Path<String>,
    Query(query): Query<DeliveryQuery>,
) -> Result<Response, DeliveryPageError> {
    let (letter, role) = authorised(&state, &organiser, &id, Permission::View).await?;
    let page = page(
        &state,
        &organiser,
        &letter,
        role.allows(Permission::EditLetters),
        done_notice(&query.done),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// `GET /admin/letters/{id}/delivery/preview.pdf`: the document as it would be delivered
/// now (nothing is recorded or sent).
pub async fn preview(
    State(state): State<AppState>,
    organiser: Organiser,
    Path(id): Path<String>,
) -> Result<Response, DeliveryPageError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::View).await?;
    if letter.state == LetterState::Draft {
        return Err(DeliveryPageError::WrongState {
            what: "letter",
            actual: letter.state.to_string(),
        });
    }
    let (pdf, ..) = state
        .deliveries
        .document(&letter, state.clock.now())
        .await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline; filename=\"preview.pdf\""),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        pdf,
    )
        .into_response())
}

fn wrong_state(e: StoreError) -> DeliveryPageError {
    match e {
        StoreError::WrongState { what, actual } => DeliveryPageError::WrongState { what, actual },
        other => other.into(),
    }
}

/// `POST /admin/letters/{id}/delivery/addresses`: `address_0`, `address_1`, … one per
/// target, in the targets' order (empty: none).
pub async fn set_addresses(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OrganiserForm { organiser, form }: OrganiserForm<BTreeMap<String, String>>,
) -> Result<Response, DeliveryPageError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let inputs: Vec<String> = (0..letter.targets.len())
        .map(|i| {
            form.get(&format!("address_{i}"))
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    let addresses = match parse_addresses(&inputs) {
        Ok(addresses) => addresses,
        Err(errors) => {
            let mut page = page(&state, &organiser, &letter, true, None).await?;
            for (i, e) in errors {
                page.errors.add(format!("address_{i}"), e);
            }
            for (row, input) in page.targets.iter_mut().zip(inputs) {
                row.email = input;
            }
            return Err(DeliveryPageError::Invalid(Box::new(page)));
        }
    };
    state
        .store
        .set_delivery_addresses(
            actor(&organiser, &letter),
            letter.id,
            &addresses,
            state.clock.now(),
        )
        .await
        .map_err(wrong_state)?;
    Ok(Redirect::to(&format!(
        "/admin/letters/{}/delivery?done=addresses",
        letter.id
    ))
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct ClosingForm {
    #[serde(default)]
    closes_at: String,
    /// "clear" removes the closing date.
    #[serde(default)]
    action: String,
}

/// `POST /admin/letters/{id}/delivery/closing`: when signing closes (UTC), or no closing
/// date (`action=clear`).
pub async fn set_closing(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OrganiserForm { organiser, form }: OrganiserForm<ClosingForm>,
) -> Result<Response, DeliveryPageError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let now = state.clock.now();
    let closes_at = if form.action == "clear" {
        None
    } else {
        match FutureTime::parse(&form.closes_at, now) {
            Ok(at) => Some(at.unix()),
            Err(e) => {
                let mut page = page(&state, &organiser, &letter, true, None).await?;
                page.errors.add("closes_at", e);
                page.closing_value = form.closes_at;
                return Err(DeliveryPageError::Invalid(Box::new(page)));
            }
        }
    };
    state
        .store
        .set_closing(actor(&organiser, &letter), letter.id, closes_at, now)
        .await
        .map_err(wrong_state)?;
    state.reads.letter_changed(letter.id);
    Ok(Redirect::to(&format!(
        "/admin/letters/{}/delivery?done=closing",
        letter.id
    ))
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct DeliverForm {
    /// "now", or "later" with `at`.
    #[serde(default)]
    when: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    note: String,
}

/// `POST /admin/letters/{id}/deliveries`: deliver now, or schedule a delivery.
pub async fn deliver(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OrganiserForm { organiser, form }: OrganiserForm<DeliverForm>,
) -> Result<Response, DeliveryPageError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let now = state.clock.now();
    let mut errors = FieldErrors::default();
    let at = match form.when.as_str() {
        "now" => Some(now),
        "later" => FutureTime::parse(&form.at, now)
            .map(FutureTime::unix)
            .map_err(|e| errors.add("at", e))
            .ok(),
        _ => {
            errors.add("when", t("admin-error-when"));
            None
        }
    };
    let note = CoveringNote::parse(&form.note)
        .map_err(|e| errors.add("note", e))
        .ok();
    let (Some(at), Some(note), true) = (at, note, errors.is_empty()) else {
        let mut page = page(&state, &organiser, &letter, true, None).await?;
        page.errors = errors;
        page.when_value = form.at;
        page.note_value = form.note;
        return Err(DeliveryPageError::Invalid(Box::new(page)));
    };
    let scheduled = state
        .store
        .schedule_delivery(NewDelivery {
            actor: actor(&organiser, &letter),
            letter: letter.id,
            scheduled_for: at,
            note: note.into_inner(),
            now,
        })
        .await;
    match scheduled {
        Ok(_) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(DeliveryPageError::AlreadyScheduled(letter.id.0));
        }
        Err(e) => return Err(wrong_state(e)),
    }
    let done = if at <= now {
        state.schedule_wakeup.notify_one();
        "delivering"
    } else {
        "scheduled"
    };
    Ok(Redirect::to(&format!(
        "/admin/letters/{}/delivery?done={done}",
        letter.id
    ))
    .into_response())
}

/// `POST /admin/letters/{id}/deliveries/{delivery}/cancel`
pub async fn cancel(
    State(state): State<AppState>,
    Path((id, delivery)): Path<(String, String)>,
    OrganiserForm { organiser, .. }: OrganiserForm<Empty>,
) -> Result<Response, DeliveryPageError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let delivery = delivery.parse::<i64>().map_err(|_| PageError::NotFound)?;
    state
        .store
        .cancel_delivery(
            actor(&organiser, &letter),
            letter.id,
            DeliveryId(delivery),
            state.clock.now(),
        )
        .await
        .map_err(wrong_state)?;
    Ok(Redirect::to(&format!(
        "/admin/letters/{}/delivery?done=cancelled",
        letter.id
    ))
    .into_response())
}
