//! An in-repo fake Authentik (API v3) serving the real 2026.8.5 shapes over HTTP on loopback.
//! Used by integration tests, the contract test against the official client, and `lookout demo`.
