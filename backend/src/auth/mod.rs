//! Authentication (who is calling: a session cookie or an API token) and authorisation (what they
//! may do in which program). Every `/api` request except health, the OpenAPI document and login
//! passes `authenticate`; handlers then ask `authorize` for the program they touch.

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
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            session_lifetime: Duration::from_secs(12 * 3600),
            session_idle: Duration::from_secs(2 * 3600),
            max_failures: 5,
            lockout: Duration::from_secs(15 * 60),
            failure_delay: Duration::from_millis(100),
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
            return Ok(ProgramAccess {
                read_only: true,
                ..Default::default()
            });
        }
        let rows: Vec<(String, Uuid)> = sqlx::query_as(
            "SELECT role, project_id FROM program_members WHERE user_id = $1 AND program_id = $2",
        )
        .bind(self.user_id.0)
        .bind(program_id.0)
        .fetch_all(pool)
        .await
        .map_err(ApiError::internal)?;
        Ok(ProgramAccess {
            admin: self.admin,
            grants: rows.into_iter().filter_map(grant_from_row).collect(),
            read_only: self.read_only(),
        })
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
    if !path.starts_with("/api/") || PUBLIC.contains(&path) {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    match resolve(&req).await {
        Ok(principal) => {
            req.extensions_mut().insert(principal);
            Ok(next.call(req).await?.map_into_left_body())
        }
        Err(error) => {
            let response = error.error_response();
            Ok(req.into_response(response).map_into_right_body())
        }
    }
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
    check_origin(req)?;
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
        "WITH used AS ( \
           UPDATE api_token_secrets SET last_used_at = now() \
           WHERE secret_hash = $1 \
           RETURNING token_id) \
         SELECT t.token_id, t.scope, t.program_id, u.user_id, u.username, u.display_name, u.admin \
         FROM used JOIN api_tokens t USING (token_id) JOIN users u ON u.user_id = t.user_id \
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
/// is not this server (cross-site WebSocket hijacking).
fn check_origin(req: &ServiceRequest) -> Result<(), ApiError> {
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(());
    };
    let host = req.connection_info().host().to_string();
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    if origin_host == host {
        Ok(())
    } else {
        tracing::warn!(origin, host, "request from another origin refused");
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "origin_refused",
            "requests with the session cookie must come from this site",
        ))
    }
}
