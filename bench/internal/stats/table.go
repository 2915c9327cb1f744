package stats

import (
	"fmt"
	"io"
	"strings"
)

// Row is one benchmark figure measured on several implementations.
type Row struct {
	Bench   string               // what was run, e.g. "log 80 B lines"
	Metric  string               // what was measured, with its unit
	Lower   bool                 // lower is better (times, CPU, memory)
	Neutral bool                 // neither is better (a rate that is a policy)
	Samples map[string][]float64 // implementation -> one value per repetition
}

// Add records one sample for impl.
func (r *Row) Add(impl string, v float64) {
	if r.Samples == nil {
		r.Samples = map[string][]float64{}
	}
	r.Samples[impl] = append(r.Samples[impl], v)
}

// Median is the median sample of impl (NaN if it has none).
func (r *Row) Median(impl string) float64 { return Median(r.Samples[impl]) }

// Table is a section of the report: its rows share the columns.
type Table struct {
	Title   string
	Columns []string // implementations shown, in order
	Ours    string   // the column the ratios are taken of
	Peers   []string // the columns ours is compared with
	Rows    []*Row
	Notes   []string
}

// Row returns the row for bench and metric, creating it at the end.
func (t *Table) Row(bench, metric string, lower bool) *Row {
	for _, r := range t.Rows {
		if r.Bench == bench && r.Metric == metric {
			return r
		}
	}
	r := &Row{Bench: bench, Metric: metric, Lower: lower}
	t.Rows = append(t.Rows, r)
	return r
}

// Markdown writes the table of medians and ratios.
func (t *Table) Markdown(w io.Writer) {
	fmt.Fprintf(w, "### %s\n\n", t.Title)
	head := []string{"benchmark", "metric"}
	head = append(head, t.Columns...)
	for _, p := range t.Peers {
		head = append(head, t.Ours+"/"+p)
	}
	line(w, head)
	sep := make([]string, len(head))
	for i := range sep {
		sep[i] = "---"
		if i >= 2 {
			sep[i] = "--:"
		}
	}
	line(w, sep)
	for _, r := range t.Rows {
		arrow := " ↑"
		switch {
		case r.Neutral:
			arrow = ""
		case r.Lower:
			arrow = " ↓"
		}
		cells := []string{r.Bench, r.Metric + arrow}
		for _, c := range t.Columns {
			cells = append(cells, Value(r.Median(c)))
		}
		for _, p := range t.Peers {
			cells = append(cells, RatioText(Ratio(r.Median(t.Ours), r.Median(p))))
		}
		line(w, cells)
	}
	fmt.Fprintln(w)
	for _, n := range t.Notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
	if len(t.Notes) > 0 {
		fmt.Fprintln(w)
	}
}

// Samples writes every sample, for the record.
func (t *Table) Samples(w io.Writer) {
	fmt.Fprintf(w, "#### %s: samples\n\n", t.Title)
	for _, r := range t.Rows {
		var parts []string
		for _, c := range t.Columns {
			if s := r.Samples[c]; len(s) > 0 {
				vs := make([]string, len(s))
				for i, v := range s {
					vs[i] = Value(v)
				}
				parts = append(parts, c+" ["+strings.Join(vs, ", ")+"]")
			}
		}
		fmt.Fprintf(w, "- %s, %s: %s\n", r.Bench, r.Metric, strings.Join(parts, "; "))
	}
	fmt.Fprintln(w)
}

func line(w io.Writer, cells []string) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
}
