/* dial-tls-stage.c
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dial-tls-stage.h"

#include "dial-tls-client-connection.h"
#include "dial-tls-provider.h"

/*
 * dial_tls_stage_new_client_connection:
 * @base_io_stream: the stream to run TLS over
 * @server_identity: the identity the server's certificate must match
 * @error: a location for a #GError
 *
 * Creates the TLS client connection of the client's TLS stage. This is the
 * one place that chooses between the TLS providers: GIO's backend gives
 * exactly GIO's behaviour, the built-in one works without glib-networking.
 *
 * Returns: (transfer full) (nullable): a #GTlsClientConnection, not yet
 *   handshaken
 */
GIOStream *
dial_tls_stage_new_client_connection (GIOStream           *base_io_stream,
                                      GSocketConnectable  *server_identity,
                                      GError             **error)
{
  g_return_val_if_fail (G_IS_IO_STREAM (base_io_stream), NULL);

  switch (dial_tls_provider_get ())
    {
    case DIAL_TLS_PROVIDER_BUILTIN:
      return dial_tls_client_connection_new (base_io_stream, server_identity, error);

    case DIAL_TLS_PROVIDER_GIO:
    default:
      return g_tls_client_connection_new (base_io_stream, server_identity, error);
    }
}
