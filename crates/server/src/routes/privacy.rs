//! `GET /l/{slug}/privacy`: the privacy notice a signer reads before signing: what is kept,
//! for how long, who sees it, and how to withdraw. Linked from the signing forms.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};

use crate::{
    pages::{Layout, PageError, render},
    state::AppState,
};

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    layout: Layout,
    slug: String,
    title: String,
    /// Who hosts the letter (the workspace's public name), if it says.
    host: Option<String>,
    /// How many days after the letter closes its signers' personal data is erased; None when
    /// it is kept until the letter is deleted.
    retention_days: Option<u32>,
}

pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let view = state
        .reads
        .public_letter(&slug)
        .await
        .map_err(PageError::from)?;
    let retention_days = state
        .store
        .retention(view.letter.workspace_id)
        .await
        .map_err(PageError::from)?
        .map(|d| d.get());
    Ok(render(
        StatusCode::OK,
        &PrivacyPage {
            layout: Layout::new(state.instance(), "Privacy notice").with_host(view.host.as_ref()),
            slug: view.letter.slug.clone(),
            title: view.letter.title.clone(),
            host: view.host.as_ref().map(|h| h.name.clone()),
            retention_days,
        },
    ))
}
