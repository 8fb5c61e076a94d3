/* test-stress.c: many connects at once, on one main loop and from many
 * threads sharing one client.
 *
 * - /stress/async/10000: ten thousand connect_async () calls in flight at
 *   once on one main loop, to a local sink (dial-test-sink.h) that
 *   accepts on its own thread.  Every one completes with a connection to
 *   one of the sink's ports; afterwards no client, task or connection
 *   object is alive and the descriptor count is back where it started.
 * - /stress/async/refused-2000: two thousand at once to a port that
 *   refuses; every one fails with CONNECTION_REFUSED, nothing is left.
 * - /stress/threads: one DialSocketClient shared by four threads, each
 *   with its own GMainContext pushed as its thread-default, each making
 *   500 asynchronous connects at once, while two more threads make
 *   synchronous connects, half of them by a name whose first addresses
 *   refuse (so the process-wide family cache is read and written from
 *   every thread).  Each callback and each event runs on the thread that
 *   started its connect.
 *
 * Times and descriptor counts go to the log (g_test_message ()); the
 * only timing assertions are bounds against hangs.  dial-bench-load
 * compares the 10,000-connect run with GIO's GSocketClient.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dial/dial.h>

#include "dial-test-events.h"
#include "dial-test-mock-resolver.h"
#include "dial-test-servers.h"
#include "dial-test-sink.h"
#include "dial-test-tracker.h"

/* The 10,000 connects hold one descriptor each at the end, and the
 * process needs some for itself; the sink holds none per connection. */
#define STRESS_CONNECTS   10000
#define FD_HEADROOM       2048

/* A run that makes no progress for this long has hung. */
#define HANG_BOUND_US     (30 * G_USEC_PER_SEC)

#define THREADS_HOST      "threads.stress.test"
#define N_ASYNC_THREADS   4
#define N_SYNC_THREADS    2

static DialTestMockResolver *mock_resolver;

/* {{{ Helpers */

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* A connectable of the test's own for @address: the tracker watches the
 * connectables events carry, and the sink's own must outlive the check. */
static GSocketConnectable *
copy_address (GInetSocketAddress *address)
{
  return G_SOCKET_CONNECTABLE (g_inet_socket_address_new (g_inet_socket_address_get_address (address),
                                                          g_inet_socket_address_get_port (address)));
}

/* Iterates the thread-default context until *@done reaches @n, or until
 * nothing has completed for HANG_BOUND_US. */
static void
iterate_until (const guint *done,
               guint        n)
{
  GMainContext *context = g_main_context_get_thread_default ();
  gint64 until = g_get_monotonic_time () + HANG_BOUND_US;
  guint seen = *done;

  while (*done < n && g_get_monotonic_time () < until)
    {
      g_main_context_iteration (context, TRUE);
      if (*done != seen)
        {
          seen = *done;
          until = g_get_monotonic_time () + HANG_BOUND_US;
        }
    }
}

/* }}} */

/* {{{ Ten thousand at once */

typedef struct
{
  DialTestTracker *tracker;
  GPtrArray       *connections;   /* GSocketConnection */
  guint            done;
  guint            failed;
  int              max_fd;
} Burst;

static void
burst_connected (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Burst *burst = user_data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  dial_test_tracker_watch (burst->tracker, result, "task");
  connection = dial_socket_client_connect_finish (DIAL_SOCKET_CLIENT (source), result, &error);
  burst->done++;

  if (connection == NULL)
    {
      /* Reported once, with the count, after the loop. */
      if (burst->failed++ == 0)
        g_test_message ("first failure: %s", error->message);
      return;
    }

  dial_test_tracker_watch (burst->tracker, connection, "connection");
  burst->max_fd = MAX (burst->max_fd,
                       g_socket_get_fd (g_socket_connection_get_socket (connection)));
  g_ptr_array_add (burst->connections, connection);
}

/* Each connection is connected, to one of the sink's ports. */
static void
assert_connected_to_sink (GPtrArray    *connections,
                          DialTestSink *sink)
{
  for (guint i = 0; i < connections->len; i++)
    {
      GSocketConnection *connection = g_ptr_array_index (connections, i);
      g_autoptr(GSocketAddress) remote = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ours = FALSE;
      guint16 port;

      g_assert_true (g_socket_connection_is_connected (connection));
      remote = g_socket_connection_get_remote_address (connection, &error);
      g_assert_no_error (error);
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote));
      for (guint p = 0; p < dial_test_sink_get_n_ports (sink); p++)
        ours |= port == dial_test_sink_get_port (sink, p);
      g_assert_true (ours);
    }
}

static void
test_async_10000 (void)
{
  g_autoptr(DialTestSink) sink = NULL;
  g_autoptr(DialTestTracker) tracker = NULL;
  g_autoptr(GPtrArray) connectables = NULL;
  g_autoptr(GError) error = NULL;
  DialSocketClient *client;
  Burst burst = { 0 };
  guint64 limit;
  guint fds_before_sink, fds_at_start, fds_at_end;
  gint64 start;
  double started_ms, done_ms;

  if (dial_test_under_valgrind ())
    {
      g_test_skip ("10,000 connects under valgrind say nothing the leak tests do not");
      return;
    }

  limit = dial_test_raise_fd_limit ();
  fds_before_sink = dial_test_count_fds ();
  if (limit < STRESS_CONNECTS + fds_before_sink + FD_HEADROOM)
    {
      g_autofree char *why = g_strdup_printf ("RLIMIT_NOFILE is %" G_GUINT64_FORMAT
                                              ", %u descriptors needed",
                                              limit, STRESS_CONNECTS + fds_before_sink + FD_HEADROOM);

      g_test_skip (why);
      return;
    }

  /* One port more than the backlogs need, so that no SYN is dropped
   * even if the sink's thread falls behind. */
  sink = dial_test_sink_new (dial_test_sink_ports_for (STRESS_CONNECTS) + 1, &error);
  g_assert_no_error (error);
  connectables = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint p = 0; p < dial_test_sink_get_n_ports (sink); p++)
    g_ptr_array_add (connectables, copy_address (dial_test_sink_get_address (sink, p)));

  fds_at_start = dial_test_count_fds ();
  tracker = dial_test_tracker_new ();
  client = dial_socket_client_new ();
  dial_test_tracker_watch_client (tracker, client);
  burst.tracker = tracker;
  burst.connections = g_ptr_array_new_full (STRESS_CONNECTS, g_object_unref);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < STRESS_CONNECTS; i++)
    dial_socket_client_connect_async (client,
                                      g_ptr_array_index (connectables, i % connectables->len),
                                      NULL, burst_connected, &burst);
  started_ms = ms_since (start);
  g_object_unref (client);

  iterate_until (&burst.done, STRESS_CONNECTS);
  done_ms = ms_since (start);

  g_assert_cmpuint (burst.done, ==, STRESS_CONNECTS);
  g_assert_cmpuint (burst.failed, ==, 0);
  g_assert_cmpuint (burst.connections->len, ==, STRESS_CONNECTS);
  g_assert_true (dial_test_sink_wait_accepted (sink, STRESS_CONNECTS));
  assert_connected_to_sink (burst.connections, sink);

  fds_at_end = dial_test_count_fds ();
  g_test_message ("%u connects on %u ports: all started after %.1f ms, all connected after "
                  "%.1f ms (%.0f connects/s); %u descriptors open before, %u with every "
                  "connection held, highest descriptor %d",
                  STRESS_CONNECTS, dial_test_sink_get_n_ports (sink), started_ms, done_ms,
                  STRESS_CONNECTS / (done_ms / 1000.0), fds_at_start, fds_at_end, burst.max_fd);
  g_assert_cmpuint (fds_at_end, >=, fds_at_start + STRESS_CONNECTS);

  g_clear_pointer (&burst.connections, g_ptr_array_unref);
  g_clear_pointer (&connectables, g_ptr_array_unref);
  dial_test_tracker_assert_none_alive (tracker);
  dial_test_assert_fds (fds_at_start);

  g_clear_pointer (&sink, dial_test_sink_free);
  dial_test_assert_fds (fds_before_sink);
}

/* }}} */

/* {{{ Two thousand refused at once */

typedef struct
{
  DialTestTracker *tracker;
  guint            done;
  guint            refused;
} Refusals;

static void
refused_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Refusals *refusals = user_data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  dial_test_tracker_watch (refusals->tracker, result, "task");
  connection = dial_socket_client_connect_finish (DIAL_SOCKET_CLIENT (source), result, &error);
  refusals->done++;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    refusals->refused++;
  else
    g_test_message ("not refused: %s", error != NULL ? error->message : "a connection");
}

static void
test_async_refused (void)
{
  guint n = dial_test_under_valgrind () ? 200 : 2000;
  g_autoptr(DialTestServer) refusing = NULL;
  g_autoptr(DialTestTracker) tracker = dial_test_tracker_new ();
  g_autoptr(GError) error = NULL;
  DialSocketClient *client;
  Refusals refusals = { .tracker = tracker };
  GSocketConnectable *target;
  guint fds_at_start;
  gint64 start;

  dial_test_raise_fd_limit ();
  refusing = dial_test_server_new_refusing (G_SOCKET_FAMILY_IPV4, &error);
  g_assert_no_error (error);
  fds_at_start = dial_test_count_fds ();

  client = dial_socket_client_new ();
  dial_test_tracker_watch_client (tracker, client);
  target = copy_address (dial_test_server_get_address (refusing));

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    dial_socket_client_connect_async (client, target, NULL, refused_cb, &refusals);
  g_object_unref (client);
  iterate_until (&refusals.done, n);
  g_clear_object (&target);

  g_test_message ("%u refused connects: %.1f ms", n, ms_since (start));
  g_assert_cmpuint (refusals.done, ==, n);
  g_assert_cmpuint (refusals.refused, ==, n);
  dial_test_tracker_assert_none_alive (tracker);
  dial_test_assert_fds (fds_at_start);
}

/* }}} */

/* {{{ One client, many threads */

typedef struct _Threads Threads;

typedef struct
{
  Threads      *threads;
  GThread      *thread;
  GMainContext *context;     /* async workers: pushed as thread-default */
  gboolean      sync;
  guint         n_connects;
  /* Connectables are the thread's own: GNetworkAddress caches what it
   * resolved without a lock, so GIO's connectables are not to be
   * enumerated from several threads at once.  The client is shared. */
  GSocketConnectable *by_name;     /* THREADS_HOST:port: refused, then the sink */
  GSocketConnectable *by_address;  /* 127.0.0.1:port: the sink */

  /* Touched only by the worker's own thread. */
  guint         done;
  guint         connected;
  guint         n_complete;  /* COMPLETE events seen on this thread */
  guint         wrong_thread;
  guint         wrong_context;
  char         *first_error;
} Worker;

struct _Threads
{
  DialSocketClient   *client;
  DialTestTracker    *tracker;

  GMutex              mutex;
  GCond               cond;
  gboolean            go;          /* under mutex */
  guint               foreign_events;  /* atomic: events on no worker's thread */
};

static GPrivate current_worker;

static GSocketConnectable *
worker_target (Worker *worker,
               guint   i)
{
  return i % 2 == 0 ? worker->by_name : worker->by_address;
}

static void
worker_record (Worker            *worker,
               GSocketConnection *connection,
               GError            *error)
{
  worker->done++;
  if (connection != NULL)
    {
      dial_test_tracker_watch (worker->threads->tracker, connection, "connection");
      worker->connected++;
    }
  else if (worker->first_error == NULL)
    {
      worker->first_error = g_strdup (error->message);
    }
}

static void
on_event (DialSocketClient   *client,
          GSocketClientEvent  event,
          GSocketConnectable *connectable,
          GIOStream          *connection,
          gpointer            user_data)
{
  Threads *threads = user_data;
  Worker *worker = g_private_get (&current_worker);

  if (worker == NULL)
    {
      g_atomic_int_inc (&threads->foreign_events);
      return;
    }

  /* An asynchronous connect reports on the context it was started on;
   * a synchronous one on a private context of its own. */
  if (!worker->sync && g_main_context_get_thread_default () != worker->context)
    worker->wrong_context++;
  if (event == G_SOCKET_CLIENT_COMPLETE)
    worker->n_complete++;
}

static void
worker_connected (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Worker *worker = user_data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  if (g_thread_self () != worker->thread)
    worker->wrong_thread++;
  if (!g_main_context_is_owner (worker->context))
    worker->wrong_context++;

  dial_test_tracker_watch (worker->threads->tracker, result, "task");
  connection = dial_socket_client_connect_finish (DIAL_SOCKET_CLIENT (source), result, &error);
  worker_record (worker, connection, error);
}

static gpointer
worker_run (gpointer data)
{
  Worker *worker = data;
  Threads *threads = worker->threads;

  g_private_set (&current_worker, worker);

  g_mutex_lock (&threads->mutex);
  while (!threads->go)
    g_cond_wait (&threads->cond, &threads->mutex);
  g_mutex_unlock (&threads->mutex);

  if (worker->sync)
    {
      for (guint i = 0; i < worker->n_connects; i++)
        {
          g_autoptr(GSocketConnection) connection = NULL;
          g_autoptr(GError) error = NULL;

          connection = dial_socket_client_connect (threads->client, worker_target (worker, i),
                                                   NULL, &error);
          worker_record (worker, connection, error);
        }
    }
  else
    {
      g_main_context_push_thread_default (worker->context);
      for (guint i = 0; i < worker->n_connects; i++)
        dial_socket_client_connect_async (threads->client, worker_target (worker, i), NULL,
                                          worker_connected, worker);
      iterate_until (&worker->done, worker->n_connects);

      /* Whatever the operations left on this context, before it goes. */
      while (g_main_context_iteration (worker->context, FALSE))
        ;
      g_main_context_pop_thread_default (worker->context);
    }

  g_private_set (&current_worker, NULL);
  return NULL;
}

static void
test_threads (void)
{
  guint n_async = dial_test_under_valgrind () ? 50 : 500;
  guint n_sync = dial_test_under_valgrind () ? 25 : 250;
  Worker workers[N_ASYNC_THREADS + N_SYNC_THREADS] = { 0 };
  g_autoptr(DialTestSink) sink = NULL;
  static const char * const refusing_ips[] = { "::1", "127.0.0.2" };
  g_autoptr(GPtrArray) refusing = g_ptr_array_new_with_free_func ((GDestroyNotify) dial_test_server_free);
  g_autoptr(DialTestTracker) tracker = dial_test_tracker_new ();
  g_autoptr(GError) error = NULL;
  Threads threads = { 0 };
  guint16 port;
  guint fds_at_start;
  gint64 start;

  dial_test_raise_fd_limit ();
  sink = dial_test_sink_new (1, &error);
  g_assert_no_error (error);
  port = dial_test_sink_get_port (sink, 0);

  /* The name's first addresses refuse, so each connect by name fails
   * over to the sink: both paths of the engine, on every thread.  ::1
   * comes first and refuses, so the process-wide family cache learns
   * IPv4 and is read and written from every thread at once. */
  dial_test_mock_resolver_clear (mock_resolver);
  for (guint i = 0; i < G_N_ELEMENTS (refusing_ips); i++)
    {
      g_autoptr(GInetAddress) ip = g_inet_address_new_from_string (refusing_ips[i]);
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (ip, port);
      DialTestServer *server;

      if (g_inet_address_get_family (ip) == G_SOCKET_FAMILY_IPV6 && !dial_test_ipv6_available ())
        continue;
      server = dial_test_server_new_refusing_at (G_INET_SOCKET_ADDRESS (address), NULL);
      if (server == NULL)
        {
          g_test_message ("[%s]:%u is not free: the name goes without it", refusing_ips[i], port);
          continue;
        }
      g_ptr_array_add (refusing, server);
      dial_test_mock_resolver_add_ip (mock_resolver, THREADS_HOST, refusing_ips[i], 0);
    }
  dial_test_mock_resolver_add_ip (mock_resolver, THREADS_HOST, "127.0.0.1", 0);

  fds_at_start = dial_test_count_fds ();

  g_mutex_init (&threads.mutex);
  g_cond_init (&threads.cond);
  threads.tracker = tracker;
  threads.client = dial_socket_client_new ();
  dial_test_tracker_watch_client (tracker, threads.client);
  g_signal_connect (threads.client, "event", G_CALLBACK (on_event), &threads);

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      Worker *worker = &workers[i];
      g_autofree char *name = NULL;

      worker->threads = &threads;
      worker->sync = i >= N_ASYNC_THREADS;
      worker->n_connects = worker->sync ? n_sync : n_async;
      worker->by_name = g_network_address_new (THREADS_HOST, port);
      worker->by_address = copy_address (dial_test_sink_get_address (sink, 0));
      if (!worker->sync)
        worker->context = g_main_context_new ();
      name = g_strdup_printf ("stress-%s-%u", worker->sync ? "sync" : "async", i);
      worker->thread = g_thread_new (name, worker_run, worker);
    }

  start = g_get_monotonic_time ();
  g_mutex_lock (&threads.mutex);
  threads.go = TRUE;
  g_cond_broadcast (&threads.cond);
  g_mutex_unlock (&threads.mutex);

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    g_thread_join (workers[i].thread);
  g_test_message ("%u threads x %u async connects and %u threads x %u sync connects: %.1f ms",
                  N_ASYNC_THREADS, n_async, N_SYNC_THREADS, n_sync, ms_since (start));

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      Worker *worker = &workers[i];

      if (worker->first_error != NULL)
        g_test_message ("worker %u: %s", i, worker->first_error);
      g_assert_cmpuint (worker->done, ==, worker->n_connects);
      g_assert_cmpuint (worker->connected, ==, worker->n_connects);
      g_assert_cmpuint (worker->n_complete, ==, worker->n_connects);
      g_assert_cmpuint (worker->wrong_thread, ==, 0);
      g_assert_cmpuint (worker->wrong_context, ==, 0);
      g_free (worker->first_error);
      g_clear_pointer (&worker->context, g_main_context_unref);
      g_clear_object (&worker->by_name);
      g_clear_object (&worker->by_address);
    }
  g_assert_cmpuint (g_atomic_int_get (&threads.foreign_events), ==, 0);
  g_assert_true (dial_test_sink_wait_accepted (sink, N_ASYNC_THREADS * n_async +
                                                     N_SYNC_THREADS * n_sync));

  g_signal_handlers_disconnect_by_func (threads.client, on_event, &threads);
  g_clear_object (&threads.client);
  dial_test_tracker_assert_none_alive (tracker);
  dial_test_assert_fds (fds_at_start);

  g_mutex_clear (&threads.mutex);
  g_cond_clear (&threads.cond);
}

/* }}} */

static void
warm_up_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_task_return_boolean (task, TRUE);
}

/* Opens what GLib and GIO open once per process (the worker context's
 * wakeup descriptor, the thread pool, the default proxy resolver), so
 * that no test counts it as its own. */
static void
warm_up (void)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  g_task_run_in_thread_sync (task, warm_up_thread);
  g_assert_nonnull (g_proxy_resolver_get_default ());
  g_main_context_default ();
  /* GIO's network monitor (a netlink socket), which libdial's family
   * cache opens the first time it records a winner, once per process. */
  g_assert_nonnull (g_network_monitor_get_default ());
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

  g_test_add_func ("/stress/async/10000", test_async_10000);
  g_test_add_func ("/stress/async/refused-2000", test_async_refused);
  g_test_add_func ("/stress/threads", test_threads);

  ret = g_test_run ();

  g_clear_object (&mock_resolver);
  return ret;
}
