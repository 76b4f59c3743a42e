#include "ledger/status.h"

#include <gtest/gtest.h>

namespace ledger {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("x: odd");
  return x / 2;
}

TEST(StatusTest, ResultCarriesValueOrError) {
  EXPECT_EQ(*Half(4), 2);
  auto r = Half(3);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().ToString(), "invalid argument: x: odd");
  EXPECT_EQ(r.status().WithPrefix("envelope[2]").message(),
            "envelope[2]: x: odd");
}

}  // namespace
}  // namespace ledger
