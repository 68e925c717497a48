//! Secrets given on the command line: `--secret NAME[=VALUE]` and `--env-file FILE`. No message
//! here may contain a value: errors name the flag, the secret's name or a line number only.

use std::path::Path;

use crate::exit::Failure;

/// A secret's name and value, in the order given.
pub type NamedValue = (String, String);

/// `--secret NAME=VALUE`, or `--secret NAME` with the value of the environment variable `NAME`.
pub fn from_flag(flag: &str) -> Result<NamedValue, Failure> {
    let (name, value) = match flag.split_once('=') {
        Some((name, value)) => (name.trim(), value.to_string()),
        None => {
            let name = flag.trim();
            let value = std::env::var(name).map_err(|_| {
                Failure::usage(format!(
                    "--secret {name}: no value given and the environment variable {name} is not set"
                ))
            })?;
            (name, value)
        }
    };
    if name.is_empty() {
        return Err(Failure::usage("--secret needs a name before '='"));
    }
    Ok((name.to_string(), value))
}

/// The entries of a dotenv file: `KEY=VALUE` lines, optionally after `export`, values bare,
/// 'single-quoted' (literal) or "double-quoted" (escapes and `${VAR}` expansion), `#` comments
/// and blank lines. Later entries of the same name win.
pub fn from_env_file(path: &Path) -> Result<Vec<NamedValue>, Failure> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read env file {shown}: {e}")))?;
    parse_env(&text).map_err(|line| {
        Failure::usage(format!(
            "env file {shown}: line {line} is not KEY=VALUE (or a comment)"
        ))
    })
}

/// Parses dotenv text; on failure, the 1-based number of the line that does not parse. dotenvy's
/// own error quotes the line, value and all, so it is reduced to the line number here.
fn parse_env(text: &str) -> Result<Vec<NamedValue>, usize> {
    // dotenvy's iterator leaves a byte order mark in place; editors on Windows write one.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut entries: Vec<NamedValue> = Vec::new();
    for item in dotenvy::from_read_iter(text.as_bytes()) {
        let (name, value) = item.map_err(|error| match error {
            dotenvy::Error::LineParse(line, _) => line_number(text, &line),
            _ => 0,
        })?;
        entries.retain(|(existing, _)| *existing != name);
        entries.push((name, value));
    }
    Ok(entries)
}

/// Where `fragment` (a line or a multi-line quoted value) starts in `text`, 1-based.
fn line_number(text: &str, fragment: &str) -> usize {
    let start = text
        .find(fragment.trim_end_matches(['\n', '\r']))
        .unwrap_or(0);
    text[..start].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(entries: &[(&str, &str)]) -> Vec<NamedValue> {
        entries
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn env_files_take_exports_quotes_comments_and_blank_lines() {
        let text = "\u{feff}# settings for the agent\n\
                    \n\
                    OPENAI_API_KEY=sk-plain\n\
                    export ANTHROPIC_API_KEY=sk-exported\n\
                    SINGLE='lit$eral # not a comment'\n\
                    DOUBLE=\"two\\nlines\"\n\
                    SPACED = padded   # trailing comment\n\
                    EMPTY=\n\
                    OPENAI_API_KEY=sk-later\n";
        assert_eq!(
            parse_env(text).unwrap(),
            pairs(&[
                ("ANTHROPIC_API_KEY", "sk-exported"),
                ("SINGLE", "lit$eral # not a comment"),
                ("DOUBLE", "two\nlines"),
                ("SPACED", "padded"),
                ("EMPTY", ""),
                ("OPENAI_API_KEY", "sk-later"),
            ])
        );
    }

    #[test]
    fn a_bad_line_is_reported_by_number_only() {
        let text = "GOOD=1\n# comment\nnot a pair sk-secret-value\nLATER=2\n";
        assert_eq!(parse_env(text), Err(3));
    }

    #[test]
    fn an_unterminated_quote_is_reported_where_it_starts() {
        let text = "A=1\nB=\"never closed\nC=2\n";
        assert_eq!(parse_env(text), Err(2));
    }

    #[test]
    fn a_flag_with_an_empty_name_is_refused() {
        assert!(from_flag("=value").is_err());
        assert_eq!(
            from_flag("NAME=a=b").unwrap(),
            ("NAME".to_string(), "a=b".to_string())
        );
    }
}
