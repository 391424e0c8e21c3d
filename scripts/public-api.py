#!/usr/bin/env python3
"""Lists the public API of a crate from rustdoc's JSON output, one item per line, sorted.

Usage: public-api.py target/doc/logto_guard.json > logto-guard/public-api.txt

Each item is listed at the path users import it from: the walk starts at the crate root and
follows public modules and `pub use` re-exports, so a type defined in a private module shows
where it is re-exported (`logto_guard::Config`, not `logto_guard::config::Config`). Public
associated items of types (`Type::method`, `Trait::CONST`), enum variants, public struct fields
and trait impls follow each type. What `#[doc(hidden)]` hides is left out, as rustdoc leaves it
out of the JSON.
"""

import json
import sys


def kind_of(item):
    inner = item.get("inner", {})
    return next(iter(inner)) if isinstance(inner, dict) and inner else str(inner)


class Listing:
    def __init__(self, doc):
        self.index = doc["index"]
        self.paths = doc["paths"]
        self.lines = set()
        self.seen_modules = set()

    def item(self, item_id):
        return self.index.get(str(item_id))

    def walk_module(self, module_id, path):
        if module_id in self.seen_modules:
            return
        self.seen_modules.add(module_id)
        module = self.item(module_id)
        for child_id in module["inner"]["module"]["items"]:
            child = self.item(child_id)
            if child is None:
                continue
            if kind_of(child) == "use":
                self.reexport(child["inner"]["use"], path)
            elif child.get("visibility") == "public" and child.get("name"):
                self.add(child_id, child, f"{path}::{child['name']}")

    def reexport(self, use, path):
        target = self.item(use["id"]) if use.get("id") is not None else None
        if use.get("is_glob"):
            if target is not None and kind_of(target) == "module":
                self.walk_module(use["id"], path)
            return
        name = f"{path}::{use['name']}"
        if target is not None:
            self.add(use["id"], target, name)
        elif str(use.get("id")) in self.paths:
            # An item of another crate (the proc macros): its kind is all the JSON holds.
            self.lines.add(f"{self.paths[str(use['id'])]['kind']} {name}")

    def add(self, item_id, item, name):
        kind = kind_of(item)
        self.lines.add(f"{kind} {name}")
        if kind == "module":
            self.walk_module(item_id, name)
            return
        inner = item["inner"].get(kind, {}) if isinstance(item["inner"], dict) else {}
        if not isinstance(inner, dict):
            return
        members = list(inner.get("items", [])) if kind == "trait" else []
        for impl_id in inner.get("impls", []):
            impl = (self.item(impl_id) or {}).get("inner", {}).get("impl", {})
            if impl.get("is_synthetic") or impl.get("blanket_impl"):
                continue
            if impl.get("trait") is None:
                members.extend(impl.get("items", []))
            else:
                self.lines.add(f"impl {impl['trait']['path']} for {name}")
        for member_id in members:
            member = self.item(member_id)
            if member is None or member.get("name") is None:
                continue
            if kind != "trait" and member.get("visibility") != "public":
                continue
            self.lines.add(f"{kind_of(member)} {name}::{member['name']}")
        if kind == "enum":
            for variant_id in inner.get("variants", []):
                variant = self.item(variant_id)
                if variant is not None:
                    self.lines.add(f"variant {name}::{variant['name']}")
        struct_kind = inner.get("kind") if kind == "struct" else None
        if isinstance(struct_kind, dict):
            for field_id in struct_kind.get("plain", {}).get("fields", []):
                field = self.item(field_id)
                if field is not None and field.get("visibility") == "public":
                    self.lines.add(f"field {name}::{field['name']}")


def main(path):
    with open(path) as file:
        doc = json.load(file)
    listing = Listing(doc)
    root = doc["root"]
    listing.walk_module(root, listing.item(root)["name"])
    print("\n".join(sorted(listing.lines)))


if __name__ == "__main__":
    main(sys.argv[1])
