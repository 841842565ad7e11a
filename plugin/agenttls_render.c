/*
 * The "Agent TLS Verdict" subtree, modelled on tcp.analysis: one filterable
 * parent, one item per finding with its expert item, links to the frames
 * that matter.
 *
 * Expert items go only on the frame where their finding arose, so that
 * `-z expert` counts each finding once whether the file is read in one pass
 * or two.
 */
#include "agenttls.h"

static proto_item *add_generated(proto_item *item)
{
    proto_item_set_generated(item);
    return item;
}

static void add_finding(const atv_handshake *hs, atv_finding finding, packet_info *pinfo,
                        proto_tree *tree, tvbuff_t *tvb)
{
    proto_item *item = add_generated(proto_tree_add_string(
        tree, agenttls_hf.finding, tvb, 0, 0, atv_finding_name(finding)));
    if (atv_finding_frame(hs, finding) != pinfo->num)
        return;
    char *text = agenttls_finding_text(hs, finding);
    if (text)
        expert_add_info_format(pinfo, item, &agenttls_hf.findings[finding], "%s", text);
    else
        expert_add_info(pinfo, item, &agenttls_hf.findings[finding]);
}

static void add_findings(const atv_handshake *hs, packet_info *pinfo, proto_tree *tree,
                         tvbuff_t *tvb)
{
    for (int finding = 0; finding < ATV_FINDING_COUNT; finding++) {
        if (atv_has_finding(hs, (atv_finding)finding))
            add_finding(hs, (atv_finding)finding, pinfo, tree, tvb);
    }
}

static void add_client_details(const atv_handshake *hs, proto_tree *tree, tvbuff_t *tvb)
{
    if (!hs->has_client_hello)
        return;
    add_generated(proto_tree_add_uint(tree, agenttls_hf.client_max_version, tvb, 0, 0,
                                      hs->client_max_version));
    if (proto_field_is_referenced(tree, agenttls_hf.client_versions))
        add_generated(proto_tree_add_string(tree, agenttls_hf.client_versions, tvb, 0, 0,
                                            agenttls_client_versions_text(hs)));
    add_generated(proto_tree_add_uint(tree, agenttls_hf.client_cipher_count, tvb, 0, 0,
                                      hs->client_cipher_count));
}

static void add_server_details(const atv_handshake *hs, proto_tree *tree, tvbuff_t *tvb)
{
    if (!hs->has_server_hello)
        return;
    add_generated(proto_tree_add_uint(tree, agenttls_hf.server_version, tvb, 0, 0,
                                      hs->server_version));
    add_generated(proto_tree_add_uint(tree, agenttls_hf.server_cipher, tvb, 0, 0,
                                      hs->server_cipher));
    if (hs->has_client_hello)
        add_generated(proto_tree_add_boolean(tree, agenttls_hf.cipher_offered, tvb, 0, 0,
                                             hs->cipher_offered));
}

static void add_certificate_names(const atv_handshake *hs, proto_tree *tree, tvbuff_t *tvb)
{
    if (hs->certificate_subject)
        add_generated(proto_tree_add_string(tree, agenttls_hf.cert_subject, tvb, 0, 0,
                                            hs->certificate_subject));
    if (hs->certificate_issuer)
        add_generated(proto_tree_add_string(tree, agenttls_hf.cert_issuer, tvb, 0, 0,
                                            hs->certificate_issuer));
}

static void add_alert(const atv_handshake *hs, proto_tree *tree, tvbuff_t *tvb)
{
    if (!hs->alert_frame || !proto_field_is_referenced(tree, agenttls_hf.alert))
        return;
    add_generated(proto_tree_add_string_format_value(
        tree, agenttls_hf.alert, tvb, 0, 0, agenttls_alert_name(hs->alert_description),
        "%s (%u) from the %s", agenttls_alert_name(hs->alert_description),
        hs->alert_description, hs->alert_from_client ? "client" : "server"));
}

static void add_frame_links(const atv_handshake *hs, proto_tree *tree, tvbuff_t *tvb)
{
    if (hs->has_client_hello)
        add_generated(proto_tree_add_uint(tree, agenttls_hf.client_hello_frame, tvb, 0, 0,
                                          hs->client_hello_frame));
    if (hs->has_server_hello)
        add_generated(proto_tree_add_uint(tree, agenttls_hf.server_hello_frame, tvb, 0, 0,
                                          hs->server_hello_frame));
    if (hs->decided_in)
        add_generated(proto_tree_add_uint(tree, agenttls_hf.decided_in, tvb, 0, 0,
                                          hs->decided_in));
}

void agenttls_render(const atv_handshake *hs, packet_info *pinfo, proto_tree *tree,
                     tvbuff_t *tvb)
{
    bool decided = hs->verdict != ATV_VERDICT_PENDING;
    const char *verdict = atv_verdict_name(hs->verdict);
    proto_item *root = proto_tree_add_item(tree, agenttls_hf.proto, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(root);
    if (decided)
        proto_item_append_text(root, ": %s", verdict);
    proto_tree *subtree = proto_item_add_subtree(root, agenttls_hf.ett);

    if (decided)
        add_generated(proto_tree_add_string(subtree, agenttls_hf.verdict, tvb, 0, 0, verdict));
    if (proto_field_is_referenced(subtree, agenttls_hf.summary))
        add_generated(proto_tree_add_string(subtree, agenttls_hf.summary, tvb, 0, 0,
                                            agenttls_summary_text(hs)));
    add_findings(hs, pinfo, subtree, tvb);
    add_generated(proto_tree_add_uint(subtree, agenttls_hf.handshake, tvb, 0, 0, hs->number));
    add_client_details(hs, subtree, tvb);
    add_server_details(hs, subtree, tvb);
    add_certificate_names(hs, subtree, tvb);
    add_alert(hs, subtree, tvb);
    add_frame_links(hs, subtree, tvb);
}
