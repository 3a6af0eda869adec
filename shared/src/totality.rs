//! Property tests: whatever a log holds — dates at the calendar's ends, lags, SLAs and counts at
//! their integer limits, any text — every fold, analysis, description and decision answers
//! without panicking. The events are fed in directly, as a log written before today's input
//! checks (or by another build) could hold them; commands with the same values must be refused
//! with an error, never a panic.

use crate::date::{PLAN_DATE_MAX, PLAN_DATE_MIN, add_days};
use crate::dependency::{
    DependencyCommand, DependencyEvent, DependencyRegister, DependencyTerms, MilestoneRef,
};
use crate::describe::describe;
use crate::event::{RecordedEvent, recorded};
use crate::governance::charter::{
    Charter, CharterCommand, CharterEvent, EscalationLevel, Forum, ForumDraft, Person,
};
use crate::governance::escalation::{Escalation, EscalationCommand, EscalationEvent, ItemRef};
use crate::governance::forum::{Cadence, ForumRules};
use crate::governance::view::GovernanceView;
use crate::ids::{DependencyId, EscalationId, ForumId, MilestoneId, ProgramId, ProjectId, UserId};
use crate::milestone::{
    Milestone, MilestoneCommand, MilestoneEvent, MilestoneKind, MilestoneRevision,
};
use crate::program::ProgramEvent;
use crate::project::ProjectEvent;
use crate::schedule::DependencyType;
use crate::view::ProgramView;
use crate::{DomainError, DomainEvent};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use proptest::prelude::*;
use uuid::Uuid;

fn program() -> ProgramId {
    ProgramId::from_uuid(Uuid::from_u128(1))
}

fn project() -> ProjectId {
    ProjectId::from_uuid(Uuid::from_u128(2))
}

fn milestone_id(n: usize) -> MilestoneId {
    MilestoneId::from_uuid(Uuid::from_u128(100 + n as u128))
}

/// Any date chrono can hold, with the ends and ordinary plan dates well represented.
fn any_date() -> impl Strategy<Value = NaiveDate> {
    let ordinary = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    prop_oneof![
        Just(NaiveDate::MIN),
        Just(NaiveDate::MAX),
        Just(PLAN_DATE_MIN),
        Just(PLAN_DATE_MAX),
        (NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce())
            .prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap()),
        (-4000_i64..4000).prop_map(move |d| add_days(ordinary, d)),
    ]
}

fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
    prop_oneof![
        Just(DateTime::<Utc>::MIN_UTC),
        Just(DateTime::<Utc>::MAX_UTC),
        any_date().prop_map(|d| d.and_hms_opt(12, 0, 0).unwrap().and_utc()),
    ]
}

fn any_days() -> impl Strategy<Value = i64> {
    prop_oneof![Just(i64::MIN), Just(i64::MAX), any::<i64>(), -400_i64..400]
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(any::<char>(), 0..300).prop_map(|c| c.into_iter().collect()),
        Just("\u{0}\r\nBEGIN:VALARM".to_string()),
    ]
}

fn any_kind() -> impl Strategy<Value = DependencyType> {
    prop_oneof![
        Just(DependencyType::FinishToStart),
        Just(DependencyType::StartToStart),
        Just(DependencyType::FinishToFinish),
        Just(DependencyType::StartToFinish),
    ]
}

#[derive(Clone, Debug)]
struct PlannedMilestone {
    name: String,
    start: Option<NaiveDate>,
    planned: NaiveDate,
    forecast: NaiveDate,
    forecast_start: Option<NaiveDate>,
    baseline: Option<NaiveDate>,
    met: Option<NaiveDate>,
}

fn any_milestone() -> impl Strategy<Value = PlannedMilestone> {
    (
        any_text(),
        proptest::option::of(any_date()),
        any_date(),
        any_date(),
        proptest::option::of(any_date()),
        proptest::option::of(any_date()),
        proptest::option::of(any_date()),
    )
        .prop_map(
            |(name, start, planned, forecast, forecast_start, baseline, met)| PlannedMilestone {
                name,
                start,
                planned,
                forecast,
                forecast_start,
                baseline,
                met,
            },
        )
}

#[derive(Clone, Debug)]
struct PlannedLink {
    provider: usize,
    consumer: usize,
    kind: DependencyType,
    lag: i32,
    need_by: Option<NaiveDate>,
}

fn any_link() -> impl Strategy<Value = PlannedLink> {
    (
        0_usize..6,
        0_usize..6,
        any_kind(),
        any::<i32>(),
        proptest::option::of(any_date()),
    )
        .prop_map(|(provider, consumer, kind, lag, need_by)| PlannedLink {
            provider,
            consumer,
            kind,
            lag,
            need_by,
        })
}

/// A log: the program and a project, then milestones with their changes, then dependencies
/// (cycles and self-links included: a log written by something else may hold them).
fn log_of(
    milestones: &[PlannedMilestone],
    links: &[PlannedLink],
) -> Vec<(RecordedEvent, DomainEvent)> {
    let mut log = Vec::new();
    let mut push = |stream: Uuid, version: i64, event: DomainEvent| {
        let position = log.len() as i64 + 1;
        let r = match &event {
            DomainEvent::Program(e) => recorded(position, version, stream, e.clone()),
            DomainEvent::Project(e) => recorded(position, version, stream, e.clone()),
            DomainEvent::Milestone(e) => recorded(position, version, stream, e.clone()),
            DomainEvent::Dependency(e) => recorded(position, version, stream, e.clone()),
            DomainEvent::Charter(e) => recorded(position, version, stream, e.clone()),
            DomainEvent::Escalation(e) => recorded(position, version, stream, e.clone()),
            DomainEvent::Decision(e) => recorded(position, version, stream, e.clone()),
            DomainEvent::Session(e) => recorded(position, version, stream, e.clone()),
            DomainEvent::User(e) => recorded(position, version, stream, e.clone()),
            DomainEvent::Risk(e) => recorded(position, version, stream, e.clone()),
            DomainEvent::Issue(e) => recorded(position, version, stream, e.clone()),
            DomainEvent::Assumption(e) => recorded(position, version, stream, e.clone()),
            DomainEvent::RaidSettings(e) => recorded(position, version, stream, e.clone()),
            DomainEvent::Cascade(e) => recorded(position, version, stream, e.clone()),
            DomainEvent::Briefing(e) => recorded(position, version, stream, e.clone()),
        };
        log.push((r, event));
    };
    push(
        program().0,
        1,
        DomainEvent::Program(ProgramEvent::ProgramCreated {
            program_id: program(),
            name: "P".into(),
            description: String::new(),
            sponsor: String::new(),
            objectives: Vec::new(),
        }),
    );
    // Objectives with targets anywhere in the calendar, which the project contributes to.
    let objective = |n: u128| crate::ids::ObjectiveId::from_uuid(Uuid::from_u128(50 + n));
    let terms = |date: Option<NaiveDate>| crate::program::ObjectiveDraft {
        title: "O".into(),
        kpi: None,
        target_value: None,
        target_date: date,
    };
    let dates: Vec<Option<NaiveDate>> = milestones
        .iter()
        .flat_map(|m| [Some(m.forecast), m.baseline])
        .collect();
    for (n, date) in dates.iter().take(3).enumerate() {
        let n = n as u128;
        push(
            program().0,
            2 + 3 * n as i64,
            DomainEvent::Program(ProgramEvent::ObjectiveAdded {
                program_id: program(),
                objective: crate::program::StrategicObjective {
                    objective_id: objective(n),
                    title: "O".into(),
                    kpi: None,
                    target_value: None,
                    target_date: *date,
                },
            }),
        );
        push(
            program().0,
            3 + 3 * n as i64,
            DomainEvent::Program(ProgramEvent::ObjectiveRevised {
                program_id: program(),
                objective_id: objective(n),
                from: terms(*date),
                to: terms(dates.last().copied().flatten()),
            }),
        );
        if n == 2 {
            push(
                program().0,
                4 + 3 * n as i64,
                DomainEvent::Program(ProgramEvent::ObjectiveRetired {
                    program_id: program(),
                    objective_id: objective(n),
                    title: "O".into(),
                }),
            );
        }
    }
    push(
        project().0,
        1,
        DomainEvent::Project(ProjectEvent::ProjectAdded {
            project_id: project(),
            program_id: program(),
            name: "X".into(),
            manager: "M".into(),
            objectives: Vec::new(),
        }),
    );
    for (version, event) in [
        ProjectEvent::ProjectObjectivesChanged {
            project_id: project(),
            program_id: program(),
            objectives: (0..3).map(objective).collect(),
        },
        ProjectEvent::ProjectRenamed {
            project_id: project(),
            program_id: program(),
            from: "X".into(),
            to: String::new(),
        },
        ProjectEvent::ProjectPaused {
            project_id: project(),
            program_id: program(),
        },
        ProjectEvent::ProjectClosed {
            project_id: project(),
            program_id: program(),
        },
    ]
    .into_iter()
    .enumerate()
    {
        push(project().0, version as i64 + 2, DomainEvent::Project(event));
    }
    for (n, m) in milestones.iter().enumerate() {
        let id = milestone_id(n);
        let base = |version| (id.0, version);
        let mut events = vec![MilestoneEvent::MilestoneAdded {
            milestone_id: id,
            program_id: program(),
            project_id: project(),
            name: m.name.clone(),
            kind: if m.start.is_some() {
                MilestoneKind::Deliverable
            } else {
                MilestoneKind::Milestone
            },
            owner: m.name.clone(),
            planned_start: m.start,
            planned: m.planned,
            external_ref: None,
        }];
        events.push(MilestoneEvent::MilestoneForecastChanged {
            milestone_id: id,
            program_id: program(),
            project_id: project(),
            from: m.planned,
            to: m.forecast,
            start: m.forecast_start,
        });
        if let Some(baseline) = m.baseline {
            events.push(MilestoneEvent::MilestoneBaselined {
                milestone_id: id,
                program_id: program(),
                project_id: project(),
                baseline,
            });
        }
        if let Some(actual) = m.met {
            events.push(MilestoneEvent::MilestoneMet {
                milestone_id: id,
                program_id: program(),
                project_id: project(),
                actual,
            });
        }
        // Percentages past 100 and a start after the finish, as a hand-written log could hold.
        events.push(MilestoneEvent::MilestoneProgressReported {
            milestone_id: id,
            program_id: program(),
            project_id: project(),
            from: u8::MAX,
            percent_complete: u8::MAX,
            actual_start: m.forecast_start.or(m.met),
        });
        events.push(MilestoneEvent::MilestoneRenamed {
            milestone_id: id,
            program_id: program(),
            project_id: project(),
            from: String::new(),
            to: "renamed".into(),
        });
        events.push(MilestoneEvent::MilestoneOwnerChanged {
            milestone_id: id,
            program_id: program(),
            project_id: project(),
            from: String::new(),
            to: "new owner".into(),
        });
        // Kinds flip, with or without a start (a start past the finish too), the milestone moves
        // (to a project the view may not know), and every third leaves the plan.
        let (from, to) = match m.start {
            Some(_) => (MilestoneKind::Deliverable, MilestoneKind::Milestone),
            None => (MilestoneKind::Milestone, MilestoneKind::Deliverable),
        };
        events.push(MilestoneEvent::MilestoneKindChanged {
            milestone_id: id,
            program_id: program(),
            project_id: project(),
            from,
            to,
            start: m.forecast_start.or(m.baseline),
        });
        events.push(MilestoneEvent::MilestoneMoved {
            milestone_id: id,
            program_id: program(),
            project_id: ProjectId::from_uuid(Uuid::from_u128(7 + n as u128 % 2)),
            from_project: project(),
            from_project_name: "X".into(),
            project_name: String::new(),
        });
        match n % 3 {
            1 => events.push(MilestoneEvent::MilestoneCancelled {
                milestone_id: id,
                program_id: program(),
                project_id: project(),
            }),
            2 => events.push(MilestoneEvent::MilestoneRemoved {
                milestone_id: id,
                program_id: program(),
                project_id: project(),
            }),
            _ => {}
        }
        for (v, e) in events.into_iter().enumerate() {
            let (stream, version) = base(v as i64 + 1);
            push(stream, version, DomainEvent::Milestone(e));
        }
    }
    for (n, l) in links.iter().enumerate() {
        let dependency_id = DependencyId::from_uuid(Uuid::from_u128(500 + n as u128));
        push(
            Uuid::from_u128(3),
            n as i64 + 1,
            DomainEvent::Dependency(DependencyEvent::DependencyProposed {
                dependency_id,
                program_id: program(),
                provider: milestone_id(l.provider),
                provider_project: project(),
                provider_name: "p".into(),
                consumer: milestone_id(l.consumer),
                consumer_project: project(),
                consumer_name: "c".into(),
                kind: l.kind,
                lag_days: l.lag,
                need_by: l.need_by,
                provider_owner: "o".into(),
                consumer_owner: "o".into(),
                description: String::new(),
            }),
        );
    }
    for (n, l) in links.iter().enumerate() {
        push(
            Uuid::from_u128(3),
            (links.len() + n) as i64 + 1,
            DomainEvent::Dependency(DependencyEvent::DependencyTermsChanged {
                dependency_id: DependencyId::from_uuid(Uuid::from_u128(500 + n as u128)),
                program_id: program(),
                from: DependencyTerms {
                    kind: l.kind,
                    lag_days: l.lag,
                },
                to: DependencyTerms {
                    kind: l.kind,
                    lag_days: l.lag.saturating_neg(),
                },
            }),
        );
    }
    log
}

fn is_refusal(result: &Result<impl std::fmt::Debug, DomainError>) -> bool {
    result.is_err()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn folds_analyses_and_descriptions_are_total(
        milestones in proptest::collection::vec(any_milestone(), 1..6),
        links in proptest::collection::vec(any_link(), 0..8),
        today in any_date(),
        slip in any_days(),
        which in 0_usize..6,
    ) {
        let log = log_of(&milestones, &links);
        let mut view = ProgramView::new(program());
        for (r, e) in &log {
            view.apply(r, e);
            let _ = describe(e);
        }
        let _ = view.analyse(today);
        let _ = view.preview_slip(milestone_id(which), slip, today);
        // A briefing of it, counting from nothing, with every event as evidence.
        let (governance, raid) = (GovernanceView::new(program()), crate::raid::view::RaidView::new(program()));
        let empty = ProgramView::new(program());
        let moment = |position, program| crate::changes::Moment { position, day: today, program: Some(program), governance: &governance, raid: &raid };
        let diff = crate::changes::changes(&moment(0, &empty), &moment(log.len() as i64, &view));
        let mut evidence = crate::briefing::Evidence::default();
        for (r, _) in &log {
            evidence.record(r.stream_id, r.position, (which as i64) % 3);
        }
        let document = crate::briefing::generate(&crate::briefing::BriefingInputs {
            view: &view, governance: &governance, raid: &raid, as_of: log.len() as i64, day: today,
            since: 0, since_day: today, follows: None, changes: &diff, evidence: &evidence,
        });
        prop_assert!(document.sections.iter().all(|s| s.facts.len() <= 21));
        prop_assert!(document.sections.iter().flat_map(|s| &s.facts).all(|f| f.evidence.len() <= 5));
        // Each milestone's own aggregate folds the same events, and any later command on it is
        // answered (an absurd date with a refusal).
        let mut aggregate = Milestone::default();
        for (_, e) in log.iter().filter(|(r, _)| r.stream_id == milestone_id(0).0) {
            if let DomainEvent::Milestone(e) = e {
                aggregate.apply(e);
            }
        }
        let _ = aggregate.decide(MilestoneCommand::ChangeForecast { to: today, start: Some(today) });
        let _ = aggregate.decide(MilestoneCommand::Baseline { to: Some(today), reason: None });
        let _ = aggregate.decide(MilestoneCommand::Revise(MilestoneRevision {
            kind: Some(MilestoneKind::Deliverable),
            start: Some(today),
            ..MilestoneRevision::default()
        }));
        let _ = aggregate.decide(MilestoneCommand::Cancel { reason: Some("x".into()) });
        let refused = aggregate.decide(MilestoneCommand::Meet { actual: today });
        if !crate::date::in_plan_range(today) {
            prop_assert!(is_refusal(&refused));
        }
    }

    #[test]
    fn commands_with_absurd_values_are_refused_not_panicked_on(
        planned in any_date(),
        start in proptest::option::of(any_date()),
        name in any_text(),
        lag in any::<i32>(),
        need_by in proptest::option::of(any_date()),
        kind in any_kind(),
    ) {
        let added = Milestone::default().decide(MilestoneCommand::Add {
            milestone_id: milestone_id(0),
            program_id: program(),
            project_id: project(),
            project_in_program: true,
            name: name.clone(),
            kind: if start.is_some() { MilestoneKind::Deliverable } else { MilestoneKind::Milestone },
            owner: name.clone(),
            planned_start: start,
            planned,
            external_ref: None,
        });
        if !crate::date::in_plan_range(planned) || name.trim().chars().any(char::is_control) {
            prop_assert!(is_refusal(&added));
        }
        let reference = |n: usize| MilestoneRef {
            id: milestone_id(n),
            program_id: program(),
            project_id: project(),
            name: name.clone(),
            owner: "o".into(),
        };
        let proposed = DependencyRegister::default().decide(DependencyCommand::Propose {
            dependency_id: DependencyId::from_uuid(Uuid::from_u128(9)),
            program_id: program(),
            provider: Some(reference(0)),
            consumer: Some(reference(1)),
            kind,
            lag_days: lag,
            need_by,
            provider_owner: None,
            consumer_owner: None,
            description: name.clone(),
        });
        if need_by.is_some_and(|d| !crate::date::in_plan_range(d)) {
            prop_assert!(is_refusal(&proposed));
        }
        // Revising a proposed dependency with the same absurd values is refused the same way.
        let mut register = DependencyRegister::default();
        let sane = DependencyRegister::default().decide(DependencyCommand::Propose {
            dependency_id: DependencyId::from_uuid(Uuid::from_u128(9)),
            program_id: program(),
            provider: Some(reference(0)),
            consumer: Some(reference(1)),
            kind,
            lag_days: 0,
            need_by: None,
            provider_owner: None,
            consumer_owner: None,
            description: String::new(),
        });
        for e in sane.iter().flatten() {
            register.apply(e);
        }
        let revised = register.decide(DependencyCommand::Revise {
            dependency_id: DependencyId::from_uuid(Uuid::from_u128(9)),
            terms: DependencyTerms { kind, lag_days: lag },
            need_by,
        });
        if need_by.is_some_and(|d| !crate::date::in_plan_range(d))
            || !(-crate::dependency::LAG_DAYS_MAX..=crate::dependency::LAG_DAYS_MAX).contains(&lag)
        {
            prop_assert!(is_refusal(&revised));
        }
        let _ = register.release(milestone_id(0), crate::milestone::Retirement::Cancelled);
    }

    #[test]
    fn governance_folds_and_checks_are_total(
        first_session in any_date(),
        sla_days in any::<u32>(),
        hours in any::<u32>(),
        quorum in any::<u32>(),
        raised in any_instant(),
        now in any_instant(),
        from in any_date(),
        cadence in prop_oneof![
            Just(Cadence::Weekly),
            Just(Cadence::Fortnightly),
            Just(Cadence::Monthly),
            Just(Cadence::Quarterly),
        ],
    ) {
        let chair = UserId::from_uuid(Uuid::from_u128(7));
        let rules = ForumRules {
            chair,
            members: Vec::new(),
            quorum,
            cadence,
            first_session,
            decision_sla_days: sla_days,
        };
        let _ = cadence.sessions_from(first_session, from, 3);
        let levels = vec![EscalationLevel { title: "PM".into(), contact: String::new(), response_sla_hours: hours }];
        let forum = Forum {
            forum_id: ForumId::from_uuid(Uuid::from_u128(8)),
            name: "Board".into(),
            purpose: String::new(),
            rules: rules.clone(),
            people: vec![Person { user_id: chair, name: "Chair".into() }],
        };
        let escalation_id = EscalationId::from_uuid(Uuid::from_u128(11));
        let events: Vec<(Uuid, DomainEvent)> = vec![
            (Uuid::from_u128(10), DomainEvent::Charter(CharterEvent::ForumEstablished { program_id: program(), forum })),
            (escalation_id.0, DomainEvent::Escalation(EscalationEvent::EscalationRaised {
                escalation_id,
                program_id: program(),
                subject: ItemRef::Project(project()),
                subject_label: "X".into(),
                reason: "r".into(),
                levels: levels.clone(),
                due_at: raised,
            })),
        ];
        let mut view = GovernanceView::new(program());
        let mut escalation = Escalation::default();
        for (k, (stream, event)) in events.iter().enumerate() {
            let r = match event {
                DomainEvent::Charter(e) => recorded(k as i64 + 1, 1, *stream, e.clone()),
                DomainEvent::Escalation(e) => {
                    escalation.apply(e);
                    recorded(k as i64 + 1, 1, *stream, e.clone())
                }
                _ => continue,
            };
            view.apply(&r, event);
            let _ = describe(event);
        }
        let _ = view.attention(now);
        let _ = escalation.decide(EscalationCommand::CheckSla { now });
        let saved = Charter::default().decide(CharterCommand::SaveForum {
            program_id: program(),
            forum_id: ForumId::from_uuid(Uuid::from_u128(12)),
            draft: ForumDraft {
                name: "Board".into(),
                purpose: String::new(),
                rules,
                people: vec![(chair, Some("Chair".into()))],
            },
        });
        if !crate::date::in_plan_range(first_session) || sla_days == 0 || sla_days > 366 {
            prop_assert!(is_refusal(&saved));
        }
        let path = Charter::default().decide(CharterCommand::SetEscalationPath { program_id: program(), levels });
        if hours == 0 || hours > 90 * 24 {
            prop_assert!(is_refusal(&path));
        }
    }
}
