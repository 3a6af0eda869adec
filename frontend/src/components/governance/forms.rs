//! Raising a decision and escalating an item: forms opened from the tab's header, closed when
//! their command is accepted.

use super::charter::{KINDS, kind_of, kind_wire};
use super::{Gov, dependency_name, trimmed, words};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use throughline_shared::governance::decision::DecisionOption;
use throughline_shared::governance::escalation::ItemRef;
use throughline_shared::governance::requests::{
    EffectRequest, EscalateRequest, RaiseDecisionRequest,
};
use throughline_shared::governance::rights::DecisionKind;

/// The milestones (`m:<id>`) and dependencies (`d:<id>`) of the program, as select options.
fn item_choices(gov: Gov) -> Memo<Vec<(String, String)>> {
    Memo::new(move |_| {
        gov.program.with(|v| {
            let Some(v) = v else { return Vec::new() };
            let milestones = v
                .milestones
                .iter()
                .map(|m| (format!("m:{}", m.milestone_id), m.name.clone()));
            let dependencies = v.dependencies.iter().map(|d| {
                (
                    format!("d:{}", d.dependency_id),
                    dependency_name(v, d.dependency_id),
                )
            });
            milestones.chain(dependencies).collect()
        })
    })
}

/// A select value of `item_choices` as what it names.
fn item_ref(value: &str) -> Option<ItemRef> {
    match value.split_once(':')? {
        ("m", id) => id.parse().ok().map(ItemRef::Milestone),
        ("d", id) => id.parse().ok().map(ItemRef::Dependency),
        _ => None,
    }
}

/// The "—" option, then every item; options are keyed, so a live change to the program leaves
/// the chosen one chosen.
#[component]
fn ItemOptions(gov: Gov) -> impl IntoView {
    let items = item_choices(gov);
    view! {
        <option value="">"—"</option>
        <For each=move || items.get() key=|item| item.clone() let:item>
            <option value=item.0>{item.1}</option>
        </For>
    }
}

#[derive(Clone, Copy)]
struct OptionFields {
    title: RwSignal<String>,
    pros: RwSignal<String>,
    cons: RwSignal<String>,
}

impl OptionFields {
    fn new() -> Self {
        Self {
            title: RwSignal::new(String::new()),
            pros: RwSignal::new(String::new()),
            cons: RwSignal::new(String::new()),
        }
    }

    fn option(self) -> DecisionOption {
        DecisionOption {
            title: trimmed(self.title),
            pros: trimmed(self.pros),
            cons: trimmed(self.cons),
        }
    }
}

#[component]
fn OptionFieldset(name: &'static str, fields: OptionFields) -> impl IntoView {
    view! {
        <fieldset class="objectives">
            <legend>{format!("Option {name}")}</legend>
            <label class="field">
                <span>"Title"</span>
                <input name=format!("title{name}") required bind:value=fields.title/>
            </label>
            <div class="field-row">
                <label class="field grow">
                    <span>"Pros"</span>
                    <input name=format!("pros{name}") bind:value=fields.pros/>
                </label>
                <label class="field grow">
                    <span>"Cons"</span>
                    <input name=format!("cons{name}") bind:value=fields.cons/>
                </label>
            </div>
        </fieldset>
    }
}

/// A decision with two options, a recommendation and, optionally, the change approving it makes
/// (a re-baseline, or cancelling a dependency). `open` is closed once it is raised.
#[component]
pub(super) fn RaiseForm(gov: Gov, open: RwSignal<bool>) -> impl IntoView {
    let kind = RwSignal::new(DecisionKind::Rebaseline);
    let question = RwSignal::new(String::new());
    let context = RwSignal::new(String::new());
    let a = OptionFields::new();
    let b = OptionFields::new();
    let recommendation = RwSignal::new(String::new());
    let magnitude = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let effect = match item_ref(&target.get_untracked()) {
            Some(ItemRef::Milestone(milestone_id)) => {
                match to.with_untracked(|t| crate::dates::parse_input(t)) {
                    Some(to) => Some(EffectRequest::Rebaseline { milestone_id, to }),
                    None => return gov.refuse("to", "choose the new baseline date"),
                }
            }
            Some(ItemRef::Dependency(dependency_id)) => {
                Some(EffectRequest::CancelDependency { dependency_id })
            }
            _ => None,
        };
        let body = RaiseDecisionRequest {
            kind: kind.get_untracked(),
            magnitude: trimmed(magnitude).parse().ok(),
            question: trimmed(question),
            context: trimmed(context),
            options: vec![a.option(), b.option()],
            recommendation: trimmed(recommendation).parse().ok(),
            effects: effect.into_iter().collect(),
            links: Vec::new(),
        };
        gov.send("decisions".into(), body, "Decision raised.", move || {
            open.try_set(false);
        });
    };
    view! {
        <form class="create-form gov-form" data-form="raise" data-testid="raise-form"
            on:submit=on_submit>
            <h3 class="form-title">"Raise a decision"</h3>
            <div class="field-row">
                <label class="field">
                    <span>"Kind"</span>
                    <select name="kind" on:change=move |ev| kind.set(kind_of(&event_target_value(&ev)))>
                        {KINDS.into_iter().map(|k| view! {
                            <option value=kind_wire(k)>{words(kind_wire(k))}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field grow">
                    <span>"Question"</span>
                    <input name="question" required bind:value=question
                        placeholder="Re-baseline PCI certification to 30 April?"/>
                </label>
            </div>
            <label class="field">
                <span>"Context "<span class="optional">"(optional)"</span></span>
                <textarea name="context" rows="2" bind:value=context></textarea>
            </label>
            <OptionFieldset name="A" fields=a/>
            <OptionFieldset name="B" fields=b/>
            <div class="field-row">
                <label class="field">
                    <span>"Recommendation"</span>
                    <select name="recommendation"
                        on:change=move |ev| recommendation.set(event_target_value(&ev))>
                        <option value="">"none"</option>
                        <option value="0">"Option A"</option>
                        <option value="1">"Option B"</option>
                    </select>
                </label>
                <label class="field">
                    <span>"Amount or score "<span class="optional">"(budget in cents, risk score)"</span></span>
                    <input name="magnitude" type="number" bind:value=magnitude/>
                </label>
            </div>
            <p class="hint">"Proposed effect, applied when approved:"</p>
            <div class="field-row">
                <label class="field grow">
                    <span>"Re-baseline or cancel"</span>
                    <select name="target" data-testid="effect-target"
                        on:change=move |ev| target.set(event_target_value(&ev))>
                        <ItemOptions gov/>
                    </select>
                </label>
                <label class="field">
                    <span>"New baseline"</span>
                    <input type="date" name="to" bind:value=to/>
                </label>
            </div>
            <div class="form-actions">
                <button class="btn btn-primary" value="raise">"Raise decision"</button>
            </div>
        </form>
    }
}

/// Escalate a milestone or a dependency: it starts at the first level of the path.
#[component]
pub(super) fn EscalateForm(gov: Gov, open: RwSignal<bool>) -> impl IntoView {
    let target = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(subject) = item_ref(&target.get_untracked()) else {
            return gov.refuse("subject", "choose the item to escalate");
        };
        let body = EscalateRequest {
            subject,
            reason: trimmed(reason),
        };
        gov.send("escalations".into(), body, "Escalated.", move || {
            open.try_set(false);
        });
    };
    view! {
        <form class="create-form gov-form" data-form="escalate" on:submit=on_submit>
            <h3 class="form-title">"Escalate"</h3>
            <div class="field-row">
                <label class="field grow">
                    <span>"Item"</span>
                    <select name="target" required
                        on:change=move |ev| target.set(event_target_value(&ev))>
                        <ItemOptions gov/>
                    </select>
                </label>
                <label class="field grow">
                    <span>"Reason"</span>
                    <input name="reason" required bind:value=reason/>
                </label>
            </div>
            <div class="form-actions">
                <button class="btn btn-primary" value="escalate">"Escalate"</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::item_ref;
    use throughline_shared::governance::escalation::ItemRef;
    use throughline_shared::ids::{DependencyId, MilestoneId};
    use uuid::Uuid;

    #[test]
    fn item_choices_read_back_as_what_they_name() {
        let id = Uuid::from_u128(7);
        assert_eq!(
            item_ref(&format!("m:{id}")),
            Some(ItemRef::Milestone(MilestoneId::from_uuid(id)))
        );
        assert_eq!(
            item_ref(&format!("d:{id}")),
            Some(ItemRef::Dependency(DependencyId::from_uuid(id)))
        );
        assert_eq!(item_ref(""), None);
        assert_eq!(item_ref("m:not-an-id"), None);
        assert_eq!(item_ref(&format!("x:{id}")), None);
    }
}
