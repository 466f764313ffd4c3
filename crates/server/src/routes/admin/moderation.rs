//! Moderation: the queue of a letter's signatures with its filters and search, a moderator's
//! actions on one signature (approve, hide after a confirmation page, undo a hide, reject
//! with a reason) and on many (a preview that says how many, then a confirm button), the
//! letter's moderation setting, and the letter's audit trail.
//!
//! Every action goes through the writer, so a signature's state, the log entry and the
//! counts change in one transaction, with the audit event. Bulk actions are applied in
//! bounded batches and audited with one event per signature (each written in the same
//! transaction as its change, marked "bulk action") and one summarising event with the
//! count.

use super::{actor, authorised};
use std::collections::BTreeMap;

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use undersigned_core::{
    SignatureFilter, SignatureFilterInput, SignatureKind, SignatureState,
    filter::{FilterError, Search, VerificationFilter},
    letter::Moderation,
    moderation::{Action, Reason},
    role::Permission,
};
use undersigned_store::{
    Letter, ModerateCommand, ModerationAction, ModerationOutcome, QueueCursor, QueueFilter,
    QueueRow, SignatureId, StoreError, WriteCommand, WriteOutcome,
};

use super::{core_text, signature_state_label};
use crate::{
    auth::{Organiser, csrf::OrganiserForm},
    extract::Empty,
    format,
    i18n::{t, t1, t2},
    pages::{Layout, PageError, message, render},
    services::writer::WriteError,
    state::AppState,
};

/// Signatures on a page of the queue.
const PAGE_SIZE: u32 = 50;
/// The most signatures a name search opens for one page.
const SEARCH_SCAN: u32 = 2_000;
/// The most signatures one bulk action changes (run it again for the rest).
const MAX_BULK: usize = 5_000;
/// The most signatures a bulk action with a name search looks at.
const MAX_BULK_SCAN: u64 = 50_000;
/// How many of a bulk action's commands go to the writer at a time.
const BULK_CHUNK: usize = 100;
/// Events on a page of the audit trail.
const AUDIT_PAGE: u32 = 50;

/// Why a moderation request failed, beyond the usual page errors.
#[derive(Debug, thiserror::Error)]
pub enum ModerationError {
    /// The signature's state does not allow the action.
    #[error("the signature is {state}")]
    SignatureState { state: String, action: Action },
    /// The hide's undo window has passed.
    #[error("the undo window has passed")]
    UndoExpired { days: u32 },
    /// An organisation's signature that nobody verified: it is published by verifying it.
    #[error("the organisation is not verified")]
    NeedsVerification,
    /// A filter that cannot be read.
    #[error(transparent)]
    Filter(#[from] FilterError),
    #[error(transparent)]
    Page(#[from] PageError),
}

impl From<StoreError> for ModerationError {
    fn from(e: StoreError) -> Self {
        Self::Page(e.into())
    }
}

impl From<WriteError> for ModerationError {
    fn from(e: WriteError) -> Self {
        Self::Page(e.into())
    }
}

impl IntoResponse for ModerationError {
    fn into_response(self) -> Response {
        let sentence = match self {
            Self::SignatureState { state, action } => {
                let only = t(match action {
                    Action::Approve => "admin-only-approve",
                    Action::Hide => "admin-only-hide",
                    Action::Undo => "admin-only-undo",
                    Action::Reject => "admin-only-reject",
                });
                t2(
                    "admin-signature-state-refused-action",
                    "state",
                    signature_state_label(&state),
                    "only",
                    only,
                )
            }
            Self::UndoExpired { days } => t1("admin-undo-expired", "days", days),
            Self::NeedsVerification => t("admin-needs-verification"),
            Self::Filter(e) => {
                return message(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &t("admin-check-filters"),
                    &e.to_string(),
                    None,
                );
            }
            Self::Page(e) => return e.into_response(),
        };
        message(
            StatusCode::CONFLICT,
            &t("admin-not-possible"),
            &sentence,
            Some(("/admin", &t("admin-back-to-letters"))),
        )
    }
}

fn signature_id(text: &str) -> Result<SignatureId, PageError> {
    text.parse::<i64>()
        .map(SignatureId)
        .map_err(|_| PageError::NotFound)
}

/// The query string's filters, validated against the letter, as the store applies them.
fn store_filter(
    state: &AppState,
    letter: &Letter,
    input: &SignatureFilterInput,
) -> Result<(SignatureFilter, QueueFilter), FilterError> {
    let categories: Vec<(i64, &str)> = letter
        .categories
        .iter()
        .map(|c| (c.id.0, c.name.as_str()))
        .collect();
    let filter = SignatureFilter::parse(input, &categories)?;
    let (email, name) = match &filter.search {
        Some(Search::Email(email)) => (Some(state.keys.duplicates.key("signature", email)), None),
        Some(Search::Name(name)) => (None, Some(name.clone())),
        None => (None, None),
    };
    let queue = QueueFilter {
        category: filter.category_id(),
        kind: filter.kind,
        verification: filter.verification,
        states: filter.state.into_iter().collect(),
        from: filter.signed_from(),
        until: filter.signed_before(),
        email,
        name,
    };
    Ok((filter, queue))
}

fn query_string(pairs: &[(&str, String)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

pub struct QueueLine {
    pub id: i64,
    pub kind: &'static str,
    pub log_index: String,
    pub name: String,
    pub email: String,
    pub category: String,
    pub display: String,
    pub state: String,
    pub details: String,
    pub created: String,
    pub reason: String,
    /// Until when the hide can be undone, in words (empty: no undo).
    pub undo_until: String,
    pub can_approve: bool,
    /// An organisation held until an organiser verifies it: Verify, not Approve.
    pub can_verify: bool,
    /// How an organisation was verified ("domain", "organiser"), "unverified", or empty
    /// for a person.
    pub verification: &'static str,
    pub can_hide: bool,
    pub can_undo: bool,
    pub can_reject: bool,
    /// A hide whose undo window has passed (its text is erased).
    pub hide_final: bool,
}

fn line(row: QueueRow, can_moderate: bool, now: i64) -> QueueLine {
    let d = &row.details;
    let details = [&d.title, &d.affiliation, &d.city, &d.country, &d.comment]
        .into_iter()
        .filter_map(|x| x.as_deref())
        .collect::<Vec<_>>()
        .join(" · ");
    let undo_open = row.undo_until.filter(|until| *until > now);
    let awaits_verification = row.awaits_verification();
    QueueLine {
        can_approve: can_moderate && row.state == SignatureState::Held && !awaits_verification,
        can_verify: can_moderate && awaits_verification,
        verification: match (row.kind, row.verification) {
            (SignatureKind::Individual, _) => "",
            (SignatureKind::Organisation, Some(v)) => v.as_str(),
            (SignatureKind::Organisation, None) => "unverified",
        },
        id: row.id.0,
        kind: row.kind.as_str(),
        log_index: row.log_index.map(|i| i.to_string()).unwrap_or_default(),
        name: row.name,
        email: row.email,
        category: row.category,
        display: row.display.to_string(),
        state: row.state.as_str().to_owned(),
        details,
        created: format::date_time(row.created_at),
        reason: row.reason.unwrap_or_default(),
        undo_until: undo_open.map(format::date_time).unwrap_or_default(),
        can_hide: can_moderate && row.state == SignatureState::Published,
        can_undo: can_moderate && undo_open.is_some() && row.state == SignatureState::Hidden,
        can_reject: can_moderate
            && matches!(row.state, SignatureState::Held | SignatureState::Published),
        hide_final: row.state == SignatureState::Hidden && undo_open.is_none(),
    }
}

#[derive(Template)]
#[template(path = "admin/signatures.html")]
struct QueuePage {
    layout: Layout,
    id: i64,
    title: String,
    csrf: String,
    can_moderate: bool,
    notice: Option<String>,
    /// The filters as typed, to fill the form again.
    input: SignatureFilterInput,
    categories: Vec<String>,
    kinds: Vec<&'static str>,
    verifications: Vec<&'static str>,
    states: Vec<&'static str>,
    filtered: bool,
    moderation: String,
    rows: Vec<QueueLine>,
    /// The query string of the next page, when there may be one.
    next: Option<String>,
    /// The query string of the first page with these filters, when this is not it.
    first: Option<String>,
    /// For a name search: how many signatures this page looked at.
    scanned: Option<u64>,
    undo_days: u32,
}

#[derive(Debug, Deserialize)]
pub struct QueueQuery {
    #[serde(flatten)]
    filter: SignatureFilterInput,
    #[serde(default)]
    after: String,
    #[serde(default)]
    done: String,
    #[serde(default)]
    n: String,
}

/// `12345.67`: the keyset cursor (signed at, id) of the last row of the page before.
fn parse_cursor(text: &str) -> Result<Option<QueueCursor>, PageError> {
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || PageError::BadRequest(t("admin-page-address-damaged"));
    let (at, id) = text.split_once('.').ok_or_else(bad)?;
    Ok(Some(QueueCursor {
        created_at: at.parse().map_err(|_| bad())?,
        id: id.parse().map_err(|_| bad())?,
    }))
}

fn notice(done: &str, n: &str, undo_days: u32) -> Option<String> {
    let n = n.parse::<u64>().unwrap_or(0);
    let bulk = |key| t2(key, "n", n, "count", format::count(n));
    Some(match done {
        "approved" => t("admin-notice-approved"),
        "approved_batch" => t("admin-notice-approved-batch"),
        "hidden" => t1("admin-notice-hidden", "days", undo_days),
        "restored" => t("admin-notice-restored"),
        "rejected" => t("admin-notice-rejected"),
        "bulk_approve" => bulk("admin-notice-bulk-approve"),
        "bulk_hide" => bulk("admin-notice-bulk-hide"),
        "bulk_reject" => bulk("admin-notice-bulk-reject"),
        _ => return None,
    })
}

/// `GET /admin/letters/{id}/signatures`: the queue, filtered, newest first.
pub async fn queue(
    State(state): State<AppState>,
    organiser: Organiser,
    Path(id): Path<String>,
    Query(query): Query<QueueQuery>,
) -> Result<Response, ModerationError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::View).await?;
    let can_moderate = organiser
        .require(letter.workspace_id, Permission::Moderate)
        .is_ok();
    let (filter, queue_filter) = store_filter(&state, &letter, &query.filter)?;
    let after = parse_cursor(&query.after)?;
    let page = state
        .store
        .queue(letter.id, &queue_filter, after, PAGE_SIZE, SEARCH_SCAN)
        .await?;
    let pairs = query.filter.pairs();
    let next = page.next.map(|c| {
        let mut pairs = pairs.clone();
        pairs.push(("after", format!("{}.{}", c.created_at, c.id)));
        query_string(&pairs)
    });
    let now = state.clock.now();
    let undo_days = state.settings.hide_undo_days;
    let scanned = matches!(filter.search, Some(Search::Name(_))).then_some(page.scanned);
    Ok(render(
        StatusCode::OK,
        &QueuePage {
            layout: Layout::new(
                state.instance(),
                t1("admin-signatures-title", "title", letter.title.as_str()),
            )
            .with_nav(organiser.nav()),
            id: letter.id.0,
            title: letter.title.clone(),
            csrf: organiser.csrf.clone(),
            can_moderate,
            notice: notice(&query.done, &query.n, undo_days),
            categories: letter.categories.iter().map(|c| c.name.clone()).collect(),
            kinds: SignatureKind::ALL.iter().map(|k| k.as_str()).collect(),
            verifications: VerificationFilter::ALL.iter().map(|v| v.as_str()).collect(),
            states: SignatureState::ALL.iter().map(|s| s.as_str()).collect(),
            filtered: !filter.is_empty(),
            moderation: letter.moderation.as_str().to_owned(),
            rows: page
                .rows
                .into_iter()
                .map(|r| line(r, can_moderate, now))
                .collect(),
            next,
            first: after.map(|_| query_string(&pairs)),
            scanned,
            undo_days,
            input: query.filter,
        },
    ))
}

/// Applies one moderator action through the writer.
async fn moderate(
    state: &AppState,
    organiser: &Organiser,
    letter: &Letter,
    signature: SignatureId,
    action: ModerationAction,
    bulk: bool,
) -> Result<ModerationOutcome, ModerationError> {
    let name = match &action {
        ModerationAction::Approve => Action::Approve,
        ModerationAction::Hide { .. } => Action::Hide,
        ModerationAction::Undo => Action::Undo,
        ModerationAction::Reject(_) => Action::Reject,
    };
    let outcome = state
        .writer
        .submit(command(state, organiser, letter, signature, action, bulk))
        .await;
    outcome_of(state, name, outcome)
}

fn command(
    state: &AppState,
    organiser: &Organiser,
    letter: &Letter,
    signature: SignatureId,
    action: ModerationAction,
    bulk: bool,
) -> WriteCommand {
    WriteCommand::Moderate(Box::new(ModerateCommand {
        actor: actor(organiser, letter),
        letter: letter.id,
        signature,
        action,
        now: state.clock.now(),
        salt: crate::secrets::random_bytes(),
        bulk,
    }))
}

fn outcome_of(
    state: &AppState,
    action: Action,
    outcome: Result<WriteOutcome, WriteError>,
) -> Result<ModerationOutcome, ModerationError> {
    match outcome {
        Ok(WriteOutcome::Moderated {
            outcome: ModerationOutcome::UndoExpired,
            ..
        }) => Err(ModerationError::UndoExpired {
            days: state.settings.hide_undo_days,
        }),
        Ok(WriteOutcome::Moderated { outcome, .. }) => Ok(outcome),
        Ok(other) => Err(PageError::Internal(format!("unexpected outcome {other:?}")).into()),
        Err(WriteError::Failed(StoreError::WrongState {
            what: "organisation",
            ..
        })) => Err(ModerationError::NeedsVerification),
        Err(WriteError::Failed(StoreError::WrongState { actual, .. })) => {
            Err(ModerationError::SignatureState {
                state: actual,
                action,
            })
        }
        Err(e) => Err(e.into()),
    }
}

fn back_to_queue(letter: &Letter, done: &str) -> Response {
    Redirect::to(&format!(
        "/admin/letters/{}/signatures?done={done}",
        letter.id
    ))
    .into_response()
}

/// `POST /admin/letters/{id}/signatures/{signature}/approve`: held → published.
pub async fn approve(
    State(state): State<AppState>,
    Path((id, signature)): Path<(String, String)>,
    OrganiserForm { organiser, .. }: OrganiserForm<Empty>,
) -> Result<Response, ModerationError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::Moderate).await?;
    let signature = signature_id(&signature)?;
    let outcome = moderate(
        &state,
        &organiser,
        &letter,
        signature,
        ModerationAction::Approve,
        false,
    )
    .await?;
    Ok(back_to_queue(
        &letter,
        if outcome == ModerationOutcome::ApprovedForBatch {
            "approved_batch"
        } else {
            "approved"
        },
    ))
}

/// `POST /admin/letters/{id}/signatures/{signature}/undo`: hidden → published again.
pub async fn undo(
    State(state): State<AppState>,
    Path((id, signature)): Path<(String, String)>,
    OrganiserForm { organiser, .. }: OrganiserForm<Empty>,
) -> Result<Response, ModerationError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::Moderate).await?;
    let signature = signature_id(&signature)?;
    moderate(
        &state,
        &organiser,
        &letter,
        signature,
        ModerationAction::Undo,
        false,
    )
    .await?;
    Ok(back_to_queue(&letter, "restored"))
}

#[derive(Template)]
#[template(path = "admin/moderate.html")]
struct ConfirmPage {
    layout: Layout,
    id: i64,
    letter_title: String,
    csrf: String,
    /// Where the form posts.
    path: String,
    heading: String,
    /// What will happen, in sentences.
    consequences: Vec<String>,
    who: String,
    state: String,
    category: String,
    /// The form asks for a reason.
    reason: bool,
    reason_value: String,
    error: Option<String>,
    button: String,
}

/// The page that asks a moderator to confirm `action` on one signature.
async fn confirm_page(
    state: &AppState,
    organiser: &Organiser,
    letter: &Letter,
    signature: SignatureId,
    action: Action,
    reason_value: String,
    error: Option<String>,
) -> Result<Response, ModerationError> {
    let row = state
        .store
        .queue_row(letter.id, signature)
        .await?
        .ok_or(PageError::NotFound)?;
    if !action.applies_to().contains(&row.state) {
        return Err(ModerationError::SignatureState {
            state: row.state.as_str().to_owned(),
            action,
        });
    }
    let days = state.settings.hide_undo_days;
    let consequences = match action {
        Action::Hide => vec![
            t("admin-hide-consequence-1"),
            t("admin-hide-consequence-2"),
            t("admin-hide-consequence-3"),
            t1("admin-hide-consequence-4", "days", days),
        ],
        Action::Reject if row.state == SignatureState::Published => vec![
            t("admin-reject-published-consequence"),
            t("admin-reject-erased"),
            t("admin-reject-reason-recorded"),
        ],
        Action::Reject => vec![
            t("admin-reject-never"),
            t("admin-reject-erased"),
            t("admin-reject-reason-recorded"),
        ],
        Action::Approve | Action::Undo => Vec::new(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(
        status,
        &ConfirmPage {
            layout: Layout::new(
                state.instance(),
                t(&format!("admin-confirm-title-{}", action.verb())),
            )
            .with_nav(organiser.nav()),
            id: letter.id.0,
            letter_title: letter.title.clone(),
            csrf: organiser.csrf.clone(),
            path: format!(
                "/admin/letters/{}/signatures/{}/{}",
                letter.id,
                signature,
                action.as_str()
            ),
            heading: t(&format!("admin-confirm-heading-{}", action.verb())),
            consequences,
            who: format!("{} <{}>", row.name, row.email),
            state: row.state.as_str().to_owned(),
            category: row.category,
            reason: action == Action::Reject,
            reason_value,
            error: error.map(|e| core_text::message(&e)),
            button: t(&format!("admin-confirm-button-{}", action.verb())),
        },
    ))
}

/// `GET /admin/letters/{id}/signatures/{signature}/hide`: what a hide does, and its button.
pub async fn hide_page(
    State(state): State<AppState>,
    organiser: Organiser,
    Path((id, signature)): Path<(String, String)>,
) -> Result<Response, ModerationError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::Moderate).await?;
    let signature = signature_id(&signature)?;
    confirm_page(
        &state,
        &organiser,
        &letter,
        signature,
        Action::Hide,
        String::new(),
        None,
    )
    .await
}

/// `POST /admin/letters/{id}/signatures/{signature}/hide`: published → hidden.
pub async fn hide(
    State(state): State<AppState>,
    Path((id, signature)): Path<(String, String)>,
    OrganiserForm { organiser, .. }: OrganiserForm<Empty>,
) -> Result<Response, ModerationError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::Moderate).await?;
    let signature = signature_id(&signature)?;
    let undo_until = state.settings.hide_undo_until(state.clock.now());
    moderate(
        &state,
        &organiser,
        &letter,
        signature,
        ModerationAction::Hide { undo_until },
        false,
    )
    .await?;
    Ok(back_to_queue(&letter, "hidden"))
}

/// `GET /admin/letters/{id}/signatures/{signature}/reject`: the reason to give, and the
/// button.
pub async fn reject_page(
    State(state): State<AppState>,
    organiser: Organiser,
    Path((id, signature)): Path<(String, String)>,
) -> Result<Response, ModerationError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::Moderate).await?;
    let signature = signature_id(&signature)?;
    confirm_page(
        &state,
        &organiser,
        &letter,
        signature,
        Action::Reject,
        String::new(),
        None,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// `POST /admin/letters/{id}/signatures/{signature}/reject`: held or published → rejected,
/// with a reason (required).
pub async fn reject(
    State(state): State<AppState>,
    Path((id, signature)): Path<(String, String)>,
    OrganiserForm { organiser, form }: OrganiserForm<ReasonForm>,
) -> Result<Response, ModerationError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::Moderate).await?;
    let signature = signature_id(&signature)?;
    let reason = match Reason::parse(&form.reason) {
        Ok(reason) => reason,
        Err(e) => {
            return confirm_page(
                &state,
                &organiser,
                &letter,
                signature,
                Action::Reject,
                form.reason,
                Some(e.to_string()),
            )
            .await;
        }
    };
    moderate(
        &state,
        &organiser,
        &letter,
        signature,
        ModerationAction::Reject(reason),
        false,
    )
    .await?;
    Ok(back_to_queue(&letter, "rejected"))
}

// --- bulk ------------------------------------------------------------------------------------

/// A bulk form: the action, the filters it was shown with, the ticked signatures
/// (`sig_ID`), and for a rejection its reason.
#[derive(Debug, Deserialize)]
pub struct BulkForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

/// A bulk request, validated: the action and which signatures it means.
struct Bulk {
    action: Action,
    input: SignatureFilterInput,
    ticked: Vec<i64>,
}

/// What a bulk action would change now.
struct Targets {
    ids: Vec<SignatureId>,
    /// More matched than one bulk action changes.
    more: bool,
    /// Organisations held for verification that an approval leaves alone.
    unverified: usize,
}

impl Bulk {
    fn parse(form: &BulkForm) -> Result<Self, PageError> {
        let action = form
            .action
            .parse::<Action>()
            .ok()
            .filter(|a| Action::BULK.contains(a))
            .ok_or_else(|| PageError::BadRequest(t("admin-bulk-choose-action")))?;
        let input = SignatureFilterInput::from_fields(|key| form.rest.get(key).cloned());
        let mut ticked = Vec::new();
        for key in form.rest.keys() {
            if let Some(id) = key.strip_prefix("sig_") {
                ticked.push(
                    id.parse::<i64>()
                        .map_err(|_| PageError::BadRequest(t("admin-bulk-unreadable")))?,
                );
            }
        }
        if ticked.len() > MAX_BULK {
            return Err(PageError::BadRequest(t1(
                "admin-bulk-too-many",
                "n",
                MAX_BULK,
            )));
        }
        Ok(Self {
            action,
            input,
            ticked,
        })
    }

    /// The signatures the action would change now: the ticked ones, or every one matching
    /// the filters, in a state the action applies to; at most [`MAX_BULK`]. The second value
    /// says whether more matched.
    async fn targets(&self, state: &AppState, letter: &Letter) -> Result<Targets, ModerationError> {
        let (_, mut filter) = store_filter(state, letter, &self.input)?;
        let applies = self.action.applies_to();
        filter.states = if filter.states.is_empty() {
            applies.to_vec()
        } else {
            filter
                .states
                .iter()
                .copied()
                .filter(|s| applies.contains(s))
                .collect()
        };
        let mut targets = Targets {
            ids: Vec::new(),
            more: false,
            unverified: 0,
        };
        if filter.states.is_empty() {
            return Ok(targets);
        }
        // An approval would publish a held, unverified organisation unverified: it is
        // verified instead, one by one, and a bulk approval leaves it (and says so).
        let skips = |row: &QueueRow| self.action == Action::Approve && row.awaits_verification();
        if !self.ticked.is_empty() {
            let members = state
                .store
                .queue_members(letter.id, &filter, &self.ticked)
                .await?;
            for row in members {
                if skips(&row) {
                    targets.unverified += 1;
                } else {
                    targets.ids.push(row.id);
                }
            }
            return Ok(targets);
        }
        let mut after = None;
        let mut scanned = 0;
        loop {
            let page = state
                .store
                .queue(letter.id, &filter, after, 500, 10_000)
                .await?;
            for row in &page.rows {
                if skips(row) {
                    targets.unverified += 1;
                } else {
                    targets.ids.push(row.id);
                }
            }
            scanned += page.scanned;
            // A name search opens names one by one: bounded here too.
            if scanned >= MAX_BULK_SCAN && page.next.is_some() {
                targets.more = true;
                return Ok(targets);
            }
            if targets.ids.len() >= MAX_BULK {
                targets.more = targets.ids.len() > MAX_BULK || page.next.is_some();
                targets.ids.truncate(MAX_BULK);
                return Ok(targets);
            }
            match page.next {
                Some(next) => after = Some(next),
                None => return Ok(targets),
            }
        }
    }

    /// The form's fields to carry to the confirm button.
    fn hidden_fields(&self) -> Vec<(String, String)> {
        let mut fields: Vec<(String, String)> = self
            .input
            .pairs()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        fields.extend(
            self.ticked
                .iter()
                .map(|id| (format!("sig_{id}"), "on".into())),
        );
        fields.push(("action".into(), self.action.as_str().into()));
        fields
    }
}

#[derive(Template)]
#[template(path = "admin/bulk.html")]
struct BulkPage {
    layout: Layout,
    id: i64,
    letter_title: String,
    csrf: String,
    sentence: String,
    count: usize,
    more: bool,
    /// Why some matching signatures are left alone (held, unverified organisations).
    skipped: Option<String>,
    ticked: bool,
    reason: bool,
    reason_value: String,
    error: Option<String>,
    fields: Vec<(String, String)>,
    button: String,
    back: String,
    undo_days: u32,
    hide: bool,
}

async fn bulk_page(
    state: &AppState,
    organiser: &Organiser,
    letter: &Letter,
    bulk: &Bulk,
    reason_value: String,
    error: Option<String>,
) -> Result<Response, ModerationError> {
    let Targets {
        ids,
        more,
        unverified,
    } = bulk.targets(state, letter).await?;
    let count = ids.len();
    let sentence = t2(
        &format!("admin-bulk-sentence-{}", bulk.action.verb()),
        "n",
        count,
        "count",
        format::count(count as u64),
    );
    let skipped = (unverified > 0).then(|| {
        t2(
            "admin-bulk-skipped",
            "n",
            unverified,
            "count",
            format::count(unverified as u64),
        )
    });
    Ok(render(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &BulkPage {
            layout: Layout::new(state.instance(), t("admin-bulk-action")).with_nav(organiser.nav()),
            id: letter.id.0,
            letter_title: letter.title.clone(),
            csrf: organiser.csrf.clone(),
            sentence,
            count,
            more,
            skipped,
            ticked: !bulk.ticked.is_empty(),
            reason: bulk.action == Action::Reject,
            reason_value,
            error: error.map(|e| core_text::message(&e)),
            fields: bulk.hidden_fields(),
            button: t1(
                &format!("admin-bulk-button-{}", bulk.action.verb()),
                "n",
                count,
            ),
            back: format!(
                "/admin/letters/{}/signatures?{}",
                letter.id,
                query_string(&bulk.input.pairs())
            ),
            undo_days: state.settings.hide_undo_days,
            hide: bulk.action == Action::Hide,
        },
    ))
}

/// `POST /admin/letters/{id}/signatures/bulk`: the preview ("This will approve 37
/// signatures") with the confirm button. Changes nothing.
pub async fn bulk_preview(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OrganiserForm { organiser, form }: OrganiserForm<BulkForm>,
) -> Result<Response, ModerationError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::Moderate).await?;
    let bulk = Bulk::parse(&form)?;
    bulk_page(&state, &organiser, &letter, &bulk, String::new(), None).await
}

/// `POST /admin/letters/{id}/signatures/bulk/apply`: applies the action to what the
/// filters (or ticks) match now, through the writer in bounded batches.
pub async fn bulk_apply(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OrganiserForm { organiser, form }: OrganiserForm<BulkForm>,
) -> Result<Response, ModerationError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::Moderate).await?;
    let bulk = Bulk::parse(&form)?;
    let reason = if bulk.action == Action::Reject {
        match Reason::parse(&form.reason) {
            Ok(reason) => Some(reason),
            Err(e) => {
                return bulk_page(
                    &state,
                    &organiser,
                    &letter,
                    &bulk,
                    form.reason.clone(),
                    Some(e.to_string()),
                )
                .await;
            }
        }
    } else {
        None
    };
    let targets = bulk.targets(&state, &letter).await?.ids;
    let undo_until = state.settings.hide_undo_until(state.clock.now());
    let mut applied = 0u64;
    for chunk in targets.chunks(BULK_CHUNK) {
        let commands = chunk
            .iter()
            .map(|signature| {
                let action = match (bulk.action, &reason) {
                    (Action::Approve, _) => ModerationAction::Approve,
                    (Action::Hide, _) => ModerationAction::Hide { undo_until },
                    (Action::Reject, Some(reason)) => ModerationAction::Reject(reason.clone()),
                    // Not a bulk action, or a rejection without a reason: parsed away above.
                    (Action::Undo, _) | (Action::Reject, None) => ModerationAction::Undo,
                };
                command(&state, &organiser, &letter, *signature, action, true)
            })
            .collect();
        for result in state.writer.submit_all(commands).await {
            match outcome_of(&state, bulk.action, result) {
                Ok(_) => applied += 1,
                // Changed by someone else since it was read, or an organisation that
                // waits for verification: skipped.
                Err(
                    ModerationError::SignatureState { .. } | ModerationError::NeedsVerification,
                ) => {}
                Err(e) => return Err(e),
            }
        }
    }
    state
        .store
        .record_letter_audit(
            actor(&organiser, &letter),
            letter.id,
            &format!("signature.bulk_{}", bulk.action.as_str()),
            &format!("letter {}", letter.slug),
            &format::signatures(applied),
            state.clock.now(),
        )
        .await
        .map_err(PageError::from)?;
    Ok(Redirect::to(&format!(
        "/admin/letters/{}/signatures?done=bulk_{}&n={applied}",
        letter.id,
        bulk.action.as_str()
    ))
    .into_response())
}

// --- the setting and the audit trail ---------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct ModerationForm {
    #[serde(default)]
    moderation: String,
}

/// `POST /admin/letters/{id}/moderation`: publish when confirmed, or hold for review
/// (editors and owners, in any state of the letter).
pub async fn set_moderation(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OrganiserForm { organiser, form }: OrganiserForm<ModerationForm>,
) -> Result<Response, PageError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let moderation = form
        .moderation
        .parse::<Moderation>()
        .map_err(|_| PageError::BadRequest(t("admin-error-moderation")))?;
    state
        .store
        .set_moderation(
            actor(&organiser, &letter),
            letter.id,
            moderation,
            state.clock.now(),
        )
        .await?;
    state.reads.letter_changed(letter.id);
    Ok(Redirect::to(&format!("/admin/letters/{}?done=saved", letter.id)).into_response())
}

pub struct AuditLine {
    pub at: String,
    pub who: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    id: i64,
    title: String,
    events: Vec<AuditLine>,
    next: Option<i64>,
    first: bool,
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    before: String,
}

/// `GET /admin/letters/{id}/audit`: every organiser action on the letter and its
/// signatures, newest first (owners and editors).
pub async fn audit(
    State(state): State<AppState>,
    organiser: Organiser,
    Path(id): Path<String>,
    Query(query): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let before = match query.before.as_str() {
        "" => None,
        text => Some(
            text.parse::<i64>()
                .map_err(|_| PageError::BadRequest(t("admin-page-address-damaged")))?,
        ),
    };
    let mut events = state
        .store
        .letter_audit(letter.id, before, AUDIT_PAGE + 1)
        .await?;
    let more = events.len() > AUDIT_PAGE as usize;
    events.truncate(AUDIT_PAGE as usize);
    let next = more.then(|| events.last().map(|e| e.id)).flatten();
    Ok(render(
        StatusCode::OK,
        &AuditPage {
            layout: Layout::new(
                state.instance(),
                t1("admin-audit-title", "title", letter.title.as_str()),
            )
            .with_nav(organiser.nav()),
            id: letter.id.0,
            title: letter.title.clone(),
            events: events
                .into_iter()
                .map(|e| AuditLine {
                    at: format::date_time(e.at),
                    who: e.user_name.unwrap_or_else(|| "the server".into()),
                    action: e.action,
                    subject: e.subject,
                    detail: e.detail,
                    reason: e.reason.unwrap_or_default(),
                })
                .collect(),
            next,
            first: before.is_some(),
        },
    ))
}
