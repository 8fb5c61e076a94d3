/* dial-tls-session-cache-private.h: resumption data keyed by server identity
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char   *dial_tls_session_cache_key   (GSocketConnectable *identity,
                                      GIOStream          *base_io_stream,
                                      GTlsCertificate    *certificate);
void    dial_tls_session_cache_add   (const char *key,
                                      GBytes     *session_data,
                                      gboolean    single_use);
GBytes *dial_tls_session_cache_take  (const char *key);
void    dial_tls_session_cache_clear (void);

G_END_DECLS
