/* application-proxy.c: a proxy protocol the application speaks itself.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An HTTP forward proxy takes "GET http://host/path HTTP/1.1" and fetches
 * the page; no CONNECT tunnel is involved. libdial cannot know that an
 * HTTP client wants that rather than a tunnel, so the application says
 * so: dial_socket_client_add_application_proxy (client, "http"). Then,
 * when the proxy resolver answers an http:// proxy, the client stops
 * after connecting to the proxy (no negotiation, and no TLS even with the
 * "tls" property set) and returns that connection, whose remote address
 * is a GProxyAddress that tells the application where it really wanted
 * to go.
 *
 * The proxy here (example-servers.c) answers every request itself with a
 * text that quotes it; a real one would fetch the page. The destination,
 * www.example.test, is never resolved: only the proxy would need to.
 *
 * Build:  cc application-proxy.c example-servers.c $(pkg-config --cflags --libs dial-1.0) -o application-proxy
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
  g_autoptr(ExampleServer) proxy = NULL;
  g_autoptr(GProxyResolver) resolver = NULL;
  g_autoptr(DialSocketClient) client = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;
  const char *uri = "http://www.example.test/hello";
  g_autofree char *proxy_uri = NULL;
  g_autofree char *proxy_name = NULL;
  g_autofree char *request = NULL;
  g_autofree char *response = NULL;
  GProxyAddress *proxy_address;

  proxy = example_http_server_new ("HTTP proxy", &error);
  if (proxy == NULL)
    return fail ("Could not start the proxy", error);

  /* Every destination goes through the proxy. */
  proxy_uri = g_strdup_printf ("http://127.0.0.1:%u", example_server_get_port (proxy));
  resolver = g_simple_proxy_resolver_new (proxy_uri, NULL);

  client = dial_socket_client_new ();
  dial_socket_client_set_proxy_resolver (client, resolver);
  dial_socket_client_add_application_proxy (client, "http");

  /* connect_to_uri () rather than connect_to_host (): the proxy resolver
   * is asked about http://www.example.test:80, not none://…, and the
   * GProxyAddress carries the destination. */
  connection = dial_socket_client_connect_to_uri (client, uri, 80, NULL, &error);
  if (connection == NULL)
    return fail ("Could not connect", error);

  /* Connected to the proxy, and nothing more: check that it is the case
   * and for which protocol, then speak it. */
  remote = g_socket_connection_get_remote_address (connection, &error);
  if (!G_IS_PROXY_ADDRESS (remote) ||
      g_strcmp0 (g_proxy_address_get_protocol (G_PROXY_ADDRESS (remote)), "http") != 0)
    {
      g_printerr ("Expected a connection to an http proxy\n");
      return EXIT_FAILURE;
    }
  proxy_address = G_PROXY_ADDRESS (remote);
  proxy_name = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote));
  g_print ("client: connected to the %s proxy at %s, for %s:%u\n",
           g_proxy_address_get_protocol (proxy_address), proxy_name,
           g_proxy_address_get_destination_hostname (proxy_address),
           g_proxy_address_get_destination_port (proxy_address));

  /* A request to a proxy names the whole URI. */
  request = g_strdup_printf ("GET %s HTTP/1.1\r\n"
                             "Host: %s\r\n"
                             "Connection: close\r\n"
                             "\r\n",
                             uri, g_proxy_address_get_destination_hostname (proxy_address));
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
