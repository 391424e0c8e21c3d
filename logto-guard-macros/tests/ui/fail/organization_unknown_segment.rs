use logto_guard::requires;

// A misspelled segment: the error points at the literal and suggests the route's segment.
#[requires(organization = "<org>", scope = "read:members")]
#[rocket::get("/organizations/<org_id>/members")]
fn members(org_id: &str) -> &str {
    org_id
}

// No close match: the route's segments are listed.
#[requires(resource = "https://api.example.com", organization = "<tenant>")]
#[rocket::get("/organizations/<id>/orders/<order>")]
fn order(id: &str, order: u64) -> String {
    format!("{id} {order}")
}

// A route without any dynamic segment.
#[requires(organization = "<org_id>")]
#[rocket::get("/members")]
fn all_members() {}

fn main() {
    let _ = rocket::routes![members, order, all_members];
}
