//! The hub's HTTP API over mutual TLS, on loopback, with hubs in this process: submissions
//! answered with verified receipts, long polling, acknowledgements, refusals as problem
//! details with the validation report, status history, the overdue list, a document across
//! two hubs, metrics and the OpenAPI document.

mod net_support;

use std::time::{Duration, Instant};

use edoc::{
    verify_trace, ClientError, Detached, Disposition, Limits, PayloadKind, Policy, StatusCode,
    Verifier,
};
use net_support::*;

#[test]
fn a_submission_is_answered_with_a_verified_receipt_and_a_retry_gets_the_first_one() {
    let net = Net::new();
    runtime().block_on(async {
        let hub = net.start(CITY_HUB).await;
        let commune = net.client(A_LUOI_5, CITY_HUB);
        let package = net.package(A_LUOI_5, &[FINANCE], "1");
        let first = commune.submit(&package).await.unwrap();
        assert!(!first.duplicate);
        assert_eq!(first.receipt.message_id, Net::document_id(A_LUOI_5, "1"));
        assert_eq!(first.receipt.hub.as_str(), CITY_HUB);
        assert_eq!(
            first.receipt.disposition(&id(FINANCE)),
            Some(&Disposition::Delivered)
        );
        let again = commune.submit(&package).await.unwrap();
        assert!(again.duplicate);
        assert_eq!(again.signed_receipt, first.signed_receipt);
        // The sender reads its receipt back.
        let kept = commune
            .receipt(&Net::document_id(A_LUOI_5, "1"))
            .await
            .unwrap();
        assert_eq!(kept.signed_receipt, first.signed_receipt);
        // Another agency does not learn that the document exists.
        let other = net.client(A_LUOI_1, CITY_HUB);
        match other.receipt(&Net::document_id(A_LUOI_5, "1")).await {
            Err(ClientError::Refused { problem }) => assert_eq!(problem.status, 404),
            other => panic!("expected 404, got {other:?}"),
        }
        hub.shutdown().await.unwrap();
    });
}

#[test]
fn a_waiting_fetch_wakes_when_a_document_arrives_and_an_ack_is_final() {
    let net = Net::new();
    runtime().block_on(async {
        let hub = net.start(CITY_HUB).await;
        let finance = net.client(FINANCE, CITY_HUB);
        let waiting = tokio::spawn({
            let finance = finance.clone();
            async move {
                let started = Instant::now();
                let got = finance.fetch(10, Duration::from_secs(20)).await.unwrap();
                (got, started.elapsed())
            }
        });
        tokio::time::sleep(Duration::from_millis(500)).await;
        net.client(A_LUOI_5, CITY_HUB)
            .submit(&net.package(A_LUOI_5, &[FINANCE], "2"))
            .await
            .unwrap();
        let (got, waited) = waiting.await.unwrap();
        assert_eq!(got.len(), 1, "the waiting fetch got the document");
        assert!(
            waited < Duration::from_secs(10),
            "woken by the commit, not by the 20 s timeout ({waited:?})"
        );
        let d = &got[0];
        assert_eq!(d.kind, PayloadKind::Document);
        assert_eq!(d.attempts, 1);
        let verified = Verifier::new(&net.trust, &Policy::strict())
            .verify_bytes(
                &d.payload,
                &Limits::default(),
                &mut Detached::none(),
                edoc::time::OffsetDateTime::now_utc(),
            )
            .unwrap();
        assert_eq!(verified.header().id().to_string(), d.document_id);
        finance.ack(d.id).await.unwrap();
        finance.ack(d.id).await.unwrap(); // harmless twice
        assert!(finance.fetch(10, Duration::ZERO).await.unwrap().is_empty());
        hub.shutdown().await.unwrap();
    });
}

#[test]
fn a_package_that_fails_verification_is_refused_with_its_report() {
    let net = Net::new();
    runtime().block_on(async {
        let hub = net.start(CITY_HUB).await;
        let package = String::from_utf8(net.package(A_LUOI_5, &[FINANCE], "3")).unwrap();
        let tampered = package.replace("Văn bản số 3", "Văn bản số 4");
        assert_ne!(tampered, package);
        match net
            .client(A_LUOI_5, CITY_HUB)
            .submit(tampered.as_bytes())
            .await
        {
            Err(ClientError::Refused { problem }) => {
                assert_eq!(problem.status, 422);
                assert_eq!(problem.kind(), "rejected");
                assert_eq!(problem.sub_indication.as_deref(), Some("HASH_FAILURE"));
                let report = problem.report.expect("the validation report");
                assert_eq!(report["indication"], "TOTAL_FAILED");
            }
            other => panic!("expected a refusal with the report, got {other:?}"),
        }
        // Nothing was stored.
        let finance = net.client(FINANCE, CITY_HUB);
        assert!(finance.fetch(10, Duration::ZERO).await.unwrap().is_empty());
        hub.shutdown().await.unwrap();
    });
}

#[test]
fn the_same_id_with_other_content_is_a_conflict() {
    let net = Net::new();
    runtime().block_on(async {
        let hub = net.start(CITY_HUB).await;
        let commune = net.client(A_LUOI_5, CITY_HUB);
        commune
            .submit(&net.package(A_LUOI_5, &[FINANCE], "5"))
            .await
            .unwrap();
        let other = net.package_with(A_LUOI_5, &[FINANCE], "5", |b| b.subject("Khác"));
        match commune.submit(&other).await {
            Err(ClientError::Refused { problem }) => {
                assert_eq!((problem.status, problem.kind()), (409, "conflict"))
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        hub.shutdown().await.unwrap();
    });
}

#[test]
fn statuses_and_the_overdue_list_come_back_to_the_sender() {
    let net = Net::new();
    runtime().block_on(async {
        let hub = net.start(CITY_HUB).await;
        let city = net.client(CITY, CITY_HUB);
        let due = edoc::time::OffsetDateTime::now_utc().date() + edoc::time::Duration::days(3);
        let plan = net.package_with(CITY, &[A_LUOI_1, A_LUOI_4], "45", |b| b.due_date(due));
        city.submit(&plan).await.unwrap();
        let plan_id = Net::document_id(CITY, "45");
        for (commune, codes) in [
            (A_LUOI_1, &[StatusCode::Accepted, StatusCode::Completed][..]),
            (A_LUOI_4, &[StatusCode::Accepted][..]),
        ] {
            let c = net.client(commune, CITY_HUB);
            let got = c.fetch(10, Duration::ZERO).await.unwrap();
            assert_eq!(got.len(), 1);
            c.ack(got[0].id).await.unwrap();
            for code in codes {
                let s = c
                    .submit_status(&net.status(commune, CITY, &plan_id, *code))
                    .await
                    .unwrap();
                assert_eq!(s.receipt.from, id(commune));
            }
        }
        let history = city.statuses(&plan_id).await.unwrap();
        let codes = |who: &str| -> Vec<StatusCode> {
            history
                .iter()
                .find(|(r, _)| *r == id(who))
                .map(|(_, s)| s.iter().filter_map(|r| r.code()).collect())
                .unwrap_or_default()
        };
        assert_eq!(
            codes(A_LUOI_1),
            [StatusCode::Accepted, StatusCode::Completed]
        );
        assert_eq!(codes(A_LUOI_4), [StatusCode::Accepted]);
        let overdue = city
            .overdue(Some(due + edoc::time::Duration::days(1)))
            .await
            .unwrap();
        let late: Vec<_> = overdue.iter().map(|o| o.recipient).collect();
        assert_eq!(late, [id(A_LUOI_4)]);
        assert!(city.overdue(Some(due)).await.unwrap().is_empty());
        // The city receives the statuses in its mailbox.
        let inbox = city.fetch(10, Duration::ZERO).await.unwrap();
        assert_eq!(inbox.len(), 3);
        assert!(inbox.iter().all(|d| d.kind == PayloadKind::Status));
        hub.shutdown().await.unwrap();
    });
}

#[test]
fn a_document_crosses_two_hubs_over_https_with_both_trace_entries() {
    let net = Net::new();
    runtime().block_on(async {
        let city = net.start(CITY_HUB).await;
        let national = net.start(NATIONAL).await;
        let sent = net
            .client(A_LUOI_2, CITY_HUB)
            .submit(&net.package(A_LUOI_2, &[MINISTRY], "21"))
            .await
            .unwrap();
        assert_eq!(
            sent.receipt.disposition(&id(MINISTRY)),
            Some(&Disposition::Forwarded {
                hub: NATIONAL.parse().unwrap()
            })
        );
        let ministry = net.client(MINISTRY, NATIONAL);
        let got = ministry.fetch(10, Duration::from_secs(20)).await.unwrap();
        assert_eq!(got.len(), 1);
        let now = edoc::time::OffsetDateTime::now_utc();
        let policy = Policy::strict();
        let verified = Verifier::new(&net.trust, &policy)
            .verify_bytes(
                &got[0].payload,
                &Limits::default(),
                &mut Detached::none(),
                now,
            )
            .unwrap();
        let hops = verify_trace(&verified, &net.hubs, &net.trust, &policy, now).unwrap();
        let names: Vec<&str> = hops.iter().map(|h| h.hub.as_str()).collect();
        assert_eq!(names, [CITY_HUB, NATIONAL]);
        ministry.ack(got[0].id).await.unwrap();
        // The ministry's answer travels back through both hubs.
        ministry
            .submit_status(&net.status(
                MINISTRY,
                A_LUOI_2,
                &Net::document_id(A_LUOI_2, "21"),
                StatusCode::Accepted,
            ))
            .await
            .unwrap();
        let commune = net.client(A_LUOI_2, CITY_HUB);
        let back = commune.fetch(10, Duration::from_secs(20)).await.unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].kind, PayloadKind::Status);
        national.shutdown().await.unwrap();
        city.shutdown().await.unwrap();
    });
}

#[test]
fn metrics_are_for_hubs_and_operators_and_the_openapi_document_is_served() {
    let net = Net::new();
    runtime().block_on(async {
        let hub = net.start(CITY_HUB).await;
        net.client(A_LUOI_5, CITY_HUB)
            .submit(&net.package(A_LUOI_5, &[FINANCE], "7"))
            .await
            .unwrap();
        let url = net.url(CITY_HUB);
        let agency = raw_client(&net.pki, Some(&net.agencies[&id(A_LUOI_5)].tls));
        let answer = agency.get(format!("{url}/metrics")).send().await.unwrap();
        assert_eq!(answer.status(), 403);
        assert_eq!(answer.headers()["content-type"], "application/problem+json");
        let neighbour = raw_client(&net.pki, Some(&net.hub_tls[NATIONAL]));
        let metrics = neighbour
            .get(format!("{url}/metrics"))
            .send()
            .await
            .unwrap();
        assert_eq!(metrics.status(), 200);
        let text = metrics.text().await.unwrap();
        assert!(
            text.contains("edoc_submitted_total{kind=\"document\",origin=\"agency\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("edoc_mailbox_depth{agency=\"000.00.05.H57\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("edoc_request_duration_seconds_bucket"),
            "{text}"
        );
        let openapi: serde_json::Value = serde_json::from_slice(
            &agency
                .get(format!("{url}/v1/openapi.json"))
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap(),
        )
        .unwrap();
        assert!(openapi["openapi"].as_str().unwrap().starts_with("3."));
        for path in ["/healthz", "/readyz"] {
            let r = agency.get(format!("{url}{path}")).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
        }
        hub.shutdown().await.unwrap();
    });
}
