/*
 * Agent TLS Verdict: declarations shared by the Wireshark glue files.
 */
#ifndef AGENTTLS_H
#define AGENTTLS_H

#include <epan/packet.h>
#include <epan/expert.h>

#include "engine/atv_engine.h"

/* ---- agenttls_fields.c: protocol, fields, expert items ---- */

typedef struct {
    int proto;
    int verdict;
    int summary;
    int finding;
    int handshake;
    int client_max_version;
    int client_versions;
    int client_cipher_count;
    int server_version;
    int server_cipher;
    int cipher_offered;
    int alert;
    int cert_subject;
    int cert_issuer;
    int client_hello_frame;
    int server_hello_frame;
    int decided_in;
    int ett;
    expert_field findings[ATV_FINDING_COUNT];
} agenttls_ids;

extern agenttls_ids agenttls_hf;

void agenttls_register_fields(void);

/* ---- agenttls_prefs.c: preferences ---- */

void agenttls_register_prefs(void);
void agenttls_handoff_prefs(void);

/* ---- agenttls_stats.c: tap and -z agenttls,tree ---- */

void agenttls_register_tap(void);
/* Queues the handshake for taps on the frame that decided its verdict. */
void agenttls_tap_handshake(packet_info *pinfo, const atv_handshake *hs);
void agenttls_register_stats_tree(void); /* from the plugin's tap registration */

/* ---- agenttls_text.c: names and sentences ---- */

/* The first of the fields registered under `abbrev`; follow same_name_next
 * for the others (e.g. tls.handshake.type is registered for TLS and SSLv2). */
header_field_info *agenttls_first_field_named(const char *abbrev);

/* Looks up the TLS dissector's own name tables; call once at registration. */
void agenttls_text_init(void);
const void *agenttls_version_strings(void);     /* value_string * or NULL */
const void *agenttls_suite_strings(void);       /* value_string_ext * or NULL */
const char *agenttls_version_name(uint16_t version);
const char *agenttls_suite_name(uint16_t suite);
const char *agenttls_alert_name(uint8_t description);
bool agenttls_suite_is_weak(uint16_t suite);
/* The versions a client offered, e.g. "TLS 1.3, TLS 1.2"; wmem packet scope. */
char *agenttls_client_versions_text(const atv_handshake *hs);
/* One plain sentence on what happened and, for a failure, what to do. */
char *agenttls_summary_text(const atv_handshake *hs);
/* Text for a finding's expert item, or NULL to use the registered text. */
char *agenttls_finding_text(const atv_handshake *hs, atv_finding finding);

/* ---- agenttls_extract.c: dissected fields -> engine events ---- */

/* Sets up extraction; returns the hfids to hand to set_postdissector_wanted_hfids. */
GArray *agenttls_extract_init(void);
void agenttls_extract_shutdown(void);
/* Feeds this frame's TCP/TLS facts to the engine (first pass only). */
void agenttls_extract_frame(atv_engine *engine, packet_info *pinfo, proto_tree *tree);

/* ---- agenttls_render.c: the subtree and expert items ---- */

void agenttls_render(const atv_handshake *hs, packet_info *pinfo, proto_tree *tree,
                     tvbuff_t *tvb);

#endif
