/* dial-relay.h: standard input and output over the connection
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "dial-trace.h"

G_BEGIN_DECLS

typedef struct _DialCmdRelay DialCmdRelay;

typedef void (*DialCmdRelayDone) (const GError *error,
                                  gpointer      user_data);

DialCmdRelay *dial_cmd_relay_start (GSocketConnection *connection,
                                    int                input_fd,
                                    int                output_fd,
                                    DialCmdTrace      *trace,
                                    DialCmdRelayDone   done,
                                    gpointer           user_data);
void          dial_cmd_relay_stop  (DialCmdRelay      *relay);
void          dial_cmd_relay_free  (DialCmdRelay      *relay);

G_END_DECLS
