//! An MS Project plan (MSPDI) as milestones, deliverables and dependencies of one project (or of a
//! project per top-level summary task): the plan's tasks added, baselined, moved and met as the
//! file says, its links proposed as dependencies, so a plan whose links form a cycle is refused
//! whole. A preview decides all of it and appends nothing.
//!
//! Imported milestones keep `external_ref` = `<file stem>#<task UID>`, which later plans'
//! `CrossProject` links resolve to, and by which a plan imported again updates what it imported
//! before. Their ids are derived from program + `external_ref`, so two imports of one plan racing
//! add its tasks once (the second, if it raced past the lookup, is refused with 409). A cross-project link that two earlier milestones answer to is refused, never matched
//! to the first; one to a plan not imported yet is skipped with a warning.

use super::{decide_into, expected, stream};
use crate::commands::{CommandError, load};
use crate::event_store::{AppendRequest, EventStore, ExpectedVersion, StoreError};
use crate::interop::mspdi::{Plan, PlanMilestone, Predecessor};
use crate::request_context::RequestContext;
use std::collections::HashMap;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::ImportReport;
use throughline_shared::dependency::{
    DependencyCommand, DependencyRegister, MilestoneRef, register_stream_id,
};
use throughline_shared::event::AggregateEvent;
use throughline_shared::ids::{DependencyId, MilestoneId};
use throughline_shared::milestone::{Milestone, MilestoneCommand, MilestoneEvent, MilestoneKind};
use throughline_shared::program::Program;
use throughline_shared::project::{Project, ProjectCommand};
use throughline_shared::{DomainError, FieldError, ProgramId, ProjectId};
use uuid::Uuid;

/// Milestones of the program that came from earlier imports, by their external reference (a
/// log may hold two under one reference: plans imported at the same moment before milestone ids
/// were derived from it).
async fn imported_milestones(
    store: &EventStore,
    program_id: ProgramId,
) -> Result<HashMap<String, Vec<MilestoneRef>>, CommandError> {
    let rows: Vec<(i32, serde_json::Value)> = sqlx::query_as(
        "SELECT e.schema_version, e.payload FROM streams s JOIN events e ON e.stream_id = s.stream_id \
         WHERE s.program_id = $1 AND s.stream_type = $2 AND e.event_type = 'MilestoneAdded' \
           AND e.payload ? 'external_ref'",
    )
    .bind(program_id.0)
    .bind(MilestoneEvent::STREAM_TYPE)
    .fetch_all(store.pool())
    .await
    .map_err(StoreError::from)?;
    let mut found: HashMap<String, Vec<MilestoneRef>> = HashMap::new();
    for (schema_version, payload) in rows {
        if let MilestoneEvent::MilestoneAdded {
            milestone_id,
            program_id,
            project_id,
            name,
            owner,
            external_ref: Some(external_ref),
            ..
        } = MilestoneEvent::decode("MilestoneAdded", schema_version, payload)?
        {
            found.entry(external_ref).or_default().push(MilestoneRef {
                id: milestone_id,
                program_id,
                project_id,
                name,
                owner,
            });
        }
    }
    Ok(found)
}

/// How an imported plan's tasks are grouped into projects.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// One project for the whole file (the one named, else one named after the plan).
    #[default]
    Plan,
    /// A project for each top-level summary task (tasks under none: a project named after the
    /// plan).
    Summaries,
}

/// What an import is asked to do.
#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions {
    /// Import into this project of the program (only with `Grouping::Plan`).
    pub into: Option<ProjectId>,
    pub grouping: Grouping,
    /// Decide everything, append nothing: what the import would do.
    pub preview: bool,
}

/// The projects an import puts tasks into: found or created, by the name a group gives.
struct Projects {
    program_id: ProgramId,
    manager: String,
    by_name: Vec<(String, ProjectId)>,
    created: Vec<String>,
}

impl Projects {
    fn get_or_create(
        &mut self,
        name: &str,
        appends: &mut Vec<crate::event_store::StreamAppend>,
        ctx: &RequestContext,
        reason: &str,
        allow: &impl Fn(ProgramAction) -> Result<(), CommandError>,
    ) -> Result<ProjectId, CommandError> {
        if let Some((_, id)) = self.by_name.iter().find(|(n, _)| n == name) {
            return Ok(*id);
        }
        allow(ProgramAction::AddProject)?;
        let project_id = ProjectId::from_uuid(Uuid::new_v4());
        let mut project = Project::default();
        let mut events = Vec::new();
        decide_into(
            &mut project,
            ProjectCommand::Add {
                project_id,
                program_id: self.program_id,
                program_exists: true,
                program_objectives: Vec::new(),
                name: name.to_string(),
                manager: self.manager.clone(),
                objectives: Vec::new(),
            },
            &mut events,
        )?;
        appends.push(stream(
            project_id.0,
            ExpectedVersion::NoStream,
            &events,
            ctx,
            reason,
        ));
        self.by_name.push((name.to_string(), project_id));
        self.created.push(name.to_string());
        Ok(project_id)
    }
}

/// Imports (or, with `preview`, says what importing would do with) an MS Project plan: its
/// tasks added as milestones and deliverables to the project(s) `options.grouping` gives — with
/// their baselines, forecasts and actual finishes — and its links proposed as dependencies. A
/// plan imported before is imported again by its tasks' UIDs: their forecasts and actual
/// finishes are updated, tasks new to the plan are added, links new to it proposed.
pub async fn import_plan(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    options: ImportOptions,
    plan: Plan,
    allow: impl Fn(ProgramAction) -> Result<(), CommandError>,
) -> Result<ImportReport, CommandError> {
    let program = load::<Program>(store, program_id.0).await?;
    if !program.state.exists() {
        return Err(DomainError::NotFound(format!("program {program_id}")).into());
    }
    if plan.milestones.is_empty() {
        return Err(DomainError::Invalid(vec![FieldError::new(
            "file",
            "the plan has no tasks to import (each needs a name and a finish date)",
        )])
        .into());
    }
    if options.into.is_some() && options.grouping == Grouping::Summaries {
        return Err(DomainError::Invalid(vec![FieldError::new(
            "project_id",
            "a plan grouped by its summary tasks goes into a project per summary: name no project",
        )])
        .into());
    }
    let reason = format!("Imported from the MS Project plan “{}”", plan.title);
    let mut appends = Vec::new();
    let earlier = imported_milestones(store, program_id).await?;
    let reference = |uid: u32| format!("{}#{uid}", plan.key);

    // The program's projects by name (what a group or the plan's title finds), and the one named.
    let view = crate::queries::program::current_view(store.pool(), program_id)
        .await
        .map_err(|e| CommandError::Unavailable(e.to_string()))?
        .ok_or_else(|| DomainError::NotFound(format!("program {program_id}")))?;
    let mut projects = Projects {
        program_id,
        manager: plan.manager.clone().unwrap_or_else(|| "Unassigned".into()),
        by_name: Vec::new(),
        created: Vec::new(),
    };
    // A plan imported before keeps its tasks' projects: new tasks of a group join the project
    // its other tasks are in.
    for m in &plan.milestones {
        if let Some([found]) = earlier.get(&reference(m.uid)).map(Vec::as_slice) {
            let name = match options.grouping {
                Grouping::Summaries => m.group.clone().unwrap_or_else(|| plan.title.clone()),
                Grouping::Plan => plan.title.clone(),
            };
            if !projects.by_name.iter().any(|(n, _)| *n == name) {
                projects.by_name.push((name, found.project_id));
            }
        }
    }
    if let Some(project_id) = options.into {
        let project = load::<Project>(store, project_id.0).await?;
        if project.state.program_id != Some(program_id) {
            return Err(DomainError::NotFound(format!(
                "project {project_id} in program {program_id}"
            ))
            .into());
        }
        allow(ProgramAction::ChangeSchedule(project_id))?;
        if !project.state.is_open() {
            return Err(DomainError::Invalid(vec![FieldError::new(
                "project_id",
                format!(
                    "“{}” is closed: it takes no new milestones",
                    project.state.name
                ),
            )])
            .into());
        }
        projects.by_name.retain(|(n, _)| *n != plan.title);
        projects.by_name.push((plan.title.clone(), project_id));
    }
    for p in &view.projects {
        if !projects.by_name.iter().any(|(n, _)| *n == p.name) && options.into.is_none() {
            projects.by_name.push((p.name.clone(), p.project_id));
        }
    }

    // Tasks: new ones added at their baseline (the plan), baselined, moved to their current
    // dates, met when they have an actual finish; ones imported before moved and met as the
    // plan says now.
    let owner_default = plan.manager.clone().unwrap_or_else(|| "Unassigned".into());
    let mut here: HashMap<u32, MilestoneRef> = HashMap::new();
    let (mut created, mut deliverables, mut baselined, mut met) = (0, 0, 0, 0);
    let (mut updated, mut unchanged) = (0, 0);
    let mut warnings = Vec::new();
    for m in &plan.milestones {
        let external_ref = reference(m.uid);
        match earlier
            .get(&external_ref)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            [] => {}
            [found] => {
                let loaded = load::<Milestone>(store, found.id.0).await?;
                if loaded.state.retired.is_some() {
                    warnings.push(format!(
                        "task {} (“{}”) was imported before and has since left the plan: not \
                         changed",
                        m.uid, m.name
                    ));
                    continue;
                }
                let mut state = loaded.state.clone();
                let mut events = Vec::new();
                let start = m
                    .start
                    .filter(|_| state.kind == Some(MilestoneKind::Deliverable));
                if state.actual.is_none()
                    && (state.forecast != Some(m.finish)
                        || (start.is_some() && state.forecast_start != start))
                {
                    decide_into(
                        &mut state,
                        MilestoneCommand::ChangeForecast {
                            to: m.finish,
                            start,
                        },
                        &mut events,
                    )
                    .map_err(|e| in_milestone(e, m.uid, &m.name))?;
                }
                report_progress(&mut state, m, &mut events)?;
                if let (Some(actual), None) = (m.actual, state.actual) {
                    decide_into(&mut state, MilestoneCommand::Meet { actual }, &mut events)
                        .map_err(|e| in_milestone(e, m.uid, &m.name))?;
                    met += 1;
                }
                if events.is_empty() {
                    unchanged += 1;
                } else {
                    allow(ProgramAction::ChangeSchedule(found.project_id))?;
                    updated += 1;
                    appends.push(stream(
                        found.id.0,
                        expected(loaded.version),
                        &events,
                        ctx,
                        &reason,
                    ));
                }
                here.insert(m.uid, found.clone());
                continue;
            }
            several => {
                return Err(DomainError::Invalid(vec![FieldError::new(
                    "file",
                    format!(
                        "task {} (“{}”) matches {} milestones imported earlier; the import cannot \
                         tell which one it means, so nothing was imported",
                        m.uid,
                        m.name,
                        several.len()
                    ),
                )])
                .into());
            }
        }
        let project_name = match options.grouping {
            Grouping::Summaries => m.group.clone().unwrap_or_else(|| plan.title.clone()),
            Grouping::Plan => plan.title.clone(),
        };
        let project_id =
            projects.get_or_create(&project_name, &mut appends, ctx, &reason, &allow)?;
        allow(ProgramAction::ChangeSchedule(project_id))?;
        // Derived from the reference, so two imports of one plan racing past the check above
        // cannot both append: the second finds the milestone's stream already there.
        let milestone_id = imported_milestone_id(program_id, &external_ref);
        let owner = m.owner.clone().unwrap_or_else(|| owner_default.clone());
        let mut state = Milestone::default();
        let mut events = Vec::new();
        let planned = m.baseline.unwrap_or(m.finish);
        let planned_start = match m.kind {
            MilestoneKind::Deliverable => m.baseline_start.or(m.start),
            MilestoneKind::Milestone => None,
        }
        .map(|s| s.min(planned));
        decide_into(
            &mut state,
            MilestoneCommand::Add {
                milestone_id,
                program_id,
                project_id,
                project_in_program: true,
                name: m.name.clone(),
                kind: m.kind,
                owner: owner.clone(),
                planned_start,
                planned,
                external_ref: Some(external_ref),
            },
            &mut events,
        )
        .map_err(|e| in_milestone(e, m.uid, &m.name))?;
        if let Some(baseline) = m.baseline {
            decide_into(
                &mut state,
                MilestoneCommand::Baseline {
                    to: Some(baseline),
                    reason: None,
                },
                &mut events,
            )
            .map_err(|e| in_milestone(e, m.uid, &m.name))?;
            baselined += 1;
        }
        if m.finish != planned || (m.start.is_some() && m.start != planned_start) {
            decide_into(
                &mut state,
                MilestoneCommand::ChangeForecast {
                    to: m.finish,
                    start: m.start,
                },
                &mut events,
            )
            .map_err(|e| in_milestone(e, m.uid, &m.name))?;
        }
        report_progress(&mut state, m, &mut events)?;
        if let Some(actual) = m.actual {
            decide_into(&mut state, MilestoneCommand::Meet { actual }, &mut events)
                .map_err(|e| in_milestone(e, m.uid, &m.name))?;
            met += 1;
        }
        created += 1;
        if m.kind == MilestoneKind::Deliverable {
            deliverables += 1;
        }
        appends.push(stream(
            milestone_id.0,
            ExpectedVersion::NoStream,
            &events,
            ctx,
            &reason,
        ));
        here.insert(
            m.uid,
            MilestoneRef {
                id: milestone_id,
                program_id,
                project_id,
                name: m.name.clone(),
                owner,
            },
        );
    }

    // Dependencies, decided one by one against the register with the earlier ones applied, so a
    // plan whose links (with the program's existing ones) form a cycle is refused whole. A link
    // the register already holds (a plan imported again) is left as it is.
    let register_id = register_stream_id(program_id);
    let loaded = load::<DependencyRegister>(store, register_id).await?;
    let mut register = loaded.state;
    let mut events = Vec::new();
    for link in &plan.links {
        // The parser links only tasks it keeps; a link naming anything else is the file's
        // contradiction, reported rather than trusted.
        let unknown = |uid: &u32| {
            CommandError::from(DomainError::Invalid(vec![FieldError::new(
                "file",
                format!("a link names task {uid}, which is not a task the plan imports"),
            )]))
        };
        let consumer = here
            .get(&link.successor)
            .cloned()
            .ok_or_else(|| unknown(&link.successor))?;
        let provider = match &link.predecessor {
            Predecessor::Here(uid) => here.get(uid).cloned().ok_or_else(|| unknown(uid))?,
            Predecessor::Elsewhere { project, uid } => {
                match earlier
                    .get(&format!("{project}#{uid}"))
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    [found] => found.clone(),
                    [] => {
                        warnings.push(format!(
                            "“{}” follows task {uid} of the plan “{project}”, which is not in \
                             this program yet: import that plan, then this link again",
                            consumer.name
                        ));
                        continue;
                    }
                    several => {
                        let names: Vec<String> = several
                            .iter()
                            .map(|m| format!("“{}” ({})", m.name, m.id))
                            .collect();
                        return Err(DomainError::Invalid(vec![FieldError::new(
                            "file",
                            format!(
                                "the link of task {} (“{}”) to task {uid} of the plan “{project}” \
                                 matches {} milestones imported earlier: {}; the import cannot \
                                 tell which one it means, so nothing was imported",
                                link.successor,
                                consumer.name,
                                several.len(),
                                names.join(", ")
                            ),
                        )])
                        .into());
                    }
                }
            }
        };
        let known = register
            .dependencies
            .values()
            .any(|d| d.provider == provider.id && d.consumer == consumer.id && d.state.is_active());
        if known {
            continue;
        }
        allow(ProgramAction::ManageDependency {
            provider: provider.project_id,
            consumer: consumer.project_id,
        })?;
        decide_into(
            &mut register,
            DependencyCommand::Propose {
                dependency_id: DependencyId::from_uuid(Uuid::new_v4()),
                program_id,
                provider: Some(provider),
                consumer: Some(consumer),
                kind: link.kind,
                lag_days: link.lag_days,
                need_by: None,
                provider_owner: None,
                consumer_owner: None,
                description: String::new(),
            },
            &mut events,
        )?;
    }
    let dependencies = events.len();
    if !events.is_empty() {
        appends.push(stream(
            register_id,
            expected(loaded.version),
            &events,
            ctx,
            &reason,
        ));
    }

    // The project of the plan's first task: where a one-project import went.
    let project_id = plan
        .milestones
        .first()
        .and_then(|m| here.get(&m.uid))
        .map(|m| m.project_id)
        .or(options.into)
        .unwrap_or(ProjectId::from_uuid(Uuid::nil()));
    let project_created = !projects.created.is_empty();
    let position = if options.preview || appends.is_empty() {
        0
    } else {
        let recorded = store
            .append(ctx.identify(AppendRequest { streams: appends }))
            .await?;
        recorded.last().map_or(0, |e| e.position)
    };
    Ok(ImportReport {
        project_id,
        project_created,
        milestones: created,
        baselined,
        met,
        dependencies,
        collapsed_links: plan.collapsed_links,
        warnings,
        position,
        deliverables,
        updated,
        unchanged,
        projects_created: projects.created,
        skipped: plan.skipped,
        preview: options.preview,
    })
}

/// The id of the milestone an imported plan's task becomes in `program_id`: one per reference.
fn imported_milestone_id(program_id: ProgramId, external_ref: &str) -> MilestoneId {
    let name = format!("mspdi-milestone:{external_ref}");
    MilestoneId::from_uuid(Uuid::new_v5(&program_id.0, name.as_bytes()))
}

/// The task's percent complete and actual start where the plan has them and they differ from
/// what the milestone holds.
fn report_progress(
    state: &mut Milestone,
    m: &PlanMilestone,
    events: &mut Vec<MilestoneEvent>,
) -> Result<(), DomainError> {
    let percent_complete = m.percent_complete.unwrap_or(state.percent_complete);
    // A start after the finish the milestone already met is not believed (nor refused: the
    // rest of the plan still comes in).
    let actual_start = m.actual_start.filter(|s| {
        state.kind == Some(MilestoneKind::Deliverable) && state.actual.is_none_or(|a| *s <= a)
    });
    if percent_complete == state.percent_complete
        && actual_start.is_none_or(|s| state.actual_start == Some(s))
    {
        return Ok(());
    }
    decide_into(
        state,
        MilestoneCommand::ReportProgress {
            percent_complete,
            actual_start,
        },
        events,
    )
    .map_err(|e| in_milestone(e, m.uid, &m.name))
}

/// A milestone the domain refuses: say which task of the file it was.
fn in_milestone(error: DomainError, uid: u32, name: &str) -> DomainError {
    match error {
        DomainError::Invalid(fields) => DomainError::Invalid(
            fields
                .into_iter()
                .map(|mut f| {
                    f.message = format!("task {uid} ({name}): {}", f.message);
                    f
                })
                .collect(),
        ),
        other => other,
    }
}
