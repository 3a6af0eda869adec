//! An MS Project plan (MSPDI) as a project's milestones and dependencies: the plan's milestones
//! added, baselined, moved and met as the file says, its links proposed as dependencies, so a
//! plan whose links form a cycle is refused whole.
//!
//! Imported milestones keep `external_ref` = `<file stem>#<task UID>`, which later plans'
//! `CrossProject` links resolve to, and which refuses a second import of the same plan. Their ids
//! are derived from program + `external_ref`, so two imports of one plan racing give one 201 and
//! one 409. A cross-project link that two earlier milestones answer to is refused, never matched
//! to the first; one to a plan not imported yet is skipped with a warning.

use super::{decide_into, expected, stream};
use crate::commands::{CommandError, load};
use crate::event_store::{AppendRequest, EventStore, ExpectedVersion, StoreError};
use crate::interop::mspdi::{Plan, Predecessor};
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

pub async fn import_plan(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    into: Option<ProjectId>,
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
            "the plan has no milestones (tasks with <Milestone>1</Milestone>)",
        )])
        .into());
    }
    let reason = format!("Imported from the MS Project plan “{}”", plan.title);
    let mut appends = Vec::new();

    // The project: the one named, or a new one for the plan.
    let (project_id, project_created) = match into {
        Some(project_id) => {
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
            (project_id, false)
        }
        None => {
            allow(ProgramAction::AddProject)?;
            let project_id = ProjectId::from_uuid(Uuid::new_v4());
            let mut project = Project::default();
            let mut events = Vec::new();
            decide_into(
                &mut project,
                ProjectCommand::Add {
                    project_id,
                    program_id,
                    program_exists: true,
                    program_objectives: Vec::new(),
                    name: plan.title.clone(),
                    manager: plan.manager.clone().unwrap_or_else(|| "Unassigned".into()),
                    objectives: Vec::new(),
                },
                &mut events,
            )?;
            appends.push(stream(
                project_id.0,
                ExpectedVersion::NoStream,
                &events,
                ctx,
                &reason,
            ));
            (project_id, true)
        }
    };

    let earlier = imported_milestones(store, program_id).await?;
    let refs_here: Vec<String> = plan
        .milestones
        .iter()
        .map(|m| format!("{}#{}", plan.key, m.uid))
        .collect();
    let again = refs_here
        .iter()
        .filter(|r| earlier.contains_key(*r))
        .count();
    if again > 0 {
        return Err(DomainError::AlreadyExists(format!(
            "the plan “{}” was imported already ({again} of its milestones are in this program)",
            plan.key
        ))
        .into());
    }

    // Milestones: added at their baseline (the plan), baselined, moved to their current finish,
    // met when they have an actual finish.
    let owner_default = plan.manager.clone().unwrap_or_else(|| "Unassigned".into());
    let mut here: HashMap<u32, MilestoneRef> = HashMap::new();
    let (mut baselined, mut met) = (0, 0);
    for (m, external_ref) in plan.milestones.iter().zip(refs_here) {
        // Derived from the reference, so two imports of one plan racing past the check above
        // cannot both append: the second finds the milestone's stream already there.
        let milestone_id = imported_milestone_id(program_id, &external_ref);
        let owner = m.owner.clone().unwrap_or_else(|| owner_default.clone());
        let mut state = Milestone::default();
        let mut events = Vec::new();
        let planned = m.baseline.unwrap_or(m.finish);
        decide_into(
            &mut state,
            MilestoneCommand::Add {
                milestone_id,
                program_id,
                project_id,
                project_in_program: true,
                name: m.name.clone(),
                kind: MilestoneKind::Milestone,
                owner: owner.clone(),
                planned_start: None,
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
            )?;
            baselined += 1;
        }
        if m.finish != planned {
            decide_into(
                &mut state,
                MilestoneCommand::ChangeForecast {
                    to: m.finish,
                    start: None,
                },
                &mut events,
            )?;
        }
        if let Some(actual) = m.actual {
            decide_into(&mut state, MilestoneCommand::Meet { actual }, &mut events)?;
            met += 1;
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
    // plan whose links (with the program's existing ones) form a cycle is refused whole.
    let register_id = register_stream_id(program_id);
    let loaded = load::<DependencyRegister>(store, register_id).await?;
    let mut register = loaded.state;
    let mut events = Vec::new();
    let mut warnings = Vec::new();
    for link in &plan.links {
        // The parser links only milestones it keeps; a link naming anything else is the file's
        // contradiction, reported rather than trusted.
        let unknown = |uid: &u32| {
            CommandError::from(DomainError::Invalid(vec![FieldError::new(
                "file",
                format!("a link names task {uid}, which is not a milestone of the plan"),
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

    let recorded = store
        .append(ctx.identify(AppendRequest { streams: appends }))
        .await?;
    Ok(ImportReport {
        project_id,
        project_created,
        milestones: plan.milestones.len(),
        baselined,
        met,
        dependencies,
        collapsed_links: plan.collapsed_links,
        warnings,
        position: recorded.last().map_or(0, |e| e.position),
    })
}

/// The id of the milestone an imported plan's task becomes in `program_id`: one per reference.
fn imported_milestone_id(program_id: ProgramId, external_ref: &str) -> MilestoneId {
    let name = format!("mspdi-milestone:{external_ref}");
    MilestoneId::from_uuid(Uuid::new_v5(&program_id.0, name.as_bytes()))
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
