/* test-direct-common.h: what test-direct-sync.c and test-direct-async.c
 * share: a scripted connectable and a few assertions.  Included by each
 * of them once; everything is static.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <dial/dial.h>

#include "dial-test-events.h"
#include "dial-test-mock-resolver.h"
#include "dial-test-servers.h"

#include <gio/gunixconnection.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

/* A client for the rows that check GIO's order of addresses. The family
 * cache reorders them on purpose, across connects of the whole process,
 * and has tests of its own (test-happy-eyeballs.c). */
static inline DialSocketClient *
test_client_new (void)
{
  DialSocketClient *client = dial_socket_client_new ();

  dial_socket_client_set_family_cache (client, FALSE);
  return client;
}

/* ---- a connectable whose enumerator is scripted ------------------------ */

/* Yields its addresses, then ends with NULL, or with a copy of its error. */
typedef struct
{
  GSocketAddressEnumerator  parent_instance;
  GList                    *addresses;   /* GSocketAddress, owned */
  GError                   *error;       /* nullable */
} TestScriptedEnumerator;

typedef GSocketAddressEnumeratorClass TestScriptedEnumeratorClass;

static GType test_scripted_enumerator_get_type (void);
G_DEFINE_TYPE (TestScriptedEnumerator, test_scripted_enumerator, G_TYPE_SOCKET_ADDRESS_ENUMERATOR)

static GSocketAddress *
test_scripted_enumerator_next (GSocketAddressEnumerator  *enumerator,
                               GCancellable              *cancellable,
                               GError                   **error)
{
  TestScriptedEnumerator *self = (TestScriptedEnumerator *) enumerator;
  GList *head = self->addresses;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (head != NULL)
    {
      GSocketAddress *address = head->data;

      self->addresses = g_list_delete_link (self->addresses, head);
      return address;
    }

  if (self->error != NULL)
    g_propagate_error (error, g_error_copy (self->error));

  return NULL;
}

static void
test_scripted_enumerator_finalize (GObject *object)
{
  TestScriptedEnumerator *self = (TestScriptedEnumerator *) object;

  g_list_free_full (self->addresses, g_object_unref);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (test_scripted_enumerator_parent_class)->finalize (object);
}

static void
test_scripted_enumerator_class_init (TestScriptedEnumeratorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_scripted_enumerator_finalize;
  /* next_async: GSocketAddressEnumerator's default runs next () in a task. */
  klass->next = test_scripted_enumerator_next;
}

static void
test_scripted_enumerator_init (TestScriptedEnumerator *self)
{
}

typedef struct
{
  GObject  parent_instance;
  GList   *addresses;   /* GSocketAddress, owned */
  GError  *error;       /* nullable */
} TestScriptedConnectable;

typedef GObjectClass TestScriptedConnectableClass;

static GType test_scripted_connectable_get_type (void);
static void test_scripted_connectable_iface_init (GSocketConnectableIface *iface);
G_DEFINE_TYPE_WITH_CODE (TestScriptedConnectable, test_scripted_connectable, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (G_TYPE_SOCKET_CONNECTABLE,
                                                test_scripted_connectable_iface_init))

static gpointer
test_copy_object (gconstpointer object,
                  gpointer      user_data)
{
  return g_object_ref ((gpointer) object);
}

static GSocketAddressEnumerator *
test_scripted_connectable_enumerate (GSocketConnectable *connectable)
{
  TestScriptedConnectable *self = (TestScriptedConnectable *) connectable;
  TestScriptedEnumerator *enumerator = g_object_new (test_scripted_enumerator_get_type (), NULL);

  enumerator->addresses = g_list_copy_deep (self->addresses, test_copy_object, NULL);
  enumerator->error = self->error != NULL ? g_error_copy (self->error) : NULL;

  return G_SOCKET_ADDRESS_ENUMERATOR (enumerator);
}

static void
test_scripted_connectable_iface_init (GSocketConnectableIface *iface)
{
  /* No proxy_enumerate: GIO falls back to enumerate (spec §11.4). */
  iface->enumerate = test_scripted_connectable_enumerate;
}

static void
test_scripted_connectable_finalize (GObject *object)
{
  TestScriptedConnectable *self = (TestScriptedConnectable *) object;

  g_list_free_full (self->addresses, g_object_unref);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (test_scripted_connectable_parent_class)->finalize (object);
}

static void
test_scripted_connectable_class_init (TestScriptedConnectableClass *klass)
{
  klass->finalize = test_scripted_connectable_finalize;
}

static void
test_scripted_connectable_init (TestScriptedConnectable *self)
{
}

/* A connectable that yields nothing, then @error (or just ends). */
static G_GNUC_UNUSED GSocketConnectable *
test_scripted_connectable_new (const GError *error)
{
  TestScriptedConnectable *self = g_object_new (test_scripted_connectable_get_type (), NULL);

  self->error = error != NULL ? g_error_copy (error) : NULL;
  return G_SOCKET_CONNECTABLE (self);
}

/* ---- assertions --------------------------------------------------------- */

/* The result's peer is @ip:@port, as a plain GInetSocketAddress. */
static G_GNUC_UNUSED void
assert_remote (GSocketConnection *connection,
               const char        *ip,
               guint16            port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, &error);
  g_autofree char *got_ip = NULL;

  g_assert_no_error (error);
  g_assert_true (G_OBJECT_TYPE (remote) == G_TYPE_INET_SOCKET_ADDRESS);
  got_ip = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  g_assert_cmpstr (got_ip, ==, ip);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)), ==, port);
}

/* Every event names @connectable itself (the caller's pointer). */
static G_GNUC_UNUSED void
assert_events_connectable (DialTestEvents     *events,
                           GSocketConnectable *connectable)
{
  for (guint i = 0; i < dial_test_events_len (events); i++)
    g_assert_true (dial_test_events_get (events, i)->connectable == connectable);
}

/* The connection argument of every event is the right one for a direct
 * connect: NULL for R and Rd, a new GSocketConnection for each C, for Cd
 * one of those (in a race, not necessarily the latest), and for X the
 * result (NULL on failure), which is the connection of the last Cd. */
static G_GNUC_UNUSED void
assert_events_connections (DialTestEvents    *events,
                           GSocketConnection *result)
{
  g_autoptr(GPtrArray) connecting = g_ptr_array_new ();

  for (guint i = 0; i < dial_test_events_len (events); i++)
    {
      const DialTestEvent *e = dial_test_events_get (events, i);

      switch (e->event)
        {
        case G_SOCKET_CLIENT_RESOLVING:
        case G_SOCKET_CLIENT_RESOLVED:
          g_assert_null (e->connection);
          break;
        case G_SOCKET_CLIENT_CONNECTING:
          g_assert_true (G_IS_SOCKET_CONNECTION (e->connection));
          g_assert_false (g_ptr_array_find (connecting, e->connection, NULL));
          g_ptr_array_add (connecting, e->connection);
          break;
        case G_SOCKET_CLIENT_CONNECTED:
          g_assert_true (g_ptr_array_find (connecting, e->connection, NULL));
          /* Only the result is still connected: libdial closes a loser's
           * socket as soon as it loses, even while someone holds a
           * reference to its connection (GIO leaves it open until the
           * last reference goes). */
          if (e->connection == (GIOStream *) result)
            g_assert_true (g_socket_connection_is_connected (G_SOCKET_CONNECTION (e->connection)));
          break;
        case G_SOCKET_CLIENT_COMPLETE:
          g_assert_true (e->connection == (GIOStream *) result);
          break;
        case G_SOCKET_CLIENT_PROXY_NEGOTIATING:
        case G_SOCKET_CLIENT_PROXY_NEGOTIATED:
        case G_SOCKET_CLIENT_TLS_HANDSHAKING:
        case G_SOCKET_CLIENT_TLS_HANDSHAKED:
        default:
          g_assert_not_reached ();
        }
    }

  if (result != NULL)
    {
      const DialTestEvent *connected = dial_test_events_find_last (events, G_SOCKET_CLIENT_CONNECTED);

      g_assert_nonnull (connected);
      g_assert_true (connected->connection == (GIOStream *) result);
    }
}

/* Runs dial_socket_client_connect () and checks what the spec promises of
 * every sync call (§2.5): COMPLETE exactly once, last, carrying the
 * result; a result or an error, never both. */
static G_GNUC_UNUSED GSocketConnection *
connect_sync (DialSocketClient    *client,
              GSocketConnectable  *connectable,
              GCancellable        *cancellable,
              DialTestEvents      *events,
              GError             **error)
{
  guint first = dial_test_events_len (events);
  g_autoptr(GError) local_error = NULL;
  GSocketConnection *connection;
  guint n_complete = 0;

  connection = dial_socket_client_connect (client, connectable, cancellable, &local_error);
  g_assert_true ((connection == NULL) != (local_error == NULL));

  for (guint i = first; i < dial_test_events_len (events); i++)
    if (dial_test_events_get (events, i)->event == G_SOCKET_CLIENT_COMPLETE)
      n_complete++;
  g_assert_cmpuint (n_complete, ==, 1);
  g_assert_cmpint (dial_test_events_get (events, dial_test_events_len (events) - 1)->event, ==,
                   G_SOCKET_CLIENT_COMPLETE);
  g_assert_true (dial_test_events_get (events, dial_test_events_len (events) - 1)->connection ==
                 (GIOStream *) connection);

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return connection;
}

/* Dispatches whatever is ready on the thread-default context. */
static G_GNUC_UNUSED void
drain_context (void)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  while (g_main_context_iteration (context, FALSE))
    ;
}

/* Drops the test's (last) reference to @client and checks that it is
 * finalized once the context has dispatched what is pending: no
 * operation keeps it (spec §9 item 1). */
static G_GNUC_UNUSED void
assert_finalized (DialSocketClient *client)
{
  g_object_add_weak_pointer (G_OBJECT (client), (gpointer *) &client);
  g_object_unref (client);
  drain_context ();
  g_assert_null (client);
}

static G_GNUC_UNUSED GSocketConnectable *
loopback_address (const char *ip,
                  guint16     port)
{
  return g_network_address_new (ip, port);
}

static G_GNUC_UNUSED gboolean
require_ipv6 (void)
{
  if (!dial_test_ipv6_available ())
    {
      g_test_skip ("::1 is not available");
      return FALSE;
    }
  return TRUE;
}

/* Whether 127.0.0.2 and 127.0.0.3 (Linux's whole 127/8 is loopback) can
 * be bound, for names with several IPv4 addresses. */
static G_GNUC_UNUSED gboolean
require_more_ipv4_loopbacks (void)
{
  g_autoptr(GInetAddress) ip = g_inet_address_new_from_string ("127.0.0.3");
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (ip, 0);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);

  if (socket == NULL || !g_socket_bind (socket, address, FALSE, NULL))
    {
      g_test_skip ("127.0.0.3 cannot be bound");
      return FALSE;
    }
  return TRUE;
}

#define server_at(servers, i) ((DialTestServer *) g_ptr_array_index ((servers), (i)))

/* ---- the rows of spec §2.4 that both drivers share ----------------------
 *
 * Each file sets `async_mode` and `mock` in main () and registers these
 * with add_common_rows ().  Where sync and async differ, the row says so
 * with EVENTS (sync, async). */

static gboolean async_mode;
static DialTestMockResolver *mock;

#define EVENTS(sync_events, async_events) (async_mode ? (async_events) : (sync_events))

static GSocketConnection *
do_connect (DialSocketClient    *client,
            GSocketConnectable  *connectable,
            GCancellable        *cancellable,
            DialTestEvents      *events,
            GError             **error)
{
  if (async_mode)
    return dial_test_connect_async_wait (client, connectable, cancellable, events, error);
  return connect_sync (client, connectable, cancellable, events, error);
}

static DialTestServer *
new_server (DialTestServerKind kind,
            GSocketFamily      family)
{
  g_autoptr(GError) error = NULL;
  DialTestServer *server = NULL;

  switch (kind)
    {
    case DIAL_TEST_SERVER_ACCEPTING:
      server = dial_test_server_new_accepting (family, FALSE, &error);
      break;
    case DIAL_TEST_SERVER_REFUSING:
      server = dial_test_server_new_refusing (family, &error);
      break;
    case DIAL_TEST_SERVER_BLACK_HOLE:
      server = dial_test_server_new_black_hole (family, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_no_error (error);

  return server;
}

static void
row_ip_literal (void)
{
  g_autoptr(DialTestServer) server = new_server (DIAL_TEST_SERVER_ACCEPTING, G_SOCKET_FAMILY_IPV4);
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnectable) connectable = loopback_address ("127.0.0.1", dial_test_server_get_port (server));
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *socket;

  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_no_error (error);
  dial_test_events_assert (events, "R Rd C Cd X");
  assert_events_connectable (events, connectable);
  assert_events_connections (events, connection);

  g_assert_true (G_OBJECT_TYPE (connection) == G_TYPE_TCP_CONNECTION);
  g_assert_true (g_socket_connection_is_connected (connection));
  assert_remote (connection, "127.0.0.1", dial_test_server_get_port (server));
  socket = g_socket_connection_get_socket (connection);
  g_assert_true (g_socket_get_blocking (socket));
  g_assert_cmpuint (g_socket_get_timeout (socket), ==, 0);
  g_assert_cmpint (g_socket_get_family (socket), ==, G_SOCKET_FAMILY_IPV4);
  g_assert_cmpint (g_socket_get_socket_type (socket), ==, G_SOCKET_TYPE_STREAM);
  g_assert_true (dial_test_server_wait_accepted (server, 1));

  assert_finalized (client);
}

/* "dual.test" → ::1 (refused), 127.0.0.1 (ok).  The A answer comes
 * 100 ms after AAAA, past GNetworkAddress's 50 ms resolution delay, so
 * that its async enumerator surely yields ::1 first (spec §3.2: an A
 * answer that comes first would put 127.0.0.1 first). */
static void
row_name_ipv6_refused_ipv4_ok (void)
{
  g_autoptr(GPtrArray) servers = NULL;
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  const DialTestEvent *c1, *c2;
  guint16 port;

  if (!require_ipv6 ())
    return;

  servers = dial_test_servers_new_same_port (&error,
                                             "::1", DIAL_TEST_SERVER_REFUSING,
                                             "127.0.0.1", DIAL_TEST_SERVER_ACCEPTING,
                                             NULL);
  g_assert_no_error (error);
  port = dial_test_server_get_port (server_at (servers, 0));

  dial_test_mock_resolver_clear (mock);
  dial_test_mock_resolver_add_ip (mock, "dual.test", "::1", 0);
  dial_test_mock_resolver_add_ip (mock, "dual.test", "127.0.0.1", 100);

  client = test_client_new ();
  events = dial_test_events_new (client);
  connectable = g_network_address_new ("dual.test", port);
  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_no_error (error);

  /* No event marks the failed attempt: only the next C shows it. */
  dial_test_events_assert (events, "R Rd C C Cd X");
  assert_events_connectable (events, connectable);
  assert_events_connections (events, connection);
  c1 = dial_test_events_get (events, 2);
  c2 = dial_test_events_get (events, 3);
  g_assert_cmpint (g_socket_get_family (g_socket_connection_get_socket (G_SOCKET_CONNECTION (c1->connection))),
                   ==, G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (g_socket_get_family (g_socket_connection_get_socket (G_SOCKET_CONNECTION (c2->connection))),
                   ==, G_SOCKET_FAMILY_IPV4);
  g_assert_true (c2->connection == dial_test_events_get (events, 4)->connection);

  g_assert_true (G_IS_TCP_CONNECTION (connection));
  assert_remote (connection, "127.0.0.1", port);
  g_assert_true (dial_test_server_wait_accepted (server_at (servers, 1), 1));

  assert_finalized (client);
}

static void
row_three_ipv4_two_refused (void)
{
  g_autoptr(GPtrArray) servers = NULL;
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  if (!require_more_ipv4_loopbacks ())
    return;

  servers = dial_test_servers_new_same_port (&error,
                                             "127.0.0.1", DIAL_TEST_SERVER_REFUSING,
                                             "127.0.0.2", DIAL_TEST_SERVER_REFUSING,
                                             "127.0.0.3", DIAL_TEST_SERVER_ACCEPTING,
                                             NULL);
  g_assert_no_error (error);
  port = dial_test_server_get_port (server_at (servers, 0));

  dial_test_mock_resolver_clear (mock);
  dial_test_mock_resolver_add_ip (mock, "three.test", "127.0.0.1", 0);
  dial_test_mock_resolver_add_ip (mock, "three.test", "127.0.0.2", 0);
  dial_test_mock_resolver_add_ip (mock, "three.test", "127.0.0.3", 0);

  client = test_client_new ();
  events = dial_test_events_new (client);
  connectable = g_network_address_new ("three.test", port);
  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_no_error (error);

  dial_test_events_assert (events, "R Rd C C C Cd X");
  assert_events_connectable (events, connectable);
  assert_events_connections (events, connection);
  assert_remote (connection, "127.0.0.3", port);
  g_assert_true (dial_test_server_wait_accepted (server_at (servers, 2), 1));

  assert_finalized (client);
}

static void
row_dns_failure (void)
{
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnectable) connectable = g_network_address_new ("nowhere.test", 80);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  dial_test_mock_resolver_clear (mock);

  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_null (connection);
  /* The resolver's error, unprefixed. */
  g_assert_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "Error resolving “nowhere.test”: Name or service not known");
  /* Sync emits RESOLVED even though resolution failed; async does not. */
  dial_test_events_assert (events, EVENTS ("R Rd X", "R X"));
  assert_events_connectable (events, connectable);
  assert_events_connections (events, NULL);

  assert_finalized (client);
}

static void
row_all_refused (void)
{
  g_autoptr(GPtrArray) servers = NULL;
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ipv6 = dial_test_ipv6_available ();
  guint16 port;

  /* ::1 and 127.0.0.1 where possible, else two IPv4 loopbacks. */
  if (!ipv6 && !require_more_ipv4_loopbacks ())
    return;

  servers = dial_test_servers_new_same_port (&error,
                                             ipv6 ? "::1" : "127.0.0.2", DIAL_TEST_SERVER_REFUSING,
                                             "127.0.0.1", DIAL_TEST_SERVER_REFUSING,
                                             NULL);
  g_assert_no_error (error);
  port = dial_test_server_get_port (server_at (servers, 0));

  dial_test_mock_resolver_clear (mock);
  dial_test_mock_resolver_add_ip (mock, "dual.test", ipv6 ? "::1" : "127.0.0.2", 0);
  dial_test_mock_resolver_add_ip (mock, "dual.test", "127.0.0.1", 100);

  client = test_client_new ();
  events = dial_test_events_new (client);
  connectable = g_network_address_new ("dual.test", port);
  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpstr (error->message, ==, "Could not connect to dual.test: Connection refused");
  dial_test_events_assert (events, "R Rd C C X");
  assert_events_connectable (events, connectable);
  assert_events_connections (events, NULL);

  assert_finalized (client);
}

/* Cancelling from the CONNECTING handler gives CANCELLED in both drivers,
 * whether the connect would hang (a black hole) or succeed at once. */
static void
check_cancel_connecting (DialTestServerKind kind)
{
  g_autoptr(DialTestServer) server = new_server (kind, G_SOCKET_FAMILY_IPV4);
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnectable) connectable = loopback_address ("127.0.0.1", dial_test_server_get_port (server));
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  dial_test_events_cancel_on (events, G_SOCKET_CLIENT_CONNECTING, cancellable);
  connection = do_connect (client, connectable, cancellable, events, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "Operation was cancelled");
  dial_test_events_assert (events, "R Rd C X");
  assert_events_connectable (events, connectable);
  assert_events_connections (events, NULL);

  assert_finalized (client);
}

static void
row_cancel_connecting (void)
{
  check_cancel_connecting (DIAL_TEST_SERVER_BLACK_HOLE);
}

static void
row_cancel_connecting_accepting (void)
{
  check_cancel_connecting (DIAL_TEST_SERVER_ACCEPTING);
}

/* After the last step, sync no longer looks at the cancellable; async
 * checks it once more at completion (spec §2.2 step 11, §2.3). */
static void
row_cancel_connected (void)
{
  g_autoptr(DialTestServer) server = new_server (DIAL_TEST_SERVER_ACCEPTING, G_SOCKET_FAMILY_IPV4);
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnectable) connectable = loopback_address ("127.0.0.1", dial_test_server_get_port (server));
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  dial_test_events_cancel_on (events, G_SOCKET_CLIENT_CONNECTED, cancellable);
  connection = do_connect (client, connectable, cancellable, events, &error);
  g_assert_true (g_cancellable_is_cancelled (cancellable));
  dial_test_events_assert (events, "R Rd C Cd X");
  assert_events_connectable (events, connectable);
  if (async_mode)
    {
      g_assert_null (connection);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpstr (error->message, ==, "Operation was cancelled");
    }
  else
    {
      g_assert_no_error (error);
      g_assert_true (G_IS_TCP_CONNECTION (connection));
      assert_remote (connection, "127.0.0.1", dial_test_server_get_port (server));
    }
  assert_events_connections (events, connection);

  assert_finalized (client);
}

/* UDP over a STREAM socket: g_socket_new () fails, so no CONNECTING. */
static void
row_socket_creation_failure (void)
{
  g_autoptr(DialTestServer) server = new_server (DIAL_TEST_SERVER_ACCEPTING, G_SOCKET_FAMILY_IPV4);
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnectable) connectable = loopback_address ("127.0.0.1", dial_test_server_get_port (server));
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  dial_socket_client_set_protocol (client, G_SOCKET_PROTOCOL_UDP);
  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_cmpstr (error->message, ==, "Unable to create socket: Protocol not supported");
  dial_test_events_assert (events, "R Rd X");
  assert_events_connectable (events, connectable);
  assert_events_connections (events, NULL);
  g_assert_cmpuint (dial_test_server_get_accepted (server), ==, 0);

  assert_finalized (client);
}

/* A local address whose port another socket listens on. */
static void
row_bind_failure (void)
{
  g_autoptr(DialTestServer) target = new_server (DIAL_TEST_SERVER_ACCEPTING, G_SOCKET_FAMILY_IPV4);
  g_autoptr(DialTestServer) occupant = new_server (DIAL_TEST_SERVER_ACCEPTING, G_SOCKET_FAMILY_IPV4);
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnectable) connectable = loopback_address ("127.0.0.1", dial_test_server_get_port (target));
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  dial_socket_client_set_local_address (client, G_SOCKET_ADDRESS (dial_test_server_get_address (occupant)));
  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  expected = g_strdup_printf ("Error binding to address 127.0.0.1:%u: Address already in use",
                              dial_test_server_get_port (occupant));
  g_assert_cmpstr (error->message, ==, expected);
  dial_test_events_assert (events, "R Rd X");
  assert_events_connectable (events, connectable);
  assert_events_connections (events, NULL);
  g_assert_cmpuint (dial_test_server_get_accepted (target), ==, 0);

  assert_finalized (client);
}

static void
row_timeout_property (void)
{
  g_autoptr(DialTestServer) server = new_server (DIAL_TEST_SERVER_ACCEPTING, G_SOCKET_FAMILY_IPV4);
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnectable) connectable = loopback_address ("127.0.0.1", dial_test_server_get_port (server));
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *socket;

  dial_socket_client_set_timeout (client, 7);
  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_no_error (error);
  dial_test_events_assert (events, "R Rd C Cd X");
  socket = g_socket_connection_get_socket (connection);
  g_assert_cmpuint (g_socket_get_timeout (socket), ==, 7);
  /* Returned sockets are blocking, in both drivers. */
  g_assert_true (g_socket_get_blocking (socket));

  assert_finalized (client);
}

/* A fixed, free local port is used, and the peer sees it. */
static void
row_local_address (void)
{
  g_autoptr(DialTestServer) server = new_server (DIAL_TEST_SERVER_ACCEPTING, G_SOCKET_FAMILY_IPV4);
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnectable) connectable = loopback_address ("127.0.0.1", dial_test_server_get_port (server));
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetSocketAddress) peer = NULL;
  g_autoptr(GError) error = NULL;
  guint16 local_port;

  /* A port that was free a moment ago: the refusing server's, released. */
  {
    g_autoptr(DialTestServer) probe = new_server (DIAL_TEST_SERVER_REFUSING, G_SOCKET_FAMILY_IPV4);

    local_port = dial_test_server_get_port (probe);
    local = g_object_ref (G_SOCKET_ADDRESS (dial_test_server_get_address (probe)));
  }

  dial_socket_client_set_local_address (client, local);
  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_no_error (error);
  dial_test_events_assert (events, "R Rd C Cd X");

  bound = g_socket_connection_get_local_address (connection, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)), ==, local_port);
  g_assert_true (dial_test_server_wait_accepted (server, 1));
  peer = dial_test_server_get_peer (server, 0);
  g_assert_nonnull (peer);
  g_assert_cmpuint (g_inet_socket_address_get_port (peer), ==, local_port);

  assert_finalized (client);
}

/* Forced IPv4: the ::1 attempt is made (C) and fails; 127.0.0.1 wins. */
static void
row_family_ipv4_forced (void)
{
  g_autoptr(GPtrArray) servers = NULL;
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  if (!require_ipv6 ())
    return;

  servers = dial_test_servers_new_same_port (&error,
                                             "::1", DIAL_TEST_SERVER_ACCEPTING,
                                             "127.0.0.1", DIAL_TEST_SERVER_ACCEPTING,
                                             NULL);
  g_assert_no_error (error);
  port = dial_test_server_get_port (server_at (servers, 0));

  dial_test_mock_resolver_clear (mock);
  dial_test_mock_resolver_add_ip (mock, "dual.test", "::1", 0);
  dial_test_mock_resolver_add_ip (mock, "dual.test", "127.0.0.1", 100);

  client = test_client_new ();
  dial_socket_client_set_family (client, G_SOCKET_FAMILY_IPV4);
  events = dial_test_events_new (client);
  connectable = g_network_address_new ("dual.test", port);
  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_no_error (error);

  dial_test_events_assert (events, "R Rd C C Cd X");
  assert_events_connections (events, connection);
  for (guint i = 2; i < 4; i++)
    {
      GIOStream *attempt = dial_test_events_get (events, i)->connection;

      g_assert_cmpint (g_socket_get_family (g_socket_connection_get_socket (G_SOCKET_CONNECTION (attempt))),
                       ==, G_SOCKET_FAMILY_IPV4);
    }
  assert_remote (connection, "127.0.0.1", port);
  g_assert_true (dial_test_server_wait_accepted (server_at (servers, 1), 1));
  g_assert_cmpuint (dial_test_server_get_accepted (server_at (servers, 0)), ==, 0);

  assert_finalized (client);
}

/* Forced IPv6 to an IPv4 target: connect () says EINVAL, prefixed. */
static void
row_family_ipv6_mismatch (void)
{
  g_autoptr(DialTestServer) server = new_server (DIAL_TEST_SERVER_ACCEPTING, G_SOCKET_FAMILY_IPV4);
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_ipv6 ())
    return;

  client = test_client_new ();
  dial_socket_client_set_family (client, G_SOCKET_FAMILY_IPV6);
  events = dial_test_events_new (client);
  connectable = loopback_address ("127.0.0.1", dial_test_server_get_port (server));
  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "Could not connect to 127.0.0.1: Invalid argument");
  dial_test_events_assert (events, "R Rd C X");
  assert_events_connections (events, NULL);

  assert_finalized (client);
}

/* DATAGRAM: proxies off, UDP connect () needs no peer, plain
 * GSocketConnection. */
static void
row_datagram (void)
{
  g_autoptr(DialTestServer) server = new_server (DIAL_TEST_SERVER_REFUSING, G_SOCKET_FAMILY_IPV4);
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnectable) connectable = loopback_address ("127.0.0.1", dial_test_server_get_port (server));
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  dial_socket_client_set_socket_type (client, G_SOCKET_TYPE_DATAGRAM);
  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_no_error (error);
  dial_test_events_assert (events, "R Rd C Cd X");
  assert_events_connectable (events, connectable);
  assert_events_connections (events, connection);
  g_assert_true (G_OBJECT_TYPE (connection) == G_TYPE_SOCKET_CONNECTION);
  g_assert_cmpint (g_socket_get_socket_type (g_socket_connection_get_socket (connection)), ==,
                   G_SOCKET_TYPE_DATAGRAM);
  assert_remote (connection, "127.0.0.1", dial_test_server_get_port (server));

  assert_finalized (client);
}

static void
row_inet_socket_address (void)
{
  g_autoptr(DialTestServer) server = new_server (DIAL_TEST_SERVER_ACCEPTING, G_SOCKET_FAMILY_IPV4);
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  GSocketConnectable *connectable = G_SOCKET_CONNECTABLE (dial_test_server_get_address (server));
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_no_error (error);
  dial_test_events_assert (events, "R Rd C Cd X");
  assert_events_connectable (events, connectable);
  assert_events_connections (events, connection);
  g_assert_true (G_OBJECT_TYPE (connection) == G_TYPE_TCP_CONNECTION);
  assert_remote (connection, "127.0.0.1", dial_test_server_get_port (server));

  assert_finalized (client);
}

/* The prefix names a GInetSocketAddress by its IP string, no port. */
static void
row_inet_socket_address_refused (void)
{
  g_autoptr(DialTestServer) server = new_server (DIAL_TEST_SERVER_REFUSING, G_SOCKET_FAMILY_IPV4);
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  GSocketConnectable *connectable = G_SOCKET_CONNECTABLE (dial_test_server_get_address (server));
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpstr (error->message, ==, "Could not connect to 127.0.0.1: Connection refused");
  dial_test_events_assert (events, "R Rd C X");
  assert_events_connectable (events, connectable);
  assert_events_connections (events, NULL);

  assert_finalized (client);
}

/* ::1 as an IP literal: the prefix has no brackets. */
static void
row_ipv6_literal_refused (void)
{
  g_autoptr(DialTestServer) server = NULL;
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_ipv6 ())
    return;

  server = new_server (DIAL_TEST_SERVER_REFUSING, G_SOCKET_FAMILY_IPV6);
  client = test_client_new ();
  events = dial_test_events_new (client);
  connectable = loopback_address ("::1", dial_test_server_get_port (server));
  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpstr (error->message, ==, "Could not connect to ::1: Connection refused");
  dial_test_events_assert (events, "R Rd C X");
  assert_events_connectable (events, connectable);

  assert_finalized (client);
}

typedef struct
{
  char    *dir;
  char    *path;
  GSocket *listener;
} UnixServer;

static void
unix_server_start (UnixServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  server->dir = g_dir_make_tmp ("dial-test-XXXXXX", &error);
  g_assert_no_error (error);
  server->path = g_build_filename (server->dir, "socket", NULL);
  server->listener = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                                   G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  address = g_unix_socket_address_new (server->path);
  g_socket_bind (server->listener, address, FALSE, &error);
  g_assert_no_error (error);
  g_socket_listen (server->listener, &error);
  g_assert_no_error (error);
}

static void
unix_server_stop (UnixServer *server)
{
  g_socket_close (server->listener, NULL);
  g_clear_object (&server->listener);
  g_unlink (server->path);
  g_rmdir (server->dir);
  g_clear_pointer (&server->path, g_free);
  g_clear_pointer (&server->dir, g_free);
}

static void
row_unix (void)
{
  UnixServer server = { 0 };
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;

  unix_server_start (&server);
  connectable = G_SOCKET_CONNECTABLE (g_unix_socket_address_new (server.path));
  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_no_error (error);
  dial_test_events_assert (events, "R Rd C Cd X");
  assert_events_connectable (events, connectable);
  assert_events_connections (events, connection);
  g_assert_true (G_IS_UNIX_CONNECTION (connection));
  remote = g_socket_connection_get_remote_address (connection, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (remote)), ==, server.path);

  g_clear_object (&connection);
  assert_finalized (client);
  unix_server_stop (&server);
}

/* A non-inet connectable gets the bare "Could not connect: " prefix. */
static void
row_unix_missing (void)
{
  UnixServer server = { 0 };
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *missing = NULL;
  g_autoptr(GError) error = NULL;

  unix_server_start (&server);
  missing = g_build_filename (server.dir, "missing", NULL);
  connectable = G_SOCKET_CONNECTABLE (g_unix_socket_address_new (missing));
  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "Could not connect: No such file or directory");
  dial_test_events_assert (events, "R Rd C X");
  assert_events_connectable (events, connectable);
  assert_events_connections (events, NULL);

  assert_finalized (client);
  unix_server_stop (&server);
}

/* An enumerator that yields nothing and no error.  GIO returns NULL with
 * no GError (sync) or aborts (async); libdial reports an error in the
 * G_IO_ERROR domain instead (a documented difference, spec §10). */
static void
row_empty_enumerator (void)
{
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnectable) connectable = test_scripted_connectable_new (NULL);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_null (connection);
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_IO_ERROR);
  g_assert_nonnull (error->message);
  g_assert_cmpstr (error->message, !=, "");
  dial_test_events_assert (events, EVENTS ("R Rd X", "R X"));
  assert_events_connectable (events, connectable);
  assert_events_connections (events, NULL);

  assert_finalized (client);
}

/* A custom enumerator's error comes back untouched (spec §11.4). */
static void
row_enumerator_error (void)
{
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GError) scripted = g_error_new_literal (g_quark_from_static_string ("test-enumerator-error"),
                                                    42, "The enumerator says no");
  g_autoptr(GSocketConnectable) connectable = test_scripted_connectable_new (scripted);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = do_connect (client, connectable, NULL, events, &error);
  g_assert_null (connection);
  g_assert_error (error, g_quark_from_static_string ("test-enumerator-error"), 42);
  g_assert_cmpstr (error->message, ==, "The enumerator says no");
  dial_test_events_assert (events, EVENTS ("R Rd X", "R X"));
  assert_events_connectable (events, connectable);
  assert_events_connections (events, NULL);

  assert_finalized (client);
}

/* One client, several operations: a failure leaves no trace on the next
 * one, and each starts again with RESOLVING. */
static void
row_sequential (void)
{
  g_autoptr(DialTestServer) refusing = new_server (DIAL_TEST_SERVER_REFUSING, G_SOCKET_FAMILY_IPV4);
  g_autoptr(DialTestServer) accepting = new_server (DIAL_TEST_SERVER_ACCEPTING, G_SOCKET_FAMILY_IPV4);
  DialSocketClient *client = test_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnectable) bad = loopback_address ("127.0.0.1", dial_test_server_get_port (refusing));
  g_autoptr(GSocketConnectable) good = loopback_address ("127.0.0.1", dial_test_server_get_port (accepting));

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(GSocketConnection) failed = NULL;
      g_autoptr(GSocketConnection) connection = NULL;
      g_autoptr(GError) error = NULL;

      failed = do_connect (client, bad, NULL, events, &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
      g_assert_cmpstr (error->message, ==, "Could not connect to 127.0.0.1: Connection refused");
      dial_test_events_assert (events, "R Rd C X");
      assert_events_connectable (events, bad);
      dial_test_events_clear (events);
      g_clear_error (&error);

      connection = do_connect (client, good, NULL, events, &error);
      g_assert_no_error (error);
      dial_test_events_assert (events, "R Rd C Cd X");
      assert_events_connectable (events, good);
      assert_events_connections (events, connection);
      dial_test_events_clear (events);
    }

  g_assert_true (dial_test_server_wait_accepted (accepting, 2));
  assert_finalized (client);
}

static void
add_common_rows (const char *mode)
{
  static const struct
  {
    const char *name;
    GTestFunc   func;
  } rows[] = {
    { "ip-literal", row_ip_literal },
    { "name-ipv6-refused-ipv4-ok", row_name_ipv6_refused_ipv4_ok },
    { "three-ipv4-two-refused", row_three_ipv4_two_refused },
    { "dns-failure", row_dns_failure },
    { "refused", row_all_refused },
    { "cancel-connecting", row_cancel_connecting },
    { "cancel-connecting-accepting", row_cancel_connecting_accepting },
    { "cancel-connected", row_cancel_connected },
    { "socket-creation-failure", row_socket_creation_failure },
    { "bind-failure", row_bind_failure },
    { "timeout-property", row_timeout_property },
    { "local-address", row_local_address },
    { "family-ipv4-forced", row_family_ipv4_forced },
    { "family-ipv6-mismatch", row_family_ipv6_mismatch },
    { "datagram", row_datagram },
    { "inet-socket-address", row_inet_socket_address },
    { "inet-socket-address-refused", row_inet_socket_address_refused },
    { "ipv6-literal-refused", row_ipv6_literal_refused },
    { "unix", row_unix },
    { "unix-missing", row_unix_missing },
    { "empty-enumerator", row_empty_enumerator },
    { "enumerator-error", row_enumerator_error },
    { "sequential", row_sequential },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/socket-client/direct/%s/%s", mode, rows[i].name);

      g_test_add_func (path, rows[i].func);
    }
}

/* Sets up what every test of a driver needs: the mode and the resolver. */
static void
direct_tests_init (gboolean is_async)
{
  async_mode = is_async;
  mock = dial_test_mock_resolver_new ();
  dial_test_mock_resolver_install (mock);
}
