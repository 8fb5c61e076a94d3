/* dial-environment-proxy-resolver.h: proxies from http_proxy, all_proxy…
 *
 * Copyright 2026 The libdial developers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(DIAL_INSIDE) && !defined(DIAL_COMPILATION)
# error "Only <dial/dial.h> can be included directly."
#endif

#include <gio/gio.h>

#include "dial-version-macros.h"

G_BEGIN_DECLS

#define DIAL_TYPE_ENVIRONMENT_PROXY_RESOLVER (dial_environment_proxy_resolver_get_type ())

DIAL_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DialEnvironmentProxyResolver, dial_environment_proxy_resolver,
                      DIAL, ENVIRONMENT_PROXY_RESOLVER, GObject)

DIAL_AVAILABLE_IN_ALL
GProxyResolver *dial_environment_proxy_resolver_new             (void);
DIAL_AVAILABLE_IN_ALL
GProxyResolver *dial_environment_proxy_resolver_new_for_environ (const gchar * const *envp);

G_END_DECLS
