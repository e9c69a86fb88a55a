//! The client side of `send`, `fetch` and `ack`: a `HubClient` from the command line's flags,
//! and the mapping of its errors onto the exit codes.

use std::path::PathBuf;
use std::sync::Arc;

use edoc::{
    ClientError, Directory, HubClient, HubClientConfig, HubRegistry, Policy, SystemClock,
    TlsIdentity, TrustStore,
};

use crate::cli::ConnectArgs;
use crate::error::CliError;
use crate::io::read_file;

/// Everything a client command needs.
pub(crate) struct Connection {
    pub(crate) client: HubClient,
    pub(crate) trust: Arc<TrustStore>,
    pub(crate) policy: Policy,
    pub(crate) runtime: tokio::runtime::Runtime,
}

pub(crate) fn trust_store(args: &ConnectArgs) -> Result<TrustStore, CliError> {
    let mut trust = TrustStore::default();
    let bad =
        |p: &PathBuf, e: edoc::TrustStoreError| CliError::Config(format!("{}: {e}", p.display()));
    for p in &args.trust {
        trust
            .add_anchors_pem(&read_file(p, "cannot read trust anchors")?)
            .map_err(|e| bad(p, e))?;
    }
    for p in &args.intermediates {
        trust
            .add_intermediates_pem(&read_file(p, "cannot read intermediates")?)
            .map_err(|e| bad(p, e))?;
    }
    for p in &args.crl {
        trust
            .add_crls_pem(&read_file(p, "cannot read CRLs")?)
            .map_err(|e| bad(p, e))?;
    }
    Ok(trust)
}

pub(crate) fn directory(path: Option<&PathBuf>) -> Result<Directory, CliError> {
    match path {
        None => Ok(Directory::new()),
        Some(p) => Directory::from_json(&read_file(p, "cannot read the directory")?)
            .map_err(|e| CliError::Config(format!("{}: {e}", p.display()))),
    }
}

pub(crate) fn connect(args: &ConnectArgs) -> Result<Connection, CliError> {
    let trust = Arc::new(trust_store(args)?);
    let policy = match &args.policy {
        Some(p) => Policy::from_json(&read_file(p, "cannot read the policy")?)
            .map_err(|e| CliError::Config(format!("{}: {e}", p.display())))?,
        None => Policy::strict(),
    };
    let identity = TlsIdentity::from_files(&args.tls_cert, &args.tls_key)
        .map_err(|e| CliError::Config(e.to_string()))?;
    let agency = match args.agency.or_else(|| identity.agency()) {
        Some(a) => a,
        None => {
            return Err(CliError::Usage(format!(
                "{} names no agency (organizationIdentifier): give --agency CODE",
                args.tls_cert.display()
            )))
        }
    };
    let mut hubs = HubRegistry::new();
    for spec in &args.hub_seal {
        let (name, file) = spec
            .split_once('=')
            .ok_or_else(|| CliError::Usage(format!("--hub-seal {spec:?}: expected NAME=PEM")))?;
        let hub = name
            .parse()
            .map_err(|e| CliError::Usage(format!("--hub-seal {spec:?}: {e}")))?;
        let path = PathBuf::from(file);
        let certs = edoc::certificates_from_bytes(&read_file(&path, "cannot read a hub seal")?)
            .map_err(|e| CliError::Config(format!("{}: {e}", path.display())))?;
        let leaf = certs
            .first()
            .ok_or_else(|| CliError::Config(format!("{}: no certificate", path.display())))?;
        hubs.add(hub, Directory::certificate_fingerprint(leaf));
    }
    let mut config = HubClientConfig::new(
        args.hub.clone(),
        agency,
        identity,
        Arc::clone(&trust),
        hubs,
        Arc::new(SystemClock),
    );
    config.policy = policy.clone();
    let client = HubClient::new(config).map_err(|e| CliError::Config(e.to_string()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Config(format!("cannot start the runtime: {e}")))?;
    Ok(Connection {
        client,
        trust,
        policy,
        runtime,
    })
}

/// A client error as the command reports it.
pub(crate) fn failure(e: ClientError) -> CliError {
    match e {
        ClientError::Unavailable { .. } => CliError::Unavailable(format!(
            "{e} (nothing is lost: run the command again later)"
        )),
        ClientError::Tls(_) => CliError::Config(e.to_string()),
        other => CliError::Refused(other.to_string()),
    }
}
