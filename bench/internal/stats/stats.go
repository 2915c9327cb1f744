// Package stats reduces repeated measurements to medians, compares
// implementations as ratios, and renders the result as a markdown table.
package stats

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// Median returns the median of xs (the mean of the two middle values for an
// even count), or NaN when xs is empty. xs is not modified.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// Percentile returns the p-th percentile of xs by the nearest rank (the
// smallest sample that at least p% of the samples do not exceed: p95 of 20
// samples is the 19th smallest), or NaN when xs is empty. xs is not
// modified.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	k := int(math.Ceil(p / 100 * float64(len(s))))
	return s[min(max(k, 1), len(s))-1]
}

// Ratio returns ours/peer, or NaN when either is missing (NaN) or peer is 0
// while ours is not. 0/0 is 1: both did nothing.
func Ratio(ours, peer float64) float64 {
	switch {
	case math.IsNaN(ours) || math.IsNaN(peer):
		return math.NaN()
	case peer == 0 && ours == 0:
		return 1
	case peer == 0:
		return math.NaN()
	}
	return ours / peer
}

// Value formats a measurement with about three significant digits and
// thousands separators; NaN is "—".
func Value(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v):
		return "—"
	case a >= 1000:
		return group(strconv.FormatFloat(v, 'f', 0, 64))
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1 || a == 0:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

// RatioText formats a ratio as "0.53×"; NaN is "—".
func RatioText(r float64) string {
	switch {
	case math.IsNaN(r):
		return "—"
	case r >= 100:
		return strconv.FormatFloat(r, 'f', 0, 64) + "×"
	case r >= 10:
		return strconv.FormatFloat(r, 'f', 1, 64) + "×"
	}
	return strconv.FormatFloat(r, 'f', 2, 64) + "×"
}

// group inserts thousands separators into an integer string.
func group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
