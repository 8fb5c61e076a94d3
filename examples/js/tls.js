#!/usr/bin/env -S gjs -m
// tls.js: TLS to a server whose certificate a CA of your own signed, with
// ALPN.
//
// Copyright 2026 The libdial developers
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The client trusts only the CA in CERTS/ca.pem, offers two application
// protocols ("echo/2", then "echo/1") and learns which one the server
// picked; then it sends a line through the TLS connection and reads the
// server's echo. CERTS is a directory made by examples/make-certs.sh: the
// test suite makes one when it builds the examples.
//
// The server (exampleServers.js) is GIO's TLS server, so it needs
// glib-networking; without it the script says so and exits with 77,
// "skipped". The client side needs nothing of the sort: where
// glib-networking is missing, libdial uses its own TLS provider.
//
// From a build tree:
//   sh examples/make-certs.sh /tmp/certs
//   GI_TYPELIB_PATH=build/src LD_LIBRARY_PATH=build/src gjs -m tls.js /tmp/certs

import Dial from 'gi://Dial?version=1.0';
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import System from 'system';

import {lineReader, readLine, startTlsEchoServer, writeAll} from './exampleServers.js';

Gio._promisify(Dial.SocketClient.prototype, 'connect_to_host_async');
Gio._promisify(Gio.IOStream.prototype, 'close_async');

const CLIENT_PROTOCOLS = ['echo/2', 'echo/1'];
const SERVER_PROTOCOLS = ['echo/1'];

async function main(certs) {
    // A file database wants an absolute path.
    certs = Gio.File.new_for_path(certs).get_path();
    const server = startTlsEchoServer(GLib.build_filenamev([certs, 'server.pem']),
        GLib.build_filenamev([certs, 'server-key.pem']), SERVER_PROTOCOLS);

    // The CA as a database of trusted certificates. Use libdial's
    // constructor, not Gio.TlsFileDatabase.new(): the database must come
    // from the TLS provider that the client uses, which may be libdial's.
    const database = Dial.tls_file_database_new(GLib.build_filenamev([certs, 'ca.pem']));

    const client = new Dial.SocketClient({tls: true});

    // A TLS connect emits TLS_HANDSHAKING with the new Gio.TlsClientConnection
    // before its handshake starts: the moment to say which certificates to
    // trust and which protocols to offer. client.connect() is the client's
    // connect method, which hides GObject's connect() for signals (as with
    // Gio.SocketClient): call GObject's directly.
    GObject.Object.prototype.connect.call(client, 'event', (_client, event, _connectable, connection) => {
        if (event === Gio.SocketClientEvent.TLS_HANDSHAKING) {
            connection.set_database(database);
            connection.set_advertised_protocols(CLIENT_PROTOCOLS);
        }
    });

    // The certificate is checked against the name connected to.
    const hostAndPort = `localhost:${server.port}`;
    const connection = await client.connect_to_host_async(hostAndPort, 0, null);

    // What a TLS connect returns is a Gio.TcpWrapperConnection whose base
    // stream is the Gio.TlsConnection.
    const tls = connection.get_base_io_stream();
    const protocol = tls.get_negotiated_protocol();
    const subject = tls.get_peer_certificate().get_subject_name();
    print(`client: TLS to ${hostAndPort}, certificate "${subject}", ALPN protocol ${protocol}`);
    if (protocol !== 'echo/1')
        throw new Error('expected ALPN to pick echo/1');

    // Then it is a stream like any other.
    await writeAll(connection.get_output_stream(), 'hello over TLS\n');
    const echo = await readLine(lineReader(connection.get_input_stream()));
    print(`client: received "${echo}"`);

    // Closing sends TLS close_notify, then closes the socket.
    await connection.close_async(GLib.PRIORITY_DEFAULT, null);
    server.stop();
}

if (ARGV.length !== 1) {
    printerr('usage: tls.js CERTS   (a directory made by make-certs.sh)');
    System.exit(2);
}
if (!Gio.TlsBackend.get_default().supports_tls()) {
    print("skipped: the example's TLS server needs glib-networking");
    System.exit(77);
}

const loop = new GLib.MainLoop(null, false);
let status = 1;
main(ARGV[0])
    .then(() => (status = 0))
    .catch(error => printerr(`Error: ${error.message}`))
    .finally(() => loop.quit());
loop.run();
System.exit(status);
