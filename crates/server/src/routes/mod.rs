//! The router: public pages, organiser pages, static files, and the middleware every request
//! passes through (security headers, the Origin check, body limits, request logs).

pub mod admin;
pub mod brand;
pub mod confirm;
pub mod delivery;
pub mod embed;
pub mod export;
pub mod family;
pub mod invite;
pub mod letter;
pub mod link;
pub mod log;
pub mod login;
pub mod logos;
pub mod privacy;
pub mod reset;
pub mod responses;
pub mod setup;
pub mod sign;
pub mod updates;
pub mod versions;

use std::{
    convert::Infallible,
    task::{Context, Poll},
    time::Instant,
};

use axum::{
    Router,
    body::Body,
    extract::{DefaultBodyLimit, MatchedPath, Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};

use futures_util::{StreamExt, future::BoxFuture};
use tower_layer::Layer;
use tower_service::Service;

use crate::{
    auth::csrf::check_origin,
    i18n::{self, Requested},
    pages::{Frameable, PageError, frame_messages, is_page, message},
    services::export::{Export, ExportError, ExportFormat},
    state::AppState,
};

/// Public forms are small; a letter body may be long.
const PUBLIC_BODY_LIMIT: usize = 32 * 1024;
const ADMIN_BODY_LIMIT: usize = 1024 * 1024;
/// A form with a logo: the logo's 2 MB and the form around it.
pub const LOGO_FORM_LIMIT: usize = undersigned_logo::MAX_UPLOAD_BYTES + 64 * 1024;

pub fn router(state: AppState) -> Router {
    let public = Router::new()
        .route("/", get(letter::home))
        .route("/l/{slug}", get(letter::show))
        .route("/l/{slug}/counts.json", get(letter::counts_json))
        .route("/l/{slug}/embed", get(embed::show))
        .route("/l/{slug}/card.png", get(embed::card))
        .route("/embed.js", get(embed_script))
        .route("/l/{slug}/signatories.json", get(log::signatories))
        .route("/l/{slug}/export.csv", get(export::csv))
        .route("/l/{slug}/export.json", get(export::json))
        .route("/l/{slug}/feed.atom", get(updates::feed))
        .route(
            updates::UNSUBSCRIBE_ROUTE,
            get(updates::show).post(updates::unsubscribe),
        )
        .route("/l/{slug}/versions", get(versions::list))
        .route("/l/{slug}/versions/{file}", get(versions::text))
        .route("/r/{token}", get(versions::show).post(versions::reconfirm))
        .route("/l/{slug}/deliveries/{file}", get(delivery::document))
        .route("/l/{slug}/log/checkpoint", get(log::checkpoint))
        .route("/l/{slug}/log/tile/{*path}", get(log::tile))
        .route("/l/{slug}/log/openings/{bundle}", get(log::openings))
        .route("/l/{slug}/log/proof/inclusion", get(log::inclusion))
        .route("/l/{slug}/log/proof/consistency", get(log::consistency))
        .route(
            "/.well-known/undersigned/checkpoint-key",
            get(log::checkpoint_key),
        )
        .route("/confirm/{token}/receipt", get(log::receipt))
        .route(
            "/confirm/{token}/withdraw",
            get(confirm::withdraw_show).post(confirm::withdraw),
        )
        .route("/confirm/{token}/discard", post(confirm::discard))
        .route("/confirm/{token}/display", post(confirm::change_display))
        .route("/l/{slug}/check-email", get(sign::check_email))
        .route("/l/{slug}/privacy", get(privacy::show))
        .route("/l/{slug}/family", get(family::page))
        .route("/i/{token}", get(family::show).post(family::join))
        .route("/l/{slug}/link", get(link::show).post(link::request))
        .route(
            "/confirm/{token}",
            get(confirm::show).post(confirm::confirm),
        )
        .route("/setup/{token}", get(setup::show).post(setup::create))
        .route("/login", get(login::show).post(login::login))
        .route("/login/code", post(login::code))
        .route("/login/forgot", get(reset::forgot_form).post(reset::forgot))
        .route("/reset/{token}", get(reset::show).post(reset::reset))
        .route(
            "/invite/{token}",
            get(invite::show).post(invite::accept_new),
        )
        .route("/invite/{token}/join", post(invite::join))
        .route("/logout", post(login::logout))
        .route("/static/style.css", get(style))
        .route("/static/app.js", get(script))
        .route("/static/embed-frame.js", get(embed_frame_script))
        .route("/static/share.js", get(share_script))
        .route("/logos/{file}", get(logos::show))
        .route("/brand/{file}", get(brand::show))
        .route(
            "/l/{slug}/responses/{response}/document",
            get(responses::document),
        )
        .route("/healthz", get(health))
        .route(sign::SIGN_ROUTE, post(sign::sign).get(sign::sign_get));
    let organisers = admin::table()
        .into_iter()
        .fold(Router::new(), |router, (route, handler)| {
            router.route(route.path, handler)
        });
    Router::new()
        .merge(public)
        .merge(organisers)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(EdgeLayer(state.clone()))
        .with_state(state)
}

/// How large a request body may be on a route: the signing form may carry an
/// organisation's logo, an organiser's form a long letter, the other public forms little.
/// (One route takes more still and says so itself: a workspace's branding.)
fn body_limit(route: Option<&MatchedPath>) -> usize {
    match route.map(MatchedPath::as_str) {
        Some(sign::SIGN_ROUTE) => LOGO_FORM_LIMIT,
        Some(path) if path == "/admin" || path.starts_with("/admin/") => ADMIN_BODY_LIMIT,
        _ => PUBLIC_BODY_LIMIT,
    }
}

async fn not_found() -> PageError {
    PageError::NotFound
}

/// A known address with the wrong method, typically a form's address opened as a page (after
/// logging in, say): a page that says what to do, not a blank 405.
async fn method_not_allowed() -> Response {
    message(
        StatusCode::METHOD_NOT_ALLOWED,
        "Use the button on the page",
        "This address is where a form's button sends its answer; it cannot be opened as a page. Go back and use the button instead.",
        Some(("/", "Home")),
    )
}

async fn style() -> Response {
    asset(
        "text/css; charset=utf-8",
        include_str!("../../static/style.css"),
    )
}

async fn script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../static/app.js"),
    )
}

/// The script a partner site pastes: it inserts the letter's embed after itself.
async fn embed_script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../static/embed.js"),
    )
}

/// The embed's own script: tells the page framing it how tall it is.
async fn embed_frame_script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../static/embed-frame.js"),
    )
}

/// The share buttons after confirming (copy the link, the phone's share sheet).
async fn share_script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../static/share.js"),
    )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// An export as an attachment named `stem.csv` (or `.json`). Its first chunk (the header
/// and the first page of rows) is read before the response starts, so that a failure to
/// read is an error page; the rest streams as it is read.
pub(crate) async fn download(
    mut export: Export,
    format: ExportFormat,
    stem: &str,
) -> Result<Response, ExportError> {
    let first = export.next_chunk().await?.unwrap_or_default();
    let body = Body::from_stream(
        futures_util::stream::once(async move { Ok::<_, ExportError>(first.bytes) })
            .chain(export.into_stream()),
    );
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{stem}.{}\"",
        format.extension()
    )) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `GET /healthz`: 200 when the database answers.
async fn health(State(state): State<AppState>) -> Response {
    match state.store.user_count().await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response(),
    }
}

/// What every request goes through, in one layer of our own (each layer costs a request an
/// allocation and a copy of its route, and `middleware::from_fn` several), from the outside
/// in:
///
/// - the request's language: everything below, the framed messages too, is in it;
/// - the [`message`] pages framed with the site's name;
/// - the security headers;
/// - one log line per request: method, route pattern (never the path, which may hold a
///   token), status and time; no addresses, no query strings, no form data;
/// - the refusal of cross-site unsafe requests;
/// - the route's [`body_limit`].
///
/// Before all of that, a `GET` of a letter's `counts.json` whose rendered bytes are ready
/// is answered from them ([`letter::counts_json_ready`]): the handler's response, with the
/// security headers and the log line, and nothing that a response in no language needs
/// (no language, not even a `?lang=` choice remembered, no router). Embeds poll it; this
/// is most of what keeps its cost near that of serving a file.
#[derive(Clone)]
struct EdgeLayer(AppState);

impl<S> Layer<S> for EdgeLayer {
    type Service = Edge<S>;

    fn layer(&self, inner: S) -> Edge<S> {
        Edge {
            state: self.0.clone(),
            inner,
        }
    }
}

#[derive(Clone)]
struct Edge<S> {
    state: AppState,
    inner: S,
}

impl<S> Service<Request> for Edge<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        // The hottest read, from its rendered bytes when they are ready (see `EdgeLayer`).
        if req.method() == Method::GET
            && let Some(response) =
                letter::counts_json_ready(&self.state, req.uri().path(), req.headers())
        {
            tracing::info!(
                method = %Method::GET,
                route = "/l/{slug}/counts.json",
                status = response.status().as_u16(),
                // Answered without waiting for anything.
                ms = 0_u64,
                "request"
            );
            return Box::pin(std::future::ready(Ok(security_headers(response))));
        }
        // The inner service was made ready; a fresh copy takes its place for the next call.
        let fresh = self.inner.clone();
        let ready = std::mem::replace(&mut self.inner, fresh);
        let state = self.state.clone();
        let language = Requested::of(&req);
        let method = req.method().clone();
        let route = req.extensions().get::<MatchedPath>().cloned();
        let started = Instant::now();
        let mut inner = DefaultBodyLimit::max(body_limit(route.as_ref())).layer(ready);
        Box::pin(async move {
            let mut response = i18n::scope(language.lang, async {
                let response = match check_origin(&state, &req) {
                    Some(refused) => refused,
                    None => inner.call(req).await?,
                };
                tracing::info!(
                    %method,
                    route = route.as_ref().map_or("(unmatched)", MatchedPath::as_str),
                    status = response.status().as_u16(),
                    ms = started.elapsed().as_millis() as u64,
                    "request"
                );
                Ok::<_, Infallible>(frame_messages(&state, security_headers(response)))
            })
            .await?;
            language.mark(&mut response);
            Ok(response)
        })
    }
}

/// Headers every response gets. Pages may not be framed, scripts and styles come only from
/// this site, and pages are not cached unless the handler says otherwise.
/// A response marked [`Frameable`] (an embed) may be framed by any site. A response that is
/// not a page (JSON, CSV, an image, a log tile) needs nothing from anywhere: opened as a
/// document it may load nothing and be framed nowhere, in a policy a quarter of the page's
/// size (`counts.json` is polled by every embed; its headers are most of its bytes).
fn security_headers(mut response: Response) -> Response {
    let frameable = response.extensions().get::<Frameable>().is_some();
    let page = is_page(&response);
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name, value: &'static str| {
        headers
            .entry(name)
            .or_insert_with(|| HeaderValue::from_static(value));
    };
    if !frameable && !page {
        set(
            headers,
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        );
        set(headers, header::X_FRAME_OPTIONS, "DENY");
    } else if frameable {
        set(
            headers,
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors *; base-uri 'none'",
        );
    } else {
        set(
            headers,
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        );
        set(headers, header::X_FRAME_OPTIONS, "DENY");
    }
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // Confirmation links carry a token in the path: never send it to other sites.
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(headers, header::CACHE_CONTROL, "no-store");
    response
}
