//! The proof that a marked handler is mounted.
//!
//! A Rocket route carries its handler's fn name, method and path, not its module, so a marked
//! handler and an unmarked one of the same three in another module look alike. What does tell
//! them apart is Rocket's sentinels: at ignite, Rocket calls [`Sentinel::abort`] for the
//! parameter types of the routes that are really mounted, and only for those. So
//! `#[requires]`, `#[guarded]` and `#[public]` give their handler a hidden parameter of type
//! [`Mounted<H>`], with `H` a unit type of that handler alone; its sentinel records the
//! handler's [`HandlerSite`] in the fairing's state. A marked handler whose sentinel did not
//! run is not mounted, and vouches for no route and no resource.

use std::convert::Infallible;
use std::marker::PhantomData;

use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Ignite, Rocket, Sentinel};

use super::state::{GuardState, RequestAuth};
use crate::declaration::HandlerSite;

/// The handler a [`Mounted`] parameter proves mounted. Implemented by a unit type that the
/// macros generate for each marked handler; not a public API.
pub trait MarkedHandler {
    /// The handler, as its `Declaration` or `RouteMarker` names it.
    const HANDLER: HandlerSite;
}

/// The hidden parameter the macros add to a marked handler, last: a request guard that always
/// succeeds and marks the end of the route's own guards (see `RequestAuth`), and a Rocket
/// sentinel that records at ignite that `H`'s handler is mounted. Not a public API.
pub struct Mounted<H>(PhantomData<fn() -> H>);

#[rocket::async_trait]
impl<'r, H> FromRequest<'r> for Mounted<H> {
    type Error = Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Infallible> {
        // The macros put this guard last: the route's own guards are all done.
        RequestAuth::of(request).end_guards(request);
        Outcome::Success(Self(PhantomData))
    }
}

impl<H: MarkedHandler> Sentinel for Mounted<H> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        // Without the fairing nothing is audited or trusted, and the token guards' own
        // sentinels stop ignition where a token is needed.
        if let Some(state) = rocket.state::<GuardState>() {
            state.record_mounted(H::HANDLER);
        }
        false
    }
}
