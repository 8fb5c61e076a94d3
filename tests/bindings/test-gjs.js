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
const PROXIED = [Event.RESOLVING, Event.RESOLVED, Event.CONNECTING,
    Event.CONNECTED, Event.PROXY_NEGOTIATING, Event.PROXY_NEGOTIATED,
    Event.COMPLETE];
const TLS = [Event.RESOLVING, Event.RESOLVED, Event.CONNECTING,
    Event.CONNECTED, Event.TLS_HANDSHAKING, Event.TLS_HANDSHAKED,
    Event.COMPLETE];
const TLS_FAILED = [Event.RESOLVING, Event.RESOLVED, Event.CONNECTING,
    Event.CONNECTED, Event.TLS_HANDSHAKING, Event.COMPLETE];
const HANG_GUARD_SECONDS = 60;
// g_hostname_to_ascii() rejects it, so the SRV lookup fails with
// "Invalid domain" before any DNS query.
const INVALID_DOMAIN = `${'\u00e4'.repeat(100)}.test`;

// SocketClient.connect() is the connect method, not the signal one.
const connectSignal = (obj, name, fn) =>
    GObject.Object.prototype.connect.call(obj, name, fn);

/* assertions */

class AssertionError extends Error {}
// Thrown by a test that cannot run here; reported as a TAP SKIP.
class SkipTest extends Error {}

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

// Closes a server's connection, which a failed handshake or stop() may
// have closed already.
function closeQuietly(conn) {
    try {
        conn.close(null);
    } catch (e) {
        // already closed
    }
}

// Reads exactly n bytes of stream, then calls done(Uint8Array); on an
// error or an early end of stream calls fail(error) instead.
function readExactly(stream, n, done, fail) {
    const got = new Uint8Array(n);
    let have = 0;
    const more = () => {
        if (have === n) {
            done(got);
            return;
        }
        stream.read_bytes_async(n - have, GLib.PRIORITY_DEFAULT, null, (s, res) => {
            let bytes;
            try {
                bytes = s.read_bytes_finish(res);
            } catch (e) {
                fail(e);
                return;
            }
            if (bytes.get_size() === 0) {
                fail(new Error(`end of stream after ${have} of ${n} bytes`));
                return;
            }
            got.set(bytes.toArray(), have);
            have += bytes.get_size();
            more();
        });
    };
    more();
}

// Writes all of data (a Uint8Array), then calls done(), or fail(error).
function writeAll(stream, data, done, fail) {
    let written = 0;
    const more = () => {
        if (written === data.length) {
            done();
            return;
        }
        stream.write_bytes_async(new GLib.Bytes(data.subarray(written)), GLib.PRIORITY_DEFAULT, null, (s, res) => {
            try {
                written += s.write_bytes_finish(res);
            } catch (e) {
                fail(e);
                return;
            }
            more();
        });
    };
    more();
}

// VER REP RSV ATYP=IPv4 BND.ADDR=0.0.0.0 BND.PORT=0
const socksReply = code => new Uint8Array([5, code, 0, 1, 0, 0, 0, 0, 0, 0]);

// A SOCKS5 server (RFC 1928, no authentication, CONNECT only) on the main
// loop. Whatever destination a client asks for, it relays to
// 127.0.0.1:targetPort. requests records each request it reads, errors
// what went wrong on its side.
class Socks5Server extends Server {
    constructor(targetPort) {
        super('socks5');
        this.targetPort = targetPort;
        this.requests = [];
        this.errors = [];
    }

    _serve(conn) {
        const input = conn.get_input_stream();
        const output = conn.get_output_stream();
        const fail = e => {
            this.errors.push(`${e}`);
            closeQuietly(conn);
        };
        const refuse = code => writeAll(output, socksReply(code), () => closeQuietly(conn), fail);
        readExactly(input, 2, ([version, nMethods]) => {
            readExactly(input, nMethods, methods => {
                if (version !== 5 || !methods.includes(0)) {
                    writeAll(output, new Uint8Array([5, 0xff]), () => closeQuietly(conn), fail);
                    return;
                }
                writeAll(output, new Uint8Array([5, 0]), () => {
                    readExactly(input, 4, ([requestVersion, command, , atyp]) => {
                        this._readDestination(input, atyp, (host, port) => {
                            this.requests.push({command, atyp, host, port});
                            if (requestVersion !== 5 || command !== 1)
                                refuse(7);  // command not supported
                            else
                                this._relay(conn, refuse, fail);
                        }, () => refuse(8), fail);  // address type not supported
                    }, fail);
                }, fail);
            }, fail);
        }, fail);
    }

    _readDestination(input, atyp, done, unsupported, fail) {
        const port = b => (b[0] << 8) | b[1];
        switch (atyp) {
        case 1:
            readExactly(input, 6, b => done(Array.from(b.subarray(0, 4)).join('.'), port(b.subarray(4))), fail);
            break;
        case 3:
            readExactly(input, 1, ([length]) => {
                readExactly(input, length + 2,
                    b => done(new TextDecoder().decode(b.subarray(0, length)), port(b.subarray(length))), fail);
            }, fail);
            break;
        case 4:
            readExactly(input, 18, b => {
                const groups = Array.from({length: 8}, (_, i) => ((b[2 * i] << 8) | b[2 * i + 1]).toString(16));
                done(groups.join(':'), port(b.subarray(16)));
            }, fail);
            break;
        default:
            unsupported();
        }
    }

    _relay(conn, refuse, fail) {
        const upstreamClient = new Gio.SocketClient({enable_proxy: false});
        upstreamClient.connect_to_host_async('127.0.0.1', this.targetPort, null, (c, res) => {
            let upstream;
            try {
                upstream = c.connect_to_host_finish(res);
            } catch (e) {
                this.errors.push(`${e}`);
                refuse(5);  // connection refused
                return;
            }
            this.conns.push(upstream);
            writeAll(conn.get_output_stream(), socksReply(0), () => {
                conn.splice_async(upstream,
                    Gio.IOStreamSpliceFlags.CLOSE_STREAM1 | Gio.IOStreamSpliceFlags.CLOSE_STREAM2,
                    GLib.PRIORITY_DEFAULT, null, (s, sres) => {
                        try {
                            Gio.IOStream.splice_finish(sres);
                        } catch (e) {
                            // One side went away first: nothing to relay.
                        }
                    });
            }, fail);
        });
    }
}

// An echo server behind TLS with GIO's Gio.TlsServerConnection.
// handshakes records 'ok' or the error of each server handshake.
class TlsServer extends Server {
    constructor(certificate) {
        super('echo');
        this.certificate = certificate;
        this.handshakes = [];
    }

    _serve(conn) {
        let tls;
        try {
            tls = Gio.TlsServerConnection.new(conn, this.certificate);
        } catch (e) {
            this.handshakes.push(`${e}`);
            closeQuietly(conn);
            return;
        }
        tls.handshake_async(GLib.PRIORITY_DEFAULT, null, (t, res) => {
            try {
                t.handshake_finish(res);
            } catch (e) {
                this.handshakes.push(`${e}`);
                closeQuietly(conn);
                return;
            }
            this.handshakes.push('ok');
            super._serve(t);
        });
    }
}

// A self-signed server certificate for localhost and 127.0.0.1. GIO cannot
// make one: certtool (gnutls-bin, which scripts/install-deps.sh installs)
// does, or else openssl.
const CERTTOOL_TEMPLATE = `cn = "libdial test"
dns_name = "localhost"
ip_address = "127.0.0.1"
expiration_days = 2
tls_www_server
signing_key
`;

const OPENSSL_CONFIG = `[req]
distinguished_name = dn
x509_extensions = ext
prompt = no
[dn]
CN = libdial test
[ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
`;

let certificateDir = null;
const certificateFiles = dir => ['cert.pem', 'key.pem', 'config'].map(f => GLib.build_filenamev([dir, f]));

function removeCertificate(dir) {
    for (const file of certificateFiles(dir))
        GLib.unlink(file);
    GLib.rmdir(dir);
}

// Returns [certFile, keyFile], made once per run in a temporary directory.
function selfSignedCertificate() {
    if (certificateDir === null) {
        const certtool = GLib.find_program_in_path('certtool');
        const openssl = GLib.find_program_in_path('openssl');
        if (certtool === null && openssl === null)
            throw new SkipTest('neither certtool (gnutls-bin) nor openssl is installed');
        const dir = GLib.dir_make_tmp('dial-gjs-XXXXXX');
        const [certFile, keyFile, config] = certificateFiles(dir);
        let commands;
        if (certtool !== null) {
            GLib.file_set_contents(config, CERTTOOL_TEMPLATE);
            commands = [
                [certtool, '--generate-privkey', '--key-type=ecdsa', '--no-text', '--outfile', keyFile],
                [certtool, '--generate-self-signed', '--load-privkey', keyFile, '--template', config,
                    '--no-text', '--outfile', certFile],
            ];
        } else {
            GLib.file_set_contents(config, OPENSSL_CONFIG);
            commands = [
                [openssl, 'req', '-x509', '-config', config, '-newkey', 'ec',
                    '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
                    '-keyout', keyFile, '-out', certFile],
            ];
        }
        for (const argv of commands) {
            const [, , stderr, status] = GLib.spawn_sync(null, argv, null, GLib.SpawnFlags.DEFAULT, null);
            try {
                GLib.spawn_check_wait_status(status);
            } catch (e) {
                removeCertificate(dir);
                throw new AssertionError(`${argv[0]} failed: ${e.message}: ${new TextDecoder().decode(stderr)}`);
            }
        }
        certificateDir = dir;
    }
    return certificateFiles(certificateDir).slice(0, 2);
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

test('/socket-client/gjs/socks5-proxy-async', () => {
    // The SOCKS5 server runs on the main loop: only the async API lets it
    // serve while the client connects.
    const socks = new Socks5Server(echo.port);
    try {
        const client = new Client();
        const rec = new EventRecorder(client);
        const proxyUri = `socks5://127.0.0.1:${socks.port}`;
        client.set_proxy_resolver(Gio.SimpleProxyResolver.new(proxyUri, null));
        const [, result] = runAsync(cb => client.connect_to_host_async('dest.test', 8080, null, cb), rec);
        const conn = client.connect_to_host_finish(result);
        assertEvents(rec, PROXIED, conn);
        assert(conn instanceof Gio.TcpConnection, 'a TCP connection');
        // The proxy's result is the very connection made to the proxy.
        assertSame(rec.events[2].connection, conn, 'CONNECTING');
        assertSame(rec.events[4].connection, conn, 'PROXY_NEGOTIATING');
        assertSame(rec.events[5].connection, conn, 'PROXY_NEGOTIATED');
        const connectable = rec.events[0].connectable;
        assert(connectable instanceof Gio.NetworkAddress, 'built a GNetworkAddress');
        assertEqual(connectable.get_hostname(), 'dest.test', 'hostname');
        assertEqual(connectable.get_port(), 8080, 'port');

        const remote = conn.get_remote_address();
        assert(remote instanceof Gio.ProxyAddress, 'remote address is a GProxyAddress');
        assertEqual(remote.get_protocol(), 'socks5', 'proxy protocol');
        assertEqual(remote.get_destination_hostname(), 'dest.test', 'destination host');
        assertEqual(remote.get_destination_port(), 8080, 'destination port');
        assertEqual(remote.get_address().to_string(), '127.0.0.1', 'proxy address');
        assertEqual(remote.get_port(), socks.port, 'proxy port');
        assertEqual(remote.get_uri(), proxyUri, 'proxy uri');

        // The proxy was asked for the name (ATYP 3), not an address, and
        // the bytes went through it to the echo server and back.
        assertEqual(socks.requests, [{command: 1, atyp: 3, host: 'dest.test', port: 8080}], 'SOCKS requests');
        assertEcho(conn);
        assertEqual(socks.errors, [], 'SOCKS server errors');
        assertEqual(echo.conns.length, 1, 'connections to the echo server');
        conn.close(null);
    } finally {
        socks.stop();
    }
});

// A TLS echo server with a self-signed certificate, and its certificate file.
function tlsServer() {
    if (!Gio.TlsBackend.get_default().supports_tls())
        throw new SkipTest('GIO has no TLS backend (glib-networking) for the server');
    const [certFile, keyFile] = selfSignedCertificate();
    return [new TlsServer(Gio.TlsCertificate.new_from_files(certFile, keyFile)), certFile];
}

// A client with tls set whose event handler connects, at TLS_HANDSHAKING,
// to accept-certificate on the TLS connection; that handler returns accept
// when the errors include UNKNOWN_CA. Returns [client, recorder, asked],
// asked listing each accept-certificate emission.
function tlsClient(accept) {
    const client = new Client({tls: true});
    const rec = new EventRecorder(client);
    const asked = [];
    connectSignal(client, 'event', (c, event, connectable, connection) => {
        if (event !== Event.TLS_HANDSHAKING)
            return;
        connectSignal(connection, 'accept-certificate', (tls, certificate, errors) => {
            asked.push({tls, certificate, errors});
            return accept && (errors & Gio.TlsCertificateFlags.UNKNOWN_CA) !== 0;
        });
    });
    return [client, rec, asked];
}

function assertAsked(rec, asked, certFile) {
    const tls = rec.events[4].connection;
    assert(tls instanceof Gio.TlsClientConnection, 'TLS_HANDSHAKING carries a GTlsClientConnection');
    assertEqual(asked.length, 1, 'accept-certificate emissions');
    assertSame(asked[0].tls, tls, 'accept-certificate on the connection of TLS_HANDSHAKING');
    assert((asked[0].errors & Gio.TlsCertificateFlags.UNKNOWN_CA) !== 0,
        `errors ${asked[0].errors} include UNKNOWN_CA`);
    assert(asked[0].certificate.is_same(Gio.TlsCertificate.new_from_file(certFile)),
        'the peer certificate is the server\'s');
}

test('/socket-client/gjs/tls-accept-certificate-async', () => {
    const [server, certFile] = tlsServer();
    try {
        const [client, rec, asked] = tlsClient(true);
        const [, result] = runAsync(cb => client.connect_to_host_async('127.0.0.1', server.port, null, cb), rec);
        const conn = client.connect_to_host_finish(result);
        assertEvents(rec, TLS, conn);
        assertAsked(rec, asked, certFile);
        assert(conn instanceof Gio.TcpWrapperConnection, 'a GTcpWrapperConnection');
        const base = conn.get_base_io_stream();
        assert(base instanceof Gio.TlsClientConnection, 'its base stream is a GTlsClientConnection');
        assertSame(rec.events[4].connection, base, 'TLS_HANDSHAKING carries the base stream');
        assertSame(rec.events[5].connection, base, 'TLS_HANDSHAKED carries the base stream');
        assertSame(base.get_peer_certificate(), asked[0].certificate, 'peer certificate');
        assert((base.get_peer_certificate_errors() & Gio.TlsCertificateFlags.UNKNOWN_CA) !== 0,
            'peer certificate errors include UNKNOWN_CA');
        assertEcho(conn);
        assertEqual(server.handshakes, ['ok'], 'server handshakes');
        conn.close(null);
    } finally {
        server.stop();
    }
});

test('/socket-client/gjs/tls-reject-certificate-async', () => {
    const [server, certFile] = tlsServer();
    try {
        const [client, rec, asked] = tlsClient(false);
        const [, result] = runAsync(cb => client.connect_to_host_async('127.0.0.1', server.port, null, cb), rec);
        assertThrows(() => client.connect_to_host_finish(result), Gio.TlsError, Gio.TlsError.BAD_CERTIFICATE);
        assertEvents(rec, TLS_FAILED);
        assertAsked(rec, asked, certFile);
    } finally {
        server.stop();
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
        if (e instanceof SkipTest) {
            print(`ok ${i + 1} ${name} # SKIP ${e.message}`);
            return;
        }
        failed++;
        print(`not ok ${i + 1} ${name}`);
        for (const line of `${e}\n${e.stack ?? ''}`.split('\n'))
            print(`# ${line}`);
    } finally {
        echo.stop();
        refusedSocket.close();
    }
});
if (certificateDir !== null)
    removeCertificate(certificateDir);
System.exit(failed > 0 ? 1 : 0);
