/* example-servers.c: the local servers the C examples talk to
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "example-servers.h"

#include <string.h>

typedef gboolean (*ServeFunc) (ExampleServer     *server,
                               GSocketConnection *connection,
                               GError           **error);

struct _ExampleServer
{
  const char      *name;
  ServeFunc        serve;
  GSocketListener *listener;
  guint16          port;
  GCancellable    *cancellable;   /* cancelled by example_server_free() */
  GThread         *thread;

  /* The TLS echo server's. */
  GTlsCertificate *certificate;
  GStrv            protocols;
};

/* The server's thread: accept, serve, repeat, until cancelled. */
static gpointer
server_thread (gpointer data)
{
  ExampleServer *server = data;

  for (;;)
    {
      g_autoptr(GSocketConnection) connection = NULL;
      g_autoptr(GError) error = NULL;

      connection = g_socket_listener_accept (server->listener, NULL,
                                             server->cancellable, &error);
      if (connection == NULL)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_printerr ("%s: %s\n", server->name, error->message);
          break;
        }

      if (!server->serve (server, connection, &error) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_printerr ("%s: %s\n", server->name, error->message);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
    }

  return NULL;
}

static ExampleServer *
server_new (const char  *name,
            ServeFunc    serve,
            GError     **error)
{
  g_autoptr(ExampleServer) server = g_new0 (ExampleServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;

  server->name = name;
  server->serve = serve;
  server->cancellable = g_cancellable_new ();
  server->listener = g_socket_listener_new ();
  if (!g_socket_listener_add_address (server->listener, address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
    return NULL;
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));

  return g_steal_pointer (&server);
}

static ExampleServer *
server_start (ExampleServer *server)
{
  server->thread = g_thread_new (server->name, server_thread, server);
  return server;
}

guint16
example_server_get_port (ExampleServer *server)
{
  return server->port;
}

void
example_server_free (ExampleServer *server)
{
  if (server == NULL)
    return;

  g_cancellable_cancel (server->cancellable);
  if (server->thread != NULL)
    g_thread_join (server->thread);
  g_socket_listener_close (server->listener);
  g_clear_object (&server->listener);
  g_clear_object (&server->cancellable);
  g_clear_object (&server->certificate);
  g_clear_pointer (&server->protocols, g_strfreev);
  g_free (server);
}

/* Reads one line without its end; NULL at the end of the stream, with
 * @error unset. Reads byte by byte, so that nothing after the line is
 * taken from @stream. */
static char *
read_line (GInputStream  *stream,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GString) line = g_string_new (NULL);

  for (;;)
    {
      char c;
      gssize n = g_input_stream_read (stream, &c, 1, cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        return line->len > 0 ? g_string_free (g_steal_pointer (&line), FALSE) : NULL;
      if (c == '\n')
        break;
      g_string_append_c (line, c);
    }

  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);
  return g_string_free (g_steal_pointer (&line), FALSE);
}

static gboolean
write_text (GOutputStream  *stream,
            const char     *text,
            GCancellable   *cancellable,
            GError        **error)
{
  return g_output_stream_write_all (stream, text, strlen (text), NULL, cancellable, error);
}

/* ---- echo ---- */

static gboolean
echo_lines (ExampleServer  *server,
            GIOStream      *stream,
            GError        **error)
{
  GInputStream *input = g_io_stream_get_input_stream (stream);
  GOutputStream *output = g_io_stream_get_output_stream (stream);

  for (;;)
    {
      g_autofree char *line = read_line (input, server->cancellable, error);
      g_autofree char *answer = NULL;

      if (line == NULL)
        return error == NULL || *error == NULL;

      answer = g_strconcat (line, "\n", NULL);
      if (!write_text (output, answer, server->cancellable, error))
        return FALSE;
    }
}

static gboolean
serve_echo (ExampleServer      *server,
            GSocketConnection  *connection,
            GError            **error)
{
  return echo_lines (server, G_IO_STREAM (connection), error);
}

ExampleServer *
example_echo_server_new (GError **error)
{
  ExampleServer *server = server_new ("echo server", serve_echo, error);

  return server != NULL ? server_start (server) : NULL;
}

/* ---- TLS echo ---- */

static gboolean
serve_tls_echo (ExampleServer      *server,
                GSocketConnection  *connection,
                GError            **error)
{
  g_autoptr(GIOStream) tls = NULL;
  const char *protocol;

  tls = g_tls_server_connection_new (G_IO_STREAM (connection), server->certificate, error);
  if (tls == NULL)
    return FALSE;
  g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (tls),
                                             (const char * const *) server->protocols);
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), server->cancellable, error))
    return FALSE;

  protocol = g_tls_connection_get_negotiated_protocol (G_TLS_CONNECTION (tls));
  g_print ("%s: handshake done, ALPN protocol %s\n", server->name,
           protocol != NULL ? protocol : "(none)");

  if (!echo_lines (server, tls, error))
    return FALSE;
  return g_io_stream_close (tls, server->cancellable, error);
}

ExampleServer *
example_tls_echo_server_new (const char          *cert_file,
                             const char          *key_file,
                             const char * const  *protocols,
                             GError             **error)
{
  g_autoptr(ExampleServer) server = server_new ("TLS server", serve_tls_echo, error);

  if (server == NULL)
    return NULL;

  /* GIO's own certificate, for GIO's own TLS server. */
  server->certificate = g_tls_certificate_new_from_files (cert_file, key_file, error);
  if (server->certificate == NULL)
    return NULL;
  server->protocols = g_strdupv ((char **) protocols);

  return server_start (g_steal_pointer (&server));
}

/* ---- SOCKS5 ---- */

static gboolean
read_exactly (GInputStream  *input,
              void          *buffer,
              gsize          size,
              GCancellable  *cancellable,
              GError       **error)
{
  gsize got = 0;

  if (!g_input_stream_read_all (input, buffer, size, &got, cancellable, error))
    return FALSE;
  if (got < size)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                           "The client hung up");
      return FALSE;
    }
  return TRUE;
}

/* One direction of a relay: copies until the end of @from, then ends the
 * writing side of @to's socket, so that its peer sees the end too. */
typedef struct
{
  GSocketConnection *from;
  GSocketConnection *to;
  GCancellable      *cancellable;
} Copy;

static gpointer
copy_thread (gpointer data)
{
  Copy *copy = data;

  g_output_stream_splice (g_io_stream_get_output_stream (G_IO_STREAM (copy->to)),
                          g_io_stream_get_input_stream (G_IO_STREAM (copy->from)),
                          G_OUTPUT_STREAM_SPLICE_NONE, copy->cancellable, NULL);
  g_socket_shutdown (g_socket_connection_get_socket (copy->to), FALSE, TRUE, NULL);
  return NULL;
}

/* Reads a SOCKS5 greeting and CONNECT request (RFC 1928), and returns the
 * destination as "host:port". */
static char *
read_socks5_request (ExampleServer  *server,
                     GIOStream      *stream,
                     GError        **error)
{
  static const guint8 no_authentication[] = { 5, 0 };
  GInputStream *input = g_io_stream_get_input_stream (stream);
  GOutputStream *output = g_io_stream_get_output_stream (stream);
  guint8 head[4], methods[255], length, address[255], port[2];
  g_autofree char *host = NULL;

  /* VER NMETHODS METHODS: answer "no authentication". */
  if (!read_exactly (input, head, 2, server->cancellable, error) ||
      !read_exactly (input, methods, head[1], server->cancellable, error) ||
      !g_output_stream_write_all (output, no_authentication, sizeof no_authentication,
                                  NULL, server->cancellable, error))
    return NULL;

  /* VER CMD RSV ATYP DST.ADDR DST.PORT */
  if (!read_exactly (input, head, 4, server->cancellable, error))
    return NULL;
  if (head[0] != 5 || head[1] != 1)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "Only SOCKS5 CONNECT is supported");
      return NULL;
    }

  switch (head[3])
    {
    case 1: /* IPv4 */
    case 4: /* IPv6 */
      {
        gsize size = head[3] == 1 ? 4 : 16;
        g_autoptr(GInetAddress) ip = NULL;

        if (!read_exactly (input, address, size, server->cancellable, error))
          return NULL;
        ip = g_inet_address_new_from_bytes (address, size == 4 ? G_SOCKET_FAMILY_IPV4
                                                               : G_SOCKET_FAMILY_IPV6);
        host = g_inet_address_to_string (ip);
        break;
      }
    case 3: /* a name */
      if (!read_exactly (input, &length, 1, server->cancellable, error) ||
          !read_exactly (input, address, length, server->cancellable, error))
        return NULL;
      host = g_strndup ((const char *) address, length);
      break;
    default:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "Unknown SOCKS5 address type");
      return NULL;
    }

  if (!read_exactly (input, port, 2, server->cancellable, error))
    return NULL;

  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", host, (port[0] << 8) | port[1]);
  return g_strdup_printf ("%s:%u", host, (port[0] << 8) | port[1]);
}

static gboolean
serve_socks5 (ExampleServer      *server,
              GSocketConnection  *connection,
              GError            **error)
{
  /* "Succeeded" and "connection refused", with 0.0.0.0:0 as the bound address. */
  static const guint8 succeeded[] = { 5, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
  static const guint8 refused[] = { 5, 5, 0, 1, 0, 0, 0, 0, 0, 0 };
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) upstream = NULL;
  g_autofree char *destination = NULL;
  Copy forth, back;
  GThread *back_thread;

  g_socket_client_set_enable_proxy (client, FALSE);

  destination = read_socks5_request (server, G_IO_STREAM (connection), error);
  if (destination == NULL)
    return FALSE;
  g_print ("%s: CONNECT %s\n", server->name, destination);

  /* The proxy resolves the name, not the client. */
  upstream = g_socket_client_connect_to_host (client, destination, 0, server->cancellable, error);
  if (upstream == NULL)
    {
      g_output_stream_write_all (output, refused, sizeof refused, NULL, server->cancellable, NULL);
      return FALSE;
    }
  if (!g_output_stream_write_all (output, succeeded, sizeof succeeded,
                                  NULL, server->cancellable, error))
    return FALSE;

  /* Copy both ways, one of them in a thread of its own, until both ends
   * are done. */
  forth = (Copy) { connection, upstream, server->cancellable };
  back = (Copy) { upstream, connection, server->cancellable };
  back_thread = g_thread_new ("relay", copy_thread, &back);
  copy_thread (&forth);
  g_thread_join (back_thread);

  return TRUE;
}

ExampleServer *
example_socks5_proxy_new (GError **error)
{
  ExampleServer *server = server_new ("SOCKS5 proxy", serve_socks5, error);

  return server != NULL ? server_start (server) : NULL;
}

/* ---- HTTP ---- */

static gboolean
serve_http (ExampleServer      *server,
            GSocketConnection  *connection,
            GError            **error)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autofree char *request_line = NULL;
  g_autofree char *body = NULL;
  g_autofree char *response = NULL;

  request_line = read_line (input, server->cancellable, error);
  if (request_line == NULL)
    return FALSE;
  g_print ("%s: %s\n", server->name, request_line);

  /* Skip the header fields, up to the empty line. */
  for (;;)
    {
      g_autofree char *field = read_line (input, server->cancellable, error);

      if (field == NULL)
        return FALSE;
      if (field[0] == '\0')
        break;
    }

  body = g_strdup_printf ("Hello from the %s. You sent: %s\n", server->name, request_line);
  response = g_strdup_printf ("HTTP/1.1 200 OK\r\n"
                              "Content-Type: text/plain\r\n"
                              "Content-Length: %zu\r\n"
                              "Connection: close\r\n"
                              "\r\n"
                              "%s",
                              strlen (body), body);
  return write_text (output, response, server->cancellable, error);
}

ExampleServer *
example_http_server_new (const char  *name,
                         GError     **error)
{
  ExampleServer *server = server_new (name, serve_http, error);

  return server != NULL ? server_start (server) : NULL;
}
