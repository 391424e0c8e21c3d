//! `orders-api`: a small, complete Rocket API over in-memory orders, protected by logto-guard.
//!
//! Run it with `cargo run -p orders-api`. With `LOGTO_ENDPOINT` set (or a `logto` table in
//! Rocket.toml) it trusts that Logto, and with `LOGTO_CUSTOM_DOMAINS` (comma-separated) its
//! custom domains too. Without, a debug build bound to a loopback address (what
//! `cargo run` gives) starts an embedded development issuer and prints ready-to-paste `curl`
//! commands; anywhere else it refuses to start unless `--dev` asks for development mode
//! ([`launch`] decides). The feature `dev` (default) compiles that issuer in; build for
//! production with `--no-default-features`.
//!
//! Besides the API-wide routes it serves Logto organizations: `GET
//! /organizations/<org_id>/orders` takes an organization-level API resource token (for
//! [`RESOURCE`], with `organization_id` = the path's organization) and `GET
//! /organizations/<org_id>/members` an organization token (`urn:logto:organization:<org_id>`)
//! with the organization permission `read:members`.
//!
//! `GET /orders/report` runs a custom check beside its scope: the `plan` claim that Logto's
//! Custom JWT adds must be `gold`.
//!
//! `POST /orders/<id>/paid` accepts only the applications of the client group `billing`
//! ([`BILLING_GROUP`]): `LOGTO_CLIENTS_BILLING` (comma-separated app ids) or
//! `[default.logto.clients] billing = [..]` lists them; without either, the group lists only
//! [`BILLING_PLACEHOLDER`], an id no Logto issues, so the route refuses every token until you
//! name your billing service's app.
//!
//! With the feature `openapi` it documents itself: `GET /openapi.json` (each operation with
//! the security its `#[requires]` declares, and Logto's OAuth 2.0 flows) and a Swagger UI at
//! `/docs/` whose **Authorize** button obtains Logto tokens.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use logto_guard::{AccessToken, Denied, LogtoGuard, Organization, requires};
use rocket::http::Status;
use rocket::serde::json::{Json, Value, json};
use rocket::{Build, Rocket, Route, State, delete, get, post};
#[cfg(feature = "openapi")]
use rocket_okapi::openapi;
use serde::{Deserialize, Serialize};

#[cfg(feature = "dev")]
pub mod development;
pub mod launch;
mod ops;

/// This API's resource indicator, as registered in Logto.
pub const RESOURCE: &str = "https://api.example.com";

/// The client group whose applications may mark orders paid.
pub const BILLING_GROUP: &str = "billing";

/// The app id [`BILLING_GROUP`] lists when the config names none: no Logto issues it, so that
/// the example starts without configuration and its billing route refuses every token.
pub const BILLING_PLACEHOLDER: &str = "billing-service";

/// An order.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Order {
    id: u64,
    item: String,
    quantity: i64,
    created_by: Option<String>,
    /// The organization of the token that created it, if that token was for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<String>,
}

/// The body of `POST /orders`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewOrder {
    item: String,
    quantity: i64,
}

/// The in-memory store.
#[derive(Default)]
pub struct Orders {
    next_id: Mutex<u64>,
    orders: Mutex<BTreeMap<u64, Order>>,
    paid: Mutex<BTreeSet<u64>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[logto_guard::public]
#[cfg_attr(feature = "openapi", openapi)]
#[get("/health")]
fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

#[requires(resource = RESOURCE, scope = "read:orders", description = "Read orders")]
#[cfg_attr(feature = "openapi", openapi)]
#[get("/orders")]
fn list_orders(orders: &State<Orders>) -> Json<Vec<Order>> {
    Json(lock(&orders.orders).values().cloned().collect())
}

/// Tenant-wide callers and organization-level tokens alike may create orders (an order made
/// with an organization's token belongs to that organization), so this route says
/// `organization = optional`; the other API-wide routes refuse organization-level tokens.
#[requires(
    resource = RESOURCE,
    organization = optional,
    scope = "write:orders",
    description = "Create orders"
)]
#[cfg_attr(feature = "openapi", openapi)]
#[post("/orders", data = "<order>")]
fn create_order(
    token: AccessToken,
    orders: &State<Orders>,
    order: Json<NewOrder>,
) -> (Status, Json<Order>) {
    let id = {
        let mut next = lock(&orders.next_id);
        *next += 1;
        *next
    };
    let order = Order {
        id,
        item: order.0.item,
        quantity: order.0.quantity,
        created_by: token.subject().map(str::to_owned),
        organization: token.organization_id().map(str::to_owned),
    };
    lock(&orders.orders).insert(id, order.clone());
    (Status::Created, Json(order))
}

/// Deleting an order is the caller's own decision: not with a token that Logto's
/// impersonation issued on behalf of another user (`act`).
#[requires(resource = RESOURCE, scopes = ["write:orders", "delete:orders"], actor = forbidden)]
#[cfg_attr(feature = "openapi", openapi)]
#[delete("/orders/<id>")]
fn delete_order(orders: &State<Orders>, id: u64) -> Status {
    match lock(&orders.orders).remove(&id) {
        Some(_) => Status::NoContent,
        None => Status::NotFound,
    }
}

/// Only the billing service marks an order paid: a token of any other application, whatever
/// its scopes, is refused (client group `billing`).
#[requires(resource = RESOURCE, scope = "write:orders", clients = "billing")]
#[cfg_attr(feature = "openapi", openapi)]
#[post("/orders/<id>/paid")]
fn mark_paid(orders: &State<Orders>, id: u64) -> Result<Json<Value>, Status> {
    if !lock(&orders.orders).contains_key(&id) {
        return Err(Status::NotFound);
    }
    lock(&orders.paid).insert(id);
    Ok(Json(json!({"id": id, "paid": true})))
}

/// The `plan` claim that Logto's Custom JWT adds to the token must be `gold`.
fn gold_plan(token: &AccessToken) -> Result<(), Denied> {
    match token.claim::<String>("plan") {
        Some(Ok(plan)) if plan == "gold" => Ok(()),
        _ => Err(Denied::new("the order report needs the gold plan")),
    }
}

/// A report over every order, for customers on the gold plan: `read:orders` and the custom
/// check [`gold_plan`].
#[requires(resource = RESOURCE, scope = "read:orders", check = gold_plan)]
#[cfg_attr(feature = "openapi", openapi)]
#[get("/orders/report")]
fn order_report(orders: &State<Orders>) -> Json<Value> {
    let orders = lock(&orders.orders);
    Json(json!({
        "orders": orders.len(),
        "items": orders.values().map(|order| order.quantity).sum::<i64>(),
    }))
}

#[requires(resource = RESOURCE)]
#[cfg_attr(feature = "openapi", openapi)]
#[get("/me")]
fn me(token: AccessToken) -> Json<Value> {
    Json(json!({
        "sub": token.subject(),
        "actor": token.actor().map(|actor| actor.subject()),
        "client_id": token.client_id(),
        "scopes": token.scopes().iter().collect::<Vec<_>>(),
    }))
}

/// The orders of one organization: an organization-level API resource token for this API,
/// whose `organization_id` must be the path's `<org_id>`.
#[requires(resource = RESOURCE, organization = "<org_id>", scope = "read:orders")]
#[cfg_attr(feature = "openapi", openapi)]
#[get("/organizations/<org_id>/orders")]
fn organization_orders(org_id: &str, orders: &State<Orders>) -> Json<Vec<Order>> {
    Json(
        lock(&orders.orders)
            .values()
            .filter(|order| order.organization.as_deref() == Some(org_id))
            .cloned()
            .collect(),
    )
}

/// The members of one organization (a fixed list): an organization token for the path's
/// `<org_id>` with the organization permission `read:members`.
#[requires(
    organization = "<org_id>",
    scope = "read:members",
    description = "Read the organization's members"
)]
#[cfg_attr(feature = "openapi", openapi)]
#[get("/organizations/<org_id>/members")]
fn organization_members(org_id: &str, organization: Organization) -> Json<Value> {
    // `#[requires]` checked that the token is for the path's organization: the `Organization`
    // guard yields the same id as the `<org_id>` segment.
    let _ = org_id;
    let id = organization.id();
    Json(json!([
        {"id": "user-ada", "name": "Ada", "organization": id, "roles": ["admin"]},
        {"id": "user-grace", "name": "Grace", "organization": id, "roles": ["member"]},
    ]))
}

/// `config` with the client group [`BILLING_GROUP`] listing [`BILLING_PLACEHOLDER`], as [`app`]
/// gives the fairing's figment: for a config built in code (tests, development mode).
#[must_use]
pub fn with_placeholder_billing(config: logto_guard::Config) -> logto_guard::Config {
    config.client_group(BILLING_GROUP, [BILLING_PLACEHOLDER])
}

/// The API with the given guard fairing (configured from Rocket's figment by default, where
/// the client group [`BILLING_GROUP`] lists [`BILLING_PLACEHOLDER`] unless the config lists
/// it).
#[must_use]
pub fn app(guard: LogtoGuard) -> Rocket<Build> {
    let figment = rocket::Config::figment().join((
        format!("logto.clients.{BILLING_GROUP}"),
        [BILLING_PLACEHOLDER],
    ));
    let rocket = rocket::custom(figment)
        .attach(guard)
        .manage(Orders::default())
        .mount("/", api_routes())
        .mount("/", ops::routes());
    #[cfg(feature = "openapi")]
    let rocket = rocket.mount("/docs", logto_guard::okapi::swagger_ui("../openapi.json"));
    rocket
}

/// The API's own handlers, given to `$list` (`routes!` or `openapi_get_routes_spec!`), so
/// that both builds serve the same routes.
macro_rules! api_handlers {
    ($($list:ident)::+) => {
        $($list)::+![
            health,
            list_orders,
            create_order,
            delete_order,
            mark_paid,
            order_report,
            me,
            organization_orders,
            organization_members
        ]
    };
}

/// The API's own routes.
#[cfg(not(feature = "openapi"))]
fn api_routes() -> Vec<Route> {
    api_handlers!(rocket::routes)
}

/// The API's own routes and `GET /openapi.json`.
#[cfg(feature = "openapi")]
fn api_routes() -> Vec<Route> {
    let (mut routes, spec) = api_handlers!(rocket_okapi::openapi_get_routes_spec);
    routes.push(logto_guard::okapi::openapi_route_for(spec, RESOURCE));
    routes
}
