/* demo-certs.h: the demo's certificates, made at run time
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>
#include <gnutls/gnutls.h>

G_BEGIN_DECLS

/* The name the server's certificate is good for (with 127.0.0.1 and ::1). */
#define DEMO_CERTS_SERVER_NAME    "localhost"

/* The subjects, as gnutls_x509_crt_set_dn () takes them: in the order of
 * the certificate, which the usual notation (RFC 4514) reverses, so that
 * GIO shows "CN=localhost,O=libdial demo". */
#define DEMO_CERTS_SERVER_SUBJECT "O=libdial demo,CN=localhost"
#define DEMO_CERTS_CA_SUBJECT     "O=libdial demo,CN=libdial demo CA"

gboolean demo_certs_make (gnutls_certificate_credentials_t   credentials,
                          char                             **ca_pem,
                          GError                           **error);

G_END_DECLS
