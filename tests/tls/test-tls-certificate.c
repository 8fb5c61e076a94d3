/* test-tls-certificate.c: certificates, databases and the verify mapping
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The public constructors follow the process's TLS provider, so this file
 * runs twice: with DIAL_TLS_PROVIDER=gio, where they return GIO's objects
 * (glib-networking's), and with DIAL_TLS_PROVIDER=builtin and no GIO TLS
 * module, where they return libdial's. The same assertions hold for both,
 * which keeps the built-in classes faithful to GIO. Tests of internals
 * run in both too; the few that only make sense for one provider say so.
 *
 * Every certificate is made at run time with gnutls (EC P-256 keys), so
 * nothing expires in the tree.
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>
#include <gnutls/pkcs12.h>

#include <dial/dial.h>

#include "dial-tls-certificate-private.h"
#include "dial-tls-database-private.h"
#include "dial-tls-provider.h"

#define DAY (24 * 60 * 60)

/* ------------------------------------------------------------------ */
/* Certificates made at run time                                        */

typedef struct {
  gnutls_x509_crt_t      crt;
  gnutls_x509_privkey_t  key;
  char                  *pem;       /* the certificate */
  char                  *key_pem;   /* PKCS #8 */
  time_t                 not_before;
  time_t                 not_after;
} TestCert;

typedef struct {
  const char        *cn;
  const char        *dns[4];
  const char        *ips[4];
  gboolean           ca;
  gint64             not_before;    /* seconds from now */
  gint64             not_after;
  const char        *purpose;       /* an extended key usage OID, or NULL */
  const char        *issuer_cn;     /* for a certificate signed by a key
                                     * under another name */
  const TestCert    *issuer;        /* NULL: self-signed */
  const TestCert    *same_key_as;   /* NULL: a new key */
} TestCertSpec;

static struct {
  char     *dir;
  TestCert *ca;
  TestCert *intermediate;
  TestCert *leaf;           /* localhost, signed by the intermediate */
  TestCert *direct_leaf;    /* localhost, signed by the CA */
  TestCert *expired;
  TestCert *not_yet_valid;
  TestCert *other_ca;
  TestCert *untrusted;      /* localhost, signed by other_ca */
  TestCert *client_only;    /* localhost, extended key usage client auth */
  TestCert *no_san;
  char     *ca_file;
  char     *chain_file;     /* leaf, intermediate, CA */
  char     *leaf_key_file;
} t;

static void
check_gnutls (int ret)
{
  if (ret < 0)
    g_error ("gnutls: %s", gnutls_strerror (ret));
}

static char *
datum_to_string (gnutls_datum_t *datum)
{
  char *s = g_strndup ((const char *) datum->data, datum->size);

  gnutls_free (datum->data);
  return s;
}

static GByteArray *
crt_der (gnutls_x509_crt_t crt)
{
  gnutls_datum_t datum;
  GByteArray *array;

  check_gnutls (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &datum));
  array = g_byte_array_new ();
  g_byte_array_append (array, datum.data, datum.size);
  gnutls_free (datum.data);
  return array;
}

static TestCert *
test_cert_new (const TestCertSpec *spec)
{
  static guint64 serial = 1;
  TestCert *tc = g_new0 (TestCert, 1);
  time_t now = time (NULL);
  guint8 serial_bytes[8];
  guint8 key_id[64];
  size_t key_id_size = sizeof key_id;
  gnutls_x509_crt_t signer_crt;
  gnutls_x509_privkey_t signer_key;
  gnutls_datum_t datum;

  check_gnutls (gnutls_x509_privkey_init (&tc->key));
  if (spec->same_key_as != NULL)
    check_gnutls (gnutls_x509_privkey_cpy (tc->key, spec->same_key_as->key));
  else
    check_gnutls (gnutls_x509_privkey_generate (tc->key, GNUTLS_PK_ECDSA,
                                                GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0));

  check_gnutls (gnutls_x509_crt_init (&tc->crt));
  check_gnutls (gnutls_x509_crt_set_version (tc->crt, 3));
  for (guint i = 0; i < 8; i++)
    serial_bytes[i] = (serial >> (8 * (7 - i))) & 0xff;
  serial_bytes[0] |= 0x10;
  serial++;
  check_gnutls (gnutls_x509_crt_set_serial (tc->crt, serial_bytes, sizeof serial_bytes));

  tc->not_before = now + (spec->not_before ? spec->not_before : -DAY);
  tc->not_after = now + (spec->not_after ? spec->not_after : 30 * DAY);
  check_gnutls (gnutls_x509_crt_set_activation_time (tc->crt, tc->not_before));
  check_gnutls (gnutls_x509_crt_set_expiration_time (tc->crt, tc->not_after));

  check_gnutls (gnutls_x509_crt_set_dn_by_oid (tc->crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
                                               "libdial tests", strlen ("libdial tests")));
  check_gnutls (gnutls_x509_crt_set_dn_by_oid (tc->crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                               spec->cn, strlen (spec->cn)));
  check_gnutls (gnutls_x509_crt_set_key (tc->crt, tc->key));

  if (spec->ca)
    {
      check_gnutls (gnutls_x509_crt_set_basic_constraints (tc->crt, 1, -1));
      check_gnutls (gnutls_x509_crt_set_key_usage (tc->crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN));
    }
  else
    {
      check_gnutls (gnutls_x509_crt_set_basic_constraints (tc->crt, 0, -1));
      check_gnutls (gnutls_x509_crt_set_key_usage (tc->crt, GNUTLS_KEY_DIGITAL_SIGNATURE));
    }
  if (spec->purpose != NULL)
    check_gnutls (gnutls_x509_crt_set_key_purpose_oid (tc->crt, spec->purpose, 0));

  for (guint i = 0; spec->dns[i] != NULL; i++)
    check_gnutls (gnutls_x509_crt_set_subject_alt_name (tc->crt, GNUTLS_SAN_DNSNAME,
                                                        spec->dns[i], strlen (spec->dns[i]),
                                                        GNUTLS_FSAN_APPEND));
  for (guint i = 0; spec->ips[i] != NULL; i++)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (spec->ips[i]);

      g_assert_nonnull (address);
      check_gnutls (gnutls_x509_crt_set_subject_alt_name (tc->crt, GNUTLS_SAN_IPADDRESS,
                                                          g_inet_address_to_bytes (address),
                                                          g_inet_address_get_native_size (address),
                                                          GNUTLS_FSAN_APPEND));
    }

  check_gnutls (gnutls_x509_privkey_get_key_id (tc->key, 0, key_id, &key_id_size));
  check_gnutls (gnutls_x509_crt_set_subject_key_id (tc->crt, key_id, key_id_size));

  if (spec->issuer != NULL)
    {
      key_id_size = sizeof key_id;
      check_gnutls (gnutls_x509_privkey_get_key_id (spec->issuer->key, 0, key_id, &key_id_size));
      check_gnutls (gnutls_x509_crt_set_authority_key_id (tc->crt, key_id, key_id_size));
      signer_crt = spec->issuer->crt;
      signer_key = spec->issuer->key;
    }
  else
    {
      signer_crt = tc->crt;
      signer_key = tc->key;
    }

  check_gnutls (gnutls_x509_crt_sign2 (tc->crt, signer_crt, signer_key, GNUTLS_DIG_SHA256, 0));

  check_gnutls (gnutls_x509_crt_export2 (tc->crt, GNUTLS_X509_FMT_PEM, &datum));
  tc->pem = datum_to_string (&datum);
  check_gnutls (gnutls_x509_privkey_export2_pkcs8 (tc->key, GNUTLS_X509_FMT_PEM, NULL,
                                                   GNUTLS_PKCS_PLAIN, &datum));
  tc->key_pem = datum_to_string (&datum);

  return tc;
}

static void
test_cert_free (TestCert *tc)
{
  gnutls_x509_crt_deinit (tc->crt);
  gnutls_x509_privkey_deinit (tc->key);
  g_free (tc->pem);
  g_free (tc->key_pem);
  g_free (tc);
}

static char *
write_file (const char *name,
            const char *contents)
{
  char *path = g_build_filename (t.dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
setup_certificates (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *chain = NULL;

  t.dir = g_dir_make_tmp ("dial-tls-certificate-XXXXXX", &error);
  g_assert_no_error (error);

  t.ca = test_cert_new (&(TestCertSpec) { .cn = "libdial test CA", .ca = TRUE });
  t.intermediate = test_cert_new (&(TestCertSpec) { .cn = "libdial test intermediate",
                                                     .ca = TRUE, .issuer = t.ca });
  t.leaf = test_cert_new (&(TestCertSpec) {
    .cn = "localhost",
    .dns = { "localhost", "www.example.com", "*.wild.example.com" },
    .ips = { "127.0.0.1", "::1" },
    .issuer = t.intermediate,
  });
  t.direct_leaf = test_cert_new (&(TestCertSpec) { .cn = "localhost", .dns = { "localhost" },
                                                    .issuer = t.ca });
  t.expired = test_cert_new (&(TestCertSpec) { .cn = "localhost", .dns = { "localhost" },
                                                .not_before = -10 * DAY, .not_after = -DAY,
                                                .issuer = t.ca });
  t.not_yet_valid = test_cert_new (&(TestCertSpec) { .cn = "localhost", .dns = { "localhost" },
                                                      .not_before = DAY, .not_after = 10 * DAY,
                                                      .issuer = t.ca });
  t.other_ca = test_cert_new (&(TestCertSpec) { .cn = "libdial other CA", .ca = TRUE });
  t.untrusted = test_cert_new (&(TestCertSpec) { .cn = "localhost", .dns = { "localhost" },
                                                  .issuer = t.other_ca });
  t.client_only = test_cert_new (&(TestCertSpec) { .cn = "localhost", .dns = { "localhost" },
                                                    .purpose = GNUTLS_KP_TLS_WWW_CLIENT,
                                                    .issuer = t.ca });
  t.no_san = test_cert_new (&(TestCertSpec) { .cn = "no-san.example", .issuer = t.ca });

  t.ca_file = write_file ("ca.pem", t.ca->pem);
  chain = g_strconcat (t.leaf->pem, t.intermediate->pem, t.ca->pem, NULL);
  t.chain_file = write_file ("chain.pem", chain);
  t.leaf_key_file = write_file ("leaf-key.pem", t.leaf->key_pem);
}

static void
teardown_certificates (void)
{
  g_autoptr(GDir) dir = g_dir_open (t.dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (t.dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (t.dir);

  test_cert_free (t.ca);
  test_cert_free (t.intermediate);
  test_cert_free (t.leaf);
  test_cert_free (t.direct_leaf);
  test_cert_free (t.expired);
  test_cert_free (t.not_yet_valid);
  test_cert_free (t.other_ca);
  test_cert_free (t.untrusted);
  test_cert_free (t.client_only);
  test_cert_free (t.no_san);
  g_free (t.ca_file);
  g_free (t.chain_file);
  g_free (t.leaf_key_file);
  g_free (t.dir);
}

/* The public constructor, asserting success. */
static GTlsCertificate *
cert_from_pem (const char *first,
               ...)
{
  g_autoptr(GString) pem = g_string_new (first);
  g_autoptr(GError) error = NULL;
  GTlsCertificate *cert;
  const char *part;
  va_list args;

  va_start (args, first);
  while ((part = va_arg (args, const char *)) != NULL)
    g_string_append (pem, part);
  va_end (args);

  cert = dial_tls_certificate_new_from_pem (pem->str, -1, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_TLS_CERTIFICATE (cert));
  return cert;
}

static gboolean
builtin (void)
{
  return dial_tls_provider_get () == DIAL_TLS_PROVIDER_BUILTIN;
}

/* ------------------------------------------------------------------ */
/* The provider                                                         */

static void
test_provider (void)
{
  g_autoptr(GTlsCertificate) cert = cert_from_pem (t.leaf->pem, NULL);
  g_autoptr(GTlsDatabase) database = dial_tls_get_default_database ();

  /* The guard: under the built-in provider, no GIO TLS module is loaded
   * and the objects are ours; under GIO's, they are glib-networking's. */
  if (builtin ())
    {
      g_assert_true (DIAL_IS_TLS_CERTIFICATE (cert));
      g_assert_true (DIAL_IS_TLS_DATABASE (database));
      g_assert_false (g_tls_backend_supports_tls (g_tls_backend_get_default ()));
    }
  else
    {
      g_assert_false (DIAL_IS_TLS_CERTIFICATE (cert));
      g_assert_nonnull (database);
      g_assert_false (DIAL_IS_TLS_DATABASE (database));
    }
}

/* ------------------------------------------------------------------ */
/* Parsing and properties                                               */

static void
test_pem_der_round_trip (void)
{
  g_autoptr(GTlsCertificate) cert = cert_from_pem (t.leaf->pem, t.leaf->key_pem, NULL);
  g_autoptr(GTlsCertificate) again = NULL;
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GByteArray) expected = crt_der (t.leaf->crt);
  g_autoptr(GByteArray) key_der = NULL;
  g_autofree char *pem = NULL;
  g_autofree char *key_pem = NULL;
  gnutls_x509_privkey_t key;
  gnutls_datum_t datum;
  guint8 id1[64], id2[64];
  size_t size1 = sizeof id1, size2 = sizeof id2;

  g_object_get (cert,
                "certificate", &der,
                "certificate-pem", &pem,
                "private-key", &key_der,
                "private-key-pem", &key_pem,
                NULL);

  g_assert_nonnull (der);
  g_assert_cmpmem (der->data, der->len, expected->data, expected->len);
  g_assert_cmpstr (pem, ==, t.leaf->pem);
  g_assert_null (g_tls_certificate_get_issuer (cert));

  /* The key comes back as PKCS #8, in DER and in PEM. */
  g_assert_nonnull (key_der);
  g_assert_nonnull (key_pem);
  g_assert_true (g_str_has_prefix (key_pem, "-----BEGIN PRIVATE KEY-----"));
  check_gnutls (gnutls_x509_privkey_init (&key));
  datum.data = key_der->data;
  datum.size = key_der->len;
  check_gnutls (gnutls_x509_privkey_import2 (key, &datum, GNUTLS_X509_FMT_DER, NULL, 0));
  check_gnutls (gnutls_x509_privkey_get_key_id (key, 0, id1, &size1));
  check_gnutls (gnutls_x509_privkey_get_key_id (t.leaf->key, 0, id2, &size2));
  g_assert_cmpmem (id1, size1, id2, size2);
  gnutls_x509_privkey_deinit (key);

  /* What was exported parses into the same certificate. */
  again = cert_from_pem (pem, key_pem, NULL);
  g_assert_true (g_tls_certificate_is_same (cert, again));
}

static void
test_der_construct (void)
{
  g_autoptr(GByteArray) der = crt_der (t.leaf->crt);
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autoptr(GTlsCertificate) from_pem = cert_from_pem (t.leaf->pem, NULL);
  g_autoptr(GError) error = NULL;
  gnutls_datum_t datum = { der->data, der->len };

  if (!builtin ())
    {
      g_test_skip ("DER construction is internal to the built-in provider");
      return;
    }

  cert = dial_tls_certificate_new_from_der_chain (&datum, 1, &error);
  g_assert_no_error (error);
  g_assert_true (g_tls_certificate_is_same (cert, from_pem));
  g_assert_true (gnutls_x509_crt_equals (dial_tls_certificate_get_crt (DIAL_TLS_CERTIFICATE (cert)),
                                         t.leaf->crt));
}

static void
test_private_key_formats (void)
{
  gnutls_datum_t datum;
  g_autofree char *sec1 = NULL;
  g_autofree char *pkcs1 = NULL;
  g_autoptr(GTlsCertificate) from_pkcs8 = NULL;
  g_autoptr(GTlsCertificate) from_sec1 = NULL;
  g_autoptr(GTlsCertificate) from_pkcs1 = NULL;
  g_autoptr(GTlsCertificate) from_files = NULL;
  g_autoptr(GByteArray) key1 = NULL;
  g_autoptr(GByteArray) key2 = NULL;
  g_autoptr(GByteArray) key3 = NULL;
  gnutls_x509_privkey_t rsa;
  g_autoptr(GError) error = NULL;

  /* SEC1: "EC PRIVATE KEY". */
  check_gnutls (gnutls_x509_privkey_export2 (t.leaf->key, GNUTLS_X509_FMT_PEM, &datum));
  sec1 = datum_to_string (&datum);
  g_assert_true (g_str_has_prefix (sec1, "-----BEGIN EC PRIVATE KEY-----"));

  /* PKCS #1: "RSA PRIVATE KEY". The key need not match the certificate
   * to be parsed; a small one keeps the test quick. */
  check_gnutls (gnutls_x509_privkey_init (&rsa));
  check_gnutls (gnutls_x509_privkey_generate (rsa, GNUTLS_PK_RSA, 1024, 0));
  check_gnutls (gnutls_x509_privkey_export2 (rsa, GNUTLS_X509_FMT_PEM, &datum));
  pkcs1 = datum_to_string (&datum);
  gnutls_x509_privkey_deinit (rsa);
  g_assert_true (g_str_has_prefix (pkcs1, "-----BEGIN RSA PRIVATE KEY-----"));

  /* The key may come before or after the certificate. */
  from_pkcs8 = cert_from_pem (t.leaf->key_pem, t.leaf->pem, NULL);
  from_sec1 = cert_from_pem (t.leaf->pem, sec1, NULL);
  from_pkcs1 = cert_from_pem (t.leaf->pem, pkcs1, NULL);

  g_object_get (from_pkcs8, "private-key", &key1, NULL);
  g_object_get (from_sec1, "private-key", &key2, NULL);
  g_object_get (from_pkcs1, "private-key", &key3, NULL);
  g_assert_nonnull (key1);
  g_assert_nonnull (key2);
  g_assert_nonnull (key3);
  g_assert_cmpmem (key1->data, key1->len, key2->data, key2->len);

  from_files = dial_tls_certificate_new_from_files (t.chain_file, t.leaf_key_file, &error);
  g_assert_no_error (error);
  g_clear_pointer (&key2, g_byte_array_unref);
  g_object_get (from_files, "private-key", &key2, NULL);
  g_assert_nonnull (key2);
  g_assert_cmpmem (key1->data, key1->len, key2->data, key2->len);
}

static void
test_no_private_key (void)
{
  g_autoptr(GTlsCertificate) cert = cert_from_pem (t.leaf->pem, NULL);
  g_autoptr(GByteArray) key = NULL;
  g_autofree char *key_pem = NULL;

  g_object_get (cert, "private-key", &key, "private-key-pem", &key_pem, NULL);
  g_assert_null (key);
  g_assert_null (key_pem);
}

static void
assert_chain (GTlsCertificate *cert,
              TestCert        *first,
              ...)
{
  GTlsCertificate *link = cert;
  TestCert *expected = first;
  va_list args;

  va_start (args, first);
  while (expected != NULL)
    {
      g_autoptr(GByteArray) der = NULL;
      g_autoptr(GByteArray) expected_der = crt_der (expected->crt);

      g_assert_nonnull (link);
      g_object_get (link, "certificate", &der, NULL);
      g_assert_cmpmem (der->data, der->len, expected_der->data, expected_der->len);

      link = g_tls_certificate_get_issuer (link);
      expected = va_arg (args, TestCert *);
    }
  va_end (args);

  g_assert_null (link);
}

static void
test_chain (void)
{
  g_autoptr(GTlsCertificate) full = NULL;
  g_autoptr(GTlsCertificate) partial = NULL;
  g_autoptr(GTlsCertificate) from_file = NULL;
  g_autoptr(GByteArray) issuer_key = NULL;
  g_autoptr(GError) error = NULL;

  full = cert_from_pem (t.leaf->pem, t.leaf->key_pem, t.intermediate->pem, t.ca->pem, NULL);
  assert_chain (full, t.leaf, t.intermediate, t.ca, NULL);

  /* The key belongs to the first certificate only. */
  g_object_get (g_tls_certificate_get_issuer (full), "private-key", &issuer_key, NULL);
  g_assert_null (issuer_key);

  /* A chain need not reach a root. */
  partial = cert_from_pem (t.leaf->pem, t.intermediate->pem, NULL);
  assert_chain (partial, t.leaf, t.intermediate, NULL);

  from_file = dial_tls_certificate_new_from_file (t.chain_file, &error);
  g_assert_no_error (error);
  assert_chain (from_file, t.leaf, t.intermediate, t.ca, NULL);
}

static void
test_chain_not_linked (void)
{
  g_autoptr(GTlsCertificate) unrelated = NULL;
  g_autoptr(GTlsCertificate) reversed = NULL;

  /* Certificates that do not form a chain: the first one alone. */
  unrelated = cert_from_pem (t.leaf->pem, t.other_ca->pem, NULL);
  assert_chain (unrelated, t.leaf, NULL);

  reversed = cert_from_pem (t.leaf->pem, t.ca->pem, t.intermediate->pem, NULL);
  assert_chain (reversed, t.leaf, NULL);
}

/* Found by fuzzing/fuzz-pem-certificate against GIO: after the first
 * certificate, one cut short (no END line) is no error, but then the
 * first one comes alone, as with GIO; the list constructor refuses it. */
static void
test_chain_truncated (void)
{
  g_autofree char *cut = g_strndup (t.intermediate->pem, strlen (t.intermediate->pem) - 30);
  g_autofree char *cut_ca = g_strndup (t.ca->pem, strlen (t.ca->pem) - 30);
  g_autofree char *contents = g_strconcat (t.leaf->pem, cut, NULL);
  g_autofree char *file = write_file ("truncated-chain.pem", contents);
  g_autoptr(GTlsCertificate) alone = NULL;
  g_autoptr(GTlsCertificate) unlinked = NULL;
  g_autoptr(GError) error = NULL;
  GList *list;

  alone = cert_from_pem (t.leaf->pem, cut, NULL);
  assert_chain (alone, t.leaf, NULL);

  unlinked = cert_from_pem (t.leaf->pem, t.leaf->key_pem, t.intermediate->pem, cut_ca, NULL);
  assert_chain (unlinked, t.leaf, NULL);

  list = dial_tls_certificate_list_new_from_file (file, &error);
  g_assert_null (list);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
}

static void
test_list_from_file (void)
{
  g_autolist(GTlsCertificate) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *empty = write_file ("empty.pem", "");
  TestCert *expected[] = { t.leaf, t.intermediate, t.ca };
  guint i = 0;

  list = dial_tls_certificate_list_new_from_file (t.chain_file, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (list), ==, 3);

  /* Each stands alone, as with GIO. */
  for (GList *l = list; l != NULL; l = l->next, i++)
    {
      assert_chain (l->data, expected[i], NULL);
      g_assert_null (g_tls_certificate_get_issuer (l->data));
    }

  g_assert_null (dial_tls_certificate_list_new_from_file (empty, &error));
  g_assert_no_error (error);

  g_assert_null (dial_tls_certificate_list_new_from_file ("/nonexistent/dial.pem", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

static void
test_names (void)
{
  g_autoptr(GTlsCertificate) leaf = cert_from_pem (t.leaf->pem, NULL);
  g_autoptr(GTlsCertificate) ca = cert_from_pem (t.ca->pem, NULL);
  g_autofree char *subject = NULL;
  g_autofree char *issuer = NULL;

  subject = g_tls_certificate_get_subject_name (leaf);
  issuer = g_tls_certificate_get_issuer_name (leaf);
  /* In the certificate's order, as glib-networking gives them. */
  g_assert_cmpstr (subject, ==, "O=libdial tests,CN=localhost");
  g_assert_cmpstr (issuer, ==, "O=libdial tests,CN=libdial test intermediate");

  g_clear_pointer (&subject, g_free);
  g_clear_pointer (&issuer, g_free);
  subject = g_tls_certificate_get_subject_name (ca);
  issuer = g_tls_certificate_get_issuer_name (ca);
  g_assert_cmpstr (subject, ==, issuer);
}

static void
test_validity (void)
{
  g_autoptr(GTlsCertificate) cert = cert_from_pem (t.leaf->pem, NULL);
  g_autoptr(GDateTime) not_before = g_tls_certificate_get_not_valid_before (cert);
  g_autoptr(GDateTime) not_after = g_tls_certificate_get_not_valid_after (cert);

  g_assert_nonnull (not_before);
  g_assert_nonnull (not_after);
  g_assert_cmpint (g_date_time_to_unix (not_before), ==, t.leaf->not_before);
  g_assert_cmpint (g_date_time_to_unix (not_after), ==, t.leaf->not_after);
}

static void
test_subject_alt_names (void)
{
  g_autoptr(GTlsCertificate) cert = cert_from_pem (t.leaf->pem, NULL);
  g_autoptr(GTlsCertificate) bare = cert_from_pem (t.no_san->pem, NULL);
  g_autoptr(GPtrArray) dns = g_tls_certificate_get_dns_names (cert);
  g_autoptr(GPtrArray) ips = g_tls_certificate_get_ip_addresses (cert);
  g_autoptr(GPtrArray) no_dns = g_tls_certificate_get_dns_names (bare);
  g_autoptr(GPtrArray) no_ips = g_tls_certificate_get_ip_addresses (bare);
  const char *expected_dns[] = { "localhost", "www.example.com", "*.wild.example.com" };
  const char *expected_ips[] = { "127.0.0.1", "::1" };

  g_assert_nonnull (dns);
  g_assert_cmpuint (dns->len, ==, G_N_ELEMENTS (expected_dns));
  for (guint i = 0; i < dns->len; i++)
    {
      gsize size;
      const char *name = g_bytes_get_data (dns->pdata[i], &size);

      g_assert_cmpmem (name, size, expected_dns[i], strlen (expected_dns[i]));
    }

  g_assert_nonnull (ips);
  g_assert_cmpuint (ips->len, ==, G_N_ELEMENTS (expected_ips));
  for (guint i = 0; i < ips->len; i++)
    {
      g_autofree char *text = g_inet_address_to_string (ips->pdata[i]);

      g_assert_cmpstr (text, ==, expected_ips[i]);
    }

  /* Empty, not NULL, as with glib-networking. */
  g_assert_nonnull (no_dns);
  g_assert_cmpuint (no_dns->len, ==, 0);
  g_assert_nonnull (no_ips);
  g_assert_cmpuint (no_ips->len, ==, 0);
}

static void
test_properties_readable (void)
{
  g_autoptr(GTlsCertificate) cert = cert_from_pem (t.leaf->pem, t.leaf->key_pem,
                                                   t.intermediate->pem, NULL);
  guint n_props;
  g_autofree GParamSpec **props = g_object_class_list_properties (G_OBJECT_GET_CLASS (cert), &n_props);

  /* Under fatal warnings: a property the class forgot to override would
   * reach GTlsCertificate's get_property and warn. */
  for (guint i = 0; i < n_props; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      if (!(props[i]->flags & G_PARAM_READABLE))
        continue;

      g_value_init (&value, props[i]->value_type);
      g_object_get_property (G_OBJECT (cert), props[i]->name, &value);
    }
}

/* ------------------------------------------------------------------ */
/* Errors                                                               */

static void
assert_pem_fails (const char *pem,
                  GQuark      domain,
                  int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = dial_tls_certificate_new_from_pem (pem, -1, &error);

  g_assert_null (cert);
  g_assert_error (error, domain, code);
}

static void
test_malformed (void)
{
  g_autofree char *truncated = g_strndup (t.leaf->pem, strlen (t.leaf->pem) - 30);
  g_autofree char *bad_body = g_strdup (t.leaf->pem);
  g_autofree char *truncated_key = g_strndup (t.leaf->key_pem, strlen (t.leaf->key_pem) - 30);
  g_autofree char *bad_key = g_strdup (t.leaf->key_pem);
  g_autofree char *cert_then_bad_key = NULL;
  g_autofree char *cert_then_truncated_key = NULL;
  g_autofree char *encrypted = NULL;
  g_autofree char *no_key_file = write_file ("no-key.pem", t.leaf->pem);
  g_autofree char *garbage_file = write_file ("garbage.pem", "garbage\n");
  g_autoptr(GError) error = NULL;
  GTlsCertificate *cert;
  gnutls_datum_t datum;

  assert_pem_fails ("", G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  assert_pem_fails ("garbage\n", G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  assert_pem_fails (truncated, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);

  /* A body that is not base64 DER. */
  memset (bad_body + strlen ("-----BEGIN CERTIFICATE-----\n") + 10, '!', 8);
  assert_pem_fails (bad_body, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);

  /* The same for keys. */
  memset (bad_key + strlen ("-----BEGIN PRIVATE KEY-----\n") + 10, '!', 8);
  cert_then_bad_key = g_strconcat (t.leaf->pem, bad_key, NULL);
  assert_pem_fails (cert_then_bad_key, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  cert_then_truncated_key = g_strconcat (t.leaf->pem, truncated_key, NULL);
  assert_pem_fails (cert_then_truncated_key, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);

  /* Encrypted keys are refused, as by GIO. */
  check_gnutls (gnutls_x509_privkey_export2_pkcs8 (t.leaf->key, GNUTLS_X509_FMT_PEM, "secret",
                                                   GNUTLS_PKCS_PBES2_AES_256, &datum));
  encrypted = g_strconcat (t.leaf->pem, (char *) datum.data, NULL);
  gnutls_free (datum.data);
  g_assert_nonnull (strstr (encrypted, "ENCRYPTED PRIVATE KEY"));
  assert_pem_fails (encrypted, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);

  /* A key file without a key. */
  cert = dial_tls_certificate_new_from_files (t.chain_file, no_key_file, &error);
  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);

  cert = dial_tls_certificate_new_from_file (garbage_file, &error);
  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);

  cert = dial_tls_certificate_new_from_file ("/nonexistent/dial.pem", &error);
  g_assert_null (cert);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);
}

/* Found by fuzzing/fuzz-pem-certificate against GIO: the key block is
 * found as GIO finds it, so a header with damaged dashes is no header of
 * its own but the start of a block that is refused, not a certificate
 * without a key. */
static void
test_private_key_damaged_header (void)
{
  g_auto(GStrv) parts = g_strsplit (t.leaf->key_pem, "-----BEGIN PRIVATE KEY-----", 2);
  g_autofree char *damaged = NULL;
  g_autofree char *pem = NULL;

  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  damaged = g_strconcat (parts[0], "-----BEGIN PRIVATE KEY--\x8e--", parts[1], NULL);
  pem = g_strconcat (t.leaf->pem, damaged, NULL);
  assert_pem_fails (pem, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
}

static void
test_malformed_pkcs12 (void)
{
  g_autofree char *p12 = write_file ("garbage.p12", "not a PKCS #12 file");
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = dial_tls_certificate_new_from_file (p12, &error);

  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
}

/* A PKCS #12 file of @tc's certificate and key, and of @chain_cert after
 * it, encrypted with @password (NULL: no encryption, no MAC password). */
static GByteArray *
make_pkcs12 (TestCert   *tc,
             TestCert   *chain_cert,
             const char *password)
{
  gnutls_pkcs12_t p12;
  gnutls_pkcs12_bag_t cert_bag;
  gnutls_pkcs12_bag_t key_bag;
  gnutls_datum_t key_id;
  gnutls_datum_t der;
  guint8 id[64];
  size_t id_size = sizeof id;
  GByteArray *array;
  int index;

  check_gnutls (gnutls_x509_crt_get_key_id (tc->crt, 0, id, &id_size));
  key_id.data = id;
  key_id.size = id_size;

  check_gnutls (gnutls_pkcs12_bag_init (&cert_bag));
  index = gnutls_pkcs12_bag_set_crt (cert_bag, tc->crt);
  check_gnutls (index);
  check_gnutls (gnutls_pkcs12_bag_set_key_id (cert_bag, index, &key_id));
  if (chain_cert != NULL)
    check_gnutls (gnutls_pkcs12_bag_set_crt (cert_bag, chain_cert->crt));

  check_gnutls (gnutls_pkcs12_bag_init (&key_bag));
  index = gnutls_pkcs12_bag_set_privkey (key_bag, tc->key, password,
                                         password != NULL ? GNUTLS_PKCS_PBES2_AES_256 : GNUTLS_PKCS_PLAIN);
  check_gnutls (index);
  check_gnutls (gnutls_pkcs12_bag_set_key_id (key_bag, index, &key_id));

  check_gnutls (gnutls_pkcs12_init (&p12));
  check_gnutls (gnutls_pkcs12_set_bag (p12, cert_bag));
  check_gnutls (gnutls_pkcs12_set_bag (p12, key_bag));
  check_gnutls (gnutls_pkcs12_generate_mac (p12, password != NULL ? password : ""));
  check_gnutls (gnutls_pkcs12_export2 (p12, GNUTLS_X509_FMT_DER, &der));

  array = g_byte_array_new ();
  g_byte_array_append (array, der.data, der.size);
  gnutls_free (der.data);
  gnutls_pkcs12_bag_deinit (cert_bag);
  gnutls_pkcs12_bag_deinit (key_bag);
  gnutls_pkcs12_deinit (p12);
  return array;
}

static void
test_pkcs12 (void)
{
  g_autoptr(GByteArray) plain = make_pkcs12 (t.leaf, t.intermediate, NULL);
  g_autoptr(GByteArray) locked = make_pkcs12 (t.leaf, NULL, "secret");
  g_autofree char *path = g_build_filename (t.dir, "leaf.p12", NULL);
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autoptr(GTlsCertificate) with_password = NULL;
  g_autoptr(GTlsCertificate) wrong = NULL;
  g_autoptr(GTlsCertificate) missing = NULL;
  g_autoptr(GByteArray) key = NULL;
  g_autoptr(GByteArray) expected_key = NULL;
  g_autoptr(GTlsCertificate) from_pem = cert_from_pem (t.leaf->pem, t.leaf->key_pem, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) plain->data, plain->len, &error);
  g_assert_no_error (error);

  /* A name ending in .p12 is read as PKCS #12 with no password. */
  cert = dial_tls_certificate_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_true (g_tls_certificate_is_same (cert, from_pem));
  g_object_get (cert, "private-key", &key, NULL);
  g_object_get (from_pem, "private-key", &expected_key, NULL);
  g_assert_nonnull (key);
  g_assert_cmpmem (key->data, key->len, expected_key->data, expected_key->len);
  g_unlink (path);

  if (!builtin ())
    return;

  assert_chain (cert, t.leaf, t.intermediate, NULL);

  with_password = g_initable_new (DIAL_TYPE_TLS_CERTIFICATE, NULL, &error,
                                  "pkcs12-data", locked, "password", "secret", NULL);
  g_assert_no_error (error);
  g_assert_true (g_tls_certificate_is_same (with_password, from_pem));

  wrong = g_initable_new (DIAL_TYPE_TLS_CERTIFICATE, NULL, &error,
                          "pkcs12-data", locked, "password", "wrong", NULL);
  g_assert_null (wrong);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE_PASSWORD);
  g_clear_error (&error);

  missing = g_initable_new (DIAL_TYPE_TLS_CERTIFICATE, NULL, &error, "pkcs12-data", locked, NULL);
  g_assert_null (missing);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE_PASSWORD);
}

static void
test_encrypted_key_with_password (void)
{
  g_autofree char *encrypted = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autoptr(GTlsCertificate) wrong = NULL;
  g_autoptr(GByteArray) key = NULL;
  g_autoptr(GError) error = NULL;
  gnutls_datum_t datum;

  if (!builtin ())
    {
      g_test_skip ("the password of a PEM key is the built-in provider's");
      return;
    }

  check_gnutls (gnutls_x509_privkey_export2_pkcs8 (t.leaf->key, GNUTLS_X509_FMT_PEM, "secret",
                                                   GNUTLS_PKCS_PBES2_AES_256, &datum));
  encrypted = datum_to_string (&datum);

  cert = g_initable_new (DIAL_TYPE_TLS_CERTIFICATE, NULL, &error,
                         "certificate-pem", t.leaf->pem,
                         "private-key-pem", encrypted,
                         "password", "secret",
                         NULL);
  g_assert_no_error (error);
  g_object_get (cert, "private-key", &key, NULL);
  g_assert_nonnull (key);

  wrong = g_initable_new (DIAL_TYPE_TLS_CERTIFICATE, NULL, &error,
                          "certificate-pem", t.leaf->pem,
                          "private-key-pem", encrypted,
                          "password", "wrong",
                          NULL);
  g_assert_null (wrong);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
}

static void
test_malformed_der (void)
{
  guint8 junk[] = { 0x30, 0x82, 0x01, 0x00, 0x01 };
  gnutls_datum_t datum = { junk, sizeof junk };
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autoptr(GByteArray) der = g_byte_array_new ();

  if (!builtin ())
    {
      g_test_skip ("DER construction is internal to the built-in provider");
      return;
    }

  cert = dial_tls_certificate_new_from_der_chain (&datum, 1, &error);
  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);

  /* Nothing at all. */
  cert = g_initable_new (DIAL_TYPE_TLS_CERTIFICATE, NULL, &error, NULL);
  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);

  g_byte_array_append (der, junk, sizeof junk);
  cert = g_initable_new (DIAL_TYPE_TLS_CERTIFICATE, NULL, &error, "certificate", der, NULL);
  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);

  cert = g_initable_new (DIAL_TYPE_TLS_CERTIFICATE, NULL, &error,
                         "certificate-pem", t.leaf->pem, "private-key", der, NULL);
  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
}

/* ------------------------------------------------------------------ */
/* GTlsCertificate.verify                                               */

static void
test_verify (void)
{
  g_autoptr(GTlsCertificate) chain = cert_from_pem (t.leaf->pem, t.intermediate->pem, NULL);
  g_autoptr(GTlsCertificate) ca = cert_from_pem (t.ca->pem, NULL);
  g_autoptr(GTlsCertificate) other_ca = cert_from_pem (t.other_ca->pem, NULL);
  g_autoptr(GTlsCertificate) direct = cert_from_pem (t.direct_leaf->pem, NULL);
  g_autoptr(GTlsCertificate) untrusted = cert_from_pem (t.untrusted->pem, NULL);
  g_autoptr(GTlsCertificate) lone_leaf = cert_from_pem (t.leaf->pem, NULL);
  g_autoptr(GSocketConnectable) localhost = g_network_address_new ("localhost", 443);

  g_assert_cmpint (g_tls_certificate_verify (chain, localhost, ca), ==, 0);
  g_assert_cmpint (g_tls_certificate_verify (direct, localhost, ca), ==, 0);
  g_assert_cmpint (g_tls_certificate_verify (chain, NULL, NULL), ==, 0);

  /* The CA must be the one the chain leads to. */
  g_assert_cmpint (g_tls_certificate_verify (untrusted, localhost, ca), ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_cmpint (g_tls_certificate_verify (chain, localhost, other_ca), ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
  /* The intermediate is missing. */
  g_assert_cmpint (g_tls_certificate_verify (lone_leaf, localhost, ca), ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_cmpint (g_tls_certificate_verify (untrusted, NULL, other_ca), ==, 0);
}

static void
test_verify_identity (void)
{
  g_autoptr(GTlsCertificate) cert = cert_from_pem (t.leaf->pem, t.intermediate->pem, NULL);
  g_autoptr(GTlsCertificate) ca = cert_from_pem (t.ca->pem, NULL);
  struct {
    GSocketConnectable   *identity;
    GTlsCertificateFlags  flags;
  } cases[] = {
    { g_network_address_new ("localhost", 443), 0 },
    /* As with glib-networking, a trailing dot does not match. */
    { g_network_address_new ("localhost.", 443), G_TLS_CERTIFICATE_BAD_IDENTITY },
    { g_network_address_new ("www.example.com", 443), 0 },
    { g_network_address_new ("WWW.Example.COM", 443), 0 },
    { g_network_address_new ("a.wild.example.com", 443), 0 },
    { g_network_address_new ("a.b.wild.example.com", 443), G_TLS_CERTIFICATE_BAD_IDENTITY },
    { g_network_address_new ("wrong.example", 443), G_TLS_CERTIFICATE_BAD_IDENTITY },
    { g_network_address_new ("127.0.0.1", 443), 0 },
    { g_network_address_new ("::1", 443), 0 },
    { g_network_address_new ("127.0.0.2", 443), G_TLS_CERTIFICATE_BAD_IDENTITY },
    { G_SOCKET_CONNECTABLE (g_inet_socket_address_new_from_string ("127.0.0.1", 443)), 0 },
    { G_SOCKET_CONNECTABLE (g_inet_socket_address_new_from_string ("::1", 443)), 0 },
    { G_SOCKET_CONNECTABLE (g_inet_socket_address_new_from_string ("10.0.0.1", 443)), G_TLS_CERTIFICATE_BAD_IDENTITY },
    { g_network_service_new ("https", "tcp", "www.example.com"), 0 },
    { g_network_service_new ("https", "tcp", "wrong.example"), G_TLS_CERTIFICATE_BAD_IDENTITY },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_socket_connectable_to_string (cases[i].identity);

      g_test_message ("identity %s", name);
      g_assert_cmpint (g_tls_certificate_verify (cert, cases[i].identity, ca), ==, cases[i].flags);
      g_assert_cmpint (g_tls_certificate_verify (cert, cases[i].identity, NULL), ==, cases[i].flags);

      if (builtin ())
        g_assert_cmpint (dial_tls_certificate_verify_identity (DIAL_TLS_CERTIFICATE (cert),
                                                               cases[i].identity),
                         ==, cases[i].flags);
      g_object_unref (cases[i].identity);
    }

  /* The name comes from the SANs, not the CN, when there are SANs. */
}

static void
test_verify_validity (void)
{
  g_autoptr(GTlsCertificate) ca = cert_from_pem (t.ca->pem, NULL);
  g_autoptr(GTlsCertificate) other_ca = cert_from_pem (t.other_ca->pem, NULL);
  g_autoptr(GTlsCertificate) expired = cert_from_pem (t.expired->pem, NULL);
  g_autoptr(GTlsCertificate) not_yet_valid = cert_from_pem (t.not_yet_valid->pem, NULL);
  g_autoptr(GSocketConnectable) localhost = g_network_address_new ("localhost", 443);
  g_autoptr(GSocketConnectable) wrong = g_network_address_new ("wrong.example", 443);

  g_assert_cmpint (g_tls_certificate_verify (expired, localhost, ca), ==, G_TLS_CERTIFICATE_EXPIRED);
  g_assert_cmpint (g_tls_certificate_verify (not_yet_valid, localhost, ca), ==,
                   G_TLS_CERTIFICATE_NOT_ACTIVATED);
  g_assert_cmpint (g_tls_certificate_verify (expired, wrong, ca), ==,
                   G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_assert_cmpint (g_tls_certificate_verify (expired, localhost, other_ca), ==,
                   G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_UNKNOWN_CA);

  /* Found by fuzzing/fuzz-pem-certificate against GIO: gnutls reports
   * the first time problem it finds, and so does GIO: a certificate not
   * yet valid that also expired is only NOT_ACTIVATED. */
  {
    TestCert *backwards = test_cert_new (&(TestCertSpec) { .cn = "localhost", .dns = { "localhost" },
                                                            .not_before = DAY, .not_after = -DAY,
                                                            .issuer = t.ca });
    g_autoptr(GTlsCertificate) cert = cert_from_pem (backwards->pem, NULL);

    g_assert_cmpint (g_tls_certificate_verify (cert, localhost, ca), ==, G_TLS_CERTIFICATE_NOT_ACTIVATED);
    test_cert_free (backwards);
  }

  /* As with glib-networking, times are only checked against a CA. */
  g_assert_cmpint (g_tls_certificate_verify (expired, localhost, NULL), ==, 0);
  g_assert_cmpint (g_tls_certificate_verify (not_yet_valid, localhost, NULL), ==, 0);

  /* A CA verifies against itself. */
  g_assert_cmpint (g_tls_certificate_verify (ca, NULL, ca), ==, 0);
}

/* ------------------------------------------------------------------ */
/* The verify status mapping                                            */

static void
test_status_mapping (void)
{
  const struct {
    unsigned int          status;
    GTlsCertificateFlags  flags;
  } cases[] = {
    { 0, 0 },
    { GNUTLS_CERT_INVALID, G_TLS_CERTIFICATE_GENERIC_ERROR },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND, G_TLS_CERTIFICATE_UNKNOWN_CA },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_CA, G_TLS_CERTIFICATE_UNKNOWN_CA },
    { GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA, G_TLS_CERTIFICATE_UNKNOWN_CA },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_NOT_ACTIVATED, G_TLS_CERTIFICATE_NOT_ACTIVATED },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED, G_TLS_CERTIFICATE_EXPIRED },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_REVOKED, G_TLS_CERTIFICATE_REVOKED },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_INSECURE_ALGORITHM, G_TLS_CERTIFICATE_INSECURE },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_UNEXPECTED_OWNER, G_TLS_CERTIFICATE_BAD_IDENTITY },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNATURE_FAILURE, G_TLS_CERTIFICATE_GENERIC_ERROR },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE, G_TLS_CERTIFICATE_GENERIC_ERROR },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_PURPOSE_MISMATCH, G_TLS_CERTIFICATE_GENERIC_ERROR },
    { GNUTLS_CERT_MISMATCH, G_TLS_CERTIFICATE_GENERIC_ERROR },
    { GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS, G_TLS_CERTIFICATE_GENERIC_ERROR },
    { GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED, G_TLS_CERTIFICATE_GENERIC_ERROR },
    { GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE, G_TLS_CERTIFICATE_GENERIC_ERROR },
    { GNUTLS_CERT_MISSING_OCSP_STATUS, G_TLS_CERTIFICATE_GENERIC_ERROR },
    { GNUTLS_CERT_INVALID_OCSP_STATUS, G_TLS_CERTIFICATE_GENERIC_ERROR },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED | GNUTLS_CERT_SIGNER_NOT_FOUND,
      G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_UNKNOWN_CA },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED | GNUTLS_CERT_SIGNATURE_FAILURE,
      G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_GENERIC_ERROR },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_NOT_ACTIVATED | GNUTLS_CERT_EXPIRED |
      GNUTLS_CERT_REVOKED | GNUTLS_CERT_INSECURE_ALGORITHM | GNUTLS_CERT_UNEXPECTED_OWNER,
      G_TLS_CERTIFICATE_NOT_ACTIVATED | G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_REVOKED |
      G_TLS_CERTIFICATE_INSECURE | G_TLS_CERTIFICATE_BAD_IDENTITY },
    /* A bit gnutls may add one day. */
    { 1u << 30, G_TLS_CERTIFICATE_GENERIC_ERROR },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("status 0x%x", cases[i].status);
      g_assert_cmphex (dial_tls_certificate_flags_from_gnutls (cases[i].status), ==, cases[i].flags);
    }
}

/* ------------------------------------------------------------------ */
/* Chains as servers send them (internal)                               */

static GTlsCertificate *
cert_from_der_chain (TestCert *first,
                     ...)
{
  g_autoptr(GPtrArray) ders = g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref);
  g_autofree gnutls_datum_t *datums = NULL;
  g_autoptr(GError) error = NULL;
  GTlsCertificate *cert;
  va_list args;

  va_start (args, first);
  for (TestCert *tc = first; tc != NULL; tc = va_arg (args, TestCert *))
    g_ptr_array_add (ders, crt_der (tc->crt));
  va_end (args);

  datums = g_new0 (gnutls_datum_t, ders->len);
  for (guint i = 0; i < ders->len; i++)
    {
      GByteArray *der = ders->pdata[i];

      datums[i].data = der->data;
      datums[i].size = der->len;
    }

  cert = dial_tls_certificate_new_from_der_chain (datums, ders->len, &error);
  g_assert_no_error (error);
  g_assert_true (DIAL_IS_TLS_CERTIFICATE (cert));
  return cert;
}

static void
test_der_chain (void)
{
  g_autoptr(GTlsCertificate) ordered = NULL;
  g_autoptr(GTlsCertificate) unordered = NULL;
  g_autoptr(GTlsCertificate) duplicates = NULL;
  g_autoptr(GTlsCertificate) extras = NULL;
  g_autoptr(GTlsCertificate) leaf_only = NULL;
  g_autoptr(GTlsCertificate) self_signed = NULL;

  if (!builtin ())
    {
      g_test_skip ("peer chains are built by the built-in provider");
      return;
    }

  ordered = cert_from_der_chain (t.leaf, t.intermediate, t.ca, NULL);
  assert_chain (ordered, t.leaf, t.intermediate, t.ca, NULL);

  unordered = cert_from_der_chain (t.leaf, t.ca, t.intermediate, NULL);
  assert_chain (unordered, t.leaf, t.intermediate, t.ca, NULL);

  duplicates = cert_from_der_chain (t.leaf, t.intermediate, t.intermediate, t.leaf, t.ca, t.ca, NULL);
  assert_chain (duplicates, t.leaf, t.intermediate, t.ca, NULL);

  /* Certificates that issued nothing in the chain are dropped. */
  extras = cert_from_der_chain (t.leaf, t.other_ca, t.untrusted, t.intermediate, NULL);
  assert_chain (extras, t.leaf, t.intermediate, NULL);

  leaf_only = cert_from_der_chain (t.leaf, t.other_ca, NULL);
  assert_chain (leaf_only, t.leaf, NULL);

  /* A self-signed certificate ends the chain, even with more after it. */
  self_signed = cert_from_der_chain (t.ca, t.ca, t.intermediate, NULL);
  assert_chain (self_signed, t.ca, NULL);
}

static void
test_der_chain_cycle (void)
{
  TestCert *fake_b;
  TestCert *a;
  TestCert *b;
  g_autoptr(GTlsCertificate) chain = NULL;

  if (!builtin ())
    {
      g_test_skip ("peer chains are built by the built-in provider");
      return;
    }

  /* A is issued by B, and B by A: each names the other as issuer, by
   * name and by key identifier. */
  fake_b = test_cert_new (&(TestCertSpec) { .cn = "B", .ca = TRUE });
  a = test_cert_new (&(TestCertSpec) { .cn = "A", .ca = TRUE, .issuer = fake_b });
  b = test_cert_new (&(TestCertSpec) { .cn = "B", .ca = TRUE, .issuer = a, .same_key_as = fake_b });
  g_assert_true (gnutls_x509_crt_check_issuer (a->crt, b->crt));
  g_assert_true (gnutls_x509_crt_check_issuer (b->crt, a->crt));

  chain = cert_from_der_chain (a, b, a, b, NULL);
  assert_chain (chain, a, b, NULL);

  test_cert_free (fake_b);
  test_cert_free (a);
  test_cert_free (b);
}

static void
test_credentials (void)
{
  g_autoptr(GTlsCertificate) with_key = NULL;
  g_autoptr(GTlsCertificate) without_key = NULL;
  g_autoptr(GError) error = NULL;
  gnutls_pcert_st *pcerts = NULL;
  unsigned int n_pcerts = 0;
  gnutls_privkey_t key = NULL;
  gnutls_datum_t data = { (unsigned char *) "hello", 5 };
  gnutls_datum_t signature = { NULL, 0 };

  if (!builtin ())
    {
      g_test_skip ("credentials are internal to the built-in provider");
      return;
    }

  with_key = cert_from_pem (t.leaf->pem, t.leaf->key_pem, t.intermediate->pem, NULL);
  g_assert_true (dial_tls_certificate_get_credentials (DIAL_TLS_CERTIFICATE (with_key),
                                                       &pcerts, &n_pcerts, &key, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_pcerts, ==, 2);
  g_assert_nonnull (key);

  /* The key signs what the leaf's public key verifies. */
  check_gnutls (gnutls_privkey_sign_data (key, GNUTLS_DIG_SHA256, 0, &data, &signature));
  g_assert_cmpint (gnutls_pubkey_verify_data2 (pcerts[0].pubkey, GNUTLS_SIGN_ECDSA_SHA256, 0,
                                               &data, &signature), >=, 0);
  gnutls_free (signature.data);
  dial_tls_certificate_free_credentials (pcerts, n_pcerts, key);

  /* A certificate without its key cannot authenticate. */
  without_key = cert_from_pem (t.leaf->pem, NULL);
  pcerts = NULL;
  key = NULL;
  g_assert_false (dial_tls_certificate_get_credentials (DIAL_TLS_CERTIFICATE (without_key),
                                                        &pcerts, &n_pcerts, &key, &error));
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_null (pcerts);
  g_assert_null (key);
}

/* ------------------------------------------------------------------ */
/* Databases                                                            */

static void
test_file_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = dial_tls_file_database_new (t.ca_file, &error);
  g_autoptr(GTlsCertificate) chain = cert_from_pem (t.leaf->pem, t.intermediate->pem, NULL);
  g_autoptr(GTlsCertificate) full_chain = cert_from_pem (t.leaf->pem, t.intermediate->pem, t.ca->pem, NULL);
  g_autoptr(GTlsCertificate) direct = cert_from_pem (t.direct_leaf->pem, NULL);
  g_autoptr(GTlsCertificate) untrusted = cert_from_pem (t.untrusted->pem, t.other_ca->pem, NULL);
  g_autoptr(GTlsCertificate) expired = cert_from_pem (t.expired->pem, NULL);
  g_autoptr(GTlsCertificate) not_yet_valid = cert_from_pem (t.not_yet_valid->pem, NULL);
  g_autoptr(GTlsCertificate) lone_leaf = cert_from_pem (t.leaf->pem, NULL);
  g_autoptr(GSocketConnectable) localhost = g_network_address_new ("localhost", 443);
  g_autoptr(GSocketConnectable) wrong = g_network_address_new ("wrong.example", 443);
  g_autoptr(GSocketConnectable) ip = G_SOCKET_CONNECTABLE (g_inet_socket_address_new_from_string ("127.0.0.1", 443));
  g_autofree char *anchors = NULL;
  const char *server = G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER;
  GTlsCertificateFlags flags;

  g_assert_no_error (error);
  g_assert_true (G_IS_TLS_FILE_DATABASE (database));
  g_object_get (database, "anchors", &anchors, NULL);
  g_assert_cmpstr (anchors, ==, t.ca_file);

#define VERIFY(cert, identity) \
  g_tls_database_verify_chain (database, cert, server, identity, NULL, \
                               G_TLS_DATABASE_VERIFY_NONE, NULL, &error)

  flags = VERIFY (chain, localhost);
  g_assert_no_error (error);
  g_assert_cmpint (flags, ==, 0);
  g_assert_cmpint (VERIFY (full_chain, localhost), ==, 0);
  g_assert_cmpint (VERIFY (direct, localhost), ==, 0);
  g_assert_cmpint (VERIFY (chain, ip), ==, 0);
  g_assert_cmpint (VERIFY (chain, NULL), ==, 0);
  g_assert_cmpint (VERIFY (chain, wrong), ==, G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_assert_cmpint (VERIFY (untrusted, localhost), ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_cmpint (VERIFY (lone_leaf, localhost), ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_cmpint (VERIFY (expired, localhost), ==, G_TLS_CERTIFICATE_EXPIRED);
  g_assert_cmpint (VERIFY (not_yet_valid, localhost), ==, G_TLS_CERTIFICATE_NOT_ACTIVATED);
  g_assert_cmpint (VERIFY (expired, wrong), ==, G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_assert_no_error (error);

#undef VERIFY
}

static void
test_file_database_purpose (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = dial_tls_file_database_new (t.ca_file, &error);
  g_autoptr(GTlsCertificate) client_only = cert_from_pem (t.client_only->pem, NULL);
  GTlsCertificateFlags flags;

  if (!builtin ())
    {
      /* glib-networking 2.74 does not check the purpose. */
      g_test_skip ("the purpose check is the built-in provider's");
      return;
    }

  flags = g_tls_database_verify_chain (database, client_only, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                       NULL, NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (flags, ==, G_TLS_CERTIFICATE_GENERIC_ERROR);

  flags = g_tls_database_verify_chain (database, client_only, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_CLIENT,
                                       NULL, NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (flags, ==, 0);
}

static void
test_file_database_lookups (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = dial_tls_file_database_new (t.ca_file, &error);
  g_autoptr(GTlsCertificate) intermediate = cert_from_pem (t.intermediate->pem, NULL);
  g_autoptr(GTlsCertificate) ca = cert_from_pem (t.ca->pem, NULL);
  g_autoptr(GTlsCertificate) untrusted = cert_from_pem (t.untrusted->pem, NULL);
  g_autoptr(GTlsCertificate) issuer = NULL;
  g_autoptr(GTlsCertificate) nothing = NULL;
  g_autoptr(GTlsCertificate) by_handle = NULL;
  g_autolist(GTlsCertificate) issued = NULL;
  g_autoptr(GByteArray) ca_dn = g_byte_array_new ();
  g_autofree char *handle = NULL;
  g_autofree char *no_handle = NULL;
  gnutls_datum_t dn;

  g_assert_no_error (error);

  issuer = g_tls_database_lookup_certificate_issuer (database, intermediate, NULL,
                                                     G_TLS_DATABASE_LOOKUP_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (issuer);
  g_assert_true (g_tls_certificate_is_same (issuer, ca));

  nothing = g_tls_database_lookup_certificate_issuer (database, untrusted, NULL,
                                                      G_TLS_DATABASE_LOOKUP_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (nothing);

  /* The CA issued itself; it is the only anchor. */
  check_gnutls (gnutls_x509_crt_get_raw_dn (t.ca->crt, &dn));
  g_byte_array_append (ca_dn, dn.data, dn.size);
  gnutls_free (dn.data);
  issued = g_tls_database_lookup_certificates_issued_by (database, ca_dn, NULL,
                                                         G_TLS_DATABASE_LOOKUP_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (issued), ==, 1);
  g_assert_true (g_tls_certificate_is_same (issued->data, ca));

  handle = g_tls_database_create_certificate_handle (database, ca);
  g_assert_nonnull (handle);
  by_handle = g_tls_database_lookup_certificate_for_handle (database, handle, NULL,
                                                            G_TLS_DATABASE_LOOKUP_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (by_handle);
  g_assert_true (g_tls_certificate_is_same (by_handle, ca));

  if (builtin ())
    {
      /* Only anchors have handles here. */
      no_handle = g_tls_database_create_certificate_handle (database, untrusted);
      g_assert_null (no_handle);
    }
}

static void
test_file_database_errors (void)
{
  g_autofree char *empty = write_file ("empty-anchors.pem", "");
  g_autofree char *garbage = write_file ("garbage-anchors.pem", "garbage\n");
  const char *files[] = { "/nonexistent/anchors.pem", empty, garbage };

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GTlsDatabase) database = dial_tls_file_database_new (files[i], &error);

      g_assert_null (database);
      g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC);
    }
}

static void
test_system_database (void)
{
  g_autoptr(GTlsDatabase) database = dial_tls_get_default_database ();
  g_autoptr(GTlsDatabase) again = dial_tls_get_default_database ();
  g_autoptr(GTlsCertificate) chain = cert_from_pem (t.leaf->pem, t.intermediate->pem, NULL);
  g_autoptr(GSocketConnectable) localhost = g_network_address_new ("localhost", 443);
  g_autoptr(GError) error = NULL;
  GTlsCertificateFlags flags;

  if (database == NULL)
    {
      g_test_skip ("this system has no trust store");
      return;
    }

  g_assert_true (database == again);

  /* Our test CA is not a system anchor. */
  flags = g_tls_database_verify_chain (database, chain, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                       localhost, NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (flags, ==, G_TLS_CERTIFICATE_UNKNOWN_CA);

  if (builtin ())
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GTlsDatabase) system = dial_tls_database_new_system (&local_error);
      gnutls_certificate_credentials_t credentials;

      g_assert_no_error (local_error);
      g_assert_true (G_IS_TLS_FILE_DATABASE (system));
      g_assert_nonnull (dial_tls_database_get_trust_list (DIAL_TLS_DATABASE (system)));
      credentials = dial_tls_database_get_credentials (DIAL_TLS_DATABASE (system), &local_error);
      g_assert_no_error (local_error);
      g_assert_nonnull (credentials);
      g_assert_true (credentials == dial_tls_database_get_credentials (DIAL_TLS_DATABASE (system), NULL));
    }
}

static void
test_database_cancelled (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = dial_tls_file_database_new (t.ca_file, &error);
  g_autoptr(GTlsCertificate) chain = cert_from_pem (t.leaf->pem, t.intermediate->pem, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GTlsCertificateFlags flags;

  g_cancellable_cancel (cancellable);
  flags = g_tls_database_verify_chain (database, chain, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                       NULL, NULL, G_TLS_DATABASE_VERIFY_NONE, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (flags, ==, G_TLS_CERTIFICATE_GENERIC_ERROR);
}

static void
verify_async_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTlsCertificateFlags *flags = user_data;
  g_autoptr(GError) error = NULL;

  *flags = g_tls_database_verify_chain_finish (G_TLS_DATABASE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_database_verify_async (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = dial_tls_file_database_new (t.ca_file, &error);
  g_autoptr(GTlsCertificate) chain = cert_from_pem (t.leaf->pem, t.intermediate->pem, NULL);
  g_autoptr(GSocketConnectable) wrong = g_network_address_new ("wrong.example", 443);
  GTlsCertificateFlags flags = G_TLS_CERTIFICATE_VALIDATE_ALL;

  g_tls_database_verify_chain_async (database, chain, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                     wrong, NULL, G_TLS_DATABASE_VERIFY_NONE, NULL,
                                     verify_async_cb, &flags);
  while (flags == G_TLS_CERTIFICATE_VALIDATE_ALL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (flags, ==, G_TLS_CERTIFICATE_BAD_IDENTITY);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  setup_certificates ();

  g_test_add_func ("/tls/certificate/provider", test_provider);
  g_test_add_func ("/tls/certificate/pem-der-round-trip", test_pem_der_round_trip);
  g_test_add_func ("/tls/certificate/der-construct", test_der_construct);
  g_test_add_func ("/tls/certificate/private-key-formats", test_private_key_formats);
  g_test_add_func ("/tls/certificate/no-private-key", test_no_private_key);
  g_test_add_func ("/tls/certificate/chain", test_chain);
  g_test_add_func ("/tls/certificate/chain-not-linked", test_chain_not_linked);
  g_test_add_func ("/tls/certificate/chain-truncated", test_chain_truncated);
  g_test_add_func ("/tls/certificate/list-from-file", test_list_from_file);
  g_test_add_func ("/tls/certificate/names", test_names);
  g_test_add_func ("/tls/certificate/validity", test_validity);
  g_test_add_func ("/tls/certificate/subject-alt-names", test_subject_alt_names);
  g_test_add_func ("/tls/certificate/properties-readable", test_properties_readable);
  g_test_add_func ("/tls/certificate/malformed", test_malformed);
  g_test_add_func ("/tls/certificate/private-key-damaged-header", test_private_key_damaged_header);
  g_test_add_func ("/tls/certificate/pkcs12", test_pkcs12);
  g_test_add_func ("/tls/certificate/encrypted-key-with-password", test_encrypted_key_with_password);
  g_test_add_func ("/tls/certificate/malformed-pkcs12", test_malformed_pkcs12);
  g_test_add_func ("/tls/certificate/malformed-der", test_malformed_der);
  g_test_add_func ("/tls/certificate/verify/trusted-ca", test_verify);
  g_test_add_func ("/tls/certificate/verify/identity", test_verify_identity);
  g_test_add_func ("/tls/certificate/verify/validity", test_verify_validity);
  g_test_add_func ("/tls/certificate/status-mapping", test_status_mapping);
  g_test_add_func ("/tls/certificate/der-chain", test_der_chain);
  g_test_add_func ("/tls/certificate/der-chain-cycle", test_der_chain_cycle);
  g_test_add_func ("/tls/certificate/credentials", test_credentials);
  g_test_add_func ("/tls/database/file", test_file_database);
  g_test_add_func ("/tls/database/file-purpose", test_file_database_purpose);
  g_test_add_func ("/tls/database/file-lookups", test_file_database_lookups);
  g_test_add_func ("/tls/database/file-errors", test_file_database_errors);
  g_test_add_func ("/tls/database/system", test_system_database);
  g_test_add_func ("/tls/database/cancelled", test_database_cancelled);
  g_test_add_func ("/tls/database/verify-async", test_database_verify_async);

  ret = g_test_run ();

  teardown_certificates ();
  return ret;
}
