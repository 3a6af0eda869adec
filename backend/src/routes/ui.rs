//! Serves the Trunk-built apps; unknown paths get their app's page so deep links work: the
//! administration app's (`admin/index.html`) for its pages (`is_admin_path`), the program app's
//! (`index.html`) for every other. The wasm, JS and CSS go out precompressed where `throughline precompress` made copies, and
//! every answer gets its `Cache-Control` (`static_assets`).

use actix_files::{Files, NamedFile};
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};
use actix_web::middleware::{Next, from_fn};
use actix_web::{HttpResponse, web};
use std::path::PathBuf;
use throughline_shared::ui::{ADMIN_DIR, is_admin_path};

pub fn configure(cfg: &mut web::ServiceConfig, ui_dir: PathBuf) {
    let index = ui_dir.join("index.html");
    if !index.is_file() {
        tracing::warn!(dir = %ui_dir.display(), "no built UI found; run `trunk build --release`");
        cfg.default_service(web::to(|| async {
            HttpResponse::ServiceUnavailable().content_type("text/html; charset=utf-8").body(
                "<h1>Throughline</h1><p>The UI has not been built. Run <code>scripts/up.sh</code> \
                 (or <code>trunk build --release</code>) and reload.</p><p>The API is at \
                 <a href=\"/api/openapi.json\">/api/openapi.json</a>.</p>",
            )
        }));
        return;
    }
    let admin = ui_dir.join(ADMIN_DIR).join("index.html");
    let files = Files::new("/", &ui_dir)
        .index_file("index.html")
        .default_handler(fn_service(move |req: ServiceRequest| {
            let page = if is_admin_path(req.path()) {
                admin.clone()
            } else {
                index.clone()
            };
            async move {
                let (req, _) = req.into_parts();
                let file = NamedFile::open_async(&page).await?;
                let res = file.into_response(&req);
                Ok(ServiceResponse::new(req, res))
            }
        }));
    cfg.service(
        web::scope("")
            .wrap(from_fn(move |req: ServiceRequest, next: Next<_>| {
                crate::static_assets::serve_precompressed(ui_dir.clone(), req, next)
            }))
            .service(files),
    );
}
