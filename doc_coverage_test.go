package zmq_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDocComments fails for every exported identifier of a library package that has no doc
// comment. Library packages are every non-main package of this module outside internal/,
// examples/, cmd/ and testdata/ (the interop and bench modules are not this module). The rule:
//   - funcs, types, and methods of exported types need a comment above them;
//   - a const or var alone in its declaration may use the declaration's comment; one inside a
//     parenthesised block with other names needs its own comment, above it or at the end of
//     its line, because each name has its own meaning (and libzmq name);
//   - exported fields of exported structs and methods of exported interfaces need one too
//     (above or at the line's end); fields are part of the API a user fills in or reads.
func TestDocComments(t *testing.T) {
	dirs, err := libraryDirs(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 5 {
		t.Fatalf("found only %d library packages (%v): the walk is broken", len(dirs), dirs)
	}
	t.Logf("library packages: %v", dirs)
	for _, dir := range dirs {
		missing, err := undocumented(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range missing {
			t.Errorf("%s: %s has no doc comment", m.pos, m.name)
		}
	}
}

// TestDocCommentsRule runs the checker on a fixture whose undocumented names are known, so the
// rule above cannot quietly stop finding anything.
func TestDocCommentsRule(t *testing.T) {
	missing, err := undocumented(filepath.Join("testdata", "doccheck"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range missing {
		got = append(got, m.name)
	}
	want := []string{"Bare", "Bare.Method", "T.Field", "I.Do", "GroupB", "BareVar", "BareConst"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("undocumented(fixture) = %v, want %v", got, want)
	}
}

type missingDoc struct {
	pos  token.Position
	name string
}

// libraryDirs lists the directories under root holding a library package of this module.
func libraryDirs(root string) ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if path != root {
			switch name := d.Name(); {
			case name == "internal" || name == "examples" || name == "cmd" || name == "testdata",
				strings.HasPrefix(name, "."):
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		files, err := parseDir(token.NewFileSet(), path, parser.PackageClauseOnly)
		if err == nil && len(files) > 0 && files[0].Name.Name != "main" {
			dirs = append(dirs, path)
		}
		return err
	})
	return dirs, err
}

// parseDir parses the non-test Go files of dir.
func parseDir(fset *token.FileSet, dir string, mode parser.Mode) ([]*ast.File, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, mode)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// undocumented returns the exported identifiers of the package in dir that break the rule of
// TestDocComments, in file and line order.
func undocumented(dir string) ([]missingDoc, error) {
	fset := token.NewFileSet()
	files, err := parseDir(fset, dir, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var out []missingDoc
	miss := func(n ast.Node, name string) { out = append(out, missingDoc{fset.Position(n.Pos()), name}) }
	for _, f := range files {
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				checkFunc(d, miss)
			case *ast.GenDecl:
				checkGen(d, miss)
			}
		}
	}
	return out, nil // files and their declarations come in name and line order
}

func checkFunc(d *ast.FuncDecl, miss func(ast.Node, string)) {
	if !d.Name.IsExported() {
		return
	}
	name := d.Name.Name
	if d.Recv != nil {
		recv := receiverType(d.Recv.List[0].Type)
		if !ast.IsExported(recv) {
			return
		}
		name = recv + "." + name
	}
	if d.Doc == nil {
		miss(d, name)
	}
}

// receiverType is the type name of a receiver: T, *T, T[P] or *T[P].
func receiverType(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return fmt.Sprintf("%T", e)
		}
	}
}

func checkGen(d *ast.GenDecl, miss func(ast.Node, string)) {
	grouped := d.Lparen.IsValid() && len(d.Specs) > 1
	for _, spec := range d.Specs {
		switch s := spec.(type) {
		case *ast.TypeSpec:
			if !s.Name.IsExported() {
				continue
			}
			if s.Doc == nil && (grouped || d.Doc == nil) {
				miss(s, s.Name.Name)
			}
			checkMembers(s, miss)
		case *ast.ValueSpec:
			documented := s.Doc != nil || s.Comment != nil || !grouped && d.Doc != nil
			for _, n := range s.Names {
				if n.IsExported() && !documented {
					miss(n, n.Name)
				}
			}
		}
	}
}

// checkMembers checks the exported fields of a struct type and the methods of an interface.
func checkMembers(s *ast.TypeSpec, miss func(ast.Node, string)) {
	var fields *ast.FieldList
	switch t := s.Type.(type) {
	case *ast.StructType:
		fields = t.Fields
	case *ast.InterfaceType:
		fields = t.Methods
	default:
		return
	}
	for _, f := range fields.List {
		if f.Doc != nil || f.Comment != nil {
			continue
		}
		for _, n := range f.Names {
			if n.IsExported() {
				miss(n, s.Name.Name+"."+n.Name)
			}
		}
	}
}
