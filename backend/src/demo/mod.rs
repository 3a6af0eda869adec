//! A realistic demo program, seeded through the ordinary commands (so it is an ordinary history
//! in the log): six projects, forty milestones, thirty cross-project dependencies, a baseline, then
//! slips, status reports, agreements and a cancelled and a broken dependency; then governance: two
//! forums, decision rights, an escalation path, decisions in each state, a review session with
//! its minutes and an action, and an escalation; then the RAID register (`raid.rs`).
//!
//! Dates are relative to the day it is seeded, so the demo always shows a program in flight.

mod data;
mod governance;
mod raid;

use crate::commands::schedule::{self, DependencyChange, MilestoneChange};
use crate::commands::{self, CommandError};
use crate::event_store::EventStore;
use crate::event_store::clock::Story;
use crate::request_context::RequestContext;
use chrono::{Duration, NaiveDate};
use data::{DEPENDENCIES, PROJECTS};
use governance::seed_governance;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::{
    AddMilestoneRequest, AddProjectRequest, AnswerMoveRequest, BaselineProgramRequest,
    ChangePhaseRequest, CreateProgramRequest, DependencyChangeRequest, ProposeCascadeRequest,
    ProposeDependencyRequest, ReportStatusRequest, ScopeRequest,
};
use throughline_shared::cascade::PartAnswer;
use throughline_shared::ids::{CascadeId, DependencyId, MilestoneId};
use throughline_shared::milestone::{MilestoneCommand, MilestoneKind};
use throughline_shared::program::ObjectiveDraft;
use throughline_shared::scope::ProgramPhase;
use throughline_shared::{ProgramId, ProjectId, Rag};

pub const PROGRAM_NAME: &str = "Payments Platform Modernisation";

pub struct Seeded {
    pub program_id: ProgramId,
    pub milestones: usize,
    pub dependencies: usize,
}

fn as_user(name: &str) -> RequestContext {
    RequestContext::system(name.to_lowercase().replace(' ', "."))
}

/// Seeds the demo program as of `today`. A failure is only reported (a command refused, a read
/// that failed), so it comes as any error.
pub async fn seed(store: &EventStore, today: NaiveDate) -> anyhow::Result<Seeded> {
    seed_story(store, today, None).await
}

/// Seeds the demo program; with a `story`, its events are recorded as they would have happened
/// over the past thirteen weeks (the charter first, the latest slips days ago), so replaying it
/// and "since last week" show a history. For an empty log only (see `event_store::clock`).
pub async fn seed_story(
    store: &EventStore,
    today: NaiveDate,
    story: Option<&Story>,
) -> anyhow::Result<Seeded> {
    let started = chrono::Utc::now();
    // What follows happened `days` ago.
    let at = |days: f64| {
        if let Some(story) = story {
            story.at(started - Duration::minutes((days * 1440.0) as i64));
        }
    };
    at(91.0);
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

    at(90.0);
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
        let project_id = accepted
            .project_id
            .ok_or_else(|| anyhow::anyhow!("adding project {} answered no project id", row.name))?;
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

    let allow_all = |_: ProgramAction| -> Result<(), CommandError> { Ok(()) };
    at(89.0);
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
    at(87.0);
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

    at(85.0);
    schedule::baseline_program(
        store,
        &pm,
        program_id,
        BaselineProgramRequest {
            reason: Some("Plan agreed at the steering committee".into()),
        },
    )
    .await?;

    // The work done so far: past milestones met, most on time, each on the day it was met (the
    // recent ones after the slips of the weeks before them).
    let mut met: Vec<(NaiveDate, usize, usize)> = Vec::new();
    for (p, row) in PROJECTS.iter().enumerate() {
        for (m, &(_, _, _, finish)) in row.milestones.iter().enumerate() {
            // The data-quality baseline is not done: it slips below, past its need-by date.
            if finish >= 0 || (p, m) == (4, 1) {
                continue;
            }
            let slipped = if (p, m) == (1, 0) { 4 } else { 0 };
            met.push((day(finish + slipped).min(today), p, m));
        }
    }
    met.sort_unstable();
    let meet = |&(actual, p, m): &(NaiveDate, usize, usize)| {
        at((today - actual).num_days() as f64 - 0.3);
        let (ctx, change) = (
            as_user(PROJECTS[p].manager),
            change(program_id, milestones[p][m], None),
        );
        async move {
            schedule::change_milestone(
                store,
                &ctx,
                change,
                MilestoneCommand::Meet { actual },
                allow_all,
            )
            .await
        }
    };
    let recent = today - Duration::days(36);
    for step in met.iter().filter(|(actual, ..)| *actual < recent) {
        meet(step).await?;
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
    // Meetings and slips in the order they happened: each milestone met before the first slip
    // after its day.
    let mut recent_meets = met
        .iter()
        .filter(|(actual, ..)| *actual >= recent)
        .peekable();
    let mut briefed = false;
    for (((p, m), days, why), ago) in slips
        .into_iter()
        .zip([35.0, 28.0, 21.0, 14.0, 10.0, 6.0, 5.0])
    {
        while let Some(step) =
            recent_meets.next_if(|(actual, ..)| ((today - *actual).num_days() as f64) - 0.3 > ago)
        {
            meet(step).await?;
        }
        // Last week's executive briefing, between the slips before it and those after.
        if ago < 7.0 && !briefed && story.is_some() {
            briefed = true;
            at(7.0);
            publish_briefing(store, &pm, program_id, today - Duration::days(7)).await?;
        }
        at(ago);
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
    for step in recent_meets {
        meet(step).await?;
    }
    // A recovery: the portal team pulls "Reporting dashboards" in by a week.
    at(4.5);
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
    at(4.0);
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
    // The program manager proposes what the last slip pushes downstream to its owners: the first
    // owner accepts, the others' moves are pending on the timeline.
    at(3.0);
    seed_cascade(store, &pm, program_id, allow_all).await?;
    at(2.0);
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

    at(1.5);
    let people = seed_governance(store, program_id, &milestones, &dependencies, today).await?;
    at(1.0);
    raid::seed_raid(
        store,
        program_id,
        &milestones,
        &dependencies,
        &people,
        today,
    )
    .await?;

    Ok(Seeded {
        program_id,
        milestones: milestones.iter().map(Vec::len).sum(),
        dependencies: dependencies.len(),
    })
}

async fn seed_cascade(
    store: &EventStore,
    pm: &RequestContext,
    program_id: ProgramId,
    allow_all: impl Fn(ProgramAction) -> Result<(), CommandError> + Copy,
) -> anyhow::Result<()> {
    let view = crate::queries::program::current_view(store.pool(), program_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo program is not there"))?;
    // The slip that pushes the most (the latest of those).
    let Some(slip) = view
        .slips
        .iter()
        .filter(|s| !s.moved.is_empty())
        .max_by_key(|s| (s.moved.len(), s.position))
    else {
        return Ok(());
    };
    let cascade = commands::cascade::propose_cascade(
        store,
        pm,
        program_id,
        ProposeCascadeRequest {
            slip_position: slip.position,
            reason: Some("Agree the knock-on moves before the steering committee".into()),
        },
        allow_all,
    )
    .await?;
    if let Some(first) = slip.moved.first().filter(|_| slip.moved.len() > 1) {
        let owner = view
            .project(first.project)
            .and_then(|p| PROJECTS.iter().find(|d| d.name == p.name))
            .map_or("Priya Raman", |d| d.manager);
        commands::cascade::answer_move(
            store,
            &as_user(owner),
            program_id,
            CascadeId::from_uuid(cascade.stream_id),
            first.milestone,
            AnswerMoveRequest {
                answer: PartAnswer::Accept,
                reason: String::new(),
            },
            allow_all,
        )
        .await?;
    }
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
    milestone
        .forecast
        .ok_or_else(|| CommandError::Internal(format!("seeded milestone {id} has no forecast")))
}

/// The program manager's weekly briefing to the steering committee, as of `day`.
async fn publish_briefing(
    store: &EventStore,
    pm: &RequestContext,
    program_id: ProgramId,
    day: NaiveDate,
) -> anyhow::Result<()> {
    let as_of = crate::event_store::head_position(store.pool()).await?;
    commands::briefing::publish(
        store,
        pm,
        program_id,
        throughline_shared::briefing::requests::PublishBriefingRequest {
            as_of,
            day,
            expected_version: 0,
            narrative: "PCI certification has slipped and now drives the \
                        critical path through 3-D Secure to the merchant go-live; the ledger \
                        engine recovered part of its delay.\n\nWe ask the steering committee to \
                        confirm the QSA re-audit date and the fallback for shadow mode."
                .into(),
            highlights: vec![
                "PCI re-audit date decides the go-live".into(),
                "Ledger engine two weeks behind after incident support".into(),
            ],
        },
    )
    .await?;
    Ok(())
}
