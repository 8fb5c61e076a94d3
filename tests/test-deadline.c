/* test-deadline.c: DialSocketClient:deadline, in both drivers.
 *
 * The deadline is one limit on the whole connect: name resolution, every
 * connection attempt, the proxy negotiation and the TLS handshake.  When
 * it passes, the connect fails with G_IO_ERROR_TIMED_OUT and
 * "Connecting to NAME timed out after N ms while STAGE", every pending
 * attempt is released (its socket closed), and COMPLETE (NULL) is the
 * last event.
 *
 * Every case runs twice, as /socket-client/deadline/sync/NAME and
 * /socket-client/deadline/async/NAME: the synchronous driver races too, so
 * it is bound by the same deadline.  Names resolve through a mock
 * GResolver; the peers (black holes, SOCKS5 and HTTP CONNECT proxies, a
 * TLS server) are in-process, on loopback.
 *
 * The timing assertions are bounds, not benchmarks: a failed connect takes
 * at least the deadline and well under the deadline plus HANG_BOUND_MS.
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
#include "dial-test-tls-server.h"

#define MS            ((gint64) 1000)
#define HANG_BOUND_MS 2000

#define ECHO_HOST  "echo.test"
#define SLOW_HOST  "slow.test"
#define TLS_HOST   "tls.test"
#define HOLES_HOST "holes.test"

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
  GPtrArray             *servers;     /* DialTestServer, or NULL */
  DialTestSocksServer   *socks;
  DialTestHttpProxy     *http;
  DialTestTlsServer     *tls;
  DialTestProxyResolver *proxy_resolver;
} Fixture;

typedef void (*TestFunc) (Fixture       *f,
                          gconstpointer  data);

/* The default GResolver for the whole run. */
static DialTestMockResolver *mock_resolver;

/* {{{ Fixture */

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

static void
drain_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
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

      g_test_message ("fd %s -> %s", name, target != NULL ? target : "?");
    }
}

/* Waits, bounded, for the process to be back to @expected descriptors:
 * the main context is drained first, and a GIO worker thread (a TLS
 * handshake, say) may still be dropping its last reference, which nothing
 * lets us wait for. */
static void
assert_fds_back_to (guint expected)
{
  gint64 until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  guint now;

  for (;;)
    {
      drain_main_context ();
      now = dial_test_count_fds ();
      if (now == expected || g_get_monotonic_time () > until)
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
  g_clear_object (&f->proxy_resolver);
  drain_main_context ();

  g_clear_pointer (&f->socks, dial_test_socks_server_free);
  g_clear_pointer (&f->http, dial_test_http_proxy_free);
  g_clear_pointer (&f->tls, dial_test_tls_server_free);
  g_clear_pointer (&f->servers, g_ptr_array_unref);
  g_clear_pointer (&f->echo, dial_test_server_free);

  assert_fds_back_to (f->fds_at_start);
}

static GSocketConnectable *
echo_connectable (Fixture *f)
{
  return g_network_address_new (ECHO_HOST, dial_test_server_get_port (f->echo));
}

/* Makes the client's proxy resolver answer @proxy for every URI. */
static void
use_proxy (Fixture    *f,
           const char *proxy)
{
  g_clear_object (&f->proxy_resolver);
  f->proxy_resolver = dial_test_proxy_resolver_new_single (proxy);
  dial_socket_client_set_proxy_resolver (f->client, G_PROXY_RESOLVER (f->proxy_resolver));
}

static void
use_socks (Fixture                *f,
           DialTestSocksBehaviour  behaviour)
{
  g_autofree char *uri = NULL;

  f->socks = dial_test_socks_server_new ();
  dial_test_socks_server_set_behaviour (f->socks, behaviour);
  uri = dial_test_socks_server_get_uri (f->socks, "socks5", NULL);
  use_proxy (f, uri);
}

/* }}} */

/* {{{ Connecting and the shared assertions */

/* Connects with the fixture's driver; *elapsed_us is the time the call
 * (or, async, the wait for its callback) took. */
static GSocketConnection *
run_connect (Fixture             *f,
             GSocketConnectable  *connectable,
             gint64              *elapsed_us,
             GError             **error)
{
  GSocketConnection *connection;
  gint64 start;

  dial_test_events_clear (f->events);

  start = g_get_monotonic_time ();
  if (f->mode == MODE_SYNC)
    connection = dial_socket_client_connect (f->client, connectable, NULL, error);
  else
    connection = dial_test_connect_async_wait (f->client, connectable, NULL, f->events, error);
  *elapsed_us = g_get_monotonic_time () - start;

  return connection;
}

static gint64
event_gap (Fixture *f,
           guint    from,
           guint    to)
{
  return dial_test_events_get (f->events, to)->time_us -
         dial_test_events_get (f->events, from)->time_us;
}

/* The connect failed on its deadline, in @stage, about on time, and
 * nothing of it is left: COMPLETE (NULL) was the last event, and no
 * released attempt emits anything once the main context has run. */
static void
assert_timed_out (Fixture    *f,
                  GError     *error,
                  const char *target,
                  guint       deadline_ms,
                  const char *stage,
                  gint64      elapsed_us)
{
  g_autofree char *message = NULL;
  const DialTestEvent *last;
  guint n_events;

  g_test_message ("deadline %u ms, the connect took %" G_GINT64_FORMAT " ms",
                  deadline_ms, elapsed_us / MS);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  message = g_strdup_printf ("Connecting to %s timed out after %u ms while %s",
                             target, deadline_ms, stage);
  g_assert_cmpstr (error->message, ==, message);

  g_assert_cmpint (elapsed_us, >=, deadline_ms * MS);
  g_assert_cmpint (elapsed_us, <, (deadline_ms + HANG_BOUND_MS) * MS);

  n_events = dial_test_events_len (f->events);
  g_assert_cmpuint (n_events, >=, 2);
  last = dial_test_events_get (f->events, n_events - 1);
  g_assert_cmpint (last->event, ==, G_SOCKET_CLIENT_COMPLETE);
  g_assert_null (last->connection);
  /* From RESOLVING, which the engine's clock starts with, to COMPLETE. */
  g_assert_cmpint (event_gap (f, 0, n_events - 1), >=, deadline_ms * MS);

  drain_main_context ();
  g_assert_cmpuint (dial_test_events_len (f->events), ==, n_events);
}

/* Data goes to the echo server and back. */
static void
assert_echo (GSocketConnection *connection)
{
  static const char message[] = "before and after the deadline\n";
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

/* }}} */

/* {{{ The stages */

/* Both lookups take 5 s, deadline = 300 ms.  The lookups outlast the
 * deadline plus the hang bound, so a driver that waited for them (the
 * synchronous one waits for whatever it has pending) would fail the
 * timing assertion.
 *
 * The synchronous driver emits RESOLVED only once the first lookup has
 * returned, as GIO's does; none returns here, so both drivers emit
 * RESOLVING then COMPLETE. */
static void
test_resolving (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 elapsed;

  dial_test_mock_resolver_add_ip (mock_resolver, SLOW_HOST, "::1", 5000);
  dial_test_mock_resolver_add_ip (mock_resolver, SLOW_HOST, "127.0.0.1", 5000);
  dial_socket_client_set_deadline (f->client, 300);
  connectable = g_network_address_new (SLOW_HOST, 443);

  connection = run_connect (f, connectable, &elapsed, &error);
  g_assert_null (connection);
  assert_timed_out (f, error, SLOW_HOST, 300, "resolving the name", elapsed);
  dial_test_events_assert (f->events, "R X");
}

/* One black-holed address, deadline = 400 ms: TIMED_OUT while connecting.
 * The target is an IP literal, which the message names with its port. */
static void
test_connecting (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(DialTestServer) hole = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *target = NULL;
  gint64 elapsed;

  hole = dial_test_server_new_black_hole (G_SOCKET_FAMILY_IPV4, &error);
  g_assert_no_error (error);
  dial_socket_client_set_deadline (f->client, 400);
  connectable = g_network_address_new ("127.0.0.1", dial_test_server_get_port (hole));
  target = g_strdup_printf ("127.0.0.1:%u", dial_test_server_get_port (hole));

  connection = run_connect (f, connectable, &elapsed, &error);
  g_assert_null (connection);
  assert_timed_out (f, error, target, 400, "connecting", elapsed);
  dial_test_events_assert (f->events, "R Rd C X");
}

/* A SOCKS5 proxy that reads the greeting and never answers, deadline =
 * 500 ms: TIMED_OUT while negotiating, and the proxy sees the connection
 * closed (the attempt was released, not left to its callback). */
static void
test_socks5_silent (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GSocketConnectable) connectable = echo_connectable (f);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 elapsed;

  use_socks (f, DIAL_TEST_SOCKS_SILENT);
  dial_socket_client_set_deadline (f->client, 500);

  connection = run_connect (f, connectable, &elapsed, &error);
  g_assert_null (connection);
  assert_timed_out (f, error, ECHO_HOST, 500, "negotiating with the proxy", elapsed);
  dial_test_events_assert (f->events, "R Rd C Cd PN X");
  g_assert_true (dial_test_socks_server_wait_finished (f->socks, 1));
}

/* A SOCKS5 proxy that answers one byte per second, deadline = 1500 ms:
 * the method reply takes 1 s, the grant 9 s more.  The negotiation keeps
 * receiving, so no socket timeout of a second or more would ever fire;
 * the deadline cuts it in the middle of the grant. */
static void
test_socks5_trickle (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GSocketConnectable) connectable = echo_connectable (f);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DialTestSocksRecord) record = NULL;
  gint64 elapsed;

  use_socks (f, DIAL_TEST_SOCKS_RELAY_TRICKLE);
  dial_test_socks_server_set_trickle_pause_ms (f->socks, 1000);
  dial_socket_client_set_deadline (f->client, 1500);

  connection = run_connect (f, connectable, &elapsed, &error);
  g_assert_null (connection);
  assert_timed_out (f, error, ECHO_HOST, 1500, "negotiating with the proxy", elapsed);
  dial_test_events_assert (f->events, "R Rd C Cd PN X");

  /* It did get past the method reply: the request had arrived. */
  record = dial_test_socks_server_get_record (f->socks, 0);
  g_assert_nonnull (record);
  g_assert_cmpstr (record->host, ==, ECHO_HOST);
}

/* The same, where the socket timeout is set and shorter than the deadline:
 * a byte every 250 ms keeps the 1 s timeout from ever firing, and the
 * deadline, not the timeout, ends the 2.5 s negotiation at 1500 ms. */
static void
test_socks5_trickle_under_timeout (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GSocketConnectable) connectable = echo_connectable (f);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 elapsed;

  use_socks (f, DIAL_TEST_SOCKS_RELAY_TRICKLE);
  dial_test_socks_server_set_trickle_pause_ms (f->socks, 250);
  dial_socket_client_set_timeout (f->client, 1);
  dial_socket_client_set_deadline (f->client, 1500);

  connection = run_connect (f, connectable, &elapsed, &error);
  g_assert_null (connection);
  assert_timed_out (f, error, ECHO_HOST, 1500, "negotiating with the proxy", elapsed);
  dial_test_events_assert (f->events, "R Rd C Cd PN X");
}

/* An HTTP CONNECT proxy that reads the request and never answers,
 * deadline = 500 ms. */
static void
test_http_silent (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSocketConnectable) connectable = echo_connectable (f);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  gint64 elapsed;

  f->http = dial_test_http_proxy_new ();
  dial_test_http_proxy_set_behaviour (f->http, DIAL_TEST_HTTP_PROXY_SILENT);
  uri = dial_test_http_proxy_get_uri (f->http, NULL);
  use_proxy (f, uri);
  dial_socket_client_set_deadline (f->client, 500);

  connection = run_connect (f, connectable, &elapsed, &error);
  g_assert_null (connection);
  assert_timed_out (f, error, ECHO_HOST, 500, "negotiating with the proxy", elapsed);
  dial_test_events_assert (f->events, "R Rd C Cd PN X");
  g_assert_true (dial_test_http_proxy_wait_finished (f->http, 1));
}

/* A TLS server that never says a word, tls = TRUE, deadline = 500 ms. */
static void
test_tls_silent (Fixture       *f,
                 gconstpointer  data)
{
  DialTestTlsServerOptions options = { .mode = DIAL_TEST_TLS_MODE_SILENT };
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  const DialTestTlsRecord *record;
  gint64 elapsed;

  f->tls = dial_test_tls_server_new (&options, &error);
  g_assert_no_error (error);
  dial_test_mock_resolver_add_ip (mock_resolver, TLS_HOST, "127.0.0.1", 0);
  dial_socket_client_set_tls (f->client, TRUE);
  dial_socket_client_set_deadline (f->client, 500);
  connectable = g_network_address_new (TLS_HOST, dial_test_tls_server_get_port (f->tls));

  connection = run_connect (f, connectable, &elapsed, &error);
  g_assert_null (connection);
  assert_timed_out (f, error, TLS_HOST, 500, "performing the TLS handshake", elapsed);
  dial_test_events_assert (f->events, "R Rd C Cd TH X");

  /* The client went away: the server saw the end of the connection. */
  record = dial_test_tls_server_wait_record (f->tls, 0);
  g_assert_nonnull (record);
  g_assert_false (record->handshake_done);
  g_assert_cmpstr (dial_test_tls_end_to_string (record->end), ==,
                   dial_test_tls_end_to_string (DIAL_TEST_TLS_END_EOF));
}

/* }}} */

/* {{{ No deadline, a generous one, and the whole connect */

/* 0, the default, means none: a normal connect works. */
static void
test_none (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GSocketConnectable) connectable = echo_connectable (f);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 elapsed;

  g_assert_cmpuint (dial_socket_client_get_deadline (f->client), ==, 0);
  dial_socket_client_set_deadline (f->client, 0);

  connection = run_connect (f, connectable, &elapsed, &error);
  g_assert_no_error (error);
  g_assert_nonnull (connection);
  dial_test_events_assert (f->events, "R Rd C Cd X");
  assert_echo (connection);
}

/* A deadline longer than the connect changes nothing, through the proxy
 * stage too; and it ends with the connect: nothing fires once it has
 * passed, and the connection still works. */
static void
test_generous (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GSocketConnectable) connectable = echo_connectable (f);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 elapsed;
  gint64 until;

  use_socks (f, DIAL_TEST_SOCKS_RELAY);
  dial_socket_client_set_deadline (f->client, 1000);

  connection = run_connect (f, connectable, &elapsed, &error);
  g_assert_no_error (error);
  g_assert_nonnull (connection);
  g_assert_cmpint (elapsed, <, 1000 * MS);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");

  /* Past the deadline. */
  until = g_get_monotonic_time () + (1000 + 200) * MS;
  while (g_get_monotonic_time () < until)
    {
      drain_main_context ();
      g_usleep (10 * MS);
    }
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  g_assert_false (g_io_stream_is_closed (G_IO_STREAM (connection)));
  assert_echo (connection);
}

/* Two black-holed addresses, attempt delay 250 ms, deadline 600 ms: the
 * second attempt starts at 250 ms, and one TIMED_OUT ends both at 600 ms,
 * not 600 ms after the second attempt started.
 *
 * The two addresses are 127.0.0.1 and 127.0.0.2 (Linux routes all of
 * 127/8 to loopback), so that the case needs no IPv6. */
static void
test_whole_connect (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;
  gint64 elapsed;

  f->servers = dial_test_servers_new_same_port (&error,
                                                "127.0.0.1", DIAL_TEST_SERVER_BLACK_HOLE,
                                                "127.0.0.2", DIAL_TEST_SERVER_BLACK_HOLE,
                                                NULL);
  if (f->servers == NULL)
    {
      g_autofree char *why = g_strdup_printf ("no black holes on 127.0.0.1 and 127.0.0.2: %s",
                                              error->message);

      g_test_skip (why);
      return;
    }
  port = dial_test_server_get_port (g_ptr_array_index (f->servers, 0));

  dial_test_mock_resolver_add_ip (mock_resolver, HOLES_HOST, "127.0.0.1", 0);
  dial_test_mock_resolver_add_ip (mock_resolver, HOLES_HOST, "127.0.0.2", 0);
  dial_socket_client_set_attempt_delay (f->client, 250);
  dial_socket_client_set_deadline (f->client, 600);
  connectable = g_network_address_new (HOLES_HOST, port);

  connection = run_connect (f, connectable, &elapsed, &error);
  g_assert_null (connection);
  assert_timed_out (f, error, HOLES_HOST, 600, "connecting", elapsed);
  dial_test_events_assert (f->events, "R Rd C C X");

  /* The second attempt started one attempt delay after the first, and
   * the end came before 850 ms, the earliest a deadline of its own could
   * have ended it. */
  g_assert_cmpint (event_gap (f, 2, 3), >=, 250 * MS);
  g_assert_cmpint (event_gap (f, 0, 4), <, (250 + 600) * MS);
}

/* }}} */

static void
add_both (const char *name,
          TestFunc    func)
{
  static const char * const mode_names[] = { "sync", "async" };

  for (Mode mode = MODE_SYNC; mode <= MODE_ASYNC; mode++)
    {
      g_autofree char *path = g_strdup_printf ("/socket-client/deadline/%s/%s",
                                               mode_names[mode], name);

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
 * default proxy resolver, the TLS backend and its trust store), so that
 * the first test's descriptor count does not see it, and the first TLS
 * case does not spend its deadline reading the system's certificates:
 * that happens, blocking, when the first TLS connection is made, which no
 * deadline can interrupt (some 800 ms under valgrind). */
static void
warm_up (void)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  g_autoptr(GTlsDatabase) database = NULL;
  GProxy *proxy;

  /* GTask's thread pool lives on GLib's worker context, whose wakeup
   * descriptor is created on first use. */
  g_task_run_in_thread_sync (task, warm_up_thread);

  proxy = g_proxy_get_default_for_protocol ("socks5");
  g_clear_object (&proxy);
  proxy = g_proxy_get_default_for_protocol ("http");
  g_clear_object (&proxy);
  g_assert_nonnull (g_proxy_resolver_get_default ());
  database = g_tls_backend_get_default_database (g_tls_backend_get_default ());
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

  add_both ("resolving", test_resolving);
  add_both ("connecting", test_connecting);
  add_both ("socks5-silent", test_socks5_silent);
  add_both ("socks5-trickle", test_socks5_trickle);
  add_both ("socks5-trickle-under-timeout", test_socks5_trickle_under_timeout);
  add_both ("http-silent", test_http_silent);
  add_both ("tls-silent", test_tls_silent);
  add_both ("none", test_none);
  add_both ("generous", test_generous);
  add_both ("whole-connect", test_whole_connect);

  ret = g_test_run ();

  g_clear_object (&mock_resolver);

  return ret;
}
