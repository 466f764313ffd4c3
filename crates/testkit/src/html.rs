//! Reading a page as the tests need it: the value of a field, the error shown next to it,
//! the choices of a radio group, the one sentence of a message page. They read the HTML the
//! server's templates write, as text.

/// The value of `<input … name="NAME" value="…">` in `html` (the first such field).
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// Every value of the radio buttons called `name` in `html`, in order.
pub fn radio_values(html: &str, name: &str) -> Vec<String> {
    let marker = format!("name=\"{name}\" value=\"");
    html.match_indices(&marker)
        .filter_map(|(i, m)| {
            let rest = &html[i + m.len()..];
            Some(rest[..rest.find('"')?].to_owned())
        })
        .collect()
}

/// Whether the radio button `name` with `value` is checked in `html`.
pub fn is_checked(html: &str, name: &str, value: &str) -> bool {
    let marker = format!("name=\"{name}\" value=\"{value}\"");
    html.find(&marker).is_some_and(|at| {
        let rest = &html[at + marker.len()..];
        rest[..rest.find('>').unwrap_or(0)].contains("checked")
    })
}

/// The message shown next to the form field named `name`, if any: the first
/// `<p class="error">` inside the field's block (its `class="field…"` element, or its table
/// cell for the letter editor's signer fields).
pub fn field_error(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let start = [html[..at].rfind("class=\"field"), html[..at].rfind("<td>")]
        .into_iter()
        .flatten()
        .max()?;
    let end = ["class=\"field", "</td>", "</form>"]
        .into_iter()
        .filter_map(|m| html[at..].find(m).map(|i| i + at))
        .min()
        .unwrap_or(html.len());
    let block = &html[start..end];
    // `<p class="error">` or `<p class="error" id="…">`.
    let open = "<p class=\"error\"";
    let from = block.find(open)? + open.len();
    let from = block[from..].find('>')? + from + 1;
    let to = block[from..].find("</p>")? + from;
    Some(block[from..to].to_owned())
}

/// The sentence of a page that says one thing (`message.html`): the first paragraph of its
/// card, with HTML entities for quotes and ampersands decoded.
pub fn message_text(html: &str) -> Option<String> {
    let card = &html[html.find("<section class=\"card narrow\">")?..];
    let start = card.find("<p>")? + 3;
    let end = start + card[start..].find("</p>")?;
    Some(
        card[start..end]
            .replace("&#39;", "'")
            .replace("&quot;", "\"")
            .replace("&amp;", "&"),
    )
}

/// The word that follows `marker` in `text` (a page or a command's output): up to the next
/// quote, space or line end. Panics, showing `text`, when `marker` is not there.
pub fn value_after(text: &str, marker: &str) -> String {
    let start = text
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} in {text}"))
        + marker.len();
    let rest = &text[start..];
    rest[..rest.find(['"', '\n', ' ']).unwrap_or(rest.len())]
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: &str = r#"<form method="post">
<input type="hidden" name="csrf" value="tok3n">
<div class="field"><label>Name</label><input name="name" value="">
<p class="error">Enter your name.</p></div>
<div class="field"><input name="email" value="a@example.org"></div>
<input type="radio" name="display" value="public" checked>
<input type="radio" name="display" value="initials">
</form>"#;

    #[test]
    fn values_errors_and_radios_are_read_from_the_page() {
        assert_eq!(hidden_value(FORM, "csrf").as_deref(), Some("tok3n"));
        assert_eq!(hidden_value(FORM, "nothing"), None);
        assert_eq!(
            field_error(FORM, "name").as_deref(),
            Some("Enter your name.")
        );
        assert_eq!(field_error(FORM, "email"), None);
        assert_eq!(radio_values(FORM, "display"), ["public", "initials"]);
        assert!(is_checked(FORM, "display", "public"));
        assert!(!is_checked(FORM, "display", "initials"));
    }

    #[test]
    fn a_message_page_says_one_sentence() {
        let page = r#"<section class="card narrow"><h1>Done</h1><p>It&#39;s &quot;done&quot; &amp; kept.</p></section>"#;
        assert_eq!(message_text(page).as_deref(), Some("It's \"done\" & kept."));
    }

    #[test]
    fn value_after_reads_one_word() {
        assert_eq!(
            value_after("login: a@example.org\npassword: s3cret words", "password: "),
            "s3cret"
        );
    }
}
