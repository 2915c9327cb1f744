package stats

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{7}, 7},
		{[]float64{5, 5, 1, 9, 5}, 5},
	} {
		in := append([]float64(nil), c.in...)
		if got := Median(in); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", c.in, got, c.want)
		}
		for i := range in {
			if in[i] != c.in[i] {
				t.Fatalf("Median reordered its input: %v", in)
			}
		}
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("Median(nil) is not NaN")
	}
}

func TestPercentile(t *testing.T) {
	var twenty []float64
	for i := 20; i >= 1; i-- {
		twenty = append(twenty, float64(i))
	}
	for _, c := range []struct {
		in   []float64
		p    float64
		want float64
	}{
		{twenty, 95, 19},
		{twenty, 50, 10},
		{twenty, 100, 20},
		{twenty, 0, 1},
		{[]float64{5, 1, 3}, 95, 5},
		{[]float64{5, 1, 3}, 50, 3},
		{[]float64{7}, 95, 7},
	} {
		if got := Percentile(c.in, c.p); got != c.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", c.in, c.p, got, c.want)
		}
	}
	if twenty[0] != 20 {
		t.Error("Percentile reordered its input")
	}
	if !math.IsNaN(Percentile(nil, 95)) {
		t.Error("Percentile(nil) is not NaN")
	}
}

func TestRatio(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct{ ours, peer, want float64 }{
		{1, 2, 0.5},
		{3, 1.5, 2},
		{0, 0, 1},
	} {
		if got := Ratio(c.ours, c.peer); got != c.want {
			t.Errorf("Ratio(%v, %v) = %v, want %v", c.ours, c.peer, got, c.want)
		}
	}
	for _, c := range [][2]float64{{nan, 1}, {1, nan}, {1, 0}} {
		if got := Ratio(c[0], c[1]); !math.IsNaN(got) {
			t.Errorf("Ratio(%v, %v) = %v, want NaN", c[0], c[1], got)
		}
	}
}

func TestValue(t *testing.T) {
	for v, want := range map[float64]string{
		1234567: "1,234,567", 1000: "1,000", 999.6: "1000", 123.4: "123", 12.34: "12.3",
		1.234: "1.23", 0: "0.00", 0.01234: "0.0123", -2500: "-2,500",
	} {
		if got := Value(v); got != want {
			t.Errorf("Value(%v) = %q, want %q", v, got, want)
		}
	}
	if got := Value(math.NaN()); got != "—" {
		t.Errorf("Value(NaN) = %q", got)
	}
	for r, want := range map[float64]string{0.534: "0.53×", 12.34: "12.3×", 250: "250×"} {
		if got := RatioText(r); got != want {
			t.Errorf("RatioText(%v) = %q, want %q", r, got, want)
		}
	}
}

func TestTableMarkdown(t *testing.T) {
	tb := &Table{Title: "T", Columns: []string{"ours", "peer", "other"}, Ours: "ours", Peers: []string{"peer", "other"}}
	r := tb.Row("bench", "ms", true)
	for _, v := range []float64{1, 3, 2} {
		r.Add("ours", v)
	}
	for _, v := range []float64{4, 4, 5} {
		r.Add("peer", v)
	}
	if tb.Row("bench", "ms", true) != r {
		t.Fatal("Row did not return the existing row")
	}
	var b bytes.Buffer
	tb.Markdown(&b)
	out := b.String()
	for _, want := range []string{
		"| benchmark | metric | ours | peer | other | ours/peer | ours/other |",
		"| bench | ms ↓ | 2.00 | 4.00 | — | 0.50× | — |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	tb.Samples(&b)
	if !strings.Contains(b.String(), "ours [1.00, 3.00, 2.00]; peer [4.00, 4.00, 5.00]") {
		t.Errorf("samples: %s", b.String())
	}
}
