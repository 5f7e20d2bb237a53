//! Throughput of decoding one `events/events/` page of 100 login / failed-login events, the way
//! production does it: `http::decode` into `wire::Page<Event>`, then `LoginRecord::from_event`.
//! The page is built from the 2026 fixtures' items, varied (pk, time, IP, usernames, user agent,
//! geo) so no two events are byte-identical, and serialised compactly as authentik sends it.
//!
//! Run: `cargo bench --bench decode -- --warm-up-time 1 --measurement-time 5`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lookout::integrations::authentik::records::LoginRecord;
use lookout::integrations::authentik::wire::{Event, Page};
use lookout::integrations::http::decode;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/authentik/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// A 100-event page: failed logins and logins alternating in runs, newest first.
pub fn page() -> Vec<u8> {
    let mut templates: Vec<Value> = Vec::new();
    for name in ["events_login_failed_page1.json", "events_login_page1.json"] {
        let page = fixture(name);
        templates.extend(page["results"].as_array().unwrap().iter().cloned());
    }
    let users = [
        "admin",
        "root",
        "alice",
        "bob",
        "Administrator",
        "akadmin",
        "test",
    ];
    let agents = [
        "curl/8.5.0",
        "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
        "python-requests/2.32.3",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    ];
    let cities = [
        ("NL", "Amsterdam"),
        ("DE", "Berlin"),
        ("US", "Ashburn"),
        ("FR", "Paris"),
    ];
    let mut results = Vec::new();
    for k in 0..100u32 {
        let mut e = templates[(k as usize * 7 / 3) % templates.len()].clone();
        let failed = e["action"] == "login_failed";
        e["pk"] = Value::from(format!("{:08x}-3d2f-4b6a-8e0c-{:012x}", 0x7e1a_9c4b ^ k, k));
        let secs = 86_399 - k * 37;
        e["created"] = Value::from(format!(
            "2026-09-14T{:02}:{:02}:{:02}.{:06}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            (k * 7919) % 1_000_000
        ));
        e["expires"] = Value::from(format!("2027-09-14T08:20:59.{:06}Z", k));
        e["client_ip"] = if k % 10 == 9 {
            Value::from(format!("2001:db8:{:x}::{:x}", k % 5, k))
        } else {
            Value::from(format!("198.51.{}.{}", k % 3 + 100, k * 3 % 250 + 1))
        };
        let user = users[k as usize % users.len()];
        if let Some(ctx) = e.get_mut("context").and_then(Value::as_object_mut) {
            if failed {
                ctx.insert("username".into(), Value::from(user));
            }
            if let Some(h) = ctx.get_mut("http_request").and_then(Value::as_object_mut) {
                h.insert(
                    "user_agent".into(),
                    Value::from(agents[k as usize % agents.len()]),
                );
                h.insert(
                    "request_id".into(),
                    Value::from(format!("{:032x}", u128::from(k) * 0x9e37_79b9_7f4a_7c15)),
                );
            }
            if let Some(g) = ctx.get_mut("geo").and_then(Value::as_object_mut) {
                let (country, city) = cities[k as usize % cities.len()];
                g.insert("country".into(), Value::from(country));
                g.insert("city".into(), Value::from(city));
            }
        }
        if !failed {
            if let Some(u) = e.get_mut("user").and_then(Value::as_object_mut) {
                u.insert("username".into(), Value::from(user));
            }
        }
        results.push(e);
    }
    let body = serde_json::json!({
        "pagination": {
            "next": 2, "previous": 0, "count": 1873, "current": 1, "total_pages": 19,
            "start_index": 1, "end_index": 100
        },
        "results": results,
        "autocomplete": {}
    });
    serde_json::to_vec(&body).unwrap()
}

fn decode_page(bytes: &[u8]) -> Vec<LoginRecord> {
    let page: Page<Event> = decode("events/events/", bytes).expect("page decodes");
    page.results
        .iter()
        .filter_map(LoginRecord::from_event)
        .collect()
}

fn bench_decode(c: &mut Criterion) {
    let bytes = page();
    let records = decode_page(&bytes);
    assert_eq!(records.len(), 100);
    eprintln!(
        "decode bench: {} bytes, {} records",
        bytes.len(),
        records.len()
    );
    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("events_page_100", |b| b.iter(|| decode_page(&bytes)));
    group.finish();
}

criterion_group!(benches, bench_decode);
criterion_main!(benches);
