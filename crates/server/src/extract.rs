//! Form extractors that answer bad bodies with a page, not a bare status: too large (413),
//! not a form (415), unreadable (400).

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::{StatusCode, header},
};
use serde::de::DeserializeOwned;

use crate::{pages::PageError, state::AppState};

/// A URL-encoded form body, parsed into `T`.
pub struct FormBody<T>(pub T);

/// Reads the body of a form post, within the route's body limit.
pub async fn form_bytes(req: Request, state: &AppState) -> Result<Bytes, PageError> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(PageError::UnsupportedMediaType);
    }
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            PageError::TooLarge
        } else {
            PageError::BadRequest("The form could not be read. Try again.".into())
        }
    })
}

/// The first field of a URL-encoded body whose name or value, once percent-decoded, is not
/// UTF-8: `Some(None)` when it is a field's name that is broken. (The form decoder would
/// replace the broken bytes with U+FFFD and carry on, storing something else than was sent.)
fn broken_field(bytes: &[u8]) -> Option<Option<String>> {
    let decoded = |part: &[u8]| -> Option<String> {
        percent_encoding::percent_decode(part)
            .decode_utf8()
            .ok()
            .map(|s| s.replace('+', " "))
    };
    bytes.split(|b| *b == b'&').find_map(|pair| {
        let mut halves = pair.splitn(2, |b| *b == b'=');
        let name = decoded(halves.next().unwrap_or_default());
        let value_ok = halves.next().is_none_or(|v| decoded(v).is_some());
        match name {
            None => Some(None),
            Some(name) if !value_ok => Some(Some(name)),
            Some(_) => None,
        }
    })
}

/// Parses a URL-encoded form body. Text that is not UTF-8 is refused with a message naming
/// its field, rather than silently changed.
pub fn parse_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, PageError> {
    if let Some(field) = broken_field(bytes) {
        let which = field.map_or_else(
            || "One of the fields".to_owned(),
            |f| format!("The field “{}”", f.chars().take(40).collect::<String>()),
        );
        return Err(PageError::BadRequest(format!(
            "{which} holds characters that are not valid text (UTF-8). Retype what you wrote there, or paste it again as plain text, and send the form again."
        )));
    }
    serde_urlencoded::from_bytes(bytes).map_err(|_| {
        PageError::BadRequest("The form could not be read. Reload the page and try again.".into())
    })
}

impl<T: DeserializeOwned> FromRequest<AppState> for FormBody<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = form_bytes(req, state).await?;
        parse_form(&bytes).map(FormBody)
    }
}

/// A form with no fields of its own (a button that posts only its CSRF token).
#[derive(Debug, Default, serde::Deserialize)]
pub struct Empty {}

/// A file sent with a `multipart/form-data` form.
#[derive(Debug, Clone)]
pub struct Upload {
    pub bytes: Bytes,
}

/// A `multipart/form-data` body: its text fields and its files. A file input left empty
/// (the browser sends a part with no file name and no bytes) is no file.
#[derive(Debug, Default)]
pub struct MultipartBody {
    fields: Vec<(String, String)>,
    files: Vec<(String, Upload)>,
}

/// Parts a form may have: more is not a form of ours.
const MAX_PARTS: usize = 200;

impl MultipartBody {
    /// Reads the whole body within the route's body limit; `too_large` is what to tell the
    /// sender when it is over (say the limit of the file the form takes).
    pub async fn read(
        req: Request,
        state: &AppState,
        too_large: &'static str,
    ) -> Result<Self, PageError> {
        let is_multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !is_multipart {
            return Err(PageError::UnsupportedMediaType);
        }
        let unreadable = || {
            PageError::BadRequest(
                "The form could not be read. Reload the page and try again.".into(),
            )
        };
        let over = |e: &axum::extract::multipart::MultipartError| {
            e.status() == StatusCode::PAYLOAD_TOO_LARGE
        };
        let mut multipart = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|_| unreadable())?;
        let mut body = MultipartBody::default();
        while let Some(field) = multipart.next_field().await.map_err(|e| {
            if over(&e) {
                PageError::UploadTooLarge(too_large)
            } else {
                unreadable()
            }
        })? {
            if body.fields.len() + body.files.len() >= MAX_PARTS {
                return Err(unreadable());
            }
            let name = field.name().unwrap_or_default().to_owned();
            let is_file = field.file_name().is_some();
            let bytes = field.bytes().await.map_err(|e| {
                if over(&e) {
                    PageError::UploadTooLarge(too_large)
                } else {
                    unreadable()
                }
            })?;
            if is_file {
                if !bytes.is_empty() {
                    body.files.push((name, Upload { bytes }));
                }
            } else {
                let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                    PageError::BadRequest(format!(
                        "The field “{}” holds characters that are not valid text (UTF-8). Retype what you wrote there and send the form again.",
                        name.chars().take(40).collect::<String>()
                    ))
                })?;
                body.fields.push((name, text));
            }
        }
        Ok(body)
    }

    /// The text of the field `name` (the first, when sent twice), if sent.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The file sent as `name`, if one was chosen.
    pub fn file(&self, name: &str) -> Option<&Upload> {
        self.files.iter().find(|(n, _)| n == name).map(|(_, f)| f)
    }

    /// The text fields, read into `T` as a URL-encoded form with the same fields would be.
    pub fn form<T: DeserializeOwned>(&self) -> Result<T, PageError> {
        let encoded = serde_urlencoded::to_string(&self.fields).map_err(|_| {
            PageError::BadRequest(
                "The form could not be read. Reload the page and try again.".into(),
            )
        })?;
        parse_form(encoded.as_bytes())
    }
}

/// The most text a public form may carry: its fields, however the form is encoded.
pub const PUBLIC_FORM_LIMIT: usize = 32 * 1024;

/// The signing form, URL-encoded (the individual's form, and every existing client) or
/// `multipart/form-data` (the organisation's form, which may carry a logo): its text
/// fields parsed into `T`, and the bytes of the file posted as `logo`, if one was chosen.
/// Text fields are held to [`PUBLIC_FORM_LIMIT`] either way; the route's body limit bounds
/// the file.
pub struct SignForm<T> {
    pub form: T,
    pub logo: Option<Bytes>,
}

fn unreadable_multipart(e: &axum::extract::multipart::MultipartError) -> PageError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        PageError::TooLarge
    } else {
        PageError::BadRequest("The form could not be read. Reload the page and try again.".into())
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for SignForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let bytes = form_bytes(req, state).await?;
            if bytes.len() > PUBLIC_FORM_LIMIT {
                return Err(PageError::TooLarge);
            }
            return parse_form(&bytes).map(|form| SignForm { form, logo: None });
        }
        let mut parts = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|_| {
                PageError::BadRequest(
                    "The form could not be read. Reload the page and try again.".into(),
                )
            })?;
        let mut fields = serde_json::Map::new();
        let mut logo = None;
        let mut text = 0usize;
        while let Some(field) = parts
            .next_field()
            .await
            .map_err(|e| unreadable_multipart(&e))?
        {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "logo" {
                let bytes = field.bytes().await.map_err(|e| unreadable_multipart(&e))?;
                // A form whose file input was left empty still sends the part, empty.
                if !bytes.is_empty() {
                    logo = Some(bytes);
                }
                continue;
            }
            let value = field.text().await.map_err(|e| unreadable_multipart(&e))?;
            text += name.len() + value.len();
            if text > PUBLIC_FORM_LIMIT {
                return Err(PageError::TooLarge);
            }
            fields
                .entry(name)
                .or_insert(serde_json::Value::String(value));
        }
        let form = serde_json::from_value(serde_json::Value::Object(fields)).map_err(|_| {
            PageError::BadRequest(
                "The form could not be read. Reload the page and try again.".into(),
            )
        })?;
        Ok(SignForm { form, logo })
    }
}
