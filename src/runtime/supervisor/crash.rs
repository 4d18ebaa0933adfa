//! What a sidecar's death says about its cause: the child's stderr, kept per child as its first and last lines and,
//! separately, the start of Go's crash report (`panic: …` / `fatal error: …` and the frames after it: a stack
//! overflow prints hundreds of frames after the one line that matters, and a child that served for hours has printed
//! much before it), and the exit status.

use std::collections::VecDeque;
use std::process::ExitStatus;

/// Lines kept from the start and from the end of a child's stderr, and of a crash report.
const HEAD: usize = 40;
const TAIL: usize = 40;
const CRASH: usize = 60;

/// One child's stderr: the first [`HEAD`] lines, the last [`TAIL`] after those, how many were skipped between, and
/// the first [`CRASH`] lines of Go's crash report if there was one.
#[derive(Debug, Default)]
pub struct StderrLog {
    head: Vec<String>,
    tail: VecDeque<String>,
    skipped: usize,
    crash: Vec<String>,
}

impl StderrLog {
    pub fn push(&mut self, line: String) {
        // Go's runtime prints an unrecovered panic or a fatal error as `panic: …` / `fatal error: …` at the start
        // of a line (a stack overflow first says `runtime: goroutine stack exceeds …`); our server prefixes its own
        // lines with `forst: `, so recovered panics it logged do not count.
        let starts_report = line.starts_with("panic: ") || line.starts_with("fatal error: ");
        if (!self.crash.is_empty() || starts_report) && self.crash.len() < CRASH {
            self.crash.push(line.clone());
        }
        if self.head.len() < HEAD {
            self.head.push(line);
            return;
        }
        if self.tail.len() == TAIL {
            self.tail.pop_front();
            self.skipped += 1;
        }
        self.tail.push_back(line);
    }

    /// The text for messages: head, a marker for what was skipped, tail.
    pub fn text(&self) -> String {
        let mut out: Vec<String> = self.head.clone();
        if self.skipped > 0 {
            out.push(format!("… {} more lines …", self.skipped));
        }
        out.extend(self.tail.iter().cloned());
        out.join("\n")
    }

    pub fn contains(&self, needle: &str) -> bool {
        self.head.iter().chain(self.tail.iter()).any(|l| l.contains(needle))
    }

    /// The cause of a crash as one line: the first line of Go's crash report with the innermost `.ft` frame after
    /// it; else the last line the child printed (what a program says before `os.Exit`, or our server's reason for
    /// not starting); `None` when it printed nothing.
    pub fn cause(&self) -> Option<String> {
        if let Some(first) = self.crash.first() {
            let what = first.trim_end_matches(" [recovered]").to_string();
            // Go prints the frames as `\t/path/file.ft:12 +0x1d`; the first .ft one is the Forst code that crashed.
            let frame = self.crash.iter().find_map(|l| {
                let path = l.trim().split(" +0x").next()?;
                path.contains(".ft:").then(|| path.to_string())
            });
            return Some(match frame {
                Some(f) => format!("{what} (at {f})"),
                None => what,
            });
        }
        let last = self.tail.iter().rev().chain(self.head.iter().rev()).find(|l| !l.trim().is_empty());
        last.map(|l| l.to_string())
    }
}

/// "exited with code 3", "was killed by signal 9 (SIGKILL; …)".
pub fn describe_exit(status: ExitStatus) -> String {
    match (status.code(), crate::runtime::os::killing_signal(&status)) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(crate::runtime::os::SIGKILL)) => {
            "was killed by signal 9 (SIGKILL: sent by this package when the sidecar stopped \
                                        answering, or by the kernel's out-of-memory killer when memory ran out)"
                .to_string()
        }
        (None, Some(sig)) => format!("was killed by signal {sig}"),
        _ => "exited".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(text: &str) -> StderrLog {
        let mut log = StderrLog::default();
        text.lines().for_each(|l| log.push(l.to_string()));
        log
    }

    #[test]
    fn the_cause_of_a_panic_names_the_ft_line() {
        let l = log("panic: runtime error: index out of range [5] with length 3\n\ngoroutine 7 [running]:\nmain.pick(...)\n\troutes/x.ft:12 +0x1d\nmain.main()\n\t/src/forst_server.go:40 +0x2");
        assert_eq!(
            l.cause().unwrap(),
            "panic: runtime error: index out of range [5] with length 3 (at routes/x.ft:12)"
        );
    }

    #[test]
    fn a_stack_overflow_keeps_its_cause_though_it_prints_thousands_of_lines() {
        let mut text = String::from(
            "runtime: goroutine stack exceeds 1000000000-byte limit\nfatal error: stack overflow\n\nruntime stack:\n",
        );
        for _ in 0..5000 {
            text.push_str("main.deep(...)\n\troutes/deep.ft:3 +0x25\n");
        }
        let l = log(&text);
        assert_eq!(l.cause().unwrap(), "fatal error: stack overflow (at routes/deep.ft:3)");
        assert!(l.text().contains("more lines"), "the middle is skipped, not the start");
        assert!(l.text().lines().count() <= HEAD + TAIL + 1);
    }

    #[test]
    fn a_crash_after_hours_of_output_still_finds_its_report() {
        let mut text = String::new();
        for i in 0..500 {
            text.push_str(&format!(
                "forst: a goroutine started at routes/a.ft:3 panicked at routes/a.ft:{i}: recovered\n"
            ));
        }
        text.push_str("panic: boom\n\ngoroutine 9 [running]:\nmain.f()\n\troutes/b.ft:7 +0x1\n");
        assert_eq!(log(&text).cause().unwrap(), "panic: boom (at routes/b.ft:7)");
    }

    #[test]
    fn without_a_panic_the_last_line() {
        assert_eq!(
            log("forst: cannot listen on 127.0.0.1:1: denied").cause().unwrap(),
            "forst: cannot listen on 127.0.0.1:1: denied"
        );
        assert_eq!(log("forst: a goroutine … panicked at x.ft:1\nexitNow: bye\n").cause().unwrap(), "exitNow: bye");
        assert_eq!(log("starting\nexitNow: leaving with code 7\n").cause().unwrap(), "exitNow: leaving with code 7");
        assert_eq!(log("").cause(), None);
    }
}
