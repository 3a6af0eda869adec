//! Review sessions: a forum's meeting, with an agenda assembled from the log — the decisions
//! awaiting the forum, open escalations, milestones that slipped and dependencies at risk, and
//! what changed in the program since the forum last met (a diff of the program view between the
//! two moments) — then attendance, minutes and actions, each recorded as an event. The agenda is
//! kept in the session's first event, so the minutes always sit next to what was on the table.

use super::charter::Person;
use super::view::GovernanceView;
use crate::analysis::{DependencyStatus, ScheduleAnalysis};
use crate::dependency::DependencyState;
use crate::error::{DomainError, NAME_MAX, PERSON_MAX, TEXT_MAX, Validator};
use crate::event::AggregateEvent;
use crate::ids::{
    ActionId, DecisionId, DependencyId, EscalationId, ForumId, MilestoneId, ProgramId, SessionId,
};
use crate::view::ProgramView;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaDecision {
    pub decision_id: DecisionId,
    pub question: String,
    /// Days since it was raised.
    pub waiting_days: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaEscalation {
    pub escalation_id: EscalationId,
    pub subject: String,
    /// Where it sits on the escalation path.
    pub level: String,
    pub overdue: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlippedMilestone {
    pub milestone_id: MilestoneId,
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TroubledDependency {
    pub dependency_id: DependencyId,
    /// "Provider → consumer".
    pub label: String,
    pub status: DependencyStatus,
    pub gap_days: i64,
}

/// What a session has on its table, assembled from the log when it opens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agenda {
    /// Open decisions the forum holds, longest waiting first.
    pub decisions: Vec<AgendaDecision>,
    pub escalations: Vec<AgendaEscalation>,
    /// Milestones whose forecast moved later since the forum last met.
    pub slipped: Vec<SlippedMilestone>,
    /// Dependencies late or at risk, on the session's day.
    pub dependencies: Vec<TroubledDependency>,
    /// What changed in the program since the forum last met, one sentence each.
    pub changes: Vec<String>,
    /// Risks above appetite, new since the forum last met, stale, or whose score moved (absent
    /// from agendas assembled before the RAID register existed).
    #[serde(default)]
    pub risks: Vec<crate::raid::agenda::AgendaRisk>,
    /// The log position of the forum's previous session (absent: its first session, so the
    /// changes are counted from the program's start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_position: Option<i64>,
    /// The log position the agenda was assembled at.
    pub position: i64,
}

/// What changed in a program between two of its views, in a program manager's words.
pub fn program_changes(before: &ProgramView, after: &ProgramView) -> Vec<String> {
    let mut changes = Vec::new();
    if before.name != after.name && before.exists() {
        changes.push(format!(
            "Renamed from “{}” to “{}”",
            before.name, after.name
        ));
    }
    if before.phase != after.phase
        && let Some(phase) = after.phase
    {
        changes.push(format!("Moved into {}", phase.label()));
    }
    for p in &after.projects {
        match before.project(p.project_id) {
            None => changes.push(format!("Project “{}” added", p.name)),
            Some(old) => {
                let rag = |v: &crate::view::ProjectView| v.status.as_ref().map(|s| s.rag);
                if rag(old) != rag(p)
                    && let Some(now) = rag(p)
                {
                    let was =
                        rag(old).map_or("not reported".to_string(), |r| r.label().to_string());
                    changes.push(format!("“{}” went from {was} to {}", p.name, now.label()));
                }
            }
        }
    }
    for m in &after.milestones {
        match before.milestone(m.milestone_id) {
            None => changes.push(format!(
                "Milestone “{}” added, planned for {}",
                m.name, m.planned
            )),
            Some(old) => {
                if old.actual.is_none() && m.actual.is_some() {
                    changes.push(format!("“{}” met", m.name));
                } else if old.forecast != m.forecast {
                    let days = (m.forecast - old.forecast).num_days();
                    let which = if days > 0 { "later" } else { "earlier" };
                    changes.push(format!(
                        "“{}” forecast moved {} days {which}, to {}",
                        m.name,
                        days.abs(),
                        m.forecast
                    ));
                }
                if old.baseline != m.baseline
                    && let (Some(from), Some(to)) = (old.baseline, m.baseline)
                {
                    changes.push(format!("“{}” re-baselined from {from} to {to}", m.name));
                }
            }
        }
    }
    let name = |v: &ProgramView, id: MilestoneId| {
        v.milestone(id)
            .map_or_else(|| "?".to_string(), |m| m.name.clone())
    };
    for d in &after.dependencies {
        let label = format!("{} → {}", name(after, d.provider), name(after, d.consumer));
        match before.dependency(d.dependency_id) {
            None => changes.push(format!("Dependency {label} proposed")),
            Some(old) if old.state != d.state => {
                let state = match d.state {
                    DependencyState::Proposed => "proposed",
                    DependencyState::Agreed => "agreed",
                    DependencyState::Broken => "broken",
                    DependencyState::Cancelled => "cancelled",
                };
                changes.push(format!("Dependency {label} {state}"));
            }
            Some(old) if old.need_by != d.need_by => {
                changes.push(format!("Dependency {label}: need-by date changed"));
            }
            Some(_) => {}
        }
    }
    for item in &after.scope {
        match before
            .scope
            .iter()
            .find(|s| s.scope_item_id == item.scope_item_id)
        {
            None => changes.push(format!(
                "Scope: “{}” recorded as {}",
                item.title,
                if item.in_scope { "in" } else { "out" }
            )),
            Some(old) if old.in_scope != item.in_scope => changes.push(format!(
                "Scope: “{}” moved {}",
                item.title,
                if item.in_scope { "in" } else { "out" }
            )),
            Some(_) => {}
        }
    }
    changes
}

/// The agenda of a session of `forum_id`, from the program as it is (`now`, judged by `analysis`),
/// as it was at the forum's previous session (`then`, absent for its first), and its governance.
pub fn assemble_agenda(
    forum_id: ForumId,
    governance: &GovernanceView,
    now: &ProgramView,
    then: Option<(&ProgramView, i64)>,
    analysis: &ScheduleAnalysis,
    now_instant: chrono::DateTime<chrono::Utc>,
) -> Agenda {
    let mut decisions: Vec<AgendaDecision> = governance
        .decisions
        .iter()
        .filter(|d| d.is_open() && d.forum_id == Some(forum_id))
        .map(|d| AgendaDecision {
            decision_id: d.decision_id,
            question: d.question.clone(),
            waiting_days: (now_instant - d.raised_at).num_days(),
        })
        .collect();
    decisions.sort_by_key(|d| std::cmp::Reverse(d.waiting_days));
    let escalations = governance
        .escalations
        .iter()
        .filter(|e| e.resolution.is_none())
        .map(|e| AgendaEscalation {
            escalation_id: e.escalation_id,
            subject: e.subject_label.clone(),
            level: e
                .levels
                .get(e.level)
                .map_or_else(String::new, |l| l.title.clone()),
            overdue: now_instant > e.due_at,
        })
        .collect();
    let empty = ProgramView::new(now.program_id);
    let before = then.map_or(&empty, |(v, _)| v);
    let slipped = now
        .milestones
        .iter()
        .filter_map(|m| {
            let old = before.milestone(m.milestone_id)?;
            (m.forecast > old.forecast && m.actual.is_none()).then(|| SlippedMilestone {
                milestone_id: m.milestone_id,
                name: m.name.clone(),
                from: old.forecast,
                to: m.forecast,
            })
        })
        .collect();
    let dependencies = analysis
        .dependencies
        .iter()
        .filter(|h| matches!(h.status, DependencyStatus::Late | DependencyStatus::AtRisk))
        .filter_map(|h| {
            let d = now.dependency(h.dependency_id)?;
            let name = |id| now.milestone(id).map_or("?", |m| m.name.as_str());
            Some(TroubledDependency {
                dependency_id: h.dependency_id,
                label: format!("{} → {}", name(d.provider), name(d.consumer)),
                status: h.status,
                gap_days: h.gap_days,
            })
        })
        .collect();
    Agenda {
        decisions,
        escalations,
        slipped,
        dependencies,
        changes: program_changes(before, now),
        // Filled in by the caller from the RAID register, which this function does not see.
        risks: Vec::new(),
        since_position: then.map(|(_, p)| p),
        position: now.position.max(governance.position),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    Done,
    Dropped,
}

/// Facts about a review session. Wire names are the variant names and never change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionEvent {
    SessionOpened {
        session_id: SessionId,
        program_id: ProgramId,
        forum_id: ForumId,
        date: NaiveDate,
        agenda: Agenda,
    },
    AttendanceRecorded {
        session_id: SessionId,
        program_id: ProgramId,
        present: Vec<Person>,
        #[serde(default)]
        apologies: Vec<Person>,
    },
    MinutesRecorded {
        session_id: SessionId,
        program_id: ProgramId,
        minutes: String,
    },
    ActionRecorded {
        session_id: SessionId,
        program_id: ProgramId,
        action_id: ActionId,
        title: String,
        owner: String,
        due: NaiveDate,
    },
    ActionStatusChanged {
        session_id: SessionId,
        program_id: ProgramId,
        action_id: ActionId,
        status: ActionStatus,
        #[serde(default)]
        note: String,
    },
    SessionClosed {
        session_id: SessionId,
        program_id: ProgramId,
    },
}

impl AggregateEvent for SessionEvent {
    const STREAM_TYPE: &'static str = "review_session";

    fn current_schema_version(_event_type: &str) -> i32 {
        1
    }

    fn program_id(&self) -> Option<ProgramId> {
        Some(match self {
            SessionEvent::SessionOpened { program_id, .. }
            | SessionEvent::AttendanceRecorded { program_id, .. }
            | SessionEvent::MinutesRecorded { program_id, .. }
            | SessionEvent::ActionRecorded { program_id, .. }
            | SessionEvent::ActionStatusChanged { program_id, .. }
            | SessionEvent::SessionClosed { program_id, .. } => *program_id,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewSession {
    pub id: Option<SessionId>,
    pub program_id: Option<ProgramId>,
    pub forum_id: Option<ForumId>,
    pub actions: Vec<(ActionId, ActionStatus)>,
    pub closed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionCommand {
    Open {
        session_id: SessionId,
        program_id: ProgramId,
        forum_id: ForumId,
        date: NaiveDate,
        agenda: Agenda,
    },
    /// Attendance: everyone named must sit on the forum (checked by the caller, who names them).
    RecordAttendance {
        present: Vec<Person>,
        apologies: Vec<Person>,
    },
    RecordMinutes {
        minutes: String,
    },
    RecordAction {
        action_id: ActionId,
        title: String,
        owner: String,
        due: NaiveDate,
    },
    ChangeAction {
        action_id: ActionId,
        status: ActionStatus,
        note: String,
    },
    Close,
}

impl ReviewSession {
    pub fn apply(&mut self, event: &SessionEvent) {
        match event {
            SessionEvent::SessionOpened {
                session_id,
                program_id,
                forum_id,
                ..
            } => {
                self.id = Some(*session_id);
                self.program_id = Some(*program_id);
                self.forum_id = Some(*forum_id);
            }
            SessionEvent::ActionRecorded { action_id, .. } => {
                self.actions.push((*action_id, ActionStatus::Open))
            }
            SessionEvent::ActionStatusChanged {
                action_id, status, ..
            } => {
                if let Some(a) = self.actions.iter_mut().find(|(id, _)| id == action_id) {
                    a.1 = *status;
                }
            }
            SessionEvent::SessionClosed { .. } => self.closed = true,
            SessionEvent::AttendanceRecorded { .. } | SessionEvent::MinutesRecorded { .. } => {}
        }
    }

    pub fn decide(&self, command: SessionCommand) -> Result<Vec<SessionEvent>, DomainError> {
        if let SessionCommand::Open {
            session_id,
            program_id,
            forum_id,
            date,
            agenda,
        } = command
        {
            if self.id.is_some() {
                return Err(DomainError::AlreadyExists(format!("session {session_id}")));
            }
            let mut v = Validator::new();
            v.date("date", date);
            v.finish()?;
            return Ok(vec![SessionEvent::SessionOpened {
                session_id,
                program_id,
                forum_id,
                date,
                agenda,
            }]);
        }
        let (Some(session_id), Some(program_id)) = (self.id, self.program_id) else {
            return Err(DomainError::NotFound("session".into()));
        };
        // Actions outlive the meeting: their status can change after it closed.
        if self.closed && !matches!(command, SessionCommand::ChangeAction { .. }) {
            return Err(DomainError::NothingToChange(
                "the session is closed; only its actions' status can still change".into(),
            ));
        }
        let mut v = Validator::new();
        let event = match command {
            SessionCommand::Open { .. } => {
                return Err(DomainError::AlreadyExists(format!("session {session_id}")));
            }
            SessionCommand::RecordAttendance { present, apologies } => {
                if present.is_empty() {
                    v.push("present", "name at least one person present");
                }
                SessionEvent::AttendanceRecorded {
                    session_id,
                    program_id,
                    present,
                    apologies,
                }
            }
            SessionCommand::RecordMinutes { minutes } => SessionEvent::MinutesRecorded {
                session_id,
                program_id,
                minutes: v.required_text("minutes", &minutes, TEXT_MAX * 4),
            },
            SessionCommand::RecordAction {
                action_id,
                title,
                owner,
                due,
            } => SessionEvent::ActionRecorded {
                session_id,
                program_id,
                action_id,
                title: v.required_text("title", &title, NAME_MAX),
                owner: v.required_text("owner", &owner, PERSON_MAX),
                due: {
                    v.date("due", due);
                    due
                },
            },
            SessionCommand::ChangeAction {
                action_id,
                status,
                note,
            } => {
                match self.actions.iter().find(|(id, _)| *id == action_id) {
                    None => return Err(DomainError::NotFound(format!("action {action_id}"))),
                    Some((_, current)) if *current == status => {
                        return Err(DomainError::NothingToChange(
                            format!("the action is already {status:?}").to_lowercase(),
                        ));
                    }
                    Some(_) => {}
                }
                SessionEvent::ActionStatusChanged {
                    session_id,
                    program_id,
                    action_id,
                    status,
                    note: v.optional_text("note", &note, TEXT_MAX),
                }
            }
            SessionCommand::Close => SessionEvent::SessionClosed {
                session_id,
                program_id,
            },
        };
        v.finish()?;
        Ok(vec![event])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::given::Given;
    use crate::event::{DomainEvent, recorded};
    use crate::milestone::{MilestoneEvent, MilestoneKind};
    use crate::program::ProgramEvent;
    use crate::project::ProjectEvent;
    use uuid::Uuid;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).unwrap()
    }

    fn noon() -> chrono::DateTime<chrono::Utc> {
        day(2, 1).and_hms_opt(12, 0, 0).unwrap().and_utc()
    }

    /// A program with one project and one milestone, then the milestone slipping: the views before
    /// and after the slip.
    fn before_and_after() -> (ProgramView, ProgramView, MilestoneId) {
        let program_id = ProgramId::from_uuid(Uuid::from_u128(1));
        let project_id = crate::ProjectId::from_uuid(Uuid::from_u128(2));
        let milestone_id = MilestoneId::from_uuid(Uuid::from_u128(3));
        let mut view = ProgramView::new(program_id);
        let fold = |view: &mut ProgramView, position: i64, event: DomainEvent, stream: u128| {
            let r = match &event {
                DomainEvent::Program(e) => {
                    recorded(position, position, Uuid::from_u128(stream), e.clone())
                }
                DomainEvent::Project(e) => {
                    recorded(position, position, Uuid::from_u128(stream), e.clone())
                }
                DomainEvent::Milestone(e) => {
                    recorded(position, position, Uuid::from_u128(stream), e.clone())
                }
                _ => unreachable!(),
            };
            view.apply(&r, &event);
        };
        fold(
            &mut view,
            1,
            DomainEvent::Program(ProgramEvent::ProgramCreated {
                program_id,
                name: "Payments".into(),
                description: String::new(),
                sponsor: "CFO".into(),
                objectives: vec![],
            }),
            1,
        );
        fold(
            &mut view,
            2,
            DomainEvent::Project(ProjectEvent::ProjectAdded {
                project_id,
                program_id,
                name: "Ledger".into(),
                manager: "Lee".into(),
                objectives: vec![],
            }),
            2,
        );
        fold(
            &mut view,
            3,
            DomainEvent::Milestone(MilestoneEvent::MilestoneAdded {
                milestone_id,
                program_id,
                project_id,
                name: "Ledger live".into(),
                kind: MilestoneKind::Milestone,
                owner: "Lee".into(),
                planned_start: None,
                planned: day(3, 1),
                external_ref: None,
            }),
            3,
        );
        let before = view.clone();
        fold(
            &mut view,
            4,
            DomainEvent::Milestone(MilestoneEvent::MilestoneForecastChanged {
                milestone_id,
                program_id,
                project_id,
                from: day(3, 1),
                to: day(3, 15),
                start: None,
            }),
            3,
        );
        (before, view, milestone_id)
    }

    #[test]
    fn the_agenda_names_what_slipped_and_what_changed_since_the_last_session() {
        let (before, after, milestone_id) = before_and_after();
        let governance = GovernanceView::new(after.program_id);
        let analysis = after.analyse(day(2, 1));
        let agenda = assemble_agenda(
            ForumId::from_uuid(Uuid::from_u128(9)),
            &governance,
            &after,
            Some((&before, 3)),
            &analysis,
            noon(),
        );
        assert_eq!(agenda.slipped.len(), 1);
        assert_eq!(agenda.slipped[0].milestone_id, milestone_id);
        assert_eq!(
            (agenda.slipped[0].from, agenda.slipped[0].to),
            (day(3, 1), day(3, 15))
        );
        assert_eq!(
            agenda.changes,
            ["“Ledger live” forecast moved 14 days later, to 2027-03-15"]
        );
        assert_eq!(agenda.since_position, Some(3));
        // A forum's first session counts everything from the program's start.
        let first = assemble_agenda(
            ForumId::from_uuid(Uuid::from_u128(9)),
            &governance,
            &after,
            None,
            &analysis,
            noon(),
        );
        assert!(
            first.slipped.is_empty(),
            "nothing to compare a first forecast with"
        );
        assert_eq!(
            first.changes,
            [
                "Project “Ledger” added",
                "Milestone “Ledger live” added, planned for 2027-03-01"
            ]
        );
    }

    fn open() -> SessionCommand {
        SessionCommand::Open {
            session_id: SessionId::from_uuid(Uuid::from_u128(5)),
            program_id: ProgramId::from_uuid(Uuid::from_u128(1)),
            forum_id: ForumId::from_uuid(Uuid::from_u128(9)),
            date: day(2, 1),
            agenda: Agenda {
                decisions: vec![],
                escalations: vec![],
                slipped: vec![],
                dependencies: vec![],
                changes: vec![],
                risks: vec![],
                since_position: None,
                position: 1,
            },
        }
    }

    #[test]
    fn minutes_and_actions_are_recorded_and_actions_outlive_the_closed_session() {
        let action_id = ActionId::from_uuid(Uuid::from_u128(7));
        let action = SessionCommand::RecordAction {
            action_id,
            title: "Book the QSA re-test".into(),
            owner: "Lee Chen".into(),
            due: day(2, 15),
        };
        let s = Given::<ReviewSession>::decided(vec![open(), action, SessionCommand::Close]);
        s.when(SessionCommand::RecordMinutes {
            minutes: "Late note".into(),
        })
        .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
        let done = SessionCommand::ChangeAction {
            action_id,
            status: ActionStatus::Done,
            note: "Booked for 20 April".into(),
        };
        assert!(matches!(
            s.when(done.clone()).events()[0],
            SessionEvent::ActionStatusChanged {
                status: ActionStatus::Done,
                ..
            }
        ));
        let s = Given::<ReviewSession>::decided(vec![
            open(),
            SessionCommand::RecordAction {
                action_id,
                title: "Book the QSA re-test".into(),
                owner: "Lee Chen".into(),
                due: day(2, 15),
            },
            done.clone(),
        ]);
        s.when(done)
            .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
        Given::<ReviewSession>::decided(vec![open()])
            .when(SessionCommand::RecordAttendance {
                present: vec![],
                apologies: vec![],
            })
            .then_error_matches(|e| matches!(e, DomainError::Invalid(_)));
    }
}
