// Forst prelude: what the code the compiler generates calls at run time (the runtime package; see server.go).
//
// It holds what generated code and the server share: the endpoint table's element type, argument decoding with
// JSON-path errors, the error types the server maps to HTTP statuses, and As, which gives the single-value Forst
// type assertion on JSON-decoded values ("input[\"numbers\"].([]float64)") the meaning its author intends: a
// structural conversion that fails as invalid input (HTTP 400), not as a crash. The comma-ok form v, ok := x.(T)
// keeps Go's meaning (a pure type test) and is not rewritten.

package forst

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
)

// Endpoint is one exposed function. New starts a call: DecodeArgs decodes the request body into it
// (problems are *InputError), its call method runs the function (errors it returned are *ReturnedError)
// and its EncodeResult method writes the result (json_body.go).
type Endpoint struct {
	Name   string
	Route  string
	Params []string
	New    func() Args
}

// InputError is bad input: malformed JSON, a wrong type, a missing argument, or a Forst type assertion on a
// JSON value that does not fit. The server answers 400 invalid_input.
type InputError struct {
	Function string
	Path     string
	Expected string
	Actual   string
	Message  string
	// Constraint is the Forst constraint the value broke (`Min(3)`, `required`), when one did.
	Constraint string
	// missing is the decoder's account of a missing required field, when that is the error.
	missing *forstMissingError
}

// details is what the error envelope's details carry for programs: the JSON path, and the constraint or the
// expected and actual types.
func (e *InputError) details() map[string]string {
	d := map[string]string{}
	for k, v := range map[string]string{"path": e.Path, "constraint": e.Constraint, "expected": e.Expected, "actual": e.Actual} {
		if v != "" {
			d[k] = v
		}
	}
	if len(d) == 0 {
		return nil
	}
	return d
}

func (e *InputError) Error() string {
	if e.Message != "" {
		return e.Message
	}
	if e.Path != "" {
		return fmt.Sprintf("at %s: expected %s, got %s", e.Path, e.Expected, e.Actual)
	}
	return fmt.Sprintf("expected %s, got %s", e.Expected, e.Actual)
}

// ReturnedError wraps an error the function returned. The server answers 500 returned_error.
type ReturnedError struct{ Err error }

func (e *ReturnedError) Error() string { return e.Err.Error() }
func (e *ReturnedError) Unwrap() error { return e.Err }

// forstArgError turns the error json.Unmarshal would have returned for argument param into invalid input naming the
// JSON path: `at input.records.id: expected string, got number`.
func forstArgError(fn, param string, err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		path := param
		if typeErr.Field != "" {
			path = param + "." + typeErr.Field
		}
		return &InputError{Function: fn, Path: path, Expected: forstTypeName(typeErr.Type), Actual: typeErr.Value}
	}
	var missing *forstMissingError
	if errors.As(err, &missing) {
		e := forstMissing(param+missing.at, missing.field, missing.expected)
		e.Function, e.missing = fn, missing
		return e
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return &InputError{Function: fn, Path: param, Message: fmt.Sprintf("malformed JSON in %s at byte %d: %v", param, syntaxErr.Offset, err)}
	}
	return &InputError{Function: fn, Path: param, Message: fmt.Sprintf("invalid %s: %v", param, err)}
}

// As is a Forst type assertion v.(T) on a dynamic value; expr is the asserted expression as written in the .ft
// file (input["numbers"]), so that the error names it. It panics with *InputError when v cannot be converted;
// the server turns that panic into 400 invalid_input.
func As[T any](v any, expr string) T {
	out, err := forstConvert[T](v, expr)
	if err != nil {
		panic(err)
	}
	return out
}

func forstConvert[T any](v any, expr string) (T, error) {
	if t, ok := v.(T); ok {
		return t, nil
	}
	var out T
	target := reflect.ValueOf(&out).Elem()
	if err := forstAssign(target, v, expr); err != nil {
		return out, err
	}
	return out, nil
}

// forstAssign converts a JSON-decoded value (nil, bool, float64, string, []any, map[string]any — or already typed
// values) into dst, recursively.
func forstAssign(dst reflect.Value, v any, path string) error {
	fail := func() error {
		return &InputError{Path: path, Expected: forstTypeName(dst.Type()), Actual: forstJSONKind(v)}
	}
	if v == nil {
		switch dst.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			dst.SetZero()
			return nil
		}
		return fail()
	}
	src := reflect.ValueOf(v)
	if src.Type().AssignableTo(dst.Type()) {
		dst.Set(src)
		return nil
	}
	switch dst.Kind() {
	case reflect.Interface:
		if src.Type().Implements(dst.Type()) {
			dst.Set(src)
			return nil
		}
		return fail()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f, ok := forstNumber(v)
		if !ok || f != float64(int64(f)) || dst.OverflowInt(int64(f)) {
			return fail()
		}
		dst.SetInt(int64(f))
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f, ok := forstNumber(v)
		if !ok || f < 0 || f != float64(uint64(f)) || dst.OverflowUint(uint64(f)) {
			return fail()
		}
		dst.SetUint(uint64(f))
		return nil
	case reflect.Float32, reflect.Float64:
		f, ok := forstNumber(v)
		if !ok {
			return fail()
		}
		dst.SetFloat(f)
		return nil
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return fail()
		}
		dst.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return fail()
		}
		dst.SetBool(b)
		return nil
	case reflect.Slice, reflect.Array:
		items, ok := v.([]any)
		if !ok {
			return fail()
		}
		if dst.Kind() == reflect.Array && len(items) != dst.Len() {
			return &InputError{Path: path, Expected: forstTypeName(dst.Type()), Actual: fmt.Sprintf("array of %d", len(items))}
		}
		if dst.Kind() == reflect.Slice {
			if forstFastSlice(dst, items) {
				return nil
			}
			dst.Set(reflect.MakeSlice(dst.Type(), len(items), len(items)))
		}
		for i, item := range items {
			if err := forstAssign(dst.Index(i), item, ""); err != nil {
				return forstAtPath(err, path+"["+strconv.Itoa(i)+"]")
			}
		}
		return nil
	case reflect.Map, reflect.Struct, reflect.Pointer:
		// Objects into maps, structs and pointers follow encoding/json's rules (tags, case-insensitive names).
		if _, ok := v.(map[string]any); !ok && dst.Kind() != reflect.Pointer {
			return fail()
		}
		if dst.Kind() == reflect.Map && dst.Type().Key().Kind() != reflect.String {
			return fail()
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return fail()
		}
		fresh := reflect.New(dst.Type())
		if err := json.Unmarshal(raw, fresh.Interface()); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				return &InputError{Path: path + "." + typeErr.Field, Expected: forstTypeName(typeErr.Type), Actual: typeErr.Value}
			}
			return fail()
		}
		dst.Set(fresh.Elem())
		return nil
	}
	return fail()
}

// forstAtPath puts path in front of the path of an error found below it. Elements are converted with an empty path
// and theirs is made only when one fails: making "input[12345]" for every element of a large array cost more than
// converting the element.
func forstAtPath(err error, path string) error {
	var input *InputError
	if errors.As(err, &input) {
		input.Path = path + input.Path
	}
	return err
}

// forstFastSlice converts the commonest JSON arrays ([]float64, []int, []string from []any) without reflection per
// element, as forstAssign would. It reports false when it did not convert (another type, or an element that does
// not fit): the general path then runs and reports the exact error.
func forstFastSlice(dst reflect.Value, items []any) bool {
	if !dst.CanAddr() {
		return false
	}
	switch p := dst.Addr().Interface().(type) {
	case *[]float64:
		return forstFill(p, items, forstNumber)
	case *[]int:
		return forstFill(p, items, func(v any) (int, bool) {
			f, ok := forstNumber(v)
			n := int64(f)
			return int(n), ok && f == float64(n) && int64(int(n)) == n // int may have 32 bits
		})
	case *[]string:
		return forstFill(p, items, func(v any) (string, bool) {
			s, ok := v.(string)
			return s, ok
		})
	}
	return false
}

func forstFill[T any](p *[]T, items []any, convert func(any) (T, bool)) bool {
	out := make([]T, len(items))
	for i, item := range items {
		x, ok := convert(item)
		if !ok {
			return false
		}
		out[i] = x
	}
	*p = out
	return true
}

func forstNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// forstJSONKind names a dynamic value as JSON would: string, number, boolean, null, array, object.
func forstJSONKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64, float32, int, int64, int32, json.Number:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return reflect.TypeOf(v).String()
}

func forstTypeName(t reflect.Type) string {
	if t == nil {
		return "value"
	}
	if t.Kind() == reflect.Interface && t.NumMethod() == 0 {
		return "any value"
	}
	return t.String()
}
