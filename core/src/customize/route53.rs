//! Route 53: ids given in the `/hostedzone/ABC` form other operations return are cut to `ABC`
//! (botocore's `fix_route53_ids`).

use std::sync::Arc;

use super::{params_mut, PerOperation};
use crate::hooks::{Event, Hooks};
use crate::model::ServiceModel;
use crate::value::{Map, Value};

/// Input members targeting these shapes are fixed.
pub(crate) const ID_SHAPES: [&str; 3] = ["ResourceId", "DelegationSetId", "ChangeId"];

/// Register the id fixing for the operations that have such members (found on each
/// operation's first call, then remembered).
pub(crate) fn register(hooks: &mut Hooks, model: &Arc<ServiceModel>) {
    let id_members: PerOperation<Option<Arc<[String]>>> = PerOperation::new(model);
    hooks.register(
        Event::BeforeParameterBuild,
        "route53.fix-ids",
        "route53",
        move |call, t| {
            let names = id_members.get(call.operation, |model, op| {
                let st = model.shape(op.input.as_ref()?.shape).as_structure()?;
                let names: Vec<String> = st
                    .members
                    .iter()
                    .filter(|(_, m)| ID_SHAPES.contains(&model.shape(m.shape).name.as_str()))
                    .map(|(n, _)| n.clone())
                    .collect();
                (!names.is_empty()).then(|| names.into())
            });
            if let (Some(Some(names)), Some(p)) = (names, params_mut(t)) {
                fix_ids(p, &names);
            }
            Ok(())
        },
    );
}

/// Keep only the part after the last `/` of each named member.
pub(crate) fn fix_ids(params: &mut Map, members: &[String]) {
    for name in members {
        if let Some(Value::String(id)) = params.get_mut(name.as_str()) {
            if let Some((_, last)) = id.rsplit_once('/') {
                *id = last.into();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customize::test_support::before_parameter_build;
    use crate::customize::test_support::model;
    use crate::params;

    #[test]
    fn ids_are_trimmed() {
        let mut h = Hooks::new();
        register(&mut h, &model("route53"));
        let mut p = params! {"Id": "/hostedzone/Z123", "ChangeBatch": params!{}};
        before_parameter_build(&h, "route53", "GetHostedZone", &mut p).unwrap();
        assert_eq!(p["Id"].as_str(), Some("Z123"));
        let mut p = params! {"HostedZoneId": "/hostedzone/Z9", "ChangeBatch": params!{}};
        before_parameter_build(&h, "route53", "ChangeResourceRecordSets", &mut p).unwrap();
        assert_eq!(p["HostedZoneId"].as_str(), Some("Z9"));
        let mut p = params! {"Id": "/change/C1"};
        before_parameter_build(&h, "route53", "GetChange", &mut p).unwrap();
        assert_eq!(p["Id"].as_str(), Some("C1"));
        let mut p = params! {"Id": "/delegationset/N1"};
        before_parameter_build(&h, "route53", "GetReusableDelegationSet", &mut p).unwrap();
        assert_eq!(p["Id"].as_str(), Some("N1"));
    }
}
