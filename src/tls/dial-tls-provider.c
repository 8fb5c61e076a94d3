/* dial-tls-provider.c: which TLS implementation this process uses
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "dial-tls-provider.h"

static DialTlsProvider
choose_automatically (void)
{
  /* A real backend (glib-networking, or another module) is what GIO's own
   * GSocketClient would use; ours only fills the gap where there is none. */
  if (g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    return DIAL_TLS_PROVIDER_GIO;

  return DIAL_TLS_PROVIDER_BUILTIN;
}

static DialTlsProvider
choose (void)
{
  const char *value = g_getenv ("DIAL_TLS_PROVIDER");

  if (value == NULL || *value == '\0' || g_str_equal (value, "auto"))
    return choose_automatically ();
  if (g_str_equal (value, "builtin"))
    return DIAL_TLS_PROVIDER_BUILTIN;
  if (g_str_equal (value, "gio"))
    return DIAL_TLS_PROVIDER_GIO;

  g_warning ("Unknown DIAL_TLS_PROVIDER value “%s” (expected builtin, gio or auto); "
             "choosing automatically", value);
  return choose_automatically ();
}

/*
 * dial_tls_provider_get:
 *
 * Returns the TLS provider of this process. It is chosen on the first call,
 * from the `DIAL_TLS_PROVIDER` environment variable (`builtin`, `gio` or
 * `auto`, the default), and never changes afterwards, so that certificates,
 * databases and connections made by libdial always belong together.
 *
 * Returns: the provider
 */
DialTlsProvider
dial_tls_provider_get (void)
{
  static gsize provider = 0;

  /* Stored plus one, because g_once_init_leave() refuses zero. */
  if (g_once_init_enter (&provider))
    g_once_init_leave (&provider, (gsize) choose () + 1);

  return (DialTlsProvider) (provider - 1);
}
