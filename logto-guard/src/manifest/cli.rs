//! The `manifest` and `sync` subcommands, for any app in one line.
//!
//! ```no_run
//! # fn app() -> rocket::Rocket<rocket::Build> { rocket::build() }
//! #[rocket::main]
//! async fn main() -> Result<(), rocket::Error> {
//!     if let Some(code) = logto_guard::manifest::cli::run_from_args(std::env::args(), &app()).await {
//!         std::process::exit(code);
//!     }
//!     app().launch().await?;
//!     Ok(())
//! }
//! ```
//!
//! Then:
//!
//! | command | does | exit code |
//! | --- | --- | --- |
//! | `app manifest` | prints the manifest's JSON (warnings on stderr) | 0 |
//! | `app manifest --check FILE` | compares with FILE, prints a diff when they differ | 0 equal, 1 different or unreadable |
//! | `app sync [--dry-run] [--prune] [--prune-organization-permissions]` | registers the manifest in Logto (see [`ManagementConfig`] for the environment variables); prints the plan, every deletion with a warning that the roles granting it lose it; `--dry-run` prints the same plan and changes nothing; `--prune` also deletes permissions of the manifest's resources that it does not name; `--prune-organization-permissions` deletes organization permissions (tenant-wide) that its `organization` section does not name | 0 done, 1 failed |
//!
//! A wrong option exits with 2 and the usage. Any other first argument (or none) is not
//! ours: the functions return `None` and the app goes on.

use std::future::Future;
use std::io::Write;

use rocket::{Phase, Rocket};

use super::{Management, ManagementConfig, Manifest, Prune};

/// The subcommands; the first argument after the program that picks them.
const SUBCOMMANDS: [&str; 2] = ["manifest", "sync"];

/// The options of `sync`.
const SYNC_FLAGS: [&str; 3] = ["--dry-run", "--prune", "--prune-organization-permissions"];

/// Runs `manifest` or `sync` if `args` (program name first, as [`std::env::args`]) ask for
/// one, with the manifest of this binary and the routes of `rocket`; returns the exit code.
/// `None` when the first argument is not one of them: start the app as usual.
pub fn run_from_args<P, I>(
    args: I,
    rocket: &Rocket<P>,
) -> impl Future<Output = Option<i32>> + Send + use<P, I>
where
    P: Phase,
    I: IntoIterator,
    I::Item: Into<String>,
{
    // Everything not `Send` (`std::env::Args`, the Rocket) is used before the future starts.
    let args: Vec<String> = args.into_iter().map(Into::into).collect();
    let ours = args
        .get(1)
        .is_some_and(|a| SUBCOMMANDS.contains(&a.as_str()));
    let manifest = ours.then(|| Manifest::collect_with_routes(rocket));
    async move {
        let manifest = manifest?;
        let (mut stdout, mut stderr) = (std::io::stdout(), std::io::stderr());
        let code = run(args, &manifest, &mut stdout, &mut stderr).await;
        let _ = stdout.flush();
        let _ = stderr.flush();
        code
    }
}

/// Like [`run_from_args`] with a given manifest (e.g. one with
/// [`with_resource_name`](Manifest::with_resource_name)) and output streams.
///
/// ```
/// use logto_guard::manifest::{Manifest, cli};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let manifest = Manifest::from_declarations([]);
/// let (mut out, mut err) = (Vec::new(), Vec::new());
/// let code = cli::run(["app", "manifest"], &manifest, &mut out, &mut err).await;
/// assert_eq!(code, Some(0));
/// assert_eq!(String::from_utf8_lossy(&out), manifest.to_json());
/// assert_eq!(cli::run(["app"], &manifest, &mut out, &mut err).await, None);
/// # });
/// ```
pub fn run<'a, I>(
    args: I,
    manifest: &'a Manifest,
    stdout: &'a mut (dyn Write + Send),
    stderr: &'a mut (dyn Write + Send),
) -> impl Future<Output = Option<i32>> + Send + 'a
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    let args: Vec<String> = args.into_iter().map(Into::into).collect();
    execute(args, manifest, stdout, stderr)
}

async fn execute(
    args: Vec<String>,
    manifest: &Manifest,
    stdout: &mut (dyn Write + Send),
    stderr: &mut (dyn Write + Send),
) -> Option<i32> {
    let program = args
        .first()
        .map(|p| p.rsplit(['/', '\\']).next().unwrap_or(p).to_owned())
        .unwrap_or_else(|| "app".to_owned());
    let command = args.get(1)?;
    if !SUBCOMMANDS.contains(&command.as_str()) {
        return None;
    }
    let options: Vec<&str> = args[2..].iter().map(String::as_str).collect();
    let code = match (command.as_str(), options.as_slice()) {
        (_, ["--help" | "-h"]) => {
            let _ = write!(stdout, "{}", usage(&program));
            0
        }
        ("manifest", []) => {
            warn(manifest, stderr);
            let _ = write!(stdout, "{}", manifest.to_json());
            0
        }
        ("manifest", ["--check", file]) => {
            warn(manifest, stderr);
            match manifest.check_file(file) {
                Ok(()) => {
                    let _ = writeln!(stdout, "{file} matches the code");
                    0
                }
                Err(error) => {
                    let text = error.to_string().replace("<your-app>", &program);
                    let _ = writeln!(stderr, "error: {text}");
                    1
                }
            }
        }
        ("sync", flags) if flags.iter().all(|f| SYNC_FLAGS.contains(f)) => {
            let dry_run = flags.contains(&"--dry-run");
            let prune = Prune {
                resource_permissions: flags.contains(&"--prune"),
                organization_permissions: flags.contains(&"--prune-organization-permissions"),
            };
            warn(manifest, stderr);
            sync(manifest, dry_run, prune, stdout, stderr).await
        }
        _ => {
            let _ = writeln!(
                stderr,
                "error: unknown arguments `{}`\n\n{}",
                args[1..].join(" "),
                usage(&program)
            );
            2
        }
    };
    Some(code)
}

async fn sync(
    manifest: &Manifest,
    dry_run: bool,
    prune: Prune,
    stdout: &mut (dyn Write + Send),
    stderr: &mut (dyn Write + Send),
) -> i32 {
    if manifest.is_empty() {
        let _ = writeln!(
            stderr,
            "warning: no handler declares a requirement (#[requires]): the manifest is empty"
        );
    }
    if prune.organization_permissions && !manifest.has_organization_permissions() {
        let _ = writeln!(
            stderr,
            "warning: --prune-organization-permissions deletes nothing: the manifest names no \
             organization permission, and sync never empties the organization template"
        );
    }
    let result = async {
        let config = ManagementConfig::from_env()?;
        let management = Management::connect(&config).await?;
        let plan = management.plan(manifest, prune).await?;
        let _ = write!(stdout, "Logto at {}: {plan}", config.endpoint());
        if dry_run {
            let _ = writeln!(stdout, "Dry run: nothing was changed.");
            return Ok(());
        }
        if !plan.is_empty() {
            let done = management.apply(&plan).await?;
            let plural = if done == 1 { "" } else { "s" };
            let _ = writeln!(stdout, "Applied {done} change{plural}.");
        }
        Ok::<(), super::SyncError>(())
    }
    .await;
    match result {
        Ok(()) => 0,
        Err(error) => {
            let _ = writeln!(stderr, "error: {error}");
            1
        }
    }
}

fn warn(manifest: &Manifest, stderr: &mut (dyn Write + Send)) {
    for warning in manifest.warnings() {
        let _ = writeln!(stderr, "warning: {warning}");
    }
}

fn usage(program: &str) -> String {
    format!(
        "usage:\n  \
         {program} manifest                  print the scope manifest (JSON)\n  \
         {program} manifest --check FILE     exit 1 with a diff unless FILE matches the code\n  \
         {program} sync [--dry-run] [--prune] [--prune-organization-permissions]\n      \
         register the manifest's resources and permissions in Logto; --dry-run only prints \
         the plan,\n      --prune also deletes permissions of those resources that the \
         manifest does not name,\n      --prune-organization-permissions deletes organization \
         permissions (tenant-wide) that it does not name;\n      a deleted permission is \
         taken from every role that grants it\n      \
         environment: LOGTO_ENDPOINT, LOGTO_M2M_APP_ID, LOGTO_M2M_APP_SECRET \
         [, LOGTO_MANAGEMENT_RESOURCE]\n"
    )
}
