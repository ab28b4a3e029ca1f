//! A minimal streaming XML writer for request bodies: elements, attributes and escaped text.
//!
//! Escaping follows what botocore's ElementTree writes and what the protocol tests expect:
//! text escapes `&`, `<`, `>` (and `\r` as `&#xD;`, so a parser does not fold it into `\n`);
//! attribute values also escape `"`, `\n`, `\r` and `\t`, which a parser would otherwise
//! normalise to spaces.

/// Writes XML into a `String`; the caller opens and closes elements in order.
pub(crate) struct XmlWriter {
    out: String,
    /// True while the current start tag is still open (`<name attr="…"` without `>`).
    tag_open: bool,
}

impl XmlWriter {
    pub(crate) fn new() -> Self {
        XmlWriter {
            out: String::with_capacity(256),
            tag_open: false,
        }
    }

    /// Begin `<name`; attributes may follow until text or a child is written.
    pub(crate) fn start(&mut self, name: &str) {
        self.close_tag();
        self.out.push('<');
        self.out.push_str(name);
        self.tag_open = true;
    }

    /// Add ` name="value"` to the element just started.
    pub(crate) fn attribute(&mut self, name: &str, value: &str) {
        debug_assert!(self.tag_open, "attribute written outside a start tag");
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        escape_attribute(value, &mut self.out);
        self.out.push('"');
    }

    /// Escaped character data inside the current element. Empty text leaves the element
    /// empty, as ElementTree does with `text = ''`.
    pub(crate) fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.close_tag();
        escape_text(text, &mut self.out);
    }

    /// `</name>` for the element `name` started last, or ` />` when it is still empty
    /// (ElementTree's short form, space included: botocore's bytes).
    pub(crate) fn end(&mut self, name: &str) {
        if self.tag_open {
            self.out.push_str(" />");
            self.tag_open = false;
        } else {
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push('>');
        }
    }

    /// The document written so far.
    pub(crate) fn finish(mut self) -> String {
        self.close_tag();
        self.out
    }

    fn close_tag(&mut self) {
        if self.tag_open {
            self.out.push('>');
            self.tag_open = false;
        }
    }
}

/// Escape character data.
pub(crate) fn escape_text(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(i) = rest.find(['&', '<', '>', '\r']) {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            _ => "&#xD;",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// Escape an attribute value (double-quoted).
pub(crate) fn escape_attribute(value: &str, out: &mut String) {
    let mut rest = value;
    while let Some(i) = rest.find(['&', '<', '>', '"', '\r', '\n', '\t']) {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\r' => "&#xD;",
            b'\n' => "&#xA;",
            _ => "&#x9;",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_nested_elements_with_escaping() {
        let mut w = XmlWriter::new();
        w.start("Root");
        w.attribute("xmlns", "https://example.com/\"ns\"");
        w.start("A");
        w.text("1 < 2 & 3 > 2\r\n");
        w.end("A");
        w.start("Empty");
        w.end("Empty");
        w.start("Blank");
        w.text("");
        w.end("Blank");
        w.end("Root");
        assert_eq!(
            w.finish(),
            "<Root xmlns=\"https://example.com/&quot;ns&quot;\"><A>1 &lt; 2 &amp; 3 &gt; 2&#xD;\n</A><Empty /><Blank /></Root>"
        );
    }

    #[test]
    fn attribute_whitespace_is_escaped() {
        let mut out = String::new();
        escape_attribute("a\tb\nc\rd", &mut out);
        assert_eq!(out, "a&#x9;b&#xA;c&#xD;d");
    }
}
