#!/usr/bin/env python3
"""Lists the public API of a crate from rustdoc's JSON output, one item per line, sorted.

Usage: public-api.py target/doc/logto_guard.json > logto-guard/public-api.txt

Items are the crate's own paths (modules, types, traits, functions, constants, macros) and the
public associated items of its types (`Type::method`, `Trait::CONST`), each with its kind; what
`#[doc(hidden)]` hides is left out, as rustdoc leaves it out.
"""

import json
import sys


def kind_of(item):
    inner = item.get("inner", {})
    return next(iter(inner)) if isinstance(inner, dict) and inner else str(inner)


def main(path):
    with open(path) as file:
        doc = json.load(file)
    index, paths = doc["index"], doc["paths"]
    lines = set()
    for item_id, summary in paths.items():
        if summary.get("crate_id") != 0 or item_id not in index:
            continue
        name = "::".join(summary["path"])
        item = index[item_id]
        kind = kind_of(item)
        lines.add(f"{kind} {name}")
        inner = item["inner"].get(kind, {}) if isinstance(item["inner"], dict) else {}
        members = list(inner.get("items", [])) if kind == "trait" else []
        for impl_id in inner.get("impls", []) if isinstance(inner, dict) else []:
            impl = index.get(str(impl_id), {}).get("inner", {}).get("impl", {})
            if impl.get("trait") is None and not impl.get("is_synthetic"):
                members.extend(impl.get("items", []))
            elif impl.get("trait") is not None and not impl.get("is_synthetic") and not impl.get("blanket_impl"):
                lines.add(f"impl {impl['trait']['path']} for {name}")
        for member_id in members:
            member = index.get(str(member_id))
            if member is None or member.get("name") is None:
                continue
            if kind != "trait" and member.get("visibility") != "public":
                continue
            lines.add(f"{kind_of(member)} {name}::{member['name']}")
        if kind == "enum":
            for variant_id in inner.get("variants", []):
                variant = index.get(str(variant_id))
                if variant is not None:
                    lines.add(f"variant {name}::{variant['name']}")
        struct_kind = inner.get("kind") if kind == "struct" else None
        if isinstance(struct_kind, dict):
            fields = struct_kind.get("plain", {}).get("fields", [])
            for field_id in fields:
                field = index.get(str(field_id))
                if field is not None and field.get("visibility") == "public":
                    lines.add(f"field {name}::{field['name']}")
    print("\n".join(sorted(lines)))


if __name__ == "__main__":
    main(sys.argv[1])
