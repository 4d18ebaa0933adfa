//! The checker's view of types: resolved (sugar gone, project types named), renderable as Go and as TypeScript.

/// A resolved type. `Named` is a type declared in the project; `Basic` a predeclared Go type (`int`, `error`, ...);
/// `Ext` a standard-library type (`time.Time`).
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Basic(String),
    Named(String),
    Ext(String, String),
    Pointer(Box<Ty>),
    Slice(Box<Ty>),
    /// `[N]T`, with the length as written.
    Array(String, Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    Chan(Box<Ty>),
    Func(Vec<Ty>),
    Struct(Vec<TyField>),
    /// `interface{}` / `any`.
    Any,
    /// A non-empty interface literal.
    Iface,
    /// A map literal with constant string keys (or a Forst shape literal): `map[string]interface{}` in Go, an object
    /// type in TypeScript. `go` is the literal's own Go type.
    Object {
        go: Box<Ty>,
        fields: Vec<(String, Ty)>,
    },
    /// The results of a call with several.
    Tuple(Vec<Ty>),
    /// Forst `A | B` (a named declaration's type): a union of nominal errors is a Go interface only they implement;
    /// any other union is `interface{}` in Go.
    Union(Vec<Ty>),
    Unknown,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TyField {
    pub name: String,
    pub ty: Ty,
    pub tag: Option<String>,
    pub embedded: bool,
    /// A Forst shape field that is neither optional (`name?: T`) nor a pointer: a JSON object without it is invalid
    /// input. Fields of Go structs are never required (Go fills what is missing with zero values).
    pub required: bool,
    /// Constraints of the field's type as written (`String.Min(3)`); a named type's own come from its definition.
    pub checks: Vec<Constraint>,
    /// A field of a Forst shape (strict: see `required`); its pointers and `name?:` may be left out.
    pub shape: bool,
}

impl TyField {
    /// A field of a Go struct: no constraints, not required.
    pub fn go(name: String, ty: Ty, tag: Option<String>, embedded: bool) -> TyField {
        TyField { name, ty, tag, embedded, required: false, checks: Vec::new(), shape: false }
    }

    /// May a JSON object leave this field out? (`name?:` and pointers of shapes, and `omitempty` fields.)
    pub fn optional(&self) -> bool {
        json_name(self).is_some_and(|(_, omit)| omit) || (self.shape && !self.required)
    }
}

/// Constraints as written, for documentation: `Min(3).Max(30)`, `Max(3); each: Contains("@")`.
pub fn written(checks: &[Constraint]) -> String {
    let own: Vec<&str> =
        checks.iter().filter(|c| !matches!(c.check, Check::Each(_))).map(|c| c.written.as_str()).collect();
    let mut out = own.join(".");
    for c in checks {
        if let Check::Each(inner) = &c.check {
            let sep = if out.is_empty() { "" } else { "; " };
            out = format!("{out}{sep}each: {}", written(inner));
        }
    }
    out
}

/// One check a value must pass, from a Forst constraint type or a guard applied to a type (`String.Min(3)`,
/// `User.Valid()`): validated where JSON enters (before the function runs), and written into the OpenAPI document
/// and JSON Schemas.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    pub check: Check,
    /// As written, for messages: `Min(3)`, `HasPrefix("+")`, `Valid()`.
    pub written: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// Strings: length in characters (Unicode code points, as JSON Schema's minLength counts).
    MinLength(u64),
    MaxLength(u64),
    /// Arrays and maps: number of elements.
    MinItems(u64),
    MaxItems(u64),
    /// Numbers, inclusive and exclusive bounds.
    Minimum(Number),
    Maximum(Number),
    ExclusiveMinimum(Number),
    ExclusiveMaximum(Number),
    HasPrefix(String),
    HasSuffix(String),
    Contains(String),
    /// Booleans: `True()`, `False()`.
    Const(bool),
    /// Pointers: `Present()` (not null), `Nil()` (null).
    Present,
    Nil,
    /// A type guard: the Go function that checks it and its arguments (Go source).
    Guard {
        func: String,
        args: Vec<String>,
    },
    /// Checks on every element of an array, or every value of a map.
    Each(Vec<Constraint>),
}

/// A numeric constraint argument: its Go source and its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Number {
    pub go: String,
    pub value: f64,
}

impl Number {
    /// Parses a Go number literal (with an optional sign): decimal, with `_` separators, or 0x/0o/0b integers.
    pub fn parse(text: &str) -> Option<Number> {
        let t: String = text.chars().filter(|c| !c.is_whitespace() && *c != '_').collect();
        let (neg, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(&t)),
        };
        let radix = |p: &str, r: u32| digits.strip_prefix(p).and_then(|d| u64::from_str_radix(d, r).ok());
        let value = radix("0x", 16)
            .or_else(|| radix("0X", 16))
            .or_else(|| radix("0o", 8))
            .or_else(|| radix("0b", 2))
            .map(|v| v as f64)
            .or_else(|| digits.parse::<f64>().ok().filter(|v| v.is_finite()))?;
        let value = if neg { -value } else { value };
        Some(Number { go: t.clone(), value })
    }

    pub fn is_integer(&self) -> bool {
        self.value.fract() == 0.0
    }
}

/// Forst's sugar type names and the Go types they stand for.
pub fn sugar(name: &str) -> Option<&'static str> {
    Some(match name {
        "Int" => "int",
        "Float" => "float64",
        "String" => "string",
        "Bool" => "bool",
        "Error" => "error",
        _ => return None,
    })
}

pub fn is_number(name: &str) -> bool {
    matches!(
        name,
        "int"
            | "int8"
            | "int16"
            | "int32"
            | "int64"
            | "uint"
            | "uint8"
            | "uint16"
            | "uint32"
            | "uint64"
            | "uintptr"
            | "float32"
            | "float64"
            | "byte"
            | "rune"
    )
}

impl Ty {
    pub fn basic(name: &str) -> Ty {
        Ty::Basic(name.to_string())
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Ty::Basic(n) if n == "error")
    }

    /// The type as Go source.
    pub fn go(&self) -> String {
        match self {
            Ty::Basic(n) | Ty::Named(n) => n.clone(),
            Ty::Ext(p, n) => format!("{p}.{n}"),
            Ty::Pointer(t) => format!("*{}", t.go()),
            Ty::Slice(t) => format!("[]{}", t.go()),
            Ty::Array(n, t) => format!("[{n}]{}", t.go()),
            Ty::Map(k, v) => format!("map[{}]{}", k.go(), v.go()),
            Ty::Chan(t) => format!("chan {}", t.go()),
            Ty::Func(_) => "func()".into(),
            Ty::Struct(fields) => {
                struct_go(fields.iter().map(|f| (f.name.as_str(), f.ty.go(), f.tag.as_deref(), f.embedded)))
            }
            Ty::Any | Ty::Unknown | Ty::Tuple(_) | Ty::Union(_) => "interface{}".into(),
            Ty::Iface => "interface{}".into(),
            Ty::Object { go, .. } => go.go(),
        }
    }

    /// Dereferences pointers: the type whose fields a selector reaches.
    pub fn pointee(&self) -> &Ty {
        match self {
            Ty::Pointer(t) => t.pointee(),
            t => t,
        }
    }
}

/// A struct type as Go source, from its fields: (name, type as Go, tag, embedded).
pub fn struct_go<'a>(fields: impl Iterator<Item = (&'a str, String, Option<&'a str>, bool)>) -> String {
    let parts: Vec<String> = fields
        .map(|(name, ty, tag, embedded)| {
            let tag = tag.map(|t| format!(" `{t}`")).unwrap_or_default();
            if embedded {
                format!("{ty}{tag}")
            } else {
                format!("{name} {ty}{tag}")
            }
        })
        .collect();
    if parts.is_empty() {
        "struct{}".into()
    } else {
        format!("struct {{ {} }}", parts.join("; "))
    }
}

/// The JSON name of a struct field from its tag: `None` when the field is skipped (`json:"-"`), plus `omitempty`.
pub fn json_name(field: &TyField) -> Option<(String, bool)> {
    let tag = field.tag.as_deref().and_then(|t| tag_value(t, "json"));
    match tag {
        Some("-") => None,
        Some(t) => {
            let mut parts = t.split(',');
            let name = parts.next().unwrap_or("");
            let omit = parts.any(|p| p == "omitempty");
            Some((if name.is_empty() { field.name.clone() } else { name.to_string() }, omit))
        }
        None => Some((field.name.clone(), false)),
    }
}

/// The field carries `json:",string"` and is of a type that option applies to (strings, numbers, booleans, or a
/// pointer to one): `encoding/json` then sends and expects its value as a JSON string.
pub fn json_string_option(field: &TyField) -> bool {
    let opts = field.tag.as_deref().and_then(|t| tag_value(t, "json")).unwrap_or("");
    let quoted = opts.split(',').skip(1).any(|o| o == "string");
    let base = match &field.ty {
        Ty::Pointer(inner) => inner,
        t => t,
    };
    quoted && matches!(base, Ty::Basic(n) if is_number(n) || n == "string" || n == "bool")
}

/// `reflect.StructTag.Get`, for the tags the compiler reads.
pub fn tag_value<'a>(tag: &'a str, key: &str) -> Option<&'a str> {
    let mut rest = tag.trim();
    while !rest.is_empty() {
        let colon = rest.find(':')?;
        let name = rest[..colon].trim();
        let after = &rest[colon + 1..];
        let after = after.strip_prefix('"')?;
        let mut end = None;
        let bytes = after.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'"' => {
                    end = Some(i);
                    break;
                }
                _ => i += 1,
            }
        }
        let end = end?;
        if name == key {
            return Some(&after[..end]);
        }
        rest = after[end + 1..].trim_start();
    }
    None
}

pub fn is_exported(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_uppercase())
}

pub fn capitalize(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Results of the standard-library functions that inference knows, by `pkg.Func`.
pub fn std_results(pkg: &str, func: &str) -> Option<Vec<Ty>> {
    let s = || Ty::basic("string");
    let f = || Ty::basic("float64");
    let i = || Ty::basic("int");
    let b = || Ty::basic("bool");
    let e = || Ty::basic("error");
    Some(match (pkg, func) {
        (
            "math",
            "Sqrt" | "Pow" | "Abs" | "Floor" | "Ceil" | "Max" | "Min" | "Log" | "Log2" | "Log10" | "Exp" | "Sin"
            | "Cos" | "Tan" | "Round" | "Trunc" | "Mod" | "Hypot" | "Inf" | "NaN" | "Cbrt" | "Atan" | "Atan2",
        ) => vec![f()],
        (
            "strings",
            "ToUpper" | "ToLower" | "TrimSpace" | "Trim" | "TrimLeft" | "TrimRight" | "Replace" | "ReplaceAll" | "Join"
            | "Repeat" | "Title" | "TrimPrefix" | "TrimSuffix" | "ToTitle",
        ) => vec![s()],
        ("strings", "Split" | "Fields" | "SplitN" | "SplitAfter") => vec![Ty::Slice(Box::new(s()))],
        ("strings", "Contains" | "HasPrefix" | "HasSuffix" | "EqualFold" | "ContainsAny" | "ContainsRune") => vec![b()],
        ("strings", "Index" | "Count" | "LastIndex" | "IndexByte" | "Compare") => vec![i()],
        ("strconv", "Itoa" | "FormatInt" | "FormatFloat" | "FormatBool" | "Quote") => vec![s()],
        ("strconv", "Atoi") => vec![i(), e()],
        ("strconv", "ParseFloat") => vec![f(), e()],
        ("strconv", "ParseInt") => vec![Ty::basic("int64"), e()],
        ("strconv", "ParseBool") => vec![b(), e()],
        ("fmt", "Sprintf" | "Sprint" | "Sprintln") => vec![s()],
        ("fmt", "Errorf") | ("errors", "New" | "Join") => vec![e()],
        ("errors", "Is" | "As") => vec![b()],
        ("time", "Now") => vec![Ty::Ext("time".into(), "Time".into())],
        ("time", "Since" | "Until") => vec![Ty::Ext("time".into(), "Duration".into())],
        ("hex", "EncodeToString") | ("base64", "EncodeToString") => vec![s()],
        ("json", "Marshal" | "MarshalIndent") => vec![Ty::Slice(Box::new(Ty::basic("byte"))), e()],
        ("utf8", "RuneCountInString" | "RuneLen") => vec![i()],
        ("unicode", "IsUpper" | "IsLower" | "IsDigit" | "IsLetter" | "IsSpace") => vec![b()],
        ("sort", "SearchInts" | "SearchStrings" | "Search") => vec![i()],
        ("rand", "Intn" | "Int") => vec![i()],
        ("rand", "Float64") => vec![f()],
        _ => return None,
    })
}

/// Standard-library packages added to a file's imports when it uses them without importing them (like goimports),
/// by the name code uses.
pub fn auto_import(name: &str) -> Option<&'static str> {
    Some(match name {
        "fmt" => "fmt",
        "os" => "os",
        "strings" => "strings",
        "strconv" => "strconv",
        "sort" => "sort",
        "sync" => "sync",
        "math" => "math",
        "time" => "time",
        "context" => "context",
        "errors" => "errors",
        "json" => "encoding/json",
        "bytes" => "bytes",
        "io" => "io",
        "regexp" => "regexp",
        "unicode" => "unicode",
        "utf8" => "unicode/utf8",
        "sha256" => "crypto/sha256",
        "sha1" => "crypto/sha1",
        "md5" => "crypto/md5",
        "hex" => "encoding/hex",
        "base64" => "encoding/base64",
        "rand" => "math/rand",
        "atomic" => "sync/atomic",
        "slices" => "slices",
        "maps" => "maps",
        "bufio" => "bufio",
        "log" => "log",
        "runtime" => "runtime",
        "reflect" => "reflect",
        "filepath" => "path/filepath",
        "url" => "net/url",
        "http" => "net/http",
        "bits" => "math/bits",
        "heap" => "container/heap",
        "list" => "container/list",
        "cmp" => "cmp",
        "fnv" => "hash/fnv",
        "crc32" => "hash/crc32",
        "big" => "math/big",
        "csv" => "encoding/csv",
        _ => return None,
    })
}
