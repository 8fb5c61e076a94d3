/* dial-tls-client-connection-private.h: the connection's state, shared by
 * the files that make up the connection, its substreams and their sources
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "dial-tls-client-connection.h"
#include "dial-tls-io-private.h"

G_BEGIN_DECLS

typedef enum {
  HANDSHAKE_NOT_STARTED,
  HANDSHAKE_IN_PROGRESS,
  HANDSHAKE_DONE,
  HANDSHAKE_FAILED,
} HandshakeState;

/* How far one step of a handshake or a close got. */
typedef enum {
  STEP_DONE,
  STEP_WOULD_BLOCK,
  STEP_FAILED,
} StepResult;

struct _DialTlsClientConnection
{
  GTlsConnection                    parent_instance;

  GIOStream                        *base_io_stream;
  DialTlsTransport                  transport;
  GInputStream                     *tls_istream;
  GOutputStream                    *tls_ostream;
  gnutls_session_t                  session;
  gnutls_certificate_credentials_t  credentials;

  /* Set by the application. */
  GSocketConnectable               *server_identity;
  GTlsCertificateFlags              validation_flags;
  GTlsDatabase                     *database;
  gboolean                          database_set;   /* FALSE: the default one */
  GTlsInteraction                  *interaction;
  GTlsCertificate                  *certificate;
  char                            **advertised_protocols;
  gboolean                          require_close_notify;

  /* Found by the handshake; under @lock. */
  GTlsCertificate                  *peer_certificate;
  GTlsCertificateFlags              peer_certificate_errors;
  char                             *negotiated_protocol;
  GTlsProtocolVersion               protocol_version;
  char                             *ciphersuite_name;
  GList                            *accepted_cas;   /* of GByteArray */

  /* The client certificate as handed to gnutls, which only borrows it. */
  gnutls_pcert_st                  *pcerts;
  unsigned int                      n_pcerts;
  gnutls_privkey_t                  private_key;
  gboolean                          certificate_missing;
  GError                           *interaction_error;

  /* Session resumption. */
  char                             *session_key;
  GBytes                           *session_data;
  gboolean                          session_data_override;

  /* The operation state. */
  GMutex                            lock;
  GCond                             cond;
  HandshakeState                    handshake_state;
  GError                           *handshake_error;
  gboolean                          handshaking;   /* a handshake step runs */
  gboolean                          reading;
  gboolean                          writing;
  gboolean                          closing;
  gboolean                          in_callback;
  gboolean                          read_closed;
  gboolean                          write_closed;
  gboolean                          bye_sent;
  gboolean                          read_succeeded;
  gboolean                          write_pending;  /* gnutls holds a record */
  gsize                             pending_plaintext;
  GIOCondition                      handshake_condition;
  GIOCondition                      read_condition;
  GIOCondition                      write_condition;
  GIOCondition                      close_condition;
  GPtrArray                        *sources;       /* of GSource, not owned */
  GPtrArray                        *waiting;       /* of GSource, not owned */
};

/* dial-tls-client-verify.c: the callbacks of the handshake. */
int              dial_tls_client_connection_verify_cb              (gnutls_session_t              session);
int              dial_tls_client_connection_retrieve_certificate_cb (gnutls_session_t              session,
                                                                     const gnutls_datum_t         *req_ca_rdn,
                                                                     int                           nreqs,
                                                                     const gnutls_pk_algorithm_t  *pk_algos,
                                                                     int                           pk_algos_length,
                                                                     gnutls_pcert_st             **pcert,
                                                                     unsigned int                 *pcert_length,
                                                                     gnutls_privkey_t             *privkey);
void             dial_tls_client_connection_recheck_peer           (DialTlsClientConnection      *self);
void             dial_tls_client_connection_clear_client_credentials (DialTlsClientConnection    *self);
GError          *dial_tls_client_connection_missing_certificate_error (DialTlsClientConnection   *self);
GTlsDatabase    *dial_tls_client_connection_dup_database           (DialTlsClientConnection      *self);
GTlsCertificate *dial_tls_client_connection_dup_certificate        (DialTlsClientConnection      *self);

/* dial-tls-client-connection.c: what the handshake found. */
void             dial_tls_client_connection_set_peer_certificate   (DialTlsClientConnection      *self,
                                                                    GTlsCertificate              *peer,
                                                                    GTlsCertificateFlags          errors);
void             dial_tls_client_connection_set_handshake_done     (DialTlsClientConnection      *self,
                                                                    char                         *protocol,
                                                                    GTlsProtocolVersion           version,
                                                                    const char                   *ciphersuite);

/* dial-tls-client-connection.c: reading and writing, for the substreams. */
gssize      dial_tls_client_connection_read         (DialTlsClientConnection  *self,
                                                     void                     *buffer,
                                                     gsize                     count,
                                                     gboolean                  blocking,
                                                     GCancellable             *cancellable,
                                                     GError                  **error);
gssize      dial_tls_client_connection_write        (DialTlsClientConnection  *self,
                                                     const void               *buffer,
                                                     gsize                     count,
                                                     gboolean                  blocking,
                                                     GCancellable             *cancellable,
                                                     GError                  **error);

/* dial-tls-ops.c: claiming the connection for an operation, the state of
 * a non-blocking one that would block, and waking the sources. */
gboolean    dial_tls_client_connection_claim_op     (DialTlsClientConnection  *self,
                                                     DialTlsOp                 op,
                                                     gboolean                  blocking,
                                                     GCancellable             *cancellable,
                                                     GError                  **error);
void        dial_tls_client_connection_release_op   (DialTlsClientConnection  *self,
                                                     DialTlsOp                 op,
                                                     gboolean                  wake_everyone);
gboolean    dial_tls_client_connection_is_retry     (int                       ret,
                                                     DialTlsIoOp              *op);
GIOCondition dial_tls_client_connection_wanted_condition (DialTlsClientConnection *self);
void        dial_tls_client_connection_take_would_block  (DialTlsIoOp          *op,
                                                          GError              **error);
const char *dial_tls_client_connection_alert_name   (DialTlsClientConnection  *self);

GPtrArray  *dial_tls_client_connection_woken_sources_new  (void);
void        dial_tls_client_connection_wake_sources_locked (DialTlsClientConnection *self,
                                                            gboolean                 all,
                                                            GPtrArray               *woken);
void        dial_tls_client_connection_wake_all     (DialTlsClientConnection  *self);

/* dial-tls-ops.c, for the substreams and their sources. */
gboolean    dial_tls_client_connection_is_ready     (DialTlsClientConnection  *self,
                                                     DialTlsOp                 op);
gboolean    dial_tls_client_connection_has_pending  (DialTlsClientConnection  *self);
DialTlsWait dial_tls_client_connection_get_wait     (DialTlsClientConnection  *self,
                                                     DialTlsOp                 op,
                                                     gboolean                  owns_op,
                                                     GSource                  *waiter,
                                                     GIOCondition             *condition);
GPollableInputStream  *dial_tls_client_connection_get_base_input  (DialTlsClientConnection *self);
GPollableOutputStream *dial_tls_client_connection_get_base_output (DialTlsClientConnection *self);
void        dial_tls_client_connection_add_source    (DialTlsClientConnection  *self,
                                                      GSource                  *source);
void        dial_tls_client_connection_remove_source (DialTlsClientConnection  *self,
                                                      GSource                  *source);

/* dial-tls-handshake.c: the handshake, and the session-ticket hook. */
StepResult  dial_tls_client_connection_handshake_step    (DialTlsClientConnection  *self,
                                                          gboolean                  blocking,
                                                          GCancellable             *cancellable,
                                                          GError                  **error);
gboolean    dial_tls_client_connection_handshake_is_done (DialTlsClientConnection  *self);
gboolean    dial_tls_client_connection_handshake         (GTlsConnection           *connection,
                                                          GCancellable             *cancellable,
                                                          GError                  **error);
void        dial_tls_client_connection_handshake_async   (GTlsConnection           *connection,
                                                          int                       io_priority,
                                                          GCancellable             *cancellable,
                                                          GAsyncReadyCallback       callback,
                                                          gpointer                  user_data);
gboolean    dial_tls_client_connection_handshake_finish  (GTlsConnection           *connection,
                                                          GAsyncResult             *result,
                                                          GError                  **error);
int         dial_tls_client_connection_new_session_ticket_cb (gnutls_session_t      session,
                                                              unsigned int          htype,
                                                              unsigned int          when,
                                                              unsigned int          incoming,
                                                              const gnutls_datum_t *msg);

/* dial-tls-close.c: closing, for the connection and its substreams. */
gboolean    dial_tls_client_connection_close_sides  (DialTlsClientConnection  *self,
                                                     gboolean                  read_side,
                                                     gboolean                  write_side,
                                                     GCancellable             *cancellable,
                                                     GError                  **error);
void        dial_tls_client_connection_close_sides_async  (DialTlsClientConnection *self,
                                                           gboolean                 read_side,
                                                           gboolean                 write_side,
                                                           int                      io_priority,
                                                           GCancellable            *cancellable,
                                                           GAsyncReadyCallback      callback,
                                                           gpointer                 user_data);
gboolean    dial_tls_client_connection_close_sides_finish (DialTlsClientConnection  *self,
                                                           GAsyncResult             *result,
                                                           GError                  **error);
void        dial_tls_client_connection_try_bye      (DialTlsClientConnection  *self);

G_END_DECLS
