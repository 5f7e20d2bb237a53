//! Lookout: a self-hosted security dashboard for Authentik.
//!
//! Data flow, one direction:
//!
//! ```text
//! lookout.toml ──config──▶ typed Config ──registry──▶ Integration (one per [integrations.<id>])
//!                                                        │ poller: refresh in the background
//!                                                        ▼
//!   upstream API ──client──▶ wire structs ──transform──▶ widget payloads + alerts (pure)
//!                                                        │ snapshots (last good data, error, stale)
//!                                                        ▼
//!                                   server: JSON API + dashboard page (never calls upstream)
//! ```
//!
//! `detector` holds the pure attack detectors; `fake` is the in-repo fake Authentik used by tests,
//! the contract test and `lookout demo`.

pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod detector;
pub mod fake;
pub mod integrations;
pub mod logging;
pub mod metrics;
pub mod poller;
pub mod serve;
pub mod server;
pub mod storage;
pub mod text;
pub mod widgets;
