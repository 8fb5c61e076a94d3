/* test-direct-async.c: the async (Happy Eyeballs) driver, direct
 * connections (no proxy, no TLS): every such row of spec §2.4, plus what
 * only async has: the 250 ms attempt delay, losers, cancellation of a
 * hanging attempt, the caller's main context, and the lifetime of the
 * client.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "test-direct-common.h"

typedef struct
{
  gboolean           done;
  GThread           *thread;       /* where the callback ran */
  GObject           *source;       /* the callback's source object (unowned) */
  GSocketConnection *connection;
  GError            *error;
} AsyncResult;

static void
async_result_clear (AsyncResult *result)
{
  g_clear_object (&result->connection);
  g_clear_error (&result->error);
}

static void
connect_cb (GObject      *source,
            GAsyncResult *res,
            gpointer      user_data)
{
  AsyncResult *result = user_data;

  result->connection = dial_socket_client_connect_finish (DIAL_SOCKET_CLIENT (source), res,
                                                          &result->error);
  result->thread = g_thread_self ();
  result->source = source;
  result->done = TRUE;
}

static void
wait_for (AsyncResult *result)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  while (!result->done)
    g_main_context_iteration (context, TRUE);
}

/* RESOLVING comes from inside connect_async (); COMPLETE only from the
 * main loop, so a handler connected after the call still sees it
 * (gsocketclient-slow.c's /cancellation/instant). */
static void
test_pre_cancelled (void)
{
  g_autoptr(DialTestServer) server = new_server (DIAL_TEST_SERVER_ACCEPTING, G_SOCKET_FAMILY_IPV4);
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) before = dial_test_events_new (client);
  g_autoptr(DialTestEvents) after = NULL;
  g_autoptr(GSocketConnectable) connectable = loopback_address ("127.0.0.1", dial_test_server_get_port (server));
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AsyncResult result = { 0 };

  g_cancellable_cancel (cancellable);
  dial_socket_client_connect_async (client, connectable, cancellable, connect_cb, &result);
  dial_test_events_assert (before, "R");
  g_assert_false (result.done);

  after = dial_test_events_new (client);
  wait_for (&result);

  g_assert_null (result.connection);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (result.error->message, ==, "Operation was cancelled");
  dial_test_events_assert (before, "R X");
  dial_test_events_assert (after, "X");
  assert_events_connectable (before, connectable);
  assert_events_connections (before, NULL);
  g_assert_cmpuint (dial_test_server_get_accepted (server), ==, 0);

  async_result_clear (&result);
  assert_finalized (client);
}

/* Servers and names for the Happy Eyeballs rows: "he.test" is a
 * black-holed ::1 (AAAA answers first, so it is tried first) and an
 * accepting 127.0.0.1 on the same port. */
static GPtrArray *
happy_eyeballs_setup (guint16 *port)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *servers;

  servers = dial_test_servers_new_same_port (&error,
                                             "::1", DIAL_TEST_SERVER_BLACK_HOLE,
                                             "127.0.0.1", DIAL_TEST_SERVER_ACCEPTING,
                                             NULL);
  g_assert_no_error (error);
  *port = dial_test_server_get_port (g_ptr_array_index (servers, 0));

  dial_test_mock_resolver_clear (mock);
  dial_test_mock_resolver_add_ip (mock, "he.test", "::1", 0);
  dial_test_mock_resolver_add_ip (mock, "he.test", "127.0.0.1", 100);

  return servers;
}

static GSocketFamily
attempt_family (const DialTestEvent *event)
{
  return g_socket_get_family (g_socket_connection_get_socket (G_SOCKET_CONNECTION (event->connection)));
}

static void
test_happy_eyeballs (void)
{
  g_autoptr(GPtrArray) servers = NULL;
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  const DialTestEvent *c1, *c2;
  gint64 delay;
  guint16 port;

  if (!require_ipv6 ())
    return;

  servers = happy_eyeballs_setup (&port);
  client = test_client_new ();
  events = dial_test_events_new (client);
  connectable = g_network_address_new ("he.test", port);
  connection = dial_test_connect_async_wait (client, connectable, NULL, events, &error);
  g_assert_no_error (error);

  dial_test_events_assert (events, "R Rd C C Cd X");
  assert_events_connectable (events, connectable);
  assert_events_connections (events, connection);
  c1 = dial_test_events_get (events, 2);
  c2 = dial_test_events_get (events, 3);
  g_assert_cmpint (attempt_family (c1), ==, G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (attempt_family (c2), ==, G_SOCKET_FAMILY_IPV4);
  g_assert_true (dial_test_events_get (events, 4)->connection == c2->connection);

  /* The second attempt starts at the 250 ms attempt delay, while the
   * first still hangs (a generous window, not a benchmark). */
  delay = c2->time_us - c1->time_us;
  g_assert_cmpint (delay, >=, 200 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (delay, <, 2000 * G_TIME_SPAN_MILLISECOND);

  g_assert_true (G_IS_TCP_CONNECTION (connection));
  assert_remote (connection, "127.0.0.1", port);
  g_assert_true (g_socket_get_blocking (g_socket_connection_get_socket (connection)));
  g_assert_true (dial_test_server_wait_accepted (g_ptr_array_index (servers, 1), 1));

  /* The loser says nothing after COMPLETE. */
  drain_context ();
  g_assert_cmpuint (dial_test_events_len (events), ==, 6);

  assert_finalized (client);
}

/* The black-holed loser is cancelled and closed: once the context is
 * idle, the process has the descriptors it had before, plus the one the
 * accepting server keeps for the winner. */
static void
test_happy_eyeballs_loser_fd (void)
{
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  DialTestServer *accepting;
  guint16 port;

  if (!require_ipv6 ())
    return;

  servers = happy_eyeballs_setup (&port);
  accepting = server_at (servers, 1);
  connectable = g_network_address_new ("he.test", port);

  /* Round 0 warms up whatever GLib opens once (module loading and the
   * like); the later rounds are measured. */
  for (guint round = 0; round < 3; round++)
    {
      DialSocketClient *client = test_client_new ();
      g_autoptr(GSocketConnection) connection = NULL;
      g_autoptr(GError) error = NULL;
      guint fds_before;

      drain_context ();
      fds_before = dial_test_count_fds ();

      connection = dial_test_connect_async_wait (client, connectable, NULL, NULL, &error);
      g_assert_no_error (error);
      assert_remote (connection, "127.0.0.1", port);
      g_assert_true (dial_test_server_wait_accepted (accepting, round + 1));
      g_clear_object (&connection);

      assert_finalized (client);
      drain_context ();
      if (round > 0)
        g_assert_cmpuint (dial_test_count_fds (), ==, fds_before + 1);
    }
}

typedef struct
{
  GCancellable *cancellable;
  gint64        cancelled_at;
} DelayedCancel;

static gboolean
cancel_now (gpointer user_data)
{
  DelayedCancel *cancel = user_data;

  cancel->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (cancel->cancellable);
  return G_SOURCE_REMOVE;
}

static void
cancel_soon_after_connecting (DialSocketClient   *client,
                              GSocketClientEvent  event,
                              GSocketConnectable *connectable,
                              GIOStream          *connection,
                              gpointer            user_data)
{
  if (event == G_SOCKET_CLIENT_CONNECTING)
    g_timeout_add (50, cancel_now, user_data);
}

/* Cancelling while the connect hangs ends it promptly. */
static void
test_cancel_hanging (void)
{
  g_autoptr(DialTestServer) server = new_server (DIAL_TEST_SERVER_BLACK_HOLE, G_SOCKET_FAMILY_IPV4);
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnectable) connectable = loopback_address ("127.0.0.1", dial_test_server_get_port (server));
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  DelayedCancel cancel = { cancellable, 0 };
  gint64 took;

  g_signal_connect (client, "event", G_CALLBACK (cancel_soon_after_connecting), &cancel);
  connection = dial_test_connect_async_wait (client, connectable, cancellable, events, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "Operation was cancelled");
  dial_test_events_assert (events, "R Rd C X");
  assert_events_connections (events, NULL);

  g_assert_cmpint (cancel.cancelled_at, >, 0);
  took = dial_test_events_get (events, 3)->time_us - cancel.cancelled_at;
  g_assert_cmpint (took, <, 2 * G_TIME_SPAN_SECOND);

  assert_finalized (client);
}

/* A black-holed ::1 and a refused 127.0.0.1, timeout = 1 s: the refusal
 * comes at the attempt delay, before enumeration is known to be over, so
 * the operation waits for the black hole; its timeout is the later
 * CONNECTING error and wins (spec §2.4, "blackhole + refused"). */
static void
test_black_hole_then_refused (void)
{
  g_autoptr(GPtrArray) servers = NULL;
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 first_connecting, complete;
  guint16 port;

  if (!require_ipv6 ())
    return;

  servers = dial_test_servers_new_same_port (&error,
                                             "::1", DIAL_TEST_SERVER_BLACK_HOLE,
                                             "127.0.0.1", DIAL_TEST_SERVER_REFUSING,
                                             NULL);
  g_assert_no_error (error);
  port = dial_test_server_get_port (server_at (servers, 0));
  dial_test_mock_resolver_clear (mock);
  dial_test_mock_resolver_add_ip (mock, "he.test", "::1", 0);
  dial_test_mock_resolver_add_ip (mock, "he.test", "127.0.0.1", 100);

  client = test_client_new ();
  dial_socket_client_set_timeout (client, 1);
  events = dial_test_events_new (client);
  connectable = g_network_address_new ("he.test", port);
  connection = dial_test_connect_async_wait (client, connectable, NULL, events, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpstr (error->message, ==, "Could not connect to he.test: Socket I/O timed out");
  dial_test_events_assert (events, "R Rd C C X");
  assert_events_connections (events, NULL);
  g_assert_cmpint (attempt_family (dial_test_events_get (events, 2)), ==, G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (attempt_family (dial_test_events_get (events, 3)), ==, G_SOCKET_FAMILY_IPV4);

  /* COMPLETE waited for the 1 s timeout of the first attempt. */
  first_connecting = dial_test_events_get (events, 2)->time_us;
  complete = dial_test_events_get (events, 4)->time_us;
  g_assert_cmpint (complete - first_connecting, >=, 900 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (complete - first_connecting, <, 5 * G_TIME_SPAN_SECOND);

  drain_context ();
  g_assert_cmpuint (dial_test_events_len (events), ==, 5);
  assert_finalized (client);
}

/* ---- the caller's thread-default main context --------------------------- */

typedef struct
{
  guint16      port;
  GThread     *thread;         /* the worker, as it sees itself */
  guint        foreign_events; /* events seen on another thread */
  guint        n_events;
  AsyncResult  result;

  GMutex       mutex;
  GCond        cond;
  gboolean     finished;
} ThreadData;

static void
count_event_thread (DialSocketClient   *client,
                    GSocketClientEvent  event,
                    GSocketConnectable *connectable,
                    GIOStream          *connection,
                    gpointer            user_data)
{
  ThreadData *data = user_data;

  data->n_events++;
  if (g_thread_self () != data->thread)
    data->foreign_events++;
}

static gpointer
connect_in_thread (gpointer user_data)
{
  ThreadData *data = user_data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSocketConnectable) connectable = loopback_address ("127.0.0.1", data->port);
  DialSocketClient *client;

  data->thread = g_thread_self ();
  g_main_context_push_thread_default (context);

  client = test_client_new ();
  g_signal_connect (client, "event", G_CALLBACK (count_event_thread), data);
  dial_socket_client_connect_async (client, connectable, NULL, connect_cb, &data->result);
  while (!data->result.done)
    g_main_context_iteration (context, TRUE);

  assert_finalized (client);
  g_main_context_pop_thread_default (context);

  g_mutex_lock (&data->mutex);
  data->finished = TRUE;
  g_cond_signal (&data->cond);
  g_mutex_unlock (&data->mutex);

  return NULL;
}

static void
test_thread_default_context (void)
{
  g_autoptr(DialTestServer) server = new_server (DIAL_TEST_SERVER_ACCEPTING, G_SOCKET_FAMILY_IPV4);
  ThreadData data = { 0 };
  GThread *worker;
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  gboolean finished;

  data.port = dial_test_server_get_port (server);
  g_mutex_init (&data.mutex);
  g_cond_init (&data.cond);

  /* The main thread's own context is never iterated meanwhile: an
   * operation that used it instead of the caller's would not finish. */
  g_mutex_lock (&data.mutex);
  worker = g_thread_new ("connect-in-thread", connect_in_thread, &data);
  while (!data.finished)
    if (!g_cond_wait_until (&data.cond, &data.mutex, deadline))
      break;
  finished = data.finished;
  g_mutex_unlock (&data.mutex);
  g_assert_true (finished);
  g_thread_join (worker);

  g_assert_no_error (data.result.error);
  g_assert_true (G_IS_TCP_CONNECTION (data.result.connection));
  g_assert_true (data.result.thread == worker);
  g_assert_true (data.thread == worker);
  g_assert_cmpuint (data.n_events, ==, 5);
  g_assert_cmpuint (data.foreign_events, ==, 0);

  async_result_clear (&data.result);
  g_mutex_clear (&data.mutex);
  g_cond_clear (&data.cond);
}

/* The operation keeps the client alive: unreffing it right after
 * connect_async () is fine (socket-service.c does it). */
static void
test_unref_client_after_call (void)
{
  g_autoptr(DialTestServer) server = new_server (DIAL_TEST_SERVER_ACCEPTING, G_SOCKET_FAMILY_IPV4);
  DialSocketClient *client = test_client_new ();
  g_autoptr(GSocketConnectable) connectable = loopback_address ("127.0.0.1", dial_test_server_get_port (server));
  gpointer the_client = client;
  AsyncResult result = { 0 };

  g_object_add_weak_pointer (G_OBJECT (client), (gpointer *) &client);
  dial_socket_client_connect_async (client, connectable, NULL, connect_cb, &result);
  g_object_unref (client);
  g_assert_nonnull (client);

  wait_for (&result);
  g_assert_no_error (result.error);
  g_assert_true (G_IS_TCP_CONNECTION (result.connection));
  g_assert_true (result.source == the_client);
  async_result_clear (&result);

  drain_context ();
  g_assert_null (client);
}

/* The same after a failure. */
static void
test_unref_client_after_call_failure (void)
{
  g_autoptr(DialTestServer) server = new_server (DIAL_TEST_SERVER_REFUSING, G_SOCKET_FAMILY_IPV4);
  DialSocketClient *client = test_client_new ();
  g_autoptr(GSocketConnectable) connectable = loopback_address ("127.0.0.1", dial_test_server_get_port (server));
  AsyncResult result = { 0 };

  g_object_add_weak_pointer (G_OBJECT (client), (gpointer *) &client);
  dial_socket_client_connect_async (client, connectable, NULL, connect_cb, &result);
  g_object_unref (client);
  g_assert_nonnull (client);

  wait_for (&result);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  async_result_clear (&result);

  drain_context ();
  g_assert_null (client);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  direct_tests_init (TRUE);

  add_common_rows ("async");
  g_test_add_func ("/socket-client/direct/async/pre-cancelled", test_pre_cancelled);
  g_test_add_func ("/socket-client/direct/async/cancel-hanging", test_cancel_hanging);
  g_test_add_func ("/socket-client/happy-eyeballs/async/black-hole-then-ok", test_happy_eyeballs);
  g_test_add_func ("/socket-client/happy-eyeballs/async/loser-leaves-no-fd", test_happy_eyeballs_loser_fd);
  g_test_add_func ("/socket-client/happy-eyeballs/async/black-hole-then-refused", test_black_hole_then_refused);
  g_test_add_func ("/socket-client/direct/async/thread-default-context", test_thread_default_context);
  g_test_add_func ("/socket-client/direct/async/unref-client-after-call", test_unref_client_after_call);
  g_test_add_func ("/socket-client/direct/async/unref-client-after-call-failure", test_unref_client_after_call_failure);

  return g_test_run ();
}
