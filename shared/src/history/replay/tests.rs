use super::*;
use crate::event::recorded;
use crate::ids::{MilestoneId, ProgramId, ProjectId};
use crate::milestone::{MilestoneEvent, MilestoneKind};
use crate::project::ProjectEvent;
use crate::rag::Rag;
use chrono::NaiveDate;
use uuid::Uuid;

fn pid() -> ProgramId {
    ProgramId::from_uuid(Uuid::from_u128(1))
}
fn prj() -> ProjectId {
    ProjectId::from_uuid(Uuid::from_u128(2))
}
fn ms() -> MilestoneId {
    MilestoneId::from_uuid(Uuid::from_u128(3))
}
fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() + chrono::Duration::days(n)
}

/// A program's events from position 2 (1 is its creation, in the server's starting view): a
/// project, a milestone, then `n` forecast changes and status reports. Every 50th event is one
/// this build cannot fold (a newer schema), and positions skip where other programs wrote.
fn log(n: i64) -> Vec<RecordedEvent> {
    let mut events = vec![
        recorded(
            2,
            1,
            prj().0,
            ProjectEvent::ProjectAdded {
                project_id: prj(),
                program_id: pid(),
                name: "Gateway".into(),
                manager: "Lee".into(),
                objectives: vec![],
            },
        ),
        recorded(
            3,
            1,
            ms().0,
            MilestoneEvent::MilestoneAdded {
                milestone_id: ms(),
                program_id: pid(),
                project_id: prj(),
                name: "Live".into(),
                kind: MilestoneKind::Milestone,
                owner: "Lee".into(),
                planned_start: None,
                planned: day(0),
                external_ref: None,
            },
        ),
    ];
    for i in 0..n {
        let position = 4 + i * 2;
        let mut event = if i % 2 == 0 {
            recorded(
                position,
                2 + i,
                ms().0,
                MilestoneEvent::MilestoneForecastChanged {
                    milestone_id: ms(),
                    program_id: pid(),
                    project_id: prj(),
                    from: day(i),
                    to: day(i + 1),
                    start: None,
                },
            )
        } else {
            recorded(
                position,
                2 + i,
                prj().0,
                ProjectEvent::ProjectStatusReported {
                    project_id: prj(),
                    program_id: pid(),
                    rag: if i % 3 == 0 { Rag::Red } else { Rag::Green },
                    narrative: format!("report {i}"),
                },
            )
        };
        if i % 50 == 49 {
            event.schema_version = 99;
        }
        events.push(event);
    }
    events
}

fn start() -> ProgramView {
    let mut view = ProgramView::new(pid());
    view.position = 1;
    view
}

/// The server's fold: every event it can read, up to the target.
fn server(events: &[RecordedEvent], target: Target) -> (ProgramView, i64) {
    let mut view = start();
    let mut cursor = 1;
    for event in events.iter().filter(|e| target.covers(e)) {
        if let Ok(decoded) = event.decode() {
            view.apply(event, &decoded);
        }
        cursor = event.position;
    }
    (view, cursor)
}

/// Answers what the cursor wants, as the browser does, with pages of `page` events.
fn drive(
    replay: &mut Replay,
    view: &mut ProgramView,
    events: &[RecordedEvent],
    page: usize,
    target: Target,
) {
    let mut wants = replay.seek(view, target);
    for _ in 0..10_000 {
        match wants {
            Wants::Nothing => return,
            Wants::Events { after } => {
                let next: Vec<_> = events
                    .iter()
                    .filter(|e| e.position > after)
                    .take(page)
                    .cloned()
                    .collect();
                let complete = next.len() < page;
                let through = next.last().map_or(after, |e| e.position);
                replay.extend(after, next, through, complete);
            }
            Wants::View { position } => {
                let (kept, _) = server(events, Target::Position(position));
                *view = kept;
                replay.keyframe(view, position);
            }
            Wants::Server => {
                let (fresh, _) = server(events, target);
                replay.reset(&fresh, fresh.position, fresh.updated_at);
                *view = fresh;
            }
        }
        wants = replay.seek(view, target);
    }
    panic!("the cursor never arrived");
}

#[test]
fn stepping_forward_equals_the_servers_fold_at_every_event() {
    let events = log(240);
    let mut view = start();
    let mut replay = Replay::new(&view, 1, None);
    for event in &events {
        drive(
            &mut replay,
            &mut view,
            &events,
            7,
            Target::Position(event.position),
        );
        let (expected, cursor) = server(&events, Target::Position(event.position));
        assert_eq!(replay.cursor(), cursor);
        assert_eq!(view, expected, "at {}", event.position);
    }
    // And one by one with `forward`, as playing does.
    let mut view = start();
    let mut replay = Replay::new(&view, 1, None);
    let all = events.clone();
    replay.extend(1, all, events.last().unwrap().position, true);
    while !replay.at_end() {
        match replay.forward(&mut view, 1, None) {
            (1, Wants::Nothing) => {}
            (0, Wants::View { position }) => {
                let (kept, _) = server(&events, Target::Position(position));
                view = kept;
                replay.keyframe(&view, position);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(view, server(&events, Target::Position(replay.cursor())).0);
    }
}

#[test]
fn seeking_anywhere_equals_the_servers_fold() {
    let events = log(900);
    let last = events.last().unwrap().position;
    let mut view = start();
    let mut replay = Replay::new(&view, 1, None);
    // A fixed pseudo-random walk: forward, back, far, near, by position and by time.
    let mut seed: i64 = 17;
    for _ in 0..300 {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        let target = if seed % 3 == 0 {
            Target::Time(
                chrono::DateTime::from_timestamp(1_700_000_000 + seed % (last + 5), 0).unwrap(),
            )
        } else {
            Target::Position(1 + seed % (last + 5))
        };
        drive(&mut replay, &mut view, &events, 97, target);
        let (expected, cursor) = server(&events, target);
        assert_eq!(view, expected, "{target:?}");
        assert_eq!(replay.cursor(), cursor, "{target:?}");
    }
}

#[test]
fn stepping_back_one_event_at_a_time() {
    let events = log(120);
    let last = events.last().unwrap().position;
    let mut view = start();
    let mut replay = Replay::new(&view, 1, None);
    drive(&mut replay, &mut view, &events, 500, Target::Position(last));
    for expected_cursor in events.iter().rev().skip(1).map(|e| e.position) {
        let back = replay.previous();
        drive(&mut replay, &mut view, &events, 500, back);
        assert_eq!(replay.cursor(), expected_cursor);
        assert_eq!(view, server(&events, back).0);
    }
}

#[test]
fn memory_stays_bounded_over_a_long_history() {
    let events = log(30_000);
    let mut view = start();
    let mut replay = Replay::new(&view, 1, None);
    for chunk in events.chunks(1_000) {
        let through = chunk.last().unwrap().position;
        let after = chunk.first().unwrap().position - 2;
        replay.extend(after.max(1), chunk.to_vec(), through, false);
        while replay.ahead() > 0 {
            if let (_, Wants::View { position }) = replay.forward(&mut view, usize::MAX, None) {
                // The server's view would be current here: the fold so far stands in.
                replay.keyframe(&view.clone(), position);
            }
        }
        assert!(replay.events.len() <= WINDOW_MAX);
        assert!(replay.checkpoints.len() <= CHECKPOINTS_MAX);
    }
    assert_eq!(replay.cursor(), events.last().unwrap().position);
}

#[test]
fn a_page_read_for_a_window_since_reset_is_dropped() {
    let events = log(100);
    let mut view = start();
    let mut replay = Replay::new(&view, 1, None);
    drive(&mut replay, &mut view, &events, 30, Target::Position(150));
    // A read-ahead after the window's end is under way when a move back resets the window…
    let late_after = replay.wants_events().unwrap();
    let (earlier, _) = server(&events, Target::Position(40));
    replay.reset(&earlier, earlier.position, earlier.updated_at);
    view = earlier;
    // …and lands: it would leave a gap, so it is dropped.
    let late: Vec<_> = events
        .iter()
        .filter(|e| e.position > late_after)
        .cloned()
        .collect();
    replay.extend(late_after, late, 500, true);
    assert_eq!(replay.ahead(), 0);
    drive(
        &mut replay,
        &mut view,
        &events,
        1_000,
        Target::Position(120),
    );
    assert_eq!(view, server(&events, Target::Position(120)).0);
}
