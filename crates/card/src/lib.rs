//! A letter's share card: the picture a link preview shows (Open Graph `og:image`). The
//! letter's title, wrapped to a few lines, its count and the site's host name, drawn as an
//! SVG and rendered to a 1200×630 PNG with resvg.
//!
//! Only the DejaVu fonts built into the binary are used (never the system's), so a card looks
//! the same on every server, and the title is measured with the same font that draws it.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

/// The card's size: what Open Graph and Twitter's large summary card expect.
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;

const REGULAR: &[u8] = include_bytes!("../../delivery/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../delivery/fonts/DejaVuSans-Bold.ttf");
const FAMILY: &str = "DejaVu Sans";

/// The left and right margins, and the width the title may take.
const MARGIN: f32 = 80.0;
const TEXT_WIDTH: f32 = WIDTH as f32 - 2.0 * MARGIN;

/// What a card shows.
#[derive(Debug, Clone, Copy)]
pub struct Card<'a> {
    /// The letter's title.
    pub title: &'a str,
    /// "1,234 signatures".
    pub count: &'a str,
    /// The site's host name ("letters.example.org").
    pub host: &'a str,
}

#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error("the card's SVG did not parse")]
    Svg(#[from] usvg::Error),
    #[error("no canvas of {WIDTH}×{HEIGHT} could be made")]
    Canvas,
    #[error("encoding the card as PNG: {0}")]
    Png(String),
}

struct Fonts {
    database: Arc<usvg::fontdb::Database>,
    bold: Option<ttf_parser::Face<'static>>,
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut database = usvg::fontdb::Database::new();
        database.load_font_data(REGULAR.to_vec());
        database.load_font_data(BOLD.to_vec());
        database.set_sans_serif_family(FAMILY);
        Fonts {
            database: Arc::new(database),
            bold: ttf_parser::Face::parse(BOLD, 0).ok(),
        }
    })
}

/// The width of `text` in the bold font at `size` pixels. Characters the font lacks count
/// as the font's average width, as do all of them if the font could not be read.
fn width(text: &str, size: f32) -> f32 {
    let Some(face) = &fonts().bold else {
        return text.chars().count() as f32 * size * 0.62;
    };
    let per_unit = size / f32::from(face.units_per_em());
    text.chars()
        .map(|c| {
            face.glyph_index(c)
                .and_then(|g| face.glyph_hor_advance(g))
                .map_or(size * 0.62, |a| f32::from(a) * per_unit)
        })
        .sum()
}

/// `text` in lines no wider than `max` at `size`, at most `lines` of them; when the text does
/// not fit, the last line ends with an ellipsis. A word wider than a line is cut.
fn wrap(text: &str, size: f32, max: f32, lines: usize) -> (Vec<String>, bool) {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if width(&candidate, size) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            out.push(std::mem::take(&mut line));
        }
        // The word alone: cut it where it overflows.
        for c in word.chars() {
            line.push(c);
            if width(&line, size) > max {
                line.pop();
                out.push(std::mem::take(&mut line));
                line.push(c);
            }
        }
    }
    if !line.is_empty() {
        out.push(line);
    }
    let cut = out.len() > lines;
    if cut {
        out.truncate(lines);
        if let Some(last) = out.last_mut() {
            while !last.is_empty() && width(&format!("{last}…"), size) > max {
                last.pop();
            }
            *last = format!("{}…", last.trim_end());
        }
    }
    (out, cut)
}

/// `text` escaped for an SVG (XML) text node or attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The card as an SVG document.
pub fn svg(card: &Card) -> String {
    // A short title large; a long one smaller, over more lines.
    let (size, lines) = match wrap(card.title, 64.0, TEXT_WIDTH, 4) {
        (lines, false) => (64.0, lines),
        _ => (50.0, wrap(card.title, 50.0, TEXT_WIDTH, 5).0),
    };
    let leading = size * 1.2;
    let top = 200.0;
    let title: String = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            format!(
                r#"<tspan x="{MARGIN}" y="{:.0}">{}</tspan>"#,
                top + i as f32 * leading,
                escape(line)
            )
        })
        .collect();
    // The count takes the bottom line, less the host name beside it.
    let room = (TEXT_WIDTH - width(card.host, 30.0) - 40.0).max(TEXT_WIDTH / 3.0);
    let count = wrap(card.count, 44.0, room, 1).0.join("");
    let host = escape(card.host);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">
<rect width="{WIDTH}" height="{HEIGHT}" fill="#fbfaf7"/>
<rect width="{WIDTH}" height="16" fill="#1f4e79"/>
<text x="{MARGIN}" y="112" font-family="{FAMILY}" font-size="30" font-weight="bold" letter-spacing="4" fill="#1f4e79">OPEN LETTER</text>
<text font-family="{FAMILY}" font-size="{size}" font-weight="bold" fill="#1d1d1f">{title}</text>
<rect x="{MARGIN}" y="500" width="{TEXT_WIDTH}" height="2" fill="#d9d9de"/>
<text x="{MARGIN}" y="572" font-family="{FAMILY}" font-size="44" font-weight="bold" fill="#1f4e79">{count}</text>
<text x="{right}" y="572" font-family="{FAMILY}" font-size="30" fill="#5f6368" text-anchor="end">{host}</text>
</svg>"##,
        count = escape(&count),
        right = WIDTH as f32 - MARGIN,
    )
}

/// The card as a PNG of [`WIDTH`]×[`HEIGHT`] pixels.
pub fn render(card: &Card) -> Result<Vec<u8>, CardError> {
    let options = usvg::Options {
        fontdb: fonts().database.clone(),
        font_family: FAMILY.to_owned(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(&svg(card), &options)?;
    let mut pixmap = tiny_skia::Pixmap::new(WIDTH, HEIGHT).ok_or(CardError::Canvas)?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|e| CardError::Png(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_is_a_png_of_1200_by_630() {
        let png = render(&Card {
            title: "Open letter to the Commissioner of the Example League on conduct",
            count: "1,234 signatures",
            host: "letters.example.org",
        })
        .expect("renders");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[16..20], &WIDTH.to_be_bytes());
        assert_eq!(&png[20..24], &HEIGHT.to_be_bytes());
    }

    #[test]
    fn a_long_title_is_cut_with_an_ellipsis_and_markup_is_text() {
        let title = "<b>&</b> ".repeat(200);
        let svg = svg(&Card {
            title: &title,
            count: "1 confirmed signature",
            host: "example.org",
        });
        assert!(svg.contains("&lt;b&gt;&amp;&lt;/b&gt;"));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains('…'));
        assert!(svg.matches("<tspan").count() <= 5);
    }

    #[test]
    fn a_word_wider_than_a_line_is_cut() {
        let (lines, cut) = wrap(&"W".repeat(30), 64.0, TEXT_WIDTH, 4);
        assert!(!cut);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| width(l, 64.0) <= TEXT_WIDTH));
    }
}
