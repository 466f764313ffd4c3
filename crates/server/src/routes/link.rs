//! "Lost your link?": a signer who lost the email asks for a new link by entering their
//! address. `GET /l/{slug}/link` shows the form (the letter page has it too), and
//! `POST /l/{slug}/link` asks. The answer is the same page whether or not the address
//! signed, and the store does the same work either way: a published signature gets a new
//! manage link, a pending one the link for its first submission again (as a re-post does),
//! anything else nothing. The same per-signature backoff and per-recipient budget as
//! signing hold it back.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use undersigned_core::{EmailAddress, LetterState, organisation::WebsiteDomain};
use undersigned_store::{RequestLinkCommand, WriteCommand, WriteOutcome};

use crate::{
    client::ClientIp,
    extract::FormBody,
    mail::messages::EmailParams,
    pages::{Layout, PageError, render},
    secrets::Token,
    state::AppState,
};

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error(transparent)]
    Page(#[from] PageError),
}

impl IntoResponse for LinkError {
    fn into_response(self) -> Response {
        match self {
            LinkError::Page(e) => e.into_response(),
        }
    }
}

#[derive(Template)]
#[template(path = "lost_link.html")]
struct LostLinkPage {
    layout: Layout,
    slug: String,
    title: String,
    email: String,
    website: String,
    error: Option<String>,
    /// What is wrong with the website, when one was given.
    website_error: Option<String>,
    /// The answer, after a request: the same whatever the address.
    sent: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct LinkInput {
    #[serde(default)]
    email: String,
    /// For someone who signed for an organisation: its website.
    #[serde(default)]
    website: String,
}

/// `GET /l/{slug}/link`: the form. Never changes anything.
pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, LinkError> {
    let view = state
        .reads
        .public_letter(&slug)
        .await
        .map_err(PageError::from)?;
    Ok(render(
        StatusCode::OK,
        &LostLinkPage {
            layout: Layout::new(state.instance(), "Lost your link?").with_host(view.host.as_ref()),
            slug: view.letter.slug.clone(),
            title: view.letter.title.clone(),
            email: String::new(),
            website: String::new(),
            error: None,
            website_error: None,
            sent: false,
        },
    ))
}

/// `POST /l/{slug}/link`
pub async fn request(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    Path(slug): Path<String>,
    FormBody(input): FormBody<LinkInput>,
) -> Result<Response, LinkError> {
    let view = state
        .reads
        .public_letter(&slug)
        .await
        .map_err(PageError::from)?;
    let letter = &view.letter;
    let page = |error: Option<String>, website_error: Option<String>, sent: bool| LostLinkPage {
        layout: Layout::new(state.instance(), "Lost your link?").with_host(view.host.as_ref()),
        slug: letter.slug.clone(),
        title: letter.title.clone(),
        email: if sent {
            String::new()
        } else {
            input.email.clone()
        },
        website: if sent {
            String::new()
        } else {
            input.website.clone()
        },
        error,
        website_error,
        sent,
    };
    let email = EmailAddress::parse(&input.email);
    let website = match input.website.trim() {
        "" => Ok(None),
        given => WebsiteDomain::parse(given).map(Some),
    };
    let (email, website) = match (email, website) {
        (Ok(email), Ok(website)) => (email, website),
        (email, website) => {
            return Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(
                    email.err().map(|e| e.to_string()),
                    website.err().map(|e| e.to_string()),
                    false,
                ),
            ));
        }
    };
    // The signing form's allowance: well-formed requests count against it.
    state
        .sign_limiter
        .check(&client)
        .map_err(|wait| PageError::TooManyRequests(wait.0))?;

    let token = Token::ordered();
    let now = state.clock.now();
    let link = state.public.url(&format!("/confirm/{}", token.as_str()));
    let confirm_expires_at =
        now + i64::try_from(state.settings.confirmation_link_seconds).unwrap_or(i64::MAX / 2);
    let params = |expires_at: i64| {
        serde_json::to_string(&EmailParams {
            instance: state.instance().to_owned(),
            letter_title: letter.title.clone(),
            letter_url: state.public.url(&format!("/l/{}", letter.slug)),
            confirm_link: link.clone(),
            expires_at,
            lang: crate::i18n::current().code().to_owned(),
        })
        .map_err(|e| PageError::Internal(format!("email parameters: {e}")))
    };
    let keys = &state.keys.duplicates;
    let command = RequestLinkCommand {
        letter: letter.id,
        letter_open: letter.state == LetterState::Open,
        duplicate_key: match &website {
            Some(domain) => keys.organisation_key(domain),
            None => keys.key("signature", &email),
        },
        for_organisation: website.is_some(),
        recipient_key: keys.recipient_key(&email),
        mail_limits: state.settings.mail_limits(),
        token_hash: token.hash(),
        now,
        token_expires_at: confirm_expires_at,
        confirm_params: params(confirm_expires_at)?,
        manage_params: params(state.settings.manage_link_expires_at(now))?,
        email,
    };
    match state
        .writer
        .submit(WriteCommand::RequestLink(Box::new(command)))
        .await
        .map_err(PageError::from)?
    {
        // Whatever the store did is not for the page to say.
        WriteOutcome::LinkRequested(_) => Ok(render(StatusCode::OK, &page(None, None, true))),
        other => Err(PageError::Internal(format!("unexpected outcome {other:?}")).into()),
    }
}
