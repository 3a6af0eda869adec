//! Exports are safe to open: spreadsheet formulas in names come out as text (and go back in as
//! the same names), names with line breaks add nothing to the calendar, and every response (API
//! and UI) carries the security headers.

use reqwest::StatusCode;
use serde_json::json;
use throughline_shared::api::CsvImportReport;
use throughline_shared::view::ProgramView;
use throughline_tests::TestApp;

/// Cells a spreadsheet runs as formulas start with one of these (OWASP "CSV injection").
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Project names and milestone names (each milestone's owner is "<name> owner").
const LINK: &str = "=HYPERLINK(\"http://x\")";
const SUM: &str = "@SUM(A1)";
const MILESTONES: [(&str, &str); 4] = [
    (LINK, "+1"),
    (SUM, "-2+3"),
    (LINK, "'=already quoted"),
    (SUM, "Plain, with \"quotes\""),
];

/// RFC 4180 records (quoted fields, doubled quotes, line breaks inside quotes).
fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// The records of a CSV export as maps from its header's column names.
fn table(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut records = csv_records(text).into_iter();
    let header = records.next().expect("a header");
    records
        .map(|r| {
            assert_eq!(r.len(), header.len(), "{r:?}");
            header.iter().cloned().zip(r).collect()
        })
        .collect()
}

/// No cell starts a formula, except numbers (a lag of -2 stays a number).
fn assert_no_formulas(text: &str) {
    for record in csv_records(text) {
        for cell in record {
            assert!(
                !cell.starts_with(TRIGGERS) || cell.parse::<f64>().is_ok(),
                "{cell:?} would run as a formula in\n{text}"
            );
        }
    }
}

/// (project, milestone, owner) of every milestone, sorted.
fn names(view: &ProgramView) -> Vec<(String, String, String)> {
    let mut names: Vec<_> = view
        .milestones
        .iter()
        .map(|m| {
            (
                view.project(m.project_id).unwrap().name.clone(),
                m.name.clone(),
                m.owner.clone(),
            )
        })
        .collect();
    names.sort();
    names
}

async fn post_csv(app: &TestApp, path: &str, body: String) -> CsvImportReport {
    let res = app
        .client
        .post(app.url(path))
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    res.json().await.unwrap()
}

/// The export with its first column (the ids) emptied: rows to add to another program.
fn without_ids(exported: &str) -> String {
    let mut lines = exported.lines();
    let header = lines.next().unwrap().to_string();
    lines.fold(header + "\n", |out, line| {
        out + "," + line.split_once(',').unwrap().1 + "\n"
    })
}

#[tokio::test]
async fn csv_exports_turn_formulas_into_text_and_import_back_to_the_same_names() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Exports").await;
    let link = app.add_project(program, LINK).await;
    let sum = app.add_project(program, SUM).await;
    let mut ids = Vec::new();
    for (i, (project, name)) in MILESTONES.iter().enumerate() {
        let project = if *project == LINK { link } else { sum };
        let planned = format!("2027-0{}-01", i + 3);
        ids.push(app.add_milestone(program, project, name, &planned).await);
    }
    let res = app
        .propose(program, ids[0], ids[1], json!({"lag_days": -2}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .post(
            &format!("/api/programs/{program}/milestones/{}/forecast", ids[1]),
            &json!({"forecast": "2027-04-08", "reason": "=1+1 (supplier late)"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let milestones_path = format!("/api/programs/{program}/milestones.csv");
    let exported = app.get(&milestones_path).await.text().await.unwrap();
    assert_no_formulas(&exported);
    let rows = table(&exported);
    let row = |name: &str| {
        rows.iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no row named {name:?} in\n{exported}"))
    };
    let plus = row("'+1");
    assert_eq!(
        (plus["project"].as_str(), plus["owner"].as_str()),
        ("'=HYPERLINK(\"http://x\")", "'+1 owner")
    );
    assert_eq!(row("'-2+3")["project"], "'@SUM(A1)");
    // A quote that was typed gets the guard in front, so an import can tell the two apart.
    assert_eq!(row("''=already quoted")["owner"], "''=already quoted owner");
    assert_eq!(
        row("Plain, with \"quotes\"")["owner"],
        "Plain, with \"quotes\" owner"
    );

    let exported_deps = app
        .get(&format!("/api/programs/{program}/dependencies.csv"))
        .await
        .text()
        .await
        .unwrap();
    assert_no_formulas(&exported_deps);
    let deps = table(&exported_deps);
    assert_eq!(deps.len(), 1);
    let dep = &deps[0];
    assert_eq!(
        (
            dep["provider_project"].as_str(),
            dep["provider"].as_str(),
            dep["consumer_project"].as_str(),
            dep["consumer"].as_str(),
            dep["provider_owner"].as_str(),
            dep["consumer_owner"].as_str(),
        ),
        (
            "'=HYPERLINK(\"http://x\")",
            "'+1",
            "'@SUM(A1)",
            "'-2+3",
            "'+1 owner",
            "'-2+3 owner"
        )
    );
    assert_eq!(dep["lag_days"], "-2", "a negative number stays a number");

    let audit = app
        .get(&format!("/api/programs/{program}/audit?format=csv"))
        .await;
    assert_eq!(audit.status(), StatusCode::OK);
    let audit = audit.text().await.unwrap();
    assert_no_formulas(&audit);
    assert!(
        table(&audit)
            .iter()
            .any(|r| r["reason"] == "'=1+1 (supplier late)"),
        "{audit}"
    );

    // The milestones and the dependency into another program with projects of the same names:
    // the names come back exactly, and the lag as the number it was.
    let original = app.view(program).await;
    let copy = app.create_program("Copy").await;
    app.add_project(copy, LINK).await;
    app.add_project(copy, SUM).await;
    let report = post_csv(
        &app,
        &format!("/api/programs/{copy}/milestones.csv"),
        without_ids(&exported),
    )
    .await;
    assert_eq!(report.created, MILESTONES.len());
    let report = post_csv(
        &app,
        &format!("/api/programs/{copy}/dependencies.csv"),
        without_ids(&exported_deps),
    )
    .await;
    assert_eq!(report.created, 1);
    let copied = app.view(copy).await;
    assert_eq!(names(&copied), names(&original));
    let name = |v: &ProgramView, id| v.milestone(id).unwrap().name.clone();
    let d = &copied.dependencies[0];
    assert_eq!(
        (
            name(&copied, d.provider),
            name(&copied, d.consumer),
            d.lag_days
        ),
        ("+1".to_string(), "-2+3".to_string(), -2)
    );
}

#[tokio::test]
async fn the_calendar_keeps_hostile_names_inside_their_properties() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Calendar; with, commas \\ too").await;
    // Names are single lines where the API refuses line breaks; the calendar's unit tests cover
    // names with line breaks from before that (the log keeps them).
    let injected = "Ops\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nEND:VALARM";
    let res = app
        .post(
            &format!("/api/programs/{program}/projects"),
            &json!({"name": injected, "manager": "Lee Manager"}),
        )
        .await;
    let project_name = match res.status() {
        StatusCode::CREATED => injected,
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "Ops, Infra; R&D \\ 2027",
        other => panic!("adding a project: {other} {}", res.text().await.unwrap()),
    };
    let project = app.add_project(program, project_name).await;
    let milestone_names = ["Go-live, phase 1; \\ final", "=HYPERLINK(\"http://x\")"];
    for name in milestone_names {
        app.add_milestone(program, project, name, "2027-05-03")
            .await;
    }

    let res = app
        .get(&format!("/api/programs/{program}/calendar.ics"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    let unfolded = text.replace("\r\n ", "").replace("\r\n\t", "");
    let lines: Vec<&str> = unfolded.trim_end_matches("\r\n").split("\r\n").collect();
    for line in &lines {
        assert!(
            !line.contains(['\r', '\n']),
            "a bare line break in {line:?}"
        );
        for injected in ["BEGIN:VALARM", "END:VALARM", "ACTION:", "TRIGGER:"] {
            assert!(!line.starts_with(injected), "injected {line:?} in\n{text}");
        }
    }
    let count = |wanted: &str| lines.iter().filter(|l| **l == wanted).count();
    assert_eq!(
        (count("BEGIN:VEVENT"), count("END:VEVENT")),
        (milestone_names.len(), milestone_names.len())
    );

    // A real parser reads every name back whole, the project as one category.
    use icalendar::{Component, EventLike};
    let parsed: icalendar::Calendar = text.parse().expect("RFC 5545");
    let clean = project_name.replace('\r', "");
    let mut summaries = Vec::new();
    for event in parsed.components.iter().filter_map(|c| c.as_event()) {
        summaries.push(event.get_summary().unwrap().to_string());
        assert_eq!(event.get_categories(), Some(vec![clean.clone()]));
    }
    summaries.sort();
    let mut expected: Vec<String> = milestone_names
        .iter()
        .map(|m| format!("{clean}: {m}"))
        .collect();
    expected.sort();
    assert_eq!(summaries, expected);
    assert_eq!(
        parsed.property_value("X-WR-CALNAME"),
        Some("Calendar; with, commas \\ too — milestones")
    );
    // NAME (RFC 7986) is TEXT too, which this parser leaves escaped.
    assert_eq!(
        parsed.property_value("NAME"),
        Some("Calendar\\; with\\, commas \\\\ too — milestones")
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let anonymous = reqwest::Client::new();
    let responses = [
        ("health", app.get("/api/health").await),
        // Tests run without a built UI: the UI route answers that it is missing.
        ("ui", anonymous.get(app.url("/")).send().await.unwrap()),
        (
            "deep link",
            anonymous.get(app.url("/programs/x")).send().await.unwrap(),
        ),
        (
            "unauthenticated",
            anonymous
                .get(app.url("/api/programs"))
                .send()
                .await
                .unwrap(),
        ),
        (
            "not found",
            app.get(&format!("/api/programs/{}", uuid::Uuid::new_v4()))
                .await,
        ),
    ];
    for (what, res) in responses {
        let header = |name: &str| {
            res.headers()
                .get(name)
                .unwrap_or_else(|| panic!("{what} ({}): no {name}", res.status()))
                .to_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(header("x-frame-options"), "DENY", "{what}");
        assert_eq!(header("referrer-policy"), "same-origin", "{what}");
        assert!(res.headers().get("strict-transport-security").is_none());
        let csp = header("content-security-policy");
        let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
        for wanted in [
            "default-src 'none'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
            "form-action 'self'",
        ] {
            assert!(directives.contains(&wanted), "{what}: {wanted} in {csp}");
        }
        let scripts = directives
            .iter()
            .find(|d| d.starts_with("script-src "))
            .unwrap_or_else(|| panic!("{what}: no script-src in {csp}"));
        assert!(
            scripts.starts_with("script-src 'self' 'wasm-unsafe-eval'")
                && !scripts.contains("'unsafe-inline'")
                && !scripts.contains("'unsafe-eval'"),
            "{what}: {scripts}"
        );
    }
}
