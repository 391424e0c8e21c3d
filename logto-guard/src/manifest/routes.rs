//! Adding each handler's mounted routes, from a Rocket instance.

use std::collections::BTreeSet;

use rocket::{Phase, Rocket, Route};

use super::model::{Manifest, MountedRoute};

impl Manifest {
    /// Every declaration linked into this binary, with the routes each handler is mounted at
    /// on `rocket` (any phase: a built, ignited or launched instance).
    ///
    /// A route is matched to a handler by its fn name, method and path as the route attribute
    /// declares them (what a Rocket [`Route`] carries), so two handlers named `list` in two
    /// modules are told apart by their method or path. A declared handler that is not mounted
    /// gets `"routes": []` and a warning. Hand-built routes without a name are never matched.
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
        Self::collect().with_routes(rocket.routes())
    }

    /// Adds the handlers' routes from `routes`, matched as
    /// [`collect_with_routes`](Self::collect_with_routes) describes.
    ///
    /// ```
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
    /// let handler = &manifest.resources()[0].permissions[0].handlers[0];
    /// assert_eq!(handler.routes, Some(vec![MountedRoute::new("GET", "/v1/orders")]));
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
