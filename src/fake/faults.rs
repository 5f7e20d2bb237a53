//! Injectable failures, so client code can be tested against the ways a real deployment (and
//! the proxies in front of it) misbehaves.

use serde_json::Value;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer normally, but only after this delay (timeouts).
    Delay(Duration),
    /// This status with `{"detail": …}`; 502/503/504 come as an HTML proxy page instead.
    Status(u16),
    /// `502` with an nginx-style HTML page.
    HtmlErrorPage,
    /// `200`, JSON content type, a body that does not parse.
    MalformedJson,
    /// `200`, the real body cut in half.
    TruncatedJson,
    /// `200`, valid JSON with wrong types (`pagination.count` as a string, `results` as an object).
    WrongTypes,
    /// Every page is empty but claims a next page (a paging loop must stop by itself).
    EmptyPageClaimsNext,
    /// Close the connection without sending any response.
    ResetConnection,
}

/// Faults currently set: one global plus path-specific ones (the newest match wins).
#[derive(Debug, Default, Clone)]
pub struct FaultTable {
    pub global: Option<Fault>,
    pub by_path: Vec<(String, Fault)>,
}

impl FaultTable {
    pub fn lookup(&self, path: &str) -> Option<&Fault> {
        self.by_path
            .iter()
            .rev()
            .find(|(needle, _)| path.contains(needle.as_str()))
            .map(|(_, f)| f)
            .or(self.global.as_ref())
    }
}

pub fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// What a proxy in front of authentik shows when the upstream is down.
pub fn html_error_page(status: u16) -> String {
    let title = format!("{status} {}", reason(status));
    format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx/1.27.2</center>\r\n</body>\r\n</html>\r\n"
    )
}

/// A valid-JSON body whose types are wrong: numbers become strings, arrays become objects.
pub fn wrong_types(mut v: Value) -> Value {
    fn scramble(x: &mut Value) {
        *x = match std::mem::take(x) {
            Value::Number(n) => Value::String(n.to_string()),
            Value::Bool(b) => Value::String(if b { "True" } else { "False" }.into()),
            Value::String(s) => Value::Array(vec![Value::String(s)]),
            Value::Array(a) => Value::Object(
                a.into_iter()
                    .enumerate()
                    .map(|(i, v)| (i.to_string(), v))
                    .collect(),
            ),
            Value::Object(o) => Value::Object(o),
            Value::Null => Value::Bool(false),
        };
    }
    match &mut v {
        Value::Object(m) if m.contains_key("pagination") => {
            if let Some(Value::Object(p)) = m.get_mut("pagination") {
                p.values_mut().for_each(scramble);
            }
            if let Some(r) = m.get_mut("results") {
                scramble(r);
            }
        }
        Value::Object(m) => m.values_mut().for_each(|x| {
            if !x.is_object() {
                scramble(x)
            } else if let Value::Object(inner) = x {
                inner.values_mut().for_each(scramble)
            }
        }),
        Value::Array(_) => scramble(&mut v),
        _ => {}
    }
    v
}

/// The real body with a syntax error injected (a doubled comma, or a stray brace).
pub fn malformed(body: &str) -> String {
    match body.find(',') {
        Some(i) => format!("{},,{}", &body[..i], &body[i + 1..]),
        None => format!("{body}}}"),
    }
}

/// The first half of the body (at a char boundary).
pub fn truncated(body: &str) -> String {
    let mut cut = body.len() / 2;
    while !body.is_char_boundary(cut) {
        cut -= 1;
    }
    body[..cut].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn path_specific_fault_wins_over_global() {
        let mut t = FaultTable {
            global: Some(Fault::Status(500)),
            ..Default::default()
        };
        t.by_path.push(("events/".into(), Fault::MalformedJson));
        assert_eq!(
            t.lookup("/api/v3/events/events/"),
            Some(&Fault::MalformedJson)
        );
        assert_eq!(t.lookup("/api/v3/core/users/"), Some(&Fault::Status(500)));
        t.global = None;
        assert_eq!(t.lookup("/api/v3/core/users/"), None);
    }

    #[test]
    fn wrong_types_turns_count_into_string_and_results_into_object() {
        let v = wrong_types(json!({"pagination": {"count": 3, "next": 0}, "results": [{"a": 1}]}));
        assert_eq!(v["pagination"]["count"], json!("3"));
        assert!(v["results"].is_object());
    }

    #[test]
    fn malformed_and_truncated_bodies_do_not_parse() {
        let body = r#"{"a": 1, "b": [1, 2]}"#;
        assert!(serde_json::from_str::<Value>(&malformed(body)).is_err());
        assert!(serde_json::from_str::<Value>(&truncated(body)).is_err());
        assert!(serde_json::from_str::<Value>(&malformed("{}")).is_err());
    }
}
