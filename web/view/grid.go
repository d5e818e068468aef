package view

import "fmt"

// RowName names field of row i of an editable table: "s-3-start".
func RowName(prefix string, i int, field string) string {
	return fmt.Sprintf("%s-%d-%s", prefix, i, field)
}

// RowLabel is a column label with the row number, for screen readers.
func RowLabel(label string, i int) string { return fmt.Sprintf("%s (%d)", label, i+1) }

// Rows returns 0..n-1, for ranging over the rows of an editable table.
func Rows(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
