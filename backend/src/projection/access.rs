//! The `access` read model: users, program memberships and API tokens, folded from the user and
//! program streams. Authentication and every authorisation check read these tables.
//!
//! Access changes are rare next to status reports, so each one is one small statement; every
//! other event is skipped by its type name without being decoded.
//!
//! **Fails closed**: unlike `program_views`, an access event that does not decode stops this
//! projection instead of being skipped, since skipping a revocation would leave access in place.
//! Commands that change access wait for this projection to pass their event
//! (`wait_for_projection`) before answering, so the change is in force on every instance once the
//! caller hears of it.

use super::Projection;
use anyhow::Context;
use sqlx::PgConnection;
use throughline_shared::program::ProgramEvent;
use throughline_shared::user::UserEvent;
use throughline_shared::{DomainEvent, RecordedEvent};
use uuid::Uuid;

pub const ACCESS: &str = "access";

#[derive(Default)]
pub struct Access;

/// Whether an event changes who may do what: what this projection folds, and what makes a live
/// session re-check its caller's access.
pub fn concerns_access(event: &RecordedEvent) -> bool {
    event.stream_type == "user"
        || matches!(
            event.event_type.as_str(),
            "ProgramRoleGranted" | "ProgramRoleRevoked"
        )
}

impl Projection for Access {
    fn name(&self) -> &'static str {
        ACCESS
    }

    async fn fold(
        &mut self,
        db: &mut PgConnection,
        events: Vec<RecordedEvent>,
    ) -> anyhow::Result<()> {
        for mut event in events.into_iter().filter(concerns_access) {
            let at = event.recorded_at;
            let decoded = event
                .take_decoded()
                .with_context(|| format!("event at position {}", event.position))?;
            match decoded {
                DomainEvent::User(user_event) => apply_user_event(db, user_event, at).await?,
                DomainEvent::Program(ProgramEvent::ProgramRoleGranted {
                    program_id,
                    user_id,
                    role,
                    project_id,
                    ..
                }) => {
                    sqlx::query(
                        "INSERT INTO program_members (user_id, program_id, role, project_id, granted_at) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    )
                    .bind(user_id.0)
                    .bind(program_id.0)
                    .bind(role.wire_name())
                    .bind(project_id.map_or(Uuid::nil(), |p| p.0))
                    .bind(at)
                    .execute(&mut *db)
                    .await?;
                }
                DomainEvent::Program(ProgramEvent::ProgramRoleRevoked {
                    program_id,
                    user_id,
                    role,
                    project_id,
                    ..
                }) => {
                    sqlx::query(
                        "DELETE FROM program_members \
                         WHERE user_id = $1 AND program_id = $2 AND role = $3 AND project_id = $4",
                    )
                    .bind(user_id.0)
                    .bind(program_id.0)
                    .bind(role.wire_name())
                    .bind(project_id.map_or(Uuid::nil(), |p| p.0))
                    .execute(&mut *db)
                    .await?;
                }
                DomainEvent::Program(_)
                | DomainEvent::Project(_)
                | DomainEvent::Milestone(_)
                | DomainEvent::Dependency(_)
                | DomainEvent::Charter(_)
                | DomainEvent::Decision(_)
                | DomainEvent::Escalation(_)
                | DomainEvent::Session(_)
                | DomainEvent::Risk(_)
                | DomainEvent::Issue(_)
                | DomainEvent::Assumption(_)
                | DomainEvent::RaidSettings(_)
                | DomainEvent::Briefing(_)
                | DomainEvent::Cascade(_) => {}
            }
        }
        Ok(())
    }

    async fn flush(&mut self, _db: &mut PgConnection) -> anyhow::Result<()> {
        Ok(())
    }

    async fn reset(&mut self, db: &mut PgConnection) -> anyhow::Result<()> {
        sqlx::raw_sql("DELETE FROM program_members; DELETE FROM api_tokens; DELETE FROM users;")
            .execute(db)
            .await?;
        Ok(())
    }

    fn forget(&mut self) {}
}

async fn apply_user_event(
    db: &mut PgConnection,
    event: UserEvent,
    at: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    match event {
        UserEvent::UserCreated {
            user_id,
            username,
            display_name,
            admin,
        } => {
            sqlx::query(
                "INSERT INTO users (user_id, username, display_name, admin, active, created_at) \
                 VALUES ($1, $2, $3, $4, true, $5) ON CONFLICT DO NOTHING",
            )
            .bind(user_id.0)
            .bind(username)
            .bind(display_name)
            .bind(admin)
            .bind(at)
            .execute(&mut *db)
            .await?;
        }
        UserEvent::UserDeactivated { user_id, .. } | UserEvent::UserReactivated { user_id, .. } => {
            let active = matches!(event, UserEvent::UserReactivated { .. });
            sqlx::query("UPDATE users SET active = $2 WHERE user_id = $1")
                .bind(user_id.0)
                .bind(active)
                .execute(&mut *db)
                .await?;
        }
        UserEvent::UserPasswordChanged { .. } => {}
        UserEvent::ApiTokenCreated {
            user_id,
            token_id,
            name,
            scope,
            program_id,
        } => {
            sqlx::query(
                "INSERT INTO api_tokens (token_id, user_id, name, scope, program_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind(token_id.0)
            .bind(user_id.0)
            .bind(name)
            .bind(scope.wire_name())
            .bind(program_id.map(|p| p.0))
            .bind(at)
            .execute(&mut *db)
            .await?;
        }
        UserEvent::ApiTokenRevoked { token_id, .. } => {
            sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE token_id = $1")
                .bind(token_id.0)
                .bind(at)
                .execute(&mut *db)
                .await?;
        }
    }
    Ok(())
}
