/* test-leaks.c: thousands of connects, in both drivers, that succeed,
 * fail, time out and are cancelled at every stage, after which nothing of
 * them is left: the process has the descriptors it had before, and no
 * client, connectable, connection, socket, TLS connection or task object
 * is alive.
 *
 * Each case runs as /leaks/sync/NAME and /leaks/async/NAME:
 *
 * - succeed and fail: direct, through SOCKS5 and HTTP CONNECT proxies,
 *   with TLS, and TLS through SOCKS5; refused, unknown names, refused
 *   behind a proxy;
 * - time out in every stage, on the deadline property (resolving, each of
 *   two attempts, negotiating with a SOCKS5 or an HTTP proxy, the TLS
 *   handshake) and on the socket timeout (connecting, negotiating,
 *   handshaking);
 * - cancel/ROUTE/EVENT/HOW: cancelled from the handler of every
 *   GSocketClientEvent (HOW = handler), or from another thread the moment
 *   that event is emitted (HOW = thread, so the cancel lands somewhere in
 *   the stage that follows), for a direct, a SOCKS5, a TLS and a
 *   SOCKS5-then-TLS connect;
 * - cancel-stage/STAGE/HOW: cancelled while a stage hangs: a slow name,
 *   the first and the second of two black-holed attempts, a silent SOCKS5
 *   or HTTP proxy, a silent TLS server.  These must end CANCELLED.
 *
 * Objects are counted with weak references (dial-test-tracker.h): the
 * client, what every event carries, each connection returned and each
 * GTask an asynchronous callback receives.  Nothing here keeps a strong
 * reference to any of them once a connect is over.
 *
 * The suite runs once per TLS provider.  Under valgrind each case makes a
 * tenth of its connects.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dial/dial.h>

#include "dial-test-events.h"
#include "dial-test-http-proxy.h"
#include "dial-test-mock-resolver.h"
#include "dial-test-proxy-resolver.h"
#include "dial-test-servers.h"
#include "dial-test-sink.h"
#include "dial-test-socks-server.h"
#include "dial-test-tls-server.h"
#include "dial-test-tracker.h"

#define SINK_HOST    "sink.leaks.test"
#define SLOW_HOST    "slow.leaks.test"
#define HOLES_HOST   "holes.leaks.test"
#define MISSING_HOST "missing.leaks.test"

/* A lookup of SLOW_HOST takes this long: longer than any case waits. */
#define SLOW_LOOKUP_MS 30000

/* No connect made progress for this long: it hangs. */
#define HANG_BOUND_US (30 * G_USEC_PER_SEC)

#define N_EVENTS (G_SOCKET_CLIENT_COMPLETE + 1)

typedef enum
{
  DRIVER_SYNC,
  DRIVER_ASYNC,
} Driver;

/* What a connect dials. */
typedef enum
{
  TARGET_SINK,        /* accepts (by name and by IP literal, alternately) */
  TARGET_REFUSED,     /* a bound port that does not listen */
  TARGET_MISSING,     /* a name the resolver does not know */
  TARGET_SLOW,        /* a name whose lookups outlast the case */
  TARGET_HOLES,       /* a name with two black-holed addresses */
  TARGET_TLS_ECHO,    /* a TLS server that completes the handshake */
  TARGET_TLS_SILENT,  /* a TLS server that never answers */
} Target;

typedef enum
{
  PROXY_NONE,
  PROXY_SOCKS5,
  PROXY_SOCKS5_SILENT,
  PROXY_HTTP,
  PROXY_HTTP_SILENT,
} Proxy;

typedef enum
{
  EXPECT_OK,
  EXPECT_ERROR,
  /* OK when the cancel was never fired; once it was, CANCELLED when the
   * case hangs, CANCELLED or OK otherwise (a cancel may land too late). */
  EXPECT_CANCEL,
} Expect;

typedef enum
{
  CANCEL_IN_HANDLER,
  CANCEL_FROM_THREAD,
} CancelHow;

typedef struct
{
  const char         *name;
  Target              target;
  Proxy               proxy;
  guint               deadline_ms;
  guint               timeout_s;
  guint               attempt_delay_ms;   /* 0: the default */

  Expect              expect;
  gboolean            resolver_error;     /* EXPECT_ERROR: G_RESOLVER_ERROR, not G_IO_ERROR */
  gint                code;

  GSocketClientEvent  cancel_event;       /* EXPECT_CANCEL */
  guint               cancel_nth;         /* the nth emission of the event, from 1 */
  CancelHow           how;
  gboolean            hangs;              /* without the cancel it would never end */

  guint               n_sync;
  guint               n_async;
  guint               in_flight;          /* async connects outstanding at once */
} Case;

typedef struct
{
  const Case *c;
  Driver      driver;
} TestData;

static DialTestMockResolver *mock_resolver;

/* {{{ The canceller thread */

/* Cancels what it is given, as soon as it gets it, from a thread of its
 * own: the cancel lands wherever the connect has got to meanwhile. */
static GAsyncQueue *cancel_queue;
static GThread *canceller;

static gpointer
canceller_run (gpointer data)
{
  for (;;)
    {
      GObject *object = g_async_queue_pop (cancel_queue);

      if (!G_IS_CANCELLABLE (object))
        {
          /* The stop token. */
          g_object_unref (object);
          return NULL;
        }
      g_cancellable_cancel (G_CANCELLABLE (object));
      g_object_unref (object);
    }
}

static void
canceller_start (void)
{
  cancel_queue = g_async_queue_new ();
  canceller = g_thread_new ("leaks-canceller", canceller_run, NULL);
}

static void
canceller_stop (void)
{
  g_async_queue_push (cancel_queue, g_object_new (G_TYPE_OBJECT, NULL));
  g_thread_join (canceller);
  g_async_queue_unref (cancel_queue);
}

/* }}} */

/* {{{ Peers */

typedef struct
{
  DialTestSink          *sink;
  DialTestServer        *refusing;
  GPtrArray             *holes;        /* two DialTestServer on one port */
  DialTestSocksServer   *socks;
  DialTestHttpProxy     *http;
  DialTestTlsServer     *tls;
  GTlsDatabase          *database;     /* trusts tls */
  DialTestProxyResolver *proxy_resolver;
} Peers;

/* Starts what @c needs; FALSE (and the test skipped) when the machine
 * cannot have it. */
static gboolean
peers_start (Peers      *peers,
             const Case *c)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  peers->sink = dial_test_sink_new (1, &error);
  g_assert_no_error (error);

  switch (c->target)
    {
    case TARGET_REFUSED:
      peers->refusing = dial_test_server_new_refusing (G_SOCKET_FAMILY_IPV4, &error);
      g_assert_no_error (error);
      break;
    case TARGET_HOLES:
      peers->holes = dial_test_servers_new_same_port (&error,
                                                      "127.0.0.1", DIAL_TEST_SERVER_BLACK_HOLE,
                                                      "127.0.0.2", DIAL_TEST_SERVER_BLACK_HOLE,
                                                      NULL);
      if (peers->holes == NULL)
        {
          g_autofree char *why = g_strdup_printf ("no black holes on 127.0.0.1 and 127.0.0.2: %s",
                                                  error->message);

          g_test_skip (why);
          return FALSE;
        }
      break;
    case TARGET_TLS_ECHO:
    case TARGET_TLS_SILENT:
      {
        DialTestTlsServerOptions options = {
          .mode = c->target == TARGET_TLS_ECHO ? DIAL_TEST_TLS_MODE_ECHO : DIAL_TEST_TLS_MODE_SILENT,
        };

        peers->tls = dial_test_tls_server_new (&options, &error);
        g_assert_no_error (error);
        peers->database = dial_test_tls_server_new_ca_database (peers->tls);
      }
      break;
    case TARGET_SINK:
    case TARGET_MISSING:
    case TARGET_SLOW:
    default:
      break;
    }

  switch (c->proxy)
    {
    case PROXY_SOCKS5:
    case PROXY_SOCKS5_SILENT:
      peers->socks = dial_test_socks_server_new ();
      dial_test_socks_server_set_behaviour (peers->socks,
                                            c->proxy == PROXY_SOCKS5 ? DIAL_TEST_SOCKS_RELAY
                                                                     : DIAL_TEST_SOCKS_SILENT);
      uri = dial_test_socks_server_get_uri (peers->socks, "socks5", NULL);
      break;
    case PROXY_HTTP:
    case PROXY_HTTP_SILENT:
      peers->http = dial_test_http_proxy_new ();
      dial_test_http_proxy_set_behaviour (peers->http,
                                          c->proxy == PROXY_HTTP ? DIAL_TEST_HTTP_PROXY_RELAY
                                                                 : DIAL_TEST_HTTP_PROXY_SILENT);
      uri = dial_test_http_proxy_get_uri (peers->http, NULL);
      break;
    case PROXY_NONE:
    default:
      break;
    }
  if (uri != NULL)
    peers->proxy_resolver = dial_test_proxy_resolver_new_single (uri);

  return TRUE;
}

static void
peers_stop (Peers *peers)
{
  g_clear_object (&peers->proxy_resolver);
  g_clear_object (&peers->database);
  g_clear_pointer (&peers->tls, dial_test_tls_server_free);
  g_clear_pointer (&peers->http, dial_test_http_proxy_free);
  g_clear_pointer (&peers->socks, dial_test_socks_server_free);
  g_clear_pointer (&peers->holes, g_ptr_array_unref);
  g_clear_pointer (&peers->refusing, dial_test_server_free);
  g_clear_pointer (&peers->sink, dial_test_sink_free);
}

/* A connectable of its own for the @index-th connect. */
static GSocketConnectable *
peers_connectable (Peers      *peers,
                   const Case *c,
                   guint       index)
{
  switch (c->target)
    {
    case TARGET_SINK:
      return g_network_address_new (index % 2 == 0 ? SINK_HOST : "127.0.0.1",
                                    dial_test_sink_get_port (peers->sink, 0));
    case TARGET_REFUSED:
      return g_network_address_new ("127.0.0.1", dial_test_server_get_port (peers->refusing));
    case TARGET_MISSING:
      return g_network_address_new (MISSING_HOST, 80);
    case TARGET_SLOW:
      return g_network_address_new (SLOW_HOST, 80);
    case TARGET_HOLES:
      return g_network_address_new (HOLES_HOST,
                                    dial_test_server_get_port (g_ptr_array_index (peers->holes, 0)));
    case TARGET_TLS_ECHO:
    case TARGET_TLS_SILENT:
      return g_network_address_new ("127.0.0.1", dial_test_tls_server_get_port (peers->tls));
    default:
      g_assert_not_reached ();
    }
}

/* }}} */

/* {{{ One case, many connects */

typedef struct _Run Run;

/* One connect. */
typedef struct
{
  Run                *run;
  GSocketConnectable *connectable;
  GCancellable       *cancellable;   /* nullable */
  guint               seen[N_EVENTS];
  gboolean            fired;         /* the cancel was sent */
} Conn;

struct _Run
{
  const Case       *c;
  Peers            *peers;
  DialSocketClient *client;
  DialTestTracker  *tracker;
  GHashTable       *conns;           /* GSocketConnectable → Conn, borrowed keys */
  guint             n;
  guint             started;
  guint             in_flight;
  guint             done;
  guint             n_ok;
  guint             n_cancelled;
  guint             n_errors;
  guint             n_fired;
};

static Conn *
conn_new (Run *run)
{
  Conn *conn = g_new0 (Conn, 1);

  conn->run = run;
  conn->connectable = peers_connectable (run->peers, run->c, run->started);
  /* Cancel cases need one; the others have one every other connect, so
   * that both paths run. */
  if (run->c->expect == EXPECT_CANCEL || run->started % 2 == 1)
    conn->cancellable = g_cancellable_new ();
  g_hash_table_insert (run->conns, conn->connectable, conn);
  run->started++;

  return conn;
}

static void
conn_free (Conn *conn)
{
  g_assert_true (g_hash_table_remove (conn->run->conns, conn->connectable));
  g_clear_object (&conn->connectable);
  g_clear_object (&conn->cancellable);
  g_free (conn);
}

static void
conn_fire (Conn *conn)
{
  conn->fired = TRUE;
  conn->run->n_fired++;

  if (conn->run->c->how == CANCEL_IN_HANDLER)
    g_cancellable_cancel (conn->cancellable);
  else
    g_async_queue_push (cancel_queue, g_object_ref (conn->cancellable));
}

static void
on_event (DialSocketClient   *client,
          GSocketClientEvent  event,
          GSocketConnectable *connectable,
          GIOStream          *stream,
          gpointer            user_data)
{
  Run *run = user_data;
  const Case *c = run->c;
  Conn *conn;

  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING && run->peers->database != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (stream), run->peers->database);

  /* Every event carries the connectable the connect was given. */
  conn = g_hash_table_lookup (run->conns, connectable);
  g_assert_nonnull (conn);
  g_assert_cmpint (event, <, N_EVENTS);
  conn->seen[event]++;

  if (c->expect == EXPECT_CANCEL && !conn->fired &&
      event == c->cancel_event && conn->seen[event] == c->cancel_nth)
    conn_fire (conn);
}

/* Checks one connect's result, and drops it. */
static void
conn_finish (Conn              *conn,
             GSocketConnection *connection,
             GError            *error)
{
  Run *run = conn->run;
  const Case *c = run->c;

  g_assert_true ((connection == NULL) != (error == NULL));
  g_assert_cmpuint (conn->seen[G_SOCKET_CLIENT_COMPLETE], ==, 1);

  if (connection != NULL)
    {
      g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
      g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
      g_autofree char *local_text = local ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (local)) : NULL;
      g_autofree char *remote_text = remote ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote)) : NULL;

      if (c->expect == EXPECT_ERROR)
        g_test_message ("unexpected connection %s -> %s", local_text, remote_text);
      dial_test_tracker_watch (run->tracker, connection, "connection");
      run->n_ok++;
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    run->n_cancelled++;
  else
    run->n_errors++;

  switch (c->expect)
    {
    case EXPECT_OK:
      g_assert_no_error (error);
      break;
    case EXPECT_ERROR:
      {
        GQuark domain = c->resolver_error ? G_RESOLVER_ERROR : G_IO_ERROR;

        g_assert_error (error, domain, c->code);
      }
      break;
    case EXPECT_CANCEL:
      if (c->hangs)
        {
          g_assert_true (conn->fired);
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
        }
      else if (!conn->fired)
        g_assert_no_error (error);
      else if (error != NULL)
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      break;
    default:
      g_assert_not_reached ();
    }

  run->done++;
}

static void
run_sync (Run *run)
{
  while (run->started < run->n)
    {
      Conn *conn = conn_new (run);
      g_autoptr(GSocketConnection) connection = NULL;
      g_autoptr(GError) error = NULL;

      connection = dial_socket_client_connect (run->client, conn->connectable,
                                               conn->cancellable, &error);
      conn_finish (conn, connection, error);
      conn_free (conn);
    }
}

static void async_fill (Run *run);

static void
async_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Conn *conn = user_data;
  Run *run = conn->run;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  dial_test_tracker_watch (run->tracker, result, "task");
  connection = dial_socket_client_connect_finish (DIAL_SOCKET_CLIENT (source), result, &error);
  conn_finish (conn, connection, error);
  conn_free (conn);

  run->in_flight--;
  async_fill (run);
}

static void
async_fill (Run *run)
{
  while (run->started < run->n && run->in_flight < MAX (run->c->in_flight, 1))
    {
      Conn *conn = conn_new (run);

      run->in_flight++;
      dial_socket_client_connect_async (run->client, conn->connectable, conn->cancellable,
                                        async_done, conn);
    }
}

static void
run_async (Run *run)
{
  gint64 until = g_get_monotonic_time () + HANG_BOUND_US;
  guint seen = 0;

  async_fill (run);
  while (run->done < run->n && g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, TRUE);
      if (run->done != seen)
        {
          seen = run->done;
          until = g_get_monotonic_time () + HANG_BOUND_US;
        }
    }
  g_assert_cmpuint (run->done, ==, run->n);
}

static guint
scaled (guint n)
{
  if (dial_test_under_valgrind ())
    return MAX (1, n / 10);
  return n;
}

static void
test_case (gconstpointer data)
{
  const TestData *test = data;
  const Case *c = test->c;
  g_autoptr(DialTestTracker) tracker = dial_test_tracker_new ();
  Peers peers = { 0 };
  Run run = { 0 };
  guint fds_at_start;
  gint64 start;

  fds_at_start = dial_test_count_fds ();
  if (!peers_start (&peers, c))
    {
      peers_stop (&peers);
      return;
    }

  run.c = c;
  run.peers = &peers;
  run.tracker = tracker;
  run.conns = g_hash_table_new (NULL, NULL);
  run.n = scaled (test->driver == DRIVER_SYNC ? c->n_sync : c->n_async);
  run.client = dial_socket_client_new ();
  dial_test_tracker_watch_client (tracker, run.client);
  g_signal_connect (run.client, "event", G_CALLBACK (on_event), &run);
  if (peers.proxy_resolver != NULL)
    dial_socket_client_set_proxy_resolver (run.client, G_PROXY_RESOLVER (peers.proxy_resolver));
  if (peers.tls != NULL)
    dial_socket_client_set_tls (run.client, TRUE);
  if (c->deadline_ms > 0)
    dial_socket_client_set_deadline (run.client, c->deadline_ms);
  if (c->timeout_s > 0)
    dial_socket_client_set_timeout (run.client, c->timeout_s);
  if (c->attempt_delay_ms > 0)
    dial_socket_client_set_attempt_delay (run.client, c->attempt_delay_ms);

  start = g_get_monotonic_time ();
  if (test->driver == DRIVER_SYNC)
    run_sync (&run);
  else
    run_async (&run);

  g_test_message ("%u connects in %.1f ms: %u connected, %u cancelled, %u failed; "
                  "%u cancels sent; %u objects watched",
                  run.n, (g_get_monotonic_time () - start) / 1000.0,
                  run.n_ok, run.n_cancelled, run.n_errors, run.n_fired,
                  dial_test_tracker_get_watched (tracker));
  g_assert_cmpuint (run.done, ==, run.n);
  g_assert_cmpuint (g_hash_table_size (run.conns), ==, 0);

  g_signal_handlers_disconnect_by_func (run.client, on_event, &run);
  g_clear_object (&run.client);
  dial_test_tracker_assert_none_alive (tracker);

  /* The peers saw every connection end.  (Their own descriptors come
   * and go: a blocking accept () holds an eventfd for its cancellable.
   * So the count is compared once they are gone, where a descriptor a
   * connect left open would still show.) */
  if (peers.socks != NULL)
    g_assert_true (dial_test_socks_server_wait_finished (peers.socks,
                                                         dial_test_socks_server_get_accepted (peers.socks)));
  if (peers.http != NULL)
    g_assert_true (dial_test_http_proxy_wait_finished (peers.http,
                                                       dial_test_http_proxy_get_accepted (peers.http)));

  peers_stop (&peers);
  g_hash_table_unref (run.conns);
  dial_test_assert_fds (fds_at_start);
}

/* }}} */

/* {{{ The cases */

static const Case fixed_cases[] = {
  /* Succeed and fail. */
  { "direct/ok", TARGET_SINK, PROXY_NONE, .expect = EXPECT_OK,
    .n_sync = 500, .n_async = 1000, .in_flight = 100 },
  { "direct/refused", TARGET_REFUSED, PROXY_NONE, .expect = EXPECT_ERROR,
    .code = G_IO_ERROR_CONNECTION_REFUSED, .n_sync = 300, .n_async = 1000, .in_flight = 100 },
  { "direct/not-found", TARGET_MISSING, PROXY_NONE, .expect = EXPECT_ERROR,
    .resolver_error = TRUE, .code = G_RESOLVER_ERROR_NOT_FOUND, .n_sync = 300, .n_async = 1000, .in_flight = 100 },
  { "socks5/ok", TARGET_SINK, PROXY_SOCKS5, .expect = EXPECT_OK,
    .n_sync = 200, .n_async = 400, .in_flight = 8 },
  { "socks5/refused", TARGET_REFUSED, PROXY_SOCKS5, .expect = EXPECT_ERROR,
    .code = G_IO_ERROR_CONNECTION_REFUSED, .n_sync = 100, .n_async = 200, .in_flight = 8 },
  { "http/ok", TARGET_SINK, PROXY_HTTP, .expect = EXPECT_OK,
    .n_sync = 200, .n_async = 400, .in_flight = 8 },
  { "http/bad-gateway", TARGET_REFUSED, PROXY_HTTP, .expect = EXPECT_ERROR,
    .code = G_IO_ERROR_PROXY_FAILED, .n_sync = 100, .n_async = 200, .in_flight = 8 },
  { "tls/ok", TARGET_TLS_ECHO, PROXY_NONE, .expect = EXPECT_OK,
    .n_sync = 100, .n_async = 100, .in_flight = 4 },
  { "socks5-tls/ok", TARGET_TLS_ECHO, PROXY_SOCKS5, .expect = EXPECT_OK,
    .n_sync = 50, .n_async = 50, .in_flight = 4 },

  /* The deadline, in every stage.  Two attempts start 10 ms apart and
   * both are pending when it passes. */
  { "deadline/resolving", TARGET_SLOW, PROXY_NONE, .deadline_ms = 30, .expect = EXPECT_ERROR,
    .code = G_IO_ERROR_TIMED_OUT, .n_sync = 10, .n_async = 200, .in_flight = 100 },
  { "deadline/connecting", TARGET_HOLES, PROXY_NONE, .deadline_ms = 60, .attempt_delay_ms = 10,
    .expect = EXPECT_ERROR, .code = G_IO_ERROR_TIMED_OUT, .n_sync = 10, .n_async = 200, .in_flight = 100 },
  { "deadline/socks5", TARGET_SINK, PROXY_SOCKS5_SILENT, .deadline_ms = 40, .expect = EXPECT_ERROR,
    .code = G_IO_ERROR_TIMED_OUT, .n_sync = 10, .n_async = 100, .in_flight = 8 },
  { "deadline/http", TARGET_SINK, PROXY_HTTP_SILENT, .deadline_ms = 40, .expect = EXPECT_ERROR,
    .code = G_IO_ERROR_TIMED_OUT, .n_sync = 10, .n_async = 100, .in_flight = 8 },
  { "deadline/tls", TARGET_TLS_SILENT, PROXY_NONE, .deadline_ms = 40, .expect = EXPECT_ERROR,
    .code = G_IO_ERROR_TIMED_OUT, .n_sync = 10, .n_async = 50, .in_flight = 10 },

  /* The socket timeout (1 s), in every stage it covers. */
  { "timeout/connecting", TARGET_HOLES, PROXY_NONE, .timeout_s = 1, .expect = EXPECT_ERROR,
    .code = G_IO_ERROR_TIMED_OUT, .n_sync = 1, .n_async = 50, .in_flight = 50 },
  { "timeout/socks5", TARGET_SINK, PROXY_SOCKS5_SILENT, .timeout_s = 1, .expect = EXPECT_ERROR,
    .code = G_IO_ERROR_TIMED_OUT, .n_sync = 1, .n_async = 16, .in_flight = 8 },
  { "timeout/tls", TARGET_TLS_SILENT, PROXY_NONE, .timeout_s = 1, .expect = EXPECT_ERROR,
    .code = G_IO_ERROR_TIMED_OUT, .n_sync = 1, .n_async = 16, .in_flight = 16 },
};

/* Cancelled while a stage hangs. */
static const Case stage_cases[] = {
  { "cancel-stage/resolving", TARGET_SLOW, PROXY_NONE,
    .cancel_event = G_SOCKET_CLIENT_RESOLVING, .cancel_nth = 1,
    .n_sync = 20, .n_async = 100, .in_flight = 50 },
  { "cancel-stage/first-attempt", TARGET_HOLES, PROXY_NONE,
    .cancel_event = G_SOCKET_CLIENT_CONNECTING, .cancel_nth = 1,
    .n_sync = 20, .n_async = 100, .in_flight = 50 },
  { "cancel-stage/second-attempt", TARGET_HOLES, PROXY_NONE, .attempt_delay_ms = 10,
    .cancel_event = G_SOCKET_CLIENT_CONNECTING, .cancel_nth = 2,
    .n_sync = 20, .n_async = 100, .in_flight = 50 },
  { "cancel-stage/socks5", TARGET_SINK, PROXY_SOCKS5_SILENT,
    .cancel_event = G_SOCKET_CLIENT_PROXY_NEGOTIATING, .cancel_nth = 1,
    .n_sync = 20, .n_async = 100, .in_flight = 8 },
  { "cancel-stage/http", TARGET_SINK, PROXY_HTTP_SILENT,
    .cancel_event = G_SOCKET_CLIENT_PROXY_NEGOTIATING, .cancel_nth = 1,
    .n_sync = 20, .n_async = 100, .in_flight = 8 },
  { "cancel-stage/tls", TARGET_TLS_SILENT, PROXY_NONE,
    .cancel_event = G_SOCKET_CLIENT_TLS_HANDSHAKING, .cancel_nth = 1,
    .n_sync = 20, .n_async = 50, .in_flight = 10 },
};

/* The routes cancelled from every event. */
static const struct
{
  const char *name;
  Target      target;
  Proxy       proxy;
  guint       in_flight;
} routes[] = {
  { "direct", TARGET_SINK, PROXY_NONE, 8 },
  { "socks5", TARGET_SINK, PROXY_SOCKS5, 8 },
  { "tls", TARGET_TLS_ECHO, PROXY_NONE, 4 },
  { "socks5-tls", TARGET_TLS_ECHO, PROXY_SOCKS5, 4 },
};

#define CANCEL_REPEATS 8

static const char *
event_name (GSocketClientEvent event)
{
  static const char * const names[] = {
    "resolving", "resolved", "connecting", "connected", "proxy-negotiating",
    "proxy-negotiated", "tls-handshaking", "tls-handshaked", "complete",
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == N_EVENTS);
  return names[event];
}

static const char *
how_name (CancelHow how)
{
  return how == CANCEL_IN_HANDLER ? "handler" : "thread";
}

static void
add_case (const Case *c,
          GPtrArray  *keep)
{
  static const char * const driver_names[] = { "sync", "async" };

  for (Driver driver = DRIVER_SYNC; driver <= DRIVER_ASYNC; driver++)
    {
      g_autofree char *path = g_strdup_printf ("/leaks/%s/%s", driver_names[driver], c->name);
      TestData *test = g_new0 (TestData, 1);

      test->c = c;
      test->driver = driver;
      g_ptr_array_add (keep, test);
      g_test_add_data_func (path, test, test_case);
    }
}

/* Adds every case; what is made at run time is kept in @keep. */
static void
add_cases (GPtrArray *keep)
{
  for (guint i = 0; i < G_N_ELEMENTS (fixed_cases); i++)
    add_case (&fixed_cases[i], keep);

  for (guint r = 0; r < G_N_ELEMENTS (routes); r++)
    for (GSocketClientEvent event = 0; event < N_EVENTS; event++)
      for (CancelHow how = CANCEL_IN_HANDLER; how <= CANCEL_FROM_THREAD; how++)
        {
          Case *c = g_new0 (Case, 1);

          c->name = g_strdup_printf ("cancel/%s/%s/%s", routes[r].name, event_name (event),
                                     how_name (how));
          c->target = routes[r].target;
          c->proxy = routes[r].proxy;
          c->expect = EXPECT_CANCEL;
          c->cancel_event = event;
          c->cancel_nth = 1;
          c->how = how;
          c->n_sync = CANCEL_REPEATS;
          c->n_async = CANCEL_REPEATS;
          c->in_flight = routes[r].in_flight;
          g_ptr_array_add (keep, (char *) c->name);
          g_ptr_array_add (keep, c);
          add_case (c, keep);
        }

  for (guint i = 0; i < G_N_ELEMENTS (stage_cases); i++)
    for (CancelHow how = CANCEL_IN_HANDLER; how <= CANCEL_FROM_THREAD; how++)
      {
        Case *c = g_memdup2 (&stage_cases[i], sizeof (Case));

        c->name = g_strdup_printf ("%s/%s", stage_cases[i].name, how_name (how));
        c->expect = EXPECT_CANCEL;
        c->how = how;
        c->hangs = TRUE;
        g_ptr_array_add (keep, (char *) c->name);
        g_ptr_array_add (keep, c);
        add_case (c, keep);
      }
}

/* }}} */

/* {{{ Warming up */

static void
warm_up_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_task_return_boolean (task, TRUE);
}

static void
warm_up_event (DialSocketClient   *client,
               GSocketClientEvent  event,
               GSocketConnectable *connectable,
               GIOStream          *stream,
               gpointer            database)
{
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    g_tls_connection_set_database (G_TLS_CONNECTION (stream), database);
}

/* Opens what GLib, GIO and the TLS provider open once per process (the
 * worker context's wakeup descriptor, the thread pool, modules, the TLS
 * backend and its databases) with one TLS connect in each driver, so
 * that the first case does not count them as its own. */
static void
warm_up (void)
{
  DialTestTlsServerOptions options = { .mode = DIAL_TEST_TLS_MODE_ECHO };
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  g_autoptr(DialTestTlsServer) server = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(DialSocketClient) client = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GError) error = NULL;
  GProxy *proxy;

  g_task_run_in_thread_sync (task, warm_up_thread);
  proxy = g_proxy_get_default_for_protocol ("socks5");
  g_clear_object (&proxy);
  g_assert_nonnull (g_proxy_resolver_get_default ());
  g_assert_nonnull (g_tls_backend_get_default ());
  /* GIO's network monitor (a netlink socket), which libdial's family
   * cache opens the first time it records a winner, once per process. */
  g_assert_nonnull (g_network_monitor_get_default ());

  server = dial_test_tls_server_new (&options, &error);
  g_assert_no_error (error);
  database = dial_test_tls_server_new_ca_database (server);
  client = dial_socket_client_new ();
  dial_socket_client_set_tls (client, TRUE);
  g_signal_connect (client, "event", G_CALLBACK (warm_up_event), database);
  connectable = g_network_address_new ("127.0.0.1", dial_test_tls_server_get_port (server));

  for (Driver driver = DRIVER_SYNC; driver <= DRIVER_ASYNC; driver++)
    {
      g_autoptr(GSocketConnection) connection = NULL;

      if (driver == DRIVER_SYNC)
        connection = dial_socket_client_connect (client, connectable, NULL, &error);
      else
        connection = dial_test_connect_async_wait (client, connectable, NULL, NULL, &error);
      g_assert_no_error (error);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
    }

  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* }}} */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);
  int ret;

  /* Never the machine's proxy settings; meson sets this too. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, NULL);

  /* The sync cases keep no descriptor per connect, but the concurrent
   * async ones hold up to a few hundred, and their peers as many. */
  dial_test_raise_fd_limit ();

  mock_resolver = dial_test_mock_resolver_new ();
  dial_test_mock_resolver_install (mock_resolver);
  dial_test_mock_resolver_add_ip (mock_resolver, SINK_HOST, "127.0.0.1", 0);
  dial_test_mock_resolver_add_ip (mock_resolver, SLOW_HOST, "::1", SLOW_LOOKUP_MS);
  dial_test_mock_resolver_add_ip (mock_resolver, SLOW_HOST, "127.0.0.1", SLOW_LOOKUP_MS);
  dial_test_mock_resolver_add_ip (mock_resolver, HOLES_HOST, "127.0.0.1", 0);
  dial_test_mock_resolver_add_ip (mock_resolver, HOLES_HOST, "127.0.0.2", 0);

  warm_up ();
  canceller_start ();
  add_cases (keep);

  ret = g_test_run ();

  canceller_stop ();
  g_clear_object (&mock_resolver);

  return ret;
}
