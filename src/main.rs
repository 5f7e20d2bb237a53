// Temporary (branch `fake`): only the hidden `fake-authentik` subcommand, so the fake can run
// standalone; the lead reconciles this with the real CLI.
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "lookout")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the in-repo fake Authentik.
    #[command(hide = true)]
    FakeAuthentik(lookout::fake::cli::FakeArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().cmd {
        Cmd::FakeAuthentik(args) => lookout::fake::cli::run(args).await,
    }
}
