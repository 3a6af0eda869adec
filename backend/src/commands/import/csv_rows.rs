//! Milestones and dependencies as CSV rows (the exports' columns): every row checked, every
//! problem reported at once, and nothing imported unless every row can be applied.

use super::{decide_into, expected, stream};
use crate::commands::{CommandError, load};
use crate::event_store::{AppendRequest, EventStore, ExpectedVersion, StreamAppend};
use crate::interop::csv_io::{DependencyRow, MilestoneRow};
use crate::request_context::RequestContext;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::CsvImportReport;
use throughline_shared::dependency::{
    DependencyCommand, DependencyRegister, DependencyState, MilestoneRef, RegisteredDependency,
    register_stream_id,
};
use throughline_shared::ids::{DependencyId, MilestoneId};
use throughline_shared::milestone::{Milestone, MilestoneCommand, MilestoneEvent};
use throughline_shared::project::{Project, ProjectCommand, ProjectStage};
use throughline_shared::view::{MilestoneView, ProgramView};
use throughline_shared::{DomainError, ProjectId};
use uuid::Uuid;

/// Rows of a milestones CSV. A row is about the milestone with its `milestone_id` when that is one
/// of this program's; otherwise (no id, or another program's: an export imported into another
/// program) about the milestone its project and name give — updated when there is one, added when
/// there is none, refused when several answer to the name. Existing milestones get the forecast,
/// actual and (first) baseline the row gives.
///
/// Projects are matched by name. Projects the file names that the program lacks are created
/// (managed by the importer) only on confirmation (`create_projects`); without it the import is
/// refused naming them, so a typo never becomes a project. One atomic append; a row that cannot be
/// applied refuses the whole file.
pub async fn import_milestone_rows(
    store: &EventStore,
    ctx: &RequestContext,
    view: &ProgramView,
    rows: Vec<MilestoneRow>,
    create_projects: bool,
    allow: impl Fn(ProgramAction) -> Result<(), CommandError>,
) -> Result<CsvImportReport, CommandError> {
    let program_id = view.program_id;
    let reason = "Imported from a CSV file".to_string();
    let mut report = CsvImportReport::default();
    let mut problems = Vec::new();
    let mut appends = Vec::new();
    // Which milestone each row is about (`None`: a new one), or why it cannot say.
    let mut targets = Vec::with_capacity(rows.len());
    for row in &rows {
        let own = row.milestone_id.filter(|id| view.milestone(*id).is_some());
        targets.push(match (own, row.milestone_id) {
            (Some(id), _) => Ok(Some(id)),
            (None, Some(id)) if view.retired_milestones.iter().any(|r| r.milestone_id == id) => {
                Err(format!(
                    "milestone {id} was cancelled or removed from this program; clear the row's \
                     milestone_id to add it again"
                ))
            }
            _ => match named(view, &row.project, &row.name) {
                Named::One(m) => Ok(Some(m.id)),
                Named::Missing => Ok(None),
                Named::Many(n) => Err(format!(
                    "“{} / {}” names {n} milestones of this program; the import cannot tell which \
                     one the row means — rename them apart first",
                    row.project, row.name
                )),
            },
        });
    }
    // The projects new rows name that the program does not have, in the file's order.
    let mut missing: Vec<String> = Vec::new();
    for (row, target) in rows.iter().zip(&targets) {
        if matches!(target, Ok(None))
            && !view.projects.iter().any(|p| p.name == row.project)
            && !missing.contains(&row.project)
        {
            missing.push(row.project.clone());
        }
    }
    let mut created_projects: Vec<(String, ProjectId)> = Vec::new();
    // Rows refused only for naming a project to create: when they are all the file's problems,
    // the answer asks to confirm the projects instead.
    let mut unconfirmed = 0;
    if !missing.is_empty() && create_projects {
        allow(ProgramAction::AddProject)?;
        for name in missing.drain(..) {
            let project_id = ProjectId::from_uuid(Uuid::new_v4());
            let mut state = Project::default();
            let mut events = Vec::new();
            let added = decide_into(
                &mut state,
                ProjectCommand::Add {
                    project_id,
                    program_id,
                    program_exists: true,
                    program_objectives: Vec::new(),
                    name: name.clone(),
                    manager: ctx.actor.clone(),
                    objectives: Vec::new(),
                },
                &mut events,
            );
            match added {
                Ok(()) => {
                    appends.push(stream(
                        project_id.0,
                        ExpectedVersion::NoStream,
                        &events,
                        ctx,
                        &reason,
                    ));
                    created_projects.push((name, project_id));
                }
                Err(e) => problems.push(format!("the project “{name}”: {e}")),
            }
        }
    }
    for (i, (row, target)) in rows.into_iter().zip(targets).enumerate() {
        let at = format!("row {}", i + 2);
        let target = match target {
            Ok(target) => target,
            Err(problem) => {
                problems.push(format!("{at}: {problem}"));
                continue;
            }
        };
        let outcome = match target {
            Some(id) => {
                let Some(existing) = view.milestone(id) else {
                    problems.push(format!("{at}: milestone {id} is not in this program"));
                    continue;
                };
                let loaded = load::<Milestone>(store, id.0).await?;
                let mut state = loaded.state;
                let mut events = Vec::new();
                let step = |state: &mut Milestone, command, events: &mut Vec<MilestoneEvent>| {
                    decide_into(state, command, events).map_err(|e| format!("{at}: {e}"))
                };
                let mut result = Ok(());
                if let Some(to) = row.forecast.filter(|f| *f != existing.forecast) {
                    allow(ProgramAction::ChangeSchedule(existing.project_id))?;
                    result = result.and_then(|_| {
                        step(
                            &mut state,
                            MilestoneCommand::ChangeForecast {
                                to,
                                start: row.forecast_start,
                            },
                            &mut events,
                        )
                    });
                }
                match (row.baseline, existing.baseline) {
                    (Some(b), None) => {
                        allow(ProgramAction::Baseline)?;
                        result = result.and_then(|_| {
                            step(
                                &mut state,
                                MilestoneCommand::Baseline {
                                    to: Some(b),
                                    reason: None,
                                },
                                &mut events,
                            )
                        });
                    }
                    (Some(b), Some(current)) if b != current => {
                        result = Err(format!(
                            "{at}: the baseline is {current}; re-baselining needs a reason \
                             (POST …/milestones/{id}/baseline), not a CSV row"
                        ));
                    }
                    _ => {}
                }
                if let (Some(actual), None) = (row.actual, existing.actual) {
                    allow(ProgramAction::ChangeSchedule(existing.project_id))?;
                    result = result.and_then(|_| {
                        step(&mut state, MilestoneCommand::Meet { actual }, &mut events)
                    });
                }
                result.map(|_| {
                    if events.is_empty() {
                        report.unchanged += 1;
                    } else {
                        report.updated += 1;
                        appends.push(stream(
                            id.0,
                            expected(loaded.version),
                            &events,
                            ctx,
                            &reason,
                        ));
                    }
                })
            }
            None => {
                let projects: Vec<(ProjectId, ProjectStage)> = view
                    .projects
                    .iter()
                    .filter(|p| p.name == row.project)
                    .map(|p| (p.project_id, p.stage))
                    .chain(
                        created_projects
                            .iter()
                            .filter(|(name, _)| *name == row.project)
                            .map(|(_, id)| (*id, ProjectStage::Active)),
                    )
                    .collect();
                let (project_id, stage) = match projects.as_slice() {
                    [project] => *project,
                    [] => {
                        unconfirmed += 1;
                        problems.push(format!(
                            "{at}: there is no project “{}” in this program (import again \
                             confirming that it is to be created)",
                            row.project
                        ));
                        continue;
                    }
                    many => {
                        problems.push(format!(
                            "{at}: {} projects of this program are called “{}”; the import cannot \
                             tell which one the row means — rename them apart first",
                            many.len(),
                            row.project
                        ));
                        continue;
                    }
                };
                allow(ProgramAction::ChangeSchedule(project_id))?;
                if stage == ProjectStage::Closed {
                    problems.push(format!(
                        "{at}: the project “{}” is closed: it takes no new milestones",
                        row.project
                    ));
                    continue;
                }
                let Some(planned) = row.planned.or(row.forecast) else {
                    problems.push(format!("{at}: a new milestone needs a planned date"));
                    continue;
                };
                let milestone_id = MilestoneId::from_uuid(Uuid::new_v4());
                let mut state = Milestone::default();
                let mut events = Vec::new();
                let mut result = decide_into(
                    &mut state,
                    MilestoneCommand::Add {
                        milestone_id,
                        program_id,
                        project_id,
                        project_in_program: true,
                        name: row.name.clone(),
                        kind: row.kind,
                        owner: row.owner.clone(),
                        planned_start: row.planned_start,
                        planned,
                        external_ref: None,
                    },
                    &mut events,
                );
                if let Some(b) = row.baseline {
                    allow(ProgramAction::Baseline)?;
                    result = result.and_then(|_| {
                        decide_into(
                            &mut state,
                            MilestoneCommand::Baseline {
                                to: Some(b),
                                reason: None,
                            },
                            &mut events,
                        )
                    });
                }
                if let Some(to) = row.forecast.filter(|f| *f != planned) {
                    result = result.and_then(|_| {
                        decide_into(
                            &mut state,
                            MilestoneCommand::ChangeForecast {
                                to,
                                start: row.forecast_start,
                            },
                            &mut events,
                        )
                    });
                }
                if let Some(actual) = row.actual {
                    result = result.and_then(|_| {
                        decide_into(&mut state, MilestoneCommand::Meet { actual }, &mut events)
                    });
                }
                result
                    .map_err(|e| format!("{at}: {}", explain(e)))
                    .map(|_| {
                        report.created += 1;
                        appends.push(stream(
                            milestone_id.0,
                            ExpectedVersion::NoStream,
                            &events,
                            ctx,
                            &reason,
                        ));
                    })
            }
        };
        if let Err(problem) = outcome {
            problems.push(problem);
        }
    }
    if !missing.is_empty() && problems.len() == unconfirmed {
        return Err(CommandError::ProjectsToCreate(missing));
    }
    finish_csv(store, ctx, appends, problems, report).await
}

/// A milestone a file names by its project's name and its own.
enum Named {
    One(MilestoneRef),
    Missing,
    /// Several milestones answer to the name: the file cannot say which it means.
    Many(usize),
}

fn named(view: &ProgramView, project: &str, name: &str) -> Named {
    let projects: Vec<ProjectId> = view
        .projects
        .iter()
        .filter(|p| p.name == project)
        .map(|p| p.project_id)
        .collect();
    let found: Vec<&MilestoneView> = view
        .milestones
        .iter()
        .filter(|m| projects.contains(&m.project_id) && m.name == name)
        .collect();
    match found.as_slice() {
        [] => Named::Missing,
        [m] => Named::One(MilestoneRef {
            id: m.milestone_id,
            program_id: view.program_id,
            project_id: m.project_id,
            name: m.name.clone(),
            owner: m.owner.clone(),
        }),
        many => Named::Many(many.len()),
    }
}

/// A dependency state as a file writes it.
fn state_name(state: DependencyState) -> &'static str {
    match state {
        DependencyState::Proposed => "proposed",
        DependencyState::Agreed => "agreed",
        DependencyState::Broken => "broken",
        DependencyState::Cancelled => "cancelled",
    }
}

/// What a dependencies CSV row is about.
enum RowTarget {
    /// A dependency of the register (by the row's id, or by its two ends).
    Existing(DependencyId, RegisteredDependency),
    /// No dependency yet between these two milestones.
    New(MilestoneRef, MilestoneRef),
}

/// Rows of a dependencies CSV, by project and milestone names, with the state each dependency is
/// in. A row is about the register's dependency with its `dependency_id` (an export's row: its
/// names must still be that dependency's ends), else about the two milestones it names — each
/// name must be one milestone of the program, never the first of several. The file's state is
/// applied where an import can honestly do so, and refused, row by row, where it cannot:
///
/// - an existing dependency already in the row's state is left as it is (a changed need-by date
///   is recorded), so an export imported again changes nothing;
/// - a proposed dependency the row says is agreed is agreed, if the importer may agree it (the
///   provider's side); a new pair with state agreed is proposed and agreed, on the same terms;
/// - cancelling or breaking needs a reason (and maybe a decision), withdrawing an agreement or
///   reviving a closed dependency is not a change a file can make, and a cancelled or broken
///   dependency that is not in the register is not imported: all refused, naming the row.
///
/// Without a state a row proposes a new pair or leaves an existing one's state as it is. One
/// atomic append; any refused row refuses the whole file.
pub async fn import_dependency_rows(
    store: &EventStore,
    ctx: &RequestContext,
    view: &ProgramView,
    rows: Vec<DependencyRow>,
    allow: impl Fn(ProgramAction) -> Result<(), CommandError>,
) -> Result<CsvImportReport, CommandError> {
    let program_id = view.program_id;
    let reason = "Imported from a CSV file".to_string();
    let register_id = register_stream_id(program_id);
    let loaded = load::<DependencyRegister>(store, register_id).await?;
    let mut register = loaded.state;
    let mut events = Vec::new();
    let mut report = CsvImportReport::default();
    let mut problems = Vec::new();
    // How the program names a milestone: “project / milestone”.
    let label = |id: MilestoneId| {
        view.milestone(id).map(|m| {
            let project = view
                .project(m.project_id)
                .map_or("", |p| p.name.as_str())
                .to_string();
            (project, m.name.clone())
        })
    };
    let project_name = |id: ProjectId| {
        view.project(id)
            .map_or_else(|| id.to_string(), |p| p.name.clone())
    };
    for (i, row) in rows.into_iter().enumerate() {
        let at = format!("row {}", i + 2);
        let wanted = row.state;
        let by_id = row
            .dependency_id
            .and_then(|id| register.dependency(id).map(|d| (id, d.clone())));
        let target = match by_id {
            Some((id, dependency)) => {
                let row_ends = (
                    (row.provider_project.clone(), row.provider.clone()),
                    (row.consumer_project.clone(), row.consumer.clone()),
                );
                match (label(dependency.provider), label(dependency.consumer)) {
                    (Some(provider), Some(consumer))
                        if (provider.clone(), consumer.clone()) == row_ends =>
                    {
                        RowTarget::Existing(id, dependency)
                    }
                    (provider, consumer) => {
                        let show = |l: Option<(String, String)>| {
                            l.map_or_else(|| "?".to_string(), |(p, m)| format!("“{p} / {m}”"))
                        };
                        problems.push(format!(
                            "{at}: dependency {id} is {} → {}, not the milestones the row names; \
                             a dependency's ends do not change — clear the row's dependency_id to \
                             propose a new one",
                            show(provider),
                            show(consumer)
                        ));
                        continue;
                    }
                }
            }
            None => {
                let provider = named(view, &row.provider_project, &row.provider);
                let consumer = named(view, &row.consumer_project, &row.consumer);
                for (named, project, name) in [
                    (&provider, &row.provider_project, &row.provider),
                    (&consumer, &row.consumer_project, &row.consumer),
                ] {
                    match named {
                        Named::One(_) => {}
                        Named::Missing => problems.push(format!(
                            "{at}: “{project} / {name}” is not a milestone of this program"
                        )),
                        Named::Many(n) => problems.push(format!(
                            "{at}: “{project} / {name}” names {n} milestones of this program; \
                             the import cannot tell which one the row means — rename them apart \
                             first"
                        )),
                    }
                }
                let (Named::One(provider), Named::One(consumer)) = (provider, consumer) else {
                    continue;
                };
                let pair: Vec<(&DependencyId, &RegisteredDependency)> = register
                    .dependencies
                    .iter()
                    .filter(|(_, d)| d.provider == provider.id && d.consumer == consumer.id)
                    .collect();
                // The pair's active dependency; for a closed row, first a closed one like it.
                let existing = wanted
                    .filter(|s| !s.is_active())
                    .and_then(|closed| pair.iter().find(|(_, d)| d.state == closed))
                    .or_else(|| pair.iter().find(|(_, d)| d.state.is_active()));
                match existing {
                    Some((id, d)) => RowTarget::Existing(**id, (*d).clone()),
                    None => RowTarget::New(provider, consumer),
                }
            }
        };
        let (provider_project, consumer_project) = match &target {
            RowTarget::Existing(_, d) => (d.provider_project, d.consumer_project),
            RowTarget::New(p, c) => (p.project_id, c.project_id),
        };
        allow(ProgramAction::ManageDependency {
            provider: provider_project,
            consumer: consumer_project,
        })?;
        // Agreeing commits the provider's side: only someone who may change its schedule (asked
        // only of rows that agree, so other rows log no refusal).
        let may_agree = || allow(ProgramAction::ChangeSchedule(provider_project)).is_ok();
        let cannot_agree = || {
            format!(
                "{at}: the file says agreed, but agreeing commits the provider's side (project \
                 “{}”) and you may not: leave the row proposed, or have the provider's side \
                 import it",
                project_name(provider_project)
            )
        };
        let mut commands = Vec::new();
        match target {
            RowTarget::Existing(dependency_id, dependency) => {
                let now = dependency.state;
                match (now, wanted.unwrap_or(now)) {
                    (now, want) if now == want => {}
                    (DependencyState::Proposed, DependencyState::Agreed) if may_agree() => {
                        commands.push(DependencyCommand::Agree { dependency_id });
                    }
                    (DependencyState::Proposed, DependencyState::Agreed) => {
                        problems.push(cannot_agree());
                        continue;
                    }
                    (DependencyState::Agreed, DependencyState::Proposed) => {
                        problems.push(format!(
                            "{at}: the file says proposed, but the dependency is agreed; an \
                             agreement is not withdrawn by import — break or cancel it with a \
                             reason instead"
                        ));
                        continue;
                    }
                    (now, want) if now.is_active() => {
                        let verb = if want == DependencyState::Broken {
                            "break"
                        } else {
                            "cancel"
                        };
                        problems.push(format!(
                            "{at}: the file says {}, but the dependency is {}; an import does not \
                             {verb} dependencies — that needs a reason (POST \
                             …/dependencies/{dependency_id}/{verb}), and may need a decision",
                            state_name(want),
                            state_name(now)
                        ));
                        continue;
                    }
                    (now, want) => {
                        problems.push(format!(
                            "{at}: the dependency is {}, the file says {}; a {} dependency is not \
                             revived or changed by import — clear the row's dependency_id and \
                             state to propose a new one",
                            state_name(now),
                            state_name(want),
                            state_name(now)
                        ));
                        continue;
                    }
                }
                if dependency.need_by != row.need_by {
                    commands.push(DependencyCommand::ChangeNeedBy {
                        dependency_id,
                        to: row.need_by,
                    });
                }
                if commands.is_empty() {
                    report.unchanged += 1;
                } else {
                    report.updated += 1;
                }
            }
            RowTarget::New(provider, consumer) => {
                match wanted {
                    Some(closed) if !closed.is_active() => {
                        let state = state_name(closed);
                        problems.push(format!(
                            "{at}: the dependency is {state} in the file; {state} dependencies are \
                             not imported — remove the row or its state"
                        ));
                        continue;
                    }
                    Some(DependencyState::Agreed) if !may_agree() => {
                        problems.push(cannot_agree());
                        continue;
                    }
                    _ => {}
                }
                let dependency_id = DependencyId::from_uuid(Uuid::new_v4());
                commands.push(DependencyCommand::Propose {
                    dependency_id,
                    program_id,
                    provider: Some(provider),
                    consumer: Some(consumer),
                    kind: row.kind,
                    lag_days: row.lag_days,
                    need_by: row.need_by,
                    provider_owner: Some(row.provider_owner).filter(|o| !o.is_empty()),
                    consumer_owner: Some(row.consumer_owner).filter(|o| !o.is_empty()),
                    description: String::new(),
                });
                if wanted == Some(DependencyState::Agreed) {
                    commands.push(DependencyCommand::Agree { dependency_id });
                }
                report.created += 1;
            }
        }
        for command in commands {
            if let Err(e) = decide_into(&mut register, command, &mut events) {
                problems.push(format!("{at}: {}", explain(e)));
                break;
            }
        }
    }
    let appends = if events.is_empty() {
        Vec::new()
    } else {
        vec![stream(
            register_id,
            expected(loaded.version),
            &events,
            ctx,
            &reason,
        )]
    };
    finish_csv(store, ctx, appends, problems, report).await
}

/// A domain refusal in one line.
pub(super) fn explain(error: DomainError) -> String {
    match error {
        DomainError::Invalid(fields) => fields
            .iter()
            .map(|f| format!("{} {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

pub(super) async fn finish_csv(
    store: &EventStore,
    ctx: &RequestContext,
    appends: Vec<StreamAppend>,
    problems: Vec<String>,
    mut report: CsvImportReport,
) -> Result<CsvImportReport, CommandError> {
    if !problems.is_empty() {
        return Err(CommandError::RowsRefused(problems));
    }
    if !appends.is_empty() {
        let recorded = store
            .append(ctx.identify(AppendRequest { streams: appends }))
            .await?;
        report.position = recorded.last().map_or(0, |e| e.position);
    }
    Ok(report)
}
