//! The `sansboto` command: any operation of any service from the shell, on the blocking
//! transport. Parameters are JSON read through the operation's input shape; results are JSON
//! on stdout; errors are JSON on stderr with `aws`'s (v2) exit codes: 254 a service error, 252
//! usage and parameter validation, 253 no region or credentials, 255 anything else client-side.
//! `--dry-run` stops right after signing and prints the request instead of sending
//! it (after an operation with a `DryRun` member, such as EC2's, it is that member, as in
//! aws-cli). Paginated operations are followed to one aggregated result, as `aws` does (its text
//! output excepted: that prints page by page, as aws-cli's does).

mod abbrev;
mod addedargs;
mod argrename;
mod args;
mod awscmds;
mod awsgrammar;
mod completion;
mod configure;
mod debug;
mod ec2args;
mod help;
mod lambdaargs;
mod mfa;
mod mimetypes;
mod outfile;
mod output;
mod params;
mod pyunicode;
mod render;
mod s3cmd;
mod shorthand;
mod suggest;
mod table;
mod timestamps;
mod yaml;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::Engine;
use sansboto_core::auth::Identity;
use sansboto_core::credentials::CredentialsError;
use sansboto_core::eks;
use sansboto_core::model::ServiceModel;
use sansboto_core::runtime::{drive_credentials, Client, Http, RuntimeSession};
use sansboto_core::session::{ClientOptions, Session};
use sansboto_core::AwsChunkedBody;
use sansboto_core::AwsChunkedEncoder;
use sansboto_core::Body;
use sansboto_core::Error;
use sansboto_core::PaginationOptions;
use sansboto_core::Timestamp;
use sansboto_core::TimestampParsing;
use sansboto_core::Value;

use args::{CallOptions, Command, GlobalOptions, Invocation};
use debug::debug_event;
use output::Failure;
use sansboto_blocking::HttpClient;

fn main() {
    // Last resort: an internal bug prints one line and exits 255, never a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("sansboto: internal error: {what}{place}");
        std::process::exit(output::EXIT_CLIENT);
    }));
    let code = match utf8_arguments().and_then(|argv| run(argv.into_iter())) {
        Ok(()) => 0,
        Err(failure) => {
            failure.report();
            failure.exit_code()
        }
    };
    std::process::exit(code);
}

/// The command line's arguments as text. One that is not UTF-8 cannot be sent: a client-side
/// error naming it (exit 255, as aws-cli fails encoding it to UTF-8), where `std::env::args`
/// would panic.
fn utf8_arguments() -> Result<Vec<String>, Failure> {
    std::env::args_os()
        .skip(1)
        .enumerate()
        .map(|(i, arg)| {
            arg.into_string().map_err(|raw| {
                let shown = raw.to_string_lossy().into_owned();
                let message = format!("argument {} is not valid UTF-8: {shown:?}", i + 1);
                Failure::client("ClientError", message)
            })
        })
        .collect()
}

/// The command's session: the library's, with what aws-cli adds to botocore's: the MFA prompt
/// of a role profile (`getpass`) and the file cache of assumed roles, `~/.aws/cli/cache` (its
/// `inject_assume_role_provider_cache`, for role profiles and web identity).
pub(crate) fn cli_session<T: sansboto_core::runtime::Transport>(
    profile: Option<String>,
) -> RuntimeSession<T> {
    // An empty `--profile` chooses none, as aws-cli's `if args.profile:` reads it.
    let profile = profile.filter(|p| !p.is_empty());
    let session =
        RuntimeSession::from_core(sansboto_host::core_session(profile)).mfa_prompt(mfa::ask);
    match std::env::home_dir() {
        Some(home) => session.assume_role_cache(home.join(".aws").join("cli").join("cache")),
        None => session,
    }
}

fn run(argv: impl Iterator<Item = String>) -> Result<(), Failure> {
    let argv: Vec<String> = argv.collect();
    if s3cmd::is_s3_command(&argv) {
        return s3cmd::run(&argv);
    }
    // Shell completion: the script, and the candidates it asks for.
    match argv.first().map(String::as_str) {
        Some("completion") if argv.len() == 2 => {
            return output::print_stdout(completion::script(&argv[1])?);
        }
        Some("__complete") => {
            let words = argv[1..]
                .strip_prefix(&["--".to_string()])
                .unwrap_or(&argv[1..]);
            let core = sansboto_host::core_session(None)?;
            return output::print_stdout(&completion::candidates(&core, words).join("\n"));
        }
        _ => {}
    }
    let invocation = args::parse(argv).map_err(|e| Failure::Usage(e.0))?;
    let Invocation { global, command } = invocation;
    if global.debug {
        debug::enable();
    }
    if command == Command::Version {
        return output::print_stdout(concat!("sansboto ", env!("CARGO_PKG_VERSION")));
    }
    let session: RuntimeSession<HttpClient> = cli_session(global.profile.clone());
    let core = session.core()?.clone();
    // aws-cli reads `cli_timestamp_format` before any command runs, `help` included.
    let timestamp_format = timestamps::configured(&core)?;
    match command {
        Command::Version => Ok(()),
        Command::Help { service, operation } => output::print_stdout(
            help::help_text(&core, service.as_deref(), operation.as_deref())?.trim_end(),
        ),
        Command::Call {
            service,
            operation,
            options,
        } => call(
            &session,
            &core,
            &global,
            &service,
            &operation,
            &options,
            timestamp_format,
        ),
        Command::Presign {
            service,
            operation,
            params,
            expires_in,
        } => {
            let model = suggest::model(&core, &service)?;
            let op = operation_of(&model, &service, &operation)?;
            let params = read_params(
                &model,
                op.input.as_ref().map(|r| r.shape),
                params.as_deref(),
            )?;
            let client = build_client(&session, &global, &service)?;
            let url = client.presign(&op.name, params, Duration::from_secs(expires_in))?;
            output::print_stdout(&url)
        }
        Command::EksGetToken { cluster, role_arn } => {
            // aws-cli presigns with an STS client of the command's region and credentials, or
            // of the role's (assumed with the session name aws-cli gives it).
            let mut client = build_client(&session, &global, "sts")?;
            if let Some(role_arn) = role_arn {
                let assumed = client.call(
                    "AssumeRole",
                    sansboto_core::params! {
                        "RoleArn": role_arn.as_str(),
                        "RoleSessionName": "EKSGetTokenAuth",
                    },
                )?;
                let creds = &assumed["Credentials"];
                let text = |name: &str| creds[name].as_str().unwrap_or_default().to_string();
                client = session
                    .client("sts")
                    .options(client_options(&global))
                    .http_settings(global.http_settings())
                    .credentials(
                        &text("AccessKeyId"),
                        &text("SecretAccessKey"),
                        Some(&text("SessionToken")),
                    )
                    .build()?;
            }
            let token = client.eks_token(&cluster)?;
            let exec_info = std::env::var("KUBERNETES_EXEC_INFO").ok();
            let (api_version, warning) = eks::exec_credential_api_version(exec_info.as_deref());
            if let Some(warning) = warning {
                eprintln!("{warning}");
            }
            let credential = eks::exec_credential(&token, &api_version, SystemTime::now());
            // Printed as aws-cli prints it: its formatter (`--output`, else the configured
            // format, else JSON; `--query`), then a line break of its own.
            let rendering = rendering_for(&core, &global, "get-token")?;
            let text = rendering.render(credential)?.unwrap_or_default();
            output::write_stdout(&format!("{text}\n"))
        }
        Command::Wait {
            service,
            waiter,
            params,
            delay,
            max_attempts,
            operation_args,
        } => {
            let waiters =
                core.waiters_of(&service, suggest::api_version(&core, &service)?.as_deref())?;
            let name = waiter.replace('-', "_");
            let config = waiters
                .get(&name)
                .map_err(|e| Failure::client("WaiterError", e.to_string()))?;
            let model = suggest::model(&core, &service)?;
            let op = operation_of(&model, &service, &config.operation)?;
            // aws-cli's `SERVICE wait WAITER --member value`: the waiter's operation's options.
            let aws = awsgrammar::parse(&model, &service, op, &operation_args, &[], false)?;
            let params = operation_params(&model, &service, op, aws, params.as_deref())?;
            let client = build_client(&session, &global, &service)?;
            debug_event!("waiter {} on {}", config.name, config.operation);
            client
                .wait(&name, params, delay, max_attempts)
                .map_err(|e| match e {
                    // The waiter's verdict (failure acceptor, attempts exhausted) is the reason.
                    Error::Waiter(e) => Failure::client("WaiterError", e.to_string()),
                    other => Failure::from(other),
                })
        }
    }
}

fn operation_of<'m>(
    model: &'m ServiceModel,
    service: &str,
    name: &str,
) -> Result<&'m sansboto_core::model::Operation, Failure> {
    model.operation(name).ok_or_else(|| {
        Failure::from(Error::UnknownOperation {
            service: service.to_string(),
            operation: name.to_string(),
            suggestion: model.nearest_operation(name),
        })
    })
}

fn read_params(
    model: &ServiceModel,
    input: Option<sansboto_core::model::ShapeId>,
    given: Option<&str>,
) -> Result<Value, Failure> {
    let json = params::read_params_json(given).map_err(Failure::param_validation)?;
    convert_params(model, input, &json)
}

/// The call's parameters: aws-cli's options over the whole input (`--cli-input-json` or
/// `--params`), or `--params` alone.
fn operation_params(
    model: &ServiceModel,
    service: &str,
    op: &sansboto_core::model::Operation,
    aws: awsgrammar::OperationArgs,
    given: Option<&str>,
) -> Result<Value, Failure> {
    let input = op.input.as_ref().map(|r| r.shape);
    if aws.input.is_some() && given.is_some() {
        return Err(Failure::Usage(
            "--params and --cli-input-json cannot both be given".into(),
        ));
    }
    // aws-cli's handlers of EC2 commands (`run-instances`' default count) act on its
    // grammar's calls, options or not; `--params` alone is botocore's grammar, and beside
    // aws-cli's options it is their base, as `--cli-input-json` is.
    let ec2_command =
        ec2args::command(service, &op.name).filter(|_| given.is_none() || !aws.params.is_empty());
    if aws.input.is_none() && aws.params.is_empty() && ec2_command.is_none() {
        return read_params(model, input, given);
    }
    // The options, then the members of the whole input they do not give: as aws-cli, the
    // option's value wins.
    let base = match aws.input {
        Some(map) => map,
        None => match params::read_params_json(given).map_err(Failure::param_validation)? {
            serde_json::Value::Object(map) => map,
            _ => {
                return Err(Failure::param_validation(
                    "Error parsing parameter '--params': the parameters must be a JSON object",
                ))
            }
        },
    };
    let mut json = aws.params;
    for (name, value) in base {
        json.entry(name).or_insert(value);
    }
    if let Some(command) = ec2_command {
        ec2args::before_parameter_build(command, &mut json)?;
    }
    convert_params(model, input, &serde_json::Value::Object(json))
}

fn convert_params(
    model: &ServiceModel,
    input: Option<sansboto_core::model::ShapeId>,
    json: &serde_json::Value,
) -> Result<Value, Failure> {
    params::convert(model, input, json).map_err(|(converted, mut problems)| {
        // List the validator's findings too, so every problem shows at once. (The core
        // validates again at call time, after customizations such as parameter aliases.)
        if let Err(e) = sansboto_core::validate(model, input, &converted) {
            problems.extend(e.problems.iter().map(|p| p.to_string()));
        }
        Failure::param_validation(format!(
            "Parameter validation failed:\n{}",
            problems.join("\n")
        ))
    })
}

/// The options of every client the command makes. With no retry mode configured, legacy:
/// aws-cli v1 runs on a botocore of its own whose default it is (5 attempts, `_retry.json`'s),
/// where botocore's, which the library keeps, is standard (3). (Its botocore defaults to
/// standard under `AWS_NEW_RETRIES_2026`, an internal switch it advises against; not followed.)
fn client_options(global: &GlobalOptions) -> ClientOptions {
    ClientOptions {
        region: global.region.clone(),
        endpoint_url: global.endpoint_url.clone(),
        unsigned: global.no_sign_request,
        default_retry_mode: Some(sansboto_core::RetryMode::Legacy),
        ..Default::default()
    }
}

fn build_client(
    session: &RuntimeSession<HttpClient>,
    global: &GlobalOptions,
    service: &str,
) -> Result<Client<HttpClient>, Failure> {
    build_client_with(session, global, service, TimestampParsing::Parsed)
}

/// [`build_client`] reading results' timestamps as `timestamps` says: an API call's as the
/// wire has them, as aws-cli v1's botocore reads them (see [`timestamps`]).
fn build_client_with(
    session: &RuntimeSession<HttpClient>,
    global: &GlobalOptions,
    service: &str,
    timestamps: TimestampParsing,
) -> Result<Client<HttpClient>, Failure> {
    let client = session
        .client(service)
        .options(ClientOptions {
            timestamp_parsing: timestamps,
            ..client_options(global)
        })
        .http_settings(global.http_settings())
        .build()?;
    let config = client.core().config();
    debug_event!(
        "client {service}: region {}, endpoint URL {}, retry mode {:?}",
        config.endpoint.region.as_deref().unwrap_or("(none)"),
        config
            .endpoint
            .endpoint_url
            .as_deref()
            .unwrap_or("(from rules)"),
        config.retry_mode
    );
    Ok(client)
}

/// How a call titled `title` prints its result: aws-cli's formatter from the command line's
/// `--query`, `--output` and `--color`, the configured format when `--output` is not given.
fn rendering_for(
    core: &Session,
    global: &GlobalOptions,
    title: &str,
) -> Result<render::Rendering, Failure> {
    render::Rendering::for_call(
        global.query.as_deref(),
        global.output.as_deref(),
        configured_format(core).as_deref(),
        global.color.as_deref(),
        title,
    )
}

/// aws-cli's configured format: `AWS_DEFAULT_OUTPUT`, else the profile's `output`.
fn configured_format(core: &Session) -> Option<String> {
    std::env::var("AWS_DEFAULT_OUTPUT")
        .ok()
        .or_else(|| configured_output(core))
}

/// The profile's `output`.
fn configured_output(core: &Session) -> Option<String> {
    let profile = core.profile().unwrap_or("default");
    let section = core.shared_config().profile(profile)?;
    Some(section.get("output")?.as_text()?.to_string())
}

/// `--dry-run` given after the operation (`args::parse` leaves it with the operation's words):
/// the operation's own flag when it has one (EC2's `DryRun`, which aws-cli sends), else this
/// command's, which stops after signing.
fn own_dry_run(
    model: &ServiceModel,
    service: &str,
    op: &sansboto_core::model::Operation,
    operation_args: &[String],
    global: &mut GlobalOptions,
) -> Result<Vec<String>, Failure> {
    let mut args = operation_args.to_vec();
    let is_member = || {
        awsgrammar::member_options(model, service, op)
            .iter()
            .any(|o| o.name == "dry-run")
    };
    if args.iter().any(|a| a == "--dry-run") && !is_member() {
        args.retain(|a| a != "--dry-run");
        global.dry_run = true;
    }
    if global.signing_time.is_some() && !global.dry_run {
        return Err(Failure::Usage(
            "--signing-time is only allowed with this command's --dry-run (after this \
             operation, --dry-run is its DryRun member; give it before the service)"
                .into(),
        ));
    }
    Ok(args)
}

/// aws-cli's `check_should_enable_pagination` with pagination off (`--no-paginate`): an option
/// of the operation's own that the pagination options shadow (IAM's and Lambda's `--max-items`,
/// their `MaxItems`) is the operation's again, sent as its member.
fn unshadow_pagination_options(
    model: &ServiceModel,
    service: &str,
    op: &sansboto_core::model::Operation,
    options: &mut CallOptions,
) {
    let members = awsgrammar::member_options(model, service, op);
    let own = |name: &str| members.iter().any(|m| m.name == name);
    let mut give_back = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            options.operation_args.extend([format!("--{name}"), value]);
        }
    };
    if own("starting-token") {
        give_back("starting-token", options.starting_token.take());
    }
    if own("page-size") {
        give_back("page-size", options.page_size.take().map(|n| n.to_string()));
    }
    if own("max-items") {
        give_back("max-items", options.max_items.take().map(|n| n.to_string()));
    }
}

/// aws-cli's refusal of pagination options with pagination off (`--no-paginate`), in its
/// words (its `PaginationError`, exit 255).
fn refuse_pagination_options(options: &CallOptions) -> Result<(), Failure> {
    if !options.no_paginate {
        return Ok(());
    }
    let used: Vec<&str> = [
        ("--starting-token", options.starting_token.is_some()),
        ("--page-size", options.page_size.is_some()),
        ("--max-items", options.max_items.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, given)| given.then_some(name))
    .collect();
    if used.is_empty() {
        return Ok(());
    }
    Err(Failure::Raised(format!(
        "Error during pagination: Cannot specify --no-paginate along with pagination \
         arguments: {}",
        used.join(", ")
    )))
}

fn call(
    session: &RuntimeSession<HttpClient>,
    core: &Arc<Session>,
    global: &GlobalOptions,
    service: &str,
    operation: &str,
    options: &CallOptions,
    timestamp_format: timestamps::TimestampFormat,
) -> Result<(), Failure> {
    if awscmds::is_command(service, operation) {
        return awscmds::run(session, global, service, operation, options);
    }
    if service == "configure" {
        awscmds::refuse_call_options(global, "configure", operation, options)?;
        let profile_given = global.profile.is_some();
        return configure::run(
            session,
            core,
            profile_given,
            operation,
            &options.operation_args,
        );
    }
    let model = suggest::model(core, service)?;
    let op = operation_of(&model, service, operation)?;
    // aws-cli offers the paging options of the latest version's paginators (its `paginate`
    // customization reads them without a version) and pages with the client's, which a
    // profile's `api_versions` may pin to an older one.
    let offered = core
        .paginators(service)
        .ok()
        .filter(|p| p.get(&op.name).is_some());
    let paginator = match suggest::api_version(core, service)? {
        None => offered.clone(),
        Some(version) => core
            .paginators_of(service, Some(&version))
            .ok()
            .filter(|p| p.get(&op.name).is_some()),
    };
    // aws-cli's `_get_all_cli_input_tokens`: a paginator's input tokens and its limit key; any
    // of them given by hand turns pagination off (`check_should_enable_pagination`).
    let input_tokens = offered
        .as_ref()
        .and_then(|p| p.get(&op.name))
        .map(|c| {
            let limit = c.limit_key().map(str::to_owned);
            c.input_tokens()
                .iter()
                .cloned()
                .chain(limit)
                .collect::<Vec<String>>()
        })
        .unwrap_or_default();
    let limit_key = offered
        .as_ref()
        .and_then(|p| p.get(&op.name).map(|c| c.limit_key().is_some()))
        .unwrap_or(false);
    let mut options = options.clone();
    if options.no_paginate {
        unshadow_pagination_options(&model, service, op, &mut options);
    }
    let mut global = global.clone();
    let operation_args = own_dry_run(&model, service, op, &options.operation_args, &mut global)?;
    let parse =
        |words: &[String]| awsgrammar::parse(&model, service, op, words, &input_tokens, limit_key);
    let mut aws = parse(&operation_args)?;
    // aws-cli's `check_should_enable_pagination`: a paginator's token or page size given by
    // hand turns pagination off, as `--no-paginate` does; the options that shadowed the
    // operation's own are its own again, read with the rest.
    if aws.manual_paging && !options.no_paginate {
        options.no_paginate = true;
        if options.has_pagination_flags() {
            unshadow_pagination_options(&model, service, op, &mut options);
            aws = parse(&own_dry_run(
                &model,
                service,
                op,
                &options.operation_args,
                &mut global,
            )?)?;
        }
    }
    let options = &options;
    let global = &global;
    match aws.skeleton {
        Some(awsgrammar::Skeleton::Input) => {
            let skeleton = op.input.as_ref().map_or(serde_json::json!({}), |r| {
                awsgrammar::skeleton(&model, r.shape, false)
            });
            return output::print_stdout(&awsgrammar::pretty4(&skeleton));
        }
        Some(awsgrammar::Skeleton::Output) => {
            // aws-cli answers a stubbed call with it: the parameters are read and checked as a
            // call's are, and the made-up answer printed as a result is (`--output`, `--query`).
            let params = operation_params(&model, service, op, aws, options.params.as_deref())?;
            sansboto_core::validate(&model, op.input.as_ref().map(|r| r.shape), &params)
                .map_err(|e| Failure::from(Error::Validation(e)))?;
            let skeleton = op.output.as_ref().map_or(serde_json::json!({}), |r| {
                awsgrammar::skeleton(&model, r.shape, true)
            });
            let rendering = rendering_for(core, global, &op.name)?;
            return match rendering.render(skeleton)? {
                Some(text) => output::write_stdout(&text),
                None => Ok(()),
            };
        }
        None => {}
    }
    let mut options = options.clone();
    for (name, value) in std::mem::take(&mut aws.pagination) {
        args::set_pagination(&mut options, name, value).map_err(|e| Failure::Usage(e.0))?;
    }
    if paginator.is_some() {
        refuse_pagination_options(&options)?;
    }
    if options.max_items == Some(0) && paginator.is_some() && !options.no_paginate {
        // aws-cli's pagination argument warns, then pages on.
        eprintln!("warning: Non-positive values for --max-items may result in undefined behavior.");
    }
    if aws.outfile.is_some() {
        if options.outfile.is_some() {
            return Err(Failure::Usage(
                "the output file is given twice (--outfile and a positional FILE)".into(),
            ));
        }
        options.outfile = aws.outfile.clone();
    }
    let options = &options;
    // aws-cli's handlers after the call (`--outfile` of `create-virtual-mfa-device`), in its
    // grammar only.
    let after_call = aws
        .after_call
        .take()
        .filter(|_| options.params.is_none() || !options.operation_args.is_empty());
    if let Some(after) = after_call.as_ref().filter(|_| !global.dry_run) {
        addedargs::check_before(after, options.outfile.as_deref())?;
    }
    let streaming = output::streaming_output(&model, op.output.as_ref().map(|r| r.shape));
    if options.outfile.is_some()
        && streaming.as_ref().is_none_or(|s| s.event_stream)
        && after_call.is_none()
    {
        return Err(Failure::Usage(format!(
            "--outfile is only for operations with a streaming output; {service} {} has none",
            op.name
        )));
    }
    // aws-cli's grammar takes a streaming output's file as a required positional word; the
    // command's own grammar (`--params`) may leave it out and print the body as base64.
    if streaming.as_ref().is_some_and(|s| !s.event_stream)
        && options.outfile.is_none()
        && options.params.is_none()
        && !global.dry_run
    {
        output::require(&["outfile"])?;
    }
    if paginator.is_none() && options.has_pagination_flags() {
        return Err(Failure::Usage(format!(
            "--max-items, --page-size and --starting-token are only for paginated operations; \
             {service} {} is not one",
            op.name
        )));
    }
    // aws-cli reads the format from AWS_DEFAULT_OUTPUT, then the profile's `output`, when
    // --output is not given, and prints JSON when none is. A bad query or format fails here,
    // before anything is sent.
    let rendering = rendering_for(core, global, &op.name)?;
    // A configured format nobody knows fails when printing (after the call, its file written),
    // as aws-cli's lookup does; before any page of a paginated call, as aws-cli looks it up
    // before it asks for the first.
    if rendering.unknown.is_some() && paginator.is_some() && !options.no_paginate {
        rendering.render(serde_json::Value::Null)?;
    }
    let params = operation_params(&model, service, op, aws, options.params.as_deref())?;
    if global.dry_run {
        return dry_run(core, global, service, &op.name, params);
    }
    let client = build_client_with(session, global, service, TimestampParsing::Wire)?;
    let output_shape = op.output.as_ref().map(|r| r.shape);
    let mut result = if paginator.is_some() && !options.no_paginate {
        let pagination = PaginationOptions {
            max_items: options.max_items,
            page_size: options
                .page_size
                .or(ec2args::injected_page_size(service, &op.name, &params)),
            starting_token: options.starting_token.clone(),
        };
        let pages = client.paginate(&op.name, params, pagination)?;
        if rendering.format == render::Format::Text {
            return print_text_pages(pages, &rendering, |page| {
                timestamps::apply(timestamp_format, &model, output_shape, page)
            });
        }
        pages.full_result()
    } else {
        client.call(&op.name, params)
    }?;
    timestamps::apply(timestamp_format, &model, output_shape, &mut result)?;
    if let Some(after) = &after_call {
        addedargs::finish(after, options.outfile.as_deref(), &mut result)?;
    }
    output::print_result(
        &model,
        streaming.as_ref(),
        result,
        options.outfile.as_deref(),
        &rendering,
    )
}

/// aws-cli's `--output text` of a paginated call: each page printed as it arrives (with
/// `--query` applied to it), not the aggregate JSON and table print. A page is its result
/// keys, the first also the non-aggregate keys; then, when `--max-items` stopped early, the
/// token to resume from as a `NextToken` object (queried like a page, as aws-cli does).
fn print_text_pages(
    mut pages: sansboto_blocking::Pages<'_>,
    rendering: &render::Rendering,
    mut timestamps: impl FnMut(&mut Value) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let print = |value: Value| -> Result<(), Failure> {
        match rendering.render(value.to_json())? {
            Some(text) => output::write_stdout(&text),
            None => Ok(()),
        }
    };
    let mut first = true;
    while let Some(page) = pages.next_page() {
        let page = page?;
        let paginator = pages.paginator();
        let mut current = if std::mem::take(&mut first) {
            paginator.non_aggregate().clone()
        } else {
            Value::Map(Default::default())
        };
        for key in paginator.config().result_keys() {
            let data = key
                .search(&page)
                .map_err(|e| Failure::client("PaginationError", e.to_string()))?;
            sansboto_core::jmespath::set_path(&mut current, key.as_str(), data);
        }
        timestamps(&mut current)?;
        print(current)?;
    }
    if let Some(token) = pages.resume_token() {
        print(Value::from(
            serde_json::json!({"NextToken": {"NextToken": token}}),
        ))?;
    }
    Ok(())
}

/// Everything a call does up to sending, then print the first attempt's request as JSON.
fn dry_run(
    core: &Arc<Session>,
    global: &GlobalOptions,
    service: &str,
    operation: &str,
    params: Value,
) -> Result<(), Failure> {
    let now = match &global.signing_time {
        Some(text) => Timestamp::parse_iso8601(text)
            .map_err(|e| Failure::Usage(format!("--signing-time: {e}")))?
            .to_system_time(),
        None => SystemTime::now(),
    };
    let client = core.service_client(service, &client_options(global))?;
    // A client signing with the environment's bearer token (a Bedrock API key) needs no
    // credentials, as a real call looks for none.
    let credentials = if global.no_sign_request || client.env_bearer_token().is_some() {
        None
    } else {
        // The same chain a real call resolves (environment, profile, SSO, IMDS, …), its STS
        // calls in the `--region` a real call's chain would use.
        let mut env: Vec<_> = sansboto_host::environment().into_iter().collect();
        env.sort_unstable();
        let http_config = global
            .http_settings()
            .resolve_env(env, core.ca_bundle())
            .map_err(|e| Failure::client("ClientError", e.to_string()))?;
        let transport = HttpClient::connect(&http_config).map_err(Error::from)?;
        let mut resolve = core
            .credential_source_in(None, global.region.clone())
            .resolve();
        match sansboto_blocking::block_on(drive_credentials(&mut resolve, &transport)) {
            Ok(c) => Some(c),
            // As in a real call: an operation that needs no signature still works.
            Err(CredentialsError::NotFound { .. }) => None,
            Err(e) => return Err(Error::Credentials(e).into()),
        }
    };
    let identity = credentials
        .as_ref()
        .map(Identity::Credentials)
        .unwrap_or(Identity::Anonymous);
    // Prepared as a call is, with its credentials and time: a customization's presigned URL
    // (EC2 CopySnapshot, RDS SourceRegion) is the one the call would send.
    let mut rng = core.random();
    let mut prepared = client.prepare_at(operation, params, rng.as_mut(), identity, now)?;
    // A file body is hashed before signing where a real call would hash it.
    if let Some(mut digest) = client.body_digest(&prepared) {
        digest.update(&stream_bytes(digest.body())?);
        let digest = digest.finish().ok_or_else(|| {
            Failure::client("ClientError", "the request body's file changed while read")
        })?;
        prepared.apply_body_digest(digest);
    }
    let request = client.sign(&prepared, identity, now, None)?;
    let (parts, body) = request.into_parts();
    let chunked_by_transport = parts.extensions.get::<AwsChunkedBody>().copied();
    let body = match body {
        Body::Stream(stream) => {
            let bytes = stream_bytes(&stream)?;
            match chunked_by_transport {
                // The transport frames such a stream `aws-chunked` with the trailing checksum
                // as it sends it: show the framed bytes.
                Some(framing) => {
                    let mut encoder = AwsChunkedEncoder::new(Some(framing.trailer));
                    let mut framed = Vec::with_capacity(bytes.len() + 128);
                    for chunk in bytes.chunks(framing.chunk_size.max(1)) {
                        encoder.encode_chunk(chunk, &mut framed);
                    }
                    encoder.finish_into(&mut framed);
                    framed
                }
                None => bytes,
            }
        }
        other => other.as_bytes().unwrap_or_default().to_vec(),
    };
    let mut headers: Vec<serde_json::Value> = parts
        .headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes());
            // A bearer token (a Bedrock API key) lives for months, unlike a signature: the
            // dry run shows only its scheme.
            let value = match value.strip_prefix("Bearer ") {
                Some(_) if name == http::header::AUTHORIZATION => "Bearer <redacted>".into(),
                _ => value,
            };
            serde_json::json!([name.as_str(), value])
        })
        .collect();
    // The transport states the length of every body it is not told to send chunked, except for
    // a body-less GET/HEAD/DELETE/OPTIONS, which carries no Content-Length at all.
    let bodiless = body.is_empty()
        && matches!(
            parts.method,
            http::Method::GET | http::Method::HEAD | http::Method::DELETE | http::Method::OPTIONS
        );
    if !bodiless
        && !parts.headers.contains_key(http::header::TRANSFER_ENCODING)
        && !parts.headers.contains_key(http::header::CONTENT_LENGTH)
    {
        headers.push(serde_json::json!([
            "content-length",
            body.len().to_string()
        ]));
    }
    let json = serde_json::json!({
        "method": parts.method.as_str(),
        "url": parts.uri.to_string(),
        "headers": headers,
        "body_base64": base64::engine::general_purpose::STANDARD.encode(&body),
    });
    output::print_stdout(&serde_json::to_string(&json).unwrap_or_default())
}

/// All the bytes of a streamed request body, for `--dry-run` to show (a file range, or a reader).
fn stream_bytes(stream: &sansboto_core::StreamingBody) -> Result<Vec<u8>, Failure> {
    let failed =
        |e: std::io::Error| Failure::client("ClientError", format!("reading the body: {e}"));
    let mut bytes = Vec::new();
    match stream.file() {
        Some(range) => {
            use std::io::{Read, Seek};
            let mut file = std::fs::File::open(&range.path).map_err(failed)?;
            file.seek(std::io::SeekFrom::Start(range.offset))
                .map_err(failed)?;
            file.take(range.len)
                .read_to_end(&mut bytes)
                .map_err(failed)?;
        }
        None => {
            let mut reader = stream
                .take::<sansboto_blocking::ByteReader>()
                .ok_or_else(|| {
                    Failure::client("ClientError", "the request body was already read")
                })?;
            std::io::Read::read_to_end(&mut reader, &mut bytes).map_err(failed)?;
        }
    }
    Ok(bytes)
}
