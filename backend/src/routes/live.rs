//! The live WebSocket: a browser subscribes to a program from a position and receives every later
//! event of it, in order, exactly once — across reconnects, as long as it resumes from `covered`.
//!
//! **Catch-up.** A session subscribes to the instance's broadcast (`crate::live`) first, then
//! handles `{"type":"subscribe","program_id":…,"after":P}` by reading everything after `P` from
//! the table up to the head, then forwarding broadcast batches. It tracks `covered` (every
//! position up to it has been considered): batches at or below `covered` are skipped; a batch
//! starting beyond `covered`, or a lagged receiver, triggers another read from the table first.
//! So nothing is missed, duplicated or reordered. Frames are
//! `{"type":"events","events":[…],"covered":C}`; a client that reconnects subscribes with
//! `after = C`. A subscription to everything (`program_id: null`) is filtered to the caller's
//! readable programs; account events go to administrators only.
//!
//! **Access.** The handshake authenticates once (a cookie handshake must come from the server's
//! own origin). Subscribing waits for the `access` projection to reach the head and judges the
//! subscription by the caller's access then. Afterwards a batch or a catch-up page that holds a
//! change of the caller's own access (a grant or revocation, their deactivation, a revoked token)
//! waits for the projection to pass that change and re-reads the caller's access before any of it
//! is sent, so a revoked member receives nothing more of the program; pages without one are sent
//! at once (waiting for a head that moves under load made a lagging socket crawl). Sign-outs and
//! expiries are not events: a deleted session is announced on a process-wide channel (and to
//! other instances by `session::relay_sign_outs`), closing its sockets at once, and every socket
//! re-checks its credential on each heartbeat (20 s).

use crate::auth::{Credential, Principal, Readable, authorize, session as sessions, still_valid};
use crate::error::ApiError;
use crate::event_store::{EventFilter, head_position, read_events, read_events_of_programs};
use crate::live::LiveHub;
use crate::projection::{ACCESS, concerns_access, wait_for_projection};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, web};
use actix_ws::{AggregatedMessage, Session};
use futures_util::StreamExt;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::{ClientMessage, ServerMessage};
use throughline_shared::{ProgramId, RecordedEvent};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

const CATCH_UP_PAGE: i64 = 500;
const HEARTBEAT: Duration = Duration::from_secs(20);

/// Upgrades to a WebSocket; see `ClientMessage` and `ServerMessage` for the protocol.
#[utoipa::path(get, path = "/api/live", tag = "live",
    params(
        ("Upgrade" = String, Header, pattern = "^[Ww][Ee][Bb][Ss][Oo][Cc][Kk][Ee][Tt]$",
            description = "`websocket`"),
        ("Connection" = String, Header, pattern = "^[Uu][Pp][Gg][Rr][Aa][Dd][Ee]$",
            description = "`Upgrade` (a list holding `Upgrade` and not `close` will do)"),
        ("Sec-WebSocket-Version" = String, Header, pattern = "^13$", description = "`13`"),
        ("Sec-WebSocket-Key" = String, Header, pattern = "^[A-Za-z0-9+/]{21}[AQgw]==$",
            description = "16 random bytes, base64-encoded (RFC 6455)"),
    ),
    description = "A WebSocket, not a plain GET: open it with a WebSocket client, which sends the handshake's headers. \
    Send `{\"type\":\"subscribe\",\"program_id\":<uuid or null>,\"after\":<position>}`; \
    receive `{\"type\":\"events\",\"events\":[RecordedEvent...],\"covered\":<position>}` frames in position order \
    (and `{\"type\":\"error\",\"message\":...}` when a subscription is refused, e.g. a program the caller may not read). \
    Resume after a disconnect by subscribing with `after` = the last `covered`. The socket is closed when the \
    session ends or the caller loses access.",
    responses(
        (status = 101, description = "Switching protocols: the WebSocket is open"),
        (status = 400, body = throughline_shared::api::ErrorResponse,
            description = "`websocket_handshake_failed`: not a WebSocket handshake (a plain GET, a missing or wrong \
            `Upgrade`, `Connection` or `Sec-WebSocket-Key` header, or no `Sec-WebSocket-Version`)"),
        (status = 426, body = throughline_shared::api::ErrorResponse,
            headers(("Sec-WebSocket-Version" = String, description = "`13`: the version this server speaks")),
            description = "`websocket_handshake_failed`: a `Sec-WebSocket-Version` other than 13"),
        (status = 403, body = throughline_shared::api::ErrorResponse,
            description = "With the session cookie: a handshake from another origin (`origin_refused`)")))]
#[get("/live")]
pub async fn live(
    req: HttpRequest,
    body: web::Payload,
    hub: web::Data<LiveHub>,
    pool: web::Data<PgPool>,
    principal: Principal,
) -> actix_web::Result<HttpResponse> {
    let (response, session, stream) = match actix_ws::handle(&req, body) {
        Ok(parts) => parts,
        Err(e) => return Ok(handshake_refused(&e)),
    };
    let stream = stream
        .aggregate_continuations()
        .max_continuation_size(64 * 1024);
    actix_web::rt::spawn(run_session(
        session,
        stream,
        hub.get_ref().clone(),
        pool.get_ref().clone(),
        principal,
    ));
    Ok(response)
}

/// A request that is no (acceptable) WebSocket handshake: the API's JSON error, with actix's
/// status for it (400, or 426 and the version spoken for another protocol version). Sent
/// uncompressed: on a request that asked for an upgrade, actix-http writes a streamed (e.g.
/// gzip-compressed) body without the chunked framing its headers announce.
fn handshake_refused(error: &actix_web::Error) -> HttpResponse {
    let status = error.error_response().status();
    let mut response = ApiError::new(
        status,
        "websocket_handshake_failed",
        format!("this is a WebSocket endpoint: {error}"),
    )
    .error_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_ENCODING,
        HeaderValue::from_static("identity"),
    );
    if status == StatusCode::UPGRADE_REQUIRED {
        headers.insert(
            header::SEC_WEBSOCKET_VERSION,
            HeaderValue::from_static("13"),
        );
    }
    response
}

struct Subscription {
    program_id: Option<ProgramId>,
    /// What the user may read; re-checked whenever their access changes.
    readable: Readable,
    /// Every position up to here has been sent (or was not this subscription's).
    covered: i64,
}

impl Subscription {
    fn wants(&self, event: &RecordedEvent) -> bool {
        let Some(program) = event.program_id else {
            // Account events belong to no program: administrators' whole-log view only.
            return self.program_id.is_none() && self.readable == Readable::All;
        };
        self.readable.contains(program) && self.program_id.is_none_or(|p| p == program)
    }

    /// Starts a subscription if the caller may read what it asks for.
    async fn open(
        pool: &PgPool,
        principal: &Principal,
        program_id: Option<ProgramId>,
        after: i64,
    ) -> Result<Self, ApiError> {
        if let Some(program) = program_id {
            authorize(pool, principal, program, ProgramAction::Read).await?;
        }
        Ok(Self {
            program_id,
            readable: principal.readable(pool).await?,
            covered: after.max(0),
        })
    }

    /// Reads the table for what this subscription may see in `(covered, through]`.
    async fn read(&self, pool: &PgPool, through: i64) -> anyhow::Result<Vec<RecordedEvent>> {
        Ok(match (&self.readable, self.program_id) {
            (Readable::Only(programs), None) => {
                let programs: Vec<Uuid> = programs.iter().map(|p| p.0).collect();
                read_events_of_programs(pool, &programs, self.covered, through, CATCH_UP_PAGE)
                    .await?
            }
            (_, program_id) => {
                read_events(
                    pool,
                    EventFilter {
                        after: self.covered,
                        up_to: Some(through),
                        program_id,
                        limit: CATCH_UP_PAGE,
                    },
                )
                .await?
            }
        })
    }
}

async fn send(session: &mut Session, message: &ServerMessage) -> anyhow::Result<()> {
    session.text(serde_json::to_string(message)?).await?;
    Ok(())
}

/// Whether `event` changes what `principal` may see: their own account, tokens or roles.
fn changes_access_of(event: &RecordedEvent, principal: &Principal) -> bool {
    concerns_access(event)
        && event.payload.get("user_id").and_then(|v| v.as_str())
            == Some(principal.user_id.to_string().as_str())
}

/// After the caller's access changed (or periodically): is the connection still allowed, and what
/// may it now read? `Ok(false)` ends the session.
async fn recheck(
    pool: &PgPool,
    principal: &Principal,
    session: &mut Session,
    subscription: &mut Option<Subscription>,
) -> anyhow::Result<bool> {
    if !still_valid(pool, principal).await? {
        send(
            session,
            &ServerMessage::Error {
                message: "your session has ended or your access was withdrawn; log in again".into(),
            },
        )
        .await?;
        return Ok(false);
    }
    if let Some(sub) = subscription.as_mut() {
        sub.readable = principal
            .readable(pool)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if sub.program_id.is_some_and(|p| !sub.readable.contains(p)) {
            send(
                session,
                &ServerMessage::Error {
                    message: "you no longer have access to this program".into(),
                },
            )
            .await?;
            *subscription = None;
        }
    }
    Ok(true)
}

/// Brings the subscription up to `through` (default: the head), judged by the caller's access as
/// it stands once the access read model has folded everything the caller is sent: at subscribing,
/// everything up to the head (a revocation just before it is in force); while catching up, each
/// page that holds a change of the caller's own access waits for that change and re-checks before
/// any of the page is sent. A page without one is sent as soon as it is read — waiting for the
/// access projection to reach a head that moves under load made a lagging socket crawl.
/// `Ok(false)`: the session must end.
async fn catch_up_checked(
    pool: &PgPool,
    principal: &Principal,
    session: &mut Session,
    subscription: &mut Option<Subscription>,
    through: Option<i64>,
    subscribing: bool,
) -> anyhow::Result<bool> {
    let through = match through {
        Some(t) => t,
        None => head_position(pool).await?,
    };
    // The caller's own account (deactivation, a revoked token) changes in their user stream,
    // which no page of a program shows: looked up directly.
    let account_change: Option<i64> = match subscription.as_ref() {
        Some(sub) if !subscribing => {
            sqlx::query_scalar(
                "SELECT max(position) FROM events \
             WHERE stream_id = $1 AND position > $2 AND position <= $3",
            )
            .bind(principal.user_id.0)
            .bind(sub.covered)
            .bind(through)
            .fetch_one(pool)
            .await?
        }
        _ => None,
    };
    if let Some(wait_for) = if subscribing {
        Some(through)
    } else {
        account_change
    } {
        wait_for_projection(pool, ACCESS, wait_for).await?;
        if !recheck(pool, principal, session, subscription).await? {
            return Ok(false);
        }
    }
    loop {
        let Some(sub) = subscription.as_ref() else {
            return Ok(true);
        };
        if sub.covered >= through {
            return Ok(true);
        }
        let events = sub.read(pool, through).await?;
        let covered = if (events.len() as i64) < CATCH_UP_PAGE {
            through
        } else {
            events.last().map(|e| e.position).unwrap_or(through)
        };
        if let Some(change) = events
            .iter()
            .rev()
            .find(|e| changes_access_of(e, principal))
        {
            wait_for_projection(pool, ACCESS, change.position).await?;
            if !recheck(pool, principal, session, subscription).await? {
                return Ok(false);
            }
        }
        let Some(sub) = subscription.as_mut() else {
            return Ok(true);
        };
        let events = events
            .into_iter()
            .filter(|e| sub.wants(e))
            .map(RecordedEvent::described)
            .collect();
        sub.covered = covered;
        send(session, &ServerMessage::Events { events, covered }).await?;
    }
}

/// The next session that ended (sign-out, password change, deactivation) on this instance, or on
/// another one when `session::relay_sign_outs` runs; never, for a socket opened with a token.
async fn next_ended(
    ended: &mut Option<broadcast::Receiver<Arc<[u8]>>>,
) -> Result<Arc<[u8]>, RecvError> {
    let Some(receiver) = ended.as_mut() else {
        return std::future::pending().await;
    };
    let next = receiver.recv().await;
    if let Err(RecvError::Closed) = next {
        *ended = None;
        return std::future::pending().await;
    }
    next
}

async fn run_session(
    mut session: Session,
    mut stream: actix_ws::AggregatedMessageStream,
    hub: LiveHub,
    pool: PgPool,
    principal: Principal,
) {
    // Subscribe to the tail before reading the table, so nothing committed in between is missed;
    // anything seen twice is dropped by the `covered` check.
    let mut batches = hub.subscribe();
    let mut subscription: Option<Subscription> = None;
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    // Sign-outs are not events: a session's sockets close when it is announced as ended (on this
    // instance at once; from other instances through `relay_sign_outs` if it runs, else at the
    // next heartbeat's re-check).
    let own_session: Option<Vec<u8>> = match &principal.credential {
        Credential::Session { id_hash, .. } => Some(id_hash.clone()),
        Credential::Token { .. } => None,
    };
    let mut ended = own_session.as_ref().map(|_| sessions::ended_sessions());
    let mut stopping = hub.stopping();
    let mut restart = false;
    let result: anyhow::Result<()> = async {
        loop {
            tokio::select! {
                _ = stopping.wait_for(|stop| *stop) => {
                    restart = true;
                    return Ok(());
                }
                message = stream.next() => {
                    let Some(message) = message else { return Ok(()) };
                    match message? {
                        AggregatedMessage::Text(text) => match serde_json::from_str::<ClientMessage>(&text) {
                            Ok(ClientMessage::Subscribe { program_id, after }) => {
                                match Subscription::open(&pool, &principal, program_id, after).await {
                                    Ok(sub) => {
                                        subscription = Some(sub);
                                        if !catch_up_checked(&pool, &principal, &mut session, &mut subscription, None, true).await? {
                                            return Ok(());
                                        }
                                    }
                                    Err(e) => {
                                        subscription = None;
                                        send(&mut session, &ServerMessage::Error { message: e.message }).await?;
                                    }
                                }
                            }
                            Err(e) => {
                                send(&mut session, &ServerMessage::Error {
                                    message: format!("cannot read the message: {e}"),
                                }).await?;
                            }
                        },
                        AggregatedMessage::Ping(bytes) => session.pong(&bytes).await?,
                        AggregatedMessage::Close(_) => return Ok(()),
                        AggregatedMessage::Binary(_) | AggregatedMessage::Pong(_) => {}
                    }
                }
                batch = batches.recv() => {
                    let Some(covered) = subscription.as_ref().map(|s| s.covered) else {
                        if let Err(RecvError::Closed) = batch { return Ok(()) }
                        continue;
                    };
                    match batch {
                        Ok(batch) => {
                            if batch.through <= covered {
                                continue;
                            }
                            // The caller's access changed: judge this batch by the new access,
                            // once the access read model has folded the change.
                            if let Some(change) = batch.events.iter().rev().find(|e| changes_access_of(e, &principal)) {
                                wait_for_projection(&pool, ACCESS, change.position).await?;
                                if !recheck(&pool, &principal, &mut session, &mut subscription).await? {
                                    return Ok(());
                                }
                            }
                            // Missed positions before this batch: read them from the table first.
                            if batch.after > covered
                                && !catch_up_checked(&pool, &principal, &mut session, &mut subscription, Some(batch.after), false).await?
                            {
                                return Ok(());
                            }
                            let Some(sub) = subscription.as_mut() else { continue };
                            // Encoded once by the tail for every socket: a frame is a join.
                            let wanted: Vec<usize> = batch
                                .events
                                .iter()
                                .enumerate()
                                .filter(|(_, e)| e.position > sub.covered && sub.wants(e))
                                .map(|(i, _)| i)
                                .collect();
                            sub.covered = batch.through;
                            if let Some(first) = wanted.first().and_then(|&i| batch.events.get(i)) {
                                let lag = chrono::Utc::now() - first.recorded_at;
                                crate::metrics::METRICS
                                    .live_delivery_seconds
                                    .observe(lag.as_seconds_f64().max(0.0));
                                let encoded = batch.encoded();
                                let frame = crate::live::events_frame(
                                    wanted.iter().filter_map(|&i| encoded.get(i)).map(String::as_str),
                                    sub.covered,
                                );
                                session.text(frame).await?;
                            }
                        }
                        // This session fell behind the tail: read what it missed from the table.
                        Err(RecvError::Lagged(_)) => {
                            if !catch_up_checked(&pool, &principal, &mut session, &mut subscription, None, false).await? {
                                return Ok(());
                            }
                        }
                        Err(RecvError::Closed) => return Ok(()),
                    }
                }
                ended_session = next_ended(&mut ended) => {
                    match ended_session {
                        Ok(hash) => {
                            if own_session.as_deref() == Some(&hash[..]) {
                                send(&mut session, &ServerMessage::Error {
                                    message: "your session has ended; log in again".into(),
                                }).await?;
                                return Ok(());
                            }
                        }
                        // Missed announcements: look in the database instead.
                        Err(_) => {
                            if !recheck(&pool, &principal, &mut session, &mut subscription).await? {
                                return Ok(());
                            }
                        }
                    }
                }
                _ = heartbeat.tick() => {
                    // Logouts and expiries are not events: look now and then.
                    if !recheck(&pool, &principal, &mut session, &mut subscription).await? {
                        return Ok(());
                    }
                    session.ping(b"").await?
                }
            }
        }
    }
    .await;
    if let Err(e) = result {
        tracing::debug!(error = %e, "live session ended");
    }
    // 1012 "service restart": the client reconnects (elsewhere) and resumes from its `covered`.
    let reason = restart.then(|| actix_ws::CloseReason {
        code: actix_ws::CloseCode::Restart,
        description: Some("reconnect".into()),
    });
    let _ = session.close(reason).await;
}
