//! A JWK Set parsed into verification keys, each bound to the algorithms it may verify.

use std::hash::{Hash as _, Hasher as _};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use super::FetchError;
use crate::algorithm::{Algorithm, KeyFamily, KeyMaterial, Verifier};

/// One verification key from the JWK Set.
pub(crate) struct VerificationKey {
    kid: Option<String>,
    /// One parsed key per algorithm this key verifies; usually exactly one (RFC 8725 §3.1).
    verifiers: Vec<Verifier>,
    /// Identifies this exact key (its `kid`, `alg` and public material) across refetches.
    fingerprint: u64,
}

impl VerificationKey {
    fn verifier(&self, alg: Algorithm) -> Option<&Verifier> {
        self.verifiers.iter().find(|v| v.algorithm() == alg)
    }

    /// Whether `signature` (base64url) signs `input` under `alg` with this key.
    pub(crate) fn verify(&self, alg: Algorithm, input: &[u8], signature: &str) -> bool {
        self.verifier(alg)
            .is_some_and(|verifier| verifier.verify(input, signature))
    }

    pub(crate) fn fingerprint(&self) -> u64 {
        self.fingerprint
    }
}

/// The usable signing keys of a JWK Set.
pub(crate) struct KeySet {
    keys: Vec<VerificationKey>,
}

/// What looking a key up found.
pub(crate) enum Lookup<'a> {
    Found(&'a VerificationKey),
    /// The `kid` is known but its key does not verify the header `alg`.
    WrongAlgorithm,
    /// No `kid` in the header and several keys fit its `alg`.
    Ambiguous,
    Unknown,
}

#[derive(Deserialize)]
struct JwkSetDocument {
    keys: Vec<serde_json::Value>,
}

/// The members of a JWK this crate reads (RFC 7517 §4, RFC 7518 §6).
#[derive(Deserialize)]
struct Jwk {
    kty: String,
    #[serde(rename = "use")]
    use_: Option<String>,
    kid: Option<String>,
    alg: Option<String>,
    crv: Option<String>,
    x: Option<String>,
    y: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

/// RSA keys shorter than this are refused (RFC 7518 §3.3).
const MIN_RSA_MODULUS_BYTES: usize = 256;

impl KeySet {
    /// Parses a JWK Set; keys that are unusable here are skipped, never fatal.
    ///
    /// A JWK with `alg` verifies that algorithm only; one without gets the only algorithm of
    /// its curve, or for RSA the `rsa_algorithms` (RS256 unless the config widens it).
    pub(crate) fn parse(body: &[u8], rsa_algorithms: &[Algorithm]) -> Result<Self, FetchError> {
        let document: JwkSetDocument =
            serde_json::from_slice(body).map_err(|_| FetchError::NotJson("JWK Set"))?;
        let keys: Vec<_> = document
            .keys
            .into_iter()
            .filter_map(|value| match parse_key(value, rsa_algorithms) {
                Ok(key) => Some(key),
                Err(reason) => {
                    tracing::debug!(reason, "skipping a key of the JWK Set");
                    None
                }
            })
            .collect();
        if keys.is_empty() {
            return Err(FetchError::NoUsableKey);
        }
        Ok(Self { keys })
    }

    /// Finds the key for a header's `kid` and `alg`.
    pub(crate) fn find(&self, kid: Option<&str>, alg: Algorithm) -> Lookup<'_> {
        match kid {
            Some(kid) => match self.keys.iter().find(|k| k.kid.as_deref() == Some(kid)) {
                Some(key) if key.verifier(alg).is_some() => Lookup::Found(key),
                Some(_) => Lookup::WrongAlgorithm,
                None => Lookup::Unknown,
            },
            None => {
                let mut fitting = self.keys.iter().filter(|k| k.verifier(alg).is_some());
                match (fitting.next(), fitting.next()) {
                    (Some(key), None) => Lookup::Found(key),
                    (Some(_), Some(_)) => Lookup::Ambiguous,
                    (None, _) => Lookup::Unknown,
                }
            }
        }
    }

    /// The `kid`s of the keys that have one.
    pub(crate) fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().filter_map(|key| key.kid.as_deref())
    }

    pub(crate) fn has_kid(&self, kid: &str) -> bool {
        self.kids().any(|mine| mine == kid)
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the key with this fingerprint is still in the set.
    pub(crate) fn contains(&self, fingerprint: u64) -> bool {
        self.keys.iter().any(|k| k.fingerprint == fingerprint)
    }

    /// Whether both sets hold exactly the same keys, in any order.
    pub(crate) fn same_keys(&self, other: &Self) -> bool {
        let mut mine: Vec<u64> = self.keys.iter().map(|k| k.fingerprint).collect();
        let mut theirs: Vec<u64> = other.keys.iter().map(|k| k.fingerprint).collect();
        mine.sort_unstable();
        theirs.sort_unstable();
        mine == theirs
    }
}

fn parse_key(
    value: serde_json::Value,
    rsa_algorithms: &[Algorithm],
) -> Result<VerificationKey, &'static str> {
    let jwk: Jwk = serde_json::from_value(value).map_err(|_| "not a JWK object")?;
    let fingerprint = {
        let mut hasher = std::hash::DefaultHasher::new();
        (
            &jwk.kid, &jwk.alg, &jwk.kty, &jwk.crv, &jwk.x, &jwk.y, &jwk.n, &jwk.e,
        )
            .hash(&mut hasher);
        hasher.finish()
    };
    if jwk.use_.as_deref().is_some_and(|u| u != "sig") {
        return Err("not a signing key (`use` is not `sig`)");
    }
    let (family, material) = public_material(&jwk)?;
    let algorithms = match jwk.alg.as_deref() {
        Some(name) => {
            let alg: Algorithm = name.parse().map_err(|_| "unsupported `alg`")?;
            if alg.family() != family {
                return Err("`alg` does not match the key type");
            }
            vec![alg]
        }
        None => match family.only_algorithm() {
            Some(alg) => vec![alg],
            None => rsa_algorithms
                .iter()
                .copied()
                .filter(|alg| alg.family() == KeyFamily::Rsa)
                .collect(),
        },
    };
    let verifiers = algorithms
        .into_iter()
        .map(|alg| Verifier::new(alg, &material).ok_or("key refused by the crypto library"))
        .collect::<Result<Vec<_>, _>>()?;
    if verifiers.is_empty() {
        return Err("RSA key without `alg` and no RSA algorithm configured for it");
    }
    Ok(VerificationKey {
        kid: jwk.kid,
        verifiers,
        fingerprint,
    })
}

fn public_material(jwk: &Jwk) -> Result<(KeyFamily, KeyMaterial), &'static str> {
    match (jwk.kty.as_str(), jwk.crv.as_deref()) {
        ("RSA", _) => {
            let n = decode_member(jwk.n.as_deref())?;
            let e = decode_member(jwk.e.as_deref())?;
            let n = strip_leading_zeros(&n).to_vec();
            let e = strip_leading_zeros(&e).to_vec();
            if n.len() < MIN_RSA_MODULUS_BYTES {
                return Err("RSA key shorter than 2048 bits");
            }
            if e.is_empty() {
                return Err("RSA exponent is zero");
            }
            Ok((KeyFamily::Rsa, KeyMaterial::Rsa { n, e }))
        }
        ("EC", Some(curve @ ("P-256" | "P-384" | "P-521"))) => {
            let (family, size) = match curve {
                "P-256" => (KeyFamily::P256, 32),
                "P-384" => (KeyFamily::P384, 48),
                _ => (KeyFamily::P521, 66),
            };
            let x = decode_member(jwk.x.as_deref())?;
            let y = decode_member(jwk.y.as_deref())?;
            if x.len() != size || y.len() != size {
                return Err("EC coordinates of the wrong length");
            }
            let mut point = Vec::with_capacity(1 + 2 * size);
            point.push(0x04);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            Ok((family, KeyMaterial::Encoded(point)))
        }
        ("OKP", Some("Ed25519")) => {
            let x = decode_member(jwk.x.as_deref())?;
            if x.len() != 32 {
                return Err("Ed25519 key of the wrong length");
            }
            Ok((KeyFamily::Ed25519, KeyMaterial::Encoded(x)))
        }
        _ => Err("unsupported key type or curve"),
    }
}

fn decode_member(value: Option<&str>) -> Result<Vec<u8>, &'static str> {
    let value = value.ok_or("missing key member")?;
    URL_SAFE_NO_PAD
        .decode(value)
        .map_err(|_| "key member is not base64url")
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::KeySet;
    use crate::algorithm::Algorithm;

    fn jwk_member() -> impl Strategy<Value = serde_json::Value> {
        prop_oneof![
            Just(serde_json::Value::Null),
            any::<i64>().prop_map(serde_json::Value::from),
            "[A-Za-z0-9_-]{0,96}".prop_map(serde_json::Value::from),
            ".{0,16}".prop_map(serde_json::Value::from),
        ]
    }

    fn jwk() -> impl Strategy<Value = serde_json::Value> {
        let kty = prop_oneof![Just("EC"), Just("RSA"), Just("OKP"), Just("oct"), Just("")];
        let crv = prop_oneof![
            Just("P-256"),
            Just("P-384"),
            Just("P-521"),
            Just("Ed25519"),
            Just("X")
        ];
        let alg = prop_oneof![
            Just("ES256"),
            Just("ES384"),
            Just("RS256"),
            Just("HS256"),
            Just("none")
        ];
        (kty, crv, alg, jwk_member(), jwk_member(), jwk_member(), jwk_member()).prop_map(
            |(kty, crv, alg, x, y, n, e)| {
                serde_json::json!({"kty": kty, "crv": crv, "alg": alg, "x": x, "y": y, "n": n, "e": e, "kid": "k"})
            },
        )
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_the_jwks_parser(body in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = KeySet::parse(&body, Algorithm::ALL);
        }

        #[test]
        fn arbitrary_jwk_members_never_panic_the_jwks_parser(keys in proptest::collection::vec(jwk(), 0..6)) {
            let body = serde_json::json!({ "keys": keys }).to_string();
            let _ = KeySet::parse(body.as_bytes(), Algorithm::ALL);
        }
    }
}
