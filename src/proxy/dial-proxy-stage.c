/* dial-proxy-stage.c
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dial-proxy-stage.h"

/*
 * dial_proxy_stage_lookup:
 * @protocol: a proxy protocol, the scheme of a proxy URI
 *
 * Finds the #GProxy that negotiates @protocol. Every proxy protocol is a
 * #GProxy, ours as well as those of GIO's "gio-proxy" extension point, so
 * the connect drivers negotiate all of them the same way; the drivers
 * never need to know which is which.
 *
 * For now every protocol comes from GIO's extension point.
 *
 * Returns: (transfer full) (nullable): the proxy, or %NULL when no
 *   implementation of @protocol exists
 */
GProxy *
dial_proxy_stage_lookup (const char *protocol)
{
  g_return_val_if_fail (protocol != NULL, NULL);

  return g_proxy_get_default_for_protocol (protocol);
}
