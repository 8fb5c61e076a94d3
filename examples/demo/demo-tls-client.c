/* demo-tls-client.c: what the demo does with a client's TLS connection
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Only GIO's TLS API, and libdial's constructor of a database, so that it
 * works the same whichever TLS provider made the connection.  Everything
 * it finds out it prints as notes under the line of the timeline it
 * belongs to.
 */

#include "demo-tls-client.h"

#include <dial/dial.h>

#include "demo-timeline.h"

/* Makes @tls trust the certificates of @ca_file and no others, as an
 * application does at TLS_HANDSHAKING.  Returns whether it could. */
gboolean
demo_tls_client_trust_only (GTlsConnection *tls,
                            const char     *ca_file)
{
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;

  /* From the same provider as the connection, whichever that is. */
  database = dial_tls_file_database_new (ca_file, &error);
  if (database == NULL)
    {
      demo_note ("could not load %s: %s", ca_file, error->message);
      return FALSE;
    }

  g_tls_connection_set_database (tls, database);
  demo_note ("set a %s that trusts only the demo's CA,", G_OBJECT_TYPE_NAME (database));
  demo_note ("made with dial_tls_file_database_new (\"%s\")", ca_file);
  return TRUE;
}

/* Which TLS provider made @tls: libdial's own, or GIO's backend. */
void
demo_tls_client_note_provider (GTlsConnection *tls)
{
  const char *type = G_OBJECT_TYPE_NAME (tls);

  if (g_str_equal (type, "DialTlsClientConnection"))
    demo_note ("provider: libdial's own, on gnutls (%s)", type);
  else
    demo_note ("provider: GIO's TLS backend (%s)", type);
}

static const char *
protocol_version_name (GTlsProtocolVersion version)
{
  switch (version)
    {
    case G_TLS_PROTOCOL_VERSION_SSL_3_0:  return "SSL 3.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_0:  return "TLS 1.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_1:  return "TLS 1.1";
    case G_TLS_PROTOCOL_VERSION_TLS_1_2:  return "TLS 1.2";
    case G_TLS_PROTOCOL_VERSION_TLS_1_3:  return "TLS 1.3";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_0: return "DTLS 1.0";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_2: return "DTLS 1.2";
    case G_TLS_PROTOCOL_VERSION_UNKNOWN:
    default:                              return "an unknown protocol version";
    }
}

/* What the handshake agreed on, who the server is, and who ran it. */
void
demo_tls_client_note_handshake (GTlsConnection *tls)
{
  g_autofree char *ciphersuite = g_tls_connection_get_ciphersuite_name (tls);
  GTlsCertificate *peer = g_tls_connection_get_peer_certificate (tls);

  demo_note ("%s, %s", protocol_version_name (g_tls_connection_get_protocol_version (tls)),
             ciphersuite ? ciphersuite : "cipher suite not known");

  if (peer != NULL)
    {
      g_autofree char *subject = g_tls_certificate_get_subject_name (peer);
      g_autofree char *issuer = g_tls_certificate_get_issuer_name (peer);

      demo_note ("server certificate: %s", subject ? subject : "(no subject)");
      demo_note ("issued by: %s", issuer ? issuer : "(no issuer)");
    }

  demo_tls_client_note_provider (tls);
}

/* Reads a line through the connection the client returned: after a TLS
 * connect, a GTcpWrapperConnection around the TLS connection. */
char *
demo_tls_client_read_line (GSocketConnection *connection)
{
  g_autoptr(GDataInputStream) input = NULL;
  g_autoptr(GError) error = NULL;
  char *line;

  if (G_IS_TCP_WRAPPER_CONNECTION (connection))
    {
      GTcpWrapperConnection *wrapper = G_TCP_WRAPPER_CONNECTION (connection);

      demo_note ("a GTcpWrapperConnection around the %s",
                 G_OBJECT_TYPE_NAME (g_tcp_wrapper_connection_get_base_io_stream (wrapper)));
    }

  input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (input), FALSE);
  line = g_data_input_stream_read_line_utf8 (input, NULL, NULL, &error);

  if (line != NULL)
    demo_note ("read from it: “%s”", line);
  else
    demo_note ("could not read from it: %s", error ? error->message : "end of stream");

  return line;
}
