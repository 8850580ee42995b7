//! A tokenizer for the subset of XML that XML-RPC peers write: Python's marshaller (Odoo),
//! Apache's and our own encoder. It reads bare tags (`<value>`, `</value>`, `<nil/>`), text
//! with the five predefined entities, and a leading `<?xml …?>`, straight from the bytes.
//!
//! Profiling a 50-record `search_read` page showed three quarters of the decode spent in
//! quick-xml events and in [`Tokens`](super::tokens::Tokens) joining them (issue 3), so the
//! common case skips both. Anything else (attributes, namespaces, comments, CDATA, DOCTYPE,
//! character references, CR, malformed markup) is refused with an error that never reaches
//! the caller: the decoder then reads the body again with quick-xml, which stays the
//! authority on what is well-formed and on every error message and offset.

use std::borrow::Cow;

use super::Error;
use super::tokens::{Tag, Token, TokenSource};

pub(super) struct FastTokens<'a> {
    text: &'a str,
    /// Byte position of the next unread character.
    pos: usize,
    /// Byte offset where the last returned token starts.
    offset: usize,
    /// The end tag of an empty element (`<nil/>`), returned by the next call.
    pending_close: Option<Tag>,
}

impl<'a> FastTokens<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        FastTokens {
            text,
            pos: declaration_len(text),
            offset: 0,
            pending_close: None,
        }
    }

    /// The tag at `self.pos`: `<name>`, `</name>` or `<name/>`.
    fn tag(&mut self) -> Result<Token<'a>, Error> {
        let bytes = self.text.as_bytes();
        let closing = bytes.get(self.pos + 1) == Some(&b'/');
        let name_start = self.pos + 1 + usize::from(closing);
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|&&b| NAME_BYTES[usize::from(b)])
            .count();
        let name_end = name_start + name_len;
        let name = &bytes[name_start..name_end];
        let after = (bytes.get(name_end), bytes.get(name_end + 1));
        let (token, end) = match (closing, after) {
            _ if name.is_empty() => return Err(self.unsupported("markup other than a tag")),
            (true, (Some(b'>'), _)) => (Token::Close(Tag::from_local_name(name)), name_end + 1),
            (false, (Some(b'>'), _)) => (Token::Open(Tag::from_local_name(name)), name_end + 1),
            (false, (Some(b'/'), Some(b'>'))) => {
                let tag = Tag::from_local_name(name);
                self.pending_close = Some(tag);
                (Token::Open(tag), name_end + 2)
            }
            _ => return Err(self.unsupported("a tag with more than a plain name")),
        };
        self.pos = end;
        Ok(token)
    }

    /// Steps over whitespace, then `<tag>` (`</tag>` if `closing`), if exactly that comes
    /// next: the tag the grammar expects, without making a token of it. Most tags of a
    /// body are read this way.
    fn skip_markup(&mut self, closing: bool, tag: Tag) -> bool {
        let Some(name) = tag.name() else {
            return false;
        };
        if self.pending_close.is_some() {
            return false;
        }
        let bytes = self.text.as_bytes();
        let start = self.pos + blank_len(&bytes[self.pos..]);
        let name_start = start + 1 + usize::from(closing);
        let name_end = name_start + name.len();
        // A byte loop, not slice equality: names are a few bytes, and a `memcmp` call per
        // tag showed in profiles.
        let found = bytes.get(start) == Some(&b'<')
            && (!closing || bytes.get(start + 1) == Some(&b'/'))
            && bytes.get(name_end) == Some(&b'>')
            && bytes[name_start..name_end]
                .iter()
                .zip(name.as_bytes())
                .all(|(a, b)| a == b);
        if found {
            self.offset = start;
            self.pos = name_end + 1;
        }
        found
    }

    /// Character data up to the next `<`, entities resolved; borrowed when there are none.
    fn char_data(&mut self) -> Result<Token<'a>, Error> {
        let start = self.pos;
        let bytes = &self.text.as_bytes()[start..];
        let mut plain = true;
        let mut len = bytes.len();
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'<' => {
                    len = i;
                    break;
                }
                // XML 1.0 turns CR and CRLF into LF; quick-xml does that for us.
                b'\r' => return Err(self.unsupported("a carriage return")),
                b'&' => plain = false,
                _ => {}
            }
        }
        self.pos = start + len;
        // `<` and `&` are ASCII, so both ends are character boundaries.
        let raw = &self.text[start..start + len];
        if plain {
            return Ok(Token::Text(Cow::Borrowed(raw)));
        }
        self.unescape(raw).map(|text| Token::Text(Cow::Owned(text)))
    }

    fn unescape(&self, raw: &str) -> Result<String, Error> {
        let mut out = String::with_capacity(raw.len());
        let mut pieces = raw.split('&');
        out.push_str(pieces.next().unwrap_or_default());
        for piece in pieces {
            let (name, rest) = piece
                .split_once(';')
                .ok_or_else(|| self.unsupported("an unterminated entity"))?;
            out.push(match name {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                "apos" => '\'',
                "quot" => '"',
                _ => return Err(self.unsupported("a character or unknown entity reference")),
            });
            out.push_str(rest);
        }
        Ok(out)
    }

    /// Never shown: the caller decodes again with quick-xml on any error.
    fn unsupported(&self, found: &str) -> Error {
        Error::Unexpected {
            found: found.to_owned(),
            expected: "the xml subset of the fast tokenizer",
            offset: self.offset as u64,
        }
    }
}

impl<'a> TokenSource<'a> for FastTokens<'a> {
    fn offset(&self) -> u64 {
        self.offset as u64
    }

    fn body(&self) -> &'a str {
        self.text
    }

    /// Skips whitespace between elements in the bytes, without making a token of it.
    fn structural(&mut self) -> Result<Token<'a>, Error> {
        let bytes = self.text.as_bytes();
        let blank = blank_len(&bytes[self.pos..]);
        if self.pending_close.is_none() && matches!(bytes.get(self.pos + blank), None | Some(b'<'))
        {
            self.pos += blank;
        }
        self.next()
    }

    fn skip_open(&mut self, tag: Tag) -> bool {
        self.skip_markup(false, tag)
    }

    fn skip_close(&mut self, tag: Tag) -> bool {
        self.skip_markup(true, tag)
    }

    fn next(&mut self) -> Result<Token<'a>, Error> {
        if let Some(tag) = self.pending_close.take() {
            return Ok(Token::Close(tag));
        }
        self.offset = self.pos;
        match self.text.as_bytes().get(self.pos) {
            None => Ok(Token::Eof),
            Some(b'<') => self.tag(),
            Some(_) => self.char_data(),
        }
    }
}

/// Length of the whitespace at the start of `bytes`.
fn blank_len(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| b.is_ascii_whitespace()).count()
}

/// Length of a leading `<?xml …?>`, else 0 (and the tokenizer refuses the `<?`).
///
/// The declaration must end at its first `>`, so it ends where quick-xml ends it.
fn declaration_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let opens =
        bytes.starts_with(b"<?xml") && matches!(bytes.get(5), Some(b' ' | b'\t' | b'\r' | b'\n'));
    match bytes.iter().position(|&b| b == b'>') {
        Some(end) if opens && bytes[end - 1] == b'?' => end + 1,
        _ => 0,
    }
}

/// Bytes of a plain element name: ASCII letters, digits, `.`, `-` and `_`.
static NAME_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'.' || c == b'-' || c == b'_';
        b += 1;
    }
    table
};
