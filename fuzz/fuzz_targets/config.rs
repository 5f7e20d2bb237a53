//! Config text → `Config::parse_with_env`. Must never panic, hang or read unbounded files;
//! errors are fine. `${X}` expands to `v`, every other variable is unset; token and hash files
//! resolve against `.` (the fuzz crate's directory when run through `cargo fuzz`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use lookout::config::Config;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lookup = |k: &str| (k == "X").then(|| "v".to_owned());
    match Config::parse_with_env(text, Path::new("."), &lookup) {
        Ok(cfg) => {
            // Everything a valid config feeds at startup must work on it too.
            for (_, integration) in &cfg.integrations {
                let lookout::integrations::registry::IntegrationConfig::Authentik(a) = integration;
                let _ = a.api_base();
                let _ = a.detector_settings();
            }
            let _ =
                lookout::config::auth::check_exposure(cfg.server.listen, cfg.server.auth.as_ref());
            let _ = format!("{cfg:?}");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
