//! A published letter's versions for the public (`/l/{slug}/versions`, each version's exact
//! text at `/l/{slug}/versions/{n}.txt`, whose SHA-256 the log's text entry holds), and the
//! re-confirmation link emailed to earlier signers after a change of substance
//! (`/r/{token}`: opening it shows the changes and a button; the button re-confirms).

use askama::Template;
use axum::{
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use similar::{ChangeTag, TextDiff};
use undersigned_store::{LetterVersion, ReconfirmCommand, StoreError, WriteCommand, WriteOutcome};
use undersigned_verify::entry::canonical_text;

use crate::{
    format,
    pages::{Layout, PageError, message, render},
    secrets::Token,
    services::writer::WriteError,
    state::AppState,
};

/// A run of words in a diff: unchanged, removed or added.
pub struct DiffPart {
    /// `same`, `del` or `ins`.
    pub kind: &'static str,
    pub text: String,
}

/// The word-level differences between two texts (each as its canonical text).
pub fn diff(old: &LetterVersion, new: &LetterVersion) -> Vec<DiffPart> {
    let old = String::from_utf8_lossy(&canonical_text(&old.title, &old.subject, &old.body_md))
        .into_owned();
    let new = String::from_utf8_lossy(&canonical_text(&new.title, &new.subject, &new.body_md))
        .into_owned();
    let mut parts: Vec<DiffPart> = Vec::new();
    for change in TextDiff::from_words(&old, &new).iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => "same",
            ChangeTag::Delete => "del",
            ChangeTag::Insert => "ins",
        };
        match parts.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(change.value()),
            _ => parts.push(DiffPart {
                kind,
                text: change.value().to_owned(),
            }),
        }
    }
    parts
}

pub struct VersionView {
    pub number: u64,
    pub date: String,
    pub kind: &'static str,
    pub note: Option<String>,
    /// The differences from the version before (None for version 1).
    pub changes: Option<Vec<DiffPart>>,
}

#[derive(Template)]
#[template(path = "versions.html")]
struct VersionsPage {
    layout: Layout,
    slug: String,
    title: String,
    versions: Vec<VersionView>,
}

fn views(versions: &[LetterVersion]) -> Vec<VersionView> {
    let mut views: Vec<VersionView> = versions
        .iter()
        .enumerate()
        .map(|(i, v)| VersionView {
            number: v.number,
            date: format::date_time(v.created_at),
            kind: match (v.number, v.substantive) {
                (1, _) => "As first published",
                (_, true) => "A change of substance",
                (_, false) => "A correction",
            },
            note: v.note.clone(),
            changes: i
                .checked_sub(1)
                .and_then(|p| versions.get(p))
                .map(|previous| diff(previous, v)),
        })
        .collect();
    views.reverse();
    views
}

/// `GET /l/{slug}/versions`: every version, newest first, each with what changed.
pub async fn list(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let view = state.reads.public_letter(&slug).await?;
    let versions = state.store.letter_versions(view.letter.id).await?;
    Ok(render(
        StatusCode::OK,
        &VersionsPage {
            layout: Layout::new(
                state.instance(),
                format!("Versions of {}", view.letter.title),
            ),
            slug: view.letter.slug.clone(),
            title: view.letter.title.clone(),
            versions: views(&versions),
        },
    ))
}

/// `GET /l/{slug}/versions/{n}.txt`: the exact bytes the log's text entry hashes.
pub async fn text(
    State(state): State<AppState>,
    Path((slug, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let view = state.reads.public_letter(&slug).await?;
    let number = file
        .strip_suffix(".txt")
        .and_then(|n| n.parse::<u64>().ok())
        .ok_or(PageError::NotFound)?;
    let version = state
        .store
        .letter_versions(view.letter.id)
        .await?
        .into_iter()
        .find(|v| v.number == number)
        .ok_or(PageError::NotFound)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
            // A version never changes.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        canonical_text(&version.title, &version.subject, &version.body_md),
    )
        .into_response())
}

#[derive(Debug, thiserror::Error)]
pub enum ReconfirmError {
    /// The token is malformed or no email carried it.
    #[error("unknown re-confirmation link")]
    Unknown,
    #[error(transparent)]
    Page(#[from] PageError),
}

impl From<StoreError> for ReconfirmError {
    fn from(e: StoreError) -> Self {
        ReconfirmError::Page(e.into())
    }
}

impl From<WriteError> for ReconfirmError {
    fn from(e: WriteError) -> Self {
        ReconfirmError::Page(e.into())
    }
}

impl IntoResponse for ReconfirmError {
    fn into_response(self) -> Response {
        match self {
            ReconfirmError::Unknown => message(
                StatusCode::NOT_FOUND,
                "Unknown link",
                "This re-confirmation link is not one we sent. Copy the whole link from the email.",
                Some(("/", "Home")),
            ),
            ReconfirmError::Page(e) => e.into_response(),
        }
    }
}

#[derive(Template)]
#[template(path = "reconfirm.html")]
struct ReconfirmPage {
    layout: Layout,
    token: String,
    slug: String,
    title: String,
    /// Whether the signature already carries the current version.
    done: bool,
    /// Whether the signature is still published.
    published: bool,
    signed_on: u64,
    current: u64,
    changes: Vec<DiffPart>,
}

/// `GET /r/{token}`: the new text's changes since the signer's version, and the button.
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ReconfirmError> {
    let token = Token::parse(&token).ok_or(ReconfirmError::Unknown)?;
    let link = state
        .store
        .reconfirmation(token.hash())
        .await?
        .ok_or(ReconfirmError::Unknown)?;
    let versions = state.store.letter_versions(link.letter).await?;
    let find = |n: u64| versions.iter().find(|v| v.number == n);
    let changes = match (find(link.signed_on), find(link.current)) {
        (Some(old), Some(new)) => diff(old, new),
        _ => Vec::new(),
    };
    let title = find(link.current)
        .map(|v| v.title.clone())
        .unwrap_or_default();
    Ok(render(
        StatusCode::OK,
        &ReconfirmPage {
            layout: Layout::new(state.instance(), "Re-confirm your signature"),
            token: token.as_str().to_owned(),
            slug: link.letter_slug,
            title,
            done: link.signed_on >= link.current,
            published: link.published,
            signed_on: link.signed_on,
            current: link.current,
            changes,
        },
    ))
}

/// `POST /r/{token}`: the signature now carries the current version. Doing it again does
/// nothing more.
pub async fn reconfirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ReconfirmError> {
    let token = Token::parse(&token).ok_or(ReconfirmError::Unknown)?;
    let link = state
        .store
        .reconfirmation(token.hash())
        .await?
        .ok_or(ReconfirmError::Unknown)?;
    let gone = || {
        message(
            StatusCode::CONFLICT,
            "This signature is no longer on the letter",
            "It was withdrawn or removed, so there is nothing to re-confirm.",
            Some((&format!("/l/{}", link.letter_slug), "Back to the letter")),
        )
    };
    if !link.published {
        return Ok(gone());
    }
    // Through the writer, as a confirmation: it rides the sign-ups' batches, and the
    // writer tells the reads that the letter's counts moved.
    let command = WriteCommand::Reconfirm(ReconfirmCommand {
        token_hash: token.hash(),
        now: state.clock.now(),
    });
    match state.writer.submit(command).await? {
        WriteOutcome::Reconfirmed(Some(_)) => {}
        // Withdrawn or removed since the link was read, a moment ago.
        WriteOutcome::Reconfirmed(None) => return Ok(gone()),
        other => {
            return Err(ReconfirmError::Page(PageError::Internal(format!(
                "the writer answered a re-confirmation with {other:?}"
            ))));
        }
    }
    Ok(message(
        StatusCode::OK,
        "Signature re-confirmed",
        "Thank you: your signature now stands under the current text of the letter.",
        Some((&format!("/l/{}", link.letter_slug), "Back to the letter")),
    ))
}
