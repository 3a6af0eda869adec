//! Milestones and dependencies as CSV (with the `csv` crate: quoting, embedded newlines and
//! header handling are its job): the export a program manager opens in a spreadsheet, and the
//! rows an import reads back. The columns are the same both ways, so an export edited and
//! imported again changes exactly what was edited.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use throughline_shared::analysis::ScheduleAnalysis;
use throughline_shared::ids::{DependencyId, MilestoneId};
use throughline_shared::milestone::MilestoneKind;
use throughline_shared::schedule::DependencyType;
use throughline_shared::view::ProgramView;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneRow {
    /// Empty for a new milestone.
    #[serde(default)]
    pub milestone_id: Option<MilestoneId>,
    pub project: String,
    pub name: String,
    #[serde(default = "milestone_kind")]
    pub kind: MilestoneKind,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub planned_start: Option<NaiveDate>,
    #[serde(default)]
    pub planned: Option<NaiveDate>,
    #[serde(default)]
    pub baseline: Option<NaiveDate>,
    #[serde(default)]
    pub forecast_start: Option<NaiveDate>,
    #[serde(default)]
    pub forecast: Option<NaiveDate>,
    #[serde(default)]
    pub actual: Option<NaiveDate>,
    /// Export only: forecast minus baseline.
    #[serde(default, skip_deserializing)]
    pub variance_days: Option<i64>,
}

fn milestone_kind() -> MilestoneKind {
    MilestoneKind::Milestone
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DependencyRow {
    #[serde(default)]
    pub dependency_id: Option<DependencyId>,
    pub provider_project: String,
    pub provider: String,
    pub consumer_project: String,
    pub consumer: String,
    #[serde(rename = "type", default = "dependency_type")]
    pub kind: DependencyType,
    #[serde(default)]
    pub lag_days: i32,
    #[serde(default)]
    pub need_by: Option<NaiveDate>,
    /// Export only: the recorded state and the status as of the export's day, with the gap.
    #[serde(default, skip_deserializing)]
    pub state: String,
    #[serde(default, skip_deserializing)]
    pub status: String,
    #[serde(default, skip_deserializing)]
    pub gap_days: i64,
    #[serde(default)]
    pub provider_owner: String,
    #[serde(default)]
    pub consumer_owner: String,
}

fn dependency_type() -> DependencyType {
    DependencyType::FinishToStart
}

fn write<R: Serialize>(rows: impl IntoIterator<Item = R>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.serialize(row).expect("rows serialize to CSV");
    }
    String::from_utf8(writer.into_inner().expect("an in-memory writer")).expect("CSV is UTF-8")
}

pub fn milestones_csv(view: &ProgramView) -> String {
    write(view.milestones.iter().map(|m| {
        MilestoneRow {
            milestone_id: Some(m.milestone_id),
            project: view
                .project(m.project_id)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            name: m.name.clone(),
            kind: m.kind,
            owner: m.owner.clone(),
            planned_start: m.planned_start,
            planned: Some(m.planned),
            baseline: m.baseline,
            forecast_start: m.forecast_start,
            forecast: Some(m.forecast),
            actual: m.actual,
            variance_days: m.variance_days(),
        }
    }))
}

pub fn dependencies_csv(view: &ProgramView, analysis: &ScheduleAnalysis) -> String {
    let names = |id| {
        view.milestone(id)
            .map_or((String::new(), String::new()), |m| {
                (
                    view.project(m.project_id)
                        .map(|p| p.name.clone())
                        .unwrap_or_default(),
                    m.name.clone(),
                )
            })
    };
    let health = analysis.by_dependency();
    write(view.dependencies.iter().map(|d| {
        let (provider_project, provider) = names(d.provider);
        let (consumer_project, consumer) = names(d.consumer);
        let health = health.get(&d.dependency_id);
        DependencyRow {
            dependency_id: Some(d.dependency_id),
            provider_project,
            provider,
            consumer_project,
            consumer,
            kind: d.kind,
            lag_days: d.lag_days,
            need_by: d.need_by,
            state: format!("{:?}", d.state).to_lowercase(),
            status: health.map_or("", |h| h.status.wire_name()).to_string(),
            gap_days: health.map_or(0, |h| h.gap_days),
            provider_owner: d.provider_owner.clone(),
            consumer_owner: d.consumer_owner.clone(),
        }
    }))
}

/// Every row, or every row's problem ("row 3: …", counting the header as row 1).
pub fn read<R: for<'de> Deserialize<'de>>(text: &str) -> Result<Vec<R>, Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (i, row) in reader.deserialize::<R>().enumerate() {
        match row {
            Ok(row) => rows.push(row),
            Err(e) => problems.push(format!("row {}: {}", i + 2, plain(&e))),
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push("the file has no rows under its header".into());
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// The csv crate's message without its position prefix (the row is said separately).
fn plain(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Deserialize { err, .. } => match err.field() {
            Some(field) => format!("column {}: {}", field + 1, err.kind()),
            None => err.kind().to_string(),
        },
        _ => error.to_string(),
    }
}
