//! Account commands: users, passwords and API tokens. Each appends its facts to the user's stream,
//! keeps secrets in their own tables, and returns only once the access read model reflects the
//! change, so a deactivated user or a revoked token is refused by every instance from then on.

use crate::auth::{password, secret, session};
use crate::commands::{CommandError, access_in_force, decide_and_append, load};
use crate::event_store::{EventStore, StoreError};
use crate::request_context::RequestContext;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use throughline_shared::api::{
    CreateTokenRequest, CreateUserRequest, CreatedToken, TokenInfo, UserSummary,
};
use throughline_shared::error::Validator;
use throughline_shared::user::{User, UserCommand, normalize_username, validate_password};
use throughline_shared::{DomainError, RecordedEvent, TokenId, UserId};
use uuid::Uuid;

/// User ids are derived from the (normalised) user name: two concurrent creations of one name
/// then target the same new stream, and the event store lets exactly one of them through.
const USER_NAMESPACE: Uuid = Uuid::from_u128(0x7d0c_58e2_1b9a_4f53_9a8e_3c1f_5b2d_6e01);

pub fn user_id_for(username: &str) -> UserId {
    UserId(Uuid::new_v5(
        &USER_NAMESPACE,
        normalize_username(username).as_bytes(),
    ))
}

fn last_position(events: &[RecordedEvent]) -> i64 {
    events.last().map_or(0, |e| e.position)
}

fn password_errors(field: &str, password: &str) -> Vec<throughline_shared::FieldError> {
    let mut v = Validator::new();
    validate_password(&mut v, field, password);
    match v.finish() {
        Err(DomainError::Invalid(fields)) => fields,
        _ => Vec::new(),
    }
}

pub async fn create_user(
    store: &EventStore,
    ctx: &RequestContext,
    request: CreateUserRequest,
) -> Result<UserSummary, CommandError> {
    let user_id = user_id_for(&request.username);
    let command = UserCommand::Create {
        user_id,
        username: request.username.clone(),
        display_name: request.display_name.clone(),
        admin: request.admin,
    };
    // Every field problem at once, the password's included (it never reaches the domain).
    let mut fields = match User::default().decide(command.clone()) {
        Err(DomainError::Invalid(fields)) => fields,
        _ => Vec::new(),
    };
    fields.extend(password_errors("password", &request.password));
    if !fields.is_empty() {
        return Err(DomainError::Invalid(fields).into());
    }
    let loaded = load::<User>(store, user_id.0).await?;
    let hash = password::hash(request.password).await?;
    let events = decide_and_append(store, ctx, user_id.0, loaded, command, None).await?;
    store_password(store.pool(), user_id, &hash).await?;
    access_in_force(store, last_position(&events)).await?;
    Ok(UserSummary {
        user_id,
        username: normalize_username(&request.username),
        display_name: request.display_name.trim().to_string(),
        admin: request.admin,
        active: true,
    })
}

async fn store_password(pool: &PgPool, user_id: UserId, hash: &str) -> Result<(), CommandError> {
    sqlx::query(
        "INSERT INTO credentials (user_id, password_hash) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, changed_at = now()",
    )
    .bind(user_id.0)
    .bind(hash)
    .execute(pool)
    .await
    .map_err(StoreError::from)?;
    Ok(())
}

async fn existing_user(
    store: &EventStore,
    user_id: UserId,
) -> Result<crate::commands::Loaded<User>, CommandError> {
    let loaded = load::<User>(store, user_id.0).await?;
    if !loaded.state.exists() {
        return Err(DomainError::NotFound(format!("user {user_id}")).into());
    }
    Ok(loaded)
}

/// Deactivating ends the user's sessions at once; their tokens stop working with them.
pub async fn set_active(
    store: &EventStore,
    ctx: &RequestContext,
    user_id: UserId,
    active: bool,
    reason: Option<String>,
) -> Result<(), CommandError> {
    let loaded = existing_user(store, user_id).await?;
    let command = if active {
        UserCommand::Reactivate
    } else {
        UserCommand::Deactivate
    };
    let events = decide_and_append(store, ctx, user_id.0, loaded, command, reason).await?;
    if !active {
        session::delete_all_of(store.pool(), user_id)
            .await
            .map_err(StoreError::from)?;
    }
    access_in_force(store, last_position(&events)).await?;
    Ok(())
}

/// Sets a new password (by an administrator, or by the user after checking the current one) and
/// ends every session of the user.
pub async fn set_password(
    store: &EventStore,
    ctx: &RequestContext,
    user_id: UserId,
    new_password: String,
) -> Result<(), CommandError> {
    let fields = password_errors("new_password", &new_password);
    if !fields.is_empty() {
        return Err(DomainError::Invalid(fields).into());
    }
    let loaded = existing_user(store, user_id).await?;
    let hash = password::hash(new_password).await?;
    decide_and_append(
        store,
        ctx,
        user_id.0,
        loaded,
        UserCommand::ChangePassword,
        None,
    )
    .await?;
    store_password(store.pool(), user_id, &hash).await?;
    session::delete_all_of(store.pool(), user_id)
        .await
        .map_err(StoreError::from)?;
    Ok(())
}

pub async fn create_token(
    store: &EventStore,
    ctx: &RequestContext,
    user_id: UserId,
    request: CreateTokenRequest,
) -> Result<CreatedToken, CommandError> {
    let loaded = existing_user(store, user_id).await?;
    let token_id = TokenId(Uuid::new_v4());
    let secret = secret::new_api_token();
    // The secret's hash goes in first: a token whose event never made it is just an unused row.
    sqlx::query("INSERT INTO api_token_secrets (token_id, secret_hash) VALUES ($1, $2)")
        .bind(token_id.0)
        .bind(secret::lookup_hash(&secret))
        .execute(store.pool())
        .await
        .map_err(StoreError::from)?;
    let command = UserCommand::CreateToken {
        token_id,
        name: request.name,
        scope: request.scope,
        program_id: request.program_id,
    };
    let events = decide_and_append(store, ctx, user_id.0, loaded, command, None).await?;
    access_in_force(store, last_position(&events)).await?;
    let token = list_tokens(store.pool(), user_id)
        .await?
        .into_iter()
        .find(|t| t.token_id == token_id)
        .ok_or_else(|| {
            CommandError::Internal("a created token is missing from the read model".into())
        })?;
    Ok(CreatedToken { token, secret })
}

pub async fn revoke_token(
    store: &EventStore,
    ctx: &RequestContext,
    user_id: UserId,
    token_id: TokenId,
) -> Result<(), CommandError> {
    let loaded = existing_user(store, user_id).await?;
    let events = decide_and_append(
        store,
        ctx,
        user_id.0,
        loaded,
        UserCommand::RevokeToken { token_id },
        None,
    )
    .await?;
    access_in_force(store, last_position(&events)).await?;
    Ok(())
}

/// Revokes every live token of the user, one `ApiTokenRevoked` event each (as if revoked one by
/// one); returns how many. A token revoked meanwhile by someone else is skipped.
pub async fn revoke_all_tokens(
    store: &EventStore,
    ctx: &RequestContext,
    user_id: UserId,
) -> Result<usize, CommandError> {
    let live: Vec<TokenId> = existing_user(store, user_id)
        .await?
        .state
        .tokens
        .iter()
        .filter(|(_, revoked)| !**revoked)
        .map(|(token_id, _)| *token_id)
        .collect();
    let mut revoked = 0;
    for token_id in live {
        match revoke_token(store, ctx, user_id, token_id).await {
            Ok(()) => revoked += 1,
            Err(CommandError::Domain(DomainError::NothingToChange(_))) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(revoked)
}

pub async fn list_tokens(pool: &PgPool, user_id: UserId) -> Result<Vec<TokenInfo>, CommandError> {
    type Row = (
        Uuid,
        String,
        String,
        Option<Uuid>,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT t.token_id, t.name, t.scope, t.program_id, t.created_at, s.last_used_at, t.revoked_at \
         FROM api_tokens t LEFT JOIN api_token_secrets s USING (token_id) \
         WHERE t.user_id = $1 ORDER BY t.created_at DESC",
    )
    .bind(user_id.0)
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)?;
    Ok(rows
        .into_iter()
        .map(
            |(token_id, name, scope, program_id, created_at, last_used_at, revoked_at)| TokenInfo {
                token_id: TokenId(token_id),
                name,
                scope: throughline_shared::access::TokenScope::from_wire_name(&scope)
                    .unwrap_or(throughline_shared::access::TokenScope::ReadOnly),
                program_id: program_id.map(throughline_shared::ProgramId),
                created_at,
                last_used_at,
                revoked_at,
            },
        )
        .collect())
}

pub async fn list_users(pool: &PgPool) -> Result<Vec<UserSummary>, CommandError> {
    let rows: Vec<(Uuid, String, String, bool, bool)> = sqlx::query_as(
        "SELECT user_id, username, display_name, admin, active FROM users ORDER BY username",
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)?;
    Ok(rows
        .into_iter()
        .map(
            |(user_id, username, display_name, admin, active)| UserSummary {
                user_id: UserId(user_id),
                username,
                display_name,
                admin,
                active,
            },
        )
        .collect())
}
