//! Cascade by agreement (issue 15): after a slip, its downstream moves are proposed to their
//! owners as one change set; each owner accepts, counters or declines their own part, and an
//! agreed move is the milestone's forecast change caused by the slip — live for the program.

use crate::live::{receive, subscribe};
use crate::log_truth::{accepted, program_events, send};
use crate::plan_edits::descriptions;
use reqwest::StatusCode;
use serde_json::json;
use throughline_tests::{TestApp, assert_error};

#[tokio::test]
async fn a_slip_s_downstream_moves_are_agreed_by_their_owners_and_caused_by_the_slip() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Cascade").await;
    let ledger = app.add_project(program, "Ledger").await;
    let gateway = app.add_project(program, "Gateway").await;
    let payouts = app.add_project(program, "Payouts").await;
    let schema = app
        .add_milestone(program, ledger, "Schema frozen", "2027-03-10")
        .await;
    let cut_over = app
        .add_milestone(program, gateway, "Cut-over", "2027-03-20")
        .await;
    let launch = app
        .add_milestone(program, payouts, "Launch", "2027-03-25")
        .await;
    for (provider, consumer) in [(schema, cut_over), (cut_over, launch)] {
        accepted(
            app.propose(program, provider, consumer, json!({})).await,
            StatusCode::CREATED,
        )
        .await;
    }
    let (gateway_pm, gateway_client) = app.client_as("gwen").await;
    app.grant(program, gateway_pm, "project_manager", Some(gateway))
        .await;
    let (payouts_pm, payouts_client) = app.client_as("pat").await;
    app.grant(program, payouts_pm, "project_manager", Some(payouts))
        .await;

    // The schema slips three weeks: the view records what it pushes downstream.
    accepted(
        app.post(
            &format!("/api/programs/{program}/milestones/{schema}/forecast"),
            &json!({"forecast": "2027-03-31", "reason": "Vendor schema review"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let view = app.view(program).await;
    let slip = view.slips.last().unwrap().clone();
    assert_eq!(slip.milestone_id, schema);
    let moved: Vec<_> = slip
        .moved
        .iter()
        .map(|m| (m.milestone, m.to.to_string()))
        .collect();
    assert_eq!(
        moved,
        [
            (cut_over, "2027-03-31".to_string()),
            (launch, "2027-03-31".to_string())
        ]
    );

    // Only the program manager or the slipped milestone's project manager proposes them.
    let cascades = format!("/api/programs/{program}/cascades");
    let proposal = json!({"slip_position": slip.position, "reason": "Agree the knock-on moves"});
    assert_error(
        send(&gateway_client, &app, &cascades, proposal.clone()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        app.post(&cascades, &json!({"slip_position": 1})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let cascade = accepted(app.post(&cascades, &proposal).await, StatusCode::CREATED)
        .await
        .stream_id;
    let pending: Vec<_> = app
        .view(program)
        .await
        .pending_moves
        .iter()
        .map(|p| (p.milestone_id, p.from.to_string(), p.to.to_string()))
        .collect();
    assert_eq!(
        pending,
        [
            (cut_over, "2027-03-20".into(), "2027-03-31".into()),
            (launch, "2027-03-25".into(), "2027-03-31".into())
        ]
    );

    // Each owner answers their own part only; an accepted move is the forecast change, caused by
    // the slip, and reaches a live subscriber with the cascade's answer in the same batch.
    let answer = |milestone| format!("{cascades}/{cascade}/moves/{milestone}");
    assert_error(
        send(
            &payouts_client,
            &app,
            &answer(cut_over),
            json!({"answer": "accept"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let mut ws = subscribe(&app, program, app.head().await).await;
    accepted(
        send(
            &gateway_client,
            &app,
            &answer(cut_over),
            json!({"answer": "accept"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let (live, _) = receive(&mut ws, 2).await;
    assert_eq!(
        live.iter()
            .map(|e| e.event_type.as_str())
            .collect::<Vec<_>>(),
        ["CascadePartAccepted", "MilestoneForecastChanged"]
    );
    let page = program_events(&app, program).await;
    let slip_event = page
        .events
        .iter()
        .find(|e| e.position == slip.position)
        .unwrap();
    assert!(
        live.iter()
            .all(|e| e.metadata.causation_id == Some(slip_event.event_id.0))
    );
    assert_eq!(
        app.view(program)
            .await
            .milestone(cut_over)
            .unwrap()
            .forecast
            .to_string(),
        "2027-03-31"
    );
    assert_error(
        send(
            &gateway_client,
            &app,
            &answer(cut_over),
            json!({"answer": "accept"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_to_change",
    )
    .await;

    // The launch moved on its own meanwhile: accepting a move computed for the old plan is
    // refused; a date of the owner's own is taken, and declining needs a reason.
    accepted(
        send(
            &payouts_client,
            &app,
            &format!("/api/programs/{program}/milestones/{launch}/forecast"),
            json!({"forecast": "2027-03-27"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let refused = assert_error(
        send(
            &payouts_client,
            &app,
            &answer(launch),
            json!({"answer": "accept"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        refused.to_string().contains("moved to 2027-03-27"),
        "{refused}"
    );
    assert_error(
        send(
            &payouts_client,
            &app,
            &answer(launch),
            json!({"answer": "decline"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    accepted(
        send(
            &payouts_client,
            &app,
            &answer(launch),
            json!({"answer": "counter", "to": "2027-04-02", "reason": "Launch needs a week after cut-over"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let view = app.view(program).await;
    assert!(view.pending_moves.is_empty());
    assert_eq!(
        view.milestone(launch).unwrap().forecast.to_string(),
        "2027-04-02"
    );

    // Nothing still needs moving: a second proposal for the same slip is refused.
    assert_error(
        app.post(&cascades, &proposal).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_to_change",
    )
    .await;
    let words = descriptions(&app, program).await;
    for expected in [
        "Proposed 2 downstream moves to their owners after “Schema frozen” slipped from 2027-03-10 to 2027-03-31",
        "Accepted the proposed move of “Cut-over” to 2027-03-31",
        "Countered the proposed move of “Launch” to 2027-03-31: moved it to 2027-04-02",
    ] {
        assert!(
            words.iter().any(|w| w == expected),
            "{expected} not in {words:#?}"
        );
    }
}

#[tokio::test]
async fn a_move_pending_on_a_milestone_that_leaves_the_plan_leaves_with_it() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Cascade cancelled").await;
    let ledger = app.add_project(program, "Ledger").await;
    let gateway = app.add_project(program, "Gateway").await;
    let schema = app
        .add_milestone(program, ledger, "Schema frozen", "2027-03-10")
        .await;
    let cut_over = app
        .add_milestone(program, gateway, "Cut-over", "2027-03-20")
        .await;
    accepted(
        app.propose(program, schema, cut_over, json!({})).await,
        StatusCode::CREATED,
    )
    .await;
    accepted(
        app.post(
            &format!("/api/programs/{program}/milestones/{schema}/forecast"),
            &json!({"forecast": "2027-03-31"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let slip = app.view(program).await.slips.last().unwrap().position;
    let cascades = format!("/api/programs/{program}/cascades");
    let cascade = accepted(
        app.post(&cascades, &json!({"slip_position": slip})).await,
        StatusCode::CREATED,
    )
    .await
    .stream_id;
    // Proposed once: the same move is not proposed again while it is pending.
    assert_error(
        app.post(&cascades, &json!({"slip_position": slip})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_to_change",
    )
    .await;
    assert_eq!(app.view(program).await.pending_moves.len(), 1);
    accepted(
        app.post(
            &format!("/api/programs/{program}/milestones/{cut_over}/cancel"),
            &json!({"reason": "Cut-over folded into the launch"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(app.view(program).await.pending_moves.is_empty());
    let refused = assert_error(
        app.post(
            &format!("{cascades}/{cascade}/moves/{cut_over}"),
            &json!({"answer": "accept"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        refused.to_string().contains("no longer in the plan"),
        "{refused}"
    );
}
