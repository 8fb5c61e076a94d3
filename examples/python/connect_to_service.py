#!/usr/bin/python3
# connect_to_service.py: connect to a service by its SRV record.
#
# Copyright 2026 The libdial developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# client.connect_to_service('example.test', 'echo') asks DNS for the SRV
# record _echo._tcp.example.test, which names the servers of the service
# (host and port, by priority and weight), and connects to the first of
# them that answers.
#
# An example cannot ask real DNS, so this script installs a resolver that
# answers from a table (TableResolver, below) as the process's default,
# with Gio.Resolver.set_default(). Real programs never do that: they let
# GIO ask the system's resolver. Everything else here is what a real
# program does.
#
# From a build tree:
#   GI_TYPELIB_PATH=build/src LD_LIBRARY_PATH=build/src python3 connect_to_service.py

import sys

import gi
gi.require_version('Gio', '2.0')
gi.require_version('Dial', '1.0')
from gi.repository import Dial, Gio, GLib  # noqa: E402

import example_servers  # noqa: E402


class TableResolver(Gio.Resolver):
    """Answers SRV and name lookups from two tables. (Not in a real program.)

    Only the asynchronous lookups are asked for, even in a blocking
    connect (libdial runs the same engine both ways), and those are the
    ones PyGObject can implement. Each answer is kept until GIO asks for it
    with the _finish method."""

    def __init__(self, services, addresses):
        super().__init__()
        self.services = services    # rrname => [(host, port)]
        self.addresses = addresses  # host name => [IP address]
        self.answers = {}           # Gio.Task => the answer it carries

    def _answer(self, cancellable, callback, answer, what):
        task = Gio.Task.new(self, cancellable,
                            lambda source, result, *_: callback(source, result),
                            None)
        if answer:
            self.answers[task] = answer
            task.return_boolean(True)
        else:
            task.return_error(GLib.Error.new_literal(
                Gio.resolver_error_quark(), f'no {what}',
                Gio.ResolverError.NOT_FOUND))

    def _take_answer(self, task):
        task.propagate_boolean()  # raises the task's error, if any
        return self.answers.pop(task)

    def do_lookup_service_async(self, rrname, cancellable, callback, _data):
        targets = [Gio.SrvTarget.new(host, port, 0, 0)
                   for host, port in self.services.get(rrname, [])]
        self._answer(cancellable, callback, targets, f'SRV record for {rrname}')

    def do_lookup_service_finish(self, result):
        return self._take_answer(result)

    def do_lookup_by_name_with_flags_async(self, hostname, flags, cancellable,
                                           callback, _data):
        addresses = [Gio.InetAddress.new_from_string(a)
                     for a in self.addresses.get(hostname, [])]
        if flags & Gio.ResolverNameLookupFlags.IPV4_ONLY:
            addresses = [a for a in addresses
                         if a.get_family() == Gio.SocketFamily.IPV4]
        if flags & Gio.ResolverNameLookupFlags.IPV6_ONLY:
            addresses = [a for a in addresses
                         if a.get_family() == Gio.SocketFamily.IPV6]
        self._answer(cancellable, callback, addresses, f'address for {hostname}')

    def do_lookup_by_name_with_flags_finish(self, result):
        return self._take_answer(result)


def main():
    with example_servers.EchoServer() as server:
        # The example's DNS: _echo._tcp.example.test is served by
        # echo.example.test on the server's port; echo.example.test is
        # 127.0.0.1. (Not in a real program.)
        Gio.Resolver.set_default(TableResolver(
            {'_echo._tcp.example.test': [('echo.example.test', server.port)]},
            {'echo.example.test': ['127.0.0.1']}))

        client = Dial.SocketClient.new()
        connection = client.connect_to_service('example.test', 'echo', None)
        print('client: the echo service of example.test is at '
              f'{connection.get_remote_address().to_string()}', flush=True)

        connection.get_output_stream().write_all(b'hello, service\n', None)
        lines = Gio.DataInputStream.new(connection.get_input_stream())
        lines.set_close_base_stream(False)
        echo, _ = lines.read_line_utf8(None)
        print(f'client: received "{echo}"')
        connection.close(None)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except (GLib.Error, OSError, RuntimeError) as error:
        print(f'Error: {getattr(error, "message", error)}', file=sys.stderr)
        sys.exit(1)
