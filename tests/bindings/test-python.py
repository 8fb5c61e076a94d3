#!/usr/bin/python3
# test-python.py: Dial.SocketClient driven through PyGObject.
#
# Copyright 2026 The libdial developers
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Every method, property and the signal of Dial.SocketClient, used from
# Python against servers this script starts on 127.0.0.1 (port 0). Nothing
# here talks to DNS: connect_to_service goes through a mock GResolver.
#
# With DIAL_BINDINGS_REFERENCE=gio the same assertions run against
# Gio.SocketClient, which shows that they describe GIO's behaviour.

import os
import selectors
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import unittest
import warnings

import gi

gi.require_version('GLib', '2.0')
gi.require_version('GObject', '2.0')
gi.require_version('Gio', '2.0')
from gi.repository import GLib, GObject, Gio  # noqa: E402

REFERENCE = os.environ.get('DIAL_BINDINGS_REFERENCE') == 'gio'
if REFERENCE:
    Client = Gio.SocketClient
    CLIENT_TYPE_NAME = 'GSocketClient'
else:
    gi.require_version('Dial', '1.0')
    from gi.repository import Dial  # noqa: E402
    Client = Dial.SocketClient
    CLIENT_TYPE_NAME = 'DialSocketClient'

Event = Gio.SocketClientEvent
DIRECT = [Event.RESOLVING, Event.RESOLVED, Event.CONNECTING,
          Event.CONNECTED, Event.COMPLETE]
PROXIED = [Event.RESOLVING, Event.RESOLVED, Event.CONNECTING,
           Event.CONNECTED, Event.PROXY_NEGOTIATING,
           Event.PROXY_NEGOTIATED, Event.COMPLETE]
TLS = [Event.RESOLVING, Event.RESOLVED, Event.CONNECTING, Event.CONNECTED,
       Event.TLS_HANDSHAKING, Event.TLS_HANDSHAKED, Event.COMPLETE]
TLS_FAILED = [Event.RESOLVING, Event.RESOLVED, Event.CONNECTING,
              Event.CONNECTED, Event.TLS_HANDSHAKING, Event.COMPLETE]

# A bound on "it did not hang", far above anything a loopback test needs.
HANG_GUARD_SECONDS = 60

# g_hostname_to_ascii() rejects it (a 100-letter non-ASCII label), so the
# SRV lookup fails with "Invalid domain" without sending a DNS query.
INVALID_DOMAIN = '\u00e4' * 100 + '.test'


class Server:
    """A TCP server on 127.0.0.1, port 0, run by a thread.

    mode 'echo' sends back what it reads until EOF; mode 'close' reads
    once (a TLS ClientHello, say) and closes."""

    def __init__(self, mode='echo'):
        self.mode = mode
        self.peers = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(('127.0.0.1', 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        sel = selectors.DefaultSelector()
        sel.register(self._listener, selectors.EVENT_READ)
        sel.register(self._wake_r, selectors.EVENT_READ)
        while True:
            for key, _ in sel.select():
                if key.fileobj is self._wake_r:
                    sel.close()
                    return
                conn, peer = self._listener.accept()
                self.peers.append(peer)
                threading.Thread(target=self._serve, args=(conn,),
                                 daemon=True).start()

    def _serve(self, conn):
        with conn:
            try:
                while True:
                    data = conn.recv(4096)
                    if not data or self.mode == 'close':
                        return
                    conn.sendall(data)
            except OSError:
                return

    def stop(self):
        self._wake_w.send(b'x')
        self._thread.join()
        for s in (self._listener, self._wake_r, self._wake_w):
            s.close()


def recv_exactly(conn, n):
    """Reads n bytes from a socket; EOFError if the peer stops first."""
    data = b''
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError('peer closed after %d of %d bytes' % (len(data), n))
        data += chunk
    return data


def pump(src, dst):
    """Copies src to dst until EOF, then shuts dst down for writing."""
    try:
        while True:
            data = src.recv(4096)
            if not data:
                break
            dst.sendall(data)
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


class Socks5Server(Server):
    """A SOCKS5 server (RFC 1928, no authentication, CONNECT only) on
    127.0.0.1, port 0. Whatever destination a client asks for, it relays
    to 127.0.0.1:target_port. requests records (command, address type,
    host, port) for each request it reads."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.requests = []
        super().__init__('socks5')

    @staticmethod
    def _reply(code):
        # VER REP RSV ATYP=IPv4 BND.ADDR=0.0.0.0 BND.PORT=0
        return bytes([5, code, 0, 1, 0, 0, 0, 0, 0, 0])

    def _serve(self, conn):
        with conn:
            try:
                self._negotiate_and_relay(conn)
            except (OSError, EOFError):
                return

    def _negotiate_and_relay(self, conn):
        version, n_methods = recv_exactly(conn, 2)
        methods = recv_exactly(conn, n_methods)
        if version != 5 or 0 not in methods:
            conn.sendall(b'\x05\xff')
            return
        conn.sendall(b'\x05\x00')

        version, command, _, atyp = recv_exactly(conn, 4)
        if atyp == 1:
            host = socket.inet_ntop(socket.AF_INET, recv_exactly(conn, 4))
        elif atyp == 3:
            host = recv_exactly(conn, recv_exactly(conn, 1)[0]).decode()
        elif atyp == 4:
            host = socket.inet_ntop(socket.AF_INET6, recv_exactly(conn, 16))
        else:
            conn.sendall(self._reply(8))  # address type not supported
            return
        port, = struct.unpack('!H', recv_exactly(conn, 2))
        self.requests.append((command, atyp, host, port))
        if version != 5 or command != 1:
            conn.sendall(self._reply(7))  # command not supported
            return

        try:
            upstream = socket.create_connection(('127.0.0.1',
                                                 self.target_port))
        except OSError:
            conn.sendall(self._reply(5))  # connection refused
            return
        with upstream:
            conn.sendall(self._reply(0))
            back = threading.Thread(target=pump, args=(upstream, conn),
                                    daemon=True)
            back.start()
            pump(conn, upstream)
            back.join()


class TlsServer(Server):
    """An echo server behind TLS, with the certificate of cert_file and
    the key of key_file. It uses Python's ssl module (OpenSSL), not GIO,
    so the client's TLS is checked against another implementation.
    handshakes records 'ok' or the error of each server handshake."""

    def __init__(self, cert_file, key_file):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert_file, key_file)
        self.handshakes = []
        super().__init__('echo')

    def _serve(self, conn):
        try:
            tls = self.context.wrap_socket(conn, server_side=True)
        except OSError as e:  # ssl.SSLError included
            self.handshakes.append(str(e))
            conn.close()
            return
        self.handshakes.append('ok')
        super()._serve(tls)


# A self-signed server certificate for localhost and 127.0.0.1. GIO cannot
# make one: certtool (gnutls-bin, which scripts/install-deps.sh installs)
# does, or else openssl.
CERTTOOL_TEMPLATE = '''\
cn = "libdial test"
dns_name = "localhost"
ip_address = "127.0.0.1"
expiration_days = 2
tls_www_server
signing_key
'''

OPENSSL_CONFIG = '''\
[req]
distinguished_name = dn
x509_extensions = ext
prompt = no
[dn]
CN = libdial test
[ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
'''

_certificate_dir = None


def make_self_signed_certificate():
    """Returns (cert_file, key_file), made once per run in a temporary
    directory; None when neither certtool nor openssl is installed.
    Raises subprocess.CalledProcessError when the tool fails."""
    global _certificate_dir
    if _certificate_dir is None:
        certtool = shutil.which('certtool')
        openssl = shutil.which('openssl')
        if certtool is None and openssl is None:
            return None
        directory = tempfile.TemporaryDirectory(prefix='dial-python-')
        cert_file = os.path.join(directory.name, 'cert.pem')
        key_file = os.path.join(directory.name, 'key.pem')
        config = os.path.join(directory.name, 'config')
        if certtool is not None:
            with open(config, 'w') as f:
                f.write(CERTTOOL_TEMPLATE)
            commands = [
                [certtool, '--generate-privkey', '--key-type=ecdsa',
                 '--no-text', '--outfile', key_file],
                [certtool, '--generate-self-signed', '--load-privkey',
                 key_file, '--template', config, '--no-text',
                 '--outfile', cert_file],
            ]
        else:
            with open(config, 'w') as f:
                f.write(OPENSSL_CONFIG)
            commands = [
                [openssl, 'req', '-x509', '-config', config, '-newkey', 'ec',
                 '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
                 '-days', '2', '-keyout', key_file, '-out', cert_file],
            ]
        for command in commands:
            subprocess.run(command, check=True, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _certificate_dir = directory
    return (os.path.join(_certificate_dir.name, 'cert.pem'),
            os.path.join(_certificate_dir.name, 'key.pem'))


def tearDownModule():
    if _certificate_dir is not None:
        _certificate_dir.cleanup()


class MockResolver(Gio.Resolver):
    """Answers SRV lookups (async only: the sync vfunc is not
    introspectable) from a table; any other lookup fails."""

    def __init__(self, targets):
        super().__init__()
        self.targets = targets
        self.rrnames = []

    def do_lookup_service_async(self, rrname, cancellable, callback,
                                user_data):
        self.rrnames.append(rrname)
        task = Gio.Task.new(self, cancellable,
                            lambda src, res, *rest: callback(src, res), None)
        if rrname in self.targets:
            task.return_boolean(True)
        else:
            task.return_error(GLib.Error.new_literal(
                Gio.resolver_error_quark(), 'mock: no SRV record for ' + rrname,
                Gio.ResolverError.NOT_FOUND))

    def do_lookup_service_finish(self, result):
        result.propagate_boolean()
        rrname = self.rrnames[-1]
        return [Gio.SrvTarget.new(host, port, 0, 0)
                for host, port in self.targets[rrname]]


class EventRecorder:
    def __init__(self, client):
        self.client = client
        self.events = []
        self.anomalies = []
        # SocketClient.connect() is the connect method, not the signal one.
        self._id = GObject.Object.connect(client, 'event', self._on_event)

    def _on_event(self, client, event, connectable, connection):
        # An exception raised here would only be printed: record, and let
        # assert_events() check.
        if client is not self.client:
            self.anomalies.append('%s: wrong client argument' % event)
        if threading.current_thread() is not threading.main_thread():
            self.anomalies.append('%s: emitted from another thread' % event)
        self.events.append((event, connectable, connection))

    def kinds(self):
        return [e[0] for e in self.events]

    def clear(self):
        self.events.clear()

    def disconnect(self):
        self.client.disconnect(self._id)


class SocketClientTestCase(unittest.TestCase):
    def setUp(self):
        self.echo = Server('echo')
        # Bound, never listening: a connect to it is refused.
        self.refused = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.refused.bind(('127.0.0.1', 0))
        self.refused_port = self.refused.getsockname()[1]

    def tearDown(self):
        self.echo.stop()
        self.refused.close()

    # helpers

    def new_client(self):
        client = Client.new()
        return client, EventRecorder(client)

    def assert_echo(self, conn):
        self.assertIsInstance(conn, Gio.SocketConnection)
        conn.get_output_stream().write_all(b'ping\n', None)
        got = b''
        while len(got) < 5:
            chunk = conn.get_input_stream().read_bytes(5 - len(got), None)
            self.assertGreater(chunk.get_size(), 0, 'echo server closed')
            got += chunk.get_data()
        self.assertEqual(got, b'ping\n')

    def assert_events(self, rec, kinds, conn=None, connectable=None):
        self.assertEqual(rec.anomalies, [])
        self.assertEqual(rec.kinds(), kinds,
                         'events: %r' % [e.value_nick for e in rec.kinds()])
        if not kinds:
            return
        first = rec.events[0][1]
        for event, connectable_arg, connection in rec.events:
            self.assertIs(connectable_arg, first,
                          'every event carries the same connectable')
            if event in (Event.RESOLVING, Event.RESOLVED):
                self.assertIsNone(connection)
            elif event in (Event.CONNECTING, Event.CONNECTED):
                self.assertIsInstance(connection, Gio.SocketConnection)
            elif event == Event.COMPLETE:
                if conn is None:
                    self.assertIsNone(connection)
                else:
                    self.assertIs(connection, conn)
        if connectable is not None:
            self.assertIs(first, connectable)

    def assert_error(self, err, domain, code, message=None, prefix=None):
        self.assertTrue(err.matches(domain, code),
                        'expected %s %d, got %s %d: %s'
                        % (GLib.quark_to_string(domain), int(code),
                           err.domain, err.code, err.message))
        if message is not None:
            self.assertEqual(err.message, message)
        if prefix is not None:
            self.assertTrue(err.message.startswith(prefix), err.message)

    def run_async(self, start, rec=None):
        """Calls start(callback), runs a main loop until the callback,
        and returns the GAsyncResult. Checks the callback did not run
        inside the _async call and, with rec, that COMPLETE came before
        it (or no event at all)."""
        loop = GLib.MainLoop()
        box = {}

        def callback(source, result):
            box['source'] = source
            box['result'] = result
            if rec is not None:
                box['kinds'] = rec.kinds()
            loop.quit()

        def hung():
            box['hung'] = True
            loop.quit()
            return GLib.SOURCE_REMOVE

        start(callback)
        self.assertNotIn('result', box,
                         'the callback ran inside the _async call')
        guard = GLib.timeout_add_seconds(HANG_GUARD_SECONDS, hung)
        loop.run()
        self.assertNotIn('hung', box, 'the async operation never completed')
        GLib.source_remove(guard)
        if rec is not None and box['kinds']:
            self.assertEqual(box['kinds'][-1], Event.COMPLETE,
                             'COMPLETE must be the last event before the '
                             'callback')
            self.assertEqual(box['kinds'], rec.kinds(),
                             'no event may follow the callback')
        return box['source'], box['result']

    # object and properties

    def test_new(self):
        client = Client.new()
        self.assertIsInstance(client, Client)
        self.assertEqual(client.__gtype__.name, CLIENT_TYPE_NAME)
        self.assertEqual(client.__gtype__.parent, GObject.Object.__gtype__)
        self.assertFalse(client.__gtype__.is_abstract())
        other = GObject.new(Client)
        self.assertIsInstance(other, Client)
        self.assertIsNot(other, client)

    def test_property_defaults(self):
        client = Client.new()
        self.assertEqual(client.get_family(), Gio.SocketFamily.INVALID)
        self.assertEqual(client.props.family, Gio.SocketFamily.INVALID)
        self.assertEqual(client.get_socket_type(), Gio.SocketType.STREAM)
        self.assertEqual(client.props.type, Gio.SocketType.STREAM)
        self.assertEqual(client.get_protocol(), Gio.SocketProtocol.DEFAULT)
        self.assertEqual(client.props.protocol, Gio.SocketProtocol.DEFAULT)
        self.assertIsNone(client.get_local_address())
        self.assertIsNone(client.props.local_address)
        self.assertEqual(client.get_timeout(), 0)
        self.assertEqual(client.props.timeout, 0)
        self.assertIs(client.get_enable_proxy(), True)
        self.assertIs(client.props.enable_proxy, True)
        self.assertIs(client.get_tls(), False)
        self.assertIs(client.props.tls, False)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            self.assertEqual(client.get_tls_validation_flags(),
                             Gio.TlsCertificateFlags.VALIDATE_ALL)
            self.assertEqual(client.props.tls_validation_flags,
                             Gio.TlsCertificateFlags.VALIDATE_ALL)
        # Unset, the resolver reads back as the default one: never None.
        default = Gio.ProxyResolver.get_default()
        self.assertIs(client.get_proxy_resolver(), default)
        self.assertIs(client.props.proxy_resolver, default)

    def test_property_set_get(self):
        client = Client.new()
        notified = []
        GObject.Object.connect(client, 'notify',
                               lambda obj, pspec: notified.append(pspec.name))

        def check(setter, getter, prop, value, notify=True):
            notified.clear()
            setter(value)
            self.assertEqual(getter(), value, prop)
            self.assertEqual(client.get_property(prop), value, prop)
            self.assertEqual(notified, [prop] if notify else [], prop)
            # An unchanged value notifies no one through the setter...
            notified.clear()
            setter(value)
            self.assertEqual(notified, [prop] if prop == 'local-address'
                             else [], prop)

        check(client.set_family, client.get_family, 'family',
              Gio.SocketFamily.IPV4)
        check(client.set_socket_type, client.get_socket_type, 'type',
              Gio.SocketType.DATAGRAM)
        check(client.set_socket_type, client.get_socket_type, 'type',
              Gio.SocketType.STREAM)
        check(client.set_protocol, client.get_protocol, 'protocol',
              Gio.SocketProtocol.TCP)
        check(client.set_timeout, client.get_timeout, 'timeout', 7)
        check(client.set_enable_proxy, client.get_enable_proxy,
              'enable-proxy', False)
        check(client.set_tls, client.get_tls, 'tls', True)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            check(client.set_tls_validation_flags,
                  client.get_tls_validation_flags, 'tls-validation-flags',
                  Gio.TlsCertificateFlags.UNKNOWN_CA
                  | Gio.TlsCertificateFlags.EXPIRED)

        # local-address: the very object is kept, and every set notifies.
        address = Gio.InetSocketAddress.new_from_string('127.0.0.1', 0)
        notified.clear()
        client.set_local_address(address)
        self.assertIs(client.get_local_address(), address)
        self.assertIs(client.props.local_address, address)
        self.assertEqual(notified, ['local-address'])
        notified.clear()
        client.set_local_address(address)
        self.assertEqual(notified, ['local-address'])
        client.set_local_address(None)
        self.assertIsNone(client.get_local_address())

        # proxy-resolver: the setter keeps the object and does not notify;
        # None goes back to the default.
        resolver = Gio.SimpleProxyResolver.new('socks5://127.0.0.1:1', None)
        notified.clear()
        client.set_proxy_resolver(resolver)
        self.assertIs(client.get_proxy_resolver(), resolver)
        self.assertIs(client.props.proxy_resolver, resolver)
        self.assertEqual(notified, [])
        client.set_proxy_resolver(None)
        self.assertIs(client.get_proxy_resolver(),
                      Gio.ProxyResolver.get_default())

        # Through g_object_set() every property notifies, changed or not
        # (none of them is EXPLICIT_NOTIFY).
        for prop, value in (('family', Gio.SocketFamily.IPV4),
                            ('timeout', 7), ('tls', True),
                            ('enable-proxy', False),
                            ('proxy-resolver', resolver)):
            notified.clear()
            client.set_property(prop, value)
            self.assertEqual(notified, [prop], prop)
            self.assertEqual(client.get_property(prop), value, prop)

        # g_object_new() takes every property.
        built = GObject.new(Client, family=Gio.SocketFamily.IPV6,
                            type=Gio.SocketType.DATAGRAM,
                            protocol=Gio.SocketProtocol.UDP,
                            local_address=address, timeout=3,
                            enable_proxy=False, tls=True,
                            tls_validation_flags=Gio.TlsCertificateFlags(0),
                            proxy_resolver=resolver)
        self.assertEqual(built.get_family(), Gio.SocketFamily.IPV6)
        self.assertEqual(built.get_socket_type(), Gio.SocketType.DATAGRAM)
        self.assertEqual(built.get_protocol(), Gio.SocketProtocol.UDP)
        self.assertIs(built.get_local_address(), address)
        self.assertEqual(built.get_timeout(), 3)
        self.assertIs(built.get_enable_proxy(), False)
        self.assertIs(built.get_tls(), True)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            self.assertEqual(built.get_tls_validation_flags(), 0)
        self.assertIs(built.get_proxy_resolver(), resolver)

    # synchronous connects

    def test_connect_to_host(self):
        client, rec = self.new_client()
        conn = client.connect_to_host('127.0.0.1:%d' % self.echo.port, 1,
                                      None)
        self.assertIsInstance(conn, Gio.TcpConnection)
        self.assert_events(rec, DIRECT, conn)
        connectable = rec.events[0][1]
        self.assertIsInstance(connectable, Gio.NetworkAddress)
        self.assertEqual(connectable.get_hostname(), '127.0.0.1')
        self.assertEqual(connectable.get_port(), self.echo.port)
        remote = conn.get_remote_address()
        self.assertEqual(remote.get_address().to_string(), '127.0.0.1')
        self.assertEqual(remote.get_port(), self.echo.port)
        self.assertIs(rec.events[2][2], conn)
        self.assert_echo(conn)
        conn.close(None)

        # No port in the string: default_port is used.
        rec.clear()
        conn = client.connect_to_host('127.0.0.1', self.echo.port, None)
        self.assert_events(rec, DIRECT, conn)
        self.assert_echo(conn)

    def test_connect(self):
        client, rec = self.new_client()
        address = Gio.InetSocketAddress.new_from_string('127.0.0.1',
                                                        self.echo.port)
        conn = client.connect(address, None)
        self.assertIsInstance(conn, Gio.TcpConnection)
        self.assert_events(rec, DIRECT, conn, connectable=address)
        self.assertEqual(conn.get_remote_address().get_port(), self.echo.port)
        self.assert_echo(conn)

    def test_connect_to_uri(self):
        client, rec = self.new_client()
        uri = 'echo://user@127.0.0.1:%d/path?query#fragment' % self.echo.port
        conn = client.connect_to_uri(uri, 1, None)
        self.assert_events(rec, DIRECT, conn)
        connectable = rec.events[0][1]
        self.assertIsInstance(connectable, Gio.NetworkAddress)
        self.assertEqual(connectable.get_scheme(), 'echo')
        self.assertEqual(connectable.get_port(), self.echo.port)
        self.assert_echo(conn)

        rec.clear()
        conn = client.connect_to_uri('echo://127.0.0.1/', self.echo.port,
                                     None)
        self.assert_events(rec, DIRECT, conn)
        self.assert_echo(conn)

    def test_connect_to_service_cancelled(self):
        # Already cancelled: the sync call resolves nothing and emits only
        # COMPLETE (with no connection).
        client, rec = self.new_client()
        cancellable = Gio.Cancellable()
        cancellable.cancel()
        with self.assertRaises(GLib.Error) as cm:
            client.connect_to_service('example.test', 'dialtest', cancellable)
        self.assert_error(cm.exception, Gio.io_error_quark(),
                          Gio.IOErrorEnum.CANCELLED)
        self.assert_events(rec, [Event.COMPLETE])

    def test_connect_to_service_invalid_domain(self):
        # A domain that IDNA cannot convert fails inside GResolver before
        # any lookup: no DNS traffic. Sync emits RESOLVED anyway.
        client, rec = self.new_client()
        with self.assertRaises(GLib.Error) as cm:
            client.connect_to_service(INVALID_DOMAIN, 'dialtest', None)
        self.assert_error(cm.exception, Gio.io_error_quark(),
                          Gio.IOErrorEnum.FAILED, 'Invalid domain')
        self.assert_events(rec, [Event.RESOLVING, Event.RESOLVED,
                                 Event.COMPLETE])
        connectable = rec.events[0][1]
        self.assertIsInstance(connectable, Gio.NetworkService)
        self.assertEqual(connectable.get_service(), 'dialtest')

    def test_options_applied(self):
        client, rec = self.new_client()
        client.set_family(Gio.SocketFamily.IPV4)
        client.set_protocol(Gio.SocketProtocol.TCP)
        client.set_timeout(5)
        client.set_local_address(
            Gio.InetSocketAddress.new_from_string('127.0.0.1', 0))
        conn = client.connect_to_host('127.0.0.1', self.echo.port, None)
        self.assert_events(rec, DIRECT, conn)
        sock = conn.get_socket()
        self.assertEqual(sock.get_timeout(), 5)
        self.assertEqual(sock.get_family(), Gio.SocketFamily.IPV4)
        self.assertEqual(sock.get_protocol(), Gio.SocketProtocol.TCP)
        local = conn.get_local_address()
        self.assertEqual(local.get_address().to_string(), '127.0.0.1')
        self.assertNotEqual(local.get_port(), 0)
        self.assert_echo(conn)

    def test_refused(self):
        client, rec = self.new_client()
        with self.assertRaises(GLib.Error) as cm:
            client.connect_to_host('127.0.0.1', self.refused_port, None)
        self.assert_error(cm.exception, Gio.io_error_quark(),
                          Gio.IOErrorEnum.CONNECTION_REFUSED,
                          prefix='Could not connect to 127.0.0.1: ')
        self.assert_events(rec, [Event.RESOLVING, Event.RESOLVED,
                                 Event.CONNECTING, Event.COMPLETE])

        # A failure leaves no trace on the next operation.
        rec.clear()
        conn = client.connect_to_host('127.0.0.1', self.echo.port, None)
        self.assert_events(rec, DIRECT, conn)

    def test_parse_errors(self):
        client, rec = self.new_client()
        cases = [
            (client.connect_to_host, '[::1', 'Hostname “[::1” contains “[” but not “]”'),
            (client.connect_to_host, 'host:99999',
             "Invalid numeric port '99999' specified in hostname "
             "'host:99999'"),
            (client.connect_to_host, 'host:',
             "If a ':' character is given, it must be followed by a port "
             "(in hostname 'host:')."),
            (client.connect_to_uri, 'asdf', 'Invalid URI ‘asdf’'),
            (client.connect_to_uri, 'http://host:99999/',
             'Invalid URI ‘http://host:99999/’'),
        ]
        for method, text, message in cases:
            with self.subTest(text=text):
                with self.assertRaises(GLib.Error) as cm:
                    method(text, 80, None)
                self.assert_error(cm.exception, Gio.io_error_quark(),
                                  Gio.IOErrorEnum.INVALID_ARGUMENT, message)
                self.assert_events(rec, [])

        # A parse error beats a cancelled cancellable.
        cancellable = Gio.Cancellable()
        cancellable.cancel()
        with self.assertRaises(GLib.Error) as cm:
            client.connect_to_uri('asdf', 80, cancellable)
        self.assert_error(cm.exception, Gio.io_error_quark(),
                          Gio.IOErrorEnum.INVALID_ARGUMENT)
        self.assert_events(rec, [])

    # asynchronous connects

    def test_connect_async(self):
        client, rec = self.new_client()
        address = Gio.InetSocketAddress.new_from_string('127.0.0.1',
                                                        self.echo.port)
        source, result = self.run_async(
            lambda cb: client.connect_async(address, None, cb), rec)
        self.assertIs(source, client)
        conn = client.connect_finish(result)
        self.assertIsInstance(conn, Gio.TcpConnection)
        self.assert_events(rec, DIRECT, conn, connectable=address)
        self.assert_echo(conn)

    def test_connect_to_host_async(self):
        client, rec = self.new_client()
        _, result = self.run_async(
            lambda cb: client.connect_to_host_async(
                '127.0.0.1:%d' % self.echo.port, 1, None, cb), rec)
        conn = client.connect_to_host_finish(result)
        self.assert_events(rec, DIRECT, conn)
        self.assertEqual(rec.events[0][1].get_port(), self.echo.port)
        self.assert_echo(conn)

        # Any _finish takes the result of any _async.
        rec.clear()
        _, result = self.run_async(
            lambda cb: client.connect_to_host_async(
                '127.0.0.1', self.echo.port, None, cb), rec)
        conn = client.connect_finish(result)
        self.assert_events(rec, DIRECT, conn)

    def test_connect_to_uri_async(self):
        client, rec = self.new_client()
        _, result = self.run_async(
            lambda cb: client.connect_to_uri_async(
                'echo://127.0.0.1:%d/' % self.echo.port, 1, None, cb), rec)
        conn = client.connect_to_uri_finish(result)
        self.assert_events(rec, DIRECT, conn)
        self.assertEqual(rec.events[0][1].get_scheme(), 'echo')
        self.assert_echo(conn)

    def test_connect_to_service_async(self):
        client, rec = self.new_client()
        rrname = '_dialtest._tcp.example.test'
        resolver = MockResolver({rrname: [('127.0.0.1', self.echo.port)]})
        previous = Gio.Resolver.get_default()
        Gio.Resolver.set_default(resolver)
        try:
            _, result = self.run_async(
                lambda cb: client.connect_to_service_async(
                    'example.test', 'dialtest', None, cb), rec)
            conn = client.connect_to_service_finish(result)
            self.assertEqual(resolver.rrnames, [rrname])
            self.assert_events(rec, DIRECT, conn)
            connectable = rec.events[0][1]
            self.assertIsInstance(connectable, Gio.NetworkService)
            self.assertEqual(connectable.get_domain(), 'example.test')
            self.assertEqual(connectable.get_service(), 'dialtest')
            self.assertEqual(connectable.get_protocol(), 'tcp')
            self.assertEqual(conn.get_remote_address().get_port(),
                             self.echo.port)
            self.assert_echo(conn)

            # No SRV record (and no such service in /etc/services): the
            # resolver's error comes back; async skips RESOLVED.
            rec.clear()
            _, result = self.run_async(
                lambda cb: client.connect_to_service_async(
                    'nowhere.test', 'dialtest', None, cb), rec)
            with self.assertRaises(GLib.Error) as cm:
                client.connect_to_service_finish(result)
            self.assert_error(cm.exception, Gio.resolver_error_quark(),
                              Gio.ResolverError.NOT_FOUND)
            self.assert_events(rec, [Event.RESOLVING, Event.COMPLETE])
        finally:
            Gio.Resolver.set_default(previous)

    def test_connect_to_service_invalid_domain_async(self):
        # The first enumeration fails: async emits no RESOLVED.
        client, rec = self.new_client()
        _, result = self.run_async(
            lambda cb: client.connect_to_service_async(
                INVALID_DOMAIN, 'dialtest', None, cb), rec)
        with self.assertRaises(GLib.Error) as cm:
            client.connect_to_service_finish(result)
        self.assert_error(cm.exception, Gio.io_error_quark(),
                          Gio.IOErrorEnum.FAILED, 'Invalid domain')
        self.assert_events(rec, [Event.RESOLVING, Event.COMPLETE])

    def test_refused_async(self):
        client, rec = self.new_client()
        _, result = self.run_async(
            lambda cb: client.connect_to_host_async(
                '127.0.0.1', self.refused_port, None, cb), rec)
        with self.assertRaises(GLib.Error) as cm:
            client.connect_to_host_finish(result)
        self.assert_error(cm.exception, Gio.io_error_quark(),
                          Gio.IOErrorEnum.CONNECTION_REFUSED,
                          prefix='Could not connect to 127.0.0.1: ')
        self.assert_events(rec, [Event.RESOLVING, Event.RESOLVED,
                                 Event.CONNECTING, Event.COMPLETE])

    def test_parse_errors_async(self):
        client, rec = self.new_client()
        for start, finish in (
                (lambda cb: client.connect_to_host_async('[::1', 80, None, cb),
                 client.connect_to_host_finish),
                (lambda cb: client.connect_to_uri_async('asdf', 80, None, cb),
                 client.connect_to_uri_finish)):
            _, result = self.run_async(start, rec)
            with self.assertRaises(GLib.Error) as cm:
                finish(result)
            self.assert_error(cm.exception, Gio.io_error_quark(),
                              Gio.IOErrorEnum.INVALID_ARGUMENT)
            self.assert_events(rec, [])

    # cancellation

    def test_cancelled_async(self):
        # Already cancelled: RESOLVING inside the call, then COMPLETE from
        # the main loop.
        client, rec = self.new_client()
        cancellable = Gio.Cancellable()
        cancellable.cancel()
        address = Gio.InetSocketAddress.new_from_string('127.0.0.1',
                                                        self.echo.port)

        def start(cb):
            client.connect_async(address, cancellable, cb)
            self.assertEqual(rec.kinds(), [Event.RESOLVING])

        _, result = self.run_async(start, rec)
        with self.assertRaises(GLib.Error) as cm:
            client.connect_finish(result)
        self.assert_error(cm.exception, Gio.io_error_quark(),
                          Gio.IOErrorEnum.CANCELLED)
        self.assert_events(rec, [Event.RESOLVING, Event.COMPLETE])

    def cancel_on(self, client, rec, kind):
        cancellable = Gio.Cancellable()

        def on_event(c, event, connectable, connection):
            if event == kind:
                cancellable.cancel()
        GObject.Object.connect(client, 'event', on_event)
        return cancellable

    def test_cancel_from_handler(self):
        # Cancelled at CONNECTING: both modes fail with CANCELLED.
        client, rec = self.new_client()
        cancellable = self.cancel_on(client, rec, Event.CONNECTING)
        with self.assertRaises(GLib.Error) as cm:
            client.connect_to_host('127.0.0.1', self.echo.port, cancellable)
        self.assert_error(cm.exception, Gio.io_error_quark(),
                          Gio.IOErrorEnum.CANCELLED)
        self.assert_events(rec, [Event.RESOLVING, Event.RESOLVED,
                                 Event.CONNECTING, Event.COMPLETE])

        client, rec = self.new_client()
        cancellable = self.cancel_on(client, rec, Event.CONNECTING)
        _, result = self.run_async(
            lambda cb: client.connect_to_host_async(
                '127.0.0.1', self.echo.port, cancellable, cb), rec)
        with self.assertRaises(GLib.Error) as cm:
            client.connect_to_host_finish(result)
        self.assert_error(cm.exception, Gio.io_error_quark(),
                          Gio.IOErrorEnum.CANCELLED)
        self.assert_events(rec, [Event.RESOLVING, Event.RESOLVED,
                                 Event.CONNECTING, Event.COMPLETE])

    def test_cancel_at_connected(self):
        # After the last step: sync ignores the cancel, async honours it.
        client, rec = self.new_client()
        cancellable = self.cancel_on(client, rec, Event.CONNECTED)
        conn = client.connect_to_host('127.0.0.1', self.echo.port,
                                      cancellable)
        self.assert_events(rec, DIRECT, conn)

        client, rec = self.new_client()
        cancellable = self.cancel_on(client, rec, Event.CONNECTED)
        _, result = self.run_async(
            lambda cb: client.connect_to_host_async(
                '127.0.0.1', self.echo.port, cancellable, cb), rec)
        with self.assertRaises(GLib.Error) as cm:
            client.connect_to_host_finish(result)
        self.assert_error(cm.exception, Gio.io_error_quark(),
                          Gio.IOErrorEnum.CANCELLED)
        self.assert_events(rec, DIRECT)

    # proxies and TLS

    def test_application_proxy(self):
        client, rec = self.new_client()
        proxy_uri = 'myproxy://127.0.0.1:%d' % self.echo.port
        client.set_proxy_resolver(Gio.SimpleProxyResolver.new(proxy_uri,
                                                              None))

        # Without a GProxy for the scheme, and not declared an application
        # proxy, the scheme is not supported.
        with self.assertRaises(GLib.Error) as cm:
            client.connect_to_host('dest.test:80', 0, None)
        self.assert_error(cm.exception, Gio.io_error_quark(),
                          Gio.IOErrorEnum.NOT_SUPPORTED,
                          'Proxy protocol “myproxy” is not supported.')
        self.assert_events(rec, DIRECT)

        # As an application proxy: the raw connection to the proxy, no
        # negotiation and no TLS even with tls set.
        client.add_application_proxy('myproxy')
        client.set_tls(True)
        rec.clear()
        conn = client.connect_to_host('dest.test:80', 0, None)
        self.assert_events(rec, DIRECT, conn)
        self.assertIsInstance(conn, Gio.TcpConnection)
        remote = conn.get_remote_address()
        self.assertIsInstance(remote, Gio.ProxyAddress)
        self.assertEqual(remote.get_protocol(), 'myproxy')
        self.assertEqual(remote.get_destination_hostname(), 'dest.test')
        self.assertEqual(remote.get_destination_port(), 80)
        self.assertEqual(remote.get_port(), self.echo.port)
        self.assertEqual(remote.get_uri(), proxy_uri)
        self.assert_echo(conn)

    def test_enable_proxy(self):
        client, rec = self.new_client()
        client.set_proxy_resolver(Gio.SimpleProxyResolver.new(
            'socks5://127.0.0.1:%d' % self.refused_port, None))
        with self.assertRaises(GLib.Error) as cm:
            client.connect_to_host('127.0.0.1', self.echo.port, None)
        self.assert_error(cm.exception, Gio.io_error_quark(),
                          Gio.IOErrorEnum.CONNECTION_REFUSED,
                          prefix='Could not connect to proxy server '
                                 '127.0.0.1: ')

        client.set_enable_proxy(False)
        rec.clear()
        conn = client.connect_to_host('127.0.0.1', self.echo.port, None)
        self.assert_events(rec, DIRECT, conn)
        self.assertNotIsInstance(conn.get_remote_address(), Gio.ProxyAddress)
        self.assert_echo(conn)

    def test_tls_peer_closes(self):
        closer = Server('close')
        try:
            client, rec = self.new_client()
            client.set_tls(True)
            with self.assertRaises(GLib.Error) as cm:
                client.connect_to_host('127.0.0.1', closer.port, None)
            self.assertEqual(cm.exception.domain,
                             GLib.quark_to_string(Gio.tls_error_quark()),
                             cm.exception.message)
            self.assert_error(cm.exception, Gio.tls_error_quark(),
                              Gio.TlsError.NOT_TLS)
            self.assert_events(rec, [Event.RESOLVING, Event.RESOLVED,
                                     Event.CONNECTING, Event.CONNECTED,
                                     Event.TLS_HANDSHAKING, Event.COMPLETE])
            self.assertIsInstance(rec.events[4][2], Gio.TlsClientConnection)
        finally:
            closer.stop()

    # a SOCKS5 proxy of this script's own

    def proxied_client(self):
        """A client whose proxy resolver sends everything to a SOCKS5
        server that relays to the echo server."""
        socks = Socks5Server(self.echo.port)
        self.addCleanup(socks.stop)
        client, rec = self.new_client()
        client.set_proxy_resolver(Gio.SimpleProxyResolver.new(
            'socks5://127.0.0.1:%d' % socks.port, None))
        return client, rec, socks

    def assert_proxied(self, rec, conn, socks):
        self.assert_events(rec, PROXIED, conn)
        self.assertIsInstance(conn, Gio.TcpConnection)
        # The proxy's result is the very connection made to the proxy.
        self.assertIs(rec.events[2][2], conn)
        self.assertIs(rec.events[4][2], conn)
        self.assertIs(rec.events[5][2], conn)
        connectable = rec.events[0][1]
        self.assertIsInstance(connectable, Gio.NetworkAddress)
        self.assertEqual(connectable.get_hostname(), 'dest.test')
        self.assertEqual(connectable.get_port(), 8080)

        remote = conn.get_remote_address()
        self.assertIsInstance(remote, Gio.ProxyAddress)
        self.assertEqual(remote.get_protocol(), 'socks5')
        # A host and port has no URI scheme: GNetworkAddress says 'none'.
        self.assertEqual(remote.get_destination_protocol(), 'none')
        self.assertEqual(remote.get_destination_hostname(), 'dest.test')
        self.assertEqual(remote.get_destination_port(), 8080)
        self.assertEqual(remote.get_address().to_string(), '127.0.0.1')
        self.assertEqual(remote.get_port(), socks.port)
        self.assertEqual(remote.get_uri(),
                         'socks5://127.0.0.1:%d' % socks.port)
        self.assertIsNone(remote.get_username())

        # The proxy was asked for the name (ATYP 3), not an address, and
        # the bytes went through it to the echo server and back.
        self.assertEqual(socks.requests, [(1, 3, 'dest.test', 8080)])
        self.assert_echo(conn)
        self.assertEqual(len(self.echo.peers), 1)
        conn.close(None)

    def test_socks5_proxy(self):
        client, rec, socks = self.proxied_client()
        conn = client.connect_to_host('dest.test:8080', 0, None)
        self.assert_proxied(rec, conn, socks)

    def test_socks5_proxy_async(self):
        client, rec, socks = self.proxied_client()
        _, result = self.run_async(
            lambda cb: client.connect_to_host_async('dest.test', 8080, None,
                                                    cb), rec)
        conn = client.connect_to_host_finish(result)
        self.assert_proxied(rec, conn, socks)

    # TLS to a server with a self-signed certificate, accepted or not by
    # the script's accept-certificate handler

    def tls_server(self):
        try:
            files = make_self_signed_certificate()
        except subprocess.CalledProcessError as e:
            self.fail('%s failed: %s' % (e.cmd[0], e.stderr.decode()))
        if files is None:
            self.skipTest('neither certtool (gnutls-bin) nor openssl is '
                          'installed')
        server = TlsServer(*files)
        self.addCleanup(server.stop)
        return server, files[0]

    def tls_client(self, accept):
        """A client with tls set whose event handler connects, at
        TLS_HANDSHAKING, to accept-certificate on the TLS connection.
        That handler returns accept when the errors include UNKNOWN_CA.
        Returns the client, its recorder and the list of the
        (connection, certificate, errors) of each accept-certificate."""
        client, rec = self.new_client()
        client.set_tls(True)
        asked = []

        def on_accept_certificate(tls, certificate, errors):
            asked.append((tls, certificate, errors))
            return accept and bool(errors & Gio.TlsCertificateFlags.UNKNOWN_CA)

        def on_event(c, event, connectable, connection):
            if event == Event.TLS_HANDSHAKING:
                GObject.Object.connect(connection, 'accept-certificate',
                                       on_accept_certificate)

        GObject.Object.connect(client, 'event', on_event)
        return client, rec, asked

    def assert_asked(self, rec, asked, cert_file):
        tls = rec.events[4][2]
        self.assertIsInstance(tls, Gio.TlsClientConnection)
        self.assertEqual(len(asked), 1, 'accept-certificate emissions')
        connection, certificate, errors = asked[0]
        self.assertIs(connection, tls)
        self.assertTrue(errors & Gio.TlsCertificateFlags.UNKNOWN_CA,
                        'errors: %r' % errors)
        with open(cert_file) as f:
            expected = ssl.PEM_cert_to_DER_cert(f.read())
        self.assertEqual(
            ssl.PEM_cert_to_DER_cert(certificate.props.certificate_pem),
            expected, 'the peer certificate is the server\'s')

    def assert_tls_accepted(self, rec, asked, conn, server, cert_file):
        self.assert_events(rec, TLS, conn)
        self.assert_asked(rec, asked, cert_file)
        self.assertIsInstance(conn, Gio.TcpWrapperConnection)
        base = conn.get_base_io_stream()
        self.assertIsInstance(base, Gio.TlsClientConnection)
        self.assertIs(rec.events[4][2], base)
        self.assertIs(rec.events[5][2], base)
        self.assertIs(asked[0][1], base.get_peer_certificate())
        self.assertTrue(base.get_peer_certificate_errors()
                        & Gio.TlsCertificateFlags.UNKNOWN_CA)
        self.assert_echo(conn)
        self.assertEqual(server.handshakes, ['ok'])
        conn.close(None)

    def assert_tls_rejected(self, rec, asked, err, cert_file):
        self.assert_error(err, Gio.tls_error_quark(),
                          Gio.TlsError.BAD_CERTIFICATE)
        self.assert_events(rec, TLS_FAILED)
        self.assert_asked(rec, asked, cert_file)

    def test_tls_accept_certificate(self):
        server, cert_file = self.tls_server()
        client, rec, asked = self.tls_client(accept=True)
        conn = client.connect_to_host('127.0.0.1', server.port, None)
        self.assert_tls_accepted(rec, asked, conn, server, cert_file)

    def test_tls_accept_certificate_async(self):
        server, cert_file = self.tls_server()
        client, rec, asked = self.tls_client(accept=True)
        _, result = self.run_async(
            lambda cb: client.connect_to_host_async('127.0.0.1', server.port,
                                                    None, cb), rec)
        conn = client.connect_to_host_finish(result)
        self.assert_tls_accepted(rec, asked, conn, server, cert_file)

    def test_tls_reject_certificate(self):
        server, cert_file = self.tls_server()
        client, rec, asked = self.tls_client(accept=False)
        with self.assertRaises(GLib.Error) as cm:
            client.connect_to_host('127.0.0.1', server.port, None)
        self.assert_tls_rejected(rec, asked, cm.exception, cert_file)

    def test_tls_reject_certificate_async(self):
        server, cert_file = self.tls_server()
        client, rec, asked = self.tls_client(accept=False)
        _, result = self.run_async(
            lambda cb: client.connect_to_host_async('127.0.0.1', server.port,
                                                    None, cb), rec)
        with self.assertRaises(GLib.Error) as cm:
            client.connect_to_host_finish(result)
        self.assert_tls_rejected(rec, asked, cm.exception, cert_file)

    # the class handler

    def test_event_vfunc(self):
        seen = []

        class Recording(Client):
            def do_event(self, event, connectable, connection):
                seen.append(event)

        client = Recording()
        rec = EventRecorder(client)
        conn = client.connect_to_host('127.0.0.1', self.echo.port, None)
        self.assertEqual(seen, DIRECT)
        # RUN_LAST: handlers connected by the user run before the class
        # handler, and both see every event.
        self.assert_events(rec, DIRECT, conn)


if __name__ == '__main__':
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2)
    result = unittest.main(testRunner=runner, exit=False).result
    if result.testsRun == 0:
        print('no test ran', file=sys.stderr)
        sys.exit(1)
    sys.exit(0 if result.wasSuccessful() else 1)
