/* dial-tls-stage.h: the TLS provider behind the client's TLS stage
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GIOStream *dial_tls_stage_new_client_connection (GIOStream           *base_io_stream,
                                                 GSocketConnectable  *server_identity,
                                                 GError             **error);

G_END_DECLS
