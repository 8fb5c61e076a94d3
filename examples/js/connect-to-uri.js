#!/usr/bin/env -S gjs -m
// connect-to-uri.js: connect to the host and port of a URI, then speak
// HTTP/1.1 over the connection.
//
// Copyright 2026 The libdial developers
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// client.connect_to_uri() takes the host and port from the URI (the
// default port only when the URI has none) and nothing else: the path and
// query are the application's, and an https:// URI does not turn TLS on
// (set the "tls" property for that). The proxy resolver is asked about the
// URI's scheme, host and port (http://localhost:PORT).
//
// The HTTP server (exampleServers.js) listens on 127.0.0.1 and answers
// every request with a text that quotes it. "localhost" resolves to ::1
// and 127.0.0.1 (GLib answers that name itself, without DNS); ::1 is tried
// first and refused, then 127.0.0.1 is connected.
//
// From a build tree:
//   GI_TYPELIB_PATH=build/src LD_LIBRARY_PATH=build/src gjs -m connect-to-uri.js

import Dial from 'gi://Dial?version=1.0';
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import System from 'system';

import {readToEnd, startHttpServer, writeAll} from './exampleServers.js';

Gio._promisify(Dial.SocketClient.prototype, 'connect_to_uri_async');

async function main() {
    const server = startHttpServer();
    const uri = `http://localhost:${server.port}/hello?lang=en`;

    // Port 80 would apply to a URI without a port.
    const client = new Dial.SocketClient();
    const connection = await client.connect_to_uri_async(uri, 80, null);
    print(`client: ${uri} is ${connection.get_remote_address().to_string()}`);

    // The rest of the URI is for the request.
    const parsed = GLib.Uri.parse(uri, GLib.UriFlags.NONE);
    const target = parsed.get_query() ? `${parsed.get_path()}?${parsed.get_query()}` : parsed.get_path();
    await writeAll(connection.get_output_stream(),
        `GET ${target} HTTP/1.1\r\n` +
        `Host: ${parsed.get_host()}:${parsed.get_port()}\r\n` +
        'Connection: close\r\n' +
        '\r\n');
    const response = await readToEnd(connection.get_input_stream());
    print(`client: received\n${response.trimEnd()}`);
    if (!response.startsWith('HTTP/1.1 200 '))
        throw new Error('expected 200 OK');

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
