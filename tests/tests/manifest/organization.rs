//! Organization permissions: their own section of the manifest, and their sync.

use super::*;

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
