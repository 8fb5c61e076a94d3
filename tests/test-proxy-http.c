/* test-proxy-http.c: libdial's HTTP and HTTPS CONNECT proxies, through
 * the client, in both drivers, beyond what test-proxy.c checks against
 * GIO's behaviour: tunnel bytes that come with the reply, heads in parts
 * and at the size bound, injection attempts, TLS through the proxy, and
 * https proxies (TLS to the proxy, then CONNECT).
 *
 * Every case runs as /proxy/http/DRIVER/NAME or /proxy/https/DRIVER/NAME.
 * The suite runs once per TLS provider.  An https proxy's certificate is
 * checked against the process's default database, as in GIO: a test sets
 * it with g_tls_backend_set_default_database (), which the built-in
 * provider honours for a database made by libdial's constructors.
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
#include "dial-test-tls-server.h"

#define ECHO_HOST "echo.test"
#define EARLY "early tunnel bytes\n"
#define HEAD_MAX (16 * 1024)

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
  DialTestHttpProxy     *http;
  DialTestProxyResolver *resolver;
  /* TLS in front of the HTTP proxy: an https proxy. */
  DialTestTlsServer     *tls_proxy;
  gboolean               tls_proxy_trusted;
  /* A TLS echo server behind the proxy, and its CA for TLS_HANDSHAKING. */
  DialTestTlsServer     *destination;
  GTlsDatabase          *destination_database;
} Fixture;

static DialTestMockResolver *mock_resolver;

/* Fixture ----------------------------------------------------------------- */

static void
on_event (DialSocketClient   *client,
          GSocketClientEvent  event,
          GSocketConnectable *connectable,
          GIOStream          *connection,
          gpointer            user_data)
{
  Fixture *f = user_data;

  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING && f->destination_database != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (connection), f->destination_database);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->mode = GPOINTER_TO_INT (data);
  f->fds_at_start = dial_test_count_fds ();

  f->client = dial_socket_client_new ();
  f->events = dial_test_events_new (f->client);
  g_signal_connect (f->client, "event", G_CALLBACK (on_event), f);
  f->echo = dial_test_server_new_accepting (G_SOCKET_FAMILY_IPV4, TRUE, &error);
  g_assert_no_error (error);
  f->http = dial_test_http_proxy_new ();

  dial_test_mock_resolver_clear (mock_resolver);
  dial_test_mock_resolver_add_ip (mock_resolver, ECHO_HOST, "127.0.0.1", 0);
  dial_test_mock_resolver_add_ip (mock_resolver, "localhost", "127.0.0.1", 0);
}

/* Waits, bounded, for the descriptors of the test to be gone: the main
 * context is drained first, and a GIO TLS worker thread may still be
 * dropping its last reference to a connection. */
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
  g_assert_cmpuint (now, ==, expected);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->tls_proxy_trusted)
    g_tls_backend_set_default_database (g_tls_backend_get_default (), NULL);

  g_clear_pointer (&f->events, dial_test_events_free);
  g_clear_object (&f->client);
  g_clear_object (&f->resolver);
  g_clear_object (&f->destination_database);
  g_clear_pointer (&f->tls_proxy, dial_test_tls_server_free);
  g_clear_pointer (&f->destination, dial_test_tls_server_free);
  g_clear_pointer (&f->http, dial_test_http_proxy_free);
  g_clear_pointer (&f->echo, dial_test_server_free);

  assert_fds_back_to (f->fds_at_start);
}

static gboolean
builtin_tls_provider (void)
{
  const char *provider = g_getenv ("DIAL_TLS_PROVIDER");

  if (g_strcmp0 (provider, "builtin") == 0)
    return TRUE;
  if (g_strcmp0 (provider, "gio") == 0)
    return FALSE;

  return !g_tls_backend_supports_tls (g_tls_backend_get_default ());
}

static guint16
echo_port (Fixture *f)
{
  return dial_test_server_get_port (f->echo);
}

static void
use_proxy (Fixture    *f,
           const char *proxy)
{
  g_clear_object (&f->resolver);
  f->resolver = dial_test_proxy_resolver_new_single (proxy);
  dial_socket_client_set_proxy_resolver (f->client, G_PROXY_RESOLVER (f->resolver));
}

/* The plain HTTP proxy, with @userinfo (percent-encoded) in its URI. */
static void
use_http_proxy (Fixture    *f,
                const char *userinfo)
{
  g_autofree char *uri = dial_test_http_proxy_get_uri (f->http, userinfo);

  use_proxy (f, uri);
}

static void
script_reply (Fixture    *f,
              const char *reply,
              gssize      len,
              gsize       piece)
{
  dial_test_http_proxy_set_behaviour (f->http, DIAL_TEST_HTTP_PROXY_REPLY);
  dial_test_http_proxy_set_reply (f->http, reply, len, piece);
}

/* An https proxy: a TLS server with @cert in front of the HTTP proxy,
 * named "localhost" in the proxy URI.  GLib resolves "localhost" itself,
 * to ::1 then 127.0.0.1, so the server listens on both.  Returns FALSE
 * (and skips) without IPv6. */
static gboolean
use_https_proxy (Fixture         *f,
                 DialTestTlsCert  cert)
{
  DialTestTlsServerOptions options = {
    .mode = DIAL_TEST_TLS_MODE_FORWARD,
    .cert = cert,
    .dual_stack = TRUE,
    .forward_port = dial_test_http_proxy_get_port (f->http),
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  if (!dial_test_ipv6_available ())
    {
      g_test_skip ("no IPv6 loopback for a dual-stack \"localhost\" proxy");
      return FALSE;
    }

  f->tls_proxy = dial_test_tls_server_new (&options, &error);
  g_assert_no_error (error);

  uri = g_strdup_printf ("https://localhost:%u", dial_test_tls_server_get_port (f->tls_proxy));
  use_proxy (f, uri);

  return TRUE;
}

/* Makes the https proxy's CA the process's default database. */
static gboolean
trust_https_proxy (Fixture *f)
{
  g_autoptr(GTlsDatabase) database = NULL;

  database = dial_test_tls_server_new_ca_database (f->tls_proxy);
  g_tls_backend_set_default_database (g_tls_backend_get_default (), database);
  f->tls_proxy_trusted = TRUE;

  return TRUE;
}

/* A TLS echo server behind the proxy, trusted through TLS_HANDSHAKING.
 * Returns the connectable to ask for. */
static GSocketConnectable *
use_tls_destination (Fixture *f)
{
  DialTestTlsServerOptions options = { .mode = DIAL_TEST_TLS_MODE_ECHO };
  g_autoptr(GError) error = NULL;

  f->destination = dial_test_tls_server_new (&options, &error);
  g_assert_no_error (error);
  f->destination_database = dial_test_tls_server_new_ca_database (f->destination);
  dial_socket_client_set_tls (f->client, TRUE);

  return g_network_address_new ("localhost", dial_test_tls_server_get_port (f->destination));
}

/* Connecting and talking, in the fixture's driver --------------------------- */

static GSocketConnection *
connect_cancellable (Fixture             *f,
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
connect_to (Fixture             *f,
            GSocketConnectable  *connectable,
            GError             **error)
{
  return connect_cancellable (f, connectable, NULL, error);
}

static GSocketConnection *
connect_to_echo (Fixture  *f,
                 GError  **error)
{
  g_autoptr(GSocketConnectable) connectable = g_network_address_new (ECHO_HOST, echo_port (f));

  return connect_to (f, connectable, error);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* Reads exactly @len bytes, with the driver's kind of call. */
static char *
read_exactly (Fixture           *f,
              GSocketConnection *connection,
              gsize              len)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  g_autoptr(GError) error = NULL;
  char *buffer = g_malloc0 (len + 1);
  gsize n = 0;

  if (f->mode == MODE_SYNC)
    {
      g_input_stream_read_all (input, buffer, len, &n, NULL, &error);
    }
  else
    {
      g_autoptr(GAsyncResult) result = NULL;

      g_input_stream_read_all_async (input, buffer, len, G_PRIORITY_DEFAULT, NULL,
                                     store_result, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_input_stream_read_all_finish (input, result, &n, &error);
    }

  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, len);
  return buffer;
}

static void
assert_echo (Fixture           *f,
             GSocketConnection *connection)
{
  static const char message[] = "through the tunnel and back\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             message, strlen (message), NULL, NULL, &error);
  g_assert_no_error (error);

  reply = read_exactly (f, connection, strlen (message));
  g_assert_cmpstr (reply, ==, message);
}

/* The tunnel's first bytes came with the reply: they come first, then the
 * tunnel goes on. */
static void
assert_early_then_echo (Fixture           *f,
                        GSocketConnection *connection)
{
  g_autofree char *early = read_exactly (f, connection, strlen (EARLY));

  g_assert_cmpstr (early, ==, EARLY);
  assert_echo (f, connection);
}

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
check_fails_with_events (Fixture    *f,
                         const char *events,
                         GQuark      domain,
                         gint        code,
                         const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;

  connection = connect_to_echo (f, &error);
  g_assert_null (connection);
  assert_error (error, domain, code, message);
  dial_test_events_assert (f->events, events);
}

static void
check_negotiation_fails (Fixture    *f,
                         GQuark      domain,
                         gint        code,
                         const char *message)
{
  check_fails_with_events (f, "R Rd C Cd PN X", domain, code, message);
}

/* An https proxy named "localhost" has two addresses, and a failed
 * negotiation moves on to the next one, as in GIO. */
static void
check_https_fails (Fixture    *f,
                   GQuark      domain,
                   gint        code,
                   const char *message)
{
  check_fails_with_events (f, "R Rd C Cd PN C Cd PN X", domain, code, message);
}

/* A head of exactly @len bytes: status line, padding headers, empty line. */
static GString *
make_head (gsize len)
{
  GString *head = g_string_new ("HTTP/1.1 200 Connection established\r\n");

  while (head->len + 2 < len)
    {
      gsize room = len - head->len - 2;
      /* "X-Pad: " + value + CRLF, at least 10 bytes, at most 1000. */
      gsize header = room <= 1000 ? room : (room - 1000 >= 10 ? 1000 : room - 10);

      g_assert_cmpuint (header, >=, 10);
      g_string_append (head, "X-Pad: ");
      for (gsize i = 0; i < header - 9; i++)
        g_string_append_c (head, 'a');
      g_string_append (head, "\r\n");
    }
  g_string_append (head, "\r\n");
  g_assert_cmpuint (head->len, ==, len);

  return head;
}

/* The request as the proxy got it. */
static void
assert_request (Fixture    *f,
                guint       index,
                const char *host_and_port)
{
  g_autoptr(DialTestHttpProxyRecord) record = NULL;
  g_autofree char *request_line = g_strdup_printf ("CONNECT %s HTTP/1.1", host_and_port);
  g_autofree char *host = g_strdup_printf ("Host: %s", host_and_port);

  record = dial_test_http_proxy_get_record (f->http, index);
  g_assert_nonnull (record);
  g_assert_cmpstr (record->request_line, ==, request_line);
  g_assert_cmpuint (g_strv_length (record->headers), ==, 2);
  g_assert_cmpstr (record->headers[0], ==, host);
  g_assert_cmpstr (record->headers[1], ==, "User-Agent: libdial/" DIAL_VERSION_S);
}

/* Lets go of the connection: ours, the recorded events', and a late
 * unref queued on the main context, so that its socket closes. */
static void
drop_connection (Fixture            *f,
                 GSocketConnection **connection)
{
  g_clear_object (connection);
  dial_test_events_clear (f->events);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The first connection's record, once the proxy is done with it.  The
 * recorded events hold the client's connection, and a late unref may be
 * queued on the main context: both go first, so that the socket closes. */
static DialTestHttpProxyRecord *
http_record_when_closed (Fixture *f)
{
  dial_test_events_clear (f->events);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (dial_test_http_proxy_wait_finished (f->http, 1));

  return dial_test_http_proxy_get_record (f->http, 0);
}

/* HTTP --------------------------------------------------------------------- */

/* Tunnel bytes written in the same segment as the 200 are not lost: the
 * head is peeked at and only the head is read. */
static void
test_http_early_tunnel_bytes (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *echo = g_strdup_printf (ECHO_HOST ":%u", echo_port (f));

  script_reply (f, "HTTP/1.1 200 Connection established\r\n\r\n" EARLY, -1, 0);
  use_http_proxy (f, NULL);

  connection = connect_to_echo (f, &error);
  g_assert_no_error (error);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  /* Nothing to wrap: the TCP connection itself. */
  g_assert_true (G_OBJECT_TYPE (connection) == G_TYPE_TCP_CONNECTION);
  assert_early_then_echo (f, connection);
  assert_request (f, 0, echo);
}

static void
test_http_bare_lf (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;

  script_reply (f, "HTTP/1.1 200 OK\nVia: 1.1 test\n\n" EARLY, -1, 0);
  use_http_proxy (f, NULL);

  connection = connect_to_echo (f, &error);
  g_assert_no_error (error);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_early_then_echo (f, connection);
}

/* The head arrives a byte at a time, the tunnel bytes after it too. */
static void
test_http_head_in_pieces (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;

  script_reply (f, "HTTP/1.1 200 Connection established\r\nVia: 1.1 test\r\n\r\n" EARLY, -1, 1);
  use_http_proxy (f, NULL);

  connection = connect_to_echo (f, &error);
  g_assert_no_error (error);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_early_then_echo (f, connection);
}

/* A head of exactly the bound, tunnel bytes behind it. */
static void
test_http_head_at_bound (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GString) reply = make_head (HEAD_MAX);

  g_string_append (reply, EARLY);
  script_reply (f, reply->str, reply->len, 0);
  use_http_proxy (f, NULL);

  connection = connect_to_echo (f, &error);
  g_assert_no_error (error);
  assert_early_then_echo (f, connection);
}

static void
test_http_head_too_big (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GString) reply = make_head (HEAD_MAX + 1);

  g_string_append (reply, EARLY);
  script_reply (f, reply->str, reply->len, 0);
  use_http_proxy (f, NULL);

  check_negotiation_fails (f, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED, "HTTP proxy response too big");
}

/* A head that never ends, sent in pieces. */
static void
test_http_head_endless (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GString) reply = make_head (4 * HEAD_MAX);

  script_reply (f, reply->str, reply->len, 4096);
  use_http_proxy (f, NULL);

  check_negotiation_fails (f, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED, "HTTP proxy response too big");
}

/* Not HTTP, and the proxy keeps the connection open: judged on the first
 * bytes, without waiting for an end of head that will never come (GIO
 * would wait for the time-out). */
static void
test_http_garbage_kept_open (Fixture       *f,
                             gconstpointer  data)
{
  gint64 start = g_get_monotonic_time ();

  script_reply (f, "SSH-2.0-OpenSSH_9.2p1\r\n", -1, 0);
  use_http_proxy (f, NULL);
  dial_socket_client_set_timeout (f->client, 30);

  check_negotiation_fails (f, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED, "Bad HTTP proxy reply");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}

/* A destination host name that would inject a header never reaches the
 * proxy: the connection to it is made, but not a byte is written. */
static void
test_http_host_injection (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(DialTestHttpProxyRecord) record = NULL;

  use_http_proxy (f, NULL);
  connectable = g_network_address_new ("evil.test\r\nX-Injected: 1", echo_port (f));

  connection = connect_to (f, connectable, &error);
  g_assert_null (connection);
  assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Invalid hostname");
  dial_test_events_assert (f->events, "R Rd C Cd PN X");

  record = http_record_when_closed (f);
  g_assert_nonnull (record);
  g_assert_cmpuint (record->n_bytes, ==, 0);
}

/* The same for a credential (percent-decoded from the proxy URI); the
 * error does not quote it. */
static void
test_http_credential_injection (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DialTestHttpProxyRecord) record = NULL;

  use_http_proxy (f, "alice%0D%0AX-Injected%3A%201:s3cret");

  check_negotiation_fails (f, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "HTTP proxy credentials must not contain a line break");

  record = http_record_when_closed (f);
  g_assert_nonnull (record);
  g_assert_cmpuint (record->n_bytes, ==, 0);
}

/* Cancelled while waiting for the reply: promptly, GIO's error. */
static void
test_http_cancel (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSocketConnectable) connectable = g_network_address_new (ECHO_HOST, echo_port (f));

  dial_test_http_proxy_set_behaviour (f->http, DIAL_TEST_HTTP_PROXY_SILENT);
  dial_test_http_proxy_cancel_on_request (f->http, cancellable);
  use_http_proxy (f, NULL);

  connection = connect_cancellable (f, connectable, cancellable, &error);
  g_assert_null (connection);
  assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
  dial_test_events_assert (f->events, "R Rd C Cd PN X");
}

/* TLS to the destination, through the tunnel. */
static void
test_http_tls_through (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketConnectable) connectable = use_tls_destination (f);
  g_autofree char *destination = g_strdup_printf ("localhost:%u",
                                                  dial_test_tls_server_get_port (f->destination));
  const DialTestTlsRecord *tls_record;

  use_http_proxy (f, NULL);

  connection = connect_to (f, connectable, &error);
  g_assert_no_error (error);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd TH THd X");
  assert_echo (f, connection);
  assert_request (f, 0, destination);

  drop_connection (f, &connection);
  tls_record = dial_test_tls_server_wait_record (f->destination, 0);
  g_assert_nonnull (tls_record);
  g_assert_true (tls_record->handshake_done);
  g_assert_cmpstr (tls_record->sni, ==, "localhost");
}

/* HTTPS -------------------------------------------------------------------- */

static void
test_https_ok (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autofree char *echo = g_strdup_printf (ECHO_HOST ":%u", echo_port (f));
  const DialTestTlsRecord *tls_record;

  if (!use_https_proxy (f, DIAL_TEST_TLS_CERT_GOOD) || !trust_https_proxy (f))
    return;

  connection = connect_to_echo (f, &error);
  g_assert_no_error (error);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");
  assert_echo (f, connection);
  assert_request (f, 0, echo);

  remote = g_socket_connection_get_remote_address (connection, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_PROXY_ADDRESS (remote));
  g_assert_cmpstr (g_proxy_address_get_protocol (G_PROXY_ADDRESS (remote)), ==, "https");

  /* The TLS session was with the proxy, under the proxy's own name. */
  drop_connection (f, &connection);
  tls_record = dial_test_tls_server_wait_record (f->tls_proxy, 0);
  g_assert_nonnull (tls_record);
  g_assert_true (tls_record->handshake_done);
  g_assert_cmpstr (tls_record->sni, ==, "localhost");
  g_assert_cmpuint (tls_record->bytes_echoed, >, 0);
}

/* Over TLS nothing can be peeked: bytes read beyond the head are served
 * first by the stream the proxy returns. */
static void
test_https_early_tunnel_bytes (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  GIOStream *base;

  script_reply (f, "HTTP/1.1 200 Connection established\r\n\r\n" EARLY, -1, 0);
  if (!use_https_proxy (f, DIAL_TEST_TLS_CERT_GOOD) || !trust_https_proxy (f))
    return;

  connection = connect_to_echo (f, &error);
  g_assert_no_error (error);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd X");

  /* The head and the bytes after it came in one write, so in one TLS
   * record, so in one read. */
  g_assert_true (G_IS_TCP_WRAPPER_CONNECTION (connection));
  base = g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (connection));
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (base), ==, "DialPrefixedIOStream");

  assert_early_then_echo (f, connection);
}

/* The head in pieces over TLS: each piece its own record. */
static void
test_https_head_in_pieces (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;

  script_reply (f, "HTTP/1.1 200 Connection established\r\nVia: 1.1 test\r\n\r\n" EARLY, -1, 1);
  if (!use_https_proxy (f, DIAL_TEST_TLS_CERT_GOOD) || !trust_https_proxy (f))
    return;

  connection = connect_to_echo (f, &error);
  g_assert_no_error (error);
  assert_early_then_echo (f, connection);
}

/* An untrusted proxy certificate: the CONNECT is never sent (the TLS
 * server connects to the HTTP proxy only after a handshake). */
static void
test_https_untrusted (Fixture       *f,
                      gconstpointer  data)
{
  const DialTestTlsRecord *tls_record;

  if (!use_https_proxy (f, DIAL_TEST_TLS_CERT_GOOD))
    return;

  check_https_fails (f, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                           "Unacceptable TLS certificate");

  tls_record = dial_test_tls_server_wait_record (f->tls_proxy, 0);
  g_assert_nonnull (tls_record);
  g_assert_false (tls_record->handshake_done);
  g_assert_cmpuint (dial_test_http_proxy_get_accepted (f->http), ==, 0);
}

/* The proxy's certificate must match the proxy's name. */
static void
test_https_wrong_host (Fixture       *f,
                       gconstpointer  data)
{
  if (!use_https_proxy (f, DIAL_TEST_TLS_CERT_WRONG_HOST) || !trust_https_proxy (f))
    return;

  check_https_fails (f, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                           "Unacceptable TLS certificate");
  g_assert_cmpuint (dial_test_http_proxy_get_accepted (f->http), ==, 0);
}

static void
test_https_forbidden (Fixture       *f,
                      gconstpointer  data)
{
  dial_test_http_proxy_set_behaviour (f->http, DIAL_TEST_HTTP_PROXY_STATUS);
  dial_test_http_proxy_set_status (f->http, 403);
  if (!use_https_proxy (f, DIAL_TEST_TLS_CERT_GOOD) || !trust_https_proxy (f))
    return;

  check_https_fails (f, G_IO_ERROR, G_IO_ERROR_PROXY_NOT_ALLOWED,
                           "HTTP proxy connection not allowed");
}

/* Cancelled while waiting for the reply over TLS. */
static void
test_https_cancel (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSocketConnectable) connectable = g_network_address_new (ECHO_HOST, echo_port (f));

  dial_test_http_proxy_set_behaviour (f->http, DIAL_TEST_HTTP_PROXY_SILENT);
  dial_test_http_proxy_cancel_on_request (f->http, cancellable);
  if (!use_https_proxy (f, DIAL_TEST_TLS_CERT_GOOD) || !trust_https_proxy (f))
    return;

  connection = connect_cancellable (f, connectable, cancellable, &error);
  g_assert_null (connection);
  assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
  dial_test_events_assert (f->events, "R Rd C Cd PN X");
}

/* TLS to the destination inside TLS to the proxy. */
static void
test_https_tls_through (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketConnectable) connectable = use_tls_destination (f);
  const DialTestTlsRecord *tls_record;

  if (!use_https_proxy (f, DIAL_TEST_TLS_CERT_GOOD) || !trust_https_proxy (f))
    return;

  connection = connect_to (f, connectable, &error);
  g_assert_no_error (error);
  dial_test_events_assert (f->events, "R Rd C Cd PN PNd TH THd X");
  assert_echo (f, connection);

  drop_connection (f, &connection);
  tls_record = dial_test_tls_server_wait_record (f->destination, 0);
  g_assert_nonnull (tls_record);
  g_assert_true (tls_record->handshake_done);
}

/* Registration ------------------------------------------------------------- */

static void
add_both (const char       *group,
          const char       *name,
          void            (*func) (Fixture *, gconstpointer))
{
  static const char * const modes[] = { "sync", "async" };

  for (guint mode = MODE_SYNC; mode <= MODE_ASYNC; mode++)
    {
      g_autofree char *path = g_strdup_printf ("/proxy/%s/%s/%s", group, modes[mode], name);

      g_test_add (path, Fixture, GINT_TO_POINTER (mode),
                  fixture_setup, func, fixture_teardown);
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

/* Loads what GIO loads once per process, so that the first test's
 * descriptor count does not see it: GTask's thread pool (glib-networking
 * handshakes in it), whose worker context's wakeup descriptor is made on
 * first use, the TLS backend and its default database. */
static void
warm_up (void)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  g_autoptr(GTlsDatabase) database = NULL;

  g_task_run_in_thread_sync (task, warm_up_thread);
  g_assert_nonnull (g_proxy_resolver_get_default ());
  g_tls_backend_get_default ();
  if (!builtin_tls_provider ())
    database = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  else
    database = dial_tls_get_default_database ();
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

  add_both ("http", "early-tunnel-bytes", test_http_early_tunnel_bytes);
  add_both ("http", "bare-lf", test_http_bare_lf);
  add_both ("http", "head-in-pieces", test_http_head_in_pieces);
  add_both ("http", "head-at-bound", test_http_head_at_bound);
  add_both ("http", "head-too-big", test_http_head_too_big);
  add_both ("http", "head-endless", test_http_head_endless);
  add_both ("http", "garbage-kept-open", test_http_garbage_kept_open);
  add_both ("http", "host-injection", test_http_host_injection);
  add_both ("http", "credential-injection", test_http_credential_injection);
  add_both ("http", "cancel", test_http_cancel);
  add_both ("http", "tls-through", test_http_tls_through);
  add_both ("https", "ok", test_https_ok);
  add_both ("https", "early-tunnel-bytes", test_https_early_tunnel_bytes);
  add_both ("https", "head-in-pieces", test_https_head_in_pieces);
  add_both ("https", "untrusted", test_https_untrusted);
  add_both ("https", "wrong-host", test_https_wrong_host);
  add_both ("https", "forbidden", test_https_forbidden);
  add_both ("https", "cancel", test_https_cancel);
  add_both ("https", "tls-through", test_https_tls_through);

  ret = g_test_run ();

  g_clear_object (&mock_resolver);

  return ret;
}
