// The user guide, one page per topic: modules of documentation only, without items, as clap's
// `_derive::_tutorial`. Each page is a markdown file next to this one (the package ships
// `/src/**`, so docs.rs shows them), and every Rust block in it is a doctest. A page whose
// examples need features beyond the defaults takes part in `cargo test --doc` only when they
// are on (CI runs `--all-features`); `cargo doc` documents every page whatever the features.
#![doc = include_str!("index.md")]
// Without every feature, some pages link to items that do not exist (`testing::TestIssuer`,
// `okapi`, ...); docs.rs and CI build the docs with `--all-features`, where every link must
// resolve (`RUSTDOCFLAGS="-D warnings"`).
#![cfg_attr(
    not(all(
        feature = "testing",
        feature = "sync",
        feature = "prometheus",
        feature = "okapi",
        feature = "utoipa"
    )),
    allow(rustdoc::broken_intra_doc_links)
)]

#[doc = include_str!("getting-started.md")]
#[cfg(any(not(doctest), all(feature = "manifest", feature = "testing")))]
pub mod getting_started {}

#[doc = include_str!("routes.md")]
#[cfg(any(not(doctest), all(feature = "rocket", feature = "testing")))]
pub mod routes {}

#[doc = include_str!("organizations.md")]
#[cfg(any(not(doctest), all(feature = "rocket", feature = "testing")))]
pub mod organizations {}

#[doc = include_str!("configuration.md")]
#[cfg(any(not(doctest), feature = "rocket"))]
pub mod configuration {}

#[doc = include_str!("errors.md")]
#[cfg(any(not(doctest), all(feature = "rocket", feature = "testing")))]
pub mod errors {}

#[doc = include_str!("keys.md")]
#[cfg(any(not(doctest), all(feature = "rocket", feature = "testing")))]
pub mod keys {}

#[doc = include_str!("many-instances.md")]
pub mod many_instances {}

#[doc = include_str!("revocation.md")]
#[cfg(any(not(doctest), feature = "sync"))]
pub mod revocation {}

#[doc = include_str!("manifest.md")]
#[cfg(any(not(doctest), feature = "sync"))]
pub mod manifest {}

#[doc = include_str!("openapi.md")]
#[cfg(any(
    not(doctest),
    all(feature = "okapi", feature = "utoipa", feature = "testing")
))]
pub mod openapi {}

#[doc = include_str!("resource-metadata.md")]
#[cfg(any(not(doctest), all(feature = "rocket", feature = "testing")))]
pub mod resource_metadata {}

#[doc = include_str!("route-audit.md")]
#[cfg(any(not(doctest), feature = "rocket"))]
pub mod route_audit {}

#[doc = include_str!("metrics.md")]
#[cfg(any(
    not(doctest),
    all(feature = "rocket", feature = "testing", feature = "prometheus")
))]
pub mod metrics {}

#[doc = include_str!("testing-your-api.md")]
#[cfg(any(not(doctest), all(feature = "rocket", feature = "testing")))]
pub mod testing_your_api {}

#[doc = include_str!("other-frameworks.md")]
#[cfg(any(not(doctest), all(feature = "rocket", feature = "testing")))]
pub mod other_frameworks {}

#[doc = include_str!("performance.md")]
pub mod performance {}

#[doc = include_str!("dependencies.md")]
pub mod dependencies {}

#[doc = include_str!("compile-time.md")]
pub mod compile_time {}
