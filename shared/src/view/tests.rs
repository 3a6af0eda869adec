use super::*;
use uuid::Uuid;

fn pid() -> ProgramId {
    ProgramId::from_uuid(Uuid::from_u128(1))
}
fn prj() -> ProjectId {
    ProjectId::from_uuid(Uuid::from_u128(2))
}

use crate::event::recorded as record;

fn history() -> Vec<RecordedEvent> {
    vec![
        record(
            1,
            1,
            pid().0,
            ProgramEvent::ProgramCreated {
                program_id: pid(),
                name: "Payments".into(),
                description: "".into(),
                sponsor: "Dana".into(),
                objectives: vec![],
            },
        ),
        record(
            2,
            1,
            prj().0,
            ProjectEvent::ProjectAdded {
                project_id: prj(),
                program_id: pid(),
                name: "Gateway".into(),
                manager: "Lee".into(),
                objectives: vec![],
            },
        ),
        record(
            3,
            2,
            prj().0,
            ProjectEvent::ProjectStatusReported {
                project_id: prj(),
                program_id: pid(),
                rag: Rag::Amber,
                narrative: "Vendor late".into(),
            },
        ),
        record(
            4,
            3,
            prj().0,
            ProjectEvent::ProjectStatusReported {
                project_id: prj(),
                program_id: pid(),
                rag: Rag::Red,
                narrative: "Vendor later".into(),
            },
        ),
    ]
}

fn fold(events: &[RecordedEvent]) -> ProgramView {
    let mut view = ProgramView::new(pid());
    for e in events {
        view.apply(e, &e.decode().unwrap());
    }
    view
}

#[test]
fn folds_program_projects_and_status_trend() {
    let view = fold(&history());
    assert!(view.exists());
    assert_eq!(view.position, 4);
    assert_eq!(view.version, 1);
    let project = view.project(prj()).unwrap();
    assert_eq!(project.version, 3);
    assert_eq!(project.previous_rag, Some(Rag::Amber));
    let status = project.status.as_ref().unwrap();
    assert_eq!(
        (status.rag, status.reported_by.as_str()),
        (Rag::Red, "user4")
    );
    assert_eq!(view.rollup_rag(), Some(Rag::Red));
    assert_eq!(view.summary().rag_counts.red, 1);
}

#[test]
fn replayed_and_foreign_events_change_nothing() {
    let events = history();
    let once = fold(&events);
    let mut twice = events.clone();
    twice.extend(events.iter().cloned());
    let mut foreign = events[2].clone();
    foreign.position = 99;
    foreign.program_id = Some(ProgramId::from_uuid(Uuid::from_u128(9)));
    twice.push(foreign);
    assert_eq!(fold(&twice), once);
}

#[test]
fn a_prefix_of_the_log_is_the_past_view() {
    let events = history();
    let past = fold(&events[..3]);
    assert_eq!(past.position, 3);
    let status = past.project(prj()).unwrap().status.as_ref().unwrap();
    assert_eq!(status.rag, Rag::Amber);
    assert!(!fold(&[]).exists());
}

/// Given a deliverable and a consumer hanging on its start (SS), when only the start moves
/// later, then a slip is recorded and pushes the consumer; when only the finish moves, the
/// SS consumer stays put.
#[test]
fn a_deliverables_start_slip_is_recorded_and_a_finish_slip_leaves_start_consumers_alone() {
    use crate::dependency::DependencyEvent;
    use crate::milestone::{MilestoneEvent, MilestoneKind};
    use crate::schedule::DependencyType;
    let day = |m, d| NaiveDate::from_ymd_opt(2027, m, d).unwrap();
    let (program_id, project_id) = (pid(), prj());
    let build = MilestoneId::from_uuid(Uuid::from_u128(21));
    let test = MilestoneId::from_uuid(Uuid::from_u128(22));
    let mut events = history();
    let mut next = events.len() as i64;
    let mut push = |events: &mut Vec<RecordedEvent>, stream: Uuid, version, e: DomainEvent| {
        next += 1;
        events.push(match e {
            DomainEvent::Milestone(e) => record(next, version, stream, e),
            DomainEvent::Dependency(e) => record(next, version, stream, e),
            _ => return,
        });
    };
    for (id, start, finish) in [
        (build, day(3, 1), day(3, 31)),
        (test, day(3, 1), day(4, 30)),
    ] {
        push(
            &mut events,
            id.0,
            1,
            DomainEvent::Milestone(MilestoneEvent::MilestoneAdded {
                milestone_id: id,
                program_id,
                project_id,
                name: format!("{id}"),
                kind: MilestoneKind::Deliverable,
                owner: "Lee".into(),
                planned_start: Some(start),
                planned: finish,
                external_ref: None,
            }),
        );
    }
    push(
        &mut events,
        Uuid::from_u128(30),
        1,
        DomainEvent::Dependency(DependencyEvent::DependencyProposed {
            dependency_id: crate::ids::DependencyId::from_uuid(Uuid::from_u128(31)),
            program_id,
            provider: build,
            provider_project: project_id,
            provider_name: "Build".into(),
            consumer: test,
            consumer_project: project_id,
            consumer_name: "Test".into(),
            kind: DependencyType::StartToStart,
            lag_days: 0,
            need_by: None,
            provider_owner: "Lee".into(),
            consumer_owner: "Kim".into(),
            description: String::new(),
        }),
    );
    // The finish moves a week, the start holds: the SS consumer does not move.
    push(
        &mut events,
        build.0,
        2,
        DomainEvent::Milestone(MilestoneEvent::MilestoneForecastChanged {
            milestone_id: build,
            program_id,
            project_id,
            from: day(3, 31),
            to: day(4, 7),
            start: None,
        }),
    );
    let view = fold(&events);
    let slip = view.slips.last().unwrap();
    assert_eq!(slip.milestone_id, build);
    assert!(slip.moved.is_empty(), "{:?}", slip.moved);
    // The start moves five days, the finish holds: a slip, pushing the consumer five days.
    push(
        &mut events,
        build.0,
        3,
        DomainEvent::Milestone(MilestoneEvent::MilestoneForecastChanged {
            milestone_id: build,
            program_id,
            project_id,
            from: day(4, 7),
            to: day(4, 7),
            start: Some(day(3, 6)),
        }),
    );
    let view = fold(&events);
    assert_eq!(view.slips.len(), 2);
    let slip = view.slips.last().unwrap();
    assert_eq!(
        slip.moved
            .iter()
            .map(|m| (m.milestone, m.days))
            .collect::<Vec<_>>(),
        vec![(test, 5)]
    );
}

#[test]
fn folds_milestone_dates_and_reads_views_stored_before_milestones() {
    use crate::milestone::{MilestoneEvent, MilestoneKind};
    let milestone = MilestoneId::from_uuid(Uuid::from_u128(9));
    let day = |m, d| NaiveDate::from_ymd_opt(2027, m, d).unwrap();
    let (program_id, project_id, milestone_id) = (pid(), prj(), milestone);
    let mut events = history();
    let next = events.len() as i64;
    for (k, e) in [
        MilestoneEvent::MilestoneAdded {
            milestone_id,
            program_id,
            project_id,
            name: "Cut-over".into(),
            kind: MilestoneKind::Milestone,
            owner: "Lee".into(),
            planned_start: None,
            planned: day(6, 30),
            external_ref: None,
        },
        MilestoneEvent::MilestoneBaselined {
            milestone_id,
            program_id,
            project_id,
            baseline: day(6, 30),
        },
        MilestoneEvent::MilestoneForecastChanged {
            milestone_id,
            program_id,
            project_id,
            from: day(6, 30),
            to: day(7, 21),
            start: None,
        },
    ]
    .into_iter()
    .enumerate()
    {
        events.push(record(next + 1 + k as i64, k as i64 + 1, milestone.0, e));
    }
    let view = fold(&events);
    let m = view.milestone(milestone).unwrap();
    assert_eq!(
        (m.planned, m.baseline, m.forecast),
        (day(6, 30), Some(day(6, 30)), day(7, 21))
    );
    assert_eq!((m.variance_days(), m.version), (Some(21), 3));
    // A view as the projection stored it before milestones existed still reads.
    let mut stored = serde_json::to_value(fold(&history())).unwrap();
    stored.as_object_mut().unwrap().remove("milestones");
    let old: ProgramView = serde_json::from_value(stored).unwrap();
    assert!(old.milestones.is_empty());
}

#[test]
fn terms_moves_and_retirements_fold_into_the_plan() {
    use crate::dependency::{DependencyEvent, DependencyTerms};
    use crate::milestone::{MilestoneEvent, MilestoneKind};
    use crate::schedule::DependencyType;
    let day = |m, d| NaiveDate::from_ymd_opt(2027, m, d).unwrap();
    let (program_id, project_id) = (pid(), prj());
    let other = ProjectId::from_uuid(Uuid::from_u128(3));
    let (build, test) = (
        MilestoneId::from_uuid(Uuid::from_u128(21)),
        MilestoneId::from_uuid(Uuid::from_u128(22)),
    );
    let dependency_id = DependencyId::from_uuid(Uuid::from_u128(31));
    let register = Uuid::from_u128(30);
    let mut events = history();
    let mut next = events.len() as i64;
    let mut push = |events: &mut Vec<RecordedEvent>, stream: Uuid, version, e: DomainEvent| {
        next += 1;
        events.push(match e {
            DomainEvent::Milestone(e) => record(next, version, stream, e),
            DomainEvent::Dependency(e) => record(next, version, stream, e),
            _ => return,
        });
    };
    for (id, name) in [(build, "Build"), (test, "Test")] {
        push(
            &mut events,
            id.0,
            1,
            DomainEvent::Milestone(MilestoneEvent::MilestoneAdded {
                milestone_id: id,
                program_id,
                project_id,
                name: name.into(),
                kind: MilestoneKind::Milestone,
                owner: "Lee".into(),
                planned_start: None,
                planned: day(4, 1),
                external_ref: None,
            }),
        );
    }
    let terms = |kind, lag_days| DependencyTerms { kind, lag_days };
    for (version, event) in [
        DependencyEvent::DependencyProposed {
            dependency_id,
            program_id,
            provider: build,
            provider_project: project_id,
            provider_name: "Build".into(),
            consumer: test,
            consumer_project: project_id,
            consumer_name: "Test".into(),
            kind: DependencyType::FinishToStart,
            lag_days: 0,
            need_by: None,
            provider_owner: "Lee".into(),
            consumer_owner: "Kim".into(),
            description: String::new(),
        },
        DependencyEvent::DependencyAgreed {
            dependency_id,
            program_id,
        },
        DependencyEvent::DependencyTermsChanged {
            dependency_id,
            program_id,
            from: terms(DependencyType::FinishToStart, 0),
            to: terms(DependencyType::FinishToFinish, 3),
        },
    ]
    .into_iter()
    .enumerate()
    {
        push(
            &mut events,
            register,
            version as i64 + 1,
            DomainEvent::Dependency(event),
        );
    }
    push(
        &mut events,
        test.0,
        2,
        DomainEvent::Milestone(MilestoneEvent::MilestoneMoved {
            milestone_id: test,
            program_id,
            project_id: other,
            from_project: project_id,
            from_project_name: "Gateway".into(),
            project_name: "Ledger".into(),
        }),
    );
    push(
        &mut events,
        test.0,
        3,
        DomainEvent::Milestone(MilestoneEvent::MilestoneKindChanged {
            milestone_id: test,
            program_id,
            project_id: other,
            from: MilestoneKind::Milestone,
            to: MilestoneKind::Deliverable,
            start: Some(day(3, 20)),
        }),
    );
    let view = fold(&events);
    let d = view.dependency(dependency_id).unwrap();
    assert_eq!(
        (d.kind, d.lag_days, d.state, d.version, d.consumer_project),
        (
            DependencyType::FinishToFinish,
            3,
            DependencyState::Proposed,
            3,
            other
        ),
        "new terms are for the provider to agree again; the consumer's project followed the move"
    );
    let t = view.milestone(test).unwrap();
    assert_eq!(
        (t.project_id, t.kind, t.forecast_start, t.planned_start),
        (
            other,
            MilestoneKind::Deliverable,
            Some(day(3, 20)),
            Some(day(3, 20))
        )
    );

    // Cancelling the provider: one append of the milestone's event and the register's.
    push(
        &mut events,
        build.0,
        2,
        DomainEvent::Milestone(MilestoneEvent::MilestoneCancelled {
            milestone_id: build,
            program_id,
            project_id,
        }),
    );
    push(
        &mut events,
        register,
        4,
        DomainEvent::Dependency(DependencyEvent::DependencyBroken {
            dependency_id,
            program_id,
        }),
    );
    let view = fold(&events);
    assert!(view.milestone(build).is_none(), "gone from the plan");
    assert_eq!(
        view.milestone_name(build),
        Some("Build"),
        "still named in the record"
    );
    let retired = &view.retired_milestones[0];
    assert_eq!(
        (retired.milestone_id, retired.how),
        (build, Retirement::Cancelled)
    );
    assert_eq!(
        view.dependency(dependency_id).map(|d| d.state),
        Some(DependencyState::Broken)
    );
    // The analysis judges the consumer's dependency broken, its provider gone.
    let analysis = view.analyse(day(3, 1));
    assert_eq!(
        analysis.dependency(dependency_id).map(|h| h.status),
        Some(crate::analysis::DependencyStatus::Broken)
    );
    assert!(analysis.critical_path.iter().all(|m| *m != build));
    // As of before the cancellation, the milestone is still there.
    assert!(fold(&events[..events.len() - 2]).milestone(build).is_some());
}
