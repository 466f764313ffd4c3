//! A counting SMTP sink for benchmarks (`bench/mail.sh`): accepts every message and keeps
//! nothing but how many arrived.
//!
//! `cargo run --release -p undersigned-testkit --example smtp_sink -- PORT [THREADS]`
//!
//! It prints `<messages> <unix milliseconds>` every 100 ms, so a script can read the last line
//! to learn how many messages arrived by when. One thread serves one connection
//! (mailin-embedded), so THREADS (64 by default) bounds the connections served at once.

use std::{
    net::TcpListener,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use mailin_embedded::{Handler, Response, Server, SslConfig, response};

#[derive(Clone)]
struct Counter(Arc<AtomicU64>);

impl Handler for Counter {
    fn data(&mut self, _buf: &[u8]) -> std::io::Result<()> {
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.0.fetch_add(1, Ordering::Relaxed);
        response::OK
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args
        .next()
        .ok_or("usage: smtp_sink PORT [THREADS]")?
        .parse()?;
    let threads: u32 = args.next().map(|t| t.parse()).transpose()?.unwrap_or(64);
    let count = Arc::new(AtomicU64::new(0));
    let tcp = TcpListener::bind(("127.0.0.1", port))?;
    let mut server = Server::new(Counter(count.clone()));
    server
        .with_name("sink.bench")
        .with_ssl(SslConfig::None)
        .map_err(|e| format!("{e:?}"))?
        .with_num_threads(threads)
        .with_tcp_listener(tcp);
    std::thread::spawn(move || {
        if let Err(e) = server.serve() {
            eprintln!("smtp sink stopped: {e:?}");
            std::process::exit(1);
        }
    });
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let ms = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis();
        println!("{} {ms}", count.load(Ordering::Relaxed));
    }
}
