// The LLRP client against the reader simulator: real LLRP binary over TCP on
// loopback.
#include "scanners/station/llrp_client.h"

#include <gtest/gtest.h>

#include <mutex>

#include "scanners/station/llrp_reader_simulator.h"
#include "scanners/station/station_testing.h"

namespace station {
namespace {

class TagSink {
 public:
  void Add(const llrp::TagRead& t) {
    std::lock_guard<std::mutex> lock(mu_);
    tags_.push_back(t);
  }
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return tags_.size();
  }
  std::vector<llrp::TagRead> tags() const {
    std::lock_guard<std::mutex> lock(mu_);
    return tags_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<llrp::TagRead> tags_;
};

TEST(LlrpClientTest, InventoryKeepaliveAndReconnect) {
  auto sim = LlrpReaderSimulator::Start();
  ASSERT_TRUE(sim.ok()) << sim.status().ToString();
  TagSink sink;
  LlrpClientOptions options;
  options.host = "127.0.0.1";
  options.port = (*sim)->port();
  options.rospec_id = 42;
  options.initial_backoff_ms = 10;
  options.max_backoff_ms = 50;
  LlrpClient client(options, [&](const llrp::TagRead& t) { sink.Add(t); });
  client.Start();

  ASSERT_TRUE((*sim)->Accept().ok());
  std::vector<uint16_t> received;
  uint32_t rospec = 0;
  ledger::Status hs = (*sim)->Handshake(&received, &rospec);
  ASSERT_TRUE(hs.ok()) << hs.ToString();
  EXPECT_EQ(received,
            (std::vector<uint16_t>{llrp::kDeleteRospec, llrp::kAddRospec,
                                   llrp::kEnableRospec, llrp::kStartRospec}));
  EXPECT_EQ(rospec, 42u);

  const std::vector<llrp::TagRead> first = {
      {"3074257BF7194E4000001A85", 1, true},
      {"3074257BF7194E4000001A86", 2, false}};
  ASSERT_TRUE((*sim)->SendTags(first).ok());
  ASSERT_TRUE(testing::WaitFor([&] { return sink.size() == 2; }));
  EXPECT_EQ(sink.tags(), first);

  ledger::Status ka = (*sim)->KeepaliveRoundTrip(777);
  EXPECT_TRUE(ka.ok()) << ka.ToString();

  // The reader drops the connection: the client reconnects and sets the ROSpec
  // up again.
  (*sim)->Drop();
  ASSERT_TRUE((*sim)->Accept().ok());
  received.clear();
  hs = (*sim)->Handshake(&received, &rospec);
  ASSERT_TRUE(hs.ok()) << hs.ToString();
  ASSERT_TRUE((*sim)->SendTags({{"3074257BF7194E4000001A87", 1, true}}).ok());
  ASSERT_TRUE(testing::WaitFor([&] { return sink.size() == 3; }));
  EXPECT_EQ(sink.tags()[2].epc_hex, "3074257BF7194E4000001A87");

  const LlrpClientStats stats = client.stats();
  EXPECT_EQ(stats.connections, 2u);
  EXPECT_EQ(stats.tags, 3u);
  EXPECT_EQ(stats.keepalives, 1u);
  client.Stop();
}

TEST(LlrpClientTest, ConnectionDroppedBeforeTheHandshakeIsRetried) {
  // A reader that hangs up before its READER_EVENT_NOTIFICATION: the client
  // must come back (the simulator's next Accept proves it) and then run the
  // inventory.
  auto sim = LlrpReaderSimulator::Start();
  ASSERT_TRUE(sim.ok());
  LlrpClientOptions options;
  options.host = "127.0.0.1";
  options.port = (*sim)->port();
  options.initial_backoff_ms = 10;
  LlrpClient client(options, [](const llrp::TagRead&) {});
  client.Start();
  ASSERT_TRUE((*sim)->Accept().ok());
  (*sim)->Drop();
  ASSERT_TRUE((*sim)->Accept().ok());
  std::vector<uint16_t> received;
  uint32_t rospec = 0;
  ledger::Status hs = (*sim)->Handshake(&received, &rospec);
  EXPECT_TRUE(hs.ok()) << hs.ToString();
  EXPECT_TRUE(
      testing::WaitFor([&] { return client.stats().connections == 1; }));
  client.Stop();
}

}  // namespace
}  // namespace station
