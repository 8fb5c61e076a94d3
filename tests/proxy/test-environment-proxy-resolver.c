/* test-environment-proxy-resolver.c: DialEnvironmentProxyResolver, from
 * tables of environments and destinations.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <dial/dial.h>

#include "dial-environment-proxy-resolver-private.h"

static const char *proxy_variables[] = {
  "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
  "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY",
};

typedef struct
{
  const char *envp[6];     /* "NAME=value", NULL-terminated */
  const char *uri;         /* the destination */
  const char *expected;    /* the answer, URIs separated by spaces */
} Case;

static char *
lookup_joined (GProxyResolver *resolver,
               const char     *uri)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) proxies = g_proxy_resolver_lookup (resolver, uri, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (proxies);
  return g_strjoinv (" ", proxies);
}

static void
run_cases (const Case *cases,
           gsize       n_cases)
{
  gsize i;

  for (i = 0; i < n_cases; i++)
    {
      g_autoptr(GProxyResolver) resolver =
        dial_environment_proxy_resolver_new_for_environ (cases[i].envp);
      g_autofree char *answer = lookup_joined (resolver, cases[i].uri);

      if (strcmp (answer, cases[i].expected) != 0)
        {
          g_autofree char *joined = g_strjoinv (" ", (char **) cases[i].envp);

          g_error ("case %" G_GSIZE_FORMAT " [%s] %s: expected \"%s\", got \"%s\"",
                   i, joined, cases[i].uri, cases[i].expected, answer);
        }
    }
}

#define DIRECT "direct://"

static void
test_nothing_set (void)
{
  static const Case cases[] = {
    { { NULL }, "http://example.com:80", DIRECT },
    { { NULL }, "https://example.com:443", DIRECT },
    { { NULL }, "none://example.com:22", DIRECT },
    { { "no_proxy=example.com", NULL }, "none://other.test:22", DIRECT },
    { { "PATH=/usr/bin", "http_proxy=", "all_proxy=  ", NULL }, "http://example.com:80", DIRECT },
  };

  run_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_schemes (void)
{
  static const Case cases[] = {
    /* http_proxy: http:// destinations only. */
    { { "http_proxy=http://p.test:3128", NULL }, "http://example.com:80", "http://p.test:3128" },
    { { "http_proxy=http://p.test:3128", NULL }, "HTTP://example.com:80", "http://p.test:3128" },
    { { "http_proxy=http://p.test:3128", NULL }, "https://example.com:443", DIRECT },
    { { "http_proxy=http://p.test:3128", NULL }, "none://example.com:80", DIRECT },
    { { "http_proxy=http://p.test:3128", NULL }, "ws://example.com:80", DIRECT },
    /* https_proxy: https:// destinations only. */
    { { "https_proxy=http://p.test:3128", NULL }, "https://example.com:443", "http://p.test:3128" },
    { { "https_proxy=http://p.test:3128", NULL }, "http://example.com:80", DIRECT },
    { { "https_proxy=http://p.test:3128", NULL }, "none://example.com:443", DIRECT },
    /* all_proxy: everything else, and the fallback. */
    { { "all_proxy=socks5://s.test:1080", NULL }, "none://example.com:22", "socks5://s.test:1080" },
    { { "all_proxy=socks5://s.test:1080", NULL }, "irc://example.com:6667", "socks5://s.test:1080" },
    { { "all_proxy=socks5://s.test:1080", NULL }, "http://example.com:80", "socks5://s.test:1080" },
    { { "all_proxy=socks5://s.test:1080", NULL }, "https://example.com:443", "socks5://s.test:1080" },
    { { "all_proxy=socks5://s.test:1080", NULL }, "none://[2001:db8::1]:22", "socks5://s.test:1080" },
    /* Each scheme's own variable wins over all_proxy. */
    { { "http_proxy=http://h.test:1", "https_proxy=http://s.test:2", "all_proxy=socks5://a.test:3", NULL },
      "http://example.com:80", "http://h.test:1" },
    { { "http_proxy=http://h.test:1", "https_proxy=http://s.test:2", "all_proxy=socks5://a.test:3", NULL },
      "https://example.com:443", "http://s.test:2" },
    { { "http_proxy=http://h.test:1", "https_proxy=http://s.test:2", "all_proxy=socks5://a.test:3", NULL },
      "none://example.com:443", "socks5://a.test:3" },
    /* A destination without a host still gets all_proxy (GIO rejects
     * what is not a URI at all before the resolver sees it). */
    { { "all_proxy=socks5://s.test:1080", "no_proxy=*.test", NULL }, "mailto:x@y.test", "socks5://s.test:1080" },
  };

  run_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_case_precedence (void)
{
  static const Case cases[] = {
    /* HTTP_PROXY is never read (httpoxy). */
    { { "HTTP_PROXY=http://p.test:3128", NULL }, "http://example.com:80", DIRECT },
    { { "HTTP_PROXY=http://p.test:3128", "ALL_PROXY=socks5://a.test:1080", NULL },
      "http://example.com:80", "socks5://a.test:1080" },
    /* Upper case for the others. */
    { { "HTTPS_PROXY=http://up.test:1", NULL }, "https://example.com:443", "http://up.test:1" },
    { { "ALL_PROXY=socks5://up.test:1", NULL }, "none://example.com:22", "socks5://up.test:1" },
    /* Lower case wins. */
    { { "HTTPS_PROXY=http://up.test:1", "https_proxy=http://low.test:2", NULL },
      "https://example.com:443", "http://low.test:2" },
    { { "all_proxy=socks5://low.test:2", "ALL_PROXY=socks5://up.test:1", NULL },
      "none://example.com:22", "socks5://low.test:2" },
    /* An empty lower-case variable counts as unset. */
    { { "https_proxy=", "HTTPS_PROXY=http://up.test:1", NULL }, "https://example.com:443", "http://up.test:1" },
    { { "all_proxy= \t", "ALL_PROXY=socks5://up.test:1", NULL }, "none://example.com:22", "socks5://up.test:1" },
    /* Names are case-sensitive otherwise. */
    { { "Http_Proxy=http://p.test:3128", "All_Proxy=socks5://a.test:1", NULL }, "http://example.com:80", DIRECT },
    /* no_proxy and NO_PROXY. */
    { { "all_proxy=socks5://s.test:1", "NO_PROXY=example.com", NULL }, "none://example.com:22", DIRECT },
    { { "all_proxy=socks5://s.test:1", "no_proxy=a.test", "NO_PROXY=example.com", NULL },
      "none://example.com:22", "socks5://s.test:1" },
    { { "all_proxy=socks5://s.test:1", "no_proxy=a.test", "NO_PROXY=example.com", NULL },
      "none://a.test:22", DIRECT },
    { { "all_proxy=socks5://s.test:1", "no_proxy=", "NO_PROXY=example.com", NULL },
      "none://example.com:22", DIRECT },
  };

  run_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_values (void)
{
  static const Case cases[] = {
    /* No scheme means http://. */
    { { "all_proxy=p.test:3128", NULL }, "none://example.com:22", "http://p.test:3128" },
    { { "http_proxy=p.test", NULL }, "http://example.com:80", "http://p.test:80" },
    { { "http_proxy=user:pw@p.test:3128", NULL }, "http://example.com:80", "http://user:pw@p.test:3128" },
    /* Whitespace around the value. */
    { { "http_proxy=  http://p.test:3128 \n", NULL }, "http://example.com:80", "http://p.test:3128" },
    /* Default ports, as GIO 2.77 and later. */
    { { "http_proxy=http://p.test", NULL }, "http://example.com:80", "http://p.test:80" },
    { { "http_proxy=http://p.test/", NULL }, "http://example.com:80", "http://p.test:80/" },
    { { "https_proxy=https://p.test", NULL }, "https://example.com:443", "https://p.test:443" },
    { { "all_proxy=socks5://p.test", NULL }, "none://example.com:22", "socks5://p.test:1080" },
    { { "all_proxy=socks5h://p.test", NULL }, "none://example.com:22", "socks5h://p.test:1080" },
    { { "all_proxy=socks4a://p.test", NULL }, "none://example.com:22", "socks4a://p.test:1080" },
    { { "all_proxy=custom://p.test", NULL }, "none://example.com:22", "custom://p.test" },
    /* An explicit port stays, and so does the text. */
    { { "http_proxy=http://p.test:8080/", NULL }, "http://example.com:80", "http://p.test:8080/" },
    { { "all_proxy=socks5://p.test:9050", NULL }, "none://example.com:22", "socks5://p.test:9050" },
    /* Schemes are lower-cased. */
    { { "all_proxy=SOCKS5://P.test:9050", NULL }, "none://example.com:22", "socks5://P.test:9050" },
    { { "http_proxy=HTTP://p.test", NULL }, "http://example.com:80", "http://p.test:80" },
    /* Credentials stay as written, encoded. */
    { { "http_proxy=http://user:p%40ss@p.test:3128", NULL }, "http://example.com:80",
      "http://user:p%40ss@p.test:3128" },
    { { "http_proxy=http://user:p%40ss@p.test", NULL }, "http://example.com:80",
      "http://user:p%40ss@p.test:80" },
    { { "all_proxy=socks5://alice@p.test", NULL }, "none://example.com:22", "socks5://alice@p.test:1080" },
    /* IPv6 proxies. */
    { { "http_proxy=http://[::1]:3128", NULL }, "http://example.com:80", "http://[::1]:3128" },
    { { "http_proxy=http://[::1]", NULL }, "http://example.com:80", "http://[::1]:80" },
    { { "http_proxy=http://[fe80::1%25eth0]", NULL }, "http://example.com:80", "http://[fe80::1%25eth0]:80" },
    /* socks:// is SOCKS5, then SOCKS4a, then SOCKS4. */
    { { "all_proxy=socks://s.test:1080", NULL }, "none://example.com:22",
      "socks5://s.test:1080 socks4a://s.test:1080 socks4://s.test:1080" },
    { { "all_proxy=socks://s.test", NULL }, "none://example.com:22",
      "socks5://s.test:1080 socks4a://s.test:1080 socks4://s.test:1080" },
    { { "all_proxy=SOCKS://bob@s.test:9", NULL }, "none://example.com:22",
      "socks5://bob@s.test:9 socks4a://bob@s.test:9 socks4://bob@s.test:9" },
  };

  run_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_no_proxy (void)
{
#define ALL "all_proxy=socks5://s.test:1080"
#define VIA "socks5://s.test:1080"
  static const Case cases[] = {
    { { ALL, "no_proxy=example.com", NULL }, "none://example.com:22", DIRECT },
    { { ALL, "no_proxy=example.com", NULL }, "none://a.example.com:22", DIRECT },
    { { ALL, "no_proxy=example.com", NULL }, "none://badexample.com:22", VIA },
    { { ALL, "no_proxy=.example.com", NULL }, "none://example.com:22", DIRECT },
    { { ALL, "no_proxy=.example.com", NULL }, "none://A.EXAMPLE.COM.:22", DIRECT },
    /* Spaces after commas (GIO's environment path keeps them). */
    { { ALL, "no_proxy=a.test, example.com,  b.test", NULL }, "none://example.com:22", DIRECT },
    { { ALL, "no_proxy=a.test, example.com,  b.test", NULL }, "none://b.test:22", DIRECT },
    { { ALL, "no_proxy=*", NULL }, "none://anything.test:22", DIRECT },
    { { ALL, "no_proxy=*", NULL }, "http://10.0.0.1:80", DIRECT },
    { { "http_proxy=http://p.test:1", "no_proxy=*", NULL }, "http://example.com:80", DIRECT },
    /* Addresses and ranges. */
    { { ALL, "no_proxy=10.0.0.0/8", NULL }, "none://10.1.2.3:22", DIRECT },
    { { ALL, "no_proxy=10.0.0.0/8", NULL }, "none://11.1.2.3:22", VIA },
    { { ALL, "no_proxy=127.0.0.1", NULL }, "none://127.0.0.1:22", DIRECT },
    { { ALL, "no_proxy=127.0.0.1", NULL }, "none://localhost:22", VIA },
    { { ALL, "no_proxy=::1", NULL }, "none://[::1]:22", DIRECT },
    { { ALL, "no_proxy=[::1]", NULL }, "none://[::1]:22", DIRECT },
    { { ALL, "no_proxy=fe80::/10", NULL }, "none://[fe80::1]:22", DIRECT },
    { { ALL, "no_proxy=fe80::/10", NULL }, "none://[fe80::1%25eth0]:22", DIRECT },
    { { ALL, "no_proxy=fe80::/10", NULL }, "none://[fec0::1]:22", VIA },
    /* Ports. */
    { { ALL, "no_proxy=example.com:22", NULL }, "none://example.com:22", DIRECT },
    { { ALL, "no_proxy=example.com:22", NULL }, "none://example.com:23", VIA },
    { { ALL, "no_proxy=[::1]:22", NULL }, "none://[::1]:22", DIRECT },
    { { ALL, "no_proxy=[::1]:22", NULL }, "none://[::1]:23", VIA },
    { { ALL, "no_proxy=10.0.0.0/8:443", NULL }, "https://10.9.9.9:443", DIRECT },
    /* A URI without a port has its scheme's. */
    { { ALL, "no_proxy=example.com:80", NULL }, "http://example.com", DIRECT },
    { { ALL, "no_proxy=example.com:443", NULL }, "https://example.com/path", DIRECT },
    { { ALL, "no_proxy=example.com:443", NULL }, "http://example.com/path", VIA },
    /* no_proxy applies to every variable. */
    { { "http_proxy=http://p.test:1", "no_proxy=example.com", NULL }, "http://example.com:80", DIRECT },
    { { "https_proxy=http://p.test:1", "no_proxy=example.com", NULL }, "https://www.example.com:443", DIRECT },
    /* Garbage entries are ignored, the rest still apply. */
    { { ALL, "no_proxy=[::1, 10.0.0.0/99, ex ample, a.test:http, example.com", NULL },
      "none://example.com:22", DIRECT },
    { { ALL, "no_proxy=[::1, 10.0.0.0/99, ex ample, a.test:http, example.com", NULL },
      "none://a.test:22", VIA },
  };
#undef ALL
#undef VIA

  run_cases (cases, G_N_ELEMENTS (cases));
}

/* Libdial logs through structured logging, which g_test_expect_message ()
 * does not see in GLib 2.74: a writer captures its warnings instead. */
static GPtrArray *captured_warnings;

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;
  gsize i;

  for (i = 0; i < n_fields; i++)
    {
      if (strcmp (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (strcmp (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }

  if (captured_warnings != NULL && (log_level & G_LOG_LEVEL_WARNING) &&
      g_strcmp0 (domain, "Dial") == 0 && message != NULL)
    {
      g_ptr_array_add (captured_warnings, g_strdup (message));
      return G_LOG_WRITER_HANDLED;
    }

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* An invalid value is ignored, as if unset, with a warning that names the
 * variable and shows no part of the value. */
static void
test_invalid_values (void)
{
  static const struct
  {
    const char *variable;
    const char *value;
    const char *fallback;   /* another variable, valid */
    const char *uri;
    const char *expected;
  } cases[] = {
    { "http_proxy", "http://alice:s3cret@[::1", "all_proxy=socks5://f.test:1",
      "http://example.com:80", "socks5://f.test:1" },
    { "http_proxy", "http://alice:s3cret@", "all_proxy=socks5://f.test:1",
      "http://example.com:80", "socks5://f.test:1" },
    { "http_proxy", "http://alice:s3cret%zz@p.test:1", "all_proxy=socks5://f.test:1",
      "http://example.com:80", "socks5://f.test:1" },
    { "http_proxy", "http://alice:s3cret@p.test:99999", "all_proxy=socks5://f.test:1",
      "http://example.com:80", "socks5://f.test:1" },
    /* An unencoded "@" in the password would put part of it in the host,
     * and the host in a resolver error. */
    { "http_proxy", "http://alice:s3c@ret@p.test:1", "all_proxy=socks5://f.test:1",
      "http://example.com:80", "socks5://f.test:1" },
    { "http_proxy", "http://alice:s3cret@p test:1", "all_proxy=socks5://f.test:1",
      "http://example.com:80", "socks5://f.test:1" },
    { "https_proxy", "://alice:s3cret@p.test:1", "HTTPS_PROXY=http://f.test:1",
      "https://example.com:443", "http://f.test:1" },
    { "HTTPS_PROXY", "alice:s3cret@", "all_proxy=socks5://f.test:1",
      "https://example.com:443", "socks5://f.test:1" },
    { "all_proxy", "socks5://alice:s3cret@p.test:port", "ALL_PROXY=socks5://f.test:1",
      "none://example.com:22", "socks5://f.test:1" },
    { "ALL_PROXY", "http://[alice:s3cret]:1", "https_proxy=http://f.test:1",
      "none://example.com:22", DIRECT },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *assignment = g_strdup_printf ("%s=%s", cases[i].variable, cases[i].value);
      g_autofree char *message = g_strdup_printf ("Ignoring the %s environment variable: "
                                                  "its value is not a valid proxy URI",
                                                  cases[i].variable);
      const char *envp[] = { assignment, cases[i].fallback, NULL };
      g_autoptr(GProxyResolver) resolver = NULL;
      g_autofree char *answer = NULL;

      captured_warnings = g_ptr_array_new_with_free_func (g_free);
      resolver = dial_environment_proxy_resolver_new_for_environ (envp);
      /* The whole message: it holds nothing of the value. */
      g_assert_cmpuint (captured_warnings->len, ==, 1);
      g_assert_cmpstr (g_ptr_array_index (captured_warnings, 0), ==, message);
      g_clear_pointer (&captured_warnings, g_ptr_array_unref);

      answer = lookup_joined (resolver, cases[i].uri);
      if (strcmp (answer, cases[i].expected) != 0)
        g_error ("case %" G_GSIZE_FORMAT ": expected \"%s\", got \"%s\"",
                 i, cases[i].expected, answer);
    }
}

typedef struct
{
  GMainLoop  *loop;
  GStrv       proxies;
  GError     *error;
} AsyncData;

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AsyncData *data = user_data;

  data->proxies = g_proxy_resolver_lookup_finish (G_PROXY_RESOLVER (source), result, &data->error);
  g_main_loop_quit (data->loop);
}

static void
test_async (void)
{
  const char *envp[] = {
    "http_proxy=http://p.test:3128", "all_proxy=socks://s.test", "no_proxy=skip.test", NULL,
  };
  const char *uris[] = {
    "http://example.com:80", "none://example.com:22", "none://skip.test:22", "https://x.skip.test",
  };
  g_autoptr(GProxyResolver) resolver = dial_environment_proxy_resolver_new_for_environ (envp);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  gsize i;

  g_assert_true (g_proxy_resolver_is_supported (resolver));

  for (i = 0; i < G_N_ELEMENTS (uris); i++)
    {
      AsyncData data = { loop, NULL, NULL };
      g_auto(GStrv) sync_proxies = g_proxy_resolver_lookup (resolver, uris[i], NULL, NULL);

      g_proxy_resolver_lookup_async (resolver, uris[i], NULL, lookup_cb, &data);
      /* Never from inside the call. */
      g_assert_null (data.proxies);
      g_main_loop_run (loop);

      g_assert_no_error (data.error);
      g_assert_true (g_strv_equal ((const char * const *) data.proxies,
                                   (const char * const *) sync_proxies));
      g_strfreev (data.proxies);
    }
}

static void
test_cancelled (void)
{
  const char *envp[] = { "all_proxy=socks5://s.test:1", NULL };
  g_autoptr(GProxyResolver) resolver = dial_environment_proxy_resolver_new_for_environ (envp);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  AsyncData data = { loop, NULL, NULL };
  GStrv proxies;

  g_cancellable_cancel (cancellable);

  proxies = g_proxy_resolver_lookup (resolver, "none://example.com:1", cancellable, &error);
  g_assert_null (proxies);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_proxy_resolver_lookup_async (resolver, "none://example.com:1", cancellable, lookup_cb, &data);
  g_main_loop_run (loop);
  g_assert_null (data.proxies);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&data.error);
}

static void
clear_proxy_variables (void)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (proxy_variables); i++)
    g_unsetenv (proxy_variables[i]);
}

static void
test_process_environment (void)
{
  g_autoptr(GProxyResolver) before = NULL;
  g_autoptr(GProxyResolver) during = NULL;
  g_autoptr(GProxyResolver) after = NULL;
  g_autofree char *answer = NULL;

  before = dial_environment_proxy_resolver_new ();
  g_assert_true (DIAL_IS_ENVIRONMENT_PROXY_RESOLVER (before));

  g_setenv ("all_proxy", "socks5://env.test:1080", TRUE);
  g_setenv ("no_proxy", "skip.test", TRUE);
  during = dial_environment_proxy_resolver_new ();
  clear_proxy_variables ();
  after = g_object_new (DIAL_TYPE_ENVIRONMENT_PROXY_RESOLVER, NULL);

  /* Read at construction, never again. */
  answer = lookup_joined (before, "none://example.com:22");
  g_assert_cmpstr (answer, ==, DIRECT);
  g_clear_pointer (&answer, g_free);
  answer = lookup_joined (during, "none://example.com:22");
  g_assert_cmpstr (answer, ==, "socks5://env.test:1080");
  g_clear_pointer (&answer, g_free);
  answer = lookup_joined (during, "none://skip.test:22");
  g_assert_cmpstr (answer, ==, DIRECT);
  g_clear_pointer (&answer, g_free);
  answer = lookup_joined (after, "none://example.com:22");
  g_assert_cmpstr (answer, ==, DIRECT);
}

static void
test_environ_property (void)
{
  const char *envp[] = { "all_proxy=socks5://prop.test:1", NULL };
  g_autoptr(GProxyResolver) resolver = NULL;
  g_autoptr(GProxyResolver) empty = NULL;
  g_autofree char *answer = NULL;
  GParamSpec *pspec;

  resolver = g_object_new (DIAL_TYPE_ENVIRONMENT_PROXY_RESOLVER, "environ", envp, NULL);
  answer = lookup_joined (resolver, "none://example.com:22");
  g_assert_cmpstr (answer, ==, "socks5://prop.test:1");
  g_clear_pointer (&answer, g_free);

  /* NULL for the constructor is an empty environment. */
  g_setenv ("all_proxy", "socks5://env.test:1080", TRUE);
  empty = dial_environment_proxy_resolver_new_for_environ (NULL);
  clear_proxy_variables ();
  answer = lookup_joined (empty, "none://example.com:22");
  g_assert_cmpstr (answer, ==, DIRECT);

  /* It can hold passwords: it cannot be read back. */
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (resolver), "environ");
  g_assert_nonnull (pspec);
  g_assert_false (pspec->flags & G_PARAM_READABLE);
  g_assert_true (pspec->flags & G_PARAM_CONSTRUCT_ONLY);
}

static gpointer
get_fallback_thread (gpointer data)
{
  return dial_environment_proxy_resolver_get_fallback ();
}

/* The test environment sets GIO_USE_PROXY_RESOLVER=dummy: the client's
 * fallback is then one process-wide environment resolver, the same from
 * every thread. */
static void
test_fallback (void)
{
  GThread *threads[8];
  GProxyResolver *fallback;
  gsize i;

  g_assert_cmpstr (g_getenv ("GIO_USE_PROXY_RESOLVER"), ==, "dummy");

  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("fallback", get_fallback_thread, NULL);

  fallback = dial_environment_proxy_resolver_get_fallback ();
  g_assert_true (DIAL_IS_ENVIRONMENT_PROXY_RESOLVER (fallback));
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (g_proxy_resolver_get_default ()), ==, "GDummyProxyResolver");

  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_true (g_thread_join (threads[i]) == fallback);

  g_assert_true (dial_environment_proxy_resolver_get_fallback () == fallback);
}

int
main (int    argc,
      char **argv)
{
  /* Only what each test sets. */
  clear_proxy_variables ();
  g_log_set_writer_func (capture_writer, NULL, NULL);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/environment-proxy-resolver/nothing-set", test_nothing_set);
  g_test_add_func ("/environment-proxy-resolver/schemes", test_schemes);
  g_test_add_func ("/environment-proxy-resolver/case-precedence", test_case_precedence);
  g_test_add_func ("/environment-proxy-resolver/values", test_values);
  g_test_add_func ("/environment-proxy-resolver/no-proxy", test_no_proxy);
  g_test_add_func ("/environment-proxy-resolver/invalid-values", test_invalid_values);
  g_test_add_func ("/environment-proxy-resolver/async", test_async);
  g_test_add_func ("/environment-proxy-resolver/cancelled", test_cancelled);
  g_test_add_func ("/environment-proxy-resolver/process-environment", test_process_environment);
  g_test_add_func ("/environment-proxy-resolver/environ-property", test_environ_property);
  g_test_add_func ("/environment-proxy-resolver/fallback", test_fallback);

  return g_test_run ();
}
