//! The emails Undersigned sends, each with a text and an HTML part rendered from templates
//! (`templates/email/`). The HTML part is escaped by askama; the text part is plain text.
//!
//! The outbox holds an email's kind and its [`EmailParams`]; the worker renders it just
//! before sending, so the hot path renders nothing. Nothing a signer typed goes into an
//! email: otherwise the signing form would let anyone send their text to any address under
//! our name.

use askama::Template;
use serde::{Deserialize, Serialize};
use undersigned_store::EmailKind;

use crate::format::date;

/// What the signing emails need to know (for a manage link, `confirm_link` is the manage
/// link and `expires_at` its expiry), stored as JSON with the outbox row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmailParams {
    pub instance: String,
    pub letter_title: String,
    pub letter_url: String,
    pub confirm_link: String,
    pub expires_at: i64,
}

/// What the organiser account emails (an invitation, a password reset) need to know,
/// stored as JSON with the outbox row. For a reset, `workspace`, `inviter` and `role` are
/// empty.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccountParams {
    pub instance: String,
    pub workspace: String,
    pub inviter: String,
    pub role: String,
    pub link: String,
    pub expires_at: i64,
}

/// What an update's email needs to know, stored as JSON with the outbox row: the update
/// as the organisers wrote it (its Markdown as the text part, rendered and sanitised as the
/// HTML part), and the recipient's unsubscribe token, which the fan-out adds per signer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UpdateParams {
    pub instance: String,
    pub letter_title: String,
    pub letter_url: String,
    pub title: String,
    pub body_text: String,
    pub body_html: String,
    pub sources: Vec<undersigned_core::update::Source>,
    pub posted_at: i64,
    /// The unsubscribe page's address without its token (`https://host/u/`).
    pub unsubscribe_base: String,
    #[serde(default)]
    pub unsubscribe_token: String,
}

impl UpdateParams {
    /// The recipient's unsubscribe link.
    pub fn unsubscribe_link(&self) -> String {
        format!("{}{}", self.unsubscribe_base, self.unsubscribe_token)
    }
}

/// What a re-targeting invitation needs to know, stored as JSON with the outbox row: the new
/// letter and its targets, and the recipient's token, which the fan-out adds per signer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FamilyInvitationParams {
    pub instance: String,
    pub letter_title: String,
    /// The new letter's targets, in words ("A. Name, Title, Organisation; …").
    pub targets: String,
    /// The invitation page's address without its token (`https://host/i/`).
    pub link_base: String,
    #[serde(default)]
    pub token: String,
}

impl FamilyInvitationParams {
    /// The recipient's invitation link.
    pub fn link(&self) -> String {
        format!("{}{}", self.link_base, self.token)
    }
}

#[derive(Template)]
#[template(path = "email/family_invitation.txt")]
struct FamilyInvitationText<'a> {
    p: &'a FamilyInvitationParams,
    link: String,
}

#[derive(Template)]
#[template(path = "email/family_invitation.html")]
struct FamilyInvitationHtml<'a> {
    p: &'a FamilyInvitationParams,
    link: String,
}

/// Renders a re-targeting invitation.
fn render_family_invitation(params: &str) -> Result<Rendered, RenderError> {
    let p: FamilyInvitationParams = serde_json::from_str(params)?;
    let link = p.link();
    Ok(Rendered {
        subject: format!("Sign again, to a new target: {}", p.letter_title),
        text: FamilyInvitationText {
            p: &p,
            link: link.clone(),
        }
        .render()?,
        html: FamilyInvitationHtml { p: &p, link }.render()?,
        unsubscribe: None,
    })
}

/// What a delivery email needs to know, stored as JSON with the outbox row. The PDF is not
/// in it: the worker attaches the delivery's document, kept with the delivery.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryParams {
    /// The workspace that hosts the letter.
    pub host: String,
    /// The target's name.
    pub target: String,
    pub letter_title: String,
    pub subject: String,
    pub letter_url: String,
    /// Published signatures in the document.
    pub signatures: u64,
    /// When it was delivered.
    pub date: i64,
    /// The delivery whose document to attach.
    pub delivery: i64,
    /// The attachment's file name.
    pub file_name: String,
}

impl DeliveryParams {
    /// The delivery whose document an email of `kind` attaches, with the file's name.
    pub fn of(kind: EmailKind, params: &str) -> Result<Option<Self>, RenderError> {
        if kind == EmailKind::Delivery {
            Ok(Some(serde_json::from_str(params)?))
        } else {
            Ok(None)
        }
    }
}

#[derive(Template)]
#[template(path = "email/delivery.txt")]
struct DeliveryText<'a> {
    p: &'a DeliveryParams,
    date: String,
    signatures: String,
}

#[derive(Template)]
#[template(path = "email/delivery.html")]
struct DeliveryHtml<'a> {
    p: &'a DeliveryParams,
    date: String,
    signatures: String,
}

/// An email ready to send.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The one-click unsubscribe link (RFC 8058) of a mailing (an update), if any.
    pub unsubscribe: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the email's parameters are unreadable")]
    Params(#[from] serde_json::Error),
    #[error("the email template failed")]
    Template(#[from] askama::Error),
}

#[derive(Template)]
#[template(path = "email/confirm.txt")]
struct ConfirmText<'a> {
    p: &'a EmailParams,
    expires: String,
}

#[derive(Template)]
#[template(path = "email/confirm.html")]
struct ConfirmHtml<'a> {
    p: &'a EmailParams,
    expires: String,
}

#[derive(Template)]
#[template(path = "email/already_signed.txt")]
struct AlreadyText<'a> {
    p: &'a EmailParams,
}

#[derive(Template)]
#[template(path = "email/already_signed.html")]
struct AlreadyHtml<'a> {
    p: &'a EmailParams,
}

#[derive(Template)]
#[template(path = "email/manage.txt")]
struct ManageText<'a> {
    p: &'a EmailParams,
    expires: String,
}

#[derive(Template)]
#[template(path = "email/manage.html")]
struct ManageHtml<'a> {
    p: &'a EmailParams,
    expires: String,
}

#[derive(Template)]
#[template(path = "email/invitation.txt")]
struct InvitationText<'a> {
    p: &'a AccountParams,
    expires: String,
}

#[derive(Template)]
#[template(path = "email/invitation.html")]
struct InvitationHtml<'a> {
    p: &'a AccountParams,
    expires: String,
}

#[derive(Template)]
#[template(path = "email/password_reset.txt")]
struct ResetText<'a> {
    p: &'a AccountParams,
    expires: String,
}

#[derive(Template)]
#[template(path = "email/password_reset.html")]
struct ResetHtml<'a> {
    p: &'a AccountParams,
    expires: String,
}

/// A re-confirmation email's parameters (the store adds `reconfirm_token`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReconfirmParams {
    pub instance: String,
    pub letter_title: String,
    pub version: u64,
    pub note: Option<String>,
    /// The link's base (`https://host/r/`), to which the token is appended.
    pub link_base: String,
    #[serde(default)]
    pub reconfirm_token: String,
}

#[derive(Template)]
#[template(path = "email/reconfirm.txt")]
struct ReconfirmText<'a> {
    p: &'a ReconfirmParams,
    link: String,
}

#[derive(Template)]
#[template(path = "email/reconfirm.html")]
struct ReconfirmHtml<'a> {
    p: &'a ReconfirmParams,
    link: String,
}

fn render_reconfirm(params: &str) -> Result<Rendered, RenderError> {
    let p: ReconfirmParams = serde_json::from_str(params)?;
    let link = format!("{}{}", p.link_base, p.reconfirm_token);
    Ok(Rendered {
        subject: format!("The letter you signed has changed: {}", p.letter_title),
        text: ReconfirmText {
            p: &p,
            link: link.clone(),
        }
        .render()?,
        html: ReconfirmHtml { p: &p, link }.render()?,
        unsubscribe: None,
    })
}

#[derive(Template)]
#[template(path = "email/update.txt")]
struct UpdateText<'a> {
    p: &'a UpdateParams,
    posted: String,
    unsubscribe: String,
}

#[derive(Template)]
#[template(path = "email/update.html")]
struct UpdateHtml<'a> {
    p: &'a UpdateParams,
    posted: String,
    unsubscribe: String,
}

/// Renders an update's email.
fn render_update(params: &str) -> Result<Rendered, RenderError> {
    let p: UpdateParams = serde_json::from_str(params)?;
    let posted = date(p.posted_at);
    let unsubscribe = p.unsubscribe_link();
    Ok(Rendered {
        subject: format!("Update: {} ({})", p.title, p.letter_title),
        text: UpdateText {
            p: &p,
            posted: posted.clone(),
            unsubscribe: unsubscribe.clone(),
        }
        .render()?,
        html: UpdateHtml {
            p: &p,
            posted,
            unsubscribe: unsubscribe.clone(),
        }
        .render()?,
        unsubscribe: Some(unsubscribe),
    })
}

/// Renders an organiser account email (an invitation or a password reset).
fn render_account(kind: EmailKind, params: &str) -> Result<Option<Rendered>, RenderError> {
    let account = matches!(kind, EmailKind::Invitation | EmailKind::PasswordReset);
    if !account {
        return Ok(None);
    }
    let p: AccountParams = serde_json::from_str(params)?;
    let expires = crate::format::date_time(p.expires_at);
    Ok(Some(if kind == EmailKind::Invitation {
        Rendered {
            subject: format!("Join {} on {}", p.workspace, p.instance),
            text: InvitationText {
                p: &p,
                expires: expires.clone(),
            }
            .render()?,
            html: InvitationHtml { p: &p, expires }.render()?,
            unsubscribe: None,
        }
    } else {
        Rendered {
            subject: format!("Set a new password on {}", p.instance),
            text: ResetText {
                p: &p,
                expires: expires.clone(),
            }
            .render()?,
            html: ResetHtml { p: &p, expires }.render()?,
            unsubscribe: None,
        }
    }))
}

/// Renders an outbox email from its kind and JSON parameters.
pub fn render(kind: EmailKind, params: &str) -> Result<Rendered, RenderError> {
    if kind == EmailKind::Update {
        return render_update(params);
    }
    if kind == EmailKind::FamilyInvitation {
        return render_family_invitation(params);
    }
    if kind == EmailKind::Reconfirm {
        return render_reconfirm(params);
    }
    if let Some(rendered) = render_account(kind, params)? {
        return Ok(rendered);
    }
    if let Some(p) = DeliveryParams::of(kind, params)? {
        let date = date(p.date);
        let signatures = match p.signatures {
            1 => "1 signature".to_owned(),
            n => format!("{} signatures", crate::format::count(n)),
        };
        return Ok(Rendered {
            // The letter's own subject line, as a letter would have it.
            subject: p.subject.clone(),
            text: DeliveryText {
                p: &p,
                date: date.clone(),
                signatures: signatures.clone(),
            }
            .render()?,
            html: DeliveryHtml {
                p: &p,
                date,
                signatures,
            }
            .render()?,
            unsubscribe: None,
        });
    }
    let p: EmailParams = serde_json::from_str(params)?;
    Ok(match kind {
        EmailKind::Confirm => {
            let expires = date(p.expires_at);
            Rendered {
                subject: format!("Confirm your signature: {}", p.letter_title),
                text: ConfirmText {
                    p: &p,
                    expires: expires.clone(),
                }
                .render()?,
                html: ConfirmHtml { p: &p, expires }.render()?,
                unsubscribe: None,
            }
        }
        EmailKind::Manage => {
            let expires = date(p.expires_at);
            Rendered {
                subject: format!("Manage your signature: {}", p.letter_title),
                text: ManageText {
                    p: &p,
                    expires: expires.clone(),
                }
                .render()?,
                html: ManageHtml { p: &p, expires }.render()?,
                unsubscribe: None,
            }
        }
        EmailKind::AlreadySigned => Rendered {
            subject: format!("You have already signed: {}", p.letter_title),
            text: AlreadyText { p: &p }.render()?,
            html: AlreadyHtml { p: &p }.render()?,
            unsubscribe: None,
        },
        // Rendered by `render_account`, `render_update` and `render_delivery` above.
        EmailKind::Invitation
        | EmailKind::PasswordReset
        | EmailKind::Update
        | EmailKind::Delivery
        | EmailKind::FamilyInvitation
        | EmailKind::Reconfirm => {
            return Err(RenderError::Params(serde::de::Error::custom(
                "an account email's parameters",
            )));
        }
    })
}
