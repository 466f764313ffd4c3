//! Email as the tests see it: a real SMTP server in the test process that keeps what it
//! receives ([`MailSink`]), and the `.eml` files a server without SMTP writes ([`written`]).

use std::{
    net::TcpListener,
    path::Path,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use mailin_embedded::{Handler, Response, Server, SslConfig, response};

/// How long [`MailSink::wait_for`] and [`MailSink::wait_for_to`] wait.
pub const MAIL_TIMEOUT: Duration = Duration::from_secs(15);

/// One message: received by the sink, or read from an `.eml` file.
#[derive(Debug, Clone)]
pub struct Captured {
    /// Which of the sink's listeners took it (each server process can be given its own);
    /// 0 for a file.
    pub listener: usize,
    /// The envelope's recipients (for a file, the addresses of its `To` header).
    pub to: Vec<String>,
    /// The message as sent.
    pub raw: Vec<u8>,
}

impl Captured {
    /// A message read from an `.eml` file.
    pub fn from_eml(raw: Vec<u8>) -> Self {
        let to = mailparse::parse_mail(&raw)
            .ok()
            .and_then(|m| {
                m.headers
                    .iter()
                    .find(|h| h.get_key().eq_ignore_ascii_case("to"))
                    .and_then(|h| mailparse::addrparse_header(h).ok())
            })
            .map(|list| {
                list.iter()
                    .flat_map(|a| match a {
                        mailparse::MailAddr::Single(one) => vec![one.addr.clone()],
                        mailparse::MailAddr::Group(group) => {
                            group.addrs.iter().map(|a| a.addr.clone()).collect()
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            listener: 0,
            to,
            raw,
        }
    }

    /// The decoded value of the header `name` (empty when it has none).
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

    /// The decoded subject.
    pub fn subject(&self) -> String {
        self.header("subject")
    }

    /// The decoded body of the part with this MIME type (empty when it has none).
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

    /// The bytes of the first attachment with this MIME type, and its file name.
    pub fn attachment(&self, mime: &str) -> Option<(String, Vec<u8>)> {
        fn find(part: &mailparse::ParsedMail<'_>, mime: &str) -> Option<(String, Vec<u8>)> {
            if part.ctype.mimetype == mime {
                let name = part
                    .get_content_disposition()
                    .params
                    .get("filename")
                    .cloned()
                    .unwrap_or_default();
                return part.get_body_raw().ok().map(|b| (name, b));
            }
            part.subparts.iter().find_map(|p| find(p, mime))
        }
        mailparse::parse_mail(&self.raw)
            .ok()
            .and_then(|m| find(&m, mime))
    }

    /// The decoded text part.
    pub fn text(&self) -> String {
        self.part("text/plain")
    }

    /// The decoded HTML part.
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

    /// The path of the confirmation link in the text part (`/confirm/…`), whatever address
    /// the server that sent it had, if there is one.
    pub fn confirm_path(&self) -> Option<String> {
        let link = self.link("/confirm/")?;
        Some(link[link.find("/confirm/")?..].to_owned())
    }
}

#[derive(Clone)]
struct SinkHandler {
    listener: usize,
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
        let refused = self
            .refuse
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if refused {
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
            listener: self.listener,
            to: std::mem::take(&mut self.to),
            raw: std::mem::take(&mut self.data),
        });
        response::OK
    }
}

/// An SMTP server in this process (mailin-embedded, no TLS) that keeps what it receives. It
/// can listen on several ports that all deliver into one mailbox, so that a test can tell
/// which server process sent a message ([`Captured::listener`]). Clones share the mailbox.
#[derive(Clone)]
pub struct MailSink {
    ports: Vec<u16>,
    messages: Arc<Mutex<Vec<Captured>>>,
    refuse: Arc<AtomicUsize>,
}

impl MailSink {
    /// A sink with one listener.
    pub fn start() -> Self {
        Self::with_listeners(1)
    }

    /// A sink with `listeners` listeners, each on a port of its own.
    pub fn with_listeners(listeners: usize) -> Self {
        Self::serve(listeners, || SslConfig::None)
    }

    /// A sink with one listener that offers STARTTLS with this certificate and key (PEM
    /// files). It takes mail without TLS too: what a client does is its own choice.
    pub fn with_starttls(cert: &Path, key: &Path) -> Self {
        // mailin's TLS takes rustls's process-wide provider.
        crate::install_crypto_provider();
        let (cert, key) = (cert.display().to_string(), key.display().to_string());
        Self::serve(1, || SslConfig::SelfSigned {
            cert_path: cert.clone(),
            key_path: key.clone(),
        })
    }

    fn serve(listeners: usize, ssl: impl Fn() -> SslConfig) -> Self {
        let messages = Arc::new(Mutex::new(Vec::new()));
        let refuse = Arc::new(AtomicUsize::new(0));
        let ports = (0..listeners)
            .map(|listener| {
                let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
                let port = tcp.local_addr().unwrap().port();
                let mut server = Server::new(SinkHandler {
                    listener,
                    messages: messages.clone(),
                    refuse: refuse.clone(),
                    to: Vec::new(),
                    data: Vec::new(),
                });
                server
                    .with_name("sink.test")
                    .with_ssl(ssl())
                    .unwrap()
                    // One thread serves one connection: more than a server process keeps
                    // open (8), so that a second process on the same listener is served too.
                    .with_num_threads(16)
                    .with_tcp_listener(tcp);
                std::thread::spawn(move || {
                    let _ = server.serve();
                });
                port
            })
            .collect();
        Self {
            ports,
            messages,
            refuse,
        }
    }

    /// The port of listener `n`.
    pub fn port(&self, n: usize) -> u16 {
        self.ports[n]
    }

    /// The SMTP URL of listener `n`, as the server's `smtp_url` setting takes it.
    pub fn smtp_url(&self, n: usize) -> String {
        format!("smtp://127.0.0.1:{}", self.port(n))
    }

    /// Every message received so far, in order.
    pub fn all(&self) -> Vec<Captured> {
        self.messages.lock().unwrap().clone()
    }

    /// The messages sent to `address` (compared without regard to case).
    pub fn to(&self, address: &str) -> Vec<Captured> {
        self.all()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }

    /// Refuses the next `n` messages with a temporary (4xx) error.
    pub fn refuse_next(&self, n: usize) {
        self.refuse.store(n, Ordering::SeqCst);
    }

    /// Waits until at least `n` messages have arrived; returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Captured> {
        crate::eventually(MAIL_TIMEOUT, &format!("{n} emails"), || async {
            let all = self.all();
            (all.len() >= n).then_some(all)
        })
        .await
    }

    /// Waits for the `n`-th message (counting from 1) to `address` and returns it.
    pub async fn wait_for_to(&self, address: &str, n: usize) -> Captured {
        crate::eventually(MAIL_TIMEOUT, &format!("email {n} to {address}"), || async {
            self.to(address).get(n - 1).cloned()
        })
        .await
    }
}

/// The emails a server without SMTP wrote to `data/mail/*.eml`, in the order they were
/// queued (the files are named by outbox id).
pub fn written(data: &Path) -> Vec<Captured> {
    let mut files: Vec<_> = std::fs::read_dir(data.join("mail"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "eml"));
    files.sort();
    files
        .into_iter()
        .map(|p| Captured::from_eml(std::fs::read(p).unwrap()))
        .collect()
}

/// Waits until `data/mail` holds at least `n` emails; returns the `n`-th (counting from 1).
pub async fn wait_for_written(data: &Path, n: usize) -> Captured {
    crate::eventually(
        MAIL_TIMEOUT,
        &format!("{n} .eml files in {}", data.join("mail").display()),
        || async { written(data).get(n - 1).cloned() },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &str = "From: Letters <letters@example.org>\r\n\
        To: Tamsin Orrery <tamsin@example.org>\r\n\
        Subject: =?utf-8?q?Confirm_your_signature?=\r\n\
        MIME-Version: 1.0\r\n\
        Content-Type: multipart/alternative; boundary=\"b\"\r\n\
        \r\n\
        --b\r\n\
        Content-Type: text/plain; charset=utf-8\r\n\
        \r\n\
        Press the button on\r\n\
        http://127.0.0.1:4321/confirm/abc\r\n\
        --b\r\n\
        Content-Type: text/html; charset=utf-8\r\n\
        \r\n\
        <p>Press</p>\r\n\
        --b--\r\n";

    #[test]
    fn a_message_is_read_by_header_part_and_link() {
        let mail = Captured::from_eml(MESSAGE.as_bytes().to_vec());
        assert_eq!(mail.to, vec!["tamsin@example.org"]);
        assert_eq!(mail.subject(), "Confirm your signature");
        assert!(mail.text().contains("Press the button"));
        assert_eq!(mail.html().trim(), "<p>Press</p>");
        assert_eq!(
            mail.link("/confirm/").as_deref(),
            Some("http://127.0.0.1:4321/confirm/abc")
        );
        assert_eq!(mail.confirm_path().as_deref(), Some("/confirm/abc"));
        assert_eq!(mail.link("/withdraw/"), None);
    }

    /// Sends MESSAGE to `to` over SMTP; returns the answer to DATA.
    fn send(port: u16, to: &str) -> String {
        use std::io::{BufRead, BufReader, Write};
        let stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        let mut answer = || {
            let mut line = String::new();
            loop {
                line.clear();
                reader.read_line(&mut line).unwrap();
                // The last line of a reply has a space after its code.
                if line.as_bytes().get(3) != Some(&b'-') {
                    return line.trim_end().to_owned();
                }
            }
        };
        answer();
        let mut say = |command: &str| {
            writer.write_all(command.as_bytes()).unwrap();
            writer.write_all(b"\r\n").unwrap();
        };
        say("EHLO client.test");
        answer();
        say("MAIL FROM:<letters@example.org>");
        answer();
        say(&format!("RCPT TO:<{to}>"));
        answer();
        say("DATA");
        let data = answer();
        if data.starts_with("354") {
            say(&format!("{MESSAGE}."));
            answer();
        }
        say("QUIT");
        answer();
        data
    }

    #[test]
    fn the_sink_keeps_what_each_listener_receives_and_refuses_when_told() {
        let sink = MailSink::with_listeners(2);
        assert_eq!(
            sink.smtp_url(1),
            format!("smtp://127.0.0.1:{}", sink.port(1))
        );
        sink.refuse_next(1);
        assert!(send(sink.port(0), "first@example.org").starts_with("4"));
        assert!(send(sink.port(1), "First@Example.org").starts_with("354"));
        assert!(send(sink.port(0), "second@example.org").starts_with("354"));
        let all = sink.all();
        assert_eq!(all.len(), 2);
        assert_eq!(all.iter().map(|m| m.listener).collect::<Vec<_>>(), [1, 0]);
        let first = sink.to("first@example.org");
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].subject(), "Confirm your signature");
        assert_eq!(first[0].confirm_path().as_deref(), Some("/confirm/abc"));
    }

    #[test]
    fn written_emails_come_in_queue_order() {
        let data = tempfile::tempdir().unwrap();
        assert!(written(data.path()).is_empty());
        std::fs::create_dir(data.path().join("mail")).unwrap();
        for (id, to) in [(2, "second@example.org"), (1, "first@example.org")] {
            let raw = MESSAGE.replace("tamsin@example.org", to);
            std::fs::write(data.path().join(format!("mail/{id:08}.eml")), raw).unwrap();
        }
        std::fs::write(data.path().join("mail/.00000003.eml.tmp"), MESSAGE).unwrap();
        let to: Vec<_> = written(data.path())
            .into_iter()
            .map(|m| m.to[0].clone())
            .collect();
        assert_eq!(to, ["first@example.org", "second@example.org"]);
    }
}
