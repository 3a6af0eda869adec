use super::*;
use crate::FieldError;
use crate::aggregate::given::Given;

fn program() -> ProgramId {
    ProgramId::from_uuid(Uuid::from_u128(1))
}

fn dep(n: u128) -> DependencyId {
    DependencyId::from_uuid(Uuid::from_u128(5000 + n))
}

fn milestone(n: u128) -> MilestoneRef {
    MilestoneRef {
        id: MilestoneId::from_uuid(Uuid::from_u128(100 + n)),
        program_id: program(),
        project_id: ProjectId::from_uuid(Uuid::from_u128(10 + n % 3)),
        name: format!("M{n}"),
        owner: format!("Owner {n}"),
    }
}

fn propose(n: u128, provider: u128, consumer: u128) -> DependencyCommand {
    DependencyCommand::Propose {
        dependency_id: dep(n),
        program_id: program(),
        provider: Some(milestone(provider)),
        consumer: Some(milestone(consumer)),
        kind: DependencyType::FinishToStart,
        lag_days: 2,
        need_by: None,
        provider_owner: None,
        consumer_owner: None,
        description: String::new(),
    }
}

#[test]
fn proposing_records_both_ends_with_their_owners() {
    Given::<DependencyRegister>::events(&[])
        .when(propose(1, 1, 2))
        .then_events(vec![DependencyEvent::DependencyProposed {
            dependency_id: dep(1),
            program_id: program(),
            provider: milestone(1).id,
            provider_project: milestone(1).project_id,
            provider_name: "M1".into(),
            consumer: milestone(2).id,
            consumer_project: milestone(2).project_id,
            consumer_name: "M2".into(),
            kind: DependencyType::FinishToStart,
            lag_days: 2,
            need_by: None,
            provider_owner: "Owner 1".into(),
            consumer_owner: "Owner 2".into(),
            description: String::new(),
        }]);
}

#[test]
fn a_dependency_closing_a_cycle_is_refused_with_the_cycle_named() {
    Given::<DependencyRegister>::decided(vec![propose(1, 1, 2), propose(2, 2, 3)])
        .when(propose(3, 3, 1))
        .then_error(DomainError::Cycle(vec![
            "M3".into(),
            "M1".into(),
            "M2".into(),
            "M3".into(),
        ]));
    // Cancelled dependencies no longer constrain: once 2 → 3 is cancelled, 3 → 1 is fine.
    Given::<DependencyRegister>::decided(vec![
        propose(1, 1, 2),
        propose(2, 2, 3),
        DependencyCommand::Cancel {
            dependency_id: dep(2),
            reason: Some("descoped".into()),
        },
    ])
    .when(propose(3, 3, 1))
    .then_accepted();
}

#[test]
fn ends_must_be_milestones_of_the_program_and_distinct() {
    let mut command = propose(1, 1, 1);
    let nothing = Given::<DependencyRegister>::events(&[]);
    nothing
        .when(command.clone())
        .then_error(DomainError::Invalid(vec![FieldError::new(
            "consumer",
            "a milestone cannot depend on itself",
        )]));
    if let DependencyCommand::Propose {
        provider,
        consumer,
        lag_days,
        ..
    } = &mut command
    {
        *provider = None;
        let mut foreign = milestone(2);
        foreign.program_id = ProgramId::from_uuid(Uuid::from_u128(99));
        *consumer = Some(foreign);
        *lag_days = 4000;
    }
    let fields = nothing.when(command).then_invalid();
    let fields: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, vec!["provider", "consumer", "lag_days"]);
}

#[test]
fn the_same_pair_twice_is_a_duplicate() {
    Given::<DependencyRegister>::decided(vec![propose(1, 1, 2)])
        .when(propose(2, 1, 2))
        .then_error_matches(|e| matches!(e, DomainError::AlreadyExists(_)));
}

#[test]
fn lifecycle_agree_then_break_needs_a_reason_and_closes_it() {
    let agreed = Given::<DependencyRegister>::decided(vec![propose(1, 1, 2)])
        .when(DependencyCommand::Agree {
            dependency_id: dep(1),
        })
        .then_events(vec![DependencyEvent::DependencyAgreed {
            dependency_id: dep(1),
            program_id: program(),
        }])
        .state_after();
    agreed
        .when(DependencyCommand::Agree {
            dependency_id: dep(1),
        })
        .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
    agreed
        .when(DependencyCommand::Break {
            dependency_id: dep(1),
            reason: Some("  ".into()),
        })
        .then_error_matches(|e| matches!(e, DomainError::Invalid(_)));
    let register = Given::<DependencyRegister>::decided(vec![
        propose(1, 1, 2),
        DependencyCommand::Break {
            dependency_id: dep(1),
            reason: Some("vendor pulled out".into()),
        },
    ]);
    assert_eq!(
        register.dependency(dep(1)).unwrap().state,
        DependencyState::Broken
    );
    register
        .when(DependencyCommand::ChangeNeedBy {
            dependency_id: dep(1),
            to: None,
        })
        .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
    register
        .when(DependencyCommand::Agree {
            dependency_id: dep(9),
        })
        .then_error_matches(|e| matches!(e, DomainError::NotFound(_)));
}

fn agreed_pair() -> Given<DependencyRegister> {
    Given::<DependencyRegister>::decided(vec![
        propose(1, 1, 2),
        propose(2, 2, 3),
        DependencyCommand::Agree {
            dependency_id: dep(1),
        },
    ])
}

#[test]
fn revising_terms_keeps_the_dependency_and_asks_its_provider_to_agree_again() {
    let register = agreed_pair();
    assert_eq!(register.dependency(dep(1)).map(|d| d.version), Some(2));
    let terms = |kind, lag_days| DependencyTerms { kind, lag_days };
    let events = register
        .when(DependencyCommand::Revise {
            dependency_id: dep(1),
            terms: terms(DependencyType::StartToStart, 5),
            need_by: Some(NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()),
        })
        .then_events(vec![
            DependencyEvent::DependencyTermsChanged {
                dependency_id: dep(1),
                program_id: program(),
                from: terms(DependencyType::FinishToStart, 2),
                to: terms(DependencyType::StartToStart, 5),
            },
            DependencyEvent::DependencyNeedByChanged {
                dependency_id: dep(1),
                program_id: program(),
                from: None,
                to: Some(NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()),
            },
        ])
        .events();
    let mut after = (*register).clone();
    events.iter().for_each(|e| after.apply(e));
    let revised = after.dependency(dep(1)).unwrap();
    assert_eq!(
        (revised.terms, revised.state, revised.version),
        (
            terms(DependencyType::StartToStart, 5),
            DependencyState::Proposed,
            4
        )
    );
    // The other dependency's count did not move: edits of one never conflict with the other.
    assert_eq!(after.dependency(dep(2)).map(|d| d.version), Some(1));

    // Only the lag: one event; the same terms again: nothing to change; absurd lag: refused.
    register
        .when(DependencyCommand::Revise {
            dependency_id: dep(1),
            terms: terms(DependencyType::FinishToStart, -1),
            need_by: None,
        })
        .then_events(vec![DependencyEvent::DependencyTermsChanged {
            dependency_id: dep(1),
            program_id: program(),
            from: terms(DependencyType::FinishToStart, 2),
            to: terms(DependencyType::FinishToStart, -1),
        }]);
    register
        .when(DependencyCommand::Revise {
            dependency_id: dep(1),
            terms: terms(DependencyType::FinishToStart, 2),
            need_by: None,
        })
        .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
    let invalid = register
        .when(DependencyCommand::Revise {
            dependency_id: dep(1),
            terms: terms(DependencyType::FinishToStart, LAG_DAYS_MAX + 1),
            need_by: None,
        })
        .then_invalid();
    assert_eq!(invalid[0].field, "lag_days");
}

#[test]
fn a_retired_milestone_breaks_what_it_provided_and_cancels_what_it_consumed() {
    let register = agreed_pair();
    // M2 provides dependency 2 (to M3) and consumes dependency 1 (from M1).
    let released = register.release(milestone(2).id, Retirement::Cancelled);
    assert_eq!(
        released,
        vec![
            (
                DependencyEvent::DependencyCancelled {
                    dependency_id: dep(1),
                    program_id: program(),
                },
                "its consumer “M2” was cancelled".to_string()
            ),
            (
                DependencyEvent::DependencyBroken {
                    dependency_id: dep(2),
                    program_id: program(),
                },
                "its provider “M2” was cancelled".to_string()
            ),
        ]
    );
    // Removed as a mistake: it never really provided, so nothing is broken.
    assert!(
        register
            .release(milestone(2).id, Retirement::Removed)
            .iter()
            .all(|(e, _)| matches!(e, DependencyEvent::DependencyCancelled { .. }))
    );
    // Dependencies already closed are left alone; a milestone without any releases nothing.
    let mut after = (*register).clone();
    released.iter().for_each(|(e, _)| after.apply(e));
    assert!(
        after
            .release(milestone(2).id, Retirement::Cancelled)
            .is_empty()
    );
    assert!(
        register
            .release(milestone(9).id, Retirement::Cancelled)
            .is_empty()
    );
}
