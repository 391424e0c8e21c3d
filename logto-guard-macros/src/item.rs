//! The item under an attribute of this crate: recognising this crate's attributes on it,
//! pointing an error at it, and giving it back beside the errors.

use proc_macro2::TokenStream;
use quote::{ToTokens as _, quote};
use syn::{Attribute, Item, ItemFn};

/// An attribute of this crate.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Ours {
    Requires,
    Public,
    Guarded,
}

impl Ours {
    /// How the docs and messages write it.
    pub(crate) const fn written(self) -> &'static str {
        match self {
            Self::Requires => "#[requires]",
            Self::Public => "#[public]",
            Self::Guarded => "#[guarded]",
        }
    }
}

/// Which of this crate's attributes `attr` is, by its last path segment: `#[requires]`,
/// `#[logto_guard::requires]`, or through a renamed dependency `#[my_guard::requires]`.
pub(crate) fn ours(attr: &Attribute) -> Option<Ours> {
    let last = attr.path().segments.last()?;
    match last.ident.to_string().as_str() {
        "requires" => Some(Ours::Requires),
        "public" => Some(Ours::Public),
        "guarded" => Some(Ours::Guarded),
        _ => None,
    }
}

/// The keyword and name of an item, to point an error at.
pub(crate) fn item_head(item: &Item) -> TokenStream {
    match item {
        Item::Struct(item) => head(&item.struct_token, &item.ident),
        Item::Enum(item) => head(&item.enum_token, &item.ident),
        Item::Union(item) => head(&item.union_token, &item.ident),
        Item::Trait(item) => head(&item.trait_token, &item.ident),
        Item::Type(item) => head(&item.type_token, &item.ident),
        Item::Const(item) => head(&item.const_token, &item.ident),
        Item::Static(item) => head(&item.static_token, &item.ident),
        Item::Mod(item) => head(&item.mod_token, &item.ident),
        Item::Impl(item) => head(&item.impl_token, &item.self_ty),
        other => other.to_token_stream(),
    }
}

fn head(keyword: &impl quote::ToTokens, name: &impl quote::ToTokens) -> TokenStream {
    quote!(#keyword #name)
}

/// What the user wrote without this crate's attributes, plus the errors: the route attribute
/// still expands, so no follow-up errors bury the real ones, and no other attribute of ours
/// reports the same handler again.
pub(crate) fn with_errors(item: TokenStream, errors: syn::Error) -> TokenStream {
    let mut output = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(mut handler) => {
            handler.attrs.retain(|attr| ours(attr).is_none());
            handler.into_token_stream()
        }
        Err(_) => item,
    };
    output.extend(errors.into_compile_error());
    output
}
