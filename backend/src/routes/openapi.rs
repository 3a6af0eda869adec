use actix_web::{HttpResponse, get};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

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
        super::programs::change_phase,
        super::programs::add_scope_item,
        super::programs::revise_scope_item,
        super::programs::set_project_objectives,
        super::audit::audit,
        super::audit::verify,
        super::governance::get_governance,
        super::governance::establish_forum,
        super::governance::revise_forum,
        super::governance::set_decision_rights,
        super::governance::set_escalation_path,
        super::governance::raise_decision,
        super::governance::table_decision,
        super::governance::vote,
        super::governance::decide,
        super::governance::escalate,
        super::governance::move_escalation_up,
        super::governance::resolve_escalation,
        super::governance::preview_agenda,
        super::governance::open_session,
        super::governance::record_attendance,
        super::governance::record_minutes,
        super::governance::record_action,
        super::governance::change_action,
        super::governance::close_session,
        super::schedule::add_milestone,
        super::schedule::change_forecast,
        super::schedule::baseline_milestone,
        super::schedule::meet_milestone,
        super::schedule::baseline_program,
        super::schedule::propose_dependency,
        super::schedule::change_dependency,
        super::schedule::schedule_analysis,
        super::schedule::slip_impact,
        super::interop::import_mspdi,
        super::interop::calendar,
        super::interop::export_milestones,
        super::interop::export_dependencies,
        super::interop::import_milestones,
        super::interop::import_dependencies,
        super::events::list_events,
        super::events::verify,
        super::live::live,
        super::programs::list_members,
        super::programs::grant_role,
        super::programs::revoke_role,
        super::auth::login,
        super::auth::logout,
        super::auth::me,
        super::auth::change_password,
        super::users::list_users,
        super::users::create_user,
        super::users::deactivate_user,
        super::users::reactivate_user,
        super::users::set_password,
        super::tokens::list_tokens,
        super::tokens::create_token,
        super::tokens::revoke_token,
    ),
    modifiers(&Security),
    security(("session" = []), ("bearer" = [])),
    components(schemas(
        throughline_shared::RecordedEvent,
        throughline_shared::EventMetadata,
        throughline_shared::api::ErrorResponse,
        throughline_shared::api::ErrorBody,
        throughline_shared::FieldError,
    ))
)]
pub struct ApiDoc;

/// Two ways in: the session cookie set by `/api/auth/login` (writes also need `X-CSRF-Token`), or
/// an API token as `Authorization: Bearer tl_…`.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::session::COOKIE,
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "system",
    responses((status = 200, description = "The OpenAPI 3 document", content_type = "application/json")))]
#[get("/openapi.json")]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
