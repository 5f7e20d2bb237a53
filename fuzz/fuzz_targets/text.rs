//! Property checks for the string helpers that stand between attacker-controlled text and logs,
//! messages and the page: `http::sanitize`, `records::clean`, `detector::clean_username` and
//! `logging::escape_line`. The first byte picks the length cap; the rest is the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lookout::detector::{clean_username, MAX_USERNAME_CHARS};
use lookout::integrations::authentik::records::clean;
use lookout::integrations::http::sanitize;
use lookout::logging::escape_line;

fn bidi(c: char) -> bool {
    ('\u{202A}'..='\u{202E}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c)
}

fuzz_target!(|data: &[u8]| {
    let Some((&max, rest)) = data.split_first() else {
        return;
    };
    let max = usize::from(max);
    let text = String::from_utf8_lossy(rest);
    let n = text.chars().count();

    // sanitize: controls become spaces, at most `max` chars plus one `…`.
    let s = sanitize(&text, max);
    let sn = s.chars().count();
    assert!(!s.chars().any(char::is_control), "{s:?}");
    if n <= max {
        assert_eq!(sn, n, "nothing to cut");
    } else {
        assert_eq!(sn, max + 1);
        assert!(s.ends_with('…'));
    }

    // clean: controls and bidi overrides dropped, at most `max` chars, a subsequence of the input.
    let c = clean(&text, max);
    assert!(!c.chars().any(|ch| ch.is_control() || bidi(ch)), "{c:?}");
    assert!(c.chars().count() <= max.min(n));
    let mut it = text.chars();
    assert!(c.chars().all(|ch| it.any(|t| t == ch)), "not a subsequence");

    // clean_username: hidden characters dropped, at most 64 chars (the 64th `…` when cut).
    let u = clean_username(&text);
    let un = u.chars().count();
    assert!(
        !u.chars().any(|ch| ch.is_control()
            || bidi(ch)
            || matches!(
                ch,
                '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{2028}' | '\u{2029}'
            )),
        "{u:?}"
    );
    assert!(un <= MAX_USERNAME_CHARS);
    assert_eq!(clean_username(&u), u, "idempotent");

    // escape_line: one event stays one line: no CR, no ESC, a newline only at the very end and
    // only when the input ended with one.
    let e = escape_line(rest);
    let body = e.strip_suffix(b"\n").unwrap_or(&e);
    assert_eq!(e.ends_with(b"\n"), rest.ends_with(b"\n"));
    assert!(
        !body.iter().any(|&b| b == b'\n' || b == b'\r' || b == 0x1b),
        "{e:?}"
    );
    assert!(e.len() >= rest.len() && e.len() <= 2 * rest.len());
});
