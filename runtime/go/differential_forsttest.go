//go:build forsttest

// Differential tests of the codec against encoding/json (the path it replaced, legacy_forsttest.go), over every
// endpoint of the installed program: the runtime's fixture endpoints here (differential_test.go), and every golden
// fixture's generated endpoints when the Rust test tests/codec_differential.rs copies this file into their modules'
// forst package and calls these functions from a test of their package main (which installs their program). A test
// file could not be shared that way: Go runs a package's tests with that package's program only.
//
// Inputs are generated from the parameter and result types (reflection: this is a test): values that fit, values
// of the wrong JSON type, nulls, missing, extra and duplicate keys, keys in another case, unicode, escapes, surrogate
// pairs and lone surrogates, invalid UTF-8, large, negative and out-of-range numbers, exponents, -0, whitespace
// everywhere, deep nesting, and syntax errors made by cutting or changing bytes. For each body:
//   - the errors are the same (message, and so status and code), and otherwise the decoded arguments are DeepEqual;
//   - decoding from a reader that hands out the body in small pieces gives the same as decoding the bytes;
//   - the generated encoders write exactly json.Marshal's bytes for the decoded arguments (or fail as it fails);
//   - for result types, the generated decoder and encoder agree with json.Unmarshal and json.Marshal the same way.
// FuzzDifferentialBodies does the same on arbitrary bytes (seeded with the generated bodies).

package forst

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
)

// differentialCases is how many generated bodies each endpoint gets (FORST_DIFF_CASES overrides).
func differentialCases() int {
	if n, err := strconv.Atoi(os.Getenv("FORST_DIFF_CASES")); err == nil && n > 0 {
		return n
	}
	return 400
}

// DifferentialEndpoints checks the argument decoders of every endpoint of the installed program.
func DifferentialEndpoints(t *testing.T) {
	for i := range program.Endpoints {
		ep := &program.Endpoints[i]
		t.Run(ep.Name, func(t *testing.T) {
			g := newJSONGen(int64(i) + 1)
			for n := 0; n < differentialCases(); n++ {
				checkArgs(t, ep, []byte(g.body(ep)))
				if t.Failed() {
					return
				}
			}
		})
	}
}

// DifferentialResults checks the result codecs of every endpoint of the installed program.
func DifferentialResults(t *testing.T) {
	for i := range program.Endpoints {
		ep := &program.Endpoints[i]
		ptr := ep.New().Result()
		if ptr == nil {
			continue
		}
		t.Run(ep.Name, func(t *testing.T) {
			g := newJSONGen(int64(i) + 1000)
			for n := 0; n < differentialCases(); n++ {
				text := g.value(reflect.TypeOf(ptr).Elem(), 0)
				if g.r.Intn(10) == 0 {
					text = g.mutate(text)
				}
				checkResult(t, ep, []byte(text))
				if t.Failed() {
					return
				}
			}
		})
	}
}

// FuzzDifferentialBodies does both on arbitrary bodies, seeded with generated ones.
func FuzzDifferentialBodies(f *testing.F) {
	for i := range program.Endpoints {
		g := newJSONGen(int64(i) + 7)
		for n := 0; n < 20; n++ {
			f.Add(uint8(i), []byte(g.body(&program.Endpoints[i])))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		if len(program.Endpoints) == 0 {
			return
		}
		ep := &program.Endpoints[int(which)%len(program.Endpoints)]
		checkArgs(t, ep, body)
		if ptr := ep.New().Result(); ptr != nil {
			checkResult(t, ep, body)
		}
	})
}

// checkArgs compares the codec with the old path on one request body.
func checkArgs(t *testing.T, ep *Endpoint, body []byte) {
	t.Helper()
	got := ep.New()
	err := DecodeArgs(newForstBytesDecoder(body), ep, got)
	want := ep.New()
	wantErr := legacyDecode(ep, want, body)
	byDesign := missingByDesign(argRoots(ep.Params, body, err), err, wantErr)
	if errText(err) != errText(wantErr) && !byDesign {
		t.Fatalf("%s(%q):\n codec error:         %v\n encoding/json error: %v", ep.Name, body, err, wantErr)
	}
	streamed := ep.New()
	streamErr := DecodeArgs(newForstReaderDecoder(&chunkReader{data: body, seed: len(body)}, make([]byte, 0, 16)), ep, streamed)
	if errText(streamErr) != errText(err) {
		t.Fatalf("%s(%q): decoding from a reader: %v, from bytes: %v", ep.Name, body, streamErr, err)
	}
	if err != nil {
		return
	}
	if !reflect.DeepEqual(got.Args(), want.Args()) || !reflect.DeepEqual(streamed.Args(), want.Args()) {
		t.Fatalf("%s(%q): decoded arguments differ:\n codec:         %s\n streamed:      %s\n encoding/json: %s", ep.Name, body, dump(got.Args()), dump(streamed.Args()), dump(want.Args()))
	}
	for i, ptr := range want.Args() {
		wantJSON, wantErr := json.Marshal(reflect.ValueOf(ptr).Elem().Interface())
		e := NewEncoder(nil)
		err := EncodeWith(e, func(e *Encoder) { got.EncodeArg(e, i) })
		if errText(err) != errText(wantErr) || (err == nil && !bytes.Equal(e.buf, wantJSON)) {
			t.Fatalf("%s(%q): argument %d encodes as %s (%v), json.Marshal: %s (%v)", ep.Name, body, i, e.buf, err, wantJSON, wantErr)
		}
	}
}

// checkResult compares the result type's generated decoder and encoder with encoding/json on one JSON text.
func checkResult(t *testing.T, ep *Endpoint, text []byte) {
	t.Helper()
	want := ep.New()
	wantErr := json.Unmarshal(text, want.Result())
	got := ep.New()
	err := forstDecodeValue(newForstBytesDecoder(text), got.DecodeResult)
	byDesign := missingByDesign(jsonTrees(text), err, wantErr)
	if resultErrText(err) != resultErrText(wantErr) && !byDesign {
		t.Fatalf("%s result %q:\n codec error:         %v\n encoding/json error: %v", ep.Name, text, err, wantErr)
	}
	if err != nil {
		return
	}
	if !reflect.DeepEqual(got.Result(), want.Result()) {
		t.Fatalf("%s result %q: decoded values differ:\n codec:         %s\n encoding/json: %s", ep.Name, text, dump(got.Result()), dump(want.Result()))
	}
	wantJSON, wantEncErr := json.Marshal(reflect.ValueOf(want.Result()).Elem().Interface())
	e := NewEncoder(nil)
	encErr := EncodeWith(e, got.EncodeResult)
	if errText(encErr) != errText(wantEncErr) || (encErr == nil && !bytes.Equal(e.buf, wantJSON)) {
		t.Fatalf("%s result %q encodes as %s (%v), json.Marshal: %s (%v)", ep.Name, text, e.buf, encErr, wantJSON, wantEncErr)
	}
	// The same value inside interface{} values (a result map holding it, by value and by pointer): the project's
	// types go through forstEncodeKnown there.
	for _, v := range []any{reflect.ValueOf(got.Result()).Elem().Interface(), got.Result()} {
		want, wantErr := json.Marshal(map[string]any{"v": v})
		e := NewEncoder(nil)
		err := EncodeWith(e, func(e *Encoder) { e.Any(map[string]any{"v": v}) })
		if errText(err) != errText(wantErr) || (err == nil && !bytes.Equal(e.buf, want)) {
			t.Fatalf("%s result %q inside interface{} (%T) encodes as %s (%v), json.Marshal: %s (%v)", ep.Name, text, v, e.buf, err, want, wantErr)
		}
	}
	// The same value through a streaming encoder that flushes every few bytes.
	var out bytes.Buffer
	se := newForstStreamEncoder(&out, 7)
	if err := EncodeWith(se, got.EncodeResult); errText(err) != errText(wantEncErr) || (err == nil && !bytes.Equal(out.Bytes(), wantJSON)) {
		t.Fatalf("%s result %q: streamed %s (%v), json.Marshal: %s", ep.Name, text, out.Bytes(), err, wantJSON)
	}
}

// missingByDesign accepts the one answer in which the codec differs from encoding/json by design: a Forst shape's
// required field that a JSON object lacks (or has as null, where null is not the field's nil), which encoding/json
// leaves at its zero value. Accepted when encoding/json found no problem, or only a type error (the codec reports
// the first problem in the body's order, and a missing field is known at its object's end), and the JSON text
// really has, at the reported path, an object without that member. roots are the candidates for the argument's JSON.
func missingByDesign(roots []any, err, wantErr error) bool {
	var m *forstMissingError
	var in *InputError
	if errors.As(err, &in) && in.missing != nil {
		m = in.missing
	} else if !errors.As(err, &m) {
		return false
	}
	var typeErr *json.UnmarshalTypeError
	if wantErr != nil && !errors.As(wantErr, &typeErr) && !(errors.As(wantErr, &in) && in.Expected != "") {
		return false
	}
	for _, s := range m.where {
		var next []any
		for _, v := range roots {
			switch x := v.(type) {
			case []jsonMember:
				for _, member := range x {
					if s.index < 0 && strings.EqualFold(member.key, s.key) {
						next = append(next, member.value)
					}
				}
			case []any:
				if s.index >= 0 && s.index < len(x) {
					next = append(next, x[s.index])
				}
			}
		}
		roots = next
	}
	for _, v := range roots {
		object, ok := v.([]jsonMember)
		if !ok {
			continue
		}
		var last any
		found := false
		for _, member := range object {
			if strings.EqualFold(member.key, m.field) {
				last, found = member.value, true
			}
		}
		if !found || last == nil {
			return true
		}
	}
	return false
}

// argRoots is the JSON of the argument a missing-field error names (nil for other errors).
func argRoots(params []string, body []byte, err error) []any {
	var in *InputError
	if !errors.As(err, &in) || in.missing == nil {
		return nil
	}
	trees := jsonTrees(body)
	if len(params) == 1 {
		return trees
	}
	var out []any
	for i, p := range params {
		if in.Path != p+in.missing.at+"."+in.missing.field {
			continue
		}
		for _, tree := range trees {
			if items, ok := tree.([]any); ok && i < len(items) {
				out = append(out, items[i])
			}
		}
	}
	return out
}

// jsonMember is a member of a JSON object as written: jsonTrees keeps every one, duplicates too, in order.
type jsonMember struct {
	key   string
	value any
}

// jsonTrees reads a JSON text into values whose objects are []jsonMember (nil when it is not JSON).
func jsonTrees(text []byte) []any {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimFunc(text, unicode.IsSpace)))
	dec.UseNumber() // any number: only the shape of the text matters here
	tree, err := readJSONTree(dec)
	if err != nil {
		return nil
	}
	return []any{tree}
}

func readJSONTree(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		members := []jsonMember{}
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return nil, err
			}
			value, err := readJSONTree(dec)
			if err != nil {
				return nil, err
			}
			members = append(members, jsonMember{key: fmt.Sprint(key), value: value})
		}
		_, err := dec.Token()
		return members, err
	case json.Delim('['):
		items := []any{}
		for dec.More() {
			value, err := readJSONTree(dec)
			if err != nil {
				return nil, err
			}
			items = append(items, value)
		}
		_, err := dec.Token()
		return items, err
	}
	return tok, nil
}

// resultErrText compares json.Unmarshal's errors with the codec's as the server shows them (forstArgError).
func resultErrText(err error) string {
	if err == nil {
		return ""
	}
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return "syntax: " + syntax.Error()
	}
	var codecSyntax forstSyntaxError
	if errors.As(err, &codecSyntax) {
		return "syntax: " + codecSyntax.msg
	}
	return forstArgError("f", "result", err).Error()
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func dump(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

// chunkReader hands out data in pieces of 1 to 5 bytes.
type chunkReader struct {
	data []byte
	seed int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	r.seed = r.seed*1103515245 + 12345
	n := (r.seed >> 8) % 5
	if n < 0 {
		n = -n
	}
	n = min(n+1, len(p), len(r.data))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

// ---------------------------------------------------------------------------------------------------- generator

type jsonGen struct{ r *rand.Rand }

func newJSONGen(seed int64) *jsonGen { return &jsonGen{rand.New(rand.NewSource(seed))} }

func (g *jsonGen) pick(options ...string) string { return options[g.r.Intn(len(options))] }

// ws is whitespace between tokens: usually none.
func (g *jsonGen) ws() string {
	if g.r.Intn(4) != 0 {
		return ""
	}
	return g.pick(" ", "\n", "\t", "\r\n  ", "  ")
}

// body is a request body for ep by the body convention, sometimes broken.
func (g *jsonGen) body(ep *Endpoint) string {
	ptrs := ep.New().Args()
	var b string
	switch {
	case len(ptrs) == 0:
		b = g.pick("", "null", "[]", " null ", "[ ]", "{}", "\u00a0null\v", "0", "nul", "[]x", "\t")
	case len(ptrs) == 1:
		if g.r.Intn(30) == 0 {
			b = g.pick("", " ", "\u00a0", "\v")
		} else {
			b = g.value(reflect.TypeOf(ptrs[0]).Elem(), 0)
		}
	default:
		var items []string
		for _, p := range ptrs {
			items = append(items, g.value(reflect.TypeOf(p).Elem(), 0))
		}
		switch g.r.Intn(20) {
		case 0:
			items = items[:g.r.Intn(len(items))]
		case 1:
			items = append(items, g.anyJSON(0))
		}
		b = "[" + g.ws() + strings.Join(items, g.ws()+","+g.ws()) + g.ws() + "]"
		if g.r.Intn(30) == 0 {
			b = g.pick("null", "{}", `"x"`, "1", "")
		}
	}
	b = g.pick("", "", "", " ", "\n", "\u00a0", "\v\f") + b + g.pick("", "", "", " ", "\n", "\u2029", "\t\v", " x", "\u00a0 ")
	if g.r.Intn(12) == 0 {
		b = g.mutate(b)
	}
	return b
}

// mutate breaks a JSON text: cut it, change a byte, or insert one.
func (g *jsonGen) mutate(s string) string {
	if s == "" {
		return g.pick("{", "[", `"`, "-")
	}
	i := g.r.Intn(len(s))
	switch g.r.Intn(3) {
	case 0:
		return s[:i]
	case 1:
		return s[:i] + string(g.pick(",", ":", "]", "}", "x", `"`, "\\", "0", ".", "e", "-", " ", "\x00")) + s[i+1:]
	default:
		return s[:i] + string(g.pick(",", ":", "[", "{", "1", `"`, "\\", "\x01", "\xff")) + s[i:]
	}
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	numberType  = reflect.TypeFor[json.Number]()
	rawType     = reflect.TypeFor[json.RawMessage]()
	numberTexts = []string{"0", "-0", "1", "-1", "7", "42", "127", "128", "-128", "-129", "255", "256", "32767", "65535",
		"65536", "2147483647", "2147483648", "-2147483649", "4294967296", "9007199254740993", "9223372036854775807",
		"9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551615",
		"18446744073709551616", "1.5", "-2.25", "1.0", "1e2", "1E+2", "1e-2", "0.1", "3.14159e-10", "1e308", "1e309",
		"-1e400", "1e-400", "4.9e-324", "123456789012345678", "0.000001", "1e-7", "1e21", "100000000000000000000",
		"-1.7976931348623157e308", "12345678901234567890123"}
	stringPieces = []string{"", "a", "abc", "Hello, world", "héllo", "日本語", "😀", `\"`, `\\`, `\/`, `\b\f\n\r\t`,
		`\u00e9`, `\u0000`, `\u001f`, `\ud83d\ude00`, `\uD83D\uDE00`, `\ud800`, `\udc00`, `\ud800\u0041`, `\ud800\ud800`,
		`\uDBFF\uDFFF`, "<tag>&amp;", "\u2028\u2029", "\x7f", "\xff", "\xc3", "\xed\xa0\x80", "\xe2\x82", "\xf0\x9f\x98",
		"e\u0301", " ", "id", "ID", "Id", "records", "\u212a"}
)

// value is a JSON text for type t: usually one that fits, sometimes null or another JSON type.
func (g *jsonGen) value(t reflect.Type, depth int) string {
	if depth > 6 {
		return "null"
	}
	switch g.r.Intn(16) {
	case 0:
		return "null"
	case 1:
		return g.anyJSON(depth + 1)
	}
	switch t {
	case timeType:
		return g.pick(`"2024-01-02T03:04:05Z"`, `"2024-01-02T03:04:05.123456789+02:00"`, `"2024-13-01T00:00:00Z"`, `"x"`, `""`, "1", "null")
	case numberType:
		if g.r.Intn(3) == 0 {
			return strconv.Quote(g.pick(numberTexts...))
		}
		return g.pick(append(numberTexts, `"x"`, `"1e"`)...)
	case rawType:
		return g.anyJSON(depth + 1)
	}
	switch t.Kind() {
	case reflect.Bool:
		return g.pick("true", "false")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if g.r.Intn(3) == 0 {
			return strconv.Itoa(g.r.Intn(2000) - 1000)
		}
		return g.pick(numberTexts...)
	case reflect.Float32, reflect.Float64:
		if g.r.Intn(2) == 0 {
			f := g.r.NormFloat64() * math.Pow(10, float64(g.r.Intn(40)-20))
			return strconv.FormatFloat(f, g.pick("g", "e", "f")[0], -1, 64)
		}
		return g.pick(numberTexts...)
	case reflect.String:
		return g.str()
	case reflect.Interface:
		return g.anyJSON(depth + 1)
	case reflect.Pointer:
		return g.value(t.Elem(), depth+1)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && g.r.Intn(2) == 0 {
			return g.pick(`"aGVsbG8="`, `""`, `"aGVsbG8"`, `"!!!"`, `"AA=="`, `"YQ==\n"`)
		}
		n := g.r.Intn(4)
		if t.Kind() == reflect.Array {
			n = max(0, t.Len()+g.r.Intn(3)-1)
		}
		items := make([]string, n)
		for i := range items {
			items[i] = g.value(t.Elem(), depth+1)
		}
		return "[" + g.ws() + strings.Join(items, g.ws()+","+g.ws()) + g.ws() + "]"
	case reflect.Map:
		n := g.r.Intn(4)
		items := make([]string, n)
		for i := range items {
			items[i] = g.key(t.Key()) + g.ws() + ":" + g.ws() + g.value(t.Elem(), depth+1)
		}
		return "{" + g.ws() + strings.Join(items, g.ws()+","+g.ws()) + g.ws() + "}"
	case reflect.Struct:
		names := jsonNames(t)
		var items []string
		for _, name := range names {
			if g.r.Intn(6) == 0 {
				continue // missing
			}
			items = append(items, g.fieldKey(name)+g.ws()+":"+g.ws()+g.value(fieldType(t, name), depth+1))
			if g.r.Intn(12) == 0 {
				items = append(items, g.fieldKey(name)+":"+g.value(fieldType(t, name), depth+1)) // duplicate
			}
		}
		if g.r.Intn(4) == 0 {
			items = append(items, g.str()+":"+g.anyJSON(depth+1)) // unknown
		}
		g.r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
		return "{" + g.ws() + strings.Join(items, g.ws()+","+g.ws()) + g.ws() + "}"
	}
	return g.anyJSON(depth + 1)
}

// fieldKey is a struct field's JSON name as a key: as written, in another case, escaped.
func (g *jsonGen) fieldKey(name string) string {
	switch g.r.Intn(8) {
	case 0:
		return strconv.Quote(strings.ToUpper(name))
	case 1:
		return strconv.Quote(strings.ToLower(name))
	case 2:
		if name != "" {
			return `"\u00` + strconv.FormatInt(int64(name[0])>>4, 16) + strconv.FormatInt(int64(name[0])&15, 16) + name[1:] + `"`
		}
	case 3:
		return `"` + strings.ReplaceAll(strings.ReplaceAll(name, "k", "\u212a"), "s", "\u017f") + `"`
	}
	return strconv.Quote(name)
}

func (g *jsonGen) key(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return g.str()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return `"` + g.pick(append(numberTexts, "x", "", " 1", "+1", "01")...) + `"`
	}
	return g.str()
}

// str is a JSON string of pieces: plain text, escapes, surrogates, non-ASCII, invalid UTF-8, now and then a raw
// control character or a bad escape (syntax errors).
func (g *jsonGen) str() string {
	var b strings.Builder
	b.WriteByte('"')
	for n := g.r.Intn(4); n > 0; n-- {
		b.WriteString(g.pick(stringPieces...))
	}
	if g.r.Intn(60) == 0 {
		b.WriteString(g.pick("\x01", `\x`, `\u12`, `\uZZZZ`, "\n"))
	}
	b.WriteByte('"')
	return b.String()
}

// anyJSON is any JSON value, now and then nested deep.
func (g *jsonGen) anyJSON(depth int) string {
	if depth > 5 {
		return g.pick("1", `"s"`, "null", "true")
	}
	switch g.r.Intn(9) {
	case 0:
		return "null"
	case 1:
		return g.pick("true", "false")
	case 2, 3:
		return g.pick(numberTexts...)
	case 4, 5:
		return g.str()
	case 6:
		n := g.r.Intn(4)
		items := make([]string, n)
		for i := range items {
			items[i] = g.anyJSON(depth + 1)
		}
		return "[" + strings.Join(items, ",") + "]"
	case 7:
		n := g.r.Intn(4)
		items := make([]string, n)
		for i := range items {
			items[i] = g.str() + ":" + g.anyJSON(depth+1)
		}
		return "{" + g.ws() + strings.Join(items, ","+g.ws()) + "}"
	default:
		if g.r.Intn(20) == 0 {
			n := g.pick("10000", "10001", "200")
			k, _ := strconv.Atoi(n)
			return strings.Repeat("[", k) + strings.Repeat("]", k)
		}
		return "{}"
	}
}

// jsonNames lists the JSON names encoding/json uses for t's fields (exported, tag names, embedded structs
// flattened): enough to generate keys that hit fields; the comparison itself does not depend on it.
func jsonNames(t reflect.Type) []string {
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			names = append(names, jsonNames(ft)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
	}
	return names
}

// fieldType is the type of the field named name (by jsonNames' rules), or interface{} when it is not found.
func fieldType(t reflect.Type, name string) reflect.Type {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && tag == "" && ft.Kind() == reflect.Struct {
			if inner := fieldType(ft, name); inner != reflect.TypeFor[any]() {
				return inner
			}
			continue
		}
		if tag == name || (tag == "" && f.Name == name) {
			return f.Type
		}
	}
	return reflect.TypeFor[any]()
}

// PooledDecodersForgetTheirLastBody checks that the pooled decoders give the same answers as fresh ones, one body
// after another (nothing leaks between uses).
func PooledDecodersForgetTheirLastBody(t *testing.T) {
	for i := range program.Endpoints {
		ep := &program.Endpoints[i]
		g := newJSONGen(int64(i) + 99)
		for n := 0; n < 100; n++ {
			body := []byte(g.body(ep))
			want := ep.New()
			wantErr := DecodeArgs(newForstBytesDecoder(body), ep, want)
			for _, d := range []*Decoder{GetBytesDecoder(body), GetDecoder(bytes.NewReader(body))} {
				got := ep.New()
				err := DecodeArgs(d, ep, got)
				PutDecoder(d)
				if errText(err) != errText(wantErr) || (err == nil && !reflect.DeepEqual(got.Args(), want.Args())) {
					t.Fatalf("%s(%q): pooled decoder: %v %s, fresh: %v %s", ep.Name, body, err, dump(got.Args()), wantErr, dump(want.Args()))
				}
			}
		}
	}
}
