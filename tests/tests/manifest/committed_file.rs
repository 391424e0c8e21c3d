//! The committed manifest file: the check, its diff, and the CLI that prints and checks it.

use super::*;

#[test]
fn check_file_accepts_the_same_manifest_in_any_formatting() {
    let manifest = Manifest::collect();
    let file = TempFile::new(&manifest.to_json());
    manifest.check_file(&file.0).expect("the same manifest");
    let compact: serde_json::Value = serde_json::from_str(&manifest.to_json()).expect("JSON");
    let compact = TempFile::new(&compact.to_string());
    manifest
        .check_file(&compact.0)
        .expect("the same manifest, compact");
}

#[test]
fn check_file_ignores_key_order() {
    let manifest = Manifest::collect();
    // `serde_json::Value` keeps keys sorted by name, unlike the layout `to_json` writes.
    let value: serde_json::Value = serde_json::from_str(&manifest.to_json()).expect("JSON");
    let sorted = serde_json::to_string_pretty(&value).expect("JSON");
    assert!(
        sorted.starts_with("{\n  \"organization\": {"),
        "keys in another order than the code's:\n{sorted}"
    );
    manifest
        .check_file(&TempFile::new(&sorted).0)
        .expect("the same manifest, keys sorted by name");

    let shuffled = Manifest::from_declarations([&REVERSED_KEYS_DECLARATION]);
    let file = TempFile::new(
        r#"{"resources": [{"any_token_handlers": [], "permissions": [{"handlers": [
             {"organization": "<org_id>", "name": "manifest::committed_file::org_members"}],
           "description": null, "name": "read:members"}],
         "name": "shuffled.example.com", "indicator": "https://shuffled.example.com"}],
         "version": 1}"#,
    );
    shuffled
        .check_file(&file.0)
        .expect("every object's keys reversed");
}

static REVERSED_KEYS_DECLARATION: Declaration = Declaration::__with(
    Audience::Resource("https://shuffled.example.com"),
    &["read:members"],
    ScopeMode::All,
    None,
    OrganizationRule::Segment("org_id"),
    ClientRule::Any,
    HandlerSite::__new("org_members", "GET", "/o/<org_id>", module_path!()),
);

#[test]
fn check_file_names_what_makes_a_file_no_manifest() {
    let manifest = Manifest::from_declarations([]);
    let unknown_key = TempFile::new(r#"{"version": 1, "resources": [], "scopes": []}"#);
    let error = manifest
        .check_file(&unknown_key.0)
        .expect_err("an unknown key");
    assert_eq!(
        error.to_string(),
        format!(
            "the manifest file {path} is not a manifest's JSON (unknown field `scopes`, expected \
             one of `version`, `resources`, `organization` at line 1 column 40); regenerate it \
             with `<your-app> manifest > {path}`",
            path = unknown_key.0.display()
        )
    );
}

#[test]
fn check_file_shows_a_line_diff_when_code_and_file_disagree() {
    let manifest = Manifest::collect();
    let stale = manifest
        .to_json()
        .replace("\"Read invoices\"", "\"See invoices\"");
    let file = TempFile::new(&stale);
    let error = manifest.check_file(&file.0).expect_err("a mismatch");
    let ManifestError::Mismatch { diff, .. } = &error else {
        panic!("expected a mismatch, got {error}");
    };
    assert!(
        diff.contains("-           \"description\": \"See invoices\",\n+           \"description\": \"Read invoices\",\n"),
        "{diff}"
    );
    assert!(
        diff.lines().count() < 12,
        "only the change and its context:\n{diff}"
    );
    let message = error.to_string();
    assert!(message.contains("(- file, + code)"), "{message}");
    assert!(message.contains("manifest > "), "{message}");

    let missing = manifest
        .check_file("/nonexistent/manifest.json")
        .expect_err("missing file");
    assert!(matches!(missing, ManifestError::Read { .. }), "{missing}");
    let garbage = TempFile::new("not json");
    let invalid = manifest.check_file(&garbage.0).expect_err("not JSON");
    assert!(
        matches!(invalid, ManifestError::InvalidJson { .. }),
        "{invalid}"
    );
}

#[test]
fn snapshot_assertion_passes_or_panics_with_the_diff_and_how_to_update() {
    let manifest = Manifest::collect();
    let file = TempFile::new(&manifest.to_json());
    manifest.assert_matches_file(&file.0);

    let stale = TempFile::new(&manifest.to_json().replace("read:invoices", "view:invoices"));
    let panic = std::panic::catch_unwind(|| manifest.assert_matches_file(&stale.0))
        .expect_err("a stale snapshot panics");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains(
            "-           \"name\": \"view:invoices\",\n+           \"name\": \"read:invoices\",\n"
        ),
        "{message}"
    );
    assert!(
        message.contains("LOGTO_GUARD_UPDATE_MANIFEST=1"),
        "{message}"
    );
}

#[rocket::async_test]
async fn cli_prints_the_manifest_and_checks_a_file() {
    let manifest = Manifest::collect_with_routes(&app());
    let run = |args: Vec<String>| {
        let manifest = manifest.clone();
        async move {
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let code = cli::run(args, &manifest, &mut out, &mut err).await;
            (
                code,
                String::from_utf8_lossy(&out).into_owned(),
                String::from_utf8_lossy(&err).into_owned(),
            )
        }
    };
    let args = |rest: &[&str]| {
        std::iter::once("/usr/bin/my-api")
            .chain(rest.iter().copied())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };

    let (code, out, err) = run(args(&["manifest"])).await;
    assert_eq!(code, Some(0));
    assert_eq!(out, manifest.to_json());
    assert!(
        err.contains("warning: handler `manifest::audit_log`"),
        "{err}"
    );

    let file = TempFile::new(&manifest.to_json());
    let path = file.0.display().to_string();
    let (code, out, _) = run(args(&["manifest", "--check", &path])).await;
    assert_eq!(code, Some(0));
    assert!(out.contains("matches the code"), "{out}");

    let stale = TempFile::new(&manifest.to_json().replace("/v2/orders", "/v1/orders"));
    let stale_path = stale.0.display().to_string();
    let (code, _, err) = run(args(&["manifest", "--check", &stale_path])).await;
    assert_eq!(code, Some(1));
    assert!(
        err.contains("-                   \"path\": \"/v1/orders\""),
        "{err}"
    );
    assert!(
        err.contains("+                   \"path\": \"/v2/orders\""),
        "{err}"
    );
    assert!(
        err.contains(&format!("`my-api manifest > {stale_path}`")),
        "{err}"
    );

    let (code, _, err) = run(args(&["manifest", "--frobnicate"])).await;
    assert_eq!(code, Some(2));
    assert!(
        err.contains("usage:")
            && err.contains("my-api sync [--dry-run] [--prune] [--prune-organization-permissions]"),
        "{err}"
    );
    let (code, _, err) = run(args(&["sync", "--force"])).await;
    assert_eq!(code, Some(2), "{err}");
    let (code, out, _) = run(args(&["sync", "--help"])).await;
    assert_eq!(code, Some(0));
    assert!(out.contains("LOGTO_M2M_APP_SECRET"), "{out}");

    // No command: the app serves.
    assert_eq!(run(args(&[])).await.0, None);
    // Help, under every name a newcomer tries.
    for help in ["help", "--help", "-h"] {
        let (code, out, err) = run(args(&[help])).await;
        assert_eq!(code, Some(0), "{help}");
        assert!(
            out.starts_with(
                "usage:\n  my-api                         serve the API (no command: the app starts)\n"
            ),
            "{out}"
        );
        assert!(
            out.contains("\n  my-api help                    print this help"),
            "{out}"
        );
        assert_eq!(err, "");
    }
    // Anything else is an error, never a launch.
    for unknown in [&["serve"][..], &["--port", "80"]] {
        let (code, out, err) = run(args(unknown)).await;
        assert_eq!(code, Some(2), "{unknown:?}");
        assert!(
            err.starts_with(&format!(
                "error: unknown arguments `{}`\n\nusage:\n",
                unknown.join(" ")
            )),
            "{err}"
        );
        assert_eq!(out, "");
    }
    assert_eq!(
        cli::run_from_args(["my-api", "--port", "80"], &app()).await,
        Some(2)
    );
}
