//! Issues: the table, the form raising one, and an open issue's actions and resolution.

use super::actions::{ActionList, AddActionForm};
use super::identify::{project_picker, scope};
use super::{
    Choice, Empty, Field, Raid, Rows, Shell, TextForm, date_of, day, expanded, plain_options,
    sorted, tag, trimmed,
};
use crate::api::{self, RaidMethod};
use leptos::prelude::*;
use throughline_shared::ids::IssueId;
use throughline_shared::raid::issue::{IssueDetails, Severity};
use throughline_shared::raid::requests::{RaidTextRequest, RaiseIssueRequest};

const SEVERITIES: [Severity; 4] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
];

#[component]
pub(super) fn Issues(raid: Raid) -> impl IntoView {
    // Open first (worst first), then resolved.
    let ids = Memo::new(move |_| {
        raid.data.with(|r| {
            let Some(r) = r else { return Vec::new() };
            let keyed = r
                .issues
                .iter()
                .enumerate()
                .map(|(n, i)| {
                    // Open first (worst first), then resolved.
                    let worst = SEVERITIES
                        .iter()
                        .position(|s| *s == i.details.severity)
                        .unwrap_or(0);
                    let first =
                        i64::from(i.resolution.is_some()) * 10 + i64::try_from(worst).unwrap_or(0);
                    (first, String::new(), n, i.issue_id.as_uuid())
                })
                .collect();
            sorted(keyed)
        })
    });
    let empty = Signal::derive(move || ids.with(Vec::is_empty).then_some("No issues raised."));
    view! {
        <h3 class="subsection-title">"Issues"</h3>
        <div class="card table-wrap">
            <table class="data-table raid-table" data-testid="issues">
                <thead>
                    <tr>
                        <th scope="col">"Issue"</th>
                        <th scope="col">"Severity"</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col">"Scope"</th>
                        <th scope="col">"Resolve by"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <Rows raid ids row=issue_row/>
            </table>
            <Empty text=empty/>
        </div>
    }
}

fn issue_row(raid: Raid, id: uuid::Uuid) -> AnyView {
    view! { <IssueRowView raid id=IssueId::from_uuid(id)/> }.into_any()
}

#[component]
fn IssueRowView(raid: Raid, id: IssueId) -> impl IntoView {
    let row = Memo::new(move |_| {
        raid.data.with(|r| {
            r.as_ref()?
                .issues
                .iter()
                .find(|x| x.issue_id == id)
                .cloned()
        })
    });
    let opened = RwSignal::new(false);
    let version = Signal::derive(move || row.with(|r| r.as_ref().map_or(0, |r| r.stamp.version)));
    let actions = Signal::derive(move || {
        row.with(|r| r.as_ref().map_or_else(Vec::new, |r| r.actions.clone()))
    });
    let may = Memo::new(move |_| {
        raid.reader.with(|reader| {
            row.with(|r| {
                r.as_ref()
                    .is_some_and(|r| r.resolution.is_none() && reader.manages(&r.details.projects))
            })
        })
    });
    let resolve = Callback::new(move |(text, _): (String, bool)| {
        raid.post(
            format!("issues/{id}/resolve"),
            api::json_body(&RaidTextRequest {
                text,
                expected_version: Some(version.get_untracked()),
            }),
            "Issue resolved.",
        );
    });
    let cells = move || {
        row.with(|r| {
            r.as_ref().map(|r| {
                let severity = r.details.severity.label();
                let resolved = r.resolution.as_ref().map(|text| (
                    tag("pill pill-ok", "resolved", None),
                    tag("muted small-note line", text, None),
                ));
                let from_risk = r.from_risk.map(|_| tag("muted small-note line", "realised risk", None));
                let overdue = r.overdue.then(|| tag("flag flag-late", "overdue", None));
                let late_actions = (r.overdue_actions > 0)
                    .then(|| tag("flag flag-late", &format!("{} overdue", r.overdue_actions), None));
                let title = r.details.title.clone();
                view! {
                    <th scope="row">
                        <button type="button" class="link-button risk-title"
                            aria-expanded=expanded(opened)
                            on:click=move |_| opened.update(|o| *o = !*o)>
                            {title}
                        </button>
                        {resolved}{from_risk}
                    </th>
                    <td><span class=format!("pill severity severity-{severity}")>{severity}</span></td>
                    <td>{r.details.owner.clone()}</td>
                    <td class="muted">{raid.scope_names(&r.details.projects)}</td>
                    <td class="nowrap">{r.details.resolve_by.map_or_else(|| "—".to_string(), day)}{overdue}</td>
                    <td class="nowrap">{format!("{}", r.actions.len())}{late_actions}</td>
                }
            })
        })
    };
    view! {
        <tbody class="risk-group" data-testid="issue-row">
            <tr>{cells}</tr>
            {move || opened.get().then(|| view! {
                <tr class="risk-panel-row">
                    <td colspan="6">
                        <div class="risk-panel">
                            {row.with_untracked(|r| r.as_ref().filter(|r| !r.details.description.is_empty())
                                .map(|r| tag("line", &r.details.description, None)))}
                            <p class="subhead">"Actions"</p>
                            <ActionList raid base=format!("issues/{id}") actions version may/>
                            {move || may.get().then(|| view! {
                                <AddActionForm raid base=format!("issues/{id}") version/>
                                <TextForm form="resolve" label="Resolution" button="Resolve issue" submit=resolve/>
                            })}
                        </div>
                    </td>
                </tr>
            })}
        </tbody>
    }
}

#[component]
pub(super) fn RaiseIssueForm(raid: Raid, done: Callback<()>) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let severity = RwSignal::new(Severity::Medium.label().to_string());
    let owner = RwSignal::new(String::new());
    let resolve_by = RwSignal::new(String::new());
    let projects = RwSignal::new(Vec::new());
    let submit = Callback::new(move |_| {
        let Some(scope) = scope(raid, projects, "issue") else {
            return;
        };
        let body = RaiseIssueRequest {
            details: IssueDetails {
                title: trimmed(title),
                description: trimmed(description),
                severity: severity
                    .with_untracked(|v| SEVERITIES.into_iter().find(|s| s.label() == v))
                    .unwrap_or(Severity::Medium),
                owner: trimmed(owner),
                resolve_by: date_of(resolve_by),
                projects: scope,
                links: Vec::new(),
            },
        };
        raid.send(
            None,
            RaidMethod::Post,
            "issues".into(),
            api::json_body(&body),
            "Issue raised.",
            Some(done),
        );
    });
    view! {
        <Shell form="issue" title="Raise an issue" button="Raise issue" submit>
            <Field label="Title" name="title" value=title required=true grow=true/>
            <Choice label="Severity" name="severity" value=severity
                options=plain_options(&SEVERITIES.map(Severity::label))/>
            <Field label="Owner" name="owner" value=owner required=true/>
            <Field label="Resolve by" name="resolve" kind="date" value=resolve_by/>
            <Field label="Description" note="(optional)" name="description" kind="textarea" value=description grow=true/>
            {project_picker(raid, projects)}
        </Shell>
    }
}
