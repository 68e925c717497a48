//! The generated bindings, one module per behaviour: the requests each operation sends and the
//! responses it decodes, the component schemas' round trips, revision statuses, the generator's
//! messages for bad documents, and the constructor without a TLS provider.

mod support;

mod generator_errors;
mod operations;
mod revision_status;
mod schemas;
mod tls_provider;
