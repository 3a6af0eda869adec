//! Milestones and dependencies as CSV (with the `csv` crate: quoting, embedded newlines and
//! header handling are its job): the export a program manager opens in a spreadsheet, and the
//! rows an import reads back. The columns are the same both ways, so an export edited and
//! imported again changes exactly what was edited.
//!
//! Free-text cells (names, owners) are guarded against formula injection on the way out and
//! unguarded on the way in (see [`neutralise`]), so an export opened in a spreadsheet runs nothing
//! and an export imported again gives back the same names.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use throughline_shared::analysis::ScheduleAnalysis;
use throughline_shared::dependency::DependencyState;
use throughline_shared::ids::{DependencyId, MilestoneId};
use throughline_shared::milestone::MilestoneKind;
use throughline_shared::schedule::DependencyType;
use throughline_shared::view::ProgramView;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneRow {
    /// Empty for a new milestone.
    #[serde(default)]
    pub milestone_id: Option<MilestoneId>,
    #[serde(with = "text_cell")]
    pub project: String,
    #[serde(with = "text_cell")]
    pub name: String,
    #[serde(default = "milestone_kind")]
    pub kind: MilestoneKind,
    #[serde(default, with = "text_cell")]
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
    /// Export only: forecast minus baseline. A number (it may be negative, "-3"), so written as
    /// one: never guarded like the text cells.
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
    #[serde(with = "text_cell")]
    pub provider_project: String,
    #[serde(with = "text_cell")]
    pub provider: String,
    #[serde(with = "text_cell")]
    pub consumer_project: String,
    #[serde(with = "text_cell")]
    pub consumer: String,
    #[serde(rename = "type", default = "dependency_type")]
    pub kind: DependencyType,
    /// A number that is often negative (a lead, "-2"): written as a number, never guarded.
    #[serde(default)]
    pub lag_days: i32,
    #[serde(default)]
    pub need_by: Option<NaiveDate>,
    /// The recorded state (a wire name of our own, which starts with a letter). Read back, so
    /// an export imported again keeps every dependency as it is, and an import refuses a state it
    /// cannot apply; empty (a hand-written row): proposed, or as it is.
    #[serde(default)]
    pub state: Option<DependencyState>,
    /// Export only: the status as of the export's day (a wire name of our own), with the gap (a
    /// number, maybe negative).
    #[serde(default, skip_deserializing)]
    pub status: String,
    #[serde(default, skip_deserializing)]
    pub gap_days: i64,
    #[serde(default, with = "text_cell")]
    pub provider_owner: String,
    #[serde(default, with = "text_cell")]
    pub consumer_owner: String,
}

fn dependency_type() -> DependencyType {
    DependencyType::FinishToStart
}

/// What makes a spreadsheet read a cell as a formula (OWASP "CSV injection"): `=`, `+`, `-`, `@`,
/// and a tab or carriage return in front of them.
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `text` is a trigger, or a trigger behind any number of single quotes (those too get
/// one more quote, so that [`restore`] can tell a guard from a quote that was there).
fn needs_guard(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(FORMULA_TRIGGERS)
}

/// A free-text cell as exported: a single quote in front of a cell a spreadsheet would read as a
/// formula (`=HYPERLINK(…)`, `+1`, `@SUM(A1)`, `-2+3`), so it shows the text instead. Only for
/// text cells: numbers (a lag of "-2") are written as numbers and stay numbers.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if needs_guard(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A free-text cell as imported: the inverse of [`neutralise`] (the guard quote, and only it, is
/// removed), so `restore(&neutralise(x)) == x` for every text and an export imported again gives
/// back the same names.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

/// `#[serde(with = "text_cell")]`: a free-text column, guarded by [`neutralise`] and [`restore`].
pub(crate) mod text_cell {
    use super::*;

    pub fn serialize<S: Serializer>(text: &str, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&neutralise(text))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        let cell = String::deserialize(deserializer)?;
        Ok(restore(&cell).to_string())
    }
}

pub(crate) fn write<R: Serialize>(rows: impl IntoIterator<Item = R>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        // Rows are flat structs of texts, numbers and dates, which the csv crate always writes;
        // were one ever refused, the file says so by missing it, and the log says why.
        if let Err(e) = writer.serialize(row) {
            tracing::error!(error = %e, "a CSV row could not be written; left out");
        }
    }
    // Writing to memory cannot fail, and every cell came from a `String`.
    let _ = writer.flush();
    String::from_utf8_lossy(writer.get_ref()).into_owned()
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
            state: Some(d.state),
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use throughline_shared::ids::{ProgramId, ProjectId};
    use throughline_shared::view::{DependencyView, MilestoneView, ProjectView};
    use uuid::Uuid;

    /// Texts a spreadsheet would run, and texts that merely look like guarded ones.
    const HOSTILE: [&str; 12] = [
        "=HYPERLINK(\"http://x\")",
        "+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1+1",
        "'=already quoted",
        "''+twice",
        "'",
        "'plain quote",
        "=",
        "-",
    ];

    #[test]
    fn cells_that_start_a_formula_get_a_quote_and_others_stay_as_they_are() {
        assert_eq!(
            neutralise("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("-2+3"), "'-2+3");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("\rx"), "'\rx");
        // A quote that was typed stays distinguishable from the guard.
        assert_eq!(neutralise("'=x"), "''=x");
        for plain in [
            "Ledger go-live",
            "a=b",
            "x+1",
            "",
            "'plain",
            "'",
            " =x",
            "1-2",
        ] {
            assert!(
                matches!(neutralise(plain), Cow::Borrowed(p) if p == plain),
                "{plain:?}"
            );
        }
    }

    #[test]
    fn a_guarded_cell_is_read_back_as_the_text_and_a_typed_quote_is_kept() {
        assert_eq!(restore("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(restore("'-2+3"), "-2+3");
        assert_eq!(restore("''=x"), "'=x");
        // Not a guard: a quote before something harmless, or on its own.
        assert_eq!(restore("'plain"), "'plain");
        assert_eq!(restore("'"), "'");
        assert_eq!(restore("O'Brien"), "O'Brien");
        for text in HOSTILE {
            assert_eq!(restore(&neutralise(text)), text, "round trip of {text:?}");
            assert!(
                !neutralise(text).starts_with(FORMULA_TRIGGERS),
                "{text:?} is safe once exported"
            );
        }
    }

    /// A program of one project (`project`) whose milestones are `names`, each owned by `owner`,
    /// forecast two days before their baseline, the first providing the second (lag -2).
    pub(in crate::interop) fn view_named(
        project: &str,
        names: &[&str],
        owner: &str,
    ) -> ProgramView {
        let day = |d: u32| NaiveDate::from_ymd_opt(2027, 3, d).unwrap();
        let at = Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap();
        let project_id = ProjectId::from_uuid(Uuid::from_u128(2));
        let milestones: Vec<MilestoneView> = names
            .iter()
            .zip(10u128..)
            .map(|(name, id)| MilestoneView {
                milestone_id: MilestoneId::from_uuid(Uuid::from_u128(id)),
                project_id,
                name: name.to_string(),
                kind: MilestoneKind::Milestone,
                owner: owner.to_string(),
                planned: day(10),
                planned_start: None,
                forecast: day(12),
                forecast_start: None,
                baseline: Some(day(14)),
                actual: None,
                version: 3,
                percent_complete: 0,
                actual_start: None,
                external_ref: None,
            })
            .collect();
        let dependencies = milestones
            .windows(2)
            .map(|pair| DependencyView {
                dependency_id: DependencyId::from_uuid(Uuid::from_u128(99)),
                provider: pair[0].milestone_id,
                provider_project: project_id,
                consumer: pair[1].milestone_id,
                consumer_project: project_id,
                kind: DependencyType::FinishToStart,
                lag_days: -2,
                need_by: None,
                provider_owner: owner.to_string(),
                consumer_owner: owner.to_string(),
                description: String::new(),
                state: DependencyState::Agreed,
                proposed_at: at,
                closed_reason: None,
                version: 1,
            })
            .take(1)
            .collect();
        ProgramView {
            name: project.to_string(),
            projects: vec![ProjectView {
                project_id,
                name: project.to_string(),
                manager: owner.to_string(),
                version: 1,
                status: None,
                previous_rag: None,
                added_at: at,
                objectives: Vec::new(),
                stage: Default::default(),
                stage_reason: None,
            }],
            milestones,
            dependencies,
            created_at: Some(at),
            updated_at: Some(at),
            ..ProgramView::new(ProgramId::from_uuid(Uuid::from_u128(1)))
        }
    }

    #[test]
    fn exports_guard_text_cells_keep_numbers_and_import_back_to_the_same_names() {
        let view = view_named("@SUM(A1)", &["=HYPERLINK(\"http://x\")", "-2+3"], "+1");
        let csv = milestones_csv(&view);
        let cells: Vec<Vec<String>> = csv::Reader::from_reader(csv.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        assert_eq!(
            &cells[0][1..5],
            ["'@SUM(A1)", "'=HYPERLINK(\"http://x\")", "milestone", "'+1"]
        );
        assert_eq!(cells[1][2], "'-2+3");
        // Forecast minus baseline is -2: a number, unguarded.
        assert_eq!(cells[0].last().unwrap(), "-2", "{csv}");
        for row in &cells {
            for cell in &row[1..] {
                assert!(
                    !cell.starts_with(FORMULA_TRIGGERS) || cell.parse::<i64>().is_ok(),
                    "{cell:?} in {csv}"
                );
            }
        }
        let rows: Vec<MilestoneRow> = read(&csv).unwrap();
        let names: Vec<(&str, &str, &str)> = rows
            .iter()
            .map(|r| (r.project.as_str(), r.name.as_str(), r.owner.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("@SUM(A1)", "=HYPERLINK(\"http://x\")", "+1"),
                ("@SUM(A1)", "-2+3", "+1")
            ]
        );

        let analysis = view.analyse(NaiveDate::from_ymd_opt(2027, 3, 1).unwrap());
        let csv = dependencies_csv(&view, &analysis);
        let record = csv::Reader::from_reader(csv.as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap();
        let cell = |i: usize| record.get(i).unwrap().to_string();
        assert_eq!(
            (cell(1), cell(2), cell(3), cell(4)),
            (
                "'@SUM(A1)".to_string(),
                "'=HYPERLINK(\"http://x\")".to_string(),
                "'@SUM(A1)".to_string(),
                "'-2+3".to_string()
            )
        );
        assert_eq!(cell(6), "-2", "the lag stays a (negative) number: {csv}");
        assert_eq!((cell(11), cell(12)), ("'+1".to_string(), "'+1".to_string()));
        let rows: Vec<DependencyRow> = read(&csv).unwrap();
        assert_eq!(
            (
                rows[0].provider_project.as_str(),
                rows[0].provider.as_str(),
                rows[0].consumer.as_str(),
                rows[0].lag_days,
                rows[0].provider_owner.as_str()
            ),
            ("@SUM(A1)", "=HYPERLINK(\"http://x\")", "-2+3", -2, "+1")
        );
    }

    #[test]
    fn every_hostile_text_survives_an_export_and_an_import() {
        for text in HOSTILE {
            // Names are trimmed when they are entered (and cells when they are read), so a
            // leading tab or carriage return only ever reaches an export in other text.
            let name = text.trim();
            if name.is_empty() {
                continue;
            }
            let view = view_named(name, &[name, "second"], name);
            let rows: Vec<MilestoneRow> = read(&milestones_csv(&view)).unwrap();
            assert_eq!(
                (
                    rows[0].project.as_str(),
                    rows[0].name.as_str(),
                    rows[0].owner.as_str()
                ),
                (name, name, name)
            );
        }
    }

    #[test]
    fn a_dependencys_state_is_exported_and_read_back_and_an_unknown_one_is_a_row_problem() {
        let mut view = view_named("Ledger", &["Data model", "Posting API"], "Amara");
        let analysis = view.analyse(NaiveDate::from_ymd_opt(2027, 3, 1).unwrap());
        for state in [
            DependencyState::Proposed,
            DependencyState::Agreed,
            DependencyState::Broken,
            DependencyState::Cancelled,
        ] {
            view.dependencies[0].state = state;
            let rows: Vec<DependencyRow> = read(&dependencies_csv(&view, &analysis)).unwrap();
            assert_eq!(rows[0].state, Some(state));
        }
        let header = "provider_project,provider,consumer_project,consumer,state\n";
        let rows: Vec<DependencyRow> =
            read(&format!("{header}Ledger,Data model,Ledger,Posting API,\n")).unwrap();
        assert_eq!(rows[0].state, None, "a hand-written row may leave it empty");
        let problems = read::<DependencyRow>(&format!(
            "{header}Ledger,Data model,Ledger,Posting API,agreed\n\
             Ledger,Data model,Ledger,Posting API,revived\n"
        ))
        .unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("row 3: ")
                && problems[0].contains("`revived`, expected one of `proposed`, `agreed`"),
            "{problems:?}"
        );
    }
}
