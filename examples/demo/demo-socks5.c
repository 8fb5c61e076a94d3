/* demo-socks5.c: a tiny SOCKS5 server for the demo
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * It speaks just enough of RFC 1928 for a client to CONNECT through it: no
 * authentication, the CONNECT command only, and only to this machine.  A
 * destination of "localhost" or 127.0.0.1 is relayed to 127.0.0.1 on the
 * port asked for; anything else is refused ("not allowed by ruleset"), so
 * the demo can never send a connection off the machine.
 *
 * One thread serves one client at a time on blocking sockets.  Every wait
 * also watches a cancellable, which demo_socks5_server_free () cancels to
 * end the thread wherever it is.
 */

#include "demo-socks5.h"

#include <string.h>

#define SOCKS_VERSION             0x05
#define SOCKS_METHOD_NONE         0x00
#define SOCKS_METHOD_UNACCEPTABLE 0xff
#define SOCKS_COMMAND_CONNECT     0x01
#define SOCKS_ADDRESS_IPV4        0x01
#define SOCKS_ADDRESS_DOMAIN      0x03
#define SOCKS_ADDRESS_IPV6        0x04

/* The reply codes this server uses. */
#define SOCKS_REPLY_SUCCEEDED             0x00
#define SOCKS_REPLY_FAILURE               0x01
#define SOCKS_REPLY_NOT_ALLOWED           0x02
#define SOCKS_REPLY_REFUSED               0x05
#define SOCKS_REPLY_COMMAND_NOT_SUPPORTED 0x07
#define SOCKS_REPLY_ADDRESS_NOT_SUPPORTED 0x08

struct _DemoSocks5Server
{
  GSocketListener *listener;      /* 127.0.0.1:port; used by the thread only */
  guint16          port;
  GCancellable    *stop;
  GThread         *thread;

  GMutex           lock;
  char            *last_request;  /* "host:port" of the last request, under lock */
};

/* What a client asked for. */
typedef struct
{
  guint8   command;
  char    *host;     /* as the client named it; NULL for an unknown address type */
  guint16  port;
} Socks5Request;

static void
socks5_request_clear (Socks5Request *request)
{
  g_clear_pointer (&request->host, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Socks5Request, socks5_request_clear)

/* ======================================================================== */
/* Blocking I/O that gives up when the server stops                          */

static gboolean
receive_exactly (GSocket      *socket,
                 guint8       *buffer,
                 gsize         size,
                 GCancellable *stop)
{
  gsize done = 0;

  while (done < size)
    {
      gssize n = g_socket_receive (socket, (char *) buffer + done, size - done, stop, NULL);

      if (n <= 0)
        return FALSE;
      done += n;
    }

  return TRUE;
}

static gboolean
send_all (GSocket      *socket,
          const guint8 *data,
          gsize         size,
          GCancellable *stop)
{
  gsize done = 0;

  while (done < size)
    {
      gssize n = g_socket_send (socket, (const char *) data + done, size - done, stop, NULL);

      if (n <= 0)
        return FALSE;
      done += n;
    }

  return TRUE;
}

/* ======================================================================== */
/* The protocol                                                              */

/* The method selection: the client must offer "no authentication". */
static gboolean
negotiate_method (GSocket      *client,
                  GCancellable *stop)
{
  guint8 header[2];      /* version, number of methods */
  guint8 methods[255];
  guint8 reply[2] = { SOCKS_VERSION, SOCKS_METHOD_UNACCEPTABLE };

  if (!receive_exactly (client, header, sizeof header, stop) ||
      header[0] != SOCKS_VERSION ||
      !receive_exactly (client, methods, header[1], stop))
    return FALSE;

  if (memchr (methods, SOCKS_METHOD_NONE, header[1]) != NULL)
    reply[1] = SOCKS_METHOD_NONE;

  return send_all (client, reply, sizeof reply, stop) && reply[1] == SOCKS_METHOD_NONE;
}

/* The length of the address that follows a request's header, or 0 for an
 * address type this server does not know (then it cannot read on). */
static gsize
address_length (GSocket      *client,
                guint8        address_type,
                GCancellable *stop)
{
  guint8 length;

  switch (address_type)
    {
    case SOCKS_ADDRESS_IPV4:
      return 4;
    case SOCKS_ADDRESS_IPV6:
      return 16;
    case SOCKS_ADDRESS_DOMAIN:
      /* A domain name comes with its length in front. */
      return receive_exactly (client, &length, 1, stop) ? length : 0;
    default:
      return 0;
    }
}

static char *
address_to_string (guint8        address_type,
                   const guint8 *address,
                   gsize         length)
{
  g_autoptr(GInetAddress) inet = NULL;

  if (address_type == SOCKS_ADDRESS_DOMAIN)
    return g_strndup ((const char *) address, length);

  inet = g_inet_address_new_from_bytes (address, address_type == SOCKS_ADDRESS_IPV4 ?
                                                   G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6);
  return g_inet_address_to_string (inet);
}

/* Reads a request; FALSE when the stream broke off before its end. */
static gboolean
receive_request (GSocket       *client,
                 Socks5Request *request,
                 GCancellable  *stop)
{
  guint8 header[4];      /* version, command, reserved, address type */
  guint8 address[255];
  guint8 port[2];
  gsize length;

  if (!receive_exactly (client, header, sizeof header, stop) || header[0] != SOCKS_VERSION)
    return FALSE;

  request->command = header[1];
  length = address_length (client, header[3], stop);
  if (length == 0)
    return TRUE;  /* request->host stays NULL: the reply says why */

  if (!receive_exactly (client, address, length, stop) ||
      !receive_exactly (client, port, sizeof port, stop))
    return FALSE;

  request->host = address_to_string (header[3], address, length);
  request->port = (guint16) ((port[0] << 8) | port[1]);
  return TRUE;
}

/* The demo's servers are all on this machine, and so is every destination
 * this proxy accepts. */
static gboolean
is_this_machine (const char *host)
{
  return g_ascii_strcasecmp (host, "localhost") == 0 || g_str_equal (host, "127.0.0.1");
}

/* Connects to what @request asks for; returns the reply code. */
static guint8
connect_upstream (const Socks5Request  *request,
                  GSocket             **upstream,
                  GCancellable         *stop)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) destination = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;

  if (request->command != SOCKS_COMMAND_CONNECT)
    return SOCKS_REPLY_COMMAND_NOT_SUPPORTED;
  if (request->host == NULL)
    return SOCKS_REPLY_ADDRESS_NOT_SUPPORTED;
  if (!is_this_machine (request->host))
    return SOCKS_REPLY_NOT_ALLOWED;

  destination = g_inet_socket_address_new (loopback, request->port);
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  if (socket == NULL || !g_socket_connect (socket, destination, stop, &error))
    return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ?
           SOCKS_REPLY_REFUSED : SOCKS_REPLY_FAILURE;

  *upstream = g_steal_pointer (&socket);
  return SOCKS_REPLY_SUCCEEDED;
}

/* The reply: the code, then the address the proxy connected from (all
 * zeros when it did not connect). */
static gboolean
send_reply (GSocket      *client,
            guint8        code,
            GSocket      *upstream,
            GCancellable *stop)
{
  guint8 reply[10] = { SOCKS_VERSION, code, 0x00, SOCKS_ADDRESS_IPV4, 0, };
  g_autoptr(GSocketAddress) bound = NULL;

  if (upstream != NULL)
    bound = g_socket_get_local_address (upstream, NULL);

  if (bound != NULL)
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (bound);
      guint16 port = g_inet_socket_address_get_port (inet);

      memcpy (reply + 4, g_inet_address_to_bytes (g_inet_socket_address_get_address (inet)), 4);
      reply[8] = port >> 8;
      reply[9] = port & 0xff;
    }

  return send_all (client, reply, sizeof reply, stop);
}

/* ======================================================================== */
/* Relaying                                                                  */

/* Copies what each side sends to the other until both have finished
 * sending, either fails or the server stops. */
static void
relay (GSocket      *client,
       GSocket      *upstream,
       GCancellable *stop)
{
  GSocket *sockets[2] = { client, upstream };
  gboolean sending[2] = { TRUE, TRUE };
  GPollFD fds[3];

  if (!g_cancellable_make_pollfd (stop, &fds[2]))
    return;

  while ((sending[0] || sending[1]) && !g_cancellable_is_cancelled (stop))
    {
      /* poll () skips negative descriptors: a side that has finished
       * sending is no longer watched. */
      for (guint i = 0; i < 2; i++)
        {
          fds[i].fd = sending[i] ? g_socket_get_fd (sockets[i]) : -1;
          fds[i].events = G_IO_IN;
          fds[i].revents = 0;
        }

      if (g_poll (fds, G_N_ELEMENTS (fds), -1) < 0)
        continue;  /* EINTR */

      for (guint i = 0; i < 2; i++)
        {
          guint8 buffer[4096];
          gssize n;

          if (fds[i].fd < 0 || fds[i].revents == 0)
            continue;

          n = g_socket_receive (sockets[i], (char *) buffer, sizeof buffer, stop, NULL);
          if (n < 0 || (n > 0 && !send_all (sockets[1 - i], buffer, n, stop)))
            {
              sending[0] = sending[1] = FALSE;
              break;
            }
          if (n == 0)
            {
              /* Pass the end of the stream on, and go on the other way. */
              sending[i] = FALSE;
              g_socket_shutdown (sockets[1 - i], FALSE, TRUE, NULL);
            }
        }
    }

  g_cancellable_release_fd (stop);
}

/* ======================================================================== */
/* The server                                                                */

static void
demo_socks5_server_record (DemoSocks5Server    *self,
                           const Socks5Request *request)
{
  g_autofree char *description = NULL;

  if (request->host == NULL)
    description = g_strdup ("(an address of unknown type)");
  else if (strchr (request->host, ':') != NULL)
    description = g_strdup_printf ("[%s]:%u", request->host, request->port);
  else
    description = g_strdup_printf ("%s:%u", request->host, request->port);

  g_mutex_lock (&self->lock);
  g_free (self->last_request);
  self->last_request = g_steal_pointer (&description);
  g_mutex_unlock (&self->lock);
}

static void
demo_socks5_server_serve (DemoSocks5Server *self,
                          GSocket          *client)
{
  g_auto(Socks5Request) request = { 0, };
  g_autoptr(GSocket) upstream = NULL;
  guint8 code;

  if (!negotiate_method (client, self->stop) ||
      !receive_request (client, &request, self->stop))
    return;

  demo_socks5_server_record (self, &request);
  code = connect_upstream (&request, &upstream, self->stop);
  if (send_reply (client, code, upstream, self->stop) && upstream != NULL)
    relay (client, upstream, self->stop);

  if (upstream != NULL)
    g_socket_close (upstream, NULL);
}

static gpointer
demo_socks5_server_thread (gpointer data)
{
  DemoSocks5Server *self = data;

  for (;;)
    {
      g_autoptr(GSocket) client = NULL;

      client = g_socket_listener_accept_socket (self->listener, NULL, self->stop, NULL);
      if (client == NULL)
        break;  /* stopped */

      demo_socks5_server_serve (self, client);
      g_socket_close (client, NULL);
    }

  return NULL;
}

/**
 * demo_socks5_server_new:
 *
 * Starts a SOCKS5 server on 127.0.0.1, on a port the system picks, in a
 * thread of its own.
 *
 * Returns: (transfer full) (nullable): the server
 */
DemoSocks5Server *
demo_socks5_server_new (GError **error)
{
  g_autoptr(DemoSocks5Server) self = g_new0 (DemoSocks5Server, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;

  g_mutex_init (&self->lock);
  self->stop = g_cancellable_new ();
  self->listener = g_socket_listener_new ();
  if (!g_socket_listener_add_address (self->listener, address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
    return NULL;

  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  self->thread = g_thread_new ("demo-socks5", demo_socks5_server_thread, self);
  return g_steal_pointer (&self);
}

/* Stops the thread, then frees the server. */
void
demo_socks5_server_free (DemoSocks5Server *self)
{
  if (self == NULL)
    return;

  g_cancellable_cancel (self->stop);
  g_clear_pointer (&self->thread, g_thread_join);

  g_socket_listener_close (self->listener);
  g_clear_object (&self->listener);
  g_clear_object (&self->stop);
  g_clear_pointer (&self->last_request, g_free);
  g_mutex_clear (&self->lock);
  g_free (self);
}

guint16
demo_socks5_server_get_port (DemoSocks5Server *self)
{
  return self->port;
}

/* Returns: (transfer full) (nullable): "host:port" as the last client
 * asked for it, or NULL before any request */
char *
demo_socks5_server_dup_last_request (DemoSocks5Server *self)
{
  char *copy;

  g_mutex_lock (&self->lock);
  copy = g_strdup (self->last_request);
  g_mutex_unlock (&self->lock);

  return copy;
}
