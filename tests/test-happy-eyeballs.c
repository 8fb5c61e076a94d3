/* test-happy-eyeballs.c: racing addresses through the public API, with
 * both drivers: black holes and refusals per family, the attempt delay,
 * the deadline, GIO's enumerator timing, cancellation, and the family
 * cache
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dial/dial.h>

#include "dial-test-events.h"
#include "dial-test-mock-resolver.h"
#include "dial-test-servers.h"

#include <unistd.h>

/*
 * Every test runs twice, under /socket-client/happy-eyeballs/sync/ and
 * /async/: libdial's synchronous connect races addresses too. Each one
 * connects to a name of its own (made from its path), so that the
 * process-wide family cache carries nothing from one test to the next;
 * clients have the cache off except in the cache tests. A test leaves no
 * descriptor behind: the fixture counts them before and, once the servers
 * are gone and the main context is idle, after.
 *
 * Timings are generous windows around what the race promises (a 250 ms
 * attempt delay, GIO's 50 ms resolution delay), not benchmarks.
 */

#define MS G_TIME_SPAN_MILLISECOND

static DialTestMockResolver *mock;

typedef struct
{
  gboolean    async;
  char       *host;        /* this test's own name */
  GPtrArray  *servers;     /* DialTestServer, freed before the fd count */
  GHashTable *fds_before;  /* "fd" → what it points to */
} Fixture;

#define EVENTS(fx, sync_events, async_events) ((fx)->async ? (async_events) : (sync_events))

static void
drain_context (void)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  while (g_main_context_iteration (context, FALSE))
    ;
}

/* The open descriptors, as /proc/self/fd names them. */
static GHashTable *
list_fds (void)
{
  GHashTable *fds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *self_fd_dir = g_strdup_printf ("/proc/%d/fd", (int) getpid ());
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      char *target = g_file_read_link (path, NULL);

      /* Not the descriptor that reads the directory. */
      if (target != NULL && !g_str_equal (target, self_fd_dir))
        g_hash_table_insert (fds, g_strdup (name), target);
      else
        g_free (target);
    }

  return fds;
}

/* No descriptor was opened since @before (and kept); names the ones that
 * were. */
static void
assert_no_new_fds (GHashTable *before)
{
  g_autoptr(GHashTable) after = list_fds ();
  g_autoptr(GString) leaked = g_string_new (NULL);
  GHashTableIter iter;
  gpointer fd, target;

  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &fd, &target))
    if (!g_hash_table_contains (before, fd))
      g_string_append_printf (leaked, "%s%s -> %s", leaked->len ? ", " : "", (char *) fd, (char *) target);

  if (leaked->len > 0)
    g_test_message ("descriptors left behind: %s", leaked->str);
  g_assert_cmpuint (g_hash_table_size (after), ==, g_hash_table_size (before));
  g_assert_cmpuint (dial_test_count_fds (), ==, g_hash_table_size (before));
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *name = g_strdup (g_test_get_path () + 1);

  fx->async = GPOINTER_TO_INT (data);
  /* "/socket-client/happy-eyeballs/async/v6-black-hole" →
   * "socket-client.happy-eyeballs.async.v6-black-hole.test" */
  g_strdelimit (name, "/_", '.');
  fx->host = g_strconcat (name, ".test", NULL);

  dial_test_mock_resolver_clear (mock);
  drain_context ();
  fx->fds_before = list_fds ();
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_pointer (&fx->servers, g_ptr_array_unref);
  drain_context ();
  assert_no_new_fds (fx->fds_before);
  g_clear_pointer (&fx->fds_before, g_hash_table_unref);

  dial_test_mock_resolver_clear (mock);
  g_free (fx->host);
}

static gboolean
require_ipv6 (void)
{
  if (!dial_test_ipv6_available ())
    {
      g_test_skip ("::1 is not available");
      return FALSE;
    }
  return TRUE;
}

/* Creates the servers, one per (IP, kind) pair, all on one port, and
 * returns the port. */
#define servers_new(fx, ...) \
  servers_take ((fx), dial_test_servers_new_same_port (&servers_error, __VA_ARGS__, NULL))

static GError *servers_error;

static guint16
servers_take (Fixture   *fx,
              GPtrArray *servers)
{
  g_assert_no_error (servers_error);
  g_assert_nonnull (servers);
  g_assert_null (fx->servers);
  fx->servers = servers;
  return dial_test_server_get_port (g_ptr_array_index (servers, 0));
}

#define server_at(fx, i) ((DialTestServer *) g_ptr_array_index ((fx)->servers, (i)))

static DialSocketClient *
client_new (gboolean family_cache)
{
  DialSocketClient *client = dial_socket_client_new ();

  dial_socket_client_set_family_cache (client, family_cache);
  return client;
}

/* Drops the last reference to @client: no operation keeps it. */
static void
assert_finalized (DialSocketClient *client)
{
  g_object_add_weak_pointer (G_OBJECT (client), (gpointer *) &client);
  g_object_unref (client);
  drain_context ();
  g_assert_null (client);
}

/* The synchronous connect, with what the spec promises of every call:
 * COMPLETE exactly once, last, carrying the result; a result or an
 * error. */
static GSocketConnection *
connect_sync (DialSocketClient    *client,
              GSocketConnectable  *connectable,
              GCancellable        *cancellable,
              DialTestEvents      *events,
              GError             **error)
{
  guint first = dial_test_events_len (events);
  g_autoptr(GError) local_error = NULL;
  GSocketConnection *connection;
  const DialTestEvent *last;
  guint n_complete = 0;

  connection = dial_socket_client_connect (client, connectable, cancellable, &local_error);
  g_assert_true ((connection == NULL) != (local_error == NULL));

  for (guint i = first; i < dial_test_events_len (events); i++)
    if (dial_test_events_get (events, i)->event == G_SOCKET_CLIENT_COMPLETE)
      n_complete++;
  g_assert_cmpuint (n_complete, ==, 1);
  last = dial_test_events_get (events, dial_test_events_len (events) - 1);
  g_assert_cmpint (last->event, ==, G_SOCKET_CLIENT_COMPLETE);
  g_assert_true (last->connection == (GIOStream *) connection);

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return connection;
}

static GSocketConnection *
do_connect (Fixture             *fx,
            DialSocketClient    *client,
            GSocketConnectable  *connectable,
            GCancellable        *cancellable,
            DialTestEvents      *events,
            GError             **error)
{
  if (fx->async)
    return dial_test_connect_async_wait (client, connectable, cancellable, events, error);
  return connect_sync (client, connectable, cancellable, events, error);
}

/* The family of the socket behind an event's connection. */
static GSocketFamily
event_family (DialTestEvents *events,
              guint           index)
{
  const DialTestEvent *event = dial_test_events_get (events, index);

  g_assert_true (G_IS_SOCKET_CONNECTION (event->connection));
  return g_socket_get_family (g_socket_connection_get_socket (G_SOCKET_CONNECTION (event->connection)));
}

/* Microseconds from event @from to event @to. */
static gint64
event_gap (DialTestEvents *events,
           guint           from,
           guint           to)
{
  return dial_test_events_get (events, to)->time_us - dial_test_events_get (events, from)->time_us;
}

static void
assert_remote (GSocketConnection *connection,
               const char        *ip,
               guint16            port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, &error);
  g_autofree char *got = NULL;

  g_assert_no_error (error);
  got = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  g_assert_cmpstr (got, ==, ip);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)), ==, port);
}

/* The CONNECTED event and the result are the same, last, connection. */
static void
assert_won_by_last_connected (DialTestEvents    *events,
                              GSocketConnection *connection)
{
  const DialTestEvent *connected = dial_test_events_find_last (events, G_SOCKET_CLIENT_CONNECTED);

  g_assert_nonnull (connected);
  g_assert_true (connected->connection == (GIOStream *) connection);
}

/* A cancel from another thread after @ms: it works the same for both
 * drivers (the synchronous one blocks this thread). */
typedef struct
{
  GCancellable *cancellable;
  guint         ms;
  gint64        cancelled_at;
  GThread      *thread;
} Canceller;

static gpointer
canceller_thread (gpointer data)
{
  Canceller *canceller = data;

  g_usleep (canceller->ms * MS);
  canceller->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (canceller->cancellable);
  return NULL;
}

static void
canceller_start (Canceller    *canceller,
                 GCancellable *cancellable,
                 guint         ms)
{
  canceller->cancellable = cancellable;
  canceller->ms = ms;
  canceller->thread = g_thread_new ("canceller", canceller_thread, canceller);
}

static void
canceller_join (Canceller *canceller)
{
  g_thread_join (g_steal_pointer (&canceller->thread));
  g_assert_cmpint (canceller->cancelled_at, >, 0);
}

/* ---- one family broken -------------------------------------------------- */

/* Resolver answers for the usual dual-stack name: AAAA at once, A 10 ms
 * later, so that ::1 is tried first. */
static void
resolve_v6_first (Fixture *fx)
{
  dial_test_mock_resolver_add_ip (mock, fx->host, "::1", 0);
  dial_test_mock_resolver_add_ip (mock, fx->host, "127.0.0.1", 10);
}

/* ::1 black-holed: 127.0.0.1 starts at the attempt delay and wins. */
static void
test_v6_black_hole (Fixture       *fx,
                    gconstpointer  data)
{
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 delay;
  guint16 port;

  if (!require_ipv6 ())
    return;

  port = servers_new (fx, "::1", DIAL_TEST_SERVER_BLACK_HOLE,
                          "127.0.0.1", DIAL_TEST_SERVER_ACCEPTING);
  resolve_v6_first (fx);
  client = client_new (FALSE);
  events = dial_test_events_new (client);
  connectable = g_network_address_new (fx->host, port);

  connection = do_connect (fx, client, connectable, NULL, events, &error);
  g_assert_no_error (error);
  dial_test_events_assert (events, "R Rd C C Cd X");
  g_assert_cmpint (event_family (events, 2), ==, G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (event_family (events, 3), ==, G_SOCKET_FAMILY_IPV4);
  assert_won_by_last_connected (events, connection);
  g_assert_true (dial_test_events_get (events, 4)->connection == dial_test_events_get (events, 3)->connection);
  assert_remote (connection, "127.0.0.1", port);

  delay = event_gap (events, 2, 3);
  g_assert_cmpint (delay, >=, 200 * MS);
  g_assert_cmpint (delay, <, 1500 * MS);

  g_clear_object (&connection);
  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

/* ::1 refused: 127.0.0.1 is tried at once, no attempt delay. */
static void
test_v6_refused (Fixture       *fx,
                 gconstpointer  data)
{
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  if (!require_ipv6 ())
    return;

  port = servers_new (fx, "::1", DIAL_TEST_SERVER_REFUSING,
                          "127.0.0.1", DIAL_TEST_SERVER_ACCEPTING);
  resolve_v6_first (fx);
  client = client_new (FALSE);
  events = dial_test_events_new (client);
  connectable = g_network_address_new (fx->host, port);

  connection = do_connect (fx, client, connectable, NULL, events, &error);
  g_assert_no_error (error);
  dial_test_events_assert (events, "R Rd C C Cd X");
  g_assert_cmpint (event_family (events, 2), ==, G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (event_family (events, 3), ==, G_SOCKET_FAMILY_IPV4);
  assert_won_by_last_connected (events, connection);
  assert_remote (connection, "127.0.0.1", port);
  g_assert_cmpint (event_gap (events, 2, 3), <, 200 * MS);

  g_clear_object (&connection);
  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

/* 127.0.0.1 black-holed and tried first (A answers first; AAAA 20 ms
 * later, inside the resolution delay, still comes second): ::1 starts at
 * the attempt delay and wins. */
static void
test_v4_black_hole (Fixture       *fx,
                    gconstpointer  data)
{
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 delay;
  guint16 port;

  if (!require_ipv6 ())
    return;

  port = servers_new (fx, "::1", DIAL_TEST_SERVER_ACCEPTING,
                          "127.0.0.1", DIAL_TEST_SERVER_BLACK_HOLE);
  dial_test_mock_resolver_add_ip (mock, fx->host, "127.0.0.1", 0);
  dial_test_mock_resolver_add_ip (mock, fx->host, "::1", 20);
  client = client_new (FALSE);
  events = dial_test_events_new (client);
  connectable = g_network_address_new (fx->host, port);

  connection = do_connect (fx, client, connectable, NULL, events, &error);
  g_assert_no_error (error);
  dial_test_events_assert (events, "R Rd C C Cd X");
  g_assert_cmpint (event_family (events, 2), ==, G_SOCKET_FAMILY_IPV4);
  g_assert_cmpint (event_family (events, 3), ==, G_SOCKET_FAMILY_IPV6);
  assert_won_by_last_connected (events, connection);
  assert_remote (connection, "::1", port);

  delay = event_gap (events, 2, 3);
  g_assert_cmpint (delay, >=, 200 * MS);
  g_assert_cmpint (delay, <, 1500 * MS);

  g_clear_object (&connection);
  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

/* ---- the deadline -------------------------------------------------------- */

/* Both families black-holed, deadline = 500 ms: TIMED_OUT at 500 ms,
 * while connecting, both attempts released. */
static void
test_deadline_connecting (Fixture       *fx,
                          gconstpointer  data)
{
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gint64 took;
  guint16 port;

  if (!require_ipv6 ())
    return;

  port = servers_new (fx, "::1", DIAL_TEST_SERVER_BLACK_HOLE,
                          "127.0.0.1", DIAL_TEST_SERVER_BLACK_HOLE);
  resolve_v6_first (fx);
  client = client_new (FALSE);
  dial_socket_client_set_deadline (client, 500);
  events = dial_test_events_new (client);
  connectable = g_network_address_new (fx->host, port);

  connection = do_connect (fx, client, connectable, NULL, events, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  message = g_strdup_printf ("Connecting to %s timed out after 500 ms while connecting", fx->host);
  g_assert_cmpstr (error->message, ==, message);
  dial_test_events_assert (events, "R Rd C C X");
  g_assert_cmpint (event_family (events, 2), ==, G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (event_family (events, 3), ==, G_SOCKET_FAMILY_IPV4);

  took = event_gap (events, 0, 4);
  g_assert_cmpint (took, >=, 450 * MS);
  g_assert_cmpint (took, <, 1500 * MS);

  /* Nothing more from the released attempts. */
  drain_context ();
  g_assert_cmpuint (dial_test_events_len (events), ==, 5);

  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

/* Both lookups take 2 s, deadline = 300 ms: TIMED_OUT while resolving. */
static void
test_deadline_resolving (Fixture       *fx,
                         gconstpointer  data)
{
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gint64 took;

  dial_test_mock_resolver_add_ip (mock, fx->host, "::1", 2000);
  dial_test_mock_resolver_add_ip (mock, fx->host, "127.0.0.1", 2000);
  client = client_new (FALSE);
  dial_socket_client_set_deadline (client, 300);
  events = dial_test_events_new (client);
  connectable = g_network_address_new (fx->host, 443);

  connection = do_connect (fx, client, connectable, NULL, events, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  message = g_strdup_printf ("Connecting to %s timed out after 300 ms while resolving the name", fx->host);
  g_assert_cmpstr (error->message, ==, message);
  dial_test_events_assert (events, "R X");

  took = event_gap (events, 0, 1);
  g_assert_cmpint (took, >=, 250 * MS);
  g_assert_cmpint (took, <, 1500 * MS);

  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

/* ---- GIO's enumerator: the resolution delay (spec §3.2) ------------------ */

/* A at 0 ms, AAAA at 20 ms, inside the 50 ms resolution delay: the first
 * address is still 127.0.0.1 (GIO's quirk 1), and ::1 is known as soon as
 * it fails. */
static void
test_aaaa_late_less (Fixture       *fx,
                     gconstpointer  data)
{
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  if (!require_ipv6 ())
    return;

  port = servers_new (fx, "::1", DIAL_TEST_SERVER_ACCEPTING,
                          "127.0.0.1", DIAL_TEST_SERVER_REFUSING);
  dial_test_mock_resolver_add_ip (mock, fx->host, "127.0.0.1", 0);
  dial_test_mock_resolver_add_ip (mock, fx->host, "::1", 20);
  client = client_new (FALSE);
  events = dial_test_events_new (client);
  connectable = g_network_address_new (fx->host, port);

  connection = do_connect (fx, client, connectable, NULL, events, &error);
  g_assert_no_error (error);
  dial_test_events_assert (events, "R Rd C C Cd X");
  g_assert_cmpint (event_family (events, 2), ==, G_SOCKET_FAMILY_IPV4);
  g_assert_cmpint (event_family (events, 3), ==, G_SOCKET_FAMILY_IPV6);
  assert_remote (connection, "::1", port);

  /* RESOLVED waited for AAAA, which came before the 50 ms mark, and ::1
   * needed no further lookup. */
  g_assert_cmpint (event_gap (events, 0, 1), >=, 15 * MS);
  g_assert_cmpint (event_gap (events, 0, 3), <, 80 * MS);

  g_clear_object (&connection);
  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

/* A at 0 ms, AAAA at 100 ms, after the resolution delay: 127.0.0.1 comes
 * at the 50 ms mark, ::1 only when AAAA answers. */
static void
test_aaaa_late_more (Fixture       *fx,
                     gconstpointer  data)
{
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  if (!require_ipv6 ())
    return;

  port = servers_new (fx, "::1", DIAL_TEST_SERVER_ACCEPTING,
                          "127.0.0.1", DIAL_TEST_SERVER_REFUSING);
  dial_test_mock_resolver_add_ip (mock, fx->host, "127.0.0.1", 0);
  dial_test_mock_resolver_add_ip (mock, fx->host, "::1", 100);
  client = client_new (FALSE);
  events = dial_test_events_new (client);
  connectable = g_network_address_new (fx->host, port);

  connection = do_connect (fx, client, connectable, NULL, events, &error);
  g_assert_no_error (error);
  dial_test_events_assert (events, "R Rd C C Cd X");
  g_assert_cmpint (event_family (events, 2), ==, G_SOCKET_FAMILY_IPV4);
  g_assert_cmpint (event_family (events, 3), ==, G_SOCKET_FAMILY_IPV6);
  assert_remote (connection, "::1", port);

  g_assert_cmpint (event_gap (events, 0, 1), >=, 45 * MS);
  g_assert_cmpint (event_gap (events, 0, 3), >=, 95 * MS);
  g_assert_cmpint (event_gap (events, 0, 3), <, 1000 * MS);

  g_clear_object (&connection);
  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

static void
set_a_error (Fixture *fx,
             guint    delay_ms)
{
  g_autoptr(GError) error = NULL;

  error = g_error_new (G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                       "Error resolving “%s”: No address associated with hostname", fx->host);
  dial_test_mock_resolver_set_error (mock, fx->host, G_SOCKET_FAMILY_IPV4, error, delay_ms);
}

/* A fails at once, AAAA answers within the resolution delay: ::1 wins. */
static void
test_a_fails_aaaa_ok (Fixture       *fx,
                      gconstpointer  data)
{
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DialTestServer) server = NULL;

  if (!require_ipv6 ())
    return;

  server = dial_test_server_new_accepting (G_SOCKET_FAMILY_IPV6, FALSE, &error);
  g_assert_no_error (error);
  set_a_error (fx, 0);
  dial_test_mock_resolver_add_ip (mock, fx->host, "::1", 20);
  client = client_new (FALSE);
  events = dial_test_events_new (client);
  connectable = g_network_address_new (fx->host, dial_test_server_get_port (server));

  connection = do_connect (fx, client, connectable, NULL, events, &error);
  g_assert_no_error (error);
  dial_test_events_assert (events, "R Rd C Cd X");
  g_assert_cmpint (event_family (events, 2), ==, G_SOCKET_FAMILY_IPV6);
  assert_remote (connection, "::1", dial_test_server_get_port (server));

  g_clear_object (&connection);
  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

/* A fails at once, AAAA answers after the resolution delay: GIO's
 * enumerator fails with the A error at the 50 ms mark and the IPv6 answer
 * is lost (quirk 2). The synchronous driver emits RESOLVED after a failed
 * first lookup, as GIO's synchronous connect does. */
static void
test_a_fails_aaaa_late (Fixture       *fx,
                        gconstpointer  data)
{
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DialTestServer) server = NULL;
  g_autofree char *message = NULL;

  if (!require_ipv6 ())
    return;

  server = dial_test_server_new_accepting (G_SOCKET_FAMILY_IPV6, FALSE, &error);
  g_assert_no_error (error);
  set_a_error (fx, 0);
  dial_test_mock_resolver_add_ip (mock, fx->host, "::1", 100);
  client = client_new (FALSE);
  events = dial_test_events_new (client);
  connectable = g_network_address_new (fx->host, dial_test_server_get_port (server));

  connection = do_connect (fx, client, connectable, NULL, events, &error);
  g_assert_null (connection);
  g_assert_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
  message = g_strdup_printf ("Error resolving “%s”: No address associated with hostname", fx->host);
  g_assert_cmpstr (error->message, ==, message);
  dial_test_events_assert (events, EVENTS (fx, "R Rd X", "R X"));
  g_assert_cmpint (event_gap (events, 0, dial_test_events_len (events) - 1), >=, 45 * MS);
  g_assert_cmpuint (dial_test_server_get_accepted (server), ==, 0);

  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

/* ::1 accepts while the A lookup still has 300 ms to go: the connect
 * does not wait for it, and its late answer leaves nothing behind (the
 * synchronous driver's private main context, in particular, is not kept
 * alive by a lookup still pending on it). */
static void
test_win_before_a (Fixture       *fx,
                   gconstpointer  data)
{
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DialTestServer) server = NULL;

  if (!require_ipv6 ())
    return;

  server = dial_test_server_new_accepting (G_SOCKET_FAMILY_IPV6, FALSE, &error);
  g_assert_no_error (error);
  dial_test_mock_resolver_add_ip (mock, fx->host, "::1", 0);
  dial_test_mock_resolver_add_ip (mock, fx->host, "127.0.0.1", 300);
  client = client_new (FALSE);
  events = dial_test_events_new (client);
  connectable = g_network_address_new (fx->host, dial_test_server_get_port (server));

  connection = do_connect (fx, client, connectable, NULL, events, &error);
  g_assert_no_error (error);
  dial_test_events_assert (events, "R Rd C Cd X");
  assert_remote (connection, "::1", dial_test_server_get_port (server));
  g_assert_cmpint (event_gap (events, 0, 4), <, 150 * MS);

  g_clear_object (&connection);
  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

/* ---- many addresses ------------------------------------------------------ */

static gboolean
require_more_ipv4_loopbacks (void)
{
  g_autoptr(GInetAddress) ip = g_inet_address_new_from_string ("127.0.0.8");
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (ip, 0);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);

  if (socket == NULL || !g_socket_bind (socket, address, FALSE, NULL))
    {
      g_test_skip ("127.0.0.8 cannot be bound");
      return FALSE;
    }
  return TRUE;
}

/* Six refused addresses, then one that accepts: each failure starts the
 * next at once, with no attempt delay. */
static void
test_many_addresses (Fixture       *fx,
                     gconstpointer  data)
{
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GList *addresses = NULL;
  guint16 port;

  if (!require_more_ipv4_loopbacks ())
    return;

  port = servers_new (fx, "127.0.0.2", DIAL_TEST_SERVER_REFUSING,
                          "127.0.0.3", DIAL_TEST_SERVER_REFUSING,
                          "127.0.0.4", DIAL_TEST_SERVER_REFUSING,
                          "127.0.0.5", DIAL_TEST_SERVER_REFUSING,
                          "127.0.0.6", DIAL_TEST_SERVER_REFUSING,
                          "127.0.0.7", DIAL_TEST_SERVER_REFUSING,
                          "127.0.0.8", DIAL_TEST_SERVER_ACCEPTING);
  for (guint i = 2; i <= 8; i++)
    {
      g_autofree char *ip = g_strdup_printf ("127.0.0.%u", i);

      addresses = g_list_append (addresses, g_inet_address_new_from_string (ip));
    }
  dial_test_mock_resolver_set_addresses (mock, fx->host, G_SOCKET_FAMILY_IPV4, addresses, 0);
  dial_test_mock_resolver_set_addresses (mock, fx->host, G_SOCKET_FAMILY_IPV6, NULL, 0);
  g_list_free_full (addresses, g_object_unref);

  client = client_new (FALSE);
  events = dial_test_events_new (client);
  connectable = g_network_address_new (fx->host, port);

  connection = do_connect (fx, client, connectable, NULL, events, &error);
  g_assert_no_error (error);
  dial_test_events_assert (events, "R Rd C C C C C C C Cd X");
  for (guint i = 2; i < 9; i++)
    g_assert_cmpint (event_family (events, i), ==, G_SOCKET_FAMILY_IPV4);
  assert_won_by_last_connected (events, connection);
  assert_remote (connection, "127.0.0.8", port);
  g_assert_cmpint (event_gap (events, 2, 10), <, 200 * MS);
  g_assert_true (dial_test_server_wait_accepted (server_at (fx, 6), 1));

  g_clear_object (&connection);
  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

/* ---- the attempt-delay property ------------------------------------------ */

static void
test_attempt_delay_property (Fixture       *fx,
                             gconstpointer  data)
{
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 delay;
  guint16 port;

  if (!require_ipv6 ())
    return;

  port = servers_new (fx, "::1", DIAL_TEST_SERVER_BLACK_HOLE,
                          "127.0.0.1", DIAL_TEST_SERVER_ACCEPTING);
  resolve_v6_first (fx);
  client = client_new (FALSE);
  dial_socket_client_set_attempt_delay (client, 100);
  events = dial_test_events_new (client);
  connectable = g_network_address_new (fx->host, port);

  connection = do_connect (fx, client, connectable, NULL, events, &error);
  g_assert_no_error (error);
  dial_test_events_assert (events, "R Rd C C Cd X");
  assert_remote (connection, "127.0.0.1", port);

  /* 100 ms, far from the default 250: generous bounds, since the first
   * CONNECTING is emitted a little after the moment the delay counts
   * from, which a loaded machine stretches. */
  delay = event_gap (events, 2, 3);
  g_assert_cmpint (delay, >=, 50 * MS);
  g_assert_cmpint (delay, <, 200 * MS);

  g_clear_object (&connection);
  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

/* ---- cancellation --------------------------------------------------------- */

typedef enum
{
  CANCEL_RESOLVING,
  CANCEL_FIRST_ATTEMPT,
  CANCEL_BETWEEN_ATTEMPTS,
  CANCEL_SECOND_ATTEMPT,
} CancelMoment;

typedef struct
{
  CancelMoment  moment;
  guint         cancel_ms;
  const char   *events;
} CancelCase;

static const CancelCase cancel_cases[] = {
  /* Both lookups take 2 s. */
  [CANCEL_RESOLVING] = { CANCEL_RESOLVING, 100, "R X" },
  /* ::1 hangs; 127.0.0.1 would start at 250 ms. */
  [CANCEL_FIRST_ATTEMPT] = { CANCEL_FIRST_ATTEMPT, 100, "R Rd C X" },
  /* 127.0.0.1 refused at the 50 ms mark; AAAA comes at 400 ms. */
  [CANCEL_BETWEEN_ATTEMPTS] = { CANCEL_BETWEEN_ATTEMPTS, 150, "R Rd C X" },
  /* Both hang, the second started at 250 ms. */
  [CANCEL_SECOND_ATTEMPT] = { CANCEL_SECOND_ATTEMPT, 400, "R Rd C C X" },
};

static void
test_cancel (Fixture          *fx,
             const CancelCase *cancel_case)
{
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Canceller canceller = { 0 };
  gint64 complete_at;
  guint16 port = 443;

  switch (cancel_case->moment)
    {
    case CANCEL_RESOLVING:
      dial_test_mock_resolver_add_ip (mock, fx->host, "::1", 2000);
      dial_test_mock_resolver_add_ip (mock, fx->host, "127.0.0.1", 2000);
      break;

    case CANCEL_FIRST_ATTEMPT:
      if (!require_ipv6 ())
        return;
      port = servers_new (fx, "::1", DIAL_TEST_SERVER_BLACK_HOLE,
                              "127.0.0.1", DIAL_TEST_SERVER_ACCEPTING);
      resolve_v6_first (fx);
      break;

    case CANCEL_BETWEEN_ATTEMPTS:
      if (!require_ipv6 ())
        return;
      port = servers_new (fx, "::1", DIAL_TEST_SERVER_ACCEPTING,
                              "127.0.0.1", DIAL_TEST_SERVER_REFUSING);
      dial_test_mock_resolver_add_ip (mock, fx->host, "127.0.0.1", 0);
      dial_test_mock_resolver_add_ip (mock, fx->host, "::1", 400);
      break;

    case CANCEL_SECOND_ATTEMPT:
      if (!require_ipv6 ())
        return;
      port = servers_new (fx, "::1", DIAL_TEST_SERVER_BLACK_HOLE,
                              "127.0.0.1", DIAL_TEST_SERVER_BLACK_HOLE);
      resolve_v6_first (fx);
      break;

    default:
      g_assert_not_reached ();
    }

  client = client_new (FALSE);
  events = dial_test_events_new (client);
  connectable = g_network_address_new (fx->host, port);

  canceller_start (&canceller, cancellable, cancel_case->cancel_ms);
  connection = do_connect (fx, client, connectable, cancellable, events, &error);
  canceller_join (&canceller);

  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "Operation was cancelled");
  dial_test_events_assert (events, cancel_case->events);

  /* Promptly after the cancel, not when something else ended. */
  complete_at = dial_test_events_get (events, dial_test_events_len (events) - 1)->time_us;
  g_assert_cmpint (complete_at, >=, canceller.cancelled_at);
  g_assert_cmpint (complete_at - canceller.cancelled_at, <, 150 * MS);

  /* Nothing more from the released attempts. */
  drain_context ();
  dial_test_events_assert (events, cancel_case->events);

  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

static void
test_cancel_resolving (Fixture       *fx,
                       gconstpointer  data)
{
  test_cancel (fx, &cancel_cases[CANCEL_RESOLVING]);
}

static void
test_cancel_first_attempt (Fixture       *fx,
                           gconstpointer  data)
{
  test_cancel (fx, &cancel_cases[CANCEL_FIRST_ATTEMPT]);
}

static void
test_cancel_between_attempts (Fixture       *fx,
                              gconstpointer  data)
{
  test_cancel (fx, &cancel_cases[CANCEL_BETWEEN_ATTEMPTS]);
}

static void
test_cancel_second_attempt (Fixture       *fx,
                            gconstpointer  data)
{
  test_cancel (fx, &cancel_cases[CANCEL_SECOND_ATTEMPT]);
}

/* ---- the family cache ----------------------------------------------------- */

/* One connect to the fixture's name, whose ::1 is black-holed and whose
 * 127.0.0.1 accepts. Returns the events' description; *first_family and
 * *took (R to X) say how it went. */
static char *
cache_connect (Fixture       *fx,
               gboolean       family_cache,
               guint16        port,
               GSocketFamily *first_family,
               gint64        *took)
{
  DialSocketClient *client = client_new (family_cache);
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnectable) connectable = g_network_address_new (fx->host, port);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  char *description;

  connection = do_connect (fx, client, connectable, NULL, events, &error);
  g_assert_no_error (error);
  assert_remote (connection, "127.0.0.1", port);
  assert_won_by_last_connected (events, connection);

  description = dial_test_events_describe (events);
  *first_family = event_family (events, 2);
  *took = event_gap (events, 0, dial_test_events_len (events) - 1);

  g_clear_object (&connection);
  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);

  return description;
}

static guint16
cache_setup (Fixture *fx)
{
  guint16 port;

  port = servers_new (fx, "::1", DIAL_TEST_SERVER_BLACK_HOLE,
                          "127.0.0.1", DIAL_TEST_SERVER_ACCEPTING);
  resolve_v6_first (fx);
  return port;
}

/* The first connect waits for the attempt delay before IPv4 wins; it is
 * remembered, so the second one starts with IPv4 and costs a round trip. */
static void
assert_slow_race (const char    *events,
                  GSocketFamily  first_family,
                  gint64         took)
{
  g_assert_cmpstr (events, ==, "R Rd C C Cd X");
  g_assert_cmpint (first_family, ==, G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (took, >=, 200 * MS);
  g_assert_cmpint (took, <, 1500 * MS);
}

static void
assert_fast_connect (const char    *events,
                     GSocketFamily  first_family,
                     gint64         took)
{
  g_assert_cmpstr (events, ==, "R Rd C Cd X");
  g_assert_cmpint (first_family, ==, G_SOCKET_FAMILY_IPV4);
  g_assert_cmpint (took, <, 150 * MS);
}

static void
test_cache_second_connect (Fixture       *fx,
                           gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  GSocketFamily family;
  gint64 took;
  guint16 port;

  if (!require_ipv6 ())
    return;

  port = cache_setup (fx);
  first = cache_connect (fx, TRUE, port, &family, &took);
  assert_slow_race (first, family, took);

  second = cache_connect (fx, TRUE, port, &family, &took);
  assert_fast_connect (second, family, took);
  g_assert_true (dial_test_server_wait_accepted (server_at (fx, 1), 2));
}

/* With family-cache off, the second connect does not use what the first
 * one (with the cache on) remembered. */
static void
test_cache_off_lookup (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  GSocketFamily family;
  gint64 took;
  guint16 port;

  if (!require_ipv6 ())
    return;

  port = cache_setup (fx);
  first = cache_connect (fx, TRUE, port, &family, &took);
  assert_slow_race (first, family, took);

  second = cache_connect (fx, FALSE, port, &family, &took);
  assert_slow_race (second, family, took);
}

/* A connect with family-cache off remembers nothing for the next one. */
static void
test_cache_off_record (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  GSocketFamily family;
  gint64 took;
  guint16 port;

  if (!require_ipv6 ())
    return;

  port = cache_setup (fx);
  first = cache_connect (fx, FALSE, port, &family, &took);
  assert_slow_race (first, family, took);

  second = cache_connect (fx, TRUE, port, &family, &took);
  assert_slow_race (second, family, took);
}

/* GNetworkMonitor's "network-changed" forgets every winner. */
static void
test_cache_network_change (Fixture       *fx,
                           gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  GSocketFamily family;
  gint64 took;
  guint16 port;

  if (!require_ipv6 ())
    return;

  port = cache_setup (fx);
  first = cache_connect (fx, TRUE, port, &family, &took);
  assert_slow_race (first, family, took);

  g_signal_emit_by_name (g_network_monitor_get_default (), "network-changed", TRUE);

  second = cache_connect (fx, TRUE, port, &family, &took);
  assert_slow_race (second, family, took);
}

/* Connects once with each driver to a name that accepts at once, so that
 * what GLib opens for good the first time (the network monitor, module
 * scans) is open before any test counts descriptors. */
static void
warm_up (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DialTestServer) server = dial_test_server_new_accepting (G_SOCKET_FAMILY_IPV4, FALSE, &error);
  g_autoptr(GSocketConnectable) connectable = NULL;
  DialSocketClient *client = client_new (FALSE);

  g_assert_no_error (error);
  g_network_monitor_get_default ();
  dial_test_mock_resolver_add_ip (mock, "warm-up.test", "127.0.0.1", 0);
  connectable = g_network_address_new ("warm-up.test", dial_test_server_get_port (server));

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GSocketConnection) connection = NULL;

      if (i == 0)
        connection = dial_socket_client_connect (client, connectable, NULL, &error);
      else
        connection = dial_test_connect_async_wait (client, connectable, NULL, NULL, &error);
      g_assert_no_error (error);
    }

  assert_finalized (client);
  dial_test_mock_resolver_clear (mock);
}

int
main (int   argc,
      char *argv[])
{
  static const struct
  {
    const char *name;
    void      (*func) (Fixture *, gconstpointer);
  } tests[] = {
    { "v6-black-hole", test_v6_black_hole },
    { "v6-refused", test_v6_refused },
    { "v4-black-hole", test_v4_black_hole },
    { "deadline-connecting", test_deadline_connecting },
    { "deadline-resolving", test_deadline_resolving },
    { "aaaa-late-less", test_aaaa_late_less },
    { "aaaa-late-more", test_aaaa_late_more },
    { "a-fails-aaaa-ok", test_a_fails_aaaa_ok },
    { "a-fails-aaaa-late", test_a_fails_aaaa_late },
    { "win-before-a", test_win_before_a },
    { "many-addresses", test_many_addresses },
    { "attempt-delay", test_attempt_delay_property },
    { "cancel/resolving", test_cancel_resolving },
    { "cancel/first-attempt", test_cancel_first_attempt },
    { "cancel/between-attempts", test_cancel_between_attempts },
    { "cancel/second-attempt", test_cancel_second_attempt },
    { "family-cache/second-connect", test_cache_second_connect },
    { "family-cache/off-lookup", test_cache_off_lookup },
    { "family-cache/off-record", test_cache_off_record },
    { "family-cache/network-change", test_cache_network_change },
  };

  g_test_init (&argc, &argv, NULL);

  mock = dial_test_mock_resolver_new ();
  dial_test_mock_resolver_install (mock);
  warm_up ();

  for (guint mode = 0; mode < 2; mode++)
    for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
      {
        g_autofree char *path = g_strdup_printf ("/socket-client/happy-eyeballs/%s/%s",
                                                 mode ? "async" : "sync", tests[i].name);

        g_test_add (path, Fixture, GINT_TO_POINTER (mode), fixture_setup, tests[i].func, fixture_teardown);
      }

  return g_test_run ();
}
