//! botocore's parameter aliases (`ParameterAlias`), as data: (service, operation or `*`, modeled
//! name, the name botocore's users pass). The one copy of this table: the core's hook turns an
//! alias back into the modeled name on every call (`common::register_aliases`), and the
//! `typed!` proc macro compiles this same file (`#[path]` in `typed-macros/src/lib.rs`) to name
//! a typed input's field by the alias — a proc macro cannot link the core, and building the
//! core for the host only for this table would add to every typed build. Keep the file
//! self-contained (no `use`, no `crate::` paths) for that reason.

/// The aliases, by service.
pub(crate) const PARAMETER_ALIASES: [(&str, &str, &str, &str); 3] = [
    ("ec2", "*", "Filter", "Filters"),
    ("logs", "CreateExportTask", "from", "fromTime"),
    ("cloudsearchdomain", "Search", "return", "returnFields"),
];
