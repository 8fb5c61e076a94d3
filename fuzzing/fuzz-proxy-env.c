/* fuzz-proxy-env.c: proxy URIs and no_proxy lists from the environment
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: lines.  A line that starts with "?" is a destination URI to look
 * up; any other line is an environment entry ("http_proxy=…").  Without a
 * destination, a fixed set is looked up.
 *
 * Checked: every lookup answers, synchronously and asynchronously alike;
 * "direct://" comes alone; every proxy URI is one GIO's proxy address
 * enumerator parses (what it cannot parse it logs whole, password
 * included) and has a lower-case scheme; "socks" stands for socks5,
 * socks4a and socks4; the credentials GIO takes from an http(s) proxy URI
 * make a CONNECT request with no line in it but its own.
 */

#include "config.h"

#include <string.h>

#include <dial/dial.h>

#include "fuzz.h"

static const char * const fixed_destinations[] = {
  "http://example.com/",
  "https://www.example.com:8443/path",
  "ftp://10.1.2.3/",
  "https://[::1]/",
  "irc://localhost:6667",
  "not a uri",
};

typedef struct
{
  gboolean  done;
  GStrv     proxies;
  GError   *error;
} Lookup;

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Lookup *lookup = user_data;

  lookup->proxies = g_proxy_resolver_lookup_finish (G_PROXY_RESOLVER (source), result,
                                                    &lookup->error);
  lookup->done = TRUE;
}

static void
check_proxy (const char *proxy)
{
  g_autoptr(GSocketConnectable) address = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *scheme = g_uri_parse_scheme (proxy);
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;

  g_assert_nonnull (scheme);
  for (const char *p = scheme; *p != '\0'; p++)
    g_assert_false (g_ascii_isupper (*p));
  g_assert_true (g_str_has_prefix (proxy, scheme));

  address = g_network_address_parse_uri (proxy, 0, &error);
  if (address == NULL)
    g_error ("GIO cannot parse the proxy URI “%s”: %s", proxy, error->message);

  if (strcmp (scheme, "http") != 0 && strcmp (scheme, "https") != 0)
    return;

  /* As GProxyAddressEnumerator takes them: decoded. */
  g_uri_split_with_user (proxy, G_URI_FLAGS_HAS_PASSWORD, NULL, &username, &password,
                         NULL, NULL, NULL, NULL, NULL, NULL, NULL);
  fuzz_check_proxy_requests ("example.com", 443, username, password);
}

static void
check_lookup (GProxyResolver *resolver,
              const char     *destination)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) proxies = g_proxy_resolver_lookup (resolver, destination, NULL, &error);
  g_autoptr(GMainContext) context = g_main_context_new ();
  Lookup lookup = { 0, };
  guint n;

  g_main_context_push_thread_default (context);
  g_proxy_resolver_lookup_async (resolver, destination, NULL, lookup_cb, &lookup);
  while (!lookup.done)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  /* GIO itself refuses what is not a URI, before any resolver sees it. */
  if (proxies == NULL)
    {
      g_assert_false (g_uri_is_valid (destination, G_URI_FLAGS_NONE, NULL));
      g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
      g_assert_true (g_error_matches (lookup.error, error->domain, error->code));
      g_assert_null (lookup.proxies);
      g_clear_error (&lookup.error);
      return;
    }
  g_assert_no_error (error);
  g_assert_no_error (lookup.error);
  g_assert_true (g_strv_equal ((const char * const *) proxies,
                               (const char * const *) lookup.proxies));
  g_strfreev (lookup.proxies);
  n = g_strv_length (proxies);
  g_assert_cmpuint (n, >=, 1);

  if (strcmp (proxies[0], "direct://") == 0)
    g_assert_cmpuint (n, ==, 1);
  else
    for (guint i = 0; i < n; i++)
      check_proxy (proxies[i]);

  /* One URI per variable, but "socks" stands for three. */
  if (n > 1)
    {
      const char *rest = proxies[0] + strlen ("socks5");

      g_assert_cmpuint (n, ==, 3);
      g_assert_true (g_str_has_prefix (proxies[0], "socks5:"));
      g_assert_true (g_str_has_prefix (proxies[1], "socks4a:") && strcmp (proxies[1] + 7, rest) == 0);
      g_assert_true (g_str_has_prefix (proxies[2], "socks4:") && strcmp (proxies[2] + 6, rest) == 0);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_auto(GStrv) lines = fuzz_split (data, size, '\n', G_MAXUINT);
  g_autoptr(GStrvBuilder) environ_builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) destinations = g_ptr_array_new ();
  g_auto(GStrv) envp = NULL;
  g_autoptr(GProxyResolver) resolver = NULL;

  fuzz_set_up (FUZZ_SET_UP_DEFAULT);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '?')
        g_ptr_array_add (destinations, lines[i] + 1);
      else if (lines[i][0] != '\0')
        g_strv_builder_add (environ_builder, lines[i]);
    }
  if (destinations->len == 0)
    for (guint i = 0; i < G_N_ELEMENTS (fixed_destinations); i++)
      g_ptr_array_add (destinations, (gpointer) fixed_destinations[i]);

  envp = g_strv_builder_end (environ_builder);
  resolver = dial_environment_proxy_resolver_new_for_environ ((const char * const *) envp);
  g_assert_true (g_proxy_resolver_is_supported (resolver));

  for (guint i = 0; i < destinations->len; i++)
    check_lookup (resolver, destinations->pdata[i]);

  return 0;
}
