#include "services/kafka/directory_slices.h"

#include "gtest/gtest.h"

namespace docket::kafka {
namespace {

constexpr int kEvents = DirectorySlices::kEvents;
constexpr int kRejections = DirectorySlices::kRejections;

// Record `index` of `count` of the transaction slice of command offsets
// [first, last] in partition 5.
std::optional<Source> Part(int64_t first, int64_t last, int index, int count) {
  Source s;
  s.partition = 5;
  s.offset = first;
  s.batch_first = first;
  s.batch_last = last;
  s.index = index;
  s.count = count;
  return s;
}

std::optional<std::pair<int64_t, std::string>> Directory(int64_t revision, std::string bytes) {
  return std::make_pair(revision, std::move(bytes));
}

TEST(DirectorySlicesTest, ADirectoryEventIsCommittedOnceItsWholeSliceIsSeen) {
  DirectorySlices slices;
  // A slice of three records: a directory event, a case's event, and a
  // rejection on the other topic.
  slices.Note(kEvents, 0, Part(10, 12, 1, 3), Directory(1, "rev-1"));
  slices.Note(kEvents, 1, Part(10, 12, 2, 3), std::nullopt);
  EXPECT_TRUE(slices.confirmed().empty());
  EXPECT_TRUE(slices.Waiting());
  slices.Note(kRejections, 0, Part(10, 12, 3, 3), std::nullopt);
  ASSERT_EQ(slices.confirmed().size(), 1u);
  EXPECT_EQ(slices.confirmed().at(1), "rev-1");
  EXPECT_FALSE(slices.Waiting());
}

// An engine catching up may read docket.rejections far ahead of
// docket.events: a slice whose events are still unread is not given up,
// however long that takes.
TEST(DirectorySlicesTest, OneTopicFarAheadGivesUpNothing) {
  DirectorySlices slices;
  slices.Note(kEvents, 0, Part(10, 12, 1, 2), Directory(1, "rev-1"));
  for (int64_t first = 13; first < 1000; first += 10) {
    slices.Note(kRejections, first, Part(first, first + 9, 1, 1), std::nullopt);
  }
  EXPECT_EQ(slices.GiveUpAborted(), 0);
  slices.Note(kEvents, 1, Part(10, 12, 2, 2), std::nullopt);
  ASSERT_EQ(slices.confirmed().size(), 1u);
  EXPECT_EQ(slices.confirmed().at(1), "rev-1");
}

// A transaction aborted for good (its engine died; the next owner batched
// the commands otherwise): once both topics hold later slices, it is given
// up, and the revision comes from the slice that committed.
TEST(DirectorySlicesTest, AnAbortedSliceIsGivenUpOnceBothTopicsPassIt) {
  DirectorySlices slices;
  slices.Note(kEvents, 0, Part(10, 12, 1, 3), Directory(1, "aborted"));
  slices.Note(kEvents, 1, Part(10, 15, 1, 2), Directory(1, "committed"));
  EXPECT_EQ(slices.GiveUpAborted(), 0) << "no topic is past either slice yet";
  slices.Note(kRejections, 0, Part(10, 15, 2, 2), std::nullopt);
  EXPECT_EQ(slices.confirmed().at(1), "committed");
  EXPECT_TRUE(slices.Waiting()) << "the aborted slice is still open";
  EXPECT_EQ(slices.ResumeAt(kEvents), 0) << "a restart reads the open slice again";
  slices.Note(kEvents, 2, Part(16, 16, 1, 2), std::nullopt);
  EXPECT_EQ(slices.GiveUpAborted(), 0) << "docket.rejections is not past it yet";
  slices.Note(kRejections, 1, Part(16, 16, 2, 2), std::nullopt);
  EXPECT_EQ(slices.GiveUpAborted(), 1);
  EXPECT_FALSE(slices.Waiting());
  EXPECT_EQ(slices.ResumeAt(kEvents), 3);
  EXPECT_EQ(slices.ResumeAt(kRejections), 2);
}

// A retried transaction has the key of its aborted attempt and comes after
// it: its copy of a revision wins.
TEST(DirectorySlicesTest, TheRetriedCopyOfARevisionWins) {
  DirectorySlices slices;
  slices.Note(kEvents, 0, Part(10, 12, 1, 2), Directory(4, "attempt-1"));
  slices.Note(kEvents, 1, Part(10, 12, 1, 2), Directory(4, "attempt-2"));
  slices.Note(kEvents, 2, Part(10, 12, 2, 2), std::nullopt);
  EXPECT_EQ(slices.confirmed().at(4), "attempt-2");
}

TEST(DirectorySlicesTest, ReadingResumesAtTheOldestSliceNotSeenWhole) {
  DirectorySlices slices;
  slices.StartAt(kEvents, 100);
  slices.StartAt(kRejections, 40);
  EXPECT_EQ(slices.ResumeAt(kEvents), 100);
  // Records docket did not write only move the position.
  slices.Note(kEvents, 100, std::nullopt, std::nullopt);
  EXPECT_EQ(slices.ResumeAt(kEvents), 101);
  slices.Note(kEvents, 101, Part(50, 51, 1, 2), std::nullopt);
  slices.Note(kEvents, 102, Part(52, 52, 1, 1), std::nullopt);
  EXPECT_EQ(slices.ResumeAt(kEvents), 101);
  EXPECT_EQ(slices.ResumeAt(kRejections), 40);
  slices.Note(kRejections, 40, Part(50, 51, 2, 2), std::nullopt);
  EXPECT_EQ(slices.ResumeAt(kEvents), 103);
  EXPECT_EQ(slices.ResumeAt(kRejections), 41);
}

}  // namespace
}  // namespace docket::kafka
