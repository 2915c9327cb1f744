package convention

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The rules, as violations name them.
const (
	ruleExit   = "exit"   // os.Exit outside a command's main, diag.Main, testutil.Main
	ruleAssert = "assert" // a type assertion on an error instead of errors.As
	ruleName   = "name"   // a service-directory name spelled outside package layout
)

// violation is one place that breaks a rule: file (relative to the module
// root) and line, and the text that breaks it (the string literal, or the
// source of the expression).
type violation struct {
	file string
	line int
	rule string
	text string
}

func (v violation) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", v.file, v.line, ruleText[v.rule], v.text)
}

var ruleText = map[string]string{
	ruleExit:   "os.Exit outside a command's main (return an error; diag.Main exits)",
	ruleAssert: "type assertion on an error (use errors.As)",
	ruleName:   "service-directory name spelled outside internal/layout (use the layout constant)",
}

// pkg is what `go list -json` says of a package.
type pkg struct {
	ImportPath, Dir, Name, Export string
	GoFiles, IgnoredGoFiles       []string
	Module                        *struct{ Main bool }
}

// module lists the packages of the module (with every dependency's export
// data, for the type checker) and returns the module root.
func module(t *testing.T) (root string, pkgs []pkg, exports map[string]string) {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out, err := exec.Command(goTool, "env", "GOMOD").Output()
	if err != nil || len(bytes.TrimSpace(out)) == 0 {
		t.Fatalf("go env GOMOD: %v %s", err, out)
	}
	root = filepath.Dir(string(bytes.TrimSpace(out)))
	cmd := exec.Command(goTool, "list", "-deps", "-export", "-json=ImportPath,Dir,Name,Export,GoFiles,IgnoredGoFiles,Module", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	exports = map[string]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if p.Export != "" {
			exports[p.ImportPath] = p.Export
		}
		if p.Module != nil && p.Module.Main {
			pkgs = append(pkgs, p)
		}
	}
	return root, pkgs, exports
}

// checker finds the violations in the packages of one module.
type checker struct {
	root     string
	fset     *token.FileSet
	importer types.Importer
	// Names of package layout: distinct ones (with '/', '.', '-' or '_')
	// wherever they stand, plain words only as file-system arguments.
	distinct, words map[string]bool
	found           []violation
}

func newChecker(root string, exports map[string]string, layoutSrc []byte) (*checker, error) {
	c := &checker{root: root, fset: token.NewFileSet(), distinct: map[string]bool{}, words: map[string]bool{}}
	c.importer = importer.ForCompiler(c.fset, "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(f)
	})
	names, err := layoutNames(layoutSrc)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if strings.ContainsAny(n, "/.-_") {
			c.distinct[n] = true
		} else {
			c.words[n] = true
		}
	}
	return c, nil
}

// layoutNames are the values of the string constants of package layout.
func layoutNames(src []byte) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "layout.go", src, 0)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			for _, v := range s.(*ast.ValueSpec).Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if n, err := strconv.Unquote(lit.Value); err == nil {
						names = append(names, n)
					}
				}
			}
		}
	}
	if len(names) == 0 {
		return nil, errors.New("no string constants in package layout")
	}
	return names, nil
}

// checkPackage checks the non-test files of a package: every file for
// os.Exit and names, the files of the default build for error assertions
// (those need types).
func (c *checker) checkPackage(importPath, name, dir string, goFiles, ignored []string) error {
	parse := func(names []string) ([]*ast.File, map[*ast.File][]byte, error) {
		var files []*ast.File
		srcs := map[*ast.File][]byte{}
		for _, n := range names {
			if strings.HasSuffix(n, "_test.go") {
				continue
			}
			path := filepath.Join(dir, n)
			src, err := os.ReadFile(path)
			if err != nil {
				return nil, nil, err
			}
			f, err := parser.ParseFile(c.fset, path, src, parser.SkipObjectResolution)
			if err != nil {
				return nil, nil, err
			}
			files = append(files, f)
			srcs[f] = src
		}
		return files, srcs, nil
	}
	files, srcs, err := parse(goFiles)
	if err != nil {
		return err
	}
	others, otherSrcs, err := parse(ignored)
	if err != nil {
		return err
	}
	for f, s := range otherSrcs {
		srcs[f] = s
	}
	for _, f := range append(append([]*ast.File(nil), files...), others...) {
		c.checkExit(importPath, name, f)
		if !strings.HasSuffix(importPath, "/internal/layout") {
			c.checkNames(f)
		}
	}
	if len(files) == 0 {
		return nil
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	conf := types.Config{Importer: c.importer}
	if _, err := conf.Check(importPath, c.fset, files, info); err != nil {
		return fmt.Errorf("type-checking %s: %v", importPath, err)
	}
	for _, f := range files {
		c.checkAssertions(f, srcs[f], info)
	}
	return nil
}

// imports maps the names a file gives its imports to their paths.
func imports(f *ast.File) map[string]string {
	m := map[string]string{}
	for _, s := range f.Imports {
		path, _ := strconv.Unquote(s.Path.Value)
		name := path[strings.LastIndexByte(path, '/')+1:]
		if s.Name != nil {
			name = s.Name.Name
		}
		m[name] = path
	}
	return m
}

// pkgFunc reports the import path and name of a reference pkg.Name.
func pkgFunc(imp map[string]string, e ast.Expr) (path, name string) {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return "", ""
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return "", ""
	}
	return imp[id.Name], sel.Sel.Name
}

var exitPackages = map[string]bool{"os": true, "syscall": true, "golang.org/x/sys/unix": true}

// checkExit finds the uses of os.Exit (and syscall's and unix's): allowed
// in a package main, in diag.Main and in testutil.Main.
func (c *checker) checkExit(importPath, pkgName string, f *ast.File) {
	if pkgName == "main" {
		return
	}
	imp := imports(f)
	for _, d := range f.Decls {
		fn, _ := d.(*ast.FuncDecl)
		if fn != nil && fn.Recv == nil && fn.Name.Name == "Main" &&
			(strings.HasSuffix(importPath, "/internal/diag") || strings.HasSuffix(importPath, "/internal/testutil")) {
			continue
		}
		ast.Inspect(d, func(n ast.Node) bool {
			if e, ok := n.(ast.Expr); ok {
				if path, name := pkgFunc(imp, e); exitPackages[path] && name == "Exit" {
					c.add(e, ruleExit, path+".Exit")
					return false
				}
			}
			return true
		})
	}
}

// fsPackages are those whose functions take file names and paths.
var fsPackages = map[string]bool{"os": true, "syscall": true, "golang.org/x/sys/unix": true, "path/filepath": true, "path": true}

// checkNames finds the string literals that spell a layout name.
func (c *checker) checkNames(f *ast.File) {
	imp := imports(f)
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ImportSpec:
			return false
		case *ast.BasicLit:
			if s, ok := stringLit(n); ok && c.isDistinct(s) {
				c.add(n, ruleName, n.Value)
			}
		case *ast.CallExpr:
			if path, _ := pkgFunc(imp, n.Fun); fsPackages[path] {
				for _, a := range n.Args {
					if lit, ok := a.(*ast.BasicLit); ok {
						if s, ok := stringLit(lit); ok && c.words[s] {
							c.add(lit, ruleName, lit.Value)
						}
					}
				}
			}
		}
		return true
	})
}

func stringLit(lit *ast.BasicLit) (string, bool) {
	if lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// isDistinct reports whether s is, or ends with, a distinct layout name,
// or names something under supervise/. Prose (a literal with white space:
// a message, a note) is not checked.
func (c *checker) isDistinct(s string) bool {
	if strings.ContainsAny(s, " \t\n") {
		return false
	}
	if c.distinct[s] || strings.Contains(s, "supervise/") {
		return true
	}
	for d := range c.distinct {
		if strings.HasSuffix(s, "/"+d) {
			return true
		}
	}
	return false
}

// errorType is the interface every error type implements.
var errorType = types.Universe.Lookup("error").Type().Underlying().(*types.Interface)

// checkAssertions finds the type assertions and type switches whose
// operand is an error.
func (c *checker) checkAssertions(f *ast.File, src []byte, info *types.Info) {
	ast.Inspect(f, func(n ast.Node) bool {
		ta, ok := n.(*ast.TypeAssertExpr)
		if !ok {
			return true
		}
		tv, ok := info.Types[ta.X]
		if !ok {
			return true
		}
		if _, isIface := tv.Type.Underlying().(*types.Interface); isIface && types.Implements(tv.Type, errorType) {
			start, end := c.fset.Position(ta.Pos()).Offset, c.fset.Position(ta.End()).Offset
			text := string(src[start:end])
			if ta.Type == nil {
				text = string(src[start:c.fset.Position(ta.X.End()).Offset]) + ".(type)"
			}
			c.add(ta, ruleAssert, text)
		}
		return true
	})
}

func (c *checker) add(n ast.Node, rule, text string) {
	pos := c.fset.Position(n.Pos())
	file := pos.Filename
	if rel, err := filepath.Rel(c.root, file); err == nil {
		file = filepath.ToSlash(rel)
	}
	c.found = append(c.found, violation{file: file, line: pos.Line, rule: rule, text: text})
}

// allow is an allow-list entry: every violation of rule in file whose text
// is text.
type allow struct{ file, rule, text string }

// sift splits the violations into those not allowed and the allow-list
// entries that matched none.
func sift(found []violation, allowed []allow) (bad []violation, stale []allow) {
	used := map[allow]bool{}
	for _, v := range found {
		a := allow{v.file, v.rule, v.text}
		if contains(allowed, a) {
			used[a] = true
			continue
		}
		bad = append(bad, v)
	}
	for _, a := range allowed {
		if !used[a] {
			stale = append(stale, a)
		}
	}
	sort.Slice(bad, func(i, j int) bool {
		if bad[i].file != bad[j].file {
			return bad[i].file < bad[j].file
		}
		return bad[i].line < bad[j].line
	})
	return bad, stale
}

func contains(list []allow, a allow) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}
