//! A letter's family in public: the invitation a past signer gets when the letter is sent to
//! a new target (`/i/{token}`: a page with a button; only the POST adds their signature), and
//! the family page (`/l/{slug}/family`: every target with its state, counts, asks and latest
//! response).

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use undersigned_core::{DisplayLevel, markdown};
use undersigned_store::{
    ConfirmOutcome, FamilyInvitation, JoinFamilyCommand, Letter, StoreError, WriteCommand,
    WriteOutcome,
};

use crate::{
    extract::FormBody,
    format,
    pages::{Layout, PageError, message, render},
    secrets::Token,
    services::writer::WriteError,
    state::AppState,
    views::{
        asks::target_label,
        letter::{level_label, state_words},
    },
};

#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    #[error("unknown invitation")]
    Unknown,
    /// The invitation was used, or its signer signed the letter already.
    #[error("already signed")]
    AlreadySigned { slug: String },
    #[error("letter closed")]
    Closed { slug: String },
    /// The letter no longer has the category the signer signed under before.
    #[error("category gone")]
    CategoryGone { slug: String },
    /// A display level the category does not allow, or none.
    #[error("display level not allowed")]
    LevelNotAllowed { token: String },
    #[error(transparent)]
    Page(#[from] PageError),
}

impl IntoResponse for InvitationError {
    fn into_response(self) -> Response {
        let back = |slug: &str| format!("/l/{slug}");
        match self {
            InvitationError::Unknown => message(
                StatusCode::NOT_FOUND,
                "This link is not valid",
                "The invitation link is incomplete or unknown. Copy the whole link from the email.",
                Some(("/", "Home")),
            ),
            InvitationError::AlreadySigned { slug } => message(
                StatusCode::CONFLICT,
                "You have already signed this letter",
                "You have already signed this letter: your signature is on it, so there is nothing more to do.",
                Some((&back(&slug), "See the letter")),
            ),
            InvitationError::Closed { slug } => message(
                StatusCode::CONFLICT,
                "This letter is no longer taking signatures",
                "Signing closed before you added your signature, so nothing was added.",
                Some((&back(&slug), "See the letter")),
            ),
            InvitationError::CategoryGone { slug } => message(
                StatusCode::CONFLICT,
                "This letter cannot take your signature from here",
                "The organisers changed the letter's categories, and the one you signed under before is not among them. Sign the letter from its page instead.",
                Some((&back(&slug), "See the letter")),
            ),
            InvitationError::LevelNotAllowed { token } => message(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Choose one of the ways offered",
                "Pick how you want to appear from the choices on the page: the letter's organisers allow only those for your category. Nothing was added.",
                Some((&format!("/i/{token}"), "Back to the invitation")),
            ),
            InvitationError::Page(e) => e.into_response(),
        }
    }
}

impl From<StoreError> for InvitationError {
    fn from(e: StoreError) -> Self {
        InvitationError::Page(e.into())
    }
}

pub struct LevelOption {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "family_invitation.html")]
struct InvitationPage {
    layout: Layout,
    token: String,
    title: String,
    subject: String,
    targets: Vec<String>,
    asks: Vec<(u32, String, Option<String>)>,
    category: String,
    organisation: bool,
    levels: Vec<LevelOption>,
}

/// The invitation and its letter, checked for the page and the POST alike.
async fn invitation(
    state: &AppState,
    token: &Token,
) -> Result<(FamilyInvitation, Letter), InvitationError> {
    let invitation = state
        .store
        .family_invitation(token.hash())
        .await?
        .ok_or(InvitationError::Unknown)?;
    let letter = state
        .store
        .letter(invitation.letter)
        .await?
        .ok_or(InvitationError::Unknown)?;
    let slug = letter.slug.clone();
    if invitation.used {
        return Err(InvitationError::AlreadySigned { slug });
    }
    if !letter
        .state
        .takes_confirmations(letter.closes_at, letter.closed_at, state.clock.now())
    {
        return Err(InvitationError::Closed { slug });
    }
    Ok((invitation, letter))
}

/// The display rule of the letter's category the signer signs under.
fn rule(
    letter: &Letter,
    invitation: &FamilyInvitation,
) -> Result<undersigned_core::signature::DisplayRule, InvitationError> {
    invitation
        .category
        .and_then(|id| letter.categories.iter().find(|c| c.id == id))
        .map(|c| c.rule)
        .ok_or_else(|| InvitationError::CategoryGone {
            slug: letter.slug.clone(),
        })
}

/// `GET /i/{token}`: the new letter, its targets and asks, and the button. Changes nothing.
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, InvitationError> {
    let token = Token::parse(&token).ok_or(InvitationError::Unknown)?;
    let (invitation, letter) = invitation(&state, &token).await?;
    let rule = rule(&letter, &invitation)?;
    // What they chose before, if the category allows it here; otherwise the most private
    // level it allows (never more public than they chose).
    let levels: Vec<DisplayLevel> = rule.levels().collect();
    let preset = if rule.allows(invitation.display) {
        invitation.display
    } else {
        [
            DisplayLevel::Private,
            DisplayLevel::Initials,
            DisplayLevel::Public,
        ]
        .into_iter()
        .find(|l| rule.allows(*l))
        .unwrap_or(invitation.display)
    };
    let asks = state.store.letter_asks(letter.id).await?;
    let page = InvitationPage {
        layout: Layout::new(state.instance(), "Add your signature"),
        token: token.as_str().to_owned(),
        title: letter.title.clone(),
        subject: letter.subject.clone(),
        targets: letter
            .targets
            .iter()
            .map(|t| t.to_line().replace(" | ", ", "))
            .collect(),
        asks: asks
            .asks
            .iter()
            .map(|a| {
                (
                    a.number,
                    a.content.text().to_owned(),
                    a.content.condition().map(str::to_owned),
                )
            })
            .collect(),
        category: invitation.category_name.clone(),
        organisation: invitation.organisation,
        levels: levels
            .into_iter()
            .map(|l| LevelOption {
                value: l.as_str(),
                label: level_label(l),
                checked: l == preset,
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Deserialize)]
pub struct JoinForm {
    #[serde(default)]
    display: String,
    #[serde(default)]
    updates: Option<String>,
}

/// `POST /i/{token}`: adds the signature, confirmed at once (the email's link proved the
/// address), once the batch holding it is on disk.
pub async fn join(
    State(state): State<AppState>,
    Path(token): Path<String>,
    FormBody(form): FormBody<JoinForm>,
) -> Result<Response, InvitationError> {
    let token = Token::parse(&token).ok_or(InvitationError::Unknown)?;
    let (invitation, letter) = invitation(&state, &token).await?;
    let not_allowed = || InvitationError::LevelNotAllowed {
        token: token.as_str().to_owned(),
    };
    let display: DisplayLevel = form.display.trim().parse().map_err(|_| not_allowed())?;
    if !rule(&letter, &invitation)?.allows(display) {
        return Err(not_allowed());
    }
    let outcome = state
        .writer
        .submit(WriteCommand::JoinFamily(JoinFamilyCommand {
            token_hash: token.hash(),
            display,
            updates: form.updates.is_some(),
            now: state.clock.now(),
            salt: crate::secrets::random_bytes(),
        }))
        .await;
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(WriteError::Failed(StoreError::NotFound)) => {
            return Err(InvitationError::CategoryGone { slug: letter.slug });
        }
        Err(e) => return Err(PageError::from(e).into()),
    };
    let thanks = |sentence: &str, letter: &undersigned_store::LetterRef| {
        message(
            StatusCode::OK,
            "Thank you: your signature is added",
            sentence,
            Some((&format!("/l/{}", letter.slug), "See the letter")),
        )
    };
    match outcome {
        WriteOutcome::Confirm(ConfirmOutcome::Confirmed { letter, .. }) => Ok(thanks(
            &crate::i18n::t1("msg-added-counted", "title", &letter.title),
            &letter,
        )),
        WriteOutcome::Confirm(ConfirmOutcome::Held {
            letter, publish_at, ..
        }) => Ok(thanks(
            &crate::i18n::t2(
                "msg-added-batch",
                "title",
                &letter.title,
                "when",
                format::date_time(publish_at),
            ),
            &letter,
        )),
        WriteOutcome::Confirm(
            ConfirmOutcome::HeldForReview { letter, .. }
            | ConfirmOutcome::HeldForVerification { letter, .. },
        ) => Ok(thanks(
            &crate::i18n::t1("msg-added-review", "title", &letter.title),
            &letter,
        )),
        WriteOutcome::Confirm(ConfirmOutcome::AlreadyUsed { letter }) => {
            Err(InvitationError::AlreadySigned { slug: letter.slug })
        }
        WriteOutcome::Confirm(
            ConfirmOutcome::LetterNotOpen { letter } | ConfirmOutcome::Expired { letter },
        ) => Err(InvitationError::Closed { slug: letter.slug }),
        WriteOutcome::Confirm(ConfirmOutcome::UnknownToken) => Err(InvitationError::Unknown),
        other => Err(PageError::Internal(format!("unexpected outcome {other:?}")).into()),
    }
}

pub struct AskRow {
    pub number: u32,
    pub text: String,
    /// "Ines Quarry: met", per target.
    pub statuses: Vec<(String, &'static str)>,
}

pub struct MemberView {
    pub slug: String,
    pub title: String,
    pub current: bool,
    pub state: String,
    pub targets: Vec<String>,
    pub total: String,
    pub total_is_one: bool,
    pub asks: Vec<AskRow>,
    /// The latest response: who, when, and its HTML (sanitised).
    pub response: Option<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "family.html")]
struct FamilyPage {
    layout: Layout,
    title: String,
    slug: String,
    members: Vec<MemberView>,
}

/// `GET /l/{slug}/family`: every letter of the family the public may see.
pub async fn page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let view = state.reads.public_letter(&slug).await?;
    let mut members = Vec::new();
    for (id, letter_state) in state.store.family(view.letter.id).await? {
        if !letter_state.is_public() {
            continue;
        }
        let Some(letter) = state.store.letter(id).await? else {
            continue;
        };
        let counts = state.reads.counts(id).await?;
        let asks = state.store.letter_asks(id).await?;
        let response = asks.responses.first().map(|r| {
            let who = asks
                .targets
                .iter()
                .find(|t| t.id == r.target)
                .map(target_label)
                .unwrap_or_default();
            (
                who,
                crate::format::iso_day(&r.received_on.to_string()),
                markdown::render(&r.body_markdown),
            )
        });
        members.push(MemberView {
            current: letter.id == view.letter.id,
            slug: letter.slug.clone(),
            title: letter.title.clone(),
            state: state_words(letter.state),
            targets: letter
                .targets
                .iter()
                .map(|t| t.to_line().replace(" | ", ", "))
                .collect(),
            total: format::count(counts.total),
            total_is_one: counts.total == 1,
            asks: asks
                .asks
                .iter()
                .map(|a| AskRow {
                    number: a.number,
                    text: a.content.text().to_owned(),
                    statuses: asks
                        .targets
                        .iter()
                        .map(|t| (t.name.clone(), a.status(t.id).as_str()))
                        .collect(),
                })
                .collect(),
            response,
        });
    }
    let page = FamilyPage {
        layout: Layout::new(
            state.instance(),
            format!("Every target: {}", view.letter.title),
        ),
        title: view.letter.title.clone(),
        slug: view.letter.slug.clone(),
        members,
    };
    Ok(render(StatusCode::OK, &page))
}
