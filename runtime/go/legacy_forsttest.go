//go:build forsttest

// The argument decoding the codec replaced, kept as the reference the differential tests compare with: the body
// split by the body convention with encoding/json, then json.Unmarshal per argument with forstArgError's messages.
// The Rust differential test copies this file into every fixture's generated module (see differential_forsttest.go).

package forst

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// legacyDecode decodes body into c's arguments the old way.
func legacyDecode(ep *Endpoint, c Args, body []byte) error {
	args, err := legacySplitArgs(body, ep.Params)
	if err != nil {
		return err
	}
	for i, ptr := range c.Args() {
		if err := legacyDecodeArg(ep.Name, ep.Params[i], args[i], ptr); err != nil {
			return err
		}
	}
	return nil
}

func legacyDecodeArg(fn, param string, raw json.RawMessage, dst any) error {
	if len(raw) == 0 {
		return &InputError{Function: fn, Path: param, Message: "missing argument " + param}
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return forstArgError(fn, param, err)
	}
	return nil
}

func legacySplitArgs(body []byte, params []string) ([]json.RawMessage, error) {
	trimmed := bytes.TrimSpace(body)
	switch len(params) {
	case 0:
		if len(trimmed) == 0 || string(trimmed) == "null" || string(trimmed) == "[]" {
			return nil, nil
		}
		return nil, errors.New("this function takes no arguments; send an empty body")
	case 1:
		if len(trimmed) == 0 {
			return nil, errors.New("missing argument " + params[0])
		}
		if !json.Valid(trimmed) {
			return nil, legacySyntaxError(trimmed)
		}
		return []json.RawMessage{trimmed}, nil
	}
	var args []json.RawMessage
	if err := json.Unmarshal(trimmed, &args); err != nil {
		if !json.Valid(trimmed) {
			return nil, legacySyntaxError(trimmed)
		}
		return nil, fmt.Errorf("expected a JSON array of %d arguments [%s]", len(params), strings.Join(params, ", "))
	}
	if len(args) != len(params) {
		return nil, fmt.Errorf("expected %d arguments [%s], got %d", len(params), strings.Join(params, ", "), len(args))
	}
	return args, nil
}

func legacySyntaxError(body []byte) error {
	var v any
	err := json.Unmarshal(body, &v)
	return fmt.Errorf("malformed JSON body: %v", err)
}
