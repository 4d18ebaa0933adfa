// Forst's validating types at run time (the runtime package; see server.go).
//
// What generated code calls: the checks of `ensure` and `is` (Runes, Check, IsError, AsError),
// the failure of an `ensure` without `or` (EnsureFailed: 422 ensure_failed at the boundary), the text of a
// nominal error (ErrorText), and the violations the validators report where JSON enters (Violation: 400
// invalid_input naming the JSON path, the constraint and the value's kind). The server maps these to answers; a
// nominal error (`error OutOfStock { … }`) answers with its name as the code, its fields as details and its status
// (422 unless declared otherwise).

package forst

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// forstNominal is what every nominal error implements (generated beside its declaration): its name and HTTP status.
type forstNominal interface {
	error
	ForstNominalError() (string, int)
}

// forstEnsureError is a failed `ensure` without `or`: which value, which check, where, and what the value was.
type forstEnsureError struct {
	Subject    string `json:"subject"`
	Constraint string `json:"constraint"`
	Location   string `json:"location"`
	Got        string `json:"got,omitempty"`
}

func (e *forstEnsureError) Error() string {
	msg := fmt.Sprintf("ensure failed at %s: %s is not %s", e.Location, e.Subject, e.Constraint)
	if e.Got != "" {
		msg += " (got " + e.Got + ")"
	}
	return msg
}

// EnsureFailed is the error of a failed `ensure subject is constraint` at location; value (nil when it says
// nothing useful) is described, not echoed whole: a string by its length.
func EnsureFailed(subject, constraint, location string, value any) error {
	return &forstEnsureError{Subject: subject, Constraint: constraint, Location: location, Got: forstDescribe(value)}
}

// forstDescribe summarises a checked value for a message: numbers and booleans as they are, strings and
// collections by their length.
func forstDescribe(v any) string {
	if v == nil {
		return ""
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return fmt.Sprintf("a string of %d characters", utf8.RuneCountInString(rv.String()))
	case reflect.Slice, reflect.Array, reflect.Map:
		return fmt.Sprintf("%d elements", rv.Len())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64, reflect.Bool:
		return fmt.Sprint(v)
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return "nil"
		}
		return "a value"
	}
	return ""
}

// Runes is a string's length as Forst's `Min`/`Max` count it: in characters (Unicode code points), as JSON
// Schema's minLength does.
func Runes(s string) int {
	return utf8.RuneCountInString(s)
}

// Check is `Min`/`Max`/`GreaterThan`/`LessThan`/`NotEmpty` on a value whose kind the compiler could not tell:
// a string's characters, a collection's elements, a number's value.
func Check(v any, name string, n float64) bool {
	rv := reflect.ValueOf(v)
	var x float64
	switch rv.Kind() {
	case reflect.String:
		x = float64(utf8.RuneCountInString(rv.String()))
	case reflect.Slice, reflect.Array, reflect.Map:
		x = float64(rv.Len())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x = float64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		x = float64(rv.Uint())
	case reflect.Float32, reflect.Float64:
		x = rv.Float()
	default:
		return false
	}
	switch name {
	case "Min", "NotEmpty":
		return x >= n
	case "Max":
		return x <= n
	case "GreaterThan":
		return x > n
	case "LessThan":
		return x < n
	}
	return false
}

// IsError reports whether err is (or wraps) an E: `x is Err(ParseError)`.
func IsError[E error](err error) bool {
	var target E
	return err != nil && errors.As(err, &target)
}

// AsError is the E in err (its zero value when there is none): `x` inside `if x is Err(ParseError) { … }`.
func AsError[E error](err error) E {
	var target E
	if err != nil {
		errors.As(err, &target)
	}
	return target
}

// ErrorText is a nominal error's Error(): its `message` field when it has one, else its name and fields.
func ErrorText(name string, e any) string {
	rv := reflect.ValueOf(e)
	if rv.Kind() == reflect.Struct {
		if f := rv.FieldByName("Message"); f.IsValid() && f.Kind() == reflect.String && f.String() != "" {
			return f.String()
		}
		if rv.NumField() == 0 {
			return name
		}
	}
	fields, err := json.Marshal(e)
	if err != nil {
		return name
	}
	return name + " " + string(fields)
}

// Path is a JSON path under construction (a linked list, rendered only when a check fails).
type Path struct {
	Parent *Path
	Key    string
	Index  int
}

func (p *Path) String() string {
	var b strings.Builder
	p.write(&b)
	return b.String()
}

// write renders the path parent first. Recursion (not a slice of the nodes) keeps the path itself from escaping:
// validators pass paths made on their stack, and they must stay there on the checks that pass.
func (p *Path) write(b *strings.Builder) {
	if p == nil {
		return
	}
	p.Parent.write(b)
	switch {
	case p.Index >= 0:
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(p.Index))
		b.WriteByte(']')
	case p.Parent == nil:
		b.WriteString(p.Key)
	default:
		b.WriteByte('.')
		b.WriteString(p.Key)
	}
}

// Violation is input that breaks a constraint or lacks a required field: 400 invalid_input, with the JSON path,
// the constraint (as written in the .ft file) and what the value was.
func Violation(path string, constraint, expected, got string) error {
	return &InputError{
		Path:       path,
		Constraint: constraint,
		Expected:   expected,
		Actual:     got,
		Message:    fmt.Sprintf("at %s: %s (%s), got %s", path, expected, constraint, got),
	}
}

// forstMissing is a required field of a Forst shape that the JSON object does not have (or has as null).
func forstMissing(path, field, expected string) *InputError {
	full := path + "." + field
	return &InputError{
		Path:       full,
		Constraint: "required",
		Expected:   expected,
		Actual:     "nothing",
		Message:    fmt.Sprintf("at %s: missing required field %q (%s)", full, field, expected),
	}
}

// KindOf names a decoded value's kind for a violation: "a string of 2 characters", "3 elements", "-1".
func KindOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("a string of %d characters", utf8.RuneCountInString(x))
	case bool:
		return strconv.FormatBool(x)
	}
	return forstDescribe(v)
}
