//! Wiring for `lookout serve`: build integrations from config, start pollers and the server.

use crate::app::App;
use crate::config::Config;
use crate::integrations::registry::BuildContext;
use crate::metrics::Metrics;
use crate::server::{self, ServerState};
use crate::storage::Storage;
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;

/// A running Lookout: its address and state. Dropping it does not stop the tasks; call
/// [`Running::shutdown`] or let the process end.
pub struct Running {
    pub addr: SocketAddr,
    pub app: Arc<App>,
    shutdown: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting, lets in-flight requests finish, and waits for the server.
    pub async fn shutdown(self) {
        // Ends the dashboard's live streams; otherwise an open tab holds the shutdown forever.
        self.app.close();
        let _ = self.shutdown.send(());
        let _ = self.server.await;
    }
}

/// Builds everything from `config` and serves on `listen` (port 0 picks a free one).
pub async fn start(config: Config, listen: SocketAddr) -> anyhow::Result<Running> {
    let storage = Arc::new(
        Storage::open(&config.server.data_dir)
            .map_err(|e| anyhow::anyhow!("server.data-dir: {e}"))?,
    );
    let metrics = Arc::new(Metrics::default());
    let ctx = BuildContext {
        storage: Some(storage.clone()),
        metrics: metrics.clone(),
    };
    let mut integrations = Vec::new();
    for (id, cfg) in &config.integrations {
        let integ = cfg
            .build(id, &ctx)
            .map_err(|e| anyhow::anyhow!("integrations.{id}: {e}"))?;
        integrations.push(integ);
    }
    let app = App::new(
        integrations,
        config.dashboard.clone(),
        Some(storage),
        metrics,
    )?;
    let triggers = crate::poller::spawn(app.clone());
    let router = server::router(ServerState {
        app: app.clone(),
        triggers,
    });
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    Ok(Running {
        addr,
        app,
        shutdown: tx,
        server,
    })
}
