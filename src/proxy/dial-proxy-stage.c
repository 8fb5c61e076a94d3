/* dial-proxy-stage.c
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dial-proxy-stage.h"
#include "dial-http-proxy.h"
#include "dial-socks-proxy.h"

/* libdial's own protocols; a constructor gets the protocol it was found
 * under. */
static const struct
{
  const char *protocol;
  GProxy   *(*new_proxy) (const char *protocol);
} builtin_proxies[] = {
  { "socks4", dial_socks_proxy_new },
  { "socks4a", dial_socks_proxy_new },
  { "socks5", dial_socks_proxy_new },
  { "socks5h", dial_socks_proxy_new },
  { "http", dial_http_proxy_new },
  { "https", dial_http_proxy_new },
};

/*
 * dial_proxy_stage_lookup:
 * @protocol: a proxy protocol, the scheme of a proxy URI
 *
 * Finds the #GProxy that negotiates @protocol. Every proxy protocol is a
 * #GProxy, ours as well as those of GIO's "gio-proxy" extension point, so
 * the connect drivers negotiate all of them the same way; the drivers
 * never need to know which is which.
 *
 * libdial's own protocols come first; every other one comes from GIO's
 * extension point, so third-party proxies keep working. ("socks" is not
 * a protocol here: resolvers expand it to socks5, socks4a and socks4.)
 *
 * Returns: (transfer full) (nullable): the proxy, or %NULL when no
 *   implementation of @protocol exists
 */
GProxy *
dial_proxy_stage_lookup (const char *protocol)
{
  g_return_val_if_fail (protocol != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (builtin_proxies); i++)
    {
      if (g_str_equal (protocol, builtin_proxies[i].protocol))
        return builtin_proxies[i].new_proxy (protocol);
    }

  return g_proxy_get_default_for_protocol (protocol);
}
