/// botocore's parameter aliases (`ParameterAlias`): (service, operation or `*`, modeled name,
/// the name botocore's users pass). A typed input uses the public name, which the core's hook
/// turns back into the modeled one, so the request is the one `call` makes. The same table as
/// `sansboto_core::PARAMETER_ALIASES`, repeated because the macro runs at
/// compile time without linking the core; `sansboto-typed`'s round-trip test includes this file
/// and compares the two.
pub(crate) const PARAMETER_ALIASES: [(&str, &str, &str, &str); 3] = [
    ("ec2", "*", "Filter", "Filters"),
    ("logs", "CreateExportTask", "from", "fromTime"),
    ("cloudsearchdomain", "Search", "return", "returnFields"),
];
