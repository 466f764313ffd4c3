//! An organiser's own account: their password, and the optional second factor (TOTP).
//! Changing the password takes the current one (counted like a login) and the new one twice,
//! and logs out every other session. Turning the second factor on shows the secret (as text
//! and as an `otpauth://` URI), takes a current code to confirm, and shows ten single-use
//! recovery codes once; turning it off takes a current code.

use askama::Template;
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use undersigned_core::letter::FieldErrors;

use super::core_text;
use crate::{
    auth::{Organiser, csrf::OrganiserForm},
    client::ClientIp,
    extract::Empty,
    i18n::t,
    pages::{Layout, PageError, render},
    services::{
        passwords::NewPassword,
        totp::{SecondFactor, new_recovery_codes, otpauth_uri, recovery_hash},
    },
    state::AppState,
};

#[derive(Debug, Default, Deserialize)]
pub struct AccountQuery {
    #[serde(default)]
    password: Option<String>,
}

/// The change-password form. Its `Debug` leaves the passwords out.
#[derive(Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

impl std::fmt::Debug for PasswordForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordForm(..)")
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// Where the second factor stands.
enum Factor {
    Off,
    /// Being set up: the secret and its URI, waiting for a code.
    SettingUp {
        secret: String,
        uri: String,
    },
    On {
        recovery_left: u64,
    },
}

#[derive(Template)]
#[template(path = "admin/account.html")]
struct AccountPage {
    layout: Layout,
    csrf: String,
    name: String,
    email: String,
    factor: Factor,
    /// Shown once, right after the second factor is turned on.
    recovery_codes: Vec<String>,
    error: Option<String>,
    /// The change-password form's mistakes.
    password_errors: FieldErrors,
    notice: Option<String>,
}

async fn page(state: &AppState, organiser: &Organiser) -> Result<AccountPage, PageError> {
    let factor = match state.store.totp(organiser.user.id).await? {
        None => Factor::Off,
        Some(totp) if totp.enabled => Factor::On {
            recovery_left: state.store.recovery_codes_left(organiser.user.id).await?,
        },
        Some(totp) => Factor::SettingUp {
            uri: otpauth_uri(&totp.secret, state.instance(), &organiser.user.email),
            secret: totp.secret,
        },
    };
    Ok(AccountPage {
        layout: Layout::new(state.instance(), t("admin-your-account")).with_nav(organiser.nav()),
        csrf: organiser.csrf.clone(),
        name: organiser.user.name.clone(),
        email: organiser.user.email.clone(),
        factor,
        recovery_codes: Vec::new(),
        error: None,
        password_errors: FieldErrors::default(),
        notice: None,
    })
}

/// `GET /admin/account`
pub async fn show(
    State(state): State<AppState>,
    Query(query): Query<AccountQuery>,
    organiser: Organiser,
) -> Result<Response, PageError> {
    let mut current = page(&state, &organiser).await?;
    if query.password.is_some() {
        current.notice = Some(t("admin-notice-password-changed"));
    }
    Ok(render(StatusCode::OK, &current))
}

/// `POST /admin/account/password`: the current password and the new one twice (the rules of
/// setup and reset). A wrong current password counts like a failed login, against the same
/// limits, so that a session left open cannot be used to guess it. On success every other
/// session of the organiser ends and their reset links are spent.
pub async fn change_password(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    OrganiserForm { organiser, form }: OrganiserForm<PasswordForm>,
) -> Result<Response, PageError> {
    // The keys of the login form, so that both share one budget; every attempt counts
    // before the password is checked, as there.
    let pair_key = format!("account:{}|client:{client}", organiser.user.email);
    let limited = [
        state.login_limiter.check(&pair_key),
        state
            .login_client_limiter
            .check(&format!("client:{client}")),
    ];
    if let Some(wait) = limited.iter().filter_map(|r| r.err()).map(|w| w.0).max() {
        return Err(PageError::TooManyRequests(wait));
    }
    let mut errors = FieldErrors::default();
    let password = NewPassword::parse(&form.password)
        .map_err(|e| errors.add("password", e))
        .ok();
    if form.password != form.password_again {
        errors.add("password_again", t("admin-error-passwords-differ"));
    }
    let matched = state
        .passwords
        .verify(
            form.current_password,
            Some(organiser.user.password_hash.clone()),
        )
        .await
        .map_err(|_| PageError::Unavailable)?;
    if matched {
        state.login_limiter.reset(&pair_key);
    } else {
        errors.add("current_password", t("admin-error-current-password"));
    }
    let (Some(password), true) = (password, errors.is_empty()) else {
        let mut current = page(&state, &organiser).await?;
        current.password_errors = core_text::localise(errors);
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &current));
    };
    let hash = state
        .passwords
        .hash(password)
        .await
        .map_err(|_| PageError::Unavailable)?;
    state
        .store
        .change_password(
            organiser.user.id,
            &hash,
            organiser.session,
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to("/admin/account?password=changed").into_response())
}

/// `POST /admin/account/totp/start`: a new secret, waiting for a code.
pub async fn start(
    State(state): State<AppState>,
    OrganiserForm { organiser, .. }: OrganiserForm<Empty>,
) -> Result<Response, PageError> {
    match state
        .store
        .begin_totp(
            organiser.user.id,
            &SecondFactor::new_secret(),
            state.clock.now(),
        )
        .await
    {
        // Already on: the page says so.
        Ok(()) | Err(undersigned_store::StoreError::WrongState { .. }) => {
            Ok(Redirect::to("/admin/account").into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/account/totp/confirm`: a current code turns the second factor on; the page
/// then shows the recovery codes, once.
pub async fn confirm(
    State(state): State<AppState>,
    OrganiserForm { organiser, form }: OrganiserForm<CodeForm>,
) -> Result<Response, PageError> {
    let mut current = page(&state, &organiser).await?;
    let Factor::SettingUp { secret, .. } = &current.factor else {
        return Ok(Redirect::to("/admin/account").into_response());
    };
    let now = state.clock.now();
    let factor =
        SecondFactor::from_secret(secret).map_err(|e| PageError::Internal(e.to_string()))?;
    let Some(step) = factor.check(&form.code, now) else {
        current.error = Some(t("admin-error-totp-setup-code"));
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &current));
    };
    let codes = new_recovery_codes();
    let hashes: Vec<[u8; 32]> = codes.iter().filter_map(|c| recovery_hash(c)).collect();
    state
        .store
        .enable_totp(organiser.user.id, step, &hashes, now)
        .await?;
    let mut done = page(&state, &organiser).await?;
    done.recovery_codes = codes;
    Ok(render(StatusCode::OK, &done))
}

/// `POST /admin/account/totp/disable`: a current code turns the second factor off.
pub async fn disable(
    State(state): State<AppState>,
    OrganiserForm { organiser, form }: OrganiserForm<CodeForm>,
) -> Result<Response, PageError> {
    let mut current = page(&state, &organiser).await?;
    if !matches!(current.factor, Factor::On { .. }) {
        return Ok(Redirect::to("/admin/account").into_response());
    }
    let now = state.clock.now();
    let totp = state
        .store
        .totp(organiser.user.id)
        .await?
        .ok_or(PageError::NotFound)?;
    let factor =
        SecondFactor::from_secret(&totp.secret).map_err(|e| PageError::Internal(e.to_string()))?;
    let spent = match factor.check(&form.code, now) {
        Some(step) => state.store.use_totp_step(organiser.user.id, step).await?,
        None => false,
    };
    if !spent {
        current.error = Some(t("admin-error-totp-code"));
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &current));
    }
    state.store.disable_totp(organiser.user.id, now).await?;
    Ok(Redirect::to("/admin/account").into_response())
}
