package zmq_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/purezmq/zmq"

// TestLayering keeps imports pointing down (DESIGN.md §1): the codec depends on the standard
// library alone, the library on nothing outside golang.org/x, and the upper layers on the
// public API only.
func TestLayering(t *testing.T) {
	rules := []struct {
		dir   string
		allow func(imp string) bool
		why   string
		skip  []string // subdirectories with their own rule
	}{
		{"zmtp", func(imp string) bool { return stdlib(imp) || strings.HasPrefix(imp, "golang.org/x/crypto") }, "the codec is pure", nil},
		{"internal", func(imp string) bool { return stdlib(imp) || libraryPath(imp) && imp != module }, "internals never import the API", nil},
		{".", func(imp string) bool { return stdlib(imp) || libraryPath(imp) }, "the core stays on the standard library", nil},
		{"cli", upper, "upper layers use the public API", nil},
		{"perf", upper, "upper layers use the public API", nil},
		{"cmd", upper, "upper layers use the public API", nil},
		{"rpc", upper, "upper layers use the public API", nil},
		// Only redisreg may link go-redis: a user of the memory or file registry never does.
		{"rpc/registry", func(imp string) bool { return stdlib(imp) || strings.HasPrefix(imp, module+"/") },
			"the registry package uses the standard library only", []string{"redisreg"}},
		// Nor may rpc, but for the Redis dedup store: a user of rpc without Redis never links it.
		{"rpc", func(imp string) bool { return upper(imp) && !strings.HasPrefix(imp, "github.com/redis/") },
			"only redisreg and redisdedup use go-redis", []string{"redisreg", "redisdedup"}},
	}
	for _, r := range rules {
		err := filepath.WalkDir(r.dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if r.dir == "." && path != "." {
					return filepath.SkipDir // the root rule covers the root package alone
				}
				if d.Name() == "testdata" || slices.Contains(r.skip, d.Name()) {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			for _, s := range f.Imports {
				imp := strings.Trim(s.Path.Value, `"`)
				if imp == "C" {
					t.Errorf("%s imports C: the library is pure Go", path)
				}
				if !r.allow(imp) {
					t.Errorf("%s imports %s: %s", path, imp, r.why)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func stdlib(imp string) bool { return !strings.Contains(strings.Split(imp, "/")[0], ".") }

// libraryPath: the module's own packages below the upper layers, and golang.org/x.
func libraryPath(imp string) bool {
	if strings.HasPrefix(imp, "golang.org/x/") {
		return true
	}
	if imp == module || strings.HasPrefix(imp, module+"/internal/") || strings.HasPrefix(imp, module+"/zmtp") ||
		imp == module+"/curve" || imp == module+"/z85" { // the public leaf helpers (keys for CURVE options)
		return true
	}
	return false
}

// upper: anything but the library's internals. internal/freeport is no part of the library: it
// picks ports for the servers the upper layers' test harnesses start (Redis, RabbitMQ).
func upper(imp string) bool {
	return !strings.HasPrefix(imp, module+"/internal/") || imp == module+"/internal/freeport"
}
