#!/usr/bin/python3
# connect.py: connect with Dial.SocketClient, write a line, read the reply.
#
# Copyright 2026 The libdial developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The blocking API, in one thread.  To have something to talk to, the
# script first opens a listener of its own on 127.0.0.1.  The kernel
# completes a TCP handshake without waiting for accept(), so this one
# thread can connect first and play the server's part afterwards.
#
# From a build tree:
#   GI_TYPELIB_PATH=build/src LD_LIBRARY_PATH=build/src python3 connect.py

import sys

import gi
gi.require_version('Gio', '2.0')
gi.require_version('Dial', '1.0')
from gi.repository import Dial, Gio, GLib  # noqa: E402


def start_listener():
    """A listener on 127.0.0.1, on a port the system picks."""
    listener = Gio.SocketListener.new()
    address = Gio.InetSocketAddress.new_from_string('127.0.0.1', 0)
    _, effective = listener.add_address(address, Gio.SocketType.STREAM,
                                        Gio.SocketProtocol.TCP, None)
    return listener, effective.get_port()


def write_line(stream, line):
    stream.get_output_stream().write_all((line + '\n').encode(), None)


def read_line(stream):
    """Reads one line from a GIOStream, without its newline."""
    lines = Gio.DataInputStream.new(stream.get_input_stream())
    # Leave the connection's stream open when `lines` goes away.
    lines.set_close_base_stream(False)
    line, _ = lines.read_line_utf8(None)
    if line is None:
        raise ConnectionError('the peer closed the connection')
    return line


def serve_one_line(listener):
    """The server's part: accept the connection, read a line, answer it."""
    connection, _ = listener.accept(None)
    request = read_line(connection)
    print(f'server: received "{request}"')
    write_line(connection, f'you said: {request}')
    connection.close(None)


def main():
    listener, port = start_listener()

    # One call resolves the name, tries its addresses in turn and returns a
    # connected Gio.SocketConnection, exactly as Gio.SocketClient would.
    # Failures raise GLib.Error.
    client = Dial.SocketClient.new()
    connection = client.connect_to_host(f'127.0.0.1:{port}', 0, None)
    remote = connection.get_remote_address()
    print(f'client: connected to {remote.to_string()}')

    # A Gio.SocketConnection is a Gio.IOStream: write to its output stream...
    write_line(connection, 'hello')
    serve_one_line(listener)

    # ...and read from its input stream.
    print(f'client: received "{read_line(connection)}"')
    connection.close(None)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except GLib.Error as error:
        print(f'Error: {error.message}', file=sys.stderr)
        sys.exit(1)
