//! HTTP endpoints. Each module owns its routes; `configure` mounts them all under `/api`.

pub mod audit;
pub mod auth;
pub mod events;
pub mod governance;
pub mod health;
pub mod interop;
pub mod live;
pub mod openapi;
pub mod programs;
pub mod schedule;
pub mod tokens;
pub mod ui;
pub mod users;

use crate::error::ApiError;
use actix_web::web;

pub fn configure_api(cfg: &mut web::ServiceConfig) {
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
        .service(schedule::add_milestone)
        .service(schedule::change_forecast)
        .service(schedule::baseline_milestone)
        .service(schedule::meet_milestone)
        .service(schedule::baseline_program)
        .service(schedule::propose_dependency)
        .service(schedule::change_dependency)
        .service(schedule::schedule_analysis)
        .service(schedule::slip_impact)
        .service(interop::import_mspdi)
        .service(interop::calendar)
        .service(interop::export_milestones)
        .service(interop::export_dependencies)
        .service(interop::import_milestones)
        .service(interop::import_dependencies)
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
        .default_service(web::to(|| async {
            Err::<actix_web::HttpResponse, _>(ApiError::not_found("no such API endpoint"))
        }));
}
