#!/usr/bin/python3
# connect_to_uri.py: connect to the host and port of a URI, then speak
# HTTP/1.1 over the connection.
#
# Copyright 2026 The libdial developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# client.connect_to_uri() takes the host and port from the URI (the default
# port only when the URI has none) and nothing else: the path and query
# are the application's, and an https:// URI does not turn TLS on (set the
# "tls" property for that). The proxy resolver is asked about the URI's
# scheme, host and port (http://localhost:PORT).
#
# The HTTP server (example_servers.py) listens on 127.0.0.1 and answers
# every request with a text that quotes it. "localhost" resolves to ::1 and
# 127.0.0.1 (GLib answers that name itself, without DNS); ::1 is tried
# first and refused, then 127.0.0.1 is connected.
#
# From a build tree:
#   GI_TYPELIB_PATH=build/src LD_LIBRARY_PATH=build/src python3 connect_to_uri.py

import sys
import urllib.parse

import gi
gi.require_version('Gio', '2.0')
gi.require_version('Dial', '1.0')
from gi.repository import Dial, GLib  # noqa: E402

import example_servers  # noqa: E402


def read_to_end(stream):
    data = b''
    while chunk := stream.read_bytes(4096, None).get_data():
        data += chunk
    return data.decode()


def main():
    with example_servers.HttpServer() as server:
        uri = f'http://localhost:{server.port}/hello?lang=en'

        # Port 80 would apply to a URI without a port.
        client = Dial.SocketClient.new()
        connection = client.connect_to_uri(uri, 80, None)
        print(f'client: {uri} is {connection.get_remote_address().to_string()}',
              flush=True)

        # The rest of the URI is for the request.
        parts = urllib.parse.urlsplit(uri)
        target = parts.path + ('?' + parts.query if parts.query else '')
        request = (f'GET {target} HTTP/1.1\r\n'
                   f'Host: {parts.netloc}\r\n'
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
