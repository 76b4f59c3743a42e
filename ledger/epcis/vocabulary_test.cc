#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ledger/epcis.h"
#include "ledger/epcis/epcis_internal.h"

namespace ledger::epcis {
namespace {

struct VocabCase {
  std::string input;
  std::string want;   // normalised value; empty when an error is expected
  std::string error;  // exact message when an error is expected
};

TEST(VocabularyTest, BizStep) {
  const std::vector<VocabCase> cases = {
      {"shipping", "shipping", ""},
      {"https://ref.gs1.org/cbv/BizStep-shipping", "shipping", ""},
      {"urn:epcglobal:cbv:bizstep:receiving", "receiving", ""},
      {"sensor_reporting", "sensor_reporting", ""},
      {"sampling", "sampling", ""},
      {"creating_class_instance", "creating_class_instance", ""},
      {"void_shipping", "void_shipping", ""},
      {"http://epcis.example.org/hc/bizstep/summarising_discharge",
       "http://epcis.example.org/hc/bizstep/summarising_discharge", ""},
      {"urn:example:bizstep:sterilising", "urn:example:bizstep:sterilising",
       ""},
      {"shiping", "",
       "'shiping' is not a CBV 2.0 business step or an absolute URI"},
      {"Shipping", "",
       "'Shipping' is not a CBV 2.0 business step or an absolute URI"},
      {"", "", "'' is not a CBV 2.0 business step or an absolute URI"},
      {"in_transit", "",
       "'in_transit' is not a CBV 2.0 business step or an absolute URI"},
      {"https://ref.gs1.org/cbv/BizStep-shiping", "",
       "'https://ref.gs1.org/cbv/BizStep-shiping' is in the CBV namespace but "
       "is not a "
       "CBV 2.0 business step"},
      {"https://ref.gs1.org/cbv/Disp-in_transit", "",
       "'https://ref.gs1.org/cbv/Disp-in_transit' is in the CBV namespace but "
       "is not a "
       "CBV 2.0 business step"},
      {"urn:epcglobal:cbv:bizstep:teleporting", "",
       "'urn:epcglobal:cbv:bizstep:teleporting' is in the CBV namespace but is "
       "not a CBV "
       "2.0 business step"},
      {"ship ping:x", "",
       "'ship ping:x' is not a CBV 2.0 business step or an absolute URI"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    Result<std::string> got = NormalizeBizStep(c.input);
    if (c.error.empty()) {
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(*got, c.want);
    } else {
      ASSERT_FALSE(got.ok()) << *got;
      EXPECT_EQ(got.status().message(), c.error);
    }
  }
}

TEST(VocabularyTest, Disposition) {
  const std::vector<VocabCase> cases = {
      {"in_transit", "in_transit", ""},
      {"https://ref.gs1.org/cbv/Disp-recalled", "recalled", ""},
      {"urn:epcglobal:cbv:disp:sellable_accessible", "sellable_accessible", ""},
      {"no_pedigree_match", "no_pedigree_match", ""},
      {"partially_dispensed", "partially_dispensed", ""},
      {"mismatch_quantity", "mismatch_quantity", ""},
      {"https://example.org/disp/quarantined",
       "https://example.org/disp/quarantined", ""},
      {"intransit", "",
       "'intransit' is not a CBV 2.0 disposition or an absolute URI"},
      {"shipping", "",
       "'shipping' is not a CBV 2.0 disposition or an absolute URI"},
      {"https://ref.gs1.org/cbv/BizStep-shipping", "",
       "'https://ref.gs1.org/cbv/BizStep-shipping' is in the CBV namespace but "
       "is not a "
       "CBV 2.0 disposition"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    Result<std::string> got = NormalizeDisposition(c.input);
    if (c.error.empty()) {
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(*got, c.want);
    } else {
      ASSERT_FALSE(got.ok()) << *got;
      EXPECT_EQ(got.status().message(), c.error);
    }
  }
}

TEST(VocabularyTest, EveryCbvTermHasAllThreeForms) {
  const std::vector<std::string> steps = {"accepting",
                                          "arriving",
                                          "assembling",
                                          "collecting",
                                          "commissioning",
                                          "consigning",
                                          "creating_class_instance",
                                          "cycle_counting",
                                          "decommissioning",
                                          "departing",
                                          "destroying",
                                          "disassembling",
                                          "dispensing",
                                          "encoding",
                                          "entering_exiting",
                                          "holding",
                                          "inspecting",
                                          "installing",
                                          "killing",
                                          "loading",
                                          "other",
                                          "packing",
                                          "picking",
                                          "receiving",
                                          "removing",
                                          "repackaging",
                                          "repairing",
                                          "replacing",
                                          "reserving",
                                          "retail_selling",
                                          "sampling",
                                          "sensor_reporting",
                                          "shipping",
                                          "staging_outbound",
                                          "stock_taking",
                                          "stocking",
                                          "storing",
                                          "transporting",
                                          "unloading",
                                          "unpacking",
                                          "void_shipping"};
  for (const std::string& s : steps) {
    SCOPED_TRACE(s);
    EXPECT_EQ(*NormalizeBizStep(s), s);
    EXPECT_EQ(*NormalizeBizStep("https://ref.gs1.org/cbv/BizStep-" + s), s);
    EXPECT_EQ(*NormalizeBizStep("urn:epcglobal:cbv:bizstep:" + s), s);
  }
  const std::vector<std::string> dispositions = {"active",
                                                 "available",
                                                 "completeness_inferred",
                                                 "completeness_verified",
                                                 "conformant",
                                                 "container_closed",
                                                 "container_open",
                                                 "damaged",
                                                 "destroyed",
                                                 "dispensed",
                                                 "disposed",
                                                 "encoded",
                                                 "expired",
                                                 "in_progress",
                                                 "in_transit",
                                                 "inactive",
                                                 "mismatch_class",
                                                 "mismatch_instance",
                                                 "mismatch_quantity",
                                                 "needs_replacement",
                                                 "no_pedigree_match",
                                                 "non_conformant",
                                                 "non_sellable_other",
                                                 "partially_dispensed",
                                                 "recalled",
                                                 "reserved",
                                                 "retail_sold",
                                                 "returned",
                                                 "sellable_accessible",
                                                 "sellable_not_accessible",
                                                 "stolen",
                                                 "unavailable",
                                                 "unknown"};
  for (const std::string& d : dispositions) {
    SCOPED_TRACE(d);
    EXPECT_EQ(*NormalizeDisposition(d), d);
    EXPECT_EQ(*NormalizeDisposition("https://ref.gs1.org/cbv/Disp-" + d), d);
    EXPECT_EQ(*NormalizeDisposition("urn:epcglobal:cbv:disp:" + d), d);
  }
}

TEST(VocabularyTest, OtherVocabularies) {
  using internal::NormalizeVocabulary;
  using internal::Vocabulary;
  EXPECT_EQ(*NormalizeVocabulary(Vocabulary::kBizTransactionType, "desadv"),
            "desadv");
  EXPECT_EQ(*NormalizeVocabulary(Vocabulary::kBizTransactionType,
                                 "https://ref.gs1.org/cbv/BTT-po"),
            "po");
  EXPECT_EQ(*NormalizeVocabulary(Vocabulary::kBizTransactionType,
                                 "urn:epcglobal:cbv:btt:inv"),
            "inv");
  EXPECT_EQ(*NormalizeVocabulary(Vocabulary::kBizTransactionType,
                                 "urn:gs1:epcisapp:rail:btt:passage"),
            "urn:gs1:epcisapp:rail:btt:passage");
  EXPECT_EQ(
      NormalizeVocabulary(Vocabulary::kBizTransactionType, "purchase_order")
          .status()
          .message(),
      "'purchase_order' is not a CBV 2.0 business transaction type or an "
      "absolute URI");
  EXPECT_EQ(*NormalizeVocabulary(Vocabulary::kSourceDestType,
                                 "https://ref.gs1.org/cbv/SDT-owning_party"),
            "owning_party");
  EXPECT_EQ(*NormalizeVocabulary(Vocabulary::kSourceDestType,
                                 "urn:epcglobal:cbv:sdt:location"),
            "location");
  EXPECT_EQ(
      NormalizeVocabulary(Vocabulary::kSourceDestType, "owner")
          .status()
          .message(),
      "'owner' is not a CBV 2.0 source/destination type or an absolute URI");
  EXPECT_EQ(*NormalizeVocabulary(Vocabulary::kErrorReason, "did_not_occur"),
            "did_not_occur");
  EXPECT_EQ(*NormalizeVocabulary(Vocabulary::kErrorReason,
                                 "https://ref.gs1.org/cbv/ER-incorrect_data"),
            "incorrect_data");
  EXPECT_EQ(
      NormalizeVocabulary(Vocabulary::kErrorReason, "typo").status().message(),
      "'typo' is not a CBV 2.0 error reason or an absolute URI");
}

TEST(VocabularyTest, AbsoluteUri) {
  struct Case {
    std::string text;
    bool want;
  };
  const std::vector<Case> cases = {
      {"https://example.com/a?b=c#d", true},
      {"urn:epc:id:sgtin:0614141.812345.6789", true},
      {"example:myField", true},
      {"ni:///sha-256;df7b?ver=CBV2.0", true},
      {"urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", true},
      {"https://example.com/%41", true},
      {"a+b-c.d:x", true},
      {"myField", false},
      {":foo", false},
      {"foo:", false},
      {"1abc:foo", false},
      {"ex ample:foo", false},
      {"example:foo bar", false},
      {"https://example.com/%4", false},
      {"https://example.com/%zz", false},
      {"https://example.com/\"", false},
      {"https://example.com/\xc3\xa9", false},
      {"", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(internal::IsAbsoluteUri(c.text), c.want);
  }
}

TEST(VocabularyTest, QuoteEscapesAndTruncates) {
  EXPECT_EQ(internal::Quote("a\nb"), "'a\\x0ab'");
  EXPECT_EQ(internal::Quote(std::string(100, 'x')),
            "'" + std::string(80, 'x') + "...'");
}

}  // namespace
}  // namespace ledger::epcis
