//! Organisers write, preview, publish and close letters, and see who signed.

use super::{actor, authorised, core_text, rule_words, signature_state_label, state_label};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use undersigned_core::{
    LetterState, SignerField,
    letter::{FieldErrors, LetterContent, LetterInput, RuleRow},
    markdown,
    role::Permission,
};
use undersigned_store::{Actor, Letter, StoreError, WorkspaceId};

use crate::{
    auth::{Organiser, csrf::OrganiserForm},
    extract::Empty,
    format,
    i18n::{t, t1, t3},
    pages::{Layout, PageError, message, render},
    services::reads::LetterView,
    state::AppState,
    views::{
        chart::Charts,
        letter::{LetterPage, PageState},
    },
};

/// Why a letter action failed, beyond the usual page errors.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    /// The letter's state (`open`, say) does not allow the action.
    #[error("the letter is {0}")]
    LetterState(String),
    /// The signature's state (`hidden`, say) does not allow the action.
    #[error("the signature is {0}")]
    SignatureState(String),
    /// A letter with no target cannot be published.
    #[error("the letter has no target")]
    NoTarget { id: i64 },
    #[error(transparent)]
    Page(#[from] PageError),
}

impl From<StoreError> for LetterError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::WrongState {
                what: "signature",
                actual,
            } => LetterError::SignatureState(actual),
            StoreError::WrongState { actual, .. } => LetterError::LetterState(actual),
            other => LetterError::Page(other.into()),
        }
    }
}

impl IntoResponse for LetterError {
    fn into_response(self) -> Response {
        let sentence = match self {
            LetterError::LetterState(state) => {
                t1("admin-letter-state-refused", "state", state_label(&state))
            }
            LetterError::SignatureState(state) => t1(
                "admin-signature-state-refused",
                "state",
                signature_state_label(&state),
            ),
            LetterError::NoTarget { id } => {
                return message(
                    StatusCode::CONFLICT,
                    &t("admin-no-target-heading"),
                    &t("admin-no-target-text"),
                    Some((
                        &format!("/admin/letters/{id}/edit"),
                        &t("admin-edit-the-letter"),
                    )),
                );
            }
            LetterError::Page(e) => return e.into_response(),
        };
        message(
            StatusCode::CONFLICT,
            &t("admin-not-possible"),
            &sentence,
            Some(("/admin", &t("admin-back-to-letters"))),
        )
    }
}

pub struct FieldChoice {
    pub key: &'static str,
    pub value: String,
    pub error_key: String,
}

#[derive(Template)]
#[template(path = "admin/letter_form.html")]
struct LetterForm {
    layout: Layout,
    heading: String,
    action: String,
    cancel: String,
    csrf: String,
    workspaces: Vec<(i64, String)>,
    workspace: String,
    input: LetterInput,
    errors: FieldErrors,
    fields: Vec<FieldChoice>,
    /// The display-rule table: one row per category typed so far, with its row number.
    rules: Vec<(usize, RuleRow)>,
}

fn field_choices(input: &LetterInput) -> Vec<FieldChoice> {
    SignerField::ALL
        .into_iter()
        .map(|f| {
            let value = match f {
                SignerField::Title => &input.field_title,
                SignerField::Affiliation => &input.field_affiliation,
                SignerField::City => &input.field_city,
                SignerField::Country => &input.field_country,
                SignerField::Comment => &input.field_comment,
            };
            FieldChoice {
                key: f.key(),
                value: value.clone(),
                error_key: format!("field_{}", f.key()),
            }
        })
        .collect()
}

/// The letter form, new or edited, with what the organiser typed and what is wrong with it.
struct FormPage<'a> {
    organiser: &'a Organiser,
    heading: String,
    action: String,
    cancel: String,
    workspace: String,
    input: LetterInput,
    errors: FieldErrors,
}

impl<'a> FormPage<'a> {
    /// The form for a new letter in `workspace` (its id, as the form posts it).
    fn new_letter(
        organiser: &'a Organiser,
        workspace: String,
        input: LetterInput,
        errors: FieldErrors,
    ) -> Self {
        Self {
            organiser,
            heading: t("admin-new-letter"),
            action: "/admin/letters/new".into(),
            cancel: "/admin".into(),
            workspace,
            input,
            errors,
        }
    }

    /// The form for editing `letter`.
    fn edit(
        organiser: &'a Organiser,
        letter: &Letter,
        input: LetterInput,
        errors: FieldErrors,
    ) -> Self {
        Self {
            organiser,
            heading: t("admin-edit-letter"),
            action: format!("/admin/letters/{}/edit", letter.id),
            cancel: format!("/admin/letters/{}", letter.id),
            workspace: letter.workspace_id.to_string(),
            input,
            errors,
        }
    }
}

fn form_page(state: &AppState, status: StatusCode, page: FormPage<'_>) -> Response {
    render(
        status,
        &LetterForm {
            layout: Layout::new(state.instance(), page.heading.clone())
                .with_nav(page.organiser.nav()),
            heading: page.heading,
            action: page.action,
            cancel: page.cancel,
            csrf: page.organiser.csrf.clone(),
            workspaces: page
                .organiser
                .workspaces_allowing(Permission::EditLetters)
                .into_iter()
                .map(|m| (m.workspace.id.0, m.workspace.name.clone()))
                .collect(),
            workspace: page.workspace,
            fields: field_choices(&page.input),
            rules: page.input.rule_rows().into_iter().enumerate().collect(),
            input: page.input,
            errors: page.errors,
        },
    )
}

/// `GET /admin/letters/new`
pub async fn new_form(
    State(state): State<AppState>,
    organiser: Organiser,
) -> Result<Response, PageError> {
    let Some(first) = organiser
        .workspaces_allowing(Permission::EditLetters)
        .first()
        .copied()
    else {
        return Err(PageError::Forbidden(
            "Your role does not allow writing letters. Ask a workspace owner to make you an editor.",
        ));
    };
    let input = LetterInput::new_letter();
    Ok(form_page(
        &state,
        StatusCode::OK,
        FormPage::new_letter(
            &organiser,
            first.workspace.id.to_string(),
            input,
            FieldErrors::default(),
        ),
    ))
}

#[derive(Debug, Deserialize)]
pub struct NewLetterForm {
    #[serde(default)]
    workspace: String,
    #[serde(flatten)]
    input: LetterInput,
}

/// `POST /admin/letters/new`
pub async fn create(
    State(state): State<AppState>,
    OrganiserForm { organiser, form }: OrganiserForm<NewLetterForm>,
) -> Result<Response, PageError> {
    let allowed = organiser.workspaces_allowing(Permission::EditLetters);
    if allowed.is_empty() {
        return Err(PageError::Forbidden(
            "Your role does not allow writing letters. Ask a workspace owner to make you an editor.",
        ));
    }
    let workspace = form
        .workspace
        .parse::<i64>()
        .ok()
        .and_then(|id| allowed.iter().find(|m| m.workspace.id == WorkspaceId(id)));
    let parsed = LetterContent::parse(&form.input);
    let (Some(workspace), Ok(content)) = (workspace, &parsed) else {
        let mut errors = core_text::localise(parsed.err().unwrap_or_default());
        if workspace.is_none() {
            errors.add("workspace", t("admin-error-workspace"));
        }
        return Ok(form_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            FormPage::new_letter(&organiser, form.workspace, form.input, errors),
        ));
    };
    let actor = Actor {
        user: organiser.user.id,
        workspace: workspace.workspace.id,
    };
    match state
        .store
        .create_letter(actor, content, state.clock.now())
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/admin/letters/{id}")).into_response()),
        Err(StoreError::Conflict(_)) => {
            let mut errors = FieldErrors::default();
            errors.add("slug", t("admin-error-slug-taken"));
            Ok(form_page(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                FormPage::new_letter(&organiser, form.workspace, form.input, errors),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin/letter.html")]
struct LetterAdminPage {
    layout: Layout,
    id: i64,
    slug: String,
    title: String,
    subject: String,
    state: String,
    public: bool,
    role: String,
    workspace: String,
    can_edit: bool,
    csrf: String,
    notice: Option<String>,
    total: String,
    by_category: Vec<(String, String)>,
    targets: Vec<String>,
    body_html: String,
    /// Each signer field's key and whether it is asked for.
    fields: Vec<(&'static str, &'static str)>,
    /// Each category and its display rule in words.
    rules: Vec<(String, String)>,
    /// `publish` or `review`, and in words.
    moderation: String,
    /// Whether the letter is a copy in a family (it can invite earlier signers).
    is_copy: bool,
    /// Its runs of "Invite past signers", newest first: when each started and how many it
    /// invited, in words, and whether it is done.
    invitation_runs: Vec<(String, bool)>,
    /// How many letters its family has (1: none but itself).
    family_size: usize,
    /// Its signatures over time and by category, drawn.
    charts: Charts,
    /// How many signatures are in each state, in words: "Published: 12".
    states: Vec<(String, String)>,
    /// The script tag a partner site pastes to embed the letter's card.
    embed_snippet: String,
}

/// A signature state as the organiser's letter page names it, in the order it shows them.
const STATE_WORDS: [(&str, &str); 7] = [
    ("pending", "admin-state-words-pending"),
    ("confirmed", "admin-state-words-confirmed"),
    ("held", "admin-state-words-held"),
    ("published", "admin-state-words-published"),
    ("hidden", "admin-state-words-hidden"),
    ("rejected", "admin-state-words-rejected"),
    ("withdrawn", "admin-state-words-withdrawn"),
];

#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    done: String,
}

/// `GET /admin/letters/{id}`
pub async fn show(
    State(state): State<AppState>,
    organiser: Organiser,
    Path(id): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let (letter, role) = authorised(&state, &organiser, &id, Permission::View).await?;
    let counts = state.reads.counts(letter.id).await?;
    let days = state.reads.signatures_by_day(letter.id).await?;
    let charts = Charts::of(&days, &counts.by_category);
    let by_state = state.store.signature_states(letter.id).await?;
    let states = STATE_WORDS
        .iter()
        .filter_map(|(key, words)| {
            let n = by_state.iter().find(|(s, _)| s == key).map(|(_, n)| *n)?;
            Some((t(words), format::count(n)))
        })
        .collect();
    let notice = match query.done.as_str() {
        "published" => Some(t("admin-notice-published")),
        "closed" => Some(t("admin-notice-closed")),
        "saved" => Some(t("admin-notice-saved")),
        "inviting" => Some(t("admin-notice-inviting")),
        _ => None,
    };
    let family = state.store.family(letter.id).await?;
    // A copy (not the first of its family) may invite the family's earlier signers.
    let is_copy = family.first().is_some_and(|(first, _)| *first != letter.id);
    let invitation_runs = if is_copy {
        state.store.invitation_runs(letter.id).await?
    } else {
        Vec::new()
    };
    let page = LetterAdminPage {
        is_copy,
        invitation_runs: invitation_runs
            .iter()
            .map(|run| {
                let words = t3(
                    "admin-invitation-run",
                    "n",
                    run.invited,
                    "count",
                    format::count(run.invited),
                    "date",
                    format::date_time(run.created_at),
                );
                (words, run.done)
            })
            .collect(),
        family_size: family.len(),
        layout: Layout::new(state.instance(), letter.title.clone()).with_nav(organiser.nav()),
        id: letter.id.0,
        embed_snippet: format!(
            "<script src=\"{}\" data-letter=\"{}\" async></script>",
            state.public.url("/embed.js"),
            letter.slug
        ),
        slug: letter.slug.clone(),
        title: letter.title.clone(),
        subject: letter.subject.clone(),
        state: letter.state.to_string(),
        public: letter.state.is_public(),
        role: role.to_string(),
        workspace: organiser
            .memberships
            .iter()
            .find(|m| m.workspace.id == letter.workspace_id)
            .map(|m| m.workspace.name.clone())
            .unwrap_or_default(),
        can_edit: role.allows(Permission::EditLetters),
        csrf: organiser.csrf.clone(),
        notice,
        total: format::count(counts.total),
        by_category: counts
            .by_category
            .iter()
            .map(|(name, n)| (name.clone(), format::count(*n)))
            .collect(),
        targets: letter
            .targets
            .iter()
            .map(|t| t.to_line().replace(" | ", ", "))
            .collect(),
        body_html: markdown::render(&letter.body_markdown),
        fields: SignerField::ALL
            .into_iter()
            .map(|f| (f.key(), letter.signer_fields.get(f).as_str()))
            .collect(),
        rules: letter
            .categories
            .iter()
            .map(|c| (c.name.clone(), rule_words(c.rule)))
            .collect(),
        moderation: letter.moderation.as_str().to_owned(),
        charts,
        states,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `GET /admin/letters/{id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    organiser: Organiser,
    Path(id): Path<String>,
) -> Result<Response, LetterError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    if letter.state != LetterState::Draft {
        return Err(LetterError::LetterState(letter.state.to_string()));
    }
    let content = letter.content().map_err(PageError::from)?;
    Ok(form_page(
        &state,
        StatusCode::OK,
        FormPage::edit(
            &organiser,
            &letter,
            content.to_input(),
            FieldErrors::default(),
        ),
    ))
}

/// `POST /admin/letters/{id}/edit`
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OrganiserForm { organiser, form }: OrganiserForm<LetterInput>,
) -> Result<Response, LetterError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    let page = |errors, input| {
        form_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            FormPage::edit(&organiser, &letter, input, errors),
        )
    };
    let content = match LetterContent::parse(&form) {
        Ok(content) => content,
        Err(errors) => return Ok(page(core_text::localise(errors), form)),
    };
    match state
        .store
        .update_letter(
            actor(&organiser, &letter),
            letter.id,
            &content,
            state.clock.now(),
        )
        .await
    {
        Ok(()) => {
            state.reads.letter_changed(letter.id);
            Ok(Redirect::to(&format!("/admin/letters/{}?done=saved", letter.id)).into_response())
        }
        Err(StoreError::Conflict(_)) => {
            let mut errors = FieldErrors::default();
            errors.add("slug", t("admin-error-slug-taken"));
            Ok(page(errors, form))
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /admin/letters/{id}/preview`: the public page as it will look, drafts included.
pub async fn preview(
    State(state): State<AppState>,
    organiser: Organiser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::View).await?;
    let layout = Layout::new(
        state.instance(),
        t1("admin-preview-title", "title", letter.title.as_str()),
    )
    .with_nav(organiser.nav());
    let host = state.store.branding(letter.workspace_id).await?;
    let view = LetterView::of(letter, None, host);
    let page_state = PageState {
        preview: true,
        ..PageState::fresh(None)
    };
    let page = LetterPage::build(&state, &view, page_state, layout).await?;
    Ok(render(StatusCode::OK, &page))
}

async fn change_state(
    state: &AppState,
    organiser: &Organiser,
    id: &str,
    to: LetterState,
    done: &str,
) -> Result<Response, LetterError> {
    let (letter, _) = authorised(state, organiser, id, Permission::EditLetters).await?;
    state
        .store
        .change_letter_state(actor(organiser, &letter), letter.id, to, state.clock.now())
        .await?;
    state.reads.letter_changed(letter.id);
    Ok(Redirect::to(&format!("/admin/letters/{}?done={done}", letter.id)).into_response())
}

/// `POST /admin/letters/{id}/publish`: refused while the letter has no target (a copy made
/// for a new target starts without one).
pub async fn publish(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OrganiserForm { organiser, .. }: OrganiserForm<Empty>,
) -> Result<Response, LetterError> {
    let (letter, _) = authorised(&state, &organiser, &id, Permission::EditLetters).await?;
    if letter.targets.is_empty() && letter.state == LetterState::Draft {
        return Err(LetterError::NoTarget { id: letter.id.0 });
    }
    change_state(&state, &organiser, &id, LetterState::Open, "published").await
}

/// `POST /admin/letters/{id}/close`
pub async fn close(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OrganiserForm { organiser, .. }: OrganiserForm<Empty>,
) -> Result<Response, LetterError> {
    change_state(&state, &organiser, &id, LetterState::Closed, "closed").await
}
