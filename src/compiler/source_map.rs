//! Where the generated Go came from: for each generated file, the byte ranges that are the user's text copied
//! verbatim (exact back to the `.ft` byte) and the ranges the compiler wrote for a `.ft` construct (an edit, an import
//! line, an endpoint's glue), which map to that construct. Go's type checker reports byte offsets in the generated
//! files; this is how they become `.ft` line and column, whatever gofmt or the edits did to the layout.

use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Bytes of the generated file.
    pub go: Range<usize>,
    /// Index of the `.ft` file (in the compiled sources).
    pub ft_file: usize,
    /// Bytes of that file: the same length as `go` when `verbatim`, else the construct the generated text stands for.
    pub ft: Range<usize>,
    pub verbatim: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceMap {
    /// The generated file's name (`ft_routes_calc.go`).
    pub go_file: String,
    /// Sorted by `go.start`, not overlapping.
    pub segments: Vec<Segment>,
}

impl SourceMap {
    pub fn new(go_file: impl Into<String>) -> Self {
        SourceMap { go_file: go_file.into(), segments: Vec::new() }
    }

    /// Records that `go` (in the generated file) is `ft` of `ft_file`; empty ranges are skipped.
    pub fn push(&mut self, go: Range<usize>, ft_file: usize, ft: Range<usize>, verbatim: bool) {
        if go.start < go.end {
            self.segments.push(Segment { go, ft_file, ft, verbatim });
        }
    }

    /// The `.ft` file and byte range of a generated range: exact inside verbatim text, the whole construct otherwise.
    pub fn lookup(&self, go: Range<usize>) -> Option<(usize, Range<usize>)> {
        let (file, start) = self.lookup_in_segment(go.clone())?;
        // A range that runs across edits (`p.age + "1"`, where `age` became `Age`) ends where its last byte maps.
        if go.end > go.start + 1 {
            if let Some((f, last)) = self.lookup_in_segment(go.end - 1..go.end) {
                if f == file && last.end > start.end {
                    return Some((file, start.start..last.end));
                }
            }
        }
        Some((file, start))
    }

    fn lookup_in_segment(&self, go: Range<usize>) -> Option<(usize, Range<usize>)> {
        let i = self.segments.partition_point(|s| s.go.end <= go.start);
        let seg = self.segments.get(i).filter(|s| s.go.start <= go.start)?;
        if !seg.verbatim {
            return Some((seg.ft_file, seg.ft.clone()));
        }
        let start = seg.ft.start + (go.start - seg.go.start);
        // The end stays inside this segment: a range that runs into an edit ends where the verbatim text ends.
        let end = seg.ft.start + (go.end.clamp(go.start, seg.go.end) - seg.go.start);
        Some((seg.ft_file, start..end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_offsets_map_exactly_and_generated_text_maps_to_its_construct() {
        let mut m = SourceMap::new("a.go");
        m.push(10..20, 0, 100..110, true);
        m.push(20..30, 0, 110..112, false);
        m.push(30..40, 1, 5..15, true);
        assert_eq!(m.lookup(12..14), Some((0, 102..104)));
        assert_eq!(m.lookup(25..26), Some((0, 110..112)));
        assert_eq!(m.lookup(30..31), Some((1, 5..6)));
        assert_eq!(m.lookup(15..25), Some((0, 105..112)), "runs into an edit: ends where the edit's construct ends");
        assert_eq!(m.lookup(15..35), Some((0, 105..110)), "runs into another file's text: stays in the first");
        assert_eq!(m.lookup(5..6), None);
        assert_eq!(m.lookup(45..46), None);
    }
}
