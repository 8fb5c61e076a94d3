/* dial-version-macros.h
 *
 * Copyright 2026 The libdial developers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(DIAL_INSIDE) && !defined(DIAL_COMPILATION)
# error "Only <dial/dial.h> can be included directly."
#endif

#include <glib.h>

#include "dial-version.h"

#ifndef _DIAL_EXTERN
# define _DIAL_EXTERN __attribute__((visibility("default"))) extern
#endif

/**
 * DIAL_DEPRECATED:
 *
 * Marks a symbol as deprecated. Define `DIAL_DISABLE_DEPRECATION_WARNINGS`
 * before including `<dial/dial.h>` to silence the compiler's warnings.
 */

/**
 * DIAL_DEPRECATED_FOR:
 * @f: the symbol to use instead
 *
 * Marks a symbol as deprecated in favour of @f. Define
 * `DIAL_DISABLE_DEPRECATION_WARNINGS` before including `<dial/dial.h>` to
 * silence the compiler's warnings.
 */
#ifdef DIAL_DISABLE_DEPRECATION_WARNINGS
# define DIAL_DEPRECATED _DIAL_EXTERN
# define DIAL_DEPRECATED_FOR(f) _DIAL_EXTERN
#else
# define DIAL_DEPRECATED G_DEPRECATED _DIAL_EXTERN
# define DIAL_DEPRECATED_FOR(f) G_DEPRECATED_FOR(f) _DIAL_EXTERN
#endif

/**
 * DIAL_AVAILABLE_IN_ALL:
 *
 * Marks a symbol that is exported by every version of libdial.
 */
#define DIAL_AVAILABLE_IN_ALL _DIAL_EXTERN

/**
 * DIAL_DEPRECATED_IN_ALL:
 *
 * Marks a symbol that every version of libdial exports, but which is
 * deprecated, mirroring a deprecation in GIO.
 */
#define DIAL_DEPRECATED_IN_ALL DIAL_DEPRECATED
