/* dial-family-cache.h: which address family last won for a host name
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * A process-wide, thread-safe memory of the address family that won a
 * Happy Eyeballs race for a host name after the other family failed or
 * hung. The next connect to that name starts with the winner and races
 * the other family after the attempt delay. Entries expire, and all of
 * them are dropped when GNetworkMonitor reports a network change.
 */

#define DIAL_FAMILY_CACHE_DEFAULT_TTL_SECONDS (10 * 60)

GSocketFamily dial_family_cache_lookup (const char    *host);
void          dial_family_cache_record (const char    *host,
                                        GSocketFamily  winner);
void          dial_family_cache_forget (const char    *host);
void          dial_family_cache_clear  (void);

/* For tests: the clock (g_get_monotonic_time () by default) and the time
 * to live. Passing NULL restores the real clock. */
void          dial_family_cache_set_clock_for_testing (gint64 (*now_us) (void));
void          dial_family_cache_set_ttl_for_testing   (guint   seconds);

G_END_DECLS
