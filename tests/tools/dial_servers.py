# dial_servers.py: the local servers the dial command's tests talk to.
#
# Copyright 2026 The libdial developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Everything listens on 127.0.0.1 or ::1, on a port the kernel picks, and
# runs in daemon threads of the test process: an echo server (plain or
# TLS), a greeter that speaks first and hangs up, a refusing port, a black
# hole (a listener whose accept queue is full, so SYNs go unanswered) and
# a SOCKS5 proxy. Certificates come from certtool (gnutls-bin).

import os
import select
import socket
import ssl
import struct
import subprocess
import threading


def _family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


class Server:
    """A listener and a thread that accepts; subclasses serve each client."""

    def __init__(self, host="127.0.0.1", port=0):
        self.listener = socket.socket(_family_of(host), socket.SOCK_STREAM)
        if _family_of(host) == socket.AF_INET6:
            self.listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        self.listener.bind((host, port))
        self.listener.listen(16)
        self.host = host
        self.port = self.listener.getsockname()[1]
        self.peers = []
        self.errors = []
        self._closed = False
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def _accept_loop(self):
        while True:
            try:
                client, peer = self.listener.accept()
            except OSError:
                return
            self.peers.append(peer)
            threading.Thread(target=self._serve_safely, args=(client,), daemon=True).start()

    def _serve_safely(self, client):
        try:
            self.serve(client)
        except (OSError, ssl.SSLError) as error:
            self.errors.append(error)
        finally:
            client.close()

    def serve(self, client):
        raise NotImplementedError

    def close(self):
        if not self._closed:
            self._closed = True
            try:
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()


class EchoServer(Server):
    """Sends back what it receives; closes its side after the client's."""

    def serve(self, client):
        while True:
            data = client.recv(65536)
            if not data:
                break
            client.sendall(data)
        client.shutdown(socket.SHUT_WR)


class GreetingServer(Server):
    """Says its line and closes at once, whatever the client does."""

    greeting = b"hello from the greeting server\n"

    def serve(self, client):
        client.sendall(self.greeting)
        client.shutdown(socket.SHUT_WR)


class TlsEchoServer(Server):
    """An echo server over TLS, offering ALPN h2 and http/1.1."""

    def __init__(self, certificates, host="127.0.0.1"):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(certificates.server_cert, certificates.server_key)
        self.context.set_alpn_protocols(["h2", "http/1.1"])
        super().__init__(host)

    def serve(self, client):
        client.settimeout(30)
        tls = self.context.wrap_socket(client, server_side=True)
        while True:
            data = tls.recv(65536)
            if not data:
                break
            tls.sendall(data)
        tls.unwrap()


class RefusingPort:
    """A bound socket that does not listen: connects to it are refused."""

    def __init__(self, host="127.0.0.1"):
        self.socket = socket.socket(_family_of(host), socket.SOCK_STREAM)
        self.socket.bind((host, 0))
        self.host = host
        self.port = self.socket.getsockname()[1]

    def close(self):
        self.socket.close()


class BlackHole:
    """A listener whose accept queue is over its backlog: the kernel drops
    every further SYN, so a connect neither succeeds nor fails."""

    def __init__(self, host="127.0.0.1", port=0):
        family = _family_of(host)
        self.listener = socket.socket(family, socket.SOCK_STREAM)
        if family == socket.AF_INET6:
            self.listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        self.listener.bind((host, port))
        self.listener.listen(0)
        self.host = host
        self.port = self.listener.getsockname()[1]
        self.fillers = []
        for _ in range(16):
            if self._queue_full():
                break
            filler = socket.socket(family, socket.SOCK_STREAM)
            filler.setblocking(False)
            try:
                filler.connect((host, self.port))
            except BlockingIOError:
                pass
            self.fillers.append(filler)
            # A loopback handshake takes microseconds; the bound only keeps
            # a broken machine from hanging here.
            _, writable, _ = select.select([], [filler], [], 5)
            if not writable:
                break
        if not self._queue_full():
            raise RuntimeError("could not fill the accept queue of the black hole")

    def _queue_full(self):
        # Linux's TCP_INFO on a listener: tcpi_unacked is the accept queue's
        # length and tcpi_sacked its backlog (struct tcp_info, offset 24).
        info = self.listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
        unacked, sacked = struct.unpack_from("II", info, 24)
        return unacked > sacked

    def close(self):
        for filler in self.fillers:
            filler.close()
        self.listener.close()


class Socks5Server(Server):
    """A SOCKS5 proxy without authentication: CONNECT to IPv4, IPv6 or a
    name, then relays both ways. `reply` other than 0 refuses every
    request with that code. Remembers the destinations it was asked for."""

    def __init__(self, reply=0, host="127.0.0.1"):
        self.reply = reply
        self.requests = []
        super().__init__(host)

    @staticmethod
    def _read(client, n):
        data = b""
        while len(data) < n:
            chunk = client.recv(n - len(data))
            if not chunk:
                raise ConnectionError("SOCKS client went away")
            data += chunk
        return data

    def serve(self, client):
        version, n_methods = self._read(client, 2)
        methods = self._read(client, n_methods)
        if version != 5 or 0 not in methods:
            client.sendall(b"\x05\xff")
            return
        client.sendall(b"\x05\x00")

        version, command, _, kind = self._read(client, 4)
        if kind == 1:
            host = socket.inet_ntop(socket.AF_INET, self._read(client, 4))
        elif kind == 4:
            host = socket.inet_ntop(socket.AF_INET6, self._read(client, 16))
        elif kind == 3:
            host = self._read(client, self._read(client, 1)[0]).decode()
        else:
            client.sendall(b"\x05\x08\x00\x01" + bytes(6))
            return
        port = struct.unpack("!H", self._read(client, 2))[0]
        self.requests.append({"kind": {1: "ipv4", 3: "name", 4: "ipv6"}[kind],
                              "host": host, "port": port})

        if command != 1 or self.reply != 0:
            client.sendall(bytes([5, self.reply or 7, 0, 1]) + bytes(6))
            return

        # The test's servers listen on 127.0.0.1; a machine without
        # /etc/hosts (a minimal container) cannot resolve "localhost".
        if host == "localhost":
            host = "127.0.0.1"
        try:
            upstream = socket.create_connection((host, port), timeout=10)
        except OSError:
            client.sendall(b"\x05\x05\x00\x01" + bytes(6))
            return
        upstream.settimeout(None)
        client.sendall(b"\x05\x00\x00\x01" + bytes(6))
        self._relay(client, upstream)

    @staticmethod
    def _relay(client, upstream):
        def pump(source, sink):
            try:
                while True:
                    data = source.recv(65536)
                    if not data:
                        break
                    sink.sendall(data)
                sink.shutdown(socket.SHUT_WR)
            except OSError:
                pass

        back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
        back.start()
        pump(client, upstream)
        back.join(60)
        upstream.close()


class Certificates:
    """A CA and a server certificate for localhost, 127.0.0.1 and ::1,
    made by certtool in @directory."""

    def __init__(self, directory):
        self.directory = directory
        self.ca_cert = os.path.join(directory, "ca.crt")
        self.server_cert = os.path.join(directory, "server.crt")
        self.server_key = os.path.join(directory, "server.key")
        ca_key = os.path.join(directory, "ca.key")
        ca_template = os.path.join(directory, "ca.tmpl")
        server_template = os.path.join(directory, "server.tmpl")

        with open(ca_template, "w") as f:
            f.write('cn = "dial test CA"\nca\ncert_signing_key\nexpiration_days = 2\n')
        with open(server_template, "w") as f:
            f.write('cn = "localhost"\ndns_name = "localhost"\n'
                    'ip_address = "127.0.0.1"\nip_address = "::1"\n'
                    'tls_www_server\nencryption_key\nsigning_key\nexpiration_days = 2\n')

        def certtool(*args):
            subprocess.run(["certtool", *args], check=True, timeout=60,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        certtool("--generate-privkey", "--key-type=ecdsa", "--outfile", ca_key)
        certtool("--generate-self-signed", "--load-privkey", ca_key,
                 "--template", ca_template, "--outfile", self.ca_cert)
        certtool("--generate-privkey", "--key-type=ecdsa", "--outfile", self.server_key)
        certtool("--generate-certificate", "--load-privkey", self.server_key,
                 "--load-ca-certificate", self.ca_cert, "--load-ca-privkey", ca_key,
                 "--template", server_template, "--outfile", self.server_cert)


def have_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


def dual_stack_black_hole_pair():
    """An echo server on 127.0.0.1 and a black hole on ::1, on the same
    port: "localhost" then makes libdial try IPv6 first, wait the attempt
    delay, and win with IPv4."""
    for _ in range(20):
        echo = EchoServer("127.0.0.1")
        try:
            hole = BlackHole("::1", echo.port)
            return echo, hole
        except OSError:
            echo.close()
    raise RuntimeError("no port free on both 127.0.0.1 and ::1")
