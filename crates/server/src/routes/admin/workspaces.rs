//! A workspace's settings: how long its signers' personal data is kept.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use undersigned_core::role::Permission;
use undersigned_store::RetentionDays;

use crate::{auth::csrf::OrganiserForm, pages::PageError, state::AppState};

#[derive(Debug, Deserialize)]
pub struct RetentionForm {
    /// Days after a letter closes; empty to keep personal data until the letter is deleted.
    #[serde(default)]
    days: String,
}

/// What the organiser typed, read strictly: a whole number of days in range, or nothing.
fn parse_days(input: &str) -> Result<Option<RetentionDays>, PageError> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    input
        .parse::<u32>()
        .ok()
        .and_then(RetentionDays::new)
        .map(Some)
        .ok_or_else(|| {
            PageError::BadRequest(format!(
                "Keep personal data for a whole number of days from 1 to {}, or leave the box \
                 empty to keep it until the letter is deleted.",
                RetentionDays::MAX
            ))
        })
}

/// `POST /admin/workspaces/{slug}/retention`: owners choose how many days after a letter
/// closes its signers' personal data is erased.
pub async fn set_retention(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    OrganiserForm { organiser, form }: OrganiserForm<RetentionForm>,
) -> Result<Response, PageError> {
    let membership = organiser
        .memberships
        .iter()
        .find(|m| m.workspace.slug == slug)
        .ok_or(PageError::NotFound)?;
    let workspace = membership.workspace.id;
    organiser.require(workspace, Permission::ManageMembers)?;
    let days = parse_days(&form.days)?;
    state
        .store
        .set_retention(
            undersigned_store::Actor {
                user: organiser.user.id,
                workspace,
            },
            days,
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to("/admin#workspaces").into_response())
}
