//! A token stream over quick-xml events, shaped for the XML-RPC grammar.
//!
//! Element names become [`Tag`]s (local names, so `<ex:nil/>` is `nil`); text, CDATA and
//! entity references between two tags are joined into one [`Token::Text`]; comments,
//! processing instructions and the XML declaration are skipped; a DOCTYPE is refused, so no
//! entity beyond the five XML predefines is ever expanded.

use std::borrow::Cow;
use std::collections::VecDeque;

use quick_xml::Reader;
use quick_xml::events::{BytesRef, Event};

use super::scalar::Scalar;
use super::{Error, excerpt};

/// An element name the XML-RPC grammar knows, or any other.
///
/// `Copy` and two bytes: the parser makes, moves and compares one per tag. The name of an
/// [`Tag::Other`] is read back from the body when an error needs it ([`TokenSource::name_at`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tag {
    MethodCall,
    MethodName,
    MethodResponse,
    Params,
    Param,
    Fault,
    Value,
    Array,
    Data,
    Struct,
    Member,
    Name,
    Nil,
    Scalar(Scalar),
    Other,
}

impl Tag {
    /// Arms are tried in order, so the tags of every struct member come first.
    pub(super) fn from_local_name(name: &[u8]) -> Tag {
        match name {
            b"value" => Tag::Value,
            b"member" => Tag::Member,
            b"name" => Tag::Name,
            b"string" => Tag::Scalar(Scalar::String),
            b"struct" => Tag::Struct,
            b"array" => Tag::Array,
            b"data" => Tag::Data,
            b"nil" => Tag::Nil,
            b"methodCall" => Tag::MethodCall,
            b"methodName" => Tag::MethodName,
            b"methodResponse" => Tag::MethodResponse,
            b"params" => Tag::Params,
            b"param" => Tag::Param,
            b"fault" => Tag::Fault,
            other => Scalar::from_tag(other).map_or(Tag::Other, Tag::Scalar),
        }
    }

    /// The element name as written (local part); `None` for [`Tag::Other`].
    pub(super) fn name(self) -> Option<&'static str> {
        Some(match self {
            Tag::MethodCall => "methodCall",
            Tag::MethodName => "methodName",
            Tag::MethodResponse => "methodResponse",
            Tag::Params => "params",
            Tag::Param => "param",
            Tag::Fault => "fault",
            Tag::Value => "value",
            Tag::Array => "array",
            Tag::Data => "data",
            Tag::Struct => "struct",
            Tag::Member => "member",
            Tag::Name => "name",
            Tag::Nil => "nil",
            Tag::Scalar(scalar) => scalar.tag(),
            Tag::Other => return None,
        })
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Token<'a> {
    Open(Tag),
    Close(Tag),
    Text(Cow<'a, str>),
    Eof,
}

impl Token<'_> {
    /// How the token reads in an error message; `other` names a [`Tag::Other`].
    pub(super) fn describe(&self, other: &str) -> String {
        match self {
            Token::Open(tag) => format!("<{}>", tag.name().unwrap_or(other)),
            Token::Close(tag) => format!("</{}>", tag.name().unwrap_or(other)),
            Token::Text(text) => format!("text {:?}", excerpt(text)),
            Token::Eof => "end of document".to_owned(),
        }
    }
}

/// Where the parser reads tokens from: [`Tokens`] (complete XML via quick-xml) or
/// [`super::fast::FastTokens`] (the subset peers write, several times faster).
pub(super) trait TokenSource<'a> {
    /// The next token; [`Token::Eof`] at the end.
    fn next(&mut self) -> Result<Token<'a>, Error>;
    /// Byte offset where the last returned token starts.
    fn offset(&self) -> u64;
    /// The whole body being read.
    fn body(&self) -> &'a str;

    /// The local name of the tag that starts at `offset` (`<ex:name …>` or `</name>`),
    /// read back from the body: only error messages need names of unknown tags.
    fn name_at(&self, offset: u64) -> &'a str {
        let rest = usize::try_from(offset)
            .ok()
            .and_then(|at| self.body().get(at..))
            .unwrap_or_default();
        let rest = rest.strip_prefix('<').unwrap_or(rest);
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        let end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .unwrap_or(rest.len());
        let name = &rest[..end];
        name.split_once(':').map_or(name, |(_, local)| local)
    }

    /// Consumes `<tag>`, after whitespace between elements, if exactly that comes next.
    /// A shortcut for what the grammar expects; `false` means "read the next token".
    fn skip_open(&mut self, _tag: Tag) -> bool {
        false
    }

    /// As [`TokenSource::skip_open`], for `</tag>`.
    fn skip_close(&mut self, _tag: Tag) -> bool {
        false
    }

    /// The next token that is not whitespace-only text (whitespace between elements).
    fn structural(&mut self) -> Result<Token<'a>, Error> {
        loop {
            match self.next()? {
                Token::Text(text) if is_blank(&text) => continue,
                token => return Ok(token),
            }
        }
    }
}

pub(super) fn is_blank(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_whitespace())
}

pub(super) struct Tokens<'a> {
    body: &'a str,
    reader: Reader<&'a [u8]>,
    /// Tags read while joining text, returned by the next calls (at most two).
    pending: VecDeque<(Token<'a>, u64)>,
    /// Byte offset where the last returned token starts.
    offset: u64,
}

impl<'a> Tokens<'a> {
    pub(super) fn new(body: &'a str) -> Self {
        let mut reader = Reader::from_str(body);
        let config = reader.config_mut();
        // `<nil/>` and `<string/>` then read exactly like `<nil></nil>` and `<string></string>`.
        config.expand_empty_elements = true;
        config.check_end_names = true;
        config.trim_text(false);
        Tokens {
            body,
            reader,
            pending: VecDeque::with_capacity(2),
            offset: 0,
        }
    }

    /// Returns the joined text if any, else the first queued tag.
    fn emit(&mut self, text: Option<(Cow<'a, str>, u64)>) -> Token<'a> {
        let (token, offset) = match text {
            Some((text, offset)) => (Token::Text(text), offset),
            None => self
                .pending
                .pop_front()
                .unwrap_or((Token::Eof, self.reader.buffer_position())),
        };
        self.offset = offset;
        token
    }

    fn xml_error(&self, source: quick_xml::Error) -> Error {
        Error::Xml {
            offset: self.reader.buffer_position(),
            source,
        }
    }
}

impl<'a> TokenSource<'a> for Tokens<'a> {
    fn offset(&self) -> u64 {
        self.offset
    }

    fn body(&self) -> &'a str {
        self.body
    }

    fn next(&mut self) -> Result<Token<'a>, Error> {
        if let Some((token, offset)) = self.pending.pop_front() {
            self.offset = offset;
            return Ok(token);
        }
        let mut text: Option<(Cow<'a, str>, u64)> = None;
        loop {
            let start = self.reader.buffer_position();
            let event = self.reader.read_event().map_err(|source| Error::Xml {
                offset: self.reader.error_position(),
                source,
            })?;
            let piece = match event {
                Event::Text(t) => t.xml10_content().map_err(|e| self.xml_error(e.into()))?,
                Event::CData(c) => c.decode().map_err(|e| self.xml_error(e.into()))?,
                Event::GeneralRef(r) => Cow::Owned(resolve_reference(&r, start)?),
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) => continue,
                Event::DocType(_) => {
                    return Err(Error::Unexpected {
                        found: "<!DOCTYPE>".to_owned(),
                        expected: "no document type declaration in xml-rpc",
                        offset: start,
                    });
                }
                Event::Start(s) => {
                    self.pending.push_back((Token::Open(tag_of(&s)), start));
                    return Ok(self.emit(text));
                }
                Event::End(e) => {
                    let tag = Tag::from_local_name(e.local_name().as_ref());
                    self.pending.push_back((Token::Close(tag), start));
                    return Ok(self.emit(text));
                }
                Event::Empty(s) => {
                    // Not produced with `expand_empty_elements`; handled for completeness.
                    let tag = tag_of(&s);
                    self.pending.push_back((Token::Open(tag), start));
                    self.pending.push_back((Token::Close(tag), start));
                    return Ok(self.emit(text));
                }
                Event::Eof => {
                    self.pending.push_back((Token::Eof, start));
                    return Ok(self.emit(text));
                }
            };
            match &mut text {
                None => text = Some((piece, start)),
                Some((joined, _)) => joined.to_mut().push_str(&piece),
            }
        }
    }
}

fn tag_of(start: &quick_xml::events::BytesStart<'_>) -> Tag {
    Tag::from_local_name(start.local_name().as_ref())
}

/// Resolves `&#NN;`, `&#xNN;` and the five predefined entities.
fn resolve_reference(reference: &BytesRef<'_>, offset: u64) -> Result<String, Error> {
    let resolved = reference
        .resolve_char_ref()
        .map_err(|source| Error::Xml { offset, source })?;
    if let Some(c) = resolved {
        return Ok(c.to_string());
    }
    let name = String::from_utf8_lossy(reference);
    let c = match name.as_ref() {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            return Err(Error::UnknownEntity {
                name: excerpt(&name),
                offset,
            });
        }
    };
    Ok(c.to_string())
}
