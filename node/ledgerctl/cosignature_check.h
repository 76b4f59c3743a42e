// `ledgerctl checkpoint --witness-keys FILE --min-cosignatures K`: a
// regulator's quorum policy over C2SP tlog-cosignature v1 lines.
#ifndef UDI_NODE_LEDGERCTL_COSIGNATURE_CHECK_H_
#define UDI_NODE_LEDGERCTL_COSIGNATURE_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/cosignature.h"
#include "ledger/status.h"

namespace ledgerctl {

// Reads cosigner keys ("<name>+<hash>+<base64(0x04||key)>"), one per line
// (blank lines and lines starting with '#' skipped), from the file `path`, or
// takes `path` itself as one key. InvalidArgument naming --witness-keys and
// the line.
ledger::Result<std::vector<ledger::CosignerKey>> LoadCosignerKeys(
    const std::string& path);

// OK when at least `min` distinct keys of `witnesses` have a valid cosignature
// on `note`; `summary` then lists them. FailedPrecondition("2 of 3 required
// cosignatures (valid: a, b; invalid: c: ...)") otherwise; InvalidArgument
// when `note` is not a signed note.
ledger::Status CheckCosignatureQuorum(
    const std::string& note, const std::vector<ledger::CosignerKey>& witnesses,
    uint64_t min, std::string* summary);

}  // namespace ledgerctl

#endif  // UDI_NODE_LEDGERCTL_COSIGNATURE_CHECK_H_
