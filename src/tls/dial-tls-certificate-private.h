/* dial-tls-certificate-private.h: a GTlsCertificate over gnutls X.509
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

G_BEGIN_DECLS

#define DIAL_TYPE_TLS_CERTIFICATE (dial_tls_certificate_get_type ())

G_DECLARE_FINAL_TYPE (DialTlsCertificate, dial_tls_certificate, DIAL, TLS_CERTIFICATE, GTlsCertificate)

GTlsCertificate      *dial_tls_certificate_new_from_der_chain (const gnutls_datum_t  *certs,
                                                               guint                  n_certs,
                                                               GError               **error);

gnutls_x509_crt_t     dial_tls_certificate_get_crt            (DialTlsCertificate    *self);

gboolean              dial_tls_certificate_get_credentials    (DialTlsCertificate    *self,
                                                               gnutls_pcert_st      **pcerts,
                                                               unsigned int          *n_pcerts,
                                                               gnutls_privkey_t      *key,
                                                               GError               **error);
void                  dial_tls_certificate_free_credentials   (gnutls_pcert_st       *pcerts,
                                                               unsigned int           n_pcerts,
                                                               gnutls_privkey_t       key);

GTlsCertificateFlags  dial_tls_certificate_flags_from_gnutls  (unsigned int           gnutls_verify_status);

GTlsCertificateFlags  dial_tls_certificate_verify_identity    (DialTlsCertificate    *self,
                                                               GSocketConnectable    *identity);

/* Beyond the contract, for the database and the connection. */

GTlsCertificateFlags  dial_tls_crt_verify_identity            (gnutls_x509_crt_t      crt,
                                                               GSocketConnectable    *identity);

gboolean              dial_tls_certificate_export_chain       (GTlsCertificate       *certificate,
                                                               gnutls_x509_crt_t    **chain,
                                                               guint                 *n_chain,
                                                               GError               **error);
void                  dial_tls_crt_list_free                  (gnutls_x509_crt_t     *chain,
                                                               guint                  n_chain);

GTlsCertificate      *dial_tls_certificate_new_from_crt       (gnutls_x509_crt_t      crt,
                                                               GTlsCertificate       *issuer,
                                                               GError               **error);

G_END_DECLS
