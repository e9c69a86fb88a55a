//! A two-hub network on loopback for the network tests (hub_*.rs): a test PKI written to a temporary folder
//! (trust anchors, CRLs, directory, routing table, each hub's seal and TLS certificate, a
//! hub.toml per hub on a free port), hubs started in this process ([`HubNode`]) or as `edoc hub
//! serve` child processes, and clients and signed packages for the sample agencies.
#![allow(dead_code)] // Each test binary uses a different subset.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use edoc::time::{Duration as TimeDuration, OffsetDateTime};
use edoc::{
    Agency, Algorithm, AttachmentEntry, Commitment, Competence, Defect, Detached, Directory,
    HeaderBuilder, HubClient, HubClientConfig, HubConfig, HubNode, HubRegistry, OrgId, Package,
    RoutingTable, Staff, StatusCode, StatusMessage, SystemClock, TestIdentity, TestPki,
    TlsIdentity, TrustStore,
};

// Codes of the sample directory (illustrative).
pub(crate) const CITY: &str = "000.00.00.H57";
pub(crate) const FINANCE: &str = "000.00.05.H57";
pub(crate) const A_LUOI_1: &str = "000.00.41.H57";
pub(crate) const A_LUOI_2: &str = "000.00.42.H57";
pub(crate) const A_LUOI_4: &str = "000.00.44.H57";
pub(crate) const A_LUOI_5: &str = "000.00.45.H57";
pub(crate) const MINISTRY: &str = "000.00.00.G09";
pub(crate) const CITY_HUB: &str = "hub.h57";
pub(crate) const NATIONAL: &str = "hub.national";

pub(crate) fn id(code: &str) -> OrgId {
    code.parse().unwrap()
}

/// A free loopback port (bound, then released: the hub binds it right after).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What an agency holds: its system's TLS identity, its chairman's key and its seal.
pub(crate) struct AgencyKeys {
    pub(crate) tls: TestIdentity,
    pub(crate) person: TestIdentity,
    pub(crate) seal: TestIdentity,
}

/// Extra settings for the network.
#[derive(Default)]
pub(crate) struct Options {
    /// Agencies whose TLS certificate the intermediate's CRL revokes.
    pub(crate) revoked_tls: Vec<&'static str>,
    /// Lines added to both hub.toml files (e.g. a `[limits]` table).
    pub(crate) extra_toml: String,
}

pub(crate) struct Net {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) pki: TestPki,
    pub(crate) trust: Arc<TrustStore>,
    /// Both hubs' seals (for clients checking receipts) and TLS identities.
    pub(crate) hubs: HubRegistry,
    pub(crate) ports: BTreeMap<&'static str, u16>,
    pub(crate) agencies: BTreeMap<OrgId, AgencyKeys>,
    pub(crate) hub_tls: BTreeMap<&'static str, TestIdentity>,
}

impl Net {
    pub(crate) fn new() -> Net {
        Net::with(Options::default())
    }

    pub(crate) fn with(options: Options) -> Net {
        let dir = tempfile::tempdir().unwrap();
        let pki = TestPki::new().unwrap();
        let directory = Directory::sample();
        let mut agencies = BTreeMap::new();
        for a in directory.agencies() {
            let name = a.name_vi().to_owned();
            agencies.insert(
                a.id(),
                AgencyKeys {
                    tls: pki.tls_client(&name, &a.id(), Defect::None).unwrap(),
                    person: pki
                        .person("Nguyễn Văn An", &name, &a.id(), Algorithm::Es256)
                        .unwrap(),
                    seal: pki.seal(&name, &a.id(), Algorithm::Es256).unwrap(),
                },
            );
        }
        let revoked: Vec<(&TestIdentity, OffsetDateTime)> = options
            .revoked_tls
            .iter()
            .map(|c| {
                (
                    &agencies[&id(c)].tls,
                    edoc::time::macros::datetime!(2025-06-01 00:00 UTC),
                )
            })
            .collect();
        let trust = Arc::new(pki.trust_store(&revoked).unwrap());
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("trust.pem", &pki.anchors_pem());
        write("intermediates.pem", &pki.intermediates_pem());
        write("crl.pem", &pki.crls_pem(&revoked).unwrap());
        write("directory.json", &directory.to_json());
        write("routing.json", &RoutingTable::sample().to_json());
        let mut ports = BTreeMap::new();
        let mut hub_tls = BTreeMap::new();
        let mut hubs = HubRegistry::new();
        let mut prints = BTreeMap::new();
        for (hub, name) in [
            (CITY_HUB, "Hue LGSP hub (TEST)"),
            (NATIONAL, "National hub (TEST)"),
        ] {
            let seal = pki
                .seal(name, &id("000.00.00.G01"), Algorithm::Es256)
                .unwrap();
            let tls = pki.tls_hub(hub, &["localhost", "127.0.0.1"]).unwrap();
            write(&format!("hubs/{hub}/seal.pem"), &seal.chain_pem());
            write(&format!("hubs/{hub}/seal.key"), &seal.key_pem());
            write(&format!("hubs/{hub}/tls.pem"), &tls.chain_pem());
            write(&format!("hubs/{hub}/tls.key"), &tls.key_pem());
            let seal_fp = Directory::certificate_fingerprint(&seal.chain[0]);
            let tls_fp = Directory::certificate_fingerprint(&tls.chain[0]);
            hubs.add(hub.parse().unwrap(), seal_fp);
            hubs.add_tls_identity(hub.parse().unwrap(), tls_fp);
            prints.insert(hub, (seal_fp, tls_fp));
            ports.insert(hub, free_port());
            hub_tls.insert(hub, tls);
        }
        for (hub, other) in [(CITY_HUB, NATIONAL), (NATIONAL, CITY_HUB)] {
            let (seal_fp, tls_fp) = prints[other];
            let toml = format!(
                "hub = \"{hub}\"\nlisten = \"127.0.0.1:{port}\"\ndata = \"data/{hub}\"\n\
                 directory = \"directory.json\"\nrouting = \"routing.json\"\n\
                 visibility_timeout_seconds = 5\n\
                 [tls]\ncertificate = \"hubs/{hub}/tls.pem\"\nkey = \"hubs/{hub}/tls.key\"\n\
                 [seal]\ncertificate = \"hubs/{hub}/seal.pem\"\nkey = \"hubs/{hub}/seal.key\"\n\
                 [trust]\nanchors = [\"trust.pem\"]\nintermediates = [\"intermediates.pem\"]\n\
                 crls = [\"crl.pem\"]\n\
                 [[neighbours]]\nhub = \"{other}\"\nurl = \"https://127.0.0.1:{other_port}\"\n\
                 seal_sha256 = \"{}\"\ntls_sha256 = \"{}\"\n{}\n\
                 [forwarder]\npoll_ms = 200\nbackoff_min_ms = 100\nbackoff_max_seconds = 1\n",
                hex(&seal_fp),
                hex(&tls_fp),
                options.extra_toml,
                port = ports[hub],
                other_port = ports[other],
            );
            write(&format!("{hub}.toml"), &toml);
        }
        Net {
            dir,
            pki,
            trust,
            hubs,
            ports,
            agencies,
            hub_tls,
        }
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(crate) fn config(&self, hub: &str) -> HubConfig {
        HubConfig::load(&self.path(&format!("{hub}.toml"))).unwrap()
    }

    pub(crate) fn url(&self, hub: &str) -> String {
        format!("https://127.0.0.1:{}", self.ports[hub])
    }

    /// The hub, in this process.
    pub(crate) async fn start(&self, hub: &str) -> HubNode {
        HubNode::start(&self.config(hub), Arc::new(SystemClock))
            .await
            .unwrap()
    }

    /// The hub as an `edoc hub serve` child process; returns once it listens.
    pub(crate) fn spawn(&self, hub: &str) -> HubProcess {
        HubProcess::spawn(&self.path(&format!("{hub}.toml")))
    }

    pub(crate) fn tls_identity(keys: &TestIdentity) -> TlsIdentity {
        TlsIdentity::from_pem(keys.chain_pem().as_bytes(), keys.key_pem().as_bytes()).unwrap()
    }

    /// A client for `agency` at `hub`, with its own TLS identity.
    pub(crate) fn client(&self, agency: &str, hub: &str) -> HubClient {
        self.client_as(
            agency,
            hub,
            Net::tls_identity(&self.agencies[&id(agency)].tls),
        )
    }

    /// A client for `agency` at `hub` with the TLS identity given.
    pub(crate) fn client_as(&self, agency: &str, hub: &str, identity: TlsIdentity) -> HubClient {
        let mut config = HubClientConfig::new(
            self.url(hub),
            id(agency),
            identity,
            Arc::clone(&self.trust),
            self.hubs.clone(),
            Arc::new(SystemClock),
        );
        config.attempts = 2;
        config.retry_pause = Duration::from_millis(100);
        HubClient::new(config).unwrap()
    }

    /// A document from `sender` to `to`, signed by its chairman then sealed, with a 1 KiB
    /// attachment, signed a minute ago.
    pub(crate) fn package(&self, sender: &str, to: &[&str], number: &str) -> Vec<u8> {
        self.package_with(sender, to, number, |b| b)
    }

    pub(crate) fn package_with(
        &self,
        sender: &str,
        to: &[&str],
        number: &str,
        extra: impl FnOnce(HeaderBuilder) -> HeaderBuilder,
    ) -> Vec<u8> {
        let keys = &self.agencies[&id(sender)];
        let pdf = format!("%PDF-1.7 (TEST) document {number} {}", "x".repeat(1000)).into_bytes();
        let today = OffsetDateTime::now_utc().date();
        let mut b = HeaderBuilder::new()
            .sender(Agency::new(id(sender), "Sender (TEST)"))
            .document_type("CV", "Công văn")
            .number_and_notation(number, "UBND-VP")
            .issued("Huế", today)
            .subject(format!("Văn bản số {number}"))
            .signatory("Nguyễn Văn An", "Chủ tịch", Competence::None)
            .attachment(
                AttachmentEntry::for_bytes("van-ban.pdf", "application/pdf", &pdf).unwrap(),
            );
        for r in to {
            b = b.recipient(Agency::new(id(r), "Recipient (TEST)"));
        }
        let mut p =
            Package::new(extra(b).build().unwrap(), [("van-ban.pdf".to_owned(), pdf)]).unwrap();
        let at = OffsetDateTime::now_utc() - TimeDuration::minutes(1);
        p.sign(
            &keys.person.signer().unwrap(),
            Commitment::ProofOfApproval,
            at,
            &mut Detached::none(),
        )
        .unwrap();
        p.sign(
            &keys.seal.signer().unwrap(),
            Commitment::ProofOfOrigin,
            at,
            &mut Detached::none(),
        )
        .unwrap();
        p.to_json()
    }

    /// The document id of a package made by [`Net::package`] today.
    pub(crate) fn document_id(sender: &str, number: &str) -> String {
        let today = OffsetDateTime::now_utc().date();
        format!(
            "{sender},{:04}/{:02}/{:02},{number}/UBND-VP",
            today.year(),
            u8::from(today.month()),
            today.day()
        )
    }

    /// A status from `from` to `to` about `document`, sealed by `from`.
    pub(crate) fn status(&self, from: &str, to: &str, document: &str, code: StatusCode) -> Vec<u8> {
        StatusMessage {
            from: id(from),
            to: id(to),
            document_id: document.to_owned(),
            code,
            description: format!("status {}", code.code()),
            time: OffsetDateTime::now_utc(),
            staff: Staff {
                name: "Nguyễn Thị Văn Thư".into(),
                position: "Văn thư".into(),
            },
        }
        .sign(&self.agencies[&id(from)].seal.signer().unwrap())
        .unwrap()
    }

    /// A TLS identity written as PEM text, for raw TLS clients.
    pub(crate) fn raw_pem(identity: &TestIdentity) -> (String, String) {
        (identity.chain_pem(), identity.key_pem())
    }
}

/// A hub running as an `edoc hub serve` child process. Killed (SIGKILL) when dropped.
pub(crate) struct HubProcess {
    pub(crate) child: Child,
    pub(crate) addr: String,
    pub(crate) config: PathBuf,
}

impl HubProcess {
    pub(crate) fn spawn(config: &Path) -> HubProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_edoc"))
            .args(["hub", "serve", "--config"])
            .arg(config)
            .env("EDOC_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("edoc hub serve starts");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .rsplit(' ')
            .next()
            .unwrap_or_default()
            .to_owned();
        assert!(
            addr.starts_with("https://"),
            "the hub did not start: {line:?}"
        );
        HubProcess {
            child,
            addr,
            config: config.to_path_buf(),
        }
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown, no final commit.
    pub(crate) fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for a clean exit.
    pub(crate) fn terminate(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().unwrap()
    }

    /// Peak resident memory of the process so far (VmHWM), in KiB.
    pub(crate) fn peak_rss_kib(&self) -> u64 {
        proc_status_kib(self.pid(), "VmHWM:")
    }

    /// Resident memory now (VmRSS), in KiB.
    pub(crate) fn rss_kib(&self) -> u64 {
        proc_status_kib(self.pid(), "VmRSS:")
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn proc_status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// A multi-threaded runtime for a test.
pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

pub(crate) fn pem_cert(der: &[u8]) -> String {
    pem("CERTIFICATE", der)
}

/// A plain HTTPS client that trusts the test root for the hub's certificate and presents
/// `identity` (or no certificate): for requests `HubClient` does not make.
pub(crate) fn raw_client(pki: &TestPki, identity: Option<&TestIdentity>) -> reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.root().clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
    let config = match identity {
        Some(i) => builder
            .with_client_auth_cert(
                i.chain.clone(),
                rustls::pki_types::PrivateKeyDer::Pkcs8(i.pkcs8_der.clone().into()),
            )
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    reqwest::Client::builder()
        .use_preconfigured_tls(config)
        .build()
        .unwrap()
}

/// The debug text of an error and all its sources.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut text = format!("{e:?}");
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(&format!(" / {s:?}"));
        source = s.source();
    }
    text
}
