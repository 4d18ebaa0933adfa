//! Go statements that decode and encode one value of a type, and the functions for project types. A value is named
//! by its *place*: an addressable Go expression (`v.ID`, `s1[n1]`, `(*v)`).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::model::{self, CType, Env, Ext, JsonField, Kind};

/// Go source with indentation and fresh variable names.
#[derive(Default)]
pub struct W {
    pub s: String,
    indent: usize,
    fresh: usize,
}

impl W {
    pub fn line(&mut self, text: impl AsRef<str>) {
        for _ in 0..self.indent {
            self.s.push('\t');
        }
        self.s.push_str(text.as_ref());
        self.s.push('\n');
    }

    /// A line that opens a block.
    pub fn open(&mut self, text: impl AsRef<str>) {
        self.line(text);
        self.indent += 1;
    }

    /// A line that closes a block (and may open the next: `} else {`).
    pub fn close(&mut self, text: impl AsRef<str>) {
        self.indent = self.indent.saturating_sub(1);
        let t = text.as_ref();
        self.line(t);
        if t.ends_with('{') {
            self.indent += 1;
        }
    }

    /// A fresh variable name: `s1`, `n1`, `s2`…
    pub fn var(&mut self, base: &str) -> String {
        self.fresh += 1;
        format!("{base}{}", self.fresh)
    }

    pub fn reset_vars(&mut self) {
        self.fresh = 0;
    }
}

/// `&place`, or the pointer a place came from.
fn addr(place: &str) -> String {
    match place.strip_prefix("(*").and_then(|p| p.strip_suffix(')')) {
        Some(ptr) if !ptr.contains(' ') => ptr.to_string(),
        _ => format!("&{place}"),
    }
}

/// The place as an operand.
fn val(place: &str) -> String {
    match place.strip_prefix('(').and_then(|p| p.strip_suffix(')')) {
        Some(inner) if inner.starts_with('*') && !inner.contains(' ') => inner.to_string(),
        _ => place.to_string(),
    }
}

/// `base.field`, selecting through a pointer place without parentheses.
pub fn select(base: &str, field: &str) -> String {
    match base.strip_prefix("(*").and_then(|p| p.strip_suffix(')')) {
        Some(ptr) if !ptr.contains(' ') => format!("{ptr}.{field}"),
        _ => format!("{base}.{field}"),
    }
}

/// A Go string literal for text that goes out verbatim (a struct field's `"name":`).
pub fn go_literal(s: &str) -> String {
    if !s.contains('`') && !s.chars().any(|c| c.is_control()) {
        format!("`{s}`")
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
    }
}

/// encoding/json's HTML-safe escaping of a field name (names are ASCII without quotes or backslashes).
fn html_escape(name: &str) -> String {
    name.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

/// Writes the codec: the statements for each value, and the functions for project types, which it collects.
pub struct Gen<'a> {
    pub env: &'a Env<'a>,
    /// Project types whose functions are needed, in first-use order.
    pub wanted: Vec<String>,
    /// Standard-library packages the generated code names.
    pub imports: BTreeSet<String>,
    /// The match functions of anonymous structs (their keys' field indexes), written at the end.
    pub extra: String,
    anonymous: usize,
}

impl<'a> Gen<'a> {
    pub fn new(env: &'a Env<'a>) -> Self {
        Gen { env, wanted: Vec::new(), imports: BTreeSet::new(), extra: String::new(), anonymous: 0 }
    }

    fn want(&mut self, name: &str) {
        if !self.wanted.iter().any(|w| w == name) {
            self.wanted.push(name.to_string());
        }
    }

    /// The name of the decoder or encoder function of a project type.
    pub fn func(&self, prefix: &str, name: &str) -> String {
        format!("forst{prefix}{name}")
    }

    // -------------------------------------------------------------------------------------------- decoding

    /// Statements that decode the next JSON value into place, of type t.
    pub fn decode(&mut self, w: &mut W, t: &CType, place: &str) {
        let p = addr(place);
        match t {
            CType::Basic(n) => self.decode_basic(w, n, &p),
            CType::Named(n, _) => {
                if self.env.custom(t) {
                    w.line(format!("d.DecodeJSON({p}) // {n} decodes itself (a JSON method): encoding/json"));
                } else {
                    self.want(n);
                    w.line(format!("{}(d, {p})", self.func("Decode", n)));
                }
            }
            CType::Ext(e) => match e {
                Ext::Number => w.line(format!("forst.DecodeNumber(d, {p})")),
                Ext::Duration => w.line(format!("forst.DecodeInt(d, {p})")),
                Ext::Time | Ext::RawMessage => {
                    w.line(format!("d.DecodeJSON({p}) // {}: encoding/json (it has UnmarshalJSON)", e.go()))
                }
            },
            CType::Any => w.line(format!("forst.DecodeAny(d, {p})")),
            CType::Param(n) => w.line(format!("forst.DecodeDynamic(d, {p}) // type parameter {n}")),
            CType::Other(go) => {
                w.line(format!("d.DecodeJSON({p}) // {go} is not known to the compiler: encoding/json"))
            }
            CType::Pointer(inner) => {
                w.open("if d.Null() {");
                w.line(format!("{place} = nil"));
                w.close("} else {");
                w.line(format!("forst.Alloc({p})"));
                self.decode(w, inner, &format!("(*{})", val(place)));
                w.close("}");
            }
            CType::Slice(elem) => self.decode_slice(w, elem, place),
            CType::Array(_, _, elem) => {
                w.open(format!("if d.Open('[', {p}) == forst.Opened {{"));
                let n = w.var("n");
                w.line(format!("{n} := 0"));
                w.open(format!("for ; d.Elem({n}); {n}++ {{"));
                w.open(format!("if {n} >= len({place}) {{"));
                w.line("d.Skip() // encoding/json drops what does not fit an array");
                w.line("continue");
                w.close("}");
                let strict = self.strict(elem);
                self.step(w, strict, &format!("d.AtIndex({n})"));
                self.decode(w, elem, &format!("{place}[{n}]"));
                self.step(w, strict, "d.Up()");
                w.close("}");
                w.open(format!("if {n} < len({place}) {{"));
                w.line(format!("clear({place}[{n}:]) // and zeroes what the JSON array did not reach"));
                w.close("}");
                w.close("}");
            }
            CType::Map(k, v) => self.decode_map(w, k, v, place),
            CType::Struct(fields) => match self.env.json_fields(fields) {
                Ok(json) => {
                    self.anonymous += 1;
                    let matcher = format!("forstFields{}", self.anonymous);
                    self.write_matcher(&matcher, "an anonymous struct", &json);
                    self.decode_struct(w, &json, place, &matcher);
                }
                Err(why) => w.line(format!("d.DecodeJSON({p}) // the struct {why}: encoding/json")),
            },
        }
    }

    fn decode_basic(&mut self, w: &mut W, name: &str, p: &str) {
        let f = match model::basic_kind(name) {
            Kind::Bool => "forst.DecodeBool",
            Kind::String => "forst.DecodeString",
            Kind::Int => "forst.DecodeInt",
            Kind::Uint => "forst.DecodeUint",
            Kind::Float32 => "forst.DecodeFloat32",
            Kind::Float64 => "forst.DecodeFloat64",
            _ => {
                w.line(format!("d.DecodeJSON({p}) // {name}: encoding/json"));
                return;
            }
        };
        w.line(format!("{f}(d, {p})"));
    }

    fn decode_slice(&mut self, w: &mut W, elem: &CType, place: &str) {
        let p = addr(place);
        if matches!(elem, CType::Basic(b) if b == "byte" || b == "uint8") {
            w.line(format!("forst.DecodeBytes(d, {p})"));
            return;
        }
        if self.env.kind(elem) == Kind::Uint && self.env.underlying(elem) == CType::Basic("uint8".into())
            || matches!(self.env.underlying(elem), CType::Basic(b) if b == "byte")
        {
            // []T with a named byte type: base64 too, but Go cannot convert it to []byte.
            w.line(format!("d.DecodeJSON({p}) // a slice of named bytes: encoding/json (base64)"));
            return;
        }
        if *elem == CType::Any {
            w.line(format!("forst.DecodeAnySlice(d, {p})"));
            return;
        }
        w.open(format!("switch d.Open('[', {p}) {{"));
        w.close("case forst.Null:");
        w.indent_in();
        w.line(format!("{place} = nil"));
        w.close("case forst.Opened:");
        w.indent_in();
        let s = w.var("s");
        let n = w.var("n");
        w.line(format!("{s}, {n} := {}, 0", val(place)));
        w.open(format!("for ; d.Elem({n}); {n}++ {{"));
        w.line(format!("{s} = forst.Grow({s}, {n})"));
        let strict = self.strict(elem);
        self.step(w, strict, &format!("d.AtIndex({n})"));
        self.decode(w, elem, &format!("{s}[{n}]"));
        self.step(w, strict, "d.Up()");
        w.close("}");
        w.line(format!("{place} = forst.Cut({s}, {n})"));
        w.close("}");
    }

    /// How a map is read and written: by encoding/json (keys it cannot handle here), as a `map[string]any`, or
    /// member by member with keys of this kind.
    fn map_plan(&self, k: &CType, v: &CType) -> Result<Kind, &'static str> {
        let kind = self.env.kind(k);
        if self.env.custom(k) || !matches!(kind, Kind::String | Kind::Int | Kind::Uint) {
            return Err("json");
        }
        if *k == CType::Basic("string".into()) && *v == CType::Any {
            return Err("any");
        }
        Ok(kind)
    }

    fn decode_map(&mut self, w: &mut W, k: &CType, v: &CType, place: &str) {
        let p = addr(place);
        let key_kind = match self.map_plan(k, v) {
            Ok(kind) => kind,
            Err("any") => return w.line(format!("forst.DecodeAnyMap(d, {p})")),
            Err(_) => return w.line(format!("d.DecodeJSON({p}) // map keys of type {}: encoding/json", k.go())),
        };
        w.open(format!("switch d.Open('{{', {p}) {{"));
        w.close("case forst.Null:");
        w.indent_in();
        w.line(format!("{place} = nil"));
        w.close("case forst.Opened:");
        w.indent_in();
        w.line(format!("forst.InitMap({p})"));
        let n = w.var("n");
        w.open(format!("for {n} := 0; d.Member({n}); {n}++ {{"));
        let key = w.var("key");
        let elem = w.var("elem");
        let strict = self.strict(v);
        self.step(w, strict, "d.AtKey()");
        match key_kind {
            Kind::String => {
                w.line(format!("{key} := forst.StringKey({}, d)", val(place)));
                w.line(format!("{elem} := forst.ZeroOf({})", val(place)));
                self.decode(w, v, &elem);
                w.line(format!("{place}[{key}] = {elem}"));
            }
            _ => {
                // encoding/json decodes the value first, then reports a key that is not a number in range.
                let ok = w.var("ok");
                let f = if key_kind == Kind::Int { "forst.IntKey" } else { "forst.UintKey" };
                w.line(format!("{key}, {ok} := {f}({}, d)", val(place)));
                w.line(format!("{elem} := forst.ZeroOf({})", val(place)));
                self.decode(w, v, &elem);
                w.open(format!("if {ok}.Valid {{"));
                w.line(format!("{place}[{key}] = {elem}"));
                w.close("} else {");
                w.line(format!("{ok}.Report(d)"));
                w.close("}");
            }
        }
        self.step(w, strict, "d.Up()");
        w.close("}");
        w.close("}");
    }

    /// The body that decodes an object into the struct at place, matching keys with `matcher`. A Forst shape's
    /// required fields are counted as they come (null counts only for arrays, maps and pointers, whose nil it is);
    /// one that did not come is `d.missing`, naming its JSON path.
    pub fn decode_struct(&mut self, w: &mut W, fields: &[JsonField], place: &str, matcher: &str) {
        w.open(format!("if d.Open('{{', {}) == forst.Opened {{", addr(place)));
        let required: Vec<&JsonField> = fields.iter().filter(|f| f.required).collect();
        let seen = w.var("seen");
        if !required.is_empty() {
            w.line(format!("var {seen} [{}]bool // the required fields met", required.len()));
        }
        let n = w.var("n");
        w.open(format!("for {n} := 0; d.Member({n}); {n}++ {{"));
        w.open(format!("switch {matcher}(d) {{"));
        for (i, f) in fields.iter().enumerate() {
            w.close(format!("case {i}:"));
            w.indent_in();
            if let Some(k) = required.iter().position(|r| std::ptr::eq(*r, f)) {
                if self.nullable(&f.ty) {
                    w.line(format!("{seen}[{k}] = true"));
                } else {
                    w.line(format!("{seen}[{k}] = d.Peek() != 'n'"));
                }
            }
            let strict = self.strict(&f.ty);
            self.step(w, strict, &format!("d.At({})", go_literal(&f.name)));
            let mut at = place.to_string();
            for (k, step) in f.path.iter().enumerate() {
                at = select(&at, &step.field);
                if step.pointer && k + 1 < f.path.len() {
                    w.line(format!("forst.Alloc({})", addr(&at)));
                    at = format!("(*{at})");
                }
            }
            w.line(format!("d.Enter({:?})", f.error_path()));
            if f.quoted {
                w.line(format!("forst.DecodeQuoted(d, {})", addr(&at)));
            } else {
                self.decode(w, &f.ty, &at);
            }
            w.line("d.Leave()");
            self.step(w, strict, "d.Up()");
        }
        w.close("default:");
        w.indent_in();
        w.line("d.Skip()");
        w.close("}");
        w.close("}");
        for (k, f) in required.iter().enumerate() {
            w.open(format!("if !{seen}[{k}] {{"));
            w.line(format!("d.Missing({}, {})", go_literal(&f.name), go_literal(&self.describe(&f.ty))));
            w.close("}");
        }
        w.close("}");
    }

    /// Does a value of this type hold a Forst shape with required fields? Decoding one keeps the JSON path
    /// (`d.at`, `d.atIndex`, `d.atKey`) so that a missing field is named with it; other types cost nothing.
    pub fn strict(&self, t: &CType) -> bool {
        self.strict_in(t, &mut BTreeSet::new())
    }

    fn strict_in(&self, t: &CType, seen: &mut BTreeSet<String>) -> bool {
        match t {
            CType::Named(n, _) => {
                seen.insert(n.clone()) && self.env.definition(n).is_some_and(|def| self.strict_in(&def, seen))
            }
            CType::Pointer(x) | CType::Slice(x) | CType::Array(_, _, x) | CType::Map(_, x) => self.strict_in(x, seen),
            CType::Struct(fields) => fields.iter().any(|f| f.required || self.strict_in(&f.ty, seen)),
            _ => false,
        }
    }

    /// Whether writing a value of t cannot fail: every path through its encoder is generated code that writes
    /// bools, integers, strings and bytes. Floats (NaN and ±Inf have no JSON), dynamic values, JSON methods, recursive
    /// types (handed to encoding/json far down) and anything else left to encoding/json may fail. The server streams
    /// such a result to the connection instead of encoding it whole first (forstResultCannotFail in the runtime).
    pub fn cannot_fail(&self, t: &CType) -> bool {
        match t {
            CType::Basic(n) => matches!(model::basic_kind(n), Kind::Bool | Kind::String | Kind::Int | Kind::Uint),
            CType::Named(n, args) => {
                args.is_empty()
                    && !self.env.custom(t)
                    && !self.env.addr_sensitive(t)
                    && !self.env.recursive(t)
                    && self.env.definition(n).is_some_and(|def| self.cannot_fail(&def))
            }
            CType::Ext(Ext::Duration) => true,
            CType::Pointer(x) | CType::Array(_, _, x) => self.cannot_fail(x),
            CType::Slice(x) => match x.as_ref() {
                CType::Basic(b) if b == "byte" || b == "uint8" => true,
                // A slice of named bytes goes to encoding/json (base64), as in encode.
                _ => {
                    !(self.env.kind(x) == Kind::Uint && self.env.underlying(x) == CType::Basic("uint8".into()))
                        && self.cannot_fail(x)
                }
            },
            CType::Map(k, v) => self.map_plan(k, v).is_ok() && self.cannot_fail(v),
            CType::Struct(fields) => {
                self.env.json_fields(fields).is_ok_and(|json| json.iter().all(|f| self.cannot_fail(&f.ty)))
            }
            _ => false,
        }
    }

    /// A path step around a strict value's decoding.
    fn step(&self, w: &mut W, strict: bool, call: &str) {
        if strict {
            w.line(call);
        }
    }

    /// Is JSON null a value of this type (the nil of an array, a map or a pointer)?
    fn nullable(&self, t: &CType) -> bool {
        matches!(self.env.underlying(t), CType::Pointer(_) | CType::Slice(_) | CType::Map(..))
    }

    /// What a field holds, for the message of a missing one: "a string", "an array", "an object (Address)".
    fn describe(&self, t: &CType) -> String {
        match t {
            CType::Basic(n) => match model::basic_kind(n) {
                Kind::String => "a string".into(),
                Kind::Bool => "a boolean".into(),
                Kind::Int | Kind::Uint | Kind::Float32 | Kind::Float64 => "a number".into(),
                _ => "a value".into(),
            },
            CType::Named(n, _) => match self.env.underlying(t) {
                CType::Struct(_) => format!("an object ({n})"),
                CType::Named(..) | CType::Other(_) => "a value".into(),
                other => self.describe(&other),
            },
            CType::Slice(_) | CType::Array(..) => "an array".into(),
            CType::Pointer(inner) => self.describe(inner),
            CType::Map(..) | CType::Struct(_) => "an object".into(),
            _ => "a value".into(),
        }
    }

    /// A function from a member's key to the index of the field encoding/json decodes it into: the exact name
    /// first, then the first field whose name matches without regard to case.
    pub fn write_matcher(&mut self, name: &str, what: &str, fields: &[JsonField]) {
        let mut w = W::default();
        w.line(format!("// {name} finds the field of {what} a key names: the exact name first, then any case (encoding/json's rules)."));
        w.open(format!("func {name}(d *forst.Decoder) int {{"));
        w.open("switch string(d.Key) {");
        let mut seen = BTreeSet::new();
        for (i, f) in fields.iter().enumerate() {
            if seen.insert(f.name.clone()) {
                w.close(format!("case {}:", go_literal(&f.name)));
                w.indent_in();
                w.line(format!("return {i}"));
            }
        }
        w.close("}");
        if !fields.is_empty() {
            w.open("switch string(d.FoldedKey()) {");
            let mut folded = BTreeSet::new();
            for (i, f) in fields.iter().enumerate() {
                let up = f.name.to_ascii_uppercase();
                if folded.insert(up.clone()) {
                    w.close(format!("case {}:", go_literal(&up)));
                    w.indent_in();
                    w.line(format!("return {i}"));
                }
            }
            w.close("}");
        }
        w.line("return -1");
        w.close("}");
        self.extra.push('\n');
        self.extra.push_str(&w.s);
    }

    // -------------------------------------------------------------------------------------------- encoding

    /// Statements that write the value at place, of type t. `addressable`: whether encoding/json could take the
    /// value's address here (a pointer's target, a slice element, a field of such a value), which decides whether
    /// it calls a MarshalJSON with a pointer receiver.
    pub fn encode(&mut self, w: &mut W, t: &CType, place: &str, addressable: bool) {
        let v = val(place);
        let as_seen = if addressable { addr(place) } else { v.clone() };
        match t {
            CType::Basic(n) => self.encode_basic(w, n, &v),
            CType::Named(n, _) => {
                if self.env.custom(t) {
                    w.line(format!("e.JSON({as_seen}) // {n} encodes itself (a JSON method): encoding/json"));
                } else if !addressable && self.env.addr_sensitive(t) {
                    w.line(format!("e.JSON({v}) // a JSON method with a pointer receiver inside, not addressable here: encoding/json"));
                } else {
                    self.want(n);
                    w.line(format!("{}(e, {})", self.func("Encode", n), addr(place)));
                }
            }
            CType::Ext(e) => match e {
                Ext::Number => w.line(format!("e.Number({v})")),
                Ext::Duration => w.line(format!("e.Int(int64({v}))")),
                Ext::Time | Ext::RawMessage => {
                    w.line(format!("e.JSON({v}) // {}: encoding/json (it has MarshalJSON)", e.go()))
                }
            },
            CType::Any => w.line(format!("e.Any({v})")),
            CType::Param(n) => {
                if addressable {
                    w.line(format!("forst.EncodeDynamic(e, {}) // type parameter {n}", addr(place)));
                } else {
                    w.line(format!("e.JSON({v}) // type parameter {n}, not addressable here: encoding/json"));
                }
            }
            CType::Other(go) => {
                w.line(format!("e.JSON({as_seen}) // {go} is not known to the compiler: encoding/json"))
            }
            CType::Pointer(inner) => {
                w.open(format!("if {v} == nil {{"));
                w.line("e.Null()");
                self.deeper(w, inner, &format!("(*{v})"), true, &v);
                w.close("}");
            }
            CType::Slice(elem) => {
                if matches!(elem.as_ref(), CType::Basic(b) if b == "byte" || b == "uint8") {
                    w.line(format!("e.Bytes({v})"));
                    return;
                }
                if self.env.kind(elem) == Kind::Uint && self.env.underlying(elem) == CType::Basic("uint8".into()) {
                    w.line(format!("e.JSON({v}) // a slice of named bytes: encoding/json (base64)"));
                    return;
                }
                w.open(format!("if {v} == nil {{"));
                w.line("e.Null()");
                w.close("} else {");
                self.encode_elems(w, elem, &v, true, true);
                w.close("}");
            }
            CType::Array(_, _, elem) => self.encode_elems(w, elem, place, addressable, false),
            CType::Map(k, val_t) => self.encode_map(w, k, val_t, place),
            CType::Struct(fields) => match self.env.json_fields(fields) {
                Ok(json) => self.encode_struct(w, &json, place, addressable),
                Err(why) => w.line(format!("e.JSON({as_seen}) // the struct {why}: encoding/json")),
            },
        }
    }

    /// The `else` branch of a pointer, slice or map whose elements may lead back to a recursive type: below
    /// forst.CycleLevel the generated code goes on, further down encoding/json takes over (and detects cycles).
    fn deeper(&mut self, w: &mut W, t: &CType, place: &str, addressable: bool, whole: &str) {
        if self.env.recursive(t) {
            w.close("} else if e.Level < forst.CycleLevel {");
            w.line("e.Level++");
            self.encode(w, t, place, addressable);
            w.line("e.Level--");
            w.close("} else {");
            w.line(format!("e.JSON({whole}) // far down a recursive type: encoding/json (it detects cycles)"));
        } else {
            w.close("} else {");
            self.encode(w, t, place, addressable);
        }
    }

    fn encode_basic(&mut self, w: &mut W, name: &str, v: &str) {
        let line = match model::basic_kind(name) {
            Kind::Bool => format!("e.Bool({v})"),
            Kind::String => format!("e.Str({v})"),
            Kind::Int if name == "int64" => format!("e.Int({v})"),
            Kind::Int => format!("e.Int(int64({v}))"),
            Kind::Uint if name == "uint64" => format!("e.Uint({v})"),
            Kind::Uint => format!("e.Uint(uint64({v}))"),
            Kind::Float32 => format!("e.Float32({v})"),
            Kind::Float64 => format!("e.Float64({v})"),
            _ => format!("e.JSON({v}) // {name}: encoding/json"),
        };
        w.line(line);
    }

    /// The value of a named type with a basic underlying type: converted for the encoder's method.
    fn encode_kind(&mut self, w: &mut W, kind: Kind, v: &str) {
        let line = match kind {
            Kind::Bool => format!("e.Bool(bool({v}))"),
            Kind::String => format!("e.Str(string({v}))"),
            Kind::Int => format!("e.Int(int64({v}))"),
            Kind::Uint => format!("e.Uint(uint64({v}))"),
            Kind::Float32 => format!("e.Float32(float32({v}))"),
            Kind::Float64 => format!("e.Float64(float64({v}))"),
            _ => format!("e.JSON({v})"),
        };
        w.line(line);
    }

    fn encode_elems(&mut self, w: &mut W, elem: &CType, place: &str, addressable: bool, slice: bool) {
        let i = w.var("i");
        let guard = slice && self.env.recursive(elem);
        if guard {
            w.open("if e.Level >= forst.CycleLevel {");
            w.line(format!("e.JSON({}) // far down a recursive type: encoding/json (it detects cycles)", val(place)));
            w.close("} else {");
            w.line("e.Level++");
        }
        w.line("e.Byte('[')");
        w.open(format!("for {i} := range {} {{", val(place)));
        w.open(format!("if {i} > 0 {{"));
        w.line("e.Byte(',')");
        w.close("}");
        self.encode(w, elem, &format!("{place}[{i}]"), addressable);
        w.line("e.FlushIfFull()");
        w.close("}");
        w.line("e.Byte(']')");
        if guard {
            w.line("e.Level--");
            w.close("}");
        }
    }

    fn encode_map(&mut self, w: &mut W, k: &CType, v: &CType, place: &str) {
        let m = &val(place);
        let key_kind = match self.map_plan(k, v) {
            Ok(kind) => kind,
            Err("any") => return w.line(format!("e.AnyMap({m})")),
            Err(_) => return w.line(format!("e.JSON({m}) // map keys of type {}: encoding/json", k.go())),
        };
        w.open(format!("if {m} == nil {{"));
        w.line("e.Null()");
        w.close("} else {");
        let guard = self.env.recursive(v);
        if guard {
            w.open("if e.Level >= forst.CycleLevel {");
            w.line(format!("e.JSON({m}) // far down a recursive type: encoding/json (it detects cycles)"));
            w.close("} else {");
            w.line("e.Level++");
        }
        w.line("e.Byte('{')");
        let i = w.var("i");
        let key = w.var("k");
        let x = w.var("x");
        match key_kind {
            Kind::String => {
                w.open(format!("for {i}, {key} := range forst.SortedKeys({m}) {{"));
                w.open(format!("if {i} > 0 {{"));
                w.line("e.Byte(',')");
                w.close("}");
                w.line(format!("e.Str(string({key}))"));
                w.line(format!("{x} := {place}[{key}]"));
            }
            _ => {
                let f = if key_kind == Kind::Int { "forst.IntKeys" } else { "forst.UintKeys" };
                w.open(format!("for {i}, {key} := range {f}({m}) {{"));
                w.open(format!("if {i} > 0 {{"));
                w.line("e.Byte(',')");
                w.close("}");
                w.line(format!("e.Str({key}.Text)"));
                w.line(format!("{x} := {place}[{key}.Key]"));
            }
        }
        w.line("e.Byte(':')");
        self.encode(w, v, &x, false);
        w.line("e.FlushIfFull()");
        w.close("}");
        w.line("e.Byte('}')");
        if guard {
            w.line("e.Level--");
            w.close("}");
        }
        w.close("}");
    }

    /// The statements that write the struct at place as an object.
    pub fn encode_struct(&mut self, w: &mut W, fields: &[JsonField], place: &str, addressable: bool) {
        let conditional =
            fields.iter().any(|f| f.omit_empty || f.omit_zero || f.path.iter().rev().skip(1).any(|s| s.pointer));
        if fields.is_empty() {
            w.line("e.Raw(\"{}\")");
            return;
        }
        if !conditional {
            for (i, f) in fields.iter().enumerate() {
                let sep = if i == 0 { "{" } else { "," };
                w.line(format!("e.Raw({})", go_literal(&format!("{sep}\"{}\":", html_escape(&f.name)))));
                let at = field_place(place, f);
                self.encode_field(w, f, &at, addressable);
            }
            w.line("e.Byte('}')");
            return;
        }
        w.line("e.Byte('{')");
        let written = w.var("more");
        w.line(format!("{written} := false"));
        for f in fields {
            // Promoted through embedded pointers: a nil one on the way leaves the field out.
            let mut conds = Vec::new();
            let mut at = place.to_string();
            for (k, step) in f.path.iter().enumerate() {
                at = select(&at, &step.field);
                if step.pointer && k + 1 < f.path.len() {
                    conds.push(format!("{at} != nil"));
                    at = format!("(*{at})");
                }
            }
            if let Some(c) = self.omit_condition(f, &at) {
                conds.push(c);
            }
            if !conds.is_empty() {
                w.open(format!("if {} {{", conds.join(" && ")));
            }
            w.line(format!("e.Field(&{written}, {})", go_literal(&format!("\"{}\":", html_escape(&f.name)))));
            self.encode_field(w, f, &at, addressable || f.path.iter().rev().skip(1).any(|s| s.pointer));
            if !conds.is_empty() {
                w.close("}");
            }
        }
        w.line("e.Byte('}')");
    }

    fn encode_field(&mut self, w: &mut W, f: &JsonField, at: &str, addressable: bool) {
        if f.quoted {
            self.encode_quoted(w, &f.ty, at);
        } else {
            self.encode(w, &f.ty, at, addressable);
        }
    }

    /// A field tagged `,string`: the value's JSON text inside a JSON string (a nil pointer stays null).
    fn encode_quoted(&mut self, w: &mut W, t: &CType, at: &str) {
        if let CType::Pointer(inner) = t {
            w.open(format!("if {} == nil {{", val(at)));
            w.line("e.Null()");
            w.close("} else {");
            self.encode_quoted_value(w, inner, &format!("*{}", val(at)));
            w.close("}");
        } else {
            self.encode_quoted_value(w, t, &val(at));
        }
    }

    fn encode_quoted_value(&mut self, w: &mut W, t: &CType, v: &str) {
        match self.env.kind(t) {
            Kind::String => w.line(format!("e.QuotedStr(string({v}))")),
            kind => {
                w.line("e.Byte('\"')");
                self.encode_kind(w, kind, v);
                w.line("e.Byte('\"')");
            }
        }
    }

    /// The condition under which an omitempty or omitzero field is written (encoding/json's isEmptyValue, or the
    /// zero value / IsZero for omitzero).
    fn omit_condition(&mut self, f: &JsonField, at: &str) -> Option<String> {
        let v = val(at);
        let mut conds = Vec::new();
        if f.omit_empty {
            match self.env.kind(&f.ty) {
                Kind::String | Kind::Slice | Kind::Map | Kind::Array => conds.push(format!("len({v}) != 0")),
                Kind::Bool => conds.push(v.clone()),
                Kind::Int | Kind::Uint | Kind::Float32 | Kind::Float64 => conds.push(format!("{v} != 0")),
                Kind::Pointer | Kind::Interface => conds.push(format!("{v} != nil")),
                Kind::Struct => {}
                Kind::Unknown => conds.push(format!("!forst.IsEmpty({})", addr(at))),
            }
        }
        if f.omit_zero {
            conds.push(format!("!forst.OmitZero({})", addr(at)));
        }
        (!conds.is_empty()).then(|| conds.join(" && "))
    }

    // -------------------------------------------------------------------------------------------- functions

    /// The decoder and encoder of project type `name`.
    pub fn named_functions(&mut self, name: &str) -> String {
        let mut out = String::new();
        let Some(def) = self.env.definition(name) else { return out };
        let params = self.env.params_go(name).to_string();
        let use_params = self.env.params_use(name);
        let ty = format!("{name}{use_params}");
        let (dec, enc) = (self.func("Decode", name), self.func("Encode", name));
        let mut w = W::default();
        w.reset_vars();
        match &def {
            CType::Struct(fields) => match self.env.json_fields(fields) {
                Ok(json) => {
                    let matcher = format!("forstFields{name}");
                    let _ = writeln!(out, "\n// {dec} decodes {name} from a JSON object.");
                    w.open(format!("func {dec}{params}(d *forst.Decoder, v *{ty}) {{"));
                    self.decode_struct(&mut w, &json, "(*v)", &matcher);
                    w.close("}");
                    self.write_matcher(&matcher, name, &json);
                    w.reset_vars();
                    w.line("");
                    w.line(format!("// {enc} writes {name} as a JSON object."));
                    w.open(format!("func {enc}{params}(e *forst.Encoder, v *{ty}) {{"));
                    self.encode_struct(&mut w, &json, "(*v)", true);
                    w.close("}");
                }
                Err(why) => {
                    let _ = writeln!(out, "\n// {dec}: {name} {why}, so encoding/json decodes it.");
                    w.open(format!("func {dec}{params}(d *forst.Decoder, v *{ty}) {{"));
                    w.line("d.DecodeJSON(v)");
                    w.close("}");
                    w.line("");
                    w.line(format!("// {enc}: {name} {why}, so encoding/json writes it."));
                    w.open(format!("func {enc}{params}(e *forst.Encoder, v *{ty}) {{"));
                    w.line("e.JSON(v)");
                    w.close("}");
                }
            },
            _ => {
                let _ = writeln!(out, "\n// {dec} decodes {name} ({}).", def.go());
                w.open(format!("func {dec}{params}(d *forst.Decoder, v *{ty}) {{"));
                self.decode(&mut w, &def, "(*v)");
                w.close("}");
                w.reset_vars();
                w.line("");
                w.line(format!("// {enc} writes {name}."));
                w.open(format!("func {enc}{params}(e *forst.Encoder, v *{ty}) {{"));
                let kind = self.env.kind(&def);
                if matches!(def, CType::Basic(_)) {
                    self.encode_kind(&mut w, kind, "*v");
                } else {
                    self.encode(&mut w, &def, "(*v)", true);
                }
                w.close("}");
            }
        }
        out.push_str(&w.s);
        out
    }
}

impl W {
    /// Indents after a `case` line (which `close` wrote at the switch's level).
    pub fn indent_in(&mut self) {
        self.indent += 1;
    }
}

/// The place of a struct field reached through its path (pointers on the way dereferenced).
fn field_place(base: &str, f: &JsonField) -> String {
    let mut at = base.to_string();
    for (k, step) in f.path.iter().enumerate() {
        at = select(&at, &step.field);
        if step.pointer && k + 1 < f.path.len() {
            at = format!("(*{at})");
        }
    }
    at
}
