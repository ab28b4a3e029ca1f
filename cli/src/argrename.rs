//! aws-cli's per-operation renames of options (its `argrename` customization): an option made
//! from a member is offered under another name (`sns subscribe --endpoint` is
//! `--notification-endpoint`, `ec2 create-network-acl-entry --no-egress` is `--ingress`), the
//! original name then being no option at all; and hidden aliases, older spellings still read
//! but not shown (`iam enable-mfa-device --authentication-code-1`). This module owns the two
//! tables, as data, keyed as aws-cli keys them (`COMMAND.OPERATION.OPTION`, `*` for every
//! operation, the service by its aws-cli command name); a test compares them with those of the
//! installed aws-cli, so a new release's additions show up as a failure.

/// `(key, new name)`: the option `key` names is offered as `--NEW` instead.
pub(crate) const RENAMES: &[(&str, &str)] = &[
    ("ec2.create-image.no-no-reboot", "reboot"),
    ("ec2.*.no-egress", "ingress"),
    ("ec2.*.no-disable-api-termination", "enable-api-termination"),
    ("swf.register-activity-type.version", "activity-version"),
    ("swf.register-workflow-type.version", "workflow-version"),
    ("datapipeline.*.query", "objects-query"),
    (
        "datapipeline.get-pipeline-definition.version",
        "pipeline-version",
    ),
    ("emr.*.job-flow-ids", "cluster-ids"),
    ("emr.*.job-flow-id", "cluster-id"),
    ("cloudsearchdomain.search.query", "search-query"),
    ("cloudsearchdomain.suggest.query", "suggest-query"),
    ("sns.subscribe.endpoint", "notification-endpoint"),
    ("deploy.*.s-3-location", "s3-location"),
    ("deploy.*.ec-2-tag-filters", "ec2-tag-filters"),
    ("codepipeline.get-pipeline.version", "pipeline-version"),
    (
        "codepipeline.create-custom-action-type.version",
        "action-version",
    ),
    (
        "codepipeline.delete-custom-action-type.version",
        "action-version",
    ),
    (
        "kinesisanalytics.add-application-output.output",
        "application-output",
    ),
    (
        "kinesisanalyticsv2.add-application-output.output",
        "application-output",
    ),
    (
        "route53.delete-traffic-policy.version",
        "traffic-policy-version",
    ),
    (
        "route53.get-traffic-policy.version",
        "traffic-policy-version",
    ),
    (
        "route53.update-traffic-policy-comment.version",
        "traffic-policy-version",
    ),
    ("gamelift.create-build.version", "build-version"),
    ("gamelift.update-build.version", "build-version"),
    ("gamelift.create-script.version", "script-version"),
    ("gamelift.update-script.version", "script-version"),
    ("route53domains.view-billing.start", "start-time"),
    ("route53domains.view-billing.end", "end-time"),
    ("apigateway.create-rest-api.version", "api-version"),
    ("apigatewayv2.create-api.version", "api-version"),
    ("apigatewayv2.update-api.version", "api-version"),
    ("pinpoint.get-campaign-version.version", "campaign-version"),
    ("pinpoint.get-segment-version.version", "segment-version"),
    ("pinpoint.delete-email-template.version", "template-version"),
    (
        "pinpoint.delete-in-app-template.version",
        "template-version",
    ),
    ("pinpoint.delete-push-template.version", "template-version"),
    ("pinpoint.delete-sms-template.version", "template-version"),
    ("pinpoint.delete-voice-template.version", "template-version"),
    ("pinpoint.get-email-template.version", "template-version"),
    ("pinpoint.get-in-app-template.version", "template-version"),
    ("pinpoint.get-push-template.version", "template-version"),
    ("pinpoint.get-sms-template.version", "template-version"),
    ("pinpoint.get-voice-template.version", "template-version"),
    ("pinpoint.update-email-template.version", "template-version"),
    (
        "pinpoint.update-in-app-template.version",
        "template-version",
    ),
    ("pinpoint.update-push-template.version", "template-version"),
    ("pinpoint.update-sms-template.version", "template-version"),
    ("pinpoint.update-voice-template.version", "template-version"),
    ("stepfunctions.send-task-success.output", "task-output"),
    ("clouddirectory.publish-schema.version", "schema-version"),
    ("mturk.list-qualification-types.query", "types-query"),
    (
        "workdocs.create-notification-subscription.endpoint",
        "notification-endpoint",
    ),
    ("workdocs.describe-users.query", "user-query"),
    ("lex-models.delete-bot.version", "bot-version"),
    ("lex-models.delete-intent.version", "intent-version"),
    ("lex-models.delete-slot-type.version", "slot-type-version"),
    ("lex-models.get-intent.version", "intent-version"),
    ("lex-models.get-slot-type.version", "slot-type-version"),
    ("lex-models.delete-bot-version.version", "bot-version"),
    ("lex-models.delete-intent-version.version", "intent-version"),
    (
        "lex-models.delete-slot-type-version.version",
        "slot-type-version",
    ),
    ("lex-models.get-export.version", "resource-version"),
    ("license-manager.get-grant.version", "grant-version"),
    ("license-manager.delete-grant.version", "grant-version"),
    ("license-manager.get-license.version", "license-version"),
    (
        "rekognition.create-stream-processor.output",
        "stream-processor-output",
    ),
    ("eks.create-cluster.version", "kubernetes-version"),
    ("eks.update-cluster-version.version", "kubernetes-version"),
    ("eks.create-nodegroup.version", "kubernetes-version"),
    ("eks.update-nodegroup-version.version", "kubernetes-version"),
    (
        "eks.update-cluster-components-version.version",
        "kubernetes-version",
    ),
    ("schemas.*.version", "schema-version"),
    ("sagemaker.delete-image-version.version", "version-number"),
    ("sagemaker.describe-image-version.version", "version-number"),
    ("sagemaker.list-aliases.version", "version-number"),
    ("sagemaker.update-image-version.version", "version-number"),
    ("iotwireless.*.lo-ra-wan", "lorawan"),
    ("codepipeline.get-action-type.version", "action-version"),
    ("ecs.*.no-enable-execute-command", "disable-execute-command"),
    ("ecs.execute-command.no-interactive", "non-interactive"),
    (
        "controltower.create-landing-zone.version",
        "landing-zone-version",
    ),
    (
        "controltower.update-landing-zone.version",
        "landing-zone-version",
    ),
    (
        "glue.get-unfiltered-partition-metadata.region",
        "resource-region",
    ),
    (
        "glue.get-unfiltered-partitions-metadata.region",
        "resource-region",
    ),
    (
        "glue.get-unfiltered-table-metadata.region",
        "resource-region",
    ),
];

/// `(key, alias)`: the option `key` names is also read as `--ALIAS`, undocumented.
pub(crate) const HIDDEN_ALIASES: &[(&str, &str)] = &[
    (
        "cognito-identity.create-identity-pool.open-id-connect-provider-arns",
        "open-id-connect-provider-ar-ns",
    ),
    ("storagegateway.describe-tapes.tape-arns", "tape-ar-ns"),
    (
        "storagegateway.describe-tape-archives.tape-arns",
        "tape-ar-ns",
    ),
    (
        "storagegateway.describe-vtl-devices.vtl-device-arns",
        "vtl-device-ar-ns",
    ),
    (
        "storagegateway.describe-cached-iscsi-volumes.volume-arns",
        "volume-ar-ns",
    ),
    (
        "storagegateway.describe-stored-iscsi-volumes.volume-arns",
        "volume-ar-ns",
    ),
    ("route53domains.view-billing.start-time", "start"),
    ("deploy.create-deployment-group.ec2-tag-set", "ec-2-tag-set"),
    ("deploy.list-application-revisions.s3-bucket", "s-3-bucket"),
    (
        "deploy.list-application-revisions.s3-key-prefix",
        "s-3-key-prefix",
    ),
    ("deploy.update-deployment-group.ec2-tag-set", "ec-2-tag-set"),
    (
        "iam.enable-mfa-device.authentication-code1",
        "authentication-code-1",
    ),
    (
        "iam.enable-mfa-device.authentication-code2",
        "authentication-code-2",
    ),
    (
        "iam.resync-mfa-device.authentication-code1",
        "authentication-code-1",
    ),
    (
        "iam.resync-mfa-device.authentication-code2",
        "authentication-code-2",
    ),
    ("importexport.get-shipping-label.street1", "street-1"),
    ("importexport.get-shipping-label.street2", "street-2"),
    ("importexport.get-shipping-label.street3", "street-3"),
    ("lambda.publish-version.code-sha256", "code-sha-256"),
    (
        "lightsail.import-key-pair.public-key-base64",
        "public-key-base-64",
    ),
    (
        "mgn.*.replication-servers-security-groups-ids",
        "replication-servers-security-groups-i-ds",
    ),
    ("mgn.*.source-server-ids", "source-server-i-ds"),
    (
        "mgn.*.replication-configuration-template-ids",
        "replication-configuration-template-i-ds",
    ),
    (
        "elasticache.create-replication-group.preferred-cache-cluster-azs",
        "preferred-cache-cluster-a-zs",
    ),
];

/// Whether a table key applies to `operation` (kebab case) of `service` (the model's name),
/// and the option (without `--`) it names.
fn applies<'k>(key: &'k str, service: &str, operation: &str) -> Option<&'k str> {
    let (scope, option) = key.rsplit_once('.')?;
    let (command, op) = scope.split_once('.')?;
    (crate::awsgrammar::service_name(command) == service && (op == "*" || op == operation))
        .then_some(option)
}

/// The renames of `operation` of `service`: `(original, new)` option names, without `--`.
pub(crate) fn renames<'t>(
    service: &'t str,
    operation: &'t str,
) -> impl Iterator<Item = (&'static str, &'static str)> + 't {
    RENAMES
        .iter()
        .filter_map(move |(key, new)| applies(key, service, operation).map(|o| (o, *new)))
}

/// The hidden aliases of `operation` of `service`: `(option, alias)`, without `--`.
pub(crate) fn hidden_aliases<'t>(
    service: &'t str,
    operation: &'t str,
) -> impl Iterator<Item = (&'static str, &'static str)> + 't {
    HIDDEN_ALIASES
        .iter()
        .filter_map(move |(key, alias)| applies(key, service, operation).map(|o| (o, *alias)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `code` run by Python with the installed aws-cli importable (`scripts/ensure-awscli`;
    /// `SANSBOTO_AWSCLI_DIR`), its stdout read as JSON.
    pub(crate) fn run_awscli(code: &str) -> serde_json::Value {
        run_awscli_on(code, &serde_json::Value::Null)
    }

    /// [`run_awscli`] with `input` written as JSON to the script's stdin
    /// (`json.load(sys.stdin)`): the cases a test compares with Python's own answers.
    pub(crate) fn run_awscli_on(code: &str, input: &impl serde::Serialize) -> serde_json::Value {
        use std::io::Write as _;
        use std::process::Stdio;
        let dir = sansboto_tests::awscli_dir();
        let mut child = std::process::Command::new(sansboto_tests::botocore::python())
            .arg("-c")
            .arg(code)
            .env_clear()
            .env("PYTHONPATH", &dir)
            .env("HOME", "/nonexistent")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python runs");
        let written = serde_json::to_vec(input).unwrap();
        child.stdin.take().unwrap().write_all(&written).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// The installed aws-cli's two tables.
    fn awscli_tables() -> serde_json::Value {
        run_awscli(
            "import json\nfrom awscli.customizations import argrename as a\n\
             print(json.dumps([list(a.ARGUMENT_RENAMES.items()), list(a.HIDDEN_ALIASES.items())]))",
        )
    }

    #[test]
    fn the_tables_are_the_installed_aws_clis() {
        let theirs = awscli_tables();
        for (ours, theirs, name) in [
            (RENAMES, &theirs[0], "ARGUMENT_RENAMES"),
            (HIDDEN_ALIASES, &theirs[1], "HIDDEN_ALIASES"),
        ] {
            let theirs: Vec<(String, String)> = serde_json::from_value(theirs.clone()).unwrap();
            let ours: Vec<(String, String)> = ours
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            assert!(ours.len() > 20, "{name}: {} entries", ours.len());
            assert_eq!(ours, theirs, "{name} differs from the installed aws-cli's");
        }
    }

    /// Every key names a command this CLI has (the service's model, by aws-cli's command name)
    /// and, unless `*`, an operation that is in the models exactly when it is in the pinned
    /// botocore's (aws-cli's table may name operations newer than the pin): no entry is dead
    /// here for a naming slip.
    #[test]
    fn every_key_names_a_known_operation() {
        let session = sansboto_host::core_session(None).unwrap();
        let services = session.services().unwrap();
        let mut pairs: Vec<(String, String, bool)> = Vec::new();
        for (key, _) in RENAMES.iter().chain(HIDDEN_ALIASES) {
            let mut parts = key.splitn(3, '.');
            let (command, operation) = (parts.next().unwrap(), parts.next().unwrap());
            let service = crate::awsgrammar::service_name(command);
            assert!(
                services.iter().any(|s| s == service),
                "{key}: no service {service}"
            );
            if operation != "*" {
                let model = session.model(service, None).unwrap();
                let ours = model
                    .operation_names()
                    .any(|o| crate::awsgrammar::kebab(o) == operation);
                pairs.push((service.to_string(), operation.to_string(), ours));
            }
        }
        let query: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(s, o, _)| (s.as_str(), o.as_str()))
            .collect();
        let theirs = sansboto_tests::botocore::run(
            &format!(
                "pairs = json.loads({:?})\n\
                 emit([any(botocore.xform_name(n, '-') == o \
                 for n in session.get_service_model(s).operation_names) for s, o in pairs])",
                serde_json::to_string(&query).unwrap()
            ),
            &[],
        );
        let ours: Vec<bool> = pairs.iter().map(|(_, _, present)| *present).collect();
        assert_eq!(serde_json::json!(ours), theirs, "{pairs:?}");
        assert!(ours.iter().filter(|p| **p).count() > 80);
    }

    #[test]
    fn keys_apply_to_their_command_and_operation() {
        assert_eq!(
            renames("ec2", "create-image").collect::<Vec<_>>(),
            [
                ("no-no-reboot", "reboot"),
                ("no-egress", "ingress"),
                ("no-disable-api-termination", "enable-api-termination")
            ]
        );
        assert_eq!(
            renames("sns", "subscribe").collect::<Vec<_>>(),
            [("endpoint", "notification-endpoint")]
        );
        assert_eq!(renames("sns", "publish").count(), 0);
        // aws-cli's `deploy` is the codedeploy model.
        assert!(renames("codedeploy", "create-deployment")
            .any(|r| r == ("s-3-location", "s3-location")));
        assert_eq!(renames("deploy", "create-deployment").count(), 0);
        assert!(hidden_aliases("iam", "enable-mfa-device")
            .any(|a| a == ("authentication-code1", "authentication-code-1")));
    }
}
