//! The UI's assets through the whole server (compression middleware included): a precompressed
//! copy is sent as the request's `Accept-Encoding` ranks it, decodes to the file, and is never
//! compressed again; the file itself otherwise; deep links still get their app's page: the
//! administration app's for its pages, `index.html` for every other; each page's inline script is
//! allowed by the policy.

use flate2::read::GzDecoder;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use throughline_backend::auth::AuthSettings;
use throughline_backend::configuration::Settings;
use throughline_backend::startup::Application;
use throughline_backend::static_assets::precompress;
use throughline_tests::fresh_database;

const WASM: &str = "app-0123456789abcdef_bg.wasm";
const JS: &str = "app-0123456789abcdef.js";

/// A built UI in a new folder, precompressed as the scripts do after `trunk build`.
fn built_ui() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("throughline-ui-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!DOCTYPE html><html><head><title>Throughline</title>\
         <script type=\"module\">import init from '/app.js';</script></head><body></body></html>",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("admin")).unwrap();
    std::fs::write(
        dir.join("admin/index.html"),
        "<!DOCTYPE html><html><head><title>Throughline administration</title>\
         <script type=\"module\">import init from '/admin/admin.js';</script></head></html>",
    )
    .unwrap();
    let wasm: Vec<u8> = (0..100_000u32)
        .flat_map(|i| (i % 1009).to_le_bytes())
        .collect();
    std::fs::write(dir.join(WASM), wasm).unwrap();
    std::fs::write(
        dir.join(JS),
        "export function greet(name) { return `hello ${name}`; }\n".repeat(200),
    )
    .unwrap();
    let done = precompress(&dir).unwrap();
    assert!(done.iter().all(|f| f.brotli.is_some() && f.gzip.is_some()));
    dir
}

async fn serve(ui_dir: &Path) -> String {
    let (database_url, _) = fresh_database().await;
    let settings = Settings {
        database_url,
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        ui_dir: ui_dir.to_path_buf(),
        auth: AuthSettings::default(),
        pool_size: 4,
        escalation_check: std::time::Duration::from_secs(3600),
        metrics_addr: None,
        view_cache_bytes: 16 << 20,
        snapshot_every: 1000,
    };
    let app = Application::build(settings).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    address
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn precompressed_assets_follow_accept_encoding_and_decode_to_the_file() {
    let dir = built_ui();
    let address = serve(&dir).await;
    // reqwest here neither asks for nor decodes any coding: the bytes are as sent.
    let client = reqwest::Client::new();
    for name in [WASM, JS] {
        let file = std::fs::read(dir.join(name)).unwrap();
        let brotli = std::fs::read(dir.join(format!("{name}.br"))).unwrap();
        let identity = client
            .get(format!("{address}/{name}"))
            .send()
            .await
            .unwrap();
        assert_eq!(identity.status(), StatusCode::OK);
        let content_type = header(identity.headers(), "content-type")
            .unwrap()
            .to_owned();
        assert_eq!(header(identity.headers(), "content-encoding"), None);
        assert_eq!(
            header(identity.headers(), "cache-control"),
            Some("public, max-age=31536000, immutable"),
            "content-named files are cached for good"
        );
        assert!(identity.bytes().await.unwrap() == file);

        for (accept, expected) in [
            // Chromium's header; Brotli wins the tie.
            ("gzip, deflate, br, zstd", Some("br")),
            ("br", Some("br")),
            ("gzip", Some("gzip")),
            ("br;q=0.5, gzip", Some("gzip")),
            ("identity", None),
            ("identity, gzip;q=0.5", None),
        ] {
            let res = client
                .get(format!("{address}/{name}"))
                .header("accept-encoding", accept)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{name} {accept}");
            let headers = res.headers().clone();
            assert_eq!(
                header(&headers, "content-encoding"),
                expected,
                "{name} {accept}"
            );
            assert_eq!(
                header(&headers, "content-type"),
                Some(content_type.as_str()),
                "{name} {accept}: the file's own type"
            );
            assert!(
                headers
                    .get_all("vary")
                    .iter()
                    .any(|v| v.to_str().unwrap().contains("accept-encoding")),
                "{name} {accept}: {headers:?}"
            );
            let body = res.bytes().await.unwrap();
            match expected {
                Some("br") => {
                    // Exactly the copy: not compressed again on the way out.
                    assert!(body == brotli, "{name} {accept}: the Brotli copy");
                    assert_eq!(header(&headers, "accept-ranges"), None);
                    assert!(header(&headers, "etag").is_some());
                }
                Some(_) => {
                    let mut decoded = Vec::new();
                    GzDecoder::new(body.as_ref())
                        .read_to_end(&mut decoded)
                        .unwrap();
                    assert!(decoded == file, "{name} {accept}: gzip decodes to the file");
                }
                None => assert!(body == file, "{name} {accept}: the file itself"),
            }
        }
    }

    // A revalidation of the Brotli copy by its own ETag: not modified.
    let url = format!("{address}/{WASM}");
    let first = client
        .get(&url)
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    let etag = header(first.headers(), "etag").unwrap().to_owned();
    let again = client
        .get(&url)
        .header("accept-encoding", "br")
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    // …which is not the gzip copy's.
    let gzip = client
        .get(&url)
        .header("accept-encoding", "gzip")
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(gzip.status(), StatusCode::OK);
    assert_eq!(header(gzip.headers(), "content-encoding"), Some("gzip"));

    // HEAD: the copy's headers, no body.
    let head = client
        .head(&url)
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(header(head.headers(), "content-encoding"), Some("br"));

    // A range is of the file itself, never of an encoded copy.
    let part = client
        .get(&url)
        .header("accept-encoding", "br, gzip")
        .header("range", "bytes=0-99")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_ne!(header(part.headers(), "content-encoding"), Some("br"));
    assert_ne!(header(part.headers(), "content-encoding"), Some("gzip"));
    let wasm = std::fs::read(dir.join(WASM)).unwrap();
    assert!(part.bytes().await.unwrap() == wasm[..100]);

    // A stale copy (the file rebuilt without precompressing) is not sent.
    std::fs::write(dir.join(WASM), &wasm).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(dir.join(WASM))
        .unwrap()
        .set_modified(later)
        .unwrap();
    let stale = client
        .get(&url)
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::OK);
    assert_eq!(header(stale.headers(), "content-encoding"), None);
    assert!(stale.bytes().await.unwrap() == wasm);

    // Deep links and the root: their app's page, revalidated every time, under a policy that
    // allows both pages' inline scripts.
    for (path, admin) in [
        ("/", false),
        ("/programs/0193a0f0-0000-7000-8000-000000000000", false),
        ("/missing-0123456789abcdef.js", false),
        ("/account", true),
        ("/admin/users", true),
        (
            "/programs/0193a0f0-0000-7000-8000-000000000000/members",
            true,
        ),
    ] {
        let res = client
            .get(format!("{address}{path}"))
            .header("accept-encoding", "br, gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(
            header(res.headers(), "content-type")
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        assert_eq!(
            header(res.headers(), "cache-control"),
            Some("no-cache"),
            "{path}"
        );
        let policy = header(res.headers(), "content-security-policy")
            .unwrap()
            .to_string();
        assert_eq!(policy.matches("'sha256-").count(), 2, "{policy}");
        let page = client
            .get(format!("{address}{path}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(page.contains("administration"), admin, "{path}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
