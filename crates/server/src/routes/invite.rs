//! An invitation link: the page says who invites whom to what (opening it changes nothing),
//! and its button joins. Someone new sets their name and password; someone with an account
//! logs in as the invited address and presses "Join".

use askama::Template;
use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use undersigned_core::{PersonName, letter::FieldErrors};
use undersigned_store::{Invitation, NewUser, Session, StoreError};

use crate::{
    auth::{
        Organiser,
        csrf::{AnonForm, OrganiserForm, anon_token, with_cookie},
        session::{self, cookie_name, read_cookie},
    },
    extract::Empty,
    format,
    i18n::{t, t1, t2},
    mail::messages::{bdi_html, escaped_html, strong_html, text_values},
    pages::{Layout, PageError, message, render},
    secrets::Token,
    services::passwords::NewPassword,
    state::AppState,
};

#[derive(Debug, Default, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    layout: Layout,
    token: String,
    csrf: String,
    workspace: String,
    email: String,
    /// Who is invited to what, as what, until when (a sentence that holds markup).
    intro: String,
    /// The invited address has an account: log in as it, then join.
    has_account: bool,
    /// Logged in as the invited address.
    logged_in_as_invitee: bool,
    /// Logged in as someone else (their address).
    logged_in_as_other: Option<String>,
    name: String,
    errors: FieldErrors,
}

fn invalid_link() -> Response {
    message(
        StatusCode::NOT_FOUND,
        &t("auth-invite-invalid-heading"),
        &t("auth-invite-invalid"),
        Some(("/login", &t("auth-log-in"))),
    )
}

async fn valid(state: &AppState, token: &str) -> Result<Option<(Token, Invitation)>, PageError> {
    let Some(token) = Token::parse(token) else {
        return Ok(None);
    };
    Ok(state
        .store
        .invitation(token.hash(), state.clock.now())
        .await?
        .map(|i| (token, i)))
}

/// The session of the organiser logged in on this browser, if any.
async fn logged_in(state: &AppState, headers: &HeaderMap) -> Result<Option<Session>, PageError> {
    let Some(token) =
        read_cookie(headers, cookie_name(state.secure_cookies())).and_then(Token::parse)
    else {
        return Ok(None);
    };
    Ok(state.store.session(token.hash(), state.clock.now()).await?)
}

/// The invitation in a sentence: the workspace, the role, the address and the expiry.
fn intro(invitation: &Invitation) -> String {
    let role = t1("auth-role", "role", invitation.role.as_str());
    text_values(
        "auth-invite-intro",
        &[
            (
                "workspace",
                &format!("<strong>{}</strong>", bdi_html(&invitation.workspace.name)),
            ),
            ("role", &strong_html(&role)),
            ("email", &escaped_html(&invitation.email)),
            (
                "expires",
                &escaped_html(&format::date_time(invitation.expires_at)),
            ),
        ],
    )
}

fn page(
    state: &AppState,
    token: &Token,
    invitation: &Invitation,
    csrf: String,
    viewer: Option<String>,
) -> InvitePage {
    let as_invitee = viewer.as_deref() == Some(invitation.email.as_str());
    InvitePage {
        layout: Layout::new(
            state.instance(),
            t1(
                "auth-invite-heading",
                "workspace",
                &invitation.workspace.name,
            ),
        ),
        token: token.as_str().to_owned(),
        csrf,
        workspace: invitation.workspace.name.clone(),
        email: invitation.email.clone(),
        intro: intro(invitation),
        has_account: invitation.has_account,
        logged_in_as_invitee: as_invitee,
        logged_in_as_other: viewer.filter(|_| !as_invitee),
        name: String::new(),
        errors: FieldErrors::default(),
    }
}

/// `GET /invite/{token}`: the invitation, and what to do. Changes nothing.
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Some((token, invitation)) = valid(&state, &token).await? else {
        return Ok(invalid_link());
    };
    let session = logged_in(&state, &headers).await?;
    // A logged-in invitee's button posts with the session's token; everyone else's form
    // with the pre-login one.
    let (csrf, set_cookie) = match &session {
        Some(s) if s.user.email == invitation.email => (s.csrf_token.clone(), None),
        _ => anon_token(&state, &headers),
    };
    let viewer = session.map(|s| s.user.email);
    let page = page(&state, &token, &invitation, csrf, viewer);
    Ok(with_cookie(render(StatusCode::OK, &page), set_cookie))
}

/// `POST /invite/{token}`: someone new accepts, with their name and password; they are
/// then logged in.
pub async fn accept_new(
    State(state): State<AppState>,
    Path(token): Path<String>,
    AnonForm { form, csrf }: AnonForm<AcceptForm>,
) -> Result<Response, PageError> {
    let Some((token, invitation)) = valid(&state, &token).await? else {
        return Ok(invalid_link());
    };
    if invitation.has_account {
        return Ok(message(
            StatusCode::CONFLICT,
            &t("auth-invite-account-heading"),
            &t1("auth-invite-account", "email", &invitation.email),
            Some(("/login", &t("auth-log-in"))),
        ));
    }
    let mut errors = FieldErrors::default();
    let name = PersonName::parse(&form.name)
        .map_err(|e| errors.add("name", e))
        .ok();
    let password = NewPassword::parse(&form.password)
        .map_err(|e| errors.add("password", e))
        .ok();
    if form.password != form.password_again {
        errors.add("password_again", t("auth-passwords-differ"));
    }
    let (Some(name), Some(password), true) = (name, password, errors.is_empty()) else {
        let mut page = page(&state, &token, &invitation, csrf, None);
        page.name = form.name;
        page.errors = errors;
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let password_hash = state
        .passwords
        .hash(password)
        .await
        .map_err(|_| PageError::Unavailable)?;
    let joined = state
        .store
        .accept_invitation_as_new(
            token.hash(),
            NewUser {
                email: invitation.email.clone(),
                name: name.to_string(),
                password_hash,
                created_at: state.clock.now(),
            },
        )
        .await;
    match joined {
        Ok(_) => {}
        Err(StoreError::NotFound) => return Ok(invalid_link()),
        Err(StoreError::Conflict(_)) => {
            return Ok(message(
                StatusCode::CONFLICT,
                &t("auth-invite-account-heading"),
                &t("auth-invite-account-now"),
                Some(("/login", &t("auth-log-in"))),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let user = state
        .store
        .user_by_email(&invitation.email)
        .await?
        .ok_or_else(|| PageError::Internal("the new member is missing".into()))?;
    let cookie = session::start(&state, &user).await?;
    let mut response = Redirect::to("/admin").into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

/// `POST /invite/{token}/join`: an organiser logged in as the invited address joins.
pub async fn join(
    State(state): State<AppState>,
    Path(token): Path<String>,
    OrganiserForm { organiser, .. }: OrganiserForm<Empty>,
) -> Result<Response, PageError> {
    let Some((token, invitation)) = valid(&state, &token).await? else {
        return Ok(invalid_link());
    };
    join_as(&state, &token, &invitation, &organiser).await
}

async fn join_as(
    state: &AppState,
    token: &Token,
    invitation: &Invitation,
    organiser: &Organiser,
) -> Result<Response, PageError> {
    match state
        .store
        .accept_invitation_as(token.hash(), &organiser.user, state.clock.now())
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin#workspaces").into_response()),
        Err(StoreError::NotFound) => Ok(invalid_link()),
        Err(StoreError::Conflict(_)) => Ok(message(
            StatusCode::FORBIDDEN,
            &t("auth-invite-elsewhere-heading"),
            &t2(
                "auth-invite-elsewhere",
                "email",
                &invitation.email,
                "current",
                &organiser.user.email,
            ),
            None,
        )),
        Err(e) => Err(e.into()),
    }
}
