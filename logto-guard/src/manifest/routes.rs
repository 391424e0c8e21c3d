//! Adding each handler's mounted routes, from a Rocket instance.

use std::collections::BTreeSet;

use rocket::{Phase, Rocket, Route};

use super::model::{Manifest, MountedRoute};
use crate::declaration::{Declaration, HandlerSite};
use crate::rocket::state::GuardState;

impl Manifest {
    /// The declarations of the handlers mounted on `rocket` (any phase: a built, ignited or
    /// launched instance), with the routes each is mounted at: what `sync` registers, and what
    /// a plain `AccessToken` trusts.
    ///
    /// A declaration whose handler is not mounted (one linked in from a shared crate) is left
    /// out, with a warning: the runtime does not trust its resource, so `sync` must neither
    /// register nor prune what only it names. Whether a handler is mounted is told as the
    /// runtime tells it when `rocket` went through ignite with [`LogtoGuard`](crate::LogtoGuard):
    /// by the proof of its own hidden guard. Before ignite (or without the fairing) it is told
    /// by a route of its fn name, method and path as the route attribute declares them (what a
    /// Rocket [`Route`] carries), so two handlers named `list` in two modules are told apart by
    /// their method or path, but an unmarked handler of the same three in another module passes
    /// for an unmounted one (the route audit refuses such a route at launch). Hand-built routes
    /// without a name are never matched.
    ///
    /// ```
    /// use logto_guard::manifest::Manifest;
    ///
    /// #[rocket::get("/health")]
    /// fn health() -> &'static str {
    ///     "ok"
    /// }
    ///
    /// let rocket = rocket::build().mount("/", rocket::routes![health]);
    /// println!("{}", Manifest::collect_with_routes(&rocket).to_json());
    /// ```
    #[must_use]
    pub fn collect_with_routes<P: Phase>(rocket: &Rocket<P>) -> Self {
        let routes: Vec<&Route> = rocket.routes().collect();
        let proven = rocket
            .state::<GuardState>()
            .and_then(GuardState::proven_mounted);
        let is_mounted = |handler: &HandlerSite| match &proven {
            Some(proven) => proven.contains(handler),
            None => routes.iter().any(|route| handler.is_route(route)),
        };
        let (mounted, unmounted): (Vec<&Declaration>, Vec<&Declaration>) =
            Declaration::all().partition(|declaration| is_mounted(&declaration.handler));
        let mut manifest = Self::from_declarations(mounted).with_routes(routes);
        for declaration in unmounted {
            let HandlerSite { module, name, .. } = declaration.handler;
            manifest.push_warning(format!(
                "handler `{module}::{name}` declares a requirement but is not mounted on this \
                 Rocket: it is left out of the manifest, so `sync` neither registers nor prunes \
                 what only it names"
            ));
        }
        manifest.normalize();
        manifest
    }

    /// Adds the handlers' routes from `routes`, matched by fn name, method and path as
    /// [`collect_with_routes`](Self::collect_with_routes) describes. A handler that no route
    /// matches stays, with `"routes": []` and a warning; `collect_with_routes` leaves such
    /// handlers out.
    ///
    /// ```standalone_crate
    /// use logto_guard::manifest::{Manifest, MountedRoute};
    /// use logto_guard::requires;
    ///
    /// #[requires(resource = "https://api.example.com", scope = "read:orders")]
    /// #[rocket::get("/orders")]
    /// fn list_orders() -> &'static str {
    ///     "[]"
    /// }
    ///
    /// let rocket = rocket::build().mount("/v1", rocket::routes![list_orders]);
    /// let manifest = Manifest::collect().with_routes(rocket.routes());
    /// let read = manifest.resource("https://api.example.com").unwrap().permission("read:orders");
    /// let handler = read.unwrap().handlers.iter().find(|h| h.name.ends_with("::list_orders"));
    /// assert_eq!(handler.unwrap().routes, Some(vec![MountedRoute::new("GET", "/v1/orders")]));
    /// ```
    #[must_use]
    pub fn with_routes<'a>(mut self, routes: impl IntoIterator<Item = &'a Route>) -> Self {
        let routes: Vec<&Route> = routes.into_iter().collect();
        let mut unmounted = BTreeSet::new();
        for handler in self.handlers_mut() {
            let mounted: Vec<MountedRoute> = handler
                .declared
                .iter()
                .flat_map(|declared| routes.iter().filter(|route| declared.is_route(route)))
                .map(|route| MountedRoute::new(route.method.as_str(), route.uri.path()))
                .collect();
            if mounted.is_empty() {
                unmounted.insert(handler.name.clone());
            }
            handler.routes = Some(mounted);
        }
        for handler in unmounted {
            self.push_warning(format!(
                "handler `{handler}` declares a requirement but no route of this Rocket is \
                 its route: is it mounted?"
            ));
        }
        self.normalize();
        self
    }
}
