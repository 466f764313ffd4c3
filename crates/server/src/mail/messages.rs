//! The emails Undersigned sends, each with a text and an HTML part rendered from templates
//! (`templates/email/`). The HTML part is escaped by askama; the text part is plain text.
//!
//! Nothing a signer typed goes into an email: otherwise the signing form would let anyone
//! send their text to any address under our name.

use askama::Template;
use undersigned_store::OutgoingEmail;

use crate::format::date;

#[derive(Template)]
#[template(path = "email/confirm.txt")]
struct ConfirmText<'a> {
    title: &'a str,
    instance: &'a str,
    link: &'a str,
    expires: String,
}

#[derive(Template)]
#[template(path = "email/confirm.html")]
struct ConfirmHtml<'a> {
    title: &'a str,
    instance: &'a str,
    link: &'a str,
    expires: String,
}

#[derive(Template)]
#[template(path = "email/already_signed.txt")]
struct AlreadyText<'a> {
    title: &'a str,
    instance: &'a str,
    letter_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/already_signed.html")]
struct AlreadyHtml<'a> {
    title: &'a str,
    instance: &'a str,
    letter_url: &'a str,
}

/// What the signing emails need to know.
pub struct SigningEmail<'a> {
    pub to: &'a str,
    pub letter_title: &'a str,
    pub letter_url: &'a str,
    pub confirm_link: &'a str,
    pub expires_at: i64,
    pub instance: &'a str,
}

impl SigningEmail<'_> {
    /// The email with the confirmation link.
    pub fn confirmation(&self) -> Result<OutgoingEmail, askama::Error> {
        let expires = date(self.expires_at);
        Ok(OutgoingEmail {
            to: self.to.to_owned(),
            subject: format!("Confirm your signature: {}", self.letter_title),
            text: ConfirmText {
                title: self.letter_title,
                instance: self.instance,
                link: self.confirm_link,
                expires: expires.clone(),
            }
            .render()?,
            html: ConfirmHtml {
                title: self.letter_title,
                instance: self.instance,
                link: self.confirm_link,
                expires,
            }
            .render()?,
        })
    }

    /// The email a confirmed signer gets when their address is used to sign again.
    pub fn already_signed(&self) -> Result<OutgoingEmail, askama::Error> {
        Ok(OutgoingEmail {
            to: self.to.to_owned(),
            subject: format!("You have already signed: {}", self.letter_title),
            text: AlreadyText {
                title: self.letter_title,
                instance: self.instance,
                letter_url: self.letter_url,
            }
            .render()?,
            html: AlreadyHtml {
                title: self.letter_title,
                instance: self.instance,
                letter_url: self.letter_url,
            }
            .render()?,
        })
    }
}
