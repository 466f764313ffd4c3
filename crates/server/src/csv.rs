//! CSV as spreadsheets open it safely (DESIGN invariant 5): UTF-8 with a byte order mark (so
//! that spreadsheets read the text as UTF-8), RFC 4180 quoting with CRLF line ends, and every
//! text cell that a spreadsheet would run as a formula neutralised.
//!
//! Small enough to write here rather than add a dependency: cells are appended to a buffer
//! a row at a time, so an export streams page by page.

use std::borrow::Cow;

/// The byte order mark that starts the file.
pub const BOM: &str = "\u{feff}";

/// A cell's value. Only text is neutralised: numbers are written as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Number(u64),
    Empty,
}

impl Cell {
    /// Text, or an empty cell for None.
    pub fn text(value: Option<impl Into<String>>) -> Self {
        value.map_or(Cell::Empty, |v| Cell::Text(v.into()))
    }

    /// A number, or an empty cell for None.
    pub fn number(value: Option<u64>) -> Self {
        value.map_or(Cell::Empty, Cell::Number)
    }
}

/// The characters that make a spreadsheet read a cell as a formula (or, for tab and carriage
/// return, hide one behind white space).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` as a spreadsheet shows it, never runs it: a cell that begins with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading apostrophe.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Appends `text` to `out` as one RFC 4180 field: quoted (with quotes doubled) when it holds
/// a comma, a quote or a line break.
fn push_field(out: &mut String, text: &str) {
    if text.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// Appends one record (a row of cells, or a header of names) and its CRLF to `out`.
pub fn push_record<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a Cell>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match cell {
            Cell::Text(text) => push_field(out, &neutralise(text)),
            Cell::Number(n) => out.push_str(&n.to_string()),
            Cell::Empty => {}
        }
    }
    out.push_str("\r\n");
}

/// Appends the header row (column names are ours: quoted only if they need it).
pub fn push_header(out: &mut String, names: &[&str]) {
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, name);
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(cells: &[Cell]) -> String {
        let mut out = String::new();
        push_record(&mut out, cells);
        out
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    #[test]
    fn formula_cells_are_neutralised() {
        for start in ["=", "+", "-", "@", "\t", "\r"] {
            let cell = format!("{start}SUM(A1:A9)");
            assert_eq!(neutralise(&cell), format!("'{cell}"), "{start:?}");
        }
        for harmless in [
            "Ada Lovelace",
            "",
            "'=quoted already",
            " =spaced",
            "a=b",
            "1+1",
        ] {
            assert_eq!(neutralise(harmless), harmless);
        }
    }

    #[test]
    fn records_follow_rfc_4180() {
        assert_eq!(
            record(&[text("plain"), Cell::Number(42), Cell::Empty, text("x")]),
            "plain,42,,x\r\n"
        );
        assert_eq!(
            record(&[text("Doe, Jane"), text("say \"hi\""), text("two\nlines")]),
            "\"Doe, Jane\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
        );
    }

    #[test]
    fn neutralised_cells_are_still_quoted_when_they_need_it() {
        assert_eq!(
            record(&[text("=HYPERLINK(\"http://x\",\"y\")")]),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n"
        );
        // A carriage return at the start both neutralises and quotes.
        assert_eq!(record(&[text("\rhidden")]), "\"'\rhidden\"\r\n");
        assert_eq!(record(&[text("\t-1")]), "'\t-1\r\n");
    }

    #[test]
    fn numbers_are_not_neutralised() {
        assert_eq!(record(&[Cell::Number(0)]), "0\r\n");
    }

    #[test]
    fn the_header_is_one_record() {
        let mut out = String::from(BOM);
        push_header(&mut out, &["id", "signed_at"]);
        assert_eq!(out, "\u{feff}id,signed_at\r\n");
    }
}
