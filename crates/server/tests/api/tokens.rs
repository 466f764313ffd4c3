//! Confirmation links that are used, expired, unknown or junk; links opened but not pressed;
//! letters that closed in between; and addresses that lead nowhere.

use undersigned_server::{clock::Clock, format::now};

use crate::helpers::*;

/// Pressing a used link again is 409 and counts nothing; opening it shows the signature is
/// confirmed (with the receipt and withdrawal links) and changes nothing.
#[tokio::test]
async fn a_used_link_answers_409_and_counts_once() {
    let app = spawn_app().await;
    app.open_letter("used").await;
    let link = app
        .sign_pending("used", "Ulrica Thornbury", "ulrica@example.org")
        .await;
    assert_eq!(app.post(&link, &[]).await.status, 200);
    assert_eq!(app.total("used").await, 1);

    for page in [
        app.post(&link, &[]).await,
        app.post_with(&client(), &link, &[]).await,
    ] {
        assert_eq!(page.status, 409);
        assert!(page.body.contains("already been used"), "{}", page.body);
    }
    let opened = app.get(&link).await;
    assert_eq!(opened.status, 200);
    assert!(
        opened.body.contains("Manage your signature"),
        "{}",
        opened.body
    );
    assert!(opened.body.contains(&format!("{link}/receipt")));
    assert!(opened.body.contains(&format!("{link}/withdraw")));
    assert_eq!(app.total("used").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn pressing_the_button_many_times_at_once_counts_once() {
    let app = spawn_app().await;
    app.open_letter("presses").await;
    let link = app
        .sign_pending("presses", "Prosper Quickclick", "prosper@example.org")
        .await;
    let presses: Vec<_> = (0..6)
        .map(|_| {
            let request = client()
                .post(app.url(&link))
                .header("origin", &app.address)
                .form(&[] as &[(&str, &str)]);
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for press in presses {
        statuses.push(press.await.unwrap());
    }
    statuses.sort_unstable();
    assert_eq!(statuses, vec![200, 409, 409, 409, 409, 409]);
    assert_eq!(app.total("presses").await, 1);
    app.stop().await;
}

/// The link works until its lifetime has passed, to the second, on the app's clock.
#[tokio::test]
async fn an_expired_link_answers_410_and_counts_nothing() {
    let app = TestApp::init()
        .with_clock(Clock::manual(now()))
        .spawn()
        .await;
    app.open_letter("expiring").await;
    let link = app
        .sign_pending("expiring", "Evander Latecomer", "evander@example.org")
        .await;
    let lifetime = app.settings.confirmation_link_seconds as i64;
    app.clock.advance(lifetime - 1);
    assert_eq!(
        app.get(&link).await.status,
        200,
        "a second before it expires"
    );
    app.clock.advance(1);

    let opened = app.get(&link).await;
    assert_eq!(opened.status, 410);
    assert!(opened.body.contains("expired"));
    let pressed = app.post(&link, &[]).await;
    assert_eq!(pressed.status, 410);
    assert!(pressed.body.contains("expired"));
    assert_eq!(app.total("expiring").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn after_a_link_expires_signing_again_sends_one_that_works() {
    let app = TestApp::init()
        .with_clock(Clock::manual(now()))
        .spawn()
        .await;
    app.open_letter("second-chance").await;
    let old = app
        .sign_pending("second-chance", "Sabine Later", "sabine@example.org")
        .await;
    // Eight days pass: the link and the email throttle have both run out.
    app.clock.advance(8 * 86400);
    assert_eq!(app.post(&old, &[]).await.status, 410);

    let new = app
        .sign_pending("second-chance", "Sabine Later", "sabine@example.org")
        .await;
    assert_ne!(new, old);
    assert_eq!(app.get(&new).await.status, 200);
    assert_eq!(app.post(&new, &[]).await.status, 200);
    assert_eq!(app.total("second-chance").await, 1);
    assert_eq!(
        app.post(&old, &[]).await.status,
        409,
        "spent with the signature"
    );
    app.stop().await;
}

#[tokio::test]
async fn unknown_and_junk_links_are_404() {
    let app = spawn_app().await;
    app.open_letter("junk").await;
    let real = app
        .sign_pending("junk", "Jocasta Fairweather", "jocasta@example.org")
        .await;
    let token = real.trim_start_matches("/confirm/");
    let one_off = format!(
        "/confirm/{}{}",
        &token[..42],
        if token.ends_with('A') { 'B' } else { 'A' }
    );
    let long = format!("/confirm/{}", "A".repeat(5000));
    for path in [
        "/confirm/abc",
        "/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        one_off.as_str(),
        &format!("{real}A"),
        &format!("/confirm/{}", &token[..42]),
        "/confirm/%00%01",
        "/confirm/..%2F..%2Fetc",
        long.as_str(),
    ] {
        for page in [app.get(path).await, app.post(path, &[]).await] {
            assert_eq!(page.status, 404, "{path}");
            assert!(page.body.contains("not valid"), "{path}");
        }
    }
    assert_eq!(app.total("junk").await, 0);
    // The real link was not disturbed.
    assert_eq!(app.post(&real, &[]).await.status, 200);
    app.stop().await;
}

#[tokio::test]
async fn opening_the_link_never_changes_anything() {
    let app = spawn_app().await;
    let id = app.open_letter("just-looking").await;
    let link = app
        .sign_pending("just-looking", "Lysander Peek", "lysander@example.org")
        .await;

    // A mail scanner fetches the link, more than once, with and without HEAD.
    for _ in 0..3 {
        let page = app.get_with(&client(), &link).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Confirm my signature"));
    }
    let head = client().head(app.url(&link)).send().await.unwrap();
    assert_eq!(head.status(), 200);

    assert_eq!(app.total("just-looking").await, 0);
    let list = app.get(&format!("/admin/letters/{id}/signatures")).await;
    // The row's state (the page's filters name every state).
    assert!(list.body.contains("state-pending"));
    assert!(!list.body.contains("state-published"));
    let public = app.get("/l/just-looking").await;
    assert!(!public.body.contains("Lysander Peek"));

    // The button still works afterwards.
    assert_eq!(app.post(&link, &[]).await.status, 200);
    assert_eq!(app.total("just-looking").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn confirming_a_day_after_the_letter_closed_is_409_and_not_counted() {
    let clock = Clock::manual(now());
    let app = TestApp::init().with_clock(clock.clone()).spawn().await;
    let id = app.open_letter("closing").await;
    let link = app
        .sign_pending("closing", "Clement Tardy", "clement@example.org")
        .await;
    let second = app
        .sign_pending("closing", "Colette Tardy", "colette@example.org")
        .await;
    assert_eq!(app.close(&app.client, id).await.status, 303);

    // Signed before the close: confirmed within the day of grace that follows it.
    assert_eq!(app.post(&second, &[]).await.status, 200);
    assert_eq!(app.total("closing").await, 1);

    clock.advance(86_400 + 60);
    let opened = app.get(&link).await;
    assert_eq!(opened.status, 409);
    assert!(opened.body.contains("no longer taking signatures"));
    let pressed = app.post(&link, &[]).await;
    assert_eq!(pressed.status, 409);
    assert!(pressed.body.contains("not counted"));
    assert_eq!(app.total("closing").await, 1);
    let public = app.get("/l/closing").await;
    assert_eq!(public.status, 200);
    assert!(!public.body.contains("Clement Tardy"));
    app.stop().await;
}

#[tokio::test]
async fn signing_a_closed_letter_is_409_and_sends_nothing() {
    let app = spawn_app().await;
    let id = app.open_letter("shut").await;
    app.open_letter("still-open").await;
    let categories = app.categories("shut").await;
    assert_eq!(app.close(&app.client, id).await.status, 303);

    let public = app.get("/l/shut").await;
    assert!(public.body.contains("not taking signatures"));
    assert!(!public.body.contains("action=\"/l/shut/sign"), "no form");
    let page = app
        .sign(
            "shut",
            &[
                ("name", "Tobias Toolate"),
                ("email", "tobias@example.org"),
                ("category", &categories[0]),
                ("display", "public"),
            ],
        )
        .await;
    assert_eq!(page.status, 409);
    assert!(page.body.contains("not taking signatures"));
    assert_eq!(app.total("shut").await, 0);

    app.mail_barrier("still-open").await;
    assert!(app.mail.to("tobias@example.org").is_empty());
    // Closing twice is refused, not an error.
    let again = app.close(&app.client, id).await;
    assert_eq!(again.status, 409);
    assert_eq!(
        message_text(&again.body).as_deref(),
        Some(
            "The letter is closed, which does not allow this. Published letters cannot be \
             edited; a draft can be published once, and an open letter closed once."
        )
    );
    app.stop().await;
}

#[tokio::test]
async fn drafts_and_unknown_addresses_are_404_pages() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    app.create_letter(&app.client, &as_form(&letter_fields("still-draft")))
        .await;

    let sign = app
        .sign(
            "still-draft",
            &[
                ("name", "Drusilla Early"),
                ("email", "drusilla@example.org"),
                ("category", "1"),
                ("display", "public"),
            ],
        )
        .await;
    assert_eq!(sign.status, 404);
    assert!(sign.body.contains("Page not found"));

    for path in [
        "/l/still-draft",
        "/l/still-draft/counts.json",
        "/l/still-draft/check-email",
        "/l/no-such-letter",
        "/l/no-such-letter/counts.json",
        "/l/no-such-letter/check-email",
        "/l/NOT_A_SLUG",
        "/l/NOT_A_SLUG/sign",
        "/l/%F0%9F%92%A5",
        "/nowhere",
        "/admin/nowhere",
        "/static/nothing.js",
    ] {
        let page = app.get_with(&client(), path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(page.body.contains("Page not found"), "{path}");
        let content_type = page.headers["content-type"].to_str().unwrap();
        assert!(content_type.starts_with("text/html"), "{path}");
    }
    let page = app
        .post_with(&client(), "/l/no-such-letter/sign", &[("name", "x")])
        .await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("Page not found"));

    // Organiser addresses with ids that are not letters.
    for path in [
        "/admin/letters/999999",
        "/admin/letters/abc",
        "/admin/letters/-1",
        "/admin/letters/99999999999999999999999",
        "/admin/letters/999999/edit",
        "/admin/letters/999999/preview",
        "/admin/letters/999999/signatures",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(page.body.contains("Page not found"), "{path}");
    }
    let csrf = app.organiser_csrf(&app.client).await;
    let page = app
        .post("/admin/letters/999999/publish", &[("csrf", &csrf)])
        .await;
    assert_eq!(page.status, 404);
    app.stop().await;
}
