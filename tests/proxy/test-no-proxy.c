/* test-no-proxy.c: the no_proxy parser and matcher, from tables.
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "dial-no-proxy.h"

typedef struct
{
  const char *no_proxy;
  const char *host;
  guint16     port;
  gboolean    matches;
} MatchCase;

#define YES TRUE
#define NO  FALSE

static void
run_match_cases (const MatchCase *cases,
                 gsize            n_cases)
{
  gsize i;

  for (i = 0; i < n_cases; i++)
    {
      g_autoptr(DialNoProxy) no_proxy = dial_no_proxy_parse (cases[i].no_proxy);
      gboolean matches = dial_no_proxy_matches (no_proxy, cases[i].host, cases[i].port);

      if (matches != cases[i].matches)
        g_error ("no_proxy=\"%s\", host \"%s\" port %u: expected %s, got %s",
                 cases[i].no_proxy, cases[i].host, cases[i].port,
                 cases[i].matches ? "a match" : "no match",
                 matches ? "a match" : "no match");
    }
}

static void
test_empty (void)
{
  static const MatchCase cases[] = {
    { NULL, "example.com", 80, NO },
    { "", "example.com", 80, NO },
    { " , ,, ", "example.com", 80, NO },
    { "example.com", NULL, 80, NO },
    { "example.com", "", 80, NO },
  };

  run_match_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_star (void)
{
  static const MatchCase cases[] = {
    { "*", "example.com", 80, YES },
    { "*", "10.1.2.3", 443, YES },
    { "*", "::1", 0, YES },
    { "*", NULL, 0, YES },
    { " * ", "example.com", 80, YES },
    { "foo.test, *", "example.com", 80, YES },
    /* Only "*" alone is the wildcard. */
    { "*example.com", "badexample.com", 80, NO },
    { "**", "example.com", 80, NO },
    { "*:80", "example.com", 80, NO },
  };

  run_match_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_domains (void)
{
  static const MatchCase cases[] = {
    { "example.com", "example.com", 80, YES },
    { "example.com", "a.example.com", 80, YES },
    { "example.com", "a.b.example.com", 80, YES },
    { "example.com", "badexample.com", 80, NO },
    { "example.com", "example.com.evil.test", 80, NO },
    { "example.com", "ample.com", 80, NO },
    { "example.com", "com", 80, NO },
    { ".example.com", "example.com", 80, YES },
    { ".example.com", "a.example.com", 80, YES },
    { ".example.com", "badexample.com", 80, NO },
    { "*.example.com", "example.com", 80, YES },
    { "*.example.com", "a.example.com", 80, YES },
    { "*.example.com", "badexample.com", 80, NO },
    /* Case and trailing dots do not matter. */
    { "EXAMPLE.com", "a.Example.COM", 80, YES },
    { "example.com.", "a.example.com", 80, YES },
    { "example.com", "a.example.com.", 80, YES },
    { ".example.com.", "EXAMPLE.COM.", 80, YES },
    /* Single labels. */
    { "localhost", "localhost", 80, YES },
    { "localhost", "localhost.", 80, YES },
    { "localhost", "my-localhost", 80, NO },
    { "test", "a.test", 80, YES },
    /* Names never match addresses and addresses never match names. */
    { "localhost", "127.0.0.1", 80, NO },
    { "127.0.0.1", "localhost", 80, NO },
    /* Internationalised names, compared in ASCII. */
    { "bücher.example", "xn--bcher-kva.example", 80, YES },
    { "xn--bcher-kva.example", "www.bücher.example", 80, YES },
  };

  run_match_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_spaces (void)
{
  /* GIO's environment and libproxy paths keep the space after a comma in
   * the entry, so "b.test" never matches there. */
  static const MatchCase cases[] = {
    { "a.test, b.test", "b.test", 80, YES },
    { "a.test,  b.test  ,c.test", "c.test", 80, YES },
    { "a.test,\tb.test", "x.b.test", 80, YES },
    { "  a.test", "a.test", 80, YES },
    { "a.test  ", "a.test", 80, YES },
    { "a.test , 10.0.0.0/8 , [::1]:80", "10.9.9.9", 80, YES },
    { "a.test , 10.0.0.0/8 , [::1]:80", "::1", 80, YES },
    /* A space inside an entry makes it garbage, not two entries. */
    { "a.test b.test", "b.test", 80, NO },
  };

  run_match_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_ipv4 (void)
{
  static const MatchCase cases[] = {
    { "127.0.0.1", "127.0.0.1", 80, YES },
    { "127.0.0.1", "127.0.0.2", 80, NO },
    { "10.0.0.0/8", "10.0.0.0", 80, YES },
    { "10.0.0.0/8", "10.255.255.255", 80, YES },
    { "10.0.0.0/8", "11.0.0.0", 80, NO },
    { "10.0.0.0/8", "9.255.255.255", 80, NO },
    /* Host bits in the entry are ignored. */
    { "10.1.2.3/8", "10.200.0.1", 80, YES },
    { "192.168.1.0/24", "192.168.1.254", 80, YES },
    { "192.168.1.0/24", "192.168.2.1", 80, NO },
    { "192.168.1.128/25", "192.168.1.127", 80, NO },
    { "192.168.1.128/25", "192.168.1.128", 80, YES },
    { "172.16.0.0/12", "172.31.255.255", 80, YES },
    { "172.16.0.0/12", "172.32.0.0", 80, NO },
    { "0.0.0.0/0", "203.0.113.7", 80, YES },
    { "0.0.0.0/0", "::1", 80, NO },
    { "203.0.113.7/32", "203.0.113.7", 80, YES },
    { "203.0.113.7/32", "203.0.113.6", 80, NO },
    { "203.0.113.7/31", "203.0.113.6", 80, YES },
    /* IPv4 entries match IPv4-mapped IPv6 hosts. */
    { "10.0.0.0/8", "::ffff:10.1.2.3", 80, YES },
    { "10.0.0.0/8", "[::ffff:10.1.2.3]", 80, YES },
    { "10.0.0.0/8", "::ffff:11.1.2.3", 80, NO },
    /* Not addresses: names that look like numbers. */
    { "10.0.0.0/8", "10.example", 80, NO },
  };

  run_match_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_ipv6 (void)
{
  static const MatchCase cases[] = {
    { "::1", "::1", 80, YES },
    { "::1", "[::1]", 80, YES },
    { "[::1]", "::1", 80, YES },
    { "::1", "::2", 80, NO },
    { "::1", "0:0:0:0:0:0:0:1", 80, YES },
    { "2001:db8::1", "2001:DB8:0::1", 80, YES },
    { "fe80::/10", "fe80::1", 80, YES },
    { "fe80::/10", "febf:ffff::1", 80, YES },
    { "fe80::/10", "fec0::1", 80, NO },
    { "fe80::/10", "fe7f::1", 80, NO },
    { "[fe80::]/10", "fe80::1", 80, YES },
    { "[fe80::/10]", "fe80::1", 80, YES },
    { "2001:db8::/32", "2001:db8:ffff::1", 80, YES },
    { "2001:db8::/32", "2001:db9::1", 80, NO },
    { "2001:db8::/127", "2001:db8::1", 80, YES },
    { "2001:db8::/128", "2001:db8::1", 80, NO },
    { "::/0", "2001:db8::1", 80, YES },
    { "::/0", "10.0.0.1", 80, NO },
    /* Zones are ignored on both sides. */
    { "fe80::1%eth0", "fe80::1", 80, YES },
    { "fe80::1", "fe80::1%eth1", 80, YES },
    { "fe80::/10", "[fe80::1%25eth0]", 80, YES },
    { "fe80::/10", "fe80::1%", 80, YES },
    /* IPv6 entries never match IPv4 hosts, and the reverse. */
    { "::ffff:10.0.0.1", "10.0.0.1", 80, NO },
    { "::1", "127.0.0.1", 80, NO },
  };

  run_match_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_ports (void)
{
  static const MatchCase cases[] = {
    { "example.com:8080", "example.com", 8080, YES },
    { "example.com:8080", "example.com", 80, NO },
    { "example.com:8080", "a.example.com", 8080, YES },
    { "example.com:8080", "example.com", 0, NO },
    { "example.com", "example.com", 0, YES },
    { ".example.com:443", "www.example.com", 443, YES },
    { "10.0.0.1:8000", "10.0.0.1", 8000, YES },
    { "10.0.0.1:8000", "10.0.0.1", 8001, NO },
    { "10.0.0.0/8:443", "10.2.3.4", 443, YES },
    { "10.0.0.0/8:443", "10.2.3.4", 80, NO },
    { "[::1]:80", "::1", 80, YES },
    { "[::1]:80", "[::1]", 80, YES },
    { "[::1]:80", "::1", 81, NO },
    { "[fe80::]/10:22", "fe80::9", 22, YES },
    { "[fe80::]/10:22", "fe80::9", 23, NO },
    { "example.com:65535", "example.com", 65535, YES },
    /* A bare IPv6 literal never carries a port: "::1:80" is an address. */
    { "::1:80", "::1", 80, NO },
    { "::1:80", "::1:80", 443, YES },
    /* Bad ports make the entry garbage. */
    { "example.com:0", "example.com", 80, NO },
    { "example.com:65536", "example.com", 80, NO },
    { "example.com:http", "example.com", 80, NO },
    { "example.com:", "example.com", 80, NO },
    { "example.com:-1", "example.com", 80, NO },
    { "example.com:+80", "example.com", 80, NO },
    { "example.com:080", "example.com", 80, YES },
    { "example.com:000080", "example.com", 80, NO },
  };

  run_match_cases (cases, G_N_ELEMENTS (cases));
}

typedef struct
{
  const char *no_proxy;
  guint       n_rules;
} ParseCase;

static void
test_garbage (void)
{
  static const ParseCase cases[] = {
    { "example.com", 1 },
    { "a.test,b.test,*", 3 },
    { ",,,", 0 },
    { ".", 0 },
    { "..", 0 },
    { "*.", 0 },
    { "a..b", 0 },
    { ".a.", 1 },
    { "ex ample.com", 0 },
    { "exa$mple.com", 0 },
    { "example.com/24", 0 },
    { "10.0.0.0/", 0 },
    { "10.0.0.0/33", 0 },
    { "10.0.0.0/-1", 0 },
    { "10.0.0.0/8/8", 0 },
    { "10.0.0.0/0x8", 0 },
    { "fe80::/129", 0 },
    { "fe80::/", 0 },
    { "[::1", 0 },
    { "[::1]x", 0 },
    { "[::1]:", 0 },
    { "[::1]:99999", 0 },
    { "[example.com]", 0 },
    { "[]", 0 },
    { "[10.0.0.1]", 0 },
    { "[fe80::/10]/10", 0 },
    { "::zz", 0 },
    { "1:2:3:4:5:6:7:8:9", 0 },
    { "http://example.com", 0 },
    { "example.com:80:80", 0 },
    { "\xff\xfe", 0 },
    { "caf\xc3", 0 },
    { "%", 0 },
    { "a.test, ,\xff, [::1]:80, junk junk, 10.0.0.0/8", 3 },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DialNoProxy) no_proxy = dial_no_proxy_parse (cases[i].no_proxy);
      guint n_rules = dial_no_proxy_get_n_rules (no_proxy);

      if (n_rules != cases[i].n_rules)
        g_error ("no_proxy=\"%s\": expected %u rules, got %u",
                 cases[i].no_proxy, cases[i].n_rules, n_rules);

      /* Whatever was kept, matching anything is safe. */
      dial_no_proxy_matches (no_proxy, "example.com", 80);
      dial_no_proxy_matches (no_proxy, "::1", 80);
      dial_no_proxy_matches (no_proxy, "10.0.0.1", 80);
      dial_no_proxy_matches (no_proxy, cases[i].no_proxy, 80);
    }
}

static void
test_garbage_hosts (void)
{
  static const char *hosts[] = {
    "", ".", "..", "[", "]", "[]", "[::1", "::1]", "a..b", "\xff", "caf\xc3",
    "exa mple.com", "10.0.0.0/8", "%", "%fe80::1", "*", "fe80::zz",
  };
  g_autoptr(DialNoProxy) no_proxy =
    dial_no_proxy_parse ("example.com, 10.0.0.0/8, fe80::/10, [::1]:80, localhost");
  gsize i;

  g_assert_cmpuint (dial_no_proxy_get_n_rules (no_proxy), ==, 5);

  for (i = 0; i < G_N_ELEMENTS (hosts); i++)
    g_assert_false (dial_no_proxy_matches (no_proxy, hosts[i], 80));
}

/* Random bytes and random pieces of valid entries: no crash, no leak, and
 * a no_proxy that parses to no rule matches nothing. */
static void
test_random (void)
{
  static const char *pieces[] = {
    ",", " ", "*", ".", ":", "/", "[", "]", "%", "example", "com", "10", "0",
    "255", "::", "fe80", "1", "8", "80", "65535", "\t", "\xc3\xbc", "\xff",
  };
  guint iteration;

  for (iteration = 0; iteration < 5000; iteration++)
    {
      g_autoptr(DialNoProxy) no_proxy = NULL;
      GString *value = g_string_new (NULL);
      g_autofree char *text = NULL;
      guint n = g_test_rand_int_range (0, 24);
      guint i;

      for (i = 0; i < n; i++)
        {
          if (g_test_rand_bit ())
            g_string_append (value, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
          else
            g_string_append_c (value, (char) g_test_rand_int_range (1, 256));
        }
      text = g_string_free (value, FALSE);

      no_proxy = dial_no_proxy_parse (text);
      if (dial_no_proxy_get_n_rules (no_proxy) == 0)
        {
          g_assert_false (dial_no_proxy_matches (no_proxy, "example.com", 80));
          g_assert_false (dial_no_proxy_matches (no_proxy, "10.0.0.1", 80));
        }
      dial_no_proxy_matches (no_proxy, text, 80);
      dial_no_proxy_matches (no_proxy, "fe80::1", 0);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/no-proxy/empty", test_empty);
  g_test_add_func ("/no-proxy/star", test_star);
  g_test_add_func ("/no-proxy/domains", test_domains);
  g_test_add_func ("/no-proxy/spaces", test_spaces);
  g_test_add_func ("/no-proxy/ipv4", test_ipv4);
  g_test_add_func ("/no-proxy/ipv6", test_ipv6);
  g_test_add_func ("/no-proxy/ports", test_ports);
  g_test_add_func ("/no-proxy/garbage", test_garbage);
  g_test_add_func ("/no-proxy/garbage-hosts", test_garbage_hosts);
  g_test_add_func ("/no-proxy/random", test_random);

  return g_test_run ();
}
