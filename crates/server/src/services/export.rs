//! Exports of a letter's signatures, as CSV or JSON, streamed: the rows are read from the
//! store a page at a time (keyset pagination, personal fields opened per page) and each page
//! is encoded as soon as it is read, so a letter of a million signatures never sits in
//! memory. The server streams the chunks as a response body; `undersigned export` writes
//! them to a file.
//!
//! Two audiences:
//! - organisers get every signature the filter lets through, with everything stored about
//!   it (the signer's email and the names of private signers included);
//! - the public gets exactly what the letter's page shows: published signatures that are
//!   not private, initials-level signers as their initials (and their city only if shown),
//!   each with the index of its entry in the log, and for an organisation its name, its
//!   website's domain and how it was verified. Private signers are never rows, and neither
//!   are organisations held for verification (they are not published).
//!
//! Both formats hold the same columns: a JSON row has, under each column's name, the value
//! whose CSV cell is [`crate::csv::neutralise`]d (numbers as numbers, empty cells as null).

use std::str::FromStr;

use futures_util::{Stream, stream};
use undersigned_core::SignatureFilter;
use undersigned_store::{
    DynStore, ExportCursor, ExportRow, Letter, LetterId, PublicListing, PublicSignature, StoreError,
};

use crate::{
    csv::{self, Cell},
    format::iso_date_time,
};

/// Rows read from the store at a time.
pub const PAGE_ROWS: u32 = 500;

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("could not read the signatures to export")]
    Store(#[from] StoreError),
}

/// CSV or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Json => "application/json",
        }
    }
}

impl FromStr for ExportFormat {
    type Err = undersigned_core::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        undersigned_core::unknown::parse_name(
            &[Self::Csv, Self::Json],
            Self::extension,
            "export format",
            s,
        )
    }
}

/// The columns of an organiser's export, in order.
pub const ORGANISER_COLUMNS: &[&str] = &[
    "id",
    "signed_at",
    "confirmed_at",
    "published_at",
    "state",
    "category",
    "kind",
    "display_level",
    "name",
    "title",
    "affiliation",
    "city",
    "city_shown",
    "country",
    "comment",
    "email",
    "log_index",
    "organisation",
    "organisation_website",
    "organisation_domain",
    "verification",
    "logo_url",
    "updates",
];

/// The columns of a public export, in order: what the letter's page shows of each signer
/// (for an organisation: its name, its website's domain and how it was verified).
pub const PUBLIC_COLUMNS: &[&str] = &[
    "log_index",
    "category",
    "name",
    "details",
    "comment",
    "organisation",
    "organisation_domain",
    "verification",
];

fn time(at: Option<i64>) -> Cell {
    Cell::text(at.map(iso_date_time))
}

/// The address of a stored logo, as the server serves it.
fn logo_url(hash: &str) -> String {
    format!("/logos/{hash}.png")
}

/// An organiser's row, in [`ORGANISER_COLUMNS`] order.
fn organiser_cells(row: ExportRow) -> Vec<Cell> {
    let d = row.details;
    let o = row.organisation;
    vec![
        Cell::Number(u64::try_from(row.id.0).unwrap_or(0)),
        time(Some(row.signed_at)),
        time(row.confirmed_at),
        time(row.published_at),
        Cell::Text(row.state.as_str().to_owned()),
        Cell::Text(row.category),
        Cell::Text(row.kind.as_str().to_owned()),
        Cell::Text(row.display.as_str().to_owned()),
        Cell::Text(row.name),
        Cell::text(d.title),
        Cell::text(d.affiliation),
        Cell::text(d.city),
        Cell::Text(if d.show_city { "yes" } else { "no" }.to_owned()),
        Cell::text(d.country),
        Cell::text(d.comment),
        Cell::Text(row.email),
        Cell::number(row.log_index),
        Cell::text(o.as_ref().map(|o| o.name.clone())),
        Cell::text(o.as_ref().map(|o| o.website.clone())),
        Cell::text(o.as_ref().map(|o| o.domain.clone())),
        Cell::text(
            o.as_ref()
                .and_then(|o| o.verification)
                .map(|v| v.as_str().to_owned()),
        ),
        Cell::text(o.as_ref().and_then(|o| o.logo.as_deref()).map(logo_url)),
        Cell::Text(if row.updates { "yes" } else { "no" }.to_owned()),
    ]
}

/// A public row, in [`PUBLIC_COLUMNS`] order; None for a signer the page does not show.
fn public_cells(row: PublicSignature) -> Option<Vec<Cell>> {
    let shown = row.shown()?;
    let o = row.organisation;
    Some(vec![
        Cell::number(row.log_index),
        Cell::Text(row.category),
        Cell::Text(shown.shown_name),
        Cell::text(shown.details),
        Cell::text(shown.comment),
        Cell::text(o.as_ref().map(|o| o.name.clone())),
        Cell::text(o.as_ref().map(|o| o.domain.clone())),
        Cell::text(o.and_then(|o| o.verified).map(|v| v.as_str().to_owned())),
    ])
}

/// Where the rows come from, and where the next page starts (None once the last page was
/// read).
enum Source {
    Organisers {
        store: DynStore,
        letter: LetterId,
        filter: SignatureFilter,
        after: Option<ExportCursor>,
    },
    Public {
        store: DynStore,
        letter: LetterId,
        /// The log index the next page is below (Some(None): from the newest).
        before: Option<Option<u64>>,
    },
}

impl Source {
    /// The next page's rows (possibly none shown, when a public page held only private
    /// signers), or None when every page was read.
    async fn next_page(&mut self) -> Result<Option<Vec<Vec<Cell>>>, StoreError> {
        match self {
            Source::Organisers {
                store,
                letter,
                filter,
                after,
            } => {
                let Some(cursor) = *after else {
                    return Ok(None);
                };
                let rows = store
                    .export_page(*letter, filter, cursor, PAGE_ROWS)
                    .await?;
                *after = rows
                    .last()
                    .map(ExportRow::cursor)
                    .filter(|_| rows.len() == PAGE_ROWS as usize);
                Ok(Some(rows.into_iter().map(organiser_cells).collect()))
            }
            Source::Public {
                store,
                letter,
                before,
            } => {
                let Some(below) = *before else {
                    return Ok(None);
                };
                let page = store
                    .public_signatures(*letter, PublicListing::LogIndexBefore(below), PAGE_ROWS)
                    .await?;
                *before = page
                    .rows
                    .last()
                    .and_then(|row| row.log_index)
                    .filter(|_| page.rows.len() == PAGE_ROWS as usize)
                    .map(Some);
                Ok(Some(
                    page.rows.into_iter().filter_map(public_cells).collect(),
                ))
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Start,
    Rows,
    Done,
}

/// A piece of an export: its bytes, and how many rows they hold.
#[derive(Debug, Default)]
pub struct Chunk {
    pub bytes: Vec<u8>,
    pub rows: u64,
}

/// Writes the header, the rows and the end of one file, in one format.
struct Encoder {
    format: ExportFormat,
    letter_slug: String,
    columns: &'static [&'static str],
    /// Rows written so far.
    rows: u64,
}

/// An export under way: call [`Export::next_chunk`] until it answers None, or turn it into
/// a stream with [`Export::into_stream`].
pub struct Export {
    encoder: Encoder,
    source: Source,
    phase: Phase,
}

impl Export {
    /// Every signature of `letter` that `filter` lets through, with the signers' contact
    /// details: for organisers.
    pub fn organisers(
        store: DynStore,
        letter: &Letter,
        filter: SignatureFilter,
        format: ExportFormat,
    ) -> Self {
        Self::new(
            format,
            letter,
            ORGANISER_COLUMNS,
            Source::Organisers {
                store,
                letter: letter.id,
                filter,
                after: Some(ExportCursor::START),
            },
        )
    }

    /// What the public sees of `letter`'s signatures. Once the signers' personal data is
    /// erased (`erased`), nobody is listed.
    pub fn public(store: DynStore, letter: &Letter, erased: bool, format: ExportFormat) -> Self {
        Self::new(
            format,
            letter,
            PUBLIC_COLUMNS,
            Source::Public {
                store,
                letter: letter.id,
                before: (!erased).then_some(None),
            },
        )
    }

    fn new(
        format: ExportFormat,
        letter: &Letter,
        columns: &'static [&'static str],
        source: Source,
    ) -> Self {
        Self {
            encoder: Encoder {
                format,
                letter_slug: letter.slug.clone(),
                columns,
                rows: 0,
            },
            source,
            phase: Phase::Start,
        }
    }

    /// The next piece of the file, None at its end. The first holds the header and the
    /// first page of rows, so a failure to read them comes before anything is sent.
    pub async fn next_chunk(&mut self) -> Result<Option<Chunk>, ExportError> {
        let mut out = String::new();
        if self.phase == Phase::Start {
            self.encoder.start(&mut out);
            self.phase = Phase::Rows;
        }
        let mut rows = 0;
        while self.phase == Phase::Rows {
            match self.source.next_page().await? {
                Some(page) => {
                    rows += page.len() as u64;
                    for cells in &page {
                        self.encoder.push_row(&mut out, cells);
                    }
                    // A page of private signers only shows nothing: read on.
                    if rows > 0 {
                        break;
                    }
                }
                None => {
                    self.encoder.finish(&mut out);
                    self.phase = Phase::Done;
                }
            }
        }
        if out.is_empty() && self.phase == Phase::Done {
            return Ok(None);
        }
        Ok(Some(Chunk {
            bytes: out.into_bytes(),
            rows,
        }))
    }

    /// The export as a stream of byte chunks, for a response body.
    pub fn into_stream(self) -> impl Stream<Item = Result<Vec<u8>, ExportError>> + Send + 'static {
        stream::try_unfold(self, |mut export| async move {
            Ok(export
                .next_chunk()
                .await?
                .map(|chunk| (chunk.bytes, export)))
        })
    }
}

impl Encoder {
    fn start(&self, out: &mut String) {
        match self.format {
            ExportFormat::Csv => {
                out.push_str(csv::BOM);
                csv::push_header(out, self.columns);
            }
            ExportFormat::Json => {
                out.push_str("{\"letter\":");
                push_json_string(out, &self.letter_slug);
                out.push_str(",\"signatures\":[");
            }
        }
    }

    fn push_row(&mut self, out: &mut String, cells: &[Cell]) {
        match self.format {
            ExportFormat::Csv => csv::push_record(out, cells),
            ExportFormat::Json => {
                out.push_str(if self.rows == 0 { "\n{" } else { ",\n{" });
                for (i, (name, cell)) in self.columns.iter().zip(cells).enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_json_string(out, name);
                    out.push(':');
                    match cell {
                        Cell::Text(text) => push_json_string(out, text),
                        Cell::Number(n) => out.push_str(&n.to_string()),
                        Cell::Empty => out.push_str("null"),
                    }
                }
                out.push('}');
            }
        }
        self.rows += 1;
    }

    fn finish(&self, out: &mut String) {
        if self.format == ExportFormat::Json {
            out.push_str("\n]}\n");
        }
    }
}

/// Appends `text` as a JSON string.
fn push_json_string(out: &mut String, text: &str) {
    // Serialising a string cannot fail.
    out.push_str(&serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_from_their_extension() {
        assert_eq!("csv".parse::<ExportFormat>(), Ok(ExportFormat::Csv));
        assert_eq!("json".parse::<ExportFormat>(), Ok(ExportFormat::Json));
        assert_eq!(
            "xlsx".parse::<ExportFormat>().map_err(|e| e.to_string()),
            Err("unknown export format \"xlsx\"".to_owned())
        );
    }

    #[test]
    fn json_rows_hold_the_cells_under_the_column_names() {
        let mut encoder = Encoder {
            format: ExportFormat::Json,
            letter_slug: "a-letter".into(),
            columns: &["name", "log_index", "comment"],
            rows: 0,
        };
        let mut out = String::new();
        encoder.start(&mut out);
        encoder.push_row(
            &mut out,
            &[
                Cell::Text("=Ada \"the\" Count".into()),
                Cell::Number(7),
                Cell::Empty,
            ],
        );
        encoder.push_row(
            &mut out,
            &[Cell::Text("B".into()), Cell::Empty, Cell::Empty],
        );
        encoder.finish(&mut out);
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["letter"], "a-letter");
        assert_eq!(value["signatures"][0]["name"], "=Ada \"the\" Count");
        assert_eq!(value["signatures"][0]["log_index"], 7);
        assert!(value["signatures"][0]["comment"].is_null());
        assert_eq!(value["signatures"][1]["name"], "B");
    }

    #[test]
    fn an_empty_json_export_is_valid() {
        let encoder = Encoder {
            format: ExportFormat::Json,
            letter_slug: "a-letter".into(),
            columns: PUBLIC_COLUMNS,
            rows: 0,
        };
        let mut out = String::new();
        encoder.start(&mut out);
        encoder.finish(&mut out);
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["signatures"], serde_json::json!([]));
    }
}
