//! A program's objectives after its creation (issue 15): added, revised against their own
//! version and retired, each with its reason in the audit trail and in every past view; and the
//! decision rights that give objective changes to a forum.

use crate::log_truth::{
    accepted, assert_caused_by_last_approval, board, governance, ok, program_events,
};
use crate::plan_edits::descriptions;
use reqwest::StatusCode;
use serde_json::json;
use throughline_shared::ProgramId;
use throughline_shared::analysis::ScheduleAnalysis;
use throughline_shared::api::ObjectivesResponse;
use throughline_shared::{ObjectiveId, ProjectId};
use throughline_tests::{TestApp, assert_error};

async fn objectives(app: &TestApp, program: ProgramId) -> ObjectivesResponse {
    let res = app
        .get(&format!("/api/programs/{program}/objectives"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn contributors(app: &TestApp, program: ProgramId) -> Vec<(ObjectiveId, Vec<ProjectId>)> {
    let analysis: ScheduleAnalysis = app
        .get(&format!("/api/programs/{program}/schedule"))
        .await
        .json()
        .await
        .unwrap();
    analysis
        .objectives
        .into_iter()
        .map(|o| (o.objective_id, o.contributing_projects))
        .collect()
}

#[tokio::test]
async fn objectives_are_added_revised_and_retired_with_reasons_in_the_trail_and_the_past() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Objectives").await;
    let list = objectives(&app, program).await;
    assert_eq!(list.objectives.len(), 1);
    assert_eq!(list.objectives[0].version, 1);
    let mainframe = list.objectives[0].objective.objective_id;
    let path = format!("/api/programs/{program}/objectives");

    // Refused as a whole, nothing written: no reason, a title taken, a date out of bounds.
    let head = app.head().await;
    for body in [
        json!({"title": "Cut cost per transaction", "reason": " "}),
        json!({"title": "retire the MAINFRAME", "reason": "again"}),
        json!({"title": "Cut cost", "target_date": "1066-10-14", "reason": "r"}),
        json!({"title": "", "reason": "r"}),
    ] {
        assert_error(
            app.post(&path, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    }
    assert_error(
        app.post(&path, &json!({"title": "No reason"})).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    )
    .await;
    assert_eq!(app.head().await, head, "nothing was written");

    let added = accepted(
        app.post(
            &path,
            &json!({"title": "Cut cost per transaction", "kpi": "cost per txn",
                    "target_value": "€0.04", "target_date": "2027-12-31",
                    "reason": "The board added a cost goal"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let cost = ObjectiveId::from_uuid(added.stream_id);
    assert_eq!(added.version, 1);
    let ledger = app.add_project_with(program, "Ledger", &[cost]).await;
    let before_changes = app.head().await;

    // A revision names the objective's own version: another objective's change, or the
    // program's, does not make it stale; its own does.
    let revise = format!("{path}/{cost}");
    let later = json!({"title": "Cut cost per transaction", "kpi": "cost per txn",
                       "target_value": "€0.04", "target_date": "2028-03-31",
                       "reason": "Acquirer renegotiation slipped", "expected_version": 1});
    ok(app
        .post(
            &format!("{path}/{mainframe}"),
            &json!({"title": "Retire the mainframe", "kpi": "MIPS", "target_value": "0",
                    "target_date": "2027-09-30", "reason": "Data centre exit moved",
                    "expected_version": 1}),
        )
        .await)
    .await;
    ok(app
        .patch(
            &format!("/api/programs/{program}"),
            &json!({"name": "Objectives (renamed)"}),
        )
        .await)
    .await;
    let revised = accepted(app.post(&revise, &later).await, StatusCode::OK).await;
    assert_eq!(revised.version, 2);
    assert_error(
        app.post(&revise, &later).await,
        StatusCode::CONFLICT,
        "version_conflict",
    )
    .await;
    let mut same = later.clone();
    same["expected_version"] = json!(2);
    assert_error(
        app.post(&revise, &same).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_to_change",
    )
    .await;
    let v = app.view(program).await;
    let o = v
        .objectives
        .iter()
        .find(|o| o.objective_id == cost)
        .unwrap();
    assert_eq!(o.target_date.unwrap().to_string(), "2028-03-31");
    assert!(
        contributors(&app, program)
            .await
            .contains(&(cost, vec![ledger]))
    );
    let before_retirement = app.head().await;

    // Retired: out of the view and the analysis, kept in the list of retired ones; never
    // revised or retired again.
    let retire = format!("{revise}/retire");
    assert_error(
        app.post(&retire, &json!({"reason": "Merged", "expected_version": 1}))
            .await,
        StatusCode::CONFLICT,
        "version_conflict",
    )
    .await;
    ok(app
        .post(
            &retire,
            &json!({"reason": "Merged into the mainframe exit", "expected_version": 2}),
        )
        .await)
    .await;
    let list = objectives(&app, program).await;
    assert_eq!(
        list.objectives
            .iter()
            .map(|e| (e.objective.objective_id, e.version))
            .collect::<Vec<_>>(),
        [(mainframe, 2)]
    );
    assert_eq!(list.retired.len(), 1);
    assert_eq!(list.retired[0].objective_id, cost);
    assert!(
        !app.view(program)
            .await
            .objectives
            .iter()
            .any(|o| o.objective_id == cost)
    );
    assert!(
        contributors(&app, program)
            .await
            .iter()
            .all(|(o, _)| *o != cost)
    );
    for body in [&later, &json!({"reason": "again"})] {
        let target = if body.get("title").is_some() {
            &revise
        } else {
            &retire
        };
        let refused = assert_error(
            app.post(target, body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(refused.to_string().contains("was retired"), "{refused}");
    }
    assert_error(
        app.post(
            &format!("{path}/{}/retire", uuid::Uuid::new_v4()),
            &json!({"reason": "r"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // The past is as it was: before the retirement the objective was there, revised; before
    // the changes, with its first target.
    let then = app.view_at(program, before_retirement).await;
    assert_eq!(
        then.objectives
            .iter()
            .find(|o| o.objective_id == cost)
            .unwrap()
            .target_date
            .unwrap()
            .to_string(),
        "2028-03-31"
    );
    let first = app.view_at(program, before_changes).await;
    assert_eq!(
        first
            .objectives
            .iter()
            .map(|o| o.target_date.unwrap().to_string())
            .collect::<Vec<_>>(),
        ["2027-06-30", "2027-12-31"]
    );

    // Each change is one event with its reason, in words in the audit trail.
    let page = program_events(&app, program).await;
    let reasons: Vec<(&str, Option<&str>)> = page
        .events
        .iter()
        .filter(|e| e.event_type.starts_with("Objective"))
        .map(|e| (e.event_type.as_str(), e.metadata.reason.as_deref()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("ObjectiveAdded", Some("The board added a cost goal")),
            ("ObjectiveRevised", Some("Data centre exit moved")),
            ("ObjectiveRevised", Some("Acquirer renegotiation slipped")),
            ("ObjectiveRetired", Some("Merged into the mainframe exit")),
        ]
    );
    let words = descriptions(&app, program).await;
    for expected in [
        "Added the objective “Cut cost per transaction”",
        "Revised the objective “Cut cost per transaction”: target date 2027-12-31 → 2028-03-31",
        "Retired the objective “Cut cost per transaction”",
    ] {
        assert!(
            words.iter().any(|w| w == expected),
            "{expected} not in {words:#?}"
        );
    }
}

#[tokio::test]
async fn objective_changes_the_rights_give_to_a_forum_go_through_its_decision() {
    let b = board(json!([
        {"kind": "objective_change", "threshold": 30, "forum_id": "board"}
    ]))
    .await;
    let (app, program) = (&b.app, b.program);
    let mainframe = app.view(program).await.objectives[0].objective_id;
    let revise = format!("/api/programs/{program}/objectives/{mainframe}");
    let terms = |date: &str, reason: &str| {
        json!({"title": "Retire the mainframe", "kpi": "MIPS", "target_value": "0",
               "target_date": date, "reason": reason})
    };

    // Two months later is the board's: refused, naming it, with the decision to raise.
    let head = app.head().await;
    let refused = assert_error(
        app.post(&revise, &terms("2027-08-31", "Vendor exit slipped"))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "decision_required",
    )
    .await;
    let details = &refused["error"]["details"];
    assert_eq!(details["kind"], "objective_change");
    assert_eq!(details["magnitude_days"], 62);
    assert_eq!(details["forum"], "Change board");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "an objective change of 62 days reaches the threshold of 30 days set for Change board"
        ),
        "{message}"
    );
    assert_eq!(
        details["suggested_request"]["effects"][0]["effect"],
        "revise_objective"
    );
    assert_eq!(app.head().await, head, "nothing was written");

    // Ten days is below the threshold: the program manager's; additions (no date moves) too.
    ok(app
        .post(&revise, &terms("2027-07-10", "Cut-over weekend moved"))
        .await)
    .await;
    accepted(
        app.post(
            &format!("/api/programs/{program}/objectives"),
            &json!({"title": "Open banking", "reason": "Regulation"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    // The suggested decision names the version its terms were written from; the objective moved
    // since, so raising it as it is is refused: it would undo the change made meanwhile.
    let mut suggested = details["suggested_request"].clone();
    assert_eq!(suggested["effects"][0]["expected_version"], 1);
    assert_error(
        app.post(&format!("/api/programs/{program}/decisions"), &suggested)
            .await,
        StatusCode::CONFLICT,
        "version_conflict",
    )
    .await;
    // Written again from the objective as it is now, it goes to the board, whose approval
    // applies it; a size given smaller than the move's does not route it elsewhere.
    suggested["effects"][0]["expected_version"] = json!(2);
    suggested["magnitude"] = json!(1);
    let (_, res) = b
        .decide(
            &suggested,
            [Some("approve"), Some("approve"), None],
            "approve",
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "raised after the revision");
    let o = app.view(program).await.objectives[0].clone();
    assert_eq!(o.target_date.unwrap().to_string(), "2027-08-31");
    assert_caused_by_last_approval(app, program, "ObjectiveRevised").await;
    let g = governance(app, program).await;
    let decision = g.view.decisions.last().unwrap();
    assert_eq!(decision.forum_id.map(|f| f.0), Some(b.forum));
    assert!(
        decision
            .routing_reason
            .contains("an objective change of 52 days"),
        "{}",
        decision.routing_reason
    );

    // A decision raised, then overtaken by a direct change of the same objective: its
    // approval is refused, and nothing is written.
    let decision = {
        let decisions = format!("/api/programs/{program}/decisions");
        accepted(
            app.post(
                &decisions,
                &json!({"kind": "objective_change", "question": "Move the exit to December?",
                        "options": [{"title": "Move it"}, {"title": "Keep it"}],
                        "effects": [{"effect": "revise_objective", "objective_id": mainframe,
                                     "terms": {"title": "Retire the mainframe",
                                               "target_date": "2027-12-31"}}]}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await
        .stream_id
    };
    ok(app
        .post(&revise, &terms("2027-09-05", "A week for the dry run"))
        .await)
    .await;
    let res = b
        .decide_raised(
            decision,
            [Some("approve"), Some("approve"), None],
            "approve",
        )
        .await;
    let stale = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(
        stale
            .to_string()
            .contains("raised against version 3, it is now at 4"),
        "{stale}"
    );
    let o = app.view(program).await.objectives[0].clone();
    assert_eq!(o.target_date.unwrap().to_string(), "2027-09-05");

    // One decision adds an objective and retires another: both in the approval's append.
    let open_banking = app.view(program).await.objectives[1].objective_id;
    let (_, res) = b
        .decide(
            &json!({"kind": "objective_change", "magnitude": 90,
                    "question": "Replace open banking with instant payments?",
                    "options": [{"title": "Replace it"}, {"title": "Keep it"}],
                    "effects": [{"effect": "add_objective",
                                 "terms": {"title": "Instant payments", "target_date": "2028-01-31"}},
                                {"effect": "retire_objective", "objective_id": open_banking}]}),
            [Some("approve"), None, Some("approve")],
            "approve",
        )
        .await;
    ok(res).await;
    let list = objectives(app, program).await;
    assert_eq!(
        list.objectives
            .iter()
            .map(|e| (e.objective.title.as_str(), e.version))
            .collect::<Vec<_>>(),
        [("Retire the mainframe", 4), ("Instant payments", 1)]
    );
    assert_eq!(list.retired[0].objective_id, open_banking);

    // Two additions of one title in one decision: each is decided on the other's result, so the
    // second is refused when raised.
    let same = assert_error(
        app.post(
            &format!("/api/programs/{program}/decisions"),
            &json!({"kind": "objective_change", "question": "Twice the same?",
                    "options": [{"title": "Yes"}, {"title": "No"}],
                    "effects": [{"effect": "add_objective", "terms": {"title": "Faster payouts"}},
                                {"effect": "add_objective", "terms": {"title": "faster PAYOUTS"}}]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(same.to_string().contains("effects[1].title"), "{same}");

    // A target date cleared (or set) reaches every threshold: the board's too.
    let cleared = assert_error(
        app.post(
            &revise,
            &json!({"title": "Retire the mainframe", "reason": "No date any more"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "decision_required",
    )
    .await;
    assert!(
        cleared.to_string().contains("a target date set or cleared"),
        "{cleared}"
    );

    // Two effects on one objective would each be decided on what the other changes: refused.
    let twice = assert_error(
        app.post(
            &format!("/api/programs/{program}/decisions"),
            &json!({"kind": "objective_change", "question": "Twice?",
                    "options": [{"title": "Yes"}, {"title": "No"}],
                    "effects": [{"effect": "retire_objective", "objective_id": mainframe},
                                {"effect": "revise_objective", "objective_id": mainframe,
                                 "terms": {"title": "Mainframe gone"}}]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        twice
            .to_string()
            .contains("changes what effects[0] changes"),
        "{twice}"
    );
}
