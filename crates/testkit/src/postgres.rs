//! The backend a suite runs on, and a throwaway PostgreSQL cluster for it.
//!
//! [`PgCluster`] starts a throwaway PostgreSQL cluster (Debian's `initdb` and `pg_ctl`, as
//! the `postgres` user when the tests run as root) in a temporary folder on a free loopback
//! port, and stops it when dropped. A watchdog process also stops it when the test process
//! ends without dropping it (a cluster kept in a `static` is never dropped).
//!
//! [`backend`] says which backend a suite runs on: `UNDERSIGNED_TEST_BACKEND=postgres` asks
//! for PostgreSQL, and then a cluster that cannot start fails the suite; it never skips.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::{
        OnceLock,
        atomic::{AtomicU32, Ordering},
    },
};

/// The backends the suites run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file in the test's data folder (the default).
    Sqlite,
    /// A fresh database on the throwaway cluster ([`fresh_postgres_database`]).
    Postgres,
}

/// The backend this test run asked for (`UNDERSIGNED_TEST_BACKEND`, default SQLite).
pub fn backend() -> Backend {
    match std::env::var("UNDERSIGNED_TEST_BACKEND").as_deref() {
        Ok("postgres") | Ok("postgresql") => Backend::Postgres,
        Ok("sqlite") | Ok("") | Err(_) => Backend::Sqlite,
        Ok(other) => panic!("UNDERSIGNED_TEST_BACKEND={other:?}: use sqlite or postgres"),
    }
}

/// A running throwaway cluster.
pub struct PgCluster {
    dir: tempfile::TempDir,
    port: u16,
    bin: PathBuf,
    as_postgres: bool,
    watchdog: Option<std::process::Child>,
}

fn find_bin() -> Result<PathBuf, String> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return Ok(dir);
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| {
            format!(
                "PostgreSQL is not installed (/usr/lib/postgresql: {e}); apt-get install postgresql"
            )
        })?
        .filter_map(Result::ok)
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    found.sort();
    found
        .pop()
        .ok_or_else(|| "no initdb under /usr/lib/postgresql/*/bin".to_owned())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl PgCluster {
    /// initdb + pg_ctl start, trust authentication for the `postgres` superuser, loopback only.
    pub fn start() -> Result<Self, String> {
        let bin = find_bin()?;
        let as_postgres = is_root();
        let dir = tempfile::Builder::new()
            .prefix("undersigned-pg-")
            .tempdir()
            .map_err(|e| format!("temporary folder: {e}"))?;
        if as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .map_err(|e| format!("chown: {e}"))?;
            if !status.success() {
                return Err("chown of the cluster folder failed".into());
            }
        }
        let port = crate::try_free_port().map_err(|e| format!("no free port: {e}"))?;
        let mut cluster = Self {
            dir,
            port,
            bin,
            as_postgres,
            watchdog: None,
        };
        let data = cluster.data_dir();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300",
            cluster.dir.path().display()
        );
        let log = cluster.dir.path().join("server.log");
        cluster.run(
            "pg_ctl",
            &[
                "-D",
                &data,
                "-l",
                &log.display().to_string(),
                "-o",
                &options,
                "-w",
                "-t",
                "60",
                "start",
            ],
        )?;
        cluster.watchdog = cluster.spawn_watchdog().ok();
        Ok(cluster)
    }

    fn data_dir(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let path = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        let out = command
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{program}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{program} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// Stops the cluster when this process ends, however it ends.
    fn spawn_watchdog(&self) -> std::io::Result<std::process::Child> {
        let stop = format!(
            "{} {} -D {} -m immediate stop",
            if self.as_postgres {
                "runuser -u postgres --"
            } else {
                ""
            },
            self.bin.join("pg_ctl").display(),
            self.data_dir()
        );
        let script = format!(
            "while kill -0 {parent} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
            parent = std::process::id(),
            dir = self.dir.path().display()
        );
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
    }

    /// The loopback port the cluster listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of database `name` on this cluster.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates a fresh, empty database and returns its URL.
    pub fn create_database(&self) -> Result<String, String> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let out = Command::new(self.bin.join("psql"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
            ])
            .args(["-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c"])
            .arg(format!("CREATE DATABASE {name}"))
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("psql: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "CREATE DATABASE failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(self.url(&name))
    }

    /// The temporary folder that holds the cluster (its data, socket and log).
    pub fn folder(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data_dir();
        let _ = self.run("pg_ctl", &["-D", &data, "-m", "immediate", "stop"]);
        if let Some(mut watchdog) = self.watchdog.take() {
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
    }
}

/// One cluster for the whole test process, started on first use. Panics (failing the test)
/// when it cannot start: a PostgreSQL run never silently skips.
pub fn shared_cluster() -> &'static PgCluster {
    static CLUSTER: OnceLock<PgCluster> = OnceLock::new();
    CLUSTER.get_or_init(|| match PgCluster::start() {
        Ok(cluster) => cluster,
        Err(e) => panic!("the PostgreSQL test cluster did not start: {e}"),
    })
}

/// A fresh database for one test, on the shared throwaway cluster.
pub fn fresh_postgres_database() -> String {
    match shared_cluster().create_database() {
        Ok(url) => url,
        Err(e) => panic!("could not create a test database: {e}"),
    }
}
