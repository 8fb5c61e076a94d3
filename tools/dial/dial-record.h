/* dial-record.h: one line of the trace, for people or as JSON
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <stdio.h>

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  DIAL_CMD_OUTPUT_HUMAN,     /* a line per event */
  DIAL_CMD_OUTPUT_JSON,      /* a JSON object per event */
  DIAL_CMD_OUTPUT_TIMELINE,  /* the waterfall, and only the summary lines */
  DIAL_CMD_OUTPUT_QUIET,     /* nothing but errors */
} DialCmdOutputMode;

typedef struct
{
  DialCmdOutputMode  mode;
  FILE              *stream;
  gboolean           colour;
  gint64             start;   /* monotonic µs: time 0 of the trace */
} DialCmdOutput;

typedef struct _DialCmdRecord DialCmdRecord;

DialCmdRecord *dial_cmd_record_new     (const char          *event,
                                        gint64               when);
void           dial_cmd_record_string  (DialCmdRecord       *record,
                                        const char          *key,
                                        const char          *value);
void           dial_cmd_record_int     (DialCmdRecord       *record,
                                        const char          *key,
                                        gint64               value);
void           dial_cmd_record_ms      (DialCmdRecord       *record,
                                        const char          *key,
                                        gint64               microseconds);
void           dial_cmd_record_bool    (DialCmdRecord       *record,
                                        const char          *key,
                                        gboolean             value);
void           dial_cmd_record_strv    (DialCmdRecord       *record,
                                        const char          *key,
                                        const char * const  *values);
void           dial_cmd_record_text    (DialCmdRecord       *record,
                                        const char          *format,
                                        ...) G_GNUC_PRINTF (2, 3);
void           dial_cmd_record_note    (DialCmdRecord       *record,
                                        const char          *format,
                                        ...) G_GNUC_PRINTF (2, 3);
void           dial_cmd_record_summary (DialCmdRecord       *record);
void           dial_cmd_record_emit    (DialCmdRecord       *record,
                                        const DialCmdOutput *output);

void           dial_cmd_json_append_string (GString     *json,
                                            const char  *value);

G_END_DECLS
