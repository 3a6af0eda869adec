//! The charter: forums (with the next sessions and the button to open one), the decision rights
//! in words and the escalation path; and the program manager's forms to set them up.

use super::decisions::kind_words;
use super::{Gov, day, trimmed};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use throughline_shared::UserId;
use throughline_shared::api::ProgramMember;
use throughline_shared::governance::charter::EscalationLevel;
use throughline_shared::governance::forum::Cadence;
use throughline_shared::governance::requests::{
    DecisionRightRequest, DecisionRightsRequest, EscalationPathRequest, OpenSessionRequest,
    SaveForumRequest,
};
use throughline_shared::governance::rights::DecisionKind;
use throughline_shared::ids::ForumId;

pub(super) const KINDS: [DecisionKind; 7] = [
    DecisionKind::Rebaseline,
    DecisionKind::ScopeChange,
    DecisionKind::BudgetChange,
    DecisionKind::RiskAcceptance,
    DecisionKind::DependencyCancellation,
    DecisionKind::ObjectiveChange,
    DecisionKind::Other,
];

/// The wire name a `<select>` carries for a kind.
pub(super) fn kind_wire(kind: DecisionKind) -> &'static str {
    match kind {
        DecisionKind::Rebaseline => "rebaseline",
        DecisionKind::ScopeChange => "scope_change",
        DecisionKind::BudgetChange => "budget_change",
        DecisionKind::RiskAcceptance => "risk_acceptance",
        DecisionKind::DependencyCancellation => "dependency_cancellation",
        DecisionKind::ObjectiveChange => "objective_change",
        DecisionKind::Other => "other",
    }
}

pub(super) fn kind_of(wire: &str) -> DecisionKind {
    KINDS
        .into_iter()
        .find(|k| kind_wire(*k) == wire)
        .unwrap_or(DecisionKind::Other)
}

const CADENCES: [Cadence; 4] = [
    Cadence::Weekly,
    Cadence::Fortnightly,
    Cadence::Monthly,
    Cadence::Quarterly,
];

/// Forums, then the decision rights and the escalation path.
#[component]
pub(super) fn CharterSection(gov: Gov) -> impl IntoView {
    let forums = Memo::new(move |_| {
        gov.data.with(|g| {
            g.as_ref().map_or_else(Vec::new, |g| {
                g.view
                    .charter
                    .forums
                    .iter()
                    .map(|f| f.forum_id)
                    .collect::<Vec<_>>()
            })
        })
    });
    let rights = Memo::new(move |_| {
        gov.data.with(|g| {
            g.as_ref()
                .map_or_else(Vec::new, |g| g.rights_in_words.clone())
        })
    });
    let path = Memo::new(move |_| {
        gov.data.with(|g| {
            g.as_ref()
                .map_or_else(Vec::new, |g| g.view.charter.escalation_path.clone())
        })
    });
    view! {
        <div class="charter">
            <For each=move || forums.get() key=|id| *id let:id>
                <ForumCard gov id/>
            </For>
            <div class="card forum">
                <h3>"Decision rights"</h3>
                <ul>
                    <Show when=move || rights.with(Vec::is_empty)>
                        <li>"None set: the program manager decides everything."</li>
                    </Show>
                    {move || rights.get().into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                </ul>
                <h3>"Escalation path"</h3>
                <ol>
                    {move || path.get().into_iter().map(|l| {
                        let who = [l.title, l.contact].join(" ");
                        view! {
                            <li>{format!("{} — answers within {} h", who.trim(), l.response_sla_hours)}</li>
                        }
                    }).collect_view()}
                </ol>
            </div>
        </div>
    }
}

#[component]
fn ForumCard(gov: Gov, id: ForumId) -> impl IntoView {
    let forum = Memo::new(move |_| gov.forum(id));
    let next = Memo::new(move |_| {
        gov.data.with(|g| {
            g.as_ref()
                .and_then(|g| g.attention.next_sessions.iter().find(|n| n.forum_id == id))
                .map_or_else(String::new, |n| {
                    n.dates
                        .iter()
                        .map(|d| day(*d))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
        })
    });
    let holds = Memo::new(move |_| {
        gov.reader.with(|r| {
            !r.history && (r.governs || forum.with(|f| f.as_ref().is_some_and(|f| r.chairs(f))))
        })
    });
    let open_session = move |_: leptos::ev::MouseEvent| {
        gov.send(
            format!("forums/{id}/sessions"),
            OpenSessionRequest { date: None },
            "Session opened.",
            || {},
        )
    };
    view! {
        <div class="card forum" data-testid="forum">
            {move || forum.with(|f| f.as_ref().map(|f| {
                let people = f
                    .people
                    .iter()
                    .map(|p| {
                        let chair = if p.user_id == f.rules.chair { " (chair)" } else { "" };
                        format!("{}{chair}", p.name)
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let rules = format!(
                    "Quorum {} · meets {} · decides within {} days",
                    f.rules.quorum,
                    f.rules.cadence.label(),
                    f.rules.decision_sla_days
                );
                view! {
                    <h3>{f.name.clone()}</h3>
                    <p class="muted">{f.purpose.clone()}</p>
                    <p>{people}</p>
                    <p>{rules}</p>
                    <p>"Next sessions: "{move || next.get()}</p>
                }
            }))}
            <Show when=move || holds.get()>
                <button type="button" class="btn btn-secondary btn-small" data-act="session"
                    data-id=id.to_string() data-testid="open-session" on:click=open_session>
                    "Open the next session"
                </button>
            </Show>
        </div>
    }
}

/// The program manager's forms: a new forum, the decision rights (the whole set, prefilled),
/// the escalation path (prefilled).
#[component]
pub(super) fn CharterForms(gov: Gov, members: RwSignal<Vec<ProgramMember>>) -> impl IntoView {
    view! {
        <ForumForm gov members/>
        <RightsForm gov/>
        <PathForm gov/>
    }
}

#[component]
fn ForumForm(gov: Gov, members: RwSignal<Vec<ProgramMember>>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let purpose = RwSignal::new(String::new());
    // Empty: the first member listed, which is what the select shows until one is chosen.
    let chair = RwSignal::new(None::<UserId>);
    let ticked = RwSignal::new(Vec::<UserId>::new());
    let quorum = RwSignal::new("1".to_string());
    let cadence = RwSignal::new(Cadence::Monthly);
    let first = RwSignal::new(String::new());
    let sla = RwSignal::new("10".to_string());
    let people = Memo::new(move |_| {
        members.with(|m| {
            m.iter()
                .map(|m| (m.user.user_id, m.user.display_name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let reset = move || {
        for (field, value) in [
            (name, ""),
            (purpose, ""),
            (quorum, "1"),
            (first, ""),
            (sla, "10"),
        ] {
            field.try_set(value.to_string());
        }
        chair.try_set(None);
        ticked.try_set(Vec::new());
        cadence.try_set(Cadence::Monthly);
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(chair) = chair
            .get_untracked()
            .or_else(|| people.with_untracked(|p| p.first().map(|(id, _)| *id)))
        else {
            return gov.refuse("chair", "choose the forum's chair");
        };
        let Some(first_session) = first.with_untracked(|f| crate::dates::parse_input(f)) else {
            return gov.refuse("first_session", "choose the date of the first session");
        };
        let number = |s: RwSignal<String>| trimmed(s).parse::<u32>().unwrap_or(0);
        let body = SaveForumRequest {
            name: trimmed(name),
            purpose: trimmed(purpose),
            chair,
            members: ticked.get_untracked(),
            quorum: number(quorum),
            cadence: cadence.get_untracked(),
            first_session,
            decision_sla_days: number(sla),
            expected_version: None,
        };
        gov.send("forums".into(), body, "Forum established.", reset);
    };
    view! {
        <form class="create-form gov-form" data-form="forum" data-testid="forum-form"
            on:submit=on_submit>
            <h3 class="form-title">"Establish a forum"</h3>
            <div class="field-row">
                <label class="field grow">
                    <span>"Name"</span>
                    <input name="name" required placeholder="e.g. Architecture review board"
                        bind:value=name/>
                </label>
                <label class="field grow">
                    <span>"Purpose"</span>
                    <input name="purpose" bind:value=purpose/>
                </label>
                <label class="field">
                    <span>"Chair"</span>
                    <select name="chair"
                        on:change=move |ev| chair.set(event_target_value(&ev).parse().ok())>
                        <For each=move || people.get() key=|p| p.clone() let:person>
                            <option value=person.0.to_string()
                                prop:selected=move || chair.get() == Some(person.0)>
                                {person.1.clone()}
                            </option>
                        </For>
                    </select>
                </label>
            </div>
            <div class="checks-row">
                <span class="hint">"Members:"</span>
                <For each=move || people.get() key=|p| p.clone() let:person>
                    <label class="inline-check">
                        <input type="checkbox" name="members" value=person.0.to_string()
                            prop:checked=move || ticked.with(|t| t.contains(&person.0))
                            on:change=move |ev| {
                                let user = person.0;
                                ticked.update(|t| {
                                    t.retain(|u| *u != user);
                                    if event_target_checked(&ev) {
                                        t.push(user);
                                    }
                                });
                            }/>
                        {person.1.clone()}
                    </label>
                </For>
            </div>
            <div class="field-row">
                <label class="field">
                    <span>"Quorum"</span>
                    <input type="number" name="quorum" min="1" bind:value=quorum/>
                </label>
                <label class="field">
                    <span>"Meets"</span>
                    <select name="cadence" on:change=move |ev| {
                        let value = event_target_value(&ev);
                        if let Some(c) = CADENCES.into_iter().find(|c| c.label() == value) {
                            cadence.set(c);
                        }
                    }>
                        {CADENCES.into_iter().map(|c| view! {
                            <option value=c.label() prop:selected=move || cadence.get() == c>
                                {c.label()}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>"First session"</span>
                    <input type="date" name="first" required bind:value=first/>
                </label>
                <label class="field">
                    <span>"Decides within (days)"</span>
                    <input type="number" name="sla" min="1" bind:value=sla/>
                </label>
            </div>
            <div class="form-actions">
                <button class="btn btn-primary" value="forum">"Establish forum"</button>
            </div>
        </form>
    }
}

/// The forums a rule can name, for the rights form's selects.
fn forum_choices(gov: Gov) -> Memo<Vec<(ForumId, String)>> {
    Memo::new(move |_| {
        gov.data.with(|g| {
            g.as_ref().map_or_else(Vec::new, |g| {
                g.view
                    .charter
                    .forums
                    .iter()
                    .map(|f| (f.forum_id, f.name.clone()))
                    .collect()
            })
        })
    })
}

#[derive(Clone, Copy)]
struct RightRow {
    kind: RwSignal<DecisionKind>,
    threshold: RwSignal<String>,
    forum: RwSignal<Option<ForumId>>,
}

/// The whole set of rules, one row each and two spare; rows without a forum are left out.
#[component]
fn RightsForm(gov: Gov) -> impl IntoView {
    let current = gov.data.with_untracked(|g| {
        g.as_ref()
            .map_or_else(Vec::new, |g| g.view.charter.rights.clone())
    });
    let rows: Vec<RightRow> = current
        .iter()
        .map(Some)
        .chain([None, None])
        .map(|r| RightRow {
            kind: RwSignal::new(r.map_or(DecisionKind::Rebaseline, |r| r.kind)),
            // Budgets are kept in cents and typed in full currency units.
            threshold: RwSignal::new(r.and_then(|r| r.threshold).map_or_else(String::new, |t| {
                let budget = r.is_some_and(|r| r.kind == DecisionKind::BudgetChange);
                let shown = if budget { t / 100 } else { t };
                shown.to_string()
            })),
            forum: RwSignal::new(r.map(|r| r.forum_id)),
        })
        .collect();
    let forums = forum_choices(gov);
    let on_submit = {
        let rows = rows.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let rights = rows
                .iter()
                .filter_map(|row| {
                    let kind = row.kind.get_untracked();
                    let threshold = trimmed(row.threshold).parse::<i64>().ok().map(|t| {
                        if kind == DecisionKind::BudgetChange {
                            t * 100
                        } else {
                            t
                        }
                    });
                    Some(DecisionRightRequest {
                        kind,
                        threshold,
                        forum_id: row.forum.get_untracked()?,
                    })
                })
                .collect();
            let body = DecisionRightsRequest {
                rights,
                expected_version: None,
            };
            gov.send(
                "decision-rights".into(),
                body,
                "Decision rights saved.",
                || {},
            );
        }
    };
    view! {
        <form class="create-form gov-form" data-form="rights" on:submit=on_submit>
            <h3 class="form-title">"Decision rights"</h3>
            <p class="hint">
                "Which decisions go to which forum, from which size: money in full currency units, \
                 re-baselines and objective targets in days moved, risks by score; no threshold \
                 means every one. Empty rows are ignored; anything no rule covers is the program \
                 manager's."
            </p>
            {rows.into_iter().enumerate().map(|(i, row)| view! {
                <div class="field-row">
                    <select name="kind" aria-label=format!("Rule {}: decision", i + 1)
                        on:change=move |ev| row.kind.set(kind_of(&event_target_value(&ev)))>
                        {KINDS.into_iter().map(|k| view! {
                            <option value=kind_wire(k) prop:selected=move || row.kind.get() == k>
                                {kind_words(k)}
                            </option>
                        }).collect_view()}
                    </select>
                    <input type="number" name="threshold" placeholder="every"
                        aria-label=format!("Rule {}: from which size", i + 1) bind:value=row.threshold/>
                    <select name="forum" aria-label=format!("Rule {}: forum", i + 1)
                        on:change=move |ev| row.forum.set(event_target_value(&ev).parse().ok())>
                        <option value="" prop:selected=move || row.forum.with(Option::is_none)>"—"</option>
                        <For each=move || forums.get() key=|f| f.clone() let:choice>
                            <option value=choice.0.to_string()
                                prop:selected=move || row.forum.get() == Some(choice.0)>
                                {choice.1.clone()}
                            </option>
                        </For>
                    </select>
                </div>
            }).collect_view()}
            <div class="form-actions">
                <button class="btn btn-primary" value="rights">"Save decision rights"</button>
            </div>
        </form>
    }
}

#[derive(Clone, Copy)]
struct LevelRow {
    title: RwSignal<String>,
    contact: RwSignal<String>,
    hours: RwSignal<String>,
}

/// The path level by level, prefilled, with at least one spare row; rows without a title are
/// left out.
#[component]
fn PathForm(gov: Gov) -> impl IntoView {
    let current = gov.data.with_untracked(|g| {
        g.as_ref()
            .map_or_else(Vec::new, |g| g.view.charter.escalation_path.clone())
    });
    let rows: Vec<LevelRow> = (0..current.len().max(3) + 1)
        .map(|i| {
            let level = current.get(i);
            LevelRow {
                title: RwSignal::new(level.map_or_else(String::new, |l| l.title.clone())),
                contact: RwSignal::new(level.map_or_else(String::new, |l| l.contact.clone())),
                hours: RwSignal::new(
                    level.map_or_else(String::new, |l| l.response_sla_hours.to_string()),
                ),
            }
        })
        .collect();
    let on_submit = {
        let rows = rows.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let levels = rows
                .iter()
                .filter(|row| row.title.with_untracked(|t| !t.trim().is_empty()))
                .map(|row| EscalationLevel {
                    title: row.title.get_untracked(),
                    contact: row.contact.get_untracked(),
                    response_sla_hours: trimmed(row.hours).parse().unwrap_or(0),
                })
                .collect();
            let body = EscalationPathRequest {
                levels,
                expected_version: None,
            };
            gov.send(
                "escalation-path".into(),
                body,
                "Escalation path saved.",
                || {},
            );
        }
    };
    view! {
        <form class="create-form gov-form" data-form="path" data-testid="path-form"
            on:submit=on_submit>
            <h3 class="form-title">"Escalation path"</h3>
            <p class="hint">
                "Level by level: who an escalated item sits with, and how many hours they have to \
                 answer before it moves up."
            </p>
            {rows.into_iter().enumerate().map(|(i, row)| view! {
                <div class="field-row">
                    <input name="title" placeholder=format!("Level {}", i + 1)
                        aria-label=format!("Level {}: who", i + 1) bind:value=row.title/>
                    <input name="contact" placeholder="Contact"
                        aria-label=format!("Level {}: contact", i + 1) bind:value=row.contact/>
                    <input type="number" name="hours" placeholder="Hours"
                        aria-label=format!("Level {}: hours to answer", i + 1) bind:value=row.hours/>
                </div>
            }).collect_view()}
            <div class="form-actions">
                <button class="btn btn-primary" value="path">"Save escalation path"</button>
            </div>
        </form>
    }
}
