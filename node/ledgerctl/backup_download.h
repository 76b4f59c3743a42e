// Streaming HTTP GET for `ledgerctl backup --node` (issue 7): the response
// body goes to a sink as it arrives, so a backup of any size is downloaded in
// bounded memory. Beast is confined to backup_download.cc.
#ifndef UDI_NODE_LEDGERCTL_BACKUP_DOWNLOAD_H_
#define UDI_NODE_LEDGERCTL_BACKUP_DOWNLOAD_H_

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "ledger/status.h"
#include "node/ledgerctl/client_common.h"

namespace ledgerctl {

struct DownloadResult {
  int status = 0;
  // The body of a non-2xx answer (at most 1 MiB); a 2xx body went to the sink.
  std::string error_body;
};

// GET `target` from `node` (with its bearer token). A 2xx body is passed to
// `sink` piece by piece (at most 64 KiB each) as it arrives; the first non-OK
// status of `sink` stops the download and is returned. IOError naming the URL
// and the phase (connect, write, read) when the connection fails, when no byte
// arrives for `idle_timeout`, or when the body ends early (e.g. a chunked body
// without its last chunk: the node stopped producing it).
ledger::Result<DownloadResult> DownloadToSink(
    const NodeAddress& node, const std::string& target,
    std::chrono::milliseconds idle_timeout,
    const std::function<ledger::Status(std::string_view)>& sink);

}  // namespace ledgerctl

#endif  // UDI_NODE_LEDGERCTL_BACKUP_DOWNLOAD_H_
