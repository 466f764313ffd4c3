//! `GET /brand/{rrggbb}.css`: a host's colour as the CSS custom properties that style.css
//! draws links, buttons and the focus ring with. The address names the colour, so the
//! stylesheet never changes: cached for a year. Only colours a host may choose (readable on
//! the page) are served.

use axum::{
    extract::Path,
    http::header,
    response::{IntoResponse, Response},
};
use undersigned_core::Colour;

use crate::pages::PageError;

pub async fn show(Path(file): Path<String>) -> Result<Response, PageError> {
    let colour = file
        .strip_suffix(".css")
        .filter(|hex| hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .filter(|hex| hex.bytes().all(|b| !b.is_ascii_uppercase()))
        .and_then(|hex| Colour::parse(hex).ok())
        .ok_or(PageError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        stylesheet(colour),
    )
        .into_response())
}

/// The host's colour for links, filled buttons, the focus ring and the charts' marks.
fn stylesheet(colour: Colour) -> String {
    format!(
        "/* The host's colour: at least 4.5:1 against white and the page. */\n\
         :root {{ --accent: {colour}; --focus: {colour}; }}\n"
    )
}
