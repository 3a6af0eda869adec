//! HTTP endpoints. Each module owns its routes; `configure_api` mounts them all under `/api`, and
//! the OpenAPI document's operations are collected from those same `service` calls (see
//! `openapi::publish`): an endpoint is declared once, with `#[utoipa::path]` on its handler.

pub mod audit;
pub mod auth;
pub mod briefings;
pub mod cascades;
pub mod changes;
pub mod events;
pub mod governance;
pub mod health;
pub mod history;
pub mod interop;
pub mod live;
pub mod objectives;
pub mod openapi;
pub mod programs;
pub mod projects;
pub mod raid;
pub mod schedule;
pub mod tokens;
pub mod ui;
pub mod users;

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::FutureExt;
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeOwned, Deserializer, MapAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;
use utoipa_actix_web::service_config::ServiceConfig;

/// Every operation of the API, each documented by its own `#[utoipa::path]`: mounting it here is
/// also what puts it in the OpenAPI document.
pub fn configure_api(cfg: &mut ServiceConfig) {
    cfg.service(health::health)
        .service(openapi::openapi_json)
        .service(programs::list_programs)
        .service(programs::create_program)
        .service(programs::get_program)
        .service(programs::edit_program)
        .service(programs::add_project)
        .service(programs::report_status)
        .service(programs::program_events)
        .service(programs::change_phase)
        .service(programs::add_scope_item)
        .service(programs::revise_scope_item)
        .service(programs::set_project_objectives)
        .service(objectives::list_objectives)
        .service(objectives::add_objective)
        .service(objectives::revise_objective)
        .service(objectives::retire_objective)
        .service(projects::revise_project)
        .service(projects::change_project_stage)
        .service(schedule::add_milestone)
        .service(schedule::change_forecast)
        .service(schedule::baseline_milestone)
        .service(schedule::meet_milestone)
        .service(schedule::report_progress)
        .service(schedule::revise_milestone)
        // After the milestone's named changes above, which its `{how}` segment would match too.
        .service(schedule::retire_milestone)
        .service(schedule::baseline_program)
        .service(schedule::propose_dependency)
        .service(schedule::revise_dependency)
        .service(schedule::change_dependency)
        .service(schedule::schedule_analysis)
        .service(schedule::slip_impact)
        .service(cascades::propose_cascade)
        .service(cascades::answer_move)
        .service(interop::import_mspdi)
        .service(interop::calendar)
        .service(interop::export_milestones)
        .service(interop::export_dependencies)
        .service(interop::import_milestones)
        .service(interop::import_dependencies)
        .service(changes::get_changes)
        .service(history::get_history)
        .service(briefings::list_briefings)
        .service(briefings::draft_briefing)
        .service(briefings::publish_briefing)
        .service(briefings::set_briefing_cadence)
        .service(briefings::verify_briefing)
        .service(briefings::briefing_markdown_file)
        .service(briefings::briefing_pdf_file)
        // After its named children (`draft`, and the files), which `{number}` would not match
        // anyway: numbers only.
        .service(briefings::get_briefing)
        .service(governance::get_governance)
        .service(governance::establish_forum)
        .service(governance::revise_forum)
        .service(governance::set_decision_rights)
        .service(governance::set_escalation_path)
        .service(governance::raise_decision)
        .service(governance::table_decision)
        .service(governance::vote)
        .service(governance::decide)
        .service(governance::escalate)
        .service(governance::move_escalation_up)
        .service(governance::resolve_escalation)
        .service(governance::preview_agenda)
        .service(governance::open_session)
        .service(governance::record_attendance)
        .service(governance::record_minutes)
        .service(governance::record_action)
        .service(governance::change_action)
        .service(governance::close_session)
        .service(interop::export_risks)
        .service(interop::import_risks)
        .service(raid::get_register)
        .service(raid::get_risk)
        .service(raid::get_exposure)
        .service(raid::identify_risk)
        .service(raid::revise_risk)
        .service(raid::assess_risk)
        .service(raid::assess_residual)
        .service(raid::respond_to_risk)
        .service(raid::add_risk_action)
        .service(raid::change_risk_action)
        .service(raid::close_risk)
        .service(raid::realise_risk)
        .service(raid::raise_issue)
        .service(raid::revise_issue)
        .service(raid::add_issue_action)
        .service(raid::change_issue_action)
        .service(raid::resolve_issue)
        .service(raid::record_assumption)
        .service(raid::revise_assumption)
        .service(raid::validate_assumption)
        .service(raid::invalidate_assumption)
        .service(raid::set_appetite)
        .service(raid::set_categories)
        .service(raid::get_suggestions)
        .service(raid::accept_suggestion)
        .service(raid::dismiss_suggestion)
        .service(audit::audit)
        .service(audit::verify)
        .service(events::list_events)
        .service(events::verify)
        .service(live::live)
        .service(programs::list_members)
        .service(programs::grant_role)
        .service(programs::revoke_role)
        .service(auth::login)
        .service(auth::logout)
        .service(auth::me)
        .service(auth::change_password)
        .service(users::list_users)
        .service(users::create_user)
        .service(users::deactivate_user)
        .service(users::reactivate_user)
        .service(users::set_password)
        .service(tokens::list_tokens)
        .service(tokens::create_token)
        .service(tokens::revoke_token)
        .default_service(web::to(no_such_operation));
}

/// A JSON request body: `web::Json` (its size limit and its 400, 413 and 415 answers, see
/// `error::extractors::json_config`), taking an object only, as the OpenAPI document says:
/// serde alone would also take a struct spelled as an array of its fields (`[]` for one whose
/// fields are all optional).
pub struct Json<T>(T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        web::Json::<Object<T>>::from_request(req, payload)
            .map(|body| body.map(|body| Json(body.into_inner().0)))
            .boxed_local()
    }
}

/// `T` read from a JSON object, and from nothing else.
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectOnly<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOnly<T> {
            type Value = T;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
        }

        deserializer
            .deserialize_map(ObjectOnly(PhantomData))
            .map(Object)
    }
}

/// A path the API does not have: 404; a path it has, with another method: 405 with `Allow`.
async fn no_such_operation(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let Some(allow) = openapi::allowed_methods(req.path()) else {
        return Err(ApiError::not_found("no such API endpoint"));
    };
    // The method is the path's, but a parameter is not one it takes (`…/briefings/x`).
    if allow.split(", ").any(|m| m == req.method().as_str()) {
        return Err(ApiError::not_found("no such API endpoint"));
    }
    let mut response = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} is not allowed here; allowed: {allow}", req.method()),
    )
    .error_response();
    if let Ok(value) = header::HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    Ok(response)
}
