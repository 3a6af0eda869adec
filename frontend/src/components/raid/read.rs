//! The register's read: once, then again whenever a RAID event arrives on the page's live stream
//! or a command asks for it, like the governance view's.

use crate::api::{self, ApiError, AsOf};
use crate::components::reread::reread_on;
use leptos::prelude::*;
use std::sync::Arc;
use throughline_shared::raid::register::RaidRegister;
use throughline_shared::raid::requests::ExposureResponse;
use throughline_shared::{ProgramId, RecordedEvent};

/// The stream types the register is folded from (as the server's `RAID_STREAMS`).
const RAID_STREAMS: [&str; 4] = ["risk", "raid_issue", "assumption", "raid_settings"];

/// The program's RAID register and exposure, read by the program page (the tab's label counts
/// risks above appetite) and shown by the RAID tab.
#[derive(Clone, Copy)]
pub struct RaidRead {
    pub(super) data: RwSignal<Option<RaidRegister>>,
    pub(super) exposure: RwSignal<Option<ExposureResponse>>,
    pub(super) failed: RwSignal<Option<ApiError>>,
    /// Bumped to read again (after an action).
    pub(super) refresh: RwSignal<u64>,
    pub(super) as_of: StoredValue<Option<AsOf>>,
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
        as_of: Option<&AsOf>,
        events: RwSignal<Vec<RecordedEvent>>,
    ) -> Self {
        let read = Self {
            data: RwSignal::new(None),
            exposure: RwSignal::new(None),
            failed: RwSignal::new(None),
            refresh: RwSignal::new(0),
            as_of: StoredValue::new(as_of.cloned()),
        };
        let Self {
            data,
            exposure,
            failed,
            refresh,
            ..
        } = read;
        let as_of = as_of.cloned();
        reread_on(
            events,
            &RAID_STREAMS,
            refresh,
            Arc::new(move |latest| covers(data, latest)),
            Arc::new(move || {
                let as_of = as_of.clone();
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
