//! "Forgot password": the form asks for an address and always gives the same answer; an
//! organiser with that address gets a link that works once, for an hour. Its page changes
//! nothing; its button sets the new password and ends every session of the account (the
//! organiser then logs in, with their second factor if they have one).

use askama::Template;
use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use serde::Deserialize;
use undersigned_core::{EmailAddress, letter::FieldErrors};
use undersigned_store::{ResetRequest, StoreError, rules::MailLimits};

use crate::{
    auth::csrf::{AnonForm, anon_token, with_cookie},
    client::ClientIp,
    i18n::t,
    mail::messages::AccountParams,
    pages::{Layout, PageError, message, render},
    secrets::Token,
    services::passwords::NewPassword,
    state::AppState,
};

/// How long a reset link works.
pub const RESET_SECONDS: i64 = 3600;
/// The most reset emails one address gets in a day.
pub const RESETS_PER_DAY: u32 = 5;

#[derive(Debug, Default, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    layout: Layout,
    csrf: String,
    email: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    layout: Layout,
    token: String,
    csrf: String,
    errors: FieldErrors,
}

/// What the form answers, whether or not the account exists.
fn sent() -> Response {
    message(
        StatusCode::OK,
        &t("auth-forgot-sent-heading"),
        &t("auth-forgot-sent"),
        Some(("/login", &t("auth-back-to-login"))),
    )
}

fn invalid_link() -> Response {
    message(
        StatusCode::NOT_FOUND,
        &t("auth-reset-invalid-heading"),
        &t("auth-reset-invalid"),
        Some(("/login/forgot", &t("auth-reset-ask-again"))),
    )
}

/// `GET /login/forgot`
pub async fn forgot_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (csrf, set_cookie) = anon_token(&state, &headers);
    let page = ForgotPage {
        layout: Layout::new(state.instance(), t("auth-login-forgot")),
        csrf,
        email: String::new(),
        error: None,
    };
    with_cookie(render(StatusCode::OK, &page), set_cookie)
}

/// `POST /login/forgot`: the same page whether or not the account exists, after the same
/// work (see `TeamStore::request_password_reset`).
pub async fn forgot(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    AnonForm { form, csrf }: AnonForm<ForgotForm>,
) -> Result<Response, PageError> {
    // Per client, like logins: a burst from one place cannot probe many addresses.
    if let Err(wait) = state
        .login_client_limiter
        .check(&format!("forgot:{client}"))
    {
        return Err(PageError::TooManyRequests(wait.0));
    }
    let email = match EmailAddress::parse(&form.email) {
        Ok(email) => email,
        Err(e) => {
            let page = ForgotPage {
                layout: Layout::new(state.instance(), t("auth-login-forgot")),
                csrf,
                email: form.email,
                error: Some(e.to_string()),
            };
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let token = Token::generate();
    let now = state.clock.now();
    let expires_at = now + RESET_SECONDS;
    let params = AccountParams {
        instance: state.instance().to_owned(),
        link: state.public.url(&format!("/reset/{}", token.as_str())),
        expires_at,
        lang: crate::i18n::current().code().to_owned(),
        ..AccountParams::default()
    };
    let email_params = serde_json::to_string(&params)
        .map_err(|e| PageError::Internal(format!("writing an email's parameters: {e}")))?;
    // The budget is its own (a purpose of its own in the key), so that resets and signing
    // emails do not eat into each other.
    let recipient_key = undersigned_core::dedup::RecipientKey(
        state.keys.duplicates.key("password-reset", &email).0,
    );
    state
        .store
        .request_password_reset(ResetRequest {
            email: email.to_string().to_lowercase(),
            recipient_key,
            limits: MailLimits {
                per_recipient_per_day: RESETS_PER_DAY,
                ..state.settings.mail_limits()
            },
            token_hash: token.hash(),
            now,
            expires_at,
            email_params,
        })
        .await?;
    state.writer.wake_mail();
    Ok(sent())
}

async fn valid(state: &AppState, token: &str) -> Result<Option<Token>, PageError> {
    let Some(token) = Token::parse(token) else {
        return Ok(None);
    };
    Ok(state
        .store
        .password_reset_valid(token.hash(), state.clock.now())
        .await?
        .then_some(token))
}

/// `GET /reset/{token}`: the form. Changes nothing.
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Some(token) = valid(&state, &token).await? else {
        return Ok(invalid_link());
    };
    let (csrf, set_cookie) = anon_token(&state, &headers);
    let page = ResetPage {
        layout: Layout::new(state.instance(), t("auth-reset-heading")),
        token: token.as_str().to_owned(),
        csrf,
        errors: FieldErrors::default(),
    };
    Ok(with_cookie(render(StatusCode::OK, &page), set_cookie))
}

/// `POST /reset/{token}`: sets the password and ends every session of the account.
pub async fn reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    AnonForm { form, csrf }: AnonForm<ResetForm>,
) -> Result<Response, PageError> {
    let Some(token) = valid(&state, &token).await? else {
        return Ok(invalid_link());
    };
    let mut errors = FieldErrors::default();
    let password = NewPassword::parse(&form.password)
        .map_err(|e| errors.add("password", e))
        .ok();
    if form.password != form.password_again {
        errors.add("password_again", t("auth-passwords-differ"));
    }
    let (Some(password), true) = (password, errors.is_empty()) else {
        let page = ResetPage {
            layout: Layout::new(state.instance(), t("auth-reset-heading")),
            token: token.as_str().to_owned(),
            csrf,
            errors,
        };
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let hash = state
        .passwords
        .hash(password)
        .await
        .map_err(|_| PageError::Unavailable)?;
    match state
        .store
        .complete_password_reset(token.hash(), &hash, state.clock.now())
        .await
    {
        Ok(_) => Ok(message(
            StatusCode::OK,
            &t("auth-reset-done-heading"),
            &t("auth-reset-done"),
            Some(("/login", &t("auth-log-in"))),
        )),
        Err(StoreError::NotFound) => Ok(invalid_link()),
        Err(e) => Err(e.into()),
    }
}
