//! Dependencies in trouble suggest risks: a dependency that turns late, at risk or broken
//! suggests a risk on its consumer's project, linked to it, until the consumer's side accepts it
//! (a risk that links the dependency) or dismisses it (recorded, with a reason; a new kind of
//! trouble suggests it again).

use super::risk::RiskDetails;
use super::view::RaidView;
use super::{Assessment, RaidLink, Rating};
use crate::analysis::{DependencyStatus, ScheduleAnalysis};
use crate::ids::{DependencyId, ProjectId};
use crate::view::ProgramView;
use serde::{Deserialize, Serialize};

/// A risk the register suggests for a dependency in trouble.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskSuggestion {
    pub dependency_id: DependencyId,
    pub status: DependencyStatus,
    /// Days the provider delivers after the need-by date.
    pub gap_days: i64,
    pub consumer_project: ProjectId,
    pub provider_project: ProjectId,
    /// The risk as it would be identified on acceptance.
    pub details: RiskDetails,
    pub assessment: Assessment,
}

/// The suggestions on the day `analysis` judges: one per dependency in trouble that no risk of
/// the register links (open or not: a closed one was a judgement) and whose trouble was not
/// dismissed; the worst first.
pub fn suggestions(
    view: &ProgramView,
    analysis: &ScheduleAnalysis,
    raid: &RaidView,
) -> Vec<RiskSuggestion> {
    let linked: Vec<DependencyId> = raid
        .risks()
        .flat_map(|r| r.details.links.iter())
        .filter_map(|l| match l {
            RaidLink::Dependency(d) => Some(*d),
            _ => None,
        })
        .collect();
    let dismissed = &raid.settings().dismissed;
    let categories = raid.settings().categories();
    let category = categories
        .iter()
        .find(|c| c.eq_ignore_ascii_case("schedule"))
        .or(categories.first())
        .cloned()
        .unwrap_or_default();
    let mut found: Vec<RiskSuggestion> = analysis
        .dependencies
        .iter()
        .filter(|h| h.status.is_trouble())
        .filter(|h| !linked.contains(&h.dependency_id))
        .filter(|h| !dismissed.contains(&(h.dependency_id, h.status)))
        .filter_map(|h| {
            let d = view.dependency(h.dependency_id)?;
            let name = |m| view.milestone(m).map_or("?", |m| m.name.as_str());
            let provider_project = view
                .project(d.provider_project)
                .map_or("another project", |p| p.name.as_str());
            let (probability, words) = match h.status {
                DependencyStatus::Late => (5, "is late"),
                DependencyStatus::Broken => (5, "was broken"),
                _ => (3, "is at risk"),
            };
            let days = u16::try_from(h.gap_days.max(1)).unwrap_or(super::IMPACT_DAYS_MAX);
            Some(RiskSuggestion {
                dependency_id: d.dependency_id,
                status: h.status,
                gap_days: h.gap_days,
                consumer_project: d.consumer_project,
                provider_project: d.provider_project,
                details: RiskDetails {
                    title: format!("“{}” waits on “{}”", name(d.consumer), name(d.provider)),
                    description: format!(
                        "The dependency {} (“{}” → “{}”): {} days past the date it is needed by.",
                        words,
                        name(d.provider),
                        name(d.consumer),
                        h.gap_days.max(0)
                    ),
                    cause: format!("Delivery from {provider_project}"),
                    category: category.clone(),
                    owner: d.consumer_owner.clone(),
                    projects: vec![d.consumer_project],
                    links: vec![RaidLink::Dependency(d.dependency_id)],
                    proximity: h.need_by,
                },
                assessment: Assessment {
                    probability: Rating::new(probability).unwrap_or(Rating::ALL[2]),
                    impact: Rating::ALL[2],
                    schedule_days: Some(days.min(super::IMPACT_DAYS_MAX)),
                    cost: None,
                },
            })
        })
        .collect();
    found.sort_by_key(|s| (s.status.urgency(), std::cmp::Reverse(s.gap_days)));
    found
}
