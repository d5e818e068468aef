package view

import (
	"strconv"
	"strings"

	"plenary/internal/domain"
)

// formIDs reads the co-located events a form names.
func formIDs(f Form) []int64 {
	var out []int64
	for _, v := range strings.Split(f.Get(domain.FieldColocated), ",") {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}
