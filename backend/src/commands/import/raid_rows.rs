//! Risks from CSV rows (the register's export, edited): a row with a `risk_id` revises that risk
//! and reassesses it if its rating, days, cost or review date changed; a row without one
//! identifies a new risk. Every row is decided by the `Risk` aggregate as a single command would
//! be, then all of them go in one atomic append — or, if any row cannot be applied, none.

use super::csv_rows::{explain, finish_csv};
use super::{decide_into, expected, stream};
use crate::commands::raid::may_manage;
use crate::commands::{CommandError, load};
use crate::event_store::{EventStore, ExpectedVersion};
use crate::interop::raid_csv::{RiskCsvRow, parse_amount};
use crate::request_context::RequestContext;
use std::collections::HashSet;
use throughline_shared::access::ProgramAccess;
use throughline_shared::api::CsvImportReport;
use throughline_shared::ids::RiskId;
use throughline_shared::money::{Currency, Money};
use throughline_shared::raid::risk::{Risk, RiskCommand, RiskDetails};
use throughline_shared::raid::settings::{RaidSettings, settings_stream};
use throughline_shared::raid::{Assessment, Rating};
use throughline_shared::view::ProgramView;
use throughline_shared::{DomainError, ProjectId};
use uuid::Uuid;

/// The projects a row names (`;`-separated names, each exactly one project of the program).
fn projects_named(view: &ProgramView, cell: &str) -> Result<Vec<ProjectId>, String> {
    let mut ids = Vec::new();
    for name in cell.split(';').map(str::trim).filter(|n| !n.is_empty()) {
        let found: Vec<ProjectId> = view
            .projects
            .iter()
            .filter(|p| p.name == name)
            .map(|p| p.project_id)
            .collect();
        match found.as_slice() {
            [id] => ids.push(*id),
            [] => return Err(format!("there is no project “{name}” in this program")),
            _ => {
                return Err(format!(
                    "several projects are called “{name}”; rename them apart first"
                ));
            }
        }
    }
    Ok(ids)
}

/// The row's assessment: none when it rates nothing, else both ratings (1–5) and the optional
/// days and cost.
fn assessment_of(row: &RiskCsvRow) -> Result<Option<Assessment>, String> {
    let rating = |n: Option<u8>, what: &str| {
        n.map(|n| Rating::new(n).ok_or_else(|| format!("{what} is 1 to 5 (got {n})")))
            .transpose()
    };
    let cost = if row.cost.trim().is_empty() {
        None
    } else {
        let minor = parse_amount(&row.cost)
            .ok_or_else(|| format!("cost “{}” is not an amount like 40000.00", row.cost))?;
        let currency = Currency::parse(row.currency.trim()).ok_or_else(|| {
            format!(
                "currency “{}” is not a three-letter ISO code in capitals",
                row.currency
            )
        })?;
        Some(Money::new(minor, currency).ok_or_else(|| "cost is out of range".to_string())?)
    };
    match (
        rating(row.probability, "probability")?,
        rating(row.impact, "impact")?,
    ) {
        (Some(probability), Some(impact)) => Ok(Some(Assessment {
            probability,
            impact,
            schedule_days: row.schedule_days,
            cost,
        })),
        (None, None) if row.schedule_days.is_none() && cost.is_none() => Ok(None),
        _ => Err("an assessment needs both probability and impact".into()),
    }
}

pub async fn import_risk_rows(
    store: &EventStore,
    ctx: &RequestContext,
    view: &ProgramView,
    access: &ProgramAccess,
    rows: Vec<RiskCsvRow>,
) -> Result<CsvImportReport, CommandError> {
    let program_id = view.program_id;
    let reason = "Imported from a CSV file";
    let categories = load::<RaidSettings>(store, settings_stream(program_id))
        .await?
        .state
        .categories();
    let mut report = CsvImportReport::default();
    let mut problems = Vec::new();
    let mut appends = Vec::new();
    let mut seen = HashSet::new();
    for (i, row) in rows.into_iter().enumerate() {
        let at = format!("row {}", i + 2);
        let read = projects_named(view, &row.projects)
            .and_then(|projects| assessment_of(&row).map(|a| (projects, a)));
        let (projects, assessment) = match read {
            Ok(read) => read,
            Err(problem) => {
                problems.push(format!("{at}: {problem}"));
                continue;
            }
        };
        may_manage(access, &projects)?;
        let details = |links| RiskDetails {
            title: row.title.clone(),
            description: row.description.clone(),
            cause: row.cause.clone(),
            category: row.category.clone(),
            owner: row.owner.clone(),
            projects: projects.clone(),
            links,
            proximity: row.proximity,
        };
        let mut events = Vec::new();
        let outcome = match row.risk_id {
            Some(id) => {
                if !seen.insert(id) {
                    problems.push(format!("{at}: risk {id} is on an earlier row already"));
                    continue;
                }
                let loaded = load::<Risk>(store, id.0).await?;
                if loaded.state.program_id != Some(program_id) {
                    problems.push(format!("{at}: risk {id} is not in this program"));
                    continue;
                }
                may_manage(access, &loaded.state.details.projects)?;
                let mut state = loaded.state.clone();
                let revise = RiskCommand::Revise {
                    details: details(state.details.links.clone()),
                    categories: categories.clone(),
                };
                let mut result = match decide_into(&mut state, revise, &mut events) {
                    Err(DomainError::NothingToChange(_)) => Ok(()),
                    other => other,
                };
                if let Some(assessment) = assessment
                    && (state.inherent != Some(assessment) || state.review_by != row.review_by)
                {
                    result = result.and_then(|_| {
                        decide_into(
                            &mut state,
                            RiskCommand::Assess {
                                assessment,
                                reason: reason.into(),
                                review_by: row.review_by,
                            },
                            &mut events,
                        )
                    });
                }
                result.map(|_| {
                    if events.is_empty() {
                        report.unchanged += 1;
                    } else {
                        report.updated += 1;
                        appends.push(stream(id.0, expected(loaded.version), &events, ctx, reason));
                    }
                })
            }
            None => {
                let risk_id = RiskId::from_uuid(Uuid::new_v4());
                let identify = RiskCommand::Identify {
                    risk_id,
                    program_id,
                    details: details(Vec::new()),
                    categories: categories.clone(),
                    assessment,
                    review_by: row.review_by,
                };
                decide_into(&mut Risk::default(), identify, &mut events).map(|_| {
                    report.created += 1;
                    appends.push(stream(
                        risk_id.0,
                        ExpectedVersion::NoStream,
                        &events,
                        ctx,
                        reason,
                    ));
                })
            }
        };
        if let Err(e) = outcome {
            problems.push(format!("{at}: {}", explain(e)));
        }
    }
    finish_csv(store, ctx, appends, problems, report).await
}
