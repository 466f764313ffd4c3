//! A workspace as the host of its letters: owners set its name, website and logo; every
//! letter page names it; logos are checked, re-encoded and served for a year.

use undersigned_core::Role;
use undersigned_testkit::images;

use crate::helpers::*;

const WORKSPACE: &str = "/admin/workspaces/test-coalition";
const BRANDING: &str = "/admin/workspaces/test-coalition/branding";

/// The owner's branding form, sent with `fields` and a logo file when given.
async fn send_branding(
    app: &TestApp,
    client: &reqwest::Client,
    fields: &[(&str, &str)],
    logo: Option<(&str, Vec<u8>)>,
) -> Page {
    let csrf = app.organiser_csrf(client).await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let files: Vec<(&str, &str, Vec<u8>)> = logo
        .into_iter()
        .map(|(file_name, bytes)| ("logo", file_name, bytes))
        .collect();
    app.post_multipart(client, BRANDING, &all, &files).await
}

/// The address of the logo the letter page shows its host with.
fn host_logo(html: &str) -> Option<String> {
    let at = html.find("class=\"host-logo\" src=\"")? + "class=\"host-logo\" src=\"".len();
    Some(html[at..at + html[at..].find('"')?].to_owned())
}

#[tokio::test]
async fn an_owner_names_the_host_and_every_letter_page_shows_it() {
    let app = spawn_app().await;
    app.open_letter("host-letter").await;
    let before = app.get("/l/host-letter").await;
    assert!(
        before
            .body
            .contains("A letter hosted by <bdi>Test Coalition</bdi>")
    );
    assert!(
        before.body.contains("Published on <time datetime=\""),
        "{}",
        before.body
    );

    let page = send_branding(
        &app,
        &app.client,
        &[
            ("name", "Coalition for Fair Play"),
            ("website", "fairplay.example.org"),
        ],
        Some(("logo.png", images::png(900, 300))),
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);

    let letter = app.get("/l/host-letter").await;
    assert!(
        letter.body.contains(
            "<a href=\"https://fairplay.example.org/\" rel=\"noopener\"><bdi>Coalition for Fair Play</bdi></a>"
        ),
        "{}",
        letter.body
    );
    let logo = host_logo(&letter.body).expect("the page shows the host's logo");
    assert!(
        logo.starts_with("/logos/") && logo.ends_with(".png"),
        "{logo}"
    );

    // The logo: a PNG scaled to fit 512 pixels, cached for a year, revalidated by its ETag.
    let served = app.client.get(app.url(&logo)).send().await.unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(
        served.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let etag = served.headers()["etag"].clone();
    let bytes = served.bytes().await.unwrap();
    let decoded = image::load_from_memory(&bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (512, 171));
    let again = app
        .client
        .get(app.url(&logo))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    // The audit trail says who changed it.
    let dashboard = app.get("/admin").await;
    assert!(
        dashboard.body.contains("workspace.branding"),
        "{}",
        dashboard.body
    );

    // Keeping the logo while renaming, then removing it.
    let page = send_branding(
        &app,
        &app.client,
        &[("name", "Fair Play Coalition"), ("website", "")],
        None,
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let letter = app.get("/l/host-letter").await;
    assert!(
        letter
            .body
            .contains("A letter hosted by <bdi>Fair Play Coalition</bdi>")
    );
    assert_eq!(host_logo(&letter.body).as_deref(), Some(logo.as_str()));
    let page = send_branding(
        &app,
        &app.client,
        &[("name", "Fair Play Coalition"), ("remove_logo", "1")],
        None,
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(host_logo(&app.get("/l/host-letter").await.body), None);
}

#[tokio::test]
async fn every_kind_of_bad_logo_gets_a_message_and_changes_nothing() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("logo.svg", images::svg(), "SVG logos are not accepted"),
        ("logo.png", images::text_file(), "That file is not an image"),
        ("logo.png", images::bomb(), "100000 × 100000 pixels"),
        ("logo.png", images::truncated_png(), "truncated or damaged"),
    ];
    for (file_name, bytes, message) in cases {
        let page = send_branding(
            &app,
            &app.client,
            &[("name", "Renamed Coalition")],
            Some((file_name, bytes)),
        )
        .await;
        assert_eq!(page.status, 422, "{message}: {}", page.body);
        let error = field_error(&page.body, "logo").expect("the logo field has an error");
        assert!(error.contains(message), "{error}");
        // What the owner typed is kept for the next try.
        assert!(page.body.contains("value=\"Renamed Coalition\""));
    }
    // 20 MB: refused while it is read, with what the limit is.
    let page = send_branding(
        &app,
        &app.client,
        &[("name", "Renamed Coalition")],
        Some(("logo.png", images::huge(20))),
    )
    .await;
    assert_eq!(page.status, 413);
    assert!(page.body.contains("at most 2 MB"), "{}", page.body);
    // Nothing changed.
    let settings = app.get(WORKSPACE).await;
    assert!(
        settings.body.contains("value=\"Test Coalition\""),
        "{}",
        settings.body
    );
}

#[tokio::test]
async fn bad_names_and_websites_are_refused_with_messages() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    for (name, website, field, message) in [
        ("", "", "name", "This field is required."),
        ("Fair\u{7}Play", "", "name", "control characters"),
        (
            "Fair Play",
            "javascript:alert(1)",
            "website",
            "for example https://example.org",
        ),
        (
            "Fair Play",
            "https://localhost/",
            "website",
            "for example https://example.org",
        ),
        (
            "Fair Play",
            "https://user:secret@example.org/",
            "website",
            "user name and password",
        ),
        (
            "Fair Play",
            &format!("https://example.org/{}", "a".repeat(300)),
            "website",
            "at most 300",
        ),
    ] {
        let page = send_branding(
            &app,
            &app.client,
            &[("name", name), ("website", website)],
            None,
        )
        .await;
        assert_eq!(page.status, 422, "{name:?} {website:?}: {}", page.body);
        let error = field_error(&page.body, field).expect("an error on the field");
        assert!(error.contains(message), "{error}");
    }
}

#[tokio::test]
async fn only_owners_change_the_host_and_forms_need_their_token() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    for role in [Role::Editor, Role::Moderator, Role::Viewer] {
        let email = format!("{role}@example.org");
        let member = app
            .add_organiser(&email, "Member Person", "test-coalition", role)
            .await;
        // They see how the workspace appears, without the form.
        let page = app.get_with(&member, WORKSPACE).await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("enctype=\"multipart/form-data\""));
        let page = send_branding(&app, &member, &[("name", "Taken Over")], None).await;
        assert_eq!(page.status, 403, "{role}: {}", page.body);
    }
    // A member of another workspace does not find it.
    let stranger = app
        .add_organiser(
            "stranger@example.org",
            "Stranger Person",
            "elsewhere",
            Role::Owner,
        )
        .await;
    assert_eq!(app.get_with(&stranger, WORKSPACE).await.status, 404);
    // No token, a wrong token, no login.
    let page = app
        .post_multipart(&app.client, BRANDING, &[("name", "Forged")], &[])
        .await;
    assert_eq!(page.status, 403);
    let page = app
        .post_multipart(
            &app.client,
            BRANDING,
            &[("csrf", "wrong"), ("name", "Forged")],
            &[],
        )
        .await;
    assert_eq!(page.status, 403);
    let anonymous = client();
    let page = app.get_with(&anonymous, WORKSPACE).await;
    assert_eq!(page.status, 303);
    // A urlencoded post is not this form.
    let csrf = app.organiser_csrf(&app.client).await;
    let page = app
        .post(BRANDING, &[("csrf", csrf.as_str()), ("name", "Forged")])
        .await;
    assert_eq!(page.status, 415);
    assert!(
        app.get(WORKSPACE)
            .await
            .body
            .contains("value=\"Test Coalition\"")
    );
}

#[tokio::test]
async fn unknown_and_malformed_logo_addresses_are_not_found() {
    let app = spawn_app().await;
    for path in [
        format!("/logos/{}.png", "ab".repeat(32)),
        format!("/logos/{}.png", "AB".repeat(32)),
        "/logos/not-a-hash.png".to_owned(),
        format!("/logos/{}", "ab".repeat(32)),
    ] {
        assert_eq!(app.get(&path).await.status, 404, "{path}");
    }
}
