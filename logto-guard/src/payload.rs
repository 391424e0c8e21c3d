//! The JWT payload: parsed once, in one pass, into the registered claims the validator checks;
//! kept as JSON text for [`AccessToken::claim`](crate::AccessToken::claim).
//!
//! Only the registered claims are kept parsed; every other member is parsed (so that it is
//! held to the same JSON rules) and dropped, so a token's memory is its payload text plus a
//! few small strings, whatever its custom claims hold.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use crate::actor::Actor;
use crate::error::AuthError;
use crate::scopes::Scopes;
use crate::support::{PER_ALLOCATION, str_heap_bytes, strs_heap_bytes};

/// The claims of a verified token, checked for type by the validator.
pub(crate) struct Claims {
    /// Shared with the validator, which checked that the token's `iss` is exactly this.
    pub(crate) iss: Arc<str>,
    pub(crate) sub: Option<Box<str>>,
    pub(crate) client_id: Option<Box<str>>,
    pub(crate) audiences: Vec<String>,
    pub(crate) scopes: Scopes,
    pub(crate) exp: i64,
    pub(crate) nbf: Option<i64>,
    pub(crate) iat: Option<i64>,
    pub(crate) jti: Option<Box<str>>,
    pub(crate) organization_id: Option<Box<str>>,
    /// `act`: who acts on the subject's behalf (RFC 8693).
    pub(crate) actor: Option<Actor>,
    /// The verified payload's JSON text, for [`AccessToken::claim`].
    pub(crate) payload: Box<str>,
}

impl Claims {
    /// The heap memory these claims and every string and vector under them hold, with the
    /// allocator's overhead; `iss` is the validator's, shared.
    pub(crate) fn heap_bytes(&self) -> usize {
        let strings = [
            self.sub.as_deref(),
            self.client_id.as_deref(),
            self.jti.as_deref(),
            self.organization_id.as_deref(),
            Some(&self.payload),
        ];
        std::mem::size_of::<Self>()
            + PER_ALLOCATION
            + strings
                .into_iter()
                .flatten()
                .map(str_heap_bytes)
                .sum::<usize>()
            + self.audiences.capacity() * std::mem::size_of::<String>()
            + PER_ALLOCATION
            + strs_heap_bytes(&self.audiences)
            + self.scopes.heap_bytes()
            + self.actor.as_ref().map_or(0, Actor::heap_bytes)
    }
}

/// Parses a decoded payload into the claims of a token from one of `issuers` (the main one
/// first): one JSON object, no member repeated (a map would silently keep the last one), the
/// registered claims of the types RFC 7519 gives them, and `iss` equal to one of `issuers`.
pub(crate) fn parse(payload: Vec<u8>, issuers: &[Arc<str>]) -> Result<Claims, AuthError> {
    let not_an_object = AuthError::MalformedToken("payload is not a JSON object");
    let text = String::from_utf8(payload).map_err(|_| not_an_object.clone())?;
    let members: Members = serde_json::from_str(&text).map_err(|_| not_an_object)?;
    if members.repeated {
        return Err(AuthError::MalformedToken("payload repeats a claim"));
    }
    let registered = members.registered;
    let iss = string("iss", registered.iss)?.ok_or(AuthError::MissingClaim("iss"))?;
    let trusted = issuers.iter().find(|issuer| ***issuer == *iss);
    let claims = Claims {
        // Replaced by the trusted issuer below, or refused.
        iss: trusted.map_or_else(|| Arc::from(""), Arc::clone),
        sub: string("sub", registered.sub)?,
        client_id: string("client_id", registered.client_id)?,
        audiences: audiences(registered.aud)?,
        scopes: string("scope", registered.scope)?
            .map(|scope| Scopes::parse(&scope))
            .unwrap_or_default(),
        exp: numeric_date("exp", registered.exp)?.ok_or(AuthError::MissingClaim("exp"))?,
        nbf: numeric_date("nbf", registered.nbf)?,
        iat: numeric_date("iat", registered.iat)?,
        jti: string("jti", registered.jti)?,
        organization_id: organization_id(registered.organization_id)?,
        actor: registered.act.map(actor).transpose()?,
        payload: text.into_boxed_str(),
    };
    // Types first: a malformed claim is reported as such, whoever issued the token.
    if trusted.is_none() {
        return Err(untrusted_issuer(issuers));
    }
    Ok(claims)
}

/// The rejection of a token whose `iss` is none of `issuers`: with one issuer, it names that
/// issuer (public, and what a `localhost` vs `127.0.0.1` or a wrong port shows); with several
/// (custom domains), only that the token's issuer is not trusted.
fn untrusted_issuer(issuers: &[Arc<str>]) -> AuthError {
    match issuers {
        [issuer] => AuthError::IssuerMismatch {
            expected: issuer.to_string(),
        },
        _ => AuthError::UntrustedIssuer,
    }
}

/// The member `name` of a payload that [`parse`] accepted, if present.
pub(crate) fn member(payload: &str, name: &str) -> Result<Option<Value>, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(payload);
    de::DeserializeSeed::deserialize(Member(name), &mut deserializer)
}

/// The registered claims as found, `None` when absent; `Some(Value::Null)` when `null`.
#[derive(Default)]
struct Registered {
    iss: Option<Value>,
    sub: Option<Value>,
    client_id: Option<Value>,
    aud: Option<Value>,
    scope: Option<Value>,
    exp: Option<Value>,
    nbf: Option<Value>,
    iat: Option<Value>,
    jti: Option<Value>,
    organization_id: Option<Value>,
    act: Option<Value>,
}

impl Registered {
    fn slot(&mut self, name: &str) -> Option<&mut Option<Value>> {
        Some(match name {
            "iss" => &mut self.iss,
            "sub" => &mut self.sub,
            "client_id" => &mut self.client_id,
            "aud" => &mut self.aud,
            "scope" => &mut self.scope,
            "exp" => &mut self.exp,
            "nbf" => &mut self.nbf,
            "iat" => &mut self.iat,
            "jti" => &mut self.jti,
            "organization_id" => &mut self.organization_id,
            "act" => &mut self.act,
            _ => return None,
        })
    }
}

/// A payload object in one pass: the registered claims, and whether any member was repeated.
struct Members {
    registered: Registered,
    repeated: bool,
}

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;

        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut registered = Registered::default();
                // Names of the other members, only to see a repeated one; borrowed from the
                // payload unless escaped, so that `"r\u006fle"` and `"role"` are one name.
                let mut others = HashSet::new();
                let mut repeated = false;
                while let Some(Name(name)) = map.next_key()? {
                    match registered.slot(&name) {
                        Some(slot) => {
                            let value = map.next_value::<Value>()?;
                            repeated |= slot.replace(value).is_some();
                        }
                        None => {
                            // A `Value`, not `IgnoredAny`, which would let through what the
                            // parser otherwise refuses (a lone surrogate escape, a number out
                            // of range, nesting past its depth limit).
                            map.next_value::<Value>()?;
                            repeated |= !others.insert(name);
                        }
                    }
                }
                Ok(Members {
                    registered,
                    repeated,
                })
            }
        }

        deserializer.deserialize_map(MembersVisitor)
    }
}

/// A member name, borrowed from the JSON text when it has no escapes.
struct Name<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;

        impl<'de> Visitor<'de> for NameVisitor {
            type Value = Name<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_borrowed_str<E: de::Error>(self, name: &'de str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(name)))
            }

            fn visit_str<E: de::Error>(self, name: &str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(name.to_owned())))
            }
        }

        deserializer.deserialize_str(NameVisitor)
    }
}

/// Finds one member of an object, skipping the others without materializing them.
struct Member<'n>(&'n str);

impl<'de> de::DeserializeSeed<'de> for Member<'_> {
    type Value = Option<Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Member<'_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Value>, A::Error> {
        // To the end of the object: the deserializer refuses an object left half-read.
        let mut found = None;
        while let Some(Name(name)) = map.next_key()? {
            if found.is_none() && name == self.0 {
                found = Some(map.next_value()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// A registered string claim; `null` counts as absent.
fn string(claim: &'static str, value: Option<Value>) -> Result<Option<Box<str>>, AuthError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.into_boxed_str())),
        Some(_) => Err(AuthError::InvalidClaim {
            claim,
            expected: "a string",
        }),
    }
}

/// `organization_id`: a `null` is refused as not a string, so that it cannot pass for a token
/// bound to no organization.
fn organization_id(value: Option<Value>) -> Result<Option<Box<str>>, AuthError> {
    match value {
        Some(Value::Null) => Err(AuthError::InvalidClaim {
            claim: "organization_id",
            expected: "a string",
        }),
        value => string("organization_id", value),
    }
}

/// An integer NumericDate (RFC 7519 §2); `null` counts as absent. Logto issues integers;
/// fractions are refused rather than rounded so that no two readers of one token disagree.
fn numeric_date(claim: &'static str, value: Option<Value>) -> Result<Option<i64>, AuthError> {
    let invalid = AuthError::InvalidClaim {
        claim,
        expected: "an integer NumericDate",
    };
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or(invalid),
        Some(_) => Err(invalid),
    }
}

fn audiences(value: Option<Value>) -> Result<Vec<String>, AuthError> {
    let invalid = AuthError::InvalidClaim {
        claim: "aud",
        expected: "a string or an array of strings",
    };
    match value {
        None | Some(Value::Null) => Err(AuthError::MissingClaim("aud")),
        Some(Value::String(aud)) => Ok(vec![aud]),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(aud) => Ok(aud),
                _ => Err(invalid.clone()),
            })
            .collect(),
        Some(_) => Err(invalid),
    }
}

/// `act` (RFC 8693 §4.1): an object whose `sub` is a string, with optionally a nested `act`
/// for the actor before it. Anything else is a malformed token, not an absent actor: a route
/// that refuses delegated tokens must not accept one whose `act` it cannot read.
fn actor(value: Value) -> Result<Actor, AuthError> {
    let malformed = || AuthError::MalformedToken("`act` must be an object with a string `sub`");
    let Value::Object(mut members) = value else {
        return Err(malformed());
    };
    let Some(Value::String(subject)) = members.remove("sub") else {
        return Err(malformed());
    };
    let prior = members.remove("act").map(actor).transpose()?;
    Ok(Actor::new(subject.into_boxed_str(), prior))
}
