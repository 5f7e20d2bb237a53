//! The one definition of characters that hide or reorder text. Every string from Authentik can
//! be attacker-controlled: a right-to-left override makes `nimda` read as `admin`, a zero-width
//! space makes two names look alike. Each place that shows such text decides what to do with
//! these (drop, replace, blank) but they all ask this module what they are.

/// Invisible formatting characters: bidi marks, embeddings, overrides and isolates; zero-width
/// space, joiners, word joiner and BOM; the Unicode line and paragraph separators.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Control characters (C0, DEL, C1) or [`is_invisible`]: what must never reach a display or a log
/// line as is.
pub fn is_hidden(c: char) -> bool {
    c.is_control() || is_invisible(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_zero_width_and_separators_are_hidden_letters_are_not() {
        for c in [
            '\u{202E}', '\u{2066}', '\u{200B}', '\u{200F}', '\u{061C}', '\u{2028}', '\u{FEFF}',
            '\n', '\u{85}',
        ] {
            assert!(is_hidden(c), "{c:?}");
        }
        for c in ['a', 'é', 'ß', '中', ' ', '…', '\u{2030}'] {
            assert!(!is_hidden(c), "{c:?}");
        }
        assert!(!is_invisible('\n'));
    }
}
