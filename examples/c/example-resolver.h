/* example-resolver.h: a resolver that answers from a table, for examples
 * that cannot ask real DNS
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define DIAL_EXAMPLE_TYPE_RESOLVER (dial_example_resolver_get_type ())

G_DECLARE_FINAL_TYPE (DialExampleResolver, dial_example_resolver,
                      DIAL_EXAMPLE, RESOLVER, GResolver)

DialExampleResolver *dial_example_resolver_new         (void);
void                 dial_example_resolver_add_address (DialExampleResolver *resolver,
                                                        const char          *hostname,
                                                        const char          *address);
void                 dial_example_resolver_add_service (DialExampleResolver *resolver,
                                                        const char          *service,
                                                        const char          *protocol,
                                                        const char          *domain,
                                                        const char          *target,
                                                        guint16              port);

G_END_DECLS
