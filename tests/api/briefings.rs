//! Executive briefings (issue 16): a draft generated from the log, published with the program
//! manager's words as one event holding its content and SHA-256 — which re-computes from the
//! stored content, independently of the server —; the next briefing counts from it; Markdown and
//! PDF exports; the cadence puts "briefing due" on the governance attention list; who may do what.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use throughline_shared::ProgramId;
use throughline_shared::briefing::SectionKey;
use throughline_shared::briefing::requests::{
    BriefingDetail, BriefingDraft, BriefingPublishedResponse, BriefingVerification,
};
use throughline_shared::event::canonical_json;
use throughline_shared::governance::requests::GovernanceResponse;
use throughline_tests::{TestApp, assert_error};

async fn draft(app: &TestApp, program: ProgramId, query: &str) -> BriefingDraft {
    let res = app
        .get(&format!("/api/programs/{program}/briefings/draft{query}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn publication(draft: &BriefingDraft, narrative: &str) -> Value {
    json!({
        "as_of": draft.document.as_of,
        "day": draft.document.as_of_day,
        "expected_version": draft.expected_version,
        "narrative": narrative,
        "highlights": ["  Cards launch is at risk from the ledger slip  ", ""],
    })
}

#[tokio::test]
async fn a_published_briefing_is_fixed_by_its_hash_and_the_next_one_counts_from_it() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Briefed").await;
    let ledger = app.add_project(program, "Ledger").await;
    let cards = app.add_project(program, "Cards").await;
    let schema = app
        .add_milestone(program, ledger, "Schema frozen", "2027-03-10")
        .await;
    let launch = app
        .add_milestone(program, cards, "Cards launch", "2027-04-01")
        .await;
    let res = app
        .propose(program, schema, launch, json!({"need_by": "2027-03-15"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .report_status(program, ledger, "red", "Vendor late with the HSM")
        .await;
    assert!(res.status().is_success());

    let first = draft(&app, program, "").await;
    let doc = &first.document;
    assert_eq!(doc.program_name, "Briefed");
    assert_eq!(doc.as_of, app.head().await);
    assert_eq!(doc.follows, None);
    assert_eq!(doc.overall, Some(throughline_shared::Rag::Red));
    let health = &doc.sections[0];
    assert_eq!(health.key, SectionKey::Health);
    assert!(
        health.facts[0]
            .text
            .starts_with("Overall Red: 1 project reports Red (Ledger)"),
        "{:?}",
        health.facts[0]
    );
    // Every sentence's evidence is an event of this program at or before the moment.
    let ours: Vec<i64> =
        sqlx::query_scalar("SELECT position FROM events WHERE program_id = $1 ORDER BY position")
            .bind(program.0)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let evidence: Vec<i64> = doc
        .sections
        .iter()
        .flat_map(|s| s.facts.iter().flat_map(|f| f.evidence.iter().copied()))
        .collect();
    assert!(!evidence.is_empty());
    assert!(evidence.iter().all(|p| ours.contains(p)), "{evidence:?}");
    let red = health
        .facts
        .iter()
        .find(|f| f.text.starts_with("Ledger is Red"))
        .expect("the red project's sentence");
    assert_eq!(
        red.evidence.last(),
        ours.last(),
        "the status report is its event"
    );

    // Publish: the server generates the document again as of the draft's moment.
    let res = app
        .post(
            &format!("/api/programs/{program}/briefings"),
            &publication(&first, "Ledger's vendor slipped; Cards is exposed."),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let published: BriefingPublishedResponse = res.json().await.unwrap();
    assert_eq!(published.number, 1);

    let detail: BriefingDetail = app
        .get(&format!("/api/programs/{program}/briefings/1"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        detail.content.document, first.document,
        "what was previewed"
    );
    assert_eq!(
        detail.content.highlights,
        vec!["Cards launch is at risk from the ledger slip"]
    );
    // The hash re-computes from the content as stored, by anyone: SHA-256 of its canonical JSON.
    let mut bytes = Vec::new();
    canonical_json(&serde_json::to_value(&detail.content).unwrap(), &mut bytes);
    let hash = hex::encode(Sha256::digest(&bytes));
    assert_eq!(hash, published.content_hash);
    assert_eq!(detail.briefing.content_hash, hash);
    let stored: Value = sqlx::query_scalar("SELECT payload FROM events WHERE position = $1")
        .bind(published.position)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored["content_hash"], json!(hash));
    let check: BriefingVerification = app
        .get(&format!("/api/programs/{program}/briefings/1/verify"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        check.content_matches && check.event_hash_matches,
        "{check:?}"
    );

    // The same briefing again, an out-of-date draft, a moment before it: refused, nothing kept.
    let again = draft(&app, program, &format!("?as_of={}", first.document.as_of)).await;
    assert_eq!(again.document.follows, Some(1));
    let res = app
        .post(
            &format!("/api/programs/{program}/briefings"),
            &publication(&first, "Again"),
        )
        .await;
    assert_error(res, StatusCode::CONFLICT, "version_conflict").await;
    let res = app
        .post(
            &format!("/api/programs/{program}/briefings"),
            &json!({"as_of": 1, "day": first.document.as_of_day,
                    "expected_version": again.expected_version, "narrative": "Old"}),
        )
        .await;
    assert!(
        [StatusCode::UNPROCESSABLE_ENTITY].contains(&res.status()),
        "{}",
        res.status()
    );
    let res = app
        .post(
            &format!("/api/programs/{program}/briefings"),
            &json!({"as_of": app.head().await + 5, "day": first.document.as_of_day,
                    "expected_version": again.expected_version, "narrative": "Future"}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_moment").await;

    // A slip after it: the next draft counts from briefing 1 and names the slip's event.
    let res = app
        .post(
            &format!("/api/programs/{program}/milestones/{schema}/forecast"),
            &json!({"forecast": "2027-03-24", "reason": "Vendor late"}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let slip_at = app.head().await;
    let second = draft(&app, program, "").await;
    assert_eq!(second.document.follows, Some(1));
    assert_eq!(second.document.since, first.document.as_of);
    let milestones = second
        .document
        .sections
        .iter()
        .find(|s| s.key == SectionKey::Milestones)
        .unwrap();
    let slip = milestones
        .facts
        .iter()
        .find(|f| f.text.starts_with("Schema frozen (Ledger) slipped 14 days"))
        .unwrap_or_else(|| panic!("{milestones:?}"));
    assert_eq!(slip.evidence, vec![slip_at]);
    let changed = second.document.sections.last().unwrap();
    assert_eq!(changed.title, "What changed since briefing 1");
    assert!(
        changed.facts[0].text.contains("1 milestone moved"),
        "{changed:?}"
    );
    let lane = &second.document.timeline[0];
    assert_eq!(
        lane.milestones[0].was.map(|d| d.to_string()).as_deref(),
        Some("2027-03-10")
    );
    let res = app
        .post(
            &format!("/api/programs/{program}/briefings"),
            &publication(&second, "The schema slip moved Cards."),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let list: throughline_shared::briefing::BriefingLog = app
        .get(&format!("/api/programs/{program}/briefings"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        list.published.iter().map(|b| b.number).collect::<Vec<_>>(),
        vec![1, 2]
    );

    // Exports: Markdown with links to each event, a PDF.
    let res = app
        .get(&format!("/api/programs/{program}/briefings/2/briefing.md"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    let md = res.text().await.unwrap();
    assert!(md.starts_with("# Briefed — executive briefing 2"), "{md}");
    assert!(md.contains(&format!("?as_of={slip_at})")), "{md}");
    assert!(md.contains(&list.published[1].content_hash));
    let res = app
        .get(&format!("/api/programs/{program}/briefings/2/briefing.pdf"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap();
    assert!(
        pdf.starts_with(b"%PDF-") && pdf.len() > 2_000,
        "{}",
        pdf.len()
    );
    let res = app
        .get(&format!("/api/programs/{program}/briefings/3"))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_briefing_falls_due_by_the_cadence_and_only_the_program_manager_publishes() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Cadenced").await;
    let today = chrono::Utc::now();
    let attention = |days: i64| {
        let app = &app;
        async move {
            let now = (today + chrono::Duration::days(days)).to_rfc3339();
            let res = app
                .get(&format!(
                    "/api/programs/{program}/governance?now={}",
                    now.replace('+', "%2B")
                ))
                .await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<GovernanceResponse>().await.unwrap().briefing_due
        }
    };
    assert_eq!(attention(3).await, None, "weekly by default");
    let due = today.date_naive() + chrono::Duration::days(7);
    assert_eq!(attention(8).await, Some(due));
    let res = app
        .put(
            &format!("/api/programs/{program}/briefings/cadence"),
            &json!({"every_days": 2}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        attention(3).await,
        Some(today.date_naive() + chrono::Duration::days(2))
    );
    for bad in [json!({"every_days": 0}), json!({"every_days": 93})] {
        let res = app
            .put(&format!("/api/programs/{program}/briefings/cadence"), &bad)
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    let (viewer, as_viewer) = app.client_as("exec").await;
    app.grant(program, viewer, "viewer", None).await;
    let first = draft(&app, program, "").await;
    let res = as_viewer
        .get(app.url(&format!("/api/programs/{program}/briefings/draft")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "a reader may read a draft");
    let res = as_viewer
        .post(app.url(&format!("/api/programs/{program}/briefings")))
        .json(&publication(&first, "Not mine to send"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .post(
            &format!("/api/programs/{program}/briefings"),
            &publication(&first, "Weekly"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let (_, outsider) = app.client_as("outsider").await;
    for path in [
        "briefings/1",
        "briefings/1/briefing.pdf",
        "briefings/1/verify",
    ] {
        let res = outsider
            .get(app.url(&format!("/api/programs/{program}/{path}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(attention(1).await, None, "published today: due in two days");
}

#[tokio::test]
async fn a_briefing_altered_in_the_database_no_longer_verifies() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Altered").await;
    let first = draft(&app, program, "").await;
    let res = app
        .post(
            &format!("/api/programs/{program}/briefings"),
            &publication(&first, "Everything is late."),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let published: BriefingPublishedResponse = res.json().await.unwrap();
    let statement = format!(
        "UPDATE events SET payload = jsonb_set(payload, '{{content,narrative}}', \
         '\"Everything is on time.\"') WHERE position = {}",
        published.position
    );
    crate::tamper::bypass_triggers(&app.pool, statement).await;
    let check: BriefingVerification = app
        .get(&format!("/api/programs/{program}/briefings/1/verify"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(check.recorded_hash, published.content_hash);
    assert_ne!(check.computed_hash, check.recorded_hash);
    assert!(
        !check.content_matches && !check.event_hash_matches,
        "{check:?}"
    );
}
