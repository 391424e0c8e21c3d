use logto_guard::requires;

// A misspelled `organization` is reported once, not also as a missing `resource`.
#[requires(organisation, scope = "read:members")]
#[rocket::get("/members")]
fn members() {}

#[requires(org = "<org_id>", clinet = "machine")]
#[rocket::get("/organizations/<org_id>")]
fn organization(org_id: &str) -> &str {
    org_id
}

fn main() {}
