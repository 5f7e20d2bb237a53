//! The connection test: is the token valid, which version is this, and may the token read
//! everything Lookout needs? Used by `lookout check` and `POST /api/v1/integrations/{id}/test`.

use super::client::{self, Client, EVENTS, GROUPS, SESSIONS, USERS};
use crate::integrations::http::UpstreamError;
use crate::integrations::ConnectionReport;

const SESSIONS_PERMISSION: &str = "authentik_core.view_authenticatedsession";

/// Calls `core/users/me/` and `admin/version/`, then probes each list endpoint with
/// `page_size=1`. A missing events permission fails the test (no logins, no alerts); other
/// missing permissions are warnings.
pub async fn test_connection(client: &Client) -> ConnectionReport {
    let me = match client.me().await {
        Ok(me) => me.user,
        Err(e) => return failed(&e),
    };
    let version = match client.version().await {
        Ok(v) => v.version_current,
        Err(e) => return failed(&e),
    };
    let mut warnings = Vec::new();
    let mut fatal: Option<UpstreamError> = None;
    let probe = [
        ("actions", "login_failed".to_string()),
        ("page_size", "1".into()),
    ];
    for (endpoint, query) in [
        (EVENTS, &probe[..]),
        (USERS, &[("page_size", "1".to_string())][..]),
        (GROUPS, &[("page_size", "1".to_string())][..]),
        (SESSIONS, &[("page_size", "1".to_string())][..]),
    ] {
        let query = if endpoint == EVENTS && !client::supports_exact_actions(&version) {
            vec![("action", "login".to_string()), ("page_size", "1".into())]
        } else {
            query.to_vec()
        };
        match client.count(endpoint, &query).await {
            Ok(_) => {}
            Err(e @ UpstreamError::PermissionMissing { .. }) if endpoint != EVENTS => {
                warnings.push(e.to_string());
            }
            Err(e) => {
                fatal = Some(e);
                break;
            }
        }
    }
    let sees_all_sessions = me.is_superuser
        || me
            .system_permissions
            .as_ref()
            .is_some_and(|p| p.iter().any(|p| p == SESSIONS_PERMISSION));
    if !sees_all_sessions {
        warnings.push(format!(
            "only {}'s own sessions are visible; give it \"{}\" to count everyone's",
            me.username,
            client::permission_for(SESSIONS)
        ));
    }
    if let Some(e) = fatal {
        let mut r = failed(&e);
        r.version = Some(version);
        r.username = Some(me.username);
        r.warnings = warnings;
        return r;
    }
    ConnectionReport {
        ok: true,
        summary: format!(
            "ok — authenticated as {}, authentik {}",
            me.username, version
        ),
        warnings,
        error_class: None,
        version: Some(version),
        username: Some(me.username),
    }
}

fn failed(e: &UpstreamError) -> ConnectionReport {
    ConnectionReport {
        ok: false,
        summary: format!("FAILED — {e}"),
        warnings: Vec::new(),
        error_class: Some(e.class().to_owned()),
        version: None,
        username: None,
    }
}
