//! Moderation: letters that hold signatures for review, the queue and its filters, approve,
//! hide (after a confirmation page) and its undo, reject with a reason, bulk actions with a
//! preview, the letter's audit trail, and who may do what. The counts and the log follow
//! every action, and an outside auditor's check passes afterwards.

use std::time::Duration;

use undersigned_core::Role;
use undersigned_server::{clock::Clock, format::now};
use undersigned_verify::entry::{LogEntry, RemovalReason};

use crate::{
    helpers::*,
    log::{first_hide_link, openings, read_log},
};

/// Opens a letter `slug` whose signatures wait for review; returns its id.
async fn open_review_letter(app: &TestApp, slug: &str) -> i64 {
    if app.get("/admin").await.status != 200 {
        app.set_up_owner().await;
    }
    let mut fields = letter_fields(slug);
    fields.push(("moderation", "review".to_owned()));
    let id = app.create_letter(&app.client, &as_form(&fields)).await;
    let page = app.publish(&app.client, id).await;
    assert_eq!(page.status, 303, "{}", page.body);
    id
}

/// The ids of the signatures whose row on `body` offers `action` (`approve`, `undo`,
/// `hide`, `reject`), in the page's order (newest first).
fn ids_offering(body: &str, action: &str) -> Vec<i64> {
    let marker = format!("/{action}\"");
    body.match_indices(&marker)
        .filter_map(|(i, _)| {
            let before = &body[..i];
            let start = before.rfind("/signatures/")? + "/signatures/".len();
            before[start..].parse().ok()
        })
        .collect()
}

/// An outside auditor's check of the letter (what `undersigned audit` runs).
async fn audit_passes(app: &TestApp, slug: &str, total: u64) {
    let report = undersigned_verify::audit::run(
        &format!("{}/l/{slug}", app.address),
        Some(app.data.path().join(format!("audit-{slug}.json"))),
    )
    .await
    .unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.counts.total, total);
}

#[tokio::test]
async fn a_letter_that_holds_signatures_counts_one_only_once_a_moderator_approves_it() {
    let app = spawn_app().await;
    let id = open_review_letter(&app, "reviewed").await;
    let link = app
        .sign_and_confirm(
            "reviewed",
            "Halden Waitwell",
            "halden@example.org",
            "public",
        )
        .await;
    // The signer is told it awaits review; nothing is counted or logged yet.
    let again = app.get(&link).await;
    assert_eq!(again.status, 200);
    assert!(again.body.contains("awaits their review"), "{}", again.body);
    assert_eq!(app.total("reviewed").await, 0);
    assert_eq!(read_log(&app, "reviewed").await.checkpoint.size, 0);
    assert!(
        !app.get("/l/reviewed")
            .await
            .body
            .contains("Halden Waitwell")
    );

    // The queue, filtered on held signatures, shows it with its Approve button.
    let queue = app
        .get(&format!("/admin/letters/{id}/signatures?state=held"))
        .await;
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains("Halden Waitwell"));
    let held = ids_offering(&queue.body, "approve");
    assert_eq!(held.len(), 1);
    let published = app
        .get(&format!("/admin/letters/{id}/signatures?state=published"))
        .await;
    assert!(!published.body.contains("Halden Waitwell"));

    let approve = format!("/admin/letters/{id}/signatures/{}/approve", held[0]);
    let done = app.post(&approve, &[("csrf", &queue.csrf())]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(app.total("reviewed").await, 1);
    let log = read_log(&app, "reviewed").await;
    assert_eq!(log.checkpoint.size, 1);
    assert!(matches!(log.decoded()[0], LogEntry::Add(_)));
    assert!(
        app.get("/l/reviewed")
            .await
            .body
            .contains("Halden Waitwell")
    );
    // Approving twice is refused, and says why.
    let twice = app.post(&approve, &[("csrf", &queue.csrf())]).await;
    assert_eq!(twice.status, 409);
    assert!(
        twice
            .body
            .contains("Only a held signature can be approved."),
        "{}",
        twice.body
    );
    audit_passes(&app, "reviewed", 1).await;
    app.stop().await;
}

#[tokio::test]
async fn hiding_asks_first_then_removes_and_an_undo_adds_a_new_entry() {
    let app = spawn_app().await;
    let id = app.open_letter("reconsidered").await;
    app.sign_and_confirm(
        "reconsidered",
        "Keeler Stayput",
        "keeler@example.org",
        "public",
    )
    .await;
    app.sign_and_confirm(
        "reconsidered",
        "Orla Hideaway",
        "orla@example.org",
        "public",
    )
    .await;
    let queue = app.get(&format!("/admin/letters/{id}/signatures")).await;
    let hide = first_hide_link(&queue.body);

    // Opening the Hide link only asks, and says what will happen.
    let ask = app.get(&hide).await;
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("Orla Hideaway"));
    assert!(ask.body.contains("removal entry"));
    assert!(ask.body.contains("You can undo this for 7 days"));
    assert_eq!(app.total("reconsidered").await, 2);

    let hidden = app.post(&hide, &[("csrf", &ask.csrf())]).await;
    assert_eq!(hidden.status, 303, "{}", hidden.body);
    assert_eq!(app.total("reconsidered").await, 1);
    let log = read_log(&app, "reconsidered").await;
    assert_eq!(log.checkpoint.size, 3);
    match &log.decoded()[2] {
        LogEntry::Remove(r) => {
            assert_eq!(r.removes, 1);
            assert_eq!(r.reason, RemovalReason::Hidden);
        }
        other => panic!("a remove entry: {other:?}"),
    }
    assert!(
        !app.get("/l/reconsidered")
            .await
            .body
            .contains("Orla Hideaway")
    );
    let (_, served) = openings(&app, "reconsidered", "0").await;
    let indexes: Vec<u64> = served.unwrap().openings.iter().map(|o| o.index).collect();
    assert_eq!(indexes, [0], "the hidden signer's opening is gone at once");
    audit_passes(&app, "reconsidered", 1).await;

    // Undo: a new add entry, with a fresh opening; the log only grows.
    let queue = app.get(&format!("/admin/letters/{id}/signatures")).await;
    assert!(queue.body.contains("Undo until"));
    let undo = ids_offering(&queue.body, "undo");
    assert_eq!(undo.len(), 1);
    let undo = format!("/admin/letters/{id}/signatures/{}/undo", undo[0]);
    let restored = app.post(&undo, &[("csrf", &queue.csrf())]).await;
    assert_eq!(restored.status, 303, "{}", restored.body);
    assert_eq!(app.total("reconsidered").await, 2);
    let log = read_log(&app, "reconsidered").await;
    assert_eq!(log.checkpoint.size, 4);
    assert!(matches!(log.decoded()[3], LogEntry::Add(_)));
    let (_, served) = openings(&app, "reconsidered", "0").await;
    let indexes: Vec<u64> = served.unwrap().openings.iter().map(|o| o.index).collect();
    assert_eq!(indexes, [0, 3]);
    assert!(
        app.get("/l/reconsidered")
            .await
            .body
            .contains("Orla Hideaway")
    );
    // Undoing twice is refused.
    let twice = app.post(&undo, &[("csrf", &queue.csrf())]).await;
    assert_eq!(twice.status, 409);
    audit_passes(&app, "reconsidered", 2).await;

    // The letter's audit trail has both, by whom.
    let trail = app.get(&format!("/admin/letters/{id}/audit")).await;
    assert_eq!(trail.status, 200);
    assert!(trail.body.contains("signature.hide"));
    assert!(trail.body.contains("signature.undo"));
    assert!(trail.body.contains("letter.open"));
    app.stop().await;
}

#[tokio::test]
async fn an_undo_after_its_window_is_refused_with_a_message() {
    let clock = Clock::manual(now());
    // Two days to undo (the organiser's session outlives them).
    let app = TestApp::init()
        .with_clock(clock.clone())
        .with_settings(|s| s.hide_undo_days = 2)
        .with_retention_every(Duration::from_millis(50))
        .spawn()
        .await;
    let id = app.open_letter("too-late").await;
    app.sign_and_confirm("too-late", "Tardy Tamsin", "tamsin@example.org", "public")
        .await;
    let queue = app.get(&format!("/admin/letters/{id}/signatures")).await;
    let hide = first_hide_link(&queue.body);
    let ask = app.get(&hide).await;
    assert_eq!(app.post(&hide, &[("csrf", &ask.csrf())]).await.status, 303);
    let signature = hide.rsplit('/').nth(1).unwrap().to_owned();

    // Three days later the window is over: the job erases the text, and undo is refused.
    clock.advance(3 * 86_400);
    undersigned_testkit::eventually(Duration::from_secs(10), "the hide made final", || async {
        let queue = app.get(&format!("/admin/letters/{id}/signatures")).await;
        (queue.body.contains("Final: the undo window ended")
            && !queue.body.contains("Tardy Tamsin"))
        .then_some(())
    })
    .await;
    let queue = app.get(&format!("/admin/letters/{id}/signatures")).await;
    assert!(!queue.body.contains("Tardy Tamsin"), "the text is erased");
    assert!(ids_offering(&queue.body, "undo").is_empty());
    let undo = format!("/admin/letters/{id}/signatures/{signature}/undo");
    let refused = app.post(&undo, &[("csrf", &queue.csrf())]).await;
    assert_eq!(refused.status, 409);
    assert!(
        refused.body.contains("can no longer be undone"),
        "{}",
        refused.body
    );
    assert_eq!(app.total("too-late").await, 0);
    audit_passes(&app, "too-late", 0).await;
    app.stop().await;
}

#[tokio::test]
async fn a_rejection_needs_a_reason_which_the_organisers_see() {
    let app = spawn_app().await;
    let id = open_review_letter(&app, "screened").await;
    app.sign_and_confirm("screened", "Spammy Spamwell", "spam@example.org", "public")
        .await;
    let queue = app.get(&format!("/admin/letters/{id}/signatures")).await;
    let signature = ids_offering(&queue.body, "approve")[0];
    let reject = format!("/admin/letters/{id}/signatures/{signature}/reject");
    let ask = app.get(&reject).await;
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("Reason (required)"));

    for blank in ["", "   "] {
        let refused = app
            .post(&reject, &[("csrf", &ask.csrf()), ("reason", blank)])
            .await;
        assert_eq!(refused.status, 422, "{blank:?}");
        assert!(refused.body.contains("Give a reason for rejecting"));
    }
    let too_long = "x".repeat(501);
    let refused = app
        .post(&reject, &[("csrf", &ask.csrf()), ("reason", &too_long)])
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("at most 500 characters"));
    // Without the form's token: refused, nothing changes.
    let forged = app.post(&reject, &[("reason", "Looks automated")]).await;
    assert_eq!(forged.status, 403);

    let done = app
        .post(
            &reject,
            &[
                ("csrf", &ask.csrf()),
                ("reason", "Automated sign-up <b>bot</b>"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let queue = app
        .get(&format!("/admin/letters/{id}/signatures?state=rejected"))
        .await;
    assert!(
        queue.body.contains("Reason: <bdi>Automated sign-up"),
        "{}",
        queue.body
    );
    assert!(!queue.body.contains("<b>bot</b>"), "escaped");
    assert!(
        !queue.body.contains("Spammy Spamwell"),
        "the text is erased"
    );
    let trail = app.get(&format!("/admin/letters/{id}/audit")).await;
    assert!(trail.body.contains("signature.reject"));
    assert!(trail.body.contains("Automated sign-up"));
    assert_eq!(app.total("screened").await, 0);
    assert_eq!(read_log(&app, "screened").await.checkpoint.size, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_bulk_approval_previews_the_count_it_then_applies() {
    let app = spawn_app().await;
    let id = open_review_letter(&app, "many").await;
    for i in 0..5 {
        app.sign_and_confirm(
            "many",
            &format!("Bulkton Signer{i}"),
            &format!("bulk{i}@example.org"),
            "public",
        )
        .await;
    }
    let queue = app.get(&format!("/admin/letters/{id}/signatures")).await;
    let csrf = queue.csrf();
    let bulk = format!("/admin/letters/{id}/signatures/bulk");

    // Ticked: two of them.
    let held = ids_offering(&queue.body, "approve");
    assert_eq!(held.len(), 5);
    let ticked = [format!("sig_{}", held[0]), format!("sig_{}", held[1])];
    let preview = app
        .post(
            &bulk,
            &[
                ("csrf", &csrf),
                ("action", "approve"),
                (&ticked[0], "on"),
                (&ticked[1], "on"),
            ],
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(preview.body.contains("This will approve 2 signatures."));
    assert_eq!(app.total("many").await, 0, "a preview changes nothing");
    let applied = app
        .post(
            &format!("{bulk}/apply"),
            &[
                ("csrf", &csrf),
                ("action", "approve"),
                (&ticked[0], "on"),
                (&ticked[1], "on"),
            ],
        )
        .await;
    assert_eq!(applied.status, 303, "{}", applied.body);
    assert_eq!(app.total("many").await, 2);

    // By the filters: every held one that matches (a search by name, then all of them).
    let preview = app
        .post(
            &bulk,
            &[("csrf", &csrf), ("action", "approve"), ("q", "signer0")],
        )
        .await;
    assert!(
        preview.body.contains("This will approve 1 signature."),
        "{}",
        preview.body
    );
    // The newest two are published already: a search for one of them approves none.
    let preview = app
        .post(
            &bulk,
            &[("csrf", &csrf), ("action", "approve"), ("q", "signer4")],
        )
        .await;
    assert!(preview.body.contains("This will approve 0 signatures."));
    let preview = app
        .post(
            &bulk,
            &[("csrf", &csrf), ("action", "approve"), ("state", "held")],
        )
        .await;
    assert!(
        preview.body.contains("This will approve 3 signatures."),
        "{}",
        preview.body
    );
    let applied = app
        .post(
            &format!("{bulk}/apply"),
            &[("csrf", &csrf), ("action", "approve"), ("state", "held")],
        )
        .await;
    assert_eq!(applied.status, 303);
    assert!(applied.location.unwrap().contains("n=3"));
    assert_eq!(app.total("many").await, 5);
    assert_eq!(read_log(&app, "many").await.checkpoint.size, 5);

    // A bulk rejection needs its reason; unknown actions are refused.
    let refused = app
        .post(
            &format!("{bulk}/apply"),
            &[("csrf", &csrf), ("action", "reject")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Give a reason"));
    // A bulk hide of everything published, previewed then applied, with one event per
    // signature and a summary in the trail.
    let preview = app
        .post(&bulk, &[("csrf", &csrf), ("action", "hide")])
        .await;
    assert!(preview.body.contains("This will hide 5 signatures."));
    let applied = app
        .post(
            &format!("{bulk}/apply"),
            &[("csrf", &csrf), ("action", "hide")],
        )
        .await;
    assert_eq!(applied.status, 303);
    assert_eq!(app.total("many").await, 0);
    assert_eq!(read_log(&app, "many").await.checkpoint.size, 10);
    let trail = app.get(&format!("/admin/letters/{id}/audit")).await;
    assert_eq!(trail.body.matches("(bulk action)").count(), 10);
    assert!(trail.body.contains("signature.bulk_hide"));
    audit_passes(&app, "many", 0).await;

    let unknown = app
        .post(&bulk, &[("csrf", &csrf), ("action", "delete")])
        .await;
    assert_eq!(unknown.status, 400);
    let forged = app.post(&bulk, &[("action", "approve")]).await;
    assert_eq!(forged.status, 403);
    let bad_tick = app
        .post(
            &bulk,
            &[("csrf", &csrf), ("action", "hide"), ("sig_x1", "on")],
        )
        .await;
    assert_eq!(bad_tick.status, 400);
    app.stop().await;
}

#[tokio::test]
async fn the_queue_filters_and_searches_and_refuses_what_it_cannot_read() {
    let app = spawn_app().await;
    let id = app.open_letter("sifted").await;
    app.sign_and_confirm(
        "sifted",
        "Findable Fenwick",
        "fenwick@example.org",
        "public",
    )
    .await;
    app.sign_and_confirm("sifted", "Other Osgood", "osgood@example.org", "private")
        .await;
    app.sign_pending("sifted", "Pending Pell", "pell@example.org")
        .await;
    let path = |query: &str| format!("/admin/letters/{id}/signatures?{query}");

    let by_name = app.get(&path("q=FENWICK")).await;
    assert_eq!(by_name.status, 200);
    assert!(by_name.body.contains("Findable Fenwick"));
    assert!(!by_name.body.contains("Other Osgood"));
    let by_email = app.get(&path("q=osgood%40example.org")).await;
    assert!(by_email.body.contains("Other Osgood"));
    assert!(!by_email.body.contains("Findable Fenwick"));
    let pending = app.get(&path("state=pending")).await;
    assert!(pending.body.contains("Pending Pell"));
    assert!(!pending.body.contains("Findable Fenwick"));
    let organisations = app.get(&path("kind=organisation")).await;
    assert!(
        organisations
            .body
            .contains("No signatures match these filters")
    );
    let future = app.get(&path("from=2999-01-01")).await;
    assert!(future.body.contains("No signatures match"));
    let past = app.get(&path("from=2000-01-01&to=2999-12-31")).await;
    assert!(past.body.contains("Findable Fenwick") && past.body.contains("Pending Pell"));
    let queue = app.get(&path("")).await;
    let category = radio_or_option(&queue.body);
    let in_category = app.get(&path(&format!("category={category}"))).await;
    assert!(in_category.body.contains("Findable Fenwick"));

    for (bad, status) in [
        ("category=999999", 422),
        ("category=abc", 422),
        ("kind=robot", 422),
        ("state=gone", 422),
        ("verification=maybe", 422),
        ("from=yesterday", 422),
        ("to=2026-02-30", 422),
        ("from=2026-12-05&to=2026-12-01", 422),
        ("after=nonsense", 400),
    ] {
        let page = app.get(&path(bad)).await;
        assert_eq!(page.status, status, "{bad}");
    }
    let bad = app.get(&path("verification=maybe")).await;
    assert!(
        bad.body
            .contains("write verified, domain, organiser or unverified"),
        "{}",
        bad.body
    );
    for bad_id in ["abc", "99999999"] {
        let page = app
            .get(&format!("/admin/letters/{id}/signatures/{bad_id}/hide"))
            .await;
        assert_eq!(page.status, 404, "{bad_id}");
        let page = app
            .post(
                &format!("/admin/letters/{id}/signatures/{bad_id}/approve"),
                &[("csrf", &queue.csrf())],
            )
            .await;
        assert_eq!(page.status, 404, "{bad_id}");
    }
    assert_eq!(app.get("/admin/letters/abc/signatures").await.status, 404);
    assert_eq!(app.get("/admin/letters/abc/audit").await.status, 404);
    app.stop().await;
}

/// The first category option's value in the queue's filter form.
fn radio_or_option(body: &str) -> String {
    let select = &body[body.find("name=\"category\"").unwrap()..];
    let start = select.find("<option value=\"").unwrap();
    let rest = &select[start + 15..];
    // Skip the "Any" option (empty value).
    let rest = &rest[rest.find("<option value=\"").unwrap() + 15..];
    rest[..rest.find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn each_role_does_what_it_may_and_no_more() {
    let app = spawn_app().await;
    let id = open_review_letter(&app, "roles").await;
    app.sign_and_confirm("roles", "Rolfe Rolecheck", "rolfe@example.org", "public")
        .await;
    let queue = app.get(&format!("/admin/letters/{id}/signatures")).await;
    let held = ids_offering(&queue.body, "approve")[0];
    let approve = format!("/admin/letters/{id}/signatures/{held}/approve");
    let viewer = app
        .add_organiser(
            "vi@example.org",
            "Vida Viewer",
            "test-coalition",
            Role::Viewer,
        )
        .await;
    let moderator = app
        .add_organiser(
            "mo@example.org",
            "Modesto Moderator",
            "test-coalition",
            Role::Moderator,
        )
        .await;
    let editor = app
        .add_organiser(
            "ed@example.org",
            "Edda Editor",
            "test-coalition",
            Role::Editor,
        )
        .await;

    // A viewer sees the queue, without buttons, and cannot moderate.
    let seen = app
        .get_with(&viewer, &format!("/admin/letters/{id}/signatures"))
        .await;
    assert_eq!(seen.status, 200);
    assert!(seen.body.contains("Rolfe Rolecheck"));
    assert!(ids_offering(&seen.body, "approve").is_empty());
    let csrf = app.organiser_csrf(&viewer).await;
    for (path, form) in [
        (approve.clone(), vec![("csrf", csrf.as_str())]),
        (
            format!("/admin/letters/{id}/signatures/bulk"),
            vec![("csrf", csrf.as_str()), ("action", "approve")],
        ),
        (
            format!("/admin/letters/{id}/signatures/{held}/reject"),
            vec![("csrf", csrf.as_str()), ("reason", "no")],
        ),
    ] {
        assert_eq!(
            app.post_with(&viewer, &path, &form).await.status,
            403,
            "{path}"
        );
    }
    assert_eq!(
        app.get_with(
            &viewer,
            &format!("/admin/letters/{id}/signatures/{held}/reject")
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.get_with(&viewer, &format!("/admin/letters/{id}/audit"))
            .await
            .status,
        403
    );

    // A moderator moderates, but may neither change the letter's setting nor read its trail.
    let csrf = app.organiser_csrf(&moderator).await;
    let setting = format!("/admin/letters/{id}/moderation");
    assert_eq!(
        app.post_with(
            &moderator,
            &setting,
            &[("csrf", &csrf), ("moderation", "publish")]
        )
        .await
        .status,
        403
    );
    assert_eq!(
        app.get_with(&moderator, &format!("/admin/letters/{id}/audit"))
            .await
            .status,
        403
    );
    assert_eq!(
        app.post_with(&moderator, &approve, &[("csrf", &csrf)])
            .await
            .status,
        303
    );
    assert_eq!(app.total("roles").await, 1);

    // An editor changes the setting (audited) and reads the trail; bad values are refused.
    let csrf = app.organiser_csrf(&editor).await;
    assert_eq!(
        app.post_with(
            &editor,
            &setting,
            &[("csrf", &csrf), ("moderation", "sometimes")]
        )
        .await
        .status,
        400
    );
    assert_eq!(
        app.post_with(&editor, &setting, &[("moderation", "publish")])
            .await
            .status,
        403,
        "without the form's token"
    );
    assert_eq!(
        app.post_with(
            &editor,
            &setting,
            &[("csrf", &csrf), ("moderation", "publish")]
        )
        .await
        .status,
        303
    );
    let letter = app.get_with(&editor, &format!("/admin/letters/{id}")).await;
    assert!(
        letter
            .body
            .contains("signatures are published when confirmed")
    );
    let trail = app
        .get_with(&editor, &format!("/admin/letters/{id}/audit"))
        .await;
    assert_eq!(trail.status, 200);
    assert!(trail.body.contains("letter.moderation"));
    assert!(trail.body.contains("Modesto Moderator"));
    assert!(trail.body.contains("signature.approve"));
    // From now on signatures are published when confirmed.
    app.sign_and_confirm("roles", "Direct Dunmore", "dunmore@example.org", "public")
        .await;
    assert_eq!(app.total("roles").await, 2);
    app.stop().await;
}

/// A review letter that takes organisations, signed (and held) by an organisation from its
/// domain, one from a free-mail address (held for verification), and a person.
async fn held_coalition(app: &TestApp, slug: &str) -> i64 {
    app.set_up_owner().await;
    let mut fields = letter_fields(slug);
    fields.push(("moderation", "review".to_owned()));
    fields.push(("organisation_category", "Organisation".to_owned()));
    let id = app.create_letter(&app.client, &as_form(&fields)).await;
    let page = app.publish(&app.client, id).await;
    assert_eq!(page.status, 303, "{}", page.body);
    sign_organisation_and_confirm(
        app,
        slug,
        "Harbour Lights Trust",
        "harbour-lights.example",
        "Dora Domain",
        "dora@harbour-lights.example",
        &[],
    )
    .await;
    sign_organisation_and_confirm(
        app,
        slug,
        "Meadow Allotment Society",
        "meadow-allotments.example",
        "Fred Freemail",
        "fred@mail.test",
        &[],
    )
    .await;
    app.sign_and_confirm(slug, "Hana Heldperson", "hana@example.org", "public")
        .await;
    id
}

#[tokio::test]
async fn the_queue_filters_by_verification_and_offers_verify_for_an_unverified_organisation() {
    let app = spawn_app().await;
    let id = held_coalition(&app, "verifying").await;
    let path = |query: &str| format!("/admin/letters/{id}/signatures?{query}");

    let queue = app.get(&path("")).await;
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains("name=\"verification\""));
    // Two held rows to approve (the person, the organisation verified by its domain), one
    // to verify.
    assert_eq!(ids_offering(&queue.body, "approve").len(), 2);
    let verify = ids_offering(&queue.body, "verify");
    assert_eq!(verify.len(), 1);

    let unverified = app.get(&path("verification=unverified")).await;
    assert!(
        unverified.body.contains("Meadow Allotment Society")
            || unverified.body.contains("Fred Freemail")
    );
    assert!(!unverified.body.contains("Dora Domain"));
    assert!(!unverified.body.contains("Hana Heldperson"));
    assert_eq!(ids_offering(&unverified.body, "verify"), verify);
    // The filter travels with the bulk form.
    assert!(
        unverified
            .body
            .contains("name=\"verification\" value=\"unverified\""),
        "{}",
        unverified.body
    );
    let domain = app.get(&path("verification=domain")).await;
    assert!(domain.body.contains("Dora Domain"));
    assert!(!domain.body.contains("Fred Freemail"));
    let verified = app
        .get(&path("verification=verified&kind=organisation"))
        .await;
    assert!(verified.body.contains("Dora Domain"));
    assert!(!verified.body.contains("Fred Freemail"));
    let none = app.get(&path("verification=organiser")).await;
    assert!(none.body.contains("No signatures match these filters"));

    // Approving it is refused, and says to verify it.
    let csrf = queue.csrf();
    let approve = format!("/admin/letters/{id}/signatures/{}/approve", verify[0]);
    let refused = app.post(&approve, &[("csrf", &csrf)]).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("Verify"), "{}", refused.body);
    assert_eq!(app.total("verifying").await, 0);

    // A bulk approval of everything held counts and skips it, and says so.
    let bulk = format!("/admin/letters/{id}/signatures/bulk");
    let preview = app
        .post(&bulk, &[("csrf", &csrf), ("action", "approve")])
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview.body.contains("This will approve 2 signatures."),
        "{}",
        preview.body
    );
    assert!(
        preview
            .body
            .contains("1 held organisation is left as it is"),
        "{}",
        preview.body
    );
    // Ticked, too.
    let ticked = format!("sig_{}", verify[0]);
    let only_it = app
        .post(
            &bulk,
            &[("csrf", &csrf), ("action", "approve"), (&ticked, "on")],
        )
        .await;
    assert!(
        only_it.body.contains("This will approve 0 signatures."),
        "{}",
        only_it.body
    );
    assert!(only_it.body.contains("1 held organisation is left"));
    // The filter is carried to the confirm button.
    let filtered = app
        .post(
            &bulk,
            &[
                ("csrf", &csrf),
                ("action", "approve"),
                ("verification", "domain"),
            ],
        )
        .await;
    assert!(
        filtered.body.contains("This will approve 1 signature."),
        "{}",
        filtered.body
    );
    assert!(
        filtered
            .body
            .contains("name=\"verification\" value=\"domain\"")
    );
    let bad = app
        .post(
            &bulk,
            &[
                ("csrf", &csrf),
                ("action", "approve"),
                ("verification", "maybe"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);

    let applied = app
        .post(
            &format!("{bulk}/apply"),
            &[("csrf", &csrf), ("action", "approve")],
        )
        .await;
    assert_eq!(applied.status, 303, "{}", applied.body);
    assert_eq!(app.total("verifying").await, 2);
    let still = app.get(&path("state=held")).await;
    assert_eq!(ids_offering(&still.body, "verify"), verify);

    // Verify publishes it, verified by an organiser, and the log says so.
    let verified = app
        .post(
            &format!("/admin/letters/{id}/signatures/{}/verify", verify[0]),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(verified.status, 303, "{}", verified.body);
    assert_eq!(app.total("verifying").await, 3);
    let by_organiser = app.get(&path("verification=organiser")).await;
    assert!(by_organiser.body.contains("Fred Freemail"));
    let log = read_log(&app, "verifying").await;
    let raw: Vec<String> = log
        .entries
        .iter()
        .map(|e| String::from_utf8_lossy(e).into_owned())
        .collect();
    assert!(
        raw.iter().any(|e| e.contains(r#""verified":"organiser""#)),
        "{raw:?}"
    );
    assert!(
        !raw.iter().any(|e| e.contains(r#""verified":null"#)),
        "{raw:?}"
    );
    audit_passes(&app, "verifying", 3).await;
    app.stop().await;
}
