//! Wiring for `lookout serve`: build integrations from config, start pollers and the server.

use crate::app::App;
use crate::config::auth::{check_exposure, AuthConfig};
use crate::config::Config;
use crate::integrations::registry::BuildContext;
use crate::metrics::Metrics;
use crate::server::auth::AuthState;
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
        if let Some(storage) = self.app.storage() {
            match storage.close() {
                Ok(()) => tracing::info!("database closed cleanly"),
                Err(e) => tracing::warn!(error = %e, "database checkpoint at shutdown failed"),
            }
        }
    }
}

/// Builds everything from `config` and serves on `listen` (port 0 picks a free one).
pub async fn start(config: Config, listen: SocketAddr) -> anyhow::Result<Running> {
    check_exposure(listen, config.server.auth.as_ref()).map_err(|e| anyhow::anyhow!("{e}"))?;
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
        Some(storage.clone()),
        metrics,
    )?;
    let triggers = crate::poller::spawn(app.clone());
    spawn_retention(storage.clone(), config.server.retention);
    let auth = config.server.auth.clone().unwrap_or_else(AuthConfig::none);
    let router = server::router(ServerState {
        app: app.clone(),
        triggers,
        auth: Arc::new(AuthState::new(auth)),
    });
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
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

/// Prunes alert history, acknowledgements and expired snoozes older than `retention`, hourly.
fn spawn_retention(storage: Arc<Storage>, retention: crate::config::Dur) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let cutoff = chrono::Utc::now() - retention.as_chrono();
            let s = storage.clone();
            match tokio::task::spawn_blocking(move || s.prune(cutoff)).await {
                Ok(Err(e)) => tracing::warn!(error = %e, "pruning alert history failed"),
                Err(e) => tracing::warn!(error = %e, "pruning task failed"),
                Ok(Ok(())) => {}
            }
        }
    });
}
