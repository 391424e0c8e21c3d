//! Validating OpenAPI documents with a real validator: `openapi-spec-validator` from PyPI.

use std::process::Command;

/// What runs the validator on the document in `sys.argv[1]`; it exits non-zero with the
/// validator's message when the document is invalid.
const VALIDATE: &str = "import json, sys\n\
from openapi_spec_validator import validate\n\
validate(json.load(open(sys.argv[1])))\n";

/// The install command the messages give.
const INSTALL: &str = "pip install openapi-spec-validator";

/// Asserts that `document` is a valid OpenAPI document, by `openapi-spec-validator`.
///
/// Without Python or the validator, [`crate::tool_available`] decides: it fails, or skips
/// loudly where skipping was asked for (never in CI).
///
/// # Panics
///
/// When the document is invalid (with the validator's message), or the validator is missing
/// and skipping was not asked for.
pub fn assert_valid_openapi(name: &str, document: &serde_json::Value) {
    let available = Command::new("python3")
        .args(["-c", "import openapi_spec_validator"])
        .output()
        .is_ok_and(|output| output.status.success());
    let problem = (!available)
        .then(|| format!("python3 with openapi-spec-validator is missing (`{INSTALL}`)"));
    if !crate::tool_available(&format!("the OpenAPI validation of {name}"), problem) {
        return;
    }
    let file = std::env::temp_dir().join(format!(
        "logto-guard-openapi-{}-{name}.json",
        std::process::id()
    ));
    std::fs::write(&file, document.to_string()).expect("write the document");
    let output = Command::new("python3")
        .args(["-c", VALIDATE])
        .arg(&file)
        .output()
        .expect("run python3");
    let _ = std::fs::remove_file(&file);
    assert!(
        output.status.success(),
        "openapi-spec-validator rejects the OpenAPI document {name}:\n{}\n{document:#}",
        String::from_utf8_lossy(&output.stderr)
    );
}
