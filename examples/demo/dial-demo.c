/* dial-demo.c: what DialSocketClient does, event by event.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The demo starts its own servers on this machine's loopback addresses (a
 * plain TCP one, a SOCKS5 proxy and a TLS server), teaches a tiny resolver
 * of its own one name, "dual.example", and then runs a few scenarios.  For
 * each one it prints a timeline: every event the client emits, in
 * milliseconds since the connect began, then the result.  Nothing leaves
 * the machine and no real DNS is asked.
 *
 *   dial-demo            runs every scenario
 *   dial-demo a c        runs scenarios (a) and (c)
 *
 * It exits with 0 when every scenario turned out as the demo expects.
 *
 * A scenario is one entry of the `scenarios` table below: a title, what it
 * shows, the target to dial and what should happen.  To add one, write its
 * target (and, if it needs them, configure, event, use and check)
 * functions and add a row.
 *
 *   demo-servers.c     the plain TCP servers and the resolver
 *   demo-socks5.c      the SOCKS5 proxy
 *   demo-tls.c         the TLS server (demo-certs.c makes its certificates)
 *   demo-tls-client.c  what (e) and (f) do with the client's TLS connection
 *   demo-timeline.c    one connect, printed as a timeline
 */

#include <dial/dial.h>

#include <stdio.h>
#include <stdlib.h>

#include "demo-servers.h"
#include "demo-socks5.h"
#include "demo-timeline.h"
#include "demo-tls.h"
#include "demo-tls-client.h"

/* Everything the demo started, which the scenarios dial. */
typedef struct
{
  DemoServers       servers;
  DemoSocks5Server *socks5;
  DemoTlsServer    *tls;
} DemoSetup;

typedef struct _DemoOutcome DemoOutcome;

typedef struct
{
  const char *title;
  const char *explanation;
  DemoMode    mode;
  gboolean    needs_ipv6;

  /* What to dial, from the ports the servers got. */
  GSocketConnectable *(*target) (const DemoSetup *setup);

  /* Optional: set up the client (a proxy, TLS, ...) before it dials. */
  void (*configure) (DialSocketClient *client, const DemoSetup *setup);

  /* Optional: act on an event, after its line of the timeline. */
  void (*event) (DemoOutcome *outcome, GSocketClientEvent event, GIOStream *connection);

  /* Optional: use the connection, after the result line. */
  void (*use) (DemoOutcome *outcome);

  /* What should happen, in words and as a check of the outcome. */
  const char *expected;
  gboolean (*check) (const DemoOutcome *outcome);
} DemoScenario;

/* One scenario's run, and what its hooks found out. */
struct _DemoOutcome
{
  DemoRun             run;
  const DemoScenario *scenario;
  const DemoSetup    *setup;
  gboolean            database_set;  /* the TLS connection trusts the demo's CA */
  char               *greeting;      /* the TLS server's first line */
};

/* ======================================================================== */
/* Plain TCP: (a), (b), (c)                                                  */

static GSocketConnectable *
target_accepting (const DemoSetup *setup)
{
  return g_network_address_new ("127.0.0.1", setup->servers.accept_port);
}

static GSocketConnectable *
target_refused (const DemoSetup *setup)
{
  return g_network_address_new ("127.0.0.1", setup->servers.refused_port);
}

static GSocketConnectable *
target_dual (const DemoSetup *setup)
{
  return g_network_address_new (DEMO_DUAL_NAME, setup->servers.dual_port);
}

static gboolean
check_connected (const DemoOutcome *outcome)
{
  return outcome->run.connection != NULL;
}

static gboolean
check_refused (const DemoOutcome *outcome)
{
  return g_error_matches (outcome->run.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static gboolean
check_ipv4_after_ipv6 (const DemoOutcome *outcome)
{
  const DemoRun *run = &outcome->run;
  g_autoptr(GSocketAddress) remote = NULL;

  if (run->connection == NULL || run->n_connecting < 2)
    return FALSE;

  remote = g_socket_connection_get_remote_address (run->connection, NULL);
  return remote != NULL && g_socket_address_get_family (remote) == G_SOCKET_FAMILY_IPV4;
}

/* ======================================================================== */
/* SOCKS5: (d)                                                               */

static GSocketConnectable *
target_localhost_accepting (const DemoSetup *setup)
{
  return g_network_address_new ("localhost", setup->servers.accept_port);
}

static void
configure_socks5 (DialSocketClient *client,
                  const DemoSetup  *setup)
{
  g_autofree char *uri = g_strdup_printf ("socks5://127.0.0.1:%u",
                                          demo_socks5_server_get_port (setup->socks5));
  g_autoptr(GProxyResolver) resolver = g_simple_proxy_resolver_new (uri, NULL);

  dial_socket_client_set_proxy_resolver (client, resolver);
}

static void
use_socks5 (DemoOutcome *outcome)
{
  g_autofree char *request = demo_socks5_server_dup_last_request (outcome->setup->socks5);

  demo_note ("the SOCKS5 server was asked for %s", request ? request : "nothing");
}

static gboolean
check_socks5 (const DemoOutcome *outcome)
{
  const DemoRun *run = &outcome->run;
  guint16 port = outcome->setup->servers.accept_port;
  g_autofree char *asked = demo_socks5_server_dup_last_request (outcome->setup->socks5);
  g_autofree char *wanted = g_strdup_printf ("localhost:%u", port);
  g_autoptr(GSocketAddress) remote = NULL;
  GProxyAddress *proxy;

  if (run->connection == NULL ||
      !demo_run_saw (run, G_SOCKET_CLIENT_PROXY_NEGOTIATING) ||
      !demo_run_saw (run, G_SOCKET_CLIENT_PROXY_NEGOTIATED) ||
      g_strcmp0 (asked, wanted) != 0)
    return FALSE;

  remote = g_socket_connection_get_remote_address (run->connection, NULL);
  if (!G_IS_PROXY_ADDRESS (remote))
    return FALSE;

  proxy = G_PROXY_ADDRESS (remote);
  return g_str_equal (g_proxy_address_get_protocol (proxy), "socks5") &&
         g_str_equal (g_proxy_address_get_destination_hostname (proxy), "localhost") &&
         g_proxy_address_get_destination_port (proxy) == port;
}

/* ======================================================================== */
/* TLS: (e), (f)                                                             */

static GSocketConnectable *
target_tls (const DemoSetup *setup)
{
  return g_network_address_new ("localhost", demo_tls_server_get_port (setup->tls));
}

static void
configure_tls (DialSocketClient *client,
               const DemoSetup  *setup)
{
  dial_socket_client_set_tls (client, TRUE);
  /* Bounds the synchronous handshake and the read of the greeting. */
  dial_socket_client_set_timeout (client, DEMO_HANG_TIMEOUT_S);
}

/* (e): the client trusts the demo's CA, and only it. */
static void
event_trust_demo_ca (DemoOutcome        *outcome,
                     GSocketClientEvent  event,
                     GIOStream          *connection)
{
  const char *ca_file = demo_tls_server_get_ca_file (outcome->setup->tls);

  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    outcome->database_set = demo_tls_client_trust_only (G_TLS_CONNECTION (connection), ca_file);
  else if (event == G_SOCKET_CLIENT_TLS_HANDSHAKED)
    demo_tls_client_note_handshake (G_TLS_CONNECTION (connection));
}

/* (f): the client keeps its default database. */
static void
event_keep_default_database (DemoOutcome        *outcome,
                             GSocketClientEvent  event,
                             GIOStream          *connection)
{
  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKING)
    return;

  demo_note ("no database set: the default one does not know the demo's CA");
  demo_tls_client_note_provider (G_TLS_CONNECTION (connection));
}

/* The server's greeting, through the connection the client returned. */
static void
use_tls (DemoOutcome *outcome)
{
  if (outcome->run.connection != NULL)
    outcome->greeting = demo_tls_client_read_line (outcome->run.connection);
}

static gboolean
check_tls (const DemoOutcome *outcome)
{
  return outcome->run.connection != NULL &&
         G_IS_TCP_WRAPPER_CONNECTION (outcome->run.connection) &&
         outcome->database_set &&
         demo_run_saw (&outcome->run, G_SOCKET_CLIENT_TLS_HANDSHAKED) &&
         g_strcmp0 (outcome->greeting, DEMO_TLS_GREETING) == 0;
}

static gboolean
check_untrusted (const DemoOutcome *outcome)
{
  return g_error_matches (outcome->run.error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
}

/* ======================================================================== */
/* The scenarios                                                             */

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
    .explanation = DEMO_DUAL_NAME " is ::1 (black-holed: the connect hangs) and 127.0.0.1.\n"
                   "    IPv6 goes first; 250 ms later IPv4 starts too, and wins.",
    .mode = DEMO_ASYNC,
    .needs_ipv6 = TRUE,
    .target = target_dual,
    .expected = "connected to 127.0.0.1 after two CONNECTING events",
    .check = check_ipv4_after_ipv6,
  },
  {
    .title = "Through a SOCKS5 proxy",
    .explanation = "A GSimpleProxyResolver sends every connect to the demo's SOCKS5 proxy.\n"
                   "    The client dials the proxy and hands it the name, unresolved.",
    .mode = DEMO_ASYNC,
    .target = target_localhost_accepting,
    .configure = configure_socks5,
    .use = use_socks5,
    .expected = "PROXY_NEGOTIATING, PROXY_NEGOTIATED, and a GProxyAddress for socks5 to localhost",
    .check = check_socks5,
  },
  {
    .title = "TLS",
    .explanation = "tls=TRUE; at TLS_HANDSHAKING the demo makes the connection trust its CA.",
    .mode = DEMO_SYNC,
    .target = target_tls,
    .configure = configure_tls,
    .event = event_trust_demo_ca,
    .use = use_tls,
    .expected = "a verified TLS connection, and the server's greeting read through it",
    .check = check_tls,
  },
  {
    .title = "TLS, untrusted certificate",
    .explanation = "The same server, but the client is not told about the demo's CA.\n"
                   "    As GIO does, a TLS failure makes the client try the next address.",
    .mode = DEMO_ASYNC,
    .target = target_tls,
    .configure = configure_tls,
    .event = event_keep_default_database,
    .expected = "G_TLS_ERROR_BAD_CERTIFICATE, “Unacceptable TLS certificate”",
    .check = check_untrusted,
  },
};

static void
on_scenario_event (GSocketClientEvent  event,
                   GIOStream          *connection,
                   gpointer            user_data)
{
  DemoOutcome *outcome = user_data;

  outcome->scenario->event (outcome, event, connection);
}

static void
demo_outcome_clear (DemoOutcome *outcome)
{
  demo_run_clear (&outcome->run);
  g_clear_pointer (&outcome->greeting, g_free);
}

/* Runs scenario @index; returns FALSE if it did not go as expected. */
static gboolean
run_scenario (guint            index,
              const DemoSetup *setup)
{
  const DemoScenario *scenario = &scenarios[index];
  g_autoptr(DialSocketClient) client = NULL;
  g_autoptr(GSocketConnectable) target = NULL;
  g_autofree char *target_name = NULL;
  DemoOutcome outcome = { .scenario = scenario, .setup = setup, };
  gboolean ok;

  if (scenario->needs_ipv6 && setup->servers.black_hole == NULL)
    {
      printf ("%s(%c) %s%s: skipped, no IPv6 loopback\n\n",
              DEMO_BOLD, 'a' + index, scenario->title, DEMO_RESET);
      return TRUE;
    }

  target = scenario->target (setup);
  target_name = g_socket_connectable_to_string (target);
  printf ("%s(%c) %s: %s (%s)%s\n    %s\n\n",
          DEMO_BOLD, 'a' + index, scenario->title, target_name,
          scenario->mode == DEMO_SYNC ? "sync" : "async", DEMO_RESET,
          scenario->explanation);

  client = dial_socket_client_new ();
  if (scenario->configure != NULL)
    scenario->configure (client, setup);
  if (scenario->event != NULL)
    {
      outcome.run.hook = on_scenario_event;
      outcome.run.hook_data = &outcome;
    }

  demo_run_connect (&outcome.run, client, target, scenario->mode);
  demo_run_print_result (&outcome.run);
  if (scenario->use != NULL)
    scenario->use (&outcome);

  ok = scenario->check (&outcome);
  if (ok)
    printf ("\n    as expected: %s\n\n", scenario->expected);
  else
    printf ("\n    %sUNEXPECTED%s: wanted %s\n\n", DEMO_RED, DEMO_RESET, scenario->expected);

  demo_outcome_clear (&outcome);
  return ok;
}

/* ======================================================================== */
/* Setting up                                                                */

static gboolean
demo_setup_start (DemoSetup  *setup,
                  GError    **error)
{
  if (!demo_servers_start (&setup->servers, error))
    return FALSE;

  setup->socks5 = demo_socks5_server_new (error);
  if (setup->socks5 == NULL)
    return FALSE;

  setup->tls = demo_tls_server_new (error);
  return setup->tls != NULL;
}

static void
demo_setup_stop (DemoSetup *setup)
{
  g_clear_pointer (&setup->tls, demo_tls_server_free);
  g_clear_pointer (&setup->socks5, demo_socks5_server_free);
  demo_servers_stop (&setup->servers);
}

static void
print_server (const char *host,
              guint16     port,
              const char *what)
{
  g_autofree char *address = g_strdup_printf ("%s:%u", host, port);

  printf ("    %-18s %s\n", address, what);
}

static void
print_setup (const DemoSetup *setup)
{
  const DemoServers *servers = &setup->servers;
  guint16 tls_port = demo_tls_server_get_port (setup->tls);

  printf ("Servers started for the demo, on this machine only:\n");
  print_server ("127.0.0.1", servers->accept_port, "accepts");
  if (servers->accepts_ipv6)
    print_server ("[::1]", servers->accept_port, "accepts");
  print_server ("127.0.0.1", servers->refused_port, "refuses (bound, not listening)");
  if (servers->black_hole != NULL)
    {
      print_server ("[::1]", servers->dual_port, "black hole (its accept queue is full)");
      print_server ("127.0.0.1", servers->dual_port, "accepts");
    }
  print_server ("127.0.0.1", demo_socks5_server_get_port (setup->socks5),
                "SOCKS5 proxy (no authentication; to localhost only)");
  print_server ("127.0.0.1", tls_port, "TLS: a greeting, then an echo");
  if (demo_tls_server_has_ipv6 (setup->tls))
    print_server ("[::1]", tls_port, "TLS: the same server");
  if (servers->black_hole != NULL)
    printf ("and a resolver of our own: %s is ::1 and 127.0.0.1.\n", DEMO_DUAL_NAME);
  printf ("The TLS server's certificate is for localhost, from a CA made just now,\n"
          "whose certificate is in %s until the demo ends.\n\n",
          demo_tls_server_get_ca_file (setup->tls));
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
  g_autoptr(GTlsDatabase) trust_store = NULL;
  g_autoptr(GError) error = NULL;
  gboolean selected[G_N_ELEMENTS (scenarios)];
  DemoSetup setup = { 0, };
  guint failed = 0;

  /* The demo only dials servers it started: make sure this machine's proxy
   * settings cannot send those connections elsewhere.  Scenario (d) sets
   * its proxy resolver explicitly. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  context = g_option_context_new ("[LETTER...] - show DialSocketClient's events, scenario by scenario");
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      !select_scenarios (argc, argv, selected, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  demo_timeline_init ();

  if (!demo_setup_start (&setup, &error))
    {
      g_printerr ("Could not start the demo's servers: %s\n", error->message);
      demo_setup_stop (&setup);
      return EXIT_FAILURE;
    }

  resolver = demo_resolver_new ();
  g_resolver_set_default (resolver);

  /* The first connect of a process loads GIO's modules to find the proxy
   * resolver: do it now, so that the first timeline shows only the connect. */
  g_proxy_resolver_get_default ();
  /* Likewise the TLS provider and the system's trust store. */
  trust_store = dial_tls_get_default_database ();

  printf ("%slibdial %s: DialSocketClient, event by event%s\n\n",
          DEMO_BOLD, DIAL_VERSION_S, DEMO_RESET);
  print_setup (&setup);
  printf ("Times are milliseconds since the connect began.\n\n");

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    if (selected[i] && !run_scenario (i, &setup))
      failed++;

  demo_setup_stop (&setup);

  if (failed > 0)
    {
      printf ("%u scenario(s) did not go as expected.\n", failed);
      return EXIT_FAILURE;
    }

  return EXIT_SUCCESS;
}
