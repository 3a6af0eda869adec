//! Test support: each test gets its own freshly created and migrated database, and (for API tests)
//! a real server on a free port, as in Zero To Production.

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::net::SocketAddr;
use throughline_backend::configuration::Settings;
use throughline_backend::db;
use throughline_backend::startup::Application;
use throughline_shared::api::CommandAccepted;
use throughline_shared::{ProgramId, ProjectId};
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
    pub client: reqwest::Client,
}

impl TestApp {
    /// A server on a fresh database.
    pub async fn spawn() -> Self {
        let (url, _) = fresh_database().await;
        Self::spawn_on(&url).await
    }

    /// Another server instance on an existing database (several instances share one log).
    pub async fn spawn_on(database_url: &str) -> Self {
        let settings = Settings {
            database_url: database_url.to_string(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            ui_dir: "/nonexistent".into(),
            operator: "test-operator".into(),
            pool_size: 8,
        };
        let app = Application::build(settings)
            .await
            .expect("build application");
        let address = format!("http://127.0.0.1:{}", app.port());
        let pool = app.pool().clone();
        tokio::spawn(app.run_until_stopped());
        Self {
            address,
            database_url: database_url.to_string(),
            pool,
            client: reqwest::Client::new(),
        }
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
        let res = self
            .post(
                &format!("/api/programs/{program}/projects"),
                &json!({"name": name, "manager": "Lee Manager"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json::<CommandAccepted>()
            .await
            .unwrap()
            .project_id
            .unwrap()
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
