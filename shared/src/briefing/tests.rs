use super::*;
use crate::aggregate::given::Given;
use crate::changes::{Moment, changes};
use crate::dependency::DependencyState;
use crate::governance::view::GovernanceView;
use crate::ids::{DependencyId, MilestoneId, ProjectId};
use crate::milestone::MilestoneKind;
use crate::rag::Rag;
use crate::raid::view::RaidView;
use crate::schedule::DependencyType;
use crate::view::{DependencyView, MilestoneView, ProgramView, ProjectView, StatusReport};
use chrono::{TimeZone, Utc};

fn program() -> ProgramId {
    ProgramId::from_uuid(Uuid::from_u128(1))
}

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, m, day).unwrap()
}

fn document(as_of: i64) -> BriefingDocument {
    BriefingDocument {
        program_id: program(),
        program_name: "Payments".into(),
        sponsor: "CFO".into(),
        as_of,
        as_of_day: d(3, 1),
        since: 0,
        since_day: d(1, 1),
        follows: None,
        overall: Some(Rag::Amber),
        sections: Vec::new(),
        timeline: Vec::new(),
    }
}

fn publish(as_of: i64, hash: char) -> BriefingCommand {
    BriefingCommand::Publish {
        program_id: program(),
        content: Box::new(BriefingContent {
            document: document(as_of),
            narrative: "On track apart from the vendor.".into(),
            highlights: vec!["HSM delivery is the risk to watch".into()],
        }),
        content_hash: hash.to_string().repeat(64),
    }
}

#[test]
fn briefings_are_numbered_in_order_and_never_go_back_in_time() {
    let given = Given::<Briefings>::decided(vec![publish(10, 'a')]);
    let events = given.when(publish(20, 'b')).events();
    assert!(matches!(
        events.as_slice(),
        [BriefingEvent::BriefingPublished { number: 2, .. }]
    ));
    let fields = given.when(publish(9, 'c')).then_invalid();
    assert!(fields.iter().any(|f| f.field == "as_of"), "{fields:?}");
    given.when(publish(10, 'a')).then_error_matches(
        |e| matches!(e, DomainError::NothingToChange(m) if m.contains("briefing 1")),
    );
}

#[test]
fn a_briefing_needs_a_narrative_bounded_highlights_and_a_sha256() {
    let given = Given::<Briefings>::events(&[]);
    let mut bad = publish(1, 'A');
    if let BriefingCommand::Publish { content, .. } = &mut bad {
        content.narrative = "  ".into();
        content.highlights = vec!["x".into(); HIGHLIGHTS_MAX + 1];
        content.document.program_id = ProgramId::from_uuid(Uuid::from_u128(9));
    }
    let fields: Vec<String> = given
        .when(bad)
        .then_invalid()
        .into_iter()
        .map(|f| f.field)
        .collect();
    for field in ["narrative", "highlights", "content_hash", "document"] {
        assert!(fields.iter().any(|f| f == field), "{field} in {fields:?}");
    }
}

#[test]
fn the_cadence_is_weekly_until_set_and_bounded() {
    let given = Given::<Briefings>::events(&[]);
    let set = |every_days| BriefingCommand::SetCadence {
        program_id: program(),
        every_days,
    };
    given.when(set(0)).then_invalid();
    given.when(set(CADENCE_DAYS_MAX + 1)).then_invalid();
    let after = given.when(set(14)).state_after();
    after
        .when(set(14))
        .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
    let mut log = BriefingLog::default();
    assert_eq!(log.due(Some(d(1, 1))), Some(d(1, 8)));
    log.cadence_days = 14;
    assert_eq!(log.due(Some(d(1, 1))), Some(d(1, 15)));
    assert_eq!(BriefingLog::default().due(None), None);
}

fn milestone(n: u128, project: ProjectId, name: &str, forecast: NaiveDate) -> MilestoneView {
    MilestoneView {
        milestone_id: MilestoneId::from_uuid(Uuid::from_u128(n)),
        project_id: project,
        name: name.into(),
        kind: MilestoneKind::Milestone,
        owner: "Owner".into(),
        planned: forecast,
        planned_start: None,
        forecast,
        forecast_start: None,
        baseline: Some(forecast),
        actual: None,
        percent_complete: 0,
        actual_start: None,
        version: 1,
        external_ref: None,
    }
}

fn project(n: u128, name: &str, rag: Option<Rag>) -> ProjectView {
    ProjectView {
        project_id: ProjectId::from_uuid(Uuid::from_u128(n)),
        name: name.into(),
        manager: "PM".into(),
        version: 1,
        status: rag.map(|rag| StatusReport {
            rag,
            narrative: "Vendor late with the HSM".into(),
            reported_at: Utc.with_ymd_and_hms(2027, 2, 20, 9, 0, 0).unwrap(),
            reported_by: "ana".into(),
        }),
        previous_rag: Some(Rag::Green),
        added_at: Utc.with_ymd_and_hms(2027, 1, 1, 9, 0, 0).unwrap(),
        objectives: Vec::new(),
        stage: Default::default(),
        stage_reason: None,
    }
}

/// Two projects, the provider's milestone slipped past what the consumer needs.
fn views() -> (ProgramView, ProgramView) {
    let mut before = ProgramView::new(program());
    before.name = "Payments".into();
    before.created_at = Some(Utc.with_ymd_and_hms(2027, 1, 1, 9, 0, 0).unwrap());
    let (core, cards) = (
        project(10, "Core", Some(Rag::Green)),
        project(11, "Cards", None),
    );
    let (pc, cc) = (core.project_id, cards.project_id);
    before.projects = vec![core, cards];
    before.milestones = vec![
        milestone(20, pc, "HSM installed", d(3, 10)),
        milestone(21, cc, "Cards live", d(3, 20)),
    ];
    before.dependencies = vec![DependencyView {
        dependency_id: DependencyId::from_uuid(Uuid::from_u128(30)),
        provider: MilestoneId::from_uuid(Uuid::from_u128(20)),
        provider_project: pc,
        consumer: MilestoneId::from_uuid(Uuid::from_u128(21)),
        consumer_project: cc,
        kind: DependencyType::FinishToStart,
        lag_days: 0,
        need_by: Some(d(3, 15)),
        provider_owner: "a".into(),
        consumer_owner: "b".into(),
        description: String::new(),
        state: DependencyState::Agreed,
        proposed_at: Utc.with_ymd_and_hms(2027, 1, 2, 9, 0, 0).unwrap(),
        closed_reason: None,
        version: 1,
    }];
    before.position = 5;
    let mut after = before.clone();
    after.projects[0] = project(10, "Core", Some(Rag::Red));
    after.milestones[0].forecast = d(3, 25);
    after.position = 9;
    (before, after)
}

#[test]
fn a_briefing_says_why_the_program_is_red_and_each_sentence_names_its_events() {
    let (before, after) = views();
    let (gov, raid) = (GovernanceView::new(program()), RaidView::new(program()));
    let moment = |position, program| Moment {
        position,
        day: d(3, 1),
        program: Some(program),
        governance: &gov,
        raid: &raid,
    };
    let diff = changes(&moment(5, &before), &moment(9, &after));
    let mut evidence = Evidence::default();
    for (item, position) in [(10, 3), (20, 4), (30, 5), (10, 7), (20, 8)] {
        evidence.record(Uuid::from_u128(item), position, 5);
    }
    let doc = generate(&BriefingInputs {
        view: &after,
        governance: &gov,
        raid: &raid,
        as_of: 9,
        day: d(3, 1),
        since: 5,
        since_day: d(2, 22),
        follows: Some(1),
        changes: &diff,
        evidence: &evidence,
    });
    assert_eq!(doc.overall, Some(Rag::Red));
    let health = &doc.sections[0];
    assert_eq!(health.key, SectionKey::Health);
    let first = &health.facts[0];
    assert!(
        first
            .text
            .starts_with("Overall Red: 1 project reports Red (Core)")
            && first.text.contains("1 dependency in trouble (1 at risk)"),
        "{}",
        first.text
    );
    assert_eq!(
        first.evidence,
        vec![5, 7],
        "Core's report since, and the dependency's latest event"
    );
    let core = health
        .facts
        .iter()
        .find(|f| f.text.starts_with("Core is Red (was Green)"));
    assert_eq!(core.map(|f| f.evidence.clone()), Some(vec![7]));
    let milestones = doc
        .sections
        .iter()
        .find(|s| s.key == SectionKey::Milestones)
        .unwrap();
    let slip = milestones
        .facts
        .iter()
        .find(|f| {
            f.text
                .starts_with("HSM installed (Core) slipped 15 days: 10 Mar 2027 → 25 Mar 2027")
        })
        .unwrap_or_else(|| panic!("{milestones:?}"));
    assert_eq!(slip.evidence, vec![8], "its event since briefing 1");
    let deps = doc
        .sections
        .iter()
        .find(|s| s.key == SectionKey::Dependencies)
        .unwrap();
    assert!(
        deps.facts.iter().any(|f| f
            .text
            .contains("is at risk: needed by 15 Mar 2027, delivers 25 Mar 2027, 10 days late")
            && f.evidence == vec![5, 8]),
        "{deps:?}"
    );
    let changed = doc.sections.last().unwrap();
    assert_eq!(changed.title, "What changed since briefing 1");
    assert!(
        changed.facts[0].text.contains("1 milestone moved"),
        "{changed:?}"
    );
    assert_eq!(doc.timeline.len(), 2);
    assert_eq!(doc.timeline[0].milestones[0].was, Some(d(3, 10)));
}
