//! XML-RPC codec between `serde_json::Value` and the XML-RPC that Odoo speaks on `/xmlrpc/2`.
//!
//! Used by [`crate::client`] (client side: `encode_call`, `decode_response`) and by the Odoo
//! sandbox server (server side: `decode_call`, `encode_response`, `encode_fault`). It knows
//! nothing about HTTP or Odoo semantics beyond the value mapping.
//!
//! **Own codec over quick-xml, not `dxr`.** dxr maps to its own `Value` enum (a second
//! conversion to JSON on every call), decodes `dateTime.iso8601` into a calendar type rather
//! than Odoo's `"YYYY-MM-DD HH:MM:SS"` string, puts `<base64>` through bytes, and has no
//! nesting-depth or body-size limit we can set; its errors do not say which value was wrong
//! or where. Here the mapping is exactly Odoo's (below), every limit yields an [`Error`]
//! naming what and at which byte, and quick-xml is already in the workspace.
//!
//! **Two tokenizers, one grammar.** Bodies are first read by a small tokenizer of our own for
//! the XML subset peers write (`fast.rs`: bare tags, the five predefined entities); anything
//! else, and every error, is read again with quick-xml, which decides what is accepted and
//! what each error says. That took a 50-record `search_read` page from 2.7 M to 0.9 M
//! instructions (issue 3; `cargo bench -p daniel-odoo --bench codec`).
//!
//! | XML-RPC | JSON |
//! |---|---|
//! | `<nil/>` | `null` |
//! | `<boolean>` (`0`/`1` only) | `bool` |
//! | `<int>` `<i4>` `<i8>` `<i1>` `<i2>` `<biginteger>` | integer (`i64`; beyond it: [`Error::IntegerOutOfRange`]) |
//! | `<double>` `<float>` `<bigdecimal>` | `f64` (finite only) |
//! | `<string>`, untyped `<value>text</value>` | string |
//! | `<dateTime.iso8601>` | string `"YYYY-MM-DD HH:MM:SS"` (UTC if an offset was given) |
//! | `<base64>` | string: the base64 text, whitespace removed, not decoded |
//! | `<array><data>` | array |
//! | `<struct><member>` | object (a repeated name: the last one wins, as in Python) |
//!
//! Encoding: integers within `i32` as `<int>` (what Python's marshaller accepts), wider ones
//! as `<i8>`; floats as `<double>`; strings escaped (`&`, `<`, `>`, CR as `&#13;`) with
//! characters XML 1.0 forbids (C0 controls other than tab/LF/CR, U+FFFE, U+FFFF) dropped, as
//! Odoo itself strips control characters. Element names are matched on their local name, so
//! `<ex:nil/>` (Apache's extension namespace) reads as `<nil/>`.

mod decode;
mod encode;
mod fast;
mod scalar;
mod tokens;

#[cfg(test)]
mod tests;

pub use decode::{decode_call, decode_response};
pub(crate) use encode::encode_call_with;
pub use encode::{encode_call, encode_fault, encode_response};

/// Largest request or response body the decoder accepts, in bytes.
///
/// Odoo answers a capped `search_read` in well under a megabyte; 32 MiB still leaves room
/// for a binary field read on purpose (base64 in a `<string>`), while bounding the memory a
/// hostile or broken peer can make us spend (the JSON tree costs a few times the body).
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Deepest nesting of arrays and structs the decoder accepts.
///
/// Odoo values nest a handful of levels (a domain inside a context inside kwargs); 64 is far
/// beyond that yet keeps the recursive decoder's stack use small and bounded.
pub const MAX_DEPTH: usize = 64;

/// An XML-RPC fault: `faultCode` and `faultString`.
///
/// On Odoo's `/xmlrpc/2`: 1 internal (the string is a Python traceback), 2 user or
/// validation error, 3 access denied (credentials), 4 access error (rights).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// `faultCode`.
    pub code: i32,
    /// `faultString`.
    pub message: String,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "fault {}: {}", self.code, self.message)
    }
}

/// Why a body could not be decoded. Offsets are byte positions in the body.
#[derive(thiserror::Error, Debug)]
pub enum Error {
    /// The body exceeds [`MAX_BODY_BYTES`].
    #[error("xml-rpc body of {size} bytes exceeds the {limit}-byte limit")]
    TooLarge { size: usize, limit: usize },
    /// The body is not UTF-8 (XML-RPC peers send UTF-8; Odoo always does).
    #[error("xml-rpc body is not utf-8: invalid byte at offset {offset}")]
    NotUtf8 { offset: usize },
    /// The XML itself is broken: unclosed tag, mismatched end tag, bad escape, …
    #[error("malformed xml near byte {offset}")]
    Xml {
        offset: u64,
        #[source]
        source: quick_xml::Error,
    },
    /// Well-formed XML, but not what XML-RPC allows at this place.
    #[error("unexpected {found} at byte {offset}, expected {expected}")]
    Unexpected {
        found: String,
        expected: &'static str,
        offset: u64,
    },
    /// The document ended before it was complete.
    #[error("xml-rpc body ends early at byte {offset}, expected {expected}")]
    Truncated { expected: &'static str, offset: u64 },
    /// A `<value>` holds an element that is not an XML-RPC type.
    #[error("unknown xml-rpc type <{tag}> at byte {offset}")]
    UnknownType { tag: String, offset: u64 },
    /// Arrays and structs nest deeper than [`MAX_DEPTH`].
    #[error("xml-rpc values nested deeper than {limit} levels at byte {offset}")]
    TooDeep { limit: usize, offset: u64 },
    /// An integer or floating-point element whose text is not a number.
    #[error("bad number in <{tag}> at byte {offset}: {text:?}")]
    BadNumber {
        tag: &'static str,
        text: String,
        offset: u64,
    },
    /// An integer that does not fit in `i64`.
    #[error("integer {text} at byte {offset} does not fit in 64 bits")]
    IntegerOutOfRange { text: String, offset: u64 },
    /// A boolean, date-time or base64 element whose text is not valid for its type.
    #[error("bad <{tag}> value at byte {offset}: {text:?} ({reason})")]
    BadValue {
        tag: &'static str,
        text: String,
        reason: &'static str,
        offset: u64,
    },
    /// An entity reference other than the five XML predefines (no DTDs here).
    #[error("unknown xml entity &{name}; at byte {offset}")]
    UnknownEntity { name: String, offset: u64 },
    /// A `<fault>` whose value is not a struct with an `i32` `faultCode` and a string
    /// `faultString`.
    #[error("malformed xml-rpc fault: {reason}")]
    BadFault { reason: String },
}

/// Cuts text quoted in an error so a huge bad value does not become a huge message.
pub(crate) fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 64;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
