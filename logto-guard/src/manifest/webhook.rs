//! The Logto webhook that feeds revocation: `sync --webhook` finds it, creates it, or brings it
//! up to date, through `/api/hooks`.
//!
//! Logto (`packages/core/src/routes/hook.ts`): `GET /api/hooks` lists every hook, signing key
//! included; `POST /api/hooks` takes `{name, events, config: {url, headers?}, enabled?}`,
//! generates the signing key itself and answers 201 with the whole hook, key included;
//! `PATCH /api/hooks/{id}` takes any of those fields and replaces `config` whole;
//! `PATCH /api/hooks/{id}/signing-key` regenerates the key (never called here).

use std::collections::BTreeSet;
use std::fmt;

use serde_json::json;

use super::management::{Management, RemoteHook, SyncError};
use crate::revocation::HOOK_EVENTS;

/// What would make Logto's webhook for revocation send exactly
/// [`HOOK_EVENTS`](crate::revocation::HOOK_EVENTS) to one URL, enabled: made by
/// [`Management::plan_webhook`], carried out by [`Management::apply_webhook`].
///
/// The webhook is the one whose URL is the wanted URL, else the one with the wanted name (the
/// URL changed); with neither, it is created. Its `Display` is what `sync --webhook` prints.
#[derive(Debug, Clone)]
pub struct WebhookPlan {
    name: String,
    url: String,
    change: Change,
}

/// What the plan does to Logto.
#[derive(Debug, Clone)]
enum Change {
    /// No such webhook: create it.
    Create,
    /// This webhook differs from what is wanted: update it.
    Update(RemoteHook),
    /// This webhook is as wanted.
    Nothing(RemoteHook),
}

impl WebhookPlan {
    /// The plan for the webhook `name` sending to `url`, given Logto's webhooks.
    fn compute(name: &str, url: &str, hooks: &[RemoteHook]) -> Result<Self, SyncError> {
        let change = match ours(name, url, hooks)? {
            None => Change::Create,
            Some(hook) if differences(name, url, hook).is_empty() => Change::Nothing(hook.clone()),
            Some(hook) => Change::Update(hook.clone()),
        };
        Ok(Self {
            name: name.to_owned(),
            url: url.to_owned(),
            change,
        })
    }

    /// Whether Logto's webhook is already as wanted.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        matches!(self.change, Change::Nothing(_))
    }

    /// The Logto id of the webhook the plan updates or leaves alone; `None` when it creates
    /// one.
    #[must_use]
    pub fn hook_id(&self) -> Option<&str> {
        match &self.change {
            Change::Create => None,
            Change::Update(hook) | Change::Nothing(hook) => Some(&hook.id),
        }
    }

    /// The webhook's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The URL it sends to.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl fmt::Display for WebhookPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, url) = (&self.name, &self.url);
        match &self.change {
            Change::Create => writeln!(
                f,
                "Webhook: 1 change:\n  + create webhook {name:?}: POST {url} on {}",
                HOOK_EVENTS.join(", ")
            ),
            Change::Update(hook) => writeln!(
                f,
                "Webhook: 1 change:\n  ~ update webhook {name:?} (id {}): {}",
                hook.id,
                differences(name, url, hook).join("; ")
            ),
            Change::Nothing(hook) => writeln!(
                f,
                "Webhook {name:?} (id {}) already sends the revocation events to {url}: nothing to \
                 change.",
                hook.id
            ),
        }
    }
}

/// The signing key Logto generated for a webhook it just created: what the API's
/// `webhook_signing_key` (`LOGTO_WEBHOOK_SIGNING_KEY`) must be. `Debug` does not show it;
/// [`reveal`](Self::reveal) does, for the one place that must.
pub struct WebhookSigningKey(String);

impl WebhookSigningKey {
    /// The key itself.
    #[must_use]
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WebhookSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSigningKey(redacted)")
    }
}

impl Management {
    /// What would make Logto's webhook `name` send
    /// [`HOOK_EVENTS`](crate::revocation::HOOK_EVENTS) to `url`, from Logto's webhooks
    /// (`GET /api/hooks`); changes nothing.
    ///
    /// # Errors
    ///
    /// When reading from Logto fails, or when several webhooks send to `url` (or, none
    /// sending there, several are named `name`): [`SyncError::AmbiguousWebhook`].
    pub async fn plan_webhook(&self, name: &str, url: &str) -> Result<WebhookPlan, SyncError> {
        let hooks = self.hooks().await?;
        WebhookPlan::compute(name, url, &hooks)
    }

    /// Carries out `plan`: creates the webhook (`POST /api/hooks`) and returns the signing key
    /// Logto generated for it, which Logto will not send again unasked; or updates it
    /// (`PATCH /api/hooks/{id}`: name, events, URL, enabled, its other `config` kept) and
    /// returns `None`, the key unchanged; or does nothing.
    ///
    /// # Errors
    ///
    /// When Logto refuses the change.
    pub async fn apply_webhook(
        &self,
        plan: &WebhookPlan,
    ) -> Result<Option<WebhookSigningKey>, SyncError> {
        let name = plan.name.as_str();
        match &plan.change {
            Change::Nothing(_) => Ok(None),
            Change::Create => {
                let body = json!({
                    "name": name,
                    "events": HOOK_EVENTS,
                    "config": { "url": plan.url },
                    "enabled": true,
                });
                let created = self.create_hook(body).await?;
                tracing::info!(webhook = name, id = %created.id, "created the webhook in Logto");
                Ok(Some(WebhookSigningKey(created.signing_key)))
            }
            Change::Update(hook) => {
                let body = json!({
                    "name": name,
                    "events": HOOK_EVENTS,
                    "config": hook.config.with_url(&plan.url),
                    "enabled": true,
                });
                self.update_hook(&hook.id, body).await?;
                tracing::info!(webhook = name, id = %hook.id, "updated the webhook in Logto");
                Ok(None)
            }
        }
    }
}

/// The webhook `sync` manages: the one sending to `url`, else the one named `name` if it sends to
/// the same host (one on another host may be another deployment's: an error) and no event
/// besides revocation's (else it is another integration's: an error).
fn ours<'a>(
    name: &str,
    url: &str,
    hooks: &'a [RemoteHook],
) -> Result<Option<&'a RemoteHook>, SyncError> {
    let by_url: Vec<&RemoteHook> = hooks.iter().filter(|h| h.config.url() == url).collect();
    let found_by_name = by_url.is_empty();
    let (found, candidates) = if found_by_name {
        let by_name = hooks.iter().filter(|h| h.name == name).collect();
        (format!("named {name:?}"), by_name)
    } else {
        (format!("that send to {url}"), by_url)
    };
    match candidates.as_slice() {
        [] => Ok(None),
        // One found by its URL is on the same host by definition, and sends to this API's route.
        [hook] if !same_host(hook.config.url(), url) => Err(SyncError::WebhookOfAnotherHost {
            name: name.to_owned(),
            origin: origin_of(hook.config.url()),
        }),
        [hook] if found_by_name && !sends_only_revocation_events(hook) => {
            Err(SyncError::WebhookOfOtherEvents {
                name: name.to_owned(),
                events: hook.events.join(", "),
                origin: origin_of(hook.config.url()),
            })
        }
        [hook] => Ok(Some(hook)),
        several => Err(SyncError::AmbiguousWebhook {
            found,
            ids: several
                .iter()
                .map(|h| h.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// Whether `hook` sends no event besides [`HOOK_EVENTS`].
fn sends_only_revocation_events(hook: &RemoteHook) -> bool {
    hook.events
        .iter()
        .all(|event| HOOK_EVENTS.contains(&event.as_str()))
}

/// Where another's webhook sends, as an error may show it: its origin, never its path or query,
/// where a receiver's secret may be (a Slack webhook's URL is its credential).
fn origin_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(url) if url.has_host() => url.origin().ascii_serialization(),
        _ => "a URL that is not shown".to_owned(),
    }
}

/// Whether two URLs name the same scheme, host and port: a webhook found by its name moves to
/// another path of its host only.
fn same_host(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

/// How `hook` differs from the webhook `name` sending [`HOOK_EVENTS`] to `url`, enabled, each
/// as printed in a plan; empty when it does not.
fn differences(name: &str, url: &str, hook: &RemoteHook) -> Vec<String> {
    let mut differences = Vec::new();
    if hook.name != name {
        differences.push(format!("name {:?} -> {name:?}", hook.name));
    }
    if hook.config.url() != url {
        differences.push(format!("url {:?} -> {url:?}", hook.config.url()));
    }
    let events: BTreeSet<&str> = hook.events.iter().map(String::as_str).collect();
    if events != BTreeSet::from(HOOK_EVENTS) {
        differences.push(format!(
            "events [{}] -> [{}]",
            hook.events.join(", "),
            HOOK_EVENTS.join(", ")
        ));
    }
    if !hook.enabled {
        differences.push("enable it (Logto sends nothing to a disabled webhook)".to_owned());
    }
    differences
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://api.example.com/logto/webhook";
    const NAME: &str = "logto-guard revocation (app)";

    fn hook(id: &str, name: &str, url: &str, events: &[&str]) -> RemoteHook {
        serde_json::from_value(json!({
            "tenantId": "default", "id": id, "name": name, "event": null, "events": events,
            "config": {"url": url, "headers": {"x-api-key": "kept"}},
            "signingKey": "never-kept", "enabled": true, "createdAt": 1_700_000_000_000_u64,
        }))
        .expect("Logto's hook shape")
    }

    #[test]
    fn no_webhook_of_ours_is_created() {
        let other = hook(
            "h1",
            "Someone else's",
            "https://other.example.com",
            &["User.Created"],
        );
        let plan = WebhookPlan::compute(NAME, URL, &[other]).expect("plan");
        assert_eq!(plan.hook_id(), None);
        assert_eq!(
            plan.to_string(),
            "Webhook: 1 change:\n  + create webhook \"logto-guard revocation (app)\": POST \
             https://api.example.com/logto/webhook on User.SuspensionStatus.Updated, \
             User.Deleted, Organization.Membership.Updated, Organization.Deleted\n"
        );
    }

    #[test]
    fn the_same_events_in_another_order_change_nothing() {
        let mut events = HOOK_EVENTS;
        events.reverse();
        let plan = WebhookPlan::compute(NAME, URL, &[hook("h1", NAME, URL, &events)]).expect("ok");
        assert!(plan.is_empty());
        assert_eq!(
            plan.to_string(),
            "Webhook \"logto-guard revocation (app)\" (id h1) already sends the revocation events \
             to https://api.example.com/logto/webhook: nothing to change.\n"
        );
    }

    #[test]
    fn a_webhook_found_by_url_is_renamed_completed_and_enabled() {
        let mut found = hook("h1", "Revocation", URL, &["User.Deleted"]);
        found.enabled = false;
        let plan = WebhookPlan::compute(NAME, URL, &[found]).expect("plan");
        assert_eq!(plan.hook_id(), Some("h1"));
        assert_eq!(
            plan.to_string(),
            "Webhook: 1 change:\n  ~ update webhook \"logto-guard revocation (app)\" (id h1): name \
             \"Revocation\" -> \"logto-guard revocation (app)\"; events [User.Deleted] -> \
             [User.SuspensionStatus.Updated, User.Deleted, Organization.Membership.Updated, \
             Organization.Deleted]; enable it (Logto sends nothing to a disabled webhook)\n"
        );
    }

    #[test]
    fn a_webhook_found_by_name_gets_the_new_url_and_keeps_its_headers() {
        let old = hook(
            "h1",
            NAME,
            "https://api.example.com/old/logto/webhook",
            &HOOK_EVENTS,
        );
        let plan = WebhookPlan::compute(NAME, URL, &[old]).expect("plan");
        let Change::Update(found) = &plan.change else {
            panic!("an update: {plan}");
        };
        assert_eq!(
            found.config.with_url(URL),
            json!({"url": URL, "headers": {"x-api-key": "kept"}})
        );
        assert!(
            plan.to_string().ends_with(
                "(id h1): url \"https://api.example.com/old/logto/webhook\" -> \
                 \"https://api.example.com/logto/webhook\"\n"
            ),
            "{plan}"
        );
        // The headers may be credentials: never in `Debug`.
        assert!(!format!("{plan:?}").contains("kept"), "{plan:?}");
    }

    #[test]
    fn a_webhook_of_its_name_on_another_host_is_an_error_not_a_move() {
        let theirs = hook(
            "h1",
            NAME,
            "https://billing.example.net/logto/webhook",
            &HOOK_EVENTS,
        );
        let error = WebhookPlan::compute(NAME, URL, &[theirs]).expect_err("not ours to move");
        assert!(
            matches!(error, SyncError::WebhookOfAnotherHost { ref origin, .. } if origin == "https://billing.example.net"),
            "{error}"
        );
    }

    #[test]
    fn a_webhook_of_its_name_for_other_events_is_an_error_not_a_takeover() {
        let console = hook(
            "h1",
            "Orders",
            "https://api.example.com/hooks/orders?secret=s3cret",
            &["User.Created", "User.Deleted"],
        );
        let error = WebhookPlan::compute("Orders", URL, &[console]).expect_err("not ours");
        assert_eq!(
            error.to_string(),
            "Logto's webhook \"Orders\" sends User.Created, User.Deleted to \
             https://api.example.com, events that revocation does not use: it is another \
             integration's, so sync does not take it over; give this API's webhook a name that \
             no other webhook has, with --webhook-name"
        );
        // Found by its URL, it sends to this API's route: completed, whatever it sent.
        let at_our_url = hook("h1", "Orders", URL, &["User.Created"]);
        let plan = WebhookPlan::compute("Orders", URL, &[at_our_url]).expect("ours");
        assert_eq!(plan.hook_id(), Some("h1"));
    }

    #[test]
    fn several_candidates_are_an_error_naming_them() {
        let hooks = [
            hook("h1", "a", URL, &HOOK_EVENTS),
            hook("h2", "b", URL, &HOOK_EVENTS),
            hook("h3", NAME, "https://elsewhere.example.com", &HOOK_EVENTS),
        ];
        let error = WebhookPlan::compute(NAME, URL, &hooks).expect_err("two send to URL");
        assert_eq!(
            error.to_string(),
            "Logto has several webhooks that send to https://api.example.com/logto/webhook (ids \
             h1, h2), and sync manages exactly one, so it cannot tell which is this API's: delete \
             all but one in Logto Console > Webhooks, then run sync again"
        );
        let named = [
            hook("h1", NAME, "https://one.example.com", &HOOK_EVENTS),
            hook("h2", NAME, "https://two.example.com", &HOOK_EVENTS),
        ];
        let error = WebhookPlan::compute(NAME, URL, &named).expect_err("two named NAME");
        assert!(
            error.to_string().starts_with(
                "Logto has several webhooks named \"logto-guard revocation (app)\" (ids h1, h2)"
            ),
            "{error}"
        );
    }

    #[test]
    fn the_signing_key_is_not_in_debug() {
        let key = WebhookSigningKey("secret-key".to_owned());
        assert_eq!(format!("{key:?}"), "WebhookSigningKey(redacted)");
        assert_eq!(key.reveal(), "secret-key");
    }
}
