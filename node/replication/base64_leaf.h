// Decoding the base64 leaves of GET .../entries responses (a replica decodes
// every entry it pulls).
#ifndef UDI_NODE_REPLICATION_BASE64_LEAF_H_
#define UDI_NODE_REPLICATION_BASE64_LEAF_H_

#include <string>
#include <string_view>

namespace replication {

// Strict RFC 4648 section 4 base64 (standard alphabet, padding required, no
// whitespace, canonical: the unused bits of the last character are zero), the
// exact set ledger::FromBase64 accepts, decoded into *out (replacing its
// contents) with a table, without re-encoding. False on anything else (*out
// then unspecified).
bool DecodeBase64Strict(std::string_view b64, std::string* out);

}  // namespace replication

#endif  // UDI_NODE_REPLICATION_BASE64_LEAF_H_
