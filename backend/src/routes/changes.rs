//! What changed in a program between two moments (`GET …/changes?from=&to=`): the program view,
//! governance and RAID register folded as of each, compared by `shared::changes`.

use crate::auth::{Principal, authorize};
use crate::error::ApiError;
use crate::event_store::head_position;
use crate::queries::governance::governance_view;
use crate::queries::program::view_at;
use crate::queries::raid::raid_view;
use crate::routes::programs::AsOf;
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::PgPool;
use throughline_shared::ProgramId;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::ErrorResponse;
use throughline_shared::changes::{Moment, ProgramChanges, changes};
use throughline_shared::governance::view::GovernanceView;
use throughline_shared::raid::view::RaidView;
use throughline_shared::view::ProgramView;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The earlier moment: a log position, an RFC 3339 instant or a date (its end, UTC).
    /// Absent: a week ago.
    #[param(schema_with = crate::routes::openapi::as_of_schema)]
    pub from: Option<String>,
    /// The later moment, in the same forms. Absent: now.
    #[param(schema_with = crate::routes::openapi::as_of_schema)]
    pub to: Option<String>,
}

/// The three views as of `position`.
struct Views {
    position: i64,
    at: DateTime<Utc>,
    program: Option<ProgramView>,
    governance: GovernanceView,
    raid: RaidView,
}

impl Views {
    async fn read(
        pool: &PgPool,
        program_id: ProgramId,
        position: i64,
        at: DateTime<Utc>,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            position,
            at,
            program: view_at(pool, program_id, position).await?,
            governance: governance_view(pool, program_id, position)
                .await
                .map_err(ApiError::internal)?,
            raid: raid_view(pool, program_id, position)
                .await
                .map_err(ApiError::internal)?,
        })
    }

    fn moment(&self) -> Moment<'_> {
        Moment {
            position: self.position,
            day: self.at.date_naive(),
            program: self.program.as_ref(),
            governance: &self.governance,
            raid: &self.raid,
        }
    }
}

#[utoipa::path(get, path = "/api/programs/{program_id}/changes", tag = "programs",
    params(("program_id" = Uuid, Path), ChangesQuery),
    responses((status = 200, body = ProgramChanges, description = "milestones, dependencies, projects, objectives, the critical path, decisions, escalations and risks that changed; each derived value judged on its moment's day"),
        (status = 400, body = ErrorResponse, description = "`invalid_as_of`: a moment that is neither a position, an instant nor a date"),
        (status = 422, body = ErrorResponse, description = "`invalid_range`: `from` is after `to`"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/changes")]
pub async fn get_changes(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<ChangesQuery>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let query = query.into_inner();
    let head = head_position(pool.get_ref())
        .await
        .map_err(ApiError::internal)?;
    let week_ago = (Utc::now() - chrono::Duration::days(7)).to_rfc3339();
    let from_raw = query.from.as_deref().unwrap_or(&week_ago);
    let (from, from_at) = AsOf::resolve(Some(from_raw), &pool).await?;
    let (to, to_at) = AsOf::resolve(query.to.as_deref(), &pool).await?;
    let (from, to) = (from.min(head), to.min(head));
    // Days to judge each side on: never in the future, never the later side's before the
    // earlier's.
    // The days each side is judged on: never in the future, and the earlier side's never after
    // the later's (a date's end, or position 0 before any event, stands for "now").
    let to_at = to_at.min(Utc::now());
    let from_at = from_at.min(to_at);
    if from > to {
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_range",
            format!(
                "from (position {from}, {}) is after to (position {to}, {})",
                from_at.date_naive(),
                to_at.date_naive()
            ),
        ));
    }
    let before = Views::read(&pool, program_id, from, from_at).await?;
    let after = Views::read(&pool, program_id, to, to_at).await?;
    if after.program.is_none() {
        return Err(ApiError::not_found(format!(
            "program {program_id} did not exist at log position {to}"
        )));
    }
    Ok(HttpResponse::Ok().json(changes(&before.moment(), &after.moment())))
}
