//! `cargo xtask` and its library, one module per behaviour: the command line run as a process,
//! normalization (each rule, and its properties on arbitrary documents), the overlay, `spec
//! diff`, the vendored document, the saved upstream documents, and the import graph of the
//! workspace's crates (a layout without circles).

mod command_line;
mod diff;
mod import_cycles;
mod normalize_properties;
mod normalize_rules;
mod overlay;
mod upstream_documents;
mod vendored_document;
