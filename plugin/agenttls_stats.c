/*
 * Statistics: `tshark -z agenttls,tree` and Statistics > Agent TLS Verdict in
 * the GUI count handshakes by verdict, findings and negotiated version.
 *
 * The tap is fed once per handshake, on the frame that decided its verdict.
 * In one pass a verdict that a later frame overturns (e.g. ok, then the client
 * gives up) is counted at each decision; with -2 each handshake counts once.
 */
#include "agenttls.h"

#include <epan/stats_tree.h>
#include <epan/tap.h>

static int agenttls_tap = -1;

static const char *const node_verdicts = "Handshakes by verdict";
static const char *const node_findings = "Findings";
static const char *const node_versions = "Negotiated versions";

static int verdicts_node, findings_node, versions_node;

static void stats_init(stats_tree *st)
{
    verdicts_node = stats_tree_create_node(st, node_verdicts, 0, STAT_DT_INT, TRUE);
    findings_node = stats_tree_create_node(st, node_findings, 0, STAT_DT_INT, TRUE);
    versions_node = stats_tree_create_node(st, node_versions, 0, STAT_DT_INT, TRUE);
}

static tap_packet_status stats_packet(stats_tree *st, packet_info *pinfo _U_,
                                      epan_dissect_t *edt _U_, const void *data,
                                      tap_flags_t flags _U_)
{
    const atv_handshake *hs = (const atv_handshake *)data;
    tick_stat_node(st, node_verdicts, 0, FALSE);
    tick_stat_node(st, atv_verdict_name(hs->verdict), verdicts_node, FALSE);
    for (int finding = 0; finding < ATV_FINDING_COUNT; finding++) {
        if (!atv_has_finding(hs, (atv_finding)finding))
            continue;
        tick_stat_node(st, node_findings, 0, FALSE);
        tick_stat_node(st, atv_finding_name((atv_finding)finding), findings_node, FALSE);
    }
    if (hs->has_server_hello) {
        tick_stat_node(st, node_versions, 0, FALSE);
        tick_stat_node(st, agenttls_version_name(hs->server_version), versions_node, FALSE);
    }
    return TAP_PACKET_REDRAW;
}

void agenttls_register_tap(void)
{
    agenttls_tap = register_tap("agenttls");
}

void agenttls_tap_handshake(packet_info *pinfo, const atv_handshake *hs)
{
    if (hs->decided_in == pinfo->num)
        tap_queue_packet(agenttls_tap, pinfo, hs);
}

void agenttls_register_stats_tree(void)
{
    stats_tree_register_plugin("agenttls", "agenttls", "Agent TLS Verdict/Verdicts", 0,
                               stats_packet, stats_init, NULL);
}
