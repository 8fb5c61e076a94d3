/* dial-tls-provider.h: which TLS implementation this process uses
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  DIAL_TLS_PROVIDER_GIO,
  DIAL_TLS_PROVIDER_BUILTIN,
} DialTlsProvider;

DialTlsProvider dial_tls_provider_get (void);

G_END_DECLS
