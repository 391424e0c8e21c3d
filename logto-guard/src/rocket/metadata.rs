//! Serving RFC 9728 protected resource metadata, and naming it in challenges.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use rocket::http::{ContentType, Method, Status};
use rocket::route::{self, Handler};
use rocket::{Data, Request, Route};

use crate::config::Config;
use crate::declaration::{Declaration, HandlerSite};
use crate::metadata::{ProtectedResourceMetadata, WELL_KNOWN_PATH, metadata_url};
use crate::validate::Validator;

/// Below every route of the app's own (Rocket's default ranks are negative), so an app that
/// serves its own metadata keeps it.
const RANK: isize = 100;

/// The metadata of one Rocket: its routes are mounted at ignite, and what they serve is
/// published at the end of ignite, for the resources the API trusts then.
#[derive(Debug, Default)]
pub(crate) struct Publication {
    documents: Arc<OnceLock<HashMap<String, String>>>,
    published: OnceLock<Published>,
}

/// What the fairing publishes: the metadata URL of each resource, and which one a rejection
/// names.
#[derive(Debug)]
struct Published {
    /// Each mounted `#[requires]` handler with the metadata URL of the resource it names.
    by_handler: Vec<(HandlerSite, String)>,
    /// For every other route: the first configured resource's, else the first declared one's.
    default: Option<String>,
}

impl Publication {
    /// A publication to fill at the end of ignite, and the routes that serve it: mounted at
    /// ignite, while routes can still be mounted.
    pub(crate) fn new() -> (Self, Vec<Route>) {
        let publication = Self::default();
        let handler = Documents(Arc::clone(&publication.documents));
        let routes = [
            WELL_KNOWN_PATH.to_owned(),
            format!("{WELL_KNOWN_PATH}/<path..>"),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, uri)| {
            let rank = RANK + isize::try_from(i).unwrap_or_default();
            let mut route = Route::ranked(rank, Method::Get, &uri, handler.clone());
            route.name = Some(super::own_route_name("protected_resource_metadata"));
            route
        })
        .collect();
        (publication, routes)
    }

    /// The metadata URL a rejection of `request` names in its challenge.
    pub(crate) fn url_for(&self, request: &Request<'_>) -> Option<&str> {
        let published = self.published.get()?;
        request
            .route()
            .and_then(|route| {
                published
                    .by_handler
                    .iter()
                    .find(|(handler, _)| handler.is_route(route))
            })
            .map(|(_, url)| url)
            .or(published.default.as_ref())
            .map(String::as_str)
    }

    /// Publishes the metadata of the validator's resources, with the scopes that the mounted
    /// `#[requires]` handlers (`mounted`) name; an error says what to fix.
    pub(crate) fn publish(
        &self,
        validator: &Validator,
        config: &Config,
        mounted: &BTreeSet<HandlerSite>,
    ) -> Result<(), String> {
        if validator.resources().is_empty() {
            return Err(
                "`resource_metadata` is on but this API has no resource to describe: list \
                 one in `resources`, or name it in the #[requires(resource = ..)] of a mounted \
                 route"
                    .to_owned(),
            );
        }
        let declarations: Vec<&Declaration> = Declaration::all()
            .filter(|d| mounted.contains(&d.handler))
            .collect();
        let mut urls = BTreeMap::new();
        let mut documents: HashMap<String, (String, String)> = HashMap::new();
        for resource in validator.resources() {
            let url = metadata_url(resource, config.public_url.as_deref())
                .map_err(|e| format!("cannot serve protected resource metadata: {e}"))?;
            let path = url_path(&url).ok_or_else(|| format!("invalid metadata URL {url}"))?;
            let scopes = declarations
                .iter()
                .filter(|d| d.resource() == Some(resource.as_str()))
                .flat_map(|d| d.scopes.iter().copied());
            let mut document = ProtectedResourceMetadata::new(resource, validator.issuer(), scopes);
            // Every trusted issuer: the endpoint's, then each custom domain's.
            document
                .authorization_servers
                .extend(validator.issuers().skip(1).map(str::to_owned));
            if let Some((other, _)) = documents.get(&path) {
                return Err(format!(
                    "resources `{other}` and `{resource}` would both publish their metadata at \
                     {path}; give them different paths, or set `resource_metadata = false`"
                ));
            }
            tracing::info!("logto-guard: protected resource metadata of {resource} at {url}");
            documents.insert(path, (resource.clone(), document.to_json()));
            urls.insert(resource.clone(), url);
        }
        let by_handler = declarations
            .iter()
            .filter_map(|d| Some((d.handler, urls.get(d.resource()?)?.clone())))
            .collect();
        let default = config
            .resources
            .first()
            .and_then(|resource| urls.get(resource))
            .or_else(|| urls.values().next())
            .cloned();
        let documents = documents
            .into_iter()
            .map(|(path, (_, json))| (path, json))
            .collect();
        // Ignite publishes once; a second call would find both set already.
        let _ = self.documents.set(documents);
        let _ = self.published.set(Published {
            by_handler,
            default,
        });
        Ok(())
    }
}

/// The path part of a metadata URL: what the server routes.
fn url_path(url: &str) -> Option<String> {
    url::Url::parse(url).ok().map(|url| url.path().to_owned())
}

/// Serves the published documents by request path; forwards any other path.
#[derive(Clone)]
struct Documents(Arc<OnceLock<HashMap<String, String>>>);

#[rocket::async_trait]
impl Handler for Documents {
    async fn handle<'r>(&self, request: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        let documents = self.0.get();
        match documents.and_then(|documents| documents.get(request.uri().path().as_str())) {
            Some(json) => route::Outcome::from(request, (ContentType::JSON, json.clone())),
            None => route::Outcome::forward(data, Status::NotFound),
        }
    }
}
