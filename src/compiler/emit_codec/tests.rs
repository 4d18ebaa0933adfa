use super::model::{CType, Env, Ext, Kind};
use super::*;
use crate::compiler::{check, parse};

/// Parses and checks one route file, then hands its environment and program to `f`.
fn with_project<R>(src: &str, f: impl FnOnce(&Env, &Program, &[ast::File]) -> R) -> R {
    let sources = vec![SourceFile { path: "routes/t.ft".into(), text: src.into() }];
    let files: Vec<ast::File> = sources.iter().map(|s| parse::parse_file(s).0).collect();
    let (program, _) = check::check(&files, &sources);
    let env = Env::new(&sources, &files, &program.out);
    f(&env, &program, &files)
}

fn codecs(src: &str) -> String {
    let sources = vec![SourceFile { path: "routes/t.ft".into(), text: src.into() }];
    let files: Vec<ast::File> = sources.iter().map(|s| parse::parse_file(s).0).collect();
    let (program, diags) = check::check(&files, &sources);
    assert!(diags.iter().all(|d| d.severity != crate::compiler::Severity::Error), "{diags:#?}");
    emit(&sources, &files, &program).0
}

fn fields_of(env: &Env, name: &str) -> Vec<(String, String)> {
    let Some(CType::Struct(fields)) = env.definition(name) else { panic!("{name} is not a struct") };
    env.json_fields(&fields)
        .expect("generated, not left to encoding/json")
        .into_iter()
        .map(|f| (f.name.clone(), f.path.iter().map(|s| s.field.as_str()).collect::<Vec<_>>().join(".")))
        .collect()
}

#[test]
fn json_fields_follow_tags_options_and_skip_unexported_and_dash() {
    let src = "type T struct {\n  A int `json:\"a,omitempty\"`\n  B string `json:\"-\"`\n  C string `json:\"-,\"`\n  d int\n  E bool\n  F int `json:\",string\"`\n}\nfunc f(t T) {}\n";
    with_project(src, |env, _, _| {
        let fields = fields_of(env, "T");
        assert_eq!(
            fields,
            vec![
                ("a".into(), "A".into()),
                ("-".into(), "C".into()),
                ("E".into(), "E".into()),
                ("F".into(), "F".into())
            ]
        );
        let Some(CType::Struct(raw)) = env.definition("T") else { unreachable!() };
        let json = env.json_fields(&raw).unwrap_or_default();
        assert!(json[0].omit_empty && !json[1].omit_empty);
        assert!(json[3].quoted, "`,string` on an int");
    });
}

#[test]
fn embedded_structs_are_flattened_with_go_dominance_rules() {
    // Outer.ID hides Inner.ID (shallower); X conflicts between two embedded structs at the same depth and goes.
    let src = "type Inner struct {\n  ID int `json:\"id\"`\n  X int\n  Y int\n}\ntype Other struct {\n  X int\n}\ntype Outer struct {\n  Inner\n  *Other\n  ID string `json:\"id\"`\n}\nfunc f(o Outer) {}\n";
    with_project(src, |env, _, _| {
        assert_eq!(fields_of(env, "Outer"), vec![("Y".into(), "Inner.Y".into()), ("id".into(), "ID".into())]);
    });
}

#[test]
fn a_tagged_field_wins_over_an_untagged_one_at_the_same_depth() {
    let src = "type A struct {\n  N int `json:\"n\"`\n}\ntype B struct {\n  N int\n}\ntype C struct {\n  A\n  B\n}\nfunc f(c C) {}\n";
    with_project(src, |env, _, _| {
        // B.N is named "N", A.N is named "n": different names, both kept.
        assert_eq!(fields_of(env, "C"), vec![("n".into(), "A.N".into()), ("N".into(), "B.N".into())]);
    });
}

#[test]
fn types_with_json_methods_are_custom_also_when_the_method_is_promoted() {
    let src = "import \"time\"\ntype S struct{}\nfunc (s *S) UnmarshalJSON(b []byte) error { return nil }\ntype Wrap struct {\n  S\n}\ntype Stamped struct {\n  time.Time\n}\ntype Plain struct {\n  N int\n}\nfunc f(a Wrap, b Stamped, c Plain, d S) {}\n";
    with_project(src, |env, _, _| {
        let named = |n: &str| CType::Named(n.into(), vec![]);
        assert!(env.custom(&named("S")));
        assert!(env.custom(&named("Wrap")), "promoted from an embedded S");
        assert!(env.custom(&named("Stamped")), "promoted from an embedded time.Time");
        assert!(!env.custom(&named("Plain")));
        assert!(env.addr_sensitive(&named("S")));
        assert!(!env.addr_sensitive(&named("Plain")));
        assert!(env.custom(&CType::Ext(Ext::Time)));
        assert!(!env.custom(&CType::Ext(Ext::Duration)));
    });
}

#[test]
fn lowering_keeps_array_lengths_type_arguments_and_packages() {
    let src = "import (\n  \"encoding/json\"\n  \"time\"\n)\ntype Pair[K comparable, V any] struct {\n  Key K\n  Value V\n}\nfunc f(a [3]int, p Pair[string, []int], n json.Number, w time.Time, s {name: String}) {}\n";
    with_project(src, |env, program, files| {
        let e = &program.endpoints[0];
        let (params, _) = endpoint_types(env, files, e);
        let go: Vec<String> = params.iter().map(CType::go).collect();
        assert_eq!(
            go,
            vec!["[3]int", "Pair[string, []int]", "json.Number", "time.Time", "struct { Name string `json:\"name\"` }"]
        );
        assert_eq!(env.params_go("Pair"), "[K comparable, V any]");
        assert_eq!(env.params_use("Pair"), "[K, V]");
        assert_eq!(env.kind(&params[2]), Kind::String);
    });
}

#[test]
fn named_types_get_a_decoder_and_an_encoder_and_endpoints_a_call_type() {
    let out = codecs("type Record struct {\n  ID string `json:\"id\"`\n}\nfunc process(rs []Record, n int) (int, error) {\n  return len(rs) + n, nil\n}\n");
    for needle in [
        "type forstArgsProcess struct {",
        "arg0 []Record",
        "func forstDecodeRecord(d *forst.Decoder, v *Record) {",
        "func forstEncodeRecord(e *forst.Encoder, v *Record) {",
        "c.res, err = process(c.arg0, c.arg1)",
        "return &forst.ReturnedError{Err: err}",
        "e.Raw(`{\"id\":`)",
        "case `id`:",
        "case `ID`:",
        "forstDecodeRecord(d, &s1[n2])",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
}

#[test]
fn generic_types_get_generic_functions_and_type_parameters_go_through_the_dynamic_path() {
    let out =
        codecs("type Pair[K comparable, V any] struct {\n  Key K `json:\"key\"`\n}\nfunc f(p Pair[string, int]) {}\n");
    assert!(out.contains("func forstDecodePair[K comparable, V any](d *forst.Decoder, v *Pair[K, V]) {"), "{out}");
    assert!(out.contains("forst.DecodeDynamic(d, &v.Key) // type parameter K"), "{out}");
    assert!(!out.contains("case Pair:"), "generic types stay out of forstEncodeKnown:\n{out}");
}

#[test]
fn what_the_generated_code_leaves_to_encoding_json_says_so() {
    let out = codecs("import \"time\"\ntype U string\nfunc (u *U) MarshalText() ([]byte, error) { return nil, nil }\ntype T struct {\n  When time.Time\n  Up U\n  Names map[string]U\n}\nfunc f(t T) T { return t }\n");
    assert!(out.contains("d.DecodeJSON(&v.When) // time.Time: encoding/json (it has UnmarshalJSON)"), "{out}");
    assert!(out.contains("e.JSON(&v.Up) // U encodes itself (a JSON method): encoding/json"), "{out}");
    // A map value is not addressable: encoding/json does not call a pointer-receiver MarshalText there.
    assert!(out.contains("e.JSON(x"), "{out}");
    // The result's root is not addressable either, and T holds U by value.
    assert!(
        out.contains("e.JSON(c.res) // a JSON method with a pointer receiver inside, not addressable here"),
        "{out}"
    );
}

#[test]
fn arrays_skip_extra_elements_and_zero_the_rest() {
    let out = codecs("func f(a [2]int) {}\n");
    assert!(out.contains("if n1 >= len(c.arg0) {"), "{out}");
    assert!(out.contains("clear(c.arg0[n1:])"), "{out}");
}

#[test]
fn recursive_types_count_their_depth() {
    let out = codecs("type Node struct {\n  Next *Node `json:\"next\"`\n}\nfunc f(n Node) Node { return n }\n");
    assert!(out.contains("} else if e.Level < forst.CycleLevel {"), "{out}");
}

#[test]
fn non_ascii_names_leave_the_struct_to_encoding_json() {
    let out = codecs("type T struct {\n  N int `json:\"größe\"`\n}\nfunc f(t T) {}\n");
    assert!(out.contains("has a non-ASCII name, so encoding/json decodes it"), "{out}");
}

#[test]
fn shapes_decoders_check_required_fields_and_go_structs_do_not() {
    let src = "type Address = { city: String.Min(1), zip?: String }\ntype Person = {\n  name: String.Min(3).Max(30),\n  nick?: String,\n  boss: *Person,\n  friend: *Person.Present(),\n  tags: Array(String),\n  homes: Array(Address)\n}\ntype Plain struct {\n  Name string `json:\"name\"`\n}\nfunc hire(p Person, q Plain) {}\n";
    with_project(src, |env, _, _| {
        let Some(CType::Struct(raw)) = env.definition("Person") else { panic!("Person is a struct") };
        let required: Vec<(String, bool)> =
            env.json_fields(&raw).unwrap_or_default().into_iter().map(|f| (f.name, f.required)).collect();
        let expected =
            [("name", true), ("nick", false), ("boss", false), ("friend", true), ("tags", true), ("homes", true)];
        assert_eq!(required, expected.map(|(n, r)| (n.to_string(), r)));
        let json = env.json_fields(&raw).unwrap_or_default();
        assert!(json[1].omit_empty, "an optional field is omitempty, as the Go declaration has it");
        assert_eq!(json[4].ty, CType::Slice(Box::new(CType::Basic("string".into()))), "Array(String) is a Go slice");
    });
    let go = codecs(src);
    let person = go.split("func forstDecodePerson(").nth(1).and_then(|s| s.split("\n}\n").next()).unwrap_or_default();
    assert!(person.contains("[4]bool"), "{person}");
    assert!(person.contains("= d.Peek() != 'n'"), "null is no string: {person}");
    assert!(person.contains("d.Missing(`name`, `a string`)") && !person.contains("d.Missing(`nick`"), "{person}");
    assert!(
        person.contains("d.At(`homes`)") && person.contains("d.AtIndex("),
        "the path to Address's fields: {person}"
    );
    assert!(!person.contains("d.At(`tags`)"), "no path kept where no shape is inside: {person}");
    let plain = go.split("func forstDecodePlain(").nth(1).and_then(|s| s.split("\n}\n").next()).unwrap_or_default();
    assert!(!plain.contains("missing") && !plain.contains("bool"), "Go structs zero-fill: {plain}");
}
