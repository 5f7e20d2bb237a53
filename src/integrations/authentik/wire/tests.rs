//! Decoding real fixtures (2026.8.5) and version-drift variants (2023.x–2025.x).

use super::*;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/authentik/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn decodes_the_2026_failed_login_page_with_attempted_usernames() {
    let page: Page<Event> =
        serde_json::from_str(&fixture("events_login_failed_page1.json")).unwrap();
    assert_eq!(page.pagination.next, 2);
    assert_eq!(page.pagination.count, 1873);
    assert!(page.results.iter().all(|e| e.action == "login_failed"));
    let ctx = page.results[1].context.as_ref().unwrap();
    assert_eq!(ctx.username.as_deref(), Some("admin"));
}

#[test]
fn decodes_login_page_with_nonempty_autocomplete_and_empty_page() {
    let page: Page<Event> = serde_json::from_str(&fixture("events_login_page1.json")).unwrap();
    assert!(page.results.iter().all(|e| e.action == "login"));
    let empty: Page<Event> = serde_json::from_str(&fixture("events_empty.json")).unwrap();
    assert_eq!(empty.pagination.count, 0);
    assert!(empty.results.is_empty());
}

#[test]
fn decodes_sessions_including_unparsed_user_agents_the_official_schema_rejects() {
    let ok: Page<Session> = serde_json::from_str(&fixture("authenticated_sessions.json")).unwrap();
    assert!(!ok.results.is_empty());
    let odd: Page<Session> =
        serde_json::from_str(&fixture("authenticated_sessions_unparsed_ua.json")).unwrap();
    assert!(!odd.results.is_empty());
}

#[test]
fn decodes_me_version_users_and_groups() {
    let me: SessionUser = serde_json::from_str(&fixture("users_me.json")).unwrap();
    assert!(!me.user.username.is_empty());
    let imp: SessionUser = serde_json::from_str(&fixture("users_me_impersonating.json")).unwrap();
    assert!(!imp.user.username.is_empty());
    let v: Version = serde_json::from_str(&fixture("version.json")).unwrap();
    assert_eq!(v.version_current, "2026.8.5");
    let users: Page<Ignored> = serde_json::from_str(&fixture("users_page_size_1.json")).unwrap();
    assert!(users.pagination.count >= 1);
    let groups: Page<Ignored> = serde_json::from_str(&fixture("groups.json")).unwrap();
    assert!(groups.pagination.count >= 1);
}

#[test]
fn decodes_a_2023_event_with_tenant_no_autocomplete_and_no_user_agent() {
    let body = r#"{"pagination":{"next":0,"previous":0,"count":1,"current":1,"total_pages":1,
        "start_index":1,"end_index":1},
      "results":[{"pk":"9a1d4c1e-0000-4000-8000-000000000001","user":{"username":"bob","pk":3,"email":""},
        "action":"login","app":"authentik.events.signals",
        "context":{"auth_method":"password","http_request":{"path":"/x/","method":"POST","args":{}}},
        "client_ip":"192.0.2.1","created":"2023-05-01T10:00:00.000001Z",
        "expires":"2024-05-01T10:00:00Z",
        "tenant":{"app":"authentik_tenants","model_name":"tenant","pk":"ab","name":"Default tenant"}}]}"#;
    let page: Page<Event> = serde_json::from_str(body).unwrap();
    let ev = &page.results[0];
    assert_eq!(ev.user.as_ref().unwrap().username.as_deref(), Some("bob"));
    assert!(ev
        .context
        .as_ref()
        .unwrap()
        .http_request
        .as_ref()
        .unwrap()
        .user_agent
        .is_none());
}

#[test]
fn tolerates_null_ip_null_geo_unknown_action_float_pagination_and_odd_context_types() {
    let body = r#"{"pagination":{"next":0.0,"previous":0,"count":2.0,"current":1,"total_pages":1,
        "start_index":1,"end_index":2},"autocomplete":{},
      "results":[
        {"pk":"a","action":"custom_brand_new_thing","created":"2026-01-01T00:00:00Z","client_ip":null,
         "user":{},"context":{"geo":null,"username":12345,"http_request":"weird"}},
        {"pk":"b","action":"login_failed","created":"2026-01-01T00:00:01Z","client_ip":"2001:db8::1",
         "user":{"authenticated_as":{"username":"AnonymousUser","pk":1,"email":""},"username":"x","pk":null,"email":"x"},
         "context":{"username":"<img src=x onerror=alert(1)>","geo":{"country":null,"city":""}}}]}"#;
    let page: Page<Event> = serde_json::from_str(body).unwrap();
    assert_eq!(page.pagination.count, 2);
    let a = &page.results[0];
    assert!(a.client_ip.is_none());
    let ctx = a.context.as_ref().unwrap();
    assert!(ctx.username.is_none() && ctx.geo.is_none() && ctx.http_request.is_none());
    let b = page.results[1].context.as_ref().unwrap();
    assert_eq!(b.username.as_deref(), Some("<img src=x onerror=alert(1)>"));
}

#[test]
fn rejects_negative_or_fractional_page_numbers() {
    let bad = r#"{"pagination":{"next":1.5,"count":1},"results":[]}"#;
    assert!(serde_json::from_str::<Page<Ignored>>(bad).is_err());
}

/// The `serde_json::Value`-based helpers the hand-written visitors replaced, kept as an oracle.
mod value_based {
    use super::{Geo, HttpRequest};
    use serde::{Deserialize, Deserializer};

    fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Some(s),
            _ => None,
        })
    }

    fn lenient_struct<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: serde::de::DeserializeOwned,
    {
        let v = serde_json::Value::deserialize(d)?;
        Ok(serde_json::from_value(v).ok())
    }

    #[derive(Debug, Deserialize)]
    pub struct OldGeo {
        #[serde(default, deserialize_with = "lenient_string")]
        pub country: Option<String>,
        #[serde(default, deserialize_with = "lenient_string")]
        pub city: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    pub struct OldHttpRequest {
        #[serde(default, deserialize_with = "lenient_string")]
        pub user_agent: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    pub struct OldContext {
        #[serde(default, deserialize_with = "lenient_string")]
        pub username: Option<String>,
        #[serde(default, deserialize_with = "lenient_struct")]
        pub geo: Option<OldGeo>,
        #[serde(default, deserialize_with = "lenient_struct")]
        pub http_request: Option<OldHttpRequest>,
    }

    pub fn same_geo(a: &Option<Geo>, b: &Option<OldGeo>) -> bool {
        match (a, b) {
            (None, None) => true,
            (Some(a), Some(b)) => a.country == b.country && a.city == b.city,
            _ => false,
        }
    }

    pub fn same_http(a: &Option<HttpRequest>, b: &Option<OldHttpRequest>) -> bool {
        match (a, b) {
            (None, None) => true,
            (Some(a), Some(b)) => a.user_agent == b.user_agent,
            _ => false,
        }
    }
}

#[test]
fn lenient_visitors_match_the_value_based_decoding_on_odd_shapes() {
    let values = [
        r#"null"#,
        r#"true"#,
        r#"12345"#,
        r#"-3"#,
        r#"1.5"#,
        r#""text""#,
        r#""esc\"aped\u00e9""#,
        r#"[]"#,
        r#"["NL"]"#,
        r#"["NL","Berlin"]"#,
        r#"["NL","Berlin","extra"]"#,
        r#"[1,{"a":2}]"#,
        r#"{}"#,
        r#"{"country":"NL","city":"Amsterdam","lat":52.3}"#,
        r#"{"country":1,"city":null}"#,
        r#"{"country":"A","country":"B"}"#,
        r#"{"city":{"nested":["x"]},"user_agent":"ua"}"#,
        r#"{"user_agent":"curl/8","user_agent":7}"#,
        r#"{"coun\u0074ry":"escaped key"}"#,
        r#"{"x":[[[]]],"country":"deep"}"#,
    ];
    for v in values {
        let body = format!(r#"{{"username":{v},"geo":{v},"http_request":{v}}}"#);
        let new: EventContext = serde_json::from_str(&body).unwrap();
        let old: value_based::OldContext = serde_json::from_str(&body).unwrap();
        assert_eq!(new.username, old.username, "username from {v}");
        assert!(value_based::same_geo(&new.geo, &old.geo), "geo from {v}");
        assert!(
            value_based::same_http(&new.http_request, &old.http_request),
            "http_request from {v}"
        );
    }
}

#[test]
fn decode_names_the_path_of_a_bad_field_after_the_fast_path_fails() {
    let bad = r#"{"pagination":{"next":0,"count":1},"results":[{"pk":"a","action":"login","created":"yesterday"}]}"#;
    let err = crate::integrations::http::decode::<Page<Event>>("events/events/", bad.as_bytes())
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("results[0].created"), "{text}");
}
