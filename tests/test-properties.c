/* test-properties.c: DialSocketClient's properties, their notifications,
 * its "event" signal and class vfunc (spec §1.2-§1.4, §11.1).
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dial/dial.h>

#include "dial-test-servers.h"

/* ---- notification recorder ---------------------------------------------- */

typedef struct
{
  GPtrArray *names;   /* the property name of every "notify", in order */
} Notifications;

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  Notifications *n = user_data;

  g_ptr_array_add (n->names, g_strdup (pspec->name));
}

static void
notifications_init (Notifications    *n,
                    DialSocketClient *client)
{
  n->names = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (client, "notify", G_CALLBACK (on_notify), n);
}

static void
notifications_clear (Notifications *n)
{
  g_ptr_array_set_size (n->names, 0);
}

static void
notifications_free (Notifications    *n,
                    DialSocketClient *client)
{
  g_signal_handlers_disconnect_by_func (client, on_notify, n);
  g_ptr_array_unref (n->names);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* "family" or "family timeout" or "": sorted, as GObject does not promise
 * an order for the notifications one g_object_set () queues. */
static char *
notifications_describe (Notifications *n)
{
  g_ptr_array_sort (n->names, compare_names);
  g_ptr_array_add (n->names, NULL);
  {
    char *joined = g_strjoinv (" ", (char **) n->names->pdata);

    g_ptr_array_set_size (n->names, n->names->len - 1);
    return joined;
  }
}

#define assert_notified(n, expected) \
  G_STMT_START { \
    g_autofree char *__got = notifications_describe (n); \
    g_assert_cmpstr (__got, ==, (expected)); \
    notifications_clear (n); \
  } G_STMT_END

/* ---- defaults ----------------------------------------------------------- */

static void
test_defaults (void)
{
  g_autoptr(DialSocketClient) client = dial_socket_client_new ();
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GProxyResolver) resolver = NULL;
  GSocketFamily family;
  GSocketType type;
  GSocketProtocol protocol;
  guint timeout;
  gboolean enable_proxy, tls;
  GTlsCertificateFlags flags;

  g_assert_true (DIAL_IS_SOCKET_CLIENT (client));
  g_assert_true (G_TYPE_FROM_INSTANCE (client) == DIAL_TYPE_SOCKET_CLIENT);
  g_assert_true (g_type_parent (DIAL_TYPE_SOCKET_CLIENT) == G_TYPE_OBJECT);
  g_assert_false (G_TYPE_IS_ABSTRACT (DIAL_TYPE_SOCKET_CLIENT));
  g_assert_true (G_TYPE_IS_DERIVABLE (DIAL_TYPE_SOCKET_CLIENT));

  g_assert_cmpint (dial_socket_client_get_family (client), ==, G_SOCKET_FAMILY_INVALID);
  g_assert_cmpint (dial_socket_client_get_socket_type (client), ==, G_SOCKET_TYPE_STREAM);
  g_assert_cmpint (dial_socket_client_get_protocol (client), ==, G_SOCKET_PROTOCOL_DEFAULT);
  g_assert_null (dial_socket_client_get_local_address (client));
  g_assert_cmpuint (dial_socket_client_get_timeout (client), ==, 0);
  g_assert_true (dial_socket_client_get_enable_proxy (client) == TRUE);
  g_assert_true (dial_socket_client_get_tls (client) == FALSE);
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_cmpuint (dial_socket_client_get_tls_validation_flags (client), ==,
                    G_TLS_CERTIFICATE_VALIDATE_ALL);
G_GNUC_END_IGNORE_DEPRECATIONS
  g_assert_true (dial_socket_client_get_proxy_resolver (client) == g_proxy_resolver_get_default ());

  g_object_get (client,
                "family", &family,
                "type", &type,
                "protocol", &protocol,
                "local-address", &local,
                "timeout", &timeout,
                "enable-proxy", &enable_proxy,
                "tls", &tls,
                "tls-validation-flags", &flags,
                "proxy-resolver", &resolver,
                NULL);
  g_assert_cmpint (family, ==, G_SOCKET_FAMILY_INVALID);
  g_assert_cmpint (type, ==, G_SOCKET_TYPE_STREAM);
  g_assert_cmpint (protocol, ==, G_SOCKET_PROTOCOL_DEFAULT);
  g_assert_null (local);
  g_assert_cmpuint (timeout, ==, 0);
  g_assert_true (enable_proxy == TRUE);
  g_assert_true (tls == FALSE);
  g_assert_cmpuint (flags, ==, G_TLS_CERTIFICATE_VALIDATE_ALL);
  /* Reading the property gives the default resolver when none is set. */
  g_assert_true (resolver == g_proxy_resolver_get_default ());
}

/* ---- param specs -------------------------------------------------------- */

static void
assert_pspec (GObjectClass *klass,
              const char   *name,
              GType         value_type,
              GParamFlags   flags)
{
  GParamSpec *pspec = g_object_class_find_property (klass, name);

  g_assert_nonnull (pspec);
  g_assert_cmpstr (pspec->name, ==, name);
  g_assert_true (pspec->owner_type == DIAL_TYPE_SOCKET_CLIENT);
  g_assert_cmpstr (g_type_name (pspec->value_type), ==, g_type_name (value_type));
  g_assert_cmphex (pspec->flags, ==, flags);
}

static void
test_pspecs (void)
{
  g_autoptr(GTypeClass) type_class = g_type_class_ref (DIAL_TYPE_SOCKET_CLIENT);
  GObjectClass *klass = G_OBJECT_CLASS (type_class);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS;
  g_autofree GParamSpec **all = NULL;
  guint n_all = 0;
  GParamSpec *pspec;
  const GValue *value;

  /* GIO's flags exactly: 0xe7, no EXPLICIT_NOTIFY (so g_object_set always
   * notifies), and the deprecated bit on tls-validation-flags. */
  g_assert_cmphex (flags, ==, 0xe7);
  assert_pspec (klass, "family", G_TYPE_SOCKET_FAMILY, flags);
  assert_pspec (klass, "type", G_TYPE_SOCKET_TYPE, flags);
  assert_pspec (klass, "protocol", G_TYPE_SOCKET_PROTOCOL, flags);
  assert_pspec (klass, "local-address", G_TYPE_SOCKET_ADDRESS, flags);
  assert_pspec (klass, "timeout", G_TYPE_UINT, flags);
  assert_pspec (klass, "enable-proxy", G_TYPE_BOOLEAN, flags);
  assert_pspec (klass, "tls", G_TYPE_BOOLEAN, flags);
  assert_pspec (klass, "tls-validation-flags", G_TYPE_TLS_CERTIFICATE_FLAGS,
                flags | G_PARAM_DEPRECATED);
  assert_pspec (klass, "proxy-resolver", G_TYPE_PROXY_RESOLVER, flags);

  /* libdial's own three, beyond GIO's nine: explicit notify, since they
   * need not copy GIO's quirk. */
  assert_pspec (klass, "deadline", G_TYPE_UINT,
                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  assert_pspec (klass, "attempt-delay", G_TYPE_UINT,
                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  assert_pspec (klass, "family-cache", G_TYPE_BOOLEAN,
                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  all = g_object_class_list_properties (klass, &n_all);
  g_assert_cmpuint (n_all, ==, 12);

  pspec = g_object_class_find_property (klass, "deadline");
  g_assert_cmpuint (g_value_get_uint (g_param_spec_get_default_value (pspec)), ==, 0);
  pspec = g_object_class_find_property (klass, "attempt-delay");
  g_assert_cmpuint (g_value_get_uint (g_param_spec_get_default_value (pspec)), ==, 250);
  pspec = g_object_class_find_property (klass, "family-cache");
  g_assert_true (g_value_get_boolean (g_param_spec_get_default_value (pspec)));

  /* Defaults as the param specs state them. */
  pspec = g_object_class_find_property (klass, "family");
  g_assert_cmpint (g_value_get_enum (g_param_spec_get_default_value (pspec)), ==,
                   G_SOCKET_FAMILY_INVALID);
  pspec = g_object_class_find_property (klass, "type");
  g_assert_cmpint (g_value_get_enum (g_param_spec_get_default_value (pspec)), ==,
                   G_SOCKET_TYPE_STREAM);
  pspec = g_object_class_find_property (klass, "protocol");
  g_assert_cmpint (g_value_get_enum (g_param_spec_get_default_value (pspec)), ==,
                   G_SOCKET_PROTOCOL_DEFAULT);
  pspec = g_object_class_find_property (klass, "timeout");
  value = g_param_spec_get_default_value (pspec);
  g_assert_cmpuint (g_value_get_uint (value), ==, 0);
  g_assert_cmpuint (G_PARAM_SPEC_UINT (pspec)->minimum, ==, 0);
  g_assert_cmpuint (G_PARAM_SPEC_UINT (pspec)->maximum, ==, G_MAXUINT);
  pspec = g_object_class_find_property (klass, "enable-proxy");
  g_assert_true (g_value_get_boolean (g_param_spec_get_default_value (pspec)) == TRUE);
  pspec = g_object_class_find_property (klass, "tls");
  g_assert_true (g_value_get_boolean (g_param_spec_get_default_value (pspec)) == FALSE);
  pspec = g_object_class_find_property (klass, "tls-validation-flags");
  g_assert_cmphex (g_value_get_flags (g_param_spec_get_default_value (pspec)), ==,
                   G_TLS_CERTIFICATE_VALIDATE_ALL);
  pspec = g_object_class_find_property (klass, "local-address");
  g_assert_null (g_value_get_object (g_param_spec_get_default_value (pspec)));
  pspec = g_object_class_find_property (klass, "proxy-resolver");
  g_assert_null (g_value_get_object (g_param_spec_get_default_value (pspec)));
}

/* ---- setters and notify ------------------------------------------------- */

static void
test_setters_notify (void)
{
  g_autoptr(DialSocketClient) client = dial_socket_client_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) local = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) local2 = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GProxyResolver) resolver = g_simple_proxy_resolver_new (NULL, NULL);
  Notifications n;

  notifications_init (&n, client);

  /* Each setter notifies on change only. */
  dial_socket_client_set_family (client, G_SOCKET_FAMILY_INVALID);
  assert_notified (&n, "");
  dial_socket_client_set_family (client, G_SOCKET_FAMILY_IPV6);
  assert_notified (&n, "family");
  g_assert_cmpint (dial_socket_client_get_family (client), ==, G_SOCKET_FAMILY_IPV6);
  dial_socket_client_set_family (client, G_SOCKET_FAMILY_IPV6);
  assert_notified (&n, "");

  dial_socket_client_set_socket_type (client, G_SOCKET_TYPE_STREAM);
  assert_notified (&n, "");
  dial_socket_client_set_socket_type (client, G_SOCKET_TYPE_DATAGRAM);
  assert_notified (&n, "type");
  g_assert_cmpint (dial_socket_client_get_socket_type (client), ==, G_SOCKET_TYPE_DATAGRAM);
  dial_socket_client_set_socket_type (client, G_SOCKET_TYPE_DATAGRAM);
  assert_notified (&n, "");

  dial_socket_client_set_protocol (client, G_SOCKET_PROTOCOL_DEFAULT);
  assert_notified (&n, "");
  dial_socket_client_set_protocol (client, G_SOCKET_PROTOCOL_TCP);
  assert_notified (&n, "protocol");
  g_assert_cmpint (dial_socket_client_get_protocol (client), ==, G_SOCKET_PROTOCOL_TCP);
  dial_socket_client_set_protocol (client, G_SOCKET_PROTOCOL_TCP);
  assert_notified (&n, "");

  dial_socket_client_set_timeout (client, 0);
  assert_notified (&n, "");
  dial_socket_client_set_timeout (client, 7);
  assert_notified (&n, "timeout");
  g_assert_cmpuint (dial_socket_client_get_timeout (client), ==, 7);
  dial_socket_client_set_timeout (client, 7);
  assert_notified (&n, "");

  /* Booleans are normalised with !! before the comparison. */
  dial_socket_client_set_enable_proxy (client, 2);
  assert_notified (&n, "");
  g_assert_true (dial_socket_client_get_enable_proxy (client) == TRUE);
  dial_socket_client_set_enable_proxy (client, FALSE);
  assert_notified (&n, "enable-proxy");
  g_assert_true (dial_socket_client_get_enable_proxy (client) == FALSE);
  dial_socket_client_set_enable_proxy (client, FALSE);
  assert_notified (&n, "");
  dial_socket_client_set_enable_proxy (client, 5);
  assert_notified (&n, "enable-proxy");
  g_assert_true (dial_socket_client_get_enable_proxy (client) == TRUE);

  dial_socket_client_set_tls (client, FALSE);
  assert_notified (&n, "");
  dial_socket_client_set_tls (client, 3);
  assert_notified (&n, "tls");
  g_assert_true (dial_socket_client_get_tls (client) == TRUE);
  dial_socket_client_set_tls (client, TRUE);
  assert_notified (&n, "");

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  dial_socket_client_set_tls_validation_flags (client, G_TLS_CERTIFICATE_VALIDATE_ALL);
  assert_notified (&n, "");
  dial_socket_client_set_tls_validation_flags (client, 0);
  assert_notified (&n, "tls-validation-flags");
  g_assert_cmphex (dial_socket_client_get_tls_validation_flags (client), ==, 0);
  dial_socket_client_set_tls_validation_flags (client, 0);
  assert_notified (&n, "");
G_GNUC_END_IGNORE_DEPRECATIONS

  /* local-address always notifies, even NULL → NULL and for the same
   * object; the getter gives back the very object. */
  dial_socket_client_set_local_address (client, NULL);
  assert_notified (&n, "local-address");
  dial_socket_client_set_local_address (client, local);
  assert_notified (&n, "local-address");
  g_assert_true (dial_socket_client_get_local_address (client) == local);
  dial_socket_client_set_local_address (client, local);
  assert_notified (&n, "local-address");
  g_assert_true (dial_socket_client_get_local_address (client) == local);
  dial_socket_client_set_local_address (client, local2);
  assert_notified (&n, "local-address");
  g_assert_true (dial_socket_client_get_local_address (client) == local2);
  dial_socket_client_set_local_address (client, NULL);
  assert_notified (&n, "local-address");
  g_assert_null (dial_socket_client_get_local_address (client));

  /* proxy-resolver never notifies from its setter; NULL means "default". */
  dial_socket_client_set_proxy_resolver (client, resolver);
  assert_notified (&n, "");
  g_assert_true (dial_socket_client_get_proxy_resolver (client) == resolver);
  dial_socket_client_set_proxy_resolver (client, resolver);
  assert_notified (&n, "");
  dial_socket_client_set_proxy_resolver (client, NULL);
  assert_notified (&n, "");
  g_assert_true (dial_socket_client_get_proxy_resolver (client) == g_proxy_resolver_get_default ());

  notifications_free (&n, client);
}

static void
test_local_address_ref (void)
{
  g_autoptr(DialSocketClient) client = dial_socket_client_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *local = g_inet_socket_address_new (loopback, 0);
  GSocketAddress *got = NULL;

  /* The setter takes its own reference... */
  g_object_add_weak_pointer (G_OBJECT (local), (gpointer *) &local);
  dial_socket_client_set_local_address (client, local);
  g_object_unref (local);
  g_assert_nonnull (local);

  g_object_get (client, "local-address", &got, NULL);
  g_assert_true (got == local);
  g_object_unref (got);

  /* ...and drops it on replacement. */
  dial_socket_client_set_local_address (client, NULL);
  g_assert_null (local);
}

static void
test_proxy_resolver_ref (void)
{
  DialSocketClient *client = dial_socket_client_new ();
  GProxyResolver *resolver = g_simple_proxy_resolver_new (NULL, NULL);
  GProxyResolver *got = NULL;

  g_object_add_weak_pointer (G_OBJECT (resolver), (gpointer *) &resolver);
  dial_socket_client_set_proxy_resolver (client, resolver);
  g_object_unref (resolver);
  g_assert_nonnull (resolver);

  g_object_get (client, "proxy-resolver", &got, NULL);
  g_assert_true (got == resolver);
  g_object_unref (got);

  /* The client's reference goes with the client. */
  g_object_unref (client);
  g_assert_null (resolver);
}

/* g_object_set () notifies every property it sets, changed or not. */
static void
test_object_set_notifies (void)
{
  g_autoptr(DialSocketClient) client = dial_socket_client_new ();
  g_autoptr(GProxyResolver) resolver = g_simple_proxy_resolver_new (NULL, NULL);
  Notifications n;

  notifications_init (&n, client);

  g_object_set (client, "family", G_SOCKET_FAMILY_INVALID, NULL);
  assert_notified (&n, "family");
  g_object_set (client, "type", G_SOCKET_TYPE_STREAM, NULL);
  assert_notified (&n, "type");
  g_object_set (client, "protocol", G_SOCKET_PROTOCOL_DEFAULT, NULL);
  assert_notified (&n, "protocol");
  g_object_set (client, "local-address", NULL, NULL);
  assert_notified (&n, "local-address");
  g_object_set (client, "timeout", 0, NULL);
  assert_notified (&n, "timeout");
  g_object_set (client, "enable-proxy", TRUE, NULL);
  assert_notified (&n, "enable-proxy");
  g_object_set (client, "tls", FALSE, NULL);
  assert_notified (&n, "tls");
  g_object_set (client, "tls-validation-flags", G_TLS_CERTIFICATE_VALIDATE_ALL, NULL);
  assert_notified (&n, "tls-validation-flags");
  g_object_set (client, "proxy-resolver", NULL, NULL);
  assert_notified (&n, "proxy-resolver");
  g_object_set (client, "proxy-resolver", resolver, NULL);
  assert_notified (&n, "proxy-resolver");
  g_assert_true (dial_socket_client_get_proxy_resolver (client) == resolver);
  g_object_set (client, "proxy-resolver", resolver, NULL);
  assert_notified (&n, "proxy-resolver");

  /* And a change through g_object_set () is one notification. */
  g_object_set (client, "timeout", 3, "tls", TRUE, NULL);
  assert_notified (&n, "timeout tls");
  g_assert_cmpuint (dial_socket_client_get_timeout (client), ==, 3);
  g_assert_true (dial_socket_client_get_tls (client));

  notifications_free (&n, client);
}

static void
test_construct_all (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) local = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GProxyResolver) resolver = g_simple_proxy_resolver_new (NULL, NULL);
  g_autoptr(DialSocketClient) client = NULL;
  g_autoptr(DialSocketClient) partial = NULL;

  client = g_object_new (DIAL_TYPE_SOCKET_CLIENT,
                         "family", G_SOCKET_FAMILY_IPV6,
                         "type", G_SOCKET_TYPE_DATAGRAM,
                         "protocol", G_SOCKET_PROTOCOL_UDP,
                         "local-address", local,
                         "timeout", 42,
                         "enable-proxy", FALSE,
                         "tls", TRUE,
                         "tls-validation-flags", G_TLS_CERTIFICATE_UNKNOWN_CA,
                         "proxy-resolver", resolver,
                         NULL);

  g_assert_cmpint (dial_socket_client_get_family (client), ==, G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (dial_socket_client_get_socket_type (client), ==, G_SOCKET_TYPE_DATAGRAM);
  g_assert_cmpint (dial_socket_client_get_protocol (client), ==, G_SOCKET_PROTOCOL_UDP);
  g_assert_true (dial_socket_client_get_local_address (client) == local);
  g_assert_cmpuint (dial_socket_client_get_timeout (client), ==, 42);
  g_assert_false (dial_socket_client_get_enable_proxy (client));
  g_assert_true (dial_socket_client_get_tls (client));
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_cmphex (dial_socket_client_get_tls_validation_flags (client), ==,
                   G_TLS_CERTIFICATE_UNKNOWN_CA);
G_GNUC_END_IGNORE_DEPRECATIONS
  g_assert_true (dial_socket_client_get_proxy_resolver (client) == resolver);

  /* Those left out keep their defaults. */
  partial = g_object_new (DIAL_TYPE_SOCKET_CLIENT, "timeout", 5, "tls", TRUE, NULL);
  g_assert_cmpuint (dial_socket_client_get_timeout (partial), ==, 5);
  g_assert_true (dial_socket_client_get_tls (partial));
  g_assert_cmpint (dial_socket_client_get_family (partial), ==, G_SOCKET_FAMILY_INVALID);
  g_assert_cmpint (dial_socket_client_get_socket_type (partial), ==, G_SOCKET_TYPE_STREAM);
  g_assert_cmpint (dial_socket_client_get_protocol (partial), ==, G_SOCKET_PROTOCOL_DEFAULT);
  g_assert_null (dial_socket_client_get_local_address (partial));
  g_assert_true (dial_socket_client_get_enable_proxy (partial));
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_cmphex (dial_socket_client_get_tls_validation_flags (partial), ==,
                   G_TLS_CERTIFICATE_VALIDATE_ALL);
G_GNUC_END_IGNORE_DEPRECATIONS
  g_assert_true (dial_socket_client_get_proxy_resolver (partial) == g_proxy_resolver_get_default ());
}

/* ---- the "event" signal and vfunc --------------------------------------- */

static void
test_event_signal (void)
{
  g_autoptr(GTypeClass) type_class = g_type_class_ref (DIAL_TYPE_SOCKET_CLIENT);
  g_autofree guint *ids = NULL;
  guint n_ids = 0;
  guint id;
  GSignalQuery query;

  ids = g_signal_list_ids (DIAL_TYPE_SOCKET_CLIENT, &n_ids);
  g_assert_cmpuint (n_ids, ==, 1);

  id = g_signal_lookup ("event", DIAL_TYPE_SOCKET_CLIENT);
  g_assert_cmpuint (id, !=, 0);
  g_assert_cmpuint (id, ==, ids[0]);

  g_signal_query (id, &query);
  g_assert_cmpstr (query.signal_name, ==, "event");
  g_assert_true (query.itype == DIAL_TYPE_SOCKET_CLIENT);
  g_assert_cmphex (query.signal_flags, ==, G_SIGNAL_RUN_LAST);
  g_assert_true (query.return_type == G_TYPE_NONE);
  g_assert_cmpuint (query.n_params, ==, 3);
  g_assert_true ((query.param_types[0] & ~G_SIGNAL_TYPE_STATIC_SCOPE) == G_TYPE_SOCKET_CLIENT_EVENT);
  g_assert_true ((query.param_types[1] & ~G_SIGNAL_TYPE_STATIC_SCOPE) == G_TYPE_SOCKET_CONNECTABLE);
  g_assert_true ((query.param_types[2] & ~G_SIGNAL_TYPE_STATIC_SCOPE) == G_TYPE_IO_STREAM);
}

/* A subclass that overrides the class handler, as an application would
 * for GSocketClient. */
typedef struct
{
  DialSocketClient  parent_instance;
  GString          *log;
} TestSubClient;

typedef struct
{
  DialSocketClientClass parent_class;
} TestSubClientClass;

static GType test_sub_client_get_type (void);
G_DEFINE_TYPE (TestSubClient, test_sub_client, DIAL_TYPE_SOCKET_CLIENT)

static void
test_sub_client_event (DialSocketClient   *client,
                       GSocketClientEvent  event,
                       GSocketConnectable *connectable,
                       GIOStream          *connection)
{
  TestSubClient *self = (TestSubClient *) client;

  g_string_append_printf (self->log, "vfunc:%d ", event);

  /* Chaining up is allowed (the base handler may be NULL). */
  if (DIAL_SOCKET_CLIENT_CLASS (test_sub_client_parent_class)->event != NULL)
    DIAL_SOCKET_CLIENT_CLASS (test_sub_client_parent_class)->event (client, event, connectable, connection);
}

static void
test_sub_client_finalize (GObject *object)
{
  TestSubClient *self = (TestSubClient *) object;

  g_string_free (self->log, TRUE);
  G_OBJECT_CLASS (test_sub_client_parent_class)->finalize (object);
}

static void
test_sub_client_class_init (TestSubClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_sub_client_finalize;
  DIAL_SOCKET_CLIENT_CLASS (klass)->event = test_sub_client_event;
}

static void
test_sub_client_init (TestSubClient *self)
{
  self->log = g_string_new (NULL);
}

static void
on_event_log (DialSocketClient   *client,
              GSocketClientEvent  event,
              GSocketConnectable *connectable,
              GIOStream          *connection,
              gpointer            user_data)
{
  TestSubClient *self = user_data;

  g_string_append_printf (self->log, "handler:%d ", event);
}

static void
on_event_log_after (DialSocketClient   *client,
                    GSocketClientEvent  event,
                    GSocketConnectable *connectable,
                    GIOStream          *connection,
                    gpointer            user_data)
{
  TestSubClient *self = user_data;

  g_string_append_printf (self->log, "after:%d ", event);
}

static void
test_event_vfunc (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DialTestServer) server = dial_test_server_new_accepting (G_SOCKET_FAMILY_IPV4, FALSE, &error);
  TestSubClient *sub;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *expected = NULL;

  g_assert_no_error (error);

  /* The class structure keeps GSocketClientClass's layout. */
  g_assert_cmpuint (sizeof (DialSocketClientClass), ==, sizeof (GSocketClientClass));
  g_assert_cmpuint (G_STRUCT_OFFSET (DialSocketClientClass, event), ==,
                    G_STRUCT_OFFSET (GSocketClientClass, event));

  sub = g_object_new (test_sub_client_get_type (), NULL);
  g_signal_connect (sub, "event", G_CALLBACK (on_event_log), sub);
  g_signal_connect_after (sub, "event", G_CALLBACK (on_event_log_after), sub);

  connection = dial_socket_client_connect (DIAL_SOCKET_CLIENT (sub),
                                           G_SOCKET_CONNECTABLE (dial_test_server_get_address (server)),
                                           NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (connection);

  /* RUN_LAST: normal handlers, then the class handler, then "after". */
  expected = g_strdup_printf ("handler:%d vfunc:%d after:%d "
                              "handler:%d vfunc:%d after:%d "
                              "handler:%d vfunc:%d after:%d "
                              "handler:%d vfunc:%d after:%d "
                              "handler:%d vfunc:%d after:%d ",
                              G_SOCKET_CLIENT_RESOLVING, G_SOCKET_CLIENT_RESOLVING, G_SOCKET_CLIENT_RESOLVING,
                              G_SOCKET_CLIENT_RESOLVED, G_SOCKET_CLIENT_RESOLVED, G_SOCKET_CLIENT_RESOLVED,
                              G_SOCKET_CLIENT_CONNECTING, G_SOCKET_CLIENT_CONNECTING, G_SOCKET_CLIENT_CONNECTING,
                              G_SOCKET_CLIENT_CONNECTED, G_SOCKET_CLIENT_CONNECTED, G_SOCKET_CLIENT_CONNECTED,
                              G_SOCKET_CLIENT_COMPLETE, G_SOCKET_CLIENT_COMPLETE, G_SOCKET_CLIENT_COMPLETE);
  g_assert_cmpstr (sub->log->str, ==, expected);

  g_object_unref (sub);
}

/* The vfunc is also what g_signal_emit () runs. */
static void
test_event_emit_by_name (void)
{
  TestSubClient *sub = g_object_new (test_sub_client_get_type (), NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 1);
  g_autofree char *expected = g_strdup_printf ("vfunc:%d ", G_SOCKET_CLIENT_RESOLVED);

  g_signal_emit_by_name (sub, "event", G_SOCKET_CLIENT_RESOLVED, address, NULL);
  g_assert_cmpstr (sub->log->str, ==, expected);

  g_object_unref (sub);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/socket-client/properties/defaults", test_defaults);
  g_test_add_func ("/socket-client/properties/pspecs", test_pspecs);
  g_test_add_func ("/socket-client/properties/setters-notify", test_setters_notify);
  g_test_add_func ("/socket-client/properties/local-address-ref", test_local_address_ref);
  g_test_add_func ("/socket-client/properties/proxy-resolver-ref", test_proxy_resolver_ref);
  g_test_add_func ("/socket-client/properties/object-set-notifies", test_object_set_notifies);
  g_test_add_func ("/socket-client/properties/construct-all", test_construct_all);
  g_test_add_func ("/socket-client/event/signal", test_event_signal);
  g_test_add_func ("/socket-client/event/vfunc", test_event_vfunc);
  g_test_add_func ("/socket-client/event/emit-by-name", test_event_emit_by_name);

  return g_test_run ();
}
