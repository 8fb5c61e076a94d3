#!/usr/bin/python3
# connect_async.py: connect asynchronously with Dial.SocketClient, print each
# event the client emits, then read the server's greeting.
#
# Copyright 2026 The libdial developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Everything runs on one GLib.MainLoop: the server this script starts on
# 127.0.0.1 (a Gio.SocketService that greets each client and hangs up), the
# connect, and the read.
#
# From a build tree:
#   GI_TYPELIB_PATH=build/src LD_LIBRARY_PATH=build/src python3 connect_async.py

import sys

import gi
gi.require_version('Gio', '2.0')
gi.require_version('Dial', '1.0')
from gi.repository import Dial, Gio, GLib, GObject  # noqa: E402


def on_incoming(service, connection, source_object):
    """The server: greet, then close."""
    # A few bytes fit in the socket's buffer: this write does not block.
    connection.get_output_stream().write_all(b'hello from the server\n', None)
    connection.close(None)
    return True


def start_server():
    service = Gio.SocketService.new()
    address = Gio.InetSocketAddress.new_from_string('127.0.0.1', 0)
    _, effective = service.add_address(address, Gio.SocketType.STREAM,
                                       Gio.SocketProtocol.TCP, None)
    service.connect('incoming', on_incoming)
    service.start()
    return service, effective.get_port()


class App:
    def __init__(self):
        self.loop = GLib.MainLoop()
        self.connection = None
        self.status = 1

    def on_event(self, client, event, connectable, connection):
        """The client's "event" signal: RESOLVING, RESOLVED, CONNECTING, ..."""
        print(f'event: {event.value_nick}')

    def on_connected(self, client, result):
        try:
            self.connection = client.connect_to_host_finish(result)
        except GLib.Error as error:
            print(f'Could not connect: {error.message}', file=sys.stderr)
            self.loop.quit()
            return

        remote = self.connection.get_remote_address()
        print(f'connected to {remote.to_string()}')

        # Read the greeting without blocking the loop.
        lines = Gio.DataInputStream.new(self.connection.get_input_stream())
        lines.read_line_async(GLib.PRIORITY_DEFAULT, None, self.on_line_read)

    def on_line_read(self, lines, result):
        try:
            line, _ = lines.read_line_finish_utf8(result)
            if line is None:
                print('The server closed the connection', file=sys.stderr)
            else:
                print(f'received: "{line}"')
                self.status = 0
        except GLib.Error as error:
            print(f'Could not read: {error.message}', file=sys.stderr)
        self.loop.quit()


def main():
    service, port = start_server()
    app = App()

    client = Dial.SocketClient.new()
    # The client's own connect() method hides GObject's connect() for
    # signals (as with Gio.SocketClient): call GObject's directly.
    GObject.Object.connect(client, 'event', app.on_event)

    # Returns at once; app.on_connected runs from the main loop when done.
    client.connect_to_host_async(f'127.0.0.1:{port}', 0, None,
                                 app.on_connected)
    app.loop.run()

    if app.connection is not None:
        app.connection.close(None)
    service.stop()
    return app.status


if __name__ == '__main__':
    sys.exit(main())
