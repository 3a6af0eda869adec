//! Authorisation, generated from one table: every endpoint (REST, as-of reads, audit trails, the
//! global log, the live stream) × every kind of caller → allowed, forbidden, hidden or
//! unauthenticated. Plus cross-program isolation through every channel.

use futures_util::{SinkExt, StreamExt};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::Duration;
use throughline_shared::access::TokenScope;
use throughline_shared::api::{EventPage, ServerMessage};
use throughline_shared::ids::MilestoneId;
use throughline_shared::{ProgramId, ProjectId};
use throughline_tests::{ADMIN, PASSWORD, Session, TestApp, Ws, bearer_client};
use tokio_tungstenite::tungstenite::Message;

enum Caller {
    Anonymous,
    Session(Session),
    Token(String),
}

impl Caller {
    fn request(&self, app: &TestApp, method: Method, path: &str) -> reqwest::RequestBuilder {
        let url = app.url(path);
        match self {
            Caller::Anonymous => reqwest::Client::new().request(method, url),
            Caller::Session(s) => s
                .client
                .request(method, url)
                .header("x-csrf-token", &s.csrf_token),
            Caller::Token(t) => bearer_client(t).request(method, url),
        }
    }

    async fn live(&self, app: &TestApp) -> Option<Ws> {
        match self {
            Caller::Anonymous => app.live_with("x-nothing", "none").await.ok(),
            Caller::Session(s) => app.live_with("cookie", &s.cookie).await.ok(),
            Caller::Token(t) => app
                .live_with("authorization", &format!("Bearer {t}"))
                .await
                .ok(),
        }
    }
}

/// The first live message after subscribing: events (allowed) or an error (refused).
async fn live_outcome(caller: &Caller, app: &TestApp, program: ProgramId) -> char {
    let Some(mut ws) = caller.live(app).await else {
        return 'U';
    };
    let msg = format!(r#"{{"type":"subscribe","program_id":"{program}","after":0}}"#);
    ws.send(Message::text(msg)).await.unwrap();
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("no live answer within 5 s")
            .unwrap()
            .unwrap();
        if let Message::Text(text) = frame {
            return match serde_json::from_str::<ServerMessage>(&text).unwrap() {
                ServerMessage::Events { .. } => 'Y',
                ServerMessage::Error { .. } => 'N',
            };
        }
    }
}

async fn head(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT position FROM log_head")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

fn outcome(status: StatusCode) -> char {
    match status.as_u16() {
        200..=299 => 'Y',
        401 => 'U',
        403 => 'F',
        404 => 'N',
        other => panic!("unexpected status {other}"),
    }
}

struct World {
    a: ProgramId,
    b: ProgramId,
    p1: ProjectId,
    p2: ProjectId,
    as_of: i64,
    spare: Vec<throughline_shared::UserId>,
    m1: MilestoneId,
    m2: MilestoneId,
    dependency: uuid::Uuid,
    /// Fresh milestones of A1 and A2, one pair per caller, for proposals that must not repeat.
    spare_m1: Vec<MilestoneId>,
    spare_m2: Vec<MilestoneId>,
    /// Milestones of A1 one per caller, to cancel.
    spare_cancel: Vec<MilestoneId>,
    manager: throughline_shared::UserId,
    /// A risk, an issue and an assumption of A2, for the RAID rows.
    risk_a2: uuid::Uuid,
    issue_a2: uuid::Uuid,
    assumption_a2: uuid::Uuid,
    /// RAID items of A2 one per caller, for changes that can be made once (respond then close;
    /// mark the action done then realise; mark the issue's action done then resolve; validate;
    /// invalidate): (item, its action).
    spare_risks: Vec<uuid::Uuid>,
    spare_risk_actions: Vec<(uuid::Uuid, uuid::Uuid)>,
    spare_issue_actions: Vec<(uuid::Uuid, uuid::Uuid)>,
    spare_assumptions: Vec<(uuid::Uuid, uuid::Uuid)>,
    /// Dependencies A1 → A2 at risk, one pair per caller: suggestions to accept, to dismiss.
    spare_troubled: Vec<(uuid::Uuid, uuid::Uuid)>,
    /// The objective A was created with.
    objective: throughline_shared::ObjectiveId,
    /// Per caller: a slip of an A1 milestone that pushes an A2 one, and a cascade of another
    /// (its part: that A2 milestone).
    slips: Vec<i64>,
    cascades: Vec<(uuid::Uuid, MilestoneId)>,
}

/// Creates RAID items of program A through the API, as the administrator.
struct Raid<'a> {
    app: &'a TestApp,
    a: ProgramId,
    p2: ProjectId,
}

impl Raid<'_> {
    async fn create(&self, kind: &str, details: Value) -> uuid::Uuid {
        let res = self
            .app
            .post(
                &format!("/api/programs/{}/raid/{kind}", self.a),
                &json!({ "details": details }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "{kind}");
        res.json::<throughline_shared::api::CommandAccepted>()
            .await
            .unwrap()
            .stream_id
    }

    /// Adds an action to the item and answers its id.
    async fn action(&self, kind: &str, item: uuid::Uuid) -> uuid::Uuid {
        let res = self
            .app
            .post(
                &format!("/api/programs/{}/raid/{kind}/{item}/actions", self.a),
                &json!({"title": "Chase", "owner": "Ana", "due": "2027-05-01"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let register: throughline_shared::raid::register::RaidRegister = self
            .app
            .get(&format!(
                "/api/programs/{}/raid?project={}",
                self.a, self.p2
            ))
            .await
            .json()
            .await
            .unwrap();
        let actions = match kind {
            "risks" => register
                .risks
                .iter()
                .find(|r| r.risk_id.0 == item)
                .map(|r| r.actions.clone()),
            _ => register
                .issues
                .iter()
                .find(|r| r.issue_id.0 == item)
                .map(|r| r.actions.clone()),
        };
        actions.unwrap().last().unwrap().action_id.0
    }
}

fn day(i: usize) -> String {
    format!("2027-05-{:02}", i + 1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_allows_exactly_the_roles_in_the_table() {
    let app = TestApp::spawn().await;
    let a = app.create_program("Program A").await;
    let p1 = app.add_project(a, "A1").await;
    let p2 = app.add_project(a, "A2").await;
    let as_of: i64 = sqlx::query_scalar("SELECT position FROM log_head")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let b = app.create_program("Program B").await;
    app.add_project(b, "B1").await;

    let mut users = Vec::new();
    for (name, role, project) in [
        ("outsider", None, None),
        ("viewer", Some("viewer"), None),
        ("forum", Some("forum_member"), None),
        ("contributor", Some("contributor"), None),
        ("pm-a1", Some("project_manager"), Some(p1)),
        ("manager", Some("program_manager"), None),
    ] {
        let user = app.ensure_user(name, false).await;
        if let Some(role) = role {
            app.grant(a, user, role, project).await;
        }
        users.push(user);
    }
    let manager = users[5];
    app.grant(b, manager, "viewer", None).await;
    let mut spare = Vec::new();
    for i in 0..10 {
        spare.push(app.ensure_user(&format!("spare-{i}"), false).await);
    }
    let m1 = app.add_milestone(a, p1, "A1 ready", "2027-03-01").await;
    let m2 = app.add_milestone(a, p2, "A2 go-live", "2027-04-01").await;
    let res = app.propose(a, m1, m2, json!({})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let dependency = res
        .json::<throughline_shared::api::CommandAccepted>()
        .await
        .unwrap()
        .stream_id;
    // Per caller, two slips of an A1 milestone that push an A2 one: one to propose, one proposed
    // already (before any other change, so they stay among the program's recent slips).
    let (mut slips, mut cascades) = (Vec::new(), Vec::new());
    for i in 0..20 {
        let slipping = app
            .add_milestone(a, p1, &format!("A1 schema {i}"), "2027-05-01")
            .await;
        let pushed = app
            .add_milestone(a, p2, &format!("A2 cut-over {i}"), "2027-05-10")
            .await;
        assert_eq!(
            app.propose(a, slipping, pushed, json!({})).await.status(),
            StatusCode::CREATED
        );
        let res = app
            .post(
                &format!("/api/programs/{a}/milestones/{slipping}/forecast"),
                &json!({"forecast": "2027-05-20"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let slip_position = app.view(a).await.slips.last().unwrap().position;
        if i % 2 == 0 {
            slips.push(slip_position);
            continue;
        }
        let res = app
            .post(
                &format!("/api/programs/{a}/cascades"),
                &json!({"slip_position": slip_position}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let cascade = res
            .json::<throughline_shared::api::CommandAccepted>()
            .await
            .unwrap()
            .stream_id;
        cascades.push((cascade, pushed));
    }
    let (mut spare_m1, mut spare_m2, mut spare_cancel) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..10 {
        spare_cancel.push(
            app.add_milestone(a, p1, &format!("A1 extra {i}"), "2027-02-02")
                .await,
        );
        spare_m1.push(
            app.add_milestone(a, p1, &format!("A1 part {i}"), "2027-02-01")
                .await,
        );
        spare_m2.push(
            app.add_milestone(a, p2, &format!("A2 part {i}"), "2027-06-01")
                .await,
        );
    }
    let res = app
        .post(
            &format!("/api/programs/{a}/raid/risks"),
            &json!({"details": {"title": "Vendor late", "category": "Vendor", "owner": "Ana",
                                "projects": [p2]}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let risk_a2 = res
        .json::<throughline_shared::api::CommandAccepted>()
        .await
        .unwrap()
        .stream_id;
    let raid = Raid { app: &app, a, p2 };
    let issue_a2 = raid
        .create(
            "issues",
            json!({"title": "Test rig down", "severity": "high",
        "owner": "Ana", "projects": [p2]}),
        )
        .await;
    let assumption_a2 = raid
        .create(
            "assumptions",
            json!({"statement": "Rates stay flat",
        "owner": "Ana", "projects": [p2]}),
        )
        .await;
    let mut spare_risks = Vec::new();
    let mut spare_risk_actions = Vec::new();
    let mut spare_issue_actions = Vec::new();
    let mut spare_assumptions = Vec::new();
    for i in 0..10 {
        spare_risks.push(
            raid.create(
                "risks",
                json!({"title": format!("Spare risk {i}"), "category": "Vendor",
                "owner": "Ana", "projects": [p2]}),
            )
            .await,
        );
        let risk = raid
            .create(
                "risks",
                json!({"title": format!("Spare acted risk {i}"),
            "category": "Vendor", "owner": "Ana", "projects": [p2]}),
            )
            .await;
        spare_risk_actions.push((risk, raid.action("risks", risk).await));
        let issue = raid
            .create(
                "issues",
                json!({"title": format!("Spare issue {i}"),
            "severity": "low", "owner": "Ana", "projects": [p2]}),
            )
            .await;
        spare_issue_actions.push((issue, raid.action("issues", issue).await));
        spare_assumptions.push((
            raid.create(
                "assumptions",
                json!({"statement": format!("Spare assumption {i}"),
                "owner": "Ana", "projects": [p2]}),
            )
            .await,
            raid.create(
                "assumptions",
                json!({"statement": format!("Spare doubt {i}"),
                "owner": "Ana", "projects": [p2]}),
            )
            .await,
        ));
    }
    let mut spare_troubled = Vec::new();
    for i in 0..10 {
        let mut pair = Vec::new();
        for which in ["accept", "dismiss"] {
            let provider = app
                .add_milestone(a, p1, &format!("Late part {which} {i}"), "2027-06-10")
                .await;
            let consumer = app
                .add_milestone(a, p2, &format!("Waiting part {which} {i}"), "2027-06-01")
                .await;
            let res = app.propose(a, provider, consumer, json!({})).await;
            assert_eq!(res.status(), StatusCode::CREATED);
            pair.push(
                res.json::<throughline_shared::api::CommandAccepted>()
                    .await
                    .unwrap()
                    .stream_id,
            );
        }
        spare_troubled.push((pair[0], pair[1]));
    }
    let objective = app.view(a).await.objectives[0].objective_id;
    let world = World {
        slips,
        cascades,
        objective,
        spare_troubled,
        risk_a2,
        issue_a2,
        assumption_a2,
        spare_risks,
        spare_risk_actions,
        spare_issue_actions,
        spare_assumptions,
        a,
        b,
        p1,
        p2,
        as_of,
        spare,
        m1,
        m2,
        dependency,
        spare_m1,
        spare_m2,
        spare_cancel,
        manager,
    };
    let res = app
        .post(
            &format!("/api/programs/{a}/escalation-path"),
            &json!({"levels": [{"title": "Program manager", "response_sla_hours": 48}]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // A published briefing of A, for the rows that read one.
    let draft: Value = app
        .get(&format!("/api/programs/{a}/briefings/draft"))
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .post(
            &format!("/api/programs/{a}/briefings"),
            &json!({"as_of": draft["document"]["as_of"], "day": draft["document"]["as_of_day"],
                    "expected_version": draft["expected_version"], "narrative": "Weekly"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let mut callers: Vec<(&str, Caller)> = vec![("anonymous", Caller::Anonymous)];
    for name in [
        "outsider",
        "viewer",
        "forum",
        "contributor",
        "pm-a1",
        "manager",
        ADMIN,
    ] {
        callers.push((
            name,
            Caller::Session(app.login(name, PASSWORD).await.unwrap()),
        ));
    }
    callers.push((
        "manager read-only token",
        Caller::Token(app.token_for(manager, TokenScope::ReadOnly, None).await),
    ));
    callers.push((
        "manager token for B only",
        Caller::Token(app.token_for(manager, TokenScope::ReadWrite, Some(b)).await),
    ));

    type Body = fn(&World, usize) -> Option<Value>;
    let none: Body = |_, _| None;
    // Columns: anonymous, outsider, viewer, forum member, contributor, project manager of A1,
    // program manager, admin, manager's read-only token, manager's token limited to B.
    // Y allowed, F 403 forbidden, N 404 hidden, U 401 unauthenticated.
    /// The path, for the caller numbered `usize` (items that can be changed once, one each).
    type Path = fn(&World, usize) -> String;
    let table: Vec<(&str, Method, Path, Body, &str)> = vec![
        (
            "read A",
            Method::GET,
            |w, _| format!("/api/programs/{}", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "read A as of",
            Method::GET,
            |w, _| format!("/api/programs/{}?as_of={}", w.a, w.as_of),
            none,
            "UNYYYYYYYN",
        ),
        (
            "A audit trail",
            Method::GET,
            |w, _| format!("/api/programs/{}/events", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "A audit trail as of",
            Method::GET,
            |w, _| format!("/api/programs/{}/events?as_of={}", w.a, w.as_of),
            none,
            "UNYYYYYYYN",
        ),
        (
            "A governance",
            Method::GET,
            |w, _| format!("/api/programs/{}/governance", w.a),
            none,
            "UNYYYYYYYN",
        ),
        // Before any other change: the slip must still be recent, and its move still needed.
        (
            "propose the moves an A1 slip pushes",
            Method::POST,
            |w, _| format!("/api/programs/{}/cascades", w.a),
            |w, i| Some(json!({"slip_position": w.slips[i]})),
            "UNFFYYYYFN",
        ),
        (
            "answer an A2 milestone's move",
            Method::POST,
            |w, i| {
                let (cascade, milestone) = w.cascades[i];
                format!("/api/programs/{}/cascades/{cascade}/moves/{milestone}", w.a)
            },
            |_, _| Some(json!({"answer": "decline", "reason": "Float covers it"})),
            "UNFFYFYYFN",
        ),
        (
            "A audit trail filtered",
            Method::GET,
            |w, _| format!("/api/programs/{}/audit?event_type=MilestoneAdded", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "A audit export",
            Method::GET,
            |w, _| format!("/api/programs/{}/audit?format=csv", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "establish a forum in A",
            Method::POST,
            |w, _| format!("/api/programs/{}/forums", w.a),
            |w, i| {
                Some(
                    json!({"name": format!("Forum {i}"), "chair": w.manager, "quorum": 1,
                            "cadence": "monthly", "first_session": "2027-01-29", "decision_sla_days": 10}),
                )
            },
            "UNFFFFYYFN",
        ),
        (
            "raise a decision in A",
            Method::POST,
            |w, _| format!("/api/programs/{}/decisions", w.a),
            |_, i| {
                Some(
                    json!({"kind": "other", "question": format!("Question {i}?"),
                            "options": [{"title": "Yes"}, {"title": "No"}]}),
                )
            },
            "UNFFYYYYFN",
        ),
        (
            "escalate an A milestone",
            Method::POST,
            |w, _| format!("/api/programs/{}/escalations", w.a),
            |w, _| Some(json!({"subject": {"kind": "milestone", "id": w.m1}, "reason": "No date"})),
            "UNYYYYYYFN",
        ),
        (
            "A RAID register",
            Method::GET,
            |w, _| format!("/api/programs/{}/raid", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "A RAID register as of",
            Method::GET,
            |w, _| format!("/api/programs/{}/raid?as_of={}", w.a, w.as_of),
            none,
            "UNYYYYYYYN",
        ),
        (
            "A risk exposure",
            Method::GET,
            |w, _| format!("/api/programs/{}/raid/exposure", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "one A risk with its history",
            Method::GET,
            |w, _| format!("/api/programs/{}/raid/risks/{}", w.a, w.risk_a2),
            none,
            "UNYYYYYYYN",
        ),
        (
            "raise a risk of A1",
            Method::POST,
            |w, _| format!("/api/programs/{}/raid/risks", w.a),
            |w, i| {
                Some(
                    json!({"details": {"title": format!("Risk {i}"), "category": "Technical",
                                        "owner": "Ana", "projects": [w.p1]}}),
                )
            },
            "UNFFYYYYFN",
        ),
        (
            "raise a program-level risk of A",
            Method::POST,
            |w, _| format!("/api/programs/{}/raid/risks", w.a),
            |_, i| {
                Some(
                    json!({"details": {"title": format!("Risk {i}"), "category": "Technical",
                                        "owner": "Ana"}}),
                )
            },
            "UNFFFFYYFN",
        ),
        (
            "reassess a risk of A2",
            Method::POST,
            |w, _| format!("/api/programs/{}/raid/risks/{}/assess", w.a, w.risk_a2),
            |_, i| {
                Some(
                    json!({"assessment": {"probability": 1 + i % 5, "impact": 3},
                            "reason": format!("Review {i}")}),
                )
            },
            "UNFFYFYYFN",
        ),
        (
            "raise an issue of A1",
            Method::POST,
            |w, _| format!("/api/programs/{}/raid/issues", w.a),
            |w, i| {
                Some(
                    json!({"details": {"title": format!("Issue {i}"), "severity": "high",
                                        "owner": "Ana", "projects": [w.p1]}}),
                )
            },
            "UNFFYYYYFN",
        ),
        (
            "record an assumption of A2",
            Method::POST,
            |w, _| format!("/api/programs/{}/raid/assumptions", w.a),
            |w, i| {
                Some(
                    json!({"details": {"statement": format!("Assumption {i}"), "owner": "Ana",
                                        "projects": [w.p2]}}),
                )
            },
            "UNFFYFYYFN",
        ),
        (
            "set A's risk appetite",
            Method::PUT,
            |w, _| format!("/api/programs/{}/raid/appetite", w.a),
            |_, i| Some(json!({"appetite": {"score": 6 + i}, "reason": "Board guidance"})),
            "UNFFFFYYFN",
        ),
        (
            "revise a risk of A2",
            Method::POST,
            |w, _| format!("/api/programs/{}/raid/risks/{}/revise", w.a, w.risk_a2),
            |w, i| {
                Some(
                    json!({"details": {"title": format!("Vendor late ({i})"), "category": "Vendor",
                                        "owner": "Ana", "projects": [w.p2]}}),
                )
            },
            "UNFFYFYYFN",
        ),
        (
            "set the residual of a risk of A2",
            Method::POST,
            |w, _| format!("/api/programs/{}/raid/risks/{}/residual", w.a, w.risk_a2),
            |_, i| {
                Some(json!({"assessment": {"probability": 1, "impact": 1},
                            "reason": format!("Target {i}")}))
            },
            "UNFFYFYYFN",
        ),
        (
            "add an action to a risk of A2",
            Method::POST,
            |w, _| format!("/api/programs/{}/raid/risks/{}/actions", w.a, w.risk_a2),
            |_, i| Some(json!({"title": format!("Step {i}"), "owner": "Ana", "due": "2027-06-01"})),
            "UNFFYFYYFN",
        ),
        (
            "respond to a risk of A2",
            Method::POST,
            |w, i| {
                format!(
                    "/api/programs/{}/raid/risks/{}/respond",
                    w.a, w.spare_risks[i]
                )
            },
            |_, _| Some(json!({"strategy": "mitigate", "reason": "Second source"})),
            "UNFFYFYYFN",
        ),
        (
            "close a risk of A2",
            Method::POST,
            |w, i| {
                format!(
                    "/api/programs/{}/raid/risks/{}/close",
                    w.a, w.spare_risks[i]
                )
            },
            |_, _| Some(json!({"text": "Gone"})),
            "UNFFYFYYFN",
        ),
        (
            "mark a risk action of A2 done",
            Method::POST,
            |w, i| {
                let (risk, action) = w.spare_risk_actions[i];
                format!("/api/programs/{}/raid/risks/{risk}/actions/{action}", w.a)
            },
            |_, _| Some(json!({"status": "done"})),
            "UNFFYFYYFN",
        ),
        (
            "realise a risk of A2",
            Method::POST,
            |w, i| {
                format!(
                    "/api/programs/{}/raid/risks/{}/realise",
                    w.a, w.spare_risk_actions[i].0
                )
            },
            |_, _| Some(json!({"reason": "It happened"})),
            "UNFFYFYYFN",
        ),
        (
            "revise an issue of A2",
            Method::POST,
            |w, _| format!("/api/programs/{}/raid/issues/{}/revise", w.a, w.issue_a2),
            |w, i| {
                Some(
                    json!({"details": {"title": format!("Rig down ({i})"), "severity": "high",
                                        "owner": "Ana", "projects": [w.p2]}}),
                )
            },
            "UNFFYFYYFN",
        ),
        (
            "add an action to an issue of A2",
            Method::POST,
            |w, _| format!("/api/programs/{}/raid/issues/{}/actions", w.a, w.issue_a2),
            |_, i| Some(json!({"title": format!("Fix {i}"), "owner": "Ana", "due": "2027-06-01"})),
            "UNFFYFYYFN",
        ),
        (
            "mark an issue action of A2 done",
            Method::POST,
            |w, i| {
                let (issue, action) = w.spare_issue_actions[i];
                format!("/api/programs/{}/raid/issues/{issue}/actions/{action}", w.a)
            },
            |_, _| Some(json!({"status": "done"})),
            "UNFFYFYYFN",
        ),
        (
            "resolve an issue of A2",
            Method::POST,
            |w, i| {
                format!(
                    "/api/programs/{}/raid/issues/{}/resolve",
                    w.a, w.spare_issue_actions[i].0
                )
            },
            |_, _| Some(json!({"text": "Fixed"})),
            "UNFFYFYYFN",
        ),
        (
            "revise an assumption of A2",
            Method::POST,
            |w, _| {
                format!(
                    "/api/programs/{}/raid/assumptions/{}/revise",
                    w.a, w.assumption_a2
                )
            },
            |w, i| {
                Some(
                    json!({"details": {"statement": format!("Rates stay flat ({i})"),
                                        "owner": "Ana", "projects": [w.p2]}}),
                )
            },
            "UNFFYFYYFN",
        ),
        (
            "validate an assumption of A2",
            Method::POST,
            |w, i| {
                format!(
                    "/api/programs/{}/raid/assumptions/{}/validate",
                    w.a, w.spare_assumptions[i].0
                )
            },
            |_, _| Some(json!({"text": "Confirmed"})),
            "UNFFYFYYFN",
        ),
        (
            "invalidate an assumption of A2",
            Method::POST,
            |w, i| {
                format!(
                    "/api/programs/{}/raid/assumptions/{}/invalidate",
                    w.a, w.spare_assumptions[i].1
                )
            },
            |_, _| Some(json!({"note": "It was not so"})),
            "UNFFYFYYFN",
        ),
        (
            "set A's risk categories",
            Method::PUT,
            |w, _| format!("/api/programs/{}/raid/categories", w.a),
            |_, i| Some(json!({"categories": ["Vendor", format!("Category {i}")]})),
            "UNFFFFYYFN",
        ),
        (
            "export A's risks as CSV",
            Method::GET,
            |w, _| format!("/api/programs/{}/raid/risks.csv", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "A's risk suggestions",
            Method::GET,
            |w, _| format!("/api/programs/{}/raid/suggestions", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "accept a suggested risk of A2",
            Method::POST,
            |w, i| {
                format!(
                    "/api/programs/{}/raid/suggestions/{}/accept",
                    w.a, w.spare_troubled[i].0
                )
            },
            |_, _| Some(json!({})),
            "UNFFYFYYFN",
        ),
        (
            "dismiss a suggested risk of A2",
            Method::POST,
            |w, i| {
                format!(
                    "/api/programs/{}/raid/suggestions/{}/dismiss",
                    w.a, w.spare_troubled[i].1
                )
            },
            |_, _| Some(json!({"text": "Covered"})),
            "UNFFYFYYFN",
        ),
        (
            "A members",
            Method::GET,
            |w, _| format!("/api/programs/{}/members", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "read B",
            Method::GET,
            |w, _| format!("/api/programs/{}", w.b),
            none,
            "UNNNNNYYYY",
        ),
        (
            "B as of",
            Method::GET,
            |w, _| format!("/api/programs/{}?as_of={}", w.b, w.as_of + 5),
            none,
            "UNNNNNYYYY",
        ),
        (
            "B audit trail",
            Method::GET,
            |w, _| format!("/api/programs/{}/events", w.b),
            none,
            "UNNNNNYYYY",
        ),
        (
            "edit A",
            Method::PATCH,
            |w, _| format!("/api/programs/{}", w.a),
            |_, i| Some(json!({"name": format!("Program A (edit {i})")})),
            "UNFFFFYYFN",
        ),
        (
            "add project to A",
            Method::POST,
            |w, _| format!("/api/programs/{}/projects", w.a),
            |_, i| Some(json!({"name": format!("New {i}"), "manager": "M"})),
            "UNFFFFYYFN",
        ),
        (
            "status of A1",
            Method::POST,
            |w, _| format!("/api/programs/{}/projects/{}/status", w.a, w.p1),
            |_, i| Some(json!({"rag": "amber", "narrative": format!("report {i}")})),
            "UNFFYYYYFN",
        ),
        (
            "status of A2",
            Method::POST,
            |w, _| format!("/api/programs/{}/projects/{}/status", w.a, w.p2),
            |_, i| Some(json!({"rag": "red", "narrative": format!("report {i}")})),
            "UNFFYFYYFN",
        ),
        (
            "A schedule analysis",
            Method::GET,
            |w, _| format!("/api/programs/{}/schedule", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "What changed since the start",
            Method::GET,
            |w, _| format!("/api/programs/{}/changes?from=0", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "A's history track",
            Method::GET,
            |w, _| format!("/api/programs/{}/history", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "A's briefings",
            Method::GET,
            |w, _| format!("/api/programs/{}/briefings", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "A briefing draft of A",
            Method::GET,
            |w, _| format!("/api/programs/{}/briefings/draft", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "A's briefing 1",
            Method::GET,
            |w, _| format!("/api/programs/{}/briefings/1", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "A's briefing 1 checked against the log",
            Method::GET,
            |w, _| format!("/api/programs/{}/briefings/1/verify", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "A's briefing 1 as Markdown",
            Method::GET,
            |w, _| format!("/api/programs/{}/briefings/1/briefing.md", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "A's briefing 1 as PDF",
            Method::GET,
            |w, _| format!("/api/programs/{}/briefings/1/briefing.pdf", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "set A's briefing cadence",
            Method::PUT,
            |w, _| format!("/api/programs/{}/briefings/cadence", w.a),
            |_, i| Some(json!({"every_days": 3 + i})),
            "UNFFFFYYFN",
        ),
        (
            "A slip preview",
            Method::GET,
            |w, _| format!("/api/programs/{}/impact?milestone={}&days=5", w.a, w.m1),
            none,
            "UNYYYYYYYN",
        ),
        (
            "milestone in A1",
            Method::POST,
            |w, _| format!("/api/programs/{}/milestones", w.a),
            |w, i| {
                Some(
                    json!({"project_id": w.p1, "name": format!("M {i}"), "owner": "O", "planned": day(i)}),
                )
            },
            "UNFFYYYYFN",
        ),
        (
            "milestone in A2",
            Method::POST,
            |w, _| format!("/api/programs/{}/milestones", w.a),
            |w, i| {
                Some(
                    json!({"project_id": w.p2, "name": format!("M {i}"), "owner": "O", "planned": day(i)}),
                )
            },
            "UNFFYFYYFN",
        ),
        (
            "forecast of an A1 milestone",
            Method::POST,
            |w, _| format!("/api/programs/{}/milestones/{}/forecast", w.a, w.m1),
            |_, i| Some(json!({"forecast": day(i)})),
            "UNFFYYYYFN",
        ),
        (
            "forecast of an A2 milestone",
            Method::POST,
            |w, _| format!("/api/programs/{}/milestones/{}/forecast", w.a, w.m2),
            |_, i| Some(json!({"forecast": day(i)})),
            "UNFFYFYYFN",
        ),
        (
            "progress of an A1 milestone",
            Method::POST,
            |w, _| format!("/api/programs/{}/milestones/{}/progress", w.a, w.m1),
            |_, i| Some(json!({"percent_complete": i + 1})),
            "UNFFYYYYFN",
        ),
        (
            "progress of an A2 milestone",
            Method::POST,
            |w, _| format!("/api/programs/{}/milestones/{}/progress", w.a, w.m2),
            |_, i| Some(json!({"percent_complete": i + 1})),
            "UNFFYFYYFN",
        ),
        (
            "rename an A1 milestone",
            Method::POST,
            |w, _| format!("/api/programs/{}/milestones/{}/details", w.a, w.m1),
            |_, i| Some(json!({"name": format!("Renamed {i}")})),
            "UNFFYYYYFN",
        ),
        (
            "new owner of an A2 milestone",
            Method::POST,
            |w, _| format!("/api/programs/{}/milestones/{}/details", w.a, w.m2),
            |_, i| Some(json!({"owner": format!("Owner {i}")})),
            "UNFFYFYYFN",
        ),
        (
            "move an A1 milestone's kind",
            Method::POST,
            |w, _| format!("/api/programs/{}/milestones/{}/details", w.a, w.m1),
            |_, i| {
                Some(if i % 2 == 0 {
                    json!({"kind": "deliverable", "start": "2027-01-04"})
                } else {
                    json!({"kind": "milestone"})
                })
            },
            "UNFFYYYYFN",
        ),
        (
            "cancel an A1 milestone",
            Method::POST,
            |w, i| {
                format!(
                    "/api/programs/{}/milestones/{}/cancel",
                    w.a, w.spare_cancel[i]
                )
            },
            |_, _| Some(json!({"reason": "Descoped"})),
            "UNFFYYYYFN",
        ),
        (
            "change the terms of the A1 → A2 dependency",
            Method::POST,
            |w, _| format!("/api/programs/{}/dependencies/{}", w.a, w.dependency),
            |_, i| Some(json!({"kind": "FS", "lag_days": i + 1})),
            "UNFFYYYYFN",
        ),
        (
            "rename project A1",
            Method::POST,
            |w, _| format!("/api/programs/{}/projects/{}/details", w.a, w.p1),
            |_, i| Some(json!({"name": format!("A1 (renamed {i})")})),
            "UNFFFFYYFN",
        ),
        (
            "pause or resume project A2",
            Method::POST,
            |w, _| format!("/api/programs/{}/projects/{}/stage", w.a, w.p2),
            |_, i| {
                Some(if i % 2 == 0 {
                    json!({"stage": "paused", "reason": "Funding review"})
                } else {
                    json!({"stage": "active"})
                })
            },
            "UNFFFFYYFN",
        ),
        (
            "baseline an A1 milestone",
            Method::POST,
            |w, _| format!("/api/programs/{}/milestones/{}/baseline", w.a, w.m1),
            |_, i| Some(json!({"baseline": day(i), "reason": "agreed in steering"})),
            "UNFFFFYYFN",
        ),
        (
            "A1 milestone through B's URL",
            Method::POST,
            |w, _| format!("/api/programs/{}/milestones/{}/forecast", w.b, w.m1),
            |_, i| Some(json!({"forecast": day(i)})),
            "UNNNNNFNFF",
        ),
        (
            "propose A2 needs A1",
            Method::POST,
            |w, _| format!("/api/programs/{}/dependencies", w.a),
            |w, i| Some(json!({"provider": w.spare_m1[i], "consumer": w.spare_m2[i]})),
            "UNFFYYYYFN",
        ),
        (
            "re-date the A1 → A2 dependency",
            Method::POST,
            |w, _| {
                format!(
                    "/api/programs/{}/dependencies/{}/need-by",
                    w.a, w.dependency
                )
            },
            |_, i| Some(json!({"need_by": day(i)})),
            "UNFFYYYYFN",
        ),
        (
            "phase of A",
            Method::POST,
            |w, _| format!("/api/programs/{}/phase", w.a),
            |_, i| {
                let phases = ["initiation", "planning", "delivery", "closing", "closed"];
                Some(json!({"phase": phases[i % 5]}))
            },
            "UNFFFFYYFN",
        ),
        (
            "scope of A",
            Method::POST,
            |w, _| format!("/api/programs/{}/scope", w.a),
            |_, i| Some(json!({"title": format!("Item {i}"), "in_scope": true, "rationale": "r"})),
            "UNFFFFYYFN",
        ),
        (
            "A's objectives",
            Method::GET,
            |w, _| format!("/api/programs/{}/objectives", w.a),
            none,
            "UNYYYYYYYN",
        ),
        (
            "add an objective to A",
            Method::POST,
            |w, _| format!("/api/programs/{}/objectives", w.a),
            |_, i| Some(json!({"title": format!("Objective {i}"), "reason": "Board asked"})),
            "UNFFFFYYFN",
        ),
        (
            "revise A's objective",
            Method::POST,
            |w, _| format!("/api/programs/{}/objectives/{}", w.a, w.objective),
            |_, i| {
                Some(
                    json!({"title": "Retire the mainframe", "target_value": format!("{i} MIPS"),
                            "reason": "Re-sized"}),
                )
            },
            "UNFFFFYYFN",
        ),
        (
            "grant in A",
            Method::POST,
            |w, _| format!("/api/programs/{}/members", w.a),
            |w, i| Some(json!({"user_id": w.spare[i], "role": "viewer"})),
            "UNFFFFYYFN",
        ),
        (
            "create program",
            Method::POST,
            |_, _| "/api/programs".into(),
            |_, i| Some(json!({"name": format!("Created {i}"), "sponsor": "S"})),
            "UYYYYYYYFF",
        ),
        (
            "the whole log",
            Method::GET,
            |_, _| "/api/events".into(),
            none,
            "UYYYYYYYYY",
        ),
        (
            "verify the chain",
            Method::GET,
            |_, _| "/api/verify".into(),
            none,
            "UFFFFFFYFF",
        ),
        (
            "user directory",
            Method::GET,
            |_, _| "/api/users".into(),
            none,
            "UYYYYYYYYF",
        ),
        (
            "create user",
            Method::POST,
            |_, _| "/api/users".into(),
            |_, i| {
                Some(
                    json!({"username": format!("new-{i}"), "display_name": "N", "password": PASSWORD}),
                )
            },
            "UFFFFFFYFF",
        ),
        (
            "own tokens",
            Method::GET,
            |_, _| "/api/tokens".into(),
            none,
            "UYYYYYYYFF",
        ),
    ];

    let mut failures = Vec::new();
    for (name, method, path, body, expected) in &table {
        for (i, ((caller_name, caller), want)) in callers.iter().zip(expected.chars()).enumerate() {
            let path = path(&world, i);
            let mut request = caller.request(&app, method.clone(), &path);
            if let Some(body) = body(&world, i) {
                request = request.json(&body);
            }
            let head_before = head(&app).await;
            let res = request.send().await.unwrap();
            let status = res.status();
            let got = outcome(status);
            if got != 'Y' {
                assert_eq!(
                    head(&app).await,
                    head_before,
                    "{name} as {caller_name} was refused but appended"
                );
            }
            if got != 'Y' {
                let body: Value = res.json().await.expect("refusals have a JSON body");
                assert!(
                    body["error"]["code"].is_string(),
                    "{name}: no error body: {body}"
                );
            }
            if got != want {
                failures.push(format!(
                    "{name} as {caller_name}: expected {want}, got {got} ({status})"
                ));
            }
        }
    }
    // The live stream, same columns.
    for (program, expected) in [(a, "UNYYYYYYYN"), (b, "UNNNNNYYYY")] {
        for ((caller_name, caller), want) in callers.iter().zip(expected.chars()) {
            let got = live_outcome(caller, &app, program).await;
            if got != want {
                failures.push(format!(
                    "live {program} as {caller_name}: expected {want}, got {got}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorisation table mismatches:\n{}",
        failures.join("\n")
    );
}

async fn all_events(app: &TestApp, client: &reqwest::Client) -> Vec<Option<ProgramId>> {
    let page: EventPage = client
        .get(app.url("/api/events?limit=1000"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page.events.iter().map(|e| e.program_id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_of_one_program_gets_nothing_of_another_through_any_channel() {
    let app = TestApp::spawn().await;
    let a = app.create_program("Program A").await;
    let pa = app.add_project(a, "A1").await;
    let b = app.create_program("Program B").await;
    let pb = app.add_project(b, "B1").await;
    let (viewer, viewer_client) = app.client_as("viewer-a").await;
    app.grant(a, viewer, "viewer", None).await;
    let (_, outsider_client) = app.client_as("outsider").await;

    // The program list and the global log.
    let listed: Vec<Value> = viewer_client
        .get(app.url("/api/programs"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|p| p["program_id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>(),
        [a.to_string()]
    );
    let listed: Vec<Value> = viewer_client
        .get(app.url("/api/programs?as_of=2099-01-01"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let outsider_list: Vec<Value> = outsider_client
        .get(app.url("/api/programs"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(outsider_list.is_empty());
    let seen: HashSet<Option<ProgramId>> =
        all_events(&app, &viewer_client).await.into_iter().collect();
    assert_eq!(
        seen,
        HashSet::from([Some(a)]),
        "the viewer's log shows other programs or account events"
    );
    assert!(all_events(&app, &outsider_client).await.is_empty());
    let admin_seen: HashSet<Option<ProgramId>> =
        all_events(&app, &app.client).await.into_iter().collect();
    assert!(admin_seen.contains(&Some(b)) && admin_seen.contains(&None));

    // The live stream, subscribed to everything: only A's events arrive.
    let head: i64 = sqlx::query_scalar("SELECT position FROM log_head")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let token = app.token_for(viewer, TokenScope::ReadOnly, None).await;
    let mut ws = app
        .live_with("authorization", &format!("Bearer {token}"))
        .await
        .unwrap();
    ws.send(Message::text(format!(
        r#"{{"type":"subscribe","program_id":null,"after":{head}}}"#
    )))
    .await
    .unwrap();
    assert_eq!(
        app.report_status(b, pb, "red", "secret B trouble")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.report_status(a, pa, "green", "A is fine")
            .await
            .status(),
        StatusCode::OK
    );
    let mut received = Vec::new();
    while received.is_empty() {
        let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if let Message::Text(text) = frame
            && let ServerMessage::Events { events, .. } = serde_json::from_str(&text).unwrap()
        {
            received.extend(events);
        }
    }
    assert!(
        received.iter().all(|e| e.program_id == Some(a)),
        "{received:?}"
    );

    // Revoking the role cuts the live stream off from A as well.
    let res = app
        .post(
            &format!("/api/programs/{a}/members/revoke"),
            &json!({"user_id": viewer, "role": "viewer"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.report_status(a, pa, "amber", "after the revocation")
            .await
            .status(),
        StatusCode::OK
    );
    let deadline = tokio::time::Instant::now() + Duration::from_millis(800);
    while let Ok(Some(Ok(frame))) = tokio::time::timeout_at(deadline, ws.next()).await {
        if let Message::Text(text) = frame
            && let ServerMessage::Events { events, .. } = serde_json::from_str(&text).unwrap()
        {
            assert!(events.is_empty(), "events after the revocation: {events:?}");
        }
    }
    let res = viewer_client
        .get(app.url(&format!("/api/programs/{a}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn membership_changes_are_validated_and_audited() {
    let app = TestApp::spawn().await;
    let a = app.create_program("Program A").await;
    let p1 = app.add_project(a, "A1").await;
    let other = app.create_program("Other").await;
    let foreign = app.add_project(other, "Foreign").await;
    let dana = app.ensure_user("dana", false).await;

    let members_path = format!("/api/programs/{a}/members");
    let res = app
        .post(
            &members_path,
            &json!({"user_id": dana, "role": "project_manager"}),
        )
        .await;
    throughline_tests::assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
        .await;
    let res = app
        .post(
            &members_path,
            &json!({"user_id": dana, "role": "project_manager", "project_id": foreign}),
        )
        .await;
    throughline_tests::assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
        .await;
    let res = app
        .post(&members_path, &json!({"user_id": dana, "role": "owner"}))
        .await;
    throughline_tests::assert_error(res, StatusCode::BAD_REQUEST, "invalid_body").await;
    let res = app
        .post(
            &members_path,
            &json!({"user_id": uuid::Uuid::new_v4(), "role": "viewer"}),
        )
        .await;
    throughline_tests::assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
        .await;
    let res = app.post(&members_path, &json!({"user_id": dana, "role": "project_manager", "project_id": p1, "reason": "runs A1"})).await;
    assert_eq!(res.status(), StatusCode::OK);

    let members: Value = app
        .get(&format!("/api/programs/{a}/members"))
        .await
        .json()
        .await
        .unwrap();
    let dana_entry = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user"]["username"] == "dana")
        .unwrap();
    assert_eq!(
        dana_entry["grants"],
        json!([{"role": "project_manager", "project_id": p1}])
    );

    // The only program manager (the creator) cannot be removed.
    let admin = app.ensure_user(ADMIN, true).await;
    let res = app
        .post(
            &format!("/api/programs/{a}/members/revoke"),
            &json!({"user_id": admin, "role": "program_manager"}),
        )
        .await;
    throughline_tests::assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
        .await;

    // Grants are in the program's audit trail, with the reason.
    let trail: EventPage = app
        .get(&format!("/api/programs/{a}/events"))
        .await
        .json()
        .await
        .unwrap();
    let granted = trail
        .events
        .iter()
        .find(|e| e.event_type == "ProgramRoleGranted" && e.payload["username"] == "dana")
        .unwrap();
    assert_eq!(granted.metadata.reason.as_deref(), Some("runs A1"));
}
