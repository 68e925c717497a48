//! Secrets given on the command line: `--secret NAME[=VALUE]` and `--env-file FILE`. No message
//! here may contain a value: errors name the flag, the secret's name or a line number only.

use std::path::Path;

use langsmith_control_plane::types::Sensitive;
use langsmith_control_plane_plan::deployment_file::is_variable_name;

use crate::exit::Failure;

/// A secret's name and value, in the order given.
pub type NamedValue = (String, String);

/// Every `--secret` flag, in order: `NAME=VALUE`, or `NAME` alone for the value of the
/// environment variable `NAME`. The flags arrive [`Sensitive`], so a `Debug` of the parsed
/// command line cannot show a value.
pub fn from_flags(flags: &[Sensitive]) -> Result<Vec<NamedValue>, Failure> {
    flags
        .iter()
        .enumerate()
        .map(|(index, flag)| from_flag(flag.expose(), index + 1))
        .collect()
}

/// The `number`th `--secret` flag. A name that is not a variable name is most likely a value
/// pasted without `NAME=`: it is refused by the flag's position, never shown or looked up.
fn from_flag(flag: &str, number: usize) -> Result<NamedValue, Failure> {
    let (name, value) = match flag.split_once('=') {
        Some((name, value)) => (name.trim(), Some(value)),
        None => (flag.trim(), None),
    };
    if name.is_empty() {
        return Err(Failure::usage("--secret needs a name before '='"));
    }
    if !is_variable_name(name) {
        return Err(Failure::usage(format!(
            "--secret number {number}: the value given does not look like a variable name \
             ([A-Za-z_][A-Za-z0-9_]*)"
        ))
        .hint("write NAME=VALUE, or NAME alone to read the environment variable NAME"));
    }
    let value = match value {
        Some(value) => value.to_string(),
        None => std::env::var(name).map_err(|_| {
            Failure::usage(format!(
                "--secret {name}: no value given and the environment variable {name} is not set"
            ))
        })?,
    };
    Ok((name.to_string(), value))
}

/// A line of a dotenv file that cannot be used, by its 1-based number.
#[derive(Debug, PartialEq, Eq)]
enum BadLine {
    /// Not `KEY=VALUE`, a comment or blank.
    Unparsable(usize),
    /// Its key is not a variable name (dotenv also takes dots).
    NotAName(usize),
}

/// The entries of a dotenv file: `KEY=VALUE` lines, optionally after `export`, values bare,
/// 'single-quoted' (literal) or "double-quoted" (escapes and `${VAR}` expansion), `#` comments
/// and blank lines. Later entries of the same name win.
pub fn from_env_file(path: &Path) -> Result<Vec<NamedValue>, Failure> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read env file {shown}: {e}")))?;
    parse_env(&text).map_err(|bad| {
        Failure::usage(match bad {
            BadLine::Unparsable(line) => {
                format!("env file {shown}: line {line} is not KEY=VALUE (or a comment)")
            }
            BadLine::NotAName(line) => format!(
                "env file {shown}: line {line}: the name does not look like a variable name \
                 ([A-Za-z_][A-Za-z0-9_]*)"
            ),
        })
    })
}

/// Parses dotenv text; on failure, the line that cannot be used. dotenvy's own error quotes the
/// line, value and all, so it is reduced to the line number here.
fn parse_env(text: &str) -> Result<Vec<NamedValue>, BadLine> {
    // dotenvy's iterator leaves a byte order mark in place; editors on Windows write one.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut entries: Vec<NamedValue> = Vec::new();
    for item in dotenvy::from_read_iter(text.as_bytes()) {
        let (name, value) = item.map_err(|error| match error {
            dotenvy::Error::LineParse(line, _) => BadLine::Unparsable(line_number(text, &line)),
            _ => BadLine::Unparsable(0),
        })?;
        if !is_variable_name(&name) {
            return Err(BadLine::NotAName(line_of_key(text, &name)));
        }
        entries.retain(|(existing, _)| *existing != name);
        entries.push((name, value));
    }
    Ok(entries)
}

/// The 1-based number of the first line that sets `name` (`NAME=` or `export NAME=`).
fn line_of_key(text: &str, name: &str) -> usize {
    let sets = |line: &str| {
        let line = line.trim_start();
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        line.strip_prefix(name)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    };
    text.lines().position(sets).map_or(0, |index| index + 1)
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
        assert_eq!(parse_env(text), Err(BadLine::Unparsable(3)));
    }

    #[test]
    fn an_unterminated_quote_is_reported_where_it_starts() {
        let text = "A=1\nB=\"never closed\nC=2\n";
        assert_eq!(parse_env(text), Err(BadLine::Unparsable(2)));
    }

    #[test]
    fn a_dotted_key_is_refused_by_the_line_that_sets_it() {
        let text = "A=1\n# A.B=not this one\n  export A.B = 2\n";
        assert_eq!(parse_env(text), Err(BadLine::NotAName(3)));
    }

    #[test]
    fn a_flag_with_an_empty_name_is_refused() {
        assert!(from_flag("=value", 1).is_err());
        assert_eq!(
            from_flag("NAME=a=b", 1).unwrap(),
            ("NAME".to_string(), "a=b".to_string())
        );
    }
}
