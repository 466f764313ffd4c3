//! The core loop, end to end: set up, log in, write and publish a letter, sign, confirm from
//! the emailed link, and see the count and the list change.

use crate::helpers::*;

#[tokio::test]
async fn the_whole_loop_from_setup_to_a_counted_signature() {
    let app = spawn_app().await;

    // A fresh instance prints a setup link; it creates the owner and logs them in.
    app.set_up_owner().await;
    let dashboard = app.get("/admin").await;
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.body.contains("Olive Owner"));
    assert!(dashboard.body.contains("Test Coalition"));

    // Write a draft, look at the preview, publish.
    let fields = letter_fields("investigate");
    let id = app.create_letter(&app.client, &as_form(&fields)).await;
    let draft = app.get("/l/investigate").await;
    assert_eq!(draft.status, 404, "drafts are not public");
    let preview = app.get(&format!("/admin/letters/{id}/preview")).await;
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains("<strong>today</strong>"));
    assert!(preview.body.contains("Preview"));
    assert_eq!(app.publish(&app.client, id).await.status, 303);

    // The public page: the letter, its targets, zero counts, the form.
    let page = app.get("/l/investigate").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Investigate the academy now"));
    assert!(page.body.contains("Ines Quarry"));
    assert!(page.body.contains("Example League"));
    assert!(page.body.contains("og:title"));
    assert!(page.body.contains("twitter:card"));
    assert_eq!(app.counts("investigate").await["total"], 0);

    // Sign: the answer is a redirect to "check your email"; nothing is counted yet.
    let categories = app.categories("investigate").await;
    assert_eq!(categories.len(), 3);
    let signed = app
        .sign(
            "investigate",
            &[
                ("name", "Jane Quillfeather"),
                ("email", "jane@example.org"),
                ("category", &categories[1]),
                ("display", "initials"),
                ("city", "Lyon"),
                ("show_city", "on"),
                ("title", "Director"),
            ],
        )
        .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    assert_eq!(
        signed.location.as_deref(),
        Some("/l/investigate/check-email")
    );
    let check = app.get("/l/investigate/check-email").await;
    assert!(check.body.contains("Check your email"));
    assert_eq!(app.counts("investigate").await["total"], 0);

    // The confirmation email: text and HTML parts, the link, no signer text in it.
    let email = app.mail.wait_for_to("jane@example.org", 1).await;
    assert!(email.subject().contains("Confirm your signature"));
    assert!(!email.text().contains("Quillfeather"));
    assert!(email.html().contains("Confirm my signature"));
    let link = email.link("/confirm/").unwrap();
    let path = link.trim_start_matches(&app.address).to_owned();

    // Opening the link changes nothing; the button does.
    let opened = app.get(&path).await;
    assert_eq!(opened.status, 200);
    assert!(opened.body.contains("Confirm my signature"));
    assert_eq!(app.counts("investigate").await["total"], 0);
    let confirmed = app.post(&path, &[]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert!(confirmed.body.contains("confirmed and counted"));

    // Counted, by category, and listed with initials and the city they asked to show only.
    let counts = app.counts("investigate").await;
    assert_eq!(counts["total"], 1);
    assert_eq!(counts["by_category"]["Survivor"], 1);
    assert_eq!(counts["by_category"]["Organisation"], 0);
    let page = app.get("/l/investigate").await;
    assert!(page.body.contains("J. Q."), "initials are shown");
    assert!(page.body.contains("Lyon"));
    assert!(!page.body.contains("Quillfeather"), "the name is not shown");
    assert!(
        !page.body.contains("Director"),
        "initials-level hides the title"
    );

    // Organisers see who it is.
    let list = app.get(&format!("/admin/letters/{id}/signatures")).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Jane Quillfeather"));
    assert!(list.body.contains("jane@example.org"));

    app.stop().await;
}

#[tokio::test]
async fn display_levels_public_initials_private() {
    let app = spawn_app().await;
    app.open_letter("levels").await;
    app.sign_and_confirm("levels", "Pia Public", "pia@example.org", "public")
        .await;
    app.sign_and_confirm("levels", "Ivo Initials", "ivo@example.org", "initials")
        .await;
    app.sign_and_confirm("levels", "Pru Private", "pru@example.org", "private")
        .await;

    assert_eq!(app.counts("levels").await["total"], 3);
    let page = app.get("/l/levels").await;
    assert!(page.body.contains("Pia Public"));
    assert!(page.body.contains("I. I."));
    assert!(!page.body.contains("Ivo Initials"));
    assert!(
        !page.body.contains("Pru"),
        "private signers are never shown"
    );
    assert!(!page.body.contains("P. P."));
    assert!(
        !page.body.contains("pia@example.org"),
        "emails are never shown"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_signatory_list_is_paginated_newest_first() {
    let app = spawn_app().await;
    app.open_letter("many").await;
    for i in 0..52 {
        app.sign_and_confirm(
            "many",
            &format!("Signer Number{i:02}"),
            &format!("s{i}@example.org"),
            "public",
        )
        .await;
    }
    let first = app.get("/l/many").await;
    assert!(first.body.contains("Signer Number51"), "newest first");
    assert!(!first.body.contains("Signer Number01"));
    assert!(first.body.contains("52 organisations"), "counts in words");
    // Keyset pages: the next page starts before the last entry shown.
    let older = first
        .body
        .find("?before=")
        .expect("a link to older signatories");
    let link = &first.body[older..older + first.body[older..].find('"').unwrap()];
    assert_eq!(link, "?before=2#signatories");
    let second = app.get("/l/many?before=2").await;
    assert!(second.body.contains("Signer Number01"));
    assert!(second.body.contains("Signer Number00"));
    assert!(!second.body.contains("Signer Number51"));
    assert!(
        second.body.contains("rel=\"first\""),
        "a way back to the newest"
    );
    assert!(!second.body.contains("?before="), "no page after the last");
    // Those who signed privately are counted in words, never listed.
    app.sign_and_confirm("many", "Quiet Person", "quiet@example.org", "private")
        .await;
    let page = app.get("/l/many").await;
    assert!(page.body.contains("53 organisations"), "{}", page.body);
    assert!(
        page.body
            .contains("And 1 organisation whose name is withheld.")
    );
    assert!(!page.body.contains("Quiet Person"));
    // A page that is more signatures than the list: still the same page, and anything else
    // than a number means the newest.
    assert!(
        app.get("/l/many?before=0")
            .await
            .body
            .contains("No more signatories.")
    );
    for odd in ["/l/many?page=2", "/l/many?before=abc", "/l/many?before=-1"] {
        let page = app.get(odd).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Signer Number51"), "{odd}");
    }
    app.stop().await;
}

/// The site's name is per application, not per process: two sites served from one process
/// (as these tests do) each frame their own error pages with their own name.
#[tokio::test]
async fn two_sites_in_one_process_each_show_their_own_name_on_error_pages() {
    let harbour = TestApp::init()
        .with_settings(|s| s.instance_name = "Harbour Coalition".into())
        .spawn()
        .await;
    let valley = TestApp::init()
        .with_settings(|s| s.instance_name = "Valley Alliance".into())
        .spawn()
        .await;
    for (app, name, other) in [
        (&harbour, "Harbour Coalition", "Valley Alliance"),
        (&valley, "Valley Alliance", "Harbour Coalition"),
    ] {
        let missing = app.get("/l/no-such-letter").await;
        assert_eq!(missing.status, 404);
        assert!(
            missing
                .body
                .contains(&format!("<title>Page not found · {name}</title>")),
            "{}",
            missing.body
        );
        assert!(!missing.body.contains(other));
        // A page that says one thing, from the router rather than a handler.
        let wrong_method = app.get("/logout").await;
        assert_eq!(wrong_method.status, 405);
        assert!(wrong_method.body.contains(&format!(
            "<title>Use the button on the page · {name}</title>"
        )));
        // Headers a message page was given survive its framing.
        assert_eq!(
            wrong_method
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("text/html; charset=utf-8")
        );
    }
    harbour.stop().await;
    valley.stop().await;
}
