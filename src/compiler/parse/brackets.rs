//! Unbalanced brackets, the commonest syntax error and the one pest describes worst: at an unclosed `(` it reports
//! the end of the line ("expected a value"), at a missing `}` whatever comes next ("expected `{`"). Before a syntax
//! error becomes a message, the failed declaration is scanned for brackets (strings, runes and comments skipped); when
//! an opener before the error is never closed, the message names it: "unclosed `(`", with a code frame at the `(`
//! and a note where the `)` was expected.

use std::ops::Range;

use super::super::diagnostic::Diagnostic;

/// An opening bracket: its offset in the file and the indentation of its line.
#[derive(Clone, Copy)]
struct Open {
    ch: u8,
    at: usize,
    indent: usize,
}

/// The diagnostic for an unclosed bracket in `text[chunk]` that comes before `error_at`, if there is one.
pub fn unclosed(path: &str, text: &str, chunk: Range<usize>, error_at: usize) -> Option<Diagnostic> {
    let culprit = find(text, chunk)?;
    if culprit.at > error_at {
        return None;
    }
    let close = match culprit.ch {
        b'(' => ')',
        b'[' => ']',
        _ => '}',
    };
    let open = culprit.ch as char;
    let (line, _) = super::super::diagnostic::line_col(text, culprit.at);
    let d = Diagnostic::error("F0001", format!("unclosed `{open}`"), path, culprit.at..culprit.at + 1)
        .with_label(format!("this `{open}` is never closed"))
        .with_help(format!("add the missing `{close}` for the `{open}` on line {line}"));
    Some(if error_at > culprit.at {
        d.with_note(path, error_at..error_at, format!("`{close}` expected here at the latest"))
    } else {
        d
    })
}

/// The opener that is never closed. A closer of the wrong kind closes nothing and convicts the opener it met. A `{`
/// still open at the end is blamed on the first block whose `}` sits at another indentation than its opening line
/// (the `}` it took belonged to an outer block), else on the innermost one.
fn find(text: &str, chunk: Range<usize>) -> Option<Open> {
    let bytes = text.as_bytes();
    let end = chunk.end.min(bytes.len());
    let mut stack: Vec<Open> = Vec::new();
    let mut misindented: Option<Open> = None;
    let mut i = chunk.start;
    while i < end {
        let c = bytes[i];
        match c {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < end && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..end].find("*/").map(|p| i + 2 + p + 2).unwrap_or(end);
                continue;
            }
            b'"' | b'\'' => {
                i += 1;
                while i < end && bytes[i] != c && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'`' => {
                i = text[i + 1..end].find('`').map(|p| i + 1 + p).unwrap_or(end);
            }
            b'(' | b'[' | b'{' => stack.push(Open { ch: c, at: i, indent: indent_of(text, i) }),
            b')' | b']' | b'}' => {
                let want = match c {
                    b')' => b'(',
                    b']' => b'[',
                    _ => b'{',
                };
                match stack.pop() {
                    Some(open) if open.ch == want => {
                        let first_on_line = text[line_start(text, i)..i].trim().is_empty();
                        if want == b'{' && first_on_line && open.indent != indent_of(text, i) && misindented.is_none() {
                            misindented = Some(open);
                        }
                    }
                    Some(open) => return Some(open),
                    None => {}
                }
            }
            _ => {}
        }
        i += 1;
    }
    let innermost = stack.last().copied()?;
    if innermost.ch == b'{' {
        return misindented.or(Some(innermost));
    }
    Some(innermost)
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map(|p| p + 1).unwrap_or(0)
}

fn indent_of(text: &str, at: usize) -> usize {
    let start = line_start(text, at);
    text[start..].len() - text[start..].trim_start_matches([' ', '\t']).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(text: &str) -> Option<Diagnostic> {
        unclosed("routes/a.ft", text, 0..text.len(), text.len())
    }

    #[test]
    fn an_unclosed_paren_is_named_at_its_place() {
        let text = "func f(a String): String {\n  return strings.ToUpper(a\n}\n";
        let d = diag(text).unwrap();
        assert_eq!(d.message, "unclosed `(`");
        assert_eq!(d.span.start, text.find("ToUpper(").unwrap() + 7);
        assert_eq!(d.help.as_deref(), Some("add the missing `)` for the `(` on line 2"));
    }

    #[test]
    fn a_missing_brace_is_blamed_on_the_block_whose_brace_was_taken() {
        let text = "func g(a Int): Int {\n  if a > 1 {\n    return a\n  return 0\n}\n";
        let d = diag(text).unwrap();
        assert_eq!(d.message, "unclosed `{`");
        assert_eq!(d.span.start, text.find("1 {").unwrap() + 2, "the if's brace");
        let text = "func h(a Int): Int {\n  return a\n\n";
        assert_eq!(diag(text).unwrap().span.start, text.find('{').unwrap());
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        assert!(diag("func f(): String {\n  // (\n  return \"(\" + `[` + string('{')\n}\n").is_none());
        assert!(diag("func f() {\n  /* { */\n}\n").is_none());
    }

    #[test]
    fn an_opener_after_the_error_is_not_blamed() {
        let text = "func f() {\n  x := )\n  y := (\n}\n";
        assert!(unclosed("a.ft", text, 0..text.len(), text.find(')').unwrap()).is_none());
    }
}
