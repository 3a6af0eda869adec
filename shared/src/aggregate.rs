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
