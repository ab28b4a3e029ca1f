//! aws-cli's own options of `ec2 run-instances` (its `ec2/addcount.py` and
//! `ec2/runinstances.py` customizations), read as aws-cli reads them:
//!
//! - `--count N` or `--count MIN:MAX` in place of `--min-count` and `--max-count` (which the
//!   command then does not have), both 1 when not given;
//! - `--secondary-private-ip-addresses IP …`, `--secondary-private-ip-address-count N` and
//!   `--[no-]associate-public-ip-address`, which make the first network interface
//!   (`DeviceIndex` 0) that `NetworkInterfaces` would otherwise have to spell out; given with
//!   `--network-interfaces` they are refused (the negative flag aside, as aws-cli checks it
//!   not), and when there is such an interface, `--subnet-id`, `--security-group-ids`,
//!   `--private-ip-address` and the IPv6 options move into it, as EC2 requires.
//!
//! Their effect on the parameters, and its order (which the query body keeps), is aws-cli's:
//! the options are read after the members' (aws-cli appends them to the operation's argument
//! table), and the defaults and the moves happen last (its `before-parameter-build`
//! handlers), also over `--cli-input-json`. The command's own `--params` grammar is botocore's
//! and has none of this.

use serde_json::{json, Map, Value as J};

use crate::output::Failure;

/// Whether the operation is `ec2 run-instances` (the model's names).
pub(crate) fn applies(service: &str, operation: &str) -> bool {
    service == "ec2" && operation == "RunInstances"
}

/// The members' options aws-cli removes (`--count` gives both members).
pub(crate) const REMOVED: [&str; 2] = ["min-count", "max-count"];

/// The options aws-cli adds, in its argument table's order.
pub(crate) const ADDED: [&str; 5] = [
    "count",
    "secondary-private-ip-addresses",
    "secondary-private-ip-address-count",
    "associate-public-ip-address",
    "no-associate-public-ip-address",
];

/// What the added options were given.
#[derive(Debug, Default)]
pub(crate) struct RunInstancesOptions {
    count: Option<String>,
    secondary_addresses: Option<Vec<String>>,
    secondary_count: Option<i64>,
    associate: bool,
    no_associate: bool,
}

/// How many words an added option takes after it: `None` for any number (`nargs='*'`).
pub(crate) fn arity(option: &str) -> Option<usize> {
    match option {
        "secondary-private-ip-addresses" => None,
        "associate-public-ip-address" | "no-associate-public-ip-address" => Some(0),
        _ => Some(1),
    }
}

impl RunInstancesOptions {
    /// Take `option` (one of [`ADDED`]) with its words (as many as [`arity`] says; for one
    /// word, an inline `--option=value` too).
    pub(crate) fn set(&mut self, option: &str, words: Vec<String>) -> Result<(), Failure> {
        let one = |words: Vec<String>| {
            words.into_iter().next().ok_or_else(|| {
                Failure::Usage(format!("argument --{option}: expected one argument"))
            })
        };
        match option {
            "count" => self.count = Some(one(words)?),
            "secondary-private-ip-addresses" => self.secondary_addresses = Some(words),
            "secondary-private-ip-address-count" => {
                let text = one(words)?;
                self.secondary_count = Some(python_int(&text).ok_or_else(|| {
                    Failure::Usage(format!("argument --{option}: invalid int value: '{text}'"))
                })?);
            }
            "associate-public-ip-address" => self.associate = true,
            "no-associate-public-ip-address" => self.no_associate = true,
            _ => {}
        }
        Ok(())
    }

    /// aws-cli's check once the words are read: the scalar options and `--network-interfaces`
    /// do not mix.
    pub(crate) fn check(&self, params: &Map<String, J>) -> Result<(), Failure> {
        let interfaces_given = params
            .get("NetworkInterfaces")
            .is_some_and(|v| !matches!(v, J::Null) && v.as_array().is_none_or(|a| !a.is_empty()));
        let scalar_given = self
            .secondary_addresses
            .as_ref()
            .is_some_and(|a| !a.is_empty())
            || self.secondary_count.is_some_and(|n| n != 0)
            || self.associate;
        if interfaces_given && scalar_given {
            return Err(Failure::Raised(
                "Mixing the --network-interfaces option with the simple, scalar options is \
                 not supported."
                    .into(),
            ));
        }
        Ok(())
    }

    /// Add what the options say to `params` (after the members'), in aws-cli's order.
    pub(crate) fn add_to(&self, params: &mut Map<String, J>) -> Result<(), Failure> {
        if let Some(count) = &self.count {
            let bad = || {
                Failure::Raised(
                    "count parameter should be of form min[:max] (e.g. 1 or 1:10)".into(),
                )
            };
            let (min, max) = match count.split_once(':') {
                Some((_, max)) if max.contains(':') => return Err(bad()),
                Some((min, max)) => (min, max),
                None => (count.as_str(), count.as_str()),
            };
            let min = python_int(min).ok_or_else(bad)?;
            let max = python_int(max).ok_or_else(bad)?;
            params.insert("MinCount".into(), json!(min));
            params.insert("MaxCount".into(), json!(max));
        }
        if let Some(addresses) = self.secondary_addresses.as_ref().filter(|a| !a.is_empty()) {
            let addresses: Vec<J> = addresses
                .iter()
                .map(|a| json!({"PrivateIpAddress": a, "Primary": false}))
                .collect();
            let interface = first_interface(params)?;
            if !interface.contains_key("PrivateIpAddresses") {
                interface.insert("PrivateIpAddresses".into(), J::Array(addresses));
            }
        }
        if let Some(count) = self.secondary_count.filter(|n| *n != 0) {
            first_interface(params)?.insert("SecondaryPrivateIpAddressCount".into(), json!(count));
        }
        if self.associate {
            first_interface(params)?.insert("AssociatePublicIpAddress".into(), J::Bool(true));
        }
        if self.no_associate {
            first_interface(params)?.insert("AssociatePublicIpAddress".into(), J::Bool(false));
        }
        Ok(())
    }
}

/// The first network interface of `params`, made (`{"DeviceIndex": 0}`) when there is none.
fn first_interface(params: &mut Map<String, J>) -> Result<&mut Map<String, J>, Failure> {
    let interfaces = params
        .entry("NetworkInterfaces")
        .or_insert_with(|| json!([{"DeviceIndex": 0}]));
    // aws-cli indexes the list and updates the item: an empty list or one whose first item
    // is not an object fails there (a Python error).
    interfaces
        .as_array_mut()
        .and_then(|list| list.first_mut())
        .and_then(J::as_object_mut)
        .ok_or_else(|| {
            Failure::Raised("--network-interfaces has no first interface to add to".into())
        })
}

/// aws-cli's `before-parameter-build` handlers of `ec2 RunInstances`, on the call's final
/// parameters: `MaxCount` and `MinCount` default to 1, then, when the first network interface
/// has addresses, a public-address choice or an address count, the options EC2 accepts only
/// inside it move there.
pub(crate) fn before_parameter_build(params: &mut Map<String, J>) {
    for member in ["MaxCount", "MinCount"] {
        params.entry(member).or_insert(json!(1));
    }
    let Some(J::Array(interfaces)) = params.get("NetworkInterfaces") else {
        return;
    };
    let moves = interfaces
        .first()
        .and_then(J::as_object)
        .is_some_and(|first| {
            [
                "PrivateIpAddresses",
                "SecondaryPrivateIpAddressCount",
                "AssociatePublicIpAddress",
            ]
            .iter()
            .any(|k| first.contains_key(*k))
        });
    if !moves {
        return;
    }
    let mut moved = Vec::new();
    for (from, to) in [
        ("SubnetId", "SubnetId"),
        ("SecurityGroupIds", "Groups"),
        ("PrivateIpAddress", "PrivateIpAddresses"),
        ("Ipv6AddressCount", "Ipv6AddressCount"),
        ("Ipv6Addresses", "Ipv6Addresses"),
        ("EnablePrimaryIpv6", "PrimaryIpv6"),
    ] {
        if let Some(value) = params.shift_remove(from) {
            let value = if from == "PrivateIpAddress" {
                // The primary address, in place of any secondary ones (as aws-cli writes it).
                json!([{"PrivateIpAddress": value, "Primary": true}])
            } else {
                value
            };
            moved.push((to, value));
        }
    }
    if let Some(first) = params
        .get_mut("NetworkInterfaces")
        .and_then(J::as_array_mut)
        .and_then(|list| list.first_mut())
        .and_then(J::as_object_mut)
    {
        for (to, value) in moved {
            first.insert(to.into(), value);
        }
    }
}

/// Python's `int(text)` of a decimal text: surrounding whitespace, a sign, digits with single
/// underscores between them.
fn python_int(text: &str) -> Option<i64> {
    let text = text.trim_matches(|c: char| c.is_whitespace());
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    let value: i64 = digits.replace('_', "").parse().ok()?;
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_int_reads_what_int_reads() {
        for (text, value) in [
            ("5", 5),
            (" 7 ", 7),
            ("+3", 3),
            ("-2", -2),
            ("1_000", 1000),
            ("007", 7),
        ] {
            assert_eq!(python_int(text), Some(value), "{text:?}");
        }
        for text in ["", " ", "_1", "1_", "1__0", "1.0", "0x10", "+", "a", "1 2"] {
            assert_eq!(python_int(text), None, "{text:?}");
        }
    }

    #[test]
    fn count_and_interface_options_make_aws_clis_parameters() {
        let mut options = RunInstancesOptions::default();
        options.set("count", vec!["2:5".into()]).unwrap();
        options
            .set(
                "secondary-private-ip-addresses",
                vec!["10.0.0.5".into(), "10.0.0.6".into()],
            )
            .unwrap();
        options.set("associate-public-ip-address", vec![]).unwrap();
        let mut params = Map::new();
        params.insert("ImageId".into(), json!("ami-1"));
        params.insert("SubnetId".into(), json!("subnet-1"));
        options.check(&params).unwrap();
        options.add_to(&mut params).unwrap();
        before_parameter_build(&mut params);
        assert_eq!(
            J::Object(params),
            json!({
                "ImageId": "ami-1",
                "MinCount": 2,
                "MaxCount": 5,
                "NetworkInterfaces": [{
                    "DeviceIndex": 0,
                    "PrivateIpAddresses": [
                        {"PrivateIpAddress": "10.0.0.5", "Primary": false},
                        {"PrivateIpAddress": "10.0.0.6", "Primary": false},
                    ],
                    "AssociatePublicIpAddress": true,
                    "SubnetId": "subnet-1",
                }],
            })
        );
        // The order is aws-cli's (the query body keeps it).
        let mut params = Map::new();
        before_parameter_build(&mut params);
        assert_eq!(params.keys().collect::<Vec<_>>(), ["MaxCount", "MinCount"]);
    }

    #[test]
    fn refused_as_aws_cli_refuses() {
        let mut options = RunInstancesOptions::default();
        options.set("count", vec!["1:2:3".into()]).unwrap();
        assert!(matches!(
            options.add_to(&mut Map::new()),
            Err(Failure::Raised(_))
        ));
        let mut options = RunInstancesOptions::default();
        assert!(matches!(
            options.set("secondary-private-ip-address-count", vec!["two".into()]),
            Err(Failure::Usage(m)) if m.contains("invalid int value: 'two'")
        ));
        options.set("associate-public-ip-address", vec![]).unwrap();
        let mut params = Map::new();
        params.insert("NetworkInterfaces".into(), json!([{"DeviceIndex": 0}]));
        assert!(matches!(options.check(&params), Err(Failure::Raised(_))));
    }
}
