//! Producing JAdES baseline B-B signatures.

use super::key::check_key;
use super::parse::OBJECT_ID_BY_URI_HASH;
use super::{b64, parse::sha256, Commitment, JadesError, JwsSignature};
use crate::signer::Signer;
use base64::Engine;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};

/// One detached object a signature covers: its URI (`pars`) and the SHA-256 of its RAW bytes.
///
/// With `b64: false` (RFC 7797), the JAdES `hashV` is the digest of the raw bytes, so a package
/// can reuse the attachment digests it already computed and hash each attachment once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetachedObject {
    /// The object's URI or name, as it goes into `pars`.
    pub uri: String,
    /// SHA-256 of the object's raw bytes.
    pub sha256: [u8; 32],
}

impl DetachedObject {
    /// Hashes `bytes` as the object named `uri`.
    ///
    /// ```
    /// let o = edoc::DetachedObject::from_bytes("a.txt", b"abc");
    /// assert_eq!(o.sha256[0], 0xba);
    /// ```
    pub fn from_bytes(uri: impl Into<String>, bytes: &[u8]) -> DetachedObject {
        DetachedObject {
            uri: uri.into(),
            sha256: sha256(bytes),
        }
    }
}

/// What a signer states besides the data: commitment and claimed signing time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignOptions {
    /// The commitment (`srCms`), e.g. approval for the competent person, origin for the seal.
    pub commitment: Option<Commitment>,
    /// The claimed signing time (`iat`, whole seconds); the library never reads the clock.
    pub signing_time: OffsetDateTime,
}

impl SignOptions {
    /// Options with a signing time and no commitment.
    pub fn new(signing_time: OffsetDateTime) -> SignOptions {
        SignOptions {
            commitment: None,
            signing_time,
        }
    }
    /// Sets the commitment.
    pub fn with_commitment(mut self, commitment: Commitment) -> SignOptions {
        self.commitment = Some(commitment);
        self
    }
}

/// The members every JAdES B-B header carries: alg, x5c, x5t#S256, iat, srCms.
fn base_header(signer: &dyn Signer, opts: &SignOptions) -> Result<Map<String, Value>, JadesError> {
    let chain = signer.certificate_chain();
    let leaf = chain
        .first()
        .ok_or_else(|| JadesError::Signer("the signer has no certificate".into()))?;
    // A token signer could claim an algorithm its certificate's key cannot verify; refuse
    // here rather than produce a signature every verifier rejects.
    let (_, cert) = X509Certificate::from_der(leaf.as_ref())
        .map_err(|e| JadesError::format("x5c", format!("signer certificate unreadable: {e}")))?;
    check_key(
        signer.algorithm(),
        cert.tbs_certificate.subject_pki.raw,
        &cert.subject().to_string(),
    )?;
    let mut h = Map::new();
    h.insert("alg".into(), json!(signer.algorithm().jws_name()));
    h.insert(
        "x5c".into(),
        Value::Array(
            chain
                .iter()
                .map(|c| json!(b64::STD.encode(c.as_ref())))
                .collect(),
        ),
    );
    h.insert(
        "x5t#S256".into(),
        json!(b64::encode_url(&sha256(leaf.as_ref()))),
    );
    h.insert("iat".into(), json!(opts.signing_time.unix_timestamp()));
    if let Some(c) = opts.commitment {
        h.insert("srCms".into(), json!([{ "commId": { "id": c.uri() } }]));
    }
    Ok(h)
}

fn sign_input(
    signer: &dyn Signer,
    header: &Map<String, Value>,
    payload: &[u8],
) -> Result<(String, String), JadesError> {
    let header_json = serde_json::to_vec(header).map_err(|e| JadesError::Signer(e.to_string()))?;
    let protected = b64::encode_url(&header_json);
    let mut input = Vec::with_capacity(protected.len() + 1 + payload.len());
    input.extend_from_slice(protected.as_bytes());
    input.push(b'.');
    input.extend_from_slice(payload);
    let mut sig = signer
        .sign(&input)
        .map_err(|e| JadesError::Signer(e.to_string()))?;
    // Whatever the signer (a remote service, say) returned: low-S only, so nobody else's
    // re-encoding of the same signature is ever the original.
    crate::signer::normalize_low_s(signer.algorithm(), &mut sig);
    Ok((protected, b64::encode_url(&sig)))
}

/// Signs `objects` as a JAdES baseline B-B signature with a detached payload.
///
/// The header carries `sigD` (`ObjectIdByURIHash`, one `pars`/`hashV` per object, `hashM` "S256"),
/// `b64: false`, and `crit` listing exactly `b64` and `sigD`, as DSS does. The signing input is
/// `BASE64URL(protected) || "."` (empty payload).
///
/// ```
/// use edoc::{sign_detached, verify_detached, Commitment, DetachedObject, ParsedSignature,
///            SignOptions, SoftwareSigner};
/// # let rng = ring::rand::SystemRandom::new();
/// # let pkcs8 = ring::signature::Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
/// # let kp = rcgen::KeyPair::try_from(pkcs8.as_ref()).unwrap();
/// # let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
/// # params.distinguished_name.push(rcgen::DnType::CommonName, "UBND xa A Luoi 1");
/// # let cert = params.self_signed(&kp).unwrap().der().clone();
/// let signer = SoftwareSigner::from_pkcs8_der(pkcs8.as_ref(), vec![cert], None)?;
/// let objects = [
///     DetachedObject::from_bytes("header.json", br#"{"subject":"report"}"#),
///     DetachedObject::from_bytes("report.pdf", b"%PDF-1.7 ..."),
/// ];
/// let when = time::macros::datetime!(2025-07-18 08:30 UTC); // never the library's own clock
/// let opts = SignOptions::new(when).with_commitment(Commitment::ProofOfOrigin);
/// let sig = sign_detached(&signer, &objects, &opts)?;
///
/// let parsed = ParsedSignature::parse(&sig)?;
/// verify_detached(&parsed, &objects)?; // no chain validation: that is the trust module's job
/// assert_eq!(parsed.commitment(), Some(Commitment::ProofOfOrigin));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign_detached(
    signer: &dyn Signer,
    objects: &[DetachedObject],
    opts: &SignOptions,
) -> Result<JwsSignature, JadesError> {
    if objects.is_empty() {
        return Err(JadesError::format(
            "sigD",
            "at least one object must be signed",
        ));
    }
    for (i, o) in objects.iter().enumerate() {
        if objects.iter().take(i).any(|p| p.uri == o.uri) {
            return Err(JadesError::format(
                "sigD",
                format!("\"{}\" listed twice", o.uri),
            ));
        }
    }
    let mut h = base_header(signer, opts)?;
    h.insert(
        "sigD".into(),
        json!({
            "mId": OBJECT_ID_BY_URI_HASH,
            "pars": objects.iter().map(|o| o.uri.as_str()).collect::<Vec<_>>(),
            "hashM": "S256",
            "hashV": objects.iter().map(|o| b64::encode_url(&o.sha256)).collect::<Vec<_>>(),
        }),
    );
    h.insert("b64".into(), json!(false));
    // DSS lists exactly its "required critical headers" (DSSJsonUtils: sigD and b64); srCms
    // and iat stay out of crit, so a plain JOSE verifier needs to understand only these two.
    h.insert("crit".into(), json!(["b64", "sigD"]));
    let (protected, signature) = sign_input(signer, &h, b"")?;
    Ok(JwsSignature {
        protected,
        signature,
    })
}

/// Signs `payload` as a JAdES B-B signature in JWS compact serialization with the payload
/// attached (base64url-encoded): `header.payload.signature`.
pub fn sign_attached_compact(
    signer: &dyn Signer,
    payload: &[u8],
    opts: &SignOptions,
) -> Result<String, JadesError> {
    let h = base_header(signer, opts)?;
    let payload_b64 = b64::encode_url(payload);
    let (protected, signature) = sign_input(signer, &h, payload_b64.as_bytes())?;
    Ok(format!("{protected}.{payload_b64}.{signature}"))
}
