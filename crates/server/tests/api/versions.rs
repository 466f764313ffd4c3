//! Versions of a published letter (issue 11, item 1): organisers edit a published text; each
//! edit is a numbered version logged by its hash; a change of substance emails earlier
//! signers a re-confirmation link and counts them apart until they re-confirm, while the
//! log-derived total (and so `audit`) stays the same.

use sha2::{Digest, Sha256};
use undersigned_core::Role;
use undersigned_store::{Fanout, FanoutProgress, LetterId};
use undersigned_verify::entry::{LogEntry, TextChange, hex};

use crate::{helpers::*, log::read_log};

const WORKSPACE: &str = "test-coalition";

/// Re-confirmation emails received so far by `address`.
fn reconfirm_emails_to(app: &TestApp, address: &str) -> Vec<Captured> {
    app.mail
        .to(address)
        .into_iter()
        .filter(|m| m.subject().starts_with("The letter you signed has changed"))
        .collect()
}

/// Posts the text form as `client`.
async fn edit_text(
    app: &TestApp,
    client: &reqwest::Client,
    letter: i64,
    body: &str,
    change: Option<&str>,
    note: &str,
) -> Page {
    let csrf = app.organiser_csrf(client).await;
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("title", "Investigate the academy now"),
        ("subject", "RE: An independent investigation"),
        ("body", body),
        ("note", note),
    ];
    if let Some(change) = change {
        form.push(("change", change));
    }
    app.post_with(client, &format!("/admin/letters/{letter}/text"), &form)
        .await
}

/// Signs, confirms and withdraws: a signer who no longer counts.
async fn sign_and_withdraw(app: &TestApp, slug: &str, name: &str, email: &str) {
    let link = app.sign_and_confirm(slug, name, email, "public").await;
    let gone = app
        .post_with(&client(), &format!("{link}/withdraw"), &[])
        .await;
    assert!(gone.status.as_u16() < 400, "{}", gone.body);
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

async fn counts_json(app: &TestApp, slug: &str) -> serde_json::Value {
    let page = app.get(&format!("/l/{slug}/counts.json")).await;
    assert_eq!(page.status, 200);
    serde_json::from_str(&page.body).unwrap()
}

#[tokio::test]
async fn a_correction_is_a_new_version_logged_by_its_hash_and_emails_nobody() {
    let app = spawn_app().await;
    let slug = "versions-correction";
    let id = app.open_letter(slug).await;
    app.sign_and_confirm(slug, "Ada Earlier", "ada@example.org", "public")
        .await;
    let emails_before = app.mail.all().len();
    // The organiser page links to the form, which is filled with the current text.
    let admin = app.get(&format!("/admin/letters/{id}")).await;
    assert!(admin.body.contains(&format!("/admin/letters/{id}/text")));
    let form = app.get(&format!("/admin/letters/{id}/text")).await;
    assert_eq!(form.status, 200);
    assert!(
        form.body
            .contains("We, the undersigned, ask you **today**.")
    );

    let saved = edit_text(
        &app,
        &app.client,
        id,
        "We, the undersigned, ask you **today**, again.",
        Some("correction"),
        "Fixed the wording",
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);

    let page = app.get(&format!("/l/{slug}")).await;
    assert!(page.body.contains("Edited on"), "{}", page.body);
    assert!(page.body.contains(&format!("/l/{slug}/versions")));
    assert!(page.body.contains("again."));
    let versions = app.get(&format!("/l/{slug}/versions")).await;
    assert_eq!(versions.status, 200);
    assert!(versions.body.contains("Version 2"));
    assert!(versions.body.contains("A correction"));
    assert!(versions.body.contains("Fixed the wording"));
    assert!(
        versions.body.contains("[added: </span>"),
        "{}",
        versions.body
    );
    assert!(versions.body.contains("again."));

    // The log: after the signature, version 1 and version 2, each the hash of its .txt.
    let log = read_log(&app, slug).await;
    let decoded = log.decoded();
    assert_eq!(decoded.len(), 3);
    for (entry, number) in decoded[1..].iter().zip([1u64, 2]) {
        let LogEntry::Text(text) = entry else {
            panic!("a text entry, not {entry:?}");
        };
        assert_eq!(text.number, number);
        assert_eq!(text.change, TextChange::Correction);
        let txt = app
            .client
            .get(format!("{}/l/{slug}/versions/{number}.txt", app.address))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(hex(&Sha256::digest(&txt)), hex(&text.sha256));
    }
    let v2 = app.get(&format!("/l/{slug}/versions/2.txt")).await;
    assert!(
        v2.body.ends_with("ask you **today**, again."),
        "{}",
        v2.body
    );
    assert_eq!(
        app.get(&format!("/l/{slug}/versions/9.txt")).await.status,
        404
    );

    // No email, nobody awaiting, the counts unchanged; audit passes.
    assert_eq!(app.mail.all().len(), emails_before);
    let counts = counts_json(&app, slug).await;
    assert_eq!(counts["total"], 1);
    assert_eq!(counts["versions"], 2);
    assert!(counts.get("awaiting").is_none());
    audit_passes(&app, slug, 1).await;
}

#[tokio::test]
async fn a_change_of_substance_asks_earlier_signers_once_and_counts_them_apart() {
    let app = spawn_app().await;
    let slug = "versions-substance";
    let id = app.open_letter(slug).await;
    app.sign_and_confirm(slug, "Ada Earlier", "ada@example.org", "public")
        .await;
    let ben = app
        .sign_and_confirm(slug, "Ben Earlier", "ben@example.org", "private")
        .await;
    sign_and_withdraw(&app, slug, "Cy Gone", "cy@example.org").await;

    let saved = edit_text(
        &app,
        &app.client,
        id,
        "We, the undersigned, ask you to resign **today**.",
        Some("substantive"),
        "",
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);

    // Each earlier published signer gets exactly one email; the withdrawn one none.
    for address in ["ada@example.org", "ben@example.org"] {
        app.mail.wait_for_to(address, 2).await;
    }
    app.mail_barrier(slug).await;
    assert_eq!(reconfirm_emails_to(&app, "ada@example.org").len(), 1);
    assert_eq!(reconfirm_emails_to(&app, "ben@example.org").len(), 1);
    assert!(reconfirm_emails_to(&app, "cy@example.org").is_empty());

    // A new signer signs the new text: not awaiting.
    app.sign_and_confirm(slug, "Dee Later", "dee@example.org", "public")
        .await;
    let counts = counts_json(&app, slug).await;
    assert_eq!(counts["total"], 3);
    assert_eq!(counts["awaiting"], 2);
    assert_eq!(counts["versions"], 2);
    let page = app.get(&format!("/l/{slug}")).await;
    assert!(
        page.body
            .contains("Of which 2 earlier signers have not yet re-confirmed the new text."),
        "{}",
        page.body
    );

    // Opening the link changes nothing; its button re-confirms, once.
    let message = &reconfirm_emails_to(&app, "ada@example.org")[0];
    let link = message.link("/r/").expect("a re-confirmation link");
    let path = link[link.find("/r/").unwrap()..].to_owned();
    let shown = app.get(&path).await;
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains("I re-confirm my signature"));
    assert!(shown.body.contains("[added: </span>"), "{}", shown.body);
    assert_eq!(counts_json(&app, slug).await["awaiting"], 2);
    let done = app.post_with(&client(), &path, &[]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(counts_json(&app, slug).await["awaiting"], 1);
    let again = app.post_with(&client(), &path, &[]).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(counts_json(&app, slug).await["awaiting"], 1);
    assert!(app.get(&path).await.body.contains("is re-confirmed"));
    let page = app.get(&format!("/l/{slug}")).await;
    assert!(page.body.contains("Of which 1 earlier signer has not yet"));

    // The log says the change was one of substance; the total is still every published
    // signature, and audit passes.
    let log = read_log(&app, slug).await;
    let changes: Vec<TextChange> = log
        .decoded()
        .iter()
        .filter_map(|e| match e {
            LogEntry::Text(t) => Some(t.change),
            _ => None,
        })
        .collect();
    assert_eq!(changes, [TextChange::Correction, TextChange::Substantive]);
    assert_eq!(counts_json(&app, slug).await["total"], 3);
    audit_passes(&app, slug, 3).await;

    // Bad tokens: 404.
    assert_eq!(app.get("/r/not-a-token").await.status, 404);
    let unknown = format!("/r/{}", "A".repeat(43));
    assert_eq!(app.get(&unknown).await.status, 404);
    assert_eq!(app.post_with(&client(), &unknown, &[]).await.status, 404);

    // A signer who withdrew meanwhile has nothing to re-confirm: 409, and the counts do
    // not move.
    let gone = app
        .post_with(&client(), &format!("{ben}/withdraw"), &[])
        .await;
    assert!(gone.status.as_u16() < 400, "{}", gone.body);
    let counts = counts_json(&app, slug).await;
    assert_eq!(counts["total"], 2);
    assert!(counts.get("awaiting").is_none(), "{counts}");
    let link = reconfirm_emails_to(&app, "ben@example.org")[0]
        .link("/r/")
        .expect("a re-confirmation link");
    let ben_path = link[link.find("/r/").unwrap()..].to_owned();
    let refused = app.post_with(&client(), &ben_path, &[]).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("no longer on the letter"));
    let counts = counts_json(&app, slug).await;
    assert_eq!(counts["total"], 2);
    assert!(counts.get("awaiting").is_none(), "{counts}");
}

/// A re-confirmation request reaches each earlier signer in the language they signed in
/// (read from its sealed value), English when they signed in none we have.
#[tokio::test]
async fn a_change_of_substance_asks_each_earlier_signer_in_their_language() {
    let app = spawn_app().await;
    let slug = "versions-languages";
    let id = app.open_letter(slug).await;
    for (name, email, lang) in [
        ("Rosa Ejemplo", "rosa@example.org", Some("es")),
        ("Bo Beispiel", "bo@example.org", Some("de")),
    ] {
        let message =
            crate::email_languages::sign_in_language(&app, slug, name, email, lang, false).await;
        let confirmed = app
            .post_with(&client(), &app.confirm_path(&message), &[])
            .await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    }
    let saved = edit_text(
        &app,
        &app.client,
        id,
        "We, the undersigned, ask you to resign **today**.",
        Some("substantive"),
        "",
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let spanish = app.mail.wait_for_to("rosa@example.org", 2).await;
    assert!(
        spanish
            .subject()
            .starts_with("La carta que firmaste ha cambiado: "),
        "{}",
        spanish.subject()
    );
    let english = app.mail.wait_for_to("bo@example.org", 2).await;
    assert_eq!(reconfirm_emails_to(&app, "bo@example.org").len(), 1);
    assert!(english.html().contains("<html lang=\"en\">"));
}

#[tokio::test]
async fn only_editors_edit_an_open_or_closed_letters_text_and_bad_input_is_named() {
    let app = spawn_app().await;
    let slug = "versions-refused";
    let id = app.open_letter(slug).await;
    let path = format!("/admin/letters/{id}/text");

    // Missing choice, empty body: 422 with both fields named.
    let bad = edit_text(&app, &app.client, id, "  ", None, "").await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(field_error(&bad.body, "body").is_some(), "{}", bad.body);
    assert!(field_error(&bad.body, "change").is_some(), "{}", bad.body);
    assert!(bad.body.contains("error-summary"));
    // Too long for a letter, and too large for a request.
    let long = "x".repeat(50_001);
    let too_long = edit_text(&app, &app.client, id, &long, Some("correction"), "").await;
    assert_eq!(too_long.status, 422);
    assert!(
        field_error(&too_long.body, "body")
            .unwrap()
            .contains("at most")
    );
    let huge = "x".repeat(2 * 1024 * 1024);
    let too_big = edit_text(&app, &app.client, id, &huge, Some("correction"), "").await;
    assert_eq!(too_big.status, 413);
    // Nothing was saved.
    assert_eq!(
        app.get(&format!("/l/{slug}/versions/2.txt")).await.status,
        404
    );

    // Anonymous: sent to log in.
    let anonymous = app.get_with(&client(), &path).await;
    assert_eq!(anonymous.status, 303);
    // Viewers and moderators may not.
    for (email, role) in [
        ("viewer@example.org", Role::Viewer),
        ("moderator@example.org", Role::Moderator),
    ] {
        let client = app
            .add_organiser(email, "Some Member", WORKSPACE, role)
            .await;
        assert_eq!(app.get_with(&client, &path).await.status, 403, "{role:?}");
        let page = edit_text(&app, &client, id, "New.", Some("correction"), "").await;
        assert_eq!(page.status, 403, "{role:?}");
    }
    // An editor may.
    let editor = app
        .add_organiser("editor@example.org", "Eda Editor", WORKSPACE, Role::Editor)
        .await;
    let page = edit_text(&app, &editor, id, "New text.", Some("correction"), "").await;
    assert_eq!(page.status, 303, "{}", page.body);

    // A draft's text is edited with its own form.
    let fields = letter_fields("versions-draft");
    let draft = app.create_letter(&app.client, &as_form(&fields)).await;
    let refused = edit_text(&app, &app.client, draft, "New.", Some("correction"), "").await;
    assert_eq!(refused.status, 409, "{}", refused.body);

    // A closed letter's text may still be fixed.
    app.close(&app.client, id).await;
    let closed = edit_text(&app, &app.client, id, "Newer.", Some("correction"), "").await;
    assert_eq!(closed.status, 303, "{}", closed.body);
    audit_passes(&app, slug, 0).await;
}

/// The awaiting count is kept beside the count: set to it by a change of substance, and moved
/// by every entry that adds or removes an earlier signer (a withdrawal, a moderator's hide and
/// its undo, a late confirmation of the old text) but not by a change of how one appears.
/// It always equals the published signers on a version older than the change.
#[tokio::test]
async fn the_awaiting_count_follows_removals_changes_and_late_confirmations() {
    let app = spawn_app().await;
    let slug = "versions-kept";
    let id = app.open_letter(slug).await;
    let ada = app
        .sign_and_confirm(slug, "Ada Earlier", "ada@example.org", "public")
        .await;
    let ben = app
        .sign_and_confirm(slug, "Ben Earlier", "ben@example.org", "public")
        .await;
    app.sign_and_confirm(slug, "Cleo Earlier", "cleo@example.org", "public")
        .await;
    // Dov signs the first text and confirms only after it changed.
    let late = app
        .sign_pending(slug, "Dov Latecomer", "dov@example.org")
        .await;
    let awaiting = |expected: u64, what: &'static str| {
        let app = &app;
        async move {
            let counts = counts_json(app, slug).await;
            assert_eq!(counts["awaiting"].as_u64().unwrap_or(0), expected, "{what}");
        }
    };
    awaiting(0, "before any change").await;
    let substance = |body: &'static str| {
        let app = &app;
        async move {
            let saved = edit_text(app, &app.client, id, body, Some("substantive"), "").await;
            assert_eq!(saved.status, 303, "{}", saved.body);
        }
    };
    substance("We, the undersigned, ask you to resign **today**.").await;
    awaiting(3, "every counted signer").await;

    let changed = app
        .post_with(
            &client(),
            &format!("{ben}/display"),
            &[("display", "initials")],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    awaiting(3, "a change of how one appears").await;
    let gone = app
        .post_with(&client(), &format!("{ada}/withdraw"), &[])
        .await;
    assert_eq!(gone.status, 200, "{}", gone.body);
    awaiting(2, "a withdrawal").await;
    let confirmed = app.post_with(&client(), &late, &[]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    awaiting(3, "a late confirmation of the first text").await;

    // A moderator hides Cleo, then undoes it.
    crate::log::hide_signer(&app, id, "Cleo Earlier").await;
    awaiting(2, "hidden").await;
    crate::log::undo_first_hide(&app, id).await;
    awaiting(3, "the hide undone").await;

    // A new signer signs the new text; a second change of substance makes every counted
    // signer await again, the new one too.
    app.sign_and_confirm(slug, "Eve Newer", "eve@example.org", "public")
        .await;
    awaiting(3, "a signer of the new text").await;
    substance("We, the undersigned, ask you to resign **this week**.").await;
    awaiting(4, "after the second change").await;
    assert_eq!(counts_json(&app, slug).await["total"], 4);

    let db = app.db().await;
    let (kept, counted): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT CAST(SUM(awaiting) AS BIGINT) FROM letter_counts),
                (SELECT COUNT(*) FROM signatures s JOIN letters l ON l.id = s.letter_id
                 WHERE s.state = 'published' AND COALESCE(s.version, 1) < l.reconfirm_from)",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    db.close().await;
    assert_eq!((kept, counted), (4, 4));
    audit_passes(&app, slug, 4).await;
    app.stop().await;
}

/// The versions of the letter's text that re-confirmation emails to `address` ask about.
fn asked_versions(app: &TestApp, address: &str) -> Vec<u64> {
    let mut versions: Vec<u64> = reconfirm_emails_to(app, address)
        .iter()
        .map(|m| {
            let text = m.text().replace(['\r', '\n'], " ");
            let at = text.find("(version ").expect("the email names the version") + 9;
            text[at..]
                .split(')')
                .next()
                .and_then(|n| n.trim().parse().ok())
                .expect("a version number")
        })
        .collect();
    versions.sort_unstable();
    versions
}

#[tokio::test]
async fn an_interrupted_or_replaced_re_confirmation_asks_each_earlier_signer_once() {
    // No fan-out job runs at first: the test plays a worker that dies after its first batch.
    let app = spawn_without_fan_outs().await;
    let slug = "versions-fan-out";
    let id = app.open_letter(slug).await;
    let signers: Vec<String> = (1..=4).map(|i| format!("signer{i}@example.org")).collect();
    for (i, email) in signers.iter().enumerate() {
        let name = format!("Signer Number{i}");
        app.sign_and_confirm(slug, &name, email, "public").await;
    }
    sign_and_withdraw(&app, slug, "Cy Gone", "cy@example.org").await;

    // The edit answers at once; the requests are the fan-out's to queue.
    let saved = edit_text(
        &app,
        &app.client,
        id,
        "Resign now.",
        Some("substantive"),
        "",
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let version_2 = Fanout::Reconfirm {
        letter: LetterId(id),
        number: 2,
    };
    // A worker asks the first two signers, in the order they signed, and dies.
    let (job, progress) = app.doomed_fan_out_batch().await;
    assert_eq!(job.fanout, version_2);
    assert_eq!(progress, FanoutProgress::More(2));

    // Before anyone else takes it over, the text changes in substance again: version 2's
    // fan-out ends, and version 3's asks everyone on an earlier version.
    let saved = edit_text(
        &app,
        &app.client,
        id,
        "Resign today.",
        Some("substantive"),
        "",
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    // The dead worker, were it to wake up now, would ask no one about version 2.
    let store = undersigned_server::open_store(&app.settings).await.unwrap();
    let now = app.clock.now();
    let batch = store.fan_out_batch(version_2, "doomed-worker", 2, now, now + 60);
    assert_eq!(batch.await.unwrap(), FanoutProgress::Lost);
    store.close().await;

    // The application restarts with its fan-out job, which finishes version 3's.
    let app = app.restart_with_fan_outs().await;
    for email in &signers {
        app.mail.wait_for_to(email, 2).await;
    }
    for email in &signers[..2] {
        app.mail.wait_for_to(email, 3).await;
    }
    app.forget_email_throttle().await;
    app.mail_barrier(slug).await;
    assert_eq!(asked_versions(&app, &signers[0]), [2, 3]);
    assert_eq!(asked_versions(&app, &signers[1]), [2, 3]);
    assert_eq!(asked_versions(&app, &signers[2]), [3]);
    assert_eq!(asked_versions(&app, &signers[3]), [3]);
    assert!(asked_versions(&app, "cy@example.org").is_empty());

    // Version 2's worker would queue nothing, nothing is left to claim, and the counts
    // say all four await.
    app.assert_no_fan_out_left(version_2).await;
    let counts = counts_json(&app, slug).await;
    assert_eq!(counts["total"], 4);
    assert_eq!(counts["awaiting"], 4);
    assert_eq!(counts["versions"], 3);
}
