/* bench-resolver.h: a GResolver that knows a few names and nothing else.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BENCH_TYPE_RESOLVER (bench_resolver_get_type ())

G_DECLARE_FINAL_TYPE (BenchResolver, bench_resolver, BENCH, RESOLVER, GResolver)

/* Answers lookups of @name with @addresses (IP literals, in order; each
 * family lookup gets the addresses of its family), and any name it was not
 * given with G_RESOLVER_ERROR_NOT_FOUND.  Async lookups complete on the next iteration
 * of the caller's main context.  No lookup ever leaves the process. */
BenchResolver *bench_resolver_new (const char         *name,
                                   const char * const *addresses);

/* Teaches @self one more name, answered in the same way.  Call it before
 * the first lookup: the names are not locked. */
void           bench_resolver_add_name (BenchResolver      *self,
                                        const char         *name,
                                        const char * const *addresses);

G_END_DECLS
