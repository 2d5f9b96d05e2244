//! Progress bars and printing.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A byte progress bar on stderr, hidden unless stderr is a terminal.
pub(crate) struct Bar(ProgressBar);

impl Bar {
    pub(crate) fn new(label: &'static str) -> Self {
        let bar = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::no_length();
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} {eta}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar.set_prefix(label);
            bar
        } else {
            ProgressBar::hidden()
        };
        Self(bar)
    }

    /// The callback for the SDK.
    pub(crate) fn callback(&self) -> impl FnMut(u64, Option<u64>) + '_ {
        |done, total| {
            if let Some(t) = total {
                self.0.set_length(t);
            }
            self.0.set_position(done);
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
