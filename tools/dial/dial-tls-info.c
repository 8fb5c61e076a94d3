/* dial-tls-info.c: the TLS options at TLS_HANDSHAKING, and what the
 * handshake agreed on
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GIO's TLS API only, and libdial's constructor of a database (in
 * dial.c), so that it works the same with either provider: the CA file
 * and ALPN are set on the connection the TLS_HANDSHAKING event hands
 * over, and accept-certificate, which runs only when verification found
 * errors, reports them and decides (yes only with --insecure).
 */

#include "dial-tls-info.h"

typedef struct
{
  DialCmdTrace *trace;
  gboolean      insecure;
} CertificateCheck;

static const char *
protocol_version_name (GTlsProtocolVersion version)
{
  switch (version)
    {
    case G_TLS_PROTOCOL_VERSION_SSL_3_0:  return "SSL 3.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_0:  return "TLS 1.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_1:  return "TLS 1.1";
    case G_TLS_PROTOCOL_VERSION_TLS_1_2:  return "TLS 1.2";
    case G_TLS_PROTOCOL_VERSION_TLS_1_3:  return "TLS 1.3";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_0: return "DTLS 1.0";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_2: return "DTLS 1.2";
    case G_TLS_PROTOCOL_VERSION_UNKNOWN:
    default:                              return NULL;
    }
}

/* "unknown-ca", "bad-identity"… for each error in @errors. */
static char **
certificate_errors (GTlsCertificateFlags errors)
{
  g_autoptr(GFlagsClass) klass = g_type_class_ref (G_TYPE_TLS_CERTIFICATE_FLAGS);
  GPtrArray *names = g_ptr_array_new ();

  for (guint i = 0; i < klass->n_values; i++)
    {
      const GFlagsValue *value = &klass->values[i];

      /* Single bits only: not "validate-all". */
      if (value->value != 0 && (value->value & (value->value - 1)) == 0 &&
          (errors & value->value) != 0)
        {
          g_ptr_array_add (names, g_strdup (value->value_nick));
          errors &= ~value->value;
        }
    }
  if (errors != 0)
    g_ptr_array_add (names, g_strdup_printf ("0x%x", errors));
  g_ptr_array_add (names, NULL);

  return (char **) g_ptr_array_free (names, FALSE);
}

static char *
format_time (GDateTime *time)
{
  return time != NULL ? g_date_time_format_iso8601 (time) : NULL;
}

/* Who the certificate is for, who signed it and when it is valid, as
 * fields and as notes. */
static void
describe_certificate (DialCmdRecord   *record,
                      GTlsCertificate *certificate)
{
  g_autofree char *subject = NULL;
  g_autofree char *issuer = NULL;
  g_autoptr(GDateTime) not_before = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  g_autofree char *from = NULL;
  g_autofree char *until = NULL;

  if (certificate == NULL)
    {
      dial_cmd_record_string (record, "subject", NULL);
      dial_cmd_record_note (record, "no peer certificate");
      return;
    }

  subject = g_tls_certificate_get_subject_name (certificate);
  issuer = g_tls_certificate_get_issuer_name (certificate);
  not_before = g_tls_certificate_get_not_valid_before (certificate);
  not_after = g_tls_certificate_get_not_valid_after (certificate);
  from = format_time (not_before);
  until = format_time (not_after);

  dial_cmd_record_string (record, "subject", subject);
  dial_cmd_record_string (record, "issuer", issuer);
  dial_cmd_record_string (record, "not_valid_before", from);
  dial_cmd_record_string (record, "not_valid_after", until);

  dial_cmd_record_note (record, "subject: %s", subject != NULL ? subject : "(none)");
  dial_cmd_record_note (record, "issuer:  %s", issuer != NULL ? issuer : "(none)");
  dial_cmd_record_note (record, "valid:   %s to %s", from != NULL ? from : "?",
                        until != NULL ? until : "?");
}

static gboolean
accept_certificate_cb (GTlsConnection       *tls,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  CertificateCheck *check = user_data;
  DialCmdRecord *record = dial_cmd_trace_record_new (check->trace, "tls-certificate");
  DialCmdAttempt *attempt = dial_cmd_trace_attempt_for_stream (check->trace, G_IO_STREAM (tls));
  g_auto(GStrv) names = certificate_errors (errors);
  g_autofree char *joined = g_strjoinv (", ", names);

  if (attempt != NULL)
    dial_cmd_record_int (record, "attempt", attempt->index);
  dial_cmd_record_strv (record, "errors", (const char * const *) names);
  dial_cmd_record_bool (record, "accepted", check->insecure);
  dial_cmd_record_text (record, "verification failed: %s; %s", joined,
                        check->insecure ? "accepted anyway (--insecure)" : "rejected");
  describe_certificate (record, peer);
  dial_cmd_record_summary (record);
  dial_cmd_trace_emit (check->trace, record);

  if (attempt != NULL && !check->insecure)
    {
      g_free (attempt->reason);
      attempt->reason = g_strdup_printf ("certificate rejected: %s", joined);
    }

  return check->insecure;
}

/* At TLS_HANDSHAKING: trust the CA file, offer ALPN, watch verification. */
void
dial_cmd_tls_prepare (GTlsConnection          *tls,
                      const DialCmdTlsOptions *options,
                      DialCmdTrace            *trace)
{
  CertificateCheck *check = g_new0 (CertificateCheck, 1);

  if (options->database != NULL)
    g_tls_connection_set_database (tls, options->database);
  if (options->alpn != NULL)
    g_tls_connection_set_advertised_protocols (tls, (const char * const *) options->alpn);

  check->trace = trace;
  check->insecure = options->insecure;
  g_signal_connect_data (tls, "accept-certificate", G_CALLBACK (accept_certificate_cb),
                         check, (GClosureNotify) G_CALLBACK (g_free), 0);
}

static const char *
provider_name (GTlsConnection *tls)
{
  return g_str_equal (G_OBJECT_TYPE_NAME (tls), "DialTlsClientConnection") ? "libdial" : "gio";
}

void
dial_cmd_tls_describe_handshaking (DialCmdRecord  *record,
                                   GTlsConnection *tls)
{
  GSocketConnectable *identity = NULL;
  g_autofree char *server = NULL;
  g_auto(GStrv) alpn = NULL;

  if (G_IS_TLS_CLIENT_CONNECTION (tls))
    identity = g_tls_client_connection_get_server_identity (G_TLS_CLIENT_CONNECTION (tls));
  if (identity != NULL)
    server = g_socket_connectable_to_string (identity);
  g_object_get (tls, "advertised-protocols", &alpn, NULL);

  dial_cmd_record_string (record, "provider", provider_name (tls));
  dial_cmd_record_string (record, "type", G_OBJECT_TYPE_NAME (tls));
  dial_cmd_record_string (record, "server_identity", server);
  dial_cmd_record_strv (record, "alpn_offered", (const char * const *) alpn);
  if (alpn != NULL)
    {
      g_autofree char *offered = g_strjoinv (", ", alpn);

      dial_cmd_record_note (record, "ALPN offered: %s", offered);
    }
  dial_cmd_record_note (record, "TLS provider: %s (%s)", provider_name (tls),
                        G_OBJECT_TYPE_NAME (tls));
}

void
dial_cmd_tls_describe_handshaked (DialCmdRecord  *record,
                                  GTlsConnection *tls)
{
  const char *version = protocol_version_name (g_tls_connection_get_protocol_version (tls));
  g_autofree char *ciphersuite = g_tls_connection_get_ciphersuite_name (tls);
  const char *alpn = g_tls_connection_get_negotiated_protocol (tls);
  GTlsCertificateFlags errors = g_tls_connection_get_peer_certificate_errors (tls);
  g_auto(GStrv) names = certificate_errors (errors);

  dial_cmd_record_string (record, "protocol_version", version);
  dial_cmd_record_string (record, "cipher_suite", ciphersuite);
  dial_cmd_record_string (record, "alpn", alpn);
  dial_cmd_record_bool (record, "verified", errors == 0);
  dial_cmd_record_strv (record, "certificate_errors", (const char * const *) names);

  dial_cmd_record_note (record, "%s, %s", version != NULL ? version : "unknown version",
                        ciphersuite != NULL ? ciphersuite : "unknown cipher suite");
  dial_cmd_record_note (record, "ALPN: %s", alpn != NULL ? alpn : "none agreed");
  describe_certificate (record, g_tls_connection_get_peer_certificate (tls));
  if (errors == 0)
    {
      dial_cmd_record_note (record, "verified: yes");
    }
  else
    {
      g_autofree char *joined = g_strjoinv (", ", names);

      dial_cmd_record_note (record, "verified: NO (%s), accepted because of --insecure", joined);
    }
  dial_cmd_record_summary (record);
}
