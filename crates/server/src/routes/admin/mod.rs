//! Organiser pages under `/admin`. Every handler takes an [`Organiser`] (so a logged-out
//! visitor is sent to the login page) and checks the organiser's role in the letter's
//! workspace before it reads or changes anything.

pub mod letters;
pub mod organisations;
pub mod workspaces;

use askama::Template;
use axum::{extract::State, http::StatusCode, response::Response};
use undersigned_core::role::Permission;

use crate::{
    auth::Organiser,
    format,
    pages::{Layout, PageError, render},
    state::AppState,
};

pub struct LetterRow {
    pub id: i64,
    pub title: String,
    pub workspace: String,
    pub state: String,
    pub signatures: String,
    pub updated: String,
}

pub struct AuditRow {
    pub at: String,
    pub who: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    layout: Layout,
    can_create: bool,
    letters: Vec<LetterRow>,
    csrf: String,
    workspaces: Vec<WorkspaceRow>,
    audit: Vec<AuditRow>,
}

pub struct WorkspaceRow {
    pub slug: String,
    pub name: String,
    pub role: String,
    /// Days personal data is kept after a letter closes, empty when kept.
    pub retention: String,
    pub can_manage: bool,
}

/// `GET /admin`
pub async fn dashboard(
    State(state): State<AppState>,
    organiser: Organiser,
) -> Result<Response, PageError> {
    let letters = state
        .store
        .letters_for_user(organiser.user.id)
        .await?
        .into_iter()
        .map(|l| LetterRow {
            id: l.id.0,
            title: l.title,
            workspace: organiser
                .memberships
                .iter()
                .find(|m| m.workspace.id == l.workspace_id)
                .map(|m| m.workspace.name.clone())
                .unwrap_or_default(),
            state: l.state.to_string(),
            signatures: format::count(l.signatures),
            updated: format::date_time(l.updated_at),
        })
        .collect();
    let mut audit = Vec::new();
    for membership in organiser.workspaces_allowing(Permission::View) {
        for event in state
            .store
            .audit_events(membership.workspace.id, 20)
            .await?
        {
            audit.push((
                event.at,
                AuditRow {
                    at: format::date_time(event.at),
                    who: event.user_name.unwrap_or_else(|| "command line".into()),
                    action: event.action,
                    subject: event.subject,
                    detail: event.detail,
                },
            ));
        }
    }
    audit.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let mut workspaces = Vec::new();
    for m in &organiser.memberships {
        workspaces.push(WorkspaceRow {
            slug: m.workspace.slug.clone(),
            name: m.workspace.name.clone(),
            role: m.role.to_string(),
            retention: state
                .store
                .retention(m.workspace.id)
                .await?
                .map(|d| d.get().to_string())
                .unwrap_or_default(),
            can_manage: m.role.allows(Permission::ManageMembers),
        });
    }
    let page = Dashboard {
        layout: Layout::new(state.instance(), "Letters").with_nav(organiser.nav()),
        can_create: !organiser
            .workspaces_allowing(Permission::EditLetters)
            .is_empty(),
        letters,
        csrf: organiser.csrf.clone(),
        workspaces,
        audit: audit.into_iter().take(20).map(|(_, row)| row).collect(),
    };
    Ok(render(StatusCode::OK, &page))
}
