//! Authentication (who is calling: a session cookie or an API token) and authorisation (what they
//! may do in which program). Every `/api` request except health, the OpenAPI document and login
//! passes `authenticate`; handlers then ask `authorize` for the program they touch.
//!
//! `authenticate` accepts `Authorization: Bearer tl_…` (SHA-256 lookup joined with the token's
//! grants and its owner, who must be active), a read-only token as `?token=` on a calendar feed,
//! or the `tl_session` cookie (unexpired, not idle, owner active). Cookie-authenticated writes
//! must carry the session's `X-CSRF-Token`, and must come from the server's own origin (scheme,
//! host and port; `Forwarded`/`X-Forwarded-*` believed only from `THROUGHLINE_TRUSTED_PROXY`
//! peers) — the WebSocket handshake too. The `Principal` goes into the request's extensions.
//!
//! `authorize(pool, principal, program, action)` reads the caller's grants in that program and
//! applies `ProgramAccess::can` from `shared::access` (the UI calls the same function to hide
//! controls). A program the caller may not read is a 404 (its existence does not leak); one they
//! may read but not change is a 403. Where the permission depends on what a command touches (a
//! milestone's project, a dependency's two projects, an imported file's projects) the handler
//! calls `authorize_writer` (readers refused up front) and the command runs the precise check once
//! it has loaded its target. Read-only tokens cannot write, a token limited to one program sees
//! nothing else, and tokens cannot manage tokens or users (those need a session).

pub mod password;
pub mod secret;
pub mod session;
pub mod throttle;

use crate::error::ApiError;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, ResponseError, web};
use sqlx::PgPool;
use std::collections::HashSet;
use std::future::{Ready, ready};
use std::net::IpAddr;
use std::time::Duration;
use throughline_shared::access::{
    Membership, ProgramAccess, ProgramAction, ProgramRole, RoleGrant, TokenScope,
};
use throughline_shared::api::UserSummary;
use throughline_shared::{ProgramId, ProjectId, TokenId, UserId};
use uuid::Uuid;

/// Paths anyone may call.
const PUBLIC: &[&str] = &["/api/health", "/api/openapi.json", "/api/auth/login"];

#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// A session ends this long after login, however active it is.
    pub session_lifetime: Duration,
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// Consecutive failed logins of one name before it is locked; the lock lasts `lockout`.
    pub max_failures: i32,
    pub lockout: Duration,
    /// Added to a failed login's answer per consecutive failure.
    pub failure_delay: Duration,
    /// How long a browser stays trusted (its `tl_device` cookie) after its last sign-in.
    pub device_lifetime: Duration,
    /// The proxies (TCP peer addresses) whose `Forwarded`, `X-Forwarded-Host` and
    /// `X-Forwarded-Proto` headers are believed; from anyone else they are ignored.
    pub trusted_proxies: Vec<IpAddr>,
    /// Who may start a program.
    pub program_creators: ProgramCreators,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            session_lifetime: Duration::from_secs(12 * 3600),
            session_idle: Duration::from_secs(2 * 3600),
            max_failures: 5,
            lockout: Duration::from_secs(15 * 60),
            failure_delay: Duration::from_millis(100),
            device_lifetime: Duration::from_secs(180 * 24 * 3600),
            trusted_proxies: Vec::new(),
            program_creators: ProgramCreators::Everyone,
        }
    }
}

/// `THROUGHLINE_PROGRAM_CREATORS`: who may start a program (and so become its program manager).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProgramCreators {
    /// Every signed-in user (with a token that may write at organisation level).
    #[default]
    Everyone,
    /// Organisation administrators only.
    Admins,
}

impl std::str::FromStr for ProgramCreators {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "everyone" => Ok(Self::Everyone),
            "admins" => Ok(Self::Admins),
            other => Err(format!("expected `everyone` or `admins`, got {other:?}")),
        }
    }
}

/// Refuses (403) starting a program to a caller the settings do not allow to.
/// Whether `principal` may start programs (what `require_program_creator` enforces), without
/// logging a refusal: for telling the UI.
pub fn may_create_programs(principal: &Principal, settings: &AuthSettings) -> bool {
    !principal.read_only()
        && principal.token_program().is_none()
        && (principal.admin || matches!(settings.program_creators, ProgramCreators::Everyone))
}

pub fn require_program_creator(
    principal: &Principal,
    settings: &AuthSettings,
) -> Result<(), ApiError> {
    principal.require_write()?;
    match settings.program_creators {
        ProgramCreators::Everyone => Ok(()),
        ProgramCreators::Admins if principal.admin => Ok(()),
        ProgramCreators::Admins => {
            Err(principal.deny("only organisation administrators may start programs here"))
        }
    }
}

/// How the caller proved who they are.
#[derive(Clone, Debug)]
pub enum Credential {
    Session {
        id_hash: Vec<u8>,
        csrf_token: String,
    },
    Token {
        token_id: TokenId,
        scope: TokenScope,
        program_id: Option<ProgramId>,
    },
}

/// The authenticated caller of a request.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub admin: bool,
    pub credential: Credential,
}

/// Which programs a caller may read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Readable {
    All,
    Only(HashSet<ProgramId>),
}

impl Readable {
    pub fn contains(&self, program_id: ProgramId) -> bool {
        match self {
            Readable::All => true,
            Readable::Only(set) => set.contains(&program_id),
        }
    }
}

impl Principal {
    pub fn summary(&self) -> UserSummary {
        UserSummary {
            user_id: self.user_id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            admin: self.admin,
            active: true,
        }
    }

    pub fn token_id(&self) -> Option<TokenId> {
        match &self.credential {
            Credential::Token { token_id, .. } => Some(*token_id),
            Credential::Session { .. } => None,
        }
    }

    pub fn token_scope(&self) -> Option<TokenScope> {
        match &self.credential {
            Credential::Token { scope, .. } => Some(*scope),
            Credential::Session { .. } => None,
        }
    }

    fn read_only(&self) -> bool {
        self.token_scope() == Some(TokenScope::ReadOnly)
    }

    /// The one program a token is limited to, if it is.
    pub fn token_program(&self) -> Option<ProgramId> {
        match &self.credential {
            Credential::Token { program_id, .. } => *program_id,
            Credential::Session { .. } => None,
        }
    }

    /// Organisation-level administration (users, the whole log, chain verification): an
    /// administrator, and not through a token limited to one program.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.admin && self.token_program().is_none() {
            Ok(())
        } else {
            Err(self.deny("organisation administrators only"))
        }
    }

    /// Writes at organisation level, such as starting a program: not with a read-only token,
    /// nor with one limited to a single program.
    pub fn require_write(&self) -> Result<(), ApiError> {
        if self.read_only() {
            Err(self.deny("this API token is read-only"))
        } else if self.token_program().is_some() {
            Err(self.deny("this API token is limited to one program"))
        } else {
            Ok(())
        }
    }

    /// Managing one's own account and tokens needs an interactive session, so a leaked token can
    /// never mint more tokens.
    pub fn require_session(&self) -> Result<(), ApiError> {
        match self.credential {
            Credential::Session { .. } => Ok(()),
            Credential::Token { .. } => {
                Err(self.deny("this needs a logged-in session, not an API token"))
            }
        }
    }

    pub fn deny(&self, why: &str) -> ApiError {
        tracing::warn!(user = %self.username, why, "request denied");
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("you may not do this: {why}"),
        )
    }

    /// The caller's rights in one program, from the access read model.
    pub async fn access(
        &self,
        pool: &PgPool,
        program_id: ProgramId,
    ) -> Result<ProgramAccess, ApiError> {
        if self.token_program().is_some_and(|p| p != program_id) {
            return Ok(self.access_from(program_id, Vec::new()));
        }
        let rows: Vec<(String, Uuid)> = sqlx::query_as(
            "SELECT role, project_id FROM program_members WHERE user_id = $1 AND program_id = $2",
        )
        .bind(self.user_id.0)
        .bind(program_id.0)
        .fetch_all(pool)
        .await
        .map_err(ApiError::internal)?;
        Ok(self.access_from(program_id, rows))
    }

    /// The caller's rights in one program and the log's head, in one round trip: a current read
    /// must include every write acknowledged before it (the head) and go only to a caller who may
    /// read (the rights). Under load a round trip is a wait for a busy database's CPU, so one
    /// rather than two in parallel (two connections, two backends woken).
    pub async fn access_and_head(
        &self,
        pool: &PgPool,
        program_id: ProgramId,
    ) -> Result<(ProgramAccess, i64), ApiError> {
        type Row = (i64, Option<Vec<String>>, Option<Vec<Uuid>>);
        // An aggregate without GROUP BY answers one row, members or not.
        let (head, roles, projects): Row = sqlx::query_as(
            "SELECT (SELECT position FROM log_head WHERE id = 1), array_agg(role), \
             array_agg(project_id) FROM program_members WHERE user_id = $1 AND program_id = $2",
        )
        .bind(self.user_id.0)
        .bind(program_id.0)
        .fetch_one(pool)
        .await
        .map_err(ApiError::internal)?;
        let rows = roles
            .unwrap_or_default()
            .into_iter()
            .zip(projects.unwrap_or_default())
            .collect();
        Ok((self.access_from(program_id, rows), head))
    }

    /// The rights the grants `rows` give, narrowed by the caller's token.
    fn access_from(&self, program_id: ProgramId, rows: Vec<(String, Uuid)>) -> ProgramAccess {
        if self.token_program().is_some_and(|p| p != program_id) {
            return ProgramAccess {
                read_only: true,
                ..Default::default()
            };
        }
        ProgramAccess {
            admin: self.admin,
            grants: rows.into_iter().filter_map(grant_from_row).collect(),
            read_only: self.read_only(),
        }
    }

    /// Every program the caller may read.
    pub async fn readable(&self, pool: &PgPool) -> Result<Readable, ApiError> {
        if let Some(program) = self.token_program() {
            let access = self.access(pool, program).await?;
            return Ok(Readable::Only(
                access
                    .can(ProgramAction::Read)
                    .then_some(program)
                    .into_iter()
                    .collect(),
            ));
        }
        if self.admin {
            return Ok(Readable::All);
        }
        Ok(Readable::Only(
            self.memberships(pool)
                .await?
                .into_iter()
                .map(|m| m.program_id)
                .collect(),
        ))
    }

    pub async fn memberships(&self, pool: &PgPool) -> Result<Vec<Membership>, ApiError> {
        let rows: Vec<(Uuid, String, Uuid)> = sqlx::query_as(
            "SELECT program_id, role, project_id FROM program_members WHERE user_id = $1 \
             ORDER BY program_id, role, project_id",
        )
        .bind(self.user_id.0)
        .fetch_all(pool)
        .await
        .map_err(ApiError::internal)?;
        let mut memberships: Vec<Membership> = Vec::new();
        for (program, role, project) in rows {
            let program_id = ProgramId(program);
            if self.token_program().is_some_and(|p| p != program_id) {
                continue;
            }
            let Some(grant) = grant_from_row((role, project)) else {
                continue;
            };
            match memberships.last_mut() {
                Some(m) if m.program_id == program_id => m.grants.push(grant),
                _ => memberships.push(Membership {
                    program_id,
                    grants: vec![grant],
                }),
            }
        }
        Ok(memberships)
    }
}

/// Whether the caller's session or token is still good (for long-lived connections, which
/// authenticated once at the start).
pub async fn still_valid(pool: &PgPool, principal: &Principal) -> Result<bool, sqlx::Error> {
    match &principal.credential {
        Credential::Session { id_hash, .. } => {
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM sessions s JOIN users u USING (user_id)                  WHERE s.id_hash = $1 AND s.expires_at > now() AND u.active)",
            )
            .bind(id_hash)
            .fetch_one(pool)
            .await
        }
        Credential::Token { token_id, .. } => {
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM api_tokens t JOIN users u USING (user_id)                  WHERE t.token_id = $1 AND t.revoked_at IS NULL AND u.active)",
            )
            .bind(token_id.0)
            .fetch_one(pool)
            .await
        }
    }
}

/// A `program_members` row's role and project (nil: program-wide) as a grant.
pub fn grant_from_row((role, project): (String, Uuid)) -> Option<RoleGrant> {
    Some(RoleGrant {
        role: ProgramRole::from_wire_name(&role)?,
        project_id: (!project.is_nil()).then_some(ProjectId(project)),
    })
}

/// Checks `action` on `program_id` for the caller. A program the caller may not even read is
/// answered as not found, so its existence does not leak.
pub async fn authorize(
    pool: &PgPool,
    principal: &Principal,
    program_id: ProgramId,
    action: ProgramAction,
) -> Result<ProgramAccess, ApiError> {
    let access = principal.access(pool, program_id).await?;
    judge(principal, access, program_id, action)
}

/// `authorize` once the caller's access is known (e.g. from `Principal::access_and_head`).
pub fn judge(
    principal: &Principal,
    access: ProgramAccess,
    program_id: ProgramId,
    action: ProgramAction,
) -> Result<ProgramAccess, ApiError> {
    if !access.can(ProgramAction::Read) {
        tracing::warn!(user = %principal.username, %program_id, ?action, "request denied: not a member");
        return Err(ApiError::not_found(format!(
            "program {program_id} was not found"
        )));
    }
    require(principal, &access, action)?;
    Ok(access)
}

/// For commands whose exact permission depends on what they touch (a milestone's project, a
/// dependency's ends: known only once loaded, then checked with `require`): lets in whoever may
/// change something in the program and refuses readers (403) before anything is looked up.
pub async fn authorize_writer(
    pool: &PgPool,
    principal: &Principal,
    program_id: ProgramId,
) -> Result<ProgramAccess, ApiError> {
    let access = authorize(pool, principal, program_id, ProgramAction::Read).await?;
    if !access.can_write_anything() {
        return Err(principal.deny(if access.read_only {
            "this API token is read-only"
        } else {
            "your role in this program lets you read it, not change it"
        }));
    }
    Ok(access)
}

/// Refuses (403, logged) an action the caller's access in a program does not allow: for commands
/// whose target (e.g. a milestone's project) is only known once loaded, after `authorize` for
/// reading let them in.
pub fn require(
    principal: &Principal,
    access: &ProgramAccess,
    action: ProgramAction,
) -> Result<(), ApiError> {
    if access.can(action) {
        return Ok(());
    }
    let why = match action {
        _ if access.read_only => "this API token is read-only",
        ProgramAction::Read => "reading this program",
        ProgramAction::Edit => "editing this program needs the program manager role",
        ProgramAction::AddProject => "adding projects needs the program manager role",
        ProgramAction::ManageMembers => "managing members needs the program manager role",
        ProgramAction::Baseline => "baselining needs the program manager role",
        ProgramAction::ReportStatus(_) => {
            "reporting status needs the contributor role, or project manager of this project"
        }
        ProgramAction::ChangeSchedule(_) => {
            "changing this project's milestones needs the contributor role, or project manager \
             of this project"
        }
        ProgramAction::Govern => "setting up governance needs the program manager role",
        ProgramAction::RaiseDecision => {
            "raising decisions and resolving escalations needs the program manager, project \
             manager or contributor role"
        }
        ProgramAction::TakePart => "taking part needs a role in this program",
        ProgramAction::ManageRaid(None) => {
            "program-level risks, issues and assumptions are the program manager's"
        }
        ProgramAction::ManageRaid(Some(_)) => {
            "changing this project's risks, issues and assumptions needs the contributor role, \
             or project manager of this project"
        }
        ProgramAction::ManageDependency { .. } => {
            "changing this dependency needs the contributor role, or project manager of one of \
             its projects"
        }
    };
    Err(principal.deny(why))
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Principal>()
                .cloned()
                .ok_or_else(unauthenticated),
        )
    }
}

fn unauthenticated() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "log in first, or send an API token as `Authorization: Bearer <token>`",
    )
}

/// The middleware in front of every `/api` route.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let path = req.path();
    let protected = path.starts_with("/api/") || path == "/metrics";
    if !protected || PUBLIC.contains(&path) {
        return Ok(with_retry_after(next.call(req).await?).map_into_left_body());
    }
    match resolve(&req).await {
        Ok(principal) => {
            req.extensions_mut().insert(principal);
            Ok(with_retry_after(next.call(req).await?).map_into_left_body())
        }
        Err(error) => {
            let response = error.error_response();
            Ok(req.into_response(response).map_into_right_body())
        }
    }
}

/// What a 429 says when its error did not (a safety net: every 429 built here does).
const DEFAULT_RETRY_AFTER_SECONDS: u64 = 60;

/// A refusal to be retried later (429, or 503 when the server is busy): the number of seconds
/// goes in the details, and from there into the `Retry-After` header.
pub fn retry_later(
    status: StatusCode,
    code: &'static str,
    message: impl Into<String>,
    seconds: u64,
) -> ApiError {
    ApiError::new(status, code, message)
        .with_details(serde_json::json!({ "retry_after_seconds": seconds.max(1) }))
}

/// Every 429 answer, and every 503 whose error says when, carries `Retry-After` (seconds).
fn with_retry_after<B>(mut res: ServiceResponse<B>) -> ServiceResponse<B> {
    let status = res.status();
    if !matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
    ) || res.headers().contains_key(header::RETRY_AFTER)
    {
        return res;
    }
    let seconds = match res.response().error().and_then(retry_after_seconds) {
        Some(seconds) => seconds,
        None if status == StatusCode::TOO_MANY_REQUESTS => DEFAULT_RETRY_AFTER_SECONDS,
        None => return res,
    };
    res.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from(seconds.max(1)),
    );
    res
}

fn retry_after_seconds(error: &actix_web::Error) -> Option<u64> {
    let api = error.as_error::<ApiError>()?;
    api.details.as_ref()?.get("retry_after_seconds")?.as_u64()
}

async fn resolve(req: &ServiceRequest) -> Result<Principal, ApiError> {
    let pool = req
        .app_data::<web::Data<PgPool>>()
        .ok_or_else(|| ApiError::internal("no database pool configured"))?;
    let settings = req
        .app_data::<web::Data<AuthSettings>>()
        .ok_or_else(|| ApiError::internal("no auth settings configured"))?;
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if let Some(token) = bearer {
        return by_token(pool, token).await;
    }
    if let Some(token) = calendar_token(req) {
        // A URL ends up in calendar apps, sync services and logs: it may only read.
        let principal = by_token(pool, &token).await?;
        if principal.token_scope() != Some(TokenScope::ReadOnly) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "token_not_read_only",
                "a calendar URL needs a read-only API token (make one on your account page)",
            ));
        }
        return Ok(principal);
    }
    let Some(cookie) = req.cookie(session::COOKIE) else {
        return Err(unauthenticated());
    };
    let principal = by_session(pool, settings, cookie.value()).await?;
    check_csrf(req, &principal)?;
    check_origin(req, settings)?;
    Ok(principal)
}

/// The `?token=` of a calendar feed URL: calendar apps cannot send an `Authorization` header.
fn calendar_token(req: &ServiceRequest) -> Option<String> {
    if req.method() != actix_web::http::Method::GET || !req.path().ends_with("/calendar.ics") {
        return None;
    }
    web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
        .ok()?
        .into_inner()
        .remove("token")
}

async fn by_token(pool: &PgPool, token: &str) -> Result<Principal, ApiError> {
    type Row = (Uuid, String, Option<Uuid>, Uuid, String, String, bool);
    let row: Option<Row> = sqlx::query_as(
        // `last_used_at` is written at most once a minute per token: a read with a token must not
        // cost a write (and a row lock that every request of a busy token would queue on).
        "WITH found AS ( \
           SELECT token_id, last_used_at FROM api_token_secrets WHERE secret_hash = $1), \
         touched AS ( \
           UPDATE api_token_secrets SET last_used_at = now() \
           WHERE secret_hash = $1 \
             AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')) \
         SELECT t.token_id, t.scope, t.program_id, u.user_id, u.username, u.display_name, u.admin \
         FROM found JOIN api_tokens t USING (token_id) JOIN users u ON u.user_id = t.user_id \
         WHERE t.revoked_at IS NULL AND u.active",
    )
    .bind(secret::lookup_hash(token))
    .fetch_optional(pool)
    .await
    .map_err(ApiError::internal)?;
    let Some((token_id, scope, program_id, user_id, username, display_name, admin)) = row else {
        tracing::warn!("request with an unknown, revoked or orphaned API token");
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "the API token is not valid: unknown, revoked, or its owner is deactivated",
        ));
    };
    Ok(Principal {
        user_id: UserId(user_id),
        username,
        display_name,
        admin,
        credential: Credential::Token {
            token_id: TokenId(token_id),
            scope: TokenScope::from_wire_name(&scope).unwrap_or(TokenScope::ReadOnly),
            program_id: program_id.map(ProgramId),
        },
    })
}

async fn by_session(
    pool: &PgPool,
    settings: &AuthSettings,
    session_id: &str,
) -> Result<Principal, ApiError> {
    let id_hash = secret::lookup_hash(session_id);
    // Touching `last_seen_at` at most once a minute keeps reads from writing on every request.
    type Row = (String, Uuid, String, String, bool);
    let row: Option<Row> = sqlx::query_as(
        "WITH live AS ( \
           SELECT s.id_hash, s.csrf_token, s.user_id, s.last_seen_at FROM sessions s \
           WHERE s.id_hash = $1 AND s.expires_at > now() \
             AND s.last_seen_at > now() - make_interval(secs => $2)), \
         touched AS ( \
           UPDATE sessions SET last_seen_at = now() FROM live \
           WHERE sessions.id_hash = live.id_hash AND live.last_seen_at < now() - interval '1 minute') \
         SELECT live.csrf_token, u.user_id, u.username, u.display_name, u.admin \
         FROM live JOIN users u ON u.user_id = live.user_id WHERE u.active",
    )
    .bind(&id_hash)
    .bind(settings.session_idle.as_secs_f64())
    .fetch_optional(pool)
    .await
    .map_err(ApiError::internal)?;
    let Some((csrf_token, user_id, username, display_name, admin)) = row else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "session_expired",
            "your session has ended; log in again",
        ));
    };
    Ok(Principal {
        user_id: UserId(user_id),
        username,
        display_name,
        admin,
        credential: Credential::Session {
            id_hash,
            csrf_token,
        },
    })
}

/// Writes made with the session cookie must carry the session's CSRF token in a header: another
/// site can make a browser send the cookie (were it not SameSite) but cannot read the token.
fn check_csrf(req: &ServiceRequest, principal: &Principal) -> Result<(), ApiError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let Credential::Session { csrf_token, .. } = &principal.credential else {
        return Ok(());
    };
    let sent = req
        .headers()
        .get(session::CSRF_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if secret::constant_time_eq(sent, csrf_token.as_bytes()) {
        Ok(())
    } else {
        tracing::warn!(user = %principal.username, path = req.path(), "write without a valid CSRF token");
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "missing or wrong X-CSRF-Token header; reload the page and try again",
        ))
    }
}

/// A browser always sends `Origin` on WebSocket handshakes and cross-site writes: refuse any that
/// is not this server, by scheme, host and port (cross-site WebSocket hijacking, CSRF).
fn check_origin(req: &ServiceRequest, settings: &AuthSettings) -> Result<(), ApiError> {
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(());
    };
    let (scheme, host) = own_scheme_and_host(req.request(), settings);
    let ours = Origin::from_parts(&scheme, &host);
    let theirs = Origin::parse(origin);
    if ours.is_some() && ours == theirs {
        Ok(())
    } else {
        tracing::warn!(origin, %scheme, %host, "request from another origin refused");
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "origin_refused",
            "requests with the session cookie must come from this site",
        ))
    }
}

/// Whether the request came through a proxy whose forwarded headers are believed: its TCP peer is
/// one of `THROUGHLINE_TRUSTED_PROXY`.
fn from_trusted_proxy(req: &HttpRequest, settings: &AuthSettings) -> bool {
    req.peer_addr().is_some_and(|peer| {
        let peer = peer.ip().to_canonical();
        settings
            .trusted_proxies
            .iter()
            .any(|proxy| proxy.to_canonical() == peer)
    })
}

/// The scheme and `host[:port]` the client addressed: from `Forwarded` / `X-Forwarded-Proto` /
/// `X-Forwarded-Host` only when a trusted proxy sent them; otherwise this listener's own scheme
/// and the `Host` header (which a browser sets to what it connected to).
pub(crate) fn own_scheme_and_host(req: &HttpRequest, settings: &AuthSettings) -> (String, String) {
    if from_trusted_proxy(req, settings) {
        let info = req.connection_info();
        return (info.scheme().to_string(), info.host().to_string());
    }
    let scheme = if req.app_config().secure() {
        "https"
    } else {
        "http"
    };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.as_str().to_string()))
        .unwrap_or_else(|| req.app_config().host().to_string());
    (scheme.to_string(), host)
}

/// Whether the client reached us over TLS (directly, or as a trusted proxy says): cookies are then
/// `Secure`.
pub(crate) fn is_tls(req: &HttpRequest, settings: &AuthSettings) -> bool {
    own_scheme_and_host(req, settings).0 == "https"
}

/// A web origin: scheme, host and port (the default port of the scheme when none is written).
#[derive(Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// An `Origin` header: `scheme://host[:port]`. Anything else (`null`, a path) is no origin.
    fn parse(origin: &str) -> Option<Self> {
        let (scheme, authority) = origin.trim().split_once("://")?;
        Self::from_parts(scheme, authority)
    }

    fn from_parts(scheme: &str, authority: &str) -> Option<Self> {
        let scheme = scheme.trim().to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        let authority = authority.trim();
        if authority.is_empty() || authority.contains(['/', '?', '#', '@', ' ']) {
            return None;
        }
        let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
            // An IPv6 literal: `[::1]:8080`.
            let (address, after) = rest.split_once(']')?;
            let port = match after {
                "" => default_port,
                port => port.strip_prefix(':')?.parse().ok()?,
            };
            (format!("[{}]", address.to_ascii_lowercase()), port)
        } else {
            match authority.split_once(':') {
                Some((host, port)) => (host.to_ascii_lowercase(), port.parse().ok()?),
                None => (authority.to_ascii_lowercase(), default_port),
            }
        };
        if host.is_empty() || host == "[]" {
            return None;
        }
        Some(Self { scheme, host, port })
    }
}

#[cfg(test)]
mod tests {
    use super::Origin;

    fn origin(s: &str) -> Option<(String, String, u16)> {
        Origin::parse(s).map(|o| (o.scheme, o.host, o.port))
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert_eq!(
            origin("http://127.0.0.1:8080"),
            Some(("http".into(), "127.0.0.1".into(), 8080))
        );
        assert_eq!(
            origin("HTTPS://App.Example"),
            Some(("https".into(), "app.example".into(), 443))
        );
        assert_eq!(
            origin("http://[::1]:3000"),
            Some(("http".into(), "[::1]".into(), 3000))
        );
        assert_eq!(
            Origin::parse("http://a.example"),
            Origin::parse("http://a.example:80")
        );
        assert_ne!(
            Origin::parse("http://a.example"),
            Origin::parse("https://a.example")
        );
        for refused in [
            "null",
            "",
            "a.example",
            "ftp://a.example",
            "http://",
            "http://a.example/path",
            "http://a.example:99999",
            "http://a.example:",
            "http://user@a.example",
            "http://[::1",
            "http://[::1]x",
        ] {
            assert_eq!(origin(refused), None, "{refused}");
        }
    }
}
