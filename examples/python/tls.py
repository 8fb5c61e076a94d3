#!/usr/bin/python3
# tls.py: TLS to a server whose certificate a CA of your own signed, with
# ALPN.
#
# Copyright 2026 The libdial developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The client trusts only the CA in CERTS/ca.pem, offers two application
# protocols ("echo/2", then "echo/1") and learns which one the server
# picked; then it sends a line through the TLS connection and reads the
# server's echo. CERTS is a directory made by examples/make-certs.sh: the
# test suite makes one when it builds the examples. The server is
# Python's ssl module (example_servers.py).
#
# From a build tree:
#   sh examples/make-certs.sh /tmp/certs
#   GI_TYPELIB_PATH=build/src LD_LIBRARY_PATH=build/src python3 tls.py /tmp/certs

import os
import sys

import gi
gi.require_version('Gio', '2.0')
gi.require_version('Dial', '1.0')
from gi.repository import Dial, Gio, GLib, GObject  # noqa: E402

import example_servers  # noqa: E402

CLIENT_PROTOCOLS = ['echo/2', 'echo/1']
SERVER_PROTOCOLS = ['echo/1']


def main(certs):
    certs = os.path.abspath(certs)  # a file database wants an absolute path
    with example_servers.TlsEchoServer(os.path.join(certs, 'server.pem'),
                                       os.path.join(certs, 'server-key.pem'),
                                       SERVER_PROTOCOLS) as server:
        # The CA as a database of trusted certificates. Use libdial's
        # constructor, not Gio.TlsFileDatabase.new(): the database must come
        # from the TLS provider that the client uses, which may be libdial's.
        database = Dial.tls_file_database_new(os.path.join(certs, 'ca.pem'))

        client = Dial.SocketClient.new()
        client.set_tls(True)

        # A TLS connect emits TLS_HANDSHAKING with the new
        # Gio.TlsClientConnection before its handshake starts: the moment
        # to say which certificates to trust and which protocols to offer.
        def on_event(client, event, connectable, connection):
            if event == Gio.SocketClientEvent.TLS_HANDSHAKING:
                connection.set_database(database)
                connection.set_advertised_protocols(CLIENT_PROTOCOLS)

        # client.connect() is the client's connect method, which hides
        # GObject's connect() for signals (as with Gio.SocketClient).
        GObject.Object.connect(client, 'event', on_event)

        # The certificate is checked against the name connected to.
        host_and_port = f'localhost:{server.port}'
        connection = client.connect_to_host(host_and_port, 0, None)

        # What a TLS connect returns is a Gio.TcpWrapperConnection whose
        # base stream is the Gio.TlsConnection.
        tls = connection.get_base_io_stream()
        protocol = tls.get_negotiated_protocol()
        subject = tls.get_peer_certificate().get_subject_name()
        print(f'client: TLS to {host_and_port}, certificate "{subject}", '
              f'ALPN protocol {protocol}', flush=True)
        if protocol != 'echo/1':
            raise RuntimeError('expected ALPN to pick echo/1')

        # Then it is a stream like any other.
        connection.get_output_stream().write_all(b'hello over TLS\n', None)
        lines = Gio.DataInputStream.new(connection.get_input_stream())
        lines.set_close_base_stream(False)
        echo, _ = lines.read_line_utf8(None)
        print(f'client: received "{echo}"')

        # Closing sends TLS close_notify, then closes the socket.
        connection.close(None)
    return 0


if __name__ == '__main__':
    if len(sys.argv) != 2:
        print(f'usage: {sys.argv[0]} CERTS   (a directory made by '
              'make-certs.sh)', file=sys.stderr)
        sys.exit(2)
    try:
        sys.exit(main(sys.argv[1]))
    except (GLib.Error, OSError, RuntimeError) as error:
        print(f'Error: {getattr(error, "message", error)}', file=sys.stderr)
        sys.exit(1)
