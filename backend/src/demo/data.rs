//! The demo program's projects, milestones and dependencies, with dates as offsets from the day
//! it is seeded.

use throughline_shared::schedule::DependencyType::{
    self, FinishToFinish, FinishToStart, StartToStart,
};

/// A milestone: name, owner, start offset for deliverables, finish offset (days from today).
pub(super) type MilestoneRow = (&'static str, &'static str, Option<i64>, i64);

pub(super) struct ProjectRow {
    pub name: &'static str,
    pub manager: &'static str,
    /// Indexes into the objectives.
    pub objectives: &'static [usize],
    pub milestones: &'static [MilestoneRow],
}

pub(super) const PROJECTS: [ProjectRow; 6] = [
    ProjectRow {
        name: "Card Gateway",
        manager: "Lee Chen",
        objectives: &[0, 2],
        milestones: &[
            ("Gateway architecture signed off", "Lee Chen", None, -70),
            ("Tokenisation service", "Marta Silva", Some(-60), -5),
            ("PCI DSS certification", "Lee Chen", None, 30),
            ("3-D Secure 2 live", "Marta Silva", None, 55),
            ("Gateway load test passed", "Tom Becker", None, 80),
            ("Legacy switch traffic cut over", "Lee Chen", None, 150),
            ("Legacy switch decommissioned", "Lee Chen", None, 215),
        ],
    },
    ProjectRow {
        name: "Core Ledger",
        manager: "Amara Okafor",
        objectives: &[0, 1, 2],
        milestones: &[
            ("Ledger data model agreed", "Amara Okafor", None, -80),
            ("Double-entry engine", "Yusuf Demir", Some(-75), 12),
            ("Real-time posting API", "Yusuf Demir", None, 40),
            ("Reconciliation automated", "Grace Liu", None, 95),
            ("Ledger parallel run complete", "Amara Okafor", None, 140),
            ("Ledger go-live", "Amara Okafor", None, 170),
            ("Month-end close on new ledger", "Grace Liu", None, 205),
        ],
    },
    ProjectRow {
        name: "Fraud Engine",
        manager: "Jonas Weber",
        objectives: &[1],
        milestones: &[
            ("Fraud vendor selected", "Jonas Weber", None, -50),
            ("Rules engine integrated", "Ines Moreau", None, 20),
            ("ML scoring model trained", "Ines Moreau", Some(-20), 45),
            ("Real-time scoring in shadow mode", "Jonas Weber", None, 85),
            ("Fraud engine go-live", "Jonas Weber", None, 125),
            ("Chargeback workflow live", "Ines Moreau", None, 160),
        ],
    },
    ProjectRow {
        name: "Merchant Portal",
        manager: "Sofia Alvarez",
        objectives: &[1, 2],
        milestones: &[
            ("Portal UX research done", "Sofia Alvarez", None, -40),
            ("Merchant onboarding flow", "Daniel Novak", Some(-10), 35),
            ("Instant payouts UI", "Daniel Novak", None, 75),
            ("Reporting dashboards", "Aiko Tanaka", None, 110),
            ("Portal beta with 20 merchants", "Sofia Alvarez", None, 135),
            ("Portal general availability", "Sofia Alvarez", None, 180),
        ],
    },
    ProjectRow {
        name: "Data Migration",
        manager: "Ravi Patel",
        objectives: &[0],
        milestones: &[
            ("Migration strategy approved", "Ravi Patel", None, -60),
            ("Data quality baseline", "Elena Petrova", None, -12),
            ("Trial migration 1", "Elena Petrova", None, 25),
            ("Trial migration 2", "Elena Petrova", None, 70),
            ("Dress rehearsal", "Ravi Patel", None, 130),
            ("Final migration weekend", "Ravi Patel", None, 165),
            ("Legacy data archived", "Elena Petrova", None, 220),
        ],
    },
    ProjectRow {
        name: "Rollout & Change",
        manager: "Hannah Kim",
        objectives: &[1, 2],
        milestones: &[
            ("Change impact assessment", "Hannah Kim", None, -30),
            ("Operations training", "Noah Fischer", Some(60), 100),
            ("Pilot with first merchants", "Hannah Kim", None, 140),
            ("Wave 1 rollout", "Hannah Kim", None, 175),
            ("Wave 2 rollout", "Noah Fischer", None, 210),
            ("Hypercare exit", "Hannah Kim", None, 240),
            ("Benefits review", "Hannah Kim", None, 270),
        ],
    },
];

/// (provider project, milestone), (consumer project, milestone), type, lag, need-by offset.
pub(super) type DependencyRow = (
    (usize, usize),
    (usize, usize),
    DependencyType,
    i32,
    Option<i64>,
);

pub(super) const DEPENDENCIES: [DependencyRow; 31] = [
    ((0, 1), (1, 2), FinishToStart, 5, None),
    ((0, 2), (0, 3), FinishToStart, 0, None),
    ((0, 2), (3, 2), FinishToStart, 10, Some(60)),
    ((0, 3), (5, 2), FinishToStart, 14, None),
    ((0, 4), (0, 5), FinishToStart, 21, None),
    ((0, 5), (0, 6), FinishToStart, 30, None),
    ((1, 1), (1, 2), FinishToStart, 7, None),
    ((1, 1), (4, 2), FinishToStart, 5, Some(20)),
    ((1, 2), (2, 3), FinishToStart, 10, None),
    ((1, 2), (3, 2), FinishToStart, 10, None),
    ((1, 3), (1, 4), FinishToStart, 14, None),
    ((1, 4), (1, 5), FinishToStart, 14, None),
    ((1, 5), (0, 5), FinishToFinish, 0, None),
    ((1, 5), (5, 3), FinishToStart, 3, None),
    ((2, 0), (2, 1), FinishToStart, 30, None),
    ((2, 1), (2, 3), FinishToStart, 14, None),
    ((2, 2), (2, 3), FinishToStart, 7, None),
    ((2, 3), (2, 4), FinishToStart, 21, None),
    ((2, 4), (5, 2), FinishToStart, 7, None),
    ((3, 1), (3, 4), FinishToStart, 30, None),
    ((3, 2), (3, 4), FinishToStart, 14, None),
    ((3, 4), (3, 5), FinishToStart, 30, None),
    ((3, 4), (5, 2), StartToStart, 0, None),
    ((4, 2), (4, 3), FinishToStart, 21, None),
    ((4, 3), (4, 4), FinishToStart, 30, None),
    ((4, 4), (4, 5), FinishToStart, 14, None),
    ((4, 5), (1, 5), FinishToStart, 3, None),
    ((4, 5), (0, 5), FinishToStart, 7, Some(150)),
    ((5, 1), (5, 3), FinishToStart, 14, None),
    ((5, 3), (5, 4), FinishToStart, 21, None),
    ((4, 1), (4, 2), FinishToStart, 0, Some(-5)),
];
