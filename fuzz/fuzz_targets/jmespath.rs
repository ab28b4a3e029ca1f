//! JMESPath: compile arbitrary text, and search the compiled expression over a fixed document and
//! over arbitrary JSON. The input is `expression \0 json`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansboto_core::jmespath::Expression;
use sansboto_core::Value;

fuzz_target!(|data: &[u8]| {
    let (expression, json) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(expression) = std::str::from_utf8(expression) else {
        return;
    };
    let Ok(compiled) = Expression::compile(expression) else {
        return;
    };
    let fixed: serde_json::Value = serde_json::json!({
        "Reservations": [{"Instances": [{"State": {"Name": "running"}, "Tags": [{"Key": "a", "Value": "b"}]},
                                         {"State": {"Name": "stopped"}, "Tags": []}]}],
        "Contents": [{"Key": "x", "Size": 3}, {"Key": "y", "Size": -1.5}],
        "IsTruncated": true, "Next": null, "s": "text", "n": 1e300
    });
    let _ = compiled.search(&Value::from(fixed));
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(json) {
        let _ = compiled.search(&Value::from(json));
    }
});
