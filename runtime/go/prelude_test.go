//go:build forsttest

package forst

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestForstAsConvertsJSONValues(t *testing.T) {
	if got := As[[]float64]([]any{1.0, 2.0, 2.0}, "v"); !reflect.DeepEqual(got, []float64{1, 2, 2}) {
		t.Fatalf("[]float64: %v", got)
	}
	if got := As[[]int]([]any{1.0, 2.0}, "v"); !reflect.DeepEqual(got, []int{1, 2}) {
		t.Fatalf("[]int: %v", got)
	}
	if got := As[map[string][]string](map[string]any{"a": []any{"x"}}, "v"); !reflect.DeepEqual(got, map[string][]string{"a": {"x"}}) {
		t.Fatalf("map: %v", got)
	}
	type point struct {
		X int `json:"x"`
	}
	if got := As[point](map[string]any{"x": 3.0}, "v"); got.X != 3 {
		t.Fatalf("struct: %v", got)
	}
	if got := As[string]("s", "v"); got != "s" {
		t.Fatalf("string: %v", got)
	}
	if got := As[[]float64](nil, "v"); got != nil {
		t.Fatalf("nil slice: %v", got)
	}
}

func TestForstAsFailsAsInvalidInput(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{"many", "expected []float64, got string"},
		{[]any{1.0, "x"}, "at v[1]: expected float64, got string"},
		{nil, "expected int, got null"},
	}
	for _, c := range cases {
		func() {
			defer func() {
				var input *InputError
				err, _ := recover().(error)
				if !errors.As(err, &input) || input.Error() == "" || !strings.Contains(input.Error(), c.want) {
					t.Errorf("%v: panic %v, want invalid input %q", c.v, err, c.want)
				}
			}()
			switch c.want {
			case "expected int, got null":
				As[int](c.v, "v")
			default:
				As[[]float64](c.v, "v")
			}
		}()
	}
}
