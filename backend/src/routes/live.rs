//! The live WebSocket: a browser subscribes to a program from a position and receives every later
//! event of it, in order, exactly once — across reconnects, as long as it resumes from `covered`.

use crate::event_store::{EventFilter, head_position, read_events};
use crate::live::LiveHub;
use actix_web::{HttpRequest, HttpResponse, get, web};
use actix_ws::{AggregatedMessage, Session};
use futures_util::StreamExt;
use sqlx::PgPool;
use std::time::Duration;
use throughline_shared::api::{ClientMessage, ServerMessage};
use throughline_shared::{ProgramId, RecordedEvent};
use tokio::sync::broadcast::error::RecvError;

const CATCH_UP_PAGE: i64 = 500;
const HEARTBEAT: Duration = Duration::from_secs(20);

/// Upgrades to a WebSocket; see `ClientMessage` and `ServerMessage` for the protocol.
#[utoipa::path(get, path = "/api/live", tag = "live",
    description = "WebSocket. Send `{\"type\":\"subscribe\",\"program_id\":<uuid or null>,\"after\":<position>}`; \
    receive `{\"type\":\"events\",\"events\":[RecordedEvent...],\"covered\":<position>}` frames in position order. \
    Resume after a disconnect by subscribing with `after` = the last `covered`.",
    responses((status = 101, description = "Switching protocols")))]
#[get("/live")]
pub async fn live(
    req: HttpRequest,
    body: web::Payload,
    hub: web::Data<LiveHub>,
    pool: web::Data<PgPool>,
) -> actix_web::Result<HttpResponse> {
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let stream = stream
        .aggregate_continuations()
        .max_continuation_size(64 * 1024);
    actix_web::rt::spawn(run_session(
        session,
        stream,
        hub.get_ref().clone(),
        pool.get_ref().clone(),
    ));
    Ok(response)
}

struct Subscription {
    program_id: Option<ProgramId>,
    /// Every position up to here has been sent (or was not this subscription's).
    covered: i64,
}

impl Subscription {
    fn wants(&self, event: &RecordedEvent) -> bool {
        self.program_id.is_none() || event.program_id == self.program_id
    }

    /// Sends everything after `covered` up to `through` (or the current head) from the table.
    async fn catch_up(
        &mut self,
        pool: &PgPool,
        session: &mut Session,
        through: Option<i64>,
    ) -> anyhow::Result<()> {
        let through = match through {
            Some(t) => t,
            None => head_position(pool).await?,
        };
        while self.covered < through {
            let events = read_events(
                pool,
                EventFilter {
                    after: self.covered,
                    up_to: Some(through),
                    program_id: self.program_id,
                    limit: CATCH_UP_PAGE,
                },
            )
            .await?;
            let covered = if (events.len() as i64) < CATCH_UP_PAGE {
                through
            } else {
                events.last().map(|e| e.position).unwrap_or(through)
            };
            self.covered = covered;
            send(session, &ServerMessage::Events { events, covered }).await?;
        }
        Ok(())
    }
}

async fn send(session: &mut Session, message: &ServerMessage) -> anyhow::Result<()> {
    session.text(serde_json::to_string(message)?).await?;
    Ok(())
}

async fn run_session(
    mut session: Session,
    mut stream: actix_ws::AggregatedMessageStream,
    hub: LiveHub,
    pool: PgPool,
) {
    // Subscribe to the tail before reading the table, so nothing committed in between is missed;
    // anything seen twice is dropped by the `covered` check.
    let mut batches = hub.subscribe();
    let mut subscription: Option<Subscription> = None;
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    let result: anyhow::Result<()> = async {
        loop {
            tokio::select! {
                message = stream.next() => {
                    let Some(message) = message else { return Ok(()) };
                    match message? {
                        AggregatedMessage::Text(text) => match serde_json::from_str::<ClientMessage>(&text) {
                            Ok(ClientMessage::Subscribe { program_id, after }) => {
                                let mut sub = Subscription { program_id, covered: after.max(0) };
                                sub.catch_up(&pool, &mut session, None).await?;
                                subscription = Some(sub);
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
                    let Some(sub) = subscription.as_mut() else {
                        if let Err(RecvError::Closed) = batch { return Ok(()) }
                        continue;
                    };
                    match batch {
                        Ok(batch) => {
                            if batch.through <= sub.covered {
                                continue;
                            }
                            if batch.after > sub.covered {
                                sub.catch_up(&pool, &mut session, Some(batch.after)).await?;
                            }
                            let events: Vec<RecordedEvent> = batch
                                .events
                                .iter()
                                .filter(|e| e.position > sub.covered && sub.wants(e))
                                .cloned()
                                .collect();
                            sub.covered = batch.through;
                            if !events.is_empty() {
                                send(&mut session, &ServerMessage::Events { events, covered: sub.covered }).await?;
                            }
                        }
                        // This session fell behind the tail: read what it missed from the table.
                        Err(RecvError::Lagged(_)) => sub.catch_up(&pool, &mut session, None).await?,
                        Err(RecvError::Closed) => return Ok(()),
                    }
                }
                _ = heartbeat.tick() => session.ping(b"").await?,
            }
        }
    }
    .await;
    if let Err(e) = result {
        tracing::debug!(error = %e, "live session ended");
    }
    let _ = session.close(None).await;
}
