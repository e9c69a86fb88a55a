//! The PKCS#11 signer against a real SoftHSM2 token (no mocks).
//!
//! One fixture per process: a softhsm2.conf in a temporary folder (SOFTHSM2_CONF is process-wide,
//! so every test shares it through a `OnceLock`), two tokens, keys generated on the token as
//! non-extractable, and certificates issued for them by an rcgen test CA.
//!
//! Run with `cargo test --features pkcs11 --test pkcs11`. When SoftHSM2 is missing these tests
//! fail and say to run `.ci/install-softhsm.sh`.
#![cfg(feature = "pkcs11")]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use edoc::{
    Algorithm, CertificateSource, KeySelector, Pin, PinSource, Pkcs11Config, Pkcs11Error,
    Pkcs11Signer, SignError, Signer, TokenSelector,
};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PublicKeyData, SignatureAlgorithm,
};
use x509_parser::prelude::{FromDer, X509Certificate};

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const TOKEN: &str = "edoc-test";
/// A second token used only by the wrong-PIN test: PKCS#11 login state is per application and
/// token, so a token that other tests keep logged in would answer CKR_USER_ALREADY_LOGGED_IN.
const PIN_TOKEN: &str = "edoc-pin-test";
const SO_PIN: &str = "so-pin-4321";
const USER_PIN: &str = "user-pin-9876";
const PIN_ENV: &str = "EDOC_TEST_PKCS11_PIN";

const RSA_LABEL: &str = "person-rsa";
const RSA_ID: &[u8] = &[0x01];
const EC_LABEL: &str = "seal-ec";
const EC_ID: &[u8] = &[0x02];
const OTHER_RSA_LABEL: &str = "other-rsa";
const OTHER_RSA_ID: &[u8] = &[0x03];

const ED25519_LABEL: &str = "ed25519";
const P384_LABEL: &str = "seal-p384";
const P384_ID: &[u8] = &[0x04];

/// DER of the P-256 curve OID (1.2.840.10045.3.1.7), for CKA_EC_PARAMS.
const P256_PARAMS: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// DER of the P-384 curve OID (1.3.132.0.34).
const P384_PARAMS: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];

struct Fixture {
    _dir: tempfile::TempDir,
    /// Held for the whole process: dropping the last handle unloads SoftHSM2, and reloading it
    /// in the same process crashes (it tears down OpenSSL on unload).
    ctx: Pkcs11,
    /// The slot of the main token. Looked up once: C_GetTokenInfo can fail with
    /// CKR_GENERAL_ERROR while another thread's login rewrites a token file.
    slot: cryptoki::slot::Slot,
    /// A copy of SoftHSM2's token folder for the child process of the mechanism test: two
    /// processes on one SoftHSM2 file store race (a login rewrites the token file).
    tokens_copy: PathBuf,
    /// The EC leaf certificate then the CA certificate, PEM.
    ec_chain_file: PathBuf,
    /// The P-384 leaf certificate, PEM.
    p384_cert_file: PathBuf,
    /// The RSA leaf certificate, DER (also stored on the token).
    rsa_cert_file: PathBuf,
    ca_der: Vec<u8>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(build_fixture)
}

fn build_fixture() -> Fixture {
    assert!(
        Path::new(MODULE).is_file(),
        "SoftHSM2 is not installed ({MODULE} is missing): run .ci/install-softhsm.sh"
    );
    let dir = tempfile::tempdir().expect("temporary folder");
    let tokens = dir.path().join("tokens");
    std::fs::create_dir(&tokens).expect("token folder");
    let conf = dir.path().join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .expect("softhsm2.conf");
    // Set before the first C_Initialize in this process: SoftHSM2 reads it there. Every test
    // goes through this OnceLock first, so no thread reads the environment concurrently.
    std::env::set_var("SOFTHSM2_CONF", &conf);
    std::env::set_var(PIN_ENV, USER_PIN);
    tracing::subscriber::set_global_default(CaptureLog(&LOG)).expect("one global subscriber");

    let ctx = Pkcs11::new(MODULE).expect("load SoftHSM2");
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => panic!("C_Initialize: {e}"),
    }
    init_token(&ctx, TOKEN);
    init_token(&ctx, PIN_TOKEN);

    let slot = slot_of(&ctx, TOKEN);
    let session = ctx.open_rw_session(slot).expect("rw session");
    session
        .login(UserType::User, Some(&AuthPin::from(USER_PIN)))
        .expect("user login");

    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::default();
    ca_params.distinguished_name = name("edoc test CA (illustrative)");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let ca_der = ca_cert.der().to_vec();
    let issuer = Issuer::new(ca_params, ca_key);

    let rsa_public = generate_rsa(&session, RSA_LABEL, RSA_ID);
    let ec_public = generate_ec(
        &session,
        EC_LABEL,
        EC_ID,
        P256_PARAMS,
        &rcgen::PKCS_ECDSA_P256_SHA256,
    );
    let p384_public = generate_ec(
        &session,
        P384_LABEL,
        P384_ID,
        P384_PARAMS,
        &rcgen::PKCS_ECDSA_P384_SHA384,
    );
    generate_rsa(&session, OTHER_RSA_LABEL, OTHER_RSA_ID);
    // An Ed25519 key (RFC 8410 OID 1.3.101.112): a key type the signer does not use.
    session
        .generate_key_pair(
            &Mechanism::EccEdwardsKeyPairGen,
            &[
                Attribute::Token(true),
                Attribute::Verify(true),
                Attribute::EcParams(vec![0x06, 0x03, 0x2b, 0x65, 0x70]),
                Attribute::Label(ED25519_LABEL.as_bytes().to_vec()),
            ],
            &private_template(ED25519_LABEL, &[0x05]),
        )
        .expect("Ed25519 key pair on the token");

    let rsa_cert = leaf_params("Nguyen Van A (illustrative)")
        .signed_by(&rsa_public, &issuer)
        .expect("RSA leaf");
    let p384_cert = leaf_params("Department seal P-384 (illustrative)")
        .signed_by(&p384_public, &issuer)
        .expect("P-384 leaf");
    let ec_cert = leaf_params("Agency seal 000.00.05.H57 (illustrative)")
        .signed_by(&ec_public, &issuer)
        .expect("EC leaf");

    // The RSA certificate lives on the token, next to its key. SoftHSM2 requires CKA_SUBJECT
    // for an X.509 certificate object (PKCS#11 v2.40 §4.6.3).
    let (_, parsed) = X509Certificate::from_der(rsa_cert.der()).expect("RSA leaf parses");
    let subject_der = parsed.subject().as_raw().to_vec();
    session
        .create_object(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Label(RSA_LABEL.as_bytes().to_vec()),
            Attribute::Id(RSA_ID.to_vec()),
            Attribute::Subject(subject_der),
            Attribute::Value(rsa_cert.der().to_vec()),
        ])
        .expect("store RSA certificate on the token");

    let rsa_cert_file = dir.path().join("person-rsa.der");
    std::fs::write(&rsa_cert_file, rsa_cert.der()).expect("write RSA certificate");
    let p384_cert_file = dir.path().join("seal-p384.pem");
    std::fs::write(&p384_cert_file, p384_cert.pem()).expect("write P-384 certificate");
    let ec_chain_file = dir.path().join("seal-ec-chain.pem");
    std::fs::write(
        &ec_chain_file,
        format!("{}{}", ec_cert.pem(), ca_cert.pem()),
    )
    .expect("write EC chain");

    drop(session);
    let tokens_copy = dir.path().join("tokens-copy");
    copy_dir(&tokens, &tokens_copy);
    Fixture {
        _dir: dir,
        ctx,
        slot,
        tokens_copy,
        ec_chain_file,
        p384_cert_file,
        rsa_cert_file,
        ca_der,
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create copy");
    for entry in std::fs::read_dir(from).expect("read token folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy token file");
        }
    }
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn
}

fn leaf_params(common_name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = name(common_name);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    params
}

fn init_token(ctx: &Pkcs11, label: &str) {
    let slot = ctx
        .get_slots_with_token()
        .expect("slot list")
        .into_iter()
        .find(|s| {
            !ctx.get_token_info(*s)
                .expect("token info")
                .token_initialized()
        })
        .expect("SoftHSM2 always offers one free slot");
    ctx.init_token(slot, &AuthPin::from(SO_PIN), label)
        .expect("C_InitToken");
    // SoftHSM2 moves the new token to a fresh slot id: look it up by label.
    let slot = slot_of(ctx, label);
    let session = ctx.open_rw_session(slot).expect("rw session");
    session
        .login(UserType::So, Some(&AuthPin::from(SO_PIN)))
        .expect("SO login");
    session
        .init_pin(&AuthPin::from(USER_PIN))
        .expect("C_InitPIN");
    session.logout().expect("SO logout");
}

fn slot_of(ctx: &Pkcs11, label: &str) -> cryptoki::slot::Slot {
    ctx.get_slots_with_token()
        .expect("slot list")
        .into_iter()
        .find(|s| {
            ctx.get_token_info(*s)
                .expect("token info")
                .label()
                .trim_end()
                == label
        })
        .expect("token by label")
}

fn private_template(label: &str, id: &[u8]) -> Vec<Attribute> {
    vec![
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Sign(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Label(label.as_bytes().to_vec()),
        Attribute::Id(id.to_vec()),
    ]
}

/// A public key read from the token, in the form rcgen writes into a certificate.
struct TokenKey {
    /// RSAPublicKey DER for RSA, the uncompressed SEC1 point for EC.
    der: Vec<u8>,
    alg: &'static SignatureAlgorithm,
}

impl PublicKeyData for TokenKey {
    fn der_bytes(&self) -> &[u8] {
        &self.der
    }
    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.alg
    }
}

fn generate_rsa(session: &Session, label: &str, id: &[u8]) -> TokenKey {
    let public_template = [
        Attribute::Token(true),
        Attribute::Verify(true),
        Attribute::ModulusBits(2048u64.into()),
        Attribute::PublicExponent(vec![0x01, 0x00, 0x01]),
        Attribute::Label(label.as_bytes().to_vec()),
        Attribute::Id(id.to_vec()),
    ];
    let (public, _) = session
        .generate_key_pair(
            &Mechanism::RsaPkcsKeyPairGen,
            &public_template,
            &private_template(label, id),
        )
        .expect("RSA key pair on the token");
    let attrs = session
        .get_attributes(
            public,
            &[AttributeType::Modulus, AttributeType::PublicExponent],
        )
        .expect("RSA public key");
    let (mut n, mut e) = (Vec::new(), Vec::new());
    for a in attrs {
        match a {
            Attribute::Modulus(m) => n = m,
            Attribute::PublicExponent(x) => e = x,
            _ => {}
        }
    }
    TokenKey {
        der: der_sequence(&[der_uint(&n), der_uint(&e)].concat()),
        alg: &rcgen::PKCS_RSA_SHA256,
    }
}

fn generate_ec(
    session: &Session,
    label: &str,
    id: &[u8],
    curve: &[u8],
    alg: &'static SignatureAlgorithm,
) -> TokenKey {
    let public_template = [
        Attribute::Token(true),
        Attribute::Verify(true),
        Attribute::EcParams(curve.to_vec()),
        Attribute::Label(label.as_bytes().to_vec()),
        Attribute::Id(id.to_vec()),
    ];
    let (public, _) = session
        .generate_key_pair(
            &Mechanism::EccKeyPairGen,
            &public_template,
            &private_template(label, id),
        )
        .expect("EC key pair on the token");
    let attrs = session
        .get_attributes(public, &[AttributeType::EcPoint])
        .expect("EC point");
    let Some(Attribute::EcPoint(wrapped)) = attrs.into_iter().next() else {
        panic!("no CKA_EC_POINT");
    };
    // SoftHSM2 wraps the point (65 bytes for P-256, 97 for P-384) in a DER OCTET STRING.
    assert_eq!(wrapped[0], 0x04, "CKA_EC_POINT is an OCTET STRING");
    assert_eq!(
        usize::from(wrapped[1]),
        wrapped.len() - 2,
        "short-form length"
    );
    TokenKey {
        der: wrapped[2..].to_vec(),
        alg,
    }
}

fn der_len(len: usize) -> Vec<u8> {
    match len {
        0..=0x7f => vec![len as u8],
        0x80..=0xff => vec![0x81, len as u8],
        _ => vec![0x82, (len >> 8) as u8, len as u8],
    }
}

fn der_uint(bytes: &[u8]) -> Vec<u8> {
    let start = bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(bytes.len() - 1);
    let mut body = bytes[start..].to_vec();
    if body[0] & 0x80 != 0 {
        body.insert(0, 0);
    }
    [vec![0x02], der_len(body.len()), body].concat()
}

fn der_sequence(body: &[u8]) -> Vec<u8> {
    [vec![0x30], der_len(body.len()), body.to_vec()].concat()
}

fn config(
    key: KeySelector,
    certificates: CertificateSource,
    alg: Option<Algorithm>,
) -> Pkcs11Config {
    // SOFTHSM2_CONF must be set before anything initializes the module in this process.
    fixture();
    config_without_fixture(key, certificates, alg)
}

/// For the child process, which has its own SOFTHSM2_CONF and must not build a fixture.
fn config_without_fixture(
    key: KeySelector,
    certificates: CertificateSource,
    alg: Option<Algorithm>,
) -> Pkcs11Config {
    Pkcs11Config {
        module: PathBuf::from(MODULE),
        token: TokenSelector::Label(TOKEN.to_owned()),
        pin: PinSource::Env(PIN_ENV.to_owned()),
        key,
        certificates,
        algorithm: alg,
    }
}

fn rsa_config(alg: Algorithm) -> Pkcs11Config {
    config(
        KeySelector::Label(RSA_LABEL.to_owned()),
        CertificateSource::Token,
        Some(alg),
    )
}

fn ec_config(alg: Option<Algorithm>) -> Pkcs11Config {
    config(
        KeySelector::Id(EC_ID.to_vec()),
        CertificateSource::Files(vec![fixture().ec_chain_file.clone()]),
        alg,
    )
}

/// Verifies a JWS-form signature the way the JWS verifier will: ring over the leaf's SPKI key.
fn ring_verifies(signer: &dyn Signer, message: &[u8], signature: &[u8]) -> bool {
    let leaf = signer.certificate_chain().first().expect("leaf");
    let (_, cert) = X509Certificate::from_der(leaf).expect("leaf parses");
    let key = cert.public_key().subject_public_key.data.to_vec();
    let alg: &dyn ring::signature::VerificationAlgorithm = match signer.algorithm() {
        Algorithm::Rs256 => &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::Ps256 => &ring::signature::RSA_PSS_2048_8192_SHA256,
        Algorithm::Es256 => &ring::signature::ECDSA_P256_SHA256_FIXED,
        Algorithm::Es384 => &ring::signature::ECDSA_P384_SHA384_FIXED,
        other => panic!("no verifier for {other} in this test"),
    };
    ring::signature::UnparsedPublicKey::new(alg, key)
        .verify(message, signature)
        .is_ok()
}

const SIGNING_INPUT: &[u8] = b"eyJhbGciOiJQUzI1NiJ9.";

/// Signs through the `Signer` trait; the signature verifies, and not over another message.
fn sign_and_verify(signer: &Pkcs11Signer) -> Vec<u8> {
    let signature = Signer::sign(signer, SIGNING_INPUT).expect("token signs");
    assert!(
        ring_verifies(signer, SIGNING_INPUT, &signature),
        "signature does not verify"
    );
    assert!(
        !ring_verifies(signer, b"eyJhbGciOiJQUzI1NiJ9.x", &signature),
        "signature verifies over another message"
    );
    signature
}

fn open_err(config: Pkcs11Config) -> Pkcs11Error {
    match Pkcs11Signer::open(config) {
        Ok(_) => panic!("open should have failed"),
        Err(e) => e,
    }
}

#[test]
fn rs256_on_token_verifies_with_ring_and_chain_comes_from_token() {
    fixture();
    let signer = Pkcs11Signer::open(rsa_config(Algorithm::Rs256)).expect("open");
    assert_eq!(signer.algorithm(), Algorithm::Rs256);
    assert_eq!(signer.certificate_chain().len(), 1);
    assert_eq!(
        signer.certificate_chain()[0].as_ref(),
        std::fs::read(&fixture().rsa_cert_file).unwrap().as_slice()
    );
    sign_and_verify(&signer);
}

#[test]
fn ps256_on_token_verifies_with_ring() {
    fixture();
    let signer = Pkcs11Signer::open(rsa_config(Algorithm::Ps256)).expect("open");
    assert_eq!(signer.algorithm(), Algorithm::Ps256);
    sign_and_verify(&signer);
}

#[test]
fn es256_by_key_id_with_chain_from_pem_file_verifies_with_ring() {
    let signer = Pkcs11Signer::open(ec_config(None)).expect("open");
    assert_eq!(
        signer.algorithm(),
        Algorithm::Es256,
        "P-256 key defaults to ES256"
    );
    let chain = signer.certificate_chain();
    assert_eq!(chain.len(), 2);
    assert_eq!(chain[1].as_ref(), fixture().ca_der.as_slice());
    let signature = sign_and_verify(&signer);
    assert_eq!(signature.len(), 64, "ES256 is r||s");
}

#[test]
fn pin_from_callback_opens_the_token() {
    fixture();
    let mut cfg = rsa_config(Algorithm::Rs256);
    cfg.pin = PinSource::Callback(Box::new(|| Some(Pin::new(USER_PIN.to_owned()))));
    let signer = Pkcs11Signer::open(cfg).expect("open");
    sign_and_verify(&signer);
}

#[test]
fn one_signer_is_shared_between_threads() {
    fixture();
    let signer = std::sync::Arc::new(Pkcs11Signer::open(ec_config(None)).expect("open"));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let signer = signer.clone();
            std::thread::spawn(move || {
                sign_and_verify(&signer);
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread signed and verified");
    }
}

#[test]
fn private_keys_are_sensitive_and_not_extractable() {
    let ctx = &fixture().ctx;
    // SoftHSM2 rewrites the token file on a first C_Login, and a concurrent read from another
    // thread then fails (CKR_GENERAL_ERROR). `Pkcs11Signer::open` serializes its logins; with a
    // signer alive the token stays logged in, so the login below does not write.
    let _logged_in = Pkcs11Signer::open(rsa_config(Algorithm::Rs256)).expect("open");
    let session = ctx.open_ro_session(fixture().slot).expect("session");
    match session.login(UserType::User, Some(&AuthPin::from(USER_PIN))) {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
        Err(e) => panic!("login: {e}"),
    }
    for label in [RSA_LABEL, EC_LABEL] {
        let keys: Vec<ObjectHandle> = session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Label(label.as_bytes().to_vec()),
            ])
            .expect("find");
        assert_eq!(keys.len(), 1, "{label}");
        let flags = session
            .get_attributes(
                keys[0],
                &[
                    AttributeType::Extractable,
                    AttributeType::Sensitive,
                    AttributeType::NeverExtractable,
                ],
            )
            .expect("flags");
        assert!(
            flags.contains(&Attribute::Extractable(false)),
            "{label}: {flags:?}"
        );
        assert!(
            flags.contains(&Attribute::Sensitive(true)),
            "{label}: {flags:?}"
        );
        assert!(
            flags.contains(&Attribute::NeverExtractable(true)),
            "{label}: {flags:?}"
        );
        // The secret value cannot be read out: the token answers CKR_ATTRIBUTE_SENSITIVE,
        // which cryptoki reports either as the error or by leaving the attribute out.
        let secret = match label {
            RSA_LABEL => AttributeType::PrivateExponent,
            _ => AttributeType::Value,
        };
        match session.get_attributes(keys[0], &[secret]) {
            Err(CkError::Pkcs11(RvError::AttributeSensitive, _)) => {}
            Ok(attrs) => assert!(attrs.is_empty(), "{label}: secret readable: {attrs:?}"),
            Err(e) => panic!("{label}: unexpected error {e}"),
        }
    }
}

#[test]
fn missing_module_is_module_not_found() {
    let mut cfg = rsa_config(Algorithm::Rs256);
    cfg.module = PathBuf::from("/nonexistent/libpkcs11-vendor.so");
    match open_err(cfg) {
        Pkcs11Error::ModuleNotFound { path, .. } => {
            assert_eq!(path, PathBuf::from("/nonexistent/libpkcs11-vendor.so"))
        }
        other => panic!("expected ModuleNotFound, got {other:?}"),
    }
}

#[test]
fn unknown_token_label_is_token_not_found_listing_present_tokens() {
    fixture();
    let mut cfg = rsa_config(Algorithm::Rs256);
    cfg.token = TokenSelector::Label("no-such-token".to_owned());
    let err = open_err(cfg);
    match &err {
        Pkcs11Error::TokenNotFound { wanted, available } => {
            assert!(wanted.contains("no-such-token"));
            assert!(available.iter().any(|l| l.contains(TOKEN)), "{available:?}");
        }
        other => panic!("expected TokenNotFound, got {other:?}"),
    }
    assert!(err.to_string().contains(TOKEN), "{err}");
}

#[test]
fn unknown_slot_is_token_not_found() {
    fixture();
    let mut cfg = rsa_config(Algorithm::Rs256);
    cfg.token = TokenSelector::Slot(u64::from(u32::MAX) - 7);
    assert!(matches!(open_err(cfg), Pkcs11Error::TokenNotFound { .. }));
}

#[test]
fn token_selected_by_slot_id_signs() {
    let slot = fixture().slot;
    let mut cfg = rsa_config(Algorithm::Rs256);
    cfg.token = TokenSelector::Slot(slot.id());
    let signer = Pkcs11Signer::open(cfg).expect("open by slot");
    assert_eq!(signer.token_label(), TOKEN);
    sign_and_verify(&signer);
}

#[test]
fn wrong_pin_is_wrong_pin_and_never_shows_the_pin() {
    fixture();
    const WRONG: &str = "wrong-pin-31337";
    let cfg = Pkcs11Config {
        module: PathBuf::from(MODULE),
        token: TokenSelector::Label(PIN_TOKEN.to_owned()),
        pin: PinSource::Callback(Box::new(|| Some(Pin::new(WRONG.to_owned())))),
        key: KeySelector::Label(RSA_LABEL.to_owned()),
        certificates: CertificateSource::Token,
        algorithm: None,
    };
    let err = open_err(cfg);
    assert!(
        matches!(&err, Pkcs11Error::WrongPin { token } if token == PIN_TOKEN),
        "expected WrongPin, got {err:?}"
    );
    let shown = format!("{err} {err:?} {}", SignError::Device(err.to_string()));
    assert!(!shown.contains(WRONG), "PIN leaked: {shown}");
    assert!(!shown.contains(USER_PIN), "PIN leaked: {shown}");
}

#[test]
fn unset_pin_variable_is_pin_missing() {
    fixture();
    let mut cfg = rsa_config(Algorithm::Rs256);
    cfg.pin = PinSource::Env("EDOC_TEST_PKCS11_PIN_NEVER_SET".to_owned());
    match open_err(cfg) {
        Pkcs11Error::PinMissing { variable } => {
            assert_eq!(variable, "EDOC_TEST_PKCS11_PIN_NEVER_SET")
        }
        other => panic!("expected PinMissing, got {other:?}"),
    }
}

#[test]
fn cancelled_pin_callback_is_pin_cancelled() {
    fixture();
    let mut cfg = rsa_config(Algorithm::Rs256);
    cfg.pin = PinSource::Callback(Box::new(|| None));
    assert!(matches!(open_err(cfg), Pkcs11Error::PinCancelled { .. }));
}

#[test]
fn unknown_key_label_and_id_are_key_not_found() {
    fixture();
    for key in [
        KeySelector::Label("no-such-key".to_owned()),
        KeySelector::Id(vec![0x7f, 0x7f]),
    ] {
        let cfg = config(key, CertificateSource::Token, None);
        match open_err(cfg) {
            Pkcs11Error::KeyNotFound { token, .. } => assert_eq!(token, TOKEN),
            other => panic!("expected KeyNotFound, got {other:?}"),
        }
    }
}

#[test]
fn es384_on_a_p256_key_is_an_algorithm_mismatch() {
    let err = open_err(ec_config(Some(Algorithm::Es384)));
    match &err {
        Pkcs11Error::AlgorithmMismatch {
            algorithm,
            key_type,
            ..
        } => {
            assert_eq!(*algorithm, Algorithm::Es384);
            assert_eq!(key_type, "EC P-256");
        }
        other => panic!("expected AlgorithmMismatch, got {other:?}"),
    }
}

#[test]
fn certificate_of_another_key_is_certificate_mismatch_naming_the_subject() {
    fixture();
    let cfg = config(
        KeySelector::Label(OTHER_RSA_LABEL.to_owned()),
        CertificateSource::Files(vec![fixture().rsa_cert_file.clone()]),
        Some(Algorithm::Rs256),
    );
    let err = open_err(cfg);
    assert!(
        matches!(&err, Pkcs11Error::CertificateMismatch { subject, .. } if subject.contains("Nguyen Van A")),
        "expected CertificateMismatch, got {err:?}"
    );
    assert!(err.to_string().contains("Nguyen Van A"), "{err}");
}

#[test]
fn key_without_certificate_on_token_is_certificate_not_found() {
    fixture();
    let cfg = config(
        KeySelector::Label(OTHER_RSA_LABEL.to_owned()),
        CertificateSource::Token,
        Some(Algorithm::Rs256),
    );
    assert!(matches!(
        open_err(cfg),
        Pkcs11Error::CertificateNotFound { .. }
    ));
}

/// Set in the child process that the mechanism test starts, with the config to use.
const CHILD_CONF_ENV: &str = "EDOC_TEST_PKCS11_CHILD_CONF";

/// SOFTHSM2_CONF is read once per process, so the token with a reduced mechanism list is opened
/// by a child run of this same test binary, over a copy of the token folder, where SoftHSM2's
/// `slots.mechanisms` lists every signing mechanism but CKM_SHA256_RSA_PKCS_PSS. (SoftHSM 2.6.1
/// ignored the documented `-CKM_...` exclusion form here, so the list is positive.)
#[test]
fn mechanism_missing_from_the_token_list_is_mechanism_unsupported() {
    if let Ok(conf) = std::env::var(CHILD_CONF_ENV) {
        std::env::set_var("SOFTHSM2_CONF", conf);
        let pin = || PinSource::Callback(Box::new(|| Some(Pin::new(USER_PIN.to_owned()))));
        let rsa = |alg| {
            let mut cfg = config_without_fixture(
                KeySelector::Label(RSA_LABEL.to_owned()),
                CertificateSource::Token,
                Some(alg),
            );
            cfg.pin = pin();
            cfg
        };
        let cfg = rsa(Algorithm::Ps256);
        match open_err(cfg) {
            Pkcs11Error::MechanismUnsupported {
                mechanism,
                algorithm,
                token,
            } => {
                assert_eq!(mechanism, "CKM_SHA256_RSA_PKCS_PSS");
                assert_eq!(algorithm, Algorithm::Ps256);
                assert_eq!(token, TOKEN);
            }
            other => panic!("expected MechanismUnsupported, got {other:?}"),
        }
        // Only PSS was hidden: RS256 on the same key still signs.
        let cfg = rsa(Algorithm::Rs256);
        sign_and_verify(&Pkcs11Signer::open(cfg).expect("RS256 still available"));
        return;
    }
    let f = fixture();
    let conf = f._dir.path().join("softhsm2-no-pss.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n\
             slots.mechanisms = CKM_SHA256_RSA_PKCS,CKM_ECDSA,CKM_RSA_PKCS\n",
            f.tokens_copy.display()
        ),
    )
    .expect("reduced config");
    let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "mechanism_missing_from_the_token_list_is_mechanism_unsupported",
            "--test-threads=1",
        ])
        .env(CHILD_CONF_ENV, &conf)
        .output()
        .expect("child test run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Collects every tracing event and span field as text, to check what the signer logs.
struct CaptureLog(&'static std::sync::Mutex<String>);

/// Everything every test of this process logged, collected by a global subscriber: a
/// thread-scoped one (`with_default`) misses events when other threads hit the callsites first.
static LOG: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

struct FieldsToText<'a>(&'a mut String);

impl tracing::field::Visit for FieldsToText<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write;
        let _ = write!(self.0, "{}={value:?} ", field.name());
    }
}

impl tracing::Subscriber for CaptureLog {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        span.record(&mut FieldsToText(&mut self.0.lock().unwrap()));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut FieldsToText(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut log = self.0.lock().unwrap();
        event.record(&mut FieldsToText(&mut log));
        log.push('\n');
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn debug_log_names_module_token_key_and_mechanism_but_never_the_pin() {
    // The log checked is the whole process's so far, including this test's own calls below.
    fixture();
    {
        let mut cfg = rsa_config(Algorithm::Ps256);
        cfg.pin = PinSource::Callback(Box::new(|| Some(Pin::new(USER_PIN.to_owned()))));
        let signer = Pkcs11Signer::open(cfg).expect("open");
        Signer::sign(&signer, SIGNING_INPUT).expect("sign");
        let cfg = Pkcs11Config {
            module: PathBuf::from(MODULE),
            token: TokenSelector::Label(PIN_TOKEN.to_owned()),
            pin: PinSource::Callback(Box::new(|| Some(Pin::new("wrong-pin-4242".to_owned())))),
            key: KeySelector::Label(RSA_LABEL.to_owned()),
            certificates: CertificateSource::Token,
            algorithm: None,
        };
        assert!(matches!(open_err(cfg), Pkcs11Error::WrongPin { .. }));
    }
    let log = LOG.lock().unwrap().clone();
    for expected in [MODULE, TOKEN, RSA_LABEL, "CKM_SHA256_RSA_PKCS_PSS", "PS256"] {
        assert!(log.contains(expected), "log lacks {expected}:\n{log}");
    }
    assert!(!log.contains(USER_PIN), "PIN in log:\n{log}");
    assert!(!log.contains("wrong-pin-4242"), "PIN in log:\n{log}");
}

#[test]
fn es384_on_a_p384_key_verifies_with_ring() {
    let cfg = config(
        KeySelector::Label(P384_LABEL.to_owned()),
        CertificateSource::Files(vec![fixture().p384_cert_file.clone()]),
        None,
    );
    let signer = Pkcs11Signer::open(cfg).expect("open");
    assert_eq!(
        signer.algorithm(),
        Algorithm::Es384,
        "P-384 key defaults to ES384"
    );
    let signature = sign_and_verify(&signer);
    assert_eq!(signature.len(), 96, "ES384 is r||s");
}

#[test]
fn unreadable_or_unparsable_certificate_files_are_certificate_unreadable() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let garbage = dir.path().join("garbage.der");
    std::fs::write(&garbage, b"\x30\x03not a certificate").expect("write");
    for file in [dir.path().join("missing.pem"), garbage] {
        let cfg = config(
            KeySelector::Label(RSA_LABEL.to_owned()),
            CertificateSource::Files(vec![file.clone()]),
            Some(Algorithm::Rs256),
        );
        match open_err(cfg) {
            Pkcs11Error::CertificateUnreadable { .. } => {}
            other => panic!(
                "{}: expected CertificateUnreadable, got {other:?}",
                file.display()
            ),
        }
    }
}

#[test]
fn ed25519_key_is_an_unsupported_key_type_and_eddsa_a_mismatch() {
    let key = || KeySelector::Label(ED25519_LABEL.to_owned());
    match open_err(config(key(), CertificateSource::Token, None)) {
        Pkcs11Error::UnsupportedKeyType { key, token, .. } => {
            assert!(key.contains(ED25519_LABEL));
            assert_eq!(token, TOKEN);
        }
        other => panic!("expected UnsupportedKeyType, got {other:?}"),
    }
    match open_err(config(
        key(),
        CertificateSource::Token,
        Some(Algorithm::EdDsa),
    )) {
        Pkcs11Error::AlgorithmMismatch { algorithm, .. } => assert_eq!(algorithm, Algorithm::EdDsa),
        other => panic!("expected AlgorithmMismatch, got {other:?}"),
    }
}

/// The two signatures of an official document made on tokens: the competent person's (RSA, PS256,
/// proof of approval, certificate from the token) then the agency seal's (P-256, ES256, proof of
/// origin, chain from a file), each a JAdES detached signature over the same objects.
#[test]
fn person_and_seal_sign_jades_detached_on_tokens_and_both_verify() {
    use edoc::{
        sign_detached, verify_detached, Commitment, DetachedObject, JadesError, ParsedSignature,
        SignOptions,
    };
    let header = br#"{"subject":"Plan to complete 100% of houses (illustrative)"}"#;
    let attachment = b"%PDF-1.7 illustrative plan";
    let objects = [
        DetachedObject::from_bytes("header.json", header),
        DetachedObject::from_bytes("plan.pdf", attachment),
    ];
    // 1 July 2025, 09:00 Indochina time: a fixed signing time, the library never reads the clock.
    let at = time::macros::datetime!(2025-07-01 02:00 UTC);

    let person = Pkcs11Signer::open(rsa_config(Algorithm::Ps256)).expect("person's token");
    let seal = Pkcs11Signer::open(ec_config(None)).expect("seal token");
    let person_sig = sign_detached(
        &person,
        &objects,
        &SignOptions::new(at).with_commitment(Commitment::ProofOfApproval),
    )
    .expect("person signs on the token");
    let seal_sig = sign_detached(
        &seal,
        &objects,
        &SignOptions::new(at).with_commitment(Commitment::ProofOfOrigin),
    )
    .expect("seal signs on the token");

    for (sig, alg, commitment, chain_len) in [
        (
            &person_sig,
            Algorithm::Ps256,
            Commitment::ProofOfApproval,
            1,
        ),
        (&seal_sig, Algorithm::Es256, Commitment::ProofOfOrigin, 2),
    ] {
        let parsed = ParsedSignature::parse(sig).expect("parses as JAdES B-B");
        assert_eq!(parsed.algorithm(), alg);
        assert_eq!(parsed.commitment(), Some(commitment));
        assert_eq!(parsed.chain().len(), chain_len);
        verify_detached(&parsed, &objects).expect("verifies");

        let tampered = [
            DetachedObject::from_bytes("header.json", header),
            DetachedObject::from_bytes("plan.pdf", b"%PDF-1.7 another plan"),
        ];
        match verify_detached(&parsed, &tampered) {
            Err(JadesError::HashMismatch { .. }) => {}
            other => panic!("tampered attachment: expected HashMismatch, got {other:?}"),
        }
    }
}

/// The leaf certificate's DER SubjectPublicKeyInfo, read from a PEM or DER file.
fn spki_of_first_certificate(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).expect("certificate file");
    let der = edoc::certificates_from_bytes(&bytes)
        .expect("certificates")
        .remove(0);
    let (_, cert) = X509Certificate::from_der(der.as_ref()).expect("certificate");
    cert.tbs_certificate.subject_pki.raw.to_vec()
}

fn write_chain_pem(path: &Path, chain: &[rustls_pki_types::CertificateDer<'static>]) {
    use base64::Engine;
    let mut pem = String::new();
    for c in chain {
        let b64 = base64::engine::general_purpose::STANDARD.encode(c.as_ref());
        pem.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
    }
    std::fs::write(path, pem).expect("chain file");
}

#[test]
fn a_package_signed_on_tokens_by_person_and_seal_verifies_under_the_strict_policy() {
    use edoc::{
        Agency, AttachmentEntry, Commitment, Competence, Defect, Detached, HeaderBuilder, Holder,
        IdentitySpec, Limits, OrgId, Package, Policy, SubIndication, TestPki, Verifier,
    };
    let f = fixture();
    let dir = tempfile::tempdir().expect("temp dir");
    let commune: OrgId = "000.00.45.H57".parse().expect("code");
    let finance: OrgId = "000.00.05.H57".parse().expect("code");
    // The keys stay on the token: only their public halves go to the test CA.
    let pki = TestPki::new().expect("test PKI");
    let person_chain = pki
        .issue_for_public_key(
            &IdentitySpec {
                holder: Holder::Person {
                    full_name: "Hồ Văn Chủ Tịch".into(),
                    agency_name: "UBND xã A Lưới 5".into(),
                    agency: commune,
                },
                algorithm: Algorithm::Ps256,
                defect: Defect::None,
            },
            &spki_of_first_certificate(&f.rsa_cert_file),
        )
        .expect("person certificate");
    let seal_chain = pki
        .issue_for_public_key(
            &IdentitySpec {
                holder: Holder::Seal {
                    agency_name: "UBND xã A Lưới 5".into(),
                    agency: commune,
                },
                algorithm: Algorithm::Es256,
                defect: Defect::None,
            },
            &spki_of_first_certificate(&f.ec_chain_file),
        )
        .expect("seal certificate");
    let person_pem = dir.path().join("person.pem");
    let seal_pem = dir.path().join("seal.pem");
    write_chain_pem(&person_pem, &person_chain);
    write_chain_pem(&seal_pem, &seal_chain);
    let person = Pkcs11Signer::open(config(
        KeySelector::Label(RSA_LABEL.to_owned()),
        CertificateSource::Files(vec![person_pem]),
        Some(Algorithm::Ps256),
    ))
    .expect("person's token key with the test PKI's certificate");
    let seal = Pkcs11Signer::open(config(
        KeySelector::Id(EC_ID.to_vec()),
        CertificateSource::Files(vec![seal_pem]),
        Some(Algorithm::Es256),
    ))
    .expect("seal's token key with the test PKI's certificate");

    let pdf = b"%PDF-1.7 request signed on a token";
    let header = HeaderBuilder::new()
        .sender(Agency::new(commune, "Ủy ban nhân dân xã A Lưới 5"))
        .recipient(Agency::new(finance, "Sở Tài chính"))
        .document_type("CV", "Công văn")
        .number_and_notation("7", "UBND-VP")
        .issued("A Lưới", time::macros::date!(2025 - 07 - 02))
        .subject("Văn bản ký bằng token")
        .signatory("Hồ Văn Chủ Tịch", "Chủ tịch", Competence::None)
        .attachment(
            AttachmentEntry::for_bytes("request.pdf", "application/pdf", pdf).expect("entry"),
        )
        .build()
        .expect("header");
    let mut package =
        Package::new(header, [("request.pdf".to_owned(), pdf.to_vec())]).expect("package");
    let at = time::macros::datetime!(2025-07-02 02:00 UTC);
    package
        .sign(
            &person,
            Commitment::ProofOfApproval,
            at,
            &mut Detached::none(),
        )
        .expect("person signs on the token");
    package
        .sign(&seal, Commitment::ProofOfOrigin, at, &mut Detached::none())
        .expect("seal signs on the token");
    let bytes = package.to_json();

    let trust = pki.trust_store(&[]).expect("trust store");
    let policy = Policy::strict();
    let now = time::macros::datetime!(2025-07-02 08:00 UTC);
    let verified = Verifier::new(&trust, &policy)
        .verify_bytes(&bytes, &Limits::default(), &mut Detached::none(), now)
        .unwrap_or_else(|e| panic!("token-signed package must verify: {}", e.report()));
    assert_eq!(
        verified.signatures()[0]
            .chain()
            .subject()
            .common_name
            .as_deref(),
        Some("Hồ Văn Chủ Tịch")
    );
    assert_eq!(
        verified.seal().expect("seal").chain().subject().org_id,
        Some(commune)
    );
    let tampered = String::from_utf8(bytes).expect("UTF-8").replacen(
        "\"number\":\"7\"",
        "\"number\":\"8\"",
        1,
    );
    let refused = Verifier::new(&trust, &policy)
        .verify_bytes(
            tampered.as_bytes(),
            &Limits::default(),
            &mut Detached::none(),
            now,
        )
        .expect_err("a changed header must fail");
    assert_eq!(refused.sub_indication(), Some(SubIndication::HashFailure));
}

/// Whether the s half of a JWS ECDSA signature (r‖s) is at most n / 2.
fn is_low_s(signature: &[u8], order_hex: &str) -> bool {
    use x509_parser::num_bigint::BigUint;
    let n = BigUint::parse_bytes(order_hex.as_bytes(), 16).expect("order");
    let s = BigUint::from_bytes_be(&signature[signature.len() / 2..]);
    s * 2u32 < n
}

#[test]
fn token_ecdsa_signatures_are_always_low_s() {
    // The token picks a random nonce: about half of its raw signatures are high-S, so 40 in a
    // row all low-S happen by chance once in 2^40.
    let p256 = Pkcs11Signer::open(ec_config(None)).expect("open P-256");
    let p384 = Pkcs11Signer::open(config(
        KeySelector::Label(P384_LABEL.to_owned()),
        CertificateSource::Files(vec![fixture().p384_cert_file.clone()]),
        None,
    ))
    .expect("open P-384");
    for (signer, order) in [
        (
            &p256,
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        ),
        (
            &p384,
            "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
        ),
    ] {
        for i in 0..40 {
            let signature = sign_and_verify(signer);
            assert!(
                is_low_s(&signature, order),
                "{} signature {i} is high-S",
                signer.algorithm()
            );
        }
    }
}
