//! A letter's updates for the public: the Atom feed, and the unsubscribe link that each
//! update email carries.
//!
//! `POST /u/{token}` is RFC 8058's one-click unsubscribe: mail clients post
//! `List-Unsubscribe=One-Click` to it from anywhere, with no cookie and no form token, so it
//! is the one route the Origin check lets through (`auth::csrf::check_origin`). It only
//! ever turns updates off, and its token is random and stored hashed. Opening the link
//! (`GET`) shows a page whose button does it (invariant 4).

use askama::Template;
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use crate::{
    format,
    pages::{Layout, PageError, letter_layout, message, render},
    secrets::Token,
    services::updates::UpdateView,
    state::AppState,
};

/// The route of the one-click unsubscribe link (exempt from the Origin check).
pub const UNSUBSCRIBE_ROUTE: &str = "/u/{token}";

#[derive(Debug, thiserror::Error)]
pub enum UnsubscribeError {
    /// The token is malformed or no email carried it.
    #[error("unknown unsubscribe link")]
    Unknown,
    /// The POST did not say `List-Unsubscribe=One-Click`.
    #[error("the request is not a one-click unsubscribe")]
    NotOneClick,
    #[error(transparent)]
    Page(#[from] PageError),
}

impl From<undersigned_store::StoreError> for UnsubscribeError {
    fn from(e: undersigned_store::StoreError) -> Self {
        UnsubscribeError::Page(e.into())
    }
}

impl IntoResponse for UnsubscribeError {
    fn into_response(self) -> Response {
        match self {
            UnsubscribeError::Unknown => message(
                StatusCode::NOT_FOUND,
                "Unknown link",
                "This unsubscribe link is not one we sent. Copy the whole link from the email, or use the link in a more recent update.",
                Some(("/", "Home")),
            ),
            UnsubscribeError::NotOneClick => message(
                StatusCode::BAD_REQUEST,
                "Use the button on the page",
                "To unsubscribe, open the link from the email and press its button (the request must say List-Unsubscribe=One-Click).",
                None,
            ),
            UnsubscribeError::Page(e) => e.into_response(),
        }
    }
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    layout: Layout,
    token: String,
    title: String,
    slug: String,
    subscribed: bool,
}

/// `GET /u/{token}`: what the link would do, and the button that does it.
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, UnsubscribeError> {
    let token = Token::parse(&token).ok_or(UnsubscribeError::Unknown)?;
    let subscription = state
        .store
        .subscription(token.hash())
        .await?
        .ok_or(UnsubscribeError::Unknown)?;
    Ok(render(
        StatusCode::OK,
        &UnsubscribePage {
            layout: letter_layout(&state, &subscription.letter_slug, "Stop the updates").await,
            token: token.as_str().to_owned(),
            title: subscription.letter_title,
            slug: subscription.letter_slug,
            subscribed: subscription.subscribed,
        },
    ))
}

#[derive(Debug, Deserialize)]
struct OneClick {
    #[serde(rename = "List-Unsubscribe", default)]
    list_unsubscribe: String,
}

/// `POST /u/{token}` with `List-Unsubscribe=One-Click`: no more updates of that letter for
/// that signature. Answers 200 with a page (mail clients ignore it).
pub async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, UnsubscribeError> {
    let token = Token::parse(&token).ok_or(UnsubscribeError::Unknown)?;
    let form: OneClick =
        serde_urlencoded::from_bytes(&body).map_err(|_| UnsubscribeError::NotOneClick)?;
    if form.list_unsubscribe.trim() != "One-Click" {
        return Err(UnsubscribeError::NotOneClick);
    }
    let subscription = state
        .store
        .subscription(token.hash())
        .await?
        .ok_or(UnsubscribeError::Unknown)?;
    if !state.store.unsubscribe(token.hash()).await? {
        return Err(UnsubscribeError::Unknown);
    }
    Ok(message(
        StatusCode::OK,
        "Unsubscribed",
        &crate::i18n::t1("msg-unsubscribed", "title", &subscription.letter_title),
        Some((
            &format!("/l/{}", subscription.letter_slug),
            "Back to the letter",
        )),
    ))
}

/// `GET /l/{slug}/feed.atom`: the letter's updates as an Atom feed (RFC 4287).
pub async fn feed(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let view = state.reads.public_letter(&slug).await?;
    let letter = &view.letter;
    let page = state.public.url(&format!("/l/{}", letter.slug));
    let xml = atom(
        &page,
        &state.public.url(&format!("/l/{}/feed.atom", letter.slug)),
        &letter.title,
        view.host
            .as_ref()
            .map_or(state.instance(), |host| host.name.as_str()),
        letter.published_at.unwrap_or(letter.created_at),
        &view.updates,
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=60"),
        ],
        xml,
    )
        .into_response())
}

/// Escapes text for XML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot hold at all (stored text has no control characters
            // but tab and line breaks; this keeps the feed well-formed whatever happens).
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The feed's XML: one entry per update, newest first, its body as escaped HTML content
/// with its sources listed after it.
fn atom(
    page: &str,
    feed_url: &str,
    title: &str,
    author: &str,
    published_at: i64,
    updates: &[UpdateView],
) -> String {
    let updated = updates
        .iter()
        .map(|u| u.changed_at)
        .max()
        .unwrap_or(published_at);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    xml.push_str(&format!("  <id>{}</id>\n", escape(feed_url)));
    xml.push_str(&format!("  <title>Updates: {}</title>\n", escape(title)));
    xml.push_str(&format!(
        "  <updated>{}</updated>\n",
        format::iso_date_time(updated)
    ));
    xml.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        escape(author)
    ));
    xml.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape(feed_url)
    ));
    xml.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(page)
    ));
    for u in updates {
        let link = format!("{page}#update-{}", u.id);
        let mut html = u.body_html.clone();
        if !u.sources.is_empty() {
            html.push_str("<p>Sources:</p><ul>");
            for s in &u.sources {
                html.push_str(&format!(
                    "<li><a href=\"{}\" rel=\"noopener nofollow\">{}</a>, {}</li>",
                    escape(&s.url),
                    escape(&s.publisher),
                    escape(&s.date)
                ));
            }
            html.push_str("</ul>");
        }
        xml.push_str("  <entry>\n");
        xml.push_str(&format!("    <id>{}</id>\n", escape(&link)));
        xml.push_str(&format!("    <title>{}</title>\n", escape(&u.title)));
        xml.push_str(&format!(
            "    <published>{}</published>\n",
            format::iso_date_time(u.posted_at)
        ));
        xml.push_str(&format!(
            "    <updated>{}</updated>\n",
            format::iso_date_time(u.changed_at)
        ));
        xml.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(&link)
        ));
        xml.push_str(&format!(
            "    <content type=\"html\">{}</content>\n",
            escape(&html)
        ));
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            escape("a < b & \"c\" 'd' >"),
            "a &lt; b &amp; &quot;c&quot; &apos;d&apos; &gt;"
        );
        assert_eq!(escape("x\u{1}y"), "xy");
    }
}
