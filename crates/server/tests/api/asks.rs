//! Asks and responses (issue 11): organisers add, edit, reorder and remove a letter's asks,
//! record each ask's status per target and the targets' responses (with a document), and
//! the public page shows "What we ask" and a timeline, right after each change.

use undersigned_core::Role;

use crate::helpers::*;

const TARGET: &str = "Ines Quarry";

/// The ids of the letter's asks, in their order on the organisers' page.
async fn ask_ids(app: &TestApp, letter: i64) -> Vec<i64> {
    let page = app.get(&format!("/admin/letters/{letter}/asks")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let marker = format!("action=\"/admin/letters/{letter}/asks/");
    page.body
        .match_indices(&marker)
        .filter_map(|(at, _)| {
            let rest = &page.body[at + marker.len()..];
            let (id, tail) = rest.split_once('/')?;
            tail.starts_with("edit\"").then(|| id.parse().unwrap())
        })
        .collect()
}

/// The id of the letter's (first) target, as the forms offer it.
async fn target_id(app: &TestApp, letter: i64) -> String {
    let page = app.get(&format!("/admin/letters/{letter}/asks")).await;
    let at = page
        .body
        .find(&format!("\">{TARGET}"))
        .expect("the target is offered");
    let start = page.body[..at].rfind("value=\"").unwrap() + "value=\"".len();
    page.body[start..at].to_owned()
}

async fn add_ask(app: &TestApp, letter: i64, text: &str, condition: &str) -> Page {
    let csrf = app.organiser_csrf(&app.client).await;
    app.post(
        &format!("/admin/letters/{letter}/asks"),
        &[("csrf", &csrf), ("text", text), ("condition", condition)],
    )
    .await
}

async fn set_status(
    app: &TestApp,
    letter: i64,
    ask: i64,
    target: &str,
    status: &str,
    date: &str,
    note: &str,
) -> Page {
    let csrf = app.organiser_csrf(&app.client).await;
    app.post(
        &format!("/admin/letters/{letter}/asks/{ask}/status"),
        &[
            ("csrf", &csrf),
            ("target", target),
            ("status", status),
            ("date", date),
            ("note", note),
        ],
    )
    .await
}

async fn post_response(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    document: Option<(&str, Vec<u8>)>,
) -> Page {
    let csrf = app.organiser_csrf(&app.client).await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let files: Vec<(&str, &str, Vec<u8>)> = document
        .map(|(name, bytes)| vec![("document", name, bytes)])
        .unwrap_or_default();
    app.post_multipart(&app.client, path, &all, &files).await
}

/// A small PDF, with bytes that are not UTF-8, so that a byte-identical download proves
/// nothing was re-encoded on the way.
fn pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    bytes.extend((0..=255u8).cycle().take(4096));
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

#[tokio::test]
async fn asks_are_added_edited_reordered_and_removed_and_the_public_page_shows_each_change() {
    let app = spawn_app().await;
    let letter = app.open_letter("asks-change").await;
    // The public page is cached from here on: each change must drop it.
    let before = app.get("/l/asks-change").await;
    assert_eq!(before.status, 200);
    assert!(!before.body.contains("What we ask"));

    let page = add_ask(&app, letter, "Open a conduct investigation", "").await;
    assert_eq!(page.status, 303, "{}", page.body);
    let page = add_ask(
        &app,
        letter,
        "Remove the owner from ownership",
        "if it finds misconduct",
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let public = app.get("/l/asks-change").await;
    assert!(public.body.contains("What we ask"), "{}", public.body);
    assert!(public.body.contains("Open a conduct investigation"));
    assert!(public.body.contains("if it finds misconduct"));
    let ids = ask_ids(&app, letter).await;
    assert_eq!(ids.len(), 2);

    // Edit the first.
    let csrf = app.organiser_csrf(&app.client).await;
    let page = app
        .post(
            &format!("/admin/letters/{letter}/asks/{}/edit", ids[0]),
            &[
                ("csrf", &csrf),
                ("text", "Open an independent conduct investigation"),
                ("condition", ""),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let public = app.get("/l/asks-change").await;
    assert!(
        public
            .body
            .contains("Open an independent conduct investigation")
    );

    // Move the second up: it is read first.
    let page = app
        .post(
            &format!("/admin/letters/{letter}/asks/{}/move", ids[1]),
            &[("csrf", &csrf), ("direction", "up")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let public = app.get("/l/asks-change").await;
    let first = public.body.find("Remove the owner").unwrap();
    let second = public.body.find("Open an independent").unwrap();
    assert!(first < second, "the moved ask comes first");
    assert_eq!(ask_ids(&app, letter).await, vec![ids[1], ids[0]]);

    // Remove one.
    let page = app
        .post(
            &format!("/admin/letters/{letter}/asks/{}/remove", ids[1]),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let public = app.get("/l/asks-change").await;
    assert!(!public.body.contains("Remove the owner"));
    assert!(
        public
            .body
            .contains("Open an independent conduct investigation")
    );

    // Every change is in the letter's audit trail.
    let audit = app.get(&format!("/admin/letters/{letter}/audit")).await;
    for action in ["ask.add", "ask.edit", "ask.move", "ask.remove"] {
        assert!(audit.body.contains(action), "{action} in {}", audit.body);
    }
    // The organisers' letter page links to the asks.
    let admin = app.get(&format!("/admin/letters/{letter}")).await;
    assert!(
        admin
            .body
            .contains(&format!("/admin/letters/{letter}/asks"))
    );
}

#[tokio::test]
async fn status_changes_are_kept_and_appear_on_the_timeline_with_their_date() {
    let app = spawn_app().await;
    let letter = app.open_letter("asks-status").await;
    add_ask(&app, letter, "Open a conduct investigation", "").await;
    add_ask(&app, letter, "Suspend the coach", "").await;
    let ids = ask_ids(&app, letter).await;
    let target = target_id(&app, letter).await;
    app.get("/l/asks-status").await;

    let page = set_status(
        &app,
        letter,
        ids[1],
        &target,
        "refused",
        "2026-11-12",
        "In a letter to the coalition",
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let public = app.get("/l/asks-status").await;
    assert!(public.body.contains("Timeline"), "{}", public.body);
    assert!(public.body.contains("12 Nov 2026"));
    assert!(public.body.contains("Ines Quarry refused ask 2"));
    assert!(public.body.contains("In a letter to the coalition"));
    assert!(public.body.contains("status-refused\">refused</span>"));

    // A later change is another entry: both stay, the newest first, and it is the status.
    let page = set_status(&app, letter, ids[1], &target, "met", "2026-11-20", "").await;
    assert_eq!(page.status, 303, "{}", page.body);
    let public = app.get("/l/asks-status").await;
    let met = public.body.find("Ines Quarry met ask 2").expect("met");
    let refused = public.body.find("Ines Quarry refused ask 2").expect("kept");
    assert!(met < refused, "newest first");
    assert!(public.body.contains("20 Nov 2026"));
    assert!(public.body.contains("status-met\">met</span>"));
    assert!(!public.body.contains("status-refused\">refused</span>"));
    // The first ask is still pending.
    assert!(public.body.contains("status-pending\">pending</span>"));

    let audit = app.get(&format!("/admin/letters/{letter}/audit")).await;
    assert!(audit.body.contains("ask.status"));
}

#[tokio::test]
async fn a_response_with_a_pdf_is_served_back_byte_identical_with_safe_headers() {
    let app = spawn_app().await;
    let letter = app.open_letter("asks-response").await;
    let target = target_id(&app, letter).await;
    app.get("/l/asks-response").await;

    let document = pdf();
    let page = post_response(
        &app,
        &format!("/admin/letters/{letter}/responses"),
        &[
            ("target", &target),
            ("date", "2026-11-15"),
            (
                "text",
                "We have **received** your letter. <script>alert(1)</script>",
            ),
        ],
        Some(("reply.pdf", document.clone())),
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);

    let public = app.get("/l/asks-response").await;
    assert!(public.body.contains("Response from <bdi>Ines Quarry</bdi>"));
    assert!(public.body.contains("15 Nov 2026"));
    assert!(public.body.contains("<strong>received</strong>"));
    assert!(
        !public.body.contains("<script>alert(1)"),
        "raw HTML is escaped"
    );
    let marker = "/l/asks-response/responses/";
    let at = public.body.find(marker).expect("the document is linked");
    let end = at + public.body[at..].find('"').unwrap();
    let link = public.body[at..end].to_owned();

    let response = app.client.get(app.url(&link)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes.as_ref(), document.as_slice(), "byte-identical");
    // Logged out, the public still gets it.
    let anyone = client().get(app.url(&link)).send().await.unwrap();
    assert_eq!(anyone.status(), 200);

    // Edit: new text, the document removed.
    let response_id = link.split('/').nth(4).unwrap().to_owned();
    let page = post_response(
        &app,
        &format!("/admin/letters/{letter}/responses/{response_id}/edit"),
        &[
            ("target", &target),
            ("date", "2026-11-16"),
            ("text", "A corrected summary of the reply."),
            ("remove_document", "1"),
        ],
        None,
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let public = app.get("/l/asks-response").await;
    assert!(public.body.contains("A corrected summary of the reply."));
    assert!(public.body.contains("16 Nov 2026"));
    assert!(!public.body.contains(marker));
    assert_eq!(app.get(&link).await.status, 404);

    // Delete.
    let csrf = app.organiser_csrf(&app.client).await;
    let page = app
        .post(
            &format!("/admin/letters/{letter}/responses/{response_id}/delete"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let public = app.get("/l/asks-response").await;
    assert!(!public.body.contains("A corrected summary"));

    let audit = app.get(&format!("/admin/letters/{letter}/audit")).await;
    for action in ["response.add", "response.edit", "response.delete"] {
        assert!(audit.body.contains(action), "{action}");
    }
}

#[tokio::test]
async fn a_document_that_is_not_a_pdf_png_or_jpeg_is_refused_and_an_oversized_one_is_too_large() {
    let app = spawn_app().await;
    let letter = app.open_letter("asks-documents").await;
    let target = target_id(&app, letter).await;
    let path = format!("/admin/letters/{letter}/responses");
    let fields = [
        ("target", target.as_str()),
        ("date", "2026-11-15"),
        ("text", "Our answer."),
    ];

    let html = b"<!doctype html><html><script>alert(document.cookie)</script></html>".to_vec();
    let page = post_response(&app, &path, &fields, Some(("reply.pdf", html))).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert_eq!(
        field_error(&page.body, "document").as_deref(),
        Some("Attach a PDF, PNG or JPEG file: this file is none of these.")
    );
    // What was typed is kept.
    assert!(page.body.contains("Our answer."));

    let mut huge = b"%PDF-1.4\n".to_vec();
    huge.resize(10 * 1024 * 1024 + 1, b'0');
    let page = post_response(&app, &path, &fields, Some(("big.pdf", huge))).await;
    assert_eq!(page.status, 413, "{}", page.body);
    assert!(page.body.contains("10 MB"), "{}", page.body);

    // Nothing was recorded.
    let public = app.get("/l/asks-documents").await;
    assert!(!public.body.contains("Timeline"));
}

#[tokio::test]
async fn bad_input_is_refused_with_a_message_at_the_field() {
    let app = spawn_app().await;
    let letter = app.open_letter("asks-validation").await;
    let target = target_id(&app, letter).await;

    let page = add_ask(&app, letter, "   ", "").await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(field_error(&page.body, "text").is_some(), "{}", page.body);

    let long = "a".repeat(301);
    let page = add_ask(&app, letter, &long, "").await;
    assert_eq!(page.status, 422);
    assert_eq!(
        field_error(&page.body, "text").as_deref(),
        Some("Use at most 300 characters.")
    );
    let page = add_ask(&app, letter, "Fine", "if \u{202E}reversed").await;
    assert_eq!(page.status, 422);
    assert!(field_error(&page.body, "condition").is_some());
    assert!(ask_ids(&app, letter).await.is_empty(), "nothing was added");

    add_ask(&app, letter, "Open a conduct investigation", "").await;
    let ask = ask_ids(&app, letter).await[0];
    for (target, status, date, field) in [
        ("999999", "met", "2026-11-12", "target"),
        ("not-a-number", "met", "2026-11-12", "target"),
        (target.as_str(), "done", "2026-11-12", "status"),
        (target.as_str(), "met", "12/11/2026", "date"),
        (target.as_str(), "met", "2026-02-30", "date"),
        (target.as_str(), "met", "2099-01-01", "date"),
    ] {
        let page = set_status(&app, letter, ask, target, status, date, "").await;
        assert_eq!(page.status, 422, "{field}: {}", page.body);
        assert!(
            field_error(&page.body, field).is_some(),
            "{field}: {}",
            page.body
        );
    }
    let page = post_response(
        &app,
        &format!("/admin/letters/{letter}/responses"),
        &[("target", &target), ("date", "2026-11-12"), ("text", "  ")],
        None,
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(field_error(&page.body, "text").is_some());

    // An ask or response that is not the letter's is not found.
    let csrf = app.organiser_csrf(&app.client).await;
    let page = app
        .post(
            &format!("/admin/letters/{letter}/asks/999999/remove"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 404);
    let page = app
        .post(
            &format!("/admin/letters/{letter}/asks/{ask}/move"),
            &[("csrf", &csrf), ("direction", "sideways")],
        )
        .await;
    assert_eq!(page.status, 400);
    assert_eq!(
        app.get("/l/asks-validation/responses/1/document")
            .await
            .status,
        404
    );

    // Nothing of it reached the timeline.
    let public = app.get("/l/asks-validation").await;
    assert!(!public.body.contains("Timeline"));
}

#[tokio::test]
async fn viewers_and_moderators_are_refused_strangers_find_nothing_and_forms_need_their_token() {
    let app = spawn_app().await;
    let letter = app.open_letter("asks-roles").await;
    add_ask(&app, letter, "Open a conduct investigation", "").await;
    let ask = ask_ids(&app, letter).await[0];
    let workspace = "test-coalition";
    let viewer = app
        .add_organiser("viewer@example.org", "Vera Viewer", workspace, Role::Viewer)
        .await;
    let moderator = app
        .add_organiser("mod@example.org", "Mo Derator", workspace, Role::Moderator)
        .await;
    let stranger = app
        .add_organiser("stranger@example.org", "Stan Ger", "elsewhere", Role::Owner)
        .await;

    for (client, expected) in [(&viewer, 403), (&moderator, 403), (&stranger, 404)] {
        let page = app
            .get_with(client, &format!("/admin/letters/{letter}/asks"))
            .await;
        assert_eq!(page.status, expected, "{}", page.body);
        let csrf = app.organiser_csrf(client).await;
        let page = app
            .post_with(
                client,
                &format!("/admin/letters/{letter}/asks"),
                &[("csrf", &csrf), ("text", "Something else")],
            )
            .await;
        assert_eq!(page.status, expected, "{}", page.body);
        let page = app
            .post_with(
                client,
                &format!("/admin/letters/{letter}/asks/{ask}/remove"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(page.status, expected);
        let page = app
            .post_multipart(
                client,
                &format!("/admin/letters/{letter}/responses"),
                &[("csrf", &csrf), ("text", "x")],
                &[],
            )
            .await;
        assert_eq!(page.status, expected);
    }

    // Without the form's token: refused, nothing changes.
    let page = app
        .post(
            &format!("/admin/letters/{letter}/asks"),
            &[("text", "Forged ask")],
        )
        .await;
    assert_eq!(page.status, 403);
    let page = app
        .post_multipart(
            &app.client,
            &format!("/admin/letters/{letter}/responses"),
            &[("text", "Forged response"), ("date", "2026-11-12")],
            &[],
        )
        .await;
    assert_eq!(page.status, 403);
    let page = app
        .post(
            &format!("/admin/letters/{letter}/asks/{ask}/remove"),
            &[("csrf", "wrong")],
        )
        .await;
    assert_eq!(page.status, 403);
    assert_eq!(ask_ids(&app, letter).await, vec![ask]);
    let public = app.get("/l/asks-roles").await;
    assert!(!public.body.contains("Forged"));
    assert!(!public.body.contains("Something else"));
}

#[tokio::test]
async fn a_drafts_asks_are_not_public_and_statuses_wait_for_publishing() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let letter = app
        .create_letter(&app.client, &as_form(&letter_fields("asks-draft")))
        .await;
    let page = add_ask(&app, letter, "Open a conduct investigation", "").await;
    assert_eq!(
        page.status, 303,
        "asks can be written with the draft: {}",
        page.body
    );
    let ask = ask_ids(&app, letter).await[0];
    // The forms that take a target are not offered before publishing.
    let target: i64 = sqlx::query_scalar("SELECT id FROM letter_targets WHERE letter_id = $1")
        .bind(letter)
        .fetch_one(&app.db().await)
        .await
        .unwrap();
    let target = target.to_string();

    let page = set_status(&app, letter, ask, &target, "met", "2026-11-12", "").await;
    assert_eq!(page.status, 409, "{}", page.body);
    let page = post_response(
        &app,
        &format!("/admin/letters/{letter}/responses"),
        &[
            ("target", &target),
            ("date", "2026-11-12"),
            ("text", "Early"),
        ],
        Some(("reply.pdf", pdf())),
    )
    .await;
    assert_eq!(page.status, 409, "{}", page.body);

    assert_eq!(app.get("/l/asks-draft").await.status, 404);
    let preview = app.get(&format!("/admin/letters/{letter}/preview")).await;
    assert!(!preview.body.contains("What we ask"));

    let page = app.publish(&app.client, letter).await;
    assert_eq!(page.status, 303);
    let public = app.get("/l/asks-draft").await;
    assert!(public.body.contains("What we ask"));
    assert!(public.body.contains("Open a conduct investigation"));
    assert!(!public.body.contains("Early"));
}
