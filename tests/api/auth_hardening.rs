//! Hardening of identity: sign-out ends live sockets at once, origins are compared by scheme, host
//! and port (forwarded headers only from a trusted proxy), a locked name still lets in the user's
//! own browsers (device cookies), the user directory and program creation need standing, every
//! 429 says when to retry, and a password change can revoke the account's API tokens.

use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use throughline_backend::auth::{AuthSettings, ProgramCreators};
use throughline_shared::access::TokenScope;
use throughline_tests::{
    ADMIN, PASSWORD, Session, TestApp, assert_error, bearer_client, fresh_database,
};
use tokio_tungstenite::tungstenite::Message;

/// Like `TestApp::spawn`, with other auth settings.
async fn spawn_with(auth: AuthSettings) -> TestApp {
    TestApp::spawn_with_auth(auth).await
}

fn jar() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

async fn sign_in(
    app: &TestApp,
    client: &reqwest::Client,
    username: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(app.url("/api/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

/// The `Retry-After` of a 429, which must be there and a positive number of seconds.
fn retry_after(res: &reqwest::Response) -> u64 {
    let seconds: u64 = res
        .headers()
        .get("retry-after")
        .expect("a 429 without Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds");
    assert!(seconds > 0);
    seconds
}

async fn subscribed_live(app: &TestApp, session: &Session) -> throughline_tests::Ws {
    let mut ws = app
        .live_with("cookie", &session.cookie)
        .await
        .expect("open the live socket with the session cookie");
    ws.send(Message::text(
        r#"{"type":"subscribe","program_id":null,"after":0}"#,
    ))
    .await
    .unwrap();
    // The catch-up frame (after any heartbeat ping): the session is running.
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("no live answer within 5 s");
        match frame {
            Some(Ok(Message::Text(_))) => return ws,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("unexpected live frame {other:?}"),
        }
    }
}

/// Whether the socket ends (close frame, end of stream or error) within `within`.
async fn closes_within(ws: &mut throughline_tests::Ws, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return false,
            Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
            Ok(Some(Ok(_))) => {}
        }
    }
}

#[tokio::test]
async fn signing_out_closes_that_sessions_live_sockets_at_once() {
    let app = TestApp::spawn().await;
    app.create_program("Watched").await;
    let leaving = app.login(ADMIN, PASSWORD).await.unwrap();
    let staying = app.login(ADMIN, PASSWORD).await.unwrap();
    let mut leaving_ws = subscribed_live(&app, &leaving).await;
    let mut staying_ws = subscribed_live(&app, &staying).await;

    let res = leaving
        .post(app.url("/api/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(
        closes_within(&mut leaving_ws, Duration::from_secs(2)).await,
        "the signed-out session's socket stayed open"
    );
    // Another session of the same user is not affected.
    assert!(!closes_within(&mut staying_ws, Duration::from_millis(300)).await);

    // A password change ends every session, and so their sockets.
    let res = staying
        .post(app.url("/api/me/password"))
        .json(&json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(closes_within(&mut staying_ws, Duration::from_secs(2)).await);
}

#[tokio::test]
async fn a_foreign_origin_is_refused_even_with_matching_forwarded_headers() {
    let app = TestApp::spawn().await;
    let session = app.login(ADMIN, PASSWORD).await.unwrap();
    let body = json!({"name": "Cross-site", "sponsor": "S"});
    for (name, value) in [
        ("x-forwarded-host", "evil.example"),
        ("forwarded", "host=evil.example;proto=https"),
    ] {
        let res = session
            .post(app.url("/api/programs"))
            .header("origin", "https://evil.example")
            .header(name, value)
            .header("x-forwarded-proto", "https")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_error(res, StatusCode::FORBIDDEN, "origin_refused").await;
    }
    // Nor the live socket's handshake.
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = app.ws_url("/api/live").into_client_request().unwrap();
    for (name, value) in [
        ("cookie", session.cookie.as_str()),
        ("origin", "http://evil.example"),
        ("x-forwarded-host", "evil.example"),
    ] {
        request.headers_mut().insert(name, value.parse().unwrap());
    }
    assert!(tokio_tungstenite::connect_async(request).await.is_err());
}

#[tokio::test]
async fn an_origin_of_another_scheme_or_port_is_refused() {
    let app = TestApp::spawn().await;
    let session = app.login(ADMIN, PASSWORD).await.unwrap();
    let ours = app.address.clone();
    let port: u16 = ours.rsplit(':').next().unwrap().parse().unwrap();
    for (origin, allowed) in [
        (ours.replacen("http://", "https://", 1), false),
        (format!("http://127.0.0.1:{}", port.wrapping_add(1)), false),
        ("null".to_string(), false),
        (ours.clone(), true),
    ] {
        let res = session
            .post(app.url("/api/programs"))
            .header("origin", &origin)
            .json(&json!({"name": format!("From {origin}"), "sponsor": "S"}))
            .send()
            .await
            .unwrap();
        if allowed {
            assert_eq!(res.status(), StatusCode::CREATED, "{origin}");
        } else {
            assert_error(res, StatusCode::FORBIDDEN, "origin_refused").await;
        }
    }
}

#[tokio::test]
async fn forwarded_headers_count_only_from_the_trusted_proxy() {
    let app = spawn_with(AuthSettings {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..AuthSettings::default()
    })
    .await;
    // Through the proxy (this test's client connects from 127.0.0.1): the page was served as
    // https://app.example, so that is the origin it sends.
    let res = reqwest::Client::new()
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-host", "app.example")
        .header("x-forwarded-proto", "https")
        .json(&json!({"username": ADMIN, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("Secure"),
        "https behind the proxy: {cookie}"
    );
    let session = app.login(ADMIN, PASSWORD).await.unwrap();
    let write = |proto: &'static str| {
        session
            .post(app.url("/api/programs"))
            .header("origin", "https://app.example")
            .header("x-forwarded-host", "app.example")
            .header("x-forwarded-proto", proto)
            .json(&json!({"name": format!("Via {proto}"), "sponsor": "S"}))
            .send()
    };
    assert_eq!(write("https").await.unwrap().status(), StatusCode::CREATED);
    // The proxy says the client came over plain http: another origin than the page's.
    assert_error(
        write("http").await.unwrap(),
        StatusCode::FORBIDDEN,
        "origin_refused",
    )
    .await;
}

#[tokio::test]
async fn a_locked_name_still_lets_in_a_browser_that_signed_in_before() {
    let app = TestApp::spawn().await;
    let trusted = jar();
    let res = sign_in(&app, &trusted, ADMIN, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let device = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|c| c.to_str().ok())
        .find(|c| c.starts_with("tl_device="))
        .expect("a device cookie")
        .to_string();
    for flag in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/auth/login",
        "Max-Age=",
    ] {
        assert!(
            device.contains(flag),
            "device cookie lacks {flag}: {device}"
        );
    }
    // Only its hash is stored.
    let token = device
        .trim_start_matches("tl_device=")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (hashed, raw): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM trusted_devices WHERE token_hash = sha256(convert_to($1, 'UTF8'))), \
                (SELECT count(*) FROM trusted_devices WHERE encode(token_hash, 'escape') LIKE '%' || $1 || '%')",
    )
    .bind(&token)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((hashed, raw), (1, 0));

    // Someone guesses from elsewhere and locks the name for untrusted clients.
    for _ in 0..5 {
        let res = sign_in(&app, &jar(), ADMIN, "not the password at all").await;
        assert_error(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
    let res = sign_in(&app, &jar(), ADMIN, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let seconds = retry_after(&res);
    assert!(seconds <= 15 * 60, "{seconds}");
    let body = assert_error(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    assert_eq!(
        body["error"]["details"]["retry_after_seconds"].as_u64(),
        Some(seconds)
    );

    // The administrator's own browser still gets in, and the lock stays for everyone else.
    let res = sign_in(&app, &trusted, ADMIN, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = sign_in(&app, &jar(), ADMIN, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    retry_after(&res);

    // A device cookie is good for the user it was issued to only.
    app.ensure_user("dana", false).await;
    for _ in 0..5 {
        let _ = sign_in(&app, &jar(), "dana", "not the password at all").await;
    }
    let res = sign_in(&app, &trusted, "dana", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_trusted_browsers_failures_count_against_it_not_the_name() {
    let app = TestApp::spawn().await;
    app.ensure_user("dana", false).await;
    let trusted = jar();
    assert_eq!(
        sign_in(&app, &trusted, "dana", PASSWORD).await.status(),
        StatusCode::OK
    );
    for _ in 0..5 {
        let res = sign_in(&app, &trusted, "dana", "a wrong password, again").await;
        assert_error(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
    // That browser is locked now, even with the right password...
    let res = sign_in(&app, &trusted, "dana", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    retry_after(&res);
    // ... but the name is not: a fresh client gets in.
    assert_eq!(
        sign_in(&app, &jar(), "dana", PASSWORD).await.status(),
        StatusCode::OK
    );
    let name_failures: Option<i32> =
        sqlx::query_scalar("SELECT failures FROM login_failures WHERE username = 'dana'")
            .fetch_optional(&app.pool)
            .await
            .unwrap();
    assert_eq!(name_failures, None);
}

#[tokio::test]
async fn the_user_directory_needs_a_role_in_some_program() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Directory").await;
    let outsider = app.ensure_user("outsider", false).await;
    let session = app.login("outsider", PASSWORD).await.unwrap();
    let res = session
        .client
        .get(app.url("/api/users"))
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let (_, token_client) = app.client_as("outsider").await;
    let res = token_client
        .get(app.url("/api/users"))
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;

    app.grant(program, outsider, "viewer", None).await;
    let res = session
        .client
        .get(app.url("/api/users"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let users: Vec<Value> = res.json().await.unwrap();
    assert!(users.iter().any(|u| u["username"] == ADMIN));
    // Administrators without any role see it too.
    assert_eq!(app.get("/api/users").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn program_creation_is_for_everyone_by_default_or_administrators_only() {
    let body = json!({"name": "Mine", "sponsor": "S"});
    let everyone = TestApp::spawn().await;
    let (_, dana) = everyone.client_as("dana").await;
    let res = dana
        .post(everyone.url("/api/programs"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);

    let admins = spawn_with(AuthSettings {
        program_creators: ProgramCreators::Admins,
        ..AuthSettings::default()
    })
    .await;
    let (_, dana) = admins.client_as("dana").await;
    let res = dana
        .post(admins.url("/api/programs"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(
        admins.post("/api/programs", &body).await.status(),
        StatusCode::CREATED
    );
    // The UI is told, so it offers "New program" only to those the server would let.
    let may = |client: reqwest::Client, app: String| async move {
        let me: serde_json::Value = client
            .get(format!("{app}/api/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        me["can_create_programs"].as_bool()
    };
    assert_eq!(may(dana, admins.address.clone()).await, Some(false));
    assert_eq!(
        may(admins.client.clone(), admins.address.clone()).await,
        Some(true)
    );
    let (_, dana) = everyone.client_as("dana").await;
    assert_eq!(may(dana, everyone.address.clone()).await, Some(true));
}

#[tokio::test]
async fn guessing_the_current_password_is_throttled_with_retry_after() {
    let app = TestApp::spawn().await;
    app.ensure_user("dana", false).await;
    let session = app.login("dana", PASSWORD).await.unwrap();
    let change = |current: &str| {
        session
            .post(app.url("/api/me/password"))
            .json(&json!({"current_password": current, "new_password": "a brand new passphrase"}))
            .send()
    };
    for _ in 0..5 {
        let res = change("not my password at all").await.unwrap();
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    }
    let res = change(PASSWORD).await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let seconds = retry_after(&res);
    assert!(seconds > 60 && seconds <= 15 * 60, "{seconds}");
}

#[tokio::test]
async fn a_password_change_can_revoke_every_api_token() {
    let app = TestApp::spawn().await;
    let dana = app.ensure_user("dana", false).await;
    let kept = app.token_for(dana, TokenScope::ReadWrite, None).await;

    // By default the tokens stay.
    let session = app.login("dana", PASSWORD).await.unwrap();
    let res = session
        .post(app.url("/api/me/password"))
        .json(&json!({"current_password": PASSWORD, "new_password": "second passphrase here"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let me = |token: &str| bearer_client(token).get(app.url("/api/me")).send();
    assert_eq!(me(&kept).await.unwrap().status(), StatusCode::OK);

    let second = app.token_for(dana, TokenScope::ReadOnly, None).await;
    let session = app.login("dana", "second passphrase here").await.unwrap();
    let res = session
        .post(app.url("/api/me/password"))
        .json(&json!({"current_password": "second passphrase here",
                      "new_password": "third passphrase here", "revoke_tokens": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    for token in [&kept, &second] {
        let res = me(token).await.unwrap();
        assert_error(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    }
    // Each revocation is an event in the log, by dana.
    let actors: Vec<String> = sqlx::query_scalar(
        "SELECT metadata->>'actor' FROM events WHERE event_type = 'ApiTokenRevoked' ORDER BY position",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(actors, ["dana", "dana"]);
    assert!(app.login("dana", "third passphrase here").await.is_ok());
}

#[tokio::test]
async fn sign_outs_on_other_instances_reach_this_ones_sockets_through_the_relay() {
    use throughline_backend::auth::session;
    let (_, pool) = fresh_database().await;
    tokio::spawn(session::relay_sign_outs(pool.clone()));
    let mut ended = session::ended_sessions();
    let hash = uuid::Uuid::new_v4().as_bytes().to_vec();
    // Another instance's `NOTIFY`, once the relay listens.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(session::SIGN_OUT_CHANNEL)
            .bind(format!("{},{}", hex::encode([0u8; 32]), hex::encode(&hash)))
            .execute(&pool)
            .await
            .unwrap();
        let heard = tokio::time::timeout(Duration::from_millis(200), async {
            loop {
                match ended.recv().await {
                    Ok(h) if h[..] == hash[..] => return true,
                    Ok(_) => {}
                    Err(_) => return false,
                }
            }
        })
        .await;
        if heard == Ok(true) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the relay never passed the sign-out on"
        );
    }
}
