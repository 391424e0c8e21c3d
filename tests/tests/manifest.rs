//! The scope manifest: collecting declarations, its JSON, the committed-file check, the CLI,
//! and the sync with Logto's Management API (against the fake in `fake_management`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use logto_guard::manifest::{
    Action, MAX_LISTING_BYTES, MAX_RESPONSE_BYTES, Management, ManagementConfig, Manifest,
    ManifestError, MountedRoute, Prune, SyncError, cli,
};
use logto_guard::{Audience, ClientRule, Declaration, HandlerSite, OrganizationRule, ScopeMode};
use logto_guard_tests::fake_management::{
    APP_ID, APP_SECRET, FakeManagement, MANAGEMENT_RESOURCE, NO_ACCESS_APP_ID,
    NO_ACCESS_APP_SECRET, RESERVED_CHARACTERS_APP_ID, RESERVED_CHARACTERS_APP_SECRET,
};
use rocket::{delete, get, post, routes};
use serde_json::json;

const ORDERS: &str = "https://orders.example.com";
const BILLING: &str = "https://billing.example.com";
const AUDIT: &str = "urn:example:audit";

// What `#[requires]` generates, written out: this binary's declarations.
logto_guard::__private::inventory::submit! {
    Declaration::__with(
        Audience::Resource(ORDERS),
        &["read:orders"],
        ScopeMode::All,
        Some("Read orders"),
        OrganizationRule::None,
        ClientRule::Any,
        HandlerSite::__new("list_orders", "GET", "/orders", module_path!()),
    )
}
logto_guard::__private::inventory::submit! {
    Declaration::__with(
        Audience::Resource(ORDERS),
        &["write:orders"],
        ScopeMode::All,
        Some("Create orders"),
        OrganizationRule::None,
        ClientRule::Any,
        HandlerSite::__new("create_order", "POST", "/orders", module_path!()),
    )
}
logto_guard::__private::inventory::submit! {
    Declaration::__with(
        Audience::Resource(ORDERS),
        &["write:orders", "delete:orders"],
        ScopeMode::All,
        Some("Delete orders"),
        OrganizationRule::None,
        ClientRule::Any,
        HandlerSite::__new("delete_order", "DELETE", "/orders/<id>", module_path!()),
    )
}
logto_guard::__private::inventory::submit! {
    Declaration::__with(
        Audience::Resource(ORDERS),
        &[],
        ScopeMode::All,
        None,
        OrganizationRule::None,
        ClientRule::Any,
        HandlerSite::__new("me", "GET", "/me", module_path!()),
    )
}
logto_guard::__private::inventory::submit! {
    Declaration::__with(
        Audience::Resource(BILLING),
        &["read:invoices"],
        ScopeMode::All,
        Some("Read invoices"),
        OrganizationRule::None,
        ClientRule::Any,
        HandlerSite::__new("invoices", "GET", "/invoices?<page>", module_path!()),
    )
}
logto_guard::__private::inventory::submit! {
    Declaration::__with(
        Audience::Resource(AUDIT),
        &[],
        ScopeMode::All,
        None,
        OrganizationRule::None,
        ClientRule::Any,
        HandlerSite::__new("audit_log", "GET", "/audit-log", module_path!()),
    )
}

// Organization tokens (no resource): their scopes are organization permissions.
logto_guard::__private::inventory::submit! {
    Declaration::__with(
        Audience::Organization,
        &["read:members"],
        ScopeMode::All,
        Some("Read members"),
        OrganizationRule::Segment("org_id"),
        ClientRule::Any,
        HandlerSite::__new("list_members", "GET", "/organizations/<org_id>/members", module_path!()),
    )
}
logto_guard::__private::inventory::submit! {
    Declaration::__with(
        Audience::Organization,
        &["invite:members", "read:members"],
        ScopeMode::All,
        Some("Invite members"),
        OrganizationRule::Any,
        ClientRule::User,
        HandlerSite::__new("invite_member", "GET", "/invite-member", module_path!()),
    )
}
// An organization token without scopes names no permission: listed nowhere.
logto_guard::__private::inventory::submit! {
    Declaration::__with(
        Audience::Organization,
        &[],
        ScopeMode::All,
        None,
        OrganizationRule::Any,
        ClientRule::Any,
        HandlerSite::__new("organization_profile", "GET", "/organization-profile", module_path!()),
    )
}
// An organization-resource declaration: a permission of its resource, as any other.
logto_guard::__private::inventory::submit! {
    Declaration::__with(
        Audience::Resource(ORDERS),
        &["read:orders"],
        ScopeMode::All,
        None,
        OrganizationRule::Segment("org_id"),
        ClientRule::Any,
        HandlerSite::__new("organization_orders", "GET", "/organizations/<org_id>/orders", module_path!()),
    )
}

/// A second `list_orders`, in another module, on another path.
mod admin {
    use logto_guard::{
        Audience, ClientRule, Declaration, HandlerSite, OrganizationRule, ScopeMode,
    };

    logto_guard::__private::inventory::submit! {
        Declaration::__with(
        Audience::Resource(super::ORDERS),
        &["admin:orders", "read:orders"],
        ScopeMode::Any,
        None,
        OrganizationRule::None,
        ClientRule::Any,
        HandlerSite::__new("list_orders", "GET", "/admin/orders", module_path!()),
    )
    }

    #[rocket::get("/admin/orders")]
    pub(super) fn list_orders() -> &'static str {
        "[]"
    }
}

#[get("/orders")]
fn list_orders() -> &'static str {
    "[]"
}

#[post("/orders")]
fn create_order() -> &'static str {
    "{}"
}

#[delete("/orders/<id>")]
fn delete_order(id: u64) -> String {
    id.to_string()
}

#[get("/organizations/<org_id>/members")]
fn list_members(org_id: &str) -> String {
    org_id.to_owned()
}

#[get("/me")]
fn me() -> &'static str {
    "{}"
}

#[get("/invoices?<page>")]
fn invoices(page: Option<u32>) -> String {
    page.unwrap_or_default().to_string()
}

fn app() -> rocket::Rocket<rocket::Build> {
    rocket::build()
        .mount(
            "/",
            routes![
                list_orders,
                create_order,
                delete_order,
                me,
                invoices,
                list_members
            ],
        )
        .mount("/v2", routes![list_orders])
        .mount("/", routes![admin::list_orders])
}

const EXPECTED_JSON: &str = r#"{
  "version": 1,
  "resources": [
    {
      "indicator": "https://billing.example.com",
      "name": "billing.example.com",
      "permissions": [
        {
          "name": "read:invoices",
          "description": "Read invoices",
          "handlers": [
            {
              "name": "manifest::invoices"
            }
          ]
        }
      ],
      "any_token_handlers": []
    },
    {
      "indicator": "https://orders.example.com",
      "name": "orders.example.com",
      "permissions": [
        {
          "name": "admin:orders",
          "description": null,
          "handlers": [
            {
              "name": "manifest::admin::list_orders"
            }
          ]
        },
        {
          "name": "delete:orders",
          "description": "Delete orders",
          "handlers": [
            {
              "name": "manifest::delete_order"
            }
          ]
        },
        {
          "name": "read:orders",
          "description": "Read orders",
          "handlers": [
            {
              "name": "manifest::admin::list_orders"
            },
            {
              "name": "manifest::list_orders"
            },
            {
              "name": "manifest::organization_orders",
              "organization": "<org_id>"
            }
          ]
        },
        {
          "name": "write:orders",
          "description": "Create orders",
          "handlers": [
            {
              "name": "manifest::create_order"
            },
            {
              "name": "manifest::delete_order"
            }
          ]
        }
      ],
      "any_token_handlers": [
        {
          "name": "manifest::me"
        }
      ]
    },
    {
      "indicator": "urn:example:audit",
      "name": "urn:example:audit",
      "permissions": [],
      "any_token_handlers": [
        {
          "name": "manifest::audit_log"
        }
      ]
    }
  ],
  "organization": {
    "permissions": [
      {
        "name": "invite:members",
        "description": "Invite members",
        "handlers": [
          {
            "name": "manifest::invite_member",
            "organization": "any"
          }
        ]
      },
      {
        "name": "read:members",
        "description": "Read members",
        "handlers": [
          {
            "name": "manifest::invite_member",
            "organization": "any"
          },
          {
            "name": "manifest::list_members",
            "organization": "<org_id>"
          }
        ]
      }
    ]
  }
}
"#;

/// A fresh path in the temp directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(contents: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "logto-guard-manifest-{}-{}.json",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, contents).expect("write a temp file");
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

// ---- collecting ----

#[test]
fn collects_every_declaration_as_sorted_versioned_json() {
    let manifest = Manifest::collect();
    assert_eq!(manifest.to_json(), EXPECTED_JSON);
    let json: serde_json::Value = serde_json::from_str(&manifest.to_json()).expect("JSON");
    assert_eq!(json["version"], 1);
    assert_eq!(Manifest::VERSION, 1);
}

#[test]
fn json_does_not_depend_on_the_order_of_declarations() {
    let mut declarations: Vec<&Declaration> = Declaration::all().collect();
    let forward = Manifest::from_declarations(declarations.iter().copied()).to_json();
    declarations.reverse();
    let backward = Manifest::from_declarations(declarations.iter().copied()).to_json();
    assert_eq!(forward, backward);
    assert_eq!(forward, Manifest::collect().to_json());
}

#[test]
fn empty_scopes_give_a_resource_without_permissions() {
    let manifest = Manifest::collect();
    let audit = manifest.resource(AUDIT).expect("the audit resource");
    assert!(audit.permissions.is_empty());
    assert_eq!(audit.any_token_handlers[0].name, "manifest::audit_log");
}

#[test]
fn a_description_from_a_single_scope_handler_wins_and_the_conflict_is_reported() {
    let manifest = Manifest::collect();
    let orders = manifest.resource(ORDERS).expect("orders");
    let write = orders.permission("write:orders").expect("write:orders");
    assert_eq!(write.description.as_deref(), Some("Create orders"));
    let warning = manifest
        .warnings()
        .iter()
        .find(|w| w.contains("write:orders"))
        .expect("a warning about write:orders");
    assert!(
        warning.contains("manifest::create_order: \"Create orders\"")
            && warning.contains("manifest::delete_order: \"Delete orders\"")
            && warning.contains("uses \"Create orders\""),
        "{warning}"
    );
    // Among equally specific declarations, the alphabetically first description.
    static TIED: [Declaration; 2] = [
        tied_declaration("b", Some("Zebra")),
        tied_declaration("a", Some("Apple")),
    ];
    let tied = Manifest::from_declarations(&TIED);
    assert_eq!(
        tied.resources()[0].permissions[0].description.as_deref(),
        Some("Apple")
    );
}

const fn tied_declaration(handler: &'static str, description: Option<&'static str>) -> Declaration {
    Declaration::__with(
        Audience::Resource(ORDERS),
        &["read:orders"],
        ScopeMode::All,
        description,
        OrganizationRule::None,
        ClientRule::Any,
        HandlerSite::__new(handler, "GET", "/", "app"),
    )
}

#[test]
fn resource_names_default_to_the_host_and_can_be_set() {
    let manifest = Manifest::collect();
    assert_eq!(
        manifest.resource(ORDERS).expect("orders").name,
        "orders.example.com"
    );
    assert_eq!(manifest.resource(AUDIT).expect("audit").name, AUDIT);
    let named = manifest
        .with_resource_name(ORDERS, "Orders API")
        .with_resource_name("https://typo.example.com", "Nothing");
    assert_eq!(named.resource(ORDERS).expect("orders").name, "Orders API");
    assert!(
        named
            .warnings()
            .iter()
            .any(|w| w.contains("`https://typo.example.com`")),
        "{:?}",
        named.warnings()
    );
    assert!(named.to_json().contains(r#""name": "Orders API""#));
}

#[rocket::async_test]
async fn collect_with_routes_lists_mounted_methods_and_paths_by_route_identity() {
    let rocket = app();
    let manifest = Manifest::collect_with_routes(&rocket);
    let orders = manifest.resource(ORDERS).expect("orders");
    let read = orders.permission("read:orders").expect("read:orders");
    let routes = |i: usize| read.handlers[i].routes.clone().expect("routes");
    // Matched by fn name, method and path: the two `list_orders` are told apart by their
    // paths, and one handler mounted at two bases lists both.
    assert_eq!(read.handlers[0].name, "manifest::admin::list_orders");
    assert_eq!(routes(0), [MountedRoute::new("GET", "/admin/orders")]);
    assert_eq!(read.handlers[1].name, "manifest::list_orders");
    assert_eq!(
        routes(1),
        [
            MountedRoute::new("GET", "/orders"),
            MountedRoute::new("GET", "/v2/orders"),
        ]
    );
    let delete = orders.permission("delete:orders").expect("delete:orders");
    assert_eq!(
        delete.handlers[0].routes,
        Some(vec![MountedRoute::new("DELETE", "/orders/<id>")])
    );
    // The path without the query.
    let billing = manifest.resource(BILLING).expect("billing");
    assert_eq!(
        billing.permissions[0].handlers[0].routes,
        Some(vec![MountedRoute::new("GET", "/invoices")])
    );
    // Declared but not mounted: left out, with a warning.
    assert!(manifest.resource(AUDIT).is_none());
    let warnings = manifest.warnings().join("\n");
    assert!(warnings.contains("`manifest::audit_log`"), "{warnings}");
    assert!(!warnings.contains("list_orders"), "{warnings}");
    let json = manifest.to_json();
    assert!(
        json.contains("{\n                  \"method\": \"DELETE\",\n                  \"path\": \"/orders/<id>\"\n                }"),
        "{json}"
    );

    // Any phase: the same after ignite.
    let ignited = rocket.ignite().await.expect("ignite");
    assert_eq!(Manifest::collect_with_routes(&ignited), manifest);
}

// ---- the committed file ----

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
             {"organization": "<org_id>", "name": "manifest::org_members"}],
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

// ---- sync ----

/// The manifest of this binary, with a chosen name for one resource.
fn manifest() -> Manifest {
    Manifest::collect().with_resource_name(ORDERS, "Orders API")
}

/// `sync --prune`: permissions of the manifest's resources only.
const PRUNE: Prune = Prune {
    resource_permissions: true,
    organization_permissions: false,
};

/// `sync --prune-organization-permissions`.
const PRUNE_ORGANIZATION: Prune = Prune {
    resource_permissions: false,
    organization_permissions: true,
};

/// `sync --prune --prune-organization-permissions`.
const PRUNE_BOTH: Prune = Prune {
    resource_permissions: true,
    organization_permissions: true,
};

async fn connect(fake: &FakeManagement) -> Management {
    Management::connect(&fake.config())
        .await
        .expect("connect to the fake")
}

const FULL_PLAN: &str = "\
10 changes:
  + create resource https://billing.example.com named \"billing.example.com\"
  + create permission read:invoices in https://billing.example.com: \"Read invoices\"
  + create resource https://orders.example.com named \"Orders API\"
  + create permission admin:orders in https://orders.example.com (no description)
  + create permission delete:orders in https://orders.example.com: \"Delete orders\"
  + create permission read:orders in https://orders.example.com: \"Read orders\"
  + create permission write:orders in https://orders.example.com: \"Create orders\"
  + create resource urn:example:audit named \"urn:example:audit\"
  + create organization permission invite:members: \"Invite members\"
  + create organization permission read:members: \"Read members\"
";

#[tokio::test]
async fn plan_lists_every_change_readably_and_writes_nothing() {
    let fake = FakeManagement::start().await;
    let management = connect(&fake).await;
    let plan = management
        .plan(&manifest(), Prune::NOTHING)
        .await
        .expect("plan");
    assert_eq!(plan.to_string(), FULL_PLAN);
    assert_eq!(
        plan.actions()[0],
        Action::CreateResource {
            indicator: BILLING.to_owned(),
            name: "billing.example.com".to_owned(),
        }
    );
    assert!(fake.writes().is_empty(), "{:?}", fake.writes());
    assert!(fake.resources().is_empty());
}

#[tokio::test]
async fn apply_registers_two_resources_and_a_second_run_changes_nothing() {
    let fake = FakeManagement::start().await;
    let management = connect(&fake).await;
    let plan = management
        .plan(&manifest(), Prune::NOTHING)
        .await
        .expect("plan");
    assert_eq!(management.apply(&plan).await.expect("apply"), 10);

    assert_eq!(
        fake.resources(),
        [
            (BILLING.to_owned(), "billing.example.com".to_owned()),
            (ORDERS.to_owned(), "Orders API".to_owned()),
            (AUDIT.to_owned(), AUDIT.to_owned()),
        ]
    );
    let scope = |name: &str, description: &str| (name.to_owned(), Some(description.to_owned()));
    assert_eq!(
        fake.scopes(BILLING),
        [scope("read:invoices", "Read invoices")]
    );
    assert_eq!(
        fake.scopes(ORDERS),
        [
            scope("admin:orders", ""),
            scope("delete:orders", "Delete orders"),
            scope("read:orders", "Read orders"),
            scope("write:orders", "Create orders"),
        ]
    );
    assert!(fake.scopes(AUDIT).is_empty());
    assert_eq!(
        fake.organization_scopes(),
        [
            scope("invite:members", "Invite members"),
            scope("read:members", "Read members"),
        ]
    );
    let writes = fake.writes();
    assert_eq!(writes.len(), 10, "{writes:?}");
    assert_eq!(writes[8], "POST /api/organization-scopes");
    assert_eq!(writes[9], "POST /api/organization-scopes");
    assert_eq!(writes[0], "POST /api/resources");
    assert!(writes[1].starts_with("POST /api/resources/res") && writes[1].ends_with("/scopes"));

    // Idempotent: a second run plans nothing and writes nothing.
    fake.clear_requests();
    let again = connect(&fake).await;
    let second = again
        .plan(&manifest(), PRUNE_BOTH)
        .await
        .expect("second plan");
    assert!(second.is_empty(), "{second}");
    assert_eq!(
        second.to_string(),
        "Logto already matches the manifest: nothing to change.\n"
    );
    assert_eq!(again.apply(&second).await.expect("apply nothing"), 0);
    assert!(fake.writes().is_empty(), "{:?}", fake.writes());
}

#[tokio::test]
async fn existing_resources_get_missing_scopes_and_new_descriptions_only() {
    let fake = FakeManagement::start().await;
    let orders = fake.add_resource("Named in the Console", ORDERS);
    fake.add_scope(&orders, "read:orders", Some("Old words"));
    fake.add_scope(&orders, "admin:orders", Some("Written in the Console"));
    fake.add_scope(&orders, "legacy:orders", Some("Old"));
    let management = connect(&fake).await;
    let plan = management
        .plan(&manifest(), Prune::NOTHING)
        .await
        .expect("plan");
    let text = plan.to_string();
    assert!(
        text.contains("~ update the description of read:orders in https://orders.example.com: \"Old words\" -> \"Read orders\"\n"),
        "{text}"
    );
    // No description in code: Logto's is kept. The resource keeps its name.
    assert!(!text.contains("admin:orders"), "{text}");
    assert!(!text.contains("create resource https://orders"), "{text}");
    assert!(
        text.ends_with("Kept: in Logto but not in the manifest (`sync --prune` deletes them):\n  = legacy:orders in https://orders.example.com\n"),
        "{text}"
    );
    assert_eq!(
        plan.unmanaged(),
        [(ORDERS.to_owned(), "legacy:orders".to_owned())]
    );

    management.apply(&plan).await.expect("apply");
    let scopes = fake.scopes(ORDERS);
    assert!(scopes.contains(&("read:orders".to_owned(), Some("Read orders".to_owned()))));
    assert!(scopes.contains(&("legacy:orders".to_owned(), Some("Old".to_owned()))));
    assert!(
        fake.writes()
            .iter()
            .any(|w| w.starts_with("PATCH /api/resources/") && w.contains("/scopes/")),
        "{:?}",
        fake.writes()
    );
    assert_eq!(fake.resources()[0].1, "Named in the Console");
}

#[tokio::test]
async fn prune_deletes_only_unnamed_scopes_of_resources_the_manifest_names() {
    let fake = FakeManagement::start().await;
    let orders = fake.add_resource("orders", ORDERS);
    fake.add_scope(&orders, "legacy:orders", None);
    let other = fake.add_resource("other", "https://other.example.com");
    fake.add_scope(&other, "read:other", Some("Not ours"));
    let management = connect(&fake).await;

    let kept = management
        .plan(&manifest(), Prune::NOTHING)
        .await
        .expect("plan");
    assert!(
        !kept
            .actions()
            .iter()
            .any(|a| matches!(a, Action::DeleteScope { .. }))
    );

    let pruned = management.plan(&manifest(), PRUNE).await.expect("plan");
    let deletes: Vec<&Action> = pruned
        .actions()
        .iter()
        .filter(|a| matches!(a, Action::DeleteScope { .. }))
        .collect();
    assert_eq!(
        deletes,
        [&Action::DeleteScope {
            indicator: ORDERS.to_owned(),
            name: "legacy:orders".to_owned(),
        }]
    );
    assert!(
        pruned
            .to_string()
            .contains("  - delete permission legacy:orders from https://orders.example.com\n")
    );
    management.apply(&pruned).await.expect("apply");
    assert!(
        !fake
            .scopes(ORDERS)
            .iter()
            .any(|(name, _)| name == "legacy:orders")
    );
    assert_eq!(
        fake.scopes("https://other.example.com"),
        [("read:other".to_owned(), Some("Not ours".to_owned()))]
    );
    let deleted: Vec<String> = fake
        .writes()
        .into_iter()
        .filter(|w| w.starts_with("DELETE "))
        .collect();
    assert_eq!(deleted.len(), 1, "{deleted:?}");
    assert!(deleted[0].starts_with(&format!("DELETE /api/resources/{orders}/scopes/")));
}

#[tokio::test]
async fn pagination_reads_every_page_of_resources_and_scopes() {
    let fake = FakeManagement::start().await;
    for i in 0..8 {
        fake.add_resource(
            &format!("filler {i}"),
            &format!("https://filler{i}.example.com"),
        );
    }
    let billing = fake.add_resource("billing", BILLING);
    fake.add_scope(&billing, "read:invoices", Some("Read invoices"));
    for i in 0..7 {
        fake.add_scope(&billing, &format!("extra:{i}"), None);
    }
    let management = Management::connect(&fake.config().page_size(3))
        .await
        .expect("connect");
    let plan = management.plan(&manifest(), PRUNE).await.expect("plan");
    // read:invoices was found (on page 3 of the scopes): not created again; the 7 extras are
    // pruned; billing itself (on page 3 of the resources) is not created again.
    let billing_actions: Vec<String> = plan
        .actions()
        .iter()
        .map(ToString::to_string)
        .filter(|a| a.contains(BILLING))
        .collect();
    assert_eq!(billing_actions.len(), 7, "{billing_actions:?}");
    assert!(
        billing_actions
            .iter()
            .all(|a| a.starts_with("- delete permission extra:"))
    );

    let requests = fake.requests();
    for page in 1..=3 {
        let resources = format!("GET /api/resources?page={page}&page_size=3");
        assert!(requests.contains(&resources), "{requests:?}");
        let scopes = format!("GET /api/resources/{billing}/scopes?page={page}&page_size=3");
        assert!(requests.contains(&scopes), "{requests:?}");
    }
    assert!(
        !requests.iter().any(|r| r.contains("page=4")),
        "{requests:?}"
    );
}

// ---- organization permissions ----

/// Only this binary's organization-token declarations.
fn organization_manifest() -> Manifest {
    Manifest::from_declarations(Declaration::all().filter(|d| d.resource().is_none()))
}

/// Only this binary's resource declarations: no `organization` section.
fn resources_only_manifest() -> Manifest {
    Manifest::from_declarations(Declaration::all().filter(|d| d.resource().is_some()))
}

#[test]
fn organization_permissions_have_their_own_section() {
    let manifest = Manifest::collect();
    assert!(manifest.has_organization_permissions());
    let names: Vec<&str> = manifest
        .organization_permissions()
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["invite:members", "read:members"]);
    let read = manifest
        .organization_permission("read:members")
        .expect("read:members");
    // The description of the handler that names only this scope wins, as for resources.
    assert_eq!(read.description.as_deref(), Some("Read members"));
    assert!(
        manifest
            .warnings()
            .iter()
            .any(|w| w.starts_with("permission `read:members` of organizations has different")),
        "{:?}",
        manifest.warnings()
    );
    // Never a resource with an empty indicator; scope-less organization handlers are nowhere.
    assert!(manifest.resource("").is_none());
    assert!(!manifest.to_json().contains("organization_profile"));
    // An organization-resource declaration stays under its resource.
    let orders = manifest.resource(ORDERS).expect("orders");
    assert!(
        orders
            .permission("read:orders")
            .expect("read:orders")
            .handlers
            .iter()
            .any(|h| h.name == "manifest::organization_orders")
    );

    // No organization permission: no section at all.
    let resources_only = resources_only_manifest();
    assert!(!resources_only.has_organization_permissions());
    assert!(resources_only.organization_permissions().is_empty());
    let json: serde_json::Value = serde_json::from_str(&resources_only.to_json()).expect("JSON");
    assert!(json.get("organization").is_none(), "{json}");
    assert_eq!(json.as_object().map(serde_json::Map::len), Some(2));
    // Only organization permissions: not empty, no resources.
    let organization = organization_manifest();
    assert!(!organization.is_empty());
    assert!(organization.resources().is_empty());
    let section = &EXPECTED_JSON[EXPECTED_JSON
        .find("  \"organization\": {")
        .expect("section")..];
    assert_eq!(
        organization.to_json(),
        format!("{{\n  \"version\": 1,\n  \"resources\": [],\n{section}")
    );
}

#[rocket::async_test]
async fn organization_permission_handlers_get_their_routes() {
    let manifest = Manifest::collect_with_routes(&app());
    let read = manifest
        .organization_permission("read:members")
        .expect("read:members");
    let list = read
        .handlers
        .iter()
        .find(|h| h.name == "manifest::list_members")
        .expect("list_members");
    assert_eq!(
        list.routes,
        Some(vec![MountedRoute::new(
            "GET",
            "/organizations/<org_id>/members"
        )])
    );
    let warnings = manifest.warnings().join("\n");
    assert!(warnings.contains("`manifest::invite_member`"), "{warnings}");
}

const ORGANIZATION_PLAN: &str = "\
2 changes:
  + create organization permission invite:members: \"Invite members\"
  ~ update the description of organization permission read:members: \"Old words\" -> \"Read members\"
Kept: in Logto but not in the manifest (`sync --prune-organization-permissions` deletes them):
  = organization permission legacy:members
";

#[tokio::test]
async fn organization_permissions_are_planned_applied_and_then_match() {
    let fake = FakeManagement::start().await;
    fake.add_organization_scope("read:members", Some("Old words"));
    fake.add_organization_scope("legacy:members", Some("Console"));
    let management = connect(&fake).await;

    // The plan (a dry run) reads and writes nothing.
    let plan = management
        .plan(&organization_manifest(), Prune::NOTHING)
        .await
        .expect("plan");
    assert_eq!(plan.to_string(), ORGANIZATION_PLAN);
    assert_eq!(
        plan.actions(),
        [
            Action::CreateOrganizationScope {
                name: "invite:members".to_owned(),
                description: Some("Invite members".to_owned()),
            },
            Action::UpdateOrganizationScopeDescription {
                name: "read:members".to_owned(),
                from: Some("Old words".to_owned()),
                to: "Read members".to_owned(),
            },
        ]
    );
    assert_eq!(
        plan.unmanaged_organization_permissions(),
        ["legacy:members"]
    );
    assert!(fake.writes().is_empty(), "{:?}", fake.writes());
    assert!(
        fake.requests()
            .contains(&"GET /api/organization-scopes?page=1&page_size=100".to_owned()),
        "{:?}",
        fake.requests()
    );

    assert_eq!(management.apply(&plan).await.expect("apply"), 2);
    let scope = |name: &str, description: &str| (name.to_owned(), Some(description.to_owned()));
    assert_eq!(
        fake.organization_scopes(),
        [
            scope("invite:members", "Invite members"),
            scope("legacy:members", "Console"),
            scope("read:members", "Read members"),
        ]
    );
    let writes = fake.writes();
    assert_eq!(writes.len(), 2, "{writes:?}");
    assert_eq!(writes[0], "POST /api/organization-scopes");
    assert!(
        writes[1].starts_with("PATCH /api/organization-scopes/orgscp"),
        "{writes:?}"
    );

    // Idempotent: nothing to change, nothing written.
    fake.clear_requests();
    let second = management
        .plan(&organization_manifest(), Prune::NOTHING)
        .await
        .expect("second plan");
    assert!(second.is_empty(), "{second}");
    assert_eq!(
        second.to_string(),
        "Logto already matches the manifest: nothing to change.\n\
         Kept: in Logto but not in the manifest \
         (`sync --prune-organization-permissions` deletes them):\n  \
         = organization permission legacy:members\n"
    );
    assert_eq!(management.apply(&second).await.expect("apply nothing"), 0);
    assert!(fake.writes().is_empty(), "{:?}", fake.writes());
}

#[tokio::test]
async fn an_organization_permission_without_description_keeps_logtos() {
    static UNDESCRIBED: [Declaration; 1] = [Declaration::__with(
        Audience::Organization,
        &["read:members"],
        ScopeMode::All,
        None,
        OrganizationRule::Any,
        ClientRule::Any,
        HandlerSite::__new("members", "GET", "/members", "app"),
    )];
    let fake = FakeManagement::start().await;
    fake.add_organization_scope("read:members", Some("From the Console"));
    let management = connect(&fake).await;
    let manifest = Manifest::from_declarations(&UNDESCRIBED);
    assert!(
        manifest
            .to_json()
            .contains("\"organization\": {\n    \"permissions\": [")
    );
    let plan = management.plan(&manifest, PRUNE_BOTH).await.expect("plan");
    assert!(plan.is_empty(), "{plan}");

    let empty = FakeManagement::start().await;
    let management = connect(&empty).await;
    let plan = management
        .plan(&manifest, Prune::NOTHING)
        .await
        .expect("plan");
    assert_eq!(
        plan.to_string(),
        "1 change:\n  + create organization permission read:members (no description)\n"
    );
    management.apply(&plan).await.expect("apply");
    assert_eq!(
        empty.organization_scopes(),
        [("read:members".to_owned(), Some(String::new()))]
    );
}

#[tokio::test]
async fn prune_deletes_unnamed_organization_permissions_only_when_the_manifest_has_the_section() {
    let fake = FakeManagement::start().await;
    fake.add_organization_scope("read:members", Some("Read members"));
    fake.add_organization_scope("invite:members", Some("Invite members"));
    let legacy = fake.add_organization_scope("legacy:members", None);
    let orders = fake.add_resource("orders", ORDERS);
    fake.add_scope(&orders, "legacy:orders", None);
    let management = connect(&fake).await;

    // No organization section: organization permissions are not even read, whatever the flags.
    let resources_only = management
        .plan(&resources_only_manifest(), PRUNE_BOTH)
        .await
        .expect("plan");
    assert!(
        !resources_only.actions().iter().any(|a| matches!(
            a,
            Action::DeleteOrganizationScope { .. }
                | Action::CreateOrganizationScope { .. }
                | Action::UpdateOrganizationScopeDescription { .. }
        )),
        "{resources_only}"
    );
    assert!(
        !fake
            .requests()
            .iter()
            .any(|r| r.contains("/api/organization-scopes")),
        "{:?}",
        fake.requests()
    );
    management.apply(&resources_only).await.expect("apply");
    assert_eq!(fake.organization_scopes().len(), 3);

    // With the section, `--prune` alone keeps them: they are tenant-wide.
    let resources_pruned = management
        .plan(&organization_manifest(), PRUNE)
        .await
        .expect("plan");
    assert_eq!(
        resources_pruned.to_string(),
        "Logto already matches the manifest: nothing to change.\n\
         Kept: in Logto but not in the manifest \
         (`sync --prune-organization-permissions` deletes them):\n  \
         = organization permission legacy:members\n"
    );

    // `--prune-organization-permissions`: only the organization permission it does not name.
    let pruned = management
        .plan(&organization_manifest(), PRUNE_ORGANIZATION)
        .await
        .expect("plan");
    assert_eq!(
        pruned.to_string(),
        "1 change:\n  - delete organization permission legacy:members\n    \
         warning: every organization role in every organization loses legacy:members; \
         re-creating it does not give it back\n"
    );
    fake.clear_requests();
    assert_eq!(management.apply(&pruned).await.expect("apply"), 1);
    assert_eq!(
        fake.writes(),
        [format!("DELETE /api/organization-scopes/{legacy}")]
    );
    let names: Vec<String> = fake
        .organization_scopes()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(names, ["invite:members", "read:members"]);
    // Resource scopes are untouched by an organization-only manifest (`legacy:orders` went
    // with the resources-only prune).
    let orders: Vec<String> = fake
        .scopes(ORDERS)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        orders,
        [
            "admin:orders",
            "delete:orders",
            "read:orders",
            "write:orders"
        ]
    );
}

#[tokio::test]
async fn pagination_reads_every_page_of_organization_permissions() {
    let fake = FakeManagement::start().await;
    for i in 0..7 {
        fake.add_organization_scope(&format!("extra:{i}"), None);
    }
    fake.add_organization_scope("invite:members", Some("Invite members"));
    fake.add_organization_scope("read:members", Some("Read members"));
    let management = Management::connect(&fake.config().page_size(3))
        .await
        .expect("connect");
    let plan = management
        .plan(&organization_manifest(), PRUNE_ORGANIZATION)
        .await
        .expect("plan");
    // Both found on page 3: not created again; the 7 extras are pruned.
    let actions: Vec<String> = plan.actions().iter().map(ToString::to_string).collect();
    assert_eq!(actions.len(), 7, "{actions:?}");
    assert!(
        actions
            .iter()
            .all(|a| a.starts_with("- delete organization permission extra:")),
        "{actions:?}"
    );
    let requests = fake.requests();
    for page in 1..=3 {
        let wanted = format!("GET /api/organization-scopes?page={page}&page_size=3");
        assert!(requests.contains(&wanted), "{requests:?}");
    }
    assert!(
        !requests.iter().any(|r| r.contains("page=4")),
        "{requests:?}"
    );
}

#[tokio::test]
async fn an_organization_permission_created_meanwhile_is_logtos_422() {
    let fake = FakeManagement::start().await;
    let management = connect(&fake).await;
    let plan = management
        .plan(&organization_manifest(), Prune::NOTHING)
        .await
        .expect("plan");
    fake.add_organization_scope("invite:members", None);
    let error = management.apply(&plan).await.expect_err("422");
    let SyncError::Unexpected { status, code, .. } = &error else {
        panic!("expected Unexpected, got {error}");
    };
    assert_eq!(*status, 422);
    assert_eq!(code.as_deref(), Some("organization_scope.name_exists"));
    let text = error.to_string();
    assert!(
        text.contains("POST /api/organization-scopes: 422, organization_scope.name_exists"),
        "{text}"
    );
    assert!(text.contains("run sync again"), "{text}");
    assert_no_secret(&error);
}

#[tokio::test]
async fn the_fake_pages_like_logto() {
    let fake = FakeManagement::start().await;
    for i in 0..25 {
        fake.add_resource(&format!("r{i}"), &format!("https://r{i}.example.com"));
    }
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{}/oidc/token", fake.endpoint()))
        .basic_auth(APP_ID, Some(APP_SECRET))
        .form(&[
            ("grant_type", "client_credentials"),
            ("resource", MANAGEMENT_RESOURCE),
            ("scope", "all"),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("token JSON");
    assert_eq!(token["scope"], "all");
    let token = token["access_token"].as_str().expect("access_token");
    let page = |query: &'static str| {
        http.get(format!("{}/api/resources{query}", fake.endpoint()))
            .bearer_auth(token)
            .send()
    };
    let first = page("?page=1").await.expect("page 1");
    assert_eq!(first.headers()["total-number"], "25");
    let items: Vec<serde_json::Value> = first.json().await.expect("JSON");
    assert_eq!(items.len(), 20, "the default page size");
    assert_eq!(
        items[0].as_object().map(|o| {
            let mut keys: Vec<&str> = o.keys().map(String::as_str).collect();
            keys.sort_unstable();
            keys
        }),
        Some(vec![
            "accessTokenTtl",
            "id",
            "indicator",
            "isDefault",
            "name",
            "tenantId"
        ])
    );
    let bad = page("?page=0").await.expect("page 0");
    assert_eq!(bad.status(), 400);
    let body: serde_json::Value = bad.json().await.expect("JSON");
    assert_eq!(body["code"], "guard.invalid_pagination");
}

// ---- errors: what to check, never the secret or the token ----

fn assert_no_secret(error: &SyncError) {
    let text = error.to_string();
    assert!(!text.contains(APP_SECRET), "{text}");
    assert!(!text.contains(NO_ACCESS_APP_SECRET), "{text}");
    assert!(!text.contains("fake-access-token"), "{text}");
}

#[tokio::test]
async fn a_wrong_secret_is_bad_credentials() {
    let fake = FakeManagement::start().await;
    let config = ManagementConfig::new(fake.endpoint(), APP_ID, "wrong-secret");
    let error = Management::connect(&config).await.expect_err("401");
    assert!(matches!(error, SyncError::BadCredentials { .. }), "{error}");
    let text = error.to_string();
    assert!(text.contains("401"), "{text}");
    assert!(
        text.contains("LOGTO_M2M_APP_ID and LOGTO_M2M_APP_SECRET"),
        "{text}"
    );
    assert!(
        text.contains("invalid_client: client authentication failed"),
        "{text}"
    );
    assert!(!text.contains("wrong-secret"), "{text}");
    assert_no_secret(&error);
}

#[tokio::test]
async fn a_token_the_api_rejects_is_a_401_with_what_to_check() {
    let fake = FakeManagement::start().await;
    let management = connect(&fake).await;
    fake.revoke_tokens();
    let error = management
        .plan(&manifest(), Prune::NOTHING)
        .await
        .expect_err("401");
    assert!(matches!(error, SyncError::TokenRejected { .. }), "{error}");
    let text = error.to_string();
    assert!(
        text.contains("401 for GET /api/resources?page=1&page_size=100"),
        "{text}"
    );
    assert!(text.contains("auth.unauthorized"), "{text}");
    assert!(text.contains("LOGTO_MANAGEMENT_RESOURCE"), "{text}");
    assert_no_secret(&error);
}

#[tokio::test]
async fn an_app_without_management_api_access_is_a_403_with_what_to_do() {
    let fake = FakeManagement::start().await;
    let config = ManagementConfig::new(fake.endpoint(), NO_ACCESS_APP_ID, NO_ACCESS_APP_SECRET);
    let management = Management::connect(&config)
        .await
        .expect("Logto issues a token");
    let error = management
        .plan(&manifest(), Prune::NOTHING)
        .await
        .expect_err("403");
    assert!(matches!(error, SyncError::Forbidden { .. }), "{error}");
    let text = error.to_string();
    assert!(
        text.contains("403") && text.contains("auth.forbidden"),
        "{text}"
    );
    assert!(
        text.contains("Logto Management API permission `all`"),
        "{text}"
    );
    assert_no_secret(&error);
    assert!(fake.writes().is_empty());
}

#[tokio::test]
async fn an_unreachable_endpoint_says_so() {
    let port = logto_guard_tests::free_port();
    let config = ManagementConfig::new(format!("http://127.0.0.1:{port}"), APP_ID, APP_SECRET);
    let error = Management::connect(&config)
        .await
        .expect_err("nothing listens");
    assert!(matches!(error, SyncError::Unreachable { .. }), "{error}");
    let text = error.to_string();
    assert!(
        text.contains(&format!(
            "cannot reach Logto at http://127.0.0.1:{port}/oidc/token"
        )),
        "{text}"
    );
    assert!(text.contains("check LOGTO_ENDPOINT"), "{text}");
    assert_no_secret(&error);
}

#[tokio::test]
async fn an_unexpected_500_shows_logtos_code_and_message() {
    let fake = FakeManagement::start().await;
    let management = connect(&fake).await;
    fake.fail_with(
        500,
        json!({"code": "entity.database_error", "message": "Database is unavailable."}),
    );
    let error = management
        .plan(&manifest(), Prune::NOTHING)
        .await
        .expect_err("500");
    let SyncError::Unexpected {
        status,
        code,
        message,
        ..
    } = &error
    else {
        panic!("expected Unexpected, got {error}");
    };
    assert_eq!(*status, 500);
    assert_eq!(code.as_deref(), Some("entity.database_error"));
    assert_eq!(message.as_deref(), Some("Database is unavailable."));
    let text = error.to_string();
    assert!(
        text.starts_with("unexpected answer from Logto to GET /api/resources?page=1&page_size=100: 500, entity.database_error: Database is unavailable.;"),
        "{text}"
    );
    assert_no_secret(&error);
}

#[tokio::test]
async fn a_resource_created_meanwhile_is_logtos_422() {
    let fake = FakeManagement::start().await;
    let management = connect(&fake).await;
    let plan = management
        .plan(&manifest(), Prune::NOTHING)
        .await
        .expect("plan");
    fake.add_resource("someone else", BILLING);
    let error = management.apply(&plan).await.expect_err("422");
    let text = error.to_string();
    assert!(
        text.contains("POST /api/resources: 422, resource.resource_identifier_in_use"),
        "{text}"
    );
    assert!(text.contains("run sync again"), "{text}");
}

#[tokio::test]
async fn an_unknown_management_resource_names_the_variable() {
    let fake = FakeManagement::start().await;
    let config = fake
        .config()
        .management_resource("https://abc.logto.app/api");
    let error = Management::connect(&config)
        .await
        .expect_err("invalid_target");
    assert!(
        matches!(error, SyncError::UnknownManagementResource { .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains("set LOGTO_MANAGEMENT_RESOURCE"),
        "{error}"
    );
}

#[test]
fn configuration_from_variables_and_the_management_resource() {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    let missing = ManagementConfig::from_vars(vars(&[
        ("LOGTO_ENDPOINT", "https://abc123.logto.app"),
        ("LOGTO_M2M_APP_ID", "id"),
        ("LOGTO_M2M_APP_SECRET", " "),
    ]))
    .expect_err("an empty secret is missing");
    assert!(
        missing
            .to_string()
            .starts_with("LOGTO_M2M_APP_SECRET is not set: "),
        "{missing}"
    );

    let cloud = ManagementConfig::from_vars(vars(&[
        ("LOGTO_ENDPOINT", "https://abc123.logto.app/"),
        ("LOGTO_M2M_APP_ID", "id"),
        ("LOGTO_M2M_APP_SECRET", "very-secret"),
    ]))
    .expect("config");
    assert_eq!(management_resource(&cloud), "https://abc123.logto.app/api");
    assert!(!format!("{cloud:?}").contains("very-secret"));

    let overridden = ManagementConfig::from_vars(vars(&[
        ("LOGTO_ENDPOINT", "https://auth.example.com"),
        ("LOGTO_M2M_APP_ID", "id"),
        ("LOGTO_M2M_APP_SECRET", "secret"),
        ("LOGTO_MANAGEMENT_RESOURCE", "https://abc123.logto.app/api"),
    ]))
    .expect("config");
    assert_eq!(
        management_resource(&overridden),
        "https://abc123.logto.app/api"
    );
    let self_hosted = ManagementConfig::new("http://localhost:3001", "id", "secret");
    assert_eq!(management_resource(&self_hosted), MANAGEMENT_RESOURCE);
}

/// The Management API identifier a config requests its token for, as its `Debug` shows it.
fn management_resource(config: &ManagementConfig) -> String {
    let debug = format!("{config:?}");
    let (_, rest) = debug
        .split_once("management_resource: \"")
        .expect("Debug names the management resource");
    rest.split('"').next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn endpoints_that_would_leak_the_secret_are_refused() {
    let insecure = ManagementConfig::new("http://logto.internal:3001", APP_ID, APP_SECRET);
    let error = Management::connect(&insecure)
        .await
        .expect_err("plain http");
    assert!(matches!(error, SyncError::InsecureHttp { .. }), "{error}");
    assert!(
        error.to_string().contains("LOGTO_ALLOW_INSECURE_HTTP=true"),
        "{error}"
    );
    let credentials = ManagementConfig::new("https://user:pw@abc.logto.app", APP_ID, APP_SECRET);
    let error = Management::connect(&credentials)
        .await
        .expect_err("credentials in the URL");
    assert!(
        matches!(error, SyncError::InvalidEndpoint { .. }),
        "{error}"
    );
    assert!(!error.to_string().contains("pw"), "{error}");
}

#[tokio::test]
async fn a_secret_with_reserved_characters_is_form_urlencoded_in_basic_auth() {
    let fake = FakeManagement::start().await;
    // The fake decodes Basic credentials as RFC 6749 §2.3.1 says: sent as they are, the `%41`,
    // the space and the `+` of this secret change meaning, so it is refused.
    let raw = reqwest::Client::new()
        .post(format!("{}/oidc/token", fake.endpoint()))
        .basic_auth(
            RESERVED_CHARACTERS_APP_ID,
            Some(RESERVED_CHARACTERS_APP_SECRET),
        )
        .form(&[
            ("grant_type", "client_credentials"),
            ("resource", MANAGEMENT_RESOURCE),
            ("scope", "all"),
        ])
        .send()
        .await
        .expect("token request");
    assert_eq!(raw.status(), 401);

    let config = ManagementConfig::new(
        fake.endpoint(),
        RESERVED_CHARACTERS_APP_ID,
        RESERVED_CHARACTERS_APP_SECRET,
    );
    let management = Management::connect(&config)
        .await
        .expect("the form-urlencoded secret is accepted");
    let plan = management
        .plan(&manifest(), Prune::NOTHING)
        .await
        .expect("plan");
    assert_eq!(plan.to_string(), FULL_PLAN);
}

#[tokio::test]
async fn an_oversized_body_is_refused_without_reading_it_all() {
    let fake = FakeManagement::start().await;
    let management = connect(&fake).await;
    // 64 MiB, streamed without Content-Length: the client stops after MAX_RESPONSE_BYTES.
    fake.answer_oversized(64 << 20);
    let error = management
        .plan(&manifest(), Prune::NOTHING)
        .await
        .expect_err("too large");
    assert!(
        matches!(error, SyncError::InvalidResponse { .. }),
        "{error}"
    );
    assert_eq!(MAX_RESPONSE_BYTES, 1_048_576);
    assert_eq!(
        error.to_string(),
        "Logto's answer to GET /api/resources?page=1&page_size=100 is not what its Management \
         API sends (its body is larger than 1048576 bytes, the most sync reads); check that \
         LOGTO_ENDPOINT points at Logto itself, not a proxy or another service"
    );
}

#[tokio::test]
async fn a_list_is_capped_in_total_not_only_per_page() {
    let fake = FakeManagement::start().await;
    // Pages of one resource of about 1 MB each: every page is under MAX_RESPONSE_BYTES, the 17
    // pages together are over MAX_LISTING_BYTES.
    let name = "x".repeat(1_000_000);
    for i in 0..17 {
        fake.add_resource(&name, &format!("https://r{i}.example.com"));
    }
    let management = Management::connect(&fake.config().page_size(1))
        .await
        .expect("connect");
    let error = management
        .plan(&manifest(), Prune::NOTHING)
        .await
        .expect_err("too much in all");
    assert_eq!(MAX_LISTING_BYTES, 16 << 20);
    assert_eq!(
        error.to_string(),
        "Logto's answer to GET /api/resources?page=17&page_size=1 is not what its Management \
         API sends (its pages add up to more than 16777216 bytes, the most sync reads of one \
         list); check that LOGTO_ENDPOINT points at Logto itself, not a proxy or another service"
    );
    let requests = fake.requests();
    assert!(
        requests.contains(&"GET /api/resources?page=16&page_size=1".to_owned()),
        "{requests:?}"
    );
    assert!(
        !requests.iter().any(|r| r.contains("page=18")),
        "{requests:?}"
    );
}

#[tokio::test]
async fn prune_plans_print_a_warning_under_every_deletion() {
    let fake = FakeManagement::start().await;
    let orders = fake.add_resource("orders", ORDERS);
    fake.add_scope(&orders, "legacy:orders", None);
    fake.add_organization_scope("legacy:members", None);
    let management = connect(&fake).await;
    let plan = management
        .plan(&manifest(), PRUNE_BOTH)
        .await
        .expect("plan");
    let deletions: Vec<String> = plan
        .to_string()
        .lines()
        .skip_while(|line| !line.starts_with("  - "))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        deletions,
        [
            "  - delete permission legacy:orders from https://orders.example.com",
            "    warning: every role that grants legacy:orders of https://orders.example.com \
             loses it; re-creating it does not give it back",
            "  + create resource urn:example:audit named \"urn:example:audit\"",
            "  + create organization permission invite:members: \"Invite members\"",
            "  + create organization permission read:members: \"Read members\"",
            "  - delete organization permission legacy:members",
            "    warning: every organization role in every organization loses legacy:members; \
             re-creating it does not give it back",
        ]
    );
    assert!(fake.writes().is_empty(), "{:?}", fake.writes());
}

#[tokio::test]
async fn prune_organization_permissions_without_the_section_warns_that_it_deletes_nothing() {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let args = [
        "app",
        "sync",
        "--dry-run",
        "--prune-organization-permissions",
    ];
    cli::run(args, &resources_only_manifest(), &mut out, &mut err).await;
    let err = String::from_utf8_lossy(&err);
    assert!(
        err.contains(
            "warning: --prune-organization-permissions deletes nothing: the manifest names no \
             organization permission, and sync never empties the organization template\n"
        ),
        "{err}"
    );
}

/// `manifest::audit_log` declares `urn:example:audit` but `app()` does not mount it, as a
/// handler of a shared crate: the runtime does not trust that resource, so the manifest that
/// `sync` registers leaves it out, and `--prune` cannot touch another service's permissions.
#[tokio::test]
async fn sync_leaves_alone_what_only_unmounted_handlers_declare() {
    let fake = FakeManagement::start().await;
    let audit = fake.add_resource("audit", AUDIT);
    fake.add_scope(&audit, "read:audit", Some("Another service's"));
    let manifest = Manifest::collect_with_routes(&app());
    assert!(manifest.resource(AUDIT).is_none(), "{}", manifest.to_json());
    let warnings = manifest.warnings().join("\n");
    assert!(
        warnings
            .contains("handler `manifest::audit_log` declares a requirement but is not mounted"),
        "{warnings}"
    );
    let management = connect(&fake).await;
    let plan = management.plan(&manifest, PRUNE).await.expect("plan");
    assert!(!plan.to_string().contains(AUDIT), "{plan}");
    management.apply(&plan).await.expect("apply");
    assert_eq!(
        fake.scopes(AUDIT),
        [(
            "read:audit".to_owned(),
            Some("Another service's".to_owned())
        )]
    );
}
