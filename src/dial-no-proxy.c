/* dial-no-proxy.c: the no_proxy list, parsed once and matched many times
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <arpa/inet.h>

#include "dial-no-proxy.h"

typedef enum
{
  RULE_ALL,
  RULE_NAME,
  RULE_ADDRESS,
} RuleKind;

typedef struct
{
  RuleKind  kind;
  guint16   port;        /* 0: any port */
  char     *name;        /* RULE_NAME: lower-case ASCII, no dot at either end */
  guint     length;      /* RULE_ADDRESS: 4 or 16 bytes */
  guint8    bytes[16];   /* RULE_ADDRESS: the network, host bits cleared */
  guint     prefix;      /* RULE_ADDRESS: significant bits */
} Rule;

struct _DialNoProxy
{
  GArray *rules;
};

static void
rule_clear (gpointer data)
{
  Rule *rule = data;

  g_clear_pointer (&rule->name, g_free);
}

/* 1 to 65535, in decimal digits only. */
static gboolean
parse_port (const char *text,
            guint16    *port)
{
  guint value = 0;
  gsize i;

  if (text[0] == '\0' || strlen (text) > 5)
    return FALSE;

  for (i = 0; text[i] != '\0'; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      value = value * 10 + (guint) (text[i] - '0');
    }

  if (value == 0 || value > G_MAXUINT16)
    return FALSE;

  *port = (guint16) value;
  return TRUE;
}

/* 0 to @max, in decimal digits only. */
static gboolean
parse_prefix (const char *text,
              guint       max,
              guint      *prefix)
{
  guint value = 0;
  gsize i;

  if (text[0] == '\0' || strlen (text) > 3)
    return FALSE;

  for (i = 0; text[i] != '\0'; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      value = value * 10 + (guint) (text[i] - '0');
    }

  if (value > max)
    return FALSE;

  *prefix = value;
  return TRUE;
}

/* An IPv4 or IPv6 literal; an IPv6 zone ("%eth0") is ignored. */
static gboolean
parse_address (const char *text,
               guint8      bytes[16],
               guint      *length)
{
  g_autofree char *copy = NULL;
  char *zone;

  if (inet_pton (AF_INET, text, bytes) == 1)
    {
      *length = 4;
      return TRUE;
    }

  if (strchr (text, ':') == NULL)
    return FALSE;

  copy = g_strdup (text);
  zone = strchr (copy, '%');
  if (zone != NULL)
    *zone = '\0';

  if (inet_pton (AF_INET6, copy, bytes) == 1)
    {
      *length = 16;
      return TRUE;
    }

  return FALSE;
}

/* Lower-case ASCII with no dot at either end and no empty label, or NULL.
 * @text may have one trailing "."; an entry may also have one leading "."
 * or "*.". */
static char *
normalize_name (const char *text,
                gboolean    is_entry)
{
  g_autofree char *ascii = NULL;
  const char *start = text;
  gsize length;
  gsize i;

  if (is_entry && g_str_has_prefix (start, "*."))
    start += 2;
  else if (is_entry && start[0] == '.')
    start += 1;

  length = strlen (start);
  if (length > 0 && start[length - 1] == '.')
    length--;
  if (length == 0)
    return NULL;

  ascii = g_strndup (start, length);

  for (i = 0; ascii[i] != '\0'; i++)
    if ((guchar) ascii[i] >= 0x80)
      break;
  if (ascii[i] != '\0')
    {
      char *converted;

      if (!g_utf8_validate (ascii, -1, NULL))
        return NULL;
      converted = g_hostname_to_ascii (ascii);
      if (converted == NULL)
        return NULL;
      g_free (ascii);
      ascii = converted;
    }

  for (i = 0; ascii[i] != '\0'; i++)
    {
      char c = g_ascii_tolower (ascii[i]);

      if (c == '.')
        {
          if (i == 0 || ascii[i + 1] == '\0' || ascii[i + 1] == '.')
            return NULL;
        }
      else if (!g_ascii_isalnum (c) && c != '-' && c != '_')
        {
          return NULL;
        }
      ascii[i] = c;
    }

  return g_steal_pointer (&ascii);
}

/* An address, or an address "/" prefix, into @rule. */
static gboolean
parse_network (const char *text,
               Rule       *rule)
{
  g_autofree char *address = g_strdup (text);
  char *slash = strchr (address, '/');
  guint i;

  if (slash != NULL)
    *slash = '\0';

  if (!parse_address (address, rule->bytes, &rule->length))
    return FALSE;

  rule->prefix = rule->length * 8;
  if (slash != NULL && !parse_prefix (slash + 1, rule->length * 8, &rule->prefix))
    return FALSE;

  for (i = 0; i < rule->length; i++)
    {
      guint first_bit = i * 8;

      if (first_bit >= rule->prefix)
        rule->bytes[i] = 0;
      else if (first_bit + 8 > rule->prefix)
        rule->bytes[i] &= (guint8) (0xff << (8 - (rule->prefix - first_bit)));
    }

  rule->kind = RULE_ADDRESS;
  return TRUE;
}

/* One trimmed, non-empty entry; FALSE for garbage. */
static gboolean
parse_entry (char *entry,
             Rule *rule)
{
  char *host = entry;
  char *colon;

  memset (rule, 0, sizeof *rule);

  if (strcmp (entry, "*") == 0)
    {
      rule->kind = RULE_ALL;
      return TRUE;
    }

  if (entry[0] == '[')
    {
      /* "[v6]", "[v6]:port", "[v6]/bits", "[v6]/bits:port", "[v6/bits]…" */
      char *close = strchr (entry, ']');
      g_autofree char *network = NULL;
      char *rest;

      if (close == NULL)
        return FALSE;
      *close = '\0';
      rest = close + 1;
      host = entry + 1;
      if (strchr (host, ':') == NULL)
        return FALSE;

      colon = strchr (rest, ':');
      if (colon != NULL)
        {
          *colon = '\0';
          if (!parse_port (colon + 1, &rule->port))
            return FALSE;
        }
      if (rest[0] != '\0' && (rest[0] != '/' || strchr (host, '/') != NULL))
        return FALSE;

      network = g_strconcat (host, rest, NULL);
      return parse_network (network, rule);
    }

  colon = strchr (entry, ':');
  if (colon != NULL && strchr (colon + 1, ':') != NULL)
    {
      /* Two colons or more: a bare IPv6 literal or range, never a port. */
      return parse_network (entry, rule);
    }

  if (colon != NULL)
    {
      *colon = '\0';
      if (!parse_port (colon + 1, &rule->port))
        return FALSE;
    }

  if (strchr (host, '/') != NULL)
    return parse_network (host, rule);

  if (parse_network (host, rule))
    return TRUE;

  rule->name = normalize_name (host, TRUE);
  if (rule->name == NULL)
    return FALSE;

  rule->kind = RULE_NAME;
  return TRUE;
}

DialNoProxy *
dial_no_proxy_parse (const char *value)
{
  DialNoProxy *self = g_new0 (DialNoProxy, 1);
  g_auto(GStrv) entries = NULL;
  gsize i;

  self->rules = g_array_new (FALSE, FALSE, sizeof (Rule));
  g_array_set_clear_func (self->rules, rule_clear);

  if (value == NULL)
    return self;

  entries = g_strsplit (value, ",", -1);
  for (i = 0; entries[i] != NULL; i++)
    {
      Rule rule;

      g_strstrip (entries[i]);
      if (entries[i][0] == '\0')
        continue;

      if (parse_entry (entries[i], &rule))
        g_array_append_val (self->rules, rule);
      else
        rule_clear (&rule);
    }

  return self;
}

void
dial_no_proxy_free (DialNoProxy *self)
{
  if (self == NULL)
    return;

  g_array_unref (self->rules);
  g_free (self);
}

guint
dial_no_proxy_get_n_rules (const DialNoProxy *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->rules->len;
}

static gboolean
port_matches (const Rule *rule,
              guint16     port)
{
  return rule->port == 0 || rule->port == port;
}

static gboolean
address_matches (const Rule   *rule,
                 const guint8 *bytes,
                 guint         length)
{
  guint whole = rule->prefix / 8;
  guint bits = rule->prefix % 8;

  if (rule->length != length)
    return FALSE;

  if (memcmp (rule->bytes, bytes, whole) != 0)
    return FALSE;

  if (bits == 0)
    return TRUE;

  return (bytes[whole] & (guint8) (0xff << (8 - bits))) == rule->bytes[whole];
}

static gboolean
name_matches (const Rule *rule,
              const char *name,
              gsize       name_length)
{
  gsize rule_length = strlen (rule->name);

  if (name_length == rule_length)
    return strcmp (name, rule->name) == 0;

  return name_length > rule_length &&
         name[name_length - rule_length - 1] == '.' &&
         strcmp (name + name_length - rule_length, rule->name) == 0;
}

gboolean
dial_no_proxy_matches (const DialNoProxy *self,
                       const char        *host,
                       guint16            port)
{
  g_autofree char *bare = NULL;
  g_autofree char *name = NULL;
  guint8 bytes[16];
  guint length;
  gboolean is_address;
  gsize host_length;
  gsize name_length = 0;
  guint i;

  g_return_val_if_fail (self != NULL, FALSE);

  for (i = 0; i < self->rules->len; i++)
    if (g_array_index (self->rules, Rule, i).kind == RULE_ALL)
      return TRUE;

  if (host == NULL || self->rules->len == 0)
    return FALSE;

  host_length = strlen (host);
  if (host_length >= 2 && host[0] == '[' && host[host_length - 1] == ']')
    bare = g_strndup (host + 1, host_length - 2);
  else
    bare = g_strdup (host);

  is_address = parse_address (bare, bytes, &length);
  if (!is_address)
    {
      name = normalize_name (bare, FALSE);
      if (name == NULL)
        return FALSE;
      name_length = strlen (name);
    }

  for (i = 0; i < self->rules->len; i++)
    {
      const Rule *rule = &g_array_index (self->rules, Rule, i);

      if (!port_matches (rule, port))
        continue;

      if (is_address && rule->kind == RULE_ADDRESS)
        {
          static const guint8 v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

          if (address_matches (rule, bytes, length))
            return TRUE;
          /* ::ffff:10.1.2.3 is 10.1.2.3 for IPv4 entries. */
          if (length == 16 && memcmp (bytes, v4_mapped, 12) == 0 &&
              address_matches (rule, bytes + 12, 4))
            return TRUE;
        }
      else if (!is_address && rule->kind == RULE_NAME)
        {
          if (name_matches (rule, name, name_length))
            return TRUE;
        }
    }

  return FALSE;
}
