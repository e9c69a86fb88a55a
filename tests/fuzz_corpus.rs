//! Replays every committed fuzz corpus and crash artifact through the fuzz targets' own checks,
//! checks that the fixed fuzz fixtures still reach the deep (verifying) paths, and holds the
//! ignored generator that writes those fixtures and the seed corpora from the test PKI.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::{Path, PathBuf};

use edoc::{
    verify_detached, Detached, Indication, Limits, ParsedSignature, SubIndication, ValidationTimes,
    Verifier,
};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

#[test]
fn every_corpus_and_artifact_file_passes_its_target_checks() {
    let root = fuzz_dir();
    let mut total = 0usize;
    for (name, check) in checks::TARGETS {
        let mut n = 0usize;
        for dir in ["corpus", "artifacts"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir).join(name)) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                let data = std::fs::read(&path).unwrap();
                let result = std::panic::catch_unwind(|| check(&data));
                assert!(
                    result.is_ok(),
                    "{name}: {} fails its checks",
                    path.display()
                );
                n += 1;
            }
        }
        assert!(n > 0, "fuzz target {name} has no committed corpus");
        println!("fuzz replay: {name}: {n} files");
        total += n;
    }
    println!("fuzz replay: {total} files in all");
}

#[test]
fn fuzz_fixture_tokens_and_cms_verify_so_the_targets_reach_success() {
    let fx = checks::timestamp_fixtures();
    assert_eq!(fx.tokens.len(), 2);
    for token in &fx.tokens {
        token.check_imprint(checks::TOKEN_DATA, "data").unwrap();
        let signer = token.verify_signature(&[]).unwrap();
        edoc::TimestampToken::validate_tsa_chain(
            &signer,
            &fx.store,
            &edoc::Policy::strict(),
            token.gen_time(),
        )
        .unwrap();
    }
    fx.cms.verify(Some(checks::CMS_CONTENT), &[]).unwrap();
}

#[test]
fn fuzz_fixture_signatures_pass_value_and_chain_checks_so_the_targets_reach_success() {
    let fx = checks::fixtures();
    assert_eq!(
        fx.jades_good.len(),
        5,
        "one trusted signature per algorithm"
    );
    let objects = checks::jades_objects();
    for sig in &fx.jades_good {
        let parsed = ParsedSignature::parse(sig).unwrap();
        verify_detached(&parsed, &objects).unwrap();
        let times = ValidationTimes::signed_at(checks::now(), parsed.signing_time().unwrap());
        fx.store
            .validate_chain(parsed.chain(), times, &fx.policy)
            .unwrap_or_else(|e| panic!("{}: {e}", parsed.algorithm()));
    }
    // The untrusted one is cryptographically fine; only its chain fails.
    let parsed = ParsedSignature::parse(&fx.jades_untrusted).unwrap();
    verify_detached(&parsed, &objects).unwrap();
    let times = ValidationTimes::signed_at(checks::now(), checks::signed());
    assert!(matches!(
        fx.store.validate_chain(parsed.chain(), times, &fx.policy),
        Err(edoc::ChainError::UnknownIssuer { .. })
    ));
}

#[test]
fn fuzz_fixture_packages_verify_and_a_one_byte_change_to_the_subject_is_a_hash_failure() {
    let fx = checks::fixtures();
    assert_eq!(fx.packages.len(), 2);
    // Every package seed parses, so mutations start from accepted inputs; the seeds named
    // `refused-*` are there to be refused by the pre-pass, and are.
    for entry in std::fs::read_dir(fuzz_dir().join("corpus/package")).unwrap() {
        let path = entry.unwrap().path();
        let parsed = edoc::Package::parse(&std::fs::read(&path).unwrap(), &Limits::default());
        let refused = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("refused-"));
        match (parsed, refused) {
            (Ok(_), false) => {}
            (Err(e), false) => panic!("{}: {e}", path.display()),
            (Ok(_), true) => panic!("{} parses, but is there to be refused", path.display()),
            (Err(e), true) => assert!(
                matches!(
                    e,
                    edoc::PackageError::Json(edoc::JsonError::TooManyValues { .. })
                ),
                "{}: {e}",
                path.display()
            ),
        }
    }
    let verifier = Verifier::new(&fx.store, &fx.policy);
    for p in &fx.packages {
        let v = verifier
            .verify(p.clone(), &mut Detached::none(), checks::now())
            .unwrap_or_else(|e| panic!("{}", e.report()));
        assert_eq!(v.report().indication(), Indication::TotalPassed);
        let json = String::from_utf8(p.to_json()).unwrap();
        let tampered = json.replacen("Fuzz fixture", "Fuzz fixturE", 1);
        assert_ne!(tampered, json);
        let e = verifier
            .verify_bytes(
                tampered.as_bytes(),
                &Limits::default(),
                &mut Detached::none(),
                checks::now(),
            )
            .unwrap_err();
        assert_eq!(e.sub_indication(), Some(SubIndication::HashFailure));
    }
}

#[test]
fn fuzz_fixture_signed_statuses_verify_and_a_changed_payload_byte_is_refused() {
    let fx = checks::fixtures();
    assert_eq!(fx.signed_statuses.len(), 2);
    for (bytes, message) in &fx.signed_statuses {
        let v = edoc::StatusMessage::verify_signed(
            bytes,
            &fx.store,
            &fx.policy,
            &fx.directory,
            checks::now(),
        )
        .unwrap();
        assert_eq!(v.message(), message);
        // Flip one character of the payload segment (still base64url).
        let text = std::str::from_utf8(bytes).unwrap();
        let dot = text.find('.').unwrap();
        let mut tampered = text.as_bytes().to_vec();
        tampered[dot + 5] = if tampered[dot + 5] == b'A' {
            b'B'
        } else {
            b'A'
        };
        let e = edoc::StatusMessage::verify_signed(
            &tampered,
            &fx.store,
            &fx.policy,
            &fx.directory,
            checks::now(),
        )
        .unwrap_err();
        assert!(
            matches!(e, edoc::SignedMessageError::Signature { .. }),
            "{e:?}"
        );
    }
}

#[test]
fn fuzz_hub_accepts_each_fixture_package_once_then_as_a_duplicate_and_refuses_a_tampered_one() {
    let fx = checks::fixtures();
    for p in &fx.packages {
        let json = p.to_json();
        let first = checks::hub().submit(&json, checks::now()).unwrap();
        let again = checks::hub().submit(&json, checks::now()).unwrap();
        assert!(again.duplicate);
        assert_eq!(again.receipt, first.receipt);
        let tampered = String::from_utf8(json)
            .unwrap()
            .replacen("Fuzz fixture", "Fuzz fixturE", 1);
        match checks::hub().submit(tampered.as_bytes(), checks::now()) {
            Err(edoc::SubmitError::Rejected(r)) => {
                assert_eq!(r.sub_indication(), Some(SubIndication::HashFailure))
            }
            other => panic!("tampered package: {other:?}"),
        }
    }
}

#[test]
fn fuzz_rule_seeds_are_refused_by_the_rule_each_breaks() {
    let fx = checks::fixtures();
    let verifier = Verifier::new(&fx.store, &fx.policy);
    let dir = fuzz_dir().join("corpus/package_verify");
    for (file, check) in [
        ("rules-both-roles.json", "sealRole"),
        ("rules-swapped-roles.json", "sealRole"),
        ("rules-two-seals.json", "commitments"),
        ("rules-other-communes-approval.json", "approverAgency"),
        ("rules-signatory-mismatch.json", "signatory"),
    ] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let e = verifier
            .verify_bytes(
                &bytes,
                &Limits::default(),
                &mut Detached::none(),
                checks::now(),
            )
            .expect_err(file);
        let failed = e
            .report()
            .checks
            .iter()
            .find(|c| c.status == edoc::CheckStatus::Failed)
            .map(|c| c.name.as_str());
        assert_eq!(failed, Some(check), "{file}: {}", e.report());
    }
    // The high-S twin of the ES256 fixture's seal: accepted, with a warning on the seal.
    let bytes = std::fs::read(dir.join("rules-high-s-seal.json")).unwrap();
    let v = verifier
        .verify_bytes(
            &bytes,
            &Limits::default(),
            &mut Detached::none(),
            checks::now(),
        )
        .unwrap_or_else(|e| panic!("{}", e.report()));
    assert!(v.report().signatures[1]
        .checks
        .iter()
        .any(|c| c.name == "lowS" && c.status == edoc::CheckStatus::Warning));
}

/// Writes `fuzz/fixtures/*` and the seed corpora of every target but `org_id` from a fresh test
/// PKI. The keys are new on each run (ECDSA and Ed25519 keys are generated), so rerunning
/// changes every file: run it by hand when the formats change, then commit the result.
#[cfg(feature = "test-pki")]
#[test]
#[ignore = "rewrites fuzz/fixtures and fuzz/corpus; run by hand, then commit"]
fn regenerate_fuzz_fixtures_and_seed_corpora() {
    generator::run(&fuzz_dir());
}

/// Writes the timestamp and CMS fixtures (their own test PKI, so the other fixtures stay as
/// they are) and the seed corpora of the `timestamp_token` and `cms` targets.
#[test]
#[ignore = "rewrites fuzz/fixtures/tsa-* and token fixtures; run by hand"]
#[cfg(feature = "test-pki")]
fn regenerate_timestamp_fuzz_fixtures_and_seed_corpora() {
    generator::timestamps(&fuzz_dir());
}

#[cfg(feature = "test-pki")]
mod generator {
    use super::checks;
    use edoc::{
        sign_detached, Agency, Algorithm, AttachmentEntry, Commitment, Competence, Confidentiality,
        Defect, Detached, HeaderBuilder, Holder, IdentitySpec, InReplyTo, JwsSignature, OrgId,
        Package, SignOptions, Staff, StatusCode, StatusMessage, TestPki, TraceEntry, Urgency,
    };
    use std::path::Path;
    use time::macros::{date, datetime};

    // Codes of `Directory::sample()` (illustrative), so the submit target's hub knows them.
    const A_LUOI_5: &str = "000.00.45.H57";
    const FINANCE: &str = "000.00.05.H57";
    const CITY: &str = "000.00.00.H57";
    const PDF: &[u8] = b"%PDF-1.7 fuzz fixture: request for purchasing guidelines";

    fn id(code: &str) -> OrgId {
        code.parse().unwrap()
    }

    fn write(path: &Path, bytes: &[u8]) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    fn line(sig: &JwsSignature) -> String {
        format!("{}.{}\n", sig.protected, sig.signature)
    }

    fn flattened(sig: &JwsSignature) -> String {
        format!(
            r#"{{"protected":"{}","signature":"{}"}}"#,
            sig.protected, sig.signature
        )
    }

    fn header(number: &str, subject: &str, rich: bool) -> edoc::Header {
        let mut b = HeaderBuilder::new()
            .sender(Agency::new(id(A_LUOI_5), "Ủy ban nhân dân xã A Lưới 5"))
            .recipient(Agency::new(id(FINANCE), "Sở Tài chính"))
            .document_type("CV", "Công văn")
            .number_and_notation(number, "UBND-TCKH")
            .issued("A Lưới", date!(2025 - 07 - 02))
            .subject(subject)
            .signatory("Hồ Văn Chủ Tịch", "Chủ tịch", Competence::None)
            .attachment(AttachmentEntry::for_bytes("request.pdf", "application/pdf", PDF).unwrap());
        if rich {
            b = b
                .copy_recipient(Agency::new(id(CITY), "Ủy ban nhân dân thành phố Huế"))
                .urgency(Urgency::ExpressAtSetTime(
                    datetime!(2025-07-03 08:00 +07:00),
                ))
                .confidentiality(Confidentiality::None)
                .due_date(date!(2025 - 07 - 18))
                .in_reply_to(InReplyTo {
                    agency: id(FINANCE),
                    code: "12/STC-QLNS".into(),
                    date: date!(2025 - 06 - 30),
                    document_id: "000.00.05.H57,2025/06/30,12/STC-QLNS".parse().unwrap(),
                })
                .summary("Tóm tắt")
                .page_count(3)
                .extension("x-local", serde_json::json!({"k": [1, "v", true, null]}))
                .attachment(
                    AttachmentEntry::new("annex.pdf", "application/pdf", 1 << 20, [7; 32])
                        .unwrap()
                        .with_description("detached annex"),
                );
        }
        b.build().unwrap()
    }

    /// Signs `c` over the package's signed objects as an attacker would, around the early
    /// refusals of `Package::sign` (docs/package-format.md names the objects).
    fn force_sign(p: &mut Package, signer: &dyn edoc::Signer, c: Commitment) {
        use sha2::{Digest, Sha256};
        let mut objects = vec![edoc::DetachedObject::from_bytes(
            "header.json",
            p.canonical_header(),
        )];
        for a in p.header().attachments() {
            objects.push(edoc::DetachedObject {
                uri: format!("attachments/{}", a.name()),
                sha256: *a.sha256(),
            });
        }
        for (i, s) in p.signatures().iter().enumerate() {
            objects.push(edoc::DetachedObject {
                uri: format!("signatures/{i}"),
                sha256: Sha256::digest(format!("{}.{}", s.protected, s.signature)).into(),
            });
        }
        let opts = SignOptions::new(checks::signed()).with_commitment(c);
        p.push_signature(sign_detached(signer, &objects, &opts).unwrap());
    }

    /// Seeds for the document rules and the bounded pre-pass (issue 12): packages the strict
    /// policy refuses for who signed them, one whose seal carries the high-S twin of its
    /// signature (accepted, with a warning), and one with more values than the pre-pass reads.
    fn rule_seeds(
        pki: &TestPki,
        corpus: &dyn Fn(&str, &str) -> std::path::PathBuf,
        es256: &Package,
    ) {
        let fresh = || {
            Package::new(
                header("45", "Fuzz fixture: rules", false),
                [("request.pdf".to_owned(), PDF.to_vec())],
            )
            .unwrap()
        };
        let chairman = pki
            .person(
                "Hồ Văn Chủ Tịch",
                "UBND xã A Lưới 5",
                &id(A_LUOI_5),
                Algorithm::Es256,
            )
            .unwrap()
            .signer()
            .unwrap();
        let seal = pki
            .seal("UBND xã A Lưới 5", &id(A_LUOI_5), Algorithm::Es256)
            .unwrap()
            .signer()
            .unwrap();
        let other_seal = pki
            .seal("UBND xã A Lưới 5", &id(A_LUOI_5), Algorithm::Es256)
            .unwrap()
            .signer()
            .unwrap();
        let stranger = pki
            .person(
                "Hồ Văn Chủ Tịch",
                "UBND xã A Lưới 1",
                &id("000.00.41.H57"),
                Algorithm::Es256,
            )
            .unwrap()
            .signer()
            .unwrap();
        let someone = pki
            .person(
                "Nguyễn Văn An",
                "UBND xã A Lưới 5",
                &id(A_LUOI_5),
                Algorithm::Es256,
            )
            .unwrap()
            .signer()
            .unwrap();
        let (a, o) = (Commitment::ProofOfApproval, Commitment::ProofOfOrigin);
        type Signatures<'a> = Vec<(&'a dyn edoc::Signer, Commitment)>;
        let cases: [(&str, Signatures<'_>); 5] = [
            (
                "rules-both-roles.json",
                vec![(&chairman, a), (&chairman, o)],
            ),
            ("rules-swapped-roles.json", vec![(&seal, a), (&chairman, o)]),
            (
                "rules-two-seals.json",
                vec![(&chairman, a), (&seal, o), (&other_seal, o)],
            ),
            (
                "rules-other-communes-approval.json",
                vec![(&stranger, a), (&seal, o)],
            ),
            (
                "rules-signatory-mismatch.json",
                vec![(&someone, a), (&seal, o)],
            ),
        ];
        for (file, signatures) in cases {
            let mut p = fresh();
            for (signer, c) in signatures {
                force_sign(&mut p, signer, c);
            }
            for target in ["package", "package_verify", "submit"] {
                write(&corpus(target, file), &p.to_json());
            }
        }
        // The ES256 fixture package, its seal's signature re-encoded as (r, n − s): the same
        // signature to anyone who checks it (verified, with a lowS warning).
        let mut value: serde_json::Value = serde_json::from_slice(&es256.to_json()).unwrap();
        let slot = &mut value["signatures"]["signatures"][1]["signature"];
        let b64 = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let raw = base64::Engine::decode(b64, slot.as_str().unwrap()).unwrap();
        let n = x509_parser::num_bigint::BigUint::parse_bytes(
            b"ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
            16,
        )
        .unwrap();
        let s = x509_parser::num_bigint::BigUint::from_bytes_be(&raw[32..]);
        let twin = (&n - s).to_bytes_be();
        let mut out = raw[..32].to_vec();
        out.extend(std::iter::repeat_n(0u8, 32 - twin.len()));
        out.extend(twin);
        *slot = serde_json::Value::String(base64::Engine::encode(b64, out));
        let json = serde_json::to_vec(&value).unwrap();
        for target in ["package_verify", "submit"] {
            write(&corpus(target, "rules-high-s-seal.json"), &json);
        }
        // One value more than the pre-pass reads (Limits::max_values), in the trace.
        let mut many = String::from(r#"{"edoc":1,"trace":["#);
        many.push_str(&vec!["0"; 100_001].join(","));
        many.push_str("]}");
        for target in ["package", "package_verify"] {
            write(
                &corpus(target, "refused-too-many-values.json"),
                many.as_bytes(),
            );
        }
    }

    pub(super) fn run(fuzz: &Path) {
        let pki = TestPki::new().unwrap();
        let fixtures = fuzz.join("fixtures");
        let corpus = |t: &str, name: &str| fuzz.join("corpus").join(t).join(name);
        for t in [
            "package",
            "jades",
            "package_verify",
            "status",
            "trust_bundle",
        ] {
            let _ = std::fs::remove_dir_all(fuzz.join("corpus").join(t));
        }

        // The trust store.
        write(&fixtures.join("anchors.pem"), pki.anchors_pem().as_bytes());
        write(
            &fixtures.join("intermediates.pem"),
            pki.intermediates_pem().as_bytes(),
        );
        let crls = pki.crls_pem(&[]).unwrap();
        write(&fixtures.join("crls.pem"), crls.as_bytes());
        let (_, root) = x509_parser::parse_x509_certificate(pki.root()).unwrap();
        write(
            &fixtures.join("root-spki.der"),
            root.tbs_certificate.subject_pki.raw,
        );

        // JAdES signatures over the fixed objects: one trusted person per algorithm, one
        // person under the untrusted twin root.
        let objects = checks::jades_objects();
        let opts = SignOptions::new(checks::signed()).with_commitment(Commitment::ProofOfApproval);
        let mut good = Vec::new();
        for alg in Algorithm::ALL {
            let person = pki
                .person("Nguyễn Văn An", "Sở Tài chính", &id(FINANCE), alg)
                .unwrap();
            good.push(sign_detached(&person.signer().unwrap(), &objects, &opts).unwrap());
        }
        let stranger = pki
            .issue(&IdentitySpec {
                holder: Holder::Person {
                    full_name: "Người Lạ".into(),
                    agency_name: "Sở Tài chính".into(),
                    agency: id(FINANCE),
                },
                algorithm: Algorithm::Es256,
                defect: Defect::UntrustedRoot,
            })
            .unwrap();
        let untrusted = sign_detached(&stranger.signer().unwrap(), &objects, &opts).unwrap();
        write(
            &fixtures.join("jades-good.txt"),
            good.iter().map(line).collect::<String>().as_bytes(),
        );
        write(
            &fixtures.join("jades-untrusted.txt"),
            line(&untrusted).as_bytes(),
        );
        for (alg, sig) in Algorithm::ALL.iter().zip(&good) {
            let name = format!("{}-flattened.json", alg.jws_name().to_lowercase());
            write(&corpus("jades", &name), flattened(sig).as_bytes());
        }
        write(
            &corpus("jades", "es256-compact.txt"),
            format!("{}..{}", good[2].protected, good[2].signature).as_bytes(),
        );
        let general = format!(
            r#"{{"signatures":[{}]}}"#,
            good.iter().map(flattened).collect::<Vec<_>>().join(",")
        );
        write(&corpus("jades", "all-general.json"), general.as_bytes());
        write(
            &corpus("jades", "untrusted-flattened.json"),
            flattened(&untrusted).as_bytes(),
        );
        // B-LTA-shaped unsigned properties (tokens over other data: no level is reached).
        let token = std::fs::read(fixtures.join("token-es256.der")).unwrap();
        let mut props = edoc::UnsignedProperties::new();
        for c in [
            edoc::UnsignedComponent::signature_timestamp(&token),
            edoc::UnsignedComponent::certificate_values(&[pki.intermediate().to_vec()]),
            edoc::UnsignedComponent::revocation_values(&[pki.root_crl().unwrap().to_vec()]),
            edoc::UnsignedComponent::archive_timestamp(&token),
        ] {
            props.push(c).unwrap();
        }
        let mut lta = edoc::JwsMessage::new(None, vec![good[2].clone()]);
        lta.set_unsigned_properties(0, &props).unwrap();
        write(
            &corpus("jades", "es256-etsiu.json"),
            lta.to_json().as_bytes(),
        );

        // Packages: person then seal, ES256 and RS256; an unsigned rich one with a trace entry
        // and a detached attachment.
        let mut es256 = None;
        for (alg, file, number) in [
            (Algorithm::Es256, "package-es256.json", "42"),
            (Algorithm::Rs256, "package-rs256.json", "43"),
        ] {
            let mut p = Package::new(
                header(number, "Fuzz fixture: xin hướng dẫn mua sắm", false),
                [("request.pdf".to_owned(), PDF.to_vec())],
            )
            .unwrap();
            let person = pki
                .person("Hồ Văn Chủ Tịch", "UBND xã A Lưới 5", &id(A_LUOI_5), alg)
                .unwrap();
            let seal = pki.seal("UBND xã A Lưới 5", &id(A_LUOI_5), alg).unwrap();
            for (who, c) in [
                (&person, Commitment::ProofOfApproval),
                (&seal, Commitment::ProofOfOrigin),
            ] {
                p.sign(
                    &who.signer().unwrap(),
                    c,
                    checks::signed(),
                    &mut Detached::none(),
                )
                .unwrap();
            }
            let json = p.to_json();
            write(&fixtures.join(file), &json);
            write(&corpus("package", file), &json);
            write(&corpus("package_verify", file), &json);
            write(&corpus("submit", file), &json);
            es256.get_or_insert(p);
        }
        rule_seeds(&pki, &|t, name| corpus(t, name), &es256.unwrap());
        // The submit target's hub seal (signs receipts and trace entries). A test key.
        let hub = pki
            .seal("Hue LGSP hub", &id(CITY), Algorithm::Es256)
            .unwrap();
        write(&fixtures.join("hub-seal.pk8"), &hub.pkcs8_der);
        write(
            &fixtures.join("hub-seal-chain.pem"),
            hub.chain_pem().as_bytes(),
        );
        let mut rich = Package::new(
            header("44", "Fuzz fixture: kế hoạch", true),
            [("request.pdf".to_owned(), PDF.to_vec())],
        )
        .unwrap();
        rich.push_trace(TraceEntry {
            payload: "eyJodWIiOiJIVUUifQ".into(),
            protected: "eyJhbGciOiJFUzI1NiJ9".into(),
            signature: "AAAA".into(),
        });
        write(&corpus("package", "unsigned-rich.json"), &rich.to_json());
        write(
            &corpus("package_verify", "unsigned-rich.json"),
            &rich.to_json(),
        );
        write(&corpus("submit", "unsigned-rich.json"), &rich.to_json());

        // Status messages.
        for (code, description, file) in [
            (StatusCode::Arrived, "", "01-arrived.json"),
            (
                StatusCode::Refused,
                "Chữ ký số không hợp lệ.\nĐề nghị gửi lại.",
                "02-refused.json",
            ),
            (StatusCode::Completed, "Hoàn thành", "06-completed.json"),
            (StatusCode::RecallRequested, "Thu hồi", "13-recall.json"),
        ] {
            let msg = StatusMessage {
                from: id(FINANCE),
                to: id(A_LUOI_5),
                document_id: "000.00.45.H57,2025/07/02,42/UBND-TCKH".into(),
                code,
                description: description.into(),
                time: datetime!(2025-07-02 09:00:00.25 +07:00),
                staff: Staff {
                    name: "Nguyễn Văn A".into(),
                    position: "Chuyên viên".into(),
                },
            };
            write(&corpus("status", file), &msg.to_json());
        }
        // Signed statuses from the Department of Finance, sealed by it (proof of receipt).
        let finance_seal = pki
            .seal("Sở Tài chính thành phố Huế", &id(FINANCE), Algorithm::Es256)
            .unwrap()
            .signer()
            .unwrap();
        for (code, description, file) in [
            (StatusCode::Accepted, "Đã tiếp nhận", "status-03-signed.jws"),
            (StatusCode::Refused, "Sai thể thức", "status-02-signed.jws"),
        ] {
            let msg = StatusMessage {
                from: id(FINANCE),
                to: id(A_LUOI_5),
                document_id: "000.00.45.H57,2025/07/02,42/UBND-TCKH".into(),
                code,
                description: description.into(),
                time: datetime!(2025-07-02 11:00 +07:00),
                staff: Staff {
                    name: "Nguyễn Văn A".into(),
                    position: "Chuyên viên".into(),
                },
            };
            let signed = msg.sign(&finance_seal).unwrap();
            write(&fixtures.join(file), &signed);
            write(&corpus("signed_status", file), &signed);
        }

        // Trust bundles: a mode byte, then the bytes (see checks::trust_bundle).
        let with_mode = |mode: u8, body: &[u8]| [&[mode][..], body].concat();
        write(
            &corpus("trust_bundle", "0-anchors.pem"),
            &with_mode(0, pki.anchors_pem().as_bytes()),
        );
        write(
            &corpus("trust_bundle", "1-intermediates.pem"),
            &with_mode(1, pki.intermediates_pem().as_bytes()),
        );
        write(
            &corpus("trust_bundle", "2-crls.pem"),
            &with_mode(2, crls.as_bytes()),
        );
        write(
            &corpus("trust_bundle", "3-anchor.der"),
            &with_mode(3, pki.root()),
        );
        write(
            &corpus("trust_bundle", "4-intermediate.der"),
            &with_mode(4, pki.intermediate()),
        );
        write(
            &corpus("trust_bundle", "5-crl.der"),
            &with_mode(5, &pki.crl(&[]).unwrap()),
        );
        write(
            &corpus("trust_bundle", "1-person-chain.pem"),
            &with_mode(
                1,
                pki.person(
                    "Nguyễn Văn An",
                    "Sở Tài chính",
                    &id(FINANCE),
                    Algorithm::Es256,
                )
                .unwrap()
                .chain_pem()
                .as_bytes(),
            ),
        );
    }

    /// The timestamp fixtures: tokens from edoc's own TSA over `checks::TOKEN_DATA` at the
    /// fixture signing time, a detached CMS over `checks::CMS_CONTENT`, and their store.
    pub(super) fn timestamps(root: &Path) {
        use edoc::{request_timestamp, CmsSignedData, SignerTsa};
        let pki = TestPki::new().unwrap();
        let fixtures = root.join("fixtures");
        write(
            &fixtures.join("tsa-anchors.pem"),
            pki.anchors_pem().as_bytes(),
        );
        write(
            &fixtures.join("tsa-intermediates.pem"),
            pki.intermediates_pem().as_bytes(),
        );
        write(
            &fixtures.join("tsa-crls.pem"),
            pki.crls_pem(&[]).unwrap().as_bytes(),
        );
        let corpus = root.join("corpus/timestamp_token");
        let rng = ring::rand::SystemRandom::new();
        for (alg, name) in [(Algorithm::Es256, "es256"), (Algorithm::Rs256, "rs256")] {
            let tsa = pki.tsa("edoc TEST TSA (fuzz fixture)", alg).unwrap();
            let tsa = SignerTsa::new(
                Box::new(tsa.signer().unwrap()),
                "1.3.6.1.4.1.99999.7.3",
                checks::signed,
            )
            .unwrap();
            let token = request_timestamp(&tsa, checks::TOKEN_DATA, &rng).unwrap();
            write(&fixtures.join(format!("token-{name}.der")), token.as_der());
            write(&corpus.join(format!("token-{name}.der")), token.as_der());
        }
        let seal = pki
            .seal("Sở Tài chính", &id(FINANCE), Algorithm::Es256)
            .unwrap();
        let cms = CmsSignedData::sign_detached(
            &seal.signer().unwrap(),
            checks::CMS_CONTENT,
            checks::signed(),
        )
        .unwrap();
        write(&fixtures.join("cms-detached.der"), &cms);
        let cms_corpus = root.join("corpus/cms");
        write(&cms_corpus.join("detached-es256.der"), &cms);
        for (i, token) in std::fs::read_dir(&corpus).unwrap().enumerate() {
            let bytes = std::fs::read(token.unwrap().path()).unwrap();
            write(&cms_corpus.join(format!("token-{i}.der")), &bytes);
        }
    }
}
