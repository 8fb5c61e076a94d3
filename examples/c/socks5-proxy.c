/* socks5-proxy.c: connect through a SOCKS5 proxy, and watch the proxy
 * stage in the client's events.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The program starts an echo server and a SOCKS5 proxy on 127.0.0.1
 * (example-servers.c). The client takes its proxy from an environment,
 * as a shell would give it: all_proxy=socks5h://127.0.0.1:PORT, read by
 * a DialEnvironmentProxyResolver. (A GSimpleProxyResolver, or
 * all_proxy set in the real environment, would do as well.) With
 * socks5h:// the name "localhost" goes to the proxy, which resolves it:
 * the client never does.
 *
 * Build:  cc socks5-proxy.c example-servers.c $(pkg-config --cflags --libs dial-1.0) -o socks5-proxy
 */

#include <dial/dial.h>

#include <stdlib.h>
#include <string.h>

#include "example-servers.h"

static void
on_event (DialSocketClient   *client,
          GSocketClientEvent  event,
          GSocketConnectable *connectable,
          GIOStream          *connection,
          gpointer            user_data)
{
  g_autoptr(GEnumClass) events = g_type_class_ref (G_TYPE_SOCKET_CLIENT_EVENT);

  g_print ("event: %s\n", g_enum_get_value (events, event)->value_nick);
}

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
  g_autoptr(ExampleServer) echo_server = NULL;
  g_autoptr(ExampleServer) proxy = NULL;
  g_autoptr(GProxyResolver) resolver = NULL;
  g_autoptr(DialSocketClient) client = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *all_proxy = NULL;
  g_autofree char *destination = NULL;
  g_autofree char *proxy_name = NULL;
  g_autofree char *echo = NULL;
  const char hello[] = "hello through the proxy\n";
  GProxyAddress *proxy_address;

  echo_server = example_echo_server_new (&error);
  if (echo_server == NULL)
    return fail ("Could not start the echo server", error);
  proxy = example_socks5_proxy_new (&error);
  if (proxy == NULL)
    return fail ("Could not start the proxy", error);

  all_proxy = g_strdup_printf ("all_proxy=socks5h://127.0.0.1:%u", example_server_get_port (proxy));
  resolver = dial_environment_proxy_resolver_new_for_environ ((const char *[]) { all_proxy, NULL });

  client = dial_socket_client_new ();
  dial_socket_client_set_proxy_resolver (client, resolver);
  g_signal_connect (client, "event", G_CALLBACK (on_event), NULL);

  destination = g_strdup_printf ("localhost:%u", example_server_get_port (echo_server));
  connection = dial_socket_client_connect_to_host (client, destination, 0, NULL, &error);
  if (connection == NULL)
    return fail ("Could not connect", error);

  /* Through a proxy, the remote address is a GProxyAddress: the proxy's
   * address, with the destination and the protocol spoken to the proxy. */
  remote = g_socket_connection_get_remote_address (connection, &error);
  if (!G_IS_PROXY_ADDRESS (remote))
    {
      g_printerr ("Expected a GProxyAddress\n");
      return EXIT_FAILURE;
    }
  proxy_address = G_PROXY_ADDRESS (remote);
  proxy_name = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote));
  g_print ("client: connected to %s:%u through the %s proxy at %s\n",
           g_proxy_address_get_destination_hostname (proxy_address),
           g_proxy_address_get_destination_port (proxy_address),
           g_proxy_address_get_protocol (proxy_address), proxy_name);

  /* The connection is a tunnel to the echo server. */
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
