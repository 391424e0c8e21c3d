//! Logto's OAuth 2.0 security scheme, and each operation's security from its `#[requires]`.

use std::collections::BTreeMap;

use rocket_okapi::okapi::openapi3::{
    OpenApi, Operation, Parameter, PathItem, RefOr, Response, SecurityRequirement,
};
use serde_json::{Value, json};

use super::SCHEME_NAME;
use crate::declaration::Declaration;
use crate::manifest::Manifest;
use crate::organization::OrganizationRule;
use crate::requirement::{Audience, ClientRule, ScopeMode};

/// Logto as an OAuth 2.0 authorization server for one API resource: what an OpenAPI document
/// needs to say how to obtain a token, and which scopes each operation requires.
///
/// ```
/// use logto_guard::okapi::OpenApiSecurity;
/// use rocket_okapi::okapi::openapi3::OpenApi;
///
/// let security = OpenApiSecurity::new("https://my-tenant.logto.app/oidc", "https://api.example.com");
/// let document = security.apply(OpenApi::default());
/// let flows = &document["components"]["securitySchemes"]["logto"]["flows"];
/// assert_eq!(flows["clientCredentials"]["tokenUrl"], "https://my-tenant.logto.app/oidc/token");
/// assert_eq!(
///     flows["authorizationCode"]["authorizationUrl"],
///     "https://my-tenant.logto.app/oidc/auth"
/// );
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "okapi")))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenApiSecurity {
    issuer: String,
    resource: String,
    scopes: BTreeMap<String, String>,
    declarations: Vec<&'static Declaration>,
}

impl OpenApiSecurity {
    /// The scheme for tokens that `issuer` (`<endpoint>/oidc`, as
    /// [`Validator::issuer`](crate::Validator::issuer) gives it) issues for `resource`, with
    /// the scopes and per-operation requirements of every `#[requires]` in this binary.
    #[must_use]
    pub fn new(issuer: impl Into<String>, resource: impl Into<String>) -> Self {
        Self::from_declarations(issuer, resource, Declaration::all())
    }

    /// As [`new`](Self::new), from these declarations only.
    #[must_use]
    pub fn from_declarations(
        issuer: impl Into<String>,
        resource: impl Into<String>,
        declarations: impl IntoIterator<Item = &'static Declaration>,
    ) -> Self {
        let declarations: Vec<_> = declarations.into_iter().collect();
        let resource = resource.into();
        let manifest = Manifest::from_declarations(declarations.iter().copied());
        let resource_permissions = manifest
            .resource(&resource)
            .map(|resource| resource.permissions.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|permission| {
                let description = permission.description.clone().unwrap_or_default();
                (permission.name.clone(), description)
            });
        // Organization permissions are granted in organization tokens only; saying so lets a
        // reader tell them from the resource's own.
        let organization_permissions =
            manifest
                .organization_permissions()
                .iter()
                .map(|permission| {
                    let description = match &permission.description {
                        Some(description) => format!("Organization permission: {description}"),
                        None => "Organization permission".to_owned(),
                    };
                    (permission.name.clone(), description)
                });
        let scopes = resource_permissions
            .chain(organization_permissions)
            .collect();
        Self {
            issuer: issuer.into().trim_end_matches('/').to_owned(),
            resource,
            scopes,
            declarations,
        }
    }

    /// The resource indicator tokens are requested for.
    #[must_use]
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// Logto's authorization endpoint, `<issuer>/auth`.
    #[must_use]
    pub fn authorization_url(&self) -> String {
        format!("{}/auth", self.issuer)
    }

    /// Logto's token endpoint, `<issuer>/token`.
    #[must_use]
    pub fn token_url(&self) -> String {
        format!("{}/token", self.issuer)
    }

    /// The security scheme object: OAuth 2.0 with the authorization code flow (meant with
    /// PKCE) and the client credentials flow, whose scopes are the permissions the
    /// declarations name, with their descriptions. `x-logto-resource` names the resource
    /// indicator that both requests must carry (RFC 8707).
    ///
    /// It is JSON because okapi's types hold one flow per scheme.
    #[must_use]
    pub fn scheme(&self) -> Value {
        json!({
            "type": "oauth2",
            "description": format!(
                "Logto. Both the authorization request and the token request must carry \
                 `resource={}` (RFC 8707), or Logto issues an opaque token that this API \
                 cannot verify; use PKCE with the authorization code flow.",
                self.resource
            ),
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": self.authorization_url(),
                    "tokenUrl": self.token_url(),
                    "scopes": self.scopes,
                },
                "clientCredentials": {
                    "tokenUrl": self.token_url(),
                    "scopes": self.scopes,
                },
            },
            "x-logto-resource": self.resource,
        })
    }

    /// Secures `spec`, as generated by rocket_okapi: each operation of a `#[requires]`
    /// handler gets that requirement's security (all-of scopes as one requirement, `any` as
    /// one requirement per scope), organization routes say so in their description and
    /// document their organization segment, optional authentication (`Option<AccessToken>`)
    /// becomes a requirement or none, and the `logto` scheme becomes [`scheme`](Self::scheme).
    /// Operations that require a token list 401 and 403 responses.
    ///
    /// An operation is matched with its declaration by method and path (the declared path, or
    /// the end of a path mounted below a base), and by operation id if several match.
    #[must_use]
    pub fn apply(&self, mut spec: OpenApi) -> Value {
        for (path, item) in &mut spec.paths {
            for (method, operation) in operations(item) {
                let declaration = self.declaration_of(method, path, operation);
                secure(operation, declaration);
            }
        }
        let mut document = serde_json::to_value(&spec).unwrap_or_default();
        if let Some(schemes) = document
            .pointer_mut("/components/securitySchemes")
            .and_then(Value::as_object_mut)
        {
            schemes.insert(SCHEME_NAME.to_owned(), self.scheme());
        } else if let Some(document) = document.as_object_mut() {
            let components = document.entry("components").or_insert_with(|| json!({}));
            if let Some(components) = components.as_object_mut() {
                components.insert(
                    "securitySchemes".to_owned(),
                    json!({ SCHEME_NAME: self.scheme() }),
                );
            }
        }
        document
    }

    fn declaration_of(
        &self,
        method: &str,
        path: &str,
        operation: &Operation,
    ) -> Option<&'static Declaration> {
        let matching: Vec<_> = self
            .declarations
            .iter()
            .copied()
            .filter(|declaration| {
                let declared = openapi_path(declaration.handler.path());
                declaration.handler.method == method
                    && (path == declared || is_mounted_below(path, &declared))
            })
            .collect();
        match matching.as_slice() {
            [one] => Some(one),
            several => several.iter().copied().find(|declaration| {
                operation.operation_id.as_deref().is_some_and(|id| {
                    id == declaration.handler.name
                        || id.ends_with(&format!("_{}", declaration.handler.name))
                })
            }),
        }
    }
}

/// `/orders/<id>` and `/files/<path..>` as OpenAPI writes them: `/orders/{id}`, `/files/{path}`.
fn openapi_path(rocket_path: &str) -> String {
    rocket_path
        .replace('<', "{")
        .replace("..>", "}")
        .replace('>', "}")
}

/// `/api/orders` for `/orders`: a mount point before the declared path.
fn is_mounted_below(path: &str, declared: &str) -> bool {
    path.strip_suffix(declared)
        .is_some_and(|base| base.starts_with('/') && !base.ends_with('/'))
}

/// The operations of a path item with Rocket's method names.
fn operations(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("GET", &mut item.get),
        ("PUT", &mut item.put),
        ("POST", &mut item.post),
        ("DELETE", &mut item.delete),
        ("OPTIONS", &mut item.options),
        ("HEAD", &mut item.head),
        ("PATCH", &mut item.patch),
        ("TRACE", &mut item.trace),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.as_mut().map(|operation| (method, operation)))
}

fn requirement(scopes: &[&str]) -> SecurityRequirement {
    let mut requirement = SecurityRequirement::new();
    requirement.insert(
        SCHEME_NAME.to_owned(),
        scopes.iter().map(|scope| (*scope).to_owned()).collect(),
    );
    requirement
}

/// The security of a `#[requires]` handler: one requirement with every scope, or with `any`
/// one requirement per scope (OpenAPI's alternatives).
fn declared_security(declaration: &Declaration) -> Vec<SecurityRequirement> {
    match (declaration.mode, declaration.scopes) {
        (ScopeMode::Any, scopes) if !scopes.is_empty() => {
            scopes.iter().map(|scope| requirement(&[scope])).collect()
        }
        (_, scopes) => vec![requirement(scopes)],
    }
}

/// The security the guards marked (see `guards.rs`): required wins over optional.
fn guarded_security(marks: &[SecurityRequirement]) -> Option<Vec<SecurityRequirement>> {
    let ours = |mark: &SecurityRequirement| mark.contains_key(SCHEME_NAME);
    if marks.iter().any(ours) {
        Some(vec![requirement(&[])])
    } else if marks.iter().any(SecurityRequirement::is_empty) {
        Some(vec![requirement(&[]), SecurityRequirement::new()])
    } else {
        None
    }
}

fn secure(operation: &mut Operation, declaration: Option<&Declaration>) {
    let marks = operation.security.take().unwrap_or_default();
    let security = match declaration {
        Some(declaration) => {
            describe_context(operation, declaration);
            Some(declared_security(declaration))
        }
        None => guarded_security(&marks),
    };
    let required = security
        .as_ref()
        .is_some_and(|security| !security.iter().any(SecurityRequirement::is_empty));
    if required {
        add_response(operation, "401", "No valid access token (`invalid_token`).");
        add_response(
            operation,
            "403",
            "The token lacks a required scope or is for another context (`insufficient_scope`).",
        );
    }
    operation.security = security;
}

fn add_response(operation: &mut Operation, status: &str, description: &str) {
    operation
        .responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| {
            RefOr::Object(Response {
                description: description.to_owned(),
                ..Response::default()
            })
        });
}

/// Says in the description which token context the route needs, beyond its scopes, and
/// documents the organization segment.
fn describe_context(operation: &mut Operation, declaration: &Declaration) {
    let organization = match (declaration.audience, declaration.organization) {
        (Audience::Organization, OrganizationRule::Segment(segment)) => Some(format!(
            "Requires a Logto organization token (`aud` = `urn:logto:organization:<id>`) for \
             the organization in `{{{segment}}}`; the scopes are organization permissions."
        )),
        (Audience::Organization, _) => Some(
            "Requires a Logto organization token (`aud` = `urn:logto:organization:<id>`); the \
             scopes are organization permissions."
                .to_owned(),
        ),
        (Audience::Resource(_), OrganizationRule::Segment(segment)) => Some(format!(
            "Requires an organization-level token for this API whose `organization_id` is the \
             organization in `{{{segment}}}`."
        )),
        (Audience::Resource(_), OrganizationRule::Any) => Some(
            "Requires an organization-level token for this API (with an `organization_id`)."
                .to_owned(),
        ),
        (Audience::Resource(_), OrganizationRule::Optional) => Some(
            "Accepts tokens for this API with or without an organization (`organization_id`)."
                .to_owned(),
        ),
        (Audience::Resource(_), _) => None,
    };
    let client = match declaration.client {
        ClientRule::Machine => Some("Only machine-to-machine apps (client credentials)."),
        ClientRule::User => Some("Only tokens of users, not of machine-to-machine apps."),
        ClientRule::Any => None,
    };
    let notes: Vec<&str> = organization.as_deref().into_iter().chain(client).collect();
    if notes.is_empty() {
        return;
    }
    let notes = notes.join(" ");
    operation.description = Some(match operation.description.take() {
        Some(description) => format!("{description}\n\n{notes}"),
        None => notes,
    });
    if let OrganizationRule::Segment(segment) = declaration.organization {
        document_segment(operation, segment);
    }
}

fn document_segment(operation: &mut Operation, segment: &str) {
    let parameter = operation
        .parameters
        .iter_mut()
        .find_map(|parameter| match parameter {
            RefOr::Object(parameter @ Parameter { .. })
                if parameter.location == "path" && parameter.name == segment =>
            {
                Some(parameter)
            }
            _ => None,
        });
    if let Some(parameter) = parameter {
        parameter.description =
            Some("The Logto organization id; the token must be for this organization.".to_owned());
    }
}
