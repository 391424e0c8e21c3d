//! The `sync` subcommand: the only part of the command line that talks to Logto's Management
//! API, hence the only one behind the `sync` feature.

use rocket::figment::Figment;
use url::Url;

use super::Output;
use crate::manifest::{
    Management, ManagementConfig, Manifest, Prune, SyncError, WebhookPlan, WebhookSigningKey,
};
use crate::rocket::{WEBHOOK_SIGNING_KEY_VARIABLE, config_from_figment};

/// The name of the webhook `sync --webhook` manages, before the program's name: one webhook
/// per API, found again by this name when its URL changes.
const WEBHOOK_NAME: &str = "logto-guard revocation";

/// The longest webhook name Logto stores (`hooks.name` is a `varchar(256)`).
const MAX_WEBHOOK_NAME_CHARS: usize = 256;

/// What `sync [--dry-run] [--prune] [--prune-organization-permissions] [--webhook URL
/// [--webhook-name NAME]]` asks for.
pub(super) struct SyncOptions {
    dry_run: bool,
    prune: Prune,
    /// The public URL of the webhook route, to register in Logto.
    webhook: Option<String>,
    /// The name of that webhook, when not the one made of the program's name.
    webhook_name: Option<String>,
}

impl SyncOptions {
    /// `None` when a flag is not one of `sync`'s, or `--webhook` or `--webhook-name` lacks its
    /// value or is given twice.
    pub(super) fn parse<'a>(flags: &[&'a str]) -> Option<Self> {
        let mut options = Self {
            dry_run: false,
            prune: Prune::NOTHING,
            webhook: None,
            webhook_name: None,
        };
        // A value that looks like a flag is one: `--webhook-name $NAME --dry-run` with `NAME`
        // unset must not name the webhook `--dry-run` and run for real.
        let value_of = |value: Option<&&'a str>| value.copied().filter(|v| !v.starts_with('-'));
        let mut flags = flags.iter();
        while let Some(&flag) = flags.next() {
            let (slot, value) = match flag {
                "--dry-run" => {
                    options.dry_run = true;
                    continue;
                }
                "--prune" => {
                    options.prune.resource_permissions = true;
                    continue;
                }
                "--prune-organization-permissions" => {
                    options.prune.organization_permissions = true;
                    continue;
                }
                "--webhook" => (&mut options.webhook, value_of(flags.next())?),
                "--webhook-name" => (&mut options.webhook_name, value_of(flags.next())?),
                flag => match flag.split_once('=')? {
                    ("--webhook", url) => (&mut options.webhook, url),
                    ("--webhook-name", name) => (&mut options.webhook_name, name),
                    _ => return None,
                },
            };
            if slot.replace(value.to_owned()).is_some() {
                return None;
            }
        }
        Some(options)
    }

    /// The name of the webhook `sync` manages for `program`: `--webhook-name`, else
    /// `logto-guard revocation (<program>)`. An error when `--webhook-name` is one Logto
    /// cannot take or a reader would misread, or comes without `--webhook`.
    fn webhook_name(&self, program: &str) -> Result<String, String> {
        let Some(name) = &self.webhook_name else {
            let program = program.strip_suffix(".exe").unwrap_or(program);
            return Ok(format!("{WEBHOOK_NAME} ({program})"));
        };
        if self.webhook.is_none() {
            return Err(
                "--webhook-name names the webhook of --webhook URL: give the URL too".to_owned(),
            );
        }
        if name.trim().is_empty()
            || name.trim() != name
            || name.chars().any(char::is_control)
            // Logto checks the length in JavaScript: UTF-16 code units.
            || name.encode_utf16().count() > MAX_WEBHOOK_NAME_CHARS
        {
            return Err(format!(
                "--webhook-name needs a name of 1 to {MAX_WEBHOOK_NAME_CHARS} characters, without \
                 control characters or spaces around it, such as \"orders revocation \
                 (staging)\", not {name:?}"
            ));
        }
        Ok(name.clone())
    }
}

/// Where `sync` finds Logto when the app's configuration says: the endpoint exactly as the
/// fairing resolves it (`LOGTO_ENDPOINT` over the `logto` table of Rocket's figment).
pub(super) struct LogtoSettings {
    /// The configured endpoint (`None`: none configured, `LOGTO_ENDPOINT` decides), or why the
    /// `logto` table cannot be read.
    endpoint: Result<Option<String>, String>,
    /// The path the fairing mounts the webhook route at, when the app's configuration is known.
    webhook_path: Option<String>,
}

/// Nothing configured: `LOGTO_ENDPOINT` decides (a manifest given without its Rocket).
impl Default for LogtoSettings {
    fn default() -> Self {
        Self {
            endpoint: Ok(None),
            webhook_path: None,
        }
    }
}

impl LogtoSettings {
    pub(super) fn from_figment(figment: &Figment) -> Self {
        let config = config_from_figment(figment);
        Self {
            webhook_path: config.as_ref().ok().map(|c| c.webhook_path.clone()),
            endpoint: config.map(|config| config.endpoint),
        }
    }

    /// The Management API config: `given` (from [`Commands::management`]), else the endpoint
    /// from the app's configuration and the rest from the environment.
    ///
    /// [`Commands::management`]: super::Commands::management
    fn management_config(
        &self,
        given: Option<&ManagementConfig>,
    ) -> Result<ManagementConfig, String> {
        if let Some(config) = given {
            return Ok(config.clone());
        }
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
        "sync [--dry-run] [--prune] [--prune-organization-permissions] [--webhook URL \
         [--webhook-name NAME]]"
            .to_owned(),
        "register the manifest's resources and permissions in Logto; --dry-run only \
         prints the plan,\n      --prune also deletes permissions of those resources that the \
         manifest does not name,\n      --prune-organization-permissions deletes organization \
         permissions (tenant-wide) that it does not name;\n      a deleted permission is taken \
         from every role that grants it;\n      --webhook URL also creates or updates the \
         webhook that sends Logto's revocation events to URL,\n      the public URL of this \
         API's webhook route (https://api.example.com/logto/webhook), and prints its\n      \
         signing key once, when Logto creates it;\n      --webhook-name NAME names that webhook \
         (else \"logto-guard revocation (<program>)\"),\n      so that two deployments of one \
         program in one Logto tenant keep a webhook each\n      Logto: LOGTO_ENDPOINT or \
         `endpoint` in the `logto` table of Rocket.toml;\n      environment: LOGTO_M2M_APP_ID, \
         LOGTO_M2M_APP_SECRET [, LOGTO_MANAGEMENT_RESOURCE]"
            .to_owned(),
    )
}

/// Runs `sync` for the program `program`; returns the exit code.
pub(super) async fn sync(
    manifest: &Manifest,
    options: SyncOptions,
    logto: &LogtoSettings,
    management: Option<&ManagementConfig>,
    program: &str,
    output: &mut Output<'_>,
) -> i32 {
    let webhook_name = match options.webhook_name(program) {
        Ok(name) => name,
        Err(message) => {
            output.err(&format!("error: {message}\n"));
            return 2;
        }
    };
    if let Some(url) = &options.webhook {
        match check_webhook_url(url, logto.webhook_path.as_deref()) {
            Ok(warnings) => warnings
                .iter()
                .for_each(|w| output.err(&format!("warning: {w}\n"))),
            Err(message) => {
                output.err(&format!("error: {message}\n"));
                return 2;
            }
        }
    }
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
    let result = match logto.management_config(management) {
        Ok(config) => apply(manifest, &options, &webhook_name, &config, output)
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

/// Plans everything before changing anything, so that a failed read changes nothing; then
/// applies the manifest's plan, then the webhook's.
async fn apply(
    manifest: &Manifest,
    options: &SyncOptions,
    webhook_name: &str,
    config: &ManagementConfig,
    output: &mut Output<'_>,
) -> Result<(), SyncError> {
    let management = Management::connect(config).await?;
    let plan = management.plan(manifest, options.prune).await?;
    let webhook = match &options.webhook {
        Some(url) => Some(management.plan_webhook(webhook_name, url).await?),
        None => None,
    };
    output.out(&format!("Logto at {}: {plan}", config.endpoint()));
    if let Some(webhook) = &webhook {
        output.out(&webhook.to_string());
    }
    if options.dry_run {
        output.out("Dry run: nothing was changed.\n");
        if webhook.as_ref().is_some_and(|w| w.hook_id().is_none()) {
            output.out(
                "Logto generates the webhook's signing key when it creates the webhook: run \
                 sync without --dry-run to create it and see the key.\n",
            );
        }
        return Ok(());
    }
    if !plan.is_empty() {
        let done = management.apply(&plan).await?;
        let plural = if done == 1 { "" } else { "s" };
        output.out(&format!("Applied {done} change{plural}.\n"));
    }
    if let Some(webhook) = &webhook {
        match management.apply_webhook(webhook).await? {
            Some(key) => output.out(&created(webhook, &key)),
            None if !webhook.is_empty() => output.out(&format!(
                "Updated webhook {:?}. {}",
                webhook.name(),
                key_kept(webhook)
            )),
            None => output.out(&key_kept(webhook)),
        }
    }
    Ok(())
}

/// What to do with the signing key of the webhook just created: the only text that holds it.
fn created(webhook: &WebhookPlan, key: &WebhookSigningKey) -> String {
    let name = webhook.name();
    format!(
        "Created webhook {name:?}. Its signing key, generated by Logto, is printed this once \
         (later runs do not print it; Logto Console > Webhooks > {name} > Signing key shows \
         it):\n\n  {WEBHOOK_SIGNING_KEY_VARIABLE}={}\n\nGive it to every instance of the API \
         in that environment variable (or as `webhook_signing_key` in the `logto` table of \
         Rocket.toml; the environment keeps a secret out of files) and restart them: without \
         it no webhook route is mounted and Logto's deliveries get 404; with another key each \
         is refused with 401.\n",
        key.reveal()
    )
}

/// The signing key of a webhook that exists: unchanged, and where to find it.
fn key_kept(webhook: &WebhookPlan) -> String {
    format!(
        "Its signing key is unchanged and not printed: the API keeps the one it has \
         ({WEBHOOK_SIGNING_KEY_VARIABLE} or `webhook_signing_key`); Logto Console > Webhooks > \
         {} > Signing key shows it.\n",
        webhook.name()
    )
}

/// Whether `url` can be the webhook route's public URL: an absolute http(s) URL with a host,
/// without credentials or fragment. Returns what is worth a warning: plain `http://` to a host
/// that is not loopback, a path other than the app's `webhook_path` (when known).
fn check_webhook_url(url: &str, webhook_path: Option<&str>) -> Result<Vec<String>, String> {
    let invalid = || {
        format!(
            "--webhook needs the public URL of this API's webhook route, an absolute http(s) URL \
             such as https://api.example.com/logto/webhook, not `{}`",
            crate::config::url_for_logs(url)
        )
    };
    let parsed = Url::parse(url).map_err(|_| invalid())?;
    if !matches!(parsed.scheme(), "http" | "https")
        || !parsed.has_host()
        || parsed.fragment().is_some()
        || crate::config::has_credentials(&parsed)
    {
        return Err(invalid());
    }
    let mut warnings = Vec::new();
    if parsed.scheme() == "http" && !crate::config::is_loopback(&parsed) {
        warnings.push(
            "the webhook URL uses plain http://: Logto would send user and organization ids \
             unencrypted; use https://"
                .to_owned(),
        );
    }
    if let Some(path) = webhook_path.filter(|path| *path != parsed.path()) {
        warnings.push(format!(
            "the webhook URL's path `{}` is not this app's webhook route `{path}` \
             (`webhook_path`): unless a proxy rewrites it, Logto's deliveries will get 404",
            parsed.path()
        ));
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_flags_parse_with_or_without_an_equals_sign() {
        let url = "https://api.example.com/logto/webhook";
        for flags in [
            &["--webhook", url, "--dry-run"][..],
            &["--dry-run", &format!("--webhook={url}")],
        ] {
            let options = SyncOptions::parse(flags).expect("sync's flags");
            assert_eq!(options.webhook.as_deref(), Some(url), "{flags:?}");
            assert!(options.dry_run);
        }
        assert!(SyncOptions::parse(&["--prune"]).is_some_and(|o| o.webhook.is_none()));
        for flags in [
            &["--webhook", url, "--webhook-name", "a = b"][..],
            &[&format!("--webhook={url}"), "--webhook-name=a = b"],
        ] {
            let options = SyncOptions::parse(flags).expect("sync's flags");
            assert_eq!(options.webhook.as_deref(), Some(url), "{flags:?}");
            assert_eq!(options.webhook_name.as_deref(), Some("a = b"), "{flags:?}");
        }
        for wrong in [
            &["--webhook"][..],
            &["--webhook", url, "--webhook", url],
            &["--webhook", url, "--webhook-name"],
            &["--webhook", url, "--webhook-name", "--dry-run"],
            &["--webhook", "--dry-run"],
            &["--webhook-name=a", "--webhook-name=a"],
            &["--hook"],
            &["--dry-run=yes"],
        ] {
            assert!(SyncOptions::parse(wrong).is_none(), "{wrong:?}");
        }
    }

    #[test]
    fn a_webhook_url_is_checked_and_warned_about() {
        let path = Some("/logto/webhook");
        assert_eq!(
            check_webhook_url("https://api.example.com/logto/webhook", path),
            Ok(Vec::new())
        );
        assert_eq!(
            check_webhook_url("http://127.0.0.1:8000/logto/webhook", path),
            Ok(Vec::new())
        );
        assert_eq!(
            check_webhook_url("http://api.example.com/hooks/logto", path),
            Ok(vec![
                "the webhook URL uses plain http://: Logto would send user and organization ids \
                 unencrypted; use https://"
                    .to_owned(),
                "the webhook URL's path `/hooks/logto` is not this app's webhook route \
                 `/logto/webhook` (`webhook_path`): unless a proxy rewrites it, Logto's \
                 deliveries will get 404"
                    .to_owned(),
            ])
        );
        // The app's configuration unknown (`cli::run`): no guess about the path.
        assert_eq!(
            check_webhook_url("https://api.example.com/hooks/logto", None),
            Ok(Vec::new())
        );
        for wrong in [
            "/logto/webhook",
            "mailto:ops@example.com",
            "https://user:pass@api.example.com/logto/webhook",
            "https://api.example.com/logto/webhook#top",
        ] {
            assert!(check_webhook_url(wrong, path).is_err(), "{wrong}");
        }
    }
}
