//! Which of the browser's two apps a page belongs to. The server serves the administration
//! app's page for these paths and the program app's for every other; each app hands a path of
//! the other back to the server. One predicate for both sides, so they can never disagree (which
//! would send a page back and forth for ever).

/// Where the administration app is served from (its page and its files).
pub const ADMIN_DIR: &str = "admin";

/// Whether `path` (a URL's path, without query) is a page of the administration app: the
/// account, the users, or a program's members, projects, audit trail, what changed, briefings,
/// plan files, objectives' editing or governance setup.
pub fn is_admin_path(path: &str) -> bool {
    if matches!(path, "/account" | "/admin/users") {
        return true;
    }
    let mut segments = path.split('/');
    let parts: [Option<&str>; 6] = std::array::from_fn(|_| segments.next());
    match parts {
        [
            Some(""),
            Some("programs"),
            Some(id),
            Some("members" | "projects" | "audit" | "changes" | "briefings" | "plan-files"),
            None,
            None,
        ]
        | [
            Some(""),
            Some("programs"),
            Some(id),
            Some("briefings"),
            Some(_),
            None,
        ]
        | [
            Some(""),
            Some("programs"),
            Some(id),
            Some("objectives"),
            Some("edit"),
            None,
        ]
        | [
            Some(""),
            Some("programs"),
            Some(id),
            Some("governance"),
            Some("setup"),
            None,
        ] => !id.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_users_and_members_pages_are_the_administration_apps() {
        for admin in [
            "/account",
            "/admin/users",
            "/programs/6f1c5e0e-8e55-4f0e-9d5c-3a1b2c3d4e5f/members",
            "/programs/6f1c5e0e-8e55-4f0e-9d5c-3a1b2c3d4e5f/projects",
            "/programs/6f1c5e0e-8e55-4f0e-9d5c-3a1b2c3d4e5f/audit",
            "/programs/6f1c5e0e-8e55-4f0e-9d5c-3a1b2c3d4e5f/changes",
            "/programs/6f1c5e0e-8e55-4f0e-9d5c-3a1b2c3d4e5f/briefings",
            "/programs/6f1c5e0e-8e55-4f0e-9d5c-3a1b2c3d4e5f/plan-files",
            "/programs/6f1c5e0e-8e55-4f0e-9d5c-3a1b2c3d4e5f/briefings/3",
            "/programs/6f1c5e0e-8e55-4f0e-9d5c-3a1b2c3d4e5f/objectives/edit",
            "/programs/6f1c5e0e-8e55-4f0e-9d5c-3a1b2c3d4e5f/governance/setup",
        ] {
            assert!(is_admin_path(admin), "{admin}");
        }
        for program in [
            "/",
            "/programs/6f1c5e0e-8e55-4f0e-9d5c-3a1b2c3d4e5f",
            "/programs/6f1c5e0e-8e55-4f0e-9d5c-3a1b2c3d4e5f/raid",
            "/programs//members",
            "/programs/x/members/more",
            "/programs/x/briefings/3/more",
            "/programs/6f1c5e0e-8e55-4f0e-9d5c-3a1b2c3d4e5f/objectives",
            "/programs/x/objectives/edit/more",
            "/programs//objectives/edit",
            "/programs/6f1c5e0e-8e55-4f0e-9d5c-3a1b2c3d4e5f/governance",
            "/programs/x/governance/setup/more",
            "/programs//governance/setup",
            "/account/",
            "/admin",
            "/admin/users/x",
            "/login",
        ] {
            assert!(!is_admin_path(program), "{program}");
        }
    }
}
