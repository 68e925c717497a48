//! Deployments as code with `lscp`: the deployment file's schema, `lscp plan` and `lscp apply`
//! against the mock.

mod support;

use support::run_with;

#[test]
fn schema_prints_the_deployment_file_schema_for_editors() {
    let printed = run_with(&[], &["schema", "deployment-file"]);
    printed.code(0);
    let schema: serde_json::Value = serde_json::from_str(&printed.stdout).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["title"], "Deployment file");
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["required"], serde_json::json!(["deployments"]));
    let entry = &schema["definitions"]["DeploymentSpec"];
    assert_eq!(entry["additionalProperties"], false);
    assert_eq!(
        entry["properties"]["secrets"]["additionalProperties"]["$ref"],
        "#/definitions/SecretFrom"
    );
}
