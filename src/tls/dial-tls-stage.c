/* dial-tls-stage.c
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dial-tls-stage.h"

/*
 * dial_tls_stage_new_client_connection:
 * @base_io_stream: the stream to run TLS over
 * @server_identity: the identity the server's certificate must match
 * @error: a location for a #GError
 *
 * Creates the TLS client connection of the client's TLS stage. This is the
 * one place that chooses a TLS provider; for now that is GIO's TLS
 * backend, and without one the error is GIO's "TLS support is not
 * available".
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

  return g_tls_client_connection_new (base_io_stream, server_identity, error);
}
