//! Checking a signature's timestamps and validation data, and the level they reach.

use std::sync::Arc;

use rustls_pki_types::CertificateDer;
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::level::JadesLevel;
use crate::cms::{CmsSigner, Hasher};
use crate::jades::{ParsedSignature, UnsignedProperties, UnsignedValue};
use crate::timestamp::{TimestampError, TimestampToken};
use crate::trust::{ChainError, Policy, TrustStore, ValidatedChain};

/// The data a signature signs, as archive timestamps cover it (ETSI TS 119 182-1
/// §5.3.6.3.1, steps 1 and 2).
#[derive(Debug, Clone, Copy)]
pub enum SignedContent<'a> {
    /// The JWS payload member exactly as received (base64url text, or the raw text with
    /// `b64: false`).
    Attached(&'a str),
    /// The detached `sigD` documents in signed order, as bytes; covered base64url-encoded
    /// unless the signature has `b64: false` (as DSS computes it).
    Documents(&'a [&'a [u8]]),
}

/// Which timestamp a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum TimestampKind {
    /// A signature timestamp (`sigTst`), over the signature value.
    Signature,
    /// An archive timestamp (`arcTst`), over the signed data, the signature and the unsigned
    /// components before it.
    Archive,
}

/// One timestamp token of a signature and what was found about it.
#[derive(Debug, Clone)]
pub struct TimestampCheck {
    kind: TimestampKind,
    component: usize,
    token: Option<TimestampToken>,
    signer: Option<CmsSigner>,
    result: Result<(), TimestampError>,
    chain: Option<(OffsetDateTime, Result<Arc<ValidatedChain>, ChainError>)>,
}

impl TimestampCheck {
    /// Signature or archive timestamp.
    pub fn kind(&self) -> TimestampKind {
        self.kind
    }
    /// The position of its component in `etsiU`.
    pub fn component_index(&self) -> usize {
        self.component
    }
    /// The token's generation time, when the token could be read (untrusted unless
    /// [`TimestampCheck::is_valid`]).
    pub fn gen_time(&self) -> Option<OffsetDateTime> {
        self.token.as_ref().map(TimestampToken::gen_time)
    }
    /// The token, when it could be read.
    pub fn token(&self) -> Option<&TimestampToken> {
        self.token.as_ref()
    }
    /// The token's own checks: structure, imprint over what it must cover, CMS signature, ESS
    /// binding and TSA certificate purpose.
    pub fn result(&self) -> Result<(), &TimestampError> {
        self.result.as_ref().map(|_| ())
    }
    /// The TSA chain's validation, once [`LevelEvaluation::validate_tsa_chains`] ran: the
    /// instant it was validated at (the next proof of existence, or the validation time) and
    /// the outcome.
    pub fn tsa_chain(&self) -> Option<(OffsetDateTime, Result<&Arc<ValidatedChain>, &ChainError>)> {
        self.chain.as_ref().map(|(at, r)| (*at, r.as_ref()))
    }
    /// The token checks out, and so does its TSA chain where it was validated.
    pub fn is_valid(&self) -> bool {
        self.result.is_ok() && !matches!(self.chain, Some((_, Err(_))))
    }
}

/// The level a JAdES signature reaches through its unsigned properties, with the evidence.
#[derive(Debug, Clone)]
pub struct LevelEvaluation {
    timestamps: Vec<TimestampCheck>,
    validation_data: bool,
}

impl LevelEvaluation {
    /// Checks every timestamp of `properties` against `parsed` (a signature whose value has
    /// been verified, or is verified next) and `content`, using the certificates the
    /// properties carry to find TSA certificates the tokens leave out. No chain is validated
    /// here; see [`LevelEvaluation::validate_tsa_chains`].
    pub fn evaluate(
        parsed: &ParsedSignature,
        properties: &UnsignedProperties,
        content: SignedContent<'_>,
    ) -> LevelEvaluation {
        let extra: Vec<CertificateDer<'static>> = properties
            .certificates()
            .into_iter()
            .map(|c| CertificateDer::from(c.to_vec()))
            .collect();
        // The base64url text of the signature value: canonical, so equal to what was received.
        let signature = crate::jades::encode_url(parsed.signature_bytes());
        let components = properties.components();
        let mut timestamps = Vec::new();
        for (index, component) in components.iter().enumerate() {
            let (kind, tokens) = match component.value() {
                UnsignedValue::SignatureTimestamp(t) => (TimestampKind::Signature, t),
                UnsignedValue::ArchiveTimestamp(t) => (TimestampKind::Archive, t),
                _ => continue,
            };
            for der in tokens {
                let feed = |h: &mut Hasher| match kind {
                    // §5.3.4: the base64url-encoded JWS Signature Value.
                    TimestampKind::Signature => h.update(signature.as_bytes()),
                    TimestampKind::Archive => {
                        archive_input(parsed, &components[..index], content, &mut |b| h.update(b))
                    }
                };
                timestamps.push(check_token(kind, index, der, &extra, feed));
            }
        }
        let validation_data = properties.has_validation_data()
            && properties
                .certificates()
                .iter()
                .all(|c| X509Certificate::from_der(c).is_ok());
        LevelEvaluation {
            timestamps,
            validation_data,
        }
    }

    /// Validates the TSA chain of every timestamp whose token checked out, against `trust`
    /// under `policy` (adapted to TSAs), each at its next proof of existence: the generation
    /// time of the next valid archive timestamp after it, or `now` when none follows. So a
    /// TSA certificate that has expired since, or was revoked after that time, no longer
    /// matters once a later archive timestamp covers the token.
    pub fn validate_tsa_chains(
        &mut self,
        trust: &TrustStore,
        policy: &Policy,
        now: OffsetDateTime,
    ) {
        // Last first: an archive timestamp proves the earlier ones only once it holds itself.
        let mut next_poe: Option<(usize, OffsetDateTime)> = None;
        for check in self.timestamps.iter_mut().rev() {
            if check.result.is_err() {
                continue;
            }
            let (Some(signer), Some(token)) = (&check.signer, &check.token) else {
                continue;
            };
            let at = match next_poe {
                Some((component, time)) if component > check.component => time,
                _ => now,
            };
            let result = TimestampToken::validate_tsa_chain(signer, trust, policy, at);
            let valid = result.is_ok();
            check.chain = Some((at, result));
            if valid && check.kind == TimestampKind::Archive {
                let earliest = match next_poe {
                    Some((c, t)) if c == check.component && t < token.gen_time() => (c, t),
                    _ => (check.component, token.gen_time()),
                };
                next_poe = Some(earliest);
            }
        }
    }

    /// The highest level every timestamp it rests on supports: B-T needs signature
    /// timestamps, all valid; B-LT adds `xVals` and `rVals`; B-LTA adds archive
    /// timestamps, all valid.
    pub fn level(&self) -> JadesLevel {
        let all_valid = |kind| {
            let mut of_kind = self.timestamps.iter().filter(|t| t.kind == kind).peekable();
            of_kind.peek().is_some() && of_kind.all(TimestampCheck::is_valid)
        };
        if !all_valid(TimestampKind::Signature) {
            return JadesLevel::BaselineB;
        }
        if !self.validation_data {
            return JadesLevel::BaselineT;
        }
        if !all_valid(TimestampKind::Archive) {
            return JadesLevel::BaselineLt;
        }
        JadesLevel::BaselineLta
    }

    /// The best signature time (ETSI EN 319 102-1 §5.6.2.4): the earliest generation time of
    /// a valid signature timestamp, or `None` without one.
    pub fn best_signature_time(&self) -> Option<OffsetDateTime> {
        self.timestamps
            .iter()
            .filter(|t| t.kind == TimestampKind::Signature && t.is_valid())
            .filter_map(TimestampCheck::gen_time)
            .min()
    }

    /// Every timestamp checked, in `etsiU` order.
    pub fn timestamps(&self) -> &[TimestampCheck] {
        &self.timestamps
    }
}

/// Feeds `out` what an archive timestamp covers (ETSI TS 119 182-1 §5.3.6.3.1, as DSS
/// computes it): the signed data, ".", the protected header, ".", the signature value, ".",
/// then the unsigned components before the timestamp, each as covered.
pub(crate) fn archive_input(
    parsed: &ParsedSignature,
    before: &[crate::jades::UnsignedComponent],
    content: SignedContent<'_>,
    out: &mut dyn FnMut(&[u8]),
) {
    match content {
        SignedContent::Attached(payload) => out(payload.as_bytes()),
        SignedContent::Documents(docs) => {
            for doc in docs {
                if parsed.payload_is_base64url() {
                    out(crate::jades::encode_url(doc).as_bytes())
                } else {
                    out(doc)
                }
            }
        }
    }
    out(b".");
    out(parsed.protected_b64().as_bytes());
    out(b".");
    out(crate::jades::encode_url(parsed.signature_bytes()).as_bytes());
    out(b".");
    for component in before {
        out(component.covered_bytes());
    }
}

fn check_token(
    kind: TimestampKind,
    component: usize,
    der: &[u8],
    extra: &[CertificateDer<'static>],
    feed: impl FnOnce(&mut Hasher),
) -> TimestampCheck {
    let mut check = TimestampCheck {
        kind,
        component,
        token: None,
        signer: None,
        result: Ok(()),
        chain: None,
    };
    let token = match TimestampToken::parse(der) {
        Ok(t) => t,
        Err(e) => {
            check.result = Err(e);
            return check;
        }
    };
    let covered = match kind {
        TimestampKind::Signature => "signature value",
        TimestampKind::Archive => "archived data",
    };
    check.result = token
        .check_imprint_with(covered, feed)
        .and_then(|()| token.verify_signature(extra))
        .map(|signer| check.signer = Some(signer));
    check.token = Some(token);
    check
}
