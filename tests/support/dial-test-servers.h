/* dial-test-servers.h: loopback endpoints with a known behaviour.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Every server binds port 0 on 127.0.0.1 (G_SOCKET_FAMILY_IPV4) or ::1
 * (G_SOCKET_FAMILY_IPV6), and closes every descriptor it owns in _free.
 * None of them needs the caller's main context, so sync tests may block
 * the main thread on them.
 *
 * - accepting: a listener served by its own thread, which accepts every
 *   connection, counts it, records the peer's address and keeps the socket
 *   open until _free.  With @echo, it writes back whatever it reads.
 * - refusing: a socket bound to the port but not listening: a connect gets
 *   ECONNREFUSED ("Connection refused") at once, and no other socket can
 *   take the port while the server lives.
 * - black hole: a listener with a backlog of 0 whose accept queue is filled
 *   with connections that are never accepted; the kernel then drops further
 *   SYNs, so a connect hangs with no answer until it is cancelled or the
 *   kernel's SYN retries give up (more than a minute).
 */
typedef struct _DialTestServer DialTestServer;

DialTestServer     *dial_test_server_new_accepting  (GSocketFamily    family,
                                                     gboolean         echo,
                                                     GError         **error);
DialTestServer     *dial_test_server_new_refusing   (GSocketFamily    family,
                                                     GError         **error);
DialTestServer     *dial_test_server_new_black_hole (GSocketFamily    family,
                                                     GError         **error);
/* The same, bound to @address exactly (an IP and a port, which may be 0):
 * several behaviours on one port, e.g. a refusing ::1 and an accepting
 * 127.0.0.1 behind one name.  Fails with G_IO_ERROR_ADDRESS_IN_USE when the
 * port is taken. */
DialTestServer     *dial_test_server_new_accepting_at  (GInetSocketAddress *address,
                                                        gboolean            echo,
                                                        GError            **error);
DialTestServer     *dial_test_server_new_refusing_at   (GInetSocketAddress *address,
                                                        GError            **error);
DialTestServer     *dial_test_server_new_black_hole_at (GInetSocketAddress *address,
                                                        GError            **error);
void                dial_test_server_free           (DialTestServer  *self);

/* The address to connect to (transfer none). */
GInetSocketAddress *dial_test_server_get_address    (DialTestServer  *self);
guint16             dial_test_server_get_port       (DialTestServer  *self);
/* "127.0.0.1:PORT" or "[::1]:PORT" (transfer none). */
const char         *dial_test_server_get_host_and_port (DialTestServer *self);

/* Accepting servers: how many connections were accepted so far. */
guint               dial_test_server_get_accepted   (DialTestServer  *self);
/* Blocks until at least @n connections were accepted, or 10 s passed (a
 * bound against hangs, not a timing assertion).  Returns whether @n was
 * reached. */
gboolean            dial_test_server_wait_accepted  (DialTestServer  *self,
                                                     guint            n);
/* The peer address of the @index-th accepted connection, or NULL
 * (transfer full). */
GInetSocketAddress *dial_test_server_get_peer       (DialTestServer  *self,
                                                     guint            index);

typedef enum
{
  DIAL_TEST_SERVER_ACCEPTING,
  DIAL_TEST_SERVER_REFUSING,
  DIAL_TEST_SERVER_BLACK_HOLE,
} DialTestServerKind;

/* Creates one server per (IP literal, DialTestServerKind) pair, all on one
 * port, for a name whose addresses behave differently:
 *   servers = dial_test_servers_new_same_port (&error,
 *                                              "::1", DIAL_TEST_SERVER_REFUSING,
 *                                              "127.0.0.1", DIAL_TEST_SERVER_ACCEPTING,
 *                                              NULL);
 * Tries other ports when one is taken on some address.  Returns an array
 * of DialTestServer (it frees them), in argument order. */
GPtrArray          *dial_test_servers_new_same_port (GError         **error,
                                                     const char      *first_ip,
                                                     ...) G_GNUC_NULL_TERMINATED;

/* Whether a socket can be bound on ::1 (tests g_test_skip () otherwise). */
gboolean            dial_test_ipv6_available        (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DialTestServer, dial_test_server_free)

G_END_DECLS
