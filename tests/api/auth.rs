//! Identity: login, sessions (cookie flags, CSRF, expiry, logout), throttling, API tokens,
//! deactivation, and that every event names the real person or token behind it.

use reqwest::StatusCode;
use serde_json::{Value, json};
use throughline_shared::access::TokenScope;
use throughline_tests::{ADMIN, PASSWORD, TestApp, assert_error, bearer_client};

async fn count_events(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn every_api_call_needs_a_session_or_a_token() {
    let app = TestApp::spawn().await;
    let anonymous = reqwest::Client::new();
    for path in [
        "/api/programs",
        "/api/events",
        "/api/me",
        "/api/users",
        "/api/verify",
        "/api/nope",
    ] {
        let res = anonymous.get(app.url(path)).send().await.unwrap();
        assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
    let before = count_events(&app).await;
    let res = anonymous
        .post(app.url("/api/programs"))
        .json(&json!({"name": "P", "sponsor": "S"}))
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    assert_eq!(count_events(&app).await, before);
    // Health and the API description stay public.
    for path in ["/api/health", "/api/openapi.json"] {
        assert_eq!(
            anonymous.get(app.url(path)).send().await.unwrap().status(),
            StatusCode::OK
        );
    }
    let res = bearer_client("tl_not-a-real-token")
        .get(app.url("/api/programs"))
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
}

#[tokio::test]
async fn login_sets_a_protected_cookie_and_writes_need_the_csrf_token() {
    let app = TestApp::spawn().await;
    let res = reqwest::Client::new()
        .post(app.url("/api/auth/login"))
        .json(&json!({"username": "Test-Operator", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("tl_session="), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
        assert!(cookie.contains(flag), "cookie lacks {flag}: {cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP must not set Secure: {cookie}"
    );

    let session = app.login(ADMIN, PASSWORD).await.unwrap();
    assert_eq!(session.me.user.username, ADMIN);
    assert!(session.me.user.admin);
    let me: Value = session
        .client
        .get(app.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["csrf_token"], session.csrf_token.as_str());

    let before = count_events(&app).await;
    let body = json!({"name": "Cookie program", "sponsor": "S"});
    let res = session
        .client
        .post(app.url("/api/programs"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "csrf_failed").await;
    let res = session
        .client
        .post(app.url("/api/programs"))
        .header("x-csrf-token", "0".repeat(64))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "csrf_failed").await;
    // A page of another site cannot ride the cookie even with the token.
    let res = session
        .post(app.url("/api/programs"))
        .header("origin", "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "origin_refused").await;
    assert_eq!(
        count_events(&app).await,
        before,
        "a refused write changed something"
    );

    let res = session
        .post(app.url("/api/programs"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn wrong_passwords_and_unknown_names_get_the_same_answer_then_a_lockout() {
    let app = TestApp::spawn().await;
    let wrong = app
        .login(ADMIN, "not the password at all")
        .await
        .unwrap_err();
    let wrong = assert_error(wrong, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let unknown = app
        .login("nobody-here", "not the password at all")
        .await
        .unwrap_err();
    let unknown = assert_error(unknown, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    assert_eq!(wrong, unknown, "the answer tells whether the user exists");

    // Five failures in a row lock the name, even for the right password, and an unknown name
    // locks the same way (so a lockout reveals nothing either).
    for name in [ADMIN, "nobody-here"] {
        for _ in 0..4 {
            let _ = app
                .login(name, "still wrong, still wrong")
                .await
                .unwrap_err();
        }
        let locked = app.login(name, PASSWORD).await.unwrap_err();
        let body = assert_error(locked, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
        assert!(
            body["error"]["details"]["retry_after_seconds"]
                .as_i64()
                .unwrap()
                > 0
        );
    }
    // Other names are unaffected; when the lock expires, the right password works again.
    app.ensure_user("dana", false).await;
    assert!(app.login("dana", PASSWORD).await.is_ok());
    sqlx::query("UPDATE login_failures SET locked_until = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(app.login(ADMIN, PASSWORD).await.is_ok());
}

#[tokio::test]
async fn sessions_end_on_expiry_idleness_and_logout() {
    let app = TestApp::spawn().await;
    let expired = app.login(ADMIN, PASSWORD).await.unwrap();
    let idle = app.login(ADMIN, PASSWORD).await.unwrap();
    let active = app.login(ADMIN, PASSWORD).await.unwrap();
    // Sessions are stored by hash; age them directly.
    let ids: Vec<Vec<u8>> = sqlx::query_scalar("SELECT id_hash FROM sessions ORDER BY created_at")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(ids.len(), 3);
    sqlx::query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id_hash = $1")
        .bind(&ids[0])
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE sessions SET last_seen_at = now() - interval '3 hours' WHERE id_hash = $1")
        .bind(&ids[1])
        .execute(&app.pool)
        .await
        .unwrap();
    for session in [&expired, &idle] {
        let res = session.client.get(app.url("/api/me")).send().await.unwrap();
        assert_error(res, StatusCode::UNAUTHORIZED, "session_expired").await;
    }
    assert_eq!(
        active
            .client
            .get(app.url("/api/me"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    // Logout needs the CSRF token too, then the cookie is worthless.
    let res = active
        .client
        .post(app.url("/api/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "csrf_failed").await;
    let res = active
        .post(app.url("/api/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = active.client.get(app.url("/api/me")).send().await.unwrap();
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn tokens_are_shown_once_scoped_tracked_and_revocable() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Tokens").await;
    let other = app.create_program("Other").await;
    let session = app.login(ADMIN, PASSWORD).await.unwrap();
    let create = |body: Value| session.post(app.url("/api/tokens")).json(&body).send();
    let created: Value =
        create(json!({"name": "Reporting script", "scope": "read_only", "program_id": program}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("tl_") && secret.len() > 60);
    let token_id = created["token"]["token_id"].as_str().unwrap().to_string();
    // Only its hash is stored, and the log never sees it.
    let (hashed, in_log): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM api_token_secrets WHERE secret_hash = sha256(convert_to($1, 'UTF8'))), \
                (SELECT count(*) FROM events WHERE payload::text LIKE '%' || $1 || '%' \
                                                OR metadata::text LIKE '%' || $1 || '%')",
    )
    .bind(&secret)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((hashed, in_log), (1, 0));

    let token = bearer_client(&secret);
    assert_eq!(
        token
            .get(app.url(&format!("/api/programs/{program}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let res = token
        .get(app.url(&format!("/api/programs/{other}")))
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = token
        .patch(app.url(&format!("/api/programs/{program}")))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    // Nor list the organisation's users.
    let res = token.get(app.url("/api/users")).send().await.unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    // A token cannot mint tokens.
    let res = token
        .post(app.url("/api/tokens"))
        .json(&json!({"name": "n", "scope": "read_write"}))
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;

    let listed: Value = session
        .client
        .get(app.url("/api/tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["token_id"] == token_id.as_str())
        .unwrap();
    assert!(
        entry["last_used_at"].is_string(),
        "last use not recorded: {entry}"
    );
    assert!(entry.get("secret").is_none());

    let res = session
        .post(app.url(&format!("/api/tokens/{token_id}/revoke")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = token
        .get(app.url(&format!("/api/programs/{program}")))
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let res = session
        .post(app.url(&format!("/api/tokens/{token_id}/revoke")))
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "nothing_to_change").await;
}

#[tokio::test]
async fn deactivation_ends_sessions_and_tokens_and_blocks_login() {
    let app = TestApp::spawn().await;
    let (dana, token_client) = app.client_as("dana").await;
    let session = app.login("dana", PASSWORD).await.unwrap();
    assert_eq!(
        token_client
            .get(app.url("/api/me"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    let res = app
        .post(
            &format!("/api/users/{dana}/deactivate"),
            &json!({"reason": "left the company"}),
        )
        .await;
    // The administrator's client is a token: user administration needs a session.
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let admin = app.login(ADMIN, PASSWORD).await.unwrap();
    let res = admin
        .post(app.url(&format!("/api/users/{dana}/deactivate")))
        .json(&json!({"reason": "left the company"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let res = session.client.get(app.url("/api/me")).send().await.unwrap();
    assert_error(res, StatusCode::UNAUTHORIZED, "session_expired").await;
    let res = token_client.get(app.url("/api/me")).send().await.unwrap();
    assert_error(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let res = app.login("dana", PASSWORD).await.unwrap_err();
    assert_error(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;

    // Administrators cannot lock themselves out.
    let me = admin.me.user.user_id;
    let res = admin
        .post(app.url(&format!("/api/users/{me}/deactivate")))
        .send()
        .await
        .unwrap();
    assert_error(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "cannot_deactivate_self",
    )
    .await;

    // The deactivation is in the log with who did it and why.
    let (actor, reason): (String, String) = sqlx::query_as(
        "SELECT metadata->>'actor', metadata->>'reason' FROM events WHERE event_type = 'UserDeactivated'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (actor.as_str(), reason.as_str()),
        (ADMIN, "left the company")
    );
}

#[tokio::test]
async fn events_name_the_person_and_the_token_behind_them() {
    let app = TestApp::spawn().await;
    let (dana, _) = app.client_as("dana").await;
    let dana_token = app.token_for(dana, TokenScope::ReadWrite, None).await;
    let dana_client = bearer_client(&dana_token);
    let res = dana_client
        .post(app.url("/api/programs"))
        .json(&json!({"name": "Dana's program", "sponsor": "S"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let token_id: uuid::Uuid = sqlx::query_scalar(
        "SELECT token_id FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(dana.0)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let rows: Vec<(String, Value)> = sqlx::query_as(
        "SELECT event_type, metadata FROM events WHERE event_type IN ('ProgramCreated', 'ProgramRoleGranted') ORDER BY position",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["ProgramCreated", "ProgramRoleGranted"]
    );
    for (_, metadata) in &rows {
        assert_eq!(metadata["actor"], "dana");
        assert_eq!(metadata["actor_id"], dana.to_string());
        assert_eq!(metadata["token_id"], token_id.to_string());
    }
    // The creator manages the new program.
    let me: Value = dana_client
        .get(app.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["memberships"][0]["grants"][0]["role"], "program_manager");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_guesses_get_no_more_tries_than_sequential_ones() {
    let app = TestApp::spawn().await;
    let guesses: Vec<_> = (0..24)
        .map(|i| {
            let url = app.url("/api/auth/login");
            tokio::spawn(async move {
                reqwest::Client::new()
                    .post(url)
                    .json(&json!({"username": ADMIN, "password": format!("guess number {i:02}")}))
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let mut checked = 0;
    let mut refused = 0;
    for guess in guesses {
        match guess.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("unexpected {other}"),
        }
    }
    // Every attempt is counted before its password is checked: at most five were checked.
    assert!(checked <= 5, "{checked} guesses were checked");
    assert_eq!(checked + refused, 24);
    let locked = app.login(ADMIN, PASSWORD).await.unwrap_err();
    assert_error(locked, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
}
