/* dial-tls-client-verify.c: what gnutls asks the client during a handshake
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * gnutls calls back into the connection twice during a handshake, on the
 * thread driving it: once the server's chain has arrived, to verify it
 * (which is where accept-certificate is emitted), and when the server asks
 * for a client certificate (which is where the GTlsInteraction may be
 * asked). Both run with the connection's in_callback flag set, so that an
 * application calling the connection from a handler gets an error rather
 * than a deadlock.
 */

#include "config.h"

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "dial-tls-certificate-private.h"
#include "dial-tls-client-connection-private.h"
#include "dial-tls-database-private.h"
#include "dial-tls-errors-private.h"

GTlsDatabase *
dial_tls_client_connection_dup_database (DialTlsClientConnection *self)
{
  GTlsDatabase *database = NULL;
  gboolean use_default;

  g_mutex_lock (&self->lock);
  use_default = !self->database_set;
  if (self->database != NULL)
    database = g_object_ref (self->database);
  g_mutex_unlock (&self->lock);

  /* Unset means the default database; set to NULL means none at all. An
   * application may have made one of ours GIO's default, with
   * g_tls_backend_set_default_database (): that one wins, as in GIO. */
  if (use_default)
    {
      GTlsDatabase *gio_default = g_tls_backend_get_default_database (g_tls_backend_get_default ());

      if (DIAL_IS_TLS_DATABASE (gio_default))
        return gio_default;

      g_clear_object (&gio_default);
      database = dial_tls_database_get_default ();
    }

  return database;
}

static GTlsCertificate *
build_peer_certificate (DialTlsClientConnection *self)
{
  const gnutls_datum_t *certs;
  unsigned int n_certs = 0;

  if (gnutls_certificate_type_get (self->session) != GNUTLS_CRT_X509)
    return NULL;

  certs = gnutls_certificate_get_peers (self->session, &n_certs);
  if (certs == NULL || n_certs == 0)
    return NULL;

  return dial_tls_certificate_new_from_der_chain (certs, n_certs, NULL);
}

/* A database from another backend (glib-networking's, given to us while
 * the built-in provider is forced) may insist on its own certificate
 * type; give it the chain in that type when GIO can build one. */
static GTlsCertificate *
chain_for_database (GTlsDatabase    *database,
                    GTlsCertificate *peer)
{
  g_autoptr(GString) pem = NULL;
  GTlsCertificate *converted;

  if (DIAL_IS_TLS_DATABASE (database) ||
      !g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    return g_object_ref (peer);

  pem = g_string_new (NULL);
  for (GTlsCertificate *c = peer; c != NULL; c = g_tls_certificate_get_issuer (c))
    {
      g_autofree char *one = NULL;

      g_object_get (c, "certificate-pem", &one, NULL);
      g_string_append (pem, one);
    }

  converted = g_tls_certificate_new_from_pem (pem->str, pem->len, NULL);
  return converted != NULL ? converted : g_object_ref (peer);
}

static GCancellable *
current_cancellable (DialTlsClientConnection *self)
{
  DialTlsIoOp *op = self->transport.read_op;

  return op != NULL ? op->cancellable : NULL;
}

static GTlsCertificateFlags
verify_peer_certificate (DialTlsClientConnection *self,
                         GTlsCertificate         *peer)
{
  g_autoptr(GTlsDatabase) database = dial_tls_client_connection_dup_database (self);
  GTlsCertificateFlags errors = 0;

  if (self->server_identity == NULL)
    errors |= G_TLS_CERTIFICATE_BAD_IDENTITY;

  if (database == NULL)
    {
      errors |= G_TLS_CERTIFICATE_UNKNOWN_CA;
      errors |= g_tls_certificate_verify (peer, self->server_identity, NULL);
    }
  else
    {
      g_autoptr(GTlsCertificate) chain = chain_for_database (database, peer);
      g_autoptr(GError) error = NULL;

      errors |= g_tls_database_verify_chain (database, chain,
                                             G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                             self->server_identity, self->interaction,
                                             G_TLS_DATABASE_VERIFY_NONE,
                                             current_cancellable (self), &error);
      if (error != NULL)
        errors |= G_TLS_CERTIFICATE_GENERIC_ERROR;
    }

  return errors;
}

static void
set_in_callback (DialTlsClientConnection *self,
                 gboolean                 in_callback)
{
  g_mutex_lock (&self->lock);
  self->in_callback = in_callback;
  g_mutex_unlock (&self->lock);
}

/* gnutls calls this once it has the server's certificate chain, inside
 * gnutls_handshake(), so on the thread driving the handshake. */
int
dial_tls_client_connection_verify_cb (gnutls_session_t session)
{
  DialTlsClientConnection *self = gnutls_session_get_ptr (session);
  g_autoptr(GTlsCertificate) peer = NULL;
  GTlsCertificateFlags errors;
  gboolean accepted;

  peer = build_peer_certificate (self);
  if (peer == NULL)
    return -1;

  set_in_callback (self, TRUE);

  errors = verify_peer_certificate (self, peer);

  /* Errors the application does not validate are no reason to ask. */
  accepted = (errors & self->validation_flags) == 0;
  if (!accepted)
    accepted = g_tls_connection_emit_accept_certificate (G_TLS_CONNECTION (self), peer, errors);

  set_in_callback (self, FALSE);

  /* As GIO documents, the peer certificate is set only after the signal. */
  dial_tls_client_connection_set_peer_certificate (self, peer, errors);

  return accepted ? 0 : -1;
}

static GList *
accepted_cas_from_gnutls (const gnutls_datum_t *req_ca_rdn,
                          int                   nreqs)
{
  GList *cas = NULL;

  for (int i = nreqs - 1; i >= 0; i--)
    {
      GByteArray *dn = g_byte_array_sized_new (req_ca_rdn[i].size);

      g_byte_array_append (dn, req_ca_rdn[i].data, req_ca_rdn[i].size);
      cas = g_list_prepend (cas, dn);
    }

  return cas;
}

void
dial_tls_client_connection_clear_client_credentials (DialTlsClientConnection *self)
{
  if (self->pcerts != NULL || self->private_key != NULL)
    dial_tls_certificate_free_credentials (self->pcerts, self->n_pcerts, self->private_key);

  self->pcerts = NULL;
  self->n_pcerts = 0;
  self->private_key = NULL;
}

/* A certificate made by another provider (GIO's backend) is rebuilt as
 * ours from its generic properties: the DER of each link, and the key. */
static GTlsCertificate *
adopt_certificate (GTlsCertificate  *certificate,
                   GError          **error)
{
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GByteArray) key = NULL;
  g_autoptr(GTlsCertificate) issuer = NULL;
  GTlsCertificate *parent;

  if (DIAL_IS_TLS_CERTIFICATE (certificate))
    return g_object_ref (certificate);

  parent = g_tls_certificate_get_issuer (certificate);
  if (parent != NULL)
    {
      issuer = adopt_certificate (parent, error);
      if (issuer == NULL)
        return NULL;
    }

  g_object_get (certificate, "certificate", &der, "private-key", &key, NULL);
  if (der == NULL)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                           "The certificate cannot be exported");
      return NULL;
    }

  return g_initable_new (DIAL_TYPE_TLS_CERTIFICATE, NULL, error,
                         "certificate", der,
                         "private-key", key,
                         "issuer", issuer,
                         NULL);
}

GTlsCertificate *
dial_tls_client_connection_dup_certificate (DialTlsClientConnection *self)
{
  GTlsCertificate *certificate;

  g_mutex_lock (&self->lock);
  certificate = self->certificate ? g_object_ref (self->certificate) : NULL;
  g_mutex_unlock (&self->lock);

  return certificate;
}

/* gnutls asks for a client certificate because the server requested one.
 * An empty answer lets the server decide whether it needs one. */
int
dial_tls_client_connection_retrieve_certificate_cb (gnutls_session_t              session,
                                                    const gnutls_datum_t         *req_ca_rdn,
                                                    int                           nreqs,
                                                    const gnutls_pk_algorithm_t  *pk_algos,
                                                    int                           pk_algos_length,
                                                    gnutls_pcert_st             **pcert,
                                                    unsigned int                 *pcert_length,
                                                    gnutls_privkey_t             *privkey)
{
  DialTlsClientConnection *self = gnutls_session_get_ptr (session);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GTlsCertificate) ours = NULL;
  g_autoptr(GError) error = NULL;
  GList *cas = accepted_cas_from_gnutls (req_ca_rdn, nreqs);

  g_mutex_lock (&self->lock);
  g_list_free_full (self->accepted_cas, (GDestroyNotify) g_byte_array_unref);
  self->accepted_cas = cas;
  g_mutex_unlock (&self->lock);

  dial_tls_client_connection_clear_client_credentials (self);
  *pcert = NULL;
  *pcert_length = 0;
  *privkey = NULL;

  certificate = dial_tls_client_connection_dup_certificate (self);
  if (certificate == NULL && self->interaction != NULL)
    {
      set_in_callback (self, TRUE);
      g_clear_error (&self->interaction_error);
      g_tls_interaction_invoke_request_certificate (self->interaction, G_TLS_CONNECTION (self), 0,
                                                    current_cancellable (self),
                                                    &self->interaction_error);
      set_in_callback (self, FALSE);

      certificate = dial_tls_client_connection_dup_certificate (self);
    }

  if (certificate == NULL)
    {
      self->certificate_missing = TRUE;
      return 0;
    }
  self->certificate_missing = FALSE;

  ours = adopt_certificate (certificate, &error);
  if (ours == NULL ||
      !dial_tls_certificate_get_credentials (DIAL_TLS_CERTIFICATE (ours),
                                             &self->pcerts, &self->n_pcerts,
                                             &self->private_key, &error))
    {
      /* Typically a certificate without its private key. */
      g_debug ("Cannot use the client certificate: %s", error->message);
      return -1;
    }

  *pcert = self->pcerts;
  *pcert_length = self->n_pcerts;
  *privkey = self->private_key;
  return 0;
}

/* The error to report when the server wanted a certificate we did not
 * have: the interaction's, or glib-networking's "Server required TLS
 * certificate". */
GError *
dial_tls_client_connection_missing_certificate_error (DialTlsClientConnection *self)
{
  if (self->interaction_error != NULL)
    return g_error_copy (self->interaction_error);

  return g_error_new_literal (G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED,
                              GNET_("Server required TLS certificate"));
}

/*
 * dial_tls_client_connection_recheck_peer:
 * @self: a connection whose handshake resumed a session
 *
 * A resumed session skips the verify callback. The certificate was
 * accepted when the session was made, so it is only checked again for the
 * properties, without asking the application.
 */
void
dial_tls_client_connection_recheck_peer (DialTlsClientConnection *self)
{
  g_autoptr(GTlsCertificate) peer = build_peer_certificate (self);

  if (peer != NULL)
    dial_tls_client_connection_set_peer_certificate (self, peer, verify_peer_certificate (self, peer));
}
