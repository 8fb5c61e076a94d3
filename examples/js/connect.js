#!/usr/bin/env gjs
// connect.js: connect with Dial.SocketClient, write a line, read the reply.
//
// Copyright 2026 The libdial developers
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The blocking API, in one thread.  To have something to talk to, the
// script first opens a listener of its own on 127.0.0.1.  The kernel
// completes a TCP handshake without waiting for accept(), so this one
// thread can connect first and play the server's part afterwards.
//
// From a build tree:
//   GI_TYPELIB_PATH=build/src LD_LIBRARY_PATH=build/src gjs connect.js

imports.gi.versions.Gio = '2.0';
imports.gi.versions.Dial = '1.0';
const {Dial, Gio} = imports.gi;

// A listener on 127.0.0.1, on a port the system picks.
function startListener() {
    const listener = Gio.SocketListener.new();
    const address = Gio.InetSocketAddress.new_from_string('127.0.0.1', 0);
    const [, effective] = listener.add_address(address, Gio.SocketType.STREAM,
        Gio.SocketProtocol.TCP, null);
    return [listener, effective.get_port()];
}

function writeLine(stream, line) {
    const bytes = new TextEncoder().encode(`${line}\n`);
    stream.get_output_stream().write_all(bytes, null);
}

// Reads one line from a Gio.IOStream, without its newline.
function readLine(stream) {
    const lines = Gio.DataInputStream.new(stream.get_input_stream());
    // Leave the connection's stream open when `lines` goes away.
    lines.set_close_base_stream(false);
    const [line] = lines.read_line_utf8(null);
    if (line === null)
        throw new Error('the peer closed the connection');
    return line;
}

// The server's part: accept the connection, read a line, answer it.
function serveOneLine(listener) {
    const [connection] = listener.accept(null);
    const request = readLine(connection);
    print(`server: received "${request}"`);
    writeLine(connection, `you said: ${request}`);
    connection.close(null);
}

function main() {
    const [listener, port] = startListener();

    // One call resolves the name, tries its addresses in turn and returns a
    // connected Gio.SocketConnection, exactly as Gio.SocketClient would.
    // Failures throw a GLib.Error.
    const client = Dial.SocketClient.new();
    const connection = client.connect_to_host(`127.0.0.1:${port}`, 0, null);
    const remote = connection.get_remote_address();
    print(`client: connected to ${remote.to_string()}`);

    // A Gio.SocketConnection is a Gio.IOStream: write to its output stream...
    writeLine(connection, 'hello');
    serveOneLine(listener);

    // ...and read from its input stream.
    print(`client: received "${readLine(connection)}"`);
    connection.close(null);
}

try {
    main();
} catch (error) {
    printerr(`Error: ${error.message}`);
    imports.system.exit(1);
}
