//! A program's governance charter: its decision forums, the decision-rights rules that route
//! decisions to them, and the escalation path. One stream per program (stream type `governance`),
//! so every change of who decides what is in the audit trail, and a decision raised at any moment
//! is routed by the rules as they stood then.

use super::forum::ForumRules;
use super::rights::{DecisionKind, DecisionRight};
use crate::error::{DomainError, NAME_MAX, PERSON_MAX, TEXT_MAX, Validator};
use crate::event::AggregateEvent;
use crate::ids::{ForumId, ProgramId, UserId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The longest a forum may take to decide: a year.
pub const DECISION_SLA_DAYS_MAX: u32 = 366;
/// The longest an escalation level may take to answer: 90 days.
pub const RESPONSE_SLA_HOURS_MAX: u32 = 90 * 24;

/// The charter stream of a program: one per program, derived from its id.
pub fn charter_stream(program_id: ProgramId) -> Uuid {
    Uuid::new_v5(&program_id.0, b"governance-charter")
}

/// A member of a forum with the name they had when appointed, so the audit trail reads without a
/// lookup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub user_id: UserId,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Forum {
    pub forum_id: ForumId,
    pub name: String,
    #[serde(default)]
    pub purpose: String,
    pub rules: ForumRules,
    /// The chair and members, named.
    #[serde(default)]
    pub people: Vec<Person>,
}

impl Forum {
    pub fn name_of(&self, user: UserId) -> Option<&str> {
        self.people
            .iter()
            .find(|p| p.user_id == user)
            .map(|p| p.name.as_str())
    }
}

/// One step of the escalation path, e.g. "Programme manager, answers within 48 hours".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EscalationLevel {
    /// Who the item sits with at this level: a role or a forum ("Steering committee").
    pub title: String,
    /// The person accountable for answering at this level.
    #[serde(default)]
    pub contact: String,
    /// How long an item may wait at this level before it moves up on its own.
    pub response_sla_hours: u32,
}

/// Facts about a program's charter. Wire names are the variant names and never change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CharterEvent {
    ForumEstablished {
        program_id: ProgramId,
        forum: Forum,
    },
    /// Its name, purpose, membership, quorum, cadence or SLA changed: the whole forum as it now is.
    ForumRevised {
        program_id: ProgramId,
        forum: Forum,
    },
    DecisionRightsSet {
        program_id: ProgramId,
        rights: Vec<DecisionRight>,
    },
    EscalationPathSet {
        program_id: ProgramId,
        levels: Vec<EscalationLevel>,
    },
}

impl AggregateEvent for CharterEvent {
    const STREAM_TYPE: &'static str = "governance";

    fn current_schema_version(_event_type: &str) -> i32 {
        1
    }

    fn program_id(&self) -> Option<ProgramId> {
        Some(match self {
            CharterEvent::ForumEstablished { program_id, .. }
            | CharterEvent::ForumRevised { program_id, .. }
            | CharterEvent::DecisionRightsSet { program_id, .. }
            | CharterEvent::EscalationPathSet { program_id, .. } => *program_id,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Charter {
    pub forums: Vec<Forum>,
    pub rights: Vec<DecisionRight>,
    pub escalation_path: Vec<EscalationLevel>,
}

/// A forum as the program manager types it; people are resolved to names by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForumDraft {
    pub name: String,
    pub purpose: String,
    pub rules: ForumRules,
    /// Every chair and member, named; `None` for an id that is no member of the program.
    pub people: Vec<(UserId, Option<String>)>,
}

/// A decision-rights rule as typed; the forum's name is filled in by `decide`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RightDraft {
    pub kind: DecisionKind,
    pub threshold: Option<i64>,
    pub forum_id: ForumId,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CharterCommand {
    /// Establish a new forum (`forum_id` unknown) or revise an existing one.
    SaveForum {
        program_id: ProgramId,
        forum_id: ForumId,
        draft: ForumDraft,
    },
    SetDecisionRights {
        program_id: ProgramId,
        rights: Vec<RightDraft>,
    },
    SetEscalationPath {
        program_id: ProgramId,
        levels: Vec<EscalationLevel>,
    },
}

/// The most levels an escalation path may have (a longer one is a sign of a missing decision).
pub const MAX_LEVELS: usize = 8;

impl Charter {
    pub fn forum(&self, forum_id: ForumId) -> Option<&Forum> {
        self.forums.iter().find(|f| f.forum_id == forum_id)
    }

    pub fn apply(&mut self, event: &CharterEvent) {
        match event {
            CharterEvent::ForumEstablished { forum, .. } => self.forums.push(forum.clone()),
            CharterEvent::ForumRevised { forum, .. } => {
                if let Some(f) = self
                    .forums
                    .iter_mut()
                    .find(|f| f.forum_id == forum.forum_id)
                {
                    *f = forum.clone();
                }
            }
            CharterEvent::DecisionRightsSet { rights, .. } => self.rights = rights.clone(),
            CharterEvent::EscalationPathSet { levels, .. } => self.escalation_path = levels.clone(),
        }
    }

    pub fn decide(&self, command: CharterCommand) -> Result<Vec<CharterEvent>, DomainError> {
        match command {
            CharterCommand::SaveForum {
                program_id,
                forum_id,
                draft,
            } => {
                let mut v = Validator::new();
                let name = v.required_text("name", &draft.name, NAME_MAX);
                let purpose = v.optional_text("purpose", &draft.purpose, TEXT_MAX);
                if self
                    .forums
                    .iter()
                    .any(|f| f.forum_id != forum_id && f.name.eq_ignore_ascii_case(&name))
                {
                    v.push("name", "another forum of this program has this name");
                }
                let mut rules = draft.rules;
                rules.members.retain(|m| *m != rules.chair);
                rules.members.sort();
                rules.members.dedup();
                let mut people = Vec::new();
                for (user_id, name) in draft.people {
                    if people.iter().any(|p: &Person| p.user_id == user_id) {
                        continue;
                    }
                    match name {
                        Some(name) => people.push(Person { user_id, name }),
                        None => v.push(
                            if user_id == rules.chair {
                                "chair"
                            } else {
                                "members"
                            },
                            format!("user {user_id} is not a member of this program"),
                        ),
                    }
                }
                if let Err(e) = rules.check() {
                    v.push("quorum", e);
                }
                v.within(
                    "decision_sla_days",
                    rules.decision_sla_days,
                    1..=DECISION_SLA_DAYS_MAX,
                );
                v.date("first_session", rules.first_session);
                v.finish()?;
                let forum = Forum {
                    forum_id,
                    name,
                    purpose,
                    rules,
                    people,
                };
                match self.forum(forum_id) {
                    None => Ok(vec![CharterEvent::ForumEstablished { program_id, forum }]),
                    Some(existing) if *existing == forum => Err(DomainError::NothingToChange(
                        "the forum is already set up like this".into(),
                    )),
                    Some(_) => Ok(vec![CharterEvent::ForumRevised { program_id, forum }]),
                }
            }
            CharterCommand::SetDecisionRights { program_id, rights } => {
                let mut v = Validator::new();
                let mut set = Vec::with_capacity(rights.len());
                for (i, r) in rights.into_iter().enumerate() {
                    let Some(forum) = self.forum(r.forum_id) else {
                        v.push(
                            format!("rights[{i}].forum_id"),
                            "is not a forum of this program",
                        );
                        continue;
                    };
                    if r.threshold.is_some_and(|t| t < 0) {
                        v.push(format!("rights[{i}].threshold"), "must not be negative");
                    }
                    if set
                        .iter()
                        .any(|s: &DecisionRight| s.kind == r.kind && s.threshold == r.threshold)
                    {
                        v.push(
                            format!("rights[{i}]"),
                            format!(
                                "a rule for {} at this threshold is already listed",
                                r.kind.label()
                            ),
                        );
                    }
                    set.push(DecisionRight {
                        kind: r.kind,
                        threshold: r.threshold,
                        forum_id: r.forum_id,
                        forum_name: forum.name.clone(),
                    });
                }
                v.finish()?;
                if set == self.rights {
                    return Err(DomainError::NothingToChange(
                        "the decision rights are already these".into(),
                    ));
                }
                Ok(vec![CharterEvent::DecisionRightsSet {
                    program_id,
                    rights: set,
                }])
            }
            CharterCommand::SetEscalationPath { program_id, levels } => {
                let mut v = Validator::new();
                if levels.is_empty() {
                    v.push("levels", "an escalation path needs at least one level");
                }
                if levels.len() > MAX_LEVELS {
                    v.push("levels", format!("at most {MAX_LEVELS} levels"));
                }
                let levels: Vec<EscalationLevel> = levels
                    .into_iter()
                    .enumerate()
                    .map(|(i, l)| {
                        v.within(
                            &format!("levels[{i}].response_sla_hours"),
                            l.response_sla_hours,
                            1..=RESPONSE_SLA_HOURS_MAX,
                        );
                        EscalationLevel {
                            title: v.required_text(
                                &format!("levels[{i}].title"),
                                &l.title,
                                NAME_MAX,
                            ),
                            contact: v.optional_text(
                                &format!("levels[{i}].contact"),
                                &l.contact,
                                PERSON_MAX,
                            ),
                            response_sla_hours: l.response_sla_hours,
                        }
                    })
                    .collect();
                v.finish()?;
                if levels == self.escalation_path {
                    return Err(DomainError::NothingToChange(
                        "the escalation path is already this".into(),
                    ));
                }
                Ok(vec![CharterEvent::EscalationPathSet { program_id, levels }])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::given::Given;
    use crate::governance::forum::Cadence;
    use chrono::NaiveDate;

    fn user(n: u128) -> UserId {
        UserId::from_uuid(Uuid::from_u128(n))
    }

    fn program() -> ProgramId {
        ProgramId::from_uuid(Uuid::from_u128(77))
    }

    fn board() -> ForumId {
        ForumId::from_uuid(Uuid::from_u128(5))
    }

    fn draft(quorum: u32) -> ForumDraft {
        ForumDraft {
            name: "Change board".into(),
            purpose: "Approves re-baselines".into(),
            rules: ForumRules {
                chair: user(1),
                members: vec![user(2), user(1), user(3), user(2)],
                quorum,
                cadence: Cadence::Fortnightly,
                first_session: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
                decision_sla_days: 10,
            },
            people: vec![
                (user(1), Some("Ada".into())),
                (user(2), Some("Bo".into())),
                (user(3), Some("Cy".into())),
            ],
        }
    }

    fn save(draft: ForumDraft) -> CharterCommand {
        CharterCommand::SaveForum {
            program_id: program(),
            forum_id: board(),
            draft,
        }
    }

    #[test]
    fn a_forum_is_established_then_revised_with_members_deduplicated() {
        let c = Given::<Charter>::decided(vec![save(draft(2))]);
        assert_eq!(c.forums[0].rules.members, vec![user(2), user(3)]);
        let events = c.when(save(draft(3))).events();
        assert!(
            matches!(&events[0], CharterEvent::ForumRevised { forum, .. } if forum.rules.quorum == 3)
        );
        c.when(save(draft(2)))
            .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
    }

    #[test]
    fn members_must_belong_to_the_program_and_the_quorum_be_reachable() {
        let mut d = draft(4);
        d.people.push((user(9), None));
        d.rules.members.push(user(9));
        let nothing = Given::<Charter>::events(&[]);
        let fields = nothing.when(save(d)).then_invalid();
        assert!(fields.iter().any(|f| f.field == "members"));
        // Four voters with the outsider; but the outsider is refused, so the quorum check names it too.
        let mut d = draft(4);
        d.rules.members.truncate(1);
        let fields = nothing.when(save(d)).then_invalid();
        assert!(
            fields
                .iter()
                .any(|f| f.field == "quorum" && f.message.contains("cannot be reached")),
            "{fields:?}"
        );
    }

    #[test]
    fn decision_rights_name_existing_forums_and_take_their_names() {
        let c = Given::<Charter>::decided(vec![save(draft(2))]);
        let events = c
            .when(CharterCommand::SetDecisionRights {
                program_id: program(),
                rights: vec![RightDraft {
                    kind: DecisionKind::Rebaseline,
                    threshold: Some(10),
                    forum_id: board(),
                }],
            })
            .events();
        assert!(
            matches!(&events[0], CharterEvent::DecisionRightsSet { rights, .. } if rights[0].forum_name == "Change board")
        );
        let unknown = c
            .when(CharterCommand::SetDecisionRights {
                program_id: program(),
                rights: vec![RightDraft {
                    kind: DecisionKind::Rebaseline,
                    threshold: None,
                    forum_id: ForumId::from_uuid(Uuid::from_u128(99)),
                }],
            })
            .then_invalid();
        assert_eq!(unknown[0].field, "rights[0].forum_id");
    }

    #[test]
    fn an_escalation_path_needs_levels_with_a_response_time() {
        let level = |title: &str, hours| EscalationLevel {
            title: title.into(),
            contact: String::new(),
            response_sla_hours: hours,
        };
        let nothing = Given::<Charter>::events(&[]);
        let fields = nothing
            .when(CharterCommand::SetEscalationPath {
                program_id: program(),
                levels: vec![level("Project manager", 0), level(" ", 24)],
            })
            .then_invalid();
        assert_eq!(fields.len(), 2, "{fields:?}");
        nothing
            .when(CharterCommand::SetEscalationPath {
                program_id: program(),
                levels: vec![
                    level("Project manager", 48),
                    level("Steering committee", 120),
                ],
            })
            .then_accepted();
    }
}
