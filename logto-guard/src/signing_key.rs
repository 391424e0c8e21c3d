//! The webhook signing key as configured: a secret, never shown by `Debug`, never serialized.

use std::fmt;

use aws_lc_rs::hmac;
use serde::{Deserialize, Deserializer};

/// A webhook signing key as configured: never shown by `Debug`, never serialized.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub(crate) struct SigningKey(String);

impl SigningKey {
    pub(crate) fn new(key: String) -> Self {
        Self(key)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// The HMAC-SHA256 key: the UTF-8 bytes of the key, as Node's `createHmac` takes a string.
    pub(crate) fn hmac_key(&self) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, self.0.as_bytes())
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"(redacted)\"")
    }
}

/// Deserializes an optional key; an absent or `null` key is none.
pub(crate) fn deserialize_key<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<SigningKey>, D::Error> {
    Option::<SigningKey>::deserialize(d)
}
