use logto_guard::requires;

#[requires(organization, organization = "<org_id>", scope = "read:members")]
#[rocket::get("/organizations/<org_id>/members")]
fn members(org_id: &str) -> &str {
    org_id
}

fn main() {}
