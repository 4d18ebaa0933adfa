package main

import (
	"os"
	"runtime"
	"strings"
	"testing"
)

func TestClosestFindsTyposNotStrangers(t *testing.T) {
	cands := []string{"ToUpper", "ToLower", "TrimSpace", "len", "Name"}
	for name, want := range map[string]string{"ToUpperr": "ToUpper", "nmae": "Name", "toupper": "ToUpper", "lenn": "len", "name": "Name", "Frobnicate": ""} {
		if got := closest(name, cands); got != want {
			t.Errorf("closest(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestExpectedFound(t *testing.T) {
	e, f, ok := expectedFound(`cannot use x (variable of type func() int) as string value in argument to g`)
	if !ok || e != "string" || f != "func() int" {
		t.Fatalf("got %q %q %v", e, f, ok)
	}
	e, f, ok = expectedFound(`cannot use "hello" (untyped string constant) as int value in return statement`)
	if !ok || e != "int" || f != "untyped string" {
		t.Fatalf("got %q %q %v", e, f, ok)
	}
}

// A real check: Go's codes, byte offsets in the file, help lines.
func TestCheckReportsCodesOffsetsAndHelp(t *testing.T) {
	src := "package main\n\nimport \"strings\"\n\nfunc f() int { return \"s\" }\n\nfunc g() string { return strings.ToUpperr(\"a\") }\n\nfunc main() {}\n"
	c := newChecker(newExportIndex(goBinary(), t.TempDir()))
	resp := c.check(request{GoVersion: "go1.22", Files: []sourceFile{{Name: "a.go", Contents: src}}})
	if resp.Fatal != "" {
		t.Fatal(resp.Fatal)
	}
	if len(resp.Problems) != 2 {
		t.Fatalf("want 2 problems, got %+v", resp.Problems)
	}
	p := resp.Problems[0]
	if p.Code != "IncompatibleAssign" || src[p.Offset:p.End] != `"s"` || !strings.Contains(p.Help, "expected `int`") {
		t.Errorf("first: %+v", p)
	}
	p = resp.Problems[1]
	if p.Code != "UndeclaredImportedName" || src[p.Offset:p.End] != "ToUpperr" || p.Help != "did you mean `strings.ToUpper`?" {
		t.Errorf("second: %+v", p)
	}
	// Warm: the same request again answers the same.
	again := c.check(request{GoVersion: "go1.22", Files: []sourceFile{{Name: "a.go", Contents: src}}})
	if len(again.Problems) != 2 {
		t.Fatalf("warm check: %+v", again.Problems)
	}
}

func TestSyntaxErrorsComeAlone(t *testing.T) {
	c := newChecker(newExportIndex(goBinary(), ""))
	resp := c.check(request{GoVersion: "go1.22", Files: []sourceFile{{Name: "a.go", Contents: "package main\nfunc f() { x := []int{1,\n2\n} }\n"}}})
	if len(resp.Problems) == 0 || resp.Problems[0].Code != "SyntaxError" {
		t.Fatalf("%+v", resp.Problems)
	}
}

func goBinary() string {
	if g := os.Getenv("FORST_GO"); g != "" {
		return g
	}
	return "go"
}

// Build constraints decide which files are checked, as for `go build`: a file for another OS is left out.
func TestBuildConstraintsChooseTheFiles(t *testing.T) {
	c := newChecker(newExportIndex(goBinary(), ""))
	files := []sourceFile{
		{Name: "main.go", Contents: "package main\n\nfunc main() { _ = peer() }\n"},
		{Name: "peer_here.go", Contents: "//go:build " + runtime.GOOS + "\n\npackage main\n\nfunc peer() int { return 1 }\n"},
		{Name: "peer_other.go", Contents: "//go:build !" + runtime.GOOS + "\n\npackage main\n\nfunc peer() int { return 2 }\n"},
		{Name: "x_plan9.go", Contents: "package main\n\nfunc peer() int { return 3 }\n"},
		{Name: "x_test.go", Contents: "package main\n\nfunc peer() int { return 4 }\n"},
	}
	if resp := c.check(request{GoVersion: "go1.22", Files: files}); len(resp.Problems) != 0 || resp.Fatal != "" {
		t.Fatalf("%+v %s", resp.Problems, resp.Fatal)
	}
}

// Package main is checked against the module's own packages given as source; such a package is checked once and
// reused while its sources stay the same, and its own errors are reported under its import path.
func TestModulePackagesAreCheckedFromSourceOnce(t *testing.T) {
	c := newChecker(newExportIndex(goBinary(), ""))
	lib := sourcePackage{Path: "app/lib", Files: []sourceFile{{Name: "lib.go", Contents: "package lib\n\nfunc Twice(n int) int { return 2 * n }\n"}}}
	main := []sourceFile{{Name: "main.go", Contents: "package main\n\nimport \"app/lib\"\n\nfunc main() { var s string = lib.Twice(1); _ = s }\n"}}
	resp := c.check(request{GoVersion: "go1.22", Files: main, Imports: []sourcePackage{lib}})
	if resp.Fatal != "" || len(resp.Problems) != 1 || resp.Problems[0].Code != "IncompatibleAssign" || resp.Problems[0].File != "main.go" {
		t.Fatalf("%s %+v", resp.Fatal, resp.Problems)
	}
	first := c.local["app/lib"].pkg
	c.check(request{GoVersion: "go1.22", Files: main, Imports: []sourcePackage{lib}})
	if c.local["app/lib"].pkg != first {
		t.Fatal("the unchanged package was checked again")
	}
	lib.Files[0].Contents = "package lib\n\nfunc Twice(n int) string { return undefinedName }\n"
	resp = c.check(request{GoVersion: "go1.22", Files: main, Imports: []sourcePackage{lib}})
	if len(resp.Problems) != 1 || resp.Problems[0].File != "app/lib/lib.go" || resp.Problems[0].Code != "UndeclaredName" {
		t.Fatalf("%+v", resp.Problems)
	}
}
