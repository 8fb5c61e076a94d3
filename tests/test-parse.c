/* test-parse.c: connect_to_host, connect_to_uri and connect_to_service,
 * sync and async: the parse errors of spec §4.1 (no events at all), what
 * parses although it looks odd, and SRV targets from the mock resolver.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dial/dial.h>

#include "dial-test-events.h"
#include "dial-test-mock-resolver.h"
#include "dial-test-servers.h"

static DialTestMockResolver *mock;

typedef enum
{
  ENTRY_HOST,
  ENTRY_URI,
  ENTRY_SERVICE,
} Entry;

typedef struct
{
  gboolean           done;
  GSocketConnection *connection;
  GError            *error;
  Entry              entry;
} Wait;

static void
entry_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Wait *wait = user_data;
  DialSocketClient *client = DIAL_SOCKET_CLIENT (source);

  switch (wait->entry)
    {
    case ENTRY_HOST:
      wait->connection = dial_socket_client_connect_to_host_finish (client, result, &wait->error);
      break;
    case ENTRY_URI:
      wait->connection = dial_socket_client_connect_to_uri_finish (client, result, &wait->error);
      break;
    case ENTRY_SERVICE:
      wait->connection = dial_socket_client_connect_to_service_finish (client, result, &wait->error);
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_true ((wait->connection == NULL) != (wait->error == NULL));
  wait->done = TRUE;
}

/* Runs one entry point, sync or async, for @input (host_and_port, uri, or
 * "domain service").  Async: the callback never runs inside the call, and
 * when it does, any COMPLETE emitted was the last event and carried the
 * result. */
static GSocketConnection *
run (DialSocketClient  *client,
     gboolean           async,
     Entry              entry,
     const char        *input,
     guint16            default_port,
     GCancellable      *cancellable,
     GError           **error)
{
  g_auto(GStrv) domain_service = entry == ENTRY_SERVICE ? g_strsplit (input, " ", 2) : NULL;
  Wait wait = { .entry = entry };

  if (!async)
    {
      switch (entry)
        {
        case ENTRY_HOST:
          return dial_socket_client_connect_to_host (client, input, default_port, cancellable, error);
        case ENTRY_URI:
          return dial_socket_client_connect_to_uri (client, input, default_port, cancellable, error);
        case ENTRY_SERVICE:
          return dial_socket_client_connect_to_service (client, domain_service[0], domain_service[1],
                                                        cancellable, error);
        default:
          g_assert_not_reached ();
        }
    }

  switch (entry)
    {
    case ENTRY_HOST:
      dial_socket_client_connect_to_host_async (client, input, default_port, cancellable, entry_cb, &wait);
      break;
    case ENTRY_URI:
      dial_socket_client_connect_to_uri_async (client, input, default_port, cancellable, entry_cb, &wait);
      break;
    case ENTRY_SERVICE:
      dial_socket_client_connect_to_service_async (client, domain_service[0], domain_service[1],
                                                   cancellable, entry_cb, &wait);
      break;
    default:
      g_assert_not_reached ();
    }

  /* Even a parse error is delivered from the main loop. */
  g_assert_false (wait.done);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);

  if (wait.error != NULL)
    g_propagate_error (error, wait.error);
  return wait.connection;
}

static void
assert_finalized (DialSocketClient *client)
{
  g_object_add_weak_pointer (G_OBJECT (client), (gpointer *) &client);
  g_object_unref (client);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (client);
}

/* ---- parse errors: INVALID_ARGUMENT, exact text, no events ------------- */

typedef struct
{
  Entry       entry;
  const char *input;
  const char *message;
} ParseError;

static const ParseError parse_errors[] = {
  { ENTRY_HOST, "[::1", "Hostname “[::1” contains “[” but not “]”" },
  { ENTRY_HOST, "[::1]x",
    "The ']' character (in hostname '[::1]x') must come at the end or be immediately "
    "followed by ':' and a port" },
  { ENTRY_HOST, "host:", "If a ':' character is given, it must be followed by a port (in hostname 'host:')." },
  { ENTRY_HOST, "host:99999", "Invalid numeric port '99999' specified in hostname 'host:99999'" },
  { ENTRY_HOST, "host:-1", "Unknown service '-1' specified in hostname 'host:-1'" },
  { ENTRY_HOST, "host:nosuchservice",
    "Unknown service 'nosuchservice' specified in hostname 'host:nosuchservice'" },
  { ENTRY_URI, "asdf", "Invalid URI ‘asdf’" },
  { ENTRY_URI, "http://host:99999/", "Invalid URI ‘http://host:99999/’" },
  { ENTRY_URI, "http://[::1/", "Invalid URI ‘http://[::1/’" },
  { ENTRY_URI, "mailto:foo@bar", "Invalid URI ‘mailto:foo@bar’" },
  { ENTRY_URI, "", "Invalid URI ‘’" },
  { ENTRY_URI, "http://[fe80::1%eth0]/", "Invalid URI ‘http://[fe80::1%eth0]/’" },
};

static void
check_parse_error (gconstpointer data,
                   gboolean      async,
                   gboolean      cancelled)
{
  const ParseError *row = data;
  DialSocketClient *client = dial_socket_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  /* A parse error beats a cancelled cancellable. */
  if (cancelled)
    g_cancellable_cancel (cancellable);

  connection = run (client, async, row->entry, row->input, 80, cancellable, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, row->message);

  /* Not even COMPLETE. */
  dial_test_events_assert (events, "");
  g_assert_cmpuint (dial_test_events_len (events), ==, 0);
  g_assert_cmpuint (dial_test_mock_resolver_get_lookups (mock, row->input), ==, 0);

  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

static void
test_parse_error_sync (gconstpointer data)
{
  check_parse_error (data, FALSE, FALSE);
}

static void
test_parse_error_async (gconstpointer data)
{
  check_parse_error (data, TRUE, FALSE);
}

static void
test_parse_error_sync_cancelled (gconstpointer data)
{
  check_parse_error (data, FALSE, TRUE);
}

static void
test_parse_error_async_cancelled (gconstpointer data)
{
  check_parse_error (data, TRUE, TRUE);
}

/* ---- inputs that parse and fail later, in DNS ------------------------- */

typedef struct
{
  Entry       entry;
  const char *input;
  const char *host;     /* the name the resolver is asked for */
} DnsFailure;

static const DnsFailure dns_failures[] = {
  /* More than one ':' makes the whole string the host, unchecked. */
  { ENTRY_HOST, "127.0.0.1:80:90", "127.0.0.1:80:90" },
  /* An empty host is accepted, and so are empty URI hosts. */
  { ENTRY_HOST, "", "" },
  { ENTRY_URI, "http://", "" },
  { ENTRY_URI, "http:///path", "" },
};

static void
check_dns_failure (gconstpointer data,
                   gboolean      async)
{
  const DnsFailure *row = data;
  DialSocketClient *client = dial_socket_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  GSocketConnectable *connectable;

  dial_test_mock_resolver_clear (mock);

  connection = run (client, async, row->entry, row->input, 80, NULL, &error);
  g_assert_null (connection);
  g_assert_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
  message = g_strdup_printf ("Error resolving “%s”: Name or service not known", row->host);
  g_assert_cmpstr (error->message, ==, message);
  g_assert_cmpuint (dial_test_mock_resolver_get_lookups (mock, row->host), >=, 1);

  /* The events of a DNS failure, not of a parse error. */
  dial_test_events_assert (events, async ? "R X" : "R Rd X");
  connectable = dial_test_events_get (events, 0)->connectable;
  g_assert_true (G_IS_NETWORK_ADDRESS (connectable));
  g_assert_cmpstr (g_network_address_get_hostname (G_NETWORK_ADDRESS (connectable)), ==, row->host);
  for (guint i = 0; i < dial_test_events_len (events); i++)
    g_assert_true (dial_test_events_get (events, i)->connectable == connectable);
  g_assert_null (dial_test_events_get (events, dial_test_events_len (events) - 1)->connection);

  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

static void
test_dns_failure_sync (gconstpointer data)
{
  check_dns_failure (data, FALSE);
}

static void
test_dns_failure_async (gconstpointer data)
{
  check_dns_failure (data, TRUE);
}

/* ---- inputs that connect ----------------------------------------------- */

typedef struct
{
  Entry       entry;
  const char *format;        /* %u is the server's port */
  gboolean    default_port;  /* pass the server's port as default_port */
  const char *host;          /* the connectable's hostname */
  const char *scheme;        /* the connectable's scheme, or NULL */
  GSocketFamily family;
} Success;

static const Success successes[] = {
  { ENTRY_HOST, "[::1]:%u", FALSE, "::1", NULL, G_SOCKET_FAMILY_IPV6 },
  { ENTRY_HOST, "[::1]", TRUE, "::1", NULL, G_SOCKET_FAMILY_IPV6 },
  { ENTRY_HOST, "::1", TRUE, "::1", NULL, G_SOCKET_FAMILY_IPV6 },
  { ENTRY_HOST, "127.0.0.1:%u", FALSE, "127.0.0.1", NULL, G_SOCKET_FAMILY_IPV4 },
  { ENTRY_HOST, "127.0.0.1", TRUE, "127.0.0.1", NULL, G_SOCKET_FAMILY_IPV4 },
  { ENTRY_URI, "http://127.0.0.1:%u/", FALSE, "127.0.0.1", "http", G_SOCKET_FAMILY_IPV4 },
  /* Port 0 (or none) in the URI means default_port. */
  { ENTRY_URI, "http://127.0.0.1:0/", TRUE, "127.0.0.1", "http", G_SOCKET_FAMILY_IPV4 },
  { ENTRY_URI, "http://127.0.0.1/", TRUE, "127.0.0.1", "http", G_SOCKET_FAMILY_IPV4 },
  /* Userinfo, path, query and fragment are ignored; any scheme is kept. */
  { ENTRY_URI, "custom+x://user:pw@127.0.0.1:%u/a/b?q=1#frag", FALSE, "127.0.0.1", "custom+x",
    G_SOCKET_FAMILY_IPV4 },
  { ENTRY_URI, "http://[::1]:%u/", FALSE, "::1", "http", G_SOCKET_FAMILY_IPV6 },
};

static void
check_success (gconstpointer data,
               gboolean      async)
{
  const Success *row = data;
  g_autoptr(DialTestServer) server = NULL;
  DialSocketClient *client;
  g_autoptr(DialTestEvents) events = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input = NULL;
  g_autofree char *remote_ip = NULL;
  GSocketConnectable *connectable;
  guint16 port;

  if (row->family == G_SOCKET_FAMILY_IPV6 && !dial_test_ipv6_available ())
    {
      g_test_skip ("::1 is not available");
      return;
    }

  server = dial_test_server_new_accepting (row->family, FALSE, &error);
  g_assert_no_error (error);
  port = dial_test_server_get_port (server);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  input = g_strdup_printf (row->format, port);
#pragma GCC diagnostic pop

  client = dial_socket_client_new ();
  events = dial_test_events_new (client);
  connection = run (client, async, row->entry, input, row->default_port ? port : 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_TCP_CONNECTION (connection));

  dial_test_events_assert (events, "R Rd C Cd X");
  connectable = dial_test_events_get (events, 0)->connectable;
  g_assert_true (G_IS_NETWORK_ADDRESS (connectable));
  /* Stored without brackets, with the port that was used. */
  g_assert_cmpstr (g_network_address_get_hostname (G_NETWORK_ADDRESS (connectable)), ==, row->host);
  g_assert_cmpuint (g_network_address_get_port (G_NETWORK_ADDRESS (connectable)), ==, port);
  g_assert_cmpstr (g_network_address_get_scheme (G_NETWORK_ADDRESS (connectable)), ==, row->scheme);
  for (guint i = 0; i < dial_test_events_len (events); i++)
    g_assert_true (dial_test_events_get (events, i)->connectable == connectable);
  g_assert_true (dial_test_events_get (events, 4)->connection == (GIOStream *) connection);

  remote = g_socket_connection_get_remote_address (connection, &error);
  g_assert_no_error (error);
  remote_ip = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  g_assert_cmpstr (remote_ip, ==, row->host);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)), ==, port);
  g_assert_true (dial_test_server_wait_accepted (server, 1));

  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

static void
test_success_sync (gconstpointer data)
{
  check_success (data, FALSE);
}

static void
test_success_async (gconstpointer data)
{
  check_success (data, TRUE);
}

/* A name through the mock resolver, with a port: host:port. */
static void
check_named_host (gboolean async)
{
  g_autoptr(DialTestServer) server = NULL;
  DialSocketClient *client = dial_socket_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input = NULL;

  server = dial_test_server_new_accepting (G_SOCKET_FAMILY_IPV4, FALSE, &error);
  g_assert_no_error (error);
  dial_test_mock_resolver_clear (mock);
  dial_test_mock_resolver_add_ip (mock, "named.test", "127.0.0.1", 0);

  input = g_strdup_printf ("named.test:%u", dial_test_server_get_port (server));
  connection = run (client, async, ENTRY_HOST, input, 1, NULL, &error);
  g_assert_no_error (error);
  dial_test_events_assert (events, "R Rd C Cd X");
  g_assert_cmpuint (dial_test_mock_resolver_get_lookups (mock, "named.test"), >=, 1);

  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

static void
test_named_host_sync (void)
{
  check_named_host (FALSE);
}

static void
test_named_host_async (void)
{
  check_named_host (TRUE);
}

/* Every _finish accepts every _async's result. */
static void
uri_finished_by_connect_finish_cb (GObject      *source,
                                   GAsyncResult *result,
                                   gpointer      user_data)
{
  Wait *wait = user_data;

  wait->connection = dial_socket_client_connect_finish (DIAL_SOCKET_CLIENT (source), result, &wait->error);
  wait->done = TRUE;
}

static void
test_finish_interchangeable (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DialTestServer) server = dial_test_server_new_accepting (G_SOCKET_FAMILY_IPV4, FALSE, &error);
  DialSocketClient *client = dial_socket_client_new ();
  g_autofree char *uri = NULL;
  Wait wait = { 0 };

  g_assert_no_error (error);
  uri = g_strdup_printf ("http://127.0.0.1:%u/", dial_test_server_get_port (server));
  dial_socket_client_connect_to_uri_async (client, uri, 1, NULL, uri_finished_by_connect_finish_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (wait.error);
  g_assert_true (G_IS_TCP_CONNECTION (wait.connection));
  g_clear_object (&wait.connection);

  /* And a parse error reported by connect_to_host_async. */
  wait.done = FALSE;
  dial_socket_client_connect_to_host_async (client, "[::1", 1, NULL, uri_finished_by_connect_finish_cb, &wait);
  g_assert_false (wait.done);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (wait.connection);
  g_assert_error (wait.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&wait.error);

  assert_finalized (client);
}

/* ---- connect_to_service ------------------------------------------------ */

/* _echo._tcp.srv.test: first.test (priority 10, refused) then
 * second.test (priority 20, accepting), listed out of order. */
static void
check_service (gboolean async)
{
  g_autoptr(DialTestServer) refusing = NULL;
  g_autoptr(DialTestServer) accepting = NULL;
  DialSocketClient *client = dial_socket_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;
  GSocketConnectable *connectable;

  refusing = dial_test_server_new_refusing (G_SOCKET_FAMILY_IPV4, &error);
  g_assert_no_error (error);
  accepting = dial_test_server_new_accepting (G_SOCKET_FAMILY_IPV4, FALSE, &error);
  g_assert_no_error (error);

  dial_test_mock_resolver_clear (mock);
  dial_test_mock_resolver_add_srv_target (mock, "echo", "tcp", "srv.test", "second.test",
                                          dial_test_server_get_port (accepting), 20, 0);
  dial_test_mock_resolver_add_srv_target (mock, "echo", "tcp", "srv.test", "first.test",
                                          dial_test_server_get_port (refusing), 10, 0);
  dial_test_mock_resolver_add_ip (mock, "first.test", "127.0.0.1", 0);
  dial_test_mock_resolver_add_ip (mock, "second.test", "127.0.0.1", 0);

  connection = run (client, async, ENTRY_SERVICE, "srv.test echo", 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_TCP_CONNECTION (connection));

  /* One CONNECTING per target, in priority order. */
  dial_test_events_assert (events, "R Rd C C Cd X");
  connectable = dial_test_events_get (events, 0)->connectable;
  g_assert_true (G_IS_NETWORK_SERVICE (connectable));
  g_assert_cmpstr (g_network_service_get_domain (G_NETWORK_SERVICE (connectable)), ==, "srv.test");
  g_assert_cmpstr (g_network_service_get_service (G_NETWORK_SERVICE (connectable)), ==, "echo");
  for (guint i = 0; i < dial_test_events_len (events); i++)
    g_assert_true (dial_test_events_get (events, i)->connectable == connectable);
  g_assert_cmpuint (dial_test_mock_resolver_get_lookups (mock, "first.test"), >=, 1);

  remote = g_socket_connection_get_remote_address (connection, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)), ==,
                    dial_test_server_get_port (accepting));
  g_assert_true (dial_test_server_wait_accepted (accepting, 1));

  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

static void
test_service_sync (void)
{
  check_service (FALSE);
}

static void
test_service_async (void)
{
  check_service (TRUE);
}

/* Every target refused: the prefix names the domain. */
static void
check_service_refused (gboolean async)
{
  g_autoptr(DialTestServer) refusing = NULL;
  DialSocketClient *client = dial_socket_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  refusing = dial_test_server_new_refusing (G_SOCKET_FAMILY_IPV4, &error);
  g_assert_no_error (error);

  dial_test_mock_resolver_clear (mock);
  dial_test_mock_resolver_add_srv_target (mock, "echo", "tcp", "srv.test", "first.test",
                                          dial_test_server_get_port (refusing), 10, 0);
  dial_test_mock_resolver_add_ip (mock, "first.test", "127.0.0.1", 0);

  connection = run (client, async, ENTRY_SERVICE, "srv.test echo", 0, NULL, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpstr (error->message, ==, "Could not connect to srv.test: Connection refused");
  dial_test_events_assert (events, "R Rd C X");

  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

static void
test_service_refused_sync (void)
{
  check_service_refused (FALSE);
}

static void
test_service_refused_async (void)
{
  check_service_refused (TRUE);
}

/* No SRV record and an unknown service name: the SRV error. */
static void
check_service_not_found (gboolean async)
{
  DialSocketClient *client = dial_socket_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  dial_test_mock_resolver_clear (mock);

  connection = run (client, async, ENTRY_SERVICE, "srv.test nosuchservice", 0, NULL, &error);
  g_assert_null (connection);
  g_assert_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==,
                   "No DNS record of the requested type for “_nosuchservice._tcp.srv.test”");
  dial_test_events_assert (events, async ? "R X" : "R Rd X");

  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

static void
test_service_not_found_sync (void)
{
  check_service_not_found (FALSE);
}

static void
test_service_not_found_async (void)
{
  check_service_not_found (TRUE);
}

/* ---- invalid UTF-8: GIO's error, without GLib's IDN code -------------- */

typedef struct
{
  Entry       entry;
  const char *input;
  const char *host;
  const char *message;
} InvalidName;

/* Found by fuzzing/fuzz-host-port: GResolver hands these to
 * g_hostname_to_ascii(), which in GLib 2.74 reads and writes out of
 * bounds on invalid UTF-8 before it refuses it.  libdial answers what
 * GResolver answers, with the same events, and no resolver sees the
 * name (under valgrind or ASan, so does the memory). */
static const InvalidName invalid_names[] = {
  { ENTRY_HOST, "ex\xc3:80", "ex\xc3", "Invalid hostname" },
  { ENTRY_HOST, "::\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc", "::\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc\xfc",
    "Invalid hostname" },
  { ENTRY_SERVICE, "ex\xc3 http", "ex\xc3", "Invalid domain" },
};

static void
check_invalid_name (gconstpointer data,
                    gboolean      async)
{
  const InvalidName *row = data;
  DialSocketClient *client = dial_socket_client_new ();
  g_autoptr(DialTestEvents) events = dial_test_events_new (client);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  dial_test_mock_resolver_clear (mock);

  connection = run (client, async, row->entry, row->input, 80, NULL, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, row->message);
  g_assert_cmpuint (dial_test_mock_resolver_get_lookups (mock, row->host), ==, 0);
  dial_test_events_assert (events, async ? "R X" : "R Rd X");

  g_clear_pointer (&events, dial_test_events_free);
  assert_finalized (client);
}

static void
test_invalid_name_sync (gconstpointer data)
{
  check_invalid_name (data, FALSE);
}

static void
test_invalid_name_async (gconstpointer data)
{
  check_invalid_name (data, TRUE);
}

/* ---- registration ------------------------------------------------------ */

/* A test path segment for @input: "[::1]x" → "%5B%3A%3A1%5Dx". */
static char *
path_segment (const char *input)
{
  if (*input == '\0')
    return g_strdup ("(empty)");
  return g_uri_escape_string (input, NULL, FALSE);
}

static const char *
entry_name (Entry entry)
{
  switch (entry)
    {
    case ENTRY_HOST:
      return "host";
    case ENTRY_URI:
      return "uri";
    case ENTRY_SERVICE:
      return "service";
    default:
      g_assert_not_reached ();
    }
}

static void
add_row_tests (const char    *kind,
               gconstpointer  row,
               Entry          entry,
               const char    *input,
               GTestDataFunc  sync_func,
               GTestDataFunc  async_func)
{
  g_autofree char *segment = path_segment (input);
  g_autofree char *sync_path = g_strdup_printf ("/socket-client/parse/%s/%s/sync/%s",
                                                entry_name (entry), kind, segment);
  g_autofree char *async_path = g_strdup_printf ("/socket-client/parse/%s/%s/async/%s",
                                                 entry_name (entry), kind, segment);

  g_test_add_data_func (sync_path, row, sync_func);
  g_test_add_data_func (async_path, row, async_func);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  mock = dial_test_mock_resolver_new ();
  dial_test_mock_resolver_install (mock);

  for (guint i = 0; i < G_N_ELEMENTS (parse_errors); i++)
    {
      add_row_tests ("error", &parse_errors[i], parse_errors[i].entry, parse_errors[i].input,
                     test_parse_error_sync, test_parse_error_async);
      add_row_tests ("error-beats-cancel", &parse_errors[i], parse_errors[i].entry, parse_errors[i].input,
                     test_parse_error_sync_cancelled, test_parse_error_async_cancelled);
    }
  for (guint i = 0; i < G_N_ELEMENTS (dns_failures); i++)
    add_row_tests ("dns-failure", &dns_failures[i], dns_failures[i].entry, dns_failures[i].input,
                   test_dns_failure_sync, test_dns_failure_async);
  for (guint i = 0; i < G_N_ELEMENTS (invalid_names); i++)
    add_row_tests ("invalid-utf8", &invalid_names[i], invalid_names[i].entry, invalid_names[i].input,
                   test_invalid_name_sync, test_invalid_name_async);
  for (guint i = 0; i < G_N_ELEMENTS (successes); i++)
    add_row_tests ("connects", &successes[i], successes[i].entry, successes[i].format,
                   test_success_sync, test_success_async);

  g_test_add_func ("/socket-client/parse/host/named/sync", test_named_host_sync);
  g_test_add_func ("/socket-client/parse/host/named/async", test_named_host_async);
  g_test_add_func ("/socket-client/parse/finish-interchangeable", test_finish_interchangeable);
  g_test_add_func ("/socket-client/parse/service/srv/sync", test_service_sync);
  g_test_add_func ("/socket-client/parse/service/srv/async", test_service_async);
  g_test_add_func ("/socket-client/parse/service/refused/sync", test_service_refused_sync);
  g_test_add_func ("/socket-client/parse/service/refused/async", test_service_refused_async);
  g_test_add_func ("/socket-client/parse/service/not-found/sync", test_service_not_found_sync);
  g_test_add_func ("/socket-client/parse/service/not-found/async", test_service_not_found_async);

  return g_test_run ();
}
