//! The register folded from a log, and exposure pushed through a schedule.

use super::exposure::{ExposureContext, exposure};
use super::register::{GroupBy, RaidFilter, RaidKind, StateFilter};
use super::risk::Risk;
use super::risk::{RiskCommand, RiskDetails};
use super::settings::{Appetite, RaidSettingsEvent};
use super::view::RaidView;
use super::{Assessment, Band, RaidLink, Rating};
use crate::dependency::DependencyState;
use crate::event::{DomainEvent, RecordedEvent, recorded};
use crate::ids::{DependencyId, MilestoneId, ObjectiveId, ProgramId, ProjectId, RiskId};
use crate::milestone::MilestoneKind;
use crate::program::StrategicObjective;
use crate::schedule::DependencyType;
use crate::view::{DependencyView, MilestoneView, ProgramView, ProjectView};
use chrono::{NaiveDate, TimeZone, Utc};
use uuid::Uuid;

fn program() -> ProgramId {
    ProgramId::from_uuid(Uuid::from_u128(1))
}
fn project(n: u128) -> ProjectId {
    ProjectId::from_uuid(Uuid::from_u128(100 + n))
}
fn risk_id(n: u128) -> RiskId {
    RiskId::from_uuid(Uuid::from_u128(200 + n))
}
fn milestone(n: u128) -> MilestoneId {
    MilestoneId::from_uuid(Uuid::from_u128(300 + n))
}
fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, m, d).unwrap()
}
fn assessment(p: u8, i: u8, days: Option<u16>) -> Assessment {
    Assessment {
        probability: Rating::new(p).unwrap(),
        impact: Rating::new(i).unwrap(),
        schedule_days: days,
        cost: None,
    }
}

/// A log of risks, each decided by the aggregate from commands, as the server appends them.
struct Log(Vec<(RecordedEvent, DomainEvent)>);

impl Log {
    fn risk(&mut self, id: RiskId, commands: Vec<RiskCommand>) {
        let mut state = Risk::default();
        let mut version = 0;
        for command in commands {
            for event in state.decide(command).unwrap() {
                state.apply(&event);
                version += 1;
                let position = self.0.len() as i64 + 1;
                let r = recorded(position, version, id.0, event.clone());
                self.0.push((r, DomainEvent::Risk(event)));
            }
        }
    }

    /// Sets the program's appetite (a score, and expected days); returns its position.
    fn appetite(&mut self, score: u8, schedule_days: Option<u16>) -> i64 {
        let event = RaidSettingsEvent::RiskAppetiteSet {
            program_id: program(),
            appetite: Appetite {
                score,
                schedule_days,
                cost: None,
            },
            reason: "Board".into(),
        };
        let position = self.0.len() as i64 + 1;
        self.0.push((
            recorded(position, position, Uuid::from_u128(9), event.clone()),
            DomainEvent::RaidSettings(event),
        ));
        position
    }

    fn view(&self, up_to: i64) -> RaidView {
        let mut view = RaidView::new(program());
        for (r, e) in self.0.iter().filter(|(r, _)| r.position <= up_to) {
            view.apply(r, e);
        }
        view
    }
}

fn identify(
    n: u128,
    title: &str,
    cause: &str,
    projects: Vec<ProjectId>,
    a: Assessment,
) -> RiskCommand {
    RiskCommand::Identify {
        risk_id: risk_id(n),
        program_id: program(),
        details: RiskDetails {
            title: title.into(),
            cause: cause.into(),
            category: "Vendor".into(),
            owner: "Ana Ruiz".into(),
            projects,
            ..Default::default()
        },
        categories: vec![],
        assessment: Some(a),
        review_by: Some(day(3, 15)),
    }
}

#[test]
fn the_register_reads_scores_bands_heatmap_groups_and_staleness_as_of_any_position() {
    let mut log = Log(Vec::new());
    log.appetite(12, Some(10));
    // Two small risks with one cause in two projects: each within appetite, together above it.
    log.risk(
        risk_id(1),
        vec![identify(
            1,
            "HSM late",
            "Single HSM supplier",
            vec![project(1)],
            assessment(3, 3, Some(12)),
        )],
    );
    log.risk(
        risk_id(2),
        vec![identify(
            2,
            "HSM firmware",
            "single hsm supplier ",
            vec![project(2)],
            assessment(3, 2, Some(10)),
        )],
    );
    log.risk(
        risk_id(3),
        vec![
            identify(
                3,
                "Key engineer leaves",
                "",
                vec![project(1)],
                assessment(2, 2, None),
            ),
            RiskCommand::Assess {
                assessment: assessment(4, 5, None),
                reason: "Resignation rumoured".into(),
                review_by: Some(day(4, 30)),
            },
            RiskCommand::AssessResidual {
                assessment: assessment(2, 5, None),
                reason: "After retention bonus".into(),
            },
        ],
    );
    log.risk(
        risk_id(4),
        vec![
            identify(4, "Office move", "", vec![], assessment(1, 1, None)),
            RiskCommand::Close {
                reason: "Cancelled".into(),
            },
        ],
    );
    let head = log.0.len() as i64;
    let view = log.view(head);
    let register = view.register(day(3, 20), &RaidFilter::default());
    let titles: Vec<&str> = register
        .risks
        .iter()
        .map(|r| r.details.title.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Key engineer leaves",
            "HSM late",
            "HSM firmware",
            "Office move"
        ]
    );
    let engineer = &register.risks[0];
    assert_eq!(
        (engineer.score, engineer.band),
        (Some(20), Some(Band::Critical))
    );
    assert_eq!(
        engineer
            .trend
            .iter()
            .map(|p| (p.score, p.residual))
            .collect::<Vec<_>>(),
        [(Some(4), None), (Some(20), None), (Some(20), Some(10))],
        "every assessment is a point of the trend"
    );
    assert!(
        engineer
            .above_appetite
            .as_deref()
            .unwrap()
            .contains("score 20")
    );
    assert!(!engineer.stale, "reviewed by the end of April");
    assert!(register.risks[1].stale, "due for review on 15 March");
    assert!(register.risks[3].without_treatment);
    let c = &register.counts;
    assert_eq!(
        (
            c.risks_open,
            c.above_appetite,
            c.stale,
            c.closed_without_treatment
        ),
        (3, 1, 2, 1)
    );
    let cell = |p: u8, i: u8, cells: &[super::register::HeatCell]| {
        cells
            .iter()
            .find(|c| c.probability.get() == p && c.impact.get() == i)
            .unwrap()
            .count
    };
    assert_eq!(register.heatmap.inherent.len(), 25);
    assert_eq!(cell(4, 5, &register.heatmap.inherent), 1);
    assert_eq!(
        cell(1, 1, &register.heatmap.inherent),
        0,
        "closed risks are off the map"
    );
    assert_eq!(cell(2, 5, &register.heatmap.residual), 1);
    let cause = register
        .causes
        .iter()
        .find(|g| g.by == GroupBy::Cause)
        .unwrap();
    assert_eq!(cause.risks, [risk_id(1), risk_id(2)]);
    assert_eq!(cause.projects, [project(1), project(2)]);
    assert_eq!(
        (cause.expected_days, cause.worst_days),
        (11, 22),
        "50% of 12 + 50% of 10"
    );
    assert!(
        cause.above_appetite,
        "11 expected days together exceed the 10-day appetite"
    );
    // Filters.
    let only = |f: RaidFilter| view.register(day(3, 20), &f).risks.len();
    assert_eq!(
        only(RaidFilter {
            band: Some(Band::Critical),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        only(RaidFilter {
            project: Some(project(2)),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        only(RaidFilter {
            stale: Some(true),
            ..Default::default()
        }),
        2
    );
    assert_eq!(
        only(RaidFilter {
            state: Some(StateFilter::Closed),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        only(RaidFilter {
            owner: Some("ana ruiz".into()),
            ..Default::default()
        }),
        4
    );
    assert_eq!(
        only(RaidFilter {
            kind: Some(RaidKind::Issue),
            ..Default::default()
        }),
        0
    );
    // As it stood before the reassessment: a low risk.
    let before = log.view(7).register(day(3, 20), &RaidFilter::default());
    let engineer = before
        .risks
        .iter()
        .find(|r| r.risk_id == risk_id(3))
        .unwrap();
    assert_eq!(engineer.score, Some(4));
    assert!(
        log.view(0)
            .register(day(3, 20), &RaidFilter::default())
            .risks
            .is_empty()
    );
}

#[test]
fn a_risk_on_one_projects_milestone_exposes_everything_downstream_and_the_objectives_served() {
    let objective = ObjectiveId::from_uuid(Uuid::from_u128(400));
    let mut view = ProgramView::new(program());
    view.objectives.push(StrategicObjective {
        objective_id: objective,
        title: "Launch".into(),
        kpi: None,
        target_value: None,
        target_date: Some(day(3, 19)),
    });
    let at = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
    for (n, objectives) in [(1, vec![]), (2, vec![objective])] {
        view.projects.push(ProjectView {
            project_id: project(n),
            name: format!("P{n}"),
            manager: "M".into(),
            version: 1,
            status: None,
            previous_rag: None,
            added_at: at,
            objectives,
            stage: Default::default(),
            stage_reason: None,
        });
    }
    for (n, p, date) in [
        (1, 1, day(3, 10)),
        (2, 2, day(3, 12)),
        (3, 2, day(3, 18)),
        (4, 2, day(3, 1)),
    ] {
        view.milestones.push(MilestoneView {
            milestone_id: milestone(n),
            project_id: project(p),
            name: format!("M{n}"),
            kind: MilestoneKind::Milestone,
            owner: "O".into(),
            planned: date,
            planned_start: None,
            forecast: date,
            forecast_start: None,
            baseline: None,
            actual: None,
            version: 1,
            percent_complete: 0,
            actual_start: None,
            external_ref: None,
        });
    }
    for (n, from, to) in [(1, 1, 2), (2, 2, 3)] {
        view.dependencies.push(DependencyView {
            dependency_id: DependencyId::from_uuid(Uuid::from_u128(500 + n)),
            provider: milestone(from),
            provider_project: project(if from == 1 { 1 } else { 2 }),
            consumer: milestone(to),
            consumer_project: project(2),
            kind: DependencyType::FinishToStart,
            lag_days: 0,
            need_by: None,
            provider_owner: "O".into(),
            consumer_owner: "O".into(),
            description: String::new(),
            state: DependencyState::Agreed,
            proposed_at: at,
            closed_reason: None,
            version: 1,
        });
    }
    // A provider's risk: 10 days at 50%, on the dependency P1 → P2 (its provider's delivery).
    let mut log = Log(Vec::new());
    let mut command = identify(
        1,
        "Vendor API late",
        "",
        vec![project(1)],
        assessment(3, 4, Some(10)),
    );
    if let RiskCommand::Identify { details, .. } = &mut command {
        details.links = vec![RaidLink::Dependency(DependencyId::from_uuid(
            Uuid::from_u128(501),
        ))];
    }
    log.risk(risk_id(1), vec![command]);
    // No schedule impact: no exposure.
    log.risk(
        risk_id(2),
        vec![identify(2, "Vague", "", vec![], assessment(5, 5, None))],
    );
    let raid = log.view(i64::MAX);
    let all = exposure(&raid, &view);
    assert_eq!(all.len(), 1);
    let e = &all[0];
    let reached: Vec<MilestoneId> = e.milestones.iter().map(|m| m.milestone_id).collect();
    assert_eq!(
        reached,
        [milestone(1), milestone(2), milestone(3)],
        "M4 is not downstream"
    );
    assert_eq!(
        (e.milestones[0].worst_days, e.milestones[0].expected_days),
        (10, 5)
    );
    assert!(e.milestones[0].direct && !e.milestones[2].direct);
    assert!(e.milestones[2].worst_days > 0, "M3 is pushed through M2");
    assert_eq!(
        e.projects,
        [project(1), project(2)],
        "the consumer's project is exposed too"
    );
    let o = &e.objectives[0];
    assert_eq!(o.objective_id, objective);
    assert!(
        o.worst_days_over > 0 && o.expected_days_over < o.worst_days_over,
        "{o:?}"
    );
    // The context answers for one risk at a time, as the item page asks.
    let context = ExposureContext::new(&view);
    assert_eq!(
        context
            .of(risk_id(1), raid.risk(risk_id(1)).unwrap())
            .as_ref(),
        Some(e)
    );
}

#[test]
fn a_sessions_agenda_names_risks_above_appetite_new_stale_or_rescored_since_it_last_met() {
    use super::agenda::{RiskAgendaReason, risk_agenda};
    let mut log = Log(Vec::new());
    log.appetite(12, None);
    log.risk(
        risk_id(1),
        vec![identify(
            1,
            "Old, quiet",
            "",
            vec![],
            assessment(2, 2, None),
        )],
    );
    log.risk(
        risk_id(2),
        vec![identify(
            2,
            "Old, rescored",
            "",
            vec![],
            assessment(2, 3, None),
        )],
    );
    let last_session = log.0.len() as i64;
    let mut rescore = Risk::default();
    for (r, e) in &log.0 {
        if r.stream_id == risk_id(2).0
            && let DomainEvent::Risk(e) = e
        {
            rescore.apply(e);
        }
    }
    for event in rescore
        .decide(RiskCommand::Assess {
            assessment: assessment(4, 4, None),
            reason: "Worse".into(),
            review_by: Some(day(6, 1)),
        })
        .unwrap()
    {
        let position = log.0.len() as i64 + 1;
        log.0.push((
            recorded(position, 3, risk_id(2).0, event.clone()),
            DomainEvent::Risk(event),
        ));
    }
    log.risk(
        risk_id(3),
        vec![identify(3, "New", "", vec![], assessment(1, 2, None))],
    );
    let now = log.view(i64::MAX);
    let then = log.view(last_session);
    let agenda = risk_agenda(&now, Some(&then), day(3, 20));
    let reasons = |title: &str| {
        agenda
            .iter()
            .find(|a| a.title == title)
            .map(|a| a.reasons.clone())
            .unwrap_or_default()
    };
    assert!(matches!(
        reasons("Old, rescored").as_slice(),
        [
            RiskAgendaReason::AboveAppetite { .. },
            RiskAgendaReason::ScoreChanged { from: 6, to: 16 }
        ]
    ));
    assert_eq!(
        reasons("Old, quiet"),
        [RiskAgendaReason::Stale {
            review_by: day(3, 15)
        }]
    );
    assert!(reasons("New").contains(&RiskAgendaReason::New));
    assert_eq!(agenda[0].title, "Old, rescored", "highest score first");
    let first = risk_agenda(&now, None, day(3, 1));
    assert!(
        first
            .iter()
            .all(|a| a.reasons.contains(&RiskAgendaReason::New))
    );
}

#[test]
fn the_register_escalates_stale_risks_overdue_actions_and_a_score_crossing_the_appetite_once_each()
{
    use super::escalation::due_escalations;
    use crate::ids::ActionId;
    let mut log = Log(Vec::new());
    log.appetite(12, None);
    let reassess = |p, i| RiskCommand::Assess {
        assessment: assessment(p, i, None),
        reason: "Review".into(),
        review_by: Some(day(4, 30)),
    };
    // 9 → 16 (crossed) → 20 (still above: the same crossing) with an action due on 10 March.
    log.risk(
        risk_id(1),
        vec![
            identify(1, "Crossing", "", vec![], assessment(3, 3, None)),
            reassess(4, 4),
            reassess(4, 5),
            RiskCommand::AddAction {
                action_id: ActionId::from_uuid(Uuid::from_u128(77)),
                title: "Second source".into(),
                owner: "Ana".into(),
                due: day(3, 10),
            },
        ],
    );
    // Stale since 15 March, within appetite.
    log.risk(
        risk_id(2),
        vec![identify(2, "Quiet", "", vec![], assessment(2, 2, None))],
    );
    let raid = log.view(i64::MAX);
    let due = due_escalations(&raid, day(3, 20));
    let keys: Vec<(&str, &str)> = due
        .iter()
        .map(|d| {
            (
                d.label.as_str(),
                d.key.split(':').next().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            ("Crossing", "action-overdue"),
            ("Crossing", "above-appetite"),
            ("Quiet", "stale")
        ]
    );
    let crossing = due.iter().find(|d| d.key.starts_with("above")).unwrap();
    assert_eq!(
        crossing.key, "above-appetite:4",
        "the assessment that crossed, not the latest"
    );
    assert!(
        crossing
            .reason
            .contains("16 is above the program's appetite of 12")
    );
    assert_eq!(
        due_escalations(&raid, day(3, 20)),
        due,
        "the same keys on every check"
    );
    assert!(
        due_escalations(&raid, day(3, 1))
            .iter()
            .all(|d| d.key.starts_with("above"))
    );
}

#[test]
fn a_group_whose_combined_exposure_crosses_the_appetite_is_escalated_once_per_crossing() {
    use super::escalation::due_escalations;
    let mut log = Log(Vec::new());
    log.appetite(25, Some(10));
    let small = |n: u128, p: u8| {
        vec![identify(
            n,
            &format!("Vendor risk {n}"),
            "Vendor capacity",
            vec![project(n)],
            assessment(p, 2, Some(8)),
        )]
    };
    // 4 + 4 expected days: within the 10-day appetite together.
    log.risk(risk_id(1), small(1, 3));
    log.risk(risk_id(2), small(2, 3));
    let group_keys = |raid: &RaidView| -> Vec<String> {
        due_escalations(raid, day(3, 1))
            .into_iter()
            .filter(|d| d.group)
            .map(|d| d.key)
            .collect()
    };
    assert!(group_keys(&log.view(i64::MAX)).is_empty());
    // A third small risk of the same cause, assessed at position 7 (each is identified, then
    // assessed), takes them to 12: one program risk.
    log.risk(risk_id(3), small(3, 3));
    let raid = log.view(i64::MAX);
    let keys = group_keys(&raid);
    assert_eq!(keys, ["group-above-appetite:cause:vendor capacity:7"]);
    let due = due_escalations(&raid, day(3, 1));
    let group = due.iter().find(|d| d.group).unwrap();
    assert_eq!(group.label, "3 risks caused by “Vendor capacity”");
    assert!(
        group.reason.contains("12 expected days"),
        "{}",
        group.reason
    );
    // Reassessing a member while the group stays above is the same crossing.
    log.risk(
        risk_id(4),
        vec![identify(
            4,
            "Another vendor risk",
            "Vendor capacity",
            vec![],
            assessment(1, 1, None),
        )],
    );
    assert_eq!(group_keys(&log.view(i64::MAX)), keys);
    // The category (all "Vendor") groups the same risks, so it says nothing more.
    assert_eq!(group_keys(&log.view(i64::MAX)).len(), 1);
    // As of before the crossing, nothing was due.
    assert!(group_keys(&log.view(6)).is_empty());
    // A wider appetite takes the group back within it; narrowing it again is a new crossing,
    // named by the appetite's event.
    log.appetite(25, Some(30));
    assert!(group_keys(&log.view(i64::MAX)).is_empty());
    let narrowed = log.appetite(25, Some(10));
    assert_eq!(
        group_keys(&log.view(i64::MAX)),
        [format!(
            "group-above-appetite:cause:vendor capacity:{narrowed}"
        )]
    );
}

mod totality {
    //! Whatever the RAID streams hold — dates at the calendar's ends, impacts and amounts at
    //! their limits, ids that name nothing, events for items never created — the fold, the
    //! register on any day, the groups, the exposure and the words answer without panicking.

    use super::*;
    use crate::describe::describe;
    use crate::money::{Currency, MINOR_MAX, Money};
    use crate::raid::risk::RiskEvent;
    use proptest::prelude::*;

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        prop_oneof![
            Just(NaiveDate::MIN),
            Just(NaiveDate::MAX),
            (-3000_i64..3000).prop_map(|d| crate::date::add_days(day(3, 1), d)),
        ]
    }

    fn any_assessment() -> impl Strategy<Value = Assessment> {
        (
            1u8..=5,
            1u8..=5,
            proptest::option::of(any::<u16>()),
            proptest::option::of(-MINOR_MAX..=MINOR_MAX),
        )
            .prop_map(|(p, i, days, cost)| Assessment {
                probability: Rating::new(p).unwrap(),
                impact: Rating::new(i).unwrap(),
                schedule_days: days,
                cost: cost.and_then(|c| Money::new(c, Currency::parse("EUR").unwrap())),
            })
    }

    fn any_event() -> impl Strategy<Value = RiskEvent> {
        let id = (0u128..4).prop_map(risk_id);
        prop_oneof![
            (
                id.clone(),
                ".{0,20}",
                proptest::option::of(any_date()),
                0u128..4
            )
                .prop_map(|(risk_id, text, proximity, m)| RiskEvent::RiskIdentified {
                    risk_id,
                    program_id: program(),
                    details: RiskDetails {
                        title: text.clone(),
                        cause: text.clone(),
                        category: text,
                        links: vec![RaidLink::Milestone(milestone(m))],
                        proximity,
                        ..Default::default()
                    },
                }),
            (
                id.clone(),
                any_assessment(),
                proptest::option::of(any_date())
            )
                .prop_map(|(risk_id, assessment, review_by)| RiskEvent::RiskAssessed {
                    risk_id,
                    program_id: program(),
                    assessment,
                    reason: String::new(),
                    review_by,
                }),
            (id.clone(), any_assessment()).prop_map(|(risk_id, assessment)| {
                RiskEvent::RiskResidualAssessed {
                    risk_id,
                    program_id: program(),
                    assessment,
                    reason: String::new(),
                }
            }),
            id.prop_map(|risk_id| RiskEvent::RiskClosed {
                risk_id,
                program_id: program(),
                reason: String::new(),
                without_treatment: true,
            }),
        ]
    }

    /// Milestones at the calendar's ends, each feeding the next.
    fn extreme_program() -> ProgramView {
        let mut view = ProgramView::new(program());
        let at = Utc.timestamp_opt(0, 0).unwrap();
        for (n, date) in [
            (0, NaiveDate::MAX),
            (1, NaiveDate::MIN),
            (2, day(3, 1)),
            (3, NaiveDate::MAX),
        ] {
            view.milestones.push(MilestoneView {
                milestone_id: milestone(n),
                project_id: project(1),
                name: String::new(),
                kind: MilestoneKind::Milestone,
                owner: String::new(),
                planned: date,
                planned_start: None,
                forecast: date,
                forecast_start: None,
                baseline: None,
                actual: None,
                version: 1,
                percent_complete: 0,
                actual_start: None,
                external_ref: None,
            });
        }
        for n in 0..3 {
            view.dependencies.push(DependencyView {
                dependency_id: DependencyId::from_uuid(Uuid::from_u128(600 + n)),
                provider: milestone(n),
                provider_project: project(1),
                consumer: milestone(n + 1),
                consumer_project: project(1),
                kind: DependencyType::FinishToStart,
                lag_days: i32::MAX,
                need_by: Some(NaiveDate::MIN),
                provider_owner: String::new(),
                consumer_owner: String::new(),
                description: String::new(),
                state: DependencyState::Agreed,
                proposed_at: at,
                closed_reason: None,
                version: 1,
            });
        }
        view
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn the_register_and_exposure_are_total(
            events in proptest::collection::vec(any_event(), 0..30),
            today in any_date(),
        ) {
            let mut view = RaidView::new(program());
            for (i, event) in events.into_iter().enumerate() {
                let r = recorded(i as i64 + 1, i as i64 + 1, event.risk_id().0, event.clone());
                let _ = describe(&DomainEvent::Risk(event.clone()));
                view.apply(&r, &DomainEvent::Risk(event));
            }
            let register = view.register(today, &RaidFilter::default());
            prop_assert_eq!(register.heatmap.inherent.len(), 25);
            let program = extreme_program();
            let _ = exposure(&view, &program);
            let _ = super::super::suggestions::suggestions(&program, &program.analyse(today), &view);
            let _ = super::super::escalation::due_escalations(&view, today);
            let _ = super::super::agenda::risk_agenda(&view, Some(&view), today);
        }
    }
}
