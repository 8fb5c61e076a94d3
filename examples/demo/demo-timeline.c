/* demo-timeline.c: one connect, printed as a timeline of its events
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A line per event, with the milliseconds since the connect began and
 * what the event carries, then a line for the result.  Notes (from a
 * scenario's own hook, say) go under the line they belong to, in the
 * column of the details.
 */

#include "demo-timeline.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

/* Where the details start: "    " "%8.1f ms" "  " "%-18s " */
#define DETAIL_COLUMN 36

static gboolean use_colour;

/* Decides whether to use colour: only on a terminal that has it, and not
 * when NO_COLOR is set. */
void
demo_timeline_init (void)
{
  const char *term = g_getenv ("TERM");

  use_colour = isatty (STDOUT_FILENO) &&
               g_getenv ("NO_COLOR") == NULL &&
               term != NULL && g_strcmp0 (term, "dumb") != 0;
}

gboolean
demo_use_colour (void)
{
  return use_colour;
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
    printf ("    %s%8.1f ms%s  %-18s %s\n", DEMO_DIM, ms, DEMO_RESET, what, detail);
  else
    printf ("    %s%8.1f ms%s  %s\n", DEMO_DIM, ms, DEMO_RESET, what);
}

void
demo_note (const char *format,
           ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  printf ("%*s%s\n", DETAIL_COLUMN, "", text);
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
  run->events |= 1u << event;

  print_line (run, now, name, detail);

  if (run->hook != NULL)
    run->hook (event, connection, run->hook_data);
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

/* Connects @client to @target, printing each event as it comes. */
void
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
      guard = g_timeout_source_new_seconds (DEMO_HANG_TIMEOUT_S);
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

/* "G_IO_ERROR_CONNECTION_REFUSED" for that error, else the domain. */
static const char *
error_code_name (const GError *error)
{
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *value = NULL;

  if (error->domain == G_IO_ERROR)
    klass = g_type_class_ref (G_TYPE_IO_ERROR_ENUM);
  else if (error->domain == G_TLS_ERROR)
    klass = g_type_class_ref (G_TYPE_TLS_ERROR);
  else if (error->domain == G_RESOLVER_ERROR)
    klass = g_type_class_ref (G_TYPE_RESOLVER_ERROR);

  if (klass != NULL)
    value = g_enum_get_value (klass, error->code);

  /* The enum classes of GIO's own types stay alive: the name does too. */
  return value != NULL ? value->value_name : g_quark_to_string (error->domain);
}

/* Through a proxy, the connection's remote address says where to. */
static void
note_proxy_address (GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  GProxyAddress *proxy;

  if (!G_IS_PROXY_ADDRESS (remote))
    return;

  proxy = G_PROXY_ADDRESS (remote);
  demo_note ("a GProxyAddress: protocol %s, destination %s, port %u",
             g_proxy_address_get_protocol (proxy),
             g_proxy_address_get_destination_hostname (proxy),
             g_proxy_address_get_destination_port (proxy));
}

void
demo_run_print_result (DemoRun *run)
{
  g_autofree char *detail = NULL;

  if (run->connection != NULL)
    {
      g_autofree char *remote = describe_remote (run->connection);

      detail = g_strdup_printf ("%sconnected%s to %s (%s)", DEMO_GREEN, DEMO_RESET, remote,
                                G_OBJECT_TYPE_NAME (run->connection));
      print_line (run, run->end, "result", detail);
      note_proxy_address (run->connection);
    }
  else
    {
      detail = g_strdup_printf ("%serror%s: %s [%s]", DEMO_RED, DEMO_RESET, run->error->message,
                                error_code_name (run->error));
      print_line (run, run->end, "result", detail);
    }

  if (run->hung)
    printf ("    (the demo cancelled the connect after %d s: it hung)\n", DEMO_HANG_TIMEOUT_S);
}

gboolean
demo_run_saw (const DemoRun      *run,
              GSocketClientEvent  event)
{
  return (run->events & (1u << event)) != 0;
}

/* Closes and drops the connection, and drops the error. */
void
demo_run_clear (DemoRun *run)
{
  if (run->connection != NULL)
    g_io_stream_close (G_IO_STREAM (run->connection), NULL, NULL);
  g_clear_object (&run->connection);
  g_clear_error (&run->error);
}
