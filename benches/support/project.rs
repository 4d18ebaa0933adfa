// The generated project shared by the front-end benchmarks.

/// One route file of about 100 lines: a struct, an endpoint with loops, a map literal result, an assertion on a
/// JSON value, a shape, and helpers.
fn route_file(i: usize) -> String {
    let mut s = format!(
        "// Generated route file {i}.\nimport \"strings\"\n\ntype Item{i} struct {{\n  ID    string  `json:\"id\"`\n  Name  string  `json:\"name\"`\n  Score float64 `json:\"score\"`\n  Tags  []string `json:\"tags,omitempty\"`\n}}\n\n"
    );
    s += &format!(
        "// summarize{i} scores items.\nfunc summarize{i}(items []Item{i}, input map[string]interface{{}}) {{\n  weights := input[\"weights\"].([]float64)\n  total := 0.0\n  names := make([]string, 0, len(items))\n  for j, it := range items {{\n    w := 1.0\n    if j < len(weights) {{\n      w = weights[j]\n    }}\n    total += it.Score * w\n    names = append(names, strings.ToUpper(it.Name))\n  }}\n  return map[string]interface{{}}{{\n    \"total\": total,\n    \"count\": len(items),\n    \"names\": names,\n  }}\n}}\n\n"
    );
    s += &format!("func shape{i}(p {{name: String, age: Int}}): {{title: String, next: Int}} {{\n  return {{title: p.name, next: p.age + 1}}\n}}\n\n");
    for h in 0..6 {
        s += &format!(
            "//forst:internal\nfunc helper{i}x{h}(xs []int) int {{\n  acc := 0\n  for k := 0; k < len(xs); k++ {{\n    switch {{\n    case xs[k] > {h}:\n      acc += xs[k] * 2\n    case xs[k] < 0:\n      acc -= xs[k]\n    default:\n      acc++\n    }}\n  }}\n  return acc\n}}\n\n"
        );
    }
    s
}

fn project(lines_wanted: usize) -> Vec<SourceFile> {
    let mut files = Vec::new();
    let mut lines = 0;
    let mut i = 0;
    while lines < lines_wanted {
        let text = route_file(i);
        lines += text.lines().count();
        files.push(SourceFile { path: format!("routes/r{i}.ft"), text });
        i += 1;
    }
    files
}

