// Forst JSON codec, decoding into Go values (see json_scan.go).
//
// The generated decoders call these: one function per kind of value (strings, numbers with their range checks,
// []byte, json.Number, interface{}), the helpers for slices and maps, and the fallbacks to encoding/json.

package forst

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ---------------------------------------------------------------------------------------------------- values

// DecodeString decodes a JSON string into *v; null leaves it as it is.
func DecodeString[T ~string](d *Decoder, v *T) {
	switch c := d.Peek(); c {
	case '"':
		*v = T(d.string())
	case 'n':
		d.literal("null")
	default:
		d.mismatch(c, v)
	}
}

// DecodeBool decodes true or false into *v; null leaves it as it is.
func DecodeBool[T ~bool](d *Decoder, v *T) {
	switch c := d.Peek(); c {
	case 't':
		d.literal("true")
		*v = true
	case 'f':
		d.literal("false")
		*v = false
	case 'n':
		d.literal("null")
	default:
		d.mismatch(c, v)
	}
}

// numberText returns the text of the number at the next value, or nil after null and after a value of another type
// (recorded as a type error against v).
func (d *Decoder) numberText(v any) []byte {
	switch c := d.Peek(); {
	case c == '-' || '0' <= c && c <= '9':
		return d.Number()
	case c == 'n':
		d.literal("null")
	default:
		d.mismatch(c, v)
	}
	return nil
}

// DecodeInt decodes an integer into *v, with encoding/json's checks: no fraction, no exponent, in range.
func DecodeInt[T ~int | ~int8 | ~int16 | ~int32 | ~int64](d *Decoder, v *T) {
	if n, start, ok := d.smallInt(); ok {
		if int64(T(n)) == n {
			*v = T(n)
			return
		}
		d.pos = start // out of range for T: the slow path reports it with its text
	}
	text := d.numberText(v)
	if text == nil {
		return
	}
	n, ok := forstParseInt(text)
	if !ok || int64(T(n)) != n {
		d.typeError("number "+string(text), v)
		return
	}
	*v = T(n)
}

// DecodeUint decodes a non-negative integer into *v ("-0" is not one, as for strconv.ParseUint).
func DecodeUint[T ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr](d *Decoder, v *T) {
	text := d.numberText(v)
	if text == nil {
		return
	}
	n, ok := forstParseUint(text)
	if !ok || uint64(T(n)) != n {
		d.typeError("number "+string(text), v)
		return
	}
	*v = T(n)
}

// DecodeFloat64 decodes a number into *v; out of range (1e400) is a type error, as in encoding/json.
func DecodeFloat64[T ~float64](d *Decoder, v *T) {
	switch c := d.Peek(); {
	case c == '-' || '0' <= c && c <= '9':
		f, text, ok := d.float()
		if !ok {
			d.typeError("number "+string(text), v)
			return
		}
		*v = T(f)
	case c == 'n':
		d.literal("null")
	default:
		d.mismatch(c, v)
	}
}

// float reads a number (buf[pos] is '-' or a digit) as a float64, as strconv.ParseFloat would (ok is false when
// it is out of range), and returns its text. Plain numbers with at most 15 significant digits, no exponent and a
// delimiter already in the buffer are scanned and converted in one pass (Clinger's exact case: one correctly
// rounded division of two exactly representable values); everything else goes through number and strconv.
func (d *Decoder) float() (float64, []byte, bool) {
	b := d.buf
	start := d.pos
	i := start
	neg := b[i] == '-'
	if neg {
		i++
	}
	var mant uint64
	digits, exp := 0, 0
	if i < len(b) && b[i] == '0' {
		i++
	} else {
		for i < len(b) && b[i]-'0' <= 9 {
			mant = mant*10 + uint64(b[i]-'0')
			digits++
			i++
		}
		if digits == 0 {
			return d.floatSlow(start)
		}
	}
	if i < len(b) && b[i] == '.' {
		i++
		frac := i
		for i < len(b) && b[i]-'0' <= 9 {
			mant = mant*10 + uint64(b[i]-'0')
			if mant != 0 {
				digits++
			}
			i++
		}
		if i == frac {
			return d.floatSlow(start)
		}
		exp = frac - i
	}
	if i >= len(b) || b[i] == 'e' || b[i] == 'E' || digits > 15 || exp < -22 {
		return d.floatSlow(start)
	}
	d.pos = i
	f := float64(mant)
	if exp < 0 {
		f /= forstPow10[-exp]
	}
	if neg {
		f = -f
	}
	return f, b[start:i], true
}

func (d *Decoder) floatSlow(start int) (float64, []byte, bool) {
	d.pos = start
	text := d.Number()
	f, ok := forstParseFloat(text)
	return f, text, ok
}

// DecodeFloat32 decodes a number into *v, rounded once to float32 (strconv.ParseFloat with 32 bits).
func DecodeFloat32[T ~float32](d *Decoder, v *T) {
	text := d.numberText(v)
	if text == nil {
		return
	}
	f, err := strconv.ParseFloat(string(text), 32)
	if err != nil {
		d.typeError("number "+string(text), v)
		return
	}
	*v = T(f)
}

// DecodeNumber decodes a json.Number: a number's text, or a string holding a valid number.
func DecodeNumber(d *Decoder, v *json.Number) {
	switch c := d.Peek(); {
	case c == '-' || '0' <= c && c <= '9':
		*v = json.Number(d.Number())
	case c == '"':
		start := d.pos
		d.keep = start
		s := string(d.Str())
		item := string(d.buf[d.keep:d.pos])
		d.keep = -1
		if !forstValidNumber(s) {
			d.stop(fmt.Errorf("json: invalid number literal, trying to unmarshal %q into Number", item))
			return
		}
		*v = json.Number(s)
	case c == 'n':
		d.literal("null")
	default:
		d.mismatch(c, v)
	}
}

// DecodeBytes decodes a []byte: base64 text (as encoding/json writes it), or an array of numbers; null is nil.
func DecodeBytes[T ~[]byte](d *Decoder, v *T) {
	switch c := d.Peek(); c {
	case '"':
		s := d.Str()
		b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
		n, err := base64.StdEncoding.Decode(b, s)
		if err != nil {
			d.save(err)
			return
		}
		*v = b[:n]
	case '[':
		d.pos++
		d.push(c)
		s := *v
		n := 0
		for ; d.Elem(n); n++ {
			s = Grow(s, n)
			DecodeUint(d, &s[n])
		}
		*v = Cut(s, n)
	case 'n':
		d.literal("null")
		*v = nil
	default:
		d.mismatch(c, v)
	}
}

// Grow makes s[i] exist for decoding element i into it, as encoding/json does: an element that exists (from
// a duplicate key's earlier array) is decoded into, a new one starts as the zero value. The capacity doubles when it
// runs out, and grows by half past 64k elements (append grows large slices by a quarter: about twice as many copies
// of a long array; doubling all the way would raise the peak while the last copy is made).
func Grow[S ~[]E, E any](s S, i int) S {
	if i < len(s) {
		return s
	}
	if i >= cap(s) {
		more := max(len(s), 4)
		if len(s) > 1<<16 {
			more = len(s) / 2
		}
		s = slices.Grow(s, more)
	}
	return s[:i+1]
}

// Cut ends a decoded array of n elements: truncated to n, and an empty array is an empty, non-nil slice.
func Cut[S ~[]E, E any](s S, n int) S {
	if n == 0 {
		return S{}
	}
	return s[:n]
}

// InitMap gives *m a map to decode members into (encoding/json keeps an existing one).
func InitMap[M ~map[K]V, K comparable, V any](m *M) {
	if *m == nil {
		*m = make(M)
	}
}

// ZeroOf returns the zero value of m's elements, the fresh value encoding/json decodes a member into.
func ZeroOf[M ~map[K]V, K comparable, V any](M) (zero V) { return zero }

// StringKey is the current member's key for map m, which has string keys.
func StringKey[M ~map[K]V, K ~string, V any](m M, d *Decoder) K { return K(d.Key) }

// forstKeyCheck says whether a member's key fits an integer-keyed map; encoding/json reports one that does not
// after decoding the member's value, and leaves the member out.
type forstKeyCheck struct {
	Valid bool
	text  string
	typ   reflect.Type
}

func (k forstKeyCheck) Report(d *Decoder) { d.typeErrorOf("number "+k.text, k.typ) }

// IntKey parses the current member's key for map m, which has integer keys (strconv.ParseInt, in range).
func IntKey[M ~map[K]V, K ~int | ~int8 | ~int16 | ~int32 | ~int64, V any](m M, d *Decoder) (K, forstKeyCheck) {
	n, err := strconv.ParseInt(string(d.Key), 10, 64)
	if err != nil || int64(K(n)) != n {
		return 0, forstKeyCheck{text: string(d.Key), typ: reflect.TypeFor[K]()}
	}
	return K(n), forstKeyCheck{Valid: true}
}

// UintKey is IntKey for unsigned keys.
func UintKey[M ~map[K]V, K ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr, V any](m M, d *Decoder) (K, forstKeyCheck) {
	n, err := strconv.ParseUint(string(d.Key), 10, 64)
	if err != nil || uint64(K(n)) != n {
		return 0, forstKeyCheck{text: string(d.Key), typ: reflect.TypeFor[K]()}
	}
	return K(n), forstKeyCheck{Valid: true}
}

// Alloc points *p at a new zero value unless it already points somewhere (encoding/json decodes into what a
// pointer already points to).
func Alloc[T any](p **T) {
	if *p == nil {
		*p = new(T)
	}
}

// Null consumes a Null and reports true, or reports false and consumes nothing.
func (d *Decoder) Null() bool {
	if d.Peek() != 'n' {
		return false
	}
	d.literal("null")
	return true
}

// FoldedKey is the current member's key folded as encoding/json folds names to match them without regard to
// case: ASCII letters upper-cased, other letters to the smallest rune of their case-folding orbit.
func (d *Decoder) FoldedKey() []byte {
	out := d.fold[:0]
	for i := 0; i < len(d.Key); {
		c := d.Key[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(d.Key[i:])
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				r = r2
				break
			}
			r = r2
		}
		out = utf8.AppendRune(out, r)
		i += n
	}
	d.fold = out
	return out
}

// smallInt reads an integer of at most 18 digits that the buffer shows whole (a delimiter follows it): the common
// case, in one pass. ok is false, with nothing consumed, for anything else (null, a fraction, a string...).
func (d *Decoder) smallInt() (n int64, start int, ok bool) {
	if d.pos >= len(d.buf) || d.buf[d.pos] <= ' ' {
		d.Peek()
	}
	b := d.buf
	start = d.pos
	i := start
	neg := i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	first := i
	for i < len(b) && b[i]-'0' <= 9 {
		n = n*10 + int64(b[i]-'0')
		i++
	}
	digits := i - first
	if digits == 0 || digits > 18 || (b[first] == '0' && digits > 1) || i >= len(b) {
		return 0, start, false
	}
	switch b[i] {
	case '.', 'e', 'E':
		return 0, start, false
	}
	if neg {
		n = -n
	}
	d.pos = i
	return n, start, true
}

// forstParseInt parses a JSON number's text as strconv.ParseInt(text, 10, 64) would.
func forstParseInt(text []byte) (int64, bool) {
	neg := text[0] == '-'
	digits := text
	if neg {
		digits = text[1:]
	}
	u, ok := forstParseUint(digits)
	if !ok {
		return 0, false
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// forstParseUint parses a JSON number's text as strconv.ParseUint(text, 10, 64) would: digits only.
func forstParseUint(text []byte) (uint64, bool) {
	if len(text) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range text {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (math.MaxUint64-9)/10 {
			// Close to overflow: let strconv decide exactly.
			v, err := strconv.ParseUint(string(text), 10, 64)
			return v, err == nil
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

// forstPow10 are the powers of ten a float64 holds exactly.
var forstPow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
	1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// forstParseFloat parses a JSON number's text as strconv.ParseFloat(text, 64) would; ok is false when it is out of
// range. Numbers with at most 15 significant digits and a small exponent take the exact fast path (one correctly
// rounded multiplication or division of two exactly representable values); the rest go to strconv.
func forstParseFloat(text []byte) (float64, bool) {
	i := 0
	neg := text[0] == '-'
	if neg {
		i++
	}
	var mant uint64
	digits, exp := 0, 0
	for ; i < len(text) && '0' <= text[i] && text[i] <= '9'; i++ {
		mant = mant*10 + uint64(text[i]-'0')
		if mant != 0 {
			digits++
		}
	}
	if i < len(text) && text[i] == '.' {
		for i++; i < len(text) && '0' <= text[i] && text[i] <= '9'; i++ {
			mant = mant*10 + uint64(text[i]-'0')
			if mant != 0 {
				digits++
			}
			exp--
		}
	}
	if i == len(text) && digits <= 15 && exp >= -22 {
		f := float64(mant)
		if exp < 0 {
			f /= forstPow10[-exp]
		}
		if neg {
			f = -f
		}
		return f, true
	}
	f, err := strconv.ParseFloat(string(text), 64)
	return f, err == nil
}

// forstValidNumber reports whether s is a JSON number (encoding/json's isValidNumber).
func forstValidNumber(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
		if s == "" {
			return false
		}
	}
	switch {
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		s = s[1:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	default:
		return false
	}
	if len(s) >= 2 && s[0] == '.' && '0' <= s[1] && s[1] <= '9' {
		s = s[2:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s[0] == '+' || s[0] == '-' {
			s = s[1:]
			if s == "" {
				return false
			}
		}
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	return s == ""
}

// ---------------------------------------------------------------------------------------------------- interface{}

// DecodeAny decodes any JSON value into *v as encoding/json does for an empty interface: float64, string,
// bool, nil, []any and map[string]any.
func DecodeAny(d *Decoder, v *any) {
	*v = d.anyValue()
}

func (d *Decoder) anyValue() any {
	switch c := d.Peek(); c {
	case '"':
		return d.string()
	case '{':
		d.pos++
		d.push(c)
		return d.anyObject()
	case '[':
		d.pos++
		d.push(c)
		return d.anyArray()
	case 't':
		d.literal("true")
		return true
	case 'f':
		d.literal("false")
		return false
	case 'n':
		d.literal("null")
		return nil
	default:
		if c == '-' || '0' <= c && c <= '9' {
			f, text, ok := d.float()
			if !ok {
				d.typeErrorOf("number "+string(text), reflect.TypeFor[float64]())
				return nil
			}
			return f
		}
		d.syntax(d.pos, "looking for beginning of value")
		return nil
	}
}

// DecodeAnyMap decodes an object into a map[string]any (a JSON object parameter such as the RFC's calculate
// input); null is nil, other values are type errors.
func DecodeAnyMap[M ~map[string]any](d *Decoder, v *M) {
	switch d.Open('{', v) {
	case Null:
		*v = nil
	case Opened:
		InitMap(v)
		m := *v
		for n := 0; d.Member(n); n++ {
			k := string(d.Key)
			m[k] = d.anyValue()
		}
	}
}

// DecodeAnySlice decodes an array into a []any.
func DecodeAnySlice[S ~[]any](d *Decoder, v *S) {
	switch d.Open('[', v) {
	case Null:
		*v = nil
	case Opened:
		s := *v
		n := 0
		for ; d.Elem(n); n++ {
			s = Grow(s, n)
			s[n] = d.anyValue()
		}
		*v = Cut(s, n)
	}
}

func (d *Decoder) anyObject() map[string]any {
	m := make(map[string]any)
	for n := 0; d.Member(n); n++ {
		k := string(d.Key)
		m[k] = d.anyValue()
	}
	return m
}

// forstShortArray is how many elements of an interface{} array go on the decoder's scratch stack before the array
// gets a slice of its own: the stack stays small enough to be pooled.
const forstShortArray = 4096

// anyArray collects the elements of a short array on a scratch stack shared by nested arrays and allocates the slice
// once, at its final length; a long one continues in a slice of its own that grows as Grow grows.
func (d *Decoder) anyArray() []any {
	base := len(d.stack)
	var long []any
	for n := 0; d.Elem(n); n++ {
		v := d.anyValue()
		if long != nil {
			long = Grow(long, n)
			long[n] = v
			continue
		}
		d.stack = append(d.stack, v)
		if n+1 == forstShortArray {
			long = make([]any, forstShortArray, 2*forstShortArray)
			copy(long, d.stack[base:])
			clear(d.stack[base:])
			d.stack = d.stack[:base]
		}
	}
	if long != nil {
		return long
	}
	a := make([]any, len(d.stack)-base)
	copy(a, d.stack[base:])
	clear(d.stack[base:])
	d.stack = d.stack[:base]
	return a
}

// ---------------------------------------------------------------------------------------------------- fallbacks

// DecodeJSON decodes the next value into *v (v is a pointer) the way encoding/json does for types the generated code
// leaves to it: a type with an UnmarshalJSON method gets the value's text and any error it returns ends the argument;
// a type with an UnmarshalText method gets a string's contents (other JSON types are type errors); anything else goes
// through json.Unmarshal, whose errors get this value's place in the error context (a type error is recorded like
// the decoder's own, any other error ends the argument).
func (d *Decoder) DecodeJSON(v any) {
	raw := d.Raw()
	if d.abort != nil {
		return // encoding/json would have stopped before this value: do not run its methods
	}
	switch u := v.(type) {
	case json.Unmarshaler:
		if err := u.UnmarshalJSON(raw); err != nil {
			d.stop(err)
		}
		return
	case encoding.TextUnmarshaler:
		d.unmarshalText(u, raw, v)
		return
	}
	err := json.Unmarshal(raw, v)
	if err == nil {
		return
	}
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		if len(d.path) > 0 {
			te.Field = strings.Join(append(d.path[:len(d.path):len(d.path)], forstNonEmpty(te.Field)...), ".")
		}
		d.save(te)
		return
	}
	var b64 base64.CorruptInputError
	if errors.As(err, &b64) {
		d.save(err)
		return
	}
	d.stop(err)
}

// unmarshalText is encoding/json's handling of a value whose type has UnmarshalText (and no UnmarshalJSON).
func (d *Decoder) unmarshalText(u encoding.TextUnmarshaler, raw []byte, v any) {
	switch raw[0] {
	case '"':
		s, _ := newForstBytesDecoder(raw).unquote()
		if err := u.UnmarshalText([]byte(s)); err != nil {
			d.stop(err)
		}
	case 'n':
		rv := reflect.ValueOf(v).Elem()
		switch rv.Kind() {
		case reflect.Interface, reflect.Pointer, reflect.Map, reflect.Slice:
			rv.SetZero()
		}
	case '{':
		d.typeError("object", v)
	case '[':
		d.typeError("array", v)
	case 't', 'f':
		d.typeError("bool", v)
	default:
		d.typeError("number", v)
	}
}

// DecodeDynamic decodes into a value whose type the generated code does not know (a type parameter of a
// generic type): common types directly, the others through encoding/json.
func DecodeDynamic[T any](d *Decoder, v *T) {
	switch p := any(v).(type) {
	case *string:
		DecodeString(d, p)
	case *float64:
		DecodeFloat64(d, p)
	case *int:
		DecodeInt(d, p)
	case *int64:
		DecodeInt(d, p)
	case *bool:
		DecodeBool(d, p)
	case *any:
		DecodeAny(d, p)
	default:
		d.DecodeJSON(v)
	}
}

// DecodeQuoted decodes a field tagged `json:",string"` (v points to a bool, number or string field, or a
// pointer to one): a JSON string holding the value's JSON text, with encoding/json's rules and messages.
func DecodeQuoted(d *Decoder, v any) {
	field := reflect.ValueOf(v).Elem()
	switch c := d.Peek(); c {
	case '"':
		item := []byte(string(d.Str()))
		d.quotedLiteral(item, field)
	case 'n':
		d.literal("null")
		if field.Kind() == reflect.Pointer {
			field.SetZero()
		}
	default:
		// encoding/json reads the unquoted value as for an interface{} first: a number out of float64's range is
		// its type error and then a null (no `,string` error), anything else is a misuse of the option.
		if c == '-' || '0' <= c && c <= '9' {
			if _, text, ok := d.float(); !ok {
				d.typeErrorOf("number "+string(text), reflect.TypeFor[float64]())
				if field.Kind() == reflect.Pointer {
					field.SetZero()
				}
				return
			}
		} else {
			d.Skip()
		}
		d.save(fmt.Errorf("json: invalid use of ,string struct tag, trying to unmarshal unquoted value into %v", field.Type()))
	}
}

// quotedLiteral is encoding/json's literalStore with fromQuoted set, for the kinds `,string` applies to.
func (d *Decoder) quotedLiteral(item []byte, v reflect.Value) {
	invalid := func(t reflect.Type) error {
		return fmt.Errorf("json: invalid use of ,string struct tag, trying to unmarshal %q into %v", item, t)
	}
	if len(item) == 0 {
		d.save(invalid(v.Type()))
		return
	}
	if v.Kind() == reflect.Pointer {
		if item[0] == 'n' {
			if string(item) == "null" {
				v.SetZero()
			} else {
				d.save(invalid(v.Type()))
			}
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	switch c := item[0]; {
	case c == 'n':
		if string(item) != "null" {
			d.save(invalid(v.Type()))
		}
	case c == 't' || c == 'f':
		if string(item) != "true" && string(item) != "false" {
			d.save(invalid(v.Type()))
			return
		}
		if v.Kind() != reflect.Bool {
			d.save(invalid(v.Type()))
			return
		}
		v.SetBool(c == 't')
	case c == '"':
		inner := newForstBytesDecoder(item)
		inner.lenient = true
		s, ok := inner.unquote()
		if !ok {
			d.stop(invalid(v.Type()))
			return
		}
		if v.Kind() != reflect.String {
			d.typeErrorOf("string", v.Type())
			return
		}
		v.SetString(s)
	case c == '-' || '0' <= c && c <= '9':
		switch v.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			n, err := strconv.ParseInt(string(item), 10, 64)
			if err != nil || v.OverflowInt(n) {
				d.typeErrorOf("number "+string(item), v.Type())
				return
			}
			v.SetInt(n)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			n, err := strconv.ParseUint(string(item), 10, 64)
			if err != nil || v.OverflowUint(n) {
				d.typeErrorOf("number "+string(item), v.Type())
				return
			}
			v.SetUint(n)
		case reflect.Float32, reflect.Float64:
			n, err := strconv.ParseFloat(string(item), v.Type().Bits())
			if err != nil || v.OverflowFloat(n) {
				d.typeErrorOf("number "+string(item), v.Type())
				return
			}
			v.SetFloat(n)
		default:
			d.stop(invalid(v.Type()))
		}
	default:
		d.stop(invalid(v.Type()))
	}
}

// unquote decodes a whole input that must be exactly one JSON string literal (encoding/json's unquote), without
// syntax errors: ok is false when it is not one.
func (d *Decoder) unquote() (s string, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, syntax := r.(forstSyntaxError); !syntax {
				panic(r)
			}
			s, ok = "", false
		}
	}()
	if len(d.buf) < 2 || d.buf[0] != '"' || d.buf[len(d.buf)-1] != '"' {
		return "", false
	}
	v := string(d.Str())
	return v, d.pos == len(d.buf)
}
