//! `lookout` binary entry point.

use clap::Parser;
use lookout::cli::{Cli, Command};
use lookout::config::Config;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Check { offline }) => check(&cli.config, offline).await,
        _ => ExitCode::SUCCESS,
    }
}

async fn check(path: &std::path::Path, offline: bool) -> ExitCode {
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("config error: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("config ok: {} integration(s)", config.integrations.len());
    if offline {
        return ExitCode::SUCCESS;
    }
    let mut all_ok = true;
    for (id, cfg) in &config.integrations {
        let integration = match cfg.build(id) {
            Ok(i) => i,
            Err(e) => {
                println!("{id}: FAILED — {e}");
                all_ok = false;
                continue;
            }
        };
        let report = integration.test_connection().await;
        println!("{id}: {}", report.summary);
        for w in &report.warnings {
            println!("{id}: warning — {w}");
        }
        all_ok &= report.ok;
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
