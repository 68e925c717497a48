//! The live lines lscp draws on a terminal (indicatif's progress bars and spinners). Text reaches
//! indicatif only through [`LiveLine`], which makes it inert on the way in ([`inert::escape`],
//! line breaks included: a live line that breaks redraws wrong), as `output::line` and
//! `output::diagnostic` do for printed lines.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::inert;

/// A progress bar or spinner whose every text is escaped before indicatif sees it.
#[derive(Debug)]
pub struct LiveLine(ProgressBar);

impl LiveLine {
    /// Wraps `bar`, styled and ticking as it should be; its texts are set from here on.
    pub fn new(bar: ProgressBar) -> Self {
        LiveLine(bar)
    }

    /// The text after the bar.
    pub fn set_message(&self, text: &str) {
        self.0.set_message(inert::escape(text).into_owned());
    }

    /// The text before the bar (a spinner's name).
    pub fn set_prefix(&self, text: &str) {
        self.0.set_prefix(inert::escape(text).into_owned());
    }

    /// A line printed above the bar, which stays.
    pub fn println(&self, text: &str) {
        self.0.println(inert::escape(text));
    }

    /// Stops the bar with a last message, leaving it on screen.
    pub fn finish_with_message(&self, text: &str) {
        self.0.finish_with_message(inert::escape(text).into_owned());
    }

    /// How far the bar is.
    pub fn set_position(&self, position: u64) {
        self.0.set_position(position);
    }

    /// Stops the bar and removes it from the screen.
    pub fn finish_and_clear(&self) {
        self.0.finish_and_clear();
    }
}

/// The live line of a revision's status on stderr: a spinner, its step of six as a bar, the time
/// so far and the status; shared by `deploy` and `wait`.
pub fn status_bar() -> LiveLine {
    let bar = ProgressBar::with_draw_target(Some(6), ProgressDrawTarget::stderr());
    bar.set_style(
        // `wide_msg` is cut to the terminal width: a wrapped live line redraws as two.
        ProgressStyle::with_template("{spinner} [{bar:12}] {elapsed:>4} {wide_msg}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    LiveLine::new(bar)
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use indicatif::TermLike;

    use super::*;

    /// A terminal that keeps what is written to it.
    #[derive(Debug, Default, Clone)]
    struct Screen(Arc<Mutex<Vec<String>>>);

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            200
        }
        fn move_cursor_up(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> io::Result<()> {
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> io::Result<()> {
            self.0.lock().unwrap().push(s.to_owned());
            Ok(())
        }
        fn clear_line(&self) -> io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Server text that would set the window title, rewrite the line, and forge another.
    const HOSTILE: &str = "BUILDING\x1b]0;owned\x07\r\nerror: forged\u{202e}";

    #[test]
    fn no_control_character_of_a_text_reaches_the_terminal() {
        let screen = Screen::default();
        let target = ProgressDrawTarget::term_like(Box::new(screen.clone()));
        let bar = ProgressBar::with_draw_target(Some(6), target);
        bar.set_style(ProgressStyle::with_template("{prefix} {msg}").unwrap());
        let line = LiveLine::new(bar);
        line.set_prefix(&format!("name {HOSTILE}"));
        line.set_message(&format!("message {HOSTILE}"));
        line.println(&format!("above {HOSTILE}"));
        line.finish_with_message(&format!("last {HOSTILE}"));
        let written = screen.0.lock().unwrap().join("\n");
        for what in ["name", "message", "above", "last"] {
            let shown = format!(r"{what} BUILDING\x1b]0;owned\x07\r\nerror: forged\u{{202e}}");
            assert!(
                written.contains(&shown),
                "{what} not shown escaped:\n{written}"
            );
        }
        // Controls, and the bidi controls that reorder a line (written out here, not taken
        // from the escaper under test).
        let acts = |c: char| {
            c.is_control()
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        };
        let raw: Vec<char> = written.chars().filter(|&c| c != '\n' && acts(c)).collect();
        assert!(raw.is_empty(), "{raw:?} reached the terminal:\n{written}");
    }
}
