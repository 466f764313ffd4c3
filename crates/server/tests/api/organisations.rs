//! Organisations that sign as organisations: the letter setting, the form (multipart and
//! URL-encoded), one signature per website domain, verification by domain or by an
//! organiser, and what the log and the auditor make of them.

use undersigned_core::{Role, organisation::Verification};
use undersigned_verify::entry::SignerKind;

use crate::{
    helpers::*,
    log::{add_at, read_log},
};

/// Posts the organisation form as a browser does (multipart), from a fresh client.
async fn sign_multipart(app: &TestApp, slug: &str, fields: &[(&str, &str)]) -> Page {
    sign_with_logo(app, slug, fields, &[]).await
}

async fn audit_report(app: &TestApp, slug: &str) -> undersigned_verify::audit::Report {
    undersigned_verify::audit::run(
        &format!("{}/l/{slug}", app.address),
        Some(app.data.path().join("audit-state.json")),
    )
    .await
    .unwrap()
}

async fn scalar(app: &TestApp, statement: &'static str) -> i64 {
    use sqlx::Row;
    let db = app.db().await;
    sqlx::query(statement)
        .fetch_one(&db)
        .await
        .unwrap()
        .try_get::<i64, _>(0)
        .unwrap()
}

#[tokio::test]
async fn an_organisation_signing_from_its_domain_is_verified_counted_and_logged() {
    let app = spawn_app().await;
    open_letter_for_organisations(&app, "coalition").await;

    // The letter offers the organisation form, on a page of its own (no script needed).
    let letter = app.get("/l/coalition").await;
    assert!(letter.body.contains("/l/coalition?as=organisation#sign"));
    let form = app.get("/l/coalition?as=organisation").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    assert!(form.body.contains("name=\"authorised\""));
    assert!(form.body.contains("name=\"website\""));

    let page = sign_multipart(
        &app,
        "coalition",
        &organisation_form(
            "Example Press Collective",
            "https://www.example.org",
            "Jo Quillfeather",
            "jo@press.example.org",
        ),
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.location.as_deref(), Some("/l/coalition/check-email"));
    let email = app.mail.wait_for_to("jo@press.example.org", 1).await;
    // The link's page shows the signature as the public will see it: the organisation.
    let preview = app.get(&app.confirm_path(&email)).await.body;
    assert!(
        preview.contains("<bdi class=\"signer-name\">Example Press Collective</bdi>"),
        "{preview}"
    );
    assert!(preview.contains("Signed by Jo Quillfeather, Director"));
    let confirmed = app
        .post_with(&client(), &app.confirm_path(&email), &[])
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);

    let counts = app.counts("coalition").await;
    assert_eq!(counts["total"], 1);
    assert_eq!(counts["by_category"]["Organisation"], 1);
    assert_eq!(counts["organisations"]["signed"], 1);
    assert_eq!(counts["organisations"]["verified"], 1);
    let log = read_log(&app, "coalition").await;
    let add = add_at(&log, 0);
    assert_eq!(add.signer, SignerKind::Organisation);
    assert_eq!(add.verified, Some(Verification::Domain));
    assert_eq!(add.category, "Organisation");
    let raw = String::from_utf8(log.entries[0].clone()).unwrap();
    assert!(
        raw.contains(r#""signer":"organisation","display":"public","verified":"domain""#),
        "{raw}"
    );

    // The page shows the organisation, who signed for it, and that it is verified.
    let letter = app.get("/l/coalition").await.body;
    assert!(letter.contains("Example Press Collective"));
    assert!(letter.contains("Signed by Jo Quillfeather, Director"));
    assert!(letter.contains("✓ verified"));
    assert!(!letter.contains("jo@press.example.org"));

    let report = audit_report(&app, "coalition").await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.counts.organisations, 1);
    assert_eq!(report.counts.verified_organisations, 1);
    app.stop().await;
}

#[tokio::test]
async fn an_organisation_signing_from_another_domain_waits_for_an_organiser() {
    let app = spawn_app().await;
    let id = open_letter_for_organisations(&app, "held-orgs").await;

    // URL-encoded works too (clients without the file field).
    let page = app
        .sign(
            "held-orgs",
            &organisation_form(
                "Northfield Tenants Union",
                "northfield-tenants.example",
                "Kim Harrowgate",
                "kim@mail.test",
            ),
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let email = app.mail.wait_for_to("kim@mail.test", 1).await;
    let confirmed = app
        .post_with(&client(), &app.confirm_path(&email), &[])
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert!(confirmed.body.contains("checks that you may sign"));

    // Held: not counted, not logged, not shown.
    let counts = app.counts("held-orgs").await;
    assert_eq!(counts["total"], 0);
    assert_eq!(counts["log_size"], 0);
    assert!(
        !app.get("/l/held-orgs")
            .await
            .body
            .contains("Northfield Tenants Union")
    );

    // Every organiser sees the evidence; a viewer may not verify.
    let evidence_path = format!("/admin/letters/{id}/organisations");
    let viewer = app
        .add_organiser(
            "viewer@example.org",
            "Vera Viewer",
            "test-coalition",
            Role::Viewer,
        )
        .await;
    let evidence = app.get_with(&viewer, &evidence_path).await;
    assert_eq!(evidence.status, 200, "{}", evidence.body);
    for shown in [
        "Northfield Tenants Union",
        "northfield-tenants.example",
        "mail.test",
        "Kim Harrowgate",
        "Director",
    ] {
        assert!(evidence.body.contains(shown), "{shown}");
    }
    assert!(!evidence.body.contains("/verify"));
    let signature: i64 = scalar(&app, "SELECT MAX(id) FROM signatures").await;
    let verify = format!("/admin/letters/{id}/signatures/{signature}/verify");
    let viewer_csrf = app.organiser_csrf(&viewer).await;
    let refused = app
        .post_with(&viewer, &verify, &[("csrf", &viewer_csrf)])
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    // Without the form token, nobody may.
    let forged = app.post(&verify, &[]).await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    let forged = app.post(&verify, &[("csrf", "not-the-token")]).await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert_eq!(app.counts("held-orgs").await["total"], 0);

    // A moderator verifies it: published, counted, logged as verified by an organiser.
    let moderator = app
        .add_organiser(
            "moderator@example.org",
            "Mo Moderator",
            "test-coalition",
            Role::Moderator,
        )
        .await;
    let page = app.get_with(&moderator, &evidence_path).await;
    assert!(page.body.contains(&verify));
    assert!(page.body.contains(&format!(
        "/admin/letters/{id}/signatures/{signature}/reject"
    )));
    let csrf = app.organiser_csrf(&moderator).await;
    let done = app.post_with(&moderator, &verify, &[("csrf", &csrf)]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let counts = app.counts("held-orgs").await;
    assert_eq!(counts["total"], 1);
    assert_eq!(counts["by_category"]["Organisation"], 1);
    let log = read_log(&app, "held-orgs").await;
    let add = add_at(&log, 0);
    assert_eq!(add.signer, SignerKind::Organisation);
    assert_eq!(add.verified, Some(Verification::Organiser));
    let letter = app.get("/l/held-orgs").await.body;
    assert!(letter.contains("Northfield Tenants Union"));
    assert!(letter.contains("✓ verified"));
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'signature.verify'"
        )
        .await,
        1
    );
    // Once is enough.
    let again = app.post_with(&moderator, &verify, &[("csrf", &csrf)]).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(
        app.get_with(&moderator, &evidence_path)
            .await
            .body
            .contains("No organisation is waiting")
    );

    let report = audit_report(&app, "held-orgs").await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.counts.organisations, 1);
    assert_eq!(report.counts.verified_organisations, 1);
    app.stop().await;
}

#[tokio::test]
async fn an_organisation_signs_once_by_its_website_domain() {
    let app = spawn_app().await;
    open_letter_for_organisations(&app, "once").await;
    let first = app
        .sign(
            "once",
            &organisation_form(
                "Example Trust",
                "https://example.org",
                "Ada Example",
                "ada@example.org",
            ),
        )
        .await;
    assert_eq!(first.status, 303, "{}", first.body);
    let email = app.mail.wait_for_to("ada@example.org", 1).await;
    let confirmed = app
        .post_with(&client(), &app.confirm_path(&email), &[])
        .await;
    assert_eq!(confirmed.status, 200);

    // The same domain however it is written, from other addresses: the same answer as a
    // first signature, and nothing for the new addresses.
    for (n, website) in [
        "EXAMPLE.ORG",
        "https://www.example.org/about/us",
        "http://Example.org.",
        "www.example.org",
    ]
    .into_iter()
    .enumerate()
    {
        let other = format!("other{n}@mail.test");
        let page = app
            .sign(
                "once",
                &organisation_form("Example Trust (copy)", website, "Eve Other", &other),
            )
            .await;
        assert_eq!(page.status, 303, "{website}: {}", page.body);
        assert_eq!(page.location.as_deref(), Some("/l/once/check-email"));
    }
    app.mail_barrier("once").await;
    for n in 0..4 {
        assert!(app.mail.to(&format!("other{n}@mail.test")).is_empty());
    }
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM signatures WHERE kind = 'organisation'"
        )
        .await,
        1
    );
    assert_eq!(app.counts("once").await["total"], 1);
    let letter = app.get("/l/once").await.body;
    assert!(!letter.contains("(copy)"));
    // A subdomain is another organisation.
    let page = app
        .sign(
            "once",
            &organisation_form(
                "Example Trust Press Office",
                "press.example.org",
                "Pat Press",
                "pat@press.example.org",
            ),
        )
        .await;
    assert_eq!(page.status, 303);
    app.mail.wait_for_to("pat@press.example.org", 1).await;
    app.stop().await;
}

#[tokio::test]
async fn the_organisation_form_names_each_wrong_field() {
    let app = spawn_app().await;
    open_letter_for_organisations(&app, "checked").await;
    let mut unticked = organisation_form(
        "Example Trust",
        "example.org",
        "Ada Example",
        "ada@example.org",
    );
    unticked.retain(|(k, _)| *k != "authorised");
    let page = sign_multipart(&app, "checked", &unticked).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        field_error(&page.body, "authorised")
            .unwrap()
            .contains("may sign for this organisation")
    );
    // The form comes back as the organisation's, with what was typed.
    assert!(page.body.contains("value=\"Example Trust\""));
    assert!(page.body.contains("enctype=\"multipart/form-data\""));

    for website in [
        "",
        "https://192.168.10.4",
        "http://[::1]/",
        "localhost",
        "https://localhost:8080",
        "org",
        "ftp://example.org",
        "javascript:alert(1)",
        "exa mple.org",
    ] {
        let page = app
            .sign(
                "checked",
                &organisation_form("Example Trust", website, "Ada Example", "ada@example.org"),
            )
            .await;
        assert_eq!(page.status, 422, "{website}: {}", page.body);
        assert!(field_error(&page.body, "website").is_some(), "{website}");
    }
    let page = app
        .sign(
            "checked",
            &[("signer", "organisation"), ("authorised", "on")],
        )
        .await;
    assert_eq!(page.status, 422);
    for field in ["organisation", "website", "name", "title", "email"] {
        assert!(field_error(&page.body, field).is_some(), "{field}");
    }
    // Too much text is refused, multipart or not.
    let long = "x".repeat(40 * 1024);
    let page = sign_multipart(
        &app,
        "checked",
        &organisation_form(&long, "example.org", "Ada Example", "ada@example.org"),
    )
    .await;
    assert_eq!(page.status, 413, "{}", page.body);
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM signatures").await,
        0,
        "nothing was stored"
    );
    app.stop().await;
}

#[tokio::test]
async fn organisations_cannot_sign_a_letter_that_does_not_take_them() {
    let app = spawn_app().await;
    app.open_letter("people-only").await;
    let letter = app.get("/l/people-only").await.body;
    assert!(!letter.contains("as=organisation"));
    // Asking for the form shows the people's form.
    let form = app.get("/l/people-only?as=organisation").await.body;
    assert!(!form.contains("name=\"authorised\""));
    let page = app
        .sign(
            "people-only",
            &organisation_form(
                "Example Trust",
                "example.org",
                "Ada Example",
                "ada@example.org",
            ),
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        message_text(&page.body)
            .unwrap_or_default()
            .contains("signatures from people only"),
        "{}",
        page.body
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM signatures").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn the_organisation_category_must_be_one_of_the_letters() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let mut fields = letter_fields("bad-category");
    fields.push(("organisation_category", "Companies".to_owned()));
    let page = app.post_letter(&app.client, &as_form(&fields)).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(field_error(&page.body, "organisation_category").is_some());
    // Any case of a category's name is that category; the editor shows the choice back.
    let mut fields = letter_fields("good-category");
    fields.push(("organisation_category", "organisation".to_owned()));
    let id = app.create_letter(&app.client, &as_form(&fields)).await;
    let edit = app.get(&format!("/admin/letters/{id}/edit")).await.body;
    assert!(
        edit.contains("<option value=\"Organisation\" selected>"),
        "{edit}"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_organisation_signs_with_its_logo_and_a_bad_one_is_refused() {
    use undersigned_testkit::images;
    let app = spawn_app().await;
    open_letter_for_organisations(&app, "logos").await;
    let fields = organisation_form(
        "Example Logo Guild",
        "logo-guild.example",
        "Lou Lettering",
        "lou@logo-guild.example",
    );
    for (bad, what) in [
        (images::svg(), "svg"),
        (images::text_file(), "text"),
        (images::truncated_png(), "truncated"),
        (images::bomb(), "bomb"),
    ] {
        let page = sign_with_logo(&app, "logos", &fields, &bad).await;
        assert_eq!(page.status, 422, "{what}: {}", page.body);
        assert!(field_error(&page.body, "logo").is_some(), "{what}");
    }
    let page = sign_with_logo(&app, "logos", &fields, &images::huge(3)).await;
    assert_eq!(page.status, 413, "{}", page.body);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM signatures").await, 0);

    let page = sign_with_logo(&app, "logos", &fields, &images::png(800, 400)).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let email = app.mail.wait_for_to("lou@logo-guild.example", 1).await;
    let confirmed = app
        .post_with(&client(), &app.confirm_path(&email), &[])
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    let letter = app.get("/l/logos").await.body;
    let at = letter.find("src=\"/logos/").expect("the logo is shown");
    let src: String = letter[at + 5..].chars().take_while(|c| *c != '"').collect();
    let logo = app.client.get(app.url(&src)).send().await.unwrap();
    assert_eq!(logo.status(), 200);
    assert_eq!(logo.headers()["content-type"], "image/png");
    app.stop().await;
}

/// The id of one row that `statement` (with `$1` bound to `value`) selects.
async fn id_where(app: &TestApp, statement: &'static str, value: &str) -> i64 {
    use sqlx::Row;
    let db = app.db().await;
    sqlx::query(statement)
        .bind(value.to_owned())
        .fetch_one(&db)
        .await
        .unwrap()
        .try_get::<i64, _>(0)
        .unwrap()
}

/// Signs as `organisation` from an address on its own domain and confirms: verified.
async fn sign_verified(app: &TestApp, slug: &str, organisation: &str, domain: &str) {
    let email = format!("lead@{domain}");
    sign_organisation_and_confirm(app, slug, organisation, domain, "Rowan Ellery", &email, &[])
        .await;
}

/// The organisations' names in the letter page's grid, in order.
fn grid(body: &str) -> Vec<String> {
    let Some(start) = body.find("<ul class=\"org-grid\">") else {
        return Vec::new();
    };
    let end = start + body[start..].find("</ul>").unwrap();
    body[start..end]
        .split("<bdi class=\"signer-name\">")
        .skip(1)
        .map(|s| s[..s.find("</bdi>").unwrap()].to_owned())
        .collect()
}

/// The names in the letter page's list of people.
fn people(body: &str) -> Vec<String> {
    let Some(start) = body.find("<ol class=\"signers\">") else {
        return Vec::new();
    };
    let end = start + body[start..].find("</ol>").unwrap();
    body[start..end]
        .split("<bdi class=\"signer-name\">")
        .skip(1)
        .map(|s| s[..s.find("</bdi>").unwrap()].to_owned())
        .collect()
}

#[tokio::test]
async fn the_page_shows_organisations_in_a_grid_pinned_first_and_people_apart() {
    let app = spawn_app().await;
    let id = open_letter_for_organisations(&app, "grid").await;
    sign_verified(
        &app,
        "grid",
        "Harbour Rights Network",
        "harbour-rights.example",
    )
    .await;
    app.sign_and_confirm("grid", "Sam Oduya", "sam@mail.test", "public")
        .await;
    sign_verified(&app, "grid", "Valley Legal Aid", "valley-legal.example").await;
    // One from a free-mail address, verified by an organiser afterwards.
    let page = app
        .sign(
            "grid",
            &organisation_form(
                "Coastal Youth Forum",
                "coastal-youth.example",
                "Lee Marrow",
                "lee@mail.test",
            ),
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let message = app.mail.wait_for_to("lee@mail.test", 1).await;
    app.post_with(&client(), &app.confirm_path(&message), &[])
        .await;
    let coastal = id_where(
        &app,
        "SELECT signature_id FROM signature_organisations WHERE name = $1",
        "Coastal Youth Forum",
    )
    .await;
    let csrf = app.organiser_csrf(&app.client).await;
    let verified = app
        .post(
            &format!("/admin/letters/{id}/signatures/{coastal}/verify"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(verified.status, 303, "{}", verified.body);

    // Organisations in the grid, in the order they signed (all verified); people apart.
    let body = app.get("/l/grid").await.body;
    assert_eq!(
        grid(&body),
        [
            "Harbour Rights Network",
            "Valley Legal Aid",
            "Coastal Youth Forum"
        ]
    );
    assert_eq!(people(&body), ["Sam Oduya"]);
    assert!(body.contains("3 organisations"), "{body}");
    assert_eq!(body.matches("✓ verified").count(), 3);
    assert!(body.contains("Signed by Lee Marrow, Director"));

    // A moderator pins the last one: it leads the grid, and the audit trail says who did it.
    let pin = format!("/admin/letters/{id}/signatures/{coastal}/pin");
    let pinned = app.post(&pin, &[("csrf", &csrf)]).await;
    assert_eq!(pinned.status, 303, "{}", pinned.body);
    let body = app.get("/l/grid").await.body;
    assert_eq!(
        grid(&body),
        [
            "Coastal Youth Forum",
            "Harbour Rights Network",
            "Valley Legal Aid"
        ]
    );
    assert!(body.contains("class=\"org pinned\""));
    let admin = app.get(pinned.location.as_deref().unwrap()).await.body;
    assert!(admin.contains("Pinned: it now comes first"), "{admin}");
    assert!(admin.contains("Unpin"));
    let audit = app.get(&format!("/admin/letters/{id}/audit")).await.body;
    assert!(audit.contains("organisation.pin"), "{audit}");

    // Unpinned, it goes back to its place.
    let unpin = format!("/admin/letters/{id}/signatures/{coastal}/unpin");
    assert_eq!(app.post(&unpin, &[("csrf", &csrf)]).await.status, 303);
    assert_eq!(
        grid(&app.get("/l/grid").await.body)[0],
        "Harbour Rights Network"
    );

    // Only moderators and up pin; only published organisations of this letter can be.
    let viewer = app
        .add_organiser(
            "viewer@example.org",
            "Vera Viewer",
            "test-coalition",
            Role::Viewer,
        )
        .await;
    let viewer_csrf = app.organiser_csrf(&viewer).await;
    let refused = app
        .post_with(&viewer, &pin, &[("csrf", &viewer_csrf)])
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(app.post(&pin, &[]).await.status, 403, "no form token");
    let sam = id_where(
        &app,
        "SELECT id FROM signatures WHERE kind <> 'organisation' AND letter_id = \
         (SELECT id FROM letters WHERE slug = $1)",
        "grid",
    )
    .await;
    for signature in [
        sam.to_string(),
        "999999".to_owned(),
        "not-a-number".to_owned(),
    ] {
        let page = app
            .post(
                &format!("/admin/letters/{id}/signatures/{signature}/pin"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(page.status, 404, "{signature}: {}", page.body);
    }
    assert!(
        !app.get("/l/grid")
            .await
            .body
            .contains("class=\"org pinned\"")
    );
    app.stop().await;
}

#[tokio::test]
async fn people_cannot_sign_under_the_organisations_category() {
    let app = spawn_app().await;
    open_letter_for_organisations(&app, "apart").await;
    let organisation_category = id_where(
        &app,
        "SELECT id FROM letter_categories WHERE name = $1",
        "Organisation",
    )
    .await
    .to_string();
    // The people's form does not offer it…
    let offered = app.categories("apart").await;
    assert!(!offered.contains(&organisation_category), "{offered:?}");
    assert!(!offered.is_empty());
    // …and refuses it when it is posted anyway.
    let page = app
        .sign(
            "apart",
            &[
                ("name", "Ira Pennock"),
                ("email", "ira@mail.test"),
                ("category", &organisation_category),
                ("display", "public"),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        field_error(&page.body, "category").is_some(),
        "{}",
        page.body
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM signatures").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn the_grid_pages_by_key_and_ignores_a_bad_one() {
    let app = spawn_app().await;
    open_letter_for_organisations(&app, "many").await;
    for n in 0..61 {
        sign_verified(
            &app,
            "many",
            &format!("Member Group {n:02}"),
            &format!("group{n:02}.example"),
        )
        .await;
    }
    let first = app.get("/l/many").await.body;
    let shown = grid(&first);
    assert_eq!(shown.len(), 60);
    assert_eq!(shown[0], "Member Group 00");
    let next = first
        .split("href=\"/l/many?orgs=")
        .nth(1)
        .and_then(|s| s.split('#').next())
        .expect("a link to more organisations")
        .to_owned();
    let second = app.get(&format!("/l/many?orgs={next}")).await.body;
    assert_eq!(grid(&second), ["Member Group 60"]);
    assert!(second.contains("First organisations"));
    assert!(!second.contains("More organisations"));
    for bad in ["zzz", "9-1", "-1", "1-", "1-99999999999999999999999"] {
        let page = app.get(&format!("/l/many?orgs={bad}")).await;
        assert_eq!(page.status, 200, "{bad}");
        assert_eq!(grid(&page.body).len(), 60, "{bad}");
    }
    app.stop().await;
}

#[tokio::test]
async fn an_organisation_that_withdrew_signs_again_as_it_is_now() {
    let app = TestApp::init()
        .with_clock(undersigned_server::clock::Clock::manual(
            undersigned_server::format::now(),
        ))
        .spawn()
        .await;
    open_letter_for_organisations(&app, "again").await;
    let link = sign_organisation_and_confirm(
        &app,
        "again",
        "Example Press Collective",
        "example.org",
        "Jo Quillfeather",
        "jo@example.org",
        &[],
    )
    .await;
    let gone = app
        .post_with(&client(), &format!("{link}/withdraw"), &[])
        .await;
    assert_eq!(gone.status, 200, "{}", gone.body);
    assert_eq!(app.counts("again").await["total"], 0);

    // It signs again under a new name (from another address on its domain), an hour later
    // (no address is emailed twice in a row): the link goes to the address that signed
    // first, and the page shows the new name once confirmed.
    app.clock.advance(3600);
    let page = app
        .sign(
            "again",
            &organisation_form(
                "Example Press Cooperative",
                "https://example.org/about",
                "Jo Quillfeather",
                "press@example.org",
            ),
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(app.mail.to("press@example.org").is_empty());
    let second = app.mail.wait_for_to("jo@example.org", 2).await;
    let link = app.confirm_path(&second);
    assert!(
        app.get(&link)
            .await
            .body
            .contains("Example Press Cooperative")
    );
    let confirmed = app.post_with(&client(), &link, &[]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    let letter = app.get("/l/again").await.body;
    assert_eq!(grid(&letter), ["Example Press Cooperative"]);
    assert!(letter.contains("✓ verified"));
    assert_eq!(app.counts("again").await["by_category"]["Organisation"], 1);
    let log = read_log(&app, "again").await;
    assert_eq!(log.entries.len(), 3, "add, remove, add");
    assert_eq!(add_at(&log, 2).verified, Some(Verification::Domain));
    let report = audit_report(&app, "again").await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.counts.organisations, 1);
    app.stop().await;
}

#[tokio::test]
async fn whoever_signed_for_an_organisation_can_ask_for_a_new_link_with_its_website() {
    let app = TestApp::init()
        .with_clock(undersigned_server::clock::Clock::manual(
            undersigned_server::format::now(),
        ))
        .spawn()
        .await;
    open_letter_for_organisations(&app, "lost-org").await;
    sign_verified(
        &app,
        "lost-org",
        "Harbour Rights Network",
        "harbour.example",
    )
    .await;
    let letter = app.get("/l/lost-org").await.body;
    assert!(letter.contains("id=\"lost-website\""));
    // Past the signature's backoff.
    app.clock.advance(3600);
    let ask = |email: &'static str, website: &'static str| {
        let app = &app;
        async move {
            app.post_with(
                &client(),
                "/l/lost-org/link",
                &[("email", email), ("website", website)],
            )
            .await
        }
    };

    // Somebody else, with the organisation's website: the same answer, no email to them.
    let other = ask("someone@harbour.example", "https://harbour.example/").await;
    assert_eq!(other.status, 200, "{}", other.body);
    assert!(other.body.contains("If this address signed"));
    // Its signer, with the website (written another way): a manage link, by email.
    let theirs = ask("LEAD@harbour.example", "www.harbour.example").await;
    assert_eq!(theirs.status, 200);
    assert_eq!(theirs.body, other.body, "the same page either way");
    let mail = app.mail.wait_for_to("lead@harbour.example", 2).await;
    let link = mail.confirm_path().expect("a link");
    let manage = app.get(&link).await;
    assert_eq!(manage.status, 200, "{}", manage.body);
    assert!(
        manage.body.contains("Harbour Rights Network"),
        "{}",
        manage.body
    );
    assert!(app.mail.to("someone@harbour.example").is_empty());
    // The signer's address alone finds no person's signature.
    app.clock.advance(86_400);
    assert_eq!(ask("lead@harbour.example", "").await.status, 200);
    app.sign_pending("lost-org", "Barry Barrier", "barrier@example.org")
        .await;
    assert_eq!(app.mail.to("lead@harbour.example").len(), 2);

    // A website that is not one is named at its field.
    let bad = ask("lead@harbour.example", "localhost").await;
    assert_eq!(bad.status, 422);
    assert!(field_error(&bad.body, "website").is_some(), "{}", bad.body);
    app.stop().await;
}
