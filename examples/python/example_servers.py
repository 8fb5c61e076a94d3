# example_servers.py: the local servers the Python examples talk to.
#
# Copyright 2026 The libdial developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Not part of the examples' lesson. Each server runs in threads of its own
# on 127.0.0.1, written with Python's standard library alone (socketserver,
# ssl), so that an example can use the blocking API of Dial.SocketClient
# on its main thread. Use each one as a context manager:
#
#     with example_servers.EchoServer() as server:
#         ... connect to 127.0.0.1:server.port ...

import socket
import socketserver
import ssl
import threading


def say(text):
    print(text, flush=True)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    name = 'server'

    def __init__(self, handler):
        super().__init__(('127.0.0.1', 0), handler)
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def __exit__(self, *exc_info):
        self.shutdown()
        self.server_close()


class _EchoHandler(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line)


class EchoServer(Server):
    """Answers every line with the same line."""

    def __init__(self):
        super().__init__(_EchoHandler)


class _TlsEchoHandler(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            tls = self.server.context.wrap_socket(self.request,
                                                  server_side=True)
        except (ssl.SSLError, OSError) as error:
            say(f'TLS server: handshake failed: {error}')
            return
        with tls:
            say('TLS server: handshake done, ALPN protocol '
                f'{tls.selected_alpn_protocol()}')
            with tls.makefile('rwb', buffering=0) as stream:
                for line in stream:
                    stream.write(line)


class TlsEchoServer(Server):
    """The echo server behind TLS, with the certificate and key in the
    given PEM files and, for ALPN, the given protocols."""

    def __init__(self, cert_file, key_file, protocols):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert_file, key_file)
        self.context.set_alpn_protocols(protocols)
        super().__init__(_TlsEchoHandler)


def _recv_exactly(sock, size):
    data = b''
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError('the client hung up')
        data += chunk
    return data


def _copy(source, destination):
    """Copies until the end of source, then ends destination's writing."""
    try:
        while chunk := source.recv(4096):
            destination.sendall(chunk)
        destination.shutdown(socket.SHUT_WR)
    except OSError:
        pass


class _Socks5Handler(socketserver.BaseRequestHandler):
    # "Succeeded" and "connection refused", with 0.0.0.0:0 as the bound
    # address (RFC 1928).
    SUCCEEDED = b'\x05\x00\x00\x01' + bytes(6)
    REFUSED = b'\x05\x05\x00\x01' + bytes(6)

    def handle(self):
        client = self.request
        # VER NMETHODS METHODS: answer "no authentication".
        _, n_methods = _recv_exactly(client, 2)
        _recv_exactly(client, n_methods)
        client.sendall(b'\x05\x00')

        # VER CMD RSV ATYP DST.ADDR DST.PORT
        version, command, _, address_type = _recv_exactly(client, 4)
        if version != 5 or command != 1:
            return
        if address_type == 1:
            host = socket.inet_ntop(socket.AF_INET, _recv_exactly(client, 4))
        elif address_type == 4:
            host = socket.inet_ntop(socket.AF_INET6, _recv_exactly(client, 16))
        elif address_type == 3:
            length = _recv_exactly(client, 1)[0]
            host = _recv_exactly(client, length).decode()
        else:
            return
        port = int.from_bytes(_recv_exactly(client, 2), 'big')
        say(f'SOCKS5 proxy: CONNECT {host}:{port}')

        # The proxy resolves the name, not the client. The example's
        # servers listen on 127.0.0.1, and a machine without /etc/hosts (a
        # minimal container) cannot resolve "localhost": say it directly.
        if host == 'localhost':
            host = '127.0.0.1'
        try:
            upstream = socket.create_connection((host, port))
        except OSError:
            client.sendall(self.REFUSED)
            return
        with upstream:
            client.sendall(self.SUCCEEDED)
            back = threading.Thread(target=_copy, args=(upstream, client))
            back.start()
            _copy(client, upstream)
            back.join()


class Socks5Proxy(Server):
    """A SOCKS5 proxy without authentication: it connects to the
    destination it is asked for and relays."""

    def __init__(self):
        super().__init__(_Socks5Handler)


class _HttpHandler(socketserver.StreamRequestHandler):
    def handle(self):
        request_line = self.rfile.readline().decode().rstrip('\r\n')
        say(f'{self.server.name}: {request_line}')
        # Skip the header fields, up to the empty line.
        while self.rfile.readline() not in (b'\r\n', b'\n', b''):
            pass
        body = (f'Hello from the {self.server.name}. '
                f'You sent: {request_line}\n').encode()
        self.wfile.write(b'HTTP/1.1 200 OK\r\n'
                         b'Content-Type: text/plain\r\n'
                         b'Content-Length: %d\r\n'
                         b'Connection: close\r\n'
                         b'\r\n' % len(body) + body)


class HttpServer(Server):
    """Reads an HTTP request head and answers 200 with a text that quotes
    the request line, whatever was asked: a toy origin server, and a toy
    forward proxy (a real one would pass the request on)."""

    def __init__(self, name='HTTP server'):
        self.name = name
        super().__init__(_HttpHandler)
