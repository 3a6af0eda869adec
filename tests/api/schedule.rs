//! Milestones, dependencies and the schedule analysis through the API: lifecycle, baselines,
//! conflicts and slip impact; cycle refusal, also between concurrent proposals.

use reqwest::StatusCode;
use serde_json::{Value, json};
use throughline_shared::ProgramId;
use throughline_shared::analysis::{DependencyStatus, ScheduleAnalysis, SlipPreview};
use throughline_shared::api::{BaselineProgramAccepted, CommandAccepted};
use throughline_shared::ids::{DependencyId, MilestoneId};
use throughline_tests::{TestApp, assert_error};

async fn analysis(app: &TestApp, program: ProgramId, today: &str) -> ScheduleAnalysis {
    let res = app
        .get(&format!("/api/programs/{program}/schedule?today={today}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn proposed(res: reqwest::Response) -> DependencyId {
    assert_eq!(res.status(), StatusCode::CREATED);
    DependencyId::from_uuid(res.json::<CommandAccepted>().await.unwrap().stream_id)
}

#[tokio::test]
async fn a_slip_is_previewed_recorded_with_its_impact_and_turns_dependencies_at_risk_then_late() {
    let app = TestApp::spawn().await;
    // The program objective's target date is 2027-06-30 (see TestApp::create_program).
    let program = app.create_program("Payments").await;
    let gateway = app.add_project(program, "Gateway").await;
    let ledger = app.add_project(program, "Ledger").await;
    let objective = app.view(program).await.objectives[0].objective_id;
    let launch = app.add_project_with(program, "Launch", &[objective]).await;
    let api = app
        .add_milestone(program, gateway, "API ready", "2027-03-01")
        .await;
    let ledger_ready = app
        .add_milestone(program, ledger, "Ledger ready", "2027-03-10")
        .await;
    let go_live = app
        .add_milestone(program, launch, "Go-live", "2027-06-20")
        .await;
    let api_to_ledger = proposed(
        app.propose(program, api, ledger_ready, json!({"lag_days": 3}))
            .await,
    )
    .await;
    let ledger_to_live = proposed(
        app.propose(
            program,
            ledger_ready,
            go_live,
            json!({"need_by": "2027-06-01"}),
        )
        .await,
    )
    .await;

    // Baseline the program: all three at once, then nothing left to baseline.
    let res = app
        .post(&format!("/api/programs/{program}/baseline"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let baselined: BaselineProgramAccepted = res.json().await.unwrap();
    assert_eq!(baselined.baselined, 3);
    let res = app
        .post(&format!("/api/programs/{program}/baseline"), &json!({}))
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "nothing_to_change").await;

    let before = analysis(&app, program, "2027-01-04").await;
    assert!(
        before
            .dependencies
            .iter()
            .all(|d| d.status == DependencyStatus::Proposed)
    );
    assert_eq!(before.critical_path.last(), Some(&go_live));

    // Preview: the API slipping 20 days pushes the ledger by 14 (1 Mar + 20 + 3 lag = 24 Mar,
    // ledger planned 10 Mar); the ledger's 10 weeks of slack to go-live absorb the rest.
    let head_before = app.head().await;
    let res = app
        .get(&format!(
            "/api/programs/{program}/impact?milestone={api}&days=20&today=2027-01-04"
        ))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let preview: SlipPreview = res.json().await.unwrap();
    assert_eq!(app.head().await, head_before, "a preview writes nothing");
    assert_eq!(
        preview
            .moved
            .iter()
            .map(|m| (m.milestone, m.days))
            .collect::<Vec<_>>(),
        vec![(ledger_ready, 14)]
    );
    assert_eq!(preview.dependencies_in_trouble.len(), 1);
    assert_eq!(
        preview.dependencies_in_trouble[0].dependency_id,
        api_to_ledger
    );
    assert_eq!(
        preview.dependencies_in_trouble[0].status,
        DependencyStatus::AtRisk
    );
    assert_eq!(preview.dependencies_in_trouble[0].gap_days, 14);
    assert!(preview.newly_threatened_objectives.is_empty());
    // Go-live 20 days late misses the objective's 30 June target.
    let res = app
        .get(&format!(
            "/api/programs/{program}/impact?milestone={go_live}&days=20"
        ))
        .await;
    let preview: SlipPreview = res.json().await.unwrap();
    assert_eq!(preview.newly_threatened_objectives.len(), 1);
    for bad in ["days=0", "days=-3", "days=99999"] {
        let res = app
            .get(&format!(
                "/api/programs/{program}/impact?milestone={api}&{bad}"
            ))
            .await;
        assert_error(res, StatusCode::BAD_REQUEST, "invalid_days").await;
    }

    // Now it really slips: the dependency is at risk before its need-by date, late after.
    let res = app
        .post(
            &format!("/api/programs/{program}/milestones/{api}/forecast"),
            &json!({"forecast": "2027-03-21", "reason": "vendor certification"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let at_risk = analysis(&app, program, "2027-01-04").await;
    let health = at_risk.dependency(api_to_ledger).unwrap();
    assert_eq!(
        (health.status, health.gap_days),
        (DependencyStatus::AtRisk, 14)
    );
    assert_eq!(
        at_risk.dependency(ledger_to_live).unwrap().status,
        DependencyStatus::Proposed
    );
    let late = analysis(&app, program, "2027-03-15").await;
    assert_eq!(
        late.dependency(api_to_ledger).unwrap().status,
        DependencyStatus::Late
    );

    // The view recorded the slip with what it moved, and the variance against the baseline.
    let v = app.view(program).await;
    let slip = v.slips.last().expect("the slip is recorded");
    assert_eq!((slip.milestone_id, slip.moved.len()), (api, 1));
    assert_eq!(slip.moved[0].milestone, ledger_ready);
    assert_eq!(v.milestone(api).unwrap().variance_days(), Some(20));

    // As of before the slip, the same endpoint tells the old story.
    let res = app
        .get(&format!(
            "/api/programs/{program}/schedule?as_of={head_before}&today=2027-03-15"
        ))
        .await;
    let then: ScheduleAnalysis = res.json().await.unwrap();
    assert_eq!(
        then.dependency(api_to_ledger).unwrap().status,
        DependencyStatus::Proposed
    );

    // Once the provider is met, the dependency is met.
    let res = app
        .post(
            &format!("/api/programs/{program}/milestones/{api}/met"),
            &json!({"actual": "2027-03-20"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let met = analysis(&app, program, "2027-03-25").await;
    assert_eq!(
        met.dependency(api_to_ledger).unwrap().status,
        DependencyStatus::Met
    );
    let res = app
        .post(
            &format!("/api/programs/{program}/milestones/{api}/forecast"),
            &json!({"forecast": "2027-04-01"}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "nothing_to_change").await;
}

#[tokio::test]
async fn a_dependency_that_would_close_a_cycle_is_refused_with_the_cycle_named() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Cycles").await;
    let (p1, p2) = (
        app.add_project(program, "One").await,
        app.add_project(program, "Two").await,
    );
    let a = app.add_milestone(program, p1, "Design", "2027-01-10").await;
    let b = app.add_milestone(program, p2, "Build", "2027-02-10").await;
    let c = app.add_milestone(program, p1, "Test", "2027-03-10").await;
    proposed(app.propose(program, a, b, json!({})).await).await;
    proposed(app.propose(program, b, c, json!({})).await).await;

    let head_before = app.head().await;
    let body = assert_error(
        app.propose(program, c, a, json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "dependency_cycle",
    )
    .await;
    assert_eq!(
        body["error"]["details"]["cycle"],
        json!(["Test", "Design", "Build", "Test"])
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Test → Design → Build → Test")
    );
    assert_error(
        app.propose(program, a, a, json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_error(
        app.propose(program, a, b, json!({})).await,
        StatusCode::CONFLICT,
        "already_exists",
    )
    .await;
    assert_eq!(app.head().await, head_before, "refusals append nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_proposals_can_never_close_a_cycle_together() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Races").await;
    let (p1, p2) = (
        app.add_project(program, "One").await,
        app.add_project(program, "Two").await,
    );
    // Rings of four milestones: each round, four proposals race to close the ring
    // x0 → x1 → x2 → x3 → x0. Any three are fine; all four would be a cycle.
    for round in 0..6 {
        let mut ring = Vec::new();
        for k in 0..4 {
            let project = if k % 2 == 0 { p1 } else { p2 };
            ring.push(
                app.add_milestone(program, project, &format!("R{round} M{k}"), "2027-05-01")
                    .await,
            );
        }
        let mut tasks = Vec::new();
        for k in 0..4 {
            let (provider, consumer) = (ring[k], ring[(k + 1) % 4]);
            let client = app.client.clone();
            let url = app.url(&format!("/api/programs/{program}/dependencies"));
            tasks.push(tokio::spawn(async move {
                let res = client
                    .post(url)
                    .json(&json!({"provider": provider, "consumer": consumer}))
                    .send()
                    .await
                    .unwrap();
                let status = res.status();
                let body: Value = res.json().await.unwrap();
                (status, body)
            }));
        }
        let mut created = 0;
        for task in tasks {
            let (status, body) = task.await.unwrap();
            match status {
                StatusCode::CREATED => created += 1,
                StatusCode::UNPROCESSABLE_ENTITY => {
                    assert_eq!(body["error"]["code"], "dependency_cycle", "{body}");
                    assert_eq!(
                        body["error"]["details"]["cycle"].as_array().unwrap().len(),
                        5
                    );
                }
                other => panic!("unexpected {other}: {body}"),
            }
        }
        assert_eq!(created, 3, "round {round}: exactly one proposal must lose");
    }
    // And the register as folded from the log is acyclic: the analysis builds its graph.
    let v = app.view(program).await;
    assert_eq!(v.dependencies.len(), 18);
    assert!(
        v.try_schedule().is_ok(),
        "the dependencies in the log form a cycle"
    );
}

#[tokio::test]
async fn milestone_and_dependency_changes_are_checked_and_conflicts_detected() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Checks").await;
    let other = app.create_program("Elsewhere").await;
    let p1 = app.add_project(program, "One").await;
    let p2 = app.add_project(program, "Two").await;
    let foreign_project = app.add_project(other, "Foreign").await;
    let m1 = app
        .add_milestone(program, p1, "Kick-off", "2027-01-10")
        .await;
    let m2 = app.add_milestone(program, p2, "Pilot", "2027-02-10").await;
    let foreign = app
        .add_milestone(other, foreign_project, "Theirs", "2027-02-10")
        .await;
    let head_before = app.head().await;

    // Adding: a project of another program, a deliverable without a start, an empty name.
    for (body, field) in [
        (
            json!({"project_id": foreign_project, "name": "X", "owner": "O", "planned": "2027-01-01"}),
            "project_id",
        ),
        (
            json!({"project_id": p1, "name": "X", "owner": "O", "kind": "deliverable", "planned": "2027-01-01"}),
            "start",
        ),
        (
            json!({"project_id": p1, "name": " ", "owner": "O", "planned": "2027-01-01"}),
            "name",
        ),
    ] {
        let res = app
            .post(&format!("/api/programs/{program}/milestones"), &body)
            .await;
        let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["error"]["details"][0]["field"], field, "{body}");
    }
    let res = app
        .post(
            &format!("/api/programs/{program}/milestones"),
            &json!({"project_id": p1}),
        )
        .await;
    assert!(res.status().is_client_error());
    // Another program's milestone, through this program's URL or as a dependency end.
    let res = app
        .post(
            &format!("/api/programs/{program}/milestones/{foreign}/forecast"),
            &json!({"forecast": "2027-03-01"}),
        )
        .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let body = assert_error(
        app.propose(program, foreign, m1, json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(body["error"]["details"][0]["field"], "provider");
    let unknown = MilestoneId::from_uuid(uuid::Uuid::new_v4());
    let res = app
        .post(
            &format!("/api/programs/{program}/milestones/{unknown}/met"),
            &json!({"actual": "2027-03-01"}),
        )
        .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(app.head().await, head_before, "refusals append nothing");

    // Optimistic concurrency on a milestone: the second editor saw version 1.
    let path = format!("/api/programs/{program}/milestones/{m1}/forecast");
    let res = app
        .post(
            &path,
            &json!({"forecast": "2027-01-20", "expected_version": 1}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(
            &path,
            &json!({"forecast": "2027-01-25", "expected_version": 1}),
        )
        .await;
    let body = assert_error(res, StatusCode::CONFLICT, "version_conflict").await;
    assert_eq!(body["error"]["details"]["current_version"], 2);
    let res = app.post(&path, &json!({"forecast": "2027-01-20"})).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "nothing_to_change").await;

    // Re-baselining needs a reason.
    let baseline = format!("/api/programs/{program}/milestones/{m1}/baseline");
    assert_eq!(
        app.post(&baseline, &json!({})).await.status(),
        StatusCode::OK
    );
    let res = app
        .post(&baseline, &json!({"baseline": "2027-02-01"}))
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["error"]["details"][0]["field"], "reason");
    let res = app
        .post(
            &baseline,
            &json!({"baseline": "2027-02-01", "reason": "scope added"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // Dependency lifecycle: agree, then cancel (with a reason), then nothing more.
    let dependency = proposed(
        app.propose(program, m1, m2, json!({"kind": "SS", "lag_days": -2}))
            .await,
    )
    .await;
    let change = |what: &str| format!("/api/programs/{program}/dependencies/{dependency}/{what}");
    assert_eq!(
        app.post(&change("agree"), &json!({})).await.status(),
        StatusCode::OK
    );
    assert_error(
        app.post(&change("agree"), &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_to_change",
    )
    .await;
    assert_error(
        app.post(&change("cancel"), &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_error(
        app.post(&change("rename"), &json!({})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // The register version guards it too.
    let register_version = app.view(program).await.dependencies_version;
    let res = app
        .post(
            &change("need-by"),
            &json!({"need_by": "2027-02-01", "expected_version": register_version - 1}),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "version_conflict").await;
    let res = app
        .post(
            &change("cancel"),
            &json!({"reason": "pilot descoped", "expected_version": register_version}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v = app.view(program).await;
    let d = v.dependency(dependency).unwrap();
    assert_eq!(d.closed_reason.as_deref(), Some("pilot descoped"));
    let a = analysis(&app, program, "2027-01-04").await;
    assert_eq!(
        a.dependency(dependency).unwrap().status,
        DependencyStatus::Cancelled
    );
    assert_error(
        app.post(&change("break"), &json!({"reason": "x"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_to_change",
    )
    .await;

    // Every change is in the program's audit trail, in words.
    let trail: Value = app
        .get(&format!("/api/programs/{program}/events"))
        .await
        .json()
        .await
        .unwrap();
    let types: Vec<&str> = trail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    // Each entry comes described, in the audit trail's words.
    let described: Vec<&str> = trail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["description"].as_str())
        .collect();
    assert_eq!(described.len(), types.len(), "every event is described");
    assert!(
        described
            .iter()
            .any(|d| d.starts_with("Re-baselined from 2027-01-20 to 2027-02-01")),
        "{described:?}"
    );
    for expected in [
        "MilestoneAdded",
        "MilestoneForecastChanged",
        "MilestoneBaselined",
        "MilestoneRebaselined",
        "DependencyProposed",
        "DependencyAgreed",
        "DependencyCancelled",
    ] {
        assert!(
            types.contains(&expected),
            "{expected} missing from {types:?}"
        );
    }
}

#[tokio::test]
async fn the_demo_program_is_a_living_program_seeded_through_the_commands() {
    let app = TestApp::spawn().await;
    let today = chrono::NaiveDate::from_ymd_opt(2027, 1, 11).unwrap();
    let seeded = throughline_backend::demo::seed(&app.store, today)
        .await
        .expect("the demo seeds");
    assert_eq!((seeded.milestones, seeded.dependencies), (40, 31));
    let v = app.view(seeded.program_id).await;
    assert_eq!(v.projects.len(), 6);
    assert_eq!(
        v.phase,
        Some(throughline_shared::scope::ProgramPhase::Delivery)
    );
    assert_eq!(v.scope.iter().filter(|s| !s.in_scope).count(), 2);
    assert!(v.projects.iter().all(|p| p.status.is_some()));
    assert!(
        v.milestones.iter().all(|m| m.baseline.is_some()),
        "baselined"
    );
    assert!(v.milestones.iter().filter(|m| m.actual.is_some()).count() >= 7);
    assert!(v.slips.len() >= 6, "a history of slips");
    assert!(
        v.slips.iter().any(|s| !s.moved.is_empty()),
        "a slip that pushed others"
    );
    // Its downstream moves proposed to their owners: one accepted, the rest pending.
    assert!(!v.pending_moves.is_empty(), "{:?}", v.slips.last());
    let a = analysis(&app, seeded.program_id, "2027-01-11").await;
    let count = |s| a.dependencies.iter().filter(|d| d.status == s).count();
    assert!(count(DependencyStatus::AtRisk) >= 2, "{a:?}");
    assert_eq!(count(DependencyStatus::Late), 1);
    assert_eq!(count(DependencyStatus::Broken), 1);
    assert_eq!(count(DependencyStatus::Cancelled), 1);
    assert!(count(DependencyStatus::Met) >= 1);
    assert!(a.objectives.iter().any(|o| o.threatened));
    assert!(!a.critical_path.is_empty());
    // Its history reads as people doing things, not a script.
    let trail: Value = app
        .get(&format!(
            "/api/programs/{}/events?limit=1000",
            seeded.program_id
        ))
        .await
        .json()
        .await
        .unwrap();
    let actors: std::collections::HashSet<&str> = trail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["metadata"]["actor"].as_str().unwrap())
        .collect();
    assert!(actors.len() >= 6, "{actors:?}");
    // A living RAID register.
    let raid: throughline_shared::raid::register::RaidRegister = app
        .get(&format!(
            "/api/programs/{}/raid?today=2027-01-11",
            seeded.program_id
        ))
        .await
        .json()
        .await
        .unwrap();
    use throughline_shared::raid::risk::{RiskState, Roam};
    let items = raid.risks.len() + raid.issues.len() + raid.assumptions.len();
    assert!((22..=30).contains(&items), "{items} RAID items");
    assert!(
        raid.risks
            .iter()
            .any(|r| r.state == RiskState::Realised && r.issue_id.is_some())
    );
    assert!(raid.risks.iter().any(|r| r.stale));
    assert!(raid.risks.iter().any(|r| r.without_treatment));
    assert!(
        raid.risks
            .iter()
            .any(|r| r.trend.len() >= 3 && r.residual.is_some())
    );
    assert!(
        raid.risks
            .iter()
            .any(|r| r.roam == Roam::Accepted && r.accepted_by.is_some() && r.score >= Some(15)),
        "accepted above appetite through the steering committee"
    );
    assert!(
        raid.causes
            .iter()
            .any(|g| g.risks.len() == 3 && g.projects.len() == 3 && g.above_appetite),
        "{:?}",
        raid.causes
    );
    assert!(raid.assumptions.iter().any(|a| a.risk_id.is_some()));
    assert!(raid.counts.above_appetite >= 1 && raid.counts.issues_open >= 3);
}

#[tokio::test]
async fn a_milestone_is_renamed_and_reowned_on_the_record_and_a_stale_edit_is_a_conflict() {
    use throughline_shared::view::ProgramView;
    let app = TestApp::spawn().await;
    let program = app.create_program("Edits").await;
    let project = app.add_project(program, "Ledger").await;
    let milestone = app
        .add_milestone(program, project, "Gateway cut-over", "2027-03-10")
        .await;
    let details = format!("/api/programs/{program}/milestones/{milestone}/details");
    let head = app.head().await;
    // Absurd and empty edits change nothing.
    for (body, code) in [
        (json!({"name": " "}), "validation_failed"),
        (json!({"owner": "x".repeat(201)}), "validation_failed"),
        (json!({"name": "Gateway cut-over"}), "nothing_to_change"),
        (json!({}), "nothing_to_change"),
    ] {
        let res = app.post(&details, &body).await;
        assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, code).await;
    }
    assert_eq!(app.head().await, head);
    // Both at once, against the version read: one event each, with what it was.
    let res = app
        .post(
            &details,
            &json!({"name": "Gateway go-live", "owner": "Ana Ruiz", "expected_version": 1,
                    "reason": "Scope settled at the design review"}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let view: ProgramView = app
        .get(&format!("/api/programs/{program}"))
        .await
        .json()
        .await
        .unwrap();
    let m = view.milestone(milestone).unwrap();
    assert_eq!(
        (m.name.as_str(), m.owner.as_str()),
        ("Gateway go-live", "Ana Ruiz")
    );
    let audit: Value = app
        .get(&format!(
            "/api/programs/{program}/audit?stream_id={}",
            milestone.0
        ))
        .await
        .json()
        .await
        .unwrap();
    let described: Vec<&str> = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["description"].as_str())
        .collect();
    assert!(
        described.contains(&"Renamed from “Gateway cut-over” to “Gateway go-live”"),
        "{described:?}"
    );
    assert!(
        described
            .iter()
            .any(|d| d.starts_with("Owner changed from") && d.ends_with(" to Ana Ruiz")),
        "{described:?}"
    );
    // An edit of the version before is refused, naming the current one.
    let res = app
        .post(
            &details,
            &json!({"name": "Something else", "expected_version": 1}),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "version_conflict").await;
    // As of before the rename, the old name.
    let then = app.view_at(program, head).await;
    assert_eq!(then.milestone(milestone).unwrap().name, "Gateway cut-over");
}
