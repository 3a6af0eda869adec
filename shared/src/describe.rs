//! Human sentences for the audit trail: what changed, in a program manager's words.

use crate::event::DomainEvent;
use crate::program::ProgramEvent;
use crate::project::ProjectEvent;

pub fn describe(event: &DomainEvent) -> String {
    match event {
        DomainEvent::Program(e) => match e {
            ProgramEvent::ProgramCreated {
                name,
                sponsor,
                objectives,
                ..
            } => {
                let n = objectives.len();
                let plural = if n == 1 { "" } else { "s" };
                format!(
                    "Created program “{name}” sponsored by {sponsor}, with {n} objective{plural}"
                )
            }
            ProgramEvent::ProgramRenamed { from, to, .. } => {
                format!("Renamed the program from “{from}” to “{to}”")
            }
            ProgramEvent::ProgramDescriptionChanged { .. } => {
                "Changed the program description".into()
            }
            ProgramEvent::ProgramSponsorChanged { from, to, .. } => {
                format!("Changed the sponsor from {from} to {to}")
            }
        },
        DomainEvent::Project(e) => match e {
            ProjectEvent::ProjectAdded { name, manager, .. } => {
                format!("Added project “{name}” managed by {manager}")
            }
            ProjectEvent::ProjectStatusReported { rag, narrative, .. } => {
                format!("Reported status {rag}: {narrative}")
            }
        },
    }
}
