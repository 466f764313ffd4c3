//! Letters: their state machine, the fields a signer fills in, and the validated content an
//! organiser writes.

use std::{collections::BTreeMap, fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::{
    signature::{DisplayLevel, DisplayRule, NoLevelAllowed},
    slug::Slug,
    text::{Lines, TextError, clean, clean_optional},
    unknown::{UnknownValue, parse_name},
};

/// How long after a letter closes the confirmations of signatures made before are taken.
pub const CONFIRMATION_GRACE_SECONDS: i64 = 24 * 60 * 60;

/// A letter's life: draft → open → closed → delivered, or archived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LetterState {
    Draft,
    Open,
    Closed,
    Delivered,
    Archived,
}

impl LetterState {
    pub fn as_str(self) -> &'static str {
        match self {
            LetterState::Draft => "draft",
            LetterState::Open => "open",
            LetterState::Closed => "closed",
            LetterState::Delivered => "delivered",
            LetterState::Archived => "archived",
        }
    }

    /// Whether the public can see the letter at `/l/{slug}`.
    pub fn is_public(self) -> bool {
        !matches!(self, LetterState::Draft)
    }

    /// Whether a letter in this state, closing on schedule at `closes_at`, takes new
    /// signatures at `now`.
    pub fn takes_signatures(self, closes_at: Option<i64>, now: i64) -> bool {
        self == LetterState::Open && closes_at.is_none_or(|at| now < at)
    }

    /// Whether a letter takes the confirmation of a signature made while it was open: while
    /// it is open, and for [`CONFIRMATION_GRACE_SECONDS`] after it closed (on its closing
    /// date, by an organiser, or by its delivery), so that a signer who signed just before
    /// the close still counts. `closed_at` is when it was closed, if it was.
    pub fn takes_confirmations(
        self,
        closes_at: Option<i64>,
        closed_at: Option<i64>,
        now: i64,
    ) -> bool {
        let closed_since = match self {
            LetterState::Open => closes_at.filter(|at| *at <= now),
            LetterState::Closed | LetterState::Delivered => closed_at.or(closes_at),
            LetterState::Draft | LetterState::Archived => return false,
        };
        match closed_since {
            None => self == LetterState::Open,
            Some(at) => now < at.saturating_add(CONFIRMATION_GRACE_SECONDS),
        }
    }

    /// Whether an organiser may move a letter from this state to `to`. A draft is never
    /// archived (that would make an unpublished letter public).
    pub fn can_become(self, to: LetterState) -> bool {
        use LetterState::*;
        matches!(
            (self, to),
            (Draft, Open)
                | (Open, Closed)
                | (Closed, Delivered)
                | (Open | Closed | Delivered, Archived)
        )
    }
}

impl FromStr for LetterState {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        use LetterState::*;
        parse_name(
            &[Draft, Open, Closed, Delivered, Archived],
            Self::as_str,
            "letter state",
            s,
        )
    }
}

impl fmt::Display for LetterState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a signer field is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FieldRequirement {
    Required,
    #[default]
    Optional,
    Hidden,
}

impl FieldRequirement {
    pub const ALL: [FieldRequirement; 3] = [Self::Required, Self::Optional, Self::Hidden];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Optional => "optional",
            Self::Hidden => "hidden",
        }
    }

    pub fn is_shown(self) -> bool {
        self != Self::Hidden
    }
}

impl FromStr for FieldRequirement {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_name(&Self::ALL, Self::as_str, "field requirement", s)
    }
}

/// The optional facts a signer can give besides their name and email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignerField {
    Title,
    Affiliation,
    City,
    Country,
    Comment,
}

impl SignerField {
    pub const ALL: [SignerField; 5] = [
        Self::Title,
        Self::Affiliation,
        Self::City,
        Self::Country,
        Self::Comment,
    ];

    /// The form field name.
    pub fn key(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Affiliation => "affiliation",
            Self::City => "city",
            Self::Country => "country",
            Self::Comment => "comment",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Title => "Title or role",
            Self::Affiliation => "Affiliation",
            Self::City => "City",
            Self::Country => "Country",
            Self::Comment => "Comment",
        }
    }

    pub fn max_chars(self) -> usize {
        match self {
            Self::Title => 120,
            Self::Affiliation => 160,
            Self::City | Self::Country => 80,
            Self::Comment => 1000,
        }
    }

    pub fn lines(self) -> Lines {
        match self {
            Self::Comment => Lines::Multi,
            _ => Lines::Single,
        }
    }
}

/// Which signer fields a letter asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerFields {
    #[serde(default)]
    pub title: FieldRequirement,
    #[serde(default)]
    pub affiliation: FieldRequirement,
    #[serde(default)]
    pub city: FieldRequirement,
    #[serde(default)]
    pub country: FieldRequirement,
    #[serde(default)]
    pub comment: FieldRequirement,
}

impl Default for SignerFields {
    fn default() -> Self {
        Self {
            title: FieldRequirement::Optional,
            affiliation: FieldRequirement::Optional,
            city: FieldRequirement::Optional,
            country: FieldRequirement::Optional,
            comment: FieldRequirement::Hidden,
        }
    }
}

impl SignerFields {
    pub fn get(&self, field: SignerField) -> FieldRequirement {
        match field {
            SignerField::Title => self.title,
            SignerField::Affiliation => self.affiliation,
            SignerField::City => self.city,
            SignerField::Country => self.country,
            SignerField::Comment => self.comment,
        }
    }

    pub fn set(&mut self, field: SignerField, requirement: FieldRequirement) {
        let slot = match field {
            SignerField::Title => &mut self.title,
            SignerField::Affiliation => &mut self.affiliation,
            SignerField::City => &mut self.city,
            SignerField::Country => &mut self.country,
            SignerField::Comment => &mut self.comment,
        };
        *slot = requirement;
    }
}

/// Messages for the fields of a form that were filled in wrongly, by field name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl fmt::Display) {
        self.0
            .entry(field.into())
            .or_insert_with(|| message.to_string());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Turns "no errors" into `Ok(value)`.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

/// An addressee of a letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub name: String,
    pub title: Option<String>,
    pub organisation: Option<String>,
}

impl Target {
    /// Parses "Name | Title | Organisation" (title and organisation may be left out).
    pub fn parse_line(line: &str) -> Result<Self, String> {
        let mut parts = line.split('|');
        let name = clean(parts.next().unwrap_or(""), 120, Lines::Single)
            .map_err(|e| format!("the name: {e}"))?;
        let title = clean_optional(parts.next().unwrap_or(""), 120, Lines::Single)
            .map_err(|e| format!("the title: {e}"))?;
        let organisation = clean_optional(parts.next().unwrap_or(""), 160, Lines::Single)
            .map_err(|e| format!("the organisation: {e}"))?;
        if parts.next().is_some() {
            return Err("use at most three parts: Name | Title | Organisation".to_owned());
        }
        Ok(Self {
            name,
            title,
            organisation,
        })
    }

    /// The line form that [`Target::parse_line`] reads back.
    pub fn to_line(&self) -> String {
        let mut line = self.name.clone();
        if self.title.is_some() || self.organisation.is_some() {
            line.push_str(" | ");
            line.push_str(self.title.as_deref().unwrap_or(""));
        }
        if let Some(org) = &self.organisation {
            line.push_str(" | ");
            line.push_str(org);
        }
        line
    }
}

/// What an organiser types into the letter editor, before validation.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LetterInput {
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
    /// One target a line: "Name | Title | Organisation".
    #[serde(default)]
    pub targets: String,
    /// One category a line.
    #[serde(default)]
    pub categories: String,
    #[serde(default)]
    pub field_title: String,
    #[serde(default)]
    pub field_affiliation: String,
    #[serde(default)]
    pub field_city: String,
    #[serde(default)]
    pub field_country: String,
    #[serde(default)]
    pub field_comment: String,
    /// Publish private and initials signatures together every this many minutes (empty: at
    /// once).
    #[serde(default)]
    pub batch_minutes: String,
    /// `publish` (signatures are published when confirmed) or `review` (held for a
    /// moderator); empty means `publish`.
    #[serde(default)]
    pub moderation: String,
    /// The category organisations sign under (one of the categories' names), or empty: no
    /// organisation signatures.
    #[serde(default)]
    pub organisation_category: String,
    /// The display-rule table, as posted: for row `i`, `rule_{i}_name` names the category it
    /// was shown for, and `rule_{i}_public`, `_initials`, `_private` and `_city` are its
    /// boxes (present when ticked). Other keys of the form land here too and are ignored.
    #[serde(flatten)]
    pub rules: BTreeMap<String, String>,
}

/// One row of the letter editor's display-rule table: a category and its boxes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRow {
    pub name: String,
    pub public: bool,
    pub initials: bool,
    pub private: bool,
    pub city: bool,
}

impl RuleRow {
    /// The row of a category that has no rule yet: every level, and the city.
    fn new_category(name: &str) -> Self {
        Self::of(name, DisplayRule::ALL)
    }

    fn of(name: &str, rule: DisplayRule) -> Self {
        Self {
            name: name.to_owned(),
            public: rule.allows(DisplayLevel::Public),
            initials: rule.allows(DisplayLevel::Initials),
            private: rule.allows(DisplayLevel::Private),
            city: rule.city(),
        }
    }

    /// The rule the boxes make; an error when no level is ticked.
    pub fn rule(&self) -> Result<DisplayRule, NoLevelAllowed> {
        let levels = [
            (self.public, DisplayLevel::Public),
            (self.initials, DisplayLevel::Initials),
            (self.private, DisplayLevel::Private),
        ];
        DisplayRule::new(
            levels
                .into_iter()
                .filter_map(|(ticked, level)| ticked.then_some(level)),
            self.city,
        )
    }
}

/// A category of signers as the organiser set it up: its name and its display rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterCategory {
    pub name: String,
    pub rule: DisplayRule,
}

/// A category line of the editor, cleaned.
fn category_name(line: &str) -> Result<String, TextError> {
    clean(line, LetterContent::MAX_CATEGORY_CHARS, Lines::Single)
}

impl LetterInput {
    /// The display-rule row posted for the category `name`, or the one a new category gets.
    fn rule_row(&self, name: &str) -> RuleRow {
        let posted = self.rules.iter().find_map(|(key, value)| {
            let row = key.strip_prefix("rule_")?.strip_suffix("_name")?;
            category_name(value)
                .is_ok_and(|v| v.eq_ignore_ascii_case(name))
                .then_some(row)
        });
        let Some(row) = posted else {
            return RuleRow::new_category(name);
        };
        let ticked = |what: &str| {
            self.rules
                .get(&format!("rule_{row}_{what}"))
                .is_some_and(|v| !v.is_empty())
        };
        RuleRow {
            name: name.to_owned(),
            public: ticked("public"),
            initials: ticked("initials"),
            private: ticked("private"),
            city: ticked("city"),
        }
    }

    /// The display-rule table for the categories typed so far, one row per category, with
    /// the boxes as posted (a category added since the table was shown gets every box).
    pub fn rule_rows(&self) -> Vec<RuleRow> {
        let mut names: Vec<String> = Vec::new();
        for name in self
            .categories
            .lines()
            .filter_map(|l| category_name(l).ok())
        {
            if !names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                names.push(name);
            }
        }
        names.iter().map(|name| self.rule_row(name)).collect()
    }

    /// The editor's starting point for a new letter: the default signer fields and two
    /// example categories.
    pub fn new_letter() -> Self {
        let fields = SignerFields::default();
        Self {
            categories: "Organisation\nIndividual".into(),
            field_title: fields.title.as_str().into(),
            field_affiliation: fields.affiliation.as_str().into(),
            field_city: fields.city.as_str().into(),
            field_country: fields.country.as_str().into(),
            field_comment: fields.comment.as_str().into(),
            ..Default::default()
        }
    }
}

/// A letter's content after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterContent {
    pub slug: Slug,
    pub title: String,
    pub subject: String,
    pub body_markdown: String,
    pub targets: Vec<Target>,
    pub categories: Vec<LetterCategory>,
    pub signer_fields: SignerFields,
    /// A sensitive letter publishes private and initials signatures in batches, so that
    /// nobody watching the log can tie a confirmation to an entry (None: at once).
    pub batch: Option<BatchMinutes>,
    /// Whether confirmed signatures are published at once or held for a moderator.
    pub moderation: Moderation,
    /// The category organisations sign under, as an organisation (one of `categories`, by
    /// name); None: organisations cannot sign as organisations.
    pub organisation_category: Option<String>,
}

/// What happens to a signature once its signer confirms it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Moderation {
    /// It is published (counted, logged, shown) at once (or with a sensitive letter's
    /// batch).
    #[default]
    Publish,
    /// It is held for a moderator, who approves (publishes) or rejects it.
    Review,
}

impl Moderation {
    pub const ALL: [Moderation; 2] = [Self::Publish, Self::Review];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Publish => "publish",
            Self::Review => "review",
        }
    }

    /// The choice in words, for organisers.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Publish => "signatures are published when confirmed",
            Self::Review => "signatures are held for review",
        }
    }
}

impl FromStr for Moderation {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_name(&Self::ALL, Self::as_str, "moderation", s.trim())
    }
}

impl fmt::Display for Moderation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How often a sensitive letter publishes its private and initials signatures: every 1 to
/// 1,440 minutes (once a day at most), at multiples of this many minutes since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchMinutes(u32);

impl BatchMinutes {
    pub const MAX: u32 = 1440;

    pub fn new(minutes: u32) -> Option<Self> {
        (1..=Self::MAX).contains(&minutes).then_some(Self(minutes))
    }

    pub fn get(self) -> u32 {
        self.0
    }

    fn seconds(self) -> i64 {
        i64::from(self.0) * 60
    }

    /// The batch boundary at or before `unix_seconds`.
    pub fn boundary(self, unix_seconds: i64) -> i64 {
        unix_seconds - unix_seconds.rem_euclid(self.seconds())
    }

    /// When a signature confirmed at `unix_seconds` is published: the next boundary after it.
    pub fn published_at(self, unix_seconds: i64) -> i64 {
        self.boundary(unix_seconds) + self.seconds()
    }
}

impl LetterContent {
    pub const MAX_BODY_CHARS: usize = 50_000;
    pub const MAX_TARGETS: usize = 50;
    pub const MAX_CATEGORIES: usize = 20;
    pub const MAX_CATEGORY_CHARS: usize = 60;

    /// Validates the editor's input, collecting a message for every wrong field.
    pub fn parse(input: &LetterInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = clean(&input.title, 200, Lines::Single)
            .map_err(|e| errors.add("title", e))
            .ok();
        let subject = clean(&input.subject, 200, Lines::Single)
            .map_err(|e| errors.add("subject", e))
            .ok();
        let body = clean(&input.body, Self::MAX_BODY_CHARS, Lines::Multi)
            .map_err(|e| errors.add("body", e))
            .ok();
        let slug = if input.slug.trim().is_empty() {
            title.as_deref().map(Slug::from_title)
        } else {
            Slug::parse(&input.slug)
                .map_err(|e| errors.add("slug", e))
                .ok()
        };

        let mut targets = Vec::new();
        for (n, line) in input.targets.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match Target::parse_line(line) {
                Ok(t) => targets.push(t),
                Err(e) => errors.add("targets", format!("Line {}: {e}", n + 1)),
            }
        }
        if targets.is_empty() {
            errors.add("targets", "Name at least one target, one a line.");
        } else if targets.len() > Self::MAX_TARGETS {
            errors.add(
                "targets",
                format!("Name at most {} targets.", Self::MAX_TARGETS),
            );
        }

        let mut categories: Vec<LetterCategory> = Vec::new();
        for (n, line) in input.categories.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match category_name(line) {
                Ok(c) if categories.iter().any(|k| k.name.eq_ignore_ascii_case(&c)) => errors.add(
                    "categories",
                    format!("Line {}: “{c}” is listed twice.", n + 1),
                ),
                Ok(name) => match input.rule_row(&name).rule() {
                    Ok(rule) => categories.push(LetterCategory { name, rule }),
                    Err(e) => errors.add("rules", format!("{name}: {e}.")),
                },
                Err(e) => errors.add("categories", format!("Line {}: {e}", n + 1)),
            }
        }
        if categories.is_empty() {
            errors.add(
                "categories",
                "Name at least one category, one a line (for example Supporter).",
            );
        } else if categories.len() > Self::MAX_CATEGORIES {
            errors.add(
                "categories",
                format!("Name at most {} categories.", Self::MAX_CATEGORIES),
            );
        }

        let mut signer_fields = SignerFields::default();
        for (field, raw) in [
            (SignerField::Title, &input.field_title),
            (SignerField::Affiliation, &input.field_affiliation),
            (SignerField::City, &input.field_city),
            (SignerField::Country, &input.field_country),
            (SignerField::Comment, &input.field_comment),
        ] {
            if raw.is_empty() {
                continue;
            }
            match raw.parse() {
                Ok(req) => signer_fields.set(field, req),
                Err(_) => errors.add(
                    format!("field_{}", field.key()),
                    "Choose required, optional or hidden.",
                ),
            }
        }

        let batch_text = input.batch_minutes.trim();
        let batch = if batch_text.is_empty() {
            None
        } else {
            let parsed = batch_text.parse::<u32>().ok().and_then(BatchMinutes::new);
            if parsed.is_none() {
                errors.add(
                    "batch_minutes",
                    "Enter a whole number of minutes from 1 to 1440, or leave it empty to \
                     publish every signature at once.",
                );
            }
            parsed
        };

        let moderation = if input.moderation.trim().is_empty() {
            Moderation::Publish
        } else {
            input.moderation.parse().unwrap_or_else(|_| {
                errors.add(
                    "moderation",
                    "Choose whether signatures are published when confirmed or held for review.",
                );
                Moderation::Publish
            })
        };
        let chosen = input.organisation_category.trim();
        let organisation_category = if chosen.is_empty() {
            None
        } else {
            let found = categories
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(chosen))
                .map(|c| c.name.clone());
            if found.is_none() {
                errors.add(
                    "organisation_category",
                    "Choose one of the letter's categories for organisations, or “Organisations \
                     cannot sign”.",
                );
            }
            found
        };

        match (title, subject, body, slug) {
            (Some(title), Some(subject), Some(body_markdown), Some(slug)) if errors.is_empty() => {
                Ok(Self {
                    slug,
                    title,
                    subject,
                    body_markdown,
                    targets,
                    categories,
                    signer_fields,
                    batch,
                    moderation,
                    organisation_category,
                })
            }
            _ => Err(errors),
        }
    }

    /// The editor's input that would produce this content (to fill the edit form).
    pub fn to_input(&self) -> LetterInput {
        let mut rules = BTreeMap::new();
        for (i, category) in self.categories.iter().enumerate() {
            let row = RuleRow::of(&category.name, category.rule);
            rules.insert(format!("rule_{i}_name"), row.name);
            for (ticked, what) in [
                (row.public, "public"),
                (row.initials, "initials"),
                (row.private, "private"),
                (row.city, "city"),
            ] {
                if ticked {
                    rules.insert(format!("rule_{i}_{what}"), "on".to_owned());
                }
            }
        }
        LetterInput {
            slug: self.slug.to_string(),
            title: self.title.clone(),
            subject: self.subject.clone(),
            body: self.body_markdown.clone(),
            targets: self
                .targets
                .iter()
                .map(Target::to_line)
                .collect::<Vec<_>>()
                .join("\n"),
            categories: self
                .categories
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            field_title: self.signer_fields.title.as_str().to_owned(),
            field_affiliation: self.signer_fields.affiliation.as_str().to_owned(),
            field_city: self.signer_fields.city.as_str().to_owned(),
            field_country: self.signer_fields.country.as_str().to_owned(),
            field_comment: self.signer_fields.comment.as_str().to_owned(),
            batch_minutes: self.batch.map(|b| b.get().to_string()).unwrap_or_default(),
            moderation: self.moderation.as_str().to_owned(),
            organisation_category: self.organisation_category.clone().unwrap_or_default(),
            rules,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_start_on_multiples_of_their_minutes_and_refuse_what_is_not_a_minute_count() {
        let ten = BatchMinutes::new(10).unwrap();
        // 2026-12-02 07:23:45 UTC is in the batch that started at 07:20 and ends at 07:30.
        let t = 1_796_195_025;
        assert_eq!(ten.boundary(t), 1_796_194_800);
        assert_eq!(ten.published_at(t), 1_796_195_400);
        assert_eq!(
            ten.published_at(1_796_194_800),
            1_796_195_400,
            "a boundary is a start"
        );
        assert!(BatchMinutes::new(0).is_none());
        assert!(BatchMinutes::new(1441).is_none());
        for bad in ["0", "1441", "ten", "-5", "2.5", "99999999999"] {
            let errors = LetterContent::parse(&LetterInput {
                batch_minutes: bad.into(),
                ..input()
            })
            .unwrap_err();
            assert!(
                errors
                    .get("batch_minutes")
                    .is_some_and(|m| m.contains("1 to 1440")),
                "{bad}"
            );
        }
        let content = LetterContent::parse(&LetterInput {
            batch_minutes: " 15 ".into(),
            ..input()
        })
        .unwrap();
        assert_eq!(content.batch, BatchMinutes::new(15));
        assert_eq!(content.to_input().batch_minutes, "15");
        assert_eq!(LetterContent::parse(&input()).unwrap().batch, None);
    }

    fn input() -> LetterInput {
        LetterInput {
            title: "Investigate now".into(),
            subject: "RE: conduct".into(),
            body: "We ask you **today**.".into(),
            targets: "A. Commissioner | Commissioner | Example League\n\nB. Board".into(),
            categories: "Organisation\nSurvivor\n".into(),
            field_comment: "optional".into(),
            ..Default::default()
        }
    }

    #[test]
    fn parses_valid_input() {
        let c = LetterContent::parse(&input()).unwrap();
        assert_eq!(c.slug.as_str(), "investigate-now");
        assert_eq!(c.targets.len(), 2);
        assert_eq!(c.targets[0].organisation.as_deref(), Some("Example League"));
        assert_eq!(c.targets[1].title, None);
        let names: Vec<&str> = c.categories.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["Organisation", "Survivor"]);
        assert!(c.categories.iter().all(|c| c.rule == DisplayRule::ALL));
        assert_eq!(c.signer_fields.comment, FieldRequirement::Optional);
        let again = LetterContent::parse(&c.to_input()).unwrap();
        assert_eq!(again, c);
    }

    #[test]
    fn reports_every_wrong_field() {
        let bad = LetterInput {
            slug: "Bad Slug".into(),
            categories: "A\na".into(),
            field_city: "sometimes".into(),
            ..Default::default()
        };
        let errors = LetterContent::parse(&bad).unwrap_err();
        for field in [
            "title",
            "subject",
            "body",
            "slug",
            "targets",
            "categories",
            "field_city",
        ] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        assert!(errors.get("categories").unwrap().contains("twice"));
    }

    #[test]
    fn display_rules_follow_their_category_and_need_a_level() {
        let mut posted = input();
        posted.categories = "Survivor\nOrganisation\nActivist".into();
        for (key, value) in [
            // The table was shown with Organisation first and Survivor second.
            ("rule_0_name", "Organisation"),
            ("rule_0_public", "on"),
            ("rule_1_name", " survivor "),
            ("rule_1_initials", "on"),
            ("rule_1_private", "on"),
            ("csrf", "not a rule"),
        ] {
            posted.rules.insert(key.into(), value.into());
        }
        let c = LetterContent::parse(&posted).unwrap();
        let survivor = DisplayRule::new([DisplayLevel::Initials, DisplayLevel::Private], false);
        assert_eq!(c.categories[0].rule, survivor.unwrap());
        assert_eq!(
            c.categories[1].rule,
            DisplayRule::new([DisplayLevel::Public], false).unwrap()
        );
        // Activist is new: everything allowed.
        assert_eq!(c.categories[2].rule, DisplayRule::ALL);
        assert_eq!(LetterContent::parse(&c.to_input()).unwrap(), c);
        let rows = posted.rule_rows();
        assert_eq!(rows.len(), 3);
        assert!(!rows[0].public && rows[0].initials && !rows[0].city);

        posted.rules.remove("rule_1_initials");
        posted.rules.remove("rule_1_private");
        let errors = LetterContent::parse(&posted).unwrap_err();
        assert_eq!(
            errors.get("rules"),
            Some("Survivor: allow at least one way of showing signers.")
        );
    }

    #[test]
    fn state_transitions() {
        assert!(LetterState::Draft.can_become(LetterState::Open));
        // Signing closes on the closing date; confirmations are taken a day longer.
        let (at, day) = (1_000, CONFIRMATION_GRACE_SECONDS);
        assert!(LetterState::Open.takes_signatures(None, at));
        assert!(LetterState::Open.takes_signatures(Some(at + 1), at));
        assert!(!LetterState::Open.takes_signatures(Some(at), at));
        assert!(!LetterState::Closed.takes_signatures(None, at));
        assert!(LetterState::Open.takes_confirmations(Some(at), None, at + day - 1));
        assert!(!LetterState::Open.takes_confirmations(Some(at), None, at + day));
        assert!(LetterState::Closed.takes_confirmations(None, Some(at), at + day - 1));
        assert!(LetterState::Delivered.takes_confirmations(None, Some(at), at + 5));
        assert!(!LetterState::Delivered.takes_confirmations(None, Some(at), at + day));
        assert!(!LetterState::Closed.takes_confirmations(None, None, at));
        assert!(!LetterState::Archived.takes_confirmations(None, Some(at), at));
        assert!(!LetterState::Draft.takes_confirmations(None, None, at));
        assert!(!LetterState::Draft.can_become(LetterState::Closed));
        assert!(LetterState::Open.can_become(LetterState::Closed));
        assert!(!LetterState::Closed.can_become(LetterState::Open));
        assert!(!LetterState::Archived.can_become(LetterState::Archived));
        assert!(!LetterState::Draft.can_become(LetterState::Archived));
        assert!(LetterState::Closed.can_become(LetterState::Archived));
    }
}
