//! What the PostgreSQL tests share: `undersigned serve` as a child process on a given
//! database, an SMTP sink in this process, and a browser-like HTTP client.

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use mailin_embedded::{Handler, Response, SslConfig, response};
use reqwest::{StatusCode, header::HeaderMap, redirect::Policy};

pub const BIN: &str = env!("CARGO_BIN_EXE_undersigned");

/// The address people reach the site at, the same for every process, as behind a load
/// balancer. Links in emails point there; the tests send each request to the process they
/// choose, with this as the Origin, as a browser on the site would.
pub const PUBLIC_URL: &str = "http://letters.undersigned.test";

pub const OWNER_NAME: &str = "Olive Owner";
pub const OWNER_EMAIL: &str = "owner@example.org";
pub const OWNER_PASSWORD: &str = "a long owner password";

/// Polls `probe` every 50 ms until it returns `Some`, for at most `timeout`; then panics
/// with `what`.
pub async fn eventually<T, F, Fut>(timeout: Duration, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// How long each step of a test took, to show at the end.
pub struct Laps {
    start: Instant,
    last: Instant,
    laps: Vec<(&'static str, Duration)>,
}

impl Laps {
    pub fn start() -> Self {
        let now = Instant::now();
        Self {
            start: now,
            last: now,
            laps: Vec::new(),
        }
    }

    /// Ends the step called `what`.
    pub fn lap(&mut self, what: &'static str) {
        self.laps.push((what, self.last.elapsed()));
        self.last = Instant::now();
    }
}

impl std::fmt::Display for Laps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (what, took) in &self.laps {
            writeln!(f, "{:>8.2?}  {what}", took)?;
        }
        write!(f, "{:>8.2?}  in all", self.start.elapsed())
    }
}

// --- the SMTP sink ----------------------------------------------------------------------

/// One message the sink received.
#[derive(Debug, Clone)]
pub struct Captured {
    /// Which of the sink's listeners took it (each server process is given its own).
    pub listener: usize,
    pub to: Vec<String>,
    pub raw: Vec<u8>,
}

impl Captured {
    pub fn header(&self, name: &str) -> String {
        mailparse::parse_mail(&self.raw)
            .ok()
            .and_then(|m| {
                m.headers
                    .iter()
                    .find(|h| h.get_key().eq_ignore_ascii_case(name))
                    .map(|h| h.get_value())
            })
            .unwrap_or_default()
    }

    pub fn subject(&self) -> String {
        self.header("subject")
    }

    /// The decoded text part.
    pub fn text(&self) -> String {
        fn find(part: &mailparse::ParsedMail<'_>) -> Option<String> {
            if part.ctype.mimetype == "text/plain" {
                return part.get_body().ok();
            }
            part.subparts.iter().find_map(find)
        }
        mailparse::parse_mail(&self.raw)
            .ok()
            .and_then(|m| find(&m))
            .unwrap_or_default()
    }

    /// The path of the confirmation link in the text part (`/confirm/…`), if any.
    pub fn confirm_path(&self) -> Option<String> {
        let text = self.text();
        let link = text
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains("/confirm/"))?;
        Some(link[link.find("/confirm/")?..].to_owned())
    }
}

#[derive(Clone)]
struct SinkHandler {
    listener: usize,
    messages: Arc<Mutex<Vec<Captured>>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for SinkHandler {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
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
            listener: self.listener,
            to: std::mem::take(&mut self.to),
            raw: std::mem::take(&mut self.data),
        });
        response::OK
    }
}

/// An SMTP server in this process that keeps what it receives. It listens on several ports
/// that all deliver into one mailbox, so that a test can tell which process sent a message.
#[derive(Clone)]
pub struct MailSink {
    ports: Vec<u16>,
    messages: Arc<Mutex<Vec<Captured>>>,
}

impl MailSink {
    pub fn start(listeners: usize) -> Self {
        let messages = Arc::new(Mutex::new(Vec::new()));
        let ports = (0..listeners)
            .map(|listener| {
                let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
                let port = tcp.local_addr().unwrap().port();
                let mut server = mailin_embedded::Server::new(SinkHandler {
                    listener,
                    messages: messages.clone(),
                    to: Vec::new(),
                    data: Vec::new(),
                });
                server
                    .with_name("sink.test")
                    .with_ssl(SslConfig::None)
                    .unwrap()
                    .with_num_threads(4)
                    .with_tcp_listener(tcp);
                std::thread::spawn(move || {
                    let _ = server.serve();
                });
                port
            })
            .collect();
        Self { ports, messages }
    }

    /// The port of listener `n`.
    pub fn port(&self, n: usize) -> u16 {
        self.ports[n]
    }

    pub fn all(&self) -> Vec<Captured> {
        self.messages.lock().unwrap().clone()
    }

    /// The messages sent to `address`.
    pub fn to(&self, address: &str) -> Vec<Captured> {
        self.all()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }

    /// Waits (up to 15 seconds) until at least `n` messages have arrived; returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Captured> {
        eventually(Duration::from_secs(15), &format!("{n} emails"), || async {
            let all = self.all();
            (all.len() >= n).then_some(all)
        })
        .await
    }

    /// Waits (up to 15 seconds) for the `n`-th message to `address` and returns it.
    pub async fn wait_for_to(&self, address: &str, n: usize) -> Captured {
        eventually(
            Duration::from_secs(15),
            &format!("email {n} to {address}"),
            || async { self.to(address).get(n - 1).cloned() },
        )
        .await
    }
}

// --- the server process -----------------------------------------------------------------

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `undersigned serve`; killed when dropped. Its output (JSON logs and what it
/// prints) is collected.
pub struct Server {
    pub name: &'static str,
    /// Where this process listens: `http://127.0.0.1:PORT`.
    pub url: String,
    child: Child,
    output: Arc<Mutex<String>>,
}

impl Server {
    /// Starts a process on `database` with its own data folder, sending email to
    /// `smtp_port`; returns once it answers `/healthz`.
    pub async fn start(name: &'static str, data: &Path, database: &str, smtp_port: u16) -> Self {
        let mut server = Self::spawn(name, data, database, smtp_port);
        let health = plain_client();
        let started = Instant::now();
        loop {
            if let Ok(r) = health.get(server.url("/healthz")).send().await
                && r.status() == 200
            {
                return server;
            }
            if let Some(status) = server.exited().await {
                panic!("server {name} exited ({status})");
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "server {name} did not answer within 15 seconds"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Starts a process that must refuse to start; returns what it printed.
    pub async fn start_refused(
        name: &'static str,
        data: &Path,
        database: &str,
        smtp_port: u16,
    ) -> String {
        let mut server = Self::spawn(name, data, database, smtp_port);
        let started = Instant::now();
        loop {
            if let Some(status) = server.exited().await {
                assert!(!status.success(), "server {name} exited with {status}");
                return server.output();
            }
            let answers = plain_client().get(server.url("/healthz")).send().await;
            assert!(answers.is_err(), "server {name} started");
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "server {name} neither started nor stopped within 15 seconds"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn spawn(name: &'static str, data: &Path, database: &str, smtp_port: u16) -> Self {
        let port = free_port();
        let mut command = Command::new(BIN);
        // Only the settings below: nothing from the environment the tests run in
        // (UNDERSIGNED_TEST_BACKEND, a developer's UNDERSIGNED_DATABASE_URL…) and no
        // undersigned.toml from the working folder.
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("UNDERSIGNED_") {
                command.env_remove(key);
            }
        }
        command
            .arg("--data")
            .arg(data)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .current_dir(data)
            .env("UNDERSIGNED_DATABASE_URL", database)
            .env("UNDERSIGNED_PUBLIC_URL", PUBLIC_URL)
            .env(
                "UNDERSIGNED_SMTP_URL",
                format!("smtp://127.0.0.1:{smtp_port}"),
            )
            .env("UNDERSIGNED_ARGON2_MEMORY_KIB", "1024")
            .env("UNDERSIGNED_ARGON2_ITERATIONS", "1")
            .env("UNDERSIGNED_SIGN_LIMIT_PER_10MIN", "100000")
            .env("UNDERSIGNED_LOGIN_LIMIT_PER_15MIN", "1000")
            .env("UNDERSIGNED_LOG_FORMAT", "json")
            // The writer logs each batch it commits (at debug), with its size.
            .env(
                "UNDERSIGNED_LOG",
                "info,undersigned_server::services::writer=debug",
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        let output = Arc::new(Mutex::new(String::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let output = output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut out = output.lock().unwrap();
                    out.push_str(&line);
                    out.push('\n');
                }
            });
        }
        Self {
            name,
            url: format!("http://127.0.0.1:{port}"),
            child,
            output,
        }
    }

    /// The exit status, if the process has ended (after its output has been read).
    async fn exited(&mut self) -> Option<std::process::ExitStatus> {
        let status = self.child.try_wait().unwrap()?;
        // Let the reader threads drain the pipes.
        tokio::time::sleep(Duration::from_millis(100)).await;
        Some(status)
    }

    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// The path of the one-time setup link the process printed, waiting briefly for the
    /// output to be read.
    pub async fn setup_path(&self) -> String {
        eventually(Duration::from_secs(5), "the setup link", || async {
            let output = self.output();
            let at = output.find("/setup/")?;
            let rest = &output[at..];
            Some(rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())].to_owned())
        })
        .await
    }

    /// The JSON log records this process wrote, as far as they have been read.
    pub fn logs(&self) -> Vec<serde_json::Value> {
        self.output()
            .lines()
            .filter(|l| l.starts_with('{'))
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// The size of every batch this process's writer committed.
    pub fn batches(&self) -> Vec<u64> {
        self.logs()
            .iter()
            .filter(|r| r["fields"]["message"] == "batch committed")
            .filter_map(|r| r["fields"]["size"].as_u64())
            .collect()
    }

    /// Log records at `level` (`"WARN"`, `"ERROR"`).
    pub fn logged_at(&self, level: &str) -> Vec<serde_json::Value> {
        self.logs()
            .into_iter()
            .filter(|r| r["level"] == level)
            .collect()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    pub async fn get(&self, client: &reqwest::Client, path: &str) -> Page {
        Page::from(client.get(self.url(path)).send().await.unwrap()).await
    }

    /// A form post as a browser on the site sends it, ready to send (or to spawn).
    pub fn post_request(
        &self,
        client: &reqwest::Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::RequestBuilder {
        client
            .post(self.url(path))
            .header("origin", PUBLIC_URL)
            .form(form)
    }

    pub async fn post(&self, client: &reqwest::Client, path: &str, form: &[(&str, &str)]) -> Page {
        Page::send(self.post_request(client, path, form)).await
    }

    /// The public counts of a letter, straight from `counts.json`.
    pub async fn counts(&self, slug: &str) -> serde_json::Value {
        let page = self
            .get(&plain_client(), &format!("/l/{slug}/counts.json"))
            .await;
        assert_eq!(page.status, 200, "{}: {}", self.name, page.body);
        serde_json::from_str(&page.body).unwrap()
    }

    /// Waits until this process's public total of `slug` is `n` (its counts are cached for
    /// up to two seconds); returns the counts.
    pub async fn wait_for_total(&self, slug: &str, n: u64) -> serde_json::Value {
        let start = Instant::now();
        loop {
            let counts = self.counts(slug).await;
            if counts["total"].as_u64() == Some(n) {
                return counts;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{} still counts {counts} after 10 seconds, not {n}",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A test that fails half-way leaves no process behind, and shows what the processes said.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- output of server {} ---\n{}", self.name, self.output());
        }
    }
}

/// Gives the process with data folder `to` the instance key of the one with `from`, as an
/// operator does: the duplicate check is an HMAC under that key, so every process of a site
/// needs the same one.
pub fn copy_instance_key(from: &Path, to: &Path) {
    use std::{
        fs::{DirBuilder, OpenOptions},
        io::Write,
        os::unix::fs::{DirBuilderExt, OpenOptionsExt},
    };
    let key = std::fs::read(from.join("keys/instance.key")).unwrap();
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(to.join("keys"))
        .unwrap();
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(to.join("keys/instance.key"))
        .unwrap();
    file.write_all(&key).unwrap();
}

// --- HTTP -------------------------------------------------------------------------------

/// A browser: keeps cookies, does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    undersigned_testkit::install_crypto_provider();
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// A client without cookies that does not follow redirects.
pub fn plain_client() -> reqwest::Client {
    undersigned_testkit::install_crypto_provider();
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// A client that sends `cookie` (`name=value`) with every request, and nothing else: to
/// carry a session from one process to another explicitly.
pub fn client_with_cookie(cookie: &str) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert(reqwest::header::COOKIE, cookie.parse().unwrap());
    undersigned_testkit::install_crypto_provider();
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// A response's status, headers and body.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: HeaderMap,
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

    pub async fn send(request: reqwest::RequestBuilder) -> Self {
        Self::from(request.send().await.unwrap()).await
    }

    /// The value of the hidden `csrf` field.
    pub fn csrf(&self) -> String {
        hidden_value(&self.body, "csrf").expect("the page has a csrf field")
    }

    /// `name=value` of the cookie `name` this response sets.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim())
            .find(|pair| pair.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }
}

/// The value of `<input … name="NAME" value="…">` in `html`.
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// Every value of the radio buttons called `name` in `html`, in order.
pub fn radio_values(html: &str, name: &str) -> Vec<String> {
    let marker = format!("name=\"{name}\" value=\"");
    html.match_indices(&marker)
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
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

// --- the database -----------------------------------------------------------------------

/// A connection pool of the test's own on the servers' database: to look at rows no page
/// shows (the outbox) and to simulate time passing.
pub async fn db(url: &str) -> sqlx::PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap()
}
