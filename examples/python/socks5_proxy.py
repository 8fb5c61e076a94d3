#!/usr/bin/python3
# socks5_proxy.py: connect through a SOCKS5 proxy, and watch the proxy
# stage in the client's events.
#
# Copyright 2026 The libdial developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The script starts an echo server and a SOCKS5 proxy on 127.0.0.1
# (example_servers.py). The client takes its proxy from an environment, as
# a shell would give it: all_proxy=socks5h://127.0.0.1:PORT, read by a
# Dial.EnvironmentProxyResolver. (A Gio.SimpleProxyResolver, or all_proxy
# set in the real environment, would do as well.) With socks5h:// the name
# "localhost" goes to the proxy, which resolves it: the client never does.
#
# From a build tree:
#   GI_TYPELIB_PATH=build/src LD_LIBRARY_PATH=build/src python3 socks5_proxy.py

import sys

import gi
gi.require_version('Gio', '2.0')
gi.require_version('Dial', '1.0')
from gi.repository import Dial, Gio, GLib, GObject  # noqa: E402

import example_servers  # noqa: E402


def on_event(client, event, connectable, connection):
    print(f'event: {event.value_nick}', flush=True)


def main():
    with example_servers.EchoServer() as echo, \
            example_servers.Socks5Proxy() as proxy:
        resolver = Dial.EnvironmentProxyResolver.new_for_environ(
            [f'all_proxy=socks5h://127.0.0.1:{proxy.port}'])

        client = Dial.SocketClient.new()
        client.set_proxy_resolver(resolver)
        GObject.Object.connect(client, 'event', on_event)

        connection = client.connect_to_host(f'localhost:{echo.port}', 0, None)

        # Through a proxy, the remote address is a Gio.ProxyAddress: the
        # proxy's address, with the destination and the protocol spoken to
        # the proxy.
        remote = connection.get_remote_address()
        if not isinstance(remote, Gio.ProxyAddress):
            raise RuntimeError('expected a Gio.ProxyAddress')
        print(f'client: connected to {remote.get_destination_hostname()}:'
              f'{remote.get_destination_port()} through the '
              f'{remote.get_protocol()} proxy at {remote.to_string()}',
              flush=True)

        # The connection is a tunnel to the echo server.
        connection.get_output_stream().write_all(b'hello through the proxy\n',
                                                 None)
        lines = Gio.DataInputStream.new(connection.get_input_stream())
        lines.set_close_base_stream(False)
        echo_line, _ = lines.read_line_utf8(None)
        print(f'client: received "{echo_line}"')
        connection.close(None)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except (GLib.Error, OSError, RuntimeError) as error:
        print(f'Error: {getattr(error, "message", error)}', file=sys.stderr)
        sys.exit(1)
