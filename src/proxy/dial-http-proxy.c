/* dial-http-proxy.c
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dial-http-proxy.h"

#include "dial-http-connect-codec.h"
#include "dial-prefixed-io-stream.h"
#include "dial-tls-stage.h"

/*
 * DialHttpProxy:
 *
 * HTTP CONNECT as a #GProxy: "http" over the TCP connection to the proxy,
 * "https" over a TLS connection to the proxy made first, with the proxy's
 * own name as the server identity.  The request and the judgement of the
 * reply come from the codec; this file only moves bytes, with the same
 * steps in the blocking driver (the GSocket's timeout bounds each wait)
 * and in the non-blocking one (sources and stream callbacks on the
 * caller's thread-default main context, no thread).
 *
 * The reply head has no length field, and the tunnel may start in the
 * same segment, so no byte after the head may be taken from the stream:
 *  - over a socket connection, the socket is peeked until the end of the
 *    head is among the peeked bytes, and then exactly the head is read
 *    (bytes peeked before the end is in sight are all head: they are read
 *    at once, so the next peek waits for new ones);
 *  - over TLS (or any other stream, which cannot be peeked) the reply is
 *    read in whole chunks, and bytes that came after the head are served
 *    first by the stream returned (a DialPrefixedIOStream).
 * Either way a head that does not end within DIAL_HTTP_CONNECT_HEAD_MAX
 * bytes is an error, as is a reply that does not start like HTTP.
 */

struct _DialHttpProxy
{
  GObject  parent_instance;

  gboolean over_tls;
};

static void dial_http_proxy_iface_init (GProxyInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DialHttpProxy, dial_http_proxy, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_PROXY, dial_http_proxy_iface_init))

/* The negotiation: steps shared by both drivers --------------------------- */

typedef enum
{
  READ_MORE,
  READ_DONE,
  READ_FAILED,
} ReadState;

typedef struct
{
  GBytes    *request;
  gboolean   has_credentials;

  /* What HTTP goes over: the connection, or the TLS connection over it. */
  GIOStream *stream;
  /* The connection's socket when the reply can be peeked, else NULL. */
  GSocket   *socket;

  /* The reply: head[0 .. len) taken from the stream so far; once
   * complete, head[0 .. head_len) is the head and the rest (only when
   * reading, never when peeking) belongs to the tunnel. */
  gboolean   complete;
  gsize      head_len;
  gsize      len;
  guint8     head[DIAL_HTTP_CONNECT_HEAD_MAX];
} Negotiation;

static void
negotiation_free (Negotiation *n)
{
  g_clear_pointer (&n->request, g_bytes_unref);
  g_clear_object (&n->stream);
  g_clear_object (&n->socket);
  g_free (n);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Negotiation, negotiation_free)

/* Builds the request first, so that a host name or a credential that
 * cannot go on the wire fails before anything is sent, TLS included. */
static Negotiation *
negotiation_new (GIOStream      *io_stream,
                 GProxyAddress  *proxy_address,
                 GError        **error)
{
  g_autoptr(Negotiation) n = g_new0 (Negotiation, 1);
  const char *username = g_proxy_address_get_username (proxy_address);
  const char *password = g_proxy_address_get_password (proxy_address);

  n->request = dial_http_connect_build_request (g_proxy_address_get_destination_hostname (proxy_address),
                                                g_proxy_address_get_destination_port (proxy_address),
                                                username, password, error);
  if (n->request == NULL)
    return NULL;

  n->has_credentials = dial_http_connect_has_credentials (username, password);
  n->stream = g_object_ref (io_stream);
  if (G_IS_SOCKET_CONNECTION (io_stream))
    n->socket = g_object_ref (g_socket_connection_get_socket (G_SOCKET_CONNECTION (io_stream)));

  return g_steal_pointer (&n);
}

/* The TLS server identity of an https proxy: the host of its URI (the
 * name the user gave), at the port connected to; the address when there
 * is no URI. */
static GSocketConnectable *
proxy_identity (GProxyAddress *proxy_address)
{
  GInetSocketAddress *address = G_INET_SOCKET_ADDRESS (proxy_address);
  const char *uri = g_proxy_address_get_uri (proxy_address);
  g_autofree char *host = NULL;

  if (uri != NULL)
    g_uri_split_network (uri, G_URI_FLAGS_NONE, NULL, &host, NULL, NULL);
  if (host == NULL || *host == '\0')
    {
      g_free (host);
      host = g_inet_address_to_string (g_inet_socket_address_get_address (address));
    }

  return g_network_address_new (host, g_inet_socket_address_get_port (address));
}

/* Puts a TLS client connection to the proxy over the connection; the
 * caller runs its handshake. */
static gboolean
negotiation_start_tls (Negotiation    *n,
                       GProxyAddress  *proxy_address,
                       GError        **error)
{
  g_autoptr(GSocketConnectable) identity = proxy_identity (proxy_address);
  GIOStream *tls;

  tls = dial_tls_stage_new_client_connection (n->stream, identity, error);
  if (tls == NULL)
    return FALSE;

  g_clear_object (&n->socket);
  g_object_unref (n->stream);
  n->stream = tls;

  return TRUE;
}

static GInputVector
negotiation_free_space (Negotiation *n)
{
  return (GInputVector) { n->head + n->len, sizeof n->head - n->len };
}

/* Peeks at what the socket holds (never more than the head may need);
 * honours the socket's blocking flag and time-out. */
static gssize
negotiation_peek (Negotiation   *n,
                  GCancellable  *cancellable,
                  GError       **error)
{
  GInputVector vector = negotiation_free_space (n);
  int flags = G_SOCKET_MSG_PEEK;

  return g_socket_receive_message (n->socket, NULL, &vector, 1, NULL, NULL, &flags,
                                   cancellable, error);
}

/* Reads @count bytes that a peek has shown are there: no wait. */
static gboolean
negotiation_consume (Negotiation   *n,
                     gsize          count,
                     GCancellable  *cancellable,
                     GError       **error)
{
  while (count > 0)
    {
      gssize got = g_socket_receive_with_blocking (n->socket, (char *) n->head + n->len, count,
                                                   FALSE, cancellable, error);

      if (got < 0)
        return FALSE;
      if (got == 0)
        {
          /* Cannot happen: the bytes were there a moment ago. */
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                               "Connection to the HTTP proxy lost");
          return FALSE;
        }
      n->len += got;
      count -= got;
    }

  return TRUE;
}

/* @peeked bytes were peeked at the end of the head so far (0: EOF).
 * Takes those that belong to the head. */
static ReadState
negotiation_peeked (Negotiation   *n,
                    gsize          peeked,
                    GCancellable  *cancellable,
                    GError       **error)
{
  gsize head_len = 0;

  if (peeked == 0)
    return READ_DONE;

  switch (dial_http_connect_scan_reply (n->head, n->len + peeked, &head_len, error))
    {
    case DIAL_HTTP_CONNECT_HEAD_COMPLETE:
      if (!negotiation_consume (n, head_len - n->len, cancellable, error))
        return READ_FAILED;
      n->complete = TRUE;
      n->head_len = head_len;
      return READ_DONE;

    case DIAL_HTTP_CONNECT_HEAD_INCOMPLETE:
      if (!negotiation_consume (n, peeked, cancellable, error))
        return READ_FAILED;
      return READ_MORE;

    case DIAL_HTTP_CONNECT_HEAD_INVALID:
    default:
      return READ_FAILED;
    }
}

/* @received bytes were read at the end of the reply so far (0: EOF). */
static ReadState
negotiation_received (Negotiation  *n,
                      gsize         received,
                      GError      **error)
{
  if (received == 0)
    return READ_DONE;

  n->len += received;

  switch (dial_http_connect_scan_reply (n->head, n->len, &n->head_len, error))
    {
    case DIAL_HTTP_CONNECT_HEAD_COMPLETE:
      n->complete = TRUE;
      return READ_DONE;

    case DIAL_HTTP_CONNECT_HEAD_INCOMPLETE:
      return READ_MORE;

    case DIAL_HTTP_CONNECT_HEAD_INVALID:
    default:
      return READ_FAILED;
    }
}

/* Judges the reply (a complete head, or whatever came before EOF) and
 * returns the tunnel. */
static GIOStream *
negotiation_finish (Negotiation  *n,
                    GError      **error)
{
  gsize head_len = n->complete ? n->head_len : n->len;
  g_autoptr(GBytes) early = NULL;

  if (!dial_http_connect_check_reply (n->head, head_len, n->has_credentials, error))
    return NULL;

  if (n->len == head_len)
    return g_object_ref (n->stream);

  early = g_bytes_new (n->head + head_len, n->len - head_len);
  return dial_prefixed_io_stream_new (n->stream, early);
}

/* The blocking driver ------------------------------------------------------ */

static gssize
peek_blocking (Negotiation   *n,
               GCancellable  *cancellable,
               GError       **error)
{
  for (;;)
    {
      GError *local_error = NULL;
      gssize got = negotiation_peek (n, cancellable, &local_error);

      /* A non-blocking socket: wait here, still within its time-out. */
      if (got < 0 && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_clear_error (&local_error);
          if (!g_socket_condition_wait (n->socket, G_IO_IN, cancellable, error))
            return -1;
          continue;
        }

      if (got < 0)
        g_propagate_error (error, local_error);
      return got;
    }
}

static GIOStream *
dial_http_proxy_connect (GProxy         *proxy,
                         GIOStream      *io_stream,
                         GProxyAddress  *proxy_address,
                         GCancellable   *cancellable,
                         GError        **error)
{
  DialHttpProxy *self = DIAL_HTTP_PROXY (proxy);
  g_autoptr(Negotiation) n = NULL;
  GOutputStream *output;
  gsize size;
  const void *data;
  ReadState state;

  n = negotiation_new (io_stream, proxy_address, error);
  if (n == NULL)
    return NULL;

  if (self->over_tls)
    {
      if (!negotiation_start_tls (n, proxy_address, error) ||
          !g_tls_connection_handshake (G_TLS_CONNECTION (n->stream), cancellable, error))
        return NULL;
    }

  data = g_bytes_get_data (n->request, &size);
  output = g_io_stream_get_output_stream (n->stream);
  if (!g_output_stream_write_all (output, data, size, NULL, cancellable, error))
    return NULL;

  do
    {
      gssize got;

      if (n->socket != NULL)
        {
          got = peek_blocking (n, cancellable, error);
          state = got < 0 ? READ_FAILED : negotiation_peeked (n, got, cancellable, error);
        }
      else
        {
          GInputVector space = negotiation_free_space (n);

          got = g_input_stream_read (g_io_stream_get_input_stream (n->stream),
                                     space.buffer, space.size, cancellable, error);
          state = got < 0 ? READ_FAILED : negotiation_received (n, got, error);
        }
    }
  while (state == READ_MORE);

  if (state == READ_FAILED)
    return NULL;

  return negotiation_finish (n, error);
}

/* The non-blocking driver -------------------------------------------------- */

static void read_reply (GTask *task);

static void
reply_read (GTask     *task,
            ReadState  state,
            GError    *error)
{
  Negotiation *n = g_task_get_task_data (task);
  GIOStream *stream;

  switch (state)
    {
    case READ_MORE:
      read_reply (task);
      break;

    case READ_DONE:
      stream = negotiation_finish (n, &error);
      if (stream != NULL)
        g_task_return_pointer (task, stream, g_object_unref);
      else
        g_task_return_error (task, error);
      break;

    case READ_FAILED:
    default:
      g_task_return_error (task, error);
      break;
    }
}

static gboolean
on_readable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  GTask *task = user_data;
  Negotiation *n = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;
  ReadState state;
  gssize got;

  /* The source fired: there is something to peek, an EOF, a time-out or
   * a cancellation, and the peek reports the last two. */
  got = negotiation_peek (n, cancellable, &error);
  if (got < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      g_clear_error (&error);
      read_reply (task);
      return G_SOURCE_REMOVE;
    }

  state = got < 0 ? READ_FAILED : negotiation_peeked (n, got, cancellable, &error);
  reply_read (task, state, error);

  return G_SOURCE_REMOVE;
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Negotiation *n = g_task_get_task_data (task);
  GError *error = NULL;
  ReadState state;
  gssize got;

  got = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  state = got < 0 ? READ_FAILED : negotiation_received (n, got, &error);
  reply_read (task, state, error);
}

static void
read_reply (GTask *task)
{
  Negotiation *n = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (n->socket != NULL)
    {
      g_autoptr(GSource) source = g_socket_create_source (n->socket, G_IO_IN, cancellable);

      g_task_attach_source (task, source, (GSourceFunc) on_readable);
    }
  else
    {
      GInputVector space = negotiation_free_space (n);

      g_input_stream_read_async (g_io_stream_get_input_stream (n->stream),
                                 space.buffer, space.size, g_task_get_priority (task),
                                 cancellable, on_read, g_object_ref (task));
    }
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  read_reply (task);
}

static void
write_request (GTask *task)
{
  Negotiation *n = g_task_get_task_data (task);
  gsize size;
  const void *data = g_bytes_get_data (n->request, &size);

  g_output_stream_write_all_async (g_io_stream_get_output_stream (n->stream),
                                   data, size, g_task_get_priority (task),
                                   g_task_get_cancellable (task),
                                   on_written, g_object_ref (task));
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  write_request (task);
}

static void
dial_http_proxy_connect_async (GProxy              *proxy,
                               GIOStream           *io_stream,
                               GProxyAddress       *proxy_address,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  DialHttpProxy *self = DIAL_HTTP_PROXY (proxy);
  g_autoptr(GTask) task = NULL;
  Negotiation *n;
  GError *error = NULL;

  task = g_task_new (proxy, cancellable, callback, user_data);
  g_task_set_source_tag (task, dial_http_proxy_connect_async);

  n = negotiation_new (io_stream, proxy_address, &error);
  if (n == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, n, (GDestroyNotify) negotiation_free);

  if (!self->over_tls)
    {
      write_request (task);
      return;
    }

  if (!negotiation_start_tls (n, proxy_address, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_tls_connection_handshake_async (G_TLS_CONNECTION (n->stream), g_task_get_priority (task),
                                    cancellable, on_handshake, g_object_ref (task));
}

static GIOStream *
dial_http_proxy_connect_finish (GProxy        *proxy,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, proxy), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
dial_http_proxy_supports_hostname (GProxy *proxy)
{
  return TRUE;
}

static void
dial_http_proxy_iface_init (GProxyInterface *iface)
{
  iface->connect = dial_http_proxy_connect;
  iface->connect_async = dial_http_proxy_connect_async;
  iface->connect_finish = dial_http_proxy_connect_finish;
  iface->supports_hostname = dial_http_proxy_supports_hostname;
}

static void
dial_http_proxy_class_init (DialHttpProxyClass *klass)
{
}

static void
dial_http_proxy_init (DialHttpProxy *self)
{
}

GProxy *
dial_http_proxy_new (const char *protocol)
{
  DialHttpProxy *self;

  if (g_strcmp0 (protocol, "http") != 0 && g_strcmp0 (protocol, "https") != 0)
    return NULL;

  self = g_object_new (DIAL_TYPE_HTTP_PROXY, NULL);
  self->over_tls = g_str_equal (protocol, "https");

  return G_PROXY (self);
}
