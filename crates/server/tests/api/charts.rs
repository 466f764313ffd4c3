//! Charts of a letter's signatures (drawn on the server, no script) on its public page and
//! its organisers' page, and the host's colour, name and logo on every page of its letters.

use undersigned_core::Role;

use crate::helpers::*;

const WORKSPACE: &str = "/admin/workspaces/test-coalition";
const BRANDING: &str = "/admin/workspaces/test-coalition/branding";

/// The owner's (or `client`'s) branding form, sent with `fields`.
async fn send_branding(app: &TestApp, client: &reqwest::Client, fields: &[(&str, &str)]) -> Page {
    let csrf = app.organiser_csrf(client).await;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    app.post_multipart(client, BRANDING, &all, &[]).await
}

/// Signs `slug` as `name` in the category at `category` (of the form's), publicly; returns
/// the emailed confirmation path.
async fn sign_in(app: &TestApp, slug: &str, category: usize, name: &str, email: &str) -> String {
    let before = app.mail.to(email).len();
    let categories = app.categories(slug).await;
    let page = app
        .sign(
            slug,
            &[
                ("name", name),
                ("email", email),
                ("category", &categories[category]),
                ("display", "public"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    app.confirm_path(&app.mail.wait_for_to(email, before + 1).await)
}

async fn confirm(app: &TestApp, path: &str) {
    let page = app.post_with(&client(), path, &[]).await;
    assert_eq!(page.status, 200, "{}", page.body);
}

/// The part of `html` from `from` to the end of the section it starts.
fn section<'a>(html: &'a str, from: &str) -> &'a str {
    let start = html
        .find(from)
        .unwrap_or_else(|| panic!("no {from:?} in {html}"));
    let end = html[start..]
        .find("</section>")
        .map_or(html.len(), |e| start + e);
    &html[start..end]
}

#[tokio::test]
async fn the_letter_page_draws_published_signatures_over_time_and_by_category() {
    let app = spawn_app().await;
    let id = app.open_letter("charted").await;
    // Nothing signed yet: nothing to draw.
    let page = app.get("/l/charted").await;
    assert!(!page.body.contains("class=\"charts\""), "{}", page.body);

    for (category, name, email) in [
        (0, "Orla Example", "orla@example.org"),
        (0, "Otto Example", "otto@example.org"),
        (1, "Sami Example", "sami@example.org"),
    ] {
        let path = sign_in(&app, "charted", category, name, email).await;
        confirm(&app, &path).await;
    }
    // Not counted: a signature waiting for its email, and one taken back.
    sign_in(&app, "charted", 2, "Pending Example", "pending@example.org").await;
    let gone = sign_in(&app, "charted", 2, "Gone Example", "gone@example.org").await;
    confirm(&app, &gone).await;
    let withdrawn = app
        .post_with(&client(), &format!("{gone}/withdraw"), &[])
        .await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);

    let page = app.get("/l/charted").await;
    assert_eq!(page.status, 200);
    let charts = section(&page.body, "<section class=\"charts\"");
    // Two pictures, each an image named by its caption.
    assert_eq!(
        charts
            .matches("<svg class=\"chart-svg\" role=\"img\"")
            .count(),
        2
    );
    assert!(charts.contains("aria-labelledby=\"chart-time-caption\""));
    assert!(charts.contains("aria-labelledby=\"chart-categories-caption\""));
    // Over time: the three published ones, on one day.
    assert!(charts.contains("<figcaption id=\"chart-time-caption\"><strong>Signatures over time.</strong> 3 signatures on "), "{charts}");
    // By category, with the numbers written and in the table.
    assert!(
        charts.contains("3 signatures by category. Organisation: 2; Survivor: 1; Supporter: 0."),
        "{charts}"
    );
    assert!(charts.contains("<text class=\"value\""));
    assert!(
        charts.contains("<th scope=\"row\"><bdi>Organisation</bdi></th><td>2</td>"),
        "{charts}"
    );
    assert!(
        charts.contains("<th scope=\"row\"><bdi>Supporter</bdi></th><td>0</td>"),
        "{charts}"
    );
    assert!(charts.contains("<td>3</td><td>3</td>"), "{charts}");
    // No script draws them.
    assert!(!charts.contains("<script"));
    for handler in [" onload=", " onclick=", " onmouseover=", "javascript:"] {
        assert!(!charts.contains(handler), "{handler}: {charts}");
    }

    // The check-the-count block speaks to signers, with the commands behind a toggle.
    let verify = section(&page.body, "<section class=\"verify\"");
    assert!(
        verify.contains("The record has <strong>5</strong> entries so far"),
        "{verify}"
    );
    let details = verify.find("<details>").expect("a details toggle");
    assert!(
        verify
            .find("undersigned audit")
            .is_some_and(|at| at > details)
    );

    // The organisers' page: the same pictures, and where every signature stands.
    let admin = app.get(&format!("/admin/letters/{id}")).await;
    assert_eq!(admin.status, 200);
    assert_eq!(
        admin
            .body
            .matches("<svg class=\"chart-svg\" role=\"img\"")
            .count(),
        2
    );
    assert!(
        admin
            .body
            .contains("Organisation: 2; Survivor: 1; Supporter: 0.")
    );
    for (words, n) in [
        ("Waiting for the signer to confirm their email", "1"),
        ("Published (counted)", "3"),
        ("Withdrawn", "1"),
    ] {
        assert!(
            admin
                .body
                .contains(&format!("<dt>{words}</dt><dd>{n}</dd>")),
            "{words}: {}",
            admin.body
        );
    }
    // Anonymous visitors do not get the organisers' page.
    assert_eq!(
        app.get_with(&client(), &format!("/admin/letters/{id}"))
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn category_names_are_escaped_in_the_pictures() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let mut fields = letter_fields("escaped");
    for (key, value) in fields.iter_mut() {
        if *key == "categories" {
            *value = "<script>alert(1)</script>\nSupporter".to_owned();
        }
    }
    let id = app.create_letter(&app.client, &as_form(&fields)).await;
    assert_eq!(app.publish(&app.client, id).await.status, 303);
    let path = sign_in(&app, "escaped", 0, "Esme Example", "esme@example.org").await;
    confirm(&app, &path).await;
    let page = app.get("/l/escaped").await;
    let charts = section(&page.body, "<section class=\"charts\"");
    assert!(!charts.contains("<script>"), "{charts}");
    assert!(
        charts.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{charts}"
    );
}

#[tokio::test]
async fn an_owner_sets_the_host_colour_and_every_page_of_its_letters_uses_it() {
    let app = spawn_app().await;
    app.open_letter("branded").await;
    let page = app.get("/l/branded").await;
    assert!(!page.body.contains("/brand/"), "no colour yet");

    let page = send_branding(
        &app,
        &app.client,
        &[("name", "Coalition for Fair Play"), ("colour", "#1A5E3A")],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let settings = app.get(WORKSPACE).await;
    assert!(
        settings.body.contains("value=\"#1a5e3a\""),
        "{}",
        settings.body
    );

    // The stylesheet: the colour as the page's accent and focus ring, cached for good.
    let css = app.get("/brand/1a5e3a.css").await;
    assert_eq!(css.status, 200);
    assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");
    assert_eq!(
        css.headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        css.body.contains("--accent: #1a5e3a; --focus: #1a5e3a;"),
        "{}",
        css.body
    );
    // Only colours a host could choose.
    for path in [
        "/brand/ffcc00.css",
        "/brand/red.css",
        "/brand/1A5E3A.css",
        "/brand/1a5e3a",
    ] {
        assert_eq!(app.get(path).await.status, 404, "{path}");
    }

    // The letter, its privacy notice, the confirmation and lost-link pages: linked to the
    // colour, with the host's name in the header and Undersigned in the footer.
    let confirm_path = app
        .sign_pending("branded", "Bea Example", "bea@example.org")
        .await;
    for path in [
        "/l/branded".to_owned(),
        "/l/branded/privacy".to_owned(),
        "/l/branded/link".to_owned(),
        confirm_path.clone(),
    ] {
        let page = app.get_with(&client(), &path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(
            page.body
                .contains("<link rel=\"stylesheet\" href=\"/brand/1a5e3a.css\">"),
            "{path}: {}",
            page.body
        );
        assert!(
            page.body
                .contains("<p class=\"brand host-brand\"><bdi>Coalition for Fair Play</bdi></p>"),
            "{path}: {}",
            page.body
        );
        assert!(page.body.contains("Powered by Undersigned"), "{path}");
    }
    // Pages that are not a letter's keep the site's frame.
    let home = app.get_with(&client(), "/").await;
    assert!(!home.body.contains("/brand/"));
    assert!(!home.body.contains("host-brand"));

    // Back to the site's colour.
    let page = send_branding(
        &app,
        &app.client,
        &[("name", "Coalition for Fair Play"), ("colour", "")],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(!app.get("/l/branded").await.body.contains("/brand/"));
}

#[tokio::test]
async fn colours_that_are_not_hex_or_too_light_are_refused_with_a_message() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    for (colour, message) in [
        ("red", "six hexadecimal digits"),
        ("#12345", "six hexadecimal digits"),
        ("#1f4e79\"><script>", "six hexadecimal digits"),
        ("#ffcc00", "too light"),
        ("#767676", "too light"),
    ] {
        let page = send_branding(
            &app,
            &app.client,
            &[("name", "Renamed Coalition"), ("colour", colour)],
        )
        .await;
        assert_eq!(page.status, 422, "{colour}: {}", page.body);
        let error = field_error(&page.body, "colour").expect("an error on the colour");
        assert!(error.contains(message), "{colour}: {error}");
        assert!(page.body.contains("aria-invalid=\"true\""));
        assert!(page.body.contains("class=\"error-summary\""));
        assert!(!page.body.contains("<script>"));
    }
    // Nothing changed.
    let settings = app.get(WORKSPACE).await;
    assert!(settings.body.contains("value=\"Test Coalition\""));
}

#[tokio::test]
async fn only_owners_set_the_colour() {
    let app = spawn_app().await;
    app.open_letter("owned").await;
    for role in [Role::Editor, Role::Viewer] {
        let member = app
            .add_organiser(
                &format!("{role}@example.org"),
                "Member Person",
                "test-coalition",
                role,
            )
            .await;
        let page = send_branding(
            &app,
            &member,
            &[("name", "Test Coalition"), ("colour", "#1a5e3a")],
        )
        .await;
        assert_eq!(page.status, 403, "{role}: {}", page.body);
    }
    let page = app
        .post_multipart(
            &client(),
            BRANDING,
            &[("name", "X"), ("colour", "#1a5e3a")],
            &[],
        )
        .await;
    // Anonymous: sent to log in, nothing changed.
    assert_eq!(page.status, 303);
    assert!(!app.get("/l/owned").await.body.contains("/brand/"));
}
