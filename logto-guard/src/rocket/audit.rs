//! The route audit: at the end of ignite, every mounted route must be guarded or public on
//! purpose.
//!
//! A route is **guarded** when its handler has a `#[requires]` ([`Declaration`]) or a
//! `#[guarded]` ([`RouteMarker`]), and **public** when its handler has a `#[public]`, when a
//! `public_routes` entry names it, or when it is a Rocket `FileServer` (static files cannot
//! take a token guard). The library's own routes (the metadata document, the OpenAPI
//! document and Swagger UI of `logto_guard::okapi`) are not audited. A
//! marked handler counts only if it proved to be mounted (its `Mounted` sentinel ran, see
//! [`super::mounted`]), and then for the route of its fn name, method and path as its route
//! attribute declares them ([`HandlerSite::is_route`]), when that route is mounted once.
//! Anything else is reported, and with `deny` aborts ignite.

use std::collections::{BTreeSet, HashMap};

use rocket::Route;

use super::is_own_route;
use crate::config::{Config, RouteAudit, parse_public_route};
use crate::declaration::{Declaration, HandlerSite, MarkerKind, RouteMarker};

/// The name Rocket gives a `FileServer`'s route: `FileServer: <directory>`.
const FILE_SERVER_PREFIX: &str = "FileServer: ";

/// What the audit concluded about one route.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Guarded,
    Public,
    /// Neither guarded nor public.
    Unaudited,
    /// A marked handler's route, but which handler runs cannot be told; the reason.
    Ambiguous(String),
}

/// A route as a Rocket route identifies its handler: fn name, method, path before mounting.
type RouteKey = (String, String, String);

fn route_key(route: &Route) -> Option<RouteKey> {
    Some((
        route.name.as_deref()?.to_owned(),
        route.method.as_str().to_owned(),
        route.uri.unmounted_origin.path().as_str().to_owned(),
    ))
}

/// The marked handlers (`#[requires]`, `#[guarded]`, `#[public]`) that are mounted, and how
/// often each route key is mounted: all that tells which handler a mounted route runs.
struct Sites {
    guarded: Vec<HandlerSite>,
    public: Vec<HandlerSite>,
    mounted: HashMap<RouteKey, usize>,
}

impl Sites {
    /// `proven`: the marked handlers proven mounted; the others vouch for nothing.
    fn collect<'a>(
        routes: impl IntoIterator<Item = &'a Route>,
        proven: &BTreeSet<HandlerSite>,
    ) -> Self {
        let mut guarded: Vec<HandlerSite> = Declaration::all().map(|d| d.handler).collect();
        let mut public = Vec::new();
        for marker in inventory::iter::<RouteMarker> {
            match marker.kind {
                MarkerKind::Public => public.push(marker.handler),
                MarkerKind::Guarded => guarded.push(marker.handler),
            }
        }
        guarded.retain(|site| proven.contains(site));
        public.retain(|site| proven.contains(site));
        let mut mounted = HashMap::new();
        for key in routes.into_iter().filter_map(route_key) {
            *mounted.entry(key).or_default() += 1;
        }
        Self {
            guarded,
            public,
            mounted,
        }
    }

    /// Why the handler of `route` cannot be told apart, if a marked handler's route it is:
    /// marked handlers of its key in several modules, or its key mounted more than once (one
    /// handler at two bases looks exactly like two handlers of one name, one maybe unmarked).
    fn ambiguity(&self, route: &Route) -> Option<String> {
        let modules: BTreeSet<&str> = self
            .guarded
            .iter()
            .chain(&self.public)
            .filter(|site| site.is_route(route))
            .map(|site| site.module)
            .collect();
        let mounted = route_key(route).and_then(|key| self.mounted.get(&key).copied());
        match (modules.len(), mounted) {
            (0, _) => None,
            (1, None | Some(1)) => None,
            (1, Some(times)) => Some(format!("its handler's route is mounted {times} times")),
            (_, _) => Some(format!(
                "handlers with its fn name, method and path are marked in {}",
                modules.into_iter().collect::<Vec<_>>().join(", ")
            )),
        }
    }

    fn verdict(&self, route: &Route, listed_public: bool) -> Verdict {
        let Some(name) = route.name.as_deref() else {
            return if listed_public {
                Verdict::Public
            } else {
                Verdict::Unaudited
            };
        };
        if listed_public || name.starts_with(FILE_SERVER_PREFIX) {
            return Verdict::Public;
        }
        if let Some(reason) = self.ambiguity(route) {
            return Verdict::Ambiguous(reason);
        }
        if self.guarded.iter().any(|site| site.is_route(route)) {
            Verdict::Guarded
        } else if self.public.iter().any(|site| site.is_route(route)) {
            Verdict::Public
        } else {
            Verdict::Unaudited
        }
    }
}

/// Whether this binary speaks the audit's vocabulary: what `auto` turns into `deny`.
fn uses_the_audit(config: &Config) -> bool {
    !config.public_routes.is_empty() || inventory::iter::<RouteMarker>.into_iter().next().is_some()
}

/// `"GET /orders/<id>"`: a route as the audit, the metrics and `public_routes` name it.
pub(crate) fn route_label(route: &Route) -> String {
    format!("{} {}", route.method, route.uri.path())
}

/// Audits `routes` (all routes of the ignited Rocket) as `config` says, trusting the marked
/// handlers of `proven` only; `Err` when ignite must abort. The library's own routes
/// ([`is_own_route`]) are not the app's to audit.
pub(crate) fn run(
    routes: &[&Route],
    config: &Config,
    proven: &BTreeSet<HandlerSite>,
) -> Result<(), ()> {
    let Some((mode, why)) = effective_mode(config) else {
        return Ok(());
    };
    let sites = Sites::collect(routes.iter().copied(), proven);
    let mut public_routes = PublicRoutes::new(config);
    let mut routes: Vec<&Route> = routes
        .iter()
        .copied()
        .filter(|route| !route.name.as_deref().is_some_and(is_own_route))
        .collect();
    routes.sort_by_key(|route| (route.uri.path().to_owned(), route.method.as_str()));

    let (mut guarded, mut public, mut offending) = (0_usize, 0_usize, 0_usize);
    for route in routes {
        let label = route_label(route);
        match sites.verdict(route, public_routes.lists(route)) {
            Verdict::Guarded => guarded += 1,
            Verdict::Public => {
                public += 1;
                tracing::debug!(route = %label, "logto-guard: route audit: public");
            }
            verdict => {
                offending += 1;
                report(mode, &finding(route, &label, verdict));
            }
        }
    }
    public_routes.warn_unused(config);
    if offending == 0 {
        tracing::info!("logto-guard: route audit: {guarded} routes guarded, {public} public");
        return Ok(());
    }
    if mode == RouteAudit::Deny {
        tracing::error!(
            "logto-guard: route audit failed: {offending} route(s) neither guarded nor public \
             (listed above){why}; fix them, or set `route_audit = \"warn\"` to start anyway"
        );
        return Err(());
    }
    tracing::warn!(
        "logto-guard: route audit: {offending} route(s) neither guarded nor public (listed \
         above){why}; set `route_audit = \"deny\"` to refuse to start instead"
    );
    Ok(())
}

/// The mode the audit runs in (`auto` resolved) and why, for the closing line; `None` when off.
fn effective_mode(config: &Config) -> Option<(RouteAudit, &'static str)> {
    Some(match config.route_audit {
        RouteAudit::Off => return None,
        RouteAudit::Auto if uses_the_audit(config) => (
            RouteAudit::Deny,
            " (`route_audit` is `auto`, which denies once the app marks routes with #[public], \
             #[guarded] or `public_routes`)",
        ),
        RouteAudit::Auto => (
            RouteAudit::Warn,
            " (`route_audit` is `auto`, which only warns until the app marks a route with \
             #[public], #[guarded] or `public_routes`)",
        ),
        mode => (mode, ""),
    })
}

/// The `public_routes` entries, and which of them matched a mounted route.
struct PublicRoutes<'c> {
    entries: Vec<(Option<String>, &'c str)>,
    used: Vec<bool>,
}

impl<'c> PublicRoutes<'c> {
    fn new(config: &'c Config) -> Self {
        let entries: Vec<_> = config
            .public_routes
            .iter()
            .filter_map(|entry| parse_public_route(entry))
            .collect();
        let used = vec![false; entries.len()];
        Self { entries, used }
    }

    /// Whether an entry lists `route`; marks it used.
    fn lists(&mut self, route: &Route) -> bool {
        let listed = self.entries.iter().position(|(method, path)| {
            *path == route.uri.path()
                && method.as_deref().is_none_or(|m| m == route.method.as_str())
        });
        if let Some(index) = listed {
            self.used[index] = true;
        }
        listed.is_some()
    }

    fn warn_unused(&self, config: &Config) {
        for (entry, _) in config
            .public_routes
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| !**used)
        {
            tracing::warn!(
                "logto-guard: route audit: the `public_routes` entry \"{entry}\" matches no \
                 mounted route; write the path as the route declares it, e.g. \"/orders/<id>\""
            );
        }
    }
}

/// The report line of a route the audit cannot pass, and how to fix it.
fn finding(route: &Route, label: &str, verdict: Verdict) -> String {
    let handler = route.name.as_deref().map_or_else(
        || "a route without a handler name".to_owned(),
        |n| format!("handler `{n}`"),
    );
    match verdict {
        Verdict::Ambiguous(reason) => format!(
            "logto-guard: route audit: {label} ({handler}) cannot be audited: {reason}, and a \
             Rocket route carries only its handler's fn name, method and path, so a handler of \
             another module with the same three (perhaps unmarked) cannot be told from it: give \
             each handler its own fn name (for one handler at several bases, mount it once or \
             wrap it in a handler of another name)"
        ),
        _ => {
            let fix = if route.name.is_some() {
                format!(
                    "put #[requires(resource = ..)] above its route attribute to require a \
                     token, #[guarded] if its own parameters (AccessToken, Authorized<R>, \
                     Organization) check the token, or #[public] if anyone may call it; or list \
                     \"{label}\" in `public_routes`"
                )
            } else {
                format!("list \"{label}\" in `public_routes` if anyone may call it")
            };
            format!(
                "logto-guard: route audit: {label} ({handler}) is neither guarded nor public: {fix}"
            )
        }
    }
}

fn report(mode: RouteAudit, message: &str) {
    if mode == RouteAudit::Deny {
        tracing::error!("{message}");
    } else {
        tracing::warn!("{message}");
    }
}
