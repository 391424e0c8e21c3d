//! The scope manifest: every `#[requires]` of a binary as data, and its registration in Logto.
//!
//! Logto must know an API's resources and permissions before it can grant them. The manifest
//! is what the code requires, collected from the [`Declaration`](crate::Declaration)s that
//! `#[requires]` leaves in the binary:
//!
//! - [`Manifest::collect_with_routes`] builds it from the handlers a Rocket mounts, with the
//!   method and path of each (what `sync` registers, and what a plain `AccessToken` trusts);
//!   [`Manifest::collect`] takes every declaration linked into the binary, mounted or not;
//!   [`Manifest::to_json`] renders it;
//! - [`Manifest::check_file`] and [`Manifest::assert_matches_file`] compare it with a committed
//!   file, so a review shows when an API starts to need a new permission;
//! - [`Management`] registers it with Logto's Management API: [`Management::plan`] says what
//!   would change, [`Management::apply`] does it; [`Management::plan_webhook`] and
//!   [`Management::apply_webhook`] do the same for the webhook that feeds
//!   [revocation](crate::revocation);
//! - [`cli`] gives any app `help` and the `manifest` subcommand in one line, and with the
//!   `sync` feature the `sync` subcommand.
//!
//! # JSON schema (`"version": 1`)
//!
//! ```json
//! {
//!   "version": 1,
//!   "resources": [
//!     {
//!       "indicator": "https://api.example.com",
//!       "name": "api.example.com",
//!       "permissions": [
//!         {
//!           "name": "read:orders",
//!           "description": "Read orders",
//!           "handlers": [
//!             {
//!               "name": "orders_api::list_orders",
//!               "routes": [{ "method": "GET", "path": "/orders" }]
//!             }
//!           ]
//!         }
//!       ],
//!       "any_token_handlers": [
//!         { "name": "orders_api::me", "routes": [{ "method": "GET", "path": "/me" }] }
//!       ]
//!     }
//!   ],
//!   "organization": {
//!     "permissions": [
//!       {
//!         "name": "read:members",
//!         "description": "Read members",
//!         "handlers": [
//!           {
//!             "name": "orders_api::members",
//!             "routes": [{ "method": "GET", "path": "/organizations/<org_id>/members" }]
//!           }
//!         ]
//!       }
//!     ]
//!   }
//! }
//! ```
//!
//! | field | meaning |
//! | --- | --- |
//! | `version` | always `1` for this layout; a change of layout changes it |
//! | `resources` | one per resource indicator, sorted by `indicator` |
//! | `indicator` | the API identifier (RFC 8707 resource indicator) exactly as declared |
//! | `name` | the resource's name, used only when `sync` creates it in Logto: the indicator's host unless set with [`Manifest::with_resource_name`] (the whole indicator when it has no host) |
//! | `permissions` | the scopes handlers require, sorted by `name`; may be empty |
//! | `permissions[].description` | a string, or `null` when no handler gave one (see [`Manifest::from_declarations`] for conflicting descriptions) |
//! | `permissions[].handlers` | the handlers that name this scope (all-of or any-of), sorted by `name` |
//! | `any_token_handlers` | handlers that accept any valid token for the resource (declared without scopes), sorted by `name` |
//! | `organization` | only when some handler names an organization permission (`#[requires(organization, scope = ...)]` without a resource: an organization token's scopes); absent otherwise, never empty |
//! | `organization.permissions` | Logto's organization permissions (organization scopes, tenant-wide): same fields, sorting and description rule as a resource's `permissions` |
//! | handler `name` | `module::path::fn_name` of the handler |
//! | handler `organization` | the handler's organization context: `"any"`, `"<segment>"` or `"optional"`; absent for a route that is not for an organization |
//! | handler `actor` | `"forbidden"` or `"required"`: whether the handler refuses or requires tokens issued on behalf of another user (`#[requires(actor = ..)]`); absent when it accepts both |
//! | handler `clients` | the client group whose applications may call the handler (`#[requires(clients = "..")]`); absent when any may |
//! | handler `check` | the path of the handler's custom check (`#[requires(check = ..)]`); absent without one |
//! | handler `routes` | only from [`Manifest::collect_with_routes`], which lists only the handlers mounted on the Rocket: the handler's mounted routes (`method`, `path` without the query), sorted by path then method (`[]` from [`Manifest::with_routes`] for a handler no route matches) |
//!
//! Source file and line are deliberately left out, so that moving code does not change the
//! manifest. The rendering is deterministic: the same code gives byte-identical JSON.

mod check;
pub mod cli;
mod collect;
mod diff;
#[cfg(feature = "sync")]
mod management;
mod model;
#[cfg(feature = "sync")]
mod plan;
mod routes;
#[cfg(feature = "sync")]
mod sync;
#[cfg(feature = "sync")]
mod webhook;

pub use check::{ManifestError, UPDATE_VARIABLE};
#[cfg(feature = "sync")]
#[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
pub use management::{
    MAX_LISTING_BYTES, MAX_RESPONSE_BYTES, Management, ManagementConfig, SyncError,
};
pub use model::{Handler, Manifest, MountedRoute, Permission, Resource};
#[cfg(feature = "sync")]
#[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
pub use plan::{Action, Plan, Prune};
#[cfg(feature = "sync")]
#[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
pub use webhook::{WebhookPlan, WebhookSigningKey};
