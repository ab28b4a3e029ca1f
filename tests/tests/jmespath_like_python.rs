//! `sansboto_core::jmespath` against python-jmespath 1.1.0, the JMESPath of botocore 1.44.5
//! (paginators, waiters) and of aws-cli v1 (`--query`): the same (expression, data) cases
//! evaluated by both, all of them in one Python process, and compared. Where python-jmespath
//! and the specification disagree, sansboto does as python-jmespath does.
//!
//! The cases are drawn from a fixed seed, plus three exhaustive sets:
//!
//! - every built-in function (and an unknown one) on one argument of every kind the draw has:
//!   numbers (integers to 64 bits, `-0.0`, `1e16`, `1e-7`, `1e300`, 2^53 + 1), strings
//!   (unicode, non-BMP, empty, and text that looks like a number: `"1e3"`, `" 1"`, `"0x1"`,
//!   `"1_000"`, `"inf"`, `"nan"`, `"١٢"`, …), booleans, null, arrays (empty, mixed, nested,
//!   of objects) and objects;
//! - every comparator, and `contains`, on every pair of a set of values of every type
//!   (`1 == 1.0`, `[1] == [true]`, `1 < 'a'`, …), as they are and inside arrays;
//! - random expressions: functions with right and wrong arguments and arities, `&expr` in
//!   right and wrong places, slices (negative, huge and zero steps, bounds out of range),
//!   projections, flattens and filters on non-arrays, pipes, multi-selects on null, JSON
//!   literals with odd whitespace (and `NaN`, `Infinity`, the legacy unquoted form), raw
//!   strings with `\'` and `\\`, quoted and unicode identifiers, `||`/`&&`/`!` on empty
//!   containers, `""`, `0` and `false`, and the forms python-jmespath's parser accepts beyond
//!   the grammar (`f(a b)`, `f(a,)`, `{a: b c: d}`, `[1:2 3]`).
//!
//! Each side's answer is classified as a value, a syntax error (at compile time) or a runtime
//! error of one kind (`invalid-type`, `invalid-arity`, `unknown-function`, `invalid-value`, or
//! a Python exception that is no JMESPath error, by its name). Values are compared exactly:
//! an integer is not a float (`sum([1,2])` is `3`, `avg` a float, `to_string(1.0)` `"1.0"`),
//! `-0.0` is not `0.0`, and objects' keys are in order.
//!
//! Some answers differ on purpose (README, "Where sansboto differs"), each counted:
//!
//! - where Python raises `TypeError` (not a JMESPath error: `1 < 'a'`, `contains('ab', 1)`,
//!   `max_by` over keys of both kinds), sansboto refuses with an `invalid-type` error, and
//!   where it raises `OverflowError` (`ceil` of an infinity) with an `invalid-value` one;
//! - an expression reference used as a value (`&a` alone, in a multi-select, compared, or
//!   handed to `to_string`, `type`, `not_null`…), which Python carries as a Python object
//!   (printed with its address, compared by identity, of no JSON type), is an `invalid-type`
//!   error here;
//! - an integer beyond 64 bits that Python computes (`abs` of the smallest integer, a sum
//!   past 2^63, `ceil(1e300)`, `to_number` of 20 digits) is the nearest float here.
//!
//! It fails on the code before it: 1,151 of its 14,034 cases (then) differed.

use std::collections::BTreeMap;

use sansboto_core::jmespath::{Expression, JmesPathError};
use sansboto_core::machine::{RandomSource as _, SplitMix64};
use sansboto_core::Value;
use sansboto_tests::botocore;
use serde_json::Value as J;

/// Evaluates each `[expression, data as JSON text]` of the file at `$CASES` with jmespath, as
/// botocore and aws-cli call it, and prints for each `{"compile": exception}`, or
/// `{"runtime": exception}` or `{"ok": value}` (integers beyond 64 bits, non-finite floats and
/// Python objects tagged), with `expref_value` set when an expression reference was taken as
/// a value: evaluated anywhere but as a function's argument, or handed to a function whose
/// argument takes any type.
const SEARCH: &str = r#"
import os, math
import jmespath
from jmespath import visitor

assert jmespath.__version__ == '1.1.0', jmespath.__version__
state = {'expref_value': False}

def visit_expref(self, node, value):
    state['expref_value'] = True
    return visitor._Expression(node['children'][0], self)

def visit_function_expression(self, node, value):
    args = []
    for child in node['children']:
        if child['type'] == 'expref':
            args.append(visitor._Expression(child['children'][0], self))
        else:
            args.append(self.visit(child, value))
    spec = self._functions.FUNCTION_TABLE.get(node['value'])
    if spec is not None and spec['signature']:
        signature = spec['signature']
        for i, arg in enumerate(args):
            if isinstance(arg, visitor._Expression):
                if not signature[min(i, len(signature) - 1)]['types']:
                    state['expref_value'] = True
    return self._functions.call_function(node['value'], args)

visitor.TreeInterpreter.visit_expref = visit_expref
visitor.TreeInterpreter.visit_function_expression = visit_function_expression

def plain(v):
    if isinstance(v, visitor._Expression):
        return {'$expref': True}
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v if -2**63 <= v < 2**63 else {'$bigint': str(v)}
    if isinstance(v, float):
        return v if math.isfinite(v) else {'$float': repr(v)}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    return {'$other': type(v).__name__}

with open(os.environ['CASES']) as f:
    cases = json.load(f)
out = []
for expression, data in cases:
    state['expref_value'] = False
    try:
        compiled = jmespath.compile(expression)
    except Exception as e:
        out.append({'compile': type(e).__name__})
        continue
    try:
        answer = {'ok': plain(compiled.search(json.loads(data)))}
    except Exception as e:
        answer = {'runtime': type(e).__name__}
    answer['expref_value'] = state['expref_value']
    out.append(answer)
sys.stdout.write(json.dumps(out))
"#;

/// Numbers, as JSON text (read alike by serde_json and Python: an integer is an integer).
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "3",
    "100",
    "-7",
    "1.0",
    "-0.0",
    "0.0",
    "1.5",
    "-2.5",
    "0.1",
    "2.5e-5",
    "1e16",
    "1e-7",
    "123456789.125",
    "1e300",
    "-1e300",
    "9007199254740993",
    "12345678901234567",
    "9223372036854775807",
    "-9223372036854775808",
    "4.5e15",
    "-1.5",
];

/// Strings, as JSON text: unicode, and text that looks like a number to `to_number`.
const STRINGS: &[&str] = &[
    r#""""#,
    r#""a""#,
    r#""abc""#,
    r#""ab""#,
    r#""Ab""#,
    r#""B""#,
    r#""zz""#,
    r#""é""#,
    r#""😀""#,
    r#""a😀b""#,
    r#""\u00e9t\u00e9""#,
    r#""tab\tq\"\\""#,
    r#""\u007f\u0001""#,
    r#""1e3""#,
    r#"" 1""#,
    r#""1 ""#,
    r#""0x1""#,
    r#""0b1""#,
    r#""1_000""#,
    r#""1__0""#,
    r#""_1""#,
    r#""1_0.5""#,
    r#""inf""#,
    r#""-inf""#,
    r#""nan""#,
    r#""NaN""#,
    r#""Infinity""#,
    r#""-0""#,
    r#""-0.0""#,
    r#""1.""#,
    r#"".5""#,
    r#""+1""#,
    r#""1e""#,
    r#""  ""#,
    r#""true""#,
    r#""null""#,
    r#""-1.5e-3""#,
    r#""12345678901234567890""#,
    r#""١٢""#,
    r#""１２""#,
    r#""1e400""#,
    r#""\u3000 7 \n""#,
    r#""\u001f8""#,
    r#""42""#,
    r#""-17""#,
    r#""3.25""#,
];

const OTHERS: &[&str] = &["true", "false", "null"];

const ARRAYS: &[&str] = &[
    "[]",
    "[1,2,3]",
    "[1,2.5]",
    "[3,1,2]",
    r#"["b","a","c"]"#,
    r#"[1,"a"]"#,
    r#"["a",1]"#,
    "[true,false]",
    "[null]",
    "[[1,2],[3],4]",
    r#"[{"a":1},{"a":2}]"#,
    "[1,1.0]",
    "[1.0,1]",
    "[-0.0,0]",
    "[0,-0.0]",
    r#"["é","z","a","😀","ｚ"]"#,
    "[1,null,2]",
    r#"[{"a":"x"},{"a":1}]"#,
    r#"[{"a":3,"b":"c"},{"a":1,"b":"a"},{"a":2,"b":"b"}]"#,
    "[9223372036854775807,1]",
    "[-9223372036854775808,-1]",
    "[0.1,0.2]",
    "[2.5,1,-3]",
    "[true]",
    "[1]",
    "[0]",
    r#"[""]"#,
    "[[],{}]",
    "[1e16,1]",
    "[9007199254740993,9007199254740992.0]",
    "[9007199254740992,1,1.0]",
    r#"["a","b",""]"#,
    r#"[{"a":1,"b":2},{"b":3,"c":4}]"#,
];

const OBJECTS: &[&str] = &[
    "{}",
    r#"{"a":1}"#,
    r#"{"a":1,"b":[1,2],"c":{"d":"x"}}"#,
    r#"{"b":1,"a":2}"#,
    r#"{"é":1,"😀":2}"#,
    r#"{"a":true}"#,
    r#"{"a":null,"b":0}"#,
    r#"{"a":1.0}"#,
    r#"{"a":{"a":{"a":1}}}"#,
    r#"{"c":3,"a":1,"b":2}"#,
];

/// Values of every type for the comparators (each against each).
const PAIRED: &[&str] = &[
    "0",
    "1",
    "1.0",
    "-0.0",
    "0.0",
    "2",
    "1.5",
    "9007199254740993",
    "9007199254740992.0",
    r#""a""#,
    r#""b""#,
    r#""""#,
    r#""1""#,
    r#""é""#,
    r#""😀""#,
    "true",
    "false",
    "null",
    "[]",
    "[1]",
    "[true]",
    "[1.0]",
    "{}",
    r#"{"a":1}"#,
    r#"{"a":true}"#,
];

/// (name, arity, whether more arguments may follow) of every built-in.
const FUNCTIONS: &[(&str, usize, bool)] = &[
    ("abs", 1, false),
    ("avg", 1, false),
    ("ceil", 1, false),
    ("contains", 2, false),
    ("ends_with", 2, false),
    ("floor", 1, false),
    ("join", 2, false),
    ("keys", 1, false),
    ("length", 1, false),
    ("map", 2, false),
    ("max", 1, false),
    ("max_by", 2, false),
    ("merge", 1, true),
    ("min", 1, false),
    ("min_by", 2, false),
    ("not_null", 1, true),
    ("reverse", 1, false),
    ("sort", 1, false),
    ("sort_by", 2, false),
    ("starts_with", 2, false),
    ("sum", 1, false),
    ("to_array", 1, false),
    ("to_string", 1, false),
    ("to_number", 1, false),
    ("type", 1, false),
    ("values", 1, false),
];

fn pick<T: Copy>(rng: &mut SplitMix64, items: &[T]) -> T {
    items[(rng.next_u64() % items.len() as u64) as usize]
}

fn chance(rng: &mut SplitMix64, percent: u64) -> bool {
    rng.next_u64() % 100 < percent
}

fn any_value(rng: &mut SplitMix64) -> &'static str {
    let pools: [&[&str]; 5] = [NUMBERS, STRINGS, OTHERS, ARRAYS, OBJECTS];
    let pool = pick(rng, &pools);
    pick(rng, pool)
}

/// The document every drawn expression runs on: names of each type, an array of objects, a
/// unicode key and one that needs escaping.
fn data(rng: &mut SplitMix64) -> String {
    let items: Vec<String> = (0..rng.next_u64() % 5)
        .map(|_| {
            let a = if chance(rng, 50) {
                pick(rng, NUMBERS)
            } else {
                any_value(rng)
            };
            let b = if chance(rng, 50) {
                pick(rng, STRINGS)
            } else {
                any_value(rng)
            };
            format!(r#"{{"a":{a},"b":{b}}}"#)
        })
        .collect();
    format!(
        r#"{{"x":{},"y":{},"n":{},"s":{},"a":{},"o":{},"b":{},"items":[{}],"é":{},"q\"k":{}}}"#,
        any_value(rng),
        any_value(rng),
        pick(rng, NUMBERS),
        pick(rng, STRINGS),
        pick(rng, ARRAYS),
        pick(rng, OBJECTS),
        pick(rng, &["true", "false", "null"]),
        items.join(","),
        any_value(rng),
        any_value(rng),
    )
}

/// A JSON literal in backquotes, with odd whitespace, or in the legacy unquoted form.
fn literal(rng: &mut SplitMix64) -> String {
    let text = match rng.next_u64() % 10 {
        0 => pick(
            rng,
            &[
                "NaN",
                "Infinity",
                "-Infinity",
                "foo",
                " foo bar",
                "1e400",
                "[1, NaN]",
                "\\`x",
                "\"\\u00e9\"",
                "tru",
                "01",
                "- 1",
                "{\"a\": 1, \"a\": 2}",
            ],
        )
        .to_string(),
        _ => any_value(rng).to_string(),
    };
    let space = ["", " ", "\n", "\t", "\r\n ", "  "];
    format!("`{}{text}{}`", pick(rng, &space), pick(rng, &space))
}

fn raw_string(rng: &mut SplitMix64) -> String {
    pick(
        rng,
        &[
            "'a'",
            "''",
            "'é'",
            "'😀'",
            r"'it\'s'",
            r"'back\\slash'",
            r"'a\\'",
            r"'\n'",
            r"'\\\''",
            "'1e3'",
            "' 1'",
            "'inf'",
            "'nan'",
            "'0x1'",
            "'1_000'",
            "'b'",
            "'abc'",
            "'2026-12-06'",
            "'42'",
        ],
    )
    .to_string()
}

fn name(rng: &mut SplitMix64) -> String {
    pick(
        rng,
        &[
            "x",
            "y",
            "n",
            "s",
            "a",
            "o",
            "b",
            "items",
            "missing",
            "\"é\"",
            "\"q\\\"k\"",
            "é",
            "\"x\"",
            "\"\\u0078\"",
            "@",
            "\"\"",
            "_x",
            "X",
            "\"a b\"",
            "\"\\ud83d\\ude00\"",
        ],
    )
    .to_string()
}

fn term(rng: &mut SplitMix64) -> String {
    match rng.next_u64() % 10 {
        0..=4 => name(rng),
        5..=7 => literal(rng),
        _ => raw_string(rng),
    }
}

/// An expression reference, sometimes of something more than a name.
fn expref(rng: &mut SplitMix64, depth: u32) -> String {
    match rng.next_u64() % 4 {
        0 => format!("&{}", expression(rng, depth)),
        _ => format!(
            "&{}",
            pick(rng, &["a", "b", "@", "x", "to_string(@)", "a.b"])
        ),
    }
}

fn call(rng: &mut SplitMix64, depth: u32) -> String {
    let (function, arity, variadic) = pick(rng, FUNCTIONS);
    let count = if chance(rng, 85) {
        arity
            + if variadic {
                (rng.next_u64() % 3) as usize
            } else {
                0
            }
    } else {
        (rng.next_u64() % 4) as usize
    };
    let function = if chance(rng, 3) { "nope" } else { function };
    let args: Vec<String> = (0..count)
        .map(|i| {
            let wants_expref = matches!(
                (function, i),
                ("map", 0) | ("sort_by" | "min_by" | "max_by", 1)
            );
            if wants_expref != chance(rng, 10) {
                expref(rng, depth)
            } else {
                expression(rng, depth)
            }
        })
        .collect();
    format!("{function}({})", args.join(", "))
}

fn slice(rng: &mut SplitMix64) -> String {
    let bounds = [
        "",
        "",
        "0",
        "1",
        "-1",
        "2",
        "-2",
        "5",
        "-5",
        "99999999999999999999",
        "-99999999999999999999",
    ];
    let steps = [
        "",
        "",
        "1",
        "-1",
        "2",
        "-2",
        "0",
        "3",
        "-99999999999999999999",
    ];
    match rng.next_u64() % 3 {
        0 => format!("[{}:{}]", pick(rng, &bounds), pick(rng, &bounds)),
        _ => format!(
            "[{}:{}:{}]",
            pick(rng, &bounds),
            pick(rng, &bounds),
            pick(rng, &steps)
        ),
    }
}

fn base(rng: &mut SplitMix64) -> String {
    pick(
        rng,
        &[
            "x",
            "y",
            "a",
            "o",
            "items",
            "s",
            "n",
            "b",
            "missing",
            "@",
            "`[1,[2,3],[]]`",
            "'abc'",
        ],
    )
    .to_string()
}

/// After a projection or an index: what may follow.
fn tail(rng: &mut SplitMix64) -> &'static str {
    pick::<&'static str>(
        rng,
        &[
            "",
            "",
            ".a",
            ".b",
            "[0]",
            "[-1]",
            "[]",
            "[*]",
            ".*",
            " | [0]",
            "[1:]",
            ".[a, b]",
            ".{k: a}",
            "[?a]",
            " | length(@)",
        ],
    )
}

fn expression(rng: &mut SplitMix64, depth: u32) -> String {
    if depth == 0 {
        return term(rng);
    }
    let d = depth - 1;
    match rng.next_u64() % 20 {
        0..=2 => term(rng),
        3..=5 => call(rng, d),
        6 | 7 => {
            let op = pick(rng, &["==", "!=", "<", "<=", ">", ">="]);
            format!("{} {op} {}", expression(rng, d), expression(rng, d))
        }
        8 => format!("{} || {}", expression(rng, d), expression(rng, d)),
        9 => format!("{} && {}", expression(rng, d), expression(rng, d)),
        10 => format!("!{}", expression(rng, d)),
        11 => format!("{}{}{}", base(rng), slice(rng), tail(rng)),
        12 => {
            let form = pick(
                rng,
                &[
                    "[*]",
                    ".*",
                    "[]",
                    "[0]",
                    "[-1]",
                    "[5]",
                    "[0][1:]",
                    "[0][::-1]",
                    "[?a]",
                    "[?a > `1`]",
                    "[?b == 'a']",
                    "[?@]",
                    "[?!a]",
                    "[0][0]",
                    "[99999999999999999999]",
                ],
            );
            format!("{}{form}{}", base(rng), tail(rng))
        }
        13 => format!("{} | {}", expression(rng, d), expression(rng, d)),
        14 => format!("[{}, {}]", expression(rng, d), expression(rng, d)),
        15 => format!(
            "{}.{{k: {}, \"é\": {}}}",
            base(rng),
            expression(rng, d),
            expression(rng, d)
        ),
        16 => format!("({})", expression(rng, d)),
        17 => format!("{}.{}", base(rng), name(rng)),
        18 => expref(rng, d),
        // What python-jmespath's parser accepts beyond the grammar, and near misses.
        _ => {
            let (a, b) = (expression(rng, d), expression(rng, d));
            let (function, ..) = pick(rng, FUNCTIONS);
            match rng.next_u64() % 12 {
                0 => format!("{function}({a} {b})"),
                1 => format!("{function}({a},)"),
                2 => format!("{{k: {a} j: {b}}}"),
                3 => format!("{{k: {a},}}"),
                4 => format!("{}[1:2 3]", base(rng)),
                5 => format!("[{a} {b}]"),
                6 => format!("{a}[&b]"),
                7 => format!("{function}(,{a})"),
                8 => format!("{}[1 2]", base(rng)),
                9 => format!("{{k: {a}, k: {b}}}"),
                10 => format!("{a}.'x'"),
                _ => format!("{a} = {b}"),
            }
        }
    }
}

/// Every case: (expression, data as JSON text).
fn cases() -> Vec<(String, String)> {
    let mut cases = Vec::new();
    let values: Vec<&str> = [NUMBERS, STRINGS, OTHERS, ARRAYS, OBJECTS].concat();
    for (function, ..) in FUNCTIONS.iter().chain(&[("nope", 1, false)]) {
        for v in &values {
            cases.push((format!("{function}(x)"), format!(r#"{{"x":{v}}}"#)));
        }
    }
    for x in PAIRED {
        for y in PAIRED {
            let data = format!(r#"{{"x":{x},"y":{y}}}"#);
            for op in ["==", "!=", "<", "<=", ">", ">="] {
                cases.push((format!("x {op} y"), data.clone()));
            }
            cases.push(("[x] == [y]".into(), data.clone()));
            cases.push(("{a: x} != {a: y}".into(), data.clone()));
            cases.push(("contains(to_array(x), y)".into(), data.clone()));
            cases.push(("max([x, y])".into(), data.clone()));
            cases.push(("sort([x, y])".into(), data.clone()));
        }
    }
    for e in [
        "ceil(`Infinity`)",
        "floor(to_number('-inf'))",
        "ceil(to_number('nan'))",
    ] {
        cases.push((e.to_string(), "{}".to_string()));
    }
    let mut rng = SplitMix64(0x6a6d_6573_7061_7468);
    for _ in 0..4000 {
        let depth = 1 + (rng.next_u64() % 3) as u32;
        let e = expression(&mut rng, depth);
        cases.push((e, data(&mut rng)));
    }
    cases
}

/// How an evaluation ended.
#[derive(Debug, Clone, PartialEq)]
enum Outcome<V> {
    Value(V),
    Syntax,
    /// A runtime error: `invalid-type`, `invalid-arity`, `unknown-function`,
    /// `invalid-value`, or `python:` and the name of an exception that is none of those.
    Runtime(String),
}

fn theirs(answer: &J) -> (Outcome<J>, bool) {
    let expref_value = answer["expref_value"].as_bool().unwrap_or(false);
    let outcome = if answer.get("compile").is_some() {
        Outcome::Syntax
    } else if let Some(name) = answer["runtime"].as_str() {
        Outcome::Runtime(
            match name {
                "ArityError" | "VariadictArityError" => "invalid-arity",
                "JMESPathTypeError" => "invalid-type",
                "UnknownFunctionError" => "unknown-function",
                "ValueError" => "invalid-value",
                other => return (Outcome::Runtime(format!("python:{other}")), expref_value),
            }
            .to_string(),
        )
    } else {
        Outcome::Value(answer["ok"].clone())
    };
    (outcome, expref_value)
}

fn ours(expression: &str, data: &str) -> Outcome<Value> {
    let data = Value::from(serde_json::from_str::<J>(data).unwrap());
    let compiled = match Expression::compile(expression) {
        Ok(e) => e,
        Err(JmesPathError::Syntax { .. }) => return Outcome::Syntax,
        Err(other) => return Outcome::Runtime(format!("compile: {other}")),
    };
    match compiled.search(&data) {
        Ok(v) => Outcome::Value(v),
        Err(JmesPathError::Function { reason, .. }) => {
            Outcome::Runtime(reason.split(':').next().unwrap_or_default().to_string())
        }
        Err(other) => Outcome::Runtime(format!("{other}")),
    }
}

/// Whether sansboto's `v` is Python's `p` exactly (an integer is no float, `-0.0` no `0.0`,
/// keys in order); `beyond_64_bits` is set where Python's integer beyond 64 bits is matched
/// by the nearest float.
fn same(p: &J, v: &Value, beyond_64_bits: &mut bool) -> bool {
    match (p, v.untagged()) {
        (J::Null, Value::Null) => true,
        (J::Bool(a), Value::Bool(b)) => a == b,
        (J::String(a), Value::String(b)) => a.as_str() == b.as_str(),
        (J::Number(n), Value::Float(f)) if n.is_f64() => {
            n.as_f64().is_some_and(|g| g.to_bits() == f.to_bits())
        }
        (J::Number(n), Value::Integer(i)) if !n.is_f64() => n.as_i64() == Some(*i),
        (J::Array(a), Value::List(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(p, v)| same(p, v, beyond_64_bits))
        }
        (J::Object(o), Value::Float(f)) if o.len() == 1 && o.contains_key("$float") => {
            match o["$float"].as_str() {
                Some("nan") => f.is_nan(),
                Some("inf") => *f == f64::INFINITY,
                Some("-inf") => *f == f64::NEG_INFINITY,
                _ => false,
            }
        }
        (J::Object(o), Value::Float(f)) if o.len() == 1 && o.contains_key("$bigint") => {
            let nearest = o["$bigint"].as_str().and_then(|s| s.parse::<f64>().ok());
            *beyond_64_bits = true;
            nearest == Some(*f)
        }
        (J::Object(o), Value::Map(m)) => {
            o.len() == m.len()
                && !o.keys().any(|k| k.starts_with('$'))
                && o.iter()
                    .zip(m.iter())
                    .all(|((k, p), (l, v))| k.as_str() == l.as_str() && same(p, v, beyond_64_bits))
        }
        _ => false,
    }
}

#[test]
fn jmespath_gives_what_python_jmespath_gives() {
    let cases = cases();
    let file = std::env::temp_dir().join(format!(
        "sansboto-jmespath-cases-{}.json",
        std::process::id()
    ));
    std::fs::write(&file, serde_json::to_vec(&cases).unwrap()).unwrap();
    let answers = botocore::run(SEARCH, &[("CASES", file.to_str().unwrap())]);
    let _ = std::fs::remove_file(&file);
    let answers = answers.as_array().expect("a list of answers");
    assert_eq!(answers.len(), cases.len());

    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut differences = Vec::new();
    for ((expression, data), answer) in cases.iter().zip(answers) {
        let (python, expref_value) = theirs(answer);
        let sansboto = ours(expression, data);
        let mut beyond_64_bits = false;
        let kind: String = match (&python, &sansboto) {
            (Outcome::Value(p), Outcome::Value(v)) if same(p, v, &mut beyond_64_bits) => {
                if beyond_64_bits {
                    "deliberate: an integer beyond 64 bits is the nearest float".into()
                } else {
                    "the same value".into()
                }
            }
            (Outcome::Syntax, Outcome::Syntax) => "a syntax error in both".into(),
            (Outcome::Runtime(a), Outcome::Runtime(b)) if a == b => format!("{a} in both"),
            (Outcome::Runtime(p), Outcome::Runtime(o))
                if p == "python:TypeError" && o == "invalid-type" =>
            {
                "deliberate: Python's TypeError is invalid-type".into()
            }
            (Outcome::Runtime(p), Outcome::Runtime(o))
                if p == "python:OverflowError" && o == "invalid-value" =>
            {
                "deliberate: Python's OverflowError is invalid-value".into()
            }
            (_, Outcome::Runtime(o)) if expref_value && o == "invalid-type" => {
                "deliberate: an expression reference as a value is invalid-type".into()
            }
            _ => {
                let shown = |o: &Outcome<String>| format!("{o:?}");
                let p = match &python {
                    Outcome::Value(p) => Outcome::Value(p.to_string()),
                    Outcome::Syntax => Outcome::Syntax,
                    Outcome::Runtime(r) => Outcome::Runtime(r.clone()),
                };
                let o = match &sansboto {
                    Outcome::Value(v) => Outcome::Value(format!("{v:?}")),
                    Outcome::Syntax => Outcome::Syntax,
                    Outcome::Runtime(r) => Outcome::Runtime(r.clone()),
                };
                differences.push(format!(
                    "{expression}  on {data}\n    python-jmespath {}\n    sansboto        {}",
                    shown(&p),
                    shown(&o)
                ));
                "different".into()
            }
        };
        *counts.entry(kind).or_default() += 1;
    }
    println!("{} cases: {counts:#?}", cases.len());
    assert!(
        differences.is_empty(),
        "{} of {} differ:\n{}",
        differences.len(),
        cases.len(),
        differences.join("\n")
    );
    let count = |kind: &str| counts.get(kind).copied().unwrap_or_default();
    assert!(
        count("the same value") > 5000
            && count("a syntax error in both") > 150
            && count("invalid-type in both") > 800,
        "too few cases alike: {counts:?}"
    );
}
