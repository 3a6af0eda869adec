//! What the log says must be right: an outcome names the people whose votes carried it; an
//! exported dependencies file imported again keeps every dependency's state (or is refused row by
//! row, never reviving what was closed); an ambiguous name in an import is refused, never matched
//! to the first; and a change the decision rights give to a forum cannot be made directly.

use reqwest::StatusCode;
use serde_json::{Value, json};
use throughline_backend::accounts::user_id_for;
use throughline_backend::event_store::{AppendRequest, ExpectedVersion, NewEvent, StreamAppend};
use throughline_backend::request_context::RequestContext;
use throughline_shared::api::{CommandAccepted, CsvImportReport, EventPage, ImportReport};
use throughline_shared::dependency::DependencyState;
use throughline_shared::event::AggregateEvent;
use throughline_shared::governance::requests::GovernanceResponse;
use throughline_shared::ids::{DependencyId, MilestoneId};
use throughline_shared::milestone::{Milestone, MilestoneCommand, MilestoneEvent, MilestoneKind};
use throughline_shared::view::ProgramView;
use throughline_shared::{ProgramId, ProjectId, UserId};
use throughline_tests::{ADMIN, TestApp, assert_error};
use uuid::Uuid;

const LEDGER: &str = include_str!("../fixtures/mspdi/Ledger.xml");
const GATEWAY: &str = include_str!("../fixtures/mspdi/Gateway.xml");

pub(crate) async fn accepted(res: reqwest::Response, status: StatusCode) -> CommandAccepted {
    let got = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).unwrap()
}

pub(crate) async fn ok(res: reqwest::Response) {
    let status = res.status();
    assert_eq!(status, StatusCode::OK, "{}", res.text().await.unwrap());
}

pub(crate) async fn governance(app: &TestApp, program: ProgramId) -> GovernanceResponse {
    let res = app
        .get(&format!("/api/programs/{program}/governance"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

pub(crate) async fn send(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    body: Value,
) -> reqwest::Response {
    client.post(app.url(path)).json(&body).send().await.unwrap()
}

/// A program with a project "Ledger" and its milestone "PCI certification" (baselined on
/// 2027-04-09), and a change board chaired by Ada with Bo and Cy (quorum 2) holding the decision
/// rights `rights` (with `"forum_id": "board"` standing for the board's id).
pub(crate) struct Board {
    pub(crate) app: TestApp,
    pub(crate) program: ProgramId,
    project: ProjectId,
    milestone: MilestoneId,
    pub(crate) forum: Uuid,
    ada: (UserId, reqwest::Client),
    bo: (UserId, reqwest::Client),
    cy: (UserId, reqwest::Client),
}

pub(crate) async fn board(rights: Value) -> Board {
    let app = TestApp::spawn().await;
    let program = app.create_program("Payments").await;
    let project = app.add_project(program, "Ledger").await;
    let milestone = app
        .add_milestone(program, project, "PCI certification", "2027-04-09")
        .await;
    ok(app
        .post(&format!("/api/programs/{program}/baseline"), &json!({}))
        .await)
    .await;
    let ada = app.client_as("ada").await;
    let bo = app.client_as("bo").await;
    let cy = app.client_as("cy").await;
    for user in [ada.0, bo.0, cy.0] {
        app.grant(program, user, "forum_member", None).await;
    }
    let forum = accepted(
        app.post(
            &format!("/api/programs/{program}/forums"),
            &json!({"name": "Change board", "purpose": "Re-baselines and cancellations",
                    "chair": ada.0, "members": [bo.0, cy.0], "quorum": 2,
                    "cadence": "fortnightly", "first_session": "2026-01-05",
                    "decision_sla_days": 10}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
    .stream_id;
    let rights = serde_json::to_string(&rights)
        .unwrap()
        .replace("\"board\"", &format!("\"{forum}\""));
    ok(app
        .post(
            &format!("/api/programs/{program}/decision-rights"),
            &json!({"rights": serde_json::from_str::<Value>(&rights).unwrap()}),
        )
        .await)
    .await;
    Board {
        app,
        program,
        project,
        milestone,
        forum,
        ada,
        bo,
        cy,
    }
}

impl Board {
    /// Raises `request`, has the chair table it, casts `votes` (Ada, Bo, Cy in turn, `None` for
    /// no vote) and has Bo record `outcome`; answers the decision's id and the outcome's answer.
    pub(crate) async fn decide(
        &self,
        request: &Value,
        votes: [Option<&str>; 3],
        outcome: &str,
    ) -> (Uuid, reqwest::Response) {
        let app = &self.app;
        let decisions = format!("/api/programs/{}/decisions", self.program);
        let decision = accepted(app.post(&decisions, request).await, StatusCode::CREATED)
            .await
            .stream_id;
        (decision, self.decide_raised(decision, votes, outcome).await)
    }

    /// Has the chair table the raised `decision`, casts `votes` and has Bo record `outcome`.
    pub(crate) async fn decide_raised(
        &self,
        decision: Uuid,
        votes: [Option<&str>; 3],
        outcome: &str,
    ) -> reqwest::Response {
        let app = &self.app;
        let d = format!("/api/programs/{}/decisions/{decision}", self.program);
        ok(send(&self.ada.1, app, &format!("{d}/table"), json!({})).await).await;
        for (voter, vote) in [&self.ada, &self.bo, &self.cy].into_iter().zip(votes) {
            if let Some(vote) = vote {
                ok(send(&voter.1, app, &format!("{d}/votes"), json!({"vote": vote})).await).await;
            }
        }
        send(
            &self.bo.1,
            app,
            &format!("{d}/outcome"),
            json!({"outcome": outcome, "rationale": "As the board voted"}),
        )
        .await
    }
}

fn rebaseline(milestone: MilestoneId, to: &str) -> Value {
    json!({"kind": "rebaseline", "question": "Re-baseline PCI certification?",
           "options": [{"title": "Re-baseline"}, {"title": "Keep the date"}],
           "effects": [{"effect": "rebaseline", "milestone_id": milestone, "to": to}]})
}

/// The program's events (the first thousand).
pub(crate) async fn program_events(app: &TestApp, program: ProgramId) -> EventPage {
    app.get(&format!("/api/programs/{program}/events?limit=1000"))
        .await
        .json()
        .await
        .unwrap()
}

/// The program's last `effect_type` event names its last approval as its cause.
pub(crate) async fn assert_caused_by_last_approval(
    app: &TestApp,
    program: ProgramId,
    effect_type: &str,
) {
    let page = program_events(app, program).await;
    let last = |event_type: &str| {
        page.events
            .iter()
            .rfind(|e| e.event_type == event_type)
            .unwrap_or_else(|| panic!("no {event_type}"))
    };
    assert_eq!(
        last(effect_type).metadata.causation_id,
        Some(last("DecisionApproved").event_id.0)
    );
}

/// The payload of the program's last event of `event_type`.
async fn last_payload(app: &TestApp, program: ProgramId, event_type: &str) -> Value {
    let page = program_events(app, program).await;
    page.events
        .iter()
        .rev()
        .find(|e| e.event_type == event_type)
        .unwrap_or_else(|| panic!("no {event_type}"))
        .payload
        .clone()
}

#[tokio::test]
async fn an_outcome_is_decided_by_the_people_whose_votes_carried_it() {
    let b = board(json!([{"kind": "rebaseline", "forum_id": "board"}])).await;
    let (app, program) = (&b.app, b.program);
    // Ada and Cy approve, Bo rejects, and Bo records the approval: Bo did not decide it.
    let (_, res) = b
        .decide(
            &rebaseline(b.milestone, "2027-04-30"),
            [Some("approve"), Some("reject"), Some("approve")],
            "approve",
        )
        .await;
    ok(res).await;
    let payload = last_payload(app, program, "DecisionApproved").await;
    assert_eq!(payload["decided_by"], json!([b.ada.0, b.cy.0]));
    let g = governance(app, program).await;
    let outcome = g.view.decisions[0].outcome.clone().unwrap();
    assert_eq!(outcome.decided_by, ["ada (test)", "cy (test)"]);
    assert_eq!(outcome.recorded_by, "bo");

    // A rejection names those who rejected.
    let (_, res) = b
        .decide(
            &rebaseline(b.milestone, "2027-05-14"),
            [Some("reject"), Some("approve"), Some("reject")],
            "reject",
        )
        .await;
    ok(res).await;
    let payload = last_payload(app, program, "DecisionRejected").await;
    assert_eq!(payload["decided_by"], json!([b.ada.0, b.cy.0]));

    // Nobody voted to reject: the votes carry no rejection (the board may defer).
    let (_, res) = b
        .decide(
            &rebaseline(b.milestone, "2027-05-21"),
            [Some("abstain"), Some("abstain"), None],
            "reject",
        )
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body.to_string().contains("0 for, 0 against"), "{body}");

    // A decision no forum holds: the program manager who took it, by name.
    let decisions = format!("/api/programs/{program}/decisions");
    let own = accepted(
        app.post(
            &decisions,
            &json!({"kind": "other", "question": "Move the kick-off to a Tuesday?",
                    "options": [{"title": "Tuesday"}, {"title": "Monday"}]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
    .stream_id;
    ok(app
        .post(
            &format!("{decisions}/{own}/outcome"),
            &json!({"outcome": "approve", "rationale": "Fewer clashes"}),
        )
        .await)
    .await;
    let payload = last_payload(app, program, "DecisionApproved").await;
    assert_eq!(payload["decided_by"], json!([user_id_for(ADMIN)]));
    let g = governance(app, program).await;
    let mine = g
        .view
        .decisions
        .iter()
        .find(|d| d.decision_id.0 == own)
        .unwrap();
    assert_eq!(mine.outcome.as_ref().unwrap().decided_by, [ADMIN]);
}

#[tokio::test]
async fn a_change_the_decision_rights_give_to_a_forum_is_refused_directly_and_goes_through_a_decision()
 {
    let b = board(json!([
        {"kind": "rebaseline", "threshold": 10, "forum_id": "board"},
        {"kind": "dependency_cancellation", "forum_id": "board"}
    ]))
    .await;
    let (app, program, milestone) = (&b.app, b.program, b.milestone);
    let baseline = format!("/api/programs/{program}/milestones/{milestone}/baseline");

    // Twenty days, later or earlier, is the change board's: refused, naming it, nothing written.
    let head = app.head().await;
    let mut suggested = Value::Null;
    for (to, days) in [("2027-04-29", 20), ("2027-03-20", 20)] {
        let body = assert_error(
            app.post(
                &baseline,
                &json!({"baseline": to, "reason": "QSA findings"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "decision_required",
        )
        .await;
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!(
                "a re-baseline of {days} days reaches the threshold of 10 days set for Change board"
            )) && message.contains("raise a decision for Change board"),
            "{message}"
        );
        let details = &body["error"]["details"];
        assert_eq!(details["forum_id"], json!(b.forum));
        assert_eq!(details["forum"], "Change board");
        assert_eq!(details["kind"], "rebaseline");
        assert_eq!(details["magnitude_days"], days);
        assert_eq!(
            details["raise_at"],
            format!("/api/programs/{program}/decisions")
        );
        assert_eq!(
            details["suggested_request"]["effects"],
            json!([{"effect": "rebaseline", "milestone_id": milestone, "to": to}])
        );
        if suggested.is_null() {
            suggested = details["suggested_request"].clone();
        }
    }
    assert_eq!(app.head().await, head, "nothing was written");
    let m = app
        .view(program)
        .await
        .milestone(milestone)
        .cloned()
        .unwrap();
    assert_eq!(m.baseline.unwrap().to_string(), "2027-04-09");

    // Five days is below every threshold: the program manager's to make directly.
    ok(app
        .post(
            &baseline,
            &json!({"baseline": "2027-04-14", "reason": "Test lab moved"}),
        )
        .await)
    .await;
    let m = app
        .view(program)
        .await
        .milestone(milestone)
        .cloned()
        .unwrap();
    assert_eq!(m.baseline.unwrap().to_string(), "2027-04-14");

    // The suggested request, raised as it is, goes to the board; its approval applies the change.
    let (decision, res) = b
        .decide(
            &suggested,
            [Some("approve"), Some("approve"), None],
            "approve",
        )
        .await;
    ok(res).await;
    let g = governance(app, program).await;
    let raised = g
        .view
        .decisions
        .iter()
        .find(|d| d.decision_id.0 == decision)
        .unwrap();
    assert_eq!(raised.forum_id.map(|f| f.0), Some(b.forum));
    assert!(
        raised
            .routing_reason
            .contains("a re-baseline of 15 days reaches the threshold of 10 days"),
        "{}",
        raised.routing_reason
    );
    let m = app
        .view(program)
        .await
        .milestone(milestone)
        .cloned()
        .unwrap();
    assert_eq!(m.baseline.unwrap().to_string(), "2027-04-29");
    assert_caused_by_last_approval(app, program, "MilestoneRebaselined").await;

    // Every dependency cancellation is the board's too; breaking one is not a routed kind.
    let other = app
        .add_milestone(program, b.project, "Card scheme sign-off", "2027-06-01")
        .await;
    let dependency = DependencyId::from_uuid(
        accepted(
            app.propose(program, milestone, other, json!({})).await,
            StatusCode::CREATED,
        )
        .await
        .stream_id,
    );
    let cancel = format!("/api/programs/{program}/dependencies/{dependency}/cancel");
    let head = app.head().await;
    let body = assert_error(
        app.post(&cancel, &json!({"reason": "Scheme dropped"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "decision_required",
    )
    .await;
    let details = &body["error"]["details"];
    assert_eq!(
        (details["forum"].as_str(), details["kind"].as_str()),
        (Some("Change board"), Some("dependency_cancellation"))
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("every dependency cancellation goes to Change board"),
        "{body}"
    );
    assert_eq!(app.head().await, head);
    let (_, res) = b
        .decide(
            &details["suggested_request"],
            [Some("approve"), None, Some("approve")],
            "approve",
        )
        .await;
    ok(res).await;
    let v = app.view(program).await;
    assert_eq!(
        v.dependency(dependency).unwrap().state,
        DependencyState::Cancelled
    );
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

async fn report(res: reqwest::Response) -> CsvImportReport {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// The rows a refusal lists.
async fn refused_rows(res: reqwest::Response) -> Vec<String> {
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv").await;
    body["error"]["details"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect()
}

/// Projects "Ledger" (Data model, Posting API, Parallel run, Go-live) and "Gateway" (Cut-over).
async fn two_projects(app: &TestApp, program: ProgramId) -> Vec<MilestoneId> {
    let ledger = app.add_project(program, "Ledger").await;
    let gateway = app.add_project(program, "Gateway").await;
    let mut ids = Vec::new();
    for (project, name, planned) in [
        (ledger, "Data model", "2027-02-01"),
        (ledger, "Posting API", "2027-04-01"),
        (ledger, "Parallel run", "2027-07-01"),
        (ledger, "Go-live", "2027-08-01"),
        (gateway, "Cut-over", "2027-09-01"),
    ] {
        ids.push(app.add_milestone(program, project, name, planned).await);
    }
    ids
}

/// Each dependency's (provider name, consumer name, state, need-by).
fn states(v: &ProgramView) -> Vec<(String, String, DependencyState, Option<String>)> {
    let name = |id| v.milestone(id).unwrap().name.clone();
    let mut all: Vec<_> = v
        .dependencies
        .iter()
        .map(|d| {
            (
                name(d.provider),
                name(d.consumer),
                d.state,
                d.need_by.map(|n| n.to_string()),
            )
        })
        .collect();
    all.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    all
}

#[tokio::test]
async fn an_exported_dependencies_file_imported_again_keeps_every_state_or_refuses_the_rows_it_cannot()
 {
    let app = TestApp::spawn().await;
    let program = app.create_program("Payments").await;
    let m = two_projects(&app, program).await;
    let (data, posting, parallel, go_live, cut_over) = (m[0], m[1], m[2], m[3], m[4]);
    let deps = format!("/api/programs/{program}/dependencies");
    let propose = |p, c, extra| app.propose(program, p, c, extra);
    let id = |a: CommandAccepted| DependencyId::from_uuid(a.stream_id);
    // Row 2 proposed, row 3 agreed (across projects), row 4 cancelled, row 5 broken.
    accepted(
        propose(data, posting, json!({"need_by": "2027-03-01"})).await,
        StatusCode::CREATED,
    )
    .await;
    let agreed = id(accepted(
        propose(posting, cut_over, json!({})).await,
        StatusCode::CREATED,
    )
    .await);
    let cancelled = id(accepted(
        propose(posting, parallel, json!({})).await,
        StatusCode::CREATED,
    )
    .await);
    let broken = id(accepted(
        propose(parallel, go_live, json!({})).await,
        StatusCode::CREATED,
    )
    .await);
    ok(app
        .post(&format!("{deps}/{agreed}/agree"), &json!({}))
        .await)
    .await;
    ok(app
        .post(
            &format!("{deps}/{cancelled}/cancel"),
            &json!({"reason": "Merged into go-live"}),
        )
        .await)
    .await;
    ok(app
        .post(
            &format!("{deps}/{broken}/break"),
            &json!({"reason": "Team disbanded"}),
        )
        .await)
    .await;
    let before = states(&app.view(program).await);
    let csv_path = format!("/api/programs/{program}/dependencies.csv");
    let exported = app.get(&csv_path).await.text().await.unwrap();
    let lines: Vec<&str> = exported.lines().collect();
    assert_eq!(lines.len(), 5, "{exported}");

    // Into the same program: nothing changes, nothing is appended.
    let head = app.head().await;
    let r = report(post_csv(&app, &csv_path, exported.clone()).await).await;
    assert_eq!(
        (r.created, r.updated, r.unchanged, r.position),
        (0, 0, 4, 0)
    );
    assert_eq!(app.head().await, head, "no event appended");
    assert_eq!(states(&app.view(program).await), before);
    // Also without the ids (a hand-made copy): matched by the two ends and the state.
    let r = report(post_csv(&app, &csv_path, without_ids(&exported)).await).await;
    assert_eq!((r.created, r.updated, r.unchanged), (0, 0, 4));
    assert_eq!(app.head().await, head);

    // A state the import cannot apply is refused, naming the row; nothing of the file applies:
    // the agreed row now says cancelled, the cancelled row proposed, the broken row proposed.
    let edited = with_states(
        &exported,
        &[(3, "cancelled"), (4, "proposed"), (5, "proposed")],
    );
    let rows = refused_rows(post_csv(&app, &csv_path, edited).await).await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows[0].starts_with("row 3: the file says cancelled, but the dependency is agreed"),
        "{rows:?}"
    );
    assert!(
        rows[1].starts_with("row 4: the dependency is cancelled, the file says proposed"),
        "{rows:?}"
    );
    assert!(
        rows[2].starts_with("row 5: the dependency is broken"),
        "{rows:?}"
    );
    assert_eq!(app.head().await, head);
    // Proposed → agreed is recorded (the importer may agree for the provider's side).
    let agree_first = with_states(&exported, &[(2, "agreed")]);
    let r = report(post_csv(&app, &csv_path, agree_first).await).await;
    assert_eq!((r.created, r.updated, r.unchanged), (0, 1, 3));
    assert!(states(&app.view(program).await).iter().any(|(p, c, s, _)| (
        p.as_str(),
        c.as_str(),
        *s
    ) == (
        "Data model",
        "Posting API",
        DependencyState::Agreed
    )));

    // Into a new program with the same names: cancelled and broken rows are refused, listed.
    let copy = app.create_program("Copy").await;
    two_projects(&app, copy).await;
    let copy_path = format!("/api/programs/{copy}/dependencies.csv");
    let head = app.head().await;
    let rows = refused_rows(post_csv(&app, &copy_path, exported.clone()).await).await;
    assert_eq!(
        rows,
        [
            "row 4: the dependency is cancelled in the file; cancelled dependencies are not \
             imported — remove the row or its state",
            "row 5: the dependency is broken in the file; broken dependencies are not imported \
             — remove the row or its state"
        ]
    );
    assert_eq!(app.head().await, head);
    // Agreeing is the provider's side's: Gateway's project manager may not import it agreed.
    let (gateway_pm, client) = app.client_as("gateway-pm").await;
    let gateway = app
        .view(copy)
        .await
        .projects
        .iter()
        .find(|p| p.name == "Gateway")
        .unwrap()
        .project_id;
    app.grant(copy, gateway_pm, "project_manager", Some(gateway))
        .await;
    let only_agreed = format!("{}\n{}\n", lines[0], lines[2]);
    let res = client
        .post(app.url(&copy_path))
        .header("content-type", "text/csv")
        .body(only_agreed)
        .send()
        .await
        .unwrap();
    let rows = refused_rows(res).await;
    assert!(
        rows.len() == 1
            && rows[0].starts_with("row 2: the file says agreed, but agreeing commits the provider's side (project “Ledger”)"),
        "{rows:?}"
    );
    // Without the closed rows, the program manager's import keeps the exact states.
    let open_rows = format!("{}\n{}\n{}\n", lines[0], lines[1], lines[2]);
    let r = report(post_csv(&app, &copy_path, open_rows).await).await;
    assert_eq!((r.created, r.updated, r.unchanged), (2, 0, 0));
    let open_before: Vec<_> = before.iter().filter(|d| d.2.is_active()).cloned().collect();
    assert_eq!(states(&app.view(copy).await), open_before);
}

/// The file with the state column of the given rows (counting the header as row 1) replaced.
fn with_states(exported: &str, states: &[(usize, &str)]) -> String {
    let mut lines: Vec<String> = exported.lines().map(str::to_string).collect();
    let column = lines[0].split(',').position(|c| c == "state").unwrap();
    for (row, state) in states {
        let mut cells: Vec<&str> = lines[row - 1].split(',').collect();
        cells[column] = state;
        lines[row - 1] = cells.join(",");
    }
    lines.join("\n") + "\n"
}

/// The file with its first column (the ids) emptied.
fn without_ids(exported: &str) -> String {
    let mut lines = exported.lines();
    let header = lines.next().unwrap().to_string();
    lines.fold(header + "\n", |out, line| {
        out + "," + line.split_once(',').unwrap().1 + "\n"
    })
}

#[tokio::test]
async fn a_name_two_milestones_answer_to_is_refused_not_matched_to_the_first() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Payments").await;
    let ledger = app.add_project(program, "Ledger").await;
    let first = app
        .add_milestone(program, ledger, "Go-live", "2027-08-01")
        .await;
    let second = app
        .add_milestone(program, ledger, "Go-live", "2027-09-01")
        .await;
    let cut_over = app
        .add_milestone(program, ledger, "Cut-over", "2027-10-01")
        .await;
    let csv_path = format!("/api/programs/{program}/dependencies.csv");
    let head = app.head().await;
    let rows = refused_rows(
        post_csv(
            &app,
            &csv_path,
            "provider_project,provider,consumer_project,consumer\n\
             Ledger,Go-live,Ledger,Cut-over\n"
                .into(),
        )
        .await,
    )
    .await;
    assert_eq!(
        rows,
        [
            "row 2: “Ledger / Go-live” names 2 milestones of this program; the import cannot tell \
          which one the row means — rename them apart first"
        ]
    );
    assert_eq!(app.head().await, head, "nothing was imported");
    assert!(app.view(program).await.dependencies.is_empty());
    // An exported row names its dependency by id: that one is not ambiguous.
    accepted(
        app.propose(program, second, cut_over, json!({})).await,
        StatusCode::CREATED,
    )
    .await;
    let exported = app.get(&csv_path).await.text().await.unwrap();
    let r = report(post_csv(&app, &csv_path, exported).await).await;
    assert_eq!((r.created, r.unchanged), (0, 1));
    let v = app.view(program).await;
    assert_eq!(
        (v.dependencies.len(), v.dependencies[0].provider),
        (1, second)
    );
    assert_ne!(first, second);

    // Two projects of one name: a new milestone row cannot say which it belongs to.
    app.add_project(program, "Ledger").await;
    let rows = refused_rows(
        post_csv(
            &app,
            &format!("/api/programs/{program}/milestones.csv"),
            "project,name,kind,owner,planned\nLedger,Reconciliation,milestone,Grace,2027-11-01\n"
                .into(),
        )
        .await,
    )
    .await;
    assert_eq!(
        rows,
        [
            "row 2: 2 projects of this program are called “Ledger”; the import cannot tell which \
          one the row means — rename them apart first"
        ]
    );
}

async fn import(app: &TestApp, program: ProgramId, xml: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/programs/{program}/import/mspdi")))
        .header("content-type", "application/xml")
        .body(xml.to_string())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_cross_project_link_two_earlier_milestones_answer_to_is_refused_naming_the_link() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Payments").await;
    let res = import(&app, program, LEDGER).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let ledger: ImportReport = res.json().await.unwrap();
    // A log in which two milestones carry the reference "Ledger#5" (two imports of the plan that
    // raced, before milestone ids were derived from the reference).
    let twin = MilestoneId::from_uuid(Uuid::new_v4());
    let events = Milestone::default()
        .decide(MilestoneCommand::Add {
            milestone_id: twin,
            program_id: program,
            project_id: ledger.project_id,
            project_in_program: true,
            name: "Posting API ready (again)".into(),
            kind: MilestoneKind::Milestone,
            owner: "Yusuf Demir".into(),
            planned_start: None,
            planned: "2027-04-16".parse().unwrap(),
            external_ref: Some("Ledger#5".into()),
        })
        .unwrap();
    let metadata = RequestContext::system("test-setup").metadata(None);
    app.store
        .append(AppendRequest {
            streams: vec![StreamAppend {
                stream_id: twin.0,
                stream_type: MilestoneEvent::STREAM_TYPE.into(),
                expected: ExpectedVersion::NoStream,
                events: events
                    .iter()
                    .map(|e| NewEvent::new(e.encode(), metadata.clone()))
                    .collect(),
            }],
        })
        .await
        .unwrap();
    let head = app.head().await;
    let body = assert_error(
        import(&app, program, GATEWAY).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let message = body.to_string();
    assert!(
        message.contains("to task 5 of the plan “Ledger” matches 2 milestones imported earlier")
            && message.contains("Posting API ready (again)")
            && message.contains("“Posting API ready”"),
        "{message}"
    );
    assert_eq!(app.head().await, head, "nothing was imported");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_plan_imported_twice_at_the_same_moment_is_imported_once() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Payments").await;
    let (a, b) = tokio::join!(import(&app, program, LEDGER), import(&app, program, LEDGER));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    // The second either raced the first (its tasks' streams exist: 409) or came after it (the
    // plan imported again: nothing to add).
    assert!(matches!(statuses, [201, 409] | [201, 201]), "{statuses:?}");
    assert_eq!(app.view(program).await.milestones.len(), 6);
}
