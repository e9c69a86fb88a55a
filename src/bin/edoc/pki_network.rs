//! The network half of `edoc pki demo`: TLS certificates for each agency's system and each
//! hub, the hubs' seals, the routing table, and a hub.toml per hub, so that the README's
//! two-terminal session (a hub in one, `edoc send` and `edoc fetch` in the other) works on
//! the demo folder as written.

use std::path::Path;

use edoc::{AgencyRecord, Algorithm, Defect, Directory, RoutingTable, TestPki};

use crate::cli::PkiDemoArgs;
use crate::error::CliError;

/// The demo's hubs: the city's LGSP and the national hub (VDXP), both on loopback.
const HUBS: [(&str, &str); 2] = [
    ("hub.h57", "Hue LGSP hub (TEST)"),
    ("hub.national", "National VDXP hub (TEST)"),
];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes orgs/<code>/tls.{pem,key} for every agency, hubs/<hub>/{seal,tls}.{pem,key},
/// routing.json and <hub>.toml; returns the lines README.txt adds.
pub(crate) fn write(
    dir: &Path,
    pki: &TestPki,
    agencies: &[AgencyRecord],
    args: &PkiDemoArgs,
    warning: &str,
    write: &dyn Fn(&Path, &str, &str) -> Result<(), CliError>,
) -> Result<String, CliError> {
    let gen = |e: edoc::TestPkiError| CliError::Config(e.to_string());
    for agency in agencies {
        let folder = dir.join("orgs").join(agency.id().to_string());
        let tls = pki
            .tls_client(agency.name_vi(), &agency.id(), Defect::None)
            .map_err(gen)?;
        write(&folder, "tls.key", &format!("{warning}{}", tls.key_pem()))?;
        write(&folder, "tls.pem", &format!("{warning}{}", tls.chain_pem()))?;
    }
    let ports = [args.city_port, args.national_port];
    let mut hubs = Vec::new();
    for ((hub, name), port) in HUBS.iter().zip(ports) {
        let folder = dir.join("hubs").join(hub);
        let seal = pki
            .seal(
                name,
                &"000.00.00.G01"
                    .parse()
                    .map_err(|e| CliError::Config(format!("{e}")))?,
                Algorithm::Es256,
            )
            .map_err(gen)?;
        let tls = pki.tls_hub(hub, &["localhost", "127.0.0.1"]).map_err(gen)?;
        write(&folder, "seal.key", &format!("{warning}{}", seal.key_pem()))?;
        write(
            &folder,
            "seal.pem",
            &format!("{warning}{}", seal.chain_pem()),
        )?;
        write(&folder, "tls.key", &format!("{warning}{}", tls.key_pem()))?;
        write(&folder, "tls.pem", &format!("{warning}{}", tls.chain_pem()))?;
        let fp = |c: &edoc::TestIdentity| {
            c.chain
                .first()
                .map(|d| hex(&Directory::certificate_fingerprint(d)))
                .unwrap_or_default()
        };
        hubs.push((*hub, port, fp(&seal), fp(&tls)));
    }
    write(dir, "routing.json", &RoutingTable::sample().to_json())?;
    for (hub, port, _, _) in &hubs {
        let mut toml = format!(
            "# FOR TESTING ONLY: a hub of the edoc DEMO network (keys anyone may read).\n\
             # Run it with: edoc hub serve --config {hub}.toml\n\
             hub = \"{hub}\"\n\
             listen = \"127.0.0.1:{port}\"\n\
             data = \"data/{hub}\"\n\
             directory = \"directory.json\"\n\
             routing = \"routing.json\"\n\n\
             [tls]\ncertificate = \"hubs/{hub}/tls.pem\"\nkey = \"hubs/{hub}/tls.key\"\n\n\
             [seal]\ncertificate = \"hubs/{hub}/seal.pem\"\nkey = \"hubs/{hub}/seal.key\"\n\n\
             [trust]\nanchors = [\"trust.pem\"]\nintermediates = [\"intermediates.pem\"]\ncrls = [\"crl.pem\"]\n"
        );
        for (other, other_port, seal_fp, tls_fp) in hubs.iter().filter(|h| h.0 != *hub) {
            toml.push_str(&format!(
                "\n[[neighbours]]\nhub = \"{other}\"\nurl = \"https://127.0.0.1:{other_port}\"\n\
                 seal_sha256 = \"{seal_fp}\"\ntls_sha256 = \"{tls_fp}\"\n"
            ));
        }
        write(dir, &format!("{hub}.toml"), &toml)?;
    }
    Ok(format!(
        "
The network (two hubs on loopback):
  hub.h57.toml, hub.national.toml   one hub each: edoc hub serve --config DIR/hub.h57.toml
  routing.json                      *.H57 -> hub.h57, everything else -> hub.national
  hubs/<hub>/seal.*                 the hub's seal: signs receipts and trace entries
  hubs/<hub>/tls.*                  the hub's TLS certificate (serverAuth + clientAuth)
  orgs/<code>/tls.pem, tls.key      the agency system's TLS client certificate (clientAuth)

  hub.h57 listens on 127.0.0.1:{}, hub.national on 127.0.0.1:{}.
",
        args.city_port, args.national_port
    ))
}
