//! What the tests do on the site, written once: set the instance up, write and publish a
//! letter, sign and confirm, add organisers, import signatures. The application itself is
//! started by `app.rs`; pages, clients, the SMTP sink and the HTML helpers come from
//! `undersigned-testkit`.

use std::time::Duration;

use undersigned_core::{Role, Slug};
use undersigned_server::{
    open_store,
    services::passwords::{NewPassword, Passwords},
};
use undersigned_store::{Fanout, FanoutJob, FanoutProgress, NewUser, NewWorkspace};

pub use crate::app::*;
pub use undersigned_testkit::{
    Captured, Page, Site, client,
    fixtures::{OWNER_EMAIL, OWNER_PASSWORD, as_form, letter_fields},
    html::{field_error, hidden_value, is_checked, message_text, radio_values},
};

/// An application with the letter `slug` open and `n` published signatures on it, for
/// tests that need a long log. The signatures are imported through the store, behind the
/// application's back, so it does not cache its reads.
pub async fn spawn_app_with_signatures(slug: &str, n: usize) -> TestApp {
    let app = TestApp::init().with_cache_ttl(Duration::ZERO).spawn().await;
    let id = app.open_letter(slug).await;
    app.import(slug, id, n).await;
    app
}

/// `/login?next=…` as the server writes it for `path`.
pub fn login_redirect(path: &str) -> String {
    format!("/login?next={}", path.replace('/', "%2F"))
}

/// An application whose fan-outs (updates' emails, requests to re-confirm, invitations to
/// past signers) read two signers a batch and run only when a test plays their worker: see
/// [`TestApp::doomed_fan_out_batch`] and [`TestApp::restart_with_fan_outs`].
pub async fn spawn_without_fan_outs() -> TestApp {
    TestApp::init()
        .with_settings(|s| s.update_batch = 2)
        .with_updates_every(None)
        .spawn()
        .await
}

impl TestApp {
    /// Plays a fan-out worker that claims the due fan-out with a lease that runs out at
    /// once, queues one batch of two, and dies: returns what it claimed and what the batch
    /// did.
    pub async fn doomed_fan_out_batch(&self) -> (FanoutJob, FanoutProgress) {
        let store = open_store(&self.settings).await.unwrap();
        let now = self.clock.now();
        let job = store
            .claim_fanout("doomed-worker", now, now)
            .await
            .unwrap()
            .expect("a fan-out is due");
        let progress = store
            .fan_out_batch(job.fanout, "doomed-worker", 2, now, now)
            .await
            .unwrap();
        store.close().await;
        (job, progress)
    }

    /// Restarts the application with its fan-out job (every 200 ms), which takes over what
    /// a dead worker left.
    pub async fn restart_with_fan_outs(self) -> TestApp {
        let mut stopped = self.stop().await;
        stopped.runtime.updates_every = Some(Duration::from_millis(200));
        stopped.start().await
    }

    /// Checks that `dead`'s worker (see [`TestApp::doomed_fan_out_batch`]) would queue
    /// nothing were it to wake up, and that no fan-out is left to claim.
    pub async fn assert_no_fan_out_left(&self, dead: Fanout) {
        let store = open_store(&self.settings).await.unwrap();
        let now = self.clock.now();
        assert_eq!(
            store
                .fan_out_batch(dead, "doomed-worker", 2, now, now + 60)
                .await
                .unwrap(),
            FanoutProgress::Lost
        );
        assert!(
            store
                .claim_fanout("late", now, now + 60)
                .await
                .unwrap()
                .is_none()
        );
        store.close().await;
    }

    /// GET `path` with the test's own browser ([`TestApp::client`]).
    pub async fn get(&self, path: &str) -> Page {
        self.get_with(&self.client, path).await
    }

    /// POST the form `form` to `path` with the test's own browser.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        self.post_with(&self.client, path, form).await
    }

    /// Sends a request built by the test (odd bodies, headers or content types).
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Page {
        Page::send(request).await
    }

    /// Sets the instance up through the one-time link; the client is then logged in as owner.
    pub async fn set_up_owner(&self) {
        let link = self
            .setup_link
            .clone()
            .expect("a fresh instance has a setup link");
        let path = link.trim_start_matches(&self.address).to_owned();
        self.set_up(&self.client, &path).await;
    }

    /// The csrf token of the logged-in client (from the dashboard).
    pub async fn organiser_csrf(&self, client: &reqwest::Client) -> String {
        let page = self.get_with(client, "/admin").await;
        assert_eq!(page.status, 200, "not logged in");
        page.csrf()
    }

    /// Creates a draft letter as the logged-in `client`; returns its id.
    pub async fn create_letter(&self, client: &reqwest::Client, fields: &[(&str, &str)]) -> i64 {
        let page = self.post_letter(client, fields).await;
        assert_eq!(page.status, 303, "{}", page.body);
        page.location
            .unwrap()
            .trim_start_matches("/admin/letters/")
            .parse()
            .unwrap()
    }

    pub async fn post_letter(&self, client: &reqwest::Client, fields: &[(&str, &str)]) -> Page {
        let form = self.get_with(client, "/admin/letters/new").await;
        let csrf = form.csrf();
        let workspace = hidden_value(&form.body, "workspace").unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf), ("workspace", &workspace)];
        all.extend_from_slice(fields);
        self.post_with(client, "/admin/letters/new", &all).await
    }

    /// Publishes the letter as the logged-in `client`.
    pub async fn publish(&self, client: &reqwest::Client, id: i64) -> Page {
        self.letter_action(client, id, "publish").await
    }

    /// Closes the letter as the logged-in `client`.
    pub async fn close(&self, client: &reqwest::Client, id: i64) -> Page {
        self.letter_action(client, id, "close").await
    }

    /// Presses the letter's button `action` (`publish`, `close`) as the logged-in `client`.
    async fn letter_action(&self, client: &reqwest::Client, id: i64, action: &str) -> Page {
        let csrf = self.organiser_csrf(client).await;
        let path = format!("/admin/letters/{id}/{action}");
        self.post_with(client, &path, &[("csrf", &csrf)]).await
    }

    /// Sets up the owner and publishes a letter with slug `slug`; returns its id.
    pub async fn open_letter(&self, slug: &str) -> i64 {
        if self.setup_link.is_some() && self.get("/admin").await.status != 200 {
            self.set_up_owner().await;
        }
        let fields = letter_fields(slug);
        let id = self.create_letter(&self.client, &as_form(&fields)).await;
        let page = self.publish(&self.client, id).await;
        assert_eq!(page.status, 303, "{}", page.body);
        id
    }

    /// The category ids offered on the letter page, in order.
    pub async fn categories(&self, slug: &str) -> Vec<String> {
        radio_values(&self.get(&format!("/l/{slug}")).await.body, "category")
    }

    /// Signs as a fresh client (a different browser).
    pub async fn sign(&self, slug: &str, fields: &[(&str, &str)]) -> Page {
        self.post_with(&client(), &format!("/l/{slug}/sign"), fields)
            .await
    }

    /// Signs publicly with valid values and the first category; returns the page, without
    /// waiting for any email.
    pub async fn sign_as(&self, slug: &str, name: &str, email: &str) -> Page {
        self.sign_as_with(slug, name, email, "public").await
    }

    /// Signs with valid values, the first category and the display level `display`; returns
    /// the page.
    pub async fn sign_as_with(&self, slug: &str, name: &str, email: &str, display: &str) -> Page {
        let categories = self.categories(slug).await;
        self.sign(
            slug,
            &[
                ("name", name),
                ("email", email),
                ("category", &categories[0]),
                ("display", display),
            ],
        )
        .await
    }

    /// Signs with the first category, confirms through the emailed link; returns the link's
    /// path (`/confirm/TOKEN`).
    pub async fn sign_and_confirm(
        &self,
        slug: &str,
        name: &str,
        email: &str,
        display: &str,
    ) -> String {
        let path = self.sign_pending_as(slug, name, email, display).await;
        let confirmed = self.post_with(&client(), &path, &[]).await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.body);
        path
    }

    /// How many letters the logged-in `client`'s dashboard lists.
    pub async fn letter_count(&self, client: &reqwest::Client) -> usize {
        let page = self.get_with(client, "/admin").await;
        assert_eq!(page.status, 200, "not logged in");
        page.body.matches("<td><a href=\"/admin/letters/").count()
    }

    /// Signs publicly with valid values and the first category; returns the emailed
    /// confirmation path.
    pub async fn sign_pending(&self, slug: &str, name: &str, email: &str) -> String {
        self.sign_pending_as(slug, name, email, "public").await
    }

    /// Signs with the first category and the display level `display`; returns the emailed
    /// confirmation path.
    pub async fn sign_pending_as(
        &self,
        slug: &str,
        name: &str,
        email: &str,
        display: &str,
    ) -> String {
        let before = self.mail.to(email).len();
        let page = self.sign_as_with(slug, name, email, display).await;
        assert_eq!(page.status, 303, "{}", page.body);
        self.confirm_path(&self.mail.wait_for_to(email, before + 1).await)
    }

    /// The path of the confirmation link in `message` (whatever port the server that sent
    /// it listened on).
    pub fn confirm_path(&self, message: &Captured) -> String {
        message.confirm_path().expect("a confirmation link")
    }

    /// Signs as `email` and waits for its email: proof that every email queued before it
    /// has been sent, because the worker sends in queue order.
    pub async fn mail_barrier(&self, slug: &str) {
        self.sign_pending(slug, "Barry Barrier", "barrier@example.org")
            .await;
    }

    /// Makes every signature look as if it was last emailed ten minutes ago, as if the
    /// email throttle's window had passed.
    pub async fn forget_email_throttle(&self) {
        self.sql("UPDATE signatures SET last_emailed_at = last_emailed_at - 2 * 86400")
            .await;
    }

    /// Creates an organiser with `role` in the workspace `workspace_slug` (created when
    /// missing) through the store, as the command line does; returns a client logged in
    /// as them.
    pub async fn add_organiser(
        &self,
        email: &str,
        name: &str,
        workspace_slug: &str,
        role: Role,
    ) -> reqwest::Client {
        let store = open_store(&self.settings).await.unwrap();
        let workspace = match store.workspace_by_slug(workspace_slug).await.unwrap() {
            Some(w) => w.id,
            None => store
                .create_workspace(NewWorkspace {
                    slug: Slug::parse(workspace_slug).unwrap(),
                    name: format!("Workspace {workspace_slug}"),
                    created_at: self.clock.now(),
                })
                .await
                .unwrap(),
        };
        let hash = Passwords::new(1024, 1)
            .unwrap()
            .hash(NewPassword::parse(OWNER_PASSWORD).unwrap())
            .await
            .unwrap();
        let user = store
            .create_user(NewUser {
                email: email.to_owned(),
                name: name.to_owned(),
                password_hash: hash,
                created_at: self.clock.now(),
            })
            .await
            .unwrap();
        store.set_membership(workspace, user, role).await.unwrap();
        store.close().await;
        let client = client();
        let page = self.log_in(&client, email, OWNER_PASSWORD).await;
        assert_eq!(page.status, 303, "{}", page.body);
        client
    }

    /// Publishes `n` fictional signatures on the letter at once through the store (as
    /// `undersigned demo` does). The application does not see this write: see
    /// [`spawn_app_with_signatures`].
    async fn import(&self, slug: &str, letter: i64, n: usize) {
        use undersigned_core::{
            DisplayLevel, EmailAddress, PersonName, signature::NewSignature,
            signature::SignerDetails,
        };
        use undersigned_store::{ImportCommand, LetterId, WriteCommand};
        let store = open_store(&self.settings).await.unwrap();
        let keys =
            undersigned_server::secrets::InstanceKeys::load_or_create(&self.settings.data_dir)
                .unwrap();
        let categories = store
            .letter(LetterId(letter))
            .await
            .unwrap()
            .unwrap()
            .categories;
        let commands = (0..n)
            .map(|i| {
                let email = EmailAddress::parse(&format!("{slug}-import-{i}@example.org")).unwrap();
                WriteCommand::ImportPublished(Box::new(ImportCommand {
                    letter: LetterId(letter),
                    duplicate_key: keys.duplicates.key("signature", &email),
                    signature: NewSignature {
                        name: PersonName::parse(&format!("Imported Person{i}")).unwrap(),
                        email,
                        category_id: categories[i % categories.len()].id.0,
                        display: DisplayLevel::Public,
                        details: SignerDetails::default(),
                    },
                    now: self.clock.now(),
                    salt: undersigned_server::secrets::random_bytes(),
                    organisation: None,
                }))
            })
            .collect();
        for result in store.commit_batch(commands).await.unwrap() {
            result.unwrap();
        }
        store.close().await;
        assert_eq!(self.total(slug).await as usize, n);
    }
}

// --- organisations ---------------------------------------------------------------------------

/// A letter whose "Organisation" category is where organisations sign; returns its id.
pub async fn open_letter_for_organisations(app: &TestApp, slug: &str) -> i64 {
    app.set_up_owner().await;
    let mut fields = letter_fields(slug);
    fields.push(("organisation_category", "Organisation".to_owned()));
    let id = app.create_letter(&app.client, &as_form(&fields)).await;
    let page = app.publish(&app.client, id).await;
    assert_eq!(page.status, 303, "{}", page.body);
    id
}

/// A `multipart/form-data` body of `fields` and the file `logo` (empty, as a browser sends
/// it when no file was chosen), with its content type.
pub fn multipart(fields: &[(&str, &str)], logo: &[u8]) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "----undersigned-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    let filename = if logo.is_empty() { "" } else { "logo.png" };
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"logo\"; \
             filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(logo);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// The organisation form's fields, filled in.
pub fn organisation_form<'a>(
    organisation: &'a str,
    website: &'a str,
    name: &'a str,
    email: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("signer", "organisation"),
        ("organisation", organisation),
        ("website", website),
        ("name", name),
        ("title", "Director"),
        ("email", email),
        ("authorised", "on"),
    ]
}

/// Posts the organisation form with `logo` as its file.
pub async fn sign_with_logo(
    app: &TestApp,
    slug: &str,
    fields: &[(&str, &str)],
    logo: &[u8],
) -> Page {
    let (content_type, body) = multipart(fields, logo);
    app.send(
        client()
            .post(app.url(&format!("/l/{slug}/sign")))
            .header("content-type", content_type)
            .header("origin", &app.address)
            .body(body),
    )
    .await
}

/// Signs for an organisation (multipart, with `logo` if not empty) and confirms through the
/// emailed link, as the person `name` at `email`.
pub async fn sign_organisation_and_confirm(
    app: &TestApp,
    slug: &str,
    organisation: &str,
    website: &str,
    name: &str,
    email: &str,
    logo: &[u8],
) -> String {
    let before = app.mail.to(email).len();
    let fields = organisation_form(organisation, website, name, email);
    let page = sign_with_logo(app, slug, &fields, logo).await;
    assert_eq!(page.status, 303, "{organisation}: {}", page.body);
    let message = app.mail.wait_for_to(email, before + 1).await;
    let path = app.confirm_path(&message);
    let confirmed = app.post_with(&client(), &path, &[]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    path
}
