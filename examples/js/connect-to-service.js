#!/usr/bin/env -S gjs -m
// connect-to-service.js: connect to a service by its SRV record.
//
// Copyright 2026 The libdial developers
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// client.connect_to_service('example.test', 'echo') asks DNS for the SRV
// record _echo._tcp.example.test, which names the servers of the service
// (host and port, by priority and weight), and connects to the first of
// them that answers.
//
// An example cannot ask real DNS, so this script installs a resolver that
// answers from a table as the process's default, with
// resolver.set_default(). Real programs never do that: they let GIO
// ask the system's resolver. GJS cannot implement GResolver's asynchronous
// methods, so the resolver is the C one of the C example
// (c/example-resolver.c), which the build turns into
// DialExample-1.0.typelib. Everything else here is what a real program
// does.
//
// From a build tree:
//   GI_TYPELIB_PATH=build/src:build/examples LD_LIBRARY_PATH=build/src:build/examples \
//     gjs -m connect-to-service.js

import Dial from 'gi://Dial?version=1.0';
import DialExample from 'gi://DialExample?version=1.0';
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import System from 'system';

import {lineReader, readLine, startEchoServer, writeAll} from './exampleServers.js';

Gio._promisify(Dial.SocketClient.prototype, 'connect_to_service_async');

async function main() {
    const server = startEchoServer();

    // The example's DNS: _echo._tcp.example.test is served by
    // echo.example.test on the server's port; echo.example.test is
    // 127.0.0.1. (Not in a real program.)
    const resolver = DialExample.Resolver.new();
    resolver.add_service('echo', 'tcp', 'example.test', 'echo.example.test', server.port);
    resolver.add_address('echo.example.test', '127.0.0.1');
    resolver.set_default();

    const client = new Dial.SocketClient();
    const connection = await client.connect_to_service_async('example.test', 'echo', null);
    print(`client: the echo service of example.test is at ${connection.get_remote_address().to_string()}`);

    await writeAll(connection.get_output_stream(), 'hello, service\n');
    const echo = await readLine(lineReader(connection.get_input_stream()));
    print(`client: received "${echo}"`);

    connection.close(null);
    server.stop();
}

const loop = new GLib.MainLoop(null, false);
let status = 1;
main()
    .then(() => (status = 0))
    .catch(error => printerr(`Error: ${error.message}`))
    .finally(() => loop.quit());
loop.run();
System.exit(status);
