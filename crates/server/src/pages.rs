//! Rendering pages, and the error pages every handler can fall back on.

use askama::Template;
use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use undersigned_core::Colour;
use undersigned_store::{Branding, StoreError};

use crate::{
    i18n::{self, Lang},
    services::{logs::LogError, reads::ReadError, writer::WriteError},
    state::AppState,
};

/// What every page's frame needs: the title, the site's name, who is logged in, and on the
/// pages of a letter, the workspace that hosts it.
#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub instance: String,
    pub nav: Option<Nav>,
    pub host: Option<Host>,
    /// The language the page is in (the request's).
    pub lang: Lang,
}

/// The host of a letter as the header of each of its pages shows it: its name (linked to
/// its website), its logo, and its colour (through `/brand/{rrggbb}.css`).
#[derive(Debug, Clone)]
pub struct Host {
    pub name: String,
    pub website: Option<String>,
    /// The logo's address.
    pub logo: Option<String>,
    /// The address of the stylesheet that sets the host's colour.
    pub stylesheet: Option<String>,
}

impl Host {
    pub fn of(branding: &Branding) -> Self {
        Self {
            name: branding.name.clone(),
            website: branding.website.clone(),
            logo: branding.logo.map(|l| l.path()),
            stylesheet: branding.colour.map(brand_stylesheet),
        }
    }
}

/// The address of the stylesheet of a colour: named by the colour, so cached for good.
pub fn brand_stylesheet(colour: Colour) -> String {
    format!("/brand/{}.css", colour.to_string().trim_start_matches('#'))
}

/// The frame of a page of the letter `slug`: with its host when the letter is found (a page
/// that cannot read it is still shown, in the site's own frame).
pub async fn letter_layout(state: &AppState, slug: &str, title: impl Into<String>) -> Layout {
    let layout = Layout::new(state.instance(), title);
    match state.reads.letter(slug).await {
        Ok(view) => layout.with_host(view.host.as_ref()),
        Err(_) => layout,
    }
}

/// The logged-in organiser, for the header (and its logout form).
#[derive(Debug, Clone)]
pub struct Nav {
    pub name: String,
    pub csrf: String,
}

impl Layout {
    pub fn new(instance: &str, title: impl Into<String>) -> Self {
        Self {
            // Handlers name their pages in English; the catalog gives the page's language.
            title: i18n::localise(&title.into()),
            instance: instance.to_owned(),
            nav: None,
            host: None,
            lang: i18n::current(),
        }
    }

    /// The letter's host, for the header and the colour.
    pub fn with_host(mut self, host: Option<&Branding>) -> Self {
        self.host = host.map(Host::of);
        self
    }

    /// The languages the switcher offers.
    pub fn langs(&self) -> [Lang; 3] {
        Lang::ALL
    }

    pub fn with_nav(mut self, nav: Nav) -> Self {
        self.nav = Some(nav);
        self
    }
}

/// Marks a response that other sites may frame (an embed): the security headers then allow
/// any site as a frame ancestor and leave out `X-Frame-Options`. Every other page refuses
/// to be framed.
#[derive(Debug, Clone, Copy)]
pub struct Frameable;

/// Marks a response that is data, not a page (JSON, say), on its `304 Not Modified` as on
/// its 200, which carries no content type to tell: it is the same in every language (no
/// `Vary: Accept-Language`) and gets the policy of a resource that loads nothing.
#[derive(Debug, Clone, Copy)]
pub struct Data;

/// Whether a response is a page: HTML, or a body of no stated type that is not marked
/// [`Data`] (a browser might sniff it as HTML; `nosniff` aside, it gets a page's policy).
pub fn is_page(response: &Response) -> bool {
    response.extensions().get::<Data>().is_none()
        && content_type(response).is_none_or(|t| t.starts_with(b"text/html"))
}

/// Whether a response is data in no language: marked [`Data`], or JSON.
pub fn is_data(response: &Response) -> bool {
    response.extensions().get::<Data>().is_some()
        || content_type(response).is_some_and(|t| t.starts_with(b"application/json"))
}

fn content_type(response: &Response) -> Option<&[u8]> {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.as_bytes())
}

/// Renders a template with a status. A template that fails to render is a bug: 500.
pub fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    layout: Layout,
    heading: String,
    message: String,
    link: Option<(String, String)>,
}

/// A page that says one thing, with an optional link onwards, waiting to be framed: handlers
/// and errors return it (see [`message`]), and [`frame_messages`], in the router's middleware,
/// renders it with the site's name.
#[derive(Debug, Clone)]
struct Message {
    heading: String,
    message: String,
    link: Option<(String, String)>,
}

/// A page that says one thing, with an optional link onwards.
pub fn message(
    status: StatusCode,
    heading: &str,
    message: &str,
    link: Option<(&str, &str)>,
) -> Response {
    let mut response = status.into_response();
    response.extensions_mut().insert(Message {
        heading: heading.to_owned(),
        message: message.to_owned(),
        link: link.map(|(href, text)| (href.to_owned(), text.to_owned())),
    });
    response
}

/// Renders a response's [`message`] page, if it has one, in this site's frame,
/// keeping its status and headers.
pub fn frame_messages(state: &AppState, mut response: Response) -> Response {
    let Some(message) = response.extensions_mut().remove::<Message>() else {
        return response;
    };
    // Handlers word their messages in English; the catalog gives them in the page's language.
    let heading = i18n::localise(&message.heading);
    let page = MessagePage {
        layout: Layout::new(state.instance(), heading.clone()),
        heading,
        message: i18n::localise(&message.message),
        link: message
            .link
            .map(|(href, text)| (href, i18n::localise(&text))),
    };
    let (mut parts, _) = response.into_parts();
    let (rendered, body) = render(parts.status, &page).into_parts();
    parts.status = rendered.status;
    parts.headers.extend(rendered.headers);
    Response::from_parts(parts, body)
}

/// Failures any page can have. Each handler with failures of its own has its own error type
/// that falls back on this one.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("not found")]
    NotFound,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("payload too large")]
    TooLarge,
    /// A form with a file that is larger than the form accepts (the message says the limit).
    #[error("upload too large")]
    UploadTooLarge(&'static str),
    #[error("not a form")]
    UnsupportedMediaType,
    #[error("too many requests")]
    TooManyRequests(std::time::Duration),
    #[error("the database is unavailable")]
    Unavailable,
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable { .. } => PageError::Unavailable,
            StoreError::NotFound => PageError::NotFound,
            other => PageError::Internal(error_chain(&other)),
        }
    }
}

impl From<LogError> for PageError {
    fn from(e: LogError) -> Self {
        match e {
            LogError::NoSuchTile | LogError::NoSuchOpenings => PageError::NotFound,
            LogError::OutOfRange { size } => PageError::BadRequest(format!(
                "The log has {size} entries: ask for what is in it."
            )),
            LogError::Damaged(detail) => PageError::Internal(detail),
            LogError::Store(e) => e.into(),
        }
    }
}

impl From<ReadError> for PageError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::NotFound => PageError::NotFound,
            ReadError::Store(e) => e.into(),
        }
    }
}

impl From<WriteError> for PageError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Unavailable => PageError::Unavailable,
            WriteError::Failed(e) => e.into(),
        }
    }
}

/// The error and its sources on one line, for the log.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::NotFound => message(
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is no page at this address. Check the link, or start from the home page.",
                Some(("/", "Home")),
            ),
            PageError::Forbidden(why) => message(StatusCode::FORBIDDEN, "Not allowed", why, None),
            PageError::BadRequest(why) => message(
                StatusCode::BAD_REQUEST,
                "Something is wrong with this request",
                &why,
                None,
            ),
            PageError::TooLarge => message(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Too much text",
                "What you sent is larger than this form accepts. Shorten it and try again.",
                None,
            ),
            PageError::UploadTooLarge(what) => message(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The file is too large",
                what,
                None,
            ),
            PageError::UnsupportedMediaType => message(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Something is wrong with this request",
                "This address takes a form (application/x-www-form-urlencoded).",
                None,
            ),
            PageError::TooManyRequests(wait) => {
                let mut response = message(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many attempts",
                    &format!(
                        "There have been too many attempts from here. Try again in {} minutes.",
                        wait.as_secs().div_ceil(60).max(1)
                    ),
                    None,
                );
                retry_after(&mut response, wait.as_secs().max(1));
                response
            }
            PageError::Unavailable => unavailable(),
            PageError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                message(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "This is our fault, not yours. Try again in a moment.",
                    None,
                )
            }
        }
    }
}

/// 503 with Retry-After: the database is busy, locked or full.
pub fn unavailable() -> Response {
    let mut response = message(
        StatusCode::SERVICE_UNAVAILABLE,
        "Busy right now",
        "We could not save or read this just now. Nothing was half-saved: please try again in a few seconds.",
        None,
    );
    retry_after(&mut response, 5);
    response
}

pub fn retry_after(response: &mut Response, seconds: u64) {
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
}
