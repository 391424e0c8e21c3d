//! Serving the secured document and a Swagger UI that obtains Logto tokens.

use std::sync::{Arc, OnceLock};

use rocket::http::{ContentType, Method, Status};
use rocket::route::{Handler, Outcome};
use rocket::{Data, Request, Route};
use rocket_okapi::okapi::openapi3::OpenApi;
use rocket_okapi::swagger_ui::{SwaggerUIConfig, make_swagger_ui};

use super::OpenApiSecurity;
use crate::rocket::own_route_name;
use crate::rocket::state::GuardState;

/// Our initializer, in place of Swagger UI's: it sends Logto's `resource` parameter.
const SWAGGER_INITIALIZER: &str = include_str!("swagger-initializer.js");

/// `GET /openapi.json`: `spec` secured by [`OpenApiSecurity`] for the fairing's issuer and
/// the API's first resource (the `resources` config, else the first one the mounted
/// `#[requires]` name); see [`openapi_route_for`] to choose it. Built on the first request,
/// then served as is. Public: the route audit does not report it.
#[cfg_attr(docsrs, doc(cfg(feature = "okapi")))]
#[must_use]
pub fn openapi_route(spec: OpenApi) -> Route {
    document_route(spec, None)
}

/// As [`openapi_route`], with tokens requested for `resource`.
#[cfg_attr(docsrs, doc(cfg(feature = "okapi")))]
#[must_use]
pub fn openapi_route_for(spec: OpenApi, resource: impl Into<String>) -> Route {
    document_route(spec, Some(resource.into()))
}

fn document_route(spec: OpenApi, resource: Option<String>) -> Route {
    let handler = SecuredDocument {
        spec: Arc::new(spec),
        resource,
        rendered: Arc::new(OnceLock::new()),
    };
    named(Route::new(Method::Get, "/openapi.json", handler))
}

/// Swagger UI (the one rocket_okapi bundles) reading the document at `document_url`
/// (relative to the mount point's `index.html`, e.g. `"../openapi.json"` when mounted at
/// `/docs` next to [`openapi_route`] at `/`), set up for Logto: **Authorize** uses PKCE, and
/// both the authorization and the token request carry the API's `resource`. Public: the route
/// audit does not report it.
#[cfg_attr(docsrs, doc(cfg(feature = "okapi")))]
#[must_use]
pub fn swagger_ui(document_url: &str) -> Vec<Route> {
    let config = SwaggerUIConfig {
        url: document_url.to_owned(),
        ..SwaggerUIConfig::default()
    };
    let mut routes: Vec<Route> = make_swagger_ui(&config).into();
    routes.retain(|route| route.uri.path() != "/swagger-initializer.js");
    routes.push(Route::new(
        Method::Get,
        "/swagger-initializer.js",
        Static(ContentType::JavaScript, SWAGGER_INITIALIZER),
    ));
    routes.into_iter().map(named).collect()
}

fn named(mut route: Route) -> Route {
    route.name = Some(own_route_name(&format!("okapi: {}", route.uri.path())));
    route
}

#[derive(Clone)]
struct Static(ContentType, &'static str);

#[rocket::async_trait]
impl Handler for Static {
    async fn handle<'r>(&self, request: &'r Request<'_>, _data: Data<'r>) -> Outcome<'r> {
        Outcome::from(request, (self.0.clone(), self.1))
    }
}

#[derive(Clone)]
struct SecuredDocument {
    spec: Arc<OpenApi>,
    resource: Option<String>,
    rendered: Arc<OnceLock<String>>,
}

impl SecuredDocument {
    fn render(&self, state: &GuardState) -> Result<String, String> {
        let validator = state.validator();
        let resource = match &self.resource {
            Some(resource) => resource.clone(),
            None => validator.resources().first().cloned().ok_or(
                "logto-guard: the OpenAPI document needs the API's resource, but none is \
                 configured or declared; list it in `resources` or use `openapi_route_for`",
            )?,
        };
        let security = OpenApiSecurity::new(validator.issuer(), resource);
        serde_json::to_string_pretty(&security.apply(OpenApi::clone(&self.spec)))
            .map_err(|error| format!("logto-guard: cannot render the OpenAPI document: {error}"))
    }
}

#[rocket::async_trait]
impl Handler for SecuredDocument {
    async fn handle<'r>(&self, request: &'r Request<'_>, _data: Data<'r>) -> Outcome<'r> {
        let Some(state) = request.rocket().state::<GuardState>() else {
            tracing::error!(
                "logto-guard: the OpenAPI document names Logto's endpoints, but the fairing is \
                 not attached; add `.attach(logto_guard::LogtoGuard::fairing())` (answering 500)"
            );
            return Outcome::error(Status::InternalServerError);
        };
        let document = match self.rendered.get() {
            Some(document) => document,
            None => match self.render(state) {
                Ok(document) => self.rendered.get_or_init(|| document),
                Err(message) => {
                    tracing::error!("{message} (answering 500)");
                    return Outcome::error(Status::InternalServerError);
                }
            },
        };
        Outcome::from(request, (ContentType::JSON, document.clone()))
    }
}
