/* dial-test-events.h: records a DialSocketClient's "event" emissions and
 * runs async connects to completion, for every C test.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <dial/dial.h>

G_BEGIN_DECLS

typedef struct
{
  GSocketClientEvent  event;
  GSocketConnectable *connectable;   /* owned ref */
  GIOStream          *connection;    /* owned ref, nullable */
  gint64              time_us;       /* g_get_monotonic_time () at emission */
} DialTestEvent;

typedef struct _DialTestEvents DialTestEvents;

/* Connects to @client's "event" signal (and disconnects in _free). */
DialTestEvents      *dial_test_events_new         (DialSocketClient   *client);
void                 dial_test_events_free        (DialTestEvents     *self);
void                 dial_test_events_clear       (DialTestEvents     *self);
guint                dial_test_events_len         (DialTestEvents     *self);
const DialTestEvent *dial_test_events_get         (DialTestEvents     *self,
                                                   guint               index);
/* The last recorded event of kind @event, or NULL. */
const DialTestEvent *dial_test_events_find_last   (DialTestEvents     *self,
                                                   GSocketClientEvent  event);
/* The sequence in the spec's notation, space separated:
 * R Rd C Cd PN PNd TH THd X.  e.g. "R Rd C Cd X" */
char                *dial_test_events_describe    (DialTestEvents     *self);
/* Cancels @cancellable from inside the handler, the first time @event is
 * emitted (GIO's "cancel from a handler" rows). */
void                 dial_test_events_cancel_on   (DialTestEvents     *self,
                                                   GSocketClientEvent  event,
                                                   GCancellable       *cancellable);

#define dial_test_events_assert(self, expected) \
  G_STMT_START { \
    g_autofree char *__d = dial_test_events_describe (self); \
    g_assert_cmpstr (__d, ==, (expected)); \
  } G_STMT_END

/* Runs dial_socket_client_connect_async () and iterates the thread-default
 * main context until the callback has run; returns what _finish returned.
 * Asserts that COMPLETE was the last event seen before the callback when
 * @events is not NULL. */
GSocketConnection   *dial_test_connect_async_wait (DialSocketClient   *client,
                                                   GSocketConnectable *connectable,
                                                   GCancellable       *cancellable,
                                                   DialTestEvents     *events,
                                                   GError            **error);

/* Number of open file descriptors of this process (from /proc/self/fd). */
guint                dial_test_count_fds          (void);

/* Added for g_autoptr (DialTestEvents). */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DialTestEvents, dial_test_events_free)

G_END_DECLS
