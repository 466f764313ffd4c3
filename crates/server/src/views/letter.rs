//! The public letter page's view model: what `letter.html` shows, built in one place for
//! the page itself, the signing form shown again with its errors, and organisers' previews.

use std::sync::Arc;

use askama::Template;
use serde::Deserialize;
use undersigned_core::{
    LetterState, SignerField,
    letter::{FieldErrors, FieldRequirement, Target},
    organisation::Verification,
    signature::{DisplayLevel, DisplayRule, SignInput},
};
use undersigned_store::{Delivery, GridKey, Letter, LogVersion, PublicSignature, SignatoryPage};

use crate::{
    format,
    i18n::{t, t1, t2},
    pages::{Layout, PageError},
    services::reads::{LetterView, ORGANISATIONS_PER_PAGE, SIGNATORIES_PER_PAGE},
    state::AppState,
    views::{
        asks::{AsksView, TimelineItem, TimelineKind},
        chart::Charts,
    },
};

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    page: String,
}

impl PageQuery {
    /// Page numbers that are not numbers mean page 1.
    pub fn number(&self) -> u64 {
        self.page.parse::<u64>().unwrap_or(1).clamp(1, 1_000_000)
    }
}

/// Where the public list of signatories starts: before a log entry (`?before=N`), or at the
/// newest. Anything else (an old `?page=2` link, a typo) means the newest.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    before: String,
    /// `organisation`: show the organisation's signing form (a page of its own, so that it
    /// works without JavaScript).
    #[serde(default, rename = "as")]
    signer: String,
    /// Where the organisations' grid starts: after this key (`?orgs=1-42`), or at the first.
    #[serde(default)]
    orgs: String,
    /// The language of the letter's text to show (`?text=es`), when it has that translation.
    #[serde(default)]
    text: String,
}

impl ListQuery {
    pub fn before(&self) -> Option<u64> {
        self.before.parse::<u64>().ok()
    }

    /// Where the grid starts; anything unreadable means the first page.
    pub fn grid_after(&self) -> Option<GridKey> {
        self.orgs.parse::<GridKey>().ok()
    }

    /// The text asked for by its language, if any.
    pub fn text(&self) -> Option<String> {
        (!self.text.is_empty()).then(|| self.text.clone())
    }

    /// Whether the organisation's form was asked for.
    pub fn organisation_form(&self) -> bool {
        self.signer == "organisation"
    }
}

/// A signer field as the signing form shows it.
pub struct FieldView {
    pub key: &'static str,
    pub label: String,
    pub required: bool,
    pub multiline: bool,
    pub max: usize,
    pub value: String,
}

pub struct TargetView {
    pub name: String,
    pub title: Option<String>,
    pub organisation: Option<String>,
}

/// A category as the signing form offers it, with its display rule for the page's script
/// and, when it restricts anything, in words for the signer.
pub struct CategoryChoice {
    pub id: i64,
    pub name: String,
    /// The levels it allows, separated by spaces (for `data-levels`).
    pub levels: String,
    pub city: bool,
    /// "as initials or not at all; city never shown", when not everything is allowed.
    pub rule: Option<String>,
}

/// A display level the signing form offers (one that some category allows).
pub struct LevelChoice {
    pub value: &'static str,
    pub label: String,
}

pub struct SignerView {
    /// The index of the signature's add entry in the letter's log (for auditors).
    pub log_index: Option<u64>,
    pub shown_name: String,
    pub details: Option<String>,
    pub category: String,
    pub comment: Option<String>,
    /// For an organisation: how it was verified ("domain" or "organiser"), if it was.
    pub verified: Option<&'static str>,
    /// What the verified mark says on hover, for a verified organisation.
    pub verified_note: Option<String>,
    /// Whether an organisation signed (not a person).
    pub organisation: bool,
    /// The organisation's website domain.
    pub domain: Option<String>,
    /// The content hash of the organisation's logo, served at `/logos/{hex}.png`.
    pub logo: Option<String>,
    /// Whether its organisers pinned it to the head of the grid.
    pub pinned: bool,
}

/// The workspace hosting the letter, as its page names it.
pub struct HostView {
    pub name: String,
    pub website: Option<String>,
    /// The logo's address.
    pub logo: Option<String>,
}

pub struct OpenGraph {
    pub title: String,
    pub description: String,
    pub url: String,
    /// The share card (`/l/{slug}/card.png`), as an absolute URL.
    pub image: String,
}

#[derive(Template)]
#[template(path = "letter.html")]
pub struct LetterPage {
    pub layout: Layout,
    pub preview: bool,
    pub og: OpenGraph,
    pub slug: String,
    pub state: String,
    pub open: bool,
    /// Whether the letter was sent to other targets too (its family page lists them).
    pub in_family: bool,
    /// "Signing closes on …", for an open letter with a closing date.
    pub closes: Option<String>,
    /// Its deliveries, newest first.
    pub deliveries: Vec<DeliveryView>,
    pub title: String,
    pub subject: String,
    pub host: Option<HostView>,
    /// "Published on 2 December 2026", once published.
    pub published: Option<String>,
    /// The same date for machines (`YYYY-MM-DD`).
    pub published_iso: Option<String>,
    pub targets: Vec<TargetView>,
    pub body_html: String,
    /// The language of the text shown, and its direction (`rtl` for Arabic, Hebrew, …).
    pub text_lang: String,
    pub text_dir: &'static str,
    /// When the text shown is a translation: the original's language, in words.
    pub translated_from: Option<String>,
    /// The languages the letter can be read in, the one shown marked.
    pub texts: Vec<TextLink>,
    pub total: String,
    /// The same as a number, for the words around it.
    pub total_n: u64,
    pub by_category: Vec<(String, String)>,
    /// The log size the counts were computed at, and the key that signs the log.
    pub log_size: u64,
    pub log_key: String,
    /// Whether the log holds commitments to the names shown (format 2) rather than the
    /// names (format 1).
    pub names_committed: bool,
    /// The signing form (`letter_sign.html`, shared with the embed).
    pub form: SignFormView,
    /// The people who signed publicly (a page of them).
    pub signers: Vec<SignerView>,
    /// The organisations (a page of the grid): pinned first, then verified, then the rest.
    pub organisations: Vec<SignerView>,
    /// Where this page of the grid starts (None: the first).
    pub grid_after: Option<String>,
    /// Where the grid's next page starts, when there is one.
    pub grid_next: Option<String>,
    /// "63 organisations · 19 survivors · 12 activists": the categories with signatures.
    pub count_words: String,
    /// "And 19 survivors whose names are withheld.", when some signers are not named.
    pub withheld: Option<String>,
    /// "Edited on 3 December 2026", once the published text was edited.
    pub edited: Option<String>,
    /// "Of which 4 earlier signers have not yet re-confirmed the new text.", after a
    /// change of substance.
    pub awaiting: Option<String>,
    /// Where this page of signatories starts (None: the newest).
    pub before: Option<u64>,
    /// Where the next (older) page starts, when there is one.
    pub next_before: Option<u64>,
    /// Said instead of the list once the signers' personal data was erased.
    pub erased: Option<String>,
    /// A sensitive letter's batches, in minutes.
    pub batch_minutes: Option<u32>,
    /// The category organisations sign under, when the letter takes organisations'
    /// signatures.
    pub organisation_category: Option<String>,
    /// Whether the form shown is the organisation's.
    pub organisation_form: bool,
    /// What the letter asks, and its timeline (responses and status changes), once
    /// published.
    pub asks: AsksView,
    /// The letter's updates, newest first.
    pub updates: Vec<crate::services::updates::UpdateView>,
    /// Its signatures over time and by category, drawn.
    pub charts: Charts,
    /// The last day a counted signature was added to the log ("3 Dec 2026"), if any.
    pub last_added: Option<String>,
}

/// The text of the letter a page shows: the original, or a translation.
pub struct TextView {
    pub lang: String,
    pub title: String,
    pub subject: String,
    pub body_html: String,
    /// For a translation, the original's language in words.
    pub translated_from: Option<String>,
}

impl TextView {
    /// The text in the language asked for, else in the reader's language (the page's), else
    /// the original.
    pub fn choose(view: &LetterView, asked: Option<&str>) -> Self {
        let letter = &view.letter;
        let reader = crate::i18n::current().code();
        let wanted = asked
            .map(|a| a.to_owned())
            .unwrap_or_else(|| reader.to_owned());
        let primary = |tag: &str| {
            tag.split('-')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase()
        };
        let original_matches = letter.lang.eq_ignore_ascii_case(&wanted)
            || (asked.is_none() && primary(&letter.lang) == primary(&wanted));
        let found = (!original_matches)
            .then(|| {
                letter
                    .translations
                    .iter()
                    .position(|t| t.lang.eq_ignore_ascii_case(&wanted))
                    .or_else(|| {
                        // Not for an explicit choice: `?text=pt` is not `pt-BR`.
                        asked.is_none().then(|| {
                            letter
                                .translations
                                .iter()
                                .position(|t| primary(&t.lang) == primary(&wanted))
                        })?
                    })
            })
            .flatten();
        match found
            .and_then(|i| Some((letter.translations.get(i)?, view.translations_html.get(i)?)))
        {
            Some((t, html)) => Self {
                lang: t.lang.clone(),
                title: t.title.clone(),
                subject: t.subject.clone(),
                body_html: html.clone(),
                translated_from: Some(language_name(&letter.lang)),
            },
            None => Self {
                lang: letter.lang.clone(),
                title: letter.title.clone(),
                subject: letter.subject.clone(),
                body_html: view.body_html.clone(),
                translated_from: None,
            },
        }
    }
}

/// A language the letter can be read in, for the page's list of them.
pub struct TextLink {
    pub lang: String,
    pub name: String,
    pub dir: &'static str,
    pub current: bool,
}

fn text_links(view: &LetterView, shown: &str) -> Vec<TextLink> {
    if view.letter.translations.is_empty() {
        return Vec::new();
    }
    std::iter::once(view.letter.lang.as_str())
        .chain(view.letter.translations.iter().map(|t| t.lang.as_str()))
        .map(|lang| TextLink {
            lang: lang.to_owned(),
            name: language_name(lang),
            dir: crate::i18n::direction(lang),
            current: lang == shown,
        })
        .collect()
}

/// A language's name in itself, for the languages we know (the tag for the others).
pub fn language_name(tag: &str) -> String {
    let primary = tag
        .split('-')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let name = match primary.as_str() {
        "ar" => "العربية",
        "ca" => "Català",
        "de" => "Deutsch",
        "el" => "Ελληνικά",
        "en" => "English",
        "es" => "Español",
        "eu" => "Euskara",
        "fa" => "فارسی",
        "fr" => "Français",
        "he" => "עברית",
        "hi" => "हिन्दी",
        "it" => "Italiano",
        "ja" => "日本語",
        "ko" => "한국어",
        "nl" => "Nederlands",
        "pl" => "Polski",
        "pt" => "Português",
        "ru" => "Русский",
        "sw" => "Kiswahili",
        "tr" => "Türkçe",
        "uk" => "Українська",
        "ur" => "اردو",
        "zh" => "中文",
        _ => return tag.to_owned(),
    };
    if tag.contains('-') {
        format!("{name} ({tag})")
    } else {
        name.to_owned()
    }
}

/// The text of a letter's body without Markdown, shortened, for link previews.
fn description(letter: &Letter) -> String {
    let plain: String = letter
        .body_markdown
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !"#*_`>[]".contains(*c))
        .collect();
    let mut short: String = plain.chars().take(200).collect();
    if plain.chars().count() > 200 {
        short.push('…');
    }
    short
}

/// What the letter page shows besides the letter: the form's state, and whether it is an
/// organiser's preview.
pub struct PageState {
    /// Where the list of signatories starts (None: the newest).
    pub before: Option<u64>,
    /// Where the organisations' grid starts (None: the first).
    pub grid_after: Option<GridKey>,
    pub input: SignInput,
    pub errors: FieldErrors,
    pub preview: bool,
    /// Whether to show the organisation's form (when the letter takes organisations).
    pub organisation_form: bool,
    /// The language of the text asked for (`?text=`); None: the reader's, when the letter
    /// has it, else the original.
    pub text: Option<String>,
}

impl PageState {
    /// Whether this is the page most visitors get: the newest signatories, the first
    /// organisations, the people's form, empty.
    pub fn is_first_page(&self) -> bool {
        self.before.is_none()
            && self.grid_after.is_none()
            && !self.organisation_form
            && !self.preview
            && self.errors.is_empty()
            && self.text.is_none()
    }

    pub fn fresh(before: Option<u64>) -> Self {
        Self {
            before,
            grid_after: None,
            organisation_form: false,
            // No display level is chosen for the signer: they choose.
            input: SignInput::default(),
            errors: FieldErrors::default(),
            preview: false,
            text: None,
        }
    }
}

impl LetterPage {
    /// Builds the whole letter page: the letter, its counts and a page of its signatories
    /// (none in an organiser's preview), and the signing form in the state `page_state` gives.
    pub async fn build(
        state: &AppState,
        view: &LetterView,
        page_state: PageState,
        layout: Layout,
    ) -> Result<Self, PageError> {
        let letter = &view.letter;
        let organisation_category = letter.organisation_category.and_then(|id| {
            letter
                .categories
                .iter()
                .find(|c| c.id == id)
                .map(|c| c.name.clone())
        });
        let counts = state.reads.counts(letter.id).await?;
        let edited = if counts.text_version > 1 {
            state
                .store
                .letter_versions(letter.id)
                .await?
                .last()
                .map(|v| format::date(v.created_at))
        } else {
            None
        };
        let (charts, last_added) = if letter.state.is_public() && !page_state.preview {
            let days = state.reads.signatures_by_day(letter.id).await?;
            (
                Charts::of(&days, &counts.by_category),
                days.last().map(|d| format::date(d.day * 86_400)),
            )
        } else {
            (Charts::default(), None)
        };
        let mut asks = if letter.state.is_public() {
            AsksView::of(&state.store.letter_asks(letter.id).await?, &letter.slug)
        } else {
            AsksView::default()
        };
        for delivery in &view.delivered {
            let d = delivery_view(&letter.slug, delivery);
            asks.add_to_timeline(TimelineItem {
                date: d.date,
                iso: d.date_iso,
                kind: TimelineKind::Delivery {
                    to: d.to,
                    signatures: d.signatures,
                    document: d.document,
                },
            });
        }
        let before = page_state.before;
        let listed = !page_state.preview && view.erasure.is_none();
        let listing = if listed {
            state.reads.people(letter.id, before).await?
        } else {
            Arc::new(SignatoryPage::default())
        };
        let shown = &listing.rows[..listing.rows.len().min(SIGNATORIES_PER_PAGE as usize)];
        let next_before = (listing.rows.len() > shown.len())
            .then(|| shown.last().and_then(|row| row.log_index))
            .flatten();
        // The grid, for a letter that takes organisations' signatures (or took them once).
        let grid = if listed && letter.organisation_category.is_some() {
            state
                .reads
                .organisations(letter.id, page_state.grid_after)
                .await?
        } else {
            Arc::new(SignatoryPage::default())
        };
        let grid_shown = &grid.rows[..grid.rows.len().min(ORGANISATIONS_PER_PAGE as usize)];
        let grid_next = (grid.rows.len() > grid_shown.len())
            .then(|| grid_shown.last().and_then(GridKey::of))
            .flatten()
            .map(|k| k.to_string());
        let count_words = counts
            .by_category
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(name, n)| format::counted(*n, name))
            .collect::<Vec<_>>()
            .join(" · ");
        let withheld = (!counts.withheld.is_empty()).then(|| {
            let parts: Vec<String> = counts
                .withheld
                .iter()
                .map(|(name, n)| format::counted(*n, name))
                .collect();
            let people = counts.withheld.iter().map(|(_, n)| n).sum::<u64>();
            t2(
                "letter-withheld",
                "who",
                format::and_list(&parts),
                "n",
                people,
            )
        });
        let signers = shown.iter().filter_map(signer_view).collect();
        let organisations = grid_shown.iter().filter_map(signer_view).collect();
        let form = SignFormView::build(
            letter,
            page_state.input,
            page_state.errors,
            page_state.organisation_form,
            None,
        );
        let text = TextView::choose(view, page_state.text.as_deref());
        Ok(Self {
            layout,
            preview: page_state.preview,
            og: OpenGraph {
                title: letter.title.clone(),
                description: description(letter),
                url: state.public.url(&format!("/l/{}", letter.slug)),
                image: state.public.url(&format!("/l/{}/card.png", letter.slug)),
            },
            slug: letter.slug.clone(),
            in_family: view.family > 1,
            state: letter.state.to_string(),
            open: letter
                .state
                .takes_signatures(letter.closes_at, state.clock.now()),
            closes: letter
                .closes_at
                .filter(|_| letter.state == LetterState::Open)
                .map(format::date_time),
            deliveries: view
                .delivered
                .iter()
                .map(|d| delivery_view(&letter.slug, d))
                .collect(),
            title: text.title.clone(),
            subject: text.subject.clone(),
            host: view.host.as_ref().map(|b| HostView {
                name: b.name.clone(),
                website: b.website.clone(),
                logo: b.logo.map(|l| l.path()),
            }),
            published: letter.published_at.map(format::date),
            published_iso: letter.published_at.map(format::iso_date),
            targets: letter.targets.iter().map(target_view).collect(),
            body_html: text.body_html.clone(),
            text_lang: text.lang.clone(),
            text_dir: crate::i18n::direction(&text.lang),
            translated_from: text.translated_from.clone(),
            texts: text_links(view, &text.lang),
            total: format::count(counts.total),
            total_n: counts.total,
            log_size: counts.log_size,
            log_key: state.logs.verifier_key().to_owned(),
            names_committed: letter.log_version == LogVersion::V2,
            by_category: counts
                .by_category
                .iter()
                .map(|(name, n)| (name.clone(), format::count(*n)))
                .collect(),
            form,
            signers,
            organisations,
            grid_after: page_state.grid_after.map(|k| k.to_string()),
            grid_next,
            count_words,
            withheld,
            edited,
            awaiting: (counts.awaiting > 0).then(|| {
                t2(
                    "letter-awaiting",
                    "n",
                    counts.awaiting,
                    "count",
                    format::count(counts.awaiting),
                )
            }),
            before,
            next_before,
            batch_minutes: letter.batch.map(|b| b.get()),
            organisation_form: page_state.organisation_form && organisation_category.is_some(),
            organisation_category,
            asks,
            updates: view.updates.clone(),
            charts,
            last_added,
            erased: view.erasure.as_ref().map(|e| {
                format!(
                    "The signatories' names and details were erased on {}, {} days after the \
                     letter closed, as its host keeps them no longer. The counts and the public \
                     log remain.",
                    format::date(e.erased_at),
                    e.retention_days
                )
            }),
        })
    }
}

/// The signing form, as the letter's page and its embed show it (`letter_sign.html`).
pub struct SignFormView {
    pub slug: String,
    /// The category organisations sign under, when the letter takes their signatures.
    pub organisation_category: Option<String>,
    /// Whether the form shown is the organisation's.
    pub organisation_form: bool,
    pub categories: Vec<CategoryChoice>,
    pub levels: Vec<LevelChoice>,
    /// Whether to offer "show my city with my initials": the form asks for a city, and
    /// some category allows initials with a city.
    pub offer_city: bool,
    pub fields: Vec<FieldView>,
    pub input: SignInput,
    pub errors: FieldErrors,
    /// Where the form's answer opens: `_blank` (a new tab) from an embed, whose frame on
    /// another site cannot be relied on to keep cookies; the same page otherwise.
    pub target: Option<&'static str>,
}

impl SignFormView {
    pub fn build(
        letter: &Letter,
        input: SignInput,
        errors: FieldErrors,
        organisation_form: bool,
        target: Option<&'static str>,
    ) -> Self {
        let organisation_category = letter.organisation_category.and_then(|id| {
            letter
                .categories
                .iter()
                .find(|c| c.id == id)
                .map(|c| c.name.clone())
        });
        let fields = SignerField::ALL
            .into_iter()
            .filter(|f| letter.signer_fields.get(*f).is_shown())
            .map(|f| FieldView {
                key: f.key(),
                label: field_label(f),
                required: letter.signer_fields.get(f) == FieldRequirement::Required,
                multiline: f == SignerField::Comment,
                max: f.max_chars(),
                value: field_value(&input, f).to_owned(),
            })
            .collect();
        Self {
            slug: letter.slug.clone(),
            organisation_form: organisation_form && organisation_category.is_some(),
            organisation_category,
            categories: letter
                .people_categories()
                .map(|c| CategoryChoice {
                    id: c.id.0,
                    name: c.name.clone(),
                    levels: c.rule.levels_text(),
                    city: c.rule.city(),
                    rule: (c.rule != DisplayRule::ALL).then(|| describe_rule(c.rule)),
                })
                .collect(),
            levels: DisplayLevel::ALL
                .into_iter()
                .filter(|l| letter.people_categories().any(|c| c.rule.allows(*l)))
                .map(|l| LevelChoice {
                    value: l.as_str(),
                    label: level_label(l),
                })
                .collect(),
            offer_city: letter.signer_fields.city.is_shown()
                && letter
                    .people_categories()
                    .any(|c| c.rule.city() && c.rule.allows(DisplayLevel::Initials)),
            fields,
            input,
            errors,
            target,
        }
    }
}

/// A listed signature as the page shows it (None for a private signer, who is never
/// listed anyway).
/// A delivery as the letter's page tells it.
pub struct DeliveryView {
    pub date: String,
    pub date_iso: String,
    /// "Commissioner A. Example and Board B. Example".
    pub to: String,
    pub signatures: String,
    /// The PDF that was sent.
    pub document: String,
}

fn delivery_view(slug: &str, delivery: &Delivery) -> DeliveryView {
    let names: Vec<String> = delivery
        .recipients
        .iter()
        .map(|r| match &r.title {
            Some(title) => format!("{}, {title}", r.name),
            None => r.name.clone(),
        })
        .collect();
    let at = delivery.delivered_at.unwrap_or(delivery.scheduled_for);
    DeliveryView {
        date: format::date(at),
        date_iso: format::iso_date(at),
        to: if names.is_empty() {
            t("letter-its-targets")
        } else {
            format::and_list(&names)
        },
        signatures: format::signatures(delivery.signatures.unwrap_or_default()),
        document: format!("/l/{slug}/deliveries/{}.pdf", delivery.id.0),
    }
}

fn signer_view(row: &PublicSignature) -> Option<SignerView> {
    let shown = row.shown()?;
    let organisation = row.organisation.as_ref();
    let verified = organisation.and_then(|o| o.verified);
    Some(SignerView {
        log_index: row.log_index,
        shown_name: shown.shown_name,
        details: shown.details,
        category: row.category.clone(),
        comment: shown.comment,
        verified: verified.map(|v| v.as_str()),
        verified_note: verified.map(|v| match v {
            Verification::Domain => t("letter-verified-domain"),
            Verification::Organiser => t("letter-verified-organiser"),
        }),
        organisation: organisation.is_some(),
        domain: organisation.map(|o| o.domain.clone()),
        logo: organisation.and_then(|o| o.logo.clone()),
        pinned: organisation.is_some_and(|o| o.pinned),
    })
}

/// A letter's state in words: "Open for signatures".
pub fn state_words(state: LetterState) -> String {
    t(match state {
        LetterState::Open => "letter-state-open",
        LetterState::Closed => "letter-state-closed",
        LetterState::Delivered => "letter-state-delivered",
        LetterState::Archived => "letter-state-archived",
        LetterState::Draft => "letter-state-draft",
    })
}

/// A signer's field as forms name it.
pub fn field_label(field: SignerField) -> String {
    t(match field {
        SignerField::Title => "field-title",
        SignerField::Affiliation => "field-affiliation",
        SignerField::City => "field-city",
        SignerField::Country => "field-country",
        SignerField::Comment => "field-comment",
    })
}

/// A category's display rule in words: "as initials or not at all; city never shown".
pub fn describe_rule(rule: DisplayRule) -> String {
    let ways: Vec<String> = rule
        .levels()
        .map(|l| {
            t(match l {
                DisplayLevel::Public => "rule-in-full",
                DisplayLevel::Initials => "rule-as-initials",
                DisplayLevel::Private => "rule-not-at-all",
            })
        })
        .collect();
    let levels = match ways.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {} {last}", rest.join(", "), t("word-or")),
    };
    if rule.city() {
        levels
    } else {
        t1("rule-no-city", "levels", levels)
    }
}

/// How the signing form words a display level.
pub fn level_label(level: DisplayLevel) -> String {
    t(match level {
        DisplayLevel::Public => "level-public",
        DisplayLevel::Initials => "level-initials",
        DisplayLevel::Private => "level-private",
    })
}

fn target_view(t: &Target) -> TargetView {
    TargetView {
        name: t.name.clone(),
        title: t.title.clone(),
        organisation: t.organisation.clone(),
    }
}

fn field_value(input: &SignInput, field: SignerField) -> &str {
    match field {
        SignerField::Title => &input.title,
        SignerField::Affiliation => &input.affiliation,
        SignerField::City => &input.city,
        SignerField::Country => &input.country,
        SignerField::Comment => &input.comment,
    }
}
