//! First start: the one-time setup link creates the first workspace and its owner.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use undersigned_core::{
    EmailAddress, PersonName, Slug,
    letter::FieldErrors,
    text::{Lines, clean},
};
use undersigned_store::{NewUser, NewWorkspace, StoreError};

use crate::{
    auth::{
        csrf::{AnonForm, anon_token, with_cookie},
        session,
    },
    i18n::t,
    pages::{Layout, PageError, message, render},
    secrets::Token,
    services::passwords::NewPassword,
    state::AppState,
};

#[derive(Debug, Default, Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    workspace: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    layout: Layout,
    token: String,
    csrf: String,
    workspace: String,
    name: String,
    email: String,
    errors: FieldErrors,
}

fn invalid_link() -> Response {
    message(
        StatusCode::NOT_FOUND,
        &t("auth-setup-invalid-heading"),
        &t("auth-setup-invalid"),
        Some(("/login", &t("auth-log-in"))),
    )
}

async fn valid(state: &AppState, token: &str) -> Result<Option<Token>, PageError> {
    let Some(token) = Token::parse(token) else {
        return Ok(None);
    };
    Ok(state
        .store
        .setup_token_valid(token.hash(), state.clock.now())
        .await?
        .then_some(token))
}

/// `GET /setup/{token}`
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Some(token) = valid(&state, &token).await? else {
        return Ok(invalid_link());
    };
    let (csrf, set_cookie) = anon_token(&state, &headers);
    let page = SetupPage {
        layout: Layout::new(state.instance(), t("auth-setup-title")),
        token: token.as_str().to_owned(),
        csrf,
        workspace: String::new(),
        name: String::new(),
        email: String::new(),
        errors: FieldErrors::default(),
    };
    Ok(with_cookie(render(StatusCode::OK, &page), set_cookie))
}

/// `POST /setup/{token}`
pub async fn create(
    State(state): State<AppState>,
    Path(token): Path<String>,
    AnonForm { form, csrf }: AnonForm<SetupForm>,
) -> Result<Response, PageError> {
    let Some(token) = valid(&state, &token).await? else {
        return Ok(invalid_link());
    };
    let mut errors = FieldErrors::default();
    let workspace = clean(&form.workspace, 100, Lines::Single)
        .map_err(|e| errors.add("workspace", e))
        .ok();
    let name = PersonName::parse(&form.name)
        .map_err(|e| errors.add("name", e))
        .ok();
    let email = EmailAddress::parse(&form.email)
        .map_err(|e| errors.add("email", e))
        .ok();
    let password = NewPassword::parse(&form.password)
        .map_err(|e| errors.add("password", e))
        .ok();
    if form.password != form.password_again {
        errors.add("password_again", t("auth-passwords-differ"));
    }
    let (Some(workspace), Some(name), Some(email), Some(password), true) =
        (workspace, name, email, password, errors.is_empty())
    else {
        let page = SetupPage {
            layout: Layout::new(state.instance(), t("auth-setup-title")),
            token: token.as_str().to_owned(),
            csrf,
            workspace: form.workspace,
            name: form.name,
            email: form.email,
            errors,
        };
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let password_hash = state
        .passwords
        .hash(password)
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?;
    let created_at = state.clock.now();
    let result = state
        .store
        .complete_setup(
            token.hash(),
            created_at,
            NewWorkspace {
                slug: Slug::from_title(&workspace),
                name: workspace,
                created_at,
            },
            NewUser {
                email: email.to_string().to_lowercase(),
                name: name.to_string(),
                password_hash,
                created_at,
            },
        )
        .await;
    let user_email = email.to_string().to_lowercase();
    match result {
        Ok(_) => {}
        Err(StoreError::NotFound | StoreError::Conflict(_)) => return Ok(invalid_link()),
        Err(e) => return Err(e.into()),
    }
    let user = state
        .store
        .user_by_email(&user_email)
        .await?
        .ok_or_else(|| PageError::Internal("the new owner is missing".into()))?;
    let cookie = session::start(&state, &user).await?;
    tracing::info!("instance set up: first workspace and owner created");
    let mut response = Redirect::to("/admin").into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}
