//! Keeps `wrangler dev` from drowning in its own network instrumentation.
//!
//! Wrangler's inspector proxy (its `InspectorProxyWorker`) turns on the DevTools `Network`
//! domain of the runtime whether or not a debugger is attached, and forwards every event
//! it gets (two or three per outgoing `fetch`) to wrangler's Node process as a debug-log
//! request, each on a connection of its own that Node keeps alive for 5 s. A sync making
//! hundreds of calls a second so holds thousands of loopback sockets (two descriptors
//! each) until workerd reaches its descriptor limit ("Too many open files"), and without
//! a debugger attached the events also pile up in the proxy's memory (workers-sdk issue
//! 14191). `xtask/src/bench/repro/` shows it with a ten-line Worker.
//!
//! The way around it, until wrangler gates `Network.enable` on an attached debugger: be
//! that debugger. [`quiet_network`] connects to wrangler's inspector port as DevTools
//! would, sends `Network.disable` (again every few seconds, as wrangler enables it anew
//! whenever its runtime reconnects), and reads and drops whatever comes back.

use anyhow::{Context, bail};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

/// 16 bytes in base64, as RFC 6455 (section 4.1) asks of a handshake key: the RFC's own
/// example, as the key only proves the server speaks WebSocket.
const WEBSOCKET_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// How often `Network.disable` is sent again.
const RESEND_EVERY: Duration = Duration::from_secs(5);

/// Attaches to the inspector on `port` and keeps the runtime's `Network` domain off until
/// the returned task is aborted or the inspector goes away.
pub async fn quiet_network(port: u16) -> anyhow::Result<JoinHandle<()>> {
    let mut socket = TcpStream::connect(("127.0.0.1", port))
        .await
        .with_context(|| format!("connecting to wrangler's inspector on port {port}"))?;
    // The proxy accepts DevTools from localhost origins only.
    let handshake = format!(
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: {WEBSOCKET_KEY}\r\nSec-WebSocket-Version: 13\r\n\
         Origin: http://localhost\r\n\r\n"
    );
    socket.write_all(handshake.as_bytes()).await?;
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let byte = socket
            .read_u8()
            .await
            .context("wrangler's inspector closed the handshake")?;
        head.push(byte);
    }
    if !head.starts_with(b"HTTP/1.1 101") {
        bail!(
            "wrangler's inspector refused the DevTools connection: {}",
            String::from_utf8_lossy(&head)
        );
    }
    let (mut reader, mut writer) = socket.into_split();
    Ok(tokio::spawn(async move {
        let drain = async {
            let mut sink = [0u8; 16 * 1024];
            while reader.read(&mut sink).await.is_ok_and(|n| n > 0) {}
        };
        let resend = async {
            for id in 1.. {
                let command = format!(r#"{{"id":{id},"method":"Network.disable"}}"#);
                if writer
                    .write_all(&text_frame(command.as_bytes()))
                    .await
                    .is_err()
                {
                    return;
                }
                tokio::time::sleep(RESEND_EVERY).await;
            }
        };
        tokio::select! { () = drain => {}, () = resend => {} }
    }))
}

/// One final, masked text frame (RFC 6455 section 5.2: a client masks what it sends).
fn text_frame(payload: &[u8]) -> Vec<u8> {
    // The mask guards proxies against crafted payloads; on loopback the clock will do.
    let mask = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos())
        .to_le_bytes();
    let mut frame = vec![0x81];
    match payload.len() {
        len @ 0..=125 => frame.push(0x80 | len as u8),
        len @ 126..=0xFFFF => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(len as u16).to_be_bytes());
        }
        len => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().zip(mask.iter().cycle()).map(|(b, m)| b ^ m));
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_masked_and_sized() {
        let frame = text_frame(b"Hi");
        assert_eq!(frame[0], 0x81);
        assert_eq!(frame[1], 0x80 | 2);
        let mask = &frame[2..6];
        assert_eq!(frame[6] ^ mask[0], b'H');
        assert_eq!(frame[7] ^ mask[1], b'i');

        let long = text_frame(&[b'x'; 300]);
        assert_eq!(long[1], 0x80 | 126);
        assert_eq!(u16::from_be_bytes([long[2], long[3]]), 300);
        assert_eq!(long.len(), 4 + 4 + 300);
    }
}
