package man

import (
	"bytes"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/russross/blackfriday/v2"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

// svctlHelp runs svctl with args and returns its standard output, which
// must come with exit code 0.
func svctlHelp(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(testutil.Bin(t, "svctl"), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("svctl %q: %v %s", args, err, stderr.Bytes())
	}
	return stdout.String()
}

var (
	// A verb line of svctl's overview: two spaces, then verbs joined by
	// " | ", then their arguments.
	overviewRE = regexp.MustCompile(`(?m)^  ([a-z0-9]+(?: \| [a-z0-9]+)*)(?: |$)`)
	optionRE   = regexp.MustCompile(`-{1,2}[a-z]+`)
	codesRE    = regexp.MustCompile(`(?s)Exit codes[^:]*:(.*)`)
	numberRE   = regexp.MustCompile(`\b\d+\b`)
)

// svctl's help and its page say the same: the verbs of `svctl help` are
// the page's (each a term of DESCRIPTION or a subsection), and the page
// has no other; every option a verb's usage line shows is a term of
// OPTIONS, and OPTIONS has no option that no verb shows (but --help);
// `svctl VERB --help` prints what `svctl help VERB` prints; and every
// exit code a verb's help names is in EXIT STATUS.
func TestSvctlHelpMatchesPage(t *testing.T) {
	ps := pages(t)
	_, desc, ok := find(t, ps, "svctl", "DESCRIPTION")
	if !ok {
		return
	}
	p, opts, _ := find(t, ps, "svctl", "OPTIONS")
	_, exit, _ := find(t, ps, "svctl", "EXIT STATUS")
	var exitText strings.Builder
	for _, n := range exit {
		exitText.WriteString(text(n) + " ")
	}
	described := terms(desc)
	var headings []string // the subsections of DESCRIPTION
	for _, n := range desc {
		if n.Type == blackfriday.Heading {
			headings = append(headings, text(n))
		}
	}

	var verbs []string
	for _, m := range overviewRE.FindAllStringSubmatch(svctlHelp(t, "help"), -1) {
		for _, v := range strings.Split(m[1], " | ") {
			if v != "help" && v != "usage" {
				verbs = append(verbs, v)
			}
		}
	}
	if len(verbs) < 18 {
		t.Fatalf("svctl help lists %d verbs: %q", len(verbs), verbs)
	}
	shown := map[string]bool{}
	for _, v := range verbs {
		if !slices.Contains(described, v) && !slices.Contains(headings, v) {
			t.Errorf("%s: DESCRIPTION does not document the verb %s (terms %q, subsections %q)", p.path, v, described, headings)
		}
		help := svctlHelp(t, "help", v)
		if got := svctlHelp(t, v, "--help"); got != help {
			t.Errorf("svctl %s --help:\n%s\nsvctl help %s:\n%s", v, got, v, help)
		}
		usage, _, _ := strings.Cut(help, "\n")
		if !strings.HasPrefix(usage, "usage: svctl "+v) {
			t.Errorf("svctl help %s: first line %q", v, usage)
		}
		for _, o := range optionRE.FindAllString(strings.TrimPrefix(usage, "usage: svctl "+v), -1) {
			shown[o] = true
			if !slices.Contains(terms(opts), o) {
				t.Errorf("%s: OPTIONS does not document %s (svctl %s)", p.path, o, usage)
			}
		}
		if m := codesRE.FindStringSubmatch(help); m != nil {
			for _, code := range numberRE.FindAllString(m[1], -1) {
				if !regexp.MustCompile(`(^|\D)` + code + `(\D|$)`).MatchString(exitText.String()) {
					t.Errorf("%s: EXIT STATUS does not name %s, which svctl help %s does", p.path, code, v)
				}
			}
		} else {
			t.Errorf("svctl help %s names no exit code", v)
		}
	}
	for _, o := range terms(opts) {
		if o != "--help" && !shown[o] {
			t.Errorf("%s: OPTIONS documents %s, which no verb of svctl help shows", p.path, o)
		}
	}
	for _, d := range described {
		if d == strings.ToUpper(d) { // GET /metrics...: serve's endpoints, not verbs
			continue
		}
		if !slices.Contains(verbs, d) {
			t.Errorf("%s: DESCRIPTION documents %s, which is no verb of svctl help", p.path, d)
		}
	}
	for _, h := range headings { // a subsection named in lower case is a verb's
		if h == strings.ToLower(h) && !slices.Contains(verbs, h) {
			t.Errorf("%s: DESCRIPTION has a subsection %q, which is no verb of svctl help", p.path, h)
		}
	}
}
