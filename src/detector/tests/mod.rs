//! Detector tests: tables per rule, and property tests against a naive oracle.

mod oracle;
mod support;
