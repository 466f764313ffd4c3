//! A letter's organisations: `GET /admin/letters/{id}/organisations` shows those waiting for
//! an organiser with the evidence for each (the domain of the address its signer confirmed
//! beside the organisation's website, who signed, with what title, when), and those
//! published. `POST /admin/letters/{id}/signatures/{signature}/verify` verifies a waiting
//! one, which publishes it; rejecting one is the moderation queue's reject (with a reason).
//! `POST …/pin` and `…/unpin` put a published one at the head of the letter's grid, or take
//! it back to its place.

use super::authorised;
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use undersigned_core::{SignatureState, organisation::Verification, role::Permission};
use undersigned_store::{
    Actor, SignatureId, StoreError, VerifyOrganisationCommand, WriteCommand, WriteOutcome,
};

use super::signature_state_label;
use crate::{
    auth::{Organiser, csrf::OrganiserForm},
    extract::Empty,
    format,
    i18n::{t, t1, t2},
    pages::{Layout, PageError, message, render},
    services::writer::WriteError,
    state::AppState,
};

/// Why verifying failed, beyond the usual page errors.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Not held any more (verified, rejected or withdrawn meanwhile), or the letter closed.
    #[error("the {what} is {state}")]
    WrongState { what: &'static str, state: String },
    #[error(transparent)]
    Page(#[from] PageError),
}

impl IntoResponse for VerifyError {
    fn into_response(self) -> Response {
        match self {
            VerifyError::WrongState { what, state } => message(
                StatusCode::CONFLICT,
                &t("admin-not-possible"),
                &t2(
                    "admin-verify-state-refused",
                    "what",
                    what,
                    "state",
                    signature_state_label(&state),
                ),
                Some(("/admin", &t("admin-back-to-letters"))),
            ),
            VerifyError::Page(e) => e.into_response(),
        }
    }
}

/// One organisation signature and its evidence.
pub struct HeldRow {
    pub id: i64,
    /// "verified by its domain", "verified by an organiser", or empty.
    pub verified: &'static str,
    pub pinned: bool,
    pub organisation: String,
    pub website: String,
    pub website_domain: String,
    pub email_domain: String,
    pub signer: String,
    pub title: String,
    pub signed: String,
    pub confirmed: String,
}

#[derive(Template)]
#[template(path = "admin/organisations.html")]
struct HeldPage {
    layout: Layout,
    id: i64,
    title: String,
    csrf: String,
    can_moderate: bool,
    notice: Option<String>,
    /// Held until an organiser verifies them.
    rows: Vec<HeldRow>,
    /// Verified, and held for the letter's review (approved in the queue).
    in_review: Vec<HeldRow>,
    /// Published, in the grid's order: pinned first, then verified.
    published: Vec<HeldRow>,
}

#[derive(Debug, Deserialize)]
pub struct HeldQuery {
    #[serde(default)]
    done: String,
}

/// `GET /admin/letters/{id}/organisations`: every organiser of the letter's workspace sees
/// the evidence; moderators and up get the buttons.
pub async fn held(
    State(state): State<AppState>,
    organiser: Organiser,
    Path(id): Path<String>,
    Query(query): Query<HeldQuery>,
) -> Result<Response, PageError> {
    let (letter, role) = authorised(&state, &organiser, &id, Permission::View).await?;
    let can_moderate = role.allows(Permission::Moderate);
    let mut rows = Vec::new();
    let mut in_review = Vec::new();
    let mut published = Vec::new();
    for h in state.store.organisation_signatures(letter.id).await? {
        let list = match (h.state, h.verified) {
            (SignatureState::Published, _) => &mut published,
            (_, Some(_)) => &mut in_review,
            (_, None) => &mut rows,
        };
        list.push(HeldRow {
            id: h.signature.0,
            verified: match h.verified {
                Some(Verification::Domain) => "verified by its domain",
                Some(Verification::Organiser) => "verified by an organiser",
                None => "",
            },
            pinned: h.pinned,
            organisation: h.organisation,
            website: h.website,
            website_domain: h.website_domain,
            email_domain: h.email_domain,
            signer: h.signer_name,
            title: h.signer_title.unwrap_or_default(),
            signed: format::date_time(h.signed_at),
            confirmed: h.confirmed_at.map(format::date_time).unwrap_or_default(),
        });
    }
    published.sort_by_key(|r| (!r.pinned, r.verified.is_empty()));
    Ok(render(
        StatusCode::OK,
        &HeldPage {
            layout: Layout::new(
                state.instance(),
                t1("admin-organisations-title", "title", letter.title.as_str()),
            )
            .with_nav(organiser.nav()),
            in_review,
            published,
            id: letter.id.0,
            title: letter.title,
            csrf: organiser.csrf.clone(),
            can_moderate,
            notice: match query.done.as_str() {
                "verified" => Some(t("admin-notice-verified")),
                "pinned" => Some(t("admin-notice-pinned")),
                "unpinned" => Some(t("admin-notice-unpinned")),
                _ => None,
            },
            rows,
        },
    ))
}

/// `POST /admin/letters/{id}/signatures/{signature}/verify`: a moderator (or an editor or
/// owner) verifies an organisation's held signature. It is published with an add entry
/// that records `"verified":"organiser"`, and the audit trail records who did it.
pub async fn verify(
    State(state): State<AppState>,
    Path((id, signature)): Path<(String, String)>,
    OrganiserForm { organiser, .. }: OrganiserForm<Empty>,
) -> Result<Response, VerifyError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::Moderate).await?;
    let signature = signature.parse::<i64>().map_err(|_| PageError::NotFound)?;
    let outcome = state
        .writer
        .submit(WriteCommand::VerifyOrganisation(
            VerifyOrganisationCommand {
                actor: Actor {
                    user: organiser.user.id,
                    workspace: letter.workspace_id,
                },
                letter: letter.id,
                signature: SignatureId(signature),
                now: state.clock.now(),
                salt: crate::secrets::random_bytes(),
            },
        ))
        .await;
    match outcome {
        Ok(WriteOutcome::OrganisationVerified { .. }) => Ok(Redirect::to(&format!(
            "/admin/letters/{}/organisations?done=verified",
            letter.id
        ))
        .into_response()),
        Ok(other) => Err(PageError::Internal(format!("unexpected outcome {other:?}")).into()),
        Err(WriteError::Failed(StoreError::WrongState { what, actual })) => {
            Err(VerifyError::WrongState {
                what,
                state: actual,
            })
        }
        Err(e) => Err(PageError::from(e).into()),
    }
}

/// `POST /admin/letters/{id}/signatures/{signature}/pin`: a moderator (or an editor or owner)
/// puts a published organisation at the head of the letter's grid, audited.
pub async fn pin(
    State(state): State<AppState>,
    Path((id, signature)): Path<(String, String)>,
    OrganiserForm { organiser, .. }: OrganiserForm<Empty>,
) -> Result<Response, PageError> {
    set_pinned(&state, &organiser, &id, &signature, true).await
}

/// `POST /admin/letters/{id}/signatures/{signature}/unpin`: back to its place in the grid.
pub async fn unpin(
    State(state): State<AppState>,
    Path((id, signature)): Path<(String, String)>,
    OrganiserForm { organiser, .. }: OrganiserForm<Empty>,
) -> Result<Response, PageError> {
    set_pinned(&state, &organiser, &id, &signature, false).await
}

async fn set_pinned(
    state: &AppState,
    organiser: &Organiser,
    id: &str,
    signature: &str,
    pinned: bool,
) -> Result<Response, PageError> {
    let (letter, _) = authorised(state, organiser, id, Permission::Moderate).await?;
    let signature = signature.parse::<i64>().map_err(|_| PageError::NotFound)?;
    state
        .store
        .pin_organisation(
            Actor {
                user: organiser.user.id,
                workspace: letter.workspace_id,
            },
            letter.id,
            SignatureId(signature),
            pinned,
            state.clock.now(),
        )
        .await?;
    state.reads.letter_changed(letter.id);
    let done = if pinned { "pinned" } else { "unpinned" };
    Ok(Redirect::to(&format!(
        "/admin/letters/{}/organisations?done={done}#published",
        letter.id
    ))
    .into_response())
}
