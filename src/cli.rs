//! Command line: `serve`, `check`, `demo` (clap derive), and the hidden `fake-authentik`.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "lookout",
    version = env!("LOOKOUT_BUILD_VERSION"),
    about = "A security dashboard for Authentik"
)]
pub struct Cli {
    /// Config file (TOML).
    #[arg(long, global = true, env = "LOOKOUT_CONFIG", default_value = crate::config::DEFAULT_PATH)]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the dashboard and JSON API (the default).
    Serve {
        /// Listen address; overrides `[server] listen`.
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Run the built-in demo: a fake Authentik with live traffic, and the dashboard over it.
    Demo(crate::demo::DemoArgs),
    /// Serve the in-repo fake Authentik alone (tests, the contract test).
    #[command(hide = true)]
    FakeAuthentik(crate::fake::cli::FakeArgs),
    /// Print an argon2 hash of a password read from stdin, for `[server.auth] password-hash`.
    HashPassword,
    /// Validate the config and test each integration's connection.
    Check {
        /// Validate the config only; no network.
        #[arg(long)]
        offline: bool,
    },
}
