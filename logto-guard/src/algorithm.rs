//! The JWS algorithms Logto can sign with, and how a signature of each is verified.

use std::fmt;
use std::str::FromStr;

use aws_lc_rs::signature::{self, ParsedPublicKey, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// An asymmetric JWS algorithm (RFC 7518, RFC 8037). `none` and HMAC are not representable:
/// they are never accepted.
///
/// ```
/// use logto_guard::Algorithm;
///
/// assert_eq!("ES512".parse::<Algorithm>(), Ok(Algorithm::ES512));
/// assert!("HS256".parse::<Algorithm>().is_err());
/// assert!("none".parse::<Algorithm>().is_err());
/// ```
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Algorithm {
    /// ECDSA with P-256 and SHA-256.
    ES256,
    /// ECDSA with P-384 and SHA-384: Logto's default.
    ES384,
    /// ECDSA with P-521 and SHA-512: Logto can be seeded with P-521 keys.
    ES512,
    /// RSASSA-PKCS1-v1_5 with SHA-256: Logto's RSA keys.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// EdDSA with Ed25519.
    EdDSA,
}

impl Algorithm {
    /// Every algorithm, in Logto's order of likelihood.
    pub const ALL: &'static [Self] = &[
        Self::ES384,
        Self::RS256,
        Self::ES256,
        Self::ES512,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::EdDSA,
    ];

    /// The `alg` header value.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::ES512 => "ES512",
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::EdDSA => "EdDSA",
        }
    }

    /// The key family this algorithm signs with.
    pub(crate) fn family(self) -> KeyFamily {
        match self {
            Self::ES256 => KeyFamily::P256,
            Self::ES384 => KeyFamily::P384,
            Self::ES512 => KeyFamily::P521,
            Self::RS256 | Self::RS384 | Self::RS512 | Self::PS256 | Self::PS384 | Self::PS512 => {
                KeyFamily::Rsa
            }
            Self::EdDSA => KeyFamily::Ed25519,
        }
    }
}

/// A name that is not one of [`Algorithm::ALL`] (names are case-sensitive, RFC 7515 §4.1.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an accepted JWS algorithm")]
pub struct UnknownAlgorithmError;

impl FromStr for Algorithm {
    type Err = UnknownAlgorithmError;

    fn from_str(name: &str) -> Result<Self, UnknownAlgorithmError> {
        Self::ALL
            .iter()
            .copied()
            .find(|alg| alg.as_str() == name)
            .ok_or(UnknownAlgorithmError)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of a public key, which fixes the algorithms it can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyFamily {
    Rsa,
    P256,
    P384,
    P521,
    Ed25519,
}

impl KeyFamily {
    /// The one algorithm a key of this family verifies, when the family has only one.
    pub(crate) fn only_algorithm(self) -> Option<Algorithm> {
        match self {
            Self::Rsa => None,
            Self::P256 => Some(Algorithm::ES256),
            Self::P384 => Some(Algorithm::ES384),
            Self::P521 => Some(Algorithm::ES512),
            Self::Ed25519 => Some(Algorithm::EdDSA),
        }
    }
}

/// A public key parsed once, bound to the one algorithm it verifies.
///
/// Verification calls aws-lc-rs with that explicit algorithm: no process-wide provider (such
/// as `jsonwebtoken`'s `CryptoProvider`) is consulted, so nothing outside this crate can
/// change or break how signatures are checked.
pub(crate) struct Verifier {
    algorithm: Algorithm,
    key: ParsedPublicKey,
}

/// Public key material as a JWK carries it, decoded.
pub(crate) enum KeyMaterial {
    /// RSA modulus and exponent, big-endian without leading zeros.
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// An uncompressed EC point (`0x04 || x || y`) or an Ed25519 public key.
    Encoded(Vec<u8>),
}

impl Verifier {
    /// Parses `material` for `algorithm`; `None` when aws-lc-rs refuses the key.
    pub(crate) fn new(algorithm: Algorithm, material: &KeyMaterial) -> Option<Self> {
        let key = match (aws_lc_algorithm(algorithm), material) {
            (AwsLc::Rsa(params), KeyMaterial::Rsa { n, e }) => RsaPublicKeyComponents {
                n: n.as_slice(),
                e: e.as_slice(),
            }
            .to_parsed_public_key(params)
            .ok()?,
            (AwsLc::Other(algorithm), KeyMaterial::Encoded(bytes)) => {
                ParsedPublicKey::new(algorithm, bytes).ok()?
            }
            _ => return None,
        };
        Some(Self { algorithm, key })
    }

    /// The algorithm this key verifies.
    pub(crate) fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Whether `signature` (base64url) signs `input` with this key.
    pub(crate) fn verify(&self, input: &[u8], signature: &str) -> bool {
        let mut decoded = [0; MAX_SIGNATURE_BYTES];
        URL_SAFE_NO_PAD
            .decode_slice(signature, &mut decoded)
            .is_ok_and(|len| self.key.verify_sig(input, &decoded[..len]).is_ok())
    }
}

/// The longest signature any accepted key makes: RSA's 8192-bit maximum. A longer one cannot
/// verify, and fails to decode into a buffer of this size.
const MAX_SIGNATURE_BYTES: usize = 8192 / 8;

/// How aws-lc-rs takes a key for an algorithm: RSA keys are built from their components, the
/// others parsed from their encoded bytes (which checks an EC point is on its curve).
enum AwsLc {
    Rsa(&'static signature::RsaParameters),
    Other(&'static dyn signature::VerificationAlgorithm),
}

/// The aws-lc-rs verification algorithm of each JWS algorithm (RFC 7518 §3, RFC 8037 §3.1);
/// ECDSA signatures in JWS are the fixed-length `r || s` form.
fn aws_lc_algorithm(algorithm: Algorithm) -> AwsLc {
    match algorithm {
        Algorithm::ES256 => AwsLc::Other(&signature::ECDSA_P256_SHA256_FIXED),
        Algorithm::ES384 => AwsLc::Other(&signature::ECDSA_P384_SHA384_FIXED),
        Algorithm::ES512 => AwsLc::Other(&signature::ECDSA_P521_SHA512_FIXED),
        Algorithm::RS256 => AwsLc::Rsa(&signature::RSA_PKCS1_2048_8192_SHA256),
        Algorithm::RS384 => AwsLc::Rsa(&signature::RSA_PKCS1_2048_8192_SHA384),
        Algorithm::RS512 => AwsLc::Rsa(&signature::RSA_PKCS1_2048_8192_SHA512),
        Algorithm::PS256 => AwsLc::Rsa(&signature::RSA_PSS_2048_8192_SHA256),
        Algorithm::PS384 => AwsLc::Rsa(&signature::RSA_PSS_2048_8192_SHA384),
        Algorithm::PS512 => AwsLc::Rsa(&signature::RSA_PSS_2048_8192_SHA512),
        Algorithm::EdDSA => AwsLc::Other(&signature::ED25519),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_signature_decodes_into_the_buffer_and_a_longer_one_does_not() {
        let mut decoded = [0; MAX_SIGNATURE_BYTES];
        let longest = URL_SAFE_NO_PAD.encode([7; MAX_SIGNATURE_BYTES]);
        assert_eq!(
            URL_SAFE_NO_PAD.decode_slice(&longest, &mut decoded),
            Ok(MAX_SIGNATURE_BYTES)
        );
        let longer = URL_SAFE_NO_PAD.encode([7; MAX_SIGNATURE_BYTES + 1]);
        assert!(URL_SAFE_NO_PAD.decode_slice(&longer, &mut decoded).is_err());
    }
}
