/* dial-test-proxy-listener.c: the threads and blocking I/O shared by the
 * in-process SOCKS server and HTTP CONNECT proxy.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "dial-test-proxy-listener.h"

#include <errno.h>

#define WAIT_BOUND_US (10 * G_USEC_PER_SEC)

struct _DialTestProxyListener
{
  GSocket              *socket;
  guint16               port;
  DialTestProxyHandler  handler;
  gpointer              user_data;
  GCancellable         *cancellable;
  GThread              *accept_thread;

  GMutex                mutex;
  GCond                 cond;
  GPtrArray            *threads;   /* GThread, one per connection, under mutex */
  guint                 accepted;  /* under mutex */
  guint                 finished;  /* under mutex */
};

typedef struct
{
  DialTestProxyListener *listener;
  GSocket               *client;
  guint                  index;
} Job;

static gpointer
connection_thread (gpointer data)
{
  Job *job = data;
  DialTestProxyListener *self = job->listener;

  self->handler (job->client, job->index, self->cancellable, self->user_data);

  g_socket_close (job->client, NULL);
  g_object_unref (job->client);
  g_free (job);

  g_mutex_lock (&self->mutex);
  self->finished++;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  return NULL;
}

static gpointer
accept_thread (gpointer data)
{
  DialTestProxyListener *self = data;

  for (;;)
    {
      GSocket *client;
      Job *job;

      /* Fails with CANCELLED once _free () has begun. */
      client = g_socket_accept (self->socket, self->cancellable, NULL);
      if (client == NULL)
        break;

      job = g_new0 (Job, 1);
      job->listener = self;
      job->client = client;

      g_mutex_lock (&self->mutex);
      job->index = self->accepted++;
      g_ptr_array_add (self->threads,
                       g_thread_new ("dial-test-proxy-conn", connection_thread, job));
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->mutex);
    }

  return NULL;
}

DialTestProxyListener *
dial_test_proxy_listener_new (DialTestProxyHandler handler,
                              gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) any_port = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  DialTestProxyListener *self;

  g_return_val_if_fail (handler != NULL, NULL);

  self = g_new0 (DialTestProxyListener, 1);
  self->handler = handler;
  self->user_data = user_data;
  self->cancellable = g_cancellable_new ();
  self->threads = g_ptr_array_new ();
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);

  self->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                               G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  any_port = g_inet_socket_address_new (loopback, 0);
  g_socket_bind (self->socket, any_port, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (self->socket, &error);
  g_assert_no_error (error);

  bound = g_socket_get_local_address (self->socket, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  self->accept_thread = g_thread_new ("dial-test-proxy-accept", accept_thread, self);

  return self;
}

void
dial_test_proxy_listener_free (DialTestProxyListener *self)
{
  if (self == NULL)
    return;

  g_cancellable_cancel (self->cancellable);

  /* Once the accept thread is gone nobody adds to threads. */
  g_thread_join (self->accept_thread);
  for (guint i = 0; i < self->threads->len; i++)
    g_thread_join (g_ptr_array_index (self->threads, i));
  g_ptr_array_unref (self->threads);

  g_socket_close (self->socket, NULL);
  g_object_unref (self->socket);
  g_object_unref (self->cancellable);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}

guint16
dial_test_proxy_listener_get_port (DialTestProxyListener *self)
{
  return self->port;
}

guint
dial_test_proxy_listener_get_accepted (DialTestProxyListener *self)
{
  guint accepted;

  g_mutex_lock (&self->mutex);
  accepted = self->accepted;
  g_mutex_unlock (&self->mutex);

  return accepted;
}

gboolean
dial_test_proxy_listener_wait_finished (DialTestProxyListener *self,
                                        guint                  n)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_BOUND_US;
  gboolean reached;

  g_mutex_lock (&self->mutex);
  while (self->finished < n)
    {
      if (!g_cond_wait_until (&self->cond, &self->mutex, deadline))
        break;
    }
  reached = self->finished >= n;
  g_mutex_unlock (&self->mutex);

  return reached;
}

gboolean
dial_test_proxy_read_exact (GSocket      *socket,
                            void         *buffer,
                            gsize         size,
                            GCancellable *cancellable)
{
  gsize done = 0;

  while (done < size)
    {
      gssize n = g_socket_receive (socket, (char *) buffer + done, size - done,
                                   cancellable, NULL);
      if (n <= 0)
        return FALSE;
      done += n;
    }

  return TRUE;
}

gboolean
dial_test_proxy_write_all (GSocket      *socket,
                           const void   *buffer,
                           gsize         size,
                           GCancellable *cancellable)
{
  gsize done = 0;

  while (done < size)
    {
      gssize n = g_socket_send (socket, (const char *) buffer + done, size - done,
                                cancellable, NULL);
      if (n <= 0)
        return FALSE;
      done += n;
    }

  return TRUE;
}

gsize
dial_test_proxy_drain (GSocket      *socket,
                       GCancellable *cancellable)
{
  char buffer[4096];
  gsize total = 0;
  gssize n;

  while ((n = g_socket_receive (socket, buffer, sizeof buffer, cancellable, NULL)) > 0)
    total += n;

  return total;
}

GSocket *
dial_test_proxy_connect_out (const char   *host,
                             guint16       port,
                             GCancellable *cancellable)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) target = NULL;
  g_autoptr(GSocket) socket = NULL;

  address = g_inet_address_new_from_string (host);
  if (address == NULL)
    address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  target = g_inet_socket_address_new (address, port);

  socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, NULL);
  if (socket == NULL)
    return NULL;
  if (!g_socket_connect (socket, target, cancellable, NULL))
    {
      g_socket_close (socket, NULL);
      return NULL;
    }

  return g_steal_pointer (&socket);
}

static gboolean
relay_once (GSocket      *from,
            GSocket      *to,
            GCancellable *cancellable)
{
  char buffer[4096];
  gssize n;

  n = g_socket_receive (from, buffer, sizeof buffer, cancellable, NULL);
  if (n <= 0)
    return FALSE;

  return dial_test_proxy_write_all (to, buffer, n, cancellable);
}

void
dial_test_proxy_relay (GSocket      *a,
                       GSocket      *b,
                       GCancellable *cancellable)
{
  GPollFD fds[3] = {
    { g_socket_get_fd (a), G_IO_IN, 0 },
    { g_socket_get_fd (b), G_IO_IN, 0 },
  };
  guint n_fds = 2;

  if (g_cancellable_make_pollfd (cancellable, &fds[2]))
    n_fds = 3;

  while (!g_cancellable_is_cancelled (cancellable))
    {
      if (g_poll (fds, n_fds, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }

      if (n_fds == 3 && fds[2].revents != 0)
        break;
      if (fds[0].revents != 0 && !relay_once (a, b, cancellable))
        break;
      if (fds[1].revents != 0 && !relay_once (b, a, cancellable))
        break;
    }

  if (n_fds == 3)
    g_cancellable_release_fd (cancellable);
}
