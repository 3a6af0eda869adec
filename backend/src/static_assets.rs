//! The UI's wasm, JavaScript and CSS, sent precompressed at the best ratio: Brotli (quality 11)
//! to browsers that accept `br`, gzip at its best level to the others. `throughline precompress`
//! writes each copy once per build, next to its file (`app_bg.wasm.br`, `app_bg.wasm.gz`), and
//! the scripts run it right after `trunk build` (`precompress_frontend` in `scripts/lib.sh`).
//!
//! Made at build time rather than at server start: Brotli's best level costs ~7 s of CPU for the
//! 1.9 MB wasm in a release build (far more in a debug build), which every instance would pay
//! again at every start, and the first visitors after a start would get the on-the-fly gzip until
//! it was done. Made by the build, the copies cost a server three `stat`s per asset request, and
//! the many servers the API tests start (without a UI) nothing at all.
//!
//! Serving ([`serve_precompressed`], around the UI's file service in `routes/ui.rs`): a GET or
//! HEAD of a `.wasm`, `.js` or `.css` file that has a copy no older than itself gets the copy its
//! `Accept-Encoding` ranks highest ([`choose`]: RFC 9110 §12.5.3, with q-values, `*` and
//! `identity`), with `Content-Encoding`, the file's own Content-Type, `Vary: Accept-Encoding` and
//! the copy's own ETag and Last-Modified (so a conditional request revalidates the very bytes it
//! holds). actix's `Compress` leaves a response that has a Content-Encoding alone. An encoded copy
//! is never sent in part: it advertises no ranges, and a request with `Range` gets the file itself
//! (actix-files serves the range, marked `identity`). Everything else, and a file whose copies are
//! missing or stale (a `trunk build` without `precompress`), goes to the file service as before,
//! compressed on the fly.
//!
//! Caching: Trunk names the wasm, JS and CSS after a hash of their content, so those are cached
//! for a year as `immutable`; `index.html` (also the answer to every deep link) is `no-cache`:
//! revalidated by its ETag each time, so a new build is seen at once.

use actix_files::NamedFile;
use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, ContentEncoding, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The kinds of file that get precompressed copies: the app's code and style. `index.html` is
/// small, and is read as it is for its CSP hash.
const EXTENSIONS: [&str; 3] = ["wasm", "js", "css"];

/// Brotli's best quality. Its default window (2^22 = 4 MiB) already spans the whole wasm, which
/// the wasm budget keeps far below that.
const BROTLI_QUALITY: i32 = 11;
const BROTLI_WINDOW: i32 = 22;

/// A year: the longest `max-age` caches are asked to honour, for content-named files.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Stored, but revalidated before every use.
const REVALIDATE: &str = "no-cache";

/// A content coding of a precompressed copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    /// Every coding, in the order preferred when a request accepts several equally.
    pub const ALL: [Encoding; 2] = [Encoding::Brotli, Encoding::Gzip];

    /// The copy's file name suffix.
    pub fn suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gz",
        }
    }

    /// The coding's name in `Accept-Encoding` and `Content-Encoding`.
    pub fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }

    fn content_encoding(self) -> ContentEncoding {
        match self {
            Encoding::Brotli => ContentEncoding::Brotli,
            Encoding::Gzip => ContentEncoding::Gzip,
        }
    }

    /// Where the copy of `file` in this coding is.
    pub fn copy_of(self, file: &Path) -> PathBuf {
        let mut name = file.as_os_str().to_owned();
        name.push(".");
        name.push(self.suffix());
        PathBuf::from(name)
    }

    fn compress(self, data: &[u8]) -> io::Result<Vec<u8>> {
        match self {
            Encoding::Brotli => {
                let params = brotli::enc::BrotliEncoderParams {
                    quality: BROTLI_QUALITY,
                    lgwin: BROTLI_WINDOW,
                    size_hint: data.len(),
                    ..Default::default()
                };
                let mut out = Vec::with_capacity(data.len() / 3);
                brotli::BrotliCompress(&mut &data[..], &mut out, &params)?;
                Ok(out)
            }
            Encoding::Gzip => {
                let mut encoder = flate2::write::GzEncoder::new(
                    Vec::with_capacity(data.len() / 3),
                    flate2::Compression::best(),
                );
                encoder.write_all(data)?;
                encoder.finish()
            }
        }
    }
}

/// One file's sizes after [`precompress`]: the file, and each copy written (`None`: the coding
/// did not make it smaller, so no copy is kept).
#[derive(Debug)]
pub struct Precompressed {
    pub file: PathBuf,
    pub size: u64,
    pub brotli: Option<u64>,
    pub gzip: Option<u64>,
}

/// Writes a Brotli and a gzip copy of every wasm, JS and CSS file under `dir` (sub-folders
/// included), each through a temporary file renamed into place, so a server never sends half a
/// copy. The two codings of a file run in parallel.
pub fn precompress(dir: &Path) -> io::Result<Vec<Precompressed>> {
    let mut done = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let mut entries = std::fs::read_dir(&folder)?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<io::Result<Vec<_>>>()?;
        entries.sort();
        for path in entries {
            if path.is_dir() {
                folders.push(path);
            } else if has_precompressed_kind(&path) {
                done.push(precompress_file(&path)?);
            }
        }
    }
    Ok(done)
}

fn precompress_file(file: &Path) -> io::Result<Precompressed> {
    let data = std::fs::read(file)?;
    let bytes = data.as_slice();
    let [brotli, gzip] = std::thread::scope(|scope| {
        Encoding::ALL
            .map(|encoding| scope.spawn(move || write_copy(file, bytes, encoding)))
            .map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|_| Err(io::Error::other("compression panicked")))
            })
    });
    Ok(Precompressed {
        file: file.to_path_buf(),
        size: data.len() as u64,
        brotli: brotli?,
        gzip: gzip?,
    })
}

/// Writes `file`'s copy in `encoding` if it is smaller than the file (else removes any old one);
/// returns its size.
fn write_copy(file: &Path, data: &[u8], encoding: Encoding) -> io::Result<Option<u64>> {
    let compressed = encoding.compress(data)?;
    let copy = encoding.copy_of(file);
    if compressed.len() >= data.len() {
        match std::fs::remove_file(&copy) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => return Ok(None),
        }
    }
    let mut partial = copy.as_os_str().to_owned();
    partial.push(format!(".{}.partial", std::process::id()));
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, &compressed)?;
    std::fs::rename(&partial, &copy)?;
    Ok(Some(compressed.len() as u64))
}

fn has_precompressed_kind(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
}

/// The copy to send for a request's `Accept-Encoding` (`None`: the header is missing) when the
/// file has copies in `available`: the coding ranked highest (RFC 9110 §12.5.3: its own entry,
/// else `*`; a coding not named is not acceptable, except `identity`, which is unless excluded).
/// On a tie, a copy wins over the file itself, and Brotli over gzip. `None`: send the file.
pub fn choose(accept_encoding: Option<&str>, available: &[Encoding]) -> Option<Encoding> {
    // No header: the client said nothing about codings; the file itself is the safe answer.
    let accept = accept_encoding?;
    let mut named: Vec<(String, f32)> = Vec::new();
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        if coding.is_empty() {
            continue;
        }
        let q = parts
            .filter_map(|p| {
                let (name, value) = p.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("q")
                    .then(|| value.trim().parse::<f32>().ok())?
            })
            .next()
            .unwrap_or(1.0);
        let coding = if coding == "x-gzip" {
            "gzip".to_owned()
        } else {
            coding
        };
        named.push((
            coding,
            if q.is_finite() {
                q.clamp(0.0, 1.0)
            } else {
                0.0
            },
        ));
    }
    let rank = |coding: &str| {
        let of = |name: &str| named.iter().find(|(c, _)| c == name).map(|(_, q)| *q);
        of(coding).or_else(|| of("*"))
    };
    // Identity is acceptable unless excluded, but below any coding the client named.
    let identity = rank("identity").unwrap_or(f32::MIN_POSITIVE);
    let mut best: Option<(Encoding, f32)> = None;
    for &encoding in available {
        let q = rank(encoding.token()).unwrap_or(0.0);
        if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
            best = Some((encoding, q));
        }
    }
    best.filter(|&(_, q)| q >= identity).map(|(e, _)| e)
}

/// The file under `dir` that a request path names, when it is of a precompressed kind and every
/// segment is plain (ASCII letters, digits, `-`, `_`, `.`, not starting with a dot): nothing to
/// decode, no way out of `dir`, no hidden file. Other paths are left to the file service.
fn asset_path(dir: &Path, url_path: &str) -> Option<PathBuf> {
    let relative = url_path.strip_prefix('/')?;
    let plain = |segment: &str| {
        !segment.is_empty()
            && !segment.starts_with('.')
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    if !relative.split('/').all(plain) {
        return None;
    }
    let path = dir.join(relative);
    has_precompressed_kind(&path).then_some(path)
}

/// Whether a top-level file name (or one of the administration app's folder) is one Trunk made
/// from its content's hash (`app-<hash>.js`, `app-<hash>_bg.wasm`, `style-<hash>.css`): such a
/// file never changes under its name.
fn is_content_named(url_path: &str) -> bool {
    let Some(name) = url_path.strip_prefix('/') else {
        return false;
    };
    let name = name
        .strip_prefix(throughline_shared::ui::ADMIN_DIR)
        .and_then(|n| n.strip_prefix('/'))
        .unwrap_or(name);
    if name.contains('/') {
        return false;
    }
    let Some((stem, extension)) = name.split_once('.') else {
        return false;
    };
    if !EXTENSIONS.contains(&extension) {
        return false;
    }
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (8..=16).contains(&hash.len())
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// The copies of `file` (which must exist) no older than it.
fn fresh_copies(file: &Path) -> Vec<Encoding> {
    let modified = |path: &Path| -> Option<SystemTime> {
        let meta = std::fs::metadata(path).ok()?;
        meta.is_file().then(|| meta.modified().ok())?
    };
    let Some(original) = modified(file) else {
        return Vec::new();
    };
    Encoding::ALL
        .into_iter()
        .filter(|e| modified(&e.copy_of(file)).is_some_and(|copy| copy >= original))
        .collect()
}

/// What a request for an asset gets, decided off the async workers (it reads the disk).
enum Plan {
    /// Not an asset with copies: the file service answers.
    Pass,
    /// The file service answers with the file itself, which has copies: `Vary` says so.
    Identity,
    /// This copy.
    Copy(Box<NamedFile>),
}

fn plan(file: &Path, accept_encoding: Option<&str>, range: bool) -> io::Result<Plan> {
    let available = fresh_copies(file);
    if available.is_empty() {
        return Ok(Plan::Pass);
    }
    // A range is served of the file itself (actix-files does it), never of an encoded copy.
    let chosen = if range {
        None
    } else {
        choose(accept_encoding, &available)
    };
    let Some(encoding) = chosen else {
        return Ok(Plan::Identity);
    };
    // Content-Type and Content-Disposition from the file's own name; size, ETag and
    // Last-Modified from the copy.
    let named = NamedFile::from_file(File::open(encoding.copy_of(file))?, file)?
        .set_content_encoding(encoding.content_encoding())
        .prefer_utf8(true);
    Ok(Plan::Copy(Box::new(named)))
}

/// Middleware around the UI's file service (see the module documentation).
pub async fn serve_precompressed(
    ui_dir: PathBuf,
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let path = req.path().to_owned();
    let file = if matches!(*req.method(), Method::GET | Method::HEAD) {
        asset_path(&ui_dir, &path)
    } else {
        None
    };
    let plan = match file {
        None => Plan::Pass,
        Some(file) => {
            let accept = req
                .headers()
                .get(header::ACCEPT_ENCODING)
                .map(|v| v.to_str().unwrap_or_default().to_owned());
            let range = req.headers().contains_key(header::RANGE);
            // A copy that vanished since it was seen (a build under a running server): the file
            // service answers.
            web::block(move || plan(&file, accept.as_deref(), range))
                .await?
                .unwrap_or(Plan::Pass)
        }
    };
    let has_copies = !matches!(plan, Plan::Pass);
    let mut res = match plan {
        Plan::Copy(named) => {
            let (http_req, _) = req.into_parts();
            let mut res = named.into_response(&http_req);
            res.headers_mut().remove(header::ACCEPT_RANGES);
            ServiceResponse::new(http_req, res)
        }
        Plan::Identity | Plan::Pass => next.call(req).await?,
    };
    let status = res.status();
    let headers = res.headers_mut();
    if has_copies {
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    set_caching(headers, status, &path);
    Ok(res)
}

/// `Cache-Control` for a UI answer that has none: a year for content-named files, revalidation
/// for HTML (the app's one page).
fn set_caching(headers: &mut HeaderMap, status: StatusCode, path: &str) {
    if headers.contains_key(header::CACHE_CONTROL) {
        return;
    }
    let ok = matches!(status, StatusCode::OK | StatusCode::NOT_MODIFIED);
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    // HTML first: a missing asset is answered with `index.html` (deep links), never for a year.
    let value = if html {
        REVALIDATE
    } else if ok && is_content_named(path) {
        IMMUTABLE
    } else {
        return;
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    const BOTH: [Encoding; 2] = Encoding::ALL;

    #[test]
    fn the_highest_ranked_coding_wins_and_brotli_breaks_ties() {
        let br = Some(Encoding::Brotli);
        let gzip = Some(Encoding::Gzip);
        // Chromium's, Firefox's and curl's usual headers.
        assert_eq!(choose(Some("gzip, deflate, br, zstd"), &BOTH), br);
        assert_eq!(choose(Some("gzip, deflate"), &BOTH), gzip);
        assert_eq!(choose(Some("br;q=0.5, gzip"), &BOTH), gzip);
        assert_eq!(choose(Some("BR;Q=0.9, gzip;q=0.8"), &BOTH), br);
        assert_eq!(choose(Some("x-gzip"), &BOTH), gzip);
        assert_eq!(choose(Some("*"), &BOTH), br);
        assert_eq!(choose(Some("*;q=0.5, br;q=0"), &BOTH), gzip);
        assert_eq!(choose(Some("br"), &[Encoding::Gzip]), None);
        // The file itself: no header, identity asked for or preferred, codings refused.
        assert_eq!(choose(None, &BOTH), None);
        assert_eq!(choose(Some(""), &BOTH), None);
        assert_eq!(choose(Some("identity"), &BOTH), None);
        assert_eq!(choose(Some("identity, gzip;q=0.5"), &BOTH), None);
        assert_eq!(choose(Some("gzip;q=0, br;q=0"), &BOTH), None);
        assert_eq!(choose(Some("deflate"), &BOTH), None);
        // Identity refused: any acceptable coding, even at a low rank.
        assert_eq!(choose(Some("identity;q=0, gzip;q=0.1"), &BOTH), gzip);
        // An unreadable weight counts as none given (1), as in `routes/programs.rs`.
        assert_eq!(choose(Some("gzip;q=nonsense, br;q=0.2"), &BOTH), gzip);
    }

    #[test]
    fn only_plain_paths_of_the_precompressed_kinds_are_assets() {
        let dir = Path::new("/ui");
        assert_eq!(
            asset_path(dir, "/app-1234abcd_bg.wasm"),
            Some(PathBuf::from("/ui/app-1234abcd_bg.wasm"))
        );
        assert_eq!(
            asset_path(dir, "/snippets/x-1/inline0.js"),
            Some(PathBuf::from("/ui/snippets/x-1/inline0.js"))
        );
        for path in [
            "/",
            "/index.html",
            "/programs/42",
            "/../etc/x.js",
            "/a/../b.js",
            "/.hidden.js",
            "//x.js",
            "/a%2e.js",
            "x.js",
            "/x.wasm.br",
        ] {
            assert_eq!(asset_path(dir, path), None, "{path}");
        }
    }

    #[test]
    fn trunks_content_named_files_are_recognised() {
        assert!(is_content_named(
            "/throughline-frontend-9f3b2c1d4e5a6b70_bg.wasm"
        ));
        assert!(is_content_named(
            "/throughline-frontend-9f3b2c1d4e5a6b70.js"
        ));
        assert!(is_content_named("/style-0a1b2c3d4e5f6789.css"));
        assert!(is_content_named(
            "/admin/throughline-admin-9f3b2c1d4e5a6b70_bg.wasm"
        ));
        assert!(!is_content_named("/admin/index.html"));
        assert!(!is_content_named(
            "/other/throughline-admin-9f3b2c1d4e5a6b70_bg.wasm"
        ));
        assert!(!is_content_named("/index.html"));
        assert!(!is_content_named("/style.css"));
        assert!(!is_content_named("/app-notahash.js"));
        assert!(!is_content_named(
            "/snippets/crate-9f3b2c1d4e5a6b70/inline0.js"
        ));
    }

    #[test]
    fn html_is_revalidated_and_content_named_files_cached_for_a_year() {
        let caching = |path: &str, status: StatusCode, content_type: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            set_caching(&mut headers, status, path);
            headers
                .get(header::CACHE_CONTROL)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let wasm = "/app-9f3b2c1d4e5a6b70_bg.wasm";
        assert_eq!(
            caching(wasm, StatusCode::OK, "application/wasm").as_deref(),
            Some(IMMUTABLE)
        );
        assert_eq!(
            caching(wasm, StatusCode::NOT_MODIFIED, "application/wasm").as_deref(),
            Some(IMMUTABLE)
        );
        // A missing asset gets index.html, which must not be kept.
        assert_eq!(
            caching(wasm, StatusCode::OK, "text/html; charset=utf-8").as_deref(),
            Some(REVALIDATE)
        );
        assert_eq!(
            caching("/programs/1", StatusCode::OK, "text/html").as_deref(),
            Some(REVALIDATE)
        );
        assert_eq!(caching("/style.css", StatusCode::OK, "text/css"), None);
    }

    #[test]
    fn copies_decode_to_the_file_and_are_fresh_until_it_changes() {
        let dir = std::env::temp_dir().join(format!("throughline-assets-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("snippets")).unwrap();
        let wasm = dir.join("app-0123456789abcdef_bg.wasm");
        let content: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        std::fs::write(&wasm, &content).unwrap();
        std::fs::write(
            dir.join("snippets/inline0.js"),
            "export const x = 1;\n".repeat(50),
        )
        .unwrap();
        std::fs::write(dir.join("tiny.css"), "a{}").unwrap();
        std::fs::write(dir.join("index.html"), "<!DOCTYPE html>").unwrap();

        let done = precompress(&dir).unwrap();
        assert_eq!(done.len(), 3, "{done:?}");
        let mut decoded = Vec::new();
        brotli::Decompressor::new(File::open(Encoding::Brotli.copy_of(&wasm)).unwrap(), 4096)
            .read_to_end(&mut decoded)
            .unwrap();
        assert!(decoded == content, "the Brotli copy decodes to the file");
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(File::open(Encoding::Gzip.copy_of(&wasm)).unwrap())
            .read_to_end(&mut decoded)
            .unwrap();
        assert!(decoded == content, "the gzip copy decodes to the file");
        assert_eq!(fresh_copies(&wasm), BOTH);
        assert_eq!(fresh_copies(&dir.join("snippets/inline0.js")), BOTH);
        // Compression would only grow it: no copies.
        assert!(fresh_copies(&dir.join("tiny.css")).is_empty());
        assert!(!dir.join("index.html.br").exists());

        // Rebuilt after its copies were made: they are stale until made again.
        let later = SystemTime::now() + std::time::Duration::from_secs(60);
        File::options()
            .write(true)
            .open(&wasm)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert!(fresh_copies(&wasm).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
