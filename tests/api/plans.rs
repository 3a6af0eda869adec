//! Real-shaped MS Project plans (issue 15): tasks with durations come in as deliverables, summary
//! tasks group them (into projects, when asked), links keep their four types and their lags
//! (working-day and elapsed), baselines and actuals come with them, what is not imported is said
//! with the reason, a preview appends nothing, and the plan imported again updates what it
//! imported by its tasks' UIDs.

use reqwest::StatusCode;
use serde_json::json;
use throughline_shared::ProgramId;
use throughline_shared::api::ImportReport;
use throughline_shared::milestone::MilestoneKind;
use throughline_shared::schedule::DependencyType;
use throughline_shared::view::ProgramView;
use throughline_tests::{TestApp, assert_error};

const ONBOARDING: &str = include_str!("../fixtures/mspdi/Onboarding.xml");

async fn import(app: &TestApp, program: ProgramId, query: &str, xml: &str) -> (StatusCode, String) {
    let res = app
        .client
        .post(app.url(&format!("/api/programs/{program}/import/mspdi{query}")))
        .header("content-type", "application/xml")
        .body(xml.to_string())
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn report(
    app: &TestApp,
    program: ProgramId,
    query: &str,
    xml: &str,
    status: StatusCode,
) -> ImportReport {
    let (got, body) = import(app, program, query, xml).await;
    assert_eq!(got, status, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn day(text: &str) -> chrono::NaiveDate {
    text.parse().unwrap()
}

fn by_name<'a>(v: &'a ProgramView, name: &str) -> &'a throughline_shared::view::MilestoneView {
    v.milestones
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[tokio::test]
async fn a_plan_with_summaries_durations_and_all_link_types_is_previewed_then_imported_by_summary()
{
    let app = TestApp::spawn().await;
    let program = app.create_program("Onboarding").await;

    // The preview says what the import would do, and appends nothing.
    let head = app.head().await;
    let preview = report(
        &app,
        program,
        "?grouping=summaries&preview=true",
        ONBOARDING,
        StatusCode::OK,
    )
    .await;
    assert!(preview.preview);
    assert_eq!(app.head().await, head, "a preview appends nothing");
    assert_eq!(
        (
            preview.milestones,
            preview.deliverables,
            preview.baselined,
            preview.met,
            preview.dependencies,
            preview.collapsed_links
        ),
        (8, 4, 5, 2, 8, 1)
    );
    assert_eq!(
        preview.projects_created,
        ["Discovery", "Build", "Rollout", "Merchant Onboarding"]
    );
    assert_eq!(preview.skipped.len(), 2, "{:?}", preview.skipped);
    assert!(
        preview.skipped[0].starts_with("3 summary task(s)"),
        "{:?}",
        preview.skipped
    );
    assert!(
        preview.skipped[1].contains("“Decommission legacy forms”): it has no finish date"),
        "{:?}",
        preview.skipped
    );

    // Imported: the same, now in the log.
    let done = report(
        &app,
        program,
        "?grouping=summaries",
        ONBOARDING,
        StatusCode::CREATED,
    )
    .await;
    assert!(!done.preview && done.position > head);
    assert_eq!(
        (done.milestones, done.deliverables, done.dependencies),
        (8, 4, 8)
    );
    let v = app.view(program).await;
    let mut projects: Vec<&str> = v.projects.iter().map(|p| p.name.as_str()).collect();
    projects.sort_unstable();
    assert_eq!(
        projects,
        ["Build", "Discovery", "Merchant Onboarding", "Rollout"]
    );
    let project_of = |name: &str| {
        let m = by_name(&v, name);
        v.project(m.project_id).unwrap().name.clone()
    };
    assert_eq!(project_of("KYC service"), "Build");
    assert_eq!(project_of("Steering sign-off"), "Merchant Onboarding");

    // A task with a duration is a deliverable: planned as its baseline, forecast as it is now.
    let kyc = by_name(&v, "KYC service");
    assert_eq!(kyc.kind, MilestoneKind::Deliverable);
    assert_eq!(
        (kyc.planned_start, kyc.planned, kyc.baseline),
        (
            Some(day("2027-01-19")),
            day("2027-03-05"),
            Some(day("2027-03-05"))
        )
    );
    assert_eq!(
        (kyc.forecast_start, kyc.forecast),
        (Some(day("2027-01-19")), day("2027-03-12"))
    );
    assert_eq!(kyc.owner, "Lee Chen", "from the resource assignment");
    assert_eq!(
        (kyc.percent_complete, kyc.actual_start),
        (40, Some(day("2027-01-20"))),
        "its progress and actual start, as the plan has them"
    );
    let signed = by_name(&v, "Requirements signed off");
    assert_eq!(signed.kind, MilestoneKind::Milestone);
    assert_eq!(signed.actual, Some(day("2027-01-19")), "met a day late");
    assert_eq!(
        (signed.percent_complete, signed.actual_start),
        (100, None),
        "a point in time has no start"
    );
    let workshops = by_name(&v, "Requirements workshops");
    assert_eq!(
        (
            workshops.percent_complete,
            workshops.actual_start,
            workshops.actual
        ),
        (100, Some(day("2027-01-05")), Some(day("2027-01-15")))
    );

    // Links keep their type and lag; one through a summary task is followed back to its task.
    let link = |provider: &str, consumer: &str| {
        let (p, c) = (
            by_name(&v, provider).milestone_id,
            by_name(&v, consumer).milestone_id,
        );
        v.dependencies
            .iter()
            .find(|d| d.provider == p && d.consumer == c)
            .map(|d| (d.kind, d.lag_days))
            .unwrap_or_else(|| panic!("no link {provider} → {consumer}"))
    };
    assert_eq!(
        link("Requirements workshops", "Requirements signed off"),
        (DependencyType::FinishToStart, 1)
    );
    assert_eq!(
        link("KYC service", "Onboarding UI"),
        (DependencyType::StartToStart, 4)
    );
    assert_eq!(
        link("Onboarding UI", "Integration tested"),
        (DependencyType::FinishToFinish, 5),
        "an elapsed lag counts calendar days"
    );
    assert_eq!(
        link("Integration tested", "Pilot merchants live"),
        (DependencyType::StartToFinish, 0)
    );
    assert_eq!(
        link("Integration tested", "Rollout to all merchants"),
        (DependencyType::FinishToStart, 0),
        "through the Rollout summary"
    );

    // The plan again, updated: a slipped task and a new one. Tasks are matched by their UIDs:
    // the slip moves the forecast, the new task joins its summary's project, nothing doubles.
    let updated = ONBOARDING
        .replace(
            "<Finish>2027-03-12T17:00:00</Finish>",
            "<Finish>2027-03-26T17:00:00</Finish>",
        )
        .replace(
            "<PercentComplete>40</PercentComplete>",
            "<PercentComplete>60</PercentComplete>",
        )
        .replace(
            "\t\t<Task>\n\t\t\t<UID>13</UID>",
            "\t\t<Task>\n\t\t\t<UID>14</UID>\n\t\t\t<ID>14</ID>\n\t\t\t<Name>Merchant support trained</Name>\n\t\t\t<OutlineLevel>2</OutlineLevel>\n\t\t\t<Start>2027-05-03T08:00:00</Start>\n\t\t\t<Finish>2027-05-14T17:00:00</Finish>\n\t\t\t<PredecessorLink><PredecessorUID>9</PredecessorUID><Type>1</Type></PredecessorLink>\n\t\t</Task>\n\t\t<Task>\n\t\t\t<UID>13</UID>",
        );
    assert_ne!(updated, ONBOARDING);
    let again = report(
        &app,
        program,
        "?grouping=summaries",
        &updated,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        (
            again.milestones,
            again.updated,
            again.unchanged,
            again.dependencies
        ),
        (1, 1, 7, 1)
    );
    assert!(
        again.projects_created.is_empty(),
        "{:?}",
        again.projects_created
    );
    let v = app.view(program).await;
    assert_eq!(v.milestones.len(), 9);
    let kyc = by_name(&v, "KYC service");
    assert_eq!(
        (kyc.forecast, kyc.percent_complete),
        (day("2027-03-26"), 60)
    );
    let trained = by_name(&v, "Merchant support trained");
    assert_eq!(v.project(trained.project_id).unwrap().name, "Rollout");
    assert_eq!(v.dependencies.len(), 9);
}

#[tokio::test]
async fn a_plan_goes_into_one_project_unless_grouped_and_other_formats_are_refused() {
    let app = TestApp::spawn().await;
    let program = app.create_program("One project").await;
    let done = report(&app, program, "", ONBOARDING, StatusCode::CREATED).await;
    assert_eq!(done.projects_created, ["Merchant Onboarding"]);
    let v = app.view(program).await;
    assert_eq!(v.projects.len(), 1);
    assert_eq!(v.milestones.len(), 8);
    assert!(v.milestones.iter().all(|m| m.project_id == done.project_id));

    // A project named with grouping by summaries is a contradiction; a P6 file is named as such.
    let (status, body) = import(
        &app,
        program,
        &format!("?grouping=summaries&project_id={}", done.project_id),
        ONBOARDING,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let p6 = r#"<?xml version="1.0"?><APIBusinessObjects xmlns="http://xmlns.oracle.com/Primavera/P6/V8.4/API/BusinessObjects"></APIBusinessObjects>"#;
    let (status, body) = import(&app, program, "", p6).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("Primavera P6"), "{body}");
}

#[tokio::test]
async fn progress_is_reported_against_the_milestones_version_and_absurd_reports_change_nothing() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Progress").await;
    let (_, body) = import(&app, program, "", ONBOARDING).await;
    assert!(body.contains("\"milestones\":8"), "{body}");
    let v = app.view(program).await;
    let ui = by_name(&v, "Onboarding UI");
    let path = format!(
        "/api/programs/{program}/milestones/{}/progress",
        ui.milestone_id
    );
    let head = app.head().await;
    for bad in [
        json!({"percent_complete": 101}),
        json!({"percent_complete": 300}),
        json!({"percent_complete": -1}),
        json!({"percent_complete": 50, "actual_start": "2999-01-01"}),
        json!({"percent_complete": "half"}),
    ] {
        let res = app.post(&path, &bad).await;
        assert!(res.status().is_client_error(), "{bad}: {}", res.status());
    }
    assert_eq!(app.head().await, head, "refused reports change nothing");

    let res = app
        .post(
            &path,
            &json!({"percent_complete": 55, "actual_start": "2027-01-26", "expected_version": ui.version, "reason": "weekly update"}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let v = app.view(program).await;
    let now = by_name(&v, "Onboarding UI");
    assert_eq!(
        (now.percent_complete, now.actual_start),
        (55, Some(day("2027-01-26")))
    );
    // The same report again is nothing to change; an old version is a conflict.
    assert_error(
        app.post(&path, &json!({"percent_complete": 55})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_to_change",
    )
    .await;
    assert_error(
        app.post(
            &path,
            &json!({"percent_complete": 70, "expected_version": ui.version}),
        )
        .await,
        StatusCode::CONFLICT,
        "version_conflict",
    )
    .await;
    // A point in time has no start.
    let gate = by_name(&v, "Steering sign-off");
    assert_error(
        app.post(
            &format!(
                "/api/programs/{program}/milestones/{}/progress",
                gate.milestone_id
            ),
            &json!({"percent_complete": 10, "actual_start": "2027-01-26"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}
