//! template.yaml must declare the table exactly as the code expects it: the
//! deployed stack, the local stack (created from template.yaml) and the tests'
//! tables (created from `store::schema`) then cannot drift apart.

use std::collections::BTreeSet;

use aduan_shared::store::{keys, schema};
use serde_yaml::Value;

fn template() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
    let text = std::fs::read_to_string(path).expect("template.yaml at the repository root");
    serde_yaml::from_str(&text).expect("template.yaml is YAML")
}

fn str_of(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v:?}"))
}

fn key_schema(v: &Value) -> (String, String) {
    let (mut hash, mut range) = (String::new(), String::new());
    for element in v.as_sequence().expect("a KeySchema list") {
        let name = str_of(&element["AttributeName"]).to_owned();
        match str_of(&element["KeyType"]) {
            "HASH" => hash = name,
            "RANGE" => range = name,
            other => panic!("unknown KeyType {other}"),
        }
    }
    (hash, range)
}

#[test]
fn the_table_in_template_yaml_is_the_table_the_code_uses() {
    let template = template();
    let table = &template["Resources"]["CasesTable"];
    assert_eq!(str_of(&table["Type"]), "AWS::DynamoDB::Table");
    let props = &table["Properties"];

    assert_eq!(
        key_schema(&props["KeySchema"]),
        (keys::PK.to_owned(), keys::SK.to_owned())
    );
    assert_eq!(str_of(&props["BillingMode"]), "PAY_PER_REQUEST");
    assert_eq!(
        str_of(&props["TimeToLiveSpecification"]["AttributeName"]),
        keys::EXPIRES_AT
    );
    assert_eq!(props["TimeToLiveSpecification"]["Enabled"].as_bool(), Some(true));

    let declared: BTreeSet<(String, String)> = props["AttributeDefinitions"]
        .as_sequence()
        .expect("AttributeDefinitions")
        .iter()
        .map(|d| {
            (
                str_of(&d["AttributeName"]).to_owned(),
                str_of(&d["AttributeType"]).to_owned(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = schema::key_attributes()
        .into_iter()
        .map(|name| (name.to_owned(), "S".to_owned()))
        .collect();
    assert_eq!(declared, expected, "AttributeDefinitions");

    let indexes: BTreeSet<(String, String, String, String)> = props["GlobalSecondaryIndexes"]
        .as_sequence()
        .expect("GlobalSecondaryIndexes")
        .iter()
        .map(|gsi| {
            let (hash, range) = key_schema(&gsi["KeySchema"]);
            let projection = str_of(&gsi["Projection"]["ProjectionType"]).to_owned();
            (str_of(&gsi["IndexName"]).to_owned(), hash, range, projection)
        })
        .collect();
    let expected: BTreeSet<(String, String, String, String)> = keys::INDEXES
        .iter()
        .map(|i| {
            (
                i.name.to_owned(),
                i.pk.to_owned(),
                i.sk.to_owned(),
                "ALL".to_owned(),
            )
        })
        .collect();
    assert_eq!(indexes, expected, "GlobalSecondaryIndexes");
}

#[test]
fn the_topics_the_functions_publish_to_are_declared() {
    let template = template();
    for topic in ["EscalationTopic", "DigestTopic"] {
        assert_eq!(
            str_of(&template["Resources"][topic]["Type"]),
            "AWS::SNS::Topic",
            "{topic}"
        );
    }
}

/// Every environment block of the template: the globals and each function's.
fn environments(template: &Value) -> Vec<(String, &serde_yaml::Mapping)> {
    let mut out = Vec::new();
    if let Some(vars) = template["Globals"]["Function"]["Environment"]["Variables"].as_mapping() {
        out.push(("Globals".to_owned(), vars));
    }
    for (name, resource) in template["Resources"].as_mapping().expect("resources") {
        if let Some(vars) = resource["Properties"]["Environment"]["Variables"].as_mapping() {
            out.push((str_of(name).to_owned(), vars));
        }
    }
    out
}

#[test]
fn secrets_reach_the_functions_only_as_parameter_store_names() {
    use aduan_shared::config::{messaging, CommonConfig};
    let template = template();
    let secrets: Vec<&str> = [
        CommonConfig::SECRETS,
        CommonConfig::OPTIONAL_SECRETS,
        messaging::OPTIONAL_SECRETS,
        // The webhook's own (functions/webhook/src/app.rs).
        &["WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"],
    ]
    .concat();
    let parameters = template["Parameters"].as_mapping().expect("parameters");
    let environments = environments(&template);
    assert!(environments.len() >= 3, "the globals and the functions' own");
    let mut passed = BTreeSet::new();
    for (owner, vars) in &environments {
        for (key, value) in vars.iter() {
            let key = str_of(key);
            assert!(
                !secrets.contains(&key),
                "{owner} sets the secret {key} as a plain variable: pass {key}_PARAM"
            );
            if let Some(secret) = key.strip_suffix("_PARAM") {
                // A reference to a template parameter (its SSM name), never a literal.
                let reference = format!("{value:?}");
                assert!(
                    parameters.keys().any(|p| reference.contains(str_of(p))),
                    "{owner}: {key} is not a parameter reference: {reference}"
                );
                passed.insert(secret.to_owned());
            }
        }
    }
    for secret in &secrets {
        assert!(passed.contains(*secret), "{secret} is not passed to any function");
    }
    // The parameters hold names, not values: no default looks like a key.
    for (name, parameter) in parameters {
        if let Some(default) = parameter["Default"].as_str() {
            assert!(
                default.is_empty() || default.starts_with('/') || default.len() < 40,
                "parameter {} has a default that may be a secret value",
                str_of(name)
            );
        }
    }
}

/// The name a `!Ref` points at, if `v` is one.
fn ref_of(v: &Value) -> Option<&str> {
    match v {
        Value::Tagged(tagged) if tagged.tag == "!Ref" => tagged.value.as_str(),
        _ => None,
    }
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_sequence()
        .unwrap_or_else(|| panic!("expected a list, got {v:?}"))
        .iter()
        .map(str_of)
        .collect()
}

#[test]
fn officials_cannot_rename_themselves() {
    let template = template();
    let client = &template["Resources"]["OfficialsUserPoolClient"]["Properties"];
    // Without WriteAttributes, Cognito lets the client write every standard
    // attribute: the list must be there, and name none of these.
    let writable = strings(&client["WriteAttributes"]);
    assert!(!writable.is_empty(), "WriteAttributes must be an explicit list");
    for attribute in ["name", "email", "custom:scope", "custom:role"] {
        assert!(
            !writable.contains(&attribute),
            "officials could change their own {attribute}: {writable:?}"
        );
    }
    // What the console and the API read about an official is still readable.
    let readable = strings(&client["ReadAttributes"]);
    for attribute in ["name", "email", "custom:scope", "custom:role"] {
        assert!(readable.contains(&attribute), "{attribute} is not readable");
    }
}

#[test]
fn mfa_is_required_unless_the_parameter_says_optional() {
    let template = template();
    let parameter = &template["Parameters"]["OfficialsMfa"];
    assert_eq!(str_of(&parameter["Default"]), "ON");
    assert_eq!(strings(&parameter["AllowedValues"]), ["ON", "OPTIONAL"]);
    let pool = &template["Resources"]["OfficialsUserPool"]["Properties"];
    assert_eq!(
        ref_of(&pool["MfaConfiguration"]),
        Some("OfficialsMfa"),
        "the pool's MfaConfiguration must follow the parameter: {:?}",
        pool["MfaConfiguration"]
    );
    assert_eq!(strings(&pool["EnabledMfas"]), ["SOFTWARE_TOKEN_MFA"]);
}

/// The library crate of each function under `functions/` (tracing's
/// targets are module paths, so these names, with underscores).
fn function_crates() -> BTreeSet<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../functions");
    let mut crates = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("functions/") {
        let manifest = entry.expect("an entry").path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let lib = text
            .split("\n[")
            .find(|section| section.starts_with("lib]"))
            .and_then(|section| section.lines().find_map(|l| l.strip_prefix("name = ")))
            .unwrap_or_else(|| panic!("{} has no [lib] name", manifest.display()));
        crates.insert(lib.trim_matches('"').to_owned());
    }
    crates
}

#[test]
fn debug_logging_is_debug_for_our_crates_only() {
    use aduan_shared::config::{log_filter, Env, RUST_LOG};
    let template = template();
    // Every function's RUST_LOG is the mapping's filter for LogLevel.
    let rust_log = &template["Globals"]["Function"]["Environment"]["Variables"]["RUST_LOG"];
    assert!(
        matches!(rust_log, Value::Tagged(t) if t.tag == "!FindInMap"),
        "RUST_LOG: {rust_log:?}"
    );
    let ours: BTreeSet<String> = function_crates()
        .into_iter()
        .chain(["aduan_shared".to_owned()])
        .collect();
    assert_eq!(ours.len(), 4, "{ours:?}");
    let levels = template["Parameters"]["LogLevel"]["AllowedValues"].clone();
    for level in strings(&levels) {
        let filter = str_of(&template["Mappings"]["RustLog"][level]["Filter"]);
        log_filter(&Env::from_pairs([(RUST_LOG, filter)])).unwrap_or_else(|e| panic!("{level}: {e}"));
        let mut directives = filter.split(',');
        let default = directives.next().expect("a default level");
        assert!(
            ["info", "warn", "error"].contains(&default),
            "{level}: every crate at {default} (the SDK and hyper log headers at debug)"
        );
        let scoped: BTreeSet<String> = directives
            .map(|d| {
                let (target, at) = d.split_once('=').unwrap_or_else(|| panic!("{level}: {d}"));
                assert_eq!(at, level.to_lowercase(), "{level}: {d}");
                target.to_owned()
            })
            .collect();
        if level == "DEBUG" {
            assert_eq!(default, "info", "DEBUG shows at least what INFO shows");
            assert_eq!(scoped, ours, "DEBUG is debug for exactly our crates");
        } else {
            assert!(scoped.is_empty(), "{level}: {filter}");
            assert_eq!(default, level.to_lowercase(), "{level}: {filter}");
        }
    }
}

/// The name a `!GetAtt X.Arn` (or `!Sub ${X.Arn}/...`) points at, if `v` is one.
fn arn_of(v: &Value) -> Option<&str> {
    match v {
        Value::Tagged(t) if t.tag == "!GetAtt" => t.value.as_str()?.strip_suffix(".Arn"),
        Value::Tagged(t) if t.tag == "!Sub" => t
            .value
            .as_str()?
            .strip_prefix("${")?
            .split_once(".Arn}")
            .map(|(x, _)| x),
        _ => None,
    }
}

#[test]
fn who_fetched_which_citizens_file_is_logged() {
    let template = template();
    let resources = &template["Resources"];
    let logging = &resources["MediaBucket"]["Properties"]["LoggingConfiguration"];
    let logs = ref_of(&logging["DestinationBucketName"])
        .unwrap_or_else(|| panic!("the media bucket logs to no bucket of the stack: {logging:?}"));
    let prefix = str_of(&logging["LogFilePrefix"]);
    let bucket = &resources[logs];
    assert_eq!(str_of(&bucket["Type"]), "AWS::S3::Bucket");
    assert_eq!(str_of(&bucket["DeletionPolicy"]), "Retain", "logs are evidence");
    let props = &bucket["Properties"];
    // Log delivery writes only to SSE-S3 buckets.
    assert_eq!(
        str_of(
            &props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
                ["ServerSideEncryptionByDefault"]["SSEAlgorithm"]
        ),
        "AES256"
    );
    for block in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(
            props["PublicAccessBlockConfiguration"][block].as_bool(),
            Some(true),
            "{block}"
        );
    }
    let rules = props["LifecycleConfiguration"]["Rules"]
        .as_sequence()
        .expect("lifecycle rules");
    assert!(
        rules.iter().any(|r| str_of(&r["Status"]) == "Enabled"
            && ref_of(&r["ExpirationInDays"]) == Some("MediaAccessLogRetentionDays")),
        "the logs expire after MediaAccessLogRetentionDays: {rules:?}"
    );

    // S3's logging service may write there, for the media bucket only.
    let policy = resources
        .as_mapping()
        .expect("resources")
        .values()
        .find(|r| {
            str_of(&r["Type"]) == "AWS::S3::BucketPolicy" && ref_of(&r["Properties"]["Bucket"]) == Some(logs)
        })
        .expect("a bucket policy on the log bucket");
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_sequence()
        .expect("statements");
    let delivery = statements
        .iter()
        .find(|s| s["Principal"]["Service"].as_str() == Some("logging.s3.amazonaws.com"))
        .expect("a statement for logging.s3.amazonaws.com");
    assert_eq!(str_of(&delivery["Effect"]), "Allow");
    assert_eq!(str_of(&delivery["Action"]), "s3:PutObject");
    assert_eq!(arn_of(&delivery["Resource"]), Some(logs));
    assert!(
        format!("{:?}", delivery["Resource"]).contains(&format!("/{prefix}*")),
        "only under {prefix}: {:?}",
        delivery["Resource"]
    );
    assert_eq!(
        arn_of(&delivery["Condition"]["ArnLike"]["aws:SourceArn"]),
        Some("MediaBucket"),
        "only the media bucket's logs"
    );
    assert_eq!(
        ref_of(&delivery["Condition"]["StringEquals"]["aws:SourceAccount"]),
        Some("AWS::AccountId")
    );

    // The other half: which official asked for the link to which file.
    let format = str_of(&resources["HttpApi"]["Properties"]["AccessLogSettings"]["Format"]);
    for field in [
        "$context.authorizer.claims.sub",
        "$context.path",
        "$context.requestId",
    ] {
        assert!(format.contains(field), "the API's access log lacks {field}");
    }
}

/// The `content` of console/index.html's Content-Security-Policy `<meta>`.
fn page_policy() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../console/index.html");
    let page = std::fs::read_to_string(path).expect("console/index.html");
    let mut metas = page.split(r#"<meta http-equiv="Content-Security-Policy" content=""#);
    metas.next();
    let policy = metas.next().expect("a Content-Security-Policy <meta>");
    assert!(metas.next().is_none(), "one policy <meta>");
    policy.split('"').next().expect("the content").to_owned()
}

#[test]
fn the_console_page_and_cloudfront_serve_one_content_security_policy() {
    let template = template();
    let resources = &template["Resources"];
    let behaviour =
        &resources["ConsoleDistribution"]["Properties"]["DistributionConfig"]["DefaultCacheBehavior"];
    let policy_id = ref_of(&behaviour["ResponseHeadersPolicyId"]).expect("the stack's own headers policy");
    let headers = &resources[policy_id];
    assert_eq!(str_of(&headers["Type"]), "AWS::CloudFront::ResponseHeadersPolicy");
    let csp = &headers["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
        ["ContentSecurityPolicy"];
    assert_eq!(csp["Override"].as_bool(), Some(true));
    let Value::Tagged(sub) = &csp["ContentSecurityPolicy"] else {
        panic!("the policy is a !Sub: {csp:?}");
    };
    assert_eq!(sub.tag, "!Sub");
    let [text, variables] = sub
        .value
        .as_sequence()
        .expect("!Sub [text, variables]")
        .as_slice()
    else {
        panic!("!Sub [text, variables]");
    };

    // One text: the page's <meta> is the header's, variables and all.
    let text = str_of(text);
    assert_eq!(
        page_policy(),
        text,
        "console/index.html and template.yaml disagree"
    );

    // Strict: nothing inline, nothing evaluated, nothing from elsewhere.
    let directives: Vec<(&str, Vec<&str>)> = text
        .split(';')
        .map(|d| {
            let mut words = d.split_whitespace();
            (words.next().expect("a directive"), words.collect())
        })
        .collect();
    let sources = |name: &str| {
        directives
            .iter()
            .find(|(d, _)| *d == name)
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert_eq!(directives[0], ("default-src", vec!["'none'"]));
    assert_eq!(sources("script-src"), ["'self'"]);
    assert_eq!(sources("style-src"), ["'self'"]);
    assert_eq!(sources("connect-src"), ["${Api}", "${Login}"]);
    // The public record's photo: the API's route redirects to the bucket.
    assert_eq!(sources("img-src"), ["${Media}", "${Api}"]);
    assert_eq!(sources("media-src"), ["${Media}"]);
    assert_eq!(sources("base-uri"), ["'none'"]);
    assert_eq!(sources("form-action"), ["'none'"]);
    assert!(!text.contains("unsafe") && !text.contains('*') && !text.contains("data:"));

    // The variables: the Region's APIs (this stack's would be a dependency
    // cycle; the page names it exactly), the sign-in origin, the media bucket.
    let variables = variables.as_mapping().expect("the variables");
    let names: BTreeSet<&str> = variables.keys().map(str_of).collect();
    assert_eq!(names, BTreeSet::from(["Api", "Login", "Media"]));
    let sub_of = |v: &Value| match v {
        Value::Tagged(t) if t.tag == "!Sub" => str_of(&t.value).to_owned(),
        other => panic!("expected a !Sub, got {other:?}"),
    };
    assert_eq!(
        sub_of(&variables["Api"]),
        "https://*.execute-api.${AWS::Region}.${AWS::URLSuffix}"
    );
    assert_eq!(
        sub_of(&variables["Media"]),
        "https://${MediaBucket.RegionalDomainName}"
    );
    // What infra/deploy-console.sh fills the page's copy with.
    assert_eq!(
        sub_of(&template["Outputs"]["MediaOrigin"]["Value"]),
        sub_of(&variables["Media"])
    );
    let Value::Tagged(login) = &variables["Login"] else {
        panic!("Login: {:?}", variables["Login"]);
    };
    assert_eq!(login.tag, "!If");
    let branches = login
        .value
        .as_sequence()
        .expect("!If [condition, pool, existing]");
    assert_eq!(str_of(&branches[0]), "CreateOfficialsUserPool");
    assert_eq!(
        sub_of(&branches[1]),
        // The hosted UI, exactly as the console's authUrl (OfficialsLoginUrl).
        sub_of(&template["Outputs"]["OfficialsLoginUrl"]["Value"])
    );
    assert_eq!(ref_of(&branches[2]), Some("OfficialsSignInOrigin"));
}

/// Retention as the code counts it: every function is given both periods
/// from the city's parameters, and the media bucket has no expiration rule
/// (one counts from the upload, and would delete the files of a case still
/// open); the sweep that deletes them may list and delete under `cases/`.
#[test]
fn retention_is_the_codes_not_a_lifecycle_rules() {
    use aduan_shared::config::policy::{CONTACT_RETENTION_DAYS, MEDIA_RETENTION_DAYS_AFTER_CLOSE};
    let template = template();
    let globals = &template["Globals"]["Function"]["Environment"]["Variables"];
    assert_eq!(
        ref_of(&globals[CONTACT_RETENTION_DAYS]),
        Some("ContactRetentionDays")
    );
    assert_eq!(
        ref_of(&globals[MEDIA_RETENTION_DAYS_AFTER_CLOSE]),
        Some("MediaRetentionDaysAfterClose")
    );
    let resources = &template["Resources"];
    let rules = resources["MediaBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
        .as_sequence()
        .expect("lifecycle rules");
    assert!(
        rules.iter().all(|r| r.get("ExpirationInDays").is_none()),
        "no expiration by upload age: {rules:?}"
    );
    let statements = resources["DigestFunction"]["Properties"]["Policies"][0]["Statement"]
        .as_sequence()
        .expect("the digest's statements");
    let actions: Vec<&str> = statements
        .iter()
        .flat_map(|s| match s["Action"].as_str() {
            Some(one) => vec![one],
            None => strings(&s["Action"]),
        })
        .collect();
    for action in ["s3:DeleteObject", "s3:ListBucket"] {
        assert!(actions.contains(&action), "{action}: {actions:?}");
    }
}

#[test]
fn each_tiers_sla_is_a_parameter_empty_by_default() {
    use aduan_shared::config::policy::{Policy, SLA_DAYS_PREFIX};
    use aduan_shared::config::Env;
    use aduan_shared::domain::ladder::Tier;
    let template = template();
    let globals = &template["Globals"]["Function"]["Environment"]["Variables"];
    for tier in Tier::ALL {
        let variable = format!("{SLA_DAYS_PREFIX}{}", tier.as_str().to_ascii_uppercase());
        let parameter = ref_of(&globals[variable.as_str()])
            .unwrap_or_else(|| panic!("{variable} is not set from a parameter in the Globals"));
        let declared = &template["Parameters"][parameter];
        assert_eq!(str_of(&declared["Type"]), "String", "{parameter}");
        // What the parameter passes when left alone is what no variable does.
        let default = str_of(&declared["Default"]);
        assert_eq!(default, "", "{parameter}");
        let with = |value: &str| Policy::from_env(&Env::from_pairs([(variable.as_str(), value)]));
        assert_eq!(
            with(default).unwrap(),
            Policy::from_env(&Env::from_pairs(Vec::<(String, String)>::new())).unwrap()
        );
        assert!(with("2, 5,3").is_ok() && with("2,5").is_err(), "{variable}");
        assert!(
            str_of(&declared["AllowedPattern"]).contains("[0-9]+ *, *[0-9]+ *, *[0-9]+"),
            "{parameter}: the pattern takes verify,act,confirm"
        );
    }
}

/// case-updates checks that a photo's file is still there before it is made
/// public (HeadObject): S3 answers a missing key 404 only to a caller that
/// may list the bucket, 403 otherwise.
#[test]
fn case_updates_may_list_the_media_bucket_to_tell_a_missing_file() {
    let template = template();
    let statements = template["Resources"]["CaseUpdatesFunction"]["Properties"]["Policies"][0]["Statement"]
        .as_sequence()
        .expect("case-updates' statements");
    let list = statements
        .iter()
        .find(|s| s["Action"].as_str() == Some("s3:ListBucket"))
        .expect("s3:ListBucket");
    assert!(list.get("Condition").is_none(), "HeadObject carries no prefix");
    let resource = format!("{:?}", list["Resource"]);
    assert!(resource.contains("MediaBucket"), "{resource}");
}
