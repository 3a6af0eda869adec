use reqwest::StatusCode;
use serde_json::{Value, json};
use throughline_shared::api::{CommandAccepted, EventPage};
use throughline_shared::view::{ProgramSummary, ProgramView};
use throughline_shared::{DomainEvent, Rag};
use throughline_tests::{TestApp, assert_error};

#[tokio::test]
async fn health_and_openapi_describe_every_endpoint() {
    let app = TestApp::spawn().await;
    let health: Value = app.get("/api/health").await.json().await.unwrap();
    assert_eq!(health["status"], "ok");

    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/health",
        "/api/openapi.json",
        "/api/programs",
        "/api/programs/{program_id}",
        "/api/programs/{program_id}/projects",
        "/api/programs/{program_id}/projects/{project_id}/status",
        "/api/programs/{program_id}/events",
        "/api/events",
        "/api/verify",
        "/api/live",
        "/api/programs/{program_id}/milestones",
        "/api/programs/{program_id}/milestones/{milestone_id}/forecast",
        "/api/programs/{program_id}/dependencies",
        "/api/programs/{program_id}/dependencies/{dependency_id}/{change}",
        "/api/programs/{program_id}/schedule",
        "/api/programs/{program_id}/impact",
    ] {
        assert!(doc["paths"].get(path).is_some(), "OpenAPI lacks {path}");
    }
    for schema in [
        "ProgramView",
        "RecordedEvent",
        "CreateProgramRequest",
        "ErrorResponse",
        "ScheduleAnalysis",
        "SlipPreview",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "OpenAPI lacks {schema}"
        );
    }
}

#[tokio::test]
async fn the_openapi_document_says_what_the_server_does() {
    let app = TestApp::spawn().await;
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let paths = doc["paths"].as_object().unwrap();

    // Query parameters are in the query, and optional where the server takes them so.
    let as_of = doc["paths"]["/api/programs/{program_id}"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "as_of")
        .expect("as_of is documented");
    assert_eq!(as_of["in"], "query");
    assert_eq!(as_of["required"], false);
    let limit = doc["paths"]["/api/events"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(limit["in"], "query");
    assert_eq!(limit["schema"]["minimum"], 1);
    assert_eq!(
        limit["schema"]["maximum"],
        throughline_backend::routes::events::MAX_PAGE
    );

    let mut operations = 0;
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            operations += 1;
            let parameters = operation["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            // Every path parameter is in the path; nothing else claims to be.
            for p in parameters.iter().filter(|p| p["in"] == "path") {
                let name = p["name"].as_str().unwrap();
                assert!(
                    path.contains(&format!("{{{name}}}")),
                    "{method} {path}: `{name}` is no path parameter"
                );
            }
            let responses = operation["responses"].as_object().unwrap();
            let public = operation["security"] == json!([{}]);
            if !public {
                for status in ["401", "403"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} lacks {status}"
                    );
                }
            }
            if !parameters.is_empty() {
                assert!(responses.contains_key("400"), "{method} {path} lacks 400");
            }
            let body = &operation["requestBody"];
            if body["required"] == true && body["content"].get("application/json").is_some() {
                for status in ["400", "413", "415"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} lacks {status}"
                    );
                }
            }
        }
    }
    assert!(operations >= 66, "only {operations} operations documented");

    // Anyone may call these; everything else needs a session or a token.
    for (path, method) in [
        ("/api/health", "get"),
        ("/api/openapi.json", "get"),
        ("/api/auth/login", "post"),
    ] {
        assert_eq!(
            doc["paths"][path][method]["security"],
            json!([{}]),
            "{path}"
        );
    }
    assert_eq!(doc["security"], json!([{"session": []}, {"bearer": []}]));

    // The live stream is a WebSocket.
    let live = &doc["paths"]["/api/live"]["get"];
    assert!(live["responses"].get("101").is_some());
    assert!(live["responses"].get("400").is_some());

    // `details` is any JSON value: an array of field errors, or an object.
    let details = &doc["components"]["schemas"]["ErrorBody"]["properties"]["details"];
    assert!(
        details.get("type").is_none()
            || details["type"]
                .as_array()
                .is_some_and(|t| t.contains(&json!("array")) && t.contains(&json!("object"))),
        "ErrorBody.details must allow an array and an object: {details}"
    );
    let res = app
        .post("/api/programs", &json!({"name": "", "sponsor": "Dana"}))
        .await;
    let error = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(error["error"]["details"].is_array());

    // The limits the server enforces.
    let create = &doc["components"]["schemas"]["CreateProgramRequest"]["properties"];
    assert_eq!(create["name"]["minLength"], 1);
    assert_eq!(
        create["name"]["maxLength"],
        throughline_shared::error::NAME_MAX
    );
    assert_eq!(
        create["description"]["maxLength"],
        throughline_shared::error::TEXT_MAX
    );
    let raise = &doc["components"]["schemas"]["RaiseDecisionRequest"]["properties"];
    assert_eq!(raise["options"]["minItems"], 2);
    let level = &doc["components"]["schemas"]["EscalationLevel"]["properties"];
    assert_eq!(
        level["response_sla_hours"]["maximum"],
        throughline_shared::governance::charter::RESPONSE_SLA_HOURS_MAX
    );
    assert_eq!(
        level["title"]["maxLength"],
        throughline_shared::error::NAME_MAX
    );

    // A documented path with a method it does not have: 405 with what it allows.
    let res = app.post("/api/health", &json!({})).await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.headers()["allow"], "GET");
    assert_error(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    // A body is an object, as documented: not a struct spelled as an array of its fields.
    let program = app.create_program("Documented").await;
    let res = app
        .post(&format!("/api/programs/{program}/baseline"), &json!([]))
        .await;
    assert_error(res, StatusCode::BAD_REQUEST, "invalid_body").await;
    // A plain GET of the WebSocket: the API's JSON error.
    let res = app.get("/api/live").await;
    assert_error(res, StatusCode::BAD_REQUEST, "websocket_handshake_failed").await;
}

#[tokio::test]
async fn a_program_with_projects_and_status_is_readable_now_and_as_of_any_point() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Payments Modernisation").await;
    let gateway = app.add_project(program, "Card gateway").await;
    let ledger = app.add_project(program, "Ledger").await;

    let green = app
        .report_status(program, gateway, "green", "On track")
        .await;
    let green: CommandAccepted = green.json().await.unwrap();
    let res = app
        .report_status(program, gateway, "red", "Vendor slipped 3 weeks")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .report_status(program, ledger, "amber", "Hiring behind")
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // Read right after the writes: always includes them.
    let view: ProgramView = app
        .get(&format!("/api/programs/{program}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view.name, "Payments Modernisation");
    assert_eq!(view.objectives.len(), 1);
    assert_eq!(view.objectives[0].kpi.as_deref(), Some("MIPS"));
    let g = view.project(gateway).unwrap();
    assert_eq!(g.status.as_ref().unwrap().rag, Rag::Red);
    assert_eq!(g.previous_rag, Some(Rag::Green));
    assert_eq!(g.status.as_ref().unwrap().reported_by, "test-operator");
    assert_eq!(view.rollup_rag(), Some(Rag::Red));

    // As of the first status report: gateway green, ledger not reported yet.
    let past: ProgramView = app
        .get(&format!("/api/programs/{program}?as_of={}", green.position))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(past.position, green.position);
    assert_eq!(
        past.project(gateway).unwrap().status.as_ref().unwrap().rag,
        Rag::Green
    );
    assert!(past.project(ledger).unwrap().status.is_none());

    // As of an instant: the instant of that event gives the same view.
    let events: EventPage = app
        .get(&format!("/api/programs/{program}/events?limit=1000"))
        .await
        .json()
        .await
        .unwrap();
    let at = events
        .events
        .iter()
        .find(|e| e.position == green.position)
        .unwrap()
        .recorded_at;
    let by_time: ProgramView = app
        .get(&format!(
            "/api/programs/{program}?as_of={}",
            at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
                .replace('+', "%2B")
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        by_time
            .project(gateway)
            .unwrap()
            .status
            .as_ref()
            .unwrap()
            .rag,
        Rag::Green
    );

    // Before the program existed it is not found; a nonsense as_of is a 400.
    assert_error(
        app.get(&format!("/api/programs/{program}?as_of=0")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        app.get(&format!("/api/programs/{program}?as_of=yesterday"))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_as_of",
    )
    .await;

    // The list rolls up RAG counts.
    let list: Vec<ProgramSummary> = app.get("/api/programs").await.json().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].rag_counts.red, list[0].rag_counts.amber), (1, 1));
    let empty: Vec<ProgramSummary> = app.get("/api/programs?as_of=0").await.json().await.unwrap();
    assert!(empty.is_empty());
}

#[tokio::test]
async fn the_audit_trail_says_who_did_what_when_and_why() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Data platform").await;
    let project = app.add_project(program, "Ingestion").await;
    let res = app
        .client
        .post(app.url(&format!(
            "/api/programs/{program}/projects/{project}/status"
        )))
        .header("x-correlation-id", "6f0d2b1e-1111-4222-8333-944455556666")
        .json(
            &json!({"rag": "amber", "narrative": "Kafka upgrade late", "reason": "weekly report"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let page: EventPage = app
        .get(&format!("/api/programs/{program}/events"))
        .await
        .json()
        .await
        .unwrap();
    let types: Vec<&str> = page.events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "ProgramCreated",
            "ProgramRoleGranted",
            "ProjectAdded",
            "ProjectStatusReported"
        ]
    );
    let status = &page.events[3];
    assert_eq!(status.metadata.actor, "test-operator");
    assert_eq!(status.metadata.reason.as_deref(), Some("weekly report"));
    assert_eq!(
        status.metadata.correlation_id.to_string(),
        "6f0d2b1e-1111-4222-8333-944455556666"
    );
    assert!(status.metadata.request_id.is_some());
    assert!(status.metadata.causation_id.is_some());
    assert!(matches!(status.decode().unwrap(), DomainEvent::Project(_)));
    assert_eq!(status.hash.len(), 64);

    // The global log pages in order (1 and 2 are the test administrator and its token).
    let first: EventPage = app.get("/api/events?limit=2").await.json().await.unwrap();
    assert_eq!(
        first.events.iter().map(|e| e.position).collect::<Vec<_>>(),
        [1, 2]
    );
    let rest: EventPage = app
        .get(&format!("/api/events?after={}", first.next_after))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        rest.events.iter().map(|e| e.position).collect::<Vec<_>>(),
        [3, 4, 5, 6]
    );
    assert_eq!(rest.head, 6);
    assert_error(
        app.get("/api/events?limit=0").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
    assert_error(
        app.get("/api/events?after=abc").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let body = assert_error(
        app.post("/api/programs", &json!({"name": " ", "sponsor": ""}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "sponsor"]);
    assert_error(
        app.post("/api/programs", &json!({"name": "x"})).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    )
    .await;
    let res = app
        .client
        .post(app.url("/api/programs"))
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::BAD_REQUEST, "invalid_body").await;

    let program = app.create_program("P").await;
    let project = app.add_project(program, "Q").await;
    assert_error(
        app.report_status(program, project, "purple", "x").await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    )
    .await;
    assert_error(
        app.report_status(program, project, "red", "  ").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_error(
        app.get("/api/programs/not-a-uuid").await,
        StatusCode::BAD_REQUEST,
        "invalid_path",
    )
    .await;
    let unknown = uuid::Uuid::new_v4();
    assert_error(
        app.get(&format!("/api/programs/{unknown}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        app.post(
            &format!("/api/programs/{unknown}/projects"),
            &json!({"name": "a", "manager": "b"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // A project addressed through another program does not exist there.
    let other = app.create_program("Other").await;
    assert_error(
        app.report_status(other, project, "red", "x").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        app.get("/api/nothing-here").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // None of that appended anything: the administrator and its token, 2 programs (created,
    // creator made program manager) and 1 project.
    let page: EventPage = app.get("/api/events").await.json().await.unwrap();
    assert_eq!(page.head, 2 + 2 * 2 + 1);
}

#[tokio::test]
async fn conflicting_edits_are_detected_not_overwritten() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Cloud migration").await;
    let path = format!("/api/programs/{program}");

    let first = app
        .patch(
            &path,
            &json!({"name": "Cloud migration 2027", "expected_version": 2}),
        )
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    // A second editor who also saw version 2 (created, creator made program manager).
    let body = assert_error(
        app.patch(&path, &json!({"sponsor": "Sam", "expected_version": 2}))
            .await,
        StatusCode::CONFLICT,
        "version_conflict",
    )
    .await;
    assert_eq!(body["error"]["details"]["current_version"], 3);
    let view: ProgramView = app.get(&path).await.json().await.unwrap();
    assert_eq!(
        (view.name.as_str(), view.sponsor.as_str()),
        ("Cloud migration 2027", "Dana Sponsor")
    );

    assert_error(
        app.patch(&path, &json!({"name": "Cloud migration 2027"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_to_change",
    )
    .await;

    let project = app.add_project(program, "Landing zone").await;
    let status_path = format!("/api/programs/{program}/projects/{project}/status");
    let ok = app
        .post(
            &status_path,
            &json!({"rag": "green", "narrative": "ok", "expected_version": 1}),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_error(
        app.post(
            &status_path,
            &json!({"rag": "red", "narrative": "stale", "expected_version": 1}),
        )
        .await,
        StatusCode::CONFLICT,
        "version_conflict",
    )
    .await;
}

#[tokio::test]
async fn concurrent_status_reports_on_one_project_never_overwrite_silently() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Race").await;
    let project = app.add_project(program, "Contended").await;
    let path = format!("/api/programs/{program}/projects/{project}/status");
    // Twelve reporters who all saw version 1: exactly one may win.
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let client = app.client.clone();
            let url = app.url(&path);
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&json!({"rag": "amber", "narrative": format!("reporter {i}"), "expected_version": 1}))
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::OK => ok += 1,
            StatusCode::CONFLICT => {}
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(ok, 1);
    let view: ProgramView = app
        .get(&format!("/api/programs/{program}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view.project(project).unwrap().version, 2);
}

#[tokio::test]
async fn a_program_audit_trail_pages_in_log_order_across_its_streams() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Interleaved").await;
    let other = app.create_program("Someone else's").await;
    let other_project = app.add_project(other, "Noise").await;
    let mut projects = Vec::new();
    for name in ["A", "B", "C"] {
        projects.push(app.add_project(program, name).await);
    }
    for round in 0..4 {
        for project in &projects {
            let res = app
                .report_status(program, *project, "green", &format!("round {round}"))
                .await;
            assert_eq!(res.status(), StatusCode::OK);
            let res = app
                .report_status(other, other_project, "red", "noise")
                .await;
            assert_eq!(res.status(), StatusCode::OK);
        }
    }
    let whole: EventPage = app
        .get(&format!("/api/programs/{program}/events?limit=1000"))
        .await
        .json()
        .await
        .unwrap();
    // Program created + creator's role, 3 projects added, 12 reports; nothing of the other program.
    assert_eq!(whole.events.len(), 2 + 3 + 12);
    assert!(
        whole
            .events
            .windows(2)
            .all(|w| w[0].position < w[1].position)
    );
    assert!(whole.events.iter().all(|e| e.program_id == Some(program)));

    let mut paged = Vec::new();
    let mut after = 0;
    loop {
        let page: EventPage = app
            .get(&format!(
                "/api/programs/{program}/events?after={after}&limit=2"
            ))
            .await
            .json()
            .await
            .unwrap();
        if page.events.is_empty() {
            break;
        }
        after = page.next_after;
        paged.extend(page.events);
    }
    let positions = |events: &[throughline_shared::RecordedEvent]| {
        events.iter().map(|e| e.position).collect::<Vec<_>>()
    };
    assert_eq!(positions(&paged), positions(&whole.events));
}

#[tokio::test]
async fn scope_phase_and_contributions_are_recorded_and_seen_as_of_any_point() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Payments").await;
    let project = app.add_project(program, "Gateway").await;
    let before = app.head().await;

    let res = app
        .post(
            &format!("/api/programs/{program}/phase"),
            &json!({"phase": "planning"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(
            &format!("/api/programs/{program}/scope"),
            &json!({"title": "Crypto payments", "in_scope": false, "rationale": "No regulatory approval yet"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let item = res.json::<CommandAccepted>().await.unwrap().stream_id;
    let after_recorded = app.head().await;
    let res = app
        .post(
            &format!("/api/programs/{program}/scope/{item}"),
            &json!({"in_scope": true, "rationale": "Approved by the regulator in March"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Refusals: no rationale, unknown item, an unknown phase.
    let res = app
        .post(
            &format!("/api/programs/{program}/scope"),
            &json!({"title": "X", "in_scope": true, "rationale": ""}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res = app
        .post(
            &format!("/api/programs/{program}/scope/{}", uuid::Uuid::new_v4()),
            &json!({"in_scope": true, "rationale": "x"}),
        )
        .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = app
        .post(
            &format!("/api/programs/{program}/phase"),
            &json!({"phase": "party"}),
        )
        .await;
    assert!(res.status().is_client_error());

    // The project contributes to the objective (target 30 June 2027); a milestone after it
    // threatens it.
    let view = app.view(program).await;
    let objective = view.objectives[0].objective_id;
    let res = app
        .post(
            &format!("/api/programs/{program}/projects/{project}/objectives"),
            &json!({"objectives": [objective]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(
            &format!("/api/programs/{program}/projects/{project}/objectives"),
            &json!({"objectives": [uuid::Uuid::new_v4()]}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    app.add_milestone(program, project, "Go-live", "2027-07-15")
        .await;
    let analysis: Value = app
        .get(&format!(
            "/api/programs/{program}/schedule?today=2027-01-04"
        ))
        .await
        .json()
        .await
        .unwrap();
    let outlook = &analysis["objectives"][0];
    assert_eq!(outlook["contributing_projects"], json!([project]));
    assert_eq!(
        (
            outlook["threatened"].as_bool(),
            outlook["days_over"].as_i64()
        ),
        (Some(true), Some(15))
    );

    let now = app.view(program).await;
    assert_eq!(
        now.phase,
        Some(throughline_shared::scope::ProgramPhase::Planning)
    );
    assert!(now.scope[0].in_scope);
    assert_eq!(now.project(project).unwrap().objectives, vec![objective]);
    // As of before the revision: out of scope, with the first rationale.
    let then: ProgramView = app
        .get(&format!("/api/programs/{program}?as_of={after_recorded}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(!then.scope[0].in_scope);
    assert_eq!(then.scope[0].rationale, "No regulatory approval yet");
    let earlier: ProgramView = app
        .get(&format!("/api/programs/{program}?as_of={before}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(earlier.scope.is_empty() && earlier.phase.is_none());

    // Only the program manager decides scope and phase.
    let (viewer, client) = app.client_as("contributor").await;
    app.grant(program, viewer, "contributor", None).await;
    let res = client
        .post(app.url(&format!("/api/programs/{program}/phase")))
        .json(&json!({"phase": "delivery"}))
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
}
