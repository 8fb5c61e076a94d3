/* connect-to-service.c: connect to a service by its SRV record.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * dial_socket_client_connect_to_service (client, "example.test", "echo")
 * asks DNS for the SRV record _echo._tcp.example.test, which names the
 * servers of the service (host and port, by priority and weight), and
 * connects to the first of them that answers.
 *
 * An example cannot ask real DNS, so this program installs a resolver
 * that answers from a table (example-resolver.c) as the process's
 * default, with g_resolver_set_default (). Real programs never do that:
 * they let GIO ask the system's resolver. Everything else here is what a
 * real program does.
 *
 * Build:  cc connect-to-service.c example-servers.c example-resolver.c \
 *           $(pkg-config --cflags --libs dial-1.0) -o connect-to-service
 */

#include <dial/dial.h>

#include <stdlib.h>
#include <string.h>

#include "example-resolver.h"
#include "example-servers.h"

/* @error may be NULL: a read that met the end of the stream. */
static int
fail (const char   *what,
      const GError *error)
{
  g_printerr ("%s: %s\n", what, error != NULL ? error->message : "the server hung up");
  return EXIT_FAILURE;
}

int
main (void)
{
  g_autoptr(ExampleServer) server = NULL;
  g_autoptr(DialExampleResolver) resolver = NULL;
  g_autoptr(DialSocketClient) client = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *remote_name = NULL;
  g_autofree char *echo = NULL;
  const char hello[] = "hello, service\n";

  server = example_echo_server_new (&error);
  if (server == NULL)
    return fail ("Could not start the server", error);

  /* The example's DNS: _echo._tcp.example.test is served by
   * echo.example.test on the server's port; echo.example.test is
   * 127.0.0.1. (Not in a real program.) */
  resolver = dial_example_resolver_new ();
  dial_example_resolver_add_service (resolver, "echo", "tcp", "example.test",
                                     "echo.example.test", example_server_get_port (server));
  dial_example_resolver_add_address (resolver, "echo.example.test", "127.0.0.1");
  g_resolver_set_default (G_RESOLVER (resolver));

  client = dial_socket_client_new ();
  connection = dial_socket_client_connect_to_service (client, "example.test", "echo", NULL, &error);
  if (connection == NULL)
    return fail ("Could not connect", error);

  remote = g_socket_connection_get_remote_address (connection, &error);
  if (remote == NULL)
    return fail ("No remote address", error);
  remote_name = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote));
  g_print ("client: the echo service of example.test is at %s\n", remote_name);

  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                  hello, strlen (hello), NULL, NULL, &error))
    return fail ("Could not write", error);
  lines = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  echo = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  if (echo == NULL)
    return fail ("Could not read", error);
  g_print ("client: received \"%s\"\n", echo);

  if (!g_io_stream_close (G_IO_STREAM (connection), NULL, &error))
    return fail ("Could not close", error);

  return EXIT_SUCCESS;
}
