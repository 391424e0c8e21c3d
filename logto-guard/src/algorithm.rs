//! The JWS algorithms Logto can sign with, and how a signature of each is verified.

use std::fmt;
use std::str::FromStr;

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

    /// The same algorithm in `jsonwebtoken`, which verifies all but ES512.
    pub(crate) fn jsonwebtoken(self) -> Option<jsonwebtoken::Algorithm> {
        use jsonwebtoken::Algorithm as Jwt;
        Some(match self {
            Self::ES256 => Jwt::ES256,
            Self::ES384 => Jwt::ES384,
            Self::ES512 => return None,
            Self::RS256 => Jwt::RS256,
            Self::RS384 => Jwt::RS384,
            Self::RS512 => Jwt::RS512,
            Self::PS256 => Jwt::PS256,
            Self::PS384 => Jwt::PS384,
            Self::PS512 => Jwt::PS512,
            Self::EdDSA => Jwt::EdDSA,
        })
    }
}

/// A name that is not one of [`Algorithm::ALL`] (names are case-sensitive, RFC 7515 §4.1.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an accepted JWS algorithm")]
pub struct UnknownAlgorithm;

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;

    fn from_str(name: &str) -> Result<Self, UnknownAlgorithm> {
        Self::ALL
            .iter()
            .copied()
            .find(|alg| alg.as_str() == name)
            .ok_or(UnknownAlgorithm)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A public key, ready to verify signatures of its algorithms.
pub(crate) enum PublicKey {
    /// Verified through `jsonwebtoken` (aws-lc-rs backend).
    Jwt(jsonwebtoken::DecodingKey),
    /// An uncompressed P-521 point, verified through aws-lc-rs directly.
    P521(Vec<u8>),
}

impl PublicKey {
    /// Whether `signature` (base64url) signs `input` under `alg` with this key.
    pub(crate) fn verify(&self, alg: Algorithm, input: &[u8], signature: &str) -> bool {
        match (self, alg.jsonwebtoken()) {
            (Self::Jwt(key), Some(alg)) => {
                jsonwebtoken::crypto::verify(signature, input, key, alg).unwrap_or(false)
            }
            (Self::P521(point), None) => URL_SAFE_NO_PAD.decode(signature).is_ok_and(|sig| {
                aws_lc_rs::signature::UnparsedPublicKey::new(
                    &aws_lc_rs::signature::ECDSA_P521_SHA512_FIXED,
                    point,
                )
                .verify(input, &sig)
                .is_ok()
            }),
            _ => false,
        }
    }
}
