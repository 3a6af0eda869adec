//! The register's read: once, then again whenever a RAID event arrives on the page's live stream
//! or a command asks for it, like the governance view's.

use crate::api::{self, ApiError, AsOf};
use crate::components::reread::{follow, reread_on};
use crate::components::timeline::RiskMark;
use leptos::prelude::*;
use std::sync::Arc;
use throughline_shared::raid::register::{RaidRegister, RiskRow};
use throughline_shared::raid::requests::ExposureResponse;
use throughline_shared::raid::suggestions::RiskSuggestion;
use throughline_shared::{ProgramId, RecordedEvent};

/// The stream types the register is folded from (as the server's `RAID_STREAMS`), and the
/// schedule's: exposure and suggestions are the register pushed through the schedule, so a
/// forecast moved or a dependency turned late changes them too.
const RAID_STREAMS: [&str; 6] = [
    "risk",
    "raid_issue",
    "assumption",
    "raid_settings",
    "milestone",
    "dependency_register",
];

/// The program's RAID register and exposure, read by the program page (the tab's label counts
/// risks above appetite) and shown by the RAID tab.
#[derive(Clone, Copy)]
pub struct RaidRead {
    pub(super) data: RwSignal<Option<RaidRegister>>,
    pub(super) exposure: RwSignal<Option<ExposureResponse>>,
    pub(super) suggestions: RwSignal<Option<Vec<RiskSuggestion>>>,
    pub(super) failed: RwSignal<Option<ApiError>>,
    /// Bumped to read again (after an action).
    pub(super) refresh: RwSignal<u64>,
    pub(super) as_of: RwSignal<Option<AsOf>>,
}

/// Whether the register read has every RAID event up to `latest` (its `position` is the last
/// RAID event it folded).
fn covers(data: RwSignal<Option<RaidRegister>>, latest: Option<i64>) -> bool {
    data.with_untracked(|r| {
        r.as_ref()
            .is_some_and(|r| latest.is_none_or(|p| r.position >= p))
    })
}

impl RaidRead {
    /// Reads the register (and the exposure, so the two always agree) now and whenever a RAID
    /// event arrives (`events`, fed by the page's live subscription, newest first) or `refresh`
    /// is bumped: one read at a time, one more if anything arrived meanwhile, so an older answer
    /// can never land after a newer one.
    pub fn start(
        program_id: ProgramId,
        as_of: RwSignal<Option<AsOf>>,
        events: RwSignal<Vec<RecordedEvent>>,
    ) -> Self {
        let read = Self {
            data: RwSignal::new(None),
            exposure: RwSignal::new(None),
            suggestions: RwSignal::new(None),
            failed: RwSignal::new(None),
            refresh: RwSignal::new(0),
            as_of,
        };
        let Self {
            data,
            exposure,
            suggestions,
            failed,
            refresh,
            ..
        } = read;
        follow(as_of, refresh);
        reread_on(
            events,
            &RAID_STREAMS,
            refresh,
            Arc::new(move |latest| covers(data, latest)),
            Arc::new(move || {
                let as_of = as_of.try_get_untracked().flatten();
                Box::pin(async move {
                    match api::raid_register(program_id, as_of.as_ref()).await {
                        Ok(r) => {
                            data.set(Some(r));
                            failed.set(None);
                        }
                        Err(e) => failed.set(Some(e)),
                    }
                    // The exposure panel is secondary: its failure leaves the last one shown.
                    if let Ok(e) = api::raid_exposure(program_id, None, as_of.as_ref()).await {
                        exposure.set(Some(e));
                    }
                    if let Ok(s) = api::raid_suggestions(program_id, as_of.as_ref()).await {
                        suggestions.set(Some(s));
                    }
                })
            }),
        );
        read
    }

    /// How many open risks are above the program's appetite.
    pub fn above_appetite(self) -> usize {
        self.data
            .with(|r| r.as_ref().map_or(0, |r| r.counts.above_appetite))
    }
}

impl RaidRead {
    /// The milestones open risks would push, each with what reaches it: the timeline's risk
    /// marks.
    pub fn marks(self) -> Signal<Vec<RiskMark>> {
        let exposure = self.exposure;
        Signal::derive(move || {
            exposure.with(|e| {
                let mut marks: Vec<RiskMark> = Vec::new();
                for risk in e.iter().flat_map(|e| e.risks.iter()) {
                    for m in &risk.milestones {
                        let at = match marks.iter().position(|x| x.milestone_id == m.milestone_id) {
                            Some(i) => i,
                            None => {
                                marks.push(RiskMark {
                                    milestone_id: m.milestone_id,
                                    risks: 0,
                                    worst_days: 0,
                                    direct: false,
                                    title: String::new(),
                                });
                                marks.len() - 1
                            }
                        };
                        if let Some(mark) = marks.get_mut(at) {
                            mark.risks += 1;
                            mark.worst_days = mark.worst_days.max(m.worst_days);
                            mark.direct |= m.direct;
                            mark.title.push_str(&format!(
                                "\n{}: +{} days expected, +{} at worst{}",
                                risk.title,
                                m.expected_days,
                                m.worst_days,
                                if m.direct { "" } else { " (downstream)" }
                            ));
                        }
                    }
                }
                marks
            })
        })
    }

    /// The open risks with the highest scores, at most `n`.
    pub fn top(self, n: usize) -> Signal<Vec<RiskRow>> {
        let data = self.data;
        Signal::derive(move || {
            data.with(|r| {
                r.iter()
                    .flat_map(|r| r.risks.iter())
                    .filter(|r| r.state.is_open() && r.score.is_some())
                    .take(n)
                    .cloned()
                    .collect()
            })
        })
    }
}
