//! Receiving Logto's webhook: `POST <webhook_path>`, mounted by the fairing once a signing key
//! is configured. The work is [`Validator::receive_webhook`]'s; this reads the request.

use rocket::data::{Data, ToByteUnit as _};
use rocket::http::{ContentType, Method, Status};
use rocket::route::{self, Handler};
use rocket::{Request, Route};

use super::state::GuardState;
use crate::revocation::{MAX_WEBHOOK_BYTES, SIGNATURE_HEADER, WebhookError};
use crate::validate::Validator;

/// The route, at `path` (checked by [`Config::check`](crate::Config::check)), named as the
/// library's own so that the route audit leaves it out.
pub(crate) fn routes(path: &str) -> Vec<Route> {
    let mut route = Route::new(Method::Post, path, Receive);
    route.name = Some(super::own_route_name("webhook"));
    vec![route]
}

#[derive(Clone)]
struct Receive;

#[rocket::async_trait]
impl Handler for Receive {
    async fn handle<'r>(&self, request: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        let Some(state) = request.rocket().state::<GuardState>() else {
            return answer(request, Err(WebhookError::NotConfigured));
        };
        answer(request, receive(state.validator(), request, data).await)
    }
}

async fn receive(
    validator: &Validator,
    request: &Request<'_>,
    data: Data<'_>,
) -> Result<crate::revocation::WebhookOutcome, WebhookError> {
    // One byte past the limit tells a body of exactly the limit from a longer one.
    let body = match data
        .open((MAX_WEBHOOK_BYTES + 1).bytes())
        .into_bytes()
        .await
    {
        Ok(body) if body.is_complete() && body.len() <= MAX_WEBHOOK_BYTES => body,
        Ok(_) => return Err(validator.refuse_webhook(WebhookError::TooLarge)),
        Err(_) => {
            return Err(
                validator.refuse_webhook(WebhookError::Malformed("the body could not be read"))
            );
        }
    };
    let mut signatures = request.headers().get(SIGNATURE_HEADER);
    let signature = match (signatures.next(), signatures.next()) {
        (None, _) => None,
        (Some(signature), None) => Some(signature),
        // Two signatures: neither can be the one Logto sent.
        (Some(_), Some(_)) => return Err(validator.refuse_webhook(WebhookError::BadSignature)),
    };
    validator.receive_webhook(signature, &body).await
}

fn answer<'r>(
    request: &'r Request<'_>,
    outcome: Result<crate::revocation::WebhookOutcome, WebhookError>,
) -> route::Outcome<'r> {
    let (status, body) = match outcome {
        Ok(outcome) => (outcome.status(), outcome.body()),
        Err(error) => (error.status(), error.body()),
    };
    let status = Status::from_code(status).unwrap_or(Status::InternalServerError);
    route::Outcome::from(request, (status, (ContentType::JSON, body)))
}
