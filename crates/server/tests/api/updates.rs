//! Updates on published letters: posting them, the page and the Atom feed, the emails to
//! signers who asked for updates (exactly once, even when a fan-out is interrupted), and
//! one-click unsubscribe (RFC 8058).

use std::time::Duration;

use undersigned_core::Role;
use undersigned_server::open_store;
use undersigned_store::{FanoutProgress, LetterId};

use undersigned_testkit::plain_client;

use crate::helpers::*;

const WORKSPACE: &str = "test-coalition";

/// The update emails received so far.
fn update_emails(app: &TestApp) -> Vec<Captured> {
    app.mail
        .all()
        .into_iter()
        .filter(|m| m.subject().starts_with("Update:"))
        .collect()
}

/// The update emails received so far by `address`.
fn update_emails_to(app: &TestApp, address: &str) -> Vec<Captured> {
    app.mail
        .to(address)
        .into_iter()
        .filter(|m| m.subject().starts_with("Update:"))
        .collect()
}

/// Waits until `address` has received `n` update emails.
async fn wait_for_updates(app: &TestApp, address: &str, n: usize) {
    undersigned_testkit::eventually(
        Duration::from_secs(15),
        &format!("{n} updates to {address}"),
        || async { (update_emails_to(app, address).len() >= n).then_some(()) },
    )
    .await;
}

/// Signs with the first category (ticking "Email me updates" when `updates`); returns
/// the emailed confirmation path.
async fn sign_opting(app: &TestApp, slug: &str, name: &str, email: &str, updates: bool) -> String {
    let before = app.mail.to(email).len();
    let categories = app.categories(slug).await;
    let mut form = vec![
        ("name", name),
        ("email", email),
        ("category", categories[0].as_str()),
        ("display", "public"),
    ];
    if updates {
        form.push(("updates", "on"));
    }
    let page = app.sign(slug, &form).await;
    assert_eq!(page.status, 303, "{}", page.body);
    app.confirm_path(&app.mail.wait_for_to(email, before + 1).await)
}

/// Signs and confirms (ticking "Email me updates" when `updates`); returns the
/// confirmation path.
async fn sign_confirmed(
    app: &TestApp,
    slug: &str,
    name: &str,
    email: &str,
    updates: bool,
) -> String {
    let path = sign_opting(app, slug, name, email, updates).await;
    let confirmed = app.post_with(&client(), &path, &[]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    path
}

/// Posts an update as the logged-in `client`.
async fn post_update(
    app: &TestApp,
    client: &reqwest::Client,
    letter: i64,
    title: &str,
    body: &str,
    sources: &str,
) -> Page {
    let csrf = app.organiser_csrf(client).await;
    app.post_with(
        client,
        &format!("/admin/letters/{letter}/updates"),
        &[
            ("csrf", &csrf),
            ("title", title),
            ("body", body),
            ("sources", sources),
        ],
    )
    .await
}

/// The path of the unsubscribe link in an update email (`/u/TOKEN`).
fn unsubscribe_path(message: &Captured) -> String {
    let link = message.link("/u/").expect("an unsubscribe link");
    link[link.find("/u/").unwrap()..].to_owned()
}

#[tokio::test]
async fn opted_in_signers_get_each_update_once_and_can_unsubscribe_in_one_click() {
    let app = spawn_app().await;
    let slug = "updates-once";
    let id = app.open_letter(slug).await;
    // The form offers the box, unticked.
    let page = app.get(&format!("/l/{slug}")).await;
    assert!(page.body.contains("Email me updates about this letter"));
    assert!(!is_checked(&page.body, "updates", "on"));

    sign_confirmed(&app, slug, "Ada Optin", "ada@example.org", true).await;
    sign_confirmed(&app, slug, "Ben Nobox", "ben@example.org", false).await;
    // Pending (never confirmed): no updates.
    sign_opting(&app, slug, "Cy Pending", "cy@example.org", true).await;
    // Confirmed, then withdrawn: withdrawing clears the choice.
    let dee = sign_confirmed(&app, slug, "Dee Gone", "dee@example.org", true).await;
    let withdrawn = app
        .post_with(&client(), &format!("{dee}/withdraw"), &[])
        .await;
    assert!(withdrawn.status.as_u16() < 400, "{}", withdrawn.body);
    // Signed without the box, then again with it (same email): now opted in.
    sign_confirmed(&app, slug, "Eve Later", "eve@example.org", false).await;
    app.forget_email_throttle().await;
    sign_opting_again(&app, slug, "Eve Later", "eve@example.org").await;

    let posted = post_update(
        &app,
        &app.client,
        id,
        "Charges filed",
        "The prosecutor **filed charges** today.",
        "Daily Example | https://news.example.org/charges?id=1&x=2 | 2026-11-30",
    )
    .await;
    assert_eq!(posted.status, 303, "{}", posted.body);

    wait_for_updates(&app, "ada@example.org", 1).await;
    wait_for_updates(&app, "eve@example.org", 1).await;
    app.mail_barrier(slug).await;
    let mut recipients: Vec<String> = update_emails(&app)
        .iter()
        .flat_map(|m| m.to.clone())
        .collect();
    recipients.sort();
    assert_eq!(recipients, ["ada@example.org", "eve@example.org"]);

    // The email: the update, its sources and the letter's link, as text and HTML, and the
    // one-click unsubscribe headers.
    let email = &update_emails_to(&app, "ada@example.org")[0];
    assert!(
        email.subject().contains("Charges filed"),
        "{}",
        email.subject()
    );
    let text = email.text();
    assert!(
        text.contains("The prosecutor **filed charges** today."),
        "{text}"
    );
    assert!(
        text.contains("https://news.example.org/charges?id=1&x=2"),
        "{text}"
    );
    assert!(text.contains(&format!("/l/{slug}")), "{text}");
    let html = email.html();
    assert!(html.contains("<strong>filed charges</strong>"), "{html}");
    assert!(
        html.contains("https://news.example.org/charges?id=1&#38;x=2"),
        "{html}"
    );
    let unsubscribe = unsubscribe_path(email);
    assert_eq!(
        email.header("List-Unsubscribe"),
        format!("<{}{unsubscribe}>", app.address)
    );
    assert_eq!(
        email.header("List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click"
    );
    // The link reveals neither the signature nor the address.
    assert!(!unsubscribe.contains("ada"));
    assert_eq!(unsubscribe.len(), "/u/".len() + 43);

    // The page shows the update, newest first, with its sources; the head links the feed.
    let page = app.get(&format!("/l/{slug}")).await;
    assert!(page.body.contains("Charges filed"));
    assert!(page.body.contains(
        "<a href=\"https://news.example.org/charges?id=1&#38;x=2\" rel=\"noopener nofollow\">"
    ));
    assert!(page.body.contains(&format!(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Updates: Investigate the academy now\" href=\"/l/{slug}/feed.atom\">"
    )));

    // Opening the link changes nothing: it shows a button.
    let shown = app.get_with(&plain_client(), &unsubscribe).await;
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains("Unsubscribe from these updates"));
    let again = app.get_with(&plain_client(), &unsubscribe).await;
    assert!(again.body.contains("Unsubscribe from these updates"));

    // Unknown or malformed tokens: 404.
    let unknown = format!("/u/{}", "A".repeat(43));
    assert_eq!(app.get_with(&plain_client(), &unknown).await.status, 404);
    assert_eq!(app.get_with(&plain_client(), "/u/short").await.status, 404);
    let post_unknown = app
        .send(
            plain_client()
                .post(app.url(&unknown))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("List-Unsubscribe=One-Click"),
        )
        .await;
    assert_eq!(post_unknown.status, 404);

    // One POST, as a mail provider sends it: another origin, no cookie, no form token.
    let one_click = app
        .send(
            plain_client()
                .post(app.url(&unsubscribe))
                .header("origin", "https://mail.example.net")
                .header("sec-fetch-site", "cross-site")
                .header("content-type", "application/x-www-form-urlencoded")
                .body("List-Unsubscribe=One-Click"),
        )
        .await;
    assert_eq!(one_click.status, 200, "{}", one_click.body);
    let after = app.get_with(&plain_client(), &unsubscribe).await;
    assert!(!after.body.contains("Unsubscribe from these updates"));

    // Other POSTs from another site are still refused (the exemption is this route only).
    let forged = app
        .send(
            plain_client()
                .post(app.url(&format!("/l/{slug}/link")))
                .header("origin", "https://mail.example.net")
                .header("content-type", "application/x-www-form-urlencoded")
                .body("email=ada%40example.org"),
        )
        .await;
    assert_eq!(forged.status, 403);

    // The next update reaches Eve, not Ada.
    let posted = post_update(&app, &app.client, id, "Second news", "More news.", "").await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    wait_for_updates(&app, "eve@example.org", 2).await;
    app.forget_email_throttle().await;
    app.sign_pending(slug, "Barry Second", "barrier2@example.org")
        .await;
    assert_eq!(update_emails_to(&app, "ada@example.org").len(), 1);
    assert_eq!(update_emails(&app).len(), 3);

    // Editing an update changes the page and sends nothing again.
    let list = app.get(&format!("/admin/letters/{id}/updates")).await;
    assert_eq!(list.status, 200);
    let first = list
        .body
        .split(&format!("/admin/letters/{id}/updates/"))
        .filter_map(|rest| rest.split('/').next())
        .filter_map(|n| n.parse::<i64>().ok())
        .min()
        .expect("an update to edit");
    let csrf = app.organiser_csrf(&app.client).await;
    let edited = app
        .post(
            &format!("/admin/letters/{id}/updates/{first}/edit"),
            &[
                ("csrf", &csrf),
                ("title", "Charges filed (corrected)"),
                ("body", "The prosecutor filed charges yesterday."),
                ("sources", ""),
            ],
        )
        .await;
    assert_eq!(edited.status, 303, "{}", edited.body);
    assert!(
        app.get(&format!("/l/{slug}"))
            .await
            .body
            .contains("Charges filed (corrected)")
    );
    app.forget_email_throttle().await;
    app.sign_pending(slug, "Barry Third", "barrier3@example.org")
        .await;
    assert_eq!(update_emails(&app).len(), 3);

    // The organisers' export says who asked for updates.
    let csv = app.get(&format!("/admin/letters/{id}/export.csv")).await;
    assert_eq!(csv.status, 200);
    let header = csv.body.lines().next().unwrap();
    assert!(header.ends_with(",updates"), "{header}");
    let row = |name: &str| {
        csv.body
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} in the export"))
            .to_owned()
    };
    assert!(row("Eve Later").ends_with(",yes"));
    assert!(row("Ada Optin").ends_with(",no"));
    assert!(row("Ben Nobox").ends_with(",no"));

    // Every action is in the audit trail.
    let audit = app.get(&format!("/admin/letters/{id}/audit")).await;
    assert!(audit.body.contains("update.post"));
    assert!(audit.body.contains("update.edit"));
}

/// Signs again with the same address and the box ticked (the signer is told they have
/// signed already; their signature now gets updates).
async fn sign_opting_again(app: &TestApp, slug: &str, name: &str, email: &str) {
    let before = app.mail.to(email).len();
    let categories = app.categories(slug).await;
    let page = app
        .sign(
            slug,
            &[
                ("name", name),
                ("email", email),
                ("category", categories[0].as_str()),
                ("display", "public"),
                ("updates", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    app.mail.wait_for_to(email, before + 1).await;
}

#[tokio::test]
async fn an_interrupted_fan_out_still_emails_each_signer_exactly_once() {
    // No fan-out job runs: the test plays a worker that dies after its first batch.
    let app = spawn_without_fan_outs().await;
    let slug = "updates-crash";
    let id = app.open_letter(slug).await;
    let signers: Vec<String> = (1..=5).map(|i| format!("signer{i}@example.org")).collect();
    for (i, email) in signers.iter().enumerate() {
        sign_confirmed(&app, slug, &format!("Signer Number{i}"), email, true).await;
    }
    sign_confirmed(&app, slug, "Quiet Person", "quiet@example.org", false).await;
    let posted = post_update(&app, &app.client, id, "News", "Something happened.", "").await;
    assert_eq!(posted.status, 303, "{}", posted.body);

    // A worker claims the fan-out with a lease that runs out at once, queues one batch of
    // two, and dies.
    let (job, progress) = app.doomed_fan_out_batch().await;
    assert_eq!(job.letter, LetterId(id));
    assert_eq!(progress, FanoutProgress::More(2));
    wait_for_updates(&app, &signers[0], 1).await;
    wait_for_updates(&app, &signers[1], 1).await;

    // The application restarts, now with its fan-out job, which takes the fan-out over.
    let app = app.restart_with_fan_outs().await;
    for email in &signers {
        wait_for_updates(&app, email, 1).await;
    }
    app.forget_email_throttle().await;
    app.mail_barrier(slug).await;
    for email in &signers {
        assert_eq!(update_emails_to(&app, email).len(), 1, "{email}");
    }
    assert_eq!(update_emails(&app).len(), 5);
    assert!(update_emails_to(&app, "quiet@example.org").is_empty());

    // The dead worker's lease is gone: were it to wake up, it would queue nothing.
    app.assert_no_fan_out_left(job.fanout).await;
    let store = open_store(&app.settings).await.unwrap();
    let updates = store.letter_updates(LetterId(id)).await.unwrap();
    assert_eq!(updates.len(), 1);
    assert!(updates[0].fanout_done);
    assert_eq!(updates[0].recipients, 5);
    store.close().await;
}

#[tokio::test]
async fn the_feed_is_atom_with_escaped_entries() {
    let app = spawn_app().await;
    let slug = "updates-feed";
    let id = app.open_letter(slug).await;
    // A letter without updates has an empty feed.
    let empty = app.get(&format!("/l/{slug}/feed.atom")).await;
    assert_eq!(empty.status, 200);
    let doc = roxmltree::Document::parse(&empty.body).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "feed");
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("entry"))
            .count(),
        0
    );

    for (title, body) in [
        (
            "Fish & Chips <b>served</b>",
            "First <script>alert(1)</script> & more.",
        ),
        ("Second update", "Second."),
    ] {
        let posted = post_update(
            &app,
            &app.client,
            id,
            title,
            body,
            "Example Times | https://times.example.org/a?b=1&c=2 | 2026-12-01",
        )
        .await;
        assert_eq!(posted.status, 303, "{}", posted.body);
    }
    let feed = app
        .send(app.client.get(app.url(&format!("/l/{slug}/feed.atom"))))
        .await;
    assert_eq!(feed.status, 200);
    assert!(
        feed.body
            .contains("Fish &amp; Chips &lt;b&gt;served&lt;/b&gt;"),
        "{}",
        feed.body
    );
    assert!(!feed.body.contains("<script>"));
    let response = app
        .client
        .get(app.url(&format!("/l/{slug}/feed.atom")))
        .send()
        .await
        .unwrap();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let doc = roxmltree::Document::parse(&feed.body).unwrap();
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .map(|e| {
            e.children()
                .find(|c| c.has_tag_name("title"))
                .and_then(|t| t.text())
                .unwrap()
        })
        .collect();
    // Newest first; the text as typed once the XML is read.
    assert_eq!(titles, ["Second update", "Fish & Chips <b>served</b>"]);
    let content = doc
        .descendants()
        .filter(|n| n.has_tag_name("content"))
        .nth(1)
        .and_then(|c| c.text())
        .unwrap();
    // The body is sanitised HTML: the script is text, the source a link.
    assert!(content.contains("&lt;script&gt;"), "{content}");
    assert!(
        content.contains("href=\"https://times.example.org/a?b=1&amp;c=2\""),
        "{content}"
    );

    // The page shows the updates newest first and escapes the title.
    let page = app.get(&format!("/l/{slug}")).await;
    let second = page.body.find("Second update").unwrap();
    let first = page
        .body
        .find("Fish &#38; Chips &#60;b&#62;served&#60;/b&#62;")
        .unwrap();
    assert!(second < first);
    // Unknown letters and drafts have no feed.
    assert_eq!(app.get("/l/no-such-letter/feed.atom").await.status, 404);
}

#[tokio::test]
async fn posting_an_update_is_validated_and_needs_an_editor() {
    let app = spawn_app().await;
    let slug = "updates-validate";
    let id = app.open_letter(slug).await;
    let path = format!("/admin/letters/{id}/updates");

    let empty_title = post_update(&app, &app.client, id, "  ", "Body.", "").await;
    assert_eq!(empty_title.status, 422);
    assert!(
        field_error(&empty_title.body, "title").is_some(),
        "{}",
        empty_title.body
    );

    let bad_url = post_update(
        &app,
        &app.client,
        id,
        "Title",
        "Body.",
        "Evil | javascript:alert(1) | 2026-12-01",
    )
    .await;
    assert_eq!(bad_url.status, 422);
    let message = field_error(&bad_url.body, "sources").unwrap();
    assert!(message.contains("https://"), "{message}");

    let bad_date = post_update(
        &app,
        &app.client,
        id,
        "Title",
        "Body.",
        "P | https://p.example | 2026-13-01",
    )
    .await;
    assert_eq!(bad_date.status, 422);
    assert!(
        field_error(&bad_date.body, "sources")
            .unwrap()
            .contains("YYYY-MM-DD")
    );

    let long = "x".repeat(20_001);
    let too_long = post_update(&app, &app.client, id, "Title", &long, "").await;
    assert_eq!(too_long.status, 422);
    assert!(
        field_error(&too_long.body, "body")
            .unwrap()
            .contains("at most")
    );

    let huge = "x".repeat(2 * 1024 * 1024);
    let too_big = post_update(&app, &app.client, id, "Title", &huge, "").await;
    assert_eq!(too_big.status, 413);

    // No CSRF token: refused.
    let forged = app
        .post(
            &path,
            &[("title", "Title"), ("body", "Body."), ("sources", "")],
        )
        .await;
    assert_eq!(forged.status, 403);

    // Viewers and moderators may not post.
    for (email, role) in [
        ("viewer@example.org", Role::Viewer),
        ("moderator@example.org", Role::Moderator),
    ] {
        let client = app
            .add_organiser(email, "Some Member", WORKSPACE, role)
            .await;
        let page = post_update(&app, &client, id, "Title", "Body.", "").await;
        assert_eq!(page.status, 403, "{role:?}");
        assert_eq!(app.get_with(&client, &path).await.status, 403, "{role:?}");
    }
    // Nothing was posted.
    assert!(
        !app.get(&format!("/l/{slug}"))
            .await
            .body
            .contains("id=\"updates\"")
    );

    // A draft takes no updates.
    let fields = letter_fields("updates-draft");
    let draft = app.create_letter(&app.client, &as_form(&fields)).await;
    let refused = post_update(&app, &app.client, draft, "Title", "Body.", "").await;
    assert_eq!(refused.status, 409);
    assert!(
        message_text(&refused.body)
            .unwrap()
            .contains("publish it first")
    );

    // A valid update, then deleted: gone from the page, and audited.
    let posted = post_update(&app, &app.client, id, "Short-lived", "Body.", "").await;
    assert_eq!(posted.status, 303);
    let list = app.get(&path).await;
    let update = list
        .body
        .split(&format!("/admin/letters/{id}/updates/"))
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    let csrf = app.organiser_csrf(&app.client).await;
    let deleted = app
        .post(&format!("{path}/{update}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    assert!(
        !app.get(&format!("/l/{slug}"))
            .await
            .body
            .contains("Short-lived")
    );
    let again = app
        .post(&format!("{path}/{update}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(again.status, 404);
    assert!(
        app.get(&format!("/admin/letters/{id}/audit"))
            .await
            .body
            .contains("update.delete")
    );
}
