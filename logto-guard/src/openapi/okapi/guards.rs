//! `OpenApiFromRequest` for the request guards, so that `#[openapi]` handlers can take them.
//!
//! A guard can only report one security requirement, under a scheme it cannot know yet (the
//! Logto endpoint is configuration), so each reports the least it knows: a bearer token is
//! required, or, behind `Option`, optional. [`OpenApiSecurity::apply`](super::OpenApiSecurity::apply)
//! then turns these marks and the `#[requires]` declarations into the exact requirements.

use okapi::openapi3::{SecurityRequirement, SecurityScheme, SecuritySchemeData};
use rocket_okapi::r#gen::OpenApiGenerator;
use rocket_okapi::okapi;
use rocket_okapi::request::{OpenApiFromRequest, RequestHeaderInput};

use super::SCHEME_NAME;
use crate::organization::Organization;
use crate::requirement::Requirement;
use crate::rocket::Authorized;
use crate::rocket::mounted::Mounted;
use crate::token::AccessToken;
use crate::validate::Validator;

/// A plain bearer JWT scheme: what the document says until `apply` puts Logto's OAuth 2.0
/// flows in its place.
fn bearer_scheme() -> SecurityScheme {
    SecurityScheme {
        description: Some("A Logto access token (JWT) for this API.".to_owned()),
        data: SecuritySchemeData::Http {
            scheme: "bearer".to_owned(),
            bearer_format: Some("JWT".to_owned()),
        },
        extensions: okapi::Map::new(),
    }
}

/// A token is required: `{"logto": []}`. Optional (`Option<..>`, where rocket_okapi passes
/// `required = false`): the empty requirement `{}`, which `apply` pairs with `{"logto": []}`.
fn token_input(required: bool) -> rocket_okapi::Result<RequestHeaderInput> {
    let mut requirement = SecurityRequirement::new();
    if required {
        requirement.insert(SCHEME_NAME.to_owned(), Vec::new());
    }
    Ok(RequestHeaderInput::Security(
        SCHEME_NAME.to_owned(),
        bearer_scheme(),
        requirement,
    ))
}

/// Documented as requiring a token; `Option<AccessToken>` as optional.
/// `Result<AccessToken, AuthError>` is documented as requiring one too: rocket_okapi's impl for
/// `Result` cannot tell that the handler sees the error.
#[cfg_attr(docsrs, doc(cfg(feature = "okapi")))]
impl OpenApiFromRequest<'_> for AccessToken {
    fn from_request_input(
        _gen: &mut OpenApiGenerator,
        _name: String,
        required: bool,
    ) -> rocket_okapi::Result<RequestHeaderInput> {
        token_input(required)
    }
}

/// Documented as requiring a token.
#[cfg_attr(docsrs, doc(cfg(feature = "okapi")))]
impl OpenApiFromRequest<'_> for Organization {
    fn from_request_input(
        _gen: &mut OpenApiGenerator,
        _name: String,
        required: bool,
    ) -> rocket_okapi::Result<RequestHeaderInput> {
        token_input(required)
    }
}

/// Documented as requiring a token; the scopes and organization of `R` come from the
/// `#[requires]` declaration when the document is secured.
#[cfg_attr(docsrs, doc(cfg(feature = "okapi")))]
impl<R: Requirement> OpenApiFromRequest<'_> for Authorized<R> {
    fn from_request_input(
        _gen: &mut OpenApiGenerator,
        _name: String,
        required: bool,
    ) -> rocket_okapi::Result<RequestHeaderInput> {
        token_input(required)
    }
}

/// Nothing to document: it checks no token.
#[cfg_attr(docsrs, doc(cfg(feature = "okapi")))]
impl<'r> OpenApiFromRequest<'r> for &'r Validator {
    fn from_request_input(
        _gen: &mut OpenApiGenerator,
        _name: String,
        _required: bool,
    ) -> rocket_okapi::Result<RequestHeaderInput> {
        Ok(RequestHeaderInput::None)
    }
}

/// Nothing to document: the hidden parameter of a marked handler, which checks nothing.
#[doc(hidden)]
impl<H> OpenApiFromRequest<'_> for Mounted<H> {
    fn from_request_input(
        _gen: &mut OpenApiGenerator,
        _name: String,
        _required: bool,
    ) -> rocket_okapi::Result<RequestHeaderInput> {
        Ok(RequestHeaderInput::None)
    }
}
