//! Assumptions: the form recording one, the table, and validating or invalidating an open one
//! (found false, it raises a risk).

use super::identify::{project_picker, scope};
use super::{Empty, Field, Raid, Rows, Shell, TextForm, date_of, day, sorted, tag, trimmed};
use crate::api::{self, RaidMethod};
use chrono::Datelike;
use leptos::prelude::*;
use throughline_shared::ids::AssumptionId;
use throughline_shared::raid::assumption::{AssumptionDetails, AssumptionState};
use throughline_shared::raid::requests::{
    InvalidateAssumptionRequest, RaidTextRequest, RecordAssumptionRequest,
};

#[component]
pub(super) fn RecordAssumptionForm(raid: Raid, done: Callback<()>) -> impl IntoView {
    let statement = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let validate_by = RwSignal::new(String::new());
    let projects = RwSignal::new(Vec::new());
    let submit = Callback::new(move |_| {
        let Some(scope) = scope(raid, projects, "assumption") else {
            return;
        };
        let body = RecordAssumptionRequest {
            details: AssumptionDetails {
                statement: trimmed(statement),
                owner: trimmed(owner),
                validate_by: date_of(validate_by),
                projects: scope,
                links: Vec::new(),
            },
        };
        raid.send(
            None,
            RaidMethod::Post,
            "assumptions".into(),
            api::json_body(&body),
            "Assumption recorded.",
            Some(done),
        );
    });
    view! {
        <Shell form="assumption" title="Record an assumption" button="Record assumption" submit>
            <Field label="Statement" name="statement" value=statement required=true grow=true
                placeholder="The acquirer's sandbox is available from March"/>
            <Field label="Owner" name="owner" value=owner required=true/>
            <Field label="Validate by" name="validate" kind="date" value=validate_by/>
            {project_picker(raid, projects)}
        </Shell>
    }
}

fn assumption_word(state: AssumptionState) -> &'static str {
    match state {
        AssumptionState::Open => "open",
        AssumptionState::Validated => "validated",
        AssumptionState::Invalidated => "invalidated",
    }
}

#[component]
pub(super) fn Assumptions(raid: Raid) -> impl IntoView {
    let ids = Memo::new(move |_| {
        raid.data.with(|r| {
            let Some(r) = r else { return Vec::new() };
            // Open first, each kind by the date to validate it (none first).
            let keyed = r
                .assumptions
                .iter()
                .enumerate()
                .map(|(n, a)| {
                    let closed = i64::from(a.state != AssumptionState::Open) << 32;
                    let by = a
                        .details
                        .validate_by
                        .map_or(0, |d| i64::from(d.num_days_from_ce()) + 1);
                    (closed + by, String::new(), n, a.assumption_id.as_uuid())
                })
                .collect();
            sorted(keyed)
        })
    });
    let empty = Signal::derive(move || {
        ids.with(Vec::is_empty)
            .then_some("No assumptions recorded.")
    });
    view! {
        <h3 class="subsection-title">"Assumptions"</h3>
        <div class="card table-wrap">
            <table class="data-table raid-table" data-testid="assumptions">
                <thead>
                    <tr>
                        <th scope="col">"Assumption"</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col">"Scope"</th>
                        <th scope="col">"Validate by"</th>
                        <th scope="col">"State"</th>
                    </tr>
                </thead>
                <Rows raid ids row=assumption_row/>
            </table>
            <Empty text=empty/>
        </div>
    }
}

#[component]
fn AssumptionRowView(raid: Raid, id: AssumptionId) -> impl IntoView {
    let row = Memo::new(move |_| {
        raid.data.with(|r| {
            r.as_ref()?
                .assumptions
                .iter()
                .find(|x| x.assumption_id == id)
                .cloned()
        })
    });
    let may = Memo::new(move |_| {
        raid.reader.with(|reader| {
            row.with(|r| {
                r.as_ref().is_some_and(|r| {
                    r.state == AssumptionState::Open && reader.manages(&r.details.projects)
                })
            })
        })
    });
    let check = Callback::new(move |(note, invalid): (String, bool)| {
        let version = Some(row.with_untracked(|r| r.as_ref().map_or(0, |r| r.stamp.version)));
        if invalid {
            let body = InvalidateAssumptionRequest {
                note,
                risk: None,
                expected_version: version,
            };
            raid.post(
                format!("assumptions/{id}/invalidate"),
                api::json_body(&body),
                "Assumption invalidated: a risk was raised.",
            );
        } else {
            let body = RaidTextRequest {
                text: note,
                expected_version: version,
            };
            raid.post(
                format!("assumptions/{id}/validate"),
                api::json_body(&body),
                "Assumption validated.",
            );
        }
    });
    let cells = move || {
        row.with(|r| {
            r.as_ref().map(|r| {
                let state = assumption_word(r.state);
                let overdue = r.overdue.then(|| tag("flag flag-late", "overdue", None));
                let raised = r.risk_id.map(|_| tag("muted small-note line", "raised a risk", None));
                view! {
                    <th scope="row">{r.details.statement.clone()}</th>
                    <td>{r.details.owner.clone()}</td>
                    <td class="muted">{raid.scope_names(&r.details.projects)}</td>
                    <td class="nowrap">{r.details.validate_by.map_or_else(|| "—".to_string(), day)}{overdue}</td>
                    <td><span class=format!("pill assumption-{state}")>{state}</span>{raised}</td>
                }
            })
        })
    };
    view! {
        <tbody class="risk-group">
            <tr data-testid="assumption-row">{cells}</tr>
            {move || may.get().then(|| view! {
                <tr class="risk-panel-row">
                    <td colspan="5">
                        <TextForm form="check-assumption" label="What was found" button="Holds: validate"
                            second="False: raise a risk" submit=check/>
                    </td>
                </tr>
            })}
        </tbody>
    }
}

fn assumption_row(raid: Raid, id: uuid::Uuid) -> AnyView {
    view! { <AssumptionRowView raid id=AssumptionId::from_uuid(id)/> }.into_any()
}
