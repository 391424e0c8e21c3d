//! The app's command line: `help`, the `manifest` subcommand, and with the `sync` feature the
//! `sync` subcommand, for any app in one line.
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
//! | `app` | nothing here: the functions return `None` and the app serves | — |
//! | `app help`, `app --help`, `app -h` | prints the commands | 0 |
//! | `app manifest` | prints the manifest's JSON (warnings on stderr) | 0 |
//! | `app manifest --check FILE` | compares with FILE, prints a diff when they differ | 0 equal, 1 different or unreadable |
//! | `app sync [--dry-run] [--prune] [--prune-organization-permissions] [--webhook URL [--webhook-name NAME]]` | feature `sync`: registers the manifest in Logto (the endpoint as the fairing reads it, `LOGTO_ENDPOINT` or the `logto` table of Rocket's config; the app's credentials from [`ManagementConfig`]'s environment variables, or [`Commands::management`]); prints the plan, every deletion with a warning that the roles granting it lose it; `--dry-run` prints the same plan and changes nothing; `--prune` also deletes permissions of the manifest's resources that it does not name; `--prune-organization-permissions` deletes organization permissions (tenant-wide) that its `organization` section does not name; `--webhook URL` also creates or updates the webhook named `logto-guard revocation (<app>)` that sends the [revocation](crate::revocation) events to URL (the public URL of the webhook route), and prints the signing key Logto generates when it creates it, once; `--webhook-name NAME` gives that webhook another name, so that two deployments of one program in one tenant (staging and production) keep a webhook each | 0 done, 1 failed, 2 a `--webhook` URL that is not an absolute http(s) URL, or a `--webhook-name` that is empty, longer than 256 characters, has control characters or spaces around it, or comes without `--webhook` |
//!
//! Anything else (an unknown command, a wrong option) exits with 2 and the usage, so that a
//! typo never starts the server. An app with options of its own (a `--dev` flag) names them
//! with [`Commands::option`]: they are listed in the help, and the functions return `None` for
//! them so that the app reads them itself.
//!
//! [`ManagementConfig`]: super::ManagementConfig

#[cfg(feature = "sync")]
mod sync;

use std::future::Future;
use std::io::Write;

use rocket::{Phase, Rocket};

use super::Manifest;

/// The width of the command column in the help; a longer command has its help below it.
const USAGE_COLUMN: usize = 21;

/// The command line of an app: its own options besides the commands of this module.
///
/// ```
/// use logto_guard::manifest::{Manifest, cli::Commands};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let commands = Commands::new().option("--dev", "serve with a development issuer");
/// let manifest = Manifest::from_declarations([]);
/// let (mut out, mut err) = (Vec::new(), Vec::new());
/// // The app's own option: not ours, the app reads it and serves.
/// assert_eq!(commands.run(["app", "--dev"], &manifest, &mut out, &mut err).await, None);
/// // The help lists it.
/// assert_eq!(commands.run(["app", "--help"], &manifest, &mut out, &mut err).await, Some(0));
/// assert!(String::from_utf8_lossy(&out).contains("app --dev"));
/// // Anything else is an error, not a launch.
/// assert_eq!(commands.run(["app", "--devel"], &manifest, &mut out, &mut err).await, Some(2));
/// # });
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Commands {
    /// The app's own options: the flag and what it does.
    options: Vec<(&'static str, &'static str)>,
    /// What `sync` connects to Logto with, instead of what it reads from the environment.
    #[cfg(feature = "sync")]
    management: Option<super::ManagementConfig>,
}

/// What the arguments ask for.
enum Command<'a> {
    /// Nothing of ours: no argument, or only the app's own options.
    Serve,
    Help,
    Manifest,
    CheckManifest(&'a str),
    #[cfg(feature = "sync")]
    Sync(sync::SyncOptions),
    /// `sync` in a build without the `sync` feature.
    #[cfg(not(feature = "sync"))]
    SyncNotCompiled,
    Unknown,
}

impl Commands {
    /// No option of the app's own.
    pub fn new() -> Self {
        Self::default()
    }

    /// An option of the app's own (`"--dev"`), with what it does for the help.
    pub fn option(mut self, flag: &'static str, help: &'static str) -> Self {
        self.options.push((flag, help));
        self
    }

    /// `sync` connects to Logto with `config` (endpoint and credentials), instead of what it
    /// reads from the app's configuration and the environment: for an app that keeps the
    /// machine-to-machine credentials in a secret store, or a test.
    #[cfg(feature = "sync")]
    #[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
    pub fn management(mut self, config: super::ManagementConfig) -> Self {
        self.management = Some(config);
        self
    }

    /// Runs the command that `args` (program name first, as [`std::env::args`]) ask for, with
    /// the manifest of this binary and the routes and configuration of `rocket`; returns the
    /// exit code. `None` when there is no argument, or only the app's own options: start the
    /// app as usual.
    pub fn run_from_args<P, I>(
        &self,
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
        let command = self.parse(&args);
        let needs_manifest = matches!(command, Command::Manifest | Command::CheckManifest(_));
        #[cfg(feature = "sync")]
        let needs_manifest = needs_manifest || matches!(command, Command::Sync(_));
        let manifest = needs_manifest.then(|| Manifest::collect_with_routes(rocket));
        // `sync` reads the `logto` table the fairing reads, so Rocket.toml works for both.
        #[cfg(feature = "sync")]
        let logto = match command {
            Command::Sync(_) => sync::LogtoSettings::from_figment(rocket.figment()),
            _ => sync::LogtoSettings::default(),
        };
        let commands = self.clone();
        async move {
            let manifest = manifest.unwrap_or_else(|| Manifest::from_declarations([]));
            let (mut stdout, mut stderr) = (std::io::stdout(), std::io::stderr());
            let mut output = Output {
                stdout: &mut stdout,
                stderr: &mut stderr,
            };
            #[cfg(feature = "sync")]
            let code = commands
                .execute(&args, &manifest, &logto, &mut output)
                .await;
            #[cfg(not(feature = "sync"))]
            let code = commands.execute(&args, &manifest, &mut output).await;
            let _ = stdout.flush();
            let _ = stderr.flush();
            code
        }
    }

    /// Like [`run_from_args`](Self::run_from_args) with a given manifest (e.g. one with
    /// [`with_resource_name`](Manifest::with_resource_name)) and output streams; `sync` then
    /// reads its endpoint from `LOGTO_ENDPOINT` only.
    pub fn run<'a, I>(
        &'a self,
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
        async move {
            let mut output = Output { stdout, stderr };
            #[cfg(feature = "sync")]
            let code = self
                .execute(
                    &args,
                    manifest,
                    &sync::LogtoSettings::default(),
                    &mut output,
                )
                .await;
            #[cfg(not(feature = "sync"))]
            let code = self.execute(&args, manifest, &mut output).await;
            code
        }
    }

    fn parse<'a>(&self, args: &'a [String]) -> Command<'a> {
        let words: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
        match words.as_slice() {
            words if words.iter().all(|word| self.is_option(word)) => Command::Serve,
            ["help" | "--help" | "-h"] | ["manifest" | "sync", "--help" | "-h"] => Command::Help,
            ["manifest"] => Command::Manifest,
            ["manifest", "--check", file] => Command::CheckManifest(file),
            #[cfg(feature = "sync")]
            ["sync", flags @ ..] => {
                sync::SyncOptions::parse(flags).map_or(Command::Unknown, Command::Sync)
            }
            #[cfg(not(feature = "sync"))]
            ["sync", ..] => Command::SyncNotCompiled,
            _ => Command::Unknown,
        }
    }

    fn is_option(&self, word: &str) -> bool {
        self.options.iter().any(|(flag, _)| *flag == word)
    }

    async fn execute(
        &self,
        args: &[String],
        manifest: &Manifest,
        #[cfg(feature = "sync")] logto: &sync::LogtoSettings,
        output: &mut Output<'_>,
    ) -> Option<i32> {
        let program = program_name(args);
        let code = match self.parse(args) {
            Command::Serve => return None,
            Command::Help => {
                output.out(&self.usage(&program));
                0
            }
            Command::Manifest => {
                output.warn_about(manifest);
                output.out(&manifest.to_json());
                0
            }
            Command::CheckManifest(file) => check_manifest(manifest, file, &program, output),
            #[cfg(feature = "sync")]
            Command::Sync(options) => {
                output.warn_about(manifest);
                let management = self.management.as_ref();
                sync::sync(manifest, options, logto, management, &program, output).await
            }
            #[cfg(not(feature = "sync"))]
            Command::SyncNotCompiled => {
                output.err(
                    "error: `sync` needs logto-guard's `sync` feature: \
                     logto-guard = { ..., features = [\"sync\"] } in Cargo.toml\n",
                );
                2
            }
            Command::Unknown => {
                output.err(&format!(
                    "error: unknown arguments `{}`\n\n{}",
                    args[1..].join(" "),
                    self.usage(&program)
                ));
                2
            }
        };
        Some(code)
    }

    /// The help: how the app serves, its own options, then the commands.
    fn usage(&self, program: &str) -> String {
        let mut lines = vec![(
            String::new(),
            "serve the API (no command: the app starts)".to_owned(),
        )];
        lines.extend(
            self.options
                .iter()
                .map(|(flag, help)| ((*flag).to_owned(), (*help).to_owned())),
        );
        lines.push((
            "manifest".to_owned(),
            "print the scope manifest (JSON)".to_owned(),
        ));
        lines.push((
            "manifest --check FILE".to_owned(),
            "exit 1 with a diff unless FILE matches the code".to_owned(),
        ));
        #[cfg(feature = "sync")]
        lines.push(sync::usage_line());
        lines.push((
            "help".to_owned(),
            "print this help (also --help, -h)".to_owned(),
        ));
        let mut usage = String::from("usage:\n");
        for (command, help) in lines {
            if command.len() > USAGE_COLUMN {
                usage.push_str(&format!("  {program} {command}\n      {help}\n"));
            } else {
                usage.push_str(&format!("  {program} {command:<USAGE_COLUMN$}   {help}\n"));
            }
        }
        usage
    }
}

/// [`Commands::run_from_args`] for an app without options of its own.
pub fn run_from_args<P, I>(
    args: I,
    rocket: &Rocket<P>,
) -> impl Future<Output = Option<i32>> + Send + use<P, I>
where
    P: Phase,
    I: IntoIterator,
    I::Item: Into<String>,
{
    Commands::new().run_from_args(args, rocket)
}

/// [`Commands::run`] for an app without options of its own.
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
pub async fn run<I>(
    args: I,
    manifest: &Manifest,
    stdout: &mut (dyn Write + Send),
    stderr: &mut (dyn Write + Send),
) -> Option<i32>
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    Commands::new().run(args, manifest, stdout, stderr).await
}

/// The program's file name, for the usage and hints.
fn program_name(args: &[String]) -> String {
    args.first()
        .map(|p| p.rsplit(['/', '\\']).next().unwrap_or(p).to_owned())
        .unwrap_or_else(|| "app".to_owned())
}

fn check_manifest(manifest: &Manifest, file: &str, program: &str, output: &mut Output<'_>) -> i32 {
    output.warn_about(manifest);
    match manifest.check_file(file) {
        Ok(()) => {
            output.out(&format!("{file} matches the code\n"));
            0
        }
        Err(error) => {
            let text = error.to_string().replace("<your-app>", program);
            output.err(&format!("error: {text}\n"));
            1
        }
    }
}

/// Where a command writes. A failed write (a closed pipe) is not worth an error of its own:
/// the exit code still says how the command went.
struct Output<'a> {
    stdout: &'a mut (dyn Write + Send),
    stderr: &'a mut (dyn Write + Send),
}

impl Output<'_> {
    fn out(&mut self, text: &str) {
        let _ = self.stdout.write_all(text.as_bytes());
    }

    fn err(&mut self, text: &str) {
        let _ = self.stderr.write_all(text.as_bytes());
    }

    fn warn_about(&mut self, manifest: &Manifest) {
        for warning in manifest.warnings() {
            self.err(&format!("warning: {warning}\n"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run_with(commands: &Commands, args: &[&str]) -> (Option<i32>, String, String) {
        let manifest = Manifest::from_declarations([]);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = commands
            .run(args.iter().copied(), &manifest, &mut out, &mut err)
            .await;
        let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
        (code, text(out), text(err))
    }

    #[tokio::test]
    async fn the_apps_options_serve_and_are_listed_in_the_help() {
        let commands = Commands::new().option("--dev", "serve with a development issuer");
        assert_eq!(run_with(&commands, &["app", "--dev"]).await.0, None);
        let (code, out, _) = run_with(&commands, &["app", "help"]).await;
        assert_eq!(code, Some(0));
        assert!(
            out.contains("\n  app --dev                   serve with a development issuer\n"),
            "{out}"
        );
        // An option of the app's is no command: with one, it is an unknown argument.
        let (code, _, err) = run_with(&commands, &["app", "--dev", "manifest"]).await;
        assert_eq!(code, Some(2));
        assert!(
            err.starts_with("error: unknown arguments `--dev manifest`"),
            "{err}"
        );
    }

    #[cfg(not(feature = "sync"))]
    #[tokio::test]
    async fn sync_without_its_feature_names_the_feature() {
        let (code, out, err) = run_with(&Commands::new(), &["app", "sync"]).await;
        assert_eq!(code, Some(2));
        assert_eq!(out, "");
        assert_eq!(
            err,
            "error: `sync` needs logto-guard's `sync` feature: logto-guard = { ..., features = \
             [\"sync\"] } in Cargo.toml\n"
        );
        let (_, help, _) = run_with(&Commands::new(), &["app", "--help"]).await;
        assert!(!help.contains("app sync"), "{help}");
    }
}
