//! The one JSON layout of a manifest: pretty-printed like `serde_json`, with keys in the
//! schema's order, so that a file and the code render alike whatever their key order.

use serde_json::Value;

/// Every key of the schema, in the order they are written; other keys follow, sorted.
const KEY_ORDER: [&str; 12] = [
    "version",
    "resources",
    "indicator",
    "name",
    "description",
    "permissions",
    "handlers",
    "any_token_handlers",
    "organization",
    "routes",
    "method",
    "path",
];

/// `value` pretty-printed (two-space indent) with keys in schema order.
pub(super) fn render(value: &Value) -> String {
    let mut out = String::new();
    write(&mut out, value, 0);
    out
}

fn write(out: &mut String, value: &Value, depth: usize) {
    match value {
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                indent(out, depth + 1);
                write(out, item, depth + 1);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            indent(out, depth);
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by_key(|(key, _)| {
                let rank = KEY_ORDER.iter().position(|k| k == key);
                (rank.unwrap_or(KEY_ORDER.len()), *key)
            });
            out.push_str("{\n");
            for (i, (key, item)) in entries.iter().enumerate() {
                indent(out, depth + 1);
                out.push_str(&Value::String((*key).clone()).to_string());
                out.push_str(": ");
                write(out, item, depth + 1);
                out.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
            }
            indent(out, depth);
            out.push('}');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::render;

    #[test]
    fn renders_like_serde_json_in_schema_order() {
        let value = json!({"z": [], "resources": [{"name": "a\"b", "indicator": "x"}], "version": 1, "o": {}});
        assert_eq!(
            render(&value),
            "{\n  \"version\": 1,\n  \"resources\": [\n    {\n      \"indicator\": \"x\",\n      \
             \"name\": \"a\\\"b\"\n    }\n  ],\n  \"o\": {},\n  \"z\": []\n}"
        );
    }
}
