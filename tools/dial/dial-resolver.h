/* dial-resolver.h: a resolver that reports the lookups it forwards
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One finished lookup, as the trace prints it. */
typedef struct
{
  const char          *name;
  const char          *kind;      /* "any", "ipv4", "ipv6" or "srv" */
  const char * const  *answers;   /* NULL when it failed */
  const GError        *error;     /* NULL when it succeeded */
  gint64               started;   /* monotonic, µs */
  gint64               ended;
  gboolean             local;     /* answered by GLib itself, no DNS */
} DialCmdLookup;

typedef void (*DialCmdLookupFunc) (const DialCmdLookup *lookup,
                                   gpointer             user_data);

#define DIAL_CMD_TYPE_RESOLVER (dial_cmd_resolver_get_type ())
G_DECLARE_FINAL_TYPE (DialCmdResolver, dial_cmd_resolver, DIAL_CMD, RESOLVER, GResolver)

GResolver *dial_cmd_resolver_new            (GResolver         *inner,
                                             DialCmdLookupFunc  func,
                                             gpointer           user_data);

char     **dial_cmd_resolver_local_answer   (const char        *hostname);

G_END_DECLS
