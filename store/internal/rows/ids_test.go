package rows

import (
	"encoding/json"
	"reflect"
	"testing"
)

var idSamples = []string{
	"[]", "[1]", "[1,2,3]", "[-7,0,9223372036854775807,-9223372036854775808]",
	"[[]]", "[[1,2],[3]]", "[[1],[],[2,3,4]]", "[[0]]",
	"null", "", "[", "]", "[1,]", "[,1]", "[1 ,2]", "[ 1]", " [1]", "[1] ", "[01]", "[+1]", "[1.0]", "[1e3]",
	"[-]", "[--1]", "[-0]", "[9223372036854775808]", "[\"1\"]", "[[1],2]", "[1,[2]]", "[[1]", "[[1]]]", "[[1],[2]] ",
	"[[1],,[2]]", "{}", "[true]",
}

func FuzzIDsReadAsEncodingJSONDoes(f *testing.F) {
	for _, s := range idSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var want []int64
		wantErr := json.Unmarshal([]byte(raw), &want)
		got, err := IDs(raw)
		if (err == nil) != (wantErr == nil) || err == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("IDs(%q) = %#v, %v; encoding/json gives %#v, %v", raw, got, err, want, wantErr)
		}
		var wantLists [][]int64
		wantErr = json.Unmarshal([]byte(raw), &wantLists)
		lists, err := IDLists(raw)
		if (err == nil) != (wantErr == nil) || err == nil && !reflect.DeepEqual(lists, wantLists) {
			t.Errorf("IDLists(%q) = %#v, %v; encoding/json gives %#v, %v", raw, lists, err, wantLists, wantErr)
		}
	})
}

// The store's own forms are read without encoding/json.
func TestIDsReadTheStoresFormsDirectly(t *testing.T) {
	if _, end, ok := scanIDs("[1,-2,30]", 0); !ok || end != 9 {
		t.Errorf("[1,-2,30] not read directly")
	}
	if _, ok := scanIDLists("[[1,2],[],[3]]"); !ok {
		t.Errorf("[[1,2],[],[3]] not read directly")
	}
	got, err := IDLists("[[1,2],[],[3]]")
	if err != nil || !reflect.DeepEqual(got, [][]int64{{1, 2}, {}, {3}}) {
		t.Errorf("IDLists = %#v, %v", got, err)
	}
}

func BenchmarkIDs(b *testing.B) {
	raw := "[[702651980198438,702651980198439,702651980198440,702651980198441]]"
	b.Run("direct", func(b *testing.B) {
		for range b.N {
			if _, err := IDLists(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for range b.N {
			var out [][]int64
			if err := json.Unmarshal([]byte(raw), &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}
