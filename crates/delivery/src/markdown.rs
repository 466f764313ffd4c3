//! The letter's Markdown body as a small tree the template lays out: paragraphs, headings,
//! lists, quotes and code, made of runs of plain text with a style. Raw HTML is kept as
//! text (as on the page); images become their alternative text; links keep their text, and
//! their target when it is a web or mail address.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

/// A block of the body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Block {
    Paragraph {
        runs: Vec<Run>,
    },
    Heading {
        level: u8,
        runs: Vec<Run>,
    },
    List {
        ordered: bool,
        items: Vec<Vec<Block>>,
    },
    Quote {
        blocks: Vec<Block>,
    },
    Code {
        text: String,
    },
    Rule,
}

/// Text with one style.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Run {
    pub text: String,
    #[serde(skip_serializing_if = "is_false")]
    pub strong: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub emphasis: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub code: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub strike: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// What is open while walking the events.
enum Open {
    Paragraph(Vec<Run>),
    Heading(u8, Vec<Run>),
    List(bool, Vec<Vec<Block>>),
    Item(Vec<Block>, Vec<Run>),
    Quote(Vec<Block>),
    Code(String),
    /// A table cell or anything else whose runs go into the enclosing block.
    Other,
}

#[derive(Default, Clone)]
struct Style {
    strong: u32,
    emphasis: u32,
    strike: u32,
    link: Vec<Option<String>>,
}

pub(crate) fn blocks(markdown: &str) -> Vec<Block> {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut top: Vec<Block> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut style = Style::default();

    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph => stack.push(Open::Paragraph(Vec::new())),
                Tag::Heading { level, .. } => stack.push(Open::Heading(heading(level), Vec::new())),
                Tag::List(start) => stack.push(Open::List(start.is_some(), Vec::new())),
                Tag::Item => stack.push(Open::Item(Vec::new(), Vec::new())),
                Tag::BlockQuote(_) => stack.push(Open::Quote(Vec::new())),
                Tag::CodeBlock(_) => stack.push(Open::Code(String::new())),
                Tag::Strong => style.strong += 1,
                Tag::Emphasis => style.emphasis += 1,
                Tag::Strikethrough => style.strike += 1,
                Tag::Link { dest_url, .. } => style.link.push(safe_link(&dest_url)),
                Tag::Image { .. } => style.link.push(None),
                Tag::Table(_) => stack.push(Open::Paragraph(Vec::new())),
                _ => stack.push(Open::Other),
            },
            Event::End(end) => match end {
                TagEnd::Strong => style.strong = style.strong.saturating_sub(1),
                TagEnd::Emphasis => style.emphasis = style.emphasis.saturating_sub(1),
                TagEnd::Strikethrough => style.strike = style.strike.saturating_sub(1),
                TagEnd::Link | TagEnd::Image => {
                    style.link.pop();
                }
                TagEnd::TableCell => push_text(&mut stack, &style, " | ", false),
                TagEnd::TableRow | TagEnd::TableHead => push_break(&mut stack),
                _ => {
                    if let Some(open) = stack.pop() {
                        close(open, &mut stack, &mut top);
                    }
                }
            },
            Event::Text(text) => {
                if let Some(Open::Code(code)) = stack.last_mut() {
                    code.push_str(&text);
                } else {
                    push_text(&mut stack, &style, &text, false);
                }
            }
            Event::Code(text) => push_text(&mut stack, &style, &text, true),
            Event::Html(raw) | Event::InlineHtml(raw) => {
                if let Some(Open::Code(code)) = stack.last_mut() {
                    code.push_str(&raw);
                } else {
                    push_text(&mut stack, &style, &raw, false);
                }
            }
            Event::SoftBreak => push_text(&mut stack, &style, " ", false),
            Event::HardBreak => push_break(&mut stack),
            Event::Rule => add_block(Block::Rule, &mut stack, &mut top),
            _ => {}
        }
    }
    while let Some(open) = stack.pop() {
        close(open, &mut stack, &mut top);
    }
    top
}

fn heading(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Web and mail links stay links; anything else (`javascript:`…) is text only.
fn safe_link(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:"))
        .then(|| url.trim().to_owned())
}

/// The runs that text goes into: the innermost open paragraph, heading or list item (a
/// tight list item has its text directly, without a paragraph).
fn runs_of(stack: &mut [Open]) -> Option<&mut Vec<Run>> {
    stack.iter_mut().rev().find_map(|open| match open {
        Open::Paragraph(runs) | Open::Heading(_, runs) | Open::Item(_, runs) => Some(runs),
        _ => None,
    })
}

fn push_text(stack: &mut Vec<Open>, style: &Style, text: &str, code: bool) {
    let run = Run {
        text: text.to_owned(),
        strong: style.strong > 0,
        emphasis: style.emphasis > 0,
        code,
        strike: style.strike > 0,
        link: style.link.last().cloned().flatten(),
    };
    if runs_of(stack).is_none() {
        stack.push(Open::Paragraph(Vec::new()));
    }
    if let Some(runs) = runs_of(stack) {
        match runs.last_mut() {
            Some(last)
                if !code
                    && !last.code
                    && last.strong == run.strong
                    && last.emphasis == run.emphasis
                    && last.strike == run.strike
                    && last.link == run.link =>
            {
                last.text.push_str(&run.text)
            }
            _ => runs.push(run),
        }
    }
}

fn push_break(stack: &mut [Open]) {
    if let Some(runs) = runs_of(stack) {
        runs.push(Run {
            text: "\n".to_owned(),
            ..Run::default()
        });
    }
}

fn add_block(block: Block, stack: &mut [Open], top: &mut Vec<Block>) {
    for open in stack.iter_mut().rev() {
        match open {
            Open::Item(blocks, runs) => {
                if !runs.is_empty() {
                    blocks.push(Block::Paragraph {
                        runs: std::mem::take(runs),
                    });
                }
                blocks.push(block);
                return;
            }
            Open::Quote(blocks) => {
                blocks.push(block);
                return;
            }
            Open::List(_, _) | Open::Other => continue,
            Open::Paragraph(_) | Open::Heading(_, _) | Open::Code(_) => continue,
        }
    }
    top.push(block);
}

fn close(open: Open, stack: &mut [Open], top: &mut Vec<Block>) {
    let block = match open {
        Open::Paragraph(runs) if runs.is_empty() => return,
        Open::Paragraph(runs) => Block::Paragraph { runs },
        Open::Heading(level, runs) => Block::Heading { level, runs },
        Open::List(ordered, items) => Block::List { ordered, items },
        Open::Item(mut blocks, runs) => {
            if !runs.is_empty() {
                blocks.push(Block::Paragraph { runs });
            }
            if let Some(Open::List(_, items)) = stack.last_mut() {
                items.push(blocks);
            } else {
                for block in blocks {
                    add_block(block, stack, top);
                }
            }
            return;
        }
        Open::Quote(blocks) => Block::Quote { blocks },
        Open::Code(text) => Block::Code { text },
        Open::Other => return,
    };
    add_block(block, stack, top);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(runs: &[Run]) -> String {
        runs.iter().map(|r| r.text.as_str()).collect()
    }

    #[test]
    fn paragraphs_headings_and_styles() {
        let blocks = blocks("# We ask\n\nOpen **an investigation** now.\n\nThanks.");
        assert_eq!(blocks.len(), 3);
        let Block::Heading { level: 1, runs } = &blocks[0] else {
            panic!("{blocks:?}")
        };
        assert_eq!(text(runs), "We ask");
        let Block::Paragraph { runs } = &blocks[1] else {
            panic!("{blocks:?}")
        };
        assert_eq!(text(runs), "Open an investigation now.");
        assert!(
            runs.iter()
                .any(|r| r.strong && r.text == "an investigation")
        );
    }

    #[test]
    fn lists_nest() {
        let blocks = blocks("- one\n- two\n  1. inner\n");
        let Block::List {
            ordered: false,
            items,
        } = &blocks[0]
        else {
            panic!("{blocks:?}")
        };
        assert_eq!(items.len(), 2);
        assert!(
            items[1]
                .iter()
                .any(|b| matches!(b, Block::List { ordered: true, .. }))
        );
    }

    #[test]
    fn markup_and_html_stay_text_and_bad_links_are_dropped() {
        let blocks = blocks(
            "#panic() <script>x</script> [click](javascript:alert(1)) [ok](https://example.org)",
        );
        let Block::Paragraph { runs } = &blocks[0] else {
            panic!("{blocks:?}")
        };
        assert!(text(runs).contains("#panic() <script>x</script>"));
        // The unsafe link keeps its text, as plain text (merged with the text around it).
        assert!(text(runs).contains("click"));
        assert!(
            runs.iter()
                .filter(|r| r.text.contains("click"))
                .all(|r| r.link.is_none())
        );
        assert!(
            !runs
                .iter()
                .any(|r| r.link.as_deref().is_some_and(|l| l.contains("javascript")))
        );
        assert!(
            runs.iter()
                .any(|r| r.text == "ok" && r.link.as_deref() == Some("https://example.org"))
        );
    }
}
