//! Planning and applying the changes that register a manifest in Logto.

use super::management::{Management, SyncError};
use super::model::Manifest;
use super::plan::{Action, Plan, RemoteState};

impl Management {
    /// What would make Logto match `manifest`, from Logto's current resources and the scopes
    /// of those the manifest names; changes nothing. With `prune`, permissions of those
    /// resources that the manifest does not name are deleted; other resources are never
    /// touched.
    ///
    /// # Errors
    ///
    /// When reading from Logto fails.
    pub async fn plan(&self, manifest: &Manifest, prune: bool) -> Result<Plan, SyncError> {
        let resources = self.resources().await?;
        let mut remote = Vec::new();
        for resource in resources {
            if manifest.resource(&resource.indicator).is_none() {
                continue;
            }
            let scopes = self.scopes(&resource.id).await?;
            remote.push(RemoteState { resource, scopes });
        }
        let plan = Plan::compute(manifest, &remote, prune);
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
