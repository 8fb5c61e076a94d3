/* dial-trace.h: the client's events, as a timestamped trace
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "dial-attempts.h"
#include "dial-exit.h"
#include "dial-record.h"
#include "dial-resolver.h"

G_BEGIN_DECLS

/* One name or SRV lookup, for the waterfall. */
typedef struct
{
  char    *label;
  gint64   started;
  gint64   ended;
  gboolean failed;
} DialCmdSpan;

typedef struct _DialCmdTrace DialCmdTrace;

DialCmdTrace       *dial_cmd_trace_new                (const DialCmdOutput *output,
                                                       const char          *proxy_uri);
void                dial_cmd_trace_free               (DialCmdTrace        *trace);
const DialCmdOutput *dial_cmd_trace_get_output        (DialCmdTrace        *trace);

DialCmdRecord      *dial_cmd_trace_record_new         (DialCmdTrace        *trace,
                                                       const char          *event);
void                dial_cmd_trace_emit               (DialCmdTrace        *trace,
                                                       DialCmdRecord       *record);

void                dial_cmd_trace_event              (DialCmdTrace        *trace,
                                                       GSocketClientEvent   event,
                                                       GSocketConnectable  *connectable,
                                                       GIOStream           *stream);
void                dial_cmd_trace_lookup             (const DialCmdLookup *lookup,
                                                       gpointer             trace);
void                dial_cmd_trace_result             (DialCmdTrace        *trace,
                                                       GSocketConnection   *connection,
                                                       const GError        *error,
                                                       DialCmdExit          status);

DialCmdAttempt     *dial_cmd_trace_attempt_for_stream (DialCmdTrace        *trace,
                                                       GIOStream           *stream);
GSocketClientEvent  dial_cmd_trace_get_furthest_stage (DialCmdTrace        *trace);
GPtrArray          *dial_cmd_trace_get_attempts       (DialCmdTrace        *trace);
GPtrArray          *dial_cmd_trace_get_lookups        (DialCmdTrace        *trace);
gint64              dial_cmd_trace_get_resolving      (DialCmdTrace        *trace);
gint64              dial_cmd_trace_get_resolved       (DialCmdTrace        *trace);
gint64              dial_cmd_trace_get_completed      (DialCmdTrace        *trace);

G_END_DECLS
