//! What an OpenAPI document says about Logto, whichever crate writes it (rocket_okapi or
//! utoipa): the OAuth 2.0 scheme's endpoints and scopes, and each `#[requires]` handler's
//! security and token context.

use std::collections::BTreeMap;

use crate::declaration::Declaration;
use crate::organization::OrganizationRule;
use crate::requirement::{ActorRule, Audience, ClientRule, ScopeMode};

#[cfg(feature = "okapi")]
pub mod okapi;
#[cfg(feature = "utoipa")]
pub mod utoipa;

/// Each permission that `declarations` name, with the description of its best-ranked
/// declaration ([`Declaration::description_rank`]): resource permissions keyed by
/// `(Some(indicator), scope)`, organization permissions by `(None, scope)`.
pub(crate) fn permission_descriptions<'a>(
    declarations: impl IntoIterator<Item = &'a Declaration>,
) -> BTreeMap<(Option<&'static str>, &'static str), Option<&'static str>> {
    let mut ranks: BTreeMap<_, Option<(bool, &'static str)>> = BTreeMap::new();
    for declaration in declarations {
        let rank = declaration.description_rank();
        for scope in declaration.scopes {
            let best = ranks.entry((declaration.resource(), *scope)).or_default();
            if rank.is_some() && best.is_none_or(|best| rank < Some(best)) {
                *best = rank;
            }
        }
    }
    ranks
        .into_iter()
        .map(|(permission, rank)| (permission, rank.map(|(_, description)| description)))
        .collect()
}

/// The name of Logto's security scheme in the document.
pub const SCHEME_NAME: &str = "logto";

/// The extension of the scheme that names the resource indicator tokens are requested for.
pub(crate) const RESOURCE_EXTENSION: &str = "x-logto-resource";

/// The description of an organization path segment.
pub(crate) const SEGMENT_DESCRIPTION: &str =
    "The Logto organization id; the token must be for this organization.";

/// The responses of an operation that requires a token.
pub(crate) const UNAUTHORIZED: (&str, &str) = ("401", "No valid access token (`invalid_token`).");
pub(crate) const FORBIDDEN: (&str, &str) = (
    "403",
    "The token lacks a required scope or is for another context (`insufficient_scope`).",
);

/// Logto as the OAuth 2.0 authorization server of one API resource.
#[derive(Debug, Clone)]
pub(crate) struct LogtoOAuth {
    issuer: String,
    pub(crate) resource: String,
    /// Permission name → description: the resource's, then the organization permissions.
    pub(crate) scopes: BTreeMap<String, String>,
}

impl LogtoOAuth {
    /// For tokens that `issuer` (`<endpoint>/oidc`) issues for `resource`, with the
    /// permissions that `declarations` name.
    pub(crate) fn new<'a>(
        issuer: &str,
        resource: String,
        declarations: impl IntoIterator<Item = &'a Declaration>,
    ) -> Self {
        let permissions = permission_descriptions(declarations);
        let resource_permissions = permissions
            .iter()
            .filter(|((of, _), _)| *of == Some(resource.as_str()))
            .map(|((_, name), description)| {
                (
                    (*name).to_owned(),
                    description.unwrap_or_default().to_owned(),
                )
            });
        // Organization permissions are granted in organization tokens only; saying so lets a
        // reader tell them from the resource's own. Named by both, a scope is described as
        // the organization's.
        let organization_permissions = permissions.iter().filter(|((of, _), _)| of.is_none()).map(
            |((_, name), description)| {
                let description = match description {
                    Some(description) => format!("Organization permission: {description}"),
                    None => "Organization permission".to_owned(),
                };
                ((*name).to_owned(), description)
            },
        );
        let scopes = resource_permissions
            .chain(organization_permissions)
            .collect();
        Self {
            issuer: issuer.trim_end_matches('/').to_owned(),
            resource,
            scopes,
        }
    }

    /// Logto's authorization endpoint, `<issuer>/auth`.
    pub(crate) fn authorization_url(&self) -> String {
        format!("{}/auth", self.issuer)
    }

    /// Logto's token endpoint, `<issuer>/token`.
    pub(crate) fn token_url(&self) -> String {
        format!("{}/token", self.issuer)
    }

    /// The scheme's description: what every viewer must send.
    pub(crate) fn description(&self) -> String {
        format!(
            "Logto. Both the authorization request and the token request must carry \
             `resource={}` (RFC 8707), or Logto issues an opaque token that this API cannot \
             verify; use PKCE with the authorization code flow.",
            self.resource
        )
    }
}

/// The security of a `#[requires]` handler, as the scopes of each alternative requirement:
/// one with every scope, or with `any` one per scope.
pub(crate) fn requirement_scopes(declaration: &Declaration) -> Vec<Vec<String>> {
    let owned = |scopes: &[&str]| scopes.iter().map(|scope| (*scope).to_owned()).collect();
    match (declaration.mode, declaration.scopes) {
        (ScopeMode::Any, scopes) if !scopes.is_empty() => {
            scopes.iter().map(|scope| owned(&[scope])).collect()
        }
        (_, scopes) => vec![owned(scopes)],
    }
}

/// Which token context the handler needs beyond its scopes, for the operation's description.
pub(crate) fn context_note(declaration: &Declaration) -> Option<String> {
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
    let actor = match declaration.actor {
        ActorRule::Forbidden => {
            Some("Refuses tokens issued on behalf of another user (Logto impersonation, `act`).")
        }
        ActorRule::Required => Some(
            "Accepts only tokens issued on behalf of another user (Logto impersonation, `act`).",
        ),
        ActorRule::Any => None,
    };
    let clients = declaration
        .client_group
        .map(|group| format!("Only the applications of client group `{group}` (by `client_id`)."));
    let check = declaration
        .custom_check
        .map(|_| "The route also applies a custom check of the token (403 when it refuses).");
    let notes: Vec<&str> = organization
        .as_deref()
        .into_iter()
        .chain(client)
        .chain(clients.as_deref())
        .chain(actor)
        .chain(check)
        .collect();
    (!notes.is_empty()).then(|| notes.join(" "))
}

/// `description` with `note` appended as a paragraph.
pub(crate) fn with_note(description: Option<String>, note: String) -> String {
    match description {
        Some(description) => format!("{description}\n\n{note}"),
        None => note,
    }
}

/// `/orders/<id>` and `/files/<path..>` as OpenAPI writes them: `/orders/{id}`, `/files/{path}`.
pub(crate) fn openapi_path(rocket_path: &str) -> String {
    rocket_path
        .replace('<', "{")
        .replace("..>", "}")
        .replace('>', "}")
}
