/*
 * Preferences.  agent_ports: TCP ports on which TLS is decoded even where
 * Wireshark's TLS heuristic would not catch it (an SSLv2-format hello is
 * not caught on 4343 otherwise).
 */
#include "agenttls.h"

#include <epan/prefs.h>
#include <epan/range.h>

#define AGENTTLS_DEFAULT_AGENT_PORTS "4343"

static range_t *agent_ports;         /* what the user set */
static range_t *registered_ports;    /* what we last gave the tcp.port table */

static void apply_agent_ports(void)
{
    dissector_handle_t tls = find_dissector("tls");
    if (!tls)
        return;
    if (registered_ports)
        dissector_delete_uint_range("tcp.port", registered_ports, tls);
    wmem_free(wmem_epan_scope(), registered_ports);
    registered_ports = range_copy(wmem_epan_scope(), agent_ports);
    dissector_add_uint_range("tcp.port", registered_ports, tls);
}

void agenttls_register_prefs(void)
{
    module_t *module = prefs_register_protocol(agenttls_hf.proto, apply_agent_ports);
    range_convert_str(wmem_epan_scope(), &agent_ports, AGENTTLS_DEFAULT_AGENT_PORTS, 65535);
    prefs_register_range_preference(module, "agent_ports", "Agent ports",
        "TCP ports on which TLS is decoded even when Wireshark's TLS heuristic would not "
        "recognise it, e.g. an SSLv2-format ClientHello from an old agent (default "
        AGENTTLS_DEFAULT_AGENT_PORTS ")", &agent_ports, 65535);
}

void agenttls_handoff_prefs(void)
{
    apply_agent_ports();
}
