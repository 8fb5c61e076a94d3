/* dial-test-proxy-listener.h: the threads and blocking I/O shared by the
 * in-process SOCKS server and HTTP CONNECT proxy.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A listener on 127.0.0.1, port 0.  One thread accepts; every accepted
 * connection gets a thread of its own that runs @handler with blocking
 * sockets.  Nothing here touches a GMainContext, so a test may block its
 * main thread in a sync connect while the handlers run.
 *
 * Every blocking call takes the listener's cancellable: _free () cancels
 * it, so each handler returns promptly, and then joins every thread and
 * closes every socket.  The handler must not keep @client: the listener
 * closes it once the handler has returned. */
typedef struct _DialTestProxyListener DialTestProxyListener;

typedef void (*DialTestProxyHandler) (GSocket      *client,
                                      guint         index,
                                      GCancellable *cancellable,
                                      gpointer      user_data);

DialTestProxyListener *dial_test_proxy_listener_new           (DialTestProxyHandler   handler,
                                                               gpointer               user_data);
void                   dial_test_proxy_listener_free          (DialTestProxyListener *self);
guint16                dial_test_proxy_listener_get_port      (DialTestProxyListener *self);
/* How many connections were accepted so far. */
guint                  dial_test_proxy_listener_get_accepted  (DialTestProxyListener *self);
/* Blocks until at least @n handlers have returned (and their sockets are
 * closed), or 10 s passed: a bound against hangs, not a timing assertion.
 * Returns whether @n was reached. */
gboolean               dial_test_proxy_listener_wait_finished (DialTestProxyListener *self,
                                                               guint                  n);

/* Blocking helpers for handlers.  Each returns FALSE on EOF, error or
 * cancellation; the reason does not matter to a scripted server. */
gboolean               dial_test_proxy_read_exact             (GSocket               *socket,
                                                               void                  *buffer,
                                                               gsize                  size,
                                                               GCancellable          *cancellable);
gboolean               dial_test_proxy_write_all              (GSocket               *socket,
                                                               const void            *buffer,
                                                               gsize                  size,
                                                               GCancellable          *cancellable);
/* Reads and throws away until EOF, error or cancellation: a silent peer.
 * Returns the number of bytes read. */
gsize                  dial_test_proxy_drain                  (GSocket               *socket,
                                                               GCancellable          *cancellable);
/* Connects to @host:@port.  @host is an IP literal, or a name: tests only
 * ever talk to loopback, so every name stands for 127.0.0.1 (no DNS). */
GSocket               *dial_test_proxy_connect_out            (const char            *host,
                                                               guint16                port,
                                                               GCancellable          *cancellable);
/* Copies bytes both ways between @a and @b until either side reaches EOF
 * or fails, or @cancellable fires. */
void                   dial_test_proxy_relay                  (GSocket               *a,
                                                               GSocket               *b,
                                                               GCancellable          *cancellable);

G_END_DECLS
