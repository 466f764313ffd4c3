//! Organiser login and logout.

use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use crate::{
    auth::{
        csrf::{AnonForm, OrganiserForm, anon_token, with_cookie},
        session,
    },
    client::ClientIp,
    extract::Empty,
    pages::{Layout, PageError, render},
    state::AppState,
};

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    csrf: String,
    next: String,
    email: String,
    error: Option<String>,
}

/// Only paths on this site: never `//evil.example`, `/\evil.example` or `https://…`. White
/// space and control characters are refused too, since browsers drop them from URLs
/// (`/<TAB>/evil.example` is `//evil.example` to them), and so is anything that cannot go
/// in a `Location` header as it is (non-ASCII).
fn local_path(next: &str) -> String {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if local {
        next.to_owned()
    } else {
        "/admin".to_owned()
    }
}

/// `GET /login`
pub async fn show(
    State(state): State<AppState>,
    Query(query): Query<LoginQuery>,
    headers: HeaderMap,
) -> Response {
    let (csrf, set_cookie) = anon_token(&state, &headers);
    let page = LoginPage {
        layout: Layout::new(state.instance(), "Log in"),
        csrf,
        next: local_path(&query.next),
        email: String::new(),
        error: None,
    };
    with_cookie(render(StatusCode::OK, &page), set_cookie)
}

/// `POST /login`
pub async fn login(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    AnonForm { form, csrf }: AnonForm<LoginForm>,
) -> Result<Response, PageError> {
    // Every attempt counts before the password is checked, so that a burst of posts cannot
    // all slip past the limit while their hashes are being computed. The limits are per
    // client (five times the setting: colleagues may share an address), and per account from
    // that client (the setting): a stranger failing on purpose cannot lock an organiser out
    // from elsewhere.
    let email = form.email.trim().to_lowercase();
    let client_key = format!("client:{client}");
    let pair_key = format!("account:{email}|client:{client}");
    let limited = [
        state.login_limiter.check(&pair_key),
        state.login_client_limiter.check(&client_key),
    ];
    if let Some(wait) = limited.iter().filter_map(|r| r.err()).map(|w| w.0).max() {
        return Err(PageError::TooManyRequests(wait));
    }
    let user = state.store.user_by_email(&email).await?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let matched = state
        .passwords
        .verify(form.password, hash)
        .await
        .map_err(|_| PageError::Unavailable)?;
    if let (true, Some(user)) = (matched, user) {
        state.login_limiter.reset(&pair_key);
        let cookie = session::start(&state, &user).await?;
        let mut response = Redirect::to(&local_path(&form.next)).into_response();
        response.headers_mut().append(header::SET_COOKIE, cookie);
        return Ok(response);
    }
    let page = LoginPage {
        layout: Layout::new(state.instance(), "Log in"),
        csrf,
        next: local_path(&form.next),
        email: form.email,
        error: Some("The email or the password is wrong.".into()),
    };
    Ok(render(StatusCode::UNAUTHORIZED, &page))
}

/// `POST /logout`
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    _form: OrganiserForm<Empty>,
) -> Result<Response, PageError> {
    let cookie = session::end(&state, &headers).await?;
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}
