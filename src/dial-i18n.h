/* dial-i18n.h: message catalogs
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

/* Messages that GIO also produces are looked up in GLib's own catalog, so
 * that a localized libdial error reads exactly like the localized GIO one. */
#define GIO_(String) g_dgettext ("glib20", String)
