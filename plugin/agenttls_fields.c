/*
 * Field and expert-item registration.  Version and suite fields borrow the
 * TLS dissector's own name tables so that they print exactly as Wireshark's
 * TLS tree does.
 */
#include "agenttls.h"

agenttls_ids agenttls_hf = {
    .proto = -1, .verdict = -1, .summary = -1, .finding = -1, .handshake = -1,
    .client_max_version = -1, .client_versions = -1, .client_cipher_count = -1,
    .server_version = -1, .server_cipher = -1, .cipher_offered = -1, .alert = -1,
    .cert_subject = -1, .cert_issuer = -1,
    .client_hello_frame = -1, .server_hello_frame = -1, .decided_in = -1, .ett = -1,
};

static hf_register_info field_table[] = {
    {&agenttls_hf.verdict, {"Verdict", "agenttls.verdict", FT_STRING, BASE_NONE, NULL, 0,
        "Outcome of the handshake: reset_after_hello, no_shared_cipher, cipher_unoffered, "
        "version_downgrade, ok, ...", HFILL}},
    {&agenttls_hf.summary, {"Summary", "agenttls.summary", FT_STRING, BASE_NONE, NULL, 0,
        "One sentence on what happened and what to do", HFILL}},
    {&agenttls_hf.finding, {"Finding", "agenttls.finding", FT_STRING, BASE_NONE, NULL, 0,
        "Every problem found in the handshake, one item each", HFILL}},
    {&agenttls_hf.handshake, {"Handshake", "agenttls.handshake", FT_UINT32, BASE_DEC, NULL, 0,
        "Number of the handshake within its TCP stream (1 for the first)", HFILL}},
    {&agenttls_hf.client_max_version, {"Client highest version", "agenttls.client.max_version",
        FT_UINT16, BASE_HEX, NULL, 0,
        "Highest version the client offered (ClientHello version and supported_versions, "
        "GREASE ignored)", HFILL}},
    {&agenttls_hf.client_versions, {"Client versions", "agenttls.client.versions", FT_STRING,
        BASE_NONE, NULL, 0, "Every version the client offered, highest first", HFILL}},
    {&agenttls_hf.client_cipher_count, {"Client cipher suites", "agenttls.client.cipher_count",
        FT_UINT16, BASE_DEC, NULL, 0,
        "Number of cipher suites the client offered (GREASE and signalling values not counted)",
        HFILL}},
    {&agenttls_hf.server_version, {"Server version", "agenttls.server.version", FT_UINT16,
        BASE_HEX, NULL, 0,
        "Version the server chose (supported_versions if present, else ServerHello version)",
        HFILL}},
    {&agenttls_hf.server_cipher, {"Server cipher suite", "agenttls.server.cipher", FT_UINT16,
        BASE_HEX, NULL, 0, "Cipher suite the server chose", HFILL}},
    {&agenttls_hf.cipher_offered, {"Cipher offered by client", "agenttls.cipher_offered",
        FT_BOOLEAN, BASE_NONE, NULL, 0,
        "Whether the suite the server chose was in the client's list", HFILL}},
    {&agenttls_hf.alert, {"Alert", "agenttls.alert", FT_STRING, BASE_NONE, NULL, 0,
        "The fatal alert that ended the handshake, with its sender", HFILL}},
    {&agenttls_hf.cert_subject, {"Server certificate subject", "agenttls.server.cert_subject",
        FT_STRING, BASE_NONE, NULL, 0,
        "Subject of the server's certificate, when it was sent in clear and the client "
        "did not accept it", HFILL}},
    {&agenttls_hf.cert_issuer, {"Server certificate issuer", "agenttls.server.cert_issuer",
        FT_STRING, BASE_NONE, NULL, 0,
        "Issuer of the server's certificate (an HTTPS-inspection gateway shows here), when it "
        "was sent in clear and the client did not accept it", HFILL}},
    {&agenttls_hf.client_hello_frame, {"Client Hello in frame", "agenttls.client_hello_frame",
        FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0,
        "Frame that carried the ClientHello", HFILL}},
    {&agenttls_hf.server_hello_frame, {"Server Hello in frame", "agenttls.server_hello_frame",
        FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0,
        "Frame that carried the ServerHello", HFILL}},
    {&agenttls_hf.decided_in, {"Verdict decided in frame", "agenttls.decided_in", FT_FRAMENUM,
        BASE_NONE, NULL, 0, "Frame whose event settled the verdict", HFILL}},
};

/* The abbreviations must equal the finding names (atv_finding_name). */
static ei_register_info expert_table[] = {
    {&agenttls_hf.findings[ATV_FINDING_RESET_AFTER_HELLO], {"agenttls.reset_after_hello",
        PI_RESPONSE_CODE, PI_ERROR, "Server side reset the connection after the ClientHello", EXPFILL}},
    {&agenttls_hf.findings[ATV_FINDING_CLOSED_AFTER_HELLO], {"agenttls.closed_after_hello",
        PI_RESPONSE_CODE, PI_ERROR, "Server side closed the connection after the ClientHello", EXPFILL}},
    {&agenttls_hf.findings[ATV_FINDING_NO_SHARED_CIPHER], {"agenttls.no_shared_cipher",
        PI_RESPONSE_CODE, PI_ERROR, "Server refused the hello: no shared cipher suite", EXPFILL}},
    {&agenttls_hf.findings[ATV_FINDING_VERSION_REJECTED], {"agenttls.version_rejected",
        PI_RESPONSE_CODE, PI_ERROR, "Server refused the hello's protocol version", EXPFILL}},
    {&agenttls_hf.findings[ATV_FINDING_FALLBACK_REJECTED], {"agenttls.fallback_rejected",
        PI_RESPONSE_CODE, PI_ERROR, "Server refused a fallback retry (inappropriate_fallback)", EXPFILL}},
    {&agenttls_hf.findings[ATV_FINDING_CIPHER_UNOFFERED], {"agenttls.cipher_unoffered",
        PI_PROTOCOL, PI_ERROR, "Server chose a cipher suite the client did not offer", EXPFILL}},
    {&agenttls_hf.findings[ATV_FINDING_CERTIFICATE_REJECTED], {"agenttls.certificate_rejected",
        PI_SECURITY, PI_ERROR, "Client rejected the server's certificate", EXPFILL}},
    {&agenttls_hf.findings[ATV_FINDING_HANDSHAKE_ALERT], {"agenttls.handshake_alert",
        PI_RESPONSE_CODE, PI_ERROR, "Fatal alert during the handshake", EXPFILL}},
    {&agenttls_hf.findings[ATV_FINDING_CLIENT_ABORTED], {"agenttls.client_aborted",
        PI_RESPONSE_CODE, PI_ERROR, "Client gave up after the server's answer", EXPFILL}},
    {&agenttls_hf.findings[ATV_FINDING_NO_SERVER_HELLO], {"agenttls.no_server_hello",
        PI_SEQUENCE, PI_ERROR, "No answer to the ClientHello in the capture", EXPFILL}},
    {&agenttls_hf.findings[ATV_FINDING_VERSION_DOWNGRADE], {"agenttls.version_downgrade",
        PI_SECURITY, PI_WARN, "Server chose a lower version than the client offered", EXPFILL}},
    {&agenttls_hf.findings[ATV_FINDING_DEPRECATED_VERSION], {"agenttls.deprecated_version",
        PI_DEPRECATED, PI_WARN, "Deprecated protocol version negotiated (RFC 8996)", EXPFILL}},
    {&agenttls_hf.findings[ATV_FINDING_WEAK_CIPHER], {"agenttls.weak_cipher",
        PI_SECURITY, PI_WARN, "Weak cipher suite negotiated", EXPFILL}},
    {&agenttls_hf.findings[ATV_FINDING_DOWNGRADE_SENTINEL], {"agenttls.downgrade_sentinel",
        PI_SECURITY, PI_WARN, "ServerHello.random carries the RFC 8446 downgrade sentinel", EXPFILL}},
    {&agenttls_hf.findings[ATV_FINDING_FALLBACK_SCSV], {"agenttls.fallback_scsv",
        PI_SEQUENCE, PI_NOTE, "Client retried at a lower version (TLS_FALLBACK_SCSV)", EXPFILL}},
    {&agenttls_hf.findings[ATV_FINDING_HELLO_RETRY], {"agenttls.hello_retry",
        PI_SEQUENCE, PI_CHAT, "Server asked for a second ClientHello (HelloRetryRequest)", EXPFILL}},
    {&agenttls_hf.findings[ATV_FINDING_RENEGOTIATION], {"agenttls.renegotiation",
        PI_SEQUENCE, PI_NOTE, "Second handshake on the same connection", EXPFILL}},
};

static void borrow_tls_name_tables(void)
{
    const void *versions = agenttls_version_strings();
    const void *suites = agenttls_suite_strings();
    for (size_t i = 0; i < G_N_ELEMENTS(field_table); i++) {
        header_field_info *info = &field_table[i].hfinfo;
        int *id = field_table[i].p_id;
        if (versions && (id == &agenttls_hf.client_max_version || id == &agenttls_hf.server_version))
            info->strings = versions;
        if (suites && id == &agenttls_hf.server_cipher) {
            info->strings = suites;
            info->display = BASE_HEX | BASE_EXT_STRING;
        }
    }
}

void agenttls_register_fields(void)
{
    static int *ett_table[] = {&agenttls_hf.ett};

    agenttls_hf.proto = proto_register_protocol("Agent TLS Verdict", "AgentTLS", "agenttls");
    agenttls_text_init();
    borrow_tls_name_tables();
    proto_register_field_array(agenttls_hf.proto, field_table, G_N_ELEMENTS(field_table));
    proto_register_subtree_array(ett_table, G_N_ELEMENTS(ett_table));
    expert_module_t *expert = expert_register_protocol(agenttls_hf.proto);
    expert_register_field_array(expert, expert_table, G_N_ELEMENTS(expert_table));
}
