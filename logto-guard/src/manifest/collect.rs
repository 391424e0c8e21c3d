//! Building a manifest from declarations.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Handler, Manifest, Permission, Resource};
use crate::Declaration;
use crate::organization::OrganizationRule;
use crate::requirement::ActorRule;

/// What the declarations say about one scope of one resource.
#[derive(Default)]
struct ScopeFacts<'a> {
    /// `(description rank, handler)` for every description: the first is the chosen one.
    descriptions: BTreeSet<(bool, &'a str, String)>,
    handlers: BTreeSet<Handler>,
}

#[derive(Default)]
struct ResourceFacts<'a> {
    scopes: BTreeMap<&'a str, ScopeFacts<'a>>,
    any_token: BTreeSet<Handler>,
}

impl Manifest {
    /// Every declaration linked into this binary, as a manifest.
    ///
    /// Handlers are listed without routes; use [`collect_with_routes`](Self::collect_with_routes)
    /// to add where they are mounted.
    #[must_use]
    pub fn collect() -> Self {
        Self::from_declarations(Declaration::all())
    }

    /// A manifest of exactly these declarations (for a subset, or declarations built by hand).
    ///
    /// Resources, permissions and handlers are sorted. A declaration without scopes lists its
    /// handler under the resource's `any_token_handlers`; a resource only such handlers name
    /// has no permissions.
    ///
    /// An organization-token declaration (`#[requires(organization, scope = ...)]`, no
    /// resource) lists its scopes as organization permissions, in the `organization` section,
    /// with the same sorting and description rule; without scopes it names no permission and
    /// is not listed. A declaration with both a resource and an organization rule names
    /// permissions of its resource, as any other.
    ///
    /// A declaration's description is registered for each of its scopes. When handlers give
    /// one scope different descriptions, the manifest takes the one from a declaration that
    /// names only that scope if there is one (it describes exactly that scope), and among
    /// those the alphabetically first; the conflict is reported in
    /// [`warnings`](Self::warnings).
    ///
    /// ```
    /// use logto_guard::manifest::Manifest;
    /// use logto_guard::{Declaration, requires};
    ///
    /// #[requires(resource = "https://api.example.com", scope = "read:orders", description = "Read orders")]
    /// #[rocket::get("/orders")]
    /// fn list_orders() {}
    ///
    /// #[requires(resource = "https://api.example.com")]
    /// #[rocket::get("/me")]
    /// fn me() {}
    ///
    /// // The declarations of this module only.
    /// let here = Declaration::all().filter(|d| d.handler.module == module_path!());
    /// let manifest = Manifest::from_declarations(here);
    /// let api = manifest.resource("https://api.example.com").unwrap();
    /// assert_eq!(api.name, "api.example.com");
    /// assert_eq!(api.permissions[0].name, "read:orders");
    /// assert_eq!(api.permissions[0].description.as_deref(), Some("Read orders"));
    /// assert!(api.permissions[0].handlers[0].name.ends_with("::list_orders"));
    /// assert!(api.any_token_handlers[0].name.ends_with("::me"));
    /// ```
    #[must_use]
    pub fn from_declarations<'a>(declarations: impl IntoIterator<Item = &'a Declaration>) -> Self {
        let mut facts: BTreeMap<&'a str, ResourceFacts<'a>> = BTreeMap::new();
        let mut organization: BTreeMap<&'a str, ScopeFacts<'a>> = BTreeMap::new();
        for declaration in declarations {
            let handler = handler_of(declaration);
            // An organization token's scopes are organization permissions (Logto's
            // organization template), not an API resource's: the `organization` section.
            // Without scopes it names no permission at all.
            let scopes = if let Some(indicator) = declaration.resource() {
                let resource = facts.entry(indicator).or_default();
                if declaration.scopes.is_empty() {
                    resource.any_token.insert(handler);
                    continue;
                }
                &mut resource.scopes
            } else {
                &mut organization
            };
            for scope in declaration.scopes {
                let scope_facts = scopes.entry(scope).or_default();
                scope_facts.handlers.insert(handler.clone());
                if let Some((broad, description)) = declaration.description_rank() {
                    scope_facts
                        .descriptions
                        .insert((broad, description, handler.name.clone()));
                }
            }
        }
        let mut warnings = Vec::new();
        let resources = facts
            .into_iter()
            .map(|(indicator, resource)| Resource {
                indicator: indicator.to_owned(),
                name: default_resource_name(indicator),
                permissions: permissions(
                    resource.scopes,
                    &format!("of `{indicator}`"),
                    &mut warnings,
                ),
                any_token_handlers: resource.any_token.into_iter().collect(),
            })
            .collect();
        let organization_permissions = permissions(organization, "of organizations", &mut warnings);
        tracing::debug!(?warnings, "collected the scope manifest");
        Self::from_parts(resources, organization_permissions, warnings)
    }
}

/// The handler of `declaration` as the manifest lists it, named `module::fn`.
fn handler_of(declaration: &Declaration) -> Handler {
    let organization = match declaration.organization {
        OrganizationRule::None => None,
        OrganizationRule::Any => Some("any".to_owned()),
        OrganizationRule::Optional => Some("optional".to_owned()),
        OrganizationRule::Segment(segment) => Some(format!("<{segment}>")),
    };
    let site = declaration.handler;
    let actor = match declaration.actor {
        ActorRule::Any => None,
        ActorRule::Forbidden => Some("forbidden".to_owned()),
        ActorRule::Required => Some("required".to_owned()),
    };
    Handler {
        name: format!("{}::{}", site.module, site.name),
        organization,
        actor,
        clients: declaration.client_group.map(str::to_owned),
        check: declaration
            .custom_check
            .map(|check| check.name().to_owned()),
        routes: None,
        declared: Some(site),
    }
}

/// The indicator's host (`api.example.com`), or the whole indicator when it has none.
fn default_resource_name(indicator: &str) -> String {
    url::Url::parse(indicator)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .filter(|host| !host.is_empty())
        .unwrap_or_else(|| indicator.to_owned())
}

/// The permissions of one resource (or of organizations), sorted by name.
fn permissions(
    scopes: BTreeMap<&str, ScopeFacts<'_>>,
    owner: &str,
    warnings: &mut Vec<String>,
) -> Vec<Permission> {
    scopes
        .into_iter()
        .map(|(name, scope)| Permission {
            name: name.to_owned(),
            description: pick_description(owner, name, &scope, warnings),
            handlers: scope.handlers.into_iter().collect(),
        })
        .collect()
}

/// `owner` is `` of `<indicator>` `` or `of organizations`, for the warning.
fn pick_description(
    owner: &str,
    scope: &str,
    facts: &ScopeFacts<'_>,
    warnings: &mut Vec<String>,
) -> Option<String> {
    let (_, chosen, _) = facts.descriptions.first()?;
    let distinct: BTreeSet<&str> = facts.descriptions.iter().map(|(_, d, _)| *d).collect();
    if distinct.len() > 1 {
        let sources: Vec<String> = facts
            .descriptions
            .iter()
            .map(|(_, description, handler)| format!("{handler}: {description:?}"))
            .collect();
        warnings.push(format!(
            "permission `{scope}` {owner} has different descriptions ({}); the \
             manifest uses {chosen:?}; give every handler the same description, or describe \
             the scope on a handler that requires only it",
            sources.join(", ")
        ));
    }
    Some((*chosen).to_owned())
}
