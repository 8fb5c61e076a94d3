/* bench-servers.c: the loopback servers the benchmark connects to.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include "bench-servers.h"

/* How many connections may wait for the accept thread. */
#define ACCEPT_BACKLOG 1024

/* How many times to look for a port number free on both loopbacks. */
#define PORT_TRIES 32

struct _BenchServers
{
  GSocket *listener;     /* 127.0.0.1:port, accepting */
  GSocket *black_hole;   /* [::1]:port, queue full; NULL without IPv6 */
  GSocket *filler;       /* the connection that fills black_hole's queue */
  guint16  port;

  GThread *thread;
  gint     stopping;     /* atomic */
};

static GSocket *
listen_on (const char  *ip,
           guint16      port,
           int          backlog,
           GError     **error)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (ip);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, port);
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;

  g_socket_set_listen_backlog (socket, backlog);
  if (!g_socket_bind (socket, address, TRUE, error) ||
      !g_socket_listen (socket, error))
    return NULL;

  return g_steal_pointer (&socket);
}

static guint16
local_port (GSocket *socket)
{
  g_autoptr(GSocketAddress) address = g_socket_get_local_address (socket, NULL);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
}

/* Makes one connection to @listener, and keeps it: it is never accepted. */
static GSocket *
connect_to (GSocket  *listener,
            GError  **error)
{
  g_autoptr(GSocketAddress) address = g_socket_get_local_address (listener, error);
  g_autoptr(GSocket) socket = NULL;

  if (address == NULL)
    return NULL;

  socket = g_socket_new (g_socket_get_family (listener), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL || !g_socket_connect (socket, address, NULL, error))
    return NULL;

  return g_steal_pointer (&socket);
}

/* A listener on [::1] that lets connects hang.
 *
 * With a backlog of 0, Linux keeps exactly one connection in the accept
 * queue.  Once the filler connection sits there (nobody ever accepts it),
 * the queue is full and the kernel silently drops every further SYN: the
 * peer sees no answer at all, as from an unreachable IPv6 route. */
static gboolean
bench_servers_open_black_hole (BenchServers  *self,
                               GError       **error)
{
  self->black_hole = listen_on ("::1", 0, 0, error);
  if (self->black_hole == NULL)
    return FALSE;

  self->filler = connect_to (self->black_hole, error);
  if (self->filler == NULL)
    {
      g_clear_object (&self->black_hole);
      return FALSE;
    }

  self->port = local_port (self->black_hole);
  return TRUE;
}

static void
bench_servers_close_black_hole (BenchServers *self)
{
  g_clear_object (&self->filler);
  g_clear_object (&self->black_hole);
}

/* Binds both sockets on one port number: a name that resolves to ::1 and
 * 127.0.0.1 is dialled with one port.  The black hole picks a free port;
 * if 127.0.0.1 has that port taken, try again. */
static gboolean
bench_servers_bind (BenchServers  *self,
                    GError       **error)
{
  for (guint i = 0; i < PORT_TRIES; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (!bench_servers_open_black_hole (self, &local_error))
        {
          /* No IPv6 loopback: serve IPv4 alone, on any port. */
          self->listener = listen_on ("127.0.0.1", 0, ACCEPT_BACKLOG, error);
          if (self->listener == NULL)
            return FALSE;
          self->port = local_port (self->listener);
          return TRUE;
        }

      self->listener = listen_on ("127.0.0.1", self->port, ACCEPT_BACKLOG, &local_error);
      if (self->listener != NULL)
        return TRUE;

      bench_servers_close_black_hole (self);
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
               "No port number free on both 127.0.0.1 and ::1");
  return FALSE;
}

/* The accepting server: accept, close, repeat.  Raw system calls on a
 * blocking descriptor keep the server's cost per connection to the two
 * system calls the kernel needs. */
static gpointer
bench_servers_accept_loop (gpointer data)
{
  BenchServers *self = data;
  int fd = g_socket_get_fd (self->listener);

  while (!g_atomic_int_get (&self->stopping))
    {
      int peer = accept (fd, NULL, NULL);

      if (peer >= 0)
        close (peer);
      else if (errno != EINTR && errno != ECONNABORTED)
        g_error ("accept() failed: %s", g_strerror (errno));
    }

  return NULL;
}

BenchServers *
bench_servers_start (GError **error)
{
  g_autoptr(BenchServers) self = g_new0 (BenchServers, 1);

  if (!bench_servers_bind (self, error))
    return NULL;

  /* GSocket keeps its descriptors non-blocking; the thread wants to sleep
   * in accept(). */
  if (!g_unix_set_fd_nonblocking (g_socket_get_fd (self->listener), FALSE, error))
    return NULL;

  self->thread = g_thread_new ("bench-accept", bench_servers_accept_loop, self);

  return g_steal_pointer (&self);
}

guint16
bench_servers_get_port (BenchServers *self)
{
  return self->port;
}

gboolean
bench_servers_has_black_hole (BenchServers *self)
{
  return self->black_hole != NULL;
}

void
bench_servers_stop (BenchServers *self)
{
  if (self->thread != NULL)
    {
      g_autoptr(GSocket) wake = NULL;
      g_autoptr(GError) error = NULL;

      /* accept() returns only when a connection arrives: make one. */
      g_atomic_int_set (&self->stopping, TRUE);
      wake = connect_to (self->listener, &error);
      if (wake == NULL)
        g_error ("Could not wake the accept thread: %s", error->message);
      g_thread_join (g_steal_pointer (&self->thread));
    }

  bench_servers_close_black_hole (self);
  g_clear_object (&self->listener);
  g_free (self);
}
