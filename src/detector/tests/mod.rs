//! Detector tests: tables per rule, alerts, and property tests against a naive oracle.

mod alerts;
mod brute_force;
mod distributed;
mod oracle;
mod properties;
mod proxy;
mod reuse;
mod support;
