//! Retention: a workspace's owners choose how long signers' personal data is kept after a
//! letter closes; a background job erases it then, keeping the counts and the log.

use std::time::Duration;

use undersigned_core::Role;
use undersigned_server::{clock::Clock, format::now};
use undersigned_testkit::{eventually, html::value_after};

use crate::helpers::*;

const DAY: i64 = 86_400;

/// Where the dashboard's retention form (the first workspace's) posts to.
async fn retention_path(app: &TestApp) -> String {
    let dashboard = app.get("/admin").await;
    assert_eq!(dashboard.status, 200);
    format!(
        "/admin/workspaces/{}",
        value_after(&dashboard.body, "action=\"/admin/workspaces/")
    )
}

/// How many of the letter `id`'s signatures hold the language their signer used.
async fn languages_kept(app: &TestApp, id: i64) -> i64 {
    let db = app.db().await;
    let n = sqlx::query_scalar(
        "SELECT COUNT(*) FROM signatures WHERE letter_id = $1 AND lang IS NOT NULL",
    )
    .bind(id)
    .fetch_one(&db)
    .await
    .unwrap();
    db.close().await;
    n
}

#[tokio::test]
async fn a_closed_letters_personal_data_is_erased_when_the_workspace_retention_runs_out() {
    let clock = Clock::manual(now());
    let app = TestApp::init()
        .with_clock(clock.clone())
        .with_cache_ttl(Duration::ZERO)
        .with_retention_every(Duration::from_millis(50))
        .spawn()
        .await;
    let closing = app.open_letter("kept-thirty-days").await;
    let staying = app.open_letter("still-open").await;
    let receipt_link = app
        .sign_and_confirm(
            "kept-thirty-days",
            "Erwina Publicmark",
            "erwina-mark@example.org",
            "public",
        )
        .await;
    app.sign_and_confirm(
        "kept-thirty-days",
        "Tobiah Privatemark",
        "tobiah-mark@example.org",
        "private",
    )
    .await;
    app.sign_pending(
        "kept-thirty-days",
        "Pendleton Pendmark",
        "pendleton-mark@example.org",
    )
    .await;
    app.sign_and_confirm(
        "still-open",
        "Opaline Openmark",
        "opaline-mark@example.org",
        "public",
    )
    .await;
    let checkpoint = app.get("/l/kept-thirty-days/log/checkpoint").await.body;
    assert_eq!(app.total("kept-thirty-days").await, 2);
    // Each signer's language is kept (sealed), for the emails they get.
    assert_eq!(languages_kept(&app, closing).await, 3);

    // The owner chooses 30 days; what is not a number of days from 1 to 3,650 is refused.
    let path = retention_path(&app).await;
    assert!(path.ends_with("/retention"), "{path}");
    let csrf = app.organiser_csrf(&app.client).await;
    for bad in ["0", "3651", "thirty", "-5", "1.5", "99999999999999999999"] {
        let page = app.post(&path, &[("csrf", &csrf), ("days", bad)]).await;
        assert_eq!(page.status, 400, "{bad}: {}", page.body);
        assert!(
            page.body.contains("a whole number of days from 1 to 3650"),
            "{bad}: {}",
            page.body
        );
    }
    let forged = app.post(&path, &[("csrf", "forged"), ("days", "30")]).await;
    assert_eq!(forged.status, 403);
    let saved = app.post(&path, &[("csrf", &csrf), ("days", "30")]).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let dashboard = app.get("/admin").await.body;
    assert!(
        dashboard.contains("Signers' personal data is erased 30 days after a letter closes"),
        "{dashboard}"
    );
    assert!(
        dashboard.contains("workspace.retention"),
        "in the audit trail"
    );

    // Only owners choose it.
    let workspace = path.split('/').nth(3).unwrap().to_owned();
    let editor = app
        .add_organiser(
            "editor@example.org",
            "Edda Editor",
            &workspace,
            Role::Editor,
        )
        .await;
    let editor_csrf = app.organiser_csrf(&editor).await;
    let refused = app
        .post_with(&editor, &path, &[("csrf", &editor_csrf), ("days", "1")])
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let elsewhere = app
        .post(
            "/admin/workspaces/not-mine/retention",
            &[("csrf", &csrf), ("days", "1")],
        )
        .await;
    assert_eq!(elsewhere.status, 404);

    // The letter closes; 30 days later its signers' personal data goes.
    assert_eq!(app.close(&app.client, closing).await.status, 303);
    clock.advance(30 * DAY + 60);
    // A month on, the owner logs in again.
    let owner = client();
    assert_eq!(
        app.log_in(&owner, OWNER_EMAIL, OWNER_PASSWORD).await.status,
        303
    );
    let csrf = app.organiser_csrf(&owner).await;
    let audit = eventually(Duration::from_secs(10), "the erasure", || async {
        let page = app.get_with(&owner, "/admin").await.body;
        page.contains("letter.erased").then_some(page)
    })
    .await;
    assert!(
        audit.contains("personal data of 2 signatures erased, 30 days after the letter closed"),
        "{audit}"
    );

    let list = app
        .get_with(&owner, &format!("/admin/letters/{closing}/signatures"))
        .await
        .body;
    for marker in ["Publicmark", "Privatemark", "Pendmark", "-mark@example.org"] {
        assert!(
            !list.contains(marker),
            "{marker} is still shown to organisers"
        );
    }
    let page = app.get("/l/kept-thirty-days").await.body;
    assert!(!page.contains("Publicmark"));
    assert!(page.contains("were erased on"), "{page}");
    let signatories: serde_json::Value =
        serde_json::from_str(&app.get("/l/kept-thirty-days/signatories.json").await.body).unwrap();
    assert_eq!(signatories["signatories"], serde_json::json!([]));
    assert_eq!(signatories["erased_at"], serde_json::json!(clock.now()));
    // The languages the signers used go with their addresses.
    assert_eq!(languages_kept(&app, closing).await, 0);
    assert_eq!(languages_kept(&app, staying).await, 1);
    // The counts and the log are untouched.
    assert_eq!(app.total("kept-thirty-days").await, 2);
    assert_eq!(
        app.get("/l/kept-thirty-days/log/checkpoint").await.body,
        checkpoint
    );
    // An auditor still checks the counts against the log, and is told the names were
    // erased rather than that they are missing.
    let report = undersigned_verify::audit::run(
        &format!("{}/l/kept-thirty-days", app.address),
        Some(app.data.path().join("audit-state.json")),
    )
    .await
    .unwrap();
    assert_eq!(report.erased_at, Some(clock.now()));
    assert_eq!(report.counts.total, 2);
    assert!(report.problems.is_empty(), "{:?}", report.problems);

    // The links are gone with the data.
    assert_eq!(
        app.get(&format!("{receipt_link}/receipt")).await.status,
        404
    );

    // An open letter keeps its signers, whatever the retention.
    let open = app
        .get_with(&owner, &format!("/admin/letters/{staying}/signatures"))
        .await
        .body;
    assert!(open.contains("Opaline Openmark"));
    assert!(
        app.get("/l/still-open")
            .await
            .body
            .contains("Opaline Openmark")
    );

    // Clearing the retention keeps data again (and is in the audit trail).
    let cleared = app
        .post_with(&owner, &path, &[("csrf", &csrf), ("days", "")])
        .await;
    assert_eq!(cleared.status, 303);
    assert!(
        app.get_with(&owner, "/admin")
            .await
            .body
            .contains("kept until a letter is deleted")
    );
    app.stop().await;
}
