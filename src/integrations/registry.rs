//! THE list of integration types. Adding one = a folder under `integrations/` plus one variant
//! in each enum below; the exhaustive matches make the compiler point at every place to fill.

use super::{authentik, ConnectionReport, EndpointSpec};
use crate::config::ConfigError;
use crate::widgets::WidgetData;
use chrono::{DateTime, Utc};
use std::path::Path;

/// Every integration type Lookout knows, by its config `type` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegrationType {
    Authentik,
}

/// All types, in display order.
pub const ALL: &[IntegrationType] = &[IntegrationType::Authentik];

impl IntegrationType {
    pub fn name(self) -> &'static str {
        match self {
            IntegrationType::Authentik => "authentik",
        }
    }

    pub fn from_name(name: &str) -> Option<IntegrationType> {
        ALL.iter().copied().find(|t| t.name() == name)
    }

    pub fn names() -> Vec<&'static str> {
        ALL.iter().map(|t| t.name()).collect()
    }

    pub fn endpoints(self) -> &'static [EndpointSpec] {
        match self {
            IntegrationType::Authentik => authentik::ENDPOINTS,
        }
    }

    /// Parses and validates the `[integrations.<id>]` table (path prefix `at`).
    pub fn parse_config(
        self,
        table: toml::Value,
        at: &str,
        base: &Path,
    ) -> Result<IntegrationConfig, ConfigError> {
        match self {
            IntegrationType::Authentik => {
                authentik::Config::parse(table, at, base).map(IntegrationConfig::Authentik)
            }
        }
    }
}

/// A validated integration config.
#[derive(Debug, Clone)]
pub enum IntegrationConfig {
    Authentik(authentik::Config),
}

impl IntegrationConfig {
    pub fn integration_type(&self) -> IntegrationType {
        match self {
            IntegrationConfig::Authentik(_) => IntegrationType::Authentik,
        }
    }

    /// Builds the live integration (HTTP client, state). No network I/O yet.
    pub fn build(&self, id: &str, ctx: &BuildContext) -> Result<Integration, String> {
        match self {
            IntegrationConfig::Authentik(c) => {
                authentik::Authentik::new(id, c.clone(), ctx).map(Integration::Authentik)
            }
        }
    }
}

/// What integrations may use beyond their own config.
#[derive(Clone, Default)]
pub struct BuildContext {
    /// Where to persist state across restarts; `None` keeps everything in memory.
    pub storage: Option<std::sync::Arc<crate::storage::Storage>>,
    /// Where upstream and login counters go.
    pub metrics: std::sync::Arc<crate::metrics::Metrics>,
}

/// What one refresh produced, per endpoint.
#[derive(Debug, Clone)]
pub struct RefreshOutput {
    pub results: Vec<(&'static str, Result<WidgetData, super::http::UpstreamError>)>,
}

/// A live integration.
pub enum Integration {
    Authentik(authentik::Authentik),
}

impl Integration {
    pub fn id(&self) -> &str {
        match self {
            Integration::Authentik(a) => a.id(),
        }
    }

    pub fn integration_type(&self) -> IntegrationType {
        match self {
            Integration::Authentik(_) => IntegrationType::Authentik,
        }
    }

    pub fn endpoints(&self) -> &'static [EndpointSpec] {
        self.integration_type().endpoints()
    }

    /// How often the poller should call [`Integration::refresh`].
    pub fn refresh_interval(&self) -> std::time::Duration {
        match self {
            Integration::Authentik(a) => a.refresh_interval(),
        }
    }

    /// Fetches upstream and recomputes every endpoint's payload.
    pub async fn refresh(&self, now: DateTime<Utc>) -> RefreshOutput {
        match self {
            Integration::Authentik(a) => a.refresh(now).await,
        }
    }

    /// The shared secret guarding this integration's webhook, when push is configured.
    pub fn webhook_secret(&self) -> Option<&secrecy::SecretString> {
        match self {
            Integration::Authentik(a) => a.webhook_secret(),
        }
    }

    pub async fn test_connection(&self) -> ConnectionReport {
        match self {
            Integration::Authentik(a) => a.test_connection().await,
        }
    }
}
