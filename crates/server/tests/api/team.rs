//! The organiser team in the browser: invitations (single-use, expiring), roles and the last
//! owner, "forgot password" (the same answer for every address, single-use expiring links,
//! every session ended), and the optional second factor (TOTP, recovery codes). All names
//! are fictional.

use undersigned_core::Role;
use undersigned_server::{clock::Clock, format::now, services::totp::SecondFactor};

use crate::helpers::*;

/// The workspace the fixture owner sets up ("Test Coalition").
const WS: &str = "test-coalition";
const TEAM: &str = "/admin/workspaces/test-coalition/team";
const NEW_PASSWORD: &str = "a brand new long password";

/// The path of the first link in `message` that contains `needle`.
fn link_path(message: &Captured, needle: &str) -> String {
    let link = message.link(needle).expect("a link");
    link[link.find(needle).unwrap()..].to_owned()
}

/// Invites `email` with `role` as the logged-in `client`; returns the answer.
async fn invite(app: &TestApp, client: &reqwest::Client, email: &str, role: &str) -> Page {
    let csrf = app.organiser_csrf(client).await;
    app.post_with(
        client,
        &format!("{TEAM}/invite"),
        &[("csrf", &csrf), ("email", email), ("role", role)],
    )
    .await
}

/// Invites `email` as the owner and returns the emailed link's path (`/invite/…`).
async fn invitation(app: &TestApp, email: &str, role: &str) -> String {
    let before = app.mail.to(email).len();
    let page = invite(app, &app.client, email, role).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let message = app.mail.wait_for_to(email, before + 1).await;
    assert!(message.subject().contains("Join Test Coalition"));
    assert!(message.text().contains("as editor") || role != "editor");
    link_path(&message, "/invite/")
}

/// The pre-login form token of `browser`: from `page` if it has a form, else from the login
/// page (the same cookie), so that a post is refused for what it says, not for its token.
async fn anon_csrf(app: &TestApp, browser: &reqwest::Client, page: &Page) -> String {
    match hidden_value(&page.body, "csrf") {
        Some(csrf) => csrf,
        None => app.get_with(browser, "/login").await.csrf(),
    }
}

/// Accepts an invitation as someone new, with a fresh browser; returns it and the answer.
async fn accept(app: &TestApp, path: &str, name: &str, password: &str) -> (reqwest::Client, Page) {
    let browser = client();
    let page = app.get_with(&browser, path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = anon_csrf(app, &browser, &page).await;
    let answer = app
        .post_with(
            &browser,
            path,
            &[
                ("csrf", &csrf),
                ("name", name),
                ("password", password),
                ("password_again", password),
            ],
        )
        .await;
    (browser, answer)
}

/// Posts the new-account form of a spent or expired link, with a valid form token.
async fn accept_spent(app: &TestApp, path: &str) -> (reqwest::Client, Page) {
    let browser = client();
    let csrf = app.get_with(&browser, "/login").await.csrf();
    let page = app
        .post_with(
            &browser,
            path,
            &[
                ("csrf", &csrf),
                ("name", "Someone Else"),
                ("password", NEW_PASSWORD),
                ("password_again", NEW_PASSWORD),
            ],
        )
        .await;
    (browser, page)
}

/// The id of the member called `name` on the team page.
async fn member_id(app: &TestApp, name: &str) -> String {
    let page = app.get(TEAM).await;
    assert_eq!(page.status, 200);
    let at = page.body.find(name).expect("the member is listed");
    let row = &page.body[at..];
    let marker = "/team/";
    let start = row.find(marker).unwrap() + marker.len();
    row[start..start + row[start..].find('/').unwrap()].to_owned()
}

async fn post_role(app: &TestApp, client: &reqwest::Client, member: &str, role: &str) -> Page {
    let csrf = app.organiser_csrf(client).await;
    app.post_with(
        client,
        &format!("{TEAM}/{member}/role"),
        &[("csrf", &csrf), ("role", role)],
    )
    .await
}

async fn post_remove(app: &TestApp, client: &reqwest::Client, member: &str) -> Page {
    let csrf = app.organiser_csrf(client).await;
    app.post_with(
        client,
        &format!("{TEAM}/{member}/remove"),
        &[("csrf", &csrf)],
    )
    .await
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    let db = app.db().await;
    let n = sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(&db)
        .await
        .unwrap();
    db.close().await;
    n
}

#[tokio::test]
async fn an_invited_colleague_joins_with_the_role_and_the_link_works_once() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let path = invitation(&app, "eddie.editor@example.org", "editor").await;
    let team = app.get(TEAM).await;
    assert!(team.body.contains("eddie.editor@example.org"), "pending");

    // Opening the link (twice, as a mail scanner would) changes nothing.
    for _ in 0..2 {
        let page = app.get_with(&client(), &path).await;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("as <strong>editor</strong>"),
            "{}",
            page.body
        );
    }
    let (eddie, joined) = accept(&app, &path, "Eddie Editor", NEW_PASSWORD).await;
    assert_eq!(joined.status, 303, "{}", joined.body);
    assert_eq!(joined.location.as_deref(), Some("/admin"));
    let dashboard = app.get_with(&eddie, "/admin").await;
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.body.contains("<strong>editor</strong>"));
    assert!(
        dashboard.body.contains("New letter"),
        "editors write letters"
    );

    // The new member logs in with their own password.
    let again = client();
    assert_eq!(
        app.log_in(&again, "eddie.editor@example.org", NEW_PASSWORD)
            .await
            .status,
        303
    );

    // The link is spent.
    let reused = app.get_with(&client(), &path).await;
    assert_eq!(reused.status, 404);
    assert!(reused.body.contains("not valid"));
    let (_, reposted) = accept_spent(&app, &path).await;
    assert_eq!(reposted.status, 404);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users").await, 2);

    // The team lists them; the audit trail has both sides.
    let team = app.get(TEAM).await;
    assert!(team.body.contains("Eddie Editor"));
    let audit = app.get("/admin").await.body;
    assert!(audit.contains("member.invite"), "{audit}");
    assert!(audit.contains("member.join"), "{audit}");
}

#[tokio::test]
async fn an_expired_invitation_is_refused() {
    let app = TestApp::init()
        .with_clock(Clock::manual(now()))
        .spawn()
        .await;
    app.set_up_owner().await;
    let path = invitation(&app, "late@example.org", "viewer").await;
    app.clock.advance(7 * 24 * 3600 + 1);
    let page = app.get_with(&client(), &path).await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("expired"));
    // The form can't be posted either.
    let (_, posted) = accept_spent(&app, &path).await;
    assert_eq!(posted.status, 404);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users").await, 1);
}

#[tokio::test]
async fn someone_with_an_account_joins_by_logging_in_as_the_invited_address() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let mona = app
        .add_organiser(
            "mona@example.org",
            "Mona Moderator",
            "elsewhere",
            Role::Viewer,
        )
        .await;
    let path = invitation(&app, "mona@example.org", "moderator").await;

    // Logged out: the page says to log in; the new-account form is refused.
    let page = app.get_with(&client(), &path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Log in to join"), "{}", page.body);
    let (_, refused) = accept(&app, &path, "Mona Again", NEW_PASSWORD).await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("Log in as mona@example.org"));

    // Logged in as someone else: said so, and their join is refused.
    let other = app.get(&path).await;
    assert!(
        other
            .body
            .contains("You are logged in as owner@example.org")
    );
    let csrf = app.organiser_csrf(&app.client).await;
    let wrong = app
        .post_with(&app.client, &format!("{path}/join"), &[("csrf", &csrf)])
        .await;
    assert_eq!(wrong.status, 403);

    // As the invited address: one button.
    let page = app.get_with(&mona, &path).await;
    assert!(page.body.contains(&format!("{path}/join")), "{}", page.body);
    let joined = app
        .post_with(&mona, &format!("{path}/join"), &[("csrf", &page.csrf())])
        .await;
    assert_eq!(joined.status, 303, "{}", joined.body);
    let dashboard = app.get_with(&mona, "/admin").await.body;
    assert!(dashboard.contains("Test Coalition</bdi>: <strong>moderator</strong>"));
    assert!(
        dashboard.contains("<strong>viewer</strong>"),
        "the other role stays"
    );
    assert_eq!(app.get_with(&mona, &path).await.status, 404, "spent");
}

#[tokio::test]
async fn only_owners_see_or_change_the_team() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let owner_id = member_id(&app, "Olive Owner").await;
    for role in [Role::Editor, Role::Moderator, Role::Viewer] {
        let email = format!("{role}@example.org");
        let member = app
            .add_organiser(&email, &format!("Ned {role}"), WS, role)
            .await;
        assert_eq!(app.get_with(&member, TEAM).await.status, 403, "{role}");
        let page = invite(&app, &member, "new@example.org", "owner").await;
        assert_eq!(page.status, 403, "{role} invites");
        assert_eq!(
            post_role(&app, &member, &owner_id, "viewer").await.status,
            403,
            "{role} changes roles"
        );
        assert_eq!(
            post_remove(&app, &member, &owner_id).await.status,
            403,
            "{role} removes"
        );
    }
    // Not a member at all: the workspace is unknown to them.
    let stranger = app
        .add_organiser("stranger@example.org", "Sid Stranger", "other", Role::Owner)
        .await;
    assert_eq!(app.get_with(&stranger, TEAM).await.status, 404);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invitations").await, 0);
    let members = app.get(TEAM).await.body;
    assert!(members.contains("selected>owner"));
}

#[tokio::test]
async fn owners_change_roles_and_remove_members_but_never_the_last_owner() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let owner = member_id(&app, "Olive Owner").await;

    for page in [
        post_role(&app, &app.client, &owner, "editor").await,
        post_remove(&app, &app.client, &owner).await,
    ] {
        assert_eq!(page.status, 409, "{}", page.body);
        assert!(page.body.contains("at least one owner"), "{}", page.body);
    }

    let vera = app
        .add_organiser("vera@example.org", "Vera Viewer", WS, Role::Viewer)
        .await;
    let id = member_id(&app, "Vera Viewer").await;
    assert_eq!(
        post_role(&app, &app.client, &id, "editor").await.status,
        303
    );
    assert!(
        app.get_with(&vera, "/admin")
            .await
            .body
            .contains("New letter")
    );

    // With a second owner, the first may step down.
    assert_eq!(post_role(&app, &app.client, &id, "owner").await.status, 303);
    let down = post_role(&app, &app.client, &owner, "viewer").await;
    assert_eq!(down.status, 303);
    assert_eq!(down.location.as_deref(), Some("/admin"));
    assert_eq!(app.get(TEAM).await.status, 403, "no longer an owner");

    // The new owner removes the old one, who loses the workspace.
    assert_eq!(post_remove(&app, &vera, &owner).await.status, 303);
    assert!(!app.get("/admin").await.body.contains("Test Coalition"));
    let trail = app.get_with(&vera, "/admin").await.body;
    assert!(trail.contains("member.role"));
    assert!(trail.contains("viewer → editor"));
    assert!(trail.contains("member.remove"));
}

#[tokio::test]
async fn team_forms_refuse_bad_input_with_a_message() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let bad_email = invite(&app, &app.client, "not-an-address", "editor").await;
    assert_eq!(bad_email.status, 422);
    assert!(
        field_error(&bad_email.body, "email").is_some(),
        "{}",
        bad_email.body
    );
    let bad_role = invite(&app, &app.client, "ok@example.org", "admin").await;
    assert_eq!(bad_role.status, 422);
    assert!(bad_role.body.contains("Choose a role"));
    let member = invite(&app, &app.client, "OWNER@example.org", "viewer").await;
    assert_eq!(member.status, 409);
    assert!(member.body.contains("member of the workspace already"));

    // No token, a wrong token: refused, nothing stored.
    for csrf in ["", "wrong"] {
        let page = app
            .post(
                &format!("{TEAM}/invite"),
                &[
                    ("csrf", csrf),
                    ("email", "x@example.org"),
                    ("role", "viewer"),
                ],
            )
            .await;
        assert_eq!(page.status, 403);
    }
    let owner = member_id(&app, "Olive Owner").await;
    let page = app
        .post(&format!("{TEAM}/{owner}/remove"), &[("csrf", "")])
        .await;
    assert_eq!(page.status, 403);
    let bad = post_role(&app, &app.client, &owner, "superuser").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("Choose a role"));
    let unknown = post_role(&app, &app.client, "999999", "viewer").await;
    assert_eq!(unknown.status, 404);

    // An oversized form.
    let csrf = app.organiser_csrf(&app.client).await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let page = app
        .post(
            &format!("{TEAM}/invite"),
            &[("csrf", &csrf), ("email", &huge), ("role", "viewer")],
        )
        .await;
    assert_eq!(page.status, 413);

    // The invitee's form: bad name, short password, two different passwords.
    let path = invitation(&app, "fresh@example.org", "viewer").await;
    let browser = client();
    let form = app.get_with(&browser, &path).await;
    let page = app
        .post_with(
            &browser,
            &path,
            &[
                ("csrf", &form.csrf()),
                ("name", ""),
                ("password", ""),
                ("password_again", "different"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(field_error(&page.body, "name").is_some());
    assert!(
        field_error(&page.body, "password")
            .unwrap()
            .contains("at least 12")
    );
    assert!(field_error(&page.body, "password_again").is_some());
    // Without the form token.
    let page = app
        .post_with(
            &client(),
            &path,
            &[
                ("name", "Fay Fresh"),
                ("password", NEW_PASSWORD),
                ("password_again", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, 403);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(app.get_with(&client(), &path).await.status, 200, "unspent");
}

/// Asks for a reset link for `email` with a fresh browser; returns the answer.
async fn forgot(app: &TestApp, email: &str) -> Page {
    let browser = client();
    let form = app.get_with(&browser, "/login/forgot").await;
    assert_eq!(form.status, 200);
    app.post_with(
        &browser,
        "/login/forgot",
        &[("csrf", &form.csrf()), ("email", email)],
    )
    .await
}

async fn reset_link(app: &TestApp, email: &str) -> String {
    let before = app.mail.to(email).len();
    let page = forgot(app, email).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let message = app.mail.wait_for_to(email, before + 1).await;
    assert!(message.subject().contains("Set a new password"));
    link_path(&message, "/reset/")
}

async fn set_password(app: &TestApp, path: &str, password: &str, again: &str) -> Page {
    let browser = client();
    let form = app.get_with(&browser, path).await;
    let csrf = anon_csrf(app, &browser, &form).await;
    app.post_with(
        &browser,
        path,
        &[
            ("csrf", &csrf),
            ("password", password),
            ("password_again", again),
        ],
    )
    .await
}

#[tokio::test]
async fn forgot_password_answers_the_same_for_every_address() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let login = app.get_with(&client(), "/login").await;
    assert!(login.body.contains("href=\"/login/forgot\""));

    let known = forgot(&app, OWNER_EMAIL).await;
    let unknown = forgot(&app, "nobody@example.org").await;
    assert_eq!(known.status, 200);
    assert_eq!(unknown.status, known.status);
    assert_eq!(unknown.body, known.body, "the same page");
    assert!(known.body.contains("If an organiser account exists"));
    app.mail.wait_for_to(OWNER_EMAIL, 1).await;
    // The same writes: a budget row and an outbox row each; a link only for the account.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'password_reset'"
        )
        .await,
        2
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM mail_budgets").await, 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM password_resets").await, 1);
    assert!(app.mail.to("nobody@example.org").is_empty());

    let bad = forgot(&app, "not an address").await;
    assert_eq!(bad.status, 422);
    assert!(field_error(&bad.body, "email").is_some());
    let forged = app
        .post_with(&client(), "/login/forgot", &[("email", OWNER_EMAIL)])
        .await;
    assert_eq!(forged.status, 403, "no form token");
}

#[tokio::test]
async fn reset_requests_are_limited_per_address() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let first = forgot(&app, OWNER_EMAIL).await;
    for _ in 0..6 {
        let page = forgot(&app, "Owner@Example.org").await;
        assert_eq!(page.body, first.body);
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM password_resets").await, 5);
}

#[tokio::test]
async fn a_reset_link_works_once_and_ends_every_session() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let other_browser = client();
    assert_eq!(
        app.log_in(&other_browser, OWNER_EMAIL, OWNER_PASSWORD)
            .await
            .status,
        303
    );
    let path = reset_link(&app, OWNER_EMAIL).await;
    // Opening it changes nothing.
    assert_eq!(app.get_with(&client(), &path).await.status, 200);
    assert_eq!(app.get("/admin").await.status, 200);

    let mismatch = set_password(&app, &path, NEW_PASSWORD, "something else entirely").await;
    assert_eq!(mismatch.status, 422);
    assert!(field_error(&mismatch.body, "password_again").is_some());
    let empty = set_password(&app, &path, "", "").await;
    assert_eq!(empty.status, 422);
    assert!(
        field_error(&empty.body, "password")
            .unwrap()
            .contains("at least 12")
    );

    let done = set_password(&app, &path, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("logged out everywhere"));
    // Both old sessions are over.
    for browser in [&app.client, &other_browser] {
        let page = app.get_with(browser, "/admin").await;
        assert_eq!(page.status, 303);
        assert_eq!(
            page.location.as_deref(),
            Some(login_redirect("/admin").as_str())
        );
    }
    assert_eq!(
        app.log_in(&client(), OWNER_EMAIL, OWNER_PASSWORD)
            .await
            .status,
        401
    );
    assert_eq!(
        app.log_in(&client(), OWNER_EMAIL, NEW_PASSWORD)
            .await
            .status,
        303
    );
    // Spent.
    assert_eq!(app.get_with(&client(), &path).await.status, 404);
    let again = set_password(
        &app,
        &path,
        "yet another long password",
        "yet another long password",
    )
    .await;
    assert_eq!(again.status, 404);
    let trail = count(
        &app,
        "SELECT COUNT(*) FROM audit_events WHERE action = 'account.password_reset'",
    )
    .await;
    assert_eq!(trail, 1);
}

#[tokio::test]
async fn a_reset_link_expires_after_an_hour() {
    let app = TestApp::init()
        .with_clock(Clock::manual(now()))
        .spawn()
        .await;
    app.set_up_owner().await;
    let path = reset_link(&app, OWNER_EMAIL).await;
    app.clock.advance(3601);
    assert_eq!(app.get_with(&client(), &path).await.status, 404);
    let page = set_password(&app, &path, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(page.status, 404);
    assert_eq!(
        app.log_in(&client(), OWNER_EMAIL, OWNER_PASSWORD)
            .await
            .status,
        303,
        "the password is unchanged"
    );
}

/// Turns the second factor on for the logged-in owner; returns its secret and the recovery
/// codes.
async fn turn_on_totp(app: &TestApp) -> (String, Vec<String>) {
    let csrf = app.organiser_csrf(&app.client).await;
    let started = app
        .post("/admin/account/totp/start", &[("csrf", &csrf)])
        .await;
    assert_eq!(started.status, 303);
    let page = app.get("/admin/account").await;
    let marker = "id=\"totp-secret\">";
    let at = page.body.find(marker).expect("the secret is shown") + marker.len();
    let secret = page.body[at..at + page.body[at..].find('<').unwrap()].to_owned();
    assert!(page.body.contains("otpauth://totp/"));

    let wrong = app
        .post(
            "/admin/account/totp/confirm",
            &[("csrf", &csrf), ("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, 422);
    let code = SecondFactor::from_secret(&secret)
        .unwrap()
        .code(app.clock.now());
    let on = app
        .post(
            "/admin/account/totp/confirm",
            &[("csrf", &csrf), ("code", &code)],
        )
        .await;
    assert_eq!(on.status, 200, "{}", on.body);
    let list = &on.body[on.body.find("id=\"recovery-codes\"").unwrap()..];
    let list = &list[..list.find("</ul>").unwrap()];
    let codes: Vec<String> = list
        .split("<li>")
        .skip(1)
        .map(|c| c[..c.find("</li>").unwrap()].to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// Logs in with the password as a fresh browser: the answer is the code page.
async fn first_step(app: &TestApp) -> (reqwest::Client, Page) {
    let browser = client();
    let page = app.log_in(&browser, OWNER_EMAIL, OWNER_PASSWORD).await;
    (browser, page)
}

async fn second_step(app: &TestApp, browser: &reqwest::Client, page: &Page, code: &str) -> Page {
    app.post_with(
        browser,
        "/login/code",
        &[("csrf", &page.csrf()), ("code", code), ("next", "/admin")],
    )
    .await
}

#[tokio::test]
async fn with_a_second_factor_login_needs_a_code_or_a_recovery_code() {
    let app = TestApp::init()
        .with_clock(Clock::manual(now()))
        .spawn()
        .await;
    app.set_up_owner().await;
    let (secret, recovery) = turn_on_totp(&app).await;
    let secret_bytes = count(&app, "SELECT COUNT(*) FROM user_totp").await;
    assert_eq!(secret_bytes, 1);

    // The password alone gives no session.
    let (browser, step) = first_step(&app).await;
    assert_eq!(step.status, 200, "{}", step.body);
    assert!(step.body.contains("action=\"/login/code\""));
    assert_eq!(app.get_with(&browser, "/admin").await.status, 303);

    // A wrong code is refused; the code that turned it on is spent.
    let wrong = second_step(&app, &browser, &step, "123456").await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("wrong or was used already"));
    let factor = SecondFactor::from_secret(&secret).unwrap();
    let spent = second_step(&app, &browser, &step, &factor.code(app.clock.now())).await;
    assert_eq!(spent.status, 401);

    // The next step's code works, once.
    app.clock.advance(30);
    let code = factor.code(app.clock.now());
    let done = second_step(&app, &browser, &step, &code).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(app.get_with(&browser, "/admin").await.status, 200);
    let (other, step2) = first_step(&app).await;
    assert_eq!(second_step(&app, &other, &step2, &code).await.status, 401);

    // A recovery code works once.
    let (third, step3) = first_step(&app).await;
    let used = second_step(&app, &third, &step3, &recovery[0].to_lowercase()).await;
    assert_eq!(used.status, 303, "{}", used.body);
    let (fourth, step4) = first_step(&app).await;
    assert_eq!(
        second_step(&app, &fourth, &step4, &recovery[0])
            .await
            .status,
        401
    );
    assert!(
        app.get("/admin/account")
            .await
            .body
            .contains("Unused recovery codes: 9")
    );

    // Five wrong codes end the attempt: even a right code then needs the password again.
    let (fifth, step5) = first_step(&app).await;
    for _ in 0..5 {
        second_step(&app, &fifth, &step5, "000000").await;
    }
    let late = second_step(&app, &fifth, &step5, &recovery[1]).await;
    assert_eq!(late.status, 401);
    assert!(late.body.contains("Log in again"));
    // Without the challenge cookie: nothing to answer.
    let bare = client();
    let login = app.get_with(&bare, "/login").await;
    assert_eq!(
        second_step(&app, &bare, &login, &recovery[1]).await.status,
        401
    );

    // Turning it off needs a current code.
    let csrf = app.organiser_csrf(&app.client).await;
    let refused = app
        .post(
            "/admin/account/totp/disable",
            &[("csrf", &csrf), ("code", "000000")],
        )
        .await;
    assert_eq!(refused.status, 422);
    app.clock.advance(30);
    let off = app
        .post(
            "/admin/account/totp/disable",
            &[("csrf", &csrf), ("code", &factor.code(app.clock.now()))],
        )
        .await;
    assert_eq!(off.status, 303);
    let (_, plain) = first_step(&app).await;
    assert_eq!(plain.status, 303, "no second step any more");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM recovery_codes").await, 0);
}

#[tokio::test]
async fn the_totp_secret_is_sealed_at_rest() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let (secret, _) = turn_on_totp(&app).await;
    let db = app.db().await;
    let stored: Vec<u8> = sqlx::query_scalar("SELECT secret FROM user_totp")
        .fetch_one(&db)
        .await
        .unwrap();
    db.close().await;
    assert!(
        !stored.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "not in clear"
    );
    let opened = app
        .keyring()
        .open(undersigned_store::sealed::Field::TotpSecret, &stored)
        .unwrap();
    assert_eq!(opened, secret);
}

/// The id of the pending invitation for `email`, as its "Cancel" button on the team page
/// names it.
async fn invitation_id(app: &TestApp, email: &str) -> String {
    let page = app.get(TEAM).await;
    assert_eq!(page.status, 200);
    let at = page.body.find(email).expect("the invitation is listed");
    let row = &page.body[at..];
    let marker = "/team/invitations/";
    let start = row.find(marker).expect("a Cancel button") + marker.len();
    row[start..start + row[start..].find('/').unwrap()].to_owned()
}

async fn post_cancel(
    app: &TestApp,
    client: &reqwest::Client,
    workspace: &str,
    invitation: &str,
) -> Page {
    let csrf = app.organiser_csrf(client).await;
    app.post_with(
        client,
        &format!("/admin/workspaces/{workspace}/team/invitations/{invitation}/cancel"),
        &[("csrf", &csrf)],
    )
    .await
}

#[tokio::test]
async fn an_owner_cancels_an_invitation_and_its_emailed_link_no_longer_works() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let path = invitation(&app, "cora.cancelled@example.org", "editor").await;
    let id = invitation_id(&app, "cora.cancelled@example.org").await;
    assert_eq!(id.len(), 64, "{id}");
    assert!(!path.contains(&id), "the id is not the link's token");

    // An editor may not; nor may the owner of another workspace, to whom it is unknown
    // (whether they name this workspace or their own); nor a post without the form token.
    let editor = app
        .add_organiser("edna@example.org", "Edna Editor", WS, Role::Editor)
        .await;
    let refused = post_cancel(&app, &editor, WS, &id).await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("Your role"), "{}", refused.body);
    let stranger = app
        .add_organiser("sid@example.org", "Sid Stranger", "other", Role::Owner)
        .await;
    assert_eq!(post_cancel(&app, &stranger, WS, &id).await.status, 404);
    assert_eq!(post_cancel(&app, &stranger, "other", &id).await.status, 404);
    let forged = app
        .post(
            &format!("{TEAM}/invitations/{id}/cancel"),
            &[("csrf", "not the token")],
        )
        .await;
    assert_eq!(forged.status, 403);
    let bare = app
        .post(&format!("{TEAM}/invitations/{id}/cancel"), &[])
        .await;
    assert_eq!(bare.status, 403);
    assert_eq!(
        app.get_with(&client(), &path).await.status,
        200,
        "still valid"
    );

    // The owner cancels it.
    let done = post_cancel(&app, &app.client, WS, &id).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        done.location.as_deref(),
        Some(&*format!("{TEAM}?cancelled=1"))
    );
    let team = app.get(&format!("{TEAM}?cancelled=1")).await;
    assert!(team.body.contains("Invitation cancelled"), "{}", team.body);
    assert!(!team.body.contains("cora.cancelled@example.org"));

    // The emailed link is dead: its page and its form.
    let opened = app.get_with(&client(), &path).await;
    assert_eq!(opened.status, 404);
    assert!(opened.body.contains("not valid"), "{}", opened.body);
    assert!(opened.body.contains("cancelled"), "{}", opened.body);
    let (_, posted) = accept_spent(&app, &path).await;
    assert_eq!(posted.status, 404);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM users WHERE email = 'cora.cancelled@example.org'"
        )
        .await,
        0
    );

    // Twice, or an id that is no invitation's: not found.
    assert_eq!(post_cancel(&app, &app.client, WS, &id).await.status, 404);
    assert_eq!(
        post_cancel(&app, &app.client, WS, "nonsense").await.status,
        404
    );
    let upper = id.to_uppercase();
    assert_eq!(post_cancel(&app, &app.client, WS, &upper).await.status, 404);

    // Audited once, named like the invitation.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'team.invitation.cancel'"
        )
        .await,
        1
    );
    let audit = app.get("/admin").await.body;
    assert!(audit.contains("team.invitation.cancel"), "{audit}");
}

#[tokio::test]
async fn a_used_or_expired_invitation_cannot_be_cancelled() {
    let app = TestApp::init()
        .with_clock(Clock::manual(now()))
        .spawn()
        .await;
    app.set_up_owner().await;
    let used = invitation(&app, "uma.used@example.org", "viewer").await;
    let used_id = invitation_id(&app, "uma.used@example.org").await;
    let (_, joined) = accept(&app, &used, "Uma Used", NEW_PASSWORD).await;
    assert_eq!(joined.status, 303, "{}", joined.body);
    assert_eq!(
        post_cancel(&app, &app.client, WS, &used_id).await.status,
        404
    );

    invitation(&app, "ezra.expired@example.org", "viewer").await;
    let expired_id = invitation_id(&app, "ezra.expired@example.org").await;
    app.clock.advance(7 * 24 * 3600 + 1);
    // The session has ended by then too.
    let login = app.log_in(&app.client, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(login.status, 303);
    let page = post_cancel(&app, &app.client, WS, &expired_id).await;
    assert_eq!(page.status, 404);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'team.invitation.cancel'"
        )
        .await,
        0
    );
}

/// Posts the change-password form as `browser`.
async fn change_password(
    app: &TestApp,
    browser: &reqwest::Client,
    current: &str,
    password: &str,
    again: &str,
) -> Page {
    let csrf = app.organiser_csrf(browser).await;
    app.post_with(
        browser,
        "/admin/account/password",
        &[
            ("csrf", csrf.as_str()),
            ("current_password", current),
            ("password", password),
            ("password_again", again),
        ],
    )
    .await
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session_but_this_one() {
    let app = spawn_app().await;
    app.set_up_owner().await;
    let other_browser = client();
    assert_eq!(
        app.log_in(&other_browser, OWNER_EMAIL, OWNER_PASSWORD)
            .await
            .status,
        303
    );
    let reset = reset_link(&app, OWNER_EMAIL).await;
    let account = app.get("/admin/account").await;
    assert!(account.body.contains("action=\"/admin/account/password\""));

    let done = change_password(
        &app,
        &app.client,
        OWNER_PASSWORD,
        NEW_PASSWORD,
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        done.location.as_deref(),
        Some("/admin/account?password=changed")
    );
    let notice = app.get("/admin/account?password=changed").await;
    assert_eq!(notice.status, 200);
    assert!(
        notice.body.contains("Your password is changed"),
        "{}",
        notice.body
    );

    // This browser stays logged in; the other one is logged out.
    assert_eq!(app.get("/admin").await.status, 200);
    let page = app.get_with(&other_browser, "/admin").await;
    assert_eq!(page.status, 303);
    assert_eq!(
        page.location.as_deref(),
        Some(login_redirect("/admin").as_str())
    );
    // The old password no longer logs in; the new one does.
    assert_eq!(
        app.log_in(&client(), OWNER_EMAIL, OWNER_PASSWORD)
            .await
            .status,
        401
    );
    assert_eq!(
        app.log_in(&client(), OWNER_EMAIL, NEW_PASSWORD)
            .await
            .status,
        303
    );
    // The reset link asked for before is spent.
    assert_eq!(app.get_with(&client(), &reset).await.status, 404);
    let trail = count(
        &app,
        "SELECT COUNT(*) FROM audit_events WHERE action = 'account.password_change'",
    )
    .await;
    assert_eq!(trail, 1);
    // This session's form token still works: it changes the password again.
    let again = change_password(
        &app,
        &app.client,
        NEW_PASSWORD,
        "yet another long password",
        "yet another long password",
    )
    .await;
    assert_eq!(again.status, 303, "{}", again.body);
}

#[tokio::test]
async fn changing_the_password_refuses_bad_input_at_the_field() {
    let app = spawn_app().await;
    app.set_up_owner().await;

    let wrong = change_password(
        &app,
        &app.client,
        "not my password at all",
        NEW_PASSWORD,
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(wrong.status, 422);
    assert!(
        field_error(&wrong.body, "current_password")
            .unwrap()
            .contains("not your current password"),
        "{}",
        wrong.body
    );
    assert!(field_error(&wrong.body, "password").is_none());

    let mismatch = change_password(
        &app,
        &app.client,
        OWNER_PASSWORD,
        NEW_PASSWORD,
        "something else entirely",
    )
    .await;
    assert_eq!(mismatch.status, 422);
    assert!(field_error(&mismatch.body, "password_again").is_some());
    assert!(field_error(&mismatch.body, "current_password").is_none());

    let short = change_password(&app, &app.client, OWNER_PASSWORD, "short", "short").await;
    assert_eq!(short.status, 422);
    assert!(
        field_error(&short.body, "password")
            .unwrap()
            .contains("at least 12")
    );

    // No form token; an oversized form.
    let forged = app
        .post(
            "/admin/account/password",
            &[
                ("current_password", OWNER_PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_again", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    let csrf = app.organiser_csrf(&app.client).await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let large = app
        .post(
            "/admin/account/password",
            &[
                ("csrf", csrf.as_str()),
                ("current_password", OWNER_PASSWORD),
                ("password", &huge),
                ("password_again", &huge),
            ],
        )
        .await;
    assert_eq!(large.status, 413);

    // Nothing changed.
    assert_eq!(app.get("/admin").await.status, 200);
    assert_eq!(
        app.log_in(&client(), OWNER_EMAIL, OWNER_PASSWORD)
            .await
            .status,
        303
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'account.password_change'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn wrong_current_passwords_count_like_failed_logins() {
    let app = TestApp::init()
        .with_settings(|s| s.login_limit_per_15min = 3)
        .spawn()
        .await;
    app.set_up_owner().await;
    for _ in 0..3 {
        let page = change_password(
            &app,
            &app.client,
            "a wrong guess here",
            NEW_PASSWORD,
            NEW_PASSWORD,
        )
        .await;
        assert_eq!(page.status, 422);
    }
    let page = change_password(
        &app,
        &app.client,
        OWNER_PASSWORD,
        NEW_PASSWORD,
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(page.status, 429, "even the right password is refused now");
    // The same budget as the login form's.
    let page = app.log_in(&client(), OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(page.status, 429);
    // The session is not affected, and the password is unchanged.
    assert_eq!(app.get("/admin").await.status, 200);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'account.password_change'"
        )
        .await,
        0
    );
}
