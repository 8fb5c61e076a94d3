/* tls.c: TLS to a server whose certificate a CA of your own signed, with
 * ALPN.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The client trusts only the CA in CERTS/ca.pem, offers two application
 * protocols ("echo/2", then "echo/1") and learns which one the server
 * picked; then it sends a line through the TLS connection and reads the
 * server's echo. CERTS is a directory made by examples/make-certs.sh: the
 * test suite makes one when it builds the examples.
 *
 * The server (example-servers.c) is GIO's TLS server, so it needs
 * glib-networking; without it the program says so and exits with 77,
 * "skipped". The client side needs nothing of the sort: where
 * glib-networking is missing, libdial uses its own TLS provider.
 *
 * Build:  cc tls.c example-servers.c $(pkg-config --cflags --libs dial-1.0) -o tls
 * Run:    sh make-certs.sh /tmp/certs && ./tls /tmp/certs
 */

#include <dial/dial.h>

#include <stdlib.h>
#include <string.h>

#include "example-servers.h"

static const char * const client_protocols[] = { "echo/2", "echo/1", NULL };
static const char * const server_protocols[] = { "echo/1", NULL };

/* @error may be NULL: a read that met the end of the stream. */
static int
fail (const char   *what,
      const GError *error)
{
  g_printerr ("%s: %s\n", what, error != NULL ? error->message : "the server hung up");
  return EXIT_FAILURE;
}

/* A TLS connect emits TLS_HANDSHAKING with the new GTlsClientConnection
 * before its handshake starts: the moment to say which certificates to
 * trust and which protocols to offer, exactly as with GSocketClient. */
static void
on_event (DialSocketClient   *client,
          GSocketClientEvent  event,
          GSocketConnectable *connectable,
          GIOStream          *connection,
          gpointer            user_data)
{
  GTlsDatabase *database = user_data;

  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKING)
    return;

  g_tls_connection_set_database (G_TLS_CONNECTION (connection), database);
  g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (connection), client_protocols);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(ExampleServer) server = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(DialSocketClient) client = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *certs = NULL;
  g_autofree char *ca_file = NULL;
  g_autofree char *cert_file = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *host_and_port = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *echo = NULL;
  GTlsConnection *tls;
  GTlsCertificate *peer;
  const char *protocol;
  const char hello[] = "hello over TLS\n";

  if (argc != 2)
    {
      g_printerr ("usage: %s CERTS   (a directory made by make-certs.sh)\n", argv[0]);
      return 2;
    }
  /* A file database wants an absolute path. */
  certs = g_canonicalize_filename (argv[1], NULL);
  ca_file = g_build_filename (certs, "ca.pem", NULL);
  cert_file = g_build_filename (certs, "server.pem", NULL);
  key_file = g_build_filename (certs, "server-key.pem", NULL);

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_print ("skipped: the example's TLS server needs glib-networking\n");
      return 77;
    }
  server = example_tls_echo_server_new (cert_file, key_file, server_protocols, &error);
  if (server == NULL)
    return fail ("Could not start the server", error);

  /* The CA as a database of trusted certificates. Use libdial's
   * constructor, not g_tls_file_database_new (): the database must come
   * from the TLS provider that the client uses, which may be libdial's. */
  database = dial_tls_file_database_new (ca_file, &error);
  if (database == NULL)
    return fail ("Could not load the CA", error);

  client = dial_socket_client_new ();
  dial_socket_client_set_tls (client, TRUE);
  g_signal_connect (client, "event", G_CALLBACK (on_event), database);

  /* The certificate is checked against the name connected to. */
  host_and_port = g_strdup_printf ("localhost:%u", example_server_get_port (server));
  connection = dial_socket_client_connect_to_host (client, host_and_port, 0, NULL, &error);
  if (connection == NULL)
    return fail ("Could not connect", error);

  /* What a TLS connect returns is a GTcpWrapperConnection whose base
   * stream is the GTlsConnection. */
  tls = G_TLS_CONNECTION (g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (connection)));
  protocol = g_tls_connection_get_negotiated_protocol (tls);
  peer = g_tls_connection_get_peer_certificate (tls);
  subject = g_tls_certificate_get_subject_name (peer);
  g_print ("client: TLS to %s, certificate \"%s\", ALPN protocol %s\n",
           host_and_port, subject, protocol != NULL ? protocol : "(none)");
  if (g_strcmp0 (protocol, "echo/1") != 0)
    {
      g_printerr ("Expected ALPN to pick echo/1\n");
      return EXIT_FAILURE;
    }

  /* Then it is a stream like any other. */
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                  hello, strlen (hello), NULL, NULL, &error))
    return fail ("Could not write", error);
  lines = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  echo = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  if (echo == NULL)
    return fail ("Could not read", error);
  g_print ("client: received \"%s\"\n", echo);

  /* Closing sends TLS close_notify, then closes the socket. */
  if (!g_io_stream_close (G_IO_STREAM (connection), NULL, &error))
    return fail ("Could not close", error);

  return EXIT_SUCCESS;
}
