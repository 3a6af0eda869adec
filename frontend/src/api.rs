//! Typed client for the Throughline HTTP API (same origin), built on the browser's `fetch`.
//!
//! Every call returns the shared DTOs, or an [`ApiError`] parsed from the server's JSON error body
//! `{"error": {"code", "message", "details"}}` so forms can show field errors next to their fields.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use throughline_shared::api::{
    AddMilestoneRequest, AddProjectRequest, AnswerMoveRequest, AuditPage, BaselineProgramAccepted,
    BaselineProgramRequest, ChangeForecastRequest, ChangePasswordRequest, CommandAccepted,
    CreateProgramRequest, CreateTokenRequest, CreateUserRequest, CreatedToken, CsvImportReport,
    DependencyChangeRequest, EditProgramRequest, ErrorResponse, EventPage, HealthResponse,
    ImportReport, LoginRequest, MeResponse, MeetMilestoneRequest, ObjectiveRequest,
    ObjectivesResponse, ProgramMember, ProjectObjectivesRequest, ProjectStageRequest,
    ProposeCascadeRequest, ProposeDependencyRequest, ReasonRequest, ReportStatusRequest,
    RetireMilestoneRequest, RetireObjectiveRequest, ReviseDependencyRequest,
    ReviseMilestoneRequest, ReviseProjectRequest, RoleChangeRequest, TokenInfo, UserSummary,
    VerifyReport,
};
use throughline_shared::governance::requests::GovernanceResponse;
use throughline_shared::history::HistoryTrack;
use throughline_shared::ids::{CascadeId, DependencyId, MilestoneId};
use throughline_shared::raid::register::RaidRegister;
use throughline_shared::raid::requests::ExposureResponse;
use throughline_shared::raid::suggestions::RiskSuggestion;
use throughline_shared::view::{ProgramSummary, ProgramView};
use throughline_shared::{
    FieldError, ObjectiveId, ProgramId, ProjectId, RecordedEvent, TokenId, UserId,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why a request failed, in a form the UI can show.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// HTTP status, or 0 when the server could not be reached at all.
    pub status: u16,
    /// The server's stable code (`validation_failed`, `version_conflict`, `not_found`, ...), or
    /// `network_error` / `bad_response` for failures on this side.
    pub code: String,
    pub message: String,
    /// Field errors of a `validation_failed` answer.
    pub fields: Vec<FieldError>,
    /// The current version reported by a `version_conflict` answer.
    pub current_version: Option<i64>,
    /// Every row's problem of an `invalid_csv` answer.
    pub rows: Vec<String>,
}

impl ApiError {
    pub fn local(code: &str, message: impl Into<String>) -> Self {
        Self {
            status: 0,
            code: code.to_string(),
            message: message.into(),
            fields: Vec::new(),
            current_version: None,
            rows: Vec::new(),
        }
    }

    fn from_response(status: u16, body: &str) -> Self {
        match serde_json::from_str::<ErrorResponse>(body) {
            Ok(ErrorResponse { error }) => {
                let fields = match (error.code.as_str(), &error.details) {
                    ("validation_failed", Some(details)) => {
                        serde_json::from_value::<Vec<FieldError>>(details.clone())
                            .unwrap_or_default()
                    }
                    _ => Vec::new(),
                };
                let current_version = match (error.code.as_str(), &error.details) {
                    ("version_conflict", Some(details)) => details
                        .get("current_version")
                        .and_then(serde_json::Value::as_i64),
                    _ => None,
                };
                let rows = match (error.code.as_str(), &error.details) {
                    ("invalid_csv", Some(details)) => details
                        .get("rows")
                        .and_then(|rows| serde_json::from_value(rows.clone()).ok())
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                Self {
                    status,
                    code: error.code,
                    message: error.message,
                    fields,
                    current_version,
                    rows,
                }
            }
            Err(_) => {
                let text = body.trim();
                let message = if text.is_empty() || text.len() > 300 {
                    format!("The server answered with HTTP {status}.")
                } else {
                    format!("The server answered with HTTP {status}: {text}")
                };
                Self {
                    status,
                    message,
                    ..Self::local("bad_response", "")
                }
            }
        }
    }

    /// A field error found before asking the server.
    pub fn field_error(field: &str, message: &str) -> Self {
        Self {
            fields: vec![FieldError::new(field, message)],
            ..Self::local("validation_failed", "some fields are not valid")
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status == 404 || self.code == "not_found"
    }

    pub fn is_conflict(&self) -> bool {
        self.code == "version_conflict" || self.status == 409
    }

    /// The message for one field, if the server reported one.
    pub fn field(&self, name: &str) -> Option<String> {
        let messages: Vec<&str> = self
            .fields
            .iter()
            .filter(|f| f.field == name)
            .map(|f| f.message.as_str())
            .collect();
        (!messages.is_empty()).then(|| messages.join("; "))
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// So a failed read can be thrown to an `ErrorBoundary`, which shows it where the data would be.
impl std::error::Error for ApiError {}

/// A point in the log to read a program at: a position, or an instant (RFC 3339).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AsOf {
    Position(i64),
    Instant(String),
}

impl AsOf {
    /// Parse the `as_of` query value of the program page (a number or an RFC 3339 instant).
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        match value.parse::<i64>() {
            Ok(p) if p >= 0 => Some(AsOf::Position(p)),
            Ok(_) => None,
            Err(_) => Some(AsOf::Instant(value.to_string())),
        }
    }

    pub fn query_value(&self) -> String {
        match self {
            AsOf::Position(p) => p.to_string(),
            AsOf::Instant(s) => s.clone(),
        }
    }
}

pub fn encode(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}

fn js_message(value: JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

thread_local! {
    /// The session's CSRF token, sent with every write (the cookie itself is HttpOnly).
    static CSRF_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Called when the server says the session is gone, so the app can show the login page.
    static ON_UNAUTHENTICATED: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

pub fn set_csrf_token(token: Option<String>) {
    CSRF_TOKEN.with(|t| *t.borrow_mut() = token);
}

pub fn on_unauthenticated(callback: impl Fn() + 'static) {
    ON_UNAUTHENTICATED.with(|c| *c.borrow_mut() = Some(Box::new(callback)));
}

/// Commands the server keys for safe retries (`Idempotency-Key`): every write but signing in
/// and out, and creating a token (its secret is shown once, so a retry could not show it again).
fn takes_idempotency_key(method: &str, path: &str) -> bool {
    method != "GET"
        && !path.starts_with("/api/auth/")
        && !(method == "POST" && path == "/api/tokens")
}

/// A fresh key: 128 bits from the browser's random source (`getRandomValues` works outside
/// secure contexts too, unlike `randomUUID`), as hex.
fn new_idempotency_key() -> Option<String> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let mut bytes = [0u8; 16];
    crypto.get_random_values_with_u8_array(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Times a request is sent again when the network failed or the server asked for a retry (503).
const RETRIES: u32 = 3;

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let scheduled = web_sys::window().is_some_and(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
                .is_ok()
        });
        if !scheduled {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// A request's body and its media type: JSON for commands, the file's own type for imports.
#[derive(Clone)]
struct Body {
    text: String,
    media_type: &'static str,
}

impl Body {
    fn json(text: String) -> Self {
        Self {
            text,
            media_type: "application/json",
        }
    }
}

/// Sends a request, and sends it again (a few times, backing off) when the answer was lost to
/// the network or the server was briefly unavailable. A command is only sent again with the
/// same `Idempotency-Key`, so the server applies it once however many times it arrives.
async fn send(method: &str, path: &str, body: Option<Body>) -> Result<(u16, String), ApiError> {
    let key = if takes_idempotency_key(method, path) {
        new_idempotency_key()
    } else {
        None
    };
    let safe_to_repeat = method == "GET" || key.is_some();
    let mut attempt = 0;
    loop {
        let result = send_once(method, path, body.clone(), key.as_deref()).await;
        let wait_ms = match &result {
            Err(e) if e.code == "network_error" => Some(500 * 2_i32.pow(attempt)),
            Ok((503, text)) => Some(
                serde_json::from_str::<ErrorResponse>(text)
                    .ok()
                    .and_then(|r| r.error.details)
                    .and_then(|d| d.get("retry_after_seconds").and_then(|s| s.as_i64()))
                    .map_or(1_000, |s| (s.clamp(1, 5) * 1_000) as i32),
            ),
            _ => None,
        };
        match wait_ms {
            Some(ms) if safe_to_repeat && attempt < RETRIES => {
                sleep_ms(ms).await;
                attempt += 1;
            }
            _ => return result,
        }
    }
}

async fn send_once(
    method: &str,
    path: &str,
    body: Option<Body>,
    idempotency_key: Option<&str>,
) -> Result<(u16, String), ApiError> {
    let network = |e: JsValue| {
        ApiError::local(
            "network_error",
            format!(
                "Could not reach the Throughline server ({}). Check your connection and try again.",
                js_message(e)
            ),
        )
    };
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(network)?;
    headers.set("Accept", "application/json").map_err(network)?;
    if method != "GET"
        && let Some(token) = CSRF_TOKEN.with(|t| t.borrow().clone())
    {
        headers.set("X-CSRF-Token", &token).map_err(network)?;
    }
    if let Some(key) = idempotency_key {
        headers.set("Idempotency-Key", key).map_err(network)?;
    }
    if let Some(body) = body {
        headers
            .set("Content-Type", body.media_type)
            .map_err(network)?;
        init.set_body(&JsValue::from_str(&body.text));
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(path, &init).map_err(network)?;
    let window = web_sys::window().ok_or_else(|| ApiError::local("network_error", "no window"))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(network)?
        .unchecked_into();
    let status = response.status();
    if status == 401 && path != "/api/auth/login" {
        ON_UNAUTHENTICATED.with(|c| {
            if let Some(callback) = c.borrow().as_ref() {
                callback();
            }
        });
    }
    let text = JsFuture::from(response.text().map_err(network)?)
        .await
        .map_err(network)?
        .as_string()
        .unwrap_or_default();
    Ok((status, text))
}

async fn call<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<T, ApiError> {
    call_with(method, path, body.map(Body::json)).await
}

async fn call_with<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<Body>,
) -> Result<T, ApiError> {
    let (status, text) = send(method, path, body).await?;
    if !(200..300).contains(&status) {
        return Err(ApiError::from_response(status, &text));
    }
    serde_json::from_str(&text).map_err(|e| {
        ApiError::local(
            "bad_response",
            format!("The server's answer could not be read: {e}"),
        )
    })
}

async fn call_json<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    let body = serde_json::to_string(body)
        .map_err(|e| ApiError::local("bad_request", format!("could not encode request: {e}")))?;
    call(method, path, Some(body)).await
}

/// Like `call`, for answers without a body (204).
async fn call_empty(method: &str, path: &str, body: Option<String>) -> Result<(), ApiError> {
    let (status, text) = send(method, path, body.map(Body::json)).await?;
    if !(200..300).contains(&status) {
        return Err(ApiError::from_response(status, &text));
    }
    Ok(())
}

pub(crate) fn json_body<B: Serialize>(body: &B) -> Result<Option<String>, ApiError> {
    serde_json::to_string(body)
        .map(Some)
        .map_err(|e| ApiError::local("bad_request", format!("could not encode request: {e}")))
}

pub async fn login(request: &LoginRequest) -> Result<MeResponse, ApiError> {
    call_json("POST", "/api/auth/login", request).await
}

pub async fn logout() -> Result<(), ApiError> {
    call_empty("POST", "/api/auth/logout", None).await
}

pub async fn me() -> Result<MeResponse, ApiError> {
    call("GET", "/api/me", None).await
}

pub async fn change_password(request: &ChangePasswordRequest) -> Result<(), ApiError> {
    call_empty("POST", "/api/me/password", json_body(request)?).await
}

pub async fn list_users() -> Result<Vec<UserSummary>, ApiError> {
    call("GET", "/api/users", None).await
}

pub async fn create_user(request: &CreateUserRequest) -> Result<UserSummary, ApiError> {
    call_json("POST", "/api/users", request).await
}

pub async fn set_user_active(user: UserId, active: bool, reason: &str) -> Result<(), ApiError> {
    let action = if active { "reactivate" } else { "deactivate" };
    let body = ReasonRequest {
        reason: Some(reason.to_string()).filter(|r| !r.trim().is_empty()),
    };
    call_empty(
        "POST",
        &format!("/api/users/{user}/{action}"),
        json_body(&body)?,
    )
    .await
}

pub async fn list_tokens() -> Result<Vec<TokenInfo>, ApiError> {
    call("GET", "/api/tokens", None).await
}

pub async fn create_token(request: &CreateTokenRequest) -> Result<CreatedToken, ApiError> {
    call_json("POST", "/api/tokens", request).await
}

pub async fn revoke_token(token: TokenId) -> Result<(), ApiError> {
    call_empty("POST", &format!("/api/tokens/{token}/revoke"), None).await
}

pub async fn list_members(id: ProgramId) -> Result<Vec<ProgramMember>, ApiError> {
    call("GET", &format!("/api/programs/{id}/members"), None).await
}

pub async fn change_role(
    id: ProgramId,
    request: &RoleChangeRequest,
    grant: bool,
) -> Result<CommandAccepted, ApiError> {
    let path = if grant {
        format!("/api/programs/{id}/members")
    } else {
        format!("/api/programs/{id}/members/revoke")
    };
    call_json("POST", &path, request).await
}

pub async fn health() -> Result<HealthResponse, ApiError> {
    call("GET", "/api/health", None).await
}

pub async fn list_programs() -> Result<Vec<ProgramSummary>, ApiError> {
    call("GET", "/api/programs", None).await
}

pub async fn create_program(request: &CreateProgramRequest) -> Result<CommandAccepted, ApiError> {
    call_json("POST", "/api/programs", request).await
}

pub async fn get_program(id: ProgramId, as_of: Option<&AsOf>) -> Result<ProgramView, ApiError> {
    let path = match as_of {
        None => format!("/api/programs/{id}"),
        Some(as_of) => format!("/api/programs/{id}?as_of={}", encode(&as_of.query_value())),
    };
    call("GET", &path, None).await
}

pub async fn edit_program(
    id: ProgramId,
    request: &EditProgramRequest,
) -> Result<CommandAccepted, ApiError> {
    call_json("PATCH", &format!("/api/programs/{id}"), request).await
}

pub async fn add_project(
    id: ProgramId,
    request: &AddProjectRequest,
) -> Result<CommandAccepted, ApiError> {
    call_json("POST", &format!("/api/programs/{id}/projects"), request).await
}

pub async fn report_status(
    id: ProgramId,
    project: ProjectId,
    request: &ReportStatusRequest,
) -> Result<CommandAccepted, ApiError> {
    call_json(
        "POST",
        &format!("/api/programs/{id}/projects/{project}/status"),
        request,
    )
    .await
}

/// The history scrubber's track: the program's ends and notable events.
pub async fn history_track(id: ProgramId) -> Result<HistoryTrack, ApiError> {
    call("GET", &format!("/api/programs/{id}/history"), None).await
}

pub async fn program_events(id: ProgramId, after: i64, limit: u32) -> Result<EventPage, ApiError> {
    call(
        "GET",
        &format!("/api/programs/{id}/events?after={after}&limit={limit}"),
        None,
    )
    .await
}

pub async fn global_events(after: i64, limit: u32) -> Result<EventPage, ApiError> {
    call(
        "GET",
        &format!("/api/events?after={after}&limit={limit}"),
        None,
    )
    .await
}

/// Every event of a program (its audit trail), in ascending position order, read page by page.
pub async fn all_program_events(id: ProgramId) -> Result<Vec<RecordedEvent>, ApiError> {
    const LIMIT: u32 = 500;
    // A program with more than this many events shows the newest pages' worth loaded so far.
    const MAX_PAGES: usize = 40;
    let mut events = Vec::new();
    let mut after = 0;
    for _ in 0..MAX_PAGES {
        let page = program_events(id, after, LIMIT).await?;
        let count = page.events.len();
        events.extend(page.events);
        if count == 0 || page.next_after <= after || page.next_after >= page.head {
            break;
        }
        after = page.next_after;
    }
    Ok(events)
}

pub async fn change_forecast(
    id: ProgramId,
    milestone: MilestoneId,
    request: &ChangeForecastRequest,
) -> Result<CommandAccepted, ApiError> {
    call_json(
        "POST",
        &format!("/api/programs/{id}/milestones/{milestone}/forecast"),
        request,
    )
    .await
}

pub async fn meet_milestone(
    id: ProgramId,
    milestone: MilestoneId,
    request: &MeetMilestoneRequest,
) -> Result<CommandAccepted, ApiError> {
    call_json(
        "POST",
        &format!("/api/programs/{id}/milestones/{milestone}/met"),
        request,
    )
    .await
}

/// A milestone's new name, owner, kind or project.
pub async fn revise_milestone(
    id: ProgramId,
    milestone: MilestoneId,
    request: &ReviseMilestoneRequest,
) -> Result<CommandAccepted, ApiError> {
    call_json(
        "POST",
        &format!("/api/programs/{id}/milestones/{milestone}/details"),
        request,
    )
    .await
}

pub async fn add_milestone(
    id: ProgramId,
    request: &AddMilestoneRequest,
) -> Result<CommandAccepted, ApiError> {
    call_json("POST", &format!("/api/programs/{id}/milestones"), request).await
}

pub async fn propose_dependency(
    id: ProgramId,
    request: &ProposeDependencyRequest,
) -> Result<CommandAccepted, ApiError> {
    call_json("POST", &format!("/api/programs/{id}/dependencies"), request).await
}

/// Cancels (`cancel`) or removes as a mistake (`remove`) a milestone.
pub async fn retire_milestone(
    id: ProgramId,
    milestone: MilestoneId,
    how: &str,
    request: &RetireMilestoneRequest,
) -> Result<CommandAccepted, ApiError> {
    call_json(
        "POST",
        &format!("/api/programs/{id}/milestones/{milestone}/{how}"),
        request,
    )
    .await
}

/// A dependency's type, lag and need-by date from now on.
pub async fn revise_dependency(
    id: ProgramId,
    dependency: DependencyId,
    request: &ReviseDependencyRequest,
) -> Result<CommandAccepted, ApiError> {
    call_json(
        "POST",
        &format!("/api/programs/{id}/dependencies/{dependency}"),
        request,
    )
    .await
}

pub async fn revise_project(
    id: ProgramId,
    project: ProjectId,
    request: &ReviseProjectRequest,
) -> Result<CommandAccepted, ApiError> {
    call_json(
        "POST",
        &format!("/api/programs/{id}/projects/{project}/details"),
        request,
    )
    .await
}

/// Pauses, resumes or closes a project.
pub async fn change_project_stage(
    id: ProgramId,
    project: ProjectId,
    request: &ProjectStageRequest,
) -> Result<CommandAccepted, ApiError> {
    call_json(
        "POST",
        &format!("/api/programs/{id}/projects/{project}/stage"),
        request,
    )
    .await
}

/// `change`: `agree`, `need-by`, `break` or `cancel`.
/// Proposes the moves the slip at `slip_position` pushes downstream to their owners.
pub async fn propose_cascade(
    id: ProgramId,
    request: &ProposeCascadeRequest,
) -> Result<CommandAccepted, ApiError> {
    call_json("POST", &format!("/api/programs/{id}/cascades"), request).await
}

/// The owner's answer to their milestone's move in a cascade.
pub async fn answer_move(
    id: ProgramId,
    cascade: CascadeId,
    milestone: MilestoneId,
    request: &AnswerMoveRequest,
) -> Result<CommandAccepted, ApiError> {
    call_json(
        "POST",
        &format!("/api/programs/{id}/cascades/{cascade}/moves/{milestone}"),
        request,
    )
    .await
}

/// The program's objectives now, each with its own version, and those retired.
pub async fn objectives(id: ProgramId) -> Result<ObjectivesResponse, ApiError> {
    call("GET", &format!("/api/programs/{id}/objectives"), None).await
}

/// Adds an objective (`objective` absent) or revises one.
pub async fn save_objective(
    id: ProgramId,
    objective: Option<ObjectiveId>,
    request: &ObjectiveRequest,
) -> Result<CommandAccepted, ApiError> {
    let path = match objective {
        None => format!("/api/programs/{id}/objectives"),
        Some(objective) => format!("/api/programs/{id}/objectives/{objective}"),
    };
    call_json("POST", &path, request).await
}

pub async fn retire_objective(
    id: ProgramId,
    objective: ObjectiveId,
    request: &RetireObjectiveRequest,
) -> Result<CommandAccepted, ApiError> {
    call_json(
        "POST",
        &format!("/api/programs/{id}/objectives/{objective}/retire"),
        request,
    )
    .await
}

/// The objectives a project contributes to, from now on.
pub async fn set_project_objectives(
    id: ProgramId,
    project: ProjectId,
    request: &ProjectObjectivesRequest,
) -> Result<CommandAccepted, ApiError> {
    call_json(
        "POST",
        &format!("/api/programs/{id}/projects/{project}/objectives"),
        request,
    )
    .await
}

pub async fn change_dependency(
    id: ProgramId,
    dependency: DependencyId,
    change: &str,
    request: &DependencyChangeRequest,
) -> Result<CommandAccepted, ApiError> {
    call_json(
        "POST",
        &format!("/api/programs/{id}/dependencies/{dependency}/{change}"),
        request,
    )
    .await
}

pub async fn baseline_program(id: ProgramId) -> Result<BaselineProgramAccepted, ApiError> {
    call_json(
        "POST",
        &format!("/api/programs/{id}/baseline"),
        &BaselineProgramRequest::default(),
    )
    .await
}

/// Imports an MS Project XML plan as a new project of the program.
/// Imports an MS Project plan, one project for the file or (`by_summaries`) one per top-level
/// summary task; with `preview`, says what it would do and appends nothing.
pub async fn import_mspdi(
    id: ProgramId,
    xml: String,
    by_summaries: bool,
    preview: bool,
) -> Result<ImportReport, ApiError> {
    let body = Body {
        text: xml,
        media_type: "application/xml",
    };
    let grouping = if by_summaries { "summaries" } else { "plan" };
    call_with(
        "POST",
        &format!("/api/programs/{id}/import/mspdi?grouping={grouping}&preview={preview}"),
        Some(body),
    )
    .await
}

/// The two tables a program exports as CSV, and takes back edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvTable {
    Milestones,
    Dependencies,
}

impl CsvTable {
    /// Where the table is read and written (`/api/programs/{id}/…`).
    pub fn path(self, id: ProgramId) -> String {
        match self {
            CsvTable::Milestones => format!("/api/programs/{id}/milestones.csv"),
            CsvTable::Dependencies => format!("/api/programs/{id}/dependencies.csv"),
        }
    }
}

/// Imports an edited CSV export: all of its rows, or (on any problem) none.
/// Imports an edited CSV export; `create_projects` confirms creating the projects a milestones
/// file names that the program lacks (refused with `projects_to_create` otherwise).
pub async fn import_csv(
    id: ProgramId,
    table: CsvTable,
    csv: String,
    create_projects: bool,
) -> Result<CsvImportReport, ApiError> {
    let body = Body {
        text: csv,
        media_type: "text/csv",
    };
    let confirm = if create_projects {
        "?create_projects=true"
    } else {
        ""
    };
    call_with("POST", &format!("{}{confirm}", table.path(id)), Some(body)).await
}

/// What changed in the program from `from` to `to` (now when `None`): positions, instants or
/// dates, as `as_of` takes them.
pub async fn program_changes(
    id: ProgramId,
    from: &str,
    to: Option<&str>,
) -> Result<throughline_shared::changes::ProgramChanges, ApiError> {
    let to = to.map(|t| format!("&to={}", encode(t))).unwrap_or_default();
    call(
        "GET",
        &format!("/api/programs/{id}/changes?from={}{to}", encode(from)),
        None,
    )
    .await
}

/// The program's published briefings, its cadence and when the next is due.
pub async fn briefings(
    id: ProgramId,
) -> Result<throughline_shared::briefing::BriefingLog, ApiError> {
    call("GET", &format!("/api/programs/{id}/briefings"), None).await
}

/// The briefing generated as of a moment (now when `None`).
pub async fn briefing_draft(
    id: ProgramId,
    as_of: Option<&str>,
) -> Result<throughline_shared::briefing::requests::BriefingDraft, ApiError> {
    let query = as_of
        .map(|a| format!("?as_of={}", encode(a)))
        .unwrap_or_default();
    call(
        "GET",
        &format!("/api/programs/{id}/briefings/draft{query}"),
        None,
    )
    .await
}

pub async fn publish_briefing(
    id: ProgramId,
    request: &throughline_shared::briefing::requests::PublishBriefingRequest,
) -> Result<throughline_shared::briefing::requests::BriefingPublishedResponse, ApiError> {
    call_json("POST", &format!("/api/programs/{id}/briefings"), request).await
}

pub async fn set_briefing_cadence(
    id: ProgramId,
    every_days: u16,
) -> Result<CommandAccepted, ApiError> {
    let request = throughline_shared::briefing::requests::SetBriefingCadenceRequest { every_days };
    call_json(
        "PUT",
        &format!("/api/programs/{id}/briefings/cadence"),
        &request,
    )
    .await
}

pub async fn briefing(
    id: ProgramId,
    number: u32,
) -> Result<throughline_shared::briefing::requests::BriefingDetail, ApiError> {
    call(
        "GET",
        &format!("/api/programs/{id}/briefings/{number}"),
        None,
    )
    .await
}

pub async fn verify_briefing(
    id: ProgramId,
    number: u32,
) -> Result<throughline_shared::briefing::requests::BriefingVerification, ApiError> {
    call(
        "GET",
        &format!("/api/programs/{id}/briefings/{number}/verify"),
        None,
    )
    .await
}

/// The program's governance view with what needs attention today (or as of a point in the log).
pub async fn governance(
    id: ProgramId,
    as_of: Option<&AsOf>,
) -> Result<GovernanceResponse, ApiError> {
    let path = match as_of {
        None => format!("/api/programs/{id}/governance"),
        Some(as_of) => format!(
            "/api/programs/{id}/governance?as_of={}",
            encode(&as_of.query_value())
        ),
    };
    call("GET", &path, None).await
}

/// A governance command at `path` under the program (`decisions/{id}/table`, `forums`, …). The
/// tab reads the view again afterwards, so the answer's body is not needed.
pub async fn governance_command<B: Serialize>(
    id: ProgramId,
    path: &str,
    body: &B,
) -> Result<(), ApiError> {
    let body = json_body(body)?;
    call_empty("POST", &format!("/api/programs/{id}/{path}"), body).await
}

/// `?as_of=…&…` from the pairs that are present (empty when none is).
fn query_string(pairs: &[(&str, Option<String>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name}={}", encode(v))))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// The program's whole RAID register (now or as of a point): the tab filters it itself, so the
/// heatmap and counts always describe the program.
pub async fn raid_register(id: ProgramId, as_of: Option<&AsOf>) -> Result<RaidRegister, ApiError> {
    let query = query_string(&[("as_of", as_of.map(AsOf::query_value))]);
    call("GET", &format!("/api/programs/{id}/raid{query}"), None).await
}

/// Every open risk's expected and worst slip pushed through the dependency graph.
pub async fn raid_exposure(
    id: ProgramId,
    project: Option<ProjectId>,
    as_of: Option<&AsOf>,
) -> Result<ExposureResponse, ApiError> {
    let query = query_string(&[
        ("as_of", as_of.map(AsOf::query_value)),
        ("project", project.map(|p| p.to_string())),
    ]);
    call(
        "GET",
        &format!("/api/programs/{id}/raid/exposure{query}"),
        None,
    )
    .await
}

/// Risks suggested for dependencies in trouble, judged on the as-of day (or today).
pub async fn raid_suggestions(
    id: ProgramId,
    as_of: Option<&AsOf>,
) -> Result<Vec<RiskSuggestion>, ApiError> {
    let query = query_string(&[("as_of", as_of.map(AsOf::query_value))]);
    call(
        "GET",
        &format!("/api/programs/{id}/raid/suggestions{query}"),
        None,
    )
    .await
}

/// How a RAID command is sent: most are `POST`s; the program's settings are `PUT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RaidMethod {
    Post,
    Put,
}

/// A RAID command at `path` under the program's register (`risks`, `risks/{id}/assess`,
/// `appetite`, …), its body encoded by the caller with [`json_body`] so this request's code is
/// compiled once for every kind of command. The tab reads the register again afterwards, so the
/// answer is not needed.
pub async fn raid_command(
    id: ProgramId,
    method: RaidMethod,
    path: &str,
    body: Option<String>,
) -> Result<(), ApiError> {
    let method = match method {
        RaidMethod::Post => "POST",
        RaidMethod::Put => "PUT",
    };
    call_empty(method, &format!("/api/programs/{id}/raid/{path}"), body).await
}

/// The filters of a program's audit trail, as its URL and the API name them. Values are passed
/// on as typed: the server says which it cannot read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilters {
    /// One entity (a stream).
    pub stream_id: Option<String>,
    pub actor: Option<String>,
    pub event_type: Option<String>,
    /// RFC 3339 instants.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Along a causation chain: one event, what an event or command caused, or both.
    pub event_id: Option<String>,
    pub caused_by: Option<String>,
    pub cause: Option<String>,
}

impl AuditFilters {
    /// From a URL's query parameters (`get` by name); empty values filter nothing.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let value = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        Self {
            stream_id: value("stream_id"),
            actor: value("actor"),
            event_type: value("event_type"),
            from: value("from"),
            to: value("to"),
            event_id: value("event_id"),
            caused_by: value("caused_by"),
            cause: value("cause"),
        }
    }

    fn pairs(&self) -> [(&'static str, Option<&String>); 8] {
        [
            ("stream_id", self.stream_id.as_ref()),
            ("actor", self.actor.as_ref()),
            ("event_type", self.event_type.as_ref()),
            ("from", self.from.as_ref()),
            ("to", self.to.as_ref()),
            ("event_id", self.event_id.as_ref()),
            ("caused_by", self.caused_by.as_ref()),
            ("cause", self.cause.as_ref()),
        ]
    }

    /// `name=value&…` of the filters set, and of `as_of` (a point in history) when given.
    pub fn query(&self, as_of: Option<&str>) -> String {
        std::iter::once(("as_of", as_of))
            .chain(
                self.pairs()
                    .map(|(name, value)| (name, value.map(String::as_str))),
            )
            .filter_map(|(name, value)| Some(format!("{name}={}", encode(value?))))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// A page of a program's audit trail: the events matching `filters` after position `after`, at
/// most `limit`, read against the log up to `as_of` (or its head).
pub async fn audit_page(
    id: ProgramId,
    filters: &AuditFilters,
    as_of: Option<&str>,
    after: i64,
    limit: i64,
) -> Result<AuditPage, ApiError> {
    let path = format!(
        "/api/programs/{id}/audit?after={after}&limit={limit}{}",
        and(filters.query(as_of))
    );
    call("GET", &path, None).await
}

/// The address of the whole matching trail as a file (`jsonl` or `csv`), for a download link.
pub fn audit_export_url(
    id: ProgramId,
    filters: &AuditFilters,
    as_of: Option<&str>,
    format: &str,
) -> String {
    format!(
        "/api/programs/{id}/audit?format={format}{}",
        and(filters.query(as_of))
    )
}

/// More query parameters after some already written.
fn and(query: String) -> String {
    if query.is_empty() {
        query
    } else {
        format!("&{query}")
    }
}

/// The whole log's hash chain, checked from the start.
pub async fn verify_chain(id: ProgramId) -> Result<VerifyReport, ApiError> {
    call("GET", &format!("/api/programs/{id}/audit/verify"), None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_are_read_per_field() {
        let body = r#"{"error":{"code":"validation_failed","message":"The input is not valid",
            "details":[{"field":"name","message":"must not be empty"},
                       {"field":"objectives[0].title","message":"must not be empty"}]}}"#;
        let err = ApiError::from_response(422, body);
        assert_eq!(err.code, "validation_failed");
        assert_eq!(err.field("name").as_deref(), Some("must not be empty"));
        assert_eq!(
            err.field("objectives[0].title").as_deref(),
            Some("must not be empty")
        );
        assert_eq!(err.field("sponsor"), None);
    }

    #[test]
    fn version_conflicts_carry_the_current_version() {
        let body = r#"{"error":{"code":"version_conflict","message":"changed","details":{"current_version":7}}}"#;
        let err = ApiError::from_response(409, body);
        assert!(err.is_conflict());
        assert_eq!(err.current_version, Some(7));
    }

    #[test]
    fn every_bad_row_of_a_csv_import_is_read() {
        let body = r#"{"error":{"code":"invalid_csv","message":"nothing was imported: row 2: no project",
            "details":{"rows":["row 2: no project","row 5: name must not be empty"]}}}"#;
        let err = ApiError::from_response(422, body);
        assert_eq!(
            err.rows,
            ["row 2: no project", "row 5: name must not be empty"]
        );
        assert!(err.fields.is_empty());
    }

    #[test]
    fn a_non_json_error_keeps_the_status() {
        let err = ApiError::from_response(502, "Bad gateway");
        assert_eq!(err.status, 502);
        assert_eq!(err.code, "bad_response");
        assert!(err.message.contains("502"));
    }

    #[test]
    fn as_of_parses_positions_and_instants() {
        assert_eq!(AsOf::parse("12"), Some(AsOf::Position(12)));
        assert_eq!(
            AsOf::parse("2026-11-26T10:00:00Z"),
            Some(AsOf::Instant("2026-11-26T10:00:00Z".into()))
        );
        assert_eq!(AsOf::parse(" "), None);
        assert_eq!(AsOf::parse("-3"), None);
    }
}
