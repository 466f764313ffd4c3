//! Confirming a signature, then managing it. The link in the email opens a page with a
//! button (`GET`, which changes nothing); the button posts to the same address, which
//! confirms. Once used, the same link opens "Manage your signature" (how it appears now,
//! changing that, the receipt, withdrawing) for `manage_link_days` after it confirmed.

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use undersigned_core::signature::PublicSigner;
use undersigned_core::{DisplayLevel, SignatureState, letter::BatchMinutes};
use undersigned_store::{
    Category, ChangeDisplayCommand, ConfirmCommand, ConfirmOutcome, DiscardCommand, DiscardOutcome,
    ReceiptData, RemoveCommand, StoreError, WriteCommand, WriteOutcome,
};
use undersigned_verify::entry::{LogEntry, RemovalReason};

use crate::{
    extract::FormBody,
    format,
    pages::{Layout, PageError, letter_layout, message, render},
    secrets::Token,
    services::writer::WriteError,
    state::AppState,
    views::letter::level_label,
};

#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    #[error("unknown link")]
    Unknown,
    #[error("signature not public")]
    NotPublic { slug: String },
    #[error("link used")]
    Used { slug: String },
    #[error("link expired")]
    Expired { slug: String },
    /// A used link past `manage_link_days`.
    #[error("manage link expired")]
    ManageExpired { slug: String },
    /// A display level the signature's category does not allow, or no level at all.
    #[error("display level not allowed")]
    LevelNotAllowed { token: String },
    /// The letter's signers' personal data was erased: there is no name left to show.
    #[error("personal data erased")]
    Erased { slug: String },
    #[error("letter closed")]
    Closed { slug: String },
    #[error(transparent)]
    Page(#[from] PageError),
}

impl IntoResponse for ConfirmError {
    fn into_response(self) -> Response {
        let back = |slug: &str| format!("/l/{slug}");
        match self {
            ConfirmError::Unknown => message(
                StatusCode::NOT_FOUND,
                "This link is not valid",
                "The confirmation link is incomplete or unknown. Copy the whole link from the email, or sign the letter again.",
                Some(("/", "Home")),
            ),
            ConfirmError::NotPublic { slug } => message(
                StatusCode::CONFLICT,
                "This signature is not on the letter",
                "This signature is not counted on the letter now: it was withdrawn or removed, or never confirmed. There is nothing to withdraw.",
                Some((&back(&slug), "See the letter")),
            ),
            ConfirmError::Used { slug } => message(
                StatusCode::CONFLICT,
                "This link has already been used",
                "This link has been used already, so there is nothing more to do with it.",
                Some((&back(&slug), "See the letter")),
            ),
            ConfirmError::Expired { slug } => message(
                StatusCode::GONE,
                "This link has expired",
                "Confirmation links work for a limited time. Sign the letter again to get a new link.",
                Some((&back(&slug), "Sign again")),
            ),
            ConfirmError::ManageExpired { slug } => message(
                StatusCode::GONE,
                "This link has expired",
                "The link to manage your signature works for a limited time after you confirmed. Your signature is unchanged. To get a new link, open the letter and use “Lost your link?” with the address you signed with.",
                Some((&format!("/l/{slug}#lost-link"), "Get a new link")),
            ),
            ConfirmError::LevelNotAllowed { token } => message(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Choose one of the ways offered",
                "Pick how you want to appear from the choices on the page: the letter's organisers allow only those for your category. Nothing was changed.",
                Some((&format!("/confirm/{token}"), "Back to your signature")),
            ),
            ConfirmError::Erased { slug } => message(
                StatusCode::CONFLICT,
                "This signature can no longer be changed",
                "The letter's organisers erased its signers' names and details after it closed, as their retention policy says. Your signature is still counted.",
                Some((&back(&slug), "See the letter")),
            ),
            ConfirmError::Closed { slug } => message(
                StatusCode::CONFLICT,
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
    heading: &'static str,
    title: String,
    slug: String,
    token: String,
    /// The signature's entry in the letter's log.
    index: u64,
    share: Share,
}

/// The share prompt after confirming (`parts/share.html`).
struct Share {
    /// The letter's page, as an absolute URL.
    url: String,
    title: String,
    /// An email with the letter's title as its subject and its link as its text.
    mailto: String,
}

impl Share {
    fn new(state: &AppState, title: &str, slug: &str) -> Self {
        use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
        let url = state.public.url(&format!("/l/{slug}"));
        let subject = format!("Sign this open letter: {title}");
        let body = format!("I signed this open letter. Will you sign it too?\n\n{title}\n{url}\n");
        Self {
            mailto: format!(
                "mailto:?subject={}&body={}",
                utf8_percent_encode(&subject, NON_ALPHANUMERIC),
                utf8_percent_encode(&body, NON_ALPHANUMERIC)
            ),
            url,
            title: title.to_owned(),
        }
    }
}

#[derive(Template)]
#[template(path = "held.html")]
struct HeldPage {
    layout: Layout,
    heading: &'static str,
    title: String,
    slug: String,
    /// Held for a moderator's review (rather than for a sensitive letter's batch).
    review: bool,
    minutes: u32,
    publish_at: String,
    share: Share,
}

impl HeldPage {
    /// A signature held until a moderator reviews it.
    async fn review(state: &AppState, heading: &'static str, title: String, slug: String) -> Self {
        Self {
            layout: letter_layout(state, &slug, "Signature confirmed").await,
            heading,
            share: Share::new(state, &title, &slug),
            title,
            slug,
            review: true,
            minutes: 0,
            publish_at: String::new(),
        }
    }

    async fn new(
        state: &AppState,
        heading: &'static str,
        title: String,
        slug: String,
        batch: BatchMinutes,
        publish_at: i64,
    ) -> Self {
        Self {
            layout: letter_layout(state, &slug, "Signature confirmed").await,
            heading,
            share: Share::new(state, &title, &slug),
            title,
            slug,
            review: false,
            minutes: batch.get(),
            publish_at: format::date_time(publish_at),
        }
    }
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
        .map_err(PageError::from)?;
    // A link that confirmed a signature still on the letter, or a manage link: the manage
    // page.
    let Some(link) = link.filter(|l| !(l.used && l.signature_state == SignatureState::Published))
    else {
        let signature = published_by(&state, &token).await?;
        return manage_page(&state, &token, signature).await;
    };
    let slug = link.letter_slug.clone();
    // Confirmed on a sensitive letter, waiting for its batch.
    if let Some(confirmed_at) = link.used_at
        && link.signature_state == SignatureState::Confirmed
        && let Ok(view) = state.reads.letter(&slug).await
        && let Some(batch) = view.letter.batch
    {
        return Ok(render(
            StatusCode::OK,
            &HeldPage::new(
                &state,
                "Already confirmed",
                view.letter.title.clone(),
                slug,
                batch,
                batch.published_at(confirmed_at),
            )
            .await,
        ));
    }
    // Confirmed on a letter that holds signatures for review, waiting for a moderator.
    if link.used && link.signature_state == SignatureState::Held {
        return Ok(render(
            StatusCode::OK,
            &HeldPage::review(&state, "Already confirmed", link.letter_title, slug).await,
        ));
    }
    if link.used || link.signature_state != SignatureState::Pending {
        return Err(ConfirmError::Used { slug });
    }
    if link.expires_at <= state.clock.now() {
        return Err(ConfirmError::Expired { slug });
    }
    if !link.letter_takes_confirmations(state.clock.now()) {
        return Err(ConfirmError::Closed { slug });
    }
    let submission = link.submission;
    Ok(render(
        StatusCode::OK,
        &ConfirmPage {
            layout: letter_layout(&state, &link.letter_slug, "Confirm your signature").await,
            title: link.letter_title,
            token: token.as_str().to_owned(),
            shown: submission.shown(),
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
            now: state.clock.now(),
            salt: crate::secrets::random_bytes(),
        }))
        .await
        .map_err(PageError::from)?;
    match outcome {
        WriteOutcome::Confirm(ConfirmOutcome::Confirmed { letter, index, .. }) => Ok(render(
            StatusCode::OK,
            &ConfirmedPage {
                layout: letter_layout(&state, &letter.slug, "Signature confirmed").await,
                heading: "Thank you",
                share: Share::new(&state, &letter.title, &letter.slug),
                title: letter.title,
                slug: letter.slug,
                token: token.as_str().to_owned(),
                index,
            },
        )),
        WriteOutcome::Confirm(ConfirmOutcome::Held {
            letter, publish_at, ..
        }) => {
            let batch = state
                .reads
                .letter(&letter.slug)
                .await
                .ok()
                .and_then(|view| view.letter.batch)
                .ok_or_else(|| {
                    PageError::Internal("a held signature's letter has no batch".into())
                })?;
            Ok(render(
                StatusCode::OK,
                &HeldPage::new(
                    &state,
                    "Thank you",
                    letter.title,
                    letter.slug,
                    batch,
                    publish_at,
                )
                .await,
            ))
        }
        WriteOutcome::Confirm(ConfirmOutcome::HeldForReview { letter, .. }) => Ok(render(
            StatusCode::OK,
            &HeldPage::review(&state, "Thank you", letter.title, letter.slug).await,
        )),
        WriteOutcome::Confirm(ConfirmOutcome::HeldForVerification { letter, .. }) => Ok(message(
            StatusCode::OK,
            "Thank you: your organisation's signature is confirmed",
            &format!(
                "The address you confirmed is not on your organisation's website domain, \
                     so an organiser of “{}” checks that you may sign for it before it is \
                     published and counted. You do not need to do anything more.",
                letter.title
            ),
            Some((&format!("/l/{}", letter.slug), "See the letter")),
        )),
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

#[derive(Template)]
#[template(path = "withdraw.html")]
struct WithdrawPage {
    layout: Layout,
    title: String,
    slug: String,
    token: String,
    index: u64,
    /// Whether the page shows the signer (public or initials).
    shown: bool,
    /// Whether the entry holds what the page shows in clear (format 1), so that it stays
    /// readable in the log after the withdrawal.
    name_in_log: bool,
}

/// The signature a used link confirmed, while it is on the letter.
async fn published_by(state: &AppState, token: &Token) -> Result<ReceiptData, ConfirmError> {
    // A used confirmation link or a manage link (the receipt outlives a withdrawal).
    let Some(signature) = state
        .store
        .receipt(token.hash())
        .await
        .map_err(PageError::from)?
    else {
        // A link that never confirmed, or none at all.
        return Err(
            match state
                .store
                .confirmation_link(token.hash())
                .await
                .map_err(PageError::from)?
            {
                Some(link) => ConfirmError::NotPublic {
                    slug: link.letter_slug,
                },
                None => ConfirmError::Unknown,
            },
        );
    };
    if signature.state != SignatureState::Published {
        return Err(ConfirmError::NotPublic {
            slug: signature.letter.slug,
        });
    }
    if state
        .settings
        .manage_link_expires_at(signature.link_used_at)
        <= state.clock.now()
    {
        return Err(ConfirmError::ManageExpired {
            slug: signature.letter.slug,
        });
    }
    Ok(signature)
}

/// A way to appear, as the manage page offers it.
struct LevelChoice {
    value: &'static str,
    label: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "manage.html")]
struct ManagePage {
    layout: Layout,
    title: String,
    slug: String,
    token: String,
    index: u64,
    category: String,
    /// How the signer appears now, exactly as the public sees it (None: not shown).
    shown: Option<PublicSigner>,
    /// The levels the category allows, the current one marked; empty when there is no
    /// other one to choose.
    choices: Vec<LevelChoice>,
    /// When this link stops working, as a date.
    expires: String,
    /// Whether the entry holds what the page shows in clear (format 1), so that it stays
    /// readable in the log after a change.
    name_in_log: bool,
}

/// The category a published signature was made in, as its letter defines it now.
async fn category_of(
    state: &AppState,
    signature: &ReceiptData,
) -> Result<Option<Category>, ConfirmError> {
    let letter = state
        .store
        .letter(signature.letter.id)
        .await
        .map_err(PageError::from)?
        .ok_or(PageError::NotFound)?;
    Ok(letter
        .categories
        .into_iter()
        .find(|c| c.id == signature.category))
}

/// The page a used link opens while its signature is on the letter.
async fn manage_page(
    state: &AppState,
    token: &Token,
    signature: ReceiptData,
) -> Result<Response, ConfirmError> {
    let category = category_of(state, &signature)
        .await?
        .ok_or_else(|| PageError::Internal("a signature's category is gone".into()))?;
    // What the page shows: the opening the log committed to (format 2), or the entry's
    // own text (format 1); nothing for a private signer.
    let clear_text = match LogEntry::decode(&signature.entry) {
        Ok(LogEntry::Add(add)) => add.clear_text(),
        _ => None,
    };
    let name_in_log = clear_text.is_some();
    let shown = match &signature.opening {
        Some(opening) => Some(opening.shown.clone()),
        None => clear_text,
    };
    let mut choices: Vec<LevelChoice> = category
        .rule
        .levels()
        .map(|level| LevelChoice {
            value: level.as_str(),
            label: level_label(level),
            current: level == signature.display,
        })
        .collect();
    if choices.iter().all(|c| c.current) {
        choices.clear();
    }
    Ok(render(
        StatusCode::OK,
        &ManagePage {
            layout: letter_layout(state, &signature.letter.slug, "Manage your signature").await,
            title: signature.letter.title,
            slug: signature.letter.slug,
            token: token.as_str().to_owned(),
            index: signature.index,
            category: category.name.clone(),
            shown,
            choices,
            expires: format::date(
                state
                    .settings
                    .manage_link_expires_at(signature.link_used_at),
            ),
            name_in_log,
        },
    ))
}

/// The manage page's "change how you appear" form.
#[derive(Debug, Deserialize)]
pub struct DisplayForm {
    #[serde(default)]
    display: String,
}

/// `POST /confirm/{token}/display`: the signer changes how they appear, to another level
/// their category allows. The log gets a remove entry for the old add entry and a new add
/// entry; the counts do not move. Back to the manage page (303), which shows the result.
pub async fn change_display(
    State(state): State<AppState>,
    Path(token): Path<String>,
    FormBody(form): FormBody<DisplayForm>,
) -> Result<Response, ConfirmError> {
    let token = Token::parse(&token).ok_or(ConfirmError::Unknown)?;
    let signature = published_by(&state, &token).await?;
    let not_allowed = || ConfirmError::LevelNotAllowed {
        token: token.as_str().to_owned(),
    };
    let display: DisplayLevel = form.display.trim().parse().map_err(|_| not_allowed())?;
    let allowed = category_of(&state, &signature)
        .await?
        .is_some_and(|c| c.rule.allows(display));
    if !allowed {
        return Err(not_allowed());
    }
    let slug = signature.letter.slug.clone();
    if state
        .store
        .erasure(signature.letter.id)
        .await
        .map_err(PageError::from)?
        .is_some()
    {
        return Err(ConfirmError::Erased { slug });
    }
    let outcome = state
        .writer
        .submit(WriteCommand::ChangeDisplay(ChangeDisplayCommand {
            letter: signature.letter.id,
            signature: signature.signature,
            display,
            now: state.clock.now(),
            salt: crate::secrets::random_bytes(),
        }))
        .await;
    match outcome {
        Ok(WriteOutcome::DisplayChanged { .. } | WriteOutcome::DisplayUnchanged { .. }) => {
            Ok(Redirect::to(&format!("/confirm/{}", token.as_str())).into_response())
        }
        Ok(other) => Err(PageError::Internal(format!("unexpected outcome {other:?}")).into()),
        // Withdrawn or hidden in the meantime.
        Err(WriteError::Failed(StoreError::WrongState { .. })) => {
            Err(ConfirmError::NotPublic { slug })
        }
        Err(e) => Err(PageError::from(e).into()),
    }
}

/// `GET /confirm/{token}/withdraw`: asks. Never changes anything.
pub async fn withdraw_show(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ConfirmError> {
    let token = Token::parse(&token).ok_or(ConfirmError::Unknown)?;
    let signature = published_by(&state, &token).await?;
    let entry = match LogEntry::decode(&signature.entry) {
        Ok(LogEntry::Add(add)) => Some(add),
        _ => None,
    };
    Ok(render(
        StatusCode::OK,
        &WithdrawPage {
            layout: letter_layout(&state, &signature.letter.slug, "Withdraw your signature").await,
            title: signature.letter.title,
            slug: signature.letter.slug,
            token: token.as_str().to_owned(),
            index: signature.index,
            shown: entry
                .as_ref()
                .is_some_and(|e| e.display != DisplayLevel::Private),
            name_in_log: entry.as_ref().is_some_and(|e| e.clear_text().is_some()),
        },
    ))
}

/// `POST /confirm/{token}/withdraw`: the signer takes their signature back. It leaves the
/// page and the counts, and a remove entry (reason `withdrawn`) goes into the log.
pub async fn withdraw(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ConfirmError> {
    let token = Token::parse(&token).ok_or(ConfirmError::Unknown)?;
    let signature = published_by(&state, &token).await?;
    let slug = signature.letter.slug.clone();
    let outcome = state
        .writer
        .submit(WriteCommand::Remove(RemoveCommand {
            actor: None,
            letter: signature.letter.id,
            signature: signature.signature,
            reason: RemovalReason::Withdrawn,
            now: state.clock.now(),
        }))
        .await;
    match outcome {
        Ok(_) => Ok(message(
            StatusCode::OK,
            "Your signature is withdrawn",
            &crate::i18n::t1("msg-withdrawn", "index", signature.index),
            Some((&format!("/l/{slug}"), "See the letter")),
        )),
        // Withdrawn or hidden in the meantime.
        Err(WriteError::Failed(StoreError::WrongState { .. })) => {
            Err(ConfirmError::NotPublic { slug })
        }
        Err(e) => Err(PageError::from(e).into()),
    }
}

/// `POST /confirm/{token}/discard`: the holder of a pending signature's link deletes it and
/// the submission it carries (someone else signed with their address, or they changed their
/// mind). Nothing of it is published or kept.
pub async fn discard(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ConfirmError> {
    let token = Token::parse(&token).ok_or(ConfirmError::Unknown)?;
    let outcome = state
        .writer
        .submit(WriteCommand::Discard(DiscardCommand {
            token_hash: token.hash(),
        }))
        .await
        .map_err(PageError::from)?;
    match outcome {
        WriteOutcome::Discard(DiscardOutcome::Discarded { letter }) => Ok(message(
            StatusCode::OK,
            "Discarded",
            "This submission and its links are deleted: nothing of it was published, and nothing of it is kept. If you want to sign the letter yourself, sign it again: you will get a new link.",
            Some((&format!("/l/{}", letter.slug), "See the letter")),
        )),
        WriteOutcome::Discard(DiscardOutcome::NotPending { letter }) => {
            Err(ConfirmError::Used { slug: letter.slug })
        }
        WriteOutcome::Discard(DiscardOutcome::UnknownToken) => Err(ConfirmError::Unknown),
        other => Err(PageError::Internal(format!("unexpected outcome {other:?}")).into()),
    }
}
