//! A route's own rule on a verified token, run after the built-in checks:
//! `#[requires(check = path::to::rule, ..)]`, for what scopes cannot say, such as a custom
//! claim that Logto's Custom JWT adds ("the `plan` claim is `gold`").

use std::fmt;

use crate::error::Denied;
use crate::token::AccessToken;

/// The signature of a custom check.
pub type CheckFn = fn(&AccessToken) -> Result<(), Denied>;

/// A custom check with the name it was written with (`"plans::gold"`), for the manifest and
/// the logs. `#[requires(check = plans::gold)]` makes one; a hand-written
/// [`Requirement`](crate::Requirement) sets
/// [`CUSTOM_CHECK`](crate::Requirement::CUSTOM_CHECK) to one.
///
/// ```
/// use logto_guard::{AccessToken, CustomCheck, Denied};
///
/// fn gold_plan(token: &AccessToken) -> Result<(), Denied> {
///     # let _ = token;
///     Err(Denied::new("this route needs the gold plan"))
/// }
///
/// const GOLD: CustomCheck = CustomCheck::new("gold_plan", gold_plan);
/// assert_eq!(GOLD.name(), "gold_plan");
/// ```
#[derive(Clone, Copy)]
pub struct CustomCheck {
    name: &'static str,
    check: CheckFn,
}

impl CustomCheck {
    /// The check `check`, named `name` (the path it is written with).
    #[must_use]
    pub const fn new(name: &'static str, check: CheckFn) -> Self {
        Self { name, check }
    }

    /// The name it was written with.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Runs the check on a verified token.
    pub fn run(&self, token: &AccessToken) -> Result<(), Denied> {
        (self.check)(token)
    }
}

impl PartialEq for CustomCheck {
    /// The same name and the same function.
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && std::ptr::fn_addr_eq(self.check, other.check)
    }
}

impl Eq for CustomCheck {}

impl fmt::Debug for CustomCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CustomCheck").field(&self.name).finish()
    }
}
