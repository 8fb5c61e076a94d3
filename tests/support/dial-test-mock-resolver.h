/* dial-test-mock-resolver.h: a scripted GResolver for the tests.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define DIAL_TEST_TYPE_MOCK_RESOLVER (dial_test_mock_resolver_get_type ())

G_DECLARE_FINAL_TYPE (DialTestMockResolver, dial_test_mock_resolver, DIAL_TEST, MOCK_RESOLVER, GResolver)

/* A resolver that knows only what the test tells it.
 *
 * Every host has one answer per family (G_SOCKET_FAMILY_IPV4 and
 * G_SOCKET_FAMILY_IPV6): a list of addresses or an error, each delivered
 * after a delay in milliseconds.  Async lookups honour the delay with a
 * timeout source on the caller's thread-default main context, and return
 * G_IO_ERROR_CANCELLED at once when their cancellable fires.  Sync lookups
 * ignore the delays.
 *
 * Answers:
 * - an unknown host: G_RESOLVER_ERROR_NOT_FOUND
 *   "Error resolving “HOST”: Name or service not known" (GIO's wording);
 * - a known host, a family that was never configured:
 *   G_RESOLVER_ERROR_NOT_FOUND
 *   "Error resolving “HOST”: No address associated with hostname";
 * - a lookup with default flags (what GNetworkAddress's sync enumerator
 *   does) returns the IPv6 addresses, then the IPv4 ones; if neither family
 *   has any, it fails with the IPv4 error (else the IPv6 one).
 *
 * IP literals and "localhost" never reach a GResolver implementation:
 * GResolver answers them itself.
 *
 * SRV records: lookup_service () sees "_SERVICE._PROTOCOL.DOMAIN".
 * Unknown names give G_RESOLVER_ERROR_NOT_FOUND
 * "No DNS record of the requested type for “NAME”".  Targets are returned
 * sorted with g_srv_target_list_sort (), as GIO's resolvers do.
 *
 * Reverse lookups and lookup_records () are not supported (NOT_FOUND).
 */

DialTestMockResolver *dial_test_mock_resolver_new             (void);

/* Makes @self the default resolver (g_resolver_set_default ()). */
void                  dial_test_mock_resolver_install         (DialTestMockResolver *self);

/* Forgets every host and service, and zeroes the lookup counters. */
void                  dial_test_mock_resolver_clear           (DialTestMockResolver *self);

/* Replaces the @family answer for @host with @addresses (a list of
 * GInetAddress; the resolver takes its own references), delivered after
 * @delay_ms.  An empty list (NULL) is a valid, empty answer. */
void                  dial_test_mock_resolver_set_addresses   (DialTestMockResolver *self,
                                                               const char           *host,
                                                               GSocketFamily         family,
                                                               GList                *addresses,
                                                               guint                 delay_ms);

/* Appends the IP literal @ip to the answer of its family for @host, and
 * sets that family's delay to @delay_ms.  The convenient form:
 *   add_ip (r, "dual.test", "::1", 0);
 *   add_ip (r, "dual.test", "127.0.0.1", 0); */
void                  dial_test_mock_resolver_add_ip          (DialTestMockResolver *self,
                                                               const char           *host,
                                                               const char           *ip,
                                                               guint                 delay_ms);

/* Makes the @family lookup of @host fail with a copy of @error after
 * @delay_ms. */
void                  dial_test_mock_resolver_set_error       (DialTestMockResolver *self,
                                                               const char           *host,
                                                               GSocketFamily         family,
                                                               const GError         *error,
                                                               guint                 delay_ms);

/* Adds one SRV target for "_@service._@protocol.@domain". */
void                  dial_test_mock_resolver_add_srv_target  (DialTestMockResolver *self,
                                                               const char           *service,
                                                               const char           *protocol,
                                                               const char           *domain,
                                                               const char           *hostname,
                                                               guint16               port,
                                                               guint16               priority,
                                                               guint16               weight);

/* How many name lookups (all flags, sync and async) asked for @host. */
guint                 dial_test_mock_resolver_get_lookups     (DialTestMockResolver *self,
                                                               const char           *host);

G_END_DECLS
