/* dial-timeline.h: the attempts as a waterfall, like a browser's network
 * panel
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dial-trace.h"

G_BEGIN_DECLS

void dial_cmd_timeline_draw (DialCmdTrace *trace,
                             int           columns);

int  dial_cmd_timeline_columns (int fd);

G_END_DECLS
