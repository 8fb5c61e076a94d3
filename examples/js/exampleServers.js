// exampleServers.js: the local servers the JavaScript examples talk to,
// and the stream helpers they share.
//
// Copyright 2026 The libdial developers
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Not part of the examples' lesson. GJS runs JavaScript on one thread, so
// the servers and the example's client share the main loop: everything
// here is asynchronous, and so is every example. Each server listens on
// 127.0.0.1 and returns {port, stop()}.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';

Gio._promisify(Gio.InputStream.prototype, 'read_bytes_async');
Gio._promisify(Gio.OutputStream.prototype, 'write_bytes_async');
Gio._promisify(Gio.IOStream.prototype, 'close_async');
Gio._promisify(Gio.DataInputStream.prototype, 'read_line_async',
    'read_line_finish_utf8');
Gio._promisify(Gio.TlsConnection.prototype, 'handshake_async');
Gio._promisify(Gio.SocketClient.prototype, 'connect_to_host_async');

const PRIORITY = GLib.PRIORITY_DEFAULT;

// ---- stream helpers ----

// Writes all of text (a string or a Uint8Array) to a Gio.OutputStream.
export async function writeAll(output, text) {
    let data = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    while (data.length > 0) {
        const written = await output.write_bytes_async(new GLib.Bytes(data),
            PRIORITY, null);
        data = data.subarray(written);
    }
}

// A reader of lines from a Gio.InputStream that leaves the stream open.
export function lineReader(input) {
    return new Gio.DataInputStream({base_stream: input, close_base_stream: false});
}

// The next line from a lineReader(), without its end; null at the end of
// the stream.
export async function readLine(lines) {
    const [line] = await lines.read_line_async(PRIORITY, null);
    return line === null ? null : line.replace(/\r$/, '');
}

// Reads a Gio.InputStream to its end, as text.
export async function readToEnd(input) {
    const chunks = [];
    for (;;) {
        const chunk = (await input.read_bytes_async(4096, PRIORITY, null)).toArray();
        if (chunk.length === 0)
            break;
        chunks.push(chunk);
    }
    const data = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.length, 0));
    chunks.reduce((offset, chunk) => {
        data.set(chunk, offset);
        return offset + chunk.length;
    }, 0);
    return new TextDecoder().decode(data);
}

async function readExactly(input, size) {
    const data = new Uint8Array(size);
    let got = 0;
    while (got < size) {
        const chunk = (await input.read_bytes_async(size - got, PRIORITY, null)).toArray();
        if (chunk.length === 0)
            throw new Error('the client hung up');
        data.set(chunk, got);
        got += chunk.length;
    }
    return data;
}

// ---- servers ----

// Listens on 127.0.0.1 and hands each connection to serve(), an async
// function.
function listen(name, serve) {
    const service = new Gio.SocketService();
    const [, address] = service.add_address(
        Gio.InetSocketAddress.new_from_string('127.0.0.1', 0),
        Gio.SocketType.STREAM, Gio.SocketProtocol.TCP, null);
    service.connect('incoming', (_service, connection) => {
        serve(connection)
            .catch(error => printerr(`${name}: ${error.message}`))
            .finally(() => connection.close(null));
        return true;
    });
    service.start();
    return {port: address.get_port(), stop: () => service.stop()};
}

async function echoLines(stream) {
    const lines = lineReader(stream.get_input_stream());
    for (;;) {
        const line = await readLine(lines);
        if (line === null)
            return;
        await writeAll(stream.get_output_stream(), `${line}\n`);
    }
}

// Answers every line with the same line.
export function startEchoServer() {
    return listen('echo server', echoLines);
}

// The echo server behind TLS, with the certificate and key in the given
// PEM files and, for ALPN, the given protocols. It is GIO's TLS server, so
// it needs glib-networking.
export function startTlsEchoServer(certFile, keyFile, protocols) {
    // GIO's own certificate, for GIO's own TLS server.
    const certificate = Gio.TlsCertificate.new_from_files(certFile, keyFile);
    return listen('TLS server', async connection => {
        const tls = Gio.TlsServerConnection.new(connection, certificate);
        tls.set_advertised_protocols(protocols);
        // glib-networking's connection is a Gio.DtlsConnection too, whose
        // methods of the same names hide these: name the ones meant.
        await Gio.TlsConnection.prototype.handshake_async.call(tls, PRIORITY, null);
        print(`TLS server: handshake done, ALPN protocol ${tls.get_negotiated_protocol()}`);
        await echoLines(tls);
        await Gio.IOStream.prototype.close_async.call(tls, PRIORITY, null);
    });
}

// Copies both ways between two Gio.IOStreams until either side hangs up.
function relay(one, other) {
    return new Promise((resolve, reject) => {
        one.splice_async(other,
            Gio.IOStreamSpliceFlags.CLOSE_STREAM1 | Gio.IOStreamSpliceFlags.CLOSE_STREAM2,
            PRIORITY, null, (_source, result) => {
                try {
                    resolve(Gio.IOStream.splice_finish(result));
                } catch (error) {
                    reject(error);
                }
            });
    });
}

// A SOCKS5 proxy without authentication: it connects to the destination
// it is asked for and relays (RFC 1928).
export function startSocks5Proxy() {
    // "Succeeded" and "connection refused", with 0.0.0.0:0 as the bound address.
    const succeeded = new Uint8Array([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    const refused = new Uint8Array([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]);

    return listen('SOCKS5 proxy', async connection => {
        const input = connection.get_input_stream();
        const output = connection.get_output_stream();

        // VER NMETHODS METHODS: answer "no authentication".
        const [, nMethods] = await readExactly(input, 2);
        await readExactly(input, nMethods);
        await writeAll(output, new Uint8Array([5, 0]));

        // VER CMD RSV ATYP DST.ADDR DST.PORT
        const [version, command, , addressType] = await readExactly(input, 4);
        if (version !== 5 || command !== 1)
            throw new Error('only SOCKS5 CONNECT is supported');
        let host;
        if (addressType === 1 || addressType === 4) {
            const family = addressType === 1 ? Gio.SocketFamily.IPV4 : Gio.SocketFamily.IPV6;
            const bytes = await readExactly(input, addressType === 1 ? 4 : 16);
            host = Gio.InetAddress.new_from_bytes(bytes, family).to_string();
        } else if (addressType === 3) {
            const [length] = await readExactly(input, 1);
            host = new TextDecoder().decode(await readExactly(input, length));
        } else {
            throw new Error('unknown SOCKS5 address type');
        }
        const [high, low] = await readExactly(input, 2);
        const destination = host.includes(':') ? `[${host}]:${high * 256 + low}`
            : `${host}:${high * 256 + low}`;
        print(`SOCKS5 proxy: CONNECT ${destination}`);

        // The proxy resolves the name, not the client.
        const client = new Gio.SocketClient({enable_proxy: false});
        let upstream;
        try {
            upstream = await client.connect_to_host_async(destination, 0, null);
        } catch (error) {
            await writeAll(output, refused);
            throw error;
        }
        await writeAll(output, succeeded);
        await relay(connection, upstream);
    });
}

// Reads an HTTP request head and answers 200 with a text that quotes the
// request line, whatever was asked: a toy origin server, and a toy forward
// proxy (a real one would pass the request on).
export function startHttpServer(name = 'HTTP server') {
    return listen(name, async connection => {
        const lines = lineReader(connection.get_input_stream());
        const requestLine = await readLine(lines);
        print(`${name}: ${requestLine}`);
        // Skip the header fields, up to the empty line.
        let field;
        do
            field = await readLine(lines);
        while (field !== null && field !== '');
        const body = new TextEncoder().encode(`Hello from the ${name}. You sent: ${requestLine}\n`);
        await writeAll(connection.get_output_stream(),
            'HTTP/1.1 200 OK\r\n' +
            'Content-Type: text/plain\r\n' +
            `Content-Length: ${body.length}\r\n` +
            'Connection: close\r\n' +
            '\r\n');
        await writeAll(connection.get_output_stream(), body);
    });
}
