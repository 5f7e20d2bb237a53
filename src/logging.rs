//! Logging via `tracing`: human or JSON lines on stderr. Whatever a field holds (upstream error
//! text, a header), one event is one line: the writer escapes interior line breaks, so attacker
//! strings cannot forge log lines.

use crate::config::LogFormat;
use std::io::Write;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber (`LOOKOUT_LOG` sets the filter; default `info`).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_env("LOOKOUT_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // No ANSI colours: the writer escapes ESC (so a field cannot smuggle terminal escapes), which
    // would print the formatter's own colour codes as `\e[2m…` on every line.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(OneLine);
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// A `MakeWriter` for stderr that keeps each event on one line.
#[derive(Clone, Copy)]
pub struct OneLine;

impl<'a> MakeWriter<'a> for OneLine {
    type Writer = OneLineWriter<std::io::Stderr>;
    fn make_writer(&'a self) -> Self::Writer {
        OneLineWriter(std::io::stderr())
    }
}

/// Escapes `\r` and every `\n` except a trailing one before passing bytes on.
pub struct OneLineWriter<W: Write>(pub W);

impl<W: Write> Write for OneLineWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write_all(&escape_line(buf))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// The escaping itself (fmt formats one event into one buffer, then writes it once).
pub fn escape_line(buf: &[u8]) -> Vec<u8> {
    let (body, tail) = match buf.last() {
        Some(b'\n') => (&buf[..buf.len() - 1], &b"\n"[..]),
        _ => (buf, &b""[..]),
    };
    let mut out = Vec::with_capacity(buf.len() + 8);
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        match b {
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0x1b => out.extend_from_slice(b"\\e"),
            b'\t' => out.push(b),
            0x00..=0x1f | 0x7f => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
            // U+2028 / U+2029 (E2 80 A8 / A9) break lines in some viewers.
            0xe2 if body.get(i + 1) == Some(&0x80)
                && matches!(body.get(i + 2), Some(0xa8 | 0xa9)) =>
            {
                out.extend_from_slice(if body[i + 2] == 0xa8 {
                    b"\\u2028"
                } else {
                    b"\\u2029"
                });
                i += 2;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    out.extend_from_slice(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_injected_newline_cannot_start_a_forged_log_line() {
        let line = b"WARN login failed user=admin\n2026-01-01 INFO forged: all good\n";
        let out = escape_line(line);
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
        assert!(out.ends_with(b"all good\n"));
        assert!(String::from_utf8(out).unwrap().contains("admin\\n2026"));
    }

    #[test]
    fn carriage_returns_and_escape_sequences_are_made_visible() {
        assert_eq!(escape_line(b"a\rb\x1b[2Jc\n"), b"a\\rb\\e[2Jc\n".to_vec());
    }

    #[test]
    fn other_control_characters_and_unicode_line_separators_are_escaped() {
        assert_eq!(
            escape_line(b"a\x08b\x0bc\td\n"),
            b"a\\x08b\\x0bc\td\n".to_vec()
        );
        assert_eq!(
            escape_line("x\u{2028}y\u{2029}z".as_bytes()),
            b"x\\u2028y\\u2029z".to_vec()
        );
        assert_eq!(
            escape_line("caf\u{e9}\n".as_bytes()),
            "caf\u{e9}\n".as_bytes().to_vec()
        );
    }

    #[test]
    fn a_whole_formatted_event_with_hostile_fields_stays_on_one_line() {
        use tracing_subscriber::fmt::MakeWriter;
        #[derive(Clone, Default)]
        struct Buf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
        impl Write for Buf {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = Buf::default();
        let sink = buf.clone();
        let make = move || OneLineWriter(sink.clone());
        let subscriber = tracing_subscriber::fmt()
            .with_writer(make)
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(username = "evil\nINFO forged line", "login failed");
        });
        let _ = OneLine.make_writer();
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
    }
}
