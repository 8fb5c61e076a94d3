/* fuzz-connect.c: the connect entry points with connects that stay home,
 * and the framing of the proxy requests a host string turns into
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <dial/dial.h>

#include "fuzz.h"
#include "dial-http-connect-codec.h"
#include "dial-socks-codec.h"

typedef struct
{
  GCancellable *cancellable;
  GArray       *events;       /* GSocketClientEvent */
  gboolean      done;
  GSocketConnection *connection;
  GError       *error;
} Connect;

static void
event_cb (DialSocketClient   *client,
          GSocketClientEvent  event,
          GSocketConnectable *connectable,
          GIOStream          *stream,
          gpointer            user_data)
{
  Connect *connect = user_data;

  g_array_append_val (connect->events, event);

  /* The connect must go no further than this: the driver checks the
   * caller's cancellable before it calls connect(). */
  if (event == G_SOCKET_CLIENT_CONNECTING)
    g_cancellable_cancel (connect->cancellable);
}

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Connect *connect = user_data;
  DialSocketClient *client = DIAL_SOCKET_CLIENT (source);

  connect->connection = dial_socket_client_connect_finish (client, result, &connect->error);
  connect->done = TRUE;
}

static gboolean
is_expected_error (const GError *error)
{
  /* Unparsable input; a name GResolver cannot turn into ASCII ("Invalid
   * hostname"); a name no one knows; a literal, cancelled at CONNECTING;
   * an IPv6 address for an IPv4-only client (or back), which cannot get a
   * socket. */
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED) ||
         g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
}

static void
check_events (GArray *events)
{
  gboolean resolved = FALSE;

  for (guint i = 0; i < events->len; i++)
    {
      GSocketClientEvent event = g_array_index (events, GSocketClientEvent, i);

      switch (event)
        {
        case G_SOCKET_CLIENT_RESOLVING:
          break;
        case G_SOCKET_CLIENT_RESOLVED:
          g_assert_cmpuint (i, >, 0);
          g_assert_cmpint (g_array_index (events, GSocketClientEvent, i - 1), ==,
                           G_SOCKET_CLIENT_RESOLVING);
          resolved = TRUE;
          break;
        case G_SOCKET_CLIENT_CONNECTING:
          g_assert_true (resolved);
          break;
        case G_SOCKET_CLIENT_COMPLETE:
          /* As GIO: the last word, even of a failure. */
          g_assert_cmpuint (i, ==, events->len - 1);
          break;
        case G_SOCKET_CLIENT_CONNECTED:
        case G_SOCKET_CLIENT_PROXY_NEGOTIATING:
        case G_SOCKET_CLIENT_PROXY_NEGOTIATED:
        case G_SOCKET_CLIENT_TLS_HANDSHAKING:
        case G_SOCKET_CLIENT_TLS_HANDSHAKED:
        default:
          g_error ("event %d after a connect that cannot connect", event);
        }
    }
}

void
fuzz_connect (FuzzConnectKind  kind,
              const char      *text,
              guint16          default_port,
              guint8           options)
{
  g_autoptr(DialSocketClient) client = dial_socket_client_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSocketConnectable) parsed = NULL;
  static const GSocketFamily families[] = {
    G_SOCKET_FAMILY_INVALID, G_SOCKET_FAMILY_IPV4, G_SOCKET_FAMILY_IPV6, G_SOCKET_FAMILY_INVALID,
  };
  Connect connect = { cancellable, g_array_new (FALSE, FALSE, sizeof (GSocketClientEvent)), };

  dial_socket_client_set_enable_proxy (client, FALSE);
  dial_socket_client_set_family (client, families[(options & FUZZ_CONNECT_FAMILY_MASK) >> 1]);
  g_signal_connect (client, "event", G_CALLBACK (event_cb), &connect);

  if (options & FUZZ_CONNECT_ASYNC)
    {
      g_autoptr(GMainContext) context = g_main_context_new ();

      g_main_context_push_thread_default (context);
      if (kind == FUZZ_CONNECT_TO_HOST)
        dial_socket_client_connect_to_host_async (client, text, default_port, cancellable,
                                                  connect_cb, &connect);
      else
        dial_socket_client_connect_to_uri_async (client, text, default_port, cancellable,
                                                 connect_cb, &connect);
      while (!connect.done)
        g_main_context_iteration (context, TRUE);
      while (g_main_context_iteration (context, FALSE))
        ;
      g_main_context_pop_thread_default (context);
    }
  else if (kind == FUZZ_CONNECT_TO_HOST)
    connect.connection = dial_socket_client_connect_to_host (client, text, default_port,
                                                             cancellable, &connect.error);
  else
    connect.connection = dial_socket_client_connect_to_uri (client, text, default_port,
                                                            cancellable, &connect.error);

  g_assert_null (connect.connection);
  g_assert_nonnull (connect.error);
  if (!is_expected_error (connect.error))
    g_error ("unexpected error %s %d: %s", g_quark_to_string (connect.error->domain),
             connect.error->code, connect.error->message);
  g_assert_nonnull (connect.error->message);

  /* Unparsable input emits nothing at all. */
  if (g_error_matches (connect.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    g_assert_cmpuint (connect.events->len, ==, 0);
  check_events (connect.events);

  g_signal_handlers_disconnect_by_data (client, &connect);
  g_array_unref (connect.events);
  g_clear_error (&connect.error);

  /* What a proxy would be asked for the same host. */
  if (kind == FUZZ_CONNECT_TO_HOST)
    parsed = g_network_address_parse (text, default_port, NULL);
  else
    parsed = g_network_address_parse_uri (text, default_port, NULL);
  if (parsed != NULL)
    fuzz_check_proxy_requests (g_network_address_get_hostname (G_NETWORK_ADDRESS (parsed)),
                               g_network_address_get_port (G_NETWORK_ADDRESS (parsed)),
                               NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* Proxy requests                                                      */

static gboolean
is_authority_byte (guchar c)
{
  return c > 0x20 && c != 0x7f;
}

static const char *
skip_prefix (const char *line,
             const char *prefix)
{
  return g_str_has_prefix (line, prefix) ? line + strlen (prefix) : NULL;
}

/* "CONNECT A HTTP/1.1", "Host: A", "User-Agent: …", maybe
 * "Proxy-Authorization: Basic B64", "", with CRLF after each and no other
 * CR or LF anywhere. */
static void
check_http_request (GBytes     *request,
                    const char *host,
                    gboolean    with_credentials)
{
  gsize size;
  const char *data = g_bytes_get_data (request, &size);
  g_autofree char *text = g_strndup (data, size);
  g_auto(GStrv) lines = NULL;
  const char *authority;
  const char *rest;
  gsize authority_len;
  guint n_lines;
  guint i = 0;

  g_assert_cmpuint (strlen (text), ==, size);
  for (gsize k = 0; k < size; k++)
    {
      if (data[k] == '\r')
        g_assert_true (k + 1 < size && data[k + 1] == '\n');
      if (data[k] == '\n')
        g_assert_true (k > 0 && data[k - 1] == '\r');
    }
  g_assert_true (g_str_has_suffix (text, "\r\n\r\n"));

  lines = g_strsplit (text, "\r\n", -1);
  n_lines = g_strv_length (lines);
  /* The last two are the empty line and what follows it (nothing). */
  g_assert_cmpuint (n_lines, ==, with_credentials ? 6 : 5);

  authority = skip_prefix (lines[i++], "CONNECT ");
  g_assert_nonnull (authority);
  g_assert_true (g_str_has_suffix (authority, " HTTP/1.1"));
  authority_len = strlen (authority) - strlen (" HTTP/1.1");
  g_assert_cmpuint (authority_len, >, 0);
  for (gsize k = 0; k < authority_len; k++)
    g_assert_true (is_authority_byte (authority[k]));

  rest = skip_prefix (lines[i++], "Host: ");
  g_assert_nonnull (rest);
  g_assert_cmpuint (strlen (rest), ==, authority_len);
  g_assert_true (strncmp (rest, authority, authority_len) == 0);

  g_assert_nonnull (skip_prefix (lines[i++], "User-Agent: "));

  if (with_credentials)
    {
      rest = skip_prefix (lines[i++], "Proxy-Authorization: Basic ");
      g_assert_nonnull (rest);
      for (gsize k = 0; rest[k] != '\0'; k++)
        g_assert_true (g_ascii_isalnum (rest[k]) || strchr ("+/=", rest[k]) != NULL);
    }

  g_assert_cmpstr (lines[i++], ==, "");
  g_assert_cmpstr (lines[i++], ==, "");

  /* The authority names the host: an IPv6 literal in brackets. */
  if (strchr (host, ':') != NULL && g_hostname_is_ip_address (host))
    g_assert_cmpint (authority[0], ==, '[');
}

/* VER CMD RSV ATYP ADDR PORT, the address as long as ATYP says. */
static void
check_socks5_request (GBytes     *request,
                      const char *host,
                      guint16     port,
                      gboolean    always_name)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (request, &size);
  gsize address_len;

  g_assert_cmpuint (size, >=, 4 + 1 + 2);
  g_assert_cmpuint (data[0], ==, 5);
  g_assert_cmpuint (data[1], ==, 1);
  g_assert_cmpuint (data[2], ==, 0);

  switch (data[3])
    {
    case 1:
      address_len = 4;
      g_assert_false (always_name);
      break;
    case 4:
      address_len = 16;
      g_assert_false (always_name);
      break;
    case 3:
      address_len = 1 + data[4];
      g_assert_cmpuint (data[4], ==, strlen (host));
      g_assert_true (memcmp (data + 5, host, data[4]) == 0);
      break;
    default:
      g_error ("SOCKS5 address type %u", data[3]);
    }

  g_assert_cmpuint (size, ==, 4 + address_len + 2);
  g_assert_cmpuint ((data[size - 2] << 8) | data[size - 1], ==, port);
}

/* VN CD PORT IP USERID NUL [HOST NUL] */
static void
check_socks4_request (GBytes     *request,
                      const char *host,
                      guint16     port)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (request, &size);
  static const guint8 name_follows[4] = { 0, 0, 0, 1 };
  /* What SOCKS4 can send as an address (not an IPv6 zone, say). */
  g_autoptr(GInetAddress) literal = g_inet_address_new_from_string (host);

  g_assert_cmpuint (size, >=, 9);
  g_assert_cmpuint (data[0], ==, 4);
  g_assert_cmpuint (data[1], ==, 1);
  g_assert_cmpuint ((data[2] << 8) | data[3], ==, port);
  g_assert_cmpuint (data[8], ==, 0);   /* the empty user id */

  if (literal == NULL)
    {
      g_assert_cmpuint (size, ==, 9 + strlen (host) + 1);
      g_assert_true (memcmp (data + 4, name_follows, 4) == 0);
      g_assert_cmpstr ((const char *) data + 9, ==, host);
    }
  else
    {
      g_assert_cmpuint (size, ==, 9);
      g_assert_true (memcmp (data + 4, g_inet_address_to_bytes (literal), 4) == 0);
    }
}

void
fuzz_check_proxy_requests (const char *host,
                           guint16     port,
                           const char *username,
                           const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) request = NULL;

  request = dial_http_connect_build_request (host, port, username, password, &error);
  if (request != NULL)
    check_http_request (request, host, dial_http_connect_has_credentials (username, password));
  else
    g_assert_true (error != NULL && error->domain == G_IO_ERROR);
  g_clear_pointer (&request, g_bytes_unref);
  g_clear_error (&error);

  for (int always_name = 0; always_name <= 1; always_name++)
    {
      request = dial_socks5_build_connect (host, port, always_name, &error);
      if (request != NULL)
        check_socks5_request (request, host, port, always_name);
      else
        g_assert_true (error != NULL && error->domain == G_IO_ERROR);
      g_clear_pointer (&request, g_bytes_unref);
      g_clear_error (&error);
    }

  request = dial_socks4_build_connect (host, port, NULL, &error);
  if (request != NULL)
    check_socks4_request (request, host, port);
  else
    g_assert_true (error != NULL && error->domain == G_IO_ERROR);
}
