//! The API's handlers, one module per family of operations, and the router that binds them to
//! their paths from the table in [`crate::operations`]. The upload origin, the stand-in for the
//! object storage that upload URLs point at, has its own router here too.

use axum::Router;
use axum::routing::{MethodFilter, on};

use crate::operations::operation_table;
use crate::state::App;

pub(crate) mod agent_connections;
pub(crate) mod artifacts;
pub(crate) mod auth;
pub(crate) mod deployments;
pub(crate) mod integrations;
pub(crate) mod listeners;
pub(crate) mod revisions;
pub(crate) mod upload_origin;

macro_rules! routes {
    ($($id:ident: $method:ident $path:literal => $handler:path;)*) => {
        /// The API's routes, relative to the path prefix.
        pub(crate) fn router() -> Router<App> {
            Router::new()$(.route($path, on(MethodFilter::$method, $handler)))*
        }
    };
}
operation_table!(routes);
