/* test-direct-sync.c: the sequential driver, direct connections (no
 * proxy, no TLS): every such row of spec §2.4, against real loopback
 * sockets and a mock resolver.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-direct-common.h"

/* Sync checks the cancellable before anything else: COMPLETE only. */
static void
test_pre_cancelled (void)
{
  g_autoptr(DialTestServer) server = new_server (DIAL_TEST_SERVER_ACCEPTING, G_SOCKET_FAMILY_IPV4);
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnectable) connectable = loopback_address ("127.0.0.1", dial_test_server_get_port (server));
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  connection = connect_sync (client, connectable, cancellable, events, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "Operation was cancelled");
  dial_test_events_assert (events, "X");
  assert_events_connectable (events, connectable);
  assert_events_connections (events, NULL);
  g_assert_cmpuint (dial_test_server_get_accepted (server), ==, 0);

  assert_finalized (client);
}

/* Unlike GIO's, the synchronous connect races addresses: a hanging first
 * address does not hold up the next one for longer than the attempt
 * delay (GIO waits for the socket timeout, here 1 s). A documented
 * difference from GIO. */
static void
test_happy_eyeballs (void)
{
  g_autoptr(GPtrArray) servers = NULL;
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 waited;
  guint16 port;

  if (!require_ipv6 ())
    return;

  servers = dial_test_servers_new_same_port (&error,
                                             "::1", DIAL_TEST_SERVER_BLACK_HOLE,
                                             "127.0.0.1", DIAL_TEST_SERVER_ACCEPTING,
                                             NULL);
  g_assert_no_error (error);
  port = dial_test_server_get_port (server_at (servers, 0));

  dial_test_mock_resolver_clear (mock);
  dial_test_mock_resolver_add_ip (mock, "he.test", "::1", 0);
  dial_test_mock_resolver_add_ip (mock, "he.test", "127.0.0.1", 0);

  client = test_client_new ();
  dial_socket_client_set_timeout (client, 1);
  events = dial_test_events_new (client);
  connectable = g_network_address_new ("he.test", port);
  connection = connect_sync (client, connectable, NULL, events, &error);
  g_assert_no_error (error);
  dial_test_events_assert (events, "R Rd C C Cd X");
  assert_events_connections (events, connection);
  assert_remote (connection, "127.0.0.1", port);

  /* The second attempt started after the 250 ms attempt delay, not
   * after the first one's 1 s timeout (generous bounds: not a benchmark). */
  waited = dial_test_events_get (events, 3)->time_us - dial_test_events_get (events, 2)->time_us;
  g_assert_cmpint (waited, >=, 200 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (waited, <, 900 * G_TIME_SPAN_MILLISECOND);

  assert_finalized (client);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  direct_tests_init (FALSE);

  add_common_rows ("sync");
  g_test_add_func ("/socket-client/direct/sync/pre-cancelled", test_pre_cancelled);
  g_test_add_func ("/socket-client/direct/sync/happy-eyeballs", test_happy_eyeballs);

  return g_test_run ();
}
