#include "scanners/station/station.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <sstream>

#include "ledger/envelope.h"
#include "ledger/epcis.h"
#include "scanners/station/inputs.h"
#include "scanners/station/station_testing.h"

namespace station {
namespace {

using json = nlohmann::json;

StationConfig TestConfig() {
  StationConfig c;
  c.biz_step = "receiving";
  c.disposition = "in_progress";
  c.read_point = "urn:epc:id:sgln:0614141.00777.0";
  c.biz_location = "urn:epc:id:sgln:0614141.00888.0";
  c.rfid_repeat_window_ms = 1000;
  return c;
}

struct Fixture {
  explicit Fixture(StationConfig config = TestConfig()) {
    auto k = ledger::SigningKey::Generate("station-test");
    EXPECT_TRUE(k.ok());
    key = std::make_unique<ledger::SigningKey>(*k);
    auto s = Spool::Open(dir.Sub("spool"));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    spool = std::move(*s);
    Clock clock{[this] { return wall_ms.load(); },
                [this] { return mono_ms.load(); }};
    auto st = Station::Create(config, *key, spool.get(), clock);
    EXPECT_TRUE(st.ok()) << st.status().ToString();
    station = std::move(*st);
  }
  std::vector<json> Records() {
    std::vector<json> out;
    auto pending = spool->ReadPending(1000);
    EXPECT_TRUE(pending.ok());
    if (!pending.ok()) return out;
    for (const auto& r : *pending) out.push_back(json::parse(r.payload));
    return out;
  }

  testing::TempDir dir;
  std::atomic<int64_t> wall_ms{1795687200123};
  std::atomic<int64_t> mono_ms{5000};
  std::unique_ptr<ledger::SigningKey> key;
  std::unique_ptr<Spool> spool;
  std::unique_ptr<Station> station;
};

TEST(StationTest, GoodScanIsSignedAndSpooledBeforeOk) {
  Fixture f;
  const std::string answer =
      f.station->HandleLine("]d2010950600013435221ABC123\r", "test");
  ASSERT_EQ(answer.rfind("OK ni:///sha-256;", 0), 0u) << answer;
  auto records = f.Records();
  ASSERT_EQ(records.size(), 1u);
  const json& r = records[0];
  EXPECT_EQ("OK " + r["eventId"].get<std::string>(), answer);
  EXPECT_EQ(r["scan"], "]d2010950600013435221ABC123");
  EXPECT_EQ(r["input"], "test");
  auto env = ledger::Envelope::FromJson(r["envelope"]);
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_TRUE(ledger::VerifyEnvelope(*env, f.key->verifier()).ok());
  auto canonical = ledger::CanonicalEventBytes(env->event);
  ASSERT_TRUE(canonical.ok());
  EXPECT_EQ(ledger::EventIdFromCanonical(*canonical), r["eventId"]);
  EXPECT_EQ(env->event["epcList"][0],
            "https://id.gs1.org/01/09506000134352/21/ABC123");
  EXPECT_EQ(f.station->counters().good, 1u);
}

TEST(StationTest, BadScansAreAnsweredAtOnceCountedAndNeverSpooled) {
  Fixture f;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"(01)09506000134352(17)261132(21)X", "ERR AI 17: day 32"},
      {"+$$3261231LOT123GI", "ERR HIBC: a secondary-only symbol"},
      {"", "ERR empty scan"},
      {"hello", "ERR "},
  };
  for (const auto& [line, want] : cases) {
    SCOPED_TRACE(line);
    const std::string answer = f.station->HandleLine(line, "test");
    EXPECT_EQ(answer.rfind(want, 0), 0u) << answer;
  }
  EXPECT_EQ(f.station->counters().bad, cases.size());
  EXPECT_EQ(f.spool->pending_count(), 0u);
}

// An HIBC scan becomes an ObjectEvent naming the item by its non-GS1 URI
// (CBV 2.0 8.3), which the ledger's EPCIS validator accepts.
TEST(StationTest, HibcScanIsRecordedUnderItsNonGs1Uri) {
  Fixture f;
  const std::string line = "+A123BJC5D6E71/$$+0227SER/";
  const std::string answer = f.station->HandleLine(line, "t");
  ASSERT_EQ(answer.rfind("OK ni:///sha-256;", 0), 0u) << answer;
  auto records = f.Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["envelope"]["event"]["epcList"][0],
            "https://udi-ledger.org/hibc/obj/A123BJC5D6E71/SER");
}

TEST(StationTest, BatchOfLinesIsAnsweredInOrder) {
  Fixture f;
  const auto answers = f.station->HandleLines(
      {"]d2010950600013435221B1", "(01)09506000134353(21)X",
       "]d2010950600013435221B2"},
      "t");
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0].rfind("OK ni:///sha-256;", 0), 0u) << answers[0];
  EXPECT_EQ(answers[1].rfind("ERR AI 01", 0), 0u) << answers[1];
  EXPECT_EQ(answers[2].rfind("OK ni:///sha-256;", 0), 0u) << answers[2];
  EXPECT_NE(answers[0], answers[2]);
  auto records = f.Records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ("OK " + records[0]["eventId"].get<std::string>(), answers[0]);
  EXPECT_EQ("OK " + records[1]["eventId"].get<std::string>(), answers[2]);
}

TEST(StationTest, GsEscapeIsTheGroupSeparator) {
  Fixture f;
  const std::string escaped =
      f.station->HandleLine("]C1010950600013435210LOT7\\x1d21S1", "test");
  ASSERT_EQ(escaped.rfind("OK ", 0), 0u) << escaped;
  EXPECT_EQ(f.Records()[0]["envelope"]["event"]["epcList"][0],
            "https://id.gs1.org/01/09506000134352/21/S1");
}

TEST(StationTest, RfidRepeatsWithinTheWindowAreReportedOnce) {
  Fixture f;
  const std::string epc = "3074257BF7194E4000001A85";
  auto first = f.station->HandleTag(epc, "llrp");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->rfind("OK ", 0), 0u) << *first;
  f.mono_ms += 999;
  EXPECT_FALSE(
      f.station->HandleTag(epc, "llrp").has_value());  // 999 ms after the first
  f.mono_ms += 999;
  EXPECT_FALSE(f.station->HandleTag(epc, "llrp")
                   .has_value());  // 999 ms after the last read
  EXPECT_TRUE(
      f.station->HandleTag("3074257BF7194E4000001A86", "llrp").has_value());
  f.mono_ms += 1000;
  f.wall_ms += 3000;
  EXPECT_TRUE(f.station->HandleTag(epc, "llrp")
                  .has_value());  // a full window of silence
  EXPECT_EQ(f.station->counters().suppressed, 2u);
  EXPECT_EQ(f.spool->pending_count(), 3u);
  auto bad = f.station->HandleTag("35000000000000000000000", "llrp");
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->rfind("ERR EPC 35000000000000000000000: ", 0), 0u) << *bad;
}

TEST(StationTest, PackingOpensAddsAndClosesOneAggregation) {
  StationConfig config = TestConfig();
  config.mode = StationMode::kPacking;
  config.biz_step = "packing";
  Fixture f(config);
  EXPECT_EQ(f.station->HandleLine("CLOSE", "t"),
            "ERR nothing to close: no open parent");
  EXPECT_EQ(f.station->HandleLine("]d2010950600013435221A", "t")
                .rfind("ERR no open parent", 0),
            0u);
  EXPECT_EQ(f.station->HandleLine("]C100106141412345678908", "t"),
            "OK OPEN https://id.gs1.org/00/106141412345678908");
  EXPECT_EQ(f.station->HandleLine("CLOSE", "t"),
            "ERR nothing to close: https://id.gs1.org/00/106141412345678908 "
            "has no children");
  EXPECT_EQ(f.station->HandleLine("]d2010950600013435221A", "t"), "OK ADDED 1");
  EXPECT_EQ(
      f.station->HandleLine("]d2010950600013435221A", "t").rfind("ERR ", 0),
      0u);
  EXPECT_EQ(f.station->HandleLine("(01)09506000134352(10)L1", "t"),
            "OK ADDED 2");
  auto tag = f.station->HandleTag("3074257BF7194E4000001A85", "llrp");
  ASSERT_TRUE(tag.has_value());
  EXPECT_EQ(*tag, "OK ADDED 3");
  EXPECT_EQ(f.spool->pending_count(),
            0u);  // nothing is spooled before the close
  const std::string closed = f.station->HandleLine("CLOSE", "t");
  ASSERT_EQ(closed.rfind("OK ni:///sha-256;", 0), 0u) << closed;
  auto records = f.Records();
  ASSERT_EQ(records.size(), 1u);
  const json& event = records[0]["envelope"]["event"];
  EXPECT_EQ(event["type"], "AggregationEvent");
  EXPECT_EQ(event["parentID"], "https://id.gs1.org/00/106141412345678908");
  EXPECT_EQ(event["childEPCs"],
            json::parse(R"(["https://id.gs1.org/01/09506000134352/21/A",
                                                 "urn:epc:id:sgtin:0614141.812345.6789"])"));
  EXPECT_EQ(event["childQuantityList"][0]["quantity"], 1);
  // The parent is closed: the next child needs a new parent.
  EXPECT_EQ(f.station->HandleLine("]d2010950600013435221B", "t")
                .rfind("ERR no open parent", 0),
            0u);
}

TEST(StationTest, ConfigThatMakesInvalidEventsFailsAtCreate) {
  StationConfig config = TestConfig();
  config.read_point = "not a uri";
  testing::TempDir dir;
  auto spool = Spool::Open(dir.path());
  ASSERT_TRUE(spool.ok());
  auto key = ledger::SigningKey::Generate("k");
  ASSERT_TRUE(key.ok());
  auto station = Station::Create(config, *key, spool->get());
  ASSERT_FALSE(station.ok());
  EXPECT_NE(station.status().message().find("readPoint"), std::string::npos)
      << station.status().message();
}

// The TCP protocol: one scan per line in, one answer per line out, in order.
TEST(TcpListenerTest, AnswersEveryLine) {
  Fixture f;
  auto listener = TcpListener::Start(
      "127.0.0.1", 0,
      [&](const std::vector<std::string>& lines, std::string_view source) {
        return f.station->HandleLines(lines, source);
      });
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  auto fd = ConnectTcp("127.0.0.1", (*listener)->port(), nullptr, 10000);
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  const std::string lines =
      "]d2010950600013435221S1\r\n(01)09506000134352(17)261132(21)X\n" +
      std::string(kMaxLineBytes + 10, '9') + "\n]d2010950600013435221S2\n";
  // Sent in pieces that split lines, as a TCP stream may.
  ASSERT_TRUE(SendAll(fd->get(), lines.substr(0, 7)).ok());
  ASSERT_TRUE(SendAll(fd->get(), lines.substr(7)).ok());
  std::string received;
  while (std::count(received.begin(), received.end(), '\n') < 4) {
    auto bytes = ReceiveSome(fd->get(), nullptr, 30000);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    ASSERT_FALSE(bytes->empty()) << "closed after: " << received;
    received += *bytes;
  }
  std::istringstream in(received);
  std::string a1, a2, a3, a4;
  std::getline(in, a1);
  std::getline(in, a2);
  std::getline(in, a3);
  std::getline(in, a4);
  EXPECT_EQ(a1.rfind("OK ni:///sha-256;", 0), 0u) << a1;
  EXPECT_EQ(a2.rfind("ERR AI 17", 0), 0u) << a2;
  EXPECT_EQ(a3, "ERR line longer than 4096 bytes");
  EXPECT_EQ(a4.rfind("OK ni:///sha-256;", 0), 0u) << a4;
  auto records = f.Records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ("OK " + records[0]["eventId"].get<std::string>(), a1);
  EXPECT_EQ(records[0]["input"].get<std::string>().rfind("tcp 127.0.0.1:", 0),
            0u);
  (*listener)->Stop();
}

// A serial device is read line by line; a FIFO stands in for /dev/ttyACM0 (it
// is not a tty, so the raw-mode setup is skipped and the bytes are read as they
// are).
TEST(FdLineReaderTest, SerialDeviceLinesAreSpooled) {
  Fixture f;
  const std::string fifo = f.dir.Sub("ttyFAKE");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Open the writing end first in non-blocking mode after the reader has it
  // open.
  std::unique_ptr<FdLineReader> reader;
  std::thread opener([&] {
    auto r = FdLineReader::OpenSerial(
        fifo,
        [&](const std::vector<std::string>& lines, std::string_view source) {
          return f.station->HandleLines(lines, source);
        });
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    reader = std::move(*r);
  });
  const int wfd =
      ::open(fifo.c_str(), O_WRONLY);  // blocks until the reader opened it
  opener.join();
  ASSERT_GE(wfd, 0);
  const std::string lines =
      "]d2010950600013435221F1\r\n]d2010950600013435221F2\n";
  ASSERT_EQ(::write(wfd, lines.data(), lines.size()),
            static_cast<ssize_t>(lines.size()));
  ::close(wfd);
  ASSERT_TRUE(testing::WaitFor([&] { return f.spool->pending_count() == 2; }));
  auto records = f.Records();
  EXPECT_EQ(records[0]["input"], "serial " + fifo);
  EXPECT_EQ(records[1]["scan"], "]d2010950600013435221F2");
  reader->Stop();
}

}  // namespace
}  // namespace station
