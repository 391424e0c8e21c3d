//! The sync with the Management API: plans, applying them, pruning, pagination.

use super::*;

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
