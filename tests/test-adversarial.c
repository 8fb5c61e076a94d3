/* test-adversarial.c: proxies and TLS servers that misbehave on purpose.
 *
 * A SOCKS5 proxy, an HTTP CONNECT proxy and a TLS server, each played by
 * a scripted peer (dial-test-adversary.h), that
 *
 * - trickle their answer one byte per second: with the deadline at
 *   1500 ms the connect fails with TIMED_OUT "... while negotiating with
 *   the proxy" or "... while performing the TLS handshake", on time;
 * - never stop: HTTP headers without end, a 64 KiB status line, a TLS
 *   handshake message that never ends, a TLS record longer than TLS
 *   allows: the connect fails at libdial's 16 KiB bound for an HTTP head,
 *   or at the TLS library's own, long before the deadline;
 * - close in the middle of a message, or reset the connection
 *   (SO_LINGER 0): the connect fails at once with the protocol's error;
 *   except for an HTTP head that EOF cuts after a 200 status line, which
 *   libdial takes as it is, as GIO does: the connect returns a tunnel
 *   that reads EOF at once.
 *
 * Each case runs as /adversarial/sync/NAME and /adversarial/async/NAME.
 * In each, the error's domain, code and (where libdial writes it) message
 * are checked, the time is bounded, the peer sees the client go, and
 * afterwards no client, stream, socket or task object is alive and the
 * descriptor count is back.  Every case except the trickles has a
 * deadline of HANG_DEADLINE_MS, so that a client that waited for ever
 * would fail the case with TIMED_OUT instead of hanging it.
 *
 * The suite runs once per TLS provider.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <dial/dial.h>

#include "dial-test-adversary.h"
#include "dial-test-events.h"
#include "dial-test-proxy-resolver.h"
#include "dial-test-sink.h"
#include "dial-test-tracker.h"

#define MS ((gint64) 1000)

/* The deadline of every case that should fail without waiting. */
#define HANG_DEADLINE_MS 10000
/* What "without waiting" means, generously. */
#define PROMPT_BOUND_MS  5000
/* The trickles: one byte per TRICKLE_PAUSE_MS, cut at TRICKLE_DEADLINE_MS. */
#define TRICKLE_PAUSE_MS    1000
#define TRICKLE_DEADLINE_MS 1500
/* How late after the deadline a timed-out connect may return. */
#define LATE_BOUND_MS       2000

/* What the client dials: a name only the proxy sees. */
#define TARGET_HOST "far.adversarial.test"

typedef enum
{
  DRIVER_SYNC,
  DRIVER_ASYNC,
} Driver;

typedef enum
{
  ROLE_SOCKS5,   /* the adversary is the client's SOCKS5 proxy */
  ROLE_HTTP,     /* its HTTP CONNECT proxy */
  ROLE_TLS,      /* the TLS server it dials directly */
} Role;

typedef struct
{
  const char                  *name;
  Role                         role;
  const DialTestAdversaryStep *steps;
  guint                        n_steps;
  gboolean                     trickle;   /* deadline TRICKLE_DEADLINE_MS, else HANG_DEADLINE_MS */

  /* The error: G_IO_ERROR or G_TLS_ERROR, its code, and its message when
   * it is libdial's (NULL: any message). */
  gboolean                     tls_error;
  gint                         code;
  const char                  *message;

  /* No error: as GIO does, a head that EOF cuts after a 200 status line
   * is taken as it is, and the connect returns a tunnel that reads EOF. */
  gboolean                     dead_tunnel;
} Case;

typedef struct
{
  const Case *c;
  Driver      driver;
} TestData;

/* {{{ The scripts */

#define STEP_READ_SOME      { DIAL_TEST_ADVERSARY_READ, NULL, 0, 0 }
#define STEP_READ(n)        { DIAL_TEST_ADVERSARY_READ, NULL, (n), 0 }
#define STEP_READ_HEAD      { DIAL_TEST_ADVERSARY_READ_HEAD, NULL, 0, 0 }
#define STEP_WRITE(s)       { DIAL_TEST_ADVERSARY_WRITE, (s), sizeof (s) - 1, 0 }
#define STEP_TRICKLE(s)     { DIAL_TEST_ADVERSARY_TRICKLE, (s), sizeof (s) - 1, TRICKLE_PAUSE_MS }
#define STEP_ENDLESS(s)     { DIAL_TEST_ADVERSARY_ENDLESS, (s), sizeof (s) - 1, 0 }
#define STEP_CLOSE          { DIAL_TEST_ADVERSARY_CLOSE, NULL, 0, 0 }
#define STEP_RESET          { DIAL_TEST_ADVERSARY_RESET, NULL, 0, 0 }

/* SOCKS5: the method reply (no authentication), and a grant with an IPv4
 * bound address.  The client's greeting is 3 bytes (one method) and its
 * request for TARGET_HOST 7 + the name's length. */
#define SOCKS5_METHOD "\x05\x00"
#define SOCKS5_GRANT  "\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00"
#define SOCKS5_REQUEST_LEN (7 + sizeof TARGET_HOST - 1)

static const DialTestAdversaryStep socks5_trickle[] = {
  STEP_READ (3),
  STEP_TRICKLE (SOCKS5_METHOD SOCKS5_GRANT),
};
static const DialTestAdversaryStep socks5_close_in_method[] = {
  STEP_READ (3),
  STEP_WRITE ("\x05"),
  STEP_CLOSE,
};
static const DialTestAdversaryStep socks5_close_in_grant[] = {
  STEP_READ (3),
  STEP_WRITE (SOCKS5_METHOD),
  STEP_READ (SOCKS5_REQUEST_LEN),
  STEP_WRITE ("\x05\x00\x00\x01\x00"),
  STEP_CLOSE,
};
static const DialTestAdversaryStep socks5_reset_after_greeting[] = {
  STEP_READ (3),
  STEP_RESET,
};
static const DialTestAdversaryStep socks5_reset_in_grant[] = {
  STEP_READ (3),
  STEP_WRITE (SOCKS5_METHOD),
  STEP_READ (SOCKS5_REQUEST_LEN),
  STEP_WRITE ("\x05\x00"),
  STEP_RESET,
};

/* HTTP CONNECT. */
#define HTTP_OK "HTTP/1.1 200 Connection established\r\n"

static const DialTestAdversaryStep http_trickle[] = {
  STEP_READ_HEAD,
  STEP_TRICKLE (HTTP_OK "\r\n"),
};
static const DialTestAdversaryStep http_endless_headers[] = {
  STEP_READ_HEAD,
  STEP_WRITE (HTTP_OK),
  STEP_ENDLESS ("X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"),
};
/* Filled in by main (): "HTTP/1.1 200 " and 64 KiB of 'a', then the end
 * of the head. */
static DialTestAdversaryStep http_long_line[] = {
  STEP_READ_HEAD,
  { DIAL_TEST_ADVERSARY_WRITE, NULL, 0, 0 },
};
static const DialTestAdversaryStep http_close_in_headers[] = {
  STEP_READ_HEAD,
  STEP_WRITE (HTTP_OK "X-Half: abc"),
  STEP_CLOSE,
};
static const DialTestAdversaryStep http_close_in_status[] = {
  STEP_READ_HEAD,
  STEP_WRITE ("HTTP/1.1 2"),
  STEP_CLOSE,
};
static const DialTestAdversaryStep http_reset_after_request[] = {
  STEP_READ_HEAD,
  STEP_RESET,
};
static const DialTestAdversaryStep http_reset_in_headers[] = {
  STEP_READ_HEAD,
  STEP_WRITE (HTTP_OK "X-Half: abc"),
  STEP_RESET,
};

/* TLS.  A handshake record (type 22, TLS 1.2 on the wire) holding the
 * start of a ServerHello (type 2) of 0x76 bytes, as a real one begins. */
#define TLS_SERVER_HELLO_START "\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03\x5a\x5a\x5a\x5a"
/* A handshake message that announces 16 MiB, and then records of
 * 16 KiB that carry more of it, for ever. */
#define TLS_HUGE_MESSAGE_START "\x16\x03\x03\x00\x08\x02\xff\xff\xff\x03\x03\x00\x00"
#define TLS_RECORD_HEADER_16K "\x16\x03\x03\x40\x00"

static const DialTestAdversaryStep tls_trickle[] = {
  STEP_READ_SOME,
  STEP_TRICKLE (TLS_SERVER_HELLO_START),
};
static const DialTestAdversaryStep tls_close_in_handshake[] = {
  STEP_READ_SOME,
  STEP_WRITE (TLS_SERVER_HELLO_START),
  STEP_CLOSE,
};
static const DialTestAdversaryStep tls_close_between_records[] = {
  STEP_READ_SOME,
  STEP_WRITE ("\x16\x03\x03\x00\x04\x02\x00\x00\x76"),
  STEP_CLOSE,
};
static const DialTestAdversaryStep tls_reset_after_hello[] = {
  STEP_READ_SOME,
  STEP_RESET,
};
static const DialTestAdversaryStep tls_reset_in_handshake[] = {
  STEP_READ_SOME,
  STEP_WRITE (TLS_SERVER_HELLO_START),
  STEP_RESET,
};
/* Filled in by main (): the header, then 16 KiB records for ever. */
static DialTestAdversaryStep tls_endless_handshake[] = {
  STEP_READ_SOME,
  STEP_WRITE (TLS_HUGE_MESSAGE_START),
  { DIAL_TEST_ADVERSARY_ENDLESS, NULL, 0, 0 },
};
/* A record of 64 KiB - 1: longer than any TLS record may be. */
static const DialTestAdversaryStep tls_oversized_record[] = {
  STEP_READ_SOME,
  STEP_WRITE ("\x16\x03\x03\xff\xff\x02\x00\x00\x76"),
};

#define STEPS(s) (s), G_N_ELEMENTS (s)

static const Case cases[] = {
  /* The trickles: the deadline, not the peer, ends them. */
  { "socks5/trickle", ROLE_SOCKS5, STEPS (socks5_trickle), TRUE,
    FALSE, G_IO_ERROR_TIMED_OUT,
    "Connecting to " TARGET_HOST " timed out after 1500 ms while negotiating with the proxy" },
  { "http/trickle", ROLE_HTTP, STEPS (http_trickle), TRUE,
    FALSE, G_IO_ERROR_TIMED_OUT,
    "Connecting to " TARGET_HOST " timed out after 1500 ms while negotiating with the proxy" },
  { "tls/trickle", ROLE_TLS, STEPS (tls_trickle), TRUE,
    FALSE, G_IO_ERROR_TIMED_OUT, NULL /* names the server's address: checked in the test */ },

  /* Without end. */
  { "http/endless-headers", ROLE_HTTP, STEPS (http_endless_headers), FALSE,
    FALSE, G_IO_ERROR_PROXY_FAILED, "HTTP proxy response too big" },
  { "http/64k-status-line", ROLE_HTTP, STEPS (http_long_line), FALSE,
    FALSE, G_IO_ERROR_PROXY_FAILED, "HTTP proxy response too big" },
  { "tls/endless-handshake-message", ROLE_TLS, STEPS (tls_endless_handshake), FALSE,
    TRUE, G_TLS_ERROR_MISC, NULL },
  { "tls/oversized-record", ROLE_TLS, STEPS (tls_oversized_record), FALSE,
    TRUE, G_TLS_ERROR_MISC, NULL },

  /* Closed in the middle of a message. */
  { "socks5/close-in-method-reply", ROLE_SOCKS5, STEPS (socks5_close_in_method), FALSE,
    FALSE, G_IO_ERROR_CONNECTION_CLOSED, "Connection to SOCKSv5 proxy server lost" },
  { "socks5/close-in-grant", ROLE_SOCKS5, STEPS (socks5_close_in_grant), FALSE,
    FALSE, G_IO_ERROR_CONNECTION_CLOSED, "Connection to SOCKSv5 proxy server lost" },
  /* Half a status line is a bad reply more than a lost connection. */
  { "http/close-in-status-line", ROLE_HTTP, STEPS (http_close_in_status), FALSE,
    FALSE, G_IO_ERROR_PROXY_FAILED, "Bad HTTP proxy reply" },
  { "http/close-in-headers", ROLE_HTTP, STEPS (http_close_in_headers), FALSE,
    .dead_tunnel = TRUE },
  /* EOF inside a record: the record cannot be decoded. */
  { "tls/close-in-record", ROLE_TLS, STEPS (tls_close_in_handshake), FALSE,
    TRUE, G_TLS_ERROR_NOT_TLS, NULL },
  /* EOF between records, in the middle of a handshake message.  As
   * glib-networking does, a handshake that never got a whole message from
   * the server says the peer does not speak TLS. */
  { "tls/close-in-handshake-message", ROLE_TLS, STEPS (tls_close_between_records), FALSE,
    TRUE, G_TLS_ERROR_NOT_TLS, NULL },

  /* Reset. */
  { "socks5/reset-after-greeting", ROLE_SOCKS5, STEPS (socks5_reset_after_greeting), FALSE,
    FALSE, G_IO_ERROR_CONNECTION_CLOSED, "Error receiving data: Connection reset by peer" },
  { "socks5/reset-in-grant", ROLE_SOCKS5, STEPS (socks5_reset_in_grant), FALSE,
    FALSE, G_IO_ERROR_CONNECTION_CLOSED, "Error receiving data: Connection reset by peer" },
  { "http/reset-after-request", ROLE_HTTP, STEPS (http_reset_after_request), FALSE,
    FALSE, G_IO_ERROR_CONNECTION_CLOSED, "Error receiving message: Connection reset by peer" },
  { "http/reset-in-headers", ROLE_HTTP, STEPS (http_reset_in_headers), FALSE,
    FALSE, G_IO_ERROR_CONNECTION_CLOSED, "Error receiving message: Connection reset by peer" },
  /* The same rule: "Peer failed to perform TLS handshake: Error
   * receiving data: Connection reset by peer". */
  { "tls/reset-after-client-hello", ROLE_TLS, STEPS (tls_reset_after_hello), FALSE,
    TRUE, G_TLS_ERROR_NOT_TLS, NULL },
  { "tls/reset-in-handshake", ROLE_TLS, STEPS (tls_reset_in_handshake), FALSE,
    TRUE, G_TLS_ERROR_NOT_TLS, NULL },
};

/* }}} */

/* {{{ One case */

typedef struct
{
  gboolean           done;
  GSocketConnection *connection;
  GError            *error;
} AsyncResult;

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncResult *out = user_data;
  DialTestTracker *tracker = g_object_get_data (source, "tracker");

  dial_test_tracker_watch (tracker, result, "task");
  out->connection = dial_socket_client_connect_finish (DIAL_SOCKET_CLIENT (source), result,
                                                       &out->error);
  out->done = TRUE;
}

/* The connection reads EOF at once, and closes cleanly. */
static void
assert_dead_tunnel (GSocketConnection *connection)
{
  g_autoptr(GError) error = NULL;
  char byte;

  g_assert_nonnull (connection);
  g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                        &byte, 1, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_true (g_io_stream_close (G_IO_STREAM (connection), NULL, &error));
  g_assert_no_error (error);
}

static void
test_case (gconstpointer data)
{
  const TestData *test = data;
  const Case *c = test->c;
  g_autoptr(DialTestTracker) tracker = dial_test_tracker_new ();
  g_autoptr(DialTestAdversary) adversary = NULL;
  g_autoptr(DialTestProxyResolver) proxy_resolver = NULL;
  g_autofree DialTestAdversaryRecord *record = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  DialSocketClient *client;
  guint deadline_ms = c->trickle ? TRICKLE_DEADLINE_MS : HANG_DEADLINE_MS;
  GQuark domain = c->tls_error ? G_TLS_ERROR : G_IO_ERROR;
  guint fds_at_start;
  gint64 start, elapsed;

  fds_at_start = dial_test_count_fds ();
  adversary = dial_test_adversary_new (c->steps, c->n_steps);

  client = dial_socket_client_new ();
  dial_test_tracker_watch_client (tracker, client);
  g_object_set_data (G_OBJECT (client), "tracker", tracker);
  dial_socket_client_set_deadline (client, deadline_ms);

  switch (c->role)
    {
    case ROLE_SOCKS5:
    case ROLE_HTTP:
      {
        g_autofree char *uri =
          dial_test_adversary_get_uri (adversary, c->role == ROLE_SOCKS5 ? "socks5" : "http");

        proxy_resolver = dial_test_proxy_resolver_new_single (uri);
        dial_socket_client_set_proxy_resolver (client, G_PROXY_RESOLVER (proxy_resolver));
        connectable = g_network_address_new (TARGET_HOST, 443);
      }
      break;
    case ROLE_TLS:
      /* The handshake never gets far enough to check a certificate. */
      dial_socket_client_set_tls (client, TRUE);
      connectable = g_network_address_new ("127.0.0.1", dial_test_adversary_get_port (adversary));
      break;
    default:
      g_assert_not_reached ();
    }

  start = g_get_monotonic_time ();
  if (test->driver == DRIVER_SYNC)
    {
      connection = dial_socket_client_connect (client, connectable, NULL, &error);
    }
  else
    {
      AsyncResult result = { 0 };

      dial_socket_client_connect_async (client, connectable, NULL, connect_cb, &result);
      while (!result.done)
        g_main_context_iteration (NULL, TRUE);
      connection = result.connection;
      error = result.error;
    }
  elapsed = g_get_monotonic_time () - start;

  g_test_message ("after %.1f ms: %s", elapsed / 1000.0,
                  error != NULL ? error->message : "connected");
  if (c->dead_tunnel)
    {
      g_assert_no_error (error);
      assert_dead_tunnel (connection);
      g_assert_cmpint (elapsed, <, PROMPT_BOUND_MS * MS);
      g_clear_object (&connection);
      goto nothing_left;
    }
  g_assert_null (connection);
  g_assert_error (error, domain, c->code);
  g_assert_cmpuint (strlen (error->message), >, 0);
  if (c->message != NULL)
    g_assert_cmpstr (error->message, ==, c->message);
  if (c->role == ROLE_TLS && c->trickle)
    {
      g_autofree char *message =
        g_strdup_printf ("Connecting to 127.0.0.1:%u timed out after %u ms while performing "
                         "the TLS handshake", dial_test_adversary_get_port (adversary), deadline_ms);

      g_assert_cmpstr (error->message, ==, message);
    }

  if (c->trickle)
    {
      g_assert_cmpint (elapsed, >=, deadline_ms * MS);
      g_assert_cmpint (elapsed, <, (deadline_ms + LATE_BOUND_MS) * MS);
    }
  else
    {
      g_assert_cmpint (elapsed, <, PROMPT_BOUND_MS * MS);
    }

nothing_left:
  /* The peer saw the client go (or closed first), and nothing is left. */
  g_clear_object (&client);
  g_clear_object (&connectable);
  dial_test_tracker_assert_none_alive (tracker);
  g_assert_cmpuint (dial_test_adversary_get_accepted (adversary), ==, 1);
  g_assert_true (dial_test_adversary_wait_finished (adversary, 1));
  record = dial_test_adversary_get_record (adversary, 0);
  g_assert_nonnull (record);
  g_test_message ("the peer read %" G_GSIZE_FORMAT " bytes, wrote %" G_GSIZE_FORMAT
                  " bytes, ran %u of %u steps%s",
                  record->bytes_read, record->bytes_written, record->steps_done, c->n_steps,
                  record->client_gone ? ", saw the client go" : "");

  g_clear_pointer (&adversary, dial_test_adversary_free);
  g_clear_object (&proxy_resolver);
  dial_test_assert_fds (fds_at_start);
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

/* Opens what GLib and GIO open once per process, so that the first case
 * does not count it as its own: the worker context's wakeup descriptor,
 * the thread pool, proxies, the TLS backend, and (with one failed TLS
 * connect in each driver) whatever the TLS provider opens on first use. */
static void
warm_up (void)
{
  static const DialTestAdversaryStep close_at_once[] = { STEP_READ_SOME, STEP_CLOSE };
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  g_autoptr(DialTestAdversary) adversary = dial_test_adversary_new (STEPS (close_at_once));
  g_autoptr(DialSocketClient) client = dial_socket_client_new ();
  g_autoptr(GSocketConnectable) connectable = NULL;
  GProxy *proxy;

  g_task_run_in_thread_sync (task, warm_up_thread);
  proxy = g_proxy_get_default_for_protocol ("socks5");
  g_clear_object (&proxy);
  proxy = g_proxy_get_default_for_protocol ("http");
  g_clear_object (&proxy);
  g_assert_nonnull (g_proxy_resolver_get_default ());
  g_assert_nonnull (g_tls_backend_get_default ());
  /* GIO's network monitor (a netlink socket), which libdial's family
   * cache opens the first time it records a winner, once per process. */
  g_assert_nonnull (g_network_monitor_get_default ());

  dial_socket_client_set_tls (client, TRUE);
  connectable = g_network_address_new ("127.0.0.1", dial_test_adversary_get_port (adversary));
  for (Driver driver = DRIVER_SYNC; driver <= DRIVER_ASYNC; driver++)
    {
      g_autoptr(GSocketConnection) connection = NULL;
      g_autoptr(GError) error = NULL;

      if (driver == DRIVER_SYNC)
        connection = dial_socket_client_connect (client, connectable, NULL, &error);
      else
        connection = dial_test_connect_async_wait (client, connectable, NULL, NULL, &error);
      g_assert_null (connection);
    }
  g_assert_true (dial_test_adversary_wait_finished (adversary, 2));

  while (g_main_context_iteration (NULL, FALSE))
    ;
}

int
main (int   argc,
      char *argv[])
{
  static const char * const driver_names[] = { "sync", "async" };
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) long_line = g_string_new ("HTTP/1.1 200 ");
  g_autoptr(GString) record = g_string_new (TLS_RECORD_HEADER_16K);
  int ret;

  /* Never the machine's proxy settings; meson sets this too. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < 64 * 1024; i++)
    g_string_append_c (long_line, 'a');
  g_string_append (long_line, "\r\n\r\n");
  http_long_line[1].data = long_line->str;
  http_long_line[1].len = long_line->len;

  g_string_set_size (record, 5 + 16 * 1024);
  memset (record->str + 5, 0x5a, 16 * 1024);
  tls_endless_handshake[2].data = record->str;
  tls_endless_handshake[2].len = record->len;

  warm_up ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (Driver driver = DRIVER_SYNC; driver <= DRIVER_ASYNC; driver++)
      {
        g_autofree char *path = g_strdup_printf ("/adversarial/%s/%s", driver_names[driver],
                                                 cases[i].name);
        TestData *test = g_new0 (TestData, 1);

        test->c = &cases[i];
        test->driver = driver;
        g_ptr_array_add (keep, test);
        g_test_add_data_func (path, test, test_case);
      }

  ret = g_test_run ();

  return ret;
}
