use logto_guard::requires;

#[requires(resource = "https://api.example.com", clients = "Billing")]
#[rocket::get("/a")]
fn capitalised() {}

#[requires(resource = "https://api.example.com", clients = "billing-api")]
#[rocket::get("/b")]
fn hyphen() {}

#[requires(resource = "https://api.example.com", clients = ["billing", "support"])]
#[rocket::get("/c")]
fn a_list() {}

#[requires(resource = "https://api.example.com", clients = billing)]
#[rocket::get("/d")]
fn a_word() {}

#[requires(resource = "https://api.example.com", clients)]
#[rocket::get("/e")]
fn no_value() {}

#[requires(resource = "https://api.example.com", client_ids = "billing")]
#[rocket::get("/f")]
fn misnamed() {}

#[requires(resource = "https://api.example.com", client = "billing")]
#[rocket::get("/g")]
fn the_kind_of_client() {}

fn main() {}
