//! utoipa: Logto's OAuth 2.0 scheme and, for the routes a Rocket app mounts, each operation's
//! security from its `#[requires]`, as a [`utoipa::Modify`].
//!
//! For apps that document with utoipa (`#[utoipa::path]`, `#[derive(OpenApi)]`) rather than
//! rocket_okapi. Build [`LogtoSecurity`] from the ignited Rocket, then modify the document:
//!
//! ```
//! use logto_guard::utoipa::LogtoSecurity;
//! use logto_guard::{Config, LogtoGuard, requires};
//! use utoipa::{Modify, OpenApi};
//!
//! #[utoipa::path(get, path = "/orders", responses((status = 200, description = "The orders")))]
//! #[requires(resource = "https://api.example.com", scope = "read:orders")]
//! #[rocket::get("/orders")]
//! fn utoipa_orders() -> &'static str {
//!     "[]"
//! }
//!
//! #[derive(OpenApi)]
//! #[openapi(paths(utoipa_orders))]
//! struct ApiDoc;
//!
//! # rocket::async_test(async {
//! let rocket = rocket::build()
//!     .attach(LogtoGuard::with_config(Config::new("https://my-tenant.logto.app")))
//!     .mount("/", rocket::routes![utoipa_orders])
//!     .ignite()
//!     .await?;
//! let mut document = ApiDoc::openapi();
//! LogtoSecurity::from_rocket(&rocket, "https://api.example.com")
//!     .expect("the fairing ran")
//!     .modify(&mut document);
//!
//! let document = serde_json::to_value(&document).unwrap();
//! let operation = &document["paths"]["/orders"]["get"];
//! assert_eq!(operation["security"], serde_json::json!([{"logto": ["read:orders"]}]));
//! # Ok::<(), rocket::Error>(())
//! # }).unwrap();
//! ```
//!
//! Only mounted `#[requires]` routes get a security requirement; the document's paths must be
//! the mounted ones (mount point included, `{name}` for `<name>`). Serve the document as you
//! like; Logto's `resource` parameter must reach the token request as the
//! [`okapi`](crate::okapi) module docs explain.

use rocket::{Phase, Rocket, Route};
use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::security::{
    AuthorizationCode, ClientCredentials, Flow, OAuth2, Scopes, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{Components, OpenApi, RefOr, Response};

use crate::declaration::Declaration;
pub use crate::openapi::SCHEME_NAME;
use crate::openapi::{
    FORBIDDEN, LogtoOAuth, RESOURCE_EXTENSION, SEGMENT_DESCRIPTION, UNAUTHORIZED, context_note,
    openapi_path, requirement_scopes, with_note,
};
use crate::organization::OrganizationRule;
use crate::rocket::LogtoGuard;

/// Adds Logto's OAuth 2.0 scheme (`logto`: authorization code with PKCE and client
/// credentials, the declared permissions as scopes) and, to the operation of each mounted
/// `#[requires]` route, its security: all-of scopes as one requirement, `any` as one
/// requirement per scope; organization routes say so in their description and document their
/// organization segment; 401 and 403 responses.
#[cfg_attr(docsrs, doc(cfg(feature = "utoipa")))]
#[derive(Debug, Clone)]
pub struct LogtoSecurity {
    oauth: LogtoOAuth,
    /// Each mounted `#[requires]` route: method, OpenAPI path (mount point included), and its
    /// declaration.
    operations: Vec<(String, String, &'static Declaration)>,
}

impl LogtoSecurity {
    /// For tokens that `issuer` (`<endpoint>/oidc`) issues for `resource`, and the
    /// `#[requires]` handlers of `routes` (as mounted).
    #[must_use]
    pub fn new<'r>(
        issuer: &str,
        resource: impl Into<String>,
        routes: impl IntoIterator<Item = &'r Route>,
    ) -> Self {
        let operations: Vec<_> = routes
            .into_iter()
            .filter_map(|route| {
                let declaration = Declaration::all().find(|d| d.handler.is_route(route))?;
                let path = openapi_path(route.uri.path());
                Some((route.method.as_str().to_owned(), path, declaration))
            })
            .collect();
        let declarations = operations.iter().map(|(_, _, declaration)| *declaration);
        Self {
            oauth: LogtoOAuth::new(issuer, resource.into(), declarations),
            operations,
        }
    }

    /// For the issuer of the fairing's validator and the routes `rocket` mounts; `None`
    /// before ignite or without [`LogtoGuard`].
    #[must_use]
    pub fn from_rocket<P: Phase>(rocket: &Rocket<P>, resource: impl Into<String>) -> Option<Self> {
        let validator = LogtoGuard::validator(rocket)?;
        Some(Self::new(validator.issuer(), resource, rocket.routes()))
    }

    fn scheme(&self) -> SecurityScheme {
        let oauth = &self.oauth;
        let scopes = || Scopes::from_iter(oauth.scopes.clone());
        let mut scheme = OAuth2::with_description(
            [
                Flow::AuthorizationCode(AuthorizationCode::new(
                    oauth.authorization_url(),
                    oauth.token_url(),
                    scopes(),
                )),
                Flow::ClientCredentials(ClientCredentials::new(oauth.token_url(), scopes())),
            ],
            oauth.description(),
        );
        scheme.extensions = Some(
            [(RESOURCE_EXTENSION, oauth.resource.as_str())]
                .into_iter()
                .collect(),
        );
        SecurityScheme::OAuth2(scheme)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "utoipa")))]
impl Modify for LogtoSecurity {
    fn modify(&self, openapi: &mut OpenApi) {
        openapi
            .components
            .get_or_insert_with(Components::new)
            .add_security_scheme(SCHEME_NAME, self.scheme());
        for (method, path, declaration) in &self.operations {
            let operation = openapi
                .paths
                .paths
                .get_mut(path)
                .and_then(|item| operation_mut(item, method));
            if let Some(operation) = operation {
                secure(operation, declaration);
            }
        }
    }
}

fn operation_mut<'a>(item: &'a mut PathItem, method: &str) -> Option<&'a mut Operation> {
    match method {
        "GET" => item.get.as_mut(),
        "PUT" => item.put.as_mut(),
        "POST" => item.post.as_mut(),
        "DELETE" => item.delete.as_mut(),
        "OPTIONS" => item.options.as_mut(),
        "HEAD" => item.head.as_mut(),
        "PATCH" => item.patch.as_mut(),
        "TRACE" => item.trace.as_mut(),
        _ => None,
    }
}

fn secure(operation: &mut Operation, declaration: &Declaration) {
    if let Some(note) = context_note(declaration) {
        operation.description = Some(with_note(operation.description.take(), note));
    }
    if let OrganizationRule::Segment(segment) = declaration.organization {
        let parameter = operation
            .parameters
            .iter_mut()
            .flatten()
            .find_map(|parameter| match parameter {
                RefOr::T(parameter)
                    if parameter.parameter_in == ParameterIn::Path && parameter.name == segment =>
                {
                    Some(parameter)
                }
                _ => None,
            });
        if let Some(parameter) = parameter {
            parameter.description = Some(SEGMENT_DESCRIPTION.to_owned());
        }
    }
    operation.security = Some(
        requirement_scopes(declaration)
            .into_iter()
            .map(|scopes| SecurityRequirement::new(SCHEME_NAME, scopes))
            .collect(),
    );
    for (status, description) in [UNAUTHORIZED, FORBIDDEN] {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(Response::new(description)));
    }
}
