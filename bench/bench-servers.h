/* bench-servers.h: the loopback servers the benchmark connects to.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _BenchServers BenchServers;

/* Starts, on one port number P:
 * - 127.0.0.1:P, which accepts and closes every connection at once, from a
 *   thread of its own running a blocking accept() loop, so that it is never
 *   the bottleneck of the client on the main thread;
 * - [::1]:P, a "black hole": a listener with a backlog of 0 whose accept
 *   queue is already full, so the kernel drops every new SYN and a connect
 *   to it hangs.  Missing (bench_servers_has_black_hole () is FALSE) when
 *   the machine has no IPv6 loopback. */
BenchServers *bench_servers_start          (GError       **error);
guint16       bench_servers_get_port       (BenchServers  *self);
gboolean      bench_servers_has_black_hole (BenchServers  *self);
void          bench_servers_stop           (BenchServers  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchServers, bench_servers_stop)

G_END_DECLS
