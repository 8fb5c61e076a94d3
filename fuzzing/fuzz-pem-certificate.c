/* fuzz-pem-certificate.c: PEM certificate input to the built-in provider
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: PEM data (certificates, private keys, anything), handed to
 * dial_tls_certificate_new_from_pem() with DIAL_TLS_PROVIDER=builtin.
 *
 * Checked: a certificate or a G_TLS_ERROR_BAD_CERTIFICATE, never both;
 * every property of the certificate and of its issuers can be read; its
 * PEM reads back as the same certificate; verifying it against its own
 * chain, with an identity, completes.  Where GIO has a TLS backend
 * (glib-networking), GIO's g_tls_certificate_new_from_pem() must agree on
 * whether the data holds a certificate, on which one, on its private key,
 * on its chain of issuers and on what verifying that chain finds.
 */

#include "config.h"

#include <dial/dial.h>

#include "fuzz.h"

#if defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define FUZZ_HAVE_LSAN 1
# endif
#elif defined(__SANITIZE_ADDRESS__)
# define FUZZ_HAVE_LSAN 1
#endif
#ifdef FUZZ_HAVE_LSAN
# include <sanitizer/lsan_interface.h>
#else
# define __lsan_disable()
# define __lsan_enable()
#endif

/* A chain longer than this is a loop. */
#define MAX_CHAIN 64

static void
read_properties (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GByteArray) key = NULL;
  g_autofree char *pem = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *issuer_name = NULL;
  g_autoptr(GDateTime) not_before = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  g_autoptr(GPtrArray) dns_names = NULL;
  g_autoptr(GPtrArray) ip_addresses = NULL;
  g_autoptr(GTlsCertificate) issuer = NULL;

  g_object_get (certificate,
                "certificate", &der,
                "certificate-pem", &pem,
                "private-key", &key,
                "private-key-pem", &key_pem,
                "issuer", &issuer,
                "not-valid-before", &not_before,
                "not-valid-after", &not_after,
                "subject-name", &subject,
                "issuer-name", &issuer_name,
                "dns-names", &dns_names,
                "ip-addresses", &ip_addresses,
                NULL);

  g_assert_nonnull (der);
  g_assert_cmpuint (der->len, >, 0);
  g_assert_nonnull (pem);
  g_assert_true ((key == NULL) == (key_pem == NULL));

  if (dns_names != NULL)
    for (guint i = 0; i < dns_names->len; i++)
      g_assert_nonnull (dns_names->pdata[i]);
  if (ip_addresses != NULL)
    for (guint i = 0; i < ip_addresses->len; i++)
      g_assert_true (G_IS_INET_ADDRESS (ip_addresses->pdata[i]));

  /* Its own PEM is the same certificate. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GTlsCertificate) again = dial_tls_certificate_new_from_pem (pem, -1, &error);

    g_assert_no_error (error);
    g_assert_true (g_tls_certificate_is_same (certificate, again));
  }
}

static GBytes *
der_of (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  return g_byte_array_free_to_bytes (g_steal_pointer (&der));
}

static gboolean
has_private_key (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) key = NULL;

  g_object_get (certificate, "private-key", &key, NULL);
  return key != NULL;
}

static void
compare_with_gio (const uint8_t   *data,
                  size_t           size,
                  GTlsCertificate *ours)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) theirs = NULL;

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    return;

  /* GIO 2.74 leaks the issuers it built when the first certificate then
   * does not parse: not ours to report. */
  __lsan_disable ();
  theirs = g_tls_certificate_new_from_pem ((const char *) data, size, &error);
  __lsan_enable ();
  if ((ours == NULL) != (theirs == NULL))
    g_error ("GIO %s this input, libdial %s it%s%s",
             theirs != NULL ? "accepts" : "refuses",
             ours != NULL ? "accepts" : "refuses",
             error != NULL ? ": " : "", error != NULL ? error->message : "");
  if (ours == NULL)
    return;

  /* The same certificates, linked the same way, the key on the first. */
  g_assert_cmpint (has_private_key (ours), ==, has_private_key (theirs));
  for (GTlsCertificate *o = ours, *t = theirs;
       o != NULL || t != NULL;
       o = g_tls_certificate_get_issuer (o), t = g_tls_certificate_get_issuer (t))
    {
      g_autoptr(GBytes) our_der = NULL;
      g_autoptr(GBytes) their_der = NULL;

      if (o == NULL || t == NULL)
        g_error ("GIO's chain is %s than libdial's", o == NULL ? "longer" : "shorter");
      our_der = der_of (o);
      their_der = der_of (t);
      g_assert_true (g_bytes_equal (our_der, their_der));
    }

  /* And the same verdict on the chain, against its top, for a name. */
  {
    g_autoptr(GSocketConnectable) identity = g_network_address_new ("example.com", 443);
    GTlsCertificate *our_top = ours;
    GTlsCertificate *their_top = theirs;

    while (g_tls_certificate_get_issuer (our_top) != NULL)
      our_top = g_tls_certificate_get_issuer (our_top);
    while (g_tls_certificate_get_issuer (their_top) != NULL)
      their_top = g_tls_certificate_get_issuer (their_top);
    g_assert_cmphex (g_tls_certificate_verify (ours, identity, our_top), ==,
                     g_tls_certificate_verify (theirs, identity, their_top));
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("example.com", 443);
  GTlsCertificate *top;
  guint n = 0;

  fuzz_set_up (FUZZ_SET_UP_BUILTIN_TLS);

  if (size > G_MAXSSIZE)
    return 0;

  certificate = dial_tls_certificate_new_from_pem ((const char *) data, size, &error);
  if (certificate == NULL)
    g_assert_true (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE));
  else
    g_assert_null (error);

  compare_with_gio (data, size, certificate);

  if (certificate == NULL)
    return 0;

  /* The certificate and each of its issuers. */
  top = certificate;
  for (GTlsCertificate *c = certificate; c != NULL; c = g_tls_certificate_get_issuer (c))
    {
      g_assert_cmpuint (++n, <=, MAX_CHAIN);
      read_properties (c);
      top = c;
    }

  g_tls_certificate_verify (certificate, identity, top);
  return 0;
}
