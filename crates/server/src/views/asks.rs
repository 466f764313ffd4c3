//! A letter's asks, their status per target and its timeline (responses and status changes,
//! newest first), as the public letter page and the organisers' asks page show them.

use undersigned_core::{
    asks::{AskStatus, EventDate},
    markdown,
};
use undersigned_store::{AskTarget, LetterAsks, TargetId};

use crate::i18n::t_all;

/// A size in bytes as people read it: "840 bytes", "12 KB", "3.4 MB".
pub fn size_words(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} bytes"),
        1024..1_048_576 => format!("{} KB", bytes.div_ceil(1024)),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

/// A target as a line of text: "Ines Quarry, Commissioner, Example League".
pub fn target_label(target: &AskTarget) -> String {
    [
        Some(target.name.as_str()),
        target.title.as_deref(),
        target.organisation.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ")
}

/// An ask's status with one target.
pub struct StatusCell {
    pub target: String,
    pub status: &'static str,
}

pub struct AskView {
    pub id: i64,
    pub number: u32,
    pub text: String,
    pub condition: Option<String>,
    pub statuses: Vec<StatusCell>,
}

/// What happened, on the timeline.
pub enum TimelineKind {
    /// A target's response: its HTML (sanitised) and its document's address and
    /// description.
    Response {
        id: i64,
        target: String,
        html: String,
        document: Option<(String, String)>,
    },
    /// A status change: "Ines Quarry refused ask 2", with the organiser's note.
    Status {
        sentence: String,
        status: &'static str,
        note: Option<String>,
    },
    /// The letter was delivered: "Delivered to … with 1,204 signatures", and its PDF.
    Delivery {
        to: String,
        signatures: String,
        document: String,
    },
}

pub struct TimelineItem {
    /// "12 Dec 2026".
    pub date: String,
    /// "2026-12-12".
    pub iso: String,
    pub kind: TimelineKind,
}

/// The asks section and the timeline of a letter.
#[derive(Default)]
pub struct AsksView {
    pub asks: Vec<AskView>,
    pub timeline: Vec<TimelineItem>,
}

impl AsksView {
    /// Adds `item` to the timeline at its date, after the items of the same day already there.
    pub fn add_to_timeline(&mut self, item: TimelineItem) {
        let at = self
            .timeline
            .iter()
            .position(|other| other.iso < item.iso)
            .unwrap_or(self.timeline.len());
        self.timeline.insert(at, item);
    }

    pub fn is_empty(&self) -> bool {
        self.asks.is_empty() && self.timeline.is_empty()
    }

    /// The view of `asks`; documents are linked under `/l/{slug}`.
    pub fn of(asks: &LetterAsks, slug: &str) -> Self {
        let target = |id: TargetId| {
            asks.targets
                .iter()
                .find(|t| t.id == id)
                .map(|t| t.name.clone())
                .unwrap_or_default()
        };
        let views = asks
            .asks
            .iter()
            .map(|ask| AskView {
                id: ask.id.0,
                number: ask.number,
                text: ask.content.text().to_owned(),
                condition: ask.content.condition().map(str::to_owned),
                statuses: asks
                    .targets
                    .iter()
                    .map(|t| StatusCell {
                        target: t.name.clone(),
                        status: ask.status(t.id).as_str(),
                    })
                    .collect(),
            })
            .collect();
        // (date, recorded at, item), sorted newest first.
        let mut items: Vec<(EventDate, i64, TimelineItem)> = Vec::new();
        for response in &asks.responses {
            let document = response.document.map(|(kind, size)| {
                (
                    format!("/l/{slug}/responses/{}/document", response.id.0),
                    format!(
                        "{} document, {}",
                        kind.extension().to_uppercase(),
                        size_words(size)
                    ),
                )
            });
            items.push((
                response.received_on,
                response.created_at,
                TimelineItem {
                    date: crate::format::iso_day(&response.received_on.to_string()),
                    iso: response.received_on.to_string(),
                    kind: TimelineKind::Response {
                        id: response.id.0,
                        target: target(response.target),
                        html: markdown::render(&response.body_markdown),
                        document,
                    },
                },
            ));
        }
        for change in &asks.changes {
            let Some(ask) = asks.asks.iter().find(|a| a.id == change.ask) else {
                continue;
            };
            let who = target(change.target);
            let sentence = t_all(
                match change.status {
                    AskStatus::Pending => "ask-change-pending",
                    AskStatus::Superseded => "ask-change-superseded",
                    AskStatus::Met => "ask-change-met",
                    AskStatus::Refused => "ask-change-refused",
                },
                [
                    ("n", ask.number.to_string()),
                    ("who", who.clone()),
                    ("text", ask.content.text().to_owned()),
                ],
            );
            items.push((
                change.on,
                change.recorded_at,
                TimelineItem {
                    date: crate::format::iso_day(&change.on.to_string()),
                    iso: change.on.to_string(),
                    kind: TimelineKind::Status {
                        sentence,
                        status: change.status.as_str(),
                        note: change.note.clone(),
                    },
                },
            ));
        }
        items.sort_by_key(|item| std::cmp::Reverse((item.0, item.1)));
        Self {
            asks: views,
            timeline: items.into_iter().map(|(_, _, item)| item).collect(),
        }
    }
}
