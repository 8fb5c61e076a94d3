/* test-socks-proxy.c: DialSocksProxy's two drivers over in-memory
 * streams, and the proxy stage's choice of it.
 *
 * The proxy reads a scripted answer from a GMemoryInputStream and writes
 * into a GMemoryOutputStream, so each case sees exactly which bytes were
 * sent and which were left unread: whatever follows the last reply is
 * the tunnel's, and must still be there afterwards.  Every case runs in
 * both drivers.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <gio/gio.h>

#include "dial-proxy-stage.h"
#include "dial-socks-proxy.h"

#define TUNNEL "tunnel bytes, not the proxy's"

typedef enum
{
  MODE_SYNC,
  MODE_ASYNC,
} Mode;

static const char * const mode_names[] = { "sync", "async" };

/* Helpers ----------------------------------------------------------------- */

static GBytes *
bytes_concat (const guint8 *first,
              gsize         first_len,
              ...)
{
  GByteArray *array = g_byte_array_new ();
  const guint8 *data = first;
  gsize len = first_len;
  va_list args;

  va_start (args, first_len);
  while (data != NULL)
    {
      g_byte_array_append (array, data, len);
      data = va_arg (args, const guint8 *);
      if (data != NULL)
        len = va_arg (args, gsize);
    }
  va_end (args);

  return g_byte_array_free_to_bytes (array);
}

#define B(array) (array), sizeof (array)
#define S(string) (const guint8 *) (string), strlen (string)

typedef struct
{
  GIOStream          *stream;
  GInputStream       *in;
  GOutputStream      *out;
} Pipe;

/* A stream whose input is @input. */
static void
pipe_init (Pipe   *pipe,
           GBytes *input)
{
  pipe->in = g_memory_input_stream_new_from_bytes (input);
  pipe->out = g_memory_output_stream_new_resizable ();
  pipe->stream = g_simple_io_stream_new (pipe->in, pipe->out);
}

static void
pipe_clear (Pipe *pipe)
{
  g_clear_object (&pipe->stream);
  g_clear_object (&pipe->in);
  g_clear_object (&pipe->out);
}

static void
assert_sent (Pipe   *pipe,
             GBytes *expected)
{
  GMemoryOutputStream *out = G_MEMORY_OUTPUT_STREAM (pipe->out);
  gsize len;
  const guint8 *data = g_bytes_get_data (expected, &len);

  g_assert_cmpmem (g_memory_output_stream_get_data (out),
                   g_memory_output_stream_get_data_size (out), data, len);
}

static void
assert_nothing_sent (Pipe *pipe)
{
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (pipe->out)), ==, 0);
}

/* What is left to read: the tunnel's bytes. */
static void
assert_left (Pipe       *pipe,
             const char *expected)
{
  g_autoptr(GError) error = NULL;
  char buffer[256] = { 0 };
  gsize n = 0;

  g_input_stream_read_all (pipe->in, buffer, sizeof buffer - 1, &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (buffer, ==, expected);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static GIOStream *
negotiate (Mode           mode,
           const char    *protocol,
           Pipe          *pipe,
           GProxyAddress *address,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GProxy) proxy = dial_proxy_stage_lookup (protocol);
  g_autoptr(GAsyncResult) result = NULL;

  g_assert_true (DIAL_IS_SOCKS_PROXY (proxy));

  if (mode == MODE_SYNC)
    return g_proxy_connect (proxy, pipe->stream, address, cancellable, error);

  g_proxy_connect_async (proxy, pipe->stream, address, cancellable, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return g_proxy_connect_finish (proxy, result, error);
}

static GProxyAddress *
proxy_address (const char *protocol,
               const char *host,
               guint16     port,
               const char *username,
               const char *password)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

  return G_PROXY_ADDRESS (g_proxy_address_new (loopback, 1080, protocol, host, port,
                                               username, password));
}

/* One successful negotiation: @input (the proxy's replies and then
 * TUNNEL) in, exactly @expected out, TUNNEL left unread, and the very
 * stream handed back. */
static void
check_ok (Mode        mode,
          const char *protocol,
          const char *host,
          guint16     port,
          const char *username,
          const char *password,
          GBytes     *input,
          GBytes     *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GProxyAddress) address = proxy_address (protocol, host, port, username, password);
  g_autoptr(GIOStream) result = NULL;
  Pipe pipe;

  pipe_init (&pipe, input);
  result = negotiate (mode, protocol, &pipe, address, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (result == pipe.stream);
  assert_sent (&pipe, expected);
  assert_left (&pipe, TUNNEL);
  pipe_clear (&pipe);
}

static void
check_fails (Mode        mode,
             const char *protocol,
             const char *host,
             const char *username,
             const char *password,
             GBytes     *input,
             gint        code,
             const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GProxyAddress) address = proxy_address (protocol, host, 80, username, password);
  g_autoptr(GIOStream) result = NULL;
  Pipe pipe;

  pipe_init (&pipe, input);
  result = negotiate (mode, protocol, &pipe, address, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, code);
  g_assert_cmpstr (error->message, ==, message);
  pipe_clear (&pipe);
}

/* Success ----------------------------------------------------------------- */

static const guint8 socks5_none[] = { 5, 0 };
static const guint8 socks5_userpass[] = { 5, 2 };
static const guint8 auth_ok[] = { 1, 0 };
static const guint8 granted_ipv4[] = { 5, 0, 0, 1, 10, 0, 0, 1, 0x1f, 0x90 };
static const guint8 granted_ipv6[] = { 5, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1 };
static const guint8 granted_name[] = { 5, 0, 0, 3, 9, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't', 0, 1 };
static const guint8 socks4_granted[] = { 0, 90, 0, 80, 1, 2, 3, 4 };

static const guint8 greeting_none[] = { 5, 1, 0 };
static const guint8 greeting_both[] = { 5, 2, 0, 2 };

static void
test_socks5_name (gconstpointer data)
{
  Mode mode = GPOINTER_TO_INT (data);
  static const guint8 head[] = { 5, 1, 0, 3, 12 };
  static const guint8 port[] = { 0x01, 0xbb };
  g_autoptr(GBytes) input = bytes_concat (B (socks5_none), B (granted_ipv4), S (TUNNEL), NULL);
  g_autoptr(GBytes) expected = bytes_concat (B (greeting_none), B (head), S ("example.test"), B (port), NULL);

  check_ok (mode, "socks5", "example.test", 443, NULL, NULL, input, expected);
}

static void
test_socks5_auth (gconstpointer data)
{
  Mode mode = GPOINTER_TO_INT (data);
  static const guint8 auth[] = { 1, 5, 'a', 'l', 'i', 'c', 'e', 6, 's', '3', 'c', 'r', 'e', 't' };
  static const guint8 connect[] = { 5, 1, 0, 1, 127, 0, 0, 1, 0, 80 };
  g_autoptr(GBytes) input = bytes_concat (B (socks5_userpass), B (auth_ok), B (granted_name), S (TUNNEL), NULL);
  g_autoptr(GBytes) expected = bytes_concat (B (greeting_both), B (auth), B (connect), NULL);

  check_ok (mode, "socks5", "127.0.0.1", 80, "alice", "s3cret", input, expected);
}

/* Credentials offered, NONE picked: no RFC 1929 at all. */
static void
test_socks5_auth_not_needed (gconstpointer data)
{
  Mode mode = GPOINTER_TO_INT (data);
  static const guint8 connect[] = { 5, 1, 0, 1, 127, 0, 0, 1, 0, 80 };
  g_autoptr(GBytes) input = bytes_concat (B (socks5_none), B (granted_ipv6), S (TUNNEL), NULL);
  g_autoptr(GBytes) expected = bytes_concat (B (greeting_both), B (connect), NULL);

  check_ok (mode, "socks5", "127.0.0.1", 80, "alice", NULL, input, expected);
}

static void
test_socks5_ipv6 (gconstpointer data)
{
  Mode mode = GPOINTER_TO_INT (data);
  static const guint8 connect[] = { 5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80 };
  g_autoptr(GBytes) input = bytes_concat (B (socks5_none), B (granted_ipv4), S (TUNNEL), NULL);
  g_autoptr(GBytes) expected = bytes_concat (B (greeting_none), B (connect), NULL);

  check_ok (mode, "socks5", "::1", 80, NULL, NULL, input, expected);
}

/* SOCKS5h sends even an IP literal as a name. */
static void
test_socks5h_literal (gconstpointer data)
{
  Mode mode = GPOINTER_TO_INT (data);
  static const guint8 head[] = { 5, 1, 0, 3, 3 };
  static const guint8 port[] = { 0, 80 };
  g_autoptr(GBytes) input = bytes_concat (B (socks5_none), B (granted_ipv4), S (TUNNEL), NULL);
  g_autoptr(GBytes) expected = bytes_concat (B (greeting_none), B (head), S ("::1"), B (port), NULL);

  check_ok (mode, "socks5h", "::1", 80, NULL, NULL, input, expected);
}

static void
test_socks4_ipv4 (gconstpointer data)
{
  Mode mode = GPOINTER_TO_INT (data);
  static const guint8 request[] = { 4, 1, 0, 80, 10, 0, 0, 1, 'b', 'o', 'b', 0 };
  g_autoptr(GBytes) input = bytes_concat (B (socks4_granted), S (TUNNEL), NULL);
  g_autoptr(GBytes) expected = bytes_concat (B (request), NULL);

  /* The password has no place in SOCKS4. */
  check_ok (mode, "socks4", "10.0.0.1", 80, "bob", "unused", input, expected);
}

static void
test_socks4a_name (gconstpointer data)
{
  Mode mode = GPOINTER_TO_INT (data);
  static const guint8 request[] = { 4, 1, 0, 80, 0, 0, 0, 1, 0, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 't', 'e', 's', 't', 0 };
  g_autoptr(GBytes) input = bytes_concat (B (socks4_granted), S (TUNNEL), NULL);
  g_autoptr(GBytes) expected = bytes_concat (B (request), NULL);

  check_ok (mode, "socks4a", "example.test", 80, NULL, NULL, input, expected);
}

/* Failures ---------------------------------------------------------------- */

/* Every truncation of a good exchange is CONNECTION_CLOSED, in both
 * drivers, with the same text. */
static void
test_socks5_eof_everywhere (gconstpointer data)
{
  Mode mode = GPOINTER_TO_INT (data);
  g_autoptr(GBytes) full = bytes_concat (B (socks5_userpass), B (auth_ok), B (granted_name), NULL);
  gsize len;
  const guint8 *bytes = g_bytes_get_data (full, &len);

  for (gsize i = 0; i < len; i++)
    {
      g_autoptr(GBytes) input = g_bytes_new (bytes, i);

      check_fails (mode, "socks5", "example.test", "alice", "s3cret", input,
                   G_IO_ERROR_CONNECTION_CLOSED, "Connection to SOCKSv5 proxy server lost");
    }
}

static void
test_socks4_eof_everywhere (gconstpointer data)
{
  Mode mode = GPOINTER_TO_INT (data);

  for (gsize i = 0; i < sizeof socks4_granted; i++)
    {
      g_autoptr(GBytes) input = g_bytes_new (socks4_granted, i);

      check_fails (mode, "socks4a", "example.test", NULL, NULL, input,
                   G_IO_ERROR_CONNECTION_CLOSED, "Connection to SOCKSv4 proxy server lost");
    }
}

static void
test_socks5_refused (gconstpointer data)
{
  Mode mode = GPOINTER_TO_INT (data);
  static const guint8 not_allowed[] = { 5, 2 };
  g_autoptr(GBytes) input = bytes_concat (B (socks5_none), B (not_allowed), NULL);

  /* The refusal is known from its second byte: no need for the rest. */
  check_fails (mode, "socks5", "example.test", NULL, NULL, input,
               G_IO_ERROR_PROXY_NOT_ALLOWED, "SOCKSv5 connection not allowed by ruleset.");
}

static void
test_socks5_auth_failed (gconstpointer data)
{
  Mode mode = GPOINTER_TO_INT (data);
  static const guint8 auth_failed[] = { 1, 1 };
  g_autoptr(GBytes) input = bytes_concat (B (socks5_userpass), B (auth_failed), NULL);

  check_fails (mode, "socks5", "example.test", "alice", "s3cret", input,
               G_IO_ERROR_PROXY_AUTH_FAILED,
               "SOCKSv5 authentication failed due to wrong username or password.");
}

static void
test_socks4_rejected (gconstpointer data)
{
  Mode mode = GPOINTER_TO_INT (data);
  static const guint8 rejected[] = { 0, 91, 0, 0, 0, 0, 0, 0 };
  g_autoptr(GBytes) input = bytes_concat (B (rejected), NULL);

  check_fails (mode, "socks4", "10.0.0.1", NULL, NULL, input,
               G_IO_ERROR_PROXY_FAILED, "Connection through SOCKSv4 server was rejected");
}

/* Limits fail before a byte is written, whatever the proxy would say. */
static void
test_limits_before_sending (gconstpointer data)
{
  Mode mode = GPOINTER_TO_INT (data);
  g_autofree char *long_name = g_strnfill (256, 'h');
  g_autofree char *long_secret = g_strnfill (256, 's');
  g_autoptr(GBytes) input = bytes_concat (B (socks5_userpass), B (auth_ok), B (granted_ipv4), NULL);
  static const struct {
    const char *protocol;
    gboolean    long_host;
    const char *host;
    gboolean    long_password;
    const char *username;
    gint        code;
    const char *message;
  } rows[] = {
    { "socks5", TRUE, NULL, FALSE, NULL, G_IO_ERROR_PROXY_FAILED, NULL },
    { "socks5h", TRUE, NULL, FALSE, NULL, G_IO_ERROR_PROXY_FAILED, NULL },
    { "socks5", FALSE, "example.test", TRUE, "alice", G_IO_ERROR_PROXY_FAILED,
      "Username or password is too long for SOCKSv5 protocol." },
    { "socks4a", TRUE, NULL, FALSE, NULL, G_IO_ERROR_PROXY_FAILED, NULL },
    { "socks4a", FALSE, "::1", FALSE, NULL, G_IO_ERROR_PROXY_FAILED,
      "SOCKSv4 does not support IPv6 address “::1”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GProxyAddress) address = NULL;
      g_autoptr(GIOStream) result = NULL;
      g_autofree char *expected = NULL;
      Pipe pipe;

      if (rows[i].long_host)
        expected = g_strdup_printf ("Hostname “%s” is too long for SOCKSv%c protocol",
                                    long_name, rows[i].protocol[5]);
      else
        expected = g_strdup (rows[i].message);

      address = proxy_address (rows[i].protocol, rows[i].long_host ? long_name : rows[i].host, 80,
                               rows[i].username, rows[i].long_password ? long_secret : NULL);
      pipe_init (&pipe, input);
      result = negotiate (mode, rows[i].protocol, &pipe, address, NULL, &error);
      g_assert_null (result);
      g_assert_error (error, G_IO_ERROR, rows[i].code);
      g_assert_cmpstr (error->message, ==, expected);
      assert_nothing_sent (&pipe);
      pipe_clear (&pipe);
    }
}

static void
test_cancelled (gconstpointer data)
{
  Mode mode = GPOINTER_TO_INT (data);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) input = bytes_concat (B (socks5_none), B (granted_ipv4), NULL);
  g_autoptr(GProxyAddress) address = proxy_address ("socks5", "example.test", 80, NULL, NULL);
  g_autoptr(GIOStream) result = NULL;
  g_autoptr(GError) error = NULL;
  Pipe pipe;

  g_cancellable_cancel (cancellable);
  pipe_init (&pipe, input);
  result = negotiate (mode, "socks5", &pipe, address, cancellable, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  pipe_clear (&pipe);
}

/* The proxy stage --------------------------------------------------------- */

static void
test_lookup (void)
{
  static const struct {
    const char *protocol;
    gboolean    supports_hostname;
  } ours[] = {
    { "socks4", FALSE },
    { "socks4a", TRUE },
    { "socks5", TRUE },
    { "socks5h", TRUE },
  };
  GProxy *other;

  for (guint i = 0; i < G_N_ELEMENTS (ours); i++)
    {
      g_autoptr(GProxy) proxy = dial_proxy_stage_lookup (ours[i].protocol);
      g_autoptr(GProxy) gio = g_proxy_get_default_for_protocol (ours[i].protocol);

      g_assert_true (DIAL_IS_SOCKS_PROXY (proxy));
      g_assert_cmpstr (dial_socks_proxy_get_protocol (DIAL_SOCKS_PROXY (proxy)), ==, ours[i].protocol);
      g_assert_cmpint (g_proxy_supports_hostname (proxy), ==, ours[i].supports_hostname);

      /* GProxyAddressEnumerator asks GIO's own proxy whether to resolve
       * the destination first: it must agree with ours (GIO has no
       * socks5h, which the enumerator then takes as supporting names). */
      if (gio != NULL)
        g_assert_cmpint (g_proxy_supports_hostname (gio), ==, ours[i].supports_hostname);
      else
        g_assert_true (ours[i].supports_hostname);
    }

  /* Not ours: GIO's extension point, or nothing. */
  g_assert_null (dial_proxy_stage_lookup ("socks"));
  g_assert_null (dial_proxy_stage_lookup ("foo"));
  other = dial_proxy_stage_lookup ("http");
  g_assert_nonnull (other);
  g_assert_false (DIAL_IS_SOCKS_PROXY (other));
  g_object_unref (other);

  g_assert_null (dial_socks_proxy_new ("socks"));
  g_assert_null (dial_socks_proxy_new ("SOCKS5"));
}

static void
add_both (const char    *name,
          GTestDataFunc  func)
{
  for (Mode mode = MODE_SYNC; mode <= MODE_ASYNC; mode++)
    {
      g_autofree char *path = g_strdup_printf ("/proxy/socks-proxy/%s/%s", mode_names[mode], name);

      g_test_add_data_func (path, GINT_TO_POINTER (mode), func);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  add_both ("socks5-name", test_socks5_name);
  add_both ("socks5-auth", test_socks5_auth);
  add_both ("socks5-auth-not-needed", test_socks5_auth_not_needed);
  add_both ("socks5-ipv6", test_socks5_ipv6);
  add_both ("socks5h-literal", test_socks5h_literal);
  add_both ("socks4-ipv4", test_socks4_ipv4);
  add_both ("socks4a-name", test_socks4a_name);
  add_both ("socks5-eof-everywhere", test_socks5_eof_everywhere);
  add_both ("socks4-eof-everywhere", test_socks4_eof_everywhere);
  add_both ("socks5-refused", test_socks5_refused);
  add_both ("socks5-auth-failed", test_socks5_auth_failed);
  add_both ("socks4-rejected", test_socks4_rejected);
  add_both ("limits-before-sending", test_limits_before_sending);
  add_both ("cancelled", test_cancelled);
  g_test_add_func ("/proxy/socks-proxy/lookup", test_lookup);

  return g_test_run ();
}
