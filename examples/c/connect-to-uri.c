/* connect-to-uri.c: connect to the host and port of a URI, then speak
 * HTTP/1.1 over the connection.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * dial_socket_client_connect_to_uri () takes the host and port from the
 * URI (the default port only when the URI has none) and nothing else:
 * the path and query are the application's, and an https:// URI does not
 * turn TLS on (set the "tls" property for that). The proxy resolver is
 * asked about the URI's scheme, host and port (http://localhost:PORT).
 *
 * The HTTP server (example-servers.c) listens on 127.0.0.1 and answers
 * every request with a text that quotes it. "localhost" resolves to ::1
 * and 127.0.0.1 (GLib answers that name itself, without DNS); ::1 is
 * tried first and refused, then 127.0.0.1 is connected.
 *
 * Build:  cc connect-to-uri.c example-servers.c $(pkg-config --cflags --libs dial-1.0) -o connect-to-uri
 */

#include <dial/dial.h>

#include <stdlib.h>
#include <string.h>

#include "example-servers.h"

/* Reads until the server closes the connection. */
static char *
read_to_end (GInputStream  *input,
             GError       **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  guint8 buffer[1024];
  gssize n;

  while ((n = g_input_stream_read (input, buffer, sizeof buffer, NULL, error)) > 0)
    g_byte_array_append (data, buffer, n);
  if (n < 0)
    return NULL;

  g_byte_array_append (data, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (g_steal_pointer (&data), FALSE);
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
  g_autoptr(ExampleServer) server = NULL;
  g_autoptr(DialSocketClient) client = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *remote_name = NULL;
  g_autofree char *target = NULL;
  g_autofree char *request = NULL;
  g_autofree char *response = NULL;

  server = example_http_server_new ("HTTP server", &error);
  if (server == NULL)
    return fail ("Could not start the server", error);
  uri = g_strdup_printf ("http://localhost:%u/hello?lang=en", example_server_get_port (server));

  /* Port 80 would apply to a URI without a port. */
  client = dial_socket_client_new ();
  connection = dial_socket_client_connect_to_uri (client, uri, 80, NULL, &error);
  if (connection == NULL)
    return fail ("Could not connect", error);

  remote = g_socket_connection_get_remote_address (connection, &error);
  if (remote == NULL)
    return fail ("No remote address", error);
  remote_name = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote));
  g_print ("client: %s is %s\n", uri, remote_name);

  /* The rest of the URI is for the request. */
  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, &error);
  if (parsed == NULL)
    return fail ("Could not parse the URI", error);
  target = g_uri_join (G_URI_FLAGS_NONE, NULL, NULL, NULL, -1,
                       g_uri_get_path (parsed), g_uri_get_query (parsed), NULL);
  request = g_strdup_printf ("GET %s HTTP/1.1\r\n"
                             "Host: %s:%d\r\n"
                             "Connection: close\r\n"
                             "\r\n",
                             target, g_uri_get_host (parsed), g_uri_get_port (parsed));
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                  request, strlen (request), NULL, NULL, &error))
    return fail ("Could not write", error);

  response = read_to_end (g_io_stream_get_input_stream (G_IO_STREAM (connection)), &error);
  if (response == NULL)
    return fail ("Could not read", error);
  g_print ("client: received\n%s", response);
  if (!g_str_has_prefix (response, "HTTP/1.1 200 "))
    {
      g_printerr ("Expected 200 OK\n");
      return EXIT_FAILURE;
    }

  if (!g_io_stream_close (G_IO_STREAM (connection), NULL, &error))
    return fail ("Could not close", error);

  return EXIT_SUCCESS;
}
