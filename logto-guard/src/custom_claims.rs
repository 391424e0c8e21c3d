//! A verified payload as the app's own type ([`AccessToken::claims`]), with errors that say
//! where the payload did not fit and never what it held.
//!
//! The payload text is parsed into a [`serde_json::Value`] and the app's type is read from it
//! through a deserializer of this module, whose errors name the failed claim's path
//! (`roles[1]`, `address.city`) and the JSON kind found ("a string"), not the value: a claim
//! can be personal data (an e-mail address), and the error may end up in a log.
//!
//! [`AccessToken::claims`]: crate::AccessToken::claims

use std::fmt;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, Expected, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};
use serde_json::Value;

/// Why [`AccessToken::claims`](crate::AccessToken::claims) could not read a token's payload
/// as the requested type: which claim (its [`path`](Self::path)) and what was wrong with it.
///
/// The description never contains a claim's value: a type mismatch names the kind of JSON
/// value found (`invalid type: string, expected u32`), a missing or unknown field its name.
/// Only a message that the target type writes itself (a `TryFrom` or `FromStr` error, a
/// custom `Deserialize`) is shown as that type wrote it.
///
/// ```
/// # #[cfg(feature = "testing")]
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use logto_guard::Validator;
/// use logto_guard::testing::TestIssuer;
///
/// #[derive(Debug, serde::Deserialize)]
/// struct Tenant {
///     tenant_id: String,
///     roles: Vec<u32>,
/// }
///
/// let issuer = TestIssuer::start().await;
/// let validator = Validator::new(issuer.config())?;
/// let token = issuer.token().claim("tenant_id", "t-1").claim("roles", serde_json::json!([7, "admin"])).sign();
/// let token = validator.validate(&token).await?;
///
/// let error = token.claims::<Tenant>().unwrap_err();
/// assert_eq!(error.path(), "roles[1]");
/// assert_eq!(
///     error.to_string(),
///     "token claim `roles[1]`: invalid type: string, expected u32"
/// );
/// # Ok(()) }
/// # #[cfg(feature = "testing")]
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe(path, problem))]
pub struct ClaimsError {
    path: String,
    problem: String,
}

impl ClaimsError {
    /// The path of the claim that did not fit: a top-level claim's name (`tenant_id`), then
    /// `.member` and `[index]` into objects and arrays (`roles[1]`, `address.city`); empty when
    /// the payload as a whole did not fit (a missing claim: the description names it).
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }
}

fn describe(path: &str, problem: &str) -> String {
    if path.is_empty() {
        format!("token claims: {problem}")
    } else {
        format!("token claim `{path}`: {problem}")
    }
}

/// `payload` (a verified payload's JSON text) as `T`.
pub(crate) fn read<T: de::DeserializeOwned>(payload: &str) -> Result<T, ClaimsError> {
    // Not reached: the validator parsed this payload with the same rules.
    let value: Value = serde_json::from_str(payload).map_err(|_| ClaimsError {
        path: String::new(),
        problem: "the payload is not JSON".to_owned(),
    })?;
    T::deserialize(ValueDeserializer(&value)).map_err(DeError::into_claims_error)
}

/// One step of a claim's path.
#[derive(Debug)]
enum Segment {
    Member(String),
    Index(usize),
}

/// The error while deserializing: its problem, and the path to where it arose, innermost
/// segment first (each level adds its own as the error passes through it).
#[derive(Debug)]
struct DeError {
    /// Innermost first.
    path: Vec<Segment>,
    problem: String,
}

impl DeError {
    fn at(mut self, segment: Segment) -> Self {
        self.path.push(segment);
        self
    }

    fn into_claims_error(self) -> ClaimsError {
        let mut path = String::new();
        for segment in self.path.iter().rev() {
            match segment {
                Segment::Member(name) if path.is_empty() => path.push_str(name),
                Segment::Member(name) => {
                    path.push('.');
                    path.push_str(name);
                }
                Segment::Index(index) => {
                    path.push('[');
                    path.push_str(&index.to_string());
                    path.push(']');
                }
            }
        }
        ClaimsError {
            path,
            problem: self.problem,
        }
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problem)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self {
            path: Vec::new(),
            problem: msg.to_string(),
        }
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        Self::custom(format_args!(
            "invalid type: {}, expected {expected}",
            kind(&unexpected)
        ))
    }

    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        Self::custom(format_args!(
            "invalid value: {}, expected {expected}",
            kind(&unexpected)
        ))
    }

    fn unknown_variant(_variant: &str, expected: &'static [&'static str]) -> Self {
        match expected {
            [] => Self::custom("unknown variant, there are no variants"),
            names => Self::custom(format_args!(
                "unknown variant, expected one of {}",
                names
                    .iter()
                    .map(|name| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
}

/// What kind of value was found, without the value.
fn kind(unexpected: &Unexpected<'_>) -> &'static str {
    match unexpected {
        Unexpected::Bool(_) => "boolean",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) => "integer",
        Unexpected::Float(_) => "number",
        Unexpected::Char(_) => "character",
        Unexpected::Str(_) => "string",
        Unexpected::Bytes(_) => "bytes",
        Unexpected::Unit => "null",
        Unexpected::Option => "option",
        Unexpected::NewtypeStruct => "newtype struct",
        Unexpected::Seq => "array",
        Unexpected::Map => "object",
        Unexpected::Enum => "enum",
        Unexpected::UnitVariant => "unit variant",
        Unexpected::NewtypeVariant => "newtype variant",
        Unexpected::TupleVariant => "tuple variant",
        Unexpected::StructVariant => "struct variant",
        Unexpected::Other(_) => "other value",
    }
}

/// A JSON value as an `Unexpected`, for a type error (only its kind is shown).
fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(_) => Unexpected::Float(0.0),
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// Reads a type from a borrowed JSON value, as serde_json's own `Value` deserializer does,
/// with [`DeError`] for errors.
struct ValueDeserializer<'de>(&'de Value);

impl<'de> Deserializer<'de> for ValueDeserializer<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(n) = n.as_u64() {
                    visitor.visit_u64(n)
                } else if let Some(n) = n.as_i64() {
                    visitor.visit_i64(n)
                } else if let Some(n) = n.as_f64() {
                    visitor.visit_f64(n)
                } else {
                    Err(de::Error::custom("number out of range"))
                }
            }
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => {
                let mut seq = Seq {
                    items: items.iter(),
                    index: 0,
                };
                let value = visitor.visit_seq(&mut seq)?;
                if seq.items.len() == 0 {
                    Ok(value)
                } else {
                    Err(de::Error::invalid_length(
                        items.len(),
                        &"fewer elements in array",
                    ))
                }
            }
            Value::Object(members) => {
                let mut map = Map {
                    members: members.iter(),
                    value: None,
                };
                let value = visitor.visit_map(&mut map)?;
                if map.members.len() == 0 {
                    Ok(value)
                } else {
                    Err(de::Error::invalid_length(
                        members.len(),
                        &"fewer elements in map",
                    ))
                }
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.0 {
            Value::String(variant) => visitor.visit_enum(BorrowedStrDeserializer::new(variant)),
            Value::Object(members) if members.len() == 1 => match members.iter().next() {
                Some((variant, value)) => visitor.visit_enum(Enum { variant, value }),
                None => Err(de::Error::invalid_type(Unexpected::Map, &"an enum")),
            },
            other => Err(de::Error::invalid_type(
                unexpected(other),
                &"a string or an object with one member",
            )),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct Seq<'de> {
    items: std::slice::Iter<'de, Value>,
    index: usize,
}

impl<'de> SeqAccess<'de> for Seq<'de> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(ValueDeserializer(item))
            .map(Some)
            .map_err(|e| e.at(Segment::Index(index)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Map<'de> {
    members: serde_json::map::Iter<'de>,
    /// The member whose name was just read.
    value: Option<(&'de str, &'de Value)>,
}

impl<'de> MapAccess<'de> for Map<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((name, value)) = self.members.next() else {
            return Ok(None);
        };
        self.value = Some((name, value));
        seed.deserialize(BorrowedStrDeserializer::new(name))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let (name, value) = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("a value was asked for before its name"))?;
        seed.deserialize(ValueDeserializer(value))
            .map_err(|e| e.at(Segment::Member(name.to_owned())))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.members.len())
    }
}

/// An externally tagged enum variant with content: `{"Variant": content}`.
struct Enum<'de> {
    variant: &'de str,
    value: &'de Value,
}

impl<'de> EnumAccess<'de> for Enum<'de> {
    type Error = DeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), DeError> {
        let variant = seed.deserialize(BorrowedStrDeserializer::new(self.variant))?;
        Ok((variant, self))
    }
}

impl<'de> VariantAccess<'de> for Enum<'de> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match self.value {
            Value::Null => Ok(()),
            other => Err(de::Error::invalid_type(unexpected(other), &"unit variant")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        seed.deserialize(ValueDeserializer(self.value))
            .map_err(|e| e.at(Segment::Member(self.variant.to_owned())))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        ValueDeserializer(self.value)
            .deserialize_seq(visitor)
            .map_err(|e| e.at(Segment::Member(self.variant.to_owned())))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        ValueDeserializer(self.value)
            .deserialize_map(visitor)
            .map_err(|e| e.at(Segment::Member(self.variant.to_owned())))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;
    use serde_json::json;

    use super::{ClaimsError, read};

    fn claims<T: serde::de::DeserializeOwned>(
        payload: serde_json::Value,
    ) -> Result<T, ClaimsError> {
        read(&payload.to_string())
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Address {
        city: String,
        zip: Option<u32>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Plan {
        Free,
        Team { seats: u16 },
        Custom(String),
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Custom {
        sub: String,
        roles: Vec<String>,
        address: Address,
        plan: Plan,
        #[serde(default)]
        beta: bool,
        limits: BTreeMap<String, i64>,
        exp: i64,
        ratio: f64,
    }

    fn payload() -> serde_json::Value {
        json!({
            "iss": "https://tenant.logto.app/oidc",
            "sub": "user-1",
            "roles": ["admin", "billing"],
            "address": {"city": "Lyon", "zip": null},
            "plan": {"team": {"seats": 12}},
            "limits": {"orders": -5, "exports": 3},
            "exp": 1_800_000_000,
            "ratio": 0.5,
        })
    }

    #[test]
    fn the_payload_reads_as_the_apps_type() {
        let custom: Custom = claims(payload()).expect("fits");
        assert_eq!(
            custom,
            Custom {
                sub: "user-1".to_owned(),
                roles: vec!["admin".to_owned(), "billing".to_owned()],
                address: Address {
                    city: "Lyon".to_owned(),
                    zip: None,
                },
                plan: Plan::Team { seats: 12 },
                beta: false,
                limits: BTreeMap::from([("exports".to_owned(), 3), ("orders".to_owned(), -5)]),
                exp: 1_800_000_000,
                ratio: 0.5,
            }
        );
        let mut other = payload();
        other["plan"] = json!("free");
        assert_eq!(claims::<Custom>(other).expect("fits").plan, Plan::Free);
        let mut other = payload();
        other["plan"] = json!({"custom": "gold"});
        assert_eq!(
            claims::<Custom>(other).expect("fits").plan,
            Plan::Custom("gold".to_owned())
        );
        let value: serde_json::Value = claims(payload()).expect("any JSON");
        assert_eq!(value, payload());
    }

    #[test]
    fn errors_name_the_path_and_the_kind_never_the_value() {
        for (change, path, description) in [
            (
                json!({"roles": ["admin", 7]}),
                "roles[1]",
                "token claim `roles[1]`: invalid type: integer, expected a string",
            ),
            (
                json!({"address": {"city": "secret-city", "zip": "secret-zip"}}),
                "address.zip",
                "token claim `address.zip`: invalid type: string, expected u32",
            ),
            (
                json!({"address": {"city": "Lyon", "zip": 4_294_967_296_u64}}),
                "address.zip",
                "token claim `address.zip`: invalid value: integer, expected u32",
            ),
            (
                json!({"plan": "secret-plan"}),
                "plan",
                "token claim `plan`: unknown variant, expected one of `free`, `team`, `custom`",
            ),
            (
                json!({"plan": {"team": {"seats": "secret-seats"}}}),
                "plan.team.seats",
                "token claim `plan.team.seats`: invalid type: string, expected u16",
            ),
            (
                json!({"sub": null}),
                "sub",
                "token claim `sub`: invalid type: null, expected a string",
            ),
            (
                json!({"roles": {"secret": true}}),
                "roles",
                "token claim `roles`: invalid type: object, expected a sequence",
            ),
        ] {
            let mut payload = payload();
            for (name, value) in change.as_object().expect("object") {
                payload[name] = value.clone();
            }
            let error = claims::<Custom>(payload).expect_err(path);
            assert_eq!(error.path(), path);
            assert_eq!(error.to_string(), description);
            assert!(!error.to_string().contains("secret"), "{error}");
        }
        let mut payload = payload();
        payload.as_object_mut().expect("object").remove("roles");
        let error = claims::<Custom>(payload).expect_err("missing");
        assert_eq!(error.path(), "");
        assert_eq!(error.to_string(), "token claims: missing field `roles`");
    }
}
