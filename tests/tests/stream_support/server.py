"""Loopback S3 stand-in for tests/tests/stream_rss.rs: PUT bodies are checked byte for byte
against the generated pattern (and their count and running CRC-32 reported) without being kept;
GET answers a generated body of the length asked for in the path (`/bucket/<length>`).

A PUT body comes with a Content-Length, or (an upload with a checksum trailer, over HTTPS)
`aws-chunked` inside HTTP chunked transfer coding: both are decoded, and a trailing
`x-amz-checksum-crc32` must match the bytes. With `CERT KEY` arguments it serves HTTPS.

The pattern: byte i of a body is BLOCK[i % PERIOD] with BLOCK[j] = ((j * 31) ^ (j >> 8)) & 0xFF.
Prints the port it listens on, then serves until stdin closes (the test's process ends).
"""
import base64
import http.server
import io
import ssl
import sys
import threading
import zlib

PERIOD = 65521
BLOCK = bytes(((j * 31) ^ (j >> 8)) & 0xFF for j in range(PERIOD))
CHUNK = 256 * 1024
# Any slice [off, off + CHUNK) with off < PERIOD is a plain slice of REPEATED.
REPEATED = BLOCK * (CHUNK // PERIOD + 2)


class HttpChunked(io.RawIOBase):
    """The payload of an HTTP/1.1 chunked transfer coding, read from `rfile`."""

    def __init__(self, rfile):
        self.rfile = rfile
        self.left = 0
        self.done = False

    def readable(self):
        return True

    def readinto(self, view):
        if self.done:
            return 0
        if self.left == 0:
            size = int(self.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                self.done = True
                return 0
            self.left = size
        n = self.rfile.readinto(memoryview(view)[: min(len(view), self.left)])
        if not n:
            raise ConnectionError("chunked body cut off")
        self.left -= n
        if self.left == 0:
            self.rfile.readline()
        return n


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def fail(self, status, code, message):
        body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        chunked = self.headers.get("Transfer-Encoding", "").lower() == "chunked"
        aws_chunked = "aws-chunked" in self.headers.get("Content-Encoding", "")
        declared = self.headers.get("Content-Length")
        if aws_chunked:
            declared = self.headers.get("x-amz-decoded-content-length")
        if declared is None:
            self.fail(411, "MissingContentLength", "a length is required")
            return
        declared = int(declared)
        source = io.BufferedReader(HttpChunked(self.rfile), CHUNK) if chunked else self.rfile
        state = {"received": 0, "crc": 0, "mismatch": None}
        buf = bytearray(CHUNK)
        view = memoryview(buf)

        def take(count):
            """Read and check `count` payload bytes; False when the body ends early."""
            while count:
                n = source.readinto(view[: min(CHUNK, count)])
                if not n:
                    return False
                received = state["received"]
                off = received % PERIOD
                # bytes == bytes is a memcmp; comparing memoryviews goes element by element.
                if state["mismatch"] is None and bytes(view[:n]) != REPEATED[off : off + n]:
                    state["mismatch"] = received
                state["crc"] = zlib.crc32(view[:n], state["crc"])
                state["received"] = received + n
                count -= n
            return True

        trailers = {}
        if aws_chunked:
            while True:
                size = int(source.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while True:
                        line = source.readline().strip()
                        if not line:
                            break
                        name, _, value = line.decode().partition(":")
                        trailers[name.strip().lower()] = value.strip()
                    break
                if not take(size):
                    self.close_connection = True
                    return
                source.readline()
        elif not take(declared):
            self.close_connection = True
            return
        received, crc = state["received"], state["crc"]
        if received != declared:
            self.fail(400, "IncompleteBody", f"{received} bytes, {declared} declared")
            return
        if state["mismatch"] is not None:
            self.fail(400, "BadDigest", f"body differs from the pattern in the chunk at {state['mismatch']}")
            return
        sent_crc = trailers.get("x-amz-checksum-crc32") or self.headers.get("x-amz-checksum-crc32")
        if sent_crc is not None and sent_crc != base64.b64encode(crc.to_bytes(4, "big")).decode():
            self.fail(400, "BadDigest", "x-amz-checksum-crc32 does not match the body")
            return
        self.send_response(200)
        self.send_header("ETag", f'"{crc:08x}"')
        self.send_header("x-amz-meta-received", str(received))
        self.send_header("x-amz-meta-framing", "aws-chunked" if aws_chunked else "plain")
        self.send_header("x-amz-meta-crc-checked", "yes" if sent_crc is not None else "no")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        try:
            length = int(self.path.rsplit("/", 1)[-1].split("?")[0])
        except ValueError:
            self.fail(404, "NoSuchKey", "key must be a length")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.send_header("ETag", '"generated"')
        self.end_headers()
        sent = 0
        source = memoryview(REPEATED)
        while sent < length:
            n = min(CHUNK, length - sent)
            off = sent % PERIOD
            self.wfile.write(source[off : off + n])
            sent += n


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
if len(sys.argv) == 3:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    server.socket = context.wrap_socket(server.socket, server_side=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_address[1], flush=True)
sys.stdin.read()
