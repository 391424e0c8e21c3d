//! Planning and applying the changes that register a manifest in Logto.

use super::management::{Management, SyncError};
use super::model::Manifest;
use super::plan::{Action, Plan, Prune, RemoteState};

impl Management {
    /// What would make Logto match `manifest`, from Logto's current resources and the scopes
    /// of those the manifest names, and its organization permissions when the manifest has an
    /// `organization` section; changes nothing. What the manifest does not name is deleted
    /// only as `prune` says: [`Prune::resource_permissions`] for the permissions of the
    /// resources it names, [`Prune::organization_permissions`] for organization permissions
    /// when it has that section; other resources are never touched.
    ///
    /// # Errors
    ///
    /// When reading from Logto fails.
    pub async fn plan(&self, manifest: &Manifest, prune: Prune) -> Result<Plan, SyncError> {
        let resources = self.resources().await?;
        let mut remote = Vec::new();
        for resource in resources {
            if manifest.resource(&resource.indicator).is_none() {
                continue;
            }
            let scopes = self.scopes(&resource.id).await?;
            remote.push(RemoteState { resource, scopes });
        }
        // Organization permissions only when the manifest names some: prune must never empty
        // the organization template of an app that declares none.
        let organization = if manifest.has_organization_permissions() {
            Some(self.organization_scopes().await?)
        } else {
            None
        };
        let plan = Plan::compute(manifest, &remote, organization.as_deref(), prune);
        tracing::debug!(changes = plan.actions().len(), "planned the sync");
        Ok(plan)
    }

    /// Carries out `plan` in order, and returns how many changes were made. Stops at the
    /// first failure; what was done stays done, and a new plan continues from there (a sync
    /// that changes nothing plans nothing).
    ///
    /// # Errors
    ///
    /// When Logto refuses a change, e.g. because it changed since the plan was made.
    pub async fn apply(&self, plan: &Plan) -> Result<usize, SyncError> {
        let mut created = std::collections::BTreeMap::new();
        let mut done = 0;
        for action in plan.actions() {
            let resource_id = |indicator: &str| {
                created
                    .get(indicator)
                    .map(String::as_str)
                    .or_else(|| plan.resource_id(indicator))
                    .map(str::to_owned)
                    .ok_or_else(|| stale(indicator, None))
            };
            match action {
                Action::CreateResource { indicator, name } => {
                    let id = self.create_resource(name, indicator).await?;
                    created.insert(indicator.clone(), id);
                }
                Action::CreateScope {
                    indicator,
                    name,
                    description,
                } => {
                    let id = resource_id(indicator)?;
                    let description = description.as_deref().unwrap_or_default();
                    self.create_scope(&id, name, description).await?;
                }
                Action::UpdateDescription {
                    indicator,
                    name,
                    to,
                    ..
                } => {
                    let id = resource_id(indicator)?;
                    let scope_id = plan
                        .scope_id(indicator, name)
                        .ok_or_else(|| stale(indicator, Some(name)))?;
                    self.update_scope_description(&id, scope_id, to).await?;
                }
                Action::DeleteScope { indicator, name } => {
                    let id = resource_id(indicator)?;
                    let scope_id = plan
                        .scope_id(indicator, name)
                        .ok_or_else(|| stale(indicator, Some(name)))?;
                    self.delete_scope(&id, scope_id).await?;
                }
                Action::CreateOrganizationScope { name, description } => {
                    let description = description.as_deref().unwrap_or_default();
                    self.create_organization_scope(name, description).await?;
                }
                Action::UpdateOrganizationScopeDescription { name, to, .. } => {
                    let id = plan
                        .organization_scope_id(name)
                        .ok_or_else(|| stale_organization(name))?;
                    self.update_organization_scope_description(id, to).await?;
                }
                Action::DeleteOrganizationScope { name } => {
                    let id = plan
                        .organization_scope_id(name)
                        .ok_or_else(|| stale_organization(name))?;
                    self.delete_organization_scope(id).await?;
                }
            }
            tracing::info!(change = %action, "applied to Logto");
            done += 1;
        }
        Ok(done)
    }
}

/// A plan that names something it did not see in Logto (it was made against another Logto).
fn stale(indicator: &str, scope: Option<&str>) -> SyncError {
    SyncError::StalePlan {
        what: match scope {
            Some(scope) => format!("permission {scope} of {indicator}"),
            None => format!("resource {indicator}"),
        },
    }
}

/// A plan that names an organization permission it did not see in Logto.
fn stale_organization(name: &str) -> SyncError {
    SyncError::StalePlan {
        what: format!("organization permission {name}"),
    }
}
