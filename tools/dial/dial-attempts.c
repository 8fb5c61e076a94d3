/* dial-attempts.c: the connection attempts of one connect, and their
 * sockets
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An attempt is the socket of a CONNECTING event's connection: the event
 * does not say which address it targets, and its remote address is only
 * available once it is connected (a documented libdial limitation). Later
 * events are matched to their attempt by socket (a GSocketConnection's,
 * or that under a GTlsConnection), or else belong to the attempt in the
 * proxy and TLS stages: libdial runs those for one attempt at a time.
 *
 * libdial closes the socket of an attempt as soon as it fails or loses,
 * and releases it. Each attempt holds a weak reference to its socket;
 * dial_cmd_attempts_notice_ended() also looks for sockets closed but not
 * yet released. Either way the attempt gets its end time; how it ended is
 * for the trace to say.
 */

#include "dial-attempts.h"

struct _DialCmdAttempts
{
  GMutex          lock;      /* each attempt's socket and ended */
  GPtrArray      *array;     /* DialCmdAttempt */
  DialCmdAttempt *staged;    /* in the proxy or TLS stages */
};

const char *
dial_cmd_family_name (GSocketFamily family)
{
  switch (family)
    {
    case G_SOCKET_FAMILY_IPV4: return "IPv4";
    case G_SOCKET_FAMILY_IPV6: return "IPv6";
    case G_SOCKET_FAMILY_UNIX: return "Unix";
    case G_SOCKET_FAMILY_INVALID:
    default:                   return "unknown";
    }
}

/* The socket is gone: libdial released the attempt. May run on another
 * thread (a TLS backend's worker drops the last reference), hence the
 * lock. */
static void
socket_finalized (gpointer  data,
                  GObject  *where_the_object_was)
{
  DialCmdAttempt *attempt = data;
  DialCmdAttempts *self = attempt->owner;

  g_mutex_lock (&self->lock);
  attempt->socket = NULL;
  if (attempt->ended < 0)
    attempt->ended = g_get_monotonic_time ();
  g_mutex_unlock (&self->lock);
}

static void
attempt_free (DialCmdAttempt *attempt)
{
  if (attempt->socket != NULL)
    g_object_weak_unref (G_OBJECT (attempt->socket), socket_finalized, attempt);
  g_free (attempt->address);
  g_free (attempt->reason);
  g_free (attempt);
}

/* The socket under @stream: a socket connection's own, or that of the
 * stream a TLS connection runs over. */
static GSocket *
socket_of (GIOStream *stream)
{
  for (guint depth = 0; stream != NULL && depth < 8; depth++)
    {
      g_autoptr(GIOStream) base = NULL;

      if (G_IS_SOCKET_CONNECTION (stream))
        return g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream));
      if (!G_IS_TLS_CONNECTION (stream))
        return NULL;

      g_object_get (stream, "base-io-stream", &base, NULL);
      stream = base;  /* the TLS connection keeps it alive */
    }

  return NULL;
}

/* A new attempt for the connection of a CONNECTING event, or NULL when
 * it has no socket. */
DialCmdAttempt *
dial_cmd_attempts_add (DialCmdAttempts *self,
                       GIOStream       *stream)
{
  GSocket *socket = socket_of (stream);
  DialCmdAttempt *attempt;

  if (socket == NULL)
    return NULL;

  attempt = g_new0 (DialCmdAttempt, 1);
  attempt->owner = self;
  attempt->index = self->array->len + 1;
  attempt->family = g_socket_get_family (socket);
  attempt->started = g_get_monotonic_time ();
  attempt->connected = -1;
  attempt->proxy_started = -1;
  attempt->proxy_done = -1;
  attempt->tls_started = -1;
  attempt->tls_done = -1;
  attempt->ended = -1;
  attempt->stage = G_SOCKET_CLIENT_CONNECTING;
  attempt->outcome = DIAL_CMD_ATTEMPT_PENDING;
  attempt->socket = socket;
  g_object_weak_ref (G_OBJECT (socket), socket_finalized, attempt);

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->array, attempt);
  g_mutex_unlock (&self->lock);
  return attempt;
}

/* The attempt whose socket @stream runs over, or NULL. */
DialCmdAttempt *
dial_cmd_attempts_find_by_socket (DialCmdAttempts *self,
                                  GIOStream       *stream)
{
  GSocket *socket = socket_of (stream);
  DialCmdAttempt *found = NULL;

  if (socket == NULL)
    return NULL;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->array->len && found == NULL; i++)
    {
      DialCmdAttempt *attempt = g_ptr_array_index (self->array, i);

      if (attempt->socket == socket)
        found = attempt;
    }
  g_mutex_unlock (&self->lock);

  return found;
}

/* The attempt @stream belongs to: by socket, or else the one in the
 * stages (a proxy's stream over the socket, say). */
DialCmdAttempt *
dial_cmd_attempts_find (DialCmdAttempts *self,
                        GIOStream       *stream)
{
  DialCmdAttempt *attempt = dial_cmd_attempts_find_by_socket (self, stream);

  return attempt != NULL ? attempt : self->staged;
}

/* @attempt entered the proxy or TLS stage; NULL when it left them. */
void
dial_cmd_attempts_set_staged (DialCmdAttempts *self,
                              DialCmdAttempt  *attempt)
{
  self->staged = attempt;
}

DialCmdAttempt *
dial_cmd_attempts_get_staged (DialCmdAttempts *self)
{
  return self->staged;
}

/* Gives an end time to the attempts whose socket was closed since. */
void
dial_cmd_attempts_notice_ended (DialCmdAttempts *self)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->array->len; i++)
    {
      DialCmdAttempt *attempt = g_ptr_array_index (self->array, i);

      if (attempt->ended < 0 && attempt->socket != NULL && g_socket_is_closed (attempt->socket))
        attempt->ended = now;
    }
  g_mutex_unlock (&self->lock);
}

/* The attempts, in the order they started. */
GPtrArray *
dial_cmd_attempts_get_array (DialCmdAttempts *self)
{
  return self->array;
}

DialCmdAttempts *
dial_cmd_attempts_new (void)
{
  DialCmdAttempts *self = g_new0 (DialCmdAttempts, 1);

  g_mutex_init (&self->lock);
  self->array = g_ptr_array_new ();
  return self;
}

void
dial_cmd_attempts_free (DialCmdAttempts *self)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_set_free_func (self->array, (GDestroyNotify) attempt_free);
  g_ptr_array_unref (self->array);
  g_mutex_unlock (&self->lock);
  g_mutex_clear (&self->lock);
  g_free (self);
}
