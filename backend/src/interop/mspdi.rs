//! Reading MS Project XML (MSPDI, with or without its `xmlns`): the plan's tasks — milestones
//! (flagged, or of no duration) and deliverables (a start and a finish) — with their baseline,
//! forecast and actual dates, % complete, owners from resource assignments, and the top-level
//! summary task each sits under (a grouping the importer may turn into projects); the links
//! between them with their type and lag, links through tasks not imported (summaries) collapsed
//! to finish-to-start, and links to tasks of other project files (`CrossProject`). What is not
//! imported is listed with the reason.
//!
//! Pure: text in, a plan or an error naming what is wrong (and where) out. Everything is checked
//! before anything is imported.

use chrono::NaiveDate;
use std::collections::{BTreeSet, HashMap};
use throughline_shared::milestone::MilestoneKind;
use throughline_shared::schedule::DependencyType;

/// A task of the plan that is imported: a milestone or a deliverable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanMilestone {
    pub uid: u32,
    pub name: String,
    pub kind: MilestoneKind,
    /// A deliverable's current (forecast) start.
    pub start: Option<NaiveDate>,
    /// The current (forecast) finish.
    pub finish: NaiveDate,
    /// Baseline 0: a deliverable's start and the finish.
    pub baseline_start: Option<NaiveDate>,
    pub baseline: Option<NaiveDate>,
    pub actual: Option<NaiveDate>,
    pub percent_complete: Option<u8>,
    /// A deliverable's actual start.
    pub actual_start: Option<NaiveDate>,
    pub owner: Option<String>,
    /// The top-level summary task it sits under.
    pub group: Option<String>,
}

/// Where a link's predecessor is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Predecessor {
    /// A milestone of this plan (by UID).
    Here(u32),
    /// A task of another project file: the file's stem (e.g. "Ledger" for `C:\Plans\Ledger.mpp`)
    /// and the task's UID there.
    Elsewhere { project: String, uid: u32 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanLink {
    pub predecessor: Predecessor,
    /// A milestone of this plan (by UID).
    pub successor: u32,
    pub kind: DependencyType,
    pub lag_days: i32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The file's stem: what other plans' cross-project links call it.
    pub key: String,
    pub title: String,
    pub manager: Option<String>,
    pub milestones: Vec<PlanMilestone>,
    pub links: Vec<PlanLink>,
    /// Links through tasks not imported (summaries) that were followed back to imported ones.
    pub collapsed_links: usize,
    /// The top-level summary tasks, in the file's order.
    pub groups: Vec<String>,
    /// What the file holds that is not imported, and why.
    pub skipped: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MspdiError(pub String);

fn err(message: impl Into<String>) -> MspdiError {
    MspdiError(message.into())
}

/// What one `<Task>` says.
struct Task {
    uid: u32,
    name: String,
    milestone: bool,
    summary: bool,
    /// A blank row of the plan.
    null: bool,
    outline_level: u32,
    start: Option<NaiveDate>,
    finish: Option<NaiveDate>,
    baseline_start: Option<NaiveDate>,
    baseline: Option<NaiveDate>,
    actual: Option<NaiveDate>,
    actual_start: Option<NaiveDate>,
    percent_complete: Option<u8>,
    predecessors: Vec<(Predecessor, DependencyType, i32)>,
}

/// `2027-03-01T17:00:00` (MSPDI's local date-times) → the date.
fn date(text: &str, what: &str) -> Result<NaiveDate, MspdiError> {
    let day = text.trim().get(..10).unwrap_or("");
    NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
        err(format!(
            "{what}: {text:?} is not a date-time like 2027-03-01T17:00:00"
        ))
    })
}

fn child<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<roxmltree::Node<'a, 'a>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn text<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<&'a str> {
    child(node, name)
        .and_then(|c| c.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

fn flag(node: roxmltree::Node, name: &str) -> bool {
    matches!(text(node, name), Some("1") | Some("true"))
}

/// MSPDI link types: 0 FF, 1 FS, 2 SF, 3 SS.
fn link_type(code: &str, at: &str) -> Result<DependencyType, MspdiError> {
    match code {
        "0" => Ok(DependencyType::FinishToFinish),
        "1" => Ok(DependencyType::FinishToStart),
        "2" => Ok(DependencyType::StartToFinish),
        "3" => Ok(DependencyType::StartToStart),
        other => Err(err(format!(
            "{at}: link type {other:?} is not 0 (FF), 1 (FS), 2 (SF) or 3 (SS)"
        ))),
    }
}

/// `LinkLag` is in tenths of a minute; elapsed formats (even `LagFormat` codes) count 24-hour
/// days, the others 8-hour working days.
fn lag_days(lag: &str, format: Option<&str>, at: &str) -> Result<i32, MspdiError> {
    let tenths: i64 = lag
        .parse()
        .map_err(|_| err(format!("{at}: LinkLag {lag:?} is not a number")))?;
    let elapsed = format
        .and_then(|f| f.parse::<u32>().ok())
        .is_some_and(|f| f % 2 == 0 && f <= 12);
    let minutes_per_day = if elapsed { 1440 } else { 480 };
    let days = (tenths as f64 / 10.0 / minutes_per_day as f64).round();
    if days.abs() > f64::from(throughline_shared::dependency::LAG_DAYS_MAX) {
        return Err(err(format!("{at}: a lag of {days} days is not plausible")));
    }
    Ok(days as i32)
}

/// The stem of a file path in either separator style: `C:\Plans\Ledger.mpp` → `Ledger`.
fn stem(path: &str) -> String {
    let file = path.rsplit(['\\', '/']).next().unwrap_or(path);
    match file.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => file.to_string(),
    }
}

fn parse_task(node: roxmltree::Node) -> Result<Task, MspdiError> {
    let uid_text = text(node, "UID").ok_or_else(|| err("a <Task> has no <UID>"))?;
    let uid: u32 = uid_text
        .parse()
        .map_err(|_| err(format!("task UID {uid_text:?} is not a number")))?;
    let at = format!("task {uid}");
    let name = text(node, "Name").unwrap_or("").to_string();
    let milestone = flag(node, "Milestone");
    let start = text(node, "Start")
        .map(|t| date(t, &format!("{at} <Start>")))
        .transpose()?;
    let finish = text(node, "Finish")
        .map(|t| date(t, &format!("{at} <Finish>")))
        .transpose()?;
    let baseline_node = node
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "Baseline")
        .find(|b| text(*b, "Number").is_none_or(|n| n == "0"));
    let baseline_date = |field: &str| {
        baseline_node
            .and_then(|b| text(b, field))
            .map(|t| date(t, &format!("{at} baseline <{field}>")))
            .transpose()
    };
    let baseline = baseline_date("Finish")?;
    let baseline_start = baseline_date("Start")?;
    let percent_complete = text(node, "PercentComplete")
        .and_then(|p| p.parse::<u32>().ok())
        .map(|p| u8::try_from(p.min(100)).unwrap_or(100));
    let outline_level = text(node, "OutlineLevel")
        .and_then(|l| l.parse().ok())
        .unwrap_or(1);
    let actual = text(node, "ActualFinish")
        .map(|t| date(t, &format!("{at} <ActualFinish>")))
        .transpose()?;
    let actual_start = text(node, "ActualStart")
        .map(|t| date(t, &format!("{at} <ActualStart>")))
        .transpose()?;
    let mut predecessors = Vec::new();
    for link in node
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "PredecessorLink")
    {
        let kind = link_type(text(link, "Type").unwrap_or("1"), &at)?;
        let lag = lag_days(
            text(link, "LinkLag").unwrap_or("0"),
            text(link, "LagFormat"),
            &at,
        )?;
        let predecessor = if flag(link, "CrossProject") {
            let name = text(link, "CrossProjectName").ok_or_else(|| {
                err(format!(
                    "{at}: a cross-project link has no <CrossProjectName>"
                ))
            })?;
            let (file, other_uid) = name.rsplit_once('\\').ok_or_else(|| {
                err(format!(
                    "{at}: cross-project link {name:?} is not \"<project file>\\<task UID>\""
                ))
            })?;
            let other_uid = other_uid.parse().map_err(|_| {
                err(format!(
                    "{at}: cross-project link {name:?} does not end in a task UID"
                ))
            })?;
            Predecessor::Elsewhere {
                project: stem(file),
                uid: other_uid,
            }
        } else {
            let p = text(link, "PredecessorUID")
                .ok_or_else(|| err(format!("{at}: a <PredecessorLink> has no <PredecessorUID>")))?;
            Predecessor::Here(
                p.parse()
                    .map_err(|_| err(format!("{at}: PredecessorUID {p:?} is not a number")))?,
            )
        };
        predecessors.push((predecessor, kind, lag));
    }
    Ok(Task {
        uid,
        name,
        milestone,
        summary: flag(node, "Summary"),
        null: flag(node, "IsNull"),
        outline_level,
        start,
        finish,
        baseline_start,
        baseline,
        actual,
        actual_start,
        percent_complete,
        predecessors,
    })
}

/// How deeply elements may nest. An MSPDI plan is five levels deep; roxmltree parses nesting by
/// recursion, so a document of thousands of nested elements would overflow the stack and take the
/// process down: it is refused before parsing.
const MAX_DEPTH: usize = 64;
/// How many nodes (elements, attributes, texts) a plan may have: ~20 per task, so room for
/// tens of thousands of tasks, while bounding the memory one request can take.
const MAX_NODES: u32 = 2_000_000;

/// Refuses documents nested deeper than [`MAX_DEPTH`], by a flat scan of the tags (comments,
/// CDATA, processing instructions and declarations skipped; quoted attribute values may hold
/// `>`). Malformed input is left for the parser to name.
fn check_nesting(xml: &str) -> Result<(), MspdiError> {
    let past = |rest: &str, end: &str| rest.find(end).map(|i| i + end.len());
    let mut depth = 0_usize;
    let mut rest = xml;
    while let Some(at) = rest.find('<') {
        rest = rest.get(at..).unwrap_or_default();
        let consumed = if rest.starts_with("<!--") {
            past(rest, "-->")
        } else if rest.starts_with("<![CDATA[") {
            past(rest, "]]>")
        } else if rest.starts_with("<?") {
            past(rest, "?>")
        } else if rest.starts_with("</") {
            depth = depth.saturating_sub(1);
            past(rest, ">")
        } else if rest.starts_with("<!") {
            past(rest, ">")
        } else {
            tag_end(rest).map(|end| {
                if !rest.get(..end).is_some_and(|tag| tag.ends_with('/')) {
                    depth += 1;
                }
                end + 1
            })
        };
        if depth > MAX_DEPTH {
            return Err(err(format!(
                "elements are nested more than {MAX_DEPTH} levels deep; an MS Project plan is \
                 about five"
            )));
        }
        match consumed {
            Some(n) => rest = rest.get(n..).unwrap_or_default(),
            None => break,
        }
    }
    Ok(())
}

/// Where a start tag ends: its `>`, outside quoted attribute values.
fn tag_end(tag: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

pub fn parse(xml: &str) -> Result<Plan, MspdiError> {
    check_nesting(xml)?;
    let options = roxmltree::ParsingOptions {
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(xml, options)
        .map_err(|e| err(format!("not well-formed XML: {e}")))?;
    let root = doc.root_element();
    // Primavera P6's XML export: named, with the way to a file this importer reads.
    if root.tag_name().name() == "APIBusinessObjects" {
        return Err(err(
            "this is a Primavera P6 XML export; export the project from P6 as Microsoft Project \
             XML (File → Export → Microsoft Project) and import that",
        ));
    }
    if root.tag_name().name() != "Project" {
        return Err(err(format!(
            "the document is a <{}>, not an MS Project <Project>",
            root.tag_name().name()
        )));
    }
    let file_name = text(root, "Name");
    let title = text(root, "Title").or(file_name).unwrap_or("").to_string();
    if title.is_empty() {
        return Err(err("the project has neither a <Title> nor a <Name>"));
    }
    let key = stem(file_name.unwrap_or(&title));
    let tasks_node = child(root, "Tasks").ok_or_else(|| err("the project has no <Tasks>"))?;
    let mut tasks = Vec::new();
    for node in tasks_node
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "Task")
    {
        tasks.push(parse_task(node)?);
    }
    let mut by_uid: HashMap<u32, usize> = HashMap::new();
    for (i, task) in tasks.iter().enumerate() {
        if by_uid.insert(task.uid, i).is_some() {
            return Err(err(format!("task UID {} appears twice", task.uid)));
        }
    }
    for task in &tasks {
        for (p, _, _) in &task.predecessors {
            if let Predecessor::Here(uid) = p
                && !by_uid.contains_key(uid)
            {
                return Err(err(format!(
                    "task {} ({}) follows task {uid}, which is not in the file",
                    task.uid, task.name
                )));
            }
        }
    }

    // Owners: the first resource assigned to each task.
    let resources: HashMap<&str, &str> = child(root, "Resources")
        .into_iter()
        .flat_map(|r| r.children().filter(|c| c.is_element()))
        .filter_map(|r| Some((text(r, "UID")?, text(r, "Name")?)))
        .collect();
    let mut owners: HashMap<&str, &str> = HashMap::new();
    for assignment in child(root, "Assignments")
        .into_iter()
        .flat_map(|a| a.children().filter(|c| c.is_element()))
    {
        if let (Some(task), Some(resource)) =
            (text(assignment, "TaskUID"), text(assignment, "ResourceUID"))
            && let Some(name) = resources.get(resource)
        {
            owners.entry(task).or_insert(name);
        }
    }

    // Which top-level summary each task sits under: the last summary at outline level 1 before
    // it (the file lists tasks in outline order), none for a top-level task of its own.
    let mut groups = Vec::new();
    let mut group_of: HashMap<u32, String> = HashMap::new();
    let mut current: Option<String> = None;
    for task in tasks.iter().filter(|t| !t.null) {
        if task.outline_level <= 1 {
            current = (task.summary && task.outline_level == 1 && !task.name.is_empty())
                .then(|| task.name.clone());
            if let Some(group) = &current
                && !groups.contains(group)
            {
                groups.push(group.clone());
            }
        } else if let Some(group) = &current {
            group_of.insert(task.uid, group.clone());
        }
    }

    let mut milestones = Vec::new();
    let mut skipped = Vec::new();
    let summaries = tasks
        .iter()
        .filter(|t| t.summary && t.outline_level > 0)
        .count();
    if summaries > 0 {
        skipped.push(format!(
            "{summaries} summary task(s): they group the plan's tasks and are not imported themselves"
        ));
    }
    for task in &tasks {
        // The project's own summary (outline level 0), blank rows and summaries are not work.
        if task.summary || task.null || task.outline_level == 0 {
            continue;
        }
        if task.name.is_empty() {
            skipped.push(format!("task {}: it has no name", task.uid));
            continue;
        }
        let Some(finish) = task.finish else {
            skipped.push(format!(
                "task {} (“{}”): it has no finish date",
                task.uid, task.name
            ));
            continue;
        };
        // A milestone is flagged so, or takes no time; anything else is a deliverable.
        let span = task.start.filter(|s| *s < finish);
        let (kind, start, baseline_start) = match span {
            Some(start) if !task.milestone => (
                MilestoneKind::Deliverable,
                Some(start),
                task.baseline_start
                    .filter(|s| task.baseline.is_none_or(|b| *s <= b)),
            ),
            _ => (MilestoneKind::Milestone, None, None),
        };
        milestones.push(PlanMilestone {
            uid: task.uid,
            name: task.name.clone(),
            kind,
            start,
            finish,
            baseline_start,
            baseline: task.baseline,
            actual: task.actual,
            percent_complete: task.percent_complete,
            // Only work has a start; one past the finish it reached is not believed.
            actual_start: task.actual_start.filter(|s| {
                kind == MilestoneKind::Deliverable && task.actual.is_none_or(|a| *s <= a)
            }),
            owner: owners
                .get(task.uid.to_string().as_str())
                .map(|o| o.to_string()),
            group: group_of.get(&task.uid).cloned(),
        });
    }

    // Links into each imported task: direct ones as they are; through tasks not imported (summary
    // tasks, even ones flagged as milestones: they are groupings), walked back to the tasks (or
    // other files' tasks) they start from, as finish-to-start without lag.
    // Every UID here came from the file, so every lookup may fail.
    let task = |uid: &u32| by_uid.get(uid).and_then(|&i| tasks.get(i));
    let kept: BTreeSet<u32> = milestones.iter().map(|m| m.uid).collect();
    let imported = |uid: &u32| kept.contains(uid);
    let mut links = Vec::new();
    let mut collapsed_links = 0;
    for m in &milestones {
        let Some(milestone_task) = task(&m.uid) else {
            continue;
        };
        let mut seen = BTreeSet::new();
        for (p, kind, lag) in &milestone_task.predecessors {
            match p {
                Predecessor::Here(uid) if !imported(uid) => {
                    let mut stack = vec![*uid];
                    while let Some(at) = stack.pop() {
                        if !seen.insert(at) {
                            continue;
                        }
                        for (q, _, _) in task(&at).map_or(&[][..], |t| &t.predecessors) {
                            match q {
                                Predecessor::Here(q_uid) if !imported(q_uid) => stack.push(*q_uid),
                                // A milestone here, or a task of another plan: where it starts.
                                _ => {
                                    collapsed_links += 1;
                                    links.push(PlanLink {
                                        predecessor: q.clone(),
                                        successor: m.uid,
                                        kind: DependencyType::FinishToStart,
                                        lag_days: 0,
                                    });
                                }
                            }
                        }
                    }
                }
                _ => links.push(PlanLink {
                    predecessor: p.clone(),
                    successor: m.uid,
                    kind: *kind,
                    lag_days: *lag,
                }),
            }
        }
    }
    // The same pair reached along two paths is one dependency.
    let mut unique = BTreeSet::new();
    links.retain(|l| {
        let key = match &l.predecessor {
            Predecessor::Here(u) => (String::new(), *u, l.successor),
            Predecessor::Elsewhere { project, uid } => (project.clone(), *uid, l.successor),
        };
        unique.insert(key)
    });

    Ok(Plan {
        key,
        title,
        manager: text(root, "Manager").map(str::to_string),
        milestones,
        links,
        collapsed_links,
        groups,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth))
    }

    #[test]
    fn nesting_is_counted_by_tags_not_by_what_looks_like_them() {
        assert!(check_nesting(&nested(MAX_DEPTH)).is_ok());
        assert!(check_nesting(&nested(MAX_DEPTH + 1)).is_err());
        // Self-closing tags, comments, CDATA, processing instructions, declarations and quoted
        // `>` do not nest.
        let flat = format!(
            "<?xml version=\"1.0\"?><!DOCTYPE p><p>{}</p>",
            "<b x='>' y=\"<a>\"/><!-- <a><a> --><![CDATA[<a><a>]]><?pi <a> ?>".repeat(500)
        );
        assert!(check_nesting(&flat).is_ok());
        // Siblings at one level never add up.
        assert!(check_nesting(&format!("<p>{}</p>", "<a></a>".repeat(10_000))).is_ok());
        // Unterminated input is left to the parser, without a panic.
        for broken in [
            "<",
            "<a",
            "<a x='",
            "<!--",
            "<![CDATA[",
            "</",
            "<?",
            "\u{0}<é",
        ] {
            let _ = check_nesting(broken);
            assert!(parse(broken).is_err());
        }
    }

    #[test]
    fn other_formats_are_refused_saying_what_they_are() {
        let p6 = r#"<?xml version="1.0"?><APIBusinessObjects xmlns="http://xmlns.oracle.com/Primavera/P6/V8.4/API/BusinessObjects"><Project/></APIBusinessObjects>"#;
        assert!(parse(p6).unwrap_err().0.contains("Primavera P6"));
        let other = "<gantt><task/></gantt>";
        assert!(
            parse(other)
                .unwrap_err()
                .0
                .contains("is a <gantt>, not an MS Project <Project>")
        );
    }

    #[test]
    fn a_deep_document_is_refused_before_the_parser_recurses_into_it() {
        let deep = format!("<Project>{}</Project>", nested(100_000));
        let error = parse(&deep).unwrap_err();
        assert!(error.0.contains("nested more than 64 levels"), "{error}");
    }
}
