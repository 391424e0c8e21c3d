//! Logto organizations: which organization a token is for, and the organization part of a
//! requirement.
//!
//! Logto issues two kinds of organization-bound access tokens:
//!
//! - an **organization token** (requested with `organization_id` and no `resource`): `aud` is
//!   `urn:logto:organization:<organization id>` and `scope` holds organization permissions;
//! - an **organization-level API resource token** (requested with both `resource` and
//!   `organization_id`): `aud` is the resource indicator and the `organization_id` claim names
//!   the organization.
//!
//! [`AccessToken::organization_id`] reads the organization of either kind.

use crate::error::AuthError;
use crate::token::AccessToken;

/// The organization part of a [`Requirement`](crate::Requirement), known at compile time.
///
/// Whether the token must be an organization token or an organization-level API resource
/// token follows from the requirement's [`AUDIENCE`](crate::Requirement::AUDIENCE):
/// [`Audience::Organization`](crate::Audience::Organization) means an organization token
/// (`aud` = `urn:logto:organization:<id>`, always for some organization), a resource means a
/// token for that resource, which carries an `organization_id` claim exactly when it is
/// organization-level.
///
/// A grant holds only in its context (Logto's "What to check for each permission model"):
/// the scopes of an organization-level API resource token come from the caller's role **in
/// that organization**, so such a token is refused on a route that is not for an
/// organization (`None`) unless the route says it serves both kinds (`Optional`).
///
/// | `#[requires]` | rule |
/// | --- | --- |
/// | no `organization` | `None` |
/// | `organization` | `Any` |
/// | `organization = "<org_id>"` | `Segment("org_id")` |
/// | `organization = optional` | `Optional` |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OrganizationRule {
    /// The route is not for an organization (the default): a token bound to one is refused
    /// with [`AuthError::OrganizationNotAllowed`]. An organization token (audience
    /// [`Audience::Organization`](crate::Audience::Organization)) is always for some
    /// organization, so there this reads as `Any`.
    #[default]
    None,
    /// The token must be for an organization, any one.
    Any,
    /// The route serves both kinds on purpose: a token for the resource with or without an
    /// `organization_id`. The handler must then scope its data by
    /// [`AccessToken::organization_id`] itself.
    Optional,
    /// The token must be for the organization whose id is the value of this dynamic path
    /// segment of the matched route (the name without `<` and `>`, e.g. `"org_id"` for
    /// `/organizations/<org_id>/members`).
    Segment(&'static str),
}

/// The organization part of a [`Policy`](crate::Policy): a [`OrganizationRule`] with the
/// route segment already read, so it can be checked without any web framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OrganizationMatch<'a> {
    /// The token must not be bound to an organization (the default); see
    /// [`OrganizationRule::None`].
    #[default]
    None,
    /// The token must be for an organization, any one.
    Any,
    /// With or without an organization, on purpose; see [`OrganizationRule::Optional`].
    Optional,
    /// The token must be for exactly this organization id.
    Id(&'a str),
    /// The token must be for the organization named by this route segment, whose value is not
    /// read yet: what [`Requirement::policy`](crate::Requirement::policy) gives for
    /// [`OrganizationRule::Segment`]. It matches **no** token
    /// ([`AuthError::NotConfigured`]) until [`Policy::in_organization`](crate::Policy::in_organization)
    /// puts the segment's value in its place, so a forgotten narrowing fails closed instead of
    /// accepting every organization.
    Segment(&'a str),
}

/// The organization a verified token is for; a Rocket request guard too.
///
/// As a handler parameter it accepts what [`AccessToken`] accepts, and then requires the token
/// to be for an organization (an organization token, or an organization-level API resource
/// token): otherwise the request is refused with 403 `insufficient_scope`
/// ([`AuthError::OrganizationRequired`]). It does **not** compare the organization with the
/// path: for that, write `#[requires(organization = "<org_id>", ...)]` on the handler.
///
/// ```
/// use logto_guard::{Organization, requires};
///
/// #[requires(organization = "<org_id>", scope = "read:members")]
/// #[rocket::get("/organizations/<org_id>/members")]
/// fn members(org_id: &str, organization: Organization) -> String {
///     assert_eq!(org_id, organization.id());
///     format!("members of {}", organization.id())
/// }
/// ```
///
/// Without Rocket, [`Organization::of`] reads it from a verified token.
#[derive(Debug, Clone)]
pub struct Organization {
    id: String,
    token: AccessToken,
}

impl Organization {
    /// The organization of `token`, or [`AuthError::OrganizationRequired`] if it has none.
    pub fn of(token: &AccessToken) -> Result<Self, AuthError> {
        let id = token
            .organization_id()
            .ok_or(AuthError::OrganizationRequired)?;
        Ok(Self {
            id: id.to_owned(),
            token: token.clone(),
        })
    }

    /// The organization id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The verified token.
    #[must_use]
    pub fn token(&self) -> &AccessToken {
        &self.token
    }
}
