//! Re-targeting (issue 11, item 6): "Send this letter to another target" makes a draft copy
//! in the letter's family, and "Invite past signers" emails the family's earlier signers who
//! asked for updates an invitation to add their signature to the copy (`routes::family`).

use super::{actor, authorised};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use undersigned_core::{Slug, role::Permission};
use undersigned_store::{Letter, StoreError};

use super::state_label;
use crate::{
    auth::csrf::OrganiserForm,
    extract::Empty,
    i18n::{t, t1},
    mail::messages::FamilyInvitationParams,
    pages::{PageError, message},
    state::AppState,
};

/// How many addresses `{slug}-2`, `{slug}-3` … a copy tries before giving up.
const SLUG_TRIES: u32 = 50;

#[derive(Debug, thiserror::Error)]
pub enum FamilyError {
    /// Invitations go out from an open letter only.
    #[error("the letter is {0}")]
    LetterState(String),
    /// The first letter of a family has no earlier signers.
    #[error("the letter has no earlier letter in its family")]
    NoEarlierLetter { id: i64 },
    /// Every address tried for the copy is taken.
    #[error("no free address for the copy")]
    NoSlug { id: i64 },
    #[error(transparent)]
    Page(#[from] PageError),
}

impl From<StoreError> for FamilyError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::WrongState { actual, .. } => FamilyError::LetterState(actual),
            other => FamilyError::Page(other.into()),
        }
    }
}

impl IntoResponse for FamilyError {
    fn into_response(self) -> Response {
        match self {
            FamilyError::LetterState(state) => message(
                StatusCode::CONFLICT,
                &t("admin-family-state-heading"),
                &t1("admin-family-state-text", "state", state_label(&state)),
                Some(("/admin", &t("admin-back-to-letters"))),
            ),
            FamilyError::NoEarlierLetter { id } => message(
                StatusCode::CONFLICT,
                &t("admin-family-first-heading"),
                &t("admin-family-first-text"),
                Some((&format!("/admin/letters/{id}"), &t("admin-back-to-letter"))),
            ),
            FamilyError::NoSlug { id } => message(
                StatusCode::CONFLICT,
                &t("admin-no-slug-heading"),
                &t("admin-no-slug-text"),
                Some((&format!("/admin/letters/{id}"), &t("admin-back-to-letter"))),
            ),
            FamilyError::Page(e) => e.into_response(),
        }
    }
}

/// The addresses a copy of `slug` may take, in order: `slug-2`, `slug-3` …
fn copy_slugs(slug: &str) -> impl Iterator<Item = Slug> + '_ {
    // Room for "-NN" within the 64 characters a slug may have.
    let stem: String = slug.chars().take(60).collect();
    let stem = stem.trim_end_matches('-').to_owned();
    (2..2 + SLUG_TRIES).filter_map(move |n| Slug::parse(&format!("{stem}-{n}")).ok())
}

/// `POST /admin/letters/{id}/retarget`: a draft copy, then its edit page (the organiser adds
/// the new target there).
pub async fn retarget(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OrganiserForm { organiser, .. }: OrganiserForm<Empty>,
) -> Result<Response, FamilyError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    for slug in copy_slugs(&letter.slug) {
        match state
            .store
            .copy_letter(
                actor(&organiser, &letter),
                letter.id,
                &slug,
                state.clock.now(),
            )
            .await
        {
            Ok(copy) => {
                state.reads.letter_changed(letter.id);
                return Ok(Redirect::to(&format!("/admin/letters/{}/edit", copy.0)).into_response());
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(FamilyError::NoSlug { id: letter.id.0 })
}

fn email_params(state: &AppState, letter: &Letter) -> Result<String, PageError> {
    serde_json::to_string(&FamilyInvitationParams {
        instance: state.instance().to_owned(),
        letter_title: letter.title.clone(),
        targets: letter
            .targets
            .iter()
            .map(|t| t.to_line().replace(" | ", ", "))
            .collect::<Vec<_>>()
            .join("; "),
        link_base: state.public.url("/i/"),
        token: String::new(),
        // The store writes in each recipient's language, as they signed.
        lang: String::new(),
    })
    .map_err(|e| PageError::Internal(format!("invitation email parameters: {e}")))
}

/// `POST /admin/letters/{id}/invite`: starts a run that invites every past signer of the
/// family who asked for updates and has no invitation yet (or goes on with the unfinished
/// one); the fan-out job queues it a batch at a time and never emails anyone twice.
pub async fn invite(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OrganiserForm { organiser, .. }: OrganiserForm<Empty>,
) -> Result<Response, FamilyError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let params = email_params(&state, &letter)?;
    let run = match state
        .store
        .start_invitations(
            actor(&organiser, &letter),
            letter.id,
            &params,
            state.clock.now(),
        )
        .await
    {
        Ok(run) => run,
        Err(StoreError::WrongState { what: "family", .. }) => {
            return Err(FamilyError::NoEarlierLetter { id: letter.id.0 });
        }
        Err(e) => return Err(e.into()),
    };
    // The fan-out job queues the invitations, a batch at a time through the writer; the
    // letter's page shows how many so far.
    state.updates_wakeup.notify_one();
    tracing::info!(
        letter = letter.id.0,
        run = run.0,
        "started inviting past signers"
    );
    Ok(Redirect::to(&format!("/admin/letters/{}?done=inviting", letter.id)).into_response())
}
