//! What `#[requires]`, `#[guarded]` and `#[public]` leave in the binary: the requirement of
//! each handler and where that handler is, collected at start-up for the manifest, the
//! metadata and the route audit.

use crate::custom_check::CustomCheck;
use crate::organization::OrganizationRule;
use crate::requirement::{ActorRule, Audience, ClientRule, Requirement, ScopeMode};

/// A route handler as its route attribute declares it, and where it is in the source.
///
/// A Rocket route carries only the fn name, method and URI of its handler, so a mounted route
/// is matched on all three: two handlers named `list` in two modules are told apart by their
/// method or URI. Two that agree on all three are not, which is why the route audit and the
/// resources a plain `AccessToken` trusts count a marked handler only once it proved at ignite
/// that it is mounted itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct HandlerSite {
    /// The handler function's name.
    pub name: &'static str,
    /// The route's method, as Rocket names it (`"GET"`).
    pub method: &'static str,
    /// The route's URI as the attribute declares it, before any mount point
    /// (`"/orders/<id>?<q>"`).
    pub uri: &'static str,
    /// `module_path!()` of the handler.
    pub module: &'static str,
}

impl HandlerSite {
    /// For generated code: a new field never breaks what the macros emit.
    #[doc(hidden)]
    #[must_use]
    pub const fn __new(
        name: &'static str,
        method: &'static str,
        uri: &'static str,
        module: &'static str,
    ) -> Self {
        Self {
            name,
            method,
            uri,
            module,
        }
    }

    /// The path part of [`uri`](Self::uri), which Rocket routes on.
    #[must_use]
    pub fn path(&self) -> &'static str {
        self.uri.split_once('?').map_or(self.uri, |(path, _)| path)
    }

    /// Whether `route`, mounted anywhere, is this handler's: the same fn name, method and
    /// path as declared.
    #[cfg(feature = "rocket")]
    #[must_use]
    pub(crate) fn is_route(&self, route: &rocket::Route) -> bool {
        route.name.as_deref() == Some(self.name)
            && route.method.as_str() == self.method
            && route.uri.unmounted_origin.path().as_str() == self.path()
    }
}

/// One `#[requires]` as written on a handler: what the scope manifest is built from.
///
/// With [`Audience::Organization`] the declaration is for an **organization token**, and its
/// `scopes` are organization permissions (Logto's organization template), not permissions of
/// an API resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Declaration {
    /// What the token's `aud` must name.
    pub audience: Audience<'static>,
    /// The scopes; empty means any valid token for the audience.
    pub scopes: &'static [&'static str],
    /// All of the scopes, or any one.
    pub mode: ScopeMode,
    /// The `description` argument, if any.
    pub description: Option<&'static str>,
    /// The `organization` argument: none, any organization, optional, or the route segment
    /// naming it.
    pub organization: OrganizationRule,
    /// The `client` argument: any client, only machine-to-machine apps, or only users.
    pub client: ClientRule,
    /// The `actor` argument: whether tokens issued on behalf of another user pass.
    pub actor: ActorRule,
    /// The `clients` argument: the client group whose applications may hold the token.
    pub client_group: Option<&'static str>,
    /// The `check` argument: the handler's own rule, run after the others.
    pub custom_check: Option<CustomCheck>,
    /// The handler it is written on.
    pub handler: HandlerSite,
}

inventory::collect!(Declaration);

impl Declaration {
    /// For generated code: the declaration of requirement `R` on `handler`.
    #[doc(hidden)]
    #[must_use]
    pub const fn __new<R: Requirement>(handler: HandlerSite) -> Self {
        Self {
            actor: R::ACTOR,
            client_group: R::CLIENT_GROUP,
            custom_check: R::CUSTOM_CHECK,
            ..Self::__with(
                R::AUDIENCE,
                R::SCOPES,
                R::MODE,
                R::DESCRIPTION,
                R::ORGANIZATION,
                R::CLIENT,
                handler,
            )
        }
    }

    /// For tests that write out what `#[requires]` generates; the rules added since (`actor`,
    /// `clients`, `check`) take their defaults.
    #[doc(hidden)]
    #[must_use]
    pub const fn __with(
        audience: Audience<'static>,
        scopes: &'static [&'static str],
        mode: ScopeMode,
        description: Option<&'static str>,
        organization: OrganizationRule,
        client: ClientRule,
        handler: HandlerSite,
    ) -> Self {
        Self {
            audience,
            scopes,
            mode,
            description,
            organization,
            client,
            actor: ActorRule::Any,
            client_group: None,
            custom_check: None,
            handler,
        }
    }

    /// Every declaration linked into this binary, in no particular order.
    pub fn all() -> impl Iterator<Item = &'static Declaration> {
        inventory::iter::<Declaration>.into_iter()
    }

    /// How this declaration ranks as the source of its scopes' descriptions, smaller first:
    /// one that names only one scope describes exactly that scope, so it wins over one shared
    /// by several scopes; among equals, the alphabetically first description wins. `None`
    /// without a description.
    #[cfg(any(feature = "manifest", feature = "okapi", feature = "utoipa"))]
    pub(crate) fn description_rank(&self) -> Option<(bool, &'static str)> {
        self.description
            .map(|description| (self.scopes.len() != 1, description))
    }

    /// The resource indicator, when the audience is a resource.
    #[must_use]
    pub fn resource(&self) -> Option<&'static str> {
        match self.audience {
            Audience::Resource(resource) => Some(resource),
            Audience::Organization => None,
        }
    }
}

/// A `#[public]` or `#[guarded]` on a handler, left in the binary for the route audit.
///
/// Generated code submits these with `inventory`; not a public API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteMarker {
    /// What the handler was marked as.
    pub kind: MarkerKind,
    /// The handler it is written on.
    pub handler: HandlerSite,
}

/// What a [`RouteMarker`] says about its handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    /// `#[public]`: reachable without a token, on purpose.
    Public,
    /// `#[guarded]`: a parameter of the handler checks the token.
    Guarded,
}

inventory::collect!(RouteMarker);
