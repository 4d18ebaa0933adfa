// Forst JSON codec: emitted verbatim into every generated module as forst_codec.go.
//
// The compiler generates a decoder and an encoder for every type an endpoint receives or returns (forst_codecs.go);
// they are built from the functions here. Together they read and write JSON exactly as encoding/json (v1) does —
// the same Go values, the same errors (type errors with the same JSON paths, syntax errors with the same messages,
// the same precedence between them), the same bytes out (HTML-safe escaping of <, >, & and U+2028/U+2029
// included) — without reflection on the hot path. Types the generated code does not handle itself (types with
// MarshalJSON/UnmarshalJSON/MarshalText/UnmarshalText methods such as time.Time, type parameters of generic types,
// anything unusual) go through encoding/json for that value only: correctness first.
//
// The decoder reads from a []byte or incrementally from an io.Reader through a buffer that refills (decoding a
// large body never needs the whole body in memory); the encoder appends to a buffer and, when given an io.Writer,
// flushes it in chunks. Syntax and read errors end decoding at once (a panic recovered by forstDecodeArgs); type
// errors are recorded and decoding goes on, as in encoding/json, where the first one is reported unless a syntax
// error comes later.

package main

import (
	"bytes"
	"context"
	"encoding"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// forstMaxDepth is encoding/json's nesting limit: a deeper array or object is a syntax error.
const forstMaxDepth = 10000

// forstDecoder reads one JSON text. Generated decoders call its methods and the forstDecode* functions below.
type forstDecoder struct {
	buf  []byte    // input; buf[pos:] is not read yet
	pos  int       // also the first byte a refill keeps (or keep, when lower)
	keep int       // >= 0: a refill keeps buf[keep:] too (raw is capturing a value)
	r    io.Reader // nil: buf is all the input
	rerr error     // the reader's error once it returned one (io.EOF at the end of the input)

	depth int          // open arrays and objects
	key   []byte       // the object key read by member, unescaped (a copy, valid until the next key)
	fold  []byte       // the key folded for a case-insensitive match
	tmp   []byte       // scratch for unescaping strings
	path  []string     // encoding/json's error context: the struct fields (JSON names) down to the value being decoded
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
func newForstBytesDecoder(data []byte) *forstDecoder {
	return &forstDecoder{buf: data, rerr: io.EOF, keep: -1, path: make([]string, 0, 8)}
}

// newForstReaderDecoder decodes what r yields, reading it into buf (its capacity is the initial buffer size; it
// grows only when one string or number does not fit).
func newForstReaderDecoder(r io.Reader, buf []byte) *forstDecoder {
	if cap(buf) < 16 {
		buf = make([]byte, 0, 16)
	}
	return &forstDecoder{buf: buf[:0], r: r, keep: -1, path: make([]string, 0, 8)}
}

// more reads more input, keeping buf[pos:]; it returns by how much the kept bytes moved towards the start of buf
// (callers subtract it from their indexes) and false at the end of the input.
func (d *forstDecoder) more() (int, bool) {
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
func (d *forstDecoder) ensure(i, n int) int {
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

// peek skips whitespace and returns the next byte, not consumed. The end of the input is a syntax error.
func (d *forstDecoder) peek() byte {
	if d.pos < len(d.buf) {
		if c := d.buf[d.pos]; c > ' ' {
			return c
		}
	}
	return d.peekSlow()
}

func (d *forstDecoder) peekSlow() byte {
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

func (d *forstDecoder) fail(msg string) {
	panic(forstSyntaxError{msg})
}

// syntax reports the syntax error at buf[at] (at == len(buf): the end of the input); context is what
// encoding/json's scanner says in that state. A request body is trimmed of trailing whitespace before it is
// scanned, so when nothing but whitespace is left from at on, the scanner is at the end of its input there; and at
// the end of the input its last step feeds the state a space: the error is then about ' ', or "unexpected end of
// JSON input" where a space is fine.
func (d *forstDecoder) syntax(at int, context string) {
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
func (d *forstDecoder) onlySpaceFrom(at int) bool {
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
	forstNull   = iota // the value was null (consumed)
	forstOther         // the value had another JSON type: a type error was recorded and the value skipped
	forstOpened        // the '[' or '{' was consumed: read the elements with elem / member
)

// open starts reading an array (want '[') or an object (want '{') into *v (a pointer, for the type error).
func (d *forstDecoder) open(want byte, v any) int {
	c := d.peek()
	if c == want {
		d.pos++
		d.push(c)
		return forstOpened
	}
	if c == 'n' {
		d.literal("null")
		return forstNull
	}
	d.mismatch(c, v)
	return forstOther
}

func (d *forstDecoder) push(c byte) {
	d.depth++
	if d.depth > forstMaxDepth {
		d.syntax(d.pos-1, "exceeded max depth")
	}
}

// elem reports whether the array has an element number n (n counts from 0), consuming the ',' before it; at the
// end it consumes the ']' and returns false.
func (d *forstDecoder) elem(n int) bool {
	c := d.peek()
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

// member reports whether the object has a member number n (n counts from 0): it reads its key into d.key and the
// ':' after it. At the end it consumes the '}' and returns false.
func (d *forstDecoder) member(n int) bool {
	c := d.peek()
	if n > 0 {
		switch c {
		case ',':
			d.pos++
			c = d.peek()
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
	d.key = append(d.key[:0], d.str()...)
	if c := d.peek(); c != ':' {
		d.syntax(d.pos, "after object key")
	}
	d.pos++
	return true
}

// enter and leave keep encoding/json's error context: the struct fields on the way to the value being decoded.
func (d *forstDecoder) enter(field string) { d.path = append(d.path, field) }
func (d *forstDecoder) leave()             { d.path = d.path[:len(d.path)-1] }

// enter2 enters a field promoted from an embedded struct: encoding/json names the embedded field (Go name) first.
func (d *forstDecoder) enter2(embedded, field string) { d.path = append(d.path, embedded, field) }
func (d *forstDecoder) leave2()                       { d.path = d.path[:len(d.path)-2] }

// ---------------------------------------------------------------------------------------------------- tokens

// forstPlain marks the bytes a string can hold as they are: printable ASCII except '"' and '\\'.
var forstPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str reads a string (buf[pos] is its opening quote) and returns its value with encoding/json's rules: escapes
// decoded, invalid UTF-8 and unpaired surrogates replaced by U+FFFD. The bytes are valid until the next read.
func (d *forstDecoder) str() []byte {
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
func (d *forstDecoder) strSlow(start, i int) []byte {
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
func (d *forstDecoder) escape(b []byte, i int) ([]byte, int) {
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
func (d *forstDecoder) hex4(i int) (rune, int) {
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
func (d *forstDecoder) string() string {
	b := d.str()
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
func (d *forstDecoder) skipStr() {
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

// number reads a number (buf[pos] is '-' or a digit) and returns its text, with encoding/json's syntax errors. At
// the end of the input, a number that needs more is an error about a space: encoding/json's scanner sees one there.
func (d *forstDecoder) number() []byte {
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
func (d *forstDecoder) literal(word string) {
	i := d.ensure(d.pos, len(word))
	d.pos = i
	for k := 1; k < len(word); k++ {
		if i+k >= len(d.buf) || d.buf[i+k] != word[k] {
			d.syntax(i+k, "in literal "+word+" (expecting "+forstQuoteChar(word[k])+")")
		}
	}
	d.pos = i + len(word)
}

// skip skips one value, checking its syntax.
func (d *forstDecoder) skip() {
	switch c := d.peek(); c {
	case '"':
		d.skipStr()
	case '{':
		d.pos++
		d.push(c)
		for n := 0; d.member(n); n++ {
			d.skip()
		}
	case '[':
		d.pos++
		d.push(c)
		for n := 0; d.elem(n); n++ {
			d.skip()
		}
	case 't':
		d.literal("true")
	case 'f':
		d.literal("false")
	case 'n':
		d.literal("null")
	default:
		if c == '-' || '0' <= c && c <= '9' {
			d.number()
			return
		}
		d.syntax(d.pos, "looking for beginning of value")
	}
}

// raw skips one value and returns its text (a copy), for the encoding/json fallbacks.
func (d *forstDecoder) raw() []byte {
	d.peek()
	d.keep = d.pos
	d.skip()
	out := append([]byte(nil), d.buf[d.keep:d.pos]...)
	d.keep = -1
	return out
}

// ---------------------------------------------------------------------------------------------------- errors

// mismatch records encoding/json's type error for a JSON value starting with c that cannot go into *v, and skips it.
func (d *forstDecoder) mismatch(c byte, v any) {
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
	d.skip() // a syntax error here wins, as in encoding/json
	d.typeError(kind, v)
}

// typeError records a type error: value is encoding/json's description of the JSON value ("string", "number 1.5"),
// v points to the Go value it could not go into.
func (d *forstDecoder) typeError(value string, v any) {
	d.typeErrorOf(value, reflect.TypeOf(v).Elem())
}

func (d *forstDecoder) typeErrorOf(value string, t reflect.Type) {
	d.save(&json.UnmarshalTypeError{Value: value, Type: t, Field: strings.Join(d.path, ".")})
}

// save records an error that does not stop decoding (encoding/json's saveError): the first one counts.
func (d *forstDecoder) save(err error) {
	if d.saved == nil {
		d.saved = err
	}
}

// stop records an error that ends the current argument (encoding/json returns these at once). A type error gets the
// error context, as encoding/json's addErrorContext does.
func (d *forstDecoder) stop(err error) {
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

// ---------------------------------------------------------------------------------------------------- values

// forstDecodeString decodes a JSON string into *v; null leaves it as it is.
func forstDecodeString[T ~string](d *forstDecoder, v *T) {
	switch c := d.peek(); c {
	case '"':
		*v = T(d.string())
	case 'n':
		d.literal("null")
	default:
		d.mismatch(c, v)
	}
}

// forstDecodeBool decodes true or false into *v; null leaves it as it is.
func forstDecodeBool[T ~bool](d *forstDecoder, v *T) {
	switch c := d.peek(); c {
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
func (d *forstDecoder) numberText(v any) []byte {
	switch c := d.peek(); {
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	case c == 'n':
		d.literal("null")
	default:
		d.mismatch(c, v)
	}
	return nil
}

// forstDecodeInt decodes an integer into *v, with encoding/json's checks: no fraction, no exponent, in range.
func forstDecodeInt[T ~int | ~int8 | ~int16 | ~int32 | ~int64](d *forstDecoder, v *T) {
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

// forstDecodeUint decodes a non-negative integer into *v ("-0" is not one, as for strconv.ParseUint).
func forstDecodeUint[T ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr](d *forstDecoder, v *T) {
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

// forstDecodeFloat64 decodes a number into *v; out of range (1e400) is a type error, as in encoding/json.
func forstDecodeFloat64[T ~float64](d *forstDecoder, v *T) {
	switch c := d.peek(); {
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
func (d *forstDecoder) float() (float64, []byte, bool) {
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

func (d *forstDecoder) floatSlow(start int) (float64, []byte, bool) {
	d.pos = start
	text := d.number()
	f, ok := forstParseFloat(text)
	return f, text, ok
}

// forstDecodeFloat32 decodes a number into *v, rounded once to float32 (strconv.ParseFloat with 32 bits).
func forstDecodeFloat32[T ~float32](d *forstDecoder, v *T) {
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

// forstDecodeNumber decodes a json.Number: a number's text, or a string holding a valid number.
func forstDecodeNumber(d *forstDecoder, v *json.Number) {
	switch c := d.peek(); {
	case c == '-' || '0' <= c && c <= '9':
		*v = json.Number(d.number())
	case c == '"':
		start := d.pos
		d.keep = start
		s := string(d.str())
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

// forstDecodeBytes decodes a []byte: base64 text (as encoding/json writes it), or an array of numbers; null is nil.
func forstDecodeBytes[T ~[]byte](d *forstDecoder, v *T) {
	switch c := d.peek(); c {
	case '"':
		s := d.str()
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
		for ; d.elem(n); n++ {
			s = forstGrow(s, n)
			forstDecodeUint(d, &s[n])
		}
		*v = forstCut(s, n)
	case 'n':
		d.literal("null")
		*v = nil
	default:
		d.mismatch(c, v)
	}
}

// forstGrow makes s[i] exist for decoding element i into it, as encoding/json does: an element that exists (from
// a duplicate key's earlier array) is decoded into, a new one starts as the zero value. The capacity doubles when it
// runs out, and grows by half past 64k elements (append grows large slices by a quarter: about twice as many copies
// of a long array; doubling all the way would raise the peak while the last copy is made).
func forstGrow[S ~[]E, E any](s S, i int) S {
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

// forstCut ends a decoded array of n elements: truncated to n, and an empty array is an empty, non-nil slice.
func forstCut[S ~[]E, E any](s S, n int) S {
	if n == 0 {
		return S{}
	}
	return s[:n]
}

// forstInitMap gives *m a map to decode members into (encoding/json keeps an existing one).
func forstInitMap[M ~map[K]V, K comparable, V any](m *M) {
	if *m == nil {
		*m = make(M)
	}
}

// forstZeroOf returns the zero value of m's elements, the fresh value encoding/json decodes a member into.
func forstZeroOf[M ~map[K]V, K comparable, V any](M) (zero V) { return zero }

// forstStringKey is the current member's key for map m, which has string keys.
func forstStringKey[M ~map[K]V, K ~string, V any](m M, d *forstDecoder) K { return K(d.key) }

// forstKeyCheck says whether a member's key fits an integer-keyed map; encoding/json reports one that does not
// after decoding the member's value, and leaves the member out.
type forstKeyCheck struct {
	valid bool
	text  string
	typ   reflect.Type
}

func (k forstKeyCheck) report(d *forstDecoder) { d.typeErrorOf("number "+k.text, k.typ) }

// forstIntKey parses the current member's key for map m, which has integer keys (strconv.ParseInt, in range).
func forstIntKey[M ~map[K]V, K ~int | ~int8 | ~int16 | ~int32 | ~int64, V any](m M, d *forstDecoder) (K, forstKeyCheck) {
	n, err := strconv.ParseInt(string(d.key), 10, 64)
	if err != nil || int64(K(n)) != n {
		return 0, forstKeyCheck{text: string(d.key), typ: reflect.TypeFor[K]()}
	}
	return K(n), forstKeyCheck{valid: true}
}

// forstUintKey is forstIntKey for unsigned keys.
func forstUintKey[M ~map[K]V, K ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr, V any](m M, d *forstDecoder) (K, forstKeyCheck) {
	n, err := strconv.ParseUint(string(d.key), 10, 64)
	if err != nil || uint64(K(n)) != n {
		return 0, forstKeyCheck{text: string(d.key), typ: reflect.TypeFor[K]()}
	}
	return K(n), forstKeyCheck{valid: true}
}

// forstAlloc points *p at a new zero value unless it already points somewhere (encoding/json decodes into what a
// pointer already points to).
func forstAlloc[T any](p **T) {
	if *p == nil {
		*p = new(T)
	}
}

// null consumes a null and reports true, or reports false and consumes nothing.
func (d *forstDecoder) null() bool {
	if d.peek() != 'n' {
		return false
	}
	d.literal("null")
	return true
}

// foldedKey is the current member's key folded as encoding/json folds names to match them without regard to
// case: ASCII letters upper-cased, other letters to the smallest rune of their case-folding orbit.
func (d *forstDecoder) foldedKey() []byte {
	out := d.fold[:0]
	for i := 0; i < len(d.key); {
		c := d.key[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(d.key[i:])
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
func (d *forstDecoder) smallInt() (n int64, start int, ok bool) {
	if d.pos >= len(d.buf) || d.buf[d.pos] <= ' ' {
		d.peek()
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

// forstDecodeAny decodes any JSON value into *v as encoding/json does for an empty interface: float64, string,
// bool, nil, []any and map[string]any.
func forstDecodeAny(d *forstDecoder, v *any) {
	*v = d.anyValue()
}

func (d *forstDecoder) anyValue() any {
	switch c := d.peek(); c {
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

// forstDecodeAnyMap decodes an object into a map[string]any (a JSON object parameter such as the RFC's calculate
// input); null is nil, other values are type errors.
func forstDecodeAnyMap[M ~map[string]any](d *forstDecoder, v *M) {
	switch d.open('{', v) {
	case forstNull:
		*v = nil
	case forstOpened:
		forstInitMap(v)
		m := *v
		for n := 0; d.member(n); n++ {
			k := string(d.key)
			m[k] = d.anyValue()
		}
	}
}

// forstDecodeAnySlice decodes an array into a []any.
func forstDecodeAnySlice[S ~[]any](d *forstDecoder, v *S) {
	switch d.open('[', v) {
	case forstNull:
		*v = nil
	case forstOpened:
		s := *v
		n := 0
		for ; d.elem(n); n++ {
			s = forstGrow(s, n)
			s[n] = d.anyValue()
		}
		*v = forstCut(s, n)
	}
}

func (d *forstDecoder) anyObject() map[string]any {
	m := make(map[string]any)
	for n := 0; d.member(n); n++ {
		k := string(d.key)
		m[k] = d.anyValue()
	}
	return m
}

// anyArray collects the elements on a scratch stack shared by nested arrays and allocates the slice once, at its
// final length.
func (d *forstDecoder) anyArray() []any {
	base := len(d.stack)
	for n := 0; d.elem(n); n++ {
		v := d.anyValue()
		d.stack = append(d.stack, v)
	}
	a := make([]any, len(d.stack)-base)
	copy(a, d.stack[base:])
	clear(d.stack[base:])
	d.stack = d.stack[:base]
	return a
}

// ---------------------------------------------------------------------------------------------------- fallbacks

// decodeJSON decodes the next value into *v (v is a pointer) the way encoding/json does for types the generated code
// leaves to it: a type with an UnmarshalJSON method gets the value's text and any error it returns ends the argument;
// a type with an UnmarshalText method gets a string's contents (other JSON types are type errors); anything else goes
// through json.Unmarshal, whose errors get this value's place in the error context (a type error is recorded like
// the decoder's own, any other error ends the argument).
func (d *forstDecoder) decodeJSON(v any) {
	raw := d.raw()
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
func (d *forstDecoder) unmarshalText(u encoding.TextUnmarshaler, raw []byte, v any) {
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

// forstDecodeDynamic decodes into a value whose type the generated code does not know (a type parameter of a
// generic type): common types directly, the others through encoding/json.
func forstDecodeDynamic[T any](d *forstDecoder, v *T) {
	switch p := any(v).(type) {
	case *string:
		forstDecodeString(d, p)
	case *float64:
		forstDecodeFloat64(d, p)
	case *int:
		forstDecodeInt(d, p)
	case *int64:
		forstDecodeInt(d, p)
	case *bool:
		forstDecodeBool(d, p)
	case *any:
		forstDecodeAny(d, p)
	default:
		d.decodeJSON(v)
	}
}

// forstDecodeQuoted decodes a field tagged `json:",string"` (v points to a bool, number or string field, or a
// pointer to one): a JSON string holding the value's JSON text, with encoding/json's rules and messages.
func forstDecodeQuoted(d *forstDecoder, v any) {
	field := reflect.ValueOf(v).Elem()
	switch c := d.peek(); c {
	case '"':
		item := []byte(string(d.str()))
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
			d.skip()
		}
		d.save(fmt.Errorf("json: invalid use of ,string struct tag, trying to unmarshal unquoted value into %v", field.Type()))
	}
}

// quotedLiteral is encoding/json's literalStore with fromQuoted set, for the kinds `,string` applies to.
func (d *forstDecoder) quotedLiteral(item []byte, v reflect.Value) {
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
func (d *forstDecoder) unquote() (s string, ok bool) {
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
	v := string(d.str())
	return v, d.pos == len(d.buf)
}

// ---------------------------------------------------------------------------------------------------- the body

// forstArgs is one call of an endpoint, generated per endpoint (forst_codecs.go): its arguments, decoded in place,
// and its result.
type forstArgs interface {
	// decodeArg decodes argument i from d.
	decodeArg(d *forstDecoder, i int)
	// call runs the function; an error it returns is a *forstReturnedError.
	call(ctx context.Context) error
	// encodeResult writes the result as JSON (null when the function returns none).
	encodeResult(e *forstEncoder)

	// For the differential tests and the codec benchmark: pointers to the arguments, one argument through its
	// generated encoder, a pointer to the result (nil when the function returns none) and its generated decoder.
	args() []any
	encodeArg(e *forstEncoder, i int)
	result() any
	decodeResult(d *forstDecoder)
}

// forstDecodeArgs reads a request body into c's arguments by the body convention: the JSON value of the single
// parameter, a JSON array of the arguments for several, and for none an empty body, null or []. Leading and trailing
// Unicode whitespace is ignored. The errors, and which one wins when there are several, are those of the path this
// replaced (split the body with encoding/json, then json.Unmarshal each argument): a syntax error anywhere, then the
// wrong number of arguments, then the first argument that does not fit. One difference is unavoidable when reading
// as a stream: an argument's own UnmarshalJSON method (a user type's) runs before the rest of the body is checked.
// A read error (the body is too large, the client went away) is a forstReadError.
func forstDecodeArgs(d *forstDecoder, ep *forstEndpoint, c forstArgs) (err error) {
	defer func() {
		switch r := recover().(type) {
		case nil:
		case forstSyntaxError:
			err = &forstInputError{Function: ep.Name, Message: "malformed JSON body: " + r.msg}
		case forstReadError:
			err = r
		default:
			panic(r)
		}
	}()
	d.trimmed = true
	params := ep.Params
	if len(params) == 0 {
		return d.noArguments()
	}
	empty := d.skipUnicodeSpace()
	if len(params) == 1 {
		if empty {
			return &forstInputError{Function: ep.Name, Path: params[0], Message: "missing argument " + params[0]}
		}
		d.saved, d.abort = nil, nil
		c.decodeArg(d, 0)
		d.end()
		if e := d.argError(); e != nil {
			return forstArgError(ep.Name, params[0], e)
		}
		return nil
	}
	list := "[" + strings.Join(params, ", ") + "]"
	switch ch := d.peek(); ch {
	case '[':
		d.pos++
		d.push(ch)
		var argErr error
		n := 0
		for ; d.elem(n); n++ {
			if n >= len(params) || argErr != nil {
				d.skip()
				continue
			}
			d.saved, d.abort = nil, nil
			c.decodeArg(d, n)
			if e := d.argError(); e != nil {
				argErr = forstArgError(ep.Name, params[n], e)
			}
		}
		d.end()
		if n != len(params) {
			return &forstInputError{Function: ep.Name, Message: fmt.Sprintf("expected %d arguments %s, got %d", len(params), list, n)}
		}
		return argErr
	case 'n':
		d.literal("null")
		d.end()
		return &forstInputError{Function: ep.Name, Message: fmt.Sprintf("expected %d arguments %s, got 0", len(params), list)}
	default:
		d.skip()
		d.end()
		return &forstInputError{Function: ep.Name, Message: fmt.Sprintf("expected a JSON array of %d arguments %s", len(params), list)}
	}
}

func (d *forstDecoder) argError() error {
	if d.abort != nil {
		return d.abort
	}
	return d.saved
}

// noArguments accepts an empty body, null or [], with whitespace around them, and checks nothing else.
func (d *forstDecoder) noArguments() error {
	if d.skipUnicodeSpace() {
		return nil
	}
	d.pos = d.ensure(d.pos, 4)
	switch rest := d.buf[d.pos:]; {
	case bytes.HasPrefix(rest, []byte("null")):
		d.pos += 4
	case bytes.HasPrefix(rest, []byte("[]")):
		d.pos += 2
	default:
		return &forstInputError{Message: "this function takes no arguments; send an empty body"}
	}
	if !d.skipUnicodeSpace() {
		return &forstInputError{Message: "this function takes no arguments; send an empty body"}
	}
	return nil
}

// skipUnicodeSpace skips what bytes.TrimSpace trims (ASCII whitespace including \v and \f, and Unicode spaces) and
// reports whether the input ends there.
func (d *forstDecoder) skipUnicodeSpace() bool {
	for {
		d.pos = d.ensure(d.pos, utf8.UTFMax)
		if d.pos >= len(d.buf) {
			return true
		}
		c := d.buf[d.pos]
		if c < utf8.RuneSelf {
			if c == ' ' || '\t' <= c && c <= '\r' {
				d.pos++
				continue
			}
			return false
		}
		r, size := utf8.DecodeRune(d.buf[d.pos:])
		if !unicode.IsSpace(r) {
			return false
		}
		d.pos += size
	}
}

// end checks that nothing but whitespace follows the value: JSON whitespace, then possibly a tail of Unicode
// whitespace (the body is trimmed); anything else is encoding/json's "after top-level value" error.
func (d *forstDecoder) end() {
	for {
		for d.pos < len(d.buf) && forstIsSpace(d.buf[d.pos]) {
			d.pos++
		}
		if d.pos < len(d.buf) {
			break
		}
		if _, ok := d.more(); !ok {
			return
		}
	}
	if !d.onlySpaceFrom(d.pos) {
		d.syntax(d.pos, "after top-level value")
	}
}

// forstDecodeValue decodes one JSON text with decode (a generated decoder) as json.Unmarshal would: JSON whitespace
// around it only. It returns the first error json.Unmarshal would have returned (a forstSyntaxError for bad syntax).
func forstDecodeValue(d *forstDecoder, decode func(d *forstDecoder)) (err error) {
	defer func() {
		switch r := recover().(type) {
		case nil:
		case forstSyntaxError:
			err = r
		case forstReadError:
			err = r
		default:
			panic(r)
		}
	}()
	d.saved, d.abort = nil, nil
	decode(d)
	for {
		for d.pos < len(d.buf) && forstIsSpace(d.buf[d.pos]) {
			d.pos++
		}
		if d.pos < len(d.buf) {
			d.syntax(d.pos, "after top-level value")
		}
		if _, ok := d.more(); !ok {
			break
		}
	}
	return d.argError()
}

func (e forstSyntaxError) Error() string { return e.msg }

func (e forstReadError) Error() string { return e.err.Error() }
func (e forstReadError) Unwrap() error { return e.err }

// ---------------------------------------------------------------------------------------------------- pools

// forstReadBuffer is the decoder's buffer for request bodies: a body arrives through it in pieces of this size.
const forstReadBuffer = 64 << 10

var forstDecoders = sync.Pool{New: func() any { return &forstDecoder{buf: make([]byte, 0, forstReadBuffer)} }}

// forstGetDecoder returns a pooled decoder reading r.
func forstGetDecoder(r io.Reader) *forstDecoder {
	d := forstDecoders.Get().(*forstDecoder)
	*d = forstDecoder{buf: d.buf[:0], r: r, keep: -1, key: d.key[:0], fold: d.fold[:0], tmp: d.tmp[:0], path: d.path[:0],
		stack: d.stack[:0], short: d.short, own: d.buf[:0]}
	return d
}

// forstGetBytesDecoder returns a pooled decoder reading data (a body already in memory: small calls).
func forstGetBytesDecoder(data []byte) *forstDecoder {
	d := forstGetDecoder(nil)
	d.buf, d.r, d.rerr = data, nil, io.EOF
	return d
}

// forstPutDecoder returns d to the pool, unless one huge value made its buffers big.
func forstPutDecoder(d *forstDecoder) {
	if d.r != nil {
		d.own = d.buf // a reader decoder's buffer is its own (it may have grown); a bytes decoder's is the caller's
	}
	if cap(d.own) > 4*forstReadBuffer || cap(d.tmp) > 4*forstReadBuffer || cap(d.stack) > forstReadBuffer {
		return
	}
	*d = forstDecoder{buf: d.own[:0], key: d.key, fold: d.fold, tmp: d.tmp, path: d.path, stack: d.stack, short: d.short}
	forstDecoders.Put(d)
}

var forstEncoders = sync.Pool{New: func() any { return newForstEncoder(make([]byte, 0, 4096)) }}

// forstGetEncoder returns a pooled encoder that keeps everything in its buffer.
func forstGetEncoder() *forstEncoder {
	e := forstEncoders.Get().(*forstEncoder)
	e.buf, e.level = e.buf[:0], 0
	return e
}

// forstPutEncoder returns e to the pool once its buffer has been written, unless it grew beyond 16 MiB.
func forstPutEncoder(e *forstEncoder) {
	if cap(e.buf) <= 16<<20 {
		forstEncoders.Put(e)
	}
}

// ---------------------------------------------------------------------------------------------------- encoder

// forstCycleLevel is how deep the generated encoders go into pointers, slices and maps of recursive types (and
// dynamic values) before they hand the rest to encoding/json, which detects cycles there with its own message.
const forstCycleLevel = 1000

// forstEncoder writes JSON exactly as encoding/json's Marshal does. Without a writer everything stays in buf; with
// one, buf is flushed whenever it reaches limit bytes.
type forstEncoder struct {
	buf     []byte
	w       io.Writer
	limit   int
	flushed int64 // bytes written to w so far: once non-zero, an HTTP status can no longer change
	level   int   // see forstCycleLevel
}

// forstEncodeError ends encoding: the value has no JSON form (NaN, a failing MarshalJSON) or the writer failed.
type forstEncodeError struct{ err error }

// newForstEncoder encodes into buf (reused from its start).
func newForstEncoder(buf []byte) *forstEncoder {
	return &forstEncoder{buf: buf[:0], limit: math.MaxInt}
}

// newForstStreamEncoder encodes into w through a buffer of about limit bytes.
func newForstStreamEncoder(w io.Writer, limit int) *forstEncoder {
	return &forstEncoder{buf: make([]byte, 0, limit+limit/4), w: w, limit: limit}
}

func (e *forstEncoder) fail(err error) {
	panic(forstEncodeError{err})
}

// flushIfFull writes the buffer out when it has reached the limit (streaming only). The generated encoders call it
// between the elements of arrays and maps.
func (e *forstEncoder) flushIfFull() {
	if len(e.buf) >= e.limit {
		e.flush()
	}
}

// flush writes the buffer out (streaming only).
func (e *forstEncoder) flush() {
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

// forstEncodeWith runs encode (a generated encoder) and returns the error json.Marshal would have returned; in
// streaming mode it flushes what is left at the end.
func forstEncodeWith(e *forstEncoder, encode func(e *forstEncoder)) (err error) {
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

func (e *forstEncoder) raw(s string)  { e.buf = append(e.buf, s...) }
func (e *forstEncoder) byte(c byte)   { e.buf = append(e.buf, c) }
func (e *forstEncoder) null()         { e.buf = append(e.buf, "null"...) }
func (e *forstEncoder) int(n int64)   { e.buf = strconv.AppendInt(e.buf, n, 10) }
func (e *forstEncoder) uint(n uint64) { e.buf = strconv.AppendUint(e.buf, n, 10) }
func (e *forstEncoder) bool(b bool)   { e.buf = strconv.AppendBool(e.buf, b) }

// field writes a struct field's name (`"name":`, already escaped), after a comma unless it is the first.
func (e *forstEncoder) field(written *bool, name string) {
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

// str writes s as a JSON string with encoding/json's escaping: \" \\ \b \f \n \r \t, other control bytes and <, >,
// & as \u00XX, U+2028 and U+2029 as \u2028 and \u2029, invalid UTF-8 as \ufffd.
func (e *forstEncoder) str(s string) {
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

// quotedStr writes a string field tagged `json:",string"`: its JSON text, as a JSON string.
func (e *forstEncoder) quotedStr(s string) {
	inner := newForstEncoder(nil)
	inner.str(s)
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

// float64 writes f as encoding/json does (ES6 number formatting); NaN and ±Inf are json.Marshal's error.
func (e *forstEncoder) float64(f float64) {
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

// float32 writes f as encoding/json does for a float32.
func (e *forstEncoder) float32(f float32) {
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

// number writes a json.Number: its text ("" is 0), which must be a valid number.
func (e *forstEncoder) number(n json.Number) {
	s := string(n)
	if s == "" {
		s = "0"
	}
	if !forstValidNumber(s) {
		e.fail(fmt.Errorf("json: invalid number literal %q", s))
	}
	e.buf = append(e.buf, s...)
}

// bytes writes a []byte as base64 text; nil is null.
func (e *forstEncoder) bytes(b []byte) {
	if b == nil {
		e.null()
		return
	}
	e.buf = append(e.buf, '"')
	e.buf = base64.StdEncoding.AppendEncode(e.buf, b)
	e.buf = append(e.buf, '"')
}

// json writes v with encoding/json: the fallback for types the generated code leaves to it. v is what
// encoding/json would see at this place (a pointer where it could take the value's address).
func (e *forstEncoder) json(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		e.fail(err)
	}
	e.buf = append(e.buf, b...)
}

// any writes a dynamic value: the types JSON decoding produces and other common ones directly, project types
// through their generated encoders (forstEncodeKnown), the rest with encoding/json.
func (e *forstEncoder) any(v any) {
	switch x := v.(type) {
	case nil:
		e.null()
	case string:
		e.str(x)
	case float64:
		e.float64(x)
	case bool:
		e.bool(x)
	case int:
		e.int(int64(x))
	case int64:
		e.int(x)
	case int32:
		e.int(int64(x))
	case uint64:
		e.uint(x)
	case float32:
		e.float32(x)
	case json.Number:
		e.number(x)
	case map[string]any:
		e.anyMap(x)
	case []any:
		e.anySlice(x)
	case []string:
		forstEncodeSlice(e, x, func(e *forstEncoder, s *string) { e.str(*s) })
	case []float64:
		forstEncodeSlice(e, x, func(e *forstEncoder, f *float64) { e.float64(*f) })
	case []int:
		forstEncodeSlice(e, x, func(e *forstEncoder, n *int) { e.int(int64(*n)) })
	case map[string]string:
		forstEncodeMap(e, x, func(e *forstEncoder, s string) { e.str(s) })
	default:
		if !forstEncodeKnown(e, v) {
			e.json(v)
		}
	}
}

// anySlice writes a []any.
func (e *forstEncoder) anySlice(x []any) {
	if x == nil {
		e.null()
		return
	}
	if !e.descend(x) {
		return
	}
	e.byte('[')
	for i, item := range x {
		if i > 0 {
			e.byte(',')
		}
		e.any(item)
		e.flushIfFull()
	}
	e.byte(']')
	e.level--
}

// anyMap writes a map[string]any with its keys sorted, as encoding/json does.
func (e *forstEncoder) anyMap(m map[string]any) {
	if m == nil {
		e.null()
		return
	}
	if !e.descend(m) {
		return
	}
	e.byte('{')
	for i, k := range forstSortedKeys(m) {
		if i > 0 {
			e.byte(',')
		}
		e.str(k)
		e.byte(':')
		e.any(m[k])
		e.flushIfFull()
	}
	e.byte('}')
	e.level--
}

// descend goes one level down into v (the caller goes back up with e.level--), or, past forstCycleLevel, writes v
// with encoding/json, which detects cycles, and reports false.
func (e *forstEncoder) descend(v any) bool {
	if e.level >= forstCycleLevel {
		e.json(v)
		return false
	}
	e.level++
	return true
}

// forstEncodeSlice writes a slice whose elements have a simple encoder (nil is null).
func forstEncodeSlice[S ~[]E, E any](e *forstEncoder, s S, elem func(*forstEncoder, *E)) {
	if s == nil {
		e.null()
		return
	}
	e.byte('[')
	for i := range s {
		if i > 0 {
			e.byte(',')
		}
		elem(e, &s[i])
		e.flushIfFull()
	}
	e.byte(']')
}

// forstEncodeMap writes a string-keyed map whose values have a simple encoder, keys sorted (nil is null).
func forstEncodeMap[M ~map[K]V, K ~string, V any](e *forstEncoder, m M, elem func(*forstEncoder, V)) {
	if m == nil {
		e.null()
		return
	}
	e.byte('{')
	for i, k := range forstSortedKeys(m) {
		if i > 0 {
			e.byte(',')
		}
		e.str(string(k))
		e.byte(':')
		elem(e, m[k])
		e.flushIfFull()
	}
	e.byte('}')
}

// forstSortedKeys returns m's keys in the order encoding/json writes them.
func forstSortedKeys[M ~map[K]V, K ~string, V any](m M) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// forstIntKeys returns an integer-keyed map's keys with their text, in the order encoding/json writes them (by the
// text: "10" before "9").
func forstIntKeys[M ~map[K]V, K ~int | ~int8 | ~int16 | ~int32 | ~int64, V any](m M) []forstKeyText[K] {
	keys := make([]forstKeyText[K], 0, len(m))
	for k := range m {
		keys = append(keys, forstKeyText[K]{k, strconv.FormatInt(int64(k), 10)})
	}
	slices.SortFunc(keys, func(a, b forstKeyText[K]) int { return strings.Compare(a.text, b.text) })
	return keys
}

// forstUintKeys is forstIntKeys for unsigned keys.
func forstUintKeys[M ~map[K]V, K ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr, V any](m M) []forstKeyText[K] {
	keys := make([]forstKeyText[K], 0, len(m))
	for k := range m {
		keys = append(keys, forstKeyText[K]{k, strconv.FormatUint(uint64(k), 10)})
	}
	slices.SortFunc(keys, func(a, b forstKeyText[K]) int { return strings.Compare(a.text, b.text) })
	return keys
}

type forstKeyText[K any] struct {
	key  K
	text string
}

// forstEncodeDynamic writes a value whose type the generated code does not know (a type parameter of a generic
// type); v points to it, so encoding/json sees what it would have seen (an addressable value).
func forstEncodeDynamic[T any](e *forstEncoder, v *T) {
	switch x := any(v).(type) {
	case *string:
		e.str(*x)
	case *float64:
		e.float64(*x)
	case *int:
		e.int(int64(*x))
	case *int64:
		e.int(*x)
	case *bool:
		e.bool(*x)
	case *any:
		e.any(*x)
	default:
		e.json(v)
	}
}

// forstIsEmpty is encoding/json's isEmptyValue for a field tagged omitempty whose kind the compiler does not know (a
// type parameter): v points to it.
func forstIsEmpty(v any) bool {
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

// forstOmitZero reports whether a field tagged omitzero is left out (v points to it): encoding/json's rules, by the
// field's static type — its IsZero method when it has one, else the zero value. Reflection, as this option is rare.
// On toolchains whose encoding/json has no omitzero (before Go 1.24) nothing is left out, as there.
func forstOmitZero(v any) bool {
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
