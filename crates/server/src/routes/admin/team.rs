//! A workspace's team: its members and their roles, and invitations by email. Only owners
//! (Permission::ManageMembers) see the page or change anything; every change is in the
//! audit trail (the store writes it in the same transaction).

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use undersigned_core::{EmailAddress, Role, letter::FieldErrors, role::Permission};
use undersigned_store::{Actor, InvitationId, NewInvitation, TeamRefusal, UserId, Workspace};

use super::core_text;
use crate::{
    auth::{Organiser, csrf::OrganiserForm},
    format,
    i18n::{t, t1},
    mail::messages::AccountParams,
    pages::{Layout, PageError, render},
    secrets::Token,
    state::AppState,
};

/// How long an invitation link works.
pub const INVITATION_SECONDS: i64 = 7 * 24 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error(transparent)]
    Page(#[from] PageError),
    #[error("the form has mistakes")]
    Invalid(Box<TeamPage>),
    #[error("the change was refused: {0}")]
    Refused(TeamRefusal, Box<TeamPage>),
}

impl From<undersigned_store::StoreError> for TeamError {
    fn from(e: undersigned_store::StoreError) -> Self {
        TeamError::Page(e.into())
    }
}

impl IntoResponse for TeamError {
    fn into_response(self) -> Response {
        match self {
            TeamError::Page(e) => e.into_response(),
            TeamError::Invalid(page) => render(StatusCode::UNPROCESSABLE_ENTITY, &*page),
            TeamError::Refused(_, page) => render(StatusCode::CONFLICT, &*page),
        }
    }
}

pub struct MemberRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub you: bool,
}

pub struct InvitationRow {
    /// What its "Cancel" button posts to.
    pub id: String,
    pub email: String,
    pub role: String,
    pub invited_by: String,
    pub expires: String,
}

#[derive(Template, Debug)]
#[template(path = "admin/team.html")]
pub struct TeamPage {
    layout: Layout,
    csrf: String,
    slug: String,
    workspace: String,
    members: Vec<MemberRow>,
    invitations: Vec<InvitationRow>,
    roles: Vec<&'static str>,
    /// The invitation form as typed, and its mistakes.
    email: String,
    role: String,
    errors: FieldErrors,
    /// A change that was refused, said at the top.
    refusal: Option<String>,
    notice: Option<String>,
}

impl std::fmt::Debug for MemberRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemberRow(..)")
    }
}

impl std::fmt::Debug for InvitationRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InvitationRow(..)")
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct TeamQuery {
    #[serde(default)]
    invited: Option<String>,
    #[serde(default)]
    cancelled: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

/// The workspace `slug` if the organiser owns it: 404 when they are not a member, 403 when
/// their role does not allow managing the team.
fn owned<'a>(organiser: &'a Organiser, slug: &str) -> Result<(Actor, &'a Workspace), PageError> {
    let membership = organiser
        .memberships
        .iter()
        .find(|m| m.workspace.slug == slug)
        .ok_or(PageError::NotFound)?;
    organiser.require(membership.workspace.id, Permission::ManageMembers)?;
    Ok((
        Actor {
            user: organiser.user.id,
            workspace: membership.workspace.id,
        },
        &membership.workspace,
    ))
}

/// The team page as it stands, with an empty invitation form.
async fn team_page(
    state: &AppState,
    organiser: &Organiser,
    workspace: &Workspace,
) -> Result<TeamPage, PageError> {
    let members = state
        .store
        .members(workspace.id)
        .await?
        .into_iter()
        .map(|m| MemberRow {
            id: m.user.0,
            you: m.user == organiser.user.id,
            name: m.name,
            email: m.email,
            role: m.role.to_string(),
        })
        .collect();
    let invitations = state
        .store
        .pending_invitations(workspace.id, state.clock.now())
        .await?
        .into_iter()
        .map(|i| InvitationRow {
            id: i.id.to_string(),
            email: i.email,
            role: i.role.to_string(),
            invited_by: i.invited_by.unwrap_or_default(),
            expires: format::date_time(i.expires_at),
        })
        .collect();
    Ok(TeamPage {
        layout: Layout::new(
            state.instance(),
            t1("admin-team-title", "workspace", workspace.name.as_str()),
        )
        .with_nav(organiser.nav()),
        csrf: organiser.csrf.clone(),
        slug: workspace.slug.clone(),
        workspace: workspace.name.clone(),
        members,
        invitations,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        email: String::new(),
        role: Role::Editor.to_string(),
        errors: FieldErrors::default(),
        refusal: None,
        notice: None,
    })
}

fn refusal_text(refusal: TeamRefusal) -> String {
    match refusal {
        TeamRefusal::LastOwner => t("admin-last-owner"),
        TeamRefusal::AlreadyMember => t("admin-already-member"),
    }
}

/// `GET /admin/workspaces/{slug}/team`
pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    axum::extract::Query(query): axum::extract::Query<TeamQuery>,
    organiser: Organiser,
) -> Result<Response, TeamError> {
    let (_, workspace) = owned(&organiser, &slug)?;
    let mut page = team_page(&state, &organiser, workspace).await?;
    if query.invited.is_some() {
        page.notice = Some(t("admin-notice-invited-colleague"));
    }
    if query.cancelled.is_some() {
        page.notice = Some(t("admin-notice-invitation-cancelled"));
    }
    Ok(render(StatusCode::OK, &page))
}

/// `POST /admin/workspaces/{slug}/team/invite`: emails a single-use link that lets the
/// invitee join with the role.
pub async fn invite(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    OrganiserForm { organiser, form }: OrganiserForm<InviteForm>,
) -> Result<Response, TeamError> {
    let (actor, workspace) = owned(&organiser, &slug)?;
    let mut errors = FieldErrors::default();
    let email = EmailAddress::parse(&form.email)
        .map_err(|e| errors.add("email", e))
        .ok();
    let role = form
        .role
        .parse::<Role>()
        .map_err(|e| errors.add("role", e))
        .ok();
    let (Some(email), Some(role)) = (email, role) else {
        let mut page = team_page(&state, &organiser, workspace).await?;
        page.email = form.email;
        page.role = form.role;
        page.errors = core_text::localise(errors);
        return Err(TeamError::Invalid(Box::new(page)));
    };
    let token = Token::generate();
    let now = state.clock.now();
    let expires_at = now + INVITATION_SECONDS;
    let params = AccountParams {
        instance: state.instance().to_owned(),
        workspace: workspace.name.clone(),
        inviter: organiser.user.name.clone(),
        role: role.to_string(),
        link: state.public.url(&format!("/invite/{}", token.as_str())),
        expires_at,
        lang: crate::i18n::current().code().to_owned(),
    };
    let email_params = serde_json::to_string(&params)
        .map_err(|e| PageError::Internal(format!("writing an email's parameters: {e}")))?;
    let invited = state
        .store
        .invite(
            actor,
            NewInvitation {
                token_hash: token.hash(),
                email: email.to_string().to_lowercase(),
                role,
                now,
                expires_at,
                email_params,
            },
        )
        .await?;
    state.writer.wake_mail();
    if let Err(refusal) = invited {
        let mut page = team_page(&state, &organiser, workspace).await?;
        page.email = form.email;
        page.role = form.role;
        page.errors.add("email", refusal_text(refusal));
        return Err(TeamError::Refused(refusal, Box::new(page)));
    }
    Ok(Redirect::to(&format!("/admin/workspaces/{slug}/team?invited=1")).into_response())
}

/// `POST /admin/workspaces/{slug}/team/invitations/{invitation}/cancel`: the invitation's
/// link stops working. One that was used, cancelled or has expired, or that belongs to
/// another workspace, is not found.
pub async fn cancel_invitation(
    State(state): State<AppState>,
    Path((slug, invitation)): Path<(String, String)>,
    OrganiserForm { organiser, .. }: OrganiserForm<crate::extract::Empty>,
) -> Result<Response, TeamError> {
    let (actor, _) = owned(&organiser, &slug)?;
    let invitation = InvitationId::parse(&invitation).ok_or(PageError::NotFound)?;
    // `NotFound` from the store is the page's 404.
    state
        .store
        .cancel_invitation(actor, invitation, state.clock.now())
        .await?;
    Ok(Redirect::to(&format!("/admin/workspaces/{slug}/team?cancelled=1")).into_response())
}

/// `POST /admin/workspaces/{slug}/team/{user}/role`
pub async fn change_role(
    State(state): State<AppState>,
    Path((slug, member)): Path<(String, i64)>,
    OrganiserForm { organiser, form }: OrganiserForm<RoleForm>,
) -> Result<Response, TeamError> {
    let (actor, workspace) = owned(&organiser, &slug)?;
    let role: Role = form
        .role
        .parse()
        .map_err(|e: undersigned_core::role::RoleError| PageError::BadRequest(e.to_string()))?;
    let changed = state
        .store
        .change_role(actor, UserId(member), role, state.clock.now())
        .await?;
    after_change(&state, &organiser, workspace, member, changed).await
}

/// `POST /admin/workspaces/{slug}/team/{user}/remove`
pub async fn remove(
    State(state): State<AppState>,
    Path((slug, member)): Path<(String, i64)>,
    OrganiserForm { organiser, .. }: OrganiserForm<crate::extract::Empty>,
) -> Result<Response, TeamError> {
    let (actor, workspace) = owned(&organiser, &slug)?;
    let removed = state
        .store
        .remove_member(actor, UserId(member), state.clock.now())
        .await?;
    after_change(&state, &organiser, workspace, member, removed).await
}

/// Back to the team page, or to the dashboard when the owner changed their own role (the
/// team page may no longer be theirs); a refused change shows the page with the reason.
async fn after_change(
    state: &AppState,
    organiser: &Organiser,
    workspace: &Workspace,
    member: i64,
    outcome: Result<(), TeamRefusal>,
) -> Result<Response, TeamError> {
    match outcome {
        Ok(()) if member == organiser.user.id.0 => Ok(Redirect::to("/admin").into_response()),
        Ok(()) => {
            Ok(Redirect::to(&format!("/admin/workspaces/{}/team", workspace.slug)).into_response())
        }
        Err(refusal) => {
            let mut page = team_page(state, organiser, workspace).await?;
            page.refusal = Some(refusal_text(refusal));
            Err(TeamError::Refused(refusal, Box::new(page)))
        }
    }
}
