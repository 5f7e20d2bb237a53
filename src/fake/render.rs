//! JSON rendering of scenario rows in the exact 2026.8.5 shapes of the fixtures
//! (`tests/fixtures/authentik`). Only the rows of the served page are ever rendered.

use super::query::Pagination;
use super::scenario::{
    hex32, uuid_from, Event, GeoInfo, Group, Scenario, Session, User, ANONYMOUS_USER_PK,
};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

const AVATAR: &str = "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=";
const PASSWORD_STAGE_PK: &str = "8c5b8e3e9f0a4f7e9a6b1d2c3e4f5a6b";
const MFA_STAGE_PK: &str = "2d9e4c1a7b3f4e8d9c0b1a2f3e4d5c6b";

/// authentik's datetime format: UTC, microseconds, `Z`.
pub fn iso(dt: DateTime<Utc>) -> String {
    dt.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// `{pagination, results, autocomplete}`; `autocomplete` only on 2025+ servers.
pub fn paginated(s: &Scenario, p: Pagination, results: Vec<Value>, autocomplete: Value) -> Value {
    let mut m = Map::new();
    m.insert("pagination".into(), json!(p));
    m.insert("results".into(), Value::Array(results));
    if !s.legacy_tenant {
        m.insert("autocomplete".into(), autocomplete);
    }
    Value::Object(m)
}

/// The QL schema introspection blob the events list carries on 2026 servers.
pub fn events_autocomplete() -> Value {
    json!({
        "current_model": "authentik_events.event",
        "models": {"authentik_events.event": {
            "action": {"type": "str", "nullable": false, "options": ["login", "login_failed", "logout"]},
            "client_ip": {"type": "str", "nullable": true},
            "created": {"type": "datetime", "nullable": false},
            "app": {"type": "str", "nullable": false},
            "context": {"type": "relation", "nullable": false},
            "user": {"type": "relation", "nullable": false}
        }}
    })
}

fn uid(u: &User) -> String {
    format!("{}{}", hex32(u.pk as u64), hex32(u.pk as u64 ^ 0xFFFF))
}

pub fn user(s: &Scenario, u: &User, include_groups: bool) -> Value {
    let groups: Vec<&Group> = s
        .groups
        .iter()
        .filter(|g| g.users.contains(&u.pk))
        .collect();
    json!({
        "pk": u.pk,
        "username": u.username,
        "name": u.name,
        "is_active": u.is_active,
        "last_login": u.last_login.map(iso),
        "date_joined": iso(u.date_joined),
        "is_superuser": u.is_superuser,
        "groups": groups.iter().map(|g| g.uuid.clone()).collect::<Vec<_>>(),
        "groups_obj": if include_groups {
            Value::Array(groups.iter().map(|g| partial_group(g)).collect())
        } else { Value::Null },
        "roles": [],
        "roles_obj": if include_groups { json!([]) } else { Value::Null },
        "email": u.email,
        "avatar": AVATAR,
        "attributes": {},
        "uid": uid(u),
        "path": u.path,
        "type": u.user_type,
        "uuid": u.uuid,
        "password_change_date": iso(u.password_change_date),
        "last_updated": iso(u.last_updated),
    })
}

fn partial_group(g: &Group) -> Value {
    json!({"pk": g.uuid, "num_pk": g.num_pk, "name": g.name, "is_superuser": g.is_superuser, "attributes": group_attributes(g)})
}

fn group_attributes(g: &Group) -> Value {
    match &g.notes {
        Some(n) => json!({"notes": n}),
        None => json!({}),
    }
}

pub fn group(s: &Scenario, g: &Group, include_users: bool) -> Value {
    let users_obj = if include_users {
        Value::Array(
            g.users
                .iter()
                .filter_map(|pk| s.users.iter().find(|u| u.pk == *pk))
                .map(|u| {
                    json!({"pk": u.pk, "username": u.username, "name": u.name, "is_active": u.is_active,
                           "last_login": u.last_login.map(iso), "email": u.email, "attributes": {}, "uid": uid(u)})
                })
                .collect(),
        )
    } else {
        Value::Null
    };
    json!({
        "pk": g.uuid,
        "num_pk": g.num_pk,
        "name": g.name,
        "is_superuser": g.is_superuser,
        "parents": [],
        "parents_obj": [],
        "users": g.users,
        "users_obj": users_obj,
        "attributes": group_attributes(g),
        "roles": [],
        "roles_obj": [],
        "inherited_roles_obj": null,
        "children": [],
        "children_obj": null,
    })
}

fn geo_json(g: &GeoInfo) -> Value {
    json!({"continent": g.continent, "country": g.country, "lat": g.lat, "long": g.long, "city": g.city})
}

fn asn_json(g: &GeoInfo) -> Value {
    match &g.asn {
        Some(a) => json!({"asn": a.asn, "as_org": a.as_org, "network": a.network}),
        None => Value::Null,
    }
}

pub fn session(x: &Session) -> Value {
    let ua = &x.user_agent;
    json!({
        "uuid": x.uuid,
        "current": false,
        "user_agent": {
            "device": {"brand": ua.device_brand, "family": ua.device_family, "model": ua.device_model},
            "os": {"family": ua.os_family, "major": ua.os_major, "minor": ua.os_minor, "patch": null, "patch_minor": null},
            "user_agent": {"family": ua.browser_family, "major": ua.browser_major, "minor": ua.browser_minor, "patch": ua.browser_patch},
            "string": ua.string,
        },
        "geo_ip": x.geo.as_deref().map(geo_json),
        "asn": x.geo.as_deref().map(asn_json).unwrap_or(Value::Null),
        "user": x.user,
        "last_ip": x.last_ip.to_string(),
        "last_user_agent": ua.string,
        "last_used": iso(x.last_used),
        "expires": iso(x.expires),
    })
}

pub fn user_self(s: &Scenario, u: &User) -> Value {
    let groups: Vec<Value> = s
        .groups
        .iter()
        .filter(|g| g.users.contains(&u.pk))
        .map(|g| json!({"name": g.name, "pk": g.uuid}))
        .collect();
    let mut v = json!({
        "pk": u.pk,
        "username": u.username,
        "name": u.name,
        "is_active": u.is_active,
        "is_superuser": u.is_superuser,
        "is_current": false,
        "groups": groups,
        "roles": [],
        "email": u.email,
        "avatar": AVATAR,
        "uid": uid(u),
        "settings": {"theme": {"base": "automatic"}},
        "type": u.user_type,
        "system_permissions": [],
    });
    if s.legacy_tenant {
        let m = v.as_object_mut().expect("object");
        for k in ["is_current", "roles", "system_permissions"] {
            m.remove(k);
        }
    }
    v
}

pub fn session_user(s: &Scenario, u: &User) -> Value {
    let me = user_self(s, u);
    if s.legacy_tenant {
        json!({"user": me})
    } else {
        json!({"user": me.clone(), "users": [me]})
    }
}

pub fn version(s: &Scenario) -> Value {
    json!({
        "version_current": s.version,
        "version_latest": s.version,
        "version_latest_valid": true,
        "build_hash": "",
        "outdated": false,
        "outpost_outdated": false,
    })
}

/// Lookup tables an event page needs (built once per request; users are few).
pub struct EventCtx<'a> {
    pub s: &'a Scenario,
    emails: HashMap<i64, &'a str>,
}

impl<'a> EventCtx<'a> {
    pub fn new(s: &'a Scenario) -> Self {
        let emails = s.users.iter().map(|u| (u.pk, u.email.as_str())).collect();
        EventCtx { s, emails }
    }
}

fn http_request(e: &Event, path: &str, method: &str) -> Value {
    let mut m = Map::new();
    m.insert("path".into(), json!(path));
    m.insert("method".into(), json!(method));
    m.insert(
        "args".into(),
        if method == "POST" {
            json!({"next": "/"})
        } else {
            json!({})
        },
    );
    if let Some(ua) = &e.user_agent {
        m.insert("user_agent".into(), json!(&**ua));
    }
    m.insert("request_id".into(), json!(hex32(e.id ^ 0x00DE_C0DE)));
    Value::Object(m)
}

const FLOW_PATH: &str = "/api/v3/flows/executor/default-authentication-flow/";

pub fn event(ctx: &EventCtx, e: &Event) -> Value {
    let s = ctx.s;
    let action = &*e.action;
    let known = e.user_pk.map(|pk| {
        json!({"username": &*e.username, "pk": pk, "email": ctx.emails.get(&pk).copied().unwrap_or("")})
    });
    let anonymous = json!({"username": "AnonymousUser", "pk": ANONYMOUS_USER_PK, "email": ""});
    let user = match (action, known) {
        (_, Some(k)) => k,
        // pretend_user_exists: the unsaved fake pending user merged with AnonymousUser (§4).
        ("login_failed", None) => json!({
            "authenticated_as": anonymous,
            "username": &*e.username,
            "pk": null,
            "email": &*e.username,
        }),
        (_, None) if e.username.is_empty() => json!({}),
        (_, None) => json!({"username": &*e.username, "pk": null, "email": ""}),
    };
    let mut c = Map::new();
    match action {
        "login_failed" => {
            let (app, model, pk, name) = if e.mfa {
                (
                    "authentik_stages_authenticator_validate",
                    "authenticatorvalidatestage",
                    MFA_STAGE_PK,
                    "default-authentication-mfa-validation",
                )
            } else {
                (
                    "authentik_stages_password",
                    "passwordstage",
                    PASSWORD_STAGE_PK,
                    "default-authentication-password",
                )
            };
            c.insert(
                "stage".into(),
                json!({"app": app, "model_name": model, "pk": pk, "name": name}),
            );
            if !e.mfa {
                c.insert("password".into(), json!("********************"));
            }
            c.insert("username".into(), json!(&*e.username));
            if e.mfa {
                c.insert("device_class".into(), json!("totp"));
            }
            c.insert("http_request".into(), http_request(e, FLOW_PATH, "POST"));
        }
        "login" => {
            if e.mfa {
                c.insert("auth_method".into(), json!("auth_mfa"));
                c.insert(
                    "auth_method_args".into(),
                    json!({"mfa_devices": [{"app": "authentik_stages_authenticator_totp", "model_name": "totpdevice", "pk": e.user_pk.unwrap_or(0), "name": "Phone"}]}),
                );
            } else {
                c.insert("auth_method".into(), json!("password"));
                c.insert("auth_method_args".into(), json!({}));
            }
            c.insert("http_request".into(), http_request(e, FLOW_PATH, "POST"));
        }
        "logout" => {
            c.insert(
                "http_request".into(),
                http_request(e, "/flows/-/default/invalidation/", "GET"),
            );
        }
        "model_created" | "model_updated" | "model_deleted" => {
            c.insert(
                "model".into(),
                json!({"app": "authentik_core", "model_name": "user", "pk": 5, "name": "bob"}),
            );
            c.insert(
                "http_request".into(),
                http_request(e, "/api/v3/core/users/5/", "PATCH"),
            );
        }
        "secret_view" => {
            c.insert(
                "secret".into(),
                json!({"app": "authentik_core", "model_name": "token", "pk": hex32(7), "name": "Token lookout-api (API)"}),
            );
            c.insert(
                "http_request".into(),
                http_request(e, "/api/v3/core/tokens/lookout-api/view_key/", "GET"),
            );
        }
        "system_task_execution" => {
            c.insert(
                "name".into(),
                json!("authentik.events.tasks.event_trigger_dispatch"),
            );
            c.insert("message".into(), json!("Successfully ran task"));
            c.insert("duration".into(), json!(0.0421));
        }
        _ => {
            if e.client_ip.is_some() {
                c.insert("http_request".into(), http_request(e, "/api/v3/", "GET"));
            }
        }
    }
    if let Some(g) = e.geo.as_deref() {
        c.insert("geo".into(), json!({"lat": g.lat, "city": g.city, "long": g.long, "country": g.country, "continent": g.continent}));
        if let Some(a) = &g.asn {
            if !s.legacy_tenant {
                c.insert(
                    "asn".into(),
                    json!({"asn": a.asn, "as_org": a.as_org, "network": a.network}),
                );
            }
        }
    }
    let app = match action {
        "login" | "login_failed" | "logout" if s.legacy_tenant => "authentik.events.signals",
        "login" | "login_failed" | "logout" => "authentik.events",
        "system_task_execution" => "authentik.events.system_tasks",
        "secret_view" => "authentik.core.api.tokens",
        _ => "authentik.events.middleware",
    };
    let owner = if s.legacy_tenant {
        (
            "tenant",
            json!({"app": "authentik_tenants", "model_name": "tenant", "pk": s.brand_pk, "name": "Default tenant"}),
        )
    } else {
        (
            "brand",
            json!({"app": "authentik_brands", "model_name": "brand", "pk": s.brand_pk, "name": s.brand_name}),
        )
    };
    let mut m = Map::new();
    m.insert("pk".into(), json!(uuid_from(e.id)));
    m.insert("user".into(), user);
    m.insert("action".into(), json!(action));
    m.insert("app".into(), json!(app));
    m.insert("context".into(), Value::Object(c));
    m.insert(
        "client_ip".into(),
        json!(e.client_ip.map(|i| i.to_string())),
    );
    m.insert("created".into(), json!(iso(e.created)));
    m.insert(
        "expires".into(),
        json!(iso(e.created + Duration::days(365))),
    );
    m.insert(owner.0.into(), owner.1);
    Value::Object(m)
}
