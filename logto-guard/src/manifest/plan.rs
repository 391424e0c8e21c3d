//! What `sync` would change in Logto, computed from the manifest and Logto's current state.

use std::collections::BTreeMap;
use std::fmt;

use super::management::{RemoteResource, RemoteScope};
use super::model::{Manifest, Permission};

/// What `sync` may delete from Logto: nothing unless asked, and each kind on its own, because
/// deleting a permission also takes it away from every role that grants it (re-creating it
/// does not give it back).
///
/// ```
/// use logto_guard::manifest::Prune;
///
/// // `sync --prune`: only permissions of the manifest's own resources.
/// let prune = Prune { resource_permissions: true, ..Prune::NOTHING };
/// assert!(!prune.organization_permissions);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prune {
    /// Delete permissions of the resources the manifest names that it does not name
    /// (`sync --prune`). Other resources are never touched.
    pub resource_permissions: bool,
    /// Delete organization permissions that the manifest's `organization` section does not
    /// name (`sync --prune-organization-permissions`). They are tenant-wide (the organization
    /// template), possibly declared by other services, so this is never implied by
    /// `resource_permissions`; a manifest without that section deletes none.
    pub organization_permissions: bool,
}

impl Prune {
    /// Delete nothing: only create and update.
    pub const NOTHING: Self = Self {
        resource_permissions: false,
        organization_permissions: false,
    };
}

/// One change to Logto.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Create the API resource (`POST /api/resources`).
    CreateResource {
        /// Its indicator.
        indicator: String,
        /// Its name.
        name: String,
    },
    /// Create a permission (`POST /api/resources/{id}/scopes`).
    CreateScope {
        /// The resource's indicator.
        indicator: String,
        /// The scope name.
        name: String,
        /// Its description (sent as `""` when `None`).
        description: Option<String>,
    },
    /// Change a permission's description (`PATCH /api/resources/{id}/scopes/{scopeId}`).
    UpdateDescription {
        /// The resource's indicator.
        indicator: String,
        /// The scope name.
        name: String,
        /// The description in Logto now.
        from: Option<String>,
        /// The description in the manifest.
        to: String,
    },
    /// Delete a permission the manifest does not name (only with
    /// [`Prune::resource_permissions`]; `DELETE /api/resources/{id}/scopes/{scopeId}`).
    DeleteScope {
        /// The resource's indicator.
        indicator: String,
        /// The scope name.
        name: String,
    },
    /// Create an organization permission (`POST /api/organization-scopes`).
    CreateOrganizationScope {
        /// The scope name.
        name: String,
        /// Its description (sent as `""` when `None`).
        description: Option<String>,
    },
    /// Change an organization permission's description
    /// (`PATCH /api/organization-scopes/{id}`).
    UpdateOrganizationScopeDescription {
        /// The scope name.
        name: String,
        /// The description in Logto now.
        from: Option<String>,
        /// The description in the manifest.
        to: String,
    },
    /// Delete an organization permission the manifest does not name (only with
    /// [`Prune::organization_permissions`], and only when the manifest has an `organization`
    /// section; `DELETE /api/organization-scopes/{id}`).
    DeleteOrganizationScope {
        /// The scope name.
        name: String,
    },
}

impl Action {
    /// What else this change does in Logto, for a change that deletes: the roles that lose
    /// the permission with it. `None` for the others.
    ///
    /// ```
    /// use logto_guard::manifest::Action;
    ///
    /// let delete = Action::DeleteOrganizationScope { name: "read:members".to_owned() };
    /// assert_eq!(
    ///     delete.warning().as_deref(),
    ///     Some("warning: every organization role in every organization loses read:members; \
    ///           re-creating it does not give it back")
    /// );
    /// ```
    #[must_use]
    pub fn warning(&self) -> Option<String> {
        match self {
            Self::DeleteScope { indicator, name } => Some(format!(
                "warning: every role that grants {name} of {indicator} loses it; re-creating it \
                 does not give it back"
            )),
            Self::DeleteOrganizationScope { name } => Some(format!(
                "warning: every organization role in every organization loses {name}; \
                 re-creating it does not give it back"
            )),
            _ => None,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CreateResource { indicator, name } => {
                write!(f, "+ create resource {indicator} named {name:?}")
            }
            Self::CreateScope {
                indicator,
                name,
                description,
            } => {
                write!(f, "+ create permission {name} in {indicator}")?;
                match description {
                    Some(description) => write!(f, ": {description:?}"),
                    None => write!(f, " (no description)"),
                }
            }
            Self::UpdateDescription {
                indicator,
                name,
                from,
                to,
            } => {
                let from = from.as_deref().unwrap_or_default();
                write!(
                    f,
                    "~ update the description of {name} in {indicator}: {from:?} -> {to:?}"
                )
            }
            Self::DeleteScope { indicator, name } => {
                write!(f, "- delete permission {name} from {indicator}")
            }
            Self::CreateOrganizationScope { name, description } => {
                write!(f, "+ create organization permission {name}")?;
                match description {
                    Some(description) => write!(f, ": {description:?}"),
                    None => write!(f, " (no description)"),
                }
            }
            Self::UpdateOrganizationScopeDescription { name, from, to } => {
                let from = from.as_deref().unwrap_or_default();
                write!(
                    f,
                    "~ update the description of organization permission {name}: {from:?} -> {to:?}"
                )
            }
            Self::DeleteOrganizationScope { name } => {
                write!(f, "- delete organization permission {name}")
            }
        }
    }
}

/// One difference between the permissions a manifest names and the scopes Logto has.
enum Change<'a> {
    /// A permission Logto does not have.
    Create(&'a Permission),
    /// A permission whose description in the manifest differs from Logto's `from`.
    Describe {
        permission: &'a Permission,
        from: &'a Option<String>,
        to: &'a str,
    },
    /// A scope of Logto's that the manifest does not name.
    Extra(&'a RemoteScope),
}

/// What makes `remote` match `wanted`: the missing and re-described permissions in the
/// manifest's order, then Logto's extra scopes by name. A permission without a description
/// keeps whatever Logto has.
fn changes<'a>(wanted: &'a [Permission], remote: &'a [RemoteScope]) -> Vec<Change<'a>> {
    let mut changes: Vec<Change<'a>> = wanted
        .iter()
        .filter_map(
            |permission| match remote.iter().find(|scope| scope.name == permission.name) {
                None => Some(Change::Create(permission)),
                Some(scope) => permission
                    .description
                    .as_deref()
                    .filter(|wanted| scope.description.as_deref() != Some(*wanted))
                    .map(|to| Change::Describe {
                        permission,
                        from: &scope.description,
                        to,
                    }),
            },
        )
        .collect();
    let mut extra: Vec<&RemoteScope> = remote
        .iter()
        .filter(|scope| {
            !wanted
                .iter()
                .any(|permission| permission.name == scope.name)
        })
        .collect();
    extra.sort_by(|a, b| a.name.cmp(&b.name));
    changes.extend(extra.into_iter().map(Change::Extra));
    changes
}

/// Logto's state for one resource the manifest names.
pub(crate) struct RemoteState {
    pub(crate) resource: RemoteResource,
    pub(crate) scopes: Vec<RemoteScope>,
}

/// The changes that make Logto match a manifest, in order: a resource before its permissions.
///
/// Made by [`Management::plan`](super::Management::plan) and carried out by
/// [`Management::apply`](super::Management::apply). Only resources the manifest names are
/// looked at. A permission is created when missing and its description updated when the
/// manifest has one that differs (a permission without description in the manifest keeps
/// whatever Logto has). A resource's name is only used to create it. Permissions the manifest
/// does not name are deleted only with [`Prune::resource_permissions`]; otherwise they are
/// listed as [`unmanaged`](Self::unmanaged).
///
/// Organization permissions (the manifest's `organization` section) follow the same rules,
/// after the resources, with their own [`Prune::organization_permissions`]; they are looked at
/// only when the manifest has that section, so a manifest that names none never deletes one.
///
/// Its `Display` is the readable plan that `sync` prints, a dry run too: every deletion is
/// followed by its [`warning`](Action::warning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    actions: Vec<Action>,
    unmanaged: Vec<(String, String)>,
    unmanaged_organization: Vec<String>,
    resource_ids: BTreeMap<String, String>,
    scope_ids: BTreeMap<(String, String), String>,
    organization_scope_ids: BTreeMap<String, String>,
}

impl Plan {
    /// The plan for `manifest` given Logto's state of the resources it names (absent ones
    /// are not in `remote`) and its organization scopes (`None` when not read because the
    /// manifest names no organization permission).
    pub(crate) fn compute(
        manifest: &Manifest,
        remote: &[RemoteState],
        organization: Option<&[RemoteScope]>,
        prune: Prune,
    ) -> Self {
        let mut plan = Self {
            actions: Vec::new(),
            unmanaged: Vec::new(),
            unmanaged_organization: Vec::new(),
            resource_ids: BTreeMap::new(),
            scope_ids: BTreeMap::new(),
            organization_scope_ids: BTreeMap::new(),
        };
        for resource in manifest.resources() {
            let indicator = &resource.indicator;
            let Some(state) = remote.iter().find(|s| &s.resource.indicator == indicator) else {
                plan.actions.push(Action::CreateResource {
                    indicator: indicator.clone(),
                    name: resource.name.clone(),
                });
                plan.actions
                    .extend(resource.permissions.iter().map(|p| Action::CreateScope {
                        indicator: indicator.clone(),
                        name: p.name.clone(),
                        description: p.description.clone(),
                    }));
                continue;
            };
            plan.resource_ids
                .insert(indicator.clone(), state.resource.id.clone());
            for scope in &state.scopes {
                plan.scope_ids
                    .insert((indicator.clone(), scope.name.clone()), scope.id.clone());
            }
            for change in changes(&resource.permissions, &state.scopes) {
                let indicator = indicator.clone();
                match change {
                    Change::Create(permission) => plan.actions.push(Action::CreateScope {
                        indicator,
                        name: permission.name.clone(),
                        description: permission.description.clone(),
                    }),
                    Change::Describe {
                        permission,
                        from,
                        to,
                    } => {
                        plan.actions.push(Action::UpdateDescription {
                            indicator,
                            name: permission.name.clone(),
                            from: from.clone(),
                            to: to.to_owned(),
                        });
                    }
                    Change::Extra(scope) if prune.resource_permissions => {
                        plan.actions.push(Action::DeleteScope {
                            indicator,
                            name: scope.name.clone(),
                        });
                    }
                    Change::Extra(scope) => plan.unmanaged.push((indicator, scope.name.clone())),
                }
            }
        }
        if let Some(scopes) = organization.filter(|_| manifest.has_organization_permissions()) {
            plan.compute_organization(manifest, scopes, prune.organization_permissions);
        }
        plan
    }

    /// The organization permissions' part: the same rules as a resource's permissions; `prune`
    /// deletes those the manifest does not name.
    fn compute_organization(&mut self, manifest: &Manifest, remote: &[RemoteScope], prune: bool) {
        for scope in remote {
            self.organization_scope_ids
                .insert(scope.name.clone(), scope.id.clone());
        }
        for change in changes(manifest.organization_permissions(), remote) {
            match change {
                Change::Create(permission) => {
                    self.actions.push(Action::CreateOrganizationScope {
                        name: permission.name.clone(),
                        description: permission.description.clone(),
                    });
                }
                Change::Describe {
                    permission,
                    from,
                    to,
                } => {
                    self.actions
                        .push(Action::UpdateOrganizationScopeDescription {
                            name: permission.name.clone(),
                            from: from.clone(),
                            to: to.to_owned(),
                        });
                }
                Change::Extra(scope) if prune => {
                    self.actions.push(Action::DeleteOrganizationScope {
                        name: scope.name.clone(),
                    });
                }
                Change::Extra(scope) => self.unmanaged_organization.push(scope.name.clone()),
            }
        }
    }

    /// The changes, in the order they are applied.
    #[must_use]
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// Whether Logto already matches the manifest.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// `(indicator, scope name)` of permissions in Logto that the manifest does not name and
    /// that are kept because [`Prune::resource_permissions`] was not asked for.
    #[must_use]
    pub fn unmanaged(&self) -> &[(String, String)] {
        &self.unmanaged
    }

    /// Names of organization permissions in Logto that the manifest's `organization` section
    /// does not name and that are kept because [`Prune::organization_permissions`] was not
    /// asked for.
    #[must_use]
    pub fn unmanaged_organization_permissions(&self) -> &[String] {
        &self.unmanaged_organization
    }

    pub(crate) fn organization_scope_id(&self, name: &str) -> Option<&str> {
        self.organization_scope_ids.get(name).map(String::as_str)
    }

    pub(crate) fn resource_id(&self, indicator: &str) -> Option<&str> {
        self.resource_ids.get(indicator).map(String::as_str)
    }

    pub(crate) fn scope_id(&self, indicator: &str, name: &str) -> Option<&str> {
        self.scope_ids
            .get(&(indicator.to_owned(), name.to_owned()))
            .map(String::as_str)
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.actions.len() {
            0 => writeln!(f, "Logto already matches the manifest: nothing to change.")?,
            1 => writeln!(f, "1 change:")?,
            n => writeln!(f, "{n} changes:")?,
        }
        for action in &self.actions {
            writeln!(f, "  {action}")?;
            if let Some(warning) = action.warning() {
                writeln!(f, "    {warning}")?;
            }
        }
        if !self.unmanaged.is_empty() {
            writeln!(
                f,
                "Kept: in Logto but not in the manifest (`sync --prune` deletes them):"
            )?;
            for (indicator, name) in &self.unmanaged {
                writeln!(f, "  = {name} in {indicator}")?;
            }
        }
        if !self.unmanaged_organization.is_empty() {
            writeln!(
                f,
                "Kept: in Logto but not in the manifest \
                 (`sync --prune-organization-permissions` deletes them):"
            )?;
            for name in &self.unmanaged_organization {
                writeln!(f, "  = organization permission {name}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Audience, ClientRule, Declaration, HandlerSite, OrganizationRule, ScopeMode};

    const API: &str = "https://api.example.com";

    /// `sync --prune`.
    const RESOURCES: Prune = Prune {
        resource_permissions: true,
        organization_permissions: false,
    };

    fn declaration(
        scopes: &'static [&'static str],
        description: Option<&'static str>,
    ) -> Declaration {
        Declaration::__with(
            Audience::Resource(API),
            scopes,
            ScopeMode::All,
            description,
            OrganizationRule::None,
            ClientRule::Any,
            HandlerSite::__new("handler", "GET", "/", "app"),
        )
    }

    fn scope(name: &str, description: Option<&str>) -> RemoteScope {
        RemoteScope {
            id: format!("id-{name}"),
            name: name.to_owned(),
            description: description.map(str::to_owned),
        }
    }

    fn remote(scopes: Vec<RemoteScope>) -> Vec<RemoteState> {
        vec![RemoteState {
            resource: RemoteResource {
                id: "res".to_owned(),
                indicator: API.to_owned(),
            },
            scopes,
        }]
    }

    #[test]
    fn creates_a_missing_resource_with_its_permissions() {
        let declarations = [declaration(&["read:a", "write:a"], Some("A"))];
        let plan = Plan::compute(
            &Manifest::from_declarations(&declarations),
            &[],
            None,
            Prune::NOTHING,
        );
        assert_eq!(
            plan.to_string(),
            "3 changes:\n  + create resource https://api.example.com named \"api.example.com\"\n  \
             + create permission read:a in https://api.example.com: \"A\"\n  \
             + create permission write:a in https://api.example.com: \"A\"\n"
        );
    }

    #[test]
    fn updates_descriptions_keeps_or_prunes_extras() {
        let declarations = [
            declaration(&["read:a"], Some("Read")),
            declaration(&["write:a"], None),
        ];
        let manifest = Manifest::from_declarations(&declarations);
        let state = remote(vec![
            scope("read:a", Some("old")),
            scope("write:a", Some("kept")),
            scope("legacy", None),
        ]);
        let kept = Plan::compute(&manifest, &state, None, Prune::NOTHING);
        assert_eq!(
            kept.actions(),
            [Action::UpdateDescription {
                indicator: API.to_owned(),
                name: "read:a".to_owned(),
                from: Some("old".to_owned()),
                to: "Read".to_owned(),
            }]
        );
        assert_eq!(kept.unmanaged(), [(API.to_owned(), "legacy".to_owned())]);
        let pruned = Plan::compute(&manifest, &state, None, RESOURCES);
        assert_eq!(
            pruned.actions().last(),
            Some(&Action::DeleteScope {
                indicator: API.to_owned(),
                name: "legacy".to_owned(),
            })
        );
        assert_eq!(pruned.scope_id(API, "legacy"), Some("id-legacy"));
    }

    #[test]
    fn matching_state_is_an_empty_plan() {
        let declarations = [declaration(&["read:a"], Some("Read"))];
        let plan = Plan::compute(
            &Manifest::from_declarations(&declarations),
            &remote(vec![scope("read:a", Some("Read"))]),
            None,
            RESOURCES,
        );
        assert!(plan.is_empty());
        assert_eq!(
            plan.to_string(),
            "Logto already matches the manifest: nothing to change.\n"
        );
    }

    #[test]
    fn every_deletion_is_printed_with_what_roles_lose() {
        let declarations = [declaration(&["read:a"], Some("Read"))];
        let manifest = Manifest::from_declarations(&declarations);
        let state = remote(vec![
            scope("read:a", Some("Read")),
            scope("legacy", None),
            scope("old", None),
        ]);
        let plan = Plan::compute(&manifest, &state, None, RESOURCES);
        assert_eq!(
            plan.to_string(),
            "2 changes:\n  \
             - delete permission legacy from https://api.example.com\n    \
             warning: every role that grants legacy of https://api.example.com loses it; \
             re-creating it does not give it back\n  \
             - delete permission old from https://api.example.com\n    \
             warning: every role that grants old of https://api.example.com loses it; \
             re-creating it does not give it back\n"
        );
        let creates = Plan::compute(&manifest, &[], None, RESOURCES);
        assert!(creates.actions().iter().all(|a| a.warning().is_none()));
    }
}
