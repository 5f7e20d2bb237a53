//! Integrations: the registry of types ([`registry`]), shared upstream HTTP pieces ([`http`]),
//! and one folder per integration type.

pub mod authentik;
pub mod http;
pub mod registry;

use crate::widgets::WidgetKind;
use serde::Serialize;

/// A named endpoint of an integration and the widget it feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EndpointSpec {
    pub name: &'static str,
    pub widget: WidgetKind,
    /// Card title on the page.
    pub title: &'static str,
}

/// The result of a connection test, shared by `lookout check` and the web API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnectionReport {
    pub ok: bool,
    /// One line for humans: `ok — authenticated as lookout-svc, authentik 2026.8.5`.
    pub summary: String,
    /// Things that work but not fully (missing permissions, own-sessions-only visibility).
    pub warnings: Vec<String>,
    /// Machine-readable error class when not ok.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}
