//! Config parsing: the example file, each kind of mistake, and token secrecy.

use super::*;
use crate::integrations::registry::IntegrationConfig;
use secrecy::ExposeSecret;

const TOKEN: &str = "tok-SECRET-123";

fn env(k: &str) -> Option<String> {
    match k {
        "AUTHENTIK_TOKEN" => Some(TOKEN.into()),
        _ => None,
    }
}

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse_with_env(text, Path::new("."), &env)
}

fn err(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

const MINIMAL: &str = r#"
[integrations.sso]
type = "authentik"
url = "https://auth.example.com"
[integrations.sso.auth]
api-token = "${AUTHENTIK_TOKEN}"
"#;

fn authentik(c: &Config) -> &crate::integrations::authentik::Config {
    match &c.integrations[0].1 {
        IntegrationConfig::Authentik(a) => a,
    }
}

#[test]
fn the_annotated_example_config_parses() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/lookout.example.toml"))
            .unwrap();
    let c = parse(&text).unwrap();
    assert_eq!(c.server.listen.to_string(), "127.0.0.1:8080");
    let a = authentik(&c);
    assert_eq!(a.token.expose_secret(), TOKEN);
    assert_eq!(a.extra.brute_force.max_failures, 5);
    assert_eq!(a.extra.brute_force.window, Dur::secs(600));
    assert_eq!(c.dashboard.cards.as_ref().unwrap().len(), 4);
}

#[test]
fn defaults_fill_everything_optional() {
    let c = parse(MINIMAL).unwrap();
    assert_eq!(c.server, ServerConfig::default());
    let a = authentik(&c);
    assert_eq!(a.refresh, Dur::secs(30));
    assert_eq!(a.counts_refresh, Dur::secs(30));
    assert_eq!(a.extra.brute_force.lookback, Dur::secs(86_400));
    assert_eq!(a.extra.login_events.limit, 20);
    assert_eq!(a.api_base().as_str(), "https://auth.example.com/api/v3/");
}

#[test]
fn a_sub_path_install_keeps_its_path_in_the_api_base() {
    let c = parse(&MINIMAL.replace("https://auth.example.com", "https://example.com/authentik/"))
        .unwrap();
    assert_eq!(
        authentik(&c).api_base().as_str(),
        "https://example.com/authentik/api/v3/"
    );
}

#[test]
fn bad_duration_names_the_field_and_quotes_the_value() {
    let e = err(&format!(
        "{MINIMAL}[integrations.sso.extra.brute-force]\nwindow = \"ten minutes\"\n"
    ));
    assert!(
        e.starts_with(
            "integrations.sso.extra.brute-force.window: invalid duration \"ten minutes\""
        ),
        "{e}"
    );
}

#[test]
fn unknown_keys_are_rejected_with_their_place() {
    let e = err(&format!(
        "{MINIMAL}[integrations.sso.extra.brute-force]\nmax-failure = 3\n"
    ));
    assert!(
        e.starts_with("integrations.sso.extra.brute-force.max-failure: unknown field `max-failure`, expected one of `max-failures`"),
        "{e}"
    );
    let e = err(&format!(
        "[server]\nlisten = \"127.0.0.1:1\"\nport = 3\n{MINIMAL}"
    ));
    assert!(e.starts_with("server.port: unknown field `port`"), "{e}");
    let e = err(&format!("colour = 1\n{MINIMAL}"));
    assert!(e.contains("unknown field `colour`"), "{e}");
}

#[test]
fn toml_syntax_errors_give_line_and_column() {
    let e = err("[server\nlisten = 1");
    assert!(
        e.contains("TOML syntax error") && e.contains("line 1"),
        "{e}"
    );
}

#[test]
fn bad_urls_are_rejected() {
    for (url, needle) in [
        ("auth.example.com", "invalid URL"),
        ("ftp://auth.example.com", "http:// or https://"),
        ("https://auth.example.com/api/v3/", "without /api/v3"),
        ("https://u:p@auth.example.com", "credentials"),
    ] {
        let e = err(&MINIMAL.replace("https://auth.example.com", url));
        assert!(
            e.starts_with("integrations.sso.url: ") && e.contains(needle),
            "{url}: {e}"
        );
    }
}

#[test]
fn zero_or_negative_thresholds_are_rejected() {
    let e = err(&format!(
        "{MINIMAL}[integrations.sso.extra.brute-force]\nmax-failures = 0\n"
    ));
    assert_eq!(
        e,
        "integrations.sso.extra.brute-force.max-failures: must be at least 1"
    );
    let e = err(&format!(
        "{MINIMAL}[integrations.sso.extra.brute-force]\nmax-failures = -3\n"
    ));
    assert!(
        e.starts_with("integrations.sso.extra.brute-force.max-failures: "),
        "{e}"
    );
    let e = err(&format!(
        "{MINIMAL}[integrations.sso.extra.brute-force]\nwindow = \"0s\"\n"
    ));
    assert!(
        e.starts_with("integrations.sso.extra.brute-force.window: "),
        "{e}"
    );
    let e = err(&format!(
        "{MINIMAL}[integrations.sso.extra.brute-force]\nipv6-prefix = 129\n"
    ));
    assert!(
        e.starts_with("integrations.sso.extra.brute-force.ipv6-prefix: "),
        "{e}"
    );
}

#[test]
fn unset_variable_names_the_field_and_the_variable() {
    let e = err(&MINIMAL.replace("AUTHENTIK_TOKEN", "MISSING_VAR"));
    assert_eq!(
        e,
        "integrations.sso.auth.api-token: environment variable MISSING_VAR is not set"
    );
}

#[test]
fn token_file_is_read_trimmed_and_an_unreadable_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tok"), format!("{TOKEN}\n")).unwrap();
    let text = MINIMAL.replace(
        "api-token = \"${AUTHENTIK_TOKEN}\"",
        "api-token-file = \"tok\"",
    );
    let c = Config::parse_with_env(&text, dir.path(), &env).unwrap();
    assert_eq!(authentik(&c).token.expose_secret(), TOKEN);
    let text = MINIMAL.replace(
        "api-token = \"${AUTHENTIK_TOKEN}\"",
        "api-token-file = \"nope\"",
    );
    let e = Config::parse_with_env(&text, dir.path(), &env)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("integrations.sso.auth.api-token-file: cannot read "),
        "{e}"
    );
}

#[test]
fn missing_or_doubled_token_is_an_error() {
    let e = err(&MINIMAL.replace("api-token = \"${AUTHENTIK_TOKEN}\"", ""));
    assert!(
        e.starts_with("integrations.sso.auth: missing api-token"),
        "{e}"
    );
    let e = err(&MINIMAL.replace(
        "api-token = \"${AUTHENTIK_TOKEN}\"",
        "api-token = \"a\"\napi-token-file = \"b\"",
    ));
    assert!(e.contains("not both"), "{e}");
}

#[test]
fn unknown_type_lists_known_ones_and_bad_ids_are_rejected() {
    let e = err(&MINIMAL.replace("type = \"authentik\"", "type = \"keycloak\""));
    assert!(
        e.starts_with(
            "integrations.sso.type: unknown integration type \"keycloak\" (known: authentik)"
        ),
        "{e}"
    );
    let e = err(&MINIMAL.replace("integrations.sso", "integrations.\"S S O\""));
    assert!(e.contains("invalid integration id"), "{e}");
}

#[test]
fn dashboard_cards_must_name_real_endpoints() {
    let e = err(&format!("[dashboard]\ncards = [\"sso/nope\"]\n{MINIMAL}"));
    assert!(
        e.starts_with("dashboard.cards[0]: integration \"sso\" has no endpoint \"nope\""),
        "{e}"
    );
}

#[test]
fn the_token_never_appears_in_debug_output_or_errors() {
    let c = parse(MINIMAL).unwrap();
    let debug = format!("{c:?}");
    assert!(!debug.contains(TOKEN), "token leaked in Debug: {debug}");
    // A mistake right next to the token must not echo it either.
    let e = err(&format!("{MINIMAL}bogus = 1\n"));
    assert!(!e.contains(TOKEN), "{e}");
    let e = err(&MINIMAL.replace("api-token = \"${AUTHENTIK_TOKEN}\"", "api-token = 42"));
    assert!(
        !e.contains(TOKEN) && e.starts_with("integrations.sso.auth.api-token"),
        "{e}"
    );
}

fn with_token_file(name: &str) -> String {
    MINIMAL.replace(
        "api-token = \"${AUTHENTIK_TOKEN}\"",
        &format!("api-token-file = {name:?}"),
    )
}

/// `api-token-file = "/dev/zero"` made the loader read until memory ran out (and a FIFO would
/// block it forever), which the `config` fuzz target could stumble on. Only regular files are
/// read, and only small ones.
#[cfg(unix)]
#[test]
fn secret_files_must_be_small_regular_files() {
    let dir = tempfile::tempdir().unwrap();
    for special in ["/dev/zero", "/dev/null", "."] {
        let e = Config::parse_with_env(&with_token_file(special), dir.path(), &env)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("integrations.sso.auth.api-token-file: cannot read ")
                && e.ends_with(": not a regular file"),
            "{e}"
        );
    }
    let big = "t".repeat(MAX_SECRET_FILE as usize + 1);
    std::fs::write(dir.path().join("big"), &big).unwrap();
    let e = Config::parse_with_env(&with_token_file("big"), dir.path(), &env)
        .unwrap_err()
        .to_string();
    assert!(e.ends_with("over 64 KiB, too big for a secret"), "{e}");
    assert!(!e.contains("tttt"), "the content leaked: {e}");
    // Exactly at the cap is read (and then judged as a token).
    std::fs::write(dir.path().join("cap"), &big[1..]).unwrap();
    let c = Config::parse_with_env(&with_token_file("cap"), dir.path(), &env).unwrap();
    assert_eq!(
        authentik(&c).token.expose_secret().len(),
        MAX_SECRET_FILE as usize
    );

    let hash_file = |name: &str| {
        format!("[server.auth]\nmode = \"password\"\npassword-hash-file = {name:?}\n{MINIMAL}")
    };
    let e = Config::parse_with_env(&hash_file("/dev/zero"), dir.path(), &env)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("server.auth.password-hash-file: cannot read /dev/zero: not a regular file"),
        "{e}"
    );
    let e = Config::parse_with_env(&hash_file("big"), dir.path(), &env)
        .unwrap_err()
        .to_string();
    assert!(e.ends_with("too big for a secret"), "{e}");
}

#[cfg(unix)]
#[test]
fn a_fifo_secret_file_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo unavailable; skipped");
        return;
    }
    let e = Config::parse_with_env(&with_token_file("fifo"), dir.path(), &env)
        .unwrap_err()
        .to_string();
    assert!(e.ends_with(": not a regular file"), "{e}");
}
