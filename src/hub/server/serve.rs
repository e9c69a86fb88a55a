//! Serving the API: TLS with client certificates on every connection (there is no plaintext
//! listener), HTTP/1.1 by hyper, and the connection-level defences: a cap on connections, a
//! TLS handshake timeout, a header-read timeout that also closes idle kept-alive connections,
//! and a graceful shutdown that stops accepting and lets requests in flight finish.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use super::caller::ClientCertificate;

/// Connection limits and timeouts of [`serve`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServeOptions {
    /// Connections open at once. Default 4 096; a connection over the cap is closed at once,
    /// so a flood of idle connections cannot fill the listen backlog either.
    pub max_connections: usize,
    /// Time for a TLS handshake. Default 10 s: a connection that sends nothing is closed.
    pub handshake_timeout: Duration,
    /// Time to receive a request's headers, counted from when the connection is ready for a
    /// request: a client sending headers a byte a second is cut off, and a kept-alive
    /// connection idle this long is closed. Default 15 s.
    pub header_timeout: Duration,
    /// How long a shutdown waits for requests in flight. Default 30 s.
    pub shutdown_grace: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            max_connections: 4096,
            handshake_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(15),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Serves `app` (usually [`HubService::api`](super::HubService::api)) on `listener` over TLS
/// configured by `tls` (see [`server_tls_config`](crate::server_tls_config): client
/// certificates required), until `shutdown` completes. Then it stops accepting, lets the
/// requests in flight finish (up to [`ServeOptions::shutdown_grace`]) and returns.
///
/// Each request carries the client's certificate chain as a [`ClientCertificate`]
/// extension.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    app: axum::Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let acceptor = TlsAcceptor::from(tls);
    let slots = Arc::new(Semaphore::new(options.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, say: back off a little instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
            tracing::warn!(%peer, max = options.max_connections, "connection refused: too many open");
            drop(tcp);
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let app = app.clone();
        let watcher = graceful.watcher();
        let options = options.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let stream =
                match tokio::time::timeout(options.handshake_timeout, acceptor.accept(tcp)).await {
                    Ok(Ok(s)) => s,
                    Ok(Err(e)) => {
                        tracing::info!(%peer, error = %e, "TLS handshake failed");
                        return;
                    }
                    Err(_) => {
                        tracing::info!(%peer, "TLS handshake timed out");
                        return;
                    }
                };
            let chain: Vec<_> = stream
                .get_ref()
                .1
                .peer_certificates()
                .map(|c| c.iter().map(|c| c.clone().into_owned()).collect())
                .unwrap_or_default();
            let certificate = ClientCertificate(Arc::from(chain));
            let service = app.map_request(move |mut request: http::Request<Incoming>| {
                request.extensions_mut().insert(certificate.clone());
                request
            });
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(options.header_timeout)
                .keep_alive(true);
            let connection =
                http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            if let Err(e) = watcher.watch(connection).await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(options.shutdown_grace) => {
            tracing::warn!("shutdown grace period over; closing the remaining connections");
        }
    }
    Ok(())
}
