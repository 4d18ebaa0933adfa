//go:build forsttest

package forst

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// records is a reader of an object holding an array of n records, made up as it is read (it never holds the whole text).
type records struct {
	n, i int
	buf  []byte
	off  int
}

func (r *records) Read(p []byte) (int, error) {
	if r.off == len(r.buf) {
		r.buf, r.off = r.buf[:0], 0
		for len(r.buf) < 4096 && r.i <= r.n {
			switch {
			case r.i == 0:
				r.buf = append(r.buf, `{"records":[`...)
			case r.i == r.n:
				r.buf = append(r.buf, `{"id":"last","data":"end"}]}`...)
			default:
				r.buf = append(r.buf, `{"id":"r`...)
				r.buf = append(r.buf, xs[:r.i%50]...)
				r.buf = append(r.buf, `","data":"abcdefghijklmnopqrstuvwxyz"},`...)
			}
			r.i++
		}
	}
	if r.off == len(r.buf) {
		return 0, io.EOF
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

var xs = strings.Repeat("x", 50)

// A large body is read through the decoder's buffer: decoding what it skips allocates a buffer's worth, not the body.
func TestDecodingAHugeBodyNeedsOnlyTheBuffer(t *testing.T) {
	var ep *Endpoint
	for i := range program.Endpoints {
		if program.Endpoints[i].Name == "skip" {
			ep = &program.Endpoints[i]
		}
	}
	src := &records{n: 3_000_000} // about 200 MB of JSON
	counted := &countingReader{r: src}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d := newForstReaderDecoder(counted, make([]byte, 0, forstReadBuffer))
	if err := DecodeArgs(d, ep, ep.New()); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if counted.n < 150<<20 {
		t.Fatalf("the test body is only %d bytes", counted.n)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
		t.Fatalf("decoding %d MB allocated %d KB: the body is being held", counted.n>>20, grew>>10)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// chunks records the sizes of the writes it gets.
type chunks struct {
	bytes.Buffer
	sizes []int
}

func (c *chunks) Write(p []byte) (int, error) {
	c.sizes = append(c.sizes, len(p))
	return c.Buffer.Write(p)
}

// A large result leaves the stream encoder in chunks of about its limit, and adds up to json.Marshal's bytes.
func TestStreamEncoderWritesInChunks(t *testing.T) {
	items := make([]any, 100_000)
	for i := range items {
		items[i] = map[string]any{"id": float64(i), "name": strings.Repeat("n", i%40), "ok": i%2 == 0}
	}
	var out chunks
	e := newForstStreamEncoder(&out, 4096)
	if err := EncodeWith(e, func(e *Encoder) { e.Any(items) }); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(items)
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatal("the streamed bytes differ from json.Marshal's")
	}
	if len(out.sizes) < len(want)/8192 {
		t.Fatalf("%d bytes in %d writes", len(want), len(out.sizes))
	}
	for _, n := range out.sizes {
		if n > 4096+200 {
			t.Fatalf("a write of %d bytes with a 4096-byte limit", n)
		}
	}
	if e.flushed != int64(len(want)) {
		t.Fatalf("flushed %d of %d bytes", e.flushed, len(want))
	}
}

// Arrays around the scratch stack's limit, nested, decode as encoding/json decodes them.
func TestLongInterfaceArrays(t *testing.T) {
	for _, n := range []int{0, 1, forstShortArray - 1, forstShortArray, forstShortArray + 1, 3*forstShortArray + 7} {
		items := make([]string, n)
		for i := range items {
			items[i] = strconv.Itoa(i)
			if i%1000 == 0 {
				items[i] = "[" + strings.Repeat("1,", forstShortArray) + "2]"
			}
		}
		body := []byte(`{"a":[` + strings.Join(items, ",") + `],"b":[1,[2,3]]}`)
		var want any
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatal(err)
		}
		d := GetBytesDecoder(body)
		var got any
		if err := forstDecodeValue(d, func(d *Decoder) { DecodeAny(d, &got) }); err != nil {
			t.Fatal(err)
		}
		PutDecoder(d)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%d elements: differs", n)
		}
	}
}
