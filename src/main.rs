//! `lookout` binary entry point: parse the CLI, set up logging, dispatch.

use clap::Parser;
use lookout::cli::{Cli, Command};
use lookout::config::Config;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    lookout::logging::init(log_format(&cli));
    let result = match cli.command {
        Some(Command::Check { offline }) => return check(&cli.config, offline).await,
        Some(Command::Serve { listen }) => serve(&cli.config, listen).await,
        Some(Command::Demo(args)) => demo(args).await,
        Some(Command::HashPassword) => hash_password(),
        Some(Command::FakeAuthentik(args)) => lookout::fake::cli::run(args).await,
        None => serve(&cli.config, None).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The log format from the config, if it loads (errors are reported by the command itself).
fn log_format(cli: &Cli) -> lookout::config::LogFormat {
    match cli.command {
        None | Some(Command::Serve { .. }) => Config::load(&cli.config)
            .map(|c| c.server.log_format)
            .unwrap_or_default(),
        _ => Default::default(),
    }
}

async fn serve(path: &std::path::Path, listen: Option<std::net::SocketAddr>) -> anyhow::Result<()> {
    let config = Config::load(path).map_err(|e| anyhow::anyhow!("config: {e}"))?;
    let listen = listen.unwrap_or(config.server.listen);
    let running = lookout::serve::start(config, listen).await?;
    println!("Lookout listening on http://{}", running.addr);
    shutdown_signal().await;
    tracing::info!("shutting down");
    running.shutdown().await;
    Ok(())
}

fn hash_password() -> anyhow::Result<()> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']);
    anyhow::ensure!(
        password.chars().count() >= 8,
        "use a password of at least 8 characters"
    );
    println!("{}", lookout::server::auth::hash_password(password));
    Ok(())
}

async fn demo(args: lookout::demo::DemoArgs) -> anyhow::Result<()> {
    let demo = lookout::demo::start(&args).await?;
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        writeln!(out, "dashboard: http://{}", demo.lookout.addr)?;
        writeln!(out, "fake-authentik: {}", demo.fake.base_url())?;
        out.flush()?;
    }
    eprintln!(
        "Lookout demo running — open http://{} (Ctrl-C to stop). A brute-force burst starts within ~90 s.",
        demo.lookout.addr
    );
    shutdown_signal().await;
    demo.lookout.shutdown().await;
    demo.fake.stop().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
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
        let report = match cfg.build(id, &Default::default()) {
            Ok(integration) => integration.test_connection().await,
            Err(e) => {
                println!("{id}: FAILED — {e}");
                all_ok = false;
                continue;
            }
        };
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
