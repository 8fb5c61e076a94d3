#!/usr/bin/python3
# consumer.py: the installed Dial typelib, used from PyGObject.
#
# Copyright 2026 The libdial developers
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by test-install.sh with GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing
# only at the installed tree, whose prefix is argv[1]. Exits non-zero on
# any failure.

import os
import socket
import sys

import gi

gi.require_version('GIRepository', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Dial', '1.0')
from gi.repository import GIRepository, GObject, Gio, Dial  # noqa: E402


def fail(message):
    print('consumer.py: ' + message, file=sys.stderr)
    sys.exit(1)


prefix = os.path.realpath(sys.argv[1])

typelib = GIRepository.Repository.get_default().get_typelib_path('Dial')
if not os.path.realpath(typelib).startswith(prefix + os.sep):
    fail('Dial typelib loaded from %s, not from %s' % (typelib, prefix))

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(('127.0.0.1', 0))
listener.listen(1)
port = listener.getsockname()[1]

client = Dial.SocketClient.new()
events = []
GObject.Object.connect(client, 'event',
                       lambda c, event, able, conn: events.append(event))
conn = client.connect_to_host('127.0.0.1', port, None)
E = Gio.SocketClientEvent
expected = [E.RESOLVING, E.RESOLVED, E.CONNECTING, E.CONNECTED, E.COMPLETE]
if events != expected:
    fail('events %r, expected %r' % (events, expected))
if conn.get_remote_address().get_port() != port:
    fail('connected to the wrong port')

accepted, _ = listener.accept()
conn.get_output_stream().write_all(b'hello', None)
if accepted.recv(5) != b'hello':
    fail('the server did not read "hello"')

with open('/proc/self/maps') as maps:
    libs = {line.split()[-1] for line in maps if 'libdial-1.0.so' in line}
if not libs or not all(os.path.realpath(p).startswith(prefix + os.sep)
                       for p in libs):
    fail('libdial mapped from %r, not from %s' % (sorted(libs), prefix))

print('consumer.py: Dial from %s connected to 127.0.0.1:%d' % (typelib, port))
