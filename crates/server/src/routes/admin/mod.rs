//! Organiser pages under `/admin`. Every handler takes an [`Organiser`] (so a logged-out
//! visitor is sent to the login page) and checks the organiser's role in the letter's
//! workspace before it reads or changes anything.

pub mod account;
pub mod asks;
pub mod core_text;
pub mod delivery;
pub mod exports;
pub mod family;
pub mod languages;
mod letters;
pub mod moderation;
pub mod organisations;
pub mod team;
pub mod text;
pub mod updates;
pub mod workspaces;

use askama::Template;
use axum::{
    extract::{DefaultBodyLimit, State},
    http::{Method, StatusCode},
    response::Response,
    routing::{MethodRouter, get, post},
};
use undersigned_core::{Role, role::Permission};
use undersigned_store::{Actor, Letter, LetterId};

use crate::{
    auth::Organiser,
    format,
    i18n::{t, t1, t2},
    pages::{Layout, PageError, render},
    state::AppState,
};

/// What an organiser route needs of the organiser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Being logged in (the page shows what each workspace's role allows).
    Login,
    /// The permission in the workspace of the letter, signature or workspace in the path.
    Permission(Permission),
    /// The permission in at least one workspace (writing a new letter).
    PermissionSomewhere(Permission),
}

/// What a route's request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    None,
    /// A URL-encoded form with the session's `csrf` field.
    Form,
    /// A `multipart/form-data` form (with a file) and the `csrf` field.
    Multipart,
}

/// An organiser route: its method and path pattern, what it needs, and what it takes. The
/// router is built from [`table`], so this list is every organiser route, and the test suite
/// generates the whole role × route matrix from it.
#[derive(Debug, Clone)]
pub struct OrganiserRoute {
    pub method: Method,
    pub path: &'static str,
    pub needs: Needs,
    pub body: Body,
}

/// Every organiser route, with what it needs.
pub fn routes() -> Vec<OrganiserRoute> {
    table().into_iter().map(|(route, _)| route).collect()
}

/// Every organiser route and its handler; a path may appear once per method.
pub fn table() -> Vec<(OrganiserRoute, MethodRouter<AppState>)> {
    use Needs::{Login, Permission as Role, PermissionSomewhere as Somewhere};
    use Permission::*;
    let page = |path, needs, handler| {
        let route = OrganiserRoute {
            method: Method::GET,
            path,
            needs,
            body: Body::None,
        };
        (route, handler)
    };
    let form = |path, needs, handler| {
        let route = OrganiserRoute {
            method: Method::POST,
            path,
            needs,
            body: Body::Form,
        };
        (route, handler)
    };
    vec![
        page("/admin", Login, get(dashboard)),
        page(
            "/admin/workspaces/{slug}",
            Role(View),
            get(workspaces::show),
        ),
        (
            OrganiserRoute {
                method: Method::POST,
                path: "/admin/workspaces/{slug}/branding",
                needs: Role(ManageMembers),
                body: Body::Multipart,
            },
            post(workspaces::set_branding).layer(DefaultBodyLimit::max(super::LOGO_FORM_LIMIT)),
        ),
        form(
            "/admin/workspaces/{slug}/retention",
            Role(ManageMembers),
            post(workspaces::set_retention),
        ),
        page(
            "/admin/workspaces/{slug}/team",
            Role(ManageMembers),
            get(team::show),
        ),
        form(
            "/admin/workspaces/{slug}/team/invite",
            Role(ManageMembers),
            post(team::invite),
        ),
        form(
            "/admin/workspaces/{slug}/team/invitations/{invitation}/cancel",
            Role(ManageMembers),
            post(team::cancel_invitation),
        ),
        form(
            "/admin/workspaces/{slug}/team/{user}/role",
            Role(ManageMembers),
            post(team::change_role),
        ),
        form(
            "/admin/workspaces/{slug}/team/{user}/remove",
            Role(ManageMembers),
            post(team::remove),
        ),
        page("/admin/account", Login, get(account::show)),
        form(
            "/admin/account/password",
            Login,
            post(account::change_password),
        ),
        form("/admin/account/totp/start", Login, post(account::start)),
        form("/admin/account/totp/confirm", Login, post(account::confirm)),
        form("/admin/account/totp/disable", Login, post(account::disable)),
        page(
            "/admin/letters/new",
            Somewhere(EditLetters),
            get(letters::new_form),
        ),
        form(
            "/admin/letters/new",
            Somewhere(EditLetters),
            post(letters::create),
        ),
        page("/admin/letters/{id}", Role(View), get(letters::show)),
        page(
            "/admin/letters/{id}/edit",
            Role(EditLetters),
            get(letters::edit_form),
        ),
        form(
            "/admin/letters/{id}/edit",
            Role(EditLetters),
            post(letters::update),
        ),
        page(
            "/admin/letters/{id}/preview",
            Role(View),
            get(letters::preview),
        ),
        form(
            "/admin/letters/{id}/publish",
            Role(EditLetters),
            post(letters::publish),
        ),
        form(
            "/admin/letters/{id}/close",
            Role(EditLetters),
            post(letters::close),
        ),
        form(
            "/admin/letters/{id}/retarget",
            Role(EditLetters),
            post(family::retarget),
        ),
        form(
            "/admin/letters/{id}/invite",
            Role(EditLetters),
            post(family::invite),
        ),
        page(
            "/admin/letters/{id}/signatures",
            Role(View),
            get(moderation::queue),
        ),
        form(
            "/admin/letters/{id}/signatures/bulk",
            Role(Moderate),
            post(moderation::bulk_preview),
        ),
        form(
            "/admin/letters/{id}/signatures/bulk/apply",
            Role(Moderate),
            post(moderation::bulk_apply),
        ),
        form(
            "/admin/letters/{id}/signatures/{signature}/approve",
            Role(Moderate),
            post(moderation::approve),
        ),
        page(
            "/admin/letters/{id}/signatures/{signature}/hide",
            Role(Moderate),
            get(moderation::hide_page),
        ),
        form(
            "/admin/letters/{id}/signatures/{signature}/undo",
            Role(Moderate),
            post(moderation::undo),
        ),
        page(
            "/admin/letters/{id}/signatures/{signature}/reject",
            Role(Moderate),
            get(moderation::reject_page),
        ),
        form(
            "/admin/letters/{id}/signatures/{signature}/reject",
            Role(Moderate),
            post(moderation::reject),
        ),
        form(
            "/admin/letters/{id}/moderation",
            Role(EditLetters),
            post(moderation::set_moderation),
        ),
        page(
            "/admin/letters/{id}/audit",
            Role(EditLetters),
            get(moderation::audit),
        ),
        page(
            "/admin/letters/{id}/organisations",
            Role(View),
            get(organisations::held),
        ),
        form(
            "/admin/letters/{id}/signatures/{signature}/verify",
            Role(Moderate),
            post(organisations::verify),
        ),
        form(
            "/admin/letters/{id}/signatures/{signature}/pin",
            Role(Moderate),
            post(organisations::pin),
        ),
        form(
            "/admin/letters/{id}/signatures/{signature}/unpin",
            Role(Moderate),
            post(organisations::unpin),
        ),
        page(
            "/admin/letters/{id}/export.csv",
            Role(View),
            get(exports::csv),
        ),
        page(
            "/admin/letters/{id}/export.json",
            Role(View),
            get(exports::json),
        ),
        form(
            "/admin/letters/{id}/signatures/{signature}/hide",
            Role(Moderate),
            post(moderation::hide),
        ),
        page(
            "/admin/letters/{id}/asks",
            Role(EditLetters),
            get(asks::show),
        ),
        form(
            "/admin/letters/{id}/asks",
            Role(EditLetters),
            post(asks::add),
        ),
        form(
            "/admin/letters/{id}/asks/{ask}/edit",
            Role(EditLetters),
            post(asks::edit),
        ),
        form(
            "/admin/letters/{id}/asks/{ask}/move",
            Role(EditLetters),
            post(asks::reorder),
        ),
        form(
            "/admin/letters/{id}/asks/{ask}/remove",
            Role(EditLetters),
            post(asks::remove),
        ),
        form(
            "/admin/letters/{id}/asks/{ask}/status",
            Role(EditLetters),
            post(asks::change_status),
        ),
        (
            OrganiserRoute {
                method: Method::POST,
                path: "/admin/letters/{id}/responses",
                needs: Role(EditLetters),
                body: Body::Multipart,
            },
            post(asks::add_response).layer(DefaultBodyLimit::max(asks::RESPONSE_FORM_LIMIT)),
        ),
        (
            OrganiserRoute {
                method: Method::POST,
                path: "/admin/letters/{id}/responses/{response}/edit",
                needs: Role(EditLetters),
                body: Body::Multipart,
            },
            post(asks::edit_response).layer(DefaultBodyLimit::max(asks::RESPONSE_FORM_LIMIT)),
        ),
        form(
            "/admin/letters/{id}/responses/{response}/delete",
            Role(EditLetters),
            post(asks::delete_response),
        ),
        page(
            "/admin/letters/{id}/languages",
            Role(EditLetters),
            get(languages::show),
        ),
        form(
            "/admin/letters/{id}/languages",
            Role(EditLetters),
            post(languages::set_original),
        ),
        form(
            "/admin/letters/{id}/translations",
            Role(EditLetters),
            post(languages::save),
        ),
        form(
            "/admin/letters/{id}/translations/{lang}/delete",
            Role(EditLetters),
            post(languages::delete),
        ),
        page(
            "/admin/letters/{id}/text",
            Role(EditLetters),
            get(text::show),
        ),
        form(
            "/admin/letters/{id}/text",
            Role(EditLetters),
            post(text::edit),
        ),
        page(
            "/admin/letters/{id}/updates",
            Role(EditLetters),
            get(updates::show),
        ),
        form(
            "/admin/letters/{id}/updates",
            Role(EditLetters),
            post(updates::post),
        ),
        page(
            "/admin/letters/{id}/updates/{update}/edit",
            Role(EditLetters),
            get(updates::edit_form),
        ),
        form(
            "/admin/letters/{id}/updates/{update}/edit",
            Role(EditLetters),
            post(updates::edit),
        ),
        form(
            "/admin/letters/{id}/updates/{update}/delete",
            Role(EditLetters),
            post(updates::delete),
        ),
        page(
            "/admin/letters/{id}/delivery",
            Role(View),
            get(delivery::show),
        ),
        page(
            "/admin/letters/{id}/delivery/preview.pdf",
            Role(View),
            get(delivery::preview),
        ),
        form(
            "/admin/letters/{id}/delivery/addresses",
            Role(EditLetters),
            post(delivery::set_addresses),
        ),
        form(
            "/admin/letters/{id}/delivery/closing",
            Role(EditLetters),
            post(delivery::set_closing),
        ),
        form(
            "/admin/letters/{id}/deliveries",
            Role(EditLetters),
            post(delivery::deliver),
        ),
        form(
            "/admin/letters/{id}/deliveries/{delivery}/cancel",
            Role(EditLetters),
            post(delivery::cancel),
        ),
    ]
}

/// Loads a letter by its id in the path, if the organiser may do `permission` on it, with the
/// organiser's role in its workspace. The one check every letter page and action makes.
async fn authorised(
    state: &AppState,
    organiser: &Organiser,
    id: &str,
    permission: Permission,
) -> Result<(Letter, Role), PageError> {
    let id = id.parse::<i64>().map_err(|_| PageError::NotFound)?;
    let letter = state
        .store
        .letter(LetterId(id))
        .await?
        .ok_or(PageError::NotFound)?;
    let role = organiser.require(letter.workspace_id, permission)?;
    Ok((letter, role))
}

/// The organiser acting on a letter, for the audit trail.
fn actor(organiser: &Organiser, letter: &Letter) -> Actor {
    Actor {
        user: organiser.user.id,
        workspace: letter.workspace_id,
    }
}

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
                    who: event.user_name.unwrap_or_else(|| t("admin-command-line")),
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
        layout: Layout::new(state.instance(), t("admin-letters")).with_nav(organiser.nav()),
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

/// A value's label in the request's language: the text `{prefix}-{value}`, or the value
/// itself when it has none (a value from a newer version, say).
fn label(prefix: &str, value: &str) -> String {
    let key = format!("{prefix}-{value}");
    if crate::i18n::Lang::En.has(&key) {
        t(&key)
    } else {
        value.to_owned()
    }
}

/// A letter's state (`draft`, `open`…) in words.
pub fn state_label(state: &str) -> String {
    label("admin-letter-state", state)
}

/// A workspace role (`owner`, `editor`…) in words.
pub fn role_label(role: &str) -> String {
    label("admin-role", role)
}

/// A signature's state (`pending`, `published`…) in words.
pub fn signature_state_label(state: &str) -> String {
    label("admin-signature-state", state)
}

/// A delivery's status (`scheduled`, `delivered`, `cancelled`) in words.
pub fn delivery_status_label(status: &str) -> String {
    label("admin-delivery-status", status)
}

/// An ask's status for a target (`pending`, `met`…) in words.
pub fn ask_status_label(status: &str) -> String {
    label("admin-ask-status", status)
}

/// A signer field's name, by its key (`title`, `city`…).
pub fn field_label(key: &str) -> String {
    label("admin-signer-field", key)
}

/// Whether a signer field is asked for (`required`, `optional`, `hidden`), in words.
pub fn requirement_label(requirement: &str) -> String {
    label("admin-requirement", requirement)
}

/// Who signs (`individual`, `organisation`), in words.
pub fn kind_label(kind: &str) -> String {
    label("admin-signer-kind", kind)
}

/// How an organisation's signature was verified (`domain`, `organiser`…), in words.
pub fn verification_label(verification: &str) -> String {
    label("admin-verification", verification)
}

/// How a signer's name is shown (`public`, `initials`, `private`), in words.
pub fn display_label(display: &str) -> String {
    label("admin-display", display)
}

/// What a letter does when a signer confirms (`publish`, `review`), in words.
pub fn moderation_words(moderation: &str) -> String {
    label("admin-moderation-words", moderation)
}

/// A category's display rule in words: "as initials or not at all; city never shown".
pub fn rule_words(rule: undersigned_core::signature::DisplayRule) -> String {
    let ways: Vec<String> = rule
        .levels()
        .map(|level| label("admin-rule-way", level.as_str()))
        .collect();
    let levels = match ways.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => t2(
            "admin-rule-ways",
            "first",
            rest.join(", "),
            "last",
            last.as_str(),
        ),
    };
    if rule.city() {
        levels
    } else {
        t1("admin-rule-no-city", "ways", levels)
    }
}
