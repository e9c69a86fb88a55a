//! ECDSA low-S: of the two valid values `s` and `n − s` a signature may carry, only the lower.
//!
//! An ECDSA signature (r, s) verifies just as well as (r, n − s). A third party can therefore
//! re-encode a signed document into different bytes without any key. edoc signs with the low
//! value only (software keys and tokens alike, and whatever a [`Signer`](super::Signer)
//! returns), and the verifier reports a high value in what it receives.
//!
//! The signatures are JWS form, r‖s, each the length of the group order (RFC 7518 §3.4).

use super::Algorithm;

/// The order n of the P-256 group (SEC 2 §2.4.2), big-endian.
const P256_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// The order n of the P-384 group (SEC 2 §2.5.1), big-endian.
const P384_ORDER: [u8; 48] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf,
    0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73,
];

/// The group order for an ECDSA algorithm; `None` for the others.
fn order(algorithm: Algorithm) -> Option<&'static [u8]> {
    match algorithm {
        Algorithm::Es256 => Some(&P256_ORDER),
        Algorithm::Es384 => Some(&P384_ORDER),
        Algorithm::Rs256 | Algorithm::Ps256 | Algorithm::EdDsa => None,
    }
}

/// Whether `s` (big-endian, the order's length) is above n / 2, i.e. 2·s > n.
fn above_half(s: &[u8], n: &[u8]) -> bool {
    // Compare 2·s with n from the most significant byte: the doubled byte is the byte shifted
    // left plus the top bit of the next one; the doubling's own carry is the top bit of s.
    if s.first().is_some_and(|b| b & 0x80 != 0) {
        return true;
    }
    for (i, &ni) in n.iter().enumerate() {
        let next_top = s.get(i + 1).map_or(0, |b| b >> 7);
        let doubled = (s.get(i).copied().unwrap_or(0) << 1) | next_top;
        if doubled != ni {
            return doubled > ni;
        }
    }
    // 2·s == n cannot happen for an odd n; equal means "not above".
    false
}

/// `n − s` in place (big-endian, same length; s < n).
fn negate(s: &mut [u8], n: &[u8]) {
    let mut borrow = 0u16;
    for (si, &ni) in s.iter_mut().zip(n).rev() {
        let sub = u16::from(*si) + borrow;
        let (value, next) = if u16::from(ni) >= sub {
            (u16::from(ni) - sub, 0)
        } else {
            (u16::from(ni) + 256 - sub, 1)
        };
        *si = value as u8;
        borrow = next;
    }
}

/// Whether a JWS ECDSA signature (r‖s) carries the high `s`. `false` for other algorithms and
/// for a signature of the wrong length (the signature check refuses that anyway).
pub(crate) fn is_high_s(algorithm: Algorithm, signature: &[u8]) -> bool {
    let Some(n) = order(algorithm) else {
        return false;
    };
    if signature.len() != 2 * n.len() {
        return false;
    }
    signature.get(n.len()..).is_some_and(|s| above_half(s, n))
}

/// Rewrites a JWS ECDSA signature (r‖s) to low-S: s → n − s when s > n / 2. Other algorithms
/// and signatures of the wrong length are left as they are.
pub(crate) fn normalize(algorithm: Algorithm, signature: &mut [u8]) {
    let Some(n) = order(algorithm) else {
        return;
    };
    if signature.len() != 2 * n.len() {
        return;
    }
    if let Some(s) = signature.get_mut(n.len()..) {
        if above_half(s, n) {
            negate(s, n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(algorithm: Algorithm, s: &[u8]) -> Vec<u8> {
        let len = order(algorithm).map_or(0, <[u8]>::len);
        let mut out = vec![7u8; len];
        out.extend_from_slice(s);
        out
    }

    fn half_floor(n: &[u8]) -> Vec<u8> {
        // n >> 1
        let mut out = Vec::with_capacity(n.len());
        let mut carry = 0u8;
        for &b in n {
            out.push((b >> 1) | carry);
            carry = (b & 1) << 7;
        }
        out
    }

    fn plus_one(v: &[u8]) -> Vec<u8> {
        let mut out = v.to_vec();
        for b in out.iter_mut().rev() {
            let (x, overflow) = b.overflowing_add(1);
            *b = x;
            if !overflow {
                break;
            }
        }
        out
    }

    #[test]
    fn the_boundary_is_half_the_group_order() {
        for alg in [Algorithm::Es256, Algorithm::Es384] {
            let n = order(alg).unwrap();
            let half = half_floor(n);
            assert!(
                !is_high_s(alg, &sig(alg, &half)),
                "{alg}: floor(n/2) is low"
            );
            assert!(is_high_s(alg, &sig(alg, &plus_one(&half))), "{alg}");
            let mut one = vec![0u8; n.len()];
            *one.last_mut().unwrap() = 1;
            assert!(!is_high_s(alg, &sig(alg, &one)));
            let mut n_minus_one = n.to_vec();
            *n_minus_one.last_mut().unwrap() -= 1;
            assert!(is_high_s(alg, &sig(alg, &n_minus_one)));
        }
    }

    #[test]
    fn normalizing_turns_n_minus_s_back_into_s_and_leaves_low_s_alone() {
        for alg in [Algorithm::Es256, Algorithm::Es384] {
            let n = order(alg).unwrap();
            let mut n_minus_one = n.to_vec();
            *n_minus_one.last_mut().unwrap() -= 1;
            let mut high = sig(alg, &n_minus_one);
            normalize(alg, &mut high);
            let mut one = vec![0u8; n.len()];
            *one.last_mut().unwrap() = 1;
            assert_eq!(high, sig(alg, &one), "{alg}: n − (n − 1) = 1");
            let low = sig(alg, &half_floor(n));
            let mut same = low.clone();
            normalize(alg, &mut same);
            assert_eq!(same, low);
            // A borrow across bytes: s = n − 0x100 becomes 0x100.
            let mut s = n.to_vec();
            let len = s.len();
            s[len - 2] -= 1;
            let mut high = sig(alg, &s);
            normalize(alg, &mut high);
            let mut want = vec![0u8; len];
            want[len - 2] = 1;
            assert_eq!(&high[len..], &want[..]);
        }
    }

    #[test]
    fn other_algorithms_and_odd_lengths_are_left_alone() {
        let mut rsa = vec![0xffu8; 256];
        normalize(Algorithm::Rs256, &mut rsa);
        assert_eq!(rsa, vec![0xffu8; 256]);
        assert!(!is_high_s(Algorithm::EdDsa, &[0xff; 64]));
        let mut short = vec![0xffu8; 63];
        normalize(Algorithm::Es256, &mut short);
        assert_eq!(short, vec![0xffu8; 63]);
        assert!(!is_high_s(Algorithm::Es256, &short));
    }
}
