//! HTTP endpoints. Each module owns its routes; `configure` mounts them all under `/api`.

pub mod events;
pub mod health;
pub mod live;
pub mod openapi;
pub mod programs;
pub mod ui;

use crate::error::ApiError;
use actix_web::web;

pub fn configure_api(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .service(health::health)
            .service(openapi::openapi_json)
            .service(programs::list_programs)
            .service(programs::create_program)
            .service(programs::get_program)
            .service(programs::edit_program)
            .service(programs::add_project)
            .service(programs::report_status)
            .service(programs::program_events)
            .service(events::list_events)
            .service(events::verify)
            .service(live::live)
            .default_service(web::to(|| async {
                Err::<actix_web::HttpResponse, _>(ApiError::not_found("no such API endpoint"))
            })),
    );
}
