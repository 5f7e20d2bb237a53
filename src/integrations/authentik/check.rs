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
    let mut sessions_total: Option<u64> = None;
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
            Ok(n) if endpoint == SESSIONS => sessions_total = Some(n),
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
    // `system_permissions` only lists `authentik_rbac.*` permissions on real servers, so a
    // role granting the session permission is invisible in `me/`. Sessions of other users in
    // the list prove it instead (one more `page_size=1` request).
    let sees_all_sessions = me.is_superuser
        || me
            .system_permissions
            .as_ref()
            .is_some_and(|p| p.iter().any(|p| p == SESSIONS_PERMISSION))
        || match sessions_total {
            Some(total) if total > 0 => {
                let own = [
                    ("user__username", me.username.clone()),
                    ("page_size", "1".to_string()),
                ];
                client
                    .count(SESSIONS, &own)
                    .await
                    .is_ok_and(|own| total > own)
            }
            _ => false,
        };
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
