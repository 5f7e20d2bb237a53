//! `lookout demo`: the in-repo fake Authentik with live simulated traffic, and Lookout pointed
//! at it — through the same config parser, poller and server as production, with the fake
//! pushing webhooks like a configured Authentik notification rule would.

use crate::config::Config;
use crate::fake::cli::ScenarioKind;
use crate::fake::{FakeAuthentik, Scenario, SimulationOptions, WebhookTarget};
use crate::serve::Running;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Options for the demo (the CLI's flags).
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Where the dashboard listens.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Where the fake Authentik listens (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub fake_listen: SocketAddr,
    /// The fake's starting data.
    #[arg(long, value_enum, default_value_t = ScenarioKind::Standard)]
    pub scenario: ScenarioKind,
    /// Don't simulate live traffic (tests stage events through the fake's `/_fake/` routes).
    #[arg(long)]
    pub no_simulate: bool,
    /// How often Lookout polls the fake.
    #[arg(long, default_value = "5s")]
    pub refresh: String,
    /// Keep state here instead of a fresh temporary directory.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

/// A running demo: the fake and Lookout.
pub struct Demo {
    pub fake: FakeAuthentik,
    pub lookout: Running,
    _tmp: Option<tempfile::TempDir>,
}

const WEBHOOK_SECRET: &str = "demo-webhook-secret-0123456789";

/// Starts the fake (with simulation unless disabled) and Lookout over it.
pub async fn start(args: &DemoArgs) -> anyhow::Result<Demo> {
    let now = chrono::Utc::now();
    let scenario = match args.scenario {
        ScenarioKind::Standard => Scenario::standard(now),
        ScenarioKind::Empty => Scenario::empty(now),
        ScenarioKind::Big => Scenario::big(now, 100_000, chrono::Duration::days(7), 1),
    };
    let fake = FakeAuthentik::start_on(args.fake_listen, scenario).await?;
    if !args.no_simulate {
        fake.spawn_simulation(SimulationOptions::default());
    }
    let (tmp, data_dir) = match &args.data_dir {
        Some(d) => (None, d.clone()),
        None => {
            let t = tempfile::Builder::new().prefix("lookout-demo-").tempdir()?;
            let p = t.path().to_owned();
            (Some(t), p)
        }
    };
    let text = format!(
        r#"
[server]
listen = "{listen}"
data-dir = {data_dir:?}

[dashboard]
title = "Lookout demo"

[integrations.demo]
type = "authentik"
url = "{url}"
refresh = "{refresh}"

[integrations.demo.auth]
api-token = "{token}"

[integrations.demo.webhook]
secret = "{WEBHOOK_SECRET}"
"#,
        listen = args.listen,
        data_dir = data_dir.display().to_string(),
        url = fake.base_url(),
        refresh = args.refresh,
        token = fake.token(),
    );
    let config = Config::parse_with_env(&text, std::path::Path::new("."), &|_| None)
        .map_err(|e| anyhow::anyhow!("demo config: {e}"))?;
    let lookout = crate::serve::start(config, args.listen).await?;
    fake.set_webhook(Some(WebhookTarget {
        url: format!("http://{}/api/v1/hooks/authentik/demo", lookout.addr),
        secret: WEBHOOK_SECRET.into(),
    }));
    Ok(Demo {
        fake,
        lookout,
        _tmp: tmp,
    })
}
