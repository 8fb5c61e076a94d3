/* dial-test-tracker.h: counts the objects a test saw that are still
 * alive, and waits for the process's descriptors to come back, for the
 * leak, stress and adversarial tests.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <dial/dial.h>

G_BEGIN_DECLS

/* A tracker holds a weak reference (g_object_weak_ref ()) on every object
 * it is given and never a strong one, so it can tell how many of them are
 * still alive without keeping any alive.  Thread-safe: objects may be
 * watched, and may die, on any thread.
 *
 * dial_test_tracker_watch_client () connects to a client's "event"
 * signal and watches the client, every connectable and every stream the
 * events carry (the socket connection, a proxy's stream, the TLS
 * connection) and each connection's GSocket.  The test watches the GTask
 * itself: the GAsyncResult its callback receives.
 *
 * Anything else that holds references to those objects (an event
 * recorder, DialTestEvents) must be gone before the tracker is asked. */
typedef struct _DialTestTracker DialTestTracker;

DialTestTracker *dial_test_tracker_new              (void);
/* Removes the weak references of whatever is still alive. */
void             dial_test_tracker_free             (DialTestTracker  *self);

/* Watches @object until it is finalized.  Watching an object already
 * watched does nothing.  @what names it in the survivors' list (static
 * string, or NULL for the type name alone). */
void             dial_test_tracker_watch            (DialTestTracker  *self,
                                                     gpointer          object,
                                                     const char       *what);
void             dial_test_tracker_watch_client     (DialTestTracker  *self,
                                                     DialSocketClient *client);

/* Objects watched so far, and how many of them are alive. */
guint            dial_test_tracker_get_watched      (DialTestTracker  *self);
guint            dial_test_tracker_get_alive        (DialTestTracker  *self);

/* Iterates the thread-default main context until no watched object is
 * alive, for at most 10 s (a bound against hangs: a GIO worker thread may
 * drop its last reference just after a call returned, and nothing signals
 * that).  Logs the survivors with g_test_message () and returns FALSE
 * when some are left. */
gboolean         dial_test_tracker_wait_none_alive  (DialTestTracker  *self);

#define dial_test_tracker_assert_none_alive(self) \
  g_assert_true (dial_test_tracker_wait_none_alive (self))

/* Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft
 * limit. */
guint64          dial_test_raise_fd_limit           (void);

/* Iterates the thread-default main context until the process has
 * @expected descriptors open, for at most 10 s; lists what is open with
 * g_test_message () when it never gets there.  Returns the last count. */
guint            dial_test_wait_fds                 (guint             expected);

#define dial_test_assert_fds(expected) \
  G_STMT_START { \
    guint __expected = (expected); \
    g_assert_cmpuint (dial_test_wait_fds (__expected), ==, __expected); \
  } G_STMT_END

/* Whether the test runs under valgrind (its preload library is in
 * LD_PRELOAD), so that a test can make fewer connects. */
gboolean         dial_test_under_valgrind           (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DialTestTracker, dial_test_tracker_free)

G_END_DECLS
