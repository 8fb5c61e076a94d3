/* dial-socket-client.c: the public class
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dial-socket-client-private.h"
#include "dial-connect-operation.h"
#include "dial-connect-sync.h"
#include "dial-marshal.h"

/**
 * DialSocketClient:
 *
 * Makes connections to network hosts, as [class@Gio.SocketClient] does.
 *
 * `DialSocketClient` has exactly the API of `GSocketClient`, with the
 * prefix `dial_` in C and the namespace `Dial` in Python and JavaScript:
 * the same methods, properties and [signal@Dial.SocketClient::event]
 * signal, taking and returning GIO's own types. Code written for GIO can
 * swap one class for the other and change nothing else.
 *
 * A connect runs through the stages of a small state machine: the
 * connectable is resolved into addresses, a socket is connected to one of
 * them, a proxy is negotiated when the address is a [class@Gio.ProxyAddress],
 * TLS is handshaken when [property@Dial.SocketClient:tls] is set, and the
 * operation completes. [signal@Dial.SocketClient::event] reports each
 * stage, in the same order and with the same objects as GIO.
 *
 * The asynchronous methods race addresses as GIO does (Happy Eyeballs,
 * RFC 8305): while an attempt is pending, a new one starts every 250 ms.
 * Proxy negotiation and the TLS handshake run on one TCP winner at a time.
 *
 * Where this class deliberately differs from GIO, the documentation page
 * "Differences from GIO" says how and why.
 */

typedef struct
{
  GSocketFamily         family;
  GSocketType           type;
  GSocketProtocol       protocol;
  GSocketAddress       *local_address;
  guint                 timeout;
  gboolean              enable_proxy;
  gboolean              tls;
  GTlsCertificateFlags  tls_validation_flags;
  GProxyResolver       *proxy_resolver;
  GHashTable           *application_proxies;
  guint                 deadline;
  guint                 attempt_delay;
  gboolean              family_cache;
} DialSocketClientPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (DialSocketClient, dial_socket_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_FAMILY,
  PROP_TYPE,
  PROP_PROTOCOL,
  PROP_LOCAL_ADDRESS,
  PROP_TIMEOUT,
  PROP_ENABLE_PROXY,
  PROP_TLS,
  PROP_TLS_VALIDATION_FLAGS,
  PROP_PROXY_RESOLVER,
  PROP_DEADLINE,
  PROP_ATTEMPT_DELAY,
  PROP_FAMILY_CACHE,
  N_PROPS
};

enum {
  EVENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/**
 * dial_socket_client_new:
 *
 * Creates a new socket client with the default options, as
 * `g_socket_client_new()` does.
 *
 * Returns: (transfer full): a new `DialSocketClient`
 */
DialSocketClient *
dial_socket_client_new (void)
{
  return g_object_new (DIAL_TYPE_SOCKET_CLIENT, NULL);
}

static void
dial_socket_client_finalize (GObject *object)
{
  DialSocketClient *self = DIAL_SOCKET_CLIENT (object);
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (self);

  g_clear_object (&priv->local_address);
  g_clear_object (&priv->proxy_resolver);
  g_clear_pointer (&priv->application_proxies, g_hash_table_unref);

  G_OBJECT_CLASS (dial_socket_client_parent_class)->finalize (object);
}

static void
dial_socket_client_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  DialSocketClient *self = DIAL_SOCKET_CLIENT (object);
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_FAMILY:
      g_value_set_enum (value, priv->family);
      break;

    case PROP_TYPE:
      g_value_set_enum (value, priv->type);
      break;

    case PROP_PROTOCOL:
      g_value_set_enum (value, priv->protocol);
      break;

    case PROP_LOCAL_ADDRESS:
      g_value_set_object (value, priv->local_address);
      break;

    case PROP_TIMEOUT:
      g_value_set_uint (value, priv->timeout);
      break;

    case PROP_ENABLE_PROXY:
      g_value_set_boolean (value, priv->enable_proxy);
      break;

    case PROP_TLS:
      g_value_set_boolean (value, priv->tls);
      break;

    case PROP_TLS_VALIDATION_FLAGS:
      g_value_set_flags (value, priv->tls_validation_flags);
      break;

    case PROP_PROXY_RESOLVER:
      g_value_set_object (value, dial_socket_client_get_proxy_resolver (self));
      break;

    case PROP_DEADLINE:
      g_value_set_uint (value, priv->deadline);
      break;

    case PROP_ATTEMPT_DELAY:
      g_value_set_uint (value, priv->attempt_delay);
      break;

    case PROP_FAMILY_CACHE:
      g_value_set_boolean (value, priv->family_cache);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dial_socket_client_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  DialSocketClient *self = DIAL_SOCKET_CLIENT (object);

  switch (prop_id)
    {
    case PROP_FAMILY:
      dial_socket_client_set_family (self, g_value_get_enum (value));
      break;

    case PROP_TYPE:
      dial_socket_client_set_socket_type (self, g_value_get_enum (value));
      break;

    case PROP_PROTOCOL:
      dial_socket_client_set_protocol (self, g_value_get_enum (value));
      break;

    case PROP_LOCAL_ADDRESS:
      dial_socket_client_set_local_address (self, g_value_get_object (value));
      break;

    case PROP_TIMEOUT:
      dial_socket_client_set_timeout (self, g_value_get_uint (value));
      break;

    case PROP_ENABLE_PROXY:
      dial_socket_client_set_enable_proxy (self, g_value_get_boolean (value));
      break;

    case PROP_TLS:
      dial_socket_client_set_tls (self, g_value_get_boolean (value));
      break;

    case PROP_TLS_VALIDATION_FLAGS:
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      dial_socket_client_set_tls_validation_flags (self, g_value_get_flags (value));
      G_GNUC_END_IGNORE_DEPRECATIONS
      break;

    case PROP_PROXY_RESOLVER:
      dial_socket_client_set_proxy_resolver (self, g_value_get_object (value));
      break;

    case PROP_DEADLINE:
      dial_socket_client_set_deadline (self, g_value_get_uint (value));
      break;

    case PROP_ATTEMPT_DELAY:
      dial_socket_client_set_attempt_delay (self, g_value_get_uint (value));
      break;

    case PROP_FAMILY_CACHE:
      dial_socket_client_set_family_cache (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dial_socket_client_class_init (DialSocketClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dial_socket_client_finalize;
  object_class->get_property = dial_socket_client_get_property;
  object_class->set_property = dial_socket_client_set_property;

  /* Like GIO's, the properties are CONSTRUCT and not EXPLICIT_NOTIFY:
   * g_object_set() notifies even when the value does not change, while
   * the setters notify only on a change. */

  /**
   * DialSocketClient:family:
   *
   * The address family of the sockets the client creates.
   * %G_SOCKET_FAMILY_INVALID (the default) takes the family of the local
   * address if one is set, and otherwise that of each destination address.
   */
  properties[PROP_FAMILY] =
    g_param_spec_enum ("family", NULL, NULL,
                       G_TYPE_SOCKET_FAMILY,
                       G_SOCKET_FAMILY_INVALID,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));

  /**
   * DialSocketClient:type:
   *
   * The type of the sockets the client creates. Proxies are only used for
   * %G_SOCKET_TYPE_STREAM.
   */
  properties[PROP_TYPE] =
    g_param_spec_enum ("type", NULL, NULL,
                       G_TYPE_SOCKET_TYPE,
                       G_SOCKET_TYPE_STREAM,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));

  /**
   * DialSocketClient:protocol:
   *
   * The protocol of the sockets the client creates;
   * %G_SOCKET_PROTOCOL_DEFAULT lets the kernel choose.
   */
  properties[PROP_PROTOCOL] =
    g_param_spec_enum ("protocol", NULL, NULL,
                       G_TYPE_SOCKET_PROTOCOL,
                       G_SOCKET_PROTOCOL_DEFAULT,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));

  /**
   * DialSocketClient:local-address:
   *
   * The local address every socket is bound to before it connects, or
   * %NULL to let the kernel choose.
   */
  properties[PROP_LOCAL_ADDRESS] =
    g_param_spec_object ("local-address", NULL, NULL,
                         G_TYPE_SOCKET_ADDRESS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));

  /**
   * DialSocketClient:timeout:
   *
   * The I/O timeout of every socket the client creates, in seconds, or 0
   * for none. As in GIO, it bounds each connect, read and write on its own
   * (including those of proxy negotiation and the TLS handshake); it is not
   * a deadline for the whole operation and does not cover name resolution.
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));

  /**
   * DialSocketClient:enable-proxy:
   *
   * Whether the client looks up and negotiates proxies for stream
   * connections, through [property@Dial.SocketClient:proxy-resolver].
   */
  properties[PROP_ENABLE_PROXY] =
    g_param_spec_boolean ("enable-proxy", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));

  /**
   * DialSocketClient:tls:
   *
   * Whether the client wraps every connection in TLS. The result of a
   * connect is then a [class@Gio.TcpWrapperConnection] whose base stream is
   * a [iface@Gio.TlsClientConnection].
   */
  properties[PROP_TLS] =
    g_param_spec_boolean ("tls", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));

  /**
   * DialSocketClient:tls-validation-flags:
   *
   * The TLS validation flags used when creating TLS connections.
   *
   * Deprecated: 1.0: As in GIO (since 2.72), do not change this; to accept
   *   a certificate GIO would reject, connect to
   *   [signal@Gio.TlsConnection::accept-certificate] on the connection
   *   given by the %G_SOCKET_CLIENT_TLS_HANDSHAKING event.
   */
  properties[PROP_TLS_VALIDATION_FLAGS] =
    g_param_spec_flags ("tls-validation-flags", NULL, NULL,
                        G_TYPE_TLS_CERTIFICATE_FLAGS,
                        G_TLS_CERTIFICATE_VALIDATE_ALL,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS |
                         G_PARAM_DEPRECATED));

  /**
   * DialSocketClient:proxy-resolver:
   *
   * The proxy resolver the client uses, or %NULL for
   * [func@Gio.ProxyResolver.get_default]. Reading the property never gives
   * %NULL: it gives the default resolver when none was set.
   *
   * When none was set and GIO's default resolver is its dummy one, which
   * never proxies (GLib without glib-networking, or
   * `GIO_USE_PROXY_RESOLVER=dummy`), the client uses a process-wide
   * [class@Dial.EnvironmentProxyResolver] instead, so that `http_proxy`,
   * `https_proxy`, `all_proxy` and `no_proxy` still apply. Reading the
   * property then still gives GIO's default resolver, as GIO's
   * `GSocketClient` would.
   */
  properties[PROP_PROXY_RESOLVER] =
    g_param_spec_object ("proxy-resolver", NULL, NULL,
                         G_TYPE_PROXY_RESOLVER,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));

  /* The properties below are libdial's own, not GIO's: they notify only
   * on a change, like every property written today. */

  /**
   * DialSocketClient:deadline:
   *
   * A limit on a whole connect, in milliseconds, or 0 (the default) for
   * none: name resolution, every connection attempt, proxy negotiation and
   * the TLS handshake together. When it passes, the connect fails with
   * %G_IO_ERROR_TIMED_OUT, a message that says which stage was running,
   * and every pending attempt is released.
   *
   * GIO has no such limit: its [property@Dial.SocketClient:timeout] bounds
   * each socket operation on its own, which this property leaves as it is.
   */
  properties[PROP_DEADLINE] =
    g_param_spec_uint ("deadline", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * DialSocketClient:attempt-delay:
   *
   * How long, in milliseconds, a connection attempt may stay pending
   * before the next address is tried in parallel (RFC 8305's Connection
   * Attempt Delay). The default, 250, is GIO's and the RFC's.
   */
  properties[PROP_ATTEMPT_DELAY] =
    g_param_spec_uint ("attempt-delay", NULL, NULL,
                       0, G_MAXUINT, DIAL_SOCKET_CLIENT_DEFAULT_ATTEMPT_DELAY,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * DialSocketClient:family-cache:
   *
   * Whether connects share a process-wide memory of the address family
   * that won for each host name. When one family failed or hung and the
   * other won, the next connect to that name starts with the winner and
   * races the other after [property@Dial.SocketClient:attempt-delay], so
   * it does not wait for the broken family again. Entries expire after
   * ten minutes and are forgotten when the network changes. On by default.
   */
  properties[PROP_FAMILY_CACHE] =
    g_param_spec_boolean ("family-cache", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * DialSocketClient::event:
   * @client: the client
   * @event: the event that is occurring
   * @connectable: the connectable the operation is connecting to
   * @connection: (nullable): the current representation of the connection
   *
   * Emitted as the client moves through the stages of a connect, exactly
   * as [signal@Gio.SocketClient::event] is.
   *
   * @connection is %NULL for %G_SOCKET_CLIENT_RESOLVING and
   * %G_SOCKET_CLIENT_RESOLVED; the new [class@Gio.SocketConnection] for
   * %G_SOCKET_CLIENT_CONNECTING (not yet connected) and
   * %G_SOCKET_CLIENT_CONNECTED; the connection to the proxy for
   * %G_SOCKET_CLIENT_PROXY_NEGOTIATING and what the proxy returned for
   * %G_SOCKET_CLIENT_PROXY_NEGOTIATED; the [iface@Gio.TlsClientConnection]
   * for %G_SOCKET_CLIENT_TLS_HANDSHAKING (the place to connect to
   * [signal@Gio.TlsConnection::accept-certificate], set a database or
   * advertised protocols) and %G_SOCKET_CLIENT_TLS_HANDSHAKED; and for
   * %G_SOCKET_CLIENT_COMPLETE the connection that the call returns, or
   * %NULL when it fails.
   *
   * Every connect emits %G_SOCKET_CLIENT_COMPLETE exactly once, before the
   * result is delivered; a connect whose host or URI does not parse emits
   * nothing. Events of several addresses tried in turn or in parallel
   * interleave, so more than one %G_SOCKET_CLIENT_CONNECTING can come
   * before the one %G_SOCKET_CLIENT_CONNECTED that wins.
   */
  signals[EVENT] =
    g_signal_new ("event",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  G_STRUCT_OFFSET (DialSocketClientClass, event),
                  NULL, NULL,
                  _dial_marshal_VOID__ENUM_OBJECT_OBJECT,
                  G_TYPE_NONE, 3,
                  G_TYPE_SOCKET_CLIENT_EVENT,
                  G_TYPE_SOCKET_CONNECTABLE,
                  G_TYPE_IO_STREAM);
  g_signal_set_va_marshaller (signals[EVENT],
                              G_TYPE_FROM_CLASS (klass),
                              _dial_marshal_VOID__ENUM_OBJECT_OBJECTv);
}

static void
dial_socket_client_init (DialSocketClient *self)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (self);

  priv->type = G_SOCKET_TYPE_STREAM;
  priv->attempt_delay = DIAL_SOCKET_CLIENT_DEFAULT_ATTEMPT_DELAY;
  priv->family_cache = TRUE;
  priv->application_proxies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * dial_socket_client_get_family:
 * @client: a `DialSocketClient`
 *
 * Gets the socket family of the client.
 *
 * Returns: the family, see [property@Dial.SocketClient:family]
 */
GSocketFamily
dial_socket_client_get_family (DialSocketClient *client)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_val_if_fail (DIAL_IS_SOCKET_CLIENT (client), G_SOCKET_FAMILY_INVALID);

  return priv->family;
}

/**
 * dial_socket_client_set_family:
 * @client: a `DialSocketClient`
 * @family: a `GSocketFamily`
 *
 * Sets the socket family of the sockets the client creates, or
 * %G_SOCKET_FAMILY_INVALID to take it from each address.
 */
void
dial_socket_client_set_family (DialSocketClient *client,
                               GSocketFamily     family)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_if_fail (DIAL_IS_SOCKET_CLIENT (client));

  if (priv->family == family)
    return;

  priv->family = family;
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_FAMILY]);
}

/**
 * dial_socket_client_get_socket_type:
 * @client: a `DialSocketClient`
 *
 * Gets the socket type of the client.
 *
 * Returns: the type, see [property@Dial.SocketClient:type]
 */
GSocketType
dial_socket_client_get_socket_type (DialSocketClient *client)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_val_if_fail (DIAL_IS_SOCKET_CLIENT (client), G_SOCKET_TYPE_STREAM);

  return priv->type;
}

/**
 * dial_socket_client_set_socket_type:
 * @client: a `DialSocketClient`
 * @type: a `GSocketType`
 *
 * Sets the type of the sockets the client creates. As in GIO, a datagram
 * "connection" is accepted, though it only sets the default peer.
 */
void
dial_socket_client_set_socket_type (DialSocketClient *client,
                                    GSocketType       type)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_if_fail (DIAL_IS_SOCKET_CLIENT (client));

  if (priv->type == type)
    return;

  priv->type = type;
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_TYPE]);
}

/**
 * dial_socket_client_get_protocol:
 * @client: a `DialSocketClient`
 *
 * Gets the protocol of the client.
 *
 * Returns: the protocol, see [property@Dial.SocketClient:protocol]
 */
GSocketProtocol
dial_socket_client_get_protocol (DialSocketClient *client)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_val_if_fail (DIAL_IS_SOCKET_CLIENT (client), G_SOCKET_PROTOCOL_DEFAULT);

  return priv->protocol;
}

/**
 * dial_socket_client_set_protocol:
 * @client: a `DialSocketClient`
 * @protocol: a `GSocketProtocol`
 *
 * Sets the protocol of the sockets the client creates.
 */
void
dial_socket_client_set_protocol (DialSocketClient *client,
                                 GSocketProtocol   protocol)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_if_fail (DIAL_IS_SOCKET_CLIENT (client));

  if (priv->protocol == protocol)
    return;

  priv->protocol = protocol;
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_PROTOCOL]);
}

/**
 * dial_socket_client_get_local_address:
 * @client: a `DialSocketClient`
 *
 * Gets the local address the client binds its sockets to.
 *
 * Returns: (nullable) (transfer none): the local address, or %NULL
 */
GSocketAddress *
dial_socket_client_get_local_address (DialSocketClient *client)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_val_if_fail (DIAL_IS_SOCKET_CLIENT (client), NULL);

  return priv->local_address;
}

/**
 * dial_socket_client_set_local_address:
 * @client: a `DialSocketClient`
 * @address: (nullable): a `GSocketAddress`, or %NULL
 *
 * Sets the local address every socket is bound to before it connects. A
 * port of 0 lets the kernel choose one at connect time.
 *
 * Like GIO's, this setter notifies [property@Dial.SocketClient:local-address]
 * on every call, even when the address does not change.
 */
void
dial_socket_client_set_local_address (DialSocketClient *client,
                                      GSocketAddress   *address)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_if_fail (DIAL_IS_SOCKET_CLIENT (client));
  g_return_if_fail (address == NULL || G_IS_SOCKET_ADDRESS (address));

  g_set_object (&priv->local_address, address);
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_LOCAL_ADDRESS]);
}

/**
 * dial_socket_client_get_timeout:
 * @client: a `DialSocketClient`
 *
 * Gets the I/O timeout of the client's sockets.
 *
 * Returns: the timeout in seconds, or 0 for none
 */
guint
dial_socket_client_get_timeout (DialSocketClient *client)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_val_if_fail (DIAL_IS_SOCKET_CLIENT (client), 0);

  return priv->timeout;
}

/**
 * dial_socket_client_set_timeout:
 * @client: a `DialSocketClient`
 * @timeout: the timeout in seconds, or 0 for none
 *
 * Sets the I/O timeout of the sockets the client creates. It applies to
 * each connect, read and write on its own, also on the returned
 * connection; see [property@Dial.SocketClient:timeout].
 */
void
dial_socket_client_set_timeout (DialSocketClient *client,
                                guint             timeout)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_if_fail (DIAL_IS_SOCKET_CLIENT (client));

  if (priv->timeout == timeout)
    return;

  priv->timeout = timeout;
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_TIMEOUT]);
}

/**
 * dial_socket_client_get_enable_proxy:
 * @client: a `DialSocketClient`
 *
 * Gets whether the client uses proxies.
 *
 * Returns: whether proxies are enabled
 */
gboolean
dial_socket_client_get_enable_proxy (DialSocketClient *client)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_val_if_fail (DIAL_IS_SOCKET_CLIENT (client), FALSE);

  return priv->enable_proxy;
}

/**
 * dial_socket_client_set_enable_proxy:
 * @client: a `DialSocketClient`
 * @enable: whether to use proxies
 *
 * Sets whether the client looks up and negotiates proxies for stream
 * connections. It is on by default.
 */
void
dial_socket_client_set_enable_proxy (DialSocketClient *client,
                                     gboolean          enable)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_if_fail (DIAL_IS_SOCKET_CLIENT (client));

  enable = !!enable;
  if (priv->enable_proxy == enable)
    return;

  priv->enable_proxy = enable;
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_ENABLE_PROXY]);
}

/**
 * dial_socket_client_get_tls:
 * @client: a `DialSocketClient`
 *
 * Gets whether the client wraps its connections in TLS.
 *
 * Returns: whether TLS is on
 */
gboolean
dial_socket_client_get_tls (DialSocketClient *client)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_val_if_fail (DIAL_IS_SOCKET_CLIENT (client), FALSE);

  return priv->tls;
}

/**
 * dial_socket_client_set_tls:
 * @client: a `DialSocketClient`
 * @tls: whether to use TLS
 *
 * Sets whether the client wraps its connections in TLS, after any proxy
 * negotiation. The connection returned is then a
 * [class@Gio.TcpWrapperConnection] whose base stream is the
 * [iface@Gio.TlsClientConnection]; its server identity is the connectable
 * given to the connect call. To inspect or adjust TLS, connect to
 * [signal@Dial.SocketClient::event] and act on
 * %G_SOCKET_CLIENT_TLS_HANDSHAKING.
 */
void
dial_socket_client_set_tls (DialSocketClient *client,
                            gboolean          tls)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_if_fail (DIAL_IS_SOCKET_CLIENT (client));

  tls = !!tls;
  if (priv->tls == tls)
    return;

  priv->tls = tls;
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_TLS]);
}

/**
 * dial_socket_client_get_tls_validation_flags:
 * @client: a `DialSocketClient`
 *
 * Gets the TLS validation flags used when creating TLS connections.
 *
 * Returns: the validation flags
 *
 * Deprecated: 1.0: See [property@Dial.SocketClient:tls-validation-flags].
 */
GTlsCertificateFlags
dial_socket_client_get_tls_validation_flags (DialSocketClient *client)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_val_if_fail (DIAL_IS_SOCKET_CLIENT (client), 0);

  return priv->tls_validation_flags;
}

/**
 * dial_socket_client_set_tls_validation_flags:
 * @client: a `DialSocketClient`
 * @flags: the validation flags
 *
 * Sets the TLS validation flags used when creating TLS connections.
 *
 * Deprecated: 1.0: See [property@Dial.SocketClient:tls-validation-flags].
 */
void
dial_socket_client_set_tls_validation_flags (DialSocketClient     *client,
                                             GTlsCertificateFlags  flags)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_if_fail (DIAL_IS_SOCKET_CLIENT (client));

  if (priv->tls_validation_flags == flags)
    return;

  priv->tls_validation_flags = flags;
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_TLS_VALIDATION_FLAGS]);
}

/**
 * dial_socket_client_get_proxy_resolver:
 * @client: a `DialSocketClient`
 *
 * Gets the proxy resolver the client uses.
 *
 * Returns: (transfer none): the resolver set with
 *   [method@Dial.SocketClient.set_proxy_resolver], or the default resolver
 *   when none was set
 */
GProxyResolver *
dial_socket_client_get_proxy_resolver (DialSocketClient *client)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_val_if_fail (DIAL_IS_SOCKET_CLIENT (client), NULL);

  if (priv->proxy_resolver != NULL)
    return priv->proxy_resolver;

  return g_proxy_resolver_get_default ();
}

/**
 * dial_socket_client_set_proxy_resolver:
 * @client: a `DialSocketClient`
 * @proxy_resolver: (nullable): a `GProxyResolver`, or %NULL for the default
 *
 * Sets the proxy resolver the client uses when
 * [property@Dial.SocketClient:enable-proxy] is on.
 *
 * As in GIO, [method@Dial.SocketClient.connect_to_service] does not use it:
 * the targets of a service are looked up with the default resolver.
 */
void
dial_socket_client_set_proxy_resolver (DialSocketClient *client,
                                       GProxyResolver   *proxy_resolver)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_if_fail (DIAL_IS_SOCKET_CLIENT (client));
  g_return_if_fail (proxy_resolver == NULL || G_IS_PROXY_RESOLVER (proxy_resolver));

  /* Like GIO, this neither notifies nor looks the default resolver up
   * eagerly: doing so would load GIO modules at construction time. */
  g_set_object (&priv->proxy_resolver, proxy_resolver);
}

/**
 * dial_socket_client_get_deadline:
 * @client: a `DialSocketClient`
 *
 * Gets the limit on a whole connect.
 *
 * Returns: the limit in milliseconds, or 0 for none
 */
guint
dial_socket_client_get_deadline (DialSocketClient *client)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_val_if_fail (DIAL_IS_SOCKET_CLIENT (client), 0);

  return priv->deadline;
}

/**
 * dial_socket_client_set_deadline:
 * @client: a `DialSocketClient`
 * @deadline: the limit in milliseconds, or 0 for none
 *
 * Sets a limit on each whole connect: resolution, connection attempts,
 * proxy negotiation and the TLS handshake together. See
 * [property@Dial.SocketClient:deadline].
 */
void
dial_socket_client_set_deadline (DialSocketClient *client,
                                 guint             deadline)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_if_fail (DIAL_IS_SOCKET_CLIENT (client));

  if (priv->deadline == deadline)
    return;

  priv->deadline = deadline;
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_DEADLINE]);
}

/**
 * dial_socket_client_get_attempt_delay:
 * @client: a `DialSocketClient`
 *
 * Gets the delay before the next address is tried in parallel.
 *
 * Returns: the delay in milliseconds
 */
guint
dial_socket_client_get_attempt_delay (DialSocketClient *client)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_val_if_fail (DIAL_IS_SOCKET_CLIENT (client), DIAL_SOCKET_CLIENT_DEFAULT_ATTEMPT_DELAY);

  return priv->attempt_delay;
}

/**
 * dial_socket_client_set_attempt_delay:
 * @client: a `DialSocketClient`
 * @attempt_delay: the delay in milliseconds
 *
 * Sets how long a connection attempt may stay pending before the next
 * address is tried in parallel. See
 * [property@Dial.SocketClient:attempt-delay].
 */
void
dial_socket_client_set_attempt_delay (DialSocketClient *client,
                                      guint             attempt_delay)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_if_fail (DIAL_IS_SOCKET_CLIENT (client));

  if (priv->attempt_delay == attempt_delay)
    return;

  priv->attempt_delay = attempt_delay;
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_ATTEMPT_DELAY]);
}

/**
 * dial_socket_client_get_family_cache:
 * @client: a `DialSocketClient`
 *
 * Gets whether the client uses the process-wide address family cache.
 *
 * Returns: whether the family cache is used
 */
gboolean
dial_socket_client_get_family_cache (DialSocketClient *client)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_val_if_fail (DIAL_IS_SOCKET_CLIENT (client), FALSE);

  return priv->family_cache;
}

/**
 * dial_socket_client_set_family_cache:
 * @client: a `DialSocketClient`
 * @enabled: whether to use the family cache
 *
 * Sets whether the client's connects read and update the process-wide
 * address family cache. See [property@Dial.SocketClient:family-cache].
 */
void
dial_socket_client_set_family_cache (DialSocketClient *client,
                                     gboolean          enabled)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_if_fail (DIAL_IS_SOCKET_CLIENT (client));

  enabled = !!enabled;
  if (priv->family_cache == enabled)
    return;

  priv->family_cache = enabled;
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_FAMILY_CACHE]);
}

/**
 * dial_socket_client_add_application_proxy:
 * @client: a `DialSocketClient`
 * @protocol: the proxy protocol
 *
 * Declares that the application handles the proxy protocol @protocol
 * itself. When a proxy resolver returns a proxy of that protocol, the
 * client connects to the proxy and returns the raw connection to it, with
 * no negotiation and no TLS; its remote address is the
 * [class@Gio.ProxyAddress], so the application can do the rest.
 *
 * There is no way to remove a protocol again, as in GIO.
 */
void
dial_socket_client_add_application_proxy (DialSocketClient *client,
                                          const gchar      *protocol)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  g_return_if_fail (DIAL_IS_SOCKET_CLIENT (client));
  g_return_if_fail (protocol != NULL);

  g_hash_table_add (priv->application_proxies, g_strdup (protocol));
}

void
dial_socket_client_emit_event (DialSocketClient   *client,
                               GSocketClientEvent  event,
                               GSocketConnectable *connectable,
                               GIOStream          *connection)
{
  g_signal_emit (client, signals[EVENT], 0, event, connectable, connection);
}

gboolean
dial_socket_client_is_application_proxy (DialSocketClient *client,
                                         const char       *protocol)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  return protocol != NULL && g_hash_table_contains (priv->application_proxies, protocol);
}

GProxyResolver *
dial_socket_client_peek_proxy_resolver (DialSocketClient *client)
{
  DialSocketClientPrivate *priv = dial_socket_client_get_instance_private (client);

  return priv->proxy_resolver;
}

/**
 * dial_socket_client_connect:
 * @client: a `DialSocketClient`
 * @connectable: a `GSocketConnectable` to connect to
 * @cancellable: (nullable): a `GCancellable`, or %NULL
 * @error: a location for a `GError`, or %NULL
 *
 * Connects to @connectable and blocks until the connection is made or
 * every address has failed, as [method@Gio.SocketClient.connect] does.
 *
 * Each address the connectable resolves to is tried in turn. When one is a
 * proxy, the proxy is negotiated; when [property@Dial.SocketClient:tls] is
 * set, TLS is handshaken. A failure at any stage moves on to the next
 * address. When all fail, the error of the latest stage reached is
 * returned: a TLS error beats a proxy error, which beats a connect error,
 * which beats a resolver error.
 *
 * Returns: (transfer full): a `GSocketConnection` on success, %NULL on error
 */
GSocketConnection *
dial_socket_client_connect (DialSocketClient    *client,
                            GSocketConnectable  *connectable,
                            GCancellable        *cancellable,
                            GError             **error)
{
  g_return_val_if_fail (DIAL_IS_SOCKET_CLIENT (client), NULL);
  g_return_val_if_fail (G_IS_SOCKET_CONNECTABLE (connectable), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return dial_connect_sync (client, connectable, cancellable, error);
}

/**
 * dial_socket_client_connect_to_host:
 * @client: a `DialSocketClient`
 * @host_and_port: the name and optionally port of the host to connect to
 * @default_port: the port to connect to if @host_and_port has none
 * @cancellable: (nullable): a `GCancellable`, or %NULL
 * @error: a location for a `GError`, or %NULL
 *
 * Connects to a host given as a string, as
 * [method@Gio.SocketClient.connect_to_host] does.
 *
 * @host_and_port is parsed by [func@Gio.NetworkAddress.parse]: a host name
 * or IP address, optionally followed by a colon and a port number or
 * service name; IPv6 addresses with a port are written in brackets, as in
 * `[::1]:80`. Input that does not parse fails with
 * %G_IO_ERROR_INVALID_ARGUMENT and emits no event.
 *
 * Returns: (transfer full): a `GSocketConnection` on success, %NULL on error
 */
GSocketConnection *
dial_socket_client_connect_to_host (DialSocketClient  *client,
                                    const gchar       *host_and_port,
                                    guint16            default_port,
                                    GCancellable      *cancellable,
                                    GError           **error)
{
  g_autoptr(GSocketConnectable) connectable = NULL;

  g_return_val_if_fail (DIAL_IS_SOCKET_CLIENT (client), NULL);
  g_return_val_if_fail (host_and_port != NULL, NULL);

  connectable = g_network_address_parse (host_and_port, default_port, error);
  if (connectable == NULL)
    return NULL;

  return dial_socket_client_connect (client, connectable, cancellable, error);
}

/**
 * dial_socket_client_connect_to_service:
 * @client: a `DialSocketClient`
 * @domain: a domain name
 * @service: the name of the service to connect to
 * @cancellable: (nullable): a `GCancellable`, or %NULL
 * @error: a location for a `GError`, or %NULL
 *
 * Connects to the service @service of @domain, found through its DNS SRV
 * records, as [method@Gio.SocketClient.connect_to_service] does. Without
 * SRV records, the port of @service in the system's services database is
 * tried on @domain.
 *
 * Returns: (transfer full): a `GSocketConnection` on success, %NULL on error
 */
GSocketConnection *
dial_socket_client_connect_to_service (DialSocketClient  *client,
                                       const gchar       *domain,
                                       const gchar       *service,
                                       GCancellable      *cancellable,
                                       GError           **error)
{
  g_autoptr(GSocketConnectable) connectable = NULL;

  g_return_val_if_fail (DIAL_IS_SOCKET_CLIENT (client), NULL);
  g_return_val_if_fail (domain != NULL, NULL);
  g_return_val_if_fail (service != NULL, NULL);

  connectable = g_network_service_new (service, "tcp", domain);

  return dial_socket_client_connect (client, connectable, cancellable, error);
}

/**
 * dial_socket_client_connect_to_uri:
 * @client: a `DialSocketClient`
 * @uri: a network URI
 * @default_port: the port to connect to if @uri has none
 * @cancellable: (nullable): a `GCancellable`, or %NULL
 * @error: a location for a `GError`, or %NULL
 *
 * Connects to the host and port of a URI, as
 * [method@Gio.SocketClient.connect_to_uri] does. The URI's scheme is kept
 * for proxy lookups; its user information, path, query and fragment are
 * ignored. A URI that does not parse fails with
 * %G_IO_ERROR_INVALID_ARGUMENT and emits no event.
 *
 * Returns: (transfer full): a `GSocketConnection` on success, %NULL on error
 */
GSocketConnection *
dial_socket_client_connect_to_uri (DialSocketClient  *client,
                                   const gchar       *uri,
                                   guint16            default_port,
                                   GCancellable      *cancellable,
                                   GError           **error)
{
  g_autoptr(GSocketConnectable) connectable = NULL;

  g_return_val_if_fail (DIAL_IS_SOCKET_CLIENT (client), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  connectable = g_network_address_parse_uri (uri, default_port, error);
  if (connectable == NULL)
    return NULL;

  return dial_socket_client_connect (client, connectable, cancellable, error);
}

/**
 * dial_socket_client_connect_async:
 * @client: a `DialSocketClient`
 * @connectable: a `GSocketConnectable` to connect to
 * @cancellable: (nullable): a `GCancellable`, or %NULL
 * @callback: (scope async) (nullable): called when the connect is done
 * @user_data: data for @callback
 *
 * Starts connecting to @connectable, as
 * [method@Gio.SocketClient.connect_async] does. @callback runs in the
 * thread-default main context of the calling thread; call
 * [method@Dial.SocketClient.connect_finish] from it.
 *
 * Addresses are raced: while an attempt is pending, another starts every
 * 250 ms (Happy Eyeballs, RFC 8305). The first TCP connection to succeed
 * goes on to the proxy and TLS stages; the others are closed.
 *
 * The operation keeps @client alive until it completes.
 */
void
dial_socket_client_connect_async (DialSocketClient    *client,
                                  GSocketConnectable  *connectable,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (DIAL_IS_SOCKET_CLIENT (client));
  g_return_if_fail (G_IS_SOCKET_CONNECTABLE (connectable));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  dial_connect_operation_start (client, connectable, cancellable, callback, user_data);
}

/**
 * dial_socket_client_connect_finish:
 * @client: a `DialSocketClient`
 * @result: a `GAsyncResult`
 * @error: a location for a `GError`, or %NULL
 *
 * Finishes a connect started with any of the client's `_async` methods.
 *
 * Returns: (transfer full): a `GSocketConnection` on success, %NULL on error
 */
GSocketConnection *
dial_socket_client_connect_finish (DialSocketClient  *client,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (DIAL_IS_SOCKET_CLIENT (client), NULL);
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * dial_socket_client_connect_to_host_async:
 * @client: a `DialSocketClient`
 * @host_and_port: the name and optionally port of the host to connect to
 * @default_port: the port to connect to if @host_and_port has none
 * @cancellable: (nullable): a `GCancellable`, or %NULL
 * @callback: (scope async) (nullable): called when the connect is done
 * @user_data: data for @callback
 *
 * The asynchronous version of [method@Dial.SocketClient.connect_to_host].
 * A parse error is delivered to @callback from the main loop, never from
 * inside this call.
 */
void
dial_socket_client_connect_to_host_async (DialSocketClient    *client,
                                          const gchar         *host_and_port,
                                          guint16              default_port,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GSocketConnectable) connectable = NULL;
  GError *error = NULL;

  g_return_if_fail (DIAL_IS_SOCKET_CLIENT (client));
  g_return_if_fail (host_and_port != NULL);

  connectable = g_network_address_parse (host_and_port, default_port, &error);
  if (connectable == NULL)
    {
      g_task_report_error (client, callback, user_data,
                           dial_socket_client_connect_to_host_async,
                           error);
      return;
    }

  dial_socket_client_connect_async (client, connectable, cancellable, callback, user_data);
}

/**
 * dial_socket_client_connect_to_host_finish:
 * @client: a `DialSocketClient`
 * @result: a `GAsyncResult`
 * @error: a location for a `GError`, or %NULL
 *
 * Finishes [method@Dial.SocketClient.connect_to_host_async].
 *
 * Returns: (transfer full): a `GSocketConnection` on success, %NULL on error
 */
GSocketConnection *
dial_socket_client_connect_to_host_finish (DialSocketClient  *client,
                                           GAsyncResult      *result,
                                           GError           **error)
{
  return dial_socket_client_connect_finish (client, result, error);
}

/**
 * dial_socket_client_connect_to_service_async:
 * @client: a `DialSocketClient`
 * @domain: a domain name
 * @service: the name of the service to connect to
 * @cancellable: (nullable): a `GCancellable`, or %NULL
 * @callback: (scope async) (nullable): called when the connect is done
 * @user_data: data for @callback
 *
 * The asynchronous version of
 * [method@Dial.SocketClient.connect_to_service].
 */
void
dial_socket_client_connect_to_service_async (DialSocketClient    *client,
                                             const gchar         *domain,
                                             const gchar         *service,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_autoptr(GSocketConnectable) connectable = NULL;

  g_return_if_fail (DIAL_IS_SOCKET_CLIENT (client));
  g_return_if_fail (domain != NULL);
  g_return_if_fail (service != NULL);

  connectable = g_network_service_new (service, "tcp", domain);

  dial_socket_client_connect_async (client, connectable, cancellable, callback, user_data);
}

/**
 * dial_socket_client_connect_to_service_finish:
 * @client: a `DialSocketClient`
 * @result: a `GAsyncResult`
 * @error: a location for a `GError`, or %NULL
 *
 * Finishes [method@Dial.SocketClient.connect_to_service_async].
 *
 * Returns: (transfer full): a `GSocketConnection` on success, %NULL on error
 */
GSocketConnection *
dial_socket_client_connect_to_service_finish (DialSocketClient  *client,
                                              GAsyncResult      *result,
                                              GError           **error)
{
  return dial_socket_client_connect_finish (client, result, error);
}

/**
 * dial_socket_client_connect_to_uri_async:
 * @client: a `DialSocketClient`
 * @uri: a network URI
 * @default_port: the port to connect to if @uri has none
 * @cancellable: (nullable): a `GCancellable`, or %NULL
 * @callback: (scope async) (nullable): called when the connect is done
 * @user_data: data for @callback
 *
 * The asynchronous version of [method@Dial.SocketClient.connect_to_uri].
 * A parse error is delivered to @callback from the main loop, never from
 * inside this call.
 */
void
dial_socket_client_connect_to_uri_async (DialSocketClient    *client,
                                         const gchar         *uri,
                                         guint16              default_port,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GSocketConnectable) connectable = NULL;
  GError *error = NULL;

  g_return_if_fail (DIAL_IS_SOCKET_CLIENT (client));
  g_return_if_fail (uri != NULL);

  connectable = g_network_address_parse_uri (uri, default_port, &error);
  if (connectable == NULL)
    {
      g_task_report_error (client, callback, user_data,
                           dial_socket_client_connect_to_uri_async,
                           error);
      return;
    }

  dial_socket_client_connect_async (client, connectable, cancellable, callback, user_data);
}

/**
 * dial_socket_client_connect_to_uri_finish:
 * @client: a `DialSocketClient`
 * @result: a `GAsyncResult`
 * @error: a location for a `GError`, or %NULL
 *
 * Finishes [method@Dial.SocketClient.connect_to_uri_async].
 *
 * Returns: (transfer full): a `GSocketConnection` on success, %NULL on error
 */
GSocketConnection *
dial_socket_client_connect_to_uri_finish (DialSocketClient  *client,
                                          GAsyncResult      *result,
                                          GError           **error)
{
  return dial_socket_client_connect_finish (client, result, error);
}
