//! The scope manifest: collecting declarations, its JSON, the committed-file check, the CLI,
//! and the sync with Logto's Management API (against the fake in `fake_management`).
//!
//! One module per topic; this file holds the declarations of the binary under test and the
//! helpers the modules share.

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

mod collect;
mod committed_file;
mod errors;
mod organization;
mod sync;
mod webhook;

// ---- shared by the sync tests ----

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

/// Only this binary's organization-token declarations.
fn organization_manifest() -> Manifest {
    Manifest::from_declarations(Declaration::all().filter(|d| d.resource().is_none()))
}

/// Only this binary's resource declarations: no `organization` section.
fn resources_only_manifest() -> Manifest {
    Manifest::from_declarations(Declaration::all().filter(|d| d.resource().is_some()))
}

/// Fails when a sync error shows the app secret or a token.
fn assert_no_secret(error: &SyncError) {
    let text = error.to_string();
    assert!(!text.contains(APP_SECRET), "{text}");
    assert!(!text.contains(NO_ACCESS_APP_SECRET), "{text}");
    assert!(!text.contains("fake-access-token"), "{text}");
}
