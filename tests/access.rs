//! Access control over real HTTP: each auth mode, refusing an exposed listen without auth,
//! CSRF, login rate limiting, and the public health/metrics switches.

mod common;

use common::*;
use lookout::fake::FakeAuthentik;
use reqwest::redirect::Policy;

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$NFs7geoyRW1ZRGqeb7BqKQ$gueMylF17hbA32SGq3aGgdPHGWE6AjBVEeyLid2/b+A";
const PASSWORD: &str = "correct horse battery";

fn with_auth(fake: &FakeAuthentik, auth: &str) -> String {
    format!("[server.auth]\n{auth}\n{}", config_text(fake, ""))
}

fn password_mode(fake: &FakeAuthentik, more: &str) -> String {
    with_auth(
        fake,
        &format!("mode = \"password\"\npassword-hash = \"{HASH}\"\n{more}"),
    )
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn listening_beyond_loopback_without_auth_refuses_to_start_and_explains() {
    let fake = standard_fake().await;
    let config = parse(&config_text(&fake, ""));
    let err = lookout::serve::start(config, "0.0.0.0:0".parse().unwrap())
        .await
        .err()
        .expect("must refuse");
    let msg = err.to_string();
    assert!(msg.starts_with("server.listen: "), "{msg}");
    for choice in [
        "mode = \"password\"",
        "mode = \"forward-auth\"",
        "mode = \"none\"",
    ] {
        assert!(msg.contains(choice), "{msg}");
    }
    let explicit = parse(&with_auth(&fake, "mode = \"none\""));
    let running = lookout::serve::start(explicit, "0.0.0.0:0".parse().unwrap())
        .await
        .expect("explicit none starts");
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn password_mode_requires_a_login_and_sets_a_strict_http_only_cookie() {
    let fake = standard_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let lk = serve(&password_mode(&fake, ""), dir.path()).await;
    let c = no_redirects();
    let base = format!("http://{}", lk.addr);
    let page = c.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(page.status(), 303, "the page redirects to the login form");
    assert_eq!(page.headers()["location"], "/login");
    assert_eq!(
        c.get(format!("{base}/api/v1/alerts"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        c.get(format!("{base}/metrics"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        c.get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "healthz is public by default"
    );
    let form = c
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("type=\"password\""));

    let bad = c
        .post(format!("{base}/login"))
        .form(&[("password", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    let good = c
        .post(format!("{base}/login"))
        .form(&[("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(good.status(), 303);
    let cookie = good.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain HTTP: no Secure flag");
    let session = cookie.split(';').next().unwrap().to_owned();
    let ok = c
        .get(format!("{base}/api/v1/alerts"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);

    let https = c
        .post(format!("{base}/login"))
        .header("x-forwarded-proto", "https")
        .form(&[("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(https.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("; Secure"));

    let out = c
        .post(format!("{base}/logout"))
        .header("cookie", &session)
        .header("x-requested-with", "t")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    let after = c
        .get(format!("{base}/api/v1/alerts"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401, "logged out sessions are dead");
    lk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn login_attempts_are_rate_limited_per_ip_even_with_the_right_password() {
    let fake = standard_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let lk = serve(&password_mode(&fake, ""), dir.path()).await;
    let c = no_redirects();
    let url = format!("http://{}/login", lk.addr);
    for _ in 0..5 {
        let r = c
            .post(&url)
            .form(&[("password", "guess")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    let locked = c
        .post(&url)
        .form(&[("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(locked.status(), 429);
    assert!(locked.headers().contains_key("retry-after"));
    lk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn forward_auth_trusts_the_user_header_only_from_trusted_proxies() {
    let fake = standard_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let trusted = with_auth(
        &fake,
        "mode = \"forward-auth\"\ntrusted-proxies = [\"127.0.0.1/32\"]",
    );
    let lk = serve(&trusted, dir.path()).await;
    let c = no_redirects();
    let url = format!("http://{}/api/v1/alerts", lk.addr);
    assert_eq!(c.get(&url).send().await.unwrap().status(), 401, "no header");
    let ok = c
        .get(&url)
        .header("X-authentik-username", "akadmin")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    lk.shutdown().await;

    let dir = tempfile::tempdir().unwrap();
    let untrusted = with_auth(
        &fake,
        "mode = \"forward-auth\"\ntrusted-proxies = [\"10.9.9.9/32\"]",
    );
    let lk = serve(&untrusted, dir.path()).await;
    let forged = c
        .get(format!("http://{}/api/v1/alerts", lk.addr))
        .header("X-authentik-username", "akadmin")
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        403,
        "a header from an untrusted peer is a forgery"
    );
    lk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn state_changing_requests_need_the_csrf_header_and_a_same_origin() {
    let fake = standard_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let lk = serve(&config_text(&fake, ""), dir.path()).await;
    let c = no_redirects();
    let url = format!("http://{}/api/v1/alerts/anything/ack", lk.addr);
    let r = c.post(&url).send().await.unwrap();
    assert_eq!(r.status(), 403, "a bare cross-site form post is refused");
    let r = c
        .post(&url)
        .header("x-requested-with", "x")
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .post(&url)
        .header("x-requested-with", "x")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        404,
        "passes CSRF; the alert just does not exist"
    );
    lk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_can_be_opened_separately_and_report_logins_and_upstream_requests() {
    let fake = standard_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let text = password_mode(&fake, "public-metrics = true");
    let lk = serve(&text, dir.path()).await;
    eventually(10, "first refresh", || {
        (lk.app.health("sso") == "ok").then_some(())
    })
    .await;
    let body = reqwest::get(format!("http://{}/metrics", lk.addr))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in [
        "lookout_integration_up{integration=\"sso\"} 1",
        "lookout_logins_seen_total{integration=\"sso\",result=\"failure\"} 15",
        "lookout_logins_seen_total{integration=\"sso\",result=\"success\"} 30",
        "lookout_upstream_requests_total{integration=\"sso\"}",
        "lookout_upstream_request_duration_seconds_bucket",
        "lookout_active_alerts{kind=\"brute-force\",severity=\"warning\"} 1",
        "lookout_last_success_timestamp_seconds{integration=\"sso\",endpoint=\"login-events\"}",
    ] {
        assert!(body.contains(needle), "missing {needle} in:\n{body}");
    }
    assert!(!body.contains(&fake.token()));
    lk.shutdown().await;
}
