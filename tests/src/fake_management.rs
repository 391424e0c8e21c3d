//! A **fake** Logto Management API on `127.0.0.1:0`: it stands in for Logto's Management API,
//! which cannot run here.
//!
//! It implements only what `sync` uses, the way Logto does: the token endpoint
//! (`POST /oidc/token`, client credentials with HTTP Basic authentication, `invalid_client` 401,
//! `invalid_target` 400), `GET/POST /api/resources`, `GET/POST /api/resources/{id}/scopes`,
//! `PATCH/DELETE /api/resources/{id}/scopes/{scopeId}`, `GET/POST /api/organization-scopes`,
//! `PATCH/DELETE /api/organization-scopes/{id}`, `GET/POST /api/hooks` and
//! `PATCH /api/hooks/{id}` (Logto's `packages/core/src/routes/hook.ts`: creating a hook
//! generates its signing key, every answer holds the whole hook with its key, a `PATCH`
//! replaces `config` whole, events are checked against Logto's list) with Logto's JSON shapes,
//! status codes and error codes (`resource.resource_identifier_in_use`, `scope.name_exists`,
//! `organization_scope.name_exists`,
//! `scope.name_with_space`, `entity.not_exists_with_id`, `guard.invalid_pagination`,
//! `guard.invalid_input`, `hook.missing_events`, `subscription.limit_exceeded` for a hook over
//! a plan's limit), pagination (`page` from 1, `page_size` default 20 and at most 100,
//! `Total-Number` header; optional on `/api/hooks`, as in Logto), and authorization (401
//! `auth.unauthorized` for an unknown token, 403 `auth.forbidden` for an app without
//! Management API access). Like oidc-provider, it form-urldecodes the client id and secret of
//! HTTP Basic authentication (RFC 6749 §2.3.1). It logs every request (method and URI, never a
//! body) so that tests can assert what was called, and can be told to fail every API request,
//! or those under one path, or to answer them with an endless body.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use base64::Engine as _;
use logto_guard::manifest::ManagementConfig;
use rocket::fairing::AdHoc;
use rocket::http::{ContentType, RawStr, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder, Response};
use rocket::{Shutdown, State, catch, catchers, delete, get, patch, post, routes};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt as _;

/// The machine-to-machine app that has Management API access.
pub const APP_ID: &str = "m2m-app";
/// Its secret.
pub const APP_SECRET: &str = "m2m-secret";
/// A machine-to-machine app without a Management API role: tokens, but 403 from the API.
pub const NO_ACCESS_APP_ID: &str = "no-access-app";
/// Its secret.
pub const NO_ACCESS_APP_SECRET: &str = "no-access-secret";
/// A machine-to-machine app with Management API access whose secret has the characters that
/// HTTP Basic authentication needs form-urlencoded (RFC 6749 §2.3.1).
pub const RESERVED_CHARACTERS_APP_ID: &str = "m2m-app-reserved-characters";
/// Its secret: `:`, `%`, a space and `+`, each of which breaks unless form-urlencoded.
pub const RESERVED_CHARACTERS_APP_SECRET: &str = "se:cr%41t w+rd";
/// The Management API identifier it accepts (self-hosted Logto's).
pub const MANAGEMENT_RESOURCE: &str = "https://default.logto.app/api";
/// Logto's page size when `page_size` is absent.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// Logto's largest page size.
pub const MAX_PAGE_SIZE: usize = 100;

#[derive(Debug, Clone)]
struct FakeResource {
    id: String,
    name: String,
    indicator: String,
}

/// What a scope belongs to: Logto keeps a resource's scopes and the organization scopes (the
/// organization template) in two tables with the same rules, so the fake keeps one store.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owner {
    /// A scope (permission) of the resource with this id.
    Resource(String),
    /// An organization scope (organization permission).
    Organization,
}

impl Owner {
    fn id_prefix(&self) -> &'static str {
        match self {
            Self::Resource(_) => "scp",
            Self::Organization => "orgscp",
        }
    }

    /// The entity's name in Logto's error messages.
    fn entity(&self) -> &'static str {
        match self {
            Self::Resource(_) => "scope",
            Self::Organization => "organization scope",
        }
    }

    /// Logto's error code for a name already in use.
    fn name_exists_code(&self) -> &'static str {
        match self {
            Self::Resource(_) => "scope.name_exists",
            Self::Organization => "organization_scope.name_exists",
        }
    }

    /// Logto's JSON for a scope of this owner.
    fn json(&self, scope: &FakeScope) -> Value {
        match self {
            Self::Resource(resource_id) => json!({
                "tenantId": "default",
                "id": scope.id,
                "resourceId": resource_id,
                "name": scope.name,
                "description": scope.description,
                "createdAt": 1_700_000_000_000_u64,
            }),
            Self::Organization => json!({
                "tenantId": "default",
                "id": scope.id,
                "name": scope.name,
                "description": scope.description,
            }),
        }
    }
}

#[derive(Debug, Clone)]
struct FakeScope {
    id: String,
    owner: Owner,
    name: String,
    description: Option<String>,
}

/// A webhook (`hooks` row) as Logto keeps it.
#[derive(Debug, Clone)]
pub struct FakeHook {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The events it is sent for.
    pub events: Vec<String>,
    /// `config`: `url`, optional `headers`.
    pub config: Value,
    /// The signing key Logto generated when it was created.
    pub signing_key: String,
    /// Whether Logto sends it anything.
    pub enabled: bool,
}

impl FakeHook {
    /// The URL it sends to.
    #[must_use]
    pub fn url(&self) -> &str {
        self.config["url"].as_str().unwrap_or_default()
    }

    /// Logto's JSON for it: the whole row, signing key included.
    fn json(&self) -> Value {
        json!({
            "tenantId": "default",
            "id": self.id,
            "name": self.name,
            "event": null,
            "events": self.events,
            "config": self.config,
            "signingKey": self.signing_key,
            "enabled": self.enabled,
            "createdAt": 1_700_000_000_000_u64,
        })
    }
}

/// Every event a Logto hook may be registered for (`hookEvents` in Logto's
/// `packages/schemas/src/foundations/jsonb-types/hooks.ts`).
const LOGTO_HOOK_EVENTS: [&str; 28] = [
    "PostRegister",
    "PostSignIn",
    "PostSignInAdaptiveMfaTriggered",
    "PostResetPassword",
    "User.Created",
    "User.Deleted",
    "User.Data.Updated",
    "User.SuspensionStatus.Updated",
    "Role.Created",
    "Role.Deleted",
    "Role.Data.Updated",
    "Role.Scopes.Updated",
    "Scope.Created",
    "Scope.Deleted",
    "Scope.Data.Updated",
    "Organization.Created",
    "Organization.Deleted",
    "Organization.Data.Updated",
    "Organization.Membership.Updated",
    "OrganizationRole.Created",
    "OrganizationRole.Deleted",
    "OrganizationRole.Data.Updated",
    "OrganizationRole.Scopes.Updated",
    "OrganizationScope.Created",
    "OrganizationScope.Deleted",
    "OrganizationScope.Data.Updated",
    "Identifier.Lockout",
    "Message.RateLimited",
];

/// How every `/api` request is answered instead of normally, when set.
enum Override {
    /// This status and JSON body.
    Failure(u16, Value),
    /// 200 with a body of this many bytes, streamed without `Content-Length`.
    Oversized(u64),
}

#[derive(Default)]
struct Data {
    resources: Vec<FakeResource>,
    scopes: Vec<FakeScope>,
    hooks: Vec<FakeHook>,
    /// The most hooks the tenant's plan allows, if limited.
    hooks_limit: Option<usize>,
    /// Access token -> app id.
    tokens: BTreeMap<String, String>,
    next_id: u64,
    /// How requests whose path starts with the string are answered instead.
    override_api: Option<(String, Override)>,
    requests: Vec<String>,
}

impl Data {
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{:0>17}", self.next_id)
    }

    /// Stores a scope of `owner`; returns it.
    fn add_scope(&mut self, owner: Owner, name: &str, description: Option<&str>) -> FakeScope {
        let scope = FakeScope {
            id: self.id(owner.id_prefix()),
            owner,
            name: name.to_owned(),
            description: description.map(str::to_owned),
        };
        self.scopes.push(scope.clone());
        scope
    }

    /// Stores a webhook with a new signing key, as Logto's `POST /api/hooks` does; returns it.
    fn add_hook(
        &mut self,
        name: &str,
        events: Vec<String>,
        config: Value,
        enabled: bool,
    ) -> FakeHook {
        let id = self.id("hook");
        let hook = FakeHook {
            // Like Logto's `generateStandardSecret()`: 32 letters and digits.
            signing_key: format!("fakeSigningKey{:0>18}", self.next_id),
            id,
            name: name.to_owned(),
            events,
            config,
            enabled,
        };
        self.hooks.push(hook.clone());
        hook
    }

    /// `(name, description)` of the scopes of `owner`, sorted by name.
    fn scope_names(&self, owner: &Owner) -> Vec<(String, Option<String>)> {
        let mut scopes: Vec<_> = self
            .scopes
            .iter()
            .filter(|s| &s.owner == owner)
            .map(|s| (s.name.clone(), s.description.clone()))
            .collect();
        scopes.sort();
        scopes
    }
}

type Shared = Arc<Mutex<Data>>;

fn lock(shared: &Shared) -> MutexGuard<'_, Data> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The running fake; stopped when dropped.
pub struct FakeManagement {
    endpoint: String,
    data: Shared,
    shutdown: Shutdown,
}

impl Drop for FakeManagement {
    fn drop(&mut self) {
        self.shutdown.clone().notify();
    }
}

impl FakeManagement {
    /// Starts the fake on a free port of 127.0.0.1.
    ///
    /// # Panics
    ///
    /// When Rocket cannot start.
    pub async fn start() -> Self {
        let data = Shared::default();
        let mut config = rocket::Config::debug_default();
        config.address = Ipv4Addr::LOCALHOST.into();
        config.port = 0;
        config.log_level = rocket::config::LogLevel::Off;
        config.cli_colors = false;
        config.shutdown.ctrlc = false;
        #[cfg(unix)]
        config.shutdown.signals.clear();
        config.shutdown.grace = 1;
        config.shutdown.mercy = 1;
        let (ready, started) = tokio::sync::oneshot::channel();
        let ready = Mutex::new(Some(ready));
        let log = Arc::clone(&data);
        let rocket = rocket::custom(config)
            .manage(Arc::clone(&data))
            .mount(
                "/",
                routes![
                    token,
                    list_resources,
                    create_resource,
                    list_scopes,
                    create_scope,
                    update_scope,
                    delete_scope,
                    list_organization_scopes,
                    create_organization_scope,
                    update_organization_scope,
                    delete_organization_scope,
                    list_hooks,
                    create_hook,
                    update_hook
                ],
            )
            .register("/", catchers![default_catcher])
            .attach(AdHoc::on_request("request log", move |request, _| {
                let line = format!("{} {}", request.method(), request.uri());
                lock(&log).requests.push(line);
                Box::pin(async {})
            }))
            .attach(AdHoc::on_liftoff("ready", move |rocket| {
                let sender = ready.lock().unwrap_or_else(PoisonError::into_inner).take();
                let started = (rocket.config().port, rocket.shutdown());
                Box::pin(async move {
                    if let Some(sender) = sender {
                        let _ = sender.send(started);
                    }
                })
            }));
        tokio::spawn(async move {
            if let Err(error) = rocket.launch().await {
                eprintln!("the fake Management API stopped: {error}");
            }
        });
        let (port, shutdown) = started.await.expect("the fake Management API starts");
        Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            data,
            shutdown,
        }
    }

    /// `http://127.0.0.1:<port>`: what Logto calls the endpoint.
    #[must_use]
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// A config for [`APP_ID`], the app with Management API access.
    #[must_use]
    pub fn config(&self) -> ManagementConfig {
        ManagementConfig::new(&self.endpoint, APP_ID, APP_SECRET)
    }

    /// Adds a resource as if created in the Console; returns its id.
    pub fn add_resource(&self, name: &str, indicator: &str) -> String {
        let mut data = lock(&self.data);
        let id = data.id("res");
        data.resources.push(FakeResource {
            id: id.clone(),
            name: name.to_owned(),
            indicator: indicator.to_owned(),
        });
        id
    }

    /// Adds a scope to the resource `resource_id`; returns its id.
    pub fn add_scope(&self, resource_id: &str, name: &str, description: Option<&str>) -> String {
        let owner = Owner::Resource(resource_id.to_owned());
        lock(&self.data).add_scope(owner, name, description).id
    }

    /// Adds an organization permission (organization scope) as if created in the Console;
    /// returns its id.
    pub fn add_organization_scope(&self, name: &str, description: Option<&str>) -> String {
        lock(&self.data)
            .add_scope(Owner::Organization, name, description)
            .id
    }

    /// Adds a webhook as if created in the Console; returns its id.
    pub fn add_hook(&self, name: &str, url: &str, events: &[&str], enabled: bool) -> String {
        let events = events.iter().map(|&e| e.to_owned()).collect();
        lock(&self.data)
            .add_hook(name, events, json!({ "url": url }), enabled)
            .id
    }

    /// Every webhook, in creation order.
    #[must_use]
    pub fn hooks(&self) -> Vec<FakeHook> {
        lock(&self.data).hooks.clone()
    }

    /// From now on the tenant's plan allows at most `limit` webhooks: `POST /api/hooks` beyond
    /// it answers 403 `subscription.limit_exceeded`, as Logto Cloud does.
    pub fn limit_hooks(&self, limit: usize) {
        lock(&self.data).hooks_limit = Some(limit);
    }

    /// `(name, description)` of every organization permission, sorted by name.
    #[must_use]
    pub fn organization_scopes(&self) -> Vec<(String, Option<String>)> {
        lock(&self.data).scope_names(&Owner::Organization)
    }

    /// `(indicator, name)` of every resource, in creation order.
    #[must_use]
    pub fn resources(&self) -> Vec<(String, String)> {
        lock(&self.data)
            .resources
            .iter()
            .map(|r| (r.indicator.clone(), r.name.clone()))
            .collect()
    }

    /// `(name, description)` of the scopes of the resource `indicator`, sorted by name.
    #[must_use]
    pub fn scopes(&self, indicator: &str) -> Vec<(String, Option<String>)> {
        let data = lock(&self.data);
        match data.resources.iter().find(|r| r.indicator == indicator) {
            Some(resource) => data.scope_names(&Owner::Resource(resource.id.clone())),
            None => Vec::new(),
        }
    }

    /// Every request so far, as `METHOD /path?query`.
    #[must_use]
    pub fn requests(&self) -> Vec<String> {
        lock(&self.data).requests.clone()
    }

    /// The requests that change something: `POST`, `PATCH`, `DELETE` under `/api`.
    #[must_use]
    pub fn writes(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| !r.starts_with("GET ") && r.contains(" /api/"))
            .collect()
    }

    /// Forgets the requests so far.
    pub fn clear_requests(&self) {
        lock(&self.data).requests.clear();
    }

    /// From now on every `/api` request answers `status` with `body` (the token endpoint still
    /// works).
    pub fn fail_with(&self, status: u16, body: Value) {
        self.fail_path_with("/api/", status, body);
    }

    /// From now on every `/api` request whose path starts with `prefix` answers `status` with
    /// `body`.
    pub fn fail_path_with(&self, prefix: &str, status: u16, body: Value) {
        lock(&self.data).override_api = Some((prefix.to_owned(), Override::Failure(status, body)));
    }

    /// From now on every `/api` request answers 200 with a body of `bytes` bytes, streamed
    /// without `Content-Length` (the token endpoint still works).
    pub fn answer_oversized(&self, bytes: u64) {
        lock(&self.data).override_api = Some(("/api/".to_owned(), Override::Oversized(bytes)));
    }

    /// Invalidates every token issued so far: the API answers 401 to them.
    pub fn revoke_tokens(&self) {
        lock(&self.data).tokens.clear();
    }
}

/// What an answer carries.
enum Body {
    Empty,
    Json(Value),
    /// This many spaces, streamed without `Content-Length`.
    Padding(u64),
}

/// An answer with an optional `Total-Number` header.
struct Reply {
    status: Status,
    body: Body,
    total: Option<usize>,
}

impl Reply {
    fn json(status: Status, body: Value) -> Self {
        Self {
            status,
            body: Body::Json(body),
            total: None,
        }
    }

    fn no_content() -> Self {
        Self {
            status: Status::NoContent,
            body: Body::Empty,
            total: None,
        }
    }

    /// Logto's error shape.
    fn error(status: Status, code: &str, message: &str) -> Self {
        Self::json(status, json!({ "message": message, "code": code }))
    }

    fn oauth_error(status: Status, error: &str, description: &str) -> Self {
        Self::json(
            status,
            json!({ "error": error, "error_description": description }),
        )
    }
}

impl<'r> Responder<'r, 'static> for Reply {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let mut response = Response::build();
        response.status(self.status);
        match self.body {
            Body::Empty => {}
            Body::Json(body) => {
                let text = body.to_string();
                response
                    .header(ContentType::JSON)
                    .sized_body(text.len(), Cursor::new(text));
            }
            Body::Padding(bytes) => {
                response
                    .header(ContentType::JSON)
                    .streamed_body(tokio::io::repeat(b' ').take(bytes));
            }
        }
        if let Some(total) = self.total {
            response.raw_header("Total-Number", total.to_string());
        }
        response.ok()
    }
}

/// The raw `Authorization` header, and the path it was sent to.
struct Authorization(Option<String>, String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Authorization {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(Self(
            request
                .headers()
                .get_one("Authorization")
                .map(str::to_owned),
            request.uri().path().to_string(),
        ))
    }
}

/// `(app id, secret, has Management API access)` of the known apps.
const APPS: [(&str, &str, bool); 3] = [
    (APP_ID, APP_SECRET, true),
    (NO_ACCESS_APP_ID, NO_ACCESS_APP_SECRET, false),
    (
        RESERVED_CHARACTERS_APP_ID,
        RESERVED_CHARACTERS_APP_SECRET,
        true,
    ),
];

/// `value` decoded from `application/x-www-form-urlencoded` (`+` is a space).
fn form_decode(value: &str) -> String {
    RawStr::new(value).url_decode_lossy().into_owned()
}

fn form_value(body: &str, key: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (form_decode(k) == key).then(|| form_decode(v))
    })
}

/// The client id and secret of HTTP Basic authentication: split at the first `:`, then each
/// form-urldecoded (RFC 6749 §2.3.1), as oidc-provider does.
fn basic_credentials(header: Option<&str>) -> Option<(String, String)> {
    let encoded = header?.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((form_decode(id), form_decode(secret)))
}

#[post("/oidc/token", data = "<body>")]
fn token(data: &State<Shared>, authorization: Authorization, body: String) -> Reply {
    let app = basic_credentials(authorization.0.as_deref()).and_then(|(id, secret)| {
        APPS.iter()
            .find(|(app, app_secret, _)| *app == id && *app_secret == secret)
    });
    let Some((app_id, _, access)) = app else {
        return Reply::oauth_error(
            Status::Unauthorized,
            "invalid_client",
            "client authentication failed",
        );
    };
    if form_value(&body, "grant_type").as_deref() != Some("client_credentials") {
        return Reply::oauth_error(
            Status::BadRequest,
            "unsupported_grant_type",
            "unsupported grant_type requested",
        );
    }
    if form_value(&body, "resource").as_deref() != Some(MANAGEMENT_RESOURCE) {
        return Reply::oauth_error(
            Status::BadRequest,
            "invalid_target",
            "resource indicator is missing, or unknown",
        );
    }
    let wants_all =
        form_value(&body, "scope").is_some_and(|scope| scope.split(' ').any(|s| s == "all"));
    let mut data = lock(data);
    let token = data.id("fake-access-token-");
    data.tokens.insert(token.clone(), (*app_id).to_owned());
    let mut reply = json!({ "access_token": token, "expires_in": 3600, "token_type": "Bearer" });
    // Like oidc-provider: `scope` only when the token has one, i.e. when a role grants it.
    if *access && wants_all {
        reply["scope"] = json!("all");
    }
    Reply::json(Status::Ok, reply)
}

/// Logto's checks before any Management API route: a forced answer, then the token.
fn authorize(data: &Data, authorization: &Authorization) -> Result<(), Reply> {
    match &data.override_api {
        Some((prefix, Override::Failure(status, body))) if authorization.1.starts_with(prefix) => {
            return Err(Reply::json(Status::new(*status), body.clone()));
        }
        Some((prefix, Override::Oversized(bytes))) if authorization.1.starts_with(prefix) => {
            return Err(Reply {
                status: Status::Ok,
                body: Body::Padding(*bytes),
                total: None,
            });
        }
        _ => {}
    }
    let Some(token) = authorization
        .0
        .as_deref()
        .and_then(|h| h.strip_prefix("Bearer "))
    else {
        return Err(Reply::error(
            Status::Unauthorized,
            "auth.authorization_header_missing",
            "Authorization header is missing.",
        ));
    };
    let Some(app) = data.tokens.get(token) else {
        return Err(Reply::error(
            Status::Unauthorized,
            "auth.unauthorized",
            "Unauthorized. Please check credentials and its scope.",
        ));
    };
    if !APPS.iter().any(|(id, _, access)| id == app && *access) {
        return Err(Reply::error(
            Status::Forbidden,
            "auth.forbidden",
            "Forbidden. Please check your permissions.",
        ));
    }
    Ok(())
}

/// `page` (from 1) and `page_size` as Logto's pagination middleware reads them.
fn pagination(page: Option<&str>, page_size: Option<&str>) -> Result<(usize, usize), Reply> {
    let invalid = || {
        Reply::error(
            Status::BadRequest,
            "guard.invalid_pagination",
            "The pagination value of the request is invalid.",
        )
    };
    let page = page
        .map_or(Ok(1), str::parse::<usize>)
        .map_err(|_| invalid())?;
    let size = page_size
        .map_or(Ok(DEFAULT_PAGE_SIZE), str::parse::<usize>)
        .map_err(|_| invalid())?;
    if page == 0 || size == 0 || size > MAX_PAGE_SIZE {
        return Err(invalid());
    }
    Ok((page, size))
}

fn paged(items: Vec<Value>, page: usize, size: usize) -> Reply {
    let total = items.len();
    let start = (page - 1).saturating_mul(size);
    let items: Vec<Value> = items.into_iter().skip(start).take(size).collect();
    Reply {
        status: Status::Ok,
        body: Body::Json(Value::Array(items)),
        total: Some(total),
    }
}

fn resource_json(resource: &FakeResource) -> Value {
    json!({
        "tenantId": "default",
        "id": resource.id,
        "name": resource.name,
        "indicator": resource.indicator,
        "isDefault": false,
        "accessTokenTtl": 3600,
    })
}

fn json_body(body: &str) -> Result<Value, Reply> {
    serde_json::from_str(body).map_err(|_| {
        Reply::error(
            Status::BadRequest,
            "guard.invalid_input",
            "The request body is invalid.",
        )
    })
}

fn not_found(name: &str, id: &str) -> Reply {
    Reply::error(
        Status::NotFound,
        "entity.not_exists_with_id",
        &format!("The {name} with ID `{id}` does not exist."),
    )
}

#[get("/api/resources?<page>&<page_size>")]
fn list_resources(
    data: &State<Shared>,
    authorization: Authorization,
    page: Option<&str>,
    page_size: Option<&str>,
) -> Reply {
    let data = lock(data);
    if let Err(reply) = authorize(&data, &authorization) {
        return reply;
    }
    match pagination(page, page_size) {
        Ok((page, size)) => paged(
            data.resources.iter().map(resource_json).collect(),
            page,
            size,
        ),
        Err(reply) => reply,
    }
}

#[post("/api/resources", data = "<body>")]
fn create_resource(data: &State<Shared>, authorization: Authorization, body: String) -> Reply {
    let mut data = lock(data);
    if let Err(reply) = authorize(&data, &authorization) {
        return reply;
    }
    let body = match json_body(&body) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let (Some(name), Some(indicator)) = (body["name"].as_str(), body["indicator"].as_str()) else {
        return Reply::error(
            Status::BadRequest,
            "guard.invalid_input",
            "`name` and `indicator` are required.",
        );
    };
    if name.is_empty() || indicator.is_empty() {
        return Reply::error(
            Status::BadRequest,
            "guard.invalid_input",
            "`name` and `indicator` must not be empty.",
        );
    }
    if data.resources.iter().any(|r| r.indicator == indicator) {
        return Reply::error(
            Status::UnprocessableEntity,
            "resource.resource_identifier_in_use",
            &format!("The API identifier {indicator} is already in use."),
        );
    }
    let resource = FakeResource {
        id: data.id("res"),
        name: name.to_owned(),
        indicator: indicator.to_owned(),
    };
    data.resources.push(resource.clone());
    let mut reply = resource_json(&resource);
    reply["scopes"] = json!([]);
    Reply::json(Status::Created, reply)
}

// ---- scopes: one store for a resource's scopes and the organization scopes ----

/// `GET` a page of the scopes of `owner`.
fn list_owned_scopes(
    data: &Data,
    authorization: &Authorization,
    owner: &Owner,
    page: Option<&str>,
    page_size: Option<&str>,
) -> Reply {
    if let Err(reply) = authorize(data, authorization) {
        return reply;
    }
    match pagination(page, page_size) {
        // Like Logto: an unknown resource simply has no scopes.
        Ok((page, size)) => paged(
            data.scopes
                .iter()
                .filter(|s| &s.owner == owner)
                .map(|s| owner.json(s))
                .collect(),
            page,
            size,
        ),
        Err(reply) => reply,
    }
}

/// `POST` a scope of `owner`: a name without spaces, unique among the owner's scopes.
fn create_owned_scope(
    data: &mut Data,
    authorization: &Authorization,
    owner: Owner,
    body: &str,
) -> Reply {
    if let Err(reply) = authorize(data, authorization) {
        return reply;
    }
    let body = match json_body(body) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let Some(name) = body["name"].as_str().filter(|n| !n.is_empty()) else {
        return Reply::error(
            Status::BadRequest,
            "guard.invalid_input",
            "`name` is required.",
        );
    };
    if matches!(owner, Owner::Resource(_)) && name.chars().any(char::is_whitespace) {
        return Reply::error(
            Status::BadRequest,
            "scope.name_with_space",
            "The name of the scope cannot contain any spaces.",
        );
    }
    if let Owner::Resource(id) = &owner
        && !data.resources.iter().any(|r| &r.id == id)
    {
        return not_found("resource", id);
    }
    if data
        .scopes
        .iter()
        .any(|s| s.owner == owner && s.name == name)
    {
        return Reply::error(
            Status::UnprocessableEntity,
            owner.name_exists_code(),
            &format!("The {} name {name} is already in use.", owner.entity()),
        );
    }
    let description = body["description"].as_str();
    let scope = data.add_scope(owner, name, description);
    Reply::json(Status::Created, scope.owner.json(&scope))
}

/// `PATCH` the description of the scope `id` of `owner`.
fn update_owned_scope(
    data: &mut Data,
    authorization: &Authorization,
    owner: &Owner,
    id: &str,
    body: &str,
) -> Reply {
    if let Err(reply) = authorize(data, authorization) {
        return reply;
    }
    let body = match json_body(body) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    if let Owner::Resource(resource_id) = owner
        && !data.resources.iter().any(|r| &r.id == resource_id)
    {
        return not_found("resource", resource_id);
    }
    let Some(scope) = data
        .scopes
        .iter_mut()
        .find(|s| &s.owner == owner && s.id == id)
    else {
        return not_found(owner.entity(), id);
    };
    if let Some(description) = body["description"].as_str() {
        scope.description = Some(description.to_owned());
    }
    Reply::json(Status::Ok, owner.json(scope))
}

/// `DELETE` the scope `id` of `owner`.
fn delete_owned_scope(
    data: &mut Data,
    authorization: &Authorization,
    owner: &Owner,
    id: &str,
) -> Reply {
    if let Err(reply) = authorize(data, authorization) {
        return reply;
    }
    let before = data.scopes.len();
    data.scopes.retain(|s| !(&s.owner == owner && s.id == id));
    if data.scopes.len() == before {
        return not_found(owner.entity(), id);
    }
    Reply::no_content()
}

#[get("/api/resources/<id>/scopes?<page>&<page_size>")]
fn list_scopes(
    data: &State<Shared>,
    authorization: Authorization,
    id: &str,
    page: Option<&str>,
    page_size: Option<&str>,
) -> Reply {
    let owner = Owner::Resource(id.to_owned());
    list_owned_scopes(&lock(data), &authorization, &owner, page, page_size)
}

#[post("/api/resources/<id>/scopes", data = "<body>")]
fn create_scope(
    data: &State<Shared>,
    authorization: Authorization,
    id: &str,
    body: String,
) -> Reply {
    let owner = Owner::Resource(id.to_owned());
    create_owned_scope(&mut lock(data), &authorization, owner, &body)
}

#[patch("/api/resources/<id>/scopes/<scope_id>", data = "<body>")]
fn update_scope(
    data: &State<Shared>,
    authorization: Authorization,
    id: &str,
    scope_id: &str,
    body: String,
) -> Reply {
    let owner = Owner::Resource(id.to_owned());
    update_owned_scope(&mut lock(data), &authorization, &owner, scope_id, &body)
}

#[delete("/api/resources/<id>/scopes/<scope_id>")]
fn delete_scope(
    data: &State<Shared>,
    authorization: Authorization,
    id: &str,
    scope_id: &str,
) -> Reply {
    let owner = Owner::Resource(id.to_owned());
    delete_owned_scope(&mut lock(data), &authorization, &owner, scope_id)
}

#[get("/api/organization-scopes?<page>&<page_size>")]
fn list_organization_scopes(
    data: &State<Shared>,
    authorization: Authorization,
    page: Option<&str>,
    page_size: Option<&str>,
) -> Reply {
    let owner = Owner::Organization;
    list_owned_scopes(&lock(data), &authorization, &owner, page, page_size)
}

#[post("/api/organization-scopes", data = "<body>")]
fn create_organization_scope(
    data: &State<Shared>,
    authorization: Authorization,
    body: String,
) -> Reply {
    create_owned_scope(&mut lock(data), &authorization, Owner::Organization, &body)
}

#[patch("/api/organization-scopes/<id>", data = "<body>")]
fn update_organization_scope(
    data: &State<Shared>,
    authorization: Authorization,
    id: &str,
    body: String,
) -> Reply {
    let owner = Owner::Organization;
    update_owned_scope(&mut lock(data), &authorization, &owner, id, &body)
}

#[delete("/api/organization-scopes/<id>")]
fn delete_organization_scope(
    data: &State<Shared>,
    authorization: Authorization,
    id: &str,
) -> Reply {
    delete_owned_scope(&mut lock(data), &authorization, &Owner::Organization, id)
}

// ---- webhooks ----

/// Logto's 400 for a body its guard refuses.
fn invalid_input(message: &str) -> Reply {
    Reply::error(Status::BadRequest, "guard.invalid_input", message)
}

/// `events` as Logto's guard takes it: a non-empty list of Logto's events, deduplicated.
fn hook_events(events: &Value) -> Result<Vec<String>, Reply> {
    let Some(list) = events.as_array().filter(|list| !list.is_empty()) else {
        return Err(invalid_input("`events` must be a non-empty array."));
    };
    let mut events: Vec<String> = Vec::new();
    for event in list {
        match event.as_str() {
            Some(event) if LOGTO_HOOK_EVENTS.contains(&event) => {
                if !events.iter().any(|e| e == event) {
                    events.push(event.to_owned());
                }
            }
            _ => return Err(invalid_input("`events` holds an unknown hook event.")),
        }
    }
    Ok(events)
}

/// `config` as Logto's guard takes it: an object with a string `url`.
fn hook_config(config: &Value) -> Result<Value, Reply> {
    if config["url"].is_string() {
        Ok(config.clone())
    } else {
        Err(invalid_input("`config.url` must be a string."))
    }
}

#[get("/api/hooks?<page>&<page_size>")]
fn list_hooks(
    data: &State<Shared>,
    authorization: Authorization,
    page: Option<&str>,
    page_size: Option<&str>,
) -> Reply {
    let data = lock(data);
    if let Err(reply) = authorize(&data, &authorization) {
        return reply;
    }
    let hooks = data.hooks.iter().map(FakeHook::json).collect();
    // Logto's pagination is optional here: without `page` and `page_size`, every hook.
    if page.is_none() && page_size.is_none() {
        return Reply::json(Status::Ok, Value::Array(hooks));
    }
    match pagination(page, page_size) {
        Ok((page, size)) => paged(hooks, page, size),
        Err(reply) => reply,
    }
}

#[post("/api/hooks", data = "<body>")]
fn create_hook(data: &State<Shared>, authorization: Authorization, body: String) -> Reply {
    let mut data = lock(data);
    if let Err(reply) = authorize(&data, &authorization) {
        return reply;
    }
    if data
        .hooks_limit
        .is_some_and(|limit| data.hooks.len() >= limit)
    {
        return Reply::json(
            Status::Forbidden,
            json!({
                "message": "You have reached the maximum limit of your plan.",
                "code": "subscription.limit_exceeded",
                "data": { "key": "hooksLimit" },
            }),
        );
    }
    let body = match json_body(&body) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    if body.get("events").is_none() && body.get("event").is_none() {
        return Reply::error(
            Status::BadRequest,
            "hook.missing_events",
            "You need to provide at least one event.",
        );
    }
    let created = hook_events(&body["events"]).and_then(|events| {
        let config = hook_config(&body["config"])?;
        let name = body["name"].as_str().unwrap_or_default();
        let enabled = body["enabled"].as_bool().unwrap_or(true);
        Ok(data.add_hook(name, events, config, enabled))
    });
    match created {
        Ok(hook) => Reply::json(Status::Created, hook.json()),
        Err(reply) => reply,
    }
}

#[patch("/api/hooks/<id>", data = "<body>")]
fn update_hook(
    data: &State<Shared>,
    authorization: Authorization,
    id: &str,
    body: String,
) -> Reply {
    let mut data = lock(data);
    if let Err(reply) = authorize(&data, &authorization) {
        return reply;
    }
    let body = match json_body(&body) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let events = match body.get("events").map(hook_events).transpose() {
        Ok(events) => events,
        Err(reply) => return reply,
    };
    // Logto replaces `config` whole (`updateHookById(id, body, 'replace')`).
    let config = match body.get("config").map(hook_config).transpose() {
        Ok(config) => config,
        Err(reply) => return reply,
    };
    let Some(hook) = data.hooks.iter_mut().find(|h| h.id == id) else {
        return not_found("hook", id);
    };
    if let Some(name) = body["name"].as_str() {
        hook.name = name.to_owned();
    }
    if let Some(enabled) = body["enabled"].as_bool() {
        hook.enabled = enabled;
    }
    hook.events = events.unwrap_or_else(|| hook.events.clone());
    hook.config = config.unwrap_or_else(|| hook.config.clone());
    Reply::json(Status::Ok, hook.json())
}

#[catch(default)]
fn default_catcher(status: Status, _: &Request<'_>) -> Reply {
    Reply::error(status, "request.general", "The request failed.")
}
