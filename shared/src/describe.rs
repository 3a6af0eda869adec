//! Human sentences for the audit trail: what changed, in a program manager's words.

use crate::dependency::{DependencyEvent, DependencyTerms};
use crate::event::DomainEvent;
use crate::governance::charter::CharterEvent;
use crate::governance::decision::{DecisionEvent, Vote};
use crate::governance::escalation::EscalationEvent;
use crate::governance::session::{ActionStatus, SessionEvent};
use crate::milestone::{MilestoneEvent, MilestoneKind};
use crate::program::ProgramEvent;
use crate::project::ProjectEvent;
use crate::user::UserEvent;

/// "FS", "SS +2d", "FF -1d".
fn terms(terms: &DependencyTerms) -> String {
    let kind = terms.kind.code();
    match terms.lag_days {
        0 => kind.to_string(),
        n if n > 0 => format!("{kind} +{n}d"),
        n => format!("{kind} {n}d"),
    }
}

pub fn describe(event: &DomainEvent) -> String {
    match event {
        DomainEvent::Charter(e) => describe_charter(e),
        DomainEvent::Decision(e) => describe_decision(e),
        DomainEvent::Escalation(e) => describe_escalation(e),
        DomainEvent::Session(e) => describe_session(e),
        DomainEvent::Risk(e) => crate::raid::describe::describe_risk(e),
        DomainEvent::Issue(e) => crate::raid::describe::describe_issue(e),
        DomainEvent::Assumption(e) => crate::raid::describe::describe_assumption(e),
        DomainEvent::RaidSettings(e) => crate::raid::describe::describe_settings(e),
        DomainEvent::Cascade(e) => crate::cascade::describe(e),
        DomainEvent::Briefing(e) => crate::briefing::describe(e),
        DomainEvent::Program(e) => match e {
            ProgramEvent::ProgramCreated {
                name,
                sponsor,
                objectives,
                ..
            } => {
                let n = objectives.len();
                let plural = if n == 1 { "" } else { "s" };
                format!(
                    "Created program “{name}” sponsored by {sponsor}, with {n} objective{plural}"
                )
            }
            ProgramEvent::ProgramRenamed { from, to, .. } => {
                format!("Renamed the program from “{from}” to “{to}”")
            }
            ProgramEvent::ProgramDescriptionChanged { .. } => {
                "Changed the program description".into()
            }
            ProgramEvent::ProgramSponsorChanged { from, to, .. } => {
                format!("Changed the sponsor from {from} to {to}")
            }
            ProgramEvent::ProgramRoleGranted {
                username,
                role,
                project_id,
                project_name,
                ..
            } => match project_id {
                Some(project) => {
                    let project = project_name.clone().unwrap_or_else(|| project.to_string());
                    format!("Made {username} {role} of {project}")
                }
                None => format!("Gave {username} the role {role}"),
            },
            ProgramEvent::ProgramRoleRevoked {
                username,
                role,
                project_id,
                project_name,
                ..
            } => match project_id {
                Some(project) => {
                    let project = project_name.clone().unwrap_or_else(|| project.to_string());
                    format!("Removed {username} as {role} of {project}")
                }
                None => format!("Took the role {role} from {username}"),
            },
            ProgramEvent::ProgramPhaseChanged { from, to, .. } => match from {
                Some(from) => format!("Moved the program from {} to {}", from.label(), to.label()),
                None => format!("Put the program in {}", to.label()),
            },
            ProgramEvent::ScopeItemRecorded {
                title,
                in_scope,
                rationale,
                ..
            } => format!(
                "Put “{title}” {} scope: {rationale}",
                if *in_scope { "in" } else { "out of" }
            ),
            ProgramEvent::ScopeItemRevised {
                in_scope,
                rationale,
                ..
            } => format!(
                "Moved a scope item {} scope: {rationale}",
                if *in_scope { "into" } else { "out of" }
            ),
            ProgramEvent::ObjectiveAdded { objective, .. } => {
                format!("Added the objective “{}”", objective.title)
            }
            ProgramEvent::ObjectiveRevised { from, to, .. } => format!(
                "Revised the objective “{}”: {}",
                from.title,
                crate::objective::revision_words(from, to)
            ),
            ProgramEvent::ObjectiveRetired { title, .. } => {
                format!("Retired the objective “{title}”")
            }
        },
        DomainEvent::Milestone(e) => match e {
            MilestoneEvent::MilestoneAdded {
                name,
                kind,
                planned,
                owner,
                ..
            } => {
                let kind = match kind {
                    MilestoneKind::Milestone => "milestone",
                    MilestoneKind::Deliverable => "deliverable",
                };
                format!("Added {kind} “{name}” planned for {planned}, owned by {owner}")
            }
            MilestoneEvent::MilestoneForecastChanged { from, to, .. } => {
                let days = (*to - *from).num_days();
                let direction = if days >= 0 { "later" } else { "earlier" };
                format!(
                    "Moved the forecast from {from} to {to} ({} days {direction})",
                    days.abs()
                )
            }
            MilestoneEvent::MilestoneBaselined { baseline, .. } => {
                format!("Baselined at {baseline}")
            }
            MilestoneEvent::MilestoneRebaselined { from, to, .. } => {
                format!("Re-baselined from {from} to {to}")
            }
            MilestoneEvent::MilestoneMet { actual, .. } => format!("Met on {actual}"),
            MilestoneEvent::MilestoneProgressReported {
                from,
                percent_complete,
                actual_start,
                ..
            } => {
                let started = actual_start
                    .map(|s| format!(", started {s}"))
                    .unwrap_or_default();
                format!("Progress reported: {from}% → {percent_complete}% complete{started}")
            }
            MilestoneEvent::MilestoneRenamed { from, to, .. } => {
                format!("Renamed from “{from}” to “{to}”")
            }
            MilestoneEvent::MilestoneOwnerChanged { from, to, .. } => {
                format!("Owner changed from {from} to {to}")
            }
            MilestoneEvent::MilestoneKindChanged { to, start, .. } => match (to, start) {
                (MilestoneKind::Deliverable, Some(start)) => {
                    format!("Became a deliverable starting {start}")
                }
                _ => "Became a milestone (a point in time)".to_string(),
            },
            MilestoneEvent::MilestoneMoved {
                from_project_name,
                project_name,
                ..
            } => format!("Moved from project “{from_project_name}” to “{project_name}”"),
            MilestoneEvent::MilestoneCancelled { .. } => {
                "Cancelled: no longer planned; its dependencies were let go".to_string()
            }
            MilestoneEvent::MilestoneRemoved { .. } => "Removed as entered by mistake".to_string(),
        },
        DomainEvent::Dependency(e) => match e {
            DependencyEvent::DependencyProposed {
                provider_name,
                consumer_name,
                kind,
                lag_days,
                need_by,
                ..
            } => {
                let terms = terms(&DependencyTerms {
                    kind: *kind,
                    lag_days: *lag_days,
                });
                let need_by = need_by
                    .map(|d| format!(", needed by {d}"))
                    .unwrap_or_default();
                format!(
                    "Proposed dependency: “{consumer_name}” needs “{provider_name}” ({terms}{need_by})"
                )
            }
            DependencyEvent::DependencyAgreed { dependency_id, .. } => {
                format!("Agreed dependency {dependency_id}")
            }
            DependencyEvent::DependencyNeedByChanged { from, to, .. } => {
                let show = |d: &Option<chrono::NaiveDate>| {
                    d.map_or("the consumer's forecast".to_string(), |d| d.to_string())
                };
                format!(
                    "Changed a dependency's need-by date from {} to {}",
                    show(from),
                    show(to)
                )
            }
            DependencyEvent::DependencyTermsChanged {
                dependency_id,
                from,
                to,
                ..
            } => format!(
                "Changed dependency {dependency_id} from {} to {}",
                terms(from),
                terms(to)
            ),
            DependencyEvent::DependencyBroken { dependency_id, .. } => {
                format!("Broke dependency {dependency_id}: the provider cannot deliver")
            }
            DependencyEvent::DependencyCancelled { dependency_id, .. } => {
                format!("Cancelled dependency {dependency_id}")
            }
        },
        DomainEvent::User(e) => match e {
            UserEvent::UserCreated {
                username,
                display_name,
                admin,
                ..
            } => {
                let kind = if *admin { "administrator" } else { "user" };
                format!("Created {kind} {username} ({display_name})")
            }
            UserEvent::UserDeactivated { username, .. } => format!("Deactivated {username}"),
            UserEvent::UserReactivated { username, .. } => format!("Reactivated {username}"),
            UserEvent::UserPasswordChanged { .. } => "Set a new password".into(),
            UserEvent::ApiTokenCreated { name, scope, .. } => {
                let scope = match scope {
                    crate::access::TokenScope::ReadOnly => "read-only",
                    crate::access::TokenScope::ReadWrite => "read-write",
                };
                format!("Created {scope} API token “{name}”")
            }
            UserEvent::ApiTokenRevoked { token_id, .. } => format!("Revoked API token {token_id}"),
        },
        DomainEvent::Project(e) => match e {
            ProjectEvent::ProjectAdded { name, manager, .. } => {
                format!("Added project “{name}” managed by {manager}")
            }
            ProjectEvent::ProjectStatusReported { rag, narrative, .. } => {
                format!("Reported status {rag}: {narrative}")
            }
            ProjectEvent::ProjectObjectivesChanged { objectives, .. } => {
                let n = objectives.len();
                format!(
                    "Now contributes to {n} objective{}",
                    if n == 1 { "" } else { "s" }
                )
            }
            ProjectEvent::ProjectRenamed { from, to, .. } => {
                format!("Renamed the project from “{from}” to “{to}”")
            }
            ProjectEvent::ProjectManagerChanged { from, to, .. } => {
                format!("Manager changed from {from} to {to}")
            }
            ProjectEvent::ProjectPaused { .. } => "Paused the project".to_string(),
            ProjectEvent::ProjectResumed { .. } => "Resumed the project".to_string(),
            ProjectEvent::ProjectClosed { .. } => "Closed the project".to_string(),
        },
    }
}

fn describe_charter(e: &CharterEvent) -> String {
    match e {
        CharterEvent::ForumEstablished { forum, .. } => format!(
            "Established the forum “{}”: {} member(s), quorum {}, meeting {} from {}, decisions within {} days",
            forum.name,
            forum.people.len(),
            forum.rules.quorum,
            forum.rules.cadence.label(),
            forum.rules.first_session,
            forum.rules.decision_sla_days
        ),
        CharterEvent::ForumRevised { forum, .. } => format!(
            "Revised the forum “{}”: {} member(s), quorum {}, decisions within {} days",
            forum.name,
            forum.people.len(),
            forum.rules.quorum,
            forum.rules.decision_sla_days
        ),
        CharterEvent::DecisionRightsSet { rights, .. } => {
            if rights.is_empty() {
                return "Cleared the decision rights: the program manager decides everything"
                    .into();
            }
            let rules: Vec<String> = rights.iter().map(|r| r.sentence()).collect();
            format!("Set the decision rights: {}", rules.join("; "))
        }
        CharterEvent::EscalationPathSet { levels, .. } => {
            let steps: Vec<String> = levels
                .iter()
                .map(|l| format!("{} ({} h)", l.title, l.response_sla_hours))
                .collect();
            format!("Set the escalation path: {}", steps.join(" → "))
        }
    }
}

fn describe_decision(e: &DecisionEvent) -> String {
    match e {
        DecisionEvent::DecisionRaised {
            question,
            routing_reason,
            effects,
            ..
        } => {
            let n = effects.len();
            let effects = match n {
                0 => String::new(),
                1 => ", with 1 proposed effect".into(),
                n => format!(", with {n} proposed effects"),
            };
            format!("Raised the decision “{question}”{effects} — {routing_reason}")
        }
        DecisionEvent::DecisionTabled { session, .. } => {
            format!("Tabled the decision for the session of {session}")
        }
        DecisionEvent::DecisionVoteCast { vote, .. } => match vote {
            Vote::Approve => "Voted to approve".into(),
            Vote::Reject => "Voted to reject".into(),
            Vote::Abstain => "Abstained".into(),
        },
        DecisionEvent::DecisionApproved { rationale, .. } => format!("Approved: {rationale}"),
        DecisionEvent::DecisionRejected { rationale, .. } => format!("Rejected: {rationale}"),
        DecisionEvent::DecisionDeferred {
            rationale, until, ..
        } => match until {
            Some(until) => format!("Deferred until {until}: {rationale}"),
            None => format!("Deferred: {rationale}"),
        },
        DecisionEvent::DecisionSuperseded { by, .. } => {
            format!("Superseded by decision {by}")
        }
    }
}

fn describe_escalation(e: &EscalationEvent) -> String {
    match e {
        EscalationEvent::EscalationRaised {
            subject_label,
            reason,
            levels,
            ..
        } => format!(
            "Escalated “{subject_label}” to {}: {reason}",
            levels
                .first()
                .map_or("the first level", |l| l.title.as_str())
        ),
        EscalationEvent::EscalationMovedUp {
            to_level,
            automatic,
            reason,
            ..
        } => {
            let how = if *automatic {
                "Automatically moved"
            } else {
                "Moved"
            };
            format!(
                "{how} the escalation up to level {}: {reason}",
                to_level + 1
            )
        }
        EscalationEvent::EscalationResolved { resolution, .. } => {
            format!("Resolved the escalation: {resolution}")
        }
    }
}

fn describe_session(e: &SessionEvent) -> String {
    match e {
        SessionEvent::SessionOpened { date, agenda, .. } => format!(
            "Opened the session of {date}: {} decision(s), {} escalation(s), {} slip(s), {} dependency(ies) in trouble, {} change(s) since the last session",
            agenda.decisions.len(),
            agenda.escalations.len(),
            agenda.slipped.len(),
            agenda.dependencies.len(),
            agenda.changes.len()
        ),
        SessionEvent::AttendanceRecorded {
            present, apologies, ..
        } => {
            let names = |p: &[crate::governance::charter::Person]| {
                p.iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if apologies.is_empty() {
                format!("Recorded attendance: {}", names(present))
            } else {
                format!(
                    "Recorded attendance: {}; apologies from {}",
                    names(present),
                    names(apologies)
                )
            }
        }
        SessionEvent::MinutesRecorded { .. } => "Recorded the minutes".into(),
        SessionEvent::ActionRecorded {
            title, owner, due, ..
        } => format!("Action for {owner} by {due}: {title}"),
        SessionEvent::ActionStatusChanged { status, note, .. } => {
            let status = match status {
                ActionStatus::Open => "Reopened an action",
                ActionStatus::Done => "Completed an action",
                ActionStatus::Dropped => "Dropped an action",
            };
            if note.is_empty() {
                status.to_string()
            } else {
                format!("{status}: {note}")
            }
        }
        SessionEvent::SessionClosed { .. } => "Closed the session".into(),
    }
}
