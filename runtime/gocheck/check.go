package main

import (
	"crypto/sha256"
	"errors"
	"go/ast"
	"go/build"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"io"
	"os"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// checker keeps one FileSet and one importer across requests: the importer caches the packages it has read, and the
// module's own packages stay checked while their sources do not change (the runtime, every request), so a warm check
// only parses and checks the project. All are renewed now and then so that memory stays bounded.
type checker struct {
	exports  *exportIndex
	fset     *token.FileSet
	imp      types.Importer
	local    map[string]checkedPackage // by import path
	requests int
}

// checkedPackage is a package of the module checked from source, and the hash of the sources it was checked from.
type checkedPackage struct {
	sources  [sha256.Size]byte
	pkg      *types.Package
	problems []problem
}

const requestsPerImporter = 64

func newChecker(exports *exportIndex) *checker {
	return &checker{exports: exports}
}

func (c *checker) check(req request) response {
	start := time.Now()
	if c.fset == nil || c.requests >= requestsPerImporter {
		c.fset = token.NewFileSet()
		c.imp = c.exports.newImporter(c.fset)
		c.local = map[string]checkedPackage{}
		c.requests = 0
	}
	c.requests++
	resp := c.run(req)
	resp.Ms = time.Since(start).Milliseconds()
	return resp
}

// Import makes the checker an importer for package main: the module's packages checked from source, the standard
// library from export data.
func (c *checker) Import(path string) (*types.Package, error) {
	if local, ok := c.local[path]; ok {
		return local.pkg, nil
	}
	return c.imp.Import(path)
}

func (c *checker) run(req request) response {
	var problems []problem
	for _, sp := range req.Imports {
		local, fatal := c.sourcePackage(req.GoVersion, sp)
		if fatal != "" {
			return response{Fatal: fatal}
		}
		problems = append(problems, local.problems...)
	}
	if len(problems) > 0 {
		// A package main cannot be checked against a broken import.
		return response{Problems: problems}
	}
	_, problems, fatal := c.checkPackage("main", req.GoVersion, req.Files, "")
	return response{Problems: problems, Fatal: fatal}
}

// sourcePackage checks a package of the module, or answers from the last check of the same sources.
func (c *checker) sourcePackage(goVersion string, sp sourcePackage) (checkedPackage, string) {
	h := sha256.New()
	h.Write([]byte(goVersion))
	for _, f := range sp.Files {
		h.Write([]byte{0})
		h.Write([]byte(f.Name))
		h.Write([]byte{0})
		h.Write([]byte(f.Contents))
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	if local, ok := c.local[sp.Path]; ok && local.sources == sum {
		return local, ""
	}
	pkg, problems, fatal := c.checkPackage(sp.Path, goVersion, sp.Files, sp.Path+"/")
	if fatal != "" {
		return checkedPackage{}, fatal
	}
	local := checkedPackage{sources: sum, pkg: pkg, problems: problems}
	c.local[sp.Path] = local
	return local, ""
}

// checkPackage parses and type-checks one package's files; prefix goes in front of the file names in positions and
// problems (a package of the module other than main: its import path).
func (c *checker) checkPackage(path, goVersion string, sources []sourceFile, prefix string) (*types.Package, []problem, string) {
	var files []*ast.File
	var problems []problem
	imports := map[string]bool{}
	ctxt := buildContext(sources)
	for _, f := range sources {
		// Exactly the files `go build` compiles here: build constraints (a _linux suffix, //go:build lines) and
		// _test files decide, as for the build.
		if match, err := ctxt.MatchFile(".", f.Name); err != nil || !match || strings.HasSuffix(f.Name, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(c.fset, prefix+f.Name, f.Contents, parser.SkipObjectResolution)
		if err != nil {
			problems = append(problems, syntaxProblems(prefix+f.Name, err)...)
			continue
		}
		files = append(files, af)
		for _, imp := range af.Imports {
			if p, err := strconv.Unquote(imp.Path.Value); err == nil {
				if _, local := c.local[p]; !local {
					imports[p] = true
				}
			}
		}
	}
	if len(problems) > 0 {
		// Like the go command: syntax errors first; type errors of a half-parsed package would only add noise.
		return nil, problems, ""
	}
	paths := make([]string, 0, len(imports))
	for p := range imports {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	if err := c.exports.ensure(paths); err != nil {
		return nil, nil, err.Error()
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	var typeErrors []types.Error
	conf := types.Config{
		GoVersion: goVersion,
		Importer:  c,
		Sizes:     types.SizesFor("gc", runtime.GOARCH),
		Error: func(err error) {
			var te types.Error
			if errors.As(err, &te) {
				typeErrors = append(typeErrors, te)
			}
		},
	}
	pkg, _ := conf.Check(path, c.fset, files, info)
	seen := map[string]bool{}
	for _, te := range typeErrors {
		p := c.problemOf(te, pkg, files, info)
		key := p.File + ":" + strconv.Itoa(p.Offset) + ":" + p.Message
		if seen[key] {
			continue
		}
		seen[key] = true
		problems = append(problems, p)
	}
	return pkg, problems, ""
}

// buildContext is go/build's default context (this machine's GOOS and GOARCH, cgo off as in every Forst build) reading
// the request's files from memory.
func buildContext(files []sourceFile) build.Context {
	ctxt := build.Default
	ctxt.CgoEnabled = false
	byName := map[string]string{}
	for _, f := range files {
		byName[f.Name] = f.Contents
	}
	ctxt.JoinPath = func(elem ...string) string { return elem[len(elem)-1] }
	ctxt.OpenFile = func(name string) (io.ReadCloser, error) {
		text, ok := byName[name]
		if !ok {
			return nil, os.ErrNotExist
		}
		return io.NopCloser(strings.NewReader(text)), nil
	}
	return ctxt
}

func syntaxProblems(name string, err error) []problem {
	var list scanner.ErrorList
	if !errors.As(err, &list) {
		return []problem{{File: name, Code: "SyntaxError", Message: err.Error()}}
	}
	out := make([]problem, 0, len(list))
	for _, e := range list {
		// Position.Offset is the byte offset in the file itself, whatever //line directives say.
		out = append(out, problem{File: name, Offset: e.Pos.Offset, End: e.Pos.Offset, Code: "SyntaxError", Message: e.Msg})
	}
	return out
}

// problemOf turns a go/types error into a problem: raw offsets, the error code's name, a help line where one is known.
func (c *checker) problemOf(te types.Error, pkg *types.Package, files []*ast.File, info *types.Info) problem {
	code, start, end := errorDetails(te)
	if !start.IsValid() {
		start = te.Pos
	}
	if !end.IsValid() || end < start {
		end = start
	}
	p := problem{Code: code, Message: te.Msg}
	if tf := c.fset.File(start); tf != nil {
		p.File = tf.Name()
		p.Offset = tf.Offset(start)
		if tf.Base() <= int(end) && int(end) <= tf.Base()+tf.Size() {
			p.End = tf.Offset(end)
		} else {
			p.End = p.Offset
		}
	}
	msg, help := splitHaveWant(te.Msg)
	p.Message = msg
	switch code {
	case "UndeclaredName":
		name := strings.TrimPrefix(te.Msg, "undefined: ")
		if best := closest(name, namesInScope(pkg, te.Pos, name)); best != "" {
			help = "did you mean `" + best + "`?"
		}
	case "UndeclaredImportedName":
		qualified := strings.TrimPrefix(te.Msg, "undefined: ")
		if pkgName, name, ok := strings.Cut(qualified, "."); ok {
			if best := closest(name, packageExports(pkg, te.Pos, pkgName)); best != "" {
				help = "did you mean `" + pkgName + "." + best + "`?"
			}
		}
	case "MissingFieldOrMethod":
		if sel := selectorAt(files, te.Pos); sel != nil {
			if tv, ok := info.Types[sel.X]; ok && tv.Type != nil {
				if best := closest(sel.Sel.Name, fieldsAndMethods(tv.Type)); best != "" {
					help = "did you mean `" + best + "`?"
				}
			}
		}
	case "IncompatibleAssign", "InvalidIfaceAssign", "InvalidChanAssign", "InvalidPtrEmbed":
		if expected, found, ok := expectedFound(te.Msg); ok {
			help = "expected `" + expected + "`, found `" + found + "`"
		}
	case "MissingReturn":
		help = "every path through a function with results must end in a return statement"
	case "UnusedVar":
		help = "use the variable, or remove it (`_ = x` keeps a value you mean to ignore)"
	case "UnusedImport":
		help = "remove the import"
	case "UnusedLabel":
		help = "remove the label, or jump to it"
	case "MismatchedTypes":
		help = "both operands must have the same type: convert one of them (for example float64(n))"
	}
	p.Help = help
	return p
}

// errorDetails reads the error code and the start/end of the erroneous expression from a types.Error. They are
// unexported fields (go116code, go116start, go116end): reflection reads them, which is allowed for plain values.
func errorDetails(te types.Error) (code string, start, end token.Pos) {
	v := reflect.ValueOf(te)
	if f := v.FieldByName("go116code"); f.IsValid() && f.CanInt() {
		if n := int(f.Int()); n > 0 && n < len(codeNames) {
			code = codeNames[n]
		}
	}
	if f := v.FieldByName("go116start"); f.IsValid() && f.CanInt() {
		start = token.Pos(f.Int())
	}
	if f := v.FieldByName("go116end"); f.IsValid() && f.CanInt() {
		end = token.Pos(f.Int())
	}
	if code == "" {
		code = "TypeError"
	}
	return code, start, end
}

// splitHaveWant moves the "\n\thave (...)\n\twant (...)" lines of argument/result count errors into a help line.
func splitHaveWant(msg string) (string, string) {
	first, rest, ok := strings.Cut(msg, "\n")
	if !ok {
		return msg, ""
	}
	var parts []string
	for _, l := range strings.Split(rest, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return first, strings.Join(parts, ", ")
}

// expectedFound reads "cannot use X (variable of type A) as B value in ..." as (B, A).
func expectedFound(msg string) (expected, found string, ok bool) {
	open := strings.Index(msg, " (")
	closeAs := strings.LastIndex(msg, ") as ")
	if open < 0 || closeAs < open {
		return "", "", false
	}
	inner := msg[open+2 : closeAs]
	if _, after, has := strings.Cut(inner, " of type "); has {
		found = after
	} else {
		found = strings.TrimSuffix(inner, " constant")
	}
	rest := msg[closeAs+len(") as "):]
	expected, _, _ = strings.Cut(rest, " value")
	if i := strings.Index(expected, " in "); i >= 0 {
		expected = expected[:i]
	}
	return expected, found, expected != "" && found != ""
}

// namesInScope lists the names visible at pos (declared before it in local scopes), generated internals excluded.
func namesInScope(pkg *types.Package, pos token.Pos, want string) []string {
	if pkg == nil {
		return nil
	}
	var names []string
	scope := pkg.Scope().Innermost(pos)
	if scope == nil {
		scope = pkg.Scope()
	}
	for s := scope; s != nil; s = s.Parent() {
		local := s != pkg.Scope() && s != types.Universe && s.Parent() != types.Universe
		for _, n := range s.Names() {
			obj := s.Lookup(n)
			if local && obj.Pos().IsValid() && obj.Pos() > pos {
				continue
			}
			if strings.HasPrefix(n, "forst") && !strings.HasPrefix(want, "forst") {
				continue
			}
			names = append(names, n)
		}
	}
	return names
}

// packageExports lists the exported names of the package a file imports as pkgName.
func packageExports(pkg *types.Package, pos token.Pos, pkgName string) []string {
	if pkg == nil {
		return nil
	}
	scope := pkg.Scope().Innermost(pos)
	if scope == nil {
		return nil
	}
	_, obj := scope.LookupParent(pkgName, pos)
	pn, ok := obj.(*types.PkgName)
	if !ok {
		return nil
	}
	var names []string
	for _, n := range pn.Imported().Scope().Names() {
		if token.IsExported(n) {
			names = append(names, n)
		}
	}
	return names
}

// fieldsAndMethods lists what a selector on a value of type t may name: methods of t and *t, fields (also promoted).
func fieldsAndMethods(t types.Type) []string {
	seen := map[string]bool{}
	var names []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for _, mt := range []types.Type{t, types.NewPointer(t)} {
		ms := types.NewMethodSet(mt)
		for i := 0; i < ms.Len(); i++ {
			add(ms.At(i).Obj().Name())
		}
	}
	var walk func(t types.Type, depth int)
	walk = func(t types.Type, depth int) {
		if p, ok := t.Underlying().(*types.Pointer); ok {
			t = p.Elem()
		}
		st, ok := t.Underlying().(*types.Struct)
		if !ok || depth > 3 {
			return
		}
		for i := 0; i < st.NumFields(); i++ {
			f := st.Field(i)
			add(f.Name())
			if f.Embedded() {
				walk(f.Type(), depth+1)
			}
		}
	}
	walk(t, 0)
	return names
}

// selectorAt finds the selector expression whose selected name starts at pos.
func selectorAt(files []*ast.File, pos token.Pos) *ast.SelectorExpr {
	var found *ast.SelectorExpr
	for _, f := range files {
		if pos < f.Pos() || pos > f.End() {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if found != nil || n == nil || pos < n.Pos() || pos > n.End() {
				return false
			}
			if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Pos() == pos {
				found = sel
				return false
			}
			return true
		})
	}
	return found
}

// closest is the candidate nearest to name by edit distance (case differences count half), if near enough to be a
// likely typo: at most a third of the name's length, and at least one edit.
func closest(name string, candidates []string) string {
	best, bestScore := "", 1<<30
	limit := len(name) / 3
	if limit < 1 {
		limit = 1
	}
	sort.Strings(candidates)
	for _, cand := range candidates {
		if cand == name || cand == "_" {
			continue
		}
		d := 2 * levenshtein(strings.ToLower(name), strings.ToLower(cand))
		if d == 0 {
			d = 1 // differs only in case
		} else {
			d += 1
		}
		if d <= 2*limit+1 && d < bestScore {
			best, bestScore = cand, d
		}
	}
	return best
}

// levenshtein is the optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring letters (`nmae` → `name`) cost one edit each.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
