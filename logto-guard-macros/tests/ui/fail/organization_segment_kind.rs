use logto_guard::requires;

// `<rest..>` is several segments, `?<org>` a query parameter: neither is an organization id.
#[requires(organization = "<rest>")]
#[rocket::get("/files/<rest..>")]
fn files(rest: std::path::PathBuf) -> String {
    rest.display().to_string()
}

#[requires(organization = "<org>")]
#[rocket::get("/members?<org>")]
fn members(org: &str) -> &str {
    org
}

// Malformed values.
#[requires(organization = "org_id")]
#[rocket::get("/organizations/<org_id>")]
fn bare(org_id: &str) -> &str {
    org_id
}

#[requires(organization = "<org_id..>")]
#[rocket::get("/organizations/<org_id>")]
fn dotted(org_id: &str) -> &str {
    org_id
}

#[requires(organization = "2c5ba1fe-org")]
#[rocket::get("/fixed")]
fn fixed() {}

#[requires(organization = ORG)]
#[rocket::get("/constant")]
fn constant() {}

fn main() {}
