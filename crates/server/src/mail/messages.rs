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

use crate::i18n::{self, Arg, Lang, t, t1, t2};

/// What the signing emails need to know (for a manage link, `confirm_link` is the manage
/// link and `expires_at` its expiry), stored as JSON with the outbox row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmailParams {
    pub instance: String,
    pub letter_title: String,
    pub letter_url: String,
    pub confirm_link: String,
    pub expires_at: i64,
    /// The recipient's language (a tag; empty or one we lack: English).
    #[serde(default)]
    pub lang: String,
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
    /// The recipient's language (a tag; empty or one we lack: English).
    #[serde(default)]
    pub lang: String,
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
    /// The recipient's language (a tag; empty or one we lack: English), which the fan-out
    /// adds per signer.
    #[serde(default)]
    pub lang: String,
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
    /// The recipient's language (a tag; empty or one we lack: English), which the fan-out
    /// adds per signer.
    #[serde(default)]
    pub lang: String,
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
    w: Part,
    link: String,
}

#[derive(Template)]
#[template(path = "email/family_invitation.html")]
struct FamilyInvitationHtml<'a> {
    p: &'a FamilyInvitationParams,
    w: Part,
    link: String,
}

/// Renders a re-targeting invitation.
fn render_family_invitation(params: &str) -> Result<Rendered, RenderError> {
    let p: FamilyInvitationParams = serde_json::from_str(params)?;
    let link = p.link();
    Ok(Rendered {
        subject: t1("email-family-subject", "title", &p.letter_title),
        text: FamilyInvitationText {
            p: &p,
            w: Part::TEXT,
            link: link.clone(),
        }
        .render()?,
        html: FamilyInvitationHtml {
            p: &p,
            w: Part::HTML,
            link,
        }
        .render()?,
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
    /// The language to write to the target in (a tag; empty or one we lack: English).
    #[serde(default)]
    pub lang: String,
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
    w: Part,
    intro: String,
}

#[derive(Template)]
#[template(path = "email/delivery.html")]
struct DeliveryHtml<'a> {
    p: &'a DeliveryParams,
    w: Part,
    intro: String,
}

/// Which part of an email a text goes into. The sentences are Fluent texts, and what they
/// hold (a letter's title, a workspace's name) comes from organisers: in the HTML part it
/// is escaped here, isolated with `<bdi>` and marked up, and the sentence goes in as it is
/// (`|safe`), so the texts in `email.ftl` must not hold markup. In the text part it goes
/// in as it is.
#[derive(Debug, Clone, Copy)]
struct Part {
    html: bool,
}

impl Part {
    const TEXT: Part = Part { html: false };
    const HTML: Part = Part { html: true };

    /// A value: escaped in HTML.
    fn esc(&self, value: &str) -> String {
        if self.html {
            escape_html(value)
        } else {
            value.to_owned()
        }
    }

    /// Text someone typed: escaped and isolated in HTML.
    fn bdi(&self, value: &str) -> String {
        if self.html {
            format!("<bdi>{}</bdi>", escape_html(value))
        } else {
            value.to_owned()
        }
    }

    /// Words in the language's quotation marks (a button's label, say).
    fn quoted(&self, words: &str) -> String {
        if self.html {
            t1("email-quote-html", "text", escape_html(words))
        } else {
            t1("email-quote", "text", words)
        }
    }

    /// A letter's or a workspace's name in quotation marks, in bold in HTML.
    fn title(&self, title: &str) -> String {
        if self.html {
            format!(
                "<strong>{}</strong>",
                t1("email-quote-html", "text", self.bdi(title))
            )
        } else {
            self.quoted(title)
        }
    }

    /// The link to a signature's receipt (HTML only).
    fn receipt_link(&self, confirm_link: &str) -> String {
        let link = escape_html(&format!("{confirm_link}/receipt"));
        format!("<a href=\"{link}\">{link}</a>")
    }

    /// An invitation's first sentence: who invites whom to which workspace, as what.
    fn invitation_intro(&self, p: &AccountParams) -> String {
        let role = t1("email-role", "role", &p.role);
        text_values(
            "email-invitation-intro",
            &[
                ("inviter", &self.bdi(&p.inviter)),
                ("workspace", &self.title(&p.workspace)),
                ("instance", &self.esc(&p.instance)),
                ("role", &self.esc(&role)),
            ],
        )
    }

    /// A delivery's first sentence: who delivers what, with how many signatures, when.
    fn delivery_intro(&self, p: &DeliveryParams) -> String {
        let signatures = text_values(
            "email-delivery-signatures",
            &[
                ("n", &p.signatures),
                ("count", &crate::format::count(p.signatures)),
            ],
        );
        text_values(
            "email-delivery-intro",
            &[
                ("host", &self.bdi(&p.host)),
                ("title", &self.title(&p.letter_title)),
                ("signatures", &self.esc(&signatures)),
                ("date", &self.esc(&date(p.date))),
            ],
        )
    }
}

/// The text `key` in the current language with any number of values (which a text that
/// holds markup must have escaped).
pub(crate) fn text_values(key: &str, values: &[(&'static str, &dyn Arg)]) -> String {
    let args = values
        .iter()
        .map(|(name, value)| (std::borrow::Cow::Borrowed(*name), value.value()))
        .collect();
    i18n::current().text(key, Some(&args))
}

/// Text someone typed, escaped and isolated, for a page's sentence that holds markup
/// (`{{ …|safe }}`).
pub(crate) fn bdi_html(text: &str) -> String {
    Part::HTML.bdi(text)
}

/// A letter's title in the language's quotation marks, in bold, for a page's sentence that
/// holds markup.
pub(crate) fn title_html(title: &str) -> String {
    Part::HTML.title(title)
}

/// Text escaped for HTML, for a page's sentence that holds markup.
pub(crate) fn escaped_html(text: &str) -> String {
    escape_html(text)
}

/// Text in bold, escaped, for a page's sentence that holds markup.
pub(crate) fn strong_html(text: &str) -> String {
    format!("<strong>{}</strong>", escape_html(text))
}

/// Escapes text for HTML (element content and quoted attributes).
fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A day in the current language: "28 Nov 2026", "28 nov 2026", "28 nov. 2026".
fn date(unix_seconds: i64) -> String {
    let iso = crate::format::iso_date(unix_seconds);
    let mut parts = iso.splitn(3, '-');
    let (year, month, day) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let months = t("email-months");
    let month = month
        .parse::<usize>()
        .ok()
        .and_then(|m| months.split(' ').nth(m.wrapping_sub(1)))
        .unwrap_or(month)
        .to_owned();
    let day = day.trim_start_matches('0');
    i18n::t3("email-date", "day", day, "month", month, "year", year)
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
    w: Part,
    expires: String,
}

#[derive(Template)]
#[template(path = "email/confirm.html")]
struct ConfirmHtml<'a> {
    p: &'a EmailParams,
    w: Part,
    expires: String,
}

#[derive(Template)]
#[template(path = "email/already_signed.txt")]
struct AlreadyText<'a> {
    p: &'a EmailParams,
    w: Part,
}

#[derive(Template)]
#[template(path = "email/already_signed.html")]
struct AlreadyHtml<'a> {
    p: &'a EmailParams,
    w: Part,
}

#[derive(Template)]
#[template(path = "email/manage.txt")]
struct ManageText<'a> {
    p: &'a EmailParams,
    w: Part,
    expires: String,
}

#[derive(Template)]
#[template(path = "email/manage.html")]
struct ManageHtml<'a> {
    p: &'a EmailParams,
    w: Part,
    expires: String,
}

#[derive(Template)]
#[template(path = "email/invitation.txt")]
struct InvitationText<'a> {
    p: &'a AccountParams,
    expires: String,
    intro: String,
}

#[derive(Template)]
#[template(path = "email/invitation.html")]
struct InvitationHtml<'a> {
    p: &'a AccountParams,
    w: Part,
    expires: String,
    intro: String,
}

#[derive(Template)]
#[template(path = "email/password_reset.txt")]
struct ResetText<'a> {
    p: &'a AccountParams,
    w: Part,
    expires: String,
}

#[derive(Template)]
#[template(path = "email/password_reset.html")]
struct ResetHtml<'a> {
    p: &'a AccountParams,
    w: Part,
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
    /// The recipient's language (a tag; empty or one we lack: English), which the store
    /// adds per signer.
    #[serde(default)]
    pub lang: String,
}

#[derive(Template)]
#[template(path = "email/reconfirm.txt")]
struct ReconfirmText<'a> {
    p: &'a ReconfirmParams,
    w: Part,
    link: String,
}

#[derive(Template)]
#[template(path = "email/reconfirm.html")]
struct ReconfirmHtml<'a> {
    p: &'a ReconfirmParams,
    w: Part,
    link: String,
}

fn render_reconfirm(params: &str) -> Result<Rendered, RenderError> {
    let p: ReconfirmParams = serde_json::from_str(params)?;
    let link = format!("{}{}", p.link_base, p.reconfirm_token);
    Ok(Rendered {
        subject: t1("email-reconfirm-subject", "title", &p.letter_title),
        text: ReconfirmText {
            p: &p,
            w: Part::TEXT,
            link: link.clone(),
        }
        .render()?,
        html: ReconfirmHtml {
            p: &p,
            w: Part::HTML,
            link,
        }
        .render()?,
        unsubscribe: None,
    })
}

#[derive(Template)]
#[template(path = "email/update.txt")]
struct UpdateText<'a> {
    p: &'a UpdateParams,
    w: Part,
    posted: String,
    unsubscribe: String,
}

#[derive(Template)]
#[template(path = "email/update.html")]
struct UpdateHtml<'a> {
    p: &'a UpdateParams,
    w: Part,
    posted: String,
    unsubscribe: String,
}

/// Renders an update's email.
fn render_update(params: &str) -> Result<Rendered, RenderError> {
    let p: UpdateParams = serde_json::from_str(params)?;
    let posted = date(p.posted_at);
    let unsubscribe = p.unsubscribe_link();
    Ok(Rendered {
        subject: t2(
            "email-update-subject",
            "title",
            &p.title,
            "letter",
            &p.letter_title,
        ),
        text: UpdateText {
            p: &p,
            w: Part::TEXT,
            posted: posted.clone(),
            unsubscribe: unsubscribe.clone(),
        }
        .render()?,
        html: UpdateHtml {
            p: &p,
            w: Part::HTML,
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
            subject: t2(
                "email-invitation-subject",
                "workspace",
                &p.workspace,
                "instance",
                &p.instance,
            ),
            text: InvitationText {
                p: &p,
                expires: expires.clone(),
                intro: Part::TEXT.invitation_intro(&p),
            }
            .render()?,
            html: InvitationHtml {
                p: &p,
                w: Part::HTML,
                expires,
                intro: Part::HTML.invitation_intro(&p),
            }
            .render()?,
            unsubscribe: None,
        }
    } else {
        Rendered {
            subject: t1("email-reset-subject", "instance", &p.instance),
            text: ResetText {
                p: &p,
                w: Part::TEXT,
                expires: expires.clone(),
            }
            .render()?,
            html: ResetHtml {
                p: &p,
                w: Part::HTML,
                expires,
            }
            .render()?,
            unsubscribe: None,
        }
    }))
}

/// The one field every email's parameters share: the recipient's language.
#[derive(Deserialize)]
struct Recipient {
    #[serde(default)]
    lang: String,
}

/// Renders an outbox email from its kind and JSON parameters, in its recipient's language
/// (English when the parameters name none, as in rows queued before emails had languages,
/// or one we do not have).
pub fn render(kind: EmailKind, params: &str) -> Result<Rendered, RenderError> {
    let recipient: Recipient = serde_json::from_str(params)?;
    let lang = Lang::from_tag(&recipient.lang).unwrap_or_default();
    i18n::in_language(lang, || render_in_language(kind, params))
}

fn render_in_language(kind: EmailKind, params: &str) -> Result<Rendered, RenderError> {
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
        return Ok(Rendered {
            // The letter's own subject line, as a letter would have it.
            subject: p.subject.clone(),
            text: DeliveryText {
                p: &p,
                w: Part::TEXT,
                intro: Part::TEXT.delivery_intro(&p),
            }
            .render()?,
            html: DeliveryHtml {
                p: &p,
                w: Part::HTML,
                intro: Part::HTML.delivery_intro(&p),
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
                subject: t1("email-confirm-subject", "title", &p.letter_title),
                text: ConfirmText {
                    p: &p,
                    w: Part::TEXT,
                    expires: expires.clone(),
                }
                .render()?,
                html: ConfirmHtml {
                    p: &p,
                    w: Part::HTML,
                    expires,
                }
                .render()?,
                unsubscribe: None,
            }
        }
        EmailKind::Manage => {
            let expires = date(p.expires_at);
            Rendered {
                subject: t1("email-manage-subject", "title", &p.letter_title),
                text: ManageText {
                    p: &p,
                    w: Part::TEXT,
                    expires: expires.clone(),
                }
                .render()?,
                html: ManageHtml {
                    p: &p,
                    w: Part::HTML,
                    expires,
                }
                .render()?,
                unsubscribe: None,
            }
        }
        EmailKind::AlreadySigned => Rendered {
            subject: t1("email-already-subject", "title", &p.letter_title),
            text: AlreadyText {
                p: &p,
                w: Part::TEXT,
            }
            .render()?,
            html: AlreadyHtml {
                p: &p,
                w: Part::HTML,
            }
            .render()?,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn params(kind: EmailKind, lang: &str) -> String {
        let title = "Fair <pay> & \"rest\"";
        let value = match kind {
            EmailKind::Confirm | EmailKind::Manage | EmailKind::AlreadySigned => {
                serde_json::to_value(EmailParams {
                    instance: "letters.example.org".into(),
                    letter_title: title.into(),
                    letter_url: "https://letters.example.org/l/fair".into(),
                    confirm_link: "https://letters.example.org/confirm/TOKEN".into(),
                    expires_at: 1_796_256_000,
                    lang: lang.into(),
                })
            }
            EmailKind::Invitation | EmailKind::PasswordReset => {
                serde_json::to_value(AccountParams {
                    instance: "letters.example.org".into(),
                    workspace: "Harbour <Coalition>".into(),
                    inviter: "Ada Example".into(),
                    role: "editor".into(),
                    link: "https://letters.example.org/invite/TOKEN".into(),
                    expires_at: 1_796_256_000,
                    lang: lang.into(),
                })
            }
            EmailKind::Update => serde_json::to_value(UpdateParams {
                instance: "letters.example.org".into(),
                letter_title: title.into(),
                letter_url: "https://letters.example.org/l/fair".into(),
                title: "Charges filed".into(),
                body_text: "Body".into(),
                body_html: "<p>Body</p>".into(),
                sources: vec![],
                posted_at: 1_796_256_000,
                unsubscribe_base: "https://letters.example.org/u/".into(),
                unsubscribe_token: "TOKEN".into(),
                lang: lang.into(),
            }),
            EmailKind::FamilyInvitation => serde_json::to_value(FamilyInvitationParams {
                instance: "letters.example.org".into(),
                letter_title: title.into(),
                targets: "A. Name, Commissioner".into(),
                link_base: "https://letters.example.org/i/".into(),
                token: "TOKEN".into(),
                lang: lang.into(),
            }),
            EmailKind::Reconfirm => serde_json::to_value(ReconfirmParams {
                instance: "letters.example.org".into(),
                letter_title: title.into(),
                version: 2,
                note: Some("A <b>note</b>".into()),
                link_base: "https://letters.example.org/r/".into(),
                reconfirm_token: "TOKEN".into(),
                lang: lang.into(),
            }),
            EmailKind::Delivery => serde_json::to_value(DeliveryParams {
                host: "Harbour Coalition".into(),
                target: "A. Name".into(),
                letter_title: title.into(),
                subject: "RE: pay".into(),
                letter_url: "https://letters.example.org/l/fair".into(),
                signatures: 1234,
                date: 1_796_256_000,
                delivery: 1,
                file_name: "fair.pdf".into(),
                lang: lang.into(),
            }),
        };
        value.expect("params").to_string()
    }

    #[test]
    fn every_email_renders_in_every_language_with_values_escaped_in_html() {
        for kind in [
            EmailKind::Confirm,
            EmailKind::AlreadySigned,
            EmailKind::Manage,
            EmailKind::Invitation,
            EmailKind::PasswordReset,
            EmailKind::Update,
            EmailKind::Delivery,
            EmailKind::FamilyInvitation,
            EmailKind::Reconfirm,
        ] {
            for lang in ["", "en", "es", "fr", "de"] {
                let rendered = render(kind, &params(kind, lang)).expect("rendered");
                if std::env::var_os("SHOW_EMAILS").is_some() {
                    println!(
                        "=== {kind:?} {lang}\n{}\n---\n{}\n---\n{}",
                        rendered.subject, rendered.text, rendered.html
                    );
                }
                assert!(!rendered.html.contains("<pay>"), "{}", rendered.html);
                assert!(!rendered.html.contains("<Coalition>"), "{}", rendered.html);
                assert!(!rendered.html.contains("<b>note"), "{}", rendered.html);
                let code = Lang::from_tag(lang).unwrap_or_default().code();
                assert!(
                    rendered.html.contains(&format!("<html lang=\"{code}\">")),
                    "{}",
                    rendered.html
                );
            }
        }
    }

    #[test]
    fn emails_are_in_their_recipients_language() {
        let confirm = |lang| render(EmailKind::Confirm, &params(EmailKind::Confirm, lang));
        let en = confirm("").expect("rendered");
        assert!(en.subject.starts_with("Confirm your signature: "));
        assert!(
            en.text.contains("The link works until 3 Dec 2026."),
            "{}",
            en.text
        );
        let es = confirm("es-MX").expect("rendered");
        assert!(es.subject.starts_with("Confirma tu firma: "));
        assert!(es.text.contains("hasta el 3 dic 2026"), "{}", es.text);
        let fr = confirm("fr").expect("rendered");
        assert!(fr.subject.starts_with("Confirmez votre signature"));
        assert!(fr.text.contains("jusqu'au 3 déc. 2026"), "{}", fr.text);
    }
}
