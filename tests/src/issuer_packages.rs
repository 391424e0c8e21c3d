//! The test issuer's npm packages, installed the first time a test needs them, so that
//! `cargo test` is the only step on a machine that has Node.
//!
//! Test binaries run in parallel and each may be the first: an advisory lock on a file next to
//! `package.json` lets one of them run `npm ci` while the others wait, then find the packages
//! installed. A marker written after a successful install (a copy of `package-lock.json`) says
//! that `node_modules` is complete and current; `npm ci` deletes `node_modules` first, so an
//! interrupted install leaves no marker and the next test installs again.

use std::ffi::OsStr;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The lock file, next to `package.json` (it outlives `node_modules`, which `npm ci` deletes).
const LOCK_FILE: &str = ".npm-install.lock";

/// Inside `node_modules`: the `package-lock.json` it was installed from.
const MARKER: &str = "node_modules/.logto-guard-installed";

/// What [`ensure_installed`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Install {
    /// This call ran `npm ci`.
    Installed,
    /// The packages of the current `package-lock.json` were already there.
    AlreadyInstalled,
}

/// Why the packages cannot be installed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// `npm` cannot be started.
    #[error("npm is missing ({source}): {}", crate::HOW_TO_INSTALL_NODE)]
    NpmMissing {
        /// Why it cannot be started.
        source: std::io::Error,
    },
    /// `npm ci` ran and failed.
    #[error("`npm ci --prefix {}` failed ({status}):\n{output}", dir.display())]
    NpmFailed {
        /// The package directory.
        dir: PathBuf,
        /// npm's exit status.
        status: std::process::ExitStatus,
        /// What npm printed on stderr.
        output: String,
    },
    /// The lock file or the marker cannot be used.
    #[error("cannot use {}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Installs the npm packages of `dir` (which holds `package.json` and `package-lock.json`) with
/// `npm ci`, unless the packages of the current lock file are already installed. Safe to call
/// from several threads and processes at once: one installs, the others wait for it.
///
/// # Errors
///
/// When npm is missing or fails, or the lock file or marker cannot be used.
pub fn ensure_installed(dir: &Path) -> Result<Install, InstallError> {
    ensure_installed_with(OsStr::new("npm"), dir)
}

fn ensure_installed_with(npm: &OsStr, dir: &Path) -> Result<Install, InstallError> {
    let lock_path = dir.join(LOCK_FILE);
    let lock = File::create(&lock_path).map_err(file_error(lock_path.clone()))?;
    // Released when `lock` is dropped, also when this process dies.
    lock.lock().map_err(file_error(lock_path))?;

    let lock_file_path = dir.join("package-lock.json");
    let wanted = std::fs::read(&lock_file_path).map_err(file_error(lock_file_path))?;
    let marker = dir.join(MARKER);
    if std::fs::read(&marker).is_ok_and(|installed| installed == wanted) {
        return Ok(Install::AlreadyInstalled);
    }
    let result = Command::new(npm)
        .arg("ci")
        .arg("--prefix")
        .arg(dir)
        .args(["--no-audit", "--no-fund", "--loglevel=error"])
        .output()
        .map_err(|source| InstallError::NpmMissing { source })?;
    if !result.status.success() {
        return Err(InstallError::NpmFailed {
            dir: dir.to_owned(),
            status: result.status,
            output: String::from_utf8_lossy(&result.stderr).into_owned(),
        });
    }
    std::fs::write(&marker, wanted).map_err(file_error(marker))?;
    Ok(Install::Installed)
}

fn file_error(path: PathBuf) -> impl FnOnce(std::io::Error) -> InstallError {
    move |source| InstallError::File { path, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh copy of `tests/issuer`'s package files in a temporary directory.
    struct PackageCopy(PathBuf);

    impl PackageCopy {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!(
                "logto-guard-issuer-packages-{name}-{}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("a temp dir");
            let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("issuer");
            for file in ["package.json", "package-lock.json"] {
                std::fs::copy(source.join(file), dir.join(file)).expect("copy a package file");
            }
            Self(dir)
        }
    }

    impl Drop for PackageCopy {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn concurrent_callers_install_once_and_both_succeed() {
        if !crate::node_tests_wanted("npm") {
            return;
        }
        let copy = PackageCopy::new("concurrent");
        let results: Vec<Install> = std::thread::scope(|scope| {
            let installs: Vec<_> = (0..2)
                .map(|_| scope.spawn(|| ensure_installed(&copy.0)))
                .collect();
            installs
                .into_iter()
                .map(|install| install.join().expect("no panic").expect("installed"))
                .collect()
        });
        assert_eq!(
            results.iter().filter(|r| **r == Install::Installed).count(),
            1,
            "{results:?}"
        );
        assert!(results.contains(&Install::AlreadyInstalled), "{results:?}");
        assert!(
            copy.0
                .join("node_modules/oidc-provider/package.json")
                .is_file()
        );
        assert_eq!(
            ensure_installed(&copy.0).expect("installed"),
            Install::AlreadyInstalled
        );

        // A changed lock file is installed again.
        let lock_file = copy.0.join("package-lock.json");
        let mut changed = std::fs::read_to_string(&lock_file).expect("package-lock.json");
        changed.push('\n');
        std::fs::write(&lock_file, changed).expect("write package-lock.json");
        assert_eq!(
            ensure_installed(&copy.0).expect("installed"),
            Install::Installed
        );
    }

    #[test]
    fn a_missing_npm_is_named_with_how_to_install_it() {
        let copy = PackageCopy::new("no-npm");
        let error =
            ensure_installed_with(OsStr::new("/nonexistent/npm"), &copy.0).expect_err("no npm");
        assert_eq!(
            error.to_string(),
            "npm is missing (No such file or directory (os error 2)): install Node 20+ with npm \
             (e.g. `apt-get install nodejs npm`)"
        );
    }

    #[test]
    fn a_failing_npm_is_reported_with_its_output() {
        let copy = PackageCopy::new("npm-fails");
        let error = ensure_installed_with(OsStr::new("false"), &copy.0).expect_err("npm fails");
        assert_eq!(
            error.to_string(),
            format!(
                "`npm ci --prefix {}` failed (exit status: 1):\n",
                copy.0.display()
            )
        );
        assert!(!copy.0.join(MARKER).exists());
    }
}
