/* dial-demo.c: what DialSocketClient does, event by event.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The demo starts its own servers on this machine's loopback addresses,
 * teaches a tiny resolver of its own one name, "dual.example", and then
 * runs a few scenarios.  For each one it prints a timeline: every event
 * the client emits, in milliseconds since the connect began, then the
 * result.  Nothing leaves the machine and no real DNS is asked.
 *
 *   dial-demo            runs every scenario
 *   dial-demo a c        runs scenarios (a) and (c)
 *
 * It exits with 0 when every scenario turned out as the demo expects.
 *
 * A scenario is one entry of the `scenarios` table below: a title, what it
 * shows, the target to dial and what should happen.  To add one, write its
 * target (and, if it needs one, a check) function and add a row.
 */

#include <dial/dial.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The name our resolver knows: it has a black-holed IPv6 address and an
 * IPv4 address that accepts. */
#define DUAL_NAME "dual.example"

/* A connect that takes longer than this has hung: cancel it and say so. */
#define HANG_TIMEOUT_S 10

/* How many times to look for a port number free on both loopbacks. */
#define PORT_TRIES 32

/* ======================================================================== */
/* Output: plain text, with a little colour on a terminal                    */

static gboolean use_colour;

#define STYLE(code) (use_colour ? "\033[" code "m" : "")
#define BOLD   STYLE ("1")
#define DIM    STYLE ("2")
#define GREEN  STYLE ("32")
#define RED    STYLE ("31")
#define RESET  STYLE ("0")

static void
decide_colour (void)
{
  const char *term = g_getenv ("TERM");

  use_colour = isatty (STDOUT_FILENO) &&
               g_getenv ("NO_COLOR") == NULL &&
               term != NULL && g_strcmp0 (term, "dumb") != 0;
}

/* ======================================================================== */
/* A resolver that knows one name                                           */

/* GNetworkAddress asks for IPv6 and IPv4 addresses in two lookups (that is
 * how Happy Eyeballs gets both families early); DemoResolver answers each
 * with the addresses of that family, at once, without leaving the process. */

#define DEMO_TYPE_RESOLVER (demo_resolver_get_type ())
G_DECLARE_FINAL_TYPE (DemoResolver, demo_resolver, DEMO, RESOLVER, GResolver)

struct _DemoResolver
{
  GResolver parent_instance;
};

G_DEFINE_FINAL_TYPE (DemoResolver, demo_resolver, G_TYPE_RESOLVER)

static GList *
demo_resolver_answer (const char                *hostname,
                      GResolverNameLookupFlags   flags,
                      GError                   **error)
{
  GList *addresses = NULL;

  if (g_ascii_strcasecmp (hostname, DUAL_NAME) != 0)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                   "Error resolving “%s”: Name or service not known", hostname);
      return NULL;
    }

  /* IPv6 first, as a real resolver would sort them. */
  if (!(flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY))
    addresses = g_list_append (addresses, g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6));
  if (!(flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY))
    addresses = g_list_append (addresses, g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4));

  return addresses;
}

static GList *
demo_resolver_lookup_by_name_with_flags (GResolver                 *resolver,
                                         const char                *hostname,
                                         GResolverNameLookupFlags   flags,
                                         GCancellable              *cancellable,
                                         GError                   **error)
{
  return demo_resolver_answer (hostname, flags, error);
}

static GList *
demo_resolver_lookup_by_name (GResolver     *resolver,
                              const char    *hostname,
                              GCancellable  *cancellable,
                              GError       **error)
{
  return demo_resolver_answer (hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT, error);
}

static void
demo_resolver_lookup_by_name_with_flags_async (GResolver                 *resolver,
                                               const char                *hostname,
                                               GResolverNameLookupFlags   flags,
                                               GCancellable              *cancellable,
                                               GAsyncReadyCallback        callback,
                                               gpointer                   user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *addresses = demo_resolver_answer (hostname, flags, &error);

  /* GTask delivers the answer from the main loop, never from inside this call. */
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, addresses, (GDestroyNotify) g_resolver_free_addresses);
}

static void
demo_resolver_lookup_by_name_async (GResolver           *resolver,
                                    const char          *hostname,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  demo_resolver_lookup_by_name_with_flags_async (resolver, hostname,
                                                 G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                                 cancellable, callback, user_data);
}

static GList *
demo_resolver_lookup_finish (GResolver     *resolver,
                             GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
demo_resolver_class_init (DemoResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  resolver_class->lookup_by_name = demo_resolver_lookup_by_name;
  resolver_class->lookup_by_name_async = demo_resolver_lookup_by_name_async;
  resolver_class->lookup_by_name_finish = demo_resolver_lookup_finish;
  resolver_class->lookup_by_name_with_flags = demo_resolver_lookup_by_name_with_flags;
  resolver_class->lookup_by_name_with_flags_async = demo_resolver_lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = demo_resolver_lookup_finish;
}

static void
demo_resolver_init (DemoResolver *self)
{
}

/* ======================================================================== */
/* The servers, all on loopback                                              */

typedef struct
{
  /* Accepts, and closes at once, on 127.0.0.1:accept_port and
   * [::1]:accept_port, and on 127.0.0.1:dual_port. */
  GSocketService *service;
  guint16         accept_port;
  gboolean        accepts_ipv6;

  /* Bound to 127.0.0.1:refused_port but not listening: connects are
   * refused, and no other program can take the port meanwhile. */
  GSocket        *refusing;
  guint16         refused_port;

  /* [::1]:dual_port, a listener with a backlog of 0 whose accept queue
   * `filler` has filled: the kernel drops every new SYN, so a connect
   * hangs as if the IPv6 route led nowhere.  NULL without IPv6. */
  GSocket        *black_hole;
  GSocket        *filler;
  guint16         dual_port;
} DemoServers;

static guint16
port_of (GSocketAddress *address)
{
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
}

static GSocketAddress *
loopback_address (GSocketFamily family,
                  guint16       port)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_loopback (family);

  return g_inet_socket_address_new (inet, port);
}

/* Adds loopback:@port (any free port when 0) to the accepting service. */
static gboolean
demo_servers_accept_on (DemoServers    *servers,
                        GSocketFamily   family,
                        guint16        *port,
                        GError        **error)
{
  g_autoptr(GSocketAddress) address = loopback_address (family, *port);
  g_autoptr(GSocketAddress) effective = NULL;

  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (servers->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, error))
    return FALSE;

  *port = port_of (effective);
  return TRUE;
}

static GSocket *
tcp_socket_bound_to (GSocketFamily   family,
                     guint16         port,
                     GError        **error)
{
  g_autoptr(GSocketAddress) address = loopback_address (family, port);
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL || !g_socket_bind (socket, address, TRUE, error))
    return NULL;

  return g_steal_pointer (&socket);
}

static guint16
local_port (GSocket *socket)
{
  g_autoptr(GSocketAddress) address = g_socket_get_local_address (socket, NULL);

  return port_of (address);
}

static gboolean
demo_servers_open_black_hole (DemoServers  *servers,
                              GError      **error)
{
  g_autoptr(GSocket) black_hole = NULL;
  g_autoptr(GSocket) filler = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  black_hole = tcp_socket_bound_to (G_SOCKET_FAMILY_IPV6, 0, error);
  if (black_hole == NULL)
    return FALSE;

  /* With a backlog of 0, Linux queues exactly one connection. */
  g_socket_set_listen_backlog (black_hole, 0);
  if (!g_socket_listen (black_hole, error))
    return FALSE;

  address = g_socket_get_local_address (black_hole, error);
  filler = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (address == NULL || filler == NULL ||
      !g_socket_connect (filler, address, NULL, error))
    return FALSE;

  servers->dual_port = port_of (address);
  servers->black_hole = g_steal_pointer (&black_hole);
  servers->filler = g_steal_pointer (&filler);
  return TRUE;
}

/* The black hole and an accepting 127.0.0.1 listener on one port number,
 * because "dual.example" is dialled with one port for both addresses. */
static gboolean
demo_servers_open_dual (DemoServers  *servers,
                        GError      **error)
{
  for (guint i = 0; i < PORT_TRIES; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (!demo_servers_open_black_hole (servers, error))
        return FALSE;
      if (demo_servers_accept_on (servers, G_SOCKET_FAMILY_IPV4, &servers->dual_port, &local_error))
        return TRUE;

      g_clear_object (&servers->filler);
      g_clear_object (&servers->black_hole);
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
               "No port number free on both 127.0.0.1 and ::1");
  return FALSE;
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  /* The demo is about connecting: the server has nothing to say. */
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
demo_servers_stop (DemoServers *servers)
{
  if (servers->service != NULL)
    g_socket_service_stop (servers->service);
  g_clear_object (&servers->service);
  g_clear_object (&servers->refusing);
  g_clear_object (&servers->filler);
  g_clear_object (&servers->black_hole);
}

static gboolean
demo_servers_start (DemoServers  *servers,
                    GError      **error)
{
  g_autoptr(GError) ipv6_error = NULL;
  guint16 port = 0;

  servers->service = g_socket_service_new ();
  g_signal_connect (servers->service, "incoming", G_CALLBACK (on_incoming), NULL);

  /* The accepting server: 127.0.0.1 first, then ::1 on the same port if
   * the machine has IPv6 (the demo does without it). */
  if (!demo_servers_accept_on (servers, G_SOCKET_FAMILY_IPV4, &port, error))
    return FALSE;
  servers->accept_port = port;
  servers->accepts_ipv6 = demo_servers_accept_on (servers, G_SOCKET_FAMILY_IPV6,
                                                  &port, &ipv6_error);
  if (servers->accepts_ipv6)
    demo_servers_open_dual (servers, &ipv6_error);
  if (ipv6_error != NULL)
    g_printerr ("No IPv6 loopback (%s): the Happy Eyeballs scenario is skipped.\n",
                ipv6_error->message);

  servers->refusing = tcp_socket_bound_to (G_SOCKET_FAMILY_IPV4, 0, error);
  if (servers->refusing == NULL)
    return FALSE;
  servers->refused_port = local_port (servers->refusing);

  g_socket_service_start (servers->service);
  return TRUE;
}

/* ======================================================================== */
/* One run: a connect and its timeline                                       */

typedef enum
{
  DEMO_SYNC,
  DEMO_ASYNC,
} DemoMode;

typedef struct
{
  gint64             start;         /* g_get_monotonic_time () at the call */
  gint64             end;           /* ... when the result came */
  guint              n_connecting;  /* how many addresses were tried */
  GSocketConnection *connection;    /* the result, or */
  GError            *error;         /* the error */
  gboolean           done;
  gboolean           hung;          /* cancelled after HANG_TIMEOUT_S */
} DemoRun;

static void
demo_run_clear (DemoRun *run)
{
  g_clear_object (&run->connection);
  g_clear_error (&run->error);
}

/* One line of the timeline, @now being when the event happened. */
static void
print_line (DemoRun    *run,
            gint64      now,
            const char *what,
            const char *detail)
{
  double ms = (now - run->start) / 1000.0;

  if (detail != NULL)
    printf ("    %s%8.1f ms%s  %-18s %s\n", DIM, ms, RESET, what, detail);
  else
    printf ("    %s%8.1f ms%s  %s\n", DIM, ms, RESET, what);
}

/* "CONNECTING" for G_SOCKET_CLIENT_CONNECTING. */
static char *
event_name (GSocketClientEvent event)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (G_TYPE_SOCKET_CLIENT_EVENT);
  GEnumValue *value = g_enum_get_value (klass, event);
  char *name;

  if (value == NULL)
    return g_strdup_printf ("EVENT %d", event);

  name = g_ascii_strup (value->value_nick, -1);
  g_strdelimit (name, "-", '_');
  return name;
}

static char *
describe_remote (GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;

  remote = g_socket_connection_get_remote_address (connection, &error);
  if (remote == NULL)
    return g_strdup_printf ("(no remote address: %s)", error->message);

  return g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote));
}

static char *
describe_event (GSocketClientEvent  event,
                GSocketConnectable *connectable,
                GIOStream          *connection)
{
  switch (event)
    {
    case G_SOCKET_CLIENT_RESOLVING:
      return g_socket_connectable_to_string (connectable);

    case G_SOCKET_CLIENT_CONNECTING:
      /* The socket exists but is not connected yet, and the event does not
       * say which address it is connecting to. */
      return g_strdup_printf ("%s, remote address not available yet",
                              G_OBJECT_TYPE_NAME (connection));

    case G_SOCKET_CLIENT_CONNECTED:
      return describe_remote (G_SOCKET_CONNECTION (connection));

    case G_SOCKET_CLIENT_PROXY_NEGOTIATING:
    case G_SOCKET_CLIENT_PROXY_NEGOTIATED:
    case G_SOCKET_CLIENT_TLS_HANDSHAKING:
    case G_SOCKET_CLIENT_TLS_HANDSHAKED:
      return g_strdup (G_OBJECT_TYPE_NAME (connection));

    case G_SOCKET_CLIENT_RESOLVED:
    case G_SOCKET_CLIENT_COMPLETE:
    default:
      return NULL;
    }
}

static void
on_event (DialSocketClient   *client,
          GSocketClientEvent  event,
          GSocketConnectable *connectable,
          GIOStream          *connection,
          gpointer            user_data)
{
  DemoRun *run = user_data;
  gint64 now = g_get_monotonic_time ();  /* before the formatting below */
  g_autofree char *name = event_name (event);
  g_autofree char *detail = describe_event (event, connectable, connection);

  if (event == G_SOCKET_CLIENT_CONNECTING)
    run->n_connecting++;

  print_line (run, now, name, detail);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  DemoRun *run = user_data;

  run->end = g_get_monotonic_time ();
  run->connection = dial_socket_client_connect_finish (DIAL_SOCKET_CLIENT (source),
                                                       result, &run->error);
  run->done = TRUE;
}

static gboolean
cancel_hung_connect (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
demo_run_connect (DemoRun            *run,
                  DialSocketClient   *client,
                  GSocketConnectable *target,
                  DemoMode            mode)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) guard = NULL;
  gulong handler;

  handler = g_signal_connect (client, "event", G_CALLBACK (on_event), run);
  run->start = g_get_monotonic_time ();

  if (mode == DEMO_SYNC)
    {
      run->connection = dial_socket_client_connect (client, target, NULL, &run->error);
      run->end = g_get_monotonic_time ();
    }
  else
    {
      guard = g_timeout_source_new_seconds (HANG_TIMEOUT_S);
      g_source_set_callback (guard, cancel_hung_connect, cancellable, NULL);
      g_source_attach (guard, NULL);

      dial_socket_client_connect_async (client, target, cancellable, on_connected, run);
      while (!run->done)
        g_main_context_iteration (NULL, TRUE);

      g_source_destroy (guard);
      run->hung = g_cancellable_is_cancelled (cancellable);
    }

  g_signal_handler_disconnect (client, handler);
}

static void
print_result (DemoRun *run,
              gint64   now)
{
  g_autofree char *detail = NULL;

  if (run->connection != NULL)
    {
      g_autofree char *remote = describe_remote (run->connection);

      detail = g_strdup_printf ("%sconnected%s to %s (%s)", GREEN, RESET, remote,
                                G_OBJECT_TYPE_NAME (run->connection));
    }
  else
    {
      const char *code = NULL;

      if (run->error->domain == G_IO_ERROR)
        {
          g_autoptr(GEnumClass) klass = g_type_class_ref (G_TYPE_IO_ERROR_ENUM);
          GEnumValue *value = g_enum_get_value (klass, run->error->code);

          code = value ? value->value_name : NULL;
        }

      detail = g_strdup_printf ("%serror%s: %s [%s]", RED, RESET, run->error->message,
                                code ? code : g_quark_to_string (run->error->domain));
    }

  print_line (run, now, "result", detail);
}

/* ======================================================================== */
/* The scenarios                                                             */

typedef struct
{
  const char *title;
  const char *explanation;
  DemoMode    mode;
  gboolean    needs_ipv6;

  /* What to dial, from the ports the servers got. */
  GSocketConnectable *(*target) (const DemoServers *servers);

  /* Optional: set up the client (a proxy, TLS, ...) before it dials. */
  void (*configure) (DialSocketClient *client, const DemoServers *servers);

  /* What should happen, in words and as a check of the run. */
  const char *expected;
  gboolean (*check) (const DemoRun *run);
} DemoScenario;

static GSocketConnectable *
target_accepting (const DemoServers *servers)
{
  return g_network_address_new ("127.0.0.1", servers->accept_port);
}

static GSocketConnectable *
target_refused (const DemoServers *servers)
{
  return g_network_address_new ("127.0.0.1", servers->refused_port);
}

static GSocketConnectable *
target_dual (const DemoServers *servers)
{
  return g_network_address_new (DUAL_NAME, servers->dual_port);
}

static gboolean
check_connected (const DemoRun *run)
{
  return run->connection != NULL;
}

static gboolean
check_refused (const DemoRun *run)
{
  return g_error_matches (run->error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static gboolean
check_ipv4_after_ipv6 (const DemoRun *run)
{
  g_autoptr(GSocketAddress) remote = NULL;

  if (run->connection == NULL || run->n_connecting < 2)
    return FALSE;

  remote = g_socket_connection_get_remote_address (run->connection, NULL);
  return remote != NULL && g_socket_address_get_family (remote) == G_SOCKET_FAMILY_IPV4;
}

static const DemoScenario scenarios[] = {
  {
    .title = "Direct connect",
    .explanation = "An IP literal: one address, which accepts.",
    .mode = DEMO_SYNC,
    .target = target_accepting,
    .expected = "connected",
    .check = check_connected,
  },
  {
    .title = "Connection refused",
    .explanation = "Nothing listens on this port; the error names the host.",
    .mode = DEMO_ASYNC,
    .target = target_refused,
    .expected = "G_IO_ERROR_CONNECTION_REFUSED",
    .check = check_refused,
  },
  {
    .title = "Happy Eyeballs",
    .explanation = DUAL_NAME " is ::1 (black-holed: the connect hangs) and 127.0.0.1.\n"
                   "    IPv6 goes first; 250 ms later IPv4 starts too, and wins.",
    .mode = DEMO_ASYNC,
    .needs_ipv6 = TRUE,
    .target = target_dual,
    .expected = "connected to 127.0.0.1 after two CONNECTING events",
    .check = check_ipv4_after_ipv6,
  },
};

/* Runs scenario @index; returns FALSE if it did not go as expected. */
static gboolean
run_scenario (guint              index,
              const DemoServers *servers)
{
  const DemoScenario *scenario = &scenarios[index];
  g_autoptr(DialSocketClient) client = NULL;
  g_autoptr(GSocketConnectable) target = NULL;
  g_autofree char *target_name = NULL;
  DemoRun run = { 0, };
  gboolean ok;

  if (scenario->needs_ipv6 && servers->black_hole == NULL)
    {
      printf ("%s(%c) %s%s: skipped, no IPv6 loopback\n\n",
              BOLD, 'a' + index, scenario->title, RESET);
      return TRUE;
    }

  target = scenario->target (servers);
  target_name = g_socket_connectable_to_string (target);
  printf ("%s(%c) %s: %s (%s)%s\n    %s\n\n",
          BOLD, 'a' + index, scenario->title, target_name,
          scenario->mode == DEMO_SYNC ? "sync" : "async", RESET,
          scenario->explanation);

  client = dial_socket_client_new ();
  if (scenario->configure != NULL)
    scenario->configure (client, servers);

  demo_run_connect (&run, client, target, scenario->mode);
  print_result (&run, run.end);
  if (run.hung)
    printf ("    (the demo cancelled the connect after %d s: it hung)\n", HANG_TIMEOUT_S);

  ok = scenario->check (&run);
  if (ok)
    printf ("\n    as expected: %s\n\n", scenario->expected);
  else
    printf ("\n    %sUNEXPECTED%s: wanted %s\n\n", RED, RESET, scenario->expected);

  if (run.connection != NULL)
    g_io_stream_close (G_IO_STREAM (run.connection), NULL, NULL);
  demo_run_clear (&run);

  return ok;
}

/* ======================================================================== */

static void
print_server (const char *host,
              guint16     port,
              const char *what)
{
  g_autofree char *address = g_strdup_printf ("%s:%u", host, port);

  printf ("    %-18s %s\n", address, what);
}

static void
print_servers (const DemoServers *servers)
{
  printf ("Servers started for the demo, on this machine only:\n");
  print_server ("127.0.0.1", servers->accept_port, "accepts");
  if (servers->accepts_ipv6)
    print_server ("[::1]", servers->accept_port, "accepts");
  print_server ("127.0.0.1", servers->refused_port, "refuses (bound, not listening)");
  if (servers->black_hole != NULL)
    {
      print_server ("[::1]", servers->dual_port, "black hole (its accept queue is full)");
      print_server ("127.0.0.1", servers->dual_port, "accepts");
      printf ("and a resolver of our own: %s is ::1 and 127.0.0.1.\n", DUAL_NAME);
    }
  printf ("\n");
}

/* Which scenarios to run: all, or those whose letters are given. */
static gboolean
select_scenarios (int       argc,
                  char    **argv,
                  gboolean *selected,
                  GError  **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    selected[i] = (argc <= 1);

  for (int i = 1; i < argc; i++)
    {
      const char *letter = argv[i];
      guint index = (guint) (g_ascii_tolower (letter[0]) - 'a');

      if (letter[0] == '\0' || letter[1] != '\0' || index >= G_N_ELEMENTS (scenarios))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "No scenario '%s': give letters from a to %c",
                       letter, 'a' + (int) G_N_ELEMENTS (scenarios) - 1);
          return FALSE;
        }
      selected[index] = TRUE;
    }

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GResolver) resolver = NULL;
  g_autoptr(GError) error = NULL;
  gboolean selected[G_N_ELEMENTS (scenarios)];
  DemoServers servers = { 0, };
  guint failed = 0;

  /* The demo only dials servers it started: make sure this machine's proxy
   * settings cannot send those connections elsewhere. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  context = g_option_context_new ("[LETTER...] - show DialSocketClient's events, scenario by scenario");
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      !select_scenarios (argc, argv, selected, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  decide_colour ();

  if (!demo_servers_start (&servers, &error))
    {
      g_printerr ("Could not start the demo's servers: %s\n", error->message);
      demo_servers_stop (&servers);
      return EXIT_FAILURE;
    }

  resolver = g_object_new (DEMO_TYPE_RESOLVER, NULL);
  g_resolver_set_default (resolver);

  /* The first connect of a process loads GIO's modules to find the proxy
   * resolver: do it now, so that the first timeline shows only the connect. */
  g_proxy_resolver_get_default ();

  printf ("%slibdial %s: DialSocketClient, event by event%s\n\n", BOLD, DIAL_VERSION_S, RESET);
  print_servers (&servers);
  printf ("Times are milliseconds since the connect began.\n\n");

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    if (selected[i] && !run_scenario (i, &servers))
      failed++;

  demo_servers_stop (&servers);

  if (failed > 0)
    {
      printf ("%u scenario(s) did not go as expected.\n", failed);
      return EXIT_FAILURE;
    }

  return EXIT_SUCCESS;
}
