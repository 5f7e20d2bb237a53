//! The Authentik API client: typed calls over [`Upstream`], Authentik's error bodies mapped to
//! errors a user can act on, and a pager that trusts `pagination.next` but never loops forever.

use super::wire::{Event, Page, SessionUser, Version};
use crate::integrations::http::{FetchError, StatusFailure, Upstream, UpstreamError};
use serde::de::DeserializeOwned;

/// Authentik clamps larger sizes on 2026.x and allows any size before; we never ask for more.
pub const MAX_PAGE_SIZE: u64 = 100;

/// The list endpoints Lookout reads and the permission each needs (Authentik's own wording).
pub const EVENTS: &str = "events/events/";
pub const USERS: &str = "core/users/";
pub const GROUPS: &str = "core/groups/";
pub const SESSIONS: &str = "core/authenticated_sessions/";
pub const ME: &str = "core/users/me/";
pub const VERSION: &str = "admin/version/";

/// The permission a 403 on `endpoint` means is missing.
pub fn permission_for(endpoint: &str) -> &'static str {
    match endpoint {
        EVENTS => "Can view Event (authentik_events.view_event)",
        USERS => "Can view User (authentik_core.view_user)",
        GROUPS => "Can view Group (authentik_core.view_group)",
        SESSIONS => "Can view Authenticated Session (authentik_core.view_authenticatedsession)",
        _ => "the view permission for this endpoint",
    }
}

/// The actions the login list and the detectors read.
pub const LOGIN_ACTIONS: [&str; 2] = ["login", "login_failed"];

/// A typed Authentik API v3 client.
#[derive(Debug, Clone)]
pub struct Client {
    up: Upstream,
}

/// What the pager should do after a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Walk {
    Continue,
    Stop,
}

impl Client {
    pub fn new(up: Upstream) -> Client {
        Client { up }
    }

    pub fn upstream(&self) -> &Upstream {
        &self.up
    }

    /// GET + decode, with Authentik's error bodies classified.
    pub async fn get<T: DeserializeOwned>(
        &self,
        endpoint: &str,
        query: &[(&str, String)],
    ) -> Result<T, UpstreamError> {
        self.up
            .get_json(endpoint, query)
            .await
            .map_err(|e| e.classify_with(|f| classify(endpoint, f)))
    }

    pub async fn me(&self) -> Result<SessionUser, UpstreamError> {
        self.get(ME, &[]).await
    }

    pub async fn version(&self) -> Result<Version, UpstreamError> {
        self.get(VERSION, &[]).await
    }

    /// Counts matching rows with one cheap request (`page_size=1` + `pagination.count`).
    pub async fn count(
        &self,
        endpoint: &str,
        filters: &[(&str, String)],
    ) -> Result<u64, UpstreamError> {
        let mut q = filters.to_vec();
        q.push(("page_size", "1".into()));
        let page: Page<serde::de::IgnoredAny> = self.get(endpoint, &q).await?;
        Ok(page.pagination.count)
    }

    /// Walks pages of `endpoint` from page 1, calling `visit` on each, until `next == 0`, a 404
    /// `Invalid page.`, an empty page, `visit` says stop, or `max_pages` pages were read.
    /// Returns how many pages were read.
    pub async fn walk<T: DeserializeOwned>(
        &self,
        endpoint: &str,
        filters: &[(&str, String)],
        page_size: u64,
        max_pages: u64,
        mut visit: impl FnMut(Page<T>) -> Walk,
    ) -> Result<u64, UpstreamError> {
        let page_size = page_size.clamp(1, MAX_PAGE_SIZE);
        let mut page_no = 1u64;
        let mut read = 0u64;
        while read < max_pages {
            let mut q = filters.to_vec();
            q.push(("page", page_no.to_string()));
            q.push(("page_size", page_size.to_string()));
            let page: Page<T> = match self.up.get_json(endpoint, &q).await {
                Ok(p) => p,
                Err(FetchError::Status(f)) if is_invalid_page(&f) => break,
                Err(e) => return Err(e.classify_with(|f| classify(endpoint, f))),
            };
            read += 1;
            let next = page.pagination.next;
            let empty = page.results.is_empty();
            if visit(page) == Walk::Stop || next == 0 || empty {
                break;
            }
            if next <= page_no {
                return Err(UpstreamError::Protocol {
                    endpoint: endpoint.to_owned(),
                    detail: format!(
                        "pagination went backwards (page {page_no} says next is {next})"
                    ),
                });
            }
            page_no = next;
        }
        Ok(read)
    }

    /// Login and failed-login events, newest first, exactly filtered. `exact_server_filter`
    /// uses `actions=` (2025.x+); older servers get the `action=login` substring filter. Either
    /// way every event is checked exactly on our side too.
    pub async fn walk_login_events(
        &self,
        exact_server_filter: bool,
        page_size: u64,
        max_pages: u64,
        mut visit: impl FnMut(Vec<Event>) -> Walk,
    ) -> Result<u64, UpstreamError> {
        let mut q: Vec<(&str, String)> = vec![("ordering", "-created".into())];
        if exact_server_filter {
            q.extend(LOGIN_ACTIONS.iter().map(|a| ("actions", a.to_string())));
        } else {
            q.push(("action", "login".into()));
        }
        self.walk::<Event>(EVENTS, &q, page_size, max_pages, |page| {
            let mut events = page.results;
            events.retain(|e| LOGIN_ACTIONS.contains(&e.action.as_str()));
            visit(events)
        })
        .await
    }
}

fn is_invalid_page(f: &StatusFailure) -> bool {
    f.status.as_u16() == 404 && f.detail.as_deref() == Some("Invalid page.")
}

/// Maps an Authentik error answer to what the user should do about it.
pub fn classify(endpoint: &str, f: StatusFailure) -> UpstreamError {
    let status = f.status.as_u16();
    let detail = f.detail.clone().unwrap_or_default();
    match status {
        401 | 403 if detail.contains("do not have permission") => {
            UpstreamError::PermissionMissing {
                endpoint: endpoint.to_owned(),
                permission: permission_for(endpoint).to_owned(),
            }
        }
        401 | 403 => UpstreamError::TokenRejected {
            status,
            detail: if detail.is_empty() { f.excerpt } else { detail },
        },
        404 => UpstreamError::NotFound {
            endpoint: endpoint.to_owned(),
        },
        _ => UpstreamError::UnexpectedStatus {
            endpoint: endpoint.to_owned(),
            status,
            excerpt: f.excerpt,
        },
    }
}

/// Whether a server version supports the exact `actions=` events filter (2025.x+).
/// Unknown or unparsable versions are treated as old: the fallback is always correct.
pub fn supports_exact_actions(version: &str) -> bool {
    version
        .split('.')
        .next()
        .and_then(|y| y.parse::<u32>().ok())
        .is_some_and(|year| year >= 2025)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    fn failure(status: u16, detail: Option<&str>) -> StatusFailure {
        StatusFailure {
            status: StatusCode::from_u16(status).unwrap(),
            detail: detail.map(str::to_owned),
            excerpt: "body".into(),
            retry_after: None,
        }
    }

    #[test]
    fn classifies_each_kind_of_403() {
        let e = classify(EVENTS, failure(403, Some("Token invalid/expired")));
        assert_eq!(e.to_string(), "token rejected (403 Token invalid/expired)");
        let e = classify(
            EVENTS,
            failure(
                403,
                Some("You do not have permission to perform this action."),
            ),
        );
        assert!(e.to_string().contains("Can view Event"), "{e}");
        let e = classify(
            ME,
            failure(403, Some("Authentication credentials were not provided.")),
        );
        assert!(matches!(e, UpstreamError::TokenRejected { .. }));
        let e = classify(ME, failure(401, None));
        assert!(matches!(
            e,
            UpstreamError::TokenRejected { status: 401, .. }
        ));
    }

    #[test]
    fn classifies_404_and_other_statuses() {
        assert!(matches!(
            classify(ME, failure(404, None)),
            UpstreamError::NotFound { .. }
        ));
        let e = classify(ME, failure(500, None));
        assert_eq!(e.to_string(), "core/users/me/: unexpected status 500: body");
    }

    #[test]
    fn exact_actions_filter_is_gated_on_2025_and_later() {
        assert!(supports_exact_actions("2026.8.5"));
        assert!(supports_exact_actions("2025.2.1"));
        assert!(!supports_exact_actions("2024.12.3"));
        assert!(!supports_exact_actions("2023.10.7"));
        assert!(!supports_exact_actions("garbage"));
    }
}
