//! The whole role × route matrix, generated from the router's own table of organiser routes
//! (`routes::admin::routes()`): every route, for every role in the workspace, a member of
//! another workspace and a logged-out visitor. A route added to the router is in the table,
//! so it is in this test.

use undersigned_core::{Role, role::Permission};
use undersigned_server::routes::admin::{Body, Needs, OrganiserRoute, routes};

use crate::helpers::*;

const WORKSPACE: &str = "test-coalition";

/// Who sends the requests.
struct Member {
    label: &'static str,
    role: Option<Role>,
    /// Their role in another workspace, for a stranger to this one.
    elsewhere: Option<Role>,
    client: reqwest::Client,
}

impl Member {
    /// Whether this member may use `route`.
    fn allowed(&self, route: &OrganiserRoute) -> bool {
        match route.needs {
            Needs::Login => true,
            Needs::Permission(p) => self.role.is_some_and(|r| r.allows(p)),
            Needs::PermissionSomewhere(p) => {
                self.role.is_some_and(|r| r.allows(p))
                    || self.elsewhere.is_some_and(|r| r.allows(p))
            }
        }
    }
}

/// The route's path for the letter, signature, team member (the owner, so that changing or
/// removing them is refused as removing the last owner, not carried out) and pending
/// invitation given.
fn path_of(
    route: &OrganiserRoute,
    letter: i64,
    signature: i64,
    user: i64,
    invitation: &str,
) -> String {
    route
        .path
        .replace("{user}", &user.to_string())
        .replace("{invitation}", invitation)
        .replace("{id}", &letter.to_string())
        .replace("{signature}", &signature.to_string())
        .replace("{slug}", WORKSPACE)
        .replace("{update}", "1")
}

async fn send(
    app: &TestApp,
    member: &Member,
    route: &OrganiserRoute,
    path: &str,
    csrf: bool,
) -> Page {
    let token = if csrf {
        app.organiser_csrf(&member.client).await
    } else {
        String::new()
    };
    let with_token = [("csrf", token.as_str())];
    let without = [("name", "Forged")];
    let fields: &[(&str, &str)] = if csrf { &with_token } else { &without };
    match route.body {
        Body::None => {
            assert_eq!(route.method, reqwest::Method::GET, "{}", route.path);
            app.get_with(&member.client, path).await
        }
        Body::Form => app.post_with(&member.client, path, fields).await,
        Body::Multipart => app.post_multipart(&member.client, path, fields, &[]).await,
    }
}

#[tokio::test]
async fn every_organiser_route_answers_each_role_as_its_permission_says() {
    let app = spawn_app().await;
    let letter = app.open_letter("matrix").await;
    app.sign_and_confirm("matrix", "Mara Matrix", "mara@example.org", "public")
        .await;
    let signature: i64 = sqlx::query_scalar("SELECT id FROM signatures LIMIT 1")
        .fetch_one(&app.db().await)
        .await
        .unwrap();
    let owner: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'owner@example.org'")
        .fetch_one(&app.db().await)
        .await
        .unwrap();

    // A pending invitation, named as its "Cancel" button on the team page names it.
    let csrf = app.organiser_csrf(&app.client).await;
    let invited = app
        .post(
            &format!("/admin/workspaces/{WORKSPACE}/team/invite"),
            &[
                ("csrf", csrf.as_str()),
                ("email", "pending.person@example.org"),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(invited.status, 303, "{}", invited.body);
    let team = app
        .get(&format!("/admin/workspaces/{WORKSPACE}/team"))
        .await;
    let marker = "/team/invitations/";
    let at = team.body.find(marker).expect("the invitation is listed") + marker.len();
    let invitation = team.body[at..at + team.body[at..].find('/').unwrap()].to_owned();

    let mut members = vec![Member {
        label: "owner",
        role: Some(Role::Owner),
        elsewhere: None,
        client: app.client.clone(),
    }];
    for (label, role) in [
        ("editor", Role::Editor),
        ("moderator", Role::Moderator),
        ("viewer", Role::Viewer),
    ] {
        let client = app
            .add_organiser(
                &format!("{label}@example.org"),
                "Member Person",
                WORKSPACE,
                role,
            )
            .await;
        members.push(Member {
            label,
            role: Some(role),
            elsewhere: None,
            client,
        });
    }
    let client = app
        .add_organiser(
            "stranger@example.org",
            "Stranger Person",
            "elsewhere",
            Role::Owner,
        )
        .await;
    members.push(Member {
        label: "owner of another workspace",
        role: None,
        elsewhere: Some(Role::Owner),
        client,
    });

    let table = routes();
    assert!(table.len() >= 14, "the table lists the organiser routes");
    let mut checked = 0;
    // Refusals first, so that the allowed requests (which change things) come after.
    for refusals in [true, false] {
        for route in &table {
            let path = path_of(route, letter, signature, owner, &invitation);
            for member in &members {
                let allowed = member.allowed(route);
                if allowed == refusals {
                    continue;
                }
                let page = send(&app, member, route, &path, true).await;
                let what = format!("{} {} as {}", route.method, path, member.label);
                if allowed {
                    // Allowed: whatever the answer (verifying a person's signature as an
                    // organisation's is not found), it is not a refusal of the role.
                    assert!(
                        page.status != 403 && page.status.as_u16() < 500,
                        "{what}: {} {}",
                        page.status,
                        page.body
                    );
                } else if member.role.is_none() && matches!(route.needs, Needs::Permission(_)) {
                    // Another workspace's letters and settings are not found, not forbidden:
                    // nothing tells a stranger they exist.
                    assert_eq!(page.status, 404, "{what}: {}", page.body);
                } else {
                    assert_eq!(page.status, 403, "{what}: {}", page.body);
                    assert!(
                        page.body.contains("Your role") || page.body.contains("role"),
                        "{what}: the page says why: {}",
                        page.body
                    );
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, table.len() * members.len());
}

#[tokio::test]
async fn every_organiser_route_sends_a_visitor_to_log_in_and_refuses_forms_without_their_token() {
    let app = spawn_app().await;
    let letter = app.open_letter("matrix").await;
    let anonymous = Member {
        label: "logged out",
        role: None,
        elsewhere: None,
        client: client(),
    };
    for route in routes() {
        let path = path_of(&route, letter, 1, 1, &"0".repeat(64));
        let page = match route.body {
            Body::None => app.get_with(&anonymous.client, &path).await,
            Body::Form => {
                app.post_with(&anonymous.client, &path, &[("csrf", "x")])
                    .await
            }
            Body::Multipart => {
                app.post_multipart(&anonymous.client, &path, &[("csrf", "x")], &[])
                    .await
            }
        };
        assert_eq!(page.status, 303, "{} {path}: {}", route.method, page.body);
        assert!(
            page.location
                .as_deref()
                .is_some_and(|l| l.starts_with("/login")),
            "{} {path}: {:?}",
            route.method,
            page.location
        );
        if route.body != Body::None {
            // The owner, without the form's token.
            let owner = Member {
                label: "owner",
                role: Some(Role::Owner),
                elsewhere: None,
                client: app.client.clone(),
            };
            let page = send(&app, &owner, &route, &path, false).await;
            assert_eq!(page.status, 403, "{} {path} without a token", route.method);
        }
    }
    // The table names a permission for every route that concerns one workspace.
    assert!(
        routes()
            .iter()
            .any(|r| r.needs == Needs::Permission(Permission::Moderate))
    );
}
