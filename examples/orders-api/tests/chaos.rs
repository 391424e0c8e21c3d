//! Chaos under load: four clients keep sending valid, expired, forged and rotated-out tokens to
//! `orders-api` for 20 seconds while the `oidc-provider` issuer rotates its keys (immediately
//! and staged), answers its JWKS late, answers garbage, goes down and comes back with new
//! keys. Every response is judged against what the issuer was doing when it was sent.
//!
//! Needs Node with npm, like `oidc_provider.rs`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use logto_guard_tests::{NodeIssuer, launch_rocket_binary, node_issuer_available, with_kid};
use reqwest::StatusCode;

const BINARY: &str = env!("CARGO_BIN_EXE_orders-api");
const API: &str = "https://api.example.com";
const LOAD: Duration = Duration::from_secs(20);
/// How long a key must have been published, with the JWKS answering normally, before its
/// tokens must be accepted; and how long after it left before they must be refused. It covers
/// a refresh (`keys_max_age` 1 s), a hold (at most `unknown_kid_cooldown`, 1 s) and slack for a
/// loaded machine.
const SETTLE: Duration = Duration::from_secs(3);
/// The API's key cache: short enough that a test of 20 s sees many refreshes; `keys_max_stale`
/// outlasts every outage here, so keys are never dropped and no request may get 503.
const LOGTO_TABLE: &str = "{unknown_kid_cooldown=1, keys_max_age=1, keys_max_stale=60, \
     failed_fetch_backoff=0.2, fetch_timeout=0.5, leeway=0, token_cache_bytes=1048576}";

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    Valid,
    Expired,
    Forged,
    RotatedOut,
}

/// What the issuer did, as the clients need to judge an answer.
#[derive(Default)]
struct Timeline {
    /// The token of the signing key, and that key.
    current: Option<(String, String)>,
    /// When each published `kid` was first seen published.
    published_since: HashMap<String, Instant>,
    /// When each `kid` left the published set, with a token it signed.
    retired: HashMap<String, (Instant, String)>,
    /// While a JWKS fault or an outage runs: since when; after it: when it ended.
    fault: Option<Instant>,
    fault_ended: Option<Instant>,
}

impl Timeline {
    fn quiet_since(&self, at: Instant) -> bool {
        self.fault.is_none() && self.fault_ended.is_none_or(|end| end + SETTLE <= at)
    }

    /// A token of a key that must be accepted at `at`.
    fn settled_valid(&self, kid: &str, at: Instant) -> bool {
        self.quiet_since(at)
            && !self.retired.contains_key(kid)
            && self
                .published_since
                .get(kid)
                .is_some_and(|since| *since + SETTLE <= at)
    }

    /// A rotated-out token that must be refused at `at`.
    fn settled_retired(&self, kid: &str, at: Instant) -> bool {
        self.quiet_since(at)
            && self
                .retired
                .get(kid)
                .is_some_and(|(since, _)| *since + SETTLE <= at)
    }

    fn some_retired(&self, pick: usize) -> Option<(String, String)> {
        let mut retired: Vec<_> = self.retired.iter().collect();
        retired.sort_by_key(|(kid, _)| kid.as_str());
        let (kid, (_, token)) = retired.get(pick % retired.len().max(1))?;
        Some(((*kid).clone(), token.clone()))
    }
}

/// Reads the issuer's published keys into the timeline; mints a token of a new signing key.
async fn observe(
    issuer: &NodeIssuer,
    timeline: &Mutex<Timeline>,
    tokens: &mut HashMap<String, String>,
) {
    let (published, signer) = issuer.published_keys().await;
    if !tokens.contains_key(&signer) {
        tokens.insert(signer.clone(), issuer.token(API, &["read:orders"]).await);
    }
    let now = Instant::now();
    let mut timeline = timeline.lock().expect("timeline");
    for kid in &published {
        timeline.published_since.entry(kid.clone()).or_insert(now);
    }
    let gone: Vec<String> = timeline
        .published_since
        .keys()
        .filter(|kid| !published.contains(kid))
        .cloned()
        .collect();
    for kid in gone {
        timeline.published_since.remove(&kid);
        if let Some(token) = tokens.get(&kid) {
            timeline.retired.insert(kid, (now, token.clone()));
        }
    }
    timeline.current = tokens.get(&signer).map(|token| (signer, token.clone()));
}

#[derive(Default)]
struct Outcomes {
    counts: BTreeMap<(Kind, u16), u64>,
    violations: Vec<String>,
}

async fn client(
    base: String,
    timeline: Arc<Mutex<Timeline>>,
    expired: String,
    outcomes: Arc<Mutex<Outcomes>>,
    until: Instant,
    offset: usize,
) {
    let http = reqwest::Client::new();
    let mut n = offset;
    while Instant::now() < until {
        n += 1;
        let (kind, kid, token) = {
            let timeline = timeline.lock().expect("timeline");
            let (kid, valid) = timeline.current.clone().expect("a current token");
            match n % 4 {
                0 => (Kind::Valid, kid, valid),
                1 => (Kind::Expired, String::new(), expired.clone()),
                2 => (
                    Kind::Forged,
                    String::new(),
                    with_kid(&valid, &format!("forged-{n}")),
                ),
                _ => match timeline.some_retired(n) {
                    Some((kid, token)) => (Kind::RotatedOut, kid, token),
                    None => (Kind::Valid, kid, valid),
                },
            }
        };
        let sent = Instant::now();
        let response = http
            .get(format!("{base}/orders"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("orders-api answers");
        let status = response.status();
        let answered = Instant::now();
        let retry_after = response.headers().contains_key("retry-after");
        let mut problems = Vec::new();
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            problems.push("500".to_owned());
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            problems.push(format!("503 with keys held (Retry-After: {retry_after})"));
        }
        {
            let timeline = timeline.lock().expect("timeline");
            let must_accept =
                timeline.settled_valid(&kid, sent) && timeline.settled_valid(&kid, answered);
            let must_refuse = match kind {
                Kind::Expired | Kind::Forged => true,
                Kind::RotatedOut => timeline.settled_retired(&kid, sent),
                Kind::Valid => false,
            };
            if kind == Kind::Valid && must_accept && status != StatusCode::OK {
                problems.push(format!("a served key's token got {status}"));
            }
            if must_refuse && status == StatusCode::OK {
                problems.push(format!("a {kind:?} token was accepted"));
            }
        }
        let mut outcomes = outcomes.lock().expect("outcomes");
        *outcomes.counts.entry((kind, status.as_u16())).or_default() += 1;
        for problem in problems {
            outcomes
                .violations
                .push(format!("{:?} after start: {problem}", sent.elapsed()));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steady_load_through_rotations_outages_slow_and_garbage_answers() {
    if !node_issuer_available() {
        return;
    }
    let mut issuer = NodeIssuer::start().await;
    let port = issuer.port;
    let (app, base) = launch_rocket_binary(
        BINARY,
        &[
            ("LOGTO_ENDPOINT", &issuer.endpoint),
            ("ROCKET_LOGTO", LOGTO_TABLE),
        ],
    )
    .await;
    issuer.set_token_ttl(1).await;
    let expired = issuer.token(API, &["read:orders"]).await;
    issuer.set_token_ttl(3600).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let timeline = Arc::new(Mutex::new(Timeline::default()));
    let mut tokens = HashMap::new();
    observe(&issuer, &timeline, &mut tokens).await;
    let rss_before = app.rss_kib().unwrap_or_default();
    let outcomes = Arc::new(Mutex::new(Outcomes::default()));
    let until = Instant::now() + LOAD;
    let clients: Vec<_> = (0..4)
        .map(|offset| {
            tokio::spawn(client(
                base.clone(),
                Arc::clone(&timeline),
                expired.clone(),
                Arc::clone(&outcomes),
                until,
                offset,
            ))
        })
        .collect();

    let mut faults = Vec::new();
    let pause = |seconds: f64| tokio::time::sleep(Duration::from_secs_f64(seconds));
    let set_fault = |on: bool| {
        let mut timeline = timeline.lock().expect("timeline");
        if on {
            timeline.fault = Some(Instant::now());
        } else {
            timeline.fault = None;
            timeline.fault_ended = Some(Instant::now());
        }
    };
    let schedule = [
        "rotate EC",
        "slow",
        "staged RSA",
        "garbage",
        "down",
        "rotate EC",
        "staged EC",
    ];
    for fault in schedule {
        pause(1.5).await;
        faults.push(fault);
        match fault {
            "rotate EC" => drop(issuer.rotate("EC").await),
            "staged RSA" => drop(issuer.rotate_staged("RSA", 2).await),
            "staged EC" => drop(issuer.rotate_staged("EC", 2).await),
            "slow" => {
                set_fault(true);
                issuer.set_jwks_delay(Some(700)).await;
                pause(2.0).await;
                issuer.set_jwks_delay(None).await;
                set_fault(false);
            }
            "garbage" => {
                set_fault(true);
                issuer.set_jwks_garbage(true).await;
                pause(2.0).await;
                issuer.set_jwks_garbage(false).await;
                set_fault(false);
            }
            "down" => {
                set_fault(true);
                issuer.stop().await;
                pause(2.0).await;
                issuer = NodeIssuer::start_on(port).await;
                set_fault(false);
            }
            _ => unreachable!("{fault}"),
        }
        observe(&issuer, &timeline, &mut tokens).await;
    }
    while Instant::now() < until {
        pause(0.25).await;
        observe(&issuer, &timeline, &mut tokens).await;
    }
    for client in clients {
        client.await.expect("client");
    }
    let rss_after = app.rss_kib().unwrap_or_default();

    let outcomes = outcomes.lock().expect("outcomes");
    let requests: u64 = outcomes.counts.values().sum();
    println!(
        "chaos: {requests} requests, faults {faults:?}, outcomes (kind, status) → count: {:?}, \
         RSS {rss_before} → {rss_after} KiB",
        outcomes.counts
    );
    assert!(
        outcomes.violations.is_empty(),
        "{} violations, first: {:?}\noutcomes: {:?}\n{}",
        outcomes.violations.len(),
        &outcomes.violations[..outcomes.violations.len().min(10)],
        outcomes.counts,
        app.output()
    );
    let accepted_settled = outcomes
        .counts
        .get(&(Kind::Valid, 200))
        .copied()
        .unwrap_or(0);
    assert!(
        accepted_settled > 100,
        "too little load: {:?}",
        outcomes.counts
    );
    assert!(
        rss_after.saturating_sub(rss_before) < 64 * 1024,
        "RSS grew from {rss_before} to {rss_after} KiB with a 1 MiB token cache"
    );
}
