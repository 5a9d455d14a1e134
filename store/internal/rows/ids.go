package rows

import (
	"encoding/json"
	"strconv"
)

// An attempt's question ids, its option orders and each answer's chosen
// options are kept as JSON arrays of integers, written by encoding/json
// (or SQLite's json functions) with no spaces. Every result page reads an
// attempt's twenty of each; encoding/json takes a few microseconds for each
// by reflection. IDs and IDLists read the form the store writes directly,
// and hand anything else to encoding/json, so that what they return, and
// whether they fail, is what encoding/json would give
// (FuzzIDsReadAsEncodingJSONDoes).

// IDs decodes a JSON array of integers.
func IDs(raw string) ([]int64, error) {
	if ids, end, ok := scanIDs(raw, 0); ok && end == len(raw) {
		return ids, nil
	}
	var ids []int64
	err := json.Unmarshal([]byte(raw), &ids)
	return ids, err
}

// IDLists decodes a JSON array of arrays of integers.
func IDLists(raw string) ([][]int64, error) {
	if lists, ok := scanIDLists(raw); ok {
		return lists, nil
	}
	var lists [][]int64
	err := json.Unmarshal([]byte(raw), &lists)
	return lists, err
}

// scanIDLists reads [[1,2],[3]] with nothing around it.
func scanIDLists(s string) ([][]int64, bool) {
	if len(s) < 2 || s[0] != '[' {
		return nil, false
	}
	if s == "[]" {
		return [][]int64{}, true
	}
	var out [][]int64
	for i := 1; ; {
		ids, end, ok := scanIDs(s, i)
		if !ok || end >= len(s) {
			return nil, false
		}
		out = append(out, ids)
		switch s[end] {
		case ',':
			i = end + 1
		case ']':
			return out, end == len(s)-1
		default:
			return nil, false
		}
	}
}

// scanIDs reads [1,-2,3] at s[i:] and returns where it ends. A number
// encoding/json would refuse or read otherwise (a sign +, a leading zero,
// a fraction or exponent, a space, one out of range) fails it.
func scanIDs(s string, i int) (ids []int64, end int, ok bool) {
	if i >= len(s) || s[i] != '[' {
		return nil, 0, false
	}
	i++
	if i < len(s) && s[i] == ']' {
		return []int64{}, i + 1, true
	}
	for {
		start := i
		if i < len(s) && s[i] == '-' {
			i++
		}
		digits := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		if i == digits || s[digits] == '0' && i-digits > 1 {
			return nil, 0, false
		}
		n, err := strconv.ParseInt(s[start:i], 10, 64)
		if err != nil {
			return nil, 0, false
		}
		ids = append(ids, n)
		if i >= len(s) {
			return nil, 0, false
		}
		switch s[i] {
		case ',':
			i++
		case ']':
			return ids, i + 1, true
		default:
			return nil, 0, false
		}
	}
}
