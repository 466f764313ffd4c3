//! Organiser login and logout.

use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use undersigned_store::{NewChallenge, User};

use crate::{
    auth::{
        csrf::{AnonForm, OrganiserForm, anon_token, with_cookie},
        session::{self, cookie, read_cookie},
    },
    client::ClientIp,
    extract::Empty,
    i18n::t,
    pages::{Layout, PageError, message, render},
    secrets::Token,
    services::totp::{SecondFactor, recovery_hash},
    state::AppState,
};

/// How long the second step of a login may take.
const CHALLENGE_SECONDS: i64 = 600;
/// Wrong codes before the login must start again (with the password, which is rate-limited).
const CHALLENGE_ATTEMPTS: u32 = 5;

fn challenge_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-us_login"
    } else {
        "us_login"
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage {
    layout: Layout,
    csrf: String,
    next: String,
    error: Option<String>,
}

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
        layout: Layout::new(state.instance(), t("auth-log-in")),
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
        if state
            .store
            .totp(user.id)
            .await?
            .is_some_and(|totp| totp.enabled)
        {
            return second_step(&state, &user, csrf, local_path(&form.next)).await;
        }
        let cookie = session::start(&state, &user).await?;
        let mut response = Redirect::to(&local_path(&form.next)).into_response();
        response.headers_mut().append(header::SET_COOKIE, cookie);
        return Ok(response);
    }
    let page = LoginPage {
        layout: Layout::new(state.instance(), t("auth-log-in")),
        csrf,
        next: local_path(&form.next),
        email: form.email,
        error: Some(t("auth-login-wrong")),
    };
    Ok(render(StatusCode::UNAUTHORIZED, &page))
}

/// The password was right and the organiser has a second factor: no session yet, only a
/// challenge (its token in a short-lived cookie) that the code page answers.
async fn second_step(
    state: &AppState,
    user: &User,
    csrf: String,
    next: String,
) -> Result<Response, PageError> {
    let token = Token::generate();
    let now = state.clock.now();
    state
        .store
        .create_login_challenge(NewChallenge {
            token_hash: token.hash(),
            user: user.id,
            now,
            expires_at: now + CHALLENGE_SECONDS,
        })
        .await?;
    let page = CodePage {
        layout: Layout::new(state.instance(), t("auth-code-title")),
        csrf,
        next,
        error: None,
    };
    let secure = state.secure_cookies();
    let mut response = render(StatusCode::OK, &page);
    response.headers_mut().append(
        header::SET_COOKIE,
        cookie(
            challenge_cookie_name(secure),
            token.as_str(),
            CHALLENGE_SECONDS,
            secure,
        ),
    );
    Ok(response)
}

/// Whether `code` is the user's current code (spending its time step) or one of their
/// unused recovery codes (spending it).
async fn code_matches(state: &AppState, user: &User, code: &str) -> Result<bool, PageError> {
    let Some(totp) = state.store.totp(user.id).await?.filter(|t| t.enabled) else {
        return Ok(false);
    };
    let now = state.clock.now();
    let factor =
        SecondFactor::from_secret(&totp.secret).map_err(|e| PageError::Internal(e.to_string()))?;
    if let Some(step) = factor.check(code, now) {
        return Ok(state.store.use_totp_step(user.id, step).await?);
    }
    match recovery_hash(code) {
        Some(hash) => Ok(state.store.use_recovery_code(user.id, hash, now).await?),
        None => Ok(false),
    }
}

/// `POST /login/code`: the second step. The session starts only here.
pub async fn code(
    State(state): State<AppState>,
    headers: HeaderMap,
    AnonForm { form, csrf }: AnonForm<CodeForm>,
) -> Result<Response, PageError> {
    let secure = state.secure_cookies();
    let expired = || {
        message(
            StatusCode::UNAUTHORIZED,
            &t("auth-login-again-heading"),
            &t("auth-login-again"),
            Some(("/login", &t("auth-log-in"))),
        )
    };
    let Some(challenge) =
        read_cookie(&headers, challenge_cookie_name(secure)).and_then(Token::parse)
    else {
        return Ok(expired());
    };
    let Some(user) = state
        .store
        .login_challenge_attempt(challenge.hash(), state.clock.now(), CHALLENGE_ATTEMPTS)
        .await?
    else {
        return Ok(expired());
    };
    if !code_matches(&state, &user, &form.code).await? {
        let page = CodePage {
            layout: Layout::new(state.instance(), t("auth-code-title")),
            csrf,
            next: local_path(&form.next),
            error: Some(t("auth-code-wrong")),
        };
        return Ok(render(StatusCode::UNAUTHORIZED, &page));
    }
    state.store.end_login_challenge(challenge.hash()).await?;
    let session = session::start(&state, &user).await?;
    let mut response = Redirect::to(&local_path(&form.next)).into_response();
    response.headers_mut().append(header::SET_COOKIE, session);
    response.headers_mut().append(
        header::SET_COOKIE,
        cookie(challenge_cookie_name(secure), "", 0, secure),
    );
    Ok(response)
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
