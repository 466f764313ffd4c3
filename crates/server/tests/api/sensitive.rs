//! Sensitive letters: private and initials signatures are published together at batch
//! boundaries, in an order drawn at random, with the boundary as their time, so that an
//! observer polling the log cannot tie a confirmation to an entry.

use std::time::Duration;

use undersigned_core::letter::BatchMinutes;
use undersigned_server::{clock::Clock, format::now};
use undersigned_testkit::eventually;
use undersigned_verify::entry::{LogEntry, minute};

use crate::{helpers::*, log::read_log};

const SLUG: &str = "held-batches";

/// Signs with the letter's first category as `display`; returns the confirmation page.
async fn sign_and_confirm_page(app: &TestApp, name: &str, email: &str, display: &str) -> Page {
    let path = app.sign_pending_as(SLUG, name, email, display).await;
    let page = app.post(&path, &[]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page
}

#[tokio::test]
async fn a_sensitive_letter_publishes_private_and_initials_signatures_together_at_its_boundary() {
    let ten = BatchMinutes::new(10).unwrap();
    // A minute into a batch.
    let start = ten.boundary(now()) + 60;
    let clock = Clock::manual(start);
    let app = TestApp::init()
        .with_clock(clock.clone())
        .with_cache_ttl(Duration::ZERO)
        .with_batches_every(Duration::from_millis(50))
        .spawn()
        .await;
    app.set_up_owner().await;

    // The editor refuses what is not a number of minutes from 1 to 1440.
    let mut fields = letter_fields(SLUG);
    for bad in ["0", "1441", "ten", "-1"] {
        let mut form = as_form(&fields);
        form.push(("batch_minutes", bad));
        let page = app.post_letter(&app.client, &form).await;
        assert_eq!(page.status, 422, "{bad}: {}", page.body);
        assert!(
            page.body
                .contains("a whole number of minutes from 1 to 1440"),
            "{bad}"
        );
    }
    fields.push(("batch_minutes", "10".to_owned()));
    let id = app.create_letter(&app.client, &as_form(&fields)).await;
    let editor = app.get(&format!("/admin/letters/{id}/edit")).await;
    assert!(
        editor
            .body
            .contains("name=\"batch_minutes\" inputmode=\"numeric\" size=\"5\" value=\"10\"")
    );
    assert_eq!(app.publish(&app.client, id).await.status, 303);
    let page = app.get(&format!("/l/{SLUG}")).await;
    assert!(page.body.contains("counted together every 10 minutes"));

    // A public signature is counted at once.
    let public = sign_and_confirm_page(&app, "Pella Openshaw", "pella@example.org", "public").await;
    assert!(
        public.body.contains("is confirmed and counted"),
        "{}",
        public.body
    );
    assert_eq!(app.total(SLUG).await, 1);

    // Private and initials ones wait for the boundary, and their signers are told when.
    let publish_at = ten.published_at(start);
    let when = undersigned_server::format::date_time(publish_at);
    let private_link = app
        .sign_pending_as(SLUG, "Prue Hollowell", "prue@example.org", "private")
        .await;
    let held = app.post(&private_link, &[]).await;
    assert_eq!(held.status, 200);
    assert!(
        held.body.contains("Yours will be counted at"),
        "{}",
        held.body
    );
    assert!(held.body.contains(&when), "{}", held.body);
    let initials = sign_and_confirm_page(&app, "Ilse Marrow", "ilse@example.org", "initials").await;
    assert!(initials.body.contains(&when));
    // The link says the same later, changes nothing, and there is no receipt yet.
    let again = app.get(&private_link).await;
    assert_eq!(again.status, 200);
    assert!(again.body.contains("Already confirmed") && again.body.contains(&when));
    assert_eq!(
        app.get(&format!("{private_link}/receipt")).await.status,
        404
    );
    assert_eq!(app.post(&private_link, &[]).await.status, 409, "used");

    // Nothing of them is public before the boundary: not the counts, not the log.
    assert_eq!(app.total(SLUG).await, 1);
    assert_eq!(read_log(&app, SLUG).await.entries.len(), 1);
    assert!(!app.get(&format!("/l/{SLUG}")).await.body.contains("I. M."));

    // The boundary passes: both are published together, with its time.
    clock.advance(publish_at - start);
    eventually(Duration::from_secs(10), "the batch", || async {
        (app.total(SLUG).await == 3).then_some(())
    })
    .await;
    let log = read_log(&app, SLUG).await;
    let entries = log.decoded();
    assert_eq!(entries.len(), 3);
    let times: Vec<String> = entries[1..]
        .iter()
        .map(|e| match e {
            LogEntry::Add(add) => add.time.to_string(),
            _ => panic!("only adds"),
        })
        .collect();
    // Public entries keep their confirmation time; the batch has the boundary's minute.
    assert_eq!(times, vec![minute(ten.boundary(publish_at)); 2]);
    assert!(app.get(&format!("/l/{SLUG}")).await.body.contains("I. M."));
    // The receipt is there now, for the held signer too.
    assert_eq!(
        app.get(&format!("{private_link}/receipt")).await.status,
        200
    );

    // The counts stay right across batches: nothing is published twice.
    clock.advance(10 * 60);
    let confirmed =
        sign_and_confirm_page(&app, "Ines Velloway", "ines@example.org", "private").await;
    assert!(confirmed.body.contains("Yours will be counted at"));
    assert_eq!(app.total(SLUG).await, 3);
    clock.advance(10 * 60);
    eventually(Duration::from_secs(10), "the second batch", || async {
        (app.total(SLUG).await == 4).then_some(())
    })
    .await;
    assert_eq!(read_log(&app, SLUG).await.entries.len(), 4);
    app.stop().await;
}
