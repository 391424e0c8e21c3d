//! Collecting declarations into a manifest, and its JSON.

use super::*;

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
