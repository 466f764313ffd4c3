//! Forged requests, roles, logged-out visitors, user text that tries to become markup,
//! redirects that try to leave the site, and the headers and cookies every page gets.

use undersigned_core::Role;

use crate::helpers::*;

/// The letter's state as its organiser page shows it.
async fn state_of(app: &TestApp, client: &reqwest::Client, id: i64) -> String {
    let page = app.get_with(client, &format!("/admin/letters/{id}")).await;
    assert_eq!(page.status, 200);
    let marker = "<span class=\"state state-";
    let at = page.body.find(marker).unwrap() + marker.len();
    page.body[at..at + page.body[at..].find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn organiser_forms_without_the_right_csrf_token_are_403() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let id = app
        .create_letter(&app.client, &as_form(&letter_fields("forged")))
        .await;
    let fields = letter_fields("forged-new");

    for csrf in [None, Some(""), Some("wrong"), Some(&*"A".repeat(43))] {
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut form: Vec<(&str, &str)> = csrf.map(|c| ("csrf", c)).into_iter().collect();
            form.extend_from_slice(extra);
            form
        };
        let mut new = with(&[]);
        new.extend(as_form(&fields));
        let new = app.post("/admin/letters/new", &new).await;
        assert_eq!(new.status, 403, "{csrf:?}");
        assert!(new.body.contains("another site"));

        let mut edit = with(&[]);
        edit.extend(as_form(&fields));
        let edit = app.post(&format!("/admin/letters/{id}/edit"), &edit).await;
        assert_eq!(edit.status, 403);

        for action in ["publish", "close"] {
            let page = app
                .post(&format!("/admin/letters/{id}/{action}"), &with(&[]))
                .await;
            assert_eq!(page.status, 403, "{action} {csrf:?}");
        }
        let logout = app.post("/logout", &with(&[])).await;
        assert_eq!(logout.status, 403);
    }

    // Nothing changed, and the organiser is still logged in.
    assert_eq!(state_of(&app, &app.client, id).await, "draft");
    assert_eq!(app.letter_count(&app.client).await, 1, "no letter created");
    let form = app.get(&format!("/admin/letters/{id}/edit")).await;
    assert!(form.body.contains("value=\"forged\""));

    // Another organiser's token is no good either.
    let other = app
        .add_organiser(
            "eve@example.org",
            "Eve Editor",
            "test-coalition",
            Role::Editor,
        )
        .await;
    let their_csrf = app.organiser_csrf(&other).await;
    let page = app
        .post(
            &format!("/admin/letters/{id}/publish"),
            &[("csrf", &their_csrf)],
        )
        .await;
    assert_eq!(page.status, 403);
    assert_eq!(state_of(&app, &app.client, id).await, "draft");
    app.stop().await;
}

#[tokio::test]
async fn requests_from_another_site_are_403() {
    let app = spawn_app().await;
    let id = app.open_letter("cross-site").await;
    let csrf = app.organiser_csrf(&app.client).await;

    // The public signing form is not in this list: embeds show it on other sites (see
    // embed.rs); it uses no session, and only a confirmed email address makes it count.
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let close = app
            .send(
                app.client
                    .post(app.url(&format!("/admin/letters/{id}/close")))
                    .header(header, value)
                    .form(&[("csrf", &csrf)]),
            )
            .await;
        assert_eq!(close.status, 403, "{header}: {value}");

        let browser = client();
        let login_csrf = app.get_with(&browser, "/login").await.csrf();
        let login = app
            .send(
                browser
                    .post(app.url("/login"))
                    .header(header, value)
                    .form(&[
                        ("csrf", login_csrf.as_str()),
                        ("email", OWNER_EMAIL),
                        ("password", OWNER_PASSWORD),
                    ]),
            )
            .await;
        assert_eq!(login.status, 403, "{header}: {value}");
        assert!(login.headers.get("set-cookie").is_none());
    }

    assert_eq!(state_of(&app, &app.client, id).await, "open");
    app.stop().await;
}

#[tokio::test]
async fn the_login_form_needs_its_cookie_and_its_field() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let form = |csrf: &str| {
        vec![
            ("csrf", csrf.to_owned()),
            ("email", OWNER_EMAIL.to_owned()),
            ("password", OWNER_PASSWORD.to_owned()),
        ]
    };

    // No cookie: a token from someone else's page does not help.
    let someone = client();
    let their_token = app.get_with(&someone, "/login").await.csrf();
    let fresh = client();
    let page = app
        .post_with(&fresh, "/login", &as_form(&form(&their_token)))
        .await;
    assert_eq!(page.status, 403);

    // A cookie, but no field, an empty one or another one.
    let browser = client();
    let mine = app.get_with(&browser, "/login").await.csrf();
    let no_field = [("email", OWNER_EMAIL), ("password", OWNER_PASSWORD)];
    assert_eq!(
        app.post_with(&browser, "/login", &no_field).await.status,
        403
    );
    for wrong in ["", "x", their_token.as_str()] {
        let page = app
            .post_with(&browser, "/login", &as_form(&form(wrong)))
            .await;
        assert_eq!(page.status, 403, "{wrong:?}");
        assert!(page.headers.get("set-cookie").is_none());
    }
    assert_eq!(app.get_with(&browser, "/admin").await.status, 303);

    // The right pair works.
    let page = app
        .post_with(&browser, "/login", &as_form(&form(&mine)))
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(app.get_with(&browser, "/admin").await.status, 200);
    app.stop().await;
}

#[tokio::test]
async fn viewers_can_look_but_not_change() {
    let app = spawn_app().await;
    let open = app.open_letter("watched").await;
    let draft = app
        .create_letter(&app.client, &as_form(&letter_fields("watched-draft")))
        .await;
    let viewer = app
        .add_organiser(
            "vera@example.org",
            "Vera Viewer",
            "test-coalition",
            Role::Viewer,
        )
        .await;

    let dashboard = app.get_with(&viewer, "/admin").await;
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.body.contains("Investigate the academy now"));
    assert!(dashboard.body.contains("viewer"));
    assert!(!dashboard.body.contains("New letter"));
    for path in [
        format!("/admin/letters/{open}"),
        format!("/admin/letters/{open}/preview"),
        format!("/admin/letters/{open}/signatures"),
        format!("/admin/letters/{draft}"),
    ] {
        assert_eq!(app.get_with(&viewer, &path).await.status, 200, "{path}");
    }
    let page = app
        .get_with(&viewer, &format!("/admin/letters/{draft}"))
        .await;
    assert!(!page.body.contains("/publish"), "no publish button");
    assert!(!page.body.contains("/edit"), "no edit button");

    for path in [
        "/admin/letters/new".to_owned(),
        format!("/admin/letters/{draft}/edit"),
    ] {
        let page = app.get_with(&viewer, &path).await;
        assert_eq!(page.status, 403, "{path}");
        assert!(page.body.contains("Not allowed"));
    }

    let csrf = app.organiser_csrf(&viewer).await;
    let fields = letter_fields("viewer-letter");
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend(as_form(&fields));
    for path in [
        "/admin/letters/new".to_owned(),
        format!("/admin/letters/{draft}/edit"),
    ] {
        let page = app.post_with(&viewer, &path, &form).await;
        assert_eq!(page.status, 403, "{path}");
    }
    for path in [
        format!("/admin/letters/{draft}/publish"),
        format!("/admin/letters/{open}/close"),
    ] {
        let page = app.post_with(&viewer, &path, &[("csrf", &csrf)]).await;
        assert_eq!(page.status, 403, "{path}");
    }

    assert_eq!(state_of(&app, &app.client, draft).await, "draft");
    assert_eq!(state_of(&app, &app.client, open).await, "open");
    assert_eq!(app.letter_count(&app.client).await, 2, "no letter created");
    let form = app.get(&format!("/admin/letters/{draft}/edit")).await;
    assert!(form.body.contains("value=\"watched-draft\""));
    app.stop().await;
}

#[tokio::test]
async fn organisers_of_another_workspace_cannot_see_the_letter() {
    let app = spawn_app().await;
    let id = app.open_letter("ours").await;
    let outsider = app
        .add_organiser(
            "otto@example.org",
            "Otto Outsider",
            "other-coalition",
            Role::Owner,
        )
        .await;

    let dashboard = app.get_with(&outsider, "/admin").await;
    assert_eq!(dashboard.status, 200);
    assert!(!dashboard.body.contains("Investigate the academy now"));
    for suffix in ["", "/edit", "/preview", "/signatures"] {
        let page = app
            .get_with(&outsider, &format!("/admin/letters/{id}{suffix}"))
            .await;
        assert_eq!(page.status, 404, "{suffix}");
        assert!(page.body.contains("Page not found"));
    }
    let csrf = app.organiser_csrf(&outsider).await;
    for action in ["close", "publish"] {
        let page = app
            .post_with(
                &outsider,
                &format!("/admin/letters/{id}/{action}"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(page.status, 404, "{action}");
    }
    let fields = letter_fields("ours");
    let mut edit = vec![("csrf", csrf.as_str())];
    edit.extend(as_form(&fields));
    let page = app
        .post_with(&outsider, &format!("/admin/letters/{id}/edit"), &edit)
        .await;
    assert_eq!(page.status, 404);

    // Naming the first workspace in the form does not let them write there.
    let ours = {
        let form = app.get("/admin/letters/new").await;
        hidden_value(&form.body, "workspace").unwrap()
    };
    let fields = letter_fields("planted");
    let mut new = vec![("csrf", csrf.as_str()), ("workspace", ours.as_str())];
    new.extend(as_form(&fields));
    let page = app.post_with(&outsider, "/admin/letters/new", &new).await;
    assert_eq!(page.status, 422);
    assert_eq!(app.letter_count(&app.client).await, 1, "no letter created");
    assert_eq!(app.letter_count(&outsider).await, 0);

    assert_eq!(state_of(&app, &app.client, id).await, "open");
    app.stop().await;
}

#[tokio::test]
async fn logged_out_visitors_are_sent_to_the_login_page() {
    let app = spawn_app().await;
    let id = app.open_letter("locked").await;
    let visitor = client();

    for path in [
        "/admin".to_owned(),
        "/admin/letters/new".to_owned(),
        format!("/admin/letters/{id}"),
        format!("/admin/letters/{id}/edit"),
        format!("/admin/letters/{id}/preview"),
        format!("/admin/letters/{id}/signatures"),
    ] {
        let page = app.get_with(&visitor, &path).await;
        assert_eq!(page.status, 303, "{path}");
        assert_eq!(page.location, Some(login_redirect(&path)), "{path}");
    }
    let fields = letter_fields("sneaky");
    for path in [
        "/admin/letters/new".to_owned(),
        format!("/admin/letters/{id}/edit"),
        format!("/admin/letters/{id}/publish"),
        format!("/admin/letters/{id}/close"),
    ] {
        let mut form = vec![("csrf", "anything")];
        form.extend(as_form(&fields));
        let page = app.post_with(&visitor, &path, &form).await;
        assert_eq!(page.status, 303, "{path}");
        assert_eq!(page.location, Some(login_redirect(&path)), "{path}");
    }
    // A stale or made-up session cookie is the same as none.
    let forged = app
        .send(
            client()
                .get(app.url("/admin"))
                .header("cookie", format!("us_session={}", "A".repeat(43))),
        )
        .await;
    assert_eq!(forged.status, 303);

    assert_eq!(state_of(&app, &app.client, id).await, "open");
    assert_eq!(app.letter_count(&app.client).await, 1, "no letter created");
    app.stop().await;
}

#[tokio::test]
async fn logging_out_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let browser = client();
    let login = app.log_in(&browser, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(login.status, 303);
    let cookie = login.headers["set-cookie"].to_str().unwrap().to_owned();
    let session = cookie.split(';').next().unwrap().to_owned();

    let csrf = app.organiser_csrf(&browser).await;
    let out = app.post_with(&browser, "/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, 303);
    let cleared = out.headers["set-cookie"].to_str().unwrap();
    assert!(cleared.starts_with("us_session=;") && cleared.contains("Max-Age=0"));

    // Replaying the old cookie does not work: the session is gone, not just forgotten.
    let replay = app
        .send(client().get(app.url("/admin")).header("cookie", session))
        .await;
    assert_eq!(replay.status, 303);
    app.stop().await;
}

#[tokio::test]
async fn after_login_the_redirect_never_leaves_the_site() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    for next in [
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        " //evil.example",
        "javascript:alert(1)",
        "/caf\u{e9}",
        "",
    ] {
        let browser = client();
        let csrf = app.get_with(&browser, "/login").await.csrf();
        let response = browser
            .post(app.url("/login"))
            .header("origin", &app.address)
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", OWNER_EMAIL),
                ("password", OWNER_PASSWORD),
                ("next", next),
            ])
            .send()
            .await;
        let page = Page::from(response.unwrap_or_else(|e| panic!("{next:?}: {e}"))).await;
        assert_eq!(page.status, 303, "{next:?}");
        assert_eq!(page.location.as_deref(), Some("/admin"), "{next:?}");
    }
    // A local path is kept.
    let browser = client();
    let csrf = app
        .get_with(&browser, "/login?next=/admin/letters/new")
        .await
        .csrf();
    let page = app
        .post_with(
            &browser,
            "/login",
            &[
                ("csrf", csrf.as_str()),
                ("email", OWNER_EMAIL),
                ("password", OWNER_PASSWORD),
                ("next", "/admin/letters/new"),
            ],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some("/admin/letters/new"));
    app.stop().await;
}

// --- escaping -----------------------------------------------------------------------------

const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "\"><img src=x onerror=alert(1)>";

/// `html` shows the payloads as text, never as markup.
#[track_caller]
fn assert_inert(what: &str, html: &str) {
    for raw in [
        "<script>alert",
        "<img",
        "onerror=alert(1)>",
        "<b>",
        "href=\"javascript:",
        "src=\"javascript:",
    ] {
        assert!(!html.contains(raw), "{what} contains {raw:?} unescaped");
    }
    // Templates write `&#60;`, Markdown writes `&lt;`: both are text.
    let shown = html.replace("&#60;", "&lt;").replace("&#62;", "&gt;");
    assert!(
        shown.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{what} shows the script payload as text: {html}"
    );
}

#[tokio::test]
async fn user_text_is_escaped_on_pages_and_in_emails() {
    let app = spawn_app().await;

    // The setup form: workspace and owner names.
    let path = app.setup_link.clone().unwrap();
    let path = path.trim_start_matches(&app.address).to_owned();
    let csrf = app.get(&path).await.csrf();
    let done = app
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("workspace", &format!("{SCRIPT} Coalition")),
                ("name", &format!("{IMG} {SCRIPT}")),
                ("email", OWNER_EMAIL),
                ("password", OWNER_PASSWORD),
                ("password_again", OWNER_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);

    // The letter: every text field.
    let letter = [
        ("slug", "escaped".to_owned()),
        ("title", format!("{SCRIPT} Title {IMG}")),
        ("subject", format!("RE: {SCRIPT} {IMG}")),
        (
            "body",
            format!(
                "{SCRIPT}\n\n{IMG}\n\n<b>bold?</b> [click](javascript:alert(1)) ![x](javascript:alert(1))"
            ),
        ),
        ("targets", format!("{SCRIPT} | {IMG} | <b>Org</b>")),
        ("categories", format!("{SCRIPT}\n{IMG}")),
        ("field_title", "optional".to_owned()),
        ("field_affiliation", "optional".to_owned()),
        ("field_city", "optional".to_owned()),
        ("field_country", "optional".to_owned()),
        ("field_comment", "optional".to_owned()),
    ];
    let id = app.create_letter(&app.client, &as_form(&letter)).await;
    let edit = app.get(&format!("/admin/letters/{id}/edit")).await;
    assert_inert("the edit form", &edit.body);
    let preview = app.get(&format!("/admin/letters/{id}/preview")).await;
    assert_inert("the preview", &preview.body);
    assert_eq!(app.publish(&app.client, id).await.status, 303);

    // A signer: every text field, public so that everything is shown.
    let categories = app.categories("escaped").await;
    let signer = [
        ("name", SCRIPT),
        ("email", "xss@example.org"),
        ("category", categories[0].as_str()),
        ("display", "public"),
        ("title", IMG),
        ("affiliation", "<script>alert(2)</script><b>Org</b>"),
        ("city", "\"><img src=x onerror=alert(3)>"),
        ("country", "<b>Country</b>"),
        (
            "comment",
            "<script>alert(4)</script>\n\"><img src=x onerror=alert(5)>",
        ),
    ];
    // Re-shown after a mistake, the values are escaped too.
    let mut wrong = signer.to_vec();
    wrong[1] = ("email", "not an address");
    let retry = app.sign("escaped", &wrong).await;
    assert_eq!(retry.status, 422);
    assert_inert("the re-shown form", &retry.body);

    let signed = app.sign("escaped", &signer).await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    let check = app.get("/l/escaped/check-email").await;
    assert_inert("the check-email page", &check.body);
    let email = app.mail.wait_for_to("xss@example.org", 1).await;
    assert_inert("the email's HTML part", &email.html());
    let link = app.confirm_path(&email);
    let confirm = app.get(&link).await;
    assert_inert("the confirm page", &confirm.body);
    let confirmed = app.post(&link, &[]).await;
    assert_eq!(confirmed.status, 200);
    assert_inert("the confirmed page", &confirmed.body);

    let public = app.get("/l/escaped").await;
    assert_inert("the public page", &public.body);
    let shown = public
        .body
        .replace("&#60;", "&lt;")
        .replace("&#62;", "&gt;");
    assert!(
        shown.contains("&lt;script&gt;alert(4)&lt;/script&gt;"),
        "the comment"
    );
    assert!(shown.contains("&lt;b&gt;Org&lt;/b&gt;"), "the affiliation");
    for path in [
        "/admin".to_owned(),
        format!("/admin/letters/{id}"),
        format!("/admin/letters/{id}/signatures"),
        format!("/admin/letters/{id}/preview"),
    ] {
        let page = app.get(&path).await;
        assert_eq!(page.status, 200);
        assert_inert(&path, &page.body);
    }

    // The login page's `next` field.
    let login = app
        .get_with(
            &client(),
            "/login?next=/%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        )
        .await;
    assert_eq!(login.status, 200);
    assert_inert("the login page", &login.body);

    // The "already signed" email's HTML part.
    app.forget_email_throttle().await;
    assert_eq!(app.sign("escaped", &signer).await.status, 303);
    let again = app.mail.wait_for_to("xss@example.org", 2).await;
    assert!(again.subject().starts_with("You have already signed"));
    assert_inert("the already-signed email", &again.html());
    app.stop().await;
}

// --- headers and cookies ------------------------------------------------------------------

#[tokio::test]
async fn pages_carry_security_headers_and_cookies_are_locked_down() {
    let app = spawn_app().await;
    app.open_letter("headers").await;
    let id_page = app.get("/admin").await;
    assert_eq!(id_page.status, 200);

    for (path, page) in [
        ("/", app.get("/").await),
        ("/l/headers", app.get("/l/headers").await),
        ("/login", app.get_with(&client(), "/login").await),
        ("/admin", id_page),
        ("/nowhere", app.get("/nowhere").await),
        ("/confirm/junk", app.get("/confirm/junk").await),
    ] {
        let header = |name: &str| {
            page.headers
                .get(name)
                .unwrap_or_else(|| panic!("{path} has no {name}"))
                .to_str()
                .unwrap()
                .to_owned()
        };
        let csp = header("content-security-policy");
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        let referrer = header("referrer-policy");
        assert!(
            ["same-origin", "no-referrer", "strict-origin"].contains(&referrer.as_str()),
            "{path}: {referrer}"
        );
    }
    assert_eq!(app.get("/admin").await.headers["cache-control"], "no-store");

    // The pre-login token cookie and the session cookie.
    let browser = client();
    let login_page = app.get_with(&browser, "/login").await;
    let csrf_cookie = login_page.headers["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    let login = app.log_in(&browser, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(login.status, 303);
    let session_cookie = login.headers["set-cookie"].to_str().unwrap().to_owned();
    for cookie in [&csrf_cookie, &session_cookie] {
        let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
        assert!(attributes.contains(&"HttpOnly"), "{cookie}");
        assert!(attributes.contains(&"SameSite=Lax"), "{cookie}");
        assert!(attributes.contains(&"Path=/"), "{cookie}");
        assert!(
            !attributes.iter().any(|a| a.starts_with("Domain")),
            "{cookie}"
        );
    }
    assert!(session_cookie.starts_with("us_session="));
    // The session token is long and random, and is not the CSRF token.
    let token = session_cookie["us_session=".len()..]
        .split(';')
        .next()
        .unwrap();
    assert_eq!(token.len(), 43);
    assert_ne!(token, app.organiser_csrf(&browser).await);
    app.stop().await;
}

#[tokio::test]
async fn data_loads_nothing_and_is_the_same_in_every_language_while_pages_vary() {
    let app = spawn_app().await;
    app.open_letter("data").await;
    let in_spanish = |path: &str| {
        app.send(
            client()
                .get(app.url(path))
                .header("accept-language", "es-MX,es;q=0.9"),
        )
    };
    let header = |page: &Page, name: &str| {
        page.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let counts = in_spanish("/l/data/counts.json").await;
    assert_eq!(counts.status, 200);
    // Its 304 says the same as its 200, though it carries no content type.
    let tag = header(&counts, "etag");
    let unchanged = app
        .send(
            client()
                .get(app.url("/l/data/counts.json"))
                .header("accept-language", "es-MX,es;q=0.9")
                .header("if-none-match", &tag),
        )
        .await;
    assert_eq!(unchanged.status, 304);
    let signatories = in_spanish("/l/data/signatories.json").await;
    assert_eq!(signatories.status, 200);
    for (what, data) in [
        ("counts.json", &counts),
        ("its 304", &unchanged),
        ("signatories.json", &signatories),
    ] {
        assert_eq!(
            header(data, "content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'",
            "{what}"
        );
        assert_eq!(header(data, "x-frame-options"), "DENY", "{what}");
        assert_eq!(header(data, "x-content-type-options"), "nosniff", "{what}");
        assert_eq!(header(data, "vary"), "", "{what}");
    }

    // The letter page, in Spanish: a page's policy, and it varies with the language, on its
    // 304 too.
    let page = in_spanish("/l/data").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Firmar esta carta"));
    let unchanged = app
        .send(
            client()
                .get(app.url("/l/data"))
                .header("accept-language", "es-MX,es;q=0.9")
                .header("if-none-match", header(&page, "etag")),
        )
        .await;
    assert_eq!(unchanged.status, 304);
    for (what, page) in [("the page", &page), ("its 304", &unchanged)] {
        let csp = header(page, "content-security-policy");
        assert!(csp.contains("script-src 'self'"), "{what}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
        assert!(header(page, "vary").contains("Accept-Language"), "{what}");
    }
    // An unknown letter's counts: a page (of the error), in the visitor's language.
    let missing = in_spanish("/l/nowhere/counts.json").await;
    assert_eq!(missing.status, 404);
    assert!(header(&missing, "vary").contains("Accept-Language"));
    app.stop().await;
}

#[tokio::test]
async fn an_https_site_marks_its_cookies_secure() {
    let app = TestApp::init()
        .with_settings(|s| s.public_url = Some("https://letters.example.org".into()))
        .spawn()
        .await;
    let response = client()
        .get(format!("{}/login", app.local))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("__Host-"), "{cookie}");
    assert!(cookie.split(';').any(|a| a.trim() == "Secure"), "{cookie}");
    app.stop().await;
}
