//! The `undersigned` binary as a user or an operator runs it: a child process with its own
//! data folder, its output captured, killed when the test is done with it (or fails).
//!
//! Only the test binaries of the crate that builds it know where the binary is
//! (`env!("CARGO_BIN_EXE_undersigned")`), so they pass its path in.

use std::{
    ffi::OsStr,
    io::{BufRead, BufReader, Read},
    path::Path,
    process::{Child, Command, ExitStatus, Stdio},
    sync::{Arc, Mutex},
    thread::JoinHandle,
    time::{Duration, Instant},
};

use crate::{POLL, Site, eventually, free_port, http::plain_client};

/// How long a server process may take to answer `/healthz`, or to stop on SIGTERM.
pub const START_TIMEOUT: Duration = Duration::from_secs(15);

/// The binary at `bin` for the data folder `data`: run from that folder (so that no
/// `undersigned.toml` of the working folder is read), with none of the `UNDERSIGNED_*`
/// settings of the environment the tests run in (a developer's `UNDERSIGNED_DATABASE_URL`,
/// the suites' `UNDERSIGNED_TEST_BACKEND`), and with cheap password hashing. Add the command
/// and the settings the test wants.
pub fn undersigned(bin: impl AsRef<OsStr>, data: &Path) -> Command {
    let mut command = Command::new(bin);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("UNDERSIGNED_") {
            command.env_remove(key);
        }
    }
    command
        .arg("--data")
        .arg(data)
        .current_dir(data)
        .env("UNDERSIGNED_ARGON2_MEMORY_KIB", "1024")
        .env("UNDERSIGNED_ARGON2_ITERATIONS", "1");
    command
}

/// A running `undersigned serve`. Everything it prints (stdout and stderr) is collected; it
/// is killed when dropped, and then, if the test is failing, shows what it printed.
pub struct ServerProcess {
    name: String,
    /// Where it listens: `http://127.0.0.1:PORT`.
    url: String,
    origin: String,
    child: Child,
    output: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
}

impl ServerProcess {
    /// Runs `command` (see [`undersigned`]) with `serve --bind 127.0.0.1:PORT` on a free
    /// port; returns once it answers `/healthz`. Panics, with what it printed, when it exits
    /// first or does not answer within [`START_TIMEOUT`]. `name` tells processes apart in
    /// messages.
    pub async fn start(name: &str, command: Command) -> Self {
        Self::start_on(name, command, free_port()).await
    }

    /// [`ServerProcess::start`] on a given port: a restarted server keeps its address (and
    /// so its log's origin).
    pub async fn start_on(name: &str, command: Command, port: u16) -> Self {
        let mut server = Self::spawn(name, command, port);
        let health = plain_client();
        let started = Instant::now();
        loop {
            if let Ok(r) = health.get(server.url("/healthz")).send().await
                && r.status() == 200
            {
                return server;
            }
            if let Some(status) = server.exited() {
                panic!("server {name} exited ({status}):\n{}", server.output());
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "server {name} did not answer within {START_TIMEOUT:?}:\n{}",
                server.output()
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Runs `command` as [`ServerProcess::start`] does, for a server that must refuse to
    /// start: checks that it exits unsuccessfully without ever answering, and returns what it
    /// printed.
    pub async fn start_refused(name: &str, command: Command) -> String {
        let mut server = Self::spawn(name, command, free_port());
        let health = plain_client();
        let started = Instant::now();
        loop {
            if let Some(status) = server.exited() {
                assert!(!status.success(), "server {name} exited with {status}");
                return server.output();
            }
            let answers = health.get(server.url("/healthz")).send().await;
            assert!(answers.is_err(), "server {name} started");
            assert!(
                started.elapsed() < START_TIMEOUT,
                "server {name} neither started nor stopped within {START_TIMEOUT:?}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    fn spawn(name: &str, mut command: Command, port: u16) -> Self {
        let mut child = command
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let output = Arc::new(Mutex::new(String::new()));
        let streams: [Box<dyn Read + Send>; 2] = [
            Box::new(child.stdout.take().unwrap()),
            Box::new(child.stderr.take().unwrap()),
        ];
        let readers = streams
            .into_iter()
            .map(|stream| {
                let output = output.clone();
                std::thread::spawn(move || {
                    for line in BufReader::new(stream).lines().map_while(Result::ok) {
                        let mut out = output.lock().unwrap();
                        out.push_str(&line);
                        out.push('\n');
                    }
                })
            })
            .collect();
        let url = format!("http://127.0.0.1:{port}");
        Self {
            name: name.to_owned(),
            origin: url.clone(),
            url,
            child,
            output,
            readers,
        }
    }

    /// Posts forms with `origin` as their `Origin`: the public address the process was
    /// configured with (`UNDERSIGNED_PUBLIC_URL`), as a browser that reached it behind a load
    /// balancer sends.
    pub fn with_origin(mut self, origin: &str) -> Self {
        self.origin = origin.to_owned();
        self
    }

    /// The name it was started with.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap()
    }

    /// The exit status, if the process has ended; then all it printed has been read.
    fn exited(&mut self) -> Option<ExitStatus> {
        let status = self.child.try_wait().unwrap()?;
        for reader in std::mem::take(&mut self.readers) {
            let _ = reader.join();
        }
        Some(status)
    }

    /// Everything it printed so far.
    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// The JSON log records it wrote (with `UNDERSIGNED_LOG_FORMAT=json`), as far as they
    /// have been read.
    pub fn logs(&self) -> Vec<serde_json::Value> {
        self.output()
            .lines()
            .filter(|l| l.starts_with('{'))
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Its JSON log records at `level` (`"WARN"`, `"ERROR"`).
    pub fn logged_at(&self, level: &str) -> Vec<serde_json::Value> {
        self.logs()
            .into_iter()
            .filter(|r| r["level"] == level)
            .collect()
    }

    /// The path of the one-time setup link it printed (`/setup/…`), waiting briefly for
    /// its output to be read.
    pub async fn setup_path(&self) -> String {
        eventually(Duration::from_secs(5), "the setup link", || async {
            let output = self.output();
            let at = output.find("/setup/")?;
            let rest = &output[at..];
            Some(rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())].to_owned())
        })
        .await
    }

    /// SIGKILL: no chance to clean up.
    pub fn kill_hard(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then waits for it to exit; returns its exit status and everything it
    /// printed.
    pub async fn terminate(mut self) -> (ExitStatus, String) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        let what = format!("server {} to stop on SIGTERM", self.name);
        let status = eventually(START_TIMEOUT, &what, || {
            let status = self.exited();
            async move { status }
        })
        .await;
        (status, self.output())
    }
}

impl Site for ServerProcess {
    fn base_url(&self) -> &str {
        &self.url
    }

    fn origin(&self) -> &str {
        &self.origin
    }
}

/// A test that fails half-way leaves no process behind, and shows what the process said.
impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- output of server {} ---\n{}", self.name, self.output());
        }
    }
}

/// Gives the data folder `to` the instance key and the data keys of the one at `from`
/// (replacing keys of its own), as an operator does for a second process of a site: the
/// duplicate check is an HMAC under the instance key, and personal data is sealed with the
/// data keys, so every process of a site needs the same ones. The keys stay private (0600, in
/// a 0700 folder).
pub fn copy_instance_key(from: &Path, to: &Path) {
    use std::{
        fs::{DirBuilder, OpenOptions},
        io::Write,
        os::unix::fs::{DirBuilderExt, OpenOptionsExt},
    };
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(to.join("keys"))
        .unwrap();
    // The instance key (duplicate detection, checkpoint signing) and the data keys (sealed
    // personal data), when the first process has created them.
    for name in ["keys/instance.key", "keys/data.keys"] {
        let Ok(key) = std::fs::read(from.join(name)) else {
            assert_ne!(name, "keys/instance.key", "no instance key to copy");
            continue;
        };
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(to.join(name))
            .unwrap();
        file.write_all(&key).unwrap();
    }
}
