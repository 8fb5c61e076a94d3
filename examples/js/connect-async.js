#!/usr/bin/env gjs
// connect-async.js: connect asynchronously with Dial.SocketClient, print each
// event the client emits, then read the server's greeting.
//
// Copyright 2026 The libdial developers
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Everything runs on one GLib.MainLoop: the server this script starts on
// 127.0.0.1 (a Gio.SocketService that greets each client and hangs up), the
// connect, and the read.
//
// From a build tree:
//   GI_TYPELIB_PATH=build/src LD_LIBRARY_PATH=build/src gjs connect-async.js

imports.gi.versions.Gio = '2.0';
imports.gi.versions.Dial = '1.0';
const {Dial, Gio, GLib, GObject} = imports.gi;

// Gio.SocketClientEvent.CONNECTING is just a number: find its name.
function eventName(event) {
    const entry = Object.entries(Gio.SocketClientEvent)
        .find(([, value]) => value === event);
    return entry ? entry[0].toLowerCase() : `${event}`;
}

function startServer() {
    const service = Gio.SocketService.new();
    const address = Gio.InetSocketAddress.new_from_string('127.0.0.1', 0);
    const [, effective] = service.add_address(address, Gio.SocketType.STREAM,
        Gio.SocketProtocol.TCP, null);

    // The server: greet, then close.  A few bytes fit in the socket's
    // buffer, so this write does not block.
    service.connect('incoming', (_service, connection) => {
        const greeting = new TextEncoder().encode('hello from the server\n');
        connection.get_output_stream().write_all(greeting, null);
        connection.close(null);
        return true;
    });
    service.start();
    return [service, effective.get_port()];
}

const loop = new GLib.MainLoop(null, false);
const [service, port] = startServer();
let connection = null;
let status = 1;

const client = Dial.SocketClient.new();
// The client's own connect() method hides GObject's connect() for signals
// (as with Gio.SocketClient): call GObject's directly.
GObject.Object.prototype.connect.call(client, 'event',
    (_client, event) => print(`event: ${eventName(event)}`));

// Returns at once; the callback runs from the main loop when done.
client.connect_to_host_async(`127.0.0.1:${port}`, 0, null, (_client, result) => {
    try {
        connection = client.connect_to_host_finish(result);
    } catch (error) {
        printerr(`Could not connect: ${error.message}`);
        loop.quit();
        return;
    }
    print(`connected to ${connection.get_remote_address().to_string()}`);

    // Read the greeting without blocking the loop.
    const lines = Gio.DataInputStream.new(connection.get_input_stream());
    lines.read_line_async(GLib.PRIORITY_DEFAULT, null, (_lines, lineResult) => {
        try {
            const [line] = lines.read_line_finish_utf8(lineResult);
            if (line === null) {
                printerr('The server closed the connection');
            } else {
                print(`received: "${line}"`);
                status = 0;
            }
        } catch (error) {
            printerr(`Could not read: ${error.message}`);
        }
        loop.quit();
    });
});

loop.run();
if (connection !== null)
    connection.close(null);
service.stop();
imports.system.exit(status);
