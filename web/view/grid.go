package view

import (
	"fmt"
	"strconv"

	"plenary/internal/i18n"
)

// RowName names field of row i of an editable table: "s-3-start".
func RowName(prefix string, i int, field string) string {
	return fmt.Sprintf("%s-%d-%s", prefix, i, field)
}

// RowLabel is a column label with the row number, for screen readers.
func RowLabel(t *i18n.Translator, label string, i int) string {
	return label + t.Paren(strconv.Itoa(i+1))
}

// Rows returns 0..n-1, for ranging over the rows of an editable table.
func Rows(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
