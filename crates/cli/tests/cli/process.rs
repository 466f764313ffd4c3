//! Running `undersigned serve` as a child process.

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

pub const BIN: &str = env!("CARGO_BIN_EXE_undersigned");

/// The binary with test settings: cheap password hashing, no config file from the cwd.
pub fn undersigned(data: &Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .arg("--data")
        .arg(data)
        .env("UNDERSIGNED_ARGON2_MEMORY_KIB", "1024")
        .env("UNDERSIGNED_ARGON2_ITERATIONS", "1")
        .env("UNDERSIGNED_LOG", "info")
        .env_remove("UNDERSIGNED_SMTP_URL")
        .current_dir(data);
    command
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    undersigned_testkit::install_crypto_provider();
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `reqwest::get`, once the crypto provider its client needs is installed.
pub async fn get(url: impl reqwest::IntoUrl) -> reqwest::Result<reqwest::Response> {
    undersigned_testkit::install_crypto_provider();
    reqwest::get(url).await
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running server process; its output is collected.
pub struct Server {
    pub child: Child,
    pub url: String,
    pub output: Arc<Mutex<String>>,
}

impl Server {
    pub async fn start(data: &Path) -> Self {
        Self::start_on(data, free_port()).await
    }

    /// On a given port: a restarted server keeps its address (and so its log's origin).
    pub async fn start_on(data: &Path, port: u16) -> Self {
        let mut child = undersigned(data)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
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
        let url = format!("http://127.0.0.1:{port}");
        undersigned_testkit::install_crypto_provider();
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(r) = client.get(format!("{url}/healthz")).send().await
                && r.status() == 200
            {
                return Self { child, url, output };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server did not start: {}", output.lock().unwrap());
    }

    pub fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap()
    }

    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// SIGKILL: no chance to clean up.
    pub fn kill_hard(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then wait; returns the exit status and everything the process printed.
    pub async fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success());
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader threads drain the pipes.
                tokio::time::sleep(Duration::from_millis(100)).await;
                return (status, self.output());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not stop on SIGTERM");
    }
}

/// A test that fails half-way leaves no server behind.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
