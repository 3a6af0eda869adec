//! RAID commands: risks from identification to closing or realisation, issues, assumptions, and
//! the program's RAID settings (appetite, categories).
//!
//! Who may change an item depends on its scope, known only once it is loaded: the route passes
//! the caller's [`ProgramAccess`] and [`may_manage`] checks it against the item's projects (and,
//! when a revision moves it, against the new ones too). Two commands touch two streams, in one
//! atomic append: realising a risk raises its issue, and invalidating an assumption identifies
//! its risk; each side names the other.

use super::governance::{DirectChange, require_direct};
use super::{CommandError, Loaded, accepted, answer_for, decide_and_append, load, stream_part};
use crate::event_store::{AppendRequest, EventStore};
use crate::queries::raid::raid_view;
use crate::request_context::RequestContext;
use chrono::NaiveDate;
use throughline_shared::access::ProgramAccess;
use throughline_shared::aggregate::Aggregate;
use throughline_shared::api::CommandAccepted;
use throughline_shared::governance::requests::EffectRequest;
use throughline_shared::governance::rights::DecisionKind;
use throughline_shared::ids::DependencyId;
use throughline_shared::ids::{ActionId, AssumptionId, IssueId, RiskId};
use throughline_shared::raid::assumption::{Assumption, AssumptionCommand};
use throughline_shared::raid::issue::{Issue, IssueCommand, IssueDetails, Severity};
use throughline_shared::raid::requests::{
    AddRaidActionRequest, AssessRiskRequest, ChangeRaidActionRequest, IdentifyRiskRequest,
    InvalidateAssumptionRequest, RaidTextRequest, RealiseRiskRequest, RespondRequest,
    ReviseAssumptionRequest, ReviseIssueRequest, ReviseRiskRequest, SetAppetiteRequest,
    SetCategoriesRequest, unknown_refs,
};
use throughline_shared::raid::risk::{ResponseStrategy, Risk, RiskCommand, RiskDetails};
use throughline_shared::raid::settings::{RaidSettings, RaidSettingsCommand, settings_stream};
use throughline_shared::raid::suggestions::{RiskSuggestion, suggestions};
use throughline_shared::raid::{Band, RaidLink};
use throughline_shared::view::ProgramView;
use throughline_shared::{DomainError, ProgramId, ProjectId};
use uuid::Uuid;

/// Refuses (403) a change to an item scoped to `projects` that the caller's access does not
/// allow.
pub fn may_manage(access: &ProgramAccess, projects: &[ProjectId]) -> Result<(), CommandError> {
    if access.can_manage_raid(projects) {
        return Ok(());
    }
    Err(CommandError::Forbidden(
        if access.read_only {
            "this API token is read-only"
        } else if projects.is_empty() {
            "program-level risks, issues and assumptions are the program manager's"
        } else {
            "changing these risks, issues and assumptions needs the contributor role, or project \
             manager of one of their projects"
        }
        .into(),
    ))
}

/// The projects and links must be the program's.
fn known_refs(
    view: &ProgramView,
    projects: &[ProjectId],
    links: &[RaidLink],
) -> Result<(), CommandError> {
    let errors = unknown_refs(view, projects, links);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors).into())
    }
}

async fn settings_of(
    store: &EventStore,
    program_id: ProgramId,
) -> Result<Loaded<RaidSettings>, CommandError> {
    load::<RaidSettings>(store, settings_stream(program_id)).await
}

/// A RAID item: where it keeps its program and the projects whose people may change it.
trait Item: Aggregate {
    const WHAT: &'static str;
    fn program(&self) -> Option<ProgramId>;
    fn projects(&self) -> &[ProjectId];
}

impl Item for Risk {
    const WHAT: &'static str = "the risk";
    fn program(&self) -> Option<ProgramId> {
        self.program_id
    }
    fn projects(&self) -> &[ProjectId] {
        &self.details.projects
    }
}

impl Item for Issue {
    const WHAT: &'static str = "the issue";
    fn program(&self) -> Option<ProgramId> {
        self.program_id
    }
    fn projects(&self) -> &[ProjectId] {
        &self.details.projects
    }
}

impl Item for Assumption {
    const WHAT: &'static str = "the assumption";
    fn program(&self) -> Option<ProgramId> {
        self.program_id
    }
    fn projects(&self) -> &[ProjectId] {
        &self.details.projects
    }
}

/// An item of this program (else 404) that the caller may change (else 403), at the version
/// the client edited if it named one (else 409).
async fn item_in<A: Item>(
    store: &EventStore,
    program_id: ProgramId,
    id: Uuid,
    access: &ProgramAccess,
    expected_version: Option<i64>,
) -> Result<Loaded<A>, CommandError> {
    let loaded = load::<A>(store, id).await?;
    if loaded.state.program() != Some(program_id) {
        return Err(
            DomainError::NotFound(format!("{} {id} in program {program_id}", A::WHAT)).into(),
        );
    }
    may_manage(access, loaded.state.projects())?;
    loaded.expecting(A::WHAT, expected_version)
}

/// Appends what `command` decides on the loaded item.
async fn append_to<A: Item>(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    id: Uuid,
    loaded: Loaded<A>,
    command: A::Command,
) -> Result<CommandAccepted, CommandError> {
    let events = decide_and_append(store, ctx, id, loaded, command, None).await?;
    accepted(&events, program_id, None)
}

/// Identifies a risk, with a first assessment if given.
pub async fn identify_risk(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    view: &ProgramView,
    access: &ProgramAccess,
    request: IdentifyRiskRequest,
) -> Result<CommandAccepted, CommandError> {
    may_manage(access, &request.details.projects)?;
    known_refs(view, &request.details.projects, &request.details.links)?;
    let settings = settings_of(store, program_id).await?;
    let risk_id = RiskId::from_uuid(Uuid::new_v4());
    let loaded = load::<Risk>(store, risk_id.0).await?;
    let command = RiskCommand::Identify {
        risk_id,
        program_id,
        details: request.details,
        categories: settings.state.categories(),
        assessment: request.assessment,
        review_by: request.review_by,
    };
    let events = decide_and_append(store, ctx, risk_id.0, loaded, command, None).await?;
    accepted(&events, program_id, None)
}

/// A change to an existing risk.
pub enum RiskStep {
    Revise(ReviseRiskRequest),
    Assess(AssessRiskRequest),
    Residual(AssessRiskRequest),
    Respond(RespondRequest),
    AddAction(AddRaidActionRequest),
    ChangeAction(ActionId, ChangeRaidActionRequest),
    Close(RaidTextRequest),
}

impl RiskStep {
    fn expected_version(&self) -> Option<i64> {
        match self {
            RiskStep::Revise(r) => r.expected_version,
            RiskStep::Assess(r) | RiskStep::Residual(r) => r.expected_version,
            RiskStep::Respond(r) => r.expected_version,
            RiskStep::AddAction(r) => r.expected_version,
            RiskStep::ChangeAction(_, r) => r.expected_version,
            RiskStep::Close(r) => r.expected_version,
        }
    }
}

/// A change to an existing item.
pub enum Step {
    Risk(RiskStep),
    Issue(IssueStep),
    Assumption(AssumptionStep),
}

/// Changes the item `id` of the program by `step`.
pub async fn item_step(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    id: Uuid,
    view: &ProgramView,
    access: &ProgramAccess,
    step: Step,
) -> Result<CommandAccepted, CommandError> {
    match step {
        Step::Risk(step) => {
            let loaded =
                item_in::<Risk>(store, program_id, id, access, step.expected_version()).await?;
            let command = risk_command(
                store,
                program_id,
                RiskId(id),
                &loaded.state,
                view,
                access,
                step,
            )
            .await?;
            append_to(store, ctx, program_id, id, loaded, command).await
        }
        Step::Issue(step) => {
            let loaded =
                item_in::<Issue>(store, program_id, id, access, step.expected_version()).await?;
            let command = issue_command(view, access, step)?;
            append_to(store, ctx, program_id, id, loaded, command).await
        }
        Step::Assumption(step) => {
            let loaded =
                item_in::<Assumption>(store, program_id, id, access, step.expected_version())
                    .await?;
            let command = assumption_command(view, access, step)?;
            append_to(store, ctx, program_id, id, loaded, command).await
        }
    }
}

async fn risk_command(
    store: &EventStore,
    program_id: ProgramId,
    risk_id: RiskId,
    risk: &Risk,
    view: &ProgramView,
    access: &ProgramAccess,
    step: RiskStep,
) -> Result<RiskCommand, CommandError> {
    Ok(match step {
        RiskStep::Revise(request) => {
            // Moving a risk to other projects needs the right on those too.
            may_manage(access, &request.details.projects)?;
            known_refs(view, &request.details.projects, &request.details.links)?;
            RiskCommand::Revise {
                details: request.details,
                categories: settings_of(store, program_id).await?.state.categories(),
            }
        }
        RiskStep::Assess(request) => RiskCommand::Assess {
            assessment: request.assessment,
            reason: request.reason,
            review_by: request.review_by,
        },
        RiskStep::Residual(request) => RiskCommand::AssessResidual {
            assessment: request.assessment,
            reason: request.reason,
        },
        RiskStep::Respond(request) => {
            let appetite = settings_of(store, program_id).await?.state.appetite;
            let above = appetite.and_then(|a| risk.above_appetite(&a));
            if request.strategy == ResponseStrategy::Accept
                && let (Some(why), Some(assessment)) = (above, risk.inherent)
            {
                // The decision rights say who accepts it: a forum (refused here, naming it and
                // the decision to raise) or, where no rule names one, the program manager
                // through a decision of their own (the domain's refusal says so).
                require_direct(
                    store,
                    program_id,
                    DirectChange {
                        kind: DecisionKind::RiskAcceptance,
                        magnitude: Some(i64::from(assessment.score())),
                        question: format!("Accept the risk “{}” ({why})?", risk.details.title),
                        effect: EffectRequest::AcceptRisk { risk_id },
                    },
                )
                .await?;
            }
            RiskCommand::Respond {
                strategy: request.strategy,
                reason: request.reason,
                appetite,
                decision_id: None,
            }
        }
        RiskStep::AddAction(request) => RiskCommand::AddAction {
            action_id: ActionId::from_uuid(Uuid::new_v4()),
            title: request.title,
            owner: request.owner,
            due: request.due,
        },
        RiskStep::ChangeAction(action_id, request) => RiskCommand::ChangeAction {
            action_id,
            status: request.status,
            note: request.note,
        },
        RiskStep::Close(request) => RiskCommand::Close {
            reason: request.text,
        },
    })
}

/// The risk happened: `RiskRealised` and the issue it becomes, in one append. Answers with the
/// issue (`stream_id`).
pub async fn realise_risk(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    risk_id: RiskId,
    access: &ProgramAccess,
    request: RealiseRiskRequest,
) -> Result<CommandAccepted, CommandError> {
    let risk = item_in::<Risk>(
        store,
        program_id,
        risk_id.0,
        access,
        request.expected_version,
    )
    .await?;
    let issue_id = IssueId::from_uuid(Uuid::new_v4());
    let issue = load::<Issue>(store, issue_id.0).await?;
    let details = &risk.state.details;
    let severity = request
        .severity
        .unwrap_or(match risk.state.inherent.map(|a| a.band()) {
            Some(Band::Critical) => Severity::Critical,
            Some(Band::High) => Severity::High,
            Some(Band::VeryLow | Band::Low) => Severity::Low,
            _ => Severity::Medium,
        });
    let issue_events = issue.state.decide(IssueCommand::Raise {
        issue_id,
        program_id,
        details: IssueDetails {
            title: details.title.clone(),
            description: details.description.clone(),
            severity,
            owner: details.owner.clone(),
            resolve_by: request.resolve_by,
            projects: details.projects.clone(),
            links: details.links.clone(),
        },
        from_risk: Some(risk_id),
    })?;
    let risk_events = risk.state.decide(RiskCommand::Realise {
        issue_id,
        reason: request.reason,
    })?;
    let metadata = ctx.metadata(None);
    let ids = ctx.event_ids();
    let mut next_id = (0..).map(|i| ids.id(i));
    let streams = vec![
        stream_part(risk_id.0, &risk, &risk_events, &mut next_id, &metadata),
        stream_part(issue_id.0, &issue, &issue_events, &mut next_id, &metadata),
    ];
    let recorded = store.append(AppendRequest { streams }).await?;
    answer_for(&recorded, issue_id.0, program_id)
}

pub async fn raise_issue(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    view: &ProgramView,
    access: &ProgramAccess,
    details: IssueDetails,
) -> Result<CommandAccepted, CommandError> {
    may_manage(access, &details.projects)?;
    known_refs(view, &details.projects, &details.links)?;
    let issue_id = IssueId::from_uuid(Uuid::new_v4());
    let loaded = load::<Issue>(store, issue_id.0).await?;
    let command = IssueCommand::Raise {
        issue_id,
        program_id,
        details,
        from_risk: None,
    };
    let events = decide_and_append(store, ctx, issue_id.0, loaded, command, None).await?;
    accepted(&events, program_id, None)
}

pub enum IssueStep {
    Revise(ReviseIssueRequest),
    AddAction(AddRaidActionRequest),
    ChangeAction(ActionId, ChangeRaidActionRequest),
    Resolve(RaidTextRequest),
}

impl IssueStep {
    fn expected_version(&self) -> Option<i64> {
        match self {
            IssueStep::Revise(r) => r.expected_version,
            IssueStep::AddAction(r) => r.expected_version,
            IssueStep::ChangeAction(_, r) => r.expected_version,
            IssueStep::Resolve(r) => r.expected_version,
        }
    }
}

fn issue_command(
    view: &ProgramView,
    access: &ProgramAccess,
    step: IssueStep,
) -> Result<IssueCommand, CommandError> {
    Ok(match step {
        IssueStep::Revise(request) => {
            may_manage(access, &request.details.projects)?;
            known_refs(view, &request.details.projects, &request.details.links)?;
            IssueCommand::Revise {
                details: request.details,
            }
        }
        IssueStep::AddAction(request) => IssueCommand::AddAction {
            action_id: ActionId::from_uuid(Uuid::new_v4()),
            title: request.title,
            owner: request.owner,
            due: request.due,
        },
        IssueStep::ChangeAction(action_id, request) => IssueCommand::ChangeAction {
            action_id,
            status: request.status,
            note: request.note,
        },
        IssueStep::Resolve(request) => IssueCommand::Resolve {
            resolution: request.text,
        },
    })
}

pub async fn record_assumption(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    view: &ProgramView,
    access: &ProgramAccess,
    details: throughline_shared::raid::assumption::AssumptionDetails,
) -> Result<CommandAccepted, CommandError> {
    may_manage(access, &details.projects)?;
    known_refs(view, &details.projects, &details.links)?;
    let assumption_id = AssumptionId::from_uuid(Uuid::new_v4());
    let loaded = load::<Assumption>(store, assumption_id.0).await?;
    let command = AssumptionCommand::Record {
        assumption_id,
        program_id,
        details,
    };
    let events = decide_and_append(store, ctx, assumption_id.0, loaded, command, None).await?;
    accepted(&events, program_id, None)
}

pub enum AssumptionStep {
    Revise(ReviseAssumptionRequest),
    Validate(RaidTextRequest),
}

impl AssumptionStep {
    fn expected_version(&self) -> Option<i64> {
        match self {
            AssumptionStep::Revise(r) => r.expected_version,
            AssumptionStep::Validate(r) => r.expected_version,
        }
    }
}

fn assumption_command(
    view: &ProgramView,
    access: &ProgramAccess,
    step: AssumptionStep,
) -> Result<AssumptionCommand, CommandError> {
    Ok(match step {
        AssumptionStep::Revise(request) => {
            may_manage(access, &request.details.projects)?;
            known_refs(view, &request.details.projects, &request.details.links)?;
            AssumptionCommand::Revise {
                details: request.details,
            }
        }
        AssumptionStep::Validate(request) => AssumptionCommand::Validate { note: request.text },
    })
}

/// The assumption is false: `AssumptionInvalidated` and the risk it raises, in one append.
/// Answers with the risk (`stream_id`).
pub async fn invalidate_assumption(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    assumption_id: AssumptionId,
    view: &ProgramView,
    access: &ProgramAccess,
    request: InvalidateAssumptionRequest,
) -> Result<CommandAccepted, CommandError> {
    let assumption = item_in::<Assumption>(
        store,
        program_id,
        assumption_id.0,
        access,
        request.expected_version,
    )
    .await?;
    let scope = &assumption.state.details;
    let categories = settings_of(store, program_id).await?.state.categories();
    let risk_request = request.risk.unwrap_or_else(|| IdentifyRiskRequest {
        details: RiskDetails {
            title: short_title(&scope.statement),
            description: format!(
                "Raised when the assumption “{}” proved false.",
                scope.statement
            ),
            cause: String::new(),
            category: categories.first().cloned().unwrap_or_default(),
            owner: scope.owner.clone(),
            projects: scope.projects.clone(),
            links: scope.links.clone(),
            proximity: None,
        },
        assessment: None,
        review_by: None,
    });
    may_manage(access, &risk_request.details.projects)?;
    known_refs(
        view,
        &risk_request.details.projects,
        &risk_request.details.links,
    )?;
    let risk_id = RiskId::from_uuid(Uuid::new_v4());
    let risk = load::<Risk>(store, risk_id.0).await?;
    let risk_events = risk.state.decide(RiskCommand::Identify {
        risk_id,
        program_id,
        details: risk_request.details,
        categories,
        assessment: risk_request.assessment,
        review_by: risk_request.review_by,
    })?;
    let assumption_events = assumption.state.decide(AssumptionCommand::Invalidate {
        note: request.note,
        risk_id,
    })?;
    let metadata = ctx.metadata(None);
    let ids = ctx.event_ids();
    let mut next_id = (0..).map(|i| ids.id(i));
    let streams = vec![
        stream_part(
            assumption_id.0,
            &assumption,
            &assumption_events,
            &mut next_id,
            &metadata,
        ),
        stream_part(risk_id.0, &risk, &risk_events, &mut next_id, &metadata),
    ];
    let recorded = store.append(AppendRequest { streams }).await?;
    answer_for(&recorded, risk_id.0, program_id)
}

/// The risk the register suggests today for `dependency_id` (in trouble, not linked by a risk,
/// not dismissed), or 404.
async fn suggestion_for(
    store: &EventStore,
    view: &ProgramView,
    dependency_id: DependencyId,
    today: NaiveDate,
) -> Result<RiskSuggestion, CommandError> {
    let raid = raid_view(store.pool(), view.program_id, i64::MAX).await?;
    suggestions(view, &view.analyse(today), &raid)
        .into_iter()
        .find(|s| s.dependency_id == dependency_id)
        .ok_or_else(|| {
            DomainError::NotFound(format!(
                "a risk suggested for dependency {dependency_id} (it is not in trouble, a risk \
                 links it already, or its suggestion was dismissed)"
            ))
            .into()
        })
}

/// The consumer's side takes the suggested risk on: identified as suggested, reviewed in two
/// weeks, the suggestion named as the reason.
pub async fn accept_suggestion(
    store: &EventStore,
    ctx: &RequestContext,
    view: &ProgramView,
    access: &ProgramAccess,
    dependency_id: DependencyId,
    today: NaiveDate,
) -> Result<CommandAccepted, CommandError> {
    let suggestion = suggestion_for(store, view, dependency_id, today).await?;
    may_manage(access, &[suggestion.consumer_project])?;
    let program_id = view.program_id;
    let settings = settings_of(store, program_id).await?;
    let risk_id = RiskId::from_uuid(Uuid::new_v4());
    let loaded = load::<Risk>(store, risk_id.0).await?;
    let reason = format!(
        "accepted the risk suggested when the dependency turned {}",
        suggestion.status.label().to_lowercase()
    );
    let command = RiskCommand::Identify {
        risk_id,
        program_id,
        details: suggestion.details,
        categories: settings.state.categories(),
        assessment: Some(suggestion.assessment),
        review_by: Some(throughline_shared::date::add_days(today, 14)),
    };
    let events = decide_and_append(store, ctx, risk_id.0, loaded, command, Some(reason)).await?;
    accepted(&events, program_id, None)
}

/// The consumer's side does not want the suggested risk: recorded with the reason.
pub async fn dismiss_suggestion(
    store: &EventStore,
    ctx: &RequestContext,
    view: &ProgramView,
    access: &ProgramAccess,
    dependency_id: DependencyId,
    request: RaidTextRequest,
    today: NaiveDate,
) -> Result<CommandAccepted, CommandError> {
    let suggestion = suggestion_for(store, view, dependency_id, today).await?;
    may_manage(access, &[suggestion.consumer_project])?;
    let program_id = view.program_id;
    let loaded = settings_of(store, program_id).await?;
    let command = RaidSettingsCommand::DismissSuggestion {
        program_id,
        dependency_id,
        status: suggestion.status,
        reason: request.text,
    };
    let stream = settings_stream(program_id);
    let events = decide_and_append(store, ctx, stream, loaded, command, None).await?;
    accepted(&events, program_id, None)
}

/// "Assumption proved false: " and the statement, cut to fit a title on a word boundary.
fn short_title(statement: &str) -> String {
    const MAX: usize = 150;
    let mut title = String::from("Assumption proved false: ");
    let mut words = statement.split_whitespace().peekable();
    while let Some(word) = words.next() {
        if title.chars().count() + word.chars().count() + 1 > MAX {
            title.push('…');
            break;
        }
        title.push_str(word);
        if words.peek().is_some() {
            title.push(' ');
        }
    }
    title
}

pub async fn set_appetite(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    request: SetAppetiteRequest,
) -> Result<CommandAccepted, CommandError> {
    super::existing_program(store, program_id, None).await?;
    let loaded = settings_of(store, program_id).await?;
    let command = RaidSettingsCommand::SetAppetite {
        program_id,
        appetite: request.appetite,
        reason: request.reason,
    };
    let stream = settings_stream(program_id);
    let events = decide_and_append(store, ctx, stream, loaded, command, None).await?;
    accepted(&events, program_id, None)
}

pub async fn set_categories(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    request: SetCategoriesRequest,
) -> Result<CommandAccepted, CommandError> {
    super::existing_program(store, program_id, None).await?;
    let loaded = settings_of(store, program_id).await?;
    let command = RaidSettingsCommand::SetCategories {
        program_id,
        categories: request.categories,
    };
    let stream = settings_stream(program_id);
    let events = decide_and_append(store, ctx, stream, loaded, command, None).await?;
    accepted(&events, program_id, None)
}

#[cfg(test)]
mod tests {
    use super::short_title;

    #[test]
    fn a_long_statement_makes_a_title_cut_on_a_word() {
        assert_eq!(
            short_title("Q2  sign-off"),
            "Assumption proved false: Q2 sign-off"
        );
        let long = "word ".repeat(100);
        let title = short_title(&long);
        assert!(
            title.chars().count() <= 151 && title.ends_with('…'),
            "{title}"
        );
    }
}
