//! The mail path cannot be abused and says nothing: `+tag` variants of one mailbox share one
//! budget across every letter, a flood of sign-ups to one domain is refused, and every
//! branch of signing (new, repeat, throttled, over budget) answers alike and writes alike.

use undersigned_server::{clock::Clock, format::now};

use crate::helpers::*;

/// Signs `slug` publicly in its first category as `name` with `email`; returns the page.
async fn sign_with(app: &TestApp, slug: &str, name: &str, email: &str) -> Page {
    let categories = app.categories(slug).await;
    let form = [
        ("name", name),
        ("email", email),
        ("category", categories[0].as_str()),
        ("display", "public"),
    ];
    app.sign(slug, &form).await
}

/// The emails received so far by any address at `domain`.
fn mail_to_domain(app: &TestApp, domain: &str) -> usize {
    let suffix = format!("@{domain}");
    app.mail
        .all()
        .iter()
        .filter(|m| {
            m.to.iter()
                .any(|t| t.to_ascii_lowercase().ends_with(&suffix))
        })
        .count()
}

/// Asserts that `page` is the answer every accepted sign-up gets.
fn assert_check_email(page: &Page, slug: &str, what: &str) {
    assert_eq!(page.status, 303, "{what}: {}", page.body);
    assert_eq!(
        page.location.as_deref(),
        Some(format!("/l/{slug}/check-email").as_str()),
        "{what}"
    );
}

#[tokio::test]
async fn plus_tag_variants_on_a_custom_domain_get_at_most_the_budget_on_one_letter() {
    let app = TestApp::init()
        .with_clock(Clock::manual(now()))
        .with_settings(|s| s.emails_per_recipient_per_day = 3)
        .spawn()
        .await;
    app.open_letter("bombed").await;
    for i in 0..12 {
        let email = format!("victim+{i}@shelter.example");
        let page = sign_with(&app, "bombed", "Bomb Sender", &email).await;
        assert_check_email(&page, "bombed", &email);
    }
    app.mail_barrier("bombed").await;
    assert_eq!(
        mail_to_domain(&app, "shelter.example"),
        3,
        "one mailbox, whatever its +tags, gets the budget and no more"
    );

    // A day later the budget is there again: a variant whose email was withheld can sign
    // again and gets its link.
    app.clock.advance(86_400 + 1);
    let page = sign_with(&app, "bombed", "Bomb Sender", "victim+11@shelter.example").await;
    assert_check_email(&page, "bombed", "a day later");
    let link = app
        .mail
        .wait_for_to("victim+11@shelter.example", 1)
        .await
        .confirm_path();
    assert!(link.is_some(), "a confirmation link");
    app.mail_barrier("bombed").await;
    assert_eq!(mail_to_domain(&app, "shelter.example"), 4);
    app.stop().await;
}

#[tokio::test]
async fn plus_tag_variants_across_several_letters_share_one_budget() {
    let app = TestApp::init()
        .with_settings(|s| s.emails_per_recipient_per_day = 3)
        .spawn()
        .await;
    let letters = ["first-bombed", "second-bombed", "third-bombed"];
    for slug in letters {
        app.open_letter(slug).await;
    }
    for slug in letters {
        for email in [
            "Target@Harbour.example".to_owned(),
            format!("target+{slug}@harbour.example"),
            format!("target+{slug}-again@harbour.example"),
        ] {
            let page = sign_with(&app, slug, "Bomb Sender", &email).await;
            assert_check_email(&page, slug, &email);
        }
    }
    app.mail_barrier("first-bombed").await;
    assert_eq!(mail_to_domain(&app, "harbour.example"), 3);
    // Other people at the same domain have budgets of their own.
    app.sign_pending(
        "second-bombed",
        "Neighbour Ness",
        "neighbour@harbour.example",
    )
    .await;
    assert_eq!(mail_to_domain(&app, "harbour.example"), 4);
    app.stop().await;
}

/// What a sign-up leaves in the tables it writes: rows of the outbox and of the signatures,
/// and the sign-ups the recipients' budgets have counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Footprint {
    outbox: i64,
    signatures: i64,
    asked: i64,
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
    };
    db.close().await;
    footprint
}

#[tokio::test]
async fn every_branch_of_signing_answers_alike_and_writes_alike() {
    let app = TestApp::init()
        .with_clock(Clock::manual(now()))
        .with_settings(|s| s.emails_per_recipient_per_day = 3)
        .spawn()
        .await;
    app.open_letter("alike").await;
    let check_email = app.get("/l/alike/check-email").await;

    // (what, address, is it a new signature, seconds to let pass first)
    let branches = [
        ("new signer", "ada@example.org", true, 0),
        ("repeat, pending, throttled", "ada@example.org", false, 0),
        (
            "repeat, pending, after the backoff",
            "ADA@example.org",
            false,
            180,
        ),
        ("repeat, confirmed", "ada@example.org", false, 900),
        ("repeat, confirmed, throttled", "ada@example.org", false, 0),
        ("new signer, over budget", "ada+later@example.org", true, 0),
        ("repeat, over budget", "ada+later@example.org", false, 900),
    ];
    let mut writes = Vec::new();
    for (what, email, new, wait) in branches {
        app.clock.advance(wait);
        if what == "repeat, confirmed" {
            let link = app.confirm_path(&app.mail.wait_for_to("ada@example.org", 2).await);
            assert_eq!(app.post(&link, &[]).await.status, 200);
        }
        let before = footprint(&app).await;
        let page = sign_with(&app, "alike", "Ada Quillfeather", email).await;
        assert_check_email(&page, "alike", what);
        // The page after the redirect is the same too.
        assert_eq!(app.get("/l/alike/check-email").await.body, check_email.body);
        let after = footprint(&app).await;
        assert_eq!(
            after.signatures - before.signatures,
            i64::from(new),
            "{what}: never a second signature"
        );
        writes.push((
            what,
            after.outbox - before.outbox,
            after.asked - before.asked,
        ));
    }
    // One outbox row (an email, or the record that it was withheld) and one more sign-up
    // counted in the recipient's budget, whatever the branch.
    let outbox: Vec<_> = writes
        .iter()
        .map(|(what, rows, _)| (*what, *rows))
        .collect();
    let expected: Vec<_> = writes.iter().map(|(what, _, _)| (*what, 1)).collect();
    assert_eq!(outbox, expected, "outbox rows written per branch");
    let asked: Vec<_> = writes
        .iter()
        .map(|(what, _, asked)| (*what, *asked))
        .collect();
    assert_eq!(asked, expected, "sign-ups counted per branch");

    app.mail_barrier("alike").await;
    let subjects: Vec<String> = app
        .mail
        .to("ada@example.org")
        .iter()
        .map(Captured::subject)
        .collect();
    assert_eq!(subjects.len(), 3, "{subjects:?}");
    assert!(subjects[0].contains("Confirm your signature"));
    assert!(subjects[1].contains("Confirm your signature"));
    assert!(subjects[2].starts_with("You have already signed"));
    assert!(app.mail.to("ada+later@example.org").is_empty());
    // The withheld emails are on record, without a recipient.
    let db = app.db().await;
    let withheld: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT last_error, recipient FROM outbox WHERE status = 'failed' ORDER BY id",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    db.close().await;
    assert_eq!(
        withheld,
        vec![
            ("throttled".to_owned(), None),
            ("throttled".to_owned(), None),
            ("over_budget".to_owned(), None),
            ("over_budget".to_owned(), None),
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn too_many_sign_ups_to_one_domain_are_refused_until_the_hour_is_over() {
    // Ten minutes into an hour, so that the wait is 50 minutes.
    let start = now().div_euclid(3600) * 3600 + 600;
    let app = TestApp::init()
        .with_clock(Clock::manual(start))
        .with_settings(|s| s.signups_per_domain_per_hour = 3)
        .spawn()
        .await;
    let id = app.open_letter("provider").await;
    app.open_letter("other-letter").await;
    for i in 0..3 {
        let email = format!("member{i}@busy.example");
        let page = sign_with(&app, "provider", &format!("Busy Member{i}"), &email).await;
        assert_check_email(&page, "provider", &email);
    }
    let before = footprint(&app).await;

    let refused = sign_with(&app, "provider", "Late Lindgren", "late@busy.example").await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("Too many sign-ups to addresses at this provider right now"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("try again in 50 minutes"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Your signature was not recorded"));
    assert_eq!(refused.headers["retry-after"].to_str().unwrap(), "3000");
    // A repeat signer at that domain gets the same answer as a new one, on any letter.
    let repeat = sign_with(&app, "provider", "Busy Member0", "member0@busy.example").await;
    assert_eq!(repeat.status, 429);
    let elsewhere = sign_with(&app, "other-letter", "Late Lindgren", "late@busy.example").await;
    assert_eq!(elsewhere.status, 429);
    assert_eq!(
        footprint(&app).await,
        before,
        "nothing stored for a refusal"
    );

    // Other domains are not held back.
    app.sign_pending("provider", "Calm Carrow", "carrow@calm.example")
        .await;
    app.mail_barrier("provider").await;
    assert_eq!(mail_to_domain(&app, "busy.example"), 3);
    let list = app.get(&format!("/admin/letters/{id}/signatures")).await;
    assert!(!list.body.contains("Late Lindgren"));

    // The next hour, the domain may sign up again.
    app.clock.advance(3000);
    let path = app
        .sign_pending("provider", "Late Lindgren", "late@busy.example")
        .await;
    assert_eq!(app.post(&path, &[]).await.status, 200);
    let list = app.get(&format!("/admin/letters/{id}/signatures")).await;
    assert!(list.body.contains("Late Lindgren"));
    app.stop().await;
}

/// Rows of the budgets and of the domain counts.
async fn limit_rows(app: &TestApp) -> Vec<i64> {
    let db = app.db().await;
    let mut counts = Vec::new();
    for count in [
        "SELECT COUNT(*) FROM mail_budgets",
        "SELECT COUNT(*) FROM mail_domain_counts",
        "SELECT COUNT(*) FROM signing_decoys",
    ] {
        counts.push(sqlx::query_scalar(count).fetch_one(&db).await.unwrap());
    }
    db.close().await;
    counts
}

#[tokio::test]
async fn spent_limits_are_forgotten_once_they_limit_nothing() {
    let app = TestApp::init()
        .with_clock(Clock::manual(now()))
        .spawn()
        .await;
    app.open_letter("forgotten").await;
    app.sign_pending("forgotten", "Fleeting Fenn", "fenn+x@example.org")
        .await;
    assert_eq!(limit_rows(&app).await, vec![1, 1, 0]);
    // Signing again stores a stand-in of a first signature's size (a first one has none).
    app.sign(
        "forgotten",
        &[
            ("name", "Fleeting Fenn"),
            ("email", "fenn+x@example.org"),
            ("category", &app.categories("forgotten").await[0]),
            ("display", "public"),
        ],
    )
    .await;
    assert_eq!(limit_rows(&app).await, vec![1, 1, 1]);
    // A day and an hour later the mail worker, on its hourly round, forgets them all: they no
    // longer limit anything, and a budget tells whoever reads it that a mailbox was emailed.
    app.clock.advance(86_400 + 3600);
    undersigned_testkit::eventually(
        std::time::Duration::from_secs(10),
        "the limits forgotten",
        || async { (limit_rows(&app).await == vec![0, 0, 0]).then_some(()) },
    )
    .await;
    app.stop().await;
}
