//! MS Project import (realistic multi-project plans with baselines and cross-project links, and
//! malformed files that import nothing) and the iCalendar feed behind a revocable token URL.

use reqwest::StatusCode;
use serde_json::{Value, json};
use throughline_shared::ProgramId;
use throughline_shared::access::TokenScope;
use throughline_shared::analysis::ScheduleAnalysis;
use throughline_shared::api::ImportReport;
use throughline_shared::schedule::DependencyType;
use throughline_shared::view::ProgramView;
use throughline_tests::{PASSWORD, TestApp, assert_error};

const LEDGER: &str = include_str!("../fixtures/mspdi/Ledger.xml");
const GATEWAY: &str = include_str!("../fixtures/mspdi/Gateway.xml");

async fn import(app: &TestApp, program: ProgramId, xml: &str, query: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/programs/{program}/import/mspdi{query}")))
        .header("content-type", "application/xml")
        .body(xml.to_string())
        .send()
        .await
        .unwrap()
}

fn date(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

#[tokio::test]
async fn two_ms_project_plans_import_with_baselines_and_cross_project_links() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Payments").await;

    let res = import(&app, program, LEDGER, "").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let ledger: ImportReport = res.json().await.unwrap();
    assert!(ledger.project_created);
    assert_eq!(
        (
            ledger.milestones,
            ledger.baselined,
            ledger.met,
            ledger.dependencies
        ),
        (6, 4, 2, 5)
    );
    assert_eq!(
        ledger.deliverables, 2,
        "the workshops and the engine's build"
    );
    assert_eq!(
        ledger.collapsed_links, 0,
        "every task is imported: no link to follow back"
    );
    assert!(ledger.warnings.is_empty());

    let v = app.view(program).await;
    let project = v.project(ledger.project_id).unwrap();
    assert_eq!(
        (project.name.as_str(), project.manager.as_str()),
        ("Core Ledger Replacement", "Amara Okafor")
    );
    let by_name = |v: &ProgramView, name: &str| {
        v.milestones
            .iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("{name} not imported"))
            .clone()
    };
    let model = by_name(&v, "Ledger data model agreed");
    assert_eq!(model.actual, Some(date("2027-02-03")), "met two days late");
    let posting = by_name(&v, "Posting API ready");
    assert_eq!(
        (posting.baseline, posting.forecast),
        (Some(date("2027-04-16")), date("2027-04-30"))
    );
    assert_eq!(posting.variance_days(), Some(14));
    assert_eq!(posting.owner, "Yusuf Demir", "from the resource assignment");
    assert_eq!(posting.external_ref.as_deref(), Some("Ledger#5"));
    let parallel = by_name(&v, "Parallel run complete");
    assert_eq!(
        parallel.baseline,
        Some(date("2027-07-16")),
        "baseline 0, not baseline 1"
    );
    let go_live = by_name(&v, "Ledger go-live");
    let link = |from: &str, to: &str| {
        let (p, c) = (by_name(&v, from).milestone_id, by_name(&v, to).milestone_id);
        v.dependencies
            .iter()
            .find(|d| d.provider == p && d.consumer == c)
            .unwrap_or_else(|| panic!("no dependency {from} → {to}"))
            .clone()
    };
    assert_eq!(
        (
            link("Build double-entry engine", "Posting API ready").kind,
            link("Build double-entry engine", "Posting API ready").lag_days
        ),
        (DependencyType::FinishToStart, 5)
    );
    let engine = by_name(&v, "Build double-entry engine");
    assert_eq!(
        engine.kind,
        throughline_shared::milestone::MilestoneKind::Deliverable
    );
    assert_eq!(
        (engine.forecast_start, engine.forecast),
        (Some(date("2027-02-02")), date("2027-04-23"))
    );
    // 144000 tenths of a minute in elapsed days (LagFormat 8) = 10 days.
    assert_eq!(
        link("Posting API ready", "Parallel run complete").lag_days,
        10
    );
    assert_eq!(
        link("Parallel run complete", "Ledger go-live").kind,
        DependencyType::FinishToFinish
    );
    assert_eq!(
        go_live.owner, "Amara Okafor",
        "no assignment: the plan's manager"
    );

    // The second plan links into the first (CrossProject), and once to a plan not imported.
    let res = import(&app, program, GATEWAY, "").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let gateway: ImportReport = res.json().await.unwrap();
    assert_eq!(
        (
            gateway.milestones,
            gateway.dependencies,
            gateway.collapsed_links
        ),
        (4, 5, 0)
    );
    assert_eq!(gateway.warnings.len(), 1, "{:?}", gateway.warnings);
    assert!(
        gateway.warnings[0].contains("Fraud"),
        "{:?}",
        gateway.warnings
    );
    let v = app.view(program).await;
    let cross = link_in(&v, "Ledger go-live", "Traffic cut over");
    assert_eq!(
        (cross.kind, cross.lag_days),
        (DependencyType::FinishToStart, 5)
    );
    assert_ne!(cross.provider_project, cross.consumer_project);
    link_in(&v, "Posting API ready", "Integrate posting API");
    assert_eq!(
        link_in(&v, "Gateway end-to-end tested", "Traffic cut over").lag_days,
        1
    );

    // The analysis sees one program across both plans.
    let analysis: ScheduleAnalysis = app
        .get(&format!(
            "/api/programs/{program}/schedule?today=2027-01-04"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(analysis.dependencies.len(), 10);

    // The same plan again changes nothing: its tasks are the milestones imported by their UIDs.
    let before = app.head().await;
    let res = import(&app, program, LEDGER, "").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let again: ImportReport = res.json().await.unwrap();
    assert_eq!(
        (
            again.milestones,
            again.updated,
            again.unchanged,
            again.dependencies
        ),
        (0, 0, 6, 0)
    );
    assert_eq!(app.head().await, before);

    // Every imported event says where it came from.
    let trail: Value = app
        .get(&format!("/api/programs/{program}/events?limit=1000"))
        .await
        .json()
        .await
        .unwrap();
    let reasons: Vec<&str> = trail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event_type"] == "MilestoneAdded")
        .map(|e| e["metadata"]["reason"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(reasons.len(), 10);
    assert!(reasons.iter().all(|r| r.contains("MS Project plan")));
}

fn link_in(v: &ProgramView, from: &str, to: &str) -> throughline_shared::view::DependencyView {
    let id = |name: &str| {
        v.milestones
            .iter()
            .find(|m| m.name == name)
            .unwrap()
            .milestone_id
    };
    let (p, c) = (id(from), id(to));
    v.dependencies
        .iter()
        .find(|d| d.provider == p && d.consumer == c)
        .unwrap_or_else(|| panic!("no dependency {from} → {to}"))
        .clone()
}

#[tokio::test]
async fn a_malformed_plan_is_refused_with_a_clear_error_and_imports_nothing() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Payments").await;
    let existing = app.add_project(program, "Existing").await;
    let before = app.head().await;
    let cycle = LEDGER.replace(
        "<PredecessorUID>2</PredecessorUID>",
        "<PredecessorUID>7</PredecessorUID>",
    );
    let cases: Vec<(String, &str, &str)> = vec![
        (
            "<Project><Tasks>".into(),
            "invalid_mspdi",
            "not well-formed XML",
        ),
        (
            "<Plan><Name>x</Name></Plan>".into(),
            "invalid_mspdi",
            "not an MS Project",
        ),
        (
            LEDGER.replace("2027-07-30T17:00:00", "30/07/2027"),
            "invalid_mspdi",
            "not a date",
        ),
        (
            LEDGER.replace(
                "<PredecessorUID>4</PredecessorUID>",
                "<PredecessorUID>44</PredecessorUID>",
            ),
            "invalid_mspdi",
            "task 44",
        ),
        (
            LEDGER.replace("<UID>6</UID>", "<UID>5</UID>"),
            "invalid_mspdi",
            "appears twice",
        ),
        (
            LEDGER.replace(
                "<Type>0</Type>\n\t\t\t\t<CrossProject>",
                "<Type>7</Type>\n\t\t\t\t<CrossProject>",
            ),
            "invalid_mspdi",
            "link type",
        ),
        (
            "<Project><Title>Empty</Title><Tasks><Task><UID>0</UID><OutlineLevel>0</OutlineLevel>\
             <Summary>1</Summary></Task></Tasks></Project>"
                .to_string(),
            "validation_failed",
            "no tasks to import",
        ),
        // Go-live → data model, through the workshops task: a cycle of milestones.
        (cycle, "dependency_cycle", "Ledger data model agreed"),
    ];
    for (xml, code, says) in cases {
        let body = assert_error(
            import(&app, program, &xml, "").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
        )
        .await;
        let message = body["error"]["message"].as_str().unwrap().to_string()
            + &body["error"]["details"].to_string();
        assert!(
            message.contains(says),
            "{code}: {message} should mention {says:?}"
        );
    }
    // Into a project of another program, or one that does not exist.
    let other = app.create_program("Other").await;
    let foreign = app.add_project(other, "Foreign").await;
    let before_foreign = app.head().await;
    assert_error(
        import(&app, program, LEDGER, &format!("?project_id={foreign}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(app.head().await, before_foreign);
    assert!(
        app.view(program).await.milestones.is_empty(),
        "nothing was imported"
    );
    assert!(before < before_foreign);
    // Into an existing project it lands there, without creating one.
    let res = import(&app, program, LEDGER, &format!("?project_id={existing}")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let report: ImportReport = res.json().await.unwrap();
    assert_eq!(
        (report.project_id, report.project_created),
        (existing, false)
    );
    assert_eq!(app.view(program).await.projects.len(), 1);

    // A viewer may not import.
    let (viewer, client) = app.client_as("viewer").await;
    app.grant(program, viewer, "viewer", None).await;
    let res = client
        .post(app.url(&format!("/api/programs/{program}/import/mspdi")))
        .body(GATEWAY)
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn the_calendar_feed_is_rfc_5545_behind_a_revocable_read_only_token_url() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Payments").await;
    assert_eq!(
        import(&app, program, LEDGER, "").await.status(),
        StatusCode::CREATED
    );
    let other = app.create_program("Other").await;
    let (owner, _) = app.client_as("calendar-owner").await;
    app.grant(program, owner, "viewer", None).await;
    let feed_token = app
        .token_for(owner, TokenScope::ReadOnly, Some(program))
        .await;
    let url = |token: &str| {
        app.url(&format!(
            "/api/programs/{program}/calendar.ics?token={token}"
        ))
    };
    let anonymous = reqwest::Client::new();

    let res = anonymous.get(url(&feed_token)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = res.text().await.unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(
        text.lines().all(|l| l.len() <= 75),
        "lines are folded at 75 octets"
    );
    let parsed: icalendar::Calendar = text.parse().expect("a real iCalendar parser reads it");
    let events: Vec<&icalendar::Event> = parsed
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .collect();
    assert_eq!(events.len(), 6, "one per milestone and deliverable");
    use icalendar::Component;
    let posting = events
        .iter()
        .find(|e| {
            e.get_summary()
                .is_some_and(|s| s.ends_with("Posting API ready"))
        })
        .expect("the posting API milestone");
    assert_eq!(
        posting.get_start(),
        Some(icalendar::DatePerhapsTime::Date(date("2027-04-30")))
    );
    assert!(
        posting
            .get_description()
            .unwrap()
            .contains("Baseline: 2027-04-16 (+14 days)")
    );
    let uid = posting.get_uid().unwrap().to_string();
    let sequence = posting.property_value("SEQUENCE").unwrap().to_string();

    // The forecast moves: same UID, later SEQUENCE, new date.
    let milestone = uid.trim_end_matches("@throughline");
    let res = app
        .post(
            &format!("/api/programs/{program}/milestones/{milestone}/forecast"),
            &json!({"forecast": "2027-05-14"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = anonymous
        .get(url(&feed_token))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let parsed: icalendar::Calendar = text.parse().unwrap();
    let moved = parsed
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .find(|e| e.get_uid() == Some(uid.as_str()))
        .unwrap();
    assert_eq!(
        moved.get_start(),
        Some(icalendar::DatePerhapsTime::Date(date("2027-05-14")))
    );
    assert!(
        moved
            .property_value("SEQUENCE")
            .unwrap()
            .parse::<i64>()
            .unwrap()
            > sequence.parse::<i64>().unwrap()
    );

    // Refusals: no token, a read-write token in a URL, another program, a revoked token.
    let res = anonymous
        .get(app.url(&format!("/api/programs/{program}/calendar.ics")))
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let read_write = app
        .token_for(owner, TokenScope::ReadWrite, Some(program))
        .await;
    assert_error(
        anonymous.get(url(&read_write)).send().await.unwrap(),
        StatusCode::FORBIDDEN,
        "token_not_read_only",
    )
    .await;
    let res = anonymous
        .get(app.url(&format!(
            "/api/programs/{other}/calendar.ics?token={feed_token}"
        )))
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    // The token works only for the feed, not as a query parameter elsewhere.
    let res = anonymous
        .get(app.url(&format!("/api/programs/{program}?token={feed_token}")))
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let token_id: uuid::Uuid = sqlx::query_scalar(
        "SELECT token_id FROM api_tokens WHERE user_id = $1 AND scope = 'read_only'",
    )
    .bind(owner.0)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let session = app.login("calendar-owner", PASSWORD).await.unwrap();
    let res = session
        .post(app.url(&format!("/api/tokens/{token_id}/revoke")))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert_error(
        anonymous.get(url(&feed_token)).send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
}

async fn post_csv(app: &TestApp, path: &str, body: String) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn milestones_and_dependencies_round_trip_through_csv_all_or_nothing() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Payments").await;
    assert_eq!(
        import(&app, program, LEDGER, "").await.status(),
        StatusCode::CREATED
    );
    let milestones_path = format!("/api/programs/{program}/milestones.csv");
    let res = app.get(&milestones_path).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("milestones.csv")
    );
    let exported = res.text().await.unwrap();
    let lines: Vec<&str> = exported.lines().collect();
    assert_eq!(
        lines[0],
        "milestone_id,project,name,kind,owner,planned_start,planned,baseline,forecast_start,forecast,actual,variance_days"
    );
    assert_eq!(
        lines.len(),
        7,
        "the plan's four milestones and two deliverables"
    );
    let posting = lines
        .iter()
        .find(|l| l.contains("Posting API ready"))
        .unwrap();
    assert!(
        posting.ends_with(",2027-04-16,2027-04-16,,2027-04-30,,14"),
        "{posting}"
    );

    // Edit one forecast in "the spreadsheet", add a milestone, send it back.
    let edited = exported.replace(
        ",2027-04-16,2027-04-16,,2027-04-30,,14",
        ",2027-04-16,2027-04-16,,2027-05-07,,14",
    ) + "\n,Core Ledger Replacement,Cut-over rehearsal,milestone,Grace Liu,,2027-08-09,,,,,\n";
    let res = post_csv(&app, &milestones_path, edited).await;
    assert_eq!(res.status(), StatusCode::OK);
    let report: throughline_shared::api::CsvImportReport = res.json().await.unwrap();
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (1, 1, 5)
    );
    let v = app.view(program).await;
    let find = |name: &str| {
        v.milestones
            .iter()
            .find(|m| m.name == name)
            .unwrap()
            .clone()
    };
    assert_eq!(find("Posting API ready").forecast, date("2027-05-07"));
    assert_eq!(find("Cut-over rehearsal").owner, "Grace Liu");
    // The same file again changes nothing more.
    let res = post_csv(
        &app,
        &milestones_path,
        app.get(&milestones_path).await.text().await.unwrap(),
    )
    .await;
    let report: throughline_shared::api::CsvImportReport = res.json().await.unwrap();
    assert_eq!(
        (
            report.created,
            report.updated,
            report.unchanged,
            report.position
        ),
        (0, 0, 7, 0)
    );

    // Bad rows are all reported, and nothing of the file is applied.
    let before = app.head().await;
    let bad = "project,name,kind,owner,planned\n\
               Core Ledger Replacement,Good row,milestone,Grace Liu,2027-09-01\n\
               No such project,Orphan,milestone,Grace Liu,2027-09-01\n\
               Core Ledger Replacement,Bad date,milestone,Grace Liu,01/09/2027\n\
               Core Ledger Replacement,,milestone,Grace Liu,2027-09-01\n";
    let body = assert_error(
        post_csv(&app, &milestones_path, bad.into()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_csv",
    )
    .await;
    let rows = body["error"]["details"]["rows"].as_array().unwrap();
    assert!(
        rows.iter()
            .any(|r| r.as_str().unwrap().starts_with("row 4")),
        "{rows:?}"
    );
    let body = assert_error(
        post_csv(
            &app,
            &milestones_path,
            bad.replace("01/09/2027", "2027-09-01"),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_csv",
    )
    .await;
    let rows: Vec<&str> = body["error"]["details"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows[0].starts_with("row 3") && rows[0].contains("No such project"),
        "{rows:?}"
    );
    assert!(
        rows[1].starts_with("row 5") && rows[1].contains("name"),
        "{rows:?}"
    );
    assert_eq!(app.head().await, before, "nothing was applied");

    // Dependencies: exported with status, imported by names; a cycle is refused, named.
    let deps_path = format!("/api/programs/{program}/dependencies.csv");
    let exported = app.get(&deps_path).await.text().await.unwrap();
    assert!(exported.starts_with("dependency_id,provider_project,provider,consumer_project,consumer,type,lag_days,need_by,state,status,gap_days,"));
    assert_eq!(exported.lines().count(), 6);
    let new = "provider_project,provider,consumer_project,consumer,type,lag_days,need_by\n\
               Core Ledger Replacement,Ledger go-live,Core Ledger Replacement,Cut-over rehearsal,SS,-7,2027-08-01\n";
    let res = post_csv(&app, &deps_path, new.into()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let report: throughline_shared::api::CsvImportReport = res.json().await.unwrap();
    assert_eq!((report.created, report.updated), (1, 0));
    let res = post_csv(&app, &deps_path, new.replace("2027-08-01", "2027-08-02")).await;
    let report: throughline_shared::api::CsvImportReport = res.json().await.unwrap();
    assert_eq!(
        (report.created, report.updated),
        (0, 1),
        "a changed need-by date"
    );
    let cycle = "provider_project,provider,consumer_project,consumer\n\
                 Core Ledger Replacement,Ledger go-live,Core Ledger Replacement,Posting API ready\n";
    let before = app.head().await;
    let body = assert_error(
        post_csv(&app, &deps_path, cycle.into()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_csv",
    )
    .await;
    assert!(
        body["error"]["message"].as_str().unwrap().contains("cycle"),
        "{body}"
    );
    assert_eq!(app.head().await, before);
    let dependency = app
        .view(program)
        .await
        .dependencies
        .into_iter()
        .find(|d| d.kind == DependencyType::StartToStart)
        .unwrap();
    assert_eq!(
        (dependency.lag_days, dependency.need_by),
        (-7, Some(date("2027-08-02")))
    );
}
