//! A loopback upload target for `scripts/bench/deploy_job.sh`: accepts a PUT on any path, reads
//! the body and throws it away.
//!
//! ```text
//! cargo run --release -p langsmith-control-plane --example bench_sink -- PORT
//! ```
//!
//! One thread (a current-thread runtime), so on a 2-core machine the uploading client has the
//! other core. Answers 200 with the number of bytes received, or 400 when they differ from the
//! declared `Content-Length`, so a client that sent too little fails rather than looks fast.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use futures::StreamExt;

async fn discard(headers: HeaderMap, body: Body) -> (StatusCode, String) {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut received = 0u64;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(bytes) => received += bytes.len() as u64,
            Err(e) => return (StatusCode::BAD_REQUEST, format!("body: {e}\n")),
        }
    }
    match declared {
        Some(length) if length != received => (
            StatusCode::BAD_REQUEST,
            format!("declared {length} bytes, received {received}\n"),
        ),
        _ => (StatusCode::OK, format!("{received}\n")),
    }
}

fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .map_or(18490, |p| p.parse().expect("a port"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind the port");
        let app = Router::new().fallback(axum::routing::put(discard));
        eprintln!("sink listening on 127.0.0.1:{port}");
        axum::serve(listener, app).await.expect("serve");
    });
}
