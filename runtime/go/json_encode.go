// Forst JSON codec, writing (see json_scan.go).
//
// The encoder writes JSON exactly as encoding/json's Marshal does, into a buffer or, in chunks, to an io.Writer.

package forst

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ---------------------------------------------------------------------------------------------------- encoder

// CycleLevel is how deep the generated encoders go into pointers, slices and maps of recursive types (and
// dynamic values) before they hand the rest to encoding/json, which detects cycles there with its own message.
const CycleLevel = 1000

// Encoder writes JSON exactly as encoding/json's Marshal does. Without a writer everything stays in buf; with
// one, buf is flushed whenever it reaches limit bytes.
type Encoder struct {
	buf     []byte
	w       io.Writer
	limit   int
	flushed int64 // bytes written to w so far: once non-zero, an HTTP status can no longer change
	Level   int   // see CycleLevel
}

// forstEncodeError ends encoding: the value has no JSON form (NaN, a failing MarshalJSON) or the writer failed.
type forstEncodeError struct{ err error }

// NewEncoder encodes into buf (reused from its start).
func NewEncoder(buf []byte) *Encoder {
	return &Encoder{buf: buf[:0], limit: math.MaxInt}
}

// Reset empties the buffer for the next value.
func (e *Encoder) Reset() {
	e.buf, e.Level = e.buf[:0], 0
}

// Written is the JSON text in the buffer (all of it without a writer).
func (e *Encoder) Written() []byte {
	return e.buf
}

// newForstStreamEncoder encodes into w through a buffer of about limit bytes.
func newForstStreamEncoder(w io.Writer, limit int) *Encoder {
	return &Encoder{buf: make([]byte, 0, limit+limit/4), w: w, limit: limit}
}

func (e *Encoder) fail(err error) {
	panic(forstEncodeError{err})
}

// FlushIfFull writes the buffer out when it has reached the limit (streaming only). The generated encoders call it
// between the elements of arrays and maps.
func (e *Encoder) FlushIfFull() {
	if len(e.buf) >= e.limit {
		e.flush()
	}
}

// flush writes the buffer out (streaming only).
func (e *Encoder) flush() {
	if e.w == nil || len(e.buf) == 0 {
		return
	}
	n, err := e.w.Write(e.buf)
	e.flushed += int64(n)
	e.buf = e.buf[:0]
	if err != nil {
		e.fail(err)
	}
}

// EncodeWith runs encode (a generated encoder) and returns the error json.Marshal would have returned; in
// streaming mode it flushes what is left at the end.
func EncodeWith(e *Encoder, encode func(e *Encoder)) (err error) {
	defer func() {
		if r := recover(); r != nil {
			fe, ok := r.(forstEncodeError)
			if !ok {
				panic(r)
			}
			err = fe.err
		}
	}()
	encode(e)
	e.flush()
	return nil
}

func (e *Encoder) Raw(s string)  { e.buf = append(e.buf, s...) }
func (e *Encoder) Byte(c byte)   { e.buf = append(e.buf, c) }
func (e *Encoder) Null()         { e.buf = append(e.buf, "null"...) }
func (e *Encoder) Int(n int64)   { e.buf = strconv.AppendInt(e.buf, n, 10) }
func (e *Encoder) Uint(n uint64) { e.buf = strconv.AppendUint(e.buf, n, 10) }
func (e *Encoder) Bool(b bool)   { e.buf = strconv.AppendBool(e.buf, b) }

// Field writes a struct Field's name (`"name":`, already escaped), after a comma unless it is the first.
func (e *Encoder) Field(written *bool, name string) {
	if *written {
		e.buf = append(e.buf, ',')
	}
	*written = true
	e.buf = append(e.buf, name...)
}

// forstHTMLSafe marks the ASCII bytes encoding/json writes as they are: printable, and not ", \, <, > or &.
var forstHTMLSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

const forstHex = "0123456789abcdef"

// Str writes s as a JSON string with encoding/json's escaping: \" \\ \b \f \n \r \t, other control bytes and <, >,
// & as \u00XX, U+2028 and U+2029 as \u2028 and \u2029, invalid UTF-8 as \ufffd.
func (e *Encoder) Str(s string) {
	b := append(e.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if forstHTMLSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', forstHex[c>>4], forstHex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', forstHex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	e.buf = append(b, '"')
}

// QuotedStr writes a string field tagged `json:",string"`: its JSON text, as a JSON string.
func (e *Encoder) QuotedStr(s string) {
	inner := NewEncoder(nil)
	inner.Str(s)
	e.buf = forstAppendPlainString(e.buf, inner.buf)
}

// forstAppendPlainString writes already escaped JSON text as a JSON string (no HTML escaping: it has none left).
func forstAppendPlainString(b, s []byte) []byte {
	b = append(b, '"')
	for _, c := range s {
		switch c {
		case '\\', '"':
			b = append(b, '\\', c)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// Float64 writes f as encoding/json does (ES6 number formatting); NaN and ±Inf are json.Marshal's error.
func (e *Encoder) Float64(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		e.fail(&json.UnsupportedValueError{Value: reflect.ValueOf(f), Str: strconv.FormatFloat(f, 'g', -1, 64)})
	}
	if f == math.Trunc(f) && f != 0 && f > -1<<53 && f < 1<<53 {
		e.buf = strconv.AppendInt(e.buf, int64(f), 10) // what 'f' with the shortest precision writes for these
		return
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	e.buf = forstCleanExponent(strconv.AppendFloat(e.buf, f, format, -1, 64), format)
}

// Float32 writes f as encoding/json does for a Float32.
func (e *Encoder) Float32(f float32) {
	f64 := float64(f)
	if math.IsInf(f64, 0) || math.IsNaN(f64) {
		e.fail(&json.UnsupportedValueError{Value: reflect.ValueOf(f), Str: strconv.FormatFloat(f64, 'g', -1, 32)})
	}
	abs := float32(math.Abs(f64))
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	e.buf = forstCleanExponent(strconv.AppendFloat(e.buf, f64, format, -1, 32), format)
}

// forstCleanExponent turns e-07 into e-7, as encoding/json does.
func forstCleanExponent(b []byte, format byte) []byte {
	if format == 'e' {
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// Number writes a json.Number: its text ("" is 0), which must be a valid Number.
func (e *Encoder) Number(n json.Number) {
	s := string(n)
	if s == "" {
		s = "0"
	}
	if !forstValidNumber(s) {
		e.fail(fmt.Errorf("json: invalid number literal %q", s))
	}
	e.buf = append(e.buf, s...)
}

// Bytes writes a []byte as base64 text; nil is null.
func (e *Encoder) Bytes(b []byte) {
	if b == nil {
		e.Null()
		return
	}
	e.buf = append(e.buf, '"')
	e.buf = base64.StdEncoding.AppendEncode(e.buf, b)
	e.buf = append(e.buf, '"')
}

// JSON writes v with encoding/JSON: the fallback for types the generated code leaves to it. v is what
// encoding/JSON would see at this place (a pointer where it could take the value's address).
func (e *Encoder) JSON(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		e.fail(err)
	}
	e.buf = append(e.buf, b...)
}

// Any writes a dynamic value: the types JSON decoding produces and other common ones directly, project types
// through their generated encoders (Program.EncodeKnown), the rest with encoding/json.
func (e *Encoder) Any(v any) {
	switch x := v.(type) {
	case nil:
		e.Null()
	case string:
		e.Str(x)
	case float64:
		e.Float64(x)
	case bool:
		e.Bool(x)
	case int:
		e.Int(int64(x))
	case int64:
		e.Int(x)
	case int32:
		e.Int(int64(x))
	case uint64:
		e.Uint(x)
	case float32:
		e.Float32(x)
	case json.Number:
		e.Number(x)
	case map[string]any:
		e.AnyMap(x)
	case []any:
		e.anySlice(x)
	case []string:
		forstEncodeSlice(e, x, func(e *Encoder, s *string) { e.Str(*s) })
	case []float64:
		forstEncodeSlice(e, x, func(e *Encoder, f *float64) { e.Float64(*f) })
	case []int:
		forstEncodeSlice(e, x, func(e *Encoder, n *int) { e.Int(int64(*n)) })
	case map[string]string:
		forstEncodeMap(e, x, func(e *Encoder, s string) { e.Str(s) })
	default:
		if !program.EncodeKnown(e, v) {
			e.JSON(v)
		}
	}
}

// anySlice writes a []any.
func (e *Encoder) anySlice(x []any) {
	if x == nil {
		e.Null()
		return
	}
	if !e.descend(x) {
		return
	}
	e.Byte('[')
	for i, item := range x {
		if i > 0 {
			e.Byte(',')
		}
		e.Any(item)
		e.FlushIfFull()
	}
	e.Byte(']')
	e.Level--
}

// AnyMap writes a map[string]any with its keys sorted, as encoding/json does.
func (e *Encoder) AnyMap(m map[string]any) {
	if m == nil {
		e.Null()
		return
	}
	if !e.descend(m) {
		return
	}
	e.Byte('{')
	for i, k := range SortedKeys(m) {
		if i > 0 {
			e.Byte(',')
		}
		e.Str(k)
		e.Byte(':')
		e.Any(m[k])
		e.FlushIfFull()
	}
	e.Byte('}')
	e.Level--
}

// descend goes one level down into v (the caller goes back up with e.level--), or, past CycleLevel, writes v
// with encoding/json, which detects cycles, and reports false.
func (e *Encoder) descend(v any) bool {
	if e.Level >= CycleLevel {
		e.JSON(v)
		return false
	}
	e.Level++
	return true
}

// forstEncodeSlice writes a slice whose elements have a simple encoder (nil is null).
func forstEncodeSlice[S ~[]E, E any](e *Encoder, s S, elem func(*Encoder, *E)) {
	if s == nil {
		e.Null()
		return
	}
	e.Byte('[')
	for i := range s {
		if i > 0 {
			e.Byte(',')
		}
		elem(e, &s[i])
		e.FlushIfFull()
	}
	e.Byte(']')
}

// forstEncodeMap writes a string-keyed map whose values have a simple encoder, keys sorted (nil is null).
func forstEncodeMap[M ~map[K]V, K ~string, V any](e *Encoder, m M, elem func(*Encoder, V)) {
	if m == nil {
		e.Null()
		return
	}
	e.Byte('{')
	for i, k := range SortedKeys(m) {
		if i > 0 {
			e.Byte(',')
		}
		e.Str(string(k))
		e.Byte(':')
		elem(e, m[k])
		e.FlushIfFull()
	}
	e.Byte('}')
}

// SortedKeys returns m's keys in the order encoding/json writes them.
func SortedKeys[M ~map[K]V, K ~string, V any](m M) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// IntKeys returns an integer-keyed map's keys with their text, in the order encoding/json writes them (by the
// text: "10" before "9").
func IntKeys[M ~map[K]V, K ~int | ~int8 | ~int16 | ~int32 | ~int64, V any](m M) []KeyText[K] {
	keys := make([]KeyText[K], 0, len(m))
	for k := range m {
		keys = append(keys, KeyText[K]{k, strconv.FormatInt(int64(k), 10)})
	}
	slices.SortFunc(keys, func(a, b KeyText[K]) int { return strings.Compare(a.Text, b.Text) })
	return keys
}

// UintKeys is IntKeys for unsigned keys.
func UintKeys[M ~map[K]V, K ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr, V any](m M) []KeyText[K] {
	keys := make([]KeyText[K], 0, len(m))
	for k := range m {
		keys = append(keys, KeyText[K]{k, strconv.FormatUint(uint64(k), 10)})
	}
	slices.SortFunc(keys, func(a, b KeyText[K]) int { return strings.Compare(a.Text, b.Text) })
	return keys
}

type KeyText[K any] struct {
	Key  K
	Text string
}

// EncodeDynamic writes a value whose type the generated code does not know (a type parameter of a generic
// type); v points to it, so encoding/json sees what it would have seen (an addressable value).
func EncodeDynamic[T any](e *Encoder, v *T) {
	switch x := any(v).(type) {
	case *string:
		e.Str(*x)
	case *float64:
		e.Float64(*x)
	case *int:
		e.Int(int64(*x))
	case *int64:
		e.Int(*x)
	case *bool:
		e.Bool(*x)
	case *any:
		e.Any(*x)
	default:
		e.JSON(v)
	}
}

// IsEmpty is encoding/json's isEmptyValue for a field tagged omitempty whose kind the compiler does not know (a
// type parameter): v points to it.
func IsEmpty(v any) bool {
	rv := reflect.ValueOf(v).Elem()
	switch rv.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return rv.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint,
		reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr, reflect.Float32,
		reflect.Float64, reflect.Interface, reflect.Pointer:
		return rv.IsZero()
	}
	return false
}

// OmitZero reports whether a field tagged omitzero is left out (v points to it): encoding/json's rules, by the
// field's static type — its IsZero method when it has one, else the zero value. Reflection, as this option is rare.
// On toolchains whose encoding/json has no omitzero (before Go 1.24) nothing is left out, as there.
func OmitZero(v any) bool {
	if !forstHasOmitZero {
		return false
	}
	rv := reflect.ValueOf(v).Elem()
	t := rv.Type()
	zeroer := reflect.TypeFor[interface{ IsZero() bool }]()
	switch {
	case t.Kind() == reflect.Interface && t.Implements(zeroer):
		return rv.IsNil() || (rv.Elem().Kind() == reflect.Pointer && rv.Elem().IsNil()) ||
			rv.Interface().(interface{ IsZero() bool }).IsZero()
	case t.Kind() == reflect.Pointer && t.Implements(zeroer):
		return rv.IsNil() || rv.Interface().(interface{ IsZero() bool }).IsZero()
	case t.Implements(zeroer):
		return rv.Interface().(interface{ IsZero() bool }).IsZero()
	case reflect.PointerTo(t).Implements(zeroer):
		return rv.Addr().Interface().(interface{ IsZero() bool }).IsZero()
	}
	return rv.IsZero()
}

// forstHasOmitZero reports whether this toolchain's encoding/json knows the omitzero option.
var forstHasOmitZero = func() bool {
	b, _ := json.Marshal(struct {
		A int `json:",omitzero"`
	}{})
	return string(b) == "{}"
}()
