/* dial-test-servers.c: loopback endpoints with a known behaviour.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "dial-test-servers.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

/* One accepted connection, owned by the server thread while it runs. */
typedef struct
{
  GSocket *socket;
  GSource *source;   /* echo servers only */
} Peer;

struct _DialTestServer
{
  DialTestServerKind  kind;
  GSocket            *socket;         /* the listening (or merely bound) socket */
  GInetSocketAddress *address;
  char               *host_and_port;

  /* Black hole: connections that sit in the accept queue. */
  GPtrArray          *fillers;        /* GSocket */

  /* Accepting: the thread and what it shares with the tests. */
  gboolean            echo;
  GThread            *thread;
  GMainContext       *context;
  gint                quit;           /* atomic */
  GSource            *listen_source;
  GArray             *peers;          /* Peer, touched by the thread only */

  GMutex              mutex;
  GCond               cond;
  GPtrArray          *peer_addresses; /* GInetSocketAddress, under mutex */
};

/* The loopback of @family, port 0. */
static GInetSocketAddress *
loopback_for (GSocketFamily family)
{
  g_autoptr(GInetAddress) loopback = NULL;

  g_assert (family == G_SOCKET_FAMILY_IPV4 || family == G_SOCKET_FAMILY_IPV6);
  loopback = g_inet_address_new_loopback (family);
  return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (loopback, 0));
}

static void
peer_clear (gpointer data)
{
  Peer *peer = data;

  if (peer->source != NULL)
    {
      g_source_destroy (peer->source);
      g_clear_pointer (&peer->source, g_source_unref);
    }
  if (peer->socket != NULL)
    g_socket_close (peer->socket, NULL);
  g_clear_object (&peer->socket);
}

static DialTestServer *
server_new (DialTestServerKind kind)
{
  DialTestServer *self = g_new0 (DialTestServer, 1);

  self->kind = kind;
  self->fillers = g_ptr_array_new_with_free_func (g_object_unref);
  self->peers = g_array_new (FALSE, TRUE, sizeof (Peer));
  g_array_set_clear_func (self->peers, peer_clear);
  self->peer_addresses = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);

  return self;
}

/* Creates self->socket bound to @address, and records the address (with
 * the port the kernel picked). */
static gboolean
server_bind (DialTestServer      *self,
             GInetSocketAddress  *address,
             GError             **error)
{
  GSocketFamily family = g_socket_address_get_family (G_SOCKET_ADDRESS (address));
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *ip = NULL;

  self->socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (self->socket == NULL)
    return FALSE;

  if (!g_socket_bind (self->socket, G_SOCKET_ADDRESS (address), FALSE, error))
    return FALSE;

  bound = g_socket_get_local_address (self->socket, error);
  if (bound == NULL)
    return FALSE;

  self->address = G_INET_SOCKET_ADDRESS (g_steal_pointer (&bound));
  ip = g_inet_address_to_string (g_inet_socket_address_get_address (self->address));
  if (family == G_SOCKET_FAMILY_IPV6)
    self->host_and_port = g_strdup_printf ("[%s]:%u", ip, g_inet_socket_address_get_port (self->address));
  else
    self->host_and_port = g_strdup_printf ("%s:%u", ip, g_inet_socket_address_get_port (self->address));

  return TRUE;
}

/* ---- accepting ---------------------------------------------------------- */

static gboolean
echo_cb (GSocket      *socket,
         GIOCondition  condition,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  char buffer[4096];
  gssize n;

  n = g_socket_receive_with_blocking (socket, buffer, sizeof buffer, FALSE, NULL, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  if (n > 0 && g_socket_send_with_blocking (socket, buffer, n, TRUE, NULL, NULL) == n)
    return G_SOURCE_CONTINUE;

  /* EOF or an error: stop echoing; the socket is closed in _free. */
  g_socket_shutdown (socket, FALSE, TRUE, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
accept_cb (GSocket      *listener,
           GIOCondition  condition,
           gpointer      user_data)
{
  DialTestServer *self = user_data;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) peer_address = NULL;
  Peer peer = { 0 };

  socket = g_socket_accept (listener, NULL, NULL);
  if (socket == NULL)
    return G_SOURCE_CONTINUE;

  peer_address = g_socket_get_remote_address (socket, NULL);

  if (self->echo)
    {
      peer.source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_callback (peer.source, G_SOURCE_FUNC (echo_cb), NULL, NULL);
      g_source_attach (peer.source, self->context);
    }
  peer.socket = g_steal_pointer (&socket);
  g_array_append_val (self->peers, peer);

  g_mutex_lock (&self->mutex);
  if (peer_address != NULL)
    g_ptr_array_add (self->peer_addresses, g_steal_pointer (&peer_address));
  else
    g_ptr_array_add (self->peer_addresses, NULL);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  return G_SOURCE_CONTINUE;
}

static gpointer
accept_thread (gpointer data)
{
  DialTestServer *self = data;

  g_main_context_push_thread_default (self->context);
  while (!g_atomic_int_get (&self->quit))
    g_main_context_iteration (self->context, TRUE);

  /* Drop the sources while their context is ours. */
  g_source_destroy (self->listen_source);
  g_array_set_size (self->peers, 0);
  g_main_context_pop_thread_default (self->context);

  return NULL;
}

DialTestServer *
dial_test_server_new_accepting (GSocketFamily   family,
                                gboolean        echo,
                                GError        **error)
{
  g_autoptr(GInetSocketAddress) address = loopback_for (family);

  return dial_test_server_new_accepting_at (address, echo, error);
}

DialTestServer *
dial_test_server_new_accepting_at (GInetSocketAddress  *address,
                                   gboolean             echo,
                                   GError             **error)
{
  g_autoptr(DialTestServer) self = server_new (DIAL_TEST_SERVER_ACCEPTING);

  if (!server_bind (self, address, error))
    return NULL;
  if (!g_socket_listen (self->socket, error))
    return NULL;

  g_socket_set_blocking (self->socket, FALSE);
  self->echo = echo;
  self->context = g_main_context_new ();
  self->listen_source = g_socket_create_source (self->socket, G_IO_IN, NULL);
  g_source_set_callback (self->listen_source, G_SOURCE_FUNC (accept_cb), self, NULL);
  g_source_attach (self->listen_source, self->context);
  self->thread = g_thread_new ("dial-test-server", accept_thread, self);

  return g_steal_pointer (&self);
}

/* ---- refusing ----------------------------------------------------------- */

DialTestServer *
dial_test_server_new_refusing (GSocketFamily   family,
                               GError        **error)
{
  g_autoptr(GInetSocketAddress) address = loopback_for (family);

  return dial_test_server_new_refusing_at (address, error);
}

DialTestServer *
dial_test_server_new_refusing_at (GInetSocketAddress  *address,
                                  GError             **error)
{
  g_autoptr(DialTestServer) self = server_new (DIAL_TEST_SERVER_REFUSING);

  /* Bound but not listening: the port is ours and every SYN gets a RST. */
  if (!server_bind (self, address, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* ---- black hole --------------------------------------------------------- */

/* Whether the listener's accept queue is over its backlog, from Linux's
 * TCP_INFO on a listening socket: tcpi_unacked is the queue length and
 * tcpi_sacked the backlog. */
static gboolean
accept_queue_full (GSocket  *listener,
                   gboolean *full,
                   GError  **error)
{
  struct tcp_info info = { 0 };
  socklen_t len = sizeof info;

  if (getsockopt (g_socket_get_fd (listener), IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "TCP_INFO: %s", g_strerror (errsv));
      return FALSE;
    }

  *full = info.tcpi_unacked > info.tcpi_sacked;
  return TRUE;
}

DialTestServer *
dial_test_server_new_black_hole (GSocketFamily   family,
                                 GError        **error)
{
  g_autoptr(GInetSocketAddress) address = loopback_for (family);

  return dial_test_server_new_black_hole_at (address, error);
}

DialTestServer *
dial_test_server_new_black_hole_at (GInetSocketAddress  *address,
                                    GError             **error)
{
  g_autoptr(DialTestServer) self = server_new (DIAL_TEST_SERVER_BLACK_HOLE);
  GSocketFamily family = g_socket_address_get_family (G_SOCKET_ADDRESS (address));
  gboolean full = FALSE;

  if (!server_bind (self, address, error))
    return NULL;
  g_socket_set_listen_backlog (self->socket, 0);
  if (!g_socket_listen (self->socket, error))
    return NULL;

  /* With a backlog of 0 the kernel queues one connection; each filler's
   * handshake completes, and once the queue is over the backlog every
   * further SYN is dropped. */
  for (guint i = 0; i < 16; i++)
    {
      g_autoptr(GSocket) filler = NULL;
      g_autoptr(GError) local_error = NULL;

      if (!accept_queue_full (self->socket, &full, error))
        return NULL;
      if (full)
        break;

      filler = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
      if (filler == NULL)
        return NULL;
      g_socket_set_blocking (filler, FALSE);
      if (!g_socket_connect (filler, G_SOCKET_ADDRESS (self->address), NULL, &local_error) &&
          !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PENDING))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      /* A loopback handshake takes microseconds; the bound only keeps a
       * broken machine from hanging here. */
      g_socket_set_timeout (filler, 5);
      if (!g_socket_condition_wait (filler, G_IO_OUT, NULL, NULL))
        {
          /* The queue filled up under us: this filler hangs too. */
          g_ptr_array_add (self->fillers, g_steal_pointer (&filler));
          break;
        }

      g_ptr_array_add (self->fillers, g_steal_pointer (&filler));
    }

  if (!accept_queue_full (self->socket, &full, error))
    return NULL;
  if (!full)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Could not fill the accept queue of %s", self->host_and_port);
      return NULL;
    }

  return g_steal_pointer (&self);
}

/* ---- common ------------------------------------------------------------- */

void
dial_test_server_free (DialTestServer *self)
{
  if (self == NULL)
    return;

  if (self->thread != NULL)
    {
      g_atomic_int_set (&self->quit, TRUE);
      g_main_context_wakeup (self->context);
      g_thread_join (g_steal_pointer (&self->thread));
    }

  g_clear_pointer (&self->listen_source, g_source_unref);
  g_clear_pointer (&self->peers, g_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  for (guint i = 0; i < self->fillers->len; i++)
    g_socket_close (g_ptr_array_index (self->fillers, i), NULL);
  g_clear_pointer (&self->fillers, g_ptr_array_unref);

  if (self->socket != NULL)
    g_socket_close (self->socket, NULL);
  g_clear_object (&self->socket);
  g_clear_object (&self->address);
  g_clear_pointer (&self->host_and_port, g_free);
  g_clear_pointer (&self->peer_addresses, g_ptr_array_unref);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}

GInetSocketAddress *
dial_test_server_get_address (DialTestServer *self)
{
  return self->address;
}

guint16
dial_test_server_get_port (DialTestServer *self)
{
  return g_inet_socket_address_get_port (self->address);
}

const char *
dial_test_server_get_host_and_port (DialTestServer *self)
{
  return self->host_and_port;
}

guint
dial_test_server_get_accepted (DialTestServer *self)
{
  guint accepted;

  g_mutex_lock (&self->mutex);
  accepted = self->peer_addresses->len;
  g_mutex_unlock (&self->mutex);

  return accepted;
}

gboolean
dial_test_server_wait_accepted (DialTestServer *self,
                                guint           n)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  gboolean reached;

  g_return_val_if_fail (self->kind == DIAL_TEST_SERVER_ACCEPTING, FALSE);

  g_mutex_lock (&self->mutex);
  while (self->peer_addresses->len < n)
    {
      if (!g_cond_wait_until (&self->cond, &self->mutex, deadline))
        break;
    }
  reached = self->peer_addresses->len >= n;
  g_mutex_unlock (&self->mutex);

  return reached;
}

GInetSocketAddress *
dial_test_server_get_peer (DialTestServer *self,
                           guint           index)
{
  GInetSocketAddress *peer = NULL;

  g_mutex_lock (&self->mutex);
  if (index < self->peer_addresses->len && g_ptr_array_index (self->peer_addresses, index) != NULL)
    peer = g_object_ref (g_ptr_array_index (self->peer_addresses, index));
  g_mutex_unlock (&self->mutex);

  return peer;
}

static DialTestServer *
server_new_at (DialTestServerKind   kind,
               GInetSocketAddress  *address,
               GError             **error)
{
  switch (kind)
    {
    case DIAL_TEST_SERVER_ACCEPTING:
      return dial_test_server_new_accepting_at (address, FALSE, error);
    case DIAL_TEST_SERVER_REFUSING:
      return dial_test_server_new_refusing_at (address, error);
    case DIAL_TEST_SERVER_BLACK_HOLE:
      return dial_test_server_new_black_hole_at (address, error);
    default:
      g_assert_not_reached ();
    }
}

typedef struct
{
  const char         *ip;
  DialTestServerKind  kind;
} ServerSpec;

/* One try: the first server picks the port, the others take it too. */
static GPtrArray *
servers_try_same_port (GArray  *specs,
                       GError **error)
{
  g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func ((GDestroyNotify) dial_test_server_free);
  guint16 port = 0;

  for (guint i = 0; i < specs->len; i++)
    {
      const ServerSpec *spec = &g_array_index (specs, ServerSpec, i);
      g_autoptr(GInetAddress) ip = g_inet_address_new_from_string (spec->ip);
      g_autoptr(GSocketAddress) address = NULL;
      DialTestServer *server;

      g_assert_nonnull (ip);
      address = g_inet_socket_address_new (ip, port);
      server = server_new_at (spec->kind, G_INET_SOCKET_ADDRESS (address), error);
      if (server == NULL)
        return NULL;
      g_ptr_array_add (servers, server);
      port = dial_test_server_get_port (server);
    }

  return g_steal_pointer (&servers);
}

GPtrArray *
dial_test_servers_new_same_port (GError     **error,
                                 const char  *first_ip,
                                 ...)
{
  g_autoptr(GArray) specs = g_array_new (FALSE, FALSE, sizeof (ServerSpec));
  va_list args;

  va_start (args, first_ip);
  for (const char *ip = first_ip; ip != NULL; ip = va_arg (args, const char *))
    {
      ServerSpec spec = { ip, va_arg (args, DialTestServerKind) };

      g_array_append_val (specs, spec);
    }
  va_end (args);

  for (guint attempt = 0; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      GPtrArray *servers = servers_try_same_port (specs, &local_error);

      if (servers != NULL)
        return servers;
      if (attempt == 20 || !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
}

gboolean
dial_test_ipv6_available (void)
{
  static gsize result = 0;

  if (g_once_init_enter (&result))
    {
      g_autoptr(GSocket) socket = NULL;
      g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
      gboolean ok;

      socket = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
      ok = socket != NULL && g_socket_bind (socket, address, FALSE, NULL);
      g_once_init_leave (&result, ok ? 2 : 1);
    }

  return result == 2;
}
