//! The API token never shows up in config debug output, client debug output, error texts or
//! connection reports, whatever the upstream does.

mod common {
    pub mod client;
}

use common::client::*;
use lookout::fake::scenario::{PERM_VIEW_EVENT, PERM_VIEW_GROUP};
use lookout::fake::Fault;
use lookout::integrations::authentik::check::test_connection;
use lookout::integrations::authentik::client::{Walk, EVENTS};
use lookout::integrations::authentik::wire::Event;
use lookout::integrations::registry::IntegrationConfig;
use std::time::Duration;

#[test]
fn config_and_client_debug_output_hide_the_token_and_webhook_secret() {
    let token = "ak-token-REDACTME-1234567890abcdef";
    let secret = "webhook-secret-REDACTME-0987654321";
    let cfg = parse_config(&config_text(
        "https://auth.example.com",
        token,
        &format!("[integrations.sso.webhook]\nsecret = \"{secret}\"\n"),
    ));
    for text in [format!("{cfg:?}"), format!("{cfg:#?}")] {
        assert_no_token(&text, token);
        assert_no_token(&text, secret);
        assert!(text.contains("auth.example.com"), "still useful: {text}");
    }
    let IntegrationConfig::Authentik(a) = &cfg;
    assert_no_token(&format!("{:?}", a.token), token);
    let c = client_from_config(&cfg);
    let text = format!("{c:?}");
    assert_no_token(&text, token);
    assert!(text.contains("[redacted]"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_error_text_or_connection_report_contains_the_token() {
    let fake = standard().await;
    let token = fake.token();
    let c = client(&fake.base_url(), &token, Duration::from_millis(400), 0);
    let faults = [
        None,
        Some(Fault::Status(500)),
        Some(Fault::Status(429)),
        Some(Fault::Status(401)),
        Some(Fault::HtmlErrorPage),
        Some(Fault::MalformedJson),
        Some(Fault::TruncatedJson),
        Some(Fault::WrongTypes),
        Some(Fault::EmptyPageClaimsNext),
        Some(Fault::ResetConnection),
        Some(Fault::Delay(Duration::from_secs(1))),
    ];
    let mut errors = 0;
    for fault in faults {
        fake.clear_faults();
        if let Some(f) = fault {
            fake.set_fault(f);
        }
        let report = test_connection(&c).await;
        assert_no_token(&format!("{report:?}"), &token);
        assert_no_token(&serde_json::to_string(&report).unwrap(), &token);
        for e in [
            c.me().await.err(),
            c.version().await.err(),
            c.count(EVENTS, &[]).await.err(),
            c.walk::<Event>(EVENTS, &[], 100, 3, |_| Walk::Continue)
                .await
                .err(),
        ]
        .into_iter()
        .flatten()
        {
            errors += 1;
            assert_no_token(&e.to_string(), &token);
            assert_no_token(&format!("{e:?}"), &token);
        }
    }
    assert!(errors >= 30, "the faults produced errors: {errors}");

    // Permission and token failures too.
    fake.clear_faults();
    fake.with_data(|s| {
        s.permissions.remove(PERM_VIEW_EVENT);
        s.permissions.remove(PERM_VIEW_GROUP);
    });
    let report = test_connection(&c).await;
    assert!(!report.ok);
    assert_no_token(&format!("{report:?}"), &token);
    let wrong = client(
        &fake.base_url(),
        "wrong-token-ABCDEFGHIJKLMNOP",
        Duration::from_secs(2),
        0,
    );
    let report = test_connection(&wrong).await;
    assert_eq!(
        report.summary,
        "FAILED — token rejected (403 Token invalid/expired)"
    );
    assert_no_token(&format!("{report:?}"), "wrong-token-ABCDEFGHIJKLMNOP");
    assert_no_token(&format!("{report:?}"), &token);
}
