/* dial-http-proxy.h: libdial's HTTP CONNECT proxies, over TCP ("http")
 * and over TLS ("https"), as GProxy implementations
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define DIAL_TYPE_HTTP_PROXY (dial_http_proxy_get_type ())

G_DECLARE_FINAL_TYPE (DialHttpProxy, dial_http_proxy, DIAL, HTTP_PROXY, GObject)

/* @protocol: "http" or "https".
 * Returns: (transfer full) (nullable): a new proxy, or %NULL when
 *   @protocol is neither. */
GProxy *dial_http_proxy_new (const char *protocol);

G_END_DECLS
