/* dial-attempts.h: the connection attempts of one connect, and their
 * sockets
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  DIAL_CMD_ATTEMPT_PENDING,
  DIAL_CMD_ATTEMPT_WON,
  DIAL_CMD_ATTEMPT_LOST,
  DIAL_CMD_ATTEMPT_FAILED,
} DialCmdAttemptOutcome;

typedef struct _DialCmdAttempts DialCmdAttempts;

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
  gint64                 ended;     /* when its socket was closed or released */
  GSocketClientEvent     stage;     /* the furthest event it reached */
  DialCmdAttemptOutcome  outcome;
  char                  *reason;    /* why it failed, when that is known */

  /*< private >*/
  DialCmdAttempts       *owner;
  GSocket               *socket;    /* weak: NULL once finalized */
} DialCmdAttempt;

DialCmdAttempts *dial_cmd_attempts_new             (void);
void             dial_cmd_attempts_free            (DialCmdAttempts *attempts);
DialCmdAttempt  *dial_cmd_attempts_add             (DialCmdAttempts *attempts,
                                                    GIOStream       *stream);
DialCmdAttempt  *dial_cmd_attempts_find            (DialCmdAttempts *attempts,
                                                    GIOStream       *stream);
DialCmdAttempt  *dial_cmd_attempts_find_by_socket  (DialCmdAttempts *attempts,
                                                    GIOStream       *stream);
void             dial_cmd_attempts_set_staged      (DialCmdAttempts *attempts,
                                                    DialCmdAttempt  *attempt);
DialCmdAttempt  *dial_cmd_attempts_get_staged      (DialCmdAttempts *attempts);
void             dial_cmd_attempts_notice_ended    (DialCmdAttempts *attempts);
GPtrArray       *dial_cmd_attempts_get_array       (DialCmdAttempts *attempts);

const char      *dial_cmd_family_name              (GSocketFamily    family);

G_END_DECLS
