/* dial-test-events.c: records a DialSocketClient's "event" emissions and
 * runs async connects to completion, for every C test.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "dial-test-events.h"

struct _DialTestEvents
{
  GWeakRef            client;       /* the recorder never keeps the client alive */
  gulong              handler_id;

  GMutex              mutex;        /* events may come from a test's own thread */
  GArray             *events;       /* DialTestEvent */

  GSocketClientEvent  cancel_event;
  GCancellable       *cancel_on;    /* nullable */
};

static void
dial_test_event_clear (gpointer data)
{
  DialTestEvent *event = data;

  g_clear_object (&event->connectable);
  g_clear_object (&event->connection);
}

static void
on_event (DialSocketClient   *client,
          GSocketClientEvent  kind,
          GSocketConnectable *connectable,
          GIOStream          *connection,
          gpointer            user_data)
{
  DialTestEvents *self = user_data;
  g_autoptr(GCancellable) to_cancel = NULL;
  DialTestEvent event = {
    .event = kind,
    .connectable = connectable != NULL ? g_object_ref (connectable) : NULL,
    .connection = connection != NULL ? g_object_ref (connection) : NULL,
    .time_us = g_get_monotonic_time (),
  };

  g_mutex_lock (&self->mutex);
  g_array_append_val (self->events, event);
  if (self->cancel_on != NULL && self->cancel_event == kind)
    to_cancel = g_steal_pointer (&self->cancel_on);
  g_mutex_unlock (&self->mutex);

  if (to_cancel != NULL)
    g_cancellable_cancel (to_cancel);
}

DialTestEvents *
dial_test_events_new (DialSocketClient *client)
{
  DialTestEvents *self;

  g_return_val_if_fail (DIAL_IS_SOCKET_CLIENT (client), NULL);

  self = g_new0 (DialTestEvents, 1);
  g_weak_ref_init (&self->client, client);
  g_mutex_init (&self->mutex);
  self->events = g_array_new (FALSE, TRUE, sizeof (DialTestEvent));
  g_array_set_clear_func (self->events, dial_test_event_clear);
  self->handler_id = g_signal_connect (client, "event", G_CALLBACK (on_event), self);

  return self;
}

void
dial_test_events_free (DialTestEvents *self)
{
  g_autoptr(DialSocketClient) client = NULL;

  if (self == NULL)
    return;

  client = g_weak_ref_get (&self->client);
  if (client != NULL)
    g_signal_handler_disconnect (client, self->handler_id);
  g_weak_ref_clear (&self->client);

  g_clear_object (&self->cancel_on);
  g_clear_pointer (&self->events, g_array_unref);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

void
dial_test_events_clear (DialTestEvents *self)
{
  g_mutex_lock (&self->mutex);
  g_array_set_size (self->events, 0);
  g_mutex_unlock (&self->mutex);
}

guint
dial_test_events_len (DialTestEvents *self)
{
  guint len;

  g_mutex_lock (&self->mutex);
  len = self->events->len;
  g_mutex_unlock (&self->mutex);

  return len;
}

const DialTestEvent *
dial_test_events_get (DialTestEvents *self,
                      guint           index)
{
  const DialTestEvent *event;

  g_mutex_lock (&self->mutex);
  g_assert_cmpuint (index, <, self->events->len);
  event = &g_array_index (self->events, DialTestEvent, index);
  g_mutex_unlock (&self->mutex);

  return event;
}

const DialTestEvent *
dial_test_events_find_last (DialTestEvents     *self,
                            GSocketClientEvent  event)
{
  const DialTestEvent *found = NULL;

  g_mutex_lock (&self->mutex);
  for (guint i = self->events->len; i > 0; i--)
    {
      const DialTestEvent *e = &g_array_index (self->events, DialTestEvent, i - 1);

      if (e->event == event)
        {
          found = e;
          break;
        }
    }
  g_mutex_unlock (&self->mutex);

  return found;
}

static const char *
event_abbreviation (GSocketClientEvent event)
{
  switch (event)
    {
    case G_SOCKET_CLIENT_RESOLVING:         return "R";
    case G_SOCKET_CLIENT_RESOLVED:          return "Rd";
    case G_SOCKET_CLIENT_CONNECTING:        return "C";
    case G_SOCKET_CLIENT_CONNECTED:         return "Cd";
    case G_SOCKET_CLIENT_PROXY_NEGOTIATING: return "PN";
    case G_SOCKET_CLIENT_PROXY_NEGOTIATED:  return "PNd";
    case G_SOCKET_CLIENT_TLS_HANDSHAKING:   return "TH";
    case G_SOCKET_CLIENT_TLS_HANDSHAKED:    return "THd";
    case G_SOCKET_CLIENT_COMPLETE:          return "X";
    default:                                return "?";
    }
}

char *
dial_test_events_describe (DialTestEvents *self)
{
  GString *out = g_string_new (NULL);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->events->len; i++)
    {
      const DialTestEvent *e = &g_array_index (self->events, DialTestEvent, i);

      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, event_abbreviation (e->event));
    }
  g_mutex_unlock (&self->mutex);

  return g_string_free (out, FALSE);
}

void
dial_test_events_cancel_on (DialTestEvents     *self,
                            GSocketClientEvent  event,
                            GCancellable       *cancellable)
{
  g_return_if_fail (G_IS_CANCELLABLE (cancellable));

  g_mutex_lock (&self->mutex);
  g_set_object (&self->cancel_on, cancellable);
  self->cancel_event = event;
  g_mutex_unlock (&self->mutex);
}

typedef struct
{
  DialTestEvents    *events;
  guint              first_event;  /* events recorded before the call */
  gboolean           done;
  GSocketConnection *connection;
  GError            *error;
} AsyncWait;

static void
connect_async_wait_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  AsyncWait *wait = user_data;

  wait->connection = dial_socket_client_connect_finish (DIAL_SOCKET_CLIENT (source),
                                                        result, &wait->error);
  g_assert_true ((wait->connection == NULL) != (wait->error == NULL));

  if (wait->events != NULL)
    {
      DialTestEvents *self = wait->events;
      const DialTestEvent *last;
      guint n_complete = 0;

      /* COMPLETE came exactly once, last, and carries what the callback got. */
      g_mutex_lock (&self->mutex);
      g_assert_cmpuint (self->events->len, >, wait->first_event);
      for (guint i = wait->first_event; i < self->events->len; i++)
        if (g_array_index (self->events, DialTestEvent, i).event == G_SOCKET_CLIENT_COMPLETE)
          n_complete++;
      last = &g_array_index (self->events, DialTestEvent, self->events->len - 1);
      g_assert_cmpint (last->event, ==, G_SOCKET_CLIENT_COMPLETE);
      g_assert_true (last->connection == (GIOStream *) wait->connection);
      g_mutex_unlock (&self->mutex);
      g_assert_cmpuint (n_complete, ==, 1);
    }

  wait->done = TRUE;
}

GSocketConnection *
dial_test_connect_async_wait (DialSocketClient    *client,
                              GSocketConnectable  *connectable,
                              GCancellable        *cancellable,
                              DialTestEvents      *events,
                              GError             **error)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  AsyncWait wait = {
    .events = events,
    .first_event = events != NULL ? dial_test_events_len (events) : 0,
  };

  dial_socket_client_connect_async (client, connectable, cancellable,
                                    connect_async_wait_cb, &wait);
  /* The result is never delivered from inside the call. */
  g_assert_false (wait.done);

  while (!wait.done)
    g_main_context_iteration (context, TRUE);

  if (wait.error != NULL)
    g_propagate_error (error, wait.error);

  return wait.connection;
}

guint
dial_test_count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;

  /* Do not count the descriptor that reads the directory. */
  return n - 1;
}
