//! aws-cli's own options of EC2 commands (its `ec2/addcount.py`, `ec2/runinstances.py`,
//! `ec2/secgroupsimplify.py` and `ec2/protocolarg.py` customizations), read as aws-cli reads
//! them:
//!
//! - `run-instances`: `--count N` or `--count MIN:MAX` in place of `--min-count` and
//!   `--max-count` (which the command then does not have), both 1 when not given;
//!   `--secondary-private-ip-addresses IP …`, `--secondary-private-ip-address-count N` and
//!   `--[no-]associate-public-ip-address`, which make the first network interface
//!   (`DeviceIndex` 0) that `NetworkInterfaces` would otherwise have to spell out; given with
//!   `--network-interfaces` they are refused (the negative flag aside, as aws-cli checks it
//!   not), and when there is such an interface, `--subnet-id`, `--security-group-ids`,
//!   `--private-ip-address` and the IPv6 options move into it, as EC2 requires;
//! - `authorize-`/`revoke-security-group-ingress`/`-egress`: `--protocol tcp|udp|icmp|all|N`,
//!   `--port N|FROM-TO|all`, `--cidr`, `--source-group` (an id or a name) and `--group-owner`,
//!   which make the first rule of `IpPermissions` (refused beside `--ip-permissions`); the
//!   members they stand for (`--ip-protocol`, `--from-port`, …) are still read, not shown;
//! - `create-`/`replace-network-acl-entry`: `--protocol tcp|udp|icmp|all` sent as its number.
//!
//! - `describe-volumes` and `describe-snapshots` (its `ec2/paginate.py`): paged 1,000 at a time
//!   when nothing but the whitelisted members is given (`OwnerIds` and `RestorableByUserIds` for
//!   snapshots, `DryRun` for both) and no page size is ([`injected_page_size`]).
//!
//! Their effect on the parameters, and its order (which the query body keeps), is aws-cli's:
//! the options are read after the members' (aws-cli appends them to the operation's argument
//! table), and the defaults, moves and protocol numbers happen last (its
//! `before-parameter-build` handlers), also over `--cli-input-json` or a `--params` given
//! beside aws-cli's options. `--params` alone is botocore's grammar and has none of this.

use sansboto_core::config::py_int as python_int;
use serde_json::{json, Map, Value as J};

use crate::output::Failure;

/// An EC2 command aws-cli gives options of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Command {
    /// `run-instances`.
    RunInstances,
    /// `authorize-`/`revoke-security-group-ingress`/`-egress`.
    SecurityGroupRule,
    /// `create-`/`replace-network-acl-entry`.
    NetworkAclEntry,
}

/// The command `operation` of `service` (the model's names) is, if aws-cli customizes it.
pub(crate) fn command(service: &str, operation: &str) -> Option<Command> {
    if service != "ec2" {
        return None;
    }
    match operation {
        "RunInstances" => Some(Command::RunInstances),
        "AuthorizeSecurityGroupIngress"
        | "AuthorizeSecurityGroupEgress"
        | "RevokeSecurityGroupIngress"
        | "RevokeSecurityGroupEgress" => Some(Command::SecurityGroupRule),
        "CreateNetworkAclEntry" | "ReplaceNetworkAclEntry" => Some(Command::NetworkAclEntry),
        _ => None,
    }
}

/// aws-cli's page size for a paginated `describe-volumes` or `describe-snapshots` given no
/// member but its whitelisted ones (its `EC2PageSizeInjector`): those calls otherwise answer
/// everything at once, slowly on a large account.
pub(crate) fn injected_page_size(
    service: &str,
    operation: &str,
    params: &sansboto_core::Value,
) -> Option<i64> {
    let allowed: &[&str] = match (service, operation) {
        ("ec2", "DescribeVolumes") => &["DryRun"],
        ("ec2", "DescribeSnapshots") => &["OwnerIds", "RestorableByUserIds", "DryRun"],
        _ => return None,
    };
    let given = params.as_map()?;
    given
        .keys()
        .all(|k| allowed.contains(&k.as_ref()))
        .then_some(1000)
}

/// The members' options `run-instances`' `--count` stands for.
const COUNT_MEMBERS: [&str; 2] = ["min-count", "max-count"];

/// The members' options a security group rule's options stand for (still read, not shown).
const RULE_MEMBERS: [&str; 6] = [
    "ip-protocol",
    "from-port",
    "to-port",
    "cidr-ip",
    "source-security-group-name",
    "source-security-group-owner-id",
];

impl Command {
    /// The options aws-cli adds, in its argument table's order.
    pub(crate) fn added(self) -> &'static [&'static str] {
        match self {
            Command::RunInstances => &[
                "count",
                "secondary-private-ip-addresses",
                "secondary-private-ip-address-count",
                "associate-public-ip-address",
                "no-associate-public-ip-address",
            ],
            Command::SecurityGroupRule => {
                &["protocol", "port", "cidr", "source-group", "group-owner"]
            }
            Command::NetworkAclEntry => &[],
        }
    }

    /// What each added option does, for `help` (the same order as [`added`](Self::added)).
    pub(crate) fn described(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Command::RunInstances => &[
                (
                    "count",
                    "N or MIN:MAX: MinCount and MaxCount (both 1 when not given)",
                ),
                (
                    "secondary-private-ip-addresses",
                    "IP …: more private addresses of the first network interface",
                ),
                (
                    "secondary-private-ip-address-count",
                    "N: how many more private addresses the first network interface gets",
                ),
                (
                    "associate-public-ip-address",
                    "the first network interface gets a public address",
                ),
                (
                    "no-associate-public-ip-address",
                    "the first network interface gets no public address",
                ),
            ],
            Command::SecurityGroupRule => &[
                (
                    "protocol",
                    "tcp | udp | icmp | all | a number: the rule's IpProtocol",
                ),
                ("port", "N, FROM-TO or all: the rule's FromPort and ToPort"),
                ("cidr", "an IPv4 range: the rule's IpRanges"),
                (
                    "source-group",
                    "a group id (sg-…) or name: the rule's group pair",
                ),
                ("group-owner", "the account owning --source-group"),
            ],
            Command::NetworkAclEntry => &[],
        }
    }

    /// A member's option as aws-cli shows it: `run-instances`' count members as `--count`
    /// (which the parser reads itself), a security group rule's scalar members hidden.
    pub(crate) fn relabel(self, name: &mut String, documented: &mut bool) {
        match self {
            Command::RunInstances if COUNT_MEMBERS.contains(&name.as_str()) => {
                *name = "count".into()
            }
            Command::SecurityGroupRule if RULE_MEMBERS.contains(&name.as_str()) => {
                *documented = false
            }
            _ => {}
        }
    }

    /// How many words an added option takes after it: `None` for any number (`nargs='*'`).
    pub(crate) fn arity(self, option: &str) -> Option<usize> {
        match option {
            "secondary-private-ip-addresses" => None,
            "associate-public-ip-address" | "no-associate-public-ip-address" => Some(0),
            _ => Some(1),
        }
    }
}

/// What the added options of a command were given (the last time each was given, as argparse
/// keeps it).
#[derive(Debug, Default)]
pub(crate) struct AddedOptions {
    given: Vec<(&'static str, Vec<String>)>,
}

impl AddedOptions {
    /// Take `option` (one of `command`'s added ones) with its words (as many as
    /// [`Command::arity`] says; for one word, an inline `--option=value` too).
    pub(crate) fn set(
        &mut self,
        command: Command,
        option: &str,
        words: Vec<String>,
    ) -> Result<(), Failure> {
        let Some(option) = command.added().iter().find(|o| **o == option).copied() else {
            return Ok(());
        };
        if command.arity(option) == Some(1) && words.is_empty() {
            return Err(Failure::Usage(format!(
                "argument --{option}: expected one argument"
            )));
        }
        // argparse's `type=int`, checked as the words are read.
        if option == "secondary-private-ip-address-count" && python_int(&words[0]).is_none() {
            return Err(Failure::Usage(format!(
                "argument --{option}: invalid int value: '{}'",
                words[0]
            )));
        }
        self.given.retain(|(o, _)| *o != option);
        self.given.push((option, words));
        Ok(())
    }

    fn one(&self, option: &str) -> Option<&str> {
        self.words(option)
            .and_then(|w| w.first())
            .map(String::as_str)
            .filter(|w| !w.is_empty())
    }

    fn words(&self, option: &str) -> Option<&[String]> {
        self.given
            .iter()
            .find(|(o, _)| *o == option)
            .map(|(_, w)| w.as_slice())
    }

    /// aws-cli's check once the words are read, then what the options add to `params` (after
    /// the members'), in its argument table's order.
    pub(crate) fn apply(
        &self,
        command: Command,
        params: &mut Map<String, J>,
    ) -> Result<(), Failure> {
        match command {
            Command::RunInstances => self.run_instances(params),
            Command::SecurityGroupRule => self.security_group_rule(params),
            Command::NetworkAclEntry => Ok(()),
        }
    }

    fn run_instances(&self, params: &mut Map<String, J>) -> Result<(), Failure> {
        let addresses = self
            .words("secondary-private-ip-addresses")
            .filter(|a| !a.is_empty());
        let address_count = self
            .one("secondary-private-ip-address-count")
            .and_then(python_int)
            .filter(|n| *n != 0);
        let associate = self.words("associate-public-ip-address").is_some();
        // (aws-cli checks whether the option was given, whatever its value.)
        if params.contains_key("NetworkInterfaces")
            && (addresses.is_some() || address_count.is_some() || associate)
        {
            return Err(Failure::Raised(
                "Mixing the --network-interfaces option with the simple, scalar options is \
                 not supported."
                    .into(),
            ));
        }
        // (An empty count is read too, and refused, as aws-cli reads any given value.)
        if let Some(count) = self
            .words("count")
            .and_then(|w| w.first())
            .map(String::as_str)
        {
            let bad = || {
                Failure::Raised(
                    "count parameter should be of form min[:max] (e.g. 1 or 1:10)".into(),
                )
            };
            let (min, max) = match count.split_once(':') {
                Some((_, max)) if max.contains(':') => return Err(bad()),
                Some((min, max)) => (min, max),
                None => (count, count),
            };
            let min = python_int(min).ok_or_else(bad)?;
            let max = python_int(max).ok_or_else(bad)?;
            params.insert("MinCount".into(), json!(min));
            params.insert("MaxCount".into(), json!(max));
        }
        if let Some(addresses) = addresses {
            let addresses: Vec<J> = addresses
                .iter()
                .map(|a| json!({"PrivateIpAddress": a, "Primary": false}))
                .collect();
            let interface = first_interface(params)?;
            if !interface.contains_key("PrivateIpAddresses") {
                interface.insert("PrivateIpAddresses".into(), J::Array(addresses));
            }
        }
        if let Some(count) = address_count {
            first_interface(params)?.insert("SecondaryPrivateIpAddressCount".into(), json!(count));
        }
        if associate {
            first_interface(params)?.insert("AssociatePublicIpAddress".into(), J::Bool(true));
        }
        if self.words("no-associate-public-ip-address").is_some() {
            first_interface(params)?.insert("AssociatePublicIpAddress".into(), J::Bool(false));
        }
        Ok(())
    }

    fn security_group_rule(&self, params: &mut Map<String, J>) -> Result<(), Failure> {
        if params.contains_key("IpPermissions") {
            // aws-cli names the option by its Python name (`source_group`).
            let added = Command::SecurityGroupRule.added().iter();
            if let Some(option) = added.copied().find(|o| self.one(o).is_some()) {
                return Err(Failure::Raised(format!(
                    "The --{} option is not compatible with the --ip-permissions option ",
                    option.replace('-', "_")
                )));
            }
        }
        if let Some(protocol) = self.one("protocol") {
            let number_ok = python_int(protocol).is_some_and(|n| (0..=255).contains(&n) || n == -1);
            let protocol = match protocol {
                _ if number_ok => protocol,
                "tcp" | "udp" | "icmp" => protocol,
                "all" => "-1",
                _ => {
                    return Err(Failure::Raised(
                        "protocol parameter should be one of: tcp|udp|icmp|all or any valid \
                         protocol number."
                            .into(),
                    ))
                }
            };
            first_rule(params)?.insert("IpProtocol".into(), json!(protocol));
        }
        if let Some(port) = self.one("port") {
            let (from, to) = match port {
                "-1" | "all" => ("-1", "-1"),
                _ => port.split_once('-').unwrap_or((port, port)),
            };
            let (Some(from), Some(to)) = (python_int(from), python_int(to)) else {
                return Err(Failure::Raised(
                    "port parameter should be of the form <from[-to]> (e.g. 22 or 22-25)".into(),
                ));
            };
            let rule = first_rule(params)?;
            rule.insert("FromPort".into(), json!(from));
            rule.insert("ToPort".into(), json!(to));
        }
        if let Some(cidr) = self.one("cidr") {
            first_rule(params)?.insert("IpRanges".into(), json!([{"CidrIp": cidr}]));
        }
        if let Some(group) = self.one("source-group") {
            let key = if group.starts_with("sg-") {
                "GroupId"
            } else {
                "GroupName"
            };
            first_pair(params)?.insert(key.into(), json!(group));
        }
        if let Some(owner) = self.one("group-owner") {
            first_pair(params)?.insert("UserId".into(), json!(owner));
        }
        Ok(())
    }
}

/// The first rule of `params`' `IpPermissions`, made (`{}`) when there is none.
fn first_rule(params: &mut Map<String, J>) -> Result<&mut Map<String, J>, Failure> {
    first_item(params, "IpPermissions", json!({}))
}

/// The first group pair of the first rule, made (`{}`) when the rule has none.
fn first_pair(params: &mut Map<String, J>) -> Result<&mut Map<String, J>, Failure> {
    first_item(first_rule(params)?, "UserIdGroupPairs", json!({}))
}

/// The first item (an object) of the list `key` of `map`, the list made of `item` when absent.
/// aws-cli indexes the list and updates the item: an empty list fails there with Python's
/// `IndexError`, whose text is printed; so does anything else that is not a list of objects
/// here (Python's error would be another).
fn first_item<'m>(
    map: &'m mut Map<String, J>,
    key: &str,
    item: J,
) -> Result<&'m mut Map<String, J>, Failure> {
    map.entry(key)
        .or_insert_with(|| J::Array(vec![item]))
        .as_array_mut()
        .and_then(|list| list.first_mut())
        .and_then(J::as_object_mut)
        .ok_or_else(|| Failure::Raised("list index out of range".into()))
}

/// The first network interface of `params`, made (`{"DeviceIndex": 0}`) when there is none.
fn first_interface(params: &mut Map<String, J>) -> Result<&mut Map<String, J>, Failure> {
    first_item(params, "NetworkInterfaces", json!({"DeviceIndex": 0}))
}

/// aws-cli's `before-parameter-build` handlers of `command`, on the call's final parameters.
pub(crate) fn before_parameter_build(
    command: Command,
    params: &mut Map<String, J>,
) -> Result<(), Failure> {
    match command {
        Command::RunInstances => return run_instances_defaults_and_moves(params),
        Command::SecurityGroupRule => {}
        Command::NetworkAclEntry => {
            if let Some(protocol) = params.get_mut("Protocol") {
                let number = match protocol.as_str() {
                    Some("tcp") => "6",
                    Some("udp") => "17",
                    Some("icmp") => "1",
                    Some("all") => "-1",
                    _ => return Ok(()),
                };
                *protocol = json!(number);
            }
        }
    }
    Ok(())
}

/// `run-instances`: `MaxCount` and `MinCount` default to 1, then, when the first network
/// interface has addresses, a public-address choice or an address count, the options EC2
/// accepts only inside it move there.
fn run_instances_defaults_and_moves(params: &mut Map<String, J>) -> Result<(), Failure> {
    for member in ["MaxCount", "MinCount"] {
        params.entry(member).or_insert(json!(1));
    }
    let Some(interfaces) = params.get("NetworkInterfaces") else {
        return Ok(());
    };
    // aws-cli reads the first interface whatever the list holds (`--cli-input-json` may give
    // an empty one): its `IndexError`.
    let Some(interfaces) = interfaces.as_array().filter(|list| !list.is_empty()) else {
        return Err(Failure::Raised("list index out of range".into()));
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
        return Ok(());
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(command: Command, options: &[(&str, &[&str])]) -> AddedOptions {
        let mut added = AddedOptions::default();
        for (option, words) in options {
            let words = words.iter().map(|w| w.to_string()).collect();
            added.set(command, option, words).unwrap();
        }
        added
    }

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
    fn run_instances_options_make_aws_clis_parameters() {
        let command = Command::RunInstances;
        let added = given(
            command,
            &[
                ("associate-public-ip-address", &[]),
                ("secondary-private-ip-addresses", &["10.0.0.5", "10.0.0.6"]),
                ("count", &["2:5"]),
            ],
        );
        let mut params = Map::new();
        params.insert("ImageId".into(), json!("ami-1"));
        params.insert("SubnetId".into(), json!("subnet-1"));
        added.apply(command, &mut params).unwrap();
        before_parameter_build(command, &mut params).unwrap();
        // The options' order is aws-cli's table's, not the command line's.
        assert_eq!(
            serde_json::to_string(&params).unwrap(),
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
            .to_string()
        );
        let mut params = Map::new();
        before_parameter_build(command, &mut params).unwrap();
        assert_eq!(params.keys().collect::<Vec<_>>(), ["MaxCount", "MinCount"]);
    }

    #[test]
    fn security_group_rule_options_make_the_first_rule() {
        let command = Command::SecurityGroupRule;
        let added = given(
            command,
            &[
                ("group-owner", &["123456789012"]),
                ("source-group", &["web"]),
                ("port", &["all"]),
                ("protocol", &["all"]),
            ],
        );
        let mut params = Map::new();
        added.apply(command, &mut params).unwrap();
        assert_eq!(
            serde_json::to_string(&params).unwrap(),
            json!({"IpPermissions": [{
                "IpProtocol": "-1", "FromPort": -1, "ToPort": -1,
                "UserIdGroupPairs": [{"GroupName": "web", "UserId": "123456789012"}],
            }]})
            .to_string()
        );
        let added = given(
            command,
            &[
                ("protocol", &["6"]),
                ("port", &["22-25"]),
                ("cidr", &["10.0.0.0/8"]),
            ],
        );
        let mut params = Map::new();
        added.apply(command, &mut params).unwrap();
        assert_eq!(
            J::Object(params),
            json!({"IpPermissions": [{
                "IpProtocol": "6", "FromPort": 22, "ToPort": 25, "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
            }]})
        );
    }

    #[test]
    fn every_added_option_is_described_in_order() {
        for command in [
            Command::RunInstances,
            Command::SecurityGroupRule,
            Command::NetworkAclEntry,
        ] {
            let described: Vec<&str> = command.described().iter().map(|(o, _)| *o).collect();
            assert_eq!(described, command.added());
        }
    }

    #[test]
    fn network_acl_protocol_names_become_numbers() {
        for (name, number) in [
            ("tcp", "6"),
            ("udp", "17"),
            ("icmp", "1"),
            ("all", "-1"),
            ("47", "47"),
            ("TCP", "TCP"),
        ] {
            let mut params = Map::new();
            params.insert("Protocol".into(), json!(name));
            before_parameter_build(Command::NetworkAclEntry, &mut params).unwrap();
            assert_eq!(params["Protocol"], json!(number));
        }
    }

    #[test]
    fn refused_as_aws_cli_refuses() {
        let raised = |command, options: &[(&str, &[&str])], params: J| {
            let J::Object(mut params) = params else {
                unreachable!()
            };
            match given(command, options).apply(command, &mut params) {
                Err(Failure::Raised(message)) => message,
                other => panic!("{options:?}: {other:?}"),
            }
        };
        assert!(
            raised(Command::RunInstances, &[("count", &["1:2:3"])], json!({}))
                .starts_with("count parameter")
        );
        assert!(
            raised(Command::RunInstances, &[("count", &[""])], json!({}))
                .starts_with("count parameter")
        );
        assert!(raised(
            Command::RunInstances,
            &[("associate-public-ip-address", &[])],
            json!({"NetworkInterfaces": [{"DeviceIndex": 0}]})
        )
        .starts_with("Mixing"));
        assert!(raised(
            Command::SecurityGroupRule,
            &[("protocol", &["256"])],
            json!({})
        )
        .starts_with("protocol parameter"));
        assert!(
            raised(Command::SecurityGroupRule, &[("port", &["-5"])], json!({}))
                .starts_with("port parameter")
        );
        assert_eq!(
            raised(
                Command::SecurityGroupRule,
                &[("source-group", &["sg-1"])],
                json!({"IpPermissions": [{"IpProtocol": "tcp"}]})
            ),
            "The --source_group option is not compatible with the --ip-permissions option "
        );
        let mut added = AddedOptions::default();
        assert!(matches!(
            added.set(Command::RunInstances, "secondary-private-ip-address-count", vec!["two".into()]),
            Err(Failure::Usage(m)) if m.contains("invalid int value: 'two'")
        ));
    }
}
