//! The manifest's data: resources, their permissions, and the handlers that need them.

use serde::{Deserialize, Serialize};

/// Every resource and permission the code requires; see the [module docs](super) for the JSON.
///
/// Built by [`Manifest::collect`], [`Manifest::collect_with_routes`] or
/// [`Manifest::from_declarations`]; always sorted, so equal code gives equal manifests.
/// Serde writes it in the order its fields are declared ([`Manifest::to_json`]) and reads a
/// committed file back ([`Manifest::check_file`]), rejecting keys the layout does not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    version: u32,
    resources: Vec<Resource>,
    /// Present only when some handler names an organization permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<Organization>,
    #[serde(skip)]
    warnings: Vec<String>,
}

/// The `organization` section: Logto's organization permissions (organization scopes of the
/// organization template, tenant-wide, not under an API resource).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Organization {
    permissions: Vec<Permission>,
}

/// One API resource: its indicator, the name to create it with, and its permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Resource {
    /// The API identifier (resource indicator), as declared.
    pub indicator: String,
    /// The name `sync` gives the resource when it creates it in Logto.
    pub name: String,
    /// The permissions (scopes), sorted by name.
    pub permissions: Vec<Permission>,
    /// Handlers that accept any valid token for this resource, sorted by name.
    pub any_token_handlers: Vec<Handler>,
}

/// One permission (scope) of a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Permission {
    /// The scope name, e.g. `read:orders`.
    pub name: String,
    /// The description registered with it in Logto, if a handler gave one.
    pub description: Option<String>,
    /// The handlers that name this scope, sorted by name.
    pub handlers: Vec<Handler>,
}

/// A handler that declared a requirement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Handler {
    /// `module::path::fn_name`.
    pub name: String,
    /// The organization context of a route for organizations: `"any"` (any organization),
    /// `"<org_id>"` (the one the route segment names) or `"optional"` (with or without one).
    /// Absent for a route that is not for an organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Whether the handler refuses (`"forbidden"`) or requires (`"required"`) tokens issued
    /// on behalf of another user (Logto impersonation, `act`). Absent when it accepts both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The client group whose applications may call it (`#[requires(clients = ..)]`). Absent
    /// when any application may.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clients: Option<String>,
    /// The path of its custom check (`#[requires(check = ..)]`). Absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// Where it is mounted, when collected with routes; `Some(vec![])` means not mounted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<MountedRoute>>,
    /// The handler as declared, which mounted routes are matched with.
    #[serde(skip)]
    pub(super) declared: Option<crate::declaration::HandlerSite>,
}

/// A route a handler is mounted at. Ordered by path, then method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MountedRoute {
    /// The HTTP method, e.g. `GET`.
    pub method: String,
    /// The mounted path, without the query, e.g. `/orders/<id>`.
    pub path: String,
}

impl Ord for MountedRoute {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.path, &self.method).cmp(&(&other.path, &other.method))
    }
}

impl PartialOrd for MountedRoute {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl MountedRoute {
    /// A route at `method` `path`.
    #[must_use]
    pub fn new(method: impl Into<String>, path: impl Into<String>) -> Self {
        Self {
            method: method.into(),
            path: path.into(),
        }
    }
}

impl Manifest {
    /// The version of the JSON layout this crate writes.
    pub const VERSION: u32 = 1;

    pub(super) fn from_parts(
        resources: Vec<Resource>,
        organization_permissions: Vec<Permission>,
        warnings: Vec<String>,
    ) -> Self {
        let organization = (!organization_permissions.is_empty()).then_some(Organization {
            permissions: organization_permissions,
        });
        let mut manifest = Self {
            version: Self::VERSION,
            resources,
            organization,
            warnings,
        };
        manifest.normalize();
        manifest
    }

    /// The resources, sorted by indicator.
    #[must_use]
    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    /// The resource with this indicator, if the code declares it.
    #[must_use]
    pub fn resource(&self, indicator: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.indicator == indicator)
    }

    /// The organization permissions (scopes of organization tokens, `#[requires(organization,
    /// scope = ...)]` without a resource), sorted by name; empty when there are none.
    #[must_use]
    pub fn organization_permissions(&self) -> &[Permission] {
        self.organization
            .as_ref()
            .map_or(&[], |organization| organization.permissions.as_slice())
    }

    /// The organization permission with this name, if declared.
    #[must_use]
    pub fn organization_permission(&self, name: &str) -> Option<&Permission> {
        self.organization_permissions()
            .iter()
            .find(|p| p.name == name)
    }

    /// Whether the manifest has an `organization` section, i.e. names organization
    /// permissions: only then does `sync` look at (and, with prune, delete) Logto's
    /// organization permissions.
    #[must_use]
    pub fn has_organization_permissions(&self) -> bool {
        self.organization.is_some()
    }

    /// Whether the manifest names no resource and no organization permission. (An
    /// organization-token handler declared without scopes names neither.)
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty() && self.organization.is_none()
    }

    /// Things worth a look that do not stop the manifest: conflicting descriptions, handlers
    /// that are not mounted, an unknown resource name override.
    /// The `manifest` and `sync` subcommands print them on stderr.
    #[must_use]
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Sets the name `sync` gives the resource `indicator` when it creates it in Logto (the
    /// default is the indicator's host). Logto keeps the name of an existing resource.
    ///
    /// An indicator no handler declares is reported in [`warnings`](Self::warnings).
    ///
    /// ```
    /// use logto_guard::manifest::Manifest;
    ///
    /// let manifest = Manifest::collect().with_resource_name("https://api.example.com", "Orders API");
    /// # let _ = manifest;
    /// ```
    #[must_use]
    pub fn with_resource_name(mut self, indicator: &str, name: impl Into<String>) -> Self {
        match self.resources.iter_mut().find(|r| r.indicator == indicator) {
            Some(resource) => resource.name = name.into(),
            None => {
                self.warnings.push(format!(
                    "with_resource_name: no handler declares the resource `{indicator}`; check \
                     its spelling against the `resource` of your #[requires]"
                ));
                self.warnings.sort();
            }
        }
        self
    }

    /// The manifest as pretty JSON with a final newline: what `manifest` prints and what a
    /// committed manifest file holds.
    ///
    /// ```
    /// use logto_guard::manifest::Manifest;
    ///
    /// let json = Manifest::from_declarations([]).to_json();
    /// assert_eq!(json, "{\n  \"version\": 1,\n  \"resources\": []\n}\n");
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        // Structs, strings, numbers and sequences only: nothing here can fail to serialize.
        let mut json = serde_json::to_string_pretty(self)
            .expect("a manifest is plain data, which always serializes");
        json.push('\n');
        json
    }

    /// Every handler of every permission (resources' and organization's) and every
    /// any-token handler.
    #[cfg(feature = "rocket")]
    pub(super) fn handlers_mut(&mut self) -> Vec<&mut Handler> {
        let mut handlers: Vec<&mut Handler> = Vec::new();
        for resource in &mut self.resources {
            handlers.extend(
                resource
                    .permissions
                    .iter_mut()
                    .flat_map(|p| p.handlers.iter_mut())
                    .chain(resource.any_token_handlers.iter_mut()),
            );
        }
        if let Some(organization) = &mut self.organization {
            handlers.extend(
                organization
                    .permissions
                    .iter_mut()
                    .flat_map(|p| p.handlers.iter_mut()),
            );
        }
        handlers
    }

    #[cfg(feature = "rocket")]
    pub(super) fn push_warning(&mut self, warning: String) {
        self.warnings.push(warning);
    }

    /// Sorts everything, so equal content renders identically.
    pub(super) fn normalize(&mut self) {
        self.resources.sort_by(|a, b| a.indicator.cmp(&b.indicator));
        for resource in &mut self.resources {
            resource.permissions.sort_by(|a, b| a.name.cmp(&b.name));
            for permission in &mut resource.permissions {
                sort_handlers(&mut permission.handlers);
            }
            sort_handlers(&mut resource.any_token_handlers);
        }
        if let Some(organization) = &mut self.organization {
            organization.permissions.sort_by(|a, b| a.name.cmp(&b.name));
            for permission in &mut organization.permissions {
                sort_handlers(&mut permission.handlers);
            }
        }
        self.warnings.sort();
        self.warnings.dedup();
    }
}

fn sort_handlers(handlers: &mut Vec<Handler>) {
    for handler in handlers.iter_mut() {
        if let Some(routes) = &mut handler.routes {
            routes.sort();
            routes.dedup();
        }
    }
    handlers.sort();
    handlers.dedup();
}

impl Resource {
    /// The permission with this name, if declared.
    #[must_use]
    pub fn permission(&self, name: &str) -> Option<&Permission> {
        self.permissions.iter().find(|p| p.name == name)
    }
}
