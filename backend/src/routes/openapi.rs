use actix_web::{HttpResponse, get};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Throughline API",
        description = "Event-sourced program management. Every change is an immutable event; every \
                       read can be taken as of a past position or instant. Errors are \
                       `{\"error\": {\"code\", \"message\", \"details\"}}`."
    ),
    paths(
        super::health::health,
        openapi_json,
        super::programs::list_programs,
        super::programs::create_program,
        super::programs::get_program,
        super::programs::edit_program,
        super::programs::add_project,
        super::programs::report_status,
        super::programs::program_events,
        super::events::list_events,
        super::events::verify,
        super::live::live,
    ),
    components(schemas(
        throughline_shared::RecordedEvent,
        throughline_shared::EventMetadata,
        throughline_shared::api::ErrorResponse,
        throughline_shared::api::ErrorBody,
        throughline_shared::FieldError,
    ))
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "system",
    responses((status = 200, description = "The OpenAPI 3 document", content_type = "application/json")))]
#[get("/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
