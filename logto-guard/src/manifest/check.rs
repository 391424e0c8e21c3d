//! Comparing the manifest of the code with a committed file.

use std::path::{Path, PathBuf};

use super::diff::line_diff;
use super::model::Manifest;

/// Set this environment variable (to anything but `0` or empty) and
/// [`Manifest::assert_matches_file`] rewrites the file instead of failing.
pub const UPDATE_VARIABLE: &str = "LOGTO_GUARD_UPDATE_MANIFEST";

/// A committed manifest file that cannot be compared, or differs from the code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// The file cannot be read.
    #[error(
        "cannot read the manifest file {}: {source}; check the path (a relative path starts \
         at the current directory; `cargo test` runs in the package's directory)",
        path.display()
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file cannot be written (when updating it).
    #[error("cannot write the manifest file {}: {source}; check the path and permissions", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a manifest's JSON: not JSON, or a key or value the layout does not have.
    #[error(
        "the manifest file {} is not a manifest's JSON ({source}); regenerate it with \
         `<your-app> manifest > {}`",
        path.display(),
        path.display()
    )]
    InvalidJson {
        /// The file.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// The file and the code disagree.
    #[error(
        "the scope manifest of the code differs from {} (- file, + code):\n{diff}\
         If the change is intended, regenerate the file with `<your-app> manifest > {}`",
        path.display(),
        path.display()
    )]
    Mismatch {
        /// The file.
        path: PathBuf,
        /// A line diff of the file (`-`) against the code (`+`).
        diff: String,
    },
}

impl Manifest {
    /// How `committed` (a manifest's JSON) differs from this manifest: `None` when they are
    /// equal as parsed manifests (whitespace and key order do not matter; the order of list
    /// items does), else a line diff of the file (`-`) against the code (`+`), both printed in
    /// the layout [`to_json`](Self::to_json) writes.
    ///
    /// # Errors
    ///
    /// When `committed` is not a manifest's JSON: not JSON, an unknown key, a missing one or a
    /// value of the wrong type.
    ///
    /// ```
    /// use logto_guard::manifest::Manifest;
    ///
    /// let manifest = Manifest::from_declarations([]);
    /// assert_eq!(manifest.diff_json(r#"{"resources": [], "version": 1}"#)?, None);
    /// let diff = manifest.diff_json(r#"{"version": 2, "resources": []}"#)?.unwrap();
    /// assert_eq!(diff, "  {\n-   \"version\": 2,\n+   \"version\": 1,\n    \"resources\": []\n  }\n");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn diff_json(&self, committed: &str) -> Result<Option<String>, serde_json::Error> {
        let file: Manifest = serde_json::from_str(committed)?;
        // Printed alike, equal content gives equal text, and a difference shows only content.
        let (file, code) = (file.to_json(), self.to_json());
        Ok((file != code).then(|| line_diff(&file, &code)))
    }

    /// Checks that the manifest file at `path` matches the code: what `manifest --check FILE`
    /// does.
    ///
    /// # Errors
    ///
    /// [`ManifestError::Mismatch`] with a diff when they differ; the file cannot be read or is
    /// not a manifest's JSON.
    pub fn check_file(&self, path: impl AsRef<Path>) -> Result<(), ManifestError> {
        let path = path.as_ref();
        let committed = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
            path: path.to_owned(),
            source,
        })?;
        match self.diff_json(&committed) {
            Ok(None) => Ok(()),
            Ok(Some(diff)) => Err(ManifestError::Mismatch {
                path: path.to_owned(),
                diff,
            }),
            Err(source) => Err(ManifestError::InvalidJson {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Writes the manifest's JSON to `path`.
    ///
    /// # Errors
    ///
    /// When the file cannot be written.
    pub fn write_file(&self, path: impl AsRef<Path>) -> Result<(), ManifestError> {
        let path = path.as_ref();
        std::fs::write(path, self.to_json()).map_err(|source| ManifestError::Write {
            path: path.to_owned(),
            source,
        })
    }

    /// A snapshot test in one line: panics with a diff unless the file at `path` matches
    /// the code. With [`UPDATE_VARIABLE`] (`LOGTO_GUARD_UPDATE_MANIFEST=1`) set, rewrites
    /// the file instead.
    ///
    /// Collect the manifest the way your app's `manifest` subcommand does, so the file it
    /// wrote matches: with routes when it uses [`cli::run_from_args`](super::cli::run_from_args).
    ///
    /// ```no_run
    /// use logto_guard::manifest::Manifest;
    ///
    /// #[test]
    /// fn scope_manifest_is_up_to_date() {
    ///     // `Manifest::collect_with_routes(&app())` for a file written by `app manifest`.
    ///     Manifest::collect()
    ///         .assert_matches_file(concat!(env!("CARGO_MANIFEST_DIR"), "/manifest.json"));
    /// }
    /// ```
    ///
    /// # Panics
    ///
    /// When the file differs (with the diff and how to update it), cannot be read or is not
    /// JSON; or, when updating, cannot be written.
    #[track_caller]
    pub fn assert_matches_file(&self, path: impl AsRef<Path>) {
        let path = path.as_ref();
        let update = std::env::var(UPDATE_VARIABLE).is_ok_and(|v| !v.is_empty() && v != "0");
        let result = if update {
            self.write_file(path)
        } else {
            self.check_file(path)
        };
        if let Err(error) = result {
            panic!("{error}\nor run this test with {UPDATE_VARIABLE}=1 to rewrite the file");
        }
    }
}
