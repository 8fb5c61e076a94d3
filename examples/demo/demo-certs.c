/* demo-certs.c: the demo's certificates, made at run time
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A certificate authority of the demo's own, and a server certificate it
 * signed for "localhost", 127.0.0.1 and ::1.  Both keys are EC P-256, both
 * certificates last a day, and nothing is read from or kept on disk except
 * the CA's certificate, which the caller writes out for the client.
 */

#include "demo-certs.h"

#include <string.h>
#include <time.h>

#include <gio/gio.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#define LIFETIME_S  (24 * 60 * 60)

/* Allowed clock skew: the certificates are valid from an hour ago. */
#define SKEW_S      (60 * 60)

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)

static gboolean
check (int          ret,
       const char  *what,
       GError     **error)
{
  if (ret >= 0)
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               "Could not %s: %s", what, gnutls_strerror (ret));
  return FALSE;
}

static gboolean
generate_key (gnutls_x509_privkey_t  *key,
              GError                **error)
{
  return check (gnutls_x509_privkey_init (key), "create a key", error) &&
         check (gnutls_x509_privkey_generate (*key, GNUTLS_PK_ECDSA,
                                              GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1),
                                              0),
                "generate a P-256 key", error);
}

/* What every certificate has: version, serial number, validity, subject,
 * public key and the key's identifier. */
static gboolean
set_common_fields (gnutls_x509_crt_t       crt,
                   const char             *subject,
                   gnutls_x509_privkey_t   key,
                   GError                **error)
{
  time_t now = time (NULL);
  guint8 serial[16];
  guint8 key_id[64];
  size_t key_id_size = sizeof key_id;

  if (!check (gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial), "make a serial number", error))
    return FALSE;
  /* Positive, and with no leading zero byte, as DER wants it. */
  serial[0] = 0x40 | (serial[0] & 0x3f);

  return check (gnutls_x509_crt_set_version (crt, 3), "set the version", error) &&
         check (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), "set the serial", error) &&
         check (gnutls_x509_crt_set_activation_time (crt, now - SKEW_S), "set the start", error) &&
         check (gnutls_x509_crt_set_expiration_time (crt, now + LIFETIME_S), "set the end", error) &&
         check (gnutls_x509_crt_set_dn (crt, subject, NULL), "set the subject", error) &&
         check (gnutls_x509_crt_set_key (crt, key), "set the key", error) &&
         check (gnutls_x509_crt_get_key_id (crt, GNUTLS_KEYID_USE_SHA1, key_id, &key_id_size),
                "compute the key identifier", error) &&
         check (gnutls_x509_crt_set_subject_key_id (crt, key_id, key_id_size),
                "set the key identifier", error);
}

static gboolean
make_ca (gnutls_x509_crt_t      *ca,
         gnutls_x509_privkey_t  *ca_key,
         GError                **error)
{
  return generate_key (ca_key, error) &&
         check (gnutls_x509_crt_init (ca), "create a certificate", error) &&
         set_common_fields (*ca, DEMO_CERTS_CA_SUBJECT, *ca_key, error) &&
         check (gnutls_x509_crt_set_basic_constraints (*ca, 1, -1), "make it a CA", error) &&
         check (gnutls_x509_crt_set_key_usage (*ca, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN),
                "set the CA's key usage", error) &&
         check (gnutls_x509_crt_sign2 (*ca, *ca, *ca_key, GNUTLS_DIG_SHA256, 0),
                "self-sign the CA", error);
}

/* Adds the loopback address of @family as an IP address the certificate
 * is good for. */
static gboolean
add_loopback_name (gnutls_x509_crt_t   crt,
                   GSocketFamily       family,
                   GError            **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (family);

  return check (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS,
                                                      g_inet_address_to_bytes (loopback),
                                                      g_inet_address_get_native_size (loopback),
                                                      GNUTLS_FSAN_APPEND),
                "add an IP address", error);
}

/* The names a client may dial the server by. */
static gboolean
add_server_names (gnutls_x509_crt_t   crt,
                  GError            **error)
{
  return check (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME,
                                                      DEMO_CERTS_SERVER_NAME,
                                                      strlen (DEMO_CERTS_SERVER_NAME),
                                                      GNUTLS_FSAN_APPEND),
                "add a DNS name", error) &&
         add_loopback_name (crt, G_SOCKET_FAMILY_IPV4, error) &&
         add_loopback_name (crt, G_SOCKET_FAMILY_IPV6, error);
}

/* Names the CA's key as the one that signed @crt. */
static gboolean
set_issuer_key_id (gnutls_x509_crt_t   crt,
                   gnutls_x509_crt_t   ca,
                   GError            **error)
{
  guint8 key_id[64];
  size_t key_id_size = sizeof key_id;

  return check (gnutls_x509_crt_get_subject_key_id (ca, key_id, &key_id_size, NULL),
                "read the CA's key identifier", error) &&
         check (gnutls_x509_crt_set_authority_key_id (crt, key_id, key_id_size),
                "set the issuer's key identifier", error);
}

static gboolean
make_server (gnutls_x509_crt_t       ca,
             gnutls_x509_privkey_t   ca_key,
             gnutls_x509_crt_t      *server,
             gnutls_x509_privkey_t  *server_key,
             GError                **error)
{
  return generate_key (server_key, error) &&
         check (gnutls_x509_crt_init (server), "create a certificate", error) &&
         set_common_fields (*server, DEMO_CERTS_SERVER_SUBJECT, *server_key, error) &&
         check (gnutls_x509_crt_set_basic_constraints (*server, 0, -1), "make it a leaf", error) &&
         check (gnutls_x509_crt_set_key_usage (*server, GNUTLS_KEY_DIGITAL_SIGNATURE),
                "set the server's key usage", error) &&
         check (gnutls_x509_crt_set_key_purpose_oid (*server, GNUTLS_KP_TLS_WWW_SERVER, 0),
                "make it a TLS server's", error) &&
         add_server_names (*server, error) &&
         set_issuer_key_id (*server, ca, error) &&
         check (gnutls_x509_crt_sign2 (*server, ca, ca_key, GNUTLS_DIG_SHA256, 0),
                "sign the server's certificate", error);
}

static char *
export_pem (gnutls_x509_crt_t   crt,
            GError            **error)
{
  gnutls_datum_t pem = { NULL, 0 };
  char *copy;

  if (!check (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &pem), "export the CA", error))
    return NULL;

  copy = g_strndup ((const char *) pem.data, pem.size);
  gnutls_free (pem.data);
  return copy;
}

/**
 * demo_certs_make:
 * @credentials: where to put the server's certificate and key
 * @ca_pem: (out): the CA's certificate, in PEM, for the client to trust
 * @error: a location for a #GError
 *
 * Makes a new CA, and a server certificate and key it signed, and gives
 * the server's to @credentials (which copies them).
 *
 * Returns: %TRUE, or %FALSE with @error set
 */
gboolean
demo_certs_make (gnutls_certificate_credentials_t   credentials,
                 char                             **ca_pem,
                 GError                           **error)
{
  g_auto(gnutls_x509_privkey_t) ca_key = NULL;
  g_auto(gnutls_x509_crt_t) ca = NULL;
  g_auto(gnutls_x509_privkey_t) server_key = NULL;
  g_auto(gnutls_x509_crt_t) server = NULL;

  if (!make_ca (&ca, &ca_key, error) ||
      !make_server (ca, ca_key, &server, &server_key, error) ||
      !check (gnutls_certificate_set_x509_key (credentials, &server, 1, server_key),
              "load the server's certificate", error))
    return FALSE;

  *ca_pem = export_pem (ca, error);
  return *ca_pem != NULL;
}
