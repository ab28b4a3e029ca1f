"""Loopback S3 stand-in for tests/tests/stream_rss.rs: PUT bodies are checked byte for byte
against the generated pattern (and their count and running CRC-32 reported) without being kept;
GET answers a generated body of the length asked for in the path (`/bucket/<length>`).

The pattern: byte i of a body is BLOCK[i % PERIOD] with BLOCK[j] = ((j * 31) ^ (j >> 8)) & 0xFF.
Prints the port it listens on, then serves until stdin closes (the test's process ends).
"""
import http.server
import sys
import threading
import zlib

PERIOD = 65521
BLOCK = bytes(((j * 31) ^ (j >> 8)) & 0xFF for j in range(PERIOD))
CHUNK = 256 * 1024
# Any slice [off, off + CHUNK) with off < PERIOD is a plain slice of REPEATED.
REPEATED = BLOCK * (CHUNK // PERIOD + 2)


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
        declared = self.headers.get("Content-Length")
        if declared is None:
            self.fail(411, "MissingContentLength", "a Content-Length is required")
            return
        declared = int(declared)
        received = 0
        crc = 0
        mismatch = None
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        while received < declared:
            n = self.rfile.readinto(view[: min(CHUNK, declared - received)])
            if not n:
                break
            off = received % PERIOD
            # bytes == bytes is a memcmp; comparing memoryviews goes element by element.
            if mismatch is None and bytes(view[:n]) != REPEATED[off : off + n]:
                mismatch = received
            crc = zlib.crc32(view[:n], crc)
            received += n
        if received != declared:
            self.close_connection = True
            return
        if mismatch is not None:
            self.fail(400, "BadDigest", f"body differs from the pattern in the chunk at {mismatch}")
            return
        self.send_response(200)
        self.send_header("ETag", f'"{crc:08x}"')
        self.send_header("x-amz-meta-received", str(received))
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
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_address[1], flush=True)
sys.stdin.read()
