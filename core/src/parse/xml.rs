//! The XML side shared by query, ec2 and rest-xml: a streaming reader over `quick-xml` events
//! (borrowing text from the body, no DOM), a shape-directed walker that builds [`Value`]s as it
//! reads, and the shape-less tree reading botocore uses for error bodies.
//!
//! Elements are matched by local name (namespaces are ignored, as botocore strips them). Nesting
//! is bounded by [`MAX_DEPTH`]; elements the shape does not know are skipped iteratively, so no
//! input can recurse without bound or panic.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

use quick_xml::events::{BytesCData, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Reader;

use super::{
    text_value, unknown_union_member, BodyFormat, ParseError, PathSegment, Slots, TimestampParsing,
    MAX_DEPTH,
};
use crate::model::{Location, ServiceModel, Shape, ShapeKind, ShapeRef, Structure};
use crate::value::{HashedKey, Map, Text, Value};

/// Equal element names, compared without a call to `memcmp` for names of up to 16 bytes (a
/// listing compares each element's name with its member's and with its end tag: `memcmp`
/// calls were 5 % of a 1,000-key listing). Two overlapping 8-, 4- or 2-byte reads cover any
/// length in their range.
#[inline(always)]
fn same_name(a: &[u8], b: &[u8]) -> bool {
    #[inline(always)]
    fn at<const N: usize>(s: &[u8], i: usize) -> [u8; N] {
        let mut out = [0; N];
        out.copy_from_slice(&s[i..i + N]);
        out
    }
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        1 => a[0] == b[0],
        2..=3 => at::<2>(a, 0) == at::<2>(b, 0) && at::<2>(a, n - 2) == at::<2>(b, n - 2),
        4..=7 => at::<4>(a, 0) == at::<4>(b, 0) && at::<4>(a, n - 4) == at::<4>(b, n - 4),
        8..=16 => at::<8>(a, 0) == at::<8>(b, 0) && at::<8>(a, n - 8) == at::<8>(b, n - 8),
        _ => a == b,
    }
}

/// An element start (or a self-closing element) just read.
pub(crate) struct Element<'a> {
    start: BytesStart<'a>,
    /// `<a/>`: there is no end event to wait for.
    empty: bool,
    /// How much of the body was left right after the start tag: while it still is, nothing of
    /// the element has been read (see [`XmlReader::leaf_text`]).
    rest_len: usize,
}

impl Element<'_> {
    /// The name without its namespace prefix.
    pub(super) fn local_name(&self) -> &[u8] {
        self.start.local_name().into_inner()
    }

    /// The name as written (with any prefix).
    pub(super) fn qualified_name(&self) -> &[u8] {
        self.start.name().into_inner()
    }

    /// True when the element declares a default namespace (`xmlns="..."`).
    pub(super) fn declares_default_namespace(&self) -> bool {
        self.start
            .attributes()
            .with_checks(false)
            .flatten()
            .any(|a| a.key.as_ref() == b"xmlns")
    }

    /// An attribute's unescaped value. `name` may carry a prefix (`xsi:type`); it then matches
    /// that local name under any prefix, since botocore maps namespace URIs back onto the
    /// prefix the model names.
    pub(super) fn attribute(&self, name: &str) -> Option<String> {
        let local = name.rsplit_once(':').map(|(_, l)| l);
        for attr in self.start.attributes().with_checks(false).flatten() {
            let key = attr.key.as_ref();
            let key_local = attr.key.local_name().into_inner();
            let hit = key == name.as_bytes()
                || local.is_some_and(|l| key_local == l.as_bytes() && key.contains(&b':'));
            if hit {
                let raw = std::str::from_utf8(&attr.value).ok()?;
                return quick_xml::escape::unescape(&normalize_attribute(raw))
                    .ok()
                    .map(Cow::into_owned);
            }
        }
        None
    }
}

/// XML's end-of-line handling (XML 1.0 section 2.11), as expat (botocore's parser) applies it to
/// the document before reading it: `\r\n` and a `\r` alone are read as `\n`. It runs on the text
/// as written, before references are expanded, so a `&#13;` stays a carriage return.
fn normalize_line_ends(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\r') {
        return Cow::Borrowed(raw);
    }
    Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
}

/// An attribute value as written, normalized as XML 1.0 section 3.3.3 says for attributes
/// without a declared type (expat's behaviour): its line ends first, then each tab, line feed
/// or carriage return is a space. References (`&#10;`) are expanded after, so they stay.
fn normalize_attribute(raw: &str) -> Cow<'_, str> {
    if !raw.contains(['\r', '\n', '\t']) {
        return Cow::Borrowed(raw);
    }
    Cow::Owned(normalize_line_ends(raw).replace(['\n', '\t'], " "))
}

enum Node<'a> {
    Child(Element<'a>),
    Text(Cow<'a, str>),
    End,
}

/// A pull reader over one XML document in memory.
pub(crate) struct XmlReader<'a> {
    reader: Reader<&'a [u8]>,
    /// The whole body as text when it is UTF-8, checked once: the plain forms' names and texts
    /// are sliced out of it rather than checked one by one (a 1,000-key listing has six
    /// thousand of them, and checking each short piece was a twentieth of its parse).
    text: Option<&'a str>,
    depth: usize,
    /// Bytes consumed past quick-xml (see [`leaf_text`](Self::leaf_text)), which its own
    /// positions do not count.
    skipped: u64,
    /// quick-xml is between markup (its last event was not text, which consumes the next
    /// `<`), so the rest of the body is what its slice holds.
    between: bool,
    /// Read the plain forms straight from the body (off in tests, to compare).
    fast: bool,
}

impl<'a> XmlReader<'a> {
    pub(super) fn new(body: &'a [u8]) -> Self {
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        let mut reader = Reader::from_reader(body);
        let config = reader.config_mut();
        config.trim_text(false);
        // End tags are matched against their start here (the start's name is at hand, borrowed
        // from the body), which spares quick-xml copying every name onto a stack of its own.
        config.check_end_names = false;
        config.expand_empty_elements = false;
        // quick-xml's stack of open elements, which it would use to refuse an end tag with
        // nothing open, does not see the elements read past it: that check is made here
        // (`unmatched_end`), the only place it can fail, outside the root.
        config.allow_unmatched_ends = true;
        XmlReader {
            reader,
            text: std::str::from_utf8(body).ok(),
            depth: 0,
            skipped: 0,
            between: false,
            fast: true,
        }
    }

    pub(super) fn malformed(&self, message: impl Into<String>) -> ParseError {
        ParseError::Malformed {
            format: BodyFormat::Xml,
            message: message.into(),
            position: format!("byte {}", self.reader.buffer_position() + self.skipped),
        }
    }

    #[inline(always)]
    fn event(&mut self) -> Result<Event<'a>, ParseError> {
        let event = self.reader.read_event();
        self.between = matches!(
            event,
            Ok(Event::Start(_)
                | Event::Empty(_)
                | Event::End(_)
                | Event::Comment(_)
                | Event::CData(_)
                | Event::PI(_)
                | Event::Decl(_)
                | Event::DocType(_))
        );
        event.map_err(|e| self.xml_error(e))
    }

    /// The rest of the body when quick-xml is between markup (see `between`).
    #[inline(always)]
    fn rest(&self) -> Option<&'a [u8]> {
        let rest: &'a [u8] = self.reader.get_ref();
        (self.fast && self.between).then_some(rest)
    }

    /// Consume `n` bytes of the body past quick-xml.
    #[inline(always)]
    fn consume(&mut self, rest: &'a [u8], n: usize) {
        *self.reader.get_mut() = &rest[n..];
        self.skipped += n as u64;
        self.between = true;
    }

    /// `rest[range]` as text, where `rest` is what is left of the body: sliced out of the
    /// body's text when the whole body is UTF-8 (no check but the ends' char boundaries),
    /// otherwise checked on its own, as the events check it.
    #[inline(always)]
    fn rest_str(&self, rest: &'a [u8], range: std::ops::Range<usize>) -> Option<&'a str> {
        match self.text {
            Some(text) => {
                // The reader's slice is always the end of the body.
                let at = text.len().checked_sub(rest.len())?;
                text.get(at + range.start..at + range.end)
            }
            None => std::str::from_utf8(rest.get(range)?).ok(),
        }
    }

    /// An end tag read where no element is open (outside the root), refused the way quick-xml
    /// refuses it; `at` is where the tag starts.
    #[cold]
    fn unmatched_end(&self, at: u64, end: &BytesEnd<'_>) -> ParseError {
        let name = std::str::from_utf8(end.name().into_inner()).unwrap_or_default();
        let e = quick_xml::errors::IllFormedError::UnmatchedEndTag(name.to_string());
        ParseError::Malformed {
            format: BodyFormat::Xml,
            message: quick_xml::Error::IllFormed(e).to_string(),
            position: format!("byte {at}"),
        }
    }

    // Errors are built out of line: the reading loops stay small enough to inline.
    #[cold]
    #[inline(never)]
    fn xml_error(&self, e: quick_xml::Error) -> ParseError {
        ParseError::Malformed {
            format: BodyFormat::Xml,
            message: e.to_string(),
            position: format!("byte {}", self.reader.error_position() + self.skipped),
        }
    }

    /// An end tag must name the element it closes.
    #[inline(always)]
    fn check_end(&self, start: &[u8], end: &[u8]) -> Result<(), ParseError> {
        if start == end {
            return Ok(());
        }
        self.mismatched_end(start, end)
    }

    #[cold]
    #[inline(never)]
    fn mismatched_end(&self, start: &[u8], end: &[u8]) -> Result<(), ParseError> {
        Err(self.malformed(format!(
            "expected </{}>, found </{}>",
            String::from_utf8_lossy(start),
            String::from_utf8_lossy(end)
        )))
    }

    /// `elem`'s end tag was read: check it names `elem`, and step out.
    #[inline(always)]
    fn close(&mut self, elem: &Element<'a>, end: &BytesEnd<'_>) -> Result<(), ParseError> {
        self.check_end(elem.qualified_name(), end.name().into_inner())?;
        self.depth = self.depth.saturating_sub(1);
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn ended_inside(&self, elem: &Element<'a>) -> ParseError {
        self.malformed(format!(
            "document ends inside <{}>",
            String::from_utf8_lossy(elem.qualified_name())
        ))
    }

    /// Text content, unescaped (borrowed from the body unless it had entities).
    #[inline(always)]
    fn unescape(&self, text: BytesText<'a>) -> Result<Cow<'a, str>, ParseError> {
        let bad = |e: &dyn std::fmt::Display| self.malformed(format!("bad text: {e}"));
        if memchr::memchr(b'\r', &text).is_none() {
            return text.unescape().map_err(|e| bad(&e));
        }
        let raw = std::str::from_utf8(&text).map_err(|e| bad(&e))?;
        let text = normalize_line_ends(raw);
        quick_xml::escape::unescape(&text)
            .map(|t| Cow::Owned(t.into_owned()))
            .map_err(|e| bad(&e))
    }

    /// A CDATA section's content (its line ends normalized as the text's are).
    fn cdata(&self, cdata: BytesCData<'a>) -> Result<Cow<'a, str>, ParseError> {
        let text = cdata
            .decode()
            .map_err(|e| self.malformed(format!("bad CDATA: {e}")))?;
        Ok(match normalize_line_ends(&text) {
            Cow::Borrowed(_) => text,
            Cow::Owned(normalized) => Cow::Owned(normalized),
        })
    }

    #[inline(always)]
    fn enter(&mut self, start: BytesStart<'a>, empty: bool) -> Result<Element<'a>, ParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(ParseError::TooDeep {
                limit: MAX_DEPTH,
                path: String::from_utf8_lossy(start.name().into_inner()).into_owned(),
            });
        }
        if !empty {
            self.depth += 1;
        }
        let rest_len = self.reader.get_ref().len();
        Ok(Element {
            start,
            empty,
            rest_len,
        })
    }

    /// The document's root element; `None` for a body with no element at all (empty or only
    /// whitespace, comments and declarations).
    pub(super) fn root(&mut self) -> Result<Option<Element<'a>>, ParseError> {
        loop {
            let at = self.reader.buffer_position() + self.skipped;
            match self.event()? {
                Event::End(end) => return Err(self.unmatched_end(at, &end)),
                Event::Start(s) => return self.enter(s, false).map(Some),
                Event::Empty(s) => return self.enter(s, true).map(Some),
                Event::Eof => return Ok(None),
                Event::Text(t) if !t.iter().all(|b| b.is_ascii_whitespace()) => {
                    return Err(self.malformed("text outside the root element"));
                }
                Event::CData(_) => return Err(self.malformed("content outside the root element")),
                _ => {}
            }
        }
    }

    /// After the root element: the rest of the document may hold only whitespace, comments and
    /// processing instructions. (botocore's ElementTree refuses "junk after document element";
    /// reading to the end also means a parse that succeeds has seen a well-formed document.)
    pub(super) fn finish(&mut self) -> Result<(), ParseError> {
        loop {
            // Where the next markup starts (quick-xml's position of its `<`).
            let at = self.reader.buffer_position() + self.skipped;
            match self.event()? {
                Event::Eof => return Ok(()),
                Event::End(end) => return Err(self.unmatched_end(at, &end)),
                Event::Text(t) if t.iter().all(|b| b.is_ascii_whitespace()) => {}
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) | Event::DocType(_) => {}
                _ => return Err(self.malformed("content after the root element")),
            }
        }
    }

    fn next_node(&mut self, parent: &Element<'a>) -> Result<Node<'a>, ParseError> {
        if parent.empty {
            return Ok(Node::End);
        }
        loop {
            match self.event()? {
                Event::Start(s) => return self.enter(s, false).map(Node::Child),
                Event::Empty(s) => return self.enter(s, true).map(Node::Child),
                Event::End(end) => {
                    self.close(parent, &end)?;
                    return Ok(Node::End);
                }
                Event::Text(t) => return self.unescape(t).map(Node::Text),
                Event::CData(c) => return self.cdata(c).map(Node::Text),
                Event::Eof => return Err(self.ended_inside(parent)),
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) | Event::DocType(_) => {}
            }
        }
    }

    /// The next child element of `parent`, or `None` once `parent` has ended (its end tag is
    /// consumed). Text between children is ignored.
    pub(super) fn next_child(
        &mut self,
        parent: &Element<'a>,
    ) -> Result<Option<Element<'a>>, ParseError> {
        if parent.empty {
            return Ok(None);
        }
        if let Some(found) = self.plain_child(parent) {
            return found;
        }
        // Read straight from the events (not through `next_node`): this runs for every element.
        loop {
            match self.event()? {
                Event::Start(s) => return self.enter(s, false).map(Some),
                Event::Empty(s) => return self.enter(s, true).map(Some),
                Event::End(end) => {
                    self.close(parent, &end)?;
                    return Ok(None);
                }
                // Text between children is not used, but must still be well-formed.
                Event::Text(t) => drop(self.unescape(t)?),
                Event::CData(c) => drop(self.cdata(c)?),
                Event::Eof => return Err(self.ended_inside(parent)),
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) | Event::DocType(_) => {}
            }
        }
    }

    /// [`next_child`](Self::next_child) where the body goes on the plain way: `</parent>`
    /// (the end, consumed) or a start tag without quotes (no attribute value to hold a `>`),
    /// read straight from the body as quick-xml would read it. `None` (nothing consumed) for
    /// anything else — text, comments, CDATA, another end tag, a tag that is not UTF-8 —
    /// which the event loop then reads as before.
    #[inline]
    fn plain_child(
        &mut self,
        parent: &Element<'a>,
    ) -> Option<Result<Option<Element<'a>>, ParseError>> {
        let rest = self.rest()?;
        match rest {
            [b'<', b'/', after @ ..] => {
                let name = parent.qualified_name();
                if after.len() > name.len()
                    && same_name(&after[..name.len()], name)
                    && after[name.len()] == b'>'
                {
                    self.consume(rest, name.len() + 3);
                    self.depth = self.depth.saturating_sub(1);
                    return Some(Ok(None));
                }
                None
            }
            [b'<', first, ..] if !matches!(first, b'!' | b'?') => {
                // One scan for the tag's end and any quote before it.
                let gt = memchr::memchr3(b'>', b'"', b'\'', rest)?;
                if rest[gt] != b'>' {
                    return None;
                }
                let empty = rest[..gt].ends_with(b"/");
                let content = self.rest_str(rest, 1..gt - usize::from(empty))?;
                let name_len = content
                    .bytes()
                    .position(|b| matches!(b, b' ' | b'\r' | b'\n' | b'\t'))
                    .unwrap_or(content.len());
                self.consume(rest, gt + 1);
                Some(
                    self.enter(BytesStart::from_content(content, name_len), empty)
                        .map(Some),
                )
            }
            _ => None,
        }
    }

    /// The text of a leaf `elem` written the plain way, `text</name>` right after its start
    /// tag, read straight from the body and consumed; `None` (nothing consumed) for anything
    /// else — child elements, CDATA, comments, an end tag spelled otherwise, text that is not
    /// UTF-8 or has a bad entity — which the event loop then reads (and reports) as before.
    ///
    /// Nearly every element of a listing is such a leaf; this spares quick-xml's text and end
    /// events for each. The text is checked as the events would check it: UTF-8, then the
    /// predefined entities and character references unescaped by quick-xml's own function.
    #[inline]
    fn leaf_text(&mut self, elem: &Element<'a>) -> Option<Cow<'a, str>> {
        // Right after its start tag (nothing read since), quick-xml is between markup and the
        // rest of the body is what its slice holds.
        let rest: &'a [u8] = self.reader.get_ref();
        if !self.fast || rest.len() != elem.rest_len {
            return None;
        }
        // One scan for the text's end and, on the way, any entity in it.
        // A carriage return is left to the event loop, which normalizes line ends.
        let first = memchr::memchr3(b'<', b'&', b'\r', rest)?;
        if rest[first] == b'\r' {
            return None;
        }
        let escaped = rest[first] == b'&';
        let lt = if escaped {
            first + memchr::memchr(b'<', &rest[first..])?
        } else {
            first
        };
        let name = elem.qualified_name();
        let after = &rest[lt + 1..];
        let end_len = name.len() + 2;
        if after.len() < end_len
            || after[0] != b'/'
            || !same_name(&after[1..end_len - 1], name)
            || after[end_len - 1] != b'>'
        {
            return None;
        }
        let text = self.rest_str(rest, 0..lt)?;
        if escaped && memchr::memchr(b'\r', text.as_bytes()).is_some() {
            return None;
        }
        let text = if escaped {
            match quick_xml::escape::unescape(text).ok()? {
                Cow::Borrowed(_) => Cow::Borrowed(text),
                Cow::Owned(owned) => Cow::Owned(owned),
            }
        } else {
            Cow::Borrowed(text)
        };
        self.consume(rest, lt + 1 + end_len);
        self.depth = self.depth.saturating_sub(1);
        Some(text)
    }

    /// The text of `elem` (empty for `<a/>` or `<a></a>`), consuming it through its end tag.
    /// Child elements are skipped.
    pub(super) fn text(&mut self, elem: &Element<'a>) -> Result<Cow<'a, str>, ParseError> {
        if elem.empty {
            return Ok(Cow::Borrowed(""));
        }
        if let Some(text) = self.leaf_text(elem) {
            return Ok(text);
        }
        // Read straight from the events (not through `next_node`): this runs for every leaf.
        let mut text: Cow<'a, str> = Cow::Borrowed("");
        loop {
            match self.event()? {
                Event::Text(t) => {
                    let t = self.unescape(t)?;
                    if text.is_empty() {
                        text = t;
                    } else {
                        text.to_mut().push_str(&t);
                    }
                }
                Event::End(end) => {
                    self.close(elem, &end)?;
                    return Ok(text);
                }
                Event::CData(c) => {
                    let c = self.cdata(c)?;
                    text.to_mut().push_str(&c);
                }
                Event::Start(start) => {
                    let child = self.enter(start, false)?;
                    self.skip(&child)?;
                }
                Event::Eof => return Err(self.ended_inside(elem)),
                Event::Empty(_)
                | Event::Comment(_)
                | Event::PI(_)
                | Event::Decl(_)
                | Event::DocType(_) => {}
            }
        }
    }

    /// Consume `elem` through its end tag without recursion.
    pub(super) fn skip(&mut self, elem: &Element<'a>) -> Result<(), ParseError> {
        if elem.empty {
            return Ok(());
        }
        // The names of the elements open inside `elem` (copied: skipping is the rare path).
        let mut open: Vec<Vec<u8>> = Vec::new();
        loop {
            match self.event()? {
                Event::Start(start) => open.push(start.name().into_inner().to_vec()),
                Event::End(end) => {
                    let name = end.name().into_inner();
                    match open.pop() {
                        Some(start) => self.check_end(&start, name)?,
                        None => {
                            self.check_end(elem.qualified_name(), name)?;
                            self.depth = self.depth.saturating_sub(1);
                            return Ok(());
                        }
                    }
                }
                Event::Eof => {
                    return Err(self.malformed(format!(
                        "document ends inside <{}>",
                        String::from_utf8_lossy(elem.qualified_name())
                    )))
                }
                _ => {}
            }
        }
    }

    /// Read `elem` without a shape, as botocore turns error bodies into dicts: an element with
    /// children becomes a map of child name to value, a leaf becomes its text, and an empty
    /// leaf becomes null. A name repeated among the children is the first occurrence's map of
    /// children, so an empty map when that occurrence is a leaf (botocore reads the repeats as
    /// a list and then the list's first element as a parent).
    pub(super) fn tree(&mut self, elem: &Element<'a>) -> Result<Value, ParseError> {
        let mut text: Option<Cow<'a, str>> = None;
        let mut children: Option<Map> = None;
        loop {
            match self.next_node(elem)? {
                Node::Text(t) => {
                    if children.is_none() {
                        match &mut text {
                            Some(existing) => existing.to_mut().push_str(&t),
                            None => text = Some(t),
                        }
                    }
                }
                Node::Child(c) => {
                    let name = String::from_utf8_lossy(c.local_name()).into_owned();
                    let value = self.tree(&c)?;
                    let children = children.get_or_insert_with(Map::default);
                    match children.get_mut(name.as_str()) {
                        Some(first @ (Value::String(_) | Value::Null)) => {
                            *first = Value::Map(Map::default())
                        }
                        Some(_) => {}
                        None => {
                            children.insert(name.into(), value);
                        }
                    }
                }
                Node::End => break,
            }
        }
        Ok(match (children, text) {
            (Some(map), _) => Value::Map(map),
            (None, Some(t)) if !t.is_empty() => Value::String(t.into()),
            _ => Value::Null,
        })
    }
}

/// Reads XML into values as a model's shapes describe them.
pub(crate) struct ShapeReader<'m> {
    model: &'m ServiceModel,
    /// How timestamps are read (botocore's `timestamp_parser`).
    timestamps: TimestampParsing,
    /// The member tables of the structures read so far in this parse, by structure (see
    /// [`StructPlan`]): a listing reads a thousand objects with one table.
    plans: RefCell<Vec<(*const Structure, Rc<StructPlan<'m>>)>>,
}

/// What reading a structure's children needs of each member, resolved once per structure and
/// parse instead of once per element: the element name it is found under, its target shape, and
/// its name as a ready-hashed map key.
struct StructPlan<'m> {
    members: Vec<MemberPlan<'m>>,
}

struct MemberPlan<'m> {
    /// The element name the member is found under; `None` for members the body cannot carry
    /// (headers, status code, event headers).
    element: Option<Box<[u8]>>,
    shape: &'m Shape,
    /// A flattened list or map: each occurrence adds to the member (rather than the first
    /// occurrence being the member).
    flattened: bool,
    key: HashedKey,
    /// Another member, a flattened list or map found under the same element name, that takes
    /// every occurrence instead of this one (S3's deprecated notification configurations name
    /// both `Events` and the old `Event` `<Event>`): nothing is lost to the scalar.
    collected_by: Option<usize>,
}

impl StructPlan<'_> {
    /// Assemble the parsed members (slots indexed like the members) in model order.
    fn finish(&self, mut slots: Slots) -> Map {
        let mut out = crate::value::map_with_capacity(slots.iter().filter(|s| s.is_some()).count());
        for (member, slot) in self.members.iter().zip(slots.iter_mut()) {
            if let Some(v) = slot.take() {
                member.key.insert_new(&mut out, v);
            }
        }
        out
    }
}

/// A member of a structure that XML bodies can carry (header, status-code and event-header
/// members are read elsewhere).
fn in_body(member: &ShapeRef) -> bool {
    !matches!(
        member.location,
        Location::Header | Location::Headers | Location::StatusCode
    ) && !member.event_header
}

impl<'m> ShapeReader<'m> {
    pub(super) fn new(model: &'m ServiceModel, timestamps: TimestampParsing) -> Self {
        ShapeReader {
            model,
            timestamps,
            plans: RefCell::new(Vec::new()),
        }
    }

    /// The element name a structure member is found under: a flattened list's items carry the
    /// list member's name when it has one, otherwise the member's wire name.
    fn element_name<'s>(&self, member: &'s ShapeRef) -> &'s str
    where
        'm: 's,
    {
        if member.flattened {
            if let ShapeKind::List(item) = &self.model.shape(member.shape).kind {
                if let Some(name) = item.location_name.as_deref() {
                    return name;
                }
            }
        }
        member.wire_name()
    }

    /// The member table of `s`, made on its first use in this parse.
    fn plan(&self, s: &Structure) -> Rc<StructPlan<'m>> {
        let id: *const Structure = s;
        if let Some((_, plan)) = self.plans.borrow().iter().find(|(p, _)| *p == id) {
            return Rc::clone(plan);
        }
        let mut members: Vec<MemberPlan<'m>> = s
            .members
            .iter()
            .map(|(name, m)| MemberPlan {
                element: in_body(m).then(|| self.element_name(m).as_bytes().into()),
                shape: self.model.shape(m.shape),
                flattened: m.flattened,
                key: HashedKey::new(name),
                collected_by: None,
            })
            .collect();
        for i in 0..members.len() {
            if members[i].flattened || members[i].element.is_none() {
                continue;
            }
            members[i].collected_by = (0..members.len()).find(|&j| {
                j != i
                    && members[j].flattened
                    && matches!(
                        members[j].shape.kind,
                        ShapeKind::List(_) | ShapeKind::Map { .. }
                    )
                    && members[j].element == members[i].element
            });
        }
        let plan = Rc::new(StructPlan { members });
        self.plans.borrow_mut().push((id, Rc::clone(&plan)));
        plan
    }

    /// Parse `elem` as the shape `sref` points at, consuming it.
    pub(super) fn value<'a>(
        &self,
        r: &mut XmlReader<'a>,
        sref: &ShapeRef,
        elem: &Element<'a>,
    ) -> Result<Value, ParseError> {
        self.shape_value(r, self.model.shape(sref.shape), elem)
    }

    /// Parse `elem` as `shape`, consuming it.
    fn shape_value<'a>(
        &self,
        r: &mut XmlReader<'a>,
        shape: &'m Shape,
        elem: &Element<'a>,
    ) -> Result<Value, ParseError> {
        match &shape.kind {
            ShapeKind::Structure(s) if s.document => r.tree(elem).map(Value::document),
            ShapeKind::Structure(s) => self.structure(r, &shape.name, s, elem),
            ShapeKind::List(item) => {
                let item_shape = self.model.shape(item.shape);
                let mut items = Vec::new();
                while let Some(child) = r.next_child(elem)? {
                    let index = items.len();
                    items.push(
                        self.shape_value(r, item_shape, &child)
                            .map_err(|e| e.within(PathSegment::Index(index)))?,
                    );
                }
                Ok(Value::List(items))
            }
            ShapeKind::Map { key, value } => {
                let mut map = Map::default();
                while let Some(entry) = r.next_child(elem)? {
                    self.map_entry(r, key, value, &entry, &mut map)?;
                }
                Ok(Value::Map(map))
            }
            // Text that had to be unescaped is already an owned string: a long one keeps its
            // buffer, a short one is copied inline (24 bytes or less) and its buffer freed.
            // (Each text is taken apart where `text` wrote it, rather than moved out whole: see
            // `fill_planned`.)
            ShapeKind::String => match r.text(elem) {
                Ok(Cow::Borrowed(text)) => Ok(Value::String(Text::from(text))),
                Ok(Cow::Owned(text)) => Ok(Value::String(Text::from(text))),
                Err(e) => Err(e),
            },
            kind => {
                let text = r.text(elem);
                match &text {
                    Ok(text) => text_value(kind, text, self.timestamps),
                    Err(_) => text.map(|_| Value::Null),
                }
            }
        }
    }

    /// One `<entry><key>k</key><value>v</value></entry>` of a map (or one occurrence of a
    /// flattened map), named by the key/value refs' `locationName` or `key`/`value`.
    fn map_entry<'a>(
        &self,
        r: &mut XmlReader<'a>,
        key: &ShapeRef,
        value: &ShapeRef,
        entry: &Element<'a>,
        map: &mut Map,
    ) -> Result<(), ParseError> {
        let key_name = key.location_name.as_deref().unwrap_or("key").as_bytes();
        let value_name = value.location_name.as_deref().unwrap_or("value").as_bytes();
        let mut k: Option<String> = None;
        let mut v: Option<Value> = None;
        while let Some(part) = r.next_child(entry)? {
            let name = part.local_name();
            if name == key_name {
                k = Some(r.text(&part)?.into_owned());
            } else if name == value_name {
                let parsed = self.value(r, value, &part).map_err(|e| match &k {
                    Some(k) => e.within(PathSegment::Key(k)),
                    None => e,
                })?;
                v = Some(parsed);
            } else {
                return Err(ParseError::invalid(
                    "a map entry's key or value element",
                    &String::from_utf8_lossy(name),
                ));
            }
        }
        if let Some(k) = k {
            map.insert(k.into(), v.unwrap_or(Value::Null));
        }
        Ok(())
    }

    /// A structure element into a map (members in model order); a union naming a member this
    /// client does not know becomes botocore's `SDK_UNKNOWN_MEMBER` value.
    pub(super) fn structure<'a>(
        &self,
        r: &mut XmlReader<'a>,
        shape_name: &str,
        s: &Structure,
        elem: &Element<'a>,
    ) -> Result<Value, ParseError> {
        let plan = self.plan(s);
        let mut slots = Slots::new(s.members.len());
        let unknown =
            self.fill_planned(r, shape_name, s, &plan, elem, &mut slots, &mut |r, c| {
                r.skip(c)
            })?;
        if let Some(tag) = unknown {
            return Ok(unknown_union_member(&tag));
        }
        Ok(Value::Map(plan.finish(slots)))
    }

    /// Read a structure element's children into `slots` (indexed like `s.members`; slots
    /// already filled, e.g. from headers, are kept). Children no member claims go to
    /// `unmatched`. Returns the tag of an unknown union member, if that is what was read.
    pub(super) fn fill_structure<'a>(
        &self,
        r: &mut XmlReader<'a>,
        shape_name: &str,
        s: &Structure,
        elem: &Element<'a>,
        slots: &mut [Option<Value>],
        unmatched: &mut dyn FnMut(&mut XmlReader<'a>, &Element<'a>) -> Result<(), ParseError>,
    ) -> Result<Option<String>, ParseError> {
        let plan = self.plan(s);
        self.fill_planned(r, shape_name, s, &plan, elem, slots, unmatched)
    }

    #[allow(clippy::too_many_arguments)]
    fn fill_planned<'a>(
        &self,
        r: &mut XmlReader<'a>,
        shape_name: &str,
        s: &Structure,
        plan: &StructPlan<'m>,
        elem: &Element<'a>,
        slots: &mut [Option<Value>],
        unmatched: &mut dyn FnMut(&mut XmlReader<'a>, &Element<'a>) -> Result<(), ParseError>,
    ) -> Result<Option<String>, ParseError> {
        let members = &plan.members[..];
        // Distinct child names, only tracked for unions (which must have exactly one).
        let mut union_tags: Vec<Vec<u8>> = Vec::new();
        // Elements mostly come in model order, so the search starts after the last member
        // found (and wraps around).
        let mut next = 0;
        loop {
            // The child is used where `next_child` wrote it, not moved out of the `Result`
            // first: that move read it back with wider loads than the stores that had just
            // written it, and profiles put 6 % of a 1,000-key listing on those loads (the
            // processor waits for such stores to land; `BENCHMARKS.md`, sixteenth reading).
            let read = r.next_child(elem);
            let child = match &read {
                Ok(Some(child)) => child,
                Ok(None) => break,
                Err(_) => return read.map(|_| None),
            };
            let local = child.local_name();
            if s.union && !union_tags.iter().any(|t| t == local) {
                union_tags.push(local.to_vec());
            }
            let is_child = |i: &usize| {
                members[*i]
                    .element
                    .as_deref()
                    .is_some_and(|e| same_name(e, local))
            };
            let start = next.min(members.len());
            let Some(index) = (start..members.len()).chain(0..start).find(is_child) else {
                unmatched(r, child)?;
                continue;
            };
            let index = members[index].collected_by.unwrap_or(index);
            next = index + 1;
            let member = &members[index];
            let within = |e: ParseError| match s.members.get_index(index) {
                Some((name, _)) => e.within(PathSegment::Member(name)),
                None => e,
            };
            match &member.shape.kind {
                ShapeKind::List(item) if member.flattened => {
                    let slot = &mut slots[index];
                    if !matches!(slot, Some(Value::List(_))) {
                        *slot = Some(Value::List(Vec::new()));
                    }
                    if let Some(Value::List(items)) = slot {
                        let i = items.len();
                        let v = self
                            .value(r, item, child)
                            .map_err(|e| within(e.within(PathSegment::Index(i))))?;
                        items.push(v);
                    }
                }
                ShapeKind::Map { key, value } if member.flattened => {
                    let slot = &mut slots[index];
                    if !matches!(slot, Some(Value::Map(_))) {
                        *slot = Some(Value::Map(Map::default()));
                    }
                    if let Some(Value::Map(map)) = slot {
                        self.map_entry(r, key, value, child, map).map_err(within)?;
                    }
                }
                _ if slots[index].is_some() => r.skip(child)?,
                _ => slots[index] = Some(self.shape_value(r, member.shape, child).map_err(within)?),
            }
        }
        for (member, slot) in s.members.values().zip(slots.iter_mut()) {
            if member.xml_attribute && slot.is_none() {
                if let Some(text) = elem.attribute(member.wire_name()) {
                    let kind = &self.model.shape(member.shape).kind;
                    *slot = Some(
                        text_value(kind, &text, self.timestamps)
                            .map_err(|e| e.within(PathSegment::Member(&member.name)))?,
                    );
                }
            }
        }
        if s.union {
            if union_tags.len() != 1 {
                return Err(ParseError::Union {
                    shape: shape_name.to_string(),
                    found: union_tags.len(),
                    path: String::new(),
                });
            }
            let tag = &union_tags[0];
            if !s
                .members
                .values()
                .any(|m| m.wire_name().as_bytes() == &tag[..])
            {
                return Ok(Some(String::from_utf8_lossy(tag).into_owned()));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_name_is_slice_equality() {
        // Every length up to past the widest read, with a difference at each position.
        let base: Vec<u8> = (0u8..24).map(|i| b'a' + i).collect();
        for n in 0..=20 {
            let a = &base[..n];
            assert!(same_name(a, &base[..n]), "{n}");
            assert!(!same_name(a, &base[..n + 1]), "{n}");
            for i in 0..n {
                let mut b = a.to_vec();
                b[i] ^= 0x20;
                assert_eq!(same_name(a, &b), a == &b[..], "{n} {i}");
                assert!(!same_name(a, &b), "{n} {i}");
            }
        }
    }

    fn tree(xml: &str) -> Result<Value, ParseError> {
        let mut r = XmlReader::new(xml.as_bytes());
        let root = r.root()?.expect("root");
        r.tree(&root)
    }

    #[test]
    fn tree_reads_leaves_maps_and_nulls() {
        let v = tree(
            "<E><Error><Code>X</Code><Detail/><M>a &amp; b</M></Error><RequestId>r</RequestId></E>",
        )
        .unwrap();
        assert_eq!(v["Error"]["Code"].as_str(), Some("X"));
        assert!(v["Error"]["Detail"].is_null());
        assert_eq!(v["Error"]["M"].as_str(), Some("a & b"));
        assert_eq!(v["RequestId"].as_str(), Some("r"));
    }

    #[test]
    fn malformed_and_deep_documents_are_errors() {
        assert!(matches!(
            tree("<a><b></a>"),
            Err(ParseError::Malformed { .. })
        ));
        assert!(matches!(tree("<a><b>"), Err(ParseError::Malformed { .. })));
        assert!(matches!(
            tree("<a>&bogus;</a>"),
            Err(ParseError::Malformed { .. })
        ));
        let deep = "<a>".repeat(10_000) + &"</a>".repeat(10_000);
        assert!(matches!(tree(&deep), Err(ParseError::TooDeep { .. })));
    }

    /// A reader with or without the paths that read plain markup past quick-xml.
    fn reader(body: &[u8], fast: bool) -> XmlReader<'_> {
        let mut r = XmlReader::new(body);
        r.fast = fast;
        r
    }

    /// Every child of `<r>…</r>` read as a leaf through `text`, with or without the fast
    /// paths: the texts, then the first error's message (its byte position included), then
    /// how the document ends.
    fn leaves(xml: &str, fast: bool) -> Vec<Result<String, String>> {
        leaves_of(reader(xml.as_bytes(), fast))
    }

    /// [`leaves`] read the fast way, each name and text checked as UTF-8 on its own (as when
    /// the body as a whole is not UTF-8) rather than sliced out of the body's text.
    fn leaves_checked_piecewise(xml: &str) -> Vec<Result<String, String>> {
        let mut r = reader(xml.as_bytes(), true);
        r.text = None;
        leaves_of(r)
    }

    fn leaves_of(mut r: XmlReader<'_>) -> Vec<Result<String, String>> {
        let root = r.root().unwrap().unwrap();
        let mut out = Vec::new();
        loop {
            let child = match r.next_child(&root) {
                Ok(Some(child)) => child,
                Ok(None) => {
                    out.push(
                        r.finish()
                            .map(|()| "end".to_string())
                            .map_err(|e| e.to_string()),
                    );
                    break;
                }
                Err(e) => {
                    out.push(Err(e.to_string()));
                    break;
                }
            };
            match r.text(&child) {
                Ok(t) => out.push(Ok(t.into_owned())),
                Err(e) => {
                    out.push(Err(e.to_string()));
                    break;
                }
            }
        }
        out
    }

    #[test]
    fn leaf_fast_path_reads_what_the_events_read() {
        let bodies = [
            "<r><a>x</a><b></b><c/><d>a &amp; b &lt;&#65;&#x42;&gt;</d><e>1 > 0</e></r>",
            "<r><p:a>x</p:a><a >y</a ><a>z</a\n></r>",
            "<r><a>x<!-- c -->y</a><b><![CDATA[<z>]]></b><c>t<i>skip</i>u</c></r>",
            "<r><a>ok</a><b>&bogus;</b><c>never</c></r>",
            "<r><a>ok</a><b>&#xFFFFFFFF;</b></r>",
            "<r><a>ok</a><b>x</c></r>",
            "<r><a>ok</a><b>x</bb></r>",
            "<r><a>ok</a><b>x</b",
            "<r><a>ok</a><b>x",
            "<r><a>ok</a><b>x</b></r><junk/>",
            "<r>\n  <a>\n spaced \n</a>\n  <b>\t</b>\n</r>",
            "<r><a>é ü 日本</a><b>ok</b></r>",
            "<r><a x='1>'>v</a><b y=\"2\" >w</b><c z=\"&amp;\"/><d/><e\t/></r>",
            "<r><a>1</a><b>2</b></r ></r>",
            "<r><a>1</a></r></a>",
            "<r><a>1</a></q>",
            "<r><a><b>1</b></a><c>2</c><d/></r>",
            "<r><a>1</a><!-- c --><?pi x?><b>2</b></r>",
            "<r><>x</><a>1</a></r>",
            "<r>< a>x</ a><a >y</a></r>",
            "<r><a/ ><b>1</b></r>",
            "<r><a>1</a><b>2</b></r>\n<!-- after -->\n",
            "<r><a>1</a><b>2</b></r>trailing",
            "<r><a>1</a><b>2",
            "<r><a>1</a><",
            "<r><a>1</a></",
            "<r><a>1</a></r",
            // Names that are not ASCII, and a body that starts with a byte order mark (the
            // text the fast paths slice is the body after it).
            "<r><é>x</é><日 a=\"1\">y</日><ü/></r>",
            "\u{FEFF}<r><a>x</a><b>é</b></r>",
        ];
        for body in bodies {
            let slow = leaves(body, false);
            assert_eq!(leaves(body, true), slow, "{body}");
            assert_eq!(leaves_checked_piecewise(body), slow, "{body}");
        }
        let ok = |texts: &[&str]| -> Vec<Result<String, String>> {
            texts.iter().map(|t| Ok(t.to_string())).collect()
        };
        assert_eq!(
            leaves("<r><é>x</é><日 a=\"1\">y</日><ü/></r>", true),
            ok(&["x", "y", "", "end"])
        );
        assert_eq!(
            leaves("\u{FEFF}<r><a>x</a><b>é</b></r>", true),
            ok(&["x", "é", "end"])
        );
        // Not UTF-8: both refuse the same way.
        let mut bad = b"<r><a>ok</a><b>".to_vec();
        bad.extend_from_slice(&[0xff, 0xfe]);
        bad.extend_from_slice(b"</b></r>");
        let read = |fast: bool| {
            let mut r = reader(&bad, fast);
            assert!(r.text.is_none());
            let root = r.root().unwrap().unwrap();
            let a = r.next_child(&root).unwrap().unwrap();
            assert_eq!(r.text(&a).unwrap(), "ok");
            let b = r.next_child(&root).unwrap().unwrap();
            r.text(&b).unwrap_err().to_string()
        };
        assert_eq!(read(true), read(false));
        // And the fast path still reads its plain leaves, each checked on its own.
        let mut r = XmlReader::new(&bad);
        let root = r.root().unwrap().unwrap();
        let a = r.next_child(&root).unwrap().unwrap();
        assert!(matches!(r.leaf_text(&a), Some(Cow::Borrowed("ok"))));
        // An end tag after the root is refused as quick-xml refuses it, at the same byte.
        for body in ["<r><a>x</a></r></a>", "<r><a>x</a></r> \n</r >"] {
            let finished = |fast: bool| {
                let mut r = reader(body.as_bytes(), fast);
                let root = r.root().unwrap().unwrap();
                let a = r.next_child(&root).unwrap().unwrap();
                assert_eq!(r.text(&a).unwrap(), "x");
                assert!(r.next_child(&root).unwrap().is_none());
                r.finish().unwrap_err().to_string()
            };
            let slow = finished(false);
            assert!(slow.contains("does not match any open tag"), "{slow}");
            assert_eq!(finished(true), slow, "{body}");
        }
        // The fast path did read the plain leaves, and text with entities is unescaped.
        let mut r = XmlReader::new(b"<r><a>a &amp; b</a><b>plain</b></r>");
        let root = r.root().unwrap().unwrap();
        let a = r.next_child(&root).unwrap().unwrap();
        assert!(matches!(r.leaf_text(&a), Some(Cow::Owned(t)) if t == "a & b"));
        let b = r.next_child(&root).unwrap().unwrap();
        assert!(matches!(r.leaf_text(&b), Some(Cow::Borrowed("plain"))));
        assert!(r.next_child(&root).unwrap().is_none());
        r.finish().unwrap();
    }

    #[test]
    fn skipping_is_iterative() {
        let deep = format!(
            "<r><x>{}{}</x><y>1</y></r>",
            "<a>".repeat(50_000),
            "</a>".repeat(50_000)
        );
        let mut r = XmlReader::new(deep.as_bytes());
        let root = r.root().unwrap().unwrap();
        let x = r.next_child(&root).unwrap().unwrap();
        r.skip(&x).unwrap();
        let y = r.next_child(&root).unwrap().unwrap();
        assert_eq!(r.text(&y).unwrap(), "1");
        assert!(r.next_child(&root).unwrap().is_none());
        // End tags are checked in skipped elements too.
        for bad in [
            "<r><x><a></b></x></r>",
            "<r><x><a></a></y></r>",
            "<r><x></r>",
        ] {
            let mut r = XmlReader::new(bad.as_bytes());
            let root = r.root().unwrap().unwrap();
            let x = r.next_child(&root).unwrap().unwrap();
            assert!(
                matches!(r.skip(&x), Err(ParseError::Malformed { .. })),
                "{bad}"
            );
        }
    }
}
