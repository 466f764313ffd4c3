//! Confirming a signature. The link in the email opens a page with a button (`GET`, which
//! changes nothing); the button posts to the same address, which confirms.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use undersigned_core::signature::{PublicSigner, public_display};
use undersigned_core::{LetterState, SignatureState};
use undersigned_store::{ConfirmCommand, ConfirmOutcome, WriteCommand, WriteOutcome};

use crate::{
    format::now,
    pages::{Layout, PageError, instance_name, message, render},
    secrets::Token,
    state::AppState,
};

#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    #[error("unknown link")]
    Unknown,
    #[error("link used")]
    Used { slug: String },
    #[error("link expired")]
    Expired { slug: String },
    #[error("letter closed")]
    Closed { slug: String },
    #[error(transparent)]
    Page(#[from] PageError),
}

impl IntoResponse for ConfirmError {
    fn into_response(self) -> Response {
        let instance = instance_name();
        let back = |slug: &str| format!("/l/{slug}");
        match self {
            ConfirmError::Unknown => message(
                StatusCode::NOT_FOUND,
                instance,
                "This link is not valid",
                "The confirmation link is incomplete or unknown. Copy the whole link from the email, or sign the letter again.",
                Some(("/", "Home")),
            ),
            ConfirmError::Used { slug } => message(
                StatusCode::CONFLICT,
                instance,
                "This link has already been used",
                "This link has been used already, so there is nothing more to do with it.",
                Some((&back(&slug), "See the letter")),
            ),
            ConfirmError::Expired { slug } => message(
                StatusCode::GONE,
                instance,
                "This link has expired",
                "Confirmation links work for a limited time. Sign the letter again to get a new link.",
                Some((&back(&slug), "Sign again")),
            ),
            ConfirmError::Closed { slug } => message(
                StatusCode::CONFLICT,
                instance,
                "This letter is no longer taking signatures",
                "Signing closed before this signature was confirmed, so it was not counted.",
                Some((&back(&slug), "See the letter")),
            ),
            ConfirmError::Page(e) => e.into_response(),
        }
    }
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    layout: Layout,
    title: String,
    token: String,
    /// How the signer will appear, exactly as the public will see it (None: not shown).
    shown: Option<PublicSigner>,
    category: String,
}

#[derive(Template)]
#[template(path = "confirmed.html")]
struct ConfirmedPage {
    layout: Layout,
    title: String,
    slug: String,
    token: String,
    index: String,
}

/// `GET /confirm/{token}`: shows the button. Never changes anything.
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ConfirmError> {
    let token = Token::parse(&token).ok_or(ConfirmError::Unknown)?;
    let link = state
        .store
        .confirmation_link(token.hash())
        .await
        .map_err(PageError::from)?
        .ok_or(ConfirmError::Unknown)?;
    let slug = link.letter_slug.clone();
    if link.used || link.signature_state != SignatureState::Pending {
        return Err(ConfirmError::Used { slug });
    }
    if link.expires_at <= now() {
        return Err(ConfirmError::Expired { slug });
    }
    if link.letter_state != LetterState::Open {
        return Err(ConfirmError::Closed { slug });
    }
    let submission = link.submission;
    Ok(render(
        StatusCode::OK,
        &ConfirmPage {
            layout: Layout::new(state.instance(), "Confirm your signature"),
            title: link.letter_title,
            token: token.as_str().to_owned(),
            shown: public_display(&submission.name, &submission.details, submission.display),
            category: submission.category,
        },
    ))
}

/// `POST /confirm/{token}`: confirms, once the batch holding it is on disk.
pub async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ConfirmError> {
    let token = Token::parse(&token).ok_or(ConfirmError::Unknown)?;
    let outcome = state
        .writer
        .submit(WriteCommand::Confirm(ConfirmCommand {
            token_hash: token.hash(),
            now: now(),
            salt: crate::secrets::random_bytes(),
        }))
        .await
        .map_err(PageError::from)?;
    match outcome {
        WriteOutcome::Confirm(ConfirmOutcome::Confirmed { letter, .. }) => {
            let index = match state.store.receipt(token.hash()).await {
                Ok(Some(receipt)) => receipt.index.to_string(),
                _ => "one".to_owned(),
            };
            Ok(render(
                StatusCode::OK,
                &ConfirmedPage {
                    layout: Layout::new(state.instance(), "Signature confirmed"),
                    title: letter.title,
                    slug: letter.slug,
                    token: token.as_str().to_owned(),
                    index,
                },
            ))
        }
        WriteOutcome::Confirm(ConfirmOutcome::AlreadyUsed { letter }) => {
            Err(ConfirmError::Used { slug: letter.slug })
        }
        WriteOutcome::Confirm(ConfirmOutcome::Expired { letter }) => {
            Err(ConfirmError::Expired { slug: letter.slug })
        }
        WriteOutcome::Confirm(ConfirmOutcome::LetterNotOpen { letter }) => {
            Err(ConfirmError::Closed { slug: letter.slug })
        }
        WriteOutcome::Confirm(ConfirmOutcome::UnknownToken) => Err(ConfirmError::Unknown),
        other => Err(PageError::Internal(format!("unexpected outcome {other:?}")).into()),
    }
}
