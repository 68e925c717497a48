//! The runner's files: step outputs appended to `$GITHUB_OUTPUT`, Markdown appended to
//! `$GITHUB_STEP_SUMMARY`.

use std::fmt::Display;
use std::io::Write;
use std::path::Path;

use uuid::Uuid;

use super::Runner;
use crate::output;

/// Step outputs, in the file format the runner reads: `name=value` on one line, or
/// `name<<DELIMITER`, the value's lines, and `DELIMITER` alone on a line.
#[derive(Debug, Default)]
pub struct Outputs {
    text: String,
}

impl Outputs {
    /// A value lscp composed itself (an ID, a count, a fixed word): `name=value`. Should it ever
    /// hold a line break, it takes the delimited form instead.
    pub fn word(&mut self, name: &str, value: impl Display) -> &mut Self {
        let value = value.to_string();
        if value.contains(['\r', '\n']) {
            return self.text(name, &value);
        }
        self.text.push_str(&format!("{name}={value}\n"));
        self
    }

    /// Text that comes from the configuration or the server (a URL, a name): always in the
    /// delimited form, with a random delimiter that does not occur in the value, so that no value
    /// can end early or add an output of its own.
    pub fn text(&mut self, name: &str, value: &str) -> &mut Self {
        let delimiter = loop {
            let candidate = format!("lscp_delimiter_{}", Uuid::new_v4().simple());
            if !value.contains(&candidate) {
                break candidate;
            }
        };
        self.text
            .push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
        self
    }

    /// Appends the outputs to `$GITHUB_OUTPUT`, when the runner names one.
    pub fn write(&self, runner: &Runner) {
        if let Some(path) = &runner.output {
            append(path, "GITHUB_OUTPUT", &self.text);
        }
    }
}

/// Appends Markdown to `$GITHUB_STEP_SUMMARY`, when the runner names one.
pub fn append_summary(runner: &Runner, markdown: &str) {
    if let Some(path) = &runner.summary {
        append(path, "GITHUB_STEP_SUMMARY", markdown);
    }
}

/// Appends `text` to the file; a failure is a warning, and does not change the exit code, which
/// reports the command's own outcome.
fn append(path: &Path, variable: &str, text: &str) {
    let written = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()));
    if let Err(error) = written {
        output::diagnostic(&format!(
            "warning: could not write to ${variable} ({}): {error}",
            path.display()
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_take_one_line_and_text_the_delimited_form() {
        let mut outputs = Outputs::default();
        outputs
            .word("outcome", "deployed")
            .word("count", 3)
            .text("url", "https://x/a\nb");
        let text = outputs.text;
        assert!(text.starts_with("outcome=deployed\ncount=3\nurl<<lscp_delimiter_"));
        let delimiter = text.lines().nth(2).unwrap().strip_prefix("url<<").unwrap();
        assert_eq!(delimiter.len(), "lscp_delimiter_".len() + 32);
        assert!(text.ends_with(&format!("\nhttps://x/a\nb\n{delimiter}\n")));
    }

    #[test]
    fn a_word_with_a_line_break_takes_the_delimited_form() {
        let mut outputs = Outputs::default();
        outputs.word("name", "a\nb=c");
        assert!(outputs.text.starts_with("name<<lscp_delimiter_"));
    }
}
