//! "Manage your signature": the page a used confirmation link opens, changing how a signer
//! appears (a remove entry and a new add entry, the counts unchanged), withdrawing from it,
//! and the link's expiry `manage_link_days` after it confirmed. All names are fictional.

use undersigned_server::{clock::Clock, format::now};
use undersigned_verify::entry::{LogEntry, RemovalReason};

use crate::{
    display::{SURVIVOR_RULE, open_letter_with},
    helpers::*,
    log::{add_at, openings, read_log, signatories},
};

/// Signs `slug` as `name` in the category at `category` with `display`, and confirms;
/// returns the link's path.
async fn confirmed_in(
    app: &TestApp,
    slug: &str,
    category: usize,
    (name, email, display): (&str, &str, &str),
) -> String {
    let categories = app.categories(slug).await;
    let before = app.mail.to(email).len();
    let page = app
        .sign(
            slug,
            &[
                ("name", name),
                ("email", email),
                ("category", categories[category].as_str()),
                ("display", display),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let link = app.confirm_path(&app.mail.wait_for_to(email, before + 1).await);
    assert_eq!(app.post_with(&client(), &link, &[]).await.status, 200);
    link
}

/// The public text of the letter: its page and its signatories.json.
async fn public_text(app: &TestApp, slug: &str) -> String {
    let page = app.get(&format!("/l/{slug}")).await.body;
    let list = app.get(&format!("/l/{slug}/signatories.json")).await.body;
    format!("{page}\n{list}")
}

#[tokio::test]
async fn a_signer_changes_how_they_appear_and_the_log_gets_a_removal_and_a_new_entry() {
    let app = spawn_app().await;
    app.open_letter("appear").await;
    app.sign_and_confirm("appear", "Stay Stannard", "stay@example.org", "public")
        .await;
    let link = app
        .sign_and_confirm(
            "appear",
            "Marisol Quennell",
            "marisol@example.org",
            "public",
        )
        .await;

    // The used link opens the manage page: how the public sees the signer now, the
    // levels the category allows, the receipt and the withdrawal.
    let page = app.get(&link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Manage your signature"), "{}", page.body);
    assert!(page.body.contains("Marisol Quennell"));
    assert!(page.body.contains(&format!("action=\"{link}/display\"")));
    assert!(is_checked(&page.body, "display", "public"));
    assert_eq!(
        radio_values(&page.body, "display"),
        ["public", "initials", "private"]
    );
    assert!(page.body.contains(&format!("{link}/receipt")));
    assert!(page.body.contains(&format!("{link}/withdraw")));
    let counts = app.counts("appear").await;
    assert_eq!(
        (counts["total"].as_u64(), counts["log_size"].as_u64()),
        (Some(2), Some(2))
    );

    // To initials: one remove entry for entry 1 and a new add entry, in one batch.
    let changed = app
        .post_with(
            &client(),
            &format!("{link}/display"),
            &[("display", "initials")],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    assert_eq!(changed.location.as_deref(), Some(link.as_str()));
    let counts = app.counts("appear").await;
    assert_eq!(
        (counts["total"].as_u64(), counts["log_size"].as_u64()),
        (Some(2), Some(4)),
        "the count does not move; the log grows by two"
    );
    assert_eq!(
        counts["by_category"],
        app.counts("appear").await["by_category"]
    );
    let log = read_log(&app, "appear").await;
    match &log.decoded()[2] {
        LogEntry::Remove(r) => assert_eq!((r.removes, r.reason), (1, RemovalReason::Withdrawn)),
        other => panic!("a remove entry, not {other:?}"),
    }
    let added = add_at(&log, 3);
    assert_eq!(added.display, undersigned_core::DisplayLevel::Initials);
    assert_eq!(added.category, add_at(&log, 1).category);

    // The old opening is gone; the new one opens the new entry and shows initials.
    let (_, served) = openings(&app, "appear", "0").await;
    let served = served.unwrap();
    let indexes: Vec<u64> = served.openings.iter().map(|o| o.index).collect();
    assert_eq!(indexes, [0, 3], "entry 1's opening is deleted");
    let opening = served.openings[1].opening.opening().unwrap();
    assert!(opening.opens(&added));
    assert_eq!(opening.shown.shown_name, "M. Q.");
    let list = signatories(&app, "appear").await;
    let names: Vec<(Option<u64>, &str)> = list
        .signatories
        .iter()
        .map(|s| (s.index, s.name.as_str()))
        .collect();
    assert_eq!(names, [(Some(3), "M. Q."), (Some(0), "Stay Stannard")]);
    assert!(!public_text(&app, "appear").await.contains("Marisol"));

    // The manage page shows the new appearance; the receipt is for the new entry.
    let page = app.get(&link).await;
    assert!(page.body.contains("M. Q."), "{}", page.body);
    assert!(!page.body.contains("Marisol Quennell"));
    assert!(is_checked(&page.body, "display", "initials"));
    assert!(page.body.contains("entry 3 of the letter"), "{}", page.body);
    let receipt = app.get(&format!("{link}/receipt")).await;
    assert_eq!(receipt.status, 200);

    // The same level again changes nothing.
    let same = app
        .post_with(
            &client(),
            &format!("{link}/display"),
            &[("display", "initials")],
        )
        .await;
    assert_eq!(same.status, 303);
    assert_eq!(app.counts("appear").await["log_size"], 4);

    // To private: counted, never shown.
    let private = app
        .post_with(
            &client(),
            &format!("{link}/display"),
            &[("display", "private")],
        )
        .await;
    assert_eq!(private.status, 303);
    let counts = app.counts("appear").await;
    assert_eq!(
        (counts["total"].as_u64(), counts["log_size"].as_u64()),
        (Some(2), Some(6))
    );
    let list = signatories(&app, "appear").await;
    assert_eq!(list.signatories.len(), 1, "only Stay is listed");
    assert!(!public_text(&app, "appear").await.contains("M. Q."));
    let page = app.get(&link).await;
    assert!(
        page.body.contains("your name is never shown"),
        "{}",
        page.body
    );
    let (_, served) = openings(&app, "appear", "0").await;
    let indexes: Vec<u64> = served.unwrap().openings.iter().map(|o| o.index).collect();
    assert_eq!(indexes, [0], "a private entry has no opening");

    // And back to public: the name (which the organisers kept) is shown again.
    let public = app
        .post_with(
            &client(),
            &format!("{link}/display"),
            &[("display", "public")],
        )
        .await;
    assert_eq!(public.status, 303);
    assert_eq!(app.total("appear").await, 2);
    assert!(
        public_text(&app, "appear")
            .await
            .contains("Marisol Quennell")
    );
    app.stop().await;
}

#[tokio::test]
async fn only_the_levels_the_category_allows_are_offered_and_taken() {
    let app = spawn_app().await;
    open_letter_with(&app, "rules", &SURVIVOR_RULE).await;
    let link = confirmed_in(
        &app,
        "rules",
        1,
        ("Oriel Vantongeren", "oriel@example.org", "initials"),
    )
    .await;
    let page = app.get(&link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(radio_values(&page.body, "display"), ["initials", "private"]);

    for bad in ["public", "everyone", "", "PUBLIC\u{0}"] {
        let refused = app
            .post_with(&client(), &format!("{link}/display"), &[("display", bad)])
            .await;
        assert_eq!(refused.status, 422, "{bad:?}: {}", refused.body);
        assert!(refused.body.contains("Choose one of the ways offered"));
    }
    let missing = app
        .post_with(&client(), &format!("{link}/display"), &[])
        .await;
    assert_eq!(missing.status, 422);
    assert_eq!(
        app.counts("rules").await["log_size"],
        1,
        "nothing was written"
    );
    assert!(!public_text(&app, "rules").await.contains("Oriel"));
    app.stop().await;
}

#[tokio::test]
async fn a_signer_withdraws_from_the_manage_page() {
    let app = spawn_app().await;
    app.open_letter("leave").await;
    let link = app
        .sign_and_confirm(
            "leave",
            "Perpetua Lindqvist",
            "perpetua@example.org",
            "public",
        )
        .await;
    let page = app.get(&link).await;
    let withdraw = format!("{link}/withdraw");
    assert!(page.body.contains(&format!("href=\"{withdraw}\"")));
    let ask = app.get(&withdraw).await;
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains(&format!("action=\"{withdraw}\"")));
    let done = app.post_with(&client(), &withdraw, &[]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(app.total("leave").await, 0);
    assert!(!public_text(&app, "leave").await.contains("Perpetua"));

    // The link manages nothing now: no page, no change of level. The receipt of the
    // withdrawn entry stays available (until the link expires), as before.
    assert_eq!(app.get(&link).await.status, 409);
    let change = app
        .post_with(
            &client(),
            &format!("{link}/display"),
            &[("display", "private")],
        )
        .await;
    assert_eq!(change.status, 409);
    assert_eq!(app.get(&format!("{link}/receipt")).await.status, 200);
    assert_eq!(app.counts("leave").await["log_size"], 2);
    app.stop().await;
}

/// Finding 5: a used link worked for ever. It now works for `manage_link_days` after it
/// confirmed, to the second, on the app's clock; then every use answers 410 and changes
/// nothing.
#[tokio::test]
async fn a_manage_link_expires_manage_link_days_after_it_confirmed() {
    let app = TestApp::init()
        .with_clock(Clock::manual(now()))
        .with_settings(|s| s.manage_link_days = 3)
        .spawn()
        .await;
    app.open_letter("expiry").await;
    let link = app
        .sign_and_confirm(
            "expiry",
            "Ottilie Harrowgate",
            "ottilie@example.org",
            "public",
        )
        .await;
    app.clock.advance(3 * 86_400 - 1);
    let page = app.get(&link).await;
    assert_eq!(page.status, 200, "a second before it expires");
    assert!(page.body.contains("Manage your signature"));
    assert_eq!(app.get(&format!("{link}/receipt")).await.status, 200);
    assert_eq!(app.get(&format!("{link}/withdraw")).await.status, 200);
    app.clock.advance(1);

    let expired = [
        app.get(&link).await,
        app.get(&format!("{link}/receipt")).await,
        app.get(&format!("{link}/withdraw")).await,
        app.post_with(&client(), &format!("{link}/withdraw"), &[])
            .await,
        app.post_with(
            &client(),
            &format!("{link}/display"),
            &[("display", "private")],
        )
        .await,
    ];
    for page in expired {
        assert_eq!(page.status, 410, "{}", page.body);
        assert!(page.body.contains("This link has expired"), "{}", page.body);
        assert!(page.body.contains("/l/expiry#lost-link"), "{}", page.body);
    }
    let counts = app.counts("expiry").await;
    assert_eq!(
        (counts["total"].as_u64(), counts["log_size"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(
        public_text(&app, "expiry")
            .await
            .contains("Ottilie Harrowgate")
    );
    app.stop().await;
}

/// The default: a year.
#[tokio::test]
async fn manage_links_last_a_year_by_default() {
    let app = TestApp::init()
        .with_clock(Clock::manual(now()))
        .spawn()
        .await;
    assert_eq!(app.settings.manage_link_days, 365);
    app.open_letter("year").await;
    let link = app
        .sign_and_confirm(
            "year",
            "Benedikta Olafsdottir",
            "benedikta@example.org",
            "private",
        )
        .await;
    app.clock.advance(364 * 86_400);
    assert_eq!(app.get(&link).await.status, 200);
    app.clock.advance(86_400);
    assert_eq!(app.get(&link).await.status, 410);
    app.stop().await;
}

/// Opening the page or the form's address never changes anything; a post from another
/// site, one that is not a form, and one too large are refused; junk links are 404.
#[tokio::test]
async fn changing_needs_a_same_site_form_post() {
    let app = spawn_app().await;
    app.open_letter("guarded").await;
    let link = app
        .sign_and_confirm("guarded", "Cosimo Ferreira", "cosimo@example.org", "public")
        .await;
    let display = format!("{link}/display");

    for _ in 0..3 {
        assert_eq!(app.get(&link).await.status, 200);
    }
    assert_eq!(app.get(&display).await.status, 405);
    for origin in ["https://evil.example", "null"] {
        let page = app
            .send(
                client()
                    .post(app.url(&display))
                    .header("origin", origin)
                    .form(&[("display", "private")]),
            )
            .await;
        assert_eq!(page.status, 403, "{origin}: {}", page.body);
    }
    let json = app
        .send(
            client()
                .post(app.url(&display))
                .header("origin", &app.address)
                .header("content-type", "application/json")
                .body(r#"{"display":"private"}"#),
        )
        .await;
    assert_eq!(json.status, 415);
    let huge = "x".repeat(64 * 1024);
    let large = app
        .post_with(
            &client(),
            &display,
            &[("display", "private"), ("pad", &huge)],
        )
        .await;
    assert_eq!(large.status, 413);
    for bad in [
        "/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/display",
        "/confirm/short/display",
    ] {
        let page = app
            .post_with(&client(), bad, &[("display", "private")])
            .await;
        assert_eq!(page.status, 404, "{bad}");
    }

    let counts = app.counts("guarded").await;
    assert_eq!(
        (counts["total"].as_u64(), counts["log_size"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(
        public_text(&app, "guarded")
            .await
            .contains("Cosimo Ferreira")
    );
    app.stop().await;
}

/// A letter whose log is in format 1 names shown signers in its entries: the manage page
/// says the old entry keeps the name, and a change is logged in format 1 too.
#[tokio::test]
async fn a_format_1_letter_says_the_old_entry_keeps_the_name() {
    let app = TestApp::init()
        .with_cache_ttl(std::time::Duration::ZERO)
        .spawn()
        .await;
    app.open_letter("older").await;
    app.sql("UPDATE letters SET log_version = 1 WHERE slug = 'older'")
        .await;
    let link = app
        .sign_and_confirm("older", "Fenella Ashdown", "fenella@example.org", "public")
        .await;
    let page = app.get(&link).await;
    assert!(page.body.contains("Fenella Ashdown"), "{}", page.body);
    assert!(
        page.body
            .contains("keeps the name and details the page showed, in clear"),
        "{}",
        page.body
    );
    let changed = app
        .post_with(
            &client(),
            &format!("{link}/display"),
            &[("display", "private")],
        )
        .await;
    assert_eq!(changed.status, 303);
    let log = read_log(&app, "older").await;
    assert!(
        log.decoded()
            .iter()
            .all(|e| e.version() == undersigned_verify::entry::LogVersion::V1)
    );
    assert!(
        add_at(&log, 2).clear_text().is_none(),
        "the new entry is private"
    );
    assert_eq!(app.total("older").await, 1);
    let page = app.get(&link).await;
    assert!(
        !page.body.contains("in clear"),
        "a private entry has no text: {}",
        page.body
    );
    app.stop().await;
}

/// The page's line about the signers it does not name ("And 2 organisations whose names are
/// withheld."), if it has one.
async fn withheld_line(app: &TestApp, slug: &str) -> Option<String> {
    let body = app.get(&format!("/l/{slug}")).await.body;
    let start = body.find("<p class=\"withheld\">")? + "<p class=\"withheld\">".len();
    Some(body[start..start + body[start..].find("</p>")?].to_owned())
}

/// The withheld count is kept beside the count and moves with every entry that adds or
/// removes a private signer: a change of how one appears (either way), a withdrawal, a
/// moderator's hide and its undo. It always equals the private published signers.
#[tokio::test]
async fn the_withheld_count_follows_every_change_of_a_private_signer() {
    let app = spawn_app().await;
    let id = app.open_letter("quiet").await;
    let ada = app
        .sign_and_confirm("quiet", "Ada Privett", "ada@example.org", "private")
        .await;
    let bram = app
        .sign_and_confirm("quiet", "Bram Hushwood", "bram@example.org", "private")
        .await;
    let cleo = app
        .sign_and_confirm("quiet", "Cleo Plainfield", "cleo@example.org", "public")
        .await;
    let two = Some("And 2 organisations whose names are withheld.".to_owned());
    let one = Some("And 1 organisation whose name is withheld.".to_owned());
    assert_eq!(withheld_line(&app, "quiet").await, two);

    let appear = |link: &str, display: &'static str| {
        let link = format!("{link}/display");
        let app = &app;
        async move {
            let changed = app
                .post_with(&client(), &link, &[("display", display)])
                .await;
            assert_eq!(changed.status, 303, "{}", changed.body);
        }
    };
    appear(&ada, "public").await;
    assert_eq!(withheld_line(&app, "quiet").await, one, "named now");
    appear(&cleo, "private").await;
    assert_eq!(withheld_line(&app, "quiet").await, two, "withheld now");
    appear(&cleo, "initials").await;
    assert_eq!(withheld_line(&app, "quiet").await, one);
    appear(&cleo, "private").await;
    let withdrawn = app
        .post_with(&client(), &format!("{bram}/withdraw"), &[])
        .await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    assert_eq!(withheld_line(&app, "quiet").await, one, "withdrawn");
    assert_eq!(app.total("quiet").await, 2);

    // A moderator hides Cleo (withheld), then undoes it.
    crate::log::hide_signer(&app, id, "Cleo Plainfield").await;
    assert_eq!(withheld_line(&app, "quiet").await, None, "nobody withheld");
    crate::log::undo_first_hide(&app, id).await;
    assert_eq!(withheld_line(&app, "quiet").await, one, "withheld again");

    // The kept count is what the signatures say.
    let db = app.db().await;
    let (kept, counted): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT CAST(SUM(withheld) AS BIGINT) FROM letter_counts),
                (SELECT COUNT(*) FROM signatures
                 WHERE state = 'published' AND display_level = 'private')",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    db.close().await;
    assert_eq!((kept, counted), (1, 1));
    app.stop().await;
}
