//! Pure query logic: DRF/Django page-number pagination and the events filter set, so the
//! edge cases (page past the end, `page=last`, clamping, `actions` vs `action`) are table-tested
//! without HTTP.

use super::scenario::Event;
use serde::Serialize;
use std::net::IpAddr;

/// The `pagination` object authentik sends (all integers; 0 = no next/previous page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pagination {
    pub next: usize,
    pub previous: usize,
    pub count: usize,
    pub current: usize,
    pub total_pages: usize,
    pub start_index: usize,
    pub end_index: usize,
}

/// `page` query value as Django understands it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageSel {
    Number(usize),
    Last,
}

/// Django's `InvalidPage` → `404 {"detail": "Invalid page."}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidPage;

/// Missing → 1; `last` → last page; anything else must be an integer ≥ 1.
pub fn parse_page(raw: Option<&str>) -> Result<PageSel, InvalidPage> {
    match raw {
        None => Ok(PageSel::Number(1)),
        Some("last") => Ok(PageSel::Last),
        Some(s) => match s.trim().parse::<i64>() {
            Ok(n) if n >= 1 => Ok(PageSel::Number(n as usize)),
            _ => Err(InvalidPage),
        },
    }
}

/// DRF `_positive_int(strict=True, cutoff=max)`: ≤ 0 or non-numeric → `default`; larger than
/// `max` → `max` (silently).
pub fn parse_page_size(raw: Option<&str>, default: usize, max: Option<usize>) -> usize {
    let size = match raw.map(|s| s.trim().parse::<i64>()) {
        Some(Ok(n)) if n > 0 => n as usize,
        _ => default,
    };
    match max {
        Some(m) => size.min(m),
        None => size,
    }
}

/// Django `Paginator.page()`: validates the page and returns the pagination block plus the
/// item range of that page.
pub fn paginate(
    count: usize,
    page: PageSel,
    page_size: usize,
) -> Result<(Pagination, std::ops::Range<usize>), InvalidPage> {
    let page_size = page_size.max(1);
    let total_pages = count.div_ceil(page_size).max(1);
    let current = match page {
        PageSel::Last => total_pages,
        PageSel::Number(n) if n >= 1 && n <= total_pages => n,
        PageSel::Number(_) => return Err(InvalidPage),
    };
    let start = (current - 1) * page_size;
    let end = (start + page_size).min(count);
    let p = Pagination {
        next: if current < total_pages {
            current + 1
        } else {
            0
        },
        previous: current - 1,
        count,
        current,
        total_pages,
        start_index: if count == 0 { 0 } else { start + 1 },
        end_index: if count == 0 { 0 } else { end },
    };
    Ok((p, start..end))
}

/// The `EventActions` choices of the 2026.8.5 schema (`actions=` is validated against these).
pub const EVENT_ACTIONS: &[&str] = &[
    "login",
    "login_failed",
    "logout",
    "user_write",
    "user_offboarded",
    "suspicious_request",
    "password_set",
    "secret_view",
    "secret_rotate",
    "invitation_used",
    "authorize_application",
    "source_linked",
    "impersonation_started",
    "impersonation_ended",
    "flow_execution",
    "policy_execution",
    "policy_exception",
    "property_mapping_exception",
    "system_task_execution",
    "system_task_exception",
    "system_exception",
    "configuration_error",
    "configuration_warning",
    "model_created",
    "model_updated",
    "model_deleted",
    "email_sent",
    "update_available",
    "export_ready",
    "review_initiated",
    "review_overdue",
    "review_attested",
    "review_completed",
    "access_request_created",
    "access_request_approved",
    "access_request_denied",
    "access_request_revoked",
    "custom_",
];

/// A 400 ValidationError: `{"<field>": ["<message>"]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn invalid_choice(field: &str, value: &str) -> FieldError {
        FieldError {
            field: field.to_string(),
            message: format!("Select a valid choice. {value} is not one of the available choices."),
        }
    }
}

/// The events list filters (all ANDed), parsed from the query string.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventFilter {
    /// `action=`: case-insensitive substring (icontains).
    pub action_contains: Option<String>,
    /// `actions=` (repeated): exact, ORed. `None` = not given (or ignored by an old server).
    pub actions: Option<Vec<String>>,
    /// `username=`: `user.username` or `context.username`, exact.
    pub username: Option<String>,
    /// `client_ip=`: exact. `Some(None)` = given but not an IP, which matches nothing.
    pub client_ip: Option<Option<IpAddr>>,
    /// `ordering=created` (else `-created`, the default; unknown fields are ignored).
    pub ascending: bool,
}

impl EventFilter {
    /// Parses the events query. `supports_actions` = the server knows `actions` (2025+).
    pub fn from_query(q: &[(String, String)], supports_actions: bool) -> Result<Self, FieldError> {
        let mut f = EventFilter::default();
        let mut actions = Vec::new();
        for (k, v) in q {
            match k.as_str() {
                "action" if !v.is_empty() => f.action_contains = Some(v.clone()),
                "actions" if supports_actions && !v.is_empty() => {
                    if !EVENT_ACTIONS.contains(&v.as_str()) {
                        return Err(FieldError::invalid_choice("actions", v));
                    }
                    actions.push(v.clone());
                }
                "username" if !v.is_empty() => f.username = Some(v.clone()),
                "client_ip" if !v.is_empty() => f.client_ip = Some(v.trim().parse().ok()),
                "ordering" => match v.as_str() {
                    "created" => f.ascending = true,
                    "-created" => f.ascending = false,
                    _ => {}
                },
                _ => {}
            }
        }
        if !actions.is_empty() {
            f.actions = Some(actions);
        }
        Ok(f)
    }

    pub fn is_unfiltered(&self) -> bool {
        self.action_contains.is_none()
            && self.actions.is_none()
            && self.username.is_none()
            && self.client_ip.is_none()
    }

    pub fn matches(&self, e: &Event) -> bool {
        self.action_ok(&e.action) && self.rest_ok(e)
    }

    fn action_ok(&self, action: &str) -> bool {
        if let Some(needle) = &self.action_contains {
            if !contains_ignore_ascii_case(action, needle) {
                return false;
            }
        }
        if let Some(actions) = &self.actions {
            if !actions.iter().any(|a| a == action) {
                return false;
            }
        }
        true
    }

    /// Like [`EventFilter::matches`], memoising the action test per shared `Arc<str>` (events
    /// share a handful of action strings), which keeps million-row scans cheap.
    fn matches_memo(&self, e: &Event, memo: &mut Vec<(*const u8, bool)>) -> bool {
        if self.action_contains.is_none() && self.actions.is_none() {
            return self.rest_ok(e);
        }
        let key = e.action.as_ptr();
        let ok = match memo.iter().find(|(k, _)| *k == key) {
            Some((_, ok)) => *ok,
            None => {
                let ok = self.action_ok(&e.action);
                if memo.len() < 64 {
                    memo.push((key, ok));
                }
                ok
            }
        };
        ok && self.rest_ok(e)
    }

    fn rest_ok(&self, e: &Event) -> bool {
        if let Some(u) = &self.username {
            // `username` holds user.username for logins and context.username for failures.
            if *e.username != **u {
                return false;
            }
        }
        if let Some(ip) = &self.client_ip {
            if ip.is_none() || e.client_ip != *ip {
                return false;
            }
        }
        true
    }
}

pub fn contains_ignore_ascii_case(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// One page of events (sorted ascending in `events`) in the filter's order; renders nothing.
/// Counts the whole filtered set in one pass and keeps only the page's items.
pub fn select_events<'a>(
    events: &'a [Event],
    filter: &EventFilter,
    page: PageSel,
    page_size: usize,
) -> Result<(Pagination, Vec<&'a Event>), InvalidPage> {
    let ordered = |f: &mut dyn FnMut(&'a Event)| {
        if filter.ascending {
            events.iter().for_each(f)
        } else {
            events.iter().rev().for_each(f)
        }
    };
    if filter.is_unfiltered() {
        let (p, range) = paginate(events.len(), page, page_size)?;
        let items = if filter.ascending {
            events[range].iter().collect()
        } else {
            let n = events.len();
            events[n - range.end..n - range.start]
                .iter()
                .rev()
                .collect()
        };
        return Ok((p, items));
    }
    // Numbered pages: one pass. `last` needs the count first: two passes.
    let wanted = match page {
        PageSel::Number(n) => {
            let s = page_size.max(1);
            n.saturating_sub(1).saturating_mul(s)..n.saturating_mul(s)
        }
        PageSel::Last => {
            let mut count = 0;
            let mut memo = Vec::new();
            ordered(&mut |e| count += usize::from(filter.matches_memo(e, &mut memo)));
            paginate(count, page, page_size)?.1
        }
    };
    let mut count = 0usize;
    let mut items = Vec::new();
    let mut memo = Vec::new();
    ordered(&mut |e| {
        if filter.matches_memo(e, &mut memo) {
            if wanted.contains(&count) {
                items.push(e);
            }
            count += 1;
        }
    });
    let (p, _) = paginate(count, page, page_size)?;
    Ok((p, items))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};
    use std::sync::Arc;

    fn pg(count: usize, page: PageSel, size: usize) -> Result<Pagination, InvalidPage> {
        paginate(count, page, size).map(|(p, _)| p)
    }

    #[test]
    fn pagination_table() {
        use PageSel::*;
        // (count, page, size) → (next, previous, current, total_pages, start, end)
        let ok: &[(usize, PageSel, usize, [usize; 6])] = &[
            (0, Number(1), 20, [0, 0, 1, 1, 0, 0]),
            (0, Last, 20, [0, 0, 1, 1, 0, 0]),
            (1, Number(1), 20, [0, 0, 1, 1, 1, 1]),
            (45, Number(1), 20, [2, 0, 1, 3, 1, 20]),
            (45, Number(2), 20, [3, 1, 2, 3, 21, 40]),
            (45, Number(3), 20, [0, 2, 3, 3, 41, 45]),
            (45, Last, 20, [0, 2, 3, 3, 41, 45]),
            (40, Number(2), 20, [0, 1, 2, 2, 21, 40]),
            (1873, Number(1), 3, [2, 0, 1, 625, 1, 3]),
        ];
        for (count, page, size, want) in ok {
            let p = pg(*count, *page, *size).unwrap();
            let got = [
                p.next,
                p.previous,
                p.current,
                p.total_pages,
                p.start_index,
                p.end_index,
            ];
            assert_eq!(&got, want, "count={count} page={page:?} size={size}");
            assert_eq!(p.count, *count);
        }
    }

    #[test]
    fn page_past_end_or_zero_is_invalid_page() {
        assert_eq!(pg(45, PageSel::Number(4), 20), Err(InvalidPage));
        assert_eq!(pg(0, PageSel::Number(2), 20), Err(InvalidPage));
        assert_eq!(pg(45, PageSel::Number(0), 20), Err(InvalidPage));
    }

    #[test]
    fn parse_page_accepts_numbers_and_last_only() {
        assert_eq!(parse_page(None), Ok(PageSel::Number(1)));
        assert_eq!(parse_page(Some("3")), Ok(PageSel::Number(3)));
        assert_eq!(parse_page(Some("last")), Ok(PageSel::Last));
        for bad in ["0", "-1", "abc", "", "1.5", "LAST"] {
            assert_eq!(parse_page(Some(bad)), Err(InvalidPage), "{bad:?}");
        }
    }

    #[test]
    fn page_size_defaults_and_clamps_silently() {
        let table: &[(Option<&str>, Option<usize>, usize)] = &[
            (None, Some(100), 20),
            (Some("50"), Some(100), 50),
            (Some("500"), Some(100), 100),
            (Some("500"), None, 500),
            (Some("0"), Some(100), 20),
            (Some("-5"), Some(100), 20),
            (Some("abc"), Some(100), 20),
            (Some(""), None, 20),
        ];
        for (raw, max, want) in table {
            assert_eq!(
                parse_page_size(*raw, 20, *max),
                *want,
                "{raw:?} max={max:?}"
            );
        }
    }

    fn ev(id: u64, action: &str, username: &str, ip: &str) -> Event {
        Event {
            id,
            created: Utc.with_ymd_and_hms(2026, 9, 14, 0, 0, 0).unwrap()
                + Duration::seconds(id as i64),
            action: Arc::from(action),
            username: Arc::from(username),
            user_pk: None,
            client_ip: ip.parse().ok(),
            user_agent: None,
            geo: None,
            mfa: false,
        }
    }

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn sample() -> Vec<Event> {
        vec![
            ev(1, "login", "alice", "203.0.113.17"),
            ev(2, "login_failed", "alice", "198.51.100.23"),
            ev(3, "login_failed", "root", "198.51.100.23"),
            ev(4, "logout", "bob", "203.0.113.44"),
            ev(5, "model_updated", "akadmin", "10.0.0.2"),
            ev(6, "LOGIN", "carol", "10.0.0.3"),
        ]
    }

    fn ids(events: &[Event], query: &[(&str, &str)], supports_actions: bool) -> Vec<u64> {
        let f = EventFilter::from_query(&q(query), supports_actions).unwrap();
        let (_, items) = select_events(events, &f, PageSel::Number(1), 100).unwrap();
        items.iter().map(|e| e.id).collect()
    }

    #[test]
    fn action_is_case_insensitive_substring_and_actions_is_exact() {
        let e = sample();
        assert_eq!(ids(&e, &[("action", "login")], true), vec![6, 3, 2, 1]);
        assert_eq!(ids(&e, &[("action", "Login_F")], true), vec![3, 2]);
        assert_eq!(ids(&e, &[("actions", "login")], true), vec![1]);
        assert_eq!(
            ids(&e, &[("actions", "login"), ("actions", "logout")], true),
            vec![4, 1]
        );
    }

    #[test]
    fn unknown_actions_value_is_a_field_error_unless_server_is_old() {
        let err = EventFilter::from_query(&q(&[("actions", "foo")]), true).unwrap_err();
        assert_eq!(err.field, "actions");
        assert_eq!(
            err.message,
            "Select a valid choice. foo is not one of the available choices."
        );
        // A pre-2025 server ignores `actions` entirely: everything comes back.
        assert_eq!(ids(&sample(), &[("actions", "foo")], false).len(), 6);
        assert_eq!(ids(&sample(), &[("actions", "login")], false).len(), 6);
    }

    #[test]
    fn username_matches_context_username_of_failures() {
        let e = sample();
        assert_eq!(ids(&e, &[("username", "alice")], true), vec![2, 1]);
        assert_eq!(ids(&e, &[("username", "root")], true), vec![3]);
        assert_eq!(ids(&e, &[("username", "ROOT")], true), Vec::<u64>::new());
    }

    #[test]
    fn client_ip_is_exact_and_filters_combine() {
        let e = sample();
        assert_eq!(ids(&e, &[("client_ip", "198.51.100.23")], true), vec![3, 2]);
        assert_eq!(
            ids(&e, &[("client_ip", "198.51.100")], true),
            Vec::<u64>::new()
        );
        assert_eq!(
            ids(
                &e,
                &[("client_ip", "198.51.100.23"), ("username", "root")],
                true
            ),
            vec![3]
        );
    }

    #[test]
    fn ordering_created_is_oldest_first_and_unknown_ordering_is_ignored() {
        let e = sample();
        assert_eq!(
            ids(&e, &[("ordering", "created")], true),
            vec![1, 2, 3, 4, 5, 6]
        );
        assert_eq!(
            ids(&e, &[("ordering", "bogus")], true),
            vec![6, 5, 4, 3, 2, 1]
        );
    }

    #[test]
    fn select_events_pages_filtered_and_unfiltered_alike() {
        let e = sample();
        for query in [vec![], vec![("action", "o")]] {
            let f = EventFilter::from_query(&q(&query), true).unwrap();
            let (p, items) = select_events(&e, &f, PageSel::Number(2), 4).unwrap();
            assert_eq!((p.count, p.total_pages, p.next, p.previous), (6, 2, 0, 1));
            assert_eq!(items.iter().map(|x| x.id).collect::<Vec<_>>(), vec![2, 1]);
            let (p, items) = select_events(&e, &f, PageSel::Last, 4).unwrap();
            assert_eq!((p.current, items.len()), (2, 2));
            assert!(select_events(&e, &f, PageSel::Number(3), 4).is_err());
        }
    }

    #[test]
    fn ascii_case_insensitive_contains() {
        assert!(contains_ignore_ascii_case("login_failed", "FAIL"));
        assert!(contains_ignore_ascii_case("x", ""));
        assert!(!contains_ignore_ascii_case("log", "login"));
    }
}
