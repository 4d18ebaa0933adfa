// Forst JSON codec, reading: part of the runtime package (see server.go), which every generated module imports.
//
// The compiler generates a decoder and an encoder for every type an endpoint receives or returns (forst_codecs.go);
// they are built from the functions in the json_*.go files. Together they read and write JSON exactly as
// encoding/json (v1) does — the same Go values, the same errors (type errors with the same JSON paths, syntax errors
// with the same messages, the same precedence between them), the same bytes out (HTML-safe escaping of <, >, & and
// U+2028/U+2029 included) — without reflection on the hot path. Types the generated code does not handle itself
// (types with MarshalJSON/UnmarshalJSON/MarshalText/UnmarshalText methods such as time.Time, type parameters of
// generic types, anything unusual) go through encoding/json for that value only: correctness first.
//
// This file reads JSON text: the decoder reads from a []byte or incrementally from an io.Reader through a buffer that
// refills (decoding a large body never needs the whole body in memory), with encoding/json's syntax errors. Syntax
// and read errors end decoding at once (a panic recovered by DecodeArgs); type errors are recorded and decoding
// goes on, as in encoding/json, where the first one is reported unless a syntax error comes later.

package forst

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// forstMaxDepth is encoding/json's nesting limit: a deeper array or object is a syntax error.
const forstMaxDepth = 10000

// Decoder reads one JSON text. Generated decoders call its methods and the forstDecode* functions below.
type Decoder struct {
	buf  []byte    // input; buf[pos:] is not read yet
	pos  int       // also the first byte a refill keeps (or keep, when lower)
	keep int       // >= 0: a refill keeps buf[keep:] too (raw is capturing a value)
	r    io.Reader // nil: buf is all the input
	rerr error     // the reader's error once it returned one (io.EOF at the end of the input)

	depth int          // open arrays and objects
	Key   []byte       // the object key read by member, unescaped (a copy, valid until the next key)
	fold  []byte       // the key folded for a case-insensitive match
	tmp   []byte       // scratch for unescaping strings
	path  []string     // encoding/json's error context: the struct fields (JSON names) down to the value being decoded
	where []forstStep  // the JSON path inside values that hold Forst shapes with required fields (see missing)
	stack []any        // anyArray's scratch
	short *[256]string // recently decoded short strings, reused instead of allocated again (see string)
	own   []byte       // the pooled read buffer (buf is the caller's bytes in a bytes decoder)

	saved error // the first type error of the current argument; decoding goes on
	abort error // an error that ends the current argument (a failing UnmarshalJSON), as in encoding/json

	trimmed bool // a request body: trailing whitespace (bytes.TrimSpace's) is not part of the input
	lenient bool // unquote: accept \' as encoding/json's unquote does (its scanner never lets one through)
}

// forstSyntaxError ends decoding: the input is not JSON. msg is encoding/json's message.
type forstSyntaxError struct{ msg string }

// forstReadError ends decoding: the reader failed (the body is too large, the client went away).
type forstReadError struct{ err error }

// newForstBytesDecoder decodes data (small bodies, tests).
func newForstBytesDecoder(data []byte) *Decoder {
	return &Decoder{buf: data, rerr: io.EOF, keep: -1, path: make([]string, 0, 8)}
}

// newForstReaderDecoder decodes what r yields, reading it into buf (its capacity is the initial buffer size; it
// grows only when one string or number does not fit).
func newForstReaderDecoder(r io.Reader, buf []byte) *Decoder {
	if cap(buf) < 16 {
		buf = make([]byte, 0, 16)
	}
	return &Decoder{buf: buf[:0], r: r, keep: -1, path: make([]string, 0, 8)}
}

// more reads more input, keeping buf[pos:]; it returns by how much the kept bytes moved towards the start of buf
// (callers subtract it from their indexes) and false at the end of the input.
func (d *Decoder) more() (int, bool) {
	if d.rerr != nil {
		if d.rerr != io.EOF {
			panic(forstReadError{d.rerr})
		}
		return 0, false
	}
	shift := d.pos
	if d.keep >= 0 && d.keep < shift {
		shift = d.keep
	}
	if shift > 0 {
		n := copy(d.buf[:cap(d.buf)], d.buf[shift:])
		d.buf = d.buf[:n]
		d.pos -= shift
		if d.keep >= 0 {
			d.keep -= shift
		}
	}
	if len(d.buf) == cap(d.buf) {
		grown := make([]byte, len(d.buf), 2*cap(d.buf))
		copy(grown, d.buf)
		d.buf = grown
	}
	for empty := 0; ; empty++ {
		n, err := d.r.Read(d.buf[len(d.buf):cap(d.buf)])
		d.buf = d.buf[:len(d.buf)+n]
		if n == 0 && err == nil && empty == 100 {
			err = io.ErrNoProgress // as bufio does with a reader that keeps returning nothing
		}
		if err != nil {
			d.rerr = err
			if err != io.EOF && n == 0 {
				panic(forstReadError{err})
			}
			return shift, n > 0
		}
		if n > 0 {
			return shift, true
		}
	}
}

// ensure makes n bytes from buf[i] available when the input has them and returns i's new index.
func (d *Decoder) ensure(i, n int) int {
	for len(d.buf)-i < n {
		shift, ok := d.more()
		i -= shift
		if !ok {
			break
		}
	}
	return i
}

func forstIsSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r'
}

// Peek skips whitespace and returns the next byte, not consumed. The end of the input is a syntax error.
func (d *Decoder) Peek() byte {
	if d.pos < len(d.buf) {
		if c := d.buf[d.pos]; c > ' ' {
			return c
		}
	}
	return d.peekSlow()
}

func (d *Decoder) peekSlow() byte {
	for {
		for d.pos < len(d.buf) {
			c := d.buf[d.pos]
			if c > ' ' || !forstIsSpace(c) {
				return c
			}
			d.pos++
		}
		if _, ok := d.more(); !ok {
			d.fail("unexpected end of JSON input")
		}
	}
}

func (d *Decoder) fail(msg string) {
	panic(forstSyntaxError{msg})
}

// syntax reports the syntax error at buf[at] (at == len(buf): the end of the input); context is what
// encoding/json's scanner says in that state. A request body is trimmed of trailing whitespace before it is
// scanned, so when nothing but whitespace is left from at on, the scanner is at the end of its input there; and at
// the end of the input its last step feeds the state a space: the error is then about ' ', or "unexpected end of
// JSON input" where a space is fine.
func (d *Decoder) syntax(at int, context string) {
	if d.onlySpaceFrom(at) {
		switch context {
		case "in string literal", "looking for beginning of value", "looking for beginning of object key string",
			"after object key", "after object key:value pair", "after array element", "after top-level value":
			d.fail("unexpected end of JSON input")
		}
		d.fail("invalid character ' ' " + context)
	}
	d.fail("invalid character " + forstQuoteChar(d.buf[d.pos]) + " " + context)
}

// onlySpaceFrom reports whether the input ends at buf[at] once trimmed: nothing left, or (for request bodies) only
// what bytes.TrimSpace trims. It reads the rest of the input to find out, leaving pos at buf[at]; errors only.
func (d *Decoder) onlySpaceFrom(at int) bool {
	d.pos = at
	if !d.trimmed {
		d.pos = d.ensure(d.pos, 1)
		return d.pos >= len(d.buf)
	}
	start := d.pos
	d.keep = start
	end := d.skipUnicodeSpace()
	d.pos, d.keep = d.keep, -1
	return end
}

// forstQuoteChar formats c as encoding/json's syntax errors do.
func forstQuoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

// ---------------------------------------------------------------------------------------------------- arrays, objects

const (
	Null       = iota // the value was null (consumed)
	forstOther        // the value had another JSON type: a type error was recorded and the value skipped
	Opened            // the '[' or '{' was consumed: read the elements with elem / member
)

// Open starts reading an array (want '[') or an object (want '{') into *v (a pointer, for the type error).
func (d *Decoder) Open(want byte, v any) int {
	c := d.Peek()
	if c == want {
		d.pos++
		d.push(c)
		return Opened
	}
	if c == 'n' {
		d.literal("null")
		return Null
	}
	d.mismatch(c, v)
	return forstOther
}

func (d *Decoder) push(c byte) {
	d.depth++
	if d.depth > forstMaxDepth {
		d.syntax(d.pos-1, "exceeded max depth")
	}
}

// Elem reports whether the array has an element number n (n counts from 0), consuming the ',' before it; at the
// end it consumes the ']' and returns false.
func (d *Decoder) Elem(n int) bool {
	c := d.Peek()
	if c == ']' && n == 0 {
		d.pos++
		d.depth--
		return false
	}
	if n == 0 {
		return true
	}
	switch c {
	case ',':
		d.pos++
		return true
	case ']':
		d.pos++
		d.depth--
		return false
	}
	d.syntax(d.pos, "after array element")
	return false
}

// Member reports whether the object has a Member number n (n counts from 0): it reads its key into d.key and the
// ':' after it. At the end it consumes the '}' and returns false.
func (d *Decoder) Member(n int) bool {
	c := d.Peek()
	if n > 0 {
		switch c {
		case ',':
			d.pos++
			c = d.Peek()
		case '}':
			d.pos++
			d.depth--
			return false
		default:
			d.syntax(d.pos, "after object key:value pair")
		}
	} else if c == '}' {
		d.pos++
		d.depth--
		return false
	}
	if c != '"' {
		d.syntax(d.pos, "looking for beginning of object key string")
	}
	d.Key = append(d.Key[:0], d.Str()...)
	if c := d.Peek(); c != ':' {
		d.syntax(d.pos, "after object key")
	}
	d.pos++
	return true
}

// Enter and leave keep encoding/json's error context: the struct fields on the way to the value being decoded.
func (d *Decoder) Enter(field string) { d.path = append(d.path, field) }
func (d *Decoder) Leave()             { d.path = d.path[:len(d.path)-1] }

// enter2 enters a field promoted from an embedded struct: encoding/json names the embedded field (Go name) first.
func (d *Decoder) enter2(embedded, field string) { d.path = append(d.path, embedded, field) }
func (d *Decoder) leave2()                       { d.path = d.path[:len(d.path)-2] }

// forstStep is a step of the JSON path the decoder keeps inside values holding Forst shapes with required fields
// (the generated code calls at, atIndex and atKey around such values only): a member's key, or an element's index.
type forstStep struct {
	key   string
	index int
}

func (d *Decoder) At(key string) { d.where = append(d.where, forstStep{key: key, index: -1}) }
func (d *Decoder) AtIndex(i int) { d.where = append(d.where, forstStep{index: i}) }
func (d *Decoder) AtKey()        { d.At(string(d.Key)) }
func (d *Decoder) Up()           { d.where = d.where[:len(d.where)-1] }

// forstMissingError is a required field of a Forst shape that a JSON object lacked (or had as null): at is the
// object's path below the argument (`.address`, `.previous[1]`), expected what the field holds ("a string").
type forstMissingError struct {
	at, field, expected string
	where               []forstStep // at, as steps (for the differential tests, which check it on the JSON)
}

func (e *forstMissingError) Error() string {
	return fmt.Sprintf("at %s: missing required field %q (%s)", e.at, e.field, e.expected)
}

// Missing records a required field that the object just decoded did not have; like a type error, the first
// problem of an argument is the one reported.
func (d *Decoder) Missing(field, expected string) {
	if d.saved != nil || d.abort != nil {
		return
	}
	var b strings.Builder
	for _, s := range d.where {
		if s.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
		} else {
			b.WriteByte('.')
			b.WriteString(s.key)
		}
	}
	d.save(&forstMissingError{at: b.String(), field: field, expected: expected, where: append([]forstStep(nil), d.where...)})
}

// ---------------------------------------------------------------------------------------------------- tokens

// forstPlain marks the bytes a string can hold as they are: printable ASCII except '"' and '\\'.
var forstPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// Str reads a string (buf[pos] is its opening quote) and returns its value with encoding/json's rules: escapes
// decoded, invalid UTF-8 and unpaired surrogates replaced by U+FFFD. The bytes are valid until the next read.
func (d *Decoder) Str() []byte {
	start := d.pos + 1
	i := start
	buf := d.buf
	// Eight bytes at a time while they are all plain.
	for i+8 <= len(buf) && forstPlain8(binary.LittleEndian.Uint64(buf[i:])) {
		i += 8
	}
	for i < len(buf) {
		c := buf[i]
		if forstPlain[c] {
			i++
			continue
		}
		if c == '"' {
			d.pos = i + 1
			return buf[start:i]
		}
		break
	}
	return d.strSlow(start, i)
}

// forstPlain8 reports whether eight bytes are all plain: no '"', no '\\', no control byte, no byte >= 0x80.
func forstPlain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote := x ^ (ones * '"')
	backslash := x ^ (ones * '\\')
	special := (quote-ones) & ^quote | (backslash-ones) & ^backslash | (x-ones*0x20) & ^x | x
	return special&highs == 0
}

// strSlow goes on from buf[i] (buf[start:i] is plain text) through escapes, non-ASCII text and refills.
func (d *Decoder) strSlow(start, i int) []byte {
	b := append(d.tmp[:0], d.buf[start:i]...)
	for {
		if i >= len(d.buf) {
			d.pos = i
			shift, ok := d.more()
			i -= shift
			if !ok {
				d.fail("unexpected end of JSON input")
			}
		}
		c := d.buf[i]
		switch {
		case forstPlain[c]:
			j := i + 1
			for j < len(d.buf) && forstPlain[d.buf[j]] {
				j++
			}
			b = append(b, d.buf[i:j]...)
			i = j
		case c == '"':
			d.pos = i + 1
			d.tmp = b
			return b
		case c == '\\':
			d.pos = i
			b, i = d.escape(b, i)
		case c < 0x20:
			d.syntax(i, "in string literal")
		default:
			d.pos = i
			i = d.ensure(i, utf8.UTFMax)
			r, size := utf8.DecodeRune(d.buf[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, "\uFFFD"...)
			} else {
				b = append(b, d.buf[i:i+size]...)
			}
			i += size
		}
	}
}

// escape decodes the escape at buf[i] ('\\') onto b.
func (d *Decoder) escape(b []byte, i int) ([]byte, int) {
	i = d.ensure(i, 2)
	if i+1 >= len(d.buf) {
		d.syntax(i+1, "in string escape code")
	}
	switch c := d.buf[i+1]; c {
	case '"', '\\', '/':
		return append(b, c), i + 2
	case 'b':
		return append(b, '\b'), i + 2
	case 'f':
		return append(b, '\f'), i + 2
	case 'n':
		return append(b, '\n'), i + 2
	case 'r':
		return append(b, '\r'), i + 2
	case 't':
		return append(b, '\t'), i + 2
	case 'u':
		r, i := d.hex4(i + 2)
		if utf16.IsSurrogate(r) {
			// A pair only when a valid \uXXXX follows and completes it; otherwise U+FFFD, and what follows is
			// read on its own (encoding/json's unquote).
			i = d.ensure(i, 6)
			if r2 := forstGetU4(d.buf[i:]); r2 >= 0 {
				if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
					return utf8.AppendRune(b, dec), i + 6
				}
			}
			r = unicode.ReplacementChar
		}
		return utf8.AppendRune(b, r), i
	default:
		if c == '\'' && d.lenient {
			return append(b, c), i + 2
		}
		d.syntax(i+1, "in string escape code")
		return b, i
	}
}

// hex4 reads the four hex digits of a \u escape starting at buf[i].
func (d *Decoder) hex4(i int) (rune, int) {
	i = d.ensure(i, 4)
	var r rune
	for k := 0; k < 4; k++ {
		if i+k >= len(d.buf) {
			d.syntax(i+k, `in \u hexadecimal character escape`)
		}
		c := d.buf[i+k]
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			d.syntax(i+k, `in \u hexadecimal character escape`)
		}
	}
	return r, i + 4
}

// string reads a string value. Short strings repeat a lot in JSON (enumerations, keys, flags): one that was decoded
// recently is shared instead of allocated again (Go strings are immutable, so nobody can tell).
func (d *Decoder) string() string {
	b := d.Str()
	if len(b) > 16 || len(b) == 0 {
		return string(b)
	}
	if d.short == nil {
		d.short = new([256]string)
	}
	h := uint32(len(b)) * 0x9E3779B1
	for _, c := range b {
		h = (h ^ uint32(c)) * 0x01000193
	}
	slot := &d.short[h>>24]
	if *slot != string(b) {
		*slot = string(b)
	}
	return *slot
}

// forstGetU4 decodes a complete \uXXXX at the start of s, or returns -1.
func forstGetU4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// skipStr skips a string (buf[pos] is its opening quote), checking its syntax only.
func (d *Decoder) skipStr() {
	i := d.pos + 1
	for {
		for i < len(d.buf) {
			c := d.buf[i]
			switch {
			case forstPlain[c] || c >= 0x80:
				i++
			case c == '"':
				d.pos = i + 1
				return
			case c == '\\':
				d.pos = i
				_, i = d.escape(d.tmp[:0], i)
			default:
				d.syntax(i, "in string literal")
			}
		}
		d.pos = i
		shift, ok := d.more()
		i -= shift
		if !ok {
			d.fail("unexpected end of JSON input")
		}
	}
}

// The states of a number, as encoding/json's scanner has them; the accepting ones end at any other byte.
const (
	forstNumNeg  = iota // after '-': a digit must follow
	forstNumZero        // after a leading 0 (accepting)
	forstNumInt         // in the integer digits (accepting)
	forstNumDot         // after '.': a digit must follow
	forstNumFrac        // in the fraction digits (accepting)
	forstNumE           // after 'e': a sign or a digit must follow
	forstNumSign        // after the exponent's sign: a digit must follow
	forstNumExp         // in the exponent digits (accepting)
)

// Number reads a Number (buf[pos] is '-' or a digit) and returns its text, with encoding/json's syntax errors. At
// the end of the input, a Number that needs more is an error about a space: encoding/json's scanner sees one there.
func (d *Decoder) Number() []byte {
	for {
		start := d.pos
		b := d.buf
		i, state := start+1, forstNumInt
		switch b[start] {
		case '-':
			state = forstNumNeg
		case '0':
			state = forstNumZero
		}
	scan:
		for ; i < len(b); i++ {
			c := b[i]
			digit := '0' <= c && c <= '9'
			switch state {
			case forstNumNeg:
				switch {
				case c == '0':
					state = forstNumZero
				case digit:
					state = forstNumInt
				default:
					d.syntax(i, "in numeric literal")
				}
			case forstNumZero, forstNumInt:
				switch {
				case digit && state == forstNumInt:
				case c == '.':
					state = forstNumDot
				case c == 'e' || c == 'E':
					state = forstNumE
				default:
					break scan
				}
			case forstNumDot:
				if !digit {
					d.syntax(i, "after decimal point in numeric literal")
				}
				state = forstNumFrac
			case forstNumFrac:
				switch {
				case digit:
				case c == 'e' || c == 'E':
					state = forstNumE
				default:
					break scan
				}
			case forstNumE:
				switch {
				case c == '+' || c == '-':
					state = forstNumSign
				case digit:
					state = forstNumExp
				default:
					d.syntax(i, "in exponent of numeric literal")
				}
			case forstNumSign:
				if !digit {
					d.syntax(i, "in exponent of numeric literal")
				}
				state = forstNumExp
			case forstNumExp:
				if !digit {
					break scan
				}
			}
		}
		if i < len(b) {
			d.pos = i
			return b[start:i]
		}
		if _, ok := d.more(); ok {
			continue // scan the number again from its start (d.pos), with more of it
		}
		start = d.pos
		switch state {
		case forstNumNeg:
			d.syntax(len(d.buf), "in numeric literal")
		case forstNumDot:
			d.syntax(len(d.buf), "after decimal point in numeric literal")
		case forstNumE, forstNumSign:
			d.syntax(len(d.buf), "in exponent of numeric literal")
		}
		d.pos = len(d.buf)
		return d.buf[start:]
	}
}

// literal reads true, false or null (buf[pos] is its first letter), with encoding/json's syntax errors.
func (d *Decoder) literal(word string) {
	i := d.ensure(d.pos, len(word))
	d.pos = i
	for k := 1; k < len(word); k++ {
		if i+k >= len(d.buf) || d.buf[i+k] != word[k] {
			d.syntax(i+k, "in literal "+word+" (expecting "+forstQuoteChar(word[k])+")")
		}
	}
	d.pos = i + len(word)
}

// Skip skips one value, checking its syntax.
func (d *Decoder) Skip() {
	switch c := d.Peek(); c {
	case '"':
		d.skipStr()
	case '{':
		d.pos++
		d.push(c)
		for n := 0; d.Member(n); n++ {
			d.Skip()
		}
	case '[':
		d.pos++
		d.push(c)
		for n := 0; d.Elem(n); n++ {
			d.Skip()
		}
	case 't':
		d.literal("true")
	case 'f':
		d.literal("false")
	case 'n':
		d.literal("null")
	default:
		if c == '-' || '0' <= c && c <= '9' {
			d.Number()
			return
		}
		d.syntax(d.pos, "looking for beginning of value")
	}
}

// Raw skips one value and returns its text (a copy), for the encoding/json fallbacks.
func (d *Decoder) Raw() []byte {
	d.Peek()
	d.keep = d.pos
	d.Skip()
	out := append([]byte(nil), d.buf[d.keep:d.pos]...)
	d.keep = -1
	return out
}

// ---------------------------------------------------------------------------------------------------- errors

// mismatch records encoding/json's type error for a JSON value starting with c that cannot go into *v, and skips it.
func (d *Decoder) mismatch(c byte, v any) {
	kind := "number"
	switch c {
	case '"':
		kind = "string"
	case '{':
		kind = "object"
	case '[':
		kind = "array"
	case 't', 'f':
		kind = "bool"
	}
	d.Skip() // a syntax error here wins, as in encoding/json
	d.typeError(kind, v)
}

// typeError records a type error: value is encoding/json's description of the JSON value ("string", "number 1.5"),
// v points to the Go value it could not go into.
func (d *Decoder) typeError(value string, v any) {
	d.typeErrorOf(value, reflect.TypeOf(v).Elem())
}

func (d *Decoder) typeErrorOf(value string, t reflect.Type) {
	d.save(&json.UnmarshalTypeError{Value: value, Type: t, Field: strings.Join(d.path, ".")})
}

// save records an error that does not stop decoding (encoding/json's saveError): the first one counts.
func (d *Decoder) save(err error) {
	if d.saved == nil {
		d.saved = err
	}
}

// stop records an error that ends the current argument (encoding/json returns these at once). A type error gets the
// error context, as encoding/json's addErrorContext does.
func (d *Decoder) stop(err error) {
	if d.abort != nil {
		return
	}
	if te, ok := err.(*json.UnmarshalTypeError); ok && len(d.path) > 0 {
		te.Field = strings.Join(append(d.path[:len(d.path):len(d.path)], forstNonEmpty(te.Field)...), ".")
	}
	d.abort = err
}

func forstNonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
