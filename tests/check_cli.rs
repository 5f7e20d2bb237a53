//! `lookout check [--offline]`: the real binary against the fake Authentik, with the config in a
//! temporary directory.

mod common {
    pub mod client;
}

use common::client::*;
use lookout::fake::scenario::{PERM_VIEW_EVENT, PERM_VIEW_GROUP, PERM_VIEW_SESSION};
use lookout::fake::FakeAuthentik;
use std::path::{Path, PathBuf};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// Runs `lookout <args>` with `LOOKOUT_CONFIG` unset (unless given in `env`).
async fn lookout(args: &[&str], env: &[(&str, &Path)]) -> Run {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_lookout"));
    cmd.args(args)
        .env_remove("LOOKOUT_CONFIG")
        .env("LOOKOUT_LOG", "warn")
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = tokio::time::timeout(std::time::Duration::from_secs(20), cmd.output())
        .await
        .expect("lookout finishes")
        .expect("lookout runs");
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Writes `text` as `lookout.toml` in a new temp dir.
fn write_config(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lookout.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

async fn check(fake: &FakeAuthentik, token: &str) -> Run {
    let (_dir, path) = write_config(&config_text(&fake.base_url(), token, ""));
    let run = lookout(&["check", "--config", path.to_str().unwrap()], &[]).await;
    assert_no_token(&run.stdout, token);
    assert_no_token(&run.stderr, token);
    run
}

const OK_LINE: &str = "sso: ok — authenticated as lookout-svc, authentik 2026.8.5";
const SESSIONS_WARNING: &str = "sso: warning — only lookout-svc's own sessions are visible; give \
    it \"Can view Authenticated Session (authentik_core.view_authenticatedsession)\" to count \
    everyone's";

#[tokio::test(flavor = "multi_thread")]
async fn check_against_the_fake_prints_ok_and_exits_0() {
    let fake = standard().await;
    let run = check(&fake, &fake.token()).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // The token user is no superuser, but holds the session permission via a role (visible
    // only in the list itself): no sessions warning.
    assert_eq!(run.lines(), ["config ok: 1 integration(s)", OK_LINE]);
}

#[tokio::test(flavor = "multi_thread")]
async fn check_warns_when_only_the_token_users_own_sessions_are_visible() {
    let fake = standard().await;
    fake.with_data(|s| {
        s.permissions.remove(PERM_VIEW_SESSION);
    });
    let run = check(&fake, &fake.token()).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.lines(),
        ["config ok: 1 integration(s)", OK_LINE, SESSIONS_WARNING]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn check_with_a_superuser_token_has_no_warning() {
    let fake = standard().await;
    fake.with_data(|s| {
        s.permissions.clear();
        s.token_user_mut().unwrap().is_superuser = true;
    });
    let run = check(&fake, &fake.token()).await;
    assert_eq!(run.code, 0);
    assert_eq!(run.lines(), ["config ok: 1 integration(s)", OK_LINE]);
}

#[tokio::test(flavor = "multi_thread")]
async fn check_with_a_wrong_token_fails_with_exit_1() {
    let fake = standard().await;
    let run = check(&fake, "definitely-not-the-token-42").await;
    assert_eq!(run.code, 1);
    assert_eq!(
        run.lines(),
        [
            "config ok: 1 integration(s)",
            "sso: FAILED — token rejected (403 Token invalid/expired)"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn check_without_the_events_permission_fails_naming_it() {
    let fake = standard().await;
    fake.with_data(|s| {
        s.permissions.remove(PERM_VIEW_EVENT);
    });
    let run = check(&fake, &fake.token()).await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(
        run.lines()[1],
        "sso: FAILED — events/events/: permission missing: give the token's user \
         \"Can view Event (authentik_events.view_event)\""
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn check_without_the_groups_permission_is_ok_with_a_warning() {
    let fake = standard().await;
    fake.with_data(|s| {
        s.permissions.remove(PERM_VIEW_GROUP);
    });
    let run = check(&fake, &fake.token()).await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        run.lines(),
        [
            "config ok: 1 integration(s)",
            OK_LINE,
            "sso: warning — core/groups/: permission missing: give the token's user \
             \"Can view Group (authentik_core.view_group)\""
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn check_on_an_unreachable_server_fails() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let (_dir, path) = write_config(&config_text(&url, "some-token-value-123", ""));
    let run = lookout(&["check", "--config", path.to_str().unwrap()], &[]).await;
    assert_eq!(run.code, 1);
    assert!(
        run.lines()[1].starts_with("sso: FAILED — core/users/me/: unreachable ("),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_check_of_a_broken_config_names_the_field() {
    let (_dir, path) = write_config(&config_text(
        "http://127.0.0.1:9",
        "some-token-value-123",
        "[integrations.sso.extra.brute-force]\nwindow = \"ten minutes\"\n",
    ));
    let run = lookout(
        &["check", "--offline", "--config", path.to_str().unwrap()],
        &[],
    )
    .await;
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .contains("config error: integrations.sso.extra.brute-force.window: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("ten minutes"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_check_of_a_good_config_needs_no_network() {
    // A closed port: any connection attempt would fail.
    let url = format!("http://127.0.0.1:{}", closed_port());
    let (_dir, path) = write_config(&config_text(&url, "some-token-value-123", ""));
    let run = lookout(
        &["check", "--offline", "--config", path.to_str().unwrap()],
        &[],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "config ok: 1 integration(s)\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn check_with_a_missing_config_file_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.toml");
    let run = lookout(&["check", "--config", path.to_str().unwrap()], &[]).await;
    assert_eq!(run.code, 1);
    let want = format!("config error: {}: cannot read config file:", path.display());
    assert!(run.stderr.contains(&want), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn lookout_config_env_var_is_honoured() {
    let fake = standard().await;
    let (_dir, path) = write_config(&config_text(&fake.base_url(), &fake.token(), ""));
    let run = lookout(&["check"], &[("LOOKOUT_CONFIG", &path)]).await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.lines()[1], OK_LINE);
    assert!(
        !fake.requests().is_empty(),
        "it talked to the configured fake"
    );
    // An explicit --config wins over the environment.
    let missing = path.with_file_name("other.toml");
    let run = lookout(
        &["check", "--offline", "--config", missing.to_str().unwrap()],
        &[("LOOKOUT_CONFIG", &path)],
    )
    .await;
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("other.toml"), "{}", run.stderr);
}
