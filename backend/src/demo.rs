//! A realistic demo program, seeded through the ordinary commands (so it is an ordinary history
//! in the log): six projects, forty milestones, thirty cross-project dependencies, a baseline, then
//! slips, status reports, agreements and a cancelled and a broken dependency; then governance: two
//! forums, decision rights, an escalation path, decisions in each state, a review session with
//! its minutes and an action, and an escalation.
//!
//! Dates are relative to the day it is seeded, so the demo always shows a program in flight.

use crate::accounts;
use crate::commands::governance::{self, Caller, SessionStep};
use crate::commands::schedule::{self, DependencyChange, MilestoneChange};
use crate::commands::{self, CommandError};
use crate::error::ApiError;
use crate::event_store::EventStore;
use crate::request_context::RequestContext;
use chrono::{Duration, NaiveDate};
use throughline_shared::access::{ProgramAction, ProgramRole};
use throughline_shared::api::{
    AddMilestoneRequest, AddProjectRequest, BaselineProgramRequest, ChangePhaseRequest,
    CreateProgramRequest, CreateUserRequest, DependencyChangeRequest, ProposeDependencyRequest,
    ReportStatusRequest, RoleChangeRequest, ScopeRequest,
};
use throughline_shared::governance::charter::EscalationLevel;
use throughline_shared::governance::decision::{DecisionOption, Vote};
use throughline_shared::governance::escalation::ItemRef;
use throughline_shared::governance::forum::Cadence;
use throughline_shared::governance::requests::{
    AttendanceRequest, DecideRequest, DecisionRightRequest, DecisionRightsRequest, EffectRequest,
    EscalateRequest, EscalationPathRequest, OutcomeChoice, RaiseDecisionRequest, SaveForumRequest,
};
use throughline_shared::governance::rights::DecisionKind;
use throughline_shared::governance::session::SessionCommand;
use throughline_shared::ids::DecisionId;
use throughline_shared::ids::{DependencyId, MilestoneId};
use throughline_shared::milestone::{MilestoneCommand, MilestoneKind};
use throughline_shared::program::ObjectiveDraft;
use throughline_shared::schedule::DependencyType::{
    self, FinishToFinish, FinishToStart, StartToStart,
};
use throughline_shared::scope::ProgramPhase;
use throughline_shared::{ProgramId, ProjectId, Rag};

pub const PROGRAM_NAME: &str = "Payments Platform Modernisation";

/// A milestone: name, owner, start offset for deliverables, finish offset (days from today).
type MilestoneRow = (&'static str, &'static str, Option<i64>, i64);

struct ProjectRow {
    name: &'static str,
    manager: &'static str,
    /// Indexes into the objectives.
    objectives: &'static [usize],
    milestones: &'static [MilestoneRow],
}

const PROJECTS: [ProjectRow; 6] = [
    ProjectRow {
        name: "Card Gateway",
        manager: "Lee Chen",
        objectives: &[0, 2],
        milestones: &[
            ("Gateway architecture signed off", "Lee Chen", None, -70),
            ("Tokenisation service", "Marta Silva", Some(-60), -5),
            ("PCI DSS certification", "Lee Chen", None, 30),
            ("3-D Secure 2 live", "Marta Silva", None, 55),
            ("Gateway load test passed", "Tom Becker", None, 80),
            ("Legacy switch traffic cut over", "Lee Chen", None, 150),
            ("Legacy switch decommissioned", "Lee Chen", None, 215),
        ],
    },
    ProjectRow {
        name: "Core Ledger",
        manager: "Amara Okafor",
        objectives: &[0, 1, 2],
        milestones: &[
            ("Ledger data model agreed", "Amara Okafor", None, -80),
            ("Double-entry engine", "Yusuf Demir", Some(-75), 12),
            ("Real-time posting API", "Yusuf Demir", None, 40),
            ("Reconciliation automated", "Grace Liu", None, 95),
            ("Ledger parallel run complete", "Amara Okafor", None, 140),
            ("Ledger go-live", "Amara Okafor", None, 170),
            ("Month-end close on new ledger", "Grace Liu", None, 205),
        ],
    },
    ProjectRow {
        name: "Fraud Engine",
        manager: "Jonas Weber",
        objectives: &[1],
        milestones: &[
            ("Fraud vendor selected", "Jonas Weber", None, -50),
            ("Rules engine integrated", "Ines Moreau", None, 20),
            ("ML scoring model trained", "Ines Moreau", Some(-20), 45),
            ("Real-time scoring in shadow mode", "Jonas Weber", None, 85),
            ("Fraud engine go-live", "Jonas Weber", None, 125),
            ("Chargeback workflow live", "Ines Moreau", None, 160),
        ],
    },
    ProjectRow {
        name: "Merchant Portal",
        manager: "Sofia Alvarez",
        objectives: &[1, 2],
        milestones: &[
            ("Portal UX research done", "Sofia Alvarez", None, -40),
            ("Merchant onboarding flow", "Daniel Novak", Some(-10), 35),
            ("Instant payouts UI", "Daniel Novak", None, 75),
            ("Reporting dashboards", "Aiko Tanaka", None, 110),
            ("Portal beta with 20 merchants", "Sofia Alvarez", None, 135),
            ("Portal general availability", "Sofia Alvarez", None, 180),
        ],
    },
    ProjectRow {
        name: "Data Migration",
        manager: "Ravi Patel",
        objectives: &[0],
        milestones: &[
            ("Migration strategy approved", "Ravi Patel", None, -60),
            ("Data quality baseline", "Elena Petrova", None, -12),
            ("Trial migration 1", "Elena Petrova", None, 25),
            ("Trial migration 2", "Elena Petrova", None, 70),
            ("Dress rehearsal", "Ravi Patel", None, 130),
            ("Final migration weekend", "Ravi Patel", None, 165),
            ("Legacy data archived", "Elena Petrova", None, 220),
        ],
    },
    ProjectRow {
        name: "Rollout & Change",
        manager: "Hannah Kim",
        objectives: &[1, 2],
        milestones: &[
            ("Change impact assessment", "Hannah Kim", None, -30),
            ("Operations training", "Noah Fischer", Some(60), 100),
            ("Pilot with first merchants", "Hannah Kim", None, 140),
            ("Wave 1 rollout", "Hannah Kim", None, 175),
            ("Wave 2 rollout", "Noah Fischer", None, 210),
            ("Hypercare exit", "Hannah Kim", None, 240),
            ("Benefits review", "Hannah Kim", None, 270),
        ],
    },
];

/// (provider project, milestone), (consumer project, milestone), type, lag, need-by offset.
type DependencyRow = (
    (usize, usize),
    (usize, usize),
    DependencyType,
    i32,
    Option<i64>,
);

const DEPENDENCIES: [DependencyRow; 31] = [
    ((0, 1), (1, 2), FinishToStart, 5, None),
    ((0, 2), (0, 3), FinishToStart, 0, None),
    ((0, 2), (3, 2), FinishToStart, 10, Some(60)),
    ((0, 3), (5, 2), FinishToStart, 14, None),
    ((0, 4), (0, 5), FinishToStart, 21, None),
    ((0, 5), (0, 6), FinishToStart, 30, None),
    ((1, 1), (1, 2), FinishToStart, 7, None),
    ((1, 1), (4, 2), FinishToStart, 5, Some(20)),
    ((1, 2), (2, 3), FinishToStart, 10, None),
    ((1, 2), (3, 2), FinishToStart, 10, None),
    ((1, 3), (1, 4), FinishToStart, 14, None),
    ((1, 4), (1, 5), FinishToStart, 14, None),
    ((1, 5), (0, 5), FinishToFinish, 0, None),
    ((1, 5), (5, 3), FinishToStart, 3, None),
    ((2, 0), (2, 1), FinishToStart, 30, None),
    ((2, 1), (2, 3), FinishToStart, 14, None),
    ((2, 2), (2, 3), FinishToStart, 7, None),
    ((2, 3), (2, 4), FinishToStart, 21, None),
    ((2, 4), (5, 2), FinishToStart, 7, None),
    ((3, 1), (3, 4), FinishToStart, 30, None),
    ((3, 2), (3, 4), FinishToStart, 14, None),
    ((3, 4), (3, 5), FinishToStart, 30, None),
    ((3, 4), (5, 2), StartToStart, 0, None),
    ((4, 2), (4, 3), FinishToStart, 21, None),
    ((4, 3), (4, 4), FinishToStart, 30, None),
    ((4, 4), (4, 5), FinishToStart, 14, None),
    ((4, 5), (1, 5), FinishToStart, 3, None),
    ((4, 5), (0, 5), FinishToStart, 7, Some(150)),
    ((5, 1), (5, 3), FinishToStart, 14, None),
    ((5, 3), (5, 4), FinishToStart, 21, None),
    ((4, 1), (4, 2), FinishToStart, 0, Some(-5)),
];

pub struct Seeded {
    pub program_id: ProgramId,
    pub milestones: usize,
    pub dependencies: usize,
}

fn as_user(name: &str) -> RequestContext {
    RequestContext::system(name.to_lowercase().replace(' ', "."))
}

/// Seeds the demo program as of `today`.
pub async fn seed(store: &EventStore, today: NaiveDate) -> Result<Seeded, CommandError> {
    let day = |offset: i64| today + Duration::days(offset);
    let pm = as_user("Priya Raman");
    let objectives = vec![
        ObjectiveDraft {
            title: "Retire the legacy card switch".into(),
            kpi: Some("Transactions on the legacy switch".into()),
            target_value: Some("0".into()),
            target_date: Some(day(210)),
        },
        ObjectiveDraft {
            title: "Real-time payments for business customers".into(),
            kpi: Some("Share of B2B payments settled instantly".into()),
            target_value: Some("60%".into()),
            target_date: Some(day(280)),
        },
        ObjectiveDraft {
            title: "Cut payment operations cost".into(),
            kpi: Some("Cost per transaction".into()),
            target_value: Some("−30%".into()),
            target_date: Some(day(300)),
        },
    ];
    let created = commands::create_program(
        store,
        &pm,
        CreateProgramRequest {
            name: PROGRAM_NAME.into(),
            description: "Replace the 20-year-old card switch and batch ledger with a real-time \
                          payments platform, without disrupting 40,000 merchants."
                .into(),
            sponsor: "Priya Raman (CFO)".into(),
            objectives,
        },
    )
    .await?;
    let program_id = created.program_id;
    commands::change_phase(
        store,
        &pm,
        program_id,
        ChangePhaseRequest {
            phase: ProgramPhase::Delivery,
            expected_version: None,
            reason: Some("Business case approved; funding released".into()),
        },
    )
    .await?;
    for (title, in_scope, rationale) in [
        (
            "Real-time payouts to business customers",
            true,
            "The core of objective 2",
        ),
        (
            "Card-present terminals",
            false,
            "The terminal estate is renewed by its own program in 2028",
        ),
        (
            "Crypto-asset payments",
            false,
            "No regulatory approval; revisit at the annual review",
        ),
        (
            "Merchant self-service onboarding",
            true,
            "Cuts onboarding cost, needed for objective 3",
        ),
    ] {
        commands::set_scope(
            store,
            &pm,
            program_id,
            None,
            ScopeRequest {
                title: Some(title.into()),
                in_scope,
                rationale: rationale.into(),
                expected_version: None,
            },
        )
        .await?;
    }
    let program = commands::load::<throughline_shared::program::Program>(store, program_id.0)
        .await?
        .state;
    let objective_ids: Vec<_> = program.objectives.iter().map(|o| o.objective_id).collect();

    let mut projects: Vec<ProjectId> = Vec::new();
    let mut milestones: Vec<Vec<MilestoneId>> = Vec::new();
    for row in &PROJECTS {
        let accepted = commands::add_project(
            store,
            &pm,
            program_id,
            AddProjectRequest {
                name: row.name.into(),
                manager: row.manager.into(),
                objectives: row.objectives.iter().map(|&i| objective_ids[i]).collect(),
            },
        )
        .await?;
        let project_id = accepted.project_id.expect("a project was added");
        projects.push(project_id);
        let manager = as_user(row.manager);
        let mut ids = Vec::new();
        for &(name, owner, start, finish) in row.milestones {
            let accepted = schedule::add_milestone(
                store,
                &manager,
                program_id,
                AddMilestoneRequest {
                    project_id,
                    name: name.into(),
                    kind: if start.is_some() {
                        MilestoneKind::Deliverable
                    } else {
                        MilestoneKind::Milestone
                    },
                    owner: owner.into(),
                    planned_start: start.map(day),
                    planned: day(finish),
                },
            )
            .await?;
            ids.push(MilestoneId::from_uuid(accepted.stream_id));
        }
        milestones.push(ids);
    }

    let allow_all = |_: ProgramAction| -> Result<(), ApiError> { Ok(()) };
    let mut dependencies: Vec<DependencyId> = Vec::new();
    for &((pp, pm_i), (cp, cm_i), kind, lag_days, need_by) in &DEPENDENCIES {
        let consumer_manager = as_user(PROJECTS[cp].manager);
        let accepted = schedule::propose_dependency(
            store,
            &consumer_manager,
            program_id,
            ProposeDependencyRequest {
                provider: milestones[pp][pm_i],
                consumer: milestones[cp][cm_i],
                kind,
                lag_days,
                need_by: need_by.map(day),
                provider_owner: None,
                consumer_owner: None,
                description: String::new(),
                expected_version: None,
                reason: None,
            },
            allow_all,
        )
        .await?;
        dependencies.push(DependencyId::from_uuid(accepted.stream_id));
    }
    // Most dependencies were agreed by the providing team; a few are still being negotiated.
    for (i, &((pp, _), _, _, _, _)) in DEPENDENCIES.iter().enumerate() {
        if i % 5 == 4 {
            continue;
        }
        schedule::change_dependency(
            store,
            &as_user(PROJECTS[pp].manager),
            program_id,
            dependencies[i],
            DependencyChange::Agree,
            DependencyChangeRequest::default(),
            allow_all,
        )
        .await?;
    }

    schedule::baseline_program(
        store,
        &pm,
        program_id,
        BaselineProgramRequest {
            reason: Some("Plan agreed at the steering committee".into()),
        },
    )
    .await?;

    // The work done so far: past milestones met, most on time.
    for (p, row) in PROJECTS.iter().enumerate() {
        for (m, &(_, _, _, finish)) in row.milestones.iter().enumerate() {
            // The data-quality baseline is not done: it slips below, past its need-by date.
            if finish >= 0 || (p, m) == (4, 1) {
                continue;
            }
            let slipped = if (p, m) == (1, 0) { 4 } else { 0 };
            schedule::change_milestone(
                store,
                &as_user(row.manager),
                change(program_id, milestones[p][m], None),
                MilestoneCommand::Meet {
                    actual: day(finish + slipped).min(today),
                },
                allow_all,
            )
            .await?;
        }
    }

    // Then the news of the last weeks: slips, some absorbed, some not.
    let slips: [((usize, usize), i64, &str); 7] = [
        (
            (4, 1),
            20,
            "Profiling found 12% of merchant records without a valid IBAN",
        ),
        (
            (0, 2),
            24,
            "QSA found gaps in key management; re-audit booked",
        ),
        (
            (1, 1),
            10,
            "Two engineers moved to an incident; velocity down",
        ),
        ((2, 2), 5, "Training data from the vendor arrived late"),
        ((4, 2), 18, "Data quality issues in merchant records"),
        ((3, 1), 3, "Accessibility fixes after the usability test"),
        ((0, 2), 6, "Re-audit moved by the QSA"),
    ];
    for ((p, m), days, why) in slips {
        let milestone = load_forecast(store, milestones[p][m]).await?;
        schedule::change_milestone(
            store,
            &as_user(PROJECTS[p].manager),
            change(program_id, milestones[p][m], Some(why)),
            MilestoneCommand::ChangeForecast {
                to: milestone + Duration::days(days),
                start: None,
            },
            allow_all,
        )
        .await?;
    }
    // A recovery: the portal team pulls "Reporting dashboards" in by a week.
    let dashboards = milestones[3][3];
    let forecast = load_forecast(store, dashboards).await?;
    schedule::change_milestone(
        store,
        &as_user("Sofia Alvarez"),
        change(
            program_id,
            dashboards,
            Some("Reused the ledger team's reporting components"),
        ),
        MilestoneCommand::ChangeForecast {
            to: forecast - Duration::days(7),
            start: None,
        },
        allow_all,
    )
    .await?;
    // Dependency changes: one no longer needed, one the provider cannot honour.
    schedule::change_dependency(
        store,
        &as_user("Hannah Kim"),
        program_id,
        dependencies[22],
        DependencyChange::Cancel,
        DependencyChangeRequest {
            reason: Some(
                "Pilot no longer waits for the portal beta; merchants onboard by phone".into(),
            ),
            ..Default::default()
        },
        allow_all,
    )
    .await?;
    schedule::change_dependency(
        store,
        &as_user("Jonas Weber"),
        program_id,
        dependencies[17],
        DependencyChange::Break,
        DependencyChangeRequest {
            reason: Some("Vendor cannot support shadow mode before go-live; escalated".into()),
            ..Default::default()
        },
        allow_all,
    )
    .await?;

    let reports: [(usize, Rag, &str); 8] = [
        (
            0,
            Rag::Green,
            "Tokenisation delivered; PCI audit scheduled.",
        ),
        (1, Rag::Green, "Data model agreed; engine build on track."),
        (
            4,
            Rag::Amber,
            "Data quality worse than expected in merchant records.",
        ),
        (
            0,
            Rag::Red,
            "PCI certification slipped 4 weeks: key management gaps. Pushes 3-D Secure and the portal payouts.",
        ),
        (
            1,
            Rag::Amber,
            "Engine two weeks behind after incident support.",
        ),
        (
            2,
            Rag::Amber,
            "Vendor will not support shadow mode; options paper to steering.",
        ),
        (
            3,
            Rag::Green,
            "Onboarding flow in test; dashboards ahead of plan.",
        ),
        (
            5,
            Rag::Green,
            "Change impact assessed; training plan drafted.",
        ),
    ];
    for (p, rag, narrative) in reports {
        commands::report_status(
            store,
            &as_user(PROJECTS[p].manager),
            program_id,
            projects[p],
            ReportStatusRequest {
                rag,
                narrative: narrative.into(),
                expected_version: None,
                reason: None,
            },
        )
        .await?;
    }

    seed_governance(store, program_id, &milestones, &dependencies, today).await?;

    Ok(Seeded {
        program_id,
        milestones: milestones.iter().map(Vec::len).sum(),
        dependencies: dependencies.len(),
    })
}

/// A person of the demo's governance: a user (with a random password nobody knows: an
/// administrator sets one to sign in as them), a forum member of the program.
async fn demo_person(
    store: &EventStore,
    program_id: ProgramId,
    username: &str,
    display_name: &str,
) -> Result<RequestContext, CommandError> {
    let setup = RequestContext::system("demo-setup");
    let user = match accounts::create_user(
        store,
        &setup,
        CreateUserRequest {
            username: username.into(),
            display_name: display_name.into(),
            password: uuid::Uuid::new_v4().to_string(),
            admin: false,
        },
    )
    .await
    {
        Ok(user) => user.user_id,
        // Seeded into a database that already knows them (a second demo program).
        Err(CommandError::Domain(throughline_shared::DomainError::AlreadyExists(_))) => {
            accounts::user_id_for(username)
        }
        Err(e) => return Err(e),
    };
    commands::change_role(
        store,
        &setup,
        program_id,
        RoleChangeRequest {
            user_id: user,
            role: ProgramRole::ForumMember,
            project_id: None,
            reason: Some("Demo governance".into()),
        },
        true,
    )
    .await?;
    let mut ctx = RequestContext::system(username);
    ctx.actor_id = Some(user);
    Ok(ctx)
}

/// Forums, decision rights and an escalation path; a re-baseline approved by the change board
/// (so the milestone's baseline moves, caused by the approval), a budget decision in review at
/// steering with one vote cast, a program manager's own decision, and an escalated dependency.
async fn seed_governance(
    store: &EventStore,
    program_id: ProgramId,
    milestones: &[Vec<MilestoneId>],
    dependencies: &[DependencyId],
    today: NaiveDate,
) -> Result<(), CommandError> {
    let pm = as_user("Priya Raman");
    let cfo = demo_person(store, program_id, "priya.raman", "Priya Raman").await?;
    let cto = demo_person(store, program_id, "tom.becker", "Tom Becker").await?;
    let pmo = demo_person(store, program_id, "mira.okafor", "Mira Okafor").await?;
    let forum = |name: &str,
                 purpose: &str,
                 chair: &RequestContext,
                 members: Vec<&RequestContext>,
                 quorum,
                 cadence,
                 first: i64,
                 sla| {
        SaveForumRequest {
            name: name.into(),
            purpose: purpose.into(),
            chair: chair.actor_id.expect("a demo person"),
            members: members.iter().filter_map(|m| m.actor_id).collect(),
            quorum,
            cadence,
            first_session: today + Duration::days(first),
            decision_sla_days: sla,
            expected_version: None,
        }
    };
    let steering = governance::save_forum(
        store,
        &pm,
        program_id,
        None,
        forum(
            "Steering committee",
            "Budget above €50k, scope, and risks above 15",
            &cfo,
            vec![&cto, &pmo],
            2,
            Cadence::Monthly,
            -20,
            14,
        ),
    )
    .await?
    .stream_id;
    let change_board = governance::save_forum(
        store,
        &pm,
        program_id,
        None,
        forum(
            "Change board",
            "Re-baselines and dependency cancellations",
            &pmo,
            vec![&cto],
            1,
            Cadence::Fortnightly,
            -4,
            7,
        ),
    )
    .await?
    .stream_id;
    let right = |kind, threshold, forum| DecisionRightRequest {
        kind,
        threshold,
        forum_id: throughline_shared::ids::ForumId::from_uuid(forum),
    };
    governance::set_decision_rights(
        store,
        &pm,
        program_id,
        DecisionRightsRequest {
            rights: vec![
                right(DecisionKind::Rebaseline, None, change_board),
                right(DecisionKind::DependencyCancellation, None, change_board),
                right(DecisionKind::BudgetChange, Some(5_000_000), steering),
                right(DecisionKind::ScopeChange, None, steering),
                right(DecisionKind::RiskAcceptance, Some(15), steering),
            ],
            expected_version: None,
        },
    )
    .await?;
    let level = |title: &str, contact: &str, hours| EscalationLevel {
        title: title.into(),
        contact: contact.into(),
        response_sla_hours: hours,
    };
    governance::set_escalation_path(
        store,
        &pm,
        program_id,
        EscalationPathRequest {
            levels: vec![
                level("Project manager", "", 48),
                level("Program manager", "Priya Raman", 72),
                level("Steering committee", "Priya Raman", 168),
            ],
            expected_version: None,
        },
    )
    .await?;

    let options = |a: &str, b: &str| {
        vec![
            DecisionOption {
                title: a.into(),
                pros: String::new(),
                cons: String::new(),
            },
            DecisionOption {
                title: b.into(),
                pros: String::new(),
                cons: String::new(),
            },
        ]
    };
    // The PCI certification slipped: the change board re-baselines it to its forecast.
    let pci = milestones[0][2];
    let pci_forecast = load_forecast(store, pci).await?;
    let rebaseline = governance::raise_decision(
        store,
        &as_user("Lee Chen"),
        program_id,
        RaiseDecisionRequest {
            kind: DecisionKind::Rebaseline,
            magnitude: None,
            question: "Re-baseline PCI DSS certification to the QSA's new date?".into(),
            context: "The QSA found key management gaps and moved the re-audit.".into(),
            options: options(
                "Re-baseline to the forecast",
                "Keep the date, add a contractor",
            ),
            recommendation: Some(0),
            effects: vec![EffectRequest::Rebaseline {
                milestone_id: pci,
                to: pci_forecast,
            }],
            links: vec![],
        },
    )
    .await?
    .stream_id;
    let rebaseline = DecisionId::from_uuid(rebaseline);
    let caller = |ctx: &RequestContext| Caller {
        user_id: ctx.actor_id,
        governs: false,
    };
    governance::table_decision(
        store,
        &pmo,
        program_id,
        rebaseline,
        caller(&pmo),
        None,
        today,
    )
    .await?;
    governance::vote(store, &pmo, program_id, rebaseline, Vote::Approve).await?;
    governance::decide_outcome(
        store,
        &pmo,
        program_id,
        rebaseline,
        caller(&pmo),
        DecideRequest {
            outcome: OutcomeChoice::Approve,
            rationale: "The contractor cannot fix key management faster; an honest plan".into(),
            until: None,
            expected_version: None,
        },
    )
    .await?;
    // A budget increase above the steering threshold, in review with one vote of the two needed.
    let budget = governance::raise_decision(
        store,
        &as_user("Amara Okafor"),
        program_id,
        RaiseDecisionRequest {
            kind: DecisionKind::BudgetChange,
            magnitude: Some(12_000_000),
            question: "Fund a second ledger migration team (€120k)?".into(),
            context: "Migration rehearsals show 9 weeks of work for one team before cut-over."
                .into(),
            options: options("Fund the second team", "Move the cut-over by a quarter"),
            recommendation: Some(0),
            effects: vec![],
            links: vec![],
        },
    )
    .await?
    .stream_id;
    let budget = DecisionId::from_uuid(budget);
    governance::table_decision(store, &cfo, program_id, budget, caller(&cfo), None, today).await?;
    governance::vote(store, &cto, program_id, budget, Vote::Approve).await?;
    // The program manager's own call (no decision right covers it).
    governance::raise_decision(
        store,
        &pm,
        program_id,
        RaiseDecisionRequest {
            kind: DecisionKind::Other,
            magnitude: None,
            question: "Move the merchant pilot kick-off to a Tuesday?".into(),
            context: String::new(),
            options: options("Tuesday", "Keep Monday"),
            recommendation: None,
            effects: vec![],
            links: vec![],
        },
    )
    .await?;
    // The change board's session: its agenda from the log, attendance, minutes and an action.
    let change_board = throughline_shared::ids::ForumId::from_uuid(change_board);
    let (agenda, _) = crate::routes::governance::agenda_for(
        store.pool(),
        program_id,
        change_board,
        chrono::Utc::now(),
    )
    .await?;
    let session = governance::open_session(
        store,
        &pmo,
        program_id,
        change_board,
        caller(&pmo),
        today,
        agenda,
    )
    .await?
    .stream_id;
    let session = throughline_shared::ids::SessionId::from_uuid(session);
    let steps = [
        SessionStep::Attendance(AttendanceRequest {
            present: vec![
                pmo.actor_id.expect("a person"),
                cto.actor_id.expect("a person"),
            ],
            apologies: vec![],
        }),
        SessionStep::Command(SessionCommand::RecordMinutes {
            minutes: "PCI re-baseline approved (Mira, Tom). The gateway team confirms the QSA \
                      re-test slot; 3-D Secure follows two weeks after certification."
                .into(),
        }),
        SessionStep::Command(SessionCommand::RecordAction {
            action_id: throughline_shared::ids::ActionId::from_uuid(uuid::Uuid::new_v4()),
            title: "Book the QSA re-test and share the date with the portal team".into(),
            owner: "Lee Chen".into(),
            due: today + Duration::days(10),
        }),
    ];
    for step in steps {
        governance::session_step(store, &pmo, program_id, session, caller(&pmo), false, step)
            .await?;
    }
    // The broken shadow-mode dependency, escalated.
    let view = crate::routes::programs::current_view(store.pool(), program_id)
        .await?
        .expect("the demo program exists");
    governance::escalate(
        store,
        &as_user("Jonas Weber"),
        program_id,
        &view,
        &[],
        EscalateRequest {
            subject: ItemRef::Dependency(dependencies[17]),
            reason: "The vendor cannot support shadow mode before go-live; the cut-over plan needs a decision".into(),
        },
        chrono::Utc::now(),
    )
    .await?;
    Ok(())
}

fn change(
    program_id: ProgramId,
    milestone_id: MilestoneId,
    reason: Option<&str>,
) -> MilestoneChange {
    MilestoneChange {
        program_id,
        milestone_id,
        expected_version: None,
        reason: reason.map(str::to_string),
    }
}

async fn load_forecast(store: &EventStore, id: MilestoneId) -> Result<NaiveDate, CommandError> {
    let milestone = commands::load::<throughline_shared::milestone::Milestone>(store, id.0)
        .await?
        .state;
    Ok(milestone
        .forecast
        .expect("a seeded milestone has a forecast"))
}
