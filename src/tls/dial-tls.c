/* dial-tls.c: the public constructors of certificates and databases
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "dial-tls.h"
#include "dial-i18n.h"
#include "dial-tls-certificate-private.h"
#include "dial-tls-database-private.h"
#include "dial-tls-provider.h"

/* The PEM handling below gives the results GIO gives: the first
 * certificate of the data with its private key, its issuers linked when
 * the certificates that follow form a chain, and the same errors. */

#define PEM_BEGIN                 "-----BEGIN "
#define PEM_END                   "-----END "
#define PEM_DASHES                "-----"
#define PEM_CERTIFICATE           "CERTIFICATE"
#define PEM_KEY_LINE_END          "PRIVATE KEY-----"
#define PEM_ENCRYPTED_KEY_HEADER  "-----BEGIN ENCRYPTED PRIVATE KEY-----"

/* Finds the next "-----BEGIN <label>-----" block whose label satisfies
 * @want, starting at *@cursor. Sets *@block to the whole block, through
 * its END line, or to NULL when the END line is missing, and moves
 * *@cursor past it. Returns the label, or NULL when there is no block. */
static char *
next_pem_block (const char  **cursor,
                const char   *end,
                gboolean    (*want) (const char *label),
                char        **block)
{
  const char *p = *cursor;

  *block = NULL;

  while ((p = g_strstr_len (p, end - p, PEM_BEGIN)) != NULL)
    {
      const char *label_start = p + strlen (PEM_BEGIN);
      const char *label_end = g_strstr_len (label_start, end - label_start, PEM_DASHES);
      g_autofree char *label = NULL;
      g_autofree char *end_line = NULL;
      const char *block_end;

      if (label_end == NULL || memchr (label_start, '\n', label_end - label_start) != NULL)
        {
          p = label_start;
          continue;
        }

      label = g_strndup (label_start, label_end - label_start);
      if (!want (label))
        {
          p = label_end;
          continue;
        }

      end_line = g_strconcat ("-----END ", label, PEM_DASHES, NULL);
      block_end = g_strstr_len (label_end, end - label_end, end_line);
      if (block_end != NULL)
        {
          block_end += strlen (end_line);
          *block = g_strndup (p, block_end - p);
          *cursor = block_end;
        }
      else
        *cursor = end;

      return g_steal_pointer (&label);
    }

  *cursor = end;
  return NULL;
}

static gboolean
is_certificate_label (const char *label)
{
  return strcmp (label, PEM_CERTIFICATE) == 0;
}

/* The private key block of @data, found as GIO finds it: the header runs
 * from the last "-----BEGIN " before the first "PRIVATE KEY-----" to the
 * end of that, the footer from the last "-----END " before the next
 * "PRIVATE KEY-----" to the end of that.  So a header whose dashes are
 * damaged pairs with the footer, and the block is refused; "-----BEGIN
 * RSA PRIVATE KEY-----" with "-----END EC PRIVATE KEY-----" makes a
 * block, which the import then refuses.  Returns FALSE on error; *@key_pem
 * is NULL when there is no key and @required is FALSE. */
static gboolean
parse_private_key (const char  *data,
                   gsize        length,
                   gboolean     required,
                   char       **key_pem,
                   GError     **error)
{
  const char *end = data + length;
  const char *header = NULL;
  const char *header_end;
  const char *footer = NULL;
  const char *footer_end;

  *key_pem = NULL;

  header_end = g_strstr_len (data, length, PEM_KEY_LINE_END);
  if (header_end != NULL)
    header = g_strrstr_len (data, header_end - data, PEM_BEGIN);
  if (header == NULL)
    {
      if (required)
        {
          g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                               GIO_("No PEM-encoded private key found"));
          return FALSE;
        }
      return TRUE;
    }
  header_end += strlen (PEM_KEY_LINE_END);

  if ((gsize) (header_end - header) == strlen (PEM_ENCRYPTED_KEY_HEADER) &&
      memcmp (header, PEM_ENCRYPTED_KEY_HEADER, header_end - header) == 0)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                           GIO_("Cannot decrypt PEM-encoded private key"));
      return FALSE;
    }

  footer_end = g_strstr_len (header_end, end - header_end, PEM_KEY_LINE_END);
  if (footer_end != NULL)
    footer = g_strrstr_len (header_end, footer_end - header_end, PEM_END);
  if (footer == NULL)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                           GIO_("Could not parse PEM-encoded private key"));
      return FALSE;
    }
  footer_end += strlen (PEM_KEY_LINE_END);

  *key_pem = g_strndup (header, footer_end - header);
  return TRUE;
}

/* Every certificate block of @data, in order.  A block without its END
 * line is an error, except after the first one when @chain: GIO's
 * single-certificate constructors then take the first one alone. */
static GPtrArray *
parse_certificates (const char  *data,
                    gsize        length,
                    gboolean     chain,
                    GError     **error)
{
  g_autoptr(GPtrArray) blocks = g_ptr_array_new_with_free_func (g_free);
  const char *cursor = data;
  const char *end = data + length;

  while (cursor < end)
    {
      g_autofree char *label = NULL;
      char *block = NULL;

      label = next_pem_block (&cursor, end, is_certificate_label, &block);
      if (label == NULL)
        break;

      if (block == NULL)
        {
          if (chain && blocks->len > 0)
            {
              g_ptr_array_set_size (blocks, 1);
              break;
            }
          g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                               GIO_("Could not parse PEM-encoded certificate"));
          return NULL;
        }
      g_ptr_array_add (blocks, block);
    }

  return g_steal_pointer (&blocks);
}

static GTlsCertificate *
certificate_new (const char       *pem,
                 const char       *key_pem,
                 GTlsCertificate  *issuer,
                 GError          **error)
{
  return g_initable_new (DIAL_TYPE_TLS_CERTIFICATE, NULL, error,
                         "certificate-pem", pem,
                         "private-key-pem", key_pem,
                         "issuer", issuer,
                         NULL);
}

/* The first certificate of @blocks with @key_pem, and the others as its
 * issuers when they verify as a chain, the top one last. */
static GTlsCertificate *
certificate_new_from_blocks (GPtrArray   *blocks,
                             const char  *key_pem,
                             GError     **error)
{
  GTlsCertificate *cert = NULL;
  g_autoptr(GTlsCertificate) top = NULL;

  if (blocks->len == 0)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                           GIO_("No PEM-encoded certificate found"));
      return NULL;
    }

  for (guint i = blocks->len; i > 1; i--)
    {
      GTlsCertificate *issuer = cert;

      cert = certificate_new (blocks->pdata[i - 1], NULL, issuer, NULL);
      g_clear_object (&issuer);
      if (cert == NULL)
        break;
      if (top == NULL)
        top = g_object_ref (cert);
    }

  if (blocks->len > 1 && cert != NULL)
    {
      GTlsCertificate *issuer = cert;

      cert = certificate_new (blocks->pdata[0], key_pem, issuer, NULL);
      g_object_unref (issuer);

      if (cert != NULL && (g_tls_certificate_verify (cert, NULL, top) & G_TLS_CERTIFICATE_UNKNOWN_CA))
        g_clear_object (&cert);
    }
  else
    g_clear_object (&cert);

  /* Not a chain, or a single certificate: the first one alone. */
  if (cert == NULL)
    cert = certificate_new (blocks->pdata[0], key_pem, NULL, error);

  return cert;
}

static char *
dup_data (const char *data,
          gssize      length,
          gsize      *out_length)
{
  if (length < 0)
    length = strlen (data);

  *out_length = length;
  return g_strndup (data, length);
}

/**
 * dial_tls_certificate_new_from_pem:
 * @data: PEM-encoded certificate data
 * @length: the size of @data, or -1 if it is NUL-terminated
 * @error: a location for a #GError
 *
 * Creates a certificate from PEM data, as [ctor@Gio.TlsCertificate.new_from_pem]
 * does: the first certificate of @data, with the private key @data holds
 * (PKCS #8, PKCS #1 or SEC1; not encrypted). When more certificates follow
 * and they form a chain, the top one last, they become its
 * [property@Gio.TlsCertificate:issuer]s.
 *
 * With the built-in TLS provider the certificate is libdial's own, so
 * this works without glib-networking; with GIO's provider it is
 * [ctor@Gio.TlsCertificate.new_from_pem].
 *
 * Returns: (transfer full): the new certificate, or %NULL on error
 */
GTlsCertificate *
dial_tls_certificate_new_from_pem (const gchar  *data,
                                   gssize        length,
                                   GError      **error)
{
  g_autofree char *copy = NULL;
  g_autofree char *key_pem = NULL;
  g_autoptr(GPtrArray) blocks = NULL;
  gsize size;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (dial_tls_provider_get () == DIAL_TLS_PROVIDER_GIO)
    return g_tls_certificate_new_from_pem (data, length, error);

  copy = dup_data (data, length, &size);

  if (!parse_private_key (copy, size, FALSE, &key_pem, error))
    return NULL;

  blocks = parse_certificates (copy, size, TRUE, error);
  if (blocks == NULL)
    return NULL;

  return certificate_new_from_blocks (blocks, key_pem, error);
}

/**
 * dial_tls_certificate_new_from_file:
 * @file: (type filename): a file holding a certificate
 * @error: a location for a #GError
 *
 * Creates a certificate from a file, as [ctor@Gio.TlsCertificate.new_from_file]
 * does: a name ending in `.p12` or `.pfx` is read as PKCS #12 with no
 * password, any other as PEM, as by [func@Dial.tls_certificate_new_from_pem].
 *
 * Returns: (transfer full): the new certificate, or %NULL on error
 */
GTlsCertificate *
dial_tls_certificate_new_from_file (const gchar  *file,
                                    GError      **error)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (dial_tls_provider_get () == DIAL_TLS_PROVIDER_GIO)
    return g_tls_certificate_new_from_file (file, error);

  if (!g_file_get_contents (file, &contents, &length, error))
    return NULL;

  if (g_str_has_suffix (file, ".p12") || g_str_has_suffix (file, ".pfx"))
    {
      g_autoptr(GByteArray) pkcs12 = g_byte_array_sized_new (length);

      g_byte_array_append (pkcs12, (const guint8 *) contents, length);
      return g_initable_new (DIAL_TYPE_TLS_CERTIFICATE, NULL, error,
                             "pkcs12-data", pkcs12,
                             NULL);
    }

  return dial_tls_certificate_new_from_pem (contents, length, error);
}

/**
 * dial_tls_certificate_new_from_files:
 * @cert_file: (type filename): a file holding PEM certificates
 * @key_file: (type filename): a file holding a PEM private key
 * @error: a location for a #GError
 *
 * Creates a certificate from the PEM certificates of @cert_file and the
 * private key of @key_file, as [ctor@Gio.TlsCertificate.new_from_files]
 * does. The first certificate is returned; the ones after it become its
 * issuers when they form a chain.
 *
 * Returns: (transfer full): the new certificate, or %NULL on error
 */
GTlsCertificate *
dial_tls_certificate_new_from_files (const gchar  *cert_file,
                                     const gchar  *key_file,
                                     GError      **error)
{
  g_autofree char *cert_data = NULL;
  g_autofree char *key_data = NULL;
  g_autofree char *key_pem = NULL;
  g_autoptr(GPtrArray) blocks = NULL;
  gsize cert_length;
  gsize key_length;

  g_return_val_if_fail (cert_file != NULL, NULL);
  g_return_val_if_fail (key_file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (dial_tls_provider_get () == DIAL_TLS_PROVIDER_GIO)
    return g_tls_certificate_new_from_files (cert_file, key_file, error);

  if (!g_file_get_contents (key_file, &key_data, &key_length, error) ||
      !parse_private_key (key_data, key_length, TRUE, &key_pem, error))
    return NULL;

  if (!g_file_get_contents (cert_file, &cert_data, &cert_length, error))
    return NULL;

  blocks = parse_certificates (cert_data, cert_length, TRUE, error);
  if (blocks == NULL)
    return NULL;

  return certificate_new_from_blocks (blocks, key_pem, error);
}

/**
 * dial_tls_certificate_list_new_from_file:
 * @file: (type filename): a file holding PEM certificates
 * @error: a location for a #GError
 *
 * Creates one certificate for each PEM certificate of @file, as
 * [func@Gio.TlsCertificate.list_new_from_file] does: each stands alone,
 * without issuer or private key. A file without certificates gives an
 * empty list and no error.
 *
 * Returns: (transfer full) (element-type Gio.TlsCertificate): the
 *   certificates, in the order of the file; %NULL with @error set on error
 */
GList *
dial_tls_certificate_list_new_from_file (const gchar  *file,
                                         GError      **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GPtrArray) blocks = NULL;
  GList *list = NULL;
  gsize length;

  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (dial_tls_provider_get () == DIAL_TLS_PROVIDER_GIO)
    return g_tls_certificate_list_new_from_file (file, error);

  if (!g_file_get_contents (file, &contents, &length, error))
    return NULL;

  blocks = parse_certificates (contents, length, FALSE, error);
  if (blocks == NULL)
    return NULL;

  for (guint i = 0; i < blocks->len; i++)
    {
      GTlsCertificate *cert = certificate_new (blocks->pdata[i], NULL, NULL, error);

      if (cert == NULL)
        {
          g_list_free_full (list, g_object_unref);
          return NULL;
        }
      list = g_list_prepend (list, cert);
    }

  return g_list_reverse (list);
}

/**
 * dial_tls_file_database_new:
 * @anchors: (type filename): a file of PEM trust anchors
 * @error: a location for a #GError
 *
 * Creates a database that trusts the certificate authorities of @anchors,
 * as [func@Gio.TlsFileDatabase.new] does. The result implements
 * [iface@Gio.TlsFileDatabase] and can be set as the
 * [property@Gio.TlsConnection:database] of the connections libdial makes.
 *
 * Returns: (transfer full) (type Gio.TlsFileDatabase): the new database, or
 *   %NULL on error
 */
GTlsDatabase *
dial_tls_file_database_new (const gchar  *anchors,
                            GError      **error)
{
  g_return_val_if_fail (anchors != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (dial_tls_provider_get () == DIAL_TLS_PROVIDER_GIO)
    return g_tls_file_database_new (anchors, error);

  return dial_tls_database_new_file (anchors, error);
}

/**
 * dial_tls_get_default_database:
 *
 * Gets the database of the system's trusted certificate authorities, the
 * one TLS connections use when no other is set, as
 * [method@Gio.TlsBackend.get_default_database] does.
 *
 * Returns: (transfer full) (nullable): the default database, or %NULL when
 *   the system has no trust store
 */
GTlsDatabase *
dial_tls_get_default_database (void)
{
  if (dial_tls_provider_get () == DIAL_TLS_PROVIDER_GIO)
    return g_tls_backend_get_default_database (g_tls_backend_get_default ());

  return dial_tls_database_get_default ();
}
