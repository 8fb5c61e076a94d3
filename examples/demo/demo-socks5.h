/* demo-socks5.h: a tiny SOCKS5 server for the demo
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _DemoSocks5Server DemoSocks5Server;

DemoSocks5Server *demo_socks5_server_new              (GError           **error);
void              demo_socks5_server_free             (DemoSocks5Server  *server);
guint16           demo_socks5_server_get_port         (DemoSocks5Server  *server);
char             *demo_socks5_server_dup_last_request (DemoSocks5Server  *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DemoSocks5Server, demo_socks5_server_free)

G_END_DECLS
