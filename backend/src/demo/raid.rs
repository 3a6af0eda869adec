//! The demo's RAID register, seeded through the ordinary commands: an appetite, about twenty-five
//! risks, issues and assumptions with histories — a vendor cause shared by three projects (each
//! within appetite, together above it), a risk reassessed upwards and then treated, a stale risk,
//! one accepted above appetite through the steering committee, one realised into an issue, one
//! closed without treatment, an assumption found false that raised a risk.

use super::as_user;
use super::governance::People;
use crate::commands::CommandError;
use crate::commands::governance::{self as gov, Caller};
use crate::commands::raid::{self, AssumptionStep, IssueStep, RiskStep, Step};
use crate::event_store::EventStore;
use crate::queries::program::current_view;
use crate::request_context::RequestContext;
use chrono::{Duration, NaiveDate};
use throughline_shared::access::ProgramAccess;
use throughline_shared::governance::decision::{DecisionOption, Vote};
use throughline_shared::governance::requests::{
    DecideRequest, EffectRequest, OutcomeChoice, RaiseDecisionRequest,
};
use throughline_shared::governance::rights::DecisionKind;
use throughline_shared::governance::session::ActionStatus;
use throughline_shared::ids::{ActionId, DecisionId, DependencyId, MilestoneId, RiskId};
use throughline_shared::money::{Currency, Money};
use throughline_shared::raid::assumption::AssumptionDetails;
use throughline_shared::raid::issue::{IssueDetails, Severity};
use throughline_shared::raid::requests::{
    AddRaidActionRequest, AssessRiskRequest, ChangeRaidActionRequest, IdentifyRiskRequest,
    InvalidateAssumptionRequest, RaidTextRequest, RealiseRiskRequest, RespondRequest,
    SetAppetiteRequest,
};
use throughline_shared::raid::risk::{ResponseStrategy, RiskDetails};
use throughline_shared::raid::settings::Appetite;
use throughline_shared::raid::{Assessment, RaidLink, Rating};
use throughline_shared::view::ProgramView;
use throughline_shared::{ProgramId, ProjectId};

/// Everything may be done by the seed: it acts as the people named, with every right.
fn all_rights() -> ProgramAccess {
    ProgramAccess {
        admin: true,
        ..Default::default()
    }
}

fn rating(n: u8) -> anyhow::Result<Rating> {
    Rating::new(n).ok_or_else(|| anyhow::anyhow!("the demo rates {n}, outside 1–5"))
}

fn eur(minor: i64) -> anyhow::Result<Money> {
    let currency = Currency::parse("EUR").ok_or_else(|| anyhow::anyhow!("EUR is a currency"))?;
    Money::new(minor, currency).ok_or_else(|| anyhow::anyhow!("{minor} is out of range"))
}

fn assess(p: u8, i: u8, days: Option<u16>, cost: Option<i64>) -> anyhow::Result<Assessment> {
    Ok(Assessment {
        probability: rating(p)?,
        impact: rating(i)?,
        schedule_days: days,
        cost: cost.map(eur).transpose()?,
    })
}

/// One seeded risk: who identifies it, what it is, its first assessment.
struct Seed<'a> {
    by: &'a str,
    title: &'a str,
    cause: &'a str,
    category: &'a str,
    owner: &'a str,
    projects: Vec<ProjectId>,
    links: Vec<RaidLink>,
    first: Assessment,
    review_by: i64,
}

struct Raid<'a> {
    store: &'a EventStore,
    program_id: ProgramId,
    view: ProgramView,
    today: NaiveDate,
}

impl Raid<'_> {
    fn day(&self, offset: i64) -> NaiveDate {
        self.today + Duration::days(offset)
    }

    async fn risk(&self, seed: Seed<'_>) -> anyhow::Result<RiskId> {
        let accepted = raid::identify_risk(
            self.store,
            &as_user(seed.by),
            self.program_id,
            &self.view,
            &all_rights(),
            IdentifyRiskRequest {
                details: RiskDetails {
                    title: seed.title.into(),
                    description: String::new(),
                    cause: seed.cause.into(),
                    category: seed.category.into(),
                    owner: seed.owner.into(),
                    projects: seed.projects,
                    links: seed.links,
                    proximity: None,
                },
                assessment: Some(seed.first),
                review_by: Some(self.day(seed.review_by)),
            },
        )
        .await?;
        Ok(RiskId::from_uuid(accepted.stream_id))
    }

    async fn step(&self, by: &str, risk: RiskId, step: RiskStep) -> Result<(), CommandError> {
        raid::item_step(
            self.store,
            &as_user(by),
            self.program_id,
            risk.0,
            &self.view,
            &all_rights(),
            Step::Risk(step),
        )
        .await
        .map(|_| ())
    }

    async fn reassess(
        &self,
        by: &str,
        risk: RiskId,
        assessment: Assessment,
        reason: &str,
        review_by: i64,
    ) -> Result<(), CommandError> {
        let step = RiskStep::Assess(AssessRiskRequest {
            assessment,
            reason: reason.into(),
            review_by: Some(self.day(review_by)),
            expected_version: None,
        });
        self.step(by, risk, step).await
    }

    /// Adds an action; returns its id (the newest action of the risk).
    async fn action(
        &self,
        by: &str,
        risk: RiskId,
        title: &str,
        owner: &str,
        due: i64,
    ) -> anyhow::Result<ActionId> {
        let step = RiskStep::AddAction(AddRaidActionRequest {
            title: title.into(),
            owner: owner.into(),
            due: self.day(due),
            expected_version: None,
        });
        self.step(by, risk, step).await?;
        let risks =
            crate::queries::raid::raid_view(self.store.pool(), self.program_id, i64::MAX).await?;
        risks
            .risk(risk)
            .and_then(|r| r.actions.last())
            .map(|a| a.action_id)
            .ok_or_else(|| anyhow::anyhow!("the action just added to risk {risk} is missing"))
    }
}

/// Seeds the register. `milestones[p][m]` is project `p`'s `m`-th milestone of the demo data.
pub(super) async fn seed_raid(
    store: &EventStore,
    program_id: ProgramId,
    milestones: &[Vec<MilestoneId>],
    dependencies: &[DependencyId],
    people: &People,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let view = current_view(store.pool(), program_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo program {program_id} was not found"))?;
    let project = |i: usize| {
        view.projects
            .get(i)
            .map(|p| p.project_id)
            .ok_or_else(|| anyhow::anyhow!("the demo has no project {i}"))
    };
    let milestone = |p: usize, m: usize| {
        milestones
            .get(p)
            .and_then(|ms| ms.get(m))
            .map(|m| RaidLink::Milestone(*m))
            .ok_or_else(|| anyhow::anyhow!("the demo has no milestone {m} in project {p}"))
    };
    let dependency = |d: usize| {
        dependencies
            .get(d)
            .map(|d| RaidLink::Dependency(*d))
            .ok_or_else(|| anyhow::anyhow!("the demo has no dependency {d}"))
    };
    let (gateway, ledger, fraud, portal, migration, rollout) = (
        project(0)?,
        project(1)?,
        project(2)?,
        project(3)?,
        project(4)?,
        project(5)?,
    );
    let r = Raid {
        store,
        program_id,
        view: view.clone(),
        today,
    };
    let pm = "Priya Raman";
    raid::set_appetite(
        store,
        &as_user(pm),
        program_id,
        SetAppetiteRequest {
            appetite: Appetite {
                score: 12,
                schedule_days: Some(15),
                cost: Some(eur(25_000_000)?),
            },
            reason: "Steering committee guidance for the launch year".into(),
        },
    )
    .await?;

    // One supplier behind three projects: each risk within appetite, together above it.
    let hsm = "Single HSM supplier for the whole platform";
    for (by, title, owner, p, link, first) in [
        (
            "Lee Chen",
            "HSM delivery slips past PCI certification",
            "Lee Chen",
            gateway,
            milestone(0, 2)?,
            assess(3, 3, Some(14), Some(4_000_000))?,
        ),
        (
            "Amara Okafor",
            "HSM key ceremony not ready for ledger signing",
            "Grace Liu",
            ledger,
            milestone(1, 2)?,
            assess(3, 3, Some(12), None)?,
        ),
        (
            "Jonas Weber",
            "No HSM capacity for fraud model encryption",
            "Ines Moreau",
            fraud,
            milestone(2, 3)?,
            assess(2, 3, Some(15), None)?,
        ),
    ] {
        r.risk(Seed {
            by,
            title,
            cause: hsm,
            category: "Vendor",
            owner,
            projects: vec![p],
            links: vec![link],
            first,
            review_by: 21,
        })
        .await?;
    }

    // Reassessed upwards as evidence came in, then treated.
    let posting = r
        .risk(Seed {
            by: "Amara Okafor",
            title: "Real-time posting API misses its throughput target",
            cause: "Double-entry engine not tuned for peak load",
            category: "Technical",
            owner: "Yusuf Demir",
            projects: vec![ledger],
            links: vec![milestone(1, 2)?],
            first: assess(2, 3, Some(10), None)?,
            review_by: 30,
        })
        .await?;
    r.reassess(
        "Yusuf Demir",
        posting,
        assess(3, 4, Some(15), None)?,
        "First load test reached 60% of the target",
        20,
    )
    .await?;
    r.reassess(
        "Yusuf Demir",
        posting,
        assess(4, 4, Some(20), Some(9_000_000))?,
        "Second load test no better; the consumers' dates depend on it",
        14,
    )
    .await?;
    r.step(
        "Amara Okafor",
        posting,
        RiskStep::Respond(RespondRequest {
            strategy: ResponseStrategy::Mitigate,
            reason: "Tune the engine and shard the journal before go-live".into(),
            expected_version: None,
        }),
    )
    .await?;
    r.step(
        "Amara Okafor",
        posting,
        RiskStep::Residual(AssessRiskRequest {
            assessment: assess(2, 3, Some(5), None)?,
            reason: "Sharded journal passed a spike test at 140% of peak".into(),
            review_by: None,
            expected_version: None,
        }),
    )
    .await?;
    let done = r
        .action(
            "Amara Okafor",
            posting,
            "Shard the journal table",
            "Yusuf Demir",
            -3,
        )
        .await?;
    r.step(
        "Yusuf Demir",
        posting,
        RiskStep::ChangeAction(
            done,
            ChangeRaidActionRequest {
                status: ActionStatus::Done,
                note: "Deployed to the performance environment".into(),
                expected_version: None,
            },
        ),
    )
    .await?;
    r.action(
        "Amara Okafor",
        posting,
        "Re-run the peak load test with production data volumes",
        "Grace Liu",
        9,
    )
    .await?;

    // Not looked at since its review date: stale.
    r.risk(Seed {
        by: "Ravi Patel",
        title: "Legacy data quality worse than the baseline suggests",
        cause: "Twenty years of manual fixes in the card switch",
        category: "Technical",
        owner: "Elena Petrova",
        projects: vec![migration],
        links: vec![milestone(4, 2)?],
        first: assess(3, 4, Some(14), None)?,
        review_by: -9,
    })
    .await?;

    // Above appetite and accepted through the steering committee (risk acceptances of 15 or
    // more are its to decide).
    let scheme = r
        .risk(Seed {
            by: pm,
            title: "Card scheme mandates a new 3-D Secure version mid-programme",
            cause: "Scheme rule changes announced twice a year",
            category: "Regulatory",
            owner: "Marta Silva",
            projects: vec![gateway],
            links: vec![milestone(0, 3)?],
            first: assess(4, 4, Some(10), None)?,
            review_by: 45,
        })
        .await?;
    accept_through_steering(store, program_id, scheme, people, today).await?;

    // It happened: the fraud vendor cannot run shadow mode.
    let shadow = r
        .risk(Seed {
            by: "Jonas Weber",
            title: "Fraud vendor cannot support shadow-mode scoring",
            cause: "Vendor roadmap",
            category: "Vendor",
            owner: "Jonas Weber",
            projects: vec![fraud, rollout],
            links: vec![dependency(17)?],
            first: assess(3, 4, Some(21), None)?,
            review_by: 10,
        })
        .await?;
    raid::realise_risk(
        store,
        &as_user("Jonas Weber"),
        program_id,
        shadow,
        &all_rights(),
        RealiseRiskRequest {
            reason: "The vendor confirmed shadow mode will not be ready before go-live".into(),
            severity: None,
            resolve_by: Some(r.day(12)),
            expected_version: None,
        },
    )
    .await?;

    // Closed with nothing done and not accepted: flagged.
    let venue = r
        .risk(Seed {
            by: "Hannah Kim",
            title: "Training venue unavailable in the rollout month",
            cause: "",
            category: "Resource",
            owner: "Noah Fischer",
            projects: vec![rollout],
            links: vec![],
            first: assess(2, 2, None, Some(1_500_000))?,
            review_by: 30,
        })
        .await?;
    r.step(
        "Hannah Kim",
        venue,
        RiskStep::Close(RaidTextRequest {
            text: "Nobody thinks it is likely any more".into(),
            expected_version: None,
        }),
    )
    .await?;

    // The rest of a living register.
    for (by, title, cause, category, owner, p, link, first, review_by) in [
        (
            "Sofia Alvarez",
            "Merchants reject the new onboarding flow",
            "UX tested with ten merchants only",
            "Scope",
            "Daniel Novak",
            portal,
            Some(milestone(3, 1)?),
            assess(2, 4, Some(15), None)?,
            25,
        ),
        (
            "Ravi Patel",
            "Migration weekend overruns its outage window",
            "Volume growth since the rehearsal estimate",
            "Schedule",
            "Ravi Patel",
            migration,
            Some(milestone(4, 5)?),
            assess(3, 5, Some(7), Some(20_000_000))?,
            40,
        ),
        (
            "Hannah Kim",
            "Operations team turnover during rollout",
            "Tight labour market for payments operations",
            "Resource",
            "Hannah Kim",
            rollout,
            None,
            assess(3, 2, None, None)?,
            60,
        ),
        (
            "Lee Chen",
            "Tokenisation vault licence renewal price rise",
            "Vendor pricing",
            "Cost",
            "Tom Becker",
            gateway,
            None,
            assess(4, 2, None, Some(6_000_000))?,
            35,
        ),
        (
            "Sofia Alvarez",
            "Accessibility audit finds blocking issues late",
            "Audit booked after feature freeze",
            "Regulatory",
            "Aiko Tanaka",
            portal,
            Some(milestone(3, 4)?),
            assess(2, 3, Some(10), None)?,
            50,
        ),
        (
            "Amara Okafor",
            "Reconciliation rules undocumented in the legacy batch",
            "Knowledge held by two people",
            "Technical",
            "Grace Liu",
            ledger,
            Some(milestone(1, 3)?),
            assess(3, 3, Some(12), None)?,
            28,
        ),
    ] {
        r.risk(Seed {
            by,
            title,
            cause,
            category,
            owner,
            projects: vec![p],
            links: link.into_iter().collect(),
            first,
            review_by,
        })
        .await?;
    }

    // Issues: problems now.
    for (by, title, severity, owner, p, due) in [
        (
            "Tom Becker",
            "Performance test environment down for two weeks",
            Severity::High,
            "Tom Becker",
            ledger,
            -2,
        ),
        (
            "Sofia Alvarez",
            "Lead UX designer on extended leave",
            Severity::Medium,
            "Sofia Alvarez",
            portal,
            20,
        ),
        (
            "Elena Petrova",
            "Trial migration 1 exposed 3% orphaned accounts",
            Severity::High,
            "Elena Petrova",
            migration,
            15,
        ),
    ] {
        let accepted = raid::raise_issue(
            store,
            &as_user(by),
            program_id,
            &view,
            &all_rights(),
            IssueDetails {
                title: title.into(),
                description: String::new(),
                severity,
                owner: owner.into(),
                resolve_by: Some(r.day(due)),
                projects: vec![p],
                links: vec![],
            },
        )
        .await?;
        if severity == Severity::High {
            raid::item_step(
                store,
                &as_user(by),
                program_id,
                accepted.stream_id,
                &view,
                &all_rights(),
                Step::Issue(IssueStep::AddAction(AddRaidActionRequest {
                    title: "Agree a workaround with the platform team".into(),
                    owner: owner.into(),
                    due: r.day(3),
                    expected_version: None,
                })),
            )
            .await?;
        }
    }

    // Assumptions: one validated, one found false (raising its risk), the rest open, one overdue.
    let mut assumption_ids = Vec::new();
    for (by, statement, owner, p, validate_by) in [
        (
            "Priya Raman",
            "The regulator approves the instant-payments licence by Q2",
            "Priya Raman",
            None,
            40,
        ),
        (
            "Ravi Patel",
            "The legacy vendor keeps the switch supported until decommissioning",
            "Ravi Patel",
            Some(migration),
            -5,
        ),
        (
            "Hannah Kim",
            "Merchants accept a two-hour onboarding call",
            "Hannah Kim",
            Some(rollout),
            30,
        ),
        (
            "Jonas Weber",
            "Fraud rules can be migrated without retraining the model",
            "Ines Moreau",
            Some(fraud),
            -15,
        ),
        (
            "Lee Chen",
            "Card volumes grow at most 15% a year",
            "Lee Chen",
            Some(gateway),
            90,
        ),
    ] {
        let accepted = raid::record_assumption(
            store,
            &as_user(by),
            program_id,
            &view,
            &all_rights(),
            AssumptionDetails {
                statement: statement.into(),
                owner: owner.into(),
                validate_by: Some(r.day(validate_by)),
                projects: p.into_iter().collect(),
                links: vec![],
            },
        )
        .await?;
        assumption_ids.push(throughline_shared::ids::AssumptionId::from_uuid(
            accepted.stream_id,
        ));
    }
    if let [.., fraud_rules, volumes] = assumption_ids.as_slice() {
        raid::item_step(
            store,
            &as_user("Lee Chen"),
            program_id,
            volumes.0,
            &view,
            &all_rights(),
            Step::Assumption(AssumptionStep::Validate(RaidTextRequest {
                text: "Five-year volume data from the acquirer confirms it".into(),
                expected_version: None,
            })),
        )
        .await?;
        raid::invalidate_assumption(
            store,
            &as_user("Jonas Weber"),
            program_id,
            *fraud_rules,
            &view,
            &all_rights(),
            InvalidateAssumptionRequest {
                note: "Rule migration changed 12% of scores: the model must be retrained".into(),
                risk: None,
                expected_version: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// The scheme risk (16) is above the appetite (12) and at or above the steering committee's
/// threshold (15): raised as a risk acceptance, voted by two members, approved.
async fn accept_through_steering(
    store: &EventStore,
    program_id: ProgramId,
    risk_id: RiskId,
    people: &People,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let option = |title: &str| DecisionOption {
        title: title.into(),
        pros: String::new(),
        cons: String::new(),
    };
    let decision = gov::raise_decision(
        store,
        &as_user("Priya Raman"),
        program_id,
        RaiseDecisionRequest {
            kind: DecisionKind::RiskAcceptance,
            magnitude: None,
            question: "Accept the 3-D Secure mandate risk for this year?".into(),
            context: "Mitigating means a second 3-D Secure integration (€180k); the mandate may \
                      not come before go-live."
                .into(),
            options: vec![
                option("Accept and monitor"),
                option("Fund a second integration"),
            ],
            recommendation: Some(0),
            effects: vec![EffectRequest::AcceptRisk { risk_id }],
            links: vec![],
        },
    )
    .await?
    .stream_id;
    let decision = DecisionId::from_uuid(decision);
    let caller = |ctx: &RequestContext| Caller {
        user_id: ctx.actor_id,
        governs: false,
    };
    let People { cfo, cto, pmo } = people;
    gov::table_decision(store, cfo, program_id, decision, caller(cfo), None, today).await?;
    gov::vote(store, cto, program_id, decision, Vote::Approve).await?;
    gov::vote(store, pmo, program_id, decision, Vote::Approve).await?;
    gov::decide_outcome(
        store,
        cfo,
        program_id,
        decision,
        caller(cfo),
        DecideRequest {
            outcome: OutcomeChoice::Approve,
            rationale: "Cheaper to absorb a late mandate than to build twice".into(),
            until: None,
            expected_version: None,
        },
    )
    .await?;
    Ok(())
}
