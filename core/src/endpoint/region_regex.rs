//! The regular expressions of `partitions.json` (`regionRegex`), anchored as Python's
//! `re.match` anchors them (at the start; the patterns carry their own `$`) and otherwise
//! matched as the regex engine used before (regex-lite) matched them. Where Python's `re` would
//! differ — `$` also before a final newline, Unicode `\w \d \s`, a group repeated without
//! consuming anything — only region names no AWS region has are concerned, and a region no
//! pattern matches falls back to the first partition (`aws`), as botocore's does.
//!
//! Why not a regex crate: these patterns are a handful of short ones
//! (`^(us|eu|ap)\-\w+\-\d+$`), matched against a region name, only when the region is not
//! listed explicitly. A small backtracking matcher over the syntax they use is a few hundred
//! bytes of code, where a general engine added ≈ 35 KB to every binary (issue #18's size goal).
//!
//! Supported: literals, `\`-escaped punctuation, `\w \d \s \W \D \S` (ASCII classes, as the
//! engine used before), `.` (anything but a newline), `[…]` / `[^…]` with ranges and those
//! escapes, groups `(…)`, `(?:…)`, `(?P<name>…)`, alternation `|`, the greedy quantifiers
//! `* + ? {n} {n,} {n,m}` and their lazy forms (`*?` …), and the anchors `^`, `$` (end of the
//! text). Anything else (backreferences, look-around, flags) is refused when the document is
//! prepared, so a pattern is never matched with a meaning other than its own.

/// A compiled `regionRegex`.
#[derive(Debug, Clone)]
pub(crate) struct RegionRegex {
    alternatives: Vec<Vec<Node>>,
}

#[derive(Debug, Clone)]
enum Node {
    Char(char),
    /// `.`: any character but `\n`.
    Any,
    Class {
        negated: bool,
        items: Vec<ClassItem>,
    },
    Start,
    End,
    Group(Vec<Vec<Node>>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
        greedy: bool,
    },
}

#[derive(Debug, Clone, Copy)]
enum ClassItem {
    Range(char, char),
    Perl(Perl, bool),
}

#[derive(Debug, Clone, Copy)]
enum Perl {
    Word,
    Digit,
    Space,
}

impl Perl {
    fn matches(self, c: char) -> bool {
        match self {
            Perl::Word => c.is_ascii_alphanumeric() || c == '_',
            Perl::Digit => c.is_ascii_digit(),
            Perl::Space => matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c'),
        }
    }
}

/// Nesting beyond this is refused (the matcher recurses per group).
const MAX_DEPTH: usize = 32;

impl RegionRegex {
    /// Compiles `pattern`; the error says what is not supported or malformed, and where.
    pub(crate) fn new(pattern: &str) -> Result<Self, String> {
        let mut parser = Parser {
            chars: pattern.chars().collect(),
            at: 0,
        };
        let alternatives = parser.alternatives(0)?;
        if parser.at < parser.chars.len() {
            return Err(format!("unbalanced ')' at {}", parser.at));
        }
        Ok(Self { alternatives })
    }

    /// Python's `re.match(pattern, text) is not None`.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let matcher = Matcher {
            text: &text,
            steps: std::cell::Cell::new(0),
        };
        matcher.alternatives(&self.alternatives, 0, &mut |_| true)
    }
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn next(&mut self) -> Result<char, String> {
        let c = self.peek().ok_or("unexpected end of pattern")?;
        self.at += 1;
        Ok(c)
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.at += 1;
        }
        found
    }

    fn alternatives(&mut self, depth: usize) -> Result<Vec<Vec<Node>>, String> {
        if depth > MAX_DEPTH {
            return Err("groups nested too deeply".into());
        }
        let mut alternatives = vec![self.sequence(depth)?];
        while self.eat('|') {
            alternatives.push(self.sequence(depth)?);
        }
        Ok(alternatives)
    }

    fn sequence(&mut self, depth: usize) -> Result<Vec<Node>, String> {
        let mut nodes = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            self.at += 1;
            let atom = match c {
                '^' => Node::Start,
                '$' => Node::End,
                '.' => Node::Any,
                '[' => self.class()?,
                '(' => self.group(depth)?,
                '\\' => self.escape()?,
                '*' | '+' | '?' => return Err(format!("nothing to repeat at {}", self.at - 1)),
                '{' => {
                    self.at -= 1;
                    if self.counted()?.is_some() {
                        return Err(format!("nothing to repeat at {}", self.at));
                    }
                    self.at += 1;
                    Node::Char('{')
                }
                c => Node::Char(c),
            };
            nodes.push(self.quantified(atom)?);
        }
        Ok(nodes)
    }

    fn group(&mut self, depth: usize) -> Result<Node, String> {
        if self.eat('?') {
            if self.eat('P') && self.eat('<') {
                while self.next()? != '>' {}
            } else if !self.eat(':') {
                return Err(format!(
                    "unsupported group syntax at {} (only (…), (?:…) and (?P<name>…))",
                    self.at - 2
                ));
            }
        }
        let alternatives = self.alternatives(depth + 1)?;
        if !self.eat(')') {
            return Err("missing ')'".into());
        }
        Ok(Node::Group(alternatives))
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, String> {
        let start = self.at;
        let Some((min, max)) = self.quantifier()? else {
            return Ok(atom);
        };
        if matches!(atom, Node::Start | Node::End) {
            return Err(format!("nothing to repeat at {start}"));
        }
        let greedy = !self.eat('?');
        let here = self.at;
        if self.quantifier()?.is_some() {
            return Err(format!("multiple repeat at {here}"));
        }
        Ok(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
            greedy,
        })
    }

    /// `*`, `+`, `?` or a count, consumed; `None` (nothing consumed) when none is next.
    fn quantifier(&mut self) -> Result<Option<(u32, Option<u32>)>, String> {
        let bounds = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => return self.counted(),
            _ => return Ok(None),
        };
        self.at += 1;
        Ok(Some(bounds))
    }

    /// `{n}`, `{n,}`, `{,m}`, `{n,m}`, past its `}`; `None` (nothing consumed) when the brace
    /// starts no count, which Python then reads as a literal `{`.
    fn counted(&mut self) -> Result<Option<(u32, Option<u32>)>, String> {
        let start = self.at;
        self.at += 1;
        if self.peek() == Some('}') {
            self.at = start;
            return Ok(None);
        }
        let low = self.digits();
        let high = if self.eat(',') {
            self.digits()
        } else {
            low.clone()
        };
        if !self.eat('}') {
            self.at = start;
            return Ok(None);
        }
        let number = |digits: &str| {
            digits
                .parse::<u32>()
                .map_err(|_| format!("repeat count too large at {start}"))
        };
        let min = if low.is_empty() { 0 } else { number(&low)? };
        let max = if high.is_empty() {
            None
        } else {
            Some(number(&high)?)
        };
        if max.is_some_and(|max| max < min) {
            return Err(format!("min repeat greater than max repeat at {start}"));
        }
        Ok(Some((min, max)))
    }

    fn digits(&mut self) -> String {
        let from = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        self.chars[from..self.at].iter().collect()
    }

    fn escape(&mut self) -> Result<Node, String> {
        Ok(match self.escaped()? {
            ClassItem::Range(c, _) => Node::Char(c),
            perl => Node::Class {
                negated: false,
                items: vec![perl],
            },
        })
    }

    /// What follows a `\`, in or outside a class.
    fn escaped(&mut self) -> Result<ClassItem, String> {
        let c = self.next()?;
        let perl = |kind, negated| Ok(ClassItem::Perl(kind, negated));
        match c {
            'w' => perl(Perl::Word, false),
            'W' => perl(Perl::Word, true),
            'd' => perl(Perl::Digit, false),
            'D' => perl(Perl::Digit, true),
            's' => perl(Perl::Space, false),
            'S' => perl(Perl::Space, true),
            'n' => Ok(ClassItem::Range('\n', '\n')),
            't' => Ok(ClassItem::Range('\t', '\t')),
            'r' => Ok(ClassItem::Range('\r', '\r')),
            c if c.is_ascii_alphanumeric() => Err(format!(
                "unsupported escape \\{c} at {} (backreferences, \\b, \\A …)",
                self.at - 2
            )),
            c => Ok(ClassItem::Range(c, c)),
        }
    }

    fn class(&mut self) -> Result<Node, String> {
        let negated = self.eat('^');
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let c = self
                .next()
                .map_err(|_| "unterminated character class".to_string())?;
            if c == ']' && !first {
                break;
            }
            first = false;
            let low = match c {
                '\\' => self.escaped()?,
                c => ClassItem::Range(c, c),
            };
            let ClassItem::Range(low, _) = low else {
                items.push(low);
                continue;
            };
            if self.peek() == Some('-') && self.chars.get(self.at + 1).is_some_and(|&c| c != ']') {
                self.at += 1;
                let high = match self.next()? {
                    '\\' => match self.escaped()? {
                        ClassItem::Range(high, _) => high,
                        ClassItem::Perl(..) => return Err("bad character range".into()),
                    },
                    high => high,
                };
                if high < low {
                    return Err(format!("bad character range {low}-{high}"));
                }
                items.push(ClassItem::Range(low, high));
            } else {
                items.push(ClassItem::Range(low, low));
            }
        }
        Ok(Node::Class { negated, items })
    }
}

/// Backtracking over the text's characters; `rest` is what must match after the current node
/// (continuation passing, so alternation and repetition try every way the rest can follow).
/// A repeated single character is a loop; only groups recurse per repetition, and the steps
/// are bounded so that no text can exhaust the stack.
struct Matcher<'t> {
    text: &'t [char],
    steps: std::cell::Cell<usize>,
}

/// Nested steps allowed before the matcher gives up (a region name is a few dozen characters).
const MAX_STEPS: usize = 2_000;

impl Matcher<'_> {
    fn alternatives(
        &self,
        alternatives: &[Vec<Node>],
        at: usize,
        rest: &mut dyn FnMut(usize) -> bool,
    ) -> bool {
        alternatives
            .iter()
            .any(|sequence| self.sequence(sequence, at, rest))
    }

    fn sequence(&self, nodes: &[Node], at: usize, rest: &mut dyn FnMut(usize) -> bool) -> bool {
        let Some((node, tail)) = nodes.split_first() else {
            return rest(at);
        };
        let depth = self.steps.get();
        if depth >= MAX_STEPS {
            return false;
        }
        self.steps.set(depth + 1);
        let matched = self.node(node, at, &mut |next| self.sequence(tail, next, rest));
        self.steps.set(depth);
        matched
    }

    fn node(&self, node: &Node, at: usize, rest: &mut dyn FnMut(usize) -> bool) -> bool {
        match node {
            Node::Start => at == 0 && rest(at),
            Node::End => at == self.text.len() && rest(at),
            Node::Group(alternatives) => self.alternatives(alternatives, at, rest),
            Node::Repeat {
                node,
                min,
                max,
                greedy,
            } => match **node {
                Node::Group(_) => self.repeat(node, *min, *max, *greedy, 0, at, rest),
                ref single => self.repeat_single(single, *min, *max, *greedy, at, rest),
            },
            single => match self.text.get(at) {
                Some(&c) if single_matches(single, c) => rest(at + 1),
                _ => false,
            },
        }
    }

    /// A repeated character (class): every count from `min` to as many as match, tried in
    /// the quantifier's order.
    fn repeat_single(
        &self,
        node: &Node,
        min: u32,
        max: Option<u32>,
        greedy: bool,
        at: usize,
        rest: &mut dyn FnMut(usize) -> bool,
    ) -> bool {
        let limit = max.map_or(usize::MAX, |max| max as usize);
        let available = self.text[at..]
            .iter()
            .take(limit)
            .take_while(|&&c| single_matches(node, c))
            .count();
        let min = min as usize;
        if available < min {
            return false;
        }
        if greedy {
            (min..=available).rev().any(|count| rest(at + count))
        } else {
            (min..=available).any(|count| rest(at + count))
        }
    }

    /// A repeated group, one repetition at a time.
    #[allow(clippy::too_many_arguments)]
    fn repeat(
        &self,
        node: &Node,
        min: u32,
        max: Option<u32>,
        greedy: bool,
        count: u32,
        at: usize,
        rest: &mut dyn FnMut(usize) -> bool,
    ) -> bool {
        let may_stop = count >= min;
        let may_go_on = max.is_none_or(|max| count < max);
        let one_more = |rest: &mut dyn FnMut(usize) -> bool| {
            may_go_on
                && self.sequence(std::slice::from_ref(node), at, &mut |next| {
                    // A repetition that consumed nothing would loop forever.
                    next > at && self.repeat(node, min, max, greedy, count + 1, next, rest)
                })
        };
        // Greedy tries one more repetition before the rest; lazy the rest first.
        if greedy {
            if one_more(rest) {
                return true;
            }
            may_stop && rest(at)
        } else {
            if may_stop && rest(at) {
                return true;
            }
            one_more(rest)
        }
    }
}

fn single_matches(node: &Node, c: char) -> bool {
    match node {
        Node::Char(expected) => c == *expected,
        Node::Any => c != '\n',
        Node::Class { negated, items } => {
            let found = items.iter().any(|item| match *item {
                ClassItem::Range(low, high) => (low..=high).contains(&c),
                ClassItem::Perl(kind, negated) => kind.matches(c) != negated,
            });
            found != *negated
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, text: &str) -> bool {
        RegionRegex::new(pattern).unwrap().is_match(text)
    }

    #[test]
    fn botocore_partition_patterns() {
        let aws = r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$";
        for region in [
            "us-east-1",
            "eu-west-3",
            "mx-central-1",
            "ap-southeast-7",
            "il-x_y-12",
        ] {
            assert!(matches(aws, region), "{region}");
        }
        for region in [
            "cn-north-1",
            "us-east-1a",
            "us-east-",
            "us--1",
            "us-east-1\n",
            "xus-east-1",
            "",
        ] {
            assert!(!matches(aws, region), "{region:?}");
        }
        assert!(matches(r"^cn\-\w+\-\d+$", "cn-northwest-1"));
        assert!(matches(r"^eusc\-(de)\-\w+\-\d+$", "eusc-de-east-1"));
        assert!(!matches(r"^eusc\-(de)\-\w+\-\d+$", "eusc-fr-east-1"));
        assert!(matches(r"^us\-isob\-\w+\-\d+$", "us-isob-east-1"));
        assert!(!matches(r"^us\-iso\-\w+\-\d+$", "us-isob-east-1"));
        assert!(matches(r"^us\-gov\-\w+\-\d+$", "us-gov-west-1"));
    }

    #[test]
    fn anchored_at_the_start_only_as_re_match() {
        assert!(matches("us", "us-east-1"));
        assert!(!matches("east", "us-east-1"));
        assert!(matches("us|east", "us-east-1"));
        assert!(!matches("(x|y)$", "xy-z"));
    }

    #[test]
    fn backtracks_through_repetition_and_alternation() {
        assert!(matches(r"^\w+1$", "ab1"), "\\w+ gives back what 1 needs");
        assert!(!matches(r"^\w+\-\d+$", "a-b-1"));
        assert!(matches("^a*ab$", "aaab"));
        assert!(matches("^(a|ab)c$", "abc"));
        assert!(matches("^(?:ab)+$", "ababab"));
        assert!(!matches("^(?:ab)+$", "ababa"));
        assert!(matches("^a{2,3}$", "aaa"));
        assert!(!matches("^a{2,3}$", "aaaa"));
        assert!(matches("^a{2}b?$", "aab"));
        assert!(matches("^a{,2}$", "aa"));
        assert!(
            matches("^a{x}$", "a{x}"),
            "a brace starting no count is literal"
        );
        assert!(matches("^a*?b$", "aab"));
        assert!(matches("^(?P<p>us|eu)-.+$", "eu-x"));
        assert!(matches("^(a*)*$", "aaaa"), "empty repetitions end");
        assert!(!matches("^(a*)*b$", "aaaaaaaaaaaaaaaaaaaa"));
    }

    #[test]
    fn long_texts_neither_overflow_the_stack_nor_match_wrongly() {
        let long = format!("us-{}-1", "a".repeat(100_000));
        assert!(matches(r"^(us|eu)\-\w+\-\d+$", &long));
        assert!(!matches(r"^(us|eu)\-\w+\-\d+$", &format!("{long}x")));
        let groups = "ab".repeat(100_000);
        assert!(
            !matches("^(?:ab)+$", &groups),
            "beyond the step bound: no match"
        );
    }

    #[test]
    fn classes() {
        assert!(matches("^[a-c]+$", "abcab"));
        assert!(!matches("^[a-c]+$", "abd"));
        assert!(matches(r"^[^\d]+$", "abc"));
        assert!(!matches(r"^[^\d]+$", "ab1"));
        assert!(matches(r"^[\w.-]+$", "a.b-c_1"));
        assert!(matches("^[]a]+$", "]a"));
        assert!(matches(r"^\W\D\S$", "-x-"));
        assert!(matches("^.$", "é"), "characters, not bytes");
        assert!(!matches("^.$", "\n"));
        assert!(!matches(r"^\w$", "é"), "ASCII classes, as before");
    }

    #[test]
    fn unsupported_or_malformed_patterns_are_refused() {
        for pattern in [
            "(", "a)", "[a-", "*a", "a**", r"\1", r"\b", "(?=a)", "(?i)a", "[z-a]", "a{3,2}", "^*",
        ] {
            assert!(RegionRegex::new(pattern).is_err(), "{pattern}");
        }
        let deep = format!("{}a{}", "(".repeat(40), ")".repeat(40));
        assert!(RegionRegex::new(&deep).is_err());
    }
}
