//! A workspace's settings: how it appears as the host of its letters (name, website, logo),
//! and how long its signers' personal data is kept.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use undersigned_core::{
    Colour,
    letter::FieldErrors,
    role::Permission,
    text::{Lines, clean},
};
use undersigned_store::{Actor, Branding, LogoChange, NewLogo, RetentionDays};

use super::core_text;
use crate::{
    auth::{
        Organiser,
        csrf::{OrganiserForm, OrganiserUpload},
    },
    i18n::t1,
    pages::{Layout, PageError, render},
    state::AppState,
};

/// The longest website address accepted.
const MAX_WEBSITE_CHARS: usize = 300;

#[derive(Template)]
#[template(path = "admin/workspace.html")]
struct WorkspacePage {
    layout: Layout,
    slug: String,
    name: String,
    website: String,
    logo: Option<String>,
    can_manage: bool,
    csrf: String,
    input_name: String,
    input_website: String,
    input_colour: String,
    errors: FieldErrors,
}

/// The workspace named by `slug` among the organiser's, with the organiser's role checked.
fn workspace_of<'a>(
    organiser: &'a Organiser,
    slug: &str,
    permission: Permission,
) -> Result<&'a undersigned_store::Membership, PageError> {
    let membership = organiser
        .memberships
        .iter()
        .find(|m| m.workspace.slug == slug)
        .ok_or(PageError::NotFound)?;
    organiser.require(membership.workspace.id, permission)?;
    Ok(membership)
}

/// `GET /admin/workspaces/{slug}`: how the workspace appears on its letters; owners may
/// change it.
pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    organiser: Organiser,
) -> Result<Response, PageError> {
    let membership = workspace_of(&organiser, &slug, Permission::View)?;
    let branding = state
        .store
        .branding(membership.workspace.id)
        .await?
        .ok_or(PageError::NotFound)?;
    let page = page(
        &state,
        &organiser,
        membership,
        &branding,
        BrandingInput {
            name: branding.name.clone(),
            website: branding.website.clone().unwrap_or_default(),
            colour: branding.colour.map(|c| c.to_string()).unwrap_or_default(),
        },
        FieldErrors::default(),
    );
    Ok(render(StatusCode::OK, &page))
}

/// What the branding form shows in its fields: the saved values, or what was typed.
struct BrandingInput {
    name: String,
    website: String,
    colour: String,
}

fn page(
    state: &AppState,
    organiser: &Organiser,
    membership: &undersigned_store::Membership,
    branding: &Branding,
    input: BrandingInput,
    errors: FieldErrors,
) -> WorkspacePage {
    WorkspacePage {
        layout: Layout::new(
            state.instance(),
            t1("admin-host-page-title", "name", branding.name.as_str()),
        )
        .with_nav(organiser.nav()),
        slug: membership.workspace.slug.clone(),
        name: branding.name.clone(),
        website: branding.website.clone().unwrap_or_default(),
        logo: branding.logo.map(|l| l.path()),
        can_manage: membership.role.allows(Permission::ManageMembers),
        csrf: organiser.csrf.clone(),
        input_name: input.name,
        input_website: input.website,
        input_colour: input.colour,
        errors: core_text::localise(errors),
    }
}

/// A colour as organisers type it: `#rrggbb`, dark enough to read on the page. Empty means
/// the site's own.
fn parse_colour(input: &str) -> Result<Option<Colour>, String> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    Colour::parse(input).map(Some).map_err(|e| e.to_string())
}

/// A website address as organisers type it: `http(s)://` and a host name, nothing that
/// could run as script or carry credentials. Empty means none.
fn parse_website(input: &str) -> Result<Option<String>, &'static str> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    if input.chars().count() > MAX_WEBSITE_CHARS {
        return Err("Use an address of at most 300 characters.");
    }
    let with_scheme = if input.contains("://") {
        input.to_owned()
    } else {
        format!("https://{input}")
    };
    let url = url::Url::parse(&with_scheme)
        .map_err(|_| "Write the website's address, for example https://example.org.")?;
    let host_is_name = matches!(url.host(), Some(url::Host::Domain(d)) if d.contains('.'));
    if !matches!(url.scheme(), "http" | "https") || !host_is_name {
        return Err("Write the website's address, for example https://example.org.");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("Leave the user name and password out of the address.");
    }
    Ok(Some(url.to_string()))
}

/// `POST /admin/workspaces/{slug}/branding` (multipart, with the logo): owners rename the
/// workspace, set its website and change its logo.
pub async fn set_branding(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    OrganiserUpload { organiser, body }: OrganiserUpload,
) -> Result<Response, PageError> {
    let membership = workspace_of(&organiser, &slug, Permission::ManageMembers)?;
    let current = state
        .store
        .branding(membership.workspace.id)
        .await?
        .ok_or(PageError::NotFound)?;
    let input_name = body.text("name").unwrap_or_default().to_owned();
    let input_website = body.text("website").unwrap_or_default().to_owned();
    let input_colour = body.text("colour").unwrap_or_default().to_owned();
    let mut errors = FieldErrors::default();
    let name = clean(&input_name, 100, Lines::Single)
        .map_err(|e| errors.add("name", e))
        .ok();
    let website = parse_website(&input_website)
        .map_err(|e| errors.add("website", e))
        .ok();
    let colour = parse_colour(&input_colour)
        .map_err(|e| errors.add("colour", e))
        .ok();
    let logo = match body.file("logo") {
        Some(upload) => undersigned_logo::normalise(&upload.bytes)
            .map_err(|e| errors.add("logo", e))
            .ok(),
        None => None,
    };
    let (Some(name), Some(website), Some(colour), true) =
        (name, website, colour, errors.is_empty())
    else {
        let page = page(
            &state,
            &organiser,
            membership,
            &current,
            BrandingInput {
                name: input_name,
                website: input_website,
                colour: input_colour,
            },
            errors,
        );
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let now = state.clock.now();
    let change = match (logo, body.text("remove_logo").is_some()) {
        (Some(logo), _) => {
            state
                .store
                .put_logo(
                    NewLogo {
                        reference: logo.reference(),
                        png: logo.png(),
                        width: logo.width(),
                        height: logo.height(),
                    },
                    now,
                )
                .await?;
            LogoChange::Set(logo.reference())
        }
        (None, true) => LogoChange::Remove,
        (None, false) => LogoChange::Keep,
    };
    let actor = Actor {
        user: organiser.user.id,
        workspace: membership.workspace.id,
    };
    let branding = Branding {
        name,
        website,
        logo: None,
        colour,
    };
    state
        .store
        .set_branding(actor, &branding, change, now)
        .await?;
    state.reads.hosts_changed();
    Ok(Redirect::to(&format!("/admin/workspaces/{slug}")).into_response())
}

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
            PageError::BadRequest(t1("admin-error-retention", "max", RetentionDays::MAX))
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
