//! A webhook body (≤ 64 KiB, as the route enforces) → the classifier. Must never panic; the
//! only accepted formats are the two it names.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lookout::server::{classify_webhook_body, WEBHOOK_MAX_BODY};

fuzz_target!(|data: &[u8]| {
    if data.len() > WEBHOOK_MAX_BODY {
        return;
    }
    if let Ok(kind) = classify_webhook_body(data) {
        assert!(kind == "event" || kind == "notification", "{kind}");
    }
});
