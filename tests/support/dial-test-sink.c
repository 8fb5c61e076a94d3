/* dial-test-sink.c: loopback listeners that accept as fast as they can
 * and close each connection at once.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Raw system calls on purpose: the sink must never be the bottleneck of a
 * test that makes ten thousand connects on the other core, so each
 * connection costs it one accept4 () and one close ().
 */

#ifndef _GNU_SOURCE
# define _GNU_SOURCE  /* accept4 () */
#endif

#include "dial-test-sink.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <glib-unix.h>

#define BACKLOG        4096
#define WAIT_BOUND_US  (10 * G_USEC_PER_SEC)

struct _DialTestSink
{
  GArray             *fds;        /* int, the listeners */
  GPtrArray          *addresses;  /* GInetSocketAddress, one per listener */
  int                 wake[2];    /* a pipe: writing to wake[1] stops the thread */
  GThread            *thread;

  GMutex              mutex;
  GCond               cond;
  guint               accepted;   /* under mutex */
};

/* Accepts until @fd's queue is empty; returns how many it took. */
static guint
accept_all (int fd)
{
  guint n = 0;

  for (;;)
    {
      int peer = accept4 (fd, NULL, NULL, SOCK_CLOEXEC);

      if (peer >= 0)
        {
          close (peer);
          n++;
          continue;
        }
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        g_error ("dial-test-sink: accept4 (): %s", g_strerror (errno));
      return n;
    }
}

static gpointer
sink_thread (gpointer data)
{
  DialTestSink *self = data;
  guint n_fds = self->fds->len + 1;
  g_autofree struct pollfd *fds = g_new0 (struct pollfd, n_fds);

  for (guint i = 0; i < self->fds->len; i++)
    fds[i] = (struct pollfd) { g_array_index (self->fds, int, i), POLLIN, 0 };
  fds[n_fds - 1] = (struct pollfd) { self->wake[0], POLLIN, 0 };

  for (;;)
    {
      guint n = 0;

      if (poll (fds, n_fds, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("dial-test-sink: poll (): %s", g_strerror (errno));
        }

      if (fds[n_fds - 1].revents != 0)
        break;

      for (guint i = 0; i + 1 < n_fds; i++)
        if (fds[i].revents != 0)
          n += accept_all (fds[i].fd);

      if (n > 0)
        {
          g_mutex_lock (&self->mutex);
          self->accepted += n;
          g_cond_broadcast (&self->cond);
          g_mutex_unlock (&self->mutex);
        }
    }

  return NULL;
}

static gboolean
sink_listen (DialTestSink  *self,
             GError       **error)
{
  struct sockaddr_in address = {
    .sin_family = AF_INET,
    .sin_addr.s_addr = htonl (INADDR_LOOPBACK),
  };
  socklen_t len = sizeof address;
  g_autoptr(GInetAddress) loopback = NULL;
  int fd;

  fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    goto failed;
  g_array_append_val (self->fds, fd);

  if (bind (fd, (struct sockaddr *) &address, sizeof address) != 0 ||
      listen (fd, BACKLOG) != 0 ||
      getsockname (fd, (struct sockaddr *) &address, &len) != 0)
    goto failed;

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_ptr_array_add (self->addresses,
                   g_inet_socket_address_new (loopback, g_ntohs (address.sin_port)));
  return TRUE;

failed:
  {
    int errsv = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 "dial-test-sink: listening on 127.0.0.1: %s", g_strerror (errsv));
    return FALSE;
  }
}

DialTestSink *
dial_test_sink_new (guint    n_ports,
                    GError **error)
{
  g_autoptr(DialTestSink) self = g_new0 (DialTestSink, 1);

  g_return_val_if_fail (n_ports > 0, NULL);

  self->fds = g_array_new (FALSE, FALSE, sizeof (int));
  self->addresses = g_ptr_array_new_with_free_func (g_object_unref);
  self->wake[0] = self->wake[1] = -1;
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);

  for (guint i = 0; i < n_ports; i++)
    if (!sink_listen (self, error))
      return NULL;

  if (!g_unix_open_pipe (self->wake, FD_CLOEXEC, error))
    return NULL;

  self->thread = g_thread_new ("dial-test-sink", sink_thread, self);

  return g_steal_pointer (&self);
}

void
dial_test_sink_free (DialTestSink *self)
{
  if (self == NULL)
    return;

  if (self->thread != NULL)
    {
      static const char stop = 's';

      while (write (self->wake[1], &stop, 1) < 0 && errno == EINTR)
        ;
      g_thread_join (g_steal_pointer (&self->thread));
    }

  for (guint i = 0; i < self->fds->len; i++)
    close (g_array_index (self->fds, int, i));
  g_array_unref (self->fds);
  g_ptr_array_unref (self->addresses);
  if (self->wake[0] >= 0)
    close (self->wake[0]);
  if (self->wake[1] >= 0)
    close (self->wake[1]);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}

guint
dial_test_sink_get_n_ports (DialTestSink *self)
{
  return self->addresses->len;
}

GInetSocketAddress *
dial_test_sink_get_address (DialTestSink *self,
                            guint         index)
{
  g_return_val_if_fail (index < self->addresses->len, NULL);

  return g_ptr_array_index (self->addresses, index);
}

guint16
dial_test_sink_get_port (DialTestSink *self,
                         guint         index)
{
  return g_inet_socket_address_get_port (dial_test_sink_get_address (self, index));
}

guint
dial_test_sink_get_accepted (DialTestSink *self)
{
  guint accepted;

  g_mutex_lock (&self->mutex);
  accepted = self->accepted;
  g_mutex_unlock (&self->mutex);

  return accepted;
}

gboolean
dial_test_sink_wait_accepted (DialTestSink *self,
                              guint         n)
{
  gint64 until = g_get_monotonic_time () + WAIT_BOUND_US;
  guint seen;

  g_mutex_lock (&self->mutex);
  seen = self->accepted;
  while (self->accepted < n)
    {
      if (!g_cond_wait_until (&self->cond, &self->mutex, until))
        break;
      /* The bound runs from the last connection that came in. */
      if (self->accepted != seen)
        {
          seen = self->accepted;
          until = g_get_monotonic_time () + WAIT_BOUND_US;
        }
    }
  seen = self->accepted;
  g_mutex_unlock (&self->mutex);

  return seen >= n;
}

guint
dial_test_sink_ports_for (guint n_connections)
{
  g_autofree char *text = NULL;
  guint64 somaxconn = BACKLOG;

  if (g_file_get_contents ("/proc/sys/net/core/somaxconn", &text, NULL, NULL))
    somaxconn = g_ascii_strtoull (text, NULL, 10);
  somaxconn = CLAMP (somaxconn, 1, BACKLOG);

  return MAX (1, (n_connections + somaxconn - 1) / somaxconn);
}
