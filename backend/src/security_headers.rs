//! Security headers on every response, UI and API alike, errors included: no MIME sniffing, no
//! referrer to other sites, no framing, and a Content-Security-Policy under which the Trunk-built
//! Leptos app runs and nothing else does.
//!
//! The policy, directive by directive (`default-src 'none'` first: whatever is not listed is
//! refused):
//!
//! - `script-src 'self' 'wasm-unsafe-eval' 'sha256-…'`: the app's JS glue and wasm-bindgen
//!   snippets are files of this server. `'wasm-unsafe-eval'` lets it compile its WebAssembly
//!   (and nothing else: no `eval`, no `new Function`). Trunk starts the app with one inline
//!   `<script type="module">` (import the glue, `init` the wasm); rather than `'unsafe-inline'`
//!   (which would let any injected script run) the policy names that script by its SHA-256, read
//!   from the served pages (`index.html`, and the administration app's `admin/index.html`) at
//!   start and again whenever one changes (a `trunk build` under a running server).
//! - `style-src 'self' 'unsafe-inline'` with `style-src-elem 'self'`: the stylesheet is a file,
//!   and no `<style>` element is allowed where `style-src-elem` is understood (every browser that
//!   runs wasm under this policy). Inline style *attributes* are needed: Leptos sets
//!   `style="…"` with `setAttribute` (the timeline's marker transforms and arrow paths), which a
//!   policy without `'unsafe-inline'` for attributes blocks. CSS cannot run script.
//! - `img-src 'self' data:`: the favicon is an inline SVG `data:` URL.
//! - `connect-src 'self'`: `fetch` of the API and of the wasm, and the live WebSocket, which
//!   is this origin's `ws:`/`wss:`. CSP 3 makes `'self'` match those, and every browser that
//!   knows `'wasm-unsafe-eval'` (Chrome 97, Firefox 102, Safari 16) does, so naming `ws:`
//!   schemes (any host) or the host would only widen the policy.
//! - `base-uri 'none'`, `object-src 'none'`, `form-action 'self'`, `frame-ancestors 'none'`
//!   (with `X-Frame-Options: DENY` for browsers that predate it).
//!
//! `Referrer-Policy: same-origin`: no referrer at all to other sites, as with `no-referrer`; but
//! a same-origin request keeps its real `Origin` even where the browser would send `Origin: null`
//! under `no-referrer` (a plain form POST, a fetch in `same-origin` mode), which the origin check
//! of the auth middleware refuses. No HSTS: the server speaks plain HTTP (on localhost, or behind
//! a TLS proxy that should set it).

use actix_web::body::BoxBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use base64::Engine;
use futures_util::future::LocalBoxFuture;
use sha2::{Digest, Sha256};
use std::fmt;
use std::future::{Ready, ready};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

/// The policy without the hashes of the UI's inline scripts (see the module documentation).
const POLICY: [&str; 10] = [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "style-src-elem 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
];

/// The middleware: `App::new().wrap(SecurityHeaders::for_ui(&ui_dir))`. Cheap to clone (one per
/// worker), and every clone sees the policy refreshed by any of them.
#[derive(Clone)]
pub struct SecurityHeaders {
    inner: Arc<Inner>,
}

struct Inner {
    /// The UI's pages (the program app's and the administration app's), whose inline scripts
    /// the policy allows.
    pages: [PathBuf; 2],
    policy: RwLock<Policy>,
}

/// The modification time and length of each page (none: not built).
type Stamps = [Option<(SystemTime, u64)>; 2];

struct Policy {
    /// The pages it was made for.
    stamps: Stamps,
    value: HeaderValue,
}

impl SecurityHeaders {
    /// Headers for a server whose UI is served from `ui_dir` (which may not exist: then no
    /// inline script is allowed).
    pub fn for_ui(ui_dir: &Path) -> Self {
        let pages = [
            ui_dir.join("index.html"),
            ui_dir
                .join(throughline_shared::ui::ADMIN_DIR)
                .join("index.html"),
        ];
        let policy = Policy::of(&pages, stamps(&pages));
        Self {
            inner: Arc::new(Inner {
                pages,
                policy: RwLock::new(policy),
            }),
        }
    }

    /// The Content-Security-Policy as sent now.
    pub fn content_security_policy(&self) -> HeaderValue {
        self.inner.current().value.clone()
    }

    /// The headers for a response: for an HTML page, with the policy checked against the
    /// `index.html` on disk first.
    fn headers(&self, html: bool) -> [(HeaderName, HeaderValue); 4] {
        let csp = if html {
            self.inner.fresh()
        } else {
            self.content_security_policy()
        };
        [
            (header::CONTENT_SECURITY_POLICY, csp),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            ),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        ]
    }
}

impl Inner {
    fn current(&self) -> std::sync::RwLockReadGuard<'_, Policy> {
        self.policy.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The policy for the pages on disk now (a `stat` each when they have not changed).
    fn fresh(&self) -> HeaderValue {
        let now = stamps(&self.pages);
        {
            let policy = self.current();
            if policy.stamps == now {
                return policy.value.clone();
            }
        }
        let policy = Policy::of(&self.pages, now);
        let value = policy.value.clone();
        *self.policy.write().unwrap_or_else(|e| e.into_inner()) = policy;
        value
    }
}

fn stamps(pages: &[PathBuf; 2]) -> Stamps {
    pages.each_ref().map(|path| {
        let meta = std::fs::metadata(path).ok()?;
        Some((meta.modified().ok()?, meta.len()))
    })
}

impl Policy {
    fn of(pages: &[PathBuf; 2], stamps: Stamps) -> Self {
        let mut hashes = Vec::new();
        for (page, stamp) in pages.iter().zip(stamps) {
            let Some(html) = stamp.and_then(|_| std::fs::read_to_string(page).ok()) else {
                continue;
            };
            let found = inline_script_hashes(&html);
            tracing::info!(
                page = %page.display(),
                inline_scripts = found.len(),
                "content security policy allows the UI's inline scripts by hash"
            );
            for hash in found {
                if !hashes.contains(&hash) {
                    hashes.push(hash);
                }
            }
        }
        let value = policy_with(&hashes);
        Self {
            stamps,
            value: HeaderValue::from_str(&value).expect("a policy is visible ASCII"),
        }
    }
}

/// The policy text, with `'sha256-…'` sources for the given hashes in `script-src`.
fn policy_with(hashes: &[String]) -> String {
    POLICY
        .iter()
        .map(|directive| {
            if directive.starts_with("script-src ") {
                hashes.iter().fold(directive.to_string(), |d, hash| {
                    format!("{d} 'sha256-{hash}'")
                })
            } else {
                directive.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The base64 SHA-256 of the text of every inline `<script>` (one without `src`) of a page, as a
/// browser hashes it: its text as parsed (raw text: no entities; line ends normalised to LF).
fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut at = 0;
    while let Some(found) = lower[at..].find('<') {
        let start = at + found;
        if lower[start..].starts_with("<!--") {
            at = lower[start..]
                .find("-->")
                .map_or(lower.len(), |end| start + end + 3);
            continue;
        }
        let rest = &lower[start + 1..];
        let is_script = rest.starts_with("script")
            && rest[6..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_whitespace() || c == '>' || c == '/');
        if !is_script {
            at = start + 1;
            continue;
        }
        let Some((tag_end, has_src)) = open_tag(&lower[start..]) else {
            break;
        };
        let body_start = start + tag_end;
        let body_end = lower[body_start..]
            .find("</script")
            .map_or(lower.len(), |end| body_start + end);
        if !has_src {
            let text = html[body_start..body_end]
                .replace("\r\n", "\n")
                .replace('\r', "\n");
            hashes.push(base64(&Sha256::digest(text.as_bytes())));
        }
        at = body_end;
    }
    hashes
}

/// The length of the open tag at the start of `tag` (lower case) and whether it has a `src`
/// attribute; `None` if it does not end.
fn open_tag(tag: &str) -> Option<(usize, bool)> {
    let mut quote = None;
    let mut name = String::new();
    let mut names = Vec::new();
    for (i, c) in tag.char_indices().skip("<script".len()) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => {
                names.push(name);
                return Some((i + 1, names.iter().any(|n| n == "src")));
            }
            (None, c) if c.is_ascii_whitespace() || c == '=' || c == '/' => {
                names.push(std::mem::take(&mut name));
            }
            (None, c) => name.push(c),
        }
    }
    None
}

/// A CSP source hash is standard base64 (RFC 4648, padded) of the digest.
fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Sets each header the response does not set itself.
fn add(headers: &mut HeaderMap, security: [(HeaderName, HeaderValue); 4]) {
    for (name, value) in security {
        if !headers.contains_key(&name) {
            headers.insert(name, value);
        }
    }
}

impl<S, B> Transform<S, ServiceRequest> for SecurityHeaders
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = SecurityHeadersMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(SecurityHeadersMiddleware {
            service,
            headers: self.clone(),
        }))
    }
}

pub struct SecurityHeadersMiddleware<S> {
    service: S,
    headers: SecurityHeaders,
}

impl<S, B> Service<ServiceRequest> for SecurityHeadersMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let headers = self.headers.clone();
        let response = self.service.call(req);
        Box::pin(async move {
            match response.await {
                Ok(mut res) => {
                    let html = is_html(res.headers());
                    add(res.headers_mut(), headers.headers(html));
                    Ok(res)
                }
                // An error becomes a response only further out (in the server): carry the headers
                // along in it.
                Err(error) => Err(WithHeaders {
                    error,
                    headers: headers.headers(false),
                }
                .into()),
            }
        })
    }
}

/// An error whose response gets the security headers.
struct WithHeaders {
    error: actix_web::Error,
    headers: [(HeaderName, HeaderValue); 4],
}

impl fmt::Debug for WithHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.error, f)
    }
}

impl fmt::Display for WithHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl ResponseError for WithHeaders {
    fn status_code(&self) -> StatusCode {
        self.error.as_response_error().status_code()
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        let mut res = self.error.error_response();
        add(res.headers_mut(), self.headers.clone());
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::{self as actix_test, TestRequest};
    use actix_web::{App, web};

    /// What trunk 0.21 writes into `dist/index.html` (abridged).
    const INDEX: &str = "<!DOCTYPE html><html><head><title>Throughline</title>\
        <!-- a comment with <script>not a script</script> in it -->\
        <link rel=\"modulepreload\" href=\"/app-1.js\" crossorigin=\"anonymous\" integrity=\"sha384-x\">\
        <script src=\"/other.js\"></script>\
        </head><body>\
        <script type=\"module\">\nimport init, * as bindings from '/app-1.js';\n\
        const wasm = await init({ module_or_path: '/app-1_bg.wasm' });\n\n\
        window.wasmBindings = bindings;\n\n\
        dispatchEvent(new CustomEvent(\"TrunkApplicationStarted\", {detail: {wasm}}));\n\n\
        </SCRIPT></body></html>";

    fn script_of(index: &str) -> &str {
        let start = index.find("<script type=\"module\">").unwrap() + 22;
        &index[start..index.find("</SCRIPT>").unwrap()]
    }

    #[test]
    fn a_source_hash_is_the_padded_base64_of_the_sha256() {
        assert_eq!(
            base64(&Sha256::digest(b"")),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn only_inline_scripts_are_hashed_as_the_browser_reads_them() {
        let hashes = inline_script_hashes(INDEX);
        assert_eq!(
            hashes,
            [base64(&Sha256::digest(script_of(INDEX).as_bytes()))]
        );
        // CRLF line ends are hashed as the LF a parser turns them into.
        assert_eq!(inline_script_hashes(&INDEX.replace('\n', "\r\n")), hashes);
        assert_eq!(
            inline_script_hashes("<script>alert(1)</script><scripts>x</scripts>"),
            [base64(&Sha256::digest(b"alert(1)"))]
        );
        assert!(inline_script_hashes("<p>no scripts</p><script src='/a.js'></script>").is_empty());
        assert!(inline_script_hashes("<script type=\"module\"").is_empty());
    }

    fn temp_ui(index: Option<&str>) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("throughline-ui-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        if let Some(index) = index {
            std::fs::write(dir.join("index.html"), index).unwrap();
        }
        dir
    }

    #[test]
    fn the_policy_allows_the_ui_script_by_hash_and_nothing_inline_without_a_ui() {
        let dir = temp_ui(Some(INDEX));
        let csp = SecurityHeaders::for_ui(&dir).content_security_policy();
        let csp = csp.to_str().unwrap();
        let hash = base64(&Sha256::digest(script_of(INDEX).as_bytes()));
        assert!(
            csp.contains(&format!(
                "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';"
            )),
            "{csp}"
        );
        for directive in [
            "default-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
            "form-action 'self'",
            "connect-src 'self'",
        ] {
            assert!(csp.contains(directive), "{directive} in {csp}");
        }
        let scripts = csp
            .split("; ")
            .find(|d| d.starts_with("script-src "))
            .unwrap();
        assert!(
            !scripts.contains("'unsafe-inline'") && !scripts.contains("'unsafe-eval'"),
            "{scripts}"
        );
        std::fs::remove_dir_all(&dir).unwrap();

        let none = SecurityHeaders::for_ui(Path::new("/nonexistent")).content_security_policy();
        assert!(
            none.to_str()
                .unwrap()
                .contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{none:?}"
        );
    }

    #[actix_web::test]
    async fn every_response_gets_the_headers_errors_too_and_pages_a_rebuilt_policy() {
        let dir = temp_ui(Some(INDEX));
        let security = SecurityHeaders::for_ui(&dir);
        let app = actix_test::init_service(
            App::new()
                .wrap(security.clone())
                .route(
                    "/page",
                    web::get().to(|| async {
                        HttpResponse::Ok()
                            .content_type("text/html; charset=utf-8")
                            .body("<p>page</p>")
                    }),
                )
                .route(
                    "/own",
                    web::get().to(|| async {
                        HttpResponse::Ok()
                            .insert_header((header::CONTENT_SECURITY_POLICY, "sandbox"))
                            .finish()
                    }),
                ),
        )
        .await;
        let expect_headers = |headers: &HeaderMap| {
            assert_eq!(
                headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
                "nosniff"
            );
            assert_eq!(headers.get(header::REFERRER_POLICY).unwrap(), "same-origin");
            assert_eq!(headers.get(header::X_FRAME_OPTIONS).unwrap(), "DENY");
            headers
                .get(header::CONTENT_SECURITY_POLICY)
                .unwrap()
                .to_str()
                .unwrap()
                .to_string()
        };
        let res =
            actix_test::call_service(&app, TestRequest::get().uri("/page").to_request()).await;
        let before = expect_headers(res.headers());
        assert!(before.contains("'sha256-"));
        // Not found: a response from the router.
        let res =
            actix_test::call_service(&app, TestRequest::get().uri("/nope").to_request()).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        expect_headers(res.headers());
        // A handler's own policy stands.
        let res = actix_test::call_service(&app, TestRequest::get().uri("/own").to_request()).await;
        assert_eq!(
            res.headers().get(header::CONTENT_SECURITY_POLICY).unwrap(),
            "sandbox"
        );

        // An error that is not a response yet (from a service further in) gets them too.
        let failing = actix_test::init_service(
            App::new()
                .wrap_fn(|_req, _srv| async {
                    Err::<ServiceResponse, _>(actix_web::error::ErrorBadRequest("refused"))
                })
                .wrap(security.clone()),
        )
        .await;
        let error = actix_test::try_call_service(&failing, TestRequest::get().to_request())
            .await
            .expect_err("an error");
        let res = error.error_response();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        expect_headers(res.headers());

        // `trunk build` under a running server: the next page names the new script.
        let rebuilt = INDEX.replace("app-1", "app-22");
        std::fs::write(dir.join("index.html"), &rebuilt).unwrap();
        let res =
            actix_test::call_service(&app, TestRequest::get().uri("/page").to_request()).await;
        let after = expect_headers(res.headers());
        let hash = base64(&Sha256::digest(script_of(&rebuilt).as_bytes()));
        assert!(after.contains(&hash), "{after}");
        assert_ne!(before, after);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
