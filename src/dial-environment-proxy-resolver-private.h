/* dial-environment-proxy-resolver-private.h: the client's fallback resolver
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <dial/dial.h>

G_BEGIN_DECLS

/* The resolver a client with no resolver of its own uses: NULL (GIO's
 * default) unless GIO's default resolver is the dummy one, and then one
 * process-wide DialEnvironmentProxyResolver, created on the first call
 * from the environment of that moment, on whichever thread (transfer
 * none). */
GProxyResolver *dial_environment_proxy_resolver_get_fallback (void);

G_END_DECLS
