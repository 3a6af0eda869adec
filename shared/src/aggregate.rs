//! The shape every aggregate has: state rebuilt by `apply`, commands judged by `decide`.

use crate::dependency::{DependencyCommand, DependencyEvent, DependencyRegister};
use crate::error::DomainError;
use crate::event::AggregateEvent;
use crate::milestone::{Milestone, MilestoneCommand, MilestoneEvent};
use crate::program::{Program, ProgramCommand, ProgramEvent};
use crate::project::{Project, ProjectCommand, ProjectEvent};
use crate::user::{User, UserCommand, UserEvent};

/// `Clone + Send + Sync + 'static` so a folded state can be kept between commands (a command's
/// cost must not grow with its stream's length); `Command: Clone` so a command that lost a race it
/// never asked to check can be decided again on the newer state.
pub trait Aggregate: Default + Clone + Send + Sync + 'static {
    type Event: AggregateEvent;
    type Command: Clone;

    fn apply(&mut self, event: &Self::Event);
    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, DomainError>;
}

impl Aggregate for Program {
    type Event = ProgramEvent;
    type Command = ProgramCommand;

    fn apply(&mut self, event: &ProgramEvent) {
        Program::apply(self, event)
    }

    fn decide(&self, command: ProgramCommand) -> Result<Vec<ProgramEvent>, DomainError> {
        Program::decide(self, command)
    }
}

impl Aggregate for Project {
    type Event = ProjectEvent;
    type Command = ProjectCommand;

    fn apply(&mut self, event: &ProjectEvent) {
        Project::apply(self, event)
    }

    fn decide(&self, command: ProjectCommand) -> Result<Vec<ProjectEvent>, DomainError> {
        Project::decide(self, command)
    }
}

impl Aggregate for User {
    type Event = UserEvent;
    type Command = UserCommand;

    fn apply(&mut self, event: &UserEvent) {
        User::apply(self, event)
    }

    fn decide(&self, command: UserCommand) -> Result<Vec<UserEvent>, DomainError> {
        User::decide(self, command)
    }
}

impl Aggregate for crate::cascade::Cascade {
    type Event = crate::cascade::CascadeEvent;
    type Command = crate::cascade::CascadeCommand;

    fn apply(&mut self, event: &crate::cascade::CascadeEvent) {
        crate::cascade::Cascade::apply(self, event)
    }

    fn decide(
        &self,
        command: crate::cascade::CascadeCommand,
    ) -> Result<Vec<crate::cascade::CascadeEvent>, DomainError> {
        crate::cascade::Cascade::decide(self, command)
    }
}

impl Aggregate for Milestone {
    type Event = MilestoneEvent;
    type Command = MilestoneCommand;

    fn apply(&mut self, event: &MilestoneEvent) {
        Milestone::apply(self, event)
    }

    fn decide(&self, command: MilestoneCommand) -> Result<Vec<MilestoneEvent>, DomainError> {
        Milestone::decide(self, command)
    }
}

impl Aggregate for DependencyRegister {
    type Event = DependencyEvent;
    type Command = DependencyCommand;

    fn apply(&mut self, event: &DependencyEvent) {
        DependencyRegister::apply(self, event)
    }

    fn decide(&self, command: DependencyCommand) -> Result<Vec<DependencyEvent>, DomainError> {
        DependencyRegister::decide(self, command)
    }
}

impl Aggregate for crate::governance::decision::Decision {
    type Event = crate::governance::decision::DecisionEvent;
    type Command = crate::governance::decision::DecisionCommand;

    fn apply(&mut self, event: &Self::Event) {
        crate::governance::decision::Decision::apply(self, event)
    }

    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, DomainError> {
        crate::governance::decision::Decision::decide(self, command)
    }
}

impl Aggregate for crate::governance::charter::Charter {
    type Event = crate::governance::charter::CharterEvent;
    type Command = crate::governance::charter::CharterCommand;

    fn apply(&mut self, event: &Self::Event) {
        crate::governance::charter::Charter::apply(self, event)
    }

    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, DomainError> {
        crate::governance::charter::Charter::decide(self, command)
    }
}

impl Aggregate for crate::governance::escalation::Escalation {
    type Event = crate::governance::escalation::EscalationEvent;
    type Command = crate::governance::escalation::EscalationCommand;

    fn apply(&mut self, event: &Self::Event) {
        crate::governance::escalation::Escalation::apply(self, event)
    }

    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, DomainError> {
        crate::governance::escalation::Escalation::decide(self, command)
    }
}

impl Aggregate for crate::governance::session::ReviewSession {
    type Event = crate::governance::session::SessionEvent;
    type Command = crate::governance::session::SessionCommand;

    fn apply(&mut self, event: &Self::Event) {
        crate::governance::session::ReviewSession::apply(self, event)
    }

    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, DomainError> {
        crate::governance::session::ReviewSession::decide(self, command)
    }
}

impl Aggregate for crate::raid::risk::Risk {
    type Event = crate::raid::risk::RiskEvent;
    type Command = crate::raid::risk::RiskCommand;

    fn apply(&mut self, event: &Self::Event) {
        crate::raid::risk::Risk::apply(self, event)
    }

    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, DomainError> {
        crate::raid::risk::Risk::decide(self, command)
    }
}

impl Aggregate for crate::raid::issue::Issue {
    type Event = crate::raid::issue::IssueEvent;
    type Command = crate::raid::issue::IssueCommand;

    fn apply(&mut self, event: &Self::Event) {
        crate::raid::issue::Issue::apply(self, event)
    }

    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, DomainError> {
        crate::raid::issue::Issue::decide(self, command)
    }
}

impl Aggregate for crate::raid::assumption::Assumption {
    type Event = crate::raid::assumption::AssumptionEvent;
    type Command = crate::raid::assumption::AssumptionCommand;

    fn apply(&mut self, event: &Self::Event) {
        crate::raid::assumption::Assumption::apply(self, event)
    }

    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, DomainError> {
        crate::raid::assumption::Assumption::decide(self, command)
    }
}

impl Aggregate for crate::raid::settings::RaidSettings {
    type Event = crate::raid::settings::RaidSettingsEvent;
    type Command = crate::raid::settings::RaidSettingsCommand;

    fn apply(&mut self, event: &Self::Event) {
        crate::raid::settings::RaidSettings::apply(self, event)
    }

    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, DomainError> {
        crate::raid::settings::RaidSettings::decide(self, command)
    }
}

/// Given/when/then for every aggregate, after cqrs-es's `TestFramework`: a test states the history
/// (events, or commands that produced them), the command under test, and the outcome expected.
/// One helper rather than one `given` per module, so every aggregate's tests read the same way and
/// a failure always names the command and what it actually produced.
impl Aggregate for crate::briefing::Briefings {
    type Event = crate::briefing::BriefingEvent;
    type Command = crate::briefing::BriefingCommand;

    fn apply(&mut self, event: &Self::Event) {
        crate::briefing::Briefings::apply(self, event)
    }

    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, DomainError> {
        crate::briefing::Briefings::decide(self, command)
    }
}

#[cfg(test)]
pub(crate) mod given {
    use super::Aggregate;
    use crate::error::{DomainError, FieldError};
    use std::fmt::Debug;
    use std::ops::Deref;

    /// The state a history folds to. It derefs to the aggregate so a test can check the state it
    /// set up (`register.dependency(..)`, `decision.state`) without a getter.
    pub(crate) struct Given<A>(A);

    impl<A: Aggregate> Given<A>
    where
        A::Command: Debug,
    {
        /// The state after these events, folded by `apply` exactly as the server and browser do.
        pub(crate) fn events(events: &[A::Event]) -> Self {
            let mut state = A::default();
            events.iter().for_each(|e| state.apply(e));
            Self(state)
        }

        /// The state after each command is decided and its events applied in turn. Writing the
        /// history as commands keeps it honest (only reachable states), at the price of a refusal
        /// in the setup, which is a broken test rather than a finding, so it panics saying which.
        pub(crate) fn decided(commands: Vec<A::Command>) -> Self {
            let mut state = A::default();
            for (i, command) in commands.into_iter().enumerate() {
                let shown = format!("{command:?}");
                match state.decide(command) {
                    Ok(events) => events.iter().for_each(|e| state.apply(e)),
                    Err(e) => panic!("given command #{i} was refused ({e:?}): {shown}"),
                }
            }
            Self(state)
        }

        /// Decides `command` against this state. Borrows, so one history can meet many commands.
        pub(crate) fn when(&self, command: A::Command) -> Then<'_, A> {
            let command_shown = format!("{command:?}");
            Then {
                before: &self.0,
                result: self.0.decide(command),
                command: command_shown,
            }
        }
    }

    impl<A> Deref for Given<A> {
        type Target = A;
        fn deref(&self) -> &A {
            &self.0
        }
    }

    /// What one command decided. Each expectation panics with the command and the actual outcome,
    /// which a bare `unwrap` or `matches!` would not show.
    pub(crate) struct Then<'a, A: Aggregate> {
        before: &'a A,
        command: String,
        result: Result<Vec<A::Event>, DomainError>,
    }

    impl<A: Aggregate> Then<'_, A>
    where
        A::Event: Debug + PartialEq,
    {
        /// Accepted, with exactly these events. Returns itself so `state_after` can follow.
        pub(crate) fn then_events(self, expected: Vec<A::Event>) -> Self {
            match &self.result {
                Ok(events) => assert_eq!(events, &expected, "when {}", self.command),
                Err(e) => panic!(
                    "when {}: expected {expected:?}, refused: {e:?}",
                    self.command
                ),
            }
            self
        }

        /// Accepted: the events, for a test that checks only some of them.
        pub(crate) fn events(self) -> Vec<A::Event> {
            match self.result {
                Ok(events) => events,
                Err(e) => panic!(
                    "when {}: expected it accepted, refused: {e:?}",
                    self.command
                ),
            }
        }

        /// Accepted, whichever events it decided on.
        pub(crate) fn then_accepted(self) {
            self.events();
        }

        /// Accepted: the state with its events applied, as the history for the next command.
        pub(crate) fn state_after(self) -> Given<A> {
            let mut state = self.before.clone();
            self.events().iter().for_each(|e| state.apply(e));
            Given(state)
        }

        /// Refused: the error, for a test that inspects it.
        pub(crate) fn then_err(self) -> DomainError {
            match self.result {
                Err(e) => e,
                Ok(events) => panic!("when {}: expected a refusal, got {events:?}", self.command),
            }
        }

        /// Refused with exactly this error.
        pub(crate) fn then_error(self, expected: DomainError) {
            let command = self.command.clone();
            assert_eq!(self.then_err(), expected, "when {command}");
        }

        /// Refused with an error the predicate accepts; for when only its kind matters, as in
        /// `then_error_matches(|e| matches!(e, DomainError::NotFound(_)))`.
        pub(crate) fn then_error_matches(self, predicate: impl FnOnce(&DomainError) -> bool) {
            let command = self.command.clone();
            let err = self.then_err();
            assert!(
                predicate(&err),
                "when {command}: unexpected refusal {err:?}"
            );
        }

        /// Refused as invalid input: the field errors, which most such tests look into.
        pub(crate) fn then_invalid(self) -> Vec<FieldError> {
            let command = self.command.clone();
            match self.then_err() {
                DomainError::Invalid(fields) => fields,
                other => panic!("when {command}: expected field errors, got {other:?}"),
            }
        }
    }
}
