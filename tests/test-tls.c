/* test-tls.c: the TLS stage (spec §2.4 TLS rows, §4.3, §11.7), through
 * both drivers, against an in-process gnutls server.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every case runs once per driver, as /tls/sync/NAME and /tls/async/NAME.
 * The cases do not depend on which TLS implementation the library uses:
 * when DIAL_TLS_PROVIDER names one, the same table is registered under
 * /tls/PROVIDER/DRIVER/NAME, so that a run per provider reports apart.
 */

#include <dial/dial.h>

#include "dial-test-events.h"
#include "dial-test-mock-resolver.h"
#include "dial-test-servers.h"
#include "dial-test-tls-server.h"

#define HANG_BOUND_US (5 * G_USEC_PER_SEC)

typedef enum
{
  DRIVER_SYNC,
  DRIVER_ASYNC,
} Driver;

typedef struct
{
  Driver                driver;
  DialSocketClient     *client;
  DialTestEvents       *events;
  DialTestTlsServer    *server;
  guint                 fds_before;

  /* What the TLS_HANDSHAKING handler does to the TLS connection. */
  gboolean              hook_accept_certificate;
  gboolean              accept_certificate_answer;
  GTlsDatabase         *database;
  const char * const   *advertised_protocols;
  GTlsCertificate      *client_certificate;

  /* What the handlers saw. */
  GTlsConnection       *tls;                 /* the TLS_HANDSHAKING connection */
  GTlsCertificateFlags  handshaking_flags;   /* its validation flags, then */
  guint                 n_accept_certificate;
  GTlsCertificateFlags  accept_errors;

  /* The failover case's resolver, and the default it replaced. */
  DialTestMockResolver *resolver;
  GResolver            *saved_resolver;
} Fixture;

typedef struct
{
  const char *name;
  void      (*func) (Fixture *f, gconstpointer data);
} TlsCase;

/* {{{ Fixture and handlers */

static gboolean
on_accept_certificate (GTlsConnection       *tls,
                       GTlsCertificate      *peer_certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Fixture *f = user_data;

  g_assert_true (G_IS_TLS_CERTIFICATE (peer_certificate));
  f->n_accept_certificate++;
  f->accept_errors = errors;

  return f->accept_certificate_answer;
}

static void
on_event (DialSocketClient   *client,
          GSocketClientEvent  event,
          GSocketConnectable *connectable,
          GIOStream          *connection,
          gpointer            user_data)
{
  Fixture *f = user_data;
  GTlsConnection *tls;

  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKING)
    return;

  g_assert_true (G_IS_TLS_CLIENT_CONNECTION (connection));
  tls = G_TLS_CONNECTION (connection);
  g_set_object (&f->tls, tls);

  /* The guard: each provider run really ran that provider. */
  if (g_strcmp0 (g_getenv ("DIAL_TLS_PROVIDER"), "builtin") == 0)
    g_assert_cmpstr (G_OBJECT_TYPE_NAME (tls), ==, "DialTlsClientConnection");
  else if (g_strcmp0 (g_getenv ("DIAL_TLS_PROVIDER"), "gio") == 0)
    g_assert_cmpstr (G_OBJECT_TYPE_NAME (tls), !=, "DialTlsClientConnection");

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  f->handshaking_flags = g_tls_client_connection_get_validation_flags (G_TLS_CLIENT_CONNECTION (tls));
  G_GNUC_END_IGNORE_DEPRECATIONS

  if (f->hook_accept_certificate)
    g_signal_connect (tls, "accept-certificate", G_CALLBACK (on_accept_certificate), f);
  if (f->database != NULL)
    g_tls_connection_set_database (tls, f->database);
  if (f->advertised_protocols != NULL)
    g_tls_connection_set_advertised_protocols (tls, f->advertised_protocols);
  if (f->client_certificate != NULL)
    g_tls_connection_set_certificate (tls, f->client_certificate);
}

static void
drain_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Lists the open descriptors in the test log, to tell a leak's kind. */
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

/* glib-networking runs handshakes on GTask worker threads, which may drop
 * their last references (an eventfd, the socket) just after the call has
 * returned: the count gets a bounded while to settle, polled, as nothing
 * signals the end of a worker's task. */
static guint
settled_fd_count (guint expected)
{
  gint64 deadline = g_get_monotonic_time () + HANG_BOUND_US;
  guint n;

  while ((n = dial_test_count_fds ()) != expected && g_get_monotonic_time () < deadline)
    {
      drain_main_context ();
      g_usleep (G_USEC_PER_SEC / 100);
    }

  return n;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->driver = GPOINTER_TO_INT (data);
  f->fds_before = dial_test_count_fds ();
  f->client = dial_socket_client_new ();
  dial_socket_client_set_tls (f->client, TRUE);
  f->events = dial_test_events_new (f->client);
  g_signal_connect (f->client, "event", G_CALLBACK (on_event), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  guint n_fds;

  g_signal_handlers_disconnect_by_func (f->client, on_event, f);
  g_clear_pointer (&f->events, dial_test_events_free);
  g_clear_object (&f->client);
  g_clear_object (&f->tls);
  g_clear_object (&f->database);
  g_clear_object (&f->client_certificate);
  drain_main_context ();
  g_clear_pointer (&f->server, dial_test_tls_server_free);

  if (f->resolver != NULL)
    {
      g_resolver_set_default (f->saved_resolver);
      g_clear_object (&f->saved_resolver);
      g_clear_object (&f->resolver);
    }

  drain_main_context ();
  n_fds = settled_fd_count (f->fds_before);
  if (n_fds != f->fds_before)
    log_fds ();
  g_assert_cmpuint (n_fds, ==, f->fds_before);
}

/* Starts the server, or skips the test when the options need IPv6 and the
 * machine has none.  Returns FALSE when skipped. */
static gboolean
start_server (Fixture                        *f,
              const DialTestTlsServerOptions *options)
{
  g_autoptr(GError) error = NULL;

  if ((options->family == G_SOCKET_FAMILY_IPV6 || options->dual_stack) &&
      !dial_test_ipv6_available ())
    {
      g_test_skip ("IPv6 loopback unavailable");
      return FALSE;
    }

  f->server = dial_test_tls_server_new (options, &error);
  g_assert_no_error (error);
  return TRUE;
}

/* The server's address as a GNetworkAddress with a host name and a port:
 * the kind of connectable whose identity TLS checks. */
static GSocketConnectable *
server_connectable (Fixture *f)
{
  GInetAddress *address =
    g_inet_socket_address_get_address (dial_test_tls_server_get_address (f->server));
  g_autofree char *host = g_inet_address_to_string (address);

  return g_network_address_new (host, dial_test_tls_server_get_port (f->server));
}

/* }}} */

/* {{{ Driving a connect */

static void
on_async_ready (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static GSocketConnection *
run_connect (Fixture             *f,
             GSocketConnectable  *connectable,
             GCancellable        *cancellable,
             GError             **error)
{
  if (f->driver == DRIVER_SYNC)
    return dial_socket_client_connect (f->client, connectable, cancellable, error);

  return dial_test_connect_async_wait (f->client, connectable, cancellable, f->events, error);
}

static GSocketConnection *
run_connect_to_host (Fixture     *f,
                     const char  *host_and_port,
                     GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (f->driver == DRIVER_SYNC)
    return dial_socket_client_connect_to_host (f->client, host_and_port, 0, NULL, error);

  dial_socket_client_connect_to_host_async (f->client, host_and_port, 0, NULL,
                                            on_async_ready, &result);
  return dial_socket_client_connect_to_host_finish (f->client, wait_for_result (&result), error);
}

static GSocketConnection *
run_connect_to_uri (Fixture     *f,
                    const char  *uri,
                    GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (f->driver == DRIVER_SYNC)
    return dial_socket_client_connect_to_uri (f->client, uri, 0, NULL, error);

  dial_socket_client_connect_to_uri_async (f->client, uri, 0, NULL, on_async_ready, &result);
  return dial_socket_client_connect_to_uri_finish (f->client, wait_for_result (&result), error);
}

/* Closes @connection with the driver's flavour of close.  The tests close
 * rather than drop their connection when they need the server to see the
 * end: the event recorder holds references until teardown. */
static void
close_connection (Fixture           *f,
                  GSocketConnection *connection)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  if (f->driver == DRIVER_SYNC)
    {
      g_assert_true (g_io_stream_close (G_IO_STREAM (connection), NULL, &error));
      g_assert_no_error (error);
      return;
    }

  g_io_stream_close_async (G_IO_STREAM (connection), G_PRIORITY_DEFAULT, NULL,
                           on_async_ready, &result);
  g_assert_true (g_io_stream_close_finish (G_IO_STREAM (connection),
                                           wait_for_result (&result), &error));
  g_assert_no_error (error);
}

/* }}} */

/* {{{ Shared assertions */

/* The connectable the *_to_host and *_to_uri variants built. */
static GSocketConnectable *
operation_connectable (Fixture *f)
{
  const DialTestEvent *resolving = dial_test_events_find_last (f->events,
                                                               G_SOCKET_CLIENT_RESOLVING);

  g_assert_nonnull (resolving);
  return resolving->connectable;
}

/* Checks the shape of a successful TLS result (§4.3, §11.7) and returns
 * its TLS connection (transfer none). */
static GTlsConnection *
assert_tls_result (Fixture            *f,
                   GSocketConnection  *connection,
                   GSocketConnectable *connectable)
{
  const DialTestEvent *complete;
  GIOStream *base;
  g_autoptr(GIOStream) tcp = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;

  dial_test_events_assert (f->events, "R Rd C Cd TH THd X");
  complete = dial_test_events_find_last (f->events, G_SOCKET_CLIENT_COMPLETE);
  g_assert_nonnull (complete);
  g_assert_true (complete->connection == G_IO_STREAM (connection));
  g_assert_true (complete->connectable == connectable);

  g_assert_true (G_IS_TCP_WRAPPER_CONNECTION (connection));
  base = g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (connection));
  g_assert_true (G_IS_TLS_CLIENT_CONNECTION (base));
  g_assert_true (base == G_IO_STREAM (f->tls));
  g_assert_true (dial_test_events_find_last (f->events,
                                             G_SOCKET_CLIENT_TLS_HANDSHAKED)->connection == base);

  g_object_get (base, "base-io-stream", &tcp, NULL);
  g_assert_true (G_IS_TCP_CONNECTION (tcp));
  g_assert_true (g_socket_connection_get_socket (G_SOCKET_CONNECTION (tcp)) ==
                 g_socket_connection_get_socket (connection));

  g_assert_true (g_tls_client_connection_get_server_identity (G_TLS_CLIENT_CONNECTION (base)) ==
                 connectable);

  remote = g_socket_connection_get_remote_address (connection, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_INET_SOCKET_ADDRESS (remote));
  g_assert_false (G_IS_PROXY_ADDRESS (remote));

  return G_TLS_CONNECTION (base);
}

static void
assert_failure_events (Fixture *f)
{
  const DialTestEvent *complete;

  dial_test_events_assert (f->events, "R Rd C Cd TH X");
  complete = dial_test_events_find_last (f->events, G_SOCKET_CLIENT_COMPLETE);
  g_assert_nonnull (complete);
  g_assert_null (complete->connection);
}

static void
assert_peer_is_server (Fixture        *f,
                       GTlsConnection *tls)
{
  g_autoptr(GTlsCertificate) expected = dial_test_tls_server_new_certificate (f->server);
  GTlsCertificate *peer = g_tls_connection_get_peer_certificate (tls);

  g_assert_nonnull (peer);
  g_assert_true (g_tls_certificate_is_same (peer, expected));
}

/* }}} */

/* {{{ Successful handshakes */

/* §2.4 "TLS ok": an unknown CA, accepted from an accept-certificate handler
 * connected at TLS_HANDSHAKING.  Also the default validation flags and the
 * absence of ALPN (§11.7). */
static void
test_accept_certificate (Fixture       *f,
                         gconstpointer  data)
{
  DialTestTlsServerOptions options = { 0 };
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  const DialTestTlsRecord *record;
  GTlsConnection *tls;

  start_server (f, &options);
  connectable = server_connectable (f);
  f->hook_accept_certificate = TRUE;
  f->accept_certificate_answer = TRUE;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_cmphex (dial_socket_client_get_tls_validation_flags (f->client), ==,
                   G_TLS_CERTIFICATE_VALIDATE_ALL);
  G_GNUC_END_IGNORE_DEPRECATIONS

  connection = run_connect (f, connectable, NULL, &error);
  g_assert_no_error (error);
  tls = assert_tls_result (f, connection, connectable);

  g_assert_cmphex (f->handshaking_flags, ==, 0x7f);
  g_assert_cmpuint (f->n_accept_certificate, ==, 1);
  g_assert_cmphex (f->accept_errors, ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_cmphex (g_tls_connection_get_peer_certificate_errors (tls), ==,
                   G_TLS_CERTIFICATE_UNKNOWN_CA);
  assert_peer_is_server (f, tls);
  g_assert_null (g_tls_connection_get_negotiated_protocol (tls));

  close_connection (f, connection);
  record = dial_test_tls_server_wait_record (f->server, 0);
  g_assert_nonnull (record);
  g_assert_true (record->handshake_done);
  g_assert_null (record->offered_alpn);
}

/* §11.7: a GTlsDatabase set from the TLS_HANDSHAKING handler is used; no
 * certificate error, no handler needed. */
static void
test_database (Fixture       *f,
               gconstpointer  data)
{
  DialTestTlsServerOptions options = { 0 };
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GTlsConnection *tls;

  start_server (f, &options);
  connectable = server_connectable (f);
  f->database = dial_test_tls_server_new_ca_database (f->server);

  connection = run_connect (f, connectable, NULL, &error);
  g_assert_no_error (error);
  tls = assert_tls_result (f, connection, connectable);

  g_assert_true (g_tls_connection_get_database (tls) == f->database);
  g_assert_cmphex (g_tls_connection_get_peer_certificate_errors (tls), ==, 0);
  assert_peer_is_server (f, tls);
}

/* Certificate errors reach the handler, which accepts them. */
static void
run_accepted_error (Fixture              *f,
                    DialTestTlsCert       cert,
                    GTlsCertificateFlags  expected)
{
  DialTestTlsServerOptions options = { .cert = cert };
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GTlsConnection *tls;

  start_server (f, &options);
  connectable = server_connectable (f);
  f->database = dial_test_tls_server_new_ca_database (f->server);
  f->hook_accept_certificate = TRUE;
  f->accept_certificate_answer = TRUE;

  connection = run_connect (f, connectable, NULL, &error);
  g_assert_no_error (error);
  tls = assert_tls_result (f, connection, connectable);

  g_assert_cmpuint (f->n_accept_certificate, ==, 1);
  g_assert_cmphex (f->accept_errors, ==, expected);
  g_assert_cmphex (g_tls_connection_get_peer_certificate_errors (tls), ==, expected);
}

/* §11.7: BAD_IDENTITY when the identity is not in the certificate. */
static void
test_wrong_host (Fixture       *f,
                 gconstpointer  data)
{
  run_accepted_error (f, DIAL_TEST_TLS_CERT_WRONG_HOST, G_TLS_CERTIFICATE_BAD_IDENTITY);
}

static void
test_expired (Fixture       *f,
              gconstpointer  data)
{
  run_accepted_error (f, DIAL_TEST_TLS_CERT_EXPIRED, G_TLS_CERTIFICATE_EXPIRED);
}

/* §11.7: tls-validation-flags = 0 (deprecated) is honoured. */
static void
test_no_validation (Fixture       *f,
                    gconstpointer  data)
{
  DialTestTlsServerOptions options = { .cert = DIAL_TEST_TLS_CERT_SELF_SIGNED };
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GTlsConnection *tls;

  start_server (f, &options);
  connectable = server_connectable (f);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  dial_socket_client_set_tls_validation_flags (f->client, 0);
  G_GNUC_END_IGNORE_DEPRECATIONS

  connection = run_connect (f, connectable, NULL, &error);
  g_assert_no_error (error);
  tls = assert_tls_result (f, connection, connectable);

  g_assert_cmphex (f->handshaking_flags, ==, 0);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_cmphex (g_tls_client_connection_get_validation_flags (G_TLS_CLIENT_CONNECTION (tls)), ==, 0);
  G_GNUC_END_IGNORE_DEPRECATIONS
  assert_peer_is_server (f, tls);
}

/* Advertised protocols set from the handler reach the server, and the
 * protocol it picks reads back. */
static void
test_alpn (Fixture       *f,
           gconstpointer  data)
{
  static const char * const server_protocols[] = { "dial-test/2", "http/1.1", NULL };
  static const char * const client_protocols[] = { "http/1.1", "dial-test/2", NULL };
  DialTestTlsServerOptions options = { .alpn_protocols = server_protocols };
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  const DialTestTlsRecord *record;
  GTlsConnection *tls;

  start_server (f, &options);
  connectable = server_connectable (f);
  f->database = dial_test_tls_server_new_ca_database (f->server);
  f->advertised_protocols = client_protocols;

  connection = run_connect (f, connectable, NULL, &error);
  g_assert_no_error (error);
  tls = assert_tls_result (f, connection, connectable);
  g_assert_cmpstr (g_tls_connection_get_negotiated_protocol (tls), ==, "dial-test/2");

  close_connection (f, connection);
  record = dial_test_tls_server_wait_record (f->server, 0);
  g_assert_nonnull (record);
  g_assert_nonnull (record->offered_alpn);
  g_assert_cmpstrv (record->offered_alpn, client_protocols);
  g_assert_cmpstr (record->selected_alpn, ==, "dial-test/2");
}

/* A client certificate set from the handler reaches a server that
 * requires one. */
static void
test_client_certificate (Fixture       *f,
                         gconstpointer  data)
{
  DialTestTlsServerOptions options = { .require_client_cert = TRUE };
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GByteArray) expected = NULL;
  g_autoptr(GError) error = NULL;
  const DialTestTlsRecord *record;

  start_server (f, &options);
  connectable = server_connectable (f);
  f->database = dial_test_tls_server_new_ca_database (f->server);
  f->client_certificate = dial_test_tls_server_new_client_certificate (f->server);

  connection = run_connect (f, connectable, NULL, &error);
  g_assert_no_error (error);
  assert_tls_result (f, connection, connectable);

  close_connection (f, connection);
  record = dial_test_tls_server_wait_record (f->server, 0);
  g_assert_nonnull (record);
  g_assert_cmpstr (record->error, ==, NULL);
  g_assert_true (record->handshake_done);
  g_assert_nonnull (record->client_certificate);

  g_object_get (f->client_certificate, "certificate", &expected, NULL);
  g_assert_cmpmem (g_bytes_get_data (record->client_certificate, NULL),
                   g_bytes_get_size (record->client_certificate),
                   expected->data, expected->len);
}

/* §11.7: SNI carries the server identity's host name. */
static void
test_sni (Fixture       *f,
          gconstpointer  data)
{
  DialTestTlsServerOptions options = { .dual_stack = TRUE };
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host_and_port = NULL;
  const DialTestTlsRecord *record;
  GSocketConnectable *connectable;

  if (!start_server (f, &options))
    return;
  f->database = dial_test_tls_server_new_ca_database (f->server);
  host_and_port = g_strdup_printf ("localhost:%u", dial_test_tls_server_get_port (f->server));

  connection = run_connect_to_host (f, host_and_port, &error);
  g_assert_no_error (error);
  g_assert_nonnull (connection);

  connectable = operation_connectable (f);
  g_assert_true (G_IS_NETWORK_ADDRESS (connectable));
  g_assert_cmpstr (g_network_address_get_hostname (G_NETWORK_ADDRESS (connectable)), ==, "localhost");
  g_assert_cmpuint (g_network_address_get_port (G_NETWORK_ADDRESS (connectable)), ==,
                    dial_test_tls_server_get_port (f->server));
  assert_tls_result (f, connection, connectable);

  close_connection (f, connection);
  record = dial_test_tls_server_wait_record (f->server, 0);
  g_assert_nonnull (record);
  g_assert_cmpstr (record->sni, ==, "localhost");
}

/* §11.7: the server identity of connect_to_uri keeps the URI's scheme. */
static void
test_uri_identity (Fixture       *f,
                   gconstpointer  data)
{
  DialTestTlsServerOptions options = { 0 };
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  GSocketConnectable *connectable;

  start_server (f, &options);
  f->database = dial_test_tls_server_new_ca_database (f->server);
  uri = g_strdup_printf ("https://%s/index.html", dial_test_tls_server_get_host_and_port (f->server));

  connection = run_connect_to_uri (f, uri, &error);
  g_assert_no_error (error);
  g_assert_nonnull (connection);

  connectable = operation_connectable (f);
  g_assert_true (G_IS_NETWORK_ADDRESS (connectable));
  g_assert_cmpstr (g_network_address_get_scheme (G_NETWORK_ADDRESS (connectable)), ==, "https");
  g_assert_cmpstr (g_network_address_get_hostname (G_NETWORK_ADDRESS (connectable)), ==, "127.0.0.1");
  g_assert_cmpuint (g_network_address_get_port (G_NETWORK_ADDRESS (connectable)), ==,
                    dial_test_tls_server_get_port (f->server));
  assert_tls_result (f, connection, connectable);
}

/* Bytes go through the wrapper, the TLS connection and back. */
static void
test_echo (Fixture       *f,
           gconstpointer  data)
{
  static const char message[] = "hello through libdial";
  DialTestTlsServerOptions options = { 0 };
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  char buffer[sizeof message] = { 0 };
  gsize n = 0;
  const DialTestTlsRecord *record;

  start_server (f, &options);
  connectable = server_connectable (f);
  f->database = dial_test_tls_server_new_ca_database (f->server);

  connection = run_connect (f, connectable, NULL, &error);
  g_assert_no_error (error);
  assert_tls_result (f, connection, connectable);

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             message, sizeof message, &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, sizeof message);

  g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                           buffer, sizeof buffer, &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (buffer, n, message, sizeof message);

  close_connection (f, connection);
  record = dial_test_tls_server_wait_record (f->server, 0);
  g_assert_nonnull (record);
  g_assert_cmpuint (record->bytes_echoed, ==, sizeof message);
}

/* The documented improvement over GIO: closing the returned connection
 * sends close_notify before closing the socket. */
static void
test_close_notify (Fixture       *f,
                   gconstpointer  data)
{
  DialTestTlsServerOptions options = { 0 };
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  const DialTestTlsRecord *record;

  start_server (f, &options);
  connectable = server_connectable (f);
  f->database = dial_test_tls_server_new_ca_database (f->server);

  connection = run_connect (f, connectable, NULL, &error);
  g_assert_no_error (error);
  assert_tls_result (f, connection, connectable);

  close_connection (f, connection);
  g_assert_true (g_io_stream_is_closed (G_IO_STREAM (connection)));
  g_assert_true (g_socket_is_closed (g_socket_connection_get_socket (connection)));

  record = dial_test_tls_server_wait_record (f->server, 0);
  g_assert_nonnull (record);
  g_assert_cmpstr (dial_test_tls_end_to_string (record->end), ==,
                   dial_test_tls_end_to_string (DIAL_TEST_TLS_END_CLOSE_NOTIFY));
}

/* }}} */

/* {{{ Failed handshakes */

/* §2.4 "TLS, untrusted certificate": no handler, no database. */
static void
test_untrusted (Fixture       *f,
                gconstpointer  data)
{
  DialTestTlsServerOptions options = { .cert = DIAL_TEST_TLS_CERT_SELF_SIGNED };
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  start_server (f, &options);
  connectable = server_connectable (f);

  connection = run_connect (f, connectable, NULL, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_cmpstr (error->message, ==, "Unacceptable TLS certificate");
  g_assert_null (connection);
  assert_failure_events (f);
}

/* §11.7: a handler that returns FALSE gives the same error. */
static void
test_rejected (Fixture       *f,
               gconstpointer  data)
{
  DialTestTlsServerOptions options = { 0 };
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  start_server (f, &options);
  connectable = server_connectable (f);
  f->hook_accept_certificate = TRUE;
  f->accept_certificate_answer = FALSE;

  connection = run_connect (f, connectable, NULL, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_cmpstr (error->message, ==, "Unacceptable TLS certificate");
  g_assert_null (connection);
  g_assert_cmpuint (f->n_accept_certificate, ==, 1);
  g_assert_cmphex (f->accept_errors, ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
  assert_failure_events (f);
}

/* §2.4: a peer that answers the ClientHello with non-TLS bytes. */
static void
test_not_tls (Fixture       *f,
              gconstpointer  data)
{
  DialTestTlsServerOptions options = { .mode = DIAL_TEST_TLS_MODE_NOT_TLS };
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  start_server (f, &options);
  connectable = server_connectable (f);

  connection = run_connect (f, connectable, NULL, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC);
  g_assert_true (g_str_has_prefix (error->message, "Error performing TLS handshake"));
  g_assert_null (connection);
  assert_failure_events (f);
}

/* §2.4: a peer that accepts and closes at once gives NOT_TLS, not MISC. */
static void
test_closed (Fixture       *f,
             gconstpointer  data)
{
  DialTestTlsServerOptions options = { .mode = DIAL_TEST_TLS_MODE_CLOSE };
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  start_server (f, &options);
  connectable = server_connectable (f);

  connection = run_connect (f, connectable, NULL, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS);
  g_assert_null (connection);
  assert_failure_events (f);
}

/* §2.4, §5.1: the socket timeout bounds each handshake read, unprefixed. */
static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  DialTestTlsServerOptions options = { .mode = DIAL_TEST_TLS_MODE_SILENT };
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  start_server (f, &options);
  connectable = server_connectable (f);
  dial_socket_client_set_timeout (f->client, 1);

  start = g_get_monotonic_time ();
  connection = run_connect (f, connectable, NULL, &error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, HANG_BOUND_US);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpstr (error->message, ==, "Socket I/O timed out");
  g_assert_null (connection);
  assert_failure_events (f);
}

typedef struct
{
  GCancellable *cancellable;
  GMainContext *context;   /* NULL: cancel on the server thread */
} CancelOnHello;

static gboolean
cancel_in_main_context (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* Server thread: the ClientHello arrived, the client is in its handshake. */
static void
on_client_hello_cancel (gpointer user_data)
{
  CancelOnHello *cancel = user_data;

  if (cancel->context == NULL)
    g_cancellable_cancel (cancel->cancellable);
  else
    g_main_context_invoke_full (cancel->context, G_PRIORITY_DEFAULT, cancel_in_main_context,
                                g_object_ref (cancel->cancellable), g_object_unref);
}

/* §11.7: cancelling during the handshake gives CANCELLED promptly. */
static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CancelOnHello cancel = { cancellable, NULL };
  DialTestTlsServerOptions options = {
    .mode = DIAL_TEST_TLS_MODE_SILENT,
    .on_client_hello = on_client_hello_cancel,
    .user_data = &cancel,
  };
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  /* Sync blocks this thread in the handshake, so the server thread cancels;
   * async cancels from the main context it runs in. */
  if (f->driver == DRIVER_ASYNC)
    cancel.context = g_main_context_default ();

  start_server (f, &options);
  connectable = server_connectable (f);

  start = g_get_monotonic_time ();
  connection = run_connect (f, connectable, cancellable, &error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, HANG_BOUND_US);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "Operation was cancelled");
  g_assert_null (connection);
  assert_failure_events (f);

  /* g_cancellable_cancel () can wake this thread before the server thread
   * has returned from it: release the failed connection, so that the
   * server sees the end, and wait for that before @cancel goes away. */
  g_clear_object (&f->tls);
  g_clear_pointer (&f->events, dial_test_events_free);
  drain_main_context ();
  g_assert_nonnull (dial_test_tls_server_wait_record (f->server, 0));
}

/* §2.2 step 10, §2.4: "::1 TLS fails, then 127.0.0.1 refused": the next
 * address is tried, and the TLS error outranks the refusal. */
static void
test_failover (Fixture       *f,
               gconstpointer  data)
{
  DialTestTlsServerOptions options = {
    .family = G_SOCKET_FAMILY_IPV6,
    .cert = DIAL_TEST_TLS_CERT_SELF_SIGNED,
  };
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocket) refusing = NULL;
  g_autoptr(GSocketAddress) refusing_address = NULL;
  g_autoptr(GInetAddress) loopback4 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GError) error = NULL;
  guint16 port;

  if (!start_server (f, &options))
    return;
  port = dial_test_tls_server_get_port (f->server);

  /* 127.0.0.1 on the same port: bound but not listening, so a connect is
   * refused and nobody else can take the port meanwhile. */
  refusing = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                           G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  refusing_address = g_inet_socket_address_new (loopback4, port);
  if (!g_socket_bind (refusing, refusing_address, FALSE, &error))
    {
      g_autofree char *message = g_strdup_printf ("127.0.0.1:%u is taken: %s",
                                                   port, error->message);

      g_test_skip (message);
      return;
    }

  f->resolver = dial_test_mock_resolver_new ();
  dial_test_mock_resolver_add_ip (f->resolver, "tls-failover.test", "::1", 0);
  dial_test_mock_resolver_add_ip (f->resolver, "tls-failover.test", "127.0.0.1", 0);
  f->saved_resolver = g_resolver_get_default ();
  dial_test_mock_resolver_install (f->resolver);

  connectable = g_network_address_new ("tls-failover.test", port);
  connection = run_connect (f, connectable, NULL, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_cmpstr (error->message, ==, "Unacceptable TLS certificate");
  g_assert_null (connection);
  dial_test_events_assert (f->events, "R Rd C Cd TH C X");
  g_assert_null (dial_test_events_find_last (f->events, G_SOCKET_CLIENT_COMPLETE)->connection);
  g_assert_cmpuint (dial_test_tls_server_get_accepted (f->server), ==, 1);

  g_socket_close (refusing, NULL);
}

/* }}} */

static const TlsCase tls_cases[] = {
  { "accept-certificate", test_accept_certificate },
  { "database", test_database },
  { "wrong-host", test_wrong_host },
  { "expired", test_expired },
  { "no-validation", test_no_validation },
  { "alpn", test_alpn },
  { "client-certificate", test_client_certificate },
  { "sni", test_sni },
  { "uri-identity", test_uri_identity },
  { "echo", test_echo },
  { "close-notify", test_close_notify },
  { "untrusted", test_untrusted },
  { "rejected", test_rejected },
  { "not-tls", test_not_tls },
  { "closed", test_closed },
  { "timeout", test_timeout },
  { "cancel", test_cancel },
  { "failover", test_failover },
};

/* What GLib and the TLS backend create once per process and keep, made
 * before any test counts descriptors: the default main context, GLib's
 * worker context (an eventfd, made when GTask's class sets up its thread
 * pool), the TLS provider's system database. */
static void
warm_up (void)
{
  g_autoptr(GTlsDatabase) database = dial_tls_get_default_database ();

  g_main_context_default ();
  g_type_class_unref (g_type_class_ref (G_TYPE_TASK));
}

int
main (int   argc,
      char *argv[])
{
  const char *provider = g_getenv ("DIAL_TLS_PROVIDER");
  g_autofree char *prefix = NULL;

  g_test_init (&argc, &argv, NULL);

  if (provider != NULL && *provider != '\0')
    prefix = g_strdup_printf ("/tls/%s", provider);
  else
    prefix = g_strdup ("/tls");

  warm_up ();

  for (Driver driver = DRIVER_SYNC; driver <= DRIVER_ASYNC; driver++)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (tls_cases); i++)
        {
          g_autofree char *path =
            g_strdup_printf ("%s/%s/%s", prefix, driver == DRIVER_SYNC ? "sync" : "async",
                             tls_cases[i].name);

          g_test_add (path, Fixture, GINT_TO_POINTER (driver),
                      fixture_setup, tls_cases[i].func, fixture_teardown);
        }
    }

  return g_test_run ();
}
