/* example-servers.h: the local servers the C examples talk to
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not part of the examples' lesson: each server is a thread of its own,
 * blocking on accept() on 127.0.0.1 and serving one connection at a time,
 * so that an example can use the blocking API of DialSocketClient on its
 * main thread. Every server is written with GIO alone; none uses libdial.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _ExampleServer ExampleServer;

/* Answers every line with the same line. */
ExampleServer *example_echo_server_new     (GError             **error);

/* The echo server behind TLS, with @cert_file and @key_file and, for
 * ALPN, @protocols (NULL-terminated). It is GIO's TLS server, so it needs
 * glib-networking. */
ExampleServer *example_tls_echo_server_new (const char          *cert_file,
                                            const char          *key_file,
                                            const char * const  *protocols,
                                            GError             **error);

/* A SOCKS5 proxy without authentication: it connects to the destination
 * it is asked for and relays. */
ExampleServer *example_socks5_proxy_new    (GError             **error);

/* Reads an HTTP request head and answers 200 with a text that quotes the
 * request line, whatever was asked: a toy origin server, and a toy
 * forward proxy (a real one would pass the request on). @name appears in
 * what it prints and answers. */
ExampleServer *example_http_server_new     (const char          *name,
                                            GError             **error);

guint16        example_server_get_port     (ExampleServer       *server);
void           example_server_free         (ExampleServer       *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExampleServer, example_server_free)

G_END_DECLS
