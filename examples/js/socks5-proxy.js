#!/usr/bin/env -S gjs -m
// socks5-proxy.js: connect through a SOCKS5 proxy, and watch the proxy
// stage in the client's events.
//
// Copyright 2026 The libdial developers
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The script starts an echo server and a SOCKS5 proxy on 127.0.0.1
// (exampleServers.js). The client takes its proxy from an environment, as
// a shell would give it: all_proxy=socks5h://127.0.0.1:PORT, read by a
// Dial.EnvironmentProxyResolver. (A Gio.SimpleProxyResolver, or all_proxy
// set in the real environment, would do as well.) With socks5h:// the name
// "localhost" goes to the proxy, which resolves it: the client never does.
//
// From a build tree:
//   GI_TYPELIB_PATH=build/src LD_LIBRARY_PATH=build/src gjs -m socks5-proxy.js

import Dial from 'gi://Dial?version=1.0';
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import System from 'system';

import {lineReader, readLine, startEchoServer, startSocks5Proxy, writeAll} from './exampleServers.js';

Gio._promisify(Dial.SocketClient.prototype, 'connect_to_host_async');

// Gio.SocketClientEvent.CONNECTING is just a number: find its name.
function eventName(event) {
    const entry = Object.entries(Gio.SocketClientEvent).find(([, value]) => value === event);
    return entry ? entry[0].toLowerCase().replace('_', '-') : `${event}`;
}

async function main() {
    const echo = startEchoServer();
    const proxy = startSocks5Proxy();

    const resolver = Dial.EnvironmentProxyResolver.new_for_environ(
        [`all_proxy=socks5h://127.0.0.1:${proxy.port}`]);
    const client = new Dial.SocketClient({proxy_resolver: resolver});
    GObject.Object.prototype.connect.call(client, 'event',
        (_client, event) => print(`event: ${eventName(event)}`));

    const connection = await client.connect_to_host_async(`localhost:${echo.port}`, 0, null);

    // Through a proxy, the remote address is a Gio.ProxyAddress: the
    // proxy's address, with the destination and the protocol spoken to the
    // proxy.
    const remote = connection.get_remote_address();
    if (!(remote instanceof Gio.ProxyAddress))
        throw new Error('expected a Gio.ProxyAddress');
    print(`client: connected to ${remote.get_destination_hostname()}:${remote.get_destination_port()} ` +
        `through the ${remote.get_protocol()} proxy at ${remote.to_string()}`);

    // The connection is a tunnel to the echo server.
    await writeAll(connection.get_output_stream(), 'hello through the proxy\n');
    const line = await readLine(lineReader(connection.get_input_stream()));
    print(`client: received "${line}"`);

    connection.close(null);
    proxy.stop();
    echo.stop();
}

const loop = new GLib.MainLoop(null, false);
let status = 1;
main()
    .then(() => (status = 0))
    .catch(error => printerr(`Error: ${error.message}`))
    .finally(() => loop.quit());
loop.run();
System.exit(status);
