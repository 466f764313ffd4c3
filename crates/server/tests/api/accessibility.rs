//! What a screen reader and a keyboard get: a form that fails marks each wrong field invalid,
//! ties it to its message, and sums the errors up at the top with a link to each field;
//! every page starts with a skip link; counts are said with the right plural.

use crate::helpers::*;

/// The value of the attribute `attr` on the element whose id is `id`, if both are there.
fn attr_of(html: &str, id: &str, attr: &str) -> Option<String> {
    let at = html.find(&format!(" id=\"{id}\""))?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let from = tag.find(&format!(" {attr}=\""))? + attr.len() + 3;
    let to = tag[from..].find('"')? + from;
    Some(tag[from..to].to_owned())
}

/// The text of the element whose id is `id` (tags removed).
fn text_of(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!(" id=\"{id}\""))?;
    let from = at + html[at..].find('>')? + 1;
    let to = from + html[from..].find("</p>")?;
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[from..to].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(text)
}

/// The summary of errors at the top of the form: announced, focusable, and the fields it
/// links to, in order.
fn summary_links(html: &str) -> Vec<String> {
    let start = html
        .find("<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"")
        .expect("an announced, focusable summary of the errors");
    let end = start + html[start..].find("</div>").unwrap();
    html[start..end]
        .split("<a href=\"#")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_owned())
        .collect()
}

/// The field `id` says it is invalid and is described by an element holding `message`.
fn assert_tied(html: &str, id: &str, message: &str) {
    assert_eq!(
        attr_of(html, id, "aria-invalid").as_deref(),
        Some("true"),
        "{id} is marked invalid"
    );
    let described = attr_of(html, id, "aria-describedby")
        .unwrap_or_else(|| panic!("{id} has aria-describedby"));
    let texts: Vec<String> = described
        .split_whitespace()
        .filter_map(|d| text_of(html, d))
        .collect();
    assert!(
        texts.iter().any(|t| t.contains(message)),
        "{id} is described by {message:?}: {texts:?}"
    );
}

#[tokio::test]
async fn a_failed_signing_form_ties_each_message_to_its_field_and_sums_them_up() {
    let app = spawn_app().await;
    app.open_letter("tied").await;

    let page = app.sign("tied", &[("city", "Tampere")]).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert_tied(&page.body, "name", "This field is required.");
    assert_tied(&page.body, "email", "Enter your email address.");
    // Radio groups: the fieldset carries the id, the state and the message.
    assert_tied(&page.body, "category", "Choose how you sign.");
    assert_tied(&page.body, "display", "Choose how your name is shown.");
    // The message's element is the one the field points to, and says it is an error.
    assert_eq!(
        text_of(&page.body, "name-error").as_deref(),
        Some("Error: This field is required.")
    );
    // The field that was right is not marked.
    assert_eq!(attr_of(&page.body, "city", "aria-invalid"), None);

    // The summary comes before the form and links to each wrong field, each of which exists.
    let links = summary_links(&page.body);
    assert_eq!(links, ["category", "display", "email", "name"]);
    for id in &links {
        assert!(page.body.contains(&format!(" id=\"{id}\"")), "#{id} exists");
    }
    let summary = page.body.find("class=\"error-summary\"").unwrap();
    let form = page.body.find("action=\"/l/tied/sign#sign\"").unwrap();
    assert!(summary < form, "the summary is at the top of the form");

    // A form without errors has no summary and nothing marked invalid.
    let fresh = app.get("/l/tied").await;
    assert!(!fresh.body.contains("error-summary"));
    assert!(!fresh.body.contains("aria-invalid"));
    app.stop().await;
}

#[tokio::test]
async fn a_failed_organisation_form_ties_its_messages_too() {
    let app = spawn_app().await;
    open_letter_for_organisations(&app, "tied-org").await;
    let page = sign_with_logo(&app, "tied-org", &[("signer", "organisation")], &[]).await;
    assert_eq!(page.status, 422, "{}", page.body);
    let links = summary_links(&page.body);
    for id in [
        "organisation",
        "website",
        "name",
        "title",
        "email",
        "authorised",
    ] {
        assert!(links.iter().any(|l| l == id), "{id} in {links:?}");
        let message = field_error(&page.body, id).unwrap();
        assert_tied(&page.body, id, &message);
    }
    app.stop().await;
}

#[tokio::test]
async fn failed_organiser_forms_sum_up_their_errors_and_tie_them() {
    let app = spawn_app().await;
    app.set_up_owner().await;

    // The letter form.
    let page = app.post_letter(&app.client, &[("title", "")]).await;
    assert_eq!(page.status, 422, "{}", page.body);
    let links = summary_links(&page.body);
    assert!(links.iter().any(|l| l == "title"), "{links:?}");
    for id in &links {
        let message = field_error(&page.body, id).unwrap_or_default();
        assert_tied(&page.body, id, &message);
    }

    // Logging in with a wrong password: one message, tied to the email field.
    let browser = client();
    let csrf = app.get_with(&browser, "/login").await.csrf();
    let page = app
        .post_with(
            &browser,
            "/login",
            &[
                ("csrf", csrf.as_str()),
                ("email", OWNER_EMAIL),
                ("password", "not the password at all"),
            ],
        )
        .await;
    assert_eq!(page.status, 401, "{}", page.body);
    assert_eq!(summary_links(&page.body), ["email"]);
    assert_tied(&page.body, "email", "The email or the password is wrong.");
    app.stop().await;
}

#[tokio::test]
async fn every_page_starts_with_a_skip_link_to_its_main_content() {
    let app = spawn_app().await;
    app.open_letter("skip").await;
    for path in ["/", "/l/skip", "/login", "/admin", "/admin/account"] {
        let page = app.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        let body = &page.body[page.body.find("<body>").unwrap()..];
        let first_link = &body[body.find("<a ").unwrap()..];
        assert!(
            first_link.starts_with("<a class=\"skip-link\" href=\"#main\">"),
            "{path}: {}",
            &first_link[..80]
        );
        assert!(page.body.contains("<main id=\"main\""), "{path}");
    }
    app.stop().await;
}

/// The two places the letter page says its total ("N confirmed signature(s)").
fn totals(html: &str) -> Vec<String> {
    html.split("data-count=\"total\"")
        .skip(1)
        .map(|s| {
            let from = s.find('>').unwrap() + 1;
            let number = &s[from..from + s[from..].find('<').unwrap()];
            let word_at = s.find("data-plural=\"total\"").unwrap();
            let rest = &s[word_at..];
            let word_from = rest.find('>').unwrap() + 1;
            let word = &rest[word_from..word_from + rest[word_from..].find('<').unwrap()];
            format!("{number} {word}")
        })
        .collect()
}

#[tokio::test]
async fn counts_are_said_in_the_singular_for_one_and_the_plural_otherwise() {
    let app = spawn_app().await;
    let id = app.open_letter("plural").await;

    let page = app.get("/l/plural").await;
    assert_eq!(
        totals(&page.body),
        ["0 confirmed signatures", "0 confirmed signatures"]
    );

    app.sign_and_confirm("plural", "Ilse Vantongeren", "ilse@example.org", "public")
        .await;
    let page = app.get("/l/plural").await;
    // Both the count at the top and the one above the form say it, and both refresh.
    assert_eq!(
        totals(&page.body),
        ["1 confirmed signature", "1 confirmed signature"]
    );
    assert!(!page.body.contains("1 confirmed signatures"));
    let admin = app.get(&format!("/admin/letters/{id}")).await;
    assert!(
        admin
            .body
            .contains("<strong>1</strong> confirmed signature</p>"),
        "{}",
        admin.body
    );

    app.sign_and_confirm("plural", "Oskar Pellinen", "oskar@example.org", "public")
        .await;
    let page = app.get("/l/plural").await;
    assert_eq!(
        totals(&page.body),
        ["2 confirmed signatures", "2 confirmed signatures"]
    );
    let admin = app.get(&format!("/admin/letters/{id}")).await;
    assert!(
        admin
            .body
            .contains("<strong>2</strong> confirmed signatures</p>")
    );
    app.stop().await;
}

#[tokio::test]
async fn the_signing_forms_link_to_a_privacy_notice_that_says_what_is_kept() {
    let app = spawn_app().await;
    open_letter_for_organisations(&app, "private-notes").await;
    for form in ["/l/private-notes", "/l/private-notes?as=organisation"] {
        let page = app.get(form).await;
        assert!(
            page.body.contains("<a href=\"/l/private-notes/privacy\">"),
            "{form}"
        );
    }
    let notice = app.get("/l/private-notes/privacy").await;
    assert_eq!(notice.status, 200, "{}", notice.body);
    for heading in [
        "What is kept",
        "Who sees it",
        "For how long",
        "How to withdraw",
    ] {
        assert!(
            notice.body.contains(&format!("<h2>{heading}</h2>")),
            "{heading}"
        );
    }
    assert!(
        notice.body.contains("for as long as the letter exists"),
        "{}",
        notice.body
    );
    assert!(notice.body.contains("href=\"/l/private-notes/link\""));

    // With a retention period set by the workspace's owner, the notice says it.
    let dashboard = app.get("/admin").await;
    let at = dashboard.body.find("/retention\"").unwrap();
    let workspace = &dashboard.body[dashboard.body[..at].rfind("/admin/workspaces/").unwrap()..at];
    let csrf = dashboard.csrf();
    let set = app
        .post(
            &format!("{workspace}/retention"),
            &[("csrf", csrf.as_str()), ("days", "30")],
        )
        .await;
    assert_eq!(set.status, 303, "{}", set.body);
    let notice = app.get("/l/private-notes/privacy").await;
    assert!(
        notice
            .body
            .contains("erased 30 days after the letter closes"),
        "{}",
        notice.body
    );

    assert_eq!(app.get("/l/no-such-letter/privacy").await.status, 404);
    app.stop().await;
}
