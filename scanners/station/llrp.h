// EPCglobal Low Level Reader Protocol (LLRP) 1.0.1 binary codec: the subset a
// station needs to run an inventory and receive tag reports.
//
// Message (all integers big-endian):
//   3 bits reserved (0) | 3 bits version (1 = LLRP 1.0.1) | 10 bits message
//   type u32 message length in bytes, header included (>= 10) u32 message id (a
//   response carries the id of its request) body: fields, then parameters
// Parameters:
//   TV : 1 bit 1 | 7 bits type | value of the fixed length the type defines
//   TLV: 6 bits reserved (0) | 10 bits type | u16 length, header included |
//   value
// Numbers verified against the LLRP 1.0.1 standard as implemented by the
// Wireshark LLRP dissector and sllurp (llrp_proto.py).
//
// Pure functions, thread-safe. Errors are InvalidArgument naming the message or
// parameter and the byte offset.
#ifndef UDI_SCANNERS_STATION_LLRP_H_
#define UDI_SCANNERS_STATION_LLRP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace station::llrp {

constexpr uint8_t kVersion1_0_1 = 1;
constexpr uint16_t kDefaultPort = 5084;
constexpr size_t kHeaderBytes = 10;
constexpr uint32_t kMaxMessageBytes = 1 << 20;  // we refuse larger messages

// Message types (LLRP 1.0.1 §16.1).
enum MessageType : uint16_t {
  kCloseConnectionResponse = 4,
  kCloseConnection = 14,
  kAddRospec = 20,
  kDeleteRospec = 21,
  kStartRospec = 22,
  kStopRospec = 23,
  kEnableRospec = 24,
  kDisableRospec = 25,
  kAddRospecResponse = 30,
  kDeleteRospecResponse = 31,
  kStartRospecResponse = 32,
  kStopRospecResponse = 33,
  kEnableRospecResponse = 34,
  kDisableRospecResponse = 35,
  kRoAccessReport = 61,
  kKeepalive = 62,
  kReaderEventNotification = 63,
  kKeepaliveAck = 72,
  kErrorMessage = 100,
};

// Parameter types (LLRP 1.0.1 §16.2). TV types are < 128.
enum ParameterType : uint16_t {
  kAntennaIdTv = 1,
  kFirstSeenTimestampUtcTv = 2,
  kPeakRssiTv = 6,
  kRospecIdTv = 9,
  kEpc96Tv = 13,
  kUtcTimestamp = 128,
  kUptime = 129,
  kRospec = 177,
  kRoBoundarySpec = 178,
  kRospecStartTrigger = 179,
  kRospecStopTrigger = 182,
  kAiSpec = 183,
  kAiSpecStopTrigger = 184,
  kInventoryParameterSpec = 186,
  kRoReportSpec = 237,
  kTagReportContentSelector = 238,
  kTagReportData = 240,
  kEpcData = 241,
  kReaderEventNotificationData = 246,
  kConnectionAttemptEvent = 256,
  kConnectionCloseEvent = 257,
  kLlrpStatus = 287,
};

// "ADD_ROSPEC", ... or "type <n>".
std::string MessageTypeName(uint16_t type);

struct Message {
  uint16_t type = 0;
  uint32_t id = 0;
  std::string body;  // everything after the 10-byte header
  bool operator==(const Message&) const = default;
};

std::string EncodeMessage(const Message& m);

// One message from the start of `buf`: the message and its size, or nullopt
// when `buf` holds only part of one. InvalidArgument on a version other than 1
// or a length outside [10, kMaxMessageBytes].
ledger::Result<std::optional<std::pair<Message, size_t>>> DecodeMessage(
    std::string_view buf);

struct Parameter {
  uint16_t type = 0;
  bool tv = false;
  size_t offset = 0;       // of the parameter header within the parsed bytes
  std::string_view value;  // without the header
};
// Splits `bytes` into TV and TLV parameters. Unknown TV types are an error
// (their length is unknown); unknown TLV types are returned for the caller to
// skip.
ledger::Result<std::vector<Parameter>> ParseParameters(std::string_view bytes);

// --- what the client sends
// ------------------------------------------------------------------ ADD_ROSPEC
// with one ROSpec: disabled, null start trigger (started by START_ROSPEC), null
// stop trigger, one AISpec over all antennas (antenna id 0) with a null stop
// trigger and one EPCglobal Class 1 Gen 2 InventoryParameterSpec, and an
// ROReportSpec reporting every tag at once (trigger 1, N = 1) with the antenna
// id and first-seen timestamp.
Message AddRospec(uint32_t message_id, uint32_t rospec_id);
// ENABLE_ROSPEC / START_ROSPEC / DELETE_ROSPEC / STOP_ROSPEC: the body is the
// ROSpec id.
Message RospecCommand(uint16_t type, uint32_t message_id, uint32_t rospec_id);
Message KeepaliveAck(uint32_t message_id);

// --- what a reader sends (the simulator uses these)
// ------------------------------------------
// *_RESPONSE carrying LLRPStatus {code, description}.
Message StatusResponse(uint16_t type, uint32_t message_id, uint16_t status_code,
                       std::string_view description);
// READER_EVENT_NOTIFICATION with a UTCTimestamp and a ConnectionAttemptEvent.
Message ConnectionAttempt(uint32_t message_id, uint64_t utc_micros,
                          uint16_t status);
Message Keepalive(uint32_t message_id);

struct TagRead {
  std::string epc_hex;   // upper-case hex of the EPC bits (whole bytes)
  uint16_t antenna = 0;  // 0 = not reported
  bool as_epc96 = true;  // encoded as the EPC-96 TV (96-bit EPCs) or as EPCData
  bool operator==(const TagRead&) const = default;
};
Message RoAccessReport(uint32_t message_id, const std::vector<TagRead>& tags);

// --- parsing
// ---------------------------------------------------------------------------------
struct LlrpStatus {
  uint16_t code = 0;  // 0 = M_Success
  std::string description;
};
// The LLRPStatus parameter of a *_RESPONSE or ERROR_MESSAGE body.
ledger::Result<LlrpStatus> ParseStatus(std::string_view body);
// The ConnectionAttemptEvent status of a READER_EVENT_NOTIFICATION, nullopt
// when it carries another event; `closed` is set when it carries a
// ConnectionCloseEvent.
ledger::Result<std::optional<uint16_t>> ParseConnectionAttempt(
    std::string_view body, bool* closed = nullptr);
// The tags of an RO_ACCESS_REPORT (EPC-96 TV or EPCData TLV, plus AntennaID).
ledger::Result<std::vector<TagRead>> ParseRoAccessReport(std::string_view body);
// The ROSpec id of ENABLE/START/DELETE_ROSPEC, or of the ROSpec in ADD_ROSPEC.
ledger::Result<uint32_t> ParseRospecId(const Message& m);

}  // namespace station::llrp

#endif  // UDI_SCANNERS_STATION_LLRP_H_
