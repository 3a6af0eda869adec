//! Serves the Trunk-built single-page app; unknown paths get `index.html` so deep links work.

use actix_files::{Files, NamedFile};
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};
use actix_web::{HttpResponse, web};
use std::path::PathBuf;

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
    cfg.service(
        Files::new("/", ui_dir)
            .index_file("index.html")
            .default_handler(fn_service(move |req: ServiceRequest| {
                let index = index.clone();
                async move {
                    let (req, _) = req.into_parts();
                    let file = NamedFile::open_async(&index).await?;
                    let res = file.into_response(&req);
                    Ok(ServiceResponse::new(req, res))
                }
            })),
    );
}
