// Forst JSON codec, request bodies (see json_scan.go).
//
// Args is what the compiler generates per endpoint; DecodeArgs reads a request body into it by the body
// convention; the decoders and encoders are pooled. How the server uses them, and how a streaming handler can:
//
//	a := ep.New()
//	d := GetDecoder(body)            // body: an io.Reader (GetBytesDecoder for a []byte)
//	err := DecodeArgs(d, ep, a)      // *InputError (400), or a forstReadError from the reader
//	PutDecoder(d)
//	err = a.call(ctx)                     // *ReturnedError (500)
//	e := forstGetEncoder()                // or newForstStreamEncoder(w, limit): chunks of about limit bytes to w
//	err = EncodeWith(e, a.EncodeResult) // json.Marshal's error (500 invalid_result); e.flushed > 0 means
//	                                         // bytes already went out and a status can no longer change

package forst

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// ---------------------------------------------------------------------------------------------------- the body

// Args is one call of an endpoint, generated per endpoint (forst_codecs.go): its arguments, decoded in place,
// and its result.
type Args interface {
	// DecodeArg decodes argument i from d.
	DecodeArg(d *Decoder, i int)
	// Call checks the arguments against their constraints (a *InputError) and runs the function; an error the
	// function returns is a *ReturnedError.
	Call(ctx context.Context) error
	// EncodeResult writes the result as JSON (null when the function returns none).
	EncodeResult(e *Encoder)

	// For the differential tests and the codec benchmark: pointers to the arguments, one argument through its
	// generated encoder, a pointer to the result (nil when the function returns none) and its generated decoder.
	Args() []any
	EncodeArg(e *Encoder, i int)
	Result() any
	DecodeResult(d *Decoder)
}

// DecodeArgs reads a request body into c's arguments by the body convention: the JSON value of the single
// parameter, a JSON array of the arguments for several, and for none an empty body, null or []. Leading and trailing
// Unicode whitespace is ignored. The errors, and which one wins when there are several, are those of the path this
// replaced (split the body with encoding/json, then json.Unmarshal each argument): a syntax error anywhere, then the
// wrong number of arguments, then the first argument that does not fit. One difference is unavoidable when reading
// as a stream: an argument's own UnmarshalJSON method (a user type's) runs before the rest of the body is checked.
// A read error (the body is too large, the client went away) is a forstReadError.
func DecodeArgs(d *Decoder, ep *Endpoint, c Args) (err error) {
	defer func() {
		switch r := recover().(type) {
		case nil:
		case forstSyntaxError:
			err = &InputError{Function: ep.Name, Message: "malformed JSON body: " + r.msg}
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
			return &InputError{Function: ep.Name, Path: params[0], Message: "missing argument " + params[0]}
		}
		d.saved, d.abort, d.where = nil, nil, d.where[:0]
		c.DecodeArg(d, 0)
		d.end()
		if e := d.argError(); e != nil {
			return forstArgError(ep.Name, params[0], e)
		}
		return nil
	}
	list := "[" + strings.Join(params, ", ") + "]"
	switch ch := d.Peek(); ch {
	case '[':
		d.pos++
		d.push(ch)
		var argErr error
		n := 0
		for ; d.Elem(n); n++ {
			if n >= len(params) || argErr != nil {
				d.Skip()
				continue
			}
			d.saved, d.abort, d.where = nil, nil, d.where[:0]
			c.DecodeArg(d, n)
			if e := d.argError(); e != nil {
				argErr = forstArgError(ep.Name, params[n], e)
			}
		}
		d.end()
		if n != len(params) {
			return &InputError{Function: ep.Name, Message: fmt.Sprintf("expected %d arguments %s, got %d", len(params), list, n)}
		}
		return argErr
	case 'n':
		d.literal("null")
		d.end()
		return &InputError{Function: ep.Name, Message: fmt.Sprintf("expected %d arguments %s, got 0", len(params), list)}
	default:
		d.Skip()
		d.end()
		return &InputError{Function: ep.Name, Message: fmt.Sprintf("expected a JSON array of %d arguments %s", len(params), list)}
	}
}

func (d *Decoder) argError() error {
	if d.abort != nil {
		return d.abort
	}
	return d.saved
}

// noArguments accepts an empty body, null or [], with whitespace around them, and checks nothing else.
func (d *Decoder) noArguments() error {
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
		return &InputError{Message: "this function takes no arguments; send an empty body"}
	}
	if !d.skipUnicodeSpace() {
		return &InputError{Message: "this function takes no arguments; send an empty body"}
	}
	return nil
}

// skipUnicodeSpace skips what bytes.TrimSpace trims (ASCII whitespace including \v and \f, and Unicode spaces) and
// reports whether the input ends there.
func (d *Decoder) skipUnicodeSpace() bool {
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
func (d *Decoder) end() {
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
func forstDecodeValue(d *Decoder, decode func(d *Decoder)) (err error) {
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
	d.saved, d.abort, d.where = nil, nil, d.where[:0]
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

var forstDecoders = sync.Pool{New: func() any { return &Decoder{buf: make([]byte, 0, forstReadBuffer)} }}

// GetDecoder returns a pooled decoder reading r.
func GetDecoder(r io.Reader) *Decoder {
	d := forstDecoders.Get().(*Decoder)
	*d = Decoder{buf: d.buf[:0], r: r, keep: -1, Key: d.Key[:0], fold: d.fold[:0], tmp: d.tmp[:0], path: d.path[:0],
		where: d.where[:0], stack: d.stack[:0], short: d.short, own: d.buf[:0]}
	return d
}

// GetBytesDecoder returns a pooled decoder reading data (a body already in memory: small calls).
func GetBytesDecoder(data []byte) *Decoder {
	d := GetDecoder(nil)
	d.buf, d.r, d.rerr = data, nil, io.EOF
	return d
}

// PutDecoder returns d to the pool, unless one huge value made its buffers big.
func PutDecoder(d *Decoder) {
	if d.r != nil {
		d.own = d.buf // a reader decoder's buffer is its own (it may have grown); a bytes decoder's is the caller's
	}
	if cap(d.own) > 4*forstReadBuffer || cap(d.tmp) > 4*forstReadBuffer || cap(d.stack) > forstReadBuffer {
		return
	}
	*d = Decoder{buf: d.own[:0], Key: d.Key, fold: d.fold, tmp: d.tmp, path: d.path, where: d.where, stack: d.stack, short: d.short}
	forstDecoders.Put(d)
}

var forstEncoders = sync.Pool{New: func() any { return NewEncoder(make([]byte, 0, 4096)) }}

// forstGetEncoder returns a pooled encoder that keeps everything in its buffer.
func forstGetEncoder() *Encoder {
	e := forstEncoders.Get().(*Encoder)
	e.Reset()
	return e
}

// forstPutEncoder returns e to the pool once its buffer has been written, unless it grew beyond 16 MiB.
func forstPutEncoder(e *Encoder) {
	if cap(e.buf) <= 16<<20 {
		forstEncoders.Put(e)
	}
}
