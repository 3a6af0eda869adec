//! The demo's governance: its people, forums, decision rights, decisions, a session and an
//! escalation.

use super::{as_user, load_forecast};
use crate::accounts;
use crate::commands::governance::{self, Caller, SessionStep};
use crate::commands::{self, CommandError};
use crate::event_store::EventStore;
use crate::queries::agenda::agenda_for;
use crate::queries::program::current_view;
use crate::request_context::RequestContext;
use chrono::{Duration, NaiveDate};
use throughline_shared::ProgramId;
use throughline_shared::access::ProgramRole;
use throughline_shared::api::{CreateUserRequest, RoleChangeRequest};
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
use throughline_shared::ids::{DecisionId, DependencyId, MilestoneId};

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

/// The demo's governance people, as the contexts they act in.
pub(super) struct People {
    pub cfo: RequestContext,
    pub cto: RequestContext,
    pub pmo: RequestContext,
}

/// Forums, decision rights and an escalation path; a re-baseline approved by the change board
/// (so the milestone's baseline moves, caused by the approval), a budget decision in review at
/// steering with one vote cast, a program manager's own decision, and an escalated dependency.
pub(super) async fn seed_governance(
    store: &EventStore,
    program_id: ProgramId,
    milestones: &[Vec<MilestoneId>],
    dependencies: &[DependencyId],
    today: NaiveDate,
) -> anyhow::Result<People> {
    let pm = as_user("Priya Raman");
    let cfo = demo_person(store, program_id, "priya.raman", "Priya Raman").await?;
    let cto = demo_person(store, program_id, "tom.becker", "Tom Becker").await?;
    let pmo = demo_person(store, program_id, "mira.okafor", "Mira Okafor").await?;
    let id_of = |person: &RequestContext| {
        person
            .actor_id
            .ok_or_else(|| anyhow::anyhow!("demo person {} has no user id", person.actor))
    };
    let (cfo_id, cto_id, pmo_id) = (id_of(&cfo)?, id_of(&cto)?, id_of(&pmo)?);
    let forum = |name: &str,
                 purpose: &str,
                 chair: throughline_shared::UserId,
                 members: Vec<&RequestContext>,
                 quorum,
                 cadence,
                 first: i64,
                 sla| {
        SaveForumRequest {
            name: name.into(),
            purpose: purpose.into(),
            chair,
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
            cfo_id,
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
            pmo_id,
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
    let (agenda, _) =
        agenda_for(store.pool(), program_id, change_board, chrono::Utc::now()).await?;
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
            present: vec![pmo_id, cto_id],
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
    let view = current_view(store.pool(), program_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo program {program_id} was not found"))?;
    governance::escalate(
        store,
        &as_user("Jonas Weber"),
        program_id,
        &view,
        None,
        EscalateRequest {
            subject: ItemRef::Dependency(dependencies[17]),
            reason: "The vendor cannot support shadow mode before go-live; the cut-over plan needs a decision".into(),
        },
        chrono::Utc::now(),
    )
    .await?;
    Ok(People { cfo, cto, pmo })
}
