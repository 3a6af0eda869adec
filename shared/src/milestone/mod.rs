//! The milestone aggregate: a dated checkpoint (or a deliverable with a start) of one project, with
//! its planned, baseline, forecast and actual dates. Each milestone is its own stream, so teams
//! moving forecasts of different milestones never conflict.
//!
//! The baseline is the agreed plan: set once when the program is baselined; changing it later is a
//! re-baseline, which needs a reason (and, once governance exists, a decision).
//!
//! Events: `MilestoneAdded`, `MilestoneForecastChanged` (from → to), `MilestoneBaselined`,
//! `MilestoneRebaselined` (with its reason), `MilestoneMet`, `MilestoneRenamed` and
//! `MilestoneOwnerChanged` (from → to; a met milestone may still be renamed or re-owned),
//! `MilestoneKindChanged` (milestone ↔ deliverable, with the deliverable's start),
//! `MilestoneMoved` (to another project of the program; later events carry the new project),
//! `MilestoneCancelled` (no longer planned: kept in history, gone from the plan) and
//! `MilestoneRemoved` (entered by mistake: a compensating event its creator may append within
//! [`REMOVAL_WINDOW_HOURS`] of adding it, before it is baselined). Both retirements are appended
//! with the dependency register's events that let go of the milestone's dependencies (broken where
//! it provided, cancelled where it consumed), in one append; a retired milestone takes no command.
//! `POST /api/programs/{id}/baseline` baselines every milestone without a baseline in one atomic
//! multi-stream append. Who may change a milestone: `ChangeSchedule(project)` (program manager,
//! contributor, that project's manager), of both projects for a move; baselining a program:
//! `Baseline` (program manager).

use crate::error::{DomainError, NAME_MAX, PERSON_MAX, Validator};
use crate::ids::{MilestoneId, ProgramId, ProjectId};
use chrono::NaiveDate;

mod event;

pub use event::{MilestoneEvent, MilestoneKind, REMOVAL_WINDOW_HOURS, Retirement};

/// What a decision about a milestone needs: rebuilt from its own stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Milestone {
    pub id: Option<MilestoneId>,
    pub program_id: Option<ProgramId>,
    pub project_id: Option<ProjectId>,
    pub kind: Option<MilestoneKind>,
    pub name: String,
    pub owner: String,
    pub forecast_start: Option<NaiveDate>,
    pub forecast: Option<NaiveDate>,
    pub baseline: Option<NaiveDate>,
    pub actual: Option<NaiveDate>,
    pub percent_complete: u8,
    pub actual_start: Option<NaiveDate>,
    pub retired: Option<Retirement>,
}

/// What an edit of a milestone's details changes (`None`: as it is).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MilestoneRevision {
    pub name: Option<String>,
    pub owner: Option<String>,
    pub kind: Option<MilestoneKind>,
    /// The start of a milestone becoming a deliverable.
    pub start: Option<NaiveDate>,
    pub project: Option<ProjectMove>,
}

/// Another project of the program to deliver the milestone, as the caller found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectMove {
    pub to: ProjectId,
    pub to_name: String,
    pub from_name: String,
    pub in_program: bool,
    /// Not closed.
    pub open: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MilestoneCommand {
    Add {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        /// Looked up by the caller: the project exists and belongs to `program_id`.
        project_in_program: bool,
        name: String,
        kind: MilestoneKind,
        owner: String,
        planned_start: Option<NaiveDate>,
        planned: NaiveDate,
        external_ref: Option<String>,
    },
    ChangeForecast {
        to: NaiveDate,
        start: Option<NaiveDate>,
    },
    /// Set the baseline to the current forecast, or to `to` when given. A milestone that already
    /// has one is re-baselined, which needs a reason.
    Baseline {
        to: Option<NaiveDate>,
        reason: Option<String>,
    },
    Meet {
        actual: NaiveDate,
    },
    /// Percent complete (0–100) and, for a deliverable, the day it actually started (`None`:
    /// as it is). Facts of the work, so reported on a met milestone too.
    ReportProgress {
        percent_complete: u8,
        actual_start: Option<NaiveDate>,
    },
    /// A new name, owner, kind or project: one event for each that changes.
    Revise(MilestoneRevision),
    /// No longer planned; a reason is required.
    Cancel {
        reason: Option<String>,
    },
    /// Entered by mistake. The caller looked up who added it and when.
    Remove {
        reason: Option<String>,
        by_its_creator: bool,
        within_window: bool,
    },
}

fn check_span(
    v: &mut Validator,
    kind: MilestoneKind,
    start: Option<NaiveDate>,
    (finish_field, finish): (&str, NaiveDate),
) {
    v.optional_date("start", start);
    v.date(finish_field, finish);
    match (kind, start) {
        (MilestoneKind::Milestone, Some(_)) => {
            v.push("start", "a milestone is a point in time: it has no start")
        }
        (MilestoneKind::Deliverable, None) => v.push("start", "a deliverable needs a start date"),
        (MilestoneKind::Deliverable, Some(s)) if s > finish => {
            v.push("start", "must not be after the finish date")
        }
        _ => {}
    }
}

impl Milestone {
    pub fn exists(&self) -> bool {
        self.id.is_some()
    }

    pub fn apply(&mut self, event: &MilestoneEvent) {
        match event {
            MilestoneEvent::MilestoneAdded {
                milestone_id,
                program_id,
                project_id,
                kind,
                name,
                owner,
                planned_start,
                planned,
                ..
            } => {
                self.id = Some(*milestone_id);
                self.name = name.clone();
                self.owner = owner.clone();
                self.program_id = Some(*program_id);
                self.project_id = Some(*project_id);
                self.kind = Some(*kind);
                self.forecast_start = *planned_start;
                self.forecast = Some(*planned);
            }
            MilestoneEvent::MilestoneForecastChanged { to, start, .. } => {
                self.forecast = Some(*to);
                if start.is_some() {
                    self.forecast_start = *start;
                }
            }
            MilestoneEvent::MilestoneBaselined { baseline, .. } => self.baseline = Some(*baseline),
            MilestoneEvent::MilestoneRebaselined { to, .. } => self.baseline = Some(*to),
            MilestoneEvent::MilestoneMet { actual, .. } => self.actual = Some(*actual),
            MilestoneEvent::MilestoneProgressReported {
                percent_complete,
                actual_start,
                ..
            } => {
                self.percent_complete = (*percent_complete).min(100);
                if actual_start.is_some() {
                    self.actual_start = *actual_start;
                }
            }
            MilestoneEvent::MilestoneRenamed { to, .. } => self.name = to.clone(),
            MilestoneEvent::MilestoneOwnerChanged { to, .. } => self.owner = to.clone(),
            MilestoneEvent::MilestoneKindChanged { to, start, .. } => {
                self.kind = Some(*to);
                self.forecast_start = *start;
                if *to == MilestoneKind::Milestone {
                    self.actual_start = None;
                }
            }
            MilestoneEvent::MilestoneMoved { project_id, .. } => {
                self.project_id = Some(*project_id)
            }
            MilestoneEvent::MilestoneCancelled { .. } => self.retired = Some(Retirement::Cancelled),
            MilestoneEvent::MilestoneRemoved { .. } => self.retired = Some(Retirement::Removed),
        }
    }

    pub fn decide(&self, command: MilestoneCommand) -> Result<Vec<MilestoneEvent>, DomainError> {
        if let MilestoneCommand::Add {
            milestone_id,
            program_id,
            project_id,
            project_in_program,
            name,
            kind,
            owner,
            planned_start,
            planned,
            external_ref,
        } = command
        {
            if self.exists() {
                return Err(DomainError::AlreadyExists(format!(
                    "milestone {milestone_id}"
                )));
            }
            let mut v = Validator::new();
            if !project_in_program {
                v.push("project_id", "is not a project of this program");
            }
            let name = v.required_text("name", &name, NAME_MAX);
            let owner = v.required_text("owner", &owner, PERSON_MAX);
            check_span(&mut v, kind, planned_start, ("planned", planned));
            v.finish()?;
            return Ok(vec![MilestoneEvent::MilestoneAdded {
                milestone_id,
                program_id,
                project_id,
                name,
                kind,
                owner,
                planned_start,
                planned,
                external_ref,
            }]);
        }
        let (Some(milestone_id), Some(program_id), Some(project_id), Some(kind), Some(forecast)) = (
            self.id,
            self.program_id,
            self.project_id,
            self.kind,
            self.forecast,
        ) else {
            return Err(DomainError::NotFound("milestone".into()));
        };
        if let Some(how) = self.retired {
            return Err(DomainError::NothingToChange(format!(
                "“{}” was {}",
                self.name,
                match how {
                    Retirement::Cancelled => "cancelled",
                    Retirement::Removed => "removed as a mistake",
                }
            )));
        }
        let ids = (milestone_id, program_id, project_id);
        if let Some(actual) = self.actual
            && !matches!(
                command,
                MilestoneCommand::Baseline { .. }
                    | MilestoneCommand::Revise(_)
                    | MilestoneCommand::ReportProgress { .. }
            )
        {
            return Err(DomainError::NothingToChange(format!(
                "the milestone was met on {actual}; its dates are facts now"
            )));
        }
        match command {
            MilestoneCommand::Add { .. } => Err(DomainError::AlreadyExists("the milestone".into())),
            MilestoneCommand::ChangeForecast { to, start } => {
                let mut v = Validator::new();
                let start = match kind {
                    MilestoneKind::Deliverable => start.or(self.forecast_start),
                    MilestoneKind::Milestone => start,
                };
                check_span(&mut v, kind, start, ("to", to));
                v.finish()?;
                if to == forecast && start == self.forecast_start {
                    return Err(DomainError::NothingToChange(format!(
                        "the forecast is already {to}"
                    )));
                }
                Ok(vec![MilestoneEvent::MilestoneForecastChanged {
                    milestone_id,
                    program_id,
                    project_id,
                    from: forecast,
                    to,
                    start: start.filter(|_| kind == MilestoneKind::Deliverable),
                }])
            }
            MilestoneCommand::Baseline { to, reason } => {
                let to = to.unwrap_or(forecast);
                let mut v = Validator::new();
                v.date("to", to);
                v.finish()?;
                match self.baseline {
                    None => Ok(vec![MilestoneEvent::MilestoneBaselined {
                        milestone_id,
                        program_id,
                        project_id,
                        baseline: to,
                    }]),
                    Some(from) if from == to => Err(DomainError::NothingToChange(format!(
                        "the baseline is already {to}"
                    ))),
                    Some(from) => {
                        if reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                            let mut v = Validator::new();
                            v.push("reason", "a re-baseline needs a reason");
                            v.finish()?;
                        }
                        Ok(vec![MilestoneEvent::MilestoneRebaselined {
                            milestone_id,
                            program_id,
                            project_id,
                            from,
                            to,
                        }])
                    }
                }
            }
            MilestoneCommand::Meet { actual } => {
                let mut v = Validator::new();
                v.date("actual", actual);
                if let Some(start) = self.actual_start.filter(|s| *s > actual) {
                    v.push("actual", format!("the work started on {start}, after that"));
                }
                v.finish()?;
                Ok(vec![MilestoneEvent::MilestoneMet {
                    milestone_id,
                    program_id,
                    project_id,
                    actual,
                }])
            }
            MilestoneCommand::ReportProgress {
                percent_complete,
                actual_start,
            } => self.report_progress(ids, kind, percent_complete, actual_start),
            MilestoneCommand::Revise(revision) => self.revise(ids, (kind, forecast), revision),
            MilestoneCommand::Cancel { reason } => {
                required_reason(reason, "say why it is no longer planned")?;
                Ok(vec![MilestoneEvent::MilestoneCancelled {
                    milestone_id,
                    program_id,
                    project_id,
                }])
            }
            MilestoneCommand::Remove {
                reason,
                by_its_creator,
                within_window,
            } => {
                let refusal = if !by_its_creator {
                    Some("only whoever added it may remove it as a mistake; cancel it instead")
                } else if !within_window {
                    Some("it was added over a day ago and may be relied on; cancel it instead")
                } else if self.baseline.is_some() {
                    Some("it is in the baseline; cancel it instead")
                } else {
                    None
                };
                if let Some(refusal) = refusal {
                    return Err(DomainError::NothingToChange(refusal.into()));
                }
                required_reason(reason, "say what the mistake was")?;
                Ok(vec![MilestoneEvent::MilestoneRemoved {
                    milestone_id,
                    program_id,
                    project_id,
                }])
            }
        }
    }
}

fn required_reason(reason: Option<String>, ask: &str) -> Result<(), DomainError> {
    if reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        let mut v = Validator::new();
        v.push("reason", ask);
        return v.finish();
    }
    Ok(())
}

impl Milestone {
    fn report_progress(
        &self,
        (milestone_id, program_id, project_id): (MilestoneId, ProgramId, ProjectId),
        kind: MilestoneKind,
        percent_complete: u8,
        actual_start: Option<NaiveDate>,
    ) -> Result<Vec<MilestoneEvent>, DomainError> {
        let mut v = Validator::new();
        if percent_complete > 100 {
            v.push("percent_complete", "must be between 0 and 100");
        }
        v.optional_date("actual_start", actual_start);
        if let Some(start) = actual_start {
            if kind == MilestoneKind::Milestone {
                v.push(
                    "actual_start",
                    "a milestone is a point in time: it has no start",
                );
            }
            if let Some(actual) = self.actual.filter(|a| start > *a) {
                v.push(
                    "actual_start",
                    format!("must not be after it was met ({actual})"),
                );
            }
        }
        v.finish()?;
        let actual_start = actual_start.or(self.actual_start);
        if percent_complete == self.percent_complete && actual_start == self.actual_start {
            return Err(DomainError::NothingToChange(format!(
                "“{}” is already reported at {percent_complete}%",
                self.name
            )));
        }
        Ok(vec![MilestoneEvent::MilestoneProgressReported {
            milestone_id,
            program_id,
            project_id,
            from: self.percent_complete,
            percent_complete,
            actual_start,
        }])
    }

    fn revise(
        &self,
        (milestone_id, program_id, project_id): (MilestoneId, ProgramId, ProjectId),
        (kind, forecast): (MilestoneKind, NaiveDate),
        revision: MilestoneRevision,
    ) -> Result<Vec<MilestoneEvent>, DomainError> {
        let MilestoneRevision {
            name,
            owner,
            kind: new_kind,
            start,
            project,
        } = revision;
        let mut v = Validator::new();
        let name = name.map(|n| v.required_text("name", &n, NAME_MAX));
        let owner = owner.map(|o| v.required_text("owner", &o, PERSON_MAX));
        let new_kind = new_kind.filter(|k| *k != kind);
        if let Some(to) = new_kind {
            if let Some(actual) = self.actual {
                v.push(
                    "kind",
                    format!("it was met on {actual}; what it was is a fact now"),
                );
            }
            check_span(&mut v, to, start, ("forecast", forecast));
        } else if start.is_some() {
            v.push(
                "start",
                "only a milestone becoming a deliverable is given a start here; move a deliverable's start with its forecast",
            );
        }
        let project = project.filter(|p| p.to != project_id);
        match &project {
            Some(p) if !p.in_program => v.push("project_id", "is not a project of this program"),
            Some(p) if !p.open => v.push("project_id", "the project is closed"),
            _ => {}
        }
        v.finish()?;
        let mut events = Vec::new();
        if let Some(to) = name.filter(|n| *n != self.name) {
            events.push(MilestoneEvent::MilestoneRenamed {
                milestone_id,
                program_id,
                project_id,
                from: self.name.clone(),
                to,
            });
        }
        if let Some(to) = owner.filter(|o| *o != self.owner) {
            events.push(MilestoneEvent::MilestoneOwnerChanged {
                milestone_id,
                program_id,
                project_id,
                from: self.owner.clone(),
                to,
            });
        }
        if let Some(to) = new_kind {
            events.push(MilestoneEvent::MilestoneKindChanged {
                milestone_id,
                program_id,
                project_id,
                from: kind,
                to,
                start,
            });
        }
        // Last, so the events before it still name the project they were decided in.
        if let Some(p) = project {
            events.push(MilestoneEvent::MilestoneMoved {
                milestone_id,
                program_id,
                project_id: p.to,
                from_project: project_id,
                from_project_name: p.from_name,
                project_name: p.to_name,
            });
        }
        if events.is_empty() {
            return Err(DomainError::NothingToChange(format!(
                "“{}” is already like that",
                self.name
            )));
        }
        Ok(events)
    }
}

#[cfg(test)]
mod tests;
