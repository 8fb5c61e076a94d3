/* dial-options.c: the command line
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GOptionContext reads the options; everything is then checked here,
 * before anything is dialled, so that a bad option, argument or file is
 * a usage error (exit status 2) with a message that names it.
 */

#include "dial-options.h"

#include <dial/dial.h>

#include <netdb.h>
#include <stdarg.h>
#include <string.h>

#include "dial-exit.h"

/* The raw strings, as GOptionContext fills them. */
typedef struct
{
  gboolean  tls;
  gboolean  insecure;
  gboolean  no_proxy;
  gboolean  ipv4;
  gboolean  ipv6;
  gboolean  json;
  gboolean  timeline;
  gboolean  quiet;
  gboolean  no_relay;
  gboolean  version;
  char     *alpn;
  char     *ca_file;
  char     *proxy;
  char     *timeout;
  char     *deadline;
  char     *attempt_delay;
  char     *local_address;
  char     *service;
  char     *port;
} Raw;

static void
raw_clear (Raw *raw)
{
  g_free (raw->alpn);
  g_free (raw->ca_file);
  g_free (raw->proxy);
  g_free (raw->timeout);
  g_free (raw->deadline);
  g_free (raw->attempt_delay);
  g_free (raw->local_address);
  g_free (raw->service);
  g_free (raw->port);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Raw, raw_clear)

static gboolean
usage_error (GError     **error,
             const char  *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
usage_error (GError     **error,
             const char  *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                                                format, args));
  va_end (args);
  return FALSE;
}

/* A number of @what in [@min, @max], from --@option. */
static gboolean
parse_number (const char  *text,
              const char  *option,
              guint64      min,
              guint64      max,
              guint64     *number,
              GError     **error)
{
  if (!g_ascii_string_to_unsigned (text, 10, min, max, number, NULL))
    return usage_error (error, "--%s: “%s” is not a whole number from %" G_GUINT64_FORMAT
                        " to %" G_GUINT64_FORMAT, option, text, min, max);
  return TRUE;
}

/* URI schemes with a well-known port, and whether they mean TLS. */
static const struct
{
  const char *scheme;
  guint16     port;
  gboolean    tls;
} known_schemes[] = {
  { "http", 80, FALSE },   { "https", 443, TRUE },
  { "ws", 80, FALSE },     { "wss", 443, TRUE },
  { "ftp", 21, FALSE },    { "ftps", 990, TRUE },
  { "smtp", 25, FALSE },   { "smtps", 465, TRUE },
  { "imap", 143, FALSE },  { "imaps", 993, TRUE },
  { "pop3", 110, FALSE },  { "pop3s", 995, TRUE },
  { "ldap", 389, FALSE },  { "ldaps", 636, TRUE },
  { "irc", 6667, FALSE },  { "ircs", 6697, TRUE },
  { "xmpp", 5222, FALSE }, { "ssh", 22, FALSE },
  { "telnet", 23, FALSE }, { "gopher", 70, FALSE },
};

static guint16
scheme_port (const char *scheme,
             gboolean   *tls)
{
  struct servent *entry;

  *tls = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (known_schemes); i++)
    {
      if (g_ascii_strcasecmp (scheme, known_schemes[i].scheme) == 0)
        {
          *tls = known_schemes[i].tls;
          return known_schemes[i].port;
        }
    }

  /* /etc/services, where the system has one. */
  entry = getservbyname (scheme, "tcp");
  return entry != NULL ? g_ntohs ((guint16) entry->s_port) : 0;
}

/* An IP address, or a name DNS could have (international names in their
 * ASCII form): anything else is a typo, not worth a query. */
static gboolean
host_name_ok (const char *host)
{
  g_autofree char *ascii = NULL;
  gsize length;

  if (g_hostname_is_ip_address (host))
    return TRUE;

  ascii = g_hostname_to_ascii (host);
  if (ascii == NULL)
    return FALSE;

  length = strlen (ascii);
  if (length == 0 || length > 253 || ascii[0] == '.' || strstr (ascii, "..") != NULL)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (ascii[i]) && ascii[i] != '-' && ascii[i] != '.' && ascii[i] != '_')
      return FALSE;

  return TRUE;
}

static gboolean
parse_target (DialCmdOptions  *options,
              const char      *argument,
              guint16          port,
              GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GSocketConnectable) target = NULL;
  g_autofree char *scheme = g_uri_parse_scheme (argument);
  guint16 default_port = port;

  if (argument[0] == '\0')
    return usage_error (error, "the host is empty");
  if (!g_utf8_validate (argument, -1, NULL))
    return usage_error (error, "the host is not valid UTF-8");

  if (options->service != NULL)
    {
      if (scheme != NULL || !host_name_ok (argument) || g_hostname_is_ip_address (argument))
        return usage_error (error, "--service wants a domain, not “%s”", argument);
      options->domain = g_strdup (argument);
      return TRUE;
    }

  if (scheme != NULL && strstr (argument, "://") != NULL)
    {
      gboolean tls = FALSE;

      if (default_port == 0)
        default_port = scheme_port (scheme, &tls);
      else
        scheme_port (scheme, &tls);
      options->tls |= tls;
      target = g_network_address_parse_uri (argument, default_port, &local_error);
    }
  else
    {
      target = g_network_address_parse (argument, default_port, &local_error);
    }

  if (target == NULL)
    return usage_error (error, "cannot dial “%s”: %s", argument, local_error->message);

  if (g_network_address_get_hostname (G_NETWORK_ADDRESS (target))[0] == '\0')
    return usage_error (error, "cannot dial “%s”: the host is empty", argument);
  if (!host_name_ok (g_network_address_get_hostname (G_NETWORK_ADDRESS (target))))
    return usage_error (error, "cannot dial “%s”: “%s” is not a host name", argument,
                        g_network_address_get_hostname (G_NETWORK_ADDRESS (target)));

  if (g_network_address_get_port (G_NETWORK_ADDRESS (target)) == 0)
    return usage_error (error, "no port in “%s”: give HOST:PORT, a URI with a known scheme, or --port",
                        argument);

  options->target = g_steal_pointer (&target);
  return TRUE;
}

static gboolean
parse_alpn (DialCmdOptions  *options,
            const char      *text,
            GError         **error)
{
  g_auto(GStrv) protocols = g_strsplit (text, ",", -1);

  if (protocols[0] == NULL)
    return usage_error (error, "--alpn: give at least one protocol, as h2,http/1.1");

  for (guint i = 0; protocols[i] != NULL; i++)
    {
      gsize length = strlen (protocols[i]);

      if (length == 0 || length > 255)
        return usage_error (error, "--alpn: a protocol name has 1 to 255 bytes, in “%s”", text);
      for (gsize j = 0; j < length; j++)
        if (!g_ascii_isgraph (protocols[i][j]))
          return usage_error (error, "--alpn: “%s” has a byte that is not printable ASCII", text);
    }

  options->tls_options.alpn = g_steal_pointer (&protocols);
  return TRUE;
}

/* Schemes a proxy URI may have: libdial's own, and any GIO knows. */
static gboolean
proxy_scheme_known (const char *scheme)
{
  static const char * const own[] = {
    "socks", "socks4", "socks4a", "socks5", "socks5h", "http", "https",
  };
  g_autoptr(GProxy) proxy = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (own); i++)
    if (g_ascii_strcasecmp (scheme, own[i]) == 0)
      return TRUE;

  proxy = g_proxy_get_default_for_protocol (scheme);
  return proxy != NULL;
}

static gboolean
parse_proxy (DialCmdOptions  *options,
             const char      *text,
             GError         **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;

  if (g_strcmp0 (text, "direct://") == 0)
    {
      options->no_proxy = TRUE;
      return TRUE;
    }

  uri = g_uri_parse (text, G_URI_FLAGS_NONE, &local_error);
  if (uri == NULL)
    return usage_error (error, "--proxy: “%s” is not a URI: %s", text, local_error->message);
  if (g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return usage_error (error, "--proxy: “%s” has no host", text);
  if (!host_name_ok (g_uri_get_host (uri)))
    return usage_error (error, "--proxy: “%s” is not a host name", g_uri_get_host (uri));
  if (!proxy_scheme_known (g_uri_get_scheme (uri)))
    return usage_error (error, "--proxy: no proxy protocol “%s” (libdial has socks4, socks4a, "
                        "socks5, socks5h, http and https)", g_uri_get_scheme (uri));

  options->proxy = g_strdup (text);
  return TRUE;
}

static gboolean
parse_local_address (DialCmdOptions  *options,
                     const char      *text,
                     GError         **error)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (text);
  g_autoptr(GSocketConnectable) parsed = NULL;
  const char *host;

  if (address != NULL)
    {
      options->local_address = g_inet_socket_address_new (address, 0);
      return TRUE;
    }

  /* ADDRESS:PORT, [IPv6]:PORT */
  parsed = g_network_address_parse (text, 0, NULL);
  host = parsed != NULL ? g_network_address_get_hostname (G_NETWORK_ADDRESS (parsed)) : NULL;
  if (host == NULL || !g_hostname_is_ip_address (host))
    return usage_error (error, "--local-address: “%s” is not an IP address (or IP:PORT)", text);

  address = g_inet_address_new_from_string (host);
  if (address == NULL)
    return usage_error (error, "--local-address: “%s” is not an IP address (or IP:PORT)", text);
  options->local_address = g_inet_socket_address_new (address,
                                                      g_network_address_get_port (G_NETWORK_ADDRESS (parsed)));
  return TRUE;
}

static gboolean
check_raw (DialCmdOptions  *options,
           Raw             *raw,
           int              argc,
           char           **argv,
           GError         **error)
{
  guint64 number = 0;
  guint16 port = 0;

  if ((raw->json ? 1 : 0) + (raw->timeline ? 1 : 0) + (raw->quiet ? 1 : 0) > 1)
    return usage_error (error, "--json, --timeline and --quiet go one at a time");
  if (raw->ipv4 && raw->ipv6)
    return usage_error (error, "-4 and -6 go one at a time");
  if (raw->proxy != NULL && raw->no_proxy)
    return usage_error (error, "--proxy and --no-proxy go one at a time");

  if (argc < 2)
    return usage_error (error, "what to dial is missing: HOST:PORT or URI");
  if (argc > 2)
    return usage_error (error, "one target at a time: “%s” is one too many", argv[2]);

  options->mode = raw->json ? DIAL_CMD_OUTPUT_JSON :
                  raw->timeline ? DIAL_CMD_OUTPUT_TIMELINE :
                  raw->quiet ? DIAL_CMD_OUTPUT_QUIET : DIAL_CMD_OUTPUT_HUMAN;
  options->relay = !raw->no_relay;
  options->family = raw->ipv4 ? G_SOCKET_FAMILY_IPV4 :
                    raw->ipv6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_INVALID;
  options->tls = raw->tls || raw->insecure || raw->ca_file != NULL || raw->alpn != NULL;
  options->tls_options.insecure = raw->insecure;
  options->no_proxy = raw->no_proxy;

  if (raw->timeout != NULL)
    {
      if (!parse_number (raw->timeout, "timeout", 0, 24 * 3600, &number, error))
        return FALSE;
      options->timeout = (guint) number;
    }
  if (raw->deadline != NULL)
    {
      if (!parse_number (raw->deadline, "deadline", 0, G_MAXUINT, &number, error))
        return FALSE;
      options->deadline = (guint) number;
    }
  if (raw->attempt_delay != NULL)
    {
      if (!parse_number (raw->attempt_delay, "attempt-delay", 0, 3600 * 1000, &number, error))
        return FALSE;
      options->attempt_delay = (gint64) number;
    }
  if (raw->port != NULL)
    {
      if (!parse_number (raw->port, "port", 1, 65535, &number, error))
        return FALSE;
      port = (guint16) number;
    }

  if (raw->service != NULL)
    {
      if (raw->service[0] == '\0' || strchr (raw->service, '.') != NULL ||
          !g_utf8_validate (raw->service, -1, NULL))
        return usage_error (error, "--service: “%s” is not a service name, as xmpp-client",
                            raw->service);
      if (raw->port != NULL)
        return usage_error (error, "--service and --port go one at a time");
      options->service = g_strdup (raw->service);
    }

  if (raw->alpn != NULL && !parse_alpn (options, raw->alpn, error))
    return FALSE;
  if (raw->proxy != NULL && !parse_proxy (options, raw->proxy, error))
    return FALSE;
  if (raw->local_address != NULL && !parse_local_address (options, raw->local_address, error))
    return FALSE;

  if (!parse_target (options, argv[1], port, error))
    return FALSE;

  if (raw->ca_file != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      /* libdial's constructor: the database comes from the provider the
       * connections will. */
      options->tls_options.database = dial_tls_file_database_new (raw->ca_file, &local_error);
      if (options->tls_options.database == NULL)
        return usage_error (error, "--ca-file: %s", local_error->message);
    }

  return TRUE;
}

gboolean
dial_cmd_options_parse (DialCmdOptions   *options,
                        int              *argc,
                        char           ***argv,
                        GError          **error)
{
  g_auto(Raw) raw = { 0 };
  const GOptionEntry entries[] = {
    { "tls", 't', 0, G_OPTION_ARG_NONE, &raw.tls,
      "Speak TLS over the connection", NULL },
    { "alpn", 0, 0, G_OPTION_ARG_STRING, &raw.alpn,
      "Offer these ALPN protocols (implies --tls)", "h2,http/1.1" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &raw.ca_file,
      "Trust only the CA certificates in FILE (implies --tls)", "FILE" },
    { "insecure", 'k', 0, G_OPTION_ARG_NONE, &raw.insecure,
      "Go on when the certificate fails verification (implies --tls)", NULL },
    { "proxy", 'x', 0, G_OPTION_ARG_STRING, &raw.proxy,
      "Connect through this proxy (default: the environment's)", "URI" },
    { "no-proxy", 0, 0, G_OPTION_ARG_NONE, &raw.no_proxy,
      "Connect directly, whatever the environment says", NULL },
    { "timeout", 'w', 0, G_OPTION_ARG_STRING, &raw.timeout,
      "Time limit of each socket operation (the client's timeout)", "SECONDS" },
    { "deadline", 'd', 0, G_OPTION_ARG_STRING, &raw.deadline,
      "Time limit of the whole connect: resolve, connect, proxy and TLS", "MS" },
    { "attempt-delay", 0, 0, G_OPTION_ARG_STRING, &raw.attempt_delay,
      "Wait this long before racing the next address (default 250)", "MS" },
    { "ipv4", '4', 0, G_OPTION_ARG_NONE, &raw.ipv4,
      "Use IPv4 addresses only", NULL },
    { "ipv6", '6', 0, G_OPTION_ARG_NONE, &raw.ipv6,
      "Use IPv6 addresses only", NULL },
    { "local-address", 's', 0, G_OPTION_ARG_STRING, &raw.local_address,
      "Bind the socket to this address first", "ADDRESS[:PORT]" },
    { "service", 0, 0, G_OPTION_ARG_STRING, &raw.service,
      "Dial the service's SRV targets in the domain given as HOST", "SERVICE" },
    { "port", 'p', 0, G_OPTION_ARG_STRING, &raw.port,
      "The port when HOST or URI has none", "PORT" },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &raw.json,
      "Print the trace as one JSON object per line", NULL },
    { "timeline", 'T', 0, G_OPTION_ARG_NONE, &raw.timeline,
      "Draw the attempts as a waterfall after the connect", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &raw.quiet,
      "Print no trace, only errors", NULL },
    { "no-relay", 0, 0, G_OPTION_ARG_NONE, &raw.no_relay,
      "Connect, print the trace and close: no relay", NULL },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &raw.version,
      "Print the version and exit", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("HOST[:PORT] | URI");
  g_autofree char *description = NULL;

  memset (options, 0, sizeof *options);
  options->attempt_delay = -1;

  g_option_context_set_summary (context,
    "Connect with libdial's DialSocketClient and print a timestamped trace of\n"
    "every event (addresses, attempts, proxy, TLS), then relay standard input\n"
    "and output over the connection until the peer closes. The trace goes to\n"
    "standard error; standard output carries only what the peer sends.");
  description = g_strconcat (
    "Examples:\n"
    "  dial localhost:8080\n"
    "  dial --tls --alpn h2,http/1.1 example.org:443 < /dev/null\n"
    "  dial --proxy socks5h://127.0.0.1:1080 --timeline example.org:80\n"
    "  dial --json --deadline 2000 https://example.org/ < request.txt\n"
    "\n"
    "Proxies: without --proxy, the system's proxy settings apply, or http_proxy,\n"
    "https_proxy, all_proxy and no_proxy where GIO has no proxy resolver.\n"
    "\n",
    dial_cmd_exit_help (),
    "\nSee dial(1) for the trace's fields.\n", NULL);
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if (raw.version)
    {
      options->show_version = TRUE;
      return TRUE;
    }

  return check_raw (options, &raw, *argc, *argv, error);
}

void
dial_cmd_options_clear (DialCmdOptions *options)
{
  g_clear_object (&options->target);
  g_clear_pointer (&options->service, g_free);
  g_clear_pointer (&options->domain, g_free);
  g_clear_object (&options->tls_options.database);
  g_clear_pointer (&options->tls_options.alpn, g_strfreev);
  g_clear_pointer (&options->proxy, g_free);
  g_clear_object (&options->local_address);
}
