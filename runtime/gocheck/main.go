// Command gocheck type-checks a generated Forst module with Go's own type checker (go/types), for `forst check`,
// `forst generate`, start() and every hot reload. It is built once per Go toolchain into the user's cache and kept
// running: requests arrive as JSON values on stdin, one answer per request goes to stdout as one JSON line.
//
// A request holds the files of the module's package main (contents, not paths: nothing is written for a check), the
// packages of the module it imports (the Forst runtime), also as source, and the language version;
// the answer lists every problem with its byte offsets in the Go file it is in, go/types' error code name, Go's
// message and, where one is known, a help line (did-you-mean for misspelled names and selectors, expected and found
// types). The Forst side maps offsets back to .ft positions and codes to Forst codes.
//
// Imported packages are read from compiled export data (the gc importer): `go list -export` names the files once, the
// list is kept on disk next to the binary, so a fresh process reads export data directly without running `go`.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

type sourceFile struct {
	Name     string `json:"name"`
	Contents string `json:"contents"`
}

type request struct {
	// GoVersion is the language version to check against ("go1.26").
	GoVersion string       `json:"goVersion"`
	Files     []sourceFile `json:"files"`
	// Imports are packages of the module itself that Files import, by import path, in an order in which each imports
	// only standard-library packages and earlier ones.
	Imports []sourcePackage `json:"imports"`
}

// sourcePackage is a package of the module given as source. Its problems are reported with file names
// "<import path>/<file name>".
type sourcePackage struct {
	Path  string       `json:"path"`
	Files []sourceFile `json:"files"`
}

// problem is one error, positioned in a Go file of the request by byte offsets.
type problem struct {
	File   string `json:"file"`
	Offset int    `json:"offset"`
	End    int    `json:"end"`
	// Code is go/types' error code name ("UndeclaredName"), or "SyntaxError" for go/parser errors.
	Code    string `json:"code"`
	Message string `json:"message"`
	Help    string `json:"help,omitempty"`
}

type response struct {
	Problems []problem `json:"problems"`
	// Fatal is set when the check itself could not run (export data missing and `go list` failing, ...).
	Fatal string `json:"fatal,omitempty"`
	Ms    int64  `json:"ms"`
}

func main() {
	goCmd := os.Getenv("FORST_GOCHECK_GO")
	if goCmd == "" {
		goCmd = "go"
	}
	exports := newExportIndex(goCmd, os.Getenv("FORST_GOCHECK_CACHE"))
	checker := newChecker(exports)
	in := json.NewDecoder(bufio.NewReaderSize(os.Stdin, 1<<20))
	out := bufio.NewWriter(os.Stdout)
	for {
		var req request
		if err := in.Decode(&req); err != nil {
			if err != io.EOF {
				fmt.Fprintf(os.Stderr, "gocheck: bad request: %v\n", err)
			}
			return
		}
		resp := checker.check(req)
		if resp.Problems == nil {
			resp.Problems = []problem{}
		}
		line, err := json.Marshal(resp)
		if err != nil {
			line, _ = json.Marshal(response{Problems: []problem{}, Fatal: err.Error()})
		}
		out.Write(line)
		out.WriteByte('\n')
		if err := out.Flush(); err != nil {
			return
		}
	}
}
