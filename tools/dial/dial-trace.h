/* dial-trace.h: the client's events, as a timestamped trace
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "dial-exit.h"
#include "dial-record.h"
#include "dial-resolver.h"

G_BEGIN_DECLS

typedef enum
{
  DIAL_CMD_ATTEMPT_PENDING,
  DIAL_CMD_ATTEMPT_WON,
  DIAL_CMD_ATTEMPT_LOST,
  DIAL_CMD_ATTEMPT_FAILED,
} DialCmdAttemptOutcome;

/* One TCP attempt: a CONNECTING event and what became of its socket.
 * Times are monotonic µs, -1 when not reached. */
typedef struct
{
  guint                  index;     /* 1, 2, … in the order they started */
  GSocketFamily          family;
  char                  *address;   /* from CONNECTED on */
  gint64                 started;
  gint64                 connected;
  gint64                 proxy_started;
  gint64                 proxy_done;
  gint64                 tls_started;
  gint64                 tls_done;
  gint64                 ended;
  GSocketClientEvent     stage;     /* the furthest event it reached */
  DialCmdAttemptOutcome  outcome;
  char                  *reason;    /* why it failed, when that is known */

  /*< private >*/
  gpointer               trace;
  GSocket               *socket;    /* weak: NULL once finalized */
  gboolean               reported;
} DialCmdAttempt;

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

const char         *dial_cmd_family_name              (GSocketFamily        family);

G_END_DECLS
