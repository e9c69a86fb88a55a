//! Mutual TLS is the only way in, and the TLS identity is checked in addition to the package
//! signatures: a connection without a client certificate, with one from an unknown CA, a
//! revoked one, or a signing certificate is refused in the handshake; an agency reading
//! another's mailbox, submitting another's document, or calling the hub-to-hub endpoint gets
//! 403, and nothing is stored.

mod net_support;

use std::time::Duration;

use edoc::{ClientError, Defect};
use net_support::*;

fn unauthorized_in_handshake(result: Result<impl std::fmt::Debug, ClientError>, alert: &str) {
    match result {
        Err(ClientError::Unauthorized {
            status: None,
            reason,
        }) => assert!(reason.contains(alert), "expected {alert}: {reason}"),
        other => panic!("expected a TLS refusal ({alert}), got {other:?}"),
    }
}

fn forbidden(result: Result<impl std::fmt::Debug, ClientError>) -> String {
    match result {
        Err(ClientError::Unauthorized {
            status: Some(403),
            reason,
        }) => reason,
        other => panic!("expected 403, got {other:?}"),
    }
}

#[test]
fn a_connection_without_a_client_certificate_is_refused() {
    let net = Net::new();
    runtime().block_on(async {
        let hub = net.start(CITY_HUB).await;
        let anonymous = raw_client(&net.pki, None);
        let e = anonymous
            .get(format!("{}/healthz", net.url(CITY_HUB)))
            .send()
            .await
            .expect_err("no answer without a client certificate");
        let text = chain(&e);
        assert!(text.contains("CertificateRequired"), "{text}");
        hub.shutdown().await.unwrap();
    });
}

#[test]
fn a_certificate_from_an_unknown_ca_is_refused() {
    let net = Net::new();
    runtime().block_on(async {
        let hub = net.start(CITY_HUB).await;
        let stranger = net
            .pki
            .tls_client("UBND xã A Lưới 5", &id(A_LUOI_5), Defect::UntrustedRoot)
            .unwrap();
        let client = net.client_as(A_LUOI_5, CITY_HUB, Net::tls_identity(&stranger));
        unauthorized_in_handshake(
            client.submit(&net.package(A_LUOI_5, &[FINANCE], "1")).await,
            "UnknownCA",
        );
        hub.shutdown().await.unwrap();
    });
}

#[test]
fn a_revoked_client_certificate_is_refused() {
    let net = Net::with(Options {
        revoked_tls: vec![A_LUOI_1],
        ..Options::default()
    });
    runtime().block_on(async {
        let hub = net.start(CITY_HUB).await;
        unauthorized_in_handshake(
            net.client(A_LUOI_1, CITY_HUB)
                .fetch(1, Duration::ZERO)
                .await,
            "CertificateRevoked",
        );
        // Its neighbour's certificate, under the same CA and CRL, works.
        net.client(A_LUOI_2, CITY_HUB)
            .fetch(1, Duration::ZERO)
            .await
            .unwrap();
        hub.shutdown().await.unwrap();
    });
}

#[test]
fn a_signing_certificate_is_not_a_tls_identity() {
    let net = Net::new();
    runtime().block_on(async {
        let hub = net.start(CITY_HUB).await;
        // The commune's seal has documentSigning, not clientAuth.
        let seal = &net.agencies[&id(A_LUOI_5)].seal;
        let client = net.client_as(A_LUOI_5, CITY_HUB, Net::tls_identity(seal));
        unauthorized_in_handshake(
            client.fetch(1, Duration::ZERO).await,
            "UnsupportedCertificate",
        );
        hub.shutdown().await.unwrap();
    });
}

#[test]
fn an_agency_cannot_read_or_acknowledge_another_agencys_mailbox() {
    let net = Net::new();
    runtime().block_on(async {
        let hub = net.start(CITY_HUB).await;
        net.client(A_LUOI_5, CITY_HUB)
            .submit(&net.package(A_LUOI_5, &[FINANCE], "1"))
            .await
            .unwrap();
        // A Luoi 1's certificate, asking for the Department of Finance's mailbox.
        let intruder = net.client_as(
            FINANCE,
            CITY_HUB,
            Net::tls_identity(&net.agencies[&id(A_LUOI_1)].tls),
        );
        let reason = forbidden(intruder.fetch(10, Duration::ZERO).await);
        assert!(reason.contains("own mailbox"), "{reason}");
        forbidden(intruder.ack(edoc::DeliveryId(1)).await);
        // The delivery is still there, unfetched, for its owner.
        let got = net
            .client(FINANCE, CITY_HUB)
            .fetch(10, Duration::ZERO)
            .await
            .unwrap();
        assert_eq!((got.len(), got[0].attempts), (1, 1));
        hub.shutdown().await.unwrap();
    });
}

#[test]
fn an_agency_cannot_submit_another_agencys_document() {
    let net = Net::new();
    runtime().block_on(async {
        let hub = net.start(CITY_HUB).await;
        // A genuine package of A Luoi 2, signed and sealed by A Luoi 2, sent by A Luoi 1.
        let package = net.package(A_LUOI_2, &[FINANCE], "9");
        let reason = forbidden(net.client(A_LUOI_1, CITY_HUB).submit(&package).await);
        assert!(reason.contains("only documents it sends"), "{reason}");
        let finance = net.client(FINANCE, CITY_HUB);
        assert!(finance.fetch(10, Duration::ZERO).await.unwrap().is_empty());
        // Its sender may.
        net.client(A_LUOI_2, CITY_HUB)
            .submit(&package)
            .await
            .unwrap();
        assert_eq!(finance.fetch(10, Duration::ZERO).await.unwrap().len(), 1);
        // Nor statuses: A Luoi 1 cannot send A Luoi 2's answer either.
        let status = net.status(
            FINANCE,
            A_LUOI_2,
            &Net::document_id(A_LUOI_2, "9"),
            edoc::StatusCode::Accepted,
        );
        forbidden(net.client(A_LUOI_1, CITY_HUB).submit_status(&status).await);
        hub.shutdown().await.unwrap();
    });
}

#[test]
fn an_unregistered_hub_cannot_call_the_hub_to_hub_endpoint() {
    let net = Net::new();
    runtime().block_on(async {
        let hub = net.start(NATIONAL).await;
        let url = format!("{}/v1/hub/documents", net.url(NATIONAL));
        let package = net.package(A_LUOI_2, &[MINISTRY], "1");
        // A hub certificate from the trusted CA, with serverAuth and clientAuth, that the
        // national hub has not registered.
        let rogue = net.pki.tls_hub("hub.rogue", &["127.0.0.1"]).unwrap();
        for (who, identity) in [
            ("an unregistered hub", &rogue),
            ("an agency", &net.agencies[&id(A_LUOI_2)].tls),
        ] {
            let answer = raw_client(&net.pki, Some(identity))
                .post(&url)
                .header("content-type", "application/json")
                .body(package.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), 403, "{who}");
            let problem: serde_json::Value =
                serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
            assert_eq!(problem["type"], "urn:edoc:problem:forbidden", "{who}");
        }
        let ministry = net.client(MINISTRY, NATIONAL);
        assert!(ministry.fetch(10, Duration::ZERO).await.unwrap().is_empty());
        hub.shutdown().await.unwrap();
    });
}
