/* dial-environment-proxy-resolver.c: proxies from http_proxy, all_proxy…
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "dial-environment-proxy-resolver.h"
#include "dial-environment-proxy-resolver-private.h"
#include "dial-no-proxy.h"

/**
 * DialEnvironmentProxyResolver:
 *
 * A [iface@Gio.ProxyResolver] that reads the proxy environment variables
 * the way curl does.
 *
 * The variables are read once, when the resolver is created. Which one
 * applies depends on the scheme of the destination URI:
 *
 * - `http://` destinations use `http_proxy`. Only the lower-case name is
 *   read: a CGI program receives the request's `Proxy:` header as
 *   `HTTP_PROXY`, so that name cannot be trusted ("httpoxy").
 * - `https://` destinations use `https_proxy`, else `HTTPS_PROXY`.
 * - Every other destination, including the `none://` of
 *   [method@Dial.SocketClient.connect_to_host], uses `all_proxy`, else
 *   `ALL_PROXY`; so do `http://` and `https://` destinations when their
 *   own variable is not set.
 *
 * Lower case wins over upper case, and a variable that is empty or only
 * whitespace counts as unset. A value without a scheme (`proxy:3128`)
 * means `http://`. A value without a port gets the scheme's default port
 * (80 for `http`, 443 for `https`, 1080 for the SOCKS schemes), as GIO 2.77
 * and later do. `socks://` stands for `socks5://`, `socks4a://` and
 * `socks4://`, tried in that order, as with [class@Gio.SimpleProxyResolver].
 * A value that is not a valid proxy URI (one GIO can parse, whose host is
 * an IP address or made of the characters of host names) counts as unset,
 * so the upper-case name or `all_proxy` applies instead; a warning names
 * the variable but never shows the value, which may hold a password.
 *
 * `no_proxy`, else `NO_PROXY`, lists the hosts that are reached directly:
 * comma-separated entries, whitespace around each ignored, where
 *
 * - `*` matches every host;
 * - `example.com`, `.example.com` and `*.example.com` match `example.com`
 *   and every name below it, such as `a.example.com`, but not
 *   `badexample.com`; names are compared case-insensitively and without
 *   a trailing dot;
 * - an IPv4 or IPv6 address (`127.0.0.1`, `::1`, `[::1]`) matches that
 *   address, and a CIDR range (`10.0.0.0/8`, `fe80::/10`) every address
 *   in it;
 * - `:PORT` after a name, an IPv4 entry or a bracketed IPv6 entry
 *   (`example.com:8080`, `10.0.0.0/8:443`, `[::1]:80`) restricts it to
 *   that port;
 * - anything else is ignored.
 *
 * Names are never resolved: `localhost` does not match `127.0.0.1`.
 *
 * The answer is `direct://` when no variable applies or `no_proxy` matches.
 *
 * A [class@Dial.SocketClient] that has no resolver of its own uses a
 * process-wide `DialEnvironmentProxyResolver`, created (and the environment
 * read) by the first connection that needs it, when GIO's default resolver
 * is the dummy one (no glib-networking, or `GIO_USE_PROXY_RESOLVER=dummy`),
 * so that the environment's proxies apply there too (except for
 * [method@Dial.SocketClient.connect_to_service], whose targets GIO
 * enumerates with its own default resolver). Any application can
 * also set one with [method@Dial.SocketClient.set_proxy_resolver], or pass
 * it to GIO's own `GSocketClient`.
 *
 * The resolver never changes once created, so it can be used from any
 * thread.
 */

struct _DialEnvironmentProxyResolver
{
  GObject parent_instance;

  GStrv        construct_envp;   /* construct-time only, then NULL */
  GStrv        http_proxies;     /* NULL when the variable is not set */
  GStrv        https_proxies;
  GStrv        all_proxies;
  DialNoProxy *no_proxy;
};

enum {
  PROP_0,
  PROP_ENVIRON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void dial_environment_proxy_resolver_iface_init (GProxyResolverInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DialEnvironmentProxyResolver, dial_environment_proxy_resolver, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_PROXY_RESOLVER,
                                                      dial_environment_proxy_resolver_iface_init))

/* The port a scheme implies, or -1. */
static int
default_port_for_scheme (const char *scheme)
{
  if (g_ascii_strcasecmp (scheme, "http") == 0)
    return 80;
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return 443;
  if (g_ascii_strncasecmp (scheme, "socks", 5) == 0)
    return 1080;

  return -1;
}

/* Whether @host can be a proxy's host: an IP literal or a name made of the
 * characters of host names.  Anything else would end in a resolver error
 * that quotes it, and a stray "@" means part of a password is in it. */
static gboolean
is_plausible_host (const char *host)
{
  gsize i;

  if (host == NULL || host[0] == '\0')
    return FALSE;

  if (g_hostname_is_ip_address (host))
    return TRUE;

  for (i = 0; host[i] != '\0'; i++)
    {
      guchar c = (guchar) host[i];

      if (!g_ascii_isalnum (c) && c != '-' && c != '.' && c != '_' && c < 0x80)
        return FALSE;
    }

  return TRUE;
}

/* The value of @name, trimmed, or NULL when it is unset or only
 * whitespace. */
static char *
getenv_trimmed (const gchar * const *envp,
                const char          *name)
{
  const char *value = g_environ_getenv ((gchar **) envp, name);
  char *trimmed;

  if (value == NULL)
    return NULL;

  trimmed = g_strstrip (g_strdup (value));
  if (trimmed[0] == '\0')
    g_clear_pointer (&trimmed, g_free);

  return trimmed;
}

/* The proxy URIs that @value of @variable stands for, or NULL when it is
 * invalid.  The value is never logged: it may hold a password. */
static GStrv
proxies_from_value (const char *variable,
                    const char *value)
{
  g_autofree char *uri = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;
  g_autofree char *auth_params = NULL;
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;
  g_autofree char *query = NULL;
  g_autofree char *fragment = NULL;
  g_autofree char *network_host = NULL;
  const GUriFlags flags = G_URI_FLAGS_ENCODED | G_URI_FLAGS_HAS_PASSWORD;
  gboolean rebuild = FALSE;
  int port = -1;
  gsize i;

  if (strstr (value, "://") == NULL)
    uri = g_strconcat ("http://", value, NULL);
  else
    uri = g_strdup (value);

  /* The URI must be one GIO's GProxyAddressEnumerator accepts: what it
   * cannot parse it logs whole, password included. */
  if (!g_uri_split_with_user (uri, flags, &scheme, &user, &password, &auth_params,
                              &host, &port, &path, &query, &fragment, NULL) ||
      !g_uri_split_network (uri, G_URI_FLAGS_NONE, NULL, &network_host, NULL, NULL) ||
      !is_plausible_host (network_host))
    {
      g_warning ("Ignoring the %s environment variable: its value is not a valid proxy URI",
                 variable);
      return NULL;
    }

  /* GUri gives the scheme in lower case; so must the URI. */
  for (i = 0; scheme[i] != '\0'; i++)
    scheme[i] = g_ascii_tolower (scheme[i]);
  if (!g_str_has_prefix (uri, scheme))
    rebuild = TRUE;

  if (port == -1 && default_port_for_scheme (scheme) != -1)
    {
      port = default_port_for_scheme (scheme);
      rebuild = TRUE;
    }

  if (rebuild)
    {
      /* The host comes back decoded even with G_URI_FLAGS_ENCODED: an
       * IPv6 zone's "%" must be "%25" again. */
      if (strchr (host, '%') != NULL)
        {
          g_auto(GStrv) parts = g_strsplit (host, "%", -1);

          g_free (host);
          host = g_strjoinv ("%25", parts);
        }

      g_free (uri);
      uri = g_uri_join_with_user (flags, scheme, user, password, auth_params,
                                  host, port, path, query, fragment);

      /* What is rebuilt must parse as well as what was read. */
      g_clear_pointer (&network_host, g_free);
      if (!g_uri_split_network (uri, G_URI_FLAGS_NONE, NULL, &network_host, NULL, NULL) ||
          !is_plausible_host (network_host))
        {
          g_warning ("Ignoring the %s environment variable: its value is not a valid proxy URI",
                     variable);
          return NULL;
        }
    }

  if (strcmp (scheme, "socks") == 0)
    {
      const char *rest = uri + strlen ("socks");
      GStrv proxies = g_new0 (char *, 4);

      proxies[0] = g_strconcat ("socks5", rest, NULL);
      proxies[1] = g_strconcat ("socks4a", rest, NULL);
      proxies[2] = g_strconcat ("socks4", rest, NULL);
      return proxies;
    }
  else
    {
      GStrv proxies = g_new0 (char *, 2);

      proxies[0] = g_steal_pointer (&uri);
      return proxies;
    }
}

/* The proxies of @lower, else of @upper (unless NULL): a variable that is
 * unset, only whitespace or invalid does not count. */
static GStrv
proxies_from_environ (const gchar * const *envp,
                      const char          *lower,
                      const char          *upper)
{
  const char *names[] = { lower, upper };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *value = NULL;
      GStrv proxies;

      if (names[i] == NULL)
        continue;

      value = getenv_trimmed (envp, names[i]);
      if (value == NULL)
        continue;

      proxies = proxies_from_value (names[i], value);
      if (proxies != NULL)
        return proxies;
    }

  return NULL;
}

static void
dial_environment_proxy_resolver_read (DialEnvironmentProxyResolver *self,
                                      const gchar * const          *envp)
{
  g_autofree char *no_proxy = NULL;

  /* Never HTTP_PROXY: in a CGI program it comes from the request. */
  self->http_proxies = proxies_from_environ (envp, "http_proxy", NULL);
  self->https_proxies = proxies_from_environ (envp, "https_proxy", "HTTPS_PROXY");
  self->all_proxies = proxies_from_environ (envp, "all_proxy", "ALL_PROXY");

  no_proxy = getenv_trimmed (envp, "no_proxy");
  if (no_proxy == NULL)
    no_proxy = getenv_trimmed (envp, "NO_PROXY");
  self->no_proxy = dial_no_proxy_parse (no_proxy);
}

static void
dial_environment_proxy_resolver_constructed (GObject *object)
{
  DialEnvironmentProxyResolver *self = DIAL_ENVIRONMENT_PROXY_RESOLVER (object);
  g_auto(GStrv) envp = g_steal_pointer (&self->construct_envp);

  G_OBJECT_CLASS (dial_environment_proxy_resolver_parent_class)->constructed (object);

  if (envp == NULL)
    envp = g_get_environ ();

  dial_environment_proxy_resolver_read (self, (const gchar * const *) envp);
}

static void
dial_environment_proxy_resolver_set_property (GObject      *object,
                                              guint         prop_id,
                                              const GValue *value,
                                              GParamSpec   *pspec)
{
  DialEnvironmentProxyResolver *self = DIAL_ENVIRONMENT_PROXY_RESOLVER (object);

  switch (prop_id)
    {
    case PROP_ENVIRON:
      g_strfreev (self->construct_envp);
      self->construct_envp = g_value_dup_boxed (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dial_environment_proxy_resolver_finalize (GObject *object)
{
  DialEnvironmentProxyResolver *self = DIAL_ENVIRONMENT_PROXY_RESOLVER (object);

  g_clear_pointer (&self->construct_envp, g_strfreev);
  g_clear_pointer (&self->http_proxies, g_strfreev);
  g_clear_pointer (&self->https_proxies, g_strfreev);
  g_clear_pointer (&self->all_proxies, g_strfreev);
  g_clear_pointer (&self->no_proxy, dial_no_proxy_free);

  G_OBJECT_CLASS (dial_environment_proxy_resolver_parent_class)->finalize (object);
}

static void
dial_environment_proxy_resolver_class_init (DialEnvironmentProxyResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = dial_environment_proxy_resolver_constructed;
  object_class->set_property = dial_environment_proxy_resolver_set_property;
  object_class->finalize = dial_environment_proxy_resolver_finalize;

  /**
   * DialEnvironmentProxyResolver:environ:
   *
   * The environment to read the variables from, as `NAME=value` strings,
   * or %NULL (the default) for the process environment at construction.
   * It can only be written, at construction: the values may hold
   * passwords.
   */
  properties[PROP_ENVIRON] =
    g_param_spec_boxed ("environ", NULL, NULL,
                        G_TYPE_STRV,
                        (G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
dial_environment_proxy_resolver_init (DialEnvironmentProxyResolver *self)
{
}

static gboolean
dial_environment_proxy_resolver_is_supported (GProxyResolver *resolver)
{
  return TRUE;
}

/* The answer for @uri (transfer full): never NULL. */
static gchar **
dial_environment_proxy_resolver_choose (DialEnvironmentProxyResolver *self,
                                        const gchar                  *uri)
{
  g_autofree char *scheme = g_uri_parse_scheme (uri);
  g_autofree char *host = NULL;
  const char * const direct[] = { "direct://", NULL };
  GStrv proxies = self->all_proxies;
  int port = -1;

  if (scheme != NULL && g_ascii_strcasecmp (scheme, "http") == 0 && self->http_proxies != NULL)
    proxies = self->http_proxies;
  else if (scheme != NULL && g_ascii_strcasecmp (scheme, "https") == 0 && self->https_proxies != NULL)
    proxies = self->https_proxies;

  if (proxies == NULL)
    return g_strdupv ((gchar **) direct);

  /* A URI that cannot be split has no host to match: it is proxied. */
  if (g_uri_split_network (uri, G_URI_FLAGS_PARSE_RELAXED, NULL, &host, &port, NULL) &&
      host != NULL)
    {
      if (port == -1 && scheme != NULL)
        port = default_port_for_scheme (scheme);

      if (dial_no_proxy_matches (self->no_proxy, host, port > 0 && port <= G_MAXUINT16 ? (guint16) port : 0))
        return g_strdupv ((gchar **) direct);
    }

  return g_strdupv (proxies);
}

static gchar **
dial_environment_proxy_resolver_lookup (GProxyResolver  *resolver,
                                        const gchar     *uri,
                                        GCancellable    *cancellable,
                                        GError         **error)
{
  DialEnvironmentProxyResolver *self = DIAL_ENVIRONMENT_PROXY_RESOLVER (resolver);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  return dial_environment_proxy_resolver_choose (self, uri);
}

static void
dial_environment_proxy_resolver_lookup_async (GProxyResolver      *resolver,
                                              const gchar         *uri,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  DialEnvironmentProxyResolver *self = DIAL_ENVIRONMENT_PROXY_RESOLVER (resolver);
  g_autoptr(GTask) task = NULL;

  task = g_task_new (resolver, cancellable, callback, user_data);
  g_task_set_source_tag (task, dial_environment_proxy_resolver_lookup_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  g_task_return_pointer (task,
                         dial_environment_proxy_resolver_choose (self, uri),
                         (GDestroyNotify) g_strfreev);
}

static gchar **
dial_environment_proxy_resolver_lookup_finish (GProxyResolver  *resolver,
                                               GAsyncResult    *result,
                                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, resolver), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
dial_environment_proxy_resolver_iface_init (GProxyResolverInterface *iface)
{
  iface->is_supported = dial_environment_proxy_resolver_is_supported;
  iface->lookup = dial_environment_proxy_resolver_lookup;
  iface->lookup_async = dial_environment_proxy_resolver_lookup_async;
  iface->lookup_finish = dial_environment_proxy_resolver_lookup_finish;
}

/**
 * dial_environment_proxy_resolver_new:
 *
 * Creates a resolver from the proxy variables of the process environment
 * as they are now. Later changes to the environment are not seen.
 *
 * Returns: (transfer full): a new `DialEnvironmentProxyResolver`
 */
GProxyResolver *
dial_environment_proxy_resolver_new (void)
{
  return g_object_new (DIAL_TYPE_ENVIRONMENT_PROXY_RESOLVER, NULL);
}

/**
 * dial_environment_proxy_resolver_new_for_environ:
 * @envp: (array zero-terminated=1) (nullable): an environment, as
 *   `NAME=value` strings, such as [func@GLib.get_environ] gives, or %NULL
 *   for an empty one
 *
 * Creates a resolver from the proxy variables of @envp rather than those
 * of the process: for tests, or for an application that keeps its own
 * settings in that form. @envp is copied.
 *
 * Returns: (transfer full): a new `DialEnvironmentProxyResolver`
 */
GProxyResolver *
dial_environment_proxy_resolver_new_for_environ (const gchar * const *envp)
{
  const char * const empty[] = { NULL };

  return g_object_new (DIAL_TYPE_ENVIRONMENT_PROXY_RESOLVER,
                       "environ", envp != NULL ? envp : empty,
                       NULL);
}

GProxyResolver *
dial_environment_proxy_resolver_get_fallback (void)
{
  static GProxyResolver *environment_resolver = NULL;
  GProxyResolver *default_resolver;
  GType dummy_type;

  /* GIO has no public API that tells whether its default resolver is the
   * dummy one (the type is private to gio/gdummyproxyresolver.c), so its
   * type name is the only way to know.  The type is registered by the
   * time g_proxy_resolver_get_default () has returned, as GIO registers
   * its built-in implementations before choosing one. */
  default_resolver = g_proxy_resolver_get_default ();
  dummy_type = g_type_from_name ("GDummyProxyResolver");
  if (dummy_type == 0 || !G_TYPE_CHECK_INSTANCE_TYPE (default_resolver, dummy_type))
    return NULL;

  if (g_once_init_enter (&environment_resolver))
    g_once_init_leave (&environment_resolver, dial_environment_proxy_resolver_new ());

  return environment_resolver;
}
