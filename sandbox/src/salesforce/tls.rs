//! HTTPS for the org, on the same port as plain HTTP.
//!
//! Real orgs only speak HTTPS and third-party clients (simple-salesforce among them) build
//! `https://` URLs from `instance_url` whatever its scheme. So the org's listener looks at
//! the first byte of each connection: a TLS handshake starts with 0x16, and is answered
//! with a certificate for `127.0.0.1`/`localhost` signed by a CA made at start-up (its PEM
//! is [`TlsIdentity::ca_pem`]: give it to the client as its trust anchor). Anything else
//! is served as plain HTTP.

use anyhow::Context;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::server::TlsStream;

/// The first byte of a TLS record carrying a handshake.
const TLS_HANDSHAKE: u8 = 0x16;
/// A connection that neither speaks nor finishes its handshake in this time is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The org's certificate authority and server configuration.
#[derive(Clone)]
pub struct TlsIdentity {
    /// The CA certificate, PEM: what a client must trust.
    pub ca_pem: String,
    acceptor: TlsAcceptor,
}

impl TlsIdentity {
    /// A fresh CA and a server certificate for `127.0.0.1`, `::1` and `localhost`.
    pub fn generate() -> anyhow::Result<Self> {
        use rcgen::{
            BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
            KeyUsagePurpose,
        };
        let mut ca_params = CertificateParams::new(Vec::new()).context("CA parameters")?;
        let mut ca_name = DistinguishedName::new();
        ca_name.push(DnType::OrganizationName, "sfdesk sandbox");
        ca_name.push(DnType::CommonName, "sfdesk sandbox org CA");
        ca_params.distinguished_name = ca_name;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_key = KeyPair::generate().context("a CA key")?;
        let ca_cert = ca_params
            .self_signed(&ca_key)
            .context("the CA certificate")?;
        let issuer = Issuer::new(ca_params, ca_key);

        let mut params = CertificateParams::new(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
        ])
        .context("server certificate parameters")?;
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, "localhost");
        params.distinguished_name = name;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate().context("a server key")?;
        let cert = params
            .signed_by(&key, &issuer)
            .context("the server certificate")?;

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .context("TLS protocol versions")?
            .with_no_client_auth()
            .with_single_cert(
                vec![
                    cert.der().clone(),
                    CertificateDer::from(ca_cert.der().to_vec()),
                ],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .context("the TLS server configuration")?;
        let mut config = config;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsIdentity {
            ca_pem: ca_cert.pem(),
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }
}

/// A connection, plain or TLS.
pub enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// A listener that serves plain HTTP and HTTPS on one port (an `axum::serve` listener).
/// Handshakes run on their own tasks, so a slow client never holds up the others.
pub struct DualListener {
    accepted: mpsc::Receiver<(Stream, SocketAddr)>,
    local: SocketAddr,
    acceptor_task: JoinHandle<()>,
}

impl DualListener {
    pub fn new(listener: TcpListener, identity: &TlsIdentity) -> io::Result<Self> {
        let local = listener.local_addr()?;
        let (sender, accepted) = mpsc::channel(64);
        let acceptor = identity.acceptor.clone();
        let acceptor_task = tokio::spawn(async move {
            loop {
                let (tcp, peer) = match listener.accept().await {
                    Ok(pair) => pair,
                    Err(_) => {
                        // Out of file descriptors or similar: wait rather than spin.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                // Answers go out at once, not held back for the client's delayed ACK.
                let _ = tcp.set_nodelay(true);
                let sender = sender.clone();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let stream = tokio::time::timeout(HANDSHAKE_TIMEOUT, async {
                        let mut first = [0u8; 1];
                        let read = tcp.peek(&mut first).await.ok()?;
                        if read == 1 && first[0] == TLS_HANDSHAKE {
                            let tls = acceptor.accept(tcp).await.ok()?;
                            Some(Stream::Tls(Box::new(tls)))
                        } else {
                            Some(Stream::Plain(tcp))
                        }
                    })
                    .await;
                    if let Ok(Some(stream)) = stream {
                        let _ = sender.send((stream, peer)).await;
                    }
                });
            }
        });
        Ok(DualListener {
            accepted,
            local,
            acceptor_task,
        })
    }
}

impl Drop for DualListener {
    fn drop(&mut self) {
        self.acceptor_task.abort();
    }
}

impl axum::serve::Listener for DualListener {
    type Io = Stream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.accepted.recv().await {
            Some(pair) => pair,
            // The acceptor task ended: nothing will ever connect again.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}
