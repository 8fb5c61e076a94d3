/* dial-tls-certificate.c: a GTlsCertificate over gnutls X.509
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <gnutls/pkcs12.h>

#include "dial-tls-certificate-private.h"

/* Messages glib-networking also produces are looked up in its catalog, so
 * that a localized error reads as it would with GIO's backend. */
#define GN_(String) g_dgettext ("glib-networking", String)

/* A chain longer than this is a loop or an attack; real ones have 2 to 5. */
#define MAX_CHAIN_LENGTH 32

/*
 * DialTlsCertificate:
 *
 * A certificate, its optional private key and its issuer. The certificate
 * is parsed once, in GInitable init, from whichever construct property was
 * given (DER, PEM, PKCS #12 or a PKCS #11 URI); a failure there is a
 * G_TLS_ERROR_BAD_CERTIFICATE, as with glib-networking. Every property of
 * GTlsCertificate is overridden, because the base class only warns.
 */
struct _DialTlsCertificate
{
  GTlsCertificate        parent_instance;

  gnutls_x509_crt_t      crt;
  gnutls_x509_privkey_t  key;
  GTlsCertificate       *issuer;
  char                  *pkcs11_uri;
  char                  *private_key_pkcs11_uri;

  /* Construct-time input, dropped by init. */
  GByteArray            *der;
  char                  *pem;
  GByteArray            *key_der;
  char                  *key_pem;
  GByteArray            *pkcs12_data;
  char                  *password;
};

static void dial_tls_certificate_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DialTlsCertificate, dial_tls_certificate, G_TYPE_TLS_CERTIFICATE,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      dial_tls_certificate_initable_iface_init))

enum {
  PROP_0,
  PROP_CERTIFICATE,
  PROP_CERTIFICATE_PEM,
  PROP_PRIVATE_KEY,
  PROP_PRIVATE_KEY_PEM,
  PROP_ISSUER,
  PROP_PKCS11_URI,
  PROP_PRIVATE_KEY_PKCS11_URI,
  PROP_NOT_VALID_BEFORE,
  PROP_NOT_VALID_AFTER,
  PROP_SUBJECT_NAME,
  PROP_ISSUER_NAME,
  PROP_DNS_NAMES,
  PROP_IP_ADDRESSES,
  PROP_PKCS12_DATA,
  PROP_PASSWORD,
  N_PROPS
};

/* ------------------------------------------------------------------ */
/* Pure helpers                                                         */

static const struct {
  unsigned int          gnutls_bits;
  GTlsCertificateFlags  flag;
} status_map[] = {
  { GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA, G_TLS_CERTIFICATE_UNKNOWN_CA },
  { GNUTLS_CERT_NOT_ACTIVATED,                                G_TLS_CERTIFICATE_NOT_ACTIVATED },
  { GNUTLS_CERT_EXPIRED,                                      G_TLS_CERTIFICATE_EXPIRED },
  { GNUTLS_CERT_REVOKED,                                      G_TLS_CERTIFICATE_REVOKED },
  { GNUTLS_CERT_INSECURE_ALGORITHM,                           G_TLS_CERTIFICATE_INSECURE },
  { GNUTLS_CERT_UNEXPECTED_OWNER,                             G_TLS_CERTIFICATE_BAD_IDENTITY },
};

/*
 * dial_tls_certificate_flags_from_gnutls:
 * @gnutls_verify_status: a gnutls_certificate_status_t bit set
 *
 * Maps a gnutls verification status to GIO's flags, as glib-networking
 * does: the bits with a GIO counterpart map to it, any other bit means
 * %G_TLS_CERTIFICATE_GENERIC_ERROR, and GNUTLS_CERT_INVALID, which gnutls
 * sets beside every failure, only counts when it is alone.
 *
 * Returns: the flags; 0 for a status of 0
 */
GTlsCertificateFlags
dial_tls_certificate_flags_from_gnutls (unsigned int gnutls_verify_status)
{
  GTlsCertificateFlags flags = 0;
  unsigned int unmapped = gnutls_verify_status & ~GNUTLS_CERT_INVALID;

  if (gnutls_verify_status == 0)
    return 0;

  for (gsize i = 0; i < G_N_ELEMENTS (status_map); i++)
    {
      if (gnutls_verify_status & status_map[i].gnutls_bits)
        flags |= status_map[i].flag;
      unmapped &= ~status_map[i].gnutls_bits;
    }

  if (unmapped != 0 || flags == 0)
    flags |= G_TLS_CERTIFICATE_GENERIC_ERROR;

  return flags;
}

/* The name a certificate must carry for @identity, or NULL for an
 * identity that names no host. */
static char *
identity_to_name (GSocketConnectable *identity)
{
  const char *name = NULL;

  if (G_IS_NETWORK_ADDRESS (identity))
    name = g_network_address_get_hostname (G_NETWORK_ADDRESS (identity));
  else if (G_IS_NETWORK_SERVICE (identity))
    name = g_network_service_get_domain (G_NETWORK_SERVICE (identity));
  else if (G_IS_INET_SOCKET_ADDRESS (identity))
    return g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (identity)));

  if (name == NULL || *name == '\0')
    return NULL;

  /* A trailing dot is kept: glib-networking does not match "example.com."
   * against "example.com" either, and both providers must agree. */
  return g_strdup (name);
}

/*
 * dial_tls_crt_verify_identity:
 * @crt: a certificate
 * @identity: the identity it must match
 *
 * Checks a host name against the DNS names (with RFC 6125 wildcards) and an
 * IP literal against the IP addresses of @crt.
 *
 * Returns: 0, or %G_TLS_CERTIFICATE_BAD_IDENTITY
 */
GTlsCertificateFlags
dial_tls_crt_verify_identity (gnutls_x509_crt_t   crt,
                              GSocketConnectable *identity)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (crt != NULL, G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_return_val_if_fail (G_IS_SOCKET_CONNECTABLE (identity), G_TLS_CERTIFICATE_BAD_IDENTITY);

  name = identity_to_name (identity);
  if (name == NULL)
    return G_TLS_CERTIFICATE_BAD_IDENTITY;

  if (gnutls_x509_crt_check_hostname2 (crt, name, 0))
    return 0;

  return G_TLS_CERTIFICATE_BAD_IDENTITY;
}

static GByteArray *
byte_array_from_datum (const gnutls_datum_t *datum)
{
  GByteArray *array = g_byte_array_sized_new (datum->size);

  g_byte_array_append (array, datum->data, datum->size);
  return array;
}

static char *
string_from_datum (const gnutls_datum_t *datum)
{
  return g_strndup ((const char *) datum->data, datum->size);
}

static gboolean
crt_is_self_issued (gnutls_x509_crt_t crt)
{
  return gnutls_x509_crt_check_issuer (crt, crt) != 0;
}

void
dial_tls_crt_list_free (gnutls_x509_crt_t *chain,
                        guint              n_chain)
{
  if (chain == NULL)
    return;

  for (guint i = 0; i < n_chain; i++)
    {
      if (chain[i] != NULL)
        gnutls_x509_crt_deinit (chain[i]);
    }
  g_free (chain);
}

static gnutls_x509_crt_t
crt_from_certificate (GTlsCertificate  *certificate,
                      GError          **error)
{
  g_autoptr(GByteArray) der = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t datum;
  int ret;

  /* The generic property, so that a certificate of another backend works
   * as well as ours. */
  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                           GN_("No certificate data provided"));
      return NULL;
    }

  datum.data = der->data;
  datum.size = der->len;
  gnutls_x509_crt_init (&crt);
  ret = gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER);
  if (ret < 0)
    {
      gnutls_x509_crt_deinit (crt);
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   GN_("Could not parse DER certificate: %s"), gnutls_strerror (ret));
      return NULL;
    }

  return crt;
}

/*
 * dial_tls_certificate_export_chain:
 * @certificate: a certificate of any TLS backend
 * @chain: (out): the certificate followed by its issuers, as new copies
 * @n_chain: (out): the length of @chain
 * @error: a location for a #GError
 *
 * Flattens the issuer links of @certificate into an array for gnutls. The
 * caller frees it with dial_tls_crt_list_free().
 */
gboolean
dial_tls_certificate_export_chain (GTlsCertificate    *certificate,
                                   gnutls_x509_crt_t **chain,
                                   guint              *n_chain,
                                   GError            **error)
{
  g_autoptr(GPtrArray) crts = NULL;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), FALSE);

  crts = g_ptr_array_new_with_free_func ((GDestroyNotify) gnutls_x509_crt_deinit);

  for (GTlsCertificate *cert = certificate;
       cert != NULL && crts->len < MAX_CHAIN_LENGTH;
       cert = g_tls_certificate_get_issuer (cert))
    {
      gnutls_x509_crt_t crt = crt_from_certificate (cert, error);

      if (crt == NULL)
        return FALSE;
      g_ptr_array_add (crts, crt);
    }

  *n_chain = crts->len;
  g_ptr_array_set_free_func (crts, NULL);
  *chain = (gnutls_x509_crt_t *) g_ptr_array_free (g_steal_pointer (&crts), FALSE);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Parsing at construction                                              */

static gboolean
import_certificate (DialTlsCertificate  *self,
                    GError             **error)
{
  gnutls_datum_t datum;
  int ret;

  gnutls_x509_crt_init (&self->crt);

  if (self->der != NULL)
    {
      datum.data = self->der->data;
      datum.size = self->der->len;
      ret = gnutls_x509_crt_import (self->crt, &datum, GNUTLS_X509_FMT_DER);
      if (ret < 0)
        {
          g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                       GN_("Could not parse DER certificate: %s"), gnutls_strerror (ret));
          return FALSE;
        }
    }
  else if (self->pem != NULL)
    {
      datum.data = (unsigned char *) self->pem;
      datum.size = strlen (self->pem);
      ret = gnutls_x509_crt_import (self->crt, &datum, GNUTLS_X509_FMT_PEM);
      if (ret < 0)
        {
          g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                       GN_("Could not parse PEM certificate: %s"), gnutls_strerror (ret));
          return FALSE;
        }
    }
  else if (self->pkcs11_uri != NULL)
    {
      ret = gnutls_x509_crt_import_url (self->crt, self->pkcs11_uri, 0);
      if (ret < 0)
        {
          g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                       GN_("Could not import PKCS #11 certificate URI: %s"), gnutls_strerror (ret));
          return FALSE;
        }
    }
  else
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                           GN_("No certificate data provided"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
import_private_key (DialTlsCertificate  *self,
                    GError             **error)
{
  gnutls_datum_t datum;
  gnutls_x509_crt_fmt_t format;
  int ret;

  if (self->key_der != NULL)
    {
      datum.data = self->key_der->data;
      datum.size = self->key_der->len;
      format = GNUTLS_X509_FMT_DER;
    }
  else if (self->key_pem != NULL)
    {
      datum.data = (unsigned char *) self->key_pem;
      datum.size = strlen (self->key_pem);
      format = GNUTLS_X509_FMT_PEM;
    }
  else
    return TRUE;

  /* import2 takes PKCS #8 as well as the PKCS #1 and SEC1 forms; an
   * encrypted PKCS #8 key needs the password property. */
  gnutls_x509_privkey_init (&self->key);
  ret = gnutls_x509_privkey_import2 (self->key, &datum, format, self->password,
                                     self->password != NULL ? 0 : GNUTLS_PKCS_PLAIN);
  if (ret < 0)
    {
      gnutls_x509_privkey_deinit (self->key);
      self->key = NULL;
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   format == GNUTLS_X509_FMT_DER ?
                     GN_("Could not parse DER private key: %s") :
                     GN_("Could not parse PEM private key: %s"),
                   gnutls_strerror (ret));
      return FALSE;
    }

  return TRUE;
}

static gboolean
import_pkcs12 (DialTlsCertificate  *self,
               GError             **error)
{
  gnutls_pkcs12_t p12 = NULL;
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t *chain = NULL;
  unsigned int n_chain = 0;
  gnutls_datum_t datum;
  GTlsCertificate *issuer = NULL;
  gboolean ok = FALSE;
  int ret;

  datum.data = self->pkcs12_data->data;
  datum.size = self->pkcs12_data->len;

  gnutls_pkcs12_init (&p12);
  ret = gnutls_pkcs12_import (p12, &datum, GNUTLS_X509_FMT_DER, 0);
  if (ret < 0)
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   GN_("Failed to import PKCS #12: %s"), gnutls_strerror (ret));
      goto out;
    }

  ret = gnutls_pkcs12_simple_parse (p12, self->password, &key, &chain, &n_chain,
                                    NULL, NULL, NULL, 0);
  if (ret == GNUTLS_E_DECRYPTION_FAILED || ret == GNUTLS_E_MAC_VERIFY_FAILED)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE_PASSWORD,
                           self->password == NULL ?
                             GN_("Certificate requires a password") :
                             GN_("Password is incorrect"));
      goto out;
    }
  if (ret < 0 || n_chain == 0)
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   GN_("Failed to import PKCS #12: %s"),
                   gnutls_strerror (ret < 0 ? ret : GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE));
      goto out;
    }

  /* gnutls returns the chain leaf first; link every certificate that
   * really issued the one before it, from the top down. */
  {
    guint len = 1;

    while (len < n_chain && !crt_is_self_issued (chain[len - 1]) &&
           gnutls_x509_crt_check_issuer (chain[len - 1], chain[len]))
      len++;

    for (guint i = len - 1; i >= 1; i--)
      {
        GTlsCertificate *cert = dial_tls_certificate_new_from_crt (chain[i], issuer, error);

        g_clear_object (&issuer);
        if (cert == NULL)
          goto out;
        issuer = cert;
      }
  }

  self->crt = g_steal_pointer (&chain[0]);
  self->key = g_steal_pointer (&key);
  self->issuer = g_steal_pointer (&issuer);
  ok = TRUE;

out:
  g_clear_object (&issuer);
  if (chain != NULL)
    {
      for (guint i = 0; i < n_chain; i++)
        {
          if (chain[i] != NULL)
            gnutls_x509_crt_deinit (chain[i]);
        }
      gnutls_free (chain);
    }
  if (key != NULL)
    gnutls_x509_privkey_deinit (key);
  gnutls_pkcs12_deinit (p12);
  return ok;
}

static gboolean
dial_tls_certificate_initable_init (GInitable     *initable,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  DialTlsCertificate *self = DIAL_TLS_CERTIFICATE (initable);
  gboolean ok;

  if (self->crt != NULL)
    return TRUE;

  if (self->pkcs12_data != NULL)
    ok = import_pkcs12 (self, error);
  else
    ok = import_certificate (self, error) && import_private_key (self, error);

  g_clear_pointer (&self->der, g_byte_array_unref);
  g_clear_pointer (&self->pem, g_free);
  g_clear_pointer (&self->key_der, g_byte_array_unref);
  g_clear_pointer (&self->key_pem, g_free);
  g_clear_pointer (&self->pkcs12_data, g_byte_array_unref);
  g_clear_pointer (&self->password, g_free);

  if (!ok && self->crt != NULL)
    {
      gnutls_x509_crt_deinit (self->crt);
      self->crt = NULL;
    }

  return ok;
}

static void
dial_tls_certificate_initable_iface_init (GInitableIface *iface)
{
  iface->init = dial_tls_certificate_initable_init;
}

/* ------------------------------------------------------------------ */
/* Properties                                                           */

static GByteArray *
export_der (DialTlsCertificate *self)
{
  gnutls_datum_t datum = { NULL, 0 };
  GByteArray *array;

  if (self->crt == NULL || gnutls_x509_crt_export2 (self->crt, GNUTLS_X509_FMT_DER, &datum) < 0)
    return NULL;

  array = byte_array_from_datum (&datum);
  gnutls_free (datum.data);
  return array;
}

static char *
export_pem (DialTlsCertificate *self)
{
  gnutls_datum_t datum = { NULL, 0 };
  char *pem;

  if (self->crt == NULL || gnutls_x509_crt_export2 (self->crt, GNUTLS_X509_FMT_PEM, &datum) < 0)
    return NULL;

  pem = string_from_datum (&datum);
  gnutls_free (datum.data);
  return pem;
}

/* The key as unencrypted PKCS #8, the form GIO documents. */
static gboolean
export_key (DialTlsCertificate    *self,
            gnutls_x509_crt_fmt_t  format,
            gnutls_datum_t        *out)
{
  if (self->key == NULL)
    return FALSE;

  return gnutls_x509_privkey_export2_pkcs8 (self->key, format, NULL, GNUTLS_PKCS_PLAIN, out) >= 0;
}

static GDateTime *
date_time_from_time (time_t t)
{
  if (t == (time_t) -1)
    return NULL;

  return g_date_time_new_from_unix_utc (t);
}

static char *
get_dn (DialTlsCertificate *self,
        gboolean            issuer)
{
  gnutls_datum_t datum = { NULL, 0 };
  char *dn;
  int ret;

  if (self->crt == NULL)
    return NULL;

  /* In the order of the certificate, most significant first ("O=…,CN=…"),
   * as glib-networking gives them; RFC 4514's order is the reverse. */
  if (issuer)
    ret = gnutls_x509_crt_get_issuer_dn3 (self->crt, &datum, GNUTLS_X509_DN_FLAG_COMPAT);
  else
    ret = gnutls_x509_crt_get_dn3 (self->crt, &datum, GNUTLS_X509_DN_FLAG_COMPAT);
  if (ret < 0)
    return NULL;

  dn = string_from_datum (&datum);
  gnutls_free (datum.data);
  return dn;
}

/* The subject alternative names of type @san_type, as GBytes for DNS names
 * and GInetAddress for IP addresses. */
static GPtrArray *
get_subject_alt_names (DialTlsCertificate    *self,
                       gnutls_x509_subject_alt_name_t  san_type)
{
  GPtrArray *names;

  if (self->crt == NULL)
    return NULL;

  if (san_type == GNUTLS_SAN_IPADDRESS)
    names = g_ptr_array_new_with_free_func (g_object_unref);
  else
    names = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (unsigned int i = 0; ; i++)
    {
      g_autofree guint8 *buffer = NULL;
      size_t size = 0;
      unsigned int type;
      int ret;

      ret = gnutls_x509_crt_get_subject_alt_name2 (self->crt, i, NULL, &size, &type, NULL);
      if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        break;
      if (ret != GNUTLS_E_SHORT_MEMORY_BUFFER || type != san_type)
        continue;

      buffer = g_malloc0 (size + 1);
      ret = gnutls_x509_crt_get_subject_alt_name2 (self->crt, i, buffer, &size, &type, NULL);
      if (ret < 0)
        continue;

      if (san_type == GNUTLS_SAN_IPADDRESS)
        {
          if (size == 4)
            g_ptr_array_add (names, g_inet_address_new_from_bytes (buffer, G_SOCKET_FAMILY_IPV4));
          else if (size == 16)
            g_ptr_array_add (names, g_inet_address_new_from_bytes (buffer, G_SOCKET_FAMILY_IPV6));
        }
      else
        g_ptr_array_add (names, g_bytes_new (buffer, size));
    }

  return names;
}

static void
dial_tls_certificate_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  DialTlsCertificate *self = DIAL_TLS_CERTIFICATE (object);
  gnutls_datum_t datum = { NULL, 0 };

  switch (prop_id)
    {
    case PROP_CERTIFICATE:
      g_value_take_boxed (value, export_der (self));
      break;

    case PROP_CERTIFICATE_PEM:
      g_value_take_string (value, export_pem (self));
      break;

    case PROP_PRIVATE_KEY:
      if (export_key (self, GNUTLS_X509_FMT_DER, &datum))
        {
          g_value_take_boxed (value, byte_array_from_datum (&datum));
          gnutls_free (datum.data);
        }
      break;

    case PROP_PRIVATE_KEY_PEM:
      if (export_key (self, GNUTLS_X509_FMT_PEM, &datum))
        {
          g_value_take_string (value, string_from_datum (&datum));
          gnutls_free (datum.data);
        }
      break;

    case PROP_ISSUER:
      g_value_set_object (value, self->issuer);
      break;

    case PROP_PKCS11_URI:
      g_value_set_string (value, self->pkcs11_uri);
      break;

    case PROP_PRIVATE_KEY_PKCS11_URI:
      g_value_set_string (value, self->private_key_pkcs11_uri);
      break;

    case PROP_NOT_VALID_BEFORE:
      if (self->crt != NULL)
        g_value_take_boxed (value, date_time_from_time (gnutls_x509_crt_get_activation_time (self->crt)));
      break;

    case PROP_NOT_VALID_AFTER:
      if (self->crt != NULL)
        g_value_take_boxed (value, date_time_from_time (gnutls_x509_crt_get_expiration_time (self->crt)));
      break;

    case PROP_SUBJECT_NAME:
      g_value_take_string (value, get_dn (self, FALSE));
      break;

    case PROP_ISSUER_NAME:
      g_value_take_string (value, get_dn (self, TRUE));
      break;

    case PROP_DNS_NAMES:
      g_value_take_boxed (value, get_subject_alt_names (self, GNUTLS_SAN_DNSNAME));
      break;

    case PROP_IP_ADDRESSES:
      g_value_take_boxed (value, get_subject_alt_names (self, GNUTLS_SAN_IPADDRESS));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dial_tls_certificate_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  DialTlsCertificate *self = DIAL_TLS_CERTIFICATE (object);
  GByteArray *bytes;

  switch (prop_id)
    {
    case PROP_CERTIFICATE:
      bytes = g_value_get_boxed (value);
      g_clear_pointer (&self->der, g_byte_array_unref);
      if (bytes != NULL)
        self->der = g_byte_array_ref (bytes);
      break;

    case PROP_CERTIFICATE_PEM:
      g_free (self->pem);
      self->pem = g_value_dup_string (value);
      break;

    case PROP_PRIVATE_KEY:
      bytes = g_value_get_boxed (value);
      g_clear_pointer (&self->key_der, g_byte_array_unref);
      if (bytes != NULL)
        self->key_der = g_byte_array_ref (bytes);
      break;

    case PROP_PRIVATE_KEY_PEM:
      g_free (self->key_pem);
      self->key_pem = g_value_dup_string (value);
      break;

    case PROP_ISSUER:
      g_set_object (&self->issuer, g_value_get_object (value));
      break;

    case PROP_PKCS11_URI:
      g_free (self->pkcs11_uri);
      self->pkcs11_uri = g_value_dup_string (value);
      break;

    case PROP_PRIVATE_KEY_PKCS11_URI:
      g_free (self->private_key_pkcs11_uri);
      self->private_key_pkcs11_uri = g_value_dup_string (value);
      break;

    case PROP_PKCS12_DATA:
      bytes = g_value_get_boxed (value);
      g_clear_pointer (&self->pkcs12_data, g_byte_array_unref);
      if (bytes != NULL)
        self->pkcs12_data = g_byte_array_ref (bytes);
      break;

    case PROP_PASSWORD:
      g_free (self->password);
      self->password = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* ------------------------------------------------------------------ */
/* GTlsCertificate                                                      */

/*
 * Given @trusted_ca, checks that the chain leads to it and that its
 * certificates are within their validity periods, as far as gnutls looks;
 * given @identity, checks the leaf against it.
 */
static GTlsCertificateFlags
dial_tls_certificate_verify (GTlsCertificate    *certificate,
                             GSocketConnectable *identity,
                             GTlsCertificate    *trusted_ca)
{
  DialTlsCertificate *self = DIAL_TLS_CERTIFICATE (certificate);
  gnutls_x509_crt_t *chain = NULL;
  guint n_chain = 0;
  GTlsCertificateFlags flags = 0;

  if (self->crt == NULL)
    return G_TLS_CERTIFICATE_GENERIC_ERROR;

  if (!dial_tls_certificate_export_chain (certificate, &chain, &n_chain, NULL))
    return G_TLS_CERTIFICATE_GENERIC_ERROR;

  if (trusted_ca != NULL)
    {
      gnutls_x509_crt_t ca = crt_from_certificate (trusted_ca, NULL);
      unsigned int status = 0;

      /* gnutls checks the times, as with glib-networking: it reports
       * what it finds first, so a CA out of its validity period hides an
       * unknown issuer, and a certificate not yet valid is not also
       * reported expired.  GIO's PEM parsing, which links a chain unless
       * this says UNKNOWN_CA, then links the same chains. */
      if (ca == NULL ||
          gnutls_x509_crt_list_verify (chain, n_chain, &ca, 1, NULL, 0, 0, &status) < 0)
        flags |= G_TLS_CERTIFICATE_GENERIC_ERROR;
      else
        flags |= dial_tls_certificate_flags_from_gnutls (status);

      if (ca != NULL)
        gnutls_x509_crt_deinit (ca);
    }

  if (identity != NULL)
    flags |= dial_tls_crt_verify_identity (self->crt, identity);

  dial_tls_crt_list_free (chain, n_chain);
  return flags;
}

static void
dial_tls_certificate_finalize (GObject *object)
{
  DialTlsCertificate *self = DIAL_TLS_CERTIFICATE (object);

  if (self->crt != NULL)
    gnutls_x509_crt_deinit (self->crt);
  if (self->key != NULL)
    gnutls_x509_privkey_deinit (self->key);
  g_clear_object (&self->issuer);
  g_free (self->pkcs11_uri);
  g_free (self->private_key_pkcs11_uri);
  g_clear_pointer (&self->der, g_byte_array_unref);
  g_free (self->pem);
  g_clear_pointer (&self->key_der, g_byte_array_unref);
  g_free (self->key_pem);
  g_clear_pointer (&self->pkcs12_data, g_byte_array_unref);
  g_free (self->password);

  G_OBJECT_CLASS (dial_tls_certificate_parent_class)->finalize (object);
}

static void
dial_tls_certificate_class_init (DialTlsCertificateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GTlsCertificateClass *certificate_class = G_TLS_CERTIFICATE_CLASS (klass);

  object_class->get_property = dial_tls_certificate_get_property;
  object_class->set_property = dial_tls_certificate_set_property;
  object_class->finalize = dial_tls_certificate_finalize;

  certificate_class->verify = dial_tls_certificate_verify;

  g_object_class_override_property (object_class, PROP_CERTIFICATE, "certificate");
  g_object_class_override_property (object_class, PROP_CERTIFICATE_PEM, "certificate-pem");
  g_object_class_override_property (object_class, PROP_PRIVATE_KEY, "private-key");
  g_object_class_override_property (object_class, PROP_PRIVATE_KEY_PEM, "private-key-pem");
  g_object_class_override_property (object_class, PROP_ISSUER, "issuer");
  g_object_class_override_property (object_class, PROP_PKCS11_URI, "pkcs11-uri");
  g_object_class_override_property (object_class, PROP_PRIVATE_KEY_PKCS11_URI, "private-key-pkcs11-uri");
  g_object_class_override_property (object_class, PROP_NOT_VALID_BEFORE, "not-valid-before");
  g_object_class_override_property (object_class, PROP_NOT_VALID_AFTER, "not-valid-after");
  g_object_class_override_property (object_class, PROP_SUBJECT_NAME, "subject-name");
  g_object_class_override_property (object_class, PROP_ISSUER_NAME, "issuer-name");
  g_object_class_override_property (object_class, PROP_DNS_NAMES, "dns-names");
  g_object_class_override_property (object_class, PROP_IP_ADDRESSES, "ip-addresses");
  g_object_class_override_property (object_class, PROP_PKCS12_DATA, "pkcs12-data");
  g_object_class_override_property (object_class, PROP_PASSWORD, "password");
}

static void
dial_tls_certificate_init (DialTlsCertificate *self)
{
}

/* ------------------------------------------------------------------ */
/* Internal API                                                         */

/*
 * dial_tls_certificate_new_from_crt:
 * @crt: a certificate, copied
 * @issuer: (nullable): its issuer
 * @error: a location for a #GError
 *
 * Returns: (transfer full): a new #DialTlsCertificate
 */
GTlsCertificate *
dial_tls_certificate_new_from_crt (gnutls_x509_crt_t   crt,
                                   GTlsCertificate    *issuer,
                                   GError            **error)
{
  g_autoptr(GByteArray) der = NULL;
  gnutls_datum_t datum = { NULL, 0 };
  int ret;

  g_return_val_if_fail (crt != NULL, NULL);
  g_return_val_if_fail (issuer == NULL || G_IS_TLS_CERTIFICATE (issuer), NULL);

  ret = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &datum);
  if (ret < 0)
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   GN_("Could not parse DER certificate: %s"), gnutls_strerror (ret));
      return NULL;
    }
  der = byte_array_from_datum (&datum);
  gnutls_free (datum.data);

  return g_initable_new (DIAL_TYPE_TLS_CERTIFICATE, NULL, error,
                         "certificate", der,
                         "issuer", issuer,
                         NULL);
}

/*
 * dial_tls_certificate_new_from_der_chain:
 * @certs: (array length=n_certs): DER certificates, the leaf first
 * @n_certs: the length of @certs, at least 1
 * @error: a location for a #GError
 *
 * Builds a peer's chain, as gnutls_certificate_get_peers() returns it. In
 * a well-formed chain each certificate is issued by the next one; servers
 * also send them out of order, with duplicates or with unrelated extras,
 * so each issuer is looked for in the whole list when the next one is not
 * it. A self-issued certificate ends the chain, and no certificate is used
 * twice, so there are no cycles.
 *
 * Returns: (transfer full): the leaf, with #GTlsCertificate:issuer linked
 */
GTlsCertificate *
dial_tls_certificate_new_from_der_chain (const gnutls_datum_t  *certs,
                                         guint                  n_certs,
                                         GError               **error)
{
  gnutls_x509_crt_t *crts;
  g_autofree guint *order = NULL;
  g_autofree gboolean *used = NULL;
  GTlsCertificate *cert = NULL;
  guint len = 1;

  g_return_val_if_fail (certs != NULL, NULL);
  g_return_val_if_fail (n_certs > 0, NULL);

  crts = g_new0 (gnutls_x509_crt_t, n_certs);
  for (guint i = 0; i < n_certs; i++)
    {
      int ret;

      gnutls_x509_crt_init (&crts[i]);
      ret = gnutls_x509_crt_import (crts[i], &certs[i], GNUTLS_X509_FMT_DER);
      if (ret < 0)
        {
          g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                       GN_("Could not parse DER certificate: %s"), gnutls_strerror (ret));
          dial_tls_crt_list_free (crts, n_certs);
          return NULL;
        }
    }

  order = g_new0 (guint, n_certs);
  used = g_new0 (gboolean, n_certs);
  order[0] = 0;
  for (guint j = 0; j < n_certs; j++)
    used[j] = gnutls_x509_crt_equals (crts[j], crts[0]);

  while (len < n_certs && len < MAX_CHAIN_LENGTH)
    {
      guint current = order[len - 1];
      guint next = G_MAXUINT;

      if (crt_is_self_issued (crts[current]))
        break;

      if (current + 1 < n_certs && !used[current + 1] &&
          gnutls_x509_crt_check_issuer (crts[current], crts[current + 1]))
        next = current + 1;

      for (guint j = 0; next == G_MAXUINT && j < n_certs; j++)
        {
          if (!used[j] && gnutls_x509_crt_check_issuer (crts[current], crts[j]))
            next = j;
        }

      if (next == G_MAXUINT)
        break;

      order[len++] = next;
      used[next] = TRUE;

      /* Copies of a certificate already in the chain would close a loop. */
      for (guint j = 0; j < n_certs; j++)
        {
          if (!used[j] && gnutls_x509_crt_equals (crts[j], crts[next]))
            used[j] = TRUE;
        }
    }

  /* Issuers are construct-only, so build from the top down. */
  for (guint i = len; i > 0; i--)
    {
      GTlsCertificate *issuer = cert;

      cert = dial_tls_certificate_new_from_crt (crts[order[i - 1]], issuer, error);
      g_clear_object (&issuer);
      if (cert == NULL)
        break;
    }

  dial_tls_crt_list_free (crts, n_certs);
  return cert;
}

/*
 * dial_tls_certificate_get_crt:
 * @self: a #DialTlsCertificate
 *
 * Returns: (transfer none): the parsed certificate
 */
gnutls_x509_crt_t
dial_tls_certificate_get_crt (DialTlsCertificate *self)
{
  g_return_val_if_fail (DIAL_IS_TLS_CERTIFICATE (self), NULL);

  return self->crt;
}

/*
 * dial_tls_certificate_verify_identity:
 * @self: a #DialTlsCertificate
 * @identity: the identity the certificate must match
 *
 * Returns: 0, or %G_TLS_CERTIFICATE_BAD_IDENTITY
 */
GTlsCertificateFlags
dial_tls_certificate_verify_identity (DialTlsCertificate *self,
                                      GSocketConnectable *identity)
{
  g_return_val_if_fail (DIAL_IS_TLS_CERTIFICATE (self), G_TLS_CERTIFICATE_BAD_IDENTITY);

  if (self->crt == NULL)
    return G_TLS_CERTIFICATE_BAD_IDENTITY;

  return dial_tls_crt_verify_identity (self->crt, identity);
}

/*
 * dial_tls_certificate_get_credentials:
 * @self: a #DialTlsCertificate
 * @pcerts: (out): the chain, leaf first
 * @n_pcerts: (out): the length of @pcerts
 * @key: (out): the private key
 * @error: a location for a #GError
 *
 * Gives the chain and key in the form gnutls_certificate_set_retrieve_function2()
 * wants. The key is taken from #GTlsCertificate:private-key, or else from
 * #GTlsCertificate:private-key-pkcs11-uri; a certificate with neither
 * cannot authenticate, which is a G_TLS_ERROR_BAD_CERTIFICATE. Free
 * everything with dial_tls_certificate_free_credentials().
 *
 * Returns: whether there are credentials
 */
gboolean
dial_tls_certificate_get_credentials (DialTlsCertificate  *self,
                                      gnutls_pcert_st    **pcerts,
                                      unsigned int        *n_pcerts,
                                      gnutls_privkey_t    *key,
                                      GError             **error)
{
  gnutls_x509_crt_t *chain = NULL;
  guint n_chain = 0;
  gnutls_pcert_st *out;
  gnutls_privkey_t privkey = NULL;
  int ret = 0;

  g_return_val_if_fail (DIAL_IS_TLS_CERTIFICATE (self), FALSE);
  g_return_val_if_fail (pcerts != NULL && n_pcerts != NULL && key != NULL, FALSE);

  if (self->key == NULL && self->private_key_pkcs11_uri == NULL)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                           "The certificate has no private key");
      return FALSE;
    }

  if (!dial_tls_certificate_export_chain (G_TLS_CERTIFICATE (self), &chain, &n_chain, error))
    return FALSE;

  out = g_new0 (gnutls_pcert_st, n_chain);
  for (guint i = 0; i < n_chain; i++)
    {
      ret = gnutls_pcert_import_x509 (&out[i], chain[i], 0);
      if (ret < 0)
        {
          dial_tls_certificate_free_credentials (out, i, NULL);
          dial_tls_crt_list_free (chain, n_chain);
          g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                       GN_("Could not parse DER certificate: %s"), gnutls_strerror (ret));
          return FALSE;
        }
    }
  dial_tls_crt_list_free (chain, n_chain);

  gnutls_privkey_init (&privkey);
  if (self->key != NULL)
    ret = gnutls_privkey_import_x509 (privkey, self->key, GNUTLS_PRIVKEY_IMPORT_COPY);
  else
    ret = gnutls_privkey_import_url (privkey, self->private_key_pkcs11_uri, 0);
  if (ret < 0)
    {
      dial_tls_certificate_free_credentials (out, n_chain, privkey);
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   "Could not load the private key: %s", gnutls_strerror (ret));
      return FALSE;
    }

  *pcerts = out;
  *n_pcerts = n_chain;
  *key = privkey;
  return TRUE;
}

void
dial_tls_certificate_free_credentials (gnutls_pcert_st  *pcerts,
                                       unsigned int      n_pcerts,
                                       gnutls_privkey_t  key)
{
  for (unsigned int i = 0; i < n_pcerts; i++)
    gnutls_pcert_deinit (&pcerts[i]);
  g_free (pcerts);

  if (key != NULL)
    gnutls_privkey_deinit (key);
}
