#!/usr/bin/env -S gjs -m
// application-proxy.js: a proxy protocol the application speaks itself.
//
// Copyright 2026 The libdial developers
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// An HTTP forward proxy takes "GET http://host/path HTTP/1.1" and fetches
// the page; no CONNECT tunnel is involved. libdial cannot know that an
// HTTP client wants that rather than a tunnel, so the application says so:
// client.add_application_proxy('http'). Then, when the proxy resolver
// answers an http:// proxy, the client stops after connecting to the proxy
// (no negotiation, and no TLS even with the "tls" property set) and
// returns that connection, whose remote address is a Gio.ProxyAddress that
// tells the application where it really wanted to go.
//
// The proxy here (exampleServers.js) answers every request itself with a
// text that quotes it; a real one would fetch the page. The destination,
// www.example.test, is never resolved: only the proxy would need to.
//
// From a build tree:
//   GI_TYPELIB_PATH=build/src LD_LIBRARY_PATH=build/src gjs -m application-proxy.js

import Dial from 'gi://Dial?version=1.0';
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import System from 'system';

import {readToEnd, startHttpServer, writeAll} from './exampleServers.js';

Gio._promisify(Dial.SocketClient.prototype, 'connect_to_uri_async');

const URI = 'http://www.example.test/hello';

async function main() {
    const proxy = startHttpServer('HTTP proxy');

    // Every destination goes through the proxy.
    const resolver = Gio.SimpleProxyResolver.new(`http://127.0.0.1:${proxy.port}`, null);
    const client = new Dial.SocketClient({proxy_resolver: resolver});
    client.add_application_proxy('http');

    // connect_to_uri() rather than connect_to_host(): the proxy resolver is
    // asked about http://www.example.test:80, not none://...
    const connection = await client.connect_to_uri_async(URI, 80, null);

    // Connected to the proxy, and nothing more: check that it is the case
    // and for which protocol, then speak it.
    const remote = connection.get_remote_address();
    if (!(remote instanceof Gio.ProxyAddress) || remote.get_protocol() !== 'http')
        throw new Error('expected a connection to an http proxy');
    print(`client: connected to the ${remote.get_protocol()} proxy at ${remote.to_string()}, ` +
        `for ${remote.get_destination_hostname()}:${remote.get_destination_port()}`);

    // A request to a proxy names the whole URI.
    await writeAll(connection.get_output_stream(),
        `GET ${URI} HTTP/1.1\r\n` +
        `Host: ${remote.get_destination_hostname()}\r\n` +
        'Connection: close\r\n' +
        '\r\n');
    const response = await readToEnd(connection.get_input_stream());
    print(`client: received\n${response.trimEnd()}`);
    if (!response.startsWith('HTTP/1.1 200 '))
        throw new Error('expected 200 OK');

    connection.close(null);
    proxy.stop();
}

const loop = new GLib.MainLoop(null, false);
let status = 1;
main()
    .then(() => (status = 0))
    .catch(error => printerr(`Error: ${error.message}`))
    .finally(() => loop.quit());
loop.run();
System.exit(status);
