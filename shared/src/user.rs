//! The user aggregate: an account, whether it may log in, and its API tokens.
//!
//! Secrets never enter the log (it can never be edited, and a password hash must be replaceable):
//! the events say *that* a password was set or a token created; the hashes live in their own
//! tables.
//!
//! A user's stream (type `user`, no program) has a UUIDv5 of the normalised user name as its id
//! (the server's `accounts::user_id_for`), so "the stream must not exist yet" on the append is what
//! makes user names unique. Role grants and revocations are program events, on the program's
//! stream, so they appear in its audit trail.

use crate::access::TokenScope;
use crate::error::{DomainError, NAME_MAX, PERSON_MAX, Validator};
use crate::event::AggregateEvent;
use crate::ids::{ProgramId, TokenId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const USERNAME_MIN: usize = 2;
pub const USERNAME_MAX: usize = 64;
pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 256;

/// Facts about a user. Wire names are the variant names and never change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserEvent {
    UserCreated {
        user_id: UserId,
        username: String,
        display_name: String,
        /// Organisation administrator: manages users and may act in every program.
        admin: bool,
    },
    UserDeactivated {
        user_id: UserId,
        username: String,
    },
    UserReactivated {
        user_id: UserId,
        username: String,
    },
    /// The password was set or changed (the hash is kept outside the log).
    UserPasswordChanged {
        user_id: UserId,
    },
    ApiTokenCreated {
        user_id: UserId,
        token_id: TokenId,
        name: String,
        scope: TokenScope,
        /// Limits the token to one program; absent: every program its owner may use.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        program_id: Option<ProgramId>,
    },
    ApiTokenRevoked {
        user_id: UserId,
        token_id: TokenId,
    },
}

impl AggregateEvent for UserEvent {
    const STREAM_TYPE: &'static str = "user";

    fn current_schema_version(_event_type: &str) -> i32 {
        1
    }

    fn program_id(&self) -> Option<ProgramId> {
        None
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct User {
    pub id: Option<UserId>,
    pub username: String,
    pub active: bool,
    /// Token id → revoked?
    pub tokens: BTreeMap<TokenId, bool>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserCommand {
    Create {
        user_id: UserId,
        username: String,
        display_name: String,
        admin: bool,
    },
    Deactivate,
    Reactivate,
    ChangePassword,
    CreateToken {
        token_id: TokenId,
        name: String,
        scope: TokenScope,
        program_id: Option<ProgramId>,
    },
    RevokeToken {
        token_id: TokenId,
    },
}

/// User names are case-insensitive: stored lower-case, letters, digits and `.`, `_`, `-`.
pub fn normalize_username(raw: &str) -> String {
    raw.trim().to_lowercase()
}

pub fn validate_username(v: &mut Validator, field: &str, username: &str) {
    let chars = username.chars().count();
    if !(USERNAME_MIN..=USERNAME_MAX).contains(&chars) {
        v.push(
            field,
            format!("must be {USERNAME_MIN} to {USERNAME_MAX} characters"),
        );
    } else if !username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        v.push(field, "may contain only letters, digits, '.', '_' and '-'");
    }
}

/// The password policy (length only, as NIST SP 800-63B advises; no composition rules).
pub fn validate_password(v: &mut Validator, field: &str, password: &str) {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN {
        v.push(field, format!("must be at least {PASSWORD_MIN} characters"));
    } else if chars > PASSWORD_MAX {
        v.push(field, format!("must be at most {PASSWORD_MAX} characters"));
    }
}

impl User {
    pub fn exists(&self) -> bool {
        self.id.is_some()
    }

    pub fn apply(&mut self, event: &UserEvent) {
        match event {
            UserEvent::UserCreated {
                user_id, username, ..
            } => {
                self.id = Some(*user_id);
                self.username = username.clone();
                self.active = true;
            }
            UserEvent::UserDeactivated { .. } => self.active = false,
            UserEvent::UserReactivated { .. } => self.active = true,
            UserEvent::UserPasswordChanged { .. } => {}
            UserEvent::ApiTokenCreated { token_id, .. } => {
                self.tokens.insert(*token_id, false);
            }
            UserEvent::ApiTokenRevoked { token_id, .. } => {
                self.tokens.insert(*token_id, true);
            }
        }
    }

    pub fn decide(&self, command: UserCommand) -> Result<Vec<UserEvent>, DomainError> {
        if let UserCommand::Create {
            user_id,
            username,
            display_name,
            admin,
        } = command
        {
            let mut v = Validator::new();
            let username = normalize_username(&username);
            validate_username(&mut v, "username", &username);
            let display_name = v.required_text("display_name", &display_name, PERSON_MAX);
            v.finish()?;
            if self.exists() {
                return Err(DomainError::AlreadyExists(format!("user {username}")));
            }
            return Ok(vec![UserEvent::UserCreated {
                user_id,
                username,
                display_name,
                admin,
            }]);
        }
        let Some(user_id) = self.id else {
            return Err(DomainError::NotFound("user".into()));
        };
        let username = self.username.clone();
        match command {
            UserCommand::Create { .. } => Err(DomainError::AlreadyExists(username)),
            UserCommand::Deactivate if !self.active => Err(DomainError::NothingToChange(format!(
                "{username} is already deactivated"
            ))),
            UserCommand::Deactivate => Ok(vec![UserEvent::UserDeactivated { user_id, username }]),
            UserCommand::Reactivate if self.active => Err(DomainError::NothingToChange(format!(
                "{username} is already active"
            ))),
            UserCommand::Reactivate => Ok(vec![UserEvent::UserReactivated { user_id, username }]),
            UserCommand::ChangePassword => Ok(vec![UserEvent::UserPasswordChanged { user_id }]),
            UserCommand::CreateToken {
                token_id,
                name,
                scope,
                program_id,
            } => {
                let mut v = Validator::new();
                let name = v.required_text("name", &name, NAME_MAX);
                v.finish()?;
                if !self.active {
                    return Err(DomainError::NotFound("user".into()));
                }
                Ok(vec![UserEvent::ApiTokenCreated {
                    user_id,
                    token_id,
                    name,
                    scope,
                    program_id,
                }])
            }
            UserCommand::RevokeToken { token_id } => match self.tokens.get(&token_id) {
                None => Err(DomainError::NotFound(format!("token {token_id}"))),
                Some(true) => Err(DomainError::NothingToChange(
                    "the token is already revoked".into(),
                )),
                Some(false) => Ok(vec![UserEvent::ApiTokenRevoked { user_id, token_id }]),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldError;
    use crate::aggregate::given::Given;
    use uuid::Uuid;

    fn uid() -> UserId {
        UserId::from_uuid(Uuid::from_u128(1))
    }

    fn created() -> UserEvent {
        UserEvent::UserCreated {
            user_id: uid(),
            username: "dana".into(),
            display_name: "Dana Whitfield".into(),
            admin: false,
        }
    }

    #[test]
    fn create_normalizes_the_user_name() {
        Given::<User>::events(&[])
            .when(UserCommand::Create {
                user_id: uid(),
                username: "  Dana ".into(),
                display_name: " Dana Whitfield ".into(),
                admin: false,
            })
            .then_events(vec![created()]);
    }

    #[test]
    fn create_rejects_bad_names_and_existing_users() {
        Given::<User>::events(&[])
            .when(UserCommand::Create {
                user_id: uid(),
                username: "dana whitfield".into(),
                display_name: "".into(),
                admin: false,
            })
            .then_error(DomainError::Invalid(vec![
                FieldError::new(
                    "username",
                    "may contain only letters, digits, '.', '_' and '-'",
                ),
                FieldError::new("display_name", "must not be empty"),
            ]));
        Given::<User>::events(&[created()])
            .when(UserCommand::Create {
                user_id: uid(),
                username: "dana".into(),
                display_name: "Dana".into(),
                admin: true,
            })
            .then_error_matches(|e| matches!(e, DomainError::AlreadyExists(_)));
    }

    #[test]
    fn deactivation_and_reactivation_toggle_once() {
        Given::<User>::events(&[created()])
            .when(UserCommand::Deactivate)
            .then_events(vec![UserEvent::UserDeactivated {
                user_id: uid(),
                username: "dana".into(),
            }]);
        let deactivated = Given::<User>::events(&[
            created(),
            UserEvent::UserDeactivated {
                user_id: uid(),
                username: "dana".into(),
            },
        ]);
        deactivated
            .when(UserCommand::Deactivate)
            .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
        deactivated.when(UserCommand::Reactivate).then_accepted();
    }

    #[test]
    fn a_token_is_revoked_once_and_unknown_tokens_are_not_found() {
        let token_id = TokenId::from_uuid(Uuid::from_u128(9));
        let with_token = Given::<User>::events(&[
            created(),
            UserEvent::ApiTokenCreated {
                user_id: uid(),
                token_id,
                name: "CI".into(),
                scope: TokenScope::ReadOnly,
                program_id: None,
            },
        ]);
        let after = with_token
            .when(UserCommand::RevokeToken { token_id })
            .then_events(vec![UserEvent::ApiTokenRevoked {
                user_id: uid(),
                token_id,
            }])
            .state_after();
        after
            .when(UserCommand::RevokeToken { token_id })
            .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
        with_token
            .when(UserCommand::RevokeToken {
                token_id: TokenId::from_uuid(Uuid::nil()),
            })
            .then_error_matches(|e| matches!(e, DomainError::NotFound(_)));
    }

    #[test]
    fn password_policy_is_about_length() {
        let mut v = Validator::new();
        validate_password(&mut v, "password", "short");
        validate_password(&mut v, "password", "correct horse battery");
        assert_eq!(
            v.finish().unwrap_err(),
            DomainError::Invalid(vec![FieldError::new(
                "password",
                "must be at least 12 characters"
            )])
        );
    }
}
