//! The HTTPS client for the WhatsApp providers' APIs (sending, downloading
//! files). It trusts the root certificates compiled into the binary (Mozilla's
//! set, from `webpki-root-certs`) rather than the system's: loading the
//! system store reads and parses every file under `/etc/ssl/certs`, which the
//! AWS SDK's client already does once at cold start; doing it again for each
//! of these clients made up most of the start-up time beyond the SDK's
//! (docs/performance.md). The roots move with the crate's version.

use std::time::Duration;

/// A client that gives up connecting after `connect` and on the whole
/// exchange after `total`.
pub(crate) fn https_client(connect: Duration, total: Duration) -> reqwest::Client {
    let roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .filter_map(|der| reqwest::Certificate::from_der(der).ok());
    reqwest::Client::builder()
        .tls_certs_only(roots)
        .connect_timeout(connect)
        .timeout(total)
        .build()
        .expect("a client with built-in roots and timeouts builds")
}
