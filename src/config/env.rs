//! `${VAR}` expansion inside string values of the parsed TOML tree.
//!
//! Expanding after parsing (not in the raw text) means a variable's value can never change
//! the file's structure, and an error can name the exact key. `$$` is a literal `$`.

use super::ConfigError;

/// Expands `${VAR}` in every string under `value`; `path` is the dotted key of `value`.
pub fn expand(
    value: &mut toml::Value,
    path: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    match value {
        toml::Value::String(s) if s.contains('$') => {
            *s = expand_str(s, lookup).map_err(|m| ConfigError::new(path, m))?;
        }
        toml::Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                expand(item, &format!("{path}[{i}]"), lookup)?;
            }
        }
        toml::Value::Table(table) => {
            for (k, v) in table.iter_mut() {
                let child = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                expand(v, &child, lookup)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn expand_str(s: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body
                .find('}')
                .ok_or_else(|| "unterminated `${` (write `$$` for a literal `$`)".to_owned())?;
            let name = &body[..end];
            let valid =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(format!("invalid variable name {name:?} in `${{…}}`"));
            }
            let val =
                lookup(name).ok_or_else(|| format!("environment variable {name} is not set"))?;
            out.push_str(&val);
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(k: &str) -> Option<String> {
        (k == "TOKEN").then(|| "s3cr\"et}".to_owned())
    }

    #[test]
    fn replaces_variables_and_keeps_literal_dollars() {
        assert_eq!(expand_str("a${TOKEN}b", &env).unwrap(), "as3cr\"et}b");
        assert_eq!(expand_str("cost $$5 or $5", &env).unwrap(), "cost $5 or $5");
    }

    #[test]
    fn unset_variable_is_an_error_naming_it() {
        let e = expand_str("${NOPE}", &env).unwrap_err();
        assert_eq!(e, "environment variable NOPE is not set");
    }

    #[test]
    fn unterminated_and_invalid_names_are_errors() {
        assert!(expand_str("${TOKEN", &env).is_err());
        assert!(expand_str("${A-B}", &env).is_err());
    }

    #[test]
    fn error_names_the_key_path() {
        let mut v: toml::Value = toml::from_str("[a.b]\nc = [\"x\", \"${NOPE}\"]").unwrap();
        let e = expand(&mut v, "", &env).unwrap_err();
        assert_eq!(e.path, "a.b.c[1]");
    }
}
