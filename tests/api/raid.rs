//! RAID through the API: a risk from identification to realisation with its score history,
//! exposure pushed along a cross-project dependency, acceptance above appetite refused, an
//! assumption that proves false raising its risk, the register as of before anything existed,
//! absurd input refused without appending, and two people reassessing one risk at once.

use reqwest::StatusCode;
use serde_json::{Value, json};
use throughline_shared::api::CommandAccepted;
use throughline_shared::raid::register::RaidRegister;
use throughline_shared::raid::requests::{ExposureResponse, RiskDetailResponse};
use throughline_shared::raid::risk::{RiskState, Roam};
use throughline_shared::{ProgramId, ProjectId};
use throughline_tests::{TestApp, assert_error};
use uuid::Uuid;

async fn accepted(res: reqwest::Response, status: StatusCode) -> CommandAccepted {
    let got = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn register(app: &TestApp, program: ProgramId, query: &str) -> RaidRegister {
    let res = app
        .get(&format!("/api/programs/{program}/raid{query}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

struct Setup {
    app: TestApp,
    program: ProgramId,
    ledger: ProjectId,
    checkout: ProjectId,
    risks: String,
}

/// Ledger's API release feeds Checkout's integration (a dependency between two projects).
async fn setup() -> (Setup, Uuid) {
    let app = TestApp::spawn().await;
    let program = app.create_program("Payments").await;
    let ledger = app.add_project(program, "Ledger").await;
    let checkout = app.add_project(program, "Checkout").await;
    let api = app
        .add_milestone(program, ledger, "Ledger API live", "2027-03-10")
        .await;
    let integration = app
        .add_milestone(program, checkout, "Checkout integrated", "2027-03-12")
        .await;
    let res = app.propose(program, api, integration, json!({})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let risks = format!("/api/programs/{program}/raid/risks");
    (
        Setup {
            app,
            program,
            ledger,
            checkout,
            risks,
        },
        api.0,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_risk_is_assessed_exposes_its_consumers_is_refused_acceptance_above_appetite_and_realised()
 {
    let (s, api) = setup().await;
    let (app, program) = (&s.app, s.program);
    let empty_at = app.head().await;
    let appetite = format!("/api/programs/{program}/raid/appetite");
    accepted(
        app.put(
            &appetite,
            &json!({"appetite": {"score": 12, "schedule_days": 10}, "reason": "Board"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let risk = accepted(
        app.post(
            &s.risks,
            &json!({"details": {"title": "HSM vendor slips", "cause": "Single HSM supplier",
                                "category": "vendor", "owner": "Ana Ruiz", "projects": [s.ledger],
                                "links": [{"kind": "milestone", "id": api}]},
                    "assessment": {"probability": 3, "impact": 3, "schedule_days": 8},
                    "review_by": "2027-02-01"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
    .stream_id;
    let one = format!("{}/{risk}", s.risks);
    accepted(
        app.post(
            &format!("{one}/assess"),
            &json!({"assessment": {"probability": 4, "impact": 4, "schedule_days": 20},
                    "reason": "Supplier confirmed a delay", "review_by": "2027-03-01"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Accepting it directly: above the appetite (score 16 > 12), so a decision is needed.
    let body = assert_error(
        app.post(
            &format!("{one}/respond"),
            &json!({"strategy": "accept", "reason": "Too costly to mitigate"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        body.to_string()
            .contains("score 16 is above the appetite of 12"),
        "{body}"
    );
    accepted(
        app.post(
            &format!("{one}/respond"),
            &json!({"strategy": "mitigate", "reason": "Second source"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    let reg = register(app, program, "?today=2027-02-15").await;
    let row = &reg.risks[0];
    assert_eq!(
        (row.score, row.details.category.as_str()),
        (Some(16), "Vendor")
    );
    assert_eq!(row.roam, Roam::Owned);
    assert!(!row.stale, "reviewed by 1 March");
    assert!(row.above_appetite.is_some());
    assert_eq!(
        row.trend.iter().map(|p| p.score).collect::<Vec<_>>(),
        [Some(9), Some(16)]
    );
    assert_eq!(reg.counts.above_appetite, 1);
    let cell = reg
        .heatmap
        .inherent
        .iter()
        .find(|c| c.probability.get() == 4 && c.impact.get() == 4)
        .unwrap();
    assert_eq!(cell.count, 1);
    assert_eq!(
        register(app, program, "?today=2027-03-02&stale=true")
            .await
            .risks
            .len(),
        1,
        "not reassessed by its review date"
    );

    // The provider's risk reaches the consumer's project.
    let res = app
        .get(&format!(
            "/api/programs/{program}/raid/exposure?project={}",
            s.checkout
        ))
        .await;
    let exposure: ExposureResponse = res.json().await.unwrap();
    let e = &exposure.risks[0];
    assert_eq!(e.projects, {
        let mut p = vec![s.ledger, s.checkout];
        p.sort();
        p
    });
    assert_eq!(
        (e.milestones[0].worst_days, e.milestones[0].expected_days),
        (20, 14)
    );
    assert!(e.milestones.len() == 2 && e.milestones[1].worst_days > 0);

    // One risk with its history in words.
    let detail: RiskDetailResponse = app.get(&one).await.json().await.unwrap();
    let words: Vec<String> = detail
        .history
        .iter()
        .map(|e| e.description.clone().unwrap_or_default())
        .collect();
    assert!(
        words[0].contains("Identified the risk “HSM vendor slips”"),
        "{words:?}"
    );
    assert!(
        words
            .iter()
            .any(|w| w.contains("16 (High: probability 4 × impact 4, 20 days)"))
    );
    assert!(detail.exposure.is_some());

    // It happens: an issue, linked both ways, in one append.
    let issue = accepted(
        app.post(
            &format!("{one}/realise"),
            &json!({"reason": "Supplier missed the date"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let reg = register(app, program, "").await;
    let realised = reg.risks.iter().find(|r| r.risk_id.0 == risk).unwrap();
    assert_eq!(
        (
            realised.state,
            realised.roam,
            realised.issue_id.map(|i| i.0)
        ),
        (RiskState::Realised, Roam::Resolved, Some(issue.stream_id))
    );
    let raised = &reg.issues[0];
    assert_eq!(raised.from_risk.map(|r| r.0), Some(risk));
    assert_eq!(raised.details.title, "HSM vendor slips");
    // A realised risk takes no more assessments.
    assert_error(
        app.post(
            &format!("{one}/assess"),
            &json!({"assessment": {"probability": 1, "impact": 1}, "reason": "x"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_to_change",
    )
    .await;
    // As of before any of it: an empty register; as of the first assessment: score 9.
    let before = register(app, program, &format!("?as_of={empty_at}")).await;
    assert!(before.risks.is_empty() && before.appetite.is_none());
    let first = detail.history[1].position;
    let then = register(app, program, &format!("?as_of={first}")).await;
    assert_eq!(then.risks[0].score, Some(9));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assumption_found_false_raises_its_risk_and_absurd_input_changes_nothing() {
    let (s, api) = setup().await;
    let (app, program) = (&s.app, s.program);
    let assumption = accepted(
        app.post(
            &format!("/api/programs/{program}/raid/assumptions"),
            &json!({"details": {"statement": "The regulator signs off the design in Q2",
                                "owner": "Sam Patel", "projects": [s.checkout],
                                "links": [{"kind": "milestone", "id": api}]}}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
    .stream_id;
    let risk = accepted(
        app.post(
            &format!("/api/programs/{program}/raid/assumptions/{assumption}/invalidate"),
            &json!({"note": "Sign-off moved to Q4"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
    .stream_id;
    let reg = register(app, program, "").await;
    let raised = reg.risks.iter().find(|r| r.risk_id.0 == risk).unwrap();
    assert!(
        raised
            .details
            .title
            .starts_with("Assumption proved false: The regulator")
    );
    assert_eq!(raised.details.projects, [s.checkout]);
    assert_eq!(reg.assumptions[0].risk_id.map(|r| r.0), Some(risk));

    let head = app.head().await;
    let absurd: Vec<(Value, StatusCode, &str)> = vec![
        (
            json!({"details": {"title": "x", "category": "Vendor", "owner": "A"},
                   "assessment": {"probability": 9, "impact": 1}}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"details": {"title": "x".repeat(100_000), "category": "Vendor", "owner": "A"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            json!({"details": {"title": "x", "category": "Weather", "owner": "A"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            json!({"details": {"title": "x", "category": "Vendor", "owner": "A",
                               "projects": [Uuid::new_v4()]}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            json!({"details": {"title": "x", "category": "Vendor", "owner": "A",
                               "links": [{"kind": "objective", "id": Uuid::new_v4()}]}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            json!({"details": {"title": "x", "category": "Vendor", "owner": "A"},
                   "assessment": {"probability": 2, "impact": 2, "schedule_days": 65535}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            json!({"details": {"title": "x", "category": "Vendor", "owner": "A"},
                   "assessment": {"probability": 2, "impact": 2,
                                  "cost": {"minor": i64::MAX, "currency": "EUR"}}}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"details": {"title": "x", "category": "Vendor", "owner": "A",
                               "proximity": "9999-01-01"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
    ];
    for (body, status, code) in absurd {
        assert_error(app.post(&s.risks, &body).await, status, code).await;
    }
    for query in [
        "?band=enormous",
        "?state=gone",
        "?today=someday",
        "?as_of=yesterday",
    ] {
        let res = app
            .get(&format!("/api/programs/{program}/raid{query}"))
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{query}");
    }
    assert_eq!(app.head().await, head, "nothing refused was appended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_reassessing_one_risk_at_once_get_one_conflict_and_lose_nothing() {
    let (s, _) = setup().await;
    let (app, program) = (&s.app, s.program);
    let risk = accepted(
        app.post(
            &s.risks,
            &json!({"details": {"title": "Key engineer leaves", "category": "Resource",
                                "owner": "Lee", "projects": [s.ledger]}}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let (ana_id, ana) = app.client_as("ana").await;
    let (bo_id, bo) = app.client_as("bo").await;
    for user in [ana_id, bo_id] {
        app.grant(program, user, "contributor", None).await;
    }
    let url = app.url(&format!("{}/{}/assess", s.risks, risk.stream_id));
    let body = |p: u8, who: &str| {
        json!({"assessment": {"probability": p, "impact": 4}, "reason": format!("{who}'s view"),
               "expected_version": risk.version})
    };
    let (a, b) = tokio::join!(
        ana.post(&url).json(&body(2, "Ana")).send(),
        bo.post(&url).json(&body(5, "Bo")).send()
    );
    let mut statuses = [a.unwrap().status(), b.unwrap().status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let detail: RiskDetailResponse = app
        .get(&format!("{}/{}", s.risks, risk.stream_id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail.history.len(), 2, "identified, and one reassessment");
    assert_eq!(detail.risk.trend.len(), 1);
    assert_eq!(detail.risk.stamp.version, risk.version + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_risk_above_appetite_is_accepted_only_through_its_forum_with_the_approval_as_cause() {
    let (s, _) = setup().await;
    let (app, program) = (&s.app, s.program);
    let (ada_id, ada) = app.client_as("ada").await;
    app.grant(program, ada_id, "forum_member", None).await;
    let forum = accepted(
        app.post(
            &format!("/api/programs/{program}/forums"),
            &json!({"name": "Steering committee", "chair": ada_id, "members": [], "quorum": 1,
                    "cadence": "monthly", "first_session": "2027-01-29", "decision_sla_days": 10}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
    .stream_id;
    accepted(
        app.post(
            &format!("/api/programs/{program}/decision-rights"),
            &json!({"rights": [{"kind": "risk_acceptance", "threshold": 12, "forum_id": forum}]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    accepted(
        app.put(
            &format!("/api/programs/{program}/raid/appetite"),
            &json!({"appetite": {"score": 9}, "reason": "Launch year"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let risk = accepted(
        app.post(
            &s.risks,
            &json!({"details": {"title": "Card scheme rule change", "category": "Regulatory",
                                "owner": "Ana", "projects": [s.checkout]},
                    "assessment": {"probability": 4, "impact": 4}}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
    .stream_id;
    // The forum's next session has it on its agenda: new, and above appetite.
    let agenda: throughline_shared::governance::session::Agenda = app
        .get(&format!("/api/programs/{program}/forums/{forum}/agenda"))
        .await
        .json()
        .await
        .unwrap();
    use throughline_shared::raid::agenda::RiskAgendaReason;
    let item = &agenda.risks[0];
    assert_eq!(item.title, "Card scheme rule change");
    assert!(matches!(
        item.reasons.as_slice(),
        [
            RiskAgendaReason::AboveAppetite { .. },
            RiskAgendaReason::New
        ]
    ));
    let respond = format!("{}/{risk}/respond", s.risks);
    let head = app.head().await;
    let body = assert_error(
        app.post(
            &respond,
            &json!({"strategy": "accept", "reason": "Cheaper to absorb"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "decision_required",
    )
    .await;
    assert!(body.to_string().contains("Steering committee"), "{body}");
    assert_eq!(app.head().await, head, "refused, nothing appended");

    let decisions = format!("/api/programs/{program}/decisions");
    let decision = accepted(
        app.post(
            &decisions,
            &json!({"kind": "risk_acceptance", "question": "Accept the card scheme risk?",
                    "options": [{"title": "Accept"}, {"title": "Mitigate"}],
                    "effects": [{"effect": "accept_risk", "risk_id": risk}]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
    .stream_id;
    let d = format!("{decisions}/{decision}");
    for (path, body) in [
        (format!("{d}/table"), json!({})),
        (format!("{d}/votes"), json!({"vote": "approve"})),
    ] {
        let res = ada.post(app.url(&path)).json(&body).send().await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{path}: {}",
            res.text().await.unwrap()
        );
    }
    let before = app.head().await;
    let res = ada
        .post(app.url(&format!("{d}/outcome")))
        .json(&json!({"outcome": "approve", "rationale": "Absorb it this year"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );

    let reg = register(app, program, "").await;
    let row = reg.risks.iter().find(|r| r.risk_id.0 == risk).unwrap();
    assert_eq!(row.roam, Roam::Accepted);
    assert_eq!(row.accepted_by.map(|d| d.0), Some(decision));
    let page: throughline_shared::api::EventPage = app
        .get(&format!("/api/programs/{program}/events?after={before}"))
        .await
        .json()
        .await
        .unwrap();
    let types: Vec<&str> = page.events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["DecisionApproved", "RiskResponseChosen"]);
    let (approval, acceptance) = (&page.events[0], &page.events[1]);
    assert_eq!(acceptance.metadata.causation_id, Some(approval.event_id.0));
    assert_eq!(acceptance.metadata.actor, "ada");
    assert!(
        acceptance
            .description
            .as_deref()
            .unwrap_or_default()
            .contains(
                "Chose to accept a risk as approved: decision “Accept the card scheme risk?”"
            )
    );
}

/// Two instances check the registers at once and raise one escalation between them; a check
/// after raises nothing. The program's escalations then.
async fn raised_once_by_two_instances(
    app: &TestApp,
    program: ProgramId,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<throughline_shared::governance::view::EscalationView> {
    use throughline_backend::commands::governance::escalate_from_registers;
    use throughline_backend::event_store::EventStore;
    use throughline_shared::governance::requests::GovernanceResponse;
    let other_instance = EventStore::start(app.pool.clone());
    let (a, b) = tokio::join!(
        escalate_from_registers(&app.store, now),
        escalate_from_registers(&other_instance, now)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1, "raised exactly once");
    assert_eq!(escalate_from_registers(&app.store, now).await.unwrap(), 0);
    let g: GovernanceResponse = app
        .get(&format!("/api/programs/{program}/governance"))
        .await
        .json()
        .await
        .unwrap();
    g.view.escalations
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_risk_goes_up_the_escalation_path_once_even_when_two_instances_check_at_once() {
    use throughline_backend::commands::governance::escalate_from_registers;
    use throughline_shared::governance::escalation::ItemRef;
    let (s, _) = setup().await;
    let (app, program) = (&s.app, s.program);
    let now = chrono::Utc::now();
    let yesterday = (now - chrono::Duration::days(1)).date_naive();
    let risk = accepted(
        app.post(
            &s.risks,
            &json!({"details": {"title": "Data centre lease ends", "category": "Resource",
                                "owner": "Ana", "projects": [s.ledger]},
                    "assessment": {"probability": 2, "impact": 3},
                    "review_by": yesterday}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
    .stream_id;
    // Without an escalation path there is nowhere to send it.
    assert_eq!(escalate_from_registers(&app.store, now).await.unwrap(), 0);
    accepted(
        app.post(
            &format!("/api/programs/{program}/escalation-path"),
            &json!({"levels": [{"title": "Program manager", "response_sla_hours": 48}]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let escalations = raised_once_by_two_instances(app, program, now).await;
    let e = &escalations[0];
    assert_eq!(
        e.subject,
        ItemRef::Risk(throughline_shared::ids::RiskId(risk))
    );
    assert_eq!(e.subject_label, "Data centre lease ends");
    assert!(
        e.reason.contains("not reassessed by its review date"),
        "{}",
        e.reason
    );
    assert_eq!(e.raised_by, "raid-check");
    // Reassessed: no longer stale, nothing more to raise.
    accepted(
        app.post(
            &format!("{}/{risk}/assess", s.risks),
            &json!({"assessment": {"probability": 2, "impact": 3}, "reason": "Lease extended",
                    "review_by": (now + chrono::Duration::days(30)).date_naive()}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(escalate_from_registers(&app.store, now).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_risks_of_one_cause_that_together_cross_the_appetite_are_escalated_once_as_one() {
    use throughline_backend::commands::governance::escalate_from_registers;
    let (s, _) = setup().await;
    let (app, program) = (&s.app, s.program);
    let now = chrono::Utc::now();
    let review = (now + chrono::Duration::days(30)).date_naive();
    for (path, body) in [
        (
            format!("/api/programs/{program}/escalation-path"),
            json!({"levels": [{"title": "Program manager", "response_sla_hours": 48}]}),
        ),
        (
            format!("/api/programs/{program}/raid/appetite"),
            json!({"appetite": {"score": 20, "schedule_days": 10}, "reason": "Board policy"}),
        ),
    ] {
        let res = if path.ends_with("appetite") {
            app.put(&path, &body).await
        } else {
            app.post(&path, &body).await
        };
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
    }
    // Three vendor risks of 4 expected days each (50% of 7, rounded), in two projects: each within the
    // appetite, together above it once the third is assessed.
    for (n, project) in [(1, s.ledger), (2, s.checkout), (3, s.checkout)] {
        accepted(
            app.post(
                &s.risks,
                &json!({"details": {"title": format!("Vendor slip {n}"), "category": "Vendor",
                                    "cause": "Acme staffing", "owner": "Ana", "projects": [project]},
                        "assessment": {"probability": 3, "impact": 2, "schedule_days": 7},
                        "review_by": review}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let register = register(app, program, "").await;
        let group = register.causes.iter().find(|g| g.name == "Acme staffing");
        assert_eq!(group.is_some_and(|g| g.above_appetite), n == 3, "after {n}");
        if n == 2 {
            assert_eq!(escalate_from_registers(&app.store, now).await.unwrap(), 0);
        }
    }
    let escalations = raised_once_by_two_instances(app, program, now).await;
    let e = &escalations[0];
    assert_eq!(e.subject_label, "3 risks caused by “Acme staffing”");
    assert!(e.reason.contains("12 expected days"), "{}", e.reason);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_risk_register_goes_out_as_safe_csv_and_an_edited_file_comes_back_whole_or_not_at_all()
{
    use throughline_shared::api::CsvImportReport;
    let (s, _) = setup().await;
    let (app, program) = (&s.app, s.program);
    for (title, p) in [("=HYPERLINK(\"http://evil\")", 2), ("Vendor insolvency", 3)] {
        accepted(
            app.post(
                &s.risks,
                &json!({"details": {"title": title, "category": "Vendor", "owner": "Ana",
                                    "projects": [s.ledger, s.checkout]},
                        "assessment": {"probability": p, "impact": 4, "schedule_days": 10,
                                       "cost": {"minor": 4_000_050, "currency": "EUR"}}}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
    }
    let csv_url = format!("/api/programs/{program}/raid/risks.csv");
    let res = app.get(&csv_url).await;
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.text().await.unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""),
        "{csv}"
    );
    assert!(
        csv.contains("Checkout; Ledger") && csv.contains("40000.50,EUR"),
        "{csv}"
    );
    // Edited: the insolvency risk is now more likely; a new row; the hostile one untouched.
    let edited = csv
        .lines()
        .map(|line| {
            if line.contains("Vendor insolvency") {
                line.replacen(",3,4,10,", ",5,4,10,", 1)
            } else {
                line.to_string()
            }
        })
        .chain(std::iter::once(
            ",Card scheme fees rise,,,Cost,Grace,Checkout,2,2,,,,,,,,,,,".to_string(),
        ))
        .collect::<Vec<_>>()
        .join("\n");
    let post = |body: String| {
        app.client
            .post(app.url(&csv_url))
            .header("content-type", "text/csv")
            .body(body)
            .send()
    };
    let res = post(edited.clone()).await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let report: CsvImportReport = post(edited).await.unwrap().json().await.unwrap();
    assert_eq!(
        (report.created, report.updated),
        (1, 0),
        "a second import changes nothing but adds the id-less row again"
    );
    let reg = register(app, program, "").await;
    let titles: Vec<&str> = reg.risks.iter().map(|r| r.details.title.as_str()).collect();
    assert_eq!(titles[0], "Vendor insolvency");
    assert_eq!(reg.risks[0].score, Some(20));
    assert!(
        titles.contains(&"=HYPERLINK(\"http://evil\")"),
        "the guard is undone on the way in"
    );
    assert_eq!(
        titles
            .iter()
            .filter(|t| **t == "Card scheme fees rise")
            .count(),
        2
    );
    // One bad row: nothing at all is imported, every problem is said.
    let head = app.head().await;
    let bad = format!(
        "{}\n,Fine,,,Cost,Grace,Checkout,2,2,,,,,,,,,,,\n,Nowhere,,,Cost,Grace,Atlantis,2,2,,,,,,,,,,,\n,Half,,,Cost,Grace,,9,,,,,,,,,,,,",
        csv.lines().next().unwrap()
    );
    let body: Value = post(bad).await.unwrap().json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_csv", "{body}");
    let rows = body["error"]["details"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[0].as_str().unwrap().contains("no project “Atlantis”"));
    assert_eq!(app.head().await, head, "nothing imported");
    // A viewer may export, not import.
    let (viewer_id, viewer) = app.client_as("vera").await;
    app.grant(program, viewer_id, "viewer", None).await;
    let head = app.head().await;
    assert_eq!(
        viewer.get(app.url(&csv_url)).send().await.unwrap().status(),
        StatusCode::OK
    );
    let res = viewer
        .post(app.url(&csv_url))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.head().await, head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dependency_in_trouble_suggests_a_risk_its_consumer_accepts_or_dismisses_on_the_record() {
    use throughline_shared::analysis::DependencyStatus;
    use throughline_shared::raid::suggestions::RiskSuggestion;
    let (s, api) = setup().await;
    let (app, program) = (&s.app, s.program);
    let suggestions_url = format!("/api/programs/{program}/raid/suggestions");
    let read = || async {
        app.get(&suggestions_url)
            .await
            .json::<Vec<RiskSuggestion>>()
            .await
            .unwrap()
    };
    assert!(read().await.is_empty(), "nothing in trouble yet");
    // The provider slips past the consumer's start: the dependency is at risk.
    accepted(
        app.post(
            &format!("/api/programs/{program}/milestones/{api}/forecast"),
            &json!({"forecast": "2027-03-25", "reason": "Vendor API late"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let found = read().await;
    assert_eq!(found.len(), 1);
    let suggestion = &found[0];
    assert_eq!(suggestion.status, DependencyStatus::AtRisk);
    assert_eq!(
        suggestion.details.projects,
        [s.checkout],
        "on the consumer's project"
    );
    assert!(
        suggestion
            .details
            .title
            .contains("waits on “Ledger API live”")
    );
    let dependency = suggestion.dependency_id;
    let base = format!("{suggestions_url}/{dependency}");
    // The provider's project manager cannot take it on for the consumer.
    let (pm_id, pm) = app.client_as("lena").await;
    app.grant(program, pm_id, "project_manager", Some(s.ledger))
        .await;
    let head = app.head().await;
    let res = pm
        .post(app.url(&format!("{base}/dismiss")))
        .json(&json!({"text": "Not mine"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.head().await, head);
    // Dismissed on the record; it stays away while the trouble is the same.
    accepted(
        app.post(
            &format!("{base}/dismiss"),
            &json!({"text": "Covered by the launch buffer"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(read().await.is_empty());
    // Worse trouble (judged later, the need-by date passed): suggested again, and accepted.
    let later = read_on(app, program, "2027-03-20").await;
    assert_eq!(later[0].status, DependencyStatus::Late);
    let events: throughline_shared::api::EventPage = app
        .get(&format!("/api/programs/{program}/events?after={head}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        events.events[0]
            .description
            .as_deref()
            .unwrap_or_default()
            .contains("Dismissed the risk suggested for a dependency gone at risk")
    );
    // Accepting today's (at-risk, dismissed) one is refused.
    assert_error(
        app.post(&format!("{base}/accept"), &json!({})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Another consumer of the late API takes its suggestion on: a risk linked to the dependency.
    let go_live = app
        .add_milestone(program, s.checkout, "Checkout go-live", "2027-03-15")
        .await;
    let res = app
        .propose(
            program,
            throughline_shared::ids::MilestoneId::from_uuid(api),
            go_live,
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let second = read().await;
    assert_eq!(second.len(), 1);
    let risk = accepted(
        app.post(
            &format!("{suggestions_url}/{}/accept", second[0].dependency_id),
            &json!({}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
    .stream_id;
    assert!(read().await.is_empty(), "a risk links it now");
    let reg = register(app, program, "").await;
    let row = reg.risks.iter().find(|r| r.risk_id.0 == risk).unwrap();
    assert_eq!(
        row.details.links,
        [throughline_shared::raid::RaidLink::Dependency(
            second[0].dependency_id
        )]
    );
    assert!(row.review_by.is_some());
}

async fn read_on(
    app: &TestApp,
    program: ProgramId,
    day: &str,
) -> Vec<throughline_shared::raid::suggestions::RiskSuggestion> {
    app.get(&format!(
        "/api/programs/{program}/raid/suggestions?today={day}"
    ))
    .await
    .json()
    .await
    .unwrap()
}
