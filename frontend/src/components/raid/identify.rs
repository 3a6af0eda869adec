//! Identifying a risk (with a first assessment), the projects and milestones an item names, and
//! the program manager's risk appetite.

use super::risk_forms::Command;
use super::{
    Choice, Field, Raid, Shell, date_of, impact_words, probability_words, rating, rating_options,
    trimmed,
};
use crate::api::{self, RaidMethod};
use leptos::prelude::*;
use throughline_shared::ids::{MilestoneId, ProjectId};
use throughline_shared::money::{Currency, Money};
use throughline_shared::raid::requests::{
    IdentifyRiskRequest, ReviseRiskRequest, SetAppetiteRequest, SetCategoriesRequest,
};
use throughline_shared::raid::risk::RiskDetails;
use throughline_shared::raid::settings::Appetite;
use throughline_shared::raid::{Assessment, Band, RaidLink};
use uuid::Uuid;

/// Checkboxes choosing some of `items` (id, label) into `chosen`: the projects an item is
/// scoped to and the milestones it threatens share this one view.
#[component]
fn Picker(
    testid: &'static str,
    legend: &'static str,
    /// A long list: scrolls within a fixed height.
    #[prop(optional)]
    scroll: bool,
    #[prop(optional)] note: &'static str,
    /// Said when the list is empty (or, for projects, how none ticked is read).
    hint: Signal<&'static str>,
    name: &'static str,
    items: Signal<Vec<(Uuid, String)>>,
    chosen: RwSignal<Vec<Uuid>>,
) -> impl IntoView {
    view! {
        <fieldset class=if scroll { "raid-picker raid-picker-scroll" } else { "raid-picker" } data-testid=testid>
            <legend>{legend}" "<span class="optional">{note}</span></legend>
            <p class="hint">{move || hint.get()}</p>
            {move || items.get().into_iter().map(|(id, label)| view! {
                <label class="checkbox">
                    <input type="checkbox" name=name value=id.to_string()
                        prop:checked=move || chosen.with(|c| c.contains(&id))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|c| {
                                c.retain(|x| *x != id);
                                if on { c.push(id) }
                            });
                        }/>
                    " "{label}
                </label>
            }).collect_view()}
        </fieldset>
    }
}

/// The projects the reader may scope an item to; none ticked is a program item (offered only to
/// those who may manage the program's own).
pub(super) fn project_picker(raid: Raid, chosen: RwSignal<Vec<Uuid>>) -> impl IntoView {
    let items = Signal::derive(move || {
        raid.reader.with(|reader| {
            raid.program.with(|v| {
                v.as_ref().map_or_else(Vec::new, |v| {
                    v.projects
                        .iter()
                        .filter(|p| reader.manages(&[p.project_id]))
                        .map(|p| (p.project_id.as_uuid(), p.name.clone()))
                        .collect::<Vec<_>>()
                })
            })
        })
    });
    let hint = Signal::derive(move || {
        if raid.reader.with(|r| r.manages(&[])) {
            "None ticked: a risk of the whole program."
        } else {
            "Tick at least one: program-wide items are the program manager's."
        }
    });
    view! {
        <Picker testid="project-picker" legend="Projects" hint name="project" items chosen/>
    }
}

/// The projects ticked, or a refusal when none is and the reader may not raise program items.
pub(super) fn scope(raid: Raid, chosen: RwSignal<Vec<Uuid>>, what: &str) -> Option<Vec<ProjectId>> {
    let scope: Vec<ProjectId> =
        chosen.with_untracked(|c| c.iter().map(|p| ProjectId::from_uuid(*p)).collect());
    if scope.is_empty() && !raid.reader.with_untracked(|r| r.manages(&[])) {
        raid.refuse(
            "projects",
            &format!("tick the project the {what} belongs to"),
        );
        return None;
    }
    Some(scope)
}

/// A risk's details as they stand, to be revised from its panel against `version`.
#[derive(Clone)]
pub(super) struct Revising {
    pub details: RiskDetails,
    pub version: Signal<i64>,
    pub send: Command,
}

/// What the risk is, who owns it, what it threatens and a first assessment; or, `revising`, the
/// same details of an existing risk (its assessments have forms of their own).
#[component]
pub(super) fn IdentifyForm(
    raid: Raid,
    done: Callback<()>,
    #[prop(optional)] revising: Option<Revising>,
) -> impl IntoView {
    let was = revising.as_ref().map(|r| r.details.clone());
    let text = |f: fn(&RiskDetails) -> &String| {
        RwSignal::new(was.as_ref().map(f).cloned().unwrap_or_default())
    };
    let title = text(|d| &d.title);
    let description = text(|d| &d.description);
    let cause = text(|d| &d.cause);
    let first_category = was.as_ref().map(|d| d.category.clone()).unwrap_or_else(|| {
        raid.data
            .with_untracked(|r| r.as_ref().and_then(|r| r.categories.first().cloned()))
            .unwrap_or_default()
    });
    let category = RwSignal::new(first_category);
    let owner = text(|d| &d.owner);
    let projects = RwSignal::new(was.as_ref().map_or_else(Vec::new, |d| {
        d.projects.iter().map(|p| p.as_uuid()).collect()
    }));
    let milestones = RwSignal::new(was.as_ref().map_or_else(Vec::new, |d| {
        d.links
            .iter()
            .filter_map(|l| match l {
                RaidLink::Milestone(m) => Some(m.as_uuid()),
                _ => None,
            })
            .collect()
    }));
    let probability = RwSignal::new("3".to_string());
    let impact = RwSignal::new("3".to_string());
    let days = RwSignal::new(String::new());
    let review = RwSignal::new(String::new());
    let categories = Signal::derive(move || {
        raid.data.with(|r| {
            r.as_ref().map_or_else(Vec::new, |r| {
                r.categories
                    .iter()
                    .map(|c| (c.clone(), c.clone()))
                    .collect()
            })
        })
    });
    let milestone_items = Signal::derive(move || {
        raid.program.with(|v| {
            v.as_ref().map_or_else(Vec::new, |v| {
                v.milestones
                    .iter()
                    .map(|m| {
                        let project = v
                            .project(m.project_id)
                            .map(|p| p.name.clone())
                            .unwrap_or_default();
                        (m.milestone_id.as_uuid(), format!("{} ({project})", m.name))
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let no_milestones = Signal::derive(move || {
        if raid
            .program
            .with(|v| v.as_ref().is_some_and(|v| v.milestones.is_empty()))
        {
            "The program has no milestones yet."
        } else {
            ""
        }
    });
    let revise = revising.clone();
    let submit = Callback::new(move |_| {
        // Projects the reader may not manage are not offered, so they cannot be unticked: a
        // revision keeps them.
        let kept: Vec<ProjectId> = was.as_ref().map_or_else(Vec::new, |d| {
            raid.reader.with_untracked(|reader| {
                d.projects
                    .iter()
                    .copied()
                    .filter(|p| !reader.manages(&[*p]))
                    .collect()
            })
        });
        let scope = if kept.is_empty() {
            let Some(scope) = scope(raid, projects, "risk") else {
                return;
            };
            scope
        } else {
            let mut scope = kept;
            projects.with_untracked(|c| scope.extend(c.iter().map(|p| ProjectId::from_uuid(*p))));
            scope
        };
        let mut links: Vec<RaidLink> = milestones.with_untracked(|m: &Vec<Uuid>| {
            m.iter()
                .map(|m| RaidLink::Milestone(MilestoneId::from_uuid(*m)))
                .collect()
        });
        // The dependencies and objectives it threatens have no picker here: kept as they are.
        if let Some(d) = &was {
            links.extend(
                d.links
                    .iter()
                    .filter(|l| !matches!(l, RaidLink::Milestone(_)))
                    .cloned(),
            );
        }
        let details = RiskDetails {
            title: trimmed(title),
            description: trimmed(description),
            cause: trimmed(cause),
            category: trimmed(category),
            owner: trimmed(owner),
            projects: scope,
            links,
            proximity: was.as_ref().and_then(|d| d.proximity),
        };
        if let Some(r) = &revise {
            let body = ReviseRiskRequest {
                details,
                expected_version: Some(r.version.get_untracked()),
            };
            r.send
                .run(("revise", api::json_body(&body), "Risk details revised."));
            return;
        }
        let body = IdentifyRiskRequest {
            details,
            assessment: Some(Assessment {
                probability: rating(probability),
                impact: rating(impact),
                schedule_days: trimmed(days).parse().ok(),
                cost: None,
            }),
            review_by: date_of(review),
        };
        raid.send(
            None,
            RaidMethod::Post,
            "risks".into(),
            api::json_body(&body),
            "Risk identified.",
            Some(done),
        );
    });
    let assessing = revising.is_none();
    view! {
        <Shell form=if assessing { "identify" } else { "revise" }
            title=if assessing { "Identify a risk" } else { "Edit the risk's details" }
            button=if assessing { "Identify risk" } else { "Save details" } submit>
            <Field label="Title" name="title" value=title required=true grow=true
                placeholder="HSM supplier cannot deliver before the PCI audit"/>
            <Choice label="Category" name="category" value=category options=categories/>
            <Field label="Owner" name="owner" value=owner required=true/>
            <Field label="Cause" note="(risks sharing one are grouped)" name="cause" value=cause grow=true
                placeholder="Single supplier for the HSM"/>
            <Field label="Description" note="(optional)" name="description" kind="textarea" value=description grow=true/>
            <div class="field-row raid-pickers">
                {project_picker(raid, projects)}
                <Picker testid="milestone-picker" scroll=true legend="Threatens milestones" note="(optional)"
                    hint=no_milestones name="milestone" items=milestone_items chosen=milestones/>
            </div>
            {assessing.then(|| view! {
                <Choice label="Probability" name="probability" value=probability options=rating_options(probability_words)/>
                <Choice label="Impact" name="impact" value=impact options=rating_options(impact_words)/>
                <Field label="Schedule days" note="(if it happens)" name="days" kind="number" value=days/>
                <Field label="Review by" name="review" kind="date" value=review/>
                <p class="hint">{move || {
                    let score = rating(probability).get() * rating(impact).get();
                    format!("Score {score}: {}", Band::of(score).label())
                }}</p>
            })}
        </Shell>
    }
}

/// The score above which a risk needs a decision to be accepted, the expected slip and cost the
/// program will carry, and the categories risks are filed under.
#[component]
pub(super) fn AppetiteForm(raid: Raid, done: Callback<()>) -> impl IntoView {
    let (current, listed) = raid.data.with_untracked(|r| {
        (
            r.as_ref().and_then(|r| r.appetite),
            r.as_ref()
                .map(|r| r.categories.join(", "))
                .unwrap_or_default(),
        )
    });
    let score = RwSignal::new(current.map_or_else(|| "12".to_string(), |a| a.score.to_string()));
    let days = RwSignal::new(
        current
            .and_then(|a| a.schedule_days)
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let cost = current.and_then(|a| a.cost);
    let amount = RwSignal::new(
        cost.map(|c| (c.minor() / 100).to_string())
            .unwrap_or_default(),
    );
    let currency =
        RwSignal::new(cost.map_or_else(|| "EUR".to_string(), |c| c.currency().to_string()));
    let categories = RwSignal::new(listed.clone());
    let reason = RwSignal::new(String::new());
    let submit = Callback::new(move |_| {
        let Ok(score) = trimmed(score).parse::<u8>() else {
            return raid.refuse("appetite.score", "a score from 1 to 25");
        };
        let cost = match trimmed(amount) {
            a if a.is_empty() => None,
            a => {
                let money = a
                    .parse::<i64>()
                    .ok()
                    .zip(Currency::parse(&trimmed(currency).to_ascii_uppercase()))
                    .and_then(|(units, c)| Money::new(units.checked_mul(100)?, c));
                let Some(money) = money else {
                    return raid.refuse(
                        "appetite.cost",
                        "an amount in whole units and a three-letter currency (EUR)",
                    );
                };
                Some(money)
            }
        };
        let wanted = trimmed(categories);
        if wanted != listed {
            let body = SetCategoriesRequest {
                categories: wanted
                    .split(',')
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty())
                    .collect(),
            };
            raid.send(
                None,
                RaidMethod::Put,
                "categories".into(),
                api::json_body(&body),
                "Risk categories set.",
                None,
            );
        }
        let body = SetAppetiteRequest {
            appetite: Appetite {
                score,
                schedule_days: trimmed(days).parse().ok(),
                cost,
            },
            reason: trimmed(reason),
        };
        raid.send(
            None,
            RaidMethod::Put,
            "appetite".into(),
            api::json_body(&body),
            "Risk appetite set.",
            Some(done),
        );
    });
    view! {
        <Shell form="appetite" title="Risk appetite" button="Set appetite" submit>
            <Field label="Highest acceptable score (1–25)" name="score" kind="number" value=score required=true/>
            <Field label="Expected slip, days" note="(optional)" name="days" kind="number" value=days/>
            <Field label="Expected cost" note="(optional, whole units)" name="amount" kind="number" value=amount/>
            <Field label="Currency" name="currency" value=currency/>
            <Field label="Categories" note="(comma-separated)" name="categories" value=categories grow=true/>
            <Field label="Reason" name="reason" value=reason required=true grow=true/>
        </Shell>
    }
}
