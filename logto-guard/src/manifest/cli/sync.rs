//! The `sync` subcommand: the only part of the command line that talks to Logto's Management
//! API, hence the only one behind the `sync` feature.

use rocket::figment::Figment;

use super::Output;
use crate::manifest::{Management, ManagementConfig, Manifest, Prune, SyncError};
use crate::rocket::config_from_figment;

/// The options of `sync`.
const FLAGS: [&str; 3] = ["--dry-run", "--prune", "--prune-organization-permissions"];

/// What `sync [--dry-run] [--prune] [--prune-organization-permissions]` asks for.
pub(super) struct SyncOptions {
    dry_run: bool,
    prune: Prune,
}

impl SyncOptions {
    /// `None` when a flag is not one of `sync`'s.
    pub(super) fn parse(flags: &[&str]) -> Option<Self> {
        if !flags.iter().all(|flag| FLAGS.contains(flag)) {
            return None;
        }
        Some(Self {
            dry_run: flags.contains(&"--dry-run"),
            prune: Prune {
                resource_permissions: flags.contains(&"--prune"),
                organization_permissions: flags.contains(&"--prune-organization-permissions"),
            },
        })
    }
}

/// Where `sync` finds Logto when the app's configuration says: the endpoint exactly as the
/// fairing resolves it (`LOGTO_ENDPOINT` over the `logto` table of Rocket's figment).
pub(super) struct LogtoSettings {
    /// The configured endpoint (`None`: none configured, `LOGTO_ENDPOINT` decides), or why the
    /// `logto` table cannot be read.
    endpoint: Result<Option<String>, String>,
}

/// Nothing configured: `LOGTO_ENDPOINT` decides (a manifest given without its Rocket).
impl Default for LogtoSettings {
    fn default() -> Self {
        Self { endpoint: Ok(None) }
    }
}

impl LogtoSettings {
    pub(super) fn from_figment(figment: &Figment) -> Self {
        Self {
            endpoint: config_from_figment(figment).map(|config| config.endpoint),
        }
    }

    /// The Management API config: the endpoint from the app's configuration, the rest from
    /// the environment.
    fn management_config(&self) -> Result<ManagementConfig, String> {
        let endpoint = self.endpoint.clone()?;
        ManagementConfig::from_vars(|name| match name {
            "LOGTO_ENDPOINT" => endpoint.clone().or_else(|| std::env::var(name).ok()),
            _ => std::env::var(name).ok(),
        })
        .map_err(|error| error.to_string())
    }
}

/// The line of `sync` in the help.
pub(super) fn usage_line() -> (String, String) {
    (
        "sync [--dry-run] [--prune] [--prune-organization-permissions]".to_owned(),
        "register the manifest's resources and permissions in Logto; --dry-run only \
         prints the plan,\n      --prune also deletes permissions of those resources that the \
         manifest does not name,\n      --prune-organization-permissions deletes organization \
         permissions (tenant-wide) that it does not name;\n      a deleted permission is taken \
         from every role that grants it\n      Logto: LOGTO_ENDPOINT or `endpoint` in the \
         `logto` table of Rocket.toml;\n      environment: LOGTO_M2M_APP_ID, \
         LOGTO_M2M_APP_SECRET [, LOGTO_MANAGEMENT_RESOURCE]"
            .to_owned(),
    )
}

pub(super) async fn sync(
    manifest: &Manifest,
    options: SyncOptions,
    logto: &LogtoSettings,
    output: &mut Output<'_>,
) -> i32 {
    if manifest.is_empty() {
        output.err(
            "warning: no handler declares a requirement (#[requires]): the manifest is empty\n",
        );
    }
    if options.prune.organization_permissions && !manifest.has_organization_permissions() {
        output.err(
            "warning: --prune-organization-permissions deletes nothing: the manifest names no \
             organization permission, and sync never empties the organization template\n",
        );
    }
    let result = match logto.management_config() {
        Ok(config) => apply(manifest, &options, &config, output)
            .await
            .map_err(|error| error.to_string()),
        Err(message) => Err(message),
    };
    match result {
        Ok(()) => 0,
        Err(message) => {
            output.err(&format!("error: {message}\n"));
            1
        }
    }
}

async fn apply(
    manifest: &Manifest,
    options: &SyncOptions,
    config: &ManagementConfig,
    output: &mut Output<'_>,
) -> Result<(), SyncError> {
    let management = Management::connect(config).await?;
    let plan = management.plan(manifest, options.prune).await?;
    output.out(&format!("Logto at {}: {plan}", config.endpoint()));
    if options.dry_run {
        output.out("Dry run: nothing was changed.\n");
        return Ok(());
    }
    if !plan.is_empty() {
        let done = management.apply(&plan).await?;
        let plural = if done == 1 { "" } else { "s" };
        output.out(&format!("Applied {done} change{plural}.\n"));
    }
    Ok(())
}
