//! Server-side sessions: the cookie holds a random token, the database holds its hash.

use axum::{
    extract::{FromRequestParts, OriginalUri},
    http::{HeaderMap, HeaderValue, header, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use undersigned_core::{Role, role::Permission};
use undersigned_store::{Hash32, Membership, NewSession, User, WorkspaceId};

use crate::{
    pages::{Nav, PageError},
    secrets::Token,
    state::AppState,
};

/// The session cookie's name; `__Host-` when served over HTTPS, so that it is bound to the
/// host and cannot be set by a subdomain.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-us_session"
    } else {
        "us_session"
    }
}

/// Reads a cookie from the request headers.
pub fn read_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value with the attributes every cookie of ours gets.
pub fn cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}"
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// Starts a session for `user`; returns the Set-Cookie header value.
pub async fn start(state: &AppState, user: &User) -> Result<HeaderValue, PageError> {
    let token = Token::generate();
    let created_at = state.clock.now();
    let lifetime = i64::from(state.settings.session_hours) * 3600;
    state
        .store
        .create_session(NewSession {
            id_hash: token.hash(),
            user_id: user.id,
            csrf_token: Token::generate().as_str().to_owned(),
            created_at,
            expires_at: created_at + lifetime,
        })
        .await?;
    let secure = state.secure_cookies();
    Ok(cookie(
        cookie_name(secure),
        token.as_str(),
        lifetime,
        secure,
    ))
}

/// Ends the session in the request, if any; returns the cookie that clears it.
pub async fn end(state: &AppState, headers: &HeaderMap) -> Result<HeaderValue, PageError> {
    let secure = state.secure_cookies();
    if let Some(token) = read_cookie(headers, cookie_name(secure)).and_then(Token::parse) {
        state.store.delete_session(token.hash()).await?;
    }
    Ok(cookie(cookie_name(secure), "", 0, secure))
}

/// A logged-in organiser, with their memberships. Extracting it from a request that has no
/// live session redirects to the login page.
#[derive(Debug, Clone)]
pub struct Organiser {
    pub user: User,
    pub csrf: String,
    pub memberships: Vec<Membership>,
    /// The hash of this request's session id (as the store keeps it), so that a change of
    /// password can end the organiser's other sessions and keep this one.
    pub session: Hash32,
}

impl Organiser {
    pub fn role_in(&self, workspace: WorkspaceId) -> Option<Role> {
        self.memberships
            .iter()
            .find(|m| m.workspace.id == workspace)
            .map(|m| m.role)
    }

    /// The organiser's role in `workspace` if it allows `permission`; otherwise 403 (or 404
    /// when they are not a member at all, so that other workspaces' letters stay unknown).
    pub fn require(
        &self,
        workspace: WorkspaceId,
        permission: Permission,
    ) -> Result<Role, PageError> {
        match self.role_in(workspace) {
            None => Err(PageError::NotFound),
            Some(role) if role.allows(permission) => Ok(role),
            Some(_) => Err(PageError::Forbidden(
                "Your role in this workspace does not allow this. Ask an owner for a different role.",
            )),
        }
    }

    /// The workspaces where the organiser may do `permission`.
    pub fn workspaces_allowing(&self, permission: Permission) -> Vec<&Membership> {
        self.memberships
            .iter()
            .filter(|m| m.role.allows(permission))
            .collect()
    }

    pub fn nav(&self) -> Nav {
        Nav {
            name: self.user.name.clone(),
            csrf: self.csrf.clone(),
        }
    }
}

/// Why there is no organiser.
pub enum AuthRejection {
    LoggedOut { next: String },
    Page(PageError),
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::LoggedOut { next } => {
                let next = if next.starts_with('/') && !next.starts_with("//") {
                    next
                } else {
                    "/admin".to_owned()
                };
                let encoded: String = serde_urlencoded::to_string([("next", next)])
                    .unwrap_or_else(|_| "next=%2Fadmin".to_owned());
                Redirect::to(&format!("/login?{encoded}")).into_response()
            }
            AuthRejection::Page(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for Organiser {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let next = parts
            .extensions
            .get::<OriginalUri>()
            .map(|u| u.0.path().to_owned())
            .unwrap_or_else(|| parts.uri.path().to_owned());
        let logged_out = || AuthRejection::LoggedOut { next: next.clone() };
        let token = read_cookie(&parts.headers, cookie_name(state.secure_cookies()))
            .and_then(Token::parse)
            .ok_or_else(logged_out)?;
        let id_hash = token.hash();
        let session = state
            .store
            .session(id_hash, state.clock.now())
            .await
            .map_err(|e| AuthRejection::Page(e.into()))?
            .ok_or_else(logged_out)?;
        let memberships = state
            .store
            .memberships(session.user.id)
            .await
            .map_err(|e| AuthRejection::Page(e.into()))?;
        Ok(Organiser {
            user: session.user,
            csrf: session.csrf_token,
            memberships,
            session: id_hash,
        })
    }
}
