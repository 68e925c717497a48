//! Each normalization rule, shown on a small 3.1 fixture with its expected 3.0.3 output
//! (`fixtures/normalize/{rule}.in.json` -> `{rule}.out.json`).

use std::path::PathBuf;

use xtask::json::{parse, to_canonical_string};
use xtask::normalize::{RULES, normalize};

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/normalize")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn normalized(text: &str) -> String {
    let mut doc = parse(text, "fixture").unwrap();
    normalize(&mut doc);
    to_canonical_string(&doc)
}

fn assert_rule(rule: &str) {
    let input = fixture(&format!("{rule}.in.json"));
    let expected = fixture(&format!("{rule}.out.json"));
    assert_eq!(
        normalized(&input),
        expected,
        "rule {rule}: normalized input differs from the expected output"
    );
    assert_eq!(
        normalized(&expected),
        expected,
        "rule {rule}: the expected output is not a fixed point"
    );
}

macro_rules! rule_tests {
    ($($rule:ident),* $(,)?) => {
        $(#[test] fn $rule() { assert_rule(stringify!($rule)); })*

        #[test]
        fn every_rule_has_a_fixture_test() {
            let tested = [$(stringify!($rule)),*];
            for rule in RULES {
                assert!(tested.contains(rule), "rule {rule} has no fixture test");
            }
            assert_eq!(tested.len(), RULES.len());
        }
    };
}

rule_tests!(
    set_version,
    drop_3_1_only_fields,
    const_to_enum,
    examples_to_example,
    exclusive_bounds,
    type_list_to_nullable,
    null_enum_value_to_nullable,
    null_member_to_nullable,
    drop_unknown_keywords,
    strip_inline_title,
    type_untyped_string_enum,
    disjoint_any_of_to_one_of,
    parameter_not_nullable,
    ref_siblings_to_all_of,
    lone_all_of_to_ref,
    describe_response,
    shorten_operation_ids,
    one_error_body,
    remove_undefined_security,
    hoist_string_enums,
);

#[test]
fn fixture_inputs_are_openapi_3_1_and_outputs_3_0_3() {
    for rule in RULES {
        let input = parse(&fixture(&format!("{rule}.in.json")), rule).unwrap();
        let output = parse(&fixture(&format!("{rule}.out.json")), rule).unwrap();
        assert_eq!(input["openapi"], "3.1.0", "{rule}");
        assert_eq!(output["openapi"], "3.0.3", "{rule}");
    }
}

#[test]
fn hoisted_enum_names_prefer_the_given_names() {
    let input = fixture("hoist_string_enums.in.json");
    let mut doc = parse(&input, "fixture").unwrap();
    let mut names = xtask::normalize::EnumNames::new();
    names.insert(
        "/components/schemas/Listener/properties/compute_type".into(),
        "ListenerComputeType".into(),
    );
    xtask::normalize::normalize_with(&mut doc, &names);
    assert_eq!(
        doc.pointer("/components/schemas/Listener/properties/compute_type/$ref"),
        Some(&serde_json::json!(
            "#/components/schemas/ListenerComputeType"
        ))
    );
    assert!(doc.pointer("/components/schemas/ComputeType").is_none());
}
