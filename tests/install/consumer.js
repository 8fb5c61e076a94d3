// consumer.js: the installed Dial typelib, used from GJS (gjs -m).
//
// Copyright 2026 The libdial developers
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run by test-install.sh with GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing
// only at the installed tree, whose prefix is the first argument. Connects
// synchronously, then asynchronously on a GLib.MainLoop. Exits non-zero on
// any failure.

import GIRepository from 'gi://GIRepository?version=2.0';
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import Dial from 'gi://Dial?version=1.0';
import System from 'system';

function fail(message) {
    printerr(`consumer.js: ${message}`);
    System.exit(1);
}

const prefix = GLib.canonicalize_filename(ARGV[0], null);
const typelib = GIRepository.Repository.get_default().get_typelib_path('Dial');
if (!GLib.canonicalize_filename(typelib, null).startsWith(`${prefix}/`))
    fail(`Dial typelib loaded from ${typelib}, not from ${prefix}`);

const listener = new Gio.SocketListener();
const [, bound] = listener.add_address(
    Gio.InetSocketAddress.new_from_string('127.0.0.1', 0),
    Gio.SocketType.STREAM, Gio.SocketProtocol.TCP, null);
const port = bound.get_port();

const E = Gio.SocketClientEvent;
const expected = [E.RESOLVING, E.RESOLVED, E.CONNECTING, E.CONNECTED, E.COMPLETE];
const client = new Dial.SocketClient();
const events = [];
// SocketClient.connect() is the connect method, not the signal one.
GObject.Object.prototype.connect.call(client, 'event', (c, event) => events.push(event));

function checkEvents(what) {
    if (JSON.stringify(events) !== JSON.stringify(expected))
        fail(`${what}: events ${JSON.stringify(events)}, expected ${JSON.stringify(expected)}`);
    events.length = 0;
}

const conn = client.connect_to_host('127.0.0.1', port, null);
checkEvents('sync');
if (conn.get_remote_address().get_port() !== port)
    fail('sync: connected to the wrong port');

const loop = new GLib.MainLoop(null, false);
let asyncConn = null;
let asyncError = null;
client.connect_to_host_async(`127.0.0.1:${port}`, 0, null, (c, res) => {
    try {
        asyncConn = c.connect_to_host_finish(res);
    } catch (e) {
        asyncError = e;
    }
    loop.quit();
});
const guard = GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 60, () => fail('async: never completed'));
loop.run();
GLib.source_remove(guard);
if (asyncError)
    fail(`async: ${asyncError}`);
checkEvents('async');
if (!(asyncConn instanceof Gio.TcpConnection))
    fail('async: not a TCP connection');

print(`consumer.js: Dial from ${typelib} connected to 127.0.0.1:${port}`);
