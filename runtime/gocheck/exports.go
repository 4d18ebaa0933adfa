package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// exportIndex knows where the compiled export data of each standard-library package is (files in the Go build cache,
// found with `go list -export`). The index is saved to disk so that the next process skips `go list` (about 0.3 s).
type exportIndex struct {
	goCmd string
	file  string // where the index is saved; "" keeps it in memory only
	mu    sync.Mutex
	paths map[string]string
}

func newExportIndex(goCmd, cacheDir string) *exportIndex {
	x := &exportIndex{goCmd: goCmd, paths: map[string]string{}}
	if cacheDir != "" {
		x.file = filepath.Join(cacheDir, "exports.json")
		if data, err := os.ReadFile(x.file); err == nil {
			_ = json.Unmarshal(data, &x.paths)
		}
	}
	return x
}

// ensure makes sure every import path (and its dependencies) has an export file that still exists, running one
// `go list` for all that are missing.
func (x *exportIndex) ensure(paths []string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	var missing []string
	for _, p := range paths {
		if p == "unsafe" || p == "C" {
			continue
		}
		f, ok := x.paths[p]
		if !ok {
			missing = append(missing, p)
			continue
		}
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, p) // the build cache was trimmed
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	args := append([]string{"list", "-e", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}\t{{with .Error}}{{.Err}}{{end}}"}, missing...)
	cmd := exec.Command(x.goCmd, args...)
	// Standard-library packages need no module: GOPATH mode, no GOFLAGS of the user's (module flags would fail it).
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "CGO_ENABLED=0", "GOFLAGS=", "GO111MODULE=off")
	cmd.Dir = os.TempDir()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("`go list -export` failed: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), "\t", 3)
		if len(parts) == 3 && parts[1] != "" {
			x.paths[parts[0]] = parts[1]
		}
	}
	x.save()
	return nil
}

// save writes the index atomically (a temporary file renamed over the old one); failures only cost speed.
func (x *exportIndex) save() {
	if x.file == "" {
		return
	}
	data, err := json.Marshal(x.paths)
	if err != nil {
		return
	}
	tmp := fmt.Sprintf("%s.tmp%d", x.file, os.Getpid())
	if os.WriteFile(tmp, data, 0o600) == nil {
		_ = os.Rename(tmp, x.file)
	}
}

func (x *exportIndex) lookup(path string) (io.ReadCloser, error) {
	x.mu.Lock()
	f, ok := x.paths[path]
	x.mu.Unlock()
	if !ok {
		if err := x.ensure([]string{path}); err != nil {
			return nil, err
		}
		x.mu.Lock()
		f, ok = x.paths[path]
		x.mu.Unlock()
		if !ok {
			return nil, fmt.Errorf("no export data for %q (is it a standard-library package?)", path)
		}
	}
	return os.Open(f)
}

// newImporter is the gc importer reading export data through the index. One importer per FileSet: it caches the
// packages it has read, which is what makes a warm check fast.
func (x *exportIndex) newImporter(fset *token.FileSet) types.Importer {
	return importer.ForCompiler(fset, "gc", x.lookup)
}
