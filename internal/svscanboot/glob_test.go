package svscanboot

import (
	"os"
	"reflect"
	"testing"
)

func TestLeftovers(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"b", "a", ".hidden", "c/log", "a/log"} {
		if err := os.MkdirAll(dir+"/"+d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(dir+"/.svscan.lock", nil, 0o644)
	os.WriteFile(dir+"/plain", nil, 0o644)
	os.Symlink("/nonexistent", dir+"/b/log")
	mains, logs := Leftovers(dir)
	if want := []string{dir + "/a", dir + "/b", dir + "/c", dir + "/plain"}; !reflect.DeepEqual(mains, want) {
		t.Errorf("mains %q, want %q", mains, want)
	}
	if want := []string{dir + "/a/log", dir + "/b/log", dir + "/c/log"}; !reflect.DeepEqual(logs, want) {
		t.Errorf("logs %q, want %q", logs, want)
	}
	empty := t.TempDir()
	mains, logs = Leftovers(empty)
	if !reflect.DeepEqual(mains, []string{empty + "/*"}) || !reflect.DeepEqual(logs, []string{empty + "/*/log"}) {
		t.Errorf("no match: %q %q", mains, logs)
	}
}
