/* test-proxy.c: the proxy stage of DialSocketClient, in both drivers.
 *
 * Every case runs twice, as /proxy/GROUP/sync/NAME and
 * /proxy/GROUP/async/NAME, against in-process SOCKS and HTTP CONNECT
 * proxies and an echo server, all on 127.0.0.1.  Names resolve through a
 * mock GResolver; proxy answers come from a DialTestProxyResolver set on
 * the client.  The expected events, errors and addresses are GIO 2.74's
 * (spec §2.4, §4.2, §10.1, §11.6).
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <dial/dial.h>

#include "dial-test-events.h"
#include "dial-test-http-proxy.h"
#include "dial-test-mock-resolver.h"
#include "dial-test-proxy-resolver.h"
#include "dial-test-servers.h"
#include "dial-test-socks-server.h"

#define ECHO_HOST "echo.test"

typedef enum
{
  MODE_SYNC,
  MODE_ASYNC,
} Mode;

typedef struct
{
  Mode                   mode;
  guint                  fds_at_start;
  DialSocketClient      *client;
  DialTestEvents        *events;
  DialTestServer        *echo;
  DialTestSocksServer   *socks;
  DialTestHttpProxy     *http;
  DialTestProxyResolver *resolver;
} Fixture;

/* The default GResolver for the whole run: knows ECHO_HOST and the SRV
 * record of the connect_to_service case. */
static DialTestMockResolver *mock_resolver;

/* Fixture ----------------------------------------------------------------- */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->mode = GPOINTER_TO_INT (data);
  f->fds_at_start = dial_test_count_fds ();

  f->client = dial_socket_client_new ();
  f->events = dial_test_events_new (f->client);
  f->echo = dial_test_server_new_accepting (G_SOCKET_FAMILY_IPV4, TRUE, &error);
  g_assert_no_error (error);

  dial_test_mock_resolver_clear (mock_resolver);
  dial_test_mock_resolver_add_ip (mock_resolver, ECHO_HOST, "127.0.0.1", 0);
}

/* What each descriptor is, to tell a leak from a lazily created global. */
static void
log_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      g_test_message ("fd %s -> %s", name, target ? target : "?");
    }
}

/* Waits for the process to be back to the descriptors it had before the
 * test.  The main context is drained first; then, bounded, a GIO worker
 * thread (the HTTP proxy negotiates in one) may still be dropping its
 * last reference to a connection, which nothing lets us wait for. */
static void
assert_fds_back_to (guint expected)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  guint now;

  for (;;)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      now = dial_test_count_fds ();
      if (now == expected || g_get_monotonic_time () > deadline)
        break;
      g_usleep (G_USEC_PER_SEC / 1000);
    }

  if (now != expected)
    log_fds ();
  g_assert_cmpuint (now, ==, expected);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->events, dial_test_events_free);
  g_clear_object (&f->client);
  g_clear_object (&f->resolver);
  g_clear_pointer (&f->socks, dial_test_socks_server_free);
  g_clear_pointer (&f->http, dial_test_http_proxy_free);
  g_clear_pointer (&f->echo, dial_test_server_free);

  assert_fds_back_to (f->fds_at_start);
}

static guint16
echo_port (Fixture *f)
{
  return dial_test_server_get_port (f->echo);
}

static GSocketConnectable *
echo_connectable (Fixture *f)
{
  return g_network_address_new (ECHO_HOST, echo_port (f));
}

/* Makes the client's proxy resolver answer @proxy for every URI. */
static void
use_proxy (Fixture    *f,
           const char *proxy)
{
  g_clear_object (&f->resolver);
  f->resolver = dial_test_proxy_resolver_new_single (proxy);
  dial_socket_client_set_proxy_resolver (f->client, G_PROXY_RESOLVER (f->resolver));
}

static DialTestSocksServer *
start_socks (Fixture                *f,
             DialTestSocksBehaviour  behaviour)
{
  f->socks = dial_test_socks_server_new ();
  dial_test_socks_server_set_behaviour (f->socks, behaviour);
  return f->socks;
}

static DialTestHttpProxy *
start_http (Fixture                    *f,
            DialTestHttpProxyBehaviour  behaviour,
            guint                       status)
{
  f->http = dial_test_http_proxy_new ();
  dial_test_http_proxy_set_behaviour (f->http, behaviour);
  dial_test_http_proxy_set_status (f->http, status);
  return f->http;
}

/* Connecting in either driver ---------------------------------------------- */

static GSocketConnection *
connect_to (Fixture             *f,
            GSocketConnectable  *connectable,
            GCancellable        *cancellable,
            GError             **error)
{
  dial_test_events_clear (f->events);

  if (f->mode == MODE_SYNC)
    return dial_socket_client_connect (f->client, connectable, cancellable, error);

  return dial_test_connect_async_wait (f->client, connectable, cancellable, f->events, error);
}

static GSocketConnection *
connect_to_echo (Fixture       *f,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GSocketConnectable) connectable = echo_connectable (f);

  return connect_to (f, connectable, cancellable, error);
}

typedef enum
{
  ENTRY_HOST,
  ENTRY_URI,
  ENTRY_SERVICE,
} Entry;

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* connect_to_host (@a), connect_to_uri (@a) or connect_to_service (@a is
 * the domain, @b the service), in the fixture's driver. */
static GSocketConnection *
connect_entry (Fixture     *f,
               Entry        entry,
               const char  *a,
               const char  *b,
               GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  dial_test_events_clear (f->events);

  if (f->mode == MODE_SYNC)
    {
      switch (entry)
        {
        case ENTRY_HOST:
          return dial_socket_client_connect_to_host (f->client, a, 1, NULL, error);
        case ENTRY_URI:
          return dial_socket_client_connect_to_uri (f->client, a, 1, NULL, error);
        case ENTRY_SERVICE:
          return dial_socket_client_connect_to_service (f->client, a, b, NULL, error);
        default:
          g_assert_not_reached ();
        }
    }

  switch (entry)
    {
    case ENTRY_HOST:
      dial_socket_client_connect_to_host_async (f->client, a, 1, NULL, store_result, &result);
      break;
    case ENTRY_URI:
      dial_socket_client_connect_to_uri_async (f->client, a, 1, NULL, store_result, &result);
      break;
    case ENTRY_SERVICE:
      dial_socket_client_connect_to_service_async (f->client, a, b, NULL, store_result, &result);
      break;
    default:
      g_assert_not_reached ();
    }

  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  switch (entry)
    {
    case ENTRY_HOST:
      return dial_socket_client_connect_to_host_finish (f->client, result, error);
    case ENTRY_URI:
      return dial_socket_client_connect_to_uri_finish (f->client, result, error);
    case ENTRY_SERVICE:
      return dial_socket_client_connect_to_service_finish (f->client, result, error);
    default:
      g_assert_not_reached ();
    }
}

/* Assertions -------------------------------------------------------------- */

static void
assert_error (const GError *error,
              GQuark        domain,
              gint          code,
              const char   *message)
{
  g_assert_error (error, domain, code);
  g_assert_cmpstr (error->message, ==, message);
}

static void
assert_tcp_connection (GSocketConnection *connection)
{
  g_assert_nonnull (connection);
  g_assert_true (G_OBJECT_TYPE (connection) == G_TYPE_TCP_CONNECTION);
  g_assert_true (g_socket_connection_is_connected (connection));
}

/* The remote address of a proxied result is the GProxyAddress (§4.2.7). */
static void
assert_proxy_address (GSocketConnection *connection,
                      const char        *protocol,
                      const char        *destination_protocol,
                      const char        *destination_hostname,
                      guint16            destination_port,
                      const char        *uri,
                      guint16            proxy_port,
                      const char        *username,
                      const char        *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autofree char *ip = NULL;
  GProxyAddress *proxy_address;

  remote = g_socket_connection_get_remote_address (connection, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_PROXY_ADDRESS (remote));
  proxy_address = G_PROXY_ADDRESS (remote);

  g_assert_cmpstr (g_proxy_address_get_protocol (proxy_address), ==, protocol);
  g_assert_cmpstr (g_proxy_address_get_destination_protocol (proxy_address), ==, destination_protocol);
  g_assert_cmpstr (g_proxy_address_get_destination_hostname (proxy_address), ==, destination_hostname);
  g_assert_cmpuint (g_proxy_address_get_destination_port (proxy_address), ==, destination_port);
  g_assert_cmpstr (g_proxy_address_get_uri (proxy_address), ==, uri);
  g_assert_cmpstr (g_proxy_address_get_username (proxy_address), ==, username);
  g_assert_cmpstr (g_proxy_address_get_password (proxy_address), ==, password);

  ip = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  g_assert_cmpstr (ip, ==, "127.0.0.1");
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)), ==, proxy_port);
}

static void
assert_direct_address (GSocketConnection *connection,
                       guint16            port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) remote = NULL;

  remote = g_socket_connection_get_remote_address (connection, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_INET_SOCKET_ADDRESS (remote));
  g_assert_false (G_IS_PROXY_ADDRESS (remote));
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)), ==, port);
}

/* Data goes through the tunnel to the echo server and back. */
static void
assert_echo (GSocketConnection *connection)
{
  static const char message[] = "through the tunnel and back\n";
  g_autoptr(GError) error = NULL;
  char reply[sizeof message] = { 0 };
  gsize n = 0;

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             message, strlen (message), &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, strlen (message));

  g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                           reply, strlen (message), &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, strlen (message));
  g_assert_cmpstr (reply, ==, message);
}

/* Every event of the operation carries the caller's connectable (§11.2). */
static void
assert_events_connectable (DialTestEvents     *events,
                           GSocketConnectable *connectable)
{
  for (guint i = 0; i < dial_test_events_len (events); i++)
    g_assert_true (dial_test_events_get (events, i)->connectable == connectable);
}

static void
assert_lookups (Fixture    *f,
                guint       lookups,
                const char *last_uri)
{
  g_autofree char *uri = dial_test_proxy_resolver_dup_last_uri (f->resolver);

  g_assert_cmpuint (dial_test_proxy_resolver_get_lookups (f->resolver), ==, lookups);
  g_assert_cmpstr (uri, ==, last_uri);
}

static char *
echo_uri (Fixture    *f,
          const char *scheme)
{
  return g_strdup_printf ("%s://" ECHO_HOST ":%u", scheme, echo_port (f));
}

/* A proxy failure after CONNECTED: R Rd C Cd PN X. */
static void
check_negotiation_fails (Fixture    *f,
                         GQuark      domain,
                         gint        code,
                         const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;

  connection = connect_to_echo (f, NULL, &error);
  g_assert_null (connection);
  assert_error (error, domain, code, message);
  dial_test_events_assert (f->events, "R Rd C Cd PN X");
}

/* Waits until the SOCKS server is done with its first connection.  The
 * recorded events hold the client's connection, and a late unref may be
 * queued on the main context: both go first, so the socket closes. */
static DialTestSocksRecord *
socks_record_when_closed (Fixture *f)
{
  dial_test_events_clear (f->events);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (dial_test_socks_server_wait_finished (f->socks, 1));

  return dial_test_socks_server_get_record (f->socks, 0);
}

/* SOCKS5 ------------------------------------------------------------------ */

static void
test_socks5_ok (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnectable) connectable = echo_connectable (f);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestSocksRecord) record = NULL;
  g_autofree char *proxy = NULL;
  g_autofree char *lookup_uri = echo_uri (f, "none");
  const DialTestEvent *negotiated;

  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);
  use_proxy (f, proxy);

  connection = connect_to (f, connectable, NULL, &error);
  g_assert_no_error (error);
  assert_tcp_connection (connection);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_events_connectable (f->events, connectable);

  /* SOCKS5 hands back the very connection it negotiated on. */
  negotiated = dial_test_events_find_last (f->events, G_SOCKET_CLIENT_PROXY_NEGOTIATED);
  g_assert_true (negotiated->connection == G_IO_STREAM (connection));

  assert_proxy_address (connection, "socks5", "none", ECHO_HOST, echo_port (f),
                        proxy, dial_test_socks_server_get_port (f->socks), NULL, NULL);
  assert_lookups (f, 1, lookup_uri);
  assert_echo (connection);

  /* The destination name goes to the proxy as a name, unresolved. */
  g_assert_cmpuint (dial_test_mock_resolver_get_lookups (mock_resolver, ECHO_HOST), ==, 0);
  record = dial_test_socks_server_get_record (f->socks, 0);
  g_assert_cmpuint (record->version, ==, 5);
  g_assert_cmpuint (record->n_methods, ==, 1);
  g_assert_cmpuint (record->methods[0], ==, 0);
  g_assert_null (record->username);
  g_assert_cmpuint (record->command, ==, 1);
  g_assert_cmpuint (record->address_type, ==, 3);
  g_assert_cmpstr (record->host, ==, ECHO_HOST);
  g_assert_cmpuint (record->port, ==, echo_port (f));
  g_assert_cmpuint (dial_test_socks_server_get_accepted (f->socks), ==, 1);
}

static void
test_socks5_ip_literal (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestSocksRecord) record = NULL;
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);
  use_proxy (f, proxy);

  connectable = g_network_address_new ("127.0.0.1", echo_port (f));
  connection = connect_to (f, connectable, NULL, &error);
  g_assert_no_error (error);
  assert_tcp_connection (connection);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_proxy_address (connection, "socks5", "none", "127.0.0.1", echo_port (f),
                        proxy, dial_test_socks_server_get_port (f->socks), NULL, NULL);
  assert_echo (connection);

  /* An IP literal travels as address type 1, four raw bytes. */
  record = dial_test_socks_server_get_record (f->socks, 0);
  g_assert_cmpuint (record->address_type, ==, 1);
  g_assert_cmpstr (record->host, ==, "127.0.0.1");
  g_assert_cmpuint (record->port, ==, echo_port (f));
}

static void
test_socks5_auth (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestSocksRecord) record = NULL;
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  dial_test_socks_server_set_credentials (f->socks, "alice", "s3cret");
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", "alice:s3cret");
  use_proxy (f, proxy);

  connection = connect_to_echo (f, NULL, &error);
  g_assert_no_error (error);
  assert_tcp_connection (connection);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_proxy_address (connection, "socks5", "none", ECHO_HOST, echo_port (f),
                        proxy, dial_test_socks_server_get_port (f->socks), "alice", "s3cret");
  assert_echo (connection);

  /* Greeting: NONE and USERNAME/PASSWORD; then RFC 1929. */
  record = dial_test_socks_server_get_record (f->socks, 0);
  g_assert_cmpuint (record->n_methods, ==, 2);
  g_assert_cmpuint (record->methods[0], ==, 0);
  g_assert_cmpuint (record->methods[1], ==, 2);
  g_assert_cmpstr (record->username, ==, "alice");
  g_assert_cmpstr (record->password, ==, "s3cret");
  g_assert_cmpstr (record->host, ==, ECHO_HOST);
}

static void
test_socks5_auth_wrong (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  dial_test_socks_server_set_credentials (f->socks, "alice", "s3cret");
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", "alice:guess");
  use_proxy (f, proxy);

  check_negotiation_fails (f, G_IO_ERROR, G_IO_ERROR_PROXY_AUTH_FAILED,
                           "SOCKSv5 authentication failed due to wrong username or password.");
}

static void
test_socks5_auth_required (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(DialTestSocksRecord) record = NULL;
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  dial_test_socks_server_set_credentials (f->socks, "alice", "s3cret");
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);
  use_proxy (f, proxy);

  check_negotiation_fails (f, G_IO_ERROR, G_IO_ERROR_PROXY_NEED_AUTH,
                           "The SOCKSv5 proxy requires authentication.");

  record = dial_test_socks_server_get_record (f->socks, 0);
  g_assert_cmpuint (record->n_methods, ==, 1);
  g_assert_cmpuint (record->methods[0], ==, 0);
}

/* Credentials offered, but the proxy picks NONE: no sub-negotiation, and
 * the connect succeeds (§11.6). */
static void
test_socks5_auth_not_needed (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestSocksRecord) record = NULL;
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", "alice:s3cret");
  use_proxy (f, proxy);

  connection = connect_to_echo (f, NULL, &error);
  g_assert_no_error (error);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_echo (connection);

  record = dial_test_socks_server_get_record (f->socks, 0);
  g_assert_cmpuint (record->n_methods, ==, 2);
  g_assert_null (record->username);
  g_assert_cmpstr (record->host, ==, ECHO_HOST);
}

/* The proxy picks a method GLib does not speak (GSSAPI). */
static void
test_socks5_method_gssapi (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  dial_test_socks_server_set_method (f->socks, 1);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);
  use_proxy (f, proxy);

  check_negotiation_fails (f, G_IO_ERROR, G_IO_ERROR_PROXY_AUTH_FAILED,
                           "The SOCKSv5 proxy requires an authentication method that is not supported by GLib.");
}

/* The proxy demands USERNAME/PASSWORD although only NONE was offered. */
static void
test_socks5_method_uninvited (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  dial_test_socks_server_set_method (f->socks, 2);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);
  use_proxy (f, proxy);

  check_negotiation_fails (f, G_IO_ERROR, G_IO_ERROR_PROXY_NEED_AUTH,
                           "The SOCKSv5 proxy requires authentication.");
}

/* A username over 255 bytes fails with GIO's error.  GIO sends the
 * greeting first and fails once the proxy has picked USERNAME/PASSWORD
 * (§11.6); libdial checks every limit before the first byte, so the proxy
 * sees none. */
static void
test_socks5_username_too_long (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(DialTestSocksRecord) record = NULL;
  g_autofree char *user = g_strnfill (300, 'u');
  g_autofree char *userinfo = g_strconcat (user, ":pw", NULL);
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  dial_test_socks_server_set_credentials (f->socks, "alice", "s3cret");
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", userinfo);
  use_proxy (f, proxy);

  check_negotiation_fails (f, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                           "Username or password is too long for SOCKSv5 protocol.");

  record = socks_record_when_closed (f);
  g_assert_cmpuint (record->n_bytes, ==, 0);
  g_assert_cmpuint (record->n_methods, ==, 0);
  g_assert_null (record->username);
}

/* A destination name over 255 bytes fails with GIO's error and is never
 * resolved.  GIO fails after method negotiation (§11.6); libdial before
 * the first byte. */
static void
test_socks5_hostname_too_long (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestSocksRecord) record = NULL;
  g_autofree char *label = g_strnfill (60, 'h');
  g_autofree char *host = g_strjoin (".", label, label, label, label, label, "test", NULL);
  g_autofree char *message = g_strdup_printf ("Hostname “%s” is too long for SOCKSv5 protocol", host);
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);
  use_proxy (f, proxy);

  connectable = g_network_address_new (host, echo_port (f));
  connection = connect_to (f, connectable, NULL, &error);
  g_assert_null (connection);
  assert_error (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED, message);
  dial_test_events_assert (f->events, "R Rd C Cd PN X");
  g_assert_cmpuint (dial_test_mock_resolver_get_lookups (mock_resolver, host), ==, 0);

  record = socks_record_when_closed (f);
  g_assert_cmpuint (record->n_bytes, ==, 0);
  g_assert_null (record->host);
}

static void
test_socks5_refused (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_REPLY);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);
  use_proxy (f, proxy);

  /* Unprefixed: only TCP connect errors get "Could not connect". */
  check_negotiation_fails (f, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                           "Connection refused through SOCKSv5 proxy.");
}

/* Each SOCKS5 reply code maps to GIO's code and text (§10.1). */
static void
test_socks5_reply_codes (Fixture       *f,
                         gconstpointer  data)
{
  static const struct {
    guint8      reply;
    gint        code;
    const char *message;
  } rows[] = {
    { 1, G_IO_ERROR_PROXY_FAILED, "Internal SOCKSv5 proxy server error." },
    { 2, G_IO_ERROR_PROXY_NOT_ALLOWED, "SOCKSv5 connection not allowed by ruleset." },
    { 3, G_IO_ERROR_NETWORK_UNREACHABLE, "Network unreachable through SOCKSv5 proxy." },
    { 4, G_IO_ERROR_HOST_UNREACHABLE, "Host unreachable through SOCKSv5 server." },
    { 5, G_IO_ERROR_CONNECTION_REFUSED, "Connection refused through SOCKSv5 proxy." },
    { 6, G_IO_ERROR_HOST_UNREACHABLE, "Host unreachable through SOCKSv5 server." },
    { 7, G_IO_ERROR_PROXY_FAILED, "SOCKSv5 proxy does not support “connect” command." },
    { 8, G_IO_ERROR_PROXY_FAILED, "SOCKSv5 proxy does not support provided address type." },
    { 9, G_IO_ERROR_PROXY_FAILED, "Unknown SOCKSv5 proxy error." },
  };
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_REPLY);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);
  use_proxy (f, proxy);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_test_message ("SOCKS5 reply %u", rows[i].reply);
      dial_test_socks_server_set_reply_code (f->socks, rows[i].reply);
      check_negotiation_fails (f, G_IO_ERROR, rows[i].code, rows[i].message);
    }
}

static void
test_socks5_unknown_address_type (Fixture       *f,
                                  gconstpointer  data)
{
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_UNKNOWN_ADDRESS_TYPE);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);
  use_proxy (f, proxy);

  check_negotiation_fails (f, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                           "The SOCKSv5 proxy server uses unknown address type.");
}

/* A success reply whose bound address is a domain name is accepted. */
static void
test_socks5_domain_bound (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_RELAY_DOMAIN_BOUND);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);
  use_proxy (f, proxy);

  connection = connect_to_echo (f, NULL, &error);
  g_assert_no_error (error);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_echo (connection);
}

static void
test_socks5_garbage (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_GARBAGE);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);
  use_proxy (f, proxy);

  check_negotiation_fails (f, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                           "The server is not a SOCKSv5 proxy server.");
}

/* A premature EOF is CONNECTION_CLOSED in both drivers, with GIO's async
 * text.  GIO's sync path parses the missing bytes as if they had arrived
 * (§10), and 2.74 even succeeds on a short CONNECT reply, with a dead
 * stream: libdial does not copy that. */
static void
check_socks5_eof (Fixture                *f,
                  DialTestSocksBehaviour  behaviour)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *proxy = NULL;

  start_socks (f, behaviour);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);
  use_proxy (f, proxy);

  connection = connect_to_echo (f, NULL, &error);
  g_assert_null (connection);
  assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                "Connection to SOCKSv5 proxy server lost");
  dial_test_events_assert (f->events, "R Rd C Cd PN X");
}

static void
test_socks5_eof_after_greeting (Fixture       *f,
                                gconstpointer  data)
{
  check_socks5_eof (f, DIAL_TEST_SOCKS_CLOSE_AFTER_GREETING);
}

static void
test_socks5_short_method_reply (Fixture       *f,
                                gconstpointer  data)
{
  check_socks5_eof (f, DIAL_TEST_SOCKS_SHORT_METHOD_REPLY);
}

static void
test_socks5_short_connect_reply (Fixture       *f,
                                 gconstpointer  data)
{
  check_socks5_eof (f, DIAL_TEST_SOCKS_SHORT_CONNECT_REPLY);
}

/* The socket timeout bounds each proxy read, unprefixed (§5.1). */
static void
test_socks5_timeout (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_SILENT);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);
  use_proxy (f, proxy);
  dial_socket_client_set_timeout (f->client, 1);

  check_negotiation_fails (f, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Socket I/O timed out");
}

/* The silent server cancels once the greeting is in: the client is then
 * waiting for the method reply, and only the cancel can end the wait. */
static void
test_socks5_cancel (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_SILENT);
  dial_test_socks_server_cancel_on_greeting (f->socks, cancellable);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);
  use_proxy (f, proxy);

  connection = connect_to_echo (f, cancellable, &error);
  g_assert_null (connection);
  assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
  dial_test_events_assert (f->events, "R Rd C Cd PN X");
}

static void
test_socks5_port_closed (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestServer) refusing = NULL;
  g_autofree char *proxy = NULL;

  refusing = dial_test_server_new_refusing (G_SOCKET_FAMILY_IPV4, &error);
  g_assert_no_error (error);
  proxy = g_strdup_printf ("socks5://%s", dial_test_server_get_host_and_port (refusing));
  use_proxy (f, proxy);

  connection = connect_to_echo (f, NULL, &error);
  g_assert_null (connection);
  assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                "Could not connect to proxy server 127.0.0.1: Connection refused");
  dial_test_events_assert (f->events, "R Rd C X");
}

/* A proxy-stage failure moves on to the next proxy address. */
static void
test_socks5_fallback (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestSocksServer) refusing = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  refusing = dial_test_socks_server_new ();
  dial_test_socks_server_set_behaviour (refusing, DIAL_TEST_SOCKS_REPLY);
  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  first = dial_test_socks_server_get_uri (refusing, "socks5", NULL);
  second = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);

  f->resolver = dial_test_proxy_resolver_new ((const char * const[]) { first, second, NULL });
  dial_socket_client_set_proxy_resolver (f->client, G_PROXY_RESOLVER (f->resolver));

  connection = connect_to_echo (f, NULL, &error);
  g_assert_no_error (error);
  dial_test_events_assert (f->events, "R Rd C Cd PN C Cd PN PNd X");
  assert_proxy_address (connection, "socks5", "none", ECHO_HOST, echo_port (f),
                        second, dial_test_socks_server_get_port (f->socks), NULL, NULL);
  assert_echo (connection);
  g_assert_cmpuint (dial_test_socks_server_get_accepted (refusing), ==, 1);
}

/* connect_to_host: destination-protocol "none" (§11.6). */
static void
test_socks5_to_host (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *proxy = NULL;
  g_autofree char *host_and_port = g_strdup_printf (ECHO_HOST ":%u", echo_port (f));
  g_autofree char *lookup_uri = echo_uri (f, "none");

  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);
  use_proxy (f, proxy);

  connection = connect_entry (f, ENTRY_HOST, host_and_port, NULL, &error);
  g_assert_no_error (error);
  assert_tcp_connection (connection);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_proxy_address (connection, "socks5", "none", ECHO_HOST, echo_port (f),
                        proxy, dial_test_socks_server_get_port (f->socks), NULL, NULL);
  assert_lookups (f, 1, lookup_uri);
  assert_echo (connection);
}

/* connect_to_uri: the URI scheme is the lookup scheme and the
 * destination-protocol (§4.1, §11.6). */
static void
test_socks5_to_uri (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *proxy = NULL;
  g_autofree char *uri = g_strdup_printf ("myproto://" ECHO_HOST ":%u/some/path?q#f", echo_port (f));
  g_autofree char *lookup_uri = echo_uri (f, "myproto");

  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);
  use_proxy (f, proxy);

  connection = connect_entry (f, ENTRY_URI, uri, NULL, &error);
  g_assert_no_error (error);
  assert_tcp_connection (connection);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_proxy_address (connection, "socks5", "myproto", ECHO_HOST, echo_port (f),
                        proxy, dial_test_socks_server_get_port (f->socks), NULL, NULL);
  assert_lookups (f, 1, lookup_uri);
  assert_echo (connection);
}

/* SOCKS4a and SOCKS4 ------------------------------------------------------ */

static void
test_socks4a_ok (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestSocksRecord) record = NULL;
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks4a", "bob");
  use_proxy (f, proxy);

  connection = connect_to_echo (f, NULL, &error);
  g_assert_no_error (error);
  assert_tcp_connection (connection);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_proxy_address (connection, "socks4a", "none", ECHO_HOST, echo_port (f),
                        proxy, dial_test_socks_server_get_port (f->socks), "bob", NULL);
  assert_echo (connection);

  /* The user id is the proxy URI's user; the name goes unresolved. */
  g_assert_cmpuint (dial_test_mock_resolver_get_lookups (mock_resolver, ECHO_HOST), ==, 0);
  record = dial_test_socks_server_get_record (f->socks, 0);
  g_assert_cmpuint (record->version, ==, 4);
  g_assert_cmpuint (record->command, ==, 1);
  g_assert_cmpuint (record->address_type, ==, 3);
  g_assert_cmpstr (record->host, ==, ECHO_HOST);
  g_assert_cmpuint (record->port, ==, echo_port (f));
  g_assert_cmpstr (record->user_id, ==, "bob");
}

/* SOCKS4 has no IPv6: the client fails before a byte reaches the proxy. */
static void
test_socks4a_ipv6_destination (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestSocksRecord) record = NULL;
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks4a", NULL);
  use_proxy (f, proxy);

  connectable = g_network_address_new ("::1", echo_port (f));
  connection = connect_to (f, connectable, NULL, &error);
  g_assert_null (connection);
  assert_error (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                "SOCKSv4 does not support IPv6 address “::1”");
  dial_test_events_assert (f->events, "R Rd C Cd PN X");

  record = socks_record_when_closed (f);
  g_assert_cmpuint (record->n_bytes, ==, 0);
}

static void
test_socks4a_rejected (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_REPLY);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks4a", NULL);
  use_proxy (f, proxy);

  check_negotiation_fails (f, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                           "Connection through SOCKSv4 server was rejected");
}

static void
test_socks4a_garbage (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_GARBAGE);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks4a", NULL);
  use_proxy (f, proxy);

  check_negotiation_fails (f, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED,
                           "The server is not a SOCKSv4 proxy server.");
}

/* SOCKS4 cannot carry a name: the enumerator resolves the destination
 * locally (with the default resolver, the mock) and the proxy gets an IP;
 * the GProxyAddress's destination-hostname is that IP (§4.2.4). */
static void
test_socks4_ok (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestSocksRecord) record = NULL;
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks4", NULL);
  use_proxy (f, proxy);

  connection = connect_to_echo (f, NULL, &error);
  g_assert_no_error (error);
  assert_tcp_connection (connection);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_proxy_address (connection, "socks4", "none", "127.0.0.1", echo_port (f),
                        proxy, dial_test_socks_server_get_port (f->socks), NULL, NULL);
  assert_echo (connection);

  g_assert_cmpuint (dial_test_mock_resolver_get_lookups (mock_resolver, ECHO_HOST), >=, 1);
  record = dial_test_socks_server_get_record (f->socks, 0);
  g_assert_cmpuint (record->version, ==, 4);
  g_assert_cmpuint (record->address_type, ==, 1);
  g_assert_cmpstr (record->host, ==, "127.0.0.1");
  g_assert_cmpuint (record->port, ==, echo_port (f));
  g_assert_cmpstr (record->user_id, ==, "");
}

/* socks:// ---------------------------------------------------------------- */

/* GSimpleProxyResolver expands socks:// to socks5, socks4a and socks4, in
 * that order: three CONNECTING events, and the last error (§4.2.5). */
static void
test_socks_expansion_refused (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestServer) refusing = NULL;
  g_autoptr(GProxyResolver) simple = NULL;
  g_autofree char *proxy = NULL;

  refusing = dial_test_server_new_refusing (G_SOCKET_FAMILY_IPV4, &error);
  g_assert_no_error (error);
  proxy = g_strdup_printf ("socks://%s", dial_test_server_get_host_and_port (refusing));
  simple = g_simple_proxy_resolver_new (proxy, NULL);
  dial_socket_client_set_proxy_resolver (f->client, simple);

  connection = connect_to_echo (f, NULL, &error);
  g_assert_null (connection);
  assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                "Could not connect to proxy server 127.0.0.1: Connection refused");
  dial_test_events_assert (f->events, "R Rd C C C X");
}

/* HTTP CONNECT ------------------------------------------------------------ */

static void
test_http_ok (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestHttpProxyRecord) record = NULL;
  g_autofree char *proxy = NULL;
  g_autofree char *request_line = NULL;
  g_autofree char *host = NULL;
  g_autofree char *user_agent = NULL;

  start_http (f, DIAL_TEST_HTTP_PROXY_RELAY, 200);
  proxy = dial_test_http_proxy_get_uri (f->http, NULL);
  use_proxy (f, proxy);

  connection = connect_to_echo (f, NULL, &error);
  g_assert_no_error (error);
  assert_tcp_connection (connection);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_proxy_address (connection, "http", "none", ECHO_HOST, echo_port (f),
                        proxy, dial_test_http_proxy_get_port (f->http), NULL, NULL);
  assert_echo (connection);

  /* The request, exactly.  libdial differs from GIO (§10.1, §11.6) on
   * purpose: HTTP/1.1 rather than 1.0, so no Proxy-Connection, and its
   * own User-Agent. */
  request_line = g_strdup_printf ("CONNECT " ECHO_HOST ":%u HTTP/1.1", echo_port (f));
  host = g_strdup_printf ("Host: " ECHO_HOST ":%u", echo_port (f));
  user_agent = g_strdup ("User-Agent: libdial/" DIAL_VERSION_S);
  record = dial_test_http_proxy_get_record (f->http, 0);
  g_assert_cmpstr (record->request_line, ==, request_line);
  g_assert_cmpuint (g_strv_length (record->headers), ==, 2);
  g_assert_cmpstr (record->headers[0], ==, host);
  g_assert_cmpstr (record->headers[1], ==, user_agent);
}

/* An IPv6 destination goes bracketed into the request line and the Host
 * header (RFC 9110 §9.3.6); GIO leaves the brackets out (§11.6).  The
 * proxy answers a bare 200: no need to relay. */
static void
test_http_ipv6_destination (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestHttpProxyRecord) record = NULL;
  g_autofree char *proxy = NULL;
  g_autofree char *request_line = g_strdup_printf ("CONNECT [::1]:%u HTTP/1.1", echo_port (f));
  g_autofree char *host = g_strdup_printf ("[::1]:%u", echo_port (f));

  start_http (f, DIAL_TEST_HTTP_PROXY_STATUS_LINE_ONLY, 0);
  proxy = dial_test_http_proxy_get_uri (f->http, NULL);
  use_proxy (f, proxy);

  connectable = g_network_address_new ("::1", echo_port (f));
  connection = connect_to (f, connectable, NULL, &error);
  g_assert_no_error (error);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_proxy_address (connection, "http", "none", "::1", echo_port (f),
                        proxy, dial_test_http_proxy_get_port (f->http), NULL, NULL);

  record = dial_test_http_proxy_get_record (f->http, 0);
  g_assert_cmpstr (record->request_line, ==, request_line);
  g_assert_cmpstr (dial_test_http_proxy_record_get_header (record, "Host"), ==, host);
}

static void
test_http_credentials (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestHttpProxyRecord) record = NULL;
  g_autofree char *proxy = NULL;
  g_autofree char *basic = g_base64_encode ((const guchar *) "alice:s3cret", strlen ("alice:s3cret"));
  g_autofree char *authorization = g_strdup_printf ("Basic %s", basic);

  start_http (f, DIAL_TEST_HTTP_PROXY_RELAY, 200);
  proxy = dial_test_http_proxy_get_uri (f->http, "alice:s3cret");
  use_proxy (f, proxy);

  connection = connect_to_echo (f, NULL, &error);
  g_assert_no_error (error);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_proxy_address (connection, "http", "none", ECHO_HOST, echo_port (f),
                        proxy, dial_test_http_proxy_get_port (f->http), "alice", "s3cret");
  assert_echo (connection);

  record = dial_test_http_proxy_get_record (f->http, 0);
  g_assert_cmpuint (g_strv_length (record->headers), ==, 3);
  g_assert_true (g_str_has_prefix (record->headers[2], "Proxy-Authorization:"));
  g_assert_cmpstr (dial_test_http_proxy_record_get_header (record, "Proxy-Authorization"), ==, authorization);
}

static void
check_http_fails (Fixture                    *f,
                  DialTestHttpProxyBehaviour  behaviour,
                  guint                       status,
                  const char                 *userinfo,
                  gint                        code,
                  const char                 *message)
{
  g_autofree char *proxy = NULL;

  start_http (f, behaviour, status);
  proxy = dial_test_http_proxy_get_uri (f->http, userinfo);
  use_proxy (f, proxy);

  check_negotiation_fails (f, G_IO_ERROR, code, message);
}

static void
test_http_forbidden (Fixture       *f,
                     gconstpointer  data)
{
  check_http_fails (f, DIAL_TEST_HTTP_PROXY_STATUS, 403, NULL,
                    G_IO_ERROR_PROXY_NOT_ALLOWED, "HTTP proxy connection not allowed");
}

static void
test_http_auth_required (Fixture       *f,
                         gconstpointer  data)
{
  check_http_fails (f, DIAL_TEST_HTTP_PROXY_STATUS, 407, NULL,
                    G_IO_ERROR_PROXY_NEED_AUTH, "HTTP proxy authentication required");
}

static void
test_http_auth_failed (Fixture       *f,
                       gconstpointer  data)
{
  check_http_fails (f, DIAL_TEST_HTTP_PROXY_STATUS, 407, "alice:guess",
                    G_IO_ERROR_PROXY_AUTH_FAILED, "HTTP proxy authentication failed");
}

static void
test_http_bad_gateway (Fixture       *f,
                       gconstpointer  data)
{
  check_http_fails (f, DIAL_TEST_HTTP_PROXY_STATUS, 502, NULL,
                    G_IO_ERROR_PROXY_FAILED, "HTTP proxy connection failed: 502");
}

static void
test_http_garbage (Fixture       *f,
                   gconstpointer  data)
{
  check_http_fails (f, DIAL_TEST_HTTP_PROXY_GARBAGE, 0, NULL,
                    G_IO_ERROR_PROXY_FAILED, "Bad HTTP proxy reply");
}

static void
test_http_closed (Fixture       *f,
                  gconstpointer  data)
{
  check_http_fails (f, DIAL_TEST_HTTP_PROXY_CLOSE, 0, NULL,
                    G_IO_ERROR_PROXY_FAILED, "HTTP proxy server closed connection unexpectedly.");
}

/* A bare 200 status line and then EOF is a success (§10.1). */
static void
test_http_status_line_only (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *proxy = NULL;

  start_http (f, DIAL_TEST_HTTP_PROXY_STATUS_LINE_ONLY, 0);
  proxy = dial_test_http_proxy_get_uri (f->http, NULL);
  use_proxy (f, proxy);

  connection = connect_to_echo (f, NULL, &error);
  g_assert_no_error (error);
  assert_tcp_connection (connection);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
}

static void
test_http_timeout (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *proxy = NULL;

  start_http (f, DIAL_TEST_HTTP_PROXY_SILENT, 0);
  proxy = dial_test_http_proxy_get_uri (f->http, NULL);
  use_proxy (f, proxy);
  dial_socket_client_set_timeout (f->client, 1);

  check_negotiation_fails (f, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Socket I/O timed out");
}

/* Schemes without a GProxy, application proxies -------------------------- */

static void
test_unknown_scheme (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestSocksRecord) record = NULL;
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  proxy = dial_test_socks_server_get_uri (f->socks, "foo", NULL);
  use_proxy (f, proxy);

  connection = connect_to_echo (f, NULL, &error);
  g_assert_null (connection);
  assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                "Proxy protocol “foo” is not supported.");
  dial_test_events_assert (f->events, "R Rd C Cd X");

  /* Connected, then dropped without a byte. */
  record = socks_record_when_closed (f);
  g_assert_cmpuint (record->n_bytes, ==, 0);
}

/* An application proxy gets the raw TCP connection to the proxy: no
 * PROXY_* events, no TLS even when asked, not a byte sent (§4.2.6). */
static void
check_application_proxy (Fixture  *f,
                         gboolean  tls)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestSocksRecord) record = NULL;
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);
  use_proxy (f, proxy);
  dial_socket_client_add_application_proxy (f->client, "socks5");
  dial_socket_client_set_tls (f->client, tls);

  connection = connect_to_echo (f, NULL, &error);
  g_assert_no_error (error);
  assert_tcp_connection (connection);
  dial_test_events_assert (f->events, "R Rd C Cd X");
  assert_proxy_address (connection, "socks5", "none", ECHO_HOST, echo_port (f),
                        proxy, dial_test_socks_server_get_port (f->socks), NULL, NULL);
  g_assert_true (dial_test_events_find_last (f->events, G_SOCKET_CLIENT_COMPLETE)->connection ==
                 G_IO_STREAM (connection));

  g_io_stream_close (G_IO_STREAM (connection), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (dial_test_socks_server_wait_finished (f->socks, 1));
  record = dial_test_socks_server_get_record (f->socks, 0);
  g_assert_cmpuint (record->n_bytes, ==, 0);
  g_assert_cmpuint (record->version, ==, 0);
}

static void
test_application_plain (Fixture       *f,
                        gconstpointer  data)
{
  check_application_proxy (f, FALSE);
}

static void
test_application_tls (Fixture       *f,
                      gconstpointer  data)
{
  check_application_proxy (f, TRUE);
}

/* When proxies are not used ----------------------------------------------- */

/* enable-proxy FALSE: the resolver is never asked. */
static void
test_disabled (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;

  use_proxy (f, "socks5://127.0.0.1:1");
  dial_socket_client_set_enable_proxy (f->client, FALSE);

  connection = connect_to_echo (f, NULL, &error);
  g_assert_no_error (error);
  assert_tcp_connection (connection);
  dial_test_events_assert (f->events, "R Rd C Cd X");
  assert_direct_address (connection, echo_port (f));
  assert_echo (connection);
  g_assert_cmpuint (dial_test_proxy_resolver_get_lookups (f->resolver), ==, 0);
}

/* Proxies are for STREAM sockets only (§4.2.1). */
static void
test_datagram (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;

  use_proxy (f, "socks5://127.0.0.1:1");
  dial_socket_client_set_socket_type (f->client, G_SOCKET_TYPE_DATAGRAM);

  connectable = g_network_address_new ("127.0.0.1", echo_port (f));
  connection = connect_to (f, connectable, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (G_OBJECT_TYPE (connection) == G_TYPE_SOCKET_CONNECTION);
  dial_test_events_assert (f->events, "R Rd C Cd X");
  assert_direct_address (connection, echo_port (f));
  g_assert_cmpuint (dial_test_proxy_resolver_get_lookups (f->resolver), ==, 0);
}

/* connect_to_service ignores the client's resolver: GNetworkService's
 * enumerator asks the default one, GIO's dummy here (§2.1). */
static void
test_service_ignores_resolver (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;

  dial_test_mock_resolver_add_srv_target (mock_resolver, "echo", "tcp", "svc.test",
                                          ECHO_HOST, echo_port (f), 0, 0);
  use_proxy (f, "socks5://127.0.0.1:1");

  connection = connect_entry (f, ENTRY_SERVICE, "svc.test", "echo", &error);
  g_assert_no_error (error);
  assert_tcp_connection (connection);
  dial_test_events_assert (f->events, "R Rd C Cd X");
  assert_direct_address (connection, echo_port (f));
  assert_echo (connection);
  g_assert_cmpuint (dial_test_proxy_resolver_get_lookups (f->resolver), ==, 0);
}

/* Registration ------------------------------------------------------------ */

typedef void (*TestFunc) (Fixture *f, gconstpointer data);

static void
add_both (const char *group,
          const char *name,
          TestFunc    func)
{
  static const char * const mode_names[] = { "sync", "async" };

  for (Mode mode = MODE_SYNC; mode <= MODE_ASYNC; mode++)
    {
      g_autofree char *path = g_strdup_printf ("/proxy/%s/%s/%s", group, mode_names[mode], name);

      g_test_add_vtable (path, sizeof (Fixture), GINT_TO_POINTER (mode),
                         (GTestFixtureFunc) fixture_setup,
                         (GTestFixtureFunc) func,
                         (GTestFixtureFunc) fixture_teardown);
    }
}

static void
warm_up_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_task_return_boolean (task, TRUE);
}

/* Loads what GIO loads once per process (modules, extension points, the
 * default proxy resolver), so that the first test's descriptor count does
 * not see it. */
static void
warm_up (void)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  GProxy *proxy;

  /* GTask's thread pool lives on GLib's worker context, whose wakeup
   * descriptor is created on first use. */
  g_task_run_in_thread_sync (task, warm_up_thread);

  proxy = g_proxy_get_default_for_protocol ("socks5");
  g_clear_object (&proxy);
  g_assert_nonnull (g_proxy_resolver_get_default ());
  g_main_context_default ();
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* Never the machine's proxy settings; meson sets this too. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  g_test_init (&argc, &argv, NULL);

  mock_resolver = dial_test_mock_resolver_new ();
  dial_test_mock_resolver_install (mock_resolver);
  warm_up ();

  add_both ("socks5", "ok", test_socks5_ok);
  add_both ("socks5", "ip-literal", test_socks5_ip_literal);
  add_both ("socks5", "auth", test_socks5_auth);
  add_both ("socks5", "auth-wrong", test_socks5_auth_wrong);
  add_both ("socks5", "auth-required", test_socks5_auth_required);
  add_both ("socks5", "auth-not-needed", test_socks5_auth_not_needed);
  add_both ("socks5", "method-gssapi", test_socks5_method_gssapi);
  add_both ("socks5", "method-uninvited", test_socks5_method_uninvited);
  add_both ("socks5", "username-too-long", test_socks5_username_too_long);
  add_both ("socks5", "hostname-too-long", test_socks5_hostname_too_long);
  add_both ("socks5", "refused", test_socks5_refused);
  add_both ("socks5", "reply-codes", test_socks5_reply_codes);
  add_both ("socks5", "unknown-address-type", test_socks5_unknown_address_type);
  add_both ("socks5", "domain-bound", test_socks5_domain_bound);
  add_both ("socks5", "garbage", test_socks5_garbage);
  add_both ("socks5", "eof-after-greeting", test_socks5_eof_after_greeting);
  add_both ("socks5", "short-method-reply", test_socks5_short_method_reply);
  add_both ("socks5", "short-connect-reply", test_socks5_short_connect_reply);
  add_both ("socks5", "timeout", test_socks5_timeout);
  add_both ("socks5", "cancel", test_socks5_cancel);
  add_both ("socks5", "port-closed", test_socks5_port_closed);
  add_both ("socks5", "fallback", test_socks5_fallback);
  add_both ("socks5", "to-host", test_socks5_to_host);
  add_both ("socks5", "to-uri", test_socks5_to_uri);
  add_both ("socks4a", "ok", test_socks4a_ok);
  add_both ("socks4a", "ipv6-destination", test_socks4a_ipv6_destination);
  add_both ("socks4a", "rejected", test_socks4a_rejected);
  add_both ("socks4a", "garbage", test_socks4a_garbage);
  add_both ("socks4", "ok", test_socks4_ok);
  add_both ("socks", "expansion-refused", test_socks_expansion_refused);
  add_both ("http", "ok", test_http_ok);
  add_both ("http", "ipv6-destination", test_http_ipv6_destination);
  add_both ("http", "credentials", test_http_credentials);
  add_both ("http", "forbidden", test_http_forbidden);
  add_both ("http", "auth-required", test_http_auth_required);
  add_both ("http", "auth-failed", test_http_auth_failed);
  add_both ("http", "bad-gateway", test_http_bad_gateway);
  add_both ("http", "garbage", test_http_garbage);
  add_both ("http", "closed", test_http_closed);
  add_both ("http", "status-line-only", test_http_status_line_only);
  add_both ("http", "timeout", test_http_timeout);
  add_both ("unknown-scheme", "foo", test_unknown_scheme);
  add_both ("application", "plain", test_application_plain);
  add_both ("application", "tls", test_application_tls);
  add_both ("direct", "enable-proxy-false", test_disabled);
  add_both ("direct", "datagram", test_datagram);
  add_both ("direct", "service-ignores-resolver", test_service_ignores_resolver);

  ret = g_test_run ();

  g_clear_object (&mock_resolver);

  return ret;
}
