/* connect-async.c: connect asynchronously with DialSocketClient, print each
 * event the client emits, then read the server's greeting.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything runs on one GMainLoop: the server this program starts on
 * 127.0.0.1 (a GSocketService that greets each client and hangs up), the
 * connect, and the read.
 *
 * Build:  cc connect-async.c $(pkg-config --cflags --libs dial-1.0) -o connect-async
 */

#include <dial/dial.h>

#include <stdlib.h>
#include <string.h>

typedef struct
{
  GMainLoop         *loop;
  GSocketConnection *connection;
  GDataInputStream  *lines;
  int                status;
} App;

/* The server: greet, then close. */
static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  const char greeting[] = "hello from the server\n";

  /* A few bytes fit in the socket's buffer: this write does not block. */
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             greeting, strlen (greeting), NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static GSocketService *
start_server (guint16  *port,
              GError  **error)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;

  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, error))
    return NULL;

  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), NULL);
  g_socket_service_start (service);

  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  return g_steal_pointer (&service);
}

/* The client's "event" signal: RESOLVING, RESOLVED, CONNECTING, ... */
static void
on_event (DialSocketClient   *client,
          GSocketClientEvent  event,
          GSocketConnectable *connectable,
          GIOStream          *connection,
          gpointer            user_data)
{
  g_autoptr(GEnumClass) events = g_type_class_ref (G_TYPE_SOCKET_CLIENT_EVENT);
  GEnumValue *value = g_enum_get_value (events, event);

  g_print ("event: %s\n", value ? value->value_nick : "unknown");
}

static void
on_line_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                    result, NULL, &error);
  if (line != NULL)
    {
      g_print ("received: \"%s\"\n", line);
      app->status = EXIT_SUCCESS;
    }
  else
    {
      g_printerr ("Could not read: %s\n", error ? error->message : "connection closed");
    }

  g_main_loop_quit (app->loop);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *remote_name = NULL;

  app->connection = dial_socket_client_connect_to_host_finish (DIAL_SOCKET_CLIENT (source),
                                                               result, &error);
  if (app->connection == NULL)
    {
      g_printerr ("Could not connect: %s\n", error->message);
      g_main_loop_quit (app->loop);
      return;
    }

  remote = g_socket_connection_get_remote_address (app->connection, NULL);
  remote_name = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote));
  g_print ("connected to %s\n", remote_name);

  /* Read the greeting without blocking the loop. */
  app->lines = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (app->connection)));
  g_data_input_stream_read_line_async (app->lines, G_PRIORITY_DEFAULT, NULL, on_line_read, app);
}

int
main (void)
{
  g_autoptr(GSocketService) server = NULL;
  g_autoptr(DialSocketClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host_and_port = NULL;
  App app = { .status = EXIT_FAILURE };
  guint16 port;

  server = start_server (&port, &error);
  if (server == NULL)
    {
      g_printerr ("Could not start the server: %s\n", error->message);
      return EXIT_FAILURE;
    }

  client = dial_socket_client_new ();
  g_signal_connect (client, "event", G_CALLBACK (on_event), NULL);

  /* Returns at once; on_connected runs from the main loop when done. */
  host_and_port = g_strdup_printf ("127.0.0.1:%u", port);
  dial_socket_client_connect_to_host_async (client, host_and_port, 0, NULL, on_connected, &app);

  app.loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (app.loop);

  g_clear_object (&app.lines);
  if (app.connection != NULL)
    g_io_stream_close (G_IO_STREAM (app.connection), NULL, NULL);
  g_clear_object (&app.connection);
  g_main_loop_unref (app.loop);
  g_socket_service_stop (server);

  return app.status;
}
