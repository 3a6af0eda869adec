//! A program's audit trail: its events filtered by entity, actor, event type, time range and
//! causation, each described in words; exported as JSON lines or CSV with the hash chain, so a
//! reader can recompute every event's hash and check it against the head.

use super::events::PageQuery;
use super::programs::AsOf;
use crate::auth::{Principal, authorize};
use crate::error::ApiError;
use crate::event_store::{RecordedRow, event_columns, verify_chain};
use crate::interop::csv_io::neutralise;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::{AuditPage, VerifyReport};
use throughline_shared::{ProgramId, RecordedEvent};
use uuid::Uuid;

/// The most events one export carries; narrow the time range for more.
const EXPORT_MAX: i64 = 100_000;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Return events after this position (default 0: from the start).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// At most this many events on a page (default 100; an export is not paged).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Only events up to this point (a position, an instant or a date; see the program view).
    #[param(schema_with = super::openapi::as_of_schema)]
    pub as_of: Option<String>,
    /// One entity: a stream (a milestone, a decision, the dependency register…).
    pub stream_id: Option<Uuid>,
    /// The user name that acted. (No parameter may hold a NUL character.)
    #[param(pattern = "^[^\\x00]*$")]
    pub actor: Option<String>,
    /// The event's wire name, e.g. `MilestoneRebaselined`.
    #[param(pattern = "^[^\\x00]*$")]
    pub event_type: Option<String>,
    /// Recorded at or after this instant (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Recorded before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// The event with this id (to follow a causation link backwards).
    pub event_id: Option<Uuid>,
    /// Events caused by this event or command (to follow a causation link forwards).
    pub caused_by: Option<Uuid>,
    /// Events of one user intention.
    pub correlation_id: Option<Uuid>,
    /// Along a causation chain in one step: the event with this id (when it is an event), and
    /// every event it — or the command with this id — caused.
    pub cause: Option<Uuid>,
    /// `json` (default, one page), `jsonl` or `csv` (an export of everything matching).
    #[param(schema_with = super::openapi::audit_format_schema)]
    pub format: Option<String>,
}

/// One exported event: as the audit trail shows it, plus the hash it was chained to.
#[derive(Serialize)]
struct ExportedEvent {
    #[serde(flatten)]
    event: RecordedEvent,
    prev_hash: String,
}

struct AuditRow {
    event: RecordedEvent,
    prev_hash: String,
}

impl<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> for AuditRow {
    fn from_row(row: &'r sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row;
        let prev: &[u8] = row.try_get("prev_hash")?;
        Ok(Self {
            event: RecordedRow::from_row(row)?.0,
            prev_hash: hex::encode(prev),
        })
    }
}

async fn matching(
    pool: &PgPool,
    program_id: ProgramId,
    q: &AuditQuery,
    after: i64,
    up_to: i64,
    limit: i64,
) -> Result<Vec<AuditRow>, ApiError> {
    sqlx::query_as(concat!(
        "SELECT ",
        event_columns!(),
        " FROM (SELECT stream_id AS sid FROM streams \
                WHERE program_id = $1 AND ($2::uuid IS NULL OR stream_id = $2)) AS s \
         CROSS JOIN LATERAL (SELECT ",
        event_columns!(),
        " FROM events WHERE events.stream_id = s.sid AND position > $3 AND position <= $4 \
              AND ($5::text IS NULL OR metadata->>'actor' = $5) \
              AND ($6::text IS NULL OR event_type = $6) \
              AND ($7::timestamptz IS NULL OR recorded_at >= $7) \
              AND ($8::timestamptz IS NULL OR recorded_at < $8) \
              AND ($9::uuid IS NULL OR event_id = $9) \
              AND ($10::text IS NULL OR metadata->>'causation_id' = $10) \
              AND ($11::text IS NULL OR metadata->>'correlation_id' = $11) \
              AND ($13::uuid IS NULL OR event_id = $13 OR metadata->>'causation_id' = $13::text) \
            ORDER BY position LIMIT $12) AS e \
         ORDER BY position LIMIT $12"
    ))
    .bind(program_id.0)
    .bind(q.stream_id)
    .bind(after)
    .bind(up_to)
    .bind(q.actor.as_deref().map(str::trim).filter(|a| !a.is_empty()))
    .bind(
        q.event_type
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty()),
    )
    .bind(q.from)
    .bind(q.to)
    .bind(q.event_id)
    .bind(q.caused_by.map(|c| c.to_string()))
    .bind(q.correlation_id.map(|c| c.to_string()))
    .bind(limit)
    .bind(q.cause)
    .fetch_all(pool)
    .await
    .map_err(ApiError::internal)
}

async fn head(pool: &PgPool) -> Result<(i64, String), ApiError> {
    let (position, hash): (i64, Vec<u8>) =
        sqlx::query_as("SELECT position, hash FROM log_head WHERE id = 1")
            .fetch_one(pool)
            .await
            .map_err(ApiError::internal)?;
    Ok((position, hex::encode(hash)))
}

/// The hash of the event at `position` (the head of a log read as of that position).
async fn hash_at(pool: &PgPool, position: i64) -> Result<String, ApiError> {
    let hash: Option<Vec<u8>> = sqlx::query_scalar("SELECT hash FROM events WHERE position = $1")
        .bind(position)
        .fetch_optional(pool)
        .await
        .map_err(ApiError::internal)?;
    Ok(hash.map(hex::encode).unwrap_or_default())
}

#[utoipa::path(get, path = "/api/programs/{program_id}/audit", tag = "events",
    params(("program_id" = Uuid, Path), AuditQuery),
    responses((status = 200, description = "A page of the trail (`format=json`); with `format=jsonl` or `csv`, the whole \
        matching trail as a file (at most 100,000 events), each event with its `prev_hash` and `hash`. The head the trail was \
        read against is in `X-Throughline-Head-Position` and `X-Throughline-Head-Hash` (files only)",
            content(
                (AuditPage = "application/json"),
                (String = "application/x-ndjson"),
                (String = "text/csv")
            )),
        (status = 400, body = throughline_shared::api::ErrorResponse,
            description = "`invalid_as_of`; `invalid_query`: an unknown `format`, or a malformed parameter"),
        (status = 422, body = throughline_shared::api::ErrorResponse,
            description = "`validation_failed`: `from` is not before `to`")))]
#[get("/programs/{program_id}/audit")]
pub async fn audit(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let pool = pool.get_ref();
    let (after, limit) = PageQuery {
        after: query.after,
        limit: query.limit,
    }
    .validate()?;
    let (mut head_position, mut head_hash) = head(pool).await?;
    if let Some(raw) = &query.as_of {
        let position = AsOf::parse(raw)?.position(pool).await?;
        if position < head_position {
            head_position = position;
            head_hash = hash_at(pool, position).await?;
        }
    }
    // Well-formed values that do not fit together: refused like any invalid value (422), not
    // as a request that cannot be read (400).
    if let (Some(from), Some(to)) = (query.from, query.to)
        && from >= to
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "`from` must be before `to`",
        )
        .with_details(serde_json::json!([{"field": "to", "message": "must be after `from`"}])));
    }
    let format = query.format.as_deref().unwrap_or("json");
    if format == "json" {
        let rows = matching(pool, program_id, &query, after, head_position, limit).await?;
        let next_after = if (rows.len() as i64) < limit {
            head_position.max(after)
        } else {
            rows.last().map_or(after, |r| r.event.position)
        };
        return Ok(HttpResponse::Ok().json(AuditPage {
            events: rows.into_iter().map(|r| r.event.described()).collect(),
            next_after,
            head: head_position,
            head_hash,
        }));
    }
    let rows = matching(pool, program_id, &query, after, head_position, EXPORT_MAX).await?;
    let (body, content_type, extension) = match format {
        "jsonl" => (jsonl(rows)?, "application/x-ndjson", "jsonl"),
        "csv" => (csv(rows)?, "text/csv; charset=utf-8", "csv"),
        other => {
            return Err(ApiError::bad_request(
                "invalid_query",
                format!("format {other:?} is none of json, jsonl, csv"),
            ));
        }
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("X-Throughline-Head-Position", head_position.to_string()))
        .insert_header(("X-Throughline-Head-Hash", head_hash))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"audit-{program_id}-to-{head_position}.{extension}\""),
        ))
        .body(body))
}

fn jsonl(rows: Vec<AuditRow>) -> Result<String, ApiError> {
    let mut out = String::new();
    for row in rows {
        let line = serde_json::to_string(&ExportedEvent {
            event: row.event.described(),
            prev_hash: row.prev_hash,
        })
        .map_err(ApiError::internal)?;
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

fn csv(rows: Vec<AuditRow>) -> Result<String, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "position",
        "recorded_at",
        "actor",
        "event_type",
        "description",
        "reason",
        "stream_type",
        "stream_id",
        "version",
        "event_id",
        "causation_id",
        "correlation_id",
        "schema_version",
        "payload",
        "prev_hash",
        "hash",
    ])
    .map_err(ApiError::internal)?;
    for row in rows {
        let e = row.event.described();
        // Free text (user names, sentences with names in them, reasons) is guarded against
        // formula injection as in the other CSV exports. The other columns cannot start a
        // formula: numbers (never negative), RFC 3339 times, UUIDs, hex, wire names of our own,
        // and a JSON object.
        let text = |t: &str| neutralise(t).into_owned();
        w.write_record([
            e.position.to_string(),
            e.recorded_at.to_rfc3339(),
            text(&e.metadata.actor),
            e.event_type.clone(),
            text(e.description.as_deref().unwrap_or_default()),
            text(e.metadata.reason.as_deref().unwrap_or_default()),
            e.stream_type.clone(),
            e.stream_id.to_string(),
            e.version.to_string(),
            e.event_id.to_string(),
            e.metadata
                .causation_id
                .map(|c| c.to_string())
                .unwrap_or_default(),
            e.metadata.correlation_id.to_string(),
            e.schema_version.to_string(),
            e.payload.to_string(),
            row.prev_hash,
            e.hash,
        ])
        .map_err(ApiError::internal)?;
    }
    let bytes = w.into_inner().map_err(ApiError::internal)?;
    String::from_utf8(bytes).map_err(ApiError::internal)
}

/// The hash chain of the whole log checked from the start, for anyone who may read the program:
/// the audit view shows "verified up to position N" with the head hash.
#[utoipa::path(get, path = "/api/programs/{program_id}/audit/verify", tag = "events",
    params(("program_id" = Uuid, Path)),
    responses((status = 200, body = VerifyReport), (status = 404, body = throughline_shared::api::ErrorResponse)))]
#[get("/programs/{program_id}/audit/verify")]
pub async fn verify(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let report = verify_chain(pool.get_ref(), |_| {})
        .await
        .map_err(ApiError::internal)?;
    if !report.ok {
        tracing::error!(?report, "the event log's hash chain is broken");
    }
    Ok(HttpResponse::Ok().json(report))
}
