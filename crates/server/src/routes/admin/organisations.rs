//! Organisations' signatures waiting for an organiser: `GET /admin/letters/{id}/organisations`
//! shows the evidence for each (the domain of the address its signer confirmed beside the
//! organisation's website, who signed, with what title, when), and
//! `POST /admin/letters/{id}/signatures/{signature}/verify` verifies one, which publishes
//! it. Rejecting one is the moderation queue's reject (with a reason).

use super::authorised;
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use undersigned_core::role::Permission;
use undersigned_store::{
    Actor, SignatureId, StoreError, VerifyOrganisationCommand, WriteCommand, WriteOutcome,
};

use crate::{
    auth::{Organiser, csrf::OrganiserForm},
    extract::Empty,
    format,
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
                "Not possible in this state",
                &format!(
                    "The {what} is {state}. Only an organisation's signature that is held for \
                     verification, on a letter open for signatures, can be verified."
                ),
                Some(("/admin", "Back to letters")),
            ),
            VerifyError::Page(e) => e.into_response(),
        }
    }
}

/// One held organisation signature and its evidence.
pub struct HeldRow {
    pub id: i64,
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
    notice: Option<&'static str>,
    rows: Vec<HeldRow>,
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
    let rows = state
        .store
        .held_organisations(letter.id)
        .await?
        .into_iter()
        .map(|h| HeldRow {
            id: h.signature.0,
            organisation: h.organisation,
            website: h.website,
            website_domain: h.website_domain,
            email_domain: h.email_domain,
            signer: h.signer_name,
            title: h.signer_title.unwrap_or_default(),
            signed: format::date_time(h.signed_at),
            confirmed: h.confirmed_at.map(format::date_time).unwrap_or_default(),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &HeldPage {
            layout: Layout::new(
                state.instance(),
                format!("Organisations to verify: {}", letter.title),
            )
            .with_nav(organiser.nav()),
            id: letter.id.0,
            title: letter.title,
            csrf: organiser.csrf.clone(),
            can_moderate,
            notice: (query.done == "verified").then_some(
                "Verified: the organisation's signature is published and counted, and its \
                 entry in the log says an organiser verified it.",
            ),
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
