/* test-environment-proxy-client.c: a DialSocketClient with no resolver of
 * its own, under GIO's dummy resolver, follows http_proxy, all_proxy and
 * no_proxy.
 *
 * meson runs this test with GIO_USE_PROXY_RESOLVER=dummy and no_proxy set
 * (tests/proxy/meson.build).  http_proxy and all_proxy name in-process
 * proxies whose ports are only known once they listen, so main () sets
 * them before the first connect, which is when the client reads the
 * environment.  Every case runs in both drivers.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <dial/dial.h>

#include "dial-test-http-proxy.h"
#include "dial-test-mock-resolver.h"
#include "dial-test-proxy-resolver.h"
#include "dial-test-servers.h"
#include "dial-test-socks-server.h"

#define ECHO_HOST "echo.test"
/* base64 ("alice:s3cret") */
#define BASIC_CREDENTIALS "Basic YWxpY2U6czNjcmV0"

typedef enum
{
  MODE_SYNC,
  MODE_ASYNC,
} Mode;

typedef enum
{
  ENTRY_HOST,
  ENTRY_URI,
} Entry;

/* For the whole run: the environment is read once per process. */
static DialTestServer       *echo;
static DialTestSocksServer  *socks;
static DialTestHttpProxy    *http;
static DialTestMockResolver *mock_resolver;
static char                 *http_uri;
static char                 *socks_uri;

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static GSocketConnection *
connect_entry (DialSocketClient  *client,
               Mode               mode,
               Entry              entry,
               const char        *target,
               GError           **error)
{
  GAsyncResult *result = NULL;
  GSocketConnection *connection;

  if (mode == MODE_SYNC)
    {
      if (entry == ENTRY_HOST)
        return dial_socket_client_connect_to_host (client, target, 1, NULL, error);
      return dial_socket_client_connect_to_uri (client, target, 1, NULL, error);
    }

  if (entry == ENTRY_HOST)
    dial_socket_client_connect_to_host_async (client, target, 1, NULL,
                                              store_result, &result);
  else
    dial_socket_client_connect_to_uri_async (client, target, 1, NULL,
                                             store_result, &result);

  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  if (entry == ENTRY_HOST)
    connection = dial_socket_client_connect_to_host_finish (client, result, error);
  else
    connection = dial_socket_client_connect_to_uri_finish (client, result, error);

  g_object_unref (result);
  return connection;
}

static GSocketConnection *
connect_or_fail (DialSocketClient *client,
                 Mode              mode,
                 Entry             entry,
                 const char       *target)
{
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection = connect_entry (client, mode, entry, target, &error);

  g_assert_no_error (error);
  g_assert_nonnull (connection);
  return connection;
}

/* Bytes go to the echo server and come back. */
static void
assert_echoes (GSocketConnection *connection)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GError) error = NULL;
  char buffer[5] = { 0 };
  gsize n;

  g_output_stream_write_all (output, "ping", 4, &n, NULL, &error);
  g_assert_no_error (error);
  g_input_stream_read_all (input, buffer, 4, &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpstr (buffer, ==, "ping");
}

static void
assert_proxied (GSocketConnection *connection,
                const char        *protocol,
                const char        *destination_protocol,
                const char        *uri,
                guint16            proxy_port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, &error);
  GProxyAddress *address;

  g_assert_no_error (error);
  g_assert_true (G_IS_PROXY_ADDRESS (remote));
  address = G_PROXY_ADDRESS (remote);
  g_assert_cmpstr (g_proxy_address_get_protocol (address), ==, protocol);
  g_assert_cmpstr (g_proxy_address_get_destination_protocol (address), ==, destination_protocol);
  g_assert_cmpstr (g_proxy_address_get_destination_hostname (address), ==, ECHO_HOST);
  g_assert_cmpuint (g_proxy_address_get_destination_port (address), ==, dial_test_server_get_port (echo));
  g_assert_cmpstr (g_proxy_address_get_uri (address), ==, uri);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)), ==, proxy_port);
}

static void
assert_direct (GSocketConnection *connection)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, &error);

  g_assert_no_error (error);
  g_assert_false (G_IS_PROXY_ADDRESS (remote));
  g_assert_true (G_IS_INET_SOCKET_ADDRESS (remote));
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)), ==,
                    dial_test_server_get_port (echo));
}

static char *
echo_target (Entry       entry,
             const char *scheme,
             const char *host)
{
  if (entry == ENTRY_HOST)
    return g_strdup_printf ("%s:%u", host, dial_test_server_get_port (echo));

  return g_strdup_printf ("%s://%s:%u", scheme, host, dial_test_server_get_port (echo));
}

/* http:// goes through http_proxy, with its credentials. */
static void
test_http_proxy (gconstpointer data)
{
  Mode mode = GPOINTER_TO_INT (data);
  g_autoptr(DialSocketClient) client = dial_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestHttpProxyRecord) record = NULL;
  g_autofree char *target = echo_target (ENTRY_URI, "http", ECHO_HOST);
  g_autofree char *request = g_strdup_printf ("CONNECT " ECHO_HOST ":%u HTTP/1.",
                                              dial_test_server_get_port (echo));
  guint http_before = dial_test_http_proxy_get_accepted (http);
  guint socks_before = dial_test_socks_server_get_accepted (socks);

  connection = connect_or_fail (client, mode, ENTRY_URI, target);
  assert_proxied (connection, "http", "http", http_uri, dial_test_http_proxy_get_port (http));
  assert_echoes (connection);

  g_assert_cmpuint (dial_test_http_proxy_get_accepted (http), ==, http_before + 1);
  g_assert_cmpuint (dial_test_socks_server_get_accepted (socks), ==, socks_before);

  record = dial_test_http_proxy_get_record (http, http_before);
  g_assert_nonnull (record);
  g_assert_true (g_str_has_prefix (record->request_line, request));
  g_assert_cmpstr (dial_test_http_proxy_record_get_header (record, "Proxy-Authorization"), ==,
                   BASIC_CREDENTIALS);
}

/* connect_to_host (scheme "none") and https:// (no https_proxy) go
 * through all_proxy. */
static void
test_all_proxy (gconstpointer data)
{
  Mode mode = GPOINTER_TO_INT (data);
  Entry entries[] = { ENTRY_HOST, ENTRY_URI };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      g_autoptr(DialSocketClient) client = dial_socket_client_new ();
      g_autoptr(GSocketConnection) connection = NULL;
      g_autoptr(DialTestSocksRecord) record = NULL;
      g_autofree char *target = echo_target (entries[i], "https", ECHO_HOST);
      guint http_before = dial_test_http_proxy_get_accepted (http);
      guint socks_before = dial_test_socks_server_get_accepted (socks);

      connection = connect_or_fail (client, mode, entries[i], target);
      assert_proxied (connection, "socks5", entries[i] == ENTRY_HOST ? "none" : "https",
                      socks_uri, dial_test_socks_server_get_port (socks));
      assert_echoes (connection);

      g_assert_cmpuint (dial_test_socks_server_get_accepted (socks), ==, socks_before + 1);
      g_assert_cmpuint (dial_test_http_proxy_get_accepted (http), ==, http_before);

      record = dial_test_socks_server_get_record (socks, socks_before);
      g_assert_nonnull (record);
      g_assert_cmpuint (record->version, ==, 5);
      g_assert_cmpstr (record->host, ==, ECHO_HOST);
      g_assert_cmpuint (record->port, ==, dial_test_server_get_port (echo));
    }
}

/* no_proxy (from meson: "a.test, bypass.test ,127.0.0.0/8"): names below
 * an entry and addresses in a range connect directly, through neither
 * proxy. */
static void
test_no_proxy (gconstpointer data)
{
  static const struct
  {
    Entry       entry;
    const char *scheme;
    const char *host;
  } cases[] = {
    { ENTRY_HOST, NULL, "bypass.test" },
    { ENTRY_HOST, NULL, "x.BYPASS.test" },
    { ENTRY_URI, "http", "bypass.test" },
    { ENTRY_URI, "https", "x.bypass.test" },
    { ENTRY_HOST, NULL, "127.0.0.1" },
    { ENTRY_URI, "http", "127.0.0.1" },
  };
  Mode mode = GPOINTER_TO_INT (data);
  gsize i;

  g_assert_cmpstr (g_getenv ("no_proxy"), ==, "a.test, bypass.test ,127.0.0.0/8");

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DialSocketClient) client = dial_socket_client_new ();
      g_autoptr(GSocketConnection) connection = NULL;
      g_autofree char *target = echo_target (cases[i].entry, cases[i].scheme, cases[i].host);
      guint http_before = dial_test_http_proxy_get_accepted (http);
      guint socks_before = dial_test_socks_server_get_accepted (socks);
      guint echo_before = dial_test_server_get_accepted (echo);

      connection = connect_or_fail (client, mode, cases[i].entry, target);
      assert_direct (connection);
      assert_echoes (connection);

      g_assert_cmpuint (dial_test_http_proxy_get_accepted (http), ==, http_before);
      g_assert_cmpuint (dial_test_socks_server_get_accepted (socks), ==, socks_before);
      g_assert_cmpuint (dial_test_server_get_accepted (echo), ==, echo_before + 1);
    }
}

/* A resolver set on the client wins, and enable-proxy off means no proxy:
 * the environment is only the fallback of the default. */
static void
test_not_used (gconstpointer data)
{
  Mode mode = GPOINTER_TO_INT (data);
  g_autoptr(DialTestProxyResolver) resolver = dial_test_proxy_resolver_new_single ("direct://");
  g_autofree char *target = echo_target (ENTRY_URI, "http", ECHO_HOST);
  guint http_before = dial_test_http_proxy_get_accepted (http);
  guint i;

  for (i = 0; i < 2; i++)
    {
      g_autoptr(DialSocketClient) client = dial_socket_client_new ();
      g_autoptr(GSocketConnection) connection = NULL;

      if (i == 0)
        dial_socket_client_set_proxy_resolver (client, G_PROXY_RESOLVER (resolver));
      else
        dial_socket_client_set_enable_proxy (client, FALSE);

      connection = connect_or_fail (client, mode, ENTRY_URI, target);
      assert_direct (connection);
      assert_echoes (connection);
    }

  g_assert_cmpuint (dial_test_proxy_resolver_get_lookups (resolver), ==, 1);
  g_assert_cmpuint (dial_test_http_proxy_get_accepted (http), ==, http_before);
}

/* The property still shows GIO's default resolver, as GSocketClient's
 * does. */
static void
test_get_proxy_resolver (void)
{
  g_autoptr(DialSocketClient) client = dial_socket_client_new ();
  g_autoptr(GProxyResolver) property = NULL;

  g_assert_true (dial_socket_client_get_proxy_resolver (client) == g_proxy_resolver_get_default ());
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (dial_socket_client_get_proxy_resolver (client)), ==,
                   "GDummyProxyResolver");

  g_object_get (client, "proxy-resolver", &property, NULL);
  g_assert_true (property == g_proxy_resolver_get_default ());
}

/* A failure at the proxy shows nothing of the proxy URI's credentials. */
static void
test_error_hides_credentials (gconstpointer data)
{
  Mode mode = GPOINTER_TO_INT (data);
  g_autoptr(DialSocketClient) client = dial_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *target = echo_target (ENTRY_URI, "http", ECHO_HOST);
  guint http_before = dial_test_http_proxy_get_accepted (http);

  dial_test_http_proxy_set_behaviour (http, DIAL_TEST_HTTP_PROXY_STATUS);
  dial_test_http_proxy_set_status (http, 502);
  connection = connect_entry (client, mode, ENTRY_URI, target, &error);
  dial_test_http_proxy_set_behaviour (http, DIAL_TEST_HTTP_PROXY_RELAY);

  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED);
  g_test_message ("error: %s", error->message);
  g_assert_null (strstr (error->message, "s3cret"));
  g_assert_null (strstr (error->message, "alice"));
  g_assert_cmpuint (dial_test_http_proxy_get_accepted (http), ==, http_before + 1);
}

static void
add_both (const char    *name,
          GTestDataFunc  func)
{
  g_autofree char *sync_path = g_strdup_printf ("/environment-proxy/sync/%s", name);
  g_autofree char *async_path = g_strdup_printf ("/environment-proxy/async/%s", name);

  g_test_add_data_func (sync_path, GINT_TO_POINTER (MODE_SYNC), func);
  g_test_add_data_func (async_path, GINT_TO_POINTER (MODE_ASYNC), func);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int result;

  g_test_init (&argc, &argv, NULL);

  echo = dial_test_server_new_accepting (G_SOCKET_FAMILY_IPV4, TRUE, &error);
  g_assert_no_error (error);
  socks = dial_test_socks_server_new ();
  dial_test_socks_server_set_behaviour (socks, DIAL_TEST_SOCKS_RELAY);
  http = dial_test_http_proxy_new ();
  dial_test_http_proxy_set_behaviour (http, DIAL_TEST_HTTP_PROXY_RELAY);

  mock_resolver = dial_test_mock_resolver_new ();
  dial_test_mock_resolver_install (mock_resolver);
  dial_test_mock_resolver_add_ip (mock_resolver, ECHO_HOST, "127.0.0.1", 0);
  dial_test_mock_resolver_add_ip (mock_resolver, "bypass.test", "127.0.0.1", 0);
  dial_test_mock_resolver_add_ip (mock_resolver, "x.bypass.test", "127.0.0.1", 0);
  dial_test_mock_resolver_add_ip (mock_resolver, "x.BYPASS.test", "127.0.0.1", 0);

  /* Before any client connects: the environment is read then. */
  http_uri = dial_test_http_proxy_get_uri (http, "alice:s3cret");
  socks_uri = dial_test_socks_server_get_uri (socks, "socks5", NULL);
  g_setenv ("http_proxy", http_uri, TRUE);
  g_setenv ("all_proxy", socks_uri, TRUE);
  /* Overridden by the lower-case names, or never read (HTTP_PROXY). */
  g_setenv ("HTTP_PROXY", "http://127.0.0.1:1", TRUE);
  g_setenv ("ALL_PROXY", "http://127.0.0.1:1", TRUE);

  g_test_add_func ("/environment-proxy/get-proxy-resolver", test_get_proxy_resolver);
  add_both ("http-proxy", test_http_proxy);
  add_both ("all-proxy", test_all_proxy);
  add_both ("no-proxy", test_no_proxy);
  add_both ("not-used", test_not_used);
  add_both ("error-hides-credentials", test_error_hides_credentials);

  result = g_test_run ();

  g_clear_pointer (&http, dial_test_http_proxy_free);
  g_clear_pointer (&socks, dial_test_socks_server_free);
  g_clear_pointer (&echo, dial_test_server_free);
  g_clear_object (&mock_resolver);
  g_clear_pointer (&http_uri, g_free);
  g_clear_pointer (&socks_uri, g_free);

  return result;
}
