//! When things go wrong around the application: a locked database, too many requests, an
//! SMTP server that refuses, a restart. Always a clear answer, never a 500 or a half-write,
//! and never a lost signature or email.

use std::time::Duration;

use sqlx::Row;

use undersigned_server::{clock::Clock, format::now};
use undersigned_store::sealed::Field;
use undersigned_testkit::{eventually, process::copy_instance_key};

use crate::helpers::*;

/// Holds the database's write locks on a connection of the test's own until released:
/// SQLite's single write lock, or on PostgreSQL an EXCLUSIVE lock (reads go on, writes wait)
/// on every table the tests write to.
struct WriteLock(sqlx::pool::PoolConnection<sqlx::Any>, sqlx::AnyPool);

impl WriteLock {
    async fn take(app: &TestApp) -> Self {
        let pool = app.db().await;
        let mut conn = pool.acquire().await.unwrap();
        let statements: &[&'static str] = match undersigned_testkit::backend() {
            undersigned_testkit::Backend::Sqlite => &[
                "BEGIN IMMEDIATE",
                // A write, so that the lock is certainly held by a transaction that changed pages.
                "UPDATE letters SET updated_at = updated_at",
            ],
            undersigned_testkit::Backend::Postgres => &[
                "BEGIN",
                "LOCK TABLE letters, letter_targets, letter_categories, signatures, \
                 confirmation_tokens, letter_counts, outbox, sessions, audit_events \
                 IN EXCLUSIVE MODE",
            ],
        };
        for statement in statements {
            sqlx::query(*statement).execute(&mut *conn).await.unwrap();
        }
        Self(conn, pool)
    }

    async fn release(mut self) {
        sqlx::query("ROLLBACK").execute(&mut *self.0).await.unwrap();
        drop(self.0);
        self.1.close().await;
    }
}

#[track_caller]
fn assert_busy(page: &Page) {
    assert_eq!(page.status, 503, "{}", page.body);
    let retry: u64 = page.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "Retry-After: {retry}");
    assert!(page.body.contains("try again"));
}

#[tokio::test]
async fn a_locked_database_gives_503_with_retry_after_and_no_half_write() {
    let app = TestApp::init()
        .with_settings(|s| s.sqlite_busy_timeout_ms = 200)
        .spawn()
        .await;
    let id = app.open_letter("locked-db").await;
    let categories = app.categories("locked-db").await;
    let form = [
        ("name", "Barnaby Patience"),
        ("email", "barnaby@example.org"),
        ("category", categories[0].as_str()),
        ("display", "public"),
    ];

    let lock = WriteLock::take(&app).await;
    let page = app.sign("locked-db", &form).await;
    assert_busy(&page);
    // Organiser writes too are 503, not 500.
    assert_busy(&app.close(&app.client, id).await);
    let fields = letter_fields("while-locked");
    assert_busy(&app.post_letter(&app.client, &as_form(&fields)).await);
    assert_busy(&app.log_in(&client(), OWNER_EMAIL, OWNER_PASSWORD).await);
    // Reading still works.
    assert_eq!(app.get("/l/locked-db").await.status, 200);
    lock.release().await;

    // Nothing of the refused requests was written.
    assert_eq!(app.total("locked-db").await, 0);
    let list = app.get(&format!("/admin/letters/{id}/signatures")).await;
    assert!(list.body.contains("No signatures"));
    let admin = app.get(&format!("/admin/letters/{id}")).await;
    assert!(admin.body.contains("state-open"));
    assert_eq!(app.letter_count(&app.client).await, 1, "no letter created");

    // The same request now works, and sends exactly one email.
    let page = app.sign("locked-db", &form).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let email = app.mail.wait_for_to("barnaby@example.org", 1).await;
    assert_eq!(app.post(&app.confirm_path(&email), &[]).await.status, 200);
    assert_eq!(app.total("locked-db").await, 1);
    app.mail_barrier("locked-db").await;
    assert_eq!(app.mail.to("barnaby@example.org").len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn confirming_while_the_database_is_locked_gives_503_and_the_link_still_works() {
    let app = TestApp::init()
        .with_settings(|s| s.sqlite_busy_timeout_ms = 200)
        .spawn()
        .await;
    app.open_letter("locked-confirm").await;
    let link = app
        .sign_pending(
            "locked-confirm",
            "Constance Waites",
            "constance@example.org",
        )
        .await;

    let lock = WriteLock::take(&app).await;
    assert_eq!(
        app.get(&link).await.status,
        200,
        "opening the link is a read"
    );
    assert_busy(&app.post(&link, &[]).await);
    lock.release().await;

    assert_eq!(app.total("locked-confirm").await, 0);
    let confirmed = app.post(&link, &[]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert_eq!(app.total("locked-confirm").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn signing_is_rate_limited_per_client() {
    let app = TestApp::init()
        .with_settings(|s| s.sign_limit_per_10min = 2)
        .spawn()
        .await;
    let id = app.open_letter("limited").await;
    app.sign_pending("limited", "Rosalind First", "rosalind@example.org")
        .await;
    app.sign_pending("limited", "Rupert Second", "rupert@example.org")
        .await;
    let categories = app.categories("limited").await;
    let page = app
        .sign(
            "limited",
            &[
                ("name", "Rowena Third"),
                ("email", "rowena@example.org"),
                ("category", &categories[0]),
                ("display", "public"),
            ],
        )
        .await;
    assert_eq!(page.status, 429);
    assert!(page.body.contains("Too many attempts"));
    let retry: u64 = page.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&retry), "Retry-After: {retry}");

    // Reading is not limited; nothing was stored or sent for the refused one.
    assert_eq!(app.get("/l/limited").await.status, 200);
    let db = app.db().await;
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(queued, 2, "only the two accepted signers' emails");
    db.close().await;
    let list = app.get(&format!("/admin/letters/{id}/signatures")).await;
    assert!(!list.body.contains("Rowena Third"));
    app.stop().await;
}

#[tokio::test]
async fn logins_are_throttled_after_repeated_failures() {
    let app = TestApp::init()
        .with_settings(|s| s.login_limit_per_15min = 3)
        .spawn()
        .await;
    app.set_up_owner().await;
    let browser = client();
    for _ in 0..3 {
        let page = app
            .log_in(&browser, OWNER_EMAIL, "a wrong guess here")
            .await;
        assert_eq!(page.status, 401);
    }
    let page = app.log_in(&browser, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(page.status, 429, "even the right password is refused now");
    assert!(page.headers.contains_key("retry-after"));
    assert!(
        page.headers
            .get("set-cookie")
            .is_none_or(|c| { !c.to_str().unwrap().starts_with("us_session=") })
    );
    assert_eq!(app.get_with(&browser, "/admin").await.status, 303);

    // The account is throttled from another client too (the attempts were against it).
    let elsewhere = client();
    let page = app.log_in(&elsewhere, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(page.status, 429);
    // The owner's existing session is not affected.
    assert_eq!(app.get("/admin").await.status, 200);
    app.stop().await;
}

#[tokio::test]
async fn a_refused_email_stays_in_the_outbox_and_is_sent_on_retry() {
    let app = TestApp::init()
        .with_clock(Clock::manual(now()))
        .spawn()
        .await;
    app.open_letter("refused").await;
    app.mail.refuse_next(1);
    let page = app
        .sign_as("refused", "Reginald Retry", "reginald@example.org")
        .await;
    assert_eq!(
        page.status, 303,
        "the signer is not told about mail trouble"
    );

    // The worker tried once, was refused, and keeps the email for later.
    let db = app.db().await;
    let row = eventually(
        Duration::from_secs(5),
        "the worker to try to send the email",
        || async {
            let row = sqlx::query(
                "SELECT status, attempts, last_error, next_attempt_at, recipient FROM outbox",
            )
            .fetch_one(&db)
            .await
            .unwrap();
            row.get::<Option<String>, _>("last_error")
                .is_some()
                .then_some(row)
        },
    )
    .await;
    assert_eq!(row.get::<String, _>("status"), "pending");
    assert_eq!(row.get::<i64, _>("attempts"), 1);
    let error: String = row.get("last_error");
    assert!(error.contains("451"), "{error}");
    let retry_in = row.get::<i64, _>("next_attempt_at") - app.clock.now();
    assert_eq!(retry_in, 30, "the first retry is 30 s later");
    // The recipient is kept for the retry, sealed: not in clear in the database.
    let recipient: Vec<u8> = row.get("recipient");
    assert!(
        !recipient
            .windows("reginald@example.org".len())
            .any(|w| w == b"reginald@example.org")
    );
    assert_eq!(
        app.keyring().open(Field::Recipient, &recipient).unwrap(),
        "reginald@example.org"
    );
    assert!(app.mail.to("reginald@example.org").is_empty());

    // A second before then, the worker sends what is due (another signer's email, which
    // shows it went round) and not this one; thirty seconds later it sends it, once.
    app.clock.advance(29);
    app.sign_pending("refused", "Early Ellery", "ellery@example.org")
        .await;
    assert!(app.mail.to("reginald@example.org").is_empty());
    app.clock.advance(1);
    let email = app.mail.wait_for_to("reginald@example.org", 1).await;
    assert_eq!(app.post(&app.confirm_path(&email), &[]).await.status, 200);
    assert_eq!(app.total("refused").await, 1);

    app.mail_barrier("refused").await;
    assert_eq!(app.mail.to("reginald@example.org").len(), 1);
    let sent = sqlx::query("SELECT status, attempts, recipient FROM outbox ORDER BY id LIMIT 1")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(sent.get::<String, _>("status"), "sent");
    assert_eq!(sent.get::<i64, _>("attempts"), 2);
    assert_eq!(
        sent.get::<Option<String>, _>("recipient"),
        None,
        "the address is cleared once sent"
    );
    db.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_restart_keeps_signatures_and_unsent_emails() {
    let app = spawn_app().await;
    app.open_letter("restart").await;
    app.sign_and_confirm("restart", "Durable Dora", "dora@example.org", "public")
        .await;
    // This one's email is refused, and is still waiting when the server stops.
    app.mail.refuse_next(1);
    let categories = app.categories("restart").await;
    let page = app
        .sign(
            "restart",
            &[
                ("name", "Patient Pell"),
                ("email", "pell@example.org"),
                ("category", &categories[0]),
                ("display", "public"),
            ],
        )
        .await;
    assert_eq!(page.status, 303);
    let db = app.db().await;
    eventually(
        Duration::from_secs(5),
        "the email to be refused once before the stop",
        || async {
            // The recipient is sealed: find the row by opening it.
            let rows = sqlx::query("SELECT last_error, recipient FROM outbox")
                .fetch_all(&db)
                .await
                .unwrap();
            let keyring = app.keyring();
            rows.iter()
                .find(|row| {
                    row.get::<Option<Vec<u8>>, _>("recipient")
                        .and_then(|r| keyring.open(Field::Recipient, &r).ok())
                        .as_deref()
                        == Some("pell@example.org")
                })
                .and_then(|row| row.get::<Option<String>, _>("last_error"))
                .map(drop)
        },
    )
    .await;
    // Its retry is due by the time the server is back.
    sqlx::query("UPDATE outbox SET next_attempt_at = 0 WHERE status = 'pending'")
        .execute(&db)
        .await
        .unwrap();
    db.close().await;

    let stopped = app.stop().await;
    let app = stopped.start().await;
    assert_eq!(app.total("restart").await, 1);
    assert!(app.get("/l/restart").await.body.contains("Durable Dora"));
    let email = app.mail.wait_for_to("pell@example.org", 1).await;
    assert_eq!(app.post(&app.confirm_path(&email), &[]).await.status, 200);
    assert_eq!(app.total("restart").await, 2);
    app.stop().await;
}

#[tokio::test]
async fn the_wrong_method_gets_a_page_not_a_blank() {
    let app = spawn_app().await;
    let id = app.open_letter("methods").await;
    for path in [
        format!("/admin/letters/{id}/publish"),
        format!("/admin/letters/{id}/close"),
        "/logout".to_owned(),
    ] {
        let page = app.get(&path).await;
        assert_eq!(page.status, 405, "{path}");
        assert!(page.body.contains("cannot be opened as a page"), "{path}");
        assert!(page.headers.contains_key("allow"), "{path}");
        assert!(page.headers.contains_key("content-security-policy"));
    }
    app.stop().await;
}

#[tokio::test]
async fn a_server_with_another_instance_key_refuses_to_start() {
    let app = spawn_app().await;
    app.open_letter("one-key").await;
    let mut stopped = app.stop().await;
    // The same database, but a data folder with a key of its own (a second process that was
    // not given the first one's keys/instance.key).
    let elsewhere = tempfile::tempdir().unwrap();
    let first = stopped.settings.data_dir.clone();
    stopped.settings.data_dir = elsewhere.path().to_owned();
    if stopped.settings.database_url.is_none() {
        stopped.settings.database_url = Some(format!(
            "sqlite://{}",
            first.join("undersigned.db").display()
        ));
    }
    let refused = undersigned_server::Application::build(stopped.settings.clone()).await;
    let message = match refused {
        Ok(_) => panic!("a second key was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(message.contains("instance key"), "{message}");

    // With the first key copied over, it starts.
    copy_instance_key(&first, elsewhere.path());
    let app = stopped.start().await;
    assert_eq!(app.get("/l/one-key").await.status, 200);
    app.stop().await;
}
