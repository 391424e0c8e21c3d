//! `orders-api`: a small, complete Rocket API over in-memory orders, protected by logto-guard.
//!
//! Run it with `cargo run -p orders-api`. With `LOGTO_ENDPOINT` set (or a `logto` table in
//! Rocket.toml) it trusts that Logto; without, it starts an embedded development issuer and
//! prints ready-to-paste `curl` commands.

use std::collections::BTreeMap;
use std::sync::Mutex;

use logto_guard::{Authorized, LogtoGuard, Requirement};
use rocket::http::Status;
use rocket::serde::json::{Json, Value, json};
use rocket::{Build, Rocket, State, delete, get, post, routes};
use serde::{Deserialize, Serialize};

/// This API's resource indicator, as registered in Logto.
pub const RESOURCE: &str = "https://api.example.com";

/// Needs `read:orders`.
pub struct ReadOrders;
impl Requirement for ReadOrders {
    const RESOURCE: &'static str = RESOURCE;
    const SCOPES: &'static [&'static str] = &["read:orders"];
}

/// Needs `write:orders`.
pub struct WriteOrders;
impl Requirement for WriteOrders {
    const RESOURCE: &'static str = RESOURCE;
    const SCOPES: &'static [&'static str] = &["write:orders"];
}

/// Needs both `write:orders` and `delete:orders`.
pub struct DeleteOrders;
impl Requirement for DeleteOrders {
    const RESOURCE: &'static str = RESOURCE;
    const SCOPES: &'static [&'static str] = &["write:orders", "delete:orders"];
}

/// Any valid token for this API.
pub struct AnyToken;
impl Requirement for AnyToken {
    const RESOURCE: &'static str = RESOURCE;
    const SCOPES: &'static [&'static str] = &[];
}

/// An order.
#[derive(Debug, Clone, Serialize)]
pub struct Order {
    id: u64,
    item: String,
    quantity: i64,
    created_by: Option<String>,
}

/// The body of `POST /orders`.
#[derive(Debug, Deserialize)]
pub struct NewOrder {
    item: String,
    quantity: i64,
}

/// The in-memory store.
#[derive(Default)]
pub struct Orders {
    next_id: Mutex<u64>,
    orders: Mutex<BTreeMap<u64, Order>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[get("/health")]
fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

#[get("/orders")]
fn list_orders(_auth: Authorized<ReadOrders>, orders: &State<Orders>) -> Json<Vec<Order>> {
    Json(lock(&orders.orders).values().cloned().collect())
}

#[post("/orders", data = "<order>")]
fn create_order(
    auth: Authorized<WriteOrders>,
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
        created_by: auth.subject().map(str::to_owned),
    };
    lock(&orders.orders).insert(id, order.clone());
    (Status::Created, Json(order))
}

#[delete("/orders/<id>")]
fn delete_order(_auth: Authorized<DeleteOrders>, orders: &State<Orders>, id: u64) -> Status {
    match lock(&orders.orders).remove(&id) {
        Some(_) => Status::NoContent,
        None => Status::NotFound,
    }
}

#[get("/me")]
fn me(token: Authorized<AnyToken>) -> Json<Value> {
    Json(json!({
        "sub": token.subject(),
        "client_id": token.client_id(),
        "scopes": token.scopes().iter().collect::<Vec<_>>(),
    }))
}

/// The API with the given guard fairing (configured from Rocket's figment by default).
#[must_use]
pub fn app(guard: LogtoGuard) -> Rocket<Build> {
    rocket::build()
        .attach(guard)
        .manage(Orders::default())
        .mount("/", routes![health, list_orders, create_order, delete_order, me])
}
