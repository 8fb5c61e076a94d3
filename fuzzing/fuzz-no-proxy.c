/* fuzz-no-proxy.c: no_proxy lists
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: the no_proxy value; optionally a NUL, a host, a NUL and the port
 * (two bytes, big-endian).  Without a host, a fixed set of hosts and ports
 * is matched against the list.
 *
 * Checked, beyond memory safety: a list keeps the rules its entries keep
 * one by one, and matches a host exactly when one of its entries does; a
 * "*" entry matches everything; a host that matches on an unknown port
 * (0) matches on every port; letter case does not matter (ASCII); a name
 * with a trailing dot is the same name; an entry that names a host or an
 * address matches that host.
 */

#include "config.h"

#include <string.h>
#include <arpa/inet.h>

#include "fuzz.h"
#include "dial-no-proxy.h"

static const char * const fixed_hosts[] = {
  "localhost", "example.com", "www.example.com", "EXAMPLE.com.", "badexample.com",
  "10.1.2.3", "192.168.0.1", "::1", "[::1]", "fe80::1%eth0", "::ffff:10.1.2.3",
  "bücher.example", "xn--bcher-kva.example", "",
};
static const guint16 fixed_ports[] = { 0, 80, 443, 8080 };

static gboolean
is_ascii (const char *text)
{
  for (; *text != '\0'; text++)
    if ((guchar) *text >= 0x80)
      return FALSE;
  return TRUE;
}

/* What dial_no_proxy_matches() takes for an address. */
static gboolean
is_literal (const char *host)
{
  g_autofree char *bare = NULL;
  guint8 bytes[16];
  gsize len = strlen (host);
  char *zone;

  if (len >= 2 && host[0] == '[' && host[len - 1] == ']')
    bare = g_strndup (host + 1, len - 2);
  else
    bare = g_strdup (host);

  if (inet_pton (AF_INET, bare, bytes) == 1)
    return TRUE;
  if (strchr (bare, ':') == NULL)
    return FALSE;
  zone = strchr (bare, '%');
  if (zone != NULL)
    *zone = '\0';
  return inet_pton (AF_INET6, bare, bytes) == 1;
}

typedef struct
{
  const char  *value;
  DialNoProxy *list;
  GStrv        entries;      /* the value split at commas, trimmed */
  DialNoProxy **singles;     /* one list per entry */
  guint        n_entries;
  DialNoProxy *with_star;    /* "*," + value */
  DialNoProxy *upper;        /* the value in upper case, when ASCII */
} Lists;

static void
lists_init (Lists      *lists,
            const char *value)
{
  g_autofree char *star = g_strconcat ("*,", value, NULL);

  lists->value = value;
  lists->list = dial_no_proxy_parse (value);
  lists->entries = g_strsplit (value, ",", -1);
  lists->n_entries = g_strv_length (lists->entries);
  lists->singles = g_new0 (DialNoProxy *, lists->n_entries);
  for (guint i = 0; i < lists->n_entries; i++)
    {
      g_strstrip (lists->entries[i]);
      lists->singles[i] = dial_no_proxy_parse (lists->entries[i]);
    }
  lists->with_star = dial_no_proxy_parse (star);
  lists->upper = NULL;
  if (is_ascii (value))
    {
      g_autofree char *upper = g_ascii_strup (value, -1);

      lists->upper = dial_no_proxy_parse (upper);
    }
}

static void
lists_clear (Lists *lists)
{
  dial_no_proxy_free (lists->list);
  for (guint i = 0; i < lists->n_entries; i++)
    dial_no_proxy_free (lists->singles[i]);
  g_free (lists->singles);
  g_strfreev (lists->entries);
  dial_no_proxy_free (lists->with_star);
  dial_no_proxy_free (lists->upper);
}

static void
check_host (Lists      *lists,
            const char *host,
            guint16     port)
{
  gboolean matches = dial_no_proxy_matches (lists->list, host, port);
  gboolean any = FALSE;

  for (guint i = 0; i < lists->n_entries; i++)
    any |= dial_no_proxy_matches (lists->singles[i], host, port);
  g_assert_cmpint (matches, ==, any);

  g_assert_true (dial_no_proxy_matches (lists->with_star, host, port));

  if (port != 0 && dial_no_proxy_matches (lists->list, host, 0))
    g_assert_true (matches);

  if (lists->upper != NULL && is_ascii (host))
    {
      g_autofree char *upper = g_ascii_strup (host, -1);

      g_assert_cmpint (dial_no_proxy_matches (lists->upper, upper, port), ==, matches);
    }

  if (!is_literal (host) && !g_str_has_suffix (host, "."))
    {
      g_autofree char *dotted = g_strconcat (host, ".", NULL);

      g_assert_cmpint (dial_no_proxy_matches (lists->list, dotted, port), ==, matches);
    }
}

/* An entry with one rule and no port or range names hosts it matches. */
static void
check_entries (Lists *lists)
{
  guint n_rules = 0;

  for (guint i = 0; i < lists->n_entries; i++)
    {
      const char *entry = lists->entries[i];
      const char *host = entry;
      gboolean wildcard = FALSE;
      guint n = dial_no_proxy_get_n_rules (lists->singles[i]);

      g_assert_cmpuint (n, <=, 1);
      n_rules += n;
      if (n == 0 || strcmp (entry, "*") == 0 || strpbrk (entry, ":/") != NULL)
        continue;

      if (g_str_has_prefix (host, "*."))
        host += 2, wildcard = TRUE;
      else if (host[0] == '.')
        host += 1, wildcard = TRUE;

      /* ".10.0.0.1" is a name rule; "10.0.0.1" the host is an address. */
      if (wildcard && is_literal (host))
        continue;

      g_assert_true (dial_no_proxy_matches (lists->singles[i], host, 0));
      g_assert_true (dial_no_proxy_matches (lists->list, host, 0));

      if (!is_literal (host))
        {
          g_autofree char *below = g_strconcat ("a.", host, NULL);

          g_assert_true (dial_no_proxy_matches (lists->singles[i], below, 0));
        }
    }

  g_assert_cmpuint (dial_no_proxy_get_n_rules (lists->list), ==, n_rules);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const uint8_t *first_nul = memchr (data, '\0', size);
  g_autofree char *value = g_strndup ((const char *) data, size);
  g_autofree char *host = NULL;
  guint16 port = 0;
  Lists lists;

  fuzz_set_up (FUZZ_SET_UP_DEFAULT);

  if (first_nul != NULL)
    {
      const uint8_t *rest = first_nul + 1;
      size_t rest_size = data + size - rest;
      const uint8_t *second_nul = memchr (rest, '\0', rest_size);

      host = g_strndup ((const char *) rest, rest_size);
      if (second_nul != NULL && (size_t) (data + size - second_nul) >= 3)
        port = (second_nul[1] << 8) | second_nul[2];
    }

  lists_init (&lists, value);
  check_entries (&lists);

  if (host != NULL)
    check_host (&lists, host, port);
  else
    for (guint h = 0; h < G_N_ELEMENTS (fixed_hosts); h++)
      for (guint p = 0; p < G_N_ELEMENTS (fixed_ports); p++)
        check_host (&lists, fixed_hosts[h], fixed_ports[p]);

  lists_clear (&lists);
  return 0;
}
