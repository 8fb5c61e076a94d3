/* dial-test-sink.h: loopback listeners that accept as fast as they can
 * and close each connection at once, for tests that make thousands.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* @n_ports listeners on 127.0.0.1, each on a port of its own (port 0),
 * with a backlog of 4096 (the kernel caps it to net.core.somaxconn).  One
 * thread polls them all and, whenever one is readable, accepts until its
 * queue is empty, closing each connection at once: the server holds no
 * descriptor per connection, so a test can keep thousands of client
 * connections open without doubling its descriptor count.
 *
 * A connect completes when the kernel answers the SYN, before the thread
 * accepts; a connection the sink has closed reads EOF.  Spread the
 * connects over the ports when more of them may wait in the queues at
 * once than one backlog holds: dial_test_sink_ports_for () says how many
 * ports that takes. */
typedef struct _DialTestSink DialTestSink;

DialTestSink       *dial_test_sink_new            (guint           n_ports,
                                                   GError        **error);
/* Stops the thread and closes every listener. */
void                dial_test_sink_free           (DialTestSink   *self);

guint               dial_test_sink_get_n_ports    (DialTestSink   *self);
/* The @index-th listener's address (transfer none). */
GInetSocketAddress *dial_test_sink_get_address    (DialTestSink   *self,
                                                   guint           index);
guint16             dial_test_sink_get_port       (DialTestSink   *self,
                                                   guint           index);

/* How many connections were accepted so far, on all ports. */
guint               dial_test_sink_get_accepted   (DialTestSink   *self);
/* Blocks until at least @n connections were accepted, or 10 s passed
 * without a new one (a bound against hangs, not a timing assertion).
 * Returns whether @n was reached. */
gboolean            dial_test_sink_wait_accepted  (DialTestSink   *self,
                                                   guint           n);

/* How many ports hold @n_connections waiting in their accept queues at
 * once, from net.core.somaxconn (4096 when it cannot be read). */
guint               dial_test_sink_ports_for      (guint           n_connections);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DialTestSink, dial_test_sink_free)

G_END_DECLS
