/* dial-no-proxy.h: the no_proxy list, parsed once and matched many times
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * A pure parser and matcher for the `no_proxy` environment variable: no
 * I/O, no DNS, no GObject, so it can be unit-tested and fuzzed with any
 * bytes.
 *
 * The value is a comma-separated list; whitespace around each entry is
 * ignored, and so are empty entries and entries that are not one of:
 *
 * - `*`: every host;
 * - a host name, optionally with a leading `.` or `*.` and a trailing `.`:
 *   the name and every name below it (`example.com` and `.example.com`
 *   both match `example.com` and `a.example.com`, never `badexample.com`);
 *   case-insensitive, internationalised names compared in their ASCII form;
 * - an IPv4 or IPv6 literal, the latter bare or in brackets, optionally
 *   with a zone (`%eth0`, ignored): that address only;
 * - a CIDR range, `10.0.0.0/8`, `fe80::/10` or `[fe80::]/10`: every
 *   address in it (host bits set in the address are ignored);
 * - any of the above but `*` and a bare IPv6 literal followed by `:PORT`
 *   (1 to 65535): the same hosts, on that port only.
 *
 * Names match names and addresses match addresses: `localhost` does not
 * match `127.0.0.1`, as nothing is resolved.
 */
typedef struct _DialNoProxy DialNoProxy;

DialNoProxy *dial_no_proxy_parse       (const char        *value);
void         dial_no_proxy_free        (DialNoProxy       *self);

/* How many entries were kept (for tests: garbage is dropped). */
guint        dial_no_proxy_get_n_rules (const DialNoProxy *self);

/* Whether a connection to @host on @port bypasses the proxy.  @host is a
 * name or an IP literal (brackets and a zone allowed); @port 0 means
 * unknown, which no port-specific entry matches. */
gboolean     dial_no_proxy_matches     (const DialNoProxy *self,
                                        const char        *host,
                                        guint16            port);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DialNoProxy, dial_no_proxy_free)

G_END_DECLS
