//! Feeds `openapi/control-plane.json` to progenitor and writes the bindings into OUT_DIR.

#[path = "build/generate.rs"]
mod generate;

use std::path::{Path, PathBuf};

const SPEC: &str = "openapi/control-plane.json";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build/generate.rs");
    println!("cargo:rerun-if-changed={SPEC}");

    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    if let Err(message) = run(&root.join(SPEC), &out) {
        // A short message and a clean exit: cargo shows it without a panic backtrace.
        eprintln!("error: {SPEC}: {message}");
        std::process::exit(1);
    }
}

fn run(spec: &Path, out: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(spec).map_err(|e| format!("cannot read it: {e}"))?;
    let generated = generate::generate(&text)?;
    write(&out.join("open_enums.rs"), &generated.enums)?;
    write(&out.join("operations.rs"), &generated.operations)?;
    write(&out.join("client.rs"), &generated.client)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
