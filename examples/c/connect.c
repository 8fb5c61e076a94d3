/* connect.c: connect with DialSocketClient, write a line, read the reply.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The blocking API, in one thread.  To have something to talk to, the
 * program first opens a listener of its own on 127.0.0.1.  The kernel
 * completes a TCP handshake without waiting for accept (), so this one
 * thread can connect first and play the server's part afterwards.
 *
 * Build:  cc connect.c $(pkg-config --cflags --libs dial-1.0) -o connect
 */

#include <dial/dial.h>

#include <stdlib.h>
#include <string.h>

/* A listener on 127.0.0.1, on a port the system picks. */
static GSocketListener *
start_listener (guint16  *port,
                GError  **error)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;

  if (!g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
    return NULL;

  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  return g_steal_pointer (&listener);
}

static gboolean
write_line (GIOStream   *stream,
            const char  *line,
            GError     **error)
{
  g_autofree char *data = g_strconcat (line, "\n", NULL);

  return g_output_stream_write_all (g_io_stream_get_output_stream (stream),
                                    data, strlen (data), NULL, NULL, error);
}

/* Reads one line from @stream, without its newline. */
static char *
read_line (GIOStream  *stream,
           GError    **error)
{
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  GError *local_error = NULL;

  lines = g_data_input_stream_new (g_io_stream_get_input_stream (stream));
  /* Leave the connection's stream open when `lines` goes away. */
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);

  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &local_error);
  if (line == NULL && local_error == NULL)
    g_set_error_literal (&local_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                         "The peer closed the connection");
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }

  return g_steal_pointer (&line);
}

/* The server's part: accept the connection, read a line, answer it. */
static gboolean
serve_one_line (GSocketListener  *listener,
                GError          **error)
{
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *request = NULL;
  g_autofree char *answer = NULL;

  connection = g_socket_listener_accept (listener, NULL, NULL, error);
  if (connection == NULL)
    return FALSE;

  request = read_line (G_IO_STREAM (connection), error);
  if (request == NULL)
    return FALSE;
  g_print ("server: received \"%s\"\n", request);

  answer = g_strdup_printf ("you said: %s", request);
  return write_line (G_IO_STREAM (connection), answer, error);
}

static int
fail (const char   *what,
      const GError *error)
{
  g_printerr ("%s: %s\n", what, error->message);
  return EXIT_FAILURE;
}

int
main (void)
{
  g_autoptr(GSocketListener) listener = NULL;
  g_autoptr(DialSocketClient) client = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host_and_port = NULL;
  g_autofree char *remote_name = NULL;
  g_autofree char *reply = NULL;
  guint16 port;

  listener = start_listener (&port, &error);
  if (listener == NULL)
    return fail ("Could not listen", error);

  /* One call resolves the name, tries its addresses in turn and returns a
   * connected GSocketConnection, exactly as GSocketClient would. */
  client = dial_socket_client_new ();
  host_and_port = g_strdup_printf ("127.0.0.1:%u", port);
  connection = dial_socket_client_connect_to_host (client, host_and_port, 0, NULL, &error);
  if (connection == NULL)
    return fail ("Could not connect", error);

  remote = g_socket_connection_get_remote_address (connection, &error);
  if (remote == NULL)
    return fail ("No remote address", error);
  remote_name = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote));
  g_print ("client: connected to %s\n", remote_name);

  /* A GSocketConnection is a GIOStream: write to its output stream... */
  if (!write_line (G_IO_STREAM (connection), "hello", &error))
    return fail ("Could not write", error);

  if (!serve_one_line (listener, &error))
    return fail ("Server", error);

  /* ...and read from its input stream. */
  reply = read_line (G_IO_STREAM (connection), &error);
  if (reply == NULL)
    return fail ("Could not read", error);
  g_print ("client: received \"%s\"\n", reply);

  if (!g_io_stream_close (G_IO_STREAM (connection), NULL, &error))
    return fail ("Could not close", error);

  return EXIT_SUCCESS;
}
