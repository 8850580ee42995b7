//! `daniel`: the plugin host binary. Parses flags and hands over to the library.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use daniel::cli;
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
#[command(
    name = "daniel",
    version,
    about = "Plugin host that puts Odoo in reach of AI agents"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: cli::ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Start the host: MCP at /mcp and /mcp/sse, REST at /api (the default).
    Serve(cli::ServeArgs),
    /// Serve MCP on stdin/stdout for desktop clients.
    McpStdio {
        #[arg(long, env = "DANIEL_CONFIG", default_value = "plugins.toml")]
        config: PathBuf,
    },
    /// Run the Odoo-compatible sandbox on its own (for plugin authors).
    Sandbox(cli::SandboxArgs),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    cli::init_tracing();
    let shutdown = CancellationToken::new();
    cli::stop_on_signal(shutdown.clone());
    let result = match cli.command {
        None => cli::serve(cli.serve, shutdown).await,
        Some(Command::Serve(args)) => cli::serve(args, shutdown).await,
        Some(Command::McpStdio { config }) => cli::mcp_stdio(config, shutdown).await,
        Some(Command::Sandbox(args)) => cli::sandbox(args, shutdown).await,
    };
    cli::exit(result)
}
