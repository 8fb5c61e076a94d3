#!/usr/bin/python3
# application_proxy.py: a proxy protocol the application speaks itself.
#
# Copyright 2026 The libdial developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# An HTTP forward proxy takes "GET http://host/path HTTP/1.1" and fetches
# the page; no CONNECT tunnel is involved. libdial cannot know that an HTTP
# client wants that rather than a tunnel, so the application says so:
# client.add_application_proxy('http'). Then, when the proxy resolver
# answers an http:// proxy, the client stops after connecting to the proxy
# (no negotiation, and no TLS even with the "tls" property set) and returns
# that connection, whose remote address is a Gio.ProxyAddress that tells
# the application where it really wanted to go.
#
# The proxy here (example_servers.py) answers every request itself with a
# text that quotes it; a real one would fetch the page. The destination,
# www.example.test, is never resolved: only the proxy would need to.
#
# From a build tree:
#   GI_TYPELIB_PATH=build/src LD_LIBRARY_PATH=build/src python3 application_proxy.py

import sys

import gi
gi.require_version('Gio', '2.0')
gi.require_version('Dial', '1.0')
from gi.repository import Dial, Gio, GLib  # noqa: E402

import example_servers  # noqa: E402

URI = 'http://www.example.test/hello'


def read_to_end(stream):
    data = b''
    while chunk := stream.read_bytes(4096, None).get_data():
        data += chunk
    return data.decode()


def main():
    with example_servers.HttpServer('HTTP proxy') as proxy:
        # Every destination goes through the proxy.
        resolver = Gio.SimpleProxyResolver.new(f'http://127.0.0.1:{proxy.port}',
                                               None)
        client = Dial.SocketClient.new()
        client.set_proxy_resolver(resolver)
        client.add_application_proxy('http')

        # connect_to_uri() rather than connect_to_host(): the proxy resolver
        # is asked about http://www.example.test:80, not none://...
        connection = client.connect_to_uri(URI, 80, None)

        # Connected to the proxy, and nothing more: check that it is the
        # case and for which protocol, then speak it.
        remote = connection.get_remote_address()
        if not (isinstance(remote, Gio.ProxyAddress)
                and remote.get_protocol() == 'http'):
            raise RuntimeError('expected a connection to an http proxy')
        print(f'client: connected to the {remote.get_protocol()} proxy at '
              f'{remote.to_string()}, for {remote.get_destination_hostname()}:'
              f'{remote.get_destination_port()}', flush=True)

        # A request to a proxy names the whole URI.
        request = (f'GET {URI} HTTP/1.1\r\n'
                   f'Host: {remote.get_destination_hostname()}\r\n'
                   'Connection: close\r\n'
                   '\r\n')
        connection.get_output_stream().write_all(request.encode(), None)
        response = read_to_end(connection.get_input_stream())
        print(f'client: received\n{response}', end='')
        if not response.startswith('HTTP/1.1 200 '):
            raise RuntimeError('expected 200 OK')
        connection.close(None)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except (GLib.Error, OSError, RuntimeError) as error:
        print(f'Error: {getattr(error, "message", error)}', file=sys.stderr)
        sys.exit(1)
