//! Building a `reqwest::Client` that works with this crate's TLS features.
//!
//! The default `rustls` feature uses rustls on the *ring* provider (no C build). reqwest is
//! compiled without a built-in provider, so one must be installed before a client is built;
//! [`http_client_builder`] and every [`Transport`](crate::transport::Transport) constructor do
//! that (so the generated `Client::new` works too). `native-tls` selects the platform's TLS.

/// A `reqwest::ClientBuilder` with this crate's TLS backend selected, ready to `build()`.
pub fn http_client_builder() -> reqwest::ClientBuilder {
    ensure_tls_ready();
    let builder = reqwest::Client::builder();
    #[cfg(feature = "native-tls")]
    let builder = builder.tls_backend_native();
    #[cfg(all(feature = "rustls", not(feature = "native-tls")))]
    let builder = builder.tls_backend_rustls();
    builder
}

/// Installs rustls' ring provider as the process default unless a provider is installed already.
///
/// Needed only by programs that build their own `reqwest::Client` on rustls without a provider.
/// Idempotent and safe to call from several threads.
#[cfg(feature = "rustls")]
#[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
pub fn ensure_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // rustls 0.23.48 deprecates its ring provider for lacking post-quantum key exchange,
        // and offers no other way to build one; ring is this feature's choice (no C build).
        #[allow(deprecated)]
        let provider = rustls::crypto::ring::default_provider();
        // Losing a race to another installer is fine: some provider is installed either way.
        let _ = provider.install_default();
    }
}

/// Makes this crate's TLS feature usable by a `reqwest::Client` built next (installs the ring
/// provider under `rustls`; nothing under `native-tls`).
pub fn ensure_tls_ready() {
    #[cfg(feature = "rustls")]
    ensure_crypto_provider();
}
