//! The test harness: the real application on port 0 with a fresh database, and a real SMTP
//! server (mailin-embedded) running in this process, which lettre talks to over TCP.
//!
//! The database is SQLite in a temporary folder, or, with `UNDERSIGNED_TEST_BACKEND=postgres`,
//! a fresh database on a throwaway PostgreSQL cluster (see `undersigned-testkit`): the same
//! tests run on both backends.

use std::{
    net::TcpListener,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use mailin_embedded::{Handler, Response, Server, SslConfig, response};
use reqwest::{StatusCode, redirect::Policy};
use sqlx::{AnyPool, any::AnyPoolOptions};
use undersigned_core::{Role, Slug};
use undersigned_server::{
    Application,
    config::Settings,
    format::now,
    open_store,
    services::passwords::{NewPassword, Passwords},
};
use undersigned_store::{NewUser, NewWorkspace};
use undersigned_testkit::{Backend, backend, fresh_postgres_database};

// --- the SMTP sink ----------------------------------------------------------------------

/// One message the sink received.
#[derive(Debug, Clone)]
pub struct Captured {
    pub to: Vec<String>,
    pub raw: Vec<u8>,
}

impl Captured {
    pub fn subject(&self) -> String {
        mailparse::parse_mail(&self.raw)
            .ok()
            .and_then(|m| {
                m.headers
                    .iter()
                    .find(|h| h.get_key().eq_ignore_ascii_case("subject"))
                    .map(|h| h.get_value())
            })
            .unwrap_or_default()
    }

    /// The decoded body of the part with this MIME type.
    pub fn part(&self, mime: &str) -> String {
        fn find(part: &mailparse::ParsedMail<'_>, mime: &str) -> Option<String> {
            if part.ctype.mimetype == mime {
                return part.get_body().ok();
            }
            part.subparts.iter().find_map(|p| find(p, mime))
        }
        mailparse::parse_mail(&self.raw)
            .ok()
            .and_then(|m| find(&m, mime))
            .unwrap_or_default()
    }

    pub fn text(&self) -> String {
        self.part("text/plain")
    }

    pub fn html(&self) -> String {
        self.part("text/html")
    }

    /// The first link in the text part that contains `needle`.
    pub fn link(&self, needle: &str) -> Option<String> {
        self.text()
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(needle))
            .map(str::to_owned)
    }
}

#[derive(Clone, Default)]
struct SinkHandler {
    messages: Arc<Mutex<Vec<Captured>>>,
    /// Refuse this many messages with a temporary error before accepting.
    refuse: Arc<AtomicUsize>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for SinkHandler {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        // Refuse at DATA, not after the message: mailin stays in its data state after an
        // error at the end of the message, and then never answers the client's next command.
        let refuse = self.refuse.load(Ordering::SeqCst);
        if refuse > 0 {
            self.refuse.store(refuse - 1, Ordering::SeqCst);
            return response::INTERNAL_ERROR;
        }
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.messages.lock().unwrap().push(Captured {
            to: std::mem::take(&mut self.to),
            raw: std::mem::take(&mut self.data),
        });
        response::OK
    }
}

/// An SMTP server in this process that keeps what it receives.
#[derive(Clone)]
pub struct MailSink {
    pub port: u16,
    messages: Arc<Mutex<Vec<Captured>>>,
    refuse: Arc<AtomicUsize>,
}

impl MailSink {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handler = SinkHandler::default();
        let messages = handler.messages.clone();
        let refuse = handler.refuse.clone();
        let mut server = Server::new(handler);
        server
            .with_name("sink.test")
            .with_ssl(SslConfig::None)
            .unwrap()
            .with_num_threads(2)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self {
            port,
            messages,
            refuse,
        }
    }

    pub fn all(&self) -> Vec<Captured> {
        self.messages.lock().unwrap().clone()
    }

    /// Refuses the next `n` messages with a temporary (4xx) error.
    pub fn refuse_next(&self, n: usize) {
        self.refuse.store(n, Ordering::SeqCst);
    }

    /// Waits until `n` messages have arrived (or fails after 15 seconds).
    pub async fn wait_for(&self, n: usize) -> Vec<Captured> {
        for _ in 0..300 {
            let all = self.all();
            if all.len() >= n {
                return all;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} emails, got {}", self.all().len());
    }

    /// The messages sent to `address`.
    pub fn to(&self, address: &str) -> Vec<Captured> {
        self.all()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }

    /// Waits for the `n`-th message to `address` and returns it.
    pub async fn wait_for_to(&self, address: &str, n: usize) -> Captured {
        for _ in 0..300 {
            let mine = self.to(address);
            if mine.len() >= n {
                return mine[n - 1].clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "expected {n} emails to {address}, got {}",
            self.to(address).len()
        );
    }
}

// --- the application --------------------------------------------------------------------

pub struct TestApp {
    /// The site's public address (where it listens, unless the test configured another).
    pub address: String,
    /// Where it actually listens: `http://127.0.0.1:PORT`.
    pub local: String,
    pub client: reqwest::Client,
    pub mail: MailSink,
    pub data: tempfile::TempDir,
    pub setup_link: Option<String>,
    /// The settings it runs with (to restart it on the same database).
    pub settings: Settings,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// A stopped application: what it takes to start it again on the same data.
pub struct Stopped {
    pub mail: MailSink,
    pub data: tempfile::TempDir,
    pub settings: Settings,
}

pub const OWNER_EMAIL: &str = "owner@example.org";
pub const OWNER_PASSWORD: &str = "a long owner password";

/// Settings for a test: a fresh data folder, the sink as SMTP server, cheap password hashing.
pub fn test_settings(data: &std::path::Path, smtp_port: u16) -> Settings {
    let mut settings = Settings::defaults().unwrap();
    settings.bind = "127.0.0.1:0".parse().unwrap();
    settings.data_dir = data.to_owned();
    settings.smtp_url = Some(format!("smtp://127.0.0.1:{smtp_port}"));
    settings.mail_from = "Undersigned Test <letters@example.org>".into();
    settings.argon2_memory_kib = 1024;
    settings.argon2_iterations = 1;
    settings.sign_limit_per_10min = 10_000;
    settings.login_limit_per_15min = 10_000;
    if backend() == Backend::Postgres {
        settings.database_url = Some(fresh_postgres_database());
    }
    settings
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(customise: impl FnOnce(&mut Settings)) -> TestApp {
    let mail = MailSink::start();
    let data = tempfile::tempdir().unwrap();
    let mut settings = test_settings(data.path(), mail.port);
    customise(&mut settings);
    start(settings, mail, data).await
}

/// Starts the application on an existing data folder (to test restarts).
pub async fn start(settings: Settings, mail: MailSink, data: tempfile::TempDir) -> TestApp {
    let app = Application::build(settings.clone())
        .await
        .expect("the app starts");
    let address = app.public_url().to_owned();
    let local = format!("http://{}", app.local_addr());
    let setup_link = app.setup_link().map(str::to_owned);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        app.run(async {
            let _ = stopped.await;
        })
        .await
        .expect("the app runs");
    });
    TestApp {
        address,
        local,
        client: client(),
        mail,
        data,
        setup_link,
        settings,
        stop: Some(stop),
        task: Some(task),
    }
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    undersigned_testkit::install_crypto_provider();
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// A page's status and body.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub async fn from(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let location = headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Self {
            status,
            location,
            headers,
            body: response.text().await.unwrap(),
        }
    }

    /// The value of the hidden `csrf` field.
    pub fn csrf(&self) -> String {
        hidden_value(&self.body, "csrf").expect("the page has a csrf field")
    }
}

/// The sentence of a page that says one thing (`message.html`): the first paragraph of its
/// card, with HTML entities for quotes and ampersands decoded.
pub fn message_text(html: &str) -> Option<String> {
    let card = &html[html.find("<section class=\"card narrow\">")?..];
    let start = card.find("<p>")? + 3;
    let end = start + card[start..].find("</p>")?;
    Some(
        card[start..end]
            .replace("&#39;", "'")
            .replace("&quot;", "\"")
            .replace("&amp;", "&"),
    )
}

/// The message shown next to the form field named `name`, if any: the first
/// `<p class="error">` inside the field's block (its `class="field…"` element, or its table
/// cell for the letter editor's signer fields).
pub fn field_error(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let start = [html[..at].rfind("class=\"field"), html[..at].rfind("<td>")]
        .into_iter()
        .flatten()
        .max()?;
    let end = ["class=\"field", "</td>", "</form>"]
        .into_iter()
        .filter_map(|m| html[at..].find(m).map(|i| i + at))
        .min()
        .unwrap_or(html.len());
    let block = &html[start..end];
    let open = "<p class=\"error\">";
    let from = block.find(open)? + open.len();
    let to = block[from..].find("</p>")? + from;
    Some(block[from..to].to_owned())
}

/// Whether the radio button `name` with `value` is checked in `html`.
pub fn is_checked(html: &str, name: &str, value: &str) -> bool {
    let marker = format!("name=\"{name}\" value=\"{value}\"");
    html.find(&marker).is_some_and(|at| {
        let rest = &html[at + marker.len()..];
        rest[..rest.find('>').unwrap_or(0)].contains("checked")
    })
}

/// `/login?next=…` as the server writes it for `path`.
pub fn login_redirect(path: &str) -> String {
    format!("/login?next={}", path.replace('/', "%2F"))
}

/// The value of `<input … name="NAME" value="…">` in `html`.
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Page {
        self.get_with(&self.client, path).await
    }

    pub async fn get_with(&self, client: &reqwest::Client, path: &str) -> Page {
        Page::from(client.get(self.url(path)).send().await.unwrap()).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        self.post_with(&self.client, path, form).await
    }

    pub async fn post_with(
        &self,
        client: &reqwest::Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> Page {
        Page::from(
            client
                .post(self.url(path))
                .header("origin", &self.address)
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// The counts endpoint's answer.
    pub async fn counts(&self, slug: &str) -> serde_json::Value {
        let response = self
            .client
            .get(self.url(&format!("/l/{slug}/counts.json")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// Sets the instance up through the one-time link; the client is then logged in as owner.
    pub async fn set_up_owner(&self) {
        let link = self
            .setup_link
            .clone()
            .expect("a fresh instance has a setup link");
        let path = link.trim_start_matches(&self.address).to_owned();
        let page = self.get(&path).await;
        assert_eq!(page.status, 200);
        let csrf = page.csrf();
        let done = self
            .post(
                &path,
                &[
                    ("csrf", &csrf),
                    ("workspace", "Test Coalition"),
                    ("name", "Olive Owner"),
                    ("email", OWNER_EMAIL),
                    ("password", OWNER_PASSWORD),
                    ("password_again", OWNER_PASSWORD),
                ],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        assert_eq!(done.location.as_deref(), Some("/admin"));
    }

    /// Logs `client` in; returns the login response.
    pub async fn log_in(&self, client: &reqwest::Client, email: &str, password: &str) -> Page {
        let form = self.get_with(client, "/login").await;
        let csrf = form.csrf();
        self.post_with(
            client,
            "/login",
            &[
                ("csrf", &csrf),
                ("email", email),
                ("password", password),
                ("next", "/admin"),
            ],
        )
        .await
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

    pub async fn publish(&self, client: &reqwest::Client, id: i64) -> Page {
        let csrf = self.organiser_csrf(client).await;
        self.post_with(
            client,
            &format!("/admin/letters/{id}/publish"),
            &[("csrf", &csrf)],
        )
        .await
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
        let page = self.get(&format!("/l/{slug}")).await;
        page.body
            .match_indices("name=\"category\" value=\"")
            .map(|(i, m)| {
                let rest = &page.body[i + m.len()..];
                rest[..rest.find('"').unwrap()].to_owned()
            })
            .collect()
    }

    /// Signs as a fresh client (a different browser).
    pub async fn sign(&self, slug: &str, fields: &[(&str, &str)]) -> Page {
        self.post_with(&client(), &format!("/l/{slug}/sign"), fields)
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
        let before = self.mail.to(email).len();
        let categories = self.categories(slug).await;
        let page = self
            .sign(
                slug,
                &[
                    ("name", name),
                    ("email", email),
                    ("category", &categories[0]),
                    ("display", display),
                ],
            )
            .await;
        assert_eq!(page.status, 303, "{}", page.body);
        let message = self.mail.wait_for_to(email, before + 1).await;
        let link = message.link("/confirm/").expect("a confirmation link");
        let path = link.trim_start_matches(&self.address).to_owned();
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

    /// Closes the letter as the logged-in `client`.
    pub async fn close(&self, client: &reqwest::Client, id: i64) -> Page {
        let csrf = self.organiser_csrf(client).await;
        self.post_with(
            client,
            &format!("/admin/letters/{id}/close"),
            &[("csrf", &csrf)],
        )
        .await
    }

    /// Sends a request built by the test (odd bodies, headers or content types).
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Page {
        Page::from(request.send().await.unwrap()).await
    }

    /// Signs with valid values and the first category; returns the emailed confirmation path.
    pub async fn sign_pending(&self, slug: &str, name: &str, email: &str) -> String {
        let before = self.mail.to(email).len();
        let categories = self.categories(slug).await;
        let page = self
            .sign(
                slug,
                &[
                    ("name", name),
                    ("email", email),
                    ("category", &categories[0]),
                    ("display", "public"),
                ],
            )
            .await;
        assert_eq!(page.status, 303, "{}", page.body);
        self.confirm_path(&self.mail.wait_for_to(email, before + 1).await)
    }

    /// The path of the confirmation link in `message` (whatever port the server that sent
    /// it listened on).
    pub fn confirm_path(&self, message: &Captured) -> String {
        let link = message.link("/confirm/").expect("a confirmation link");
        link[link.find("/confirm/").unwrap()..].to_owned()
    }

    /// The public total of a letter.
    pub async fn total(&self, slug: &str) -> u64 {
        self.counts(slug).await["total"].as_u64().unwrap()
    }

    /// Signs as `email` and waits for its email: proof that every email queued before it
    /// has been sent, because the worker sends in queue order.
    pub async fn mail_barrier(&self, slug: &str) {
        self.sign_pending(slug, "Barry Barrier", "barrier@example.org")
            .await;
    }

    /// A connection pool of the test's own on the application's database (SQLite or
    /// PostgreSQL, through sqlx's Any driver): to look at rows no page shows (the outbox), to
    /// hold a lock, or to simulate time passing. Statements must be valid on both backends.
    pub async fn db(&self) -> AnyPool {
        sqlx::any::install_default_drivers();
        let url = match &self.settings.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rw",
                self.data.path().join("undersigned.db").display()
            ),
        };
        AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .unwrap()
    }

    /// Runs one SQL statement on the application's database.
    pub async fn sql(&self, statement: &'static str) {
        let db = self.db().await;
        sqlx::query(statement).execute(&db).await.unwrap();
        db.close().await;
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
                    created_at: now(),
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
                created_at: now(),
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

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) -> Stopped {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
        Stopped {
            mail: self.mail.clone(),
            data: self.data,
            settings: self.settings,
        }
    }
}

/// A valid letter form.
pub fn letter_fields(slug: &str) -> Vec<(&'static str, String)> {
    vec![
        ("slug", slug.to_owned()),
        ("title", "Investigate the academy now".to_owned()),
        ("subject", "RE: An independent investigation".to_owned()),
        ("body", "We, the undersigned, ask you **today**.".to_owned()),
        (
            "targets",
            "Ines Quarry | Commissioner | Example League".to_owned(),
        ),
        ("categories", "Organisation\nSurvivor\nSupporter".to_owned()),
        ("field_title", "optional".to_owned()),
        ("field_affiliation", "optional".to_owned()),
        ("field_city", "optional".to_owned()),
        ("field_country", "hidden".to_owned()),
        ("field_comment", "optional".to_owned()),
    ]
}

/// Borrows an owned form as the request helpers take it.
pub fn as_form<'a>(fields: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

impl TestApp {
    /// Publishes `n` fictional signatures on the letter at once through the store (as
    /// `undersigned demo` does), for tests that need a long log.
    pub async fn import(&self, slug: &str, letter: i64, n: usize) {
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
                    now: now(),
                    salt: undersigned_server::secrets::random_bytes(),
                }))
            })
            .collect();
        for result in store.commit_batch(commands).await.unwrap() {
            result.unwrap();
        }
        store.close().await;
        // The server caches counts for up to two seconds.
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert_eq!(
            self.counts(slug).await["total"].as_u64().unwrap() as usize,
            n
        );
    }
}
