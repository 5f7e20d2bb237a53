//! Authentik API v3 wire types, lenient across 2023.x–2026.x: everything but the keys we cannot
//! do without is optional, unknown fields are ignored (`tenant`/`brand`, `autocomplete`, …),
//! `action` is an open string, and attacker-reachable strings never fail a whole page.

use chrono::{DateTime, Utc};
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// `{pagination, results, autocomplete?}` on every list endpoint.
#[derive(Debug, Clone, Deserialize)]
pub struct Page<T> {
    pub pagination: Pagination,
    pub results: Vec<T>,
}

/// Page numbers, not URLs; `next == 0` means done. The schema types them as numbers, so
/// accept floats too.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Pagination {
    #[serde(deserialize_with = "number")]
    pub next: u64,
    #[serde(deserialize_with = "number")]
    pub count: u64,
    #[serde(default, deserialize_with = "opt_number")]
    pub current: Option<u64>,
    #[serde(default, deserialize_with = "opt_number")]
    pub total_pages: Option<u64>,
}

fn number<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    if let Some(u) = n.as_u64() {
        return Ok(u);
    }
    match n.as_f64() {
        Some(f) if f >= 0.0 && f.fract() == 0.0 && f < 9.0e15 => Ok(f as u64),
        _ => Err(serde::de::Error::custom(format!(
            "expected a non-negative whole number, got {n}"
        ))),
    }
}

fn opt_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    number(d).map(Some)
}

/// Any JSON value; a string is kept, anything else becomes `None`. For fields an attacker or a
/// version change can fill with surprises. Non-strings are skipped in place (no `Value` is built).
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(LenientString)
}

/// The visitor behind [`lenient_string`]: keeps a string, skips anything else.
struct LenientString;

impl<'de> Visitor<'de> for LenientString {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// An entry of `events/events/`.
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub pk: String,
    pub action: String,
    pub created: DateTime<Utc>,
    #[serde(default)]
    pub client_ip: Option<String>,
    #[serde(default)]
    pub user: Option<EventUser>,
    #[serde(default)]
    pub context: Option<EventContext>,
}

/// `event.user`: `{username, pk, email}` or variants (`authenticated_as`, `on_behalf_of`, `{}`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EventUser {
    #[serde(default, deserialize_with = "lenient_string")]
    pub username: Option<String>,
}

/// The parts of `event.context` Lookout reads.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EventContext {
    /// The attempted username on `login_failed` (the event's `user` is unreliable there).
    #[serde(default, deserialize_with = "lenient_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient_struct")]
    pub geo: Option<Geo>,
    #[serde(default, deserialize_with = "lenient_struct")]
    pub http_request: Option<HttpRequest>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub auth_method: Option<String>,
}

/// GeoIP enrichment (only with a MaxMind database, only for public IPs).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Geo {
    #[serde(default, deserialize_with = "lenient_string")]
    pub country: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub city: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct HttpRequest {
    #[serde(default, deserialize_with = "lenient_string")]
    pub user_agent: Option<String>,
}

/// An object if it decodes as `T`, otherwise `None` (e.g. `null`, or a shape from a future
/// version). Goes through a `serde_json::Value`: these objects are small, and a `Value` map
/// forgives what a derived struct would reject (a repeated key: the last one wins).
fn lenient_struct<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let v = serde_json::Value::deserialize(d)?;
    Ok(serde_json::from_value(v).ok())
}

/// An entry of `core/authenticated_sessions/`.
#[derive(Debug, Clone, Deserialize)]
pub struct Session {
    #[serde(default)]
    pub uuid: Option<String>,
    /// The user's pk (an int, not an object).
    #[serde(default)]
    pub user: Option<i64>,
    #[serde(default)]
    pub last_ip: Option<String>,
    #[serde(default)]
    pub last_used: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient_struct")]
    pub geo_ip: Option<Geo>,
}

/// `core/users/me/` → `SessionUser`.
#[derive(Debug, Clone, Deserialize)]
pub struct SessionUser {
    pub user: UserSelf,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UserSelf {
    pub username: String,
    #[serde(default)]
    pub is_superuser: bool,
    /// Newer servers list global permissions here (`authentik_events.view_event`, …).
    #[serde(default)]
    pub system_permissions: Option<Vec<String>>,
}

/// `admin/version/`.
#[derive(Debug, Clone, Deserialize)]
pub struct Version {
    pub version_current: String,
}

/// An entry of `core/users/`: only what names a session's holder.
#[derive(Debug, Clone, Deserialize)]
pub struct UserRef {
    pub pk: i64,
    pub username: String,
}

/// A minimal list item for endpoints Lookout only counts.
#[derive(Debug, Clone, Deserialize)]
pub struct Ignored {}

#[cfg(test)]
mod tests;
