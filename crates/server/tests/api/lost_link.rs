//! "Lost your link?": asking for a new link by address. The page and the database work are
//! the same whether the address signed (published, pending) or not; the right email goes
//! out (a manage link, the first submission's confirmation link again, or nothing); the
//! signature's backoff and the recipient's budget hold requests back as they do signing.
//! All names are fictional.

use undersigned_server::{clock::Clock, format::now};

use crate::helpers::*;

/// What a request leaves in the tables it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Footprint {
    outbox: i64,
    signatures: i64,
    asked: i64,
    manage_tokens: i64,
    confirmation_tokens: i64,
}

async fn footprint(app: &TestApp) -> Footprint {
    let db = app.db().await;
    let count = |sql: &'static str| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    let footprint = Footprint {
        outbox: count("SELECT COUNT(*) FROM outbox").await,
        signatures: count("SELECT COUNT(*) FROM signatures").await,
        asked: count("SELECT CAST(COALESCE(SUM(asked), 0) AS BIGINT) FROM mail_budgets").await,
        manage_tokens: count("SELECT COUNT(*) FROM manage_tokens").await,
        confirmation_tokens: count("SELECT COUNT(*) FROM confirmation_tokens").await,
    };
    db.close().await;
    footprint
}

async fn ask(app: &TestApp, slug: &str, email: &str) -> Page {
    app.post_with(&client(), &format!("/l/{slug}/link"), &[("email", email)])
        .await
}

const ANSWER: &str = "If this address signed";

/// Waits until every email queued so far is sent: signs as a fresh address `n` and waits
/// for its email (the worker sends in queue order).
async fn barrier(app: &TestApp, slug: &str, n: u32) {
    app.sign_pending(slug, "Barry Barrier", &format!("barrier{n}@example.org"))
        .await;
}

#[tokio::test]
async fn every_kind_of_address_gets_the_same_answer_and_the_same_writes_and_the_right_email() {
    let app = TestApp::init()
        .with_clock(Clock::manual(now()))
        .spawn()
        .await;
    app.open_letter("lost").await;
    let first = app
        .sign_and_confirm(
            "lost",
            "Anneliese Brightwater",
            "anneliese@example.org",
            "initials",
        )
        .await;
    let pending = app
        .sign_pending("lost", "Peregrine Pellow", "peregrine@example.org")
        .await;
    let withdrawn = app
        .sign_and_confirm("lost", "Wanda Whitlock", "wanda@example.org", "public")
        .await;
    assert_eq!(
        app.post_with(&client(), &format!("{withdrawn}/withdraw"), &[])
            .await
            .status,
        200
    );
    // Past every signature's backoff.
    app.clock.advance(3600);

    // The letter page and the form page offer it; opening them changes nothing.
    let before = footprint(&app).await;
    let letter = app.get("/l/lost").await;
    assert!(letter.body.contains("id=\"lost-link\""));
    assert!(letter.body.contains("action=\"/l/lost/link\""));
    let form = app.get("/l/lost/link").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("action=\"/l/lost/link\""));
    assert_eq!(footprint(&app).await, before);

    let branches = [
        ("published", "anneliese@example.org", (1, 0)),
        ("pending", "peregrine@example.org", (0, 1)),
        ("withdrawn", "wanda@example.org", (0, 0)),
        ("never signed", "nobody@example.org", (0, 0)),
        (
            "published, as typed otherwise",
            "ANNELIESE@example.org",
            (0, 0),
        ),
    ];
    let mut answers = Vec::new();
    for (what, email, (manage, confirm)) in branches {
        let before = footprint(&app).await;
        let page = ask(&app, "lost", email).await;
        assert_eq!(page.status, 200, "{what}: {}", page.body);
        assert!(page.body.contains(ANSWER), "{what}: {}", page.body);
        assert!(
            !page.body.contains(email),
            "{what}: the page does not echo the address"
        );
        answers.push(page.body);
        let after = footprint(&app).await;
        // The same writes whatever the branch: one outbox row (the email, or the record
        // that none went), one request counted in the budget, no signature.
        assert_eq!(
            (
                after.outbox - before.outbox,
                after.asked - before.asked,
                after.signatures - before.signatures
            ),
            (1, 1, 0),
            "{what}"
        );
        // The link is stored only when one goes out (the second request for Anneliese is
        // within her backoff).
        assert_eq!(
            (
                after.manage_tokens - before.manage_tokens,
                after.confirmation_tokens - before.confirmation_tokens
            ),
            (manage, confirm),
            "{what}"
        );
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "the same page every time"
    );

    app.mail_barrier("lost").await;
    // Anneliese: a manage link, new, which opens her manage page.
    let mail = app.mail.to("anneliese@example.org");
    assert_eq!(mail.len(), 2, "the confirmation, then one manage link");
    assert!(
        mail[1].subject().starts_with("Manage your signature"),
        "{}",
        mail[1].subject()
    );
    assert!(mail[1].html().contains("Manage my signature"));
    let manage = app.confirm_path(&mail[1]);
    assert_ne!(manage, first);
    let page = app.get(&manage).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Manage your signature"));
    assert!(page.body.contains("A. B."), "{}", page.body);
    assert_eq!(app.get(&format!("{manage}/receipt")).await.status, 200);
    // It changes how she appears like the first link does.
    let changed = app
        .post_with(
            &client(),
            &format!("{manage}/display"),
            &[("display", "private")],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    assert_eq!(app.total("lost").await, 1);
    assert!(!app.get("/l/lost").await.body.contains("A. B."));
    // The database holds the link's hash, never the link.
    let db = app.db().await;
    let hashes: Vec<Vec<u8>> = sqlx::query_scalar("SELECT token_hash FROM manage_tokens")
        .fetch_all(&db)
        .await
        .unwrap();
    db.close().await;
    assert_eq!(hashes.len(), 1);
    assert_eq!(hashes[0].len(), 32);
    let token = manage.trim_start_matches("/confirm/");
    assert_ne!(hashes[0], token.as_bytes());

    // Peregrine: the link for the submission he made, again; it confirms it.
    let mail = app.mail.to("peregrine@example.org");
    assert_eq!(mail.len(), 2);
    assert!(mail[1].subject().starts_with("Confirm your signature"));
    let again = app.confirm_path(&mail[1]);
    assert_ne!(again, pending);
    let page = app.get(&again).await;
    assert!(page.body.contains("Peregrine Pellow"), "{}", page.body);
    assert_eq!(app.post_with(&client(), &again, &[]).await.status, 200);
    assert_eq!(app.total("lost").await, 2);

    // Nothing for a withdrawn signer or an address that never signed.
    assert_eq!(
        app.mail.to("wanda@example.org").len(),
        1,
        "her confirmation only"
    );
    assert!(app.mail.to("nobody@example.org").is_empty());
    app.stop().await;
}

#[tokio::test]
async fn requests_are_held_back_by_the_signatures_backoff_and_the_recipients_budget() {
    let app = TestApp::init()
        .with_clock(Clock::manual(now()))
        .with_settings(|s| s.emails_per_recipient_per_day = 3)
        .spawn()
        .await;
    app.open_letter("often").await;
    app.sign_and_confirm("often", "Theodora Quist", "theodora@example.org", "public")
        .await;
    let subjects = |app: &TestApp| -> Vec<String> {
        app.mail
            .to("theodora@example.org")
            .iter()
            .map(Captured::subject)
            .collect()
    };

    // Within two minutes of the confirmation email: nothing.
    for _ in 0..5 {
        assert!(
            ask(&app, "often", "theodora@example.org")
                .await
                .body
                .contains(ANSWER)
        );
    }
    barrier(&app, "often", 1).await;
    assert_eq!(subjects(&app).len(), 1);
    // After the backoff: one link, then the backoff grows (10 minutes after the second).
    app.clock.advance(121);
    for _ in 0..5 {
        assert!(
            ask(&app, "often", "theodora@example.org")
                .await
                .body
                .contains(ANSWER)
        );
    }
    app.clock.advance(599);
    ask(&app, "often", "theodora@example.org").await;
    barrier(&app, "often", 2).await;
    assert_eq!(subjects(&app).len(), 2, "{:?}", subjects(&app));
    app.clock.advance(1);
    ask(&app, "often", "theodora@example.org").await;
    barrier(&app, "often", 3).await;
    assert_eq!(subjects(&app).len(), 3, "{:?}", subjects(&app));
    // The recipient's budget (3 a day) is spent, whatever the backoff says.
    app.clock.advance(6 * 3600);
    ask(&app, "often", "theodora@example.org").await;
    barrier(&app, "often", 4).await;
    let got = subjects(&app);
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        got[1..]
            .iter()
            .all(|s| s.starts_with("Manage your signature"))
    );
    app.stop().await;
}

/// A manage link asked for again works `manage_link_days` after it was sent.
#[tokio::test]
async fn a_new_manage_link_expires_like_the_first() {
    let app = TestApp::init()
        .with_clock(Clock::manual(now()))
        .with_settings(|s| s.manage_link_days = 2)
        .spawn()
        .await;
    app.open_letter("renewed").await;
    let first = app
        .sign_and_confirm(
            "renewed",
            "Isadora Fenwick",
            "isadora@example.org",
            "public",
        )
        .await;
    app.clock.advance(2 * 86_400);
    let expired = app.get(&first).await;
    assert_eq!(expired.status, 410);
    // The expired page leads to the form.
    assert!(expired.body.contains("/l/renewed#lost-link"));
    assert!(
        ask(&app, "renewed", "isadora@example.org")
            .await
            .body
            .contains(ANSWER)
    );
    let mail = app.mail.wait_for_to("isadora@example.org", 2).await;
    let renewed = app.confirm_path(&mail);
    assert_eq!(app.get(&renewed).await.status, 200);
    assert_eq!(
        app.get(&first).await.status,
        410,
        "the old one stays expired"
    );
    app.clock.advance(2 * 86_400 - 1);
    assert_eq!(app.get(&renewed).await.status, 200);
    app.clock.advance(1);
    assert_eq!(app.get(&renewed).await.status, 410);
    assert_eq!(app.get(&format!("{renewed}/receipt")).await.status, 410);
    app.stop().await;
}

#[tokio::test]
async fn bad_requests_get_clear_answers_and_change_nothing() {
    let app = spawn_app().await;
    app.open_letter("careful").await;
    app.sign_and_confirm("careful", "Lucasta Brede", "lucasta@example.org", "public")
        .await;
    let before = footprint(&app).await;

    for (input, says) in [
        (
            "not an address",
            "Enter an email address like name@example.org.",
        ),
        ("", "Enter your email address."),
        ("lucasta@", "Enter an email address like name@example.org."),
    ] {
        let page = ask(&app, "careful", input).await;
        assert_eq!(page.status, 422, "{input:?}: {}", page.body);
        assert_eq!(
            field_error(&page.body, "email").as_deref(),
            Some(says),
            "{input:?}"
        );
    }
    let missing = app
        .post_with(&client(), "/l/careful/link", &[("name", "x")])
        .await;
    assert_eq!(missing.status, 422);

    // Unknown letters.
    assert_eq!(
        ask(&app, "no-such-letter", "lucasta@example.org")
            .await
            .status,
        404
    );
    assert_eq!(app.get("/l/no-such-letter/link").await.status, 404);

    // Another site's form, a body that is not a form, and one too large.
    for origin in ["https://evil.example", "null"] {
        let page = app
            .send(
                client()
                    .post(app.url("/l/careful/link"))
                    .header("origin", origin)
                    .form(&[("email", "lucasta@example.org")]),
            )
            .await;
        assert_eq!(page.status, 403, "{origin}");
    }
    let json = app
        .send(
            client()
                .post(app.url("/l/careful/link"))
                .header("origin", &app.address)
                .header("content-type", "application/json")
                .body(r#"{"email":"lucasta@example.org"}"#),
        )
        .await;
    assert_eq!(json.status, 415);
    let huge = "x".repeat(64 * 1024);
    let large = app
        .post_with(
            &client(),
            "/l/careful/link",
            &[("email", "lucasta@example.org"), ("pad", &huge)],
        )
        .await;
    assert_eq!(large.status, 413);
    for _ in 0..3 {
        assert_eq!(app.get("/l/careful/link").await.status, 200);
    }

    assert_eq!(footprint(&app).await, before, "nothing was written");
    app.mail_barrier("careful").await;
    assert_eq!(app.mail.to("lucasta@example.org").len(), 1);
    app.stop().await;
}

/// On a letter that no longer takes signatures a pending signature cannot be confirmed, so
/// it is sent nothing; a published one still gets its manage link. The answer is the same.
#[tokio::test]
async fn after_the_letter_closes_only_published_signers_get_a_link() {
    let app = TestApp::init()
        .with_clock(Clock::manual(now()))
        .spawn()
        .await;
    let id = app.open_letter("closing").await;
    app.sign_and_confirm(
        "closing",
        "Rosalind Marchetti",
        "rosalind@example.org",
        "public",
    )
    .await;
    app.sign_pending("closing", "Casimir Lowe", "casimir@example.org")
        .await;
    assert_eq!(app.close(&app.client, id).await.status, 303);
    app.clock.advance(3600);
    let published = ask(&app, "closing", "rosalind@example.org").await;
    let pending = ask(&app, "closing", "casimir@example.org").await;
    assert_eq!(published.status, 200);
    assert_eq!(published.body, pending.body);
    let mail = app.mail.wait_for_to("rosalind@example.org", 2).await;
    assert!(mail.subject().starts_with("Manage your signature"));
    assert_eq!(app.get(&app.confirm_path(&mail)).await.status, 200);
    // The outbox records the withheld one, without a recipient, once the mail worker has
    // gone past it as it goes past an email it sends.
    let withheld = undersigned_testkit::eventually(
        std::time::Duration::from_secs(10),
        "the withheld email on record",
        || async {
            let db = app.db().await;
            let rows: Vec<(String, Option<String>)> = sqlx::query_as(
                "SELECT last_error, recipient FROM outbox WHERE status = 'failed' ORDER BY id",
            )
            .fetch_all(&db)
            .await
            .unwrap();
            db.close().await;
            (!rows.is_empty()).then_some(rows)
        },
    )
    .await;
    assert_eq!(withheld, vec![("no_signature".to_owned(), None)]);
    assert_eq!(
        app.mail.to("casimir@example.org").len(),
        1,
        "his first link only"
    );
    app.stop().await;
}
