//! What the fairing leaves in Rocket's managed state for the guards and the response hook, and
//! what they remember about each request.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use rocket::Request;
use rocket::http::ContentType;

use crate::config::Config;
use crate::declaration::HandlerSite;
use crate::error::AuthError;
use crate::support::lock;
use crate::token::AccessToken;
use crate::validate::Validator;

/// Renders the body of a rejection; see [`LogtoGuard::error_body`](super::LogtoGuard::error_body).
pub type ErrorBody = fn(&AuthError) -> (ContentType, String);

/// What the fairing manages; the guards find it in Rocket's state.
///
/// Managed at ignite, it is complete only at the end of ignite: which marked handlers are
/// mounted is known once Rocket has queried every mounted route's sentinels, after every
/// ignite fairing ran (see [`super::fairing::AuditMountedRoutes`]).
pub(crate) struct GuardState {
    /// The validator of the config alone: its resources are only the configured ones.
    configured: Validator,
    /// `configured` plus the resources of the mounted `#[requires]` handlers, from the end of
    /// ignite on.
    trusted: OnceLock<Validator>,
    /// The config, for what is decided at the end of ignite (route audit, metadata).
    pub(crate) settings: Config,
    pub(crate) error_body: ErrorBody,
    /// The marked handlers whose `Mounted` sentinel ran: mounted for sure.
    mounted: Mutex<BTreeSet<HandlerSite>>,
    /// The RFC 9728 metadata, when `resource_metadata` is on: published at the end of ignite.
    pub(crate) metadata: Option<super::metadata::Publication>,
}

impl GuardState {
    pub(crate) fn new(
        configured: Validator,
        settings: Config,
        error_body: ErrorBody,
        metadata: Option<super::metadata::Publication>,
    ) -> Self {
        Self {
            configured,
            trusted: OnceLock::new(),
            settings,
            error_body,
            mounted: Mutex::default(),
            metadata,
        }
    }

    /// The validator: the trusted one once ignite is over, the configured one before (fail
    /// closed: no declared resource is trusted until its handler proved to be mounted).
    pub(crate) fn validator(&self) -> &Validator {
        self.trusted.get().unwrap_or(&self.configured)
    }

    /// Sets the validator that trusts `resources` too; once, at the end of ignite.
    pub(crate) fn trust<'a>(&self, resources: impl IntoIterator<Item = &'a str>) -> &Validator {
        self.trusted
            .get_or_init(|| self.configured.clone().with_resources(resources))
    }

    /// Records that `handler` is mounted: its `Mounted` sentinel ran.
    pub(crate) fn record_mounted(&self, handler: HandlerSite) {
        lock(&self.mounted).insert(handler);
    }

    /// The marked handlers proven mounted so far.
    pub(crate) fn mounted(&self) -> BTreeSet<HandlerSite> {
        lock(&self.mounted).clone()
    }

    /// The marked handlers proven mounted, once ignite is over (every proof is in): for the
    /// manifest.
    #[cfg(feature = "manifest")]
    pub(crate) fn proven_mounted(&self) -> Option<BTreeSet<HandlerSite>> {
        self.trusted.get().map(|_| self.mounted())
    }
}

/// What the guards and the response hook know about one request, in one request-local slot.
#[derive(Default)]
pub(crate) struct RequestAuth {
    /// The request's token, verified once however many guards ask (not yet checked for
    /// audience).
    pub(crate) verified: OnceLock<Result<AccessToken, AuthError>>,
    /// The route whose `Authorized<R>` guard accepted the token (its address; 0 for none):
    /// that route's requirement then decides what a plain `AccessToken` on **the same route**
    /// accepts. A route, not a flag: the request-local cache outlives a forward, and the next
    /// route Rocket tries must not inherit the first one's verdict.
    pub(crate) requirement_met: AtomicUsize,
    /// The route whose own request guards have all run (its address; 0 for none), set by the
    /// hidden `Mounted` guard that the macros put last on a marked handler. A guard evaluated
    /// on that route afterwards (by a catcher, or in the handler's body) is not the route's:
    /// it records no rejection and inherits no requirement's acceptance.
    guards_done: AtomicUsize,
    /// The rejection a guard answered with, for the response hook.
    pub(crate) rejection: Mutex<Option<Rejection>>,
}

/// Why a guard refused the request, on which route.
#[derive(Clone)]
pub(crate) struct Rejection {
    /// The route whose guard refused ([`current_route`]): if that route forwards, the route
    /// that answers in the end keeps its own response.
    pub(crate) route: usize,
    pub(crate) error: AuthError,
}

impl RequestAuth {
    pub(crate) fn of<'r>(request: &'r Request<'_>) -> &'r Self {
        request.local_cache(Self::default)
    }

    /// Marks the end of the current route's own request guards.
    pub(crate) fn end_guards(&self, request: &Request<'_>) {
        self.guards_done
            .store(current_route(request), Ordering::Release);
    }

    /// Whether a guard evaluated now on `request` runs as one of its route's own guards: the
    /// route has not passed all of them yet. After that (a catcher, the handler's body), no.
    pub(crate) fn in_route_guards(&self, request: &Request<'_>) -> bool {
        self.guards_done.load(Ordering::Acquire) != current_route(request)
    }
}

/// The identity of the route `request` is being handled by (its address; 0 for none).
pub(crate) fn current_route(request: &Request<'_>) -> usize {
    request
        .route()
        .map_or(0, |route| std::ptr::from_ref(route).addr())
}
