//! Re-targeting (issue 11, item 6): a letter copied for a new target (a draft with the same
//! text, asks and categories, no target and no signature), publishing refused until it has a
//! target, invitations to the family's past signers who asked for updates (one each, never to
//! others, queued by the fan-out job and resumed after a crash), a signature added only by
//! the invitation page's POST, and the family page.

use std::time::Duration;

use undersigned_core::Role;
use undersigned_store::{Fanout, FanoutProgress, LetterId};

use crate::helpers::*;

const WORKSPACE: &str = "test-coalition";
const NEW_TARGET: &str = "Olav Pike | Chair | Second Example League";

/// The invitation emails received so far by `address`.
fn invitations_to(app: &TestApp, address: &str) -> Vec<Captured> {
    app.mail
        .to(address)
        .into_iter()
        .filter(|m| m.subject().starts_with("Sign again"))
        .collect()
}

/// The path of the invitation link in an invitation email (`/i/TOKEN`).
fn invitation_path(message: &Captured) -> String {
    let link = message.link("/i/").expect("an invitation link");
    link[link.find("/i/").unwrap()..].to_owned()
}

/// Signs with the first category at `display` (ticking "Email me updates" when
/// `updates`), and confirms; returns the confirmation path.
async fn sign_confirmed(
    app: &TestApp,
    slug: &str,
    name: &str,
    email: &str,
    display: &str,
    updates: bool,
) -> String {
    let before = app.mail.to(email).len();
    let categories = app.categories(slug).await;
    let mut form = vec![
        ("name", name),
        ("email", email),
        ("category", categories[0].as_str()),
        ("display", display),
    ];
    if updates {
        form.push(("updates", "on"));
    }
    let page = app.sign(slug, &form).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let path = app.confirm_path(&app.mail.wait_for_to(email, before + 1).await);
    let confirmed = app.post_with(&client(), &path, &[]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    path
}

/// Presses "Send this letter to another target" as `client`.
async fn retarget(app: &TestApp, client: &reqwest::Client, id: i64) -> Page {
    let csrf = app.organiser_csrf(client).await;
    app.post_with(
        client,
        &format!("/admin/letters/{id}/retarget"),
        &[("csrf", &csrf)],
    )
    .await
}

/// Copies the letter as the owner; returns the copy's id.
async fn copy(app: &TestApp, id: i64) -> i64 {
    let page = retarget(app, &app.client, id).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let location = page.location.unwrap();
    location
        .trim_start_matches("/admin/letters/")
        .trim_end_matches("/edit")
        .parse()
        .unwrap()
}

/// Gives the draft `id` the new target (and `slug`), then publishes it.
async fn target_and_publish(app: &TestApp, id: i64, slug: &str) {
    target_and_publish_with(app, id, slug, &[]).await;
}

/// [`target_and_publish`], with `extra` fields in the form.
async fn target_and_publish_with(app: &TestApp, id: i64, slug: &str, extra: &[(&str, &str)]) {
    let edit = app.get(&format!("/admin/letters/{id}/edit")).await;
    assert_eq!(edit.status, 200, "{}", edit.body);
    let mut fields = letter_fields(slug);
    for field in fields.iter_mut() {
        if field.0 == "targets" {
            field.1 = NEW_TARGET.to_owned();
        }
    }
    let mut form = as_form(&fields);
    form.extend_from_slice(extra);
    let csrf = edit.csrf();
    form.push(("csrf", &csrf));
    let saved = app.post(&format!("/admin/letters/{id}/edit"), &form).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let published = app.publish(&app.client, id).await;
    assert_eq!(published.status, 303, "{}", published.body);
}

/// Presses "Invite past signers" as `client`.
async fn invite(app: &TestApp, client: &reqwest::Client, id: i64) -> Page {
    let csrf = app.organiser_csrf(client).await;
    app.post_with(
        client,
        &format!("/admin/letters/{id}/invite"),
        &[("csrf", &csrf)],
    )
    .await
}

/// The letter page's line for its newest run of invitations ("Started 5 Dec 2026: 2 past
/// signers invited (done)"), if it has one.
fn newest_run(body: &str) -> Option<String> {
    let list = body.split("<ul class=\"invitation-runs\">").nth(1)?;
    let item = list.split("<li>").nth(1)?.split("</li>").next()?;
    Some(item.to_owned())
}

/// Waits until the letter's newest run of invitations is done, as its organiser's page
/// shows it; returns the page's line for it.
async fn wait_for_run(app: &TestApp, client: &reqwest::Client, id: i64) -> String {
    for _ in 0..400 {
        let page = app.get_with(client, &format!("/admin/letters/{id}")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        if let Some(line) = newest_run(&page.body).filter(|l| l.ends_with("(done)")) {
            return line;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the invitations to letter {id}'s past signers never finished");
}

/// Presses "Invite past signers" as `client`, checks that the page it is sent back to says
/// the invitations are on their way, and waits until they are all queued; returns the
/// page's line for the run.
async fn invite_and_wait(app: &TestApp, client: &reqwest::Client, id: i64) -> String {
    let pressed = invite(app, client, id).await;
    assert_eq!(pressed.status, 303, "{}", pressed.body);
    let location = pressed.location.expect("a redirect");
    assert_eq!(location, format!("/admin/letters/{id}?done=inviting"));
    let page = app.get_with(client, &location).await;
    assert!(
        page.body
            .contains("Inviting past signers: their emails are queued a batch at a time"),
        "{}",
        page.body
    );
    wait_for_run(app, client, id).await
}

#[tokio::test]
async fn a_copy_is_a_draft_with_the_same_text_asks_and_categories_and_no_target_or_signature() {
    let app = spawn_app().await;
    let slug = "retarget-copy";
    let id = app.open_letter(slug).await;
    let csrf = app.organiser_csrf(&app.client).await;
    let ask = app
        .post(
            &format!("/admin/letters/{id}/asks"),
            &[
                ("csrf", &csrf),
                ("text", "Open an independent conduct investigation"),
                ("condition", "within 30 days"),
            ],
        )
        .await;
    assert_eq!(ask.status, 303, "{}", ask.body);
    sign_confirmed(&app, slug, "Ada Signer", "ada@example.org", "public", true).await;

    let copy_id = copy(&app, id).await;
    assert_ne!(copy_id, id);
    // The edit page holds the same text under a new address, and no target.
    let edit = app.get(&format!("/admin/letters/{copy_id}/edit")).await;
    assert_eq!(edit.status, 200, "{}", edit.body);
    assert!(edit.body.contains("Investigate the academy now"));
    assert!(edit.body.contains("RE: An independent investigation"));
    assert!(
        edit.body
            .contains("We, the undersigned, ask you **today**.")
    );
    assert!(edit.body.contains("retarget-copy-2"));
    assert!(edit.body.contains("Survivor"));
    assert!(!edit.body.contains("Ines Quarry"));
    let admin = app.get(&format!("/admin/letters/{copy_id}")).await;
    assert!(admin.body.contains("state-draft"));
    assert!(
        admin
            .body
            .contains("<strong>0</strong> confirmed signatures")
    );
    // The asks came along.
    let asks = app.get(&format!("/admin/letters/{copy_id}/asks")).await;
    assert!(
        asks.body
            .contains("Open an independent conduct investigation")
    );
    assert!(asks.body.contains("within 30 days"));
    // The first letter is unchanged.
    assert_eq!(app.total(slug).await, 1);

    // No target: publishing is refused, with what to do.
    let refused = app.publish(&app.client, copy_id).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(message_text(&refused.body).unwrap().contains("no target"));
    assert_eq!(app.get("/l/retarget-copy-2").await.status, 404);

    // A second copy takes the next address.
    let second = copy(&app, id).await;
    let edit = app.get(&format!("/admin/letters/{second}/edit")).await;
    assert!(edit.body.contains("retarget-copy-3"));

    // With a target it publishes, with no signature.
    target_and_publish(&app, copy_id, "retarget-copy-2").await;
    assert_eq!(app.total("retarget-copy-2").await, 0);
    let page = app.get("/l/retarget-copy-2").await;
    assert!(page.body.contains("Olav Pike"));
    assert!(
        page.body
            .contains("Open an independent conduct investigation")
    );
}

#[tokio::test]
async fn invitations_reach_opted_in_past_signers_once_and_only_the_post_adds_a_signature() {
    let app = spawn_app().await;
    let slug = "retarget-first";
    let id = app.open_letter(slug).await;
    sign_confirmed(&app, slug, "Ada Optin", "ada@example.org", "public", true).await;
    sign_confirmed(
        &app,
        slug,
        "Pia Private",
        "pia@example.org",
        "private",
        true,
    )
    .await;
    sign_confirmed(&app, slug, "Ben Nobox", "ben@example.org", "public", false).await;
    let dee = sign_confirmed(&app, slug, "Dee Gone", "dee@example.org", "public", true).await;
    let withdrawn = app
        .post_with(&client(), &format!("{dee}/withdraw"), &[])
        .await;
    assert!(withdrawn.status.as_u16() < 400, "{}", withdrawn.body);
    sign_confirmed(&app, slug, "Eve Both", "eve@example.org", "public", true).await;
    assert_eq!(app.total(slug).await, 4);

    let copy_id = copy(&app, id).await;
    let new_slug = "retarget-second";
    target_and_publish(&app, copy_id, new_slug).await;
    // Eve signs the new letter herself before the invitations go out.
    sign_confirmed(
        &app,
        new_slug,
        "Eve Both",
        "eve@example.org",
        "public",
        false,
    )
    .await;
    assert_eq!(app.total(new_slug).await, 1);
    let log_before = app.counts(new_slug).await["log_size"].as_u64().unwrap();

    // The first letter of a family has no one to invite.
    let first = invite(&app, &app.client, id).await;
    assert_eq!(first.status, 409, "{}", first.body);

    let run = invite_and_wait(&app, &app.client, copy_id).await;
    assert!(run.ends_with(": 2 past signers invited (done)"), "{run}");
    app.mail_barrier(new_slug).await;
    assert_eq!(invitations_to(&app, "ada@example.org").len(), 1);
    assert_eq!(invitations_to(&app, "pia@example.org").len(), 1);
    for nobody in ["ben@example.org", "dee@example.org", "eve@example.org"] {
        assert!(invitations_to(&app, nobody).is_empty(), "{nobody}");
    }
    // Pressing it again invites no one twice.
    let again = invite_and_wait(&app, &app.client, copy_id).await;
    assert!(
        again.ends_with(": no past signer invited (done)"),
        "{again}"
    );
    let page = app.get(&format!("/admin/letters/{copy_id}")).await;
    assert_eq!(page.body.matches("(done)</li>").count(), 2, "{}", page.body);
    // (A second barrier on the other letter: the first one's address signed this one.)
    app.mail_barrier(slug).await;
    assert_eq!(invitations_to(&app, "ada@example.org").len(), 1);
    assert_eq!(invitations_to(&app, "pia@example.org").len(), 1);

    let message = &invitations_to(&app, "ada@example.org")[0];
    assert!(message.text().contains("Olav Pike"));
    let ada = invitation_path(message);
    // Opening the link changes nothing.
    let page = app.get_with(&client(), &ada).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Add my signature"));
    assert!(page.body.contains("Olav Pike"));
    assert!(is_checked(&page.body, "display", "public"));
    assert_eq!(app.total(new_slug).await, 1);
    // The private signer's choice is pre-set to private.
    let pia = invitation_path(&invitations_to(&app, "pia@example.org")[0]);
    let page = app.get_with(&client(), &pia).await;
    assert!(is_checked(&page.body, "display", "private"));
    assert!(!is_checked(&page.body, "display", "public"));
    assert_eq!(app.total(new_slug).await, 1);

    // The POST adds one confirmed signature: the count and the log move by one.
    let added = app
        .post_with(&client(), &ada, &[("display", "public")])
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(app.total(new_slug).await, 2);
    let counts = app.counts(new_slug).await;
    assert_eq!(counts["log_size"].as_u64().unwrap(), log_before + 1);
    assert!(
        app.get(&format!("/l/{new_slug}"))
            .await
            .body
            .contains("Ada Optin")
    );
    // A second POST is a duplicate.
    let twice = app
        .post_with(&client(), &ada, &[("display", "public")])
        .await;
    assert_eq!(twice.status, 409, "{}", twice.body);
    assert!(
        message_text(&twice.body)
            .unwrap()
            .contains("already signed")
    );
    assert_eq!(app.total(new_slug).await, 2);

    // Private stays private: counted, never shown.
    let level = app
        .post_with(&client(), &pia, &[("display", "nonsense")])
        .await;
    assert_eq!(level.status, 422, "{}", level.body);
    let added = app
        .post_with(&client(), &pia, &[("display", "private")])
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(app.total(new_slug).await, 3);
    assert!(
        !app.get(&format!("/l/{new_slug}"))
            .await
            .body
            .contains("Pia Private")
    );

    // A bad token.
    assert_eq!(app.get_with(&client(), "/i/not-a-token").await.status, 404);
    let unknown = format!("/i/{}", "A".repeat(43));
    assert_eq!(app.get_with(&client(), &unknown).await.status, 404);
    assert_eq!(
        app.post_with(&client(), &unknown, &[("display", "public")])
            .await
            .status,
        404
    );

    // The family page lists both letters with their targets and counts.
    let family = app.get(&format!("/l/{new_slug}/family")).await;
    assert_eq!(family.status, 200, "{}", family.body);
    assert!(family.body.contains("Ines Quarry"));
    assert!(family.body.contains("Olav Pike"));
    assert!(
        family
            .body
            .contains("<strong>4</strong> confirmed signatures")
    );
    assert!(
        family
            .body
            .contains("<strong>3</strong> confirmed signatures")
    );
    assert!(family.body.contains("/l/retarget-first"));
    // Each letter page links to it.
    let first_page = app.get(&format!("/l/{slug}")).await;
    assert!(first_page.body.contains(&format!("/l/{slug}/family")));
}

/// A run reads the family's earlier letters one after the other, a batch at a time: a
/// worker that dies after its first batch leaves the rest to the fan-out job after a
/// restart, and each past signer who asked for updates is invited once, even one who
/// signed two of the earlier letters.
#[tokio::test]
async fn an_interrupted_run_across_two_earlier_letters_invites_each_past_signer_once() {
    // No fan-out job runs at first: the test plays a worker that dies after its first batch.
    let app = spawn_without_fan_outs().await;
    let first = "retarget-many";
    let id = app.open_letter(first).await;
    for (name, email) in [
        ("Una First", "una@example.org"),
        ("Ola Second", "ola@example.org"),
        ("Sam Both", "sam@example.org"),
    ] {
        sign_confirmed(&app, first, name, email, "public", true).await;
    }
    sign_confirmed(
        &app,
        first,
        "Quin Quiet",
        "quin@example.org",
        "public",
        false,
    )
    .await;
    let second = "retarget-many-2";
    let second_id = copy(&app, id).await;
    target_and_publish(&app, second_id, second).await;
    sign_confirmed(&app, second, "Sam Both", "sam@example.org", "public", true).await;
    sign_confirmed(
        &app,
        second,
        "Tia Third",
        "tia@example.org",
        "private",
        true,
    )
    .await;
    let third = "retarget-many-3";
    let third_id = copy(&app, second_id).await;
    target_and_publish(&app, third_id, third).await;

    // The press answers at once, with the run not done.
    let pressed = invite(&app, &app.client, third_id).await;
    assert_eq!(pressed.status, 303, "{}", pressed.body);
    let page = app.get(&format!("/admin/letters/{third_id}")).await;
    let line = newest_run(&page.body).expect("the run on the letter's page");
    assert!(
        line.ends_with(": no past signer invited (sending…)"),
        "{line}"
    );

    let (job, progress) = app.doomed_fan_out_batch().await;
    assert!(matches!(job.fanout, Fanout::Invite(_)), "{job:?}");
    assert_eq!(job.letter, LetterId(third_id));
    assert_eq!(progress, FanoutProgress::More(2));
    let page = app.get(&format!("/admin/letters/{third_id}")).await;
    let line = newest_run(&page.body).expect("the run on the letter's page");
    assert!(
        line.ends_with(": 2 past signers invited (sending…)"),
        "{line}"
    );

    // The application restarts with its fan-out job, which finishes the run.
    let app = app.restart_with_fan_outs().await;
    let editor = app
        .add_organiser("editor@example.org", "Ed Itor", WORKSPACE, Role::Editor)
        .await;
    let line = wait_for_run(&app, &editor, third_id).await;
    assert!(line.ends_with(": 4 past signers invited (done)"), "{line}");
    app.mail_barrier(third).await;
    for email in [
        "una@example.org",
        "ola@example.org",
        "sam@example.org",
        "tia@example.org",
    ] {
        let invitations = invitations_to(&app, email);
        assert_eq!(invitations.len(), 1, "{email}");
        assert!(invitation_path(&invitations[0]).starts_with("/i/"));
    }
    assert!(invitations_to(&app, "quin@example.org").is_empty());

    // The dead worker's lease is gone, and nothing is left to claim.
    app.assert_no_fan_out_left(job.fanout).await;
}

#[tokio::test]
async fn a_closed_letter_refuses_an_invitation() {
    let app = spawn_app().await;
    let slug = "retarget-closing";
    let id = app.open_letter(slug).await;
    sign_confirmed(&app, slug, "Ada Optin", "ada@example.org", "public", true).await;
    let copy_id = copy(&app, id).await;
    target_and_publish(&app, copy_id, "retarget-closing-2").await;
    invite_and_wait(&app, &app.client, copy_id).await;
    app.mail_barrier(slug).await;
    let ada = invitation_path(&invitations_to(&app, "ada@example.org")[0]);
    let closed = app.close(&app.client, copy_id).await;
    assert_eq!(closed.status, 303, "{}", closed.body);
    // A closed letter takes confirmations for a day of grace: move past it.
    app.sql(
        "UPDATE letters SET closed_at = closed_at - 3 * 86400 WHERE slug = 'retarget-closing-2'",
    )
    .await;
    let refused = app
        .post_with(&client(), &ada, &[("display", "public")])
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(app.total("retarget-closing-2").await, 0);
}

#[tokio::test]
async fn only_editors_and_owners_retarget_and_invite() {
    let app = spawn_app().await;
    let slug = "retarget-roles";
    let id = app.open_letter(slug).await;
    let copy_id = copy(&app, id).await;
    target_and_publish(&app, copy_id, "retarget-roles-2").await;
    for (email, role) in [
        ("viewer@example.org", Role::Viewer),
        ("moderator@example.org", Role::Moderator),
    ] {
        let client = app
            .add_organiser(email, "Some Member", WORKSPACE, role)
            .await;
        assert_eq!(retarget(&app, &client, id).await.status, 403, "{role:?}");
        assert_eq!(invite(&app, &client, copy_id).await.status, 403, "{role:?}");
    }
    let editor = app
        .add_organiser("editor@example.org", "Ed Itor", WORKSPACE, Role::Editor)
        .await;
    assert_eq!(retarget(&app, &editor, id).await.status, 303);
    let run = invite_and_wait(&app, &editor, copy_id).await;
    assert!(run.ends_with(": no past signer invited (done)"), "{run}");
    // Anonymous: sent to log in.
    let anonymous = app
        .post_with(&client(), &format!("/admin/letters/{id}/retarget"), &[])
        .await;
    assert!(
        anonymous.status == 303 || anonymous.status == 403,
        "{}",
        anonymous.status
    );
    let page = app
        .get_with(&client(), &format!("/admin/letters/{id}"))
        .await;
    assert_eq!(
        page.location.as_deref(),
        Some(login_redirect(&format!("/admin/letters/{id}")).as_str())
    );
    // No CSRF token: refused.
    let forged = app
        .post(&format!("/admin/letters/{id}/retarget"), &[])
        .await;
    assert_eq!(forged.status, 403);
}

#[tokio::test]
async fn an_organisation_signer_is_invited_and_signs_for_its_organisation_again() {
    let app = spawn_app().await;
    let slug = "retarget-orgs";
    let id = open_letter_for_organisations(&app, slug).await;
    let email = "director@example-union.org";
    let mut fields = organisation_form(
        "Example Union",
        "https://example-union.org",
        "Rita Director",
        email,
    );
    fields.push(("updates", "on"));
    let page = sign_with_logo(&app, slug, &fields, &[]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let path = app.confirm_path(&app.mail.wait_for_to(email, 1).await);
    let confirmed = app.post_with(&client(), &path, &[]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert_eq!(app.total(slug).await, 1);

    let copy_id = copy(&app, id).await;
    let new_slug = "retarget-orgs-2";
    target_and_publish_with(
        &app,
        copy_id,
        new_slug,
        &[("organisation_category", "Organisation")],
    )
    .await;
    invite_and_wait(&app, &app.client, copy_id).await;
    app.mail_barrier(slug).await;
    let invitations = invitations_to(&app, email);
    assert_eq!(invitations.len(), 1);
    let path = invitation_path(&invitations[0]);
    let page = app.get_with(&client(), &path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("for your organisation"));
    assert_eq!(app.total(new_slug).await, 0);
    let added = app
        .post_with(&client(), &path, &[("display", "public")])
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(app.total(new_slug).await, 1);
    assert!(
        app.get(&format!("/l/{new_slug}"))
            .await
            .body
            .contains("Example Union")
    );
}

/// A past signer who signed in Spanish is invited in Spanish, and the signature the
/// invitation adds keeps her language (the first signature's sealed value, copied as it is):
/// the new letter's updates reach her in Spanish too.
#[tokio::test]
async fn an_invitation_and_the_signature_it_adds_keep_the_language_the_signer_used() {
    let app = spawn_app().await;
    let slug = "retarget-spanish";
    let id = app.open_letter(slug).await;
    let email = "rosa@example.org";
    let first = crate::email_languages::sign_in_language(
        &app,
        slug,
        "Rosa Ejemplo",
        email,
        Some("es"),
        true,
    )
    .await;
    let confirmed = app
        .post_with(&client(), &app.confirm_path(&first), &[])
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);

    let copy_id = copy(&app, id).await;
    let new_slug = "retarget-spanish-2";
    target_and_publish(&app, copy_id, new_slug).await;
    invite_and_wait(&app, &app.client, copy_id).await;
    let invitation = app.mail.wait_for_to(email, 2).await;
    assert!(
        invitation
            .subject()
            .starts_with("Firma de nuevo, para otro destinatario: "),
        "{}",
        invitation.subject()
    );
    assert!(invitation.html().contains("<html lang=\"es\">"));
    let added = app
        .post_with(
            &client(),
            &invitation_path(&invitation),
            &[("display", "public"), ("updates", "on")],
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(app.total(new_slug).await, 1);

    // Both signatures hold her language sealed, and it opens as hers.
    let db = app.db().await;
    let stored: Vec<Option<Vec<u8>>> =
        sqlx::query_scalar("SELECT lang FROM signatures ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    db.close().await;
    assert_eq!(stored.len(), 2);
    let keyring = app.keyring();
    for stored in &stored {
        let stored = stored.as_deref().expect("a stored language");
        assert_ne!(stored, b"es");
        assert_eq!(
            keyring
                .open(undersigned_store::sealed::Field::Lang, stored)
                .unwrap(),
            "es"
        );
    }

    let csrf = app.organiser_csrf(&app.client).await;
    let posted = app
        .post(
            &format!("/admin/letters/{copy_id}/updates"),
            &[
                ("csrf", &csrf),
                ("title", "Charges filed"),
                ("body", "The prosecutor filed charges today."),
                ("sources", ""),
            ],
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    let update = app.mail.wait_for_to(email, 3).await;
    assert!(
        update.subject().starts_with("Novedad: Charges filed ("),
        "{}",
        update.subject()
    );
}
