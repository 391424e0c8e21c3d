//! Whom the API trusts when it starts: the configured Logto, or in development mode an issuer
//! embedded in the process, whose key the process itself holds. Development mode is never a
//! fallback for a missing configuration where the API could be production: it starts by itself
//! only in a debug build bound to a loopback address, and otherwise only when asked for with
//! `--dev`. The decision is a pure function of [`Launch`], so every case is unit-tested,
//! including the release build that tests do not compile.

use std::fmt;
use std::net::IpAddr;

/// The command-line flag that asks for development mode on purpose.
pub const DEV_FLAG: &str = "--dev";

/// What decides how the API starts, read once at startup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Launch {
    /// A Logto is configured: `LOGTO_ENDPOINT`, or `endpoint` / `issuer` in the `logto` table
    /// of Rocket's configuration (custom domains or extra issuers alone count too, so that
    /// their missing endpoint is reported rather than development mode started).
    pub logto_configured: bool,
    /// [`DEV_FLAG`] was given.
    pub dev_flag: bool,
    /// The address Rocket binds (`ROCKET_ADDRESS`, Rocket.toml; 127.0.0.1 by default).
    pub address: IpAddr,
    /// A debug build: `cfg!(debug_assertions)`.
    pub debug_build: bool,
    /// The embedded development issuer is compiled in: `cfg!(feature = "dev")`.
    pub dev_compiled: bool,
}

/// How the API starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// It trusts the configured Logto.
    Logto,
    /// Development mode: an embedded issuer signs tokens, printed ready to use.
    Development(DevelopmentReason),
}

/// Why development mode runs, for its banner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevelopmentReason {
    /// [`DEV_FLAG`] asked for it.
    Flag,
    /// Nothing is configured, in a debug build bound to a loopback address.
    DebugBuildOnLoopback,
}

impl fmt::Display for DevelopmentReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Flag => "asked for with --dev",
            Self::DebugBuildOnLoopback => "a debug build on a loopback address",
        })
    }
}

/// Why the API refuses to start; its `Display` says what to set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No Logto is configured, and development mode does not start by itself here.
    NoLogto(NotHere),
    /// No Logto is configured, and this build has no development mode.
    NoLogtoNorDevelopmentMode,
    /// [`DEV_FLAG`] was given to a build without development mode.
    DevelopmentModeNotCompiled,
    /// [`DEV_FLAG`] was given although a Logto is configured: which one to trust is unclear.
    DevelopmentModeAndLogto,
}

/// Why development mode does not start by itself where the API was launched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotHere {
    /// A release build.
    ReleaseBuild,
    /// Rocket binds this address, which is not loopback.
    Exposed(IpAddr),
    /// A release build, and Rocket binds this address, which is not loopback.
    ReleaseBuildExposed(IpAddr),
}

impl fmt::Display for NotHere {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ReleaseBuild => f.write_str("this is a release build"),
            Self::Exposed(address) => write!(f, "{address} is not a loopback address"),
            Self::ReleaseBuildExposed(address) => {
                write!(f, "this is a release build bound to {address}")
            }
        }
    }
}

/// What to set, at the end of every refusal that lacks a Logto.
const SET_LOGTO: &str = "Set LOGTO_ENDPOINT=https://<tenant-id>.logto.app (or `endpoint` in the \
                         `logto` table of Rocket.toml) to trust your Logto";

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("orders-api will not start: ")?;
        match self {
            Self::NoLogto(here) => write!(
                f,
                "no Logto is configured, and development mode starts by itself only in a \
                     debug build bound to a loopback address, but {here}. {SET_LOGTO}, or pass \
                     {DEV_FLAG} to run the embedded development issuer on purpose."
            ),
            Self::NoLogtoNorDevelopmentMode => write!(
                f,
                "no Logto is configured, and this build has no development mode (it was built \
                 without the `dev` feature). {SET_LOGTO}."
            ),
            Self::DevelopmentModeNotCompiled => write!(
                f,
                "{DEV_FLAG} asks for the embedded development issuer, which this build does not \
                 have (it was built without the `dev` feature). {SET_LOGTO} instead, or rebuild \
                 with the default features."
            ),
            Self::DevelopmentModeAndLogto => write!(
                f,
                "{DEV_FLAG} asks for the embedded development issuer, but a Logto is configured \
                 (LOGTO_ENDPOINT or the `logto` table of Rocket's configuration). Drop {DEV_FLAG} \
                 to trust that Logto, or remove its configuration to develop with the embedded \
                 issuer."
            ),
        }
    }
}

impl std::error::Error for Refusal {}

impl Launch {
    /// How the API starts, or why it must not.
    ///
    /// ```
    /// use std::net::{IpAddr, Ipv4Addr};
    /// use orders_api::launch::{DevelopmentReason, Launch, Mode};
    ///
    /// let newcomer = Launch {
    ///     logto_configured: false,
    ///     dev_flag: false,
    ///     address: IpAddr::V4(Ipv4Addr::LOCALHOST),
    ///     debug_build: true,
    ///     dev_compiled: true,
    /// };
    /// assert_eq!(newcomer.mode(), Ok(Mode::Development(DevelopmentReason::DebugBuildOnLoopback)));
    /// let release = Launch { debug_build: false, ..newcomer };
    /// assert!(release.mode().is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// A [`Refusal`] when no Logto is configured and development mode may not start, or when
    /// [`DEV_FLAG`] cannot be honoured.
    pub fn mode(&self) -> Result<Mode, Refusal> {
        match (self.logto_configured, self.dev_flag) {
            (true, false) => Ok(Mode::Logto),
            (true, true) => Err(Refusal::DevelopmentModeAndLogto),
            (false, true) if !self.dev_compiled => Err(Refusal::DevelopmentModeNotCompiled),
            (false, true) => Ok(Mode::Development(DevelopmentReason::Flag)),
            (false, false) if !self.dev_compiled => Err(Refusal::NoLogtoNorDevelopmentMode),
            (false, false) => match (self.debug_build, is_loopback(self.address)) {
                (true, true) => Ok(Mode::Development(DevelopmentReason::DebugBuildOnLoopback)),
                (true, false) => Err(Refusal::NoLogto(NotHere::Exposed(self.address))),
                (false, true) => Err(Refusal::NoLogto(NotHere::ReleaseBuild)),
                (false, false) => Err(Refusal::NoLogto(NotHere::ReleaseBuildExposed(self.address))),
            },
        }
    }
}

/// Whether only this machine can reach `address` (an IPv4-mapped IPv6 address counts as its
/// IPv4 address).
fn is_loopback(address: IpAddr) -> bool {
    address.to_canonical().is_loopback()
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr};

    use super::*;

    const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
    const EVERYWHERE: IpAddr = IpAddr::V4(Ipv4Addr::UNSPECIFIED);

    /// `cargo run -p orders-api` with nothing configured.
    const NEWCOMER: Launch = Launch {
        logto_configured: false,
        dev_flag: false,
        address: LOOPBACK,
        debug_build: true,
        dev_compiled: true,
    };

    #[test]
    fn a_debug_build_on_loopback_without_logto_is_development_mode() {
        let development = Ok(Mode::Development(DevelopmentReason::DebugBuildOnLoopback));
        assert_eq!(NEWCOMER.mode(), development);
        for address in [
            IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
            IpAddr::V6(Ipv4Addr::LOCALHOST.to_ipv6_mapped()),
        ] {
            assert_eq!(
                Launch {
                    address,
                    ..NEWCOMER
                }
                .mode(),
                development,
                "{address}"
            );
        }
    }

    #[test]
    fn a_release_build_without_logto_refuses_and_says_what_to_set() {
        let release = Launch {
            debug_build: false,
            ..NEWCOMER
        };
        let refusal = release.mode().expect_err("release");
        assert_eq!(refusal, Refusal::NoLogto(NotHere::ReleaseBuild));
        assert_eq!(
            refusal.to_string(),
            "orders-api will not start: no Logto is configured, and development mode starts by \
             itself only in a debug build bound to a loopback address, but this is a release \
             build. Set LOGTO_ENDPOINT=https://<tenant-id>.logto.app (or `endpoint` in the \
             `logto` table of Rocket.toml) to trust your Logto, or pass --dev to run the \
             embedded development issuer on purpose."
        );
        let exposed = Launch {
            address: EVERYWHERE,
            ..release
        };
        assert!(
            exposed
                .mode()
                .expect_err("release on 0.0.0.0")
                .to_string()
                .contains("but this is a release build bound to 0.0.0.0. Set LOGTO_ENDPOINT=")
        );
    }

    #[test]
    fn a_non_loopback_address_without_logto_refuses_and_says_what_to_set() {
        for address in [
            EVERYWHERE,
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 7)),
            IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        ] {
            let refusal = Launch {
                address,
                ..NEWCOMER
            }
            .mode()
            .expect_err("exposed");
            assert_eq!(
                refusal.to_string(),
                format!(
                    "orders-api will not start: no Logto is configured, and development mode \
                     starts by itself only in a debug build bound to a loopback address, but \
                     {address} is not a loopback address. Set \
                     LOGTO_ENDPOINT=https://<tenant-id>.logto.app (or `endpoint` in the `logto` \
                     table of Rocket.toml) to trust your Logto, or pass --dev to run the \
                     embedded development issuer on purpose."
                )
            );
        }
    }

    #[test]
    fn the_flag_starts_development_mode_anywhere_the_issuer_is_compiled_in() {
        let flag = Launch {
            dev_flag: true,
            ..NEWCOMER
        };
        for (debug_build, address) in [(true, LOOPBACK), (false, LOOPBACK), (false, EVERYWHERE)] {
            let launch = Launch {
                debug_build,
                address,
                ..flag
            };
            assert_eq!(
                launch.mode(),
                Ok(Mode::Development(DevelopmentReason::Flag)),
                "{launch:?}"
            );
        }
        let without = Launch {
            dev_compiled: false,
            ..flag
        };
        assert_eq!(
            without.mode().expect_err("not compiled").to_string(),
            "orders-api will not start: --dev asks for the embedded development issuer, which \
             this build does not have (it was built without the `dev` feature). Set \
             LOGTO_ENDPOINT=https://<tenant-id>.logto.app (or `endpoint` in the `logto` table of \
             Rocket.toml) to trust your Logto instead, or rebuild with the default features."
        );
    }

    #[test]
    fn a_configured_logto_is_trusted_and_never_mixed_with_the_flag() {
        for (debug_build, address) in [(true, LOOPBACK), (false, EVERYWHERE)] {
            let configured = Launch {
                logto_configured: true,
                debug_build,
                address,
                ..NEWCOMER
            };
            assert_eq!(configured.mode(), Ok(Mode::Logto));
            let both = Launch {
                dev_flag: true,
                ..configured
            };
            assert_eq!(
                both.mode().expect_err("both").to_string(),
                "orders-api will not start: --dev asks for the embedded development issuer, but \
                 a Logto is configured (LOGTO_ENDPOINT or the `logto` table of Rocket's \
                 configuration). Drop --dev to trust that Logto, or remove its configuration to \
                 develop with the embedded issuer."
            );
        }
    }

    #[test]
    fn a_build_without_the_dev_feature_never_runs_development_mode() {
        let production = Launch {
            dev_compiled: false,
            ..NEWCOMER
        };
        assert_eq!(
            production.mode().expect_err("no dev").to_string(),
            "orders-api will not start: no Logto is configured, and this build has no \
             development mode (it was built without the `dev` feature). Set \
             LOGTO_ENDPOINT=https://<tenant-id>.logto.app (or `endpoint` in the `logto` table of \
             Rocket.toml) to trust your Logto."
        );
        let configured = Launch {
            logto_configured: true,
            ..production
        };
        assert_eq!(configured.mode(), Ok(Mode::Logto));
    }
}
