//! The session's lists of services, partitions and regions next to botocore 1.44.5's
//! (`get_available_services`, `get_available_partitions`, `get_available_regions` of every service in every partition,
//! with and without the non-regional endpoints, and `get_partition_for_region` of every listed
//! region, names the patterns match and names no partition has), from the same endpoint table.

use std::collections::BTreeMap;

use sansboto_blocking::Session;
use sansboto_tests::botocore;
use serde_json::{json, Value};

/// Names a partition's pattern takes though no list has them, and names none takes.
const OTHER_REGIONS: [&str; 8] = [
    "us-west-9",
    "eu-nowhere-3",
    "cn-southwest-7",
    "us-gov-central-2",
    "us-isob-north-9",
    "mars-1",
    "",
    "US-EAST-1",
];

const BOTOCORE_LISTS: &str = r#"
import os
regions_asked = json.loads(os.environ['REGIONS'])
partitions = session.get_available_partitions()
out = {'partitions': partitions, 'regions': {}, 'partition_for': {},
       'services': session.get_available_services()}
for service in session.get_available_services():
    for partition in partitions + ['aws-nowhere']:
        for allow in (False, True):
            key = f'{service} {partition} {allow}'
            out['regions'][key] = session.get_available_regions(service, partition, allow)
listed = sorted({r for k, v in out['regions'].items() for r in v})
for region in listed + regions_asked:
    try:
        out['partition_for'][region] = session.get_partition_for_region(region)
    except Exception as e:
        out['partition_for'][region] = None
out['regions']['nonexistent-service aws False'] = session.get_available_regions('nonexistent-service')
emit(out)
"#;

#[test]
fn partitions_and_regions_are_botocores() {
    let theirs = botocore::run(
        BOTOCORE_LISTS,
        &[("REGIONS", &serde_json::to_string(&OTHER_REGIONS).unwrap())],
    );
    let session = Session::new();
    let services = session.available_services().unwrap();
    assert_eq!(json!(services), theirs["services"]);
    assert!(services.len() > 400, "{}", services.len());
    let partitions = session.available_partitions().unwrap();
    assert_eq!(json!(partitions), theirs["partitions"]);
    assert!(partitions.len() >= 8, "{partitions:?}");

    let mut differences = Vec::new();
    let mut listed = 0;
    let their_regions = theirs["regions"].as_object().unwrap();
    for (key, their_list) in their_regions {
        let mut parts = key.split(' ');
        let (service, partition, allow) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap() == "True",
        );
        let ours = session
            .available_regions(service, partition, allow)
            .unwrap();
        listed += ours.len();
        if json!(ours) != *their_list {
            differences.push(format!("{key}: sansboto {ours:?}, botocore {their_list}"));
        }
    }
    let mut partition_for: BTreeMap<&String, Value> = BTreeMap::new();
    for (region, their_partition) in theirs["partition_for"].as_object().unwrap() {
        let ours = session.partition_for_region(region).unwrap();
        partition_for.insert(region, json!(ours));
        if json!(ours) != *their_partition {
            differences.push(format!(
                "partition of {region:?}: sansboto {ours:?}, botocore {their_partition}"
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} differences:\n{}",
        differences.len(),
        differences[..differences.len().min(20)].join("\n")
    );
    // The comparison covered every service, in several partitions, and both kinds of answer.
    assert!(
        their_regions.len() > 400 * 2 * partitions.len(),
        "{}",
        their_regions.len()
    );
    assert!(listed > 10_000, "{listed} endpoint names listed");
    assert_eq!(partition_for[&"us-west-9".to_string()], json!("aws"));
    assert_eq!(partition_for[&"mars-1".to_string()], json!(null));
}
