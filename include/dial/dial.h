/* dial.h
 *
 * Copyright 2026 The libdial developers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#define DIAL_INSIDE
# include "dial-version.h"
# include "dial-version-macros.h"
# include "dial-socket-client.h"
# include "dial-environment-proxy-resolver.h"
# include "dial-tls.h"
#undef DIAL_INSIDE
