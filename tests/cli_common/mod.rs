//! Shared by the CLI tests that run the real `edoc` binary: a `pki demo` folder, packages made
//! and signed through the binary, and a routed story (two hubs, made with the library) whose
//! packages, receipts and statuses the binary then checks.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;

use assert_cmd::Command;
use edoc::{
    Agency, Algorithm, AttachmentEntry, Commitment, Competence, Detached, Directory, HeaderBuilder,
    HubRegistry, InProcessNetwork, Limits, MemoryStore, OrgId, Package, Policy, Router,
    RouterConfig, RoutingTable, Staff, StatusCode, StatusMessage, TestPki,
};
use tempfile::TempDir;
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

/// Signed at 10:00 UTC on 2 July 2025 and verified five hours later: inside the demo
/// certificates' validity (2025-01-01..2030-01-01) and before the CRLs' nextUpdate (2035).
pub(crate) const SIGNED_AT: &str = "2025-07-02T10:00:00Z";
pub(crate) const SEALED_AT: &str = "2025-07-02T10:05:00Z";
pub(crate) const VERIFY_AT: &str = "2025-07-02T15:00:00Z";
/// A commune of the sample directory (A Lưới 1) writing to the Department of Finance.
pub(crate) const SENDER: &str = "000.00.41.H57";
pub(crate) const PDF: &[u8] = b"%PDF-1.7 request for purchasing guidelines";

pub(crate) fn edoc() -> Command {
    Command::cargo_bin("edoc").expect("the edoc binary is built")
}

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A demo PKI (`edoc pki demo`) in a temporary folder, and a work folder beside it.
pub(crate) struct Demo {
    pub(crate) tmp: TempDir,
    pub(crate) pki: PathBuf,
    pub(crate) work: PathBuf,
}

impl Demo {
    pub(crate) fn new() -> Demo {
        let tmp = TempDir::new().unwrap();
        let pki = tmp.path().join("demo");
        let out = edoc().arg("pki").arg("demo").arg(&pki).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let work = tmp.path().join("work");
        std::fs::create_dir(&work).unwrap();
        Demo { tmp, pki, work }
    }

    /// A file of the sending commune's folder (`seal.key`, `signer.pem`, ...).
    pub(crate) fn org(&self, file: &str) -> PathBuf {
        self.pki.join("orgs").join(SENDER).join(file)
    }

    /// `--trust`, `--intermediates`, `--crl`, `--directory` and `--at`.
    pub(crate) fn trust_args(&self) -> Vec<String> {
        let p = |f: &str| self.pki.join(f).display().to_string();
        vec![
            "--trust".into(),
            p("trust.pem"),
            "--intermediates".into(),
            p("intermediates.pem"),
            "--crl".into(),
            p("crl.pem"),
            "--directory".into(),
            p("directory.json"),
            "--at".into(),
            VERIFY_AT.into(),
        ]
    }

    pub(crate) fn verify(&self) -> Command {
        let mut c = edoc();
        c.arg("verify").args(self.trust_args());
        c
    }

    /// `edoc new` with the standard letter and its attachment, written to `work/<name>`.
    pub(crate) fn new_package(&self, name: &str, extra: &[&str]) -> PathBuf {
        let out_path = self.work.join(name);
        let out = self
            .new_command(extra)
            .arg("-o")
            .arg(&out_path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        out_path
    }

    /// `edoc new` with the standard letter's flags and attachment, and `extra`.
    pub(crate) fn new_command(&self, extra: &[&str]) -> Command {
        let attachment = self.work.join("request.pdf");
        if !attachment.exists() {
            std::fs::write(&attachment, PDF).unwrap();
        }
        let mut c = edoc();
        c.args([
            "new",
            "--sender",
            SENDER,
            "--sender-name",
            "UBND xã A Lưới 1",
        ])
        .args(["--to", "000.00.05.H57=Sở Tài chính thành phố Huế"])
        .args(["--type-code", "CV", "--type-name", "Công văn"])
        .args(["--number", "42", "--notation", "UBND-TCKH"])
        .args(["--place", "A Lưới", "--date", "2025-07-02"])
        .args(["--subject", "Xin hướng dẫn mua sắm và tạm cấp kinh phí"])
        .args([
            "--signer-name",
            "Nguyễn Văn An (TEST)",
            "--signer-position",
            "Chủ tịch",
        ])
        .arg("--attach")
        .arg(&attachment)
        .args(extra);
        c
    }

    /// `edoc sign` with `who` (`signer` or `seal`) of the sending commune.
    pub(crate) fn sign(&self, package: &Path, who: &str, commitment: &str, at: &str) -> Output {
        edoc()
            .arg("sign")
            .arg("--key")
            .arg(self.org(&format!("{who}.key")))
            .arg("--cert")
            .arg(self.org(&format!("{who}.pem")))
            .arg("--chain")
            .arg(self.pki.join("intermediates.pem"))
            .args(["--commitment", commitment, "--at", at])
            .arg(package)
            .output()
            .unwrap()
    }

    /// A package signed by the person (approval) then the commune's seal (origin).
    pub(crate) fn signed_package(&self, name: &str) -> PathBuf {
        let p = self.new_package(name, &[]);
        let out = self.sign(&p, "signer", "approval", SIGNED_AT);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let out = self.sign(&p, "seal", "origin", SEALED_AT);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        p
    }
}

/// A document routed through two hubs, written to a folder as the hubs and agencies hold
/// them: the package as the ministry received it (two trace entries), the city hub's receipt,
/// the ministry's status, and the trust material (`trust.pem`, `intermediates.pem`, `crl.pem`,
/// `hubs.json`).
pub(crate) struct Routed {
    pub(crate) tmp: TempDir,
    pub(crate) dir: PathBuf,
}

/// The time the routed story's files are checked at.
pub(crate) const ROUTED_AT: &str = "2025-07-03T12:00:00+07:00";

impl Routed {
    pub(crate) fn new() -> Routed {
        let now: OffsetDateTime = datetime!(2025-07-03 09:00 +07:00);
        let id = |c: &str| -> OrgId { c.parse().unwrap() };
        let (commune, ministry) = (id("000.00.42.H57"), id("000.00.00.G09"));
        let pki = TestPki::new().unwrap();
        let trust = Arc::new(pki.trust_store(&[]).unwrap());
        let mut hubs = HubRegistry::new();
        let mut seals = Vec::new();
        for (name, seal) in [
            ("hub.h57", test_hub_seal(&pki, "hub.h57")),
            ("hub.national", test_hub_seal(&pki, "hub.national")),
        ] {
            hubs.add(
                name.parse().unwrap(),
                Directory::certificate_fingerprint(&seal.chain[0]),
            );
            seals.push((name, seal));
        }
        let mut net = InProcessNetwork::new();
        for (name, seal) in &seals {
            net.add(Arc::new(Router::new(RouterConfig {
                hub: name.parse().unwrap(),
                trust: Arc::clone(&trust),
                policy: Policy::strict(),
                limits: Limits::default(),
                directory: Arc::new(Directory::sample()),
                table: RoutingTable::sample(),
                hubs: hubs.clone(),
                seal: Arc::new(seal.signer().unwrap()),
                store: Arc::new(MemoryStore::new(Duration::minutes(5))),
            })));
        }
        let header = HeaderBuilder::new()
            .sender(Agency::new(commune, "UBND xã A Lưới 2"))
            .recipient(Agency::new(ministry, "Bộ Nội vụ"))
            .document_type("BC", "Báo cáo")
            .number_and_notation("21", "UBND-VP")
            .issued("A Lưới", date!(2025 - 07 - 03))
            .subject("Báo cáo tình hình tổ chức bộ máy")
            .signatory("Lê Văn Cường", "Chủ tịch", Competence::None)
            .attachment(AttachmentEntry::for_bytes("report.pdf", "application/pdf", PDF).unwrap())
            .build()
            .unwrap();
        let mut package = Package::new(header, [("report.pdf".to_owned(), PDF.to_vec())]).unwrap();
        let person = pki
            .person(
                "Lê Văn Cường",
                "UBND xã A Lưới 2",
                &commune,
                Algorithm::Es256,
            )
            .unwrap();
        let seal = pki
            .seal("UBND xã A Lưới 2", &commune, Algorithm::Es256)
            .unwrap();
        for (who, c) in [
            (&person, Commitment::ProofOfApproval),
            (&seal, Commitment::ProofOfOrigin),
        ] {
            package
                .sign(&who.signer().unwrap(), c, now, &mut Detached::none())
                .unwrap();
        }
        let bytes = package.to_json();
        let city = net.router(&"hub.h57".parse().unwrap()).unwrap();
        let accepted = city.submit(&bytes, now).unwrap();
        net.pump(now + Duration::minutes(1)).unwrap();
        let national = net.router(&"hub.national".parse().unwrap()).unwrap();
        let delivered = national
            .store()
            .fetch(&ministry, 10, now + Duration::minutes(2))
            .unwrap()
            .remove(0);
        let ministry_seal = pki.seal("Bộ Nội vụ", &ministry, Algorithm::Es256).unwrap();
        let status = StatusMessage {
            from: ministry,
            to: commune,
            document_id: package.header().id().to_string(),
            code: StatusCode::Accepted,
            description: "Đã tiếp nhận".into(),
            time: now + Duration::hours(1),
            staff: Staff {
                name: "Trần Thị Bình".into(),
                position: "Chuyên viên".into(),
            },
        }
        .sign(&ministry_seal.signer().unwrap())
        .unwrap();

        let tmp = TempDir::new().unwrap();
        let dir = tmp.path().join("story");
        std::fs::create_dir(&dir).unwrap();
        let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
        write("report.delivered.package.json", &delivered.payload);
        write("report.receipt.jws", &accepted.signed_receipt);
        write("report.status-03.jws", &status);
        let trust_dir = tmp.path().join("trust");
        std::fs::create_dir(&trust_dir).unwrap();
        let tw = |name: &str, text: &str| std::fs::write(trust_dir.join(name), text).unwrap();
        tw("trust.pem", &pki.anchors_pem());
        tw("intermediates.pem", &pki.intermediates_pem());
        tw("crl.pem", &pki.crls_pem(&[]).unwrap());
        tw("hubs.json", &hubs.to_json());
        Routed { tmp, dir }
    }

    /// A file of the trust folder.
    pub(crate) fn trust(&self, name: &str) -> PathBuf {
        self.tmp.path().join("trust").join(name)
    }

    /// `edoc verify` with the trust material, `--hubs` only when `with_hubs`.
    pub(crate) fn verify(&self, with_hubs: bool) -> Command {
        let mut c = edoc();
        c.arg("verify")
            .arg("--trust")
            .arg(self.trust("trust.pem"))
            .arg("--intermediates")
            .arg(self.trust("intermediates.pem"))
            .arg("--crl")
            .arg(self.trust("crl.pem"))
            .args(["--at", ROUTED_AT]);
        if with_hubs {
            c.arg("--hubs").arg(self.trust("hubs.json"));
        }
        c
    }
}

/// A hub's seal certificate from the test PKI.
fn test_hub_seal(pki: &TestPki, hub: &str) -> edoc::TestIdentity {
    let operator: OrgId = if hub == "hub.h57" {
        "000.00.00.H57".parse().unwrap()
    } else {
        "000.00.00.G01".parse().unwrap()
    };
    pki.seal(&format!("{hub} (TEST)"), &operator, Algorithm::Es256)
        .unwrap()
}
