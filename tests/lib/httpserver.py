#!/usr/bin/env python3
"""Loopback HTTP server for packwright's download tests (standard library only).

Serves the files under --root on 127.0.0.1 (a free port, written to --port-file once it
listens). GET and HEAD, with "Range: bytes=N-" and "bytes=N-M" answered by 206. Every request
is appended to --log as one line: "METHOD PATH RANGE STATUS" (RANGE is "-" when absent), so
tests can count requests and see resumed ones.

A first path component starting with "@" asks for misbehaviour on the rest of the path:
  /@404/f          404, whatever f is
  /@503xN/f        503 for the first N requests of this URL, then f   (also @500xN, @502xN)
  /@truncate/f     always a 200 announcing f's full length, half of f, then a closed connection
                   (Range requests are ignored)
  /@cutonce/f      the first request gets half of f and a closed connection, later ones are
                   served normally (with Range)
  /@stall/f        headers announcing f, then silence until the server stops
  /@loop/f         a redirect to itself, forever
  /@redirect/f     one redirect to /f
  /@norange/f      f, ignoring Range requests
  /@tofile/f       a redirect to file:///etc/hostname (clients must refuse to follow it)
Modes combine with "+": /@cutonce+norange/f cuts the first answer and ignores Range later.
A request for an absolute URI ("GET http://elsewhere/f", as clients send to a proxy) is
served as /f and logged with its full URI, so tests can see that a proxy was used.
With --tls CERT KEY it speaks HTTPS instead. With --parent PID the server exits when that
process is gone, so a killed test leaves no server behind.
"""
import argparse
import http.server
import os
import re
import ssl
import sys
import threading
import time

STALL_SECONDS = 3600


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root, log_path):
        super().__init__(("127.0.0.1", 0), Handler)
        self.root = os.path.realpath(root)
        self.log_path = log_path
        self.lock = threading.Lock()
        self.counts = {}

    def handle_error(self, request, client_address):
        pass  # clients hanging up (stall and cut tests) are expected, not worth a traceback

    def count(self, path):
        with self.lock:
            self.counts[path] = self.counts.get(path, 0) + 1
            return self.counts[path]

    def log_line(self, line):
        if not self.log_path:
            return
        with self.lock, open(self.log_path, "a") as f:
            f.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pw-httpserver"

    def log_message(self, fmt, *args):  # quiet: the request log is --log
        pass

    def record(self, status):
        rng = self.headers.get("Range") or "-"
        self.server.log_line(f"{self.command} {self.path} {rng.replace(' ', '')} {status}")

    def do_HEAD(self):
        self.handle_request(head=True)

    def do_GET(self):
        self.handle_request(head=False)

    def handle_request(self, head):
        path = re.sub(r"^https?://[^/]*", "", self.path).split("?", 1)[0]
        mode, rest = None, path
        m = re.match(r"^/@([^/]+)(/.*)$", path)
        if m:
            mode, rest = m.group(1), m.group(2)
        n = self.server.count(self.path)
        modes = set(mode.split("+")) if mode else set()
        for m in modes:
            fail = re.match(r"^(5\d\d)x(\d+)$", m)
            if fail and n <= int(fail.group(2)):
                return self.send_error_status(int(fail.group(1)))
        if "404" in modes:
            return self.send_error_status(404)
        if "loop" in modes:
            return self.redirect(self.path)
        if "redirect" in modes:
            return self.redirect(rest)
        if "tofile" in modes:
            return self.redirect("file:///etc/hostname")
        data = self.read_file(rest)
        if data is None:
            return self.send_error_status(404)
        cut = "truncate" in modes or ("cutonce" in modes and n == 1)
        ranges = not modes & {"truncate", "norange", "stall"} and not cut
        self.send_file(data, head, ranges, cut, stall="stall" in modes)

    def read_file(self, rest):
        full = os.path.realpath(os.path.join(self.server.root, rest.lstrip("/")))
        if not full.startswith(self.server.root + os.sep) or not os.path.isfile(full):
            return None
        with open(full, "rb") as f:
            return f.read()

    def send_error_status(self, status):
        body = f"status {status}\n".encode()
        self.record(status)
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def redirect(self, location):
        self.record(302)
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def parse_range(self, size):
        m = re.match(r"^bytes=(\d+)-(\d*)$", (self.headers.get("Range") or "").replace(" ", ""))
        if not m:
            return None
        start = int(m.group(1))
        end = int(m.group(2)) if m.group(2) else size - 1
        if start >= size or end < start:
            return "unsatisfiable"
        return start, min(end, size - 1)

    def send_file(self, data, head, ranges, cut, stall):
        rng = self.parse_range(len(data)) if ranges else None
        if rng == "unsatisfiable":
            return self.send_error_status(416)
        status, body = 200, data
        if rng:
            status, body = 206, data[rng[0]:rng[1] + 1]
        self.record(status)
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes" if ranges else "none")
        if rng:
            self.send_header("Content-Range", f"bytes {rng[0]}-{rng[1]}/{len(data)}")
        if cut or stall:
            self.send_header("Connection", "close")
        self.end_headers()
        if head:
            return
        if stall:
            # No body byte at all: libcurl averages speed over a few seconds, so a stall
            # after some bytes would take longer than PACKWRIGHT_FETCH_STALL_SECONDS to notice.
            self.wfile.flush()
            time.sleep(STALL_SECONDS)
            return
        if cut:
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


def watch_parent(pid):
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:
            pass
        time.sleep(0.5)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--parent", type=int)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = ap.parse_args()
    server = Server(args.root, args.log)
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    if args.parent:
        threading.Thread(target=watch_parent, args=(args.parent,), daemon=True).start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{server.server_address[1]}\n")
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
