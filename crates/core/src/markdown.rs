//! Letter bodies: Markdown rendered to HTML that is safe to put in a page.
//!
//! Raw HTML in the source is shown as text (escaped), never passed through. Links keep only
//! `http`, `https`, `mailto` and relative targets; any other scheme (`javascript:`, `data:`…)
//! becomes `#`. Images become links to the image, so that a letter cannot make readers' browsers
//! fetch from other hosts.

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

/// Renders `markdown` to sanitised HTML.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            dest_url,
            title,
            id,
            ..
        }) => Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// Keeps the URL when its scheme is allowed (or it has none), otherwise `#`.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    // Browsers ignore ASCII white space and control characters inside a scheme
    // ("java\tscript:"), so look at the URL without them.
    let squeezed: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme = squeezed
        .split_once(':')
        .map(|(scheme, _)| scheme)
        .filter(|s| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        });
    match scheme {
        None => url,
        Some("http" | "https" | "mailto") => url,
        Some(_) => CowStr::Borrowed("#"),
    }
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn renders_markdown() {
        let html = render("# Title\n\nWe **ask**.\n\n- one\n- two");
        assert!(html.contains("<h1>Title</h1>"));
        assert!(html.contains("<strong>ask</strong>"));
        assert!(html.contains("<li>one</li>"));
    }

    #[test]
    fn raw_html_is_escaped() {
        let html = render("<script>alert(1)</script>\n\nHi <img src=x onerror=alert(1)>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn dangerous_links_are_neutralised() {
        for src in [
            "[x](javascript:alert(1))",
            "[x](JavaScript:alert(1))",
            "[x](java\tscript:alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "<javascript:alert(1)>",
            "![x](javascript:alert(1))",
        ] {
            let html = render(src);
            // Every link that survives points nowhere.
            assert_eq!(
                html.matches("href=\"#\"").count(),
                html.matches("href=").count(),
                "{src} → {html}"
            );
        }
        assert!(
            render("[x](https://example.org/a?b=c)").contains("href=\"https://example.org/a?b=c\"")
        );
        assert!(render("[x](/l/demo)").contains("href=\"/l/demo\""));
        assert!(render("[x](mailto:a@example.org)").contains("mailto:"));
    }

    #[test]
    fn images_become_links() {
        let html = render("![A chart](https://example.org/c.png)");
        assert!(!html.contains("<img"));
        assert!(
            html.contains("<a href=\"https://example.org/c.png\">A chart</a>"),
            "{html}"
        );
    }

    #[test]
    fn attribute_breaking_titles_are_escaped() {
        let html = render("[x](https://example.org \"a\\\" onmouseover=\\\"alert(1)\")");
        assert!(!html.contains("\" onmouseover"), "{html}");
    }
}
