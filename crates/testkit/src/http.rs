//! HTTP as a browser does it: the clients the suites use, a response read whole ([`Page`]),
//! and [`Site`], the requests to a running server (in the test process or a child process).

use std::{sync::OnceLock, time::Duration};

use reqwest::{RequestBuilder, StatusCode, header::HeaderMap, redirect::Policy};

use crate::{eventually, html::hidden_value};

/// Installs rustls's ring provider as the process's default crypto provider (once; later
/// calls do nothing). Every client here is built after it; call it before building a
/// `reqwest::Client` of your own.
///
/// The workspace builds reqwest 0.13 with `rustls-no-provider` (for `undersigned-verify`,
/// whose client brings its own configuration on ring), and Cargo unifies that feature into
/// the tests' reqwest: a client built without a process-wide provider would panic. Ring is
/// what lettre, sqlx and the verifier use already, so nothing new is compiled.
pub fn install_crypto_provider() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        // An error means a provider is installed already, which is all this asks for.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// A client builder on the process's crypto provider.
fn builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
}

/// A browser: keeps cookies, does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// A client without cookies that does not follow redirects.
pub fn plain_client() -> reqwest::Client {
    builder().redirect(Policy::none()).build().unwrap()
}

/// A client that sends `cookie` (`name=value`) with every request, and keeps no other: to
/// carry a session from one server process to another explicitly.
pub fn client_with_cookie(cookie: &str) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert(reqwest::header::COOKIE, cookie.parse().unwrap());
    builder()
        .default_headers(headers)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// A response's status, headers and body.
pub struct Page {
    /// The status code.
    pub status: StatusCode,
    /// The `Location` header of a redirect.
    pub location: Option<String>,
    /// Every header.
    pub headers: HeaderMap,
    /// The body, as text.
    pub body: String,
}

impl Page {
    /// Reads `response` whole.
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

    /// Sends `request` and reads the response whole.
    pub async fn send(request: RequestBuilder) -> Self {
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

/// A running Undersigned site and the requests a browser sends it. Implemented by the
/// server suite's in-process application and by [`crate::ServerProcess`]; the provided
/// methods are the same for both.
pub trait Site: Sync {
    /// Where requests go, without a trailing slash: `http://127.0.0.1:PORT`.
    fn base_url(&self) -> &str;

    /// The `Origin` a browser on the site sends with a form: the site's public address
    /// (where it listens, unless it was given another).
    fn origin(&self) -> &str {
        self.base_url()
    }

    /// The URL of `path` (which starts with `/`).
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    /// GET `path` with `client`.
    fn get_with(&self, client: &reqwest::Client, path: &str) -> impl Future<Output = Page> + Send {
        Page::send(client.get(self.url(path)))
    }

    /// A form post to `path` as a browser on the site sends it (with its `Origin`), ready to
    /// send, to change first, or to spawn.
    fn post_request(
        &self,
        client: &reqwest::Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> RequestBuilder {
        client
            .post(self.url(path))
            .header("origin", self.origin())
            .form(form)
    }

    /// POST the form `form` to `path` with `client`, as a browser on the site does.
    fn post_with(
        &self,
        client: &reqwest::Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> impl Future<Output = Page> + Send {
        Page::send(self.post_request(client, path, form))
    }

    /// POST a `multipart/form-data` form to `path` with `client`, as a browser on the site
    /// does: its text fields and its files (field name, file name, bytes).
    fn post_multipart(
        &self,
        client: &reqwest::Client,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, Vec<u8>)],
    ) -> impl Future<Output = Page> + Send {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text((*name).to_owned(), (*value).to_owned());
        }
        for (name, file_name, bytes) in files {
            form = form.part(
                (*name).to_owned(),
                reqwest::multipart::Part::bytes(bytes.clone()).file_name((*file_name).to_owned()),
            );
        }
        Page::send(
            client
                .post(self.url(path))
                .header("origin", self.origin())
                .multipart(form),
        )
    }

    /// The public counts of the letter `slug`, from its `counts.json`.
    fn counts(&self, slug: &str) -> impl Future<Output = serde_json::Value> + Send {
        let request = plain_client().get(self.url(&format!("/l/{slug}/counts.json")));
        let url = self.base_url().to_owned();
        async move {
            let page = Page::send(request).await;
            assert_eq!(
                page.status, 200,
                "counts.json of {slug} on {url}: {}",
                page.body
            );
            serde_json::from_str(&page.body).unwrap()
        }
    }

    /// The public total of the letter `slug`.
    fn total(&self, slug: &str) -> impl Future<Output = u64> + Send {
        let counts = self.counts(slug);
        async move { counts.await["total"].as_u64().unwrap() }
    }

    /// Waits (up to 10 seconds) until the public total of `slug` is `n`, as a site whose
    /// counts are cached (another process's write shows when its cache expires); returns the
    /// counts.
    fn wait_for_total(&self, slug: &str, n: u64) -> impl Future<Output = serde_json::Value> + Send {
        async move {
            let what = format!("a total of {n} for {slug} on {}", self.base_url());
            eventually(Duration::from_secs(10), &what, || async {
                let counts = self.counts(slug).await;
                (counts["total"].as_u64() == Some(n)).then_some(counts)
            })
            .await
        }
    }

    /// Logs `client` in through the login form (after which it goes to `/admin`); returns
    /// the response to the form.
    fn log_in(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> impl Future<Output = Page> + Send {
        async move {
            let form = self.get_with(client, "/login").await;
            self.post_with(
                client,
                "/login",
                &[
                    ("csrf", &form.csrf()),
                    ("email", email),
                    ("password", password),
                    ("next", "/admin"),
                ],
            )
            .await
        }
    }

    /// Sets a fresh instance up through its one-time setup link (`path`, `/setup/…`) with
    /// the fixture owner ([`crate::fixtures`]), as `client`, who is then logged in as the
    /// owner; checks that it worked and returns the answer to the form.
    fn set_up(&self, client: &reqwest::Client, path: &str) -> impl Future<Output = Page> + Send {
        use crate::fixtures::{OWNER_EMAIL, OWNER_NAME, OWNER_PASSWORD, WORKSPACE_NAME};
        async move {
            let form = self.get_with(client, path).await;
            assert_eq!(form.status, 200, "{}", form.body);
            let done = self
                .post_with(
                    client,
                    path,
                    &[
                        ("csrf", &form.csrf()),
                        ("workspace", WORKSPACE_NAME),
                        ("name", OWNER_NAME),
                        ("email", OWNER_EMAIL),
                        ("password", OWNER_PASSWORD),
                        ("password_again", OWNER_PASSWORD),
                    ],
                )
                .await;
            assert_eq!(done.status, 303, "{}", done.body);
            assert_eq!(done.location.as_deref(), Some("/admin"));
            done
        }
    }
}
