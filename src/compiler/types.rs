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
    Unknown,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TyField {
    pub name: String,
    pub ty: Ty,
    pub tag: Option<String>,
    pub embedded: bool,
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
            Ty::Any | Ty::Unknown | Ty::Tuple(_) => "interface{}".into(),
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
