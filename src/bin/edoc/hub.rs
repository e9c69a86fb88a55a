//! `edoc hub serve`: runs a hub from hub.toml until SIGTERM or Ctrl-C.

use crate::cli::HubServeArgs;
use crate::error::CliError;

#[cfg(feature = "server")]
pub(crate) fn serve(args: &HubServeArgs) -> Result<(), CliError> {
    use std::io::Write;
    use std::sync::Arc;

    use edoc::{HubConfig, HubNode, SystemClock};

    init_logging();
    let config = HubConfig::load(&args.config).map_err(|e| CliError::Config(e.to_string()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("edoc-hub")
        .build()
        .map_err(|e| CliError::Config(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let node = HubNode::start(&config, Arc::new(SystemClock))
            .await
            .map_err(|e| CliError::Config(e.to_string()))?;
        {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "{} listening on https://{}",
                config.hub(),
                node.local_addr()
            );
            let _ = out.flush();
        }
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|e| CliError::Config(format!("cannot watch SIGTERM: {e}")))?;
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        eprintln!(
            "edoc: {} shutting down: finishing requests in flight",
            config.hub()
        );
        node.shutdown()
            .await
            .map_err(|e| CliError::Config(e.to_string()))?;
        eprintln!(
            "edoc: {} stopped; every accepted document is committed",
            config.hub()
        );
        Ok(())
    })
}

#[cfg(not(feature = "server"))]
pub(crate) fn serve(_args: &HubServeArgs) -> Result<(), CliError> {
    Err(CliError::Usage(
        "this edoc was built without the `server` feature: cargo install --path . --features cli,server"
            .into(),
    ))
}

/// The library reports through `tracing`; a hub's operator reads it on standard error.
/// EDOC_LOG picks the level (error, warn, info, debug, trace); info by default.
#[cfg(feature = "server")]
fn init_logging() {
    let level = match std::env::var("EDOC_LOG").as_deref() {
        Ok("error") => tracing::Level::ERROR,
        Ok("warn") => tracing::Level::WARN,
        Ok("debug") => tracing::Level::DEBUG,
        Ok("trace") => tracing::Level::TRACE,
        _ => tracing::Level::INFO,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
