//! Who is signed in, shared by every page: the UI shows only the controls the server would allow
//! (the server still checks every request).

use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::ProgramId;
use throughline_shared::access::{ProgramAccess, ProgramAction};
use throughline_shared::api::MeResponse;

use crate::api;

#[derive(Clone, Debug, PartialEq)]
pub enum AuthState {
    /// Asking the server whether the browser has a session.
    Checking,
    SignedOut {
        /// Why, when it was not the user's own choice (e.g. the session expired).
        notice: Option<String>,
    },
    SignedIn(MeResponse),
}

#[derive(Clone, Copy)]
pub struct Auth(pub RwSignal<AuthState>);

impl Auth {
    pub fn me(self) -> Option<MeResponse> {
        self.0.with(|s| match s {
            AuthState::SignedIn(me) => Some(me.clone()),
            _ => None,
        })
    }

    pub fn signed_in(self, me: MeResponse) {
        api::set_csrf_token(me.csrf_token.clone());
        self.0.set(AuthState::SignedIn(me));
    }

    pub fn signed_out(self, notice: Option<String>) {
        api::set_csrf_token(None);
        self.0.set(AuthState::SignedOut { notice });
    }

    /// Reloads who the user is and what they belong to (after a role change, say).
    pub fn refresh(self) {
        spawn_local(async move {
            if let Ok(me) = api::me().await {
                self.signed_in(me);
            }
        });
    }

    /// Whether the server lets the signed-in user start programs.
    pub fn can_create_programs(self) -> bool {
        self.0
            .with(|s| matches!(s, AuthState::SignedIn(me) if me.can_create_programs))
    }

    pub fn is_admin(self) -> bool {
        self.0
            .with(|s| matches!(s, AuthState::SignedIn(me) if me.user.admin))
    }

    /// The signed-in user's rights in one program.
    pub fn access(self, program_id: ProgramId) -> ProgramAccess {
        self.0.with(|s| match s {
            AuthState::SignedIn(me) => me.access(program_id),
            _ => ProgramAccess::default(),
        })
    }

    pub fn can(self, program_id: ProgramId, action: ProgramAction) -> bool {
        self.access(program_id).can(action)
    }
}

/// Creates the shared state, asks the server who we are, and signs out on any 401.
pub fn provide_auth() -> Auth {
    let auth = Auth(RwSignal::new(AuthState::Checking));
    provide_context(auth);
    api::on_unauthenticated(move || {
        if matches!(auth.0.get_untracked(), AuthState::SignedIn(_)) {
            auth.signed_out(Some("Your session has ended. Please sign in again.".into()));
        }
    });
    spawn_local(async move {
        match api::me().await {
            Ok(me) => auth.signed_in(me),
            Err(e) if e.status == 401 => auth.signed_out(None),
            Err(e) => auth.signed_out(Some(e.message)),
        }
    });
    auth
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}
