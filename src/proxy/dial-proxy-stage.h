/* dial-proxy-stage.h: which GProxy negotiates a proxy protocol
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GProxy *dial_proxy_stage_lookup (const char *protocol);

G_END_DECLS
