/* dial-tls.h: certificates and databases for libdial's TLS
 *
 * Copyright 2026 The libdial developers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(DIAL_INSIDE) && !defined(DIAL_COMPILATION)
# error "Only <dial/dial.h> can be included directly."
#endif

#include <gio/gio.h>

#include "dial-version-macros.h"

G_BEGIN_DECLS

DIAL_AVAILABLE_IN_ALL
GTlsCertificate *dial_tls_certificate_new_from_pem       (const gchar  *data,
                                                          gssize        length,
                                                          GError      **error);
DIAL_AVAILABLE_IN_ALL
GTlsCertificate *dial_tls_certificate_new_from_file      (const gchar  *file,
                                                          GError      **error);
DIAL_AVAILABLE_IN_ALL
GTlsCertificate *dial_tls_certificate_new_from_files     (const gchar  *cert_file,
                                                          const gchar  *key_file,
                                                          GError      **error);
DIAL_AVAILABLE_IN_ALL
GList           *dial_tls_certificate_list_new_from_file (const gchar  *file,
                                                          GError      **error);

DIAL_AVAILABLE_IN_ALL
GTlsDatabase    *dial_tls_file_database_new              (const gchar  *anchors,
                                                          GError      **error);
DIAL_AVAILABLE_IN_ALL
GTlsDatabase    *dial_tls_get_default_database           (void);

G_END_DECLS
