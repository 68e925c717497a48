//! The tests of deployments as code, one module per behaviour, against the mock Control Plane.

mod applying;
mod converging;
mod deployment_file;
mod planning;
mod support;
mod uploaded_source;
