//! Governance through the API: forums and decision rights, a decision routed, voted and approved
//! with its effect appended as caused by the approval, stale effects refused, authorisation
//! (only forum members decide), and escalations moved up by the SLA check exactly once even when
//! two instances run it at the same moment.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use throughline_backend::commands::governance::check_escalations;
use throughline_backend::event_store::EventStore;
use throughline_backend::event_store::{HashInput, event_hash};
use throughline_shared::api::{AuditPage, CommandAccepted, EventPage, VerifyReport};
use throughline_shared::governance::decision::DecisionState;
use throughline_shared::governance::requests::GovernanceResponse;
use throughline_shared::ids::MilestoneId;
use throughline_shared::{ProgramId, UserId};
use throughline_tests::{TestApp, assert_error};

async fn governance(app: &TestApp, program: ProgramId) -> GovernanceResponse {
    let res = app
        .get(&format!("/api/programs/{program}/governance"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn created(res: reqwest::Response) -> uuid::Uuid {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{text}");
    serde_json::from_str::<CommandAccepted>(&text)
        .unwrap()
        .stream_id
}

async fn ok(res: reqwest::Response) {
    let status = res.status();
    assert_eq!(status, StatusCode::OK, "{}", res.text().await.unwrap());
}

fn forum_body(chair: UserId, members: &[UserId], quorum: u32) -> Value {
    json!({"name": "Change board", "purpose": "Approves re-baselines and scope changes",
           "chair": chair, "members": members, "quorum": quorum, "cadence": "fortnightly",
           "first_session": "2026-01-05", "decision_sla_days": 10})
}

/// A program with one baselined milestone, a change board of three (chair Ada, Bo, Cy) holding
/// every re-baseline, and Dee, a forum member of the program who is not on the board.
struct Board {
    app: TestApp,
    program: ProgramId,
    milestone: MilestoneId,
    ada: reqwest::Client,
    bo: reqwest::Client,
    dee: reqwest::Client,
}

async fn board() -> Board {
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
    let (ada_id, ada) = app.client_as("ada").await;
    let (bo_id, bo) = app.client_as("bo").await;
    let (cy_id, _) = app.client_as("cy").await;
    let (dee_id, dee) = app.client_as("dee").await;
    for user in [ada_id, bo_id, cy_id, dee_id] {
        app.grant(program, user, "forum_member", None).await;
    }
    let forums = format!("/api/programs/{program}/forums");
    // A quorum nobody can reach, and someone outside the program, are refused.
    let body = assert_error(
        app.post(&forums, &forum_body(ada_id, &[bo_id], 3)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        body.to_string().contains("cannot be reached by 2"),
        "{body}"
    );
    let (outsider, _) = app.client_as("outsider").await;
    assert_error(
        app.post(&forums, &forum_body(ada_id, &[outsider], 1)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    // Only the program manager sets up forums.
    assert_error(
        ada.post(app.url(&forums))
            .json(&forum_body(ada_id, &[bo_id], 1))
            .send()
            .await
            .unwrap(),
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let forum = created(
        app.post(&forums, &forum_body(ada_id, &[bo_id, cy_id], 2))
            .await,
    )
    .await;
    ok(app
        .post(
            &format!("/api/programs/{program}/decision-rights"),
            &json!({"rights": [{"kind": "rebaseline", "forum_id": forum},
                               {"kind": "budget_change", "threshold": 5_000_000, "forum_id": forum}]}),
        )
        .await)
    .await;
    Board {
        app,
        program,
        milestone,
        ada,
        bo,
        dee,
    }
}

fn rebaseline(milestone: MilestoneId, to: &str) -> Value {
    json!({"kind": "rebaseline", "question": "Re-baseline PCI certification to 30 April?",
           "context": "The QSA found gaps in key management.",
           "options": [{"title": "Re-baseline", "pros": "An honest plan", "cons": "Three weeks later"},
                       {"title": "Keep the date, add a contractor", "cons": "€80k"}],
           "recommendation": 0,
           "effects": [{"effect": "rebaseline", "milestone_id": milestone, "to": to}]})
}

async fn send(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    body: Value,
) -> reqwest::Response {
    client.post(app.url(path)).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn an_approved_rebaseline_is_applied_as_caused_by_the_approval_and_only_forum_members_decide()
{
    let Board {
        app,
        program,
        milestone,
        ada,
        bo,
        dee,
    } = board().await;
    let decisions = format!("/api/programs/{program}/decisions");
    let decision = created(
        app.post(&decisions, &rebaseline(milestone, "2027-04-30"))
            .await,
    )
    .await;
    let d = format!("{decisions}/{decision}");

    let g = governance(&app, program).await;
    let view = &g.view.decisions[0];
    assert_eq!(view.state, DecisionState::Proposed);
    assert_eq!(
        view.magnitude,
        Some(21),
        "the re-baseline's size in days, computed"
    );
    assert_eq!(
        view.routing_reason,
        "every re-baseline goes to Change board"
    );

    // Voting before it is tabled, or tabling by someone who neither governs nor chairs, fails.
    assert_error(
        send(&bo, &app, &format!("{d}/votes"), json!({"vote": "approve"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_to_change",
    )
    .await;
    assert_error(
        send(&bo, &app, &format!("{d}/table"), json!({})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // The chair tables it for the board's next session.
    ok(send(&ada, &app, &format!("{d}/table"), json!({})).await).await;
    let tabled_for = governance(&app, program).await.view.decisions[0]
        .tabled_for
        .expect("tabled");
    assert!(tabled_for >= Utc::now().date_naive());
    assert_eq!(
        (tabled_for - chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()).num_days() % 14,
        0
    );

    // Dee has a role in the program but no seat on the board: neither votes nor decides.
    let refused = assert_error(
        send(
            &dee,
            &app,
            &format!("{d}/votes"),
            json!({"vote": "approve"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        refused
            .to_string()
            .contains("only the forum's members vote")
    );
    ok(send(
        &ada,
        &app,
        &format!("{d}/votes"),
        json!({"vote": "approve"}),
    )
    .await)
    .await;
    let no_quorum = assert_error(
        send(
            &ada,
            &app,
            &format!("{d}/outcome"),
            json!({"outcome": "approve", "rationale": "Honest plan"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        no_quorum.to_string().contains("no quorum: 1 of the 2"),
        "{no_quorum}"
    );
    ok(send(&bo, &app, &format!("{d}/votes"), json!({"vote": "approve"})).await).await;
    assert_error(
        send(
            &dee,
            &app,
            &format!("{d}/outcome"),
            json!({"outcome": "approve", "rationale": "x"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let before_approval = app.head().await;
    ok(send(
        &bo,
        &app,
        &format!("{d}/outcome"),
        json!({"outcome": "approve", "rationale": "An honest plan beats a hope"}),
    )
    .await)
    .await;

    // The milestone's baseline moved, and the re-baseline's causation is the approval.
    let m = app
        .view(program)
        .await
        .milestone(milestone)
        .cloned()
        .unwrap();
    assert_eq!(m.baseline, chrono::NaiveDate::from_ymd_opt(2027, 4, 30));
    let page: EventPage = app
        .get(&format!(
            "/api/programs/{program}/events?after={before_approval}"
        ))
        .await
        .json()
        .await
        .unwrap();
    let types: Vec<&str> = page.events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["DecisionApproved", "MilestoneRebaselined"]);
    let (approval, effect) = (&page.events[0], &page.events[1]);
    assert_eq!(effect.metadata.causation_id, Some(approval.event_id.0));
    assert_eq!(effect.metadata.actor, "bo");
    assert!(
        effect
            .metadata
            .reason
            .as_deref()
            .unwrap()
            .contains("An honest plan beats a hope")
    );
    let g = governance(&app, program).await;
    let outcome = g.view.decisions[0].outcome.clone().unwrap();
    assert_eq!(g.view.decisions[0].state, DecisionState::Approved);
    assert_eq!(outcome.event_id, approval.event_id);
    assert_eq!(outcome.decided_by, ["ada (test)", "bo (test)"]);

    // As of just before the approval, the decision was still in review and the baseline unmoved.
    let then: GovernanceResponse = app
        .get(&format!(
            "/api/programs/{program}/governance?as_of={before_approval}"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(then.view.decisions[0].state, DecisionState::InReview);
    assert_eq!(then.view.decisions[0].votes.len(), 2);
    audit_follows_the_causation_and_exports_a_checkable_chain(
        &app,
        program,
        approval.event_id.0,
        effect.event_id.0,
    )
    .await;
    // Deciding it again is refused.
    assert_error(
        send(
            &bo,
            &app,
            &format!("{d}/outcome"),
            json!({"outcome": "reject", "rationale": "x"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_to_change",
    )
    .await;
}

#[tokio::test]
async fn an_effect_whose_target_changed_since_raising_is_refused_and_nothing_is_applied() {
    let Board {
        app,
        program,
        milestone,
        ada,
        bo,
        ..
    } = board().await;
    let decisions = format!("/api/programs/{program}/decisions");
    let decision = created(
        app.post(&decisions, &rebaseline(milestone, "2027-05-14"))
            .await,
    )
    .await;
    let d = format!("{decisions}/{decision}");
    ok(send(&ada, &app, &format!("{d}/table"), json!({})).await).await;
    ok(send(
        &ada,
        &app,
        &format!("{d}/votes"),
        json!({"vote": "approve"}),
    )
    .await)
    .await;
    ok(send(&bo, &app, &format!("{d}/votes"), json!({"vote": "approve"})).await).await;
    // Meanwhile the milestone's forecast moves: the decision was raised against older facts.
    ok(app
        .post(
            &format!("/api/programs/{program}/milestones/{milestone}/forecast"),
            &json!({"forecast": "2027-04-20"}),
        )
        .await)
    .await;
    let head = app.head().await;
    let body = assert_error(
        send(
            &ada,
            &app,
            &format!("{d}/outcome"),
            json!({"outcome": "approve", "rationale": "ok"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        body.to_string()
            .contains("raised against version 2, it is now at 3"),
        "{body}"
    );
    assert_eq!(app.head().await, head, "nothing was appended");
    // Rejecting it is still possible: a rejection changes nothing else.
    ok(send(&ada, &app, &format!("{d}/votes"), json!({"vote": "reject"})).await).await;
    ok(send(&bo, &app, &format!("{d}/votes"), json!({"vote": "reject"})).await).await;
    ok(send(
        &ada,
        &app,
        &format!("{d}/outcome"),
        json!({"outcome": "reject", "rationale": "Raise again with the new forecast"}),
    )
    .await)
    .await;
}

#[tokio::test]
async fn without_a_forum_the_program_manager_decides_and_a_later_decision_supersedes_an_earlier_one()
 {
    let Board {
        app, program, ada, ..
    } = board().await;
    let decisions = format!("/api/programs/{program}/decisions");
    // A budget change below the board's threshold is the program manager's.
    let small = json!({"kind": "budget_change", "magnitude": 1_000_000, "question": "Buy a test HSM?",
                       "options": [{"title": "Buy"}, {"title": "Rent"}]});
    let first = created(app.post(&decisions, &small).await).await;
    let g = governance(&app, program).await;
    assert_eq!(g.view.decisions[0].forum_id, None);
    assert!(
        g.view.decisions[0]
            .routing_reason
            .contains("program manager decides")
    );
    // A forum member may not take the program manager's decision.
    assert_error(
        send(
            &ada,
            &app,
            &format!("{decisions}/{first}/outcome"),
            json!({"outcome": "approve", "rationale": "x"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    ok(app
        .post(
            &format!("{decisions}/{first}/outcome"),
            &json!({"outcome": "approve", "rationale": "Cheaper over a year"}),
        )
        .await)
    .await;
    // Anything larger goes to the board, with the reason.
    let mut large = small.clone();
    large["magnitude"] = json!(7_500_000);
    large["question"] = json!("Rent instead: cancel the purchase?");
    large["effects"] = json!([{"effect": "supersede", "decision_id": first}]);
    let second = created(app.post(&decisions, &large).await).await;
    let g = governance(&app, program).await;
    assert!(
        g.view.decisions[1].routing_reason.contains(
            "a budget change of 75,000.00 reaches the threshold of 50,000.00 set for Change board"
        ),
        "{}",
        g.view.decisions[1].routing_reason
    );
    // Superseding needs an approved decision.
    let mut bad = large.clone();
    bad["effects"] = json!([{"effect": "supersede", "decision_id": second}]);
    assert_error(
        app.post(&decisions, &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    // The program manager, who holds no seat, cannot vote it through.
    ok(app
        .post(&format!("{decisions}/{second}/table"), &json!({}))
        .await)
    .await;
    assert_error(
        app.post(
            &format!("{decisions}/{second}/votes"),
            &json!({"vote": "approve"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}

#[tokio::test]
async fn an_unanswered_escalation_moves_up_once_even_when_two_instances_check_at_once() {
    let Board {
        app,
        program,
        milestone,
        dee,
        ..
    } = board().await;
    let escalations = format!("/api/programs/{program}/escalations");
    let subject = json!({"kind": "milestone", "id": milestone});
    // Without a path there is nowhere to escalate to.
    assert_error(
        send(
            &dee,
            &app,
            &escalations,
            json!({"subject": subject, "reason": "Slipping"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    ok(app
        .post(
            &format!("/api/programs/{program}/escalation-path"),
            &json!({"levels": [
                {"title": "Project manager", "contact": "Lee", "response_sla_hours": 24},
                {"title": "Program manager", "response_sla_hours": 48},
                {"title": "Steering committee", "response_sla_hours": 120}]}),
        )
        .await)
    .await;
    // Anyone with a role escalates, with a reason; an unknown item is refused.
    let unknown = json!({"kind": "milestone", "id": uuid::Uuid::new_v4()});
    assert_error(
        send(
            &dee,
            &app,
            &escalations,
            json!({"subject": unknown, "reason": "?"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let escalation = created(
        send(
            &dee,
            &app,
            &escalations,
            json!({"subject": subject, "reason": "QSA findings, no date"}),
        )
        .await,
    )
    .await;
    let g = governance(&app, program).await;
    assert_eq!(g.view.escalations[0].subject_label, "PCI certification");
    assert_eq!(g.view.escalations[0].raised_by, "dee");

    // The controllable clock: nothing is due yet; 25 hours on, two instances check at once.
    let now = Utc::now();
    assert_eq!(check_escalations(&app.store, now).await.unwrap(), 0);
    let other_instance = EventStore::start(app.pool.clone());
    let later = now + Duration::hours(25);
    let (a, b) = tokio::join!(
        check_escalations(&app.store, later),
        check_escalations(&other_instance, later)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1, "moved up exactly once");
    assert_eq!(
        check_escalations(&app.store, later).await.unwrap(),
        0,
        "and not again"
    );
    let g = governance(&app, program).await;
    let e = &g.view.escalations[0];
    assert_eq!((e.level, e.steps.len()), (1, 1));
    assert!(e.steps[0].automatic);
    assert_eq!(
        e.steps[0].reason,
        "no answer from Project manager within 24 hours"
    );
    assert_eq!(e.steps[0].by, "escalation-sla-check");
    // Flagged as overdue once its new level's time runs out too.
    let attention: GovernanceResponse = app
        .get(&format!(
            "/api/programs/{program}/governance?now={}",
            (later + Duration::hours(49))
                .to_rfc3339()
                .replace('+', "%2B")
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(attention.attention.overdue_escalations, [e.escalation_id]);

    // Resolving needs a writer's role; then the clock stops.
    let resolve = format!("{escalations}/{escalation}/resolve");
    assert_error(
        send(&dee, &app, &resolve, json!({"text": "Date agreed"})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    ok(app
        .post(
            &resolve,
            &json!({"text": "QSA re-test booked for 20 April"}),
        )
        .await)
    .await;
    assert_eq!(
        check_escalations(&app.store, later + Duration::days(30))
            .await
            .unwrap(),
        0
    );
}

/// The audit trail leads from the re-baseline back to the approval and forward again, filters by
/// actor and type, and its export carries what a reader needs to recompute every hash.
async fn audit_follows_the_causation_and_exports_a_checkable_chain(
    app: &TestApp,
    program: ProgramId,
    approval: uuid::Uuid,
    effect: uuid::Uuid,
) {
    let audit = |query: String| async move {
        let res = app
            .get(&format!("/api/programs/{program}/audit?{query}"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json::<AuditPage>().await.unwrap()
    };
    let caused = audit(format!("caused_by={approval}")).await;
    assert_eq!(caused.events.len(), 1);
    assert_eq!(caused.events[0].event_id.0, effect);
    assert!(
        caused.events[0]
            .description
            .as_deref()
            .unwrap()
            .starts_with("Re-baselined from 2027-04-09 to 2027-04-30")
    );
    let cause = audit(format!("event_id={approval}")).await;
    assert_eq!(cause.events[0].event_type, "DecisionApproved");
    // One step along the chain: the cause and what it caused.
    let chain = audit(format!("cause={approval}")).await;
    let types: Vec<&str> = chain.events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["DecisionApproved", "MilestoneRebaselined"]);
    let votes = audit("actor=bo&event_type=DecisionVoteCast".into()).await;
    assert_eq!(votes.events.len(), 1);
    assert_eq!(votes.head, app.head().await);
    let all = audit("limit=1000".into()).await;
    assert!(all.events.iter().any(|e| e.stream_type == "governance"));

    let res = app
        .get(&format!("/api/programs/{program}/audit?format=jsonl"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let head_hash = res.headers()["x-throughline-head-hash"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(head_hash, all.head_hash);
    let body = res.text().await.unwrap();
    let lines: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), all.events.len());
    for line in &lines {
        let canonical =
            |v: &Value| throughline_backend::event_store::canonical_string(v).into_bytes();
        let uuid = |k: &str| uuid::Uuid::parse_str(line[k].as_str().unwrap()).unwrap();
        let input = HashInput {
            position: line["position"].as_i64().unwrap(),
            event_id: uuid("event_id"),
            stream_id: uuid("stream_id"),
            stream_type: line["stream_type"].as_str().unwrap(),
            version: line["version"].as_i64().unwrap(),
            event_type: line["event_type"].as_str().unwrap(),
            schema_version: line["schema_version"].as_i64().unwrap() as i32,
            program_id: Some(uuid("program_id")),
            payload: &canonical(&line["payload"]),
            metadata: &canonical(&line["metadata"]),
            recorded_at: line["recorded_at"].as_str().unwrap().parse().unwrap(),
        };
        let prev = hex::decode(line["prev_hash"].as_str().unwrap()).unwrap();
        assert_eq!(
            hex::encode(event_hash(&prev, &input)),
            line["hash"],
            "recomputed hash of {line}"
        );
    }
    // The program's last event is the log's last here, so the export ends at the head hash.
    assert_eq!(lines.last().unwrap()["hash"], head_hash.as_str());

    let res = app
        .get(&format!(
            "/api/programs/{program}/audit?format=csv&event_type=MilestoneRebaselined"
        ))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.text().await.unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(
        csv.contains(&approval.to_string()),
        "the causation column links the approval"
    );
    let report: VerifyReport = app
        .get(&format!("/api/programs/{program}/audit/verify"))
        .await
        .json()
        .await
        .unwrap();
    assert!(report.ok && report.checked == report.head_position);
    assert_error(
        app.get(&format!("/api/programs/{program}/audit?format=pdf"))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
}

#[tokio::test]
async fn a_session_has_an_agenda_from_the_log_with_what_changed_since_the_last_one_and_keeps_its_record()
 {
    let Board {
        app,
        program,
        milestone,
        ada,
        bo,
        dee,
    } = board().await;
    let g = governance(&app, program).await;
    let forum = g.view.charter.forums[0].forum_id;
    let (ada_id, bo_id, cy_id, dee_id) = (
        throughline_backend::accounts::user_id_for("ada"),
        throughline_backend::accounts::user_id_for("bo"),
        throughline_backend::accounts::user_id_for("cy"),
        throughline_backend::accounts::user_id_for("dee"),
    );
    let sessions = format!("/api/programs/{program}/forums/{forum}/sessions");
    // Only the program manager or the chair holds a session.
    assert_error(
        send(&bo, &app, &sessions, json!({})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let first = created(send(&ada, &app, &sessions, json!({"date": "2027-01-04"})).await).await;
    let g = governance(&app, program).await;
    let agenda = &g.view.sessions[0].agenda;
    assert_eq!(
        agenda.since_position, None,
        "a first session counts from the start"
    );
    assert!(
        agenda.changes.iter().any(|c| c == "Project “Ledger” added"),
        "{:?}",
        agenda.changes
    );

    // Between the sessions: the milestone slips and a decision is raised for the board.
    ok(app
        .post(
            &format!("/api/programs/{program}/milestones/{milestone}/forecast"),
            &json!({"forecast": "2027-04-23", "reason": "QSA findings"}),
        )
        .await)
    .await;
    created(
        app.post(
            &format!("/api/programs/{program}/decisions"),
            &rebaseline(milestone, "2027-04-23"),
        )
        .await,
    )
    .await;
    let preview: throughline_shared::governance::session::Agenda = app
        .get(&format!("/api/programs/{program}/forums/{forum}/agenda"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(preview.since_position, Some(g.view.sessions[0].position));
    assert_eq!(preview.slipped.len(), 1);
    assert_eq!(preview.slipped[0].milestone_id, milestone);
    assert_eq!(preview.slipped[0].to.to_string(), "2027-04-23");
    assert_eq!(
        preview.changes,
        ["“PCI certification” forecast moved 14 days later, to 2027-04-23"],
        "only what changed since the last session"
    );
    assert_eq!(preview.decisions.len(), 1);
    let second = created(send(&ada, &app, &sessions, json!({})).await).await;
    let g = governance(&app, program).await;
    assert_eq!(g.view.sessions[1].agenda.slipped, preview.slipped);
    assert!(g.view.sessions[1].date >= Utc::now().date_naive());

    // The record: attendance of board members only, minutes and actions by the chair.
    let s = format!("/api/programs/{program}/sessions/{second}");
    assert_error(
        send(
            &ada,
            &app,
            &format!("{s}/attendance"),
            json!({"present": [ada_id, dee_id]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    ok(send(
        &ada,
        &app,
        &format!("{s}/attendance"),
        json!({"present": [ada_id, bo_id], "apologies": [cy_id]}),
    )
    .await)
    .await;
    assert_error(
        send(
            &bo,
            &app,
            &format!("{s}/minutes"),
            json!({"minutes": "Not the chair"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    ok(send(
        &ada,
        &app,
        &format!("{s}/minutes"),
        json!({"minutes": "Re-baseline discussed; vote at the next session."}),
    )
    .await)
    .await;
    ok(send(
        &ada,
        &app,
        &format!("{s}/actions"),
        json!({"title": "Book the QSA re-test", "owner": "Lee Chen", "due": "2027-02-15"}),
    )
    .await)
    .await;
    ok(send(&ada, &app, &format!("{s}/close"), json!({})).await).await;
    assert_error(
        send(
            &ada,
            &app,
            &format!("{s}/minutes"),
            json!({"minutes": "Too late"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_to_change",
    )
    .await;
    // Actions outlive the meeting; a forum member without a writer's role cannot close one.
    let g = governance(&app, program).await;
    let session = &g.view.sessions[1];
    assert_eq!(session.present.len(), 2);
    assert_eq!(session.apologies[0].name, "cy (test)");
    assert!(session.closed);
    let action = session.actions[0].action_id;
    assert_error(
        send(
            &dee,
            &app,
            &format!("{s}/actions/{action}"),
            json!({"status": "done"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    ok(app
        .post(
            &format!("{s}/actions/{action}"),
            &json!({"status": "done", "note": "Booked for 20 April"}),
        )
        .await)
    .await;
    let g = governance(&app, program).await;
    assert_eq!(
        g.view.sessions[1].actions[0].status,
        throughline_shared::governance::session::ActionStatus::Done
    );
    assert_ne!(first, second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_members_approving_at_the_same_moment_apply_the_effect_once() {
    let Board {
        app,
        program,
        milestone,
        ada,
        bo,
        ..
    } = board().await;
    let decisions = format!("/api/programs/{program}/decisions");
    for round in 0..5 {
        let to = format!("2027-05-{:02}", 10 + round);
        let decision = created(app.post(&decisions, &rebaseline(milestone, &to)).await).await;
        let d = format!("{decisions}/{decision}");
        ok(send(&ada, &app, &format!("{d}/table"), json!({})).await).await;
        ok(send(
            &ada,
            &app,
            &format!("{d}/votes"),
            json!({"vote": "approve"}),
        )
        .await)
        .await;
        ok(send(&bo, &app, &format!("{d}/votes"), json!({"vote": "approve"})).await).await;
        let head = app.head().await;
        let body = json!({"outcome": "approve", "rationale": "Agreed"});
        let outcome = format!("{d}/outcome");
        let (a, b) = tokio::join!(
            send(&ada, &app, &outcome, body.clone()),
            send(&bo, &app, &outcome, body.clone())
        );
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort();
        // The loser sees the decision already decided (422) or loses the append race (409).
        assert!(
            statuses == [200, 409] || statuses == [200, 422],
            "round {round}: {statuses:?}"
        );
        let page: EventPage = app
            .get(&format!("/api/programs/{program}/events?after={head}"))
            .await
            .json()
            .await
            .unwrap();
        let types: Vec<&str> = page.events.iter().map(|e| e.event_type.as_str()).collect();
        assert_eq!(
            types,
            ["DecisionApproved", "MilestoneRebaselined"],
            "round {round}"
        );
    }
}
