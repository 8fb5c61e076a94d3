/* dial.c: the dial command
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * dial [OPTION…] HOST[:PORT] | URI
 *
 * Connects with DialSocketClient, asynchronously on one main loop, and
 * prints a trace of every event to standard error; then relays standard
 * input and output over the connection until the peer closes. Built on
 * libdial's public API and GIO only:
 *
 *   dial-options.c   the command line, checked before anything is dialled
 *   dial-resolver.c  the lookups, seen by a resolver that forwards them
 *   dial-trace.c     the events, and what became of each attempt
 *   dial-record.c    a line of the trace, for people or as JSON
 *   dial-tls-info.c  CA file, ALPN and verification at TLS_HANDSHAKING
 *   dial-timeline.c  --timeline: the waterfall
 *   dial-relay.c     standard input and output over the connection
 *   dial-exit.c      exit statuses by failure class
 */

#include <dial/dial.h>

#include <glib-unix.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dial-exit.h"
#include "dial-options.h"
#include "dial-relay.h"
#include "dial-resolver.h"
#include "dial-timeline.h"
#include "dial-tls-info.h"
#include "dial-trace.h"

typedef struct
{
  DialCmdOptions     options;
  DialCmdTrace      *trace;
  GMainLoop         *loop;
  GCancellable      *cancellable;
  GSocketConnection *connection;
  DialCmdRelay      *relay;
  DialCmdExit        status;
  DialCmdExit        signalled;   /* DIAL_EXIT_OK, or the signal's status */
} App;

static void
on_event (DialSocketClient   *client,
          GSocketClientEvent  event,
          GSocketConnectable *connectable,
          GIOStream          *stream,
          gpointer            user_data)
{
  App *app = user_data;

  /* Before the trace describes it, so the line shows what was offered. */
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING && G_IS_TLS_CONNECTION (stream))
    dial_cmd_tls_prepare (G_TLS_CONNECTION (stream), &app->options.tls_options, app->trace);

  dial_cmd_trace_event (app->trace, event, connectable, stream);
}

static void
relay_done (const GError *error,
            gpointer      user_data)
{
  App *app = user_data;

  if (app->signalled != DIAL_EXIT_OK)
    app->status = app->signalled;
  else if (error != NULL)
    app->status = DIAL_EXIT_FAILURE;

  /* Otherwise the trace's "closed" line says it. */
  if (error != NULL && app->signalled == DIAL_EXIT_OK &&
      app->options.mode == DIAL_CMD_OUTPUT_QUIET)
    g_printerr ("dial: %s\n", error->message);

  g_main_loop_quit (app->loop);
}

static void
closed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  App *app = user_data;

  g_io_stream_close_finish (G_IO_STREAM (object), result, NULL);
  g_main_loop_quit (app->loop);
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  App *app = user_data;
  DialSocketClient *client = DIAL_SOCKET_CLIENT (object);
  g_autoptr(GError) error = NULL;

  if (app->options.service != NULL)
    app->connection = dial_socket_client_connect_to_service_finish (client, result, &error);
  else
    app->connection = dial_socket_client_connect_finish (client, result, &error);

  if (app->connection == NULL)
    {
      app->status = dial_cmd_exit_for_error (error, dial_cmd_trace_get_furthest_stage (app->trace));
      if (app->signalled != DIAL_EXIT_OK)
        app->status = app->signalled;
    }

  dial_cmd_trace_result (app->trace, app->connection, error, app->status);
  if (app->options.mode == DIAL_CMD_OUTPUT_TIMELINE)
    dial_cmd_timeline_draw (app->trace, dial_cmd_timeline_columns (STDERR_FILENO));

  if (app->connection == NULL)
    {
      if (app->options.mode == DIAL_CMD_OUTPUT_QUIET && app->signalled == DIAL_EXIT_OK)
        g_printerr ("dial: %s\n", error->message);
      g_main_loop_quit (app->loop);
      return;
    }

  if (!app->options.relay || app->signalled != DIAL_EXIT_OK)
    {
      app->status = app->signalled;
      g_io_stream_close_async (G_IO_STREAM (app->connection), G_PRIORITY_DEFAULT, NULL,
                               closed_cb, app);
      return;
    }

  app->relay = dial_cmd_relay_start (app->connection, STDIN_FILENO, STDOUT_FILENO,
                                     app->trace, relay_done, app);
}

/* SIGINT and SIGTERM: stop what is going on, and exit with 128 + the
 * signal once the connection is closed; at once on the second signal. */
static gboolean
on_signal (gpointer    user_data,
           DialCmdExit status)
{
  App *app = user_data;

  if (app->signalled != DIAL_EXIT_OK)
    exit (app->signalled);

  app->signalled = status;
  g_cancellable_cancel (app->cancellable);
  if (app->relay != NULL)
    dial_cmd_relay_stop (app->relay);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigint (gpointer user_data)
{
  return on_signal (user_data, DIAL_EXIT_SIGINT);
}

static gboolean
on_sigterm (gpointer user_data)
{
  return on_signal (user_data, DIAL_EXIT_SIGTERM);
}

static DialSocketClient *
make_client (App *app)
{
  const DialCmdOptions *options = &app->options;
  DialSocketClient *client = dial_socket_client_new ();

  if (options->family != G_SOCKET_FAMILY_INVALID)
    dial_socket_client_set_family (client, options->family);
  dial_socket_client_set_tls (client, options->tls);
  dial_socket_client_set_timeout (client, options->timeout);
  dial_socket_client_set_deadline (client, options->deadline);
  if (options->attempt_delay >= 0)
    dial_socket_client_set_attempt_delay (client, (guint) options->attempt_delay);
  if (options->local_address != NULL)
    dial_socket_client_set_local_address (client, options->local_address);
  dial_socket_client_set_enable_proxy (client, !options->no_proxy);
  if (options->proxy != NULL)
    {
      g_autoptr(GProxyResolver) resolver = g_simple_proxy_resolver_new (options->proxy, NULL);

      dial_socket_client_set_proxy_resolver (client, resolver);
    }

  g_signal_connect (client, "event", G_CALLBACK (on_event), app);
  return client;
}

static void
trace_start (App *app)
{
  DialCmdRecord *record = dial_cmd_trace_record_new (app->trace, "start");
  const DialCmdOptions *options = &app->options;
  g_autofree char *target = NULL;

  if (options->service != NULL)
    target = g_strdup_printf ("_%s._tcp.%s", options->service, options->domain);
  else
    target = g_socket_connectable_to_string (options->target);

  dial_cmd_record_string (record, "target", target);
  dial_cmd_record_string (record, "version", DIAL_VERSION_S);
  dial_cmd_record_bool (record, "tls", options->tls);
  dial_cmd_record_string (record, "proxy", options->no_proxy ? "direct://" : options->proxy);
  dial_cmd_record_text (record, "%s%s with libdial %s", target, options->tls ? " over TLS" : "",
                        DIAL_VERSION_S);
  dial_cmd_trace_emit (app->trace, record);
}

/* Started with standard input, output or error closed, the first socket
 * would get its number, and the relay would read or write the socket as
 * if it were the terminal: /dev/null takes the place instead. */
static void
open_standard_fds (void)
{
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
    {
      if (fcntl (fd, F_GETFD) == -1)
        {
          int null = open ("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY);

          if (null >= 0 && null != fd)
            {
              dup2 (null, fd);
              close (null);
            }
        }
    }
}

static gboolean
use_colour (int fd)
{
  const char *term = g_getenv ("TERM");

  return isatty (fd) && g_getenv ("NO_COLOR") == NULL &&
         term != NULL && g_strcmp0 (term, "dumb") != 0;
}

int
main (int    argc,
      char **argv)
{
  App app = { .status = DIAL_EXIT_OK, .signalled = DIAL_EXIT_OK };
  g_autoptr(GError) error = NULL;
  g_autoptr(DialSocketClient) client = NULL;
  g_autoptr(GResolver) resolver = NULL;
  DialCmdOutput output = { 0 };
  guint sigint_id, sigterm_id;

  open_standard_fds ();
  setlocale (LC_ALL, "");
  /* A peer or a reader that went away is an error to report, not death. */
  signal (SIGPIPE, SIG_IGN);

  if (!dial_cmd_options_parse (&app.options, &argc, &argv, &error))
    {
      g_printerr ("dial: %s\nTry “dial --help” for more information.\n", error->message);
      dial_cmd_options_clear (&app.options);
      return DIAL_EXIT_USAGE;
    }

  if (app.options.show_version)
    {
      g_print ("dial (libdial) %s, GLib %u.%u.%u\n", DIAL_VERSION_S,
               glib_major_version, glib_minor_version, glib_micro_version);
      dial_cmd_options_clear (&app.options);
      return DIAL_EXIT_OK;
    }

  output.mode = app.options.mode;
  output.stream = stderr;
  output.colour = use_colour (STDERR_FILENO);
  output.start = g_get_monotonic_time ();
  app.trace = dial_cmd_trace_new (&output, app.options.proxy);

  /* Every lookup goes through the system's resolver, and the trace sees it. */
  resolver = dial_cmd_resolver_new (g_resolver_get_default (), dial_cmd_trace_lookup, app.trace);
  g_resolver_set_default (resolver);

  app.loop = g_main_loop_new (NULL, FALSE);
  app.cancellable = g_cancellable_new ();
  sigint_id = g_unix_signal_add (SIGINT, on_sigint, &app);
  sigterm_id = g_unix_signal_add (SIGTERM, on_sigterm, &app);

  client = make_client (&app);
  trace_start (&app);
  if (app.options.service != NULL)
    dial_socket_client_connect_to_service_async (client, app.options.domain, app.options.service,
                                                 app.cancellable, connected_cb, &app);
  else
    dial_socket_client_connect_async (client, app.options.target, app.cancellable,
                                      connected_cb, &app);

  g_main_loop_run (app.loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_clear_pointer (&app.relay, dial_cmd_relay_free);
  g_clear_object (&app.connection);
  g_clear_object (&client);
  g_clear_object (&app.cancellable);
  g_clear_pointer (&app.loop, g_main_loop_unref);
  dial_cmd_trace_free (app.trace);
  dial_cmd_options_clear (&app.options);

  return app.status;
}
