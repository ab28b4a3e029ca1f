//! The socket options every transport sets on each TCP connection it opens, as its
//! [`HttpConfig`](sansboto_core::HttpConfig) asks: `TCP_NODELAY` always (requests are written whole; waiting for Nagle only adds
//! latency, and botocore sets it too), `SO_KEEPALIVE` when `tcp_keepalive` asks for it (botocore's
//! `tcp_keepalive` / `BOTOCORE_TCP_KEEPALIVE`, with the operating system's probe timing, as
//! botocore leaves it). One place, so the tokio, async-std and blocking transports cannot differ.

/// Set the options on a freshly connected socket (`tcp_keepalive`: the config's).
#[cfg(unix)]
pub fn configure(socket: &impl std::os::fd::AsFd, tcp_keepalive: bool) -> std::io::Result<()> {
    apply(socket2::SockRef::from(socket), tcp_keepalive)
}

/// Set the options on a freshly connected socket (`tcp_keepalive`: the config's).
#[cfg(windows)]
pub fn configure(
    socket: &impl std::os::windows::io::AsSocket,
    tcp_keepalive: bool,
) -> std::io::Result<()> {
    apply(socket2::SockRef::from(socket), tcp_keepalive)
}

fn apply(socket: socket2::SockRef<'_>, tcp_keepalive: bool) -> std::io::Result<()> {
    socket.set_tcp_nodelay(true)?;
    if tcp_keepalive {
        socket.set_keepalive(true)?;
    }
    Ok(())
}
