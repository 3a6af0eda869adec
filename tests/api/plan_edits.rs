//! Editing and retiring what a plan holds (issue 15): a milestone's kind and project, its
//! cancellation (its dependencies let go of in the same append, live for their consumers) and its
//! removal as a mistake; a dependency's terms against its own version; a project's name, manager
//! and stage, closed only once its milestones are resolved.

use crate::live::{receive, subscribe};
use reqwest::StatusCode;
use serde_json::{Value, json};
use throughline_shared::ProgramId;
use throughline_shared::analysis::{DependencyStatus, ScheduleAnalysis};
use throughline_shared::api::CommandAccepted;
use throughline_shared::dependency::DependencyState;
use throughline_shared::ids::DependencyId;
use throughline_shared::milestone::{MilestoneKind, Retirement};
use throughline_shared::project::ProjectStage;
use throughline_shared::schedule::DependencyType;
use throughline_tests::{TestApp, assert_error};

async fn dependency(res: reqwest::Response) -> DependencyId {
    assert_eq!(res.status(), StatusCode::CREATED);
    DependencyId::from_uuid(res.json::<CommandAccepted>().await.unwrap().stream_id)
}

async fn ok(res: reqwest::Response) -> CommandAccepted {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

pub(crate) async fn descriptions(app: &TestApp, program: ProgramId) -> Vec<String> {
    let audit: Value = app
        .get(&format!("/api/programs/{program}/audit?limit=500"))
        .await
        .json()
        .await
        .unwrap();
    audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["description"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn a_milestone_becomes_a_deliverable_and_moves_to_another_project_with_its_dependencies() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Moves").await;
    let ledger = app.add_project(program, "Ledger").await;
    let gateway = app.add_project(program, "Gateway").await;
    let schema = app
        .add_milestone(program, ledger, "Schema frozen", "2027-03-10")
        .await;
    let cut_over = app
        .add_milestone(program, gateway, "Cut-over", "2027-04-01")
        .await;
    let link = dependency(app.propose(program, schema, cut_over, json!({})).await).await;
    let details = format!("/api/programs/{program}/milestones/{schema}/details");
    let head = app.head().await;
    for (body, code) in [
        // A deliverable needs a start, not after its finish; a point in time has none.
        (json!({"kind": "deliverable"}), "validation_failed"),
        (
            json!({"kind": "deliverable", "start": "2027-03-11"}),
            "validation_failed",
        ),
        (
            json!({"kind": "milestone", "start": "2027-03-01"}),
            "validation_failed",
        ),
        (
            json!({"kind": "deliverable", "start": "1066-10-14"}),
            "validation_failed",
        ),
        (
            json!({"project_id": uuid::Uuid::new_v4()}),
            "validation_failed",
        ),
        (json!({"project_id": ledger}), "nothing_to_change"),
    ] {
        let res = app.post(&details, &body).await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, code).await;
    }
    assert_eq!(app.head().await, head, "refusals change nothing");

    ok(app
        .post(
            &details,
            &json!({"kind": "deliverable", "start": "2027-02-15", "project_id": gateway,
                    "expected_version": 1, "reason": "Gateway builds the schema now"}),
        )
        .await)
    .await;
    let view = app.view(program).await;
    let m = view.milestone(schema).unwrap();
    assert_eq!(
        (m.kind, m.forecast_start, m.project_id),
        (
            MilestoneKind::Deliverable,
            "2027-02-15".parse().ok(),
            gateway
        )
    );
    assert_eq!(
        view.dependency(link).map(|d| d.provider_project),
        Some(gateway),
        "the dependency follows its provider"
    );
    let said = descriptions(&app, program).await;
    assert!(said.contains(&"Became a deliverable starting 2027-02-15".to_string()));
    assert!(said.contains(&"Moved from project “Ledger” to “Gateway”".to_string()));
    // The same edit again against the version it was made at: a conflict.
    let res = app
        .post(
            &details,
            &json!({"kind": "milestone", "expected_version": 1}),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "version_conflict").await;
    // As of before, it was a milestone of the ledger.
    let then = app.view_at(program, head).await;
    let m = then.milestone(schema).unwrap();
    assert_eq!((m.kind, m.project_id), (MilestoneKind::Milestone, ledger));
}

#[tokio::test]
async fn a_cancelled_milestone_breaks_what_it_provided_in_one_append_seen_live_by_its_consumers() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Cancellations").await;
    let ledger = app.add_project(program, "Ledger").await;
    let gateway = app.add_project(program, "Gateway").await;
    let api = app
        .add_milestone(program, ledger, "API", "2027-03-01")
        .await;
    let feed = app
        .add_milestone(program, ledger, "Feed", "2027-02-01")
        .await;
    let cut_over = app
        .add_milestone(program, gateway, "Cut-over", "2027-04-01")
        .await;
    let provided = dependency(app.propose(program, api, cut_over, json!({})).await).await;
    let consumed = dependency(app.propose(program, feed, api, json!({})).await).await;
    let cancel = format!("/api/programs/{program}/milestones/{api}/cancel");
    let head = app.head().await;
    for body in [json!({"reason": "  "}), json!({"reason": "x".repeat(4001)})] {
        let res = app.post(&cancel, &body).await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    }
    let res = app
        .post(
            &cancel,
            &json!({"reason": "Dropped", "expected_version": 7}),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "version_conflict").await;
    assert_eq!(app.head().await, head);

    // The consumer's side watches live.
    let mut ws = subscribe(&app, program, head).await;
    let accepted = ok(app
        .post(
            &cancel,
            &json!({"reason": "The vendor's API replaces it", "expected_version": 1}),
        )
        .await)
    .await;
    let (events, _) = receive(&mut ws, 3).await;
    let mut types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    // The register's events follow the milestone's, in the register's order of dependencies.
    types[1..].sort_unstable();
    assert_eq!(
        types,
        [
            "MilestoneCancelled",
            "DependencyBroken",
            "DependencyCancelled"
        ],
        "one append, nothing else"
    );
    assert!(
        events
            .windows(2)
            .all(|w| w[1].position == w[0].position + 1),
        "consecutive positions: one append"
    );
    assert_eq!(accepted.position, events[0].position);
    let broken = events
        .iter()
        .find(|e| e.event_type == "DependencyBroken")
        .unwrap();
    assert_eq!(
        broken.metadata.reason.as_deref(),
        Some("its provider “API” was cancelled: The vendor's API replaces it")
    );

    let view = app.view(program).await;
    assert!(view.milestone(api).is_none(), "gone from the plan");
    let retired = &view.retired_milestones[0];
    assert_eq!(
        (retired.milestone_id, retired.how, retired.reason.as_deref()),
        (
            api,
            Retirement::Cancelled,
            Some("The vendor's API replaces it")
        )
    );
    let state = |id| view.dependency(id).map(|d| d.state);
    assert_eq!(state(provided), Some(DependencyState::Broken));
    assert_eq!(state(consumed), Some(DependencyState::Cancelled));
    let analysis: ScheduleAnalysis = app
        .get(&format!(
            "/api/programs/{program}/schedule?today=2027-01-04"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        analysis.dependency(provided).map(|d| d.status),
        Some(DependencyStatus::Broken)
    );
    assert!(!analysis.critical_path.contains(&api));
    // Nothing can come to depend on it any more.
    let res = app.propose(program, api, cut_over, json!({})).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    // Cancelled: nothing more is done to it, and the program's baseline leaves it out.
    let res = app
        .post(
            &format!("/api/programs/{program}/milestones/{api}/forecast"),
            &json!({"forecast": "2027-05-01"}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "nothing_to_change").await;
    let res = app
        .post(&format!("/api/programs/{program}/baseline"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let baselined: Value = res.json().await.unwrap();
    assert_eq!(baselined["baselined"], 2);
    // As of before the cancellation, it was in the plan.
    let then = app.view_at(program, head).await;
    assert!(then.milestone(api).is_some());
}

#[tokio::test]
async fn only_its_creator_removes_a_milestone_as_a_mistake_and_only_before_the_baseline() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Mistakes").await;
    let ledger = app.add_project(program, "Ledger").await;
    let (contributor, client) = app.client_as("kim").await;
    app.grant(program, contributor, "contributor", None).await;
    let typo = app
        .add_milestone(program, ledger, "Go-lvie", "2027-03-01")
        .await;
    let kept = app
        .add_milestone(program, ledger, "Kept", "2027-03-02")
        .await;
    dependency(app.propose(program, typo, kept, json!({})).await).await;
    // Someone else may not: they cancel it instead.
    let res = client
        .post(app.url(&format!("/api/programs/{program}/milestones/{typo}/remove")))
        .json(&json!({"reason": "Typo"}))
        .send()
        .await
        .unwrap();
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "nothing_to_change").await;
    assert!(body.to_string().contains("only whoever added it"), "{body}");
    ok(app
        .post(
            &format!("/api/programs/{program}/milestones/{typo}/remove"),
            &json!({"reason": "Typed twice; “Go-live” is the real one"}),
        )
        .await)
    .await;
    let view = app.view(program).await;
    assert_eq!(view.retired_milestones[0].how, Retirement::Removed);
    assert_eq!(
        view.dependencies[0].state,
        DependencyState::Cancelled,
        "a mistake never provided anything: its dependency is cancelled, not broken"
    );
    // Once baselined, a milestone is relied on: removal is refused.
    ok(app
        .post(
            &format!("/api/programs/{program}/milestones/{kept}/baseline"),
            &json!({}),
        )
        .await)
    .await;
    let res = app
        .post(
            &format!("/api/programs/{program}/milestones/{kept}/remove"),
            &json!({"reason": "Oops"}),
        )
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "nothing_to_change").await;
    assert!(body.to_string().contains("in the baseline"), "{body}");
    let res = app
        .post(
            &format!("/api/programs/{program}/milestones/{kept}/delete"),
            &json!({"reason": "Oops"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_dependency_keeps_its_identity_when_its_terms_change_and_is_agreed_again() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Terms").await;
    let ledger = app.add_project(program, "Ledger").await;
    let gateway = app.add_project(program, "Gateway").await;
    let api = app
        .add_milestone(program, ledger, "API", "2027-03-01")
        .await;
    let cut_over = app
        .add_milestone(program, gateway, "Cut-over", "2027-03-05")
        .await;
    let other = app
        .add_milestone(program, ledger, "Docs", "2027-03-02")
        .await;
    let link = dependency(app.propose(program, api, cut_over, json!({})).await).await;
    let second = dependency(app.propose(program, other, cut_over, json!({})).await).await;
    ok(app
        .post(
            &format!("/api/programs/{program}/dependencies/{link}/agree"),
            &json!({}),
        )
        .await)
    .await;
    let revise = format!("/api/programs/{program}/dependencies/{link}");
    let head = app.head().await;
    for body in [
        json!({"kind": "FS", "lag_days": 3651}),
        json!({"kind": "XX", "lag_days": 1}),
        json!({"kind": "FS", "lag_days": 1, "need_by": "2201-01-01"}),
        json!({"lag_days": 1}),
    ] {
        let res = app.post(&revise, &body).await;
        assert!(
            res.status() == StatusCode::UNPROCESSABLE_ENTITY
                || res.status() == StatusCode::BAD_REQUEST,
            "{body}: {}",
            res.status()
        );
    }
    let res = app
        .post(&revise, &json!({"kind": "FS", "lag_days": 0}))
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "nothing_to_change").await;
    assert_eq!(app.head().await, head);

    // Someone changes the other dependency meanwhile: no conflict with this one's version.
    ok(app
        .post(
            &format!("/api/programs/{program}/dependencies/{second}/need-by"),
            &json!({"need_by": "2027-03-04"}),
        )
        .await)
    .await;
    let version = app.view(program).await.dependency(link).unwrap().version;
    assert_eq!(version, 2, "proposed, agreed");
    ok(app
        .post(
            &revise,
            &json!({"kind": "SS", "lag_days": 4, "need_by": "2027-03-10",
                    "expected_version": version, "reason": "Testing can start with the API"}),
        )
        .await)
    .await;
    let view = app.view(program).await;
    let d = view.dependency(link).unwrap();
    assert_eq!(
        (
            d.dependency_id,
            d.kind,
            d.lag_days,
            d.need_by,
            d.state,
            d.version
        ),
        (
            link,
            DependencyType::StartToStart,
            4,
            "2027-03-10".parse().ok(),
            DependencyState::Proposed,
            4
        ),
        "the same dependency, with new terms for its provider to agree to again"
    );
    let said = descriptions(&app, program).await;
    assert!(
        said.iter()
            .any(|s| s.starts_with("Changed dependency") && s.ends_with("from FS to SS +4d")),
        "{said:?}"
    );
    // The version edited before is stale now.
    let res = app
        .post(
            &revise,
            &json!({"kind": "FF", "lag_days": 0, "expected_version": version}),
        )
        .await;
    let body = assert_error(res, StatusCode::CONFLICT, "version_conflict").await;
    assert!(body.to_string().contains("version 4"), "{body}");
}

#[tokio::test]
async fn a_project_is_renamed_paused_and_closed_only_once_its_milestones_are_resolved() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Projects").await;
    let ledger = app.add_project(program, "Ledger").await;
    let gateway = app.add_project(program, "Gateway").await;
    let done = app
        .add_milestone(program, ledger, "Done", "2027-03-01")
        .await;
    let open = app
        .add_milestone(program, ledger, "Open", "2027-03-02")
        .await;
    let res = app.report_status(program, ledger, "red", "Late").await;
    assert_eq!(res.status(), StatusCode::OK);
    let stage = format!("/api/programs/{program}/projects/{ledger}/stage");
    let details = format!("/api/programs/{program}/projects/{ledger}/details");
    for (url, body, code) in [
        (&details, json!({"name": ""}), "validation_failed"),
        (&details, json!({"name": "Ledger"}), "nothing_to_change"),
        (&stage, json!({"stage": "paused"}), "validation_failed"),
        (&stage, json!({"stage": "active"}), "nothing_to_change"),
    ] {
        let res = app.post(url, &body).await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, code).await;
    }
    ok(app
        .post(
            &details,
            &json!({"name": "Core ledger", "manager": "Ana Ruiz", "reason": "Re-organised"}),
        )
        .await)
    .await;
    ok(app
        .post(
            &stage,
            &json!({"stage": "paused", "reason": "Funding review"}),
        )
        .await)
    .await;
    let view = app.view(program).await;
    let p = view.project(ledger).unwrap();
    assert_eq!(
        (
            p.name.as_str(),
            p.manager.as_str(),
            p.stage,
            p.stage_reason.as_deref()
        ),
        (
            "Core ledger",
            "Ana Ruiz",
            ProjectStage::Paused,
            Some("Funding review")
        )
    );
    // Closing is refused while a milestone is open, naming them.
    let res = app
        .post(&stage, &json!({"stage": "closed", "reason": "Delivered"}))
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let said = body.to_string();
    assert!(
        said.contains("2 milestones are still open") && said.contains("“Done”, “Open”"),
        "{said}"
    );
    ok(app
        .post(
            &format!("/api/programs/{program}/milestones/{done}/met"),
            &json!({"actual": "2027-02-27"}),
        )
        .await)
    .await;
    ok(app
        .post(
            &format!("/api/programs/{program}/milestones/{open}/cancel"),
            &json!({"reason": "Not needed after all"}),
        )
        .await)
    .await;
    ok(app
        .post(&stage, &json!({"stage": "closed", "reason": "Delivered"}))
        .await)
    .await;
    let view = app.view(program).await;
    assert_eq!(view.project(ledger).unwrap().stage, ProjectStage::Closed);
    assert_eq!(
        view.rollup_rag(),
        None,
        "a closed project's last report is not the program's health"
    );
    // Closed: no more milestones, in or moved in, no reports, no edits.
    let head = app.head().await;
    let res = app
        .post(
            &format!("/api/programs/{program}/milestones"),
            &json!({"project_id": ledger, "name": "More", "owner": "x", "planned": "2027-05-01"}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let elsewhere = app
        .add_milestone(program, gateway, "Elsewhere", "2027-05-01")
        .await;
    let head = head.max(app.head().await);
    let res = app
        .post(
            &format!("/api/programs/{program}/milestones/{elsewhere}/details"),
            &json!({"project_id": ledger}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res = app
        .post(
            &format!("/api/programs/{program}/projects/{ledger}/status"),
            &json!({"rag": "green", "narrative": "All done"}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "nothing_to_change").await;
    assert_eq!(app.head().await, head);
}

/// `text/csv` posted to `path`: the status and the body.
async fn csv(app: &TestApp, path: &str, body: &str) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url(path))
        .header("content-type", "text/csv")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap())
}

#[tokio::test]
async fn an_export_imports_as_it_is_into_another_program_its_projects_created_on_confirmation() {
    let app = TestApp::spawn().await;
    let source = app.create_program("Source").await;
    let ledger = app.add_project(source, "Ledger").await;
    let gateway = app.add_project(source, "Gateway").await;
    let schema = app
        .add_milestone(source, ledger, "Schema frozen", "2027-03-10")
        .await;
    let cut_over = app
        .add_milestone(source, gateway, "Cut-over", "2027-04-01")
        .await;
    dependency(app.propose(source, schema, cut_over, json!({})).await).await;
    let export = |table: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/api/programs/{source}/{table}.csv"))
                .await
                .text()
                .await
                .unwrap()
        }
    };
    let (milestones, dependencies) = (export("milestones").await, export("dependencies").await);

    // Into a program without those projects: refused, naming them, until confirmed.
    let target = app.create_program("Target").await;
    let import = format!("/api/programs/{target}/milestones.csv");
    let head = app.head().await;
    let (status, body) = csv(&app, &import, &milestones).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "projects_to_create");
    assert_eq!(
        body["error"]["details"]["projects"],
        json!(["Ledger", "Gateway"])
    );
    assert_eq!(app.head().await, head, "nothing was written");
    let (status, body) = csv(&app, &format!("{import}?create_projects=true"), &milestones).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 2);
    let (status, body) = csv(
        &app,
        &format!("/api/programs/{target}/dependencies.csv"),
        &dependencies,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 1);
    let copy = app.view(target).await;
    let mut projects: Vec<&str> = copy.projects.iter().map(|p| p.name.as_str()).collect();
    projects.sort_unstable();
    assert_eq!(projects, ["Gateway", "Ledger"]);
    assert_eq!(copy.milestones.len(), 2);
    assert_eq!(copy.dependencies.len(), 1);
    assert!(
        copy.milestones
            .iter()
            .all(|m| m.milestone_id != schema && m.milestone_id != cut_over),
        "new milestones of their own"
    );

    // The same file again changes nothing: its rows are the milestones of those names now.
    let (status, body) = csv(&app, &import, &milestones).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["created"].as_u64(), body["unchanged"].as_u64()),
        (Some(0), Some(2))
    );
    // An edited row of the source's export moves the copy's milestone of that name.
    let moved = milestones.replacen("2027-04-01", "2027-04-20", 2);
    let (status, body) = csv(&app, &import, &moved).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["updated"], 1);
    let copy = app.view(target).await;
    let m = copy
        .milestones
        .iter()
        .find(|m| m.name == "Cut-over")
        .unwrap();
    assert_eq!(m.forecast.to_string(), "2027-04-20");
    assert_eq!(
        app.view(source)
            .await
            .milestone(cut_over)
            .unwrap()
            .forecast
            .to_string(),
        "2027-04-01"
    );
}
