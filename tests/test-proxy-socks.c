/* test-proxy-socks.c: libdial's own SOCKS proxies through
 * DialSocketClient, in both drivers, beyond what GIO does (test-proxy.c
 * holds the GIO conformance cases).
 *
 * Against the in-process SOCKS server and an echo server on 127.0.0.1:
 * socks5h, tunnel data in the same write as the proxy's last reply,
 * replies that trickle in a byte at a time, percent-encoded credentials,
 * IPv6 destinations, SOCKS4a's EOF, time-out and cancel, limits checked
 * before any byte, and socks:// expanded down to SOCKS4.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <dial/dial.h>

#include "dial-test-events.h"
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
  DialTestProxyResolver *resolver;
  GProxyResolver        *simple;
} Fixture;

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

/* Back to the descriptors of the start, once the main context is
 * drained and the proxy threads are done (bounded). */
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

  g_assert_cmpuint (now, ==, expected);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->events, dial_test_events_free);
  g_clear_object (&f->client);
  g_clear_object (&f->resolver);
  g_clear_object (&f->simple);
  g_clear_pointer (&f->socks, dial_test_socks_server_free);
  g_clear_pointer (&f->echo, dial_test_server_free);

  assert_fds_back_to (f->fds_at_start);
}

static guint16
echo_port (Fixture *f)
{
  return dial_test_server_get_port (f->echo);
}

static void
start_socks (Fixture                *f,
             DialTestSocksBehaviour  behaviour)
{
  f->socks = dial_test_socks_server_new ();
  dial_test_socks_server_set_behaviour (f->socks, behaviour);
}

/* Starts the SOCKS server and makes the client's resolver answer
 * @scheme://[@userinfo@]127.0.0.1:PORT for it; returns that URI. */
static char *
use_socks (Fixture                *f,
           DialTestSocksBehaviour  behaviour,
           const char             *scheme,
           const char             *userinfo)
{
  char *uri;

  start_socks (f, behaviour);
  uri = dial_test_socks_server_get_uri (f->socks, scheme, userinfo);
  f->resolver = dial_test_proxy_resolver_new_single (uri);
  dial_socket_client_set_proxy_resolver (f->client, G_PROXY_RESOLVER (f->resolver));

  return uri;
}

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
connect_to_host (Fixture       *f,
                 const char    *host,
                 guint16        port,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GSocketConnectable) connectable = g_network_address_new (host, port);

  return connect_to (f, connectable, cancellable, error);
}

static GSocketConnection *
connect_to_echo (Fixture       *f,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return connect_to_host (f, ECHO_HOST, echo_port (f), cancellable, error);
}

/* Waits until the SOCKS server is done with its first connection. */
static DialTestSocksRecord *
socks_record_when_closed (Fixture *f)
{
  dial_test_events_clear (f->events);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (dial_test_socks_server_wait_finished (f->socks, 1));

  return dial_test_socks_server_get_record (f->socks, 0);
}

/* Assertions -------------------------------------------------------------- */

static void
assert_error (const GError *error,
              gint          code,
              const char   *message)
{
  g_assert_error (error, G_IO_ERROR, code);
  g_assert_cmpstr (error->message, ==, message);
}

static void
assert_protocol (GSocketConnection *connection,
                 const char        *protocol)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, &error);

  g_assert_no_error (error);
  g_assert_true (G_IS_PROXY_ADDRESS (remote));
  g_assert_cmpstr (g_proxy_address_get_protocol (G_PROXY_ADDRESS (remote)), ==, protocol);
}

static void
read_exactly (GSocketConnection *connection,
              const char        *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *buffer = g_malloc0 (strlen (expected) + 1);
  gsize n = 0;

  g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                           buffer, strlen (expected), &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (buffer, ==, expected);
}

/* Data goes through the tunnel to the echo server and back. */
static void
assert_echo (GSocketConnection *connection)
{
  static const char message[] = "through the tunnel and back\n";
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             message, strlen (message), NULL, NULL, &error);
  g_assert_no_error (error);
  read_exactly (connection, message);
}

static void
check_fails (Fixture    *f,
             gint        code,
             const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;

  connection = connect_to_echo (f, NULL, &error);
  g_assert_null (connection);
  assert_error (error, code, message);
  dial_test_events_assert (f->events, "R Rd C Cd PN X");
}

/* socks5h ------------------------------------------------------------------ */

/* GIO has no socks5h ("Proxy protocol “socks5h” is not supported."); ours
 * sends the name, unresolved. */
static void
test_socks5h_name (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestSocksRecord) record = NULL;
  g_autofree char *proxy = use_socks (f, DIAL_TEST_SOCKS_RELAY, "socks5h", NULL);

  connection = connect_to_echo (f, NULL, &error);
  g_assert_no_error (error);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_protocol (connection, "socks5h");
  assert_echo (connection);

  g_assert_cmpuint (dial_test_mock_resolver_get_lookups (mock_resolver, ECHO_HOST), ==, 0);
  record = dial_test_socks_server_get_record (f->socks, 0);
  g_assert_cmpuint (record->version, ==, 5);
  g_assert_cmpuint (record->address_type, ==, 3);
  g_assert_cmpstr (record->host, ==, ECHO_HOST);
  g_assert_cmpuint (record->port, ==, echo_port (f));
}

/* Even an IP literal goes as a name through socks5h. */
static void
test_socks5h_ip_literal (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestSocksRecord) record = NULL;
  g_autofree char *proxy = use_socks (f, DIAL_TEST_SOCKS_RELAY, "socks5h", NULL);

  connection = connect_to_host (f, "127.0.0.1", echo_port (f), NULL, &error);
  g_assert_no_error (error);
  assert_echo (connection);

  record = dial_test_socks_server_get_record (f->socks, 0);
  g_assert_cmpuint (record->address_type, ==, 3);
  g_assert_cmpstr (record->host, ==, "127.0.0.1");
}

/* Credentials in the URI are percent-decoded before they are sent. */
static void
test_socks5h_encoded_credentials (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestSocksRecord) record = NULL;
  g_autofree char *proxy = use_socks (f, DIAL_TEST_SOCKS_RELAY, "socks5h", "al%40ice:s%3Ac%20ret");

  dial_test_socks_server_set_credentials (f->socks, "al@ice", "s:c ret");

  connection = connect_to_echo (f, NULL, &error);
  g_assert_no_error (error);
  assert_echo (connection);

  record = dial_test_socks_server_get_record (f->socks, 0);
  g_assert_cmpstr (record->username, ==, "al@ice");
  g_assert_cmpstr (record->password, ==, "s:c ret");
}

/* A wrong password: GIO's error, and neither credential in it. */
static void
test_socks5_auth_wrong (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *proxy = use_socks (f, DIAL_TEST_SOCKS_RELAY, "socks5", "zelda:hunter2");

  dial_test_socks_server_set_credentials (f->socks, "zelda", "s3cret");

  connection = connect_to_echo (f, NULL, &error);
  g_assert_null (connection);
  assert_error (error, G_IO_ERROR_PROXY_AUTH_FAILED,
                "SOCKSv5 authentication failed due to wrong username or password.");
  g_assert_null (strstr (error->message, "zelda"));
  g_assert_null (strstr (error->message, "hunter2"));
}

/* A name over 255 bytes fails before a byte reaches the proxy. */
static void
test_socks5h_hostname_too_long (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestSocksRecord) record = NULL;
  g_autofree char *label = g_strnfill (62, 'h');
  g_autofree char *host = g_strjoin (".", label, label, label, label, "test", NULL);
  g_autofree char *message = g_strdup_printf ("Hostname “%s” is too long for SOCKSv5 protocol", host);
  g_autofree char *proxy = use_socks (f, DIAL_TEST_SOCKS_RELAY, "socks5h", NULL);

  g_assert_cmpuint (strlen (host), ==, 256);
  connection = connect_to_host (f, host, echo_port (f), NULL, &error);
  g_assert_null (connection);
  assert_error (error, G_IO_ERROR_PROXY_FAILED, message);
  dial_test_events_assert (f->events, "R Rd C Cd PN X");

  record = socks_record_when_closed (f);
  g_assert_cmpuint (record->n_bytes, ==, 0);
}

/* Tunnel data in the proxy's last segment ---------------------------------- */

/* The proxy writes its grant and the far end's first bytes at once: the
 * client reads exactly the reply, and the banner is the connection's. */
static void
check_banner (Fixture    *f,
              const char *scheme)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *proxy = use_socks (f, DIAL_TEST_SOCKS_RELAY_WITH_BANNER, scheme, NULL);

  /* A lost banner then fails the read below instead of hanging it. */
  dial_socket_client_set_timeout (f->client, 5);

  connection = connect_to_echo (f, NULL, &error);
  g_assert_no_error (error);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_protocol (connection, scheme);
  read_exactly (connection, DIAL_TEST_SOCKS_BANNER);
  assert_echo (connection);
}

static void
test_socks5_banner (Fixture       *f,
                    gconstpointer  data)
{
  check_banner (f, "socks5");
}

static void
test_socks4a_banner (Fixture       *f,
                     gconstpointer  data)
{
  check_banner (f, "socks4a");
}

static void
test_socks4_banner (Fixture       *f,
                    gconstpointer  data)
{
  check_banner (f, "socks4");
}

/* Replies a byte at a time -------------------------------------------------- */

static void
check_trickle (Fixture    *f,
               const char *scheme,
               const char *userinfo)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *proxy = use_socks (f, DIAL_TEST_SOCKS_RELAY_TRICKLE, scheme, userinfo);

  if (userinfo != NULL)
    dial_test_socks_server_set_credentials (f->socks, "alice", "s3cret");

  connection = connect_to_echo (f, NULL, &error);
  g_assert_no_error (error);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_echo (connection);
}

static void
test_socks5_trickle (Fixture       *f,
                     gconstpointer  data)
{
  check_trickle (f, "socks5", "alice:s3cret");
}

static void
test_socks4a_trickle (Fixture       *f,
                      gconstpointer  data)
{
  check_trickle (f, "socks4a", NULL);
}

/* IPv6 destinations --------------------------------------------------------- */

/* SOCKS5 sends an IPv6 literal as 16 raw bytes (address type 4). */
static void
test_socks5_ipv6_destination (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DialTestServer) echo6 = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(DialTestSocksRecord) record = NULL;
  g_autofree char *proxy = NULL;

  if (!dial_test_ipv6_available ())
    {
      g_test_skip ("no IPv6 loopback");
      return;
    }

  echo6 = dial_test_server_new_accepting (G_SOCKET_FAMILY_IPV6, TRUE, &error);
  g_assert_no_error (error);
  proxy = use_socks (f, DIAL_TEST_SOCKS_RELAY, "socks5", NULL);

  connection = connect_to_host (f, "::1", dial_test_server_get_port (echo6), NULL, &error);
  g_assert_no_error (error);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_echo (connection);

  record = dial_test_socks_server_get_record (f->socks, 0);
  g_assert_cmpuint (record->address_type, ==, 4);
  g_assert_cmpstr (record->host, ==, "::1");
  g_assert_cmpuint (record->port, ==, dial_test_server_get_port (echo6));

  /* The relay to echo6 ends before echo6 goes. */
  g_clear_object (&connection);
  dial_test_socks_record_free (socks_record_when_closed (f));
}

/* SOCKS4a: EOF, time-out, cancel, limits ------------------------------------ */

/* GIO 2.74's async SOCKS4a loops forever on EOF (§10); ours reports the
 * lost connection, in both drivers. */
static void
test_socks4a_eof (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *proxy = use_socks (f, DIAL_TEST_SOCKS_CLOSE_AFTER_GREETING, "socks4a", NULL);

  check_fails (f, G_IO_ERROR_CONNECTION_CLOSED, "Connection to SOCKSv4 proxy server lost");
}

static void
test_socks4a_timeout (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *proxy = use_socks (f, DIAL_TEST_SOCKS_SILENT, "socks4a", NULL);

  dial_socket_client_set_timeout (f->client, 1);
  check_fails (f, G_IO_ERROR_TIMED_OUT, "Socket I/O timed out");
}

static void
test_socks4a_cancel (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *proxy = use_socks (f, DIAL_TEST_SOCKS_SILENT, "socks4a", NULL);

  dial_test_socks_server_cancel_on_greeting (f->socks, cancellable);

  connection = connect_to_echo (f, cancellable, &error);
  g_assert_null (connection);
  assert_error (error, G_IO_ERROR_CANCELLED, "Operation was cancelled");
  dial_test_events_assert (f->events, "R Rd C Cd PN X");
}

static void
test_socks4a_user_id_too_long (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(DialTestSocksRecord) record = NULL;
  g_autofree char *user = g_strnfill (256, 'u');
  g_autofree char *proxy = use_socks (f, DIAL_TEST_SOCKS_RELAY, "socks4a", user);

  check_fails (f, G_IO_ERROR_PROXY_FAILED, "Username is too long for SOCKSv4 protocol");

  record = socks_record_when_closed (f);
  g_assert_cmpuint (record->n_bytes, ==, 0);
}

/* socks:// ------------------------------------------------------------------- */

/* GSimpleProxyResolver expands socks:// to socks5, socks4a and socks4:
 * all three are ours, and socks4 gets the destination resolved first. A
 * proxy that speaks none of them fails each, and the last error wins. */
static void
test_socks_expansion_garbage (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_GARBAGE);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks", NULL);
  f->simple = g_simple_proxy_resolver_new (proxy, NULL);
  dial_socket_client_set_proxy_resolver (f->client, f->simple);

  connection = connect_to_echo (f, NULL, &error);
  g_assert_null (connection);
  assert_error (error, G_IO_ERROR_PROXY_FAILED, "The server is not a SOCKSv4 proxy server.");
  dial_test_events_assert (f->events, "R Rd C Cd PN C Cd PN C Cd PN X");
  g_assert_cmpuint (dial_test_socks_server_get_accepted (f->socks), ==, 3);
  g_assert_cmpuint (dial_test_mock_resolver_get_lookups (mock_resolver, ECHO_HOST), >=, 1);
}

static void
test_socks_expansion_ok (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *proxy = NULL;

  start_socks (f, DIAL_TEST_SOCKS_RELAY);
  proxy = dial_test_socks_server_get_uri (f->socks, "socks", NULL);
  f->simple = g_simple_proxy_resolver_new (proxy, NULL);
  dial_socket_client_set_proxy_resolver (f->client, f->simple);

  connection = connect_to_echo (f, NULL, &error);
  g_assert_no_error (error);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_protocol (connection, "socks5");
  assert_echo (connection);
}

/* Registration --------------------------------------------------------------- */

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

/* What GIO creates once per process, before the first descriptor count. */
static void
warm_up (void)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  GProxy *proxy;

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

  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  g_test_init (&argc, &argv, NULL);

  mock_resolver = dial_test_mock_resolver_new ();
  dial_test_mock_resolver_install (mock_resolver);
  warm_up ();

  add_both ("socks5h", "name", test_socks5h_name);
  add_both ("socks5h", "ip-literal", test_socks5h_ip_literal);
  add_both ("socks5h", "encoded-credentials", test_socks5h_encoded_credentials);
  add_both ("socks5h", "hostname-too-long", test_socks5h_hostname_too_long);
  add_both ("socks5", "auth-wrong-no-secrets", test_socks5_auth_wrong);
  add_both ("socks5", "banner", test_socks5_banner);
  add_both ("socks5", "trickle", test_socks5_trickle);
  add_both ("socks5", "ipv6-destination", test_socks5_ipv6_destination);
  add_both ("socks4a", "banner", test_socks4a_banner);
  add_both ("socks4a", "trickle", test_socks4a_trickle);
  add_both ("socks4a", "eof", test_socks4a_eof);
  add_both ("socks4a", "timeout", test_socks4a_timeout);
  add_both ("socks4a", "cancel", test_socks4a_cancel);
  add_both ("socks4a", "user-id-too-long", test_socks4a_user_id_too_long);
  add_both ("socks4", "banner", test_socks4_banner);
  add_both ("socks", "expansion-ok", test_socks_expansion_ok);
  add_both ("socks", "expansion-garbage", test_socks_expansion_garbage);

  ret = g_test_run ();

  g_clear_object (&mock_resolver);

  return ret;
}
