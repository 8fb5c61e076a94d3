// test-gjs.js: Dial.SocketClient driven through GJS (run with gjs -m).
//
// Copyright 2026 The libdial developers
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Every method, property and the signal of Dial.SocketClient, used from
// JavaScript against servers this script starts on 127.0.0.1 (port 0),
// with the asynchronous calls on a GLib.MainLoop. Nothing here talks to
// DNS. Prints TAP; exits non-zero when a test fails.
//
// With DIAL_BINDINGS_REFERENCE=gio the same assertions run against
// Gio.SocketClient, which shows that they describe GIO's behaviour.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import System from 'system';

const REFERENCE = GLib.getenv('DIAL_BINDINGS_REFERENCE') === 'gio';
const Client = REFERENCE
    ? Gio.SocketClient
    : (await import('gi://Dial?version=1.0')).default.SocketClient;
const CLIENT_TYPE_NAME = REFERENCE ? 'GSocketClient' : 'DialSocketClient';

const Event = Gio.SocketClientEvent;
const DIRECT = [Event.RESOLVING, Event.RESOLVED, Event.CONNECTING,
    Event.CONNECTED, Event.COMPLETE];
const HANG_GUARD_SECONDS = 60;
// g_hostname_to_ascii() rejects it, so the SRV lookup fails with
// "Invalid domain" before any DNS query.
const INVALID_DOMAIN = `${'\u00e4'.repeat(100)}.test`;

// SocketClient.connect() is the connect method, not the signal one.
const connectSignal = (obj, name, fn) =>
    GObject.Object.prototype.connect.call(obj, name, fn);

/* assertions */

class AssertionError extends Error {}

function assert(cond, msg) {
    if (!cond)
        throw new AssertionError(msg ?? 'assertion failed');
}

function assertEqual(actual, expected, msg) {
    const a = JSON.stringify(actual), e = JSON.stringify(expected);
    if (a !== e)
        throw new AssertionError(`${msg ?? ''}: expected ${e}, got ${a}`);
}

function assertSame(actual, expected, msg) {
    if (actual !== expected)
        throw new AssertionError(`${msg ?? ''}: not the same object (${actual} vs ${expected})`);
}

function assertError(err, domain, code, message, prefix) {
    assert(err instanceof GLib.Error, `expected a GLib.Error, got ${err}`);
    assert(err.matches(domain, code),
        `expected ${domain.$gtype?.name ?? domain} ${code}, got ${err.domain} ${err.code}: ${err.message}`);
    if (message !== undefined)
        assertEqual(err.message, message, 'error message');
    if (prefix !== undefined)
        assert(err.message.startsWith(prefix), `message "${err.message}" does not start with "${prefix}"`);
}

function assertThrows(fn, domain, code, message, prefix) {
    let err = null;
    try {
        fn();
    } catch (e) {
        err = e;
    }
    assert(err !== null, 'expected an error, the call succeeded');
    assertError(err, domain, code, message, prefix);
    return err;
}

/* main loop helpers */

// The loop iterateUntil() runs; wake() makes it check its condition.
let currentLoop = null;
function wake() {
    currentLoop?.quit();
}

function iterateUntil(done, what) {
    if (done())
        return;
    const loop = new GLib.MainLoop(null, false);
    let hung = false;
    const guard = GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, HANG_GUARD_SECONDS, () => {
        hung = true;
        loop.quit();
        return GLib.SOURCE_REMOVE;
    });
    const outer = currentLoop;
    currentLoop = loop;
    try {
        while (!hung && !done())
            loop.run();
    } finally {
        currentLoop = outer;
    }
    if (!hung)
        GLib.source_remove(guard);
    assert(!hung, `${what} never completed`);
}

// Calls start(callback), iterates until the callback ran and returns
// [source, result]. Checks that the callback did not run inside the
// _async call and, given rec, that COMPLETE was the last event before it.
function runAsync(start, rec) {
    let box = null;
    start((source, result) => {
        box = {source, result, kinds: rec ? rec.kinds() : null};
        wake();
    });
    assert(box === null, 'the callback ran inside the _async call');
    iterateUntil(() => box !== null, 'the async operation');
    if (rec && box.kinds.length > 0) {
        assertEqual(box.kinds[box.kinds.length - 1], Event.COMPLETE,
            'COMPLETE must be the last event before the callback');
        assertEqual(box.kinds, rec.kinds(), 'no event may follow the callback');
    }
    return [box.source, box.result];
}

/* servers */

// A Gio.SocketService on 127.0.0.1 port 0. 'echo' sends back what it
// reads; 'close' reads once (a ClientHello, say) and closes.
class Server {
    constructor(mode = 'echo') {
        this.mode = mode;
        this.conns = [];
        this.service = new Gio.SocketService();
        const [ok, effective] = this.service.add_address(
            Gio.InetSocketAddress.new_from_string('127.0.0.1', 0),
            Gio.SocketType.STREAM, Gio.SocketProtocol.TCP, null);
        assert(ok, 'could not listen');
        this.port = effective.get_port();
        connectSignal(this.service, 'incoming', (service, conn) => {
            this.conns.push(conn);
            this._serve(conn);
            return true;
        });
        this.service.start();
    }

    _serve(conn) {
        conn.get_input_stream().read_bytes_async(4096, GLib.PRIORITY_DEFAULT, null, (stream, res) => {
            let bytes;
            try {
                bytes = stream.read_bytes_finish(res);
            } catch (e) {
                conn.close(null);
                return;
            }
            if (bytes.get_size() === 0 || this.mode === 'close') {
                conn.close(null);
                return;
            }
            conn.get_output_stream().write_bytes_async(bytes, GLib.PRIORITY_DEFAULT, null, (out, wres) => {
                try {
                    out.write_bytes_finish(wres);
                } catch (e) {
                    conn.close(null);
                    return;
                }
                this._serve(conn);
            });
        });
    }

    stop() {
        this.service.stop();
        this.service.close();
        for (const conn of this.conns)
            conn.close(null);
    }
}

// A socket bound to 127.0.0.1 but never listening: connects are refused.
function refusedPort() {
    const sock = Gio.Socket.new(Gio.SocketFamily.IPV4, Gio.SocketType.STREAM,
        Gio.SocketProtocol.TCP);
    sock.bind(Gio.InetSocketAddress.new_from_string('127.0.0.1', 0), false);
    return [sock, sock.get_local_address().get_port()];
}

function assertEcho(conn) {
    assert(conn instanceof Gio.SocketConnection, `not a socket connection: ${conn}`);
    const ping = new TextEncoder().encode('ping\n');
    conn.get_output_stream().write_all(ping, null);
    let got = [];
    let error = null;
    const readMore = () => {
        conn.get_input_stream().read_bytes_async(5 - got.length, GLib.PRIORITY_DEFAULT, null, (s, res) => {
            try {
                const b = s.read_bytes_finish(res);
                if (b.get_size() === 0)
                    error = new AssertionError('echo server closed');
                got = got.concat(Array.from(b.toArray()));
            } catch (e) {
                error = e;
            }
            if (!error && got.length < 5)
                readMore();
            else
                wake();
        });
    };
    readMore();
    iterateUntil(() => error !== null || got.length >= 5, 'the echo');
    if (error)
        throw error;
    assertEqual(new TextDecoder().decode(new Uint8Array(got)), 'ping\n', 'echo');
}

class EventRecorder {
    constructor(client) {
        this.client = client;
        this.events = [];
        this.id = connectSignal(client, 'event', (c, event, connectable, connection) => {
            this.events.push({client: c, event, connectable, connection});
        });
    }

    kinds() {
        return this.events.map(e => e.event);
    }

    clear() {
        this.events.length = 0;
    }
}

function assertEvents(rec, kinds, conn = null, connectable = undefined) {
    assertEqual(rec.kinds(), kinds, 'events');
    if (kinds.length === 0)
        return;
    const first = rec.events[0].connectable;
    assert(first instanceof GObject.Object, 'connectable is an object');
    for (const e of rec.events) {
        assertSame(e.client, rec.client, 'client argument');
        assertSame(e.connectable, first, 'every event carries the same connectable');
        switch (e.event) {
        case Event.RESOLVING:
        case Event.RESOLVED:
            assertSame(e.connection, null, 'no connection while resolving');
            break;
        case Event.CONNECTING:
        case Event.CONNECTED:
            assert(e.connection instanceof Gio.SocketConnection, 'CONNECTING/CONNECTED carry a socket connection');
            break;
        case Event.COMPLETE:
            assertSame(e.connection, conn, 'COMPLETE carries the result');
            break;
        }
    }
    if (connectable !== undefined)
        assertSame(first, connectable, 'the caller\'s connectable');
}

/* tests */

const tests = [];
function test(name, fn) {
    tests.push([name, fn]);
}

let echo, refusedSocket, refused;

test('/socket-client/gjs/new', () => {
    const client = Client.new();
    assert(client instanceof Client, 'instance of the class');
    assertEqual(client.constructor.$gtype.name, CLIENT_TYPE_NAME, 'type name');
    assertEqual(GObject.type_parent(Client.$gtype).name, 'GObject', 'parent type');
    const other = new Client();
    assert(other instanceof Client && other !== client, 'new Client()');
});

test('/socket-client/gjs/property-defaults', () => {
    const client = new Client();
    assertEqual(client.get_family(), Gio.SocketFamily.INVALID, 'family');
    assertEqual(client.family, Gio.SocketFamily.INVALID, 'family prop');
    assertEqual(client.get_socket_type(), Gio.SocketType.STREAM, 'type');
    assertEqual(client.type, Gio.SocketType.STREAM, 'type prop');
    assertEqual(client.get_protocol(), Gio.SocketProtocol.DEFAULT, 'protocol');
    assertEqual(client.protocol, Gio.SocketProtocol.DEFAULT, 'protocol prop');
    assertSame(client.get_local_address(), null, 'local-address');
    assertSame(client.local_address, null, 'local-address prop');
    assertEqual(client.get_timeout(), 0, 'timeout');
    assertEqual(client.timeout, 0, 'timeout prop');
    assertSame(client.get_enable_proxy(), true, 'enable-proxy');
    assertSame(client.enable_proxy, true, 'enable-proxy prop');
    assertSame(client.get_tls(), false, 'tls');
    assertSame(client.tls, false, 'tls prop');
    assertEqual(client.get_tls_validation_flags(), Gio.TlsCertificateFlags.VALIDATE_ALL, 'tls-validation-flags');
    assertEqual(client.tls_validation_flags, Gio.TlsCertificateFlags.VALIDATE_ALL, 'tls-validation-flags prop');
    assertSame(client.get_proxy_resolver(), Gio.ProxyResolver.get_default(), 'proxy-resolver');
    assertSame(client.proxy_resolver, Gio.ProxyResolver.get_default(), 'proxy-resolver prop');
});

test('/socket-client/gjs/property-set-get', () => {
    const client = new Client();
    const notified = [];
    connectSignal(client, 'notify', (obj, pspec) => notified.push(pspec.get_name()));

    const check = (set, get, prop, value) => {
        notified.length = 0;
        set.call(client, value);
        assertEqual(get.call(client), value, prop);
        assertEqual(client[prop.replaceAll('-', '_')], value, `${prop} prop`);
        assertEqual(notified, [prop], `${prop} notify`);
        notified.length = 0;
        set.call(client, value);
        assertEqual(notified, [], `${prop}: an unchanged value does not notify`);
    };
    check(client.set_family, client.get_family, 'family', Gio.SocketFamily.IPV6);
    check(client.set_socket_type, client.get_socket_type, 'type', Gio.SocketType.DATAGRAM);
    check(client.set_protocol, client.get_protocol, 'protocol', Gio.SocketProtocol.UDP);
    check(client.set_timeout, client.get_timeout, 'timeout', 9);
    check(client.set_enable_proxy, client.get_enable_proxy, 'enable-proxy', false);
    check(client.set_tls, client.get_tls, 'tls', true);
    check(client.set_tls_validation_flags, client.get_tls_validation_flags, 'tls-validation-flags',
        Gio.TlsCertificateFlags.BAD_IDENTITY);

    const address = Gio.InetSocketAddress.new_from_string('127.0.0.1', 0);
    notified.length = 0;
    client.set_local_address(address);
    assertSame(client.get_local_address(), address, 'local-address');
    assertSame(client.local_address, address, 'local-address prop');
    client.set_local_address(address);
    assertEqual(notified, ['local-address', 'local-address'], 'local-address always notifies');
    client.set_local_address(null);
    assertSame(client.get_local_address(), null, 'local-address reset');

    const resolver = Gio.SimpleProxyResolver.new('socks5://127.0.0.1:1', null);
    notified.length = 0;
    client.set_proxy_resolver(resolver);
    assertSame(client.get_proxy_resolver(), resolver, 'proxy-resolver');
    assertSame(client.proxy_resolver, resolver, 'proxy-resolver prop');
    assertEqual(notified, [], 'set_proxy_resolver does not notify');
    client.set_proxy_resolver(null);
    assertSame(client.get_proxy_resolver(), Gio.ProxyResolver.get_default(), 'proxy-resolver reset');

    // Through g_object_set() a property notifies even when unchanged.
    client.timeout = 4;
    notified.length = 0;
    client.timeout = 4;
    assertEqual(notified, ['timeout'], 'g_object_set notifies');

    const built = new Client({
        family: Gio.SocketFamily.IPV4, type: Gio.SocketType.STREAM,
        protocol: Gio.SocketProtocol.TCP, local_address: address, timeout: 2,
        enable_proxy: false, tls: true, tls_validation_flags: 0,
        proxy_resolver: resolver,
    });
    assertEqual(built.family, Gio.SocketFamily.IPV4, 'construct family');
    assertEqual(built.protocol, Gio.SocketProtocol.TCP, 'construct protocol');
    assertSame(built.local_address, address, 'construct local-address');
    assertEqual(built.timeout, 2, 'construct timeout');
    assertSame(built.enable_proxy, false, 'construct enable-proxy');
    assertSame(built.tls, true, 'construct tls');
    assertEqual(built.tls_validation_flags, 0, 'construct tls-validation-flags');
    assertSame(built.proxy_resolver, resolver, 'construct proxy-resolver');
});

test('/socket-client/gjs/connect-to-host', () => {
    const client = new Client();
    const rec = new EventRecorder(client);
    let conn = client.connect_to_host(`127.0.0.1:${echo.port}`, 1, null);
    assert(conn instanceof Gio.TcpConnection, 'a TCP connection');
    assertEvents(rec, DIRECT, conn);
    const connectable = rec.events[0].connectable;
    assert(connectable instanceof Gio.NetworkAddress, 'built a GNetworkAddress');
    assertEqual(connectable.get_hostname(), '127.0.0.1', 'hostname');
    assertEqual(connectable.get_port(), echo.port, 'port');
    assertEqual(conn.get_remote_address().get_port(), echo.port, 'remote port');
    assertSame(rec.events[2].connection, conn, 'CONNECTING carries the connection returned');
    assertEcho(conn);

    rec.clear();
    conn = client.connect_to_host('127.0.0.1', echo.port, null);
    assertEvents(rec, DIRECT, conn);
    assertEcho(conn);
});

test('/socket-client/gjs/connect', () => {
    const client = new Client();
    const rec = new EventRecorder(client);
    const address = Gio.InetSocketAddress.new_from_string('127.0.0.1', echo.port);
    const conn = client.connect(address, null);
    assertEvents(rec, DIRECT, conn, address);
    assertEcho(conn);
});

test('/socket-client/gjs/connect-to-uri', () => {
    const client = new Client();
    const rec = new EventRecorder(client);
    let conn = client.connect_to_uri(`echo://127.0.0.1:${echo.port}/x?y#z`, 1, null);
    assertEvents(rec, DIRECT, conn);
    assertEqual(rec.events[0].connectable.get_scheme(), 'echo', 'scheme');
    assertEcho(conn);

    rec.clear();
    conn = client.connect_to_uri('echo://127.0.0.1/', echo.port, null);
    assertEvents(rec, DIRECT, conn);
    assertEcho(conn);
});

test('/socket-client/gjs/connect-to-service', () => {
    const client = new Client();
    const rec = new EventRecorder(client);
    assertThrows(() => client.connect_to_service(INVALID_DOMAIN, 'dialtest', null),
        Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED, 'Invalid domain');
    assertEvents(rec, [Event.RESOLVING, Event.RESOLVED, Event.COMPLETE]);
    const connectable = rec.events[0].connectable;
    assert(connectable instanceof Gio.NetworkService, 'built a GNetworkService');
    assertEqual(connectable.get_service(), 'dialtest', 'service');
    assertEqual(connectable.get_protocol(), 'tcp', 'protocol');

    // Pre-cancelled: sync emits COMPLETE only.
    rec.clear();
    const cancellable = new Gio.Cancellable();
    cancellable.cancel();
    assertThrows(() => client.connect_to_service('example.test', 'dialtest', cancellable),
        Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
    assertEvents(rec, [Event.COMPLETE]);
});

test('/socket-client/gjs/options-applied', () => {
    const client = new Client();
    const rec = new EventRecorder(client);
    client.set_family(Gio.SocketFamily.IPV4);
    client.set_protocol(Gio.SocketProtocol.TCP);
    client.set_timeout(5);
    client.set_local_address(Gio.InetSocketAddress.new_from_string('127.0.0.1', 0));
    const conn = client.connect_to_host('127.0.0.1', echo.port, null);
    assertEvents(rec, DIRECT, conn);
    assertEqual(conn.get_socket().get_timeout(), 5, 'socket timeout');
    assertEqual(conn.get_socket().get_protocol(), Gio.SocketProtocol.TCP, 'socket protocol');
    assertEqual(conn.get_local_address().get_address().to_string(), '127.0.0.1', 'local address');
    assertEcho(conn);
});

test('/socket-client/gjs/refused', () => {
    const client = new Client();
    const rec = new EventRecorder(client);
    assertThrows(() => client.connect_to_host('127.0.0.1', refused, null),
        Gio.IOErrorEnum, Gio.IOErrorEnum.CONNECTION_REFUSED, undefined,
        'Could not connect to 127.0.0.1: ');
    assertEvents(rec, [Event.RESOLVING, Event.RESOLVED, Event.CONNECTING, Event.COMPLETE]);

    rec.clear();
    const conn = client.connect_to_host('127.0.0.1', echo.port, null);
    assertEvents(rec, DIRECT, conn);
});

test('/socket-client/gjs/parse-errors', () => {
    const client = new Client();
    const rec = new EventRecorder(client);
    assertThrows(() => client.connect_to_host('[::1', 80, null),
        Gio.IOErrorEnum, Gio.IOErrorEnum.INVALID_ARGUMENT, 'Hostname “[::1” contains “[” but not “]”');
    assertThrows(() => client.connect_to_host('host:99999', 80, null),
        Gio.IOErrorEnum, Gio.IOErrorEnum.INVALID_ARGUMENT,
        "Invalid numeric port '99999' specified in hostname 'host:99999'");
    assertThrows(() => client.connect_to_uri('asdf', 80, null),
        Gio.IOErrorEnum, Gio.IOErrorEnum.INVALID_ARGUMENT, 'Invalid URI ‘asdf’');
    assertEvents(rec, []);
});

test('/socket-client/gjs/connect-async', () => {
    const client = new Client();
    const rec = new EventRecorder(client);
    const address = Gio.InetSocketAddress.new_from_string('127.0.0.1', echo.port);
    const [source, result] = runAsync(cb => client.connect_async(address, null, cb), rec);
    assertSame(source, client, 'source object');
    const conn = client.connect_finish(result);
    assert(conn instanceof Gio.TcpConnection, 'a TCP connection');
    assertEvents(rec, DIRECT, conn, address);
    assertEcho(conn);
});

test('/socket-client/gjs/connect-to-host-async', () => {
    const client = new Client();
    const rec = new EventRecorder(client);
    let [, result] = runAsync(cb => client.connect_to_host_async(`127.0.0.1:${echo.port}`, 1, null, cb), rec);
    let conn = client.connect_to_host_finish(result);
    assertEvents(rec, DIRECT, conn);
    assertEcho(conn);

    // Any _finish accepts the result of any _async.
    rec.clear();
    [, result] = runAsync(cb => client.connect_to_host_async('127.0.0.1', echo.port, null, cb), rec);
    conn = client.connect_finish(result);
    assertEvents(rec, DIRECT, conn);
});

test('/socket-client/gjs/connect-to-uri-async', () => {
    const client = new Client();
    const rec = new EventRecorder(client);
    const [, result] = runAsync(cb => client.connect_to_uri_async(`echo://127.0.0.1:${echo.port}/`, 1, null, cb), rec);
    const conn = client.connect_to_uri_finish(result);
    assertEvents(rec, DIRECT, conn);
    assertEqual(rec.events[0].connectable.get_scheme(), 'echo', 'scheme');
    assertEcho(conn);
});

test('/socket-client/gjs/connect-to-service-async', () => {
    const client = new Client();
    const rec = new EventRecorder(client);
    const [, result] = runAsync(cb => client.connect_to_service_async(INVALID_DOMAIN, 'dialtest', null, cb), rec);
    let err = null;
    try {
        client.connect_to_service_finish(result);
    } catch (e) {
        err = e;
    }
    assertError(err, Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED, 'Invalid domain');
    // The first enumeration failed: async emits no RESOLVED.
    assertEvents(rec, [Event.RESOLVING, Event.COMPLETE]);
});

test('/socket-client/gjs/refused-async', () => {
    const client = new Client();
    const rec = new EventRecorder(client);
    const [, result] = runAsync(cb => client.connect_to_host_async('127.0.0.1', refused, null, cb), rec);
    assertThrows(() => client.connect_to_host_finish(result),
        Gio.IOErrorEnum, Gio.IOErrorEnum.CONNECTION_REFUSED, undefined, 'Could not connect to 127.0.0.1: ');
    assertEvents(rec, [Event.RESOLVING, Event.RESOLVED, Event.CONNECTING, Event.COMPLETE]);
});

test('/socket-client/gjs/parse-errors-async', () => {
    const client = new Client();
    const rec = new EventRecorder(client);
    let [, result] = runAsync(cb => client.connect_to_host_async('[::1', 80, null, cb), rec);
    assertThrows(() => client.connect_to_host_finish(result), Gio.IOErrorEnum, Gio.IOErrorEnum.INVALID_ARGUMENT);
    [, result] = runAsync(cb => client.connect_to_uri_async('asdf', 80, null, cb), rec);
    assertThrows(() => client.connect_to_uri_finish(result), Gio.IOErrorEnum, Gio.IOErrorEnum.INVALID_ARGUMENT,
        'Invalid URI ‘asdf’');
    assertEvents(rec, []);
});

function cancelOn(client, kind) {
    const cancellable = new Gio.Cancellable();
    connectSignal(client, 'event', (c, event) => {
        if (event === kind)
            cancellable.cancel();
    });
    return cancellable;
}

test('/socket-client/gjs/cancelled-async', () => {
    // Already cancelled: RESOLVING inside the call, COMPLETE from the loop.
    const client = new Client();
    const rec = new EventRecorder(client);
    const cancellable = new Gio.Cancellable();
    cancellable.cancel();
    const address = Gio.InetSocketAddress.new_from_string('127.0.0.1', echo.port);
    const [, result] = runAsync(cb => {
        client.connect_async(address, cancellable, cb);
        assertEqual(rec.kinds(), [Event.RESOLVING], 'RESOLVING inside the call');
    }, rec);
    assertThrows(() => client.connect_finish(result), Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
    assertEvents(rec, [Event.RESOLVING, Event.COMPLETE]);
});

test('/socket-client/gjs/cancel-from-handler', () => {
    let client = new Client();
    let rec = new EventRecorder(client);
    let cancellable = cancelOn(client, Event.CONNECTING);
    assertThrows(() => client.connect_to_host('127.0.0.1', echo.port, cancellable),
        Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
    assertEvents(rec, [Event.RESOLVING, Event.RESOLVED, Event.CONNECTING, Event.COMPLETE]);

    client = new Client();
    rec = new EventRecorder(client);
    cancellable = cancelOn(client, Event.CONNECTING);
    const [, result] = runAsync(cb => client.connect_to_host_async('127.0.0.1', echo.port, cancellable, cb), rec);
    assertThrows(() => client.connect_to_host_finish(result), Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
    assertEvents(rec, [Event.RESOLVING, Event.RESOLVED, Event.CONNECTING, Event.COMPLETE]);
});

test('/socket-client/gjs/cancel-at-connected', () => {
    // After the last step: sync ignores the cancel, async honours it.
    let client = new Client();
    let rec = new EventRecorder(client);
    let cancellable = cancelOn(client, Event.CONNECTED);
    const conn = client.connect_to_host('127.0.0.1', echo.port, cancellable);
    assertEvents(rec, DIRECT, conn);

    client = new Client();
    rec = new EventRecorder(client);
    cancellable = cancelOn(client, Event.CONNECTED);
    const [, result] = runAsync(cb => client.connect_to_host_async('127.0.0.1', echo.port, cancellable, cb), rec);
    assertThrows(() => client.connect_to_host_finish(result), Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
    assertEvents(rec, DIRECT);
});

test('/socket-client/gjs/application-proxy', () => {
    const client = new Client();
    const rec = new EventRecorder(client);
    const proxyUri = `myproxy://127.0.0.1:${echo.port}`;
    client.set_proxy_resolver(Gio.SimpleProxyResolver.new(proxyUri, null));
    assertThrows(() => client.connect_to_host('dest.test:80', 0, null),
        Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_SUPPORTED, 'Proxy protocol “myproxy” is not supported.');
    assertEvents(rec, DIRECT);

    client.add_application_proxy('myproxy');
    client.set_tls(true);
    rec.clear();
    const conn = client.connect_to_host('dest.test:80', 0, null);
    assertEvents(rec, DIRECT, conn);
    const remote = conn.get_remote_address();
    assert(remote instanceof Gio.ProxyAddress, 'remote address is a GProxyAddress');
    assertEqual(remote.get_protocol(), 'myproxy', 'proxy protocol');
    assertEqual(remote.get_destination_hostname(), 'dest.test', 'destination host');
    assertEqual(remote.get_destination_port(), 80, 'destination port');
    assertEqual(remote.get_uri(), proxyUri, 'proxy uri');
    assertEcho(conn);
});

test('/socket-client/gjs/enable-proxy', () => {
    const client = new Client();
    const rec = new EventRecorder(client);
    client.set_proxy_resolver(Gio.SimpleProxyResolver.new(`socks5://127.0.0.1:${refused}`, null));
    assertThrows(() => client.connect_to_host('127.0.0.1', echo.port, null),
        Gio.IOErrorEnum, Gio.IOErrorEnum.CONNECTION_REFUSED, undefined,
        'Could not connect to proxy server 127.0.0.1: ');
    client.set_enable_proxy(false);
    rec.clear();
    const conn = client.connect_to_host('127.0.0.1', echo.port, null);
    assertEvents(rec, DIRECT, conn);
    assert(!(conn.get_remote_address() instanceof Gio.ProxyAddress), 'direct');
    assertEcho(conn);
});

test('/socket-client/gjs/tls-peer-closes-async', () => {
    const closer = new Server('close');
    try {
        const client = new Client({tls: true});
        const rec = new EventRecorder(client);
        const [, result] = runAsync(cb => client.connect_to_host_async('127.0.0.1', closer.port, null, cb), rec);
        assertThrows(() => client.connect_to_host_finish(result), Gio.TlsError, Gio.TlsError.NOT_TLS);
        assertEvents(rec, [Event.RESOLVING, Event.RESOLVED, Event.CONNECTING, Event.CONNECTED,
            Event.TLS_HANDSHAKING, Event.COMPLETE]);
        assert(rec.events[4].connection instanceof Gio.TlsClientConnection,
            'TLS_HANDSHAKING carries a GTlsClientConnection');
    } finally {
        closer.stop();
    }
});

test('/socket-client/gjs/event-vfunc', () => {
    const seen = [];
    const Recording = GObject.registerClass(class Recording extends Client {
        vfunc_event(event, connectable, connection) {
            seen.push(event);
        }
    });
    const client = new Recording();
    const rec = new EventRecorder(client);
    const conn = client.connect_to_host('127.0.0.1', echo.port, null);
    assertEqual(seen, DIRECT, 'class handler');
    assertEvents(rec, DIRECT, conn);
});

/* runner */

print(`1..${tests.length}`);
let failed = 0;
tests.forEach(([name, fn], i) => {
    echo = new Server('echo');
    [refusedSocket, refused] = refusedPort();
    try {
        fn();
        print(`ok ${i + 1} ${name}`);
    } catch (e) {
        failed++;
        print(`not ok ${i + 1} ${name}`);
        for (const line of `${e}\n${e.stack ?? ''}`.split('\n'))
            print(`# ${line}`);
    } finally {
        echo.stop();
        refusedSocket.close();
    }
});
System.exit(failed > 0 ? 1 : 0);
