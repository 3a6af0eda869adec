//! Test support: each test gets its own freshly created and migrated database, and (for API tests)
//! a real server on a free port, as in Zero To Production.

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::net::SocketAddr;
use throughline_backend::accounts;
use throughline_backend::auth::AuthSettings;
use throughline_backend::configuration::Settings;
use throughline_backend::db;
use throughline_backend::event_store::EventStore;
use throughline_backend::request_context::RequestContext;
use throughline_backend::startup::Application;
use throughline_shared::access::TokenScope;
use throughline_shared::api::CommandAccepted;
use throughline_shared::api::{CreateTokenRequest, CreateUserRequest, MeResponse};
use throughline_shared::ids::MilestoneId;
use throughline_shared::view::ProgramView;
use throughline_shared::{ObjectiveId, ProgramId, ProjectId, UserId};
use uuid::Uuid;

/// Server part of the connection URL; `TEST_DATABASE_SERVER` overrides it.
pub fn database_server() -> String {
    std::env::var("TEST_DATABASE_SERVER")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

/// A new, empty, migrated database; returns its URL and a pool.
pub async fn fresh_database() -> (String, PgPool) {
    let url = format!(
        "{}/throughline_test_{}",
        database_server(),
        Uuid::new_v4().simple()
    );
    db::ensure_database(&url)
        .await
        .expect("create test database");
    let pool = db::connect(&url, 8).await.expect("connect test database");
    db::migrate(&pool).await.expect("migrate test database");
    (url, pool)
}

pub struct TestApp {
    pub address: String,
    pub database_url: String,
    pub pool: PgPool,
    /// Authenticated as the organisation administrator `test-operator` (read-write API token).
    pub client: reqwest::Client,
    /// For setting up users and tokens directly, without HTTP.
    pub store: EventStore,
    /// The secret of `client`'s token.
    pub admin_token: String,
}

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Every test user's password.
pub const PASSWORD: &str = "correct horse battery staple";
/// The administrator every `TestApp` is set up with.
pub const ADMIN: &str = "test-operator";

/// A client that sends `token` as its bearer token on every request.
pub fn bearer_client(token: &str) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

/// A browser-like client: a cookie jar and, once logged in, the CSRF header on every request.
#[derive(Debug)]
pub struct Session {
    pub client: reqwest::Client,
    pub csrf_token: String,
    /// `tl_session=…`, for clients without the jar (the live WebSocket).
    pub cookie: String,
    pub me: MeResponse,
}

impl Session {
    /// A write with the session cookie and its CSRF token, as the browser app sends it.
    pub fn post(&self, url: String) -> reqwest::RequestBuilder {
        self.client
            .post(url)
            .header("x-csrf-token", &self.csrf_token)
    }
}

impl TestApp {
    /// A server on a fresh database.
    pub async fn spawn() -> Self {
        let (url, _) = fresh_database().await;
        Self::spawn_on(&url).await
    }

    /// Another server instance on an existing database (several instances share one log).
    pub async fn spawn_on(database_url: &str) -> Self {
        Self::spawn_with(database_url, AuthSettings::default()).await
    }

    /// A server on a new database with other sign-in and access settings.
    pub async fn spawn_with_auth(auth: AuthSettings) -> Self {
        let (url, _) = fresh_database().await;
        Self::spawn_with(&url, auth).await
    }

    async fn spawn_with(database_url: &str, auth: AuthSettings) -> Self {
        let settings = Settings {
            database_url: database_url.to_string(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            ui_dir: "/nonexistent".into(),
            // Failed sign-ins are answered late on purpose; tests need not wait for it.
            auth: AuthSettings {
                failure_delay: std::time::Duration::from_millis(5),
                ..auth
            },
            pool_size: 8,
            // Tests run the check themselves, with a clock of their choosing.
            escalation_check: std::time::Duration::from_secs(3600),
            metrics_addr: None,
            view_cache_bytes: 256 << 20,
            // Small, so the API tests' as-of reads go through snapshots.
            snapshot_every: 100,
        };
        let app = Application::build(settings)
            .await
            .expect("build application");
        let address = format!("http://127.0.0.1:{}", app.port());
        let pool = app.pool().clone();
        tokio::spawn(app.run_until_stopped());
        let store = EventStore::start(pool.clone());
        let mut app = Self {
            address,
            database_url: database_url.to_string(),
            pool,
            client: reqwest::Client::new(),
            store,
            admin_token: String::new(),
        };
        let admin = app.ensure_user(ADMIN, true).await;
        app.admin_token = app.token_for(admin, TokenScope::ReadWrite, None).await;
        app.client = bearer_client(&app.admin_token);
        app
    }

    /// The live WebSocket, authenticated with one header (e.g. a bearer token or a cookie).
    pub async fn live_with(
        &self,
        header: &'static str,
        value: &str,
    ) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = self.ws_url("/api/live").into_client_request()?;
        request
            .headers_mut()
            .insert(header, value.parse().expect("a valid header value"));
        tokio_tungstenite::connect_async(request)
            .await
            .map(|(ws, _)| ws)
    }

    /// The live WebSocket as the administrator.
    pub async fn live(&self) -> Ws {
        self.live_with("authorization", &format!("Bearer {}", self.admin_token))
            .await
            .expect("open the live socket")
    }

    /// The user named `username` (created with `PASSWORD` if new).
    pub async fn ensure_user(&self, username: &str, admin: bool) -> UserId {
        let user_id = accounts::user_id_for(username);
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM events WHERE stream_id = $1)")
                .bind(user_id.0)
                .fetch_one(&self.pool)
                .await
                .unwrap();
        if !exists {
            let request = CreateUserRequest {
                username: username.into(),
                display_name: format!("{username} (test)"),
                password: PASSWORD.into(),
                admin,
            };
            accounts::create_user(&self.store, &RequestContext::system("test-setup"), request)
                .await
                .expect("create test user");
        }
        user_id
    }

    /// A new API token of `user`; returns its secret.
    pub async fn token_for(
        &self,
        user: UserId,
        scope: TokenScope,
        program_id: Option<ProgramId>,
    ) -> String {
        let request = CreateTokenRequest {
            name: "test token".into(),
            scope,
            program_id,
        };
        accounts::create_token(
            &self.store,
            &RequestContext::system("test-setup"),
            user,
            request,
        )
        .await
        .expect("create test token")
        .secret
    }

    /// A client acting as a new (or existing) non-admin user through a read-write token.
    pub async fn client_as(&self, username: &str) -> (UserId, reqwest::Client) {
        let user = self.ensure_user(username, false).await;
        let token = self.token_for(user, TokenScope::ReadWrite, None).await;
        (user, bearer_client(&token))
    }

    /// Grants `role` in `program` to `user` through the API, as the administrator.
    pub async fn grant(
        &self,
        program: ProgramId,
        user: UserId,
        role: &str,
        project: Option<ProjectId>,
    ) {
        let res = self
            .post(
                &format!("/api/programs/{program}/members"),
                &json!({"user_id": user, "role": role, "project_id": project}),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
    }

    /// Logs in through the API like a browser does.
    pub async fn login(&self, username: &str, password: &str) -> Result<Session, Response> {
        let jar = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let res = jar
            .post(self.url("/api/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        if res.status() != StatusCode::OK {
            return Err(res);
        }
        let cookie = res.headers()[reqwest::header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let me: MeResponse = res.json().await.unwrap();
        let csrf_token = me.csrf_token.clone().expect("a session has a CSRF token");
        Ok(Session {
            client: jar,
            csrf_token,
            cookie,
            me,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn ws_url(&self, path: &str) -> String {
        format!("{}{}", self.address.replacen("http", "ws", 1), path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn put(&self, path: &str, body: &Value) -> Response {
        self.client
            .put(self.url(path))
            .json(body)
            .send()
            .await
            .expect("PUT")
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Response {
        self.client
            .patch(self.url(path))
            .json(body)
            .send()
            .await
            .expect("PATCH")
    }

    pub async fn create_program(&self, name: &str) -> ProgramId {
        let res = self
            .post(
                "/api/programs",
                &json!({"name": name, "sponsor": "Dana Sponsor", "description": "test program",
                        "objectives": [{"title": "Retire the mainframe", "kpi": "MIPS", "target_value": "0",
                                        "target_date": "2027-06-30"}]}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json::<CommandAccepted>().await.unwrap().program_id
    }

    pub async fn add_project(&self, program: ProgramId, name: &str) -> ProjectId {
        self.add_project_with(program, name, &[]).await
    }

    /// Adds a project contributing to `objectives`.
    pub async fn add_project_with(
        &self,
        program: ProgramId,
        name: &str,
        objectives: &[ObjectiveId],
    ) -> ProjectId {
        let res = self
            .post(
                &format!("/api/programs/{program}/projects"),
                &json!({"name": name, "manager": "Lee Manager", "objectives": objectives}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json::<CommandAccepted>()
            .await
            .unwrap()
            .project_id
            .unwrap()
    }

    /// Adds a milestone planned for `planned` (YYYY-MM-DD) to a project; returns its id.
    pub async fn add_milestone(
        &self,
        program: ProgramId,
        project: ProjectId,
        name: &str,
        planned: &str,
    ) -> MilestoneId {
        let res = self
            .post(
                &format!("/api/programs/{program}/milestones"),
                &json!({"project_id": project, "name": name, "owner": format!("{name} owner"),
                        "planned": planned}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "adding milestone {name}");
        MilestoneId::from_uuid(res.json::<CommandAccepted>().await.unwrap().stream_id)
    }

    /// Proposes `consumer` needs `provider` (finish-to-start, plus `extra` fields).
    pub async fn propose(
        &self,
        program: ProgramId,
        provider: MilestoneId,
        consumer: MilestoneId,
        extra: Value,
    ) -> Response {
        let mut body = json!({"provider": provider, "consumer": consumer});
        if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
            body.extend(extra);
        }
        self.post(&format!("/api/programs/{program}/dependencies"), &body)
            .await
    }

    /// The log's last position.
    pub async fn head(&self) -> i64 {
        sqlx::query_scalar("SELECT position FROM log_head")
            .fetch_one(&self.pool)
            .await
            .expect("log head")
    }

    /// The program as the API shows it now.
    pub async fn view(&self, program: ProgramId) -> ProgramView {
        let res = self.get(&format!("/api/programs/{program}")).await;
        assert_eq!(res.status(), StatusCode::OK, "reading program {program}");
        res.json().await.expect("a program view")
    }

    /// The program as it stood at log position `position`.
    pub async fn view_at(&self, program: ProgramId, position: i64) -> ProgramView {
        let res = self
            .get(&format!("/api/programs/{program}?as_of={position}"))
            .await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "reading program {program} as of {position}"
        );
        res.json().await.expect("a program view")
    }

    pub async fn report_status(
        &self,
        program: ProgramId,
        project: ProjectId,
        rag: &str,
        narrative: &str,
    ) -> Response {
        self.post(
            &format!("/api/programs/{program}/projects/{project}/status"),
            &json!({"rag": rag, "narrative": narrative}),
        )
        .await
    }
}

/// Asserts the standard error body and returns it.
pub async fn assert_error(res: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(res.status(), status, "unexpected status");
    let body: Value = res.json().await.expect("error body is JSON");
    assert_eq!(body["error"]["code"], code, "unexpected error body {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    body
}

/// Waits until the `program_views` projection has folded everything up to the log head.
pub async fn wait_for_projection(pool: &sqlx::PgPool) {
    let head: i64 = sqlx::query_scalar("SELECT position FROM log_head")
        .fetch_one(pool)
        .await
        .unwrap();
    for _ in 0..200 {
        let at: Option<i64> =
            sqlx::query_scalar("SELECT position FROM projection_checkpoints WHERE name = $1")
                .bind(throughline_backend::projection::PROGRAM_VIEWS)
                .fetch_optional(pool)
                .await
                .unwrap();
        if at == Some(head) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the projection did not reach position {head}");
}
