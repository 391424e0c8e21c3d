//! The acting party of a delegated token: RFC 8693's `act` claim, which Logto's token exchange
//! (impersonation) sets to `{"sub": "<the acting user>"}`.

use std::fmt;

use crate::support::str_heap_bytes;

/// Who acts on behalf of the token's subject: `act.sub`, and the actor before it when the
/// token was delegated more than once (RFC 8693 §4.1, a nested `act`).
///
/// Logto's impersonation gives a token for user B whose `act` is user A, the one acting; its
/// `Debug` never shows the id, so that it stays out of logs.
///
/// ```
/// # #[cfg(feature = "testing")]
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use logto_guard::testing::TestIssuer;
/// use logto_guard::Validator;
///
/// let issuer = TestIssuer::start().await;
/// let validator = Validator::new(issuer.config())?;
/// let token = issuer.token().subject("user-b").actor("user-a").sign();
/// let token = validator.validate(&token).await?;
/// assert_eq!(token.subject(), Some("user-b"));
/// assert_eq!(token.actor().map(|actor| actor.subject()), Some("user-a"));
/// # Ok(()) }
/// # #[cfg(feature = "testing")]
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Actor {
    subject: Box<str>,
    prior: Option<Box<Actor>>,
}

impl Actor {
    pub(crate) fn new(subject: Box<str>, prior: Option<Self>) -> Self {
        Self {
            subject,
            prior: prior.map(Box::new),
        }
    }

    /// `act.sub`: the acting party (a Logto user id for impersonation).
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The actor this one acted for in turn (a nested `act`), if the token was delegated
    /// more than once.
    #[must_use]
    pub fn prior(&self) -> Option<&Actor> {
        self.prior.as_deref()
    }

    /// The heap memory this actor chain holds, with the allocator's overhead.
    pub(crate) fn heap_bytes(&self) -> usize {
        str_heap_bytes(&self.subject)
            + self.prior.as_ref().map_or(0, |prior| {
                std::mem::size_of::<Self>() + crate::support::PER_ALLOCATION + prior.heap_bytes()
            })
    }
}

impl fmt::Debug for Actor {
    /// Never the id: only how deep the delegation goes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let depth = std::iter::successors(Some(self), |actor| actor.prior()).count();
        f.debug_struct("Actor")
            .field("delegations", &depth)
            .finish_non_exhaustive()
    }
}
