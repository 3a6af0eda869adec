//! Cross-project schedule analysis: the dependency graph between milestones and deliverables,
//! cycle rejection, dependency health, slip impact and the critical path. Pure: the caller passes
//! the dates (forecasts) and "today".
//!
//! A milestone is a point in time (start = finish); a deliverable spans from a start to a finish.
//! A dependency says the consumer's start (FS, SS) or finish (FF, SF) may not be earlier than the
//! provider's finish (FS, FF) or start (SS, SF) plus a lag in days. When a forecast slips, every
//! consumer whose constraint it now breaks moves later by just enough, keeping its duration, and so
//! on downstream; consumers with slack absorb it. Nothing ever moves earlier by propagation.

use crate::date::{add_days, days_between};
use crate::ids::{DependencyId, MilestoneId, ProjectId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};

/// Which ends of provider and consumer a dependency ties together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DependencyType {
    #[serde(rename = "FS")]
    FinishToStart,
    #[serde(rename = "SS")]
    StartToStart,
    #[serde(rename = "FF")]
    FinishToFinish,
    #[serde(rename = "SF")]
    StartToFinish,
}

impl DependencyType {
    /// The usual two-letter name, as on the wire: "FS", "SS", "FF", "SF".
    pub fn code(self) -> &'static str {
        match self {
            DependencyType::FinishToStart => "FS",
            DependencyType::StartToStart => "SS",
            DependencyType::FinishToFinish => "FF",
            DependencyType::StartToFinish => "SF",
        }
    }

    fn provider_end(self) -> End {
        match self {
            DependencyType::FinishToStart | DependencyType::FinishToFinish => End::Finish,
            DependencyType::StartToStart | DependencyType::StartToFinish => End::Start,
        }
    }

    fn consumer_end(self) -> End {
        match self {
            DependencyType::FinishToStart | DependencyType::StartToStart => End::Start,
            DependencyType::FinishToFinish | DependencyType::StartToFinish => End::Finish,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    Start,
    Finish,
}

/// One milestone or deliverable as the analysis sees it: its forecast dates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub id: MilestoneId,
    pub project: ProjectId,
    /// A deliverable's forecast start; `None` for a milestone (a point in time).
    pub start: Option<NaiveDate>,
    /// The forecast date (a deliverable's forecast finish).
    pub finish: NaiveDate,
    /// Met: its dates are facts and never move.
    pub done: bool,
}

impl Item {
    fn date(&self, end: End) -> NaiveDate {
        match end {
            End::Start => self.start.unwrap_or(self.finish),
            End::Finish => self.finish,
        }
    }
}

/// A dependency as the analysis sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub id: DependencyId,
    pub provider: MilestoneId,
    pub consumer: MilestoneId,
    pub kind: DependencyType,
    pub lag_days: i32,
    /// When the consumer needs it; absent: the consumer's own forecast date at its constrained end.
    pub need_by: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("dependency {0} refers to an unknown milestone {1}")]
    UnknownMilestone(DependencyId, MilestoneId),
    #[error("a milestone cannot depend on itself ({0})")]
    SelfDependency(MilestoneId),
    /// The cycle, as milestones in dependency order, first = last.
    #[error("the dependencies form a cycle")]
    Cycle(Vec<MilestoneId>),
}

/// Where a dependency stands against its need-by date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Health {
    OnTrack,
    /// The provider's forecast (plus lag) misses the need-by date, which is still ahead.
    AtRisk,
    /// The need-by date has passed and the provider has not delivered.
    Late,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkHealth {
    pub link: DependencyId,
    pub health: Health,
    /// Days the provider (plus lag) is after the need-by date; 0 when on track.
    pub gap_days: i64,
    /// The need-by date in force: the dependency's own, or the consumer's forecast.
    pub need_by: NaiveDate,
    /// What the provider's forecast (plus lag) delivers.
    pub delivers: NaiveDate,
}

/// One item a slip moves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Moved {
    pub milestone: MilestoneId,
    pub project: ProjectId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: i64,
}

/// The shortest path `from` … `to` along `next` (breadth-first), both ends included.
pub(crate) fn path_between<N, I>(from: N, to: N, next: impl Fn(N) -> I) -> Option<Vec<N>>
where
    N: Copy + Eq + std::hash::Hash,
    I: IntoIterator<Item = N>,
{
    let mut came_from: HashMap<N, N> = HashMap::from([(from, from)]);
    let mut queue = VecDeque::from([from]);
    while let Some(at) = queue.pop_front() {
        if at == to {
            let mut path = vec![to];
            let mut step = to;
            while step != from {
                step = *came_from.get(&step)?;
                path.push(step);
            }
            path.reverse();
            return Some(path);
        }
        for n in next(at) {
            if let std::collections::hash_map::Entry::Vacant(e) = came_from.entry(n) {
                e.insert(at);
                queue.push_back(n);
            }
        }
    }
    None
}

/// How far a forecast change moves an item's two ends. A milestone's ends are one date; a
/// deliverable's start and finish may move by different amounts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shift {
    pub start: i64,
    pub finish: i64,
}

impl Shift {
    /// Both ends by the same number of days: the item slides.
    pub fn both(days: i64) -> Self {
        Self {
            start: days,
            finish: days,
        }
    }

    fn at(self, end: End) -> i64 {
        match end {
            End::Start => self.start,
            End::Finish => self.finish,
        }
    }

    fn later(self) -> bool {
        self.start > 0 || self.finish > 0
    }
}

/// A link with its two ends resolved to item numbers once, when the schedule is built, so no
/// later step looks an id up again.
#[derive(Clone, Debug)]
struct Edge {
    link: Link,
    provider: usize,
    consumer: usize,
}

/// The milestones and dependencies of a program, checked to be acyclic, with a topological order.
///
/// Items are numbered by their place in `items`; every number stored here was made from
/// `0..items.len()` in `new`, and every lookup is still a `get`, so nothing an event says can make
/// the analysis panic.
#[derive(Clone, Debug)]
pub struct Schedule {
    items: Vec<Item>,
    edges: Vec<Edge>,
    index: HashMap<MilestoneId, usize>,
    /// Per item: the edges (numbers in `edges`) it provides.
    outgoing: Vec<Vec<usize>>,
    /// Per item: the edges it consumes.
    incoming: Vec<Vec<usize>>,
    /// Item numbers, every provider before its consumers.
    order: Vec<usize>,
    /// Per item: its place in `order`.
    rank: Vec<usize>,
}

impl Schedule {
    pub fn new(items: Vec<Item>, links: Vec<Link>) -> Result<Self, ScheduleError> {
        let index: HashMap<MilestoneId, usize> =
            items.iter().enumerate().map(|(i, it)| (it.id, i)).collect();
        let mut outgoing = vec![Vec::new(); items.len()];
        let mut incoming = vec![Vec::new(); items.len()];
        let mut edges = Vec::with_capacity(links.len());
        for link in links {
            let p = *index
                .get(&link.provider)
                .ok_or(ScheduleError::UnknownMilestone(link.id, link.provider))?;
            let c = *index
                .get(&link.consumer)
                .ok_or(ScheduleError::UnknownMilestone(link.id, link.consumer))?;
            if p == c {
                return Err(ScheduleError::SelfDependency(link.provider));
            }
            let e = edges.len();
            if let Some(out) = outgoing.get_mut(p) {
                out.push(e);
            }
            if let Some(inc) = incoming.get_mut(c) {
                inc.push(e);
            }
            edges.push(Edge {
                link,
                provider: p,
                consumer: c,
            });
        }
        let mut schedule = Self {
            items,
            edges,
            index,
            outgoing,
            incoming,
            order: Vec::new(),
            rank: Vec::new(),
        };
        schedule.order = schedule.topological_order()?;
        schedule.rank = vec![0; schedule.items.len()];
        for (k, &i) in schedule.order.iter().enumerate() {
            if let Some(r) = schedule.rank.get_mut(i) {
                *r = k;
            }
        }
        Ok(schedule)
    }

    /// The items without any dependency: what the analysis falls back to when the links cannot
    /// be ordered (a cyclic graph, which only a log written by something else can hold).
    pub fn unlinked(items: Vec<Item>) -> Self {
        let n = items.len();
        let index = items.iter().enumerate().map(|(i, it)| (it.id, i)).collect();
        Self {
            items,
            edges: Vec::new(),
            index,
            outgoing: vec![Vec::new(); n],
            incoming: vec![Vec::new(); n],
            order: (0..n).collect(),
            rank: (0..n).collect(),
        }
    }

    fn edges_of<'a>(&'a self, list: &'a [Vec<usize>], i: usize) -> impl Iterator<Item = &'a Edge> {
        list.get(i)
            .into_iter()
            .flatten()
            .filter_map(|&e| self.edges.get(e))
    }

    /// Kahn's algorithm; on a cycle, names one.
    fn topological_order(&self) -> Result<Vec<usize>, ScheduleError> {
        let mut pending: Vec<usize> = self.incoming.iter().map(Vec::len).collect();
        let mut ready: VecDeque<usize> = pending
            .iter()
            .enumerate()
            .filter(|(_, n)| **n == 0)
            .map(|(i, _)| i)
            .collect();
        let mut order = Vec::with_capacity(self.items.len());
        while let Some(i) = ready.pop_front() {
            order.push(i);
            for edge in self.edges_of(&self.outgoing, i) {
                if let Some(n) = pending.get_mut(edge.consumer) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        ready.push_back(edge.consumer);
                    }
                }
            }
        }
        if order.len() == self.items.len() {
            return Ok(order);
        }
        // Some item is on a cycle: walk back along unresolved inputs until an item repeats.
        let blocked = |i: usize| pending.get(i).is_some_and(|n| *n > 0);
        let mut at = (0..self.items.len()).find(|&i| blocked(i));
        let mut seen: HashMap<usize, usize> = HashMap::new();
        let mut path = Vec::new();
        while let Some(i) = at {
            if let Some(&from) = seen.get(&i) {
                let mut cycle: Vec<MilestoneId> = path
                    .get(from..)
                    .unwrap_or_default()
                    .iter()
                    .rev()
                    .filter_map(|&i| self.items.get(i).map(|it: &Item| it.id))
                    .collect();
                if let Some(&first) = cycle.first() {
                    cycle.push(first);
                }
                return Err(ScheduleError::Cycle(cycle));
            }
            seen.insert(i, path.len());
            path.push(i);
            at = self
                .edges_of(&self.incoming, i)
                .map(|e| e.provider)
                .find(|&p| blocked(p));
        }
        // Unreachable for a graph Kahn could not order (a blocked item always has a blocked
        // provider); answer with what was found rather than panic.
        Err(ScheduleError::Cycle(Vec::new()))
    }

    /// The date a link requires of its consumer's constrained end, with its provider's ends moved
    /// by `provider_moved`.
    fn required(link: &Link, provider: &Item, provider_moved: Shift) -> NaiveDate {
        let end = link.kind.provider_end();
        add_days(
            provider.date(end),
            provider_moved.at(end).saturating_add(link.lag_days.into()),
        )
    }

    /// Every dependency's health as of `today`.
    pub fn health(&self, today: NaiveDate) -> Vec<LinkHealth> {
        self.edges
            .iter()
            .filter_map(|edge| {
                let link = &edge.link;
                let provider = self.items.get(edge.provider)?;
                let consumer = self.items.get(edge.consumer)?;
                let need_by = link
                    .need_by
                    .unwrap_or_else(|| consumer.date(link.kind.consumer_end()));
                let delivers = Self::required(link, provider, Shift::default());
                let gap = days_between(need_by, delivers).max(0);
                let health = if provider.done || gap == 0 {
                    Health::OnTrack
                } else if today > need_by {
                    Health::Late
                } else {
                    Health::AtRisk
                };
                Some(LinkHealth {
                    link: link.id,
                    health,
                    gap_days: if provider.done { 0 } else { gap },
                    need_by,
                    delivers,
                })
            })
            .collect()
    }

    /// What moves if `milestone`'s forecast slips by `days` (later; a negative number moves
    /// nothing downstream, since propagation only pushes), both its ends sliding. The slipped
    /// milestone comes first, then everything it pushes, in dependency order.
    pub fn impact(&self, milestone: MilestoneId, days: i64) -> Vec<Moved> {
        self.impact_of(milestone, Shift::both(days))
    }

    /// What moves if `milestone`'s ends move by `shift`: a deliverable whose finish moves but
    /// whose start does not pushes only what hangs on its finish (FS, FF), and one whose start
    /// moves pushes what hangs on its start (SS, SF). Items pushed downstream keep their
    /// duration. The slipped item comes first (its `days` is its finish's move), then everything
    /// it pushes, in dependency order.
    pub fn impact_of(&self, milestone: MilestoneId, shift: Shift) -> Vec<Moved> {
        let Some(&start) = self.index.get(&milestone) else {
            return Vec::new();
        };
        // Per item (by number): how far it is pushed, and whether it is already queued.
        let mut moved_by = vec![Shift::default(); self.items.len()];
        let mut queued = vec![false; self.items.len()];
        if let (Some(m), Some(q)) = (moved_by.get_mut(start), queued.get_mut(start)) {
            *m = shift;
            *q = true;
        }
        let mut result = Vec::new();
        // Visit in topological order only what is reachable from the slipped item.
        let mut frontier = std::collections::BinaryHeap::new();
        frontier.push(std::cmp::Reverse((
            self.rank.get(start).copied().unwrap_or(0),
            start,
        )));
        while let Some(std::cmp::Reverse((_, i))) = frontier.pop() {
            let (Some(&moved), Some(item)) = (moved_by.get(i), self.items.get(i)) else {
                continue;
            };
            if moved.later() || i == start {
                result.push(Moved {
                    milestone: item.id,
                    project: item.project,
                    from: item.finish,
                    to: add_days(item.finish, moved.finish),
                    days: moved.finish,
                });
            }
            if !moved.later() {
                continue;
            }
            for edge in self.edges_of(&self.outgoing, i) {
                let Some(consumer) = self.items.get(edge.consumer) else {
                    continue;
                };
                if consumer.done {
                    continue;
                }
                let link = &edge.link;
                let required = Self::required(link, item, moved);
                let current = consumer.date(link.kind.consumer_end());
                let push = days_between(current, required);
                if push <= 0 {
                    continue;
                }
                if let Some(m) = moved_by.get_mut(edge.consumer) {
                    *m = Shift::both(m.finish.max(push));
                }
                if let Some(q) = queued.get_mut(edge.consumer)
                    && !*q
                {
                    *q = true;
                    frontier.push(std::cmp::Reverse((
                        self.rank.get(edge.consumer).copied().unwrap_or(0),
                        edge.consumer,
                    )));
                }
            }
        }
        result
    }

    /// Total float of every item against the program's end (its latest forecast): how many days
    /// it can slip without moving that end. The critical path is the items with no float.
    pub fn float_days(&self) -> Vec<(MilestoneId, i64)> {
        let Some(end) = self.items.iter().map(|i| i.finish).max() else {
            return Vec::new();
        };
        let duration = |item: &Item| item.start.map_or(0, |s| days_between(s, item.finish));
        // Latest allowed finish, computed backwards (consumers before providers).
        let mut latest_finish: Vec<NaiveDate> = vec![end; self.items.len()];
        for &i in self.order.iter().rev() {
            let Some(item) = self.items.get(i) else {
                continue;
            };
            let mut latest = latest_finish.get(i).copied().unwrap_or(end);
            for edge in self.edges_of(&self.outgoing, i) {
                let (Some(consumer), Some(&consumer_finish)) = (
                    self.items.get(edge.consumer),
                    latest_finish.get(edge.consumer),
                ) else {
                    continue;
                };
                let link = &edge.link;
                let consumer_latest = match link.kind.consumer_end() {
                    End::Finish => consumer_finish,
                    End::Start => add_days(consumer_finish, duration(consumer).saturating_neg()),
                };
                let provider_latest_end = add_days(consumer_latest, -i64::from(link.lag_days));
                let as_finish = match link.kind.provider_end() {
                    End::Finish => provider_latest_end,
                    End::Start => add_days(provider_latest_end, duration(item)),
                };
                latest = latest.min(as_finish);
            }
            if let Some(l) = latest_finish.get_mut(i) {
                *l = latest;
            }
        }
        self.order
            .iter()
            .filter_map(|&i| {
                let item = self.items.get(i)?;
                let latest = latest_finish.get(i)?;
                Some((item.id, days_between(item.finish, *latest)))
            })
            .collect()
    }

    /// The chain of items with no float, in dependency order.
    pub fn critical_path(&self) -> Vec<MilestoneId> {
        self.float_days()
            .into_iter()
            .filter(|(_, float)| *float <= 0)
            .map(|(id, _)| id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn m(n: u128) -> MilestoneId {
        MilestoneId::from_uuid(Uuid::from_u128(n))
    }

    fn d(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, month, day).unwrap()
    }

    fn milestone(n: u128, project: u128, finish: NaiveDate) -> Item {
        Item {
            id: m(n),
            project: ProjectId::from_uuid(Uuid::from_u128(1000 + project)),
            start: None,
            finish,
            done: false,
        }
    }

    fn deliverable(n: u128, project: u128, start: NaiveDate, finish: NaiveDate) -> Item {
        Item {
            start: Some(start),
            ..milestone(n, project, finish)
        }
    }

    fn link(n: u128, provider: u128, consumer: u128, kind: DependencyType, lag: i32) -> Link {
        Link {
            id: DependencyId::from_uuid(Uuid::from_u128(5000 + n)),
            provider: m(provider),
            consumer: m(consumer),
            kind,
            lag_days: lag,
            need_by: None,
        }
    }

    use DependencyType::*;

    #[test]
    fn a_cycle_is_refused_and_named() {
        let items = vec![
            milestone(1, 1, d(3, 1)),
            milestone(2, 2, d(4, 1)),
            milestone(3, 3, d(5, 1)),
        ];
        let links = vec![
            link(1, 1, 2, FinishToStart, 0),
            link(2, 2, 3, FinishToStart, 0),
            link(3, 3, 1, FinishToStart, 0),
        ];
        match Schedule::new(items, links) {
            Err(ScheduleError::Cycle(cycle)) => {
                assert_eq!(cycle.first(), cycle.last());
                assert_eq!(cycle.len(), 4);
                for n in 1..=3 {
                    assert!(cycle.contains(&m(n)));
                }
                // In dependency order: each is followed by one it provides to.
                let follows = |a: MilestoneId, b: MilestoneId| {
                    [(1, 2), (2, 3), (3, 1)]
                        .iter()
                        .any(|&(p, c)| m(p) == a && m(c) == b)
                };
                assert!(cycle.windows(2).all(|w| follows(w[0], w[1])), "{cycle:?}");
            }
            other => panic!("expected a cycle, got {other:?}"),
        }
    }

    #[test]
    fn dependency_type_codes_are_the_wire_names() {
        for kind in [FinishToStart, StartToStart, FinishToFinish, StartToFinish] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.code());
        }
    }

    #[test]
    fn unknown_and_self_references_are_refused() {
        let items = vec![milestone(1, 1, d(3, 1))];
        assert!(matches!(
            Schedule::new(items.clone(), vec![link(1, 1, 9, FinishToStart, 0)]),
            Err(ScheduleError::UnknownMilestone(_, id)) if id == m(9)
        ));
        assert!(matches!(
            Schedule::new(items, vec![link(1, 1, 1, FinishToStart, 0)]),
            Err(ScheduleError::SelfDependency(_))
        ));
    }

    #[test]
    fn a_provider_after_the_need_by_date_is_at_risk_then_late_with_the_gap() {
        let items = vec![milestone(1, 1, d(3, 10)), milestone(2, 2, d(4, 1))];
        let mut dependency = link(1, 1, 2, FinishToStart, 2);
        dependency.need_by = Some(d(3, 5));
        let schedule = Schedule::new(items.clone(), vec![dependency.clone()]).unwrap();
        // Provider 10 Mar + 2 days lag = 12 Mar, needed by 5 Mar: 7 days short.
        let ahead = schedule.health(d(2, 1));
        assert_eq!((ahead[0].health, ahead[0].gap_days), (Health::AtRisk, 7));
        let passed = schedule.health(d(3, 6));
        assert_eq!((passed[0].health, passed[0].gap_days), (Health::Late, 7));

        // Without a need-by date, the consumer's own forecast is what it needs.
        dependency.need_by = None;
        let schedule = Schedule::new(items.clone(), vec![dependency.clone()]).unwrap();
        assert_eq!(schedule.health(d(2, 1))[0].health, Health::OnTrack);

        // Delivered is delivered.
        let mut done = items;
        done[0].done = true;
        dependency.need_by = Some(d(3, 5));
        let schedule = Schedule::new(done, vec![dependency]).unwrap();
        assert_eq!(
            schedule.health(d(3, 20))[0],
            LinkHealth {
                link: DependencyId::from_uuid(Uuid::from_u128(5001)),
                health: Health::OnTrack,
                gap_days: 0,
                need_by: d(3, 5),
                delivers: d(3, 12),
            }
        );
    }

    #[test]
    fn a_slip_pushes_downstream_across_projects_minus_the_slack() {
        // 1 (1 Mar) -FS+3-> 2 (10 Mar: 6 days slack) -FS-> 3 (12 Mar, no slack) ; 1 -FS-> 4 (1 Jun)
        let items = vec![
            milestone(1, 1, d(3, 1)),
            milestone(2, 2, d(3, 10)),
            milestone(3, 3, d(3, 12)),
            milestone(4, 4, d(6, 1)),
        ];
        let links = vec![
            link(1, 1, 2, FinishToStart, 3),
            link(2, 2, 3, FinishToStart, 2),
            link(3, 1, 4, FinishToStart, 0),
        ];
        let schedule = Schedule::new(items, links).unwrap();
        let moved = schedule.impact(m(1), 10);
        let summary: Vec<(MilestoneId, i64, NaiveDate)> = moved
            .iter()
            .map(|mv| (mv.milestone, mv.days, mv.to))
            .collect();
        // 1 → 11 Mar; 2 needs 14 Mar (4 days later); 3 needs 16 Mar (4 days); 4 has slack.
        assert_eq!(
            summary,
            vec![
                (m(1), 10, d(3, 11)),
                (m(2), 4, d(3, 14)),
                (m(3), 4, d(3, 16))
            ]
        );
        // A slip absorbed by slack moves nothing else.
        assert_eq!(schedule.impact(m(1), 5).len(), 1);
        // Propagation never pulls dates earlier.
        assert_eq!(schedule.impact(m(1), -5).len(), 1);
    }

    #[test]
    fn each_dependency_type_ties_the_right_ends_and_deliverables_keep_their_length() {
        // Provider: deliverable 1–10 Mar, slips 5 days → 6–15 Mar.
        let provider = deliverable(1, 1, d(3, 1), d(3, 10));
        let consumer = || deliverable(2, 2, d(3, 11), d(3, 20));
        let pushed = |kind, lag| {
            let schedule = Schedule::new(
                vec![provider.clone(), consumer()],
                vec![link(1, 1, 2, kind, lag)],
            )
            .unwrap();
            schedule.impact(m(1), 5).get(1).map(|mv| (mv.days, mv.to))
        };
        // FS: consumer start ≥ provider finish (15 Mar) + 1 → starts 16 Mar, 5 days later.
        assert_eq!(pushed(FinishToStart, 1), Some((5, d(3, 25))));
        // SS: consumer start ≥ provider start (6 Mar) + 7 = 13 Mar → 2 days.
        assert_eq!(pushed(StartToStart, 7), Some((2, d(3, 22))));
        // FF: consumer finish ≥ provider finish (15 Mar) + 8 = 23 Mar → 3 days.
        assert_eq!(pushed(FinishToFinish, 8), Some((3, d(3, 23))));
        // SF: consumer finish ≥ provider start (6 Mar) + 10 = 16 Mar → slack, no move.
        assert_eq!(pushed(StartToFinish, 10), None);
        // SF with more lag: ≥ 6 Mar + 20 = 26 Mar → 6 days.
        assert_eq!(pushed(StartToFinish, 20), Some((6, d(3, 26))));
    }

    #[test]
    fn a_consumer_moves_by_its_most_demanding_provider_and_met_milestones_stay() {
        let items = vec![
            milestone(1, 1, d(3, 1)),
            milestone(2, 2, d(3, 1)),
            milestone(3, 3, d(3, 5)),
            Item {
                done: true,
                ..milestone(4, 4, d(3, 5))
            },
        ];
        let links = vec![
            link(1, 1, 3, FinishToStart, 0),
            link(2, 2, 3, FinishToStart, 0),
            link(3, 1, 4, FinishToStart, 0),
        ];
        let schedule = Schedule::new(items, links).unwrap();
        let moved = schedule.impact(m(1), 9); // 1 → 10 Mar: 3 must move 5 days; 4 is met.
        assert_eq!(moved.len(), 2);
        assert_eq!((moved[1].milestone, moved[1].days), (m(3), 5));
    }

    #[test]
    fn the_critical_path_is_the_chain_without_float() {
        // 1 → 2 → 3 ends the program (1 Jun); 4 → 3 has 10 days of float; 5 stands alone.
        let items = vec![
            milestone(1, 1, d(3, 1)),
            milestone(2, 2, d(4, 1)),
            milestone(3, 3, d(6, 1)),
            milestone(4, 4, d(5, 1)),
            milestone(5, 5, d(4, 15)),
        ];
        let links = vec![
            link(1, 1, 2, FinishToStart, 31),
            link(2, 2, 3, FinishToStart, 61),
            link(3, 4, 3, FinishToStart, 21),
        ];
        let schedule = Schedule::new(items, links).unwrap();
        assert_eq!(schedule.critical_path(), vec![m(1), m(2), m(3)]);
        let float: HashMap<MilestoneId, i64> = schedule.float_days().into_iter().collect();
        assert_eq!(float[&m(4)], 10);
        assert_eq!(float[&m(5)], 47);
        // Slipping a critical item by a day moves the end; slipping 4 by its float does not.
        assert_eq!(schedule.impact(m(1), 1).last().unwrap().milestone, m(3));
        assert!(
            schedule
                .impact(m(4), 10)
                .iter()
                .all(|mv| mv.milestone != m(3))
        );
    }

    /// Given a provider and a consumer tied with no slack, when the provider's start, finish or
    /// both move 5 days later, then the consumer moves exactly when the link hangs on an end that
    /// moved: FS and FF on the provider's finish, SS and SF on its start. A milestone has one
    /// date, so any move of it pushes every kind of link.
    #[test]
    fn a_slip_pushes_only_what_hangs_on_the_end_that_moved() {
        let provider_start = d(3, 1);
        let provider_finish = d(3, 10);
        // The consumer's constrained end sits exactly on the provider's end (zero slack).
        let consumer = |kind: DependencyType, provider_is_deliverable: bool| {
            let (p_start, p_finish) = if provider_is_deliverable {
                (provider_start, provider_finish)
            } else {
                (provider_finish, provider_finish)
            };
            match kind {
                FinishToStart => deliverable(2, 2, p_finish, d(3, 25)),
                StartToStart => deliverable(2, 2, p_start, d(3, 25)),
                FinishToFinish => deliverable(2, 2, d(2, 1), p_finish),
                StartToFinish => deliverable(2, 2, d(2, 1), p_start),
            }
        };
        let shifts = [
            (
                "start only",
                Shift {
                    start: 5,
                    finish: 0,
                },
            ),
            (
                "finish only",
                Shift {
                    start: 0,
                    finish: 5,
                },
            ),
            ("both ends", Shift::both(5)),
        ];
        for kind in [FinishToStart, StartToStart, FinishToFinish, StartToFinish] {
            for provider_is_deliverable in [true, false] {
                for (what, shift) in shifts {
                    let provider = if provider_is_deliverable {
                        deliverable(1, 1, provider_start, provider_finish)
                    } else {
                        milestone(1, 1, provider_finish)
                    };
                    let schedule = Schedule::new(
                        vec![provider, consumer(kind, provider_is_deliverable)],
                        vec![link(1, 1, 2, kind, 0)],
                    )
                    .unwrap();
                    // A milestone's single date moves with either end of the change.
                    let shift = if provider_is_deliverable {
                        shift
                    } else {
                        Shift::both(shift.start.max(shift.finish))
                    };
                    let moved = schedule.impact_of(m(1), shift);
                    let pushed = moved
                        .iter()
                        .find(|mv| mv.milestone == m(2))
                        .map(|mv| mv.days);
                    let end_moved = match kind.provider_end() {
                        End::Start => shift.start,
                        End::Finish => shift.finish,
                    } > 0;
                    let case = format!(
                        "{} link, provider {}, {what}",
                        kind.code(),
                        if provider_is_deliverable {
                            "deliverable"
                        } else {
                            "milestone"
                        }
                    );
                    assert_eq!(pushed, end_moved.then_some(5), "{case}");
                    // The slipped item itself is listed first, with its finish's move.
                    assert_eq!(
                        moved.first().map(|mv| mv.days),
                        Some(shift.finish),
                        "{case}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_slip_at_the_calendars_end_saturates_instead_of_panicking() {
        let items = vec![
            milestone(1, 1, NaiveDate::MAX),
            deliverable(2, 2, NaiveDate::MIN, NaiveDate::MAX),
            milestone(3, 3, NaiveDate::MIN),
        ];
        let links = vec![
            Link {
                lag_days: i32::MAX,
                ..link(1, 1, 2, FinishToStart, 0)
            },
            Link {
                lag_days: i32::MIN,
                ..link(2, 2, 3, StartToFinish, 0)
            },
        ];
        let schedule = Schedule::new(items, links).unwrap();
        for days in [i64::MAX, i64::MIN, 0, 1, -1] {
            let _ = schedule.impact(m(1), days);
            let _ = schedule.impact(m(2), days);
        }
        let _ = schedule.health(NaiveDate::MIN);
        let _ = schedule.float_days();
    }
}
