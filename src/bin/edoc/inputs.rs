//! The trust material named on the command line (`--trust`, `--intermediates`, `--crl`,
//! `--directory`, `--policy`, `--hubs`, `--at`), loaded once for `verify` and `inspect`.

use std::path::Path;

use edoc::{AgencyCertificates, Directory, HubRegistry, OrgId, Policy, TrustStore, Verifier};
use time::OffsetDateTime;

use crate::cli::TrustArgs;
use crate::error::CliError;
use crate::io;

/// Which optional inputs were given, so a failure caused by a missing one can say so. (A
/// missing hubs file is known from `Inputs::hubs`.)
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Given {
    pub(crate) intermediates: bool,
    pub(crate) crl: bool,
    pub(crate) directory: bool,
}

/// Everything a verification needs besides the file itself.
pub(crate) struct Inputs {
    pub(crate) store: TrustStore,
    pub(crate) policy: Policy,
    pub(crate) directory: Option<Directory>,
    pub(crate) hubs: Option<HubRegistry>,
    /// The validation time: `--at`, or now.
    pub(crate) now: OffsetDateTime,
    pub(crate) given: Given,
}

/// No directory: no certificate is listed for any agency.
struct NoDirectory;

impl AgencyCertificates for NoDirectory {
    fn may_sign_for(&self, _: &OrgId, _: &[u8; 32]) -> bool {
        false
    }
}

impl Inputs {
    pub(crate) fn load(args: &TrustArgs) -> Result<Inputs, CliError> {
        let policy = match &args.policy {
            Some(p) => Policy::from_json(&read_config(p, "cannot read the policy")?)
                .map_err(|e| CliError::Config(format!("{}: {e}", p.display())))?,
            None => Policy::strict(),
        };
        let directory = match &args.directory {
            Some(p) => Some(
                Directory::from_json(&read_config(p, "cannot read the directory")?)
                    .map_err(|e| CliError::Config(format!("{}: {e}", p.display())))?,
            ),
            None => None,
        };
        let hubs = match &args.hubs {
            Some(p) => Some(
                HubRegistry::from_json(&read_config(p, "cannot read the hubs file")?)
                    .map_err(|e| CliError::Config(format!("{}: {e}", p.display())))?,
            ),
            None => None,
        };
        Ok(Inputs {
            store: trust_store(args)?,
            policy,
            directory,
            hubs,
            now: args.at.unwrap_or_else(io::now),
            given: Given {
                intermediates: !args.intermediates.is_empty(),
                crl: !args.crl.is_empty(),
                directory: args.directory.is_some(),
            },
        })
    }

    /// A verifier over the store and policy, with the directory when one was given.
    pub(crate) fn verifier(&self) -> Verifier<'_> {
        let v = Verifier::new(&self.store, &self.policy);
        match &self.directory {
            Some(d) => v.with_directory(d),
            None => v,
        }
    }

    /// The directory's seal bindings, or none.
    pub(crate) fn agencies(&self) -> &dyn AgencyCertificates {
        match &self.directory {
            Some(d) => d,
            None => &NoDirectory,
        }
    }
}

/// A configuration file, read whole; an empty one is refused in words.
pub(crate) fn read_config(path: &Path, what: &'static str) -> Result<Vec<u8>, CliError> {
    let bytes = io::read_file(path, what)?;
    if bytes.trim_ascii().is_empty() {
        return Err(CliError::Config(format!(
            "{}: the file is empty",
            path.display()
        )));
    }
    Ok(bytes)
}

fn trust_store(args: &TrustArgs) -> Result<TrustStore, CliError> {
    let mut store = TrustStore::default();
    let config =
        |p: &Path, e: edoc::TrustStoreError| CliError::Config(format!("{}: {e}", p.display()));
    for p in &args.trust {
        let n = store
            .add_anchors_pem(&read_config(p, "cannot read trust anchors")?)
            .map_err(|e| config(p, e))?;
        if n == 0 {
            return Err(CliError::Config(format!(
                "{}: no CERTIFICATE in this trust anchor file",
                p.display()
            )));
        }
    }
    for p in &args.intermediates {
        store
            .add_intermediates_pem(&read_config(p, "cannot read intermediates")?)
            .map_err(|e| config(p, e))?;
    }
    for p in &args.crl {
        store
            .add_crls_pem(&read_config(p, "cannot read CRLs")?)
            .map_err(|e| config(p, e))?;
    }
    Ok(store)
}
