package convention

import (
	"os"
	"path/filepath"
	"testing"
)

// allowed are the places that may break a rule: file, rule and the
// offending text, for every line of that file showing it. It is empty:
// every place is fixed. An entry that matches nothing fails the test.
var allowed = []allow{}

// TestConventions checks every non-test Go file of the module.
func TestConventions(t *testing.T) {
	root, pkgs, exports := module(t)
	layoutSrc, err := os.ReadFile(filepath.Join(root, "internal", "layout", "layout.go"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := newChecker(root, exports, layoutSrc)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		if err := c.checkPackage(p.ImportPath, p.Name, p.Dir, p.GoFiles, p.IgnoredGoFiles); err != nil {
			t.Fatal(err)
		}
	}
	bad, stale := sift(c.found, allowed)
	for _, v := range bad {
		t.Error(v)
	}
	for _, a := range stale {
		t.Errorf("allow-list entry %q matches nothing now: remove it", a)
	}
}
