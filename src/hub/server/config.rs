//! `hub.toml`: everything one hub needs, read and checked at start ([`HubConfig`]), and
//! [`HubNode`], which runs it: the store, the router, the API over mutual TLS and the
//! forwarder to the neighbouring hubs. `edoc hub serve --config hub.toml` is a thin layer
//! over it.
//!
//! ```toml
//! hub = "hub.h57"                       # this hub's name
//! listen = "127.0.0.1:8443"
//! data = "data/hub.h57"                 # its store: data/hub.h57/mailboxes.redb
//! directory = "directory.json"
//! routing = "routing.json"
//!
//! [tls]                                 # serverAuth + clientAuth; NOT the seal's key
//! certificate = "hubs/hub.h57/tls.pem"
//! key = "hubs/hub.h57/tls.key"
//!
//! [seal]                                # signs trace entries and receipts
//! certificate = "hubs/hub.h57/seal.pem"
//! key = "hubs/hub.h57/seal.key"
//!
//! [trust]
//! anchors = ["trust.pem"]
//! intermediates = ["intermediates.pem"]
//! crls = ["crl.pem"]
//!
//! [[neighbours]]
//! hub = "hub.national"
//! url = "https://127.0.0.1:8444"
//! seal_sha256 = "…"                     # its seal certificate: its receipts and trace entries
//! tls_sha256 = "…"                      # its TLS certificate: it calls us with it; we pin it
//! ```
//!
//! Relative paths are read from the configuration file's folder.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use super::forwarder::{Forwarder, ForwarderOptions};
use super::serve::{serve, ServeOptions};
use super::{HubService, HubServiceOptions};
use crate::hub::client::{HttpsTransport, Neighbour};
use crate::hub::clock::Clock;
use crate::hub::tls::{server_tls_config, TlsIdentity};
use crate::limits::Limits;
use crate::org::Directory;
use crate::route::{DurableStore, HubId, HubRegistry, Router, RouterConfig, RoutingTable};
use crate::signer::{certificates_from_bytes, SoftwareSigner};
use crate::trust::{Policy, TrustStore};

/// Why a hub configuration could not be read or a hub could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HubConfigError {
    /// A file named by the configuration could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The configuration is not valid TOML, or has an unknown or missing field.
    #[error("{}: {reason}", path.display())]
    Syntax {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong, with the line.
        reason: String,
    },
    /// A value is wrong.
    #[error("hub configuration: {field}: {reason}")]
    Invalid {
        /// The field, as written in hub.toml.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A file was read but its content is refused (a certificate, key, CRL, directory...).
    #[error("{}: {reason}", path.display())]
    Content {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The store, the listener or a thread could not be opened or started.
    #[error("the hub could not start: {0}")]
    Start(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Pair {
    certificate: PathBuf,
    key: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustFiles {
    anchors: Vec<PathBuf>,
    #[serde(default)]
    intermediates: Vec<PathBuf>,
    #[serde(default)]
    crls: Vec<PathBuf>,
    /// A policy JSON file ([`Policy::from_json`]); the strict policy when absent.
    policy: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NeighbourFile {
    hub: String,
    url: String,
    seal_sha256: String,
    tls_sha256: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsFile {
    max_connections: Option<usize>,
    handshake_timeout_seconds: Option<u64>,
    header_timeout_seconds: Option<u64>,
    body_timeout_seconds: Option<u64>,
    max_wait_seconds: Option<u64>,
    fetch_max: Option<usize>,
    max_package_bytes: Option<usize>,
    body_budget_bytes: Option<usize>,
    send_timeout_seconds: Option<u64>,
    shutdown_grace_seconds: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ForwarderFile {
    concurrency: Option<usize>,
    batch: Option<usize>,
    poll_ms: Option<u64>,
    backoff_min_ms: Option<u64>,
    backoff_max_seconds: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    hub: String,
    listen: String,
    data: PathBuf,
    #[serde(default = "default_visibility")]
    visibility_timeout_seconds: u64,
    directory: PathBuf,
    routing: PathBuf,
    tls: Pair,
    seal: Pair,
    trust: TrustFiles,
    #[serde(default)]
    neighbours: Vec<NeighbourFile>,
    #[serde(default)]
    metrics_readers: Vec<String>,
    #[serde(default)]
    limits: LimitsFile,
    #[serde(default)]
    forwarder: ForwarderFile,
}

fn default_visibility() -> u64 {
    600
}

/// A neighbour as configured.
#[derive(Debug, Clone)]
struct NeighbourConfig {
    link: Neighbour,
    seal_sha256: [u8; 32],
    tls_sha256: [u8; 32],
}

/// A hub's configuration, read from hub.toml and checked (every file it names is read when
/// the hub starts). See the module documentation for the format.
#[derive(Debug, Clone)]
pub struct HubConfig {
    hub: HubId,
    listen: String,
    data: PathBuf,
    visibility: time::Duration,
    directory: PathBuf,
    routing: PathBuf,
    tls: (PathBuf, PathBuf),
    seal: (PathBuf, PathBuf),
    anchors: Vec<PathBuf>,
    intermediates: Vec<PathBuf>,
    crls: Vec<PathBuf>,
    policy: Option<PathBuf>,
    neighbours: Vec<NeighbourConfig>,
    metrics_readers: Vec<[u8; 32]>,
    serve: ServeOptions,
    forwarder: ForwarderOptions,
    max_wait: Option<Duration>,
    fetch_max: Option<usize>,
    body_timeout: Option<Duration>,
    body_budget: Option<usize>,
    max_package_bytes: Option<usize>,
    send_timeout: Duration,
}

fn fingerprint(field: &str, hex: &str) -> Result<[u8; 32], HubConfigError> {
    let invalid = || HubConfigError::Invalid {
        field: field.to_owned(),
        reason: format!("{hex:?} is not a SHA-256 fingerprint (64 hex digits, colons allowed)"),
    };
    let digits: String = hex.chars().filter(|c| *c != ':').collect();
    if digits.len() != 64 {
        return Err(invalid());
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(digits.get(2 * i..2 * i + 2).ok_or_else(invalid)?, 16)
            .map_err(|_| invalid())?;
    }
    Ok(out)
}

fn read(path: &Path) -> Result<Vec<u8>, HubConfigError> {
    std::fs::read(path).map_err(|source| HubConfigError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn content(path: &Path, e: impl std::fmt::Display) -> HubConfigError {
    HubConfigError::Content {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

impl HubConfig {
    /// Reads and checks hub.toml; relative paths are taken from its folder.
    pub fn load(path: &Path) -> Result<HubConfig, HubConfigError> {
        let text = String::from_utf8(read(path)?).map_err(|_| HubConfigError::Syntax {
            path: path.to_path_buf(),
            reason: "not UTF-8 text".into(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        HubConfig::from_toml(&text, base).map_err(|e| match e {
            HubConfigError::Syntax { reason, .. } => HubConfigError::Syntax {
                path: path.to_path_buf(),
                reason,
            },
            other => other,
        })
    }

    /// Reads a configuration from TOML text; relative paths are taken from `base`.
    pub fn from_toml(text: &str, base: &Path) -> Result<HubConfig, HubConfigError> {
        let f: File = toml::from_str(text).map_err(|e| HubConfigError::Syntax {
            path: PathBuf::from("hub.toml"),
            reason: e.to_string(),
        })?;
        let at = |p: &Path| base.join(p);
        let hub: HubId = f.hub.parse().map_err(|e| HubConfigError::Invalid {
            field: "hub".into(),
            reason: format!("{e}"),
        })?;
        let mut neighbours = Vec::new();
        for (i, n) in f.neighbours.iter().enumerate() {
            let field = |name: &str| format!("neighbours[{i}].{name}");
            let id: HubId = n.hub.parse().map_err(|e| HubConfigError::Invalid {
                field: field("hub"),
                reason: format!("{e}"),
            })?;
            if id == hub {
                return Err(HubConfigError::Invalid {
                    field: field("hub"),
                    reason: "a hub is not its own neighbour".into(),
                });
            }
            if !n.url.starts_with("https://") {
                return Err(HubConfigError::Invalid {
                    field: field("url"),
                    reason: format!("{:?} is not an https:// URL (there is no plaintext)", n.url),
                });
            }
            let tls_sha256 = fingerprint(&field("tls_sha256"), &n.tls_sha256)?;
            neighbours.push(NeighbourConfig {
                link: Neighbour {
                    hub: id,
                    url: n.url.clone(),
                    tls_sha256: Some(tls_sha256),
                },
                seal_sha256: fingerprint(&field("seal_sha256"), &n.seal_sha256)?,
                tls_sha256,
            });
        }
        let metrics_readers = f
            .metrics_readers
            .iter()
            .enumerate()
            .map(|(i, h)| fingerprint(&format!("metrics_readers[{i}]"), h))
            .collect::<Result<_, _>>()?;
        let l = &f.limits;
        let mut serve = ServeOptions::default();
        if let Some(n) = l.max_connections {
            serve.max_connections = n;
        }
        if let Some(s) = l.handshake_timeout_seconds {
            serve.handshake_timeout = Duration::from_secs(s);
        }
        if let Some(s) = l.header_timeout_seconds {
            serve.header_timeout = Duration::from_secs(s);
        }
        if let Some(s) = l.shutdown_grace_seconds {
            serve.shutdown_grace = Duration::from_secs(s);
        }
        let mut forwarder = ForwarderOptions::default();
        let fw = &f.forwarder;
        if let Some(n) = fw.concurrency {
            forwarder.concurrency = n;
        }
        if let Some(n) = fw.batch {
            forwarder.batch = n;
        }
        if let Some(ms) = fw.poll_ms {
            forwarder.poll = Duration::from_millis(ms);
        }
        if let Some(ms) = fw.backoff_min_ms {
            forwarder.backoff_min = Duration::from_millis(ms);
        }
        if let Some(s) = fw.backoff_max_seconds {
            forwarder.backoff_max = Duration::from_secs(s);
        }
        Ok(HubConfig {
            hub,
            listen: f.listen,
            data: at(&f.data),
            visibility: time::Duration::seconds(
                i64::try_from(f.visibility_timeout_seconds.max(1)).unwrap_or(600),
            ),
            directory: at(&f.directory),
            routing: at(&f.routing),
            tls: (at(&f.tls.certificate), at(&f.tls.key)),
            seal: (at(&f.seal.certificate), at(&f.seal.key)),
            anchors: f.trust.anchors.iter().map(|p| at(p)).collect(),
            intermediates: f.trust.intermediates.iter().map(|p| at(p)).collect(),
            crls: f.trust.crls.iter().map(|p| at(p)).collect(),
            policy: f.trust.policy.as_deref().map(at),
            neighbours,
            metrics_readers,
            serve,
            forwarder,
            max_wait: l.max_wait_seconds.map(Duration::from_secs),
            fetch_max: l.fetch_max,
            body_timeout: l.body_timeout_seconds.map(Duration::from_secs),
            body_budget: l.body_budget_bytes,
            max_package_bytes: l.max_package_bytes,
            send_timeout: Duration::from_secs(l.send_timeout_seconds.unwrap_or(30)),
        })
    }

    /// This hub's name.
    pub fn hub(&self) -> &HubId {
        &self.hub
    }

    /// The store file the hub keeps its mailboxes in.
    pub fn store_path(&self) -> PathBuf {
        self.data.join("mailboxes.redb")
    }

    fn trust(&self) -> Result<TrustStore, HubConfigError> {
        let mut trust = TrustStore::default();
        for p in &self.anchors {
            trust
                .add_anchors_pem(&read(p)?)
                .map_err(|e| content(p, e))?;
        }
        for p in &self.intermediates {
            trust
                .add_intermediates_pem(&read(p)?)
                .map_err(|e| content(p, e))?;
        }
        for p in &self.crls {
            trust.add_crls_pem(&read(p)?).map_err(|e| content(p, e))?;
        }
        Ok(trust)
    }

    fn seal(&self) -> Result<(SoftwareSigner, [u8; 32]), HubConfigError> {
        let (cert, key) = &self.seal;
        let chain = certificates_from_bytes(&read(cert)?).map_err(|e| content(cert, e))?;
        let leaf = chain
            .first()
            .ok_or_else(|| content(cert, "no certificate"))?;
        let fp = Directory::certificate_fingerprint(leaf);
        let key_bytes = read(key)?;
        let signer = SoftwareSigner::from_pkcs8_pem(&key_bytes, chain.clone(), None)
            .or_else(|_| SoftwareSigner::from_pkcs8_der(&key_bytes, chain, None))
            .map_err(|e| content(key, e))?;
        Ok((signer, fp))
    }
}

/// A running hub: store, router, API over mutual TLS, forwarder.
#[derive(Debug)]
pub struct HubNode {
    addr: SocketAddr,
    service: HubService,
    forwarder: Forwarder,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    stop: tokio::sync::oneshot::Sender<()>,
}

impl HubNode {
    /// Opens the store and starts serving, as `config` says. Must be called inside a
    /// multi-threaded tokio runtime. The time comes from `clock`.
    pub async fn start(
        config: &HubConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<HubNode, HubConfigError> {
        let trust = Arc::new(config.trust()?);
        let policy = match &config.policy {
            Some(p) => Policy::from_json(&read(p)?).map_err(|e| content(p, e))?,
            None => Policy::strict(),
        };
        let directory = Directory::from_json(&read(&config.directory)?)
            .map_err(|e| content(&config.directory, e))?;
        let table = RoutingTable::from_json(&read(&config.routing)?)
            .map_err(|e| content(&config.routing, e))?;
        let (seal, seal_sha256) = config.seal()?;
        let mut hubs = HubRegistry::new();
        hubs.add(config.hub.clone(), seal_sha256);
        for n in &config.neighbours {
            hubs.add(n.link.hub.clone(), n.seal_sha256);
            hubs.add_tls_identity(n.link.hub.clone(), n.tls_sha256);
        }
        let identity = TlsIdentity::from_files(&config.tls.0, &config.tls.1)
            .map_err(|e| content(&config.tls.0, e))?;
        let tls = server_tls_config(&identity, Arc::clone(&trust), &policy, Arc::clone(&clock))
            .map_err(|e| content(&config.tls.0, e))?;

        std::fs::create_dir_all(&config.data).map_err(|source| HubConfigError::Read {
            path: config.data.clone(),
            source,
        })?;
        let path = config.store_path();
        let visibility = config.visibility;
        let store = tokio::task::spawn_blocking(move || DurableStore::open(path, visibility))
            .await
            .map_err(|e| HubConfigError::Start(e.to_string()))?
            .map_err(|e| HubConfigError::Start(e.to_string()))?;
        let mut limits = Limits::default();
        if let Some(n) = config.max_package_bytes {
            limits.max_package_bytes = n;
        }
        let router = Arc::new(Router::new(RouterConfig {
            hub: config.hub.clone(),
            trust: Arc::clone(&trust),
            policy: policy.clone(),
            limits,
            directory: Arc::new(directory),
            table,
            hubs,
            seal: Arc::new(seal),
            store: Arc::new(store),
        }));

        let mut options = HubServiceOptions::new(Arc::clone(&clock));
        options.metrics_readers = config.metrics_readers.clone();
        if let Some(w) = config.max_wait {
            options.max_wait = w;
        }
        if let Some(n) = config.fetch_max {
            options.fetch_max = n;
        }
        if let Some(t) = config.body_timeout {
            options.body_timeout = t;
        }
        if let Some(b) = config.body_budget {
            options.body_budget = b;
        }
        let service =
            HubService::new(router, options).map_err(|e| HubConfigError::Start(e.to_string()))?;
        let neighbours: Vec<Neighbour> = config.neighbours.iter().map(|n| n.link.clone()).collect();
        let transport = HttpsTransport::new(
            &identity,
            trust,
            &policy,
            clock,
            &neighbours,
            tokio::runtime::Handle::current(),
            config.send_timeout,
        )
        .map_err(|e| content(&config.tls.0, e))?;
        let forwarder = Forwarder::start(&service, Arc::new(transport), config.forwarder.clone());

        let listener = tokio::net::TcpListener::bind(&config.listen)
            .await
            .map_err(|e| {
                HubConfigError::Start(format!("cannot listen on {}: {e}", config.listen))
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| HubConfigError::Start(e.to_string()))?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(
            listener,
            tls,
            service.api(),
            config.serve.clone(),
            async move {
                let _ = stopped.await;
            },
        ));
        tracing::info!(hub = %config.hub, %addr, "hub listening (HTTPS, client certificates required)");
        Ok(HubNode {
            addr,
            service,
            forwarder,
            server,
            stop,
        })
    }

    /// Where the hub listens.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The service (for its router and store).
    pub fn service(&self) -> &HubService {
        &self.service
    }

    /// Graceful shutdown: stop accepting, let requests in flight finish, stop the
    /// forwarder, commit what is queued, close the store.
    pub async fn shutdown(self) -> Result<(), HubConfigError> {
        self.service.begin_shutdown();
        let _ = self.stop.send(());
        let served = self
            .server
            .await
            .map_err(|e| HubConfigError::Start(e.to_string()))?;
        self.forwarder.stop().await;
        let service = self.service.clone();
        tokio::task::spawn_blocking(move || service.close())
            .await
            .map_err(|e| HubConfigError::Start(e.to_string()))?;
        served.map_err(|e| HubConfigError::Start(e.to_string()))
    }
}
