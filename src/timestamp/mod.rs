//! RFC 3161 timestamps: asking a time-stamping authority (TSA) for a token, and reading and
//! verifying tokens. A verified token proves that the data it covers existed at its
//! generation time (a proof of existence, ETSI EN 319 102-1), which is what lets a signature
//! outlive its certificate (JAdES B-T and above).
//!
//! ```
//! use edoc::{request_timestamp, Algorithm, SignerTsa, TestPki, TimestampToken};
//! use time::macros::datetime;
//!
//! let pki = TestPki::new()?;
//! let tsa = pki.tsa("edoc TEST TSA", Algorithm::Es256)?;
//! let tsa = SignerTsa::new(Box::new(tsa.signer()?), "1.3.6.1.4.1.99999.1", || datetime!(2025-07-02 09:00 UTC))?;
//!
//! let signature_value = b"the bytes to prove";
//! let rng = ring::rand::SystemRandom::new();
//! let token = request_timestamp(&tsa, signature_value, &rng)?;
//! assert_eq!(token.gen_time(), datetime!(2025-07-02 09:00 UTC));
//!
//! // Later, from the token's bytes alone.
//! let token = TimestampToken::parse(token.as_der())?;
//! token.check_imprint(signature_value, "signature value")?;
//! let signer = token.verify_signature(&[])?;
//! let trust = pki.trust_store(&[])?;
//! let tsa_chain = TimestampToken::validate_tsa_chain(
//!     &signer, &trust, &edoc::Policy::strict(), token.gen_time())?;
//! assert_eq!(tsa_chain.subject().common_name.as_deref(), Some("edoc TEST TSA"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod local;
mod request;
mod token;

pub use error::TimestampError;
pub use local::SignerTsa;
pub use request::{request_timestamp, TimestampAuthority, TimestampRequest};
pub use token::TimestampToken;
