/* dial-socket-client.h
 *
 * Copyright 2026 The libdial developers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(DIAL_INSIDE) && !defined(DIAL_COMPILATION)
# error "Only <dial/dial.h> can be included directly."
#endif

#include <gio/gio.h>

#include "dial-version-macros.h"

G_BEGIN_DECLS

#define DIAL_TYPE_SOCKET_CLIENT (dial_socket_client_get_type ())

/**
 * DIAL_SOCKET_CLIENT_DEFAULT_ATTEMPT_DELAY:
 *
 * The default of [property@Dial.SocketClient:attempt-delay], in
 * milliseconds: 250, as in GIO and RFC 8305.
 */
#define DIAL_SOCKET_CLIENT_DEFAULT_ATTEMPT_DELAY 250

DIAL_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (DialSocketClient, dial_socket_client, DIAL, SOCKET_CLIENT, GObject)

/**
 * DialSocketClientClass:
 * @parent_class: the parent class
 * @event: class handler for the [signal@Dial.SocketClient::event] signal
 *
 * The class structure of [class@Dial.SocketClient]. It has the layout of
 * `GSocketClientClass`, so that a subclass can override @event as it would
 * for GIO's client.
 */
struct _DialSocketClientClass
{
  GObjectClass parent_class;

  void (*event) (DialSocketClient   *client,
                 GSocketClientEvent  event,
                 GSocketConnectable *connectable,
                 GIOStream          *connection);

  /*< private >*/
  gpointer _reserved[4];
};

DIAL_AVAILABLE_IN_ALL
DialSocketClient      *dial_socket_client_new                      (void);

DIAL_AVAILABLE_IN_ALL
GSocketFamily          dial_socket_client_get_family               (DialSocketClient        *client);
DIAL_AVAILABLE_IN_ALL
void                   dial_socket_client_set_family               (DialSocketClient        *client,
                                                                    GSocketFamily            family);
DIAL_AVAILABLE_IN_ALL
GSocketType            dial_socket_client_get_socket_type          (DialSocketClient        *client);
DIAL_AVAILABLE_IN_ALL
void                   dial_socket_client_set_socket_type          (DialSocketClient        *client,
                                                                    GSocketType              type);
DIAL_AVAILABLE_IN_ALL
GSocketProtocol        dial_socket_client_get_protocol             (DialSocketClient        *client);
DIAL_AVAILABLE_IN_ALL
void                   dial_socket_client_set_protocol             (DialSocketClient        *client,
                                                                    GSocketProtocol          protocol);
DIAL_AVAILABLE_IN_ALL
GSocketAddress        *dial_socket_client_get_local_address        (DialSocketClient        *client);
DIAL_AVAILABLE_IN_ALL
void                   dial_socket_client_set_local_address        (DialSocketClient        *client,
                                                                    GSocketAddress          *address);
DIAL_AVAILABLE_IN_ALL
guint                  dial_socket_client_get_timeout              (DialSocketClient        *client);
DIAL_AVAILABLE_IN_ALL
void                   dial_socket_client_set_timeout              (DialSocketClient        *client,
                                                                    guint                    timeout);
DIAL_AVAILABLE_IN_ALL
gboolean               dial_socket_client_get_enable_proxy         (DialSocketClient        *client);
DIAL_AVAILABLE_IN_ALL
void                   dial_socket_client_set_enable_proxy         (DialSocketClient        *client,
                                                                    gboolean                 enable);
DIAL_AVAILABLE_IN_ALL
gboolean               dial_socket_client_get_tls                  (DialSocketClient        *client);
DIAL_AVAILABLE_IN_ALL
void                   dial_socket_client_set_tls                  (DialSocketClient        *client,
                                                                    gboolean                 tls);
DIAL_DEPRECATED_IN_ALL
GTlsCertificateFlags   dial_socket_client_get_tls_validation_flags (DialSocketClient        *client);
DIAL_DEPRECATED_IN_ALL
void                   dial_socket_client_set_tls_validation_flags (DialSocketClient        *client,
                                                                    GTlsCertificateFlags     flags);
DIAL_AVAILABLE_IN_ALL
GProxyResolver        *dial_socket_client_get_proxy_resolver       (DialSocketClient        *client);
DIAL_AVAILABLE_IN_ALL
void                   dial_socket_client_set_proxy_resolver       (DialSocketClient        *client,
                                                                    GProxyResolver          *proxy_resolver);

DIAL_AVAILABLE_IN_ALL
guint                  dial_socket_client_get_deadline             (DialSocketClient        *client);
DIAL_AVAILABLE_IN_ALL
void                   dial_socket_client_set_deadline             (DialSocketClient        *client,
                                                                    guint                    deadline);
DIAL_AVAILABLE_IN_ALL
guint                  dial_socket_client_get_attempt_delay        (DialSocketClient        *client);
DIAL_AVAILABLE_IN_ALL
void                   dial_socket_client_set_attempt_delay        (DialSocketClient        *client,
                                                                    guint                    attempt_delay);
DIAL_AVAILABLE_IN_ALL
gboolean               dial_socket_client_get_family_cache         (DialSocketClient        *client);
DIAL_AVAILABLE_IN_ALL
void                   dial_socket_client_set_family_cache         (DialSocketClient        *client,
                                                                    gboolean                 enabled);

DIAL_AVAILABLE_IN_ALL
GSocketConnection     *dial_socket_client_connect                  (DialSocketClient        *client,
                                                                    GSocketConnectable      *connectable,
                                                                    GCancellable            *cancellable,
                                                                    GError                 **error);
DIAL_AVAILABLE_IN_ALL
GSocketConnection     *dial_socket_client_connect_to_host          (DialSocketClient        *client,
                                                                    const gchar             *host_and_port,
                                                                    guint16                  default_port,
                                                                    GCancellable            *cancellable,
                                                                    GError                 **error);
DIAL_AVAILABLE_IN_ALL
GSocketConnection     *dial_socket_client_connect_to_service       (DialSocketClient        *client,
                                                                    const gchar             *domain,
                                                                    const gchar             *service,
                                                                    GCancellable            *cancellable,
                                                                    GError                 **error);
DIAL_AVAILABLE_IN_ALL
GSocketConnection     *dial_socket_client_connect_to_uri           (DialSocketClient        *client,
                                                                    const gchar             *uri,
                                                                    guint16                  default_port,
                                                                    GCancellable            *cancellable,
                                                                    GError                 **error);

DIAL_AVAILABLE_IN_ALL
void                   dial_socket_client_connect_async            (DialSocketClient        *client,
                                                                    GSocketConnectable      *connectable,
                                                                    GCancellable            *cancellable,
                                                                    GAsyncReadyCallback      callback,
                                                                    gpointer                 user_data);
DIAL_AVAILABLE_IN_ALL
GSocketConnection     *dial_socket_client_connect_finish           (DialSocketClient        *client,
                                                                    GAsyncResult            *result,
                                                                    GError                 **error);
DIAL_AVAILABLE_IN_ALL
void                   dial_socket_client_connect_to_host_async    (DialSocketClient        *client,
                                                                    const gchar             *host_and_port,
                                                                    guint16                  default_port,
                                                                    GCancellable            *cancellable,
                                                                    GAsyncReadyCallback      callback,
                                                                    gpointer                 user_data);
DIAL_AVAILABLE_IN_ALL
GSocketConnection     *dial_socket_client_connect_to_host_finish   (DialSocketClient        *client,
                                                                    GAsyncResult            *result,
                                                                    GError                 **error);
DIAL_AVAILABLE_IN_ALL
void                   dial_socket_client_connect_to_service_async (DialSocketClient        *client,
                                                                    const gchar             *domain,
                                                                    const gchar             *service,
                                                                    GCancellable            *cancellable,
                                                                    GAsyncReadyCallback      callback,
                                                                    gpointer                 user_data);
DIAL_AVAILABLE_IN_ALL
GSocketConnection     *dial_socket_client_connect_to_service_finish (DialSocketClient       *client,
                                                                    GAsyncResult            *result,
                                                                    GError                 **error);
DIAL_AVAILABLE_IN_ALL
void                   dial_socket_client_connect_to_uri_async     (DialSocketClient        *client,
                                                                    const gchar             *uri,
                                                                    guint16                  default_port,
                                                                    GCancellable            *cancellable,
                                                                    GAsyncReadyCallback      callback,
                                                                    gpointer                 user_data);
DIAL_AVAILABLE_IN_ALL
GSocketConnection     *dial_socket_client_connect_to_uri_finish    (DialSocketClient        *client,
                                                                    GAsyncResult            *result,
                                                                    GError                 **error);

DIAL_AVAILABLE_IN_ALL
void                   dial_socket_client_add_application_proxy    (DialSocketClient        *client,
                                                                    const gchar             *protocol);

G_END_DECLS
