//! Standalone runner (`lookout fake-authentik …`): used by the contract test and for manual poking.

use super::scenario::{Scenario, DEFAULT_TOKEN};
use super::{FakeAuthentik, SimulationOptions};
use std::io::Write;
use std::net::SocketAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScenarioKind {
    Standard,
    Empty,
    Big,
}

#[derive(Debug, Clone, clap::Args)]
pub struct FakeArgs {
    /// Address to bind; port 0 picks a free one (see the `listening on` line).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// The API token the fake accepts.
    #[arg(long, default_value = DEFAULT_TOKEN)]
    pub token: String,
    #[arg(long, value_enum, default_value_t = ScenarioKind::Standard)]
    pub scenario: ScenarioKind,
    /// Number of events for `--scenario big` (spread over the last 30 days).
    #[arg(long, default_value_t = 1_000_000)]
    pub events: usize,
    /// Generate live traffic (logins, failures, attacks) on the real clock.
    #[arg(long)]
    pub simulate: bool,
    /// Serve under a sub-path, e.g. `/authentik` (AUTHENTIK_WEB__PATH).
    #[arg(long)]
    pub sub_path: Option<String>,
}

impl FakeArgs {
    pub fn scenario(&self) -> Scenario {
        let now = chrono::Utc::now();
        let mut s = match self.scenario {
            ScenarioKind::Standard => Scenario::standard(now),
            ScenarioKind::Empty => Scenario::empty(now),
            ScenarioKind::Big => Scenario::big(now, self.events, chrono::Duration::days(30), 1),
        };
        s.token = self.token.clone();
        s.sub_path = self
            .sub_path
            .clone()
            .filter(|p| !p.trim_matches('/').is_empty());
        s
    }
}

/// Starts the fake, prints `listening on <base_url>` as the first stdout line, and serves until
/// Ctrl-C or SIGTERM.
pub async fn run(args: FakeArgs) -> anyhow::Result<()> {
    let fake = FakeAuthentik::start_on(args.listen, args.scenario()).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}", fake.base_url())?;
        out.flush()?;
    }
    let sim = args
        .simulate
        .then(|| fake.spawn_simulation(SimulationOptions::default()));
    wait_for_signal().await;
    if let Some(sim) = sim {
        sim.abort();
    }
    fake.stop().await;
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
