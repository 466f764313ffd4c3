//! An organiser's own account: the optional second factor (TOTP). Turning it on shows the
//! secret (as text and as an `otpauth://` URI), takes a current code to confirm, and shows
//! ten single-use recovery codes once; turning it off takes a current code.

use askama::Template;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use crate::{
    auth::{Organiser, csrf::OrganiserForm},
    extract::Empty,
    pages::{Layout, PageError, render},
    services::totp::{SecondFactor, new_recovery_codes, otpauth_uri, recovery_hash},
    state::AppState,
};

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
        layout: Layout::new(state.instance(), "Your account").with_nav(organiser.nav()),
        csrf: organiser.csrf.clone(),
        name: organiser.user.name.clone(),
        email: organiser.user.email.clone(),
        factor,
        recovery_codes: Vec::new(),
        error: None,
    })
}

/// `GET /admin/account`
pub async fn show(
    State(state): State<AppState>,
    organiser: Organiser,
) -> Result<Response, PageError> {
    Ok(render(StatusCode::OK, &page(&state, &organiser).await?))
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
        current.error = Some(
            "This code is not the one your app shows now. Check that the app uses the secret \
             above and that its clock is right, and type the 6 digits again."
                .into(),
        );
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
        current.error = Some(
            "This code is wrong or was used already. Type the 6 digits your app shows now.".into(),
        );
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &current));
    }
    state.store.disable_totp(organiser.user.id, now).await?;
    Ok(Redirect::to("/admin/account").into_response())
}
