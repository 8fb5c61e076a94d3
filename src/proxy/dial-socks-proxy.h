/* dial-socks-proxy.h: libdial's SOCKS4, SOCKS4a, SOCKS5 and SOCKS5h
 * proxies, as GProxy implementations
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define DIAL_TYPE_SOCKS_PROXY (dial_socks_proxy_get_type ())

G_DECLARE_FINAL_TYPE (DialSocksProxy, dial_socks_proxy, DIAL, SOCKS_PROXY, GObject)

/* @protocol: "socks4", "socks4a", "socks5" or "socks5h".
 * Returns: (transfer full) (nullable): a new proxy, or %NULL when
 *   @protocol is none of these. */
GProxy     *dial_socks_proxy_new          (const char     *protocol);

const char *dial_socks_proxy_get_protocol (DialSocksProxy *self);

G_END_DECLS
