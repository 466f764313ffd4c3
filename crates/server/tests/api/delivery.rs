//! Delivery: targets' addresses, delivering now or on a schedule (the SMTP sink receives
//! the PDF, whose text a reader gets is checked), the public record of a delivery, closing
//! dates and the day of grace for confirmations.

use std::time::Duration;

use undersigned_server::clock::Clock;
use undersigned_testkit::pdf::{pdf_pages, pdf_text};

use crate::helpers::*;

const TARGET: &str = "commissioner@league.example";

fn fields(slug: &str) -> Vec<(&'static str, String)> {
    let mut fields = letter_fields(slug);
    for (name, value) in &mut fields {
        if *name == "targets" {
            *value = "Ines Quarry | Commissioner | Example League\nOlaf Board | Chair".to_owned();
        }
        if *name == "categories" {
            *value = "Survivor\nSupporter".to_owned();
        }
    }
    fields
}

/// Sets up the owner and publishes a letter with two targets; returns its id.
async fn open(app: &TestApp, slug: &str) -> i64 {
    app.set_up_owner().await;
    let fields = fields(slug);
    let id = app.create_letter(&app.client, &as_form(&fields)).await;
    let page = app.publish(&app.client, id).await;
    assert_eq!(page.status, 303, "{}", page.body);
    id
}

async fn set_addresses(app: &TestApp, id: i64, first: &str, second: &str) -> Page {
    let csrf = app.organiser_csrf(&app.client).await;
    app.post(
        &format!("/admin/letters/{id}/delivery/addresses"),
        &[("csrf", &csrf), ("address_0", first), ("address_1", second)],
    )
    .await
}

async fn deliver(app: &TestApp, id: i64, form: &[(&str, &str)]) -> Page {
    let csrf = app.organiser_csrf(&app.client).await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(form);
    app.post(&format!("/admin/letters/{id}/deliveries"), &all)
        .await
}

fn app_with_fast_schedule() -> TestAppBuilder {
    TestApp::init()
        .with_schedule_every(Duration::from_millis(100))
        .with_cache_ttl(Duration::ZERO)
}

#[tokio::test]
async fn a_delivery_sends_each_target_the_pdf_and_the_page_says_so() {
    let app = app_with_fast_schedule().spawn().await;
    let id = open(&app, "deliver-now").await;
    app.sign_and_confirm("deliver-now", "Petra Public", "petra@example.org", "public")
        .await;
    app.sign_and_confirm(
        "deliver-now",
        "Ivan Initials",
        "ivan@example.org",
        "initials",
    )
    .await;
    app.sign_and_confirm("deliver-now", "Pia Private", "pia@example.org", "private")
        .await;
    // Text that would be markup in a typesetting language is printed as it was written.
    app.sign_and_confirm("deliver-now", "#panic() [Zed]", "zed@example.org", "public")
        .await;

    // Only the first target has an address.
    let saved = set_addresses(&app, id, TARGET, "").await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = app.get(&format!("/admin/letters/{id}/delivery")).await;
    assert!(page.body.contains(TARGET), "{}", page.body);
    // The address is for the organisers only.
    assert!(!app.get("/l/deliver-now").await.body.contains(TARGET));

    let delivered = deliver(&app, id, &[("when", "now"), ("note", "")]).await;
    assert_eq!(delivered.status, 303, "{}", delivered.body);
    let email = app.mail.wait_for_to(TARGET, 1).await;
    assert_eq!(email.subject(), "RE: An independent investigation");
    assert!(
        email.text().contains("Dear Ines Quarry"),
        "{}",
        email.text()
    );
    assert!(email.text().contains("4 signatures"), "{}", email.text());
    assert!(email.text().contains("/l/deliver-now"), "{}", email.text());
    let (name, pdf) = email.attachment("application/pdf").expect("a PDF attached");
    assert_eq!(name, "deliver-now.pdf");
    let text = pdf_text(&pdf);
    for expected in [
        "Investigate the academy now",
        "RE: An independent investigation",
        "Ines Quarry",
        "Olaf Board",
        "We, the undersigned, ask you today.",
        "Petra Public",
        "I. I.",
        "#panic() [Zed]",
        "4 signatures in all",
        "1 signatory whose name is withheld",
        "undersigned audit",
    ] {
        assert!(text.contains(expected), "{expected:?} in the PDF:\n{text}");
    }
    for hidden in ["Pia Private", "Ivan Initials", "pia@example.org", TARGET] {
        assert!(!text.contains(hidden), "{hidden:?} in the PDF:\n{text}");
    }
    // The checkpoint at delivery: the log's origin and size.
    let checkpoint = app.get("/l/deliver-now/log/checkpoint").await.body;
    let origin = checkpoint.lines().next().unwrap();
    assert!(text.contains(origin), "{origin} in the PDF:\n{text}");
    assert!(text.contains("4 entries"), "{text}");

    // Nobody else got it: the second target had no address.
    assert_eq!(
        app.mail
            .all()
            .iter()
            .filter(|m| m.attachment("application/pdf").is_some())
            .count(),
        1
    );

    // The record: the public page says when and to whom, and serves the same document.
    let letter = app.get("/l/deliver-now").await;
    assert!(
        letter
            .body
            .contains("Delivered to <bdi>Ines Quarry, Commissioner</bdi> on"),
        "{}",
        letter.body
    );
    assert!(letter.body.contains("state-delivered"), "{}", letter.body);
    let at = letter.body.find("/l/deliver-now/deliveries/").unwrap();
    let link = &letter.body[at..at + letter.body[at..].find('"').unwrap()];
    let served = app
        .client
        .get(format!("{}{link}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "application/pdf");
    assert_eq!(served.headers()["x-content-type-options"], "nosniff");
    assert_eq!(served.bytes().await.unwrap().as_ref(), &pdf[..]);

    // The organisers see the Message-ID the target's email carries.
    let admin = app.get(&format!("/admin/letters/{id}/delivery")).await;
    let message_id = email.header("message-id");
    assert!(
        admin
            .body
            .contains(&message_id.replace('<', "&#60;").replace('>', "&#62;")),
        "{message_id} in {}",
        admin.body
    );
    // Delivering closed signing.
    let categories = app.categories("deliver-now").await;
    assert!(
        categories.is_empty(),
        "no signing form on a delivered letter"
    );
    let refused = app
        .sign(
            "deliver-now",
            &[
                ("name", "Late Larry"),
                ("email", "larry@example.org"),
                ("category", "1"),
                ("display", "public"),
            ],
        )
        .await;
    assert_ne!(refused.status, 303, "{}", refused.body);
    // The audit trail has it.
    let audit = app.get(&format!("/admin/letters/{id}/audit")).await;
    assert!(audit.body.contains("letter.delivered"), "{}", audit.body);
    assert!(audit.body.contains("delivery.schedule"), "{}", audit.body);
}

#[tokio::test]
async fn a_scheduled_delivery_waits_for_its_time_and_can_be_cancelled() {
    let clock = Clock::manual(1_796_000_000); // 2026-11-30 00:53 UTC
    let app = app_with_fast_schedule()
        .with_clock(clock.clone())
        .spawn()
        .await;
    let id = open(&app, "deliver-later").await;
    app.sign_and_confirm(
        "deliver-later",
        "Petra Public",
        "petra@example.org",
        "public",
    )
    .await;
    assert_eq!(
        set_addresses(&app, id, TARGET, "chair@board.example")
            .await
            .status,
        303
    );

    let scheduled = deliver(&app, id, &[("when", "later"), ("at", "2026-12-01T09:00")]).await;
    assert_eq!(scheduled.status, 303, "{}", scheduled.body);
    // A second one while the first waits is refused.
    let second = deliver(&app, id, &[("when", "now")]).await;
    assert_eq!(second.status, 409, "{}", second.body);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(app.mail.to(TARGET).is_empty(), "sent before its time");

    // Cancelled, then scheduled again, and the time comes.
    let page = app.get(&format!("/admin/letters/{id}/delivery")).await;
    let at = page.body.find("/deliveries/").unwrap() + "/deliveries/".len();
    let delivery = &page.body[at..at + page.body[at..].find('/').unwrap()];
    let csrf = page.csrf();
    let cancelled = app
        .post(
            &format!("/admin/letters/{id}/deliveries/{delivery}/cancel"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(cancelled.status, 303, "{}", cancelled.body);
    let again = app
        .post(
            &format!("/admin/letters/{id}/deliveries/{delivery}/cancel"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(again.status, 409, "cancelling twice: {}", again.body);
    let unknown = app
        .post(
            &format!("/admin/letters/{id}/deliveries/99999/cancel"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(unknown.status, 404);

    let scheduled = deliver(&app, id, &[("when", "later"), ("at", "2026-12-01T09:00")]).await;
    assert_eq!(scheduled.status, 303, "{}", scheduled.body);
    clock.advance(2 * 86_400);
    let first = app.mail.wait_for_to(TARGET, 1).await;
    let second = app.mail.wait_for_to("chair@board.example", 1).await;
    assert!(first.text().contains("Dear Ines Quarry"));
    assert!(second.text().contains("Dear Olaf Board"));
    assert!(first.attachment("application/pdf").is_some());
    // Exactly once each, however often the job looks.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.mail.to(TARGET).len(), 1);
    assert_eq!(app.mail.to("chair@board.example").len(), 1);
    let letter = app.get("/l/deliver-later").await;
    assert!(
        letter
            .body
            .contains("Ines Quarry, Commissioner and Olaf Board, Chair"),
        "{}",
        letter.body
    );
}

#[tokio::test]
async fn a_closing_date_closes_signing_and_confirmations_get_a_day_of_grace() {
    let clock = Clock::manual(1_796_000_000); // 2026-11-30 00:53 UTC
    let app = app_with_fast_schedule()
        .with_clock(clock.clone())
        .spawn()
        .await;
    let id = open(&app, "closing").await;
    let csrf = app.organiser_csrf(&app.client).await;
    let set = app
        .post(
            &format!("/admin/letters/{id}/delivery/closing"),
            &[("csrf", &csrf), ("closes_at", "2026-12-01T00:00")],
        )
        .await;
    assert_eq!(set.status, 303, "{}", set.body);
    let letter = app.get("/l/closing").await;
    assert!(
        letter
            .body
            .contains("Signing closes on 2026-12-01 00:00 UTC"),
        "{}",
        letter.body
    );

    // Two people sign before the close; neither has confirmed yet.
    let early = app
        .sign_pending("closing", "Erin Early", "erin@example.org")
        .await;
    let late = app
        .sign_pending("closing", "Lars Later", "lars@example.org")
        .await;
    clock.advance(86_400); // past the closing date
    let categories = ["1".to_owned()];
    let refused = app
        .sign(
            "closing",
            &[
                ("name", "Nora Now"),
                ("email", "nora@example.org"),
                ("category", &categories[0]),
                ("display", "public"),
            ],
        )
        .await;
    assert_ne!(
        refused.status, 303,
        "signing after the close: {}",
        refused.body
    );
    assert!(app.mail.to("nora@example.org").is_empty());
    // The job closes the letter.
    undersigned_testkit::eventually(Duration::from_secs(10), "the letter closes", || async {
        app.get("/l/closing")
            .await
            .body
            .contains("state-closed")
            .then_some(())
    })
    .await;

    // Within a day of the close, a signature made before it is confirmed and counted.
    let confirmed = app.post_with(&client(), &early, &[]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    let counts = app.get("/l/closing/counts.json").await;
    assert!(counts.body.contains("\"total\":1"), "{}", counts.body);
    // After the day of grace, it is not.
    clock.advance(86_400);
    let too_late = app.post_with(&client(), &late, &[]).await;
    assert_ne!(too_late.status, 200, "{}", too_late.body);
    let counts = app.get("/l/closing/counts.json").await;
    assert!(counts.body.contains("\"total\":1"), "{}", counts.body);
}

#[tokio::test]
async fn delivery_forms_refuse_bad_input_at_the_field() {
    let clock = Clock::manual(1_796_000_000);
    let app = app_with_fast_schedule()
        .with_clock(clock.clone())
        .spawn()
        .await;
    let id = open(&app, "bad-delivery").await;

    let bad = set_addresses(&app, id, "not an address", "").await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        field_error(&bad.body, "address_0").is_some(),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("aria-invalid=\"true\""), "{}", bad.body);
    // What was typed stays in the field.
    assert!(
        bad.body.contains("value=\"not an address\""),
        "{}",
        bad.body
    );

    for (form, field) in [
        (vec![("when", "later"), ("at", "yesterday")], "at"),
        (vec![("when", "later"), ("at", "2020-01-01T00:00")], "at"),
        (vec![("when", "later"), ("at", "2099-01-01T00:00")], "at"),
        (vec![("when", "whenever")], "when"),
        (vec![("when", "now"), ("note", &"x".repeat(2_001))], "note"),
    ] {
        let page = deliver(&app, id, &form).await;
        assert_eq!(page.status, 422, "{form:?}: {}", page.body);
        assert!(
            field_error(&page.body, field).is_some(),
            "{form:?}: {}",
            page.body
        );
    }
    let csrf = app.organiser_csrf(&app.client).await;
    let closing = app
        .post(
            &format!("/admin/letters/{id}/delivery/closing"),
            &[("csrf", &csrf), ("closes_at", "2026-02-30T10:00")],
        )
        .await;
    assert_eq!(closing.status, 422, "{}", closing.body);
    assert!(field_error(&closing.body, "closes_at").is_some());

    // Without the form's token: refused.
    let forged = app
        .post(
            &format!("/admin/letters/{id}/deliveries"),
            &[("when", "now")],
        )
        .await;
    assert_eq!(forged.status, 403);
    // An oversized form: refused before it is read.
    let huge = "x".repeat(2 * 1024 * 1024);
    let oversized = deliver(&app, id, &[("when", "now"), ("note", &huge)]).await;
    assert_eq!(oversized.status, 413);

    // A draft is not delivered.
    let draft = app
        .create_letter(&app.client, &as_form(&fields("a-draft")))
        .await;
    let page = deliver(&app, draft, &[("when", "now")]).await;
    assert_eq!(page.status, 409, "{}", page.body);
    let preview = app
        .get(&format!("/admin/letters/{draft}/delivery/preview.pdf"))
        .await;
    assert_eq!(preview.status, 409);

    // Nothing was delivered; a document that does not exist is not found.
    assert!(app.mail.to(TARGET).is_empty());
    for path in [
        "/l/bad-delivery/deliveries/1.pdf",
        "/l/bad-delivery/deliveries/x.pdf",
        "/l/bad-delivery/deliveries/1",
        "/l/a-draft/deliveries/1.pdf",
    ] {
        assert_eq!(app.get(path).await.status, 404, "{path}");
    }
}

#[tokio::test]
async fn the_preview_is_the_document_as_it_would_go_now() {
    let app = app_with_fast_schedule().spawn().await;
    let id = open(&app, "preview").await;
    app.sign_and_confirm("preview", "Petra Public", "petra@example.org", "public")
        .await;
    app.sign_and_confirm("preview", "سارة العلي", "sara@example.org", "public")
        .await;
    let response = app
        .client
        .get(format!(
            "{}/admin/letters/{id}/delivery/preview.pdf",
            app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let pdf = response.bytes().await.unwrap();
    let text = pdf_text(&pdf);
    assert!(text.contains("Petra Public"), "{text}");
    // Right-to-left names keep their letters (the reader's order is the logical order).
    assert!(text.contains("سارة") && text.contains("العلي"), "{text}");
    assert!(pdf_pages(&pdf) >= 2, "the letter, then the signatories");
    // Previewing records nothing and sends nothing.
    assert!(
        app.mail
            .all()
            .iter()
            .all(|m| m.attachment("application/pdf").is_none())
    );
    assert!(app.get("/l/preview").await.body.contains("state-open"));
}
