/* dial-test-proxy-resolver.h: a GProxyResolver whose answers each test
 * sets.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define DIAL_TEST_TYPE_PROXY_RESOLVER (dial_test_proxy_resolver_get_type ())

G_DECLARE_FINAL_TYPE (DialTestProxyResolver, dial_test_proxy_resolver, DIAL_TEST, PROXY_RESOLVER, GObject)

/* Answers every lookup (sync or async; async results come back from the
 * caller's thread-default main context) with, in order of precedence:
 * the function of set_func, the error of set_error, the list of
 * set_proxies, or "direct://".  It counts lookups and remembers the last
 * URI asked about, so tests can prove that a client did (or did not)
 * consult it.  Thread-safe. */

/* Returns a strv of proxy URIs (transfer full), or NULL and sets @error.
 * Called on the thread that looks up. */
typedef char **(*DialTestProxyResolverFunc) (const char  *uri,
                                             gpointer     user_data,
                                             GError     **error);

/* @proxies: (nullable): the answer for every URI. */
DialTestProxyResolver *dial_test_proxy_resolver_new          (const char * const     *proxies);
/* Convenience: a resolver that answers the single @proxy for all URIs. */
DialTestProxyResolver *dial_test_proxy_resolver_new_single   (const char             *proxy);

void                   dial_test_proxy_resolver_set_proxies  (DialTestProxyResolver  *self,
                                                              const char * const     *proxies);
/* @error: (nullable): unsets the error. */
void                   dial_test_proxy_resolver_set_error    (DialTestProxyResolver  *self,
                                                              const GError           *error);
/* @func: (nullable): unsets the function. */
void                   dial_test_proxy_resolver_set_func     (DialTestProxyResolver  *self,
                                                              DialTestProxyResolverFunc func,
                                                              gpointer                user_data,
                                                              GDestroyNotify          destroy);

/* Number of lookups so far (sync and async alike). */
guint                  dial_test_proxy_resolver_get_lookups  (DialTestProxyResolver  *self);
/* The URI of the latest lookup, or NULL (transfer full). */
char                  *dial_test_proxy_resolver_dup_last_uri (DialTestProxyResolver  *self);
/* Zeroes the count and forgets the last URI. */
void                   dial_test_proxy_resolver_reset_counts (DialTestProxyResolver  *self);

/* Registers the type on GIO's proxy-resolver extension point under the
 * name "dial-test", so that GIO_USE_PROXY_RESOLVER=dial-test, set before
 * the first g_proxy_resolver_get_default (), makes the default an
 * instance of it (which then answers "direct://" until configured).  The
 * highest priority is not claimed: without the variable, GIO's own choice
 * stands.  Idempotent. */
void                   dial_test_proxy_resolver_register     (void);

G_END_DECLS
