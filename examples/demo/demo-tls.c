/* demo-tls.c: a tiny TLS server for the demo, on gnutls
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The server speaks gnutls directly, not GIO's TLS, so that it serves
 * whichever TLS provider the client uses.  It listens on 127.0.0.1 and
 * ::1 (one port number for both, since a client dialling "localhost" may
 * try either), with a certificate for localhost that a CA made a moment
 * ago signed (demo-certs.c).  The CA's certificate is written to a
 * temporary file, for the client to trust, and removed when the server is
 * freed.
 *
 * After the handshake the server sends DEMO_TLS_GREETING and a newline,
 * then echoes what it receives until the client closes.  One thread serves
 * one client at a time on blocking sockets; every wait also watches a
 * cancellable, which demo_tls_server_free () cancels to end the thread.
 */

#include "demo-tls.h"

#include "demo-certs.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gnutls/gnutls.h>

/* How many times to look for a port number free on both loopbacks. */
#define PORT_TRIES 32

struct _DemoTlsServer
{
  GSocket                          *listeners[2];  /* 127.0.0.1, and ::1 if any */
  guint                             n_listeners;
  guint16                           port;
  char                             *ca_file;
  gnutls_certificate_credentials_t  credentials;
  GCancellable                     *stop;
  GThread                          *thread;
};

/* One client: its socket, which is also gnutls's transport. */
typedef struct
{
  GSocket          *socket;
  GCancellable     *stop;
  gnutls_session_t  session;
} Peer;

/* ======================================================================== */
/* gnutls's transport: the peer's blocking socket                           */

static ssize_t
peer_pull (gnutls_transport_ptr_t  ptr,
           void                   *buffer,
           size_t                  size)
{
  Peer *peer = ptr;
  gssize n = g_socket_receive (peer->socket, buffer, size, peer->stop, NULL);

  if (n < 0)
    gnutls_transport_set_errno (peer->session, ECONNRESET);
  return n;
}

static ssize_t
peer_push (gnutls_transport_ptr_t  ptr,
           const void             *data,
           size_t                  size)
{
  Peer *peer = ptr;
  gssize n = g_socket_send (peer->socket, data, size, peer->stop, NULL);

  if (n < 0)
    gnutls_transport_set_errno (peer->session, ECONNRESET);
  return n;
}

/* Whether data arrives within @ms: 1 if it does, 0 if not, -1 on error. */
static int
peer_pull_timeout (gnutls_transport_ptr_t ptr,
                   unsigned int           ms)
{
  Peer *peer = ptr;
  gint64 timeout_us = (ms == GNUTLS_INDEFINITE_TIMEOUT) ? -1 : (gint64) ms * 1000;
  g_autoptr(GError) error = NULL;

  if (g_socket_condition_timed_wait (peer->socket, G_IO_IN, timeout_us, peer->stop, &error))
    return 1;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return 0;

  gnutls_transport_set_errno (peer->session, EIO);
  return -1;
}

/* ======================================================================== */
/* One client                                                                */

/* Whether to try a failed gnutls call again. */
static gboolean
peer_should_retry (Peer *peer,
                   int   ret)
{
  return ret < 0 && !gnutls_error_is_fatal (ret) && !g_cancellable_is_cancelled (peer->stop);
}

static gboolean
peer_handshake (Peer *peer)
{
  int ret;

  do
    ret = gnutls_handshake (peer->session);
  while (peer_should_retry (peer, ret));

  return ret == GNUTLS_E_SUCCESS;
}

static gboolean
peer_send_all (Peer       *peer,
               const char *data,
               gsize       size)
{
  while (size > 0)
    {
      ssize_t n = gnutls_record_send (peer->session, data, size);

      if (peer_should_retry (peer, n))
        continue;
      if (n < 0)
        return FALSE;

      data += n;
      size -= n;
    }

  return TRUE;
}

/* The greeting, then an echo of whatever arrives, until the client closes. */
static void
peer_talk (Peer *peer)
{
  static const char greeting[] = DEMO_TLS_GREETING "\n";
  char buffer[4096];
  ssize_t n;

  if (!peer_send_all (peer, greeting, strlen (greeting)))
    return;

  while ((n = gnutls_record_recv (peer->session, buffer, sizeof buffer)) != 0)
    {
      if (peer_should_retry (peer, n))
        continue;
      if (n < 0 || !peer_send_all (peer, buffer, n))
        return;  /* a failure, or the client went without close_notify */
    }

  /* The client sent close_notify: answer with ours. */
  gnutls_bye (peer->session, GNUTLS_SHUT_WR);
}

static void
demo_tls_server_serve (DemoTlsServer *self,
                       GSocket       *socket)
{
  Peer peer = { socket, self->stop, NULL };

  if (gnutls_init (&peer.session, GNUTLS_SERVER) < 0)
    return;

  if (gnutls_set_default_priority (peer.session) >= 0 &&
      gnutls_credentials_set (peer.session, GNUTLS_CRD_CERTIFICATE, self->credentials) >= 0)
    {
      gnutls_transport_set_ptr (peer.session, &peer);
      gnutls_transport_set_pull_function (peer.session, peer_pull);
      gnutls_transport_set_pull_timeout_function (peer.session, peer_pull_timeout);
      gnutls_transport_set_push_function (peer.session, peer_push);

      if (peer_handshake (&peer))
        peer_talk (&peer);
    }

  gnutls_deinit (peer.session);
}

/* Waits for a client on any of the listening sockets; NULL once stopped. */
static GSocket *
demo_tls_server_accept (DemoTlsServer *self)
{
  GPollFD fds[G_N_ELEMENTS (self->listeners) + 1];
  guint n = self->n_listeners;
  GSocket *client = NULL;

  if (!g_cancellable_make_pollfd (self->stop, &fds[n]))
    return NULL;

  while (client == NULL && !g_cancellable_is_cancelled (self->stop))
    {
      for (guint i = 0; i < n; i++)
        {
          fds[i].fd = g_socket_get_fd (self->listeners[i]);
          fds[i].events = G_IO_IN;
          fds[i].revents = 0;
        }

      if (g_poll (fds, n + 1, -1) < 0)
        continue;  /* EINTR */

      /* The listening sockets do not block: a client that went away
       * before accept () is only a G_IO_ERROR_WOULD_BLOCK. */
      for (guint i = 0; i < n && client == NULL; i++)
        if (fds[i].revents != 0)
          client = g_socket_accept (self->listeners[i], NULL, NULL);
    }

  g_cancellable_release_fd (self->stop);
  return client;
}

static gpointer
demo_tls_server_thread (gpointer data)
{
  DemoTlsServer *self = data;
  GSocket *client;

  while ((client = demo_tls_server_accept (self)) != NULL)
    {
      demo_tls_server_serve (self, client);
      g_socket_close (client, NULL);
      g_object_unref (client);
    }

  return NULL;
}

/* ======================================================================== */
/* Setting up                                                                */

/* A socket listening on loopback:@port (any free port when 0). */
static GSocket *
listen_on_loopback (GSocketFamily   family,
                    guint16         port,
                    GError        **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (family);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL ||
      !g_socket_bind (socket, address, TRUE, error) ||
      !g_socket_listen (socket, error))
    return NULL;

  g_socket_set_blocking (socket, FALSE);
  return g_steal_pointer (&socket);
}

static guint16
local_port (GSocket *socket)
{
  g_autoptr(GSocketAddress) address = g_socket_get_local_address (socket, NULL);

  return address ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)) : 0;
}

/* 127.0.0.1 and ::1 on one port number; 127.0.0.1 alone without IPv6. */
static gboolean
demo_tls_server_listen (DemoTlsServer  *self,
                        GError        **error)
{
  for (guint i = 0; i < PORT_TRIES; i++)
    {
      g_autoptr(GSocket) ipv4 = NULL;
      g_autoptr(GSocket) ipv6 = NULL;
      g_autoptr(GError) ipv6_error = NULL;

      ipv4 = listen_on_loopback (G_SOCKET_FAMILY_IPV4, 0, error);
      if (ipv4 == NULL)
        return FALSE;

      self->port = local_port (ipv4);
      ipv6 = listen_on_loopback (G_SOCKET_FAMILY_IPV6, self->port, &ipv6_error);
      if (ipv6 == NULL && g_error_matches (ipv6_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        continue;  /* someone has this port on ::1: try another one */

      self->listeners[self->n_listeners++] = g_steal_pointer (&ipv4);
      if (ipv6 != NULL)
        self->listeners[self->n_listeners++] = g_steal_pointer (&ipv6);
      return TRUE;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
               "No port number free on both 127.0.0.1 and ::1");
  return FALSE;
}

static gboolean
demo_tls_server_write_ca (DemoTlsServer  *self,
                          const char     *pem,
                          GError        **error)
{
  int fd = g_file_open_tmp ("dial-demo-ca-XXXXXX.pem", &self->ca_file, error);

  if (fd < 0)
    return FALSE;

  g_close (fd, NULL);
  return g_file_set_contents (self->ca_file, pem, -1, error);
}

/**
 * demo_tls_server_new:
 *
 * Makes the certificates, writes the CA's to a temporary file and starts
 * the server in a thread of its own.
 *
 * Returns: (transfer full) (nullable): the server
 */
DemoTlsServer *
demo_tls_server_new (GError **error)
{
  g_autoptr(DemoTlsServer) self = g_new0 (DemoTlsServer, 1);
  g_autofree char *ca_pem = NULL;
  int ret;

  self->stop = g_cancellable_new ();

  ret = gnutls_certificate_allocate_credentials (&self->credentials);
  if (ret < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Could not make TLS credentials: %s", gnutls_strerror (ret));
      return NULL;
    }

  if (!demo_certs_make (self->credentials, &ca_pem, error) ||
      !demo_tls_server_write_ca (self, ca_pem, error) ||
      !demo_tls_server_listen (self, error))
    return NULL;

  self->thread = g_thread_new ("demo-tls", demo_tls_server_thread, self);
  return g_steal_pointer (&self);
}

/* Stops the thread, removes the CA's file and frees the server. */
void
demo_tls_server_free (DemoTlsServer *self)
{
  if (self == NULL)
    return;

  g_cancellable_cancel (self->stop);
  g_clear_pointer (&self->thread, g_thread_join);

  for (guint i = 0; i < self->n_listeners; i++)
    {
      g_socket_close (self->listeners[i], NULL);
      g_clear_object (&self->listeners[i]);
    }
  g_clear_pointer (&self->credentials, gnutls_certificate_free_credentials);
  if (self->ca_file != NULL)
    g_unlink (self->ca_file);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_object (&self->stop);
  g_free (self);
}

guint16
demo_tls_server_get_port (DemoTlsServer *self)
{
  return self->port;
}

gboolean
demo_tls_server_has_ipv6 (DemoTlsServer *self)
{
  return self->n_listeners > 1;
}

const char *
demo_tls_server_get_ca_file (DemoTlsServer *self)
{
  return self->ca_file;
}
