/* dial-test-tracker.c: counts the objects a test saw that are still
 * alive, and waits for the process's descriptors to come back.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "dial-test-tracker.h"

#include <string.h>
#include <sys/resource.h>

#include "dial-test-events.h"

#define WAIT_BOUND_US (10 * G_USEC_PER_SEC)

typedef struct
{
  const char *what;       /* static, or NULL */
  const char *type_name;  /* interned by GType */
} Watched;

struct _DialTestTracker
{
  GMutex      mutex;
  GHashTable *alive;      /* GObject * (weak) → Watched *, under mutex */
  guint       watched;    /* under mutex */
};

static void
on_finalized (gpointer  user_data,
              GObject  *where_the_object_was)
{
  DialTestTracker *self = user_data;

  g_mutex_lock (&self->mutex);
  g_hash_table_remove (self->alive, where_the_object_was);
  g_mutex_unlock (&self->mutex);
}

DialTestTracker *
dial_test_tracker_new (void)
{
  DialTestTracker *self = g_new0 (DialTestTracker, 1);

  g_mutex_init (&self->mutex);
  self->alive = g_hash_table_new_full (NULL, NULL, NULL, g_free);

  return self;
}

void
dial_test_tracker_free (DialTestTracker *self)
{
  g_autofree gpointer *survivors = NULL;
  guint n = 0;

  if (self == NULL)
    return;

  /* What is still alive is a leak the test has already reported (or will
   * never see again): its weak references go, and a client's handler. */
  g_mutex_lock (&self->mutex);
  survivors = g_hash_table_get_keys_as_array (self->alive, &n);
  g_hash_table_remove_all (self->alive);
  g_mutex_unlock (&self->mutex);

  for (guint i = 0; i < n; i++)
    {
      g_object_weak_unref (survivors[i], on_finalized, self);
      if (DIAL_IS_SOCKET_CLIENT (survivors[i]))
        g_signal_handlers_disconnect_by_data (survivors[i], self);
    }

  g_hash_table_unref (self->alive);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

void
dial_test_tracker_watch (DialTestTracker *self,
                         gpointer         object,
                         const char      *what)
{
  Watched *watched;

  g_return_if_fail (G_IS_OBJECT (object));

  g_mutex_lock (&self->mutex);
  if (g_hash_table_contains (self->alive, object))
    {
      g_mutex_unlock (&self->mutex);
      return;
    }
  watched = g_new0 (Watched, 1);
  watched->what = what;
  watched->type_name = G_OBJECT_TYPE_NAME (object);
  g_hash_table_insert (self->alive, object, watched);
  self->watched++;
  g_mutex_unlock (&self->mutex);

  /* Outside the lock: GObject takes its own.  The caller holds a
   * reference, so @object cannot die in between. */
  g_object_weak_ref (object, on_finalized, self);
}

static void
on_event (DialSocketClient   *client,
          GSocketClientEvent  event,
          GSocketConnectable *connectable,
          GIOStream          *stream,
          gpointer            user_data)
{
  DialTestTracker *self = user_data;

  if (connectable != NULL)
    dial_test_tracker_watch (self, connectable, "connectable of an event");
  if (stream == NULL)
    return;

  dial_test_tracker_watch (self, stream, "stream of an event");
  if (G_IS_SOCKET_CONNECTION (stream))
    dial_test_tracker_watch (self, g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream)),
                             "socket of an event's connection");
  if (G_IS_TCP_WRAPPER_CONNECTION (stream))
    dial_test_tracker_watch (self,
                             g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (stream)),
                             "base stream of a wrapper connection");
}

void
dial_test_tracker_watch_client (DialTestTracker  *self,
                                DialSocketClient *client)
{
  g_return_if_fail (DIAL_IS_SOCKET_CLIENT (client));

  dial_test_tracker_watch (self, client, "client");
  g_signal_connect (client, "event", G_CALLBACK (on_event), self);
}

guint
dial_test_tracker_get_watched (DialTestTracker *self)
{
  guint n;

  g_mutex_lock (&self->mutex);
  n = self->watched;
  g_mutex_unlock (&self->mutex);

  return n;
}

guint
dial_test_tracker_get_alive (DialTestTracker *self)
{
  guint n;

  g_mutex_lock (&self->mutex);
  n = g_hash_table_size (self->alive);
  g_mutex_unlock (&self->mutex);

  return n;
}

static void
drain_thread_default_context (void)
{
  GMainContext *context = g_main_context_get_thread_default ();

  while (g_main_context_iteration (context, FALSE))
    ;
}

static void
log_survivors (DialTestTracker *self)
{
  GHashTableIter iter;
  gpointer object;
  Watched *watched;
  guint n = 0;

  g_mutex_lock (&self->mutex);
  g_hash_table_iter_init (&iter, self->alive);
  while (g_hash_table_iter_next (&iter, &object, (gpointer *) &watched))
    {
      /* A sample is enough to tell what leaks. */
      if (n++ < 20)
        g_test_message ("alive: %s %p (%s), %u references",
                        watched->type_name, object,
                        watched->what != NULL ? watched->what : "watched",
                        g_atomic_int_get (&G_OBJECT (object)->ref_count));
    }
  g_mutex_unlock (&self->mutex);

  g_test_message ("%u of %u watched objects alive", n, dial_test_tracker_get_watched (self));
}

gboolean
dial_test_tracker_wait_none_alive (DialTestTracker *self)
{
  gint64 until = g_get_monotonic_time () + WAIT_BOUND_US;

  for (;;)
    {
      drain_thread_default_context ();
      if (dial_test_tracker_get_alive (self) == 0)
        return TRUE;
      if (g_get_monotonic_time () > until)
        break;
      g_usleep (G_USEC_PER_SEC / 1000);
    }

  log_survivors (self);
  return FALSE;
}

guint64
dial_test_raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return 0;

  if (limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0 && getrlimit (RLIMIT_NOFILE, &limit) != 0)
        return 0;
    }

  return limit.rlim_cur;
}

static void
log_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      if (n++ < 64)
        g_test_message ("fd %s -> %s", name, target != NULL ? target : "?");
    }
}

guint
dial_test_wait_fds (guint expected)
{
  gint64 until = g_get_monotonic_time () + WAIT_BOUND_US;
  guint n;

  for (;;)
    {
      drain_thread_default_context ();
      n = dial_test_count_fds ();
      if (n == expected || g_get_monotonic_time () > until)
        break;
      g_usleep (G_USEC_PER_SEC / 1000);
    }

  if (n != expected)
    {
      g_test_message ("%u descriptors open, %u expected", n, expected);
      log_fds ();
    }

  return n;
}

gboolean
dial_test_under_valgrind (void)
{
  const char *preload = g_getenv ("LD_PRELOAD");

  return preload != NULL && strstr (preload, "vgpreload") != NULL;
}
