//! `--output table` as aws-cli draws it: the result walked into titled sections (an object's
//! scalar members as one header row and one value row, or a key/value row when there is only
//! one; a list of objects as rows under the union of their scalar keys; nested values as
//! indented sections titled by their key), then drawn with `|`, `+` and `-` to the width of
//! the widest section, columns scaled to it (Python's rounding), sections turned into
//! key/value rows when the table would not fit the terminal. With colour, values are bright
//! blue and the indentation bars dim yellow, as aws-cli colours them.

use serde_json::Value as J;

use crate::render::python_str;

#[derive(Default)]
struct Section {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    indent: usize,
    columns: Option<usize>,
    max_widths: Vec<usize>,
}

impl Section {
    fn update_widths(&mut self, row: &[String]) {
        if self.max_widths.is_empty() {
            self.max_widths = row.iter().map(|c| text_width(c)).collect();
        } else {
            for (i, cell) in row.iter().enumerate() {
                if let Some(w) = self.max_widths.get_mut(i) {
                    *w = (*w).max(text_width(cell));
                }
            }
        }
    }

    fn add_header(&mut self, headers: Vec<String>) {
        self.update_widths(&headers);
        self.columns.get_or_insert(headers.len());
        self.headers = headers;
    }

    fn add_row(&mut self, row: Vec<String>) {
        self.columns.get_or_insert(row.len());
        self.update_widths(&row);
        self.rows.push(row);
    }

    fn column_widths(&self, padding: usize, max_width: Option<usize>) -> Vec<usize> {
        let unscaled: Vec<usize> = self.max_widths.iter().map(|w| w + padding).collect();
        let Some(max_width) = max_width else {
            return unscaled;
        };
        if unscaled.is_empty() {
            return unscaled;
        }
        let scale = max_width as f64 / unscaled.iter().sum::<usize>() as f64;
        let mut scaled: Vec<i64> = unscaled
            .iter()
            .map(|w| round_half_even(scale * *w as f64))
            .collect();
        let mut off_by = scaled.iter().sum::<i64>() - max_width as i64;
        while off_by != 0 {
            let order: Vec<usize> = if off_by < 0 {
                (0..scaled.len()).rev().collect()
            } else {
                (0..scaled.len()).collect()
            };
            for i in order {
                if off_by > 0 {
                    scaled[i] -= 1;
                    off_by -= 1;
                } else {
                    scaled[i] += 1;
                    off_by += 1;
                }
                if off_by == 0 {
                    break;
                }
            }
        }
        scaled.into_iter().map(|w| w.max(0) as usize).collect()
    }

    fn total_width(&self) -> usize {
        let outer = self.indent * 2;
        let total: usize = self
            .column_widths(0, None)
            .iter()
            .map(|w| w + 4)
            .sum::<usize>()
            + 2;
        (text_width(&self.title) + 2 + outer).max(total + outer)
    }
}

/// Python's `round()`: halves to even.
fn round_half_even(x: f64) -> i64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 && (r as i64) % 2 != 0 {
        (r - x.signum()) as i64
    } else {
        r as i64
    }
}

/// Columns a text takes as aws-cli counts them: two for a character of East Asian width
/// wide, full-width or ambiguous (Python's `unicodedata`), one for any other (combining marks
/// and zero-width characters included).
fn text_width(text: &str) -> usize {
    text.chars()
        .map(|c| {
            if crate::pyunicode::contains(crate::pyunicode::WIDE, c) {
                2
            } else {
                1
            }
        })
        .sum()
}

fn is_scalar(v: &J) -> bool {
    !matches!(v, J::Object(_) | J::Array(_))
}

/// Python truthiness, which decides whether a value gets a section at all.
fn is_truthy(v: &J) -> bool {
    match v {
        J::Null => false,
        J::Bool(b) => *b,
        J::Number(n) => n.as_f64() != Some(0.0),
        J::String(s) => !s.is_empty(),
        J::Array(a) => !a.is_empty(),
        J::Object(o) => !o.is_empty(),
    }
}

fn cell(v: &J) -> String {
    python_str(v)
}

struct Builder {
    sections: Vec<Section>,
}

impl Builder {
    fn current(&mut self) -> &mut Section {
        if self.sections.is_empty() {
            self.sections.push(Section::default());
        }
        let last = self.sections.len() - 1;
        &mut self.sections[last]
    }

    fn new_section(&mut self, title: &str, indent: usize) {
        self.sections.push(Section {
            title: title.to_string(),
            indent,
            ..Default::default()
        });
    }

    fn build(&mut self, title: Option<&str>, current: &J, indent: usize) -> bool {
        if !is_truthy(current) {
            return false;
        }
        if let Some(title) = title {
            self.new_section(title, indent);
        }
        if let J::Array(items) = current {
            if items.first().is_some_and(J::is_object) {
                self.sub_table_from_list(items, indent, title.unwrap_or(""));
            } else {
                for item in items {
                    match item {
                        scalar if is_scalar(scalar) => self.current().add_row(vec![cell(scalar)]),
                        J::Array(els) if els.iter().all(is_scalar) => {
                            self.current().add_row(els.iter().map(cell).collect())
                        }
                        // Iterating an object gives its keys, all scalars.
                        J::Object(m) => self.current().add_row(m.keys().cloned().collect()),
                        other => {
                            self.build(None, other, 0);
                        }
                    }
                }
            }
        }
        if let J::Object(map) = current {
            self.sub_table_from_dict(map, indent);
        }
        true
    }

    fn sub_table_from_dict(&mut self, map: &serde_json::Map<String, J>, indent: usize) {
        let (headers, more) = group_keys(map);
        if headers.len() == 1 {
            let value = cell(&map[headers[0].as_str()]);
            self.current().add_row(vec![headers[0].clone(), value]);
        } else if !headers.is_empty() {
            let row = headers.iter().map(|k| cell(&map[k.as_str()])).collect();
            self.current().add_header(headers);
            self.current().add_row(row);
        }
        for key in more {
            self.build(Some(&key), &map[key.as_str()], indent + 1);
        }
    }

    fn sub_table_from_list(&mut self, items: &[J], indent: usize, title: &str) {
        let mut headers: Vec<String> = Vec::new();
        let mut more: Vec<String> = Vec::new();
        for item in items.iter().filter_map(J::as_object) {
            let (h, m) = group_keys(item);
            headers.extend(h);
            more.extend(m);
        }
        headers.sort();
        headers.dedup();
        more.sort();
        more.dedup();
        self.current().add_header(headers.clone());
        let mut first = true;
        for element in items {
            if !first && !more.is_empty() {
                self.new_section(title, indent);
                self.current().add_header(headers.clone());
            }
            first = false;
            let obj = element.as_object();
            let row = headers
                .iter()
                .map(|h| {
                    obj.and_then(|o| o.get(h.as_str()))
                        .map_or(String::new(), cell)
                })
                .collect();
            self.current().add_row(row);
            for key in &more {
                if let Some(value) = obj.and_then(|o| o.get(key.as_str())) {
                    self.build(Some(key), value, indent + 1);
                }
            }
        }
    }
}

/// An object's keys: those of scalar values and the others, each sorted.
fn group_keys(map: &serde_json::Map<String, J>) -> (Vec<String>, Vec<String>) {
    let (mut headers, mut more): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for (key, value) in map {
        if is_scalar(value) {
            headers.push(key.clone());
        } else {
            more.push(key.clone());
        }
    }
    headers.sort();
    more.sort();
    (headers, more)
}

const VALUE_STYLE: &str = "\x1b[1m\x1b[34m";
const BAR_STYLE: &str = "\x1b[2m\x1b[33m";
const RESET: &str = "\x1b[0m";

fn center(text: &str, text_len: usize, length: usize, left: &str, right: &str) -> String {
    let start = (length / 2) as i64 - (text_len / 2) as i64 - 1;
    let so_far = left.len() as i64 + start + text_len as i64;
    let right_spaces = length as i64 - right.len() as i64 - so_far;
    format!(
        "{left}{}{text}{}{right}",
        " ".repeat(start.max(0) as usize),
        " ".repeat(right_spaces.max(0) as usize)
    )
}

fn align_left(text: &str, text_len: usize, length: usize, left: &str, right: &str) -> String {
    let computed = text_len + 2 + left.len() + right.len();
    let padding = if length >= computed { 2 } else { 0 };
    let so_far = left.len() + padding + text_len;
    let fill = length as i64 - so_far as i64 - right.len() as i64;
    format!(
        "{left}{}{text}{}{right}",
        " ".repeat(padding),
        " ".repeat(fill.max(0) as usize)
    )
}

fn line_break(widths: &[usize]) -> String {
    let mut out = String::new();
    for (i, w) in widths.iter().enumerate() {
        if i == 0 {
            out.push_str(&format!("+{}+", "-".repeat(w.saturating_sub(2))));
        } else {
            out.push_str(&format!("{}+", "-".repeat(w.saturating_sub(1))));
        }
    }
    out
}

/// Draw `result` titled `title`, the last newline (and in colour the reset after it)
/// included; `None` when aws-cli draws nothing (an empty result).
pub(crate) fn render(
    title: &str,
    result: &J,
    terminal_width: usize,
    color: bool,
) -> Option<String> {
    let mut builder = Builder {
        sections: Vec::new(),
    };
    if !builder.build(Some(title), result, 0) {
        return None;
    }
    let mut sections = builder.sections;
    let widest =
        |sections: &[Section]| sections.iter().map(Section::total_width).max().unwrap_or(0);
    let mut max_width = widest(&sections);
    if max_width > terminal_width {
        // Too wide: one-row sections become key/value rows.
        for section in &mut sections {
            if section.rows.len() == 1 && !section.headers.is_empty() {
                let mut vertical = Section {
                    title: section.title.clone(),
                    indent: section.indent,
                    ..Default::default()
                };
                for (header, value) in section.headers.iter().zip(&section.rows[0]) {
                    vertical.add_row(vec![header.clone(), value.clone()]);
                }
                *section = vertical;
            }
        }
        max_width = widest(&sections);
    }
    let bar = if color {
        format!("{BAR_STYLE}|{RESET}")
    } else {
        "|".to_string()
    };
    // In colour, aws-cli's stdout resets the style after every write (colorama's
    // `autoreset`): after the first line, and after each of a line's four writes (the bars
    // before, the text, the bars after, the newline).
    let reset = if color { RESET } else { "" };
    let mut out = format!("{}\n{reset}", "-".repeat(max_width));
    for section in &sections {
        let indent_bars = bar.repeat(section.indent);
        let line = |out: &mut String, text: &str| {
            for part in [indent_bars.as_str(), text, indent_bars.as_str(), "\n"] {
                out.push_str(part);
                out.push_str(reset);
            }
        };
        let width = max_width - section.indent * 2;
        if !section.title.is_empty() {
            line(
                &mut out,
                &center(&section.title, text_width(&section.title), width, "|", "|"),
            );
            if section.headers.is_empty() && section.rows.is_empty() {
                line(
                    &mut out,
                    &format!("+{}+", "-".repeat(width.saturating_sub(2))),
                );
            }
        }
        if !section.headers.is_empty() {
            let widths = section.column_widths(4, Some(width));
            let mut current = String::new();
            for (i, (w, header)) in widths.iter().zip(&section.headers).enumerate() {
                let left = if i == 0 { "|" } else { "" };
                current.push_str(&center(header, text_width(header), *w, left, "|"));
            }
            line(&mut out, &line_break(&widths));
            line(&mut out, &current);
        }
        if !section.rows.is_empty() {
            let widths = section.column_widths(4, Some(width));
            if widths.is_empty() {
                continue;
            }
            line(&mut out, &line_break(&widths));
            for row in &section.rows {
                let mut current = String::new();
                for (i, (w, value)) in widths.iter().zip(row).enumerate() {
                    let left = if i == 0 { "|" } else { "" };
                    let styled = if color {
                        format!("{VALUE_STYLE}{value}{RESET}")
                    } else {
                        value.clone()
                    };
                    current.push_str(&align_left(&styled, text_width(value), *w, left, "|"));
                }
                line(&mut out, &current);
            }
            line(&mut out, &line_break(&widths));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pythons_rounding() {
        assert_eq!(round_half_even(2.5), 2);
        assert_eq!(round_half_even(3.5), 4);
        assert_eq!(round_half_even(2.4), 2);
        assert_eq!(round_half_even(2.6), 3);
    }

    #[test]
    fn a_small_table() {
        let t = render(
            "ListThings",
            &json!({"Things": [{"Name": "a", "Size": 1}, {"Name": "bb", "Size": 22}]}),
            80,
            false,
        )
        .unwrap();
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].chars().all(|c| c == '-'), "{t}");
        assert!(
            lines[1].starts_with('|') && lines[1].contains("ListThings"),
            "{t}"
        );
        assert!(lines.iter().any(|l| l.contains("Things")), "{t}");
        assert!(
            lines.iter().all(|l| l.chars().count() == lines[0].len()),
            "{t}"
        );
        assert!(render("Empty", &json!({}), 80, false).is_none());
        let colored = render("ListThings", &json!({"Things": [{"Name": "a"}]}), 80, true).unwrap();
        assert!(
            colored.contains(VALUE_STYLE) && colored.contains(BAR_STYLE),
            "{colored}"
        );
    }
}
