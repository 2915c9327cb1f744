package diag

import (
	"bytes"
	"os"
	"testing"
)

func TestLines(t *testing.T) {
	var b bytes.Buffer
	l := Logger{Prog: "setlock", W: &b}
	_, err := os.Open("nonexistent/lock")
	l.Fatal("unable to open nonexistent/lock", Err(err))
	l.Warn("unable to chdir to x", Err(err))
	l.Usage("setlock [ -nNxX ] file program [ arg ... ]")
	want := "setlock: fatal: unable to open nonexistent/lock: file does not exist\n" +
		"setlock: warning: unable to chdir to x: file does not exist\n" +
		"setlock: usage: setlock [ -nNxX ] file program [ arg ... ]\n"
	if b.String() != want {
		t.Errorf("got %q", b.String())
	}
}
