/* dial-tls-database-private.h: a GTlsDatabase over a gnutls trust list
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

G_BEGIN_DECLS

#define DIAL_TYPE_TLS_DATABASE (dial_tls_database_get_type ())

G_DECLARE_FINAL_TYPE (DialTlsDatabase, dial_tls_database, DIAL, TLS_DATABASE, GTlsDatabase)

GTlsDatabase                    *dial_tls_database_new_system       (GError          **error);
GTlsDatabase                    *dial_tls_database_new_file         (const char       *anchors,
                                                                     GError          **error);
GTlsDatabase                    *dial_tls_database_get_default      (void);

/* Beyond the contract, for the connection. */

gnutls_x509_trust_list_t         dial_tls_database_get_trust_list   (DialTlsDatabase  *self);
gnutls_certificate_credentials_t dial_tls_database_get_credentials  (DialTlsDatabase  *self,
                                                                     GError          **error);

G_END_DECLS
