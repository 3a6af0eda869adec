use super::*;
use crate::FieldError;
use crate::aggregate::given::Given;
use crate::event::AggregateEvent;
use uuid::Uuid;

fn d(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, month, day).unwrap()
}

fn ids() -> (MilestoneId, ProgramId, ProjectId) {
    (
        MilestoneId::from_uuid(Uuid::from_u128(3)),
        ProgramId::from_uuid(Uuid::from_u128(1)),
        ProjectId::from_uuid(Uuid::from_u128(2)),
    )
}

fn added(kind: MilestoneKind, start: Option<NaiveDate>) -> MilestoneEvent {
    let (milestone_id, program_id, project_id) = ids();
    MilestoneEvent::MilestoneAdded {
        milestone_id,
        program_id,
        project_id,
        name: "Gateway cut-over".into(),
        kind,
        owner: "Lee".into(),
        planned_start: start,
        planned: d(6, 30),
        external_ref: None,
    }
}

fn add(kind: MilestoneKind, start: Option<NaiveDate>, in_program: bool) -> MilestoneCommand {
    let (milestone_id, program_id, project_id) = ids();
    MilestoneCommand::Add {
        milestone_id,
        program_id,
        project_id,
        project_in_program: in_program,
        name: " Gateway cut-over ".into(),
        kind,
        owner: "Lee".into(),
        planned_start: start,
        planned: d(6, 30),
        external_ref: None,
    }
}

/// The names of the fields refused.
fn fields(invalid: Vec<FieldError>) -> Vec<String> {
    invalid.into_iter().map(|f| f.field).collect()
}

#[test]
fn adding_checks_the_project_and_the_shape_of_the_dates() {
    let none = Given::<Milestone>::events(&[]);
    none.when(add(MilestoneKind::Milestone, None, true))
        .then_events(vec![added(MilestoneKind::Milestone, None)]);
    assert_eq!(
        fields(
            none.when(add(MilestoneKind::Milestone, None, false))
                .then_invalid()
        ),
        ["project_id"]
    );
    assert_eq!(
        fields(
            none.when(add(MilestoneKind::Deliverable, None, true))
                .then_invalid()
        ),
        ["start"]
    );
    assert_eq!(
        fields(
            none.when(add(MilestoneKind::Deliverable, Some(d(7, 1)), true))
                .then_invalid()
        ),
        ["start"]
    );
    Given::<Milestone>::events(&[added(MilestoneKind::Milestone, None)])
        .when(add(MilestoneKind::Milestone, None, true))
        .then_error_matches(|e| matches!(e, DomainError::AlreadyExists(_)));
}

#[test]
fn a_forecast_moves_with_its_old_date_recorded() {
    let m = Given::<Milestone>::events(&[added(MilestoneKind::Milestone, None)]);
    let (milestone_id, program_id, project_id) = ids();
    m.when(MilestoneCommand::ChangeForecast {
        to: d(7, 14),
        start: None,
    })
    .then_events(vec![MilestoneEvent::MilestoneForecastChanged {
        milestone_id,
        program_id,
        project_id,
        from: d(6, 30),
        to: d(7, 14),
        start: None,
    }]);
    m.when(MilestoneCommand::ChangeForecast {
        to: d(6, 30),
        start: None,
    })
    .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
    // A deliverable keeps its start unless told otherwise, and the start stays before the finish.
    let deliverable =
        Given::<Milestone>::events(&[added(MilestoneKind::Deliverable, Some(d(6, 1)))]);
    let moved = deliverable
        .when(MilestoneCommand::ChangeForecast {
            to: d(7, 14),
            start: None,
        })
        .events();
    assert!(
        matches!(&moved[0], MilestoneEvent::MilestoneForecastChanged { start: Some(s), .. } if *s == d(6, 1))
    );
    assert_eq!(
        fields(
            deliverable
                .when(MilestoneCommand::ChangeForecast {
                    to: d(5, 1),
                    start: None
                })
                .then_invalid()
        ),
        ["start"]
    );
}

#[test]
fn the_first_baseline_is_set_and_changing_it_needs_a_reason() {
    let (milestone_id, program_id, project_id) = ids();
    let baselined = MilestoneEvent::MilestoneBaselined {
        milestone_id,
        program_id,
        project_id,
        baseline: d(6, 30),
    };
    Given::<Milestone>::events(&[added(MilestoneKind::Milestone, None)])
        .when(MilestoneCommand::Baseline {
            to: None,
            reason: None,
        })
        .then_events(vec![baselined.clone()]);
    let m = Given::<Milestone>::events(&[added(MilestoneKind::Milestone, None), baselined]);
    assert_eq!(
        fields(
            m.when(MilestoneCommand::Baseline {
                to: Some(d(8, 1)),
                reason: Some("  ".into())
            })
            .then_invalid()
        ),
        ["reason"]
    );
    m.when(MilestoneCommand::Baseline {
        to: Some(d(8, 1)),
        reason: Some("vendor contract signed late".into()),
    })
    .then_events(vec![MilestoneEvent::MilestoneRebaselined {
        milestone_id,
        program_id,
        project_id,
        from: d(6, 30),
        to: d(8, 1),
    }]);
    m.when(MilestoneCommand::Baseline {
        to: Some(d(6, 30)),
        reason: Some("x".into()),
    })
    .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
}

#[test]
fn a_met_milestone_no_longer_moves() {
    let (milestone_id, program_id, project_id) = ids();
    let met = MilestoneEvent::MilestoneMet {
        milestone_id,
        program_id,
        project_id,
        actual: d(7, 2),
    };
    let m = Given::<Milestone>::events(&[added(MilestoneKind::Milestone, None), met]);
    m.when(MilestoneCommand::ChangeForecast {
        to: d(8, 1),
        start: None,
    })
    .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
    m.when(MilestoneCommand::Meet { actual: d(7, 3) })
        .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
    Given::<Milestone>::events(&[])
        .when(MilestoneCommand::Meet { actual: d(7, 3) })
        .then_error_matches(|e| matches!(e, DomainError::NotFound(_)));
}

#[test]
fn a_milestone_is_renamed_and_reowned_with_what_it_was_even_once_met() {
    let (milestone_id, program_id, project_id) = ids();
    let met = MilestoneEvent::MilestoneMet {
        milestone_id,
        program_id,
        project_id,
        actual: d(7, 2),
    };
    let m = Given::<Milestone>::events(&[added(MilestoneKind::Milestone, None), met]);
    m.when(MilestoneCommand::Revise(MilestoneRevision {
        name: Some("  Gateway go-live ".into()),
        owner: Some("Lee".into()),
        ..Default::default()
    }))
    .then_events(vec![MilestoneEvent::MilestoneRenamed {
        milestone_id,
        program_id,
        project_id,
        from: "Gateway cut-over".into(),
        to: "Gateway go-live".into(),
    }]);
    m.when(MilestoneCommand::Revise(MilestoneRevision {
        name: Some("Gateway go-live".into()),
        owner: Some("Ana Ruiz".into()),
        ..Default::default()
    }))
    .then_events(vec![
        MilestoneEvent::MilestoneRenamed {
            milestone_id,
            program_id,
            project_id,
            from: "Gateway cut-over".into(),
            to: "Gateway go-live".into(),
        },
        MilestoneEvent::MilestoneOwnerChanged {
            milestone_id,
            program_id,
            project_id,
            from: "Lee".into(),
            to: "Ana Ruiz".into(),
        },
    ]);
    m.when(MilestoneCommand::Revise(MilestoneRevision {
        name: Some("Gateway cut-over".into()),
        owner: None,
        ..Default::default()
    }))
    .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
    assert_eq!(
        fields(
            m.when(MilestoneCommand::Revise(MilestoneRevision {
                name: Some(" ".into()),
                owner: Some("x".repeat(PERSON_MAX + 1)),
                ..Default::default()
            }))
            .then_invalid()
        ),
        ["name", "owner"]
    );
    Given::<Milestone>::events(&[])
        .when(MilestoneCommand::Revise(MilestoneRevision {
            name: Some("x".into()),
            owner: None,
            ..Default::default()
        }))
        .then_error_matches(|e| matches!(e, DomainError::NotFound(_)));
}

#[test]
fn events_round_trip_through_their_wire_form() {
    let event = added(MilestoneKind::Deliverable, Some(d(6, 1)));
    let encoded = event.encode();
    assert_eq!(
        (encoded.stream_type, encoded.event_type.as_str()),
        ("milestone", "MilestoneAdded")
    );
    assert_eq!(encoded.payload["kind"], "deliverable");
    let decoded =
        MilestoneEvent::decode(&encoded.event_type, encoded.schema_version, encoded.payload)
            .unwrap();
    assert_eq!(decoded, event);
}

#[test]
fn kind_and_project_change_each_as_its_own_event_the_move_last() {
    let (milestone_id, program_id, project_id) = ids();
    let other = ProjectId::from_uuid(Uuid::from_u128(7));
    let m = Given::<Milestone>::events(&[added(MilestoneKind::Milestone, None)]);
    let to_other = |in_program, open| ProjectMove {
        to: other,
        to_name: "Payments".into(),
        from_name: "Ledger".into(),
        in_program,
        open,
    };
    m.when(MilestoneCommand::Revise(MilestoneRevision {
        kind: Some(MilestoneKind::Deliverable),
        start: Some(d(6, 1)),
        project: Some(to_other(true, true)),
        ..Default::default()
    }))
    .then_events(vec![
        MilestoneEvent::MilestoneKindChanged {
            milestone_id,
            program_id,
            project_id,
            from: MilestoneKind::Milestone,
            to: MilestoneKind::Deliverable,
            start: Some(d(6, 1)),
        },
        MilestoneEvent::MilestoneMoved {
            milestone_id,
            program_id,
            project_id: other,
            from_project: project_id,
            from_project_name: "Ledger".into(),
            project_name: "Payments".into(),
        },
    ]);
    // A deliverable needs a start before its finish; a closed or foreign project is refused.
    let refused = m
        .when(MilestoneCommand::Revise(MilestoneRevision {
            kind: Some(MilestoneKind::Deliverable),
            start: Some(d(7, 1)),
            project: Some(to_other(true, false)),
            ..Default::default()
        }))
        .then_invalid();
    assert_eq!(fields(refused), ["start", "project_id"]);
    let refused = m
        .when(MilestoneCommand::Revise(MilestoneRevision {
            kind: Some(MilestoneKind::Deliverable),
            project: Some(to_other(false, true)),
            ..Default::default()
        }))
        .then_invalid();
    assert_eq!(fields(refused), ["start", "project_id"]);
    // A deliverable becoming a milestone drops its start; its own project again is no move.
    let deliverable =
        Given::<Milestone>::events(&[added(MilestoneKind::Deliverable, Some(d(6, 1)))]);
    deliverable
        .when(MilestoneCommand::Revise(MilestoneRevision {
            kind: Some(MilestoneKind::Milestone),
            project: Some(ProjectMove {
                to: project_id,
                ..to_other(true, true)
            }),
            ..Default::default()
        }))
        .then_events(vec![MilestoneEvent::MilestoneKindChanged {
            milestone_id,
            program_id,
            project_id,
            from: MilestoneKind::Deliverable,
            to: MilestoneKind::Milestone,
            start: None,
        }]);
}

#[test]
fn a_cancelled_or_removed_milestone_takes_no_more_commands() {
    let (milestone_id, program_id, project_id) = ids();
    let m = Given::<Milestone>::events(&[added(MilestoneKind::Milestone, None)]);
    let missing = m
        .when(MilestoneCommand::Cancel {
            reason: Some(" ".into()),
        })
        .then_invalid();
    assert_eq!(fields(missing), ["reason"]);
    let cancelled = m
        .when(MilestoneCommand::Cancel {
            reason: Some("Descoped at the March review".into()),
        })
        .then_events(vec![MilestoneEvent::MilestoneCancelled {
            milestone_id,
            program_id,
            project_id,
        }])
        .events();
    let mut after = (*m).clone();
    cancelled.iter().for_each(|e| after.apply(e));
    assert_eq!(after.retired, Some(Retirement::Cancelled));
    for command in [
        MilestoneCommand::ChangeForecast {
            to: d(8, 1),
            start: None,
        },
        MilestoneCommand::Revise(MilestoneRevision {
            name: Some("Back".into()),
            ..Default::default()
        }),
        MilestoneCommand::Cancel {
            reason: Some("again".into()),
        },
    ] {
        assert!(matches!(
            after.decide(command),
            Err(DomainError::NothingToChange(m)) if m.contains("was cancelled")
        ));
    }
}

#[test]
fn only_its_creator_removes_a_milestone_as_a_mistake_soon_and_before_the_baseline() {
    let (milestone_id, program_id, project_id) = ids();
    let remove = |by_its_creator, within_window| MilestoneCommand::Remove {
        reason: Some("Typed into the wrong program".into()),
        by_its_creator,
        within_window,
    };
    let m = Given::<Milestone>::events(&[added(MilestoneKind::Milestone, None)]);
    m.when(remove(true, true))
        .then_events(vec![MilestoneEvent::MilestoneRemoved {
            milestone_id,
            program_id,
            project_id,
        }]);
    for (by, within, says) in [
        (false, true, "whoever added it"),
        (true, false, "over a day ago"),
    ] {
        assert!(matches!(
            m.when(remove(by, within)).then_err(),
            DomainError::NothingToChange(m) if m.contains(says)
        ));
    }
    let baselined = Given::<Milestone>::events(&[
        added(MilestoneKind::Milestone, None),
        MilestoneEvent::MilestoneBaselined {
            milestone_id,
            program_id,
            project_id,
            baseline: d(6, 30),
        },
    ]);
    assert!(matches!(
        baselined.when(remove(true, true)).then_err(),
        DomainError::NothingToChange(m) if m.contains("in the baseline")
    ));
}

#[test]
fn progress_is_reported_within_bounds_with_a_deliverables_actual_start_even_once_met() {
    let (milestone_id, program_id, project_id) = ids();
    let progress =
        |from: u8, to: u8, start: Option<NaiveDate>| MilestoneEvent::MilestoneProgressReported {
            milestone_id,
            program_id,
            project_id,
            from,
            percent_complete: to,
            actual_start: start,
        };
    let report =
        |percent_complete: u8, actual_start: Option<NaiveDate>| MilestoneCommand::ReportProgress {
            percent_complete,
            actual_start,
        };
    let work = Given::<Milestone>::events(&[added(MilestoneKind::Deliverable, Some(d(6, 1)))]);
    work.when(report(40, Some(d(6, 3))))
        .then_events(vec![progress(0, 40, Some(d(6, 3)))]);
    assert_eq!(
        fields(work.when(report(101, None)).then_invalid()),
        ["percent_complete"]
    );
    assert_eq!(
        fields(
            work.when(report(10, NaiveDate::from_ymd_opt(2999, 1, 1)))
                .then_invalid()
        ),
        ["actual_start"]
    );
    // Reported once, the same again is nothing; a later report keeps the start it had.
    let started = Given::<Milestone>::events(&[
        added(MilestoneKind::Deliverable, Some(d(6, 1))),
        progress(0, 40, Some(d(6, 3))),
    ]);
    started
        .when(report(40, None))
        .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
    started
        .when(report(70, None))
        .then_events(vec![progress(40, 70, Some(d(6, 3)))]);
    // A point in time has a percentage but no start.
    let point = Given::<Milestone>::events(&[added(MilestoneKind::Milestone, None)]);
    assert_eq!(
        fields(point.when(report(50, Some(d(6, 3)))).then_invalid()),
        ["actual_start"]
    );
    point
        .when(report(50, None))
        .then_events(vec![progress(0, 50, None)]);
    // Met, the work's facts may still come in, but not a start after it was met.
    let met = MilestoneEvent::MilestoneMet {
        milestone_id,
        program_id,
        project_id,
        actual: d(7, 2),
    };
    let done = Given::<Milestone>::events(&[added(MilestoneKind::Deliverable, Some(d(6, 1))), met]);
    done.when(report(100, Some(d(6, 2))))
        .then_events(vec![progress(0, 100, Some(d(6, 2)))]);
    assert_eq!(
        fields(done.when(report(100, Some(d(7, 3)))).then_invalid()),
        ["actual_start"]
    );
    // Met before the work started is refused; a deliverable becoming a point in time drops its start.
    let late_start = Given::<Milestone>::events(&[
        added(MilestoneKind::Deliverable, Some(d(6, 1))),
        progress(0, 10, Some(d(6, 20))),
    ]);
    assert_eq!(
        fields(
            late_start
                .when(MilestoneCommand::Meet { actual: d(6, 10) })
                .then_invalid()
        ),
        ["actual"]
    );
    let point_now = late_start
        .when(MilestoneCommand::Revise(MilestoneRevision {
            kind: Some(MilestoneKind::Milestone),
            ..Default::default()
        }))
        .state_after();
    assert_eq!(point_now.actual_start, None);
    // A log holding more than 100 folds to 100.
    let absurd = Given::<Milestone>::events(&[
        added(MilestoneKind::Milestone, None),
        progress(0, u8::MAX, None),
    ]);
    assert_eq!(absurd.percent_complete, 100);
}
