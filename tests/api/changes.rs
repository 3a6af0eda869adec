//! What changed between two moments (issue 16): the diff served equals the difference of the two
//! folded views for every entity type — milestones (forecast, met, added, cancelled, float),
//! dependencies' health, projects' reports, objectives' outlook, the critical path, decisions and
//! risks — and an empty range changes nothing.

use crate::log_truth::accepted;
use reqwest::StatusCode;
use serde_json::json;
use std::collections::{BTreeSet, HashMap};
use throughline_shared::ProgramId;
use throughline_shared::changes::{Presence, ProgramChanges};
use throughline_shared::ids::MilestoneId;
use throughline_shared::view::{MilestoneView, ProgramView};
use throughline_tests::{TestApp, assert_error};

async fn changes(app: &TestApp, program: ProgramId, query: &str) -> ProgramChanges {
    let res = app
        .get(&format!("/api/programs/{program}/changes?{query}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    res.json().await.unwrap()
}

/// A milestone as a reader compares it: everything but its stream version.
fn seen(m: &MilestoneView) -> MilestoneView {
    MilestoneView {
        version: 0,
        ..m.clone()
    }
}

fn floats(v: &ProgramView) -> HashMap<MilestoneId, i64> {
    v.try_schedule()
        .map(|s| s.float_days().into_iter().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_changes_between_two_moments_are_the_difference_of_the_two_folded_views() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Changes").await;
    let ledger = app.add_project(program, "Ledger").await;
    let cards = app.add_project(program, "Cards").await;
    let schema = app
        .add_milestone(program, ledger, "Schema frozen", "2027-03-10")
        .await;
    let api = app
        .add_milestone(program, ledger, "API ready", "2027-03-20")
        .await;
    let launch = app
        .add_milestone(program, cards, "Cards launch", "2027-04-01")
        .await;
    let pilot = app
        .add_milestone(program, cards, "Pilot", "2027-02-01")
        .await;
    for (provider, consumer) in [(schema, api), (api, launch)] {
        accepted(
            app.propose(
                program,
                provider,
                consumer,
                json!({"need_by": "2027-03-25"}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
    }
    let from = app.head().await;
    assert!(
        changes(&app, program, &format!("from={from}&to={from}"))
            .await
            .is_empty()
    );

    // A week of program life.
    let post = |path: String, body: serde_json::Value| {
        let app = &app;
        async move { app.post(&path, &body).await }
    };
    let slip = post(
        format!("/api/programs/{program}/milestones/{api}/forecast"),
        json!({"forecast": "2027-04-10", "reason": "Vendor late"}),
    )
    .await;
    assert_eq!(slip.status(), StatusCode::OK);
    let met = post(
        format!("/api/programs/{program}/milestones/{schema}/met"),
        json!({"actual": "2026-11-30"}),
    )
    .await;
    assert_eq!(met.status(), StatusCode::OK);
    let cancelled = post(
        format!("/api/programs/{program}/milestones/{pilot}/cancel"),
        json!({"reason": "Folded into the launch"}),
    )
    .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    let added = app
        .add_milestone(program, cards, "Marketing site", "2027-05-01")
        .await;
    let report = app
        .report_status(program, cards, "red", "Launch at risk: API late")
        .await;
    assert!(report.status().is_success());
    let risk = accepted(
        post(
            format!("/api/programs/{program}/raid/risks"),
            json!({"details": {"title": "API vendor slips again", "category": "Vendor",
                               "owner": "Ana Ruiz", "projects": [ledger]},
                   "assessment": {"probability": 3, "impact": 4}}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
    .stream_id;
    let decision = accepted(
        post(
            format!("/api/programs/{program}/decisions"),
            json!({"kind": "scope_change", "question": "Drop the pilot?", "context": "API late",
                   "options": [{"title": "Drop it"}, {"title": "Keep it"}]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
    .stream_id;
    let middle = app.head().await;
    let reassessed = post(
        format!("/api/programs/{program}/raid/risks/{risk}/assess"),
        json!({"assessment": {"probability": 5, "impact": 4}, "reason": "Second delay"}),
    )
    .await;
    assert_eq!(reassessed.status(), StatusCode::OK);
    let to = app.head().await;

    let diff = changes(&app, program, &format!("from={from}&to={to}")).await;
    assert_eq!((diff.from, diff.to), (from, to));

    // Milestones: exactly those whose folded view changed, or whose float did.
    let (before, after) = (
        app.view_at(program, from).await,
        app.view_at(program, to).await,
    );
    let (float_before, float_after) = (floats(&before), floats(&after));
    let then: HashMap<_, _> = before
        .milestones
        .iter()
        .map(|m| (m.milestone_id, seen(m)))
        .collect();
    let now: HashMap<_, _> = after
        .milestones
        .iter()
        .map(|m| (m.milestone_id, seen(m)))
        .collect();
    let expected: BTreeSet<MilestoneId> = then
        .keys()
        .chain(now.keys())
        .copied()
        .filter(|id| then.get(id) != now.get(id) || float_before.get(id) != float_after.get(id))
        .collect();
    let listed: BTreeSet<MilestoneId> = diff.milestones.iter().map(|m| m.milestone_id).collect();
    assert_eq!(listed, expected);
    let of = |id: MilestoneId| {
        diff.milestones
            .iter()
            .find(|m| m.milestone_id == id)
            .unwrap()
    };
    let slipped = of(api);
    assert_eq!(slipped.presence, Presence::Changed);
    assert_eq!(slipped.moved_days, Some(21));
    assert_eq!(
        slipped
            .forecast
            .as_ref()
            .map(|c| (c.from.to_string(), c.to.to_string())),
        Some(("2027-03-20".into(), "2027-04-10".into()))
    );
    assert_eq!(
        of(schema).met.as_ref().map(|c| c.to),
        Some(Some("2026-11-30".parse().unwrap()))
    );
    assert_eq!(of(pilot).presence, Presence::Removed);
    assert_eq!(of(added).presence, Presence::Added);

    // Dependencies: the slip leaves the API's consumer short of its need-by date.
    let analysis_before = before.analyse(diff.from_day);
    let analysis_after = after.analyse(diff.to_day);
    for d in &after.dependencies {
        let (was, is) = (
            analysis_before
                .dependency(d.dependency_id)
                .map(|h| h.status),
            analysis_after.dependency(d.dependency_id).map(|h| h.status),
        );
        let listed = diff
            .dependencies
            .iter()
            .find(|x| x.dependency_id == d.dependency_id);
        assert_eq!(
            listed
                .and_then(|x| x.status.as_ref())
                .map(|c| (c.from, c.to)),
            (was != is).then_some((was, is)),
            "dependency {} → {}",
            d.provider,
            d.consumer
        );
    }
    assert!(
        diff.dependencies
            .iter()
            .any(|d| d.consumer == launch && d.status.is_some())
    );

    // Projects, the critical path, decisions and risks.
    let cards_diff = diff
        .projects
        .iter()
        .find(|p| p.project_id == cards)
        .unwrap();
    assert_eq!(
        cards_diff.rag.as_ref().map(|c| (c.from, c.to)),
        Some((None, Some(throughline_shared::Rag::Red)))
    );
    assert_eq!(
        cards_diff.narrative.as_deref(),
        Some("Launch at risk: API late")
    );
    assert!(diff.projects.iter().all(|p| p.project_id != ledger));
    assert_eq!(
        diff.critical_path.is_some(),
        analysis_before.critical_path != analysis_after.critical_path
    );
    assert_eq!(diff.decisions.len(), 1);
    assert_eq!(diff.decisions[0].decision_id.0, decision);
    assert_eq!(diff.decisions[0].presence, Presence::Added);
    assert_eq!(diff.risks.len(), 1);
    assert_eq!(diff.risks[0].presence, Presence::Added);
    assert_eq!(
        diff.risks[0].score.as_ref().map(|c| (c.from, c.to)),
        Some((None, Some(20))),
        "the score it has at the end of the range"
    );

    // From the middle: only the reassessment, as a score change.
    let later = changes(&app, program, &format!("from={middle}")).await;
    assert_eq!(later.to, to);
    assert!(later.milestones.is_empty() && later.projects.is_empty() && later.decisions.is_empty());
    assert_eq!(later.risks.len(), 1);
    assert_eq!(
        later.risks[0].score.as_ref().map(|c| (c.from, c.to)),
        Some((Some(12), Some(20)))
    );

    // Backwards, or before the program existed, or malformed: refused.
    assert_error(
        app.get(&format!(
            "/api/programs/{program}/changes?from={to}&to={from}"
        ))
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_range",
    )
    .await;
    assert_error(
        app.get(&format!("/api/programs/{program}/changes?from=yesterday"))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_as_of",
    )
    .await;
    assert_error(
        app.get(&format!("/api/programs/{program}/changes?from=0&to=1"))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Without `from`: the last week, here the whole history.
    assert_eq!(
        changes(&app, program, "").await.milestones.len(),
        after.milestones.len()
    );
    // By instants: the whole history up to now is every milestone added.
    let whole = changes(&app, program, "from=2000-01-01").await;
    assert_eq!(
        whole
            .milestones
            .iter()
            .filter(|m| m.presence == Presence::Added)
            .count(),
        after.milestones.len()
    );
}
